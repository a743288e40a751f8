"""The default Word templates of the report, generated reproducibly.

`python -m engine.render.docx_template` writes engine/render/templates/
department.docx (the seed's structure) and project.docx; a test checks the
committed files are exactly what this script makes. A bureau copies one,
edits it in Word or WPS (fonts, headings, order, wording) and names it in its
ruleset (`report: {template: 模板.docx}`) or with `--template`.

Layout after GB/T 9704 (党政机关公文格式): A4, margins 37/35/28/26 mm, body
仿宋_GB2312 三号 (16 pt) at a fixed 28.95 pt line pitch (22 lines of 28
characters), first-line indent of two characters; headings 一、 黑体, （一）
楷体_GB2312, 1、 仿宋_GB2312 bold; page numbers "— 1 —" in 宋体 四号 at the
foot, none on the cover; the form 整体支出绩效自评表 on a landscape page.

Fields are Jinja (docxtpl): `{{ field }}` in a run, `{%p for … %}` /
`{%p if … %}` on a paragraph of their own, `{{p t.grid | table }}` for a
table (the paragraph is replaced by the caption and the table), `{{r f.rich }}`
for a finding (a run highlighted when it is a warning). The fields are
those of `engine.render.report.context`.
"""
from __future__ import annotations

import io
import os
import sys

from engine.render.docx_out import set_font
from engine.render.reproducible import normalise_zip

BODY, HEI, KAI, SONG = "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
SIZE = 16  # 三号
LINE = 28.95  # points: 22 lines on the 225 mm type area
PORTRAIT = {"top": 37, "bottom": 35, "left": 28, "right": 26}  # mm
LANDSCAPE = {"top": 20, "bottom": 18, "left": 20, "right": 20}

# (style, text) in order; style: title | cover | h1 | h2 | h3 | body | right | tag | table | break | landscape
Part = tuple[str, str]


def _loop(name: str, each: str = "p") -> list[Part]:
    return [("tag", f"{{%p for {each} in {name} %}}"), ("body", f"{{{{ {each} }}}}"), ("tag", "{%p endfor %}")]


def _tables() -> list[Part]:
    return [
        ("tag", "{%p for t in tables %}"), ("tag", "{%p for p in t.intro %}"), ("body", "{{ p }}"), ("tag", "{%p endfor %}"),
        ("table", "{{p t.grid | table }}"), ("tag", "{%p endfor %}"),
    ]


def _common_tail() -> list[Part]:
    """三（一）（二）and what follows, shared by both templates."""
    return [
        ("h1", "三、绩效评价情况"),
        ("h2", "（一）绩效目标完成情况"),
        ("tag", "{%p for g in groups %}"), ("h3", "{{ g.heading }}"), *_loop("g.paragraphs"), ("tag", "{%p endfor %}"),
        ("h2", "（二）未完成指标及超指标值{{ exceed_ratio }}完成的原因分析"),
        ("tag", "{%p for d in deviations %}"), ("h3", "{{ d.heading }}"), *_loop("d.paragraphs"), ("tag", "{%p else %}"),
        ("body", "{{ no_deviations }}"), ("tag", "{%p endfor %}"),
        ("tag", "{%p if n.数据来源及获取方式.shown %}"), ("h2", "（三）绩效指标数据来源及获取方式"), *_loop("n.数据来源及获取方式"), ("tag", "{%p endif %}"),
        ("tag", "{%p if n.存在的问题.shown %}"), ("h2", "（四）存在的问题"), *_loop("n.存在的问题"), ("tag", "{%p endif %}"),
        ("tag", "{%p if n.改进措施.shown or n.指标体系建议.shown %}"), ("h1", "四、下一步工作安排"),
        ("tag", "{%p if n.改进措施.shown %}"), ("h2", "（一）改进下一步工作的措施"), *_loop("n.改进措施"), ("tag", "{%p endif %}"),
        ("tag", "{%p if n.指标体系建议.shown %}"), ("h2", "（二）指标体系改进建议"), *_loop("n.指标体系建议"), ("tag", "{%p endif %}"),
        ("tag", "{%p endif %}"),
        ("tag", "{%p for line in attachments %}"), ("plain", "{{ line }}"), ("tag", "{%p endfor %}"),
        ("right", "{{ signature }}"), ("right", "{{ date }}"),
        ("tag", "{%p if review %}"), ("break", ""),
        ("h1", "审核用：数据核对发现的问题（不随报告报送）"), ("body", "{{ findings_intro }}"),
        ("tag", "{%p for f in findings %}"), ("body", "{{r f.rich }}"), ("tag", "{%p endfor %}"),
        ("tag", "{%p for d in differences %}"), ("body", "{{r d.rich }}"), ("tag", "{%p endfor %}"),
        ("tag", "{%p endif %}"),
        ("landscape", ""),
        ("h1", "{{ form_heading }}"), ("table", "{{p form | table }}"),
    ]


def _cover() -> list[Part]:
    return [
        ("cover", "{{ cover[0] }}"), ("cover", "{{ cover[1] }}"), ("cover", "{{ cover[2] }}"),
        ("subcover", "{% if authority %}主管部门：{{ authority }}{% endif %}"), ("subcover", "{{ cover_date }}"), ("break", ""),
    ]


DEPARTMENT: list[Part] = [
    *_cover(),
    ("h1", "一、绩效得分情况"), ("body", "{{ score_sentence }}"),
    ("h1", "二、部门支出情况"),
    ("h2", "（一）部门职能"), *_loop("n.部门职能"), *_loop("n.机构设置与人员"),
    ("h2", "（二）工作重点"), *_loop("n.年度工作重点"),
    ("h2", "（三）部门支出情况（包含本级及二级预算单位）"),
    ("tag", "{%p if not n.支出情况说明.declared %}"), ("body", "{{ spending_sentence }}"), ("tag", "{%p endif %}"),
    *_tables(), *_loop("n.表注"),
    *_common_tail(),
]

PROJECT: list[Part] = [
    *_cover(),
    ("h1", "一、绩效得分情况"), ("body", "{{ score_sentence }}"),
    ("h1", "二、项目资金情况"),
    ("tag", "{%p if spending_sentence %}"), ("body", "{{ spending_sentence }}"), ("tag", "{%p endif %}"),
    *_tables(),
    *_common_tail(),
]


def _margins(section, mm: dict) -> None:
    # optional library (the docx/reports extra): imported only for Word output
    from docx.shared import Mm

    section.top_margin, section.bottom_margin = Mm(mm["top"]), Mm(mm["bottom"])
    section.left_margin, section.right_margin = Mm(mm["left"]), Mm(mm["right"])


def _page_number(paragraph) -> None:
    """`— 1 —`: a PAGE field between em dashes."""
    # optional library (the docx/reports extra): imported only for Word output
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    set_font(paragraph.add_run("— "), SONG, 14)
    run = paragraph.add_run()
    set_font(run, SONG, 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)
    set_font(paragraph.add_run(" —"), SONG, 14)


def _styles(doc) -> None:
    # optional library (the docx/reports extra): imported only for Word output
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt, RGBColor

    normal = doc.styles["Normal"]
    set_font(normal, BODY, SIZE)
    pf = normal.paragraph_format
    pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(LINE)
    pf.space_before = pf.space_after = Pt(0)
    pf.first_line_indent = Pt(SIZE * 2)
    pf.widow_control = True
    for level, font, bold in ((1, HEI, False), (2, KAI, False), (3, BODY, True)):
        style = doc.styles[f"Heading {level}"]
        set_font(style, font, SIZE, bold)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.italic = False
        hf = style.paragraph_format
        hf.line_spacing_rule, hf.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(LINE)
        hf.space_before = hf.space_after = Pt(0)
        hf.first_line_indent = Pt(SIZE * 2)
        hf.keep_with_next = True
    title = doc.styles["Title"]
    set_font(title, "方正小标宋简体", 22, False)
    title.font.color.rgb = RGBColor(0, 0, 0)


def build(parts: list[Part]) -> bytes:
    """A template document from `parts`."""
    # optional library (the docx/reports extra): imported only for Word output
    import docx
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Mm, Pt

    doc = docx.Document()
    _styles(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    _margins(section, PORTRAIT)
    section.footer_distance = Mm(20)
    section.different_first_page_header_footer = True  # no number on the cover
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.paragraph_format.first_line_indent = Pt(0)
    _page_number(footer)
    section.footer.add_paragraph("{%p if review %}")
    stamp = section.footer.add_paragraph()
    stamp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    stamp.paragraph_format.first_line_indent = Pt(0)
    stamp.paragraph_format.line_spacing = 1.0
    set_font(stamp.add_run("{{ stamp_line }}"), SONG, 7)
    section.footer.add_paragraph("{%p endif %}")
    # optional library (the docx/reports extra): imported only for Word output
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    numbering = OxmlElement("w:pgNumType")  # the cover is page 0: the text starts at "— 1 —"
    numbering.set(qn("w:start"), "0")
    section._sectPr.append(numbering)

    first_cover = True
    for style, text in parts:
        if style == "break":
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            continue
        if style == "landscape":
            new = doc.add_section(WD_SECTION.NEW_PAGE)
            new.orientation = WD_ORIENT.LANDSCAPE
            new.page_width, new.page_height = Mm(297), Mm(210)
            _margins(new, LANDSCAPE)
            new.footer_distance = Mm(8)
            new.different_first_page_header_footer = False  # numbered like the pages before
            for restart in new._sectPr.findall(qn("w:pgNumType")):  # numbers go on, not from 0 again
                new._sectPr.remove(restart)
            continue
        if style.startswith("h"):
            p = doc.add_paragraph(text, style=f"Heading {style[1]}")
            continue
        p = doc.add_paragraph()
        run = p.add_run(text)
        pf = p.paragraph_format
        if style in ("cover", "subcover"):
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            pf.first_line_indent = Pt(0)
            pf.line_spacing = None
            if style == "cover":
                pf.space_before = Pt(120 if first_cover else 12)
                first_cover = False
                set_font(run, "方正小标宋简体", 26, True)
            else:
                pf.space_before = Pt(60 if "authority" in text else 12)
                set_font(run, KAI, SIZE)
        elif style == "right":
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            pf.first_line_indent = Pt(0)
        elif style == "plain":
            pf.first_line_indent = Pt(0)
        elif style in ("tag", "table"):
            pf.first_line_indent = Pt(0)
    props = doc.core_properties
    props.title, props.author, props.comments = "绩效自评报告模板", "jixiao", "jixiao 报告模板：字段见 engine/render/report.py 的 context()"
    props.revision = 1
    out = io.BytesIO()
    doc.save(out)
    return normalise_zip(out.getvalue())


TEMPLATES = {"department.docx": DEPARTMENT, "project.docx": PROJECT}


def main(argv: list[str] | None = None) -> int:
    folder = (argv or sys.argv[1:] or [os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")])[0]
    # cold start: a command imports only what it uses
    from engine.base.fileio import write_atomic

    for name, parts in TEMPLATES.items():
        write_atomic(os.path.join(folder, name), build(parts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
