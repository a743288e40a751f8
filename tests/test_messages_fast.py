"""The compiled message templates fill in exactly as the template walker does."""
from __future__ import annotations

from decimal import Decimal

from engine.base.messages import CATALOG, _compile, _fill, _parse, _render, _text, format_message


def _names(parts: tuple) -> set[str]:
    out: set[str] = set()
    for p in parts:
        if p.__class__ is not str:
            out.add(p[0])
            if len(p) == 2:
                out |= _names(p[1])
    return out


VALUES = ("", "x", "100%", "%s", "%%d", "{y}", "a\nb", "名称", "-0", "12.5")


def test_every_catalogue_sentence_fills_as_the_walker_does():
    checked = 0
    for code, pair in CATALOG.items():
        for template in pair:
            parts = _parse(template)
            names = sorted(_names(parts))
            for i, value in enumerate(VALUES):
                values = {n: VALUES[(i + j) % len(VALUES)] for j, n in enumerate(names)}
                assert _fill(template, values) == _render(parts, values), (code, template, values)
                if names:  # one name left out: shown as {name}, as before
                    del values[names[i % len(names)]]
                    assert _fill(template, values) == _render(parts, values), (code, template, values)
                checked += 1
    assert checked > 1000


def test_odd_templates():
    for template in ("", "plain", "100% {a}", "{a}", "{0} {a.b} {a}", "{a?x{b}y}{c}", "}{a}}", "50%%{a}%s"):
        parts = _parse(template)
        for values in ({}, {"a": "1"}, {"a": "%", "b": "", "c": "{a}"}, {"0": "z", "a.b": "w", "a": "", "c": "q"}):
            assert _fill(template, values) == _render(parts, values), (template, values)
    assert _compile("{a}").fmt == "%s" and _compile("{a}").quoted == "\"%s\""


def test_arguments_shown_as_before():
    # the fast path for plain text must agree with the general one
    for value in ("a\n  b", " a \n\n b ", "plain", "", Decimal("-0"), Decimal("1E+3"), Decimal("2.50"), None, 7):
        assert format_message("check.mismatch", {"check": value, "where": "w", "stated": "1", "computed": "2", "difference": "1"}) == (
            _render(_parse(CATALOG["check.mismatch"][0]), {"check": _text(value), "where": "w", "stated": "1", "computed": "2", "difference": "1"})
        )
    assert _text("a \n b") == "a b" and _text(Decimal("-0.00")) == "-0" and _text(Decimal("0E+2")) == "0"


def test_kinds_put_into_english_words_on_the_fast_path():
    from tests import json_reference as ref

    for kind in ("未完成", "超额", "需说明", "其他", ""):
        for lang in ("zh", "en"):
            args = {"name": "预算执行率", "kind": kind}
            assert format_message("deviation.unexplained", args, lang) == ref.format_message("deviation.unexplained", args, lang)
    assert "below target" in format_message("deviation.unexplained", {"name": "x", "kind": "未完成"}, "en")
