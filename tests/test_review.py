"""Review (审核): the figures a form printed (`stated:`, a project row's `score:`)
checked against the computed ones (engine.evaluation.review)."""
from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from engine.api import evaluate_file, validate_ruleset
from engine.base.diagnostics import DiagnosticError
from engine.render import json_out, jsonl
from engine.ruleset.lints import LINTS
from tests.conftest import ROOT, run_cli

FIXTURES = ROOT / "tests" / "fixtures" / "review"
SEED_STATED = "tests/fixtures/review/hr-bureau-stated.yaml"
MISPRINTED = "tests/fixtures/review/hr-bureau-misprinted.yaml"
PROJECT = "tests/fixtures/review/project-row-scores.yaml"


def _review(result):
    return [(f"{f.span.line}:{f.span.col}", f.code, f.stated, f.computed, f.difference) for f in result.findings if f.kind == "review"]


def test_seed_with_every_printed_score_has_no_review_finding_and_is_unchanged():
    result = evaluate_file(SEED_STATED)
    assert _review(result) == []
    assert (result.total, result.grade) == (D("87.36"), "良")
    assert len(result.unit.stated) == 2 + 6 + 3 + 3 + 15  # total, grade, groups, two indicators' three figures, 15 scores
    code, out, _ = run_cli("evaluate", SEED_STATED)
    assert code == 0
    golden = (ROOT / "tests" / "golden" / "hr-bureau-2019.txt").read_text(encoding="utf-8")
    assert out.replace(SEED_STATED, "examples/2019/hr-bureau.yaml") == golden


def test_misprinted_form_lists_each_wrong_figure_with_stated_computed_difference():
    result = evaluate_file(MISPRINTED)
    assert (result.total, result.grade) == (D("87.36"), "良")  # stated figures never change a score
    assert _review(result) == [
        ("141:10", "review.total", D("88.00"), D("87.36"), D("0.64")),
        ("142:10", "review.grade", "优", "良", None),
        ("144:19", "review.score_sum", D("10"), D("9.36"), D("0.64")),
        ("145:11", "review.score_sum", D("19"), D("17"), D("2")),
        ("147:20", "review.score", D("9.4"), D("9.36"), D("0.04")),
        ("148:29", "review.rate", D("0.3021"), D("0.3121"), D("-0.0100")),
        ("149:23", "review.score", D("2"), D("0"), D("2")),
        ("149:34", "review.weight", D("3"), D("2"), D("1")),
    ]
    assert all(f.severity == "warning" for f in result.findings if f.kind == "review")
    # the right ones are not listed: 预算管理's weight 20, 预算执行率's weight and its rate 93.6%
    # (right at the precision printed), 预算调整率's score, 时效指标's score


def test_misprinted_form_text_matches_reviewed_golden_file():
    code, out, _ = run_cli("evaluate", MISPRINTED)
    assert code == 0
    assert out == (ROOT / "tests" / "golden" / "review-misprinted.txt").read_text(encoding="utf-8")


def test_finding_names_the_rule_and_is_located_at_the_printed_figure():
    code, out, _ = run_cli("evaluate", MISPRINTED, "--format", "json")
    data = json.loads(out, parse_float=D)
    score = next(f for f in data["findings"] if f["code"] == "review.score")
    assert score == {
        "kind": "review", "severity": "warning", "code": "review.score",
        "message": "【表上数字核对】「预算执行率」的得分：表上为 9.4，按规则 proportional（rulesets/2019/department.yaml:80:18）应为 9.36，相差 0.04",
        "location": f"{MISPRINTED}:147:20", "stated": D("9.4"), "computed": D("9.36"), "difference": D("0.04"),
    }
    code, out, _ = run_cli("evaluate", MISPRINTED, "--format", "json", "--lang", "en")
    data = json.loads(out, parse_float=D)
    grade = next(f for f in data["findings"] if f["code"] == "review.grade")
    assert grade["message"] == "[printed figure] grade: the form prints '优', but a total of 87.36 falls in the band '良' (80 and above) (rulesets/2019/department.yaml:138:3)"
    assert (grade["stated"], grade["computed"], grade["difference"]) == ("优", "良", None)


def test_batch_line_carries_the_review_findings_as_json_does():
    result = evaluate_file(MISPRINTED)
    for lang in ("zh", "en"):
        assert jsonl.line(result, lang) == json_out.dumps(json_out.as_dict(result, lang), indent=None)


def test_project_row_score_is_the_printed_score():
    result = evaluate_file(PROJECT)
    assert result.total == D("86.5")
    assert _review(result) == [
        ("18:114", "review.score", D("20"), D("16"), D("4")),
        ("26:10", "review.total", D("90.5"), D("86.5"), D("4")),
        ("27:18", "review.score_sum", D("50"), D("46"), D("4")),
    ]
    code, out, _ = run_cli("evaluate", PROJECT)
    assert out == (ROOT / "tests" / "golden" / "review-project-rows.txt").read_text(encoding="utf-8")


def test_markdown_and_html_reports_list_the_review_findings():
    for fmt in ("markdown", "html"):
        code, out, _ = run_cli("evaluate", MISPRINTED, "--format", fmt)
        assert code == 0
        assert "「参与干部培训人数」的得分：表上为 2，按规则 proportional" in out


def _unit_problems(tmp_path, stated: str) -> list[tuple[str, str]]:
    text = (ROOT / SEED_STATED).read_text(encoding="utf-8")
    text = text[: text.index("\nstated:")] + "\n" + stated
    text = text.replace("ruleset: ../../../rulesets/", f"ruleset: {ROOT}/rulesets/")
    path = tmp_path / "stated.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DiagnosticError) as err:
        evaluate_file(str(path))
    return [(f"{d.span.line}:{d.span.col}", d.code, d.message("zh")) for d in err.value.diagnostics]


def test_stated_section_problems_are_located_all_at_once(tmp_path):
    problems = _unit_problems(tmp_path, "stated:\n  totl: 87\n  total: 八十\n  groups: {产出指标: {scor: 38}}\n  indicators:\n    预算执行律: {score: 9}\n    预算调整率: 0\n")
    assert [(w, c) for w, c, _ in problems] == [
        ("141:3", "stated.unknown_key"),
        ("142:10", "input.not_number"),
        ("143:19", "stated.unknown_field"),
        ("145:5", "stated.unknown_indicator"),
        ("146:12", "stated.entry_not_mapping"),
    ]
    assert problems[3][2] == "stated 中的「预算执行律」不是规则集或指标行中的指标，是否应为「预算执行率」？"


def test_docs_review_worked_example_is_what_evaluate_prints():
    doc = (ROOT / "docs" / "review.md").read_text(encoding="utf-8")
    block = doc.split("的结果：总分 86.5，等级 良；发现的问题中：\n\n```\n", 1)[1].split("```", 1)[0]
    code, out, _ = run_cli("evaluate", "examples/review/training-project.yaml")
    assert code == 0
    assert "总分: 86.5    等级: 良" in out
    review_lines = [line.strip() for line in out.splitlines() if "【表上数字核对】" in line]
    assert review_lines == block.strip().splitlines()


def test_stated_figures_never_change_a_score():
    with_stated = evaluate_file(MISPRINTED)
    without = evaluate_file("examples/2019/hr-bureau.yaml")
    assert [(r.node.key, r.score) for r in with_stated.indicators] == [(r.node.key, r.score) for r in without.indicators]
    assert (with_stated.total, with_stated.grade) == (without.total, without.grade)


WEIGHTS_110 = "tests/fixtures/review/weights-110.yaml"


def test_weights_adding_up_to_110_are_scored_with_a_warning_naming_both_sums():
    result = evaluate_file("tests/fixtures/review/weights-110-data.yaml")
    assert (result.total, result.grade) == (D("105"), "优")  # each row by its own weight, summed
    notices = [(f"{f.span.file}:{f.span.line}:{f.span.col}", f.code, f.stated, f.computed, f.difference, f.message("zh")) for f in result.findings if f.kind == "ruleset"]
    assert notices == [
        ("tests/fixtures/review/weights-110-data.yaml:15:106", "policy.frame_weights", D("40"), D("35"), D("5"),
         "分值不一致：「效益指标」写明 40 分，而其下 1 项三级指标分值合计为 35；按口径照常评分（各项按自身分值计分）"),
        (f"{WEIGHTS_110}:35:3", "policy.total_mismatch", D("100"), D("110"), D("-10"),
         "分值不一致：满分写明 100 分，而一级指标分值合计为 110；按口径照常评分（总分为各项得分之和）"),
    ]
    assert _review(result) == []  # the printed total 105 is what the rule gives


def test_validate_lists_the_mismatch_as_a_warning_and_succeeds():
    code, out, err = run_cli("validate", WEIGHTS_110)
    assert code == 0, err
    assert out.splitlines()[0] == f"{WEIGHTS_110}:35:3: [警告] 一级指标分值合计为 110，应为 100"


def test_weights_mismatch_is_refused_by_default(tmp_path):
    text = (ROOT / WEIGHTS_110).read_text(encoding="utf-8").replace("weights_mismatch: warn", "weights_mismatch: refuse")
    path = tmp_path / "refuse.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run_cli("validate", str(path))
    assert code == 1
    assert f"{path}:35:3: 一级指标分值合计为 110，应为 100" in err.splitlines()
    path.write_text(text.replace("\npolicy:\n  weights_mismatch: refuse", "\n"), encoding="utf-8")
    assert run_cli("validate", str(path))[0] == 1


def test_a_section_label_is_a_stated_weight(tmp_path):
    text = (ROOT / SEED_STATED).read_text(encoding="utf-8").replace("ruleset: ../../../rulesets/", f"ruleset: {ROOT}/rulesets/")
    text = text.replace("产出指标: 38,", "产出指标: {score: 38, weight: 60},")
    path = tmp_path / "label.yaml"
    path.write_text(text, encoding="utf-8")
    result = evaluate_file(str(path))
    [f] = [f for f in result.findings if f.kind == "review"]
    assert (f.code, f.stated, f.computed, f.difference) == ("review.weight", D("60"), D("40"), D("20"))
    assert f.message("zh") == "【表上数字核对】「产出指标」的分值：表上为 60，规则（rulesets/2019/department.yaml:91:13）规定为 40，相差 20"


UNMEASURED = "tests/fixtures/review/unmeasured-data.yaml"


def _with_policy(tmp_path, mode: str) -> str:
    ruleset = (ROOT / "tests/fixtures/review/unmeasured.yaml").read_text(encoding="utf-8")
    (tmp_path / "unmeasured.yaml").write_text(ruleset.replace("unmeasured_actual: met_with_warning", f"unmeasured_actual: {mode}"), encoding="utf-8")
    data = (ROOT / UNMEASURED).read_text(encoding="utf-8")
    (tmp_path / "data.yaml").write_text(data, encoding="utf-8")
    return str(tmp_path / "data.yaml")


def _unmeasured(result):
    return [(f"{f.span.line}:{f.span.col}", f.code, f.args["value"], f.args["score"]) for f in result.findings if f.code.startswith("input.unmeasured")]


def test_unmeasured_actual_met_with_warning():
    result = evaluate_file(UNMEASURED)
    assert (result.total, result.grade) == (D("100"), "优")
    assert _unmeasured(result) == [
        ("14:92", "input.unmeasured_met", "≥300米", "30"),
        ("16:97", "input.unmeasured_met", "≥85%", "30"),
        ("17:97", "input.unmeasured_met", "较满意", "10"),
    ]
    f = next(f for f in result.findings if f.code == "input.unmeasured_met")
    assert f.message("zh") == "实际完成值未填实测数：「改造道路长度」的实际完成值是「≥300米」（年度指标值为 300米），不是实际完成的数字；按口径视为完成，记 30 分"
    assert result.find("改造道路长度").actual == "≥300米"  # shown as printed
    assert result.deviations == ()


def test_unmeasured_actual_zero_with_warning(tmp_path):
    result = evaluate_file(_with_policy(tmp_path, "zero_with_warning"))
    assert (result.total, result.grade) == (D("30"), "差")  # 预算执行率 10 + 验收合格率 20
    assert [c for _, c, _, s in _unmeasured(result) if s == "0"] == ["input.unmeasured_zero"] * 3
    code, out, _ = run_cli("explain", _with_policy(tmp_path, "zero_with_warning"), "改造道路长度")
    assert code == 0 and "得 0 分，满分 30 分" in out


def test_unmeasured_actual_error_is_the_default(tmp_path):
    with pytest.raises(DiagnosticError) as err:
        evaluate_file(_with_policy(tmp_path, "error"))
    assert [(d.span.line, d.code) for d in err.value.diagnostics] == [
        (14, "input.actual_is_target"), (16, "input.actual_is_target"), (17, "input.actual_not_number"),
    ]


LINT_DATA = "tests/fixtures/review/lints-data.yaml"


def _lints(result):
    return [(f"{f.span.line}:{f.span.col}", f.code, f.severity) for f in result.findings if f.kind == "lint"]


def test_design_lints_on_a_projects_rows_located_at_the_row():
    result = evaluate_file(LINT_DATA)
    assert _lints(result) == [
        ("16:5", "lint.money_as_quantity", "warning"),
        ("17:5", "lint.execution_rate_as_output", "warning"),
        ("19:5", "lint.qualitative_proportional", "warning"),  # target_without_unit is off in the ruleset
    ]
    assert result.total == evaluate_file(LINT_DATA, lint_choice=((), tuple(LINTS))).total  # lints change no score


def test_design_lints_switched_on_the_command_line():
    code, out, _ = run_cli("evaluate", LINT_DATA, "--enable-lint", "target_without_unit", "--disable-lint", "money_as_quantity", "--disable-lint", "qualitative_proportional")
    assert code == 0
    lines = [line.strip() for line in out.splitlines() if "【指标设计" in line]
    assert lines == [
        f"{LINT_DATA}:17:5: [警告] 【指标设计 execution_rate_as_output】产出指标「资金执行率」重复了预算执行率：执行率已在预算执行一项单独计分，不应再作为产出指标",
        f"{LINT_DATA}:18:5: [警告] 【指标设计 target_without_unit】定量指标「建设路灯」的指标值 300 没有计量单位：请写明单位（人、场、个、%…）",
    ]
    code, _, err = run_cli("evaluate", LINT_DATA, "--disable-lint", "money_as_quantiy")
    assert code == 2
    assert err.startswith("没有「money_as_quantiy」这项指标设计检查，是否应为「money_as_quantity」？")


def test_validate_reports_lints_on_the_rulesets_own_indicators(tmp_path):
    text = (ROOT / "rulesets/2019/department.yaml").read_text(encoding="utf-8")
    text = text.replace("{id: 参与干部培训人数, name: 参与干部培训人数, weight: 2, target: 140, operator: ≥, unit: 人,", "{id: 参与干部培训人数, name: 参与干部培训经费, weight: 2, target: 140, operator: ≥, unit: 万元,")
    text = text.replace("{id: 城镇新增就业人数, name: 城镇新增就业人数, weight: 3, target: 15000, operator: ≥, unit: 人,", "{id: 城镇新增就业人数, name: 城镇新增就业人数, weight: 3, target: 15000, operator: ≥,")
    text = text[: text.index("\ncases:")] + "\n"
    path = tmp_path / "department.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run_cli("validate", str(path))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"{path}:97:13: [警告] 【指标设计 money_as_quantity】「参与干部培训经费」以金额（万元）作为数量指标")
    assert lines[1].startswith(f"{path}:100:13: [警告] 【指标设计 target_without_unit】定量指标「城镇新增就业人数」的指标值 15000 没有计量单位")
    assert run_cli("validate", str(path), "--disable-lint", "money_as_quantity", "--disable-lint", "target_without_unit")[1].count("[警告]") == 0
    path.write_text(text + "lints: {money_as_quantiy: false}\n", encoding="utf-8")
    code, _, err = run_cli("validate", str(path))
    assert code == 1
    assert "lints 中没有「money_as_quantiy」这项检查，是否应为「money_as_quantity」？" in err


def test_group_weights_lint_hides_the_weights_warning_when_off():
    result = evaluate_file("tests/fixtures/review/weights-110-data.yaml", lint_choice=((), ("group_weights",)))
    assert [f for f in result.findings if f.kind == "ruleset"] == []
    assert result.total == D("105")


def test_shipped_rulesets_and_examples_have_no_lint_finding():
    for path in ("rulesets/2019/department.yaml", "rulesets/2019/project.yaml", "rulesets/2020/department.yaml", "rulesets/examples/hubei-2020-project.yaml", "rulesets/examples/national-project.yaml"):
        code, out, _ = run_cli("validate", path)
        assert (code, out.count("[警告]")) == (0, 0), path


GOALS = "tests/fixtures/review/hubei-goals-data.yaml"


def _tree(items, depth=0):
    for r in items:
        yield ("  " * depth + r.node.name, r.node.weight, r.score)
        yield from _tree(r.children, depth + 1)


def test_rows_grouped_by_goal_four_levels_deep():
    result = evaluate_file(GOALS)
    assert (result.total, result.grade) == (D("95"), "优")
    frame = result.find("年度绩效指标")
    assert list(_tree(frame.children)) == [
        ("年度绩效目标1", D("40"), D("36")),
        ("  产出指标", D("20"), D("16")), ("    数量指标", D("20"), D("16")), ("      新建公路里程", D("20"), D("16")),
        ("  效益指标", D("10"), D("10")), ("    社会效益指标", D("10"), D("10")), ("      受益人口", D("10"), D("10")),
        ("  满意度指标", D("10"), D("10")), ("    服务对象满意度指标", D("10"), D("10")), ("      沿线群众满意度", D("10"), D("10")),
        ("年度绩效目标2", D("40"), D("40")),
        ("  产出指标", D("30"), D("30")), ("    数量指标", D("20"), D("20")), ("      养护公路里程", D("20"), D("20")),
        ("    质量指标", D("10"), D("10")), ("      养护合格率", D("10"), D("10")),
        ("  效益指标", D("10"), D("10")), ("    可持续影响指标", D("10"), D("10")), ("      公路完好率", D("10"), D("10")),
    ]
    assert _review(result) == []  # every printed weight and score (goal 1: 40 / 36, its 产出指标 20 / 16) is right


def test_a_goals_printed_weight_is_checked_against_its_rows(tmp_path):
    text = (ROOT / GOALS).read_text(encoding="utf-8").replace("年度绩效目标2: {score: 40, weight: 40}", "年度绩效目标2: {score: 40, weight: 45}")
    (tmp_path / "hubei-goals.yaml").write_text((ROOT / "tests/fixtures/review/hubei-goals.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "data.yaml").write_text(text, encoding="utf-8")
    result = evaluate_file(str(tmp_path / "data.yaml"))
    assert [(c, s, c2, d) for _, c, s, c2, d in _review(result)] == [("review.weight_sum", D("45"), D("40"), D("5"))]


def test_goal_problems_are_located(tmp_path):
    text = (ROOT / GOALS).read_text(encoding="utf-8")
    text = text.replace("{goal: 年度绩效目标2, group: 产出指标, category: 数量指标, name: 养护公路里程", "{group: 产出指标, category: 数量指标, name: 养护公路里程")
    (tmp_path / "hubei-goals.yaml").write_text((ROOT / "tests/fixtures/review/hubei-goals.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "data.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DiagnosticError) as err:
        evaluate_file(str(tmp_path / "data.yaml"))
    assert [(d.span.line, d.code, d.args.get("field")) for d in err.value.diagnostics] == [(19, "rows.missing_field", "goal")]
    # a goal on rows of a frame that is not grouped by goal
    national = (ROOT / "examples/schemes/national-project.yaml").read_text(encoding="utf-8")
    national = national.replace("ruleset: ../../rulesets/", f"ruleset: {ROOT}/rulesets/").replace("{group: 产出指标,", "{goal: 目标1, group: 产出指标,", 1)
    (tmp_path / "national.yaml").write_text(national, encoding="utf-8")
    with pytest.raises(DiagnosticError) as err:
        evaluate_file(str(tmp_path / "national.yaml"))
    assert [d.code for d in err.value.diagnostics] == ["rows.goal_not_expected"]


def test_goals_need_a_mapping_of_first_levels(tmp_path):
    text = (ROOT / "rulesets/examples/national-project.yaml").read_text(encoding="utf-8")
    text = text.replace("{id: 产出指标, name: 产出指标, weight: 50, rows: data,", "{id: 产出指标, name: 产出指标, weight: 50, rows: data, goals: true,")
    text = text.replace("  - id: 预算执行率\n", "  - id: 预算执行率\n    goals: true\n")
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DiagnosticError) as err:
        validate_ruleset(str(path))
    assert sorted(d.code for d in err.value.diagnostics) == ["rows.goals_need_groups", "rows.goals_without_rows"]


def _forms(tmp_path):
    folder = tmp_path / "forms"
    folder.mkdir()
    for name in ("hr-bureau-stated.yaml", "hr-bureau-misprinted.yaml"):
        text = (FIXTURES / name).read_text(encoding="utf-8").replace("ruleset: ../../../rulesets/", f"ruleset: {ROOT}/rulesets/")
        (folder / name).write_text(text, encoding="utf-8")
    plain = (ROOT / "examples/2019/hr-bureau.yaml").read_text(encoding="utf-8").replace("ruleset: ../../rulesets/", f"ruleset: {ROOT}/rulesets/")
    (folder / "plain.yaml").write_text(plain, encoding="utf-8")
    return folder


def test_batch_review_summary_in_the_summary_file_and_the_workbook(tmp_path):
    pytest.importorskip("openpyxl")
    import openpyxl

    folder = _forms(tmp_path)
    out = tmp_path / "out.xlsx"
    code, stdout, err = run_cli("batch", str(folder), "--ruleset", "rulesets/2019/department.yaml", "--output", str(out))
    assert code == 0, err
    summary = json.loads((tmp_path / "out.xlsx.summary.json").read_text(encoding="utf-8"), parse_float=D)
    assert summary["review"] == {
        "forms": 2, "forms_with_differences": 1, "wrong_figures": 8,
        "largest_differences": [{
            "name": "武汉经济技术开发区（汉南区）人力资源局", "location": f"{folder}/hr-bureau-misprinted.yaml",
            "printed_total": D("88.00"), "total": D("87.36"), "wrong": 8, "largest_difference": D("2"),
        }],
    }
    assert "审核：2 份表印有得分，其中 1 份有印错的数，共 8 处；差额最大的：" in stdout
    book = openpyxl.load_workbook(out)
    sheet = book["审核汇总"]
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["位置", "名称", "表上总分", "计算总分", "表上数字错误数", "最大差额"],
        [f"{folder}/hr-bureau-misprinted.yaml", "武汉经济技术开发区（汉南区）人力资源局", 88, 87.36, 8, 2],
        [f"{folder}/hr-bureau-stated.yaml", "武汉经济技术开发区（汉南区）人力资源局", 87.36, 87.36, 0, None],
    ]
    assert sheet.auto_filter.ref == "A1:F3"  # sortable
    results = list(book["评价结果"].iter_rows(values_only=True))
    i = results[0].index("表上总分")
    assert results[0][i:i + 3] == ("表上总分", "表上数字错误数", "最大差额")
    assert [r[i:i + 3] for r in results[1:]] == [(88, 8, 2), (87.36, 0, None), (None, None, None)]


def test_strict_makes_any_wrong_printed_figure_exit_1(tmp_path):
    assert run_cli("evaluate", MISPRINTED)[0] == 0
    code, _, err = run_cli("evaluate", MISPRINTED, "--strict")
    assert code == 1
    assert err.strip().endswith("有 10 条警告；按 --strict 退出码为 1")
    assert run_cli("evaluate", "tests/fixtures/review/unmeasured-data.yaml")[0] == 0
    folder = _forms(tmp_path)
    assert run_cli("batch", str(folder), "--ruleset", "rulesets/2019/department.yaml", "--output", str(tmp_path / "o.jsonl"))[0] == 0
    code, _, err = run_cli("batch", str(folder), "--ruleset", "rulesets/2019/department.yaml", "--output", str(tmp_path / "o.jsonl"), "--strict")
    assert code == 1 and "有 14 条警告；按 --strict 退出码为 1" in err


def test_folder_summary_lists_the_forms_review_lines(tmp_path):
    folder = tmp_path / "projects"
    folder.mkdir()
    for name, src in (("a.yaml", FIXTURES / "project-row-scores.yaml"), ("b.yaml", ROOT / "examples/2019/projects/employment-subsidy.yaml")):
        text = src.read_text(encoding="utf-8").replace("ruleset: ../../../rulesets/", f"ruleset: {ROOT}/rulesets/")
        (folder / name).write_text(text, encoding="utf-8")
    code, out, _ = run_cli("evaluate", str(folder))
    assert code == 0
    assert out.splitlines()[-2:] == [
        "审核：1 份表印有得分，其中 1 份有印错的数（按错误数、最大差额排序）：",
        f"  审核示例项目（{folder}/a.yaml）：表上总分 90.5，计算总分 86.5，错 3 处，最大差额 4",
    ]
    code, out, _ = run_cli("evaluate", str(folder), "--format", "json")
    rows = json.loads(out, parse_float=D)["projects"]
    assert rows[0]["review"] == {"printed_total": D("90.5"), "computed_total": D("86.5"), "wrong_printed_figures": 3, "largest_difference": D("4")}
    assert "review" not in rows[1]
