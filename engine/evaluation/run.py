"""Evaluating a unit's data file (评价一个数据文件): find its ruleset, read it, score it."""
from __future__ import annotations

import os

from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan
from engine.base.digest import digest_of
from engine.base.paths import display_path
from engine.evaluation.evaluate import evaluate
from engine.evaluation.result import Result
from engine.load.yaml_loader import load_text, read_file
from engine.ruleset.loading import load_plan
from engine.ruleset.locate import SearchPath, locate
from engine.ruleset.plan import Plan
from engine.unit.inputs import UnitData, read_unit

_UNOPENABLE = ("load.not_found", "load.is_directory", "load.unreadable")


def evaluate_file(data_path: str, ruleset: str | None = None, search: SearchPath | None = None, lint_choice: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())) -> Result:
    """Load a data file and its ruleset, and evaluate. `ruleset` is the
    user's own choice (a path, `YEAR/kind` or id); without it, the data file's
    `ruleset:` is used, confined to the search path and the file's own folder.
    `lint_choice`: (design lints to enable, to disable) for this run.

    Raises `DiagnosticError` with every problem found in either file."""
    plan, unit = read_file_unit(data_path, ruleset, search)
    return evaluate(plan, unit, lint_choice)


def read_file_unit(data_path: str, ruleset: str | None = None, search: SearchPath | None = None) -> tuple[Plan, UnitData]:
    """The ruleset and the checked unit of a data file, as `evaluate_file` finds them."""
    search = search or SearchPath.default()
    shown = display_path(data_path)
    text = read_file(data_path, shown)
    raw, smap = load_text(text, shown)
    if ruleset is not None:
        path = locate(ruleset, search)
        plan = load_plan(path, display_path(path), search)
    else:
        ref = raw.get("ruleset") if isinstance(raw, dict) else None
        named_at = smap.value(("ruleset",))
        if not isinstance(ref, str) or not ref.strip():
            raise DiagnosticError([Diagnostic("cli.no_ruleset", named_at or SourceSpan(shown, 1, 1))])
        folder = os.path.dirname(os.path.abspath(data_path))
        path = locate(ref, search, base=folder, allowed=(folder,), at=named_at)
        try:
            plan = load_plan(path, display_path(path), search, allowed=(folder,))
        except DiagnosticError as e:
            # A ruleset that cannot be opened is a mistake in the data file's `ruleset:` line.
            raise DiagnosticError([Diagnostic(d.code, named_at, d.args) if d.code in _UNOPENABLE else d for d in e.diagnostics]) from None
    # one unit: read without compiling the plan's generated readers (cold start)
    return plan, read_unit(plan, raw, smap, shown, digest_of(text), generated=False)
