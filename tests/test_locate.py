"""Rulesets named by path, `YEAR/kind` or id along the search path
(`--rulesets`, JIXIAO_RULESETS, ./rulesets, the bundled ones), and a data
file's ruleset confined to that path and the data file's own folder."""
from __future__ import annotations

import shutil

from tests.conftest import EXAMPLE_2019, ROOT, run_cli


def _total(out: str) -> str:
    return next(line for line in out.splitlines() if line.startswith("总分"))


def test_a_ruleset_is_named_by_path_year_kind_or_id():
    for ref in ("rulesets/2019/department.yaml", "2019/department", "wuhan-edz-department-2019"):
        code, out, err = run_cli("evaluate", str(EXAMPLE_2019), "--ruleset", ref)
        assert code == 0, err
        assert _total(out) == "总分: 87.36    等级: 良"


def test_a_data_file_copied_elsewhere_still_finds_its_ruleset(tmp_path, monkeypatch):
    shutil.copy(EXAMPLE_2019, tmp_path / "hr-bureau.yaml")
    monkeypatch.chdir(tmp_path)  # no ./rulesets here: the bundled ones are found
    code, out, err = run_cli("evaluate", "hr-bureau.yaml")
    assert code == 0, err
    assert _total(out) == "总分: 87.36    等级: 良"


def test_an_unknown_name_lists_the_search_path_and_the_nearest_ids(tmp_path):
    extra = tmp_path / "mine"
    extra.mkdir()
    code, out, err = run_cli("--rulesets", str(extra), "evaluate", str(EXAMPLE_2019), "--ruleset", "wuhan-edz-department-2018")
    assert code == 1 and out == ""
    assert err.splitlines()[0] == (
        f"找不到规则集「wuhan-edz-department-2018」（已查找：{extra}、rulesets）；"
        "是否应为「wuhan-edz-department-2019、wuhan-edz-department-2020、wuhan-edz-project-2019」？"
    )


def test_two_rulesets_with_one_id_is_an_error_naming_both(tmp_path):
    extra = tmp_path / "mine" / "2019"
    extra.mkdir(parents=True)
    shutil.copy(ROOT / "rulesets" / "2019" / "department.yaml", extra / "copy.yaml")
    code, out, err = run_cli("--rulesets", str(tmp_path / "mine"), "evaluate", str(EXAMPLE_2019), "--ruleset", "wuhan-edz-department-2019")
    assert code == 1
    assert err.splitlines()[0] == (
        f"有两个规则集的 id 都是「wuhan-edz-department-2019」：{extra / 'copy.yaml'} 和 rulesets/2019/department.yaml；"
        "请删除或改名其中一个，或写出文件路径"
    )
    # a YEAR/kind name resolves to the first folder that has it: the given folder shadows ./rulesets
    code, out, err = run_cli("--rulesets", str(tmp_path / "mine"), "evaluate", str(EXAMPLE_2019), "--ruleset", "2019/copy")
    assert code == 0, err


def test_the_environment_variable_adds_a_folder(tmp_path, monkeypatch):
    extra = tmp_path / "bureau" / "2021"
    extra.mkdir(parents=True)
    (extra / "department.yaml").write_text("extends: 2020/department\nid: bureau-2021\nyear: 2021\n", encoding="utf-8")
    monkeypatch.setenv("JIXIAO_RULESETS", str(tmp_path / "bureau"))
    code, out, err = run_cli("evaluate", str(EXAMPLE_2019), "--ruleset", "bureau-2021")
    assert code == 0, err
    assert _total(out) == "总分: 89.36    等级: 良"  # the 2020 scheme, inherited by name


def test_a_data_file_cannot_reach_files_outside_the_search_path_and_its_folder(tmp_path):
    folder = tmp_path / "unit"
    folder.mkdir()
    for ref in ("/etc/passwd.yaml", "../outside.yaml", "/etc/shadow.yml"):
        data = folder / "u.yaml"
        data.write_text(f"ruleset: {ref}\nsubject: 某单位\n", encoding="utf-8")
        code, out, err = run_cli("evaluate", str(data))
        assert code == 1 and out == ""
        assert err.splitlines()[0] == (
            f"{data}:1:10: 数据文件指定的规则集「{ref}」不在规则集搜索路径中，也不在数据文件所在文件夹内；"
            "为安全起见不予读取。请改写为规则集名称（如 2019/department），或在命令中用 --ruleset 指定"
        )


def test_a_ruleset_beside_the_data_file_may_not_extend_one_outside(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copy(ROOT / "rulesets" / "2019" / "department.yaml", outside / "parent.yaml")
    folder = tmp_path / "unit"
    folder.mkdir()
    (folder / "ruleset.yaml").write_text(f"extends: {outside / 'parent.yaml'}\nid: x\nyear: 2020\n", encoding="utf-8")
    data = folder / "u.yaml"
    data.write_text(EXAMPLE_2019.read_text(encoding="utf-8").replace("ruleset: 2019/department", "ruleset: ruleset.yaml"), encoding="utf-8")
    code, out, err = run_cli("evaluate", str(data))
    assert code == 1
    assert err.splitlines()[0].startswith(f"{folder / 'ruleset.yaml'}:1:10: 数据文件指定的规则集「{outside / 'parent.yaml'}」不在规则集搜索路径中")
    # the user's own --ruleset is trusted, with its whole chain
    code, out, err = run_cli("evaluate", str(data), "--ruleset", str(folder / "ruleset.yaml"))
    assert code == 0, err
    assert _total(out) == "总分: 87.36    等级: 良"


def test_years_and_names_resolve_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("diff", "2019", "2020")
    assert code == 0, err
    assert "「预算调整率」计分方法：达标计分（全有或全无） → 分档计分" in out
    code, out, err = run_cli("validate", "2019/department", "wuhan-edz-project-2019")
    assert code == 0, err
    assert len(out.splitlines()) == 2
