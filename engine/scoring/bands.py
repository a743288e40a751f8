"""分档计分 (bands / steps): the first band whose bounds hold gives the score.

Each band has `min` (value ≥ min) and/or `max` (value ≤ max) and either `score`
(points) or `ratio` (share of the weight). `on` chooses the value: `actual`
(default), `completion` (actual ÷ target) or `deviation` ((actual − target) ÷
target); `abs: true` takes its absolute value (symmetric tolerance).

Example (Yueyang's 预算调整率, weight 3)::

    scoring:
      method: bands
      bands:
        - {max: 0, score: 3}
        - {max: 10%, score: 2}
        - {max: 20%, score: 1}
        - {max: 30%, score: 0.5}
      otherwise: 0
    # actual 12% → second band fails (12% > 10%), third holds → 1

Example (成本控制率, symmetric: |x| ≤ 10% → 5, ≤ 15% → 3, ≤ 20% → 1)::

    scoring: {method: bands, abs: true, bands: [{max: 10%, score: 5}, {max: 15%, score: 3}, {max: 20%, score: 1}]}
"""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import field_validator, model_validator

from engine.numeric import ZERO, parse_number
from engine.scoring.base import Outcome, Params, ScoreInput, ScoringProblem, need_numbers

NAME = "bands"
BRANCHES = ()  # one branch per band: "band1", "band2", …, and "otherwise"


def _number(v):
    if isinstance(v, str):
        n = parse_number(v)
        if n is None:
            raise ValueError("not a number")
        return n
    return v


class Band(Params):
    min: Decimal | None = None
    max: Decimal | None = None
    score: Decimal | None = None
    ratio: Decimal | None = None

    _num = field_validator("min", "max", "score", "ratio", mode="before")(lambda cls, v: _number(v))

    @model_validator(mode="after")
    def _one_result(self):
        if (self.score is None) == (self.ratio is None):
            raise ValueError("each band needs exactly one of score or ratio")
        if self.min is None and self.max is None:
            raise ValueError("each band needs min or max")
        return self


class Parameters(Params):
    bands: tuple[Band, ...]
    on: Literal["actual", "completion", "deviation"] = "actual"
    abs: bool = False
    otherwise: Decimal = ZERO


def branches(params: Parameters) -> tuple[str, ...]:
    """Coverage branches for these parameters."""
    return tuple(f"band{i + 1}" for i in range(len(params.bands))) + ("otherwise",)


def score(inp: ScoreInput, params: Parameters, trace: bool = False) -> Outcome:
    needs_target = params.on != "actual"
    target, actual = need_numbers(inp, target=needs_target)
    value = actual
    if params.on != "actual":
        if target == ZERO:
            raise ScoringProblem("score.target_zero_ratio")
        value = actual / target if params.on == "completion" else (actual - target) / target
    if params.abs:
        value = abs(value)
    for i, band in enumerate(params.bands):
        if (band.min is None or value >= band.min) and (band.max is None or value <= band.max):
            pts = band.score if band.score is not None else inp.weight * band.ratio
            pts = min(max(pts, ZERO), inp.weight)
            steps = (("step.band", {"value": value, "band": i + 1, "min": band.min, "max": band.max, "score": pts}),) if trace else ()
            return Outcome(pts, f"band{i + 1}", steps, None)
    steps = (("step.no_band", {"value": value, "score": params.otherwise}),) if trace else ()
    return Outcome(params.otherwise, "otherwise", steps, None)
