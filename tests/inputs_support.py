"""Helpers for the input, check, deviation and output tests: a small ruleset
and data file (tests/fixtures/inputs/), edited per test as text."""
from __future__ import annotations

from pathlib import Path

from engine.ruleset.plan import Plan

from engine.ruleset.compile import compile_ruleset

from engine.base.digest import digest_of
from engine.base.diagnostics import DiagnosticError
from engine.evaluation.evaluate import evaluate
from engine.unit.inputs import UnitData, read_unit
from engine.evaluation.result import Result
from engine.load.yaml_loader import load_text

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "inputs"
RULESET = (FIXTURES / "ruleset.yaml").read_text(encoding="utf-8")
DATA = (FIXTURES / "data.yaml").read_text(encoding="utf-8")


def edited(text: str, *replacements: tuple[str, str]) -> str:
    """`text` with each (old, new) replaced exactly once (the old text must be there)."""
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def plan_of(text: str = RULESET) -> Plan:
    raw, smap = load_text(text, "ruleset.yaml")
    return compile_ruleset(raw, smap, "ruleset.yaml", digest_of(text))


def unit_of(data: str = DATA, plan: Plan | None = None, file: str = "data.yaml") -> UnitData:
    raw, smap = load_text(data, file)
    return read_unit(plan or plan_of(), raw, smap, file, digest_of(data))


def result_of(data: str = DATA, ruleset: str = RULESET) -> Result:
    plan = plan_of(ruleset)
    return evaluate(plan, unit_of(data, plan))


def problems_of(data: str, ruleset: str = RULESET) -> list[tuple[int, int, str]]:
    """Every input problem as (line, col, code), in file order."""
    plan = plan_of(ruleset)
    try:
        unit_of(data, plan)
    except DiagnosticError as e:
        return [(d.span.line, d.span.col, d.code) for d in e.diagnostics]
    return []


def at(text: str, needle: str, nth: int = 0) -> str:
    """`line:col` (1-based) of the `nth` occurrence of `needle` in `text`."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{line}:{col}"
