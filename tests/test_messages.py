"""The message catalogue (消息目录) is complete: every code the engine can
report has a Chinese and an English sentence, with the same blanks to fill."""
from __future__ import annotations

import re

import pytest

from engine.base.messages import CATALOG, format_message
from tests.conftest import ROOT

_AREAS = "load|schema|ruleset|formula|input|eval|score|step|check|deviation|cli|params"
_CODE = re.compile(r"[\"']((?:%s)\.[a-z_]+)[\"']" % _AREAS)
_DYNAMIC = re.compile(r"f[\"']((?:%s)\.[a-z_]+)\{" % _AREAS)
_BLANK = re.compile(r"\{(\w+)[?}]")


def codes_in_source() -> set[str]:
    """Message codes written in the engine and the CLI (outside the catalogue)."""
    found: set[str] = set()
    for path in [*ROOT.joinpath("engine").rglob("*.py")]:
        if "messages" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        found |= set(_CODE.findall(text))
        for prefix in _DYNAMIC.findall(text):  # f"input.missing_{need}"
            found |= {c for c in CATALOG if c.startswith(prefix)}
    return found


def test_every_code_in_the_source_has_a_sentence():
    missing = sorted(codes_in_source() - set(CATALOG))
    assert missing == []


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_both_languages_fill_the_same_blanks(code):
    zh, en = CATALOG[code]
    assert zh and en  # arithmetic steps may read the same in both
    assert set(_BLANK.findall(zh)) == set(_BLANK.findall(en)), code


def test_optional_parts_appear_only_with_their_value():
    with_hint = format_message("formula.unknown_name", {"name": "全年预算", "suggestion": "全年预算数"})
    without = format_message("formula.unknown_name", {"name": "x", "suggestion": None})
    assert with_hint == "公式中的名称「全年预算」未定义，是否应为「全年预算数」？"
    assert without == "公式中的名称「x」未定义"


def test_an_unknown_code_still_says_something():
    assert format_message("no.such_code", {"a": 1}) == "no.such_code {'a': 1}"
