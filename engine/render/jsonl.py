"""One result per line (JSON Lines) for batch output.

The same dict as `json_out.as_dict` — the JSON contract of `evaluate --format
json` — written compactly on one line, numbers exact from their Decimal text.
The standard library's C encoder does the work: Decimals are handed to it as
marked strings and unquoted afterwards. If the count of unquoted numbers does
not match the count of Decimals marked (a text value that happens to look like
a marked number), the line is written by `json_out.dumps` instead.
"""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from engine.render.json_out import _num, as_dict, dumps
from engine.result import Result

_MARK = "\x00"  # the C encoder writes it as \u0000, which no Decimal text contains
_OPEN, _CLOSE = '"\\u0000', '\\u0000"'
_NUMS: dict[Decimal, str] = {}  # a Decimal's JSON text depends only on its value


def line(result: Result, lang: str = "zh") -> str:
    """The result as one line of JSON (no newline)."""
    return dumps_line(as_dict(result, lang))


def _number(o: Decimal) -> str:
    text = _NUMS.get(o)
    if text is None:
        if len(_NUMS) > 100_000:
            _NUMS.clear()
        text = _NUMS[o] = _MARK + _num(o) + _MARK
    return text


def dumps_line(value: Any) -> str:
    """Compact JSON with Decimals as numbers, non-ASCII text kept as is.

    Each Decimal becomes the string `"\u0000<number>\u0000"`; when the marks
    found are exactly as many as the Decimals marked (no text value begins or
    ends with a NUL), removing them leaves the numbers bare."""
    count = 0

    def mark(o: Any) -> str:
        nonlocal count
        if isinstance(o, Decimal):
            count += 1
            return _number(o)
        return str(o)

    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=mark)
    if text.count(_OPEN) == count and text.count(_CLOSE) == count:
        return text.replace(_OPEN, "").replace(_CLOSE, "")
    return dumps(value, indent=None)
