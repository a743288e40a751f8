"""One value written as a YAML scalar that reads back as the same value
(for the YAML that `show --resolved` and `init` write)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml

from engine.load.yaml_loader import _scalar


def scalar(value: Any) -> str:
    """A scalar as YAML that reads back as the same value, on one line.

    The YAML library (PyYAML's emitter) decides how a text must be written:
    plain when it reads back as the same text, quoted otherwise (`a\t#b`, a
    leading `-`, `no`, `010`). Text that would need more than one line, or
    holds a line break of any kind (`\n`, `\r`, U+0085, U+2028, U+2029) or
    another control, is double-quoted with escapes: a value can never start a
    line of its own (no key or comment is injected into the file)."""
    if value is None:
        return "~"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value)
    out = _dump(text)
    plain = out[:1] not in ("'", '"')
    # PyYAML follows YAML 1.1; we read YAML 1.2 (`0o17` is a number there)
    if "\n" in out or not out.isprintable() or plain and not isinstance(_scalar(out, None), str):
        out = _dump(text, '"')
    return out


def _dump(text: str, style: str | None = None) -> str:
    out = yaml.safe_dump(text, allow_unicode=True, width=float("inf"), default_style=style)
    if out.endswith("\n...\n"):  # the end marker after a plain scalar document
        out = out[:-4]
    return out[:-1] if out.endswith("\n") else out
