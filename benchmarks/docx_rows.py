"""Word output and input grow linearly with the rows of a table.

    python benchmarks/docx_rows.py [--rows 50 500]

For a 2019 project unit with N indicator rows (the first row of
examples/2019/projects/employment-subsidy.yaml repeated under new names), times,
in this process:

- the Word form (`template 2019/project --rows N --output form.docx`),
- the same form, filled, read back and evaluated (`evaluate form.docx`),
- the Word report (`evaluate unit.yaml --format docx`),

and prints the time per row at each size and the ratio of the largest
size's time to the smallest's. Time linear in the rows gives a ratio of
about the ratio of the sizes (10 for 50 and 500) — a little less, as every
document has a fixed part — and quadratic time its square (about 100):
python-docx's `table.cell(r, c)` rebuilds the table's grid on each call, which
made a 500-row form take six minutes to write.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

RULESET = "rulesets/2019/project.yaml"
DATA = "examples/2019/projects/employment-subsidy.yaml"


def unit(n: int) -> dict:
    """The example project with `n` indicator rows whose weights add up to 90."""
    from engine.load.yaml_loader import load_text, read_file

    raw, _ = load_text(read_file(DATA, DATA), DATA)
    first = dict(raw["indicator_rows"][0])
    weight = Decimal(90) / n
    raw["indicator_rows"] = [{**first, "name": f"{first['name']}{i + 1}", "weight": str(weight)} for i in range(n)]
    return raw


def timed(f):
    start = time.perf_counter()
    value = f()
    return value, time.perf_counter() - start


def measure(n: int, tmp: str) -> dict[str, float]:
    from forms_support import fill_docx

    from engine import api
    from engine.render import docx_out
    from engine.render.template import stamp_rows, template, word_names
    from engine.ruleset.loading import load_plan

    raw = unit(n)
    blank, write = timed(lambda: api.form_template(RULESET, rows=n, word=True))
    t = template(load_plan(RULESET, RULESET), RULESET, n)
    path = os.path.join(tmp, f"form-{n}.docx")
    with open(path, "wb") as fh:
        fh.write(fill_docx(blank, raw, stamp_rows(t, word_names(t), word=True)))
    read_back, read = timed(lambda: api.evaluate_file(path))
    result = api.evaluate(raw, RULESET)
    assert read_back.total == result.total, (read_back.total, result.total)
    _, report = timed(lambda: docx_out.render(result))
    return {"write the form": write, "read the form back": read, "the report": report}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[50, 500])
    sizes = sorted(ap.parse_args().rows)
    os.chdir(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        measure(5, tmp)  # imports and first-use costs, outside the timing
        times = {n: measure(n, tmp) for n in sizes}
    small, large = sizes[0], sizes[-1]
    print(f"rows: {', '.join(map(str, sizes))}; linear time gives a ratio of about {large / small:g}, quadratic {(large / small) ** 2:g}")
    for what in times[small]:
        per_row = ", ".join(f"{n} rows {1000 * times[n][what] / n:6.2f} ms/row ({times[n][what]:6.2f} s)" for n in sizes)
        print(f"{what:20s} {per_row}; ratio {times[large][what] / times[small][what]:5.1f}")


if __name__ == "__main__":
    main()
