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

import dataclasses
import io
import json
import os
from decimal import Decimal
from typing import Any, Mapping

from engine import __version__
from engine.base.diagnostics import CellSpan, Diagnostic, DiagnosticError, SourceSpan
from engine.base.digest import digest_of
from engine.base.paths import bundled, display_path
from engine.base.sourcemap import SourceMap
from engine.evaluation.evaluate import evaluate as evaluate_unit
from engine.evaluation.result import Result
from engine.evaluation import run as _run
from engine.forms import is_any_form
from engine.load.yaml_loader import MAX_DEPTH, load_text, read_file
from engine.ruleset.compile import compile_ruleset
from engine.ruleset.loading import load_plan
from engine.ruleset.locate import SearchPath, is_path, locate, ruleset_files, ruleset_ids
from engine.ruleset.plan import Plan
from engine.unit.inputs import read_unit

__all__ = [
    "DEFAULT_DATA", "DiagnosticError", "Diagnostic", "SourceSpan", "SearchPath", "Plan", "Result", "__version__",
    "compact_header", "display_path", "evaluate", "evaluate_file", "evaluate_form", "evaluate_text", "evaluate_with", "expand_compact", "explain_file", "find_ruleset",
    "flat_header", "form_made_for", "form_template", "list_rulesets", "load_ruleset", "plan_from_text", "read_form", "result_compact", "result_json", "ruleset_warnings",
    "show_result", "validate_ruleset", "validate_ruleset_as",
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


def validate_ruleset_as(path: str, display: str, search: SearchPath | None = None) -> Plan:
    """Load and compile the ruleset file at `path`, its problems located under
    the name `display` (the server shows ids, never its own folders)."""
    return load_plan(path, display, search or SearchPath.default())


def plan_from_text(text: str, path: str, display: str | None = None, search: SearchPath | None = None, allowed: tuple[str, ...] | None = None) -> Plan:
    """Compile a ruleset's text (a draft being edited) as if it were the file
    at `path`: its `extends:` is followed as that file's would be (with
    `allowed`, a path in it must lie in those folders or on the search path).
    Not cached."""
    from engine.ruleset.inherit import resolve_chain  # cold start: only the workbench's editor needs drafts
    from engine.ruleset.loading import compile_resolved  # (same)

    shown = display or path
    return compile_resolved(resolve_chain(path, shown, search or SearchPath.default(), allowed, text), shown)


def evaluate_with(plan: Plan, unit, sets: tuple[str, ...] | list[str] = (), lint_choice: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())) -> Result:
    """Evaluate a checked unit, with what-if settings `名称=值` applied first."""
    if not sets:
        return evaluate_unit(plan, unit, lint_choice)
    from engine.tools import whatif  # cold start: only a what-if needs it

    unit, fixed = whatif.apply(plan, unit, whatif.parse(sets))
    return evaluate_unit(plan, unit, lint_choice, fixed)


def evaluate_text(plan: Plan, text: str, display: str, sets: tuple[str, ...] | list[str] = ()) -> Result:
    """Evaluate a unit's data given as text (YAML or JSON) against `plan`;
    problems are located in that text under the name `display`."""
    raw, smap = load_text(text, display)
    return evaluate_with(plan, read_unit(plan, raw, smap, display, digest_of(text)), sets)


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
    whole = SourceSpan("<data>", 1, 1)  # data given as a dict has no positions: all of it is "the data"
    return evaluate_unit(plan, read_unit(plan, raw, SourceMap(values={(): whole}, whole=whole), "<data>", digest_of(text)))


def evaluate_file(data_path: str, ruleset: str | None = None, search: SearchPath | None = None, lint_choice: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()), sets: tuple[str, ...] | list[str] = ()) -> Result:
    """Load a data file and its ruleset, and evaluate (`engine.evaluation.run`);
    a filled form (.xlsx, .docx, .xls) is read back first (`evaluate_form`).
    `lint_choice`: (design lints to enable, to disable) for this run; `sets`:
    what-if settings `名称=值` (`engine.tools.whatif`). Raises `DiagnosticError`
    with every problem found."""
    if is_any_form(data_path):
        return evaluate_with(*_form_unit(data_path, ruleset, search), sets, lint_choice)
    if not sets:
        return _run.evaluate_file(data_path, ruleset, search, lint_choice)
    return evaluate_with(*_run.read_file_unit(data_path, ruleset, search), sets, lint_choice)


def _exact(value: Any, depth: int = 0) -> Any:
    """A caller's data as the loader would give it: every number a `Decimal`,
    every key text (as JSON writes a number's), nested at most `MAX_DEPTH`
    levels (deeper: `load.too_deep`, as for a data file). A float becomes the
    decimal its shortest form shows (`3193.13`, as the JSON text or the
    database field said), never the binary fraction behind it."""
    if isinstance(value, (Mapping, list, tuple)):
        if depth >= MAX_DEPTH:
            raise DiagnosticError([Diagnostic("load.too_deep", SourceSpan("<data>", 1, 1), {"limit": MAX_DEPTH})])
        if isinstance(value, Mapping):
            return {k if isinstance(k, str) else _json_key(k): _exact(v, depth + 1) for k, v in value.items()}
        return [_exact(v, depth + 1) for v in value]
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


def _json_key(key: Any) -> str:
    """A key that is no text, as `json.dumps` writes it (`1` → "1", `True` → "true")."""
    text = json.dumps(_exact(key), default=str)
    return text[1:-1] if text.startswith('"') else text


def _evaluate_raw_file(path: str, plan: Plan) -> Result:

    if is_any_form(path):
        return evaluate_unit(plan, read_form(path, plan))

    shown = display_path(path)
    text = read_file(path, shown)
    raw, smap = load_text(text, shown)
    return evaluate_unit(plan, read_unit(plan, raw, smap, shown, digest_of(text)))


def ruleset_warnings(plan: Plan, lint_choice: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())) -> list[Diagnostic]:
    """What `validate` reports as warnings: weights the scheme scores anyway
    (`policy.weights_mismatch: warn`) and the design lints that are on
    (`lint_choice`: ids to enable, to disable, over the ruleset's `lints:`)."""
    from engine.ruleset import lints  # cold start: only validate lints a ruleset on its own

    on = lints.enabled(plan.ruleset.lints, *lint_choice)
    out = list(plan.notices) if "group_weights" in on else []
    return out + lints.run(plan.roots, on, lints.span_in_plan(plan))


def result_json(result: Result) -> str:
    """The result as `jixiao evaluate --format json` prints it."""
    from engine.render import json_out  # cold start: only callers that want JSON pay for it

    return json_out.render(result)


def compact_header(plan: Plan, lang: str = "zh") -> str:
    """The header record of a compact result file for `plan` (its first line,
    no newline): the ruleset's id and digest, and what every line leaves to it
    (as `jixiao batch --result compact` writes it; sentences in `lang`)."""
    from engine.render import compact  # cold start: only callers of compact results pay for it

    return compact.header_line(plan, lang)


def result_compact(result: Result, lang: str = "zh") -> str:
    """The result as one line of a compact result file (after `compact_header(result.plan, lang)`)."""
    from engine.render import compact  # cold start: only callers of compact results pay for it

    return compact.line(result, _compact_shared(result.plan, lang))


_SHARED: dict = {}  # (id(plan), lang) → (plan, compact.Shared): the last few plans' headers


def _compact_shared(plan: Plan, lang: str):
    from engine.render import compact  # cold start: only callers of compact results pay for it

    kept = _SHARED.get((id(plan), lang))
    if kept is None or kept[0] is not plan:
        if len(_SHARED) > 8:
            _SHARED.clear()
        kept = _SHARED[(id(plan), lang)] = (plan, compact.shared_for(plan, lang))
    return kept[1]


def expand_compact(line: str, plan: Plan, header: str | None = None) -> str:
    """A compact line back as the full result line, byte for byte what
    `jixiao batch --result full` (`evaluate --format json` on one line) gives.
    `header`: the file's first line (default: `compact_header(plan)`, Chinese);
    it must have been written with this ruleset. Raises `DiagnosticError`
    (code `compact.*`) for a damaged line or a header of another ruleset,
    and as for a JSONL input line (`load.too_deep`, `load.number_range`, at
    `<line>:1:col`) for one nested too deep or holding NaN/Infinity."""
    from engine.render import compact  # cold start: only callers of compact results pay for it

    try:
        shared = compact.read_header(header, plan) if header is not None else _compact_shared(plan, "zh")
        return compact.expand(line, shared)
    except compact.CompactError as e:
        raise DiagnosticError([Diagnostic(e.code, None, e.details)]) from None


def show_result(path: str, ruleset: str | Plan | None = None, search: SearchPath | None = None, fmt: str = "full", lang: str = "zh", on_plan=None):
    """Read a compact result file back, line by line (as `jixiao show-result`):
    yields each unit as its full JSON line (`fmt="full"`, byte for byte what
    `batch --result full` writes) or as a few readable lines (`fmt="text"`,
    sentences in `lang`), and a located `Diagnostic` (`file:line:col`) for a
    line that cannot be read. Without `ruleset`, the one the header names (its
    file, else its id on the search path); a ruleset whose digest is not the
    header's is refused. `on_plan(plan)` is called with the ruleset found,
    before any line is read. Raises `DiagnosticError` for a ruleset with problems."""
    from engine.render import compact  # cold start: only callers of compact results pay for it

    shown = display_path(path)

    def plan_of(head: dict) -> Plan:
        plan = _plan_named(head)
        if on_plan is not None:
            on_plan(plan)
        return plan

    def _plan_named(head: dict) -> Plan:
        if isinstance(ruleset, Plan):
            return ruleset
        if ruleset is not None:
            return load_ruleset(ruleset, search)
        named = head.get("ruleset") if isinstance(head.get("ruleset"), dict) else {}
        file, rid = str(named.get("file") or ""), str(named.get("id") or "")
        for ref in (file, rid):
            if ref and (os.path.isfile(ref) or not is_path(ref)):
                try:
                    return load_ruleset(ref, search)
                except DiagnosticError as e:
                    if os.path.isfile(ref):
                        raise
                    if not all(d.code.startswith("locate.") for d in e.diagnostics):
                        raise
        raise compact.CompactError("compact.no_ruleset", ruleset=rid, file=file)

    with open(path, "rb") as fh:  # each line decoded on its own: one damaged line is reported alone
        yield from compact.read_lines(fh, shown, plan_of, fmt, lang)


def explain_file(data_path: str, indicator: str | None = None, ruleset: str | None = None, search: SearchPath | None = None):
    """Evaluate, then explain one indicator (`Explanation`) or, without one,
    rank where the points were lost (`Ranking`). Raises `DiagnosticError`."""
    from engine.tools import explain  # cold start: `evaluate` never needs it

    result = _run.evaluate_file(data_path, ruleset, search)
    return explain.losses(result) if indicator is None else explain.explain(result, indicator)


def list_rulesets(search: SearchPath | None = None) -> list[dict[str, Any]]:
    """Every ruleset on the search path: `{"name": "2019/department", "id": …, "path": …}`."""
    search = search or SearchPath.default()
    ids = dict(ruleset_ids(search))
    return [{"name": name, "id": ids.get(path), "path": path} for path, name in ruleset_files(search)]


# --- fill-in forms (engine.forms; docs/forms.md) ---------------------------------

def _open_form(path: str, display: str | None = None):
    """A filled form opened by its suffix (.xlsx/.xlsm, .docx, .xls); its
    problems are located under `display` (default: the path as shown)."""
    # cold start: only filled forms need their readers
    from engine.forms.xlsx_form import file_span, open_form

    shown = display or display_path(path)
    if not os.path.isfile(path):
        raise DiagnosticError([Diagnostic("load.not_found", file_span(shown), {"path": shown})])
    low = path.lower()
    if low.endswith(".docx"):
        # cold start: only filled forms need their readers
        from engine.forms.docx_form import open_docx

        return open_docx(path, shown)
    if low.endswith(".xls"):
        # cold start: only filled forms need their readers
        from engine.forms.xls_form import open_xls

        return open_xls(path, shown)
    return open_form(path, shown)


def _form_for(path: str, plan: Plan, book=None):
    """The form at `path` ready to read with `plan` (a Word form laid out
    again from the ruleset, `engine.render.template.word_layout`)."""
    book = book or _open_form(path)
    if path.lower().endswith(".docx"):
        from engine.render.template import word_layout  # cold start: only Word forms need the template

        book = word_layout(book, plan, plan.file)
    return book


def form_ruleset(book, data_path: str, search: SearchPath) -> str:
    """The ruleset a form's stamp names: its id on the search path, else the
    path it records; raises a located problem when neither is found."""
    # cold start: only filled forms need their readers
    from engine.forms.xlsx_form import file_span

    s = book.stamp
    if s is None or not s.layout:  # no hidden sheet (a Word copy: no properties): the ruleset whose declared layout it matches
        return declared_ruleset(book, search)
    for ref in (s.ruleset_id, s.ruleset_ref):
        if not ref:
            continue
        try:
            return locate(ref, search, base=os.path.dirname(os.path.abspath(data_path)))
        except DiagnosticError:
            continue
    raise DiagnosticError([Diagnostic("forms.no_ruleset", file_span(book.display), {"made_title": s.ruleset_title, "ref": s.ruleset_id or s.ruleset_ref})])


def declared_ruleset(book, search: SearchPath) -> str:
    """The ruleset on the search path whose declared `form:` layout a form
    without jixiao's hidden sheet matches (when several do, the one whose year
    the form prints); raises a located problem when several match, what the
    closest layout lacks when none does, else that it is no jixiao form."""
    # cold start: only filled forms need their readers
    from engine.forms.layout import missing, not_a_form

    found: list[tuple[str, Plan]] = []
    near: list[list[Diagnostic]] = []  # layouts whose title the form prints, with what it lacks
    for path, _name in ruleset_files(search):
        try:
            plan = load_plan(path, display_path(path), search)
        except DiagnosticError:
            continue  # a broken ruleset on the path is `validate`'s business, not this form's
        lacks = missing(book, plan)
        if lacks == []:
            found.append((path, plan))
        elif lacks:
            near.append(lacks)
    if len(found) > 1:
        printed = "".join(t for s in book.sheetnames()[:1] for _, _, t in book.texts(s) if isinstance(t, str))
        dated = [f for f in found if str(f[1].ruleset.year) in printed]
        found = dated or found
    if len(found) == 1:
        return found[0][0]
    if found:
        raise DiagnosticError([Diagnostic("forms.layout_ambiguous", CellSpan(book.display, 0, 0, ""), {"rulesets": "、".join(display_path(p) for p, _ in found)})])
    if near:  # the closest layout says what the form lacks
        raise DiagnosticError(min(near, key=len))
    raise not_a_form(book.display)


def read_form(data_path: str, plan: Plan, display: str | None = None):
    """A filled form (.xlsx, .docx, .xls) read back as `plan`'s checked unit
    data (raises with every problem, located at its cell under `display`,
    default the path; the server passes the uploaded file's own name)."""
    return read_form_unit(plan, _form_for(data_path, plan, _open_form(data_path, display)))


def form_made_for(data_path: str, display: str | None = None) -> tuple[str, str, str]:
    """(id, name or path, title) of the ruleset a filled form says it was made for."""
    book = _open_form(data_path, display)
    s = book.stamp
    if s is None or not s.layout:  # no hidden sheet: the bundled ruleset whose declared layout it matches (raises if none)
        path = declared_ruleset(book, SearchPath.default())
        return "", path, load_plan(path, display_path(path)).ruleset.title
    return s.ruleset_id, s.ruleset_ref, s.ruleset_title


def read_form_unit(plan: Plan, book):
    """A filled form's data checked against `plan` (raises with every problem);
    the warnings met reading it are kept in the unit's `notes`."""
    raw, smap, notes = book.read(plan)
    unit = read_unit(plan, raw, smap, book.display, book.digest)
    return dataclasses.replace(unit, notes=tuple(notes)) if notes else unit


def evaluate_form(data_path: str, ruleset: str | None = None, search: SearchPath | None = None, lint_choice: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())) -> Result:
    """Read a filled form (.xlsx, .docx, .xls) back as unit data and evaluate
    it; without `ruleset`, the one its stamp names. Raises `DiagnosticError`,
    every problem located at its cell (`文件.xlsx:工作表!C12`)."""
    return evaluate_unit(*_form_unit(data_path, ruleset, search), lint_choice)


def _form_unit(data_path: str, ruleset: str | None, search: SearchPath | None):
    """The ruleset (given, or the one the form's stamp names) and the form's checked unit."""
    search = search or SearchPath.default()
    book = _open_form(data_path)
    path = locate(ruleset, search) if ruleset is not None else form_ruleset(book, data_path, search)
    plan = load_plan(path, display_path(path), search)
    return plan, read_form_unit(plan, _form_for(data_path, plan, book))


def form_template(ruleset: str, rows: int | None = None, table_rows: int | None = None, word: bool = False, search: SearchPath | None = None) -> bytes:
    """The fill-in form of a ruleset (path, `YEAR/kind` or id): .xlsx bytes,
    or .docx with `word`."""
    # cold start: only templates and Word forms need the renderers
    from engine.render.template import DEFAULT_ROWS, DEFAULT_TABLE_ROWS, docx_bytes, template, workbook_bytes

    plan = load_ruleset(ruleset, search)
    t = template(plan, display_path(plan.file), rows or DEFAULT_ROWS, table_rows or DEFAULT_TABLE_ROWS)
    return docx_bytes(t) if word else workbook_bytes(t)


def flat_header(ruleset: str, search: SearchPath | None = None) -> list[str]:
    """The header row of a flat batch table for a ruleset (`template --flat`)."""
    # cold start: only --flat needs the column mapping
    from engine.unit.columns import flat_header as header

    return header(load_ruleset(ruleset, search))


def flat_header_xlsx(header: list[str]) -> bytes:
    """The header row as a one-sheet workbook."""
    # cold start: only templates and Word forms need the renderers
    from engine.render.xlsx_out import _openpyxl

    wb = _openpyxl().Workbook()
    wb.active.append(header)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
