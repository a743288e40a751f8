"""Reproducibility: the result records what produced it, and the same inputs
give the same bytes in every run."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

from engine import __version__
from tests.conftest import EXAMPLE_2019, ROOT, RULESET_2019, run_cli


def _sha256(path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def test_two_processes_with_different_hash_seeds_write_identical_bytes():
    outputs = []
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run([sys.executable, "cli.py", "evaluate", "--format", "json"], cwd=ROOT, env=env, capture_output=True, timeout=60)
        assert proc.returncode == 0, proc.stderr.decode()
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
    stamp = json.loads(outputs[0])["stamp"]
    # For a UTF-8 file (no BOM) the digest is exactly `sha256sum FILE`.
    assert stamp == {"engine": f"jixiao {__version__}", "ruleset_digest": _sha256(RULESET_2019), "input_digest": _sha256(EXAMPLE_2019)}


def test_the_stamped_engine_version_is_the_package_version():
    from importlib.metadata import version

    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    # one source: the package metadata takes engine.__version__ (tests/test_packaging.py)
    assert 'dynamic = ["version"]' in pyproject and 'version = { attr = "engine.__version__" }' in pyproject
    assert version("jixiao") == __version__


def test_the_stamp_changes_with_either_input(tmp_path):
    ruleset = tmp_path / "department.yaml"
    ruleset.write_bytes(RULESET_2019.read_bytes())
    data = tmp_path / "hr-bureau.yaml"
    data.write_text(EXAMPLE_2019.read_text(encoding="utf-8").replace("ruleset: 2019/department", "ruleset: department.yaml"), encoding="utf-8")

    def stamp():
        code, out, err = run_cli("evaluate", str(data), "--format", "json")
        assert code == 0, err
        return json.loads(out)["stamp"]

    first = stamp()
    assert first["ruleset_digest"] == _sha256(ruleset) and first["input_digest"] == _sha256(data)
    data.write_bytes(data.read_bytes() + b"# a comment changes the input's content\n")
    second = stamp()
    assert second["input_digest"] == _sha256(data) != first["input_digest"]
    assert second["ruleset_digest"] == first["ruleset_digest"]
    ruleset.write_bytes(ruleset.read_bytes() + b"\n")
    assert stamp()["ruleset_digest"] == _sha256(ruleset) != first["ruleset_digest"]


FORMATS = ("text", "json", "markdown", "html", "docx", "xlsx")


def test_every_report_format_is_byte_identical_across_processes_and_stamped(tmp_path):
    """Each format written by two processes with different hash seeds (one
    process per seed writes them all): the same bytes; the text formats carry
    the input's digest."""
    program = (
        "import sys, cli\n"
        "out = sys.argv[1]\n"
        f"for fmt in {FORMATS!r}:\n"
        "    assert cli.main(['evaluate', '--format', fmt, '--output', f'{out}/report.{fmt}']) == 0\n"
    )
    for seed in ("1", "4242"):
        folder = tmp_path / seed
        folder.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run([sys.executable, "-c", program, str(folder)], cwd=ROOT, env=env, capture_output=True, timeout=120)
        assert proc.returncode == 0, proc.stderr.decode()
    digest = _sha256(EXAMPLE_2019).removeprefix("sha256:")
    for fmt in FORMATS:
        first, second = (tmp_path / seed / f"report.{fmt}" for seed in ("1", "4242"))
        assert first.read_bytes() == second.read_bytes(), fmt
        if fmt in ("json", "markdown", "html"):
            assert digest in first.read_text(encoding="utf-8"), fmt
