"""Every message code the input, check and deviation code uses has both languages."""
from __future__ import annotations

import re

from engine.base.messages import CATALOG, format_message
from engine.base.messages.inputs import MESSAGES
from tests.conftest import ROOT

SOURCES = ("engine/unit/inputs.py", "engine/unit/entries.py", "engine/evaluation/checks.py", "engine/evaluation/deviations.py")


def _codes_used() -> set[str]:
    codes: set[str] = set()
    for source in SOURCES:
        text = (ROOT / source).read_text(encoding="utf-8")
        codes |= set(re.findall(r'"((?:input|check|deviation)\.[a-z_]+)"', text))
        # f"input.missing_{need}" for need in actual / score / coefficient
        codes |= {f"input.missing_{n}" for n in ("actual", "score", "coefficient")} if "input.missing_{need}" in text else set()
    return codes


def test_every_code_used_is_in_the_catalogue():
    used = _codes_used()
    assert len(used) > 30
    assert sorted(used - set(CATALOG)) == []


def test_every_message_has_chinese_and_english_and_fills_in():
    args = {k: "x" for k in ("key", "suggestion", "known", "section", "name", "label", "alias", "field", "value", "table", "column", "category", "target", "method", "check", "where", "stated", "computed", "difference", "kind", "year", "expected", "ruleset")}
    for code, (zh, en) in MESSAGES.items():
        assert zh and en, code
        assert re.search(r"[\u4e00-\u9fff]", zh), code
        for lang in ("zh", "en"):
            text = format_message(code, args, lang)
            assert "{" not in text and "}" not in text, (code, lang, text)
