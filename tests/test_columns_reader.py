"""A sheet's generated row reader (`ColumnMap.unit`, issue 18) gives the data
the general loop (`ColumnMap.unit_reference`) gives, key order included, on
generated department rows, project rows, and rows short, blank, typed or odd."""
from __future__ import annotations

import csv
import json
import os
import random
import sys
from decimal import Decimal

import pytest

from engine.batch import pool
from engine.unit.columns import unit_reader_source

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
import batch as bench  # noqa: E402 - the benchmark's generator of realistic units

DEPARTMENT = os.path.join(ROOT, "rulesets", "2019", "department.yaml")


def _same(a, b) -> None:
    assert json.dumps(a, ensure_ascii=False, default=str) == json.dumps(b, ensure_ascii=False, default=str)
    assert a == b


def _varied(cells: list, rnd: random.Random) -> list:
    """The row with some cells made blank, typed (as XLSX gives them) or odd."""
    out = list(cells)
    for i in range(len(out)):
        r = rnd.random()
        if r < 0.05:
            out[i] = rnd.choice(["", "  ", "\u3000", "—"])
        elif r < 0.08:
            out[i] = rnd.choice([Decimal("12.5"), True, False, Decimal("0")])
        elif r < 0.10:
            out[i] = rnd.choice(["是", "否", " true ", "N", "x"])
    return out


@pytest.fixture(scope="module")
def department_sheet(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sheet")
    jsonl, table = str(tmp / "u.jsonl"), str(tmp / "u.csv")
    bench.write_jsonl(jsonl, 60)
    bench.write_csv(jsonl, table)
    job = pool.prepare(pool.Options(DEPARTMENT, (table,), "jsonl", 1))
    with open(table, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    return next(iter(job.cmaps.values())), rows


def test_department_rows_read_as_by_the_loop(department_sheet):
    cmap, rows = department_sheet
    rnd = random.Random(18)
    for cells in rows:
        _same(cmap.unit(tuple(cells)), cmap.unit_reference(tuple(cells)))
        odd = tuple(_varied(cells, rnd))
        _same(cmap.unit(odd), cmap.unit_reference(odd))
    for short in ((), tuple(rows[0][:1]), tuple(rows[0][:7])):
        _same(cmap.unit(short), cmap.unit_reference(short))


def test_project_rows_read_as_by_the_loop(tmp_path):
    main_csv, rows_csv = bench.write_projects(str(tmp_path), 40)
    columns = os.path.join(ROOT, "examples", "2019", "projects-batch", "columns.yaml")
    job = pool.prepare(pool.Options(os.path.join(ROOT, "rulesets", "2019", "project.yaml"), (main_csv,), "jsonl", 1, columns=columns, rows=rows_csv))
    cmap = next(iter(job.cmaps.values()))
    with open(main_csv, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    rnd = random.Random(7)
    for cells in rows:
        _same(cmap.unit(tuple(cells)), cmap.unit_reference(tuple(cells)))
        odd = tuple(_varied(cells, rnd))
        _same(cmap.unit(odd), cmap.unit_reference(odd))


def test_names_are_written_as_literals_never_as_code(department_sheet):
    cmap, _ = department_sheet
    source = unit_reader_source(cmap)
    compile(source, "<test>", "exec")
    assert "inputs['文中年初预算数'] = v" in source


def test_a_category_the_sheet_leaves_out_is_missing_not_zero(department_sheet):
    """A sheet without columns for a category (the benchmark's leaves out
    就业创业资金补助项目): its figures are None in the unit, never a sum of 0."""
    from engine.unit.columns import row_smap
    from engine.unit.inputs import read_unit

    cmap, rows = department_sheet
    assert cmap.absent
    job = pool.prepare(pool.Options(DEPARTMENT, (), "jsonl", 1))
    cells = tuple(rows[0])
    unit = read_unit(job.plan, cmap.unit(cells), row_smap(cmap.file, 2, cmap.cols), cmap.file, None, cmap.absent)
    assert all(unit.values[name] is None for name in cmap.absent)
    plain = read_unit(job.plan, cmap.unit(cells), row_smap(cmap.file, 2, cmap.cols), cmap.file)
    assert all(plain.values[name] == 0 for name in cmap.absent)
