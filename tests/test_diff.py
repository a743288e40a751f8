"""`diff OLD NEW [DATA...]`: changes in policy terms and their impact on each
unit's score, attributed indicator by indicator."""
from __future__ import annotations

import shutil
import textwrap
from decimal import Decimal

from engine.tools.diff import compare
from tests.conftest import EXAMPLE_2019, ROOT, RULESET_2019, run_cli

RULESET_2020 = ROOT / "rulesets" / "2020" / "department.yaml"


def child(tmp_path, body: str, parent=RULESET_2019, name: str = "new.yaml") -> str:
    path = tmp_path / name
    path.write_text(f"extends: {parent}\nid: diff-test\nyear: 2021\n" + textwrap.dedent(body), encoding="utf-8")
    return str(path)


def test_diff_2019_2020_names_the_change_and_the_examples_score_under_both():
    code, out, err = run_cli("diff", "2019", "2020", "examples/2019/hr-bureau.yaml")
    assert code == 0, err
    assert out == (ROOT / "tests" / "golden" / "diff-2019-2020.txt").read_text(encoding="utf-8")
    code, out, _ = run_cli("diff", "2019", "2020", "examples/2019/hr-bureau.yaml", "--lang", "en")
    assert out == (ROOT / "tests" / "golden" / "diff-2019-2020.en.txt").read_text(encoding="utf-8")


def test_every_kind_of_change_is_named_and_each_movement_attributed(tmp_path):
    new = child(tmp_path, """
        indicators:
          - {id: 预算执行率, weight: 12}
          - {id: 预算调整率, weight: 8}
          - {id: 城镇新增就业人数, target: 16000}
          - {id: 服务对象满意度, scoring: {method: deduct, step: 5%, points: 1}, target: 98%}
          - {id: 干部档案整理覆盖率, remove: true}
          - id: 新闻发布次数
            name: 新闻发布次数
            parent: 数量指标
            weight: 2
            target: 4
            operator: ≥
            unit: 次
            actual: 4
            scoring: proportional
          - {id: 成本指标, parent: 质量指标}
          - {id: 质量指标, weight: 12}
        grades:
          - {label: 优, min: 85}
    """)
    cmp = compare(str(RULESET_2019), new, (str(EXAMPLE_2019),))
    codes = [(c.code, c.key) for c in cmp.changes]
    assert codes == [
        ("diff.indicator_reweighted", "预算执行率"),
        ("diff.indicator_reweighted", "预算调整率"),
        ("diff.target_changed", "城镇新增就业人数"),
        ("diff.indicator_added", "新闻发布次数"),
        ("diff.indicator_reweighted", "质量指标"),
        ("diff.indicator_moved", "成本指标"),
        ("diff.target_changed", "服务对象满意度"),
        ("diff.scoring_changed", "服务对象满意度"),
        ("diff.indicator_removed", "干部档案整理覆盖率"),
        ("diff.grade_changed", None),
    ]
    assert {c.span.file for c in cmp.changes} == {new}  # moves and removals too: where the new file states them
    [unit] = cmp.units
    assert unit.skipped == ((), ("干部档案整理覆盖率",))  # the example's entry for the removed indicator
    assert (unit.old.total, unit.new.total) == (Decimal("87.36"), Decimal("89.14"))
    moved = {m.key: (m.old, m.new, m.changes) for m in unit.movements}
    assert moved == {
        "预算执行率": (Decimal("9.36"), Decimal("11.23"), (1,)),
        "城镇新增就业人数": (Decimal("3"), Decimal("2.91"), (3,)),
        "新闻发布次数": (None, Decimal("2"), (4,)),
        "干部档案整理覆盖率": (Decimal("2"), None, (9,)),
    }
    assert unit.residual == 0 and unit.old.grade == "良" and unit.new.grade == "优"
    assert unit.grade_changes == (10,)


def test_a_metric_change_is_attributed_to_the_indicators_that_read_it(tmp_path):
    new = child(tmp_path, """
        metrics:
          预算调整率: round_half_up(abs(预算调整数) / 全年预算数, 4)   # 以调整后预算为分母
    """, parent=RULESET_2020)
    code, out, _ = run_cli("diff", str(RULESET_2020), new, str(EXAMPLE_2019))
    assert code == 0
    assert "  [1] 派生指标「预算调整率」：round_half_up(abs(预算调整数) / 年初预算数, 4) → round_half_up(abs(预算调整数) / 全年预算数, 4)" in out
    assert "      「预算调整率」2 → 4（+2）：由变化 [1] 引起" in out.splitlines()


def test_a_unit_that_cannot_be_evaluated_under_one_ruleset_is_reported_with_exit_1(tmp_path):
    new = child(tmp_path, """
        inputs:
          结转结余: {type: money, label: 年末结转结余}
    """)
    code, out, _ = run_cli("diff", "rulesets/2019/department.yaml", new, "examples/2019/hr-bureau.yaml")
    assert code == 1
    lines = out.splitlines()
    assert "  [1] 新增输入项「结转结余」" in lines[1]
    assert "    rulesets/2019/department.yaml：87.36 分，良" in lines
    assert f"    {new}：无法评价，数据有以下问题：" in lines
    _, _, err = run_cli("evaluate", "examples/2019/hr-bureau.yaml", "--ruleset", new)
    data_problem = err.splitlines()[0]  # the data's own problem, as evaluate reports it
    assert data_problem.startswith("examples/2019/hr-bureau.yaml:") and "年末结转结余" in data_problem
    assert f"      {data_problem}" in lines


def test_no_changes_and_several_units():
    code, out, _ = run_cli("diff", "2019", "rulesets/2019/department.yaml", "examples/2019/hr-bureau.yaml", "examples/2019/hr-bureau.yaml")
    assert code == 0
    assert "  两个规则集的评分办法相同，没有变化" in out
    assert out.count("总分 ±0，等级不变") == 2 and out.count("各项得分均不变") == 2


def test_years_name_rulesets_and_an_ambiguous_year_is_a_usage_error(tmp_path, monkeypatch):
    (tmp_path / "rulesets" / "2030").mkdir(parents=True)
    for name in ("department.yaml", "project.yaml"):
        shutil.copy(RULESET_2019, tmp_path / "rulesets" / "2030" / name)
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("diff", "2030", "2030")
    assert code == 2
    assert err == "2030/ 中有多个规则集（department.yaml, project.yaml），请写出名称，如 2030/department\n"
    code, out, _ = run_cli("diff", "rulesets/2030/project.yaml", "2030")
    assert code == 0 and "rulesets/2030/project.yaml (2019) → rulesets/2030/project.yaml (2019)" in out
    code, _, err = run_cli("diff", "1999", "2030")
    assert code == 2 and "没有 1999 年度的规则集" in err


def test_a_default_scoring_change_is_attributed_to_a_projects_own_indicator_rows(tmp_path):
    new = tmp_path / "project.yaml"
    new.write_text(
        f"extends: {ROOT / 'rulesets' / '2019' / 'project.yaml'}\nid: p\nyear: 2019\n"
        "scoring_defaults:\n  ≥: {method: bands, on: completion, bands: [{min: 100%, ratio: 1}, {min: 90%, ratio: 0.8}]}\n",
        encoding="utf-8",
    )
    code, out, _ = run_cli("diff", "rulesets/2019/project.yaml", str(new), "examples/2019/projects/labour-arbitration.yaml")
    assert code == 0
    lines = out.splitlines()
    assert lines[1].startswith("  [1] 指标性质为 ≥ 的指标默认计分方法：正向比例计分 → 分档计分（完成率≥100%→分值×1；完成率≥90%→分值×0.8；其余→0）")
    assert "    总分 −2.67，等级不变" in lines
    assert "      「受理劳动人事争议案件数」18.67 → 16（−2.67）：由变化 [1] 引起" in lines
