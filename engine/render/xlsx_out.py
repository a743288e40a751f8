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
import zipfile

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


def write_grid(ws, grid: Grid, footer: str, cached: dict | None = None) -> None:
    """Lay `grid` out on worksheet `ws`: title row, note row, then the table.

    A cell with a `formula` becomes a live formula over the cells of the
    grid it names (总分 = SUM of the indicators' scores, …); its number is
    recorded in `cached` (sheet → cell → value) so the saved file can carry it
    as the formula's cached value for viewers that do not recalculate."""
    # optional library (the xlsx/reports extra): imported only for Excel output
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
    refs = _role_refs(grid, top)
    for cell in grid.cells:
        target = ws.cell(row=top + cell.row, column=cell.col + 1)
        formula = _formula(cell, refs) if cell.formula else None
        if formula and cell.value is not None and cached is not None:
            target.value = formula
            target.number_format = NUMBER_FORMATS.get(cell.kind, "General")
            cached.setdefault(ws.title, {})[target.coordinate] = cell.value
        elif cell.value is not None and cell.kind in NUMBER_FORMATS:
            target.value = cell.value
            target.number_format = NUMBER_FORMATS[cell.kind]
        else:
            target.value = cell.text or None
        target.font = head_font if cell.header else body_font
        target.alignment = Alignment(horizontal=cell.align, vertical="center", wrap_text=True)
        if cell.rowspan > 1 or cell.colspan > 1:
            ws.merge_cells(start_row=top + cell.row, start_column=cell.col + 1, end_row=top + cell.row + cell.rowspan - 1, end_column=cell.col + cell.colspan)
    widths = list(grid.widths)
    for cell in grid.cells:  # a heading fits its column: no ")" left alone on a line
        if cell.header and cell.colspan == 1 and cell.row < grid.header_rows + 3:
            widths[cell.col] = max(widths[cell.col], width(cell.text) + 2)
    for i, w in enumerate(widths, start=1):
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


def _role_refs(grid: Grid, top: int) -> dict[str, list[tuple[int, int]]]:
    """role → (sheet row, column) of the cells holding a number of that role."""
    out: dict[str, list[tuple[int, int]]] = {}
    for cell in grid.cells:
        if cell.role and cell.value is not None and not cell.formula:
            out.setdefault(cell.role, []).append((top + cell.row, cell.col + 1))
    return out


def _ranges(positions: list[tuple[int, int]]) -> str:
    """`G5:G21,G23`: the cells as ranges of consecutive rows per column."""
    # optional library (the xlsx/reports extra): imported only for Excel output
    from openpyxl.utils import get_column_letter

    parts: list[str] = []
    for col in sorted({c for _, c in positions}):
        rows = sorted(r for r, c in positions if c == col)
        start = prev = rows[0]
        for r in rows[1:] + [None]:
            if r is not None and r == prev + 1:
                prev = r
                continue
            letter = get_column_letter(col)
            parts.append(f"{letter}{start}" if start == prev else f"{letter}{start}:{letter}{prev}")
            if r is not None:
                start = prev = r
    return ",".join(parts)


def _span(positions: list[tuple[int, int]]) -> str:
    """One range over the rows of `positions` (for SUMPRODUCT, which needs aligned ranges)."""
    # optional library (the xlsx/reports extra): imported only for Excel output
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(positions[0][1])
    return f"{letter}{min(r for r, _ in positions)}:{letter}{max(r for r, _ in positions)}"


def _formula(cell, refs: dict[str, list[tuple[int, int]]]) -> str | None:
    """The spreadsheet formula of a cell's `formula` (None when the grid has no
    cells it could read)."""
    kind, _, arg = cell.formula.partition(":")
    if kind == "sum" and refs.get(arg):
        return f"=SUM({_ranges(refs[arg])})"
    if kind == "rate":
        a, b = arg.split("/")
        if refs.get(a) and refs.get(b):
            return f"=IF(SUM({_ranges(refs[b])})=0,\"\",ROUND(SUM({_ranges(refs[a])})/SUM({_ranges(refs[b])}),4))"
    if kind == "weighted":
        a, b = arg.split("/")
        if refs.get(a) and refs.get(b):
            rows_a, rows_b = sorted(r for r, _ in refs[a]), sorted(r for r, _ in refs[b])
            if rows_a == rows_b:
                return f"=IF(SUM({_ranges(refs[b])})=0,\"\",ROUND(SUMPRODUCT({_span(refs[a])},{_span(refs[b])})/SUM({_ranges(refs[b])}),2))"
    return None


_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*)><f>([^<]*)</f><v\s*/>|<c r="([A-Z]+[0-9]+)"([^>]*)><f>([^<]*)</f><v></v>')


def with_cached_values(data: bytes, cached: dict[str, dict[str, object]], sheet_files: dict[str, str]) -> bytes:
    """The saved workbook with each formula's cached value (`<v>`) filled in.

    openpyxl writes formulas without results; Excel and LibreOffice compute
    them on opening, but previewers, phones and most libraries show only the
    cached value — so we write the value we computed (exact, from the Decimal
    result) where openpyxl left it empty."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            values = cached.get(sheet_files.get(info.filename, ""), {})
            if values:
                def fill(match, values=values):
                    ref = (match.group(1) or match.group(4)).decode()
                    attrs, formula = (match.group(2), match.group(3)) if match.group(1) else (match.group(5), match.group(6))
                    if ref not in values:
                        return match.group(0)
                    return b'<c r="%s"%s><f>%s</f><v>%s</v>' % (ref.encode(), attrs, formula, format(values[ref], "f").encode())
                content = _FORMULA_CELL.sub(fill, content)
            dst.writestr(info, content)
    return out.getvalue()


def workbook(grids: list[Grid], info: list[tuple[str, str]], props: dict[str, str]) -> bytes:
    """A workbook with one sheet per grid and the hidden sheet 生成信息 holding
    `info` (the stamp); `props` fill the workbook properties."""
    openpyxl = _openpyxl()

    wb = openpyxl.Workbook()
    taken: set[str] = set()
    engine = dict(info).get("engine", "jixiao")
    cached: dict[str, dict] = {}
    for i, grid in enumerate(grids):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = sheet_name(grid.sheet or grid.title, taken)
        write_grid(ws, grid, engine, cached)
    hidden = wb.create_sheet(sheet_name(report_text("report.stamp_sheet"), taken))
    for row in info:
        hidden.append(row)
    hidden.sheet_state = "hidden"
    for ws in wb.worksheets:  # names, explanations, file names: text, never a formula (ours kept)
        text_cells(ws, keep=cached.get(ws.title, {}))
    wb.properties.creator = engine
    for key in ("title", "subject", "description", "keywords"):
        if key in props:
            setattr(wb.properties, key, props[key])
    out = io.BytesIO()
    wb.save(out)
    # openpyxl names sheet parts by position: xl/worksheets/sheet1.xml for the first sheet, …
    files = {f"xl/worksheets/sheet{i}.xml": ws.title for i, ws in enumerate(wb.worksheets, start=1)}
    return normalise_zip(with_cached_values(out.getvalue(), cached, files))


def stamp_rows(result: Result) -> list[tuple[str, str]]:
    """The stamp of one evaluation, as the hidden sheet lists it."""

    s = stamp(result)
    return [
        ("engine", s["engine"]), ("ruleset", result.plan.file), ("ruleset_digest", s["ruleset_digest"]),
        ("data", result.unit.file), ("input_digest", s["input_digest"]), ("total", str(result.total)), ("grade", result.grade),
    ]


def render(result: Result, lang: str = "zh", mode: str = "submission") -> bytes:
    """The workbook of forms as .xlsx bytes (always Chinese): the form, the
    data tables, and in review mode the findings."""
    _openpyxl()

    grids = [form_for(result)]
    grids += [table_grid(result, t) for t in result.plan.ruleset.tables if t in result.unit.tables]
    if mode == "review":
        grids.append(findings_grid(result))
    props = {"title": report_title(result), "subject": result.plan.ruleset.title, "description": stamp_line(result), "keywords": " ".join(stamp(result).values())}
    return workbook(grids, stamp_rows(result), props)


def render_summary(summary, lang: str = "zh", **_options) -> bytes:
    """项目支出自评情况汇总表 (an `engine.tools.project_summary.ProjectSummary`) as .xlsx bytes; the
    hidden sheet lists every data file with its digest."""
    _openpyxl()

    grid = summary_grid(summary)
    s = summary_stamp(summary)
    info = [("engine", s["engine"]), ("ruleset_digest", s["ruleset_digest"])]
    info += [(r.file, r.digest) for r in summary.rows if not r.failed]
    return workbook([grid], info, {"title": grid.title, "description": s["engine"]})
