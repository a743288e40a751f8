"""Digests of input texts (the reproducibility stamp and the plan cache key)."""
from __future__ import annotations

import hashlib


def digest_of(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
