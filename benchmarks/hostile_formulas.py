"""How long jixiao takes to refuse each class of hostile formula (恶意公式).

Each formula goes into a small ruleset of its own and through a real
`python cli.py validate` (or `evaluate`, for a formula that is legal but whose
result is too large): the whole process is timed, start-up included. The
target is under one second each, with exit code 1, a located message and no
traceback; the script exits 1 if any case misses it.

    python benchmarks/hostile_formulas.py
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_SECONDS = 1.0

RULESET = """\
id: hostile
title: 恶意公式
year: 2024
kind: 项目支出
inputs:
  a: {{type: number}}
metrics:
  m: {formula}
indicators:
  - {{name: 甲, weight: 100, target: 1, operator: ≥, actual: m}}
grades:
  - {{label: 优, min: 90}}
  - {{label: 差, min: 0}}
"""
DATA = "ruleset: r.yaml\nsubject: 测试单位\ninputs: {a: 9}\nindicators: {}\n"

# (class, formula as it goes into YAML, command)
CASES = [
    ("code execution", "\"__import__('os').system('echo pwned')\"", "validate"),
    ("code execution", "\"open('/etc/passwd').read()\"", "validate"),
    ("attribute tricks", "\"().__class__.__bases__[0].__subclasses__()\"", "validate"),
    ("huge power", "4000000 ** 4000000", "validate"),
    ("huge power", "9 ** 999999999", "validate"),
    ("huge power, nested", "\"(((((((a ** 8) ** 8) ** 8) ** 8) ** 8) ** 8) ** 8)\"", "evaluate"),
    ("string blow-up", "\"'%0999999999d' % 1\"", "validate"),
    ("string blow-up", "\"'a'.ljust(10 ** 9)\"", "validate"),
    ("string blow-up", "\"'a' * 10 ** 9\"", "validate"),
    ("list blow-up", "\"[1] * 10 ** 9\"", "validate"),
    # 200 KB: refused by the length cap before parsing. (A 2 MB file takes ~0.8 s
    # in ruamel's scanner alone, before any formula is seen: a file-size matter.)
    ("list blow-up", '"[' + "0," * 100_000 + '0]"', "validate"),
    ("comprehension", "\"[[0] * 10 ** 6 for x in [1] for y in [1] for z in [1]]\"", "validate"),
    ("lambda", "\"(lambda: 1)()\"", "validate"),
    ("statement", "x = 1", "validate"),
    ("statement", "\"1; 2\"", "validate"),
    ("deep nesting", '"' + "(" * 5000 + "a" + ")" * 5000 + '"', "validate"),
    ("deep nesting", '"' + "-" * 900 + 'a"', "validate"),
    ("many terms", '"' + "+".join(["a"] * 499) + '"', "validate"),
]


def run(formula: str, command: str, folder: Path) -> tuple[float, int, str]:
    (folder / "r.yaml").write_text(RULESET.format(formula=formula), encoding="utf-8")
    (folder / "d.yaml").write_text(DATA, encoding="utf-8")
    argv = ["validate", str(folder / "r.yaml")] if command == "validate" else ["evaluate", str(folder / "d.yaml")]
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), *argv], capture_output=True, text=True, encoding="utf-8", timeout=60)
    return time.perf_counter() - start, proc.returncode, proc.stdout + proc.stderr


def main() -> int:
    failures = 0
    print(f"{'class':<22} {'command':<9} {'seconds':>7}  exit  first message")
    with tempfile.TemporaryDirectory() as tmp:
        for kind, formula, command in CASES:
            seconds, code, output = run(formula, command, Path(tmp))
            first = output.splitlines()[0] if output else ""
            ok = seconds < LIMIT_SECONDS and code == 1 and "Traceback" not in output and "pwned" not in output and ":8:" in first
            failures += not ok
            print(f"{kind:<22} {command:<9} {seconds:7.3f}  {code:>4}  {'' if ok else 'FAIL '}{first[:90]}")
    print(f"{len(CASES) - failures}/{len(CASES)} refused within {LIMIT_SECONDS} s")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
