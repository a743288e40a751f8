"""benchmarks/tuned.py, the tuned plain-Python baseline of the batch benchmark: its
output must be the engine's, byte for byte (and handwritten.py's), or the benchmark
compares the engine with something that does less. Speed itself is measured by
`benchmarks/batch.py`, never here."""
from __future__ import annotations

import json
import random
import sys

from engine.load.yaml_loader import load_file
from engine.ruleset.inherit import load_resolved
from tests.conftest import ROOT
from tests.test_jsonl_fast import _unit

sys.path.insert(0, str(ROOT / "benchmarks"))
import batch as bench  # noqa: E402 - the benchmark's generator and runners
import handwritten  # noqa: E402
import tuned  # noqa: E402


def _tuned(src, out, display="units.jsonl", jobs=1):
    _, _, digest = load_resolved(bench.RULESET, None)
    with open(out, "wb") as fh:
        return tuned.run_jsonl(str(src), display, digest, fh, jobs)


def _hand(src, out, display="units.jsonl"):
    _, _, digest = load_resolved(bench.RULESET, None)
    with open(out, "w", encoding="utf-8") as fh:
        return handwritten.run_jsonl(str(src), display, digest, fh)


def test_tuned_writes_the_engines_bytes_on_generated_units(tmp_path):
    src = tmp_path / "units.jsonl"
    bench.write_jsonl(str(src), 60, seed=18)
    _, good, bad = bench.run_engine(str(src), str(tmp_path / "engine.jsonl"), 1)
    _, t_good, t_bad = bench.run_tuned(str(src), str(tmp_path / "tuned.jsonl"), 1)
    _, h_good, h_bad = bench.run_hand(str(src), str(tmp_path / "hand.jsonl"), 1)
    assert (t_good, t_bad) == (h_good, h_bad) == (good, bad) and good > 50
    engine = (tmp_path / "engine.jsonl").read_bytes()
    assert (tmp_path / "tuned.jsonl").read_bytes() == engine
    assert (tmp_path / "hand.jsonl").read_bytes() == engine
    assert bench.compare_bytes(str(tmp_path / "engine.jsonl"), str(tmp_path / "tuned.jsonl")) == (0, True)


def test_broken_units_give_no_line_as_in_handwritten(tmp_path):
    """A unit the engine refuses (text where a figure belongs) gives no line, and the
    lines after it keep their numbers in their locations."""
    src = tmp_path / "units.jsonl"
    bench.write_jsonl(str(src), 6, seed=3)
    lines = src.read_text(encoding="utf-8").splitlines()
    broken = json.loads(lines[1])
    broken["inputs"]["文中实际支出"] = "三千九百万"
    lines[1] = json.dumps(broken, ensure_ascii=False)
    lines[3] = "{not json"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _tuned(src, tmp_path / "t.jsonl") == _hand(src, tmp_path / "h.jsonl") == (4, 2)
    out = (tmp_path / "t.jsonl").read_bytes()
    assert out == (tmp_path / "h.jsonl").read_bytes()
    assert [json.loads(x)["findings"][0]["location"] for x in out.splitlines()] == [f"units.jsonl:{n}:1" for n in (1, 3, 5, 6)]


def test_varied_and_odd_units_agree_with_handwritten(tmp_path):
    """Units well outside the generator's (an empty budget, quotes, controls and newlines in
    names, "-0" and "1E+3" as names, odd scores), CRLF line ends and a lone CR: the same
    bytes as handwritten.py, line numbers and digests included; with two processes too."""
    raw, _ = load_file(str(ROOT / "examples" / "2019" / "hr-bureau.yaml"))
    raw.pop("ruleset", None)
    rnd = random.Random(7)
    lines = [json.dumps(_unit(raw, i, rnd), ensure_ascii=False, default=str) for i in range(40)]
    src = tmp_path / "odd.jsonl"
    src.write_bytes(("\r\n".join(lines[:20]) + "\r" + "\n".join(lines[20:]) + "\n\n  " + lines[0] + "  \n").encode())
    counts = _tuned(src, tmp_path / "t.jsonl")
    assert counts == _hand(src, tmp_path / "h.jsonl")
    assert counts[0] > 20
    assert (tmp_path / "t.jsonl").read_bytes() == (tmp_path / "h.jsonl").read_bytes()
    assert _tuned(src, tmp_path / "t2.jsonl", jobs=2) == counts
    assert (tmp_path / "t2.jsonl").read_bytes() == (tmp_path / "t.jsonl").read_bytes()
