"""The wheel, built and installed as a user would (issue 12, "Done when").

Builds the wheel from a copy of the project's files, installs it with its
dependencies from the package index into a fresh virtual environment, and runs
the installed `jixiao` from an empty folder: the bundled example, `python -m
engine`, `diff` by year, `init` then `validate`, `--version`, and a data file
copied out of the project. Then a second distribution that ships a top-level
`cli.py` is installed beside it, and `jixiao` must still work.

Needs the package index (the build backend and the dependencies); CI has it.
Deselect with `-m "not wheel"` when offline. About a minute.
"""
from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pip
import pytest

from engine import __version__
from tests.conftest import ROOT

pytestmark = pytest.mark.wheel

# What a wheel is built from (everything else in the checkout stays out of it).
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "engine", "rulesets", "examples")
TOTAL = "总分: 87.36    等级: 良\n"
CHANGE = "「预算调整率」计分方法：达标计分（全有或全无） → 分档计分（≤5%→10；≤10%→8；≤20%→6；≤30%→4；≤40%→2；其余→0）"
PIP_TIMEOUT = 600  # seconds; a slow index, not a hang


class Installed:
    """A fresh virtual environment with the wheel installed, and an empty folder to run in."""

    def __init__(self, root: Path):
        self.root = root
        self.wheel: Path | None = None
        self.own_pip = False  # whether the venv has its own pip (only with a pip too old for --python)
        self.venv = root / "venv"
        self.bin = self.venv / ("Scripts" if os.name == "nt" else "bin")
        self.python = self.bin / ("python.exe" if os.name == "nt" else "python")
        self.jixiao = self.bin / ("jixiao.exe" if os.name == "nt" else "jixiao")
        self.empty = root / "empty"
        # The user's shell, minus anything that would let the checkout leak in.
        self.env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "JIXIAO_RULESETS", "PYTHONSTARTUP"}}
        self.env["PYTHONIOENCODING"] = "utf-8"

    def pip(self, *argv, timeout: float = 120) -> subprocess.CompletedProcess:
        """pip acting on the venv."""
        runner = [self.python, "-m", "pip"] if self.own_pip else [sys.executable, "-m", "pip", "--python", self.python]
        return self.run(*runner, *argv, cwd=self.root, timeout=timeout)

    def run(self, *argv, cwd: Path | None = None, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        proc = subprocess.run([str(a) for a in argv], cwd=cwd or self.empty, env=self.env, capture_output=True, text=True, encoding="utf-8", timeout=timeout)
        if check:
            assert proc.returncode == 0, f"{argv} → {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        return proc


def _copy_sources(dest: Path) -> None:
    for name in SOURCES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(src, dest / name)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    env = Installed(tmp_path_factory.mktemp("wheel"))
    src, dist = env.root / "src", env.root / "dist"
    src.mkdir()
    _copy_sources(src)
    env.run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, src, cwd=env.root, timeout=PIP_TIMEOUT)
    (env.wheel,) = dist.glob("jixiao-*.whl")
    # A venv without its own pip, filled by this pip (`--python`, pip ≥ 22.3): bootstrapping pip takes
    # longer than installing jixiao, and what lands in the venv is the same.
    own_pip = tuple(int(n) for n in pip.__version__.split(".")[:2]) < (22, 3)
    env.run(sys.executable, "-m", "venv", *([] if own_pip else ["--without-pip"]), env.venv, cwd=env.root)
    env.own_pip = own_pip
    env.pip("install", "-q", env.wheel, timeout=PIP_TIMEOUT)
    env.empty.mkdir()
    return env


def test_the_wheel_holds_engine_the_bundled_files_and_nothing_else(installed):
    with zipfile.ZipFile(installed.wheel) as whl:
        names = whl.namelist()
        info = f"jixiao-{__version__}.dist-info/"
        assert installed.wheel.name == f"jixiao-{__version__}-py3-none-any.whl"
        assert whl.read(info + "top_level.txt").decode() == "engine\n"
        assert {n.split("/")[0] for n in names} == {"engine", info.rstrip("/")}
        record = whl.read(info + "RECORD").decode().splitlines()
        assert {line.split("/")[0] for line in record} == {"engine", info.rstrip("/")}
        metadata = whl.read(info + "METADATA").decode()
        assert "License-Expression: MIT\n" in metadata and f"Version: {__version__}\n" in metadata
        assert info + "licenses/LICENSE" in names
    for folder in ("rulesets", "examples"):
        files = {p.relative_to(ROOT / folder).as_posix() for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts}
        assert {n.removeprefix(f"engine/bundled/{folder}/") for n in names if n.startswith(f"engine/bundled/{folder}/")} == files
    assert "engine/bundled/rulesets/ruleset.schema.json" in names
    engine = {p.relative_to(ROOT).as_posix() for p in (ROOT / "engine").rglob("*") if p.is_file() and p.suffix != ".pyc" and "__pycache__" not in p.parts}
    assert {n for n in names if n.startswith("engine/") and not n.startswith("engine/bundled/")} == engine  # code, static files, templates
    assert "cli.py" not in names and not any(n.startswith(("tests/", "docs/", "benchmarks/")) for n in names)


def test_jixiao_evaluate_from_an_empty_folder(installed):
    out = installed.run(installed.jixiao, "evaluate").stdout
    assert TOTAL in out
    assert "  预算执行率                        10  ≥100%                         93.59%                                  9.36\n" in out
    assert installed.run(installed.python, "-m", "engine", "evaluate").stdout == out
    assert list(installed.empty.iterdir()) == []


def test_jixiao_version(installed):
    assert installed.run(installed.jixiao, "--version").stdout == f"jixiao {__version__}\n"
    assert installed.run(installed.python, "-m", "engine", "--version").stdout == f"jixiao {__version__}\n"


def test_jixiao_diff_by_year(installed):
    out = installed.run(installed.jixiao, "diff", "2019", "2020").stdout
    assert f"  [1] {CHANGE}  (" in out and "  共 1 项变化\n" in out


def test_a_data_file_copied_out_of_the_project_finds_its_ruleset_by_name(installed, tmp_path):
    shutil.copy2(ROOT / "examples" / "2019" / "hr-bureau.yaml", tmp_path / "unit.yaml")
    assert "ruleset: 2019/department\n" in (tmp_path / "unit.yaml").read_text(encoding="utf-8")
    assert TOTAL in installed.run(installed.jixiao, "evaluate", "unit.yaml", cwd=tmp_path).stdout
    impact = installed.run(installed.jixiao, "diff", "2019", "2020", "unit.yaml", cwd=tmp_path).stdout
    assert "总分 +2，等级不变\n" in impact and "「预算调整率」0 → 2（+2）：由变化 [1] 引起\n" in impact


def test_init_then_validate(installed, tmp_path):
    done = installed.run(installed.jixiao, "init", "2022", "--from", "2020/department", "--output", "x.yaml", cwd=tmp_path)
    assert done.stdout == "已生成 x.yaml（继承 2020/department）；修改后运行 jixiao validate x.yaml\n"
    text = (tmp_path / "x.yaml").read_text(encoding="utf-8")
    assert "\nextends: 2020/department\n" in text and "python cli.py" not in text
    schema = text.splitlines()[0].removeprefix("# yaml-language-server: $schema=")
    assert (tmp_path / schema).resolve().is_file()  # the link resolves from where the file was written
    assert installed.run(installed.jixiao, "validate", "x.yaml", cwd=tmp_path).stdout == "x.yaml：规则集有效（17 项指标，满分 100）\n"
    # without --output: beside the user in ./rulesets/, never inside the installed package
    installed.run(installed.jixiao, "init", "2023", "--from", "2020", cwd=tmp_path)
    assert (tmp_path / "rulesets" / "2023" / "department.yaml").is_file()
    assert installed.run(installed.jixiao, "validate", "2023/department", cwd=tmp_path).returncode == 0


def test_the_installed_dependencies_are_consistent(installed):
    assert installed.pip("check").returncode == 0


def _wheel_with_a_cli_module(folder: Path) -> Path:
    """A distribution `other-cli` whose wheel ships a top-level `cli.py`, as real ones on the index do."""
    dist_info = "other_cli-1.0.dist-info"
    files = {
        "cli.py": '"""Another program\'s top-level cli module."""\nWHOSE = "other-cli"\n',
        f"{dist_info}/METADATA": "Metadata-Version: 2.1\nName: other-cli\nVersion: 1.0\n",
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: jixiao-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = [f"{name},sha256={_digest(text.encode())},{len(text.encode())}" for name, text in files.items()]
    files[f"{dist_info}/RECORD"] = "\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n"
    path = folder / "other_cli-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as whl:
        for name, text in files.items():
            whl.writestr(name, text)
    return path


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def test_another_distribution_with_a_top_level_cli_module_leaves_jixiao_working(installed, tmp_path):
    installed.pip("install", "-q", "--no-index", _wheel_with_a_cli_module(tmp_path))
    whose = installed.run(installed.python, "-c", "import cli; print(cli.WHOSE)").stdout
    assert whose == "other-cli\n"  # the other distribution owns `cli`: jixiao must not need it
    assert TOTAL in installed.run(installed.jixiao, "evaluate").stdout
    assert TOTAL in installed.run(installed.python, "-m", "engine", "evaluate").stdout
    assert installed.pip("check").returncode == 0
