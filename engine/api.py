"""jixiao's Python API (编程接口): what a budget system calls to use jixiao in-process.

Everything a caller needs is here, by its public name; the CLI and the web
server use the same calls. See docs/api.md for a runnable example.

```python
from engine import api

result = api.evaluate({"ruleset": "2019/department", ...})   # a dict, or a file path
print(result.total, result.grade)                              # Decimal('87.36') 良
text = api.result_json(result)                                 # as `jixiao evaluate --format json`
```

Every function raises `DiagnosticError` when a ruleset or the data has
problems: `e.diagnostics` lists them all, each with `.code`, `.span`
(`file`, `line`, `col`) and `.message(lang)`.
"""
from __future__ import annotations

import json
import os
from decimal import Decimal
from typing import Any, Mapping

from engine import __version__
from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan
from engine.base.digest import digest_of
from engine.base.paths import bundled, display_path
from engine.base.sourcemap import SourceMap
from engine.evaluation.evaluate import evaluate as evaluate_unit
from engine.evaluation.result import Result
from engine.evaluation.run import evaluate_file
from engine.load.yaml_loader import load_text
from engine.ruleset.compile import compile_ruleset
from engine.ruleset.loading import load_plan
from engine.ruleset.locate import SearchPath, is_path, locate, ruleset_files, ruleset_ids
from engine.ruleset.plan import Plan
from engine.unit.inputs import read_unit
from engine.load.yaml_loader import read_file

__all__ = [
    "DEFAULT_DATA", "DiagnosticError", "Diagnostic", "SourceSpan", "SearchPath", "Plan", "Result", "__version__",
    "display_path", "evaluate", "evaluate_file", "explain_file", "find_ruleset", "list_rulesets", "load_ruleset",
    "result_json", "validate_ruleset",
]

DEFAULT_DATA = bundled("examples", "2019", "hr-bureau.yaml")
"""The bundled 2019 example (the golden case: 87.36 points, 良)."""


def find_ruleset(ref: str, search: SearchPath | None = None) -> str:
    """The path of a ruleset named by path, `YEAR/kind` (`2019/department`) or id."""
    return locate(ref, search or SearchPath.default())


def load_ruleset(ruleset: str, search: SearchPath | None = None, *, text: str | None = None) -> Plan:
    """A compiled ruleset (`Plan`), named by path, `YEAR/kind` or id; or, with
    `text`, compiled from that YAML text (`ruleset` is then the name shown in
    messages; an `extends:` in the text is not followed)."""
    search = search or SearchPath.default()
    if text is None:
        path = locate(ruleset, search)
        return load_plan(path, display_path(path), search)
    raw, smap = load_text(text, ruleset)
    return compile_ruleset(raw, smap, ruleset, digest_of(text))


def validate_ruleset(ruleset: str, search: SearchPath | None = None) -> Plan:
    """Load and compile a ruleset, then run its formulas on its own cases'
    data through both evaluators (the compiled one and simpleeval's, the
    reference); raise `DiagnosticError` with every problem."""
    # cold start: only `validate` runs the cases' cross-check
    from engine.tools.cases import cross_check

    search = search or SearchPath.default()
    path = locate(ruleset, search)
    plan = load_plan(path, display_path(path), search)
    problems = cross_check(plan, path, display_path(path))
    if problems:
        raise DiagnosticError(problems)
    return plan


def evaluate(unit: Mapping[str, Any] | str | os.PathLike, ruleset: str | Plan | None = None, search: SearchPath | None = None) -> Result:
    """Evaluate one unit (部门或项目): `unit` is a path to its data file or its
    data as a dict (the shape of a data file). `ruleset` is a `Plan`, a path,
    `YEAR/kind` or id; without it, the unit's own `ruleset:` is used (for a
    dict, it must be a `YEAR/kind` or id on the search path)."""
    search = search or SearchPath.default()
    if not isinstance(unit, Mapping):
        if isinstance(ruleset, Plan):
            return _evaluate_raw_file(os.fspath(unit), ruleset)
        return evaluate_file(os.fspath(unit), ruleset, search)
    raw = _exact(unit)
    if isinstance(ruleset, Plan):
        plan = ruleset
    else:
        ref = ruleset if ruleset is not None else raw.get("ruleset")
        if not isinstance(ref, str):
            raise DiagnosticError([Diagnostic("cli.no_ruleset", SourceSpan("<data>", 1, 1))])
        if ruleset is None and is_path(ref):  # a dict has no folder of its own to be relative to
            raise DiagnosticError([Diagnostic("locate.outside", SourceSpan("<data>", 1, 1), {"ref": ref})])
        plan = load_ruleset(ref, search)
    text = json.dumps(raw, ensure_ascii=False, sort_keys=True, default=str)
    return evaluate_unit(plan, read_unit(plan, raw, SourceMap(values={(): SourceSpan("<data>", 1, 1)}), "<data>", digest_of(text)))


def _exact(value: Any) -> Any:
    """A caller's data as the loader would give it: every number a `Decimal`.
    A float becomes the decimal its shortest form shows (`3193.13`, as the JSON
    text or the database field said), never the binary fraction behind it."""
    if isinstance(value, Mapping):
        return {k: _exact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_exact(v) for v in value]
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


def _evaluate_raw_file(path: str, plan: Plan) -> Result:

    shown = display_path(path)
    text = read_file(path, shown)
    raw, smap = load_text(text, shown)
    return evaluate_unit(plan, read_unit(plan, raw, smap, shown, digest_of(text)))


def result_json(result: Result) -> str:
    """The result as `jixiao evaluate --format json` prints it."""
    from engine.render import json_out  # cold start: only callers that want JSON pay for it

    return json_out.render(result)


def explain_file(data_path: str, indicator: str | None = None, ruleset: str | None = None, search: SearchPath | None = None):
    """Evaluate, then explain one indicator (`Explanation`) or, without one,
    rank where the points were lost (`Ranking`). Raises `DiagnosticError`."""
    from engine.tools import explain  # cold start: `evaluate` never needs it

    result = evaluate_file(data_path, ruleset, search)
    return explain.losses(result) if indicator is None else explain.explain(result, indicator)


def list_rulesets(search: SearchPath | None = None) -> list[dict[str, Any]]:
    """Every ruleset on the search path: `{"name": "2019/department", "id": …, "path": …}`."""
    search = search or SearchPath.default()
    ids = dict(ruleset_ids(search))
    return [{"name": name, "id": ids.get(path), "path": path} for path, name in ruleset_files(search)]
