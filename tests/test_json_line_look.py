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
