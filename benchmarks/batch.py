"""Batch speed and memory: the engine against a hand-written implementation.

    python benchmarks/batch.py --units 20000            # JSONL: engine vs hand-written, ratio
    python benchmarks/batch.py --units 100000 --csv     # + one CSV through `cli.py batch`, wall time
    python benchmarks/batch.py --units 1000000 --memory # peak RSS of a long JSONL run, engine only

N varied units are generated from the bundled example (budget and spending
figures scaled per unit, indicator actuals and judged scores drawn at random,
some explanations left out, about 1% of units broken), written to a temporary
folder as JSONL and (with --csv) as one flat CSV. The engine's batch path
(`engine.batch`, as `cli.py batch` runs it) and `handwritten.py` evaluate the
same JSONL in the same run; their per-unit results are compared (they must be
equal) and timed. Prints units/s for both, `ratio` = engine time ÷ hand-written
time (both single-process), the engine with --jobs, and peak memory.
Timings on a shared machine are noisy: compare the ratio within one run.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
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


def _scale_row(row: dict, f: Decimal, cols: tuple[str, ...]) -> dict:
    out = {}
    for k, v in row.items():
        if k == "rows":
            out[k] = [_scale_row(r, f, cols) for r in v]
        elif k in cols and v not in ("", None):
            n = Decimal(str(v).replace(",", ""))
            out[k] = f"{(n * f).quantize(Decimal('0.01')):,}" if isinstance(v, str) else (n * f).quantize(Decimal("0.01"))
        else:
            out[k] = v
    return out


def make_unit(base: dict, i: int, rnd: random.Random) -> dict:
    """One varied unit: its own scale, execution, actuals and judged scores."""
    u = json.loads(json.dumps(base, default=str))
    f = Decimal(rnd.randint(30, 400)) / 100  # size of the bureau
    e = Decimal(rnd.randint(70, 100)) / 100  # how much of the budget was spent
    u["subject"] = {"name": f"第{i + 1:06d}号预算单位", "主管部门": base["subject"]["主管部门"]}
    budget_cols, spend_cols = ("年初预算数", "预算调整数", "全年预算数"), ("经开", "汉南", "合计")
    u["tables"]["预算调整表"] = _scale_row(base["tables"]["预算调整表"], f, budget_cols)
    u["tables"]["支出表"] = _scale_row(base["tables"]["支出表"], f * e / Decimal("0.9359"), spend_cols)
    for k, v in list(u["inputs"].items()):
        if str(v).endswith("%"):
            continue  # rates stated in the text stay as written (so some disagree with the tables)
        n = Decimal(str(v).replace(",", ""))
        scale = f * e / Decimal("0.9359") if ("支出" in k and "实际" in k) or "执行" in k else f
        u["inputs"][k] = f"{(n * scale).quantize(Decimal('0.01')):,}"
    ind = u["indicators"]
    for k, (lo, hi) in COUNTS.items():
        ind.setdefault(k, {})["actual"] = rnd.randint(lo, hi)
    for k in RATES:
        ind[k]["actual"] = f"{rnd.choice([100, 100, 100, 99.5, 98, 95])}%"
    ind["服务对象满意度"]["actual"] = f"{rnd.randint(90, 99)}%"
    ind["时效指标"]["score"] = rnd.choice([9, 8.5, 8, 7.5])
    ind["社会效益"]["score"] = rnd.randint(18, 24)
    ind["可持续影响"]["score"] = rnd.randint(5, 8)
    for k in ("预算执行率", "预算调整率", "参与干部培训人数", "社会效益"):
        if rnd.random() < 0.3:
            ind.get(k, {}).pop("explanation", None)
    if rnd.random() < 0.01:  # a broken unit: text where a number belongs
        u["inputs"]["文中实际支出"] = "三千九百万"
    return u


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
        writer = csv.DictWriter(fh, fieldnames=list(flat_row(_example())), lineterminator="\r\n")
        writer.writeheader()
        for line in src:
            writer.writerow(flat_row(json.loads(line, parse_float=Decimal)))


PROJECTS = os.path.join(ROOT, "examples", "2019", "projects-batch")


def write_projects(folder: str, n: int, seed: int = 11) -> tuple[str, str]:
    """N varied project units from the six example projects, as two tables:
    projects.csv (one row per project) and indicators.csv (its indicator rows)."""
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
    from engine.unit.inputs import read_unit
    from engine.render.jsonl import line
    from engine.base.sourcemap import SourceMap
    from engine.load.yaml_loader import loads_json_line

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
        result = evaluate(plan, unit)
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


def run_csv(jsonl: str, tmp: str, n: int, jobs: int) -> None:
    """The whole CLI on one CSV (start-up included): wall time, exit code, summary line."""
    table = os.path.join(tmp, "units.csv")
    write_csv(jsonl, table)
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "cli.py", "batch", table, "--ruleset", RULESET, "--jobs", str(jobs), "--output", os.path.join(tmp, "out.csv"), "--errors", os.path.join(tmp, "errors.txt")], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"cli.py batch failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    with open(os.path.join(tmp, "errors.txt"), encoding="utf-8") as fh:
        first_error = fh.readline().strip()
    print(f"CSV: {n} rows ({os.path.getsize(table) / 1e6:.1f} MB) through `cli.py batch --jobs {jobs} --output out.csv`: {wall:.2f} s wall, {n / wall:,.0f} units/s, exit {proc.returncode}; peak RSS of the CLI and its workers {after.ru_maxrss / 1024:.0f} MB")
    print(f"     {proc.stdout.splitlines()[0] if proc.stdout else proc.stderr[:300]}")
    print(f"     first error: {first_error}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--units", type=int, default=20000)
    ap.add_argument("--jobs", type=int, default=2, help="workers for the parallel engine run")
    ap.add_argument("--csv", action="store_true", help="instead: time `cli.py batch` on the units written as one CSV (results as CSV)")
    ap.add_argument("--projects", action="store_true", help="instead: N project units (2019 project ruleset) from one CSV plus its indicator table, through `cli.py batch`")
    ap.add_argument("--memory", action="store_true", help="engine only, --jobs 1: units/s and peak RSS of a long run")
    ap.add_argument("--cold", action="store_true", help="only the cold `evaluate` latency ratio")
    args = ap.parse_args()
    os.chdir(ROOT)

    if args.cold:
        t = cold_evaluate()
        (cw, cc), (bw, bc), (uw, uc) = t["evaluate"], t["bare"], t["uncached"]
        print(f"cold `cli.py evaluate`: {cw * 1000:.0f} ms wall, {cc * 1000:.0f} ms CPU; bare imports: {bw * 1000:.0f} ms wall, {bc * 1000:.0f} ms CPU")
        print(f"cold ratio: {cw / bw:.2f} (wall), {cc / bc:.2f} (CPU)")
        print(f"for reference, without cached bytecode for our modules: {uw * 1000:.0f} ms wall, {uc * 1000:.0f} ms CPU; ratio {uw / bw:.2f} (wall), {uc / bc:.2f} (CPU)")
        return
    if args.projects:
        with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
            run_projects(tmp, args.units, args.jobs)
        return
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        jsonl = os.path.join(tmp, "units.jsonl")
        t = time.perf_counter()
        write_jsonl(jsonl, args.units)
        print(f"generated {args.units} units ({os.path.getsize(jsonl) / 1e6:.1f} MB JSONL) in {time.perf_counter() - t:.1f} s")
        if args.memory:
            rss0 = peak_rss_mb()
            e, good, bad = run_engine(jsonl, os.devnull, 1)
            print(f"engine --jobs 1: {good + bad} units in {e:.1f} s, {(good + bad) / e:,.0f} units/s; peak RSS {peak_rss_mb():.0f} MB (before the run {rss0:.0f} MB)")
            return
        if args.csv:
            run_csv(jsonl, tmp, args.units, args.jobs)
            return
        e1, good, bad = run_engine(jsonl, os.path.join(tmp, "engine.jsonl"), 1)
        h, hgood, hbad = run_hand(jsonl, os.path.join(tmp, "hand.jsonl"))
        ej, _, _ = run_engine(jsonl, os.path.join(tmp, "engine-j.jsonl"), args.jobs)
        hj, _, _ = run_hand(jsonl, os.path.join(tmp, "hand-j.jsonl"), args.jobs)
        n = good + bad
        differ = compare(os.path.join(tmp, "engine.jsonl"), os.path.join(tmp, "hand.jsonl"))
        same_jobs = _digest(os.path.join(tmp, "engine.jsonl")) == _digest(os.path.join(tmp, "engine-j.jsonl"))
        print(f"units: {n} ({good} evaluated, {bad} failed; hand-written: {hgood} evaluated, {hbad} failed); results differing: {differ}")
        print(f"engine --jobs 1:        {e1:6.2f} s  {n / e1:9,.0f} units/s")
        print(f"hand-written:           {h:6.2f} s  {n / h:9,.0f} units/s")
        print(f"engine --jobs {args.jobs}:        {ej:6.2f} s  {n / ej:9,.0f} units/s  (byte-identical to --jobs 1: {same_jobs})")
        print(f"hand-written, {args.jobs} procs:  {hj:6.2f} s  {n / hj:9,.0f} units/s")
        print(f"ratio (engine --jobs 1 ÷ hand-written): {e1 / h:.2f}")
        print(f"peak RSS: this process {peak_rss_mb():.0f} MB, workers {peak_rss_mb(resource.RUSAGE_CHILDREN):.0f} MB")
        print("engine CPU per unit: " + ", ".join(f"{k} {v:.0f} µs" for k, v in stages(jsonl, min(1000, args.units)).items()))


if __name__ == "__main__":
    main()
