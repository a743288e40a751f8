"""The cheap look of `load_json_line` (which records need the full walk of
`_check`) never lets a record through that the walk would refuse (issue 18:
the look once walked most realistic units, whose ~70 brackets exceed the
depth bound in count but not in nesting)."""
from __future__ import annotations

import json

import pytest

from engine.base.diagnostics import DiagnosticError
from engine.load.json_line import _check, _float, _object, _Constant, load_json_line
from engine.load.yaml_loader import MAX_DEPTH, MAX_NODES
from decimal import Decimal


def _walk_finds(text: str) -> list:
    raw = json.loads(text, parse_float=_float, parse_int=Decimal, parse_constant=_Constant, object_pairs_hook=_object)
    return _check(raw, text.count("{") + text.count("["))


def _nested(depth: int, width: int) -> str:
    """`depth` containers nested (dicts and lists in turn) beside `width` flat ones."""
    inner = "1"
    for i in range(depth):
        inner = f'{{"k": {inner}}}' if i % 2 else f"[{inner}]"
    flat = ", ".join('{"a": [1, "x"]}' for _ in range(width))
    return f'{{"deep": {inner}, "flat": [{flat}]}}'


CASES = [_nested(d, w) for d in (1, 5, MAX_DEPTH - 2, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, MAX_DEPTH + 3) for w in (0, 40)]
CASES += [
    json.dumps("[" * 100 + "{" * 100),  # brackets only inside a string: a scalar record
    json.dumps({"t": "[[[[" * 40, "n": [[[[1]]]]}),
    json.dumps(list(range(MAX_NODES - 3))),
    json.dumps(list(range(MAX_NODES + 3))),
    json.dumps([[i] for i in range(MAX_NODES // 2 + 5)]),
    # numbers: the look sees them by their text as they are parsed
    '{"a": 1e5, "b": 2}', '{"a": 1E-40}', '{"a": 1e999999999999999999999999}', '{"a": -1e31}',
    '{"a": ' + "9" * 30 + "}", '{"a": -' + "9" * 31 + "}", '{"a": ' + "9" * 32 + "}",
    '{"a": 0.' + "0" * 29 + "1}", '{"a": 0.' + "0" * 30 + "1}", '{"a": [NaN]}', '{"a": -Infinity}',
    '{"NaN": "Infinity e5 ' + "1" * 40 + '"}',  # the words in texts are not numbers
    # texts: raw and escaped controls, surrogates
    '{"a": "x\x85y"}', '{"a": "x\x7f"}', '{"a": "张·三\x9f"}', '{"a": "张·三 ±5°"}', '{"a": "x\\u0085"}', '{"a": "\\ud800"}', '{"a": "a\\rb"}',
    '{"a": "a\\\\rb"}', '{"\\u001b": 1}', '{"a": "\\u4e2d\\n"}',
]


@pytest.mark.parametrize("encoded", [False, True], ids=["text", "utf8"])
@pytest.mark.parametrize("text", CASES, ids=range(len(CASES)))
def test_look_refuses_exactly_what_the_walk_refuses(text, encoded):
    expected = bool(_walk_finds(text))
    try:
        load_json_line(text, "u.jsonl", 3, text.encode("utf-8") if encoded else None)
        refused = False
    except DiagnosticError as e:
        refused = True
        assert {d.code for d in e.diagnostics} <= {"load.too_deep", "load.too_many_nodes", "load.number_range", "load.control_char"}
    assert refused == expected


def test_depth_bound_is_where_the_walk_puts_it():
    assert not _walk_finds(_nested(MAX_DEPTH - 1, 40))  # the root dict + 63 below it: 64 levels
    assert _walk_finds(_nested(MAX_DEPTH, 40))


# --- property tests: the look errs only towards the full walk (issue 18) ----

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.load.json_line import _located, _object_keeping_repeats, _too_deep, _too_deep_walk


def _reference(text: str):
    """What the bounds say of a record, by the definition alone: read with
    every repeated key kept, then the full walk `_check` (positions by
    `_located`); ("unreadable", column) where json itself refuses it."""
    try:
        raw = json.loads(text, parse_float=_float, parse_int=Decimal, parse_constant=_Constant, object_pairs_hook=_object_keeping_repeats)
    except ValueError as e:
        return ("unreadable", e.colno)
    problems = _check(raw, text.count("{") + text.count("["))
    if problems:
        return [(d.code, d.span.line, d.span.col, sorted(d.args.items())) for d in _located(problems, text, "u.jsonl", 3)]
    return raw


def _loaded(text: str):
    """`load_json_line`'s answer in `_reference`'s terms."""
    try:
        return load_json_line(text, "u.jsonl", 3, text.encode("utf-8", "surrogatepass"))[0]
    except DiagnosticError as e:
        if [d.code for d in e.diagnostics] == ["batch.bad_json"]:
            return ("unreadable", e.diagnostics[0].span.col)
        return [(d.code, d.span.line, d.span.col, sorted(d.args.items())) for d in e.diagnostics]


# Keys drawn from a few, so that objects repeat them; texts with the
# characters the look counts or searches for (colons, quotes, backslashes,
# brackets, whitespace, controls).
_KEYS = st.sampled_from(["a", "b", "a:", ":", 'q"', "x y", "中", "\\", "a\x85"])
_TEXTS = st.text(alphabet='ab:" \\{}[],\t中\x85\x7f', max_size=6)
_NUMBERS = st.sampled_from(["1", "-0", "2.50", "1e5", "1E-40", "9" * 30, "9" * 31, "0." + "0" * 30 + "1", "NaN", "-Infinity"])
_WS = st.sampled_from(["", " ", "\t", "  "])


def _string(draw, s: str) -> str:
    return json.dumps(s, ensure_ascii=draw(st.booleans()))


@st.composite
def _scalar(draw) -> str:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return _string(draw, draw(_TEXTS))
    if kind == 1:
        return draw(_NUMBERS)
    if kind == 2:
        return draw(st.sampled_from(["true", "false", "null"]))
    return draw(st.sampled_from(["[]", "{}", "[ ]", "{\t}"]))


@st.composite
def _container(draw, children) -> str:
    ws = draw(_WS)
    if draw(st.booleans()):
        items = draw(st.lists(children, max_size=4))
        return "[" + ws + ("," + ws).join(items) + ws + "]"
    pairs = draw(st.lists(st.tuples(_KEYS, children, st.sampled_from([":", ": ", " :", "\t: "])), max_size=4))
    return "{" + ws + ("," + ws).join(_string(draw, k) + colon + v for k, v, colon in pairs) + ws + "}"


_RECORDS = st.recursive(_scalar(), lambda children: _container(children), max_leaves=12)


@settings(max_examples=1500, deadline=None)
@given(_RECORDS)
def test_the_look_refuses_exactly_what_the_definition_refuses(text):
    """Any record, repeated keys, colons and quotes in texts, whitespace
    around colons, odd numbers and controls included: accepted with the same
    data, or refused with the same diagnostics at the same places."""
    assert _loaded(text) == _reference(text)


def _chain(depth: int, bottom: str, beside: bool) -> str:
    """`depth` containers (lists and dicts in turn) around `bottom`, with
    texts and numbers beside the chain on some levels when `beside`."""
    text = bottom
    for i in range(depth):
        if i % 2:
            text = f'{{"k": {text}, "s": "t"}}' if beside else f'{{"k": {text}}}'
        else:
            text = f'[{text}, "x", 1]' if beside and i % 3 == 0 else f"[{text}]"
    return text


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 8).map(lambda d: MAX_DEPTH - 4 + d), st.sampled_from(["1", '"x"', "[]", "{}", "[1]", '{"a": 1}']), st.booleans())
def test_depth_in_c_is_never_below_the_walk_and_exact_off_the_bound(depth, bottom, beside):
    """`_too_deep` (levels followed in C) says True wherever the walk in
    Python does, and differs from it only at the bound (a 64th level of
    containers holding texts or numbers), where the full walk decides; the
    record is refused exactly as defined."""
    text = _chain(depth, bottom, beside)
    raw = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    levels = depth + (bottom[0] in "[{")  # levels of containers, the root's included
    assert _too_deep_walk(raw) == (levels > MAX_DEPTH)
    assert _too_deep(raw) >= _too_deep_walk(raw)
    assert _too_deep(raw) == _too_deep_walk(raw) or levels == MAX_DEPTH
    assert _loaded(text) == _reference(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(["a", "中", "·", "±", "×", "\x7e", "\x7f", "\x80", "\x85", "\x9f", "\xa0", "\u0100", "\U0001f600"]), max_size=12))
def test_raw_controls_found_in_the_utf8_bytes_as_in_the_text(text):
    from engine.load.json_line import _RAW_C1_UTF8, _RAW_CONTROL

    utf8 = text.encode("utf-8")
    by_bytes = b"\x7f" in utf8 or (b"\xc2" in utf8 and _RAW_C1_UTF8.search(utf8) is not None)
    assert by_bytes == (_RAW_CONTROL.search(text) is not None)
