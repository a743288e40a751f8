"""Evaluation (评分): a `Plan` and a unit's checked data → `Result`. Pure.

Every computation runs in one Decimal context (`numeric.CONTEXT`); scores are
rounded half-up only where the ruleset's rounding policy says.
"""
from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any, Mapping

from engine.evaluation import checks

from engine.evaluation import deviations, review
from engine.base.memo import made_for, stored
from engine.ruleset import lints
from engine.ruleset.plan import Node, Plan
from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan, sort_key
from engine.unit.inputs import UnitData
from engine.base.numeric import CONTEXT, ZERO, round_half_up
from engine.evaluation.result import Finding, IndicatorResult, Result, leaves
from engine.ruleset.scoring.base import Outcome, ScoreInput, ScoringProblem

_EMPTY_ENTRY: dict = {}


def evaluate(plan: Plan, unit: UnitData, lint_choice: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()), fixed: Mapping[str, Any] | None = None) -> Result:
    """Score one unit read (`read_unit`) against `plan`. A project whose
    indicators come from its rows is scored by `unit.plan`, the copy of `plan`
    with those rows in place; a unit read against another ruleset is refused.
    Raises `DiagnosticError` when a figure cannot be computed (e.g. a budget
    of 0 under a ratio): no partial result is ever returned.

    `lint_choice` is (lints to enable, lints to disable) for this run, over
    the ruleset's own `lints:` (engine/ruleset/lints.py).
    `fixed` (what-if, `evaluate --set`) gives figures by name (an input, a
    table figure or a metric) that replace the unit's or the computed ones."""
    if unit.plan is not None and unit.plan is not plan:
        if (unit.plan.file, unit.plan.digest) != (plan.file, plan.digest):
            raise ValueError(f"the unit {unit.file} was read against {unit.plan.file}, not {plan.file}")
        plan = unit.plan
    with decimal.localcontext(CONTEXT):
        problems: list[Diagnostic] = []
        env = compute_env(plan, unit, problems, fixed)
        if problems:  # what depends on a figure that cannot be computed cannot be scored
            raise DiagnosticError(sorted(problems, key=sort_key))
        places = plan.ruleset.rounding.places
        per_indicator = plan.ruleset.rounding.scope == "indicator"
        adjusted = plan.ruleset.policy.adjusted_target == "use"
        results = tuple([_score_node(n, plan, unit, env, problems, places, per_indicator, adjusted) for n in plan.roots])
        if problems:
            raise DiagnosticError(sorted(problems, key=sort_key))
        counted = [r for r in results if r.node.in_total]
        total = sum((r.score for r in counted), ZERO)
        rescaled = None
        if plan.ruleset.policy.not_applicable == "rescale":
            applicable = sum((leaf.weight for leaf in leaves(counted) if not leaf.not_applicable), ZERO)
            if applicable != plan.ruleset.total:
                rescaled = (total, applicable)
                total = total * plan.ruleset.total / applicable if applicable else ZERO
        total = round_half_up(total, places)
        grade = grade_of(plan, total)
        found_checks = checks.run(plan, unit, env, results, total)
        devs, dev_findings = deviations.find(plan, unit, results, env)
        printed = review.compare(plan, unit, results, total, grade, rescaled)
        on = lints.enabled(plan.ruleset.lints, *lint_choice)
        notices = (review.notices(plan, unit) if "group_weights" in on else []) + review.unmeasured(plan, unit, results) + _lint(plan, unit, on)
    findings = tuple(sorted((*found_checks, *dev_findings, *printed, *notices), key=_finding_order))
    return Result(plan, unit, env, results, total, grade, findings, tuple(devs), rescaled)


# (ruleset digest, file, lints on) → the lint findings of a ruleset's own
# indicators, the same for every unit without rows of its own (batch runs).
_LINTED: dict[tuple, list] = {}
_LINTED_ROWS: dict[int, tuple[Any, dict]] = {}  # id(a unit plan) → (it, lint choice → (indicator, code, arguments) found)


def _lint(plan: Plan, unit: UnitData, on: frozenset) -> list:
    """Design lints over the indicators this unit is scored under, as findings
    located at the ruleset's indicator or the unit's data row."""
    def where(node):
        if len(node.path) >= 2 and node.path[-2] == "rows":  # a project's own row
            return unit.entry_span(node.key)
        return plan.span(node.path)

    if plan.frames:  # a unit plan of rows of its own: one per distinct set of rows (engine.unit.indicator_rows), linted once
        by_choice = made_for(_LINTED_ROWS, plan, lambda _: {}, 256)
        rows = by_choice.get(on)
        if rows is None:
            rows = by_choice[on] = lints.found(plan.roots, on)
        return [Finding("lint", "warning", code, args, where(node)) for node, code, args in rows]
    key = (plan.digest, plan.file, on)  # no rows of the unit's own: the same findings for every unit
    found = _LINTED.get(key)
    if found is None:
        found = stored(_LINTED, key, [Finding("lint", "warning", d.code, d.args, d.span) for d in lints.run(plan.roots, on, where)], 64)
    return found


def narrative_findings(plan: Plan, unit: UnitData) -> list[Finding]:
    """A required report text (`report.narrative`, `required: true`) the data
    does not give: the report shows 【待填写：…】 in its place. These belong
    to the report, not to the scores: reports add them to the result's
    findings (`engine.render.report.report_findings`); `evaluate`, JSON and
    batch results leave them out, so a unit scored without its texts is not
    flagged."""
    out: list[Finding] = []
    where = unit.smap.keys.get(("narrative",)) or unit.span(()) or SourceSpan(unit.file, 1, 1)
    for decl in plan.ruleset.report.narrative:
        given = unit.narrative.get(decl.key)
        if decl.required and not (given.paragraphs if hasattr(given, "paragraphs") else given):
            out.append(Finding("narrative", "warning", "report.narrative_missing", {"title": decl.title or decl.key, "key": decl.key}, where))
    return out


_RANK = {"error": 0, "warning": 1, "info": 2}


def _finding_order(f) -> tuple:
    rank = _RANK.get(f.severity, 3)
    s = f.span
    return (rank, s.line if s else 0, s.col if s else 0, f.code)


def compute_env(plan: Plan, unit: UnitData, problems: list[Diagnostic], fixed: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The flat values every formula reads: the unit's figures plus each
    derived metric, computed in dependency order; a name in `fixed` keeps
    the value given there."""
    env = dict(unit.values)
    if fixed:
        env.update(fixed)
    failed: set[str] = set()
    for name, formula, path in plan.metrics:
        if fixed and name in fixed:
            continue
        if failed.intersection(formula.names):  # reported already, where it failed
            env[name] = None
            failed.add(name)
            continue
        before = len(problems)
        env[name] = _run(formula, env, plan, path, problems, name)
        if len(problems) > before:
            failed.add(name)
    return env


def _run(formula, env, plan: Plan, path: tuple, problems: list, label: str):
    """A formula's value; a failure becomes a located diagnostic and None."""
    try:
        return formula.evaluate(env)
    except (decimal.DivisionByZero, decimal.InvalidOperation, ZeroDivisionError):
        zero = [n for n in formula.names if env.get(n) == 0]
        problems.append(Diagnostic("eval.division_by_zero", plan.span(path), {"name": label, "formula": formula.text, "zero": "、".join(zero) or "?"}))
    except decimal.Overflow:
        problems.append(Diagnostic("eval.overflow", plan.span(path), {"name": label, "formula": formula.text}))
    except (TypeError, KeyError):
        missing = [n for n in formula.names if env.get(n) is None]
        if missing:
            problems.append(Diagnostic("eval.missing_value", plan.span(path), {"name": label, "formula": formula.text, "missing": "、".join(missing)}))
        else:
            problems.append(Diagnostic("eval.type_error", plan.span(path), {"name": label, "formula": formula.text}))
    return None


def _score_node(node: Node, plan: Plan, unit: UnitData, env, problems, places: int, per_indicator: bool, adjusted: bool) -> IndicatorResult:
    if node.children:
        kids = tuple([_score_node(c, plan, unit, env, problems, places, per_indicator, adjusted) for c in node.children])
        return IndicatorResult(node, node.target, None, sum((k.score for k in kids), ZERO), None, _EMPTY_ENTRY, kids)
    entry = unit.entries.get(node.key, _EMPTY_ENTRY)
    if entry.get("not_applicable"):
        return IndicatorResult(node, node.target, None, ZERO, None, entry, (), True)
    if node.actual is not None:
        before = len(problems)
        actual = _run(node.actual, env, plan, node.path + ("actual",), problems, node.name)
        if len(problems) > before:  # reported: not again as "no actual to score"
            return IndicatorResult(node, node.target, None, ZERO, None, entry)
    else:
        actual = entry.get("actual")
    target = entry.get("adjusted_target") if adjusted else None
    if target is None:
        target = node.target
    outcome = None
    score = ZERO
    unmeasured = entry.get("unmeasured")
    if unmeasured is not None:  # not a measured number: scored as the scheme says (policy.unmeasured_actual)
        if plan.ruleset.policy.unmeasured_actual != "met_with_warning":
            full_at = target if isinstance(target, Decimal) else None  # a measured actual at the target earns full marks
            return IndicatorResult(node, target, unmeasured, ZERO, Outcome(ZERO, "unmeasured", (), full_at), entry)
        actual = target  # as if the target were met; the text is kept below for display
    if node.method is not None and node.params is not None:
        inp = ScoreInput(node.weight, target, actual, node.operator, entry, env)
        try:
            if node.method_formula is not None:
                outcome = node.method.score(inp, node.params, False, node.method_formula)
            else:
                outcome = node.method.score(inp, node.params)
        except ScoringProblem as p:
            span = unit.entry_span(node.key, *((p.field,) if p.field else ()))
            if p.code == "score.no_actual" and node.actual is not None:
                span = plan.span(node.path + ("actual",))
            problems.append(Diagnostic(p.code, span, {"name": node.name, **p.details}))
        except (decimal.DivisionByZero, decimal.InvalidOperation, ZeroDivisionError):
            problems.append(Diagnostic("eval.division_by_zero", plan.span(node.path + ("scoring",)), {"name": node.name, "formula": node.method.NAME, "zero": "目标值"}))
        except decimal.Overflow:  # a custom scoring formula such as ((x ** 8) ** 8) ** 8
            problems.append(Diagnostic("eval.overflow", plan.span(node.path + ("scoring",)), {"name": node.name, "formula": node.method_formula.text if node.method_formula else node.method.NAME}))
        else:
            score = round_half_up(outcome.score, places) if per_indicator else outcome.score
            if not ZERO <= score <= node.weight:  # the last guard: never a score outside [0, weight]
                problems.append(Diagnostic("eval.score_out_of_range", plan.span(node.path + ("scoring",)), {"name": node.name, "method": node.method.NAME, "score": score, "weight": node.weight}))
    return IndicatorResult(node, target, actual if unmeasured is None else unmeasured, score, outcome, entry)


def grade_of(plan: Plan, total: Decimal) -> str:
    """The label of the grade band (等级) the total falls in."""
    for band in plan.ruleset.grades:
        if total >= band.min:
            return band.label
    return plan.ruleset.grades[-1].label


def trace_outcome(result: IndicatorResult, env) -> Any:
    """Re-run a leaf's scoring with the arithmetic recorded (for `explain`)."""
    node = result.node
    if node.method is None or node.params is None or result.not_applicable:
        return None
    actual = result.actual
    if result.entry.get("unmeasured") is not None:  # policy.unmeasured_actual
        if result.outcome is not None and result.outcome.branch == "unmeasured":
            return result.outcome
        actual = result.target
    inp = ScoreInput(node.weight, result.target, actual, node.operator, result.entry, env)
    with decimal.localcontext(CONTEXT):
        if node.method_formula is not None:
            return node.method.score(inp, node.params, True, node.method_formula)
        return node.method.score(inp, node.params, True)
