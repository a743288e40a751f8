"""Filled forms per second: `jixiao template` → fill (openpyxl) → read back and
evaluate, as `batch` does for a folder of returned workbooks.

    python benchmarks/forms.py [--forms 40]

Makes the department and the project templates, fills each with the 2019
example's figures, writes `--forms` copies of each into a temporary folder,
and times, in wall-clock and CPU time per form, in this process: opening and
reading a form (`engine.forms.xlsx_form`), then checking and evaluating it.
Prints forms per second for each kind, and the share spent in openpyxl.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--forms", type=int, default=40)
    n = ap.parse_args().forms
    os.chdir(ROOT)
    from forms_support import fill

    from engine import api
    from engine.evaluation.evaluate import evaluate
    from engine.forms.xlsx_form import open_form
    from engine.load.yaml_loader import load_text, read_file
    from engine.ruleset.loading import load_plan
    from engine.unit.inputs import read_unit

    cases = (("department", "rulesets/2019/department.yaml", "examples/2019/hr-bureau.yaml"),
             ("project", "rulesets/2019/project.yaml", "examples/2019/projects/employment-subsidy.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        for kind, ruleset, data in cases:
            plan = load_plan(ruleset, ruleset)
            raw, _ = load_text(read_file(data, data), data)
            filled = fill(api.form_template(ruleset), raw)
            paths = []
            for i in range(n):
                p = os.path.join(tmp, f"{kind}-{i}.xlsx")
                with open(p, "wb") as fh:
                    fh.write(filled)
                paths.append(p)
            open_form(paths[0], "warm").read(plan)  # imports openpyxl once, outside the timing
            read_wall = read_cpu = eval_cpu = 0.0
            for p in paths:
                w, c = time.perf_counter(), time.process_time()
                book = open_form(p, os.path.basename(p))
                raw_f, smap, _ = book.read(plan)
                read_wall += time.perf_counter() - w
                read_cpu += time.process_time() - c
                c = time.process_time()
                result = evaluate(plan, read_unit(plan, raw_f, smap, book.display, book.digest))
                eval_cpu += time.process_time() - c
                assert result.grade
            total = read_cpu + eval_cpu
            print(f"{kind:10s} {n} forms ({len(filled) // 1024} KB each): {n / total:6.1f} forms/s CPU "
                  f"(read {1000 * read_cpu / n:5.0f} ms/form CPU, {1000 * read_wall / n:5.0f} ms wall; "
                  f"check+evaluate {1000 * eval_cpu / n:4.1f} ms/form; reading is {100 * read_cpu / total:.0f}% of the time)")


if __name__ == "__main__":
    main()
