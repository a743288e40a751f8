"""Stated figures (表上印的数): what a filled-in form printed, for review (审核).

A reviewer types the figures the form prints beside the data the scores are
computed from; `engine.evaluation.review` compares each with the computed one.
Stated figures are only compared: they never change a computed score::

    stated:
      total: 87.36                 # 总分
      grade: 良                    # 等级
      groups: {产出指标: 38}        # a group's (一级/二级) printed subtotal
      indicators:
        预算执行率: {score: 9.36, weight: 10, rate: 93.59%}

A group may also be given as `{score: 38, weight: 40}` (a section printed as
“产出指标（40分）” states its weight). In a project's `indicator_rows`, a row's
`score:` (得分) is that row's stated score when the row's method computes its
own score (see `engine.unit.indicator_rows`).

Names are checked after a project's rows are in place (a row's 三级 name is an
indicator name), so a misspelt name is reported with "did you mean", located.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from engine.base.diagnostics import Diagnostic, SourceSpan
from engine.base.numeric import is_empty_mark, show_value
from engine.base.sourcemap import SourceMap
from engine.ruleset.formula import suggest

STATED_KEYS = ("total", "grade", "groups", "indicators")
INDICATOR_FIELDS = ("score", "weight", "rate")
GROUP_FIELDS = ("score", "weight")


class StatedFigure(NamedTuple):
    """One printed figure: `scope` total | grade | group | indicator; `name`
    the indicator's name or key (None for the total and grade); `field` score |
    weight | rate | total | grade; `value` a Decimal (the grade: its text)."""

    scope: str
    name: str | None
    field: str
    value: Decimal | str
    span: SourceSpan | None


def read_stated(given: Any, smap: SourceMap, where, coerce) -> tuple[list[StatedFigure], list[Diagnostic]]:
    """The `stated:` section as figures, and the problems found (located).

    `coerce` is `engine.unit.inputs.coerce` (passed in: `inputs` imports this
    module)."""
    out: list[StatedFigure] = []
    problems: list[Diagnostic] = []
    if given is None:
        return out, problems
    if not isinstance(given, dict):
        return out, [Diagnostic("stated.not_mapping", where(("stated",)))]

    def number(value: Any, path: tuple, kind: str, label: str) -> Decimal | None:
        v, code = coerce(value, kind, False, None)
        if code:
            problems.append(Diagnostic(code, where(path), {"value": show_value(value), "label": label, "field": path[-1]}))
            return None
        return v if isinstance(v, Decimal) else None  # `—` or blank: nothing printed

    for key, value in given.items():
        path = ("stated", key)
        if key not in STATED_KEYS:
            problems.append(Diagnostic("stated.unknown_key", smap.key(path) or where(path), {"key": key, "known": ", ".join(STATED_KEYS)}))
        elif key == "total":
            v = number(value, path, "number", "总分")
            if v is not None:
                out.append(StatedFigure("total", None, "total", v, where(path)))
        elif key == "grade":
            if value is not None and not isinstance(value, (dict, list)):
                text = format(value, "f") if isinstance(value, Decimal) else str(value).strip()
                if text and not is_empty_mark(text):
                    out.append(StatedFigure("grade", None, "grade", text, where(path)))
            elif value is not None:
                problems.append(Diagnostic("input.not_text", where(path), {"value": show_value(value), "label": "等级", "field": ""}))
        else:
            scope = "group" if key == "groups" else "indicator"
            fields = GROUP_FIELDS if scope == "group" else INDICATOR_FIELDS
            if value is None:
                continue
            if not isinstance(value, dict):
                problems.append(Diagnostic("stated.section_not_mapping", where(path), {"section": key}))
                continue
            for name, figures in value.items():
                ipath = path + (name,)
                if scope == "group" and not isinstance(figures, dict):
                    figures, ipath_score = {"score": figures}, ipath
                else:
                    ipath_score = None
                if not isinstance(figures, dict):
                    problems.append(Diagnostic("stated.entry_not_mapping", where(ipath), {"name": name, "known": ", ".join(fields)}))
                    continue
                for field, raw in figures.items():
                    fpath = ipath_score or ipath + (field,)
                    if field not in fields:
                        problems.append(Diagnostic("stated.unknown_field", smap.key(fpath) or where(fpath), {"name": name, "key": field, "known": ", ".join(fields)}))
                        continue
                    v = number(raw, fpath, "percent" if field == "rate" else "number", f"{name}")
                    if v is not None:
                        out.append(StatedFigure(scope, str(name), field, v, where(fpath)))
    return out, problems


def check_names(stated: list[StatedFigure], roots, smap: SourceMap, where) -> list[Diagnostic]:
    """Each stated indicator or group names an indicator of the (filled) plan."""
    names: dict[str, Any] = {}
    stack = list(roots)
    while stack:
        n = stack.pop()
        names.setdefault(n.key, n)
        names.setdefault(n.name, n)
        stack.extend(n.children)
    problems = []
    seen: set[tuple] = set()
    for s in stated:
        if s.name is None or s.name in names:
            continue
        section = "groups" if s.scope == "group" else "indicators"
        if (section, s.name) in seen:
            continue
        seen.add((section, s.name))
        path = ("stated", section, s.name)
        problems.append(Diagnostic("stated.unknown_indicator", smap.key(path) or where(path), {"name": s.name, "suggestion": suggest(s.name, list(names))}))
    return problems
