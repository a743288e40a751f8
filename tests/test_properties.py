"""Property tests over generated rulesets and unit data (hypothesis).

For any ruleset the generator builds (random trees, weights summing to 100,
random methods and parameters, random rounding and grade bands) and any data:

- a failure is a located `DiagnosticError`, never another exception;
- every indicator scores within [0, weight];
- a parent's score is the sum of its children's (leaves rounded first under
  `scope: indicator`, the total only under `scope: total`);
- the total lies in [0, 100] and its grade is the band it falls in;
- evaluating the same texts twice gives the same bytes.

Budget: see tests/limits.py (`JIXIAO_FUZZ_EXAMPLES=2000` for a long run).
"""
from __future__ import annotations

import decimal
import json
from decimal import Decimal

from hypothesis import event, given

from engine.ruleset.compile import compile_ruleset

from engine.base.digest import digest_of
from engine.base.diagnostics import DiagnosticError
from engine.evaluation.evaluate import evaluate
from engine.unit.inputs import read_unit
from engine.base.numeric import CONTEXT, ZERO, round_half_up
from engine.render import json_out
from engine.load.yaml_loader import load_text
from tests.gen import Scheme, schemes
from tests.limits import assert_located, bounded, budget

RULESET, DATA = "ruleset.yaml", "data.yaml"


def run(scheme: Scheme):
    """The scheme's result, or the DiagnosticError it raised (nothing else may escape)."""
    try:
        raw, smap = load_text(scheme.ruleset, RULESET)
        plan = compile_ruleset(raw, smap, RULESET, digest_of(scheme.ruleset))
        data, dmap = load_text(scheme.data, DATA)
        unit = read_unit(plan, data, dmap, DATA, digest_of(scheme.data))
        return evaluate(plan, unit)
    except DiagnosticError as e:
        return e


def _walk(results):
    for r in results:
        yield r
        yield from _walk(r.children)


def _json_walk(items):
    for item in items:
        yield item
        yield from _json_walk(item["children"])


def check_invariants(result, scheme: Scheme) -> None:
    """The scoring invariants on one result (see the module docstring)."""
    with decimal.localcontext(CONTEXT):  # sums as exact as the engine's own
        _check_invariants(result, scheme)


def _check_invariants(result, scheme: Scheme) -> None:
    places = scheme.places
    for r in _walk(result.indicators):
        assert ZERO <= r.score <= r.weight, f"{r.node.name}: score {r.score} outside [0, {r.weight}]"
        if r.children:
            assert r.score == sum((c.score for c in r.children), ZERO), f"{r.node.name}: {r.score} is not the sum of its children"
        elif scheme.scope == "indicator":
            assert r.score == round_half_up(r.score, places), f"{r.node.name}: {r.score} not rounded to {places} places"
    exact = sum((r.score for r in result.indicators), ZERO)
    assert result.total == round_half_up(exact, places)
    assert ZERO <= result.total <= Decimal(100)
    bands = result.plan.ruleset.grades
    for i, band in enumerate(bands):
        upper = Decimal(100) if i == 0 else bands[i - 1].min
        if band.min <= result.total and (result.total < upper or i == 0):
            assert result.grade == band.label, f"total {result.total} is in band {band.label}, graded {result.grade}"
            break
    else:
        raise AssertionError(f"total {result.total} falls in no band")

    # The JSON a user sees adds up too: under `scope: indicator` every printed
    # parent is the sum of its printed children, and the total of the top level.
    shown = json.loads(json_out.render(result), parse_float=Decimal, parse_int=Decimal)
    if scheme.scope == "indicator":
        for item in _json_walk(shown["indicators"]):
            if item["children"]:
                assert item["score"] == sum((c["score"] for c in item["children"]), ZERO)
        assert shown["total"] == sum((i["score"] for i in shown["indicators"]), ZERO)
    assert shown["total"] == result.total and shown["grade"] == result.grade


@budget(150)
@given(schemes())
def test_any_data_scores_within_invariants_or_fails_located(scheme):
    with bounded("properties: invariants"):
        outcome = run(scheme)
        event("refused" if isinstance(outcome, DiagnosticError) else "evaluated")
        if isinstance(outcome, DiagnosticError):
            assert_located(outcome.diagnostics, {RULESET: scheme.ruleset, DATA: scheme.data})
            again = run(scheme)
            assert isinstance(again, DiagnosticError) and again.diagnostics == outcome.diagnostics
            return
        check_invariants(outcome, scheme)
        again = run(scheme)
        assert json_out.render(again) == json_out.render(outcome), "evaluation is not deterministic"


@budget(100)
@given(schemes(valid=True))
def test_valid_data_always_evaluates(scheme):
    """The generator's valid cases are accepted: the invariants above are not
    checked vacuously on a stream of refusals."""
    with bounded("properties: valid data"):
        outcome = run(scheme)
        assert not isinstance(outcome, DiagnosticError), "\n".join(d.render("en") for d in outcome.diagnostics)
        check_invariants(outcome, scheme)
