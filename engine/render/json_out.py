"""The JSON contract (a stable output for other systems).

Numbers are written as exact JSON numbers from their Decimal text (never via
float); keys keep a fixed order, so the same inputs give the same bytes.
"""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from engine.numeric import round_half_up
from engine.render.common import show_target, show_value
from engine.result import Result


def _num(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def dumps(value: Any, indent: int | None = 2, _level: int = 0) -> str:
    """JSON text with Decimals as numbers; `indent=None` writes it on one line."""
    nl, colon = ("\n", ": ") if indent is not None else ("", ":")
    pad = " " * (indent * (_level + 1)) if indent is not None else ""
    end = " " * (indent * _level) if indent is not None else ""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, Decimal):
        return _num(value)
    if isinstance(value, (int, float, str)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{pad}{json.dumps(str(k), ensure_ascii=False)}{colon}{dumps(v, indent, _level + 1)}" for k, v in value.items()]
        return "{" + nl + ("," + nl).join(items) + nl + end + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        return "[" + nl + ("," + nl).join(pad + dumps(v, indent, _level + 1) for v in value) + nl + end + "]"
    return json.dumps(str(value), ensure_ascii=False)


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


def stamp(result: Result) -> dict:
    """What makes the result reproducible: engine version and content hashes."""
    from engine import __version__

    return {"engine": f"jixiao {__version__}", "ruleset_digest": result.plan.digest, "input_digest": result.unit.digest}


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
