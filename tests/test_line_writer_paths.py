"""The batch line writer's cheaper paths (issue 18, item 2) against the reference.

The line writer (`render.jsonl`) is generated from `render.json_shape.SHAPE`;
each test here takes one of its shortcuts and checks the line is still
`json_out.dumps(json_out.as_dict(result), indent=None)` byte for byte:
the usual case of each encoder written inline, fields kept per owner by the
identity of their `same` object or by the text of their `by` Decimal, a
NamedTuple's fields read by unpacking (and any other object's by name), one
f-string per combination of an object's conditional fields (and the general
way beyond `_BRANCHED` conditions), and messages quoted from a template kept
per code and language.
"""
from __future__ import annotations

import json
import types
from decimal import Decimal

import pytest

from engine.api import evaluate_file
from engine.base.messages import LazyArgs, Said, format_message, format_message_json
from engine.evaluation.result import leaves as _leaves
from engine.render import json_out, jsonl

VALUES = [None, "", "文本", 'q"\\\n', "\u2028", Decimal("0"), Decimal("-0"), Decimal("1E+3"), Decimal("1e-7"), Decimal("0.93590"),
          Decimal("-2.5"), Decimal("10"), Decimal("12345678901234567.891"), Decimal("-0.00"), 7, True, type("Text", (str,), {})("子类")]


def _line(result) -> str:
    return jsonl._line(result, "zh")


def _reference(result) -> str:
    return json_out.dumps(json_out.as_dict(result), indent=None)


def _encoder(enc: str, *args: str):
    """The inline template of `enc` as a function of `v0` (and `v1`, `v2`)."""
    field = types.SimpleNamespace(value=tuple(f"v{i}" for i in range(len(args) or 1)), enc=enc, item=None)
    extras: list[str] = []
    expr = jsonl._fast_value(field, extras)
    for n, made in enumerate(extras):
        expr = expr.replace(f"@{n}@", f"({made})")
    namespace = dict(jsonl._line_writers.__wrapped__.__globals__)
    namespace.update({"_json": jsonl._json, "_plain_json": jsonl._plain_json, "_num": json_out._num, "_quote": json.encoder.encode_basestring,
                      "_RATIOS": jsonl._RATIOS, "_ratio": jsonl._ratio, "_shown_in": jsonl._shown_in, "_shown_cache": jsonl._shown_cache, "Decimal": Decimal})
    return eval(f"lambda v0, v1=None, v2=None: {expr}", namespace)  # noqa: S307 - our own template


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_inline_encoders_write_dumps_of_the_reference_value(value):
    dumps = lambda v: json_out.dumps(v, indent=None)  # noqa: E731
    assert _encoder("value")(value) == dumps(value)
    assert _encoder("number")(value) == dumps(value)
    assert _encoder("plain")(value) == dumps(json_out._plain(value))
    if isinstance(value, Decimal):
        assert _encoder("ratio")(value) == _encoder("ratio")(value) == dumps(json_out.round_half_up(value, 4))
        from engine.evaluation.display import show_value

        shown = _encoder("shown", "v0", "v1", "v2")
        for value_type, unit in (("percent", "%"), ("money", "万元"), ("number", "人"), ("number", None)):
            assert shown(value, value_type, unit) == shown(value, value_type, unit) == dumps(show_value(value, value_type, unit))
    else:
        assert _encoder("ratio")(value) == "null"


def _one_leaf(base, leaf):
    return jsonl_replace(base, indicators=(base.indicators[0]._replace(children=(leaf,)),))


def jsonl_replace(result, **changes):
    import dataclasses

    return dataclasses.replace(result, **changes)


def test_a_nodes_target_and_actual_texts_follow_their_values():
    """Kept by the target's identity and the actual's text: a new target object
    with another value, the same Decimal text from another object, text, and back."""
    base = evaluate_file("examples/2019/hr-bureau.yaml")
    leaf = next(_leaves(base.indicators))
    one = Decimal("1")
    for target, actual in [(one, Decimal("0.9359")), (one, Decimal("0.9359")), (Decimal("0.95"), Decimal("0.9359")), (one, Decimal("0.93590")),
                           (one, "0.9359"), (one, None), (one, Decimal("0.9359")), ("按期完成", "按期完成"), (one, Decimal("-0"))]:
        result = _one_leaf(base, leaf._replace(target=target, actual=actual))
        assert _line(result) == _reference(result)


def test_a_deviations_target_texts_follow_its_target():
    base = evaluate_file("examples/2019/hr-bureau.yaml")
    d = base.deviations[0]
    for target in (d.target, Decimal("0.5"), d.target, Decimal("0.50"), "按期", None, d.target):
        result = jsonl_replace(base, deviations=(d._replace(target=target), d))
        assert _line(result) == _reference(result)


def test_objects_that_are_not_the_usual_namedtuples_are_read_by_name():
    """The writers unpack an IndicatorResult, Finding or Deviation; any other
    object with the same attributes is read attribute by attribute."""
    base = evaluate_file("examples/2019/hr-bureau.yaml")

    def loose(x):
        d = {f: getattr(x, f) for f in x._fields}
        if "children" in d:
            d["children"] = tuple(loose(c) for c in d["children"])
        return types.SimpleNamespace(**d)

    result = jsonl_replace(base, indicators=tuple(loose(i) for i in base.indicators), findings=tuple(loose(f) for f in base.findings),
                           deviations=tuple(loose(d) for d in base.deviations))
    assert _line(result) == _line(base) == _reference(base)


def test_an_object_with_many_conditions_is_written_the_general_way(monkeypatch):
    """Up to `_BRANCHED` conditions each combination has its own f-string;
    beyond, each conditional group is made apart: the same line either way."""
    results = [evaluate_file("examples/2019/hr-bureau.yaml"), evaluate_file("examples/2019/projects/veteran-enterprise-relief.yaml")]
    before = [_line(r) for r in results]
    monkeypatch.setattr(jsonl, "_BRANCHED", 0)
    jsonl._line_writers.cache_clear()
    try:
        assert "g0 = " in jsonl.shape_source()
        assert [_line(r) for r in results] == before == [_reference(r) for r in results]
    finally:
        monkeypatch.undo()
        jsonl._line_writers.cache_clear()


ODD = ["", "x", 'a"b', "a\\b", "a\nb", "\x7f", ["a", 'b"'], ("a", "b"), Decimal("3.50"), None, 7, Said("os.ENOSPC"), type("Text", (str,), {})("子类")]


@pytest.mark.parametrize("value", ODD, ids=repr)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_message_json_with_arguments_of_any_kind(value, lang):
    """One-name and many-name templates, arguments as a dict or made lazily."""
    for code, args in (("batch.bad_json", {"problem": value}), ("deviation.unexplained", {"name": value, "kind": "未完成"}), ("deviation.unexplained", {"name": "率", "kind": value}),
                       ("check.mismatch", {"check": value, "where": "表", "stated": "1", "computed": "2", "difference": "-1"})):
        want = json.dumps(format_message(code, args, lang), ensure_ascii=False)
        assert format_message_json(code, args, lang) == want
        assert format_message_json(code, LazyArgs(dict, args), lang) == want
    assert format_message_json("no.such.code", {"a": value}, lang) == json.dumps(format_message("no.such.code", {"a": value}, lang), ensure_ascii=False)
