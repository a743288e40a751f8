"""Shards give the same summary: `statistics.merge` of the summaries of a run's
pieces, in input order, equals the summary of the whole run (exact median,
rankings with ties in input order, first failures, counts)."""
from __future__ import annotations

from decimal import Decimal
from functools import reduce

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.batch.statistics import BatchSummary, merge
from engine.batch.units import UnitOutcome

GRADES = ("优", "良", "中", "差")

outcomes = st.lists(
    st.one_of(
        st.builds(
            lambda total, grade, warnings: (True, total, grade, warnings),
            st.integers(0, 400).map(lambda n: Decimal(n) / 4),  # few distinct totals, many ties
            st.sampled_from(GRADES),
            st.integers(0, 5),
        ),
        st.builds(lambda internal: (False, internal), st.booleans()),
        st.just((None,)),  # a line row that belongs to no unit
    ),
    max_size=80,
)


def _outcome(i: int, spec: tuple) -> UnitOutcome:
    if spec[0] is None:
        return UnitOutcome(None, f"rows.csv:{i}", None, None, None, 0, None, ("orphan",), False)
    if spec[0] is False:
        return UnitOutcome(False, f"u.jsonl:{i}", None, None, None, 0, None, ("bad",), spec[1])
    _, total, grade, warnings = spec
    return UnitOutcome(True, f"u.jsonl:{i}", f"单位{i}", total, grade, warnings, "{}", (), False)


def _summary(items) -> BatchSummary:
    s = BatchSummary({g: 0 for g in GRADES})
    for o in items:
        s.add(o)
    return s


@settings(max_examples=200, deadline=None)
@given(outcomes, st.lists(st.integers(0, 80), max_size=5))
def test_shards_merged_give_the_summary_of_one_run(specs, cuts):
    items = [_outcome(i, s) for i, s in enumerate(specs)]
    bounds = sorted({0, len(items), *(c for c in cuts if c <= len(items))})
    shards = [_summary(items[a:b]) for a, b in zip(bounds, bounds[1:])] or [_summary([])]
    whole = _summary(items)
    merged = reduce(merge, shards)
    assert merged.as_dict() == whole.as_dict()
    assert merged.median() == whole.median() and merged.mean() == whole.mean()
    assert merged.warnings == whole.warnings  # what `--strict` reads (merge once dropped it)
    folded = _summary([])
    for shard in shards:  # what a batch does with each worker chunk's summary
        folded.absorb(shard)
    assert folded.as_dict() == whole.as_dict() and folded.warnings == whole.warnings


def test_merge_changes_neither_summary():
    a = _summary([_outcome(0, (True, Decimal("90"), "优", 1))])
    b = _summary([_outcome(1, (True, Decimal("70"), "中", 0)), _outcome(2, (False, False))])
    before = (a.as_dict(), b.as_dict())
    m = merge(a, b)
    assert (a.as_dict(), b.as_dict()) == before
    assert m.as_dict()["units"] == 3 and m.median() == Decimal("80.00")
    assert [u["location"] for u in m.as_dict()["best"]] == ["u.jsonl:0", "u.jsonl:1"]
