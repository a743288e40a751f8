"""What-if (假设分析): change figures by name, see every score move.

`evaluate DATA --set 全年执行数=4000 --set 预算执行率=0.95` and the workbench's
what-if page both come here. A setting names

- an input (`inputs:`) or a table figure (`支出表.合计`): the unit's value is replaced;
- a metric (`全年执行数`): its computed value is replaced, and everything that
  reads it follows;
- an indicator (by name or id): the figure the unit gives for it is replaced
  (its `actual`, or its `score` / `coefficient` when judged by the evaluator).

The values are read as the data file's values are (`3,921.33`, `93.59%`,
`12人`). Unknown names and unreadable values are reported all at once, each
located at its setting: `--set:2:7` is the second setting, seventh character.
"""
from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple, Sequence

from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan
from engine.ruleset.plan import Plan
from engine.ruleset.formula import suggest
from engine.unit.inputs import UnitData, coerce

_JUDGED_FIELD = {"manual": "score", "qualitative": "score", "coefficient": "coefficient"}


class Setting(NamedTuple):
    """One `名称=值`: the name, the value's text, and where each was given."""

    name: str
    value: str
    at: SourceSpan  # the name
    value_at: SourceSpan  # the value


def parse(assignments: Sequence[str], file: str = "--set") -> list[Setting]:
    """`名称=值` texts as settings; raise `DiagnosticError` for any without `=`."""
    out, problems = [], []
    for i, text in enumerate(assignments, start=1):
        name, eq, value = text.partition("=")
        if not eq or not name.strip():
            problems.append(Diagnostic("whatif.not_assignment", SourceSpan(file, i, 1), {"text": text}))
            continue
        lead = len(name) - len(name.lstrip())
        out.append(Setting(name.strip(), value.strip(), SourceSpan(file, i, 1 + lead), SourceSpan(file, i, len(name) + 2)))
    if problems:
        raise DiagnosticError(problems)
    return out


def names(plan: Plan, unit: UnitData | None = None) -> list[str]:
    """Every name a setting may use, in the ruleset's order."""
    p = unit.plan if unit is not None and unit.plan is not None else plan
    out = list(plan.ruleset.inputs) + list(plan.table_names) + [m[0] for m in plan.metrics]
    return out + [n.name for n in p.leaves]


def apply(plan: Plan, unit: UnitData, settings: Sequence[Setting]) -> tuple[UnitData, dict[str, Any]]:
    """The unit with the indicator settings in place, and the figures fixed by
    name (for `evaluate(plan, unit, fixed=…)`). Raises `DiagnosticError` with
    every unknown name and unreadable value."""
    p = unit.plan if unit.plan is not None else plan
    metrics = {m[0] for m in plan.metrics}
    leaves = {n.name: n for n in p.leaves}
    leaves.update({n.key: n for n in p.leaves})
    fixed: dict[str, Any] = {}
    entries = {k: dict(v) for k, v in unit.entries.items()}
    problems: list[Diagnostic] = []

    def read(s: Setting, kind: str, allow_negative: bool | None, unit_word: str | None) -> Any:
        value, code = coerce(s.value, kind, allow_negative, unit_word)
        if code is not None or value is None or not (kind == "text" or hasattr(value, "is_finite")):
            problems.append(Diagnostic("whatif.bad_value", s.value_at, {"name": s.name, "value": s.value}))
            return None
        return value

    for s in settings:
        decl = plan.ruleset.inputs.get(s.name)
        if decl is not None:
            v = read(s, decl.type, decl.allow_negative, decl.unit)
            if v is not None:
                fixed[s.name] = v
        elif s.name in plan.table_names:
            tname, _, col = plan.table_names[s.name]
            cdecl = plan.ruleset.tables[tname].columns[col]
            v = read(s, cdecl.type, getattr(cdecl, "allow_negative", None), getattr(cdecl, "unit", None))
            if v is not None:
                fixed[s.name] = v
        elif s.name in metrics:
            v = read(s, "number", True, None)
            if v is not None:
                fixed[s.name] = v
        elif s.name in leaves:
            node = leaves[s.name]
            method = node.method.NAME if node.method is not None else None
            field = _JUDGED_FIELD.get(method or "")
            if field is None and node.actual is not None:
                problems.append(Diagnostic("whatif.computed", s.at, {"name": s.name, "formula": node.actual.text}))
                continue
            kind = "number" if field else node.value_type
            v = read(s, kind if kind in ("money", "number", "percent", "count") else "text", True, node.unit)
            if v is not None:
                entry = entries.setdefault(node.key, {})
                entry[field or "actual"] = v
                entry.pop("not_applicable", None)
        else:
            problems.append(Diagnostic("whatif.unknown_name", s.at, {"name": s.name, "suggestion": suggest(s.name, names(plan, unit))}))
    if problems:
        raise DiagnosticError(problems)
    return dataclasses.replace(unit, entries=entries), fixed
