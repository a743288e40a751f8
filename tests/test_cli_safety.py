"""No traceback reaches a user; every exit code is documented and true;
output files never destroy inputs."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from engine import cli
from tests.conftest import EXAMPLE_2019, ROOT, RULESET_2019, run_cli


def _boom(*args, **kwargs):
    raise RuntimeError("boom\nsecond line of detail")


def test_an_internal_error_is_one_line_with_a_debug_hint(monkeypatch):
    from engine import api

    monkeypatch.setattr(api, "evaluate_file", _boom)
    assert run_cli("evaluate") == (70, "", "内部错误：RuntimeError: boom。请加 --debug 重新运行并把输出发给维护者\n")
    assert run_cli("--lang", "en", "evaluate") == (
        70, "", "internal error: RuntimeError: boom. Rerun with --debug and send the output to the maintainers\n",
    )


def test_debug_shows_the_traceback_then_the_same_line(monkeypatch):
    from engine import api

    monkeypatch.setattr(api, "evaluate_file", _boom)
    code, out, err = run_cli("evaluate", "--debug")
    assert code == 70 and out == ""
    assert err.startswith("Traceback (most recent call last):\n")
    assert "in _boom\n" in err and "RuntimeError: boom\nsecond line of detail\n" in err
    assert err.endswith("内部错误：RuntimeError: boom。请加 --debug 重新运行并把输出发给维护者\n")


def test_a_real_process_prints_no_traceback_on_an_internal_error():
    program = (
        "import sys, cli, engine.api as api\n"
        "api.evaluate_file = lambda *a, **k: {}['missing']\n"
        "sys.exit(cli.main(['--lang', 'en', 'evaluate']))\n"
    )
    proc = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 70
    assert proc.stdout == ""
    assert proc.stderr == "internal error: KeyError: 'missing'. Rerun with --debug and send the output to the maintainers\n"


def test_an_interrupt_exits_130_with_one_line(monkeypatch):
    from engine import api

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "evaluate_file", interrupted)
    assert run_cli("evaluate") == (130, "", "已中断\n")
    assert run_cli("--lang", "en", "evaluate") == (130, "", "interrupted\n")


def test_a_closed_output_pipe_exits_141_quietly():
    proc = subprocess.Popen([sys.executable, "cli.py", "evaluate", "--format", "json"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader went away before a byte was written (`| head -c 0`)
    assert proc.wait(timeout=60) == 141
    assert proc.stderr.read() == b""


def _readme_exit_codes(doc: str = "README.md") -> dict[int, str]:
    text = (ROOT / doc).read_text(encoding="utf-8")
    section = text.split("## 退出码 Exit codes", 1)[1].split("\n## ", 1)[0]
    return {int(m[1]): m[2] for m in re.finditer(r"^\| (\d+) \| (.+) \|$", section, re.M)}


@pytest.mark.parametrize("doc", ["README.md", "docs/cli.md"])
def test_every_exit_code_is_documented_and_no_other(doc):
    in_code = {value for name, value in vars(cli).items() if name.startswith("EXIT_")}
    assert set(_readme_exit_codes(doc)) == in_code


def test_every_documented_exit_code_is_what_happens(tmp_path, monkeypatch):
    """0, 1, 2 by ordinary use; 70 and 130 above by injection; 141 above by a closed pipe."""
    assert run_cli("evaluate")[0] == 0
    assert run_cli("--help")[0] == 0
    assert run_cli("validate", str(tmp_path / "missing.yaml"))[0] == 1
    assert run_cli("evaluate", "--format", "pdf")[0] == 2
    assert run_cli("no-such-command")[0] == 2
    assert run_cli()[0] == 2
    documented = _readme_exit_codes()
    assert "--debug" in documented[70] and "Ctrl-C" in documented[130] and "head" in documented[141]


@pytest.mark.parametrize("which", ["data", "ruleset"])
def test_output_onto_an_input_file_is_refused_and_the_file_kept(tmp_path, which):
    ruleset = tmp_path / "department.yaml"
    ruleset.write_bytes(RULESET_2019.read_bytes())
    data = tmp_path / "hr-bureau.yaml"
    data.write_text(EXAMPLE_2019.read_text(encoding="utf-8").replace("ruleset: 2019/department", "ruleset: department.yaml"), encoding="utf-8")
    target = data if which == "data" else ruleset
    before = target.read_bytes()
    code, out, err = run_cli("evaluate", str(data), "--output", str(target))
    assert code == 2 and out == ""
    assert err == f"输出文件 {target} 就是输入文件，写入会覆盖原始数据；请换一个输出文件名\n"
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["department.yaml", "hr-bureau.yaml"]  # no temporary left
