"""Reading a filled Word form (.docx): the template's tables, in order.

A Word copy of the form has no hidden sheet: its document properties name
the ruleset (id, digest), the layout version and the row counts, and the
caller lays the form out again from the ruleset (`engine.render.template.
stamp_rows(..., word=True)`, done in `engine.api`) and hands the layout in.
Each table is a "sheet" (表1, 表2, …), its cells addressed by row and column
as Word shows them: `文件.docx:表2!第5行第3列`. Merged cells (python-docx
gives a merged cell at each position it covers) are recognised by the cell
they share.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from engine.base.diagnostics import Diagnostic, DiagnosticError
from engine.forms import LAYOUT_VERSION
from engine.forms.xlsx_form import FormBook, Stamp, check_zip, file_span, parse_stamp, read_form_bytes

DOCX_SUFFIXES = (".docx",)


def _rc(coordinate: str) -> tuple[int, int]:
    # optional library (openpyxl, the xlsx/reports extra): imported only for workbooks
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    letters, row = coordinate_from_string(coordinate)
    return row, column_index_from_string(letters)


class DocxForm(FormBook):
    """A Word form: the same questions as a workbook, answered from its tables."""

    info: dict
    _grids: dict | None = None  # sheet -> (the table's cells row after row, columns per row)
    _row_lists: dict | None = None  # sheet -> each row's cells

    def sheetnames(self) -> list[str]:
        return [f"表{i}" for i in range(1, len(self.book.tables) + 1)]

    def _table(self, sheet: str):
        return self.book.tables[int(sheet[1:]) - 1]

    def _grid(self, sheet: str) -> tuple[list, int]:
        """What python-docx's `table.cell(r, c)` looks in, built once per table:
        `table.cell` builds it afresh on every call, so reading a 500-row form
        cell by cell took minutes. The form is only read, so it stays valid."""
        if self._grids is None:
            self._grids = {}
        if sheet not in self._grids:
            table = self._table(sheet)
            self._grids[sheet] = (table._cells, table._column_count)
        return self._grids[sheet]

    def cell(self, sheet: str, coordinate: str) -> tuple[Any, str | None]:
        row, col = _rc(coordinate)
        cells, width = self._grid(sheet)
        try:
            text = cells[(row - 1) * width + col - 1].text
        except IndexError:
            return None, None
        return (text.strip() or None), None

    def _rows(self, sheet: str) -> list[list]:
        """The table's rows of cells (`_row_cells`), built once per table."""
        if self._row_lists is None:
            self._row_lists = {}
        if sheet not in self._row_lists:
            self._row_lists[sheet] = _row_cells(self._table(sheet))
        return self._row_lists[sheet]

    def merges(self, sheet: str) -> list[tuple[str, int, int, int, int]]:
        spans: dict[int, list[tuple[int, int]]] = {}
        # lxml keeps one proxy per element only while it is referenced: the
        # cells held in `_rows` hold theirs, so id() is the element's
        for r, row in enumerate(self._rows(sheet), start=1):
            for c, cell in enumerate(row, start=1):
                spans.setdefault(id(cell._tc), []).append((r, c))
        out = []
        for places in spans.values():
            if len(places) > 1:
                r0, c0 = min(p[0] for p in places), min(p[1] for p in places)
                r1, c1 = max(p[0] for p in places), max(p[1] for p in places)
                out.append((f"第{r0}行第{c0}列至第{r1}行第{c1}列", r0, c0, r1, c1))
        return out

    def texts(self, sheet: str):
        """(row, column, text) of every non-blank cell (a merged cell once, at its first place)."""
        seen: set[int] = set()
        for r, row in enumerate(self._rows(sheet), start=1):  # the cells held there keep id() the element's (see merges)
            for c, cell in enumerate(row, start=1):
                if id(cell._tc) in seen:
                    continue
                seen.add(id(cell._tc))
                if cell.text.strip():
                    yield r, c, cell.text

    def caption(self, sheet: str) -> str:
        """The text printed just above a table (its title, a Word table having no title cell)."""
        index = int(sheet[1:]) - 1
        seen, lines = -1, []
        for el in self.book.element.body.iterchildren():
            tag = el.tag.rsplit("}", 1)[-1]
            if tag == "tbl":
                seen += 1
                if seen == index:
                    return " ".join(lines[-3:])
                lines = []
            elif tag == "p":
                text = "".join(t.text or "" for t in el.iter() if t.tag.endswith("}t"))
                if text.strip():
                    lines.append(text)
        return ""

    def place(self, sheet: str, coordinate: str) -> str:
        row, col = _rc(coordinate)
        return f"{sheet}!第{row}行第{col}列"

    def table_rows(self, index: int) -> int | None:
        """How many rows the document's table `index` (0-based) has."""
        tables = self.book.tables
        return len(tables[index].rows) if index < len(tables) else None


def _row_cells(table) -> list[list]:
    """Each row's cells as python-docx's `row.cells` gives them (a merged cell
    at every place it covers, a vertical merge's continuation as the cell it
    continues), in one pass: `row.cells` climbs each continuation up to its
    first row, so a form with 一级指标 merged down 300 rows took seconds per look."""
    # optional library (python-docx, the reports extra): imported only for Word files
    from docx.table import _Cell

    rows: list[list] = []
    above: dict[int, list] = {}  # grid offset -> the cells the previous row's cell starting there gives
    for tr in table._tbl.tr_lst:
        here: dict[int, list] = {}
        cells: list = []
        offset = tr.grid_before
        for tc in tr.tc_lst:
            if tc.vMerge == "continue":
                if offset not in above:  # python-docx finds no cell above either
                    raise ValueError(f"no `w:tc` element above grid offset {offset}")
                run = above[offset]
            else:
                run = [_Cell(tc, table)] * tc.grid_span
            here[offset] = run
            cells.extend(run)
            offset += tc.grid_span
        rows.append(cells)
        above = here
    return rows


def open_docx(path: str, display: str) -> DocxForm:
    """Open a filled Word form; its layout (`stamp`) is set by the caller."""
    try:
        # optional library (python-docx, the reports extra): imported only for Word files
        import docx
    except ImportError:  # pragma: no cover - depends on the installation
        raise DiagnosticError([Diagnostic("forms.needs_extra", file_span(display), {"extra": "reports", "package": "python-docx"})]) from None
    data = read_form_bytes(path, display)
    check_zip(path, display, data, "Word (.docx)")  # an OLE2 file (encrypted, or a .doc) included
    try:
        document = docx.Document(path)
    except Exception as e:  # noqa: BLE001 - whatever a damaged package makes python-docx raise
        raise DiagnosticError([Diagnostic("forms.corrupt", file_span(display), {"format": "Word (.docx)", "reason": f"{type(e).__name__}: {e}"[:160]})]) from None
    props = document.core_properties
    info: dict = {}
    made = Stamp()
    keywords = (props.keywords or "").split()
    if keywords[:1] == [LAYOUT_VERSION] and len(keywords) >= 2:
        made.layout, made.ruleset_digest, made.ruleset_title = LAYOUT_VERSION, keywords[1], props.subject or ""
        try:
            info = json.loads(props.comments or "{}")
        except ValueError:
            info = {}
        if not isinstance(info, dict):
            info = {}
        made.ruleset_ref, made.ruleset_id = str(info.get("ref") or ""), str(info.get("id") or "")
    form = DocxForm(path, display, document, made, "sha256:" + hashlib.sha256(data).hexdigest())
    form.info = info
    return form


def laid_out(form: DocxForm, rows: list[tuple]) -> DocxForm:
    """The form with its layout (the stamp rows of the ruleset's template laid
    out for Word); a document made by jixiao keeps what it says it was made for."""
    stamp = parse_stamp(rows, form.display)
    made = form.stamp
    if made.layout:
        stamp.ruleset_digest, stamp.ruleset_id, stamp.ruleset_title, stamp.ruleset_ref = made.ruleset_digest, made.ruleset_id, made.ruleset_title, made.ruleset_ref
    form.stamp = stamp
    return form


def is_docx(path: str) -> bool:
    return path.lower().endswith(DOCX_SUFFIXES)
