"""The golden case: the 2019 report's published scores, to the cent."""
from __future__ import annotations

import json
from decimal import Decimal

from tests.conftest import ROOT, run_cli

# Every score the seed report publishes (一、绩效得分情况 and 三、绩效评价情况).
PUBLISHED = {
    "预算管理": "9.36", "预算执行率": "9.36", "预算调整率": "0",
    "产出指标": "38", "数量指标": "17", "参与干部培训人数": "0", "干部档案整理覆盖率": "2",
    "专项招聘工作完成率": "3", "城镇新增就业人数": "3", "组织公益性招聘会场数": "3",
    "开展校招活动场数": "3", "帮扶就业困难群体就业创业人数": "3",
    "质量指标": "9", "各项经费支出合规率": "3", "档案装具采购合规率": "3", "各项补贴支付合规率": "3",
    "时效指标": "9", "成本指标": "3",
    "效益指标": "32", "社会效益": "24", "可持续影响": "8",
    "满意度": "8", "服务对象满意度": "8",
}


def _flatten(items):
    for item in items:
        yield item
        yield from _flatten(item["children"])


def test_seed_total_grade_and_every_published_score():
    code, out, err = run_cli("evaluate", "--format", "json")
    assert code == 0, err
    data = json.loads(out, parse_float=Decimal)
    assert data["total"] == Decimal("87.36")
    assert data["grade"] == "良"
    scores = {i["name"]: i["score"] for i in _flatten(data["indicators"])}
    assert {k: scores[k] for k in PUBLISHED} == {k: Decimal(v) for k, v in PUBLISHED.items()}
    assert set(scores) == set(PUBLISHED)


def test_json_output_matches_reviewed_golden_file():
    code, out, _ = run_cli("evaluate", "--format", "json")
    assert code == 0
    expected = (ROOT / "tests" / "golden" / "hr-bureau-2019.json").read_text(encoding="utf-8")
    assert out == expected


def test_text_output_matches_reviewed_golden_file():
    code, out, _ = run_cli("evaluate")
    assert code == 0
    expected = (ROOT / "tests" / "golden" / "hr-bureau-2019.txt").read_text(encoding="utf-8")
    assert out == expected
