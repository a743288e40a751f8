"""One JSON Lines record (JSONL batch input), held to the bounds YAML has.

A record is read by the standard `json` module (fast, in C), numbers as exact
`Decimal`s, and then held to what `yaml_loader.load_text` enforces on a data
file: no `NaN`/`Infinity`, every number within `numeric.in_range`, no
duplicate keys, no control characters or lone surrogates in any text (keys
included), nesting at most `MAX_DEPTH` levels, at most `MAX_NODES` values and
`MAX_BYTES` characters. Every refusal is a located `Diagnostic` (the record's
line, and the column of the value or key, found by `json_positions`).

Most records break no bound, and checking every value would cost a batch a
tenth of its time: a cheap look (numbers by their text as they are parsed;
a repeated key by counting the keys kept against the colons (`_no_repeats`);
raw controls and escapes by a search of the line; the depth by following the
containers level by level in C (`_too_deep`); for a line long enough, the
counts of brackets and commas, which bound the number of values) decides
whether the values need the full walk. The look can only err towards walking
(tests/test_json_line_look.py holds it to the definition).
"""
from __future__ import annotations

import gc
import json
import re
import sys
from collections.abc import Iterator, Mapping
from json.decoder import JSONDecoder, scanstring
from json.scanner import make_scanner
from decimal import Decimal
from typing import Any

from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan
from engine.base.messages import json_problem
from engine.base.numeric import MAX_MAGNITUDE, MAX_NUMBER_TEXT, in_range, show_number
from engine.base.sourcemap import SourceMap
from engine.load.yaml_loader import CONTROL, MAX_BYTES, MAX_DEPTH, MAX_NODES

# What may hide a text out of bounds: a C1 control or DEL written as is, or (in
# a line with a backslash) an escape for a control character (`\b`, `\f`,
# `\r`, `\u001b`, `\u0085`) or a surrogate (`\ud800`). Text such as `\\r` only
# costs a walk. (A number out of bounds is seen by its text as it is parsed:
# `_numbers`.) Searched apart: one alternation over a line of Chinese text costs
# ten times a character class (~270 µs against ~30 µs for 8,000 characters).
_RAW_CONTROL = re.compile(r"[\x7f-\x9f]")
# The same in UTF-8 (U+0080–U+009F are C2 80–C2 9F; C2 is never a continuation
# byte): searched on the encoded line when it holds a C2 at all, which any
# Latin-1 sign gives (`·` C2 B7, `±`, `°`). A search led by one literal byte
# costs a quarter of the character class over the decoded line (~80 k
# instructions against ~350 k for a 16 KB line).
_RAW_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_ESCAPES = re.compile(r"\\[bfr]|\\u(?:00[01]|00[89]|007[fF]|[dD][89a-fA-F])")
# A number beyond `in_range` has more than 30 characters (31 digits before or
# after the point) or an exponent.
_PLAIN_NUMBER_TEXT = 30


class _Constant:
    """`NaN`, `Infinity`, `-Infinity` or a number beyond Decimal as read
    (refused after the parse)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


class _Duplicates(dict):
    """A JSON object that gave a key twice: the first value is kept (as YAML
    keeps it) and the repeated keys are listed."""

    __slots__ = ("repeated",)


def _float(text: str) -> Decimal | _Constant:
    """A JSON number with a fraction or exponent, exactly; one whose exponent
    not even Decimal can hold (`1e99999999999999999999999`) is kept as text,
    to be refused with the others."""
    try:
        return Decimal(text)
    except ArithmeticError:
        return _Constant(text[:40])


def _numbers(odd: list):
    """The `parse_float`/`parse_int`/`parse_constant` hooks of one record:
    each number as an exact Decimal, the text of any that may lie out of
    bounds (and of every constant) noted in `odd`."""

    def number(text: str) -> Decimal | _Constant:
        if len(text) > _PLAIN_NUMBER_TEXT or "e" in text or "E" in text:
            odd.append(text)
            return _float(text)
        return Decimal(text)

    def constant(text: str) -> _Constant:
        odd.append(text)
        return _Constant(text)

    return number, constant


def _object(pairs: list) -> dict:
    d = dict(pairs)
    if len(d) == len(pairs):
        return d
    raise _Repeated


class _Repeated(Exception):
    """A key given twice somewhere in the record: read it again, keeping them."""


def _object_keeping_repeats(pairs: list) -> dict:
    d = dict(pairs)
    if len(d) == len(pairs):
        return d
    out = _Duplicates()
    out.repeated = []
    for k, v in pairs:
        if k in out:
            out.repeated.append(k)
        else:
            out[k] = v
    return out


def load_json_line(text: str, file: str, number: int, utf8: bytes | None = None) -> tuple[Any, SourceMap]:
    """The record on line `number` of `file`, and where it is; raises
    `DiagnosticError` with every bound it breaks. `utf8`, the line already
    encoded (a batch hashes it), makes the look for raw controls a byte
    search: U+007F is byte 7F, U+0080–U+009F are C2 80–C2 9F."""
    line_start = SourceSpan(file, number, 1)
    if len(text) > MAX_BYTES:
        raise DiagnosticError([Diagnostic("load.too_large", line_start, {"limit_mb": MAX_BYTES // (1024 * 1024)})])
    repeated = False
    odd: list[str] = []
    parse_number, parse_constant = _numbers(odd)
    dicts: list[dict] = []
    try:
        # json builds each object itself (no list of pairs, ~0.1 M instructions
        # less for a unit than `object_pairs_hook`) and hands it to `keep`;
        # a key given twice is then seen by counting (`_no_repeats`).
        keep = dicts.append
        raw = json.loads(text, parse_float=parse_number, parse_int=parse_number, parse_constant=parse_constant, object_hook=lambda d: keep(d) or d)
        if not _no_repeats(text, dicts):  # perhaps a repeated key: read again, pair by pair
            try:
                raw = json.loads(text, parse_float=parse_number, parse_int=parse_number, parse_constant=parse_constant, object_pairs_hook=_object)
            except _Repeated:  # rare: read again, listing the repeated keys
                repeated = True
                raw = json.loads(text, parse_float=_float, parse_int=Decimal, parse_constant=_Constant, object_pairs_hook=_object_keeping_repeats)
    except RecursionError:  # nesting far beyond MAX_DEPTH: json's own recursion gave up
        raise DiagnosticError([Diagnostic("load.too_deep", line_start, {"limit": MAX_DEPTH})]) from None
    except ValueError as e:
        col = getattr(e, "colno", 1)
        raise DiagnosticError([Diagnostic("batch.bad_json", SourceSpan(file, number, col), {"problem": json_problem(getattr(e, "msg", str(e))[:200])})]) from None
    smap = SourceMap(values={(): line_start}, whole=line_start)
    # Brackets and commas are counted only for a line long enough to hold
    # MAX_NODES values: two counts over a 16 KB line of Chinese text cost
    # more than walking its few hundred containers for their depth.
    brackets = text.count("{") + text.count("[") if len(text) >= MAX_NODES else None
    if utf8 is not None:
        raw_control = b"\x7f" in utf8 or (b"\xc2" in utf8 and _RAW_C1_UTF8.search(utf8) is not None)
    else:
        raw_control = _RAW_CONTROL.search(text) is not None
    # Values ≤ 1 + commas + containers (a container of k values holds k − 1
    # commas; commas inside strings only raise the bound), and ≤ characters.
    if (repeated or odd or raw_control or (brackets is not None and brackets + text.count(",") >= MAX_NODES)
            or ("\\" in text and _ESCAPES.search(text) is not None) or ((brackets is None or brackets > MAX_DEPTH) and _too_deep(raw))):
        problems = _check(raw, text.count("{") + text.count("[") if brackets is None else brackets)
        if problems:
            raise DiagnosticError(_located(problems, text, file, number))
    return raw, smap


# How far from 1 a number the engine wrote may lie: data within `in_range`,
# and what is computed from it (a ratio to 34 places), stay well inside.
_WRITTEN_MAGNITUDE = 2 * MAX_MAGNITUDE


def load_written_line(text: str, file: str, number: int) -> Any:
    """One line of JSON the engine wrote itself (a compact result file read
    back), every number an exact Decimal, held to the bounds no result line
    breaks and refused as `load_json_line` refuses them (a `DiagnosticError`
    at the value's line and column): nesting at most `MAX_DEPTH` levels, no
    `NaN` or `Infinity` (a reader would write them out, and they are not JSON),
    no number beyond `_WRITTEN_MAGNITUDE` places from the point.
    What bounds a data file's values alone is not asked: a result may hold a
    ratio to 34 places (an `actual` its ruleset does not round), beyond
    `in_range`. A line that is not JSON raises json's `JSONDecodeError` (a
    `ValueError` with its column) for the caller to word."""
    odd: list[str] = []

    def number_of(text: str) -> Decimal | _Constant:
        value = _float(text)
        # an exponent no result has (`1e99999999`) would be written out as 10⁸ digits
        if value.__class__ is _Constant or not -_WRITTEN_MAGNITUDE <= value.adjusted() <= _WRITTEN_MAGNITUDE:
            odd.append(text)
            return _Constant(text[:40])
        return value

    constant = _numbers(odd)[1]
    try:
        raw = json.loads(text, parse_float=number_of, parse_int=Decimal, parse_constant=constant)
    except RecursionError:  # nesting far beyond MAX_DEPTH: json's own recursion gave up
        raise DiagnosticError([Diagnostic("load.too_deep", SourceSpan(file, number, 1), {"limit": MAX_DEPTH})]) from None
    if odd or _too_deep(raw):
        problems = _check(raw, 0, data=False)
        if problems:
            raise DiagnosticError(_located(problems, text, file, number))
    return raw


def not_utf8(data: bytes, error: UnicodeDecodeError, file: str, number: int) -> Diagnostic:
    """Line `number` of a UTF-8 file (its bytes, `data`) that is not UTF-8
    from `error.start` on, at the character it breaks at: a line pasted from
    a GBK file is refused on its own, the other lines still read."""
    col = len(data[:error.start].decode("utf-8", "replace")) + 1
    return Diagnostic("batch.line_not_utf8", SourceSpan(file, number, col))


# Whitespace json allows between a key and its colon, after the key's quote.
_LOOSE_KEY = re.compile(r'"[ \t\n\r]')


def _no_repeats(text: str, dicts: list[dict]) -> bool:
    """Whether the record's objects (`dicts`, every one json made) kept
    every key written, so no key was given twice (json keeps the last value
    of a repeated key, silently). Each key is followed by one colon, and colons
    elsewhere stand only inside texts: the keys written are at most the
    colons of the line, and the keys kept at most the keys written, so kept
    = colons proves it. A line whose texts hold colons (`12:30`) is tried again
    by `":` (a key's closing quote and its colon, when no quote is followed by
    whitespace; inside a text only an escaped `\\"` or a text's opening quote
    can stand before a colon): again kept = that count proves it. Otherwise
    the record is read again pair by pair (`_object`)."""
    kept = sum(map(len, dicts))
    if kept == text.count(":"):
        return True
    return kept == text.count('":') and _LOOSE_KEY.search(text) is None


_CONTAINERS = (dict, list)


def _too_deep(raw: Any) -> bool:
    """Whether containers may nest beyond `MAX_DEPTH` (what `_check` refuses),
    followed level by level in C: `gc.get_referents` of the containers of one
    level is every value one level below (a dict's values, a list's items),
    and texts, numbers, True/False/None have no referents, so the levels run
    out below the deepest container without a Python step per value (a unit's
    ~270 values, 9 levels: ~40 k instructions, the walk in Python ~210 k).

    True also when the 65th level holds only texts or numbers below a 64th
    level of containers (the walk then decides, at the bound). Exact for the
    dicts and lists `json` makes on CPython, whose traversal visits every
    value of a dict or list (`_Constant` and `_Duplicates`, which would lead it
    into their class, never get here: a record holding one is walked anyway);
    elsewhere the walk in Python (`_too_deep_walk`)."""
    level = [raw]
    for _ in range(MAX_DEPTH):
        level = gc.get_referents(*level)
        if not level:
            return False
    return True


def _too_deep_walk(raw: Any) -> bool:
    """`_too_deep` in Python: level by level over the containers alone (the
    reference the C version is tested against)."""
    level = [raw] if raw.__class__ in _CONTAINERS else []
    for _ in range(MAX_DEPTH):
        below = []
        for c in level:
            for v in (c.values() if c.__class__ is dict else c):
                if v.__class__ in _CONTAINERS:
                    below.append(v)
        if not below:
            return False
        level = below
    return True


if sys.implementation.name != "cpython":  # get_referents's reach is CPython's
    _too_deep = _too_deep_walk  # noqa: F811


def _check(raw: Any, brackets: int, data: bool = True) -> list[tuple[tuple, bool, str, dict]]:
    """Every bound broken, as (path, at the key?, code, args); stops at the
    first over-deep value (what lies below it is not looked at). Without
    `data` (JSON the engine wrote: `load_written_line`), only the depth and
    the constants (`NaN`, `Infinity`, an exponent beyond Decimal) are bounds."""
    problems: list[tuple[tuple, bool, str, dict]] = []
    if brackets > MAX_NODES:
        return [((), False, "load.too_many_nodes", {"limit": MAX_NODES})]
    stack: list[tuple[Any, tuple]] = [(raw, ())]
    nodes = 0
    while stack:
        value, path = stack.pop()
        nodes += 1
        if nodes > MAX_NODES and data:
            return [*problems, (path, False, "load.too_many_nodes", {"limit": MAX_NODES})]
        cls = value.__class__
        if cls is str:
            if data:
                _text(value, path, False, problems)
        elif cls is Decimal:
            if data and not in_range(value):
                problems.append((path, False, "load.number_range", {"value": show_number(value), "digits": MAX_MAGNITUDE}))
        elif cls is _Constant:
            problems.append((path, False, "load.number_range", {"value": value.text, "digits": MAX_MAGNITUDE}))
        elif cls is dict or cls is _Duplicates or cls is list:
            if len(path) >= MAX_DEPTH:
                problems.append((path, False, "load.too_deep", {"limit": MAX_DEPTH}))
                continue
            if cls is list:
                stack.extend((v, path + (i,)) for i, v in reversed(list(enumerate(value))))
                continue
            if cls is _Duplicates:
                for k in value.repeated:
                    problems.append((path + (k,), True, "load.duplicate_key", {"key": _short(k), "first": None}))
            for k in reversed(list(value)):
                if data:
                    _text(k, path + (k,), True, problems)
                stack.append((value[k], path + (k,)))
    return problems


def _text(value: str, path: tuple, key: bool, problems: list) -> None:
    bad = CONTROL.search(value)
    if bad is not None:
        problems.append((path, key, "load.control_char", {"char": f"U+{ord(bad.group()):04X}", "offset": bad.start() + 1}))


def _short(text: str) -> str:
    text = CONTROL.sub("?", text[:41])
    return text if len(text) <= 40 else text[:37] + "…"


def _located(problems: list, text: str, file: str, number: int) -> list[Diagnostic]:
    try:
        values, keys = json_positions(text)
    except (ValueError, IndexError, RecursionError):
        values, keys = {}, {}
    out = []
    for path, at_key, code, args in problems:
        col = (keys.get(path) if at_key else None) or values.get(path) or 1
        if code == "load.duplicate_key":  # json_positions keeps where the key was written last: the repeat
            args = {**args, "first": number}
        out.append(Diagnostic(code, SourceSpan(file, number, col), args))
    return sorted(out, key=lambda d: (d.span.col, d.code))


# A value, key or bracket of a line of JSON (one `json` has read): a text
# (escapes inside), a bracket, or a run of anything else (a number, true,
# false, null, NaN, -Infinity). The search passes over whitespace, colons and
# commas, which say nothing a walk does not know: after a value in an object a
# key follows, in a list the next item.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]]|[^ \t\n\r:,{}\[\]"]+')


def json_positions(text: str) -> tuple[dict, dict]:
    """1-based character columns of every value and key in one line of JSON
    (one `json` has read), by path (the shape `SourceMap` uses); a key given
    twice keeps where it was written last. Tokens found in C (`finditer`), a
    Python step per value, key and bracket: ~520 for a realistic unit, ~3 M
    instructions (a walk with a call per token costs the same), which is
    why a bad record's places are found one by one (`json_column`)."""
    values: dict[tuple, int] = {}
    keys: dict[tuple, int] = {}
    stack: list[list] = []  # open containers: [path, is an object, index of the current item]
    path: tuple = ()  # the path of the next value
    key_next = False
    for m in _TOKEN.finditer(text):
        i = m.start()
        ch = text[i]
        if key_next and ch == '"':
            token = m.group()
            path = stack[-1][0] + ((scanstring(text, i + 1)[0] if "\\" in token else token[1:-1]),)
            keys[path] = i + 1
            key_next = False
            continue
        if ch == "{" or ch == "[":
            values[path] = i + 1
            if ch == "{":
                stack.append([path, True, 0])
                key_next = True
            else:
                stack.append([path, False, 0])
                path = path + (0,)
            continue
        if ch == "}" or ch == "]":
            stack.pop()
        else:
            values[path] = i + 1
        if stack:  # a value has ended: a key follows in an object, the next item in a list
            top = stack[-1]
            key_next = top[1]
            if not key_next:
                top[2] += 1
                path = top[0] + (top[2],)
    return values, keys


_WS = re.compile(r"[ \t\n\r]*")
# Passes over one value (its end is what counts; numbers are kept as their text).
_SCAN_ONCE = make_scanner(JSONDecoder(parse_float=str, parse_int=str, parse_constant=str))


def json_column(text: str, path: tuple, key: bool = False) -> int | None:
    """The 1-based column of the value at `path` (of its key, with `key`) in
    one line of JSON (one `json` has read), as `json_positions` gives it, or
    None when there is none. Only the containers on the path are walked, a
    Python step per member; every other value is passed over by `json`'s own
    scanner, in C."""
    ws = _WS.match
    i = ws(text, 0).end()
    key_at = None
    for step in path:
        ch = text[i:i + 1]
        if ch == "{" and step.__class__ is str:
            j = ws(text, i + 1).end()
            found = None
            while text[j] == '"':  # each member: its key, colon, value and comma
                name, after = scanstring(text, j + 1)
                value_at = ws(text, ws(text, after).end() + 1).end()
                if name == step:  # (a key given twice: where it was written last)
                    found = (j, value_at)
                j = ws(text, _SCAN_ONCE(text, value_at)[1]).end()
                if text[j] == ",":
                    j = ws(text, j + 1).end()
            if found is None:
                return None
            key_at, i = found
        elif ch == "[" and step.__class__ is int and step >= 0:
            j = ws(text, i + 1).end()
            for _ in range(step):  # the items before it
                if text[j] == "]":
                    return None
                j = ws(text, _SCAN_ONCE(text, j)[1]).end()
                if text[j] == ",":
                    j = ws(text, j + 1).end()
            if text[j] == "]":
                return None
            key_at, i = None, j
        else:
            return None
    if key:
        return None if key_at is None else key_at + 1
    return i + 1


class LineColumns(Mapping):
    """Path → `SourceSpan` of the values (or, with `keys`, the keys) of one
    JSONL record, each found when it is asked for (`json_column`): a bad
    record's problems ask for a few of its ~500 places, which `json_positions`
    would find all at once for ~3 M instructions, and a span made costs ~6 K
    (a frozen dataclass sets each field by a call)."""

    __slots__ = ("text", "file", "line", "of_keys", "_every")

    def __init__(self, text: str, file: str, line: int, keys: bool = False) -> None:
        self.text, self.file, self.line, self.of_keys = text, file, line, keys
        self._every: dict | None = None

    def get(self, path: Any, default: SourceSpan | None = None) -> SourceSpan | None:
        try:
            col = json_column(self.text, path, self.of_keys) if path.__class__ is tuple else None
        except (IndexError, StopIteration, ValueError):  # not a line json read: no place (the map then tries the path's parent)
            col = None
        return default if col is None else SourceSpan(self.file, self.line, col)

    def __getitem__(self, path: Any) -> SourceSpan:
        span = self.get(path)
        if span is None:
            raise KeyError(path)
        return span

    def __contains__(self, path: object) -> bool:
        return self.get(path) is not None

    def _columns(self) -> dict:
        if self._every is None:
            self._every = json_positions(self.text)[1 if self.of_keys else 0]
        return self._every

    def __iter__(self) -> Iterator[tuple]:
        return iter(self._columns())

    def __len__(self) -> int:
        return len(self._columns())


def loads_json_line(line: str) -> Any:
    """One JSONL record's data alone (tests and benchmarks): `load_json_line`
    without a file name or line number."""
    return load_json_line(line, "<line>", 1)[0]
