"""Hostile rulesets, built byte for byte: each with the problem code and the
`line:col` where `validate` must locate it. Used by tests/test_strict_loading.py
and by benchmarks/hostile.py (which prints real timings).
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.load.yaml_loader import MAX_BYTES

_HEAD = "id: hostile\ntitle: 恶意规则集\nyear: 2024\nkind: 部门整体支出\n"


@dataclass(frozen=True)
class Hostile:
    name: str
    content: bytes
    code: str  # the message code `validate` must report
    where: tuple[str, ...]  # "line:col" of the first problem (per parser, where libyaml and ruamel differ)


def _billion_laughs() -> bytes:
    # Nine levels of ten aliases: 10⁹ nodes if expanded, 700 bytes on disk.
    lines = [_HEAD.rstrip("\n"), 'lol0: &a0 ["哈哈哈哈哈哈哈哈"]']
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"lol{i}: &a{i} [{refs}]")
    return ("\n".join(lines) + "\n").encode()


def hostile_rulesets() -> list[Hostile]:
    """Every hostile ruleset `validate` must refuse, located, fast, in bounded memory."""
    depth = 20_000
    return [
        Hostile("billion-laughs", _billion_laughs(), "load.anchor", ("5:7",)),
        Hostile("python-object-apply", (_HEAD + 'title2: !!python/object/apply:os.system ["echo pwned"]\n').encode(), "load.tag", ("5:9",)),
        Hostile("python-object-new", (_HEAD + "x: !!python/object/new:subprocess.Popen [[sh, -c, id]]\n").encode(), "load.tag", ("5:4",)),
        Hostile("python-name", (_HEAD + "x: !!python/name:os.system\n").encode(), "load.tag", ("5:4",)),
        Hostile("tagged-root", ("!!python/object:engine.ruleset.model.Ruleset\n" + _HEAD).encode(), "load.tag", ("1:1",)),
        Hostile("deep-flow-sequences", (_HEAD + "x: " + "[" * depth + "]" * depth + "\n").encode(), "load.too_deep", ("5:1003", "5:67")),
        Hostile("deep-flow-unclosed", (_HEAD + "x: " + "[" * depth + "\n").encode(), "load.too_deep", ("5:1003", "5:67")),
        Hostile("deep-flow-mappings", (_HEAD + "x: " + "{a: " * depth + "1" + "}" * depth + "\n").encode(), "load.too_deep", ("5:256",)),
        Hostile("deep-block-sequences", (_HEAD + "x:\n" + "- " * depth + "1\n").encode(), "load.too_deep", ("6:127",)),
        Hostile("deep-block-mappings", (_HEAD + "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "v\n").encode(), "load.too_deep", ("69:129",)),
        Hostile("duplicate-key", (_HEAD + "year: 2025\n").encode(), "load.duplicate_key", ("5:1",)),
        Hostile("yaml-1.1-directive", ("%YAML 1.1\n---\n" + _HEAD).encode(), "load.yaml_version", ("1:1",)),
        Hostile("over-size-limit", (_HEAD + "# " + "x" * MAX_BYTES + "\n").encode(), "load.too_large", ("1:1",)),
        Hostile("too-many-values", (_HEAD + "x: [" + "1, " * 100_000 + "1]\n").encode(), "load.too_many_nodes", ("5:299972",)),
        Hostile("huge-number", (_HEAD + "total: 1e999999999\n").encode(), "load.number_range", ("5:8",)),
        Hostile("terminal-escape", (_HEAD + 'description: "\\e]0;pwned\\a\\e[2J"\n').encode(), "load.control_char", ("5:14",)),
    ]
