"""Writing a batch's results: one JSON line, CSV row or XLSX row per unit."""
from __future__ import annotations

from typing import Any

from engine.base.diagnostics import Diagnostic, DiagnosticError
from engine.base.numeric import round_half_up
from engine.ruleset.plan import Plan
from engine.render.cells import csv_row, write_only_row
from engine.render.json_out import stamp
import csv

FORMATS = ("jsonl", "csv", "xlsx")


def result_header(plan: Plan, lang: str = "zh") -> list[str]:
    """Columns of the per-unit result table."""
    zh = lang != "en"
    head = ["位置", "名称", "总分", "等级"] if zh else ["location", "name", "total", "grade"]
    head += [n.name for n in _preorder(plan.roots)]
    head += ["发现问题数", "警告数", "偏差指标数"] if zh else ["findings", "warnings", "deviations"]
    head += ["engine", "ruleset_digest", "input_digest"]
    return head


def _preorder(items):
    """Indicators (nodes or results) in tree order, parents first."""
    for item in items:
        yield item
        yield from _preorder(item.children)


def result_row(result, where: str) -> list:
    """One unit's row: location, name, total, grade, every indicator's score,
    counts of findings, and the stamp."""

    places = result.plan.ruleset.rounding.places
    s = stamp(result)
    return [
        where, result.unit.name, result.total, result.grade,
        *(round_half_up(r.score, places) for r in _preorder(result.indicators)),
        len(result.findings), sum(1 for f in result.findings if f.severity == "warning"), len(result.deviations),
        s["engine"], s["ruleset_digest"], s["input_digest"],
    ]



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

    def write(self, piece: Any) -> None:
        if self.fmt == "jsonl":
            if piece.__class__ is bytes:
                if self.buffer is not None:
                    self.stream.flush()  # anything written as text goes first (a no-op once empty)
                    self.buffer.write(piece)
                else:
                    self.stream.write(piece.decode("utf-8"))
            else:
                self.stream.write(piece)
                self.stream.write("\n")
        elif self.fmt == "csv":
            self.writer.writerow(csv_row(piece))
        else:
            self.sheet.append(write_only_row(self.sheet, piece))

    def close(self) -> None:
        if self.fmt == "xlsx":
            self.book.save(self.stream)
