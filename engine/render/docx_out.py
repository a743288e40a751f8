"""The report as a Word document (.docx), like the seed report.

A cover page, the sections in order, the budget tables and the form
整体支出绩效自评表 as Word tables with merged cells (the form on a landscape
page), findings highlighted, and the stamp in the document properties and in
every page's footer. python-docx is imported only here, only when asked for.
"""
from __future__ import annotations

import io

from engine.render.reproducible import normalise_zip
from engine.render import MissingLibrary
from engine.render.document import Chart, Document, Grid, Heading, PageBreak, Paragraph
from engine.evaluation.result import Result
from engine.render.report import build
from engine.render.report import summary_document

BODY_FONT, HEADING_FONT = "宋体", "黑体"
HEADING_SIZES = {1: 16, 2: 14, 3: 12}


def _docx():
    try:
        import docx  # noqa: F401
    except ImportError as e:  # pragma: no cover - depends on the installation
        raise MissingLibrary("docx", "python-docx") from e
    return docx


def _font(target, name: str, size: float | None = None, bold: bool | None = None) -> None:
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

    _font(doc.styles["Normal"], BODY_FONT, 12)
    for level, size in HEADING_SIZES.items():
        style = doc.styles[f"Heading {level}"]
        _font(style, HEADING_FONT, size, True)
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
    _font(title.add_run(grid.title), HEADING_FONT, 12, True)
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
    aligns = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}
    for c in grid.cells:
        cell = table.cell(c.row, c.col)
        if c.rowspan > 1 or c.colspan > 1:
            cell = cell.merge(table.cell(c.row + c.rowspan - 1, c.col + c.colspan - 1))
        p = cell.paragraphs[0]
        p.alignment = aligns[c.align]
        run = p.add_run(c.text)
        _font(run, HEADING_FONT if c.header else BODY_FONT, 9, c.header)


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
        _font(p.add_run(line), HEADING_FONT, 22 if i < 3 else 16, i < 3)
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
    _font(footer.add_run(document.stamp_line), BODY_FONT, 7)
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


def render(result: Result, lang: str = "zh") -> bytes:
    """The self-evaluation report as .docx bytes (always Chinese)."""

    return render_document(build(result))


def render_summary(summary, lang: str = "zh") -> bytes:
    """项目支出自评情况汇总表 (an `engine.tools.project_summary.ProjectSummary`) as .docx bytes."""

    return render_document(summary_document(summary))
