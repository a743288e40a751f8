"""The report in Markdown (for review, diffs and wikis).

Markdown tables cannot merge cells: a merged cell's text stands in its first
position and the positions it covers are left blank, as on a form whose merged
cells were split."""
from __future__ import annotations

import re

from engine.render.document import Chart, Document, Grid, Heading, PageBreak, Paragraph
from engine.evaluation.result import Result
from engine.render.report import build
from engine.render.report import summary_document


# Characters that are Markdown syntax anywhere in a line (emphasis, code, links,
# images, tables, escapes); `<`, `>` and `&` become HTML entities, so no tag
# (`<script>`, `<img onerror=…>`) and no autolink survives.
_MARKDOWN = re.compile(r"([\\`*_\[\]|~])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# Syntax only at the start of a line: headings, quotes, lists, rules, setext underlines.
_LINE_START = re.compile(r"^(\s*)([#+\-=]|\d+(?=[.)]))")


def _escape(text: str) -> str:
    """Text from a ruleset or a unit's data, shown literally inside a line:
    Markdown and HTML syntax in names and explanations is escaped, and the
    text stays on one line (a newline could start a heading or a forged line)."""
    text = _MARKDOWN.sub(r"\\\1", " ".join(text.splitlines()))
    return "".join(_HTML.get(ch, ch) for ch in text) if any(ch in text for ch in "&<>") else text


def _line(text: str, numbered: bool = False) -> str:
    """`_escape`d text that starts a line: a leading `#`, `-`, `+`, `=` or
    `1.` is escaped too (a heading, a list, a rule). `numbered`: the text
    starts with our own item number (`3. 【提示】…`), kept as a list item."""
    text = _escape(text)
    m = _LINE_START.match(text)
    if m is None:
        return text
    if m.group(2)[0].isdigit():  # 1. → 1\.
        return text if numbered else text[: m.end()] + "\\" + text[m.end() :]
    return text[: m.start(2)] + "\\" + text[m.start(2) :]


def grid_lines(grid: Grid, titled: bool = True) -> list[str]:
    """A grid as a pipe table: the first row is the table's header."""
    matrix = grid.text_matrix()
    if not matrix:
        return []
    lines = [f"**{_escape(grid.title)}**", ""] if titled else []
    if grid.note:
        lines += [_line(grid.note), ""]
    body = [[c for c in grid.cells if c.col == i and c.row > 0 and c.text] for i in range(grid.ncols)]
    right = [bool(cells) and all(c.align == "right" for c in cells) for cells in body]
    lines.append("| " + " | ".join(_escape(t) for t in matrix[0]) + " |")
    lines.append("|" + "|".join("---:" if r else "---" for r in right) + "|")
    lines += ["| " + " | ".join(_escape(t) for t in row) + " |" for row in matrix[1:]]
    return lines


def render_document(doc: Document) -> str:
    """Every text of the document (names, explanations, findings) is escaped
    (`_escape`); only the markup around it is ours."""
    lines: list[str] = [f"# {_escape(doc.title)}", ""]
    if doc.cover:
        cover = [_line(line) for line in doc.cover]
        lines += [f"{line}  " for line in cover[:-1]] + [cover[-1], ""]
    for block in doc.blocks:
        if isinstance(block, Heading):
            lines += ["#" * (block.level + 1) + " " + _escape(block.text), ""]
        elif isinstance(block, Paragraph):
            if block.tone == "warning":
                text = f"> **{_escape(block.text)}**"
            elif block.tone == "right":
                text = f"<p align=\"right\">{_escape(block.text)}</p>"
            else:
                text = _line(block.text, numbered=block.tone == "info")
            lines += [text, ""]
        elif isinstance(block, Grid):
            lines += grid_lines(block, titled=block.title != doc.title) + [""]
        elif isinstance(block, Chart):
            continue  # the chart's figures are in the sentence above it
        elif isinstance(block, PageBreak):
            lines += ["---", ""]
    lines += ["---", "", f"<sub>{_escape(doc.stamp_line)}</sub>", ""]
    return "\n".join(lines)


def render(result: Result, lang: str = "zh") -> str:
    """The self-evaluation report in Markdown (always Chinese)."""

    return render_document(build(result))


def render_summary(summary, lang: str = "zh") -> str:
    """项目支出自评情况汇总表 (an `engine.tools.project_summary.ProjectSummary`) as Markdown."""

    return render_document(summary_document(summary))

