"""达标计分 (threshold, all or nothing): the condition holds → full marks, else 0.

The condition is the indicator's operator against its target (≥, ≤ or =).

Example (the seed's 预算调整率, target ≤ 5%)::

    operator: ≤
    scoring: threshold
    # actual 31.21% > 5% → 0;   actual 4% → 10

Parameters: `full` (points when met, default the weight), `otherwise` (points
when not met, default 0), `tolerance` (for `=`, default 0).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterator

from pydantic import Field

from engine.base.numeric import ZERO
from engine.ruleset.scoring.base import Number, Outcome, outcome, Params, ScoreInput, ScoringProblem, need_numbers

NAME = "threshold"
BRANCHES = ("met", "missed")


class Parameters(Params):
    full: Number | None = None
    otherwise: Number = ZERO
    tolerance: Number = Field(ZERO, ge=0)


def points(params: Parameters) -> Iterator[tuple[tuple, Decimal]]:
    """The parameters that are numbers of points (each within [0, weight])."""
    if params.full is not None:
        yield ("full",), params.full
    yield ("otherwise",), params.otherwise


def met(op: str | None, actual: Decimal, target: Decimal, tolerance: Decimal = ZERO) -> bool:
    """Whether `actual` meets `target` under the operator (≥ when unstated)."""
    if op == "≤":
        return actual <= target
    if op == "=":
        return abs(actual - target) <= tolerance
    return actual >= target


def score(inp: ScoreInput, params: Parameters, trace: bool = False) -> Outcome:
    target, actual = need_numbers(inp)
    if inp.operator == "定性":
        raise ScoringProblem("score.threshold_qualitative")
    full = inp.weight if params.full is None else params.full
    op = inp.operator or "≥"
    if met(op, actual, target, params.tolerance):
        return outcome((full, "met", (("step.met", {"actual": actual, "op": op, "target": target, "score": full}),) if trace else (), target))
    return outcome((params.otherwise, "missed", (("step.missed", {"actual": actual, "op": op, "target": target, "score": params.otherwise}),) if trace else (), target))
