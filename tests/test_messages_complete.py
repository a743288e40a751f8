"""Every message in two languages, every command and option with help text.

The scan reads the source rather than a list, so commands and message codes
added later (reports, batch, explain, …) are checked the same way."""
from __future__ import annotations

import argparse
import ast
import re

import pytest

from engine import cli
from engine.base.messages import CATALOG
from tests.conftest import ROOT

CODE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
FILE_SUFFIXES = {"py", "yaml", "yml", "json", "jsonl", "txt", "md", "csv", "xlsx", "docx", "html", "toml", "schema"}
# Calls whose string arguments are message codes (Finding takes it as `code=` or third).
CALLERS = {"Diagnostic", "ScoringProblem", "format_message", "say", "Finding", "DiagnosticCode"}
CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)[?}]")


def _strings(node: ast.AST) -> list[str]:
    """String literals under `node`, except the fixed parts of f-strings."""
    parts = {id(p) for n in ast.walk(node) if isinstance(n, ast.JoinedStr) for p in n.values}
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in parts]


def prefixes_in(source: str) -> set[str]:
    """Codes built at run time (`f"input.missing_{need}"`): their fixed start."""
    out = set()
    for n in ast.walk(ast.parse(source)):
        if isinstance(n, ast.JoinedStr) and n.values and isinstance(n.values[0], ast.Constant):
            start = n.values[0].value
            if re.match(r"^[a-z][a-z0-9_]*\.[a-z0-9_]*$", start) and start.split(".")[0] in {c.split(".")[0] for c in CATALOG}:
                out.add(start)
    return out


def codes_in(source: str) -> set[str]:
    """Message codes a module uses: string arguments of the message-taking
    calls, and any string shaped like a code whose area (the part before the
    dot) is a known area of messages."""
    tree = ast.parse(source)
    areas = {c.split(".")[0] for c in CATALOG}
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
            if name in CALLERS:
                args = list(node.args[:3]) + [k.value for k in node.keywords if k.arg == "code"]
                for arg in args:
                    found |= {s for s in _strings(arg) if CODE.match(s)}
                    areas |= {s.split(".")[0] for s in _strings(arg) if CODE.match(s)}
    for s in _strings(tree):
        if CODE.match(s) and s.split(".")[0] in areas and s.split(".")[1] not in FILE_SUFFIXES:
            found.add(s)
    return found


def sources() -> list:
    return sorted(ROOT.glob("engine/**/*.py")) + []


def test_every_message_code_used_has_chinese_and_english_text():
    missing = {}
    for path in sources():
        for code in codes_in(path.read_text(encoding="utf-8")):
            zh, en = CATALOG.get(code, ("", ""))
            if not zh.strip() or not en.strip():
                missing.setdefault(str(path.relative_to(ROOT)), []).append(code)
    assert missing == {}


def test_codes_built_at_run_time_have_at_least_one_message():
    for path in sources():
        for start in prefixes_in(path.read_text(encoding="utf-8")):
            assert any(code.startswith(start) for code in CATALOG), f"{path.relative_to(ROOT)}: {start}…"


def test_the_scan_finds_codes_however_they_are_used():
    source = '''
code = "ruleset.no_target" if x else "nowhere.at_all"
Diagnostic("brand_new.area_code", span)
problems.append(Finding("consistency", "warning", "check.mismatch", {}))
io.say("cli.valid")
path = "report.json"
'''
    assert codes_in(source) == {"ruleset.no_target", "brand_new.area_code", "check.mismatch", "cli.valid"}
    assert "brand_new.area_code" not in CATALOG  # so the test above would fail on it


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_every_catalogue_entry_is_complete_in_both_languages(code):
    zh, en = CATALOG[code]
    assert zh.strip() and en.strip()
    assert set(PLACEHOLDER.findall(zh)) == set(PLACEHOLDER.findall(en)), "both languages use the same arguments"
    assert not CJK.search(en) or CJK.search(zh), "the English text is not Chinese only"


def _walk(parser: argparse.ArgumentParser, path: str):
    """Every (where, action) of a parser and of its subcommands, recursively."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                yield f"{path} {name}", helps.get(name), sub
                yield from _walk(sub, f"{path} {name}")
        elif not isinstance(action, argparse._HelpAction):
            yield f"{path} {'/'.join(action.option_strings) or action.dest}", action.help, None


def test_every_command_and_option_has_help_in_both_languages():
    zh = {where: text for where, text, _ in _walk(cli.build_parser("zh"), "jixiao")}
    en = {where: text for where, text, _ in _walk(cli.build_parser("en"), "jixiao")}
    assert zh.keys() == en.keys()
    commands = {w for w in zh if w.count(" ") == 1 and not w.split()[1].startswith("-")}
    assert {"jixiao evaluate", "jixiao show", "jixiao diff", "jixiao test", "jixiao schema", "jixiao init"} <= commands
    no_help = [w for w in zh if not (zh[w] or "").strip() or not (en[w] or "").strip() or zh[w] == argparse.SUPPRESS]
    assert no_help == []
    not_chinese = [w for w in zh if not CJK.search(zh[w])]
    assert not_chinese == []
    untranslated = [w for w in zh if zh[w] == en[w]]
    assert untranslated == []


def test_the_walk_sees_commands_added_later(monkeypatch):
    def add_report(sub, t):
        p = sub.add_parser("report", help=t("生成报告", "make a report"))
        p.add_argument("--style")  # no help: must be caught

    monkeypatch.setattr(cli, "COMMANDS", [*cli.COMMANDS, add_report])
    walked = {where: text for where, text, _ in _walk(cli.build_parser("en"), "jixiao")}
    assert walked["jixiao report"] == "make a report"
    assert walked["jixiao report --style"] is None
