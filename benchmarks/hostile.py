"""How fast, and in how much memory, `validate` refuses each hostile ruleset,
and what hostile inputs of other kinds cost (issue 13: costs that grew faster
than the input).

Each file is validated in its own process, as a user would run it, under a
2 GB address-space limit; the time is wall clock for the whole command
(interpreter start included), the memory the child's peak resident size.
The second table runs whole commands on generated inputs: pairs such as
`metrics-1000` / `metrics-10000` show whether the cost grows linearly.

    python benchmarks/hostile.py [--limit-gb 2] [--only-inputs]
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
    parser.add_argument("--only-inputs", action="store_true", help="only the second table (hostile inputs)")
    args = parser.parse_args()
    limit = int(args.limit_gb * 1024**3)

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    print(f"{'file':24} {'bytes':>9} {'exit':>4} {'seconds':>8} {'peak MB':>8}  first line of the answer")
    worst = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for case in [] if args.only_inputs else hostile_rulesets():
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
    print(f"\n{'input':24} {'exit':>4} {'seconds':>8} {'peak MB':>8}  first line of the answer")
    with tempfile.TemporaryDirectory() as folder:
        for name, argv in hostile_inputs(folder):
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            start = time.perf_counter()
            try:
                proc = subprocess.run([sys.executable, "cli.py", *argv], cwd=ROOT, capture_output=True, text=True, preexec_fn=cap, timeout=300)
                code, first = proc.returncode, (proc.stderr.splitlines() or proc.stdout.splitlines() or [""])[0]
            except subprocess.TimeoutExpired:
                code, first = -1, "killed after 300 s"
            elapsed = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            worst = max(worst, elapsed)
            peak_mb = f"{peak / 1024:.0f}" if peak > before else "≤prev"
            print(f"{name:24} {code:>4} {elapsed:>8.3f} {peak_mb:>8}  {first.replace(folder, '…')[:110]}")
    bare = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    print(f"\nslowest: {worst:.3f} s (a bare interpreter start here: {time.perf_counter() - bare:.3f} s)")
    return 0


def hostile_inputs(folder: str) -> list[tuple[str, list[str]]]:
    """(name, CLI arguments) for each generated hostile input, its files
    written under `folder`."""
    import json
    import zipfile

    rs_path = os.path.join(ROOT, "rulesets", "2019", "department.yaml")
    ruleset = open(rs_path, encoding="utf-8").read()
    out: list[tuple[str, list[str]]] = []

    def write(name: str, text: str) -> str:
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        return path

    def batch(source: str, *extra: str) -> list[str]:
        return ["batch", source, "--ruleset", rs_path, "--output", os.path.join(folder, "out.jsonl"), "--errors", os.path.join(folder, "errors.txt"), *extra]

    # Compiling: linear in the number of names (was quadratic: 10,000 metrics took 75 s).
    for n in (1000, 10000):
        extra = "".join(f"  指标量{i}: 全年执行数 / 全年预算数 + {i}\n" for i in range(n))
        out.append((f"metrics-{n}", ["validate", write(f"metrics{n}.yaml", ruleset.replace("metrics:\n", "metrics:\n" + extra, 1))]))
    # extends: 49 files of 16,000 inputs, each within the caps (was: killed at 60 s, 500 MB).
    inputs = "".join(f"  甲{{k}}_{i}: {{{{type: number, required: false}}}}\n" for i in range(16000))
    write("chain48.yaml", ruleset)
    for k in range(48):
        write(f"chain{k}.yaml", f"extends: chain{k + 1}.yaml\nid: c{k}\nyear: 2019\ninputs:\n" + inputs.format(k=k))
    out.append(("extends-49-files", ["validate", os.path.join(folder, "chain0.yaml")]))
    # 3,000 cases of one data file (was 68 s, 500 MB).
    body = ruleset.split("\ncases:")[0] + "\ncases:\n" + "".join(
        f"  - name: 用例{i}\n    data: {ROOT}/examples/2019/hr-bureau.yaml\n    expect: {{total: 87.36, grade: 良}}\n" for i in range(3000))
    out.append(("cases-3000", ["test", write("cases.yaml", body)]))
    # 20,000 unknown CSV headers (was 25 s).
    rows = open(os.path.join(ROOT, "tests", "fixtures", "batch", "units.csv"), encoding="utf-8").read().splitlines()
    out.append(("csv-20000-headers", batch(write("headers.csv", rows[0] + "," + ",".join(f"未知列{i}" for i in range(20000)) + "\n" + rows[1] + "\n"))))
    # Numbers from JSONL beyond the bounds (1e-999999999 was 58 s and 14.7 GB).
    data = json.load(open(os.path.join(ROOT, "examples", "2019", "hr-bureau.json"), encoding="utf-8"))
    data.pop("ruleset", None)
    base = json.dumps(data, ensure_ascii=False)
    lines = [base.replace('"文中年初预算数": 3193.13', f'"文中年初预算数": {v}') for v in ("1e-999999999", "NaN", "1e999999999", "9" * 5_000_000)]
    lines += ["[" * 100_000 + "]" * 100_000, base]
    out.append(("jsonl-hostile-numbers", batch(write("numbers.jsonl", "\n".join(lines) + "\n"))))
    # XLSX: a <dimension> claiming the whole sheet (was 15 minutes), and a zip bomb (was 2.5 GB).
    header = "".join(f'<c r="{c}1" t="inlineStr"><is><t>{t}</t></is></c>' for c, t in (("A", "名称"), ("B", "文中年初预算数")))
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/>'
             f'<sheetData><row r="1">{header}</row><row r="2"><c r="A2" t="inlineStr"><is><t>甲</t></is></c><c r="B2"><v>1</v></c></row></sheetData></worksheet>')
    out.append(("xlsx-dimension-claim", batch(_xlsx(os.path.join(folder, "dimension.xlsx"), sheet))))
    bomb = sheet.replace("</worksheet>", "</worksheet>" + " " * (300 * 1024 * 1024))
    out.append(("xlsx-zip-bomb", batch(_xlsx(os.path.join(folder, "bomb.xlsx"), bomb))))
    # A FIFO named as a ruleset (was: blocked forever).
    if hasattr(os, "mkfifo"):
        os.mkfifo(os.path.join(folder, "fifo.yaml"))
        out.append(("fifo-ruleset", ["validate", os.path.join(folder, "fifo.yaml")]))
    return out


def _xlsx(path: str, sheet_xml: str) -> str:
    """A minimal workbook of one sheet, its XML as given."""
    import zipfile

    ns = "http://schemas.openxmlformats.org/"
    members = {
        "[Content_Types].xml": f'<Types xmlns="{ns}package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{ns}package/2006/relationships"><Relationship Id="rId1" Type="{ns}officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{ns}spreadsheetml/2006/main" xmlns:r="{ns}officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{ns}package/2006/relationships"><Relationship Id="rId1" Type="{ns}officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in members.items():
            z.writestr(name, text)
    return path


if __name__ == "__main__":
    raise SystemExit(main())
