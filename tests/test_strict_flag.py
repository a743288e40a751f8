"""`--strict`: any warning finding makes the exit code 1 (issue 13); the
output is still complete."""
from __future__ import annotations

from tests.conftest import ROOT, run_cli

RULESET = "rulesets/2019/department.yaml"


def test_evaluate_strict_exits_1_on_warnings_with_the_whole_output():
    plain = run_cli("evaluate")
    code, out, err = run_cli("evaluate", "--strict")
    assert plain[0] == 0 and code == 1
    assert out == plain[1]  # the same report
    assert err == "有 2 条警告；按 --strict 退出码为 1\n"
    assert run_cli("--lang", "en", "evaluate", "--strict")[2] == "2 warning(s); exit 1 as --strict asks\n"


def test_evaluate_strict_without_warnings_exits_0():
    code, _, err = run_cli("evaluate", "examples/2019/projects/employment-subsidy.yaml", "--strict")
    plain = run_cli("evaluate", "examples/2019/projects/employment-subsidy.yaml", "--format", "json")
    assert '"severity": "warning"' not in plain[1]
    assert code == 0, err


def test_batch_strict_exits_1_on_warnings_and_still_writes_the_results(tmp_path):
    one = (ROOT / "tests/fixtures/batch/units.jsonl").read_text(encoding="utf-8").splitlines()[0]
    units = tmp_path / "u.jsonl"
    units.write_text(one + "\n", encoding="utf-8")
    out = tmp_path / "r.jsonl"
    assert run_cli("batch", str(units), "--ruleset", RULESET, "--output", str(out))[0] == 0
    code, _, err = run_cli("batch", str(units), "--ruleset", RULESET, "--output", str(out), "--strict")
    assert code == 1
    assert err.endswith("有 2 条警告；按 --strict 退出码为 1\n")
    assert out.exists() and (tmp_path / "r.jsonl.summary.json").exists()
