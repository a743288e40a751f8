"""The library's front door: one call per job, used by the CLI and by tests."""
from __future__ import annotations

import os

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


def evaluate_file(data_path: str, ruleset_path: str | None = None, lint_choice: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())) -> Result:
    """Load a data file, its ruleset (given, or named by the file), and evaluate.
    `lint_choice`: (design lints to enable, to disable) for this run.

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
    return evaluate(plan, unit, lint_choice)


def validate_ruleset(path: str) -> Plan:
    """Load and compile a ruleset; raise `DiagnosticError` with every problem."""
    return load_plan(path, display_path(path))


def ruleset_warnings(plan: Plan, lint_choice: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())) -> list[Diagnostic]:
    """What `validate` reports as warnings: weights the scheme scores anyway
    (`policy.weights_mismatch: warn`) and the design lints that are on."""
    from engine.ruleset import lints

    on = lints.enabled(plan.ruleset.lints, *lint_choice)
    out = list(plan.notices) if "group_weights" in on else []
    return out + lints.run(plan.roots, on, lints.span_in_plan(plan))


def explain_file(data_path: str, indicator: str | None = None, ruleset_path: str | None = None):
    """Evaluate, then explain one indicator (`Explanation`) or, without one,
    rank where the points were lost (`Ranking`). Raises `DiagnosticError`."""
    from engine.tools import explain

    result = evaluate_file(data_path, ruleset_path)
    return explain.losses(result) if indicator is None else explain.explain(result, indicator)
