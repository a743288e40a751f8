"""Where each loaded value came from (来源位置).

Loading records every value's position once; later phases look positions up by
the value's path (a tuple of keys and indexes) and never re-read the file.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from engine.base.diagnostics import SourceSpan

Path = tuple  # of str | int


@dataclass(slots=True)
class SourceMap:
    """Positions of values and keys in one or more loaded files, by path."""

    values: Mapping[Path, SourceSpan] = field(default_factory=dict)  # a dict, or one that finds them when asked (`json_line.LineColumns`)
    keys: Mapping[Path, SourceSpan] = field(default_factory=dict)
    # Non-plain scalar styles ('"', "'", '|', '>') and the file lines, to place
    # a character offset inside a quoted or block scalar.
    styles: dict[Path, str] = field(default_factory=dict)
    lines: dict[str, list[str]] = field(default_factory=dict)
    # A table row's cells, (file, row, {path: column}): their spans are made
    # only when asked for (a unit read from a row rarely needs more than a few).
    cells: tuple[str, int, dict] | None = None
    # Rows joined from a second table (a project's indicator rows): row path →
    # (file, row, {field: column}); a field's span is made only when asked for.
    rows: dict[Path, tuple[str, int, dict]] | None = None
    # The one position of every value (a JSONL record, placed as a whole: json
    # gives no positions), or None.
    whole: SourceSpan | None = None

    def value(self, path: Path) -> SourceSpan | None:
        """The value's own position, else the nearest enclosing one (a missing
        field has no position of its own: point at the mapping that lacks it)."""
        if self.whole is not None:
            return self.whole
        values = self.values
        p = tuple(path)
        while True:
            span = values.get(p)
            if span is not None:
                return span
            if self.cells is not None:
                file, row, columns = self.cells
                col = columns.get(p)
                if col is not None:
                    return SourceSpan(file, row, col)
            if not p:
                return None
            if self.rows is not None:
                joined = self.rows.get(p[:-1])
                if joined is not None:
                    col = joined[2].get(p[-1])
                    if col is not None:
                        return SourceSpan(joined[0], joined[1], col)
            p = p[:-1]

    def key(self, path: Path) -> SourceSpan | None:
        """The position of the key that holds `path`, else of the value."""
        return self.keys.get(tuple(path)) or self.value(path)

    def inside(self, path: Path, offset: int) -> SourceSpan | None:
        """The position of character `offset` inside the scalar at `path`.

        The scalar's text is laid over its source lines: a block scalar (`|`,
        `>`) starts on the line after its indicator, at the block's indent; a
        quoted scalar one character after its quote; a scalar that continues
        on further lines resumes at each line's first non-blank character.
        Escapes in double quotes and the folding of blank lines in `>` blocks
        are not replayed (positions there may be off by a few characters)."""
        span = self.values.get(tuple(path))
        if span is None:
            return self.value(path)
        style = self.styles.get(tuple(path))
        file_lines = self.lines.get(span.file, [])
        if style in ("|", ">"):
            first = span.line  # 0-based index of the line after the indicator
            body = file_lines[first:]
            indent = next((len(x) - len(x.lstrip(" ")) for x in body if x.strip()), 0)
            segments = [(first + 1 + i, indent + 1, max(len(x) - indent, 0)) for i, x in enumerate(body)]
        else:
            col = span.col + (1 if style in ('"', "'") else 0)
            head = file_lines[span.line - 1] if span.line - 1 < len(file_lines) else ""
            segments = [(span.line, col, len(head) - col + 1)]
            for i, x in enumerate(file_lines[span.line:]):
                segments.append((span.line + 1 + i, len(x) - len(x.lstrip()) + 1, len(x.strip())))
        for line, col, length in segments:
            if offset <= length:
                return SourceSpan(span.file, line, col + offset)
            offset -= length + 1  # the line break (or the space it folds into)
        return span

    def merged(self, other: "SourceMap") -> "SourceMap":
        """A map holding both (other wins on the same path)."""
        return SourceMap(
            {**self.values, **other.values},
            {**self.keys, **other.keys},
            {**self.styles, **other.styles},
            {**self.lines, **other.lines},
            other.cells if other.cells is not None else self.cells,
            {**self.rows, **other.rows} if self.rows and other.rows else (other.rows or self.rows),
        )

    def rebased(self, prefix: Path) -> "SourceMap":
        """The same positions with `prefix` put before every path."""
        pre = tuple(prefix)
        return SourceMap(
            {pre + k: v for k, v in self.values.items()},
            {pre + k: v for k, v in self.keys.items()},
            {pre + k: v for k, v in self.styles.items()},
            dict(self.lines),
            (self.cells[0], self.cells[1], {pre + k: c for k, c in self.cells[2].items()}) if self.cells else None,
            {pre + k: r for k, r in self.rows.items()} if self.rows else None,
        )
