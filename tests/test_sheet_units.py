"""A sheet row read by its generated reader (`engine.unit.sheet_units`, issue 18)
is the `UnitData` the general path (`ColumnMap.unit` + `read_unit`) makes of
it — values, entries, table rows, key order included — or it is left to the
general path; and a batch gives the same bytes either way."""
from __future__ import annotations

import csv
import os
import random
from contextlib import ExitStack
import sys
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from engine.base.diagnostics import DiagnosticError
from engine.batch import pool, units
from engine.ruleset.loading import load_plan
from engine.unit.columns import resolve, row_smap
from engine.unit.inputs import read_unit
from engine.unit.sheet_units import reader_source, sheet_reader

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
import batch as bench  # noqa: E402 - the benchmark's generator of realistic units

DEPARTMENT = os.path.join(ROOT, "rulesets", "2019", "department.yaml")
PROJECT = os.path.join(ROOT, "rulesets", "2019", "project.yaml")
FIELDS = ("file", "digest", "subject", "ruleset_ref", "values", "entries", "tables", "plan", "entry_keys", "stated", "notices", "notes", "narrative")
# What a cell may hold that is not a plain figure: blanks, empty marks, signs,
# full-width digits, units, percentages, booleans, words, out-of-range figures.
ODD = ["", " ", "\u3000", "—", "/", "-5", "-0", "0", "0.5", "1e3", "12%", "150%", "100.00%", "３４", "1,234.5", "1,23",
       "abc", "是", "否", "N", "达成", "部分达成", "2", " 7 ", "95场", "9999999999999999", "≥100%", "约一万", "0.000000000000000000000000000000001",
       "d", "dd,ddd.dd", "d%", "dd.d%"]  # the letter d: the placeholder of a figure's shape (entries._DIGITS), never a figure


def generated_sheet(tmp, n: int = 80):
    """N generated department units as one CSV under `tmp`: (plan, its column
    map, the data rows, the file, the header)."""
    jsonl, table = str(tmp / "u.jsonl"), str(tmp / "u.csv")
    bench.write_jsonl(jsonl, n)
    bench.write_csv(jsonl, table)
    with open(table, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    plan = load_plan(DEPARTMENT)
    cmap, problems = resolve(plan, rows[0], None, "u.csv")
    assert not problems
    return plan, cmap, rows[1:], table, rows[0]


@pytest.fixture(scope="module")
def sheet(tmp_path_factory):
    return generated_sheet(tmp_path_factory.mktemp("sheet"))[:4]


def _both(plan, cmap, cells, number=2):
    """(generated reader's unit or None, general path's unit or None)."""
    smap = row_smap("u.csv", number, cmap.cols)
    fast = sheet_reader(plan, cmap)(tuple(cells), smap, "u.csv", "sha256:x")
    try:
        general = read_unit(plan, cmap.unit(tuple(cells)), smap, "u.csv", "sha256:x", cmap.absent)
    except DiagnosticError:
        general = None
    return fast, general


def _assert_same(fast, general) -> None:
    assert general is not None, "the generated reader accepted a row the general path refuses"
    for name in FIELDS:
        a, b = getattr(fast, name), getattr(general, name)
        assert a == b, name
        assert repr(a) == repr(b), name  # Decimal exponents, key order, row order
    for key in general.entries:
        assert list(fast.entries[key]) == list(general.entries[key])


def test_generated_rows_read_as_by_the_general_path(sheet):
    plan, cmap, rows, _ = sheet
    fast_count = 0
    for n, cells in enumerate(rows, 2):
        fast, general = _both(plan, cmap, cells, n)
        if general is None:
            assert fast is None  # a broken row (the generator breaks ~1%) is the general path's
            continue
        assert fast is not None, f"row {n}: a plain row left to the general path"
        _assert_same(fast, general)
        fast_count += 1
    assert fast_count >= len(rows) * 0.95


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_odd_cells_read_as_by_the_general_path_or_left_to_it(sheet, data):
    plan, cmap, rows, _ = sheet
    cells = list(data.draw(st.sampled_from(rows)))
    for _ in range(data.draw(st.integers(1, 4))):
        cells[data.draw(st.integers(0, len(cells) - 1))] = data.draw(st.sampled_from(ODD) | st.text(max_size=6))
    if data.draw(st.booleans()):
        cells = cells[: data.draw(st.integers(1, len(cells)))]  # a short row
    fast, general = _both(plan, cmap, cells)
    if fast is not None:
        _assert_same(fast, general)


def test_typed_cells_are_left_to_the_general_path(sheet):
    plan, cmap, rows, _ = sheet
    cells = list(rows[0])
    cells[1] = Decimal("7478.51")  # as an XLSX sheet gives a number
    fast, general = _both(plan, cmap, cells)
    assert fast is None and general is not None


def test_plans_and_sheets_it_does_not_cover(sheet):
    plan, cmap, rows, _ = sheet
    assert reader_source(plan, cmap) is not None
    # a `year` column (read by the general path, which compares it with the ruleset's)
    with_year, problems = resolve(plan, ["名称", *plan.ruleset.inputs, "year"], None, "y.csv")
    assert not problems and reader_source(plan, with_year) is None
    # a required input without a column: every row is refused, by the general path
    short, problems = resolve(plan, ["名称", "文中年初预算数"], None, "s.csv")  # 文中实际支出 … have no column
    assert not problems and reader_source(plan, short) is None
    # a project plan whose indicators are rows of its own
    project = load_plan(PROJECT)
    assert project.frames
    pmap, problems = resolve(project, ["项目名称"], None, "p.csv")
    assert not problems and reader_source(project, pmap) is None


@pytest.mark.parametrize("result,lang", [("scores", "zh"), ("full", "zh"), ("full", "en"), ("compact", "zh")])
def test_batch_outcomes_are_the_general_paths(sheet, monkeypatch, result, lang):
    """The whole batch in this process, once with the generated readers and once
    with every row left to the general path: outcomes (result lines, errors,
    counts) identical."""
    plan, cmap, rows, table = sheet
    outputs = []
    for generated in (True, False):
        if not generated:
            monkeypatch.setattr(units, "sheet_reader", lambda plan, cmap: None)
            monkeypatch.setattr(units, "row_scorer", lambda plan, cmap: None)
        job = pool.prepare(pool.Options(DEPARTMENT, (table,), "jsonl", 1, lang=lang, result=result))
        with ExitStack() as stack:
            outputs.append([tuple(o) for o in job.outcomes(stack)])
    assert outputs[0] == outputs[1]
    assert sum(1 for o in outputs[0] if o[0]) >= len(rows) * 0.95


def test_scores_lines_do_not_pay_for_the_input_digest(sheet):
    plan, cmap, rows, table = sheet
    state = units._State(plan, "zh", "jsonl", {"u.csv": cmap}, None, "scores")
    assert units._row_digest(state, tuple(rows[0])) == ""
    state = units._State(plan, "zh", "jsonl", {"u.csv": cmap}, None, "full")
    assert units._row_digest(state, tuple(rows[0])).startswith("sha256:")


def test_a_letter_d_in_a_figure_cell_is_a_located_problem_not_an_internal_error(tmp_path):
    """`d` is the placeholder of a figure's shape (`d,ddd.dd`): a cell holding
    the letter itself once passed for a figure in the generated readers and
    crashed the unit (exit 70, InvalidOperation). It is a located problem."""
    from tests.conftest import run_cli

    plan, cmap, rows, _, header = generated_sheet(tmp_path, 3)
    col = header.index("文中实际支出")
    rows[0][col], rows[1][col] = "d", "dd,ddd.dd"
    path = tmp_path / "d.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    code, _, err = run_cli("batch", str(path), "--ruleset", DEPARTMENT, "--jobs", "1", "--output", str(tmp_path / "out.jsonl"))
    assert code == 1, err
    assert f"d.csv:2:{col + 1}: 「正文·实际共支出」（文中实际支出）应填数字，这里是「d」" in err
    assert f"d.csv:3:{col + 1}: 「正文·实际共支出」（文中实际支出）应填数字，这里是「dd,ddd.dd」" in err
    assert "内部错误" not in err
