"""The seed report's inconsistencies (docs/checks.md §2): found exactly, no more, no less."""
from __future__ import annotations

import json
import re
from decimal import Decimal as D

from tests.conftest import ROOT, run_cli

EXAMPLE = "examples/2019/hr-bureau.yaml"

# (line:col, severity, code, stated, computed, difference), worked out by hand from the seed:
SEED_INCONSISTENCIES = [
    ("47:16", "warning", "check.mismatch", D("592.25"), D("591.88"), D("0.37")),  # 经开小计 调整: −70.02 + 661.90
    ("65:16", "warning", "check.mismatch", D("375.92"), D("404.77"), D("-28.85")),  # 汉南小计 调整: 28.85 + 375.92
    ("18:14", "info", "check.rounding", D("1037.83"), D("1037.82"), D("0.01")),  # 正文 项目支出调整: 661.90 + 375.92
    ("21:13", "info", "check.rounding", D("2874.33"), D("2874.32"), D("0.01")),  # 正文 调整后项目支出: 2,010.40 + 863.92
    ("25:13", "info", "check.rounding", D("4189.78"), D("4189.79"), D("-0.01")),  # 执行率分析 全年预算数 vs 表
    ("29:14", "info", "check.rounding", D("4189.78"), D("4189.79"), D("-0.01")),  # 调整率分析 调整预算数 vs 表
    ("42:12", "info", "check.rounding", D("996.66"), D("996.65"), D("0.01")),  # 合计 调整: 591.88 + 404.77
    ("43:12", "info", "check.rounding", D("4189.79"), D("4189.78"), D("0.01")),  # 合计 全年: 2,968.33 + 1,221.45
    ("81:9", "info", "check.rounding", D("2817.20"), D("2817.21"), D("-0.01")),  # 支出 合计 经开: 861.87 + 1,955.34
    ("85:50", "info", "check.rounding", D("1184.95"), D("1184.96"), D("-0.01")),  # 支出 基本支出: 861.87 + 323.09
]


def _json():
    code, out, err = run_cli("evaluate", "--format", "json")
    assert code == 0, err
    return json.loads(out, parse_float=D, parse_int=D)


def test_the_checks_find_exactly_the_seed_inconsistencies():
    found = [f for f in _json()["findings"] if f["kind"] == "consistency"]
    got = [(f["location"].removeprefix(EXAMPLE + ":"), f["severity"], f["code"], f["stated"], f["computed"], f["difference"]) for f in found]
    assert got == SEED_INCONSISTENCIES
    assert all(f["location"].startswith(EXAMPLE + ":") and f["message"] for f in found)


def test_every_stated_figure_is_where_the_finding_says():
    lines = (ROOT / EXAMPLE).read_text(encoding="utf-8").splitlines()
    for loc, _, _, stated, _, _ in SEED_INCONSISTENCIES:
        line, col = map(int, loc.split(":"))
        text = lines[line - 1][col - 1:].lstrip('"')
        assert D(re.match(r"[-\d,.]+", text).group().replace(",", "")) == stated, loc


def test_docs_list_the_same_inconsistencies():
    doc = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    rows = [line.split("|")[1:-1] for line in doc.splitlines() if f"| {EXAMPLE}:" in line]
    documented = [
        (cells[2].strip().removeprefix(EXAMPLE + ":"), cells[1].strip(), *(D(cells[i].strip().replace(",", "")) for i in (4, 5, 6)))
        for cells in rows
    ]
    assert documented == [(loc, sev, s, c, d) for loc, sev, _, s, c, d in SEED_INCONSISTENCIES]


def test_the_example_has_no_other_findings_and_the_seed_deviations():
    data = _json()
    assert [f["kind"] for f in data["findings"]] == ["consistency"] * len(SEED_INCONSISTENCIES)
    assert [(d["name"], d["kind"], d["target_text"], d["actual_text"], d["explanation"]) for d in data["deviations"]] == [
        ("预算执行率", "未完成", "100%", "93.59%", "主要由于就业创业资金补助项目和基本支出预算金额偏高。"),
        ("预算调整率", "未完成", "5%", "31.21%", "主要是就业创业资金补助项目年初预算数偏低，导致年中调整数较高。"),
        ("参与干部培训人数", "未完成", "140人", "0人", "主要是由于2019年度未开展相关培训工作。"),
    ]
