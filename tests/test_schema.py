"""The JSON Schema of the ruleset format: up to date, valid draft-07, and it
accepts every shipped ruleset (as yaml-language-server would check them)."""
from __future__ import annotations

import json
import os
from decimal import Decimal

import jsonschema
import pytest

from engine.ruleset.schema import ruleset_schema, schema_text
from engine.load.yaml_loader import load_file
from tests.conftest import ROOT, run_cli

SCHEMA_FILE = ROOT / "rulesets" / "ruleset.schema.json"
SHIPPED = sorted(ROOT.glob("rulesets/**/*.yaml"))


def as_json(value):
    """Loaded YAML as a JSON tool sees it (numbers are numbers)."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def errors(validator, data) -> list[str]:
    return sorted(f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(as_json(data)))


def test_committed_schema_is_up_to_date():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), "run: python cli.py schema --output rulesets/ruleset.schema.json"


def test_schema_is_draft_07_with_definitions():
    schema = ruleset_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "definitions" in schema and "$defs" not in json.dumps(schema)


def test_schema_command_prints_and_writes_it(tmp_path):
    code, out, _ = run_cli("schema")
    assert code == 0 and out == schema_text()
    code, _, err = run_cli("schema", "--output", str(tmp_path / "s.json"))
    assert code == 0 and (tmp_path / "s.json").read_text(encoding="utf-8") == schema_text()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_ruleset_validates_and_points_at_the_schema(validator, path):
    raw, _ = load_file(str(path))
    assert errors(validator, raw) == []
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    target = os.path.normpath(os.path.join(path.parent, first.split("$schema=", 1)[1].strip()))
    assert target == str(SCHEMA_FILE)


def test_shorthands_the_engine_accepts_are_accepted(validator):
    raw, _ = load_file(str(ROOT / "rulesets" / "2019" / "department.yaml"))
    raw["metrics"]["全年执行数"] = "支出表.合计"  # a bare formula
    leaf = raw["indicators"][0]["children"][0]
    leaf.update(operator=">=", scoring={"method": "deduct", "step": "5%", "points": 1})
    raw["scoring_defaults"] = {"<=": "reverse", "定性": {"method": "qualitative"}}
    assert errors(validator, raw) == []


def test_typical_mistakes_are_flagged(validator):
    raw, _ = load_file(str(ROOT / "rulesets" / "2019" / "department.yaml"))
    leaf = raw["indicators"][0]["children"][0]
    leaf["weigth"] = 3  # a misspelt key
    raw["indicators"][0]["children"][1]["scoring"] = {"method": "bands", "band": []}  # a wrong parameter
    raw["indicators"][1]["children"][0]["children"][0]["scoring"] = "proportinal"  # an unknown method
    found = errors(validator, raw)
    assert any("'weigth' was unexpected" in e for e in found)
    assert any(e.startswith("['indicators', 0, 'children', 1, 'scoring']") for e in found)
    assert any(e.startswith("['indicators', 1, 'children', 0, 'children', 0, 'scoring']") for e in found)


def test_a_change_file_is_checked_against_the_relaxed_definitions(validator):
    change = {"extends": "../2019/department.yaml", "id": "x", "year": 2021,
              "indicators": [{"id": "预算执行率", "weight": 12}, {"id": "成本指标", "parent": None, "after": "满意度"},
                             {"id": "参与干部培训人数", "remove": True}],
              "grades": [{"label": "差", "remove": True}], "inputs": {"文中年初预算数": None}}
    assert errors(validator, change) == []
    best = jsonschema.exceptions.best_match(validator.iter_errors({**change, "indicators": [{"id": "预算执行率", "remvoe": True}]}))
    assert (list(best.absolute_path), best.message) == (["indicators", 0], "Additional properties are not allowed ('remvoe' was unexpected)")
    assert errors(validator, {"extends": "a.yaml", "id": "x"}) == ["[]: 'year' is a required property"]
