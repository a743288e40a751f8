"""The report as a format-neutral document (报告结构): blocks and tables.

`engine.render.report` builds a `Document` from a `Result`; each file format
(Markdown, Word, Excel, HTML) renders the same `Document`, so every format
holds the same words and the same numbers. Tables are `Grid`s of positioned
cells with row and column spans (the paper forms merge 一级/二级 cells down the
rows); a cell keeps its number beside its display text, so a spreadsheet can
store the number with a number format while the other formats print the text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterator, Mapping, Union

# How a number is shown, and which spreadsheet number format it gets.
NUMBER_FORMATS = {"money": "#,##0.00", "score": "0.00", "percent": "0.00%", "count": "0"}


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of a grid at (`row`, `col`), 0-based, spanning `rowspan` ×
    `colspan`. `value` is the number behind `text` (money, score or percent
    as a fraction), `kind` says which."""

    row: int
    col: int
    text: str
    value: Decimal | None = None
    kind: str = "text"  # text | money | score | percent
    rowspan: int = 1
    colspan: int = 1
    header: bool = False
    align: str = "left"  # left | center | right
    # For spreadsheets: `role` names what a figure is (score | weight | budget | spent),
    # `formula` how the cell is computed from other cells of the grid:
    # "sum:<role>" (the sum of the cells of that role), "rate:<a>/<b>",
    # "weighted:<score>/<budget>"; `value` is then its cached value.
    role: str = ""
    formula: str | None = None


@dataclass(frozen=True, slots=True)
class Grid:
    """A table with merged cells: a paper form, or a budget table.

    `widths` are relative column widths in characters; `header_rows` are
    repeated on every printed page; `note` is printed above the table
    (单位：万元)."""

    title: str
    cells: tuple[Cell, ...]
    widths: tuple[int, ...]
    header_rows: int = 1
    note: str | None = None
    landscape: bool = False
    sheet: str | None = None  # worksheet name, when the grid becomes a sheet

    @property
    def nrows(self) -> int:
        return max((c.row + c.rowspan for c in self.cells), default=0)

    @property
    def ncols(self) -> int:
        return len(self.widths)

    def rows(self) -> list[list[Cell]]:
        """The cells that start in each row, left to right."""
        out: list[list[Cell]] = [[] for _ in range(self.nrows)]
        for c in sorted(self.cells, key=lambda c: (c.row, c.col)):
            out[c.row].append(c)
        return out

    def text_matrix(self) -> list[list[str]]:
        """Every position's text, a merged cell's text at its first position
        and blank elsewhere (for formats without merges)."""
        m = [["" for _ in range(self.ncols)] for _ in range(self.nrows)]
        for c in self.cells:
            m[c.row][c.col] = c.text
        return m


@dataclass(frozen=True, slots=True)
class Heading:
    text: str
    level: int  # 1: 一、…  2: （一）…  3: 1、…


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph; `tone` marks findings (warning / info) and the unexplained."""

    text: str
    tone: str = "normal"  # normal | warning | info | note | right
    indent: bool = True


@dataclass(frozen=True, slots=True)
class Bar:
    """Points obtained against points available for one 一级 indicator."""

    name: str
    score: Decimal
    weight: Decimal
    score_text: str
    weight_text: str


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True, slots=True)
class PageBreak:
    pass


Block = Union[Heading, Paragraph, Grid, Chart, PageBreak]


@dataclass(frozen=True)
class Document:
    """The whole report: cover lines, blocks in order, and the stamp.

    `total` and `grade` are repeated here for formats that show them in a
    headline (HTML); `stamp` is what makes the result reproducible (engine
    version, ruleset and data digests) and `stamp_line` its sentence."""

    title: str
    cover: tuple[str, ...]
    blocks: tuple[Block, ...]
    total_text: str
    grade: str
    stamp: Mapping[str, str]
    stamp_line: str
    properties: Mapping[str, str] = field(default_factory=dict)

    def grids(self) -> Iterator[Grid]:
        return (b for b in self.blocks if isinstance(b, Grid))
