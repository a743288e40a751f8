"""`jixiao serve` start-up refusals and `evaluate --set` (what-if) on the command line."""
from __future__ import annotations

import sys

from tests.conftest import run_cli


def test_serve_without_the_extra_names_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import fails as if not installed
    code, out, err = run_cli("serve")
    assert code == 1
    assert err.count("\n") == 1 and "jixiao[serve]" in err and "uvicorn" in err


def test_serve_elsewhere_than_loopback_needs_a_token(monkeypatch):
    monkeypatch.delenv("JIXIAO_TOKEN", raising=False)
    code, out, err = run_cli("serve", "--host", "0.0.0.0")
    assert code == 1 and "--token" in err and "JIXIAO_TOKEN" in err


def test_serve_missing_rulesets_folder(tmp_path):
    code, _, err = run_cli("serve", "--rulesets", str(tmp_path / "nope"))
    assert code == 1 and "nope" in err


def test_evaluate_set_changes_the_total():
    code, out, _ = run_cli("evaluate", "--set", "全年执行数=4000")
    assert code == 0 and "总分: 87.55" in out
    code, out, _ = run_cli("evaluate")
    assert "总分: 87.36" in out  # the golden case is untouched


def test_evaluate_set_located_errors_all_at_once():
    code, _, err = run_cli("evaluate", "--set", "全年执行数x=1", "--set", "年初预算数=abc", "--set", "文中年初预算数=12")
    assert code == 1
    assert err.splitlines()[:2] == [
        "--set:1:1: 规则集中没有名为「全年执行数x」的数据、指标或计算项，是否应为「全年执行数」？",
        "--set:2:7: 「年初预算数」的值「abc」不是可用的数字",
    ]


def test_evaluate_set_not_an_assignment_and_not_with_folders():
    code, _, err = run_cli("evaluate", "--set", "foo")
    assert code == 1 and err.startswith("--set:1:1: 「foo」应写成 名称=值")
    code, _, err = run_cli("evaluate", "examples/2019/projects/", "--set", "a=1")
    assert code == 2
