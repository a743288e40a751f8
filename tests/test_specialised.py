"""The plan's generated evaluator (`engine.evaluation.specialised`, issue 18)
gives `evaluate`'s result — the same JSON line in both languages, the same
values, scores and findings — or leaves the unit to `evaluate`."""
from __future__ import annotations

import dataclasses
import os
import sys
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from engine.base.diagnostics import DiagnosticError, SourceSpan
from engine.base.sourcemap import SourceMap
from engine.evaluation.evaluate import evaluate
from engine.evaluation.specialised import evaluate_fast, evaluator, evaluator_source
from engine.load.json_line import loads_json_line
from engine.render import jsonl
from engine.ruleset.loading import load_plan
from engine.ruleset.plan import SPECIALISE_MAX_LEAVES
from engine.unit.inputs import load_unit, read_unit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
import batch as bench  # noqa: E402 - the benchmark's generator of realistic units

DEPARTMENT = os.path.join(ROOT, "rulesets", "2019", "department.yaml")
SEED = os.path.join(ROOT, "examples", "2019", "hr-bureau.yaml")
# The 2019 scheme with the other choices `_score_node` makes per plan: adjusted
# targets used, exact scores rounded only in the total, one place.
VARIANT = """\
extends: {base}
id: specialised-variant
year: 2019
policy: {{adjusted_target: use, not_applicable: zero}}
rounding: {{places: 1, scope: total}}
indicators:
  - {{id: 预算执行率, target: 80%, explain_if: actual < 0.9}}
  - {{id: 城镇新增就业人数, operator: "=", scoring: threshold}}
checks:
  - {{id: 支出不超预算, label: 支出不超过预算, kind: compare, formula: 支出表.合计 ≤ 预算调整表.全年预算数}}
  - {{id: 执行率得分, kind: compare, formula: "预算执行率.score >= 9.5", tolerance: 0.1}}
  - {{id: 产出满分, kind: compare, formula: 产出指标.score ≥ 产出指标.weight, tolerance: 0}}
  - {{id: 年初合计, kind: sum, table: 预算调整表, columns: [年初预算数], tolerance: 0}}
  - {{id: 调整不超年初, kind: row, table: 预算调整表, column: 预算调整数, formula: 年初预算数 * 0.5 - 全年预算数 / 2 + 预算调整数}}
"""


def _same(plan, unit) -> bool:
    """Whether the generated evaluator took the unit; asserts it agrees with `evaluate`."""
    try:
        general = evaluate(plan, unit)
    except DiagnosticError:
        general = None
    fast = evaluate_fast(plan, unit)
    if fast is None:
        return False
    assert general is not None, "the generated evaluator scored a unit evaluate refuses"
    for lang in ("zh", "en"):
        assert jsonl.line(fast, lang) == jsonl.line(general, lang)
    assert repr(fast.env) == repr(general.env)
    assert repr(fast.indicators) == repr(general.indicators)
    assert fast.findings == general.findings or [f[:3] for f in fast.findings] == [f[:3] for f in general.findings]
    assert (fast.total, fast.grade, fast.deviations, fast.rescaled) == (general.total, general.grade, general.deviations, general.rescaled)
    return True


@pytest.fixture(scope="module")
def units(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("units")
    path = str(tmp / "u.jsonl")
    bench.write_jsonl(path, 120)
    plan = load_plan(DEPARTMENT)
    out = []
    with open(path, encoding="utf-8") as fh:
        for n, text in enumerate(fh, 1):
            try:
                out.append(read_unit(plan, loads_json_line(text), SourceMap({(): SourceSpan("u.jsonl", n, 1)}), "u.jsonl", "sha256:x"))
            except DiagnosticError:
                continue
    return plan, out


def test_seed_report_by_the_generated_evaluator():
    plan = load_plan(DEPARTMENT)
    unit = load_unit(plan, SEED)
    assert _same(plan, unit)
    assert str(evaluate_fast(plan, unit).total) == "87.36"


def test_generated_units_agree_with_evaluate(units):
    plan, found = units
    assert evaluator(plan) is not None
    taken = sum(_same(plan, u) for u in found)
    assert taken == len(found)  # every unit read evaluates cleanly


def _entries_strategy(plan):
    leaves = [n.key for n in plan.leaves]
    field = st.sampled_from(["not_applicable", "actual", "adjusted_target", "unmeasured", "drop"])
    value = st.sampled_from([None, True, False, Decimal(0), Decimal("0.5"), Decimal(-1), Decimal(1000000), "达成", "部分达成", "约一万", Decimal("1E+2")])
    return st.lists(st.tuples(st.sampled_from(leaves), field, value), max_size=4)


def _variant_plan(tmp_path):
    """The VARIANT scheme, with its generated evaluator."""
    path = tmp_path / "variant.yaml"
    path.write_text(VARIANT.format(base=DEPARTMENT), encoding="utf-8")
    plan = load_plan(str(path))
    assert evaluator(plan) is not None
    return plan


@pytest.mark.parametrize("variant", [False, True])
def test_odd_entries_and_figures_agree_or_are_left_to_evaluate(units, tmp_path, variant):
    plan, found = units
    if variant:
        plan = _variant_plan(tmp_path)
        assert {cc.check.kind for cc in plan.checks} == {"row", "sum", "equal", "compare"} and any(cc.uses_results for cc in plan.checks)
        assert sum(_same(plan, dataclasses.replace(u, plan=plan)) for u in found) == len(found)
    names = [n for n in found[0].values]

    @settings(max_examples=150, deadline=None)
    @given(pick=st.integers(0, len(found) - 1), changes=_entries_strategy(plan),
           figures=st.lists(st.tuples(st.sampled_from(names), st.sampled_from([None, Decimal(0), Decimal(-5), Decimal("0.01")])), max_size=2))
    def check(pick, changes, figures):
        unit = found[pick]
        entries = {k: dict(v) for k, v in unit.entries.items()}
        for key, field_name, value in changes:
            e = entries.setdefault(key, {})
            if field_name == "drop":
                e.clear()
            else:
                e[field_name] = value
        values = dict(unit.values)
        values.update(figures)
        _same(plan, dataclasses.replace(unit, entries=entries, values=values, plan=plan))

    check()


def test_plans_it_does_not_cover():
    project = load_plan(os.path.join(ROOT, "rulesets", "2019", "project.yaml"))
    assert project.frames and evaluator_source(project) is None


@pytest.mark.parametrize("count", [400, 3000])  # 60 ÷ 400 = 0.15 each (weights have at most 2 places)
def test_a_plan_of_hundreds_or_thousands_of_indicators(tmp_path, count):
    """A plan with nearly as many leaves (400) as are still compiled (one group, one call to
    sum its scores) agrees with evaluate; one of thousands (3,000 leaves would take
    seconds to compile) is left to evaluate."""
    assert 400 <= SPECIALISE_MAX_LEAVES < 3000
    weight = Decimal("0.15") if count == 400 else Decimal("0.02")
    leaves = "\n".join(f"      - {{id: 指标{i}, name: 指标{i}, weight: {weight}, target: 1, operator: ≥, actual: 1, scoring: threshold}}" for i in range(count))
    path = tmp_path / "big.yaml"
    path.write_text(f"""id: big
title: 大
year: 2020
kind: 项目支出
indicators:
  - id: 全部
    name: 全部
    weight: 60
    children:
{leaves}
  - {{id: 其他, name: 其他, weight: 40, target: 1, operator: ≥, actual: 1, scoring: threshold}}
grades:
  - {{label: 优, min: 90}}
  - {{label: 差, min: 0}}
""", encoding="utf-8")
    plan = load_plan(str(path))
    data = tmp_path / "u.yaml"
    data.write_text("subject: 单位\n", encoding="utf-8")
    unit = load_unit(plan, str(data))
    if count > SPECIALISE_MAX_LEAVES:
        assert evaluator(plan) is None
        return
    assert _same(plan, unit)
    assert str(evaluate_fast(plan, unit).total) == "100.00"


def _shipped_cases():
    """(ruleset, data file) of every case a shipped or fixture ruleset carries, and the fixtures' own pairs."""
    from engine.ruleset.inherit import load_resolved

    out = [(os.path.join(ROOT, "tests/fixtures/inputs/ruleset.yaml"), os.path.join(ROOT, "tests/fixtures/inputs/data.yaml"))]
    for folder in ("rulesets/2019", "rulesets/2020", "rulesets/examples", "tests/fixtures/rulesets"):
        for name in sorted(os.listdir(os.path.join(ROOT, folder))):
            path = os.path.join(ROOT, folder, name)
            if not name.endswith(".yaml"):
                continue
            try:
                raw = load_resolved(path, None)[0]
            except DiagnosticError:
                continue
            for case in raw.get("cases") or []:
                if isinstance(case, dict) and isinstance(case.get("data"), str):
                    out.append((path, os.path.normpath(os.path.join(os.path.dirname(path), case["data"]))))
    return out


@pytest.mark.parametrize("ruleset,data", _shipped_cases(), ids=lambda p: os.path.relpath(p, ROOT))
def test_shipped_cases_agree_with_evaluate(ruleset, data):
    plan = load_plan(ruleset)
    try:
        unit = load_unit(plan, data)
    except DiagnosticError:
        return
    if evaluator(plan) is not None:
        assert _same(plan, unit) or evaluate_fast(plan, unit) is None


def test_the_minimal_ruleset_agrees_with_evaluate():
    """The minimal fixture ruleset on a unit giving every declared input as 1
    and every leaf's needed field."""
    plan = load_plan(os.path.join(ROOT, "tests/fixtures/rulesets", "minimal.yaml"))
    raw = {"subject": {"name": "单位"}, "inputs": {k: "1" for k in plan.ruleset.inputs}, "indicators": {}}
    for node in plan.leaves:
        method = node.method.NAME if node.method is not None else ""
        entry = {"score": "0"} if method in ("manual", "qualitative") else {"coefficient": "1"} if method == "coefficient" else {} if node.actual is not None else {"actual": "1"}
        if entry:
            raw["indicators"][node.key] = entry
    unit = read_unit(plan, raw, SourceMap({(): SourceSpan("u.yaml", 1, 1)}), "u.yaml", "sha256:x")
    assert evaluator(plan) is not None and _same(plan, unit)


def _table_changes(unit):
    """Hypothesis strategy: changes to a unit's table rows, as (table, row index
    in walk order, column or None for "drop its sub-rows", new figure)."""
    tables = sorted(unit.tables)
    figures = st.sampled_from([None, Decimal(0), Decimal("0.01"), Decimal("-3.5"), Decimal("1E+3"), Decimal("123456.78"), "见说明"])
    return st.lists(st.tuples(st.sampled_from(tables), st.integers(0, 30), st.integers(0, 3), figures), max_size=5)


def _changed(unit, changes):
    """The unit with `changes` made to its table rows (the row tree rebuilt)."""
    from engine.unit.inputs import TableRow

    def rebuild(row, counter, edits):
        i = counter[0]
        counter[0] += 1
        values = dict(row.values)
        rows = row.rows
        for column, figure in edits.get(i, ()):
            if column is None:
                rows = ()
            else:
                values[column] = figure
        kids = tuple(rebuild(r, counter, edits) for r in rows)
        return TableRow(row.name, row.category, values, row.path, kids, row.trail)

    tables = {}
    for name, root in unit.tables.items():
        columns = [*root.values, None]
        edits: dict = {}
        for table, index, column, figure in changes:
            if table == name:
                edits.setdefault(index, []).append((columns[column % len(columns)], figure))
        tables[name] = rebuild(root, [0], edits)
    return dataclasses.replace(unit, tables=tables)


@pytest.mark.parametrize("variant", [False, True])
def test_changed_table_figures_agree_with_evaluate(units, tmp_path, variant):
    """The generated sum and row checks (one walk per table, formulas inlined)
    give `checks`' findings, words and corrections, whatever the figures: wrong
    subtotals and items, blanks, text, sub-rows dropped; a sum check of some
    columns, a row check whose formula divides."""
    plan, found = units
    if variant:
        plan = _variant_plan(tmp_path)
        found = [dataclasses.replace(u, plan=plan) for u in found]

    @settings(max_examples=300, deadline=None)
    @given(pick=st.integers(0, len(found) - 1), changes=st.data())
    def check(pick, changes):
        unit = found[pick]
        edited = _changed(unit, changes.draw(_table_changes(unit)))
        assert _same(plan, edited)

    check()


@pytest.mark.parametrize("width", [3, 250])
def test_a_wide_table_checked_by_the_general_walk_agrees(tmp_path, width):
    """A table wider than a generated sum check walks (`WALK_MAX_COLUMNS`) is
    summed by `checks`' own function inside the generated evaluator; both
    widths agree with evaluate, wrong subtotals and rows included."""
    from engine.evaluation.specialised import WALK_MAX_COLUMNS

    assert 3 < WALK_MAX_COLUMNS < 250
    columns = [f"列{i}" for i in range(width)]
    path = tmp_path / "wide.yaml"
    path.write_text("\n".join([
        "id: wide", "title: 宽表", "year: 2020", "kind: 部门整体支出",
        "tables:", "  表:", "    columns:", *(f"      {c}: {{}}" for c in columns), "    categories: [甲, 乙]",
        "indicators:", "  - {id: 场次, name: 活动场次, weight: 100, target: 20, operator: ≥, unit: 场, scoring: proportional}",
        "grades:", "  - {label: 优, min: 90}", "  - {label: 差, min: 0}",
        "checks:", "  - {id: 合计, kind: sum, table: 表}",
        f"  - {{id: 行, kind: row, table: 表, column: 列0, formula: {' + '.join(columns[1:20])}}}", ""]), encoding="utf-8")
    plan = load_plan(str(path))
    assert evaluator(plan) is not None
    assert ("_sum_check(" in evaluator_source(plan)[0]) == (width > WALK_MAX_COLUMNS)
    rows = [{"name": n, **{c: f"{k + i}.5" for k, c in enumerate(columns)}} for i, n in enumerate(["甲", "乙"])]
    total = {"name": "合计", **{c: "7" for c in columns}, "rows": rows}
    raw = {"subject": {"name": "单位"}, "tables": {"表": total}, "indicators": {"场次": {"actual": "18"}}}
    unit = read_unit(plan, raw, SourceMap({(): SourceSpan("u.json", 1, 1)}), "u.json", "sha256:x")
    assert _same(plan, unit)
    assert len([f for f in evaluate_fast(plan, unit).findings if f.kind == "consistency"]) > width // 2
