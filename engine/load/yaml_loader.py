"""Strict YAML loading with positions (严格加载).

Rulesets and data files are read as YAML 1.2 data only: no anchors, aliases or
tags, no duplicate keys, bounded depth and size. Numbers become exact
`Decimal`s from their source text (never via float). Every refusal is a
located `Diagnostic`; nothing here raises anything else.

We build values from ruamel's *event* stream rather than its composer: events
carry each scalar's source text, style and position, and let us stop at the
first alias or over-deep node before any expansion or deep recursion happens.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from engine.base.messages import os_error, yaml_problem
from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan
from engine.base.numeric import MAX_MAGNITUDE, in_range
from engine.base.sourcemap import SourceMap

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
# Values (scalars, mappings, lists) in one file. The 2019 ruleset has about 400;
# the cap keeps the worst case, a file of nothing but `[1, 1, 1, …`, under a second.
MAX_NODES = 100_000

_INT_OR_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
# YAML 1.2 core schema: octal and hexadecimal integers (`010` is ten, not eight).
_OCTAL = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
# Refused inside any value: C0 controls but tab and newline, DEL, C1 controls
# (terminal escape sequences, and characters XML-based outputs cannot hold) and
# lone surrogates (which cannot be written out as UTF-8).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUES = {"true", "True", "TRUE"}
_FALSES = {"false", "False", "FALSE"}


_UTF16_32_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"),
)
# A file whose first non-ASCII characters are this many valid multi-byte UTF-8
# sequences is UTF-8: a later invalid byte is damage (e.g. a pasted GBK line),
# not a sign of a GBK file, whose pairs almost never form valid UTF-8.
_UTF8_EVIDENCE = 3


def decode_text(raw: bytes, file: str) -> str:
    """UTF-8 (with or without BOM), else GBK/GB18030; anything else is refused.

    A UTF-16/32 file (Notepad's "Unicode") and a UTF-8 file with non-UTF-8 bytes
    in it are refused with a message naming the problem, never mis-decoded."""
    for bom, name in _UTF16_32_BOMS:
        if raw.startswith(bom):
            raise DiagnosticError([Diagnostic("load.encoding_utf16", SourceSpan(file, 1, 1), {"encoding": name})])
    if b"\x00" in raw[:65536]:
        raise DiagnosticError([Diagnostic("load.binary", SourceSpan(file, 1, 1))])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        bad = utf8_error.start
        mostly_utf8 = _multibyte_chars(raw[:bad]) >= _UTF8_EVIDENCE
        if not mostly_utf8:
            try:
                return raw.decode("gb18030")
            except UnicodeDecodeError:
                pass
        line_start = raw.rfind(b"\n", 0, bad) + 1
        line = raw[:bad].count(b"\n") + 1
        col = len(raw[line_start:bad].decode("utf-8", errors="replace")) + 1
        code = "load.encoding_mixed" if mostly_utf8 else "load.encoding"
        raise DiagnosticError([Diagnostic(code, SourceSpan(file, line, col), {"byte": bad})]) from None


def _multibyte_chars(valid_utf8: bytes) -> int:
    """How many non-ASCII characters a valid UTF-8 prefix holds."""
    return sum(1 for b in valid_utf8 if b >= 0xC0)


def read_file(path: str, display: str | None = None) -> str:
    """Read a text file within the size limit, decoded as `decode_text` says."""
    name = display or path
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise DiagnosticError([Diagnostic("load.not_found", SourceSpan(name, 1, 1), {"path": path})]) from None
    except IsADirectoryError:
        raise DiagnosticError([Diagnostic("load.is_directory", SourceSpan(name, 1, 1), {"path": path})]) from None
    except OSError as e:
        raise DiagnosticError(
            [Diagnostic("load.unreadable", SourceSpan(name, 1, 1), {"path": path, "reason": os_error(e)})]
        ) from None
    if len(raw) > MAX_BYTES:
        raise DiagnosticError(
            [Diagnostic("load.too_large", SourceSpan(name, 1, 1), {"limit_mb": MAX_BYTES // (1024 * 1024)})]
        )
    return decode_text(raw, name)


def load_file(path: str, display: str | None = None) -> tuple[Any, SourceMap]:
    """Load a YAML or JSON file into plain data plus its `SourceMap`."""
    name = display or path
    return load_text(read_file(path, name), name)


def _scalar(value: str, style: str | None) -> Any:
    """A scalar as the YAML 1.2 core schema reads it, numbers as `Decimal`s.

    `no`, `on`, `12:30`, `1_000` are text (YAML 1.1 read them otherwise);
    `.inf` and `.nan` stay text too, since no figure may be infinite."""
    if style is not None:  # quoted or block: always text
        return value
    if value in _NULLS:
        return None
    if value in _TRUES:
        return True
    if value in _FALSES:
        return False
    if _INT_OR_FLOAT.match(value):
        return Decimal(value)
    if _OCTAL.match(value):
        return Decimal(int(value[2:], 8)) if len(value) < 40 else _TOO_BIG
    if _HEX.match(value):
        return Decimal(int(value[2:], 16)) if len(value) < 40 else _TOO_BIG
    return value


def load_text(text: str, file: str) -> tuple[Any, SourceMap]:
    """Parse `text` strictly; raise `DiagnosticError` with every problem found.

    Structural problems (syntax, aliases, tags, depth) stop the load at the
    first one, since what follows cannot be trusted; duplicate keys are all
    collected.
    """
    smap = SourceMap(lines={file: text.splitlines()})
    problems: list[Diagnostic] = []
    # Stack entries: [container, path, pending_key, key_span, seen_keys]
    stack: list[list] = []
    root: Any = None
    documents = 0
    nodes = 0

    def span(mark) -> SourceSpan:
        return SourceSpan(file, mark.line + 1, mark.column + 1)

    def fail(code: str, mark, **args) -> None:
        raise DiagnosticError([*problems, Diagnostic(code, span(mark), args)])

    def place(value: Any, ev) -> tuple | None:
        """Attach a finished value to its parent; return its path (None for a key)."""
        nonlocal root
        if not stack:
            root = value
            smap.values[()] = span(ev.start_mark)
            return ()
        top = stack[-1]
        container, path = top[0], top[1]
        if isinstance(container, list):
            p = path + (len(container),)
            container.append(value)
            smap.values[p] = span(ev.start_mark)
            return p
        if top[2] is _NO_KEY:
            if isinstance(value, (dict, list)):
                fail("load.complex_key", ev.start_mark)
            if value is None or isinstance(value, bool):
                fail("load.bad_key", ev.start_mark, key=str(value))
            key = value if isinstance(value, str) else format(value, "f")
            if key in top[4]:
                problems.append(Diagnostic("load.duplicate_key", span(ev.start_mark), {"key": key, "first": top[4][key].line}))
            else:
                top[4][key] = span(ev.start_mark)
            top[2] = key
            top[3] = span(ev.start_mark)
            return None
        key = top[2]
        p = path + (key,)
        if key not in container:
            container[key] = value
        smap.values[p] = span(ev.start_mark)
        smap.keys[p] = top[3]
        top[2] = _NO_KEY
        return p

    try:
        for ev in _events(text):
            kind = type(ev).__name__
            if kind in ("StreamStartEvent", "StreamEndEvent", "DocumentEndEvent"):
                continue
            if kind == "DocumentStartEvent":
                documents += 1
                if documents > 1:
                    fail("load.multiple_documents", ev.start_mark)
                if ev.version is not None and tuple(ev.version) != (1, 2):
                    raise DiagnosticError([Diagnostic("load.yaml_version", _directive_span(text, file), {"version": ".".join(map(str, ev.version))})])
                continue
            if kind == "AliasEvent":
                fail("load.alias", ev.start_mark, name=ev.anchor)
            if getattr(ev, "anchor", None):
                fail("load.anchor", ev.start_mark, name=ev.anchor)
            tag = getattr(ev, "tag", None)
            if tag is not None:  # any tag, even the non-specific `!`
                fail("load.tag", ev.start_mark, tag=str(tag).replace("tag:yaml.org,2002:", "!!", 1))
            if kind in ("ScalarEvent", "MappingStartEvent", "SequenceStartEvent"):
                nodes += 1
                if nodes > MAX_NODES:
                    fail("load.too_many_nodes", ev.start_mark, limit=MAX_NODES)
            if kind == "ScalarEvent":
                bad_char = _CONTROL.search(ev.value)
                if bad_char:
                    problems.append(Diagnostic("load.control_char", span(ev.start_mark), {"char": f"U+{ord(bad_char.group()):04X}", "offset": bad_char.start() + 1}))
                style = ev.style or None  # libyaml says '' for plain, ruamel None
                value = _scalar(ev.value, style)
                if value is _TOO_BIG or (isinstance(value, Decimal) and not in_range(value)):
                    problems.append(Diagnostic("load.number_range", span(ev.start_mark), {"value": _short(ev.value), "digits": MAX_MAGNITUDE}))
                    value = ev.value
                p = place(value, ev)
                if p is not None and style:
                    smap.styles[p] = style
            elif kind in ("MappingStartEvent", "SequenceStartEvent"):
                if len(stack) >= MAX_DEPTH:
                    fail("load.too_deep", ev.start_mark, limit=MAX_DEPTH)
                container: Any = {} if kind == "MappingStartEvent" else []
                if stack and isinstance(stack[-1][0], dict) and stack[-1][2] is _NO_KEY:
                    fail("load.complex_key", ev.start_mark)
                p = place(container, ev)
                stack.append([container, p, _NO_KEY, None, {}])
            elif kind in ("MappingEndEvent", "SequenceEndEvent"):
                stack.pop()
    except DiagnosticError:
        raise
    except _SyntaxProblem as e:
        where = SourceSpan(file, e.line + 1, e.column + 1) if e.line is not None else SourceSpan(file, 1, 1)
        if "nesting depth" in e.problem:  # libyaml's own cap (1000), met while scanning ahead
            problems.append(Diagnostic("load.too_deep", where, {"limit": MAX_DEPTH}))
        else:
            problems.append(Diagnostic("load.syntax", where, {"problem": yaml_problem(e.problem)}))
        raise DiagnosticError(problems) from None
    except _UnprintableCharacter as e:
        # An unprintable character in the raw text: the parser gives its offset only.
        before = text[: e.offset]
        where = SourceSpan(file, before.count("\n") + 1, e.offset - (before.rfind("\n") + 1) + 1)
        problems.append(Diagnostic("load.control_char", where, {"char": f"U+{e.character:04X}", "offset": 1}))
        raise DiagnosticError(problems) from None
    if problems:
        raise DiagnosticError(problems)
    return root, smap


def _directive_span(text: str, file: str) -> SourceSpan:
    """Where the `%YAML` directive stands."""
    for i, line in enumerate(text.splitlines()):
        if line.startswith("%YAML"):
            return SourceSpan(file, i + 1, 1)
    return SourceSpan(file, 1, 1)


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "…"


def _syntax_problem(e) -> str:
    problem = (getattr(e, "problem", None) or getattr(e, "context", None) or str(e).split("\n")[0]).strip()
    return problem[:200]


# --- the event source ------------------------------------------------------------
# Parsing is the cost of loading: ruamel's pure-Python parser reads about 100 KB
# of dense YAML a second, so a file at the size limit would take a minute.
# faster and gives the same events, marks (0-based lines, columns in
# characters) and styles; ruamel's parser remains the fallback. Only events
# are used from either: resolution, limits and refusals are ours.


class _SyntaxProblem(Exception):
    def __init__(self, line: int | None, column: int | None, problem: str):
        super().__init__(problem)
        self.line, self.column, self.problem = line, column, problem


class _UnprintableCharacter(Exception):
    def __init__(self, offset: int, character: int):
        super().__init__(offset)
        self.offset, self.character = offset, character


def _marked(e) -> _SyntaxProblem:
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    if mark is None:
        return _SyntaxProblem(None, None, _syntax_problem(e))
    return _SyntaxProblem(mark.line, mark.column, _syntax_problem(e))


def _libyaml_events(text: str):
    # libyaml's C parser; PyYAML is imported on the first file read, not at start-up
    import yaml

    try:
        yield from yaml.parse(text, Loader=yaml.CBaseLoader)
    except yaml.reader.ReaderError as e:
        # libyaml counts the offset in UTF-8 bytes; we place characters.
        offset = len(text.encode("utf-8", "surrogatepass")[: e.position].decode("utf-8", "ignore"))
        raise _UnprintableCharacter(offset, e.character if isinstance(e.character, int) else 0) from None
    except yaml.YAMLError as e:
        raise _marked(e) from None


def _ruamel_events(text: str):
    # the pure-Python fallback parser, only where libyaml is missing
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.reader import ReaderError

    try:
        for ev in YAML(typ="rt").parse(text):
            if getattr(ev, "style", None) == ">":
                # ruamel's round-trip scanner marks each fold of a `>` block with a
                # BEL character (its composer strips it; we read events directly).
                ev.value = ev.value.replace("\a", "")
            yield ev
    except ReaderError as e:
        raise _UnprintableCharacter(e.position, e.character if isinstance(e.character, int) else ord(str(e.character)[:1] or "\0")) from None
    except (YAMLError, RecursionError, ValueError) as e:
        raise _marked(e) from None


def _has_libyaml() -> bool:
    try:
        # libyaml's C parser; PyYAML is imported on the first file read, not at start-up
        import yaml
    except ImportError:
        return False
    return bool(getattr(yaml, "__with_libyaml__", False))


_events = _libyaml_events if _has_libyaml() else _ruamel_events


class _NoKey:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<no key>"


_NO_KEY = _NoKey()
_TOO_BIG = object()  # an octal or hexadecimal literal too long to convert


def loads_json_line(line: str) -> Any:
    """One JSONL record, numbers as exact Decimals (batch input)."""
    return json.loads(line, parse_float=Decimal, parse_int=Decimal)
