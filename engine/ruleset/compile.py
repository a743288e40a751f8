"""Raw ruleset data → `Plan` (编译): validate, compile formulas, order metrics, bind scoring methods.

A `Plan` is everything evaluation needs, checked once: the indicator tree with
parsed targets, compiled formulas and bound scoring methods, the derived
metrics in dependency order, and the consistency checks. Evaluating many units
reuses one plan.
"""
from __future__ import annotations

import dataclasses
import functools
import graphlib
import keyword
import unicodedata
from decimal import Decimal
from types import ModuleType
from typing import Any, Mapping

from pydantic import ValidationError

from engine.ruleset import lints as _lints
from engine.ruleset import validate
from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan, sort_key
from engine.ruleset.formula import Formula, Names, compile_formula
from engine.ruleset.model import Ruleset
from engine.base.numeric import parse_number, split_bound
from engine.ruleset.scoring import DEFAULT_BY_OPERATOR, METHODS
from engine.base.sourcemap import SourceMap
from engine.ruleset.plan import INDICATOR_NAMES, NUMERIC_TYPES, BoundMethod, CompiledCheck, Frame, Node, Plan, leaves_of
from engine.ruleset.formula import suggest
from engine.ruleset.validate import schema_diagnostics

def target_of(raw: Decimal | str | None, operator: str | None) -> Decimal | str | None:
    """A target as a number when it reads as one (`100%` → 1, `15,500` → 15500),
    else the qualitative statement itself."""
    if raw is None or isinstance(raw, Decimal) or operator == "定性":
        return raw
    if raw.__class__ is str:
        return _text_target(raw, operator)
    n = parse_number(plain_target(raw, operator))
    return raw if n is None else n


@functools.lru_cache(maxsize=4096)  # a project's rows repeat their targets unit after unit (issue 18)
def _text_target(raw: str, operator: str | None) -> Decimal | str:
    n = parse_number(plain_target(raw, operator))
    return raw if n is None else n


def plain_target(raw, operator: str | None):
    """A target written with its bound (`≥95%`, `98%以上`) as the figure alone,
    when the bound is the indicator's own operator."""
    if not isinstance(raw, str) or operator == "定性":
        return raw
    op, bare = split_bound(raw)
    return bare if op is not None and op == operator and parse_number(bare) is not None else raw


def value_type_of(actual_type: str | None, operator: str | None, unit: str | None, target_raw) -> str:
    """The kind of value an indicator's actual is: text for 定性, percent when
    the unit or target says %, else number (unless stated)."""
    if actual_type:
        return actual_type
    if operator == "定性":
        return "text"
    if unit == "%" or (isinstance(target_raw, str) and target_raw.strip().endswith(("%", "％"))):
        return "percent"
    return "number"


def _target_text(raw, unit: str | None) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, Decimal):
        text = format(raw, "f")
        return f"{text}{unit}" if unit and unit != "%" else text
    return raw


# Sums of weights that `policy.weights_mismatch: warn` turns into warnings.
WEIGHT_SUMS = ("ruleset.weights_mismatch", "ruleset.total_mismatch")


def compile_ruleset(raw: Any, smap: SourceMap, file: str, digest: str) -> Plan:
    """Validate raw ruleset data and compile it, reporting every problem at once."""
    if not isinstance(raw, dict):
        raise DiagnosticError([Diagnostic("ruleset.not_mapping", smap.value(()) or SourceSpan(file, 1, 1))])
    raw = _normalise(raw, smap)
    problems: list[Diagnostic] = []
    unsure = validate.Unsure()
    aside: frozenset = frozenset()  # paths of values the schema refused
    try:
        ruleset = Ruleset.model_validate(raw)
    except ValidationError as e:
        # Report the schema errors together with every other problem: check
        # the rest of the file with the refused values set aside.
        problems += validate.schema_diagnostics(e, raw, smap, Ruleset)
        salvaged = validate.set_aside(e, raw, Ruleset)
        if salvaged is None:
            raise DiagnosticError(sorted(problems, key=sort_key)) from None
        ruleset, unsure, aside = salvaged[0], validate.Unsure.of(salvaged[1]), salvaged[1]

    notices: list[Diagnostic] = []
    if not unsure.weights:
        sums = list(validate.weight_sums(ruleset.indicators, ruleset.total, smap))
        if ruleset.policy.weights_mismatch == "warn":  # score the form as it is, and say so
            notices = [dataclasses.replace(d, severity="warning") for d in sums if d.code in WEIGHT_SUMS]
            sums = [d for d in sums if d.code not in WEIGHT_SUMS]
        problems += sums
    problems += validate.weight_places(ruleset.indicators, ruleset.rounding, smap)
    problems += validate.unique_ids(ruleset.indicators, smap)
    if not unsure.grades:
        problems += validate.grade_bands(ruleset.grades, ruleset.total, smap)
    problems += validate.report_spec(ruleset.report, ruleset.tables, smap)
    problems += validate.form_spec(ruleset.form, ruleset, smap, aside)

    names = Names()  # every name formulas read → its kind
    declared: list[tuple[str, tuple]] = []  # every name formulas read, where it is declared
    for name, decl in ruleset.inputs.items():
        problems += _check_name(name, ("inputs", name), smap)
        names[name] = "text" if decl.type == "text" else "number"
        declared.append((name, ("inputs", name)))
    table_names: dict[str, tuple[str, str | None, str]] = {}
    for tname, table in ruleset.tables.items():
        problems += _check_name(tname, ("tables", tname), smap)
        for col, cdecl in table.columns.items():
            problems += _check_name(col, ("tables", tname, "columns", col), smap)
            kind = "text" if cdecl.type == "text" else "number"
            names[f"{tname}.{col}"] = kind
            declared.append((f"{tname}.{col}", ("tables", tname, "columns", col)))
            table_names[f"{tname}.{col}"] = (tname, None, col)
            for cat in table.categories:
                names[f"{tname}.{cat}.{col}"] = kind
                table_names[f"{tname}.{cat}.{col}"] = (tname, cat, col)
    for name in ruleset.metrics:
        problems += _check_name(name, ("metrics", name), smap)
        if name in names:
            problems.append(Diagnostic("ruleset.name_taken", smap.key(("metrics", name)), {"name": name}))
        names[name] = "number"
        declared.append((name, ("metrics", name)))
    problems += _same_names(declared, smap)

    metrics, metric_problems = _compile_metrics(ruleset, names, smap)
    problems += metric_problems

    roots, frames, row_methods, node_problems = _compile_nodes(ruleset, names, smap, unsure.nodes)
    problems += node_problems
    leaves = tuple(leaves_of(roots))
    problems += _check_summary_names(ruleset, names, smap)

    for lint, suggestion in _lints.unknown(ruleset.lints):
        problems.append(Diagnostic("lint.unknown", smap.key(("lints", lint)), {"id": lint, "suggestion": suggestion, "known": ", ".join(_lints.LINTS)}))
    checks, check_problems = _compile_checks(ruleset, {**names, **result_names(roots)}, smap, unsure.checks)
    problems += check_problems

    if unsure.names:
        problems = [d for d in problems if d.code != "formula.unknown_name"]
    problems = [d for d in problems if not validate.mentions_placeholder(d)]
    if problems:
        raise DiagnosticError(sorted(problems, key=sort_key))
    return Plan(ruleset, file, digest, smap, names, table_names, metrics, roots, leaves, checks, frames, row_methods, notices=tuple(notices))


def _check_summary_names(ruleset: Ruleset, names: dict, smap: SourceMap) -> list[Diagnostic]:
    """`summary:` names, when stated, must be numeric inputs or metrics."""

    out = []
    for col in ("budget", "spent"):
        name = getattr(ruleset.summary, col)
        if ("summary", col) in smap.values and names.get(name) != "number":
            out.append(Diagnostic("formula.unknown_name", smap.value(("summary", col)), {"name": name, "suggestion": suggest(name, names)}))
    return out


def _normalise(raw: dict, smap: SourceMap) -> dict:
    """Expand shorthands so that schema errors point at the right place:
    `metrics: {率: 公式}` becomes `{率: {formula: 公式}}`."""
    metrics = raw.get("metrics")
    if isinstance(metrics, dict):
        out = {}
        for name, value in metrics.items():
            if isinstance(value, (str, Decimal)):
                out[name] = {"formula": value if isinstance(value, str) else format(value, "f")}
                p = ("metrics", name)
                if p in smap.values:
                    smap.values[p + ("formula",)] = smap.values[p]
                    if p in smap.styles:
                        smap.styles[p + ("formula",)] = smap.styles[p]
            else:
                out[name] = value
        raw = {**raw, "metrics": out}
    return raw


def _check_name(name: str, path: tuple, smap: SourceMap) -> list[Diagnostic]:
    """Declared names must be usable in formulas: letters (Chinese included),
    digits and `_`, not starting with a digit, and not one of Python's words
    (`if`, `True`, `None`: a formula would read the word, never the name;
    full-width `Ｔｒｕｅ` is `True` to Python)."""
    if not (isinstance(name, str) and name.isidentifier()):
        return [Diagnostic("ruleset.bad_name", smap.key(path), {"name": name})]
    if keyword.iskeyword(unicodedata.normalize("NFKC", name)):
        return [Diagnostic("ruleset.reserved_name", smap.key(path), {"name": name})]
    return []


def _same_names(declared: list[tuple[str, tuple]], smap: SourceMap) -> list[Diagnostic]:
    """Two names Python reads as one (`ab1` and `ａｂ１`, equal after NFKC
    normalisation): a formula could only ever reach one of them."""
    seen: dict[str, str] = {}
    out = []
    for name, path in declared:
        folded = unicodedata.normalize("NFKC", name)
        first = seen.setdefault(folded, name)
        if first != name:
            out.append(Diagnostic("ruleset.same_name", smap.key(path), {"name": name, "other": first}))
    return out


def _locator(smap: SourceMap, path: tuple):
    return lambda offset: smap.inside(path, offset)


def _compile_metrics(ruleset: Ruleset, names: dict, smap: SourceMap):
    problems: list[Diagnostic] = []
    compiled: dict[str, tuple[Formula, tuple]] = {}
    for name, decl in ruleset.metrics.items():
        path = ("metrics", name, "formula")
        f, errs = compile_formula(decl.formula, names, _locator(smap, path))
        problems += errs
        if f is not None:
            compiled[name] = (f, path)
    graph = {name: [n for n in f.names if n in compiled] for name, (f, _) in compiled.items()}
    try:
        order = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as e:
        # graphlib lists each metric before the ones that use it; read it the
        # other way ("甲 → 乙": 甲 uses 乙), starting at the first one declared.
        ring = list(reversed(e.args[1]))[:-1]
        first = min(range(len(ring)), key=lambda i: list(compiled).index(ring[i]))
        ring = ring[first:] + ring[:first]
        problems.append(Diagnostic("ruleset.metric_cycle", smap.key(("metrics", ring[0])), {"cycle": " → ".join([*ring, ring[0]])}))
        return (), problems
    return tuple((n, *compiled[n]) for n in order if n in compiled), problems


_NO_METHOD = BoundMethod(None, None, None)
# Methods that compare the actual with a numeric target.
_NUMERIC_TARGET_METHODS = ("proportional", "reverse", "reverse_linear", "threshold", "deduct")


def make_node(
    *, key: str, name: str, path: tuple, depth: int, weight: Decimal, target_raw, operator: str | None,
    unit: str | None, actual_type: str | None = None, actual: Formula | None = None,
    bound: BoundMethod = _NO_METHOD, explain_if: Formula | None = None, children: tuple = (),
    frame: Frame | None = None, in_total: bool = True,
) -> Node:
    """A compiled indicator from its parts: the one place a `Node` is built,
    for the ruleset's own indicators and for indicators read from a unit's rows."""
    method, params, method_formula = bound
    return Node(
        key=key, name=name, path=path, depth=depth, weight=weight,
        target=target_of(target_raw, operator), target_text=_target_text(plain_target(target_raw, operator), unit), operator=operator,
        unit=unit, value_type=value_type_of(actual_type, operator, unit, target_raw), actual=actual, method=method,
        params=params, method_formula=method_formula, explain_if=explain_if, children=children,
        frame=frame, in_total=in_total,
    )


def target_problem(method: ModuleType | None, target) -> str | None:
    """The problem code when `method` needs a numeric target and `target` is not one."""
    if method is None or method.NAME not in _NUMERIC_TARGET_METHODS or isinstance(target, Decimal):
        return None
    return "ruleset.no_target" if target is None else "ruleset.target_not_number"


def _frame_of(ind, path: tuple, smap: SourceMap, problems: list) -> Frame | None:
    """The frame a `rows: data` node declares, checking it has nothing of a leaf or branch."""
    if ind.rows is None:
        if ind.categories is not None:
            problems.append(Diagnostic("rows.categories_without_rows", smap.key(path + ("categories",)), {"name": ind.name}))
        if ind.goals:
            problems.append(Diagnostic("rows.goals_without_rows", smap.key(path + ("goals",)), {"name": ind.name}))
        return None
    if ind.children or ind.scoring is not None or ind.actual is not None or ind.target is not None or ind.operator is not None:
        problems.append(Diagnostic("rows.frame_not_plain", smap.value(path + ("rows",)), {"name": ind.name}))
    if not ind.categories:
        problems.append(Diagnostic("rows.frame_no_categories", smap.value(path + ("rows",)), {"name": ind.name}))
        return None
    if isinstance(ind.categories, dict):
        return Frame(dict(ind.categories), True, ind.goals)
    if ind.goals:  # a goal holds 一级: the frame must list them
        problems.append(Diagnostic("rows.goals_need_groups", smap.value(path + ("goals",)), {"name": ind.name}))
    return Frame({ind.name: tuple(ind.categories)}, False)


# Problems an indicator's own set-aside values (see validate.set_aside) could
# cause, by the fields that cause them ("*": the whole indicator).
_FOLLOW_ON = {
    "ruleset.no_method": {"operator", "scoring", "children", "*"},
    "ruleset.no_target": {"target", "operator", "scoring", "children", "*"},
    "ruleset.target_not_number": {"target", "operator", "scoring", "*"},
    "ruleset.unknown_method": {"scoring", "*"},
}


def _compile_nodes(ruleset: Ruleset, names: dict, smap: SourceMap, unsure_nodes: Mapping | None = None):
    problems: list[Diagnostic] = []
    scoring_names = Names({**names, **{n: "number" for n in INDICATOR_NAMES}})
    defaults = {k: v.model_dump() for k, v in ruleset.scoring_defaults.items()}

    def build(ind, path: tuple, depth: int) -> Node:
        children = tuple(build(c, path + ("children", i), depth + 1) for i, c in enumerate(ind.children))
        frame = _frame_of(ind, path, smap, problems)
        if not ind.in_total and depth > 1:
            problems.append(Diagnostic("ruleset.in_total_not_top", smap.value(path + ("in_total",)), {"name": ind.name}))
        actual = explain_if = None
        bound = _NO_METHOD
        own: list[Diagnostic] = []
        if not children and frame is None:
            if ind.actual is not None:
                actual, errs = compile_formula(ind.actual, names, _locator(smap, path + ("actual",)))
                own.extend(errs)
            bound = bind_method(ind.scoring.model_dump() if ind.scoring else None, ind.operator, defaults, path, smap, scoring_names, own, ind.name, ind.weight)
            code = target_problem(bound.method, target_of(ind.target, ind.operator))
            if code:
                own.append(Diagnostic(code, smap.value(path + (("target",) if ind.target is not None else ("name",))), {"name": ind.name, "method": bound.method.NAME, "target": ind.target}))
            if ind.explain_if is not None:
                explain_if, errs = compile_formula(ind.explain_if, scoring_names, _locator(smap, path + ("explain_if",)))
                own.extend(errs)
        elif children and (ind.scoring is not None or ind.actual is not None):
            own.append(Diagnostic("ruleset.branch_scored", smap.value(path + ("name",)), {"name": ind.name}))
        set_aside = (unsure_nodes or {}).get(path, frozenset())
        problems.extend(d for d in own if not set_aside & _FOLLOW_ON.get(d.code, set()))
        return make_node(
            key=ind.id or ind.name, name=ind.name, path=path, depth=depth, weight=ind.weight,
            target_raw=ind.target, operator=ind.operator, unit=ind.unit, actual_type=ind.actual_type,
            actual=actual, bound=bound, explain_if=explain_if, children=children, frame=frame, in_total=ind.in_total,
        )

    roots = tuple(build(ind, ("indicators", i), 1) for i, ind in enumerate(ruleset.indicators))
    frames = tuple(n for n in _walk(roots) if n.frame is not None)
    claimed: dict[str, str] = {}
    for f in frames:  # a row's 一级 must lead to one frame only
        for group in f.frame.groups:
            if group in claimed:
                problems.append(Diagnostic("rows.group_twice", smap.value(f.path + ("categories",)), {"group": group, "other": claimed[group]}))
            claimed.setdefault(group, f.name)
    row_methods: dict[str, BoundMethod] = {}
    if frames:
        # Rows name only their 指标性质: bind each operator's scoring once, here,
        # so a wrong `scoring_defaults` is a ruleset error, not a per-unit one.
        for op in ("≥", "≤", "=", "定性"):
            row_methods[op] = bind_method(None, op, defaults, frames[0].path, smap, scoring_names, problems, frames[0].name)
    return roots, frames, row_methods, problems


def _walk(nodes):
    for n in nodes:
        yield n
        yield from _walk(n.children)


def bind_method(spec, operator, defaults, path, smap, scoring_names, problems, name: str, weight: Decimal | None = None):
    """Resolve a scoring spec (or the default for the operator) to a method,
    its validated parameters and its compiled formula parameter, if any.
    With `weight`, parameters that are points must lie within [0, weight]."""

    where = path + ("scoring",)
    if spec is None:
        spec = defaults.get(operator) if operator else None
        if spec is None and operator in DEFAULT_BY_OPERATOR:
            spec = {"method": DEFAULT_BY_OPERATOR[operator]}
        if spec is None:
            problems.append(Diagnostic("ruleset.no_method", smap.value(path + ("name",)), {"name": name}))
            return _NO_METHOD
        where = ("scoring_defaults", operator) if operator in defaults else where
    data = spec if isinstance(spec, dict) else spec.model_dump()
    method_name = data.get("method")
    method = METHODS.get(method_name)
    if method is None:

        problems.append(Diagnostic("ruleset.unknown_method", smap.value(where + ("method",)), {"method": method_name, "suggestion": suggest(str(method_name), METHODS), "known": ", ".join(METHODS)}))
        return _NO_METHOD
    raw_params = {k: v for k, v in data.items() if k != "method"}
    try:
        params = method.Parameters.model_validate(raw_params)
    except ValidationError as e:
        for d in schema_diagnostics(e, raw_params, smap, method.Parameters, prefix=where):
            problems.append(Diagnostic(d.code, d.span, {**d.args, "method": method_name}))
        return BoundMethod(method, None, None)
    if weight is not None:
        for ppath, value in getattr(method, "points", lambda _: ())(params):
            if not Decimal(0) <= value <= weight:
                problems.append(Diagnostic("ruleset.points_out_of_range", smap.value(where + ppath), {"name": name, "method": method_name, "key": ppath[-1], "value": value, "weight": weight}))
    formula = None
    for pname in getattr(method, "FORMULA_PARAMS", ()):
        formula, errs = compile_formula(getattr(params, pname), scoring_names, _locator(smap, where + (pname,)))
        problems.extend(errs)
    return BoundMethod(method, params, formula)


def _compile_checks(ruleset: Ruleset, names: dict, smap: SourceMap, unsure_checks: frozenset = frozenset()):
    problems: list[Diagnostic] = []
    out: list[CompiledCheck] = []
    seen: set[str] = set()
    for i, check in enumerate(ruleset.checks):
        path = ("checks", i)
        if path in unsure_checks:
            continue
        if check.id in seen:
            problems.append(Diagnostic("ruleset.duplicate_check", smap.value(path + ("id",)), {"id": check.id}))
        seen.add(check.id)
        formula = None
        if check.kind in ("row", "sum"):
            table = ruleset.tables.get(check.table or "")
            if table is None:

                problems.append(Diagnostic("ruleset.unknown_table", smap.value(path + ("table",)), {"table": check.table, "suggestion": suggest(str(check.table), ruleset.tables)}))
                continue
            cols = {c: ("text" if d.type == "text" else "number") for c, d in table.columns.items()}
            wanted = [check.column] if check.kind == "row" else list(check.columns or table.columns)
            for j, col in enumerate(wanted):
                if col not in cols:

                    p = path + (("column",) if check.kind == "row" else ("columns", j))
                    problems.append(Diagnostic("ruleset.unknown_column", smap.value(p), {"table": check.table, "column": col, "suggestion": suggest(str(col), cols)}))
            if check.kind == "row":
                if not check.formula:
                    problems.append(Diagnostic("schema.missing_key", smap.value(path), {"key": "formula"}))
                    continue
                formula, errs = compile_formula(check.formula, cols, _locator(smap, path + ("formula",)))
                problems += errs
        elif check.kind == "compare":
            if not check.formula:
                problems.append(Diagnostic("schema.missing_key", smap.value(path), {"key": "formula"}))
                continue
            compiled, errs = _compile_relation(check.formula, names, smap, path + ("formula",))
            problems += errs
            if compiled is not None:
                left, relation, right = compiled
                out.append(CompiledCheck(check, path, right, left, relation, _reads_results(left, right)))
            continue
        else:
            if not check.stated or not check.computed:
                problems.append(Diagnostic("schema.missing_key", smap.value(path), {"key": "stated" if not check.stated else "computed"}))
                continue
            if check.stated not in names:

                problems.append(Diagnostic("formula.unknown_name", smap.value(path + ("stated",)), {"name": check.stated, "suggestion": suggest(check.stated, names)}))
            formula, errs = compile_formula(check.computed, names, _locator(smap, path + ("computed",)))
            problems += errs
            if formula is not None:
                out.append(CompiledCheck(check, path, formula, uses_results=_reads_results(formula) or is_result_name(check.stated)))
                continue
        out.append(CompiledCheck(check, path, formula))
    return tuple(out), problems


# --- checks over results ------------------------------------------------------

TOTAL_NAME = "总分"
RESULT_FIELDS = ("actual", "target", "weight", "score")
# A relation between two formulas in a `compare` check, longest spelling first.
_RELATIONS = (("<=", "≤"), (">=", "≥"), ("==", "="), ("≤", "≤"), ("≥", "≥"), ("<", "<"), (">", ">"), ("=", "="), ("＝", "="))


def result_names(roots) -> dict[str, str]:
    """The names a check may read after scoring: `指标.score` and `.weight` for
    every indicator (by name and by id), `.actual` and `.target` for leaves,
    and `总分`. Indicators that come from a project's rows are not known here."""
    out = {TOTAL_NAME: "number"}
    stack = list(roots)
    while stack:
        n = stack.pop()
        for key in {n.key, n.name}:
            out[f"{key}.score"] = out[f"{key}.weight"] = "number"
            if n.is_leaf:
                kind = "number" if n.value_type in NUMERIC_TYPES else "text"
                out[f"{key}.actual"] = out[f"{key}.target"] = kind
        stack.extend(n.children)
    return out


def is_result_name(name: str | None) -> bool:
    """Whether a check's name reads a result (`X.score`, `总分`)."""
    if not name:
        return False
    return name == TOTAL_NAME or name.rpartition(".")[2] in RESULT_FIELDS


def _reads_results(*formulas: Formula) -> bool:
    return any(is_result_name(n) for f in formulas for n in f.names)


def _compile_relation(text, names: dict, smap: SourceMap, path: tuple):
    """`左边 ≤ 右边` as (left formula, relation, right formula), each side
    compiled on its own with positions in the file; or None and the problems."""
    if not isinstance(text, str):
        text = format(text, "f") if isinstance(text, Decimal) else str(text)
    found = []
    depth = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth -= 1
        elif depth == 0:
            for spelling, relation in _RELATIONS:
                if text.startswith(spelling, i) and not (spelling in ("<", ">", "=") and text.startswith("=", i + 1)):
                    found.append((i, spelling, relation))
                    i += len(spelling) - 1
                    break
        i += 1
    locate = _locator(smap, path)
    if len(found) != 1:
        return None, [Diagnostic("check.relation_count", locate(found[1][0] if len(found) > 1 else 0), {"formula": " ".join(text.split()), "count": len(found)})]
    at, spelling, relation = found[0]
    left_text, right_text = text[:at], text[at + len(spelling):]
    right_at = at + len(spelling)
    left, errs = compile_formula(left_text, names, locate) if left_text.strip() else (None, [Diagnostic("formula.empty", locate(0))])
    right, errs2 = compile_formula(right_text, names, lambda offset: locate(right_at + offset)) if right_text.strip() else (None, [Diagnostic("formula.empty", locate(right_at))])
    problems = errs + errs2
    if left is None or right is None or problems:
        return None, problems
    return (left, relation, right), []
