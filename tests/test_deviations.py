"""Deviation analysis (未完成指标及超指标值30%完成的原因分析): each rule and its edges."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.inputs_support import DATA, RULESET, at, edited, result_of

COUNT = "{id: 场次, name: 活动场次, weight: 20, target: 20, operator: ≥, unit: 场, scoring: proportional}"
RATE = "{id: 投诉率, name: 投诉率, weight: 10, target: 5%, operator: ≤, unit: \"%\", scoring: threshold}"


def deviations(data: str = DATA, ruleset: str = RULESET) -> list[tuple]:
    return [(d.name, d.kind, d.ratio) for d in result_of(data, ruleset).deviations]


def with_count(actual: str, indicator: str = COUNT, ruleset: str = RULESET) -> list[tuple]:
    """Deviations with 活动场次 defined as `indicator` and its actual `actual` (explained)."""
    data = edited(DATA, ("活动场次: {actual: 20}", f"活动场次: {{actual: {actual}, explanation: 原因}}"))
    return deviations(data, edited(ruleset, (COUNT, indicator)))


def with_rate(actual: str, indicator: str = RATE) -> list[tuple]:
    data = edited(DATA, ("投诉率: {actual: 4%}", f"投诉率: {{actual: {actual}, explanation: 原因}}"))
    return deviations(data, edited(RULESET, (RATE, indicator)))


def test_no_deviation_on_consistent_example():
    assert deviations() == []


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("19", [("活动场次", "未完成", D("0.95"))]),
        ("0", [("活动场次", "未完成", D("0"))]),
        ("20", []),  # met exactly
        ("25.99", []),  # below 130%
        ("26", [("活动场次", "超额", D("1.3"))]),  # exactly 130%: exceeded
        ("40", [("活动场次", "超额", D("2"))]),
    ],
)
def test_at_least_missed_or_exceeded_by_30_percent(actual, expected):
    assert with_count(actual) == expected


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("6%", [("投诉率", "未完成", D("1.2"))]),  # above the ceiling
        ("5%", []),
        ("3.51%", []),
        ("3.5%", [("投诉率", "超额", D("0.7"))]),  # exactly 30% under the ceiling
        ("0", [("投诉率", "超额", D("0"))]),
    ],
)
def test_at_most_is_direction_aware(actual, expected):
    assert with_rate(actual) == expected


@pytest.mark.parametrize(("actual", "expected"), [("20", []), ("21", [("活动场次", "未完成", D("1.05"))]), ("19", [("活动场次", "未完成", D("0.95"))])])
def test_equal_deviates_either_way(actual, expected):
    equal = COUNT.replace("operator: ≥", "operator: =").replace("proportional", "threshold")
    assert with_count(actual, equal) == expected


@pytest.mark.parametrize(("actual", "kind"), [("0", None), ("0.99", None), ("1", "超额"), ("5", "超额")])
def test_target_zero_uses_the_fixed_threshold(actual, kind):
    zero = COUNT.replace("target: 20", "target: 0")
    assert with_count(actual, zero) == ([] if kind is None else [("活动场次", kind, None)])


def test_target_zero_threshold_is_a_parameter():
    zero = COUNT.replace("target: 20", "target: 0")
    ruleset = RULESET + "deviations: {zero_target_exceed: 5}\n"
    assert with_count("4", zero, ruleset) == []
    assert with_count("5", zero, ruleset) == [("活动场次", "超额", None)]


@pytest.mark.parametrize(("actual", "kind"), [("0", None), ("1%", "未完成")])
def test_target_zero_at_most(actual, kind):
    zero = RATE.replace("target: 5%", "target: 0%")
    assert with_rate(actual, zero) == ([] if kind is None else [("投诉率", kind, None)])


def test_exceed_ratio_is_a_parameter():
    ruleset = RULESET + "deviations: {exceed_ratio: 50%}\n"
    assert with_count("29", ruleset=ruleset) == []
    assert with_count("30", ruleset=ruleset) == [("活动场次", "超额", D("1.5"))]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("{level: 达成, score: 10}", []),
        ("{level: 达成, score: 8}", []),  # below full marks but inside the top band
        ("{level: 部分达成, score: 7}", [("时效指标", "未完成", None)]),
        ("{level: 未达成, score: 3}", [("时效指标", "未完成", None)]),
        ("{score: 7.9}", [("时效指标", "未完成", None)]),  # level read off the score
    ],
)
def test_qualitative_by_band(entry, expected):
    data = edited(DATA, ("时效指标: {level: 达成, score: 10}", f"时效指标: {entry[:-1]}, explanation: 原因}}"))
    assert deviations(data) == expected


def test_judged_score_below_full_marks():
    data = edited(DATA, ("社会效益: {score: 20}", "社会效益: {score: 19, explanation: 原因}"))
    assert deviations(data) == [("社会效益", "未完成", None)]


def test_explain_if_lists_an_indicator_that_met_its_target():
    # 执行率 88% meets ≥ 85%, but the ruleset wants any rate below 90% explained.
    ruleset = edited(RULESET, ("target: 100%, operator: ≥, unit: \"%\", actual: 执行率,", "target: 85%, operator: ≥, unit: \"%\", actual: 执行率, explain_if: actual < 0.9,"))
    data = edited(DATA, ("文中合计: 300.00", "文中合计: 340.91"))  # 300 / 340.91 = 88.00%
    result = result_of(data, ruleset)
    assert [(d.name, d.kind, d.actual) for d in result.deviations] == [("预算执行率", "需说明", D("0.8800"))]
    assert [(f.kind, f.severity, f.code) for f in result.findings if f.kind == "deviation"] == [("deviation", "warning", "deviation.unexplained")]
    assert deviations(edited(DATA, ("文中合计: 300.00", "文中合计: 333.33")), ruleset) == []  # 90.00%


def test_a_deviation_without_explanation_is_a_warning_at_the_indicator():
    data = edited(DATA, ("活动场次: {actual: 20}", "活动场次: {actual: 12}"))
    result = result_of(data)
    [d] = result.deviations
    assert (d.name, d.kind, d.target, d.actual, d.ratio, d.explanation) == ("活动场次", "未完成", D("20"), D("12"), D("0.6"), None)
    [f] = [f for f in result.findings if f.kind == "deviation"]
    assert (f.severity, f.code, f"{f.span.line}:{f.span.col}") == ("warning", "deviation.unexplained", at(data, "{actual: 12}"))
    assert (f.stated, f.computed, f.difference) == (None, None, None)
    assert f.message() == "指标「活动场次」未完成，但没有说明原因：请在该指标下填写 explanation"
    assert f.message("en") == "'活动场次' is below target but no reason is given: add an explanation to it"


def test_an_explained_deviation_is_not_a_finding_and_carries_its_explanation():
    data = edited(DATA, ("活动场次: {actual: 20}", "活动场次: {actual: 12, explanation: 场地不足}"))
    result = result_of(data)
    assert [d.explanation for d in result.deviations] == ["场地不足"]
    assert [f for f in result.findings if f.kind == "deviation"] == []


def test_explanations_can_be_optional():
    data = edited(DATA, ("活动场次: {actual: 20}", "活动场次: {actual: 12}"))
    result = result_of(data, RULESET + "deviations: {require_explanation: false}\n")
    assert [d.kind for d in result.deviations] == ["未完成"]
    assert result.findings == ()
