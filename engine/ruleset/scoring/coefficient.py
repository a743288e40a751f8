"""得分系数 (coefficient): score = weight × the coefficient given in the data.

Example (Chongqing's forms)::

    scoring: coefficient
    # data: indicators: {数量指标: {coefficient: 0.85}}; weight 20 → 17

The coefficient must lie in [0, 1].
"""
from __future__ import annotations

from decimal import Decimal

from engine.base.numeric import ONE, ZERO
from engine.ruleset.scoring.base import Outcome, outcome, Params, ScoreInput, ScoringProblem

NAME = "coefficient"
BRANCHES = ("full", "partial")


class Parameters(Params):
    """No parameters."""


def score(inp: ScoreInput, params: Parameters, trace: bool = False) -> Outcome:
    c = inp.entry.get("coefficient")
    if c is None:
        raise ScoringProblem("score.no_coefficient", None)
    if not isinstance(c, Decimal) or not ZERO <= c <= ONE:
        raise ScoringProblem("score.bad_coefficient", "coefficient", value=c)
    s = inp.weight * c
    steps = (("step.coefficient", {"weight": inp.weight, "coefficient": c, "score": s}),) if trace else ()
    return outcome((s, "full" if c == ONE else "partial", steps, None))
