"""Ruleset loading entry point; year-to-year inheritance (`extends:`) lives here.

For now a ruleset is one file; `load_resolved` returns its raw data, source map
and content digest, the shape inheritance will keep.
"""
from __future__ import annotations

from typing import Any

from engine.compile import digest_of
from engine.sourcemap import SourceMap
from engine.yaml_loader import load_text, read_file


def load_resolved(path: str, display: str | None = None) -> tuple[Any, SourceMap, str]:
    """Raw ruleset data with positions, and the digest of the text it came from."""
    name = display or path
    text = read_file(path, name)
    raw, smap = load_text(text, name)
    return raw, smap, digest_of(text)
