"""The compiled form of a ruleset (`Plan`, 编译结果) and its parts.

A `Plan` is everything evaluation needs, checked once: the indicator tree with
parsed targets, compiled formulas and bound scoring methods, the derived
metrics in dependency order, and the consistency checks. Evaluating many units
reuses one plan. `engine.ruleset.compile` builds it; every later phase reads it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from types import ModuleType
from typing import Mapping, NamedTuple

from engine.base.diagnostics import Diagnostic, SourceSpan
from engine.base.sourcemap import SourceMap
from engine.ruleset.formula import Formula
from engine.ruleset.model import Check, Ruleset
from engine.ruleset.scoring.base import Params

NUMERIC_TYPES = ("money", "number", "percent", "count")
# The generated readers and evaluator (engine/unit/sheet_units.py, entries.entry_reader,
# engine/evaluation/specialised.py) are made for plans up to this many scored leaves:
# beyond, compiling them would cost more than they save (3,000 leaves: 7 s), and the
# general path serves alone.
SPECIALISE_MAX_LEAVES = 500
# Names every scoring-side formula (explain_if, custom methods) may use.
INDICATOR_NAMES = ("weight", "target", "actual")


class BoundMethod(NamedTuple):
    """A scoring method bound at compile time: its module, its checked
    parameters and its compiled formula (for `formula` scoring)."""

    method: ModuleType | None
    params: Params | None
    formula: Formula | None


@dataclass(frozen=True, slots=True)
class Node:
    """A compiled indicator (指标): what `Indicator` says, resolved and checked."""

    key: str
    name: str
    path: tuple
    depth: int
    weight: Decimal
    target: Decimal | str | None
    target_text: str | None
    operator: str | None
    unit: str | None
    value_type: str
    actual: Formula | None
    method: ModuleType | None
    params: Params | None
    method_formula: Formula | None
    explain_if: Formula | None
    children: tuple["Node", ...]
    frame: "Frame | None" = None  # rows: data — children come from each unit's rows
    in_total: bool = True  # 计入总分

    @property
    def is_leaf(self) -> bool:
        return not self.children and self.frame is None


@dataclass(frozen=True, slots=True)
class Frame:
    """What a frame node (`rows: data`) accepts: each allowed 一级 with its
    allowed 二级. `nested` frames sit above 一级 (a group of 一级 sharing one
    weight, each project splitting it); otherwise the frame is itself the 一级."""

    groups: Mapping[str, tuple[str, ...]]
    nested: bool
    goals: bool = False  # rows name a 年度绩效目标 above their 一级 (`goal:`)


@dataclass(frozen=True, slots=True)
class CompiledCheck:
    """A consistency check with its formulas compiled."""

    check: Check
    path: tuple
    formula: Formula | None = None  # row: over column names; equal: `computed`; compare: the right side
    left: Formula | None = None  # compare: the left side
    relation: str = "="  # compare: = < ≤ > ≥
    uses_results: bool = False  # reads 指标.score, 总分 …: evaluated after scoring


@dataclass(frozen=True)
class Plan:
    """A compiled ruleset, ready to evaluate any number of units."""

    ruleset: Ruleset
    file: str
    digest: str
    smap: SourceMap
    names: dict[str, str]  # every name a formula may read → 'number' | 'text'
    table_names: dict[str, tuple[str, str | None, str]]  # flat → (table, category, column)
    metrics: tuple[tuple[str, Formula, tuple], ...]
    roots: tuple[Node, ...]
    leaves: tuple[Node, ...]
    checks: tuple[CompiledCheck, ...]
    frames: tuple[Node, ...] = ()  # nodes whose children each unit's rows give
    row_methods: Mapping[str, BoundMethod] = field(default_factory=dict)  # 指标性质 → scoring for rows
    files: tuple[str, ...] = ()  # real paths of the ruleset file and of every file it extends (no output may replace them)
    # Warnings about the ruleset itself that do not stop it (weights that do not
    # add up under `policy.weights_mismatch: warn`): `validate` prints them and
    # every evaluation lists them among its findings.
    notices: tuple[Diagnostic, ...] = ()

    def node(self, key: str) -> Node | None:
        """The indicator with this id or name."""
        stack = list(self.roots)
        while stack:
            n = stack.pop()
            if n.key == key or n.name == key:
                return n
            stack.extend(n.children)
        return None

    def span(self, path: tuple) -> SourceSpan | None:
        return self.smap.value(path)


def leaves_of(nodes):
    """The scored leaves under `nodes`, in order (frames awaiting rows are not leaves)."""
    for n in nodes:
        if n.children:
            yield from leaves_of(n.children)
        elif n.frame is None:
            yield n
