"""The ASCII fast path of `parse_number` against the general parser."""
from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from engine import numeric


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
