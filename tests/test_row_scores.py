"""A sheet row scored by its generated scorer (`engine.batch.row_scores`,
issue 18) has the outcome the general path gives it — name, total, grade,
warnings counted, scores line byte for byte — or is left to the general path;
and `jsonl.scores_writer` writes what `scores_line` writes."""
from __future__ import annotations

import os
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from engine.batch import pool, units
from engine.batch.row_scores import row_scorer, scorer_source
from engine.render import jsonl
from engine.ruleset.loading import load_plan
from engine.unit.columns import resolve
from tests.test_sheet_units import generated_sheet

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

DEPARTMENT = os.path.join(ROOT, "rulesets", "2019", "department.yaml")
PROJECT = os.path.join(ROOT, "rulesets", "2019", "project.yaml")
# Cells that are not plain figures (as tests/test_sheet_units.py tries them).
ODD = ["", " ", "\u3000", "—", "/", "-5", "-0", "0", "0.00", "0.5", "1e3", "12%", "150%", "100.00%", "３４", "1,234.5", "1,23",
       "abc", "是", "否", "达成", "部分达成", "2", " 7 ", "95场", "9999999999999999", "≥100%", "约一万", "-1,000.5", "0%"]


@pytest.fixture(scope="module")
def sheet(tmp_path_factory):
    return generated_sheet(tmp_path_factory.mktemp("scores"))


def _general(state, payload):
    """The general path's outcome of a row (the scorer switched off)."""
    saved = units._scored_row
    units._scored_row = lambda state, payload: None
    try:
        return units.process(state, payload)
    finally:
        units._scored_row = saved


def _check_row(state, cells, number=2):
    """The scorer's outcome, and that it is the general path's (or None)."""
    payload = ("row", "u.csv", number, tuple(cells), None)
    fast = units._scored_row(state, payload)
    general = _general(state, payload)
    if fast is not None:
        assert general.ok, "the scorer scored a row the general path refuses"
        name, total, grade, warnings, line = fast
        assert (name, grade, warnings, line) == (general.name, general.grade, general.warnings, general.piece)
        assert repr(total) == repr(general.total)
    return fast, general


def test_every_generated_row_scores_as_by_the_general_path(sheet):
    plan, cmap, rows, _, _ = sheet
    state = units._State(plan, "zh", "jsonl", {"u.csv": cmap}, None, "scores")
    scored = warned = 0
    for n, cells in enumerate(rows, 2):
        fast, general = _check_row(state, cells, n)
        scored += fast is not None
        warned += bool(fast and fast[3])
    # the rows the general path evaluates, the scorer scores (the broken ones it leaves)
    assert scored >= len(rows) * 0.95
    assert warned >= len(rows) * 0.5  # warnings counted, not just zero


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_odd_cells_score_as_by_the_general_path_or_are_left_to_it(sheet, data):
    plan, cmap, rows, _, _ = sheet
    state = units._State(plan, "zh", "jsonl", {"u.csv": cmap}, None, "scores")
    cells = list(data.draw(st.sampled_from(rows)))
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(1, len(cells) - 1))
        cells[i] = data.draw(st.sampled_from(ODD + [cells[i].replace(",", "")]))
    _check_row(state, cells)


def test_figures_that_break_the_checks_are_counted(sheet):
    """A table total, a stated figure and a category changed: the sum, row and
    equal checks' warnings (and the info within tolerance) counted as the
    general path counts them."""
    plan, cmap, rows, _, _ = sheet
    state = units._State(plan, "zh", "jsonl", {"u.csv": cmap}, None, "scores")
    rng = random.Random(5)
    figures = [i for i, section, path in cmap.targets if section in ("tables", "inputs")]
    seen = set()
    for cells in rows[:30]:
        for _ in range(3):
            changed = list(cells)
            i = rng.choice(figures)
            try:
                value = Decimal(changed[i].replace(",", "").rstrip("%"))
            except Exception:  # noqa: BLE001 - a cell this test does not move
                continue
            delta = rng.choice(["0.01", "0.005", "1", "-250.5", "10000"])
            changed[i] = f"{value + Decimal(delta)}{'%' if changed[i].endswith('%') else ''}"
            fast, general = _check_row(state, changed)
            if fast is not None:
                seen.add(fast[3])
    assert len(seen) > 3  # rows with several different warning counts were compared


def test_plans_and_checks_it_does_not_cover(tmp_path, sheet):
    plan, cmap, rows, _, header = sheet
    assert scorer_source(plan, cmap) is not None
    project = load_plan(PROJECT)  # indicator rows of each unit's own
    pmap, problems = resolve(project, ["项目名称"], None, "p.csv")
    assert not problems and scorer_source(project, pmap) is None
    # a check reading scores (`总分`): no scorer
    text = open(DEPARTMENT, encoding="utf-8").read()
    reads_scores = text.replace("checks:\n", "checks:\n  - id: 总分不超过100\n    kind: compare\n    formula: 总分 <= 100\n", 1)
    path = tmp_path / "reads-scores.yaml"
    path.write_text(reads_scores, encoding="utf-8")
    other = load_plan(str(path))
    assert any(cc.uses_results for cc in other.checks)
    omap, problems = resolve(other, header, None, "u.csv")
    assert not problems and scorer_source(other, omap) is None


@pytest.mark.parametrize("jobs", [1, 2])
def test_batch_with_and_without_the_scorer_is_the_same(sheet, monkeypatch, jobs):
    """The whole batch (`--result scores`), once with the scorer and once
    without: the lines, the error lines and the summary (warnings counted,
    rankings; with two workers each chunk summarised in its worker) identical."""
    plan, cmap, rows, table, _ = sheet
    runs = []
    for scorer in (True, False):
        if not scorer:
            monkeypatch.setattr(units, "row_scorer", lambda plan, cmap: None)
        job = pool.prepare(pool.Options(DEPARTMENT, (table,), "jsonl", jobs, result="scores"))
        lines: list = []
        errors: list = []
        summary = job.run(lambda piece: lines.append(piece if piece.__class__ is bytes else (piece + "\n").encode()), errors.append)
        runs.append((b"".join(lines), errors, summary.as_dict(), summary.warnings))
    assert runs[0] == runs[1]
    assert runs[0][3] > len(rows) and runs[0][2]["most_warnings"]  # warnings were counted
    assert runs[0][0].count(b"\n") == runs[0][2]["evaluated"] >= len(rows) * 0.95


def test_the_scores_writer_writes_what_scores_line_writes(sheet):
    plan, cmap, rows, _, _ = sheet
    write = jsonl.scores_writer(plan, tuple(plan.leaves))
    assert write is not None
    for k, total in enumerate([Decimal("87.36"), Decimal("90"), Decimal("0"), Decimal("100.00"), Decimal("59.995")]):
        scores = [Decimal(k * 7 + j) / 3 for j in range(len(plan.leaves))]
        result = jsonl.ScoresOf(plan, jsonl.SubjectOnly({"name": f"单位{k}", "code": "001"}), total, "良", tuple(jsonl._LeafScore(n, s) for n, s in zip(plan.leaves, scores)))
        assert write({"name": f"单位{k}", "code": "001"}, total, "良", *scores) == jsonl.scores_line(result)


def test_the_scores_writer_stands_down_when_the_shape_differs(sheet, monkeypatch):
    """A scores line the writer's texts would not give (a field added to the
    shape): no such writer, the scorer writes with `scores_line`."""
    plan, cmap, rows, _, _ = sheet
    real = jsonl._line_writers()
    monkeypatch.setattr(jsonl, "_line_writers", lambda: {**real, "scores": lambda x, ctx: real["scores"](x, ctx)[:-1] + ',"extra":1}'})
    assert jsonl.scores_writer(plan, tuple(plan.leaves)) is None
    monkeypatch.undo()
    assert jsonl.scores_writer(plan, tuple(plan.leaves)) is not None


def test_a_scorer_is_made_once_per_plan_and_sheet(sheet):
    plan, cmap, rows, _, _ = sheet
    assert row_scorer(plan, cmap) is row_scorer(plan, cmap)


def test_a_compare_check_is_counted_as_the_general_path_counts_it(tmp_path, sheet):
    """A ruleset with `compare` checks (the 2019 scheme has none): one that
    fails for most units (execution at least the budget) and one within a
    tolerance; every row's warnings as the general path counts them."""
    plan, cmap, rows, _, header = sheet
    text = open(DEPARTMENT, encoding="utf-8").read()
    added = ("checks:\n  - id: 执行不少于预算\n    kind: compare\n    formula: 全年执行数 >= 全年预算数\n"
             "  - id: 执行不超过预算\n    kind: compare\n    formula: 全年执行数 <= 全年预算数 * 0.95\n    tolerance: 50\n")
    path = tmp_path / "compare.yaml"
    path.write_text(text.replace("checks:\n", added, 1), encoding="utf-8")
    other = load_plan(str(path))
    assert sum(cc.check.kind == "compare" for cc in other.checks) == 2
    omap, problems = resolve(other, header, None, "u.csv")
    assert not problems and scorer_source(other, omap) is not None
    state = units._State(other, "zh", "jsonl", {"u.csv": omap}, None, "scores")
    counts = set()
    for n, cells in enumerate(rows[:40], 2):
        fast, general = _check_row(state, cells, n)
        if fast is not None:
            counts.add(fast[3])
    base = units._State(plan, "zh", "jsonl", {"u.csv": cmap}, None, "scores")
    more = [(_check_row(state, c)[0] or (0, 0, 0, 0))[3] - (_check_row(base, c)[0] or (0, 0, 0, 0))[3] for c in rows[:40]]
    assert len(counts) > 2 and max(more) >= 1  # the compare checks added warnings, counted
