"""Issue 14's bugs and the notations real forms use: cases naming a project's
rows; coefficient scoring with percentage actuals; 进度指标; `98%以上`, `≥95%`,
a bare `100` in a % column, a coefficient written `100%`, a not-applicable row
without a target, and CSV rows longer than their header."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from engine.api import evaluate_file
from engine.base.diagnostics import DiagnosticError
from tests.conftest import ROOT, run_cli

HEAD = f"""ruleset: {ROOT}/rulesets/examples/national-project.yaml
subject: {{name: 示例项目}}
inputs: {{预期目标: 完成。, 实际完成情况: 完成。}}
tables:
  资金表:
    name: 年度资金总额
    年初预算数: 100
    全年预算数: 100
    全年执行数: 100
    rows:
      - {{name: 当年财政拨款, 年初预算数: 100, 全年预算数: 100, 全年执行数: 100}}
indicator_rows:
"""
REST = """  - {group: 效益指标, category: 社会效益指标, name: 就业率, operator: ≥, unit: "%", target: 80%, actual: 80%, weight: 30}
  - {group: 满意度指标, category: 服务对象满意度指标, name: 满意度, operator: ≥, unit: "%", target: 90%, actual: 90%, weight: 10}
"""


def _unit(tmp_path, rows: str, ruleset_text: str | None = None, rest: str = REST):
    head = HEAD
    if ruleset_text is not None:
        (tmp_path / "r.yaml").write_text(ruleset_text, encoding="utf-8")
        head = head.replace(f"{ROOT}/rulesets/examples/national-project.yaml", str(tmp_path / "r.yaml"))
    path = tmp_path / "d.yaml"
    path.write_text(head + rows + rest, encoding="utf-8")
    return str(path)


def test_a_case_may_check_an_indicator_from_the_rows(tmp_path):
    text = (ROOT / "rulesets/2019/project.yaml").read_text(encoding="utf-8")
    text += f"""
cases:
  - name: 就业创业资金补助项目
    data: {ROOT}/examples/2019/projects/employment-subsidy.yaml
    expect: {{total: 97.66, scores: {{城镇新增就业人数: 15, 就业服务体系长效运行: 8, 产出指标: 55}}}}
"""
    path = tmp_path / "project.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run_cli("test", str(path))
    assert code == 0, out + err
    assert "不存在" not in out + err


def test_coefficient_with_percentage_actuals(tmp_path):
    ruleset = (ROOT / "rulesets/examples/national-project.yaml").read_text(encoding="utf-8").replace("  ≥: proportional               # 正向指标", "  ≥: coefficient                # 得分系数（示例）")
    rows = """  - {group: 产出指标, category: 数量指标, name: 培训合格率, operator: ≥, unit: "%", target: 90%, actual: "85.00%", coefficient: 90%, weight: 20, explanation: 部分学员补考。}
  - {group: 产出指标, category: 数量指标, name: 培训人次, operator: ≥, unit: 人次, target: 100, actual: 200, coefficient: 100%, weight: 30}
"""
    rest = REST.replace("weight: 30}", "coefficient: 1, weight: 30}").replace("weight: 10}", "coefficient: 1, weight: 10}")
    result = evaluate_file(_unit(tmp_path, rows, ruleset, rest))
    passed = result.find("培训合格率")
    assert (passed.actual, passed.score) == (D("0.85"), D("18"))  # a number, not the text "85.00%"; 20 × 90%
    assert result.find("培训人次").score == D("30")  # coefficient written 100%
    assert [(d.name, d.kind) for d in result.deviations] == [("培训合格率", "未完成")]  # 200 of 100 is not 超额: judged rows have none


def test_progress_category_of_hubei_forms_is_accepted():
    for ruleset in ("rulesets/2019/project.yaml", "rulesets/examples/hubei-2020-project.yaml"):
        text = (ROOT / ruleset).read_text(encoding="utf-8")
        assert "[数量指标, 质量指标, 时效指标, 进度指标, 成本指标]" in text


def test_targets_written_with_their_bound(tmp_path):
    rows = """  - {group: 产出指标, category: 质量指标, name: 验收合格率, unit: "%", target: 98%以上, actual: 99%, weight: 20}
  - {group: 产出指标, category: 数量指标, name: 覆盖率, unit: "%", target: ≥95%, actual: 100, weight: 20}
  - {group: 产出指标, category: 成本指标, name: 成本控制率, unit: "%", target: 不超过5%, actual: 4%, weight: 10}
"""
    result = evaluate_file(_unit(tmp_path, rows))
    got = [(r.node.name, r.node.operator, r.target, r.actual, r.score) for r in (result.find(n) for n in ("验收合格率", "覆盖率", "成本控制率"))]
    assert got == [
        ("验收合格率", "≥", D("0.98"), D("0.99"), D("20")),
        ("覆盖率", "≥", D("0.95"), D("1.00"), D("20")),  # a bare 100 in a % column is 100%
        ("成本控制率", "≤", D("0.05"), D("0.04"), D("10")),
    ]


def test_ruleset_target_written_with_its_operator(tmp_path):
    text = (ROOT / "rulesets/examples/national-project.yaml").read_text(encoding="utf-8").replace("    target: 100%\n    operator: ≥", "    target: ≥100%\n    operator: ≥")
    assert "target: ≥100%" in text
    code, out, _ = run_cli("evaluate", _unit(tmp_path, "  - {group: 产出指标, category: 数量指标, name: 人次, operator: ≥, unit: 人, target: 10, actual: 10, weight: 50}\n", text))
    assert code == 0
    assert "预算执行率              10  ≥100%" in out


def test_a_not_applicable_row_may_have_no_target(tmp_path):
    rows = """  - {group: 产出指标, category: 数量指标, name: 人次, operator: ≥, unit: 人, target: 10, actual: 10, weight: 40}
  - {group: 产出指标, category: 时效指标, name: 按期完成率, operator: ≥, unit: "%", target: "", not_applicable: true, weight: 10}
"""
    result = evaluate_file(_unit(tmp_path, rows))
    r = result.find("按期完成率")
    assert (r.not_applicable, r.score, r.target) == (True, D("0"), None)
    with pytest.raises(DiagnosticError) as err:  # without not_applicable the target is still required
        evaluate_file(_unit(tmp_path, rows.replace(", not_applicable: true", "")))
    assert [d.code for d in err.value.diagnostics] == ["rows.missing_field"]


def test_csv_row_longer_than_its_header_is_refused_with_a_quoting_hint(tmp_path):
    src = ROOT / "examples/2019/projects-batch"
    for name in ("projects.csv", "columns.yaml"):
        (tmp_path / name).write_bytes((src / name).read_bytes())
    text = (src / "indicators.csv").read_text(encoding="utf-8-sig")
    text = text.replace("2019年度未开展相关培训工作。", "2019年度未开展相关培训工作,下年度补训。", 1)
    (tmp_path / "indicators.csv").write_text(text, encoding="utf-8")
    code, out, err = run_cli(
        "batch", str(tmp_path / "projects.csv"), "--ruleset", "rulesets/2019/project.yaml",
        "--columns", str(tmp_path / "columns.yaml"), "--rows", str(tmp_path / "indicators.csv"), "--output", str(tmp_path / "out.jsonl"),
    )
    assert code == 1
    line = next(x for x in err.splitlines() if "多出" in x)
    assert line.endswith(f"{tmp_path}/indicators.csv:2:14: 这一行比表头（13 列）多出 1 个单元格：不会猜测它们属于哪一列；CSV 中含英文逗号（,）的文字须把整个单元格用英文双引号括起来，如 \"原因一,原因二\"，或改用中文逗号（，）")
