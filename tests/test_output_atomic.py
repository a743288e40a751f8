"""Atomic output: a file appears complete or not at all, only after success."""
from __future__ import annotations

import os
import stat

import pytest

from engine.base import fileio
from engine.base.fileio import write_atomic
from tests.conftest import run_cli

OLD = "旧的结果\n".encode("utf-8")


def _names(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_writes_new_file_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "out.json"
    write_atomic(str(target), "总分 87.36\n")
    assert target.read_bytes() == "总分 87.36\n".encode("utf-8")
    assert _names(tmp_path) == ["out.json"]


def test_replaces_existing_file_keeping_its_permissions(tmp_path):
    target = tmp_path / "out.txt"
    target.write_bytes(OLD)
    os.chmod(target, 0o600)
    write_atomic(str(target), b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert _names(tmp_path) == ["out.txt"]


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_failure_leaves_existing_file_intact_and_no_temporary_file(tmp_path, monkeypatch, failing):
    target = tmp_path / "out.txt"
    target.write_bytes(OLD)

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, failing, boom)
    with pytest.raises(OSError):
        write_atomic(str(target), "新内容")
    assert target.read_bytes() == OLD
    assert _names(tmp_path) == ["out.txt"]


def test_interrupt_while_writing_leaves_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    target.write_bytes(OLD)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(fileio.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(str(target), "新内容")
    assert target.read_bytes() == OLD
    assert _names(tmp_path) == ["out.txt"]


def test_target_that_is_a_folder_fails_cleanly(tmp_path):
    (tmp_path / "out").mkdir()
    with pytest.raises(OSError):
        write_atomic(str(tmp_path / "out"), "x")
    assert _names(tmp_path) == ["out"]


def test_cli_writes_the_same_bytes_it_would_print(tmp_path):
    code, printed, _ = run_cli("evaluate", "--format", "json")
    assert code == 0
    out = tmp_path / "result.json"
    out.write_bytes(OLD)
    code, stdout, stderr = run_cli("evaluate", "--format", "json", "--output", str(out))
    assert (code, stdout) == (0, "")
    assert stderr == f"已写入 {out}\n"
    assert out.read_text(encoding="utf-8") == printed
    assert _names(tmp_path) == ["result.json"]


def test_cli_reports_an_unwritable_output_and_creates_nothing(tmp_path):
    out = tmp_path / "missing-folder" / "result.json"
    code, stdout, stderr = run_cli("evaluate", "--output", str(out))
    assert (code, stdout) == (1, "")
    assert stderr.startswith(f"无法写入 {out}：")
    assert _names(tmp_path) == []


def test_cli_with_bad_data_creates_no_output(tmp_path):
    data = tmp_path / "bad.yaml"
    data.write_text("subject: 测试\ninputs: {文中年初预算数: 很多}\n", encoding="utf-8")
    out = tmp_path / "result.txt"
    code, stdout, stderr = run_cli("evaluate", str(data), "--ruleset", "rulesets/2019/department.yaml", "--output", str(out))
    assert (code, stdout) == (1, "")
    assert f"{data}:2:19: 「正文·年初预算安排批复数」（文中年初预算数）应填数字，这里是「很多」" in stderr.splitlines()
    assert _names(tmp_path) == ["bad.yaml"]
