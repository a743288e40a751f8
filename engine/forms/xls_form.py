"""Reading a filled form saved as a legacy Excel workbook (.xls, Excel 97–2003).

Units sometimes "Save As" the template in the old format. The optional extra
`xls` (python-calamine, a binding of the Rust calamine reader) reads it; the
layout is the same hidden sheet `jixiao` the template wrote (Excel keeps it in
.xls). calamine gives each formula's saved result, not the formula itself, so
formulas in input cells are not reported for .xls.

calamine runs in a short-lived child process (`engine.forms.xls_process`),
which reads every sheet at once: some damaged files make it abort, which no
Python code can catch (docs/security.md). A child that dies, runs out of its
memory or time, or says calamine failed (a Rust panic included) makes the file
a located `forms.corrupt`; everything else of a batch or a server goes on.
"""
from __future__ import annotations

import hashlib
import importlib.util
import io
import os
import pickle
import signal
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from engine.base.diagnostics import Diagnostic, DiagnosticError
from engine.forms import STAMP_SHEET
from engine.forms.xlsx_form import FormBook, file_span, parse_stamp, read_form_bytes

XLS_SUFFIXES = (".xls",)
# The largest sheet a spreadsheet has (Excel 2007 on; an .xls has 65,536 × 256, but
# calamine reads whatever format the bytes are): a merged range past it is damage.
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384
# What the reading process may take: a form is at most 20 MB (MAX_FORM_BYTES) and
# calamine needs a few times that; a damaged file asking for more is stopped.
XLS_MEMORY = 2 << 30  # bytes of address space
XLS_SECONDS = 60  # of CPU, and of waiting for its answer
_PROCESS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "xls_process.py")
_FORMAT = "Excel 97-2003 (.xls)"


def is_xls(path: str) -> bool:
    return path.lower().endswith(XLS_SUFFIXES)


@dataclass(frozen=True)
class XlsBook:
    """What calamine read: the sheets in order, each one's rows from A1 and
    its merged ranges (text, first row, first column, last row, last column; 1-based)."""

    names: tuple[str, ...]
    rows: dict[str, list[list[Any]]]
    merges: dict[str, list[tuple[str, int, int, int, int]]]


class XlsForm(FormBook):
    """A .xls form: the same questions as a workbook, answered from what calamine read."""

    def sheetnames(self) -> list[str]:
        return [n for n in self.book.names if n != STAMP_SHEET]

    def cell(self, sheet: str, coordinate: str) -> tuple[Any, str | None]:
        # optional library (openpyxl, the xlsx/reports extra): imported only for workbooks
        from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

        letters, row = coordinate_from_string(coordinate)
        rows = self.book.rows[sheet]
        r, c = row - 1, column_index_from_string(letters) - 1
        if r < 0 or c < 0 or r >= len(rows) or c >= len(rows[r]):
            return None, None
        v = rows[r][c]
        return (None if v == "" else v), None

    def texts(self, sheet: str):
        """(row, column, value) of every non-blank cell."""
        for r, values in enumerate(self.book.rows[sheet], start=1):
            for c, v in enumerate(values, start=1):
                if v not in ("", None):
                    yield r, c, v

    def merges(self, sheet: str) -> list[tuple[str, int, int, int, int]]:
        return self.book.merges[sheet]


def open_xls(path: str, display: str) -> XlsForm:
    """Open a filled .xls form and read its stamp (needs the `xls` extra)."""
    spec = importlib.util.find_spec("python_calamine")
    if spec is None or not spec.submodule_search_locations:
        raise DiagnosticError([Diagnostic("forms.needs_extra", file_span(display), {"extra": "xls", "package": "python-calamine"})])
    data = read_form_bytes(path, display)
    sheets = _read(data, display, os.path.dirname(list(spec.submodule_search_locations)[0]))
    book = XlsBook(tuple(name for name, _, _ in sheets), {name: rows for name, rows, _ in sheets},
                   {name: _merges(ranges, display) for name, _, ranges in sheets})
    stamp = None  # without the hidden sheet: found by the ruleset's declared layout when read
    if STAMP_SHEET in book.rows:
        stamp = parse_stamp(([None if v == "" else v for v in row] for row in book.rows[STAMP_SHEET]), display)
    return XlsForm(path, display, book, stamp, "sha256:" + hashlib.sha256(data).hexdigest())


def _read(data: bytes, display: str, site: str) -> list[tuple[str, list[list[Any]], list]]:
    """The workbook's sheets, read by calamine in a child process (with the
    memory and time it may take); raise a located problem when it cannot."""
    command = [sys.executable, "-I", "-S", _PROCESS, site, str(XLS_MEMORY), str(XLS_SECONDS)]
    env = dict(os.environ, RUST_BACKTRACE="0")  # a panic's message in one line, read below; never a backtrace
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=XLS_SECONDS, env=env)
    except subprocess.TimeoutExpired:
        raise _damaged(f"not read in {XLS_SECONDS} s", display) from None
    except OSError:  # no child processes here (some sandboxes): calamine in this process; its panics are still caught
        # cold start: the in-process fallback only
        from engine.forms.xls_process import reply

        return _answer(reply(data), display)
    if done.returncode != 0:  # the process died: an abort (an allocation refused), a signal, its memory or CPU limit
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise _damaged(f"{said[0].strip()[:120]} ({_ended(done.returncode)})" if said else _ended(done.returncode), display)
    try:
        answer = _Reply(io.BytesIO(done.stdout)).load()
    except Exception as e:  # noqa: BLE001 - whatever a cut or garbled answer makes pickle raise
        raise _damaged(f"no answer from the reader ({type(e).__name__})", display) from None
    return _answer(answer, display)


def _ended(returncode: int) -> str:
    """How the reading process ended: `SIGABRT`, or its exit status."""
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"exit status {returncode}"


class _Reply(pickle.Unpickler):
    """The child's answer: plain values and the dates and times of a cell only
    (the process read a file from outside; nothing else is ever built from it)."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "datetime" and name in ("date", "datetime", "time", "timedelta", "timezone"):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name}")


def _answer(answer: tuple[str, Any], display: str) -> list[tuple[str, list[list[Any]], list]]:
    """The sheets `engine.forms.xls_process.reply` read, or its reason as a located problem."""
    status, value = answer
    if status == "ok":
        return value
    if status == "missing":
        raise DiagnosticError([Diagnostic("forms.needs_extra", file_span(display), {"extra": "xls", "package": "python-calamine"})])
    reason = str(value)[:160]
    if "ncrypt" in reason or "assword" in reason:
        raise DiagnosticError([Diagnostic("forms.encrypted", file_span(display))])
    raise _damaged(reason, display)


def _damaged(reason: str, display: str) -> DiagnosticError:
    return DiagnosticError([Diagnostic("forms.corrupt", file_span(display), {"format": _FORMAT, "reason": reason})])


def _merges(ranges: list, display: str) -> list[tuple[str, int, int, int, int]]:
    """calamine's merged ranges (0-based) as the reader takes them; one no
    sheet can hold (no spreadsheet writes it) makes the file damaged."""
    # optional library (openpyxl, the xlsx/reports extra): imported only for workbooks
    from openpyxl.utils import get_column_letter

    out = []
    for (a, b), (c, d) in ranges:
        if not (0 <= a <= c < MAX_ROWS and 0 <= b <= d < MAX_COLUMNS):
            raise _damaged(f"impossible merged range: rows {a + 1} to {c + 1}, columns {b + 1} to {d + 1}", display)
        out.append((f"{get_column_letter(b + 1)}{a + 1}:{get_column_letter(d + 1)}{c + 1}", a + 1, b + 1, c + 1, d + 1))
    return out
