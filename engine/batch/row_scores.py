"""A sheet row scored in one generated function (一行表格直接评分), for
`batch --result scores`.

A scores line says the subject, the total, the grade and each leaf's score;
the batch's summary also counts the unit's warnings. The general path builds
everything a full result holds to get there: `UnitData` with `TableRow`s, each
check's `Finding` with its place, each deviation with its place and words.
For one plan and one sheet header the choices are the same for every row, so
this module generates, once per (plan, sheet), one function made of the
statements the other generated paths already write — the row read by
`sheet_units.read_statements`, scored by `specialised.score_statements`, each
deviation classified by `specialised`'s statements as its leaf is scored
(`deviation_warnings`) — and, where those build findings, statements that
only count the warnings: each `sum` and `row` check over the sheet's fixed
table shape (a total row, 合计, over one row per category), each `equal` and
`compare` check, each unexplained deviation, plus the plan's own warnings
(notices, lints), which are the same for every unit. The line is written by
`jsonl.scores_writer` (the writer's own texts for this plan, made from the one
shape, `json_shape.SCORES`), or by `jsonl.scores_line` where that stands down.

It covers the clean case only: whatever the general path would report or
treat specially (a problem in a cell, a metric that cannot be computed, a
check that reads scores) returns None, or gets no function, and the row goes
the general way. `tests/test_row_scores.py` holds every row's outcome to the
general path's: name, total, grade, warnings and line bytes.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from engine.base.memo import generated, made_for
from engine.base.numeric import ZERO
from engine.evaluation import checks, specialised
from engine.evaluation.evaluate import _lint
from engine.ruleset import lints
from engine.ruleset.plan import Plan
from engine.unit import sheet_units
from engine.unit.columns import ColumnMap
from engine.render import jsonl

# cells → (name, total, grade, warnings, scores line), or None
Score = Callable[[tuple], "tuple[str, Decimal, str, int, str] | None"]

_KERNELS: dict[int, tuple[Any, Any]] = {}  # id((plan, sheet)) → (them, the function or None)


def row_scorer(plan: Plan, cmap: ColumnMap) -> Score | None:
    """The generated scorer of `cmap`'s rows under `plan` (None: not covered)."""
    return made_for(_KERNELS, sheet_units.kept_pair(plan, cmap), _make, 64)


def _make(pair: tuple) -> Score | None:
    return generated(scorer_source(*pair), f"<row scorer: {pair[1].file}>", "score")


def scorer_source(plan: Plan, cmap: ColumnMap) -> tuple[str, dict] | None:
    """The scorer's source and the names it is bound to, or None."""
    if not sheet_units.covers(plan, cmap) or not specialised.covers(plan):
        return None
    if any(cc.uses_results or cc.check.kind not in ("sum", "row", "equal", "compare") for cc in plan.checks):
        return None
    fixed = _plan_warnings(plan)
    if fixed is None:
        return None
    ns: dict[str, Any] = {"_line": jsonl.scores_line, "_Scored": jsonl.ScoresOf, "_Subject": jsonl.SubjectOnly}
    entry_vars: dict[str, str] = {}
    out = ["def score(cells):", *sheet_units.read_statements(plan, cmap, ns, rows=False, entry_vars=entry_vars),
           "    with localcontext(CONTEXT):", "        env = values"]
    # each unexplained deviation counted as its leaf is scored (the order of counting is no matter)
    scoring, leaves = specialised.score_statements(plan, ns, specialised.deviation_warnings(plan, ns), entry_vars)
    out += ["        w = 0", *scoring, f"        w += {fixed}", *_count_checks(plan, cmap, ns)]
    # any surprise in writing the line (a value no writer expects): the general path
    write = jsonl.scores_writer(plan, tuple(node for node, _ in leaves))
    if write is not None:  # the line written from its texts for this plan, each leaf's score (IndicatorResult[3]) in tree order
        ns["_write"] = write
        line = f"_write(subject, total, grade{''.join(f', {r}[3]' for _, r in leaves)})"
    else:  # the leaves in tree order, as `leaves(x.indicators)` would walk them out of the tree
        line = f"_line(_Scored(plan, _Subject(subject), total, grade, ({''.join(r + ', ' for _, r in leaves)})))"
    out += ["    try:", f"        line = {line}", "    except Exception:", "        return None",
            "    return subject.get('name', ''), total, grade, w, line"]
    return "\n".join(out) + "\n", ns


def _plan_warnings(plan: Plan) -> int | None:
    """The warnings every unit under `plan` gets (its notices and design
    lints, as `evaluate` lists them), or None when they depend on the unit."""
    on = lints.enabled(plan.ruleset.lints, (), ())
    count = len(plan.notices) if "group_weights" in on else 0
    try:
        found = _lint(plan, None, on)  # a plan without rows of its own: no lint reads the unit
    except AttributeError:
        return None
    return count + sum(1 for f in found if f.severity == "warning")


def _count_checks(plan: Plan, cmap: ColumnMap, ns: dict) -> list[str]:
    """Statements adding to `w` the warnings `checks.run` would find. A sheet's
    table is its total row `t<t>` over its category rows `r<t>_<j>` (one level):
    a sum check compares the total with its categories' sum (the sum of the
    rows just below it as printed is the same sum), and records the sum as the
    total's correction for the row checks, as `_sum_column` does."""
    ns.update(Decimal=Decimal, ZERO=ZERO, _row_value=checks._evaluate_row, _rel=checks.relation_severity, _SKIPS=checks.EQUAL_SKIPS,
              _CMP_SKIPS=(*checks._ARITHMETIC, TypeError, KeyError))
    index = {tname: t for t, tname in enumerate(cmap.table_rows)}
    out: list[str] = []
    for t in sorted({index[cc.check.table] for cc in plan.checks if cc.check.kind == "sum" and cc.check.table in index}):
        out.append(f"        k{t} = {{}}")  # column → the total row's figure recomputed from its categories
    corrected: set[int] = set()

    def warn(i: int, stated: str, computed: str, pad: str) -> list[str]:
        # `_finding`: a difference within the tolerance (inclusive) is info, beyond it a warning
        ns[f"_tol{i}"] = plan.checks[i].check.tolerance
        return [f"{pad}d = {stated} - {computed}", f"{pad}if d and abs(d) > _tol{i}:", f"{pad}    w += 1"]

    for i, cc in enumerate(plan.checks):  # sums first: their corrections tell the row checks which figures are known wrong
        t = index.get(cc.check.table) if cc.check.kind == "sum" else None
        if t is None or not cmap.table_rows[cc.check.table]:
            continue  # no such table in this sheet, or a total row with no categories under it: nothing to sum
        corrected.add(t)
        cats = [f"r{t}_{j}" for j in range(len(cmap.table_rows[cc.check.table]))]
        for col in cc.check.columns or tuple(plan.ruleset.tables[cc.check.table].columns):
            out += [f"        s = t{t}.get({col!r})", "        if s.__class__ is Decimal:", "            c = ZERO"]
            for r in cats:
                out += [f"            v = {r}.get({col!r})", "            if v.__class__ is Decimal:", "                c += v"]
            out += ["            if s != c:", f"                k{t}[{col!r}] = c", *warn(i, "s", "c", "                ")]
    for i, cc in enumerate(plan.checks):
        kind = cc.check.kind
        ns[f"_cc{i}"] = cc
        if kind == "row":
            t = index.get(cc.check.table)
            if t is None or cc.formula is None:
                continue
            column = cc.check.column
            involved = (column, *cc.formula.names)
            rows = [f"t{t}", *(f"r{t}_{j}" for j in range(len(cmap.table_rows[cc.check.table])))]
            for r in rows:
                figures = " or ".join(f"{r}.get({c!r}) is not None" for c in dict.fromkeys(involved))
                out += [f"        if {figures}:",
                        f"            s = {r}.get({column!r})",
                        "            if not isinstance(s, Decimal):",
                        "                s = ZERO",
                        f"            c = _row_value(_cc{i}, {r})",
                        "            if c is not None and s != c:"]
                if r == f"t{t}" and t in corrected:
                    # explained by totals the sum check already reported: re-checked with them replaced
                    out += [f"                fixed = {{x: k{t}[x] for x in {tuple(dict.fromkeys(involved))!r} if x in k{t}}}",
                            f"                rc = _row_value(_cc{i}, {{**{r}, **fixed}}) if fixed else None",
                            f"                if not (fixed and rc is not None and fixed.get({column!r}, s) == rc):",
                            *warn(i, "s", "c", "                    ")]
                else:
                    out += warn(i, "s", "c", "                ")
        elif kind == "equal":
            if cc.formula is None:
                continue
            out += [f"        s = env.get({cc.check.stated!r})",
                    "        if s.__class__ is Decimal or isinstance(s, Decimal):",
                    "            try:",
                    *("                " + line for line in specialised.formula_code(cc.formula, "env", "c", ns, f"_q{i}_")),
                    "            except _SKIPS:",
                    "                c = None",
                    "            if (c.__class__ is Decimal or isinstance(c, Decimal)) and c != s:",
                    *warn(i, "s", "c", "                ")]
        elif kind == "compare":
            ns[f"_ql{i}"], ns[f"_qr{i}"] = cc.left.evaluate, cc.formula.evaluate
            ns[f"_tol{i}"] = cc.check.tolerance
            out += ["        try:",
                    f"            left, right = _ql{i}(env), _qr{i}(env)",
                    "        except _CMP_SKIPS:",
                    "            left = right = None",
                    "        if isinstance(left, Decimal) and isinstance(right, Decimal):",
                    f"            if _rel(left - right, {cc.relation!r}, _tol{i}) == 'warning':",
                    "                w += 1"]
    return out
