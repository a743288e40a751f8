"""Nothing is evaluated from half-valid data: every number of the bundled example,
replaced in turn by text, stops `evaluate` with exit 1 and one error at that
value's line and column, and leaves an existing --output file byte-for-byte unchanged."""
from __future__ import annotations

import functools

import pytest
from ruamel.yaml import YAML

from engine import api
from engine.ruleset.loading import load_plan
from engine.base.numeric import parse_number
from tests.conftest import EXAMPLE_2019, RULESET_2019, run_cli

TEXT = EXAMPLE_2019.read_text(encoding="utf-8")
PREVIOUS = b'{"total": 1}\n'  # an earlier run's output, to be left alone


def _numbers(text: str) -> list[tuple[int, int, int, int]]:
    """(line, col, start, end) of every scalar value in `text` that is a number."""
    out = []
    keys: list[bool] = []  # per open mapping: is the next scalar a key?
    for ev in YAML(typ="rt").parse(text):
        kind = type(ev).__name__
        is_key = bool(keys) and keys[-1] is True
        if kind in ("ScalarEvent", "MappingStartEvent", "SequenceStartEvent") and keys and keys[-1] is not None:
            keys[-1] = not keys[-1]
        if kind == "MappingStartEvent":
            keys.append(True)
        elif kind == "SequenceStartEvent":
            keys.append(None)
        elif kind in ("MappingEndEvent", "SequenceEndEvent"):
            keys.pop()
        elif kind == "ScalarEvent" and not is_key and ev.value.strip() and parse_number(ev.value) is not None:
            m = ev.start_mark
            out.append((m.line + 1, m.column + 1, m.index, ev.end_mark.index))
    return out


NUMBERS = _numbers(TEXT)


def test_the_example_has_many_numbers():
    # inputs 22 + budget table 50 + spending table 21 + indicator actuals and scores 14
    assert len(NUMBERS) == 107


@pytest.fixture
def compiled_once(monkeypatch):
    """The ruleset is not the subject here: compile it once for all 107 runs
    (loading re-reads and re-parses it on every call, ~60 ms)."""
    monkeypatch.setattr(api, "load_plan", _load_plan_once)


@functools.lru_cache(maxsize=None)
def _load_plan_once(path, display=None):
    return load_plan(path, display)


@pytest.mark.parametrize(("line", "col", "start", "end"), NUMBERS, ids=[f"{n[0]}:{n[1]}" for n in NUMBERS])
def test_a_number_replaced_by_text_stops_the_run_at_that_value(tmp_path, compiled_once, line, col, start, end):
    data = tmp_path / "hr-bureau.yaml"
    data.write_text(TEXT[:start] + "待定" + TEXT[end:], encoding="utf-8")
    out = tmp_path / "result.json"
    out.write_bytes(PREVIOUS)
    code, stdout, stderr = run_cli("evaluate", str(data), "--ruleset", str(RULESET_2019), "--format", "json", "--output", str(out))
    assert code == 1
    assert stdout == ""
    lines = stderr.splitlines()
    assert lines[0].startswith(f"{data}:{line}:{col}: "), stderr
    assert "待定" in lines[0]
    assert lines[1:] == ["发现 1 个问题"]
    assert out.read_bytes() == PREVIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hr-bureau.yaml", "result.json"]
