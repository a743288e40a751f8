"""Findings in the JSON and text outputs: fields, order (warnings first), locations."""
from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from tests.conftest import run_cli
from tests.inputs_support import DATA, RULESET, at, edited

# A stated rate that is wrong, an unexplained miss, and a 0.01 rounding difference
# in a row that also makes the table's total 0.01 off its items.
DATA_WITH_FINDINGS = edited(
    DATA,
    ("文中执行率: 100%", "文中执行率: 95%"),
    ("{name: 基本支出, 年初: 100.00, 调整: 20.00, 全年: 120.00}", "{name: 基本支出, 年初: 100.00, 调整: 20.00, 全年: 120.01}"),
    ("活动场次: {actual: 20}", "活动场次: {actual: 12}"),
)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "ruleset.yaml").write_text(RULESET, encoding="utf-8")
    data = tmp_path / "data.yaml"
    data.write_text(DATA_WITH_FINDINGS, encoding="utf-8")
    return str(data), str(tmp_path / "ruleset.yaml")


def _run(files, *options):
    data, ruleset = files
    code, out, err = run_cli("evaluate", data, "--ruleset", ruleset, *options)
    assert code == 0, err
    return data, out


def test_json_findings_have_the_contract_fields(files):
    data, out = _run(files, "--format", "json")
    findings = json.loads(out, parse_float=D, parse_int=D)["findings"]
    loc = lambda needle, nth=0: f"{data}:{at(DATA_WITH_FINDINGS, needle, nth)}"  # noqa: E731
    assert [(f["kind"], f["severity"], f["code"], f["location"]) for f in findings] == [
        ("consistency", "warning", "check.mismatch", loc("95%")),  # stated 95%, computed 300 / 300
        ("deviation", "warning", "deviation.unexplained", loc("{actual: 12}")),
        ("consistency", "info", "check.rounding", loc("300.00", 1)),  # 合计 全年 vs 120.01 + 180.00
        ("consistency", "info", "check.rounding", loc("120.01")),  # 100 + 20 = 120
    ]
    rate, deviation, total, row = findings
    assert list(rate) == ["kind", "severity", "code", "message", "location", "stated", "computed", "difference"]
    assert (rate["stated"], rate["computed"], rate["difference"]) == (D("0.95"), D("1"), D("-0.05"))
    assert rate["message"] == "【正文执行率】正文·执行率：填报 95%，计算应为 100%，相差 -5%"
    assert (total["stated"], total["computed"], total["difference"]) == (D("300"), D("300.01"), D("-0.01"))
    assert (row["stated"], row["computed"], row["difference"]) == (D("120.01"), D("120"), D("0.01"))
    assert list(deviation) == ["kind", "severity", "code", "message", "location"]


def test_json_deviations_entry(files):
    _, out = _run(files, "--format", "json")
    [dev] = json.loads(out, parse_float=D, parse_int=D)["deviations"]
    assert dev == {
        "id": "场次", "name": "活动场次", "kind": "未完成", "target": D("20"), "actual": D("12"),
        "target_text": "20场", "actual_text": "12场", "ratio": D("0.6"), "explanation": None,
        "location": f"{files[0]}:{at(DATA_WITH_FINDINGS, '{actual: 12}')}",
    }


def test_text_lists_findings_after_the_table_warnings_first_each_with_its_location(files):
    data, out = _run(files)
    lines = out.splitlines()
    start = lines.index("发现的问题:")
    assert lines.index("总分: 92    等级: 优") < start  # after the score table
    assert lines[start + 1:] == [
        f"  {data}:{at(DATA_WITH_FINDINGS, '95%')}: [警告] 【正文执行率】正文·执行率：填报 95%，计算应为 100%，相差 -5%",
        f"  {data}:{at(DATA_WITH_FINDINGS, '{actual: 12}')}: [警告] 指标「活动场次」未完成，但没有说明原因：请在该指标下填写 explanation",
        f"  {data}:{at(DATA_WITH_FINDINGS, '300.00', 1)}: [提示] 【合计】预算表 › 合计 › 全年：填报 300.00，计算为 300.01，相差 -0.01（在四舍五入误差范围内）",
        f"  {data}:{at(DATA_WITH_FINDINGS, '120.01')}: [提示] 【行平衡】预算表 › 基本支出 › 全年：填报 120.01，计算为 120.00，相差 0.01（在四舍五入误差范围内）",
    ]


def test_text_findings_in_english(files):
    data, out = _run(files, "--lang", "en")
    lines = out.splitlines()
    start = lines.index("Findings:")
    assert lines[start + 1] == f"  {data}:{at(DATA_WITH_FINDINGS, '95%')}: [warning] [正文执行率] 正文·执行率: stated 95%, but it computes to 100%, a difference of -5%"
    assert lines[start + 2].endswith("[warning] '活动场次' is below target but no reason is given: add an explanation to it")
    assert lines[start + 4].endswith("[info] [行平衡] 预算表 › 基本支出 › 全年: stated 120.01, computed 120.00, a difference of 0.01 (within rounding)")


def test_text_says_when_there_are_no_findings(tmp_path):
    (tmp_path / "ruleset.yaml").write_text(RULESET, encoding="utf-8")
    (tmp_path / "data.yaml").write_text(DATA, encoding="utf-8")
    code, out, _ = run_cli("evaluate", str(tmp_path / "data.yaml"), "--ruleset", str(tmp_path / "ruleset.yaml"))
    assert code == 0
    assert out.splitlines()[-1] == "发现的问题: 无"
