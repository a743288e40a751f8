"""No output replaces an input (issue 13): results, --errors, the summary
beside the results and every command's --output are refused (exit 2, nothing
written) when they are the same file as any input — the data, the ruleset and
every file of its `extends:` chain, --rows, --columns, a folder's unit files —
however the path is spelled (symlink, `..`, hard link)."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLE_2019, ROOT, run_cli

REFUSED = "就是输入文件，写入会覆盖原始数据；请换一个输出文件名"


def _tree(tmp: Path) -> dict[str, Path]:
    """2019 and 2020 rulesets (2020 extends 2019), a data file, a JSONL file,
    a folder of units, the batch fixtures' CSV with a column mapping."""
    (tmp / "2019").mkdir()
    (tmp / "2020").mkdir()
    shutil.copy(ROOT / "rulesets/2019/department.yaml", tmp / "2019/department.yaml")
    shutil.copy(ROOT / "rulesets/2020/department.yaml", tmp / "2020/department.yaml")
    data = tmp / "hr-bureau.yaml"
    text = EXAMPLE_2019.read_text(encoding="utf-8")
    assert "\nruleset: 2019/department\n" in text
    data.write_text(text.replace("\nruleset: 2019/department\n", "\nruleset: ./2019/department.yaml\n"), encoding="utf-8")
    jsonl = tmp / "units.jsonl"
    shutil.copy(ROOT / "tests/fixtures/batch/units.jsonl", jsonl)
    folder = tmp / "units"
    folder.mkdir()
    shutil.copy(data, folder / "a.yaml")
    columns = tmp / "columns.yaml"
    columns.write_text("key: 名称\n", encoding="utf-8")
    return {"parent": tmp / "2019/department.yaml", "child": tmp / "2020/department.yaml", "data": data, "jsonl": jsonl, "folder": folder, "unit": folder / "a.yaml", "columns": columns}


def _snapshot(tmp: Path) -> dict[str, bytes]:
    return {str(p.relative_to(tmp)): p.read_bytes() for p in sorted(tmp.rglob("*")) if p.is_file() or p.is_symlink() and p.exists()}


def _spell(tmp: Path, target: Path, how: str) -> str:
    """Another name for `target`."""
    if how == "as is":
        return str(target)
    if how == "dotdot":
        return str(target.parent / ".." / target.parent.name / target.name)
    if how == "relative":
        return os.path.relpath(target)
    alias = tmp / f"alias-{how}{target.suffix}"
    if how == "symlink":
        alias.symlink_to(target)
    else:
        os.link(target, alias)
    return str(alias)


# (command line, the input the output aliases); {x} are the tree's paths
CASES = [
    ("batch {jsonl} --ruleset {child} --output OUT", "jsonl"),
    ("batch {jsonl} --ruleset {child} --output OUT", "child"),
    ("batch {jsonl} --ruleset {child} --output OUT", "parent"),
    ("batch {jsonl} --ruleset {child} --errors OUT", "jsonl"),
    ("batch {jsonl} --ruleset {child} --errors OUT", "parent"),
    ("batch {folder} --ruleset {parent} --output OUT", "unit"),
    ("batch {jsonl} --ruleset {parent} --columns {columns} --output OUT", "columns"),
    ("evaluate {data} --ruleset {child} --output OUT", "data"),
    ("evaluate {data} --ruleset {child} --output OUT", "parent"),
    ("evaluate {data} --output OUT", "parent"),
    ("evaluate {folder} --ruleset {child} --output OUT", "unit"),
    ("evaluate {folder} --ruleset {child} --output OUT", "parent"),
    ("show {child} --output OUT", "parent"),
    ("show {child} --resolved --output OUT", "child"),
    ("init 2021 --from {child} --output OUT", "parent"),
]


@pytest.mark.parametrize("how", ["as is", "dotdot", "symlink", "hardlink"])
@pytest.mark.parametrize("line, aliased", CASES)
def test_an_output_onto_any_input_is_a_usage_error_and_nothing_is_written(tmp_path, monkeypatch, line, aliased, how):
    monkeypatch.chdir(tmp_path)
    paths = _tree(tmp_path)
    out = _spell(tmp_path, paths[aliased], how)
    argv = [out if a == "OUT" else a.format(**{k: str(v) for k, v in paths.items()}) for a in line.split()]
    before = _snapshot(tmp_path)
    code, stdout, stderr = run_cli(*argv)
    assert code == 2, stderr
    assert stderr.strip().endswith(REFUSED) and stdout == ""
    assert _snapshot(tmp_path) == before  # the input kept, no temporary, no summary file


def test_the_summary_beside_the_results_cannot_replace_an_input(tmp_path):
    paths = _tree(tmp_path)
    victim = paths["folder"] / "r.jsonl.summary.json"  # a unit file of the input folder
    victim.write_text(json.dumps({"subject": "x"}), encoding="utf-8")
    before = _snapshot(tmp_path)
    code, _, err = run_cli("batch", str(paths["folder"]), "--ruleset", str(paths["parent"]), "--output", str(paths["folder"] / "r.jsonl"))
    assert code == 2 and REFUSED in err
    assert _snapshot(tmp_path) == before


def test_a_batch_row_file_is_an_input_too(tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("a,b\n", encoding="utf-8")
    units = tmp_path / "units.csv"
    units.write_text("名称\n", encoding="utf-8")
    (tmp_path / "x").mkdir()
    before = rows.read_bytes()
    code, _, err = run_cli("batch", str(units), "--ruleset", "rulesets/2019/department.yaml", "--rows", str(rows), "--output", str(tmp_path / "x" / ".." / "rows.csv"))
    assert code == 2 and REFUSED in err
    assert rows.read_bytes() == before


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hops=st.lists(st.sampled_from(["sub", "..", "."]), max_size=4), link=st.sampled_from([None, "symlink", "hardlink"]))
def test_any_spelling_of_an_input_is_refused(tmp_path_factory, hops, link):
    """Any path that leads to the ruleset (through folders up and down, and
    through a symlink or a hard link) is refused as `evaluate --output`."""
    tmp = tmp_path_factory.mktemp("spell")
    paths = _tree(tmp)
    (tmp / "sub").mkdir()
    target = paths["parent"]
    if link is not None:
        target = Path(_spell(tmp, target, link))
    here = tmp
    for hop in hops:
        here = here / hop
    spelled = str(here / os.path.relpath(target, os.path.normpath(str(here)) if os.path.isdir(os.path.normpath(str(here))) else tmp))
    if not os.path.exists(spelled):
        return
    before = _snapshot(tmp)
    code, _, err = run_cli("evaluate", str(paths["data"]), "--ruleset", str(paths["child"]), "--output", spelled)
    assert code == 2 and REFUSED in err
    assert _snapshot(tmp) == before


def test_outputs_to_devices_are_not_inputs(tmp_path):
    code, _, err = run_cli("evaluate", "--output", os.devnull)
    assert code == 0, err
