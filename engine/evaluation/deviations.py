"""Deviation analysis (未完成指标及超指标值30%完成的原因分析).

An indicator is listed when it missed its target (未完成), beat it by the
ruleset's exceed ratio or more (超额, direction-aware: for ≤ indicators, coming
in at 70% of the ceiling or less), or when its own `explain_if` condition holds
(需说明, e.g. 执行率 below 90%). With a target of 0 the ratio is undefined, so a
fixed threshold (`zero_target_exceed`, in the indicator's own unit) applies
instead: a ≥ indicator with target 0 is 超额 when its actual reaches it. An `=`
indicator deviates (未完成) whenever its actual differs from the target.
Qualitative indicators deviate by their band: rated below the top level
(达成); judged ones (manual score, coefficient) when scored below full marks.
A deviation without an explanation is a warning finding.

    deviations: {exceed_ratio: 30%, zero_target_exceed: 1, require_explanation: true}
    # ≥ 140 人, actual 0 → 未完成; ≥ 20 场, actual 26 → 超额 (26 = 130% of 20); 25 → none
    # ≤ 5%, actual 31.21% → 未完成; ≤ 10%, actual 7% → 超额 (7% = 10% × (1 − 30%))
    # explain_if: actual < 0.9   (on 预算执行率 ≥ 85%: 88% → 需说明)
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.ruleset.plan import Plan
from engine.unit.inputs import UnitData
from engine.base.numeric import ONE
from engine.evaluation.result import Deviation, Finding, IndicatorResult, leaves

MISSED, EXCEEDED, EXPLAIN = "未完成", "超额", "需说明"
JUDGED = ("manual", "coefficient", "qualitative")  # methods whose score is the evaluator's


def _misses(operator: str | None, actual: Decimal, target: Decimal) -> bool:
    op = operator or "≥"
    return actual < target if op == "≥" else actual > target if op == "≤" else actual != target if op == "=" else False


def classify(r: IndicatorResult, plan: Plan, env: dict) -> tuple[str | None, Decimal | None]:
    """(kind or None, completion ratio or None) for one scored leaf."""
    node, target, actual = r.node, r.target, r.actual
    policy = plan.ruleset.deviations
    judged = node.method is not None and node.method.NAME in JUDGED
    if judged and r.outcome is not None:
        # The evaluator's score: missed when below full marks or when a numeric
        # actual misses its target; never 超额 (docs/checks.md §4).
        numeric = isinstance(target, Decimal) and isinstance(actual, Decimal)
        ratio = actual / target if numeric and target != 0 else None
        if numeric and _misses(node.operator, actual, target):
            return MISSED, ratio
        if node.method.NAME == "qualitative":  # by band: below the top level (达成), whatever the score inside it
            top = node.params.levels[0].level if node.params is not None else None
            return (MISSED if r.outcome.branch != top else None), ratio
        return (MISSED if r.score < node.weight else None), ratio
    if isinstance(target, Decimal) and isinstance(actual, Decimal):
        ratio = actual / target if target != 0 else None
        op = node.operator or "≥"
        if op == "≥":
            if actual < target:
                return MISSED, ratio
            if target == 0:
                return (EXCEEDED if actual - target >= policy.zero_target_exceed else None), ratio
            if actual >= target * (ONE + policy.exceed_ratio):
                return EXCEEDED, ratio
        elif op == "≤":
            if actual > target:
                return MISSED, ratio
            if target != 0 and actual <= target * (ONE - policy.exceed_ratio):
                return EXCEEDED, ratio
        elif op == "=":
            if actual != target:
                return MISSED, ratio
        return None, ratio
    if r.outcome is None or node.method is None:
        return None, None
    if node.method.NAME == "qualitative" and node.params is not None:
        # By band: anything below the top level (达成) is a miss, whatever the score inside it.
        return (MISSED if r.outcome.branch != node.params.levels[0].level else None), None
    if node.method.NAME in ("manual", "coefficient") and r.score < node.weight:
        return MISSED, None
    return None, None


def find(plan: Plan, unit: UnitData, results: tuple[IndicatorResult, ...], env: dict) -> tuple[list[Deviation], list[Finding]]:
    """Every leaf that deviates, in tree order, and a warning for each one
    the data does not explain."""
    devs: list[Deviation] = []
    findings: list[Finding] = []
    for r in leaves(results):
        if r.not_applicable or r.outcome is None:
            continue
        kind, ratio = classify(r, plan, env)
        if kind is None and r.node.explain_if is not None and _holds(r, env):
            kind = EXPLAIN
        if kind is None:
            continue
        node = r.node
        explanation = r.entry.get("explanation")
        span = unit.entry_span(node.key)
        devs.append(Deviation(node.key, node.name, kind, r.target, r.actual, ratio, explanation, node.value_type, node.unit, span))
        if not explanation and plan.ruleset.deviations.require_explanation:
            findings.append(Finding("deviation", "warning", "deviation.unexplained", {"name": node.name, "kind": kind}, span))
    return devs, findings


def _holds(r: IndicatorResult, env: dict) -> bool:
    # Only the names the condition reads (a copy of the whole env per leaf cost more than the condition).
    local: dict[str, Any] = {n: env[n] for n in r.node.explain_if.names if n in env}
    local.update(weight=r.node.weight, target=r.target, actual=r.actual)
    try:
        return bool(r.node.explain_if.evaluate(local))
    except (ArithmeticError, TypeError, KeyError):
        return False  # a condition that cannot be evaluated (no actual) does not hold
