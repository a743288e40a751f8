"""Unit data (单位数据): a department's or project's figures, checked against the
ruleset's declared inputs, tables and indicators before anything is scored.

Staff type numbers as forms print them, so `3,921.33`, `93.59%`, full-width
digits and `—` / `/` / blank (an explicit empty) are all read. Every problem is
a located diagnostic, all reported at once; with any of them, nothing is
evaluated.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping

from engine.compile import NUMERIC_TYPES, Node, Plan, digest_of
from engine.diagnostics import Diagnostic, DiagnosticError, SourceSpan, sort_key
from engine.formula import suggest
from engine.numeric import ZERO, is_empty_mark, parse_number
from engine.sourcemap import SourceMap

TOP_KEYS = ("ruleset", "subject", "year", "inputs", "tables", "indicators", "indicator_rows", "notes")
ENTRY_KEYS = ("actual", "score", "level", "coefficient", "explanation", "adjusted_target", "not_applicable", "note")
ROW_KEYS = ("name", "category", "rows")
_EMPTY = object()


@dataclass(frozen=True, slots=True)
class Row:
    """A table row (表行): a line item, subtotal or total; sub-rows sum into it."""

    name: str
    category: str | None
    values: Mapping[str, Decimal | str | None]
    path: tuple
    rows: tuple["Row", ...] = ()


@dataclass(frozen=True)
class UnitData:
    """One unit's checked figures.

    `values` is the flat name → value mapping formulas read (inputs and table
    figures); `entries` holds each indicator's data by indicator key."""

    file: str
    digest: str
    subject: Mapping[str, Any]
    ruleset_ref: str | None
    values: Mapping[str, Any]
    entries: Mapping[str, Mapping[str, Any]]
    tables: Mapping[str, Row]
    smap: SourceMap = field(repr=False)
    # The plan with this unit's indicator rows in place, when the ruleset's
    # indicators come from the data (`rows: data`); `evaluate` uses it.
    plan: Plan | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return str(self.subject.get("name", ""))

    def span(self, path: tuple) -> SourceSpan | None:
        return self.smap.value(path)


def coerce(value: Any, kind: str, allow_negative: bool | None = None) -> tuple[Any, str | None]:
    """(value, None) or (None, problem code). `_EMPTY` means explicitly empty."""
    if value is None or (isinstance(value, str) and is_empty_mark(value)):
        return _EMPTY, None
    if kind == "text":
        if isinstance(value, (dict, list)):
            return None, "input.not_text"
        return (value if isinstance(value, str) else format(value, "f") if isinstance(value, Decimal) else str(value)), None
    if isinstance(value, bool) or isinstance(value, (dict, list)):
        return None, "input.not_number"
    if isinstance(value, str):
        number = parse_number(value)
        if number is None:
            return None, "input.not_number"
        if kind != "percent" and value.strip().endswith(("%", "％")):
            return None, "input.unexpected_percent"
    else:
        number = value
    if kind == "percent" and not (isinstance(value, str) and value.strip().endswith(("%", "％"))) and abs(number) > 2:
        return None, "input.percent_ambiguous"
    if kind == "count" and number != number.to_integral_value():
        return None, "input.not_integer"
    negative_ok = allow_negative if allow_negative is not None else kind in ("number", "percent")
    if number < 0 and not negative_ok:
        return None, "input.negative"
    return number, None


def read_unit(plan: Plan, raw: Any, smap: SourceMap, file: str, digest: str | None = None) -> UnitData:
    """Check `raw` (a loaded data file) against `plan`; raise with every problem."""
    problems: list[Diagnostic] = []
    where = lambda path: smap.value(path) or SourceSpan(file, 1, 1)  # noqa: E731
    if not isinstance(raw, dict):
        raise DiagnosticError([Diagnostic("input.not_mapping", where(()))])
    for key in raw:
        if key not in TOP_KEYS:
            problems.append(Diagnostic("input.unknown_key", smap.key((key,)), {"key": key, "suggestion": suggest(str(key), TOP_KEYS), "known": ", ".join(TOP_KEYS)}))

    subject = raw.get("subject")
    if isinstance(subject, str):
        subject = {"name": subject}
    elif not isinstance(subject, dict) or not isinstance(subject.get("name"), str):
        problems.append(Diagnostic("input.no_subject", where(("subject",))))
        subject = {"name": ""}
    ruleset_ref = raw.get("ruleset") if isinstance(raw.get("ruleset"), str) else None

    values: dict[str, Any] = {}
    problems += _read_inputs(plan, raw.get("inputs"), smap, values, where)
    tables: dict[str, Row] = {}
    problems += _read_tables(plan, raw.get("tables"), smap, tables, where)
    for flat, (tname, cat, col) in plan.table_names.items():
        if tname in tables:
            values[flat] = table_value(tables[tname], cat, col)
    entries: dict[str, dict] = {}
    problems += _read_entries(plan, raw.get("indicators"), smap, entries, where)
    unit_plan = None
    if plan.frames or "indicator_rows" in raw:  # a project's own indicators (engine/rows.py)
        from engine.rows import read_rows

        unit_plan, smap, row_problems = read_rows(plan, raw.get("indicator_rows"), smap, entries, where)
        problems += row_problems

    if problems:
        raise DiagnosticError(sorted(problems, key=sort_key))
    return UnitData(file, digest or "", subject, ruleset_ref, values, entries, tables, smap, unit_plan)


def _read_inputs(plan: Plan, given: Any, smap: SourceMap, values: dict, where) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    decls = plan.ruleset.inputs
    if given is None:
        given = {}
    if not isinstance(given, dict):
        return [Diagnostic("input.section_not_mapping", where(("inputs",)), {"section": "inputs"})]
    for name, value in given.items():
        decl = decls.get(name)
        if decl is None:
            problems.append(Diagnostic("input.unknown_input", smap.key(("inputs", name)), {"name": name, "suggestion": suggest(str(name), decls)}))
            continue
        v, code = coerce(value, decl.type, decl.allow_negative)
        if code:
            problems.append(Diagnostic(code, where(("inputs", name)), {"name": name, "value": _show(value), "label": decl.label or name}))
        elif v is _EMPTY:
            if decl.required and decl.default is None:
                problems.append(Diagnostic("input.required_empty", where(("inputs", name)), {"name": name, "label": decl.label or name}))
            values[name] = _default(decl)
        else:
            values[name] = v
    for name, decl in decls.items():
        if name not in given:
            if decl.required and decl.default is None:
                problems.append(Diagnostic("input.missing", where(("inputs",) if "inputs" in smap.values or given else ()), {"name": name, "label": decl.label or name}))
            else:
                values[name] = _default(decl)
    return problems


def _default(decl) -> Any:
    if decl.default is None:
        return None
    if decl.type == "text":
        return str(decl.default)
    v, _ = coerce(decl.default, decl.type, True)
    return None if v is _EMPTY else v


def _read_tables(plan: Plan, given: Any, smap: SourceMap, tables: dict, where) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    decls = plan.ruleset.tables
    if given is None:
        given = {}
    if not isinstance(given, dict):
        return [Diagnostic("input.section_not_mapping", where(("tables",)), {"section": "tables"})]
    for tname, rootdata in given.items():
        decl = decls.get(tname)
        if decl is None:
            problems.append(Diagnostic("input.unknown_table", smap.key(("tables", tname)), {"table": tname, "suggestion": suggest(str(tname), decls)}))
            continue
        row = _read_row(decl, rootdata, ("tables", tname), smap, problems, where, tname)
        if row is not None:
            tables[tname] = row
    for tname, decl in decls.items():
        if tname not in given and decl.required:
            problems.append(Diagnostic("input.missing_table", where(("tables",) if given else ()), {"table": tname, "label": decl.label or tname}))
    return problems


def _read_row(decl, data: Any, path: tuple, smap: SourceMap, problems: list, where, tname: str) -> Row | None:
    if not isinstance(data, dict):
        problems.append(Diagnostic("input.row_not_mapping", where(path), {"table": tname}))
        return None
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(Diagnostic("input.row_no_name", where(path), {"table": tname}))
        name = ""
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key in ROW_KEYS:
            continue
        col = decl.columns.get(key)
        if col is None:
            problems.append(Diagnostic("input.unknown_column", smap.key(path + (key,)), {"table": tname, "column": key, "suggestion": suggest(str(key), list(decl.columns) + list(ROW_KEYS))}))
            continue
        v, code = coerce(value, col.type, col.allow_negative)
        if code:
            problems.append(Diagnostic(code, where(path + (key,)), {"name": f"{tname}「{name}」{key}", "value": _show(value), "label": key}))
        else:
            values[key] = None if v is _EMPTY else v
    category = data.get("category")
    if category is not None and category not in decl.categories:
        problems.append(Diagnostic("input.unknown_category", where(path + ("category",)), {"table": tname, "category": category, "suggestion": suggest(str(category), decl.categories), "known": "、".join(decl.categories)}))
    if category is None and name in decl.categories:
        category = name
    children: list[Row] = []
    sub = data.get("rows")
    if sub is not None:
        if not isinstance(sub, list):
            problems.append(Diagnostic("input.rows_not_list", where(path + ("rows",)), {"table": tname}))
        else:
            for i, child in enumerate(sub):
                r = _read_row(decl, child, path + ("rows", i), smap, problems, where, tname)
                if r is not None:
                    children.append(r)
    return Row(name, category, values, path, tuple(children))


def table_value(root: Row, category: str | None, column: str) -> Decimal | None:
    """The total row's figure, or the sum over the rows of a category (a matched
    row's own sub-rows are not counted again). Blank cells count as 0."""
    if category is None:
        v = root.values.get(column)
        return v if v is None or isinstance(v, Decimal) else None
    total = ZERO
    stack = list(root.rows)
    while stack:
        row = stack.pop()
        if row.category == category:
            v = row.values.get(column)
            if isinstance(v, Decimal):
                total += v
        else:
            stack.extend(row.rows)
    return total


def _read_entries(plan: Plan, given: Any, smap: SourceMap, entries: dict, where) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    if given is None:
        given = {}
    if not isinstance(given, dict):
        return [Diagnostic("input.section_not_mapping", where(("indicators",)), {"section": "indicators"})]
    by_key = {n.key: n for n in plan.leaves}
    by_name = {n.name: n for n in plan.leaves}
    for key, entry in given.items():
        node = by_key.get(key) or by_name.get(key)
        path = ("indicators", key)
        if node is None:
            problems.append(Diagnostic("input.unknown_indicator", smap.key(path), {"name": key, "suggestion": suggest(str(key), list(by_key) + list(by_name))}))
            continue
        if not isinstance(entry, dict):
            problems.append(Diagnostic("input.entry_not_mapping", where(path), {"name": node.name}))
            continue
        problems += _read_entry(node, entry, path, smap, entries, where)
    for node in plan.leaves:
        if node.key not in entries:
            need = _needed_field(node)
            if need:
                problems.append(Diagnostic(f"input.missing_{need}", where(("indicators",) if given else ()), {"name": node.name}))
    return problems


def _needed_field(node: Node) -> str | None:
    if node.method is None:
        return None
    if node.method.NAME in ("manual", "qualitative"):
        return "score"
    if node.method.NAME == "coefficient":
        return "coefficient"
    if node.actual is None:
        return "actual"
    return None


def _read_entry(node: Node, entry: dict, path: tuple, smap: SourceMap, entries: dict, where) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    reported_before = 0
    out: dict[str, Any] = {}
    for field_name, value in entry.items():
        p = path + (field_name,)
        if field_name not in ENTRY_KEYS:
            problems.append(Diagnostic("input.unknown_entry_key", smap.key(p), {"key": field_name, "suggestion": suggest(str(field_name), ENTRY_KEYS), "known": ", ".join(ENTRY_KEYS)}))
            continue
        if field_name == "actual":
            if node.actual is not None:
                problems.append(Diagnostic("input.actual_is_computed", smap.key(p), {"name": node.name}))
                continue
            kind = node.value_type if node.value_type in NUMERIC_TYPES else "text"
            if node.method is not None and node.method.NAME in ("manual", "qualitative", "coefficient") and node.operator in (None, "定性"):
                kind = "text" if not isinstance(value, Decimal) else kind
            v, code = coerce(value, kind, True)
            if code:
                problems.append(Diagnostic("input.actual_not_number" if code == "input.not_number" else code, where(p), {"name": node.name, "value": _show(value), "label": node.name}))
                continue
            out["actual"] = None if v is _EMPTY else v
        elif field_name == "adjusted_target":
            kind = node.value_type if node.value_type in NUMERIC_TYPES else "text"
            v, code = coerce(value, kind, True)
            if code:
                problems.append(Diagnostic(code, where(p), {"name": node.name, "value": _show(value), "label": "调整指标值"}))
                continue
            out["adjusted_target"] = None if v is _EMPTY else v
        elif field_name in ("score", "coefficient"):
            v, code = coerce(value, "number", False)
            if code:
                problems.append(Diagnostic(code, where(p), {"name": node.name, "value": _show(value), "label": "得分" if field_name == "score" else "得分系数"}))
                continue
            out[field_name] = None if v is _EMPTY else v
        elif field_name == "not_applicable":
            if not isinstance(value, bool):
                problems.append(Diagnostic("schema.bad_type", where(p), {"key": field_name, "expected": "boolean", "value": _show(value)}))
                continue
            out[field_name] = value
        else:  # level, explanation, note: text
            if value is not None and not isinstance(value, str):
                value = format(value, "f") if isinstance(value, Decimal) else str(value)
            out[field_name] = value.strip() if isinstance(value, str) and value.strip() else None
    if not out.get("not_applicable"):
        need = _needed_field(node)
        # A field already reported as malformed is not reported again as missing.
        if need and out.get(need) is None and len(problems) == reported_before:
            problems.append(Diagnostic(f"input.missing_{need}", where(path + ((need,) if need in entry else ())), {"name": node.name}))
    entries[node.key] = out
    return problems


def _show(value: Any) -> str:
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def load_unit(plan: Plan, path: str, display: str | None = None) -> UnitData:
    """Load a data file (YAML or JSON) and check it against `plan`."""
    from engine.yaml_loader import load_text, read_file

    name = display or path
    text = read_file(path, name)
    raw, smap = load_text(text, name)
    return read_unit(plan, raw, smap, name, digest_of(text))
