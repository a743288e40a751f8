"""The server's work, one function per job, run in a worker process.

Every job takes plain values (texts, server-side paths the store resolved
from ids, display names) and returns plain values (str, bytes, dicts of
str/int/list) that cross a process boundary. A problem in the user's files
is `Problems` (diagnostics as dicts), never a traceback. `JOBS` lists them.
"""
from __future__ import annotations

import os
import tempfile
from decimal import Decimal
from typing import Any, Sequence

import time
from contextlib import contextmanager
from importlib import import_module

from engine import api
from engine.base.diagnostics import CellSpan, Diagnostic, DiagnosticError
from engine.base.numeric import round_half_up
from engine.render import MissingLibrary, diff_text, explain_text, json_out
from engine.render import resolved as resolved_out
from engine.evaluation.display import show_target, show_value
from engine.render.diff_text import scoring_text
from engine.ruleset.inherit import resolve_chain
from engine.ruleset.loading import compile_resolved, load_with_chain
from engine.serve.store import set_value
from engine.tools import explain as ex
from engine.tools import whatif
from engine.tools.diff import compare, describe_scoring


# The search path of the server this process works for (`configure`):
# `extends:` by name or id, and the folders a draft's `extends:` may name.
SEARCH = api.SearchPath.default()


def configure(folders: tuple[str, ...]) -> None:
    """Use the server's search folders (called once in each worker)."""
    global SEARCH
    SEARCH = api.SearchPath(tuple(folders))


class Problems(Exception):
    """The user's input has problems: `items` are diagnostics as dicts."""

    def __init__(self, items: list[dict]):
        super().__init__(items)
        self.items = items


def diagnostic_dict(d: Diagnostic, lang: str) -> dict:
    """One diagnostic as the API gives it: where (file, line and column, and
    `location` as the CLI prints it: `x.yaml:3:5`, `表.xlsx:工作表!C12`),
    code, message in `lang`."""
    s = d.span
    cell = isinstance(s, CellSpan)  # a form's cell: no line and column, a place (工作表!C12)
    return {
        "file": s.file if s else None,
        "line": s.line if s and not cell else None,
        "col": s.col if s and not cell else None,
        "location": str(s) if s else None,
        "code": d.code,
        "severity": d.severity,
        "message": d.message(lang),
    }


def _problems(e: DiagnosticError, lang: str) -> Problems:
    return Problems([diagnostic_dict(d, lang) for d in e.diagnostics])


def _num(v: Any) -> Any:
    return format(v, "f") if isinstance(v, Decimal) else v


# -- evaluation ---------------------------------------------------------------

# (path, display) → (the chain's file stamps, plan): a worker re-reads a
# ruleset only when one of its files changed (a stat per file, not a parse).
_PLANS: dict[tuple[str, str], tuple[tuple, Any]] = {}


def _stamps(paths) -> tuple:
    out = []
    for p in paths:
        try:
            st = os.stat(p)
            out.append((p, st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((p, None, None))
    return tuple(out)


def plan_of(path: str, display: str):
    """The compiled ruleset, cached while none of its chain's files changes."""
    key = (path, display)
    cached = _PLANS.get(key)
    if cached is not None and _stamps(p for p, _, _ in cached[0]) == cached[0]:
        return cached[1]


    res = resolve_chain(path, display, SEARCH)
    stamps = _stamps(link.path for link in res.chain)
    plan = compile_resolved(res, display)
    if len(_PLANS) > 64:
        _PLANS.clear()
    _PLANS[key] = (stamps, plan)
    return plan


def _result(ruleset: str, display: str, unit: str | bytes, unit_name: str, sets: Sequence[str], lang: str):
    """The unit evaluated: `unit` is its YAML/JSON text, or the bytes of a
    filled form (.xlsx, .docx, .xls, by `unit_name`'s suffix) whose problems
    are located at their cells under `unit_name`."""
    try:
        plan = plan_of(ruleset, display)
        if isinstance(unit, bytes):
            with _form_file(unit, unit_name) as path:
                return api.evaluate_with(plan, api.read_form(path, plan, unit_name), sets)
        return api.evaluate_text(plan, unit, unit_name, sets)
    except DiagnosticError as e:
        raise _problems(e, lang) from None


@contextmanager
def _form_file(data: bytes, name: str):
    """An uploaded form's bytes as a private file the readers can open (the
    name is the client's only for messages: the file is always `form.<suffix>`)."""
    suffix = os.path.splitext(name)[1].lower()
    with tempfile.TemporaryDirectory(prefix="jixiao-form-") as tmp:
        path = os.path.join(tmp, "form" + suffix)
        with open(path, "wb") as fh:
            fh.write(data)
        yield path


def form_ruleset(data: bytes, name: str, lang: str = "zh") -> list[str]:
    """The ruleset refs (id, then name or path) an uploaded form's stamp names."""
    try:
        with _form_file(data, name) as path:
            ident, ref, _title = api.form_made_for(path, name)
    except DiagnosticError as e:
        raise _problems(e, lang) from None
    return [r for r in (ident, ref) if r]


def evaluate_json(ruleset: str, display: str, unit_text: str, unit_name: str, lang: str = "zh", sets: Sequence[str] = ()) -> str:
    """`evaluate --format json`'s output for a unit's text."""

    return json_out.render(_result(ruleset, display, unit_text, unit_name, sets, lang), lang)


def report(ruleset: str, display: str, unit_text: str | bytes, unit_name: str, fmt: str, lang: str = "zh", sets: Sequence[str] = ()) -> str | bytes:
    """A report of the unit: json, text, markdown, html, docx or xlsx."""

    result = _result(ruleset, display, unit_text, unit_name, sets, lang)
    try:
        return import_module(f"engine.render.{RENDERERS[fmt]}").render(result, lang)
    except MissingLibrary as e:  # the reports extra is not installed on the server
        raise Problems([diagnostic_dict(Diagnostic("report.missing_library", None, {"format": e.format, "package": e.package}), lang)]) from None


# format → renderer module under engine/render (as `evaluate --format`)
RENDERERS = {"text": "text", "json": "json_out", "markdown": "markdown_out", "docx": "docx_out", "xlsx": "xlsx_out", "html": "html_out"}


def explain(ruleset: str, display: str, unit_text: str | bytes, unit_name: str, indicator: str | None, lang: str = "zh", sets: Sequence[str] = ()) -> str:
    """`explain`'s text for one indicator, or the ranking of points lost."""

    result = _result(ruleset, display, unit_text, unit_name, sets, lang)
    if not indicator:
        return explain_text.render_ranking(ex.losses(result), lang)
    try:
        return explain_text.render(ex.explain(result, indicator), lang)
    except ex.UnknownIndicator as e:
        d = Diagnostic("explain.unknown_indicator", None, {"name": e.name, "suggestion": e.suggestion})
        raise Problems([diagnostic_dict(d, lang)]) from None


def changed_data(ruleset: str, display: str, unit_text: str | bytes, unit_name: str, sets: Sequence[str], lang: str = "zh") -> str:
    """The unit's data file with the what-if figures written in (YAML, every
    comment and the layout kept: ruamel's round-trip mode). Settings of
    computed figures (metrics, table totals) cannot be stored and are left out."""

    if isinstance(unit_text, bytes):  # a filled form: its figures live in its cells, not in a YAML text
        raise Problems([diagnostic_dict(Diagnostic("serve.form_no_data_file", None, {"name": unit_name}), lang)])
    result = _result(ruleset, display, unit_text, unit_name, sets, lang)  # every setting checked, located
    plan = result.plan
    leaves = {n.name: n for n in plan.leaves}
    leaves.update({n.key: n for n in plan.leaves})
    text = unit_text
    for s in whatif.parse(sets):
        value: Any = s.value
        try:
            value = Decimal(s.value.replace(",", "")) if s.value.replace(",", "").replace(".", "", 1).lstrip("-").isdigit() else s.value
        except ArithmeticError:
            pass
        if s.name in plan.ruleset.inputs:
            text = set_value(text, ("inputs", s.name), value)
        elif s.name in leaves:
            node = leaves[s.name]
            method = node.method.NAME if node.method is not None else ""
            field = {"manual": "score", "qualitative": "score", "coefficient": "coefficient"}.get(method, "actual")
            key = result.unit.entry_keys.get(node.key, node.name)
            text = set_value(text, ("indicators", key, field), value)
    return text


def _tree(results, places: int, lang: str) -> list[dict]:


    out = []
    for r in results:
        node = r.node
        item = {
            "id": node.key,
            "name": node.name,
            "weight": _num(node.weight),
            "score": _num(round_half_up(r.score, places)),
            "children": _tree(r.children, places, lang),
        }
        if not r.children:
            item.update(
                target=show_target(r),
                actual=show_value(r.actual, node.value_type, node.unit),
                method=node.method.NAME if node.method else "",
                lost=_num(round_half_up(node.weight - r.score, places)) if node.in_total and not r.not_applicable else "0",
            )
        out.append(item)
    return out


def unit_view(ruleset: str, display: str, unit_text: str | bytes, unit_name: str, lang: str = "zh", sets: Sequence[str] = ()) -> dict:
    """What the evaluation page shows: the score tree, total, grade, findings
    (with where they point), the figures a what-if may change (with their
    current values) and the indicator whose improvement gains the most."""

    result = _result(ruleset, display, unit_text, unit_name, sets, lang)
    plan = result.plan
    places = plan.ruleset.rounding.places
    ranking = ex.losses(result)
    figures = []
    for name, decl in plan.ruleset.inputs.items():
        if decl.type != "text":
            figures.append({"name": name, "label": decl.label or name, "kind": "input", "value": _show_env(result.env.get(name))})
    for name, _formula, _path in plan.metrics:
        figures.append({"name": name, "label": name, "kind": "metric", "value": _show_env(result.env.get(name))})
    for r in _leaf_results(result.indicators):  # figures and scores the unit gives per indicator
        node = r.node
        method = node.method.NAME if node.method is not None else ""
        field = {"manual": "score", "qualitative": "score", "coefficient": "coefficient"}.get(method)
        if field is None and (node.actual is not None or node.value_type not in ("money", "number", "percent", "count")):
            continue
        value = r.entry.get(field) if field else r.actual
        if field is None and node.value_type == "percent" and isinstance(value, Decimal):
            shown = format((value * 100).normalize(), "f") + "%"
        else:
            shown = _show_env(value)
        figures.append({"name": node.name, "label": node.name, "kind": field or "actual", "value": shown})
    best = None
    if ranking.items:
        top = ranking.items[0]
        best = {"name": top.name, "points": _num(round_half_up(top.lost, places))}
    return {
        "subject": result.unit.name,
        "ruleset": {"title": plan.ruleset.title, "year": plan.ruleset.year, "file": plan.file},
        "total": _num(result.total),
        "grade": result.grade,
        "available": _num(plan.ruleset.total),
        "tree": _tree(result.indicators, places, lang),
        "findings": json_out.as_dict(result, lang)["findings"],
        "figures": figures,
        "best": best,
        "ranking": [{"name": e.name, "lost": _num(round_half_up(e.lost, places))} for e in ranking.items[:8]],
    }


def _leaf_results(results):
    for r in results:
        if r.children:
            yield from _leaf_results(r.children)
        else:
            yield r


def _show_env(v: Any) -> str:
    if isinstance(v, Decimal):
        return format(v.normalize(), "f") if v == v.to_integral_value() else format(v, "f")
    return "" if v is None else str(v)


# -- rulesets -----------------------------------------------------------------

def validate_text(path: str, display: str, text: str, lang: str = "zh") -> dict:
    """A ruleset draft's diagnostics (as `validate` gives them), and its
    indicator count and total when it has none."""
    try:
        plan = api.plan_from_text(text, path, display, SEARCH, SEARCH.folders)
    except DiagnosticError as e:
        return {"ok": False, "diagnostics": [diagnostic_dict(d, lang) for d in e.diagnostics]}
    return {"ok": True, "diagnostics": [], "indicators": len(plan.leaves), "total": _num(plan.ruleset.total)}


def preview(path: str, display: str, text: str, data: str | None, data_display: str, lang: str = "zh") -> dict:
    """The editor's live view: the draft's diagnostics and, when it has none
    and a data file is chosen, that unit's scores under the draft."""
    checked = validate_text(path, display, text, lang)
    if not checked["ok"] or not data:
        return checked
    plan = api.plan_from_text(text, path, display, SEARCH, SEARCH.folders)
    try:
        with open(data, encoding="utf-8") as fh:
            unit_text = fh.read()
        result = api.evaluate_text(plan, unit_text, data_display)
    except DiagnosticError as e:
        checked["unit_problems"] = [diagnostic_dict(d, lang) for d in e.diagnostics]
        return checked
    places = plan.ruleset.rounding.places
    checked.update(total=_num(result.total), grade=result.grade, tree=_tree(result.indicators, places, lang))
    return checked


def ruleset_view(path: str, display: str, lang: str = "zh") -> dict:
    """What the ruleset page shows: the indicator tree with weights, targets
    and each scoring rule in words, the grade bands, the checks, the
    inheritance chain, and the resolved text with each value's origin."""


    try:
        res, plan = load_with_chain(path, display, SEARCH)
    except DiagnosticError as e:
        raise _problems(e, lang) from None

    def origin(node) -> str:
        span = plan.span(node.path + ("weight",)) or plan.span(node.path)
        if span is None:
            return ""
        year = res.year_of(span.file)
        return f"{span.file}:{span.line}" + (f" ({year})" if year is not None else "")

    def nodes(items) -> list[dict]:
        return [
            {
                "id": n.key,
                "name": n.name,
                "weight": _num(n.weight),
                "target": n.target_text or "",
                "operator": n.operator or "",
                "rule": scoring_text(describe_scoring(n), lang) if n.method is not None else "",
                "origin": origin(n),
                "children": nodes(n.children),
            }
            for n in items
        ]

    rs = plan.ruleset
    return {
        "title": rs.title,
        "id": rs.id,
        "year": rs.year,
        "kind": rs.kind,
        "total": _num(rs.total),
        "description": rs.description or "",
        "chain": [{"file": link.file, "year": link.year} for link in res.chain],
        "tree": nodes(plan.roots),
        "grades": [{"label": g.label, "min": _num(g.min)} for g in rs.grades],
        "checks": [{"id": c.id, "name": c.label or c.id, "kind": c.kind, "tolerance": _num(c.tolerance)} for c in rs.checks],
        "resolved": resolved_out.render_resolved(res, lang),
    }


def resolved_text(path: str, display: str, lang: str = "zh") -> str:
    """`show --resolved`."""

    try:
        res, _plan = load_with_chain(path, display, SEARCH)
    except DiagnosticError as e:
        raise _problems(e, lang) from None
    return resolved_out.render_resolved(res, lang)


def summary(path: str, display: str) -> dict:
    """A ruleset's id, title, year and kind for the listing (`ok` false when it has problems)."""
    try:
        plan = plan_of(path, display)
    except DiagnosticError as e:
        return {"ok": False, "problems": len(e.diagnostics)}
    rs = plan.ruleset
    return {"ok": True, "ruleset_id": rs.id, "title": rs.title, "year": rs.year, "kind": rs.kind, "total": _num(rs.total)}


def diff(old: str, old_display: str, new: str, new_display: str, unit_text: str | None, unit_name: str, lang: str = "zh") -> str:
    """`diff OLD NEW [DATA]`: the changes, and their impact on the unit's score."""

    with tempfile.TemporaryDirectory(prefix="jixiao-diff-") as tmp:
        data: tuple[str, ...] = ()
        shown = {old: old_display, new: new_display}
        if unit_text is not None:
            p = os.path.join(tmp, "unit.yaml")
            with open(p, "w", encoding="utf-8") as fh:
                fh.write(unit_text)
            data, shown[p] = (p,), unit_name
        try:
            return diff_text.render(compare(old, new, data, shown, SEARCH), lang)
        except DiagnosticError as e:
            raise _problems(e, lang) from None


def ping() -> str:
    return "pong"


def sleep(seconds: float) -> str:
    """Waits (only for the time-limit tests: never routed)."""

    time.sleep(seconds)
    return "slept"


JOBS = {f.__name__: f for f in (evaluate_json, report, form_ruleset, changed_data, explain, unit_view, validate_text, preview, ruleset_view, resolved_text, summary, diff, ping, sleep)}
