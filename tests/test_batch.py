"""Batch evaluation: every input kind, bad units located, exit codes, the
summary, determinism, and the fast paths against their references."""
from __future__ import annotations

import csv
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT, run_cli

RULESET = "rulesets/2019/department.yaml"
FIX = ROOT / "tests" / "fixtures" / "batch"
CSV_TEXT = (FIX / "units.csv").read_text(encoding="utf-8")

# The four fixture units (generated from the bundled example by
# benchmarks/batch.py's generator, reviewed): the example as published, two
# varied units, and one broken unit (text in 文中实际支出, `≥15000人` as an actual).
TOTALS = [Decimal("87.36"), Decimal("73.1"), Decimal("66.36")]
GRADES = ["良", "中", "中"]
# Where the broken unit's two problems are, in each input form.
CSV_ERRORS = [
    "tests/fixtures/batch/units.csv:5:11: 「正文·实际共支出」（文中实际支出）应填数字，这里是「三千」",
    "tests/fixtures/batch/units.csv:5:41: 指标「城镇新增就业人数」的实际完成值「≥15000人」照抄了指标值（年度指标值为 15000人）：请填写实际完成的数字",
]


def _lines(path: Path) -> list[dict]:
    return [json.loads(line, parse_float=Decimal) for line in path.read_text(encoding="utf-8").splitlines()]


def _batch(tmp_path: Path, *inputs: str, extra: tuple[str, ...] = ()) -> tuple[int, str, str, Path]:
    out = tmp_path / "results.jsonl"
    code, stdout, stderr = run_cli("batch", *inputs, "--ruleset", RULESET, "--output", str(out), "--errors", str(tmp_path / "errors.txt"), *extra)
    return code, stdout, stderr, out


# --- inputs -------------------------------------------------------------------

def test_folder_result_is_exactly_the_single_evaluate_json(tmp_path):
    folder = tmp_path / "units"
    folder.mkdir()
    shutil.copy(ROOT / "examples" / "2019" / "hr-bureau.yaml", folder / "hr-bureau.yaml")
    code, stdout, _, out = _batch(tmp_path, str(folder))
    assert code == 0
    single_code, single, _ = run_cli("evaluate", str(folder / "hr-bureau.yaml"), "--ruleset", RULESET, "--format", "json")
    assert single_code == 0
    assert _lines(out) == [json.loads(single, parse_float=Decimal)]
    assert "共 1 个单位，评价 1 个，失败 0 个" in stdout


def test_jsonl_good_units_scored_bad_unit_located_to_the_column(tmp_path):
    code, stdout, _, out = _batch(tmp_path, str(FIX / "units.jsonl"))
    assert code == 1
    results = _lines(out)
    assert [r["total"] for r in results] == TOTALS
    assert [r["grade"] for r in results] == GRADES
    assert results[0]["stamp"]["engine"] == "jixiao 0.1.0"
    errors = (tmp_path / "errors.txt").read_text(encoding="utf-8").splitlines()
    line4 = (FIX / "units.jsonl").read_text(encoding="utf-8").splitlines()[3]
    col_text = line4.index('"三千"') + 1
    col_actual = line4.index('"≥15000人"') + 1
    assert errors == [
        f"tests/fixtures/batch/units.jsonl:4:{col_text}: 「正文·实际共支出」（文中实际支出）应填数字，这里是「三千」",
        f"tests/fixtures/batch/units.jsonl:4:{col_actual}: 指标「城镇新增就业人数」的实际完成值「≥15000人」照抄了指标值（年度指标值为 15000人）：请填写实际完成的数字",
    ]
    assert "共 4 个单位，评价 3 个，失败 1 个" in stdout


def test_jsonl_record_scores_like_the_same_unit_as_a_file(tmp_path):
    record = (FIX / "units.jsonl").read_text(encoding="utf-8").splitlines()[1]
    unit_file = tmp_path / "unit.json"
    unit_file.write_text(record, encoding="utf-8")
    _, single, _ = run_cli("evaluate", str(unit_file), "--ruleset", RULESET, "--format", "json")
    code, _, _, out = _batch(tmp_path, str(FIX / "units.jsonl"))
    batch_result = _lines(out)[1]
    single_result = json.loads(single, parse_float=Decimal)
    # Same scores, findings and deviations; only positions differ (a JSONL record
    # is located by its line, so findings of one severity keep their check order
    # rather than their position order) and the input digest (of the line).
    def strip(d):
        d = json.loads(json.dumps(d, default=str))
        for f in d["findings"] + d["deviations"]:
            f.pop("location")
        d["findings"].sort(key=lambda f: (f["severity"], f["message"]))
        d["stamp"].pop("input_digest")
        return d
    assert strip(batch_result) == strip(single_result)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_each_windows_encoding(tmp_path, encoding):
    table = tmp_path / "units.csv"
    table.write_bytes(CSV_TEXT.encode(encoding))
    code, stdout, _, out = _batch(tmp_path, str(table))
    assert code == 1
    assert [r["total"] for r in _lines(out)] == TOTALS
    shown = str(table)
    errors = (tmp_path / "errors.txt").read_text(encoding="utf-8").splitlines()
    assert errors == [e.replace("tests/fixtures/batch/units.csv", shown) for e in CSV_ERRORS]


def test_csv_row_scores_like_the_example_file(tmp_path):
    code, stdout, _ = run_cli("batch", str(FIX / "units.csv"), "--ruleset", RULESET, "--errors", str(tmp_path / "errors.txt"))
    assert code == 1
    first = json.loads(stdout.splitlines()[0], parse_float=Decimal)
    assert first["subject"] == {"name": "示例单位（报告原样）"}
    assert (first["total"], first["grade"]) == (Decimal("87.36"), "良")
    # A flat row has no line items, so its findings are the row-level ones, each at its cell.
    locations = {f["location"] for f in first["findings"] if f["kind"] == "consistency"}
    # Column 18 is 预算调整表.预算调整数: 996.66 stated, 996.65 by its category rows.
    assert "tests/fixtures/batch/units.csv:2:18" in locations


def test_xlsx_numbers_read_as_excel_shows_them(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    for row in csv.reader(io.StringIO(CSV_TEXT)):
        cells = []
        for c in row:
            plain = c.replace(",", "")
            try:
                cells.append(float(plain) if "." in plain else int(plain))
            except ValueError:
                cells.append(c if c else None)
        sheet.append(cells)
    path = tmp_path / "units.xlsx"
    book.save(path)
    code, _, _, out = _batch(tmp_path, str(path))
    assert code == 1
    assert [r["total"] for r in _lines(out)] == TOTALS
    errors = (tmp_path / "errors.txt").read_text(encoding="utf-8").splitlines()
    assert errors[0] == f"{path}[Sheet]:5:11: 「正文·实际共支出」（文中实际支出）应填数字，这里是「三千」"


def test_csv_and_xlsx_results_as_tables(tmp_path):
    pytest.importorskip("openpyxl")
    out = tmp_path / "results.csv"
    code, stdout, _ = run_cli("batch", str(FIX / "units.csv"), "--ruleset", RULESET, "--output", str(out), "--errors", str(tmp_path / "e.txt"))
    assert code == 1
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0][:5] == ["位置", "名称", "总分", "等级", "预算管理"]
    assert [r[2] for r in rows[1:]] == ["87.36", "73.10", "66.36"]
    assert rows[1][-3] == "jixiao 0.1.0" and rows[1][-2].startswith("sha256:")
    xlsx = tmp_path / "results.xlsx"
    assert run_cli("batch", str(FIX / "units.csv"), "--ruleset", RULESET, "--output", str(xlsx), "--errors", str(tmp_path / "e.txt"))[0] == 1
    import openpyxl

    sheet = openpyxl.load_workbook(xlsx, read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][1] == "示例单位（报告原样）" and str(values[1][2]) == "87.36"


# --- columns, mappings, line rows --------------------------------------------

def test_unknown_header_stops_before_any_unit_and_writes_nothing(tmp_path):
    table = tmp_path / "units.csv"
    table.write_text(CSV_TEXT.replace("文中实际支出", "实际支出合计", 1), encoding="utf-8")
    code, _, stderr, out = _batch(tmp_path, str(table))
    assert code == 1
    assert f"{table}:1:11: 表头「实际支出合计」不对应规则集中的任何输入项、表格数字或指标" in stderr
    assert not out.exists()
    # A mapping file names it (or would ignore it with null).
    mapping = tmp_path / "columns.yaml"
    mapping.write_text("columns:\n  实际支出合计: 文中实际支出\n", encoding="utf-8")
    code, _, _, out = _batch(tmp_path, str(table), extra=("--columns", str(mapping)))
    assert code == 1 and [r["total"] for r in _lines(out)] == TOTALS


def test_bad_mapping_is_located_in_the_mapping_file(tmp_path):
    mapping = tmp_path / "columns.yaml"
    mapping.write_text("columns:\n  实际支出合计: 文中实际之出\n", encoding="utf-8")
    code, _, stderr, _ = _batch(tmp_path, str(FIX / "units.csv"), extra=("--columns", str(mapping)))
    assert code == 1
    assert "columns.yaml:2:11: 列映射把「实际支出合计」映射到「文中实际之出」，但规则集中没有这个名称，是否应为「文中实际支出」？" in stderr


def test_line_rows_from_a_second_file_join_by_key(tmp_path):
    # Main table: the budget table's totals by column; spending table rows come
    # from a second file keyed by 单位编号, with one row that belongs to no unit.
    rows = list(csv.DictReader(io.StringIO(CSV_TEXT)))[:1]
    main = {k: v for k, v in rows[0].items() if not k.startswith(("支出表.基本支出.", "支出表.项目支出."))}
    main = {"单位编号": "A01", **main}
    (tmp_path / "main.csv").write_text(",".join(main) + "\n" + ",".join(f'"{v}"' for v in main.values()) + "\n", encoding="utf-8")
    (tmp_path / "spend.csv").write_text(
        "单位编号,名称,类别,经开,汉南,合计\n"
        "A01,基本支出,基本支出,861.87,323.09,\"1,184.95\"\n"
        "A01,项目支出,项目支出,\"1,955.34\",781.04,\"2,736.38\"\n"
        "B99,基本支出,基本支出,1,2,3\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "columns.yaml"
    mapping.write_text("key: 单位编号\nrows:\n  into: tables.支出表\n", encoding="utf-8")
    code, stdout, _, out = _batch(tmp_path, str(tmp_path / "main.csv"), extra=("--columns", str(mapping), "--rows", str(tmp_path / "spend.csv")))
    assert code == 1  # the orphan row
    (result,) = _lines(out)
    assert result["subject"]["单位编号"] == "A01"
    # 支出表 total = the two rows' sums (3,921.33 as published, 3,921.32 by the rows: a rounding note).
    assert result["total"] == Decimal("87.36")
    errors = (tmp_path / "errors.txt").read_text(encoding="utf-8").splitlines()
    assert errors == [f"{tmp_path / 'spend.csv'}:4:1: 此明细行的关键值「B99」不对应任何单位"]
    assert "另有 1 行明细不对应任何单位" in stdout


# --- exit codes, determinism, summary ----------------------------------------

def test_exit_codes(tmp_path):
    assert _batch(tmp_path, str(FIX / "units.jsonl"))[0] == 1
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join((FIX / "units.jsonl").read_text(encoding="utf-8").splitlines()[:3]) + "\n", encoding="utf-8")
    assert _batch(tmp_path, str(good))[0] == 0
    assert run_cli("batch", str(good), "--ruleset", RULESET, "--format", "xlsx")[0] == 2
    assert run_cli("batch", str(good))[0] == 2  # --ruleset is required
    code, _, stderr, _ = _batch(tmp_path, str(tmp_path / "missing.jsonl"))
    assert code == 1 and "找不到文件" in stderr


def test_jobs_2_is_byte_identical_to_jobs_1(tmp_path):
    big = tmp_path / "many.jsonl"
    lines = (FIX / "units.jsonl").read_text(encoding="utf-8").splitlines()
    big.write_text("\n".join(lines * 40) + "\n", encoding="utf-8")  # 160 units: two chunks
    one = _batch(tmp_path, str(big), extra=("--jobs", "1"))[3].read_bytes()
    (tmp_path / "errors.txt").rename(tmp_path / "errors1.txt")
    two = _batch(tmp_path, str(big), extra=("--jobs", "2"))[3].read_bytes()
    assert one == two
    assert (tmp_path / "errors1.txt").read_bytes() == (tmp_path / "errors.txt").read_bytes()


def test_workers_by_default_one_per_cpu_but_none_for_a_small_input(tmp_path, monkeypatch):
    from engine.batch import pool as batch

    lines = (FIX / "units.jsonl").read_text(encoding="utf-8").splitlines()
    small, big = tmp_path / "small.jsonl", tmp_path / "big.jsonl"
    small.write_text("\n".join(lines * 100) + "\n", encoding="utf-8")  # 400 units
    big.write_text("\n".join(lines * 200) + "\n", encoding="utf-8")  # 800 units
    monkeypatch.setattr(batch.os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert batch.prepare(batch.Options(RULESET, (str(small),), jobs=0)).auto_jobs() == 1
    assert batch.prepare(batch.Options(RULESET, (str(big),), jobs=0)).auto_jobs() == 3
    assert batch.prepare(batch.Options(RULESET, (str(big),), jobs=0)).count(stop_at=512) >= 512
    assert batch.prepare(batch.Options(RULESET, (str(big),), jobs=0)).count() == 800
    monkeypatch.setattr(batch.os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    assert batch.prepare(batch.Options(RULESET, (str(big),), jobs=0)).auto_jobs() == 8
    assert run_cli("batch", str(small), "--ruleset", RULESET, "--jobs", "-1")[0] == 2


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_jobs_beyond_four_per_cpu_are_brought_down_with_a_notice(tmp_path, monkeypatch, lang):
    from engine.batch import pool, workers

    lines = (FIX / "units.jsonl").read_text(encoding="utf-8").splitlines()[:3]
    many = tmp_path / "many.jsonl"
    many.write_text("\n".join(lines * 200) + "\n", encoding="utf-8")  # 600 units: 5 chunks
    one = _batch(tmp_path, str(many), extra=("--jobs", "1", "--lang", lang))[3].read_bytes()
    started = []
    real = workers._Worker.__init__

    def counted(self, *args):
        started.append(1)
        real(self, *args)

    monkeypatch.setattr(workers._Worker, "__init__", counted)
    monkeypatch.setattr(pool.os, "sched_getaffinity", lambda pid: {0}, raising=False)  # one usable CPU
    assert pool.max_jobs() == 4
    code, _, stderr, out = _batch(tmp_path, str(many), extra=("--jobs", "100000", "--lang", lang))
    assert code == 0 and out.read_bytes() == one
    assert stderr.splitlines()[0] == {
        "zh": "--jobs 100000 超过本机的上限 4（每个可用 CPU 4 个进程）：最多用 4 个进程评价",
        "en": "--jobs 100000 is more than this machine's limit of 4 (4 per usable CPU): using at most 4 worker processes",
    }[lang]
    assert len(started) == 4


def test_never_more_workers_than_chunks_and_no_notice_within_the_limit(tmp_path, monkeypatch):
    from engine.batch import pool, workers

    lines = (FIX / "units.jsonl").read_text(encoding="utf-8").splitlines()[:3]
    started = []
    real = workers._Worker.__init__

    def counted(self, *args):
        started.append(1)
        real(self, *args)

    monkeypatch.setattr(workers._Worker, "__init__", counted)
    monkeypatch.setattr(pool.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    few = tmp_path / "few.jsonl"
    few.write_text("\n".join(lines * 100) + "\n", encoding="utf-8")  # 300 units: 3 chunks
    code, _, stderr, out = _batch(tmp_path, str(few), extra=("--jobs", "8"))
    assert code == 0 and len(_lines(out)) == 300
    assert len(started) == 3 and "--jobs" not in stderr
    started.clear()
    four = tmp_path / "four.jsonl"
    four.write_text("\n".join(lines + lines[:1]) + "\n", encoding="utf-8")
    code, _, stderr, out = _batch(tmp_path, str(four), extra=("--jobs", "200"))
    assert code == 0 and [r["total"] for r in _lines(out)] == [*TOTALS, TOTALS[0]]
    assert len(started) == 1 and stderr.startswith("--jobs 200 超过本机的上限 8（每个可用 CPU 4 个进程）")


def test_without_worker_processes_the_batch_runs_in_one(tmp_path, monkeypatch):
    import multiprocessing

    lines = (FIX / "units.jsonl").read_text(encoding="utf-8").splitlines()
    big = tmp_path / "many.jsonl"
    big.write_text("\n".join(lines * 40) + "\n", encoding="utf-8")
    one = _batch(tmp_path, str(big), extra=("--jobs", "1"))[3].read_bytes()

    def no_processes(*args, **kwargs):
        raise BlockingIOError(11, "Resource temporarily unavailable")  # fork at the process limit

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", no_processes)
    code, _, stderr, out = _batch(tmp_path, str(big), extra=("--jobs", "2"))
    assert code == 1 and "无法写入" not in stderr and out.read_bytes() == one


def test_summary_values(tmp_path):
    code, stdout, _, out = _batch(tmp_path, str(FIX / "units.jsonl"))
    summary = json.loads(Path(str(out) + ".summary.json").read_text(encoding="utf-8"), parse_float=Decimal)
    assert (summary["units"], summary["evaluated"], summary["failed"]) == (4, 3, 1)
    assert summary["grades"] == {"优": 0, "良": 1, "中": 2, "差": 0}
    assert summary["mean"] == Decimal("75.61")  # (87.36 + 73.10 + 66.36) / 3 = 75.606…
    assert summary["median"] == Decimal("73.1")
    assert [u["total"] for u in summary["best"]] == TOTALS
    assert [u["total"] for u in summary["worst"]] == TOTALS[::-1]
    assert [(u["location"], u["warnings"]) for u in summary["most_warnings"]][0] == ("tests/fixtures/batch/units.jsonl:3", 11)
    assert summary["first_failures"] == ["tests/fixtures/batch/units.jsonl:4"]
    assert "平均分 75.61，中位数 73.1" in stdout


def test_summary_median_of_an_even_count_and_ties_in_input_order():
    from engine.batch.statistics import BatchSummary as Summary
    from engine.batch.units import UnitOutcome

    s = Summary({"优": 0, "良": 0})
    for i, total in enumerate(["90", "80", "80", "70.5"]):
        s.add(UnitOutcome(True, f"u{i}", f"单位{i}", Decimal(total), "良", i % 2, None, (), False))
    assert s.median() == Decimal("80.00") and s.mean() == Decimal("80.13")
    assert [u["location"] for u in s.as_dict()["best"]] == ["u0", "u1", "u2", "u3"]
    assert [u["location"] for u in s.as_dict()["most_warnings"]] == ["u1", "u3"]


def test_progress_is_silent_when_stderr_is_not_a_terminal(tmp_path):
    _, _, stderr, _ = _batch(tmp_path, str(FIX / "units.jsonl"))
    assert "\r" not in stderr and "评价中" not in stderr


# --- fast paths against their references --------------------------------------

class _Text(str):
    """A str the fast path does not take (it checks the exact class)."""


@settings(max_examples=400, deadline=None)
@given(st.from_regex(r"\A[-+−]?[0-9０-９,.%％ 人]{1,14}\Z", fullmatch=True), st.sampled_from(["money", "number", "percent", "count"]), st.sampled_from([None, True, False]))
@example("6,226.60", "money", None)
@example("93.59%", "percent", None)
@example("93.59%", "money", None)
@example("1,000.5%", "percent", None)
@example("-0.5%", "percent", None)
@example("-1,234", "money", None)
@example("1,23", "money", None)
@example("0012.50", "count", None)
@example("12.0", "count", None)
@example("1000000000000000", "money", None)
def test_plain_number_fast_path_agrees_with_the_general_parser(text, kind, negative):
    from engine.unit.entries import coerce

    fast, slow = coerce(text, kind, negative, "人"), coerce(_Text(text), kind, negative, "人")
    assert (str(fast[0]), fast[1]) == (str(slow[0]), slow[1])


@settings(max_examples=200, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.text(max_size=6) | st.decimals(allow_nan=False, allow_infinity=False, places=4),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=20,
))
def test_json_line_equals_the_json_contract(value):
    from engine.render.json_out import dumps
    from engine.render.jsonl import dumps_line

    assert dumps_line(value) == dumps(value, indent=None)  # byte for byte
    assert json.loads(dumps_line(value)) == json.loads(dumps(value))


def test_json_positions_point_at_each_value():
    from engine.load.json_line import json_positions

    text = '{"a": 1, "b": {"c": "x", "d": [true, {"e": null}]}}'
    values, keys = json_positions(text)
    assert values[("b", "d", 1, "e")] == text.index("null") + 1
    assert values[("b", "c")] == text.index('"x"') + 1
    assert keys[("b", "d")] == text.index('"d"') + 1


def test_message_templates_fill_as_before():
    from engine.base.messages import _fill

    assert _fill("a{x}b{y?，是否应为「{y}」？}c", {"x": "1", "y": "z"}) == "a1b，是否应为「z」？c"
    assert _fill("a{x}b{y?，是否应为「{y}」？}c", {"x": "1", "y": ""}) == "a1bc"
    assert _fill("{missing}", {}) == "{missing}"


# --- project units (indicator rows from a second table) -------------------------

PROJECTS = ROOT / "examples" / "2019" / "projects-batch"


def _project_batch(tmp_path: Path, indicators: Path) -> tuple[int, str, Path]:
    out = tmp_path / "projects.jsonl"
    code, stdout, _ = run_cli(
        "batch", str(PROJECTS / "projects.csv"), "--ruleset", "rulesets/2019/project.yaml",
        "--columns", str(PROJECTS / "columns.yaml"), "--rows", str(indicators),
        "--output", str(out), "--errors", str(tmp_path / "errors.txt"),
    )
    return code, stdout, out


def test_project_tables_score_as_the_project_files(tmp_path):
    code, stdout, out = _project_batch(tmp_path, PROJECTS / "indicators.csv")
    assert code == 0
    batch = {r["subject"]["name"]: (r["total"], r["grade"], r["indicators"]) for r in _lines(out)}
    singles = {}
    for f in sorted((ROOT / "examples" / "2019" / "projects").glob("*.yaml")):
        _, text, _ = run_cli("evaluate", str(f), "--format", "json")
        d = json.loads(text, parse_float=Decimal)
        singles[d["subject"]["name"]] = (d["total"], d["grade"], d["indicators"])
    assert batch == singles
    assert "共 6 个单位，评价 6 个，失败 0 个" in stdout


def test_bad_project_indicator_row_is_located_in_the_indicator_table(tmp_path):
    text = (PROJECTS / "indicators.csv").read_text(encoding="utf-8-sig")
    bad = tmp_path / "indicators.csv"
    bad.write_text(text.replace(",15500,", ",约一万五千,", 1), encoding="utf-8")
    code, stdout, _ = _project_batch(tmp_path, bad)
    assert code == 1
    errors = (tmp_path / "errors.txt").read_text(encoding="utf-8").splitlines()
    row = next(i for i, line in enumerate(text.splitlines(), 1) if ",15500," in line)
    col = text.splitlines()[0].split(",").index("实际完成值") + 1
    assert len(errors) == 1
    assert errors[0].startswith(f"examples/2019/projects-batch/projects.csv:4: {bad}:{row}:{col}: ")
    assert "约一万五千" in errors[0]
    assert "共 6 个单位，评价 5 个，失败 1 个" in stdout


def test_a_bug_met_by_one_unit_does_not_cost_the_others_their_results(tmp_path, monkeypatch):
    from engine.batch import units as batch

    def flaky(real):
        def evaluate(plan, unit):
            if unit.name == "第000002号预算单位":
                raise RuntimeError("boom")
            return real(plan, unit)

        return evaluate

    # the bug may be met by the plan's generated evaluator or by the general one
    monkeypatch.setattr(batch, "evaluate", flaky(batch.evaluate))
    monkeypatch.setattr(batch, "evaluate_fast", flaky(batch.evaluate_fast))
    code, stdout, _, out = _batch(tmp_path, str(FIX / "units.jsonl"))
    assert code == 70
    assert [r["total"] for r in _lines(out)] == [TOTALS[0], TOTALS[2]]
    errors = (tmp_path / "errors.txt").read_text(encoding="utf-8").splitlines()
    assert errors[0] == "tests/fixtures/batch/units.jsonl:2: 内部错误：RuntimeError: boom。此单位未评价，其余单位不受影响；请加 --debug 重新运行（会列出出错的调用栈）并报告"
    assert "共 4 个单位，评价 2 个，失败 2 个" in stdout
    assert not [e for e in errors if "Traceback" in e]  # only with --debug
    # --debug: the same line, then where in jixiao it happened (for the maintainers)
    code, _, _, out = _batch(tmp_path, str(FIX / "units.jsonl"), extra=("--debug",))
    assert code == 70
    errors = (tmp_path / "errors.txt").read_text(encoding="utf-8").splitlines()
    at = errors.index("tests/fixtures/batch/units.jsonl:2: 内部错误：RuntimeError: boom。此单位未评价，其余单位不受影响；请加 --debug 重新运行（会列出出错的调用栈）并报告")
    assert errors[at + 1] == "Traceback (most recent call last):" and errors[errors.index("RuntimeError: boom")] == "RuntimeError: boom"
    assert any('in evaluate' in e for e in errors[at:]) and [r["total"] for r in _lines(out)] == [TOTALS[0], TOTALS[2]]


def test_project_workbook_with_indicator_rows_on_the_second_sheet(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for sheet, name in ((book.active, "项目"), (book.create_sheet(), "绩效指标")):
        sheet.title = name
        source = "projects.csv" if name == "项目" else "indicators.csv"
        for row in csv.reader(io.StringIO((PROJECTS / source).read_text(encoding="utf-8-sig"))):
            sheet.append([c if c else None for c in row])
    path = tmp_path / "projects.xlsx"
    book.save(path)
    out = tmp_path / "out.jsonl"
    code, _, _ = run_cli("batch", str(path), "--ruleset", "rulesets/2019/project.yaml", "--columns", str(PROJECTS / "columns.yaml"), "--output", str(out), "--errors", str(tmp_path / "e.txt"))
    assert code == 0
    totals = [r["total"] for r in _lines(out)]
    assert totals == [Decimal("75.17"), Decimal("95.64"), Decimal("97.66"), Decimal("95.59"), Decimal("97.13"), Decimal("29")]


def test_outputs_to_a_pipe_are_written_through_not_replaced(tmp_path):
    """`--output /dev/null` or a named pipe must stay what it is: an atomic
    rename would put a regular file in its place."""
    import os
    import stat
    import threading

    from engine.base.fileio import AtomicFile, write_atomic

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def through(write) -> bytes:
        received: list[bytes] = []
        reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
        reader.start()
        write()
        reader.join(timeout=10)
        return b"".join(received)

    def stream() -> None:
        out = AtomicFile(str(fifo))
        out.file.write("一行\n")
        out.commit()

    assert through(stream) == "一行\n".encode()
    assert through(lambda: write_atomic(str(fifo), "两行\n")) == "两行\n".encode()
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert list(tmp_path.iterdir()) == [fifo]  # no temporary file left beside it


_ROW_NAMES = st.sampled_from(["基本支出", "项目支出", "其他", "小计"])


@st.composite
def _table(draw, depth=0):
    from engine.unit.inputs import TableRow

    kids = tuple(draw(st.lists(_table(depth + 1), max_size=3))) if depth < 3 else ()
    cat = draw(st.sampled_from([None, None, "基本支出", "项目支出"]))
    figure = draw(st.one_of(st.none(), st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-1000, max_value=1000)))
    return TableRow(draw(_ROW_NAMES), cat, {"数": figure}, (), kids)


@settings(max_examples=200, deadline=None)
@given(_table())
def test_category_sums_in_one_walk_equal_table_value(root):
    from engine.unit.inputs import _column_sum, category_rows, table_value

    rows = category_rows(root)
    for cat in ("基本支出", "项目支出", "其他"):
        assert str(_column_sum(rows.get(cat, ()), "数")) == str(table_value(root, cat, "数"))


def test_result_writer_takes_lines_as_text_or_as_utf8_bytes(tmp_path):
    import io

    from engine.batch.writers import ResultWriter

    line = '{"名称":"人力资源局","total":87.36}'
    text = io.StringIO()
    w = ResultWriter("jsonl", text, [])
    w.write(line)
    w.write((line + "\n").encode("utf-8"))
    assert text.getvalue() == (line + "\n") * 2
    with open(tmp_path / "out.jsonl", "w", encoding="utf-8") as fh:
        w = ResultWriter("jsonl", fh, [])
        w.write((line + "\n").encode("utf-8"))
        w.write((line + "\n").encode("utf-8"))
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == (line + "\n") * 2


def test_an_unexplained_deviation_in_a_table_row_names_the_column_to_fill(tmp_path):
    """A table unit has no `explanation:` key to write: the finding names the
    column (`<指标>.说明`, the header `template --flat` writes) instead."""
    code, _, _, out = _batch(tmp_path, str(FIX / "units.csv"))
    messages = [f["message"] for line in out.read_text(encoding="utf-8").splitlines() for f in json.loads(line)["findings"] if f["code"] == "batch.no_explanation_column"]
    assert messages and "指标「开展校招活动场数」未完成，但没有说明原因：请在「开展校招活动场数.说明」列填写偏差原因" in messages
    assert not any("explanation" in m for m in messages)
    # a unit file still speaks of its own key
    code, _, _, out = _batch(tmp_path, str(FIX / "units.jsonl"))
    assert "batch.no_explanation_column" not in out.read_text(encoding="utf-8")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=6) | st.decimals(allow_nan=False, allow_infinity=False, places=2) | st.sampled_from(["a\x1fb", "\x1f", ""]), min_size=1, max_size=8))
def test_a_row_travels_to_a_worker_unchanged(cells):
    """Rows go to workers packed as one string (issue 18): what the worker
    unpacks is the row, whatever its cells hold (U+001F itself, numbers)."""
    from engine.batch import units

    payload = ("row", "u.csv", 7, tuple(cells), None)
    packed = units.packed(payload)
    if packed[3].__class__ is str:
        assert all(c.__class__ is str and "\x1f" not in c for c in cells)
        assert (*packed[:3], tuple(packed[3].split("\x1f")), packed[4]) == payload
    else:
        assert packed == payload


def test_the_encoding_of_a_changed_file_is_found_again(tmp_path):
    """`csv_encoding` decodes a file once (a batch opens its table twice), but a
    file rewritten in between is looked at again."""
    from engine.load.tables import csv_encoding

    path = tmp_path / "u.csv"
    path.write_bytes("名称,金额\n甲,1\n".encode("utf-8"))
    assert csv_encoding(str(path), "u.csv") == "utf-8-sig"
    path.write_bytes("名称,金额\n乙单位,2\n".encode("gb18030"))
    assert csv_encoding(str(path), "u.csv") == "gb18030"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(max_codepoint=0x3100)) | st.sampled_from(["a\x1bb", "\x85", "\x7f", "·", "\ud800x", "\t\n\r", "预算\u3000"]), min_size=1, max_size=6))
def test_a_row_is_refused_for_control_characters_exactly_as_the_pattern_says(cells):
    """`cell_problems` asks `isprintable` first (issue 18): a row it passes
    holds nothing the control-character pattern finds."""
    from engine.load.tables import _CELL_CONTROL, cell_problems

    whole = " ".join(cells)
    if whole.isprintable():
        assert _CELL_CONTROL.search(whole) is None
    assert (cell_problems("u.csv", 2, tuple(cells)) == []) == (_CELL_CONTROL.search(whole) is None)  # short rows: the length limit aside


def test_a_gbk_line_pasted_into_a_utf8_jsonl_is_refused_alone(tmp_path):
    """A UTF-8 JSONL file (its first characters say so) with one line pasted
    from a GBK file: that line is refused where its damage starts; every other
    line is read as UTF-8 and scored as it is, its names not garbled (the
    file is not re-read as GBK)."""
    good = (FIX / "units.jsonl").read_text(encoding="utf-8").splitlines()[:2]
    pasted = '{"subject": {"name": "粘贴单位"}, "inputs": {}}'.encode("gbk")
    path = tmp_path / "units.jsonl"
    path.write_bytes(good[0].encode() + b"\n" + pasted + b"\n" + good[1].encode() + b"\n")
    code, stdout, _, out = _batch(tmp_path, str(path))
    assert code == 1
    results = _lines(out)
    assert [r["subject"]["name"] for r in results] == [json.loads(line)["subject"]["name"] for line in good]
    assert results[0]["total"] == Decimal("87.36")
    errors = (tmp_path / "errors.txt").read_text(encoding="utf-8").splitlines()
    assert errors == [f"{path}:2:24: 这一行从这里起不是有效的 UTF-8：文件其余部分是 UTF-8 编码，这里可能粘贴了 GBK 编码的内容；请把整个文件另存为 UTF-8"]
    assert "共 3 个单位，评价 2 个，失败 1 个" in stdout


def test_a_gbk_jsonl_after_ascii_lines_is_read_as_gbk(tmp_path):
    """A GBK file whose first lines are ASCII: its first Chinese characters
    are no UTF-8, so the file is GBK, read as before."""
    lines = (FIX / "units.jsonl").read_text(encoding="utf-8").splitlines()[:2]
    path = tmp_path / "units.jsonl"
    path.write_bytes(("\n" * 3 + "\n".join(lines) + "\n").encode("gbk"))
    code, _, _, out = _batch(tmp_path, str(path))
    assert code == 0
    assert [r["subject"]["name"] for r in _lines(out)] == [json.loads(line)["subject"]["name"] for line in lines]
