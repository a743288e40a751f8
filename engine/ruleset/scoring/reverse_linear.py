"""反向线性递减 (reverse, linear decay): lower is better, losing points linearly.

    B ≤ A → w;  A < B < 2A → w × (1 − (B − A) / A);  B ≥ 2A → 0

Example::

    scoring: reverse_linear        # weight 10, target 100
    # actual 125 → 10 × (1 − 25 / 100) = 7.5;  actual 200 → 0
"""
from __future__ import annotations

from engine.base.numeric import ONE, ZERO
from engine.ruleset.scoring.base import Outcome, outcome, Params, ScoreInput, need_numbers

NAME = "reverse_linear"
BRANCHES = ("met", "partial", "zero")


class Parameters(Params):
    """No parameters."""


def score(inp: ScoreInput, params: Parameters, trace: bool = False) -> Outcome:
    target, actual = need_numbers(inp)
    w = inp.weight
    if actual <= target:
        return outcome((w, "met", (("step.met", {"actual": actual, "op": "≤", "target": target, "score": w}),) if trace else (), target))
    if target <= ZERO or actual >= target * 2:
        return outcome((ZERO, "zero", (("step.zero", {"actual": actual}),) if trace else (), target))
    s = w * (ONE - (actual - target) / target)
    steps = (("step.linear_decay", {"weight": w, "actual": actual, "target": target, "score": s}),) if trace else ()
    return outcome((s, "partial", steps, target))
