"""Consistency checks (勾稽关系): the identities a unit's tables and stated
figures must satisfy, as declared in the ruleset's `checks:`.

- `row`: in every row of a table, one column equals a formula over the row's
  columns (年初预算数 + 预算调整数 = 全年预算数);
- `sum`: every row with sub-rows equals the sum of its sub-rows, column by
  column (line items = subtotal, subtotals = total);
- `equal`: a figure stated in one place (an input, e.g. the report's text, or
  a table figure) equals a formula over others (the table's total).

A difference within the check's tolerance is `info` (forms round to 0.01
万元); beyond it a `warning`; exactly at the tolerance is still `info`. Each
finding carries the stated figure, the computed one, the difference (stated −
computed) and where the stated figure is in the data file.

One wrong figure is reported once, where it is:

- a subtotal is reported when it differs both from the sum of its line items
  and from the sum of the rows just below it as printed. A wrong subtotal is
  thus reported at itself (the total above it still agrees with the items),
  and a wrong line item at the subtotal directly above it (the totals further
  up still agree with the subtotals as printed); the figure shown as computed
  is always the sum of the line items;
- a row identity that fails on a subtotal row only because a figure of that
  row was already reported by the sum check is not reported again: it is
  re-checked with the reported figures replaced by their line-item sums, and
  reported only if it still fails.

Blank cells count as 0; a blank subtotal is not checked (a heading) and stands
for the sum of its items.
"""
from __future__ import annotations

import decimal
from decimal import Decimal
from operator import itemgetter
from typing import Any, Iterator

from engine.ruleset.plan import CompiledCheck, Plan
from engine.unit.inputs import TableRow, UnitData, row_label
from engine.ruleset.compile import TOTAL_NAME, is_result_name
from engine.base.numeric import ZERO, fmt_money, fmt_percent, fmt_score
from engine.evaluation.result import Finding
from engine.base.messages import LazyArgs

_ROW_NAME = itemgetter(TableRow._fields.index("name"))
_SUB_ROWS = itemgetter(TableRow._fields.index("rows"))
_ARITHMETIC = (decimal.DivisionByZero, decimal.InvalidOperation, decimal.Overflow, ZeroDivisionError)
_new = tuple.__new__  # a NamedTuple made without its Python-level __new__ (every field given)
# What a row identity's evaluation may raise that means "nothing to compare"
# (TypeError: a formula that divided truth values).
ROW_SKIPS = (*_ARITHMETIC, TypeError)
# (table, row path, column) → the figure recomputed from the line items, for
# every subtotal the sum check reported.
Corrections = dict[tuple[str, tuple, str], Decimal]


class _Table:
    """One of the unit's tables as the checks walk it: its rows in order (each
    row before its sub-rows), and row labels (counted only when needed)."""

    __slots__ = ("name", "root", "rows", "subtotals", "_names")

    def __init__(self, name: str, root: TableRow):
        self.name, self.root = name, root
        self.rows = _rows(root)
        self.subtotals = tuple(filter(_SUB_ROWS, self.rows))  # rows with sub-rows, each before its own
        self._names: list[str] | None = None

    def label(self, row: TableRow) -> str:
        if self._names is None:  # the names below the top row, from the rows already walked; each label counts one in C
            self._names = list(map(_ROW_NAME, self.rows[1:]))
        return row_label(self.name, row.name, row.trail, self._names.count)


def _tables(unit: UnitData) -> dict[str, _Table]:
    return {name: _Table(name, root) for name, root in unit.tables.items()}


def run(plan: Plan, unit: UnitData, env: dict[str, Any], results: tuple = (), total: Decimal | None = None) -> list[Finding]:
    """Every failing check on this unit, as findings (in the ruleset's order).

    `results` and `total` are the scored tree: checks that read them
    (`指标.score`, `总分`, …) see them beside the unit's figures."""
    if any(cc.uses_results for cc in plan.checks):
        env = {**env, **result_values(results, total)}
    corrections: Corrections = {}
    by_check: dict[int, list[Finding]] = {}
    tables = _tables(unit)
    # Sums first: their corrections tell the row checks which figures are known wrong.
    for i, cc in enumerate(plan.checks):
        if cc.check.kind == "sum":
            by_check[i] = list(_sum_check(cc, plan, unit, tables, corrections))
    for i, cc in enumerate(plan.checks):
        if cc.check.kind == "row":
            by_check[i] = list(_row_check(cc, unit, tables, corrections))
        elif cc.check.kind == "equal":
            f = _equal_check(cc, plan, unit, env)
            by_check[i] = [f] if f is not None else []
        elif cc.check.kind == "compare":
            f = _compare_check(cc, plan, unit, env)
            by_check[i] = [f] if f is not None else []
    return [f for i in range(len(plan.checks)) for f in by_check.get(i, ())]


def severity_of(difference: Decimal, tolerance: Decimal) -> str | None:
    """None when equal; `info` within the tolerance (inclusive); else `warning`."""
    if difference == 0:
        return None
    return "info" if abs(difference) <= tolerance else "warning"


def _finding(cc: CompiledCheck, stated: Decimal, computed: Decimal, span, where: Any, kind: str = "money") -> Finding | None:
    """A finding when `stated` and `computed` differ. `where` is the place's
    words, or (table, row, column) to be worded only when the message is."""
    diff = stated - computed
    if diff == 0:
        return None
    severity = "info" if abs(diff) <= cc.check.tolerance else "warning"
    code = "check.rounding" if severity == "info" else "check.mismatch"
    return _new(Finding, ("consistency", severity, code, LazyArgs(_args, cc, where, stated, computed, diff, kind), span, stated, computed, diff))


def _args(cc: CompiledCheck, where: Any, stated: Decimal, computed: Decimal, diff: Decimal, kind: str) -> dict:
    show = _FORMATS.get(kind, fmt_money)
    if where.__class__ is tuple:
        table, row, column = where
        where = f"{table.label(row)} › {column}"
    return {
        "check": cc.check.label or cc.check.id, "where": where,
        "stated": show(stated), "computed": show(computed), "difference": show(diff),
    }


def _plain(value: Decimal) -> str:
    return fmt_score(value, 4)


_FORMATS = {"money": fmt_money, "percent": fmt_percent, "number": _plain, "count": _plain}


def _rows(row: TableRow) -> list[TableRow]:
    """The row and all rows below it, each before its sub-rows (one walk, no recursion)."""
    out: list[TableRow] = []
    stack = [row]
    while stack:
        r = stack.pop()
        out.append(r)
        if r.rows:
            stack.extend(reversed(r.rows))
    return out


def _number(v: Any) -> Decimal:
    return v if isinstance(v, Decimal) else ZERO


def _row_check(cc: CompiledCheck, unit: UnitData, tables: dict[str, _Table], corrections: Corrections) -> Iterator[Finding]:
    tname = cc.check.table
    table = tables.get(tname)
    if table is None or cc.formula is None:
        return
    column = cc.check.column
    involved = (column, *cc.formula.names)
    for row in table.rows:
        values = row.values
        for c in involved:
            if values.get(c) is not None:
                break
        else:
            continue  # a heading row with no figures
        stated = _number(values.get(column))
        computed = _evaluate_row(cc, values)
        if computed is None or stated == computed:
            continue
        f = row_finding(cc, unit, table, row, stated, computed, corrections)
        if f:
            yield f


def row_finding(cc: CompiledCheck, unit: UnitData, table: _Table, row: TableRow, stated: Decimal, computed: Decimal,
                corrections: Corrections) -> Finding | None:
    """The finding of a row whose identity fails (`stated` ≠ `computed`),
    unless the sum check's corrections of its figures explain it."""
    tname, column, values = table.name, cc.check.column, row.values
    if corrections:
        fixed = {c: corrections[(tname, row.path, c)] for c in (column, *cc.formula.names) if (tname, row.path, c) in corrections}
        if fixed:
            recomputed = _evaluate_row(cc, {**values, **fixed})
            if recomputed is not None and fixed.get(column, stated) == recomputed:
                return None  # explained by subtotals the sum check already reported
    return _finding(cc, stated, computed, unit.span(row.path + (column,)), (table, row, column))


def _evaluate_row(cc: CompiledCheck, values) -> Decimal | None:
    names = cc.formula.names
    get = values.get
    # A row whose figures are all numbers (most) is read as it is; otherwise a
    # blank or text figure counts as 0, in a copy.
    env = values
    for c in names:
        if get(c).__class__ is not Decimal:
            env = {c: v if (v := get(c)).__class__ is Decimal or isinstance(v, Decimal) else ZERO for c in names}
            break
    try:
        value = cc.formula.evaluate(env)
    except ROW_SKIPS:
        return None
    return value if isinstance(value, Decimal) else None


def _sum_check(cc: CompiledCheck, plan: Plan, unit: UnitData, tables: dict[str, _Table], corrections: Corrections) -> Iterator[Finding]:
    table = tables.get(cc.check.table)
    if table is None:
        return
    columns = cc.check.columns or tuple(plan.ruleset.tables[table.name].columns)
    for col in columns:
        yield from _sum_column(cc, table, col, unit, corrections)


def _sum_column(cc: CompiledCheck, table: _Table, col: str, unit: UnitData, corrections: Corrections) -> list[Finding]:
    # Each subtotal's figure recomputed from its line items (blank = 0); sub-rows
    # come after their row, so walking backwards meets them first.
    items: dict[int, Decimal] = {}
    for row in reversed(table.subtotals):
        total = ZERO
        for r in row.rows:
            if r.rows:
                total += items[id(r)]
            else:
                v = r.values.get(col)
                if v.__class__ is Decimal:
                    total += v
        items[id(row)] = total
    found: list[Finding] = []
    for row in table.subtotals:
        stated = row.values.get(col)
        if stated.__class__ is not Decimal:
            continue
        computed = items[id(row)]
        if stated != computed:
            f = subtotal_finding(cc, unit, table, row, col, stated, computed, items, corrections)
            if f:
                found.append(f)
    return found


def subtotal_finding(cc: CompiledCheck, unit: UnitData, table: _Table, row: TableRow, col: str, stated: Decimal, computed: Decimal,
                     items: dict[int, Decimal], corrections: Corrections) -> Finding | None:
    """The finding of a subtotal whose figure differs from its items' sum.

    Reported only when it differs from the rows just below it as printed too:
    a wrong subtotal is reported at itself, not also at the total above it
    (which agrees with the items); a wrong item at its subtotal, not at every
    total further up. (The printed sum is needed only where the items
    disagree: most subtotals agree.)"""
    if stated == _printed_below(row, col, items):
        return None
    corrections[(table.name, row.path, col)] = computed
    return _finding(cc, stated, computed, unit.span(row.path + (col,)), (table, row, col))


def _printed_below(row: TableRow, col: str, items: dict[int, Decimal]) -> Decimal:
    """The sum of the rows just below `row` as printed (a blank subtotal
    stands for its items, a blank line item for 0)."""
    below = ZERO
    for r in row.rows:
        v = r.values.get(col)
        if r.rows:
            below += v if v.__class__ is Decimal else items[id(r)]
        elif v.__class__ is Decimal:
            below += v
    return below


# What an `equal` check's evaluation may raise that means "nothing to compare".
EQUAL_SKIPS = (*_ARITHMETIC, TypeError, KeyError)


def _equal_check(cc: CompiledCheck, plan: Plan, unit: UnitData, env: dict) -> Finding | None:
    stated = env.get(cc.check.stated)
    if not isinstance(stated, Decimal) or cc.formula is None:
        return None  # an optional figure left empty: nothing to compare
    try:
        computed = cc.formula.evaluate(env)
    except EQUAL_SKIPS:
        return None
    if computed.__class__ is not Decimal and not isinstance(computed, Decimal) or computed == stated:
        return None  # agreeing figures (most of them) need no words nor place
    return equal_finding(cc, plan, unit, stated, computed)


def equal_finding(cc: CompiledCheck, plan: Plan, unit: UnitData, stated: Decimal, computed: Decimal) -> Finding | None:
    """The finding of an `equal` check whose figures differ: placed and worded."""
    name = cc.check.stated
    decl = plan.ruleset.inputs.get(name)
    where = (decl.label if decl is not None and decl.label else name)
    span = stated_span(plan, unit, name) or plan.span(cc.path + ("stated",))
    return _finding(cc, stated, computed, span, where, _type_of(plan, name))


def relation_severity(difference: Decimal, relation: str, tolerance: Decimal) -> str | None:
    """None when `left relation right` holds (difference = left − right);
    else `info` when it fails by no more than the tolerance, `warning` beyond."""
    holds = {
        "=": difference == 0, "≤": difference <= 0, "<": difference < 0,
        "≥": difference >= 0, ">": difference > 0,
    }[relation]
    if holds:
        return None
    # With no tolerance a strict relation failing on equal figures is a real failure.
    return "info" if abs(difference) <= tolerance and tolerance > 0 else "warning"


def _compare_check(cc: CompiledCheck, plan: Plan, unit: UnitData, env: dict) -> Finding | None:
    try:
        left = cc.left.evaluate(env)
        right = cc.formula.evaluate(env)
    except (*_ARITHMETIC, TypeError, KeyError):
        return None  # a figure left empty or not a number: nothing to compare
    if not isinstance(left, Decimal) or not isinstance(right, Decimal):
        return None
    diff = left - right
    severity = relation_severity(diff, cc.relation, cc.check.tolerance)
    if severity is None:
        return None
    names = cc.left.names
    single = names[0] if len(names) == 1 and cc.left.text.strip() == names[0] else None
    span = (stated_span(plan, unit, single) if single else None) or plan.span(cc.path + ("formula",))
    show = _FORMATS.get(_type_of(plan, single) if single else _type_of(plan, cc.formula.names[0]) if cc.formula.names else "number", fmt_money)
    args = {
        "check": cc.check.label or cc.check.id, "left": " ".join(cc.left.text.split()), "right": " ".join(cc.formula.text.split()),
        "relation": cc.relation, "stated": show(left), "computed": show(right), "difference": show(diff),
        "named": "1" if cc.formula.names else "",  # a bare number on the right is not repeated
    }
    code = "check.relation_rounding" if severity == "info" else "check.relation_failed"
    return Finding("consistency", severity, code, args, span, left, right, diff)


def result_values(results: tuple, total: Decimal | None) -> dict[str, Any]:
    """`指标.score/.weight/.actual/.target` (by id and name) and `总分`."""
    out: dict[str, Any] = {TOTAL_NAME: total}
    stack = list(results)
    while stack:
        r = stack.pop()
        node = r.node
        for key in (node.key, node.name):
            out[f"{key}.score"] = r.score
            out[f"{key}.weight"] = node.weight
            if not r.children:
                out[f"{key}.actual"] = r.actual
                out[f"{key}.target"] = r.target
        stack.extend(r.children)
    return out


def _type_of(plan: Plan, name: str) -> str:
    """The declared type of a named figure (money, percent, …) for display."""
    if name == TOTAL_NAME:
        return "number"
    if is_result_name(name):
        owner, _, field = name.rpartition(".")
        node = plan.node(owner)
        return node.value_type if node is not None and field in ("actual", "target") else "number"
    if name in plan.ruleset.inputs:
        return plan.ruleset.inputs[name].type
    if name in plan.ruleset.metrics:
        return plan.ruleset.metrics[name].type
    ref = plan.table_names.get(name)
    if ref is not None:
        return plan.ruleset.tables[ref[0]].columns[ref[2]].type
    return "money"


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
