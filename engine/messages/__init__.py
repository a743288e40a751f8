"""Every user-facing sentence, in Chinese and English (消息目录).

Diagnostics and findings carry a code and arguments; the words are here, written
for a policy officer. `format_message(code, args, lang)` fills them in. A test
checks every code used in the engine has both languages.
"""
from __future__ import annotations

import functools
import re
from decimal import Decimal
from typing import Any, Mapping

_TYPE_WORDS = {
    "zh": {"integer": "整数", "number": "数字", "text": "文字", "boolean": "true 或 false", "mapping": "键值映射（名称: 值）", "list": "列表（每项以 - 开头）"},
    "en": {"integer": "a whole number", "number": "a number", "text": "text", "boolean": "true or false", "mapping": "a mapping (name: value)", "list": "a list (items starting with -)"},
}

# code → (Chinese, English). Each area keeps its sentences in its own module
# (engine/messages/<area>.py, a MESSAGES dict); one catalogue is assembled here.
from engine.messages import batch as _batch  # noqa: E402
from engine.messages import core as _core  # noqa: E402
from engine.messages import inputs as _inputs  # noqa: E402
from engine.messages import projects as _projects  # noqa: E402
from engine.messages import report as _report  # noqa: E402
from engine.messages import security as _security  # noqa: E402
from engine.messages import years as _years  # noqa: E402

_SECTIONS = (_core, _inputs, _projects, _report, _security, _years, _batch)
CATALOG: dict[str, tuple[str, str]] = {}
for _section in _SECTIONS:
    CATALOG.update(_section.MESSAGES)

_KIND_EN = {"未完成": "below target", "超额": "well above target", "需说明": "to be explained"}


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text or "0"
    if value is None:
        return ""
    # One problem, one line: a multi-line formula or name is shown on one.
    return re.sub(r"\s*\n\s*", " ", str(value))


def format_message(code: str, args: Mapping[str, Any], lang: str = "zh") -> str:
    """The sentence for `code` in `lang`, with `args` filled in.

    `{name?text}` includes `text` only when `name` is non-empty (for "did you
    mean" and other optional parts)."""
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
    return _fill(template, values)


def _fill(template: str, values: Mapping[str, str]) -> str:
    return _render(_parse(template), values)


def _render(parts: tuple, values: Mapping[str, str]) -> str:
    out: list[str] = []
    for part in parts:
        if part.__class__ is str:
            out.append(part)
        elif len(part) == 1:
            name = part[0]
            out.append(values.get(name, "{" + name + "}"))
        elif values.get(part[0]):
            out.append(_render(part[1], values))
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def _parse(template: str) -> tuple:
    """A template as literal text, `(name,)` and `(name, optional parts)`,
    parsed once: batch runs format the same few sentences many times."""
    parts: list = []
    text: list[str] = []
    i = 0
    while i < len(template):
        ch = template[i]
        if ch == "{":
            if text:
                parts.append("".join(text))
                text = []
            end = _matching(template, i)
            inner = template[i + 1 : end]
            if "?" in inner:
                name, _, rest = inner.partition("?")
                parts.append((name, _parse(rest)))
            else:
                parts.append((inner,))
            i = end + 1
        else:
            text.append(ch)
            i += 1
    if text:
        parts.append("".join(text))
    return tuple(parts)


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
