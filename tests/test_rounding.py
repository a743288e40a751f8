"""四舍五入: half-up rounding in the one place that rounds, and where the
ruleset's rounding policy applies it."""
from __future__ import annotations

from decimal import Decimal

import pytest

from engine.base.numeric import round_half_up
from tests.core_support import evaluate_text

D = Decimal


@pytest.mark.parametrize(
    "value, places, expected",
    [
        ("9.359", 2, "9.36"),  # seed 预算执行率: 10 × 93.59%
        ("2.345", 2, "2.35"),
        ("2.675", 2, "2.68"),  # a float would give 2.67
        ("-2.5", 0, "-3"),  # half away from zero
        ("2.5", 0, "3"),  # round() would give 2 (half-even)
        ("-2.345", 2, "-2.35"),
        ("1.005", 2, "1.01"),  # 1.00499999… as a float
        ("0.125", 2, "0.13"),
        ("0.0049", 2, "0.00"),
        ("8.62", 0, "9"),  # schemes that score in whole points
        ("0.935855", 4, "0.9359"),  # a rate kept to 0.01%
        ("17", 2, "17.00"),
        ("0", 2, "0.00"),
    ],
)
def test_round_half_up(value, places, expected):
    result = round_half_up(D(value), places)
    assert str(result) == expected  # value and number of places both


def test_round_half_up_leaves_magnitudes_beyond_any_score_alone():
    # quantize would raise InvalidOperation past 34 digits; nothing that large is a score.
    assert round_half_up(D("1e40"), 2) == D("1e40")


RULESET = """\
id: t
title: 测试
year: 2024
kind: 项目支出
indicators:
  - name: 产出
    weight: 30
    children:
      - {{name: 甲, weight: 10, target: 3, operator: ≥, scoring: proportional}}
      - {{name: 乙, weight: 10, target: 3, operator: ≥, scoring: proportional}}
      - {{name: 丙, weight: 10, target: 3, operator: ≥, scoring: proportional}}
  - {{name: 效益, weight: 70, operator: 定性, scoring: manual}}
grades:
  - {{label: 优, min: 90}}
  - {{label: 良, min: 80}}
  - {{label: 中, min: 60}}
  - {{label: 差, min: 0}}
rounding: {{places: {places}, scope: {scope}}}
"""
DATA = """\
subject: 测试单位
indicators:
  甲: {actual: 1}
  乙: {actual: 1}
  丙: {actual: 1}
  效益: {score: 70}
"""


def test_scope_indicator_rounds_each_leaf_and_adds_the_rounded_scores():
    result = evaluate_text(RULESET.format(places=2, scope="indicator"), DATA)
    # 10 × 1/3 = 3.333… → 3.33 each; 产出 = 3 × 3.33 = 9.99; total 79.99 → 中
    assert [result.find(n).score for n in ("甲", "乙", "丙")] == [D("3.33")] * 3
    assert result.find("产出").score == D("9.99")
    assert (result.total, result.grade) == (D("79.99"), "中")


def test_scope_total_keeps_exact_scores_and_rounds_only_the_total():
    result = evaluate_text(RULESET.format(places=2, scope="total"), DATA)
    # each 3.333333333333333333333333333333333 (34 digits); total 79.999…9 → 80.00 → 良
    assert result.find("甲").score == D("3.333333333333333333333333333333333")
    assert result.find("产出").score == D("9.999999999999999999999999999999999")
    assert (result.total, result.grade) == (D("80.00"), "良")


def test_places_zero_scores_in_whole_points():
    result = evaluate_text(RULESET.format(places=0, scope="indicator"), DATA)
    # 3.333… → 3 each; 产出 9; total 79 → 中
    assert result.find("甲").score == D("3")
    assert (result.total, result.grade) == (D("79"), "中")


def test_rounding_in_a_formula_happens_where_the_formula_says():
    ruleset = RULESET.format(places=2, scope="indicator").replace(
        "{name: 甲, weight: 10, target: 3, operator: ≥, scoring: proportional}",
        "{name: 甲, weight: 10, target: 100%, operator: ≥, unit: '%', actual: 'round_half_up(执行数 / 预算数, 4)', scoring: proportional}",
    ).replace("indicators:\n", "inputs:\n  执行数: {type: money}\n  预算数: {type: money}\nindicators:\n", 1)
    data = DATA.replace("  甲: {actual: 1}\n", "").replace("indicators:", "inputs: {执行数: '3,921.33', 预算数: '4,189.79'}\nindicators:")
    result = evaluate_text(ruleset, data)
    # 3921.33 / 4189.79 = 0.935926… → 0.9359 (the rate to 0.01%); 10 × 0.9359 = 9.359 → 9.36
    assert result.find("甲").actual == D("0.9359")
    assert result.find("甲").score == D("9.36")
