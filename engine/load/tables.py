"""Tables as input (表格输入): CSV and XLSX sheets, read row by row.

A bureau's budget system exports one row per unit. Rows are streamed, never
held all at once. CSV files exported on Chinese Windows are GBK/GB18030 or
UTF-8 with a byte-order mark; all three are read (UTF-8 first, as in
`yaml_loader.decode_text`). XLSX needs the optional `openpyxl` (extra `xlsx`),
imported only when an XLSX file is read.

Cells come out as text, `Decimal` or bool — never float: a number stored in a
workbook is read as Excel shows it (15 significant digits), so `3921.33` stays
`3921.33` even when the double underneath is `3921.3300000000004`.
"""
from __future__ import annotations

import codecs
import csv
import datetime
import itertools
import json
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Iterable, Iterator

from engine.base.archive import zip_problem
from engine.base.messages import Said, workbook_problem
from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan
from engine.base.fileio import is_special
from engine.base.memo import stored

TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm")
_CHUNK = 1 << 20
# A cell longer than this is refused as that row's error (`cell_problems`). The
# csv module's own limit (131,072, the same number) raises in the middle of the
# file and would end the whole table, so the module reads cells up to
# `_CSV_FIELD_LIMIT` and the limit is ours.
MAX_CELL = 131_072
_CSV_FIELD_LIMIT = 64 * 1024 * 1024
# Control characters refused in any cell or header: those `yaml_loader.CONTROL`
# refuses, but a carriage return, which a quoted CSV cell with a line break holds.
_CELL_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def cell_problems(file: str, row: int, cells: tuple) -> list[Diagnostic]:
    """What makes a row's cells unreadable, each at its cell: a control
    character (a terminal escape, a NUL, a lone surrogate: nothing any output
    may carry) or a cell longer than `MAX_CELL`."""
    # Most rows have no problem: one search over the row's text says so (a
    # search per cell cost ~100k instructions for a department row). "\n"
    # is a cell's own character, never refused.
    try:
        whole = " ".join(cells)  # a CSV row: all text
    except TypeError:  # a workbook's numbers and dates: only its text is searched
        whole = " ".join([c for c in cells if c.__class__ is str])
    # printable (no control, format or separator character but the space) is
    # surely clean, and cheaper to ask than the pattern (a row with a line
    # break or an ideographic space in a cell is searched)
    if len(whole) <= MAX_CELL and (whole.isprintable() or _CELL_CONTROL.search(whole) is None):
        return []
    out = []
    for i, c in enumerate(cells):
        if c.__class__ is not str:
            continue
        if len(c) > MAX_CELL:
            out.append(Diagnostic("batch.cell_too_long", SourceSpan(file, row, i + 1), {"length": len(c), "limit": MAX_CELL}))
            continue
        bad = _CELL_CONTROL.search(c)
        if bad is not None:
            out.append(Diagnostic("load.control_char", SourceSpan(file, row, i + 1), {"char": f"U+{ord(bad.group()):04X}", "offset": bad.start() + 1}))
    return out


@dataclass(frozen=True)
class Sheet:
    """One sheet: its header cells and an iterator of (row number, cells).

    Row numbers are 1-based as a spreadsheet shows them (the header is row 1);
    blank rows are skipped."""

    file: str
    header: tuple[str, ...]
    rows: Iterator[tuple[int, tuple[Any, ...]]]
    # A workbook's quick look: whether any cell of these columns (0-based) may
    # hold a value, from the sheet's XML (`filled_columns` reads the rows only then)
    may_fill: Callable[[Iterable[int]], bool] | None = None


def filled_columns(sheet: Sheet, columns: Iterable[int]) -> dict[int, int]:
    """The first row holding something (a figure, or text that is not blank)
    in each of `columns` (0-based), reading the sheet's rows (and using them
    up) until each is found; columns found empty throughout are left out."""
    wanted = set(columns)
    found: dict[int, int] = {}
    if not wanted or (sheet.may_fill is not None and not sheet.may_fill(wanted)):
        return found
    for number, cells in sheet.rows:
        n = len(cells)
        hits = [i for i in wanted if i < n and (cells[i].__class__ is not str or cells[i].strip())]
        for i in hits:
            found[i] = number
        wanted.difference_update(hits)
        if not wanted:
            break
    return found


def check_regular(path: str, display: str) -> None:
    """Refuse a FIFO, device or socket before anything opens it (opening a
    FIFO for reading waits for a writer)."""
    if is_special(path):
        raise DiagnosticError([Diagnostic("load.not_regular", SourceSpan(display, 1, 1), {"path": path})])


def is_table(path: str) -> bool:
    return path.lower().endswith(TABLE_SUFFIXES)


_ENCODINGS: dict[tuple, str] = {}  # (path, device, inode, size, mtime) → its encoding


def csv_encoding(path: str, display: str) -> str:
    """'utf-8-sig' for UTF-8 (with or without BOM), else 'gb18030' (a superset of
    GBK); checked over the whole file in chunks, so nothing is held in memory.
    A batch opens its table twice (header, then rows): the second time the
    file, unchanged, is not decoded again (0.3 s for 100 MB)."""
    try:
        st = os.stat(path)
        key: tuple | None = (path, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    except OSError:
        key = None
    known = _ENCODINGS.get(key) if key is not None else None
    if known is not None:
        return known
    found = _detect_encoding(path, display)
    if key is not None:
        stored(_ENCODINGS, key, found, 16)
    return found


def _detect_encoding(path: str, display: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        offset = 0
        try:
            with open(path, "rb") as fh:
                while chunk := fh.read(_CHUNK):
                    decoder.decode(chunk)
                    offset += len(chunk)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError as e:
            if encoding == "utf-8-sig":
                first_error = offset + e.start
            continue
    raise DiagnosticError([Diagnostic("load.encoding", _byte_span(path, display, first_error), {"byte": first_error})])


def _byte_span(path: str, display: str, byte: int) -> SourceSpan:
    with open(path, "rb") as fh:
        head = fh.read(byte)
    line = head.count(b"\n") + 1
    return SourceSpan(display, line, byte - (head.rfind(b"\n") + 1) + 1)


@contextmanager
def open_csv(path: str, display: str) -> Iterator[Sheet]:
    """The rows of a CSV file (comma-separated; quoted cells may hold newlines)."""
    encoding = csv_encoding(path, display)
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:  # process-wide; only ever raised
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    with open(path, encoding=encoding, newline="") as fh:
        reader = csv.reader(fh)
        header: tuple[str, ...] = ()
        start = 0  # the line the record being read follows
        try:
            for cells in reader:
                if any(c.strip() for c in cells):
                    header = tuple(cells)
                    break
                start = reader.line_num
        except csv.Error as e:
            raise DiagnosticError([_csv_problem(path, encoding, display, start, e)]) from None
        start = reader.line_num

        def rows() -> Iterator[tuple[int, tuple]]:
            nonlocal start
            # A cell past the field limit (an opening quote never closed, so the
            # rest of the file reads as one cell) raises in the middle of the
            # table: the rows before it stand, the reader cannot go on (a try
            # costs nothing per row)
            try:
                for cells in reader:
                    row, start = start + 1, reader.line_num
                    if any(cells):
                        yield row, tuple(cells)
            except csv.Error as e:
                raise DiagnosticError([_csv_problem(path, encoding, display, start, e)]) from None

        yield Sheet(display, header, rows())


_LOOK = 1 << 20  # characters of a record looked at for the quote that never closed


def _csv_problem(path: str, encoding: str, display: str, before: int, error: csv.Error) -> Diagnostic:
    """What stopped the csv reader in the record after line `before`, located
    there: a cell whose opening quote never closes (at its column), or the
    reader's problem said generally."""
    row = before + 1
    if "field larger than field limit" in str(error):
        with open(path, encoding=encoding, newline="") as fh:
            for _ in itertools.islice(fh, before):  # lines as the reader counts them
                pass
            col = _unclosed_cell(fh.read(_LOOK))
        if col is not None:
            return Diagnostic("batch.csv_open_quote", SourceSpan(display, row, col), {"limit": _CSV_FIELD_LIMIT})
        reason = Said("csv.cell_too_long", {"limit": _CSV_FIELD_LIMIT})
    else:
        reason = Said("csv.damaged")
    return Diagnostic("batch.unreadable_from_row", SourceSpan(display, row, 1), {"reason": reason})


def _unclosed_cell(text: str) -> int | None:
    """The 1-based cell of the CSV record `text` starts with whose opening quote
    is not closed within `text`, read as the csv module reads it (a quote opens
    a cell only at its start; `""` inside is a quote; after the closing quote
    the cell goes on to its comma); None when every cell closes first."""
    col, i, n = 1, 0, len(text)
    while i < n:
        if text[i] == '"':
            j = i + 1
            while True:
                j = text.find('"', j)
                if j < 0:
                    return col
                if text.startswith('"', j + 1):
                    j += 2
                    continue
                break
            i = j + 1
        ends = [k for k in (text.find(",", i), text.find("\n", i), text.find("\r", i)) if k >= 0]
        if not ends or text[min(ends)] != ",":
            return None  # the record ends with every cell closed
        col, i = col + 1, min(ends) + 1
    return None


def cell_text(value: Any) -> str:
    """A cell as text (a number as written, without exponent)."""
    return value if isinstance(value, str) else format(value, "f") if isinstance(value, Decimal) else str(value)


_TEXT = frozenset((str,))


def cells_json(cells: tuple | list) -> str:
    """A row's cells as text (`cell_text`), as one JSON list: what a unit's
    digest is made of, and how a second table's rows are kept. A CSV row is
    text already: no call per cell."""
    if _TEXT.issuperset(map(type, cells)):
        return json.dumps(cells, ensure_ascii=False)
    return json.dumps([cell_text(c) for c in cells], ensure_ascii=False)


def _cell(value: Any) -> Any:
    """An XLSX cell as text, Decimal or bool (never float)."""
    if value is None:
        return ""
    if isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        return Decimal(format(value, ".15g"))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date().isoformat()
    if isinstance(value, (datetime.date, datetime.time, datetime.datetime)):
        return value.isoformat()
    return str(value)


# A workbook is a zip of XML files. Its members' uncompressed sizes are checked
# before openpyxl reads any (it holds the shared strings in memory: an 820 KB
# zip of them reached 2.5 GB); zipfile itself stops at the declared size.
MAX_XLSX_BYTES = 256 * 1024 * 1024
# A table wider than this is not a form: every row would be padded to it.
MAX_COLUMNS = 2048
# A workbook's member Excel never writes, in words (`zip_problem`'s kinds).
PART_PROBLEMS = {"encrypted": "ooxml.encrypted", "method": "ooxml.method"}
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3})[0-9]+"')


def check_archive(path: str, display: str) -> None:
    """Refuse a workbook whose members, as the zip declares them, unpack to
    more than `MAX_XLSX_BYTES`, or one of them encrypted or packed by a method
    Excel never uses (bzip2, LZMA: zipfile unpacks those without a bound),
    before openpyxl reads any (`engine.base.archive.zip_problem`)."""
    import zipfile  # only for workbooks

    try:
        with zipfile.ZipFile(path) as z:
            problem = zip_problem(z.infolist(), unpacked=MAX_XLSX_BYTES)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return  # not a zip (or a damaged one): openpyxl says what it is
    if problem is None:
        return
    what, args = problem
    if what == "unpacked":
        raise DiagnosticError([Diagnostic("batch.workbook_too_large", SourceSpan(display, 1, 1), {"mb": args["total"] // (1024 * 1024), "limit": MAX_XLSX_BYTES // (1024 * 1024)})])
    raise DiagnosticError([Diagnostic("batch.bad_workbook", SourceSpan(display, 1, 1), {"reason": Said(PART_PROBLEMS[what], args)})])


def _damaged(where: str, row: int) -> DiagnosticError:
    """A sheet that cannot be read on from `row` (openpyxl gives no row of its
    own: the row after the last one read, where the damage is or begins)."""
    return DiagnosticError([Diagnostic("batch.unreadable_from_row", SourceSpan(where, row, 1), {"reason": Said("xlsx.damaged_data")})])


def _widest_column(ws) -> int:
    """The rightmost column any cell of the sheet names (`r="XFD7"` is
    16,384), read from the sheet's XML in one streaming pass."""
    widest = 0
    seen: set[bytes] = set()
    tail = b""
    with ws._get_source() as src:  # openpyxl's read-only sheet: its XML member
        while chunk := src.read(1 << 20):
            data = tail + chunk
            for m in _CELL_REF.finditer(data):
                letters = m.group(1)
                if letters not in seen:
                    seen.add(letters)
                    n = 0
                    for ch in letters:
                        n = n * 26 + ch - 64
                    widest = max(widest, n)
            tail = data[-200:]
    return widest


def column_letters(index: int) -> str:
    """A 0-based column as a spreadsheet names it (0 → A, 27 → AB)."""
    out = ""
    index += 1
    while index:
        index, r = divmod(index - 1, 26)
        out = chr(65 + r) + out
    return out


def _may_fill(ws, columns: Iterable[int]) -> bool:
    """Whether a cell of `columns` (0-based) may hold a value, from the
    sheet's XML in one streaming pass: a cell written `<c r="BF7" s="3"/>` or
    `<c r="BF7" s="3"></c>` (empty, formatted: what Excel or openpyxl keep of a
    formatted column) holds none; any other cell of those columns, or a cell
    without its `r="…"`, may."""
    letters = b"|".join(column_letters(i).encode() for i in sorted(columns))
    cell = re.compile(rb'<(?:\w+:)?c\b(?:(?![^>]*\sr=")|[^>]*?\sr="(?:' + letters + rb')[0-9]+")[^>]*(?<!/)>(?!\s*</(?:\w+:)?c>)')
    tail = b""
    with ws._get_source() as src:  # openpyxl's read-only sheet: its XML member
        while chunk := src.read(1 << 20):
            data = tail + chunk
            if cell.search(data):
                return True
            tail = data[-200:]
    return False


@contextmanager
def open_xlsx(path: str, display: str, sheet: str | int = 0) -> Iterator[Sheet]:
    """The rows of one worksheet (by name, or by position from 0)."""
    try:
        # optional library (the xlsx/reports extra): imported only when a workbook is read or written
        import openpyxl
    except ImportError:
        raise DiagnosticError([Diagnostic("batch.needs_extra", SourceSpan(display, 1, 1), {"extra": "xlsx", "package": "openpyxl"})]) from None
    check_archive(path, display)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - a damaged or non-XLSX file, whatever openpyxl raises
        raise DiagnosticError([Diagnostic("batch.bad_workbook", SourceSpan(display, 1, 1), {"reason": workbook_problem(e)})]) from None
    try:
        names = book.sheetnames
        if isinstance(sheet, int):
            if sheet >= len(names):
                raise DiagnosticError([Diagnostic("batch.no_sheet", SourceSpan(display, 1, 1), {"sheet": str(sheet + 1), "known": "、".join(names)})])
            sheet = names[sheet]
        if sheet not in names:
            raise DiagnosticError([Diagnostic("batch.no_sheet", SourceSpan(display, 1, 1), {"sheet": sheet, "known": "、".join(names)})])
        ws = book[sheet]
        where = f"{display}[{sheet}]"
        # The sheet's own `<dimension>` may claim A1:XFD1048576 for one cell
        # (openpyxl would then pad every row to 16,384 cells and add a million
        # empty rows): rows and columns are the cells actually present.
        ws.reset_dimensions()
        try:
            widest = _widest_column(ws)
        except Exception:  # noqa: BLE001 - the sheet's part is damaged (a bad CRC, a broken deflate stream): whatever zipfile raises
            raise DiagnosticError([Diagnostic("batch.bad_workbook", SourceSpan(display, 1, 1), {"reason": Said("xlsx.damaged_data")})]) from None
        if widest > MAX_COLUMNS:
            raise DiagnosticError([Diagnostic("batch.too_many_columns", SourceSpan(where, 1, 1), {"columns": widest, "limit": MAX_COLUMNS})])
        it = ws.iter_rows(values_only=True)
        header: tuple[str, ...] = ()
        number = 0
        try:
            for cells in it:
                number += 1
                if any(c is not None and str(c).strip() for c in cells):
                    header = tuple("" if c is None else str(c) for c in cells)
                    break
        except Exception:  # noqa: BLE001 - damage in the sheet's XML, whatever openpyxl raises on it
            raise _damaged(where, number + 1) from None

        def rows() -> Iterator[tuple[int, tuple]]:
            n = number
            # openpyxl parses a row when it is asked for: damage in a later row
            # (a number cell `abc`, a shared-string index past the end, broken
            # XML) raises there, in the middle of a batch (a try costs nothing per row)
            try:
                for cells in it:
                    n += 1
                    if any(c is not None and c != "" for c in cells):
                        yield n, tuple(_cell(c) for c in cells)
            except Exception:  # noqa: BLE001 - whatever openpyxl raises on it
                raise _damaged(where, n + 1) from None

        def may_fill(columns: Iterable[int]) -> bool:
            try:
                return _may_fill(ws, columns)
            except Exception:  # noqa: BLE001 - read through once already; if not now, the rows say where
                return True

        yield Sheet(where, header, rows(), may_fill)
    finally:
        book.close()


@contextmanager
def open_table(path: str, display: str | None = None, sheet: str | int = 0) -> Iterator[Sheet]:
    """A CSV file or one sheet of an XLSX workbook, by the file's suffix."""
    display = display or path
    check_regular(path, display)
    if not os.path.isfile(path):
        raise DiagnosticError([Diagnostic("load.not_found", SourceSpan(display, 1, 1), {"path": path})])
    if path.lower().endswith(".csv"):
        with open_csv(path, display) as s:
            yield s
    else:
        with open_xlsx(path, display, sheet) as s:
            yield s
