"""Design lints (指标设计检查): warnings about an indicator system, like a linter's rules.

Each lint has an id, is on by default, and can be switched off in the ruleset
(`lints: {money_as_quantity: false}`) or for one run (`--disable-lint ID`,
`--enable-lint ID` on `validate` and `evaluate`). `validate` lints the
ruleset's own indicators; `evaluate` lints the indicators the unit is scored
under (a project's own rows included). A lint never changes a score; each
finding is a `warning` located at the indicator.

- `money_as_quantity` (金额作为数量指标): a 数量指标 whose unit is money (万元,
  元): spending is an input, not an output; the forms' own guidance puts it
  under 成本指标 or leaves it to the execution rate.
- `execution_rate_as_output` (执行率重复作为产出指标): an indicator under 产出指标
  named like the execution rate (执行率, 支出进度) or reading the same figure
  as the indicator 预算执行率: the execution rate is scored once, in its own row.
- `target_without_unit` (定量指标没有计量单位): a numeric target with no unit
  (and not a percentage): `≥ 300` of what?
- `qualitative_proportional` (定性指标按比例计分): a row that names a quality
  (…性, 是否…, a unit such as 是/否) but is scored by a ratio (proportional,
  reverse, reverse_linear): a judgement is not a fraction.
- `group_weights` (分值加不上): weights of a group that do not add up to the
  group (or the tree to the total) — reported when the scheme scores such a
  form anyway (`policy.weights_mismatch: warn`); otherwise they are errors.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Mapping

from engine.base.diagnostics import Diagnostic, SourceSpan
from engine.ruleset.formula import suggest

# id → message code (the sentence says what is wrong and what to do)
LINTS: dict[str, str] = {
    "money_as_quantity": "lint.money_as_quantity",
    "execution_rate_as_output": "lint.execution_rate_as_output",
    "target_without_unit": "lint.target_without_unit",
    "qualitative_proportional": "lint.qualitative_proportional",
    "group_weights": "policy.weights_mismatch",  # the warnings of policy.weights_mismatch: warn (and total, frame)
}
MONEY_UNITS = ("万元", "元", "千元", "亿元", "万")
_EXECUTION_WORDS = ("执行率", "支出进度", "支出率")
_RATIO_METHODS = ("proportional", "reverse", "reverse_linear")
_QUALITATIVE_UNITS = ("是/否", "是否", "定性", "有/无", "等级", "档次")
_OUTPUT = "产出"
_QUANTITY = "数量"
EXECUTION_INDICATOR = "预算执行率"


def enabled(configured: Mapping[str, bool], enable: Iterable[str] = (), disable: Iterable[str] = ()) -> frozenset[str]:
    """The lints that run: all by default, less those the ruleset switches off,
    then the command line's choices (which win)."""
    on = {lint for lint in LINTS if configured.get(lint, True)}
    on |= set(enable)
    on -= set(disable)
    return frozenset(on)


def unknown(ids: Iterable[str]) -> list[tuple[str, str | None]]:
    """(id, suggestion) for each id that names no lint."""
    return [(i, suggest(i, LINTS)) for i in ids if i not in LINTS]


def run(roots, on: frozenset[str], where: Callable) -> list[Diagnostic]:
    """Every lint finding over the tree `roots`, as warnings; `where(node)`
    places an indicator (its ruleset entry or its data row)."""
    return [Diagnostic(code, where(node), args, "warning") for node, code, args in found(roots, on)]


def found(roots, on: frozenset[str]) -> list[tuple[Any, str, dict]]:
    """(indicator, code, arguments) of every lint finding over the tree
    `roots`: what `run` places and words."""
    if not on:
        return []
    out = []
    execution = _execution_figures(roots)
    for node, trail in _leaves(roots, ()):
        for lint, args in _check(node, trail, execution):
            if lint in on:
                out.append((node, LINTS[lint], {"name": node.name, **args}))
    return out


def _leaves(nodes, trail: tuple) -> Iterator[tuple]:
    for n in nodes:
        if n.children:
            yield from _leaves(n.children, trail + (n.name,))
        elif n.frame is None:
            yield n, trail


def _execution_figures(roots) -> frozenset[str]:
    """The names the execution-rate indicator's actual reads (预算执行率 → its metric)."""
    stack = list(roots)
    while stack:
        n = stack.pop()
        if n.name == EXECUTION_INDICATOR and n.actual is not None:
            return frozenset(n.actual.names)
        stack.extend(n.children)
    return frozenset()


def _check(node, trail: tuple, execution: frozenset) -> Iterator[tuple[str, dict]]:
    unit = (node.unit or "").strip()
    method = node.method.NAME if node.method is not None else ""
    in_output = any(_OUTPUT in t for t in trail)
    if unit in MONEY_UNITS and any(_QUANTITY in t for t in trail):
        yield "money_as_quantity", {"unit": unit}
    if in_output and node.name != EXECUTION_INDICATOR and (
        any(w in node.name for w in _EXECUTION_WORDS) or (node.actual is not None and node.actual.text.strip() in execution)
    ):
        yield "execution_rate_as_output", {}
    if node.operator in ("≥", "≤", "=") and node.value_type == "number" and not unit and node.target is not None and not isinstance(node.target, str):
        yield "target_without_unit", {"target": node.target_text or ""}
    if method in _RATIO_METHODS and (node.operator == "定性" or unit in _QUALITATIVE_UNITS or node.name.endswith("性") or node.name.startswith("是否")):
        yield "qualitative_proportional", {"method": method}


def span_in_plan(plan) -> Callable[[object], SourceSpan | None]:
    """Where a ruleset indicator is stated."""
    return lambda node: plan.span(node.path)
