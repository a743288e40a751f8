"""The scoring methods (计分方法), listed in one plain dict.

Each method is a module with `NAME`, a `Parameters` model (unknown keys are
errors), `BRANCHES` (or a `branches(params)` function) for test coverage, and
`score(inp, params, trace=False) -> Outcome`. Its docstring is its user
documentation, with a YAML example and worked numbers.
"""
from __future__ import annotations

from types import ModuleType

from engine.scoring import bands, coefficient, deduct, formula, manual, proportional, qualitative, reverse, reverse_linear, threshold

METHODS: dict[str, ModuleType] = {
    m.NAME: m
    for m in (proportional, reverse, reverse_linear, threshold, bands, deduct, manual, qualitative, formula, coefficient)
}

# How an indicator is scored when it names no method: by its operator (指标性质).
DEFAULT_BY_OPERATOR = {"≥": "proportional", "≤": "reverse", "=": "threshold", "定性": "qualitative"}


def branches_of(method: ModuleType, params) -> tuple[str, ...]:
    """Every branch a method can take with these parameters (for coverage)."""
    fn = getattr(method, "branches", None)
    return fn(params) if fn else method.BRANCHES
