"""Helpers for the core's tests: compile or evaluate rulesets given as text."""
from __future__ import annotations

from pathlib import Path

from engine.ruleset.plan import Plan

from engine.ruleset.compile import compile_ruleset

from engine.base.digest import digest_of
from engine.base.diagnostics import DiagnosticError
from engine.evaluation.evaluate import evaluate
from engine.unit.inputs import read_unit
from engine.evaluation.result import Result
from engine.load.yaml_loader import load_text

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def compile_text(text: str, file: str = "t.yaml") -> Plan:
    """Load and compile a ruleset given as YAML text (raises DiagnosticError)."""
    raw, smap = load_text(text, file)
    return compile_ruleset(raw, smap, file, digest_of(text))


def problems(text: str, file: str = "t.yaml") -> list[tuple[int, int, str]]:
    """Every problem in a ruleset as (line, col, code), in file order; [] if valid."""
    try:
        compile_text(text, file)
    except DiagnosticError as e:
        return [(d.span.line, d.span.col, d.code) for d in e.diagnostics]
    return []


def diagnostics(text: str, file: str = "t.yaml"):
    """The diagnostics themselves (to check their message arguments)."""
    try:
        compile_text(text, file)
    except DiagnosticError as e:
        return list(e.diagnostics)
    return []


def evaluate_text(ruleset: str, data: str) -> Result:
    """Evaluate data given as YAML text against a ruleset given as YAML text."""
    plan = compile_text(ruleset, "r.yaml")
    raw, smap = load_text(data, "d.yaml")
    return evaluate(plan, read_unit(plan, raw, smap, "d.yaml", digest_of(data)))
