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
import os
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterator

from engine.base.messages import workbook_problem
from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan

TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Sheet:
    """One sheet: its header cells and an iterator of (row number, cells).

    Row numbers are 1-based as a spreadsheet shows them (the header is row 1);
    blank rows are skipped."""

    file: str
    header: tuple[str, ...]
    rows: Iterator[tuple[int, tuple[Any, ...]]]


def is_table(path: str) -> bool:
    return path.lower().endswith(TABLE_SUFFIXES)


def csv_encoding(path: str, display: str) -> str:
    """'utf-8-sig' for UTF-8 (with or without BOM), else 'gb18030' (a superset of
    GBK); checked over the whole file in chunks, so nothing is held in memory."""
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
    with open(path, encoding=encoding, newline="") as fh:
        reader = csv.reader(fh)
        header: tuple[str, ...] = ()
        for cells in reader:
            if any(c.strip() for c in cells):
                header = tuple(cells)
                break
        start = reader.line_num

        def rows() -> Iterator[tuple[int, tuple]]:
            nonlocal start
            for cells in reader:
                row, start = start + 1, reader.line_num
                if any(cells):
                    yield row, tuple(cells)

        yield Sheet(display, header, rows())


def cell_text(value: Any) -> str:
    """A cell as text (a number as written, without exponent)."""
    return value if isinstance(value, str) else format(value, "f") if isinstance(value, Decimal) else str(value)


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


@contextmanager
def open_xlsx(path: str, display: str, sheet: str | int = 0) -> Iterator[Sheet]:
    """The rows of one worksheet (by name, or by position from 0)."""
    try:
        # optional library (the xlsx/reports extra): imported only when a workbook is read or written
        import openpyxl
    except ImportError:
        raise DiagnosticError([Diagnostic("batch.needs_extra", SourceSpan(display, 1, 1), {"extra": "xlsx", "package": "openpyxl"})]) from None
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
        it = ws.iter_rows(values_only=True)
        header: tuple[str, ...] = ()
        number = 0
        for cells in it:
            number += 1
            if any(c is not None and str(c).strip() for c in cells):
                header = tuple("" if c is None else str(c) for c in cells)
                break

        def rows() -> Iterator[tuple[int, tuple]]:
            n = number
            for cells in it:
                n += 1
                if any(c is not None and c != "" for c in cells):
                    yield n, tuple(_cell(c) for c in cells)

        yield Sheet(where, header, rows())
    finally:
        book.close()


@contextmanager
def open_table(path: str, display: str | None = None, sheet: str | int = 0) -> Iterator[Sheet]:
    """A CSV file or one sheet of an XLSX workbook, by the file's suffix."""
    display = display or path
    if not os.path.isfile(path):
        raise DiagnosticError([Diagnostic("load.not_found", SourceSpan(display, 1, 1), {"path": path})])
    if path.lower().endswith(".csv"):
        with open_csv(path, display) as s:
            yield s
    else:
        with open_xlsx(path, display, sheet) as s:
            yield s
