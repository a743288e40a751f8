"""What every scoring method (计分方法) receives and returns."""
from __future__ import annotations

import functools

from decimal import Decimal
from types import MappingProxyType
from typing import Any, Mapping, NamedTuple

from pydantic import BaseModel, ConfigDict
from pydantic_core import PydanticCustomError

from engine.ruleset.model import Number  # noqa: F401 - re-exported: numbers as staff write them (5%, 1,000)


class Params(BaseModel):
    """Base for a method's parameters: frozen, and unknown keys are errors."""

    # Built on first use: only the methods a ruleset uses (engine/ruleset/model.py's Model).
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


# Value types here and in engine.evaluation.result are NamedTuples: immutable like frozen
# dataclasses, and five times cheaper to make (a unit makes hundreds).
_NOTHING: Mapping[str, Any] = MappingProxyType({})


class ScoreInput(NamedTuple):
    """One indicator's figures at scoring time.

    `target` and `actual` are numbers for quantitative indicators (percent as a
    fraction: 93.59% is 0.9359); `entry` is the unit's data for the indicator
    (evaluator's `score`, `level`, `coefficient`); `env` holds every named value,
    for the custom formula method.
    """

    weight: Decimal
    target: Decimal | None
    actual: Decimal | None
    operator: str | None
    entry: Mapping[str, Any] = _NOTHING
    env: Mapping[str, Any] = _NOTHING


class Outcome(NamedTuple):
    """A score before rounding, the branch taken (for coverage and `explain`),
    the arithmetic as (message code, args) steps when traced, and an actual
    value that would have earned full marks, where one exists."""

    score: Decimal
    branch: str
    steps: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    full_at: Decimal | None = None


# `outcome((score, branch, steps, full_at))`: an Outcome made without a Python
# call (a NamedTuple's own `__new__` is Python code; a leaf is scored per unit,
# hundreds of thousands of times in a batch). All four fields, always.
outcome = functools.partial(tuple.__new__, Outcome)


class ScoringProblem(Exception):
    """The data cannot be scored by this method: a message code and its details.
    `field` names the data entry field at fault (e.g. 'score'), if any."""

    def __init__(self, code: str, field: str | None = None, **details: Any):
        # Not `self.args`: Exception turns whatever is stored there into a tuple.
        super().__init__(code)
        self.code, self.field, self.details = code, field, details


def invalid(code: str, **context: Any) -> PydanticCustomError:
    """A parameter error whose words are the catalogue's `code` (raise it in a
    validator; the message's English fallback is the code itself)."""
    return PydanticCustomError(code, code, context)


def need_numbers(inp: ScoreInput, *, target: bool = True) -> tuple[Decimal | None, Decimal]:
    """The target and actual as numbers, or a problem naming what is missing."""
    actual, wanted = inp.actual, inp.target  # each field read once (a leaf of every unit comes here)
    if actual.__class__ is not Decimal and not isinstance(actual, Decimal):  # None included
        raise ScoringProblem("score.no_actual", "actual")
    if target and wanted.__class__ is not Decimal and not isinstance(wanted, Decimal):
        raise ScoringProblem("score.no_target")
    return wanted, actual
