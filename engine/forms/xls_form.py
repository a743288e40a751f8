"""Reading a filled form saved as a legacy Excel workbook (.xls, Excel 97–2003).

Units sometimes "Save As" the template in the old format. The optional extra
`xls` (python-calamine, a binding of the Rust calamine reader) reads it; the
layout is the same hidden sheet `jixiao` the template wrote (Excel keeps it in
.xls). calamine gives each formula's saved result, not the formula itself, so
formulas in input cells are not reported for .xls.
"""
from __future__ import annotations

import hashlib
import io
from typing import Any

from engine.base.diagnostics import Diagnostic, DiagnosticError
from engine.forms import STAMP_SHEET
from engine.forms.xlsx_form import FormBook, file_span, parse_stamp, read_form_bytes

XLS_SUFFIXES = (".xls",)
# The largest sheet a spreadsheet has (Excel 2007 on; an .xls has 65,536 × 256, but
# calamine reads whatever format the bytes are): a merged range past it is damage.
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384


def is_xls(path: str) -> bool:
    return path.lower().endswith(XLS_SUFFIXES)


class XlsForm(FormBook):
    """A .xls form: the same questions as a workbook, answered by calamine."""

    def _rows(self, sheet: str) -> tuple[list[list[Any]], int, int]:
        cache = self.__dict__.setdefault("_sheets", {})
        if sheet not in cache:
            try:
                s = self.book.get_sheet_by_name(sheet)
                # skip_empty_area=False: the rows start at A1 whatever `s.start` (the first non-empty cell) says
                cache[sheet] = (s.to_python(skip_empty_area=False), 0, 0, s)
            except _NOT_DAMAGE:
                raise
            except BaseException as e:  # noqa: BLE001 - as in open_xls: a damaged sheet, or a Rust panic reading it
                raise _unreadable(e, self.display) from None
        rows, r0, c0, _ = cache[sheet]
        return rows, r0, c0

    def sheetnames(self) -> list[str]:
        return [n for n in self.book.sheet_names if n != STAMP_SHEET]

    def cell(self, sheet: str, coordinate: str) -> tuple[Any, str | None]:
        # optional library (openpyxl, the xlsx/reports extra): imported only for workbooks
        from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

        letters, row = coordinate_from_string(coordinate)
        rows, r0, c0 = self._rows(sheet)
        r, c = row - 1 - r0, column_index_from_string(letters) - 1 - c0
        if r < 0 or c < 0 or r >= len(rows) or c >= len(rows[r]):
            return None, None
        v = rows[r][c]
        return (None if v == "" else v), None

    def texts(self, sheet: str):
        """(row, column, value) of every non-blank cell."""
        rows, r0, c0 = self._rows(sheet)
        for r, values in enumerate(rows, start=r0 + 1):
            for c, v in enumerate(values, start=c0 + 1):
                if v not in ("", None):
                    yield r, c, v

    def merges(self, sheet: str) -> list[tuple[str, int, int, int, int]]:
        # optional library (openpyxl, the xlsx/reports extra): imported only for workbooks
        from openpyxl.utils import get_column_letter

        self._rows(sheet)
        ranges = getattr(self.__dict__["_sheets"][sheet][3], "merged_cell_ranges", None) or []
        out = []
        for (a, b), (c, d) in ranges:
            if not (0 <= a <= c < MAX_ROWS and 0 <= b <= d < MAX_COLUMNS):  # no spreadsheet writes this: the file is damaged
                reason = f"impossible merged range: rows {a + 1} to {c + 1}, columns {b + 1} to {d + 1}"
                raise DiagnosticError([Diagnostic("forms.corrupt", file_span(self.display), {"format": "Excel 97-2003 (.xls)", "reason": reason})])
            text = f"{get_column_letter(b + 1)}{a + 1}:{get_column_letter(d + 1)}{c + 1}"
            out.append((text, a + 1, b + 1, c + 1, d + 1))
        return out


def open_xls(path: str, display: str) -> XlsForm:
    """Open a filled .xls form and read its stamp (needs the `xls` extra)."""
    try:
        # optional library (python-calamine, the xls extra): imported only for .xls forms
        from python_calamine import CalamineWorkbook
    except ImportError:
        raise DiagnosticError([Diagnostic("forms.needs_extra", file_span(display), {"extra": "xls", "package": "python-calamine"})]) from None
    data = read_form_bytes(path, display)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = book.get_sheet_by_name(STAMP_SHEET).to_python() if STAMP_SHEET in book.sheet_names else None
    except _NOT_DAMAGE:
        raise
    except BaseException as e:  # noqa: BLE001 - calamine's errors, and a Rust panic (pyo3's PanicException is no Exception)
        raise _unreadable(e, display) from None
    stamp = None  # without the hidden sheet: found by the ruleset's declared layout when read
    if rows is not None:
        stamp = parse_stamp(([None if v == "" else v for v in row] for row in rows), display)
    return XlsForm(path, display, book, stamp, "sha256:" + hashlib.sha256(data).hexdigest())


# What stops a program rather than tells of a damaged file: never taken for damage.
_NOT_DAMAGE = (KeyboardInterrupt, SystemExit, GeneratorExit)


def _unreadable(error: BaseException, display: str) -> DiagnosticError:
    """A damaged (or encrypted) .xls: what calamine raised, as a located problem."""
    reason = f"{type(error).__name__}: {error}"[:160]
    code = "forms.encrypted" if "ncrypt" in reason or "assword" in reason else "forms.corrupt"
    return DiagnosticError([Diagnostic(code, file_span(display), {"format": "Excel 97-2003 (.xls)", "reason": reason})])
