"""The summary across projects (项目支出自评情况汇总表, 附件2 of a self-evaluation report).

One row per project — name, 全年预算数, 全年执行数, 执行率, score, grade, number of
findings — then the totals and the amount-weighted figures: the score averaged
with each project's 全年预算数 as its weight, and the overall 执行率 (all spending
÷ all budgets). Which figures are the budget and the spending is the ruleset's
`summary:` (default `全年预算数` and `全年执行数`).

A project whose files have problems is listed as failed with its located
diagnostics; the others are still evaluated and summed.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Mapping

from engine.base.paths import display_path
from engine.evaluation.run import evaluate_file
from engine.ruleset.locate import SearchPath
from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan
from engine.base.numeric import ZERO, round_half_up
from engine.evaluation.result import Result

DATA_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class SummaryRow:
    """One project's line: its figures, or, when it failed, its problems."""

    file: str
    name: str
    budget: Decimal | None = None
    spent: Decimal | None = None
    rate: Decimal | None = None  # spent ÷ budget, 4 decimals (93.59% is 0.9359)
    score: Decimal | None = None
    grade: str | None = None
    findings: int = 0
    by_severity: Mapping[str, int] = field(default_factory=dict)
    problems: tuple[Diagnostic, ...] = ()
    grade_order: tuple[str, ...] = ()  # the ruleset's grade labels, best first
    digest: str = ""  # the data file's and the ruleset's content hashes (the stamp of a generated form)
    ruleset_digest: str = ""
    ruleset_files: tuple[str, ...] = ()  # the ruleset's files (its `extends:` chain): inputs no output may replace

    @property
    def failed(self) -> bool:
        return bool(self.problems)


@dataclass(frozen=True)
class ProjectSummary:
    """The 汇总表: rows in input order, totals over the evaluated projects."""

    rows: tuple[SummaryRow, ...]
    budget: Decimal  # Σ 全年预算数
    spent: Decimal  # Σ 全年执行数
    rate: Decimal | None  # Σ spent ÷ Σ budget
    weighted_score: Decimal | None  # Σ(score × budget) ÷ Σ budget
    mean_score: Decimal | None
    grades: Mapping[str, int]  # label → count, best grade first
    findings: int

    @property
    def evaluated(self) -> int:
        return sum(1 for r in self.rows if not r.failed)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.rows if r.failed)


def data_files(paths: Iterable[str]) -> tuple[list[str], list[Diagnostic]]:
    """The data files named, a folder standing for its own .yaml/.yml/.json
    files (not its subfolders), in name order."""
    files: list[str] = []
    problems: list[Diagnostic] = []
    for path in paths:
        if os.path.isdir(path):
            found = sorted(os.path.join(path, n) for n in os.listdir(path) if n.endswith(DATA_SUFFIXES) and not n.startswith("."))
            if not found:
                problems.append(Diagnostic("summary.no_files", SourceSpan(path, 1, 1), {"path": path}))
            files.extend(found)
        else:
            files.append(path)
    return files, problems


def summarize(paths: Iterable[str], ruleset_path: str | None = None, search: SearchPath | None = None) -> ProjectSummary:
    """Evaluate every data file (folders expanded) and summarise them.

    A file that cannot be evaluated becomes a failed row carrying its
    diagnostics; it never stops the others. Raises `DiagnosticError` only when
    no file is found at all."""
    files, problems = data_files(paths)
    if not files:
        raise DiagnosticError(problems)
    rows = []
    for path in files:
        shown = display_path(path)
        try:
            rows.append(row_of(evaluate_file(path, ruleset_path, search), shown))
        except DiagnosticError as e:
            rows.append(SummaryRow(shown, shown, problems=e.diagnostics))
    return summary_of(rows)


def row_of(result: Result, file: str) -> SummaryRow:
    """A project's line in the 汇总表."""
    columns = result.plan.ruleset.summary
    budget = _number(result.env.get(columns.budget))
    spent = _number(result.env.get(columns.spent))
    rate = round_half_up(spent / budget, 4) if budget and spent is not None else None
    severity: dict[str, int] = {}
    for f in result.findings:
        severity[f.severity] = severity.get(f.severity, 0) + 1
    return SummaryRow(
        file, result.unit.name or file, budget, spent, rate, result.total, result.grade,
        len(result.findings), severity, (), tuple(b.label for b in result.plan.ruleset.grades),
        result.unit.digest, result.plan.digest, result.plan.files,
    )


def summary_of(rows: Iterable[SummaryRow]) -> ProjectSummary:
    """Totals and amount-weighted figures over the evaluated rows."""
    rows = list(rows)
    order: list[str] = []
    for row in rows:
        order.extend(g for g in row.grade_order if g not in order)
    good = [r for r in rows if not r.failed]
    budget = sum((r.budget for r in good if r.budget is not None), ZERO)
    spent = sum((r.spent for r in good if r.spent is not None), ZERO)
    rate_base = sum((r.budget for r in good if r.budget is not None and r.spent is not None), ZERO)
    rate = round_half_up(spent / rate_base, 4) if rate_base else None
    weighted_base = sum((r.budget for r in good if r.budget), ZERO)
    weighted = None
    if weighted_base:
        weighted = round_half_up(sum((r.score * r.budget for r in good if r.budget), ZERO) / weighted_base, 2)
    mean = round_half_up(sum((r.score for r in good), ZERO) / len(good), 2) if good else None
    counts: dict[str, int] = {}
    for r in good:
        counts[r.grade] = counts.get(r.grade, 0) + 1
    grades = {g: counts[g] for g in order if g in counts}
    grades.update({g: n for g, n in counts.items() if g not in grades})
    return ProjectSummary(tuple(rows), budget, spent, rate, weighted, mean, grades, sum(r.findings for r in good))


def _number(value) -> Decimal | None:
    return value if isinstance(value, Decimal) else None
