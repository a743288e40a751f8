"""`explain`: how one score came about, and where the points were lost."""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import EXAMPLE_2019, ROOT, run_cli


@pytest.fixture(scope="module")
def result():
    from engine import api

    return api.evaluate_file(str(EXAMPLE_2019))


def _golden(name: str) -> str:
    return (ROOT / "tests" / "golden" / name).read_text(encoding="utf-8")


def test_budget_execution_rate_matches_reviewed_golden_file():
    code, out, err = run_cli("explain", "预算执行率")
    assert code == 0, err
    assert out == _golden("explain-budget-execution-rate.txt")


def test_budget_execution_rate_shows_the_arithmetic_sources_and_full_marks():
    _, out, _ = run_cli("explain", "预算执行率")
    assert "计算：3,921.33 / 4,189.79 = 93.59% → 10 × 93.59% = 9.36" in out
    assert "规则：分值 10，年度指标值 ≥100%，计分方法 proportional（正向比例计分）  [rulesets/2019/department.yaml:73:9]" in out
    assert "支出表「合计」合计 = 3,921.33，数据表填报  [examples/2019/hr-bureau.yaml:83:9]" in out
    assert "预算调整表「合计」全年预算数 = 4,189.79，数据表填报  [examples/2019/hr-bureau.yaml:43:12]" in out
    assert "失分：0.64 分" in out
    assert "满分条件：实际完成值达到 100% 即可得满分 10 分。" in out


def test_the_located_lines_are_where_the_figures_are():
    ruleset = (ROOT / "rulesets" / "2019" / "department.yaml").read_text(encoding="utf-8").splitlines()
    data = EXAMPLE_2019.read_text(encoding="utf-8").splitlines()
    assert ruleset[73 - 1].strip() == "- id: 预算执行率"
    assert ruleset[62 - 1].strip().startswith("formula: round_half_up(全年执行数 / 全年预算数, 4)")
    assert data[83 - 1].strip() == "合计: 3,921.33"
    assert data[43 - 1].strip() == "全年预算数: 4,189.79"


def test_explanation_value(result):
    from engine.tools.explain import explain

    e = explain(result, "预算执行率")
    assert (e.weight, e.score, e.lost) == (Decimal(10), Decimal("9.36"), Decimal("0.64"))
    assert e.path == ("预算管理", "预算执行率") and e.method == "proportional" and e.branch == "partial"
    assert e.full_at_text == "100%"
    rate = e.actual
    assert (rate.origin, rate.text, rate.calc, rate.raw, rate.rounded_to) == ("metric", "93.59%", "3,921.33 / 4,189.79", "93.5925%", "0.01%")
    spent, budget = rate.uses
    assert (spent.name, spent.text, spent.origin) == ("全年执行数", "3,921.33", "metric")
    cell = spent.uses[0]
    assert (cell.origin, cell.label, str(cell.span)) == ("cell", "支出表「合计」合计", "examples/2019/hr-bureau.yaml:83:9")
    assert str(budget.uses[0].span) == "examples/2019/hr-bureau.yaml:43:12"
    assert [(s.code, dict(s.args), s.raw) for s in e.steps] == [("explain.ratio_of_full", {"weight": "10", "actual": "93.59%", "target": "100%", "score": "9.36"}, "9.359")]
    assert e.deviation is not None and e.deviation.explanation.startswith("主要由于")


def test_threshold_and_at_most_target():
    code, out, _ = run_cli("explain", "examples/2019/hr-bureau.yaml", "预算调整率")
    assert code == 0
    assert "计算：abs(996.66) / 3,193.13 = 31.21% → 实际值 31.21% 未达到 ≤ 5%，得 0 分" in out
    assert "满分条件：实际完成值不超过 5% 即可得满分 10 分。" in out
    assert "（计分分支：未达到目标，不得分）" in out


def test_judged_indicator_and_branch_indicator():
    _, out, _ = run_cli("explain", "时效指标")
    assert "评为「达成」，得 9 分" in out and "已得满分 9 分，没有失分。" in out
    _, out, _ = run_cli("explain", "预算管理")
    assert "- 预算执行率：9.36 / 10，失分 0.64" in out and "- 预算调整率：0 / 10，失分 10" in out


def test_without_indicator_ranks_the_points_lost():
    code, out, _ = run_cli("explain")
    assert code == 0
    assert out == _golden("explain-ranking.txt")


def test_ranking_value(result):
    from engine.tools.explain import losses

    r = losses(result)
    assert [(e.name, e.lost) for e in r.items] == [("预算调整率", Decimal(10)), ("参与干部培训人数", Decimal(2)), ("预算执行率", Decimal("0.64"))]
    assert r.lost == Decimal("12.64") == sum(e.lost for e in r.items)


def test_english():
    _, out, _ = run_cli("--lang", "en", "explain", "预算执行率")
    assert "calculation: 3,921.33 / 4,189.79 = 93.59% → 10 × 93.59% = 9.36" in out
    assert "for full marks: an actual value of 100% would have earned all 10 points." in out
    assert "points lost: 0.64 (9.36 of 10)" in out


def test_unknown_indicator_suggests_the_closest():
    code, out, err = run_cli("explain", "预算执行")
    assert code == 2 and out == ""
    assert "规则集中没有指标「预算执行」，是否应为「预算执行率」？" in err


def test_too_many_arguments_is_a_usage_error():
    code, _, err = run_cli("explain", "a", "b", "c")
    assert code == 2 and "explain" in err


def test_bad_data_file_is_reported_with_its_location(tmp_path):
    bad = tmp_path / "bad.yaml"
    text = EXAMPLE_2019.read_text(encoding="utf-8").replace("ruleset: 2019/department", f"ruleset: {ROOT / 'rulesets' / '2019' / 'department.yaml'}")
    bad.write_text(text.replace("actual: 872", "actual: 八百"), encoding="utf-8")
    code, _, err = run_cli("explain", str(bad), "预算执行率")
    assert code == 1
    assert "帮扶就业困难群体就业创业人数" in err and "八百" in err


def test_a_category_sum_lists_its_rows_with_their_lines(result):
    from engine.tools.explain import _Tracer
    from engine.render.explain_text import _figure_lines

    lines = _figure_lines(_Tracer(result).figure("预算调整表.基本支出.年初预算数"), "zh", 0)
    assert lines == [
        "预算调整表.基本支出.年初预算数 = 1,356.63，为下列各行之和：",
        "  预算调整表「基本支出」年初预算数 = 1,027.95，数据表填报  [examples/2019/hr-bureau.yaml:50:33]",
        "  预算调整表「基本支出」年初预算数 = 328.68，数据表填报  [examples/2019/hr-bureau.yaml:68:33]",
    ]
