"""Validation of rulesets: every class of mistake is reported at its line and
column, all at once, in plain words.

Each file in tests/fixtures/rulesets/invalid/ is a small ruleset with one
class of mistake (several.yaml has ten kinds at once); its `# expect: L:C code`
lines state, worked out by hand, every problem `validate` must report.
"""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from engine.base.messages import format_message
from engine.load.yaml_loader import load_text
from tests.core_support import FIXTURES, compile_text, diagnostics, evaluate_text, problems

INVALID = FIXTURES / "rulesets" / "invalid"
MINIMAL = (FIXTURES / "rulesets" / "minimal.yaml").read_text(encoding="utf-8")
_EXPECT = re.compile(r"^# expect: (\d+):(\d+) (\S+)$", re.M)


def expected(text: str) -> list[tuple[int, int, str]]:
    return sorted((int(line), int(col), code) for line, col, code in _EXPECT.findall(text))


def fixture(name: str) -> str:
    return (INVALID / f"{name}.yaml").read_text(encoding="utf-8")


def by_code(text: str, code: str):
    found = [d for d in diagnostics(text) if d.code == code]
    assert found, code
    return found[0]


def test_the_minimal_ruleset_is_valid():
    plan = compile_text(MINIMAL)
    assert [leaf.name for leaf in plan.leaves] == ["预算执行率", "数量指标", "质量指标"]


@pytest.mark.parametrize("path", sorted(INVALID.glob("*.yaml")), ids=lambda p: p.stem)
def test_each_class_of_mistake_is_reported_where_it_is(path: Path):
    text = path.read_text(encoding="utf-8")
    assert expected(text), "the fixture states what it expects"
    assert problems(text, path.name) == expected(text)


def test_several_mistakes_are_all_reported_in_one_run():
    found = problems(fixture("several"))
    assert len(found) == 10
    assert len({code for _, _, code in found}) == 10


# --- what the messages say ------------------------------------------------------


# What each fixture's messages say, in full.
MESSAGES = [
    ("wrong_type", "zh", ["「year」应为整数，实际是「二〇二四」", "「weight」应为数字，实际是「二十」", "「children」应为列表（每项以 - 开头），实际是「数量指标」"]),
    ("missing_key", "en", ["missing required key 'title'", "missing required key 'weight'"]),
    ("weights_children", "zh", ["「产出指标」的 2 项下级指标分值合计为 70，应为 80"]),
    ("tree_total", "en", ["the top-level weights sum to 90; they should sum to 100"]),
    ("grade_gap", "zh", ["等级「良」与上一档之间有空档：85 至 90 分不属于任何等级", "等级「差」与上一档之间有空档：0 至 10 分不属于任何等级"]),
    ("grade_overlap", "zh", ["等级「良」的上限 95 与上一档「优」重叠（上一档从 90 开始）"]),
    ("metric_cycle", "zh", ["派生指标相互引用，形成循环（→ 表示“用到”）：甲 → 乙 → 丙 → 甲"]),
    ("method_params", "zh", [
        "「step」（每档扣分的步长）应大于 0",
        "未知的设置项「pionts」，是否应为「points」？（可用：step, points, direction, partial, floor）",
        "「满意度」的计分参数 full 为 60 分，应在 0 至分值 50 之间",
    ]),
]


@pytest.mark.parametrize("name, lang, expected", MESSAGES, ids=[m[0] for m in MESSAGES])
def test_messages_say_what_is_wrong(name, lang, expected):
    assert [d.message(lang) for d in diagnostics(fixture(name))] == expected


def test_duplicate_key_names_the_line_it_first_appeared_on():
    d = [d for d in diagnostics(fixture("duplicate_key")) if d.code == "load.duplicate_key"]
    assert [(x.args["key"], x.args["first"]) for x in d] == [("weight", 10), ("grades", 13)]
    assert d[0].message() == "重复的键「weight」（第 10 行已出现）"


def test_unknown_key_suggests_the_key_meant():
    d = diagnostics(fixture("unknown_key"))
    assert [(x.args["key"], x.args["suggestion"]) for x in d] == [("descripton", "description"), ("units", "unit")]
    assert d[1].message("en").startswith("unknown key 'units'; did you mean 'unit'? (known: id, name, weight,")


def test_unknown_name_names_it_and_suggests():
    d = diagnostics(fixture("unknown_name"))
    assert [(x.args["name"], x.args["suggestion"]) for x in d] == [("全年预算", "全年预算数"), ("执行律", "执行率")]


def test_fullwidth_punctuation_gives_the_half_width_form():
    d = diagnostics(fixture("fullwidth"))
    assert [(x.args["char"], x.args["ascii"]) for x in d] == [("／", "/"), ("（", "("), ("－", "-"), ("）", ")")]
    assert d[0].message() == "公式中有全角符号「／」，请改为半角「/」"


def test_grade_band_above_the_full_score_is_named_as_such():
    text = MINIMAL.replace("  - {label: 优, min: 90}", "  - {label: 优, min: 90, max: 110}")
    assert problems(text) == [(24, 30, "ruleset.grade_above_total")]
    assert diagnostics(text)[0].message() == "等级「优」的上限 110 超过满分 100"


def test_cycle_is_named_in_the_order_the_metrics_use_each_other():
    assert by_code(fixture("metric_cycle"), "ruleset.metric_cycle").args["cycle"] == "甲 → 乙 → 丙 → 甲"


def test_a_metric_that_uses_itself_is_a_cycle():
    text = MINIMAL.replace("  预算执行率: 全年执行数 / 全年预算数", "  预算执行率: 预算执行率 * 全年执行数")
    d = by_code(text, "ruleset.metric_cycle")
    assert (d.span.line, d.span.col, d.args["cycle"]) == (10, 3, "预算执行率 → 预算执行率")


def test_unknown_method_suggests_the_method_meant():
    d = diagnostics(fixture("unknown_method"))
    assert [x.args["suggestion"] for x in d] == ["proportional", "threshold"]


def test_bad_choice_lists_the_choices():
    text = MINIMAL.replace("  全年执行数: {type: money}", "  全年执行数: {type: monie}")
    assert problems(text) == [(8, 17, "schema.bad_choice")]
    assert diagnostics(text)[0].message("en") == "'type' cannot be 'monie': expected money / number / percent / count / text"


# --- more classes, each at its place ----------------------------------------------


@pytest.mark.parametrize(
    "old, new, expected",
    [
        # a declared name that formulas could not use
        ("  全年执行数: {type: money}", "  全年(执行)数: {type: money}", [(8, 3, "ruleset.bad_name"), (10, 10, "formula.unknown_name")]),
        # an operator outside ≥ ≤ = 定性
        ("    operator: ≥\n    actual", "    operator: 大于\n    actual", [(15, 15, "schema.bad_choice")]),
        # a leaf with neither scoring nor operator
        ("{name: 数量指标, weight: 50, target: 10, operator: ≥, unit: 场}", "{name: 数量指标, weight: 50, target: 10, unit: 场}", [(21, 16, "ruleset.no_method")]),
        # a ratio method with a qualitative target
        ("target: 100%\n", "target: 全部完成\n", [(14, 13, "ruleset.target_not_number")]),
        # two indicators with one name and no ids
        ("{name: 质量指标, weight: 30", "{name: 数量指标, weight: 30", [(22, 16, "ruleset.duplicate_id")]),
        # a branch given its own scoring
        ("    weight: 80\n", "    weight: 80\n    scoring: manual\n", [(18, 11, "ruleset.branch_scored")]),
        # rounding places out of range
        ("grades:", "rounding: {places: 9}\ngrades:", [(23, 20, "schema.out_of_range")]),
        # a metric without a formula
        ("  预算执行率: 全年执行数 / 全年预算数", "  预算执行率: {label: 执行率}", [(10, 10, "schema.missing_key")]),
    ],
)
def test_more_classes_of_mistakes(old, new, expected):
    assert old in MINIMAL
    assert problems(MINIMAL.replace(old, new, 1)) == expected


# --- a refused value is set aside, not allowed to cause follow-on errors -----------


def test_a_missing_weight_is_reported_once_not_again_as_a_wrong_sum():
    text = MINIMAL.replace("{name: 数量指标, weight: 50, ", "{name: 数量指标, ")
    assert problems(text) == [(21, 9, "schema.missing_key")]


def test_a_refused_operator_does_not_also_report_a_missing_method():
    text = MINIMAL.replace("{name: 数量指标, weight: 50, target: 10, operator: ≥,", "{name: 数量指标, weight: 50, target: 10, operator: 大于,")
    assert problems(text) == [(21, 56, "schema.bad_choice")]


def test_a_schema_error_does_not_hide_a_formula_error_elsewhere():
    text = MINIMAL.replace("year: 2024", "year: 今年").replace("全年执行数 / 全年预算数", "全年执行数 / 全年预算")
    assert problems(text) == [(4, 7, "schema.bad_type"), (10, 18, "formula.unknown_name")]


def test_a_section_of_the_wrong_shape_does_not_report_every_name_as_unknown():
    text = MINIMAL.replace("inputs:\n  全年预算数: {type: money}\n  全年执行数: {type: money}\n", "inputs: [全年预算数, 全年执行数]\n")
    assert problems(text) == [(6, 9, "schema.bad_type")]


@pytest.mark.parametrize(
    "scoring, expected",
    [
        # the line is `      - {name: 数量指标, …, unit: 场, scoring: {method: …}}`: the method's name at column 86
        ("{method: threshold, otherwise: -1}", [(21, 108, "ruleset.points_out_of_range")]),
        ("{method: bands, bands: [{max: 10, score: 60}], otherwise: 0}", [(21, 118, "ruleset.points_out_of_range")]),
        ("{method: deduct, floor: -5}", [(21, 101, "ruleset.points_out_of_range")]),
        ("{method: manual, max: 51}", [(21, 99, "ruleset.points_out_of_range")]),
        ("{method: bands, bands: [{max: 10, ratio: 1.5}]}", [(21, 118, "schema.out_of_range")]),
        ("{method: bands, bands: []}", [(21, 100, "params.no_bands")]),
        ("{method: qualitative, levels: [{level: 达成, min: 60%}, {level: 未达成, min: 80%}]}", [(21, 107, "params.levels_order")]),
        ("{method: manual, min: 30, max: 20}", [(21, 108, "params.min_above_max")]),
    ],
)
def test_points_given_by_a_method_lie_within_the_weight(scoring, expected):
    # regression: these gave scores above the weight or below 0 at evaluation
    old = "{name: 数量指标, weight: 50, target: 10, operator: ≥, unit: 场}"
    assert problems(MINIMAL.replace(old, old[:-1] + f", scoring: {scoring}}}")) == expected


# --- loading ----------------------------------------------------------------------------


def test_folded_text_is_read_without_ruamels_fold_marks():
    # regression: values of `>` blocks carried a BEL character at each fold
    data, _ = load_text("a: >\n  第一行\n  第二行\n", "t.yaml")
    assert data == {"a": "第一行 第二行\n"}


def test_every_message_here_reads_in_both_languages():
    for path in sorted(INVALID.glob("*.yaml")):
        for d in diagnostics(path.read_text(encoding="utf-8")):
            zh, en = d.message("zh"), d.message("en")
            assert "{" not in zh + en and zh != en and zh != format_message("no.such", {}), (path.name, d.code)


# --- examples from docs/rulesets.md ---------------------------------------------------------


def test_a_long_formula_may_span_lines_in_a_block():
    text = MINIMAL.replace(
        "  预算执行率: 全年执行数 / 全年预算数\n",
        "  预算执行率: |\n    (全年预算数 - 全年执行数)\n      / 全年预算数\n",
    )
    data = "subject: 测试单位\ninputs: {全年预算数: 100, 全年执行数: 80}\nindicators:\n  数量指标: {actual: 10}\n  质量指标: {score: 30}\n"
    assert evaluate_text(text, data).env["预算执行率"] == Decimal("0.2")


def test_scoring_defaults_change_the_method_of_every_unscored_leaf():
    text = MINIMAL.replace("indicators:\n", "scoring_defaults:\n  ≥: threshold\nindicators:\n", 1)
    plan = compile_text(text)
    assert [(leaf.name, leaf.method.NAME) for leaf in plan.leaves] == [
        ("预算执行率", "proportional"),  # names its own method
        ("数量指标", "threshold"),
        ("质量指标", "qualitative"),
    ]


def test_an_indicator_without_a_name_is_not_spoken_of_by_a_placeholder():
    text = MINIMAL.replace("{name: 数量指标, weight: 50, target: 10, operator: ≥, unit: 场}", "{weight: 50, target: 10, unit: 场}")
    assert problems(text) == [(21, 9, "schema.missing_key")]  # not also "「⁇…」 has no scoring"
