"""Test cases that live with a ruleset (用例) and what they cover (覆盖情况).

A ruleset's `cases:` each name a unit's data file (relative to the ruleset
file) and the expected total, grade and any indicator scores. `run` evaluates
every case against the ruleset, compares, and measures coverage: the leaf
indicators whose score no case checks, the grade bands no case reaches, and
the branches of each scoring rule (every band, met / partial / zero, every
qualitative level, …) no case takes. Cases are never inherited: each year's
file carries its own.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from engine.ruleset.plan import Plan

from engine.ruleset.loading import load_plan
from engine.ruleset.locate import SearchPath
from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan
from engine.evaluation.evaluate import compute_env, evaluate
from engine.ruleset.formula import suggest
from engine.unit.inputs import UnitData, load_unit
from engine.ruleset.model import Case
from engine.evaluation.result import Result
from engine.ruleset.scoring import branches_of


@dataclass(frozen=True, slots=True)
class Difference:
    """One expectation not met: `what` is total | grade | score."""

    what: str
    name: str | None
    expected: Any
    actual: Any


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """A case's run: its result, the expectations it missed, or the problems
    that stopped it (bad data, an unknown indicator in `expect`)."""

    case: Case
    span: SourceSpan | None
    result: Result | None
    differences: tuple[Difference, ...]
    problems: tuple[Diagnostic, ...]

    @property
    def passed(self) -> bool:
        return not self.differences and not self.problems


@dataclass(frozen=True, slots=True)
class Coverage:
    """What the cases exercise, and what no case does."""

    leaves: int
    unchecked: tuple[str, ...]  # leaf indicators whose score no case checks
    grades: tuple[str, ...]
    grades_missed: tuple[str, ...]
    branches: int
    branches_missed: tuple[tuple[str, str, tuple[str, ...]], ...]  # (indicator, method, branches)

    @property
    def branches_taken(self) -> int:
        return self.branches - sum(len(b) for _, _, b in self.branches_missed)


@dataclass(frozen=True)
class TestReport:
    """Every case of one ruleset, and the coverage they reach together."""

    file: str
    outcomes: tuple[CaseOutcome, ...]
    coverage: Coverage

    @property
    def failed(self) -> int:
        return sum(not o.passed for o in self.outcomes)


def run(path: str, display: str | None = None, search: SearchPath | None = None) -> TestReport:
    """Run the cases of the ruleset at `path`. Raises `DiagnosticError` when
    the ruleset itself has problems; a case's own problems fail that case."""
    plan = load_plan(path, display or path, search)
    folder = os.path.dirname(os.path.abspath(path))
    shown_folder = os.path.dirname(display or path)
    outcomes = tuple(
        _run_case(plan, i, case, folder, shown_folder) for i, case in enumerate(plan.ruleset.cases)
    )
    return TestReport(plan.file, outcomes, coverage(plan, outcomes))


def _run_case(plan: Plan, i: int, case: Case, folder: str, shown_folder: str) -> CaseOutcome:
    span = plan.span(("cases", i))
    problems = []
    scores_at = ("cases", i, "expect", "scores")
    for key in case.expect.scores:
        if plan.node(key) is None:
            names = [n for leaf in _nodes(plan.roots) for n in (leaf.key, leaf.name)]
            problems.append(Diagnostic("cases.unknown_indicator", plan.smap.key(scores_at + (key,)), {"name": key, "suggestion": suggest(key, names)}))
    data = os.path.join(folder, case.data)
    shown = os.path.normpath(os.path.join(shown_folder, case.data))
    try:
        result = evaluate(plan, load_unit(plan, data, shown))
    except DiagnosticError as e:
        if e.diagnostics and e.diagnostics[0].code == "load.not_found":
            problems.append(Diagnostic("cases.data_not_found", plan.span(("cases", i, "data")), {"path": shown}))
        else:
            problems.extend(e.diagnostics)
        return CaseOutcome(case, span, None, (), tuple(problems))
    problems.extend(reference_check(plan, result.unit, span))
    return CaseOutcome(case, span, result, tuple(compare(case, result)), tuple(problems))


def cross_check(plan: Plan, path: str, display: str | None = None) -> list[Diagnostic]:
    """`reference_check` on every case of the ruleset at `path` whose data
    reads (a case that does not is `jixiao test`'s to report)."""
    folder = os.path.dirname(os.path.abspath(path))
    shown_folder = os.path.dirname(display or path)
    problems: list[Diagnostic] = []
    for i, case in enumerate(plan.ruleset.cases):
        try:
            unit = load_unit(plan, os.path.join(folder, case.data), os.path.normpath(os.path.join(shown_folder, case.data)))
        except DiagnosticError:
            continue
        problems += reference_check(plan, unit, plan.span(("cases", i)))
    return problems


def reference_check(plan: Plan, unit: UnitData, span: SourceSpan | None) -> list[Diagnostic]:
    """Every formula of the ruleset (metrics, computed actuals, checks) run on
    this unit's figures by both evaluators: the compiled one that scores, and
    simpleeval over the same checked tree (the reference). A difference is a
    defect in jixiao, reported with the formula and both values."""
    problems: list[Diagnostic] = []
    env = compute_env(unit.plan or plan, unit, [])
    formulas = [(name, f) for name, f, _ in plan.metrics]
    formulas += [(n.name, n.actual) for n in (unit.plan or plan).leaves if n.actual is not None]
    formulas += [(c.check.label or c.check.id, c.formula) for c in plan.checks if c.formula is not None]
    for name, formula in formulas:
        if any(env.get(n) is None for n in formula.names):
            continue  # a figure the unit leaves empty: evaluation reports it
        got, want = _outcome(formula.evaluate, env), _outcome(formula.evaluate_reference, env)
        if got != want:
            problems.append(Diagnostic("cases.reference_mismatch", span, {"name": name, "formula": formula.text, "compiled": got, "reference": want}))
    return problems


def _outcome(run, env) -> str:
    """A formula's value, or the kind of error it raised, as comparable text."""
    try:
        return str(run(env))
    except Exception as e:  # noqa: BLE001 - both evaluators must fail alike, whatever the error
        return type(e).__name__


def compare(case: Case, result: Result) -> list[Difference]:
    """Every expectation of `case` that `result` does not meet."""
    out: list[Difference] = []
    want = case.expect
    if want.total is not None and want.total != result.total:
        out.append(Difference("total", None, want.total, result.total))
    if want.grade is not None and want.grade != result.grade:
        out.append(Difference("grade", None, want.grade, result.grade))
    for key, expected in want.scores.items():
        r = result.find(key)
        if r is not None and r.score != expected:
            out.append(Difference("score", r.node.name, expected, r.score))
    return out


def _nodes(nodes):
    for n in nodes:
        yield n
        yield from _nodes(n.children)


def coverage(plan: Plan, outcomes: tuple[CaseOutcome, ...]) -> Coverage:
    """Which leaves, grade bands and scoring branches the cases exercise."""
    checked: set[str] = set()
    for o in outcomes:
        for key in o.case.expect.scores:
            node = plan.node(key)
            if node is not None:
                checked.add(node.key)
    results = [o.result for o in outcomes if o.result is not None]
    reached = {r.grade for r in results}
    taken: dict[str, set[str]] = {}
    for r in results:
        stack = list(r.indicators)
        while stack:
            item = stack.pop()
            stack.extend(item.children)
            if item.outcome is not None:
                taken.setdefault(item.node.key, set()).add(item.outcome.branch)
    total = 0
    missed: list[tuple[str, str, tuple[str, ...]]] = []
    for leaf in plan.leaves:
        if leaf.method is None or leaf.params is None:
            continue
        every = branches_of(leaf.method, leaf.params)
        total += len(every)
        left = tuple(b for b in every if b not in taken.get(leaf.key, ()))
        if left:
            missed.append((leaf.name, leaf.method.NAME, left))
    grades = tuple(g.label for g in plan.ruleset.grades)
    return Coverage(
        leaves=len(plan.leaves),
        unchecked=tuple(n.name for n in plan.leaves if n.key not in checked),
        grades=grades,
        grades_missed=tuple(g for g in grades if g not in reached),
        branches=total,
        branches_missed=tuple(missed),
    )

