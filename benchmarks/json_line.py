"""Cost of writing one unit's result as JSON: `render.jsonl.line` (a batch line)
and `render.json_out.render` (`evaluate --format json`).

    python benchmarks/json_line.py [--units 2000]

Generates department units as benchmarks/batch.py does, evaluates them, then
times, in CPU time per unit: the line on the first pass (right after each
unit is evaluated, as a batch writes it) and on later passes (best of 5),
in both languages, and `render` on the first 500.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=2000)
    n = ap.parse_args().units
    os.chdir(ROOT)
    import batch

    from engine.base.digest import digest_of

    from engine.ruleset.loading import load_plan
    from engine.base.diagnostics import DiagnosticError, SourceSpan
    from engine.evaluation.evaluate import evaluate
    from engine.unit.inputs import read_unit
    from engine.render import json_out, jsonl
    from engine.base.sourcemap import SourceMap
    from engine.load.yaml_loader import loads_json_line

    plan = load_plan(batch.RULESET, "rulesets/2019/department.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "units.jsonl")
        batch.write_jsonl(path, n)
        with open(path, encoding="utf-8") as fh:
            texts = fh.read().splitlines()
    clock = time.process_time
    results, first = [], 0.0
    for i, text in enumerate(texts, 1):
        try:
            unit = read_unit(plan, loads_json_line(text), SourceMap({(): SourceSpan("units.jsonl", i, 1)}), "units.jsonl", digest_of(text))
        except DiagnosticError:
            continue
        result = evaluate(plan, unit)
        t = clock()
        jsonl.line(result, "zh")
        first += clock() - t
        results.append(result)

    def best(fn, sample) -> float:
        times = []
        for _ in range(5):
            t = clock()
            for r in sample:
                fn(r)
            times.append(clock() - t)
        return min(times) / len(sample) * 1e6

    print(f"units: {len(results)} department units evaluated")
    print(f"jsonl.line zh, first pass:  {first / len(results) * 1e6:7.1f} µs/unit")
    print(f"jsonl.line zh, again:       {best(lambda r: jsonl.line(r, 'zh'), results):7.1f} µs/unit")
    print(f"jsonl.line en, again:       {best(lambda r: jsonl.line(r, 'en'), results):7.1f} µs/unit")
    print(f"json_out.render zh:         {best(lambda r: json_out.render(r, 'zh'), results[:500]):7.1f} µs/unit")


if __name__ == "__main__":
    main()
