"""The batch summary (批量评价汇总): counts, grades, mean, exact median, rankings."""
from __future__ import annotations

import dataclasses
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
    # 审核汇总: forms with printed figures (stated), those with any wrong, all wrong figures,
    # and the forms with the largest differences (a bounded heap, like the other rankings).
    reviewed: int = 0
    misprinted: int = 0
    wrong_figures: int = 0
    _largest: list = field(default_factory=list)

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
        # The rankings take a unit only while short of TOP or when it beats
        # their last (most units beat none): its entry is made only then.
        best, worst, warned = self._best, self._worst, self._warned
        if len(best) < TOP or (total, -order) > best[0][0] or len(worst) < TOP or (-total, -order) > worst[0][0] or (
                warnings and (len(warned) < TOP or (warnings, -order) > warned[0][0])):
            entry = {"name": name, "location": where, "total": total, "grade": grade, "warnings": warnings}
            _push(best, (total, -order), entry)
            _push(worst, (-total, -order), entry)
            if warnings:
                _push(warned, (warnings, -order), entry)
        line = getattr(outcome, "review", None)  # review line (a form with printed figures)
        if line is not None:
            self.reviewed += 1
            if line.wrong:
                self.misprinted += 1
                self.wrong_figures += line.wrong
                size = abs(line.largest) if line.largest is not None else ZERO
                row = {"name": name, "location": where, "printed_total": line.printed_total, "total": total, "wrong": line.wrong, "largest_difference": line.largest}
                _push(self._largest, (size, line.wrong, -order), row)

    def absorb(self, other: "BatchSummary") -> None:
        """Add the units `other` summarises, as if they followed this summary's
        (in place: a batch folds in each worker chunk's summary, as `merge`
        does, without copying what it holds so far)."""
        if other.places != self.places:
            raise ValueError("summaries of rulesets with different rounding cannot be merged")
        shift = self.units
        for label, count in other.grades.items():
            self.grades[label] = self.grades.get(label, 0) + count
        self.units += other.units
        self.evaluated += other.evaluated
        self.failed += other.failed
        self.orphans += other.orphans
        self.internal += other.internal
        self.warnings += other.warnings
        self.scores.update(other.scores)
        self.total += other.total
        for mine, theirs in ((self._best, other._best), (self._worst, other._worst), (self._warned, other._warned)):
            for (key, entry) in theirs:
                _push(mine, (*key[:-1], key[-1] - shift), entry)
        self.first_failures = (self.first_failures + other.first_failures)[:TOP]
        self.reviewed += other.reviewed
        self.misprinted += other.misprinted
        self.wrong_figures += other.wrong_figures
        for (key, row) in other._largest:
            _push(self._largest, (*key[:-1], key[-1] - shift), row)

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

    def review(self) -> dict | None:
        """The review summary (审核汇总), when any form carried printed figures."""
        if not self.reviewed:
            return None
        return {
            "forms": self.reviewed, "forms_with_differences": self.misprinted, "wrong_figures": self.wrong_figures,
            "largest_differences": _ranked(self._largest),
        }

    def as_dict(self) -> dict:
        review = self.review()
        return {**self._as_dict(), **({"review": review} if review is not None else {})}

    def _as_dict(self) -> dict:
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


def merge(first: BatchSummary, second: BatchSummary) -> BatchSummary:
    """The summary of `first`'s units followed by `second`'s (合并两个分片的汇总).

    Pure: neither argument changes. Counts and the value counter add up, so the
    median stays exact; the rankings keep the top 10 of both, `second`'s units
    numbered after `first`'s (a tie goes to the earlier unit, as in one run).
    Summaries of shards, merged in input order, equal the summary of one run
    over all the units (tests/test_batch_summary_merge.py)."""
    out = dataclasses.replace(first, grades=dict(first.grades), scores=Counter(first.scores), _best=list(first._best), _worst=list(first._worst),
                              _warned=list(first._warned), first_failures=list(first.first_failures), _largest=list(first._largest))
    out.absorb(second)
    return out


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
    review = summary.review()
    if review is not None:
        out.append(say("batch.summary_review", {"forms": review["forms"], "misprinted": review["forms_with_differences"], "wrong": review["wrong_figures"]}, lang))
        for i, e in enumerate(review["largest_differences"], 1):
            out.append(say("batch.summary_review_unit", {
                "rank": i, "name": e["name"], "location": e["location"], "printed": score(e["printed_total"]), "total": score(e["total"]),
                "wrong": e["wrong"], "largest": "—" if e["largest_difference"] is None else fmt_score(e["largest_difference"], 6),
            }, lang))
    if summary.first_failures:
        out.append(say("batch.summary_failed", {"shown": len(summary.first_failures), "where": sep.join(summary.first_failures)}, lang))
    return "\n".join(out) + "\n"
