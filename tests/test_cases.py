"""Test cases that live with a ruleset: `python cli.py test`, its failures
(expected vs actual) and its coverage report."""
from __future__ import annotations

import textwrap
from decimal import Decimal

from tests.conftest import EXAMPLE_2019, ROOT, RULESET_2019, run_cli


def ruleset_with_cases(tmp_path, cases: str, name: str = "wrong.yaml") -> str:
    """A ruleset that extends 2019 unchanged and carries `cases` (YAML)."""
    path = tmp_path / name
    head = f"extends: {RULESET_2019}\nid: cases-test\nyear: 2019\n"
    path.write_text(head + textwrap.dedent(cases), encoding="utf-8")
    return str(path)


def test_the_2019_ruleset_passes_its_seed_case_with_coverage_printed():
    code, out, err = run_cli("test", "rulesets/2019/department.yaml")
    assert code == 0, err
    expected = (ROOT / "tests" / "golden" / "test-2019.txt").read_text(encoding="utf-8")
    assert out == expected


def test_the_seed_case_checks_the_published_total_grade_and_every_score():
    from engine.ruleset.loading import load_plan
    from tests.test_golden import PUBLISHED

    case = load_plan(str(RULESET_2019)).ruleset.cases[0]
    assert (case.expect.total, case.expect.grade) == (Decimal("87.36"), "良")
    assert {k: str(v) for k, v in case.expect.scores.items()} == PUBLISHED


def test_a_wrong_expectation_fails_with_exit_1_and_a_readable_difference(tmp_path):
    path = ruleset_with_cases(tmp_path, f"""
        cases:
          - name: 故意写错的期望
            data: {EXAMPLE_2019}
            expect:
              total: 90
              grade: 优
              scores: {{预算执行率: 10, 预算调整率: 0}}
    """)
    code, out, _ = run_cli("test", path)
    assert code == 1
    assert out.splitlines()[:5] == [
        f"{path}：1 个用例，0 个通过，1 个失败",
        f"  失败  故意写错的期望（{path}:6:5）",
        "        总分：期望 90，实际 87.36",
        "        等级：期望 优，实际 良",
        "        「预算执行率」得分：期望 10，实际 9.36",
    ]
    code, out, _ = run_cli("test", path, "--lang", "en")
    assert code == 1
    assert out.splitlines()[1:5] == [
        f"  FAIL  故意写错的期望 ({path}:6:5)",
        "        total: expected 90, actual 87.36",
        "        grade: expected 优, actual 良",
        "        score of '预算执行率': expected 10, actual 9.36",
    ]


def test_a_case_that_cannot_run_fails_with_located_problems(tmp_path):
    bad = tmp_path / "bad-data.yaml"
    bad.write_text(EXAMPLE_2019.read_text(encoding="utf-8").replace("actual: 872 ", "actual: ≥800 "), encoding="utf-8")
    path = ruleset_with_cases(tmp_path, """
        cases:
          - name: 数据有误
            data: bad-data.yaml
            expect: {total: 87.36}
          - name: 数据文件不存在
            data: missing.yaml
            expect: {total: 87.36}
          - name: 指标名写错
            data: bad-data.yaml
            expect: {scores: {预算执行律: 9.36}}
    """)
    code, out, _ = run_cli("test", path)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].endswith("3 个用例，0 个通过，3 个失败")
    line = next(i for i, t in enumerate(EXAMPLE_2019.read_text(encoding="utf-8").splitlines(), 1) if "actual: 872" in t)
    _, _, err = run_cli("evaluate", str(bad), "--ruleset", str(RULESET_2019))
    data_problem = err.splitlines()[0]  # the data's own problem, as evaluate reports it
    assert data_problem.startswith(f"{bad}:{line}:13: ") and "帮扶就业困难群体就业创业人数" in data_problem
    assert f"        {data_problem}" in lines
    assert f"        {path}:10:11: 用例的数据文件不存在：{tmp_path}/missing.yaml（路径相对于规则集文件）" in lines
    assert f"        {path}:14:23: 用例检验的指标「预算执行律」在规则集中不存在（是否应为「预算执行率」？）" in lines


def test_cases_are_not_inherited_and_a_ruleset_without_cases_says_so(tmp_path):
    path = ruleset_with_cases(tmp_path, "")
    code, out, _ = run_cli("test", path)
    assert code == 0
    assert out.splitlines()[0] == f"{path}：没有测试用例（可在规则集中加入 cases:，见 docs/years.md）"
    assert "    指标得分：17 项末级指标中 0 项的得分有用例检验；未检验：预算执行率、" in out


def test_coverage_names_every_band_no_case_reaches():
    code, out, _ = run_cli("test", "2020")
    assert code == 0
    assert "      预算调整率（bands）：第 1 档、第 2 档、第 3 档、第 4 档、不在任何一档" in out.splitlines()
    code, out, _ = run_cli("test", "2020", "--lang", "en")
    assert "      预算调整率 (bands): band 1, band 2, band 3, band 4, in no band" in out.splitlines()


def test_several_rulesets_in_one_run():
    code, out, _ = run_cli("test", "rulesets/2019/department.yaml", "rulesets/2020/department.yaml")
    assert code == 0
    assert "rulesets/2019/department.yaml：1 个用例，1 个通过，0 个失败" in out
    assert "rulesets/2020/department.yaml：1 个用例，1 个通过，0 个失败" in out


def test_validate_runs_every_formula_through_simpleeval_on_the_rulesets_own_cases(monkeypatch):
    """simpleeval is the reference: `validate` runs each formula of the ruleset
    on its cases' data through both evaluators, and a difference is reported
    (here the compiled evaluator is made wrong for one formula)."""
    from engine.ruleset.formula import Formula

    assert run_cli("validate", "rulesets/2019/department.yaml")[0] == 0
    real = Formula.evaluate

    def skewed(self, env):
        value = real(self, env)
        return value + 1 if self.text == "round_half_up(全年执行数 / 全年预算数, 4)" else value

    monkeypatch.setattr(Formula, "evaluate", skewed)
    code, out, err = run_cli("validate", "rulesets/2019/department.yaml")
    assert code == 1 and out == ""
    line = err.splitlines()[0]
    assert line == "rulesets/2019/department.yaml:184:5: 「预算执行率」的公式 round_half_up(全年执行数 / 全年预算数, 4) 在本用例上的计算结果与参考求值器（simpleeval）不一致：1.9359 ≠ 0.9359。这是 jixiao 的缺陷，请报告维护者"
