"""The batch summary (批量评价汇总): counts, grades, mean, exact median, rankings."""
from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from engine.base.numeric import ZERO, round_half_up
from engine.batch.units import UnitOutcome
from engine.base.numeric import fmt_score

TOP = 10



@dataclass
class BatchSummary:
    """Counts, grade distribution, mean and median total, the best and worst
    units, and the units with the most warnings. Constant memory: scores are
    counted by value (totals are rounded, so there are few distinct ones) and
    the rankings are bounded heaps."""

    grades: dict[str, int]
    places: int = 2
    units: int = 0
    evaluated: int = 0
    failed: int = 0
    orphans: int = 0
    internal: int = 0  # failed on a bug in jixiao, not on their data
    warnings: int = 0  # warning findings over every evaluated unit (`--strict`)
    scores: Counter = field(default_factory=Counter)
    total: Decimal = ZERO
    _best: list = field(default_factory=list)
    _worst: list = field(default_factory=list)
    _warned: list = field(default_factory=list)
    first_failures: list = field(default_factory=list)

    def add(self, outcome: UnitOutcome) -> None:
        ok, where, name, total, grade, warnings = outcome.ok, outcome.where, outcome.name, outcome.total, outcome.grade, outcome.warnings
        if ok is None:  # a line row that belongs to no unit
            self.orphans += 1
            return
        order = self.units
        self.units += 1
        if not ok:
            self.failed += 1
            self.internal += outcome.internal
            if len(self.first_failures) < TOP:
                self.first_failures.append(where)
            return
        self.evaluated += 1
        self.warnings += warnings
        self.scores[total] += 1
        self.total += total
        self.grades[grade] = self.grades.get(grade, 0) + 1
        entry = {"name": name, "location": where, "total": total, "grade": grade, "warnings": warnings}
        _push(self._best, (total, -order), entry)
        _push(self._worst, (-total, -order), entry)
        if warnings:
            _push(self._warned, (warnings, -order), entry)

    def mean(self) -> Decimal | None:
        return round_half_up(self.total / self.evaluated, self.places) if self.evaluated else None

    def median(self) -> Decimal | None:
        n = self.evaluated
        if not n:
            return None
        wanted = (n - 1) // 2, n // 2
        found: list[Decimal] = []
        seen = 0
        for value in sorted(self.scores):
            count = self.scores[value]
            for w in wanted:
                if seen <= w < seen + count:
                    found.append(value)
            seen += count
        return round_half_up((found[0] + found[-1]) / 2, self.places)

    def as_dict(self) -> dict:
        return {
            "units": self.units,
            "evaluated": self.evaluated,
            "failed": self.failed,
            "orphan_rows": self.orphans,
            "internal_errors": self.internal,
            "grades": dict(self.grades),
            "mean": self.mean(),
            "median": self.median(),
            "best": _ranked(self._best),
            "worst": _ranked(self._worst),
            "most_warnings": _ranked(self._warned),
            "first_failures": list(self.first_failures),
        }


def _push(heap: list, key: tuple, entry: dict) -> None:
    item = (key, entry)
    if len(heap) < TOP:
        heapq.heappush(heap, item)
    elif key > heap[0][0]:
        heapq.heapreplace(heap, item)


def _ranked(heap: list) -> list[dict]:
    return [entry for _, entry in sorted(heap, key=lambda x: x[0], reverse=True)]



def summary_text(summary: BatchSummary, lang: str = "zh") -> str:
    """The summary as a policy officer reads it."""
    # cold start: the message catalogue loads only when a message is shown
    from engine.base.messages import format_message as say

    def score(v: Decimal | None) -> str:
        return "—" if v is None else fmt_score(v, summary.places)

    out = [say("batch.summary_head", {"units": summary.units, "evaluated": summary.evaluated, "failed": summary.failed}, lang)]
    if summary.orphans:
        out.append(say("batch.summary_orphans", {"count": summary.orphans}, lang))
    sep = "、" if lang != "en" else ", "
    out.append(say("batch.summary_grades", {"grades": sep.join(f"{k} {v}" for k, v in summary.grades.items())}, lang))
    out.append(say("batch.summary_scores", {"mean": score(summary.mean()), "median": score(summary.median())}, lang))
    data = summary.as_dict()
    for title, key, code in (("batch.summary_best", "best", "batch.summary_unit"), ("batch.summary_worst", "worst", "batch.summary_unit"), ("batch.summary_warned", "most_warnings", "batch.summary_warned_unit")):
        if data[key]:
            out.append(say(title, {}, lang))
            for i, e in enumerate(data[key], 1):
                out.append(say(code, {**e, "rank": i, "total": score(e["total"])}, lang))
    if summary.first_failures:
        out.append(say("batch.summary_failed", {"shown": len(summary.first_failures), "where": sep.join(summary.first_failures)}, lang))
    return "\n".join(out) + "\n"
