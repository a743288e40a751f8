"""Decimal arithmetic and the one place that rounds (四舍五入).

Every computation runs inside `CONTEXT`: 34 digits, half-up, and traps on
invalid operations, division by zero and overflow so a bad figure is an error,
never a silent NaN or infinity.
"""
from __future__ import annotations

import decimal
import functools
import json
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

CONTEXT = decimal.Context(
    prec=34,
    rounding=ROUND_HALF_UP,
    Emax=999_999,
    Emin=-999_999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
QUANTA = _EXPONENTS = {n: Decimal(1).scaleb(-n) for n in range(0, 11)}  # places → the quantum `round_half_up` rounds to


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """Round half away from zero to `places` decimals: 2.675 → 2.68, -2.5 → -3."""
    quantum = _EXPONENTS.get(places)
    if quantum is not None:
        try:  # the usual case at once; the rare ones below
            return value.quantize(quantum, ROUND_HALF_UP, CONTEXT)
        except decimal.InvalidOperation:
            pass
    else:
        quantum = Decimal(1).scaleb(-places)
    if not value.is_finite() or value.adjusted() + 1 + places > CONTEXT.prec:
        # quantize would raise InvalidOperation past the precision (1e30 to 4
        # places needs 35 digits); such magnitudes are not scores and stay as they are.
        return value
    return value.quantize(quantum, rounding=ROUND_HALF_UP, context=CONTEXT)


# Every number read from a file or a formula lies within these bounds: at most
# 30 digits before the point and 30 after it. Real figures (万元, %, counts) need
# far fewer; beyond them a number is a typo or an attack (`1e999999999` would
# print as a billion-digit string).
MAX_MAGNITUDE = 30
MAX_PLACES = 30


def in_range(value: Decimal) -> bool:
    """Whether a number read from outside is finite and within the bounds above."""
    if not value.is_finite():
        return False
    # Most figures print plainly and short: at most 31 digits before the point
    # and 29 after it, so within the bounds. Asked ~100 times per unit of a
    # batch, and `as_tuple` costs three times `str`.
    text = str(value)
    if len(text) <= MAX_MAGNITUDE + 1 and "E" not in text:
        return True
    return value.as_tuple().exponent >= -MAX_PLACES and value.adjusted() <= MAX_MAGNITUDE


# Number text longer than this is out of range whatever it says: a number within
# the bounds needs 61 digits, a sign, a point and an exponent. Checked before
# `Decimal()` sees the text (a 5-million-digit integer costs seconds to convert).
MAX_NUMBER_TEXT = 100


def to_decimal(text: str) -> Decimal | None:
    """`Decimal(text)` for number text from outside, or None when it is not a
    number or lies outside `in_range` (`1e99999999999999999999999`, whose
    exponent not even Decimal can hold, included). -0 is 0."""
    if len(text) > MAX_NUMBER_TEXT:
        return None
    try:
        value = Decimal(text)
    except (decimal.InvalidOperation, ValueError):
        return None
    if not in_range(value):
        return None
    return value.copy_abs() if value.is_zero() else value


def show_number(value: Decimal) -> str:
    """A number for a message: in full when within `in_range`, else short and
    in scientific notation (never a billion-character string)."""
    if value.is_finite() and in_range(value):
        return format(value, "f")
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def show_value(value) -> str:
    """A value from a data file as a message quotes it: at most 40 characters
    (a number outside the bounds in scientific notation, never written out in
    full); a mapping, list, true/false or null as the data file writes it
    (`{"x": 1}`, not Python's `{'x': Decimal('1')}`)."""
    if isinstance(value, Decimal):
        return show_number(value)
    if isinstance(value, str):
        text = value[:41]
    elif value is None or isinstance(value, (bool, dict, list)):
        text = _json_text(value, 41)
    else:
        text = str(value)[:41]
    return text if len(text) <= 40 else text[:37] + "…"


def _json_text(value, limit: int) -> str:
    """`value` as JSON text, as a data file writes it, cut at `limit`
    characters; one json cannot write (nested past its recursion, which only
    a caller's own mapping can be; an int of over 4,300 digits) as `{…}` or
    `[…]`."""
    try:
        return json.dumps(value, ensure_ascii=False, default=_json_number)[:limit]
    except (RecursionError, ValueError):
        return "{…}" if isinstance(value, dict) else "[…]"


def _json_number(value):
    """`json.dumps`'s `default` for a message: a Decimal as the number it is
    (whole or not); NaN and ±Infinity as json writes a float's (a signalling
    NaN as NaN); a number beyond the bounds, and anything else, as its text."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            return float("nan") if value.is_nan() else float(value)
        if not in_range(value):
            return show_number(value)
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)


_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋％", "0123456789.,-+%")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_ASCII_FIGURE = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?%?\Z")
EMPTY_MARKS = frozenset({"", "—", "——", "-", "/", "－", "／", "无"})


def parse_number(text: str, *, percent: bool = False) -> Decimal | None:
    """Read a number as staff type it: `3,921.33`, `93.59%`, full-width digits.

    Returns None when the text is not a number, or is one outside `in_range`.
    A trailing `%` divides by 100 (`93.59%` is 0.9359); whether a bare value
    may stand for a percentage is the caller's rule (`engine.unit.inputs`: a
    bare ratio up to `MAX_BARE_RATIO`).
    """
    if len(text) > MAX_NUMBER_TEXT * 2:  # out of range whatever it says; never converted
        return None
    if _ASCII_FIGURE.match(text):  # the common case: nothing to normalise
        s = text.replace(",", "")
        value = to_decimal(s[:-1] if s.endswith("%") else s)
        if value is None:
            return None
        return value.scaleb(-2) if s.endswith("%") else value
    s = unicodedata.normalize("NFKC", text).translate(_FULLWIDTH).strip().replace(" ", "")
    is_pct = s.endswith("%")
    if is_pct:
        s = s[:-1]
    if _GROUPED.match(s):
        s = s.replace(",", "")
    if not _NUMBER.match(s):
        return None
    value = to_decimal(s)
    if value is None:
        return None
    if is_pct:
        return value.scaleb(-2)
    return value


def looks_like_number(text: str) -> bool:
    """Whether text has the shape of a number (`1e999`, `0.000…1`, `１２３`),
    whatever its size: tells "out of range" from "not a number" in messages."""
    if len(text) > MAX_NUMBER_TEXT * 2:
        text = text[: MAX_NUMBER_TEXT * 2]
    s = unicodedata.normalize("NFKC", text).translate(_FULLWIDTH).strip().replace(" ", "").removesuffix("%")
    return bool(_NUMBER.match(s) or _GROUPED.match(s))


def is_empty_mark(text: str) -> bool:
    """`—`, `/`, blank and the like: an explicit 'no value' on a form."""
    return text.strip() in EMPTY_MARKS


def fmt_decimal(value: Decimal) -> str:
    """A plain decimal string with no exponent: Decimal('1E+1') → '10'."""
    return format(_unsigned_zero(value), "f")


def _unsigned_zero(value: Decimal) -> Decimal:
    """-0 (and -0.00) as 0: a sign on nothing is never shown."""
    return value.copy_abs() if value.is_zero() else value


def fmt_money(value: Decimal, places: int = 2) -> str:
    """`3921.33` → `3,921.33` as the forms print money (万元)."""
    if places == 2 and value.__class__ is Decimal:
        # The usual figure has two places already and under a million: its
        # text is the answer, a comma put in by slicing (a batch formats three
        # per finding; quantize and `,f` cost three times this).
        text = str(value)
        if text[-3:-2] == "." and "E" not in text and "e" not in text:
            digits = len(text) - 3 - (text[0] == "-")
            if digits <= 3:
                return text if text != "-0.00" else "0.00"
            if digits <= 6:
                return text[:-6] + "," + text[-6:]
    quantum = _EXPONENTS.get(places)
    if quantum is not None:
        try:  # rounded to `places` already: the plain format shows exactly those
            return format(_unsigned_zero(value.quantize(quantum, ROUND_HALF_UP, CONTEXT)), ",f")
        except decimal.InvalidOperation:
            pass
    return f"{_unsigned_zero(round_half_up(value, places)):,.{places}f}"


def fmt_percent(value: Decimal, places: int = 2) -> str:
    """`0.9359` → `93.59%`; whole percentages print without decimals (`100%`).

    The point moves in `CONTEXT`, so the text does not depend on the caller's
    Decimal context (a 34-digit figure times 100 is exact there)."""
    text = f"{_unsigned_zero(round_half_up(value.scaleb(2, CONTEXT), places)):.{places}f}"
    whole, point, fraction = text.partition(".")
    if point and not fraction.strip("0"):
        text = whole
    return text + "%"


def fmt_score(value: Decimal, places: int = 2) -> str:
    """Scores print without trailing zeros beyond what was earned: 9.36, 17, 0."""
    q = _unsigned_zero(round_half_up(value, places))
    text = format(q, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


# How a bound is written around a figure on forms (≥95%, 98%以上, 不低于95%):
# symbols before the number are always a bound; words only when a number remains.
_BOUND_SYMBOLS = (("≥", "≥"), (">=", "≥"), ("≧", "≥"), ("＞＝", "≥"), ("≤", "≤"), ("<=", "≤"), ("≦", "≤"), ("＜＝", "≤"), ("=", "="), ("＝", "="))
_BOUND_WORDS = (("不低于", "≥"), ("不少于", "≥"), ("大于等于", "≥"), ("达到", "≥"), ("不高于", "≤"), ("不超过", "≤"), ("不多于", "≤"), ("小于等于", "≤"))
_BOUND_SUFFIXES = (("及以上", "≥"), ("以上", "≥"), ("及以下", "≤"), ("以下", "≤"), ("以内", "≤"))


@functools.lru_cache(maxsize=4096)  # a project's rows repeat their targets unit after unit (issue 18)
def split_bound(text: str) -> tuple[str | None, str]:
    """(operator, the figure's text) for a bounded figure: `≥95%` → (≥, 95%),
    `98%以上` → (≥, 98%), `不超过5%` → (≤, 5%); (None, text) otherwise."""
    t = text.strip()
    for mark, op in _BOUND_SYMBOLS:
        if t.startswith(mark):
            return op, t[len(mark):].strip()
    for mark, op in _BOUND_WORDS:
        if t.startswith(mark) and parse_number(t[len(mark):].strip()) is not None:
            return op, t[len(mark):].strip()
    for mark, op in _BOUND_SUFFIXES:
        if t.endswith(mark) and parse_number(t[: -len(mark)].strip()) is not None:
            return op, t[: -len(mark)].strip()
    return None, t
