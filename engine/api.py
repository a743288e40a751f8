"""The library's front door: one call per job, used by the CLI and by tests."""
from __future__ import annotations

import os
from typing import Sequence

from engine.ruleset.compile import Plan, load_plan
from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan
from engine.evaluation.evaluate import evaluate
from engine.unit.inputs import read_unit
from engine.evaluation.result import Result
from engine.ruleset.compile import digest_of
from engine.load.yaml_loader import load_text, read_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.path.join(ROOT, "examples", "2019", "hr-bureau.yaml")
DEFAULT_RULESET = os.path.join(ROOT, "rulesets", "2019", "department.yaml")


_UNOPENABLE = ("load.not_found", "load.is_directory", "load.unreadable")


def display_path(path: str) -> str:
    """A path as the user should see it: relative to the working folder when inside it."""
    rel = os.path.relpath(os.path.abspath(path))
    return path if rel.startswith("..") else rel


def evaluate_file(data_path: str, ruleset_path: str | None = None, sets: Sequence[str] = ()) -> Result:
    """Load a data file, its ruleset (given, or named by the file), and evaluate.
    `sets` are what-if settings `名称=值` (`engine.tools.whatif`).

    Raises `DiagnosticError` with every problem found in either file."""
    shown = display_path(data_path)
    text = read_file(data_path, shown)
    raw, smap = load_text(text, shown)
    named_at = None
    if ruleset_path is None:
        ref = raw.get("ruleset") if isinstance(raw, dict) else None
        if not isinstance(ref, str):
            raise DiagnosticError([Diagnostic("cli.no_ruleset", smap.value(("ruleset",)) or SourceSpan(shown, 1, 1))])
        ruleset_path = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(data_path)), ref))
        named_at = smap.value(("ruleset",))
    try:
        plan = load_plan(ruleset_path, display_path(ruleset_path))
    except DiagnosticError as e:
        if named_at is None:
            raise
        # A ruleset that cannot be opened is a mistake in the data file's `ruleset:` line.
        raise DiagnosticError([Diagnostic(d.code, named_at, d.args) if d.code in _UNOPENABLE else d for d in e.diagnostics]) from None
    unit = read_unit(plan, raw, smap, shown, digest_of(text))
    return evaluate_with(plan, unit, sets)


def evaluate_with(plan: Plan, unit, sets: Sequence[str] = ()) -> Result:
    """Evaluate, with what-if settings `名称=值` applied first (none: as given)."""
    if not sets:
        return evaluate(plan, unit)
    from engine.tools import whatif

    unit, fixed = whatif.apply(plan, unit, whatif.parse(sets))
    return evaluate(plan, unit, fixed)


def plan_from_text(text: str, path: str, display: str | None = None) -> Plan:
    """Compile a ruleset's text (a draft being edited) as if it were the file
    at `path`: its `extends:` is read relative to `path`. Not cached."""
    from engine.ruleset.inherit import compile_resolved, resolve

    return compile_resolved(resolve(path, display or path, text), display or path)


def evaluate_text(plan: Plan, text: str, display: str, sets: Sequence[str] = ()) -> Result:
    """Evaluate a unit's data given as text (YAML or JSON) against `plan`;
    problems are located in that text under the name `display`."""
    raw, smap = load_text(text, display)
    return evaluate_with(plan, read_unit(plan, raw, smap, display, digest_of(text)), sets)


def validate_ruleset(path: str) -> Plan:
    """Load and compile a ruleset; raise `DiagnosticError` with every problem."""
    return load_plan(path, display_path(path))


def validate_ruleset_as(path: str, display: str) -> Plan:
    """`validate_ruleset`, its problems located under the name `display`."""
    return load_plan(path, display)


def explain_file(data_path: str, indicator: str | None = None, ruleset_path: str | None = None):
    """Evaluate, then explain one indicator (`Explanation`) or, without one,
    rank where the points were lost (`Ranking`). Raises `DiagnosticError`."""
    from engine.tools import explain

    result = evaluate_file(data_path, ruleset_path)
    return explain.losses(result) if indicator is None else explain.explain(result, indicator)
