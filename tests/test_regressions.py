"""One test per defect the property and fuzz tests found (or the hardening
they prompted), each stated as the behaviour a user sees."""
from __future__ import annotations

import decimal
from decimal import Decimal

import pytest

from engine.ruleset.compile import compile_ruleset

from engine.base.digest import digest_of

from engine.ruleset.loading import load_plan
from engine.base.diagnostics import DiagnosticError, SourceSpan
from engine.evaluation.evaluate import evaluate
from engine.ruleset.formula import compile_formula
from engine.unit.inputs import read_unit
from engine.base.numeric import CONTEXT, in_range, parse_number, round_half_up
from engine.load.yaml_loader import load_text
from tests.conftest import run_cli

HEAD = "id: t\ntitle: 测试\nyear: 2024\nkind: 部门整体支出\ngrades: [{label: 合格, min: 60}, {label: 不合格, min: 0}]\n"


def codes(ruleset: str, data: str | None = None) -> list[str]:
    """`line:col code` of every problem, or [] when the ruleset (and data) pass."""
    try:
        raw, smap = load_text(ruleset, "r.yaml")
        plan = compile_ruleset(raw, smap, "r.yaml", digest_of(ruleset))
        if data is not None:
            d, dmap = load_text(data, "d.yaml")
            evaluate(plan, read_unit(plan, d, dmap, "d.yaml"))
    except DiagnosticError as e:
        return [f"{x.span.file}:{x.span.line}:{x.span.col} {x.code}" for x in e.diagnostics]
    return []


@pytest.mark.parametrize("text, value", [("0x10", Decimal(16)), ("0o17", Decimal(15)), ("0b101", Decimal(5)), ("1_000.5", Decimal("1000.5"))])
def test_integer_literals_in_any_base_compile(text, value):
    """`Decimal("0x10")` raised InvalidOperation inside compile: `validate` exited 70."""
    formula, problems = compile_formula(text, {}, lambda o: SourceSpan("f", 1, 1 + o))
    assert problems == [] and formula.evaluate({}) == value


@pytest.mark.parametrize("text", ["1e999999999", "9" * 40, "0x" + "f" * 40, "0." + "0" * 40 + "1"])
def test_out_of_range_literals_are_refused_at_compile_time(text):
    """`1e999999999` compiled, and printing it built a billion-digit string."""
    formula, problems = compile_formula(text, {}, lambda o: SourceSpan("f", 1, 1 + o))
    assert formula is None and [p.code for p in problems] == ["formula.number_range"]


def test_truth_values_count_as_one_and_zero_and_never_become_floats():
    def run(text):
        formula, problems = compile_formula(text, {"甲": "number"}, lambda o: SourceSpan("f", 1, 1 + o))
        assert not problems
        with decimal.localcontext(CONTEXT):
            return formula.evaluate({"甲": Decimal(3)}), formula.evaluate_reference({"甲": Decimal(3)})

    assert run("round_half_up(甲 > 1)") == (Decimal(1), Decimal(1))  # was AttributeError: bool has no is_finite
    assert run("(甲 > 1) + (甲 > 2)") == (Decimal(2), Decimal(2))  # was the int 2
    with pytest.raises(TypeError):
        run("(甲 > 1) / (甲 > 2)")  # was the float 1.0


def test_an_overflowing_formula_is_a_located_message_wherever_it_is(tmp_path):
    """As a scoring expression or in a check, Decimal's Overflow escaped: exit 70."""
    power = "((((((甲 ** 8) ** 8) ** 8) ** 8) ** 8) ** 8) ** 8"  # 10 ** 8⁷: beyond the context's Emax
    ruleset = tmp_path / "r.yaml"
    ruleset.write_text(HEAD + (
        "inputs: {甲: {type: number}}\n"
        f"indicators:\n  - {{id: A, name: 公式计分, weight: 100, target: 1, operator: ≥, scoring: {{method: formula, expr: \"{power}\"}}}}\n"
        f"checks:\n  - {{id: 核对, kind: equal, stated: 甲, computed: \"{power}\"}}\n"
    ), encoding="utf-8")
    data = tmp_path / "d.yaml"
    data.write_text("subject: 某单位\ninputs: {甲: 10}\nindicators: {A: {actual: 1}}\n", encoding="utf-8")
    code, _, err = run_cli("evaluate", str(data), "--ruleset", str(ruleset), "--lang", "en")
    assert code == 1
    assert err.splitlines() == [f"{ruleset}:8:71: cannot compute '公式计分': {power} overflows", "1 problem(s) found"]


def test_rounding_a_large_value_to_many_places_does_not_fail():
    """1e30 to 4 places needs 35 digits: quantize raised InvalidOperation while printing."""
    assert round_half_up(Decimal("1e30"), 4) == Decimal("1e30")
    assert round_half_up(Decimal("123.456785"), 5) == Decimal("123.45679")


def test_numbers_from_outside_are_bounded():
    assert in_range(Decimal("1e30")) and not in_range(Decimal("1e31"))
    assert parse_number("1e99999") is None and parse_number("３,９２１.３３") == Decimal("3921.33")


POINTS = [  # (scoring, the offending value as written)
    ("{method: threshold, full: 12}", "12"),
    ("{method: threshold, otherwise: -1}", "-1"),
    ("{method: bands, bands: [{max: 1, score: 11}], otherwise: 0}", "11"),
    ("{method: bands, bands: [{max: 1, score: 1}], otherwise: 10.5}", "10.5"),
    ("{method: deduct, floor: 20}", "20"),
    ("{method: manual, max: 30}", "30"),
]


@pytest.mark.parametrize("scoring, value", POINTS, ids=[p[0].split(",")[0][9:] + ":" + p[1] for p in POINTS])
def test_point_parameters_outside_the_weight_are_refused_at_the_parameter(scoring, value):
    """A `full: 12` on a weight of 10 scored 12: a score above its weight."""
    line = f"  - {{id: A, name: 指标, weight: 10, target: 1, operator: ≥, scoring: {scoring}}}"
    ruleset = HEAD + f"indicators:\n{line}\n  - {{id: B, name: 其他, weight: 90, target: 1, operator: ≥}}\n"
    column = line.index(": " + value, line.index("scoring")) + 3
    assert codes(ruleset) == [f"r.yaml:7:{column} ruleset.points_out_of_range"]


def test_weights_finer_than_the_rounding_are_refused():
    """Weight 2.5 with integer scores: full marks 2.5 rounded half-up to 3, above the weight."""
    ruleset = HEAD + (
        "rounding: {places: 0}\n"
        "indicators:\n"
        "  - {id: A, name: 半分指标, weight: 2.5, target: 1, operator: ≥}\n"
        "  - {id: B, name: 其他, weight: 97.5, target: 1, operator: ≥}\n"
    )
    assert codes(ruleset) == ["r.yaml:8:33 ruleset.weight_places", "r.yaml:9:31 ruleset.weight_places"]
    assert codes(ruleset.replace("places: 0", "places: 1")) == []
    assert codes(ruleset.replace("places: 0}", "places: 0, scope: total}")) == []


def test_a_score_outside_its_weight_is_stopped_even_if_a_method_misbehaves(monkeypatch):
    """The last guard in evaluation: a broken scoring method cannot put a score above its weight."""
    from engine.ruleset.scoring import proportional
    from engine.ruleset.scoring.base import Outcome

    monkeypatch.setattr(proportional, "score", lambda inp, params, trace=False: Outcome(inp.weight + 1, "met"))
    ruleset = HEAD + "indicators:\n  - {id: A, name: 指标, weight: 100, target: 1, operator: ≥, scoring: proportional}\n"
    assert codes(ruleset, "subject: 某单位\nindicators: {A: {actual: 1}}\n") == ["r.yaml:7:69 eval.score_out_of_range"]  # at `scoring`


def test_a_large_deviation_ratio_prints(tmp_path):
    """The JSON ratio used a bare quantize (half-even, precision 28): 1e30 failed."""
    ruleset = tmp_path / "r.yaml"
    ruleset.write_text(HEAD + "indicators:\n  - {id: A, name: 指标, weight: 100, target: 0.0000000001, operator: ≥}\n", encoding="utf-8")
    data = tmp_path / "d.yaml"
    data.write_text("subject: 某单位\nindicators: {A: {actual: 1e14, explanation: 超额}}\n", encoding="utf-8")
    code, out, err = run_cli("evaluate", str(data), "--ruleset", str(ruleset), "--format", "json")
    assert code == 0, err
    assert '"ratio": 1000000000000000000000000' in out


def test_a_ruleset_that_cannot_be_opened_is_located_in_the_data_file(tmp_path):
    data = tmp_path / "d.yaml"
    data.write_text("subject: 某单位\nruleset: 没有这个文件.yaml\n", encoding="utf-8")
    code, _, err = run_cli("evaluate", str(data))
    assert code == 1
    assert err.splitlines()[0].startswith(f"{data}:2:10: 找不到文件：")


def test_the_plan_cache_keeps_one_plan_per_file(tmp_path):
    from engine.ruleset import loading as compiled

    path = tmp_path / "r.yaml"
    for weight in (100, 100.0, 100.00):
        path.write_text(HEAD + f"total: {weight}\nindicators:\n  - {{id: A, name: 指标, weight: {weight}, target: 1, operator: ≥}}\n", encoding="utf-8")
        plan = load_plan(str(path))
        assert plan.ruleset.total == Decimal(str(weight))
    assert sum(1 for key in compiled._LOAD_CACHE if key == str(path)) == 1
