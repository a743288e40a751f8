"""The process that reads one legacy .xls for `engine.forms.xls_form`.

Run as a script in a fresh, isolated interpreter (`python -I -S
xls_process.py SITE MEMORY SECONDS`): the file's bytes come on standard
input, and its sheets go back pickled on standard output, as
`("ok", [(name, rows from A1, merged ranges), …])`, `("error", reason)` or
`("missing", reason)` (no python-calamine at SITE).

Why a process of its own: calamine is Rust, and some damaged files make it
abort (a 92 GB allocation refused, SIGABRT) — no Python code can catch that,
and in the reading program it would end a whole batch or a server worker.
Here it ends only this process, and the parent reports the file as damaged.
The process limits its own address space and CPU time first, so a file
that would take all the memory or run on stops here too. It imports nothing
of jixiao and only python-calamine from SITE (and, to start quickly, not
even `typing`).
"""
from __future__ import annotations

import io
import pickle
import sys

# What stops a program rather than tells of a damaged file: never taken for damage.
NOT_DAMAGE = (KeyboardInterrupt, SystemExit, GeneratorExit)


def read(data: bytes) -> list[tuple[str, list[list[object]], list]]:
    """Every sheet of the workbook: (name, its rows from A1, its merged
    ranges as calamine gives them, `((row, col), (row, col))`, 0-based)."""
    # optional library (python-calamine, the xls extra): only an .xls form needs it
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = []
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        # skip_empty_area=False: the rows start at A1 whatever the first non-empty cell is
        rows = sheet.to_python(skip_empty_area=False)
        sheets.append((name, rows, list(getattr(sheet, "merged_cell_ranges", None) or [])))
    return sheets


def reply(data: bytes) -> tuple[str, object]:
    """`read`'s answer, or why the file could not be read (a Rust panic is a
    `BaseException` of pyo3's: it counts as damage too)."""
    try:
        return "ok", read(data)
    except ImportError as e:
        return "missing", str(e)
    except NOT_DAMAGE:
        raise
    except BaseException as e:  # noqa: BLE001 - calamine's errors and panics on a damaged file
        return "error", f"{type(e).__name__}: {e}"


def _limit(memory: int, seconds: int) -> None:
    """Cap this process's address space and CPU time (where the system has them)."""
    try:
        import resource  # POSIX only: elsewhere the process runs without the caps
    except ImportError:
        return
    for kind, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, seconds)):
        try:
            _, hard = resource.getrlimit(kind)
            resource.setrlimit(kind, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))
        except (ValueError, OSError):
            pass


def main(argv: list[str]) -> int:
    """Read the .xls on standard input; its sheets, pickled, on standard output."""
    site, memory, seconds = argv[1], int(argv[2]), int(argv[3])
    _limit(memory, seconds)
    sys.path.append(site)  # after the standard library, as site-packages always is
    answer = reply(sys.stdin.buffer.read())
    try:
        out = pickle.dumps(answer, protocol=4)
    except Exception as e:  # noqa: BLE001 - a value calamine gave that cannot be sent: the file is not read
        out = pickle.dumps(("error", f"{type(e).__name__}: {e}"), protocol=4)
    sys.stdout.buffer.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
