"""The ASCII fast path of `parse_number` against the general parser."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from engine.base import numeric


def _general(text: str):
    saved = numeric._ASCII_FIGURE
    numeric._ASCII_FIGURE = type("Never", (), {"match": staticmethod(lambda t: None)})
    try:
        return numeric.parse_number(text)
    finally:
        numeric._ASCII_FIGURE = saved


@settings(max_examples=500, deadline=None)
@given(st.from_regex(r"\A[-+]?[0-9,.%]{1,40}\Z", fullmatch=True))
@example("3,921.33")
@example("93.59%")
@example("-1,000%")
@example("+12")
@example("1" * 31)
@example("0." + "1" * 31)
@example("1,23")
def test_fast_path_gives_what_the_general_parser_gives(text):
    fast, slow = numeric.parse_number(text), _general(text)
    assert (str(fast) if fast is not None else None) == (str(slow) if slow is not None else None)


def _round_half_up_reference(value, places=2):
    """`round_half_up` as first written: checks first, then quantize."""
    from decimal import ROUND_HALF_UP, Decimal

    quantum = Decimal(1).scaleb(-places)
    if not value.is_finite() or value.adjusted() + 1 + places > numeric.CONTEXT.prec:
        return value
    return value.quantize(quantum, rounding=ROUND_HALF_UP, context=numeric.CONTEXT)


@settings(max_examples=500, deadline=None)
@given(st.decimals(allow_nan=True, allow_infinity=True) | st.decimals(places=6, min_value=-1000, max_value=1000), st.integers(0, 12))
@example(numeric.Decimal("2.675"), 2)
@example(numeric.Decimal("-0.005"), 2)
@example(numeric.Decimal("1E+30"), 4)
@example(numeric.Decimal("123456789012345678901234567890.12345"), 4)
def test_round_half_up_fast_path_gives_the_reference(value, places):
    got, want = numeric.round_half_up(value, places), _round_half_up_reference(value, places)
    assert str(got) == str(want)


@settings(max_examples=500, deadline=None)
@given(st.decimals(allow_nan=True, allow_infinity=True) | st.decimals(places=6, min_value=-10**6, max_value=10**6), st.integers(0, 12))
@example(numeric.Decimal("-0"), 2)
@example(numeric.Decimal("-0.004"), 2)
@example(numeric.Decimal("1E+40"), 2)
@example(numeric.Decimal("3921.335"), 0)
def test_fmt_money_fast_path_gives_the_reference(value, places):
    want = f"{_round_half_up_reference(value, places):,.{places}f}"
    if want.startswith("-") and not want.strip("-0.,"):
        want = want[1:]  # a sign on nothing is never shown (-0.00 prints as 0.00)
    assert numeric.fmt_money(value, places) == want


@settings(max_examples=1000, deadline=None)
@given(st.decimals(places=2, min_value=-10**8, max_value=10**8) | st.decimals(places=2, min_value=-2000, max_value=2000)
       | st.builds(lambda d, e: d.scaleb(e), st.decimals(allow_nan=False, allow_infinity=False, places=2), st.integers(-4, 4)))
@example(Decimal("-0.00"))
@example(Decimal("0.00"))
@example(Decimal("-999.99"))
@example(Decimal("1000.00"))
@example(Decimal("-1000.00"))
@example(Decimal("999999.99"))
@example(Decimal("-999999.99"))
@example(Decimal("1000000.00"))
@example(Decimal("1E+2"))
@example(Decimal("1.00E+3"))
@example(Decimal("0.10"))
def test_fmt_money_of_a_two_place_figure_gives_the_reference(value):
    """The text-slicing path for figures with two places (most money)."""
    want = f"{_round_half_up_reference(value, 2):,.2f}"
    if want.startswith("-") and not want.strip("-0.,"):
        want = want[1:]
    assert numeric.fmt_money(value) == want
    assert numeric.fmt_money(value, 2) == want


def _in_range_reference(value):
    """`in_range` as first written: by the exponent and the adjusted exponent alone."""
    if not value.is_finite():
        return False
    return value.as_tuple().exponent >= -numeric.MAX_PLACES and value.adjusted() <= numeric.MAX_MAGNITUDE


@settings(max_examples=1000, deadline=None)
@given(st.decimals(allow_nan=True, allow_infinity=True) | st.builds(lambda d, e: d.scaleb(e), st.decimals(allow_nan=False, allow_infinity=False, places=3), st.integers(-45, 45)))
@example(Decimal("1e30"))
@example(Decimal("1e31"))
@example(Decimal("-" + "9" * 31))
@example(Decimal("9" * 32))
@example(Decimal("0." + "0" * 28 + "1"))
@example(Decimal("0." + "0" * 29 + "1"))
@example(Decimal("-0." + "0" * 29 + "1"))
@example(Decimal("1." + "0" * 30))
@example(Decimal("1E-7"))
@example(Decimal("-0E-50"))
@example(Decimal("sNaN"))
@example(Decimal("-Infinity"))
def test_in_range_gives_what_the_exponents_give(value):
    assert numeric.in_range(value) == _in_range_reference(value)
