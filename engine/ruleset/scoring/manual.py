"""评价人打分 (manual score within bounds): for judged indicators such as 社会效益.

The evaluator's score comes from the data (`score:` in the indicator's entry)
and must lie within [`min`, `max`] (default [0, weight]).

Example (the seed's 社会效益, weight 24)::

    scoring: manual
    # data: indicators: {社会效益: {score: 24, explanation: "…"}}  → 24
    # score 25 → error: above the weight
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterator

from pydantic import ValidationInfo, field_validator

from engine.base.numeric import ZERO
from engine.ruleset.scoring.base import Number, Outcome, outcome, Params, ScoreInput, ScoringProblem, invalid

NAME = "manual"
BRANCHES = ("full", "partial")


class Parameters(Params):
    min: Number = ZERO
    max: Number | None = None

    @field_validator("max")
    @classmethod
    def _max_not_below_min(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        low = info.data.get("min")
        if value is not None and low is not None and low > value:
            raise invalid("params.min_above_max", min=low, max=value)
        return value


def points(params: Parameters) -> Iterator[tuple[tuple, Decimal]]:
    """The parameters that are numbers of points (each within [0, weight])."""
    yield ("min",), params.min
    if params.max is not None:
        yield ("max",), params.max


def given_score(inp: ScoreInput) -> Decimal:
    """The evaluator's score from the data, as a number."""
    s = inp.entry.get("score")
    if s is None:
        raise ScoringProblem("score.no_manual_score", None)
    if not isinstance(s, Decimal):
        raise ScoringProblem("score.manual_not_number", "score", value=s)
    return s


def score(inp: ScoreInput, params: Parameters, trace: bool = False) -> Outcome:
    s = given_score(inp)
    hi = inp.weight if params.max is None else params.max
    if not params.min <= s <= hi:
        raise ScoringProblem("score.manual_out_of_range", "score", score=s, min=params.min, max=hi)
    steps = (("step.manual", {"score": s, "max": hi}),) if trace else ()
    return outcome((s, "full" if s == inp.weight else "partial", steps, None))
