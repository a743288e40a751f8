"""The forms as an Excel workbook (.xlsx), in the paper forms' layout.

Sheets: the form 整体支出绩效自评表 (merged header cells, 一级/二级 merged down
the rows, numbers stored as numbers with the formats 0.00 / #,##0.00 /
0.00%, a print area on A4 landscape fitted to the page width, header rows
repeated on each page), one sheet per data table, the findings, and a hidden
sheet 生成信息 holding the stamp. openpyxl is imported only here, only when
asked for.
"""
from __future__ import annotations

import io
import re

from engine.render.reproducible import normalise_zip
from engine.render import MissingLibrary
from engine.render.cells import text_cells
from engine.render.document import NUMBER_FORMATS, Grid
from engine.evaluation.result import Result
from engine.render.common import width
from engine.render.forms import report_text
from engine.render.json_out import stamp
from engine.render.forms import findings_grid, form_for, table_grid
from engine.render.report import report_title, stamp_line
from engine.render.forms import summary_grid
from engine.render.report import summary_stamp

FONT = "宋体"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _openpyxl():
    try:
        import openpyxl  # noqa: F401
    except ImportError as e:  # pragma: no cover - depends on the installation
        raise MissingLibrary("xlsx", "openpyxl") from e
    return openpyxl


def sheet_name(text: str, taken: set[str]) -> str:
    """A valid, unique worksheet name (≤ 31 characters, no []:*?/\\)."""
    base = _SHEET_FORBIDDEN.sub("_", text)[:31] or "Sheet"
    name, n = base, 2
    while name in taken:
        suffix = f"({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def row_heights(grid: Grid) -> dict[int, float]:
    """Row heights (points) that show wrapped text whole: spreadsheet programs
    do not grow rows for wrapped text on their own when a file is opened."""

    heights: dict[int, float] = {}
    for cell in grid.cells:
        if cell.rowspan > 1 or not cell.text:
            continue
        room = max(sum(grid.widths[cell.col : cell.col + cell.colspan]) - 1, 1)
        lines = -(-width(cell.text) // room)  # ceiling
        heights[cell.row] = max(heights.get(cell.row, 0), 14.0 * lines + 4)
    return {r: h for r, h in heights.items() if h > 18}


def write_grid(ws, grid: Grid, footer: str) -> None:
    """Lay `grid` out on worksheet `ws`: title row, note row, then the table."""
    # optional library (the xlsx/reports extra): imported only when a workbook is read or written
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    last = get_column_letter(grid.ncols)
    ws.merge_cells(f"A1:{last}1")
    title = ws["A1"]
    title.value = grid.title
    title.font = Font(name=FONT, size=16, bold=True)
    title.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    top = 2
    if grid.note:
        ws.merge_cells(f"A2:{last}2")
        ws["A2"].value = grid.note
        ws["A2"].alignment = Alignment(horizontal="right")
        ws["A2"].font = Font(name=FONT, size=10)
        top = 3
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body_font, head_font = Font(name=FONT, size=10), Font(name=FONT, size=10, bold=True)
    for r in range(grid.nrows):  # borders on every position, merged ones included
        for c in range(grid.ncols):
            ws.cell(row=top + r, column=c + 1).border = border
    for cell in grid.cells:
        target = ws.cell(row=top + cell.row, column=cell.col + 1)
        if cell.value is not None and cell.kind in NUMBER_FORMATS:
            target.value = cell.value
            target.number_format = NUMBER_FORMATS[cell.kind]
        else:
            target.value = cell.text or None
        target.font = head_font if cell.header else body_font
        target.alignment = Alignment(horizontal=cell.align, vertical="center", wrap_text=True)
        if cell.rowspan > 1 or cell.colspan > 1:
            ws.merge_cells(start_row=top + cell.row, start_column=cell.col + 1, end_row=top + cell.row + cell.rowspan - 1, end_column=cell.col + cell.colspan)
    for i, w in enumerate(grid.widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    for r, height in row_heights(grid).items():
        ws.row_dimensions[top + r].height = height
    end = top + grid.nrows - 1
    ws.print_area = f"A1:{last}{end}"
    ws.print_title_rows = f"1:{top + grid.header_rows - 1}"
    ws.freeze_panes = ws.cell(row=top + grid.header_rows, column=1)
    setup = ws.page_setup
    setup.paperSize = ws.PAPERSIZE_A4
    setup.orientation = "landscape" if grid.landscape else "portrait"
    setup.fitToWidth, setup.fitToHeight = 1, 0  # one page wide, as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.text = footer + " &P/&N"
    ws.oddFooter.center.size = 8


def workbook(grids: list[Grid], info: list[tuple[str, str]], props: dict[str, str]) -> bytes:
    """A workbook with one sheet per grid and the hidden sheet 生成信息 holding
    `info` (the stamp); `props` fill the workbook properties."""
    openpyxl = _openpyxl()

    wb = openpyxl.Workbook()
    taken: set[str] = set()
    engine = dict(info).get("engine", "jixiao")
    for i, grid in enumerate(grids):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = sheet_name(grid.sheet or grid.title, taken)
        write_grid(ws, grid, engine)
    hidden = wb.create_sheet(sheet_name(report_text("report.stamp_sheet"), taken))
    for row in info:
        hidden.append(row)
    hidden.sheet_state = "hidden"
    for ws in wb.worksheets:  # names, explanations, file names: text, never a formula
        text_cells(ws)
    wb.properties.creator = engine
    for key in ("title", "subject", "description", "keywords"):
        if key in props:
            setattr(wb.properties, key, props[key])
    out = io.BytesIO()
    wb.save(out)
    return normalise_zip(out.getvalue())


def stamp_rows(result: Result) -> list[tuple[str, str]]:
    """The stamp of one evaluation, as the hidden sheet lists it."""

    s = stamp(result)
    return [
        ("engine", s["engine"]), ("ruleset", result.plan.file), ("ruleset_digest", s["ruleset_digest"]),
        ("data", result.unit.file), ("input_digest", s["input_digest"]), ("total", str(result.total)), ("grade", result.grade),
    ]


def render(result: Result, lang: str = "zh") -> bytes:
    """The workbook of forms as .xlsx bytes (always Chinese): the form, the
    data tables, the findings."""
    _openpyxl()

    grids = [form_for(result)]
    grids += [table_grid(result, t) for t in result.plan.ruleset.tables if t in result.unit.tables]
    grids.append(findings_grid(result))
    props = {"title": report_title(result), "subject": result.plan.ruleset.title, "description": stamp_line(result), "keywords": " ".join(stamp(result).values())}
    return workbook(grids, stamp_rows(result), props)


def render_summary(summary, lang: str = "zh") -> bytes:
    """项目支出自评情况汇总表 (an `engine.tools.project_summary.ProjectSummary`) as .xlsx bytes; the
    hidden sheet lists every data file with its digest."""
    _openpyxl()

    grid = summary_grid(summary)
    s = summary_stamp(summary)
    info = [("engine", s["engine"]), ("ruleset_digest", s["ruleset_digest"])]
    info += [(r.file, r.digest) for r in summary.rows if not r.failed]
    return workbook([grid], info, {"title": grid.title, "description": s["engine"]})
