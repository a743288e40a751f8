"""Shared fixtures: paths into the project's own rulesets and examples."""
from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RULESET_2019 = ROOT / "rulesets" / "2019" / "department.yaml"
EXAMPLE_2019 = ROOT / "examples" / "2019" / "hr-bureau.yaml"


@pytest.fixture(autouse=True)
def _project_root_cwd(monkeypatch):
    """Run every test from the project root, so locations print as in the docs."""
    monkeypatch.chdir(ROOT)
    yield


def run_cli(*argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    import io

    from engine import cli

    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def batch_projects_blanking(tmp_path, field: str) -> tuple[int, str, str, str, int]:
    """`batch` on the example projects with the first indicator row's `field`
    column (a header of the indicator-rows sheet) left blank: (exit code,
    stderr, the rows sheet written, the row's 三级指标, the blanked 1-based column)."""
    import csv

    folder = ROOT / "examples" / "2019" / "projects-batch"
    with open(folder / "indicators.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    col, name = rows[0].index(field), rows[1][rows[0].index("三级指标")]
    rows[1][col] = ""
    path = tmp_path / "indicators.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    code, _, err = run_cli("batch", str(folder / "projects.csv"), "--ruleset", str(ROOT / "rulesets" / "2019" / "project.yaml"),
                           "--columns", str(folder / "columns.yaml"), "--rows", str(path), "--jobs", "1", "--output", str(tmp_path / "out.jsonl"))
    return code, err, str(path), name, col + 1


os.environ.setdefault("PYTHONHASHSEED", "0")


def pytest_terminal_summary(terminalreporter):
    """After property and fuzz tests: how many cases ran and the slowest one."""
    from tests.limits import STATS

    if not STATS:
        return
    terminalreporter.section("fuzz and property budget")
    for name, (count, slowest) in sorted(STATS.items()):
        terminalreporter.write_line(f"{name}: {count} cases, slowest {slowest:.3f} s")
    try:
        import resource
    except ImportError:  # not on Windows
        return
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    terminalreporter.write_line(f"peak resident memory of the test process: {peak} MB")


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    """The names of the zip members opened for reading from now on."""
    names: list[str] = []
    real = zipfile.ZipFile.open

    def recording(self, name, mode="r", *args, **kwargs):
        names.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        return real(self, name, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", recording)
    return names
