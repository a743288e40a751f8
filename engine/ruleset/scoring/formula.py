"""自定义公式 (custom formula): the ruleset's own expression gives the score.

`expr` may use `weight`, `target`, `actual` and any declared input or metric.
The result must lie within [0, weight]; outside it is an error, never clipped
silently.

Example (Chongqing-style coefficient on a ratio)::

    scoring:
      method: formula
      expr: min(weight, weight * actual / target) * 0.9
    # weight 10, target 100, actual 50 → min(10, 5) × 0.9 = 4.5
    # actual 200 → min(10, 20) × 0.9 = 9;  target 0 → error: division by zero
"""
from __future__ import annotations

from decimal import Decimal

from engine.base.numeric import ZERO
from engine.ruleset.scoring.base import Outcome, outcome, Params, ScoreInput, ScoringProblem

NAME = "formula"
BRANCHES = ("computed",)
FORMULA_PARAMS = ("expr",)  # compiled with the ruleset, names checked


class Parameters(Params):
    expr: str


def score(inp: ScoreInput, params: Parameters, trace: bool = False, compiled=None) -> Outcome:
    env = dict(inp.env)
    env["weight"], env["target"], env["actual"] = inp.weight, inp.target, inp.actual
    try:
        value = compiled.evaluate(env)
    except TypeError:
        raise ScoringProblem("score.no_actual", "actual") from None
    if isinstance(value, bool) or not isinstance(value, Decimal):
        value = Decimal(int(value))
    if not ZERO <= value <= inp.weight:
        raise ScoringProblem("score.formula_out_of_range", None, score=value, max=inp.weight)
    steps = (("step.formula", {"expr": params.expr, "score": value}),) if trace else ()
    return outcome((value, "computed", steps, None))
