"""What an evaluation produces (评价结果): immutable values, no formatting."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping, NamedTuple

from engine.ruleset.plan import Node, Plan
from engine.base.diagnostics import SourceSpan
from engine.unit.inputs import UnitData
from engine.ruleset.scoring.base import Outcome


class IndicatorResult(NamedTuple):
    """One indicator's score and how it came about (its `ScoreTrace`).

    `target` is the effective target (the adjusted one when given); `outcome`
    is the scoring method's result for a leaf (branch taken, unrounded score)."""

    node: Node
    target: Decimal | str | None
    actual: Decimal | str | None
    score: Decimal
    outcome: Outcome | None
    entry: Mapping[str, Any]
    children: tuple["IndicatorResult", ...] = ()
    not_applicable: bool = False

    @property
    def weight(self) -> Decimal:
        return self.node.weight


class Finding(NamedTuple):
    """Something a careful evaluator would flag (发现的问题): an inconsistent
    table, an unexplained deviation. `kind` is consistency | input | deviation |
    ruleset; `severity` error | warning | info."""

    kind: str
    severity: str
    code: str
    args: Mapping[str, Any]
    span: SourceSpan | None
    stated: Decimal | None = None
    computed: Decimal | None = None
    difference: Decimal | None = None

    def message(self, lang: str = "zh") -> str:
        # cold start: the message catalogue loads only when a message is shown
        from engine.base.messages import format_message

        return format_message(self.code, self.args, lang)


class Deviation(NamedTuple):
    """An indicator that missed its target or beat it by the exceed ratio or
    more (未完成 / 超额), with the explanation the data gives (偏差原因)."""

    key: str
    name: str
    kind: str  # 未完成 | 超额 | 需说明
    target: Decimal | str | None
    actual: Decimal | str | None
    ratio: Decimal | None
    explanation: str | None
    value_type: str
    unit: str | None
    span: SourceSpan | None


@dataclass(frozen=True)
class Result:
    """A unit's evaluation: the scored tree, total, grade, findings, deviations."""

    plan: Plan
    unit: UnitData
    env: Mapping[str, Any]
    indicators: tuple[IndicatorResult, ...]
    total: Decimal
    grade: str
    findings: tuple[Finding, ...]
    deviations: tuple[Deviation, ...]
    # (points earned, applicable weight) when not-applicable indicators were
    # dropped and the total rescaled to the full marks (policy.not_applicable: rescale).
    rescaled: tuple[Decimal, Decimal] | None = None

    def find(self, key: str) -> IndicatorResult | None:
        """The result of the indicator with this id or name."""
        stack = list(self.indicators)
        while stack:
            r = stack.pop()
            if r.node.key == key or r.node.name == key:
                return r
            stack.extend(r.children)
        return None


def leaves(results: "tuple[IndicatorResult, ...]"):
    """The scored leaves (末级指标) under `results`, in tree order."""
    stack = list(reversed(results))
    while stack:
        r = stack.pop()
        if r.children:
            stack.extend(reversed(r.children))
        else:
            yield r
