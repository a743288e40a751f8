"""Data files may be JSON: the same strict loader reads them, with positions."""
from __future__ import annotations

import json
from decimal import Decimal as D

from tests.conftest import ROOT, run_cli
from tests.inputs_support import at, problems_of

JSON_EXAMPLE = "examples/2019/hr-bureau.json"


def _evaluate(path: str) -> dict:
    code, out, err = run_cli("evaluate", path, "--format", "json")
    assert code == 0, err
    return json.loads(out, parse_float=D, parse_int=D)


def test_the_json_example_evaluates_exactly_like_the_yaml_one():
    from_json, from_yaml = _evaluate(JSON_EXAMPLE), _evaluate("examples/2019/hr-bureau.yaml")
    assert (from_json["total"], from_json["grade"]) == (D("87.36"), "良")
    assert from_json["indicators"] == from_yaml["indicators"]
    strip = lambda items: [{k: v for k, v in i.items() if k != "location"} for i in items]  # noqa: E731
    assert strip(from_json["findings"]) == strip(from_yaml["findings"])
    assert strip(from_json["deviations"]) == strip(from_yaml["deviations"])


def test_json_findings_point_into_the_json_file():
    text = (ROOT / JSON_EXAMPLE).read_text(encoding="utf-8")
    first = _evaluate(JSON_EXAMPLE)["findings"][0]
    assert first["stated"] == D("592.25")
    assert first["location"] == f"{JSON_EXAMPLE}:{at(text, '592.25')}"


def test_json_input_errors_are_located():
    data = '{\n  "subject": "测试单位",\n  "inputs": {"文中合计": "三百", "文中执行率": "100%"},\n  "tablez": {}\n}\n'
    assert problems_of(data) == [
        (1, 1, "input.missing_actual"),  # no "indicators" at all: reported at the start of the file
        (1, 1, "input.missing_actual"),
        (1, 1, "input.missing_score"),
        (1, 1, "input.missing_score"),
        (1, 1, "input.missing_table"),
        (3, 22, "input.not_number"),  # at the opening quote of "三百"
        (4, 3, "input.unknown_key"),  # "tablez", did you mean tables
    ]


def test_json_syntax_errors_and_duplicate_keys_are_located():
    assert problems_of('{\n  "subject": "测试单位",\n  "inputs": {"文中合计": 300}\n') == [(4, 1, "load.syntax")]  # unclosed {
    assert problems_of('{"subject": "a", "subject": "b"}') == [(1, 18, "load.duplicate_key")]
