"""Input validation: every error class located at (line, col, code), all at once;
numbers accepted as staff type them; explicit empties where the ruleset allows them."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from engine.base.diagnostics import DiagnosticError
from tests.inputs_support import DATA, RULESET, at, edited, plan_of, problems_of, unit_of

# One file with one mistake of every kind; each is reported, where it is, in one run.
BROKEN = """\
subjekt: 测试单位
inputs:
  文中合计: 三百
  文中执行率: 95
  调整额: 12%
  人数: 12.5
  文中和计: 1
tables:
  预算表:
    name: 合计
    年初: -250.00
    调整: 50.00
    全年: 300.00
    rows:
      - {name: 基本支出, 年初: 100.00, 调正: 20.00, 全年: 120.00}
      - {name: 项目支出, category: 项目, 年初: 150.00, 调整: 30.00, 全年: abc}
  支出表: {}
indicators:
  活动场次: {actual: ≥20场}
  投诉率: {actual: 很低}
  时效指标: {level: 达成, score: -1}
  社会效益: {score: 20, explantion: 好}
  效益指标: {score: 20}
  预算执行率: {score: 10}
  满意度: {actual: 95%}
"""


def located(data: str) -> list[tuple[str, str]]:
    return [(f"{line}:{col}", code) for line, col, code in problems_of(data)]


def test_every_error_class_is_located_and_reported_at_once():
    b = BROKEN
    assert located(b) == [
        ("1:1", "input.no_subject"),  # no subject: the start of the file
        (at(b, "subjekt"), "input.unknown_key"),  # did you mean subject
        (at(b, "三百"), "input.not_number"),
        (at(b, "95"), "input.percent_ambiguous"),  # 95 for a percentage: 95% or 0.95?
        (at(b, "12%"), "input.unexpected_percent"),  # money with %
        (at(b, "12.5"), "input.not_integer"),  # 12.5 people
        (at(b, "文中和计"), "input.unknown_input"),  # did you mean 文中合计
        (at(b, "-250.00"), "input.negative"),  # 年初 may not be negative
        (at(b, "调正"), "input.unknown_column"),  # did you mean 调整
        (at(b, "项目,"), "input.unknown_category"),  # did you mean 项目支出
        (at(b, "abc"), "input.not_number"),  # in a table cell
        (at(b, "支出表"), "input.unknown_table"),
        (at(b, "≥20场"), "input.actual_is_target"),  # copied from the target
        (at(b, "很低"), "input.actual_not_number"),  # a quantitative actual in words
        (at(b, "-1"), "input.negative"),  # a negative score
        (at(b, "explantion"), "input.unknown_entry_key"),  # did you mean explanation
        (at(b, "效益指标"), "input.branch_entry"),  # data for a branch indicator
        (at(b, "score: 10}"), "input.field_not_used"),  # a score for a computed indicator
        (at(b, "满意度"), "input.unknown_indicator"),  # not in this ruleset
    ]
    assert at(b, "调正") == "15:34" and at(b, "≥20场") == "19:18"  # characters, not bytes


def test_messages_are_plain_and_say_what_to_do():
    plan = plan_of()
    with pytest.raises(DiagnosticError) as e:
        unit_of(BROKEN, plan)
    zh = {d.code + f"@{d.span.line}": d.message() for d in e.value.diagnostics}
    assert zh["input.not_number@3"] == "「正文·全年预算数」（文中合计）应填数字，这里是「三百」"
    assert zh["input.percent_ambiguous@4"] == "「正文·执行率」（文中执行率）是百分比：请写成 95% 或小数（如 0.95），「95」含义不明"
    assert zh["input.unknown_input@7"] == "规则集中没有「文中和计」这项数据，是否应为「文中合计」？"
    assert zh["input.negative@11"] == "「预算表 › 合计」的「年初」不能为负数，这里是「-250.00」"
    assert zh["input.field_not_used@24"] == "指标「预算执行率」的得分由规则集计算，不使用数据中的 score：请删除这一项（表上印的得分请写在 stated: indicators: 下，供审核比对）"
    assert zh["input.not_number@16"] == "「预算表 › 项目支出」的「全年」应填数字，这里是「abc」"
    assert zh["input.actual_is_target@19"] == "指标「活动场次」的实际完成值「≥20场」照抄了指标值（年度指标值为 20场）：请填写实际完成的数字"
    assert zh["input.actual_not_number@20"] == "指标「投诉率」是定量指标，实际完成值应填数字，这里是「很低」"
    assert zh["input.unknown_entry_key@22"].startswith("指标「社会效益」下有未知的项「explantion」，是否应为「explanation」？")
    en = {d.code + f"@{d.span.line}": d.message("en") for d in e.value.diagnostics}
    assert en["input.not_number@16"] == "'全年' of '预算表 › 项目支出' should be a number, not 'abc'"
    assert en["input.actual_is_target@19"] == "the actual of '活动场次' ('≥20场') copies the target (20场): give the number actually achieved"


def test_missing_values_are_reported_at_their_section():
    data = edited(DATA, ("  文中合计: 300.00\n", ""), ("  活动场次: {actual: 20}\n", ""), ("  社会效益: {score: 20}", "  社会效益: {explanation: 好}"))
    assert located(data) == [
        (at(data, "inputs:"), "input.missing"),  # 文中合计
        (at(data, "indicators:"), "input.missing_actual"),  # 活动场次
        (at(data, "{explanation"), "input.missing_score"),  # 社会效益 (judged) has no score
    ]


def test_a_missing_table_and_a_missing_section():
    data = DATA[: DATA.index("tables:")] + DATA[DATA.index("indicators:"):]
    assert problems_of(data) == [(1, 1, "input.missing_table")]


def test_a_misspelt_name_is_reported_once_as_unknown_not_again_as_missing():
    data = edited(DATA, ("文中合计: 300.00", "文中合记: 300.00"), ("  预算表:", "  预算标:"), ("活动场次: {actual: 20}", "活动场数: {actual: 20}"))
    assert problems_of(data) == [(3, 3, "input.unknown_input"), (6, 3, "input.unknown_table"), (21, 3, "input.unknown_indicator")]


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("300.00", D("300.00")),
        ('"300"', D("300")),
        ("3,000.50", D("3000.50")),  # grouped
        ('"1,234,567.89"', D("1234567.89")),
        ("３００．５", D("300.5")),  # full-width digits
        ("３，０００", D("3000")),  # full-width comma
        ("300万元", D("300")),  # the declared unit
        ("300 万元", D("300")),
    ],
)
def test_money_as_staff_type_it(typed, value):
    unit = unit_of(edited(DATA, ("文中合计: 300.00", f"文中合计: {typed}")))
    assert unit.values["文中合计"] == value


@pytest.mark.parametrize(
    ("typed", "value"),
    [("93.59%", D("0.9359")), ("９３．５９％", D("0.9359")), ("0.9359", D("0.9359")), ("100%", D("1")), ("1", D("1"))],
)
def test_percentages_as_staff_type_them(typed, value):
    assert unit_of(edited(DATA, ("文中执行率: 100%", f"文中执行率: {typed}"))).values["文中执行率"] == value


@pytest.mark.parametrize("typed", ["-41.17", "−41.17", "－41.17"])
def test_negative_money_where_allowed(typed):
    unit = unit_of(edited(DATA, ("  文中执行率: 100%\n", f"  文中执行率: 100%\n  调整额: {typed}\n")))
    assert unit.values["调整额"] == D("-41.17")


@pytest.mark.parametrize("typed", ['""', "—", "——", "/", "／", '"-"', "无", "~", "null", "''"])
def test_explicit_empty_where_allowed(typed):
    # 文中执行率 is optional: an explicit empty leaves it unset; a table cell reads as blank.
    data = edited(DATA, ("文中执行率: 100%", f"文中执行率: {typed}"), ("调整: 20.00, 全年: 120.00", f"调整: {typed}, 全年: 100.00"))
    data = edited(data, ("    调整: 50.00\n", "    调整: 30.00\n"), ("    全年: 300.00\n", "    全年: 280.00\n"), ("文中合计: 300.00", "文中合计: 280.00"))
    unit = unit_of(data)
    assert unit.values["文中执行率"] is None
    assert unit.tables["预算表"].rows[0].values["调整"] is None


@pytest.mark.parametrize("typed", ['""', "—", "/"])
def test_explicit_empty_where_not_allowed(typed):
    data = edited(DATA, ("文中合计: 300.00", f"文中合计: {typed}"))
    assert problems_of(data) == [(3, 9, "input.required_empty")]


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("true", "input.not_number"),
        ("[1, 2]", "input.not_number"),
        ("{a: 1}", "input.not_number"),
        ("1e20", "input.too_large"),
        ('"1,00,000"', "input.not_number"),  # not a valid grouping
        ('"12%%"', "input.not_number"),
        ('"300元"', "input.not_number"),  # not the declared unit
    ],
)
def test_wrong_types(typed, code):
    assert problems_of(edited(DATA, ("文中合计: 300.00", f"文中合计: {typed}"))) == [(3, 9, code)]


def test_counts_accept_the_unit_and_refuse_fractions():
    assert unit_of(edited(DATA, ("  文中执行率: 100%\n", "  文中执行率: 100%\n  人数: 15,500人\n"))).values["人数"] == D("15500")
    assert problems_of(edited(DATA, ("  文中执行率: 100%\n", "  文中执行率: 100%\n  人数: -3\n"))) == [(5, 7, "input.negative")]


def test_indicator_actuals_accept_the_unit_and_reject_copied_targets():
    assert unit_of(edited(DATA, ("活动场次: {actual: 20}", "活动场次: {actual: 26场}"))).entries["场次"]["actual"] == D("26")
    for copied in ("≥20场", "不低于20场", "＞20", "≥266米"):
        data = edited(DATA, ("活动场次: {actual: 20}", f"活动场次: {{actual: {copied}}}"))
        assert located(data) == [(at(data, copied), "input.actual_is_target")], copied


def test_entry_field_types():
    data = edited(DATA, ("社会效益: {score: 20}", "社会效益: {score: 20, not_applicable: 是, note: [1]}"))
    assert located(data) == [(at(data, "是"), "input.not_boolean"), (at(data, "[1]"), "input.not_text")]


def test_a_qualitative_actual_is_text():
    unit = unit_of(edited(DATA, ("时效指标: {level: 达成, score: 10}", "时效指标: {actual: 按期完成, level: 达成, score: 10}")))
    assert unit.entries["时效"]["actual"] == "按期完成"


def test_a_computed_actual_must_not_be_given():
    data = edited(DATA, ("indicators:\n", "indicators:\n  预算执行率: {actual: 90%}\n"))
    assert located(data) == [(at(data, "actual: 90%"), "input.actual_is_computed")]  # at the key


def test_structure_errors():
    assert problems_of("- 1\n- 2\n") == [(1, 1, "input.not_mapping")]
    data = edited(DATA, ("inputs:\n  文中合计: 300.00\n  文中执行率: 100%\n", "inputs: [300]\n"))
    assert (2, 9, "input.section_not_mapping") in problems_of(data)
    data = edited(DATA, ("    rows:\n      - {name: 基本支出,", "    rows:\n      - 基本支出\n      - {name: 基本支出,"))
    assert problems_of(data) == [(12, 9, "input.row_not_mapping")]
    data = edited(DATA, ("{name: 乙项目, ", "{"))
    assert problems_of(data) == [(19, 13, "input.row_no_name")]
    data = edited(DATA, ("  社会效益: {score: 20}", "  社会效益: 20"))
    assert problems_of(data) == [(24, 9, "input.entry_not_mapping")]


def test_problems_are_in_file_order_and_the_location_is_the_value():
    data = edited(DATA, ("文中合计: 300.00", "文中合计: x"), ("投诉率: {actual: 4%}", "投诉率: {actual: y}"))
    assert located(data) == [("3:9", "input.not_number"), ("22:17", "input.actual_not_number")]
    assert at(data, "x") == "3:9" and at(data, "y}") == "22:17"


def test_rows_keep_their_structure_for_formulas():
    unit = unit_of()
    table = unit.tables["预算表"]
    assert [r.name for r in table.rows] == ["基本支出", "项目支出"]
    assert [r.name for r in table.rows[1].rows] == ["甲项目", "乙项目"]
    assert unit.values["预算表.全年"] == D("300.00")
    assert unit.values["预算表.项目支出.调整"] == D("30.00")
    assert table.rows[1].rows[1].trail == ("项目支出", "乙项目")


def test_ruleset_is_untouched_by_data_errors():
    # The same compiled plan reads a good file after a bad one.
    plan = plan_of(RULESET)
    with pytest.raises(DiagnosticError):
        unit_of(BROKEN, plan)
    assert unit_of(DATA, plan).values["文中合计"] == D("300.00")


def test_an_entry_is_located_whether_the_file_names_the_indicator_by_id_or_by_name():
    # 时效指标 (id 时效) is keyed by its name in the data; scoring problems found
    # later (a score outside its band) are placed through `entry_span`.
    by_id = edited(DATA, ("时效指标: {level: 达成, score: 10}", "时效: {level: 达成, score: 10}"))
    for data in (DATA, by_id):
        span = unit_of(data).entry_span("时效", "score")
        assert f"{span.line}:{span.col}" == at(data, "10}")
    span = unit_of().entry_span("场次")
    assert f"{span.line}:{span.col}" == at(DATA, "{actual: 20}")


@pytest.mark.parametrize(("year", "problems"), [("2019", []), ("2018", [(1, 7, "input.year_mismatch")]), ("二〇一九", [(1, 7, "input.year_mismatch")])])
def test_the_data_year_must_match_the_ruleset(year, problems):
    assert problems_of(f"year: {year}\n" + DATA) == problems


def test_a_scoring_error_in_an_entry_named_by_its_name_is_located_at_the_field():
    from engine.evaluation.evaluate import evaluate

    data = edited(DATA, ("时效指标: {level: 达成, score: 10}", "时效指标: {level: 达成, score: 11}"))
    plan = plan_of()
    with pytest.raises(DiagnosticError) as e:
        evaluate(plan, unit_of(data, plan))
    assert [(f"{d.span.line}:{d.span.col}", d.code) for d in e.value.diagnostics] == [(at(data, "11}"), "score.manual_out_of_range")]
