"""Every scoring method (计分方法), table-driven, with hand-checked values.

Each row is one case: weight w, target A, actual B (percentages as fractions:
93.59% is 0.9359), operator, parameters, and the score and branch expected
(worked out by hand in the comment). The edges every method is tried at:
actual = target, target 0, actual 0, negative actual. Rows marked "docstring"
are the worked examples of the method's own documentation.
"""
from __future__ import annotations

import decimal
from decimal import Decimal

import pytest

from engine.base.diagnostics import SourceSpan
from engine.ruleset.formula import compile_formula
from engine.base.numeric import CONTEXT
from engine.ruleset.scoring import METHODS
from engine.ruleset.scoring.base import ScoreInput, ScoringProblem

D = Decimal


def run(method: str, w, target, actual, op=None, entry=None, env=None, **params):
    """Score one case inside the engine's Decimal context."""
    module = METHODS[method]
    p = module.Parameters.model_validate(params)
    inp = ScoreInput(
        D(w), None if target is None else D(target), None if actual is None else D(actual), op, entry or {}, env or {}
    )
    with decimal.localcontext(CONTEXT):
        if method == "formula":
            names = {"weight": "number", "target": "number", "actual": "number", **{k: "number" for k in env or {}}}
            compiled, problems = compile_formula(p.expr, names, lambda i: SourceSpan("t", 1, i + 1))
            assert not problems
            return module.score(inp, p, False, compiled)
        return module.score(inp, p)


PROPORTIONAL = [
    # w, A, B, op, params, score, branch
    (10, "1", "0.9359", "≥", {}, "9.359", "partial"),  # docstring, seed 预算执行率: 10 × 0.9359 / 1
    (10, "1", "1", "≥", {}, "10", "met"),  # actual = target
    (10, "1", "1.2", "≥", {}, "10", "met"),  # above target: capped at w
    (2, "140", "70", "≥", {}, "1", "partial"),  # 2 × 70 / 140
    (2, "140", "0", "≥", {}, "0", "zero"),  # actual 0 (seed 参与干部培训人数)
    (10, "0", "0", "≥", {}, "10", "met"),  # target 0: any actual ≥ 0 meets it
    (10, "0", "5", "≥", {}, "10", "met"),
    (10, "100", "-5", "≥", {}, "0", "zero"),  # negative actual: never below 0
    (10, "3", "1", "≥", {}, "3.333333333333333333333333333333333", "partial"),  # 10/3 at 34 digits
]

REVERSE = [
    (10, "0.05", "0.08", "≤", {}, "6.25", "partial"),  # docstring: 10 × 0.05 / 0.08
    (10, "0.05", "0.05", "≤", {}, "10", "met"),  # actual = target
    (10, "0.05", "0.04", "≤", {}, "10", "met"),
    (10, "0.05", "0.10", "≤", {}, "5", "partial"),  # 10 × 0.05 / 0.10
    (10, "0", "0", "≤", {}, "10", "met"),  # target 0, actual 0: met
    (10, "0", "0.01", "≤", {}, "0", "zero"),  # target 0, anything above: 0
    (10, "0.05", "0", "≤", {}, "10", "met"),  # actual 0
    (10, "0.05", "-0.02", "≤", {}, "10", "met"),  # negative actual is below target
]

REVERSE_LINEAR = [
    (10, "100", "125", "≤", {}, "7.5", "partial"),  # docstring: 10 × (1 − 25/100)
    (10, "100", "200", "≤", {}, "0", "zero"),  # docstring: B ≥ 2A → 0
    (10, "100", "100", "≤", {}, "10", "met"),  # actual = target
    (10, "100", "150", "≤", {}, "5", "partial"),  # 10 × (1 − 50/100)
    (10, "100", "199", "≤", {}, "0.1", "partial"),  # 10 × (1 − 99/100)
    (10, "100", "250", "≤", {}, "0", "zero"),
    (10, "0", "0", "≤", {}, "10", "met"),  # target 0, actual 0
    (10, "0", "1", "≤", {}, "0", "zero"),  # target 0, anything above: 0
    (10, "100", "0", "≤", {}, "10", "met"),  # actual 0
    (10, "100", "-5", "≤", {}, "10", "met"),  # negative actual
]

THRESHOLD = [
    (10, "0.05", "0.3121", "≤", {}, "0", "missed"),  # docstring, seed 预算调整率 31.21% vs ≤ 5%
    (10, "0.05", "0.04", "≤", {}, "10", "met"),  # docstring: 4% → 10
    (10, "0.05", "0.05", "≤", {}, "10", "met"),  # actual = target
    (10, "1", "1", "≥", {}, "10", "met"),
    (10, "1", "0.99", "≥", {}, "0", "missed"),
    (10, "1", "1", "=", {}, "10", "met"),
    (10, "1", "1.01", "=", {"tolerance": "1%"}, "10", "met"),  # |1.01 − 1| ≤ 0.01
    (10, "1", "1.02", "=", {"tolerance": "1%"}, "0", "missed"),
    (10, "0", "0", "≤", {}, "10", "met"),  # target 0
    (10, "0", "1", "≤", {}, "0", "missed"),
    (10, "0", "0", "≥", {}, "10", "met"),  # actual 0 meets a target of 0
    (10, "0", "-1", "≥", {}, "0", "missed"),  # negative actual
    (10, "1", "0.5", None, {}, "0", "missed"),  # no operator: ≥
    (10, "1", "1", "≥", {"full": 8, "otherwise": 2}, "8", "met"),
    (10, "1", "0", "≥", {"full": 8, "otherwise": 2}, "2", "missed"),
]

YUEYANG = {"bands": [{"max": 0, "score": 3}, {"max": "10%", "score": 2}, {"max": "20%", "score": 1}, {"max": "30%", "score": 0.5}]}
TOLERANCE = {"on": "deviation", "abs": True, "bands": [{"max": "10%", "score": 5}, {"max": "15%", "score": 3}, {"max": "20%", "score": 1}]}
COMPLETION = {"on": "completion", "bands": [{"min": "100%", "ratio": 1}, {"min": "80%", "ratio": "0.8"}, {"min": 0, "ratio": 0}]}

BANDS = [
    (3, None, "0.12", None, YUEYANG, "1", "band3"),  # docstring: 12% > 10%, ≤ 20% → 1
    (3, None, "0", None, YUEYANG, "3", "band1"),  # actual 0
    (3, None, "0.10", None, YUEYANG, "2", "band2"),  # a bound belongs to its band
    (3, None, "0.30", None, YUEYANG, "0.5", "band4"),
    (3, None, "0.31", None, YUEYANG, "0", "otherwise"),
    (3, None, "-0.01", None, YUEYANG, "3", "band1"),  # negative: ≤ 0
    (5, "100", "100", None, TOLERANCE, "5", "band1"),  # actual = target: deviation 0
    (5, "100", "88", None, TOLERANCE, "3", "band2"),  # |−12%|
    (5, "100", "120", None, TOLERANCE, "1", "band3"),  # |+20%|
    (5, "100", "79", None, TOLERANCE, "0", "otherwise"),  # |−21%|
    (10, "50", "45", None, COMPLETION, "8.0", "band2"),  # 45/50 = 90% → 0.8 × 10
    (10, "50", "50", None, COMPLETION, "10", "band1"),
    (10, "50", "0", None, COMPLETION, "0", "band3"),
    (3, None, "0.5", None, {**YUEYANG, "otherwise": 1}, "1", "otherwise"),
]

DEDUCT = [
    (5, "1", "1.03", "≤", {"step": "1%"}, "2", "deducted"),  # docstring 三公: 3 points over → 5 − 3
    (8, "0.9", "0.80", "≥", {"step": "5%"}, "6", "deducted"),  # docstring 满意度: 2 steps under → 8 − 2
    (5, "0", "2", "≤", {"step": 1, "points": 1}, "3", "deducted"),  # docstring 合规性: target 0, 2 incidents
    (5, "1", "1", "≤", {"step": "1%"}, "5", "met"),  # actual = target
    (5, "1", "0.95", "≤", {"step": "1%"}, "5", "met"),
    (5, "1", "1.10", "≤", {"step": "1%"}, "0", "floor"),  # 5 − 10 → floor 0
    (5, "1", "1.10", "≤", {"step": "1%", "floor": 1}, "1", "floor"),
    (5, "1", "1.035", "≤", {"step": "1%"}, "2", "deducted"),  # 3.5 steps, whole steps only
    (5, "1", "1.035", "≤", {"step": "1%", "partial": "ceil"}, "1", "deducted"),  # 4 steps
    (5, "1", "1.035", "≤", {"step": "1%", "partial": "exact"}, "1.5", "deducted"),  # 5 − 3.5
    (8, "0.9", "0.87", "≥", {"step": "5%"}, "8", "deducted"),  # 3 points below: no whole step
    (5, "0", "0", "≤", {}, "5", "met"),  # target 0, actual 0
    (5, "0", "7", "≤", {}, "0", "floor"),
    (5, "0", "-2", "≥", {}, "3", "deducted"),  # negative actual, 2 below target 0
    (5, "1", "0.98", "≤", {"step": "1%", "direction": "under", "points": 2}, "1", "deducted"),  # 2 steps under: 5 − 2 × 2
    (5, "1", "0.97", "≤", {"step": "1%", "direction": "under", "points": 2}, "0", "floor"),  # 5 − 3 × 2 → floor 0
]

MANUAL = [
    # entry instead of target/actual
    (24, {"score": D(24)}, {}, "24", "full"),  # docstring, seed 社会效益
    (24, {"score": D("20.5")}, {}, "20.5", "partial"),
    (24, {"score": D(0)}, {}, "0", "partial"),
    (24, {"score": D(15)}, {"min": 12, "max": 20}, "15", "partial"),
]
MANUAL_REFUSED = [
    (24, {"score": D(25)}, {}, "score.manual_out_of_range"),  # docstring: above the weight
    (24, {"score": D(-1)}, {}, "score.manual_out_of_range"),  # negative
    (24, {"score": D(10)}, {"min": 12, "max": 20}, "score.manual_out_of_range"),
    (24, {}, {}, "score.no_manual_score"),
    (24, {"score": "很好"}, {}, "score.manual_not_number"),
]

HUBEI = {"levels": [{"level": "达成", "min": "80%"}, {"level": "部分达成", "min": "50%"}, {"level": "未达成", "min": 0}]}
QUALITATIVE = [
    (10, {"level": "部分达成", "score": D("6.5")}, HUBEI, "6.5", "部分达成"),  # docstring: inside [5, 8)
    (10, {"level": "达成", "score": D(9)}, {}, "9", "达成"),
    (10, {"level": "达成", "score": D(10)}, {}, "10", "达成"),  # the top band includes the weight
    (10, {"level": "达成", "score": D(8)}, {}, "8", "达成"),  # 80% of 10 is the lower edge
    (10, {"level": "部分达成", "score": D(6)}, {}, "6", "部分达成"),
    (10, {"level": "未达成", "score": D("5.9")}, {}, "5.9", "未达成"),
    (10, {"level": "未达成", "score": D(0)}, {}, "0", "未达成"),  # score 0
    (10, {"score": D(8)}, {}, "8", "达成"),  # no level: read off the score
    (10, {"score": D(7)}, {}, "7", "部分达成"),
    (10, {"score": D(0)}, {}, "0", "未达成"),
    (9, {"level": "达成", "score": D(9)}, {}, "9", "达成"),  # seed 时效指标
]
QUALITATIVE_REFUSED = [
    (10, {"level": "达成", "score": D("7.9")}, {}, "score.outside_level"),
    (10, {"level": "部分达成", "score": D(8)}, {}, "score.outside_level"),  # upper edge is open
    (10, {"level": "未达成", "score": D(6)}, {}, "score.outside_level"),
    (10, {"level": "优秀", "score": D(9)}, {}, "score.unknown_level"),
    (10, {"score": D(11)}, {}, "score.manual_out_of_range"),
    (10, {"score": D(-1)}, {}, "score.manual_out_of_range"),
]

CUSTOM = "min(weight, weight * actual / target) * 0.9"
FORMULA = [
    (10, "100", "50", None, {"expr": CUSTOM}, "4.50", "computed"),  # docstring: min(10, 5) × 0.9
    (10, "100", "200", None, {"expr": CUSTOM}, "9.0", "computed"),  # min(10, 20) × 0.9
    (10, "100", "100", None, {"expr": CUSTOM}, "9.0", "computed"),  # actual = target
    (10, "100", "0", None, {"expr": CUSTOM}, "0.0", "computed"),  # actual 0
    (10, "0", "5", None, {"expr": "weight if actual >= target else 0"}, "10", "computed"),  # target 0
    (10, "100", "-5", None, {"expr": "max(0, weight * actual / target)"}, "0", "computed"),  # negative
]

COEFFICIENT = [
    (20, {"coefficient": D("0.85")}, "17.00", "partial"),  # docstring: 20 × 0.85
    (20, {"coefficient": D(1)}, "20", "full"),
    (20, {"coefficient": D(0)}, "0", "partial"),
]
COEFFICIENT_REFUSED = [
    (20, {"coefficient": D("1.1")}, "score.bad_coefficient"),
    (20, {"coefficient": D("-0.1")}, "score.bad_coefficient"),
    (20, {}, "score.no_coefficient"),
]


# Methods scored on target and actual: rows (w, A, B, operator, params, score, branch).
BY_TARGET = {
    "proportional": PROPORTIONAL, "reverse": REVERSE, "reverse_linear": REVERSE_LINEAR,
    "threshold": THRESHOLD, "bands": BANDS, "deduct": DEDUCT, "formula": FORMULA,
}
# Methods scored on the evaluator's entry: rows (w, entry, params, score, branch) …
BY_ENTRY = {"manual": MANUAL, "qualitative": QUALITATIVE, "coefficient": [(w, e, {}, s, b) for w, e, s, b in COEFFICIENT]}
# … and the entries they refuse: rows (w, entry, params, code).
REFUSED = {"manual": MANUAL_REFUSED, "qualitative": QUALITATIVE_REFUSED, "coefficient": [(w, e, {}, c) for w, e, c in COEFFICIENT_REFUSED]}


def _rows(tables):
    return [pytest.param(method, *row, id=f"{method}-{i}") for method, rows in tables.items() for i, row in enumerate(rows)]


@pytest.mark.parametrize("method, w, target, actual, op, params, expected, branch", _rows(BY_TARGET))
def test_scored_on_target_and_actual(method, w, target, actual, op, params, expected, branch):
    outcome = run(method, w, target, actual, op, **params)
    assert (outcome.score, outcome.branch) == (D(expected), branch)


@pytest.mark.parametrize("method, w, entry, params, expected, branch", _rows(BY_ENTRY))
def test_scored_on_the_evaluators_entry(method, w, entry, params, expected, branch):
    outcome = run(method, w, None, None, "定性", entry, **params)
    assert (outcome.score, outcome.branch) == (D(expected), branch)


@pytest.mark.parametrize("method, w, entry, params, code", _rows(REFUSED))
def test_an_entry_outside_its_bounds_is_refused(method, w, entry, params, code):
    with pytest.raises(ScoringProblem) as e:
        run(method, w, None, None, "定性", entry, **params)
    assert e.value.code == code


def test_qualitative_names_the_band_it_refused():
    with pytest.raises(ScoringProblem) as e:
        run("qualitative", 10, None, None, "定性", {"level": "部分达成", "score": D(8)})
    assert e.value.details == {"score": D(8), "level": "部分达成", "low": D(6), "high": D(8), "bracket": ")"}


@pytest.mark.parametrize("method", ["proportional", "reverse", "reverse_linear", "threshold", "deduct"])
def test_methods_needing_numbers_say_what_is_missing(method):
    with pytest.raises(ScoringProblem) as e:
        run(method, 10, "1", None, "≥")
    assert (e.value.code, e.value.field) == ("score.no_actual", "actual")
    with pytest.raises(ScoringProblem) as e:
        run(method, 10, None, "1", "≥")
    assert e.value.code == "score.no_target"


def test_bands_on_a_ratio_refuse_a_target_of_zero():
    with pytest.raises(ScoringProblem) as e:
        run("bands", 10, "0", "5", None, **COMPLETION)
    assert e.value.code == "score.target_zero_ratio"


def test_formula_refuses_a_score_outside_0_to_weight():
    with pytest.raises(ScoringProblem) as e:
        run("formula", 10, "1", "1", None, expr="weight + 1")
    assert (e.value.code, e.value.details) == ("score.formula_out_of_range", {"score": D(11), "max": D(10)})
    with pytest.raises(ScoringProblem):
        run("formula", 10, "1", "1", None, expr="0 - 1")


def test_formula_reads_declared_names_from_the_data():
    outcome = run("formula", 10, "1", "1", None, env={"得分系数": D("0.5")}, expr="weight * 得分系数")
    assert outcome.score == D("5.0")


def test_formula_division_by_a_zero_target_is_an_error_not_a_score():
    with pytest.raises(decimal.DivisionByZero):
        run("formula", 10, "0", "5", None, expr=CUSTOM)


def test_full_at_is_the_target_for_ratio_methods():
    assert run("proportional", 10, "140", "70", "≥").full_at == D(140)
    assert run("manual", 10, None, None, "定性", {"score": D(5)}).full_at is None


def test_every_registered_method_has_a_table_here():
    assert set(METHODS) == set(BY_TARGET) | set(BY_ENTRY)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_every_method_documents_itself_with_a_yaml_example(name):
    doc = METHODS[name].__doc__
    assert "scoring:" in doc and "→" in doc, name
