"""The JSON encoder and message filler as they were before the fast paths
(engine/render/json_out.py `dumps`, `_num`; engine/messages `format_message`),
kept unchanged as the reference the fast code is compared with."""
from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any, Mapping

from engine.base.messages import _KIND_EN, _TYPE_WORDS, CATALOG


def num(value: Decimal) -> str:
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
        return num(value)
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


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text or "0"
    if value is None:
        return ""
    return re.sub(r"\s*\n\s*", " ", str(value))


def format_message(code: str, args: Mapping[str, Any], lang: str = "zh") -> str:
    pair = CATALOG.get(code)
    if pair is None:
        return f"{code} {dict(args)}"
    template = pair[1] if lang == "en" else pair[0]
    words = _TYPE_WORDS["en" if lang == "en" else "zh"]
    values = {k: _text(v) for k, v in args.items()}
    if "expected" in values and values["expected"] in words:
        values["expected"] = words[values["expected"]]
    if lang == "en" and "kind" in values:
        values["kind"] = _KIND_EN.get(values["kind"], values["kind"])
    return fill(template, values)


def fill(template: str, values: Mapping[str, str]) -> str:
    out: list[str] = []
    i = 0
    while i < len(template):
        ch = template[i]
        if ch == "{":
            end = _matching(template, i)
            inner = template[i + 1 : end]
            if "?" in inner:
                name, _, rest = inner.partition("?")
                if values.get(name):
                    out.append(fill(rest, values))
            else:
                out.append(values.get(inner, "{" + inner + "}"))
            i = end + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _matching(text: str, start: int) -> int:
    depth = 0
    for j in range(start, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(text) - 1


def fmt_percent(value: Decimal, places: int = 2) -> str:
    """engine.base.numeric.fmt_percent as it was (its product with 100 taken in the caller's context)."""
    from engine.base.numeric import round_half_up

    text = f"{round_half_up(value * Decimal(100), places):.{places}f}"
    if "." in text and set(text.split(".")[1]) == {"0"}:
        text = text.split(".")[0]
    return f"{text}%"
