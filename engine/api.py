"""The library's front door: one call per job, used by the CLI and by tests."""
from __future__ import annotations

import os

from engine.ruleset.compile import Plan, load_plan
from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan
from engine.evaluation.evaluate import evaluate
from engine.unit.inputs import UnitData, read_unit
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


def evaluate_file(data_path: str, ruleset_path: str | None = None) -> Result:
    """Load a data file, its ruleset (given, or named by the file), and evaluate.

    Raises `DiagnosticError` with every problem found in either file."""
    from engine.forms import is_any_form

    if is_any_form(data_path):
        return evaluate_form(data_path, ruleset_path)
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
    return evaluate(plan, unit)


def validate_ruleset(path: str) -> Plan:
    """Load and compile a ruleset; raise `DiagnosticError` with every problem."""
    return load_plan(path, display_path(path))


def explain_file(data_path: str, indicator: str | None = None, ruleset_path: str | None = None):
    """Evaluate, then explain one indicator (`Explanation`) or, without one,
    rank where the points were lost (`Ranking`). Raises `DiagnosticError`."""
    from engine.tools import explain

    result = evaluate_file(data_path, ruleset_path)
    return explain.losses(result) if indicator is None else explain.explain(result, indicator)


def resolve_form_ruleset(book, data_path: str) -> str | None:
    """The ruleset a form's stamp names, as a path: the reference as written
    (relative to the working folder, to the form's folder, or to jixiao's own
    folder, or a bundled id such as `2019/department`); None when not found."""
    ref = book.stamp.ruleset_ref
    if not ref:
        return None
    here = os.path.dirname(os.path.abspath(data_path))
    candidates = [ref, os.path.join(here, ref), os.path.join(ROOT, ref), os.path.join(ROOT, "rulesets", ref), os.path.join(ROOT, "rulesets", ref + ".yaml")]
    return next((c for c in candidates if os.path.isfile(c)), None)


def read_form_unit(plan: Plan, book) -> UnitData:
    """A filled form's data checked against `plan` (raises with every problem)."""
    import dataclasses

    raw, smap, notes = book.read(plan)
    unit = read_unit(plan, raw, smap, book.display, book.digest)
    return dataclasses.replace(unit, notes=tuple(notes)) if notes else unit


def evaluate_form(data_path: str, ruleset_path: str | None = None) -> Result:
    """Read a filled form (.xlsx) back as unit data and evaluate it; without a
    ruleset, the one its stamp names. Raises `DiagnosticError`, located at cells."""
    from engine.forms.xlsx_form import file_span, open_form

    shown = display_path(data_path)
    if not os.path.isfile(data_path):
        raise DiagnosticError([Diagnostic("load.not_found", file_span(shown), {"path": shown})])
    from engine.forms.docx_form import is_docx, open_docx

    from engine.forms.xls_form import is_xls, open_xls

    book = open_docx(data_path, shown) if is_docx(data_path) else open_xls(data_path, shown) if is_xls(data_path) else open_form(data_path, shown)
    if ruleset_path is None:
        ruleset_path = resolve_form_ruleset(book, data_path)
        if ruleset_path is None:
            s = book.stamp
            raise DiagnosticError([Diagnostic("forms.no_ruleset", file_span(shown), {"made_title": s.ruleset_title, "ref": s.ruleset_ref or s.ruleset_id})])
    plan = load_plan(ruleset_path, display_path(ruleset_path))
    if is_docx(data_path):
        from engine.render.template import word_layout

        book = word_layout(book, plan, ruleset_path)
    return evaluate(plan, read_form_unit(plan, book))


def form_template(ruleset_path: str, rows: int | None = None, table_rows: int | None = None, word: bool = False) -> bytes:
    """The fill-in form of a ruleset: .xlsx bytes, or .docx with `word`."""
    from engine.render.template import DEFAULT_ROWS, DEFAULT_TABLE_ROWS, docx_bytes, template, workbook_bytes

    plan = load_plan(ruleset_path, display_path(ruleset_path))
    ref = os.path.relpath(os.path.abspath(ruleset_path), ROOT)
    ref = ref if not ref.startswith("..") else os.path.abspath(ruleset_path)
    t = template(plan, ref, rows or DEFAULT_ROWS, table_rows or DEFAULT_TABLE_ROWS)
    return docx_bytes(t) if word else workbook_bytes(t)


def flat_header(ruleset_path: str) -> list[str]:
    """The header row of a flat batch table for a ruleset (`template --flat`)."""
    from engine.unit.columns import flat_header as header

    return header(load_plan(ruleset_path, display_path(ruleset_path)))


def flat_header_xlsx(header: list[str]) -> bytes:
    """The header row as a one-sheet workbook."""
    import io

    from engine.render.xlsx_out import _openpyxl

    wb = _openpyxl().Workbook()
    wb.active.append(header)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
