"""Project self-evaluations: the seed department's 2019 projects, the example
schemes of other bureaus, and the summary across projects (项目支出自评情况汇总表)."""
from __future__ import annotations

import json
import shutil
from decimal import Decimal

import pytest

from tests.conftest import ROOT, run_cli

PROJECTS = ROOT / "examples" / "2019" / "projects"
GOLDEN = ROOT / "tests" / "golden"

# file → (执行率 score, total, grade), checked by hand from the seed's figures
# (both budget units summed) and each file's illustrative indicators.
SEED_PROJECTS = {
    "cadre-training.yaml": ("8.17", "75.17", "中"),  # 40.01 / 49.00 = 81.65%; 8.17 + 30 + 10 + 5 + 12 + 10
    "contract-staff-wages.yaml": ("8.64", "95.64", "优"),  # 40.17 / 46.48 = 86.42%; 8.64 + 55 + 22 + 10
    "employment-subsidy.yaml": ("9.66", "97.66", "优"),  # 2,252.13 / 2,330.54 = 96.64%; 9.66 + 55 + 23 + 10
    "labour-arbitration.yaml": ("8.92", "95.59", "优"),  # 45.55 / 51.07 = 89.19%; 8.92 + 43.67 + 23 + 20
    "labour-inspection.yaml": ("9.63", "97.13", "优"),  # 358.52 / 372.23 = 96.32%; 9.63 + 48.5 + 24 + 15
    "veteran-enterprise-relief.yaml": ("0", "29", "差"),  # nothing spent; 0 + 2 + 27 + 0 (N/A)
}


def _json(out: str) -> dict:
    return json.loads(out, parse_float=Decimal, parse_int=Decimal)


@pytest.mark.parametrize("name, expected", SEED_PROJECTS.items())
def test_each_seed_project_scores(name, expected):
    code, out, err = run_cli("evaluate", str(PROJECTS / name), "--format", "json")
    assert code == 0, err
    data = _json(out)
    execution = data["indicators"][0]
    assert (execution["name"], execution["score"]) == ("预算执行率", Decimal(expected[0]))
    assert (data["total"], data["grade"]) == (Decimal(expected[1]), expected[2])


def test_seed_projects_are_labelled_illustrative():
    for path in PROJECTS.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert "示意" in text and "illustrative" in text.lower(), path.name


def test_project_text_and_json_match_reviewed_golden_files():
    """The result tree, JSON and deviations of a project, whole."""
    for fmt, suffix in (("text", "txt"), ("json", "json")):
        code, out, err = run_cli("evaluate", "examples/2019/projects/employment-subsidy.yaml", "--format", fmt)
        assert code == 0, err
        assert out == (GOLDEN / f"project-employment-subsidy-2019.{suffix}").read_text(encoding="utf-8")


@pytest.mark.parametrize("data, total, execution", [
    ("examples/schemes/hubei-2020-project.yaml", "91.99", "18"),  # 20 × 90% + 73.99
    ("examples/schemes/national-project.yaml", "94.58", "9.58"),  # 10 × 95.83% + 48 + 27 + 10
])
def test_example_schemes_validate_and_evaluate(data, total, execution):
    ruleset = data.replace("examples/schemes/", "rulesets/examples/")
    code, out, err = run_cli("validate", ruleset)
    assert code == 0, err
    code, out, err = run_cli("evaluate", data, "--format", "json")
    assert code == 0, err
    result = _json(out)
    assert (result["total"], result["grade"], result["indicators"][0]["score"]) == (Decimal(total), "优", Decimal(execution))
    assert result["findings"] == []


def test_hubei_band_edge_accepts_what_the_national_edge_refuses(tmp_path):
    """部分达成 at 2.5 of 5 is inside Hubei's [50%, 80%) and outside the national [60%, 80%)."""
    code, out, err = run_cli("evaluate", "examples/schemes/hubei-2020-project.yaml", "--ruleset", "rulesets/2019/project.yaml")
    assert code == 1
    assert "评为「部分达成」，得分应在 [3, 4) 之间，这里是 2.5" in err


def test_summary_of_the_projects_folder():
    code, out, err = run_cli("evaluate", "examples/2019/projects/", "--format", "json")
    assert code == 0, err
    data = _json(out)
    rows = data["projects"]
    assert [r["name"] for r in rows] == [
        "机关事业单位干部培训、档案管理、公开招录专项经费", "合同人员工资", "就业创业资金补助项目",
        "劳动人事仲裁专项经费", "劳动保障监察经费项目", "企业涉军群体维稳解困",
    ]
    assert [(r["budget"], r["spent"], r["rate"], r["score"], r["grade"], r["findings"]) for r in rows] == [
        (Decimal("49"), Decimal("40.01"), Decimal("0.8165"), Decimal("75.17"), "中", 1),
        (Decimal("46.48"), Decimal("40.17"), Decimal("0.8642"), Decimal("95.64"), "优", 1),
        (Decimal("2330.54"), Decimal("2252.13"), Decimal("0.9664"), Decimal("97.66"), "优", 0),
        (Decimal("51.07"), Decimal("45.55"), Decimal("0.8919"), Decimal("95.59"), "优", 1),
        (Decimal("372.23"), Decimal("358.52"), Decimal("0.9632"), Decimal("97.13"), "优", 1),
        (Decimal("25"), Decimal("0"), Decimal("0"), Decimal("29"), "差", 0),
    ]
    totals = data["totals"]
    # Σ 全年预算数 2,874.32 and Σ 全年执行数 2,736.38 are the department's 项目支出 rows summed
    assert (totals["budget"], totals["spent"]) == (Decimal("2874.32"), Decimal("2736.38"))
    assert totals["rate"] == Decimal("0.9520")  # 2,736.38 / 2,874.32
    assert totals["weighted_score"] == Decimal("96.54")  # Σ score × budget 277,490.6948 / 2,874.32 = 96.5413
    assert totals["mean_score"] == Decimal("81.70")  # 490.19 / 6
    assert totals["grades"] == {"优": 4, "中": 1, "差": 1}
    assert (totals["projects"], totals["evaluated"], totals["failed"], totals["findings"]) == (6, 6, 0, 4)


def test_summary_text_and_json_match_reviewed_golden_files():
    for fmt, suffix in (("text", "txt"), ("json", "json")):
        code, out, err = run_cli("evaluate", "examples/2019/projects", "--format", fmt)
        assert code == 0, err
        assert out == (GOLDEN / f"projects-2019-summary.{suffix}").read_text(encoding="utf-8")


def test_summary_of_several_files_in_english():
    code, out, _ = run_cli("evaluate", "examples/schemes/hubei-2020-project.yaml", "examples/schemes/national-project.yaml", "--lang", "en")
    assert code == 0
    assert out.startswith("Summary of project self-evaluations\n")
    assert "2 project(s): 2 evaluated, 0 failed" in out
    # (91.99 × 480 + 94.58 × 1,200) / 1,680 = 93.84; (432 + 1,150) / 1,680 = 94.17%
    assert "score weighted by full-year budget: 93.84; simple mean: 93.29; overall execution rate: 94.17%" in out


def _broken_copy(tmp_path):
    folder = tmp_path / "projects"
    shutil.copytree(PROJECTS, folder)
    bad = folder / "labour-inspection.yaml"
    text = bad.read_text(encoding="utf-8").replace("target: 600, actual: 650, weight: 20", "target: 600, actual: ≥600户次, weight: 20")
    bad.write_text(text, encoding="utf-8")
    line = next(n for n, s in enumerate(text.splitlines(), 1) if "≥600户次" in s)
    col = text.splitlines()[line - 1].index("≥600户次") + 1
    return folder, line, col


def test_a_failed_project_is_listed_and_located_without_hiding_the_others(tmp_path):
    folder, line, col = _broken_copy(tmp_path)
    output = tmp_path / "summary.json"
    code, out, err = run_cli("evaluate", str(folder), "--ruleset", "rulesets/2019/project.yaml", "--format", "json", "--output", str(output))
    assert code == 1
    assert f"labour-inspection.yaml:{line}:{col}: 指标「劳动保障监察执法检查户次」的实际完成值「≥600户次」照抄了指标值（年度指标值为 600户次）：请填写实际完成的数字" in err
    assert not output.exists()  # written only after complete success
    assert "未写入" in err
    data = _json(out)
    assert [r["status"] for r in data["projects"]] == ["evaluated"] * 4 + ["failed", "evaluated"]
    failed = data["projects"][4]
    assert failed["problems"][0]["location"].endswith(f"labour-inspection.yaml:{line}:{col}")
    assert (data["totals"]["evaluated"], data["totals"]["failed"]) == (5, 1)
    assert data["totals"]["budget"] == Decimal("2502.09")  # 2,874.32 − 372.23


def test_summary_written_atomically_on_success(tmp_path):
    output = tmp_path / "summary.txt"
    code, out, err = run_cli("evaluate", "examples/2019/projects", "--output", str(output))
    assert code == 0 and out == ""
    assert output.read_text(encoding="utf-8") == (GOLDEN / "projects-2019-summary.txt").read_text(encoding="utf-8")


def test_folder_without_data_files(tmp_path):
    code, out, err = run_cli("evaluate", str(tmp_path))
    assert code == 1
    assert "中没有数据文件" in err
