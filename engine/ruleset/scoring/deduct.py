"""扣分计分 (deduction per unit or step, with a floor): full marks minus
`points` for each `step` the actual falls short of (or goes past) the target.

`direction` is `over` (points lost above the target: ≤ indicators, the default
for them) or `under` (below the target: ≥ indicators); `partial` says how a part
step counts: `floor` (default: only whole steps), `ceil` or `exact`. The score
never falls below `floor` (default 0).

Example (三公经费控制率 ≤ 100%, −1 per percentage point over)::

    scoring: {method: deduct, step: 1%, points: 1}
    # actual 103% → 3 steps over → 5 − 3 = 2

Example (满意度 ≥ 90%, −1 per 5 points below)::

    scoring: {method: deduct, step: 5%, points: 1}
    # actual 80% → 2 steps under → 8 − 2 = 6

Example (资金使用合规性, −1 per non-compliance found; target 0 incidents)::

    operator: ≤
    target: 0
    scoring: {method: deduct, step: 1, points: 1}
    # actual 2 incidents → 5 − 2 = 3
"""
from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Iterator, Literal

from pydantic import Field, field_validator

from engine.base.numeric import ZERO
from engine.ruleset.scoring.base import Number, Outcome, outcome, Params, ScoreInput, invalid, need_numbers

NAME = "deduct"
BRANCHES = ("met", "deducted", "floor")


class Parameters(Params):
    step: Number = Decimal(1)
    points: Number = Field(Decimal(1), ge=0)
    direction: Literal["over", "under"] | None = None
    partial: Literal["floor", "ceil", "exact"] = "floor"
    floor: Number = ZERO

    @field_validator("step")
    @classmethod
    def _positive(cls, v):
        if v <= 0:
            raise invalid("params.step_positive")
        return v


def points(params: Parameters) -> Iterator[tuple[tuple, Decimal]]:
    """The parameters that are numbers of points (each within [0, weight])."""
    yield ("floor",), params.floor


def score(inp: ScoreInput, params: Parameters, trace: bool = False) -> Outcome:
    target, actual = need_numbers(inp)
    direction = params.direction or ("over" if inp.operator == "≤" else "under")
    gap = actual - target if direction == "over" else target - actual
    w = inp.weight
    if gap <= ZERO:
        return outcome((w, "met", (("step.met", {"actual": actual, "op": "≤" if direction == "over" else "≥", "target": target, "score": w}),) if trace else (), target))
    steps = gap / params.step
    if params.partial == "floor":
        steps = steps.to_integral_value(rounding=ROUND_FLOOR)
    elif params.partial == "ceil":
        steps = steps.to_integral_value(rounding=ROUND_CEILING)
    raw = w - params.points * steps
    s = max(raw, params.floor)
    trace_steps = (("step.deduct", {"weight": w, "gap": gap, "step": params.step, "steps": steps, "points": params.points, "score": s}),) if trace else ()
    return outcome((s, "floor" if raw <= params.floor else "deducted", trace_steps, target))
