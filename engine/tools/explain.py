"""How a score came about (得分说明): `explain(result, indicator)` and `losses(result)`.

For one indicator: the rule in the ruleset (with its file:line), the actual
value traced back through the derived metrics to the input figures and table
cells it was computed from (each with its data file:line), the scoring
method's arithmetic step by step, the branch taken, the points lost, and the
actual value that would have earned full marks. Without an indicator: every
leaf that lost points, ranked by the points lost (the "reason codes").

The values here are structured; `engine.render.explain_text` puts them into
words (Chinese or English).
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping

from engine.evaluation.checks import stated_span
from engine.ruleset.plan import Plan
from engine.base.diagnostics import SourceSpan
from engine.evaluation.evaluate import trace_outcome
from engine.ruleset.formula import compile_formula, suggest
from engine.base.numeric import ZERO, fmt_money, fmt_percent, fmt_score, round_half_up
from engine.evaluation.result import Deviation, IndicatorResult, Result
from engine.evaluation.display import show_target, show_value

_NAME = re.compile(r"[^\W\d]\w*(?:\.[^\W\d]\w*)*")
_VALUE_ARGS = ("actual", "target", "value", "gap", "step")
_POINT_ARGS = ("weight", "score", "points", "max", "min", "low", "high")


@dataclass(frozen=True, slots=True)
class Figure:
    """A named figure behind a score, and where it comes from (来源).

    `origin` is metric (a derived metric: `span` is its formula in the
    ruleset), input (a stated figure), cell (a table cell), entry (the
    indicator's own data) or formula (the indicator's actual formula); for
    input, cell and entry `span` is the data file's line. `calc` is the
    formula with the figures put in (`3,921.33 / 4,189.79`), `raw` the value
    before the formula's own rounding, `uses` the figures it reads."""

    name: str
    label: str | None
    value: Any
    text: str
    origin: str
    span: SourceSpan | None
    formula: str | None = None
    calc: str | None = None
    raw: str | None = None
    rounded_to: str | None = None  # 0.01% when the formula rounds to 4 decimals of a fraction
    uses: tuple["Figure", ...] = ()


@dataclass(frozen=True, slots=True)
class Step:
    """One line of a scoring method's arithmetic: a message code and its
    arguments already formatted (93.59%, 10, 9.36); `raw` is the unrounded
    score when the shown score was rounded."""

    code: str
    args: Mapping[str, str]
    raw: str | None = None


@dataclass(frozen=True)
class Explanation:
    """How one indicator's score came about."""

    key: str
    name: str
    path: tuple[str, ...]
    weight: Decimal
    score: Decimal
    lost: Decimal
    places: int
    rule_span: SourceSpan | None
    scoring_span: SourceSpan | None
    method: str | None
    method_title: str | None
    operator: str | None
    target_text: str
    actual_text: str
    actual: Figure | None
    steps: tuple[Step, ...]
    branch: str | None
    full_at_text: str | None
    deviation: Deviation | None
    entry_span: SourceSpan | None
    not_applicable: bool = False
    parts: tuple["Explanation", ...] = ()

    @property
    def is_leaf(self) -> bool:
        return not self.parts


@dataclass(frozen=True)
class Ranking:
    """Where the points were lost, most first."""

    total: Decimal
    available: Decimal
    grade: str
    places: int
    items: tuple[Explanation, ...]

    @property
    def lost(self) -> Decimal:
        return self.available - self.total


class UnknownIndicator(LookupError):
    """No indicator has this id or name; `suggestion` is the closest one."""

    def __init__(self, name: str, suggestion: str | None):
        self.name, self.suggestion = name, suggestion
        super().__init__(name)


def explain(result: Result, key: str) -> Explanation:
    """The explanation of the indicator with this id or name; raises
    `UnknownIndicator` (with the closest name) when there is none."""
    found = result.find(key)
    if found is None:
        raise UnknownIndicator(key, suggest(key, _all_names(result.indicators)))
    return _explain(result, found, _path_of(result.indicators, found) or (found.node.name,))


def losses(result: Result) -> Ranking:
    """Every scored leaf that lost points, by points lost (then tree order)."""
    items = []
    for i, (path, leaf) in enumerate(_leaves(result.indicators, ())):
        e = _explain(result, leaf, path)
        if e.lost > 0:
            items.append((-e.lost, i, e))
    items.sort(key=lambda t: (t[0], t[1]))
    rs = result.plan.ruleset
    return Ranking(result.total, rs.total, result.grade, rs.rounding.places, tuple(e for _, _, e in items))


def _all_names(items) -> list[str]:
    out: list[str] = []
    for r in items:
        out += [r.node.key, r.node.name]
        out += _all_names(r.children)
    return out


def _leaves(items, above: tuple[str, ...]):
    for r in items:
        path = above + (r.node.name,)
        if r.children:
            yield from _leaves(r.children, path)
        else:
            yield path, r


def _path_of(items, target, above: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    for r in items:
        path = above + (r.node.name,)
        if r is target:
            return path
        found = _path_of(r.children, target, path)
        if found:
            return found
    return None


def _explain(result: Result, r: IndicatorResult, path: tuple[str, ...]) -> Explanation:
    plan, node = result.plan, r.node
    places = plan.ruleset.rounding.places
    score = round_half_up(r.score, places)
    lost = round_half_up(node.weight - score, places) if not r.not_applicable else ZERO
    dev = next((d for d in result.deviations if d.key == node.key), None)
    parts: tuple[Explanation, ...] = ()
    steps: tuple[Step, ...] = ()
    branch = full_at = actual = None
    method = method_title = None
    if r.children:
        parts = tuple(_explain(result, c, path + (c.node.name,)) for c in r.children)
    else:
        fmt = lambda v: _show(v, node.value_type, node.unit)  # noqa: E731
        actual = _actual_figure(result, r, fmt)
        outcome = trace_outcome(r, result.env)
        if node.method is not None:
            method = node.method.NAME
            method_title = (node.method.__doc__ or "").strip().split("\n")[0].split(" (")[0] or None
        if outcome is not None:
            branch = outcome.branch
            steps = tuple(_step(code, args, node, fmt, outcome.score, places) for code, args in outcome.steps)
            if outcome.full_at is not None and r.score < node.weight:
                full_at = fmt(outcome.full_at)
                if node.value_type == "money":
                    full_at = fmt_money(outcome.full_at)

    return Explanation(
        key=node.key, name=node.name, path=path, weight=node.weight, score=score, lost=lost, places=places,
        rule_span=plan.span(node.path), scoring_span=plan.span(node.path + ("scoring",)) if node.method else None,
        method=method, method_title=method_title, operator=node.operator,
        target_text=show_target(r) if not r.children else "",
        actual_text=show_value(r.actual, node.value_type, node.unit) if not r.children else "",
        actual=actual, steps=steps, branch=branch, full_at_text=full_at, deviation=dev,
        entry_span=result.unit.span(("indicators", node.key)) if node.key in result.unit.entries else None,
        not_applicable=r.not_applicable, parts=parts,
    )


def _step(code: str, args: Mapping[str, Any], node, fmt, final: Decimal, places: int) -> Step:
    out: dict[str, str] = {}
    raw = None
    for k, v in args.items():
        if isinstance(v, Decimal) and k in _VALUE_ARGS:
            out[k] = fmt(v)
        elif isinstance(v, Decimal) and k in _POINT_ARGS:
            if k == "score" and v == final and round_half_up(v, places) != v:
                raw = fmt_score(v, 6)
                out[k] = fmt_score(v, places)
            else:
                out[k] = fmt_score(v, 6)
        elif isinstance(v, Decimal):
            out[k] = fmt_score(v, 6)
        else:
            out[k] = "" if v is None else str(v)
    # w × B ÷ 100% is w × B: say it as the forms do (10 × 93.59% = 9.36).
    if code == "step.ratio" and args.get("target") == 1:
        code = "explain.ratio_of_full"
    return Step(code, out, raw)


def _show(value: Any, kind: str, unit: str | None = None) -> str:

    if isinstance(value, Decimal) and kind == "money":
        return fmt_money(value)
    return show_value(value, kind, unit)


# --- tracing figures back to their sources -----------------------------------

def _actual_figure(result: Result, r: IndicatorResult, fmt) -> Figure | None:
    node = r.node
    tracer = _Tracer(result)
    if node.actual is not None:
        names = node.actual.names
        if node.actual.text.strip() in names and len(names) == 1:
            return tracer.figure(names[0])  # the actual is a metric: start there
        calc, raw, places = tracer.calculation(node.actual.text, result.env, node.value_type)
        return Figure(node.name, None, r.actual, fmt(r.actual), "formula", result.plan.span(node.path + ("actual",)), node.actual.text, calc, raw, places, tuple(tracer.figure(n) for n in names))
    if r.actual is None:
        return None
    return Figure(node.name, None, r.actual, fmt(r.actual), "entry", result.unit.span(("indicators", node.key, "actual")))


class _Tracer:
    """Follows a name through the plan's metrics to inputs and table cells."""

    def __init__(self, result: Result):
        self.result = result
        self.plan: Plan = result.plan
        self.metrics = {name: (f, path) for name, f, path in result.plan.metrics}

    def kind(self, name: str) -> str:
        rs = self.plan.ruleset
        if name in rs.inputs:
            return rs.inputs[name].type
        ref = self.plan.table_names.get(name)
        if ref is not None:
            return rs.tables[ref[0]].columns[ref[2]].type
        decl = rs.metrics.get(name)
        if decl is not None:
            f = self.metrics.get(name, (None,))[0]
            if decl.type == "number" and f is not None and f.text.strip() in f.names:
                return self.kind(f.text.strip())  # an alias keeps its source's kind (money)
            return decl.type
        return "number"

    def show(self, name: str, value: Any) -> str:
        return _show(value, self.kind(name))

    def figure(self, name: str, depth: int = 0) -> Figure:
        env, rs, unit = self.result.env, self.plan.ruleset, self.result.unit
        value = env.get(name)
        text = self.show(name, value)
        if name in self.metrics and depth < 16:
            f, path = self.metrics[name]
            calc, raw, places = self.calculation(f.text, env, self.kind(name))
            uses = tuple(self.figure(n, depth + 1) for n in f.names)
            return Figure(name, rs.metrics[name].label, value, text, "metric", self.plan.span(path), f.text, calc, raw, places, uses)
        if name in rs.inputs:
            return Figure(name, rs.inputs[name].label, value, text, "input", unit.span(("inputs", name)))
        ref = self.plan.table_names.get(name)
        if ref is not None:
            tname, category, column = ref
            root = unit.tables.get(tname)
            if category is None or root is None:
                row_name = root.name if root is not None else ""
                return Figure(name, f"{tname}「{row_name}」{column}", value, text, "cell", stated_span(self.plan, unit, name))
            rows = tuple(
                Figure(name, f"{tname}「{row.name}」{column}", row.values.get(column), self.show(name, row.values.get(column)), "cell", unit.span(row.path + (column,)))
                for row in _rows_of(root, category)
            )
            return Figure(name, None, value, text, "cell", None, uses=rows)
        return Figure(name, None, value, text, "unknown", None)

    def calculation(self, text: str, env: Mapping[str, Any], kind: str) -> tuple[str, str | None, str | None]:
        """The formula with its figures put in; when the whole formula is
        `round_half_up(x, n)`, the inside `x` and its value before rounding."""
        places = raw = None
        inner = text
        try:
            tree = ast.parse(text.strip(), mode="eval").body
        except SyntaxError:
            tree = None
        if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and tree.func.id == "round_half_up" and tree.args:
            inner = ast.get_source_segment(text.strip(), tree.args[0]) or text
            places = int(ast.literal_eval(tree.args[1])) if len(tree.args) > 1 else 2
            f, errs = compile_formula(inner, self.plan.names, lambda _offset: None)
            if f is not None and not errs:
                try:
                    value = f.evaluate(env)
                except (ArithmeticError, TypeError, KeyError):
                    value = None
                if isinstance(value, Decimal):
                    raw = fmt_percent(value, places) if kind == "percent" else fmt_score(value, places + 2)
        calc = _NAME.sub(lambda mt: self.show(mt.group(0), env[mt.group(0)]) if mt.group(0) in env and isinstance(env[mt.group(0)], Decimal) else mt.group(0), inner)
        if places is not None:  # to what the value was rounded, in the value's own terms
            unit = Decimal(1).scaleb(-places)
            places = fmt_percent(unit, max(places - 2, 0)) if kind == "percent" else format(unit, "f")
        return calc, raw, places


def _rows_of(root, category: str):
    stack = list(reversed(root.rows))
    while stack:
        row = stack.pop()
        if row.category == category:
            yield row
        else:
            stack.extend(reversed(row.rows))
