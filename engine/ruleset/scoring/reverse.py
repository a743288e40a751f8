"""反向比例计分 (reverse proportional): lower is better.

    B ≤ A → w;  otherwise w × A / B

Example (a cost or adjustment-rate indicator with target ≤ 5%)::

    scoring: reverse               # weight 10, target 5%
    # actual 8% → 10 × 0.05 / 0.08 = 6.25

A target of 0 earns 0 for any actual above 0.
"""
from __future__ import annotations

from engine.base.numeric import ZERO
from engine.ruleset.scoring.base import Outcome, outcome, Params, ScoreInput, need_numbers

NAME = "reverse"
BRANCHES = ("met", "partial", "zero")


class Parameters(Params):
    """No parameters."""


def score(inp: ScoreInput, params: Parameters, trace: bool = False) -> Outcome:
    target, actual = need_numbers(inp)
    w = inp.weight
    if actual <= target:
        return outcome((w, "met", (("step.met", {"actual": actual, "op": "≤", "target": target, "score": w}),) if trace else (), target))
    if target <= ZERO:
        return outcome((ZERO, "zero", (("step.zero", {"actual": actual}),) if trace else (), target))
    s = w * target / actual
    steps = (("step.reverse_ratio", {"weight": w, "actual": actual, "target": target, "score": s}),) if trace else ()
    return outcome((s, "partial", steps, target))
