"""Batch speed and memory: the engine against two hand-written implementations.

    python benchmarks/batch.py --units 20000            # JSONL: engine vs hand-written vs tuned, interleaved rounds, instructions per unit
    python benchmarks/batch.py --units 100000 --csv     # + one CSV through `cli.py batch`, wall time
    python benchmarks/batch.py --units 1000000 --memory # peak RSS of a long JSONL run, engine only
    python benchmarks/batch.py --units 400 --instructions  # only instructions per unit (valgrind)
    python benchmarks/batch.py --units 0 --projects      # instructions per project unit (valgrind)
    python benchmarks/batch.py --units 2000 --sizes      # bytes per unit of --result full, compact and scores (department and project units)

N varied units are generated from the bundled example: tables that add up (as
most reports' do) with a few figures mistyped (rounding slips and 0–3 real
mismatches per unit: a median of about 10 findings, as the seed report has),
project rows removed and added, a category absent in some units, the
qualitative indicator at every level, explanations given or not, about 1% of
units broken. The engine's batch path (`engine.batch`, as `cli.py batch` runs
it), `handwritten.py` (the careful baseline) and `tuned.py` (the tuned one:
constants and JSON fragments baked in, one walk per table) evaluate the same
JSONL in turns in this process (A B C A B C …, `--rounds`, CPU time by
`time.process_time`); the three outputs are compared byte for byte; min and
median CPU per side and their ratios are printed. With valgrind installed,
instructions per unit are counted too (Ir at 400 units minus Ir at 100, divided
by 300), which a busy machine cannot disturb.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import itertools
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import timeit
import time
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

RULESET = os.path.join(ROOT, "rulesets", "2019", "department.yaml")
EXAMPLE = os.path.join(ROOT, "examples", "2019", "hr-bureau.yaml")
COUNTS = {"参与干部培训人数": (0, 180), "城镇新增就业人数": (12000, 19000), "组织公益性招聘会场数": (60, 120), "开展校招活动场数": (10, 28), "帮扶就业困难群体就业创业人数": (600, 1100)}
RATES = ("干部档案整理覆盖率", "专项招聘工作完成率", "各项经费支出合规率", "档案装具采购合规率", "各项补贴支付合规率")


def _example() -> dict:
    from engine.load.yaml_loader import load_file

    raw, _ = load_file(EXAMPLE)
    raw.pop("ruleset", None)
    return raw


CENT = Decimal("0.01")
BUDGET_COLS, SPEND_COLS = ("年初预算数", "预算调整数", "全年预算数"), ("经开", "汉南", "合计")
EXPLAINED = ("预算执行率", "预算调整率", "参与干部培训人数", "城镇新增就业人数", "组织公益性招聘会场数", "开展校招活动场数", "帮扶就业困难群体就业创业人数", "社会效益", "可持续影响", "服务对象满意度")
LEVELS = (("达成", (9, 8.5, 8)), ("部分达成", (7, 6.5, 6)), ("未达成", (3, 2, 0)))


def _d(v) -> Decimal | None:
    text = str(v).replace(",", "")
    return Decimal(text) if text else None


def _money(v: Decimal | None) -> str:
    return "" if v is None else f"{v:,}"


def _leaves(row: dict):
    for r in row.get("rows", ()):
        if "rows" in r:
            yield from _leaves(r)
        else:
            yield r


def _resum(row: dict, cols: tuple[str, ...]) -> None:
    """Subtotals as the sums of their rows (blank stays blank when every part is)."""
    if "rows" not in row:
        return
    for r in row["rows"]:
        _resum(r, cols)
    for c in cols:
        parts = [_d(r.get(c, "")) for r in row["rows"]]
        row[c] = _money(sum((p for p in parts if p is not None), Decimal(0))) if any(p is not None for p in parts) else ""


def _col_sum(row: dict, col: str, name: str | None = None) -> Decimal:
    """A column's total (name=None) or the sum of every row with that name."""
    if name is None:
        return _d(row[col]) or Decimal(0)
    total, stack = Decimal(0), list(row.get("rows", ()))
    while stack:
        r = stack.pop()
        if r.get("name") == name:
            total += _d(r.get(col, "")) or 0
        else:
            stack.extend(r.get("rows", ()))
    return total


def _reshape(table: dict, rnd: random.Random, added: list[str], dropped: list[str], absent: bool) -> None:
    """Rows removed and added under 项目支出, a whole category absent (the
    second budget unit without project spending; same names in both tables)."""
    parents = [table, *_subtotals(table)]
    with_projects = [p for p in parents if any(r.get("name") == "项目支出" for r in p.get("rows", ()))]
    for n, parent in enumerate(with_projects):
        if absent and n == 1:
            parent["rows"] = [r for r in parent["rows"] if r.get("name") != "项目支出"]
            continue
        project = next(r for r in parent["rows"] if r.get("name") == "项目支出")
        project["rows"] = [r for r in project.get("rows", ()) if r["name"] not in dropped]
        for name in added:
            project["rows"].append({"name": name})


def make_unit(base: dict, i: int, rnd: random.Random) -> dict:
    """One varied unit: tables that add up (as most reports' do), a few figures
    mistyped (most units get a few rounding slips and 0–3 real mismatches, as
    the seed report has 8 and 2), shapes that differ (project rows removed and
    added, a category absent), judged scores at every level, explanations
    given or not."""
    u = json.loads(json.dumps(base, default=str))
    f = Decimal(rnd.randint(30, 400)) / 100  # size of the bureau
    e = Decimal(rnd.randint(70, 100)) / 100  # how much of the budget was spent
    u["subject"] = {"name": f"第{i + 1:06d}号预算单位", "主管部门": base["subject"]["主管部门"]}
    names = [r["name"] for r in _leaves(base["tables"]["支出表"]) if r["name"] not in ("基本支出",)]
    dropped = rnd.sample(names, rnd.choice((0, 0, 1, 2)))
    added = [f"新增项目{k + 1}" for k in range(rnd.choice((0, 0, 0, 1, 2)))]
    absent = rnd.random() < 0.15
    budget, spend = u["tables"]["预算调整表"], u["tables"]["支出表"]
    for table in (budget, spend):
        _reshape(table, rnd, added, dropped, absent)
    for r in _leaves(budget):
        start = (Decimal(rnd.randint(10, 900)) if "年初预算数" not in r else (_d(r["年初预算数"]) or Decimal(0))) * f
        change = (Decimal(rnd.randint(-50, 200)) if "预算调整数" not in r else (_d(r["预算调整数"]) or Decimal(0))) * f
        start, change = start.quantize(CENT), change.quantize(CENT)
        r.update({"年初预算数": _money(start), "预算调整数": _money(change) if change else "", "全年预算数": _money(start + change) if start + change else ""})
    spent_share = {}
    for r in _leaves(budget):
        spent_share[r["name"]] = spent_share.get(r["name"], Decimal(0)) + (_d(r["全年预算数"]) or Decimal(0))
    for r in _leaves(spend):
        whole = (spent_share.get(r["name"], Decimal(0)) * e * Decimal(rnd.randint(80, 105)) / 100).quantize(CENT)
        left = (whole * Decimal(rnd.randint(40, 100)) / 100).quantize(CENT)
        r.update({"经开": _money(left) if left else "", "汉南": _money(whole - left) if whole - left else "", "合计": _money(whole) if whole else ""})
    _resum(budget, BUDGET_COLS)
    _resum(spend, SPEND_COLS)
    for _ in range(rnd.choice((0, 2, 4, 6, 8, 8, 10))):  # rounding slips: a subtotal one cent off
        rows = [r for r in (budget, spend) for r in [r, *_subtotals(r)]]
        r = rnd.choice(rows)
        c = rnd.choice(BUDGET_COLS if "年初预算数" in r else SPEND_COLS)
        if _d(r.get(c, "")):
            r[c] = _money(_d(r[c]) + rnd.choice((CENT, -CENT)))
    inputs = u["inputs"]
    stated = {
        "文中年初预算数": _col_sum(budget, "年初预算数"), "文中年初基本支出": _col_sum(budget, "年初预算数", "基本支出"), "文中年初项目支出": _col_sum(budget, "年初预算数", "项目支出"),
        "文中预算调整数": _col_sum(budget, "预算调整数"), "文中基本支出调整数": _col_sum(budget, "预算调整数", "基本支出"), "文中项目支出调整数": _col_sum(budget, "预算调整数", "项目支出"),
        "文中全年预算数": _col_sum(budget, "全年预算数"), "文中全年基本支出": _col_sum(budget, "全年预算数", "基本支出"), "文中全年项目支出": _col_sum(budget, "全年预算数", "项目支出"),
        "文中实际支出": _col_sum(spend, "合计"), "文中实际基本支出": _col_sum(spend, "合计", "基本支出"), "文中实际项目支出": _col_sum(spend, "合计", "项目支出"),
    }
    stated.update({"分析中全年预算数": stated["文中全年预算数"], "分析中执行数": stated["文中实际支出"], "分析中调整金额": stated["文中预算调整数"],
                   "分析中年初预算数": stated["文中年初预算数"], "分析中调整后预算数": stated["文中全年预算数"]})
    project = _col_sum(spend, "经开", "就业创业资金补助项目")
    stated.update({"注中项目实际支出": project, "注中项目决算数": (project * Decimal("0.73")).quantize(CENT)})
    stated["注中决算差异"] = stated["注中项目实际支出"] - stated["注中项目决算数"]
    for k in rnd.sample(sorted(stated), rnd.choice((0, 0, 1, 1, 2, 3))):  # a figure mistyped in the text
        stated[k] += Decimal(rnd.randint(1, 5000)) / 100
    for k, v in stated.items():
        inputs[k] = _money(v)
    if stated["文中全年预算数"] and stated["文中年初预算数"]:
        inputs["文中预算执行率"] = f"{(stated['文中实际支出'] / stated['文中全年预算数'] * 100).quantize(CENT)}%"
        inputs["文中预算调整率"] = f"{(stated['文中预算调整数'] / stated['文中年初预算数'] * 100).quantize(CENT)}%"
    ind = u["indicators"]
    for k, (lo, hi) in COUNTS.items():
        ind.setdefault(k, {})["actual"] = rnd.randint(lo, hi)
    for k in RATES:
        ind[k]["actual"] = f"{rnd.choice([100, 100, 100, 99.5, 98, 95])}%"
    ind["服务对象满意度"]["actual"] = f"{rnd.randint(90, 99)}%"
    level, scores = rnd.choice(LEVELS)
    ind["时效指标"].update(level=level, score=rnd.choice(scores))  # 定性指标 at every level
    ind["社会效益"]["score"] = rnd.randint(18, 24)
    ind["可持续影响"]["score"] = rnd.randint(5, 8)
    for k in EXPLAINED:
        if rnd.random() < 0.7:
            ind.setdefault(k, {})["explanation"] = "主要由于项目推进节奏调整。"
        else:
            ind.get(k, {}).pop("explanation", None)
    if rnd.random() < 0.01:  # a broken unit: text where a number belongs
        inputs["文中实际支出"] = "三千九百万"
    return u


def _subtotals(row: dict):
    for r in row.get("rows", ()):
        if "rows" in r:
            yield r
            yield from _subtotals(r)


def _dump(u: dict) -> str:
    return json.dumps(u, ensure_ascii=False, default=lambda o: str(o) if isinstance(o, Decimal) else o)


def write_jsonl(path: str, n: int, seed: int = 7) -> None:
    base, rnd = _example(), random.Random(seed)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(_dump(make_unit(base, i, rnd)) + "\n")


FLAT_TABLES = {"预算调整表": ("年初预算数", "预算调整数", "全年预算数"), "支出表": ("经开", "汉南", "合计")}


def flat_row(u: dict) -> dict:
    """A unit as one CSV row: inputs, table totals and category sums, indicator fields."""
    row = {"名称": u["subject"]["name"]}
    row.update(u["inputs"])
    for t, cols in FLAT_TABLES.items():
        root = u["tables"][t]
        for c in cols:
            row[f"{t}.{c}"] = root.get(c, "")
        for cat in ("基本支出", "项目支出"):
            for c in cols:
                total, stack = Decimal(0), list(root.get("rows", ()))
                while stack:
                    r = stack.pop()
                    if r.get("name") == cat:
                        v = str(r.get(c, "")).replace(",", "")
                        total += Decimal(v) if v else 0
                    else:
                        stack.extend(r.get("rows", ()))
                row[f"{t}.{cat}.{c}"] = f"{total:,}"
    for k, entry in u["indicators"].items():
        for field, v in entry.items():
            row[k if field == "actual" else f"{k}.{field}"] = v
    return row


def write_csv(jsonl: str, path: str) -> None:
    with open(jsonl, encoding="utf-8") as src, open(path, "w", encoding="utf-8-sig", newline="") as fh:
        head = list(flat_row(_example()))
        head += [c for k in EXPLAINED for c in (f"{k}.explanation",) if c not in head]  # explanations given or not
        writer = csv.DictWriter(fh, fieldnames=head, lineterminator="\r\n")
        writer.writeheader()
        for line in src:
            writer.writerow(flat_row(json.loads(line, parse_float=Decimal)))


PROJECTS = os.path.join(ROOT, "examples", "2019", "projects-batch")


def write_projects(folder: str, n: int, seed: int = 11, distinct: bool = False) -> tuple[str, str]:
    """N varied project units from the six example projects, as two tables:
    projects.csv (one row per project) and indicators.csv (its indicator rows).
    `distinct`: each unit's 三级 names are its own (`…·7`), so no unit's rows
    repeat another's, as when every project sets its own indicators."""
    rnd = random.Random(seed)
    with open(os.path.join(PROJECTS, "projects.csv"), encoding="utf-8-sig") as fh:
        projects = list(csv.DictReader(fh))
    with open(os.path.join(PROJECTS, "indicators.csv"), encoding="utf-8-sig") as fh:
        indicators = list(csv.DictReader(fh))
    by_key: dict[str, list[dict]] = {}
    for row in indicators:
        by_key.setdefault(row["项目编号"], []).append(row)
    main_path, rows_path = os.path.join(folder, "projects.csv"), os.path.join(folder, "indicators.csv")
    with open(main_path, "w", encoding="utf-8-sig", newline="") as mf, open(rows_path, "w", encoding="utf-8-sig", newline="") as rf:
        mw = csv.DictWriter(mf, fieldnames=list(projects[0]), lineterminator="\r\n")
        rw = csv.DictWriter(rf, fieldnames=list(indicators[0]), lineterminator="\r\n")
        mw.writeheader()
        rw.writeheader()
        for i in range(n):
            base = projects[i % len(projects)]
            key = f"P{i + 1:07d}"
            f = Decimal(rnd.randint(20, 500)) / 100
            e = Decimal(rnd.randint(70, 100)) / 100
            row = dict(base, 项目编号=key, 项目名称=f"{base['项目名称']}（{i + 1}）")
            for k, v in base.items():
                if k.startswith("资金表.") and v:
                    scale = f * e if k.endswith("全年执行数") else f
                    row[k] = f"{(Decimal(v.replace(',', '')) * scale).quantize(Decimal('0.01')):,}"
            mw.writerow(row)
            for ind in by_key[base["项目编号"]]:
                out = dict(ind, 项目编号=key)
                if distinct:
                    out["三级指标"] = f"{ind['三级指标']}·{i + 1}"
                actual = ind["实际完成值"].replace(",", "")
                if actual and ind["指标性质"] in ("≥", "≤") and not actual.endswith("%"):
                    out["实际完成值"] = str(int(Decimal(actual) * Decimal(rnd.randint(80, 125)) / 100))
                elif actual.endswith("%") and ind["指标性质"] == "≥":
                    out["实际完成值"] = f"{rnd.randint(85, 100)}%"
                if rnd.random() < 0.002:  # a broken row: text where a number belongs
                    out["实际完成值"] = "约一万"
                rw.writerow(out)
    return main_path, rows_path


def run_projects(tmp: str, n: int, jobs: int) -> None:
    """`cli.py batch` on N project units from one CSV plus its indicator table."""
    t = time.perf_counter()
    main_path, rows_path = write_projects(tmp, n)
    print(f"generated {n} project units ({os.path.getsize(main_path) / 1e6:.1f} MB + {os.path.getsize(rows_path) / 1e6:.1f} MB of indicator rows) in {time.perf_counter() - t:.1f} s")
    for j in sorted({1, jobs}):
        out = os.path.join(tmp, f"out{j}.csv")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "cli.py", "batch", main_path, "--ruleset", os.path.join(ROOT, "rulesets", "2019", "project.yaml"),
                               "--columns", os.path.join(PROJECTS, "columns.yaml"), "--rows", rows_path, "--jobs", str(j),
                               "--output", out, "--errors", os.path.join(tmp, "errors.txt")], cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        if proc.returncode not in (0, 1):
            raise SystemExit(f"cli.py batch failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
        print(f"projects --jobs {j}: {wall:.2f} s wall ({cpu:.1f} s CPU), {n / wall:,.0f} units/s, exit {proc.returncode}, peak RSS {after.ru_maxrss / 1024:.0f} MB")
        print(f"     {proc.stdout.splitlines()[0] if proc.stdout else proc.stderr[:300]}")
    with open(os.path.join(tmp, "errors.txt"), encoding="utf-8") as fh:
        print(f"     first error: {fh.readline().strip()}")


def project_instructions(tmp: str) -> None:
    """Instructions per project unit (valgrind): `cli.py batch --jobs 1` on 400
    generated project units minus on 100, divided by 300."""
    for distinct in (False, True):
        per_unit = _project_ir(tmp, distinct)
        if per_unit is None:
            return
        rows = "every unit's rows its own" if distinct else "rows repeated from six projects"
        print(f"instructions per project unit ({rows}; valgrind, JSONL results: Ir at 400 units − Ir at 100, ÷ 300): {per_unit / 1e6:.2f} M")


def _project_ir(tmp: str, distinct: bool) -> float | None:
    counts = {}
    for n in (100, 400):
        folder = os.path.join(tmp, f"ir{n}{'d' if distinct else ''}")
        os.makedirs(folder, exist_ok=True)
        main_path, rows_path = write_projects(folder, n, distinct=distinct)
        argv = [sys.executable, "cli.py", "batch", main_path, "--ruleset", os.path.join(ROOT, "rulesets", "2019", "project.yaml"), "--columns", os.path.join(PROJECTS, "columns.yaml"),
                "--rows", rows_path, "--jobs", "1", "--output", os.path.join(folder, "out.jsonl"), "--errors", os.path.join(folder, "errors.txt")]
        proc = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", *argv], cwd=ROOT, capture_output=True, text=True)
        m = re.search(r"I\s+refs:\s+([\d,]+)", proc.stderr)
        if m is None:
            print(f"valgrind gave no count: {proc.stderr[-300:]}")
            return None
        counts[n] = int(m.group(1).replace(",", ""))
    return (counts[400] - counts[100]) / 300


def peak_rss_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def run_engine(jsonl: str, out_path: str, jobs: int) -> tuple[float, int, int]:
    from engine.batch import pool, writers

    job = pool.prepare(pool.Options(RULESET, (jsonl,), "jsonl", jobs))
    errors: list[str] = []
    with open(out_path, "w", encoding="utf-8") as out:
        writer = writers.ResultWriter("jsonl", out, job.header())
        t = time.perf_counter()
        summary = job.run(writer.write, errors.append)
        elapsed = time.perf_counter() - t
    return elapsed, summary.evaluated, summary.failed


def run_tuned(jsonl: str, out_path: str, jobs: int = 1) -> tuple[float, int, int]:
    import tuned
    from engine.base.paths import display_path
    from engine.ruleset.inherit import load_resolved

    _, _, digest = load_resolved(RULESET, None)
    with open(out_path, "wb", buffering=1 << 20) as out:
        t = time.perf_counter()
        good, bad = tuned.run_jsonl(jsonl, display_path(jsonl), digest, out, jobs)
        elapsed = time.perf_counter() - t
    return elapsed, good, bad


def run_hand(jsonl: str, out_path: str, jobs: int = 1) -> tuple[float, int, int]:
    import handwritten
    from engine.base.paths import display_path
    from engine.ruleset.inherit import load_resolved

    _, _, digest = load_resolved(RULESET, None)
    with open(out_path, "w", encoding="utf-8") as out:
        t = time.perf_counter()
        good, bad = handwritten.run_jsonl(jsonl, display_path(jsonl), digest, out, jobs)
        elapsed = time.perf_counter() - t
    return elapsed, good, bad


def stages(jsonl: str, sample: int = 1000) -> dict[str, float]:
    """CPU µs per unit of each step of the engine's path, on the first units."""
    from engine.batch.units import _State, process
    from engine.base.digest import digest_of
    from engine.ruleset.loading import load_plan
    from engine.base.diagnostics import DiagnosticError, SourceSpan
    from engine.evaluation.evaluate import evaluate
    from engine.evaluation.specialised import evaluate_fast
    from engine.unit.inputs import read_unit
    from engine.render.jsonl import line
    from engine.base.sourcemap import SourceMap
    from engine.load.json_line import loads_json_line

    plan = load_plan(RULESET)
    with open(jsonl, encoding="utf-8") as fh:
        texts = [next(fh).rstrip("\n") for _ in range(sample)]
    spent = dict.fromkeys(("parse the line", "check the data", "evaluate", "write the result", "other (digest, outcome)"), 0.0)
    clock = time.process_time
    import gc

    gc.collect()
    t0 = clock()
    state = _State(plan, "zh", "jsonl")
    for n, text in enumerate(texts, 1):
        process(state, ("line", "units.jsonl", n, text))
    whole = clock() - t0
    gc.collect()
    for n, text in enumerate(texts, 1):
        t = clock()
        raw = loads_json_line(text)
        t1 = clock()
        try:
            unit = read_unit(plan, raw, SourceMap({(): SourceSpan("units.jsonl", n, 1)}), "units.jsonl", digest_of(text))
        except DiagnosticError:
            continue
        t2 = clock()
        result = evaluate_fast(plan, unit) or evaluate(plan, unit)  # as the batch path does
        t3 = clock()
        line(result)
        t4 = clock()
        for k, dt in zip(spent, (t1 - t, t2 - t1, t3 - t2, t4 - t3)):
            spent[k] += dt
    spent["other (digest, outcome)"] = max(whole - sum(spent.values()), 0.0)
    return {k: v / sample * 1e6 for k, v in spent.items()}


def compare(a: str, b: str) -> int:
    """Units whose results differ between the two output files (as parsed JSON)."""
    diff = 0
    with open(a, encoding="utf-8") as fa, open(b, encoding="utf-8") as fb:
        for la, lb in zip(fa, fb):
            if la != lb and json.loads(la, parse_float=Decimal) != json.loads(lb, parse_float=Decimal):
                diff += 1
    return diff


def _digest(path: str) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def cold_evaluate(repeat: int = 21) -> dict[str, tuple[float, float]]:
    """Median wall and CPU (user + sys) time of `python cli.py evaluate` and of
    the bare imports. CPU time is the steadier figure on a shared machine.

    Both sides run from cached bytecode, as an installed program does: pip
    byte-compiles pydantic and the rest at install, and Python caches our own
    modules on their first import. This machine sets PYTHONDONTWRITEBYTECODE=1,
    which would leave only our side compiling every module from source on every
    run, so the project's modules are byte-compiled here first (into the
    git-ignored __pycache__ folders, as Python itself would). For reference, the
    same command is also timed from a copy of the project without cached
    bytecode (`uncached`)."""
    import compileall
    import shutil

    compileall.compile_dir(os.path.join(ROOT, "engine"), quiet=1)
    compileall.compile_file(os.path.join(ROOT, "cli.py"), quiet=1)
    runs = {
        "bare": ([sys.executable, "-c", "from pydantic import BaseModel; import simpleeval; from ruamel.yaml import YAML"], ROOT, {}),
        "evaluate": ([sys.executable, "cli.py", "evaluate"], ROOT, {}),
    }
    with tempfile.TemporaryDirectory(prefix="jixiao-cold-") as tmp:
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        for folder in ("engine", "rulesets", "examples"):
            shutil.copytree(os.path.join(ROOT, folder), os.path.join(tmp, folder), ignore=ignore)
        shutil.copy(os.path.join(ROOT, "cli.py"), tmp)
        # the copy stays uncached run after run
        runs["uncached"] = ([sys.executable, "cli.py", "evaluate"], tmp, {"PYTHONDONTWRITEBYTECODE": "1"})
        # Interleaved, so a burst of load on the shared machine hits every command alike.
        walls: dict[str, list[float]] = {k: [] for k in runs}
        cpus: dict[str, list[float]] = {k: [] for k in runs}
        for _ in range(repeat):
            for name, (argv, cwd, env) in runs.items():
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t = time.perf_counter()
                subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env={**os.environ, **env})
                walls[name].append(time.perf_counter() - t)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {k: (sorted(walls[k])[repeat // 2], sorted(cpus[k])[repeat // 2]) for k in runs}


def run_csv(jsonl: str, tmp: str, n: int, jobs: int, result: str | None = None) -> None:
    """The whole CLI on one CSV (start-up included): wall time, exit code, summary
    line. Results as CSV, or as JSONL lines of `--result full|scores`."""
    table = os.path.join(tmp, "units.csv")
    write_csv(jsonl, table)
    output = ["--output", os.path.join(tmp, "out.csv")] if result is None else ["--output", os.path.join(tmp, "out.jsonl"), "--result", result]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "cli.py", "batch", table, "--ruleset", RULESET, "--jobs", str(jobs), *output, "--errors", os.path.join(tmp, "errors.txt")], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    if proc.returncode not in (0, 1):
        raise SystemExit(f"cli.py batch failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    with open(os.path.join(tmp, "errors.txt"), encoding="utf-8") as fh:
        first_error = fh.readline().strip()
    print(f"CSV: {n} rows ({os.path.getsize(table) / 1e6:.1f} MB) through `cli.py batch --jobs {jobs} {' '.join(output).replace(tmp + os.sep, '')}`: {wall:.2f} s wall, {cpu:.1f} s CPU ({cpu / n * 1e6:.0f} µs/unit), {n / wall:,.0f} units/s, exit {proc.returncode}; peak RSS of the CLI and its workers {after.ru_maxrss / 1024:.0f} MB")
    print(f"     {proc.stdout.splitlines()[0] if proc.stdout else proc.stderr[:300]}")
    print(f"     first error: {first_error}")


def _median_line(path: str, skip: int = 0) -> tuple[int, int, int]:
    """(median bytes per line, lines, bytes in all) of a JSONL file, after `skip` lines."""
    with open(path, "rb") as fh:
        lines = fh.read().split(b"\n")[skip:]
    sizes = [len(x) + 1 for x in lines if x]
    return int(statistics.median(sizes)), len(sizes), sum(sizes)


def sizes(tmp: str, n: int) -> None:
    """Bytes per unit of each `--result` form, through `cli.py batch --jobs 1`
    (CPU of each run, start-up included), each compact file read back by
    `show-result` and compared byte for byte with the full one."""
    jsonl = os.path.join(tmp, "units.jsonl")
    write_jsonl(jsonl, n)
    main_path, rows_path = write_projects(tmp, n)
    inputs = {
        "department": [jsonl, "--ruleset", RULESET],
        "project": [main_path, "--ruleset", os.path.join(ROOT, "rulesets", "2019", "project.yaml"), "--columns", os.path.join(PROJECTS, "columns.yaml"), "--rows", rows_path],
    }
    for kind, args in inputs.items():
        measured = {}
        for result in ("full", "compact", "scores"):
            out = os.path.join(tmp, f"{kind}-{result}.jsonl")
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            proc = subprocess.run([sys.executable, "cli.py", "batch", *args, "--jobs", "1", "--result", result, "--output", out, "--errors", os.path.join(tmp, "errors.txt")], cwd=ROOT, capture_output=True, text=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if proc.returncode not in (0, 1):
                raise SystemExit(f"cli.py batch failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
            cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            measured[result] = (*_median_line(out, 1 if result == "compact" else 0), cpu)
        back = os.path.join(tmp, f"{kind}-back.jsonl")
        proc = subprocess.run([sys.executable, "cli.py", "show-result", os.path.join(tmp, f"{kind}-compact.jsonl"), "--output", back], cwd=ROOT, capture_output=True, text=True)
        same = proc.returncode == 0 and _digest(back) == _digest(os.path.join(tmp, f"{kind}-full.jsonl"))
        with open(os.path.join(tmp, f"{kind}-compact.jsonl"), "rb") as fh:
            header = len(fh.readline())
        full = measured["full"]
        print(f"{kind} units ({full[1]} results), median bytes per unit:")
        for result, (median, lines, total, cpu) in measured.items():
            print(f"  --result {result:7}: {median:6,} B  ({median / full[0]:5.1%} of full; {total / 1e6:6.2f} MB in all; batch CPU {cpu:.1f} s)")
        print(f"  compact header record: {header:,} B once; show-result gives back the full file byte for byte: {same}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--units", type=int, default=20000)
    ap.add_argument("--jobs", type=int, default=2, help="workers for the parallel engine run (1: none)")
    ap.add_argument("--csv", action="store_true", help="instead: time `cli.py batch` on the units written as one CSV (results as CSV)")
    ap.add_argument("--projects", action="store_true", help="instead: N project units (2019 project ruleset) from one CSV plus its indicator table, through `cli.py batch`")
    ap.add_argument("--memory", action="store_true", help="engine only, --jobs 1: units/s and peak RSS of a long run")
    ap.add_argument("--cold", action="store_true", help="only the cold `evaluate` latency ratio")
    ap.add_argument("--instructions", action="store_true", help="only the instruction counts (valgrind; --units 400 is enough)")
    ap.add_argument("--result", choices=["full", "scores"], help="with --csv: results as JSONL lines of this kind instead of CSV rows")
    ap.add_argument("--sizes", action="store_true", help="instead: bytes per unit of --result full, compact and scores, department and project units")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved engine / hand-written / tuned rounds (at least 3)")
    ap.add_argument("--no-valgrind", action="store_true", help="skip the instruction counts even when valgrind is installed")
    args = ap.parse_args()
    os.chdir(ROOT)

    if args.cold:
        t = cold_evaluate()
        (cw, cc), (bw, bc), (uw, uc) = t["evaluate"], t["bare"], t["uncached"]
        print(f"cold `cli.py evaluate`: {cw * 1000:.0f} ms wall, {cc * 1000:.0f} ms CPU; bare imports: {bw * 1000:.0f} ms wall, {bc * 1000:.0f} ms CPU")
        print(f"cold ratio: {cw / bw:.2f} (wall), {cc / bc:.2f} (CPU)")
        print(f"for reference, without cached bytecode for our modules: {uw * 1000:.0f} ms wall, {uc * 1000:.0f} ms CPU; ratio {uw / bw:.2f} (wall), {uc / bc:.2f} (CPU)")
        return
    if args.sizes:
        with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
            sizes(tmp, args.units)
        return
    if args.projects:
        with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
            if args.units:
                run_projects(tmp, args.units, args.jobs)
            if shutil.which("valgrind") and not args.no_valgrind:
                project_instructions(tmp)
        return
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        jsonl = os.path.join(tmp, "units.jsonl")
        t = time.perf_counter()
        write_jsonl(jsonl, args.units)
        print(f"generated {args.units} units ({os.path.getsize(jsonl) / 1e6:.1f} MB JSONL) in {time.perf_counter() - t:.1f} s")
        if args.instructions:
            instructions(jsonl, tmp)
            return
        if args.memory:
            rss0 = peak_rss_mb()
            e, good, bad = run_engine(jsonl, os.devnull, 1)
            print(f"engine --jobs 1: {good + bad} units in {e:.1f} s, {(good + bad) / e:,.0f} units/s; peak RSS {peak_rss_mb():.0f} MB (before the run {rss0:.0f} MB)")
            return
        if args.csv:
            run_csv(jsonl, tmp, args.units, args.jobs, args.result)
            return
        interleaved(jsonl, tmp, args.rounds)
        if args.jobs > 1:
            ej, good, bad = run_engine(jsonl, os.path.join(tmp, "engine-j.jsonl"), args.jobs)
            hj, _, _ = run_hand(jsonl, os.path.join(tmp, "hand-j.jsonl"), args.jobs)
            tj, _, _ = run_tuned(jsonl, os.path.join(tmp, "tuned-j.jsonl"), args.jobs)
            same_jobs = _digest(os.path.join(tmp, "engine.jsonl")) == _digest(os.path.join(tmp, "engine-j.jsonl"))
            same_tuned = _digest(os.path.join(tmp, "tuned.jsonl")) == _digest(os.path.join(tmp, "tuned-j.jsonl"))
            n = good + bad
            print(f"engine --jobs {args.jobs}: {ej:6.2f} s wall, {n / ej:,.0f} units/s (byte-identical to --jobs 1: {same_jobs}); hand-written on {args.jobs} processes: {hj:6.2f} s wall, {n / hj:,.0f} units/s; tuned on {args.jobs} processes: {tj:6.2f} s wall, {n / tj:,.0f} units/s (byte-identical to one process: {same_tuned})")
        print(f"peak RSS: this process {peak_rss_mb():.0f} MB, workers {peak_rss_mb(resource.RUSAGE_CHILDREN):.0f} MB")
        print("engine CPU per unit: " + ", ".join(f"{k} {v:.0f} µs" for k, v in stages(jsonl, min(1000, args.units)).items()))
        if shutil.which("valgrind") and not args.no_valgrind:
            instructions(jsonl, tmp)


RUNS = {"engine": run_engine, "hand": run_hand, "tuned": run_tuned}
LABELS = {"engine": "engine --jobs 1", "hand": "hand-written   ", "tuned": "tuned          "}


def interleaved(jsonl: str, tmp: str, rounds: int) -> None:
    """Engine, hand-written and tuned baselines in turns (A B C A B C …) in this
    process, CPU time of each round (time.process_time), min and median; the
    outputs compared byte for byte."""
    cpu: dict[str, list[float]] = {side: [] for side in RUNS}
    for r in range(rounds):
        for side, run in RUNS.items():
            out = os.path.join(tmp, f"{side}.jsonl")
            t = time.process_time()
            _, good, bad = run(jsonl, out, 1)
            cpu[side].append(time.process_time() - t)
            if side == "engine":
                n = good + bad
    for side, name in (("hand", "hand-written"), ("tuned", "tuned")):
        lines_differ, bytes_same = compare_bytes(os.path.join(tmp, "engine.jsonl"), os.path.join(tmp, f"{side}.jsonl"))
        print(f"units: {n}; output of engine and {name} byte-identical: {bytes_same} (lines differing: {lines_differ})")
        for k in differing_lines(os.path.join(tmp, "engine.jsonl"), os.path.join(tmp, f"{side}.jsonl")):
            print(f"  first differing output line {k}")
    for side in RUNS:
        t = sorted(cpu[side])
        print(f"{LABELS[side]}: CPU per round min {t[0]:.2f} s, median {statistics.median(t):.2f} s over {rounds} interleaved rounds ({n / statistics.median(t):,.0f} units/s; {statistics.median(t) / n * 1e6:.0f} µs/unit); rounds {', '.join(f'{x:.2f}' for x in cpu[side])}")
    for a, b, words in (("engine", "hand", "engine ÷ hand-written"), ("engine", "tuned", "engine ÷ tuned"), ("hand", "tuned", "hand-written ÷ tuned")):
        print(f"ratio {words}: median {statistics.median(cpu[a]) / statistics.median(cpu[b]):.2f}, min {min(cpu[a]) / min(cpu[b]):.2f}")


def compare_bytes(a: str, b: str) -> tuple[int, bool]:
    """Lines that differ byte for byte between two outputs, and whether the files are equal."""
    with open(a, "rb") as fa, open(b, "rb") as fb:
        differ = sum(1 for la, lb in itertools.zip_longest(fa, fb) if la != lb)
    return differ, differ == 0


def differing_lines(a: str, b: str, most: int = 5) -> list[int]:
    """The numbers (1-based) of the first `most` output lines that differ between two files."""
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return list(itertools.islice((k for k, (la, lb) in enumerate(itertools.zip_longest(fa, fb), 1) if la != lb), most))


def instructions(jsonl: str, tmp: str) -> None:
    """Instructions per unit (valgrind cachegrind, which a busy machine cannot
    disturb): Ir of `cli.py batch --jobs 1` on the first 400 units minus Ir on
    the first 100, divided by 300; the same for the hand-written and tuned baselines."""
    from engine.ruleset.inherit import load_resolved

    _, _, digest = load_resolved(RULESET, None)
    with open(jsonl, encoding="utf-8") as fh:
        lines = [next(fh) for _ in range(400)]
    counts: dict[str, dict[int, int]] = {"engine": {}, "engine, CSV in, --result scores": {}, "hand": {}, "tuned": {}}
    for n in (100, 400):
        part = os.path.join(tmp, f"first{n}.jsonl")
        with open(part, "w", encoding="utf-8") as fh:
            fh.writelines(lines[:n])
        table = os.path.join(tmp, f"first{n}.csv")
        write_csv(part, table)
        runs = {
            "engine": [sys.executable, "cli.py", "batch", part, "--ruleset", RULESET, "--jobs", "1", "--output", os.path.join(tmp, "ir.jsonl"), "--errors", os.path.join(tmp, "ir.txt")],
            "engine, CSV in, --result scores": [sys.executable, "cli.py", "batch", table, "--ruleset", RULESET, "--jobs", "1", "--result", "scores", "--output", os.path.join(tmp, "ir-s.jsonl"), "--errors", os.path.join(tmp, "ir.txt")],
            "hand": [sys.executable, os.path.join(ROOT, "benchmarks", "handwritten.py"), part, os.path.join(tmp, "ir-hand.jsonl"), digest, "units.jsonl"],
            "tuned": [sys.executable, os.path.join(ROOT, "benchmarks", "tuned.py"), part, os.path.join(tmp, "ir-tuned.jsonl"), digest, "units.jsonl"],
        }
        for side, argv in runs.items():
            proc = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", *argv], cwd=ROOT, capture_output=True, text=True)
            m = re.search(r"I\s+refs:\s+([\d,]+)", proc.stderr)
            if m is None:
                print(f"valgrind gave no count for {side}: {proc.stderr[-300:]}")
                return
            counts[side][n] = int(m.group(1).replace(",", ""))
    for side in counts:
        c = counts[side]
        print(f"instructions per unit ({side}, valgrind: Ir at 400 units − Ir at 100, ÷ 300): {(c[400] - c[100]) / 300 / 1e6:.2f} M")
    digest_share(tmp)


# Reads the lines of a file, then hashes each (argv[2] == "hash") as
# `engine.base.digest.digest_of_bytes` does: the input digest every result's
# stamp holds (the baselines hash the same bytes).
_HASH_LINES = ("import hashlib, sys\nlines = open(sys.argv[1], 'rb').read().split(b'\\n')\n"
               "if sys.argv[2] == 'hash':\n    for line in lines:\n        hashlib.sha256(line).hexdigest()\n")


def digest_share(tmp: str) -> None:
    """What the input digest (SHA-256 of each 16 KB line) is of a unit's
    count, by valgrind and by this machine's CPU. Valgrind's virtual CPU has
    no SHA extensions (it hides them from OpenSSL, which then hashes with
    plain vector instructions); most x86 CPUs of the last years have them,
    so valgrind counts the digest at several times what such a CPU executes.
    Printed beside the counts; the targets are the valgrind counts."""
    counts = {}
    for mode in ("read", "hash"):
        proc = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", sys.executable, "-c", _HASH_LINES,
                               os.path.join(tmp, "first400.jsonl"), mode], cwd=ROOT, capture_output=True, text=True)
        m = re.search(r"I\s+refs:\s+([\d,]+)", proc.stderr)
        if m is None:
            return
        counts[mode] = int(m.group(1).replace(",", ""))
    with open(os.path.join(tmp, "first400.jsonl"), "rb") as fh:
        lines = [line.rstrip(b"\n") for line in fh]
    best = min(timeit.repeat(lambda: [hashlib.sha256(line).hexdigest() for line in lines], number=5, repeat=5)) / (5 * len(lines))
    flags = ""
    with contextlib.suppress(OSError):
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            flags = fh.read()
    sha_ni = " sha_ni" in flags
    print(f"of which the input digest (SHA-256 of the line; valgrind: Ir hashing 400 lines − Ir reading them, ÷ 400): {(counts['hash'] - counts['read']) / 400 / 1e6:.2f} M; "
          f"on this CPU ({'with' if sha_ni else 'without'} SHA extensions) {best * 1e6:.1f} µs a line")


if __name__ == "__main__":
    main()
