"""How fast, and in how much memory, `validate` refuses each hostile ruleset.

Each file is validated in its own process, as a user would run it, under a
2 GB address-space limit; the time is wall clock for the whole command
(interpreter start included), the memory the child's peak resident size.

    python benchmarks/hostile.py [--limit-gb 2]
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.hostile import hostile_rulesets  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-gb", type=float, default=2.0, help="address-space limit of each run")
    args = parser.parse_args()
    limit = int(args.limit_gb * 1024**3)

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    print(f"{'file':24} {'bytes':>9} {'exit':>4} {'seconds':>8} {'peak MB':>8}  first line of the answer")
    worst = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for case in hostile_rulesets():
            path = os.path.join(folder, f"{case.name}.yaml")
            with open(path, "wb") as fh:
                fh.write(case.content)
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            start = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "cli.py", "--lang", "en", "validate", path],
                cwd=ROOT, capture_output=True, text=True, preexec_fn=cap, timeout=120,
            )
            elapsed = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            worst = max(worst, elapsed)
            first = (proc.stderr.splitlines() or [""])[0].replace(path, case.name)
            peak_mb = f"{peak / 1024:.0f}" if peak > before else "≤prev"
            print(f"{case.name:24} {len(case.content):>9} {proc.returncode:>4} {elapsed:>8.3f} {peak_mb:>8}  {first[:110]}")
    bare = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    print(f"\nslowest: {worst:.3f} s (a bare interpreter start here: {time.perf_counter() - bare:.3f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
