"""正向比例计分 (proportional, capped): higher is better.

    B ≥ A → w;  otherwise w × B / A   (w = 分值, A = 目标值, B = 实际值; never below 0)

Example (the seed's 预算执行率)::

    scoring: proportional          # target 100%, weight 10
    # actual 93.59% → 10 × 0.9359 / 1 = 9.359 → 9.36 after 四舍五入

A target of 0 earns full marks for any actual ≥ 0.
"""
from __future__ import annotations

from engine.base.numeric import ZERO
from engine.ruleset.scoring.base import Outcome, outcome, Params, ScoreInput, need_numbers

NAME = "proportional"
BRANCHES = ("met", "partial", "zero")


class Parameters(Params):
    """No parameters."""


def score(inp: ScoreInput, params: Parameters, trace: bool = False) -> Outcome:
    target, actual = need_numbers(inp)
    w = inp.weight
    if actual >= target:
        return outcome((w, "met", (("step.met", {"actual": actual, "op": "≥", "target": target, "score": w}),) if trace else (), target))
    if actual <= ZERO or target <= ZERO:
        return outcome((ZERO, "zero", (("step.zero", {"actual": actual}),) if trace else (), target))
    s = w * actual / target
    steps = (("step.ratio", {"weight": w, "actual": actual, "target": target, "score": s}),) if trace else ()
    return outcome((s, "partial", steps, target))
