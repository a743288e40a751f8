"""Writing a batch's results: one JSON line, CSV row or XLSX row per unit."""
from __future__ import annotations

from typing import Any

from engine.base.diagnostics import Diagnostic, DiagnosticError
from engine.base.memo import made_for
from engine.base.numeric import round_half_up
from engine.evaluation.review import line_of
from engine.ruleset.plan import Plan
from engine.unit.inputs import SEPARATOR
from engine.render.cells import csv_row, write_only_row
from engine.render.json_out import stamp
import csv

FORMATS = ("jsonl", "csv", "xlsx")


def result_header(plan: Plan, lang: str = "zh") -> list[str]:
    """Columns of the per-unit result table: the same for every unit.

    One score column per indicator of the ruleset, in tree order. Where a
    project fills a frame (`rows: data`) with its own indicators, the columns
    are the frame and each 一级 and 二级 it allows (`绩效指标 › 产出指标 ›
    数量指标`): every project has them, so every row fits the header; a
    project's own 三级 indicators, which differ from project to project, are
    in the JSONL output."""
    zh = lang != "en"
    head = ["位置", "名称", "总分", "等级"] if zh else ["location", "name", "total", "grade"]
    head += [label for label, _ in score_columns(plan)]
    head += ["发现问题数", "警告数", "偏差指标数"] if zh else ["findings", "warnings", "deviations"]
    review = REVIEW_HEAD[0 if zh else 1]
    head += [review[2], review[4], review[5]]  # the computed total is 总分
    head += ["engine", "ruleset_digest", "input_digest"]
    return head


def score_columns(plan: Plan) -> list[tuple[str, tuple]]:
    """(header, path of indicator keys from the root) for each score column."""
    out: list[tuple[str, tuple]] = []

    def walk(nodes, above: tuple) -> None:
        for n in nodes:
            path = above + (n.key,)
            out.append((n.name, path))
            if n.frame is not None:
                _frame_columns(n, path, out)
            else:
                walk(n.children, path)

    walk(plan.roots, ())
    return out


def _frame_columns(frame, path: tuple, out: list) -> None:
    """A frame's 一级 and 二级, keyed as `engine.unit.indicator_rows` keys the
    nodes it builds: a 二级 `一级/二级`, a nested frame's 一级 by its name."""
    for group, categories in frame.frame.groups.items():
        if frame.frame.nested:
            gpath = path + (group,)
            out.append((SEPARATOR.join((frame.name, group)), gpath))
            for cat in categories:
                out.append((SEPARATOR.join((frame.name, group, cat)), gpath + (f"{group}/{cat}",)))
        else:
            for cat in categories:
                out.append((SEPARATOR.join((frame.name, cat)), path + (f"{group}/{cat}",)))


# The review summary's columns (审核汇总): per form, what it printed against what it computes to.
REVIEW_HEAD = (
    ["位置", "名称", "表上总分", "计算总分", "表上数字错误数", "最大差额"],
    ["location", "name", "printed_total", "computed_total", "wrong_printed_figures", "largest_difference"],
)


def review_row(line, where: str, name: str) -> list:
    """A form's row in the review summary sheet."""
    return [where, name, line.printed_total, line.computed_total, line.wrong, line.largest]


def result_row(result, where: str) -> list:
    """One unit's row, cell for cell under `result_header`: location, name,
    total, grade, each score column (empty where the unit has no such 一级
    or 二级), counts of findings, and the stamp."""

    places = result.plan.ruleset.rounding.places
    scores: dict[tuple, Any] = {}

    def walk(results, above: tuple) -> None:
        for r in results:
            path = above + (r.node.key,)
            scores[path] = r.score
            walk(r.children, path)

    walk(result.indicators, ())
    s = stamp(result)
    cells = []
    for _, path in _columns_of(result):
        score = scores.get(path)
        cells.append(None if score is None else round_half_up(score, places))
    line = line_of(result)
    return [
        where, result.unit.name, result.total, result.grade, *cells,
        len(result.findings), sum(1 for f in result.findings if f.severity == "warning"), len(result.deviations),
        *((line.printed_total, line.wrong, line.largest) if line is not None else (None, None, None)),
        s["engine"], s["ruleset_digest"], s["input_digest"],
    ]


_COLUMNS: dict[int, tuple] = {}  # id(ruleset) → (ruleset, columns): one entry per batch


def _columns_of(result) -> list[tuple[str, tuple]]:
    """`score_columns` of the unit's plan: the ruleset's, since a frame's
    columns come from what it allows, not from the rows a project filled in."""
    plan = result.plan
    return made_for(_COLUMNS, plan.ruleset, lambda _: score_columns(plan), 16)


def format_for(output: str | None) -> str:
    """The result format an output file's suffix implies (JSONL otherwise)."""
    if output and output.lower().endswith(".csv"):
        return "csv"
    if output and output.lower().endswith((".xlsx", ".xlsm")):
        return "xlsx"
    return "jsonl"


class ResultWriter:
    """Writes each unit's result to an open stream: a JSON line, or a table row
    (CSV in UTF-8 with BOM so Excel reads the Chinese, or an XLSX sheet).
    Text from data never becomes a formula (`engine.render.cells`)."""

    def __init__(self, fmt: str, stream, header: list[str]):
        self.fmt, self.stream = fmt, stream
        # Lines from workers arrive as UTF-8 bytes; a UTF-8 text file takes them as they are.
        self.buffer = getattr(stream, "buffer", None) if (getattr(stream, "encoding", None) or "").lower().replace("-", "") == "utf8" else None
        self.text_before = True  # text may wait in the stream's buffer: flushed before the first bytes
        if fmt == "csv":

            self.writer = csv.writer(stream, lineterminator="\r\n")
            self.writer.writerow(csv_row(header))
        elif fmt == "xlsx":
            try:
                # optional library (the xlsx/reports extra): imported only when a workbook is read or written
                from openpyxl import Workbook
            except ImportError:
                raise DiagnosticError([Diagnostic("batch.needs_extra", None, {"extra": "xlsx", "package": "openpyxl"})]) from None
            self.book = Workbook(write_only=True)
            self.sheet = self.book.create_sheet("评价结果")
            self.sheet.append(write_only_row(self.sheet, header))
            self.review_sheet = None  # 审核汇总: made when the first form with printed figures comes
            self.review_lang = 1 if header and header[0] == "location" else 0

    def write(self, piece: Any) -> None:
        if self.fmt == "jsonl":
            if piece.__class__ is bytes:
                if self.buffer is not None:
                    if self.text_before:  # anything written as text goes first
                        self.stream.flush()
                        self.text_before = False
                    self.buffer.write(piece)
                else:
                    self.stream.write(piece.decode("utf-8"))
            else:
                self.stream.write(piece)
                self.stream.write("\n")
                self.text_before = True
        elif self.fmt == "csv":
            self.writer.writerow(csv_row(piece))
        else:
            self.sheet.append(write_only_row(self.sheet, piece))

    def write_review(self, row: list) -> None:
        """A form's row on the workbook's review sheet (审核汇总; XLSX only:
        CSV and JSONL carry the same figures in each unit's own row or line)."""
        if self.fmt != "xlsx":
            return
        if self.review_sheet is None:
            self.review_sheet = self.book.create_sheet("审核汇总")
            self.review_sheet.append(REVIEW_HEAD[self.review_lang])
            self.reviewed = 0
        self.review_sheet.append(row)
        self.reviewed += 1

    def close(self) -> None:
        if self.fmt == "xlsx":
            if self.review_sheet is not None:  # sortable and filterable in Excel
                self.review_sheet.auto_filter.ref = f"A1:F{self.reviewed + 1}"
            self.book.save(self.stream)
