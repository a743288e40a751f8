"""Rows joined from a second table keep their cells' positions lazily
(`SourceMap.rows`, issue 18): every path answers as it did when each cell's
span was stored, through `merged`, `rebased` and the alias a project's rows get."""
from __future__ import annotations

from engine.base.diagnostics import SourceSpan
from engine.base.sourcemap import SourceMap

COLUMNS = {"name": 2, "target": 5, "actual": 7, "weight": 3}
ROWS = {0: 31, 1: 32, 2: 40}  # index → row number in indicators.csv


def _eager() -> SourceMap:
    smap = SourceMap({(): SourceSpan("projects.csv", 6, 1)})
    for idx, number in ROWS.items():
        smap.values[("indicator_rows", idx)] = SourceSpan("indicators.csv", number, 1)
        for f, col in COLUMNS.items():
            smap.values[("indicator_rows", idx, f)] = SourceSpan("indicators.csv", number, col)
    return smap


def _lazy() -> SourceMap:
    smap = SourceMap({(): SourceSpan("projects.csv", 6, 1)}, rows={})
    for idx, number in ROWS.items():
        smap.values[("indicator_rows", idx)] = SourceSpan("indicators.csv", number, 1)
        smap.rows[("indicator_rows", idx)] = ("indicators.csv", number, COLUMNS)
    return smap


PATHS = [(), ("subject",), ("indicator_rows",), ("indicator_rows", 0), ("indicator_rows", 1, "actual"), ("indicator_rows", 2, "target"),
         ("indicator_rows", 2, "score"), ("indicator_rows", 2, "actual", "x"), ("indicator_rows", 9, "actual"), ("indicators", "k1", "actual")]


def test_lazy_rows_answer_as_stored_spans():
    eager, lazy = _eager(), _lazy()
    for p in PATHS:
        assert lazy.value(p) == eager.value(p), p
        assert lazy.key(p) == eager.key(p), p


def test_through_merged_and_rebased():
    extra = SourceMap({("indicators", "k1"): SourceSpan("indicators.csv", 32, 1)}, rows={("indicators", "k1"): ("indicators.csv", 32, COLUMNS)})
    eager = _eager().merged(SourceMap({("indicators", "k1"): SourceSpan("indicators.csv", 32, 1), **{("indicators", "k1", f): SourceSpan("indicators.csv", 32, c) for f, c in COLUMNS.items()}}))
    lazy = _lazy().merged(extra)
    for p in PATHS:
        assert lazy.value(p) == eager.value(p), p
    for p in PATHS:
        assert lazy.rebased(("batch",)).value(("batch", *p)) == eager.rebased(("batch",)).value(("batch", *p)), p
