"""Checks over results (issue 14): `compare` checks with ≤ ≥ < > =, and check
formulas that read 指标.actual/.target/.weight/.score, a group's score and 总分."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from engine.api import evaluate_file, validate_ruleset
from engine.base.diagnostics import DiagnosticError
from engine.evaluation.checks import relation_severity
from tests.conftest import ROOT

SEED_DATA = "examples/2019/hr-bureau.yaml"


def _ruleset(tmp_path, *checks: str) -> str:
    """The 2019 department ruleset with `checks` added to its own."""
    lines = (ROOT / "rulesets/2019/department.yaml").read_text(encoding="utf-8").splitlines()
    end = next(i for i, line in enumerate(lines) if line.startswith("cases:"))
    text = "\n".join(lines[:end] + [f"  - {c}" for c in checks] + lines[end:]) + "\n"
    path = tmp_path / "department.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _found(ruleset: str, data: str = SEED_DATA) -> list[tuple]:
    result = evaluate_file(data, ruleset)
    return [
        (f.severity, f.code, f.stated, f.computed, f.difference, f.message("zh"))
        for f in result.findings if f.code.startswith("check.relation")
    ]


@pytest.mark.parametrize(("relation", "difference", "tolerance", "expected"), [
    ("≤", D("-1"), D("0.01"), None), ("≤", D("0"), D("0.01"), None), ("≤", D("0.01"), D("0.01"), "info"), ("≤", D("0.02"), D("0.01"), "warning"),
    ("<", D("-0.01"), D("0.01"), None), ("<", D("0"), D("0.01"), "info"), ("<", D("0"), D("0"), "warning"),
    ("≥", D("0"), D("0.01"), None), ("≥", D("-0.01"), D("0.01"), "info"), ("≥", D("-0.5"), D("0.01"), "warning"),
    (">", D("0.01"), D("0"), None), (">", D("0"), D("0"), "warning"),
    ("=", D("0"), D("0.01"), None), ("=", D("-0.01"), D("0.01"), "info"), ("=", D("0.02"), D("0.01"), "warning"),
])
def test_relation_tolerance_rules(relation, difference, tolerance, expected):
    assert relation_severity(difference, relation, tolerance) == expected


def test_spent_within_budget_holds_on_the_seed(tmp_path):
    # 支出表.合计 3,921.33 ≤ 预算调整表.全年预算数 4,189.79: nothing to report
    assert _found(_ruleset(tmp_path, "{id: 支出不超预算, kind: compare, formula: 支出表.合计 ≤ 预算调整表.全年预算数}")) == []


def test_spent_above_budget_is_reported_with_both_figures(tmp_path):
    rs = _ruleset(tmp_path, "{id: 支出不超预算, label: 支出不超过预算, kind: compare, formula: 预算调整表.全年预算数 <= 支出表.合计}")
    assert _found(rs) == [(
        "warning", "check.relation_failed", D("4189.79"), D("3921.33"), D("268.46"),
        "【支出不超过预算】预算调整表.全年预算数 ≤ 支出表.合计 不成立：预算调整表.全年预算数 为 4,189.79，支出表.合计 为 3,921.33，相差 268.46",
    )]
    [f] = [f for f in evaluate_file(SEED_DATA, rs).findings if f.code == "check.relation_failed"]
    assert (f.span.file, f.span.line, f.span.col) == (SEED_DATA, 43, 12)  # the 全年预算数 of the table's 合计 row


def test_scores_and_total_can_be_checked(tmp_path):
    rs = _ruleset(
        tmp_path,
        "{id: 总分, kind: compare, formula: 总分 = 预算管理.score + 产出指标.score + 效益指标.score + 满意度.score}",
        "{id: 执行率得分, kind: compare, formula: \"预算执行率.score >= 9.5\", tolerance: 0.1}",
        "{id: 产出满分, kind: compare, formula: 产出指标.score ≥ 产出指标.weight, tolerance: 0}",
        "{id: 调整率, kind: equal, stated: 预算调整率.actual, computed: 文中预算调整率, tolerance: 0.0001}",
        "{id: 培训人数, kind: compare, formula: 参与干部培训人数.actual >= 参与干部培训人数.target / 2, tolerance: 0}",
    )
    assert _found(rs) == [
        ("warning", "check.relation_failed", D("9.36"), D("9.5"), D("-0.14"),
         "【执行率得分】预算执行率.score ≥ 9.5 不成立：预算执行率.score 为 9.36，相差 -0.14"),
        ("warning", "check.relation_failed", D("38"), D("40"), D("-2"),
         "【产出满分】产出指标.score ≥ 产出指标.weight 不成立：产出指标.score 为 38，产出指标.weight 为 40，相差 -2"),
        ("warning", "check.relation_failed", D("0"), D("70"), D("-70"),
         "【培训人数】参与干部培训人数.actual ≥ 参与干部培训人数.target / 2 不成立：参与干部培训人数.actual 为 0，参与干部培训人数.target / 2 为 70，相差 -70"),
    ]


def test_compare_formula_problems_are_located(tmp_path):
    rs = _ruleset(
        tmp_path,
        "{id: 无关系, kind: compare, formula: 支出表.合计 + 1}",
        "{id: 两个关系, kind: compare, formula: 1 < 支出表.合计 < 2}",
        "{id: 未知名称, kind: compare, formula: 预算执行律.score ≤ 10}",
        "{id: 无公式, kind: compare}",
    )
    with pytest.raises(DiagnosticError) as err:
        validate_ruleset(rs)
    got = [(d.span.line, d.span.col, d.code) for d in err.value.diagnostics]
    start = got[0][0]
    assert got == [
        (start, 39, "check.relation_count"),  # no relation: at the formula
        (start + 1, 51, "check.relation_count"),  # the second relation
        (start + 2, 40, "formula.unknown_name"),
        (start + 3, 5, "schema.missing_key"),
    ]
    assert err.value.diagnostics[2].message("zh").endswith("是否应为「预算执行率.score」？")
