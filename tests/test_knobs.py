"""Scheme knobs as ruleset data (计分口径): each changes the result as the scheme says.

Every case edits one or two lines of the small scheme in tests/fixtures/knobs/
(ruleset.yaml, data.yaml) and checks the hand-computed result. The base case:
执行率 72 / 120 = 60% → 6; A 40 × 80/100 = 32; B 20 × 2/3 = 13.33; C 6.5 (部分达成);
D 20; total 77.83 → 中.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from engine.ruleset.compile import compile_ruleset

from engine.base.digest import digest_of
from engine.base.diagnostics import DiagnosticError
from engine.evaluation.evaluate import evaluate
from engine.unit.inputs import read_unit
from engine.load.yaml_loader import load_text
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "knobs"
RULESET = (FIXTURES / "ruleset.yaml").read_text(encoding="utf-8")
DATA = (FIXTURES / "data.yaml").read_text(encoding="utf-8")


def _edit(text: str, edits) -> str:
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    return text


def run(ruleset_edits=(), data_edits=()):
    """Evaluate the fixture scheme with the given line edits; return the Result."""
    rtext, dtext = _edit(RULESET, ruleset_edits), _edit(DATA, data_edits)
    raw, smap = load_text(rtext, "ruleset.yaml")
    plan = compile_ruleset(raw, smap, "ruleset.yaml", digest_of(rtext))
    draw, dsmap = load_text(dtext, "data.yaml")
    return evaluate(plan, read_unit(plan, draw, dsmap, "data.yaml"))


def scores(result) -> dict[str, Decimal]:
    out = {}
    stack = list(result.indicators)
    while stack:
        r = stack.pop()
        out[r.node.key] = r.score
        stack.extend(r.children)
    return out


def test_base_case():
    r = run()
    assert (r.total, r.grade) == (Decimal("77.83"), "中")
    s = scores(r)
    assert [s[k] for k in ("执行率", "A", "B", "C", "D")] == [Decimal(6), Decimal(32), Decimal("13.33"), Decimal("6.5"), Decimal(20)]


# 预算执行率: weight 10 or 20 (the indicator frame then weighs 80, so A weighs 30: 24 points).
def test_execution_weight_20():
    r = run(
        [("{id: 执行率, name: 预算执行率, weight: 10,", "{id: 执行率, name: 预算执行率, weight: 20,"), ("    weight: 90\n    rows: data", "    weight: 80\n    rows: data")],
        [("actual: 80, weight: 40", "actual: 80, weight: 30")],
    )
    assert scores(r)["执行率"] == Decimal(12)  # 20 × 60%
    assert r.total == Decimal("75.83")  # 12 + 24 + 13.33 + 6.5 + 20


# 执行率的分母: 全年预算数 (120), 调整后预算数 (90) or 年初预算数 (100).
@pytest.mark.parametrize("denominator, points, total", [
    ("全年预算数", "6", "77.83"),
    ("调整后预算数", "8", "79.83"),  # 72 / 90 = 80%
    ("年初预算数", "7.2", "79.03"),  # 72 / 100 = 72%
])
def test_execution_rate_denominator(denominator, points, total):
    r = run([("全年执行数 / 全年预算数, 4)", f"全年执行数 / {denominator}, 4)")])
    assert scores(r)["执行率"] == Decimal(points)
    assert r.total == Decimal(total)


# Whether the total includes the execution score: in_total: false shows it beside
# the total; the indicators then carry the full 100 (A weighs 50: 40 points).
def test_execution_score_outside_the_total():
    r = run(
        [("actual: 预算执行率, scoring: proportional}", "actual: 预算执行率, scoring: proportional, in_total: false}"), ("    weight: 90\n    rows: data", "    weight: 100\n    rows: data")],
        [("actual: 80, weight: 40", "actual: 80, weight: 50")],
    )
    assert scores(r)["执行率"] == Decimal(6)
    assert r.total == Decimal("79.83")  # 40 + 13.33 + 6.5 + 20, without the 6
    assert r.grade == "中"


# Qualitative band edges: 部分达成 starts at 60% (national) or 50% (Hubei).
def test_qualitative_band_edge_60_refuses_a_score_the_50_edge_accepts():
    low_score = [("level: 部分达成, score: 6.5", "level: 部分达成, score: 5.5")]
    with pytest.raises(DiagnosticError) as e:
        run(data_edits=low_score)
    (d,) = e.value.diagnostics
    assert d.code == "score.outside_level"
    assert (d.args["low"], d.args["high"]) == (Decimal(6), Decimal(8))
    r = run([("{level: 部分达成, min: 60%}", "{level: 部分达成, min: 50%}")], low_score)
    assert scores(r)["C"] == Decimal("5.5")
    assert r.total == Decimal("76.83")


# Rounding places: two decimals, or whole points (each score rounded half up).
def test_rounding_to_whole_points():
    r = run([("  places: 2", "  places: 0")])
    s = scores(r)
    assert (s["B"], s["C"]) == (Decimal(13), Decimal(7))  # 13.33 → 13, 6.5 → 7 (四舍五入)
    assert r.total == Decimal(78)


# Grade cut-offs and labels.
@pytest.mark.parametrize("grades, grade", [
    ("{label: 优, min: 90}\n  - {label: 良, min: 80}\n  - {label: 中, min: 60}", "中"),
    ("{label: 优, min: 80}\n  - {label: 良, min: 70}\n  - {label: 中, min: 60}", "良"),
    ("{label: 优秀, min: 95}\n  - {label: 良好, min: 85}\n  - {label: 合格, min: 60}", "合格"),
])
def test_grade_cut_offs(grades, grade):
    edits = [("{label: 优, min: 90}\n  - {label: 良, min: 80}\n  - {label: 中, min: 60}", grades)]
    if "合格" in grades:
        edits.append(("{label: 差, min: 0}", "{label: 不合格, min: 0}"))
    r = run(edits)
    assert (r.total, r.grade) == (Decimal("77.83"), grade)


# Not-applicable indicators: scored 0 (zero), or dropped with the rest rescaled to 100.
NA_D = [("actual: 100, weight: 20, explanation: 测试}", "weight: 20, not_applicable: true}")]


def test_not_applicable_scores_zero_by_default():
    r = run(data_edits=NA_D)
    assert r.total == Decimal("57.83")  # 6 + 32 + 13.33 + 6.5
    assert r.rescaled is None


def test_not_applicable_dropped_and_rescaled():
    r = run([("not_applicable: zero", "not_applicable: rescale")], NA_D)
    assert r.rescaled == (Decimal("57.83"), Decimal(80))
    assert r.total == Decimal("72.29")  # 57.83 × 100 / 80 = 72.2875
    assert r.grade == "中"


# 得分系数: every 指标性质 scored as weight × the coefficient the data gives.
def test_score_coefficient():
    block = RULESET[RULESET.index("scoring_defaults:"):RULESET.index("grades:")]
    r = run(
        [(block, "scoring_defaults: {≥: coefficient, ≤: coefficient, =: coefficient, 定性: coefficient}\n")],
        [("actual: 80, weight: 40,", "actual: 80, coefficient: 0.8, weight: 40,"),
         ("actual: 2, weight: 20,", "actual: 2, coefficient: 0.65, weight: 20,"),
         ("level: 部分达成, score: 6.5,", "coefficient: 0.7,"),
         ("actual: 100, weight: 20,", "actual: 100, coefficient: 0.9, weight: 20,")],
    )
    s = scores(r)
    assert [s[k] for k in ("A", "B", "C", "D")] == [Decimal(32), Decimal(13), Decimal(7), Decimal(18)]
    assert r.total == Decimal(76)  # 6 + 32 + 13 + 7 + 18


# Adjusted targets (调整指标值): scored against the adjusted target, or kept for the record only.
ADJUSTED = [("target: 100, actual: 100, weight: 20,", "target: 100, adjusted_target: 120, actual: 100, weight: 20,")]


def test_adjusted_target_used():
    r = run(data_edits=ADJUSTED)
    assert scores(r)["D"] == Decimal("16.67")  # 20 × 100 / 120
    assert r.total == Decimal("74.50")


def test_adjusted_target_ignored():
    r = run([("adjusted_target: use", "adjusted_target: ignore")], ADJUSTED)
    assert scores(r)["D"] == Decimal(20)
    assert r.total == Decimal("77.83")


def test_options_show_in_the_text_and_json_output():
    from engine.render import json_out, text

    r = run(
        [("actual: 预算执行率, scoring: proportional}", "actual: 预算执行率, scoring: proportional, in_total: false}"),
         ("    weight: 90\n    rows: data", "    weight: 100\n    rows: data"), ("not_applicable: zero", "not_applicable: rescale")],
        [("actual: 80, weight: 40", "actual: 80, weight: 50")] + NA_D,
    )
    assert r.total == Decimal("74.79")  # (40 + 13.33 + 6.5) × 100 / 80 = 74.7875
    out = text.render(r)
    assert "预算执行率（不计入总分）" in out
    assert "不适用指标不计分：适用指标满分 80，得分 59.83，折算为 74.79" in out
    data = json_out.as_dict(r)
    assert data["rescaled"] == {"points": Decimal("59.83"), "applicable_weight": Decimal(80)}
    assert data["indicators"][0]["in_total"] is False
