"""The report as one self-contained HTML page.

No script, no external font, stylesheet or image: inline CSS and an inline SVG
chart (points obtained against points available per 一级 indicator), so the
file opens offline, on a phone (the layout narrows and wide tables scroll
sideways) and prints on A4 (`@media print`). Findings are highlighted: warnings
in amber, notes in grey; an unexplained deviation like a warning.
"""
from __future__ import annotations

from decimal import Decimal
from html import escape

from engine.render.document import Chart, Document, Grid, Heading, PageBreak, Paragraph
from engine.evaluation.result import Result
from engine.render.forms import report_text
from engine.render.report import build
from engine.render.report import summary_document

CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #c8ced6; --accent: #8a1c1c; --bar: #b8412c; --avail: #e7d9d2; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.75;
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "SimSun", sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
.cover { text-align: center; padding: 1.5rem 0 1rem; border-bottom: 2px solid var(--accent); }
.cover p { margin: .2rem 0; }
.cover .big { font-size: 1.5rem; font-weight: 700; }
.headline { display: flex; flex-wrap: wrap; gap: 1rem; justify-content: center; margin: 1.5rem 0; }
.headline div { border: 1px solid var(--line); border-radius: .5rem; padding: .5rem 1.5rem; text-align: center; min-width: 9rem; }
.headline .label { display: block; color: var(--muted); font-size: .9rem; }
.headline .value { display: block; font-size: 2.2rem; font-weight: 700; color: var(--accent); }
h2 { font-size: 1.3rem; margin: 2rem 0 .5rem; border-left: 5px solid var(--accent); padding-left: .5rem; }
h3 { font-size: 1.1rem; margin: 1.5rem 0 .4rem; }
h4 { font-size: 1rem; margin: 1rem 0 .3rem; }
p { margin: .4rem 0; }
p.indent { text-indent: 2em; }
p.right { text-align: right; }
.finding { border-left: 4px solid; border-radius: .25rem; padding: .35rem .6rem; text-indent: 0; }
.finding.warning { background: #fff4d6; border-color: #d29922; font-weight: 600; }
.finding.info { background: #f3f4f6; border-color: #9aa4af; color: var(--muted); }
figure { margin: 1rem 0; }
figcaption { color: var(--muted); font-size: .9rem; margin-bottom: .3rem; }
svg.chart { width: 100%; height: auto; max-width: 30rem; display: block; }
svg.chart text { font-size: 13px; fill: var(--ink); }
svg.chart .available { fill: var(--avail); }
svg.chart .obtained { fill: var(--bar); }
.legend { font-size: .85rem; color: var(--muted); }
.legend i { display: inline-block; width: .8rem; height: .8rem; margin: 0 .25rem -.1rem .6rem; }
.table-wrap { overflow-x: auto; margin: .5rem 0 1rem; -webkit-overflow-scrolling: touch; }
.table-title { font-weight: 700; text-align: center; margin-top: 1rem; }
.table-note { text-align: right; color: var(--muted); font-size: .85rem; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; }
th, td { border: 1px solid var(--line); padding: .25rem .4rem; vertical-align: middle; }
th { background: #f6f1ee; font-weight: 700; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.center, th.center { text-align: center; }
footer { margin-top: 2rem; color: var(--muted); font-size: .75rem; border-top: 1px solid var(--line); padding-top: .5rem; word-break: break-all; }
@media (max-width: 600px) {
  main { padding: 1rem .6rem 2rem; }
  .cover .big { font-size: 1.2rem; }
  table { font-size: .78rem; }
}
@media print {
  @page { size: A4; margin: 15mm; }
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  .table-wrap { overflow: visible; }
  tr, .finding, figure { break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; }
  .page-break { break-before: page; }
  .finding, th, svg.chart .obtained, svg.chart .available { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

_ALIGN = {"right": "num", "center": "center", "left": ""}


def _attr(name: str, value: str) -> str:
    return f' {name}="{escape(value, quote=True)}"'


def grid_html(grid: Grid) -> str:
    out = [f'<p class="table-title">{escape(grid.title)}</p>']
    if grid.note:
        out.append(f'<p class="table-note">{escape(grid.note)}</p>')
    out.append('<div class="table-wrap"><table>')
    for row in grid.rows():
        out.append("<tr>")
        for c in row:
            tag = "th" if c.header else "td"
            attrs = ""
            if c.rowspan > 1:
                attrs += f' rowspan="{c.rowspan}"'
            if c.colspan > 1:
                attrs += f' colspan="{c.colspan}"'
            if _ALIGN[c.align]:
                attrs += _attr("class", _ALIGN[c.align])
            out.append(f"<{tag}{attrs}>{escape(c.text)}</{tag}>")
        out.append("</tr>")
    out.append("</table></div>")
    return "".join(out)


def chart_svg(chart: Chart) -> str:
    """Horizontal bars, one pair per 一级 indicator: the pale bar is the points
    available (its weight), the dark bar the points obtained."""
    width, left, bar_h, row_h = 400, 0, 16, 48
    room = width - 10
    most = max((b.weight for b in chart.bars), default=Decimal(1)) or Decimal(1)
    height = row_h * len(chart.bars) + 6
    parts = [f'<svg class="chart" id="chart" role="img" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">', f"<title>{escape(chart.title)}</title>"]
    for i, b in enumerate(chart.bars):
        y = i * row_h
        avail = float(room * b.weight / most)
        got = float(room * b.score / most) if b.score > 0 else 0.0
        label = f"{b.name}　{b.score_text} / {b.weight_text}"
        parts.append(f'<g class="bar"{_attr("data-name", b.name)}{_attr("data-score", b.score_text)}{_attr("data-weight", b.weight_text)}>')
        parts.append(f'<text x="{left}" y="{y + 16}">{escape(label)}</text>')
        parts.append(f'<rect class="available" x="{left}" y="{y + 22}" width="{avail:.2f}" height="{bar_h}" rx="3"/>')
        parts.append(f'<rect class="obtained" x="{left}" y="{y + 22}" width="{got:.2f}" height="{bar_h}" rx="3"/>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def render_document(doc: Document, lang: str = "zh") -> str:

    head = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator"{_attr("content", doc.stamp.get("engine", ""))}>',
        f'<meta name="jixiao-ruleset-digest"{_attr("content", doc.stamp.get("ruleset_digest", ""))}>',
        f'<meta name="jixiao-input-digest"{_attr("content", doc.stamp.get("input_digest", ""))}>',
        f"<title>{escape(doc.title)}</title>",
        f"<style>{CSS}</style>",
        "</head><body><main>",
    ]
    body = ['<header class="cover">']
    body += [f'<p class="{"big" if i < 3 else ""}">{escape(line)}</p>' for i, line in enumerate(doc.cover or (doc.title,))]
    body.append("</header>")
    if doc.total_text:  # a report; a summary across projects has no single total
        body.append('<section class="headline">')
        body.append(f'<div><span class="label">{escape(report_text("report.total_heading"))}</span><span class="value" id="total">{escape(doc.total_text)}</span></div>')
        body.append(f'<div><span class="label">{escape(report_text("report.grade_heading"))}</span><span class="value" id="grade">{escape(doc.grade)}</span></div>')
        body.append("</section>")
    levels = {1: "h2", 2: "h3", 3: "h4"}
    page_break = False
    for block in doc.blocks:
        if isinstance(block, Heading):
            tag = levels.get(block.level, "h4")
            cls = ' class="page-break"' if page_break else ""
            page_break = False
            body.append(f"<{tag}{cls}>{escape(block.text)}</{tag}>")
        elif isinstance(block, Paragraph):
            classes = {"warning": "finding warning", "info": "finding info", "right": "right"}.get(block.tone, "indent" if block.indent else "")
            body.append(f'<p class="{classes}">{escape(block.text)}</p>')
        elif isinstance(block, Grid):
            body.append(grid_html(block))
        elif isinstance(block, Chart):
            legend = f'<span class="legend"><i style="background:#b8412c"></i>{escape(report_text("report.chart_legend_score"))}<i style="background:#e7d9d2"></i>{escape(report_text("report.chart_legend_weight"))}</span>'
            body.append(f"<figure><figcaption>{escape(block.title)} {legend}</figcaption>{chart_svg(block)}</figure>")
        elif isinstance(block, PageBreak):
            page_break = True
    body.append(f"<footer>{escape(doc.stamp_line)}</footer>")
    body.append("</main></body></html>")
    return "\n".join(head + body) + "\n"


def render(result: Result, lang: str = "zh") -> str:
    """The self-evaluation report as a self-contained HTML page (always Chinese)."""

    return render_document(build(result))


def render_summary(summary, lang: str = "zh") -> str:
    """项目支出自评情况汇总表 (an `engine.tools.project_summary.ProjectSummary`) as a self-contained HTML page."""

    return render_document(summary_document(summary))

