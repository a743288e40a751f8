"""The report in Markdown (for review, diffs and wikis).

Markdown tables cannot merge cells: a merged cell's text stands in its first
position and the positions it covers are left blank, as on a form whose merged
cells were split."""
from __future__ import annotations

from engine.render.document import Chart, Document, Grid, Heading, PageBreak, Paragraph
from engine.evaluation.result import Result
from engine.render.report import build
from engine.render.report import summary_document


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def grid_lines(grid: Grid, titled: bool = True) -> list[str]:
    """A grid as a pipe table: the first row is the table's header."""
    matrix = grid.text_matrix()
    if not matrix:
        return []
    lines = [f"**{_escape(grid.title)}**", ""] if titled else []
    if grid.note:
        lines += [grid.note, ""]
    body = [[c for c in grid.cells if c.col == i and c.row > 0 and c.text] for i in range(grid.ncols)]
    right = [bool(cells) and all(c.align == "right" for c in cells) for cells in body]
    lines.append("| " + " | ".join(_escape(t) for t in matrix[0]) + " |")
    lines.append("|" + "|".join("---:" if r else "---" for r in right) + "|")
    lines += ["| " + " | ".join(_escape(t) for t in row) + " |" for row in matrix[1:]]
    return lines


def render_document(doc: Document) -> str:
    lines: list[str] = [f"# {doc.title}", ""]
    if doc.cover:
        lines += [f"{line}  " for line in doc.cover[:-1]] + [doc.cover[-1], ""]
    for block in doc.blocks:
        if isinstance(block, Heading):
            lines += ["#" * (block.level + 1) + " " + block.text, ""]
        elif isinstance(block, Paragraph):
            text = block.text
            if block.tone == "warning":
                text = f"> **{text}**"
            elif block.tone == "right":
                text = f"<p align=\"right\">{text}</p>"
            lines += [text, ""]
        elif isinstance(block, Grid):
            lines += grid_lines(block, titled=block.title != doc.title) + [""]
        elif isinstance(block, Chart):
            continue  # the chart's figures are in the sentence above it
        elif isinstance(block, PageBreak):
            lines += ["---", ""]
    lines += ["---", "", f"<sub>{doc.stamp_line}</sub>", ""]
    return "\n".join(lines)


def render(result: Result, lang: str = "zh") -> str:
    """The self-evaluation report in Markdown (always Chinese)."""

    return render_document(build(result))


def render_summary(summary, lang: str = "zh") -> str:
    """项目支出自评情况汇总表 (an `engine.tools.project_summary.ProjectSummary`) as Markdown."""

    return render_document(summary_document(summary))

