"""Schema errors → located diagnostics, and the semantic checks of a ruleset.

Each semantic check is a small generator that yields `Diagnostic`s; the caller
collects them all. Paths index the raw YAML tree, so every diagnostic can be
placed with the `SourceMap`.
"""
from __future__ import annotations

import typing
from decimal import Decimal
from typing import Any, Iterator

from pydantic import BaseModel, ValidationError

from engine.diagnostics import Diagnostic
from engine.formula import suggest
from engine.sourcemap import SourceMap

_TYPE_CODES = {
    "int_type": "integer", "int_parsing": "integer", "int_from_float": "integer",
    "decimal_type": "number", "decimal_parsing": "number", "decimal_whole_digits": "number",
    "string_type": "text", "bool_type": "boolean", "bool_parsing": "boolean",
    "dict_type": "mapping", "model_type": "mapping", "model_attributes_type": "mapping",
    "list_type": "list", "tuple_type": "list",
}


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
            d = Diagnostic("schema.unknown_key", smap.key(path), {"key": field, "suggestion": suggest(field, known), "known": ", ".join(known)})
        elif kind == "missing":
            d = Diagnostic("schema.missing_key", smap.value(path[:-1]), {"key": field})
        elif kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            d = Diagnostic("schema.bad_choice", smap.value(path), {"key": field, "value": _short(err.get("input")), "expected": expected})
        elif kind in _TYPE_CODES:
            d = Diagnostic("schema.bad_type", smap.value(path), {"key": field, "expected": _TYPE_CODES[kind], "value": _short(err.get("input"))})
        elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            d = Diagnostic("schema.out_of_range", smap.value(path), {"key": field, "value": _short(err.get("input")), "detail": err["msg"]})
        else:
            d = Diagnostic("schema.invalid", smap.value(path), {"key": field, "detail": err["msg"].removeprefix("Value error, ")})
        out.setdefault(path, d)
    return list(out.values())


def _short(value: Any) -> str:
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    return text if len(text) <= 40 else text[:37] + "…"


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
        elif band.max is not None and band.max > upper:
            yield Diagnostic("ruleset.grade_overlap", smap.value(("grades", i, "max")), {"label": band.label, "other": grades[i - 1].label if i else "", "value": band.max, "high": upper})
    if grades[-1].min > 0:
        yield Diagnostic("ruleset.grade_gap", smap.value(("grades", len(grades) - 1, "min")), {"label": grades[-1].label, "low": Decimal(0), "high": grades[-1].min})
    if grades[-1].min < 0:
        yield Diagnostic("ruleset.grade_below_zero", smap.value(("grades", len(grades) - 1, "min")), {"label": grades[-1].label})
