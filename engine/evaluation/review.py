"""Review (审核): the figures a form printed, checked against the computed ones.

A unit's `stated:` figures (and a project row's `score:`) are what the form
printed (`engine.unit.stated`). Each is compared with the figure this
evaluation computed, and every difference becomes a `warning` finding of kind
`review`, located at the printed figure, carrying `stated`, `computed` and
`difference` (stated − computed), and naming the rule that gives the computed
figure (the scoring method and where the ruleset states it). Stated figures
are never used in scoring.

How each is compared:

- a score (得分), a group's subtotal and the total (总分): with the computed
  score as the ruleset rounds it (`rounding.places`), exactly — a score
  rounded to an integer on the form is a difference the reviewer must see;
- a weight (分值): with the indicator's weight in the ruleset or data row;
- a rate (`rate`, e.g. the execution rate 执行率): with the indicator's actual
  value rounded to the places the form printed (93.6% is compared with the
  actual to 0.1%), since forms print rates at their own precision;
- the grade (等级): with the band the computed total falls in.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable, NamedTuple

from engine.base.numeric import fmt_percent, fmt_score, round_half_up
from engine.evaluation.result import Finding, IndicatorResult, leaves
from engine.ruleset.compile import Node, Plan
from engine.ruleset.model import _OPERATOR_ALIASES
from engine.unit.inputs import UnitData

KIND = "review"


def compare(plan: Plan, unit: UnitData, results: tuple[IndicatorResult, ...], total: Decimal, grade: str, rescaled) -> list[Finding]:
    """A finding for every stated figure that differs from the computed one."""
    if not unit.stated:
        return []
    places = plan.ruleset.rounding.places
    index: dict[str, IndicatorResult] = {}
    stack = list(results)
    while stack:
        r = stack.pop()
        index.setdefault(r.node.key, r)
        index.setdefault(r.node.name, r)
        stack.extend(r.children)
    out: list[Finding] = []
    for s in unit.stated:
        if s.scope == "total":
            f = _total(s, total, places, rescaled)
        elif s.scope == "grade":
            f = _grade(s, plan, total, grade, places)
        else:
            r = index.get(s.name)
            if r is None:  # checked when the data was read; kept safe here
                continue
            if s.field == "score":
                f = _score(s, r, plan, places)
            elif s.field == "weight":
                f = _weight(s, r, plan, unit)
            else:
                f = _rate(s, r, plan)
        if f is not None:
            out.append(f)
    return out


def _finding(code: str, s, figures: tuple, **args) -> Finding:
    """A warning at the printed figure; `figures` is (stated, computed, difference)."""
    return Finding(KIND, "warning", code, args, s.span, *figures)


def _score(s, r: IndicatorResult, plan: Plan, places: int) -> Finding | None:
    computed = round_half_up(r.score, places)
    diff = s.value - computed
    if diff == 0:
        return None
    shown = {"stated": fmt_score(s.value, 6), "computed": fmt_score(computed, places), "difference": fmt_score(diff, 6)}
    node = r.node
    if r.children:
        return _finding("review.score_sum", s, (s.value, computed, diff), name=node.name, **shown)
    if r.not_applicable:
        return _finding("review.score_not_applicable", s, (s.value, computed, diff), name=node.name, **shown)
    span = rule_span(plan, node)
    return _finding("review.score", s, (s.value, computed, diff), name=node.name, method=node.method.NAME if node.method else "", rule=str(span) if span else "", **shown)


def _weight(s, r: IndicatorResult, plan: Plan, unit: UnitData) -> Finding | None:
    computed = r.node.weight
    diff = s.value - computed
    if diff == 0:
        return None
    node = r.node
    shown = {"stated": fmt_score(s.value, 6), "computed": fmt_score(computed, 6), "difference": fmt_score(diff, 6)}
    own = plan.smap.values.get(node.path + ("weight",))
    if own is None and r.children:  # a 一级/二级 built from a project's rows weighs what its rows weigh
        return _finding("review.weight_sum", s, (s.value, computed, diff), name=node.name, **shown)
    span = own or unit.entry_span(node.key, "weight")
    return _finding("review.weight", s, (s.value, computed, diff), name=node.name, rule=str(span) if span else "", **shown)


def _rate(s, r: IndicatorResult, plan: Plan) -> Finding | None:
    node = r.node
    shown_places = max(-s.value.as_tuple().exponent - 2, 0)  # 93.59% is 0.9359: two places as a percentage
    if not isinstance(r.actual, Decimal):
        return _finding("review.rate_unavailable", s, (s.value, None, None), name=node.name, stated=fmt_percent(s.value, shown_places), actual="" if r.actual is None else str(r.actual))
    computed = round_half_up(r.actual, -s.value.as_tuple().exponent)
    diff = s.value - computed
    if diff == 0:
        return None
    formula = node.actual.text if node.actual is not None else ""
    return _finding(
        "review.rate", s, (s.value, computed, diff), name=node.name, formula=formula,
        stated=fmt_percent(s.value, shown_places), computed=fmt_percent(computed, shown_places), difference=fmt_percent(diff, shown_places),
    )


def _total(s, total: Decimal, places: int, rescaled) -> Finding | None:
    diff = s.value - total
    if diff == 0:
        return None
    code = "review.total_rescaled" if rescaled is not None else "review.total"
    return _finding(code, s, (s.value, total, diff), stated=fmt_score(s.value, 6), computed=fmt_score(total, places), difference=fmt_score(diff, 6))


def _grade(s, plan: Plan, total: Decimal, grade: str, places: int) -> Finding | None:
    if s.value == grade:
        return None
    band = next((b for b in plan.ruleset.grades if b.label == grade), None)
    span = plan.span(("grades",))
    return _finding(
        "review.grade", s, (s.value, grade, None), stated=s.value, computed=grade, total=fmt_score(total, places),
        min=fmt_score(band.min, 6) if band is not None else "", rule=str(span) if span else "",
    )


def rule_span(plan: Plan, node: Node):
    """Where the rule scoring `node` is stated: its own `scoring:`, else the
    ruleset's `scoring_defaults` for its operator, else the indicator itself."""
    own = plan.smap.values.get(node.path + ("scoring",))
    if own is not None:
        return own
    if node.operator is not None:
        for key in _aliases(node.operator):
            span = plan.smap.keys.get(("scoring_defaults", key)) or plan.smap.values.get(("scoring_defaults", key))
            if span is not None:
                return span
    return plan.span(node.path)


def _aliases(op: str) -> Iterable[str]:
    yield op
    for alias, canonical in _OPERATOR_ALIASES.items():
        if canonical == op:
            yield alias


# A weight sum the scheme lets pass (`policy.weights_mismatch: warn`) → the finding that says so.
_NOTICE_CODES = {"ruleset.weights_mismatch": "policy.weights_mismatch", "ruleset.total_mismatch": "policy.total_mismatch", "rows.frame_weights": "policy.frame_weights"}


def notices(plan: Plan, unit: UnitData) -> list[Finding]:
    """The ruleset's and the data's contradictions that were scored anyway, as
    warnings naming both sums: `stated` is the weight the form prints for the
    whole (the parent, the total), `computed` the sum of its parts."""
    out = []
    for d in (*plan.notices, *unit.notices):
        code = _NOTICE_CODES.get(d.code, d.code)
        whole = d.args.get("weight", d.args.get("total"))
        parts = d.args.get("sum")
        diff = whole - parts if isinstance(whole, Decimal) and isinstance(parts, Decimal) else None
        out.append(Finding("ruleset", "warning", code, d.args, d.span, whole, parts, diff))
    return out


def unmeasured(plan: Plan, unit: UnitData, results: tuple[IndicatorResult, ...]) -> list[Finding]:
    """实际完成值未填实测数: each quantitative actual that is not a measured
    number, scored as `policy.unmeasured_actual` says, located at the actual."""
    out = []
    met = plan.ruleset.policy.unmeasured_actual == "met_with_warning"
    for r in leaves(results):
        text = r.entry.get("unmeasured")
        if text is None:
            continue
        node = r.node
        code = "input.unmeasured_met" if met else "input.unmeasured_zero"
        args = {"name": node.name, "value": text, "target": node.target_text or "", "score": fmt_score(r.score, plan.ruleset.rounding.places)}
        out.append(Finding("input", "warning", code, args, unit.entry_span(node.key, "actual")))
    return out


class ReviewLine(NamedTuple):
    """One form in a review summary (审核汇总): the total it printed, the
    computed total, how many printed figures are wrong, the largest
    difference (by size, with its sign; None when no difference is a number)."""

    printed_total: Decimal | None
    computed_total: Decimal
    wrong: int
    largest: Decimal | None


def line_of(result) -> ReviewLine | None:
    """The review summary line of an evaluated form; None when it states nothing."""
    if not result.unit.stated:
        return None
    printed = next((s.value for s in result.unit.stated if s.scope == "total"), None)
    wrong = [f for f in result.findings if f.kind == KIND]
    diffs = [f.difference for f in wrong if isinstance(f.difference, Decimal)]
    largest = max(diffs, key=abs) if diffs else None
    return ReviewLine(printed, result.total, len(wrong), largest)
