"""Schema errors → located diagnostics, and the semantic checks of a ruleset.

Each semantic check is a small generator that yields `Diagnostic`s; the caller
collects them all. Paths index the raw YAML tree, so every diagnostic can be
placed with the `SourceMap`.
"""
from __future__ import annotations

import copy
import re
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterator, Mapping

from pydantic import BaseModel, ValidationError

from engine.base.diagnostics import Diagnostic
from engine.ruleset.formula import suggest
from engine.base.messages import CATALOG
from engine.base.numeric import round_half_up, show_value
from engine.base.sourcemap import SourceMap

_TYPE_CODES = {
    "int_type": "integer", "int_parsing": "integer", "int_from_float": "integer",
    "decimal_type": "number", "decimal_parsing": "number", "decimal_whole_digits": "number",
    "string_type": "text", "bool_type": "boolean", "bool_parsing": "boolean",
    "dict_type": "mapping", "model_type": "mapping", "model_attributes_type": "mapping",
    "list_type": "list", "tuple_type": "list",
}


PLACEHOLDER = "\u2047"  # ⁇ marks text put in place of a refused value

_BOUNDS = {"greater_than_equal": "≥", "less_than_equal": "≤", "greater_than": ">", "less_than": "<"}


def _unwrap(annotation: Any) -> Any:
    """The model class inside Optional[...], tuple[...], dict[str, ...]."""
    for _ in range(4):
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation
        args = [a for a in typing.get_args(annotation) if a is not type(None) and a is not Ellipsis]
        if not args:
            return None
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        annotation = models[0] if models else args[-1]
    return None


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the model reached by following `loc` from `model`."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                continue  # a dict key or list index: stay on the same item model
            current = _unwrap(field.annotation)
            if current is None:
                return []
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _clean_loc(raw: Any, loc: tuple) -> tuple:
    """Drop union member names and validator tags pydantic puts in `loc`."""
    out: list = []
    node = raw
    for part in loc:
        if isinstance(node, dict) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and part == loc[-1]:
            out.append(part)  # a missing or unknown key: keep it for the message
            node = None
    return tuple(out)


def schema_diagnostics(
    error: ValidationError, raw: Any, smap: SourceMap, model: type[BaseModel], prefix: tuple = ()
) -> list[Diagnostic]:
    """Turn pydantic's errors into located, plain-word diagnostics (deduplicated)."""
    out: dict[tuple, Diagnostic] = {}
    for err in error.errors(include_url=False):
        loc = _clean_loc(raw, tuple(err["loc"]))
        kind = err["type"]
        path = prefix + loc
        field = str(loc[-1]) if loc else ""
        if kind == "extra_forbidden":
            known = _fields_at(model, loc[:-1])
            d = Diagnostic("schema.unknown_key", smap.key(path), {"key": _short(field), "suggestion": suggest(field, known), "known": ", ".join(known)})
        elif kind == "missing":
            d = Diagnostic("schema.missing_key", smap.value(path[:-1]), {"key": field})
        elif kind == "literal_error":
            choices = typing.get_args(_strip_optional(_annotation_at(model, loc)[0]))
            expected = " / ".join(map(str, choices)) or err.get("ctx", {}).get("expected", "")
            d = Diagnostic("schema.bad_choice", smap.value(path), {"key": field, "value": _short(err.get("input")), "expected": expected})
        elif kind in CATALOG:  # a validator's own coded error (scoring.base.invalid)
            d = Diagnostic(kind, smap.value(path), {"key": field, **err.get("ctx", {})})
        elif kind in _TYPE_CODES:
            d = Diagnostic("schema.bad_type", smap.value(path), {"key": field, "expected": _TYPE_CODES[kind], "value": _short(err.get("input"))})
        elif kind in _BOUNDS:
            bound = _short(next(iter(err.get("ctx", {}).values()), ""))
            d = Diagnostic("schema.out_of_range", smap.value(path), {"key": field, "value": _short(err.get("input")), "op": _BOUNDS[kind], "bound": bound})
        else:
            d = Diagnostic("schema.invalid", smap.value(path), {"key": field, "detail": err["msg"].removeprefix("Value error, ")})
        out.setdefault(path, d)
    return list(out.values())


def set_aside(error: ValidationError, raw: Any, model: type[BaseModel]) -> tuple[BaseModel, frozenset] | None:
    """The model validated from a copy of `raw` in which every value the schema
    refused is set aside, so one schema error does not hide the problems in the
    rest of the file: an unknown key is dropped; a bad optional value falls back
    to its default; a bad or missing required value gets a neutral placeholder.

    Returns the model and the paths whose values were replaced (the caller
    skips the checks those would make meaningless), or None when the data
    cannot be salvaged."""
    data = copy.deepcopy(raw)
    replaced: set[tuple] = set()
    for _ in range(4):  # a placeholder can itself need one (a missing item's fields)
        for err in error.errors(include_url=False):
            loc = _clean_loc(data, tuple(err["loc"]))
            parent = _walk(data, loc[:-1]) if loc else None
            if parent is None:
                return None
            key = loc[-1]
            if err["type"] == "extra_forbidden":
                if isinstance(parent, dict):
                    parent.pop(key, None)
                continue
            annotation, required = _annotation_at(model, loc)
            if not required and isinstance(parent, dict):
                parent.pop(key, None)
            elif isinstance(parent, dict) or (isinstance(parent, list) and isinstance(key, int) and key < len(parent)):
                parent[key] = _placeholder(annotation, loc)
            else:
                return None
            replaced.add(loc)
        try:
            return model.model_validate(data), frozenset(replaced)
        except ValidationError as e:
            error = e
    return None


@dataclass(frozen=True)
class Unsure:
    """What values set aside by `set_aside` make unreliable, so that their
    checks are skipped rather than reported as misleading follow-on errors."""

    weights: bool = False  # a weight, the total, or part of the tree
    grades: bool = False
    names: bool = False  # a whole inputs/metrics section or a table's columns
    nodes: Mapping[tuple, frozenset] = field(default_factory=dict)  # indicator path → fields set aside ("*": all)
    checks: frozenset = frozenset()  # check paths with a value set aside

    @classmethod
    def of(cls, paths: frozenset) -> "Unsure":
        def node_of(loc: tuple) -> tuple | None:
            for end in range(len(loc), 1, -1):
                if isinstance(loc[end - 1], int) and loc[end - 2] in ("indicators", "children"):
                    return loc[:end]
            return None

        tree = [p for p in paths if p[:1] == ("indicators",)]
        nodes: dict[tuple, set] = {}
        for p in tree:
            node = node_of(p)
            if node is not None:
                nodes.setdefault(node, set()).add(p[len(node)] if len(p) > len(node) else "*")
        return cls(
            weights=("total",) in paths or any(len(p) == 1 or node_of(p) == p or p[-1] in ("weight", "children") for p in tree),
            grades=any(p[:1] in (("grades",), ("total",)) for p in paths),
            names=any(p[:1] == ("tables",) or p in (("inputs",), ("metrics",)) for p in paths),
            nodes={k: frozenset(v) for k, v in nodes.items()},
            checks=frozenset(p[:2] for p in paths if p[:1] == ("checks",) and len(p) >= 2),
        )


def _walk(data: Any, path: tuple) -> Any:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data if isinstance(data, (dict, list)) else None


def _strip_optional(annotation: Any) -> Any:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and args:
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        return models[0] if models else args[0]
    return annotation


def _annotation_at(model: type[BaseModel], loc: tuple) -> tuple[Any, bool]:
    """The declared type of the value at `loc`, and whether it is required."""
    annotation: Any = model
    required = True
    for part in loc:
        annotation = _strip_optional(annotation)
        origin = typing.get_origin(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None, True
            annotation, required = field.annotation, field.is_required()
        elif origin in (dict, tuple, list):
            args = typing.get_args(annotation)
            annotation, required = (args[1] if origin is dict else args[0]) if args else None, True
        else:
            return None, True
    return annotation, required


def _placeholder(annotation: Any, path: tuple) -> Any:
    """A neutral value of the declared type (never seen by the user: checks
    that could read it are skipped)."""
    annotation = _strip_optional(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return typing.get_args(annotation)[0]
    if origin in (tuple, list):
        return []
    if origin is dict:
        return {}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {k: _placeholder(f.annotation, path + (k,)) for k, f in annotation.model_fields.items() if f.is_required()}
    if annotation is int:
        return 0
    if annotation is Decimal:
        return Decimal(0)
    if annotation is bool:
        return False
    # A formula that compiles; otherwise text no real name can clash with.
    return "0" if path and path[-1] == "formula" else PLACEHOLDER + "/".join(map(str, path))


def mentions_placeholder(d: Diagnostic) -> bool:
    """Whether a diagnostic speaks of a placeholder (so it is a follow-on)."""
    return any(isinstance(v, str) and PLACEHOLDER in v for v in d.args.values())


def _short(value: Any) -> str:
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text if len(text) <= 40 else text[:37] + "…"
    return show_value(value)  # a mapping or list as the YAML's JSON twin writes it, not Python's repr


def weight_sums(indicators, total: Decimal, smap: SourceMap) -> Iterator[Diagnostic]:
    """Children's weights (分值) sum to their parent's; the tree sums to the total
    (top-level indicators shown beside the total, `in_total: false`, aside)."""
    top = sum((i.weight for i in indicators if i.in_total), Decimal(0))
    if top != total:
        yield Diagnostic("ruleset.total_mismatch", smap.value(("indicators",)), {"sum": top, "total": total})

    def walk(nodes, path):
        for i, node in enumerate(nodes):
            p = path + (i,)
            if node.weight < 0:
                yield Diagnostic("ruleset.negative_weight", smap.value(p + ("weight",)), {"name": node.name})
            if node.children:
                s = sum((c.weight for c in node.children), Decimal(0))
                if s != node.weight:
                    yield Diagnostic(
                        "ruleset.weights_mismatch", smap.value(p + ("weight",)),
                        {"name": node.name, "sum": s, "weight": node.weight, "count": len(node.children)},
                    )
                yield from walk(node.children, p + ("children",))

    yield from walk(indicators, ("indicators",))


def weight_places(indicators, rounding, smap: SourceMap) -> Iterator[Diagnostic]:
    """Under `scope: indicator` a leaf's full marks are rounded to `places`
    decimals: a weight with more decimals would round above itself (2.5 → 3)."""
    if rounding.scope != "indicator":
        return
    def walk(nodes, path):
        for i, node in enumerate(nodes):
            p = path + (i,)
            if node.children:
                yield from walk(node.children, p + ("children",))
            elif node.weight != round_half_up(node.weight, rounding.places):
                yield Diagnostic("ruleset.weight_places", smap.value(p + ("weight",)), {"name": node.name, "weight": node.weight, "places": rounding.places})

    yield from walk(indicators, ("indicators",))


def unique_ids(indicators, smap: SourceMap) -> Iterator[Diagnostic]:
    """Every indicator's id (or, without one, its name) names it once."""
    seen: dict[str, tuple] = {}

    def walk(nodes, path):
        for i, node in enumerate(nodes):
            p = path + (i,)
            key = node.id or node.name
            if key in seen:
                first = smap.value(seen[key])
                yield Diagnostic("ruleset.duplicate_id", smap.value(p + ("id" if node.id else "name",)), {"id": key, "first": first.line if first else "?"})
            else:
                seen[key] = p + ("id" if node.id else "name",)
            yield from walk(node.children, p + ("children",))

    yield from walk(indicators, ("indicators",))


def grade_bands(grades, total: Decimal, smap: SourceMap) -> Iterator[Diagnostic]:
    """Bands cover [0, total] with no overlap and no gap, highest first."""
    if not grades:
        yield Diagnostic("ruleset.no_grades", smap.value(("grades",)))
        return
    labels: set[str] = set()
    for i, band in enumerate(grades):
        if band.label in labels:
            yield Diagnostic("ruleset.grade_duplicate", smap.value(("grades", i, "label")), {"label": band.label})
        labels.add(band.label)
        if i and band.min >= grades[i - 1].min:
            yield Diagnostic("ruleset.grade_order", smap.value(("grades", i, "min")), {"label": band.label, "previous": grades[i - 1].label})
            return
    for i, band in enumerate(grades):
        upper = total if i == 0 else grades[i - 1].min
        if band.max is not None and band.max < upper:
            yield Diagnostic("ruleset.grade_gap", smap.value(("grades", i, "max")), {"label": band.label, "low": band.max, "high": upper})
        elif band.max is not None and band.max > upper and i == 0:
            yield Diagnostic("ruleset.grade_above_total", smap.value(("grades", i, "max")), {"label": band.label, "value": band.max, "total": total})
        elif band.max is not None and band.max > upper:
            yield Diagnostic("ruleset.grade_overlap", smap.value(("grades", i, "max")), {"label": band.label, "other": grades[i - 1].label if i else "", "value": band.max, "high": upper})
    if grades[-1].min > 0:
        yield Diagnostic("ruleset.grade_gap", smap.value(("grades", len(grades) - 1, "min")), {"label": grades[-1].label, "low": Decimal(0), "high": grades[-1].min})
    if grades[-1].min < 0:
        yield Diagnostic("ruleset.grade_below_zero", smap.value(("grades", len(grades) - 1, "min")), {"label": grades[-1].label})


def report_spec(report, tables, smap: SourceMap) -> Iterator[Diagnostic]:
    """The report section: narrative keys and attachments named once each."""
    seen: dict[str, int] = {}
    for i, decl in enumerate(report.narrative):
        if decl.key in seen:
            first = smap.value(("report", "narrative", seen[decl.key], "key"))
            yield Diagnostic("ruleset.narrative_duplicate", smap.value(("report", "narrative", i, "key")), {"key": decl.key, "first": first.line if first else "?"})
        else:
            seen[decl.key] = i
    for i, item in enumerate(report.attachments):
        if item in report.attachments[:i]:
            yield Diagnostic("ruleset.attachment_duplicate", smap.value(("report", "attachments", i)), {"item": item})


_CELL_ADDRESS = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}")
_INDICATOR_FIELDS = ("actual", "adjusted_target", "level", "score", "coefficient", "explanation")
_STATED_FIELDS = ("score", "weight", "rate")


def _ids(indicators) -> set[str]:
    out: set[str] = set()
    for ind in indicators:
        out.add(ind.id)
        out |= _ids(ind.children)
    return out


def form_path_problem(path: str, ruleset) -> str | None:
    """Why a `form:` data path names no place in a unit's data (None when it does)."""
    parts = path.split(".")
    head, rest = parts[0], parts[1:]
    if head == "subject":
        return None if len(rest) == 1 and rest[0] else "subject.名称"
    if head == "inputs":
        return None if len(rest) == 1 and rest[0] in ruleset.inputs else "inputs.<已声明的输入项>"
    if head == "tables":
        if not rest or rest[0] not in ruleset.tables:
            return "tables.<已声明的表>.<栏目>"
        columns = ruleset.tables[rest[0]].columns
        tail = rest[1:]
        while len(tail) >= 3 and tail[0] == "rows" and tail[1].isdigit():
            tail = tail[2:]
        return None if len(tail) == 1 and (tail[0] in columns or tail[0] == "name") else f"tables.{rest[0]}.[rows.<序号>.]<{'、'.join(columns)}>"
    if head == "indicators":
        return None if len(rest) == 2 and rest[0] in _ids(ruleset.indicators) and rest[1] in _INDICATOR_FIELDS else f"indicators.<指标 id>.<{'、'.join(_INDICATOR_FIELDS)}>"
    if head == "stated":
        if rest in (["total"], ["grade"]):
            return None
        if len(rest) == 3 and rest[0] == "indicators" and rest[2] in _STATED_FIELDS:
            return None
        if len(rest) == 2 and rest[0] == "groups":
            return None
        return "stated.total、stated.grade、stated.indicators.<名称>.score、stated.groups.<名称>"
    return "subject.… / inputs.… / tables.… / indicators.… / stated.…"


def form_spec(form, ruleset, smap: SourceMap, aside: frozenset = frozenset()) -> Iterator[Diagnostic]:
    """The `form:` layout: every place names a place in the unit's data and is
    found one way only; each table names a declared table and its columns
    (`aside`: paths the schema already refused, not reported again)."""
    if form is None:
        return
    for path in form.constants:
        why = form_path_problem(path, ruleset)
        if why is not None:
            yield Diagnostic("ruleset.form_path", smap.key(("form", "constants", path)), {"path": path, "expected": why})
    figures = 0
    for s, sheet in enumerate(form.sheets):
        at = ("form", "sheets", s)
        for path, place in sheet.cells.items():
            why = form_path_problem(path, ruleset)
            if why is not None:
                yield Diagnostic("ruleset.form_path", smap.key(at + ("cells", path)), {"path": path, "expected": why})
            ways = [w for w, given in (("label", place.label), ("row/column", place.row or place.column), ("cell", place.cell)) if given]
            if len(ways) != 1 or (place.row is None) != (place.column is None):
                yield Diagnostic("ruleset.form_place", smap.value(at + ("cells", path)), {"path": path})
            if place.cell is not None and not _CELL_ADDRESS.fullmatch(place.cell):
                yield Diagnostic("ruleset.form_cell", smap.value(at + ("cells", path, "cell")), {"cell": place.cell})
        if sheet.indicators is not None:
            fields = list(sheet.indicators.columns.values())
            repeated = sorted({f for f in fields if fields.count(f) > 1})
            refused = any(tuple(p[:4]) == ("form", "sheets", s, "indicators") for p in aside)
            if not refused and ("name" not in fields or repeated):
                yield Diagnostic("ruleset.form_columns", smap.value(at + ("indicators", "columns")), {"repeated": "、".join(repeated) or "—"})
        if sheet.table is not None:
            t = sheet.table
            if t.table not in ruleset.tables:
                yield Diagnostic("ruleset.form_table", smap.value(at + ("table", "table")), {"table": t.table, "known": "、".join(ruleset.tables) or "—"})
            else:
                known = ("level", "name", "category") + tuple(ruleset.tables[t.table].columns)
                for header, col in t.columns.items():
                    if col not in known:
                        yield Diagnostic("ruleset.form_table_column", smap.value(at + ("table", "columns", header)), {"column": col, "table": t.table, "known": "、".join(known)})
                if "name" not in t.columns.values():
                    yield Diagnostic("ruleset.form_columns", smap.value(at + ("table", "columns")), {"repeated": "—"})
        figures += sheet.figures is not None
        if sheet.figures is not None and figures > 1:
            yield Diagnostic("ruleset.form_figures_twice", smap.value(at + ("figures",)))
