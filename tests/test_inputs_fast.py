"""The per-column coercers (`inputs.coercer`) give what `inputs.coerce` gives,
for every kind of declaration and any value a unit may hold."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.unit.entries import _EMPTY, coerce, coercer

DECLS = [(k, neg, unit) for k in ("money", "number", "percent", "count", "text") for neg in (None, True, False) for unit in (None, "万元", "人", "%")]
texts = st.one_of(
    st.sampled_from(["3,921.33", "-41.17", "0", "-0", "1,027.95", "999999999999999.99", "1000000000000000", "12,34", "1e3", "93.59%", " 5 ", "５", "−3", "", "—", "无", "3万元", "12人", "-12.5%", "1,234.5%", "0%", "-0%", "0.00%", "100%", "１００%", "150%", "1,000,000,000,000,000%", "999999999999999.9%"]),
    st.text(alphabet=st.sampled_from("0123456789,.-%e "), max_size=14),
    st.builds(lambda n, e: f"{Decimal(n).scaleb(e):,}", st.integers(-10**17, 10**17), st.integers(-4, 0)),
)
values = st.one_of(texts, st.none(), st.booleans(), st.builds(lambda n, e: Decimal(n).scaleb(e), st.integers(-10**17, 10**17), st.integers(-6, 3)),
                   st.sampled_from([Decimal("NaN"), Decimal("Infinity"), Decimal("-0"), Decimal("1E+15"), Decimal("-1E+15")]))  # the loaders give Decimals, never int or float


def _same(a, b) -> bool:
    if a[0] is _EMPTY or b[0] is _EMPTY:
        return a[0] is b[0] and a[1] == b[1]
    return a[1] == b[1] and type(a[0]) is type(b[0]) and (a[0] == b[0] if a[0] is not None else b[0] is None) and str(a[0]) == str(b[0])


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(DECLS), values)
def test_coercer_is_coerce(decl, value):
    kind, neg, unit = decl
    assert _same(coercer(kind, neg, unit)(value), coerce(value, kind, neg, unit))
