"""The scoring methods (计分方法), listed in one plain table.

Each method is a module with `NAME`, a `Parameters` model (unknown keys are
errors), `BRANCHES` (or a `branches(params)` function) for test coverage, and
`score(inp, params, trace=False) -> Outcome`. Its docstring is its user
documentation, with a YAML example and worked numbers.
"""
from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import Iterator, Mapping

# Method name → its module under engine/scoring (the module's NAME is its file name).
_NAMES = ("proportional", "reverse", "reverse_linear", "threshold", "bands", "deduct", "manual", "qualitative", "formula", "coefficient")


class _Methods(Mapping[str, ModuleType]):
    """name → method module, imported when first looked up.

    A run imports (and pydantic builds the `Parameters` model of) only the
    methods its ruleset uses: a cold `evaluate` pays for four methods, not ten.
    Listing the names (`list(METHODS)`, `in`, `len`) imports nothing."""

    def __getitem__(self, name: str) -> ModuleType:
        if name not in _NAMES:
            raise KeyError(name)
        return import_module(f"{__name__}.{name}")

    def __iter__(self) -> Iterator[str]:
        return iter(_NAMES)

    def __len__(self) -> int:
        return len(_NAMES)

    def __contains__(self, name: object) -> bool:
        return name in _NAMES

    def __repr__(self) -> str:
        return f"METHODS({', '.join(_NAMES)})"


METHODS: Mapping[str, ModuleType] = _Methods()

# How an indicator is scored when it names no method: by its operator (指标性质).
DEFAULT_BY_OPERATOR = {"≥": "proportional", "≤": "reverse", "=": "threshold", "定性": "qualitative"}


def branches_of(method: ModuleType, params) -> tuple[str, ...]:
    """Every branch a method can take with these parameters (for coverage)."""
    fn = getattr(method, "branches", None)
    return fn(params) if fn else method.BRANCHES
