"""The report as a Word document (.docx), from a Word template.

The report is its template (engine/render/templates/department.docx, made by
`engine.render.docx_template`, or a bureau's own) filled by docxtpl with
`engine.render.report.context`; the budget tables and the form
整体支出绩效自评表 go in as Word tables with merged cells (`table_xml`). The
stamp is in the document properties (and, in review mode, in the footer).
`render_document` lays out a plain `Document` (the summary across projects).
python-docx and docxtpl are imported only here, only when asked for.
"""
from __future__ import annotations

import io
import os
import re

from markupsafe import Markup

from engine.render.reproducible import normalise_zip
from engine.render import MissingLibrary
from engine.render.document import Chart, Document, Grid, Heading, PageBreak, Paragraph
from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan
from engine.base.messages import Said, os_error
from engine.evaluation.result import Result
from engine.render import report, templating
from engine.render.forms import is_project
from engine.render.report import summary_document

BODY_FONT, HEADING_FONT = "宋体", "黑体"
HEADING_SIZES = {1: 16, 2: 14, 3: 12}


def _docx():
    try:
        import docx  # noqa: F401
    except ImportError as e:  # pragma: no cover - depends on the installation
        raise MissingLibrary("docx", "python-docx") from e
    return docx


def set_font(target, name: str, size: float | None = None, bold: bool | None = None) -> None:
    """Set a style's or run's font for Latin and East Asian text alike (a
    theme font would otherwise win over the name for CJK text)."""
    # optional library (the docx/reports extra): imported only for Word output
    from docx.oxml.ns import qn
    from docx.shared import Pt

    target.font.name = name
    if size is not None:
        target.font.size = Pt(size)
    if bold is not None:
        target.font.bold = bold
    rpr = target.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:eastAsia"), name)


def _setup(doc) -> None:
    # optional library (the docx/reports extra): imported only for Word output
    from docx.shared import Cm, RGBColor

    set_font(doc.styles["Normal"], BODY_FONT, 12)
    for level, size in HEADING_SIZES.items():
        style = doc.styles[f"Heading {level}"]
        set_font(style, HEADING_FONT, size, True)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.italic = False
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.6))
    section.top_margin = section.bottom_margin = Cm(2.5)


def _paragraph(doc, block: Paragraph) -> None:
    # optional library (the docx/reports extra): imported only for Word output
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
    from docx.shared import Pt

    p = doc.add_paragraph()
    run = p.add_run(block.text)
    if block.tone == "right":
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif block.indent:
        p.paragraph_format.first_line_indent = Pt(24)  # two characters, as Chinese documents indent
    if block.tone == "warning":
        run.font.bold = True
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _grid(doc, grid: Grid, text_width) -> None:
    # optional library (the docx/reports extra): imported only for Word output
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(title.add_run(grid.title), HEADING_FONT, 12, True)
    if grid.note:
        note = doc.add_paragraph()
        note.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        note.add_run(grid.note)
    table = doc.add_table(rows=grid.nrows, cols=grid.ncols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    total = sum(grid.widths)
    widths = [int(text_width * w / total) for w in grid.widths]
    table.autofit = False
    for i, column in enumerate(table.columns):  # the grid (LibreOffice) and each cell (Word)
        column.width = widths[i]
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            cell.width = widths[i]
    for r in range(grid.header_rows):  # repeat the header on every printed page
        trpr = table.rows[r]._tr.get_or_add_trPr()
        mark = OxmlElement("w:tblHeader")
        mark.set(qn("w:val"), "true")
        trpr.append(mark)
    _fill_cells(table, grid, 9, bold_headers=True)


def _landscape(doc):
    # optional library (the docx/reports extra): imported only for Word output
    from docx.enum.section import WD_SECTION

    return _turn(doc.add_section(WD_SECTION.NEW_PAGE))


def _turn(section):
    """Make `section` A4 landscape."""
    # optional library (the docx/reports extra): imported only for Word output
    from docx.enum.section import WD_ORIENT

    section.orientation = WD_ORIENT.LANDSCAPE
    width, height = section.page_width, section.page_height
    if width < height:
        section.page_width, section.page_height = height, width
    return section


def render_document(document: Document) -> bytes:
    docx = _docx()
    # optional library (the docx/reports extra): imported only for Word output
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Pt

    doc = docx.Document()
    _setup(doc)
    for i, line in enumerate(document.cover):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_before = Pt(96 if i == 0 else 18)
        set_font(p.add_run(line), HEADING_FONT, 22 if i < 3 else 16, i < 3)
    if document.cover:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    elif any(isinstance(b, Grid) and b.landscape for b in document.blocks):
        _turn(doc.sections[0])

    blocks = list(document.blocks)
    for i, block in enumerate(blocks):
        section = doc.sections[-1]
        text_width = section.page_width - section.left_margin - section.right_margin
        if isinstance(block, Heading):
            doc.add_heading(block.text, min(block.level, 3))
        elif isinstance(block, Paragraph):
            _paragraph(doc, block)
        elif isinstance(block, Grid):
            _grid(doc, block, text_width)
        elif isinstance(block, PageBreak):
            upcoming = blocks[i + 1 :]
            stop = next((j for j, b in enumerate(upcoming) if isinstance(b, PageBreak)), len(upcoming))
            if any(isinstance(b, Grid) and b.landscape for b in upcoming[:stop]):
                _landscape(doc)  # starts a new page too
            else:
                doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif isinstance(block, Chart):
            continue  # the figures are in the sentence above; the chart is drawn in HTML
    footer = doc.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(footer.add_run(document.stamp_line), BODY_FONT, 7)
    props = doc.core_properties
    given = document.properties
    limit = 255  # what Word's core properties hold
    props.title = given.get("title", document.title)[:limit]
    props.subject = given.get("subject", "")[:limit]
    props.author = given.get("author", "")[:limit]
    props.comments = given.get("comments", "")[:limit]
    props.keywords = given.get("keywords", "")[:limit]
    props.category = "jixiao"
    out = io.BytesIO()
    doc.save(out)
    return normalise_zip(out.getvalue())


TABLE_FONT = {False: 10.5, True: 9}  # 五号 for the budget tables, 小五 for the form (one page)
TEXT_WIDTH_MM = {False: 156, True: 257}  # the default template's type area: portrait, landscape


def table_xml(grid: Grid) -> str:
    """A grid as WordprocessingML for a template's `{{p … | table }}`: the
    caption and the unit note (both kept with the table), then the table —
    header rows repeated on every page, rows never split, and every row but
    the last kept with the next, so a table that fits a page is not broken
    and never leaves its caption behind."""
    docx = _docx()
    # optional library (the docx/reports extra): imported only for Word output
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt
    from lxml import etree

    doc = docx.Document()
    body = doc.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    size = TABLE_FONT[grid.landscape]

    def tight(p, keep: bool) -> None:
        pf = p.paragraph_format
        pf.first_line_indent = Pt(0)
        pf.line_spacing, pf.space_before, pf.space_after = 1.0, Pt(0), Pt(0)
        pf.keep_with_next = keep or None  # None: no element at all (not keepNext val=0)

    caption = doc.add_paragraph()
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    tight(caption, True)
    caption.paragraph_format.space_before = Pt(6)
    set_font(caption.add_run(grid.title), HEADING_FONT, 14 if not grid.landscape else 16)
    if grid.note:
        note = doc.add_paragraph()
        note.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        tight(note, True)
        set_font(note.add_run(grid.note), BODY_FONT, 12)
    table = doc.add_table(rows=grid.nrows, cols=grid.ncols)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        for k, v in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "000000")):
            el.set(qn(k), v)
        borders.append(el)
    tblpr.append(borders)
    total = sum(grid.widths)
    width = Mm(TEXT_WIDTH_MM[grid.landscape])
    widths = [int(width * w / total) for w in grid.widths]
    for i, column in enumerate(table.columns):
        column.width = widths[i]
    last = grid.nrows - 1
    for r, row in enumerate(table.rows):
        trpr = row._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:cantSplit"))
        if r < grid.header_rows:
            mark = OxmlElement("w:tblHeader")
            mark.set(qn("w:val"), "true")
            trpr.append(mark)
        for i, cell in enumerate(row.cells):
            cell.width = widths[i]
    _fill_cells(table, grid, size, bold_headers=False)
    # optional library (the docx/reports extra): imported only for Word output
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

    # optional library (the docx/reports extra): imported only for Word output
    from docx.table import _Cell
    from docx.text.paragraph import Paragraph as DocxParagraph

    # A merged cell's continuations take its first place's alignment; walking
    # `row.cells` would climb every continuation to that place (quadratic).
    for tc in table._tbl.iter_tcs():
        if tc.vMerge != "continue":
            _Cell(tc, table).vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for r, tr in enumerate(table._tbl.tr_lst):  # every cell of the row, merged continuations included
        for p in tr.iter(qn("w:p")):
            tight(DocxParagraph(p, None), r < last)
    return "".join(etree.tostring(el, encoding="unicode") for el in body if not el.tag.endswith("}sectPr"))


def render(result: Result, lang: str = "zh", mode: str = "submission", template: str | None = None) -> bytes:
    """The self-evaluation report as .docx bytes (always Chinese), from its
    Word template (engine/render/templates/department.docx or project.docx,
    unless the ruleset or `template` names another). Submission (the
    default): no findings, no stamp on the pages — the stamp is in the
    document properties; review: the findings with their locations and the
    stamp in the footer."""
    _docx()
    try:
        # optional library (the docx/reports extra): imported only for Word output
        from docxtpl import DocxTemplate
    except ImportError as e:  # pragma: no cover - depends on the installation
        raise MissingLibrary("docx", "docxtpl") from e
    path, default = templating.choose("docx", result.plan, template, project=is_project(result))
    shown = os.path.basename(path) if default else path
    try:
        tpl = DocxTemplate(path)
        tpl.init_docx()
    except Exception as e:  # noqa: BLE001 - whatever a damaged file raises, it is the template's problem
        reason = os_error(e) if isinstance(e, OSError) else Said("report.template_not_docx")
        raise DiagnosticError([Diagnostic("report.template_unreadable", SourceSpan(shown, 1, 1), {"reason": reason})]) from None
    env = templating.environment(table=lambda g: Markup(table_xml(g)))
    env.autoescape = True
    ctx = report.context(result, mode)
    for key in ("findings", "differences"):  # warnings highlighted, as a reviewer marks them
        ctx[key] = [{**item, "rich": _rich(item["text"], item["warning"])} for item in ctx[key]]
    try:
        tpl.render(ctx, env)
    except Exception as e:  # noqa: BLE001 - Jinja's errors and what a field's filter raised
        raise DiagnosticError([_located(tpl, e, shown)]) from None
    props = tpl.docx.core_properties
    limit = 255  # what Word's core properties hold
    for key, value in report.properties(result).items():
        setattr(props, key, value[:limit])
    props.category = "jixiao"
    out = io.BytesIO()
    tpl.save(out)
    return normalise_zip(out.getvalue())


def _rich(text: str, warning: bool):
    """A finding as a run: bold on yellow when it is a warning."""
    # optional library (the docx/reports extra): imported only for Word output
    from docxtpl import RichText

    return RichText(text, bold=True, highlight="yellow") if warning else RichText(text)


def _located(tpl, error: Exception, shown: str) -> Diagnostic:
    """A template error at the paragraph it is in: docxtpl puts every
    paragraph of the (preprocessed) body on a line of its own, so Jinja's line
    names the paragraph; we find that paragraph's text among the template's
    paragraphs and report its number (1-based, table cells included)."""
    reason = getattr(error, "message", None) or str(error) or type(error).__name__
    line = getattr(error, "lineno", None) or templating.template_line(error)
    text = ""
    if line:
        try:
            lines = re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(tpl.get_xml())).splitlines()
            text = re.sub(r"<[^>]+>", "", lines[line - 1]).strip() if 0 < line <= len(lines) else ""
        except Exception:  # noqa: BLE001 - locating is best effort; the reason is still reported
            text = ""
    number = 1
    if text:
        paragraphs = ["".join(t.text or "" for t in p.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t")) for p in tpl.docx.element.body.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p")]
        probe = text[:40]
        number = next((i for i, p in enumerate(paragraphs, start=1) if probe and (probe in p or p and p in text)), 1)
        return Diagnostic("report.template_error_at", SourceSpan(shown, number, 1), {"n": number, "text": text[:40], "reason": reason})
    return Diagnostic("report.template_error", SourceSpan(shown, number, 1), {"reason": reason})


def render_summary(summary, lang: str = "zh") -> bytes:
    """项目支出自评情况汇总表 (an `engine.tools.project_summary.ProjectSummary`) as .docx bytes."""

    return render_document(summary_document(summary))


def _fill_cells(table, grid: Grid, size: float, bold_headers: bool) -> None:
    """Write a grid's cells into a Word table: merged as the grid spans them,
    aligned, in the heading font for header cells and the body font for the rest."""
    # optional library (the docx/reports extra): imported only for Word output
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    aligns = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}
    trs = table._tbl.tr_lst  # merging joins cells but never adds or removes a row
    for c in grid.cells:
        cell = _cell_at(table, trs, c.row, c.col)
        if c.rowspan > 1 or c.colspan > 1:
            cell = cell.merge(_cell_at(table, trs, c.row + c.rowspan - 1, c.col + c.colspan - 1))
        p = cell.paragraphs[0]
        p.alignment = aligns[c.align]
        set_font(p.add_run(c.text), HEADING_FONT if c.header else BODY_FONT, size, bold_headers and c.header)


def _cell_at(table, trs, row: int, col: int):
    """`table.cell(row, col)`, looked up at that one place: the cell covering
    grid column `col` of `trs[row]` or, in a vertical merge's continuation,
    the cell it continues. python-docx's `table.cell` rebuilds the grid of
    the whole table on each call, and `row.cells` follows every continuation
    in the row up to its first row: either made a 500-row form take minutes."""
    # optional library (the docx/reports extra): imported only for Word output
    from docx.table import _Cell

    while True:
        end = 0
        for tc in trs[row].tc_lst:
            end += tc.grid_span
            if end > col:
                break
        else:
            raise IndexError(f"no cell at row {row}, column {col}")
        if tc.vMerge != "continue" or row == 0:
            return _Cell(tc, table)
        row -= 1
