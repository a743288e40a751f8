"""A plan compiled into one evaluator (专用求值器), for batches.

`evaluate.evaluate` walks the plan for every unit: each metric through its
error handling, each indicator through `_score_node`'s general branches
(computed or given actual, adjusted target, unmeasured figure, method or
none), each check and each deviation through the general functions. For one
plan those choices are the same for every unit, so this module generates,
once per plan, one function with the choices made: the metrics in order;
each indicator as straight-line statements binding its node, its compiled
formula and its scoring method, each group summed as `_score_node` sums it
(`sum(scores, ZERO)` in the same Decimal context); each `equal` check
compared in place (its finding worded by `checks.equal_finding`); each `sum`
check as one walk of its table summing every column at once, each `row`
check with its formula inlined (their findings worded by `checks`' own
`subtotal_finding` and `row_finding`); compare checks by `checks`' own
function; each plainly quantitative
leaf's deviation classified in place as `deviations.classify` does, any other
by `classify`. Review and lints are the general ones.

It covers a unit that evaluates cleanly. Whatever the general path would turn
into a problem or treat specially — a metric or actual that cannot be
computed, a scoring problem, a score out of range, an unmeasured actual, a
unit scored by a plan of its own — makes it return None, and the caller runs
`evaluate` (which reports it). Plans with rows of their own, a rescaled total
or more than `SPECIALISE_MAX_LEAVES` leaves get no evaluator.
`tests/test_specialised.py` holds its results to `evaluate`'s, line for line.
"""
from __future__ import annotations

import decimal
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable

from engine.base.memo import generated, made_for
from engine.base.numeric import CONTEXT, ONE, QUANTA, ZERO, round_half_up
from engine.evaluation import checks, deviations, review
from engine.evaluation.evaluate import _EMPTY_ENTRY, _finding_order, _lint, grade_of
from engine.evaluation.result import Deviation, Finding, IndicatorResult, Result
from engine.ruleset import lints
from engine.ruleset.formula import Formula, value_of
from engine.ruleset.plan import SPECIALISE_MAX_LEAVES, Node, Plan
from engine.ruleset.scoring.base import ScoreInput
from engine.unit.inputs import UnitData

Evaluator = Callable[[UnitData], "Result | None"]
WALK_MAX_COLUMNS = 200  # columns a generated sum check walks (wider: the general check)

_EVALUATORS: dict[int, tuple[Any, Any]] = {}  # id(plan) → (it, its evaluator or None)


def evaluator(plan: Plan) -> Evaluator | None:
    """The plan's generated evaluator (None: the plan is not covered)."""
    return made_for(_EVALUATORS, plan, _make, 64)


def evaluate_fast(plan: Plan, unit: UnitData) -> Result | None:
    """`evaluate(plan, unit)` by the plan's evaluator, or None: evaluate it
    the general way."""
    run = evaluator(plan)
    if run is None or (unit.plan is not None and unit.plan is not plan):
        return None
    return run(unit)


def _make(plan: Plan) -> Evaluator | None:
    return generated(evaluator_source(plan), f"<evaluator: {plan.file}>", "run")


def evaluator_source(plan: Plan) -> tuple[str, dict] | None:
    """The evaluator's source and the names it is bound to, or None."""
    if not covers(plan):
        return None
    ns: dict[str, Any] = {
        "Result": Result, "checks_run": checks.run, "review": review, "_lint": _lint, "on": lints.enabled(plan.ruleset.lints, (), ()),
        "order": _finding_order,
    }
    out = ["def run(unit):", "    with localcontext(CONTEXT):", "        env = dict(unit.values)", "        entries = unit.entries"]
    scoring, leaves = score_statements(plan, ns)
    checking, walks = _checks_code(plan, ns)
    out = walks + out
    out += [*scoring,
            *checking,
            *deviations_code(plan, leaves, ns),
            "        printed = review.compare(plan, unit, results, total, grade, None)",
            # no leaf here has an unmeasured actual (those units are evaluate's): review.unmeasured finds none
            "        notices = (review.notices(plan, unit) if 'group_weights' in on else []) + _lint(plan, unit, on)",
            "    findings = tuple(sorted((*found, *dev_findings, *printed, *notices), key=order))",
            "    return Result(plan, unit, env, results, total, grade, findings, tuple(devs), None)"]
    return "\n".join(out) + "\n", ns


def formula_code(formula: Formula, env: str, into: str, ns: dict, tag: str) -> list[str]:
    """Statements giving `into = formula.evaluate(env)`: the formula inlined
    (`Formula.inline`, its names bound in `ns` under `tag`), and `value_of`
    called only for a value it would not return as it is (most values are
    finite non-zero Decimals)."""
    return [f"{into} = {formula.inline(env, tag, ns)}", f"if {into}.__class__ is not Decimal or {into}.is_zero() or not {into}.is_finite():", f"    {into} = value_of({into})"]


def covers(plan: Plan) -> bool:
    """Whether `score_statements` can score units under `plan`."""
    return not plan.frames and plan.ruleset.policy.not_applicable != "rescale" and len(plan.leaves) <= SPECIALISE_MAX_LEAVES


def score_statements(plan: Plan, ns: dict, after_leaf: Callable[[Node, str], list[str]] | None = None,
                     entry_vars: dict[str, str] | None = None) -> tuple[list[str], list[tuple[Node, str]]]:
    """Statements (inside `with localcontext(CONTEXT):`, with `env` the
    unit's values and `entries` its entries) computing the metrics into
    `env`, each indicator's `IndicatorResult`, `results`, `total` and
    `grade` (anything the general path would report: `return None`); and
    each scored leaf with its result's name, in tree order. `after_leaf(node,
    r)` gives statements run right after a leaf is scored by its method
    (its target `t`, actual `a`, entry `e`, result `r`). Results are made by
    `tuple.__new__` with every field given: a NamedTuple's own `__new__` is
    a Python function, a tenth of a leaf's cost. `entry_vars`: each
    indicator's entry as a variable already holding it (a sheet row's, read
    by `sheet_units.read_statements`, which never marks an actual unmeasured);
    then an indicator without one has none."""
    rs = plan.ruleset
    places = rs.rounding.places
    per_indicator = rs.rounding.scope == "indicator"
    adjusted = rs.policy.adjusted_target == "use"
    ns.update({
        "plan": plan, "Decimal": Decimal, "ZERO": ZERO, "CONTEXT": CONTEXT, "localcontext": decimal.localcontext, "round_half_up": round_half_up,
        "IR": IndicatorResult, "SI": ScoreInput, "_new": tuple.__new__, "_EMPTY_ENTRY": _EMPTY_ENTRY, "grade_of": grade_of, "value_of": value_of,
    })
    quantum = QUANTA.get(places)
    ns.update(_QUANTUM=quantum, ROUND_HALF_UP=ROUND_HALF_UP)
    out: list[str] = []
    if plan.metrics:
        out.append("        try:")
        for k, (name, formula, _path) in enumerate(plan.metrics):
            out += ["            " + line for line in formula_code(formula, "env", "x", ns, f"_m{k}_")]
            out.append(f"            env[{name!r}] = x")
        out += ["        except Exception:  # a metric that cannot be computed: the general path reports it",
                "            return None"]
    counter = [0]
    leaves: list[tuple[Node, str]] = []  # each scored leaf and its result's name, in tree order

    def node_code(node: Node) -> str:
        """Statements scoring `node` (into r<k>); returns the name."""
        k = counter[0]
        counter[0] += 1
        r = f"r{k}"
        ns[f"_n{k}"], ns[f"_t{k}"] = node, node.target  # a node's fields are constants (plans are immutable)
        if node.children:
            kids = [node_code(c) for c in node.children]
            # sum(…, ZERO) adds left to right from ZERO, as _score_node's sum does (and stays one call for a group of thousands)
            scores = ", ".join(f"{c}.score" for c in kids)
            out.append(f"        {r} = _new(IR, (_n{k}, _t{k}, None, sum([{scores}], ZERO), None, _EMPTY_ENTRY, ({', '.join(kids)},), False))")
            return r
        leaves.append((node, r))
        if entry_vars is not None:
            out.append(f"        e = {entry_vars.get(node.key, '_EMPTY_ENTRY')}")
        else:
            out.append(f"        e = entries.get({node.key!r}, _EMPTY_ENTRY)")
            # an unmeasured actual (scored by policy, with a finding): the general path's
            out.append("        if e.get('unmeasured') is not None:")
            out.append("            return None")
        out.append("        if e.get('not_applicable'):")
        out.append(f"            {r} = _new(IR, (_n{k}, _t{k}, None, ZERO, None, e, (), True))")
        out.append("        else:")
        body: list[str] = []
        if node.actual is not None:
            body += ["try:", *("    " + line for line in formula_code(node.actual, "env", "a", ns, f"_a{k}_")), "except Exception:", "    return None"]
        else:
            body.append("a = e.get('actual')")
        if adjusted:
            body += ["t = e.get('adjusted_target')", "if t is None:", f"    t = _t{k}"]
        else:
            body.append(f"t = _t{k}")
        if node.method is not None and node.params is not None:
            ns[f"_s{k}"] = node.method.score
            ns[f"_p{k}"] = node.params
            extra = ""
            if node.method_formula is not None:
                ns[f"_f{k}"] = node.method_formula
                extra = f", False, _f{k}"
            if not per_indicator:
                rounded = ["s = o.score"]
            elif quantum is None:
                rounded = [f"s = round_half_up(o.score, {places})"]
            else:  # round_half_up's usual case in place; any other by round_half_up
                rounded = ["try:", "    s = o.score.quantize(_QUANTUM, ROUND_HALF_UP, CONTEXT)", "except Exception:", f"    s = round_half_up(o.score, {places})"]
            ns[f"_w{k}"], ns[f"_o{k}"] = node.weight, node.operator
            body += ["try:", f"    o = _s{k}(_new(SI, (_w{k}, t, a, _o{k}, e, env)), _p{k}{extra})", "except Exception:", "    return None",
                     *rounded, f"if not ZERO <= s <= _w{k}:", "    return None",
                     f"{r} = _new(IR, (_n{k}, t, a, s, o, e, (), False))",
                     *(after_leaf(node, r) if after_leaf is not None else ())]
        else:
            body.append(f"{r} = _new(IR, (_n{k}, t, a, ZERO, None, e, (), False))")
        out.extend("            " + line for line in body)
        return r

    roots = [node_code(n) for n in plan.roots]
    out.append(f"        results = ({', '.join(roots)},)")
    counted = [r for r, n in zip(roots, plan.roots) if n.in_total]
    out.append(f"        total = round_half_up(sum([{', '.join(f'{r}.score' for r in counted)}], ZERO), {places})")
    out.append("        grade = grade_of(plan, total)")
    return out, leaves


def _checks_code(plan: Plan, ns: dict) -> list[str]:
    """Statements giving `found`, as `checks.run` gives it: sum checks first
    (their corrections tell the row checks which figures are known wrong),
    then each check in the ruleset's order; an `equal` check compared here,
    its finding placed and worded by `checks.equal_finding` only when the
    figures differ (most agree)."""
    if not plan.checks:
        return ["        found = []"], []
    ns.update(_tables=checks._tables, _sum_check=checks._sum_check, _subtotal_finding=checks.subtotal_finding,
              _row_finding=checks.row_finding, _ROW_SKIPS=checks.ROW_SKIPS,
              _compare_check=checks._compare_check, _equal_finding=checks.equal_finding, _SKIPS=checks.EQUAL_SKIPS,
              result_values=checks.result_values)
    env = "env"
    out = []
    defs: list[str] = []  # the sum and row checks' walks, defined beside `run`
    if any(cc.uses_results for cc in plan.checks):
        out.append("        cenv = {**env, **result_values(results, total)}")
        env = "cenv"
    if any(cc.check.kind in ("sum", "row") for cc in plan.checks):
        out += ["        corrections = {}", "        tables = _tables(unit)"]
    for i, cc in enumerate(plan.checks):
        ns[f"_cc{i}"] = cc
        if cc.check.kind == "sum":
            out.append(f"        c{i} = _sum{i}(tables, unit, corrections)")
            defs += _sum_walk(plan, cc, i, ns)
    for i, cc in enumerate(plan.checks):
        kind = cc.check.kind
        if kind == "row":
            out.append(f"        c{i} = _row{i}(tables, unit, corrections)")
            defs += _row_walk(cc, i, ns)
        elif kind == "compare":
            out += [f"        f = _compare_check(_cc{i}, plan, unit, {env})", f"        c{i} = [f] if f is not None else []"]
        elif kind == "equal":
            out.append(f"        c{i} = ()")
            if cc.formula is None:
                continue
            out += [f"        s = {env}.get({cc.check.stated!r})",
                    "        if s.__class__ is Decimal or isinstance(s, Decimal):",
                    "            try:",
                    *("                " + line for line in formula_code(cc.formula, env, "c", ns, f"_q{i}_")),
                    "            except _SKIPS:",
                    "                c = None",
                    "            if (c.__class__ is Decimal or isinstance(c, Decimal)) and c != s:",
                    f"                f = _equal_finding(_cc{i}, plan, unit, s, c)",
                    "                if f is not None:",
                    f"                    c{i} = (f,)"]
        elif kind != "sum":
            return ["        found = checks_run(plan, unit, env, results, total)"], []  # a kind this generator does not know
    out.append(f"        found = [{', '.join(f'*c{i}' for i in range(len(plan.checks)))}]")
    return out, defs


def _sum_walk(plan: Plan, cc, i: int, ns: dict) -> list[str]:
    """`def _sum{i}(tables, unit, corrections)`, giving `checks._sum_check`'s
    findings: every column's subtotals summed in one walk of the table (the
    same additions, in the same order, as `_sum_column` makes column by
    column), then each column's subtotals compared, in `_sum_column`'s order."""
    decl = plan.ruleset.tables.get(cc.check.table)
    if decl is None:  # not a table of the plan: `_sum_check` says what it says
        return [f"def _sum{i}(tables, unit, corrections):", f"    return list(_sum_check(_cc{i}, plan, unit, tables, corrections))"]
    columns = cc.check.columns or tuple(decl.columns)
    if not columns:
        return [f"def _sum{i}(tables, unit, corrections):", "    return []"]
    if len(columns) > WALK_MAX_COLUMNS:  # a variable per column: too wide to compile quickly, `_sum_check` serves
        return [f"def _sum{i}(tables, unit, corrections):", f"    return list(_sum_check(_cc{i}, plan, unit, tables, corrections))"]
    ts = [f"t{k}" for k in range(len(columns))]
    out = [f"def _sum{i}(tables, unit, corrections):",
           f"    table = tables.get({cc.check.table!r})",
           "    if table is None:",
           "        return []",
           "    items = {}",
           "    subtotals = table.subtotals",
           "    for row in reversed(subtotals):",
           f"        {' = '.join(ts)} = ZERO",
           "        for r in row.rows:",
           "            if r.rows:",
           "                a = items[id(r)]",
           *(f"                {t} += a[{k}]" for k, t in enumerate(ts)),
           "            else:",
           "                g = r.values.get"]
    for t, col in zip(ts, columns):
        out += [f"                v = g({col!r})", "                if v.__class__ is Decimal:", f"                    {t} += v"]
    out += [f"        items[id(row)] = ({', '.join(ts)},)",
            "    found = []",
            f"    for k, col in enumerate({tuple(columns)!r}):",
            "        for row in subtotals:",
            "            stated = row.values.get(col)",
            "            if stated.__class__ is not Decimal:",
            "                continue",
            "            computed = items[id(row)][k]",
            "            if stated != computed:",
            "                column_items = {key: t[k] for key, t in items.items()}",
            f"                f = _subtotal_finding(_cc{i}, unit, table, row, col, stated, computed, column_items, corrections)",
            "                if f:",
            "                    found.append(f)",
            "    return found"]
    return out


def _row_walk(cc, i: int, ns: dict) -> list[str]:
    """`def _row{i}(tables, unit, corrections)`, giving `checks._row_check`'s
    findings: each row's figures read once and its formula inlined
    (`formula_code`), a blank or text figure counting as 0 as in
    `_evaluate_row`."""
    if cc.formula is None:
        return [f"def _row{i}(tables, unit, corrections):", "    return []"]
    names = cc.formula.names  # a variable each: few (a formula is at most 1,000 characters)
    xs = [f"x{k}" for k in range(len(names))]
    decimal_or_zero = "{x} if {x}.__class__ is Decimal or isinstance({x}, Decimal) else ZERO"
    copy = ", ".join(f"{n!r}: " + decimal_or_zero.format(x=x) for n, x in zip(names, xs))
    return [f"def _row{i}(tables, unit, corrections):",
            f"    table = tables.get({cc.check.table!r})",
            "    if table is None:",
            "        return []",
            "    found = []",
            "    for row in table.rows:",
            "        values = row.values",
            "        g = values.get",
            f"        s = g({cc.check.column!r})",
            *(f"        {x} = g({n!r})" for x, n in zip(xs, names)),
            f"        if {' and '.join(f'{x} is None' for x in ['s', *xs])}:",
            "            continue  # a heading row with no figures",
            "        stated = " + decimal_or_zero.format(x="s"),
            f"        e = values if {' and '.join(f'{x}.__class__ is Decimal' for x in xs) or 'True'} else {{{copy}}}",
            "        try:",
            *("            " + line for line in formula_code(cc.formula, "e", "c", ns, f"_r{i}_")),
            "        except _ROW_SKIPS:",
            "            continue",
            "        if not (c.__class__ is Decimal or isinstance(c, Decimal)) or stated == c:",
            "            continue",
            f"        f = _row_finding(_cc{i}, unit, table, row, stated, c, corrections)",
            "        if f:",
            "            found.append(f)",
            "    return found"]


def deviations_code(plan: Plan, leaves: list[tuple[Node, str]], ns: dict) -> list[str]:
    """Statements giving `devs, dev_findings` as `deviations.find` gives them:
    each scored leaf in tree order, classified by `_kind_code`."""
    policy = plan.ruleset.deviations
    _bind_deviations(plan, ns)
    out = ["        devs = []", "        dev_findings = []"]
    for node, r in leaves:
        out.append(f"        if not {r}.not_applicable and {r}.outcome is not None:")
        body = [f"t, a = {r}.target, {r}.actual", *_kind_code(node, r, ratio=True),
                "if kind is not None:",
                f"    explanation = {r}.entry.get('explanation')",
                f"    span = unit.entry_span({node.key!r})",
                f"    devs.append(_new(Deviation, ({node.key!r}, {node.name!r}, kind, {r}.target, {r}.actual, ratio, explanation, {node.value_type!r}, {node.unit!r}, span)))"]
        if policy.require_explanation:
            body += ["    if not explanation:",
                     f"        dev_findings.append(_new(Finding, ('deviation', 'warning', 'deviation.unexplained', {{'name': {node.name!r}, 'kind': kind}}, span, None, None, None)))"]
        out.extend("            " + line for line in body)
    return out


def deviation_warnings(plan: Plan, ns: dict) -> Callable[[Node, str], list[str]] | None:
    """For `score_statements`' `after_leaf`: statements adding to `w` the
    warning `deviations.find` gives a scored leaf (an unexplained deviation),
    classified right after it is scored, from its `t`, `a` and entry `e`;
    None when no deviation is a warning."""
    if not plan.ruleset.deviations.require_explanation:
        return None
    _bind_deviations(plan, ns)
    return lambda node, r: [*_kind_code(node, r, ratio=False), "if kind is not None and not e.get('explanation'):", "    w += 1"]


def _bind_deviations(plan: Plan, ns: dict) -> None:
    policy = plan.ruleset.deviations
    ns.update(_classify=deviations.classify, _holds=deviations._holds, Deviation=Deviation, Finding=Finding, ONE=ONE,
              # 1 ± the exceed ratio, as `classify` computes them (in the same context), once
              _er_up=CONTEXT.add(ONE, policy.exceed_ratio), _er_down=CONTEXT.subtract(ONE, policy.exceed_ratio),
              _zte=policy.zero_target_exceed, MISSED=deviations.MISSED, EXCEEDED=deviations.EXCEEDED,
              EXPLAIN=deviations.EXPLAIN)


def _kind_code(node: Node, r: str, ratio: bool) -> list[str]:
    """Statements giving `kind` (and, with `ratio`, `ratio`) of scored leaf
    `r` whose target and actual are `t` and `a`: a plainly quantitative leaf
    (≥, ≤ or = with no evaluator's score) classified here as
    `deviations.classify` classifies it, any other by `classify` itself."""
    judged = node.method is not None and node.method.NAME in deviations.JUDGED
    op = node.operator or "≥"
    if judged or op not in ("≥", "≤", "="):
        body = [f"kind, ratio = _classify({r}, plan, env)"]
    else:
        body = ["if (t.__class__ is Decimal or isinstance(t, Decimal)) and (a.__class__ is Decimal or isinstance(a, Decimal)):"]
        if ratio:
            body.append("    ratio = a / t if t != 0 else None")
        if op == "≥":
            body += ["    if a < t:", "        kind = MISSED", "    elif t == 0:", "        kind = EXCEEDED if a - t >= _zte else None",
                     "    elif a >= t * _er_up:", "        kind = EXCEEDED", "    else:", "        kind = None"]
        elif op == "≤":
            body += ["    if a > t:", "        kind = MISSED", "    elif t != 0 and a <= t * _er_down:", "        kind = EXCEEDED",
                     "    else:", "        kind = None"]
        else:
            body += ["    kind = MISSED if a != t else None"]
        body += ["else:", "    kind, ratio = None, None"]
    if node.explain_if is not None:
        body += [f"if kind is None and _holds({r}, env):", "    kind = EXPLAIN"]
    return body
