"""Digests of input texts (the reproducibility stamp and the plan cache key)."""
from __future__ import annotations

import hashlib


def digest_of(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def digest_of_bytes(utf8: bytes) -> str:
    """`digest_of` for a text already encoded as UTF-8."""
    return "sha256:" + hashlib.sha256(utf8).hexdigest()
