"""One value written as a YAML scalar that reads back as the same value
(for the YAML that `show --resolved` and `init` write)."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from engine.load.yaml_loader import _scalar

_SPECIAL_FIRST = set("-?:,[]{}#&*!|>'\"%@`")


def scalar(value: Any) -> str:
    """A scalar as YAML that reads back as the same value."""
    if value is None:
        return "~"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value)
    plain = (
        text
        and text == text.strip()
        and "\n" not in text
        and text[0] not in _SPECIAL_FIRST
        and ": " not in text
        and " #" not in text
        and not text.endswith(":")
        and isinstance(_scalar(text, None), str)
    )
    return text if plain else json.dumps(text, ensure_ascii=False)
