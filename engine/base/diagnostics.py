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
