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

from engine.diagnostics import Diagnostic, DiagnosticError, SourceSpan
from engine.sourcemap import SourceMap

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64

_INT_OR_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUES = {"true", "True", "TRUE"}
_FALSES = {"false", "False", "FALSE"}


def decode_text(raw: bytes, file: str) -> str:
    """UTF-8 (with or without BOM), else GBK/GB18030; anything else is refused."""
    if b"\x00" in raw[:65536]:
        raise DiagnosticError([Diagnostic("load.binary", SourceSpan(file, 1, 1))])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            line = raw[: utf8_error.start].count(b"\n") + 1
            col = utf8_error.start - (raw.rfind(b"\n", 0, utf8_error.start) + 1) + 1
            raise DiagnosticError(
                [Diagnostic("load.encoding", SourceSpan(file, line, col), {"byte": utf8_error.start})]
            ) from None


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
            [Diagnostic("load.unreadable", SourceSpan(name, 1, 1), {"path": path, "reason": e.strerror or str(e)})]
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
    if style == ">":
        # ruamel's round-trip scanner marks each fold of a `>` block with a
        # BEL character (its composer strips it; we read events directly).
        return value.replace("\a", "")
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
    return value


def load_text(text: str, file: str) -> tuple[Any, SourceMap]:
    """Parse `text` strictly; raise `DiagnosticError` with every problem found.

    Structural problems (syntax, aliases, tags, depth) stop the load at the
    first one, since what follows cannot be trusted; duplicate keys are all
    collected.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    smap = SourceMap(lines={file: text.splitlines()})
    problems: list[Diagnostic] = []
    # Stack entries: [container, path, pending_key, key_span, seen_keys]
    stack: list[list] = []
    root: Any = None
    documents = 0

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
        for ev in YAML(typ="rt").parse(text):
            kind = type(ev).__name__
            if kind in ("StreamStartEvent", "StreamEndEvent", "DocumentEndEvent"):
                continue
            if kind == "DocumentStartEvent":
                documents += 1
                if documents > 1:
                    fail("load.multiple_documents", ev.start_mark)
                continue
            if kind == "AliasEvent":
                fail("load.alias", ev.start_mark, name=ev.anchor)
            if getattr(ev, "anchor", None):
                fail("load.anchor", ev.start_mark, name=ev.anchor)
            tag = getattr(ev, "tag", None)
            if tag is not None and kind != "ScalarEvent" or (kind == "ScalarEvent" and tag and not ev.implicit[0] and not ev.implicit[1]):
                fail("load.tag", ev.start_mark, tag=str(tag))
            if kind == "ScalarEvent":
                p = place(_scalar(ev.value, ev.style), ev)
                if p is not None and ev.style:
                    smap.styles[p] = ev.style
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
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = SourceSpan(file, mark.line + 1, mark.column + 1) if mark else SourceSpan(file, 1, 1)
        problems.append(Diagnostic("load.syntax", where, {"problem": _syntax_problem(e)}))
        raise DiagnosticError(problems) from None
    except (YAMLError, RecursionError, ValueError) as e:
        problems.append(Diagnostic("load.syntax", SourceSpan(file, 1, 1), {"problem": str(e).splitlines()[0][:200]}))
        raise DiagnosticError(problems) from None
    if problems:
        raise DiagnosticError(problems)
    return root, smap


def _syntax_problem(e) -> str:
    problem = (e.problem or e.context or "").strip()
    return problem[:200]


class _NoKey:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<no key>"


_NO_KEY = _NoKey()


def loads_json_line(line: str) -> Any:
    """One JSONL record, numbers as exact Decimals (batch input)."""
    return json.loads(line, parse_float=Decimal, parse_int=Decimal)
