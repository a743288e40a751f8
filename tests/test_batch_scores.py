"""`batch --result scores`: one short line per unit (subject, total, grade, leaf
scores), the same facts as the full line, byte-identical whatever --jobs is."""
from __future__ import annotations

import json
from decimal import Decimal

from tests.conftest import run_cli

UNITS = "tests/fixtures/batch/units.jsonl"
RULESET = "rulesets/2019/department.yaml"


def _run(tmp_path, *extra: str) -> tuple[int, list[dict], str]:
    out = tmp_path / ("out" + "-".join(extra) + ".jsonl")
    code, _, err = run_cli("batch", UNITS, "--ruleset", RULESET, "--output", str(out), "--errors", str(tmp_path / "e.txt"), *extra)
    text = out.read_text(encoding="utf-8")
    return code, [json.loads(line, parse_float=Decimal) for line in text.splitlines()], text


def test_scores_lines_hold_the_full_lines_scores(tmp_path):
    code, full, _ = _run(tmp_path, "--jobs", "1")
    code2, scores, text1 = _run(tmp_path, "--jobs", "1", "--result", "scores")
    assert code == code2
    assert len(full) == len(scores) == 3
    for f, s in zip(full, scores):
        assert list(s) == ["subject", "total", "grade", "scores"]
        assert (s["subject"], s["total"], s["grade"]) == (f["subject"], f["total"], f["grade"])
        leaves, stack = {}, list(f["indicators"])
        while stack:
            d = stack.pop()
            stack.extend(d["children"])
            if not d["children"]:
                leaves[d["id"]] = d["score"]
        assert {x["id"]: x["score"] for x in s["scores"]} == leaves
    assert scores[0]["total"] == Decimal("87.36") and scores[0]["grade"] == "良"
    _, _, text2 = _run(tmp_path, "--jobs", "2", "--result", "scores")
    assert text1 == text2
    assert (tmp_path / "e.txt").read_text(encoding="utf-8").count("units.jsonl:") >= 1  # broken units still listed with their place
