"""What the wheel is made of, checked from pyproject.toml without building it
(tests/test_wheel.py builds and installs it): the package list, the bundled
files, the single version, the licence, and extras that every "please install"
message can name."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

try:
    import tomllib
except ImportError:  # Python 3.10: pytest itself depends on tomli there
    import tomli as tomllib

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
EXTRAS = PYPROJECT["project"]["optional-dependencies"]
BUNDLED = {"engine.bundled.rulesets": "rulesets", "engine.bundled.examples": "examples"}
# Extras for developing jixiao, not for using it: `all` need not hold them.
DEVELOPER_EXTRAS = {"test", "browser"}


def engine_packages() -> set[str]:
    """Every regular package under engine/ (a folder with an __init__.py)."""
    return {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "engine").rglob("__init__.py")}


def test_the_package_list_names_every_package_under_engine():
    assert set(SETUPTOOLS["packages"]) == engine_packages() | set(BUNDLED)
    assert len(SETUPTOOLS["packages"]) == len(set(SETUPTOOLS["packages"]))


def test_the_only_top_level_package_is_engine():
    assert {p.split(".")[0] for p in SETUPTOOLS["packages"]} == {"engine"}
    assert "py-modules" not in SETUPTOOLS  # no top-level cli.py in the wheel: cli.py is the checkout's shim


def test_the_bundled_rulesets_and_examples_map_to_the_top_level_folders():
    dirs = SETUPTOOLS["package-dir"]
    assert {name: dirs[name] for name in BUNDLED} == BUNDLED and dirs[""] == "."
    assert not (ROOT / "engine" / "bundled").exists()  # built only in the wheel: a checkout uses rulesets/ itself


@pytest.mark.parametrize("package, folder", sorted(BUNDLED.items()))
def test_every_bundled_file_is_package_data(package, folder):
    """Each file in rulesets/ and examples/ matches a package-data glob (a new kind of file is not lost)."""
    globs = SETUPTOOLS["package-data"][package]
    files = [p for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert files
    missed = [str(p.relative_to(ROOT)) for p in files if not any(p.relative_to(ROOT / folder).match(g.removeprefix("**/")) for g in globs)]
    assert missed == []
    assert (ROOT / folder / "ruleset.schema.json").is_file() or folder == "examples"


def test_static_files_and_templates_of_engine_packages_are_package_data():
    assert {"**/static/**/*", "**/templates/**/*"} <= set(SETUPTOOLS["package-data"]["engine"])
    assert SETUPTOOLS["include-package-data"] is False  # only what package-data names
    data = [p.relative_to(ROOT) for p in (ROOT / "engine").rglob("*") if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts]
    # any other data file under engine/ needs its own glob in [tool.setuptools.package-data]
    assert [str(p) for p in data if not {"static", "templates"} & set(p.parts[:-1])] == []


def test_the_version_has_one_source():
    from engine import __version__

    assert "version" not in PYPROJECT["project"] and PYPROJECT["project"]["dynamic"] == ["version"]
    assert SETUPTOOLS["dynamic"]["version"] == {"attr": "engine.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
    assert run_cli("--version") == (0, f"jixiao {__version__}\n", "")


def test_the_licence_is_mit_in_spdx_form():
    assert PYPROJECT["project"]["license"] == "MIT" and PYPROJECT["project"]["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2026 jixiao contributors\n")
    assert "THE SOFTWARE IS PROVIDED \"AS IS\"" in text
    # PEP 639 strings need setuptools 77
    assert PYPROJECT["build-system"]["requires"] == ["setuptools>=77"]


def test_the_console_script_is_the_cli():
    assert PYPROJECT["project"]["scripts"] == {"jixiao": "engine.cli:run"}


def _extras_named(text: str) -> set[str]:
    """Extras in `pip install "jixiao[a,b]"` or `pip install -e ".[a]"`."""
    names = set()
    for group in re.findall(r"(?a)(?:jixiao|\.)\[([\w,\s-]+)\]", text):
        names |= {n.strip() for n in group.split(",")}
    return names


def test_every_please_install_message_names_an_extra_that_exists():
    from engine.base.messages import CATALOG

    installs = {code: texts for code, texts in CATALOG.items() if any("pip install" in t for t in texts)}
    assert set(installs) >= {"batch.needs_extra", "report.missing_library"}
    named = set()
    for code, texts in installs.items():
        for text in texts:
            assert re.search(r'pip install "jixiao\[[^\]]+\]"', text), (code, text)  # an extra, not a bare library
            named |= _extras_named(text) - {"{extra}"}
    # a message with an {extra} placeholder: the extras the code passes to it
    for path in (ROOT / "engine").rglob("*.py"):
        named |= set(re.findall(r"""["']extra["']\s*:\s*["']([\w-]+)["']""", path.read_text(encoding="utf-8")))
    assert named >= {"reports", "xlsx"}
    assert named <= set(EXTRAS)


def test_every_install_command_in_the_docs_names_an_extra_that_exists():
    named = set()
    for path in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if "pip install" in line:
                named |= _extras_named(line)
    assert named >= {"test", "reports", "xlsx", "progress"}
    assert named <= set(EXTRAS)


def test_every_extra_says_what_it_is_for():
    lines = (ROOT / "pyproject.toml").read_text(encoding="utf-8").splitlines()
    table = lines.index("[project.optional-dependencies]")
    for name in EXTRAS:
        at = next(i for i in range(table, len(lines)) if re.match(rf"{re.escape(name)}\s*=", lines[i]))
        assert lines[at - 1].startswith("# "), f"extra {name!r} has no comment above it"


def test_the_extras_users_need_are_there_and_all_holds_them():
    assert {"xlsx", "docx", "reports", "progress", "test", "all"} <= set(EXTRAS)
    assert EXTRAS["reports"] == ["jixiao[xlsx,docx]"]
    (all_,) = EXTRAS["all"]
    assert _extras_named(all_) == set(EXTRAS) - DEVELOPER_EXTRAS - {"all"}


def test_the_bundled_files_are_found_from_the_package_not_the_working_folder(tmp_path, monkeypatch):
    from engine.base.paths import bundled

    monkeypatch.chdir(tmp_path)
    assert Path(bundled("rulesets", "ruleset.schema.json")).is_file()
    assert Path(bundled("examples", "2019", "hr-bureau.yaml")).is_file()
    code, out, err = run_cli("evaluate")
    assert code == 0 and "总分: 87.36    等级: 良\n" in out


def test_an_unknown_ruleset_name_reads_as_the_cli_doc_shows():
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    shown = doc.split("$ jixiao evaluate --ruleset 2019/departmnet\n", 1)[1].split("```", 1)[0]
    assert run_cli("evaluate", "--ruleset", "2019/departmnet") == (1, "", shown)
