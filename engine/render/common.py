"""Display conventions shared by every renderer (数字格式)."""
from __future__ import annotations

import unicodedata


def width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, cols: int, right: bool = False) -> str:
    gap = max(cols - width(text), 0)
    return (" " * gap + text) if right else (text + " " * gap)
