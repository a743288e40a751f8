"""The result's JSON shape is defined once (engine/render/json_shape.py).

Both writers — `json_out.as_dict` (the reference) and the batch line writer
`jsonl.line` — are generated from `SHAPE`. These tests enumerate it: every
field appears in both, in the shape's order, with the value the reference
holds; each encoder writes exactly `dumps` of that value; and a field added to
the shape (one edit) reaches both writers unchanged otherwise.
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from engine.base.numeric import round_half_up
from engine.evaluation.display import show_value

from engine.api import evaluate_file
from engine.render import json_out, json_shape, jsonl
from engine.render.json_out import scores_dict
from tests.test_jsonl_fast import NA, _knobs, _replace

KINDS = {"result": None, "indicator": "indicators", "finding": "findings", "deviation": "deviations"}


def _objects(data: dict, kind: str) -> list[dict]:
    if kind == "result":
        return [data]
    if kind == "indicator":
        out, stack = [], list(data["indicators"])
        while stack:
            d = stack.pop()
            out.append(d)
            stack.extend(d["children"])
        return out
    return data[KINDS[kind]]


def _keys_in_order(fields, obj: dict) -> list[str]:
    """The shape's keys that this object holds (a `when` may leave some out)."""
    return [f.key for f in fields if f.key in obj]


def _results():
    base = evaluate_file("examples/2019/hr-bureau.yaml")
    first = base.indicators[0]
    apart = _replace(base, indicators=(_replace(first, node=_replace(first.node, in_total=False)), *base.indicators[1:]))  # 不计入总分
    return [
        base,
        apart,
        evaluate_file("examples/2019/projects/veteran-enterprise-relief.yaml"),
        _knobs(data_edits=[NA]),
        _knobs([("not_applicable: zero", "not_applicable: rescale")], [NA]),
    ]


def test_every_field_of_the_shape_reaches_both_writers_in_order():
    seen: dict[str, set[str]] = {kind: set() for kind in json_shape.SHAPE}
    for result in _results():
        reference = json_out.as_dict(result)
        fast = json.loads(jsonl.line(result), parse_float=Decimal, object_pairs_hook=lambda pairs: dict(pairs))
        assert jsonl.line(result) == json_out.dumps(reference, indent=None)
        for kind in json_shape.FULL:
            fields = json_shape.SHAPE[kind]
            for obj, line_obj in zip(_objects(reference, kind), _objects(fast, kind)):
                keys = _keys_in_order(fields, obj)
                assert list(obj) == keys, kind  # nothing but the shape, in its order
                assert list(line_obj) == keys, kind
                seen[kind].update(keys)
    for kind in json_shape.FULL:  # the examples show every field at least once
        fields = json_shape.SHAPE[kind]
        assert seen[kind] == {f.key for f in fields}, kind


def test_a_field_added_to_the_shape_is_written_by_both(monkeypatch):
    """Adding a field is one edit: the shape. Both writers follow."""
    added = json_shape.Field("weight_left", "x.node.weight - x.score", fixed=False, when="not x.children")
    indicator = list(json_shape.INDICATOR)
    indicator.insert(4, added)
    monkeypatch.setitem(json_shape.SHAPE, "indicator", tuple(indicator))
    json_out._dict_writers.cache_clear()
    jsonl._line_writers.cache_clear()
    try:
        result = evaluate_file("examples/2019/hr-bureau.yaml")
        reference = json_out.as_dict(result)
        leaf = reference["indicators"][0]["children"][0]
        assert list(leaf)[4] == "weight_left" and leaf["weight_left"] == leaf["weight"] - result.indicators[0].children[0].score
        assert "weight_left" not in reference["indicators"][0]  # a branch: `when` says leaves only
        assert jsonl._line(result, "zh") == json_out.dumps(reference, indent=None)
    finally:
        monkeypatch.undo()
        json_out._dict_writers.cache_clear()
        jsonl._line_writers.cache_clear()
        for kept in jsonl._OWNED.values():
            kept.clear()


@pytest.mark.parametrize("kind", json_shape.FULL)
def test_fixed_fields_depend_only_on_their_owner(kind):
    """A `fixed` field's text is kept per owner: two objects with one owner key
    must give it the same value (checked on every object of the examples)."""
    key_expr, _ = json_shape.OWNERS[kind]
    fixed = [f for f in json_shape.SHAPE[kind] if f.fixed]
    by_owner: dict = {}
    for result in _results():
        objects = {"result": [result], "indicator": _all_indicators(result), "finding": result.findings, "deviation": result.deviations}[kind]
        for x in objects:
            key = eval(key_expr, {}, {"x": x})  # noqa: S307 - the shape's own expression
            values = tuple(eval(json_out.reference_value(f), {"engine_name": json_out.engine_name}, {"x": x}) for f in fixed)  # noqa: S307
            assert by_owner.setdefault(key, values) == values


def _all_indicators(result):
    out, stack = [], list(result.indicators)
    while stack:
        r = stack.pop()
        out.append(r)
        stack.extend(r.children)
    return out


VALUES = [None, "", "文本", 'q"\\\n', Decimal("0"), Decimal("-0"), Decimal("1E+3"), Decimal("0.93590"), Decimal("-2.5"), Decimal("12345678901234567.891"), 7, True]


@pytest.mark.parametrize("value", VALUES)
def test_encoders_write_dumps_of_the_reference_value(value):
    dumps = lambda v: json_out.dumps(v, indent=None)  # noqa: E731
    assert jsonl._json(value) == dumps(value)
    assert jsonl._plain_json(value) == dumps(json_out._plain(value))
    if isinstance(value, Decimal):
        ctx = json_out._Context(2, "zh", {})
        assert jsonl._score(value, ctx) == dumps(round_half_up(value, 2))
        assert jsonl._ratio(value) == dumps(round_half_up(value, 4))
        for value_type, unit in (("percent", "%"), ("money", "万元"), ("number", "人"), ("number", None)):
            assert jsonl._shown(value, value_type, unit) == dumps(show_value(value, value_type, unit))
    else:
        assert jsonl._ratio(value) == "null"


def test_scores_line_is_the_scores_dict_and_agrees_with_the_full_result():
    for result in _results():
        data = scores_dict(result)
        assert list(data) == ["subject", "total", "grade", "scores"]
        assert jsonl.scores_line(result) == json_out.dumps(data, indent=None)
        full = json_out.as_dict(result)
        leaves = {d["id"]: d["score"] for d in _objects(full, "indicator") if not d["children"]}
        assert {d["id"]: d["score"] for d in data["scores"]} == leaves
        assert (data["subject"], data["total"], data["grade"]) == (full["subject"], full["total"], full["grade"])
