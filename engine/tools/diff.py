"""What changed between two rulesets, in policy terms, and what it does to
each unit's score (规则集比较).

`compare(old, new, data)` lists the changes — indicator added, removed, moved,
renamed or reweighted; target, scoring rule or actual formula changed; grade
bands, derived metrics, declared inputs and tables, rounding or the total
changed — each with where the new (or, for a removal, the old) ruleset states
it. Given units' data files, it evaluates each unit under both rulesets and
attributes the difference indicator by indicator: every leaf whose score
moved, by how much, and which of the changes can have moved it (the changes
to the indicator itself and to the metrics, inputs and tables its actual
value is computed from).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping

from engine.ruleset.plan import Node, Plan
from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan
from engine.evaluation.evaluate import evaluate
from engine.unit.inputs import read_unit
from engine.base.numeric import ZERO
from engine.ruleset.loading import load_with_chain
from engine.ruleset.locate import SearchPath
from engine.evaluation.result import Result
from engine.ruleset.scoring import METHODS
from engine.base.digest import digest_of
from engine.load.yaml_loader import load_text, read_file


@dataclass(frozen=True, slots=True)
class Change:
    """One change of policy: a message code and its arguments, the indicator
    it concerns (if any), where it is stated, the leaf indicators whose score
    it can move, and whether it moves grade bands."""

    code: str
    args: Mapping[str, Any]
    key: str | None
    span: SourceSpan | None
    affects: frozenset[str] = frozenset()
    grades: bool = False
    operator: str | None = None  # a default scoring change: moves data-given indicators with this operator


@dataclass(frozen=True, slots=True)
class Movement:
    """One indicator's score for one unit under both rulesets, and the
    numbers (1-based) of the changes that can have moved it."""

    key: str
    name: str
    old: Decimal | None
    new: Decimal | None
    changes: tuple[int, ...]

    @property
    def delta(self) -> Decimal:
        return (self.new or ZERO) - (self.old or ZERO)


@dataclass(frozen=True)
class UnitImpact:
    """A unit's results under the old and new rulesets (None where its data
    could not be evaluated, with the problems), and the movements."""

    file: str
    name: str
    old: Result | None
    new: Result | None
    old_problems: tuple[Diagnostic, ...]
    new_problems: tuple[Diagnostic, ...]
    movements: tuple[Movement, ...]
    grade_changes: tuple[int, ...]
    skipped: tuple[tuple[str, ...], ...] = ((), ())  # data left out under the old, the new ruleset

    @property
    def delta(self) -> Decimal | None:
        return None if self.old is None or self.new is None else self.new.total - self.old.total

    @property
    def residual(self) -> Decimal:
        """What the indicator movements do not account for (rounding of the total)."""
        d = self.delta
        return ZERO if d is None else d - sum((m.delta for m in self.movements), ZERO)


@dataclass(frozen=True)
class Comparison:
    """Two rulesets, the changes between them, and the impact on each unit."""

    old: Plan
    new: Plan
    changes: tuple[Change, ...]
    units: tuple[UnitImpact, ...]


def compare(old_path: str, new_path: str, data: tuple[str, ...] = (), shown: Mapping[str, str] | None = None, search: SearchPath | None = None) -> Comparison:
    """Compare the rulesets at `old_path` and `new_path` and, for each data
    file, the unit's scores under both. `shown` maps paths to display names.
    Raises `DiagnosticError` when either ruleset has problems; a unit's own
    problems are kept with that unit."""
    shown = shown or {}
    _, old = load_with_chain(old_path, shown.get(old_path, old_path), search)
    resolved, new = load_with_chain(new_path, shown.get(new_path, new_path), search)
    changes = tuple(changes_between(old, new, resolved.changed))
    units = tuple(impact(old, new, changes, path, shown.get(path, path)) for path in data)
    return Comparison(old, new, changes, units)


# -- changes ------------------------------------------------------------------

def _index(plan: Plan) -> dict[str, tuple[Node, Node | None]]:
    out: dict[str, tuple[Node, Node | None]] = {}

    def walk(nodes, parent):
        for n in nodes:
            out[n.key] = (n, parent)
            walk(n.children, n)

    walk(plan.roots, None)
    return out


def _leaves_under(node: Node) -> frozenset[str]:
    if not node.children:
        return frozenset((node.key,))
    return frozenset().union(*(_leaves_under(c) for c in node.children))


def _dependencies(plan: Plan) -> dict[str, frozenset[str]]:
    """For each leaf, every name its score reads: metrics, inputs and table
    figures, through the metrics' own formulas."""
    metric_names = {name: f.names for name, f, _ in plan.metrics}
    memo: dict[str, frozenset[str]] = {}

    def closure(names) -> frozenset[str]:
        out: set[str] = set()
        for n in names:
            if n in out:
                continue
            out.add(n)
            if n in metric_names:
                if n not in memo:
                    memo[n] = frozenset()  # cycles are refused at compile time
                    memo[n] = closure(metric_names[n])
                out |= memo[n]
        return frozenset(out)

    deps = {}
    for leaf in plan.leaves:
        names: set[str] = set()
        for f in (leaf.actual, leaf.method_formula):
            if f is not None:
                names |= set(f.names)
        deps[leaf.key] = closure(names)
    return deps


def _scoring(node: Node) -> tuple:
    return (node.method.NAME if node.method else None, node.params.model_dump() if node.params is not None else None)


def _parent_name(parent: Node | None) -> str:
    return parent.name if parent is not None else ""


def changes_between(old: Plan, new: Plan, stated: Mapping[str, SourceSpan] | None = None) -> list[Change]:
    """Every change of policy from `old` to `new`, in the order of the new
    ruleset. `stated` says where the new ruleset changes an indicator (from
    its inheritance chain): moves and removals are located there."""
    stated = stated or {}
    out: list[Change] = []
    before, after = _index(old), _index(new)
    new_span = lambda path: new.span(path)  # noqa: E731

    for key, (n, parent) in after.items():
        if key not in before:
            out.append(Change("diff.indicator_added", {"name": n.name, "parent": _parent_name(parent), "weight": n.weight}, key, new_span(n.path), _leaves_under(n)))
            continue
        o, old_parent = before[key]
        if (old_parent and old_parent.key) != (parent and parent.key):
            out.append(Change("diff.indicator_moved", {"name": n.name, "old": _parent_name(old_parent), "new": _parent_name(parent)}, key, stated.get(key) or new_span(n.path)))
        if o.name != n.name:
            out.append(Change("diff.indicator_renamed", {"old": o.name, "new": n.name}, key, new_span(n.path + ("name",))))
        if o.weight != n.weight:
            out.append(Change("diff.indicator_reweighted", {"name": n.name, "old": o.weight, "new": n.weight}, key, new.smap.key(n.path + ("weight",)), frozenset((key,)) if not n.children else frozenset()))
        if n.children or o.children:
            continue
        mine = frozenset((key,))
        if (o.target_text, o.operator) != (n.target_text, n.operator):
            out.append(Change("diff.target_changed", {"name": n.name, "old": _target(o), "new": _target(n)}, key, new.smap.key(n.path + ("target",)), mine))
        if _scoring(o) != _scoring(n):
            out.append(Change("diff.scoring_changed", {"name": n.name, "old": describe_scoring(o), "new": describe_scoring(n)}, key, new.smap.key(n.path + ("scoring",)), mine))
        if _text(o.actual) != _text(n.actual):
            out.append(Change("diff.actual_changed", {"name": n.name, "old": _text(o.actual), "new": _text(n.actual)}, key, new.smap.key(n.path + ("actual",)), mine))
        for field in ("unit", "explain_if"):
            a, b = _text(getattr(o, field)), _text(getattr(n, field))
            if a != b:
                out.append(Change("diff.indicator_field", {"name": n.name, "field": field, "old": a, "new": b}, key, new_span(n.path + (field,))))
    for key, (o, parent) in before.items():
        if key not in after:
            out.append(Change("diff.indicator_removed", {"name": o.name, "parent": _parent_name(parent), "weight": o.weight}, key, stated.get(key) or old.span(o.path), _leaves_under(o)))

    old_rs, new_rs = old.ruleset, new.ruleset
    out += _default_changes(old, new)
    if old_rs.total != new_rs.total:
        out.append(Change("diff.total_changed", {"old": old_rs.total, "new": new_rs.total}, None, new_span(("total",))))
    out += _grade_changes(old, new)

    deps = _dependencies(new)
    old_deps = _dependencies(old)

    def reading(test) -> frozenset[str]:
        return frozenset(k for k, names in deps.items() if any(test(x) for x in names)) | frozenset(
            k for k, names in old_deps.items() if k in deps and any(test(x) for x in names)
        )

    old_metrics = {name: f for name, f, _ in old.metrics}
    new_metrics = {name: f for name, f, _ in new.metrics}
    for name, f in new_metrics.items():
        if name not in old_metrics:
            out.append(Change("diff.metric_added", {"name": name, "formula": f.text}, None, new_span(("metrics", name)), reading(lambda x, n=name: x == n)))
        elif old_metrics[name].text != f.text or old_rs.metrics[name].type != new_rs.metrics[name].type:
            out.append(Change("diff.metric_changed", {"name": name, "old": old_metrics[name].text, "new": f.text}, None, new_span(("metrics", name)), reading(lambda x, n=name: x == n)))
    for name, f in old_metrics.items():
        if name not in new_metrics:
            out.append(Change("diff.metric_removed", {"name": name}, None, old.span(("metrics", name)), reading(lambda x, n=name: x == n)))
    sections = (
        ("inputs", "diff.input_added", "diff.input_changed", "diff.input_removed"),
        ("tables", "diff.table_added", "diff.table_changed", "diff.table_removed"),
    )
    for section, added, changed, removed in sections:
        a, b = getattr(old_rs, section), getattr(new_rs, section)
        is_table = section == "tables"
        for name in b:
            test = (lambda x, n=name: x.startswith(n + ".")) if is_table else (lambda x, n=name: x == n)
            if name not in a:
                out.append(Change(added, {"name": name}, None, new_span((section, name)), reading(test)))
            elif a[name] != b[name]:
                out.append(Change(changed, {"name": name}, None, new_span((section, name)), reading(test)))
        for name in a:
            if name not in b:
                out.append(Change(removed, {"name": name}, None, old.span((section, name))))
    if old_rs.rounding != new_rs.rounding:
        out.append(Change("diff.rounding_changed", {"old_places": old_rs.rounding.places, "new_places": new_rs.rounding.places, "old_scope": old_rs.rounding.scope, "new_scope": new_rs.rounding.scope}, None, new_span(("rounding",)), frozenset(deps)))
    if old_rs.deviations != new_rs.deviations:
        out.append(Change("diff.deviations_changed", {"old": old_rs.deviations.exceed_ratio, "new": new_rs.deviations.exceed_ratio}, None, new_span(("deviations",))))
    old_checks = {c.id: c for c in old_rs.checks}
    new_checks = {c.id: c for c in new_rs.checks}
    for i, c in enumerate(new_rs.checks):
        if c.id not in old_checks:
            out.append(Change("diff.check_added", {"id": c.id}, None, new_span(("checks", i))))
        elif old_checks[c.id] != c:
            out.append(Change("diff.check_changed", {"id": c.id}, None, new_span(("checks", i))))
    for i, c in enumerate(old_rs.checks):
        if c.id not in new_checks:
            out.append(Change("diff.check_removed", {"id": c.id}, None, old.span(("checks", i))))
    return out


def _default_changes(old: Plan, new: Plan) -> list[Change]:
    """Default scoring by operator (scoring_defaults): it scores the indicators
    a unit's data brings (a project's own indicator rows); the ruleset's own
    indicators show its effect as their own scoring changes."""
    out: list[Change] = []
    a, b = old.ruleset.scoring_defaults, new.ruleset.scoring_defaults
    for op in dict.fromkeys([*b, *a]):
        if a.get(op) != b.get(op):
            words = [_default_scoring(d.get(op)) for d in (a, b)]
            span = new.span(("scoring_defaults", op)) if op in b else old.span(("scoring_defaults", op))
            out.append(Change("diff.default_scoring_changed", {"operator": op, "old": words[0], "new": words[1]}, None, span, operator=op))
    return out


def _default_scoring(spec) -> dict[str, Any]:

    if spec is None:
        return describe_rule(None, None, False)
    data = spec.model_dump()
    method = METHODS.get(data.pop("method"))
    return describe_rule(method, method.Parameters.model_validate(data) if method else None, False)


def _grade_changes(old: Plan, new: Plan) -> list[Change]:
    out: list[Change] = []
    a = {g.label: g for g in old.ruleset.grades}
    for i, g in enumerate(new.ruleset.grades):
        if g.label not in a:
            out.append(Change("diff.grade_added", {"label": g.label, "min": g.min}, None, new.span(("grades", i)), grades=True))
        elif (a[g.label].min, a[g.label].max) != (g.min, g.max):
            out.append(Change("diff.grade_changed", {"label": g.label, "old": a[g.label].min, "new": g.min}, None, new.span(("grades", i, "min")), grades=True))
    b = {g.label for g in new.ruleset.grades}
    for i, g in enumerate(old.ruleset.grades):
        if g.label not in b:
            out.append(Change("diff.grade_removed", {"label": g.label, "min": g.min}, None, old.span(("grades", i)), grades=True))
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    return getattr(value, "text", None) or str(value)


def _target(node: Node) -> str:
    text = node.target_text or ""
    return f"{node.operator}{text}" if node.operator in ("≥", "≤") and text else text


def describe_scoring(node: Node) -> dict[str, Any]:
    """An indicator's scoring rule as data for the message catalogue."""
    return describe_rule(node.method, node.params, node.value_type == "percent")


def describe_rule(method, params, percent: bool) -> dict[str, Any]:
    """A scoring method and its parameters as data for the message catalogue
    (bands spelt out as bounds → points); `percent`: values are percentages."""
    if method is None:
        return {"method": None, "params": ()}
    if method.NAME == "bands" and params is not None:
        bands = tuple((b.min, b.max, b.score, b.ratio) for b in params.bands)
        return {"method": "bands", "bands": bands, "otherwise": params.otherwise, "percent": percent or params.on != "actual", "abs": params.abs, "on": params.on}
    given = params.model_dump(exclude_defaults=True) if params is not None else {}
    return {"method": method.NAME, "params": tuple(sorted(given.items())), "percent": percent}


# -- impact -------------------------------------------------------------------

def impact(old: Plan, new: Plan, changes: tuple[Change, ...], path: str, shown: str) -> UnitImpact:
    """Evaluate one unit's data under both rulesets and attribute the difference."""

    try:
        text = read_file(path, shown)
        raw, smap = load_text(text, shown)
    except DiagnosticError as e:
        return UnitImpact(shown, "", None, None, e.diagnostics, (), (), ())
    results: list[Result | None] = []
    problems: list[tuple[Diagnostic, ...]] = []
    skipped: list[tuple[str, ...]] = []
    for plan, other in ((old, new), (new, old)):
        fitted, left_out = fit(raw, plan, other)
        skipped.append(left_out)
        try:
            results.append(evaluate(plan, read_unit(plan, fitted, smap, shown, digest_of(text))))
            problems.append(())
        except DiagnosticError as e:
            results.append(None)
            problems.append(e.diagnostics)
    a, b = results
    name = (a or b).unit.name if (a or b) else ""
    movements: list[Movement] = []
    if a is not None and b is not None:
        # The unit's own plans: a project's indicator rows are leaves there.
        keys = [leaf.key for leaf in b.plan.leaves] + [leaf.key for leaf in a.plan.leaves if b.plan.node(leaf.key) is None]
        own = {leaf.key for leaf in new.leaves} | {leaf.key for leaf in old.leaves}
        for key in keys:
            ra, rb = a.find(key), b.find(key)
            sa = ra.score if ra is not None else None
            sb = rb.score if rb is not None else None
            if (sa or ZERO) == (sb or ZERO) and (sa is None) == (sb is None):
                continue
            node = (rb or ra).node
            why = tuple(
                i + 1 for i, ch in enumerate(changes)
                if key in ch.affects or (ch.operator is not None and key not in own and node.operator == ch.operator)
            )
            label = node.name
            movements.append(Movement(key, label, sa, sb, why))
    grade_changes: tuple[int, ...] = ()
    if a is not None and b is not None and a.grade != b.grade:
        grade_changes = tuple(i + 1 for i, ch in enumerate(changes) if ch.grades)
    return UnitImpact(shown, name, a, b, problems[0], problems[1], tuple(movements), grade_changes, tuple(skipped))


def fit(raw: Any, plan: Plan, other: Plan) -> tuple[Any, tuple[str, ...]]:
    """A unit's data without what only the other ruleset declares (an
    indicator, input or table it removed or added): data written for one
    year's scheme is read under the other's. Returns the names left out."""
    if not isinstance(raw, dict):
        return raw, ()
    out, left = dict(raw), []
    declared = {
        "indicators": (lambda k: plan.node(k) is not None, lambda k: other.node(k) is not None),
        "inputs": (lambda k: k in plan.ruleset.inputs, lambda k: k in other.ruleset.inputs),
        "tables": (lambda k: k in plan.ruleset.tables, lambda k: k in other.ruleset.tables),
    }
    for section, (here, there) in declared.items():
        given = raw.get(section)
        if isinstance(given, dict):
            keep = {k: v for k, v in given.items() if here(k) or not there(k)}
            left += [k for k in given if k not in keep]
            out[section] = keep
    return out, tuple(left)
