"""The JSON contract (a stable output for other systems).

Numbers are written as exact JSON numbers from their Decimal text (never via
float); keys keep a fixed order, so the same inputs give the same bytes.
"""
from __future__ import annotations

import json
from decimal import Decimal
from json.encoder import encode_basestring as _quote  # what json.dumps uses for text with ensure_ascii=False
from typing import Any

from engine.base.numeric import round_half_up
from engine.evaluation.display import show_target, show_value
from engine.evaluation.result import Result
from engine import __version__


def _num(value: Decimal) -> str:
    """A Decimal as a JSON number: its exact digits, no exponent, no trailing
    zeros after the point, and 0 for either zero."""
    text = str(value)  # plain notation, as format(value, "f") gives, unless it shows an exponent
    if "E" in text or "e" in text:
        text = format(value, "f")
    if text[-1] == "0" and "." in text:
        text = text.rstrip("0").rstrip(".")
        return "0" if text in ("", "-0") else text
    return "0" if text == "-0" else text


def dumps(value: Any, indent: int | None = 2, _level: int = 0) -> str:
    """JSON text with Decimals as numbers; `indent=None` writes it on one line."""
    parts: list[str] = []
    _encode(value, parts.append, indent, _level)
    return "".join(parts)


def _encode(value: Any, w, indent: int | None, level: int) -> None:
    cls = value.__class__
    if cls is str:
        w(_quote(value))
    elif cls is Decimal:
        w(_num(value))
    elif isinstance(value, bool) or value is None:
        w("true" if value is True else "false" if value is False else "null")
    elif isinstance(value, Decimal):
        w(_num(value))
    elif isinstance(value, (int, float, str)):
        w(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, dict):
        if not value:
            w("{}")
            return
        if indent is None:
            sep, colon, end = ",", ":", "}"
            w("{")
        else:
            pad = "\n" + " " * (indent * (level + 1))
            sep, colon, end = "," + pad, ": ", "\n" + " " * (indent * level) + "}"
            w("{" + pad)
        first = True
        for k, v in value.items():
            if not first:
                w(sep)
            first = False
            w(_quote(str(k)))
            w(colon)
            _encode(v, w, indent, level + 1)
        w(end)
    elif isinstance(value, (list, tuple)):
        if not value:
            w("[]")
            return
        if indent is None:
            sep, end = ",", "]"
            w("[")
        else:
            pad = "\n" + " " * (indent * (level + 1))
            sep, end = "," + pad, "\n" + " " * (indent * level) + "]"
            w("[" + pad)
        first = True
        for v in value:
            if not first:
                w(sep)
            first = False
            _encode(v, w, indent, level + 1)
        w(end)
    else:
        w(_quote(str(value)))


def _plain(value: Any) -> Any:
    return value if isinstance(value, (Decimal, str)) or value is None else str(value)


def indicator(r, places: int) -> dict:
    node = r.node
    out: dict[str, Any] = {
        "id": node.key,
        "name": node.name,
        "weight": node.weight,
        "score": round_half_up(r.score, places),
    }
    if not r.children:
        out.update(
            target=_plain(r.target),
            target_text=show_target(r),
            operator=node.operator,
            unit=node.unit,
            actual=_plain(r.actual),
            actual_text=show_value(r.actual, node.value_type, node.unit),
            method=node.method.NAME if node.method else None,
            branch=r.outcome.branch if r.outcome else None,
        )
        if r.not_applicable:
            out["not_applicable"] = True
    if not node.in_total:
        out["in_total"] = False
    out["children"] = [indicator(c, places) for c in r.children]
    return out


def finding(f, lang: str = "zh") -> dict:
    out: dict[str, Any] = {
        "kind": f.kind,
        "severity": f.severity,
        "code": f.code,
        "message": f.message(lang),
        "location": str(f.span) if f.span else None,
    }
    if f.stated is not None:
        out.update(stated=f.stated, computed=f.computed, difference=f.difference)
    return out


def deviation(d) -> dict:
    return {
        "id": d.key,
        "name": d.name,
        "kind": d.kind,
        "target": _plain(d.target),
        "actual": _plain(d.actual),
        "target_text": show_value(d.target, d.value_type, d.unit),
        "actual_text": show_value(d.actual, d.value_type, d.unit),
        "ratio": round_half_up(d.ratio, 4) if isinstance(d.ratio, Decimal) else None,
        "explanation": d.explanation,
        "location": str(d.span) if d.span else None,
    }


def engine_name() -> str:
    """The engine and its version, as the stamp names it."""

    return f"jixiao {__version__}"


def stamp(result: Result) -> dict:
    """What makes the result reproducible: engine version and content hashes."""
    return {"engine": engine_name(), "ruleset_digest": result.plan.digest, "input_digest": result.unit.digest}


def as_dict(result: Result, lang: str = "zh") -> dict:
    rs = result.plan.ruleset
    places = rs.rounding.places
    out = {
        "ruleset": {"id": rs.id, "title": rs.title, "year": rs.year, "kind": rs.kind, "file": result.plan.file},
        "subject": dict(result.unit.subject),
        "total": result.total,
        "grade": result.grade,
        "indicators": [indicator(r, places) for r in result.indicators],
        "findings": [finding(f, lang) for f in result.findings],
        "deviations": [deviation(d) for d in result.deviations],
        "stamp": stamp(result),
    }
    if result.rescaled is not None:  # not-applicable indicators dropped (policy.not_applicable: rescale)
        points, applicable = result.rescaled
        out["rescaled"] = {"points": round_half_up(points, places), "applicable_weight": applicable}
    return out


def render(result: Result, lang: str = "zh") -> str:
    return dumps(as_dict(result, lang)) + "\n"
