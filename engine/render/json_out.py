"""The JSON contract (a stable output for other systems).

Numbers are written as exact JSON numbers from their Decimal text (never via
float); keys keep a fixed order, so the same inputs give the same bytes.
"""
from __future__ import annotations

import functools
import json
from decimal import Decimal
from json.encoder import encode_basestring as _quote  # what json.dumps uses for text with ensure_ascii=False
from typing import Any

from engine.base import messages  # as a module: Finding messages are looked up when written
from engine.base.numeric import round_half_up
from engine.render import json_shape
from engine.evaluation.display import show_target, show_value
from engine.evaluation.result import Result, leaves
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


def engine_name() -> str:
    """The engine and its version, as the stamp names it."""

    return f"jixiao {__version__}"


def stamp(result: Result) -> dict:
    """What makes the result reproducible: engine version and content hashes."""
    return {"engine": engine_name(), "ruleset_digest": result.plan.digest, "input_digest": result.unit.digest}


def as_dict(result: Result, lang: str = "zh") -> dict:
    """The result as plain data in the JSON contract's order (`json_shape.SHAPE`)."""
    return _dict_writers()["result"](result, _Context(result.plan.ruleset.rounding.places, lang))


def scores_dict(result: Result) -> dict:
    """`batch --result scores`: subject, total, grade and each leaf's score."""
    return _dict_writers()["scores"](result, _Context(result.plan.ruleset.rounding.places, "zh"))


class _Context:
    """What every writer of one result needs: the ruleset's places, the language."""

    __slots__ = ("places", "lang", "scores")

    def __init__(self, places: int, lang: str, scores: dict | None = None) -> None:
        self.places, self.lang, self.scores = places, lang, scores


# --- the dict writers, generated from json_shape.SHAPE -----------------------------

_REFERENCE = {  # enc → the value as plain data, from the field's expression(s) {0}, {1}, …
    "value": "{0}",
    "number": "{0}",
    "plain": "_plain({0})",
    "score": "round_half_up({0}, ctx.places)",
    "ratio": "(round_half_up({0}, 4) if isinstance({0}, Decimal) else None)",
    "shown": "show_value({0}, {1}, {2})",
    "target_text": "show_target({0})",
    "message": "messages.format_message({0}, {1}, ctx.lang)",
    "location": "(str({0}) if {0} else None)",
    "subject": "dict({0})",
    "list": "[_dict_{item}(i, ctx) for i in {0}]",
}


def reference_value(field, item_prefix: str = "_dict_") -> str:
    """The Python expression giving `field`'s value as plain data."""
    args = (field.value,) if isinstance(field.value, str) else field.value
    return _REFERENCE[field.enc].replace("_dict_{item}", item_prefix + (field.item or "")).format(*args)


def _emit(fields, target: str, lines: list[str], pad: str, depth: int = 0) -> None:
    for f in fields:
        inner = pad
        if f.when:
            lines.append(f"{pad}if {f.when}:")
            inner = pad + "    "
        if f.enc == "object":
            name = f"d{depth + 1}"
            lines.append(f"{inner}{name} = {{}}")
            _emit(f.fields, name, lines, inner, depth + 1)
            lines.append(f"{inner}{target}[{f.key!r}] = {name}")
        else:
            lines.append(f"{inner}{target}[{f.key!r}] = {reference_value(f)}")


def shape_source() -> str:
    """The dict writers' source, generated from `json_shape.SHAPE` (read it to
    see what `as_dict` does)."""
    out = []
    for kind, fields in json_shape.SHAPE.items():
        lines = [f"def _dict_{kind}(x, ctx):", "    d0 = {}"]
        _emit(fields, "d0", lines, "    ")
        out.append("\n".join(lines + ["    return d0"]))
    return "\n\n".join(out)


@functools.cache
def _dict_writers() -> dict:
    """`kind → function(obj, ctx) → dict`, compiled once from the shape."""
    namespace = {"leaves": leaves, "Decimal": Decimal, "_plain": _plain, "round_half_up": round_half_up, "show_value": show_value, "show_target": show_target, "messages": messages, "engine_name": engine_name}
    exec(compile(shape_source(), "<json_shape: dict writers>", "exec"), namespace)  # noqa: S102 - generated from our own shape, never from user text
    return {kind: namespace[f"_dict_{kind}"] for kind in json_shape.SHAPE}


def render(result: Result, lang: str = "zh") -> str:
    return dumps(as_dict(result, lang)) + "\n"
