"""Where each loaded value came from (来源位置).

Loading records every value's position once; later phases look positions up by
the value's path (a tuple of keys and indexes) and never re-read the file.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.diagnostics import SourceSpan

Path = tuple  # of str | int


@dataclass(slots=True)
class SourceMap:
    """Positions of values and keys in one or more loaded files, by path."""

    values: dict[Path, SourceSpan] = field(default_factory=dict)
    keys: dict[Path, SourceSpan] = field(default_factory=dict)
    # Non-plain scalar styles ('"', "'", '|', '>') and the file lines, to place
    # a character offset inside a quoted or block scalar.
    styles: dict[Path, str] = field(default_factory=dict)
    lines: dict[str, list[str]] = field(default_factory=dict)

    def value(self, path: Path) -> SourceSpan | None:
        """The value's own position, else the nearest enclosing one (a missing
        field has no position of its own: point at the mapping that lacks it)."""
        p = tuple(path)
        while True:
            span = self.values.get(p)
            if span is not None:
                return span
            if not p:
                return None
            p = p[:-1]

    def key(self, path: Path) -> SourceSpan | None:
        """The position of the key that holds `path`, else of the value."""
        return self.keys.get(tuple(path)) or self.value(path)

    def inside(self, path: Path, offset: int) -> SourceSpan | None:
        """The position of character `offset` inside the scalar at `path`."""
        span = self.values.get(tuple(path))
        if span is None:
            return self.value(path)
        style = self.styles.get(tuple(path))
        if style in ('"', "'"):
            return span.shifted(1 + offset)
        if style in ("|", ">"):
            file_lines = self.lines.get(span.file, [])
            # Block content begins on the line after the indicator.
            first = span.line  # 0-based index of the next line
            text_line = first
            if text_line < len(file_lines):
                indent = len(file_lines[text_line]) - len(file_lines[text_line].lstrip(" "))
            else:
                indent = 0
            return SourceSpan(span.file, span.line + 1, indent + 1 + offset)
        return span.shifted(offset)

    def merged(self, other: "SourceMap") -> "SourceMap":
        """A map holding both (other wins on the same path)."""
        return SourceMap(
            {**self.values, **other.values},
            {**self.keys, **other.keys},
            {**self.styles, **other.styles},
            {**self.lines, **other.lines},
        )

    def rebased(self, prefix: Path) -> "SourceMap":
        """The same positions with `prefix` put before every path."""
        pre = tuple(prefix)
        return SourceMap(
            {pre + k: v for k, v in self.values.items()},
            {pre + k: v for k, v in self.keys.items()},
            {pre + k: v for k, v in self.styles.items()},
            dict(self.lines),
        )
