"""What the unavoidable steps of a department unit cost, counted the benchmark's way.

    python benchmarks/floors.py        # instructions per unit (valgrind): reading, decoding, parsing, hashing, writing, checking figures

Every program that turns a JSONL unit into its result line must read the line,
decode it, parse its JSON, hash it (the stamp's input digest) and write a ~9 KB
result line. Each step alone is counted here as `tuned.py` does it (a 1 MB read
buffer, one `bytes.decode`, one prebuilt JSON scanner with Decimal numbers,
`hashlib.sha256`, a result line encoded to UTF-8 and written to a 1 MB buffer),
by valgrind on the first 400 generated units minus the first 100, divided by 300
(start-up cancels out). What `tuned.py` spends above their sum is the scheme's own work.

The last step adds what the engine does and `tuned.py` does not: every figure
of the unit's inputs and tables (~110) checked to be plainly written (the
engine's `plain_figure` match) before it is converted — `tuned.py` converts by
`handwritten.py`'s laxer rules, trying `Decimal` on whatever is typed.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = {
    "read": "a line read (binary, 1 MB buffer)",
    "decode": "+ decoded (UTF-8)",
    "parse": "+ parsed (JSON scanner made once, Decimal numbers)",
    "loads": "+ parsed by json.loads(…, parse_float=Decimal, …)",
    "sha256": "a line read + hashed (sha256, hex)",
    "write": "a line read + a result line (text) encoded and written",
    "write bytes": "a line read + a result line (bytes) written",
    "all": "read, decode, parse, sha256, write bytes",
    "figures": "all + every figure checked plainly written and converted",
}


def run(step: str, units: str, sample: str, out: str) -> None:
    """The loop of one step over every line of `units` (what valgrind counts)."""
    import hashlib
    import json
    from decimal import Decimal
    from json.decoder import JSONDecoder

    scan = JSONDecoder(parse_float=Decimal, parse_int=Decimal).scan_once
    if step == "figures":  # the check of a plain figure the engine makes and tuned.py (handwritten's laxer rules) does not
        sys.path.insert(0, os.path.dirname(HERE))
        from engine.unit.entries import figure_names, plain_figure

        # the engine's own expressions for a plain money figure and a percentage, not a copy of them
        money, percent = (eval(f"lambda v: {plain_figure(kind, True, 'v')}", dict(figure_names())) for kind in ("money", "percent"))  # noqa: S307 - our own template

        def figures(unit: dict) -> None:
            cells = [v for v in unit["inputs"].values()]
            stack = list(unit["tables"].values())
            while stack:
                row = stack.pop()
                cells += [v for k, v in row.items() if k not in ("name", "category", "rows")]
                stack += row.get("rows", ())
            for v in cells:
                if v.__class__ is str and v:
                    (percent if v[-1] == "%" else money)(v)

    with open(sample, encoding="utf-8") as fh:
        line = fh.readline()  # a result line as text, as handwritten.py makes it
    data = line.encode()  # as tuned.py makes it
    with open(units, "rb", buffering=1 << 20) as fh, open(out, "wb", buffering=1 << 20) as dst:
        for raw in fh:
            if step in ("decode", "parse", "loads", "all", "figures"):
                text = raw.decode()  # with its newline, as tuned.py decodes it
                if step in ("parse", "all", "figures"):
                    unit = scan(text, 0)[0]
                    if step == "figures":
                        figures(unit)
                elif step == "loads":
                    json.loads(text, parse_float=Decimal, parse_int=Decimal)
            if step in ("sha256", "all", "figures"):
                hashlib.sha256(memoryview(raw)[:-1]).digest().hex()
            if step == "write":
                dst.write(line.encode())
            elif step in ("write bytes", "all", "figures"):
                dst.write(data)


def main() -> None:
    sys.path.insert(0, HERE)
    import batch
    import tuned
    from engine.ruleset.inherit import load_resolved

    _, _, digest = load_resolved(batch.RULESET, None)
    with tempfile.TemporaryDirectory(prefix="jixiao-floors-") as tmp:
        units = os.path.join(tmp, "units.jsonl")
        batch.write_jsonl(units, 400)
        with open(units, encoding="utf-8") as fh:
            lines = fh.readlines()
        parts = {}
        for n in (100, 400):
            parts[n] = os.path.join(tmp, f"first{n}.jsonl")
            with open(parts[n], "w", encoding="utf-8") as fh:
                fh.writelines(lines[:n])
        sample = os.path.join(tmp, "sample.jsonl")
        with open(parts[100], "rb") as src, open(sample, "wb") as dst:
            tuned.run_jsonl(parts[100], "units.jsonl", digest, dst)
        with open(sample, "rb") as fh:
            sizes = sorted(len(x) for x in fh)
        print(f"units: 400 generated; input line median {sorted(len(x.encode()) for x in lines)[200]:,} B, result line median {sizes[len(sizes) // 2]:,} B")
        per_unit = {}
        for step, words in STEPS.items():
            ir = {}
            for n in (100, 400):
                argv = [sys.executable, os.path.abspath(__file__), "--step", step, parts[n], sample, os.path.join(tmp, "out.jsonl")]
                proc = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", *argv], capture_output=True, text=True)
                m = re.search(r"I\s+refs:\s+([\d,]+)", proc.stderr)
                if m is None:
                    raise SystemExit(f"valgrind gave no count for {step}: {proc.stderr[-300:]}")
                ir[n] = int(m.group(1).replace(",", ""))
            per_unit[step] = (ir[400] - ir[100]) / 300
            print(f"instructions per unit, {words:56}: {per_unit[step] / 1e6:.3f} M")
        read = per_unit["read"]
        print(f"so: read {read / 1e6:.3f} M, decode {(per_unit['decode'] - read) / 1e6:.3f} M, JSON parse {(per_unit['parse'] - per_unit['decode']) / 1e6:.3f} M "
              f"(json.loads {(per_unit['loads'] - per_unit['decode']) / 1e6:.3f} M), sha256 {(per_unit['sha256'] - read) / 1e6:.3f} M, "
              f"write bytes {(per_unit['write bytes'] - read) / 1e6:.3f} M (text: encode + write {(per_unit['write'] - read) / 1e6:.3f} M)")
        print(f"checking and converting the figures as the engine reads them: {(per_unit['figures'] - per_unit['all']) / 1e6:.3f} M")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--step"]:
        run(*sys.argv[2:6])  # the step, the units, a result line, where to write
    else:
        sys.path.insert(0, os.path.dirname(HERE))
        main()
