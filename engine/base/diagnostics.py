"""Errors as values with locations (诊断信息).

Every problem found in a ruleset or a data file is a `Diagnostic`: a stable
code, the arguments its message needs, and where it is. The words live in
`engine.base.messages`; nothing here formats sentences or prints.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping


@dataclass(frozen=True, slots=True)
class SourceSpan:
    """A place in a file: 1-based line and column, counted in characters."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    def shifted(self, chars: int) -> "SourceSpan":
        """The span `chars` characters further along the same line."""
        return SourceSpan(self.file, self.line, self.col + chars)


@dataclass(frozen=True, slots=True)
class CellSpan(SourceSpan):
    """A cell of a form: `line` is its row (plus a million per sheet before
    its own) and `col` its column, 1-based, so problems sort sheet by sheet in
    reading order, `place` how a person finds it —
    `工作表!C12` in a workbook, `表2!第5行第3列` in a Word table; empty for the
    file as a whole. Renders as `文件.xlsx:工作表!C12`."""

    place: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.place}" if self.place else self.file

    def shifted(self, chars: int) -> "CellSpan":
        return self  # a cell has no characters to move along


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem: `code` names the message, `args` fill it in."""

    code: str
    span: SourceSpan | None
    args: Mapping[str, Any] = field(default_factory=dict)
    severity: str = "error"  # error | warning | info

    def message(self, lang: str = "zh") -> str:
        # cold start: the message catalogue loads only when a message is shown
        from engine.base.messages import format_message

        return format_message(self.code, self.args, lang)

    def render(self, lang: str = "zh") -> str:
        # A problem with no place in a file (a command-line argument) is its message alone.
        return f"{self.span}: {self.message(lang)}" if self.span else self.message(lang)


class DiagnosticError(Exception):
    """Raised when a phase cannot produce its value; carries every diagnostic found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__(f"{len(self.diagnostics)} problem(s)")


def sort_key(d: Diagnostic) -> tuple:
    s = d.span
    return (s.file, s.line, s.col, d.code) if s else ("", 0, 0, d.code)


# How many problems are listed per input (a file, or one unit of a batch); the
# rest are counted. A form left blank has forty missing figures and a table of
# such units would otherwise write megabytes of the same sentences.
MAX_LISTED = 50


def capped(diagnostics: Iterable[Diagnostic], limit: int = MAX_LISTED) -> tuple[list[Diagnostic], dict[str, int]]:
    """The diagnostics to list, at most `limit` per file (in their order), and
    how many more each file has."""
    shown: list[Diagnostic] = []
    per_file: dict[str, int] = {}
    more: dict[str, int] = {}
    for d in diagnostics:
        f = d.span.file if d.span else ""
        n = per_file[f] = per_file.get(f, 0) + 1
        if n <= limit:
            shown.append(d)
        else:
            more[f] = more.get(f, 0) + 1
    return shown, more
