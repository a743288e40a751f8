"""`json_line.json_positions` (a bad JSONL record's columns, token by token
with one regex) against the walk it replaced, kept here as the reference:
the same column for every value and key, on any JSON `json` reads, written
with any whitespace, escapes in keys, repeated keys and deep nesting; and
`json_column` and `LineColumns`, which find one place when asked for it."""
from __future__ import annotations

import json
import re
from json.decoder import scanstring

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.base.diagnostics import SourceSpan
from engine.base.sourcemap import SourceMap
from engine.load.json_line import LineColumns, json_column, json_positions

_WS = re.compile(r"[ \t\n\r]*")
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_CONSTANTS = ("true", "false", "null", "NaN", "Infinity", "-Infinity")


def walked_positions(text: str) -> tuple[dict, dict]:
    """The columns as the first `json_positions` found them: character by
    character, whitespace skipped by a call per token (the reference)."""
    values: dict[tuple, int] = {}
    keys: dict[tuple, int] = {}

    def skip(i: int) -> int:
        return _WS.match(text, i).end()

    # Stack frames: [path, closing char, index of the next list item].
    stack: list[list] = []
    i = 0
    path: tuple = ()
    while True:
        i = skip(i)
        values[path] = i + 1
        ch = text[i]
        if ch == "{" or ch == "[":
            close = "}" if ch == "{" else "]"
            stack.append([path, close, 0])
            i = skip(i + 1)
        else:
            if ch == '"':
                i = scanstring(text, i + 1)[1]
            else:
                m = _JSON_NUMBER.match(text, i)
                if m and m.end() > i:
                    i = m.end()
                else:
                    for literal in _CONSTANTS:
                        if text.startswith(literal, i):
                            i += len(literal)
                            break
                    else:
                        raise ValueError(f"unexpected {ch!r} at {i}")
            i = skip(i)
            if not stack:
                return values, keys
            if text[i] == ",":
                i = skip(i + 1)
        # Close finished containers; then start the next member.
        while stack and text[i] == stack[-1][1]:
            stack.pop()
            i = skip(i + 1)
            if not stack:
                return values, keys
            if text[i] == ",":
                i = skip(i + 1)
        frame = stack[-1]
        if frame[1] == "}":
            start = i
            key, i = scanstring(text, i + 1)
            path = frame[0] + (key,)
            keys[path] = start + 1
            i = skip(i) + 1  # the colon
        else:
            path = frame[0] + (frame[2],)
            frame[2] += 1


_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=False, allow_infinity=False),
                     st.text(max_size=8), st.sampled_from(["a\"b", "\\", "x\ny", "中文：、", "{[,:]}", "\u2028"]))
_KEYS = st.one_of(st.text(max_size=6), st.sampled_from(["a", "中", "k\"q", "b\\", "t\tu", "{", ":", ","]))
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4), max_leaves=25)
_SPACE = st.text(alphabet=" \t\n\r", max_size=2)


def _written(value, space, ascii: bool) -> str:
    """`value` as JSON with whitespace from `space` around every token
    (`ascii`: texts and keys written with `\\u` escapes)."""
    if isinstance(value, dict):
        items = [f"{space()}{json.dumps(k, ensure_ascii=ascii)}{space()}:{space()}{_written(v, space, ascii)}{space()}" for k, v in value.items()]
        return "{" + ",".join(items) + space() + "}"
    if isinstance(value, list):
        return "[" + ",".join(f"{space()}{_written(v, space, ascii)}{space()}" for v in value) + space() + "]"
    return json.dumps(value, ensure_ascii=ascii)


@settings(max_examples=600, deadline=None)
@given(_VALUES, st.booleans(), st.data())
def test_positions_are_the_walks(value, ascii, data):
    text = data.draw(_SPACE) + _written(value, lambda: data.draw(_SPACE), ascii) + data.draw(_SPACE)
    json.loads(text)  # what json reads
    assert json_positions(text) == walked_positions(text)


def test_repeated_keys_escapes_constants_and_depth():
    texts = [
        '{"a": 1, "a": {"a": [1, 2, {"a": 3}]}}',
        '{"k\\"q": 1, "\\u4e2d": [NaN, -Infinity, Infinity], "": {}}',
        '[[], {}, [{}], {"x": []}, "s,:{}[]", -0.5e-3, true, false, null]',
        "[" * 60 + "]" * 60,
        '{"a":{"b":{"c":{"d":[[[[1]]]]}}}}',
        '  \r\n {"a" :1 ,"b"\t:\n[ 1 , 2 ] } \n',
    ]
    for text in texts:
        json.loads(text)
        assert json_positions(text) == walked_positions(text), text
    values, keys = json_positions(texts[0])
    assert keys[("a",)] == texts[0].rindex('"a": {') + 1  # where it was written last
    assert values[("a", "a", 2, "a")] == texts[0].rindex("3") + 1


@settings(max_examples=400, deadline=None)
@given(_VALUES, st.booleans(), st.data())
def test_a_column_found_alone_is_the_one_found_with_all(value, ascii, data):
    text = _written(value, lambda: data.draw(_SPACE), ascii)
    values, keys = json_positions(text)
    for path, col in values.items():
        assert json_column(text, path) == col, path
        assert json_column(text, path, key=True) == keys.get(path), path
    for path in list(values)[:8]:  # places that are not there (a list's next item among them)
        items = sum(1 for p in values if len(p) == len(path) + 1 and p[:-1] == path and p[-1].__class__ is int)
        for missing in (path + ("no such key",), path + (items,), path + (99,), path + (-1,), path + (True,)):
            if missing not in values:
                assert json_column(text, missing) is None and json_column(text, missing, key=True) is None, missing


def test_line_columns_are_the_spans_they_stand_for():
    text = '{"inputs": {"a": "x", "b": [1, 2]}, "tables": {}, "a": {"a": 1, "a": [3]}}'
    values, keys = json_positions(text)
    lazy = LineColumns(text, "u.jsonl", 7)
    made = {p: SourceSpan("u.jsonl", 7, c) for p, c in values.items()}
    assert dict(lazy) == made and len(lazy) == len(made) and list(lazy) == list(made)
    assert lazy[("inputs", "b", 1)] == SourceSpan("u.jsonl", 7, text.index("2]") + 1)
    assert lazy[("a", "a", 0)] == SourceSpan("u.jsonl", 7, text.index("3]") + 1)  # a key given twice: the last
    assert lazy.get(("inputs", "b", 2)) is None and lazy.get(("nowhere",)) is None and ("inputs", "a") in lazy and ("nowhere",) not in lazy and ["inputs"] not in lazy
    smap = SourceMap(lazy, LineColumns(text, "u.jsonl", 7, keys=True))
    assert smap.value(("inputs", "b", 5)) == made[("inputs", "b")]  # a missing item: its list
    assert smap.key(("inputs", "a")) == SourceSpan("u.jsonl", 7, text.index('"a"') + 1)
    assert LineColumns("{\"a\": [1,", "u", 1).get(("a", 1)) is None  # not a line json read: no place
