"""A cold `evaluate` imports and builds only what it uses (issue 7's start-up
target; the time itself is measured by `benchmarks/batch.py --cold`, not here).

Each check runs in a fresh interpreter, so what this test process has already
imported does not count."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

# Modules the evaluate path must not import: other commands, other formats, optional libraries.
NOT_ON_EVALUATE_PATH = (
    "openpyxl", "docx", "rich", "jsonschema", "hypothesis", "simpleeval", "ruamel.yaml", "difflib",
    "engine.batch", "engine.tools.cases", "engine.unit.columns", "engine.tools.diff", "engine.tools.explain", "engine.unit.indicator_rows",
    "engine.tools.scaffold", "engine.ruleset.schema", "engine.tools.project_summary", "engine.load.tables",
    "engine.render.docx_out", "engine.render.xlsx_out", "engine.render.html_out", "engine.render.markdown_out",
    "engine.render.json_out", "engine.render.jsonl", "engine.render.report", "engine.render.project_summary_out",
)


def _in_fresh_python(code: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def evaluate_path() -> dict:
    """The modules a whole `evaluate` of the bundled example imports (text output),
    and the scoring methods its ruleset uses."""
    return _in_fresh_python(
        "import json, sys\n"
        "from engine import api\n"
        "from engine.render import text\n"
        "result = api.evaluate_file(api.DEFAULT_DATA)\n"
        "assert '87.36' in text.render(result, 'zh')\n"
        "used = sorted({n.method.NAME for n in result.plan.leaves if n.method})\n"
        "print(json.dumps({'modules': sorted(sys.modules), 'used': used}))\n"
    )


@pytest.mark.parametrize("name", NOT_ON_EVALUATE_PATH)
def test_evaluate_does_not_import(evaluate_path, name):
    assert not [m for m in evaluate_path["modules"] if m == name or m.startswith(name + ".")]


def test_evaluate_imports_only_the_scoring_methods_its_ruleset_uses(evaluate_path):
    imported = {m.rsplit(".", 1)[1] for m in evaluate_path["modules"] if m.startswith("engine.ruleset.scoring.")} - {"base"}
    # qualitative reads the evaluator's score with manual's `given_score`
    assert imported == set(evaluate_path["used"]) | {"manual"}
    assert evaluate_path["used"] == ["manual", "proportional", "qualitative", "threshold"]


def test_no_pydantic_model_is_built_at_import():
    """Every ruleset and scoring-parameter model is built when first used, not
    when its module is imported (defaults are constructed, not validated)."""
    found = _in_fresh_python(
        "import json, sys\n"
        "from pydantic import BaseModel\n"
        "import engine.api, engine.ruleset.inherit\n"
        "from engine.ruleset.scoring import METHODS\n"
        "modules = [sys.modules['engine.ruleset.model'], *METHODS.values()]\n"
        "models = {f'{m.__name__}.{k}': v for m in modules for k, v in vars(m).items()\n"
        "          if isinstance(v, type) and issubclass(v, BaseModel) and v.__module__ == m.__name__}\n"
        "print(json.dumps({k: v.__pydantic_complete__ for k, v in models.items()}))\n"
    )
    assert len(found) > 20 and "engine.ruleset.model.Ruleset" in found and "engine.ruleset.scoring.qualitative.Level" in found
    assert [name for name, built in found.items() if built] == []


def test_method_registry_names_each_module_by_its_name():
    from engine.ruleset.scoring import METHODS

    assert len(METHODS) == 10 and "proportional" in METHODS and "nonsense" not in METHODS
    assert METHODS.get("nonsense") is None
    assert {name: METHODS[name].NAME for name in METHODS} == {name: name for name in METHODS}
