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

from typing import Iterator, Literal

from pydantic import Field, field_validator, model_validator

from engine.base.numeric import ZERO
from engine.ruleset.scoring.base import Number, Outcome, outcome, Params, ScoreInput, ScoringProblem, invalid, need_numbers

NAME = "bands"
BRANCHES = ()  # one branch per band: "band1", "band2", …, and "otherwise"


class Band(Params):
    min: Number | None = None
    max: Number | None = None
    score: Number | None = None
    ratio: Number | None = Field(None, ge=0, le=1)

    @model_validator(mode="after")
    def _one_result(self):
        if (self.score is None) == (self.ratio is None):
            raise invalid("params.band_result")
        if self.min is None and self.max is None:
            raise invalid("params.band_bounds")
        return self


class Parameters(Params):
    bands: tuple[Band, ...]
    on: Literal["actual", "completion", "deviation"] = "actual"
    abs: bool = False
    otherwise: Number = ZERO

    @field_validator("bands")
    @classmethod
    def _some(cls, bands):
        if not bands:
            raise invalid("params.no_bands")
        return bands


def points(params: Parameters) -> Iterator[tuple[tuple, Number]]:
    """Every parameter that is a number of points, by its place in `scoring`
    (each must lie within [0, weight])."""
    for i, band in enumerate(params.bands):
        if band.score is not None:
            yield ("bands", i, "score"), band.score
    yield ("otherwise",), params.otherwise


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
            return outcome((pts, f"band{i + 1}", steps, None))
    steps = (("step.no_band", {"value": value, "score": params.otherwise}),) if trace else ()
    return outcome((params.otherwise, "otherwise", steps, None))
