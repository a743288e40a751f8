"""Consistency checks (勾稽关系): the identities a unit's tables and stated
figures must satisfy, as declared in the ruleset's `checks:`.

A difference within the check's tolerance is `info` (forms round to 0.01
万元); beyond it a `warning`. Each finding carries the stated figure, the
computed one, the difference and where the stated figure is in the data file.
Sums are recomputed bottom-up from the line items, so one wrong subtotal is
reported once, at that subtotal, and the totals above it are judged against
the items rather than against the wrong subtotal.
"""
from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any, Iterator

from engine.compile import CompiledCheck, Plan
from engine.inputs import Row, UnitData
from engine.numeric import ZERO, fmt_money
from engine.result import Finding


def run(plan: Plan, unit: UnitData, env: dict[str, Any]) -> list[Finding]:
    """Every failing check on this unit, as findings."""
    out: list[Finding] = []
    for cc in plan.checks:
        kind = cc.check.kind
        if kind == "row":
            out.extend(_row_check(cc, unit))
        elif kind == "sum":
            out.extend(_sum_check(cc, plan, unit))
        else:
            f = _equal_check(cc, plan, unit, env)
            if f is not None:
                out.append(f)
    return out


def _finding(cc: CompiledCheck, stated: Decimal, computed: Decimal, span, where: str) -> Finding | None:
    diff = stated - computed
    if diff == 0:
        return None
    severity = "info" if abs(diff) <= cc.check.tolerance else "warning"
    args = {
        "check": cc.check.label or cc.check.id, "where": where,
        "stated": fmt_money(stated), "computed": fmt_money(computed), "difference": fmt_money(diff),
    }
    return Finding("consistency", severity, "check.rounding" if severity == "info" else "check.mismatch", args, span, stated, computed, diff)


def _rows(row: Row) -> Iterator[Row]:
    yield row
    for r in row.rows:
        yield from _rows(r)


def _row_check(cc: CompiledCheck, unit: UnitData) -> Iterator[Finding]:
    table = unit.tables.get(cc.check.table)
    if table is None or cc.formula is None:
        return
    column = cc.check.column
    for row in _rows(table):
        involved = (column, *cc.formula.names)
        if all(row.values.get(c) is None for c in involved):
            continue  # a heading row with no figures
        env = {c: (v if isinstance(v, Decimal) else ZERO) for c, v in row.values.items()}
        for c in cc.formula.names:
            env.setdefault(c, ZERO)
        stated = row.values.get(column)
        stated = stated if isinstance(stated, Decimal) else ZERO
        try:
            computed = cc.formula.evaluate(env)
        except (decimal.DivisionByZero, decimal.InvalidOperation, ZeroDivisionError):
            continue
        f = _finding(cc, stated, computed, unit.span(row.path + (column,)), f"{cc.check.table}「{row.name}」{column}")
        if f:
            yield f


def _sum_check(cc: CompiledCheck, plan: Plan, unit: UnitData) -> Iterator[Finding]:
    table = unit.tables.get(cc.check.table)
    if table is None:
        return
    columns = cc.check.columns or tuple(plan.ruleset.tables[cc.check.table].columns)
    for col in columns:
        yield from _sum_column(cc, table, col, unit)


def _sum_column(cc: CompiledCheck, root: Row, col: str, unit: UnitData) -> Iterator[Finding]:
    found: list[Finding] = []

    def items_total(row: Row) -> Decimal:
        """The row's figure recomputed from its line items (blank = 0)."""
        if not row.rows:
            v = row.values.get(col)
            return v if isinstance(v, Decimal) else ZERO
        computed = sum((items_total(r) for r in row.rows), ZERO)
        stated = row.values.get(col)
        if isinstance(stated, Decimal):
            f = _finding(cc, stated, computed, unit.span(row.path + (col,)), f"{cc.check.table}「{row.name}」{col}")
            if f:
                found.append(f)
        return computed

    items_total(root)
    return iter(found)


def _equal_check(cc: CompiledCheck, plan: Plan, unit: UnitData, env: dict) -> Finding | None:
    stated = env.get(cc.check.stated)
    if not isinstance(stated, Decimal) or cc.formula is None:
        return None
    try:
        computed = cc.formula.evaluate(env)
    except (decimal.DivisionByZero, decimal.InvalidOperation, ZeroDivisionError, TypeError, KeyError):
        return None
    if not isinstance(computed, Decimal):
        return None
    return _finding(cc, stated, computed, stated_span(plan, unit, cc.check.stated), cc.check.stated)


def stated_span(plan: Plan, unit: UnitData, name: str):
    """Where the figure called `name` stands in the data file."""
    if name in plan.ruleset.inputs:
        return unit.span(("inputs", name))
    ref = plan.table_names.get(name)
    if ref is None:
        return None
    tname, category, column = ref
    root = unit.tables.get(tname)
    if root is None:
        return None
    if category is None:
        return unit.span(root.path + (column,))
    for row in _rows(root):
        if row.category == category:
            return unit.span(row.path + (column,))
    return unit.span(root.path)
