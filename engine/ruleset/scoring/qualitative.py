"""定性三档 (qualitative, three bands): the evaluator picks a level and a score
inside that level's band; the engine checks the score lies in it.

National rule (财预〔2020〕10号 practice): 达成 [80%, 100%] of the weight,
部分达成 [60%, 80%), 未达成 [0, 60%). Hubei uses 50% for the lower edge::

    scoring:
      method: qualitative
      levels:
        - {level: 达成, min: 80%}
        - {level: 部分达成, min: 50%}
        - {level: 未达成, min: 0}

Data: `{level: 部分达成, score: 6.5}` with weight 10 → 6.5 (inside [5, 8)).
Without `level`, the level is read off the score. A score outside the band of
the stated level is an error.
"""
from __future__ import annotations

from decimal import Decimal

from pydantic import Field, field_validator

from engine.base.numeric import ONE, ZERO
from engine.ruleset.scoring.base import Number, Outcome, outcome, Params, ScoreInput, ScoringProblem, invalid
from engine.ruleset.scoring.manual import given_score

NAME = "qualitative"
BRANCHES = ()  # one per level


class Level(Params):
    level: str
    min: Number = Field(ge=0, le=1)  # share of the weight: 80% or 0.8


class Parameters(Params):
    levels: tuple[Level, ...] = (  # constructed, not validated: nothing built at import
        Level.model_construct(level="达成", min=Decimal("0.8")),
        Level.model_construct(level="部分达成", min=Decimal("0.6")),
        Level.model_construct(level="未达成", min=ZERO),
    )

    @field_validator("levels")
    @classmethod
    def _ordered(cls, levels):
        mins = [lv.min for lv in levels]
        if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
            raise invalid("params.levels_order")
        if not levels or levels[-1].min != ZERO:
            raise invalid("params.levels_last_zero")
        return levels


def branches(params: Parameters) -> tuple[str, ...]:
    return tuple(lv.level for lv in params.levels)


def band_of(params: Parameters, level: str) -> tuple[Decimal, Decimal, bool]:
    """(lower share, upper share, upper inclusive) of a level."""
    for i, lv in enumerate(params.levels):
        if lv.level == level:
            upper = ONE if i == 0 else params.levels[i - 1].min
            return lv.min, upper, i == 0
    raise KeyError(level)


def level_of(params: Parameters, share: Decimal) -> str:
    for lv in params.levels:
        if share >= lv.min:
            return lv.level
    return params.levels[-1].level


def score(inp: ScoreInput, params: Parameters, trace: bool = False) -> Outcome:
    s = given_score(inp)
    w = inp.weight
    if not ZERO <= s <= w:
        raise ScoringProblem("score.manual_out_of_range", "score", score=s, min=ZERO, max=w)
    level = inp.entry.get("level")
    if level is None:
        level = level_of(params, s / w if w else ONE)
    else:
        try:
            lo, hi, inclusive = band_of(params, level)
        except KeyError:
            raise ScoringProblem("score.unknown_level", "level", level=level, levels="、".join(lv.level for lv in params.levels)) from None
        if not (w * lo <= s and (s <= w * hi if inclusive else s < w * hi)):
            raise ScoringProblem(
                "score.outside_level", "score", score=s, level=level, low=w * lo, high=w * hi,
                bracket="]" if inclusive else ")",
            )
    steps = (("step.level", {"level": level, "score": s}),) if trace else ()
    return outcome((s, level, steps, None))
