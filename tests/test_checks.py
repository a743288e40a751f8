"""Consistency checks (勾稽关系): each kind, tolerance edges, one finding per wrong figure."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.inputs_support import DATA, RULESET, at, edited, result_of


def findings(data: str = DATA, ruleset: str = RULESET) -> list[tuple]:
    """(location, severity, code, stated, computed, difference) for each consistency finding."""
    return [
        (f"{f.span.line}:{f.span.col}", f.severity, f.code, f.stated, f.computed, f.difference)
        for f in result_of(data, ruleset).findings
        if f.kind == "consistency"
    ]


def test_consistent_data_has_no_findings():
    assert findings() == []


def test_row_identity_flags_the_line_item_and_the_subtotal_above_it_only():
    # 甲项目: 100 + 30 ≠ 131. Its subtotal 项目支出 (180) no longer equals its
    # items (181); the total 合计 still equals its rows as printed, so it is quiet.
    data = edited(DATA, ("{name: 甲项目, 年初: 100.00, 调整: 30.00, 全年: 130.00}", "{name: 甲项目, 年初: 100.00, 调整: 30.00, 全年: 131.00}"))
    assert findings(data) == [
        (at(data, "180.00"), "warning", "check.mismatch", D("180.00"), D("181.00"), D("-1.00")),
        (at(data, "131.00"), "warning", "check.mismatch", D("131.00"), D("130.00"), D("1.00")),
    ]


def test_a_wrong_subtotal_is_reported_once_at_itself():
    # 项目支出 调整 typed 35 instead of 30: the sum check reports it; the row
    # identity of that row (150 + 35 ≠ 180) is explained by it and stays quiet;
    # 合计 (50) agrees with the line items, so it is not blamed.
    data = edited(DATA, ("调整: 30.00\n        全年: 180.00", "调整: 35.00\n        全年: 180.00"))
    assert findings(data) == [(at(data, "35.00"), "warning", "check.mismatch", D("35.00"), D("30.00"), D("5.00"))]


def test_a_wrong_total_is_judged_against_the_line_items():
    data = edited(DATA, ("    全年: 300.00\n", "    全年: 310.00\n"), ("文中合计: 300.00", "文中合计: 310.00"))
    assert findings(data) == [(at(data, "310.00", 1), "warning", "check.mismatch", D("310.00"), D("300.00"), D("10.00"))]


def test_a_subtotal_wrong_in_two_columns_is_reported_in_each_and_its_row_identity_is_explained():
    data = edited(DATA, ("调整: 30.00\n        全年: 180.00", "调整: 35.00\n        全年: 190.00"))
    assert findings(data) == [
        (at(data, "35.00"), "warning", "check.mismatch", D("35.00"), D("30.00"), D("5.00")),  # sum 调整
        (at(data, "190.00"), "warning", "check.mismatch", D("190.00"), D("180.00"), D("10.00")),  # sum 全年
    ]


def test_row_identity_still_reported_when_corrected_subtotals_do_not_explain_it():
    # 全年 is not summed here, so 150 + 30 (corrected) = 180 still differs from the 190 typed.
    ruleset = edited(RULESET, ("{id: 合计, kind: sum, table: 预算表}", "{id: 合计, kind: sum, table: 预算表, columns: [年初, 调整]}"))
    data = edited(DATA, ("调整: 30.00\n        全年: 180.00", "调整: 35.00\n        全年: 190.00"))
    assert findings(data, ruleset) == [
        (at(data, "35.00"), "warning", "check.mismatch", D("35.00"), D("30.00"), D("5.00")),  # sum 调整
        (at(data, "190.00"), "warning", "check.mismatch", D("190.00"), D("185.00"), D("5.00")),  # row: 150 + 35
    ]


def test_blank_cells_count_as_zero_and_heading_rows_are_skipped():
    # 乙项目 has 调整 "—"; a heading row with no figures is not a line item.
    data = edited(DATA, ("      - {name: 基本支出,", "      - {name: 其中}\n      - {name: 基本支出,"))
    assert findings(data) == []


def test_equal_check_compares_a_stated_figure_with_the_table_and_locates_the_stated_one():
    data = edited(DATA, ("文中合计: 300.00", "文中合计: 290.00"))
    result = result_of(data)
    f = next(f for f in result.findings if f.kind == "consistency")
    assert (f.span.line, f.span.col, f.severity, f.stated, f.computed, f.difference) == (3, 9, "warning", D("290.00"), D("300.00"), D("-10.00"))
    assert f.message() == "【正文合计】正文·全年预算数：填报 290.00，计算应为 300.00，相差 -10.00"
    assert f.message("en") == "[正文合计] 正文·全年预算数: stated 290.00, but it computes to 300.00, a difference of -10.00"


def test_equal_check_on_a_percentage_prints_percentages():
    # 执行率 = 300 / 300 = 100%; stated 99.99% is within the 0.01% tolerance, 99.98% is not.
    info = [f for f in result_of(edited(DATA, ("文中执行率: 100%", "文中执行率: 99.99%"))).findings if f.kind == "consistency"]
    assert [(f.severity, f.args["stated"], f.args["computed"], f.args["difference"]) for f in info] == [("info", "99.99%", "100%", "-0.01%")]
    warn = [f for f in result_of(edited(DATA, ("文中执行率: 100%", "文中执行率: 99.98%"))).findings if f.kind == "consistency"]
    assert [(f.severity, f.code) for f in warn] == [("warning", "check.mismatch")]


def test_equal_check_is_skipped_when_the_optional_figure_is_empty():
    assert findings(edited(DATA, ("文中执行率: 100%", "文中执行率: —"))) == []


@pytest.mark.parametrize(
    ("typed", "severity"),
    [
        ("120.00", None),  # equal
        ("120.01", "info"),  # exactly at the tolerance (0.01): rounding
        ("119.99", "info"),
        ("120.011", "warning"),  # just above it
        ("119.989", "warning"),
        ("120.02", "warning"),
    ],
)
def test_tolerance_edges(typed, severity):
    data = edited(DATA, ("{name: 基本支出, 年初: 100.00, 调整: 20.00, 全年: 120.00}", f"{{name: 基本支出, 年初: 100.00, 调整: 20.00, 全年: {typed}}}"))
    cell = at(data, typed)
    got = [(loc, sev, code) for loc, sev, code, *_ in findings(data) if loc == cell]
    assert got == ([] if severity is None else [(cell, severity, "check.rounding" if severity == "info" else "check.mismatch")])


def test_tolerance_is_a_parameter_of_each_check():
    ruleset = edited(RULESET, ("formula: 年初 + 调整}", "formula: 年初 + 调整, tolerance: 1}"))
    data = edited(DATA, ("{name: 基本支出, 年初: 100.00, 调整: 20.00, 全年: 120.00}", "{name: 基本支出, 年初: 100.00, 调整: 20.00, 全年: 121.00}"))
    row = [f for f in findings(data, ruleset) if f[0] == at(data, "121.00")]
    assert [(sev, diff) for _, sev, _, _, _, diff in row] == [("info", D("1.00"))]


def test_row_formula_dividing_by_zero_is_skipped_not_a_crash():
    ruleset = edited(RULESET, ("formula: 年初 + 调整}", "formula: 全年 * 年初 / 年初}"))
    data = edited(DATA, ("      - {name: 基本支出,", "      - {name: 丙, 年初: 0, 调整: 0, 全年: 0}\n      - {name: 基本支出,"))
    assert findings(data, ruleset) == []  # 0 × 0 / 0 cannot be computed: that row is skipped


def test_same_named_rows_are_told_apart_by_the_rows_above_them():
    data = edited(DATA, ("{name: 乙项目, 年初: 50.00, 调整: \"—\", 全年: 50.00}", "{name: 基本支出, 年初: 50.00, 调整: \"—\", 全年: 51.00}"))
    messages = [f.message() for f in result_of(data).findings if f.kind == "consistency"]
    assert "【行平衡】预算表 › 项目支出 › 基本支出 › 全年：填报 51.00，计算应为 50.00，相差 1.00" in messages
