"""Real published forms (tests/forms/*, see their NOTE.md): every figure the
form printed wrongly is flagged, every figure it printed rightly is reproduced."""
from __future__ import annotations

from decimal import Decimal as D

from engine.api import evaluate_file

FORMS = "tests/forms"


def _review(result) -> dict:
    """(code, indicator name or '') → (stated, computed, difference) of each review finding."""
    return {(f.code, f.args.get("name", "")): (f.stated, f.computed, f.difference) for f in result.findings if f.kind == "review"}


def _printed_right(result) -> list:
    """Every printed figure that no review finding names: (name, field, value)."""
    flagged = {(f.span.line, f.span.col) for f in result.findings if f.kind == "review"}
    return [(s.name, s.field, s.value) for s in result.unit.stated if (s.span.line, s.span.col) not in flagged]


def test_hebei_langfang_2019():
    result = evaluate_file(f"{FORMS}/hebei-langfang-2019/form.yaml")
    assert _review(result) == {
        ("review.score", "预算执行率"): (D("9"), D("8.62"), D("0.38")),
        ("review.score", "工程资金金额"): (D("9"), D("8.62"), D("0.38")),
    }
    right = _printed_right(result)
    assert ("预算执行率", "rate", D("0.86")) in right and ("预算执行率", "weight", D("10")) in right  # 86% is right at the precision printed
    assert len([r for r in right if r[1] == "score"]) == 8  # the other eight rows' printed scores are reproduced
    assert result.total == D("97.24")
    assert {f.code for f in result.findings if f.kind == "lint"} == {"lint.money_as_quantity", "lint.qualitative_proportional"}


def test_yunnan_yongde_2022():
    result = evaluate_file(f"{FORMS}/yunnan-yongde-2022/form.yaml")
    assert _review(result) == {
        ("review.score", "资金到位及时率"): (D("7"), D("10"), D("-3")),
        ("review.score", "政策知晓率"): (D("9"), D("9.8"), D("-0.8")),
        ("review.total", ""): (D("96"), D("99.8"), D("-3.8")),
    }
    right = _printed_right(result)
    assert (None, "grade", "优") in right
    assert {(n, f) for n, f, _ in right} >= {("预算执行率", "rate"), ("预算执行率", "score"), ("预算执行率", "weight")}
    assert len([r for r in right if r[1] == "score"]) == 1 + 6  # 执行率 and six rows (the qualitative row's score is the evaluator's own)
    assert (result.total, result.grade) == (D("99.8"), "优")


def test_sichuan_zhongjiang_2022():
    result = evaluate_file(f"{FORMS}/sichuan-zhongjiang-2022/form.yaml")
    assert _review(result) == {
        ("review.weight", "产出指标"): (D("70"), D("50"), D("20")),
        ("review.weight", "效益指标"): (D("20"), D("30"), D("-10")),
        ("review.total", ""): (D("100"), D("110"), D("-10")),
    }
    notices = sorted((f.code, f.args["name"], f.args["weight"], f.args["sum"]) for f in result.findings if f.kind == "ruleset")
    assert notices == [("policy.frame_weights", "产出指标", D("50"), D("70")), ("policy.frame_weights", "效益指标", D("30"), D("20"))]
    assert len([f for f in result.findings if f.code == "input.unmeasured_met"]) == 6
    right = _printed_right(result)
    assert ("满意度指标", "weight", D("10")) in right
    assert len([r for r in right if r[1] == "score"]) == 1 + 8  # 执行率 and eight rows (the qualitative row's score is the evaluator's own)
    assert result.total == D("110")
