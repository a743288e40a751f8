"""`init YEAR --from RULESET`: next year's ruleset as an `extends` file with
the usual edit points commented; written atomically, never over a file."""
from __future__ import annotations

import json
import os
import re
import shutil

import jsonschema
import pytest

from engine.ruleset.loading import load_plan
from engine.base.diagnostics import DiagnosticError
from engine.ruleset.inherit import resolve_chain
from engine.tools.scaffold import default_path
from engine.load.yaml_loader import load_text
from tests.conftest import EXAMPLE_2019, ROOT, run_cli
from tests.test_schema import as_json

RULESET_2020 = ROOT / "rulesets" / "2020" / "department.yaml"


def scaffold(tmp_path) -> str:
    out = tmp_path / "2021" / "department.yaml"
    out.parent.mkdir()  # a given --output's folder must exist, as for every --output
    code, stdout, err = run_cli("init", "2021", "--from", "rulesets/2020/department.yaml", "--output", str(out))
    assert code == 0, err
    assert stdout == f"已生成 {out}（继承 rulesets/2020/department.yaml）；修改后运行 jixiao validate {out}\n"
    return str(out)


def uncommented(text: str, block: str) -> str:
    """The commented example `block` (e.g. 'indicators') made live."""
    lines = text.splitlines()
    start = lines.index(f"# {block}:")
    end = next(i for i in range(start + 1, len(lines)) if lines[i] == "#")
    live = [ln[2:] for ln in lines[start:end]]
    return "\n".join(lines[:start] + live + lines[end:]) + "\n"


def test_init_scaffolds_an_extends_file_that_resolves_to_last_years_scheme(tmp_path):
    path = scaffold(tmp_path)
    text = open(path, encoding="utf-8").read()
    assert text.splitlines()[0].startswith("# yaml-language-server: $schema=")
    assert "\n# 1. 调整分值" not in text and "\n#   # 1. 调整分值" in text  # edit points, commented
    raw, _ = load_text(text, path)
    assert {k: raw[k] for k in ("id", "title", "year")} == {"id": "wuhan-edz-department-2021", "title": "部门整体支出绩效自评（2021年度）", "year": 2021}
    new, old = resolve_chain(path).raw, resolve_chain(str(RULESET_2020)).raw
    mine = ("id", "title", "year", "extends", "cases")
    assert {k: v for k, v in new.items() if k not in mine} == {k: v for k, v in old.items() if k not in mine}
    assert [n.key for n in load_plan(path).leaves] == [n.key for n in load_plan(str(RULESET_2020)).leaves]
    schema = json.loads((ROOT / "rulesets" / "ruleset.schema.json").read_text(encoding="utf-8"))
    assert list(jsonschema.Draft7Validator(schema).iter_errors(as_json(raw))) == []


def test_the_schema_comment_and_extends_are_relative_to_the_new_file(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "rulesets", tmp_path / "rulesets")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli("init", "2021", "--from", "2020")
    assert code == 0
    text = (tmp_path / "rulesets" / "2021" / "department.yaml").read_text(encoding="utf-8")
    assert "\nextends: ../2020/department.yaml\n" in text
    schema = re.match(r"# yaml-language-server: \$schema=(.*)", text).group(1)
    assert (tmp_path / "rulesets" / "2021" / schema).resolve() == (tmp_path / "rulesets" / "ruleset.schema.json").resolve()
    assert default_path("rulesets/2020/department.yaml", 2021) == "rulesets/2021/department.yaml"


def test_init_from_a_bundled_ruleset_writes_beside_the_user_and_names_it(tmp_path, monkeypatch):
    """Outside the project (as an installed jixiao is used), the new file goes to ./rulesets/<year>/,
    never among the bundled files, and it extends the bundled ruleset by name."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("init", "2022", "--from", "2020/department")
    new = os.path.join("rulesets", "2022", "department.yaml")
    assert (code, out, err) == (0, f"已生成 {new}（继承 2020/department）；修改后运行 jixiao validate {new}\n", "")
    assert not (ROOT / "rulesets" / "2022").exists()
    text = (tmp_path / new).read_text(encoding="utf-8")
    assert "\nextends: 2020/department\n" in text and "#   jixiao diff 2020/department rulesets/2022/department.yaml 数据文件" in text
    schema = re.match(r"# yaml-language-server: \$schema=(.*)", text).group(1)
    assert (tmp_path / "rulesets" / "2022" / schema).resolve() == (ROOT / "rulesets" / "ruleset.schema.json").resolve()
    assert run_cli("validate", new) == (0, f"{new}：规则集有效（17 项指标，满分 100）\n", "")
    code, out, _ = run_cli("evaluate", str(EXAMPLE_2019), "--ruleset", "2022/department")
    assert code == 0 and "总分: 89.36    等级: 良\n" in out  # 2020's bands give 预算调整率 31.21% two points


def test_init_never_overwrites(tmp_path):
    path = scaffold(tmp_path)
    open(path, "a", encoding="utf-8").write("# my edits\n")
    code, out, err = run_cli("init", "2021", "--from", "rulesets/2020/department.yaml", "--output", path)
    assert code == 1 and out == ""
    assert err == f"{path} 已存在，不会覆盖；请换一个 --output 路径或先移走原文件\n"
    assert open(path, encoding="utf-8").read().endswith("# my edits\n")
    assert [p.name for p in (tmp_path / "2021").iterdir()] == ["department.yaml"]  # no temporary file left


def test_the_commented_examples_are_real_edits(tmp_path):
    path = scaffold(tmp_path)
    text = open(path, encoding="utf-8").read()
    here = os.path.dirname(path)  # beside the scaffold, so its relative `extends:` still holds
    for block in ("grades", "metrics"):
        live = os.path.join(here, f"{block}.yaml")
        open(live, "w", encoding="utf-8").write(uncommented(text, block))
        load_plan(live)  # valid as it stands
    live = os.path.join(here, "indicators.yaml")
    open(live, "w", encoding="utf-8").write(uncommented(text, "indicators"))
    with pytest.raises(DiagnosticError) as e:
        load_plan(live)
    # every example applies; what is left is rebalancing the weights, reported at the edits
    assert {d.code for d in e.value.diagnostics} == {"inherit.weights_mismatch"}
    assert {d.span.file for d in e.value.diagnostics} == {str(live)}


@pytest.mark.parametrize("argv, code, message", [
    (["init", "21", "--from", "2020"], 2, "年度应为四位数字，如 2021\n"),
    (["init", "2021", "--from", "1999"], 2, "没有 1999 年度的规则集（在 rulesets 中都找不到文件夹 1999/）\n"),
])
def test_init_usage_mistakes(argv, code, message):
    assert run_cli(*argv)[0::2] == (code, message)
