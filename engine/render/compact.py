"""Compact results (紧凑结果): `batch --result compact` and reading it back.

A full result line (`render.jsonl.line`) repeats on every line what the
ruleset already says: each indicator's name, weight, operator, unit and
method, the ruleset's id and title, and sentences made from a code and a few
figures. A compact file says the ruleset's part once, in a header record (its
first line), and each unit's line keeps only the unit's own facts:

- the header (`header(plan, lang)`) holds the `fixed` fields of the result
  (the `ruleset` object, the stamp's engine and ruleset digest) and of every
  indicator of the plan, by id in tree order, as the full line would hold
  them; the ruleset's words (every text it holds, `words`); and the language
  the full lines' sentences were in;
- a line is the full result (`json_out.as_dict`) without those fields: an
  indicator whose fixed fields are the header's is named by its number in
  the header and keeps no fixed field but a per-unit one (`not_applicable`);
  one that differs from the header (a project's own rows, a frame whose
  weights its rows set) keeps its own, as the full line does;
- a finding's `message` becomes its `args`: each argument as the sentence
  shows it, one of the ruleset's words as its number, and the arguments
  that are the finding's own figures as shown on the forms (`stated`:
  3,921.33) left to the figures and their type (`"as": "money"`); the
  sentence is made again when the line is read, in the header's language
  or another;
- a field a reader remakes from the object's plan node (an indicator's
  target and shown texts; a deviation's name, target and shown texts) is
  left out only when remaking it gives the very same JSON: checked as the
  line is written, the way the reader will do it;
- an always-present list that is empty, a location the same as the one
  before it in the line (a JSONL record's findings all stand at the
  record) and a finding's kind or severity the same as the finding's before
  it are left out.

Everything is derived from `render.json_shape.SHAPE`: which fields are fixed,
their order, when they are present, and how a derived text is made (the
field's own reference expression, `json_out.reference_value`). So
`expand(compact line) == jsonl.line(result)`, byte for byte, for any shape
(tests/test_compact.py checks it on generated department and project units).
"""
from __future__ import annotations

import codecs
import functools
import json
import re
from decimal import Decimal
from typing import Any, Callable, Iterable, Iterator, Mapping

from engine.base import messages
from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan
from engine.base.messages import CATALOG, Said
from engine.base.numeric import round_half_up
from engine.evaluation.display import show_target, show_value
from engine.evaluation.result import Result, leaves
from engine.load.json_line import load_written_line, not_utf8
from engine.render import json_shape
from engine.render.json_out import _Context, _num, _plain, dumps, engine_name, reference_value
from engine.ruleset.plan import NUMERIC_TYPES

MARK = "jixiao-compact"  # the header's first key: what the file is
_AS = "as"  # beside a message's arguments: the value type the object's figures are shown in by the arguments of their names
VERSION = 1
_NOTHING = object()


class CompactError(ValueError):
    """A compact line or header that cannot be read back: `code` and `details`
    name the problem for the message catalogue (`compact.*`)."""

    def __init__(self, code: str, **args: Any) -> None:
        super().__init__(code)
        self.code, self.details = code, args


# --- the shape, compiled: each field's value, condition and derivation ---------

_NAMESPACE = {
    "leaves": leaves, "Decimal": Decimal, "_plain": _plain, "round_half_up": round_half_up, "show_value": show_value,
    "show_target": show_target, "messages": messages, "engine_name": engine_name,
}


@functools.lru_cache(maxsize=None)
def _fn(expr: str):
    """`expr` (over `x` and `ctx`) as a function of (x, ctx)."""
    return eval(compile(f"lambda x, ctx: ({expr})", "<json_shape: compact>", "eval"), dict(_NAMESPACE))  # noqa: S307 - our own shape, never user text


def _value_of(f: json_shape.Field):
    return _fn(reference_value(f))


def _items_of(f: json_shape.Field):
    """A list field's objects (not yet written)."""
    return _fn(f.value if isinstance(f.value, str) else f.value[0])


def _when_of(f: json_shape.Field):
    return _fn(f.when) if f.when else None


def _stored(f: json_shape.Field) -> str | None:
    """The key a derived field's own input is kept under in a compact line: a
    message keeps its arguments (`args`); the texts of figures need nothing
    beyond the object's other fields and the plan's node."""
    if f.enc == "message":
        return f.value[-1].split(".")[-1]
    return None


class _S:
    """A field of the shape, compiled once: its functions and what the
    compact form does with it (`droppable`: a reader may remake it from the
    object's plan node)."""

    __slots__ = ("key", "enc", "fixed", "when", "item", "fields", "value_fn", "when_fn", "items_fn", "stored", "args_fns", "droppable")

    def __init__(self, kind: str, f: json_shape.Field) -> None:
        self.key, self.enc, self.fixed, self.when, self.item = f.key, f.enc, f.fixed, f.when, f.item
        self.fields = tuple(_S(kind, g) for g in f.fields)
        self.value_fn = _value_of(f) if f.enc not in ("object", "list") else None
        self.when_fn = _when_of(f)
        self.items_fn = _items_of(f) if f.enc == "list" else None
        self.stored = _stored(f)
        self.args_fns = None
        if f.enc == "message":
            self.args_fns = tuple(_fn(e) for e in f.value)
        self.droppable = not (f.key == json_shape.SHAPE[kind][0].key or f.enc in ("list", "object", "location") or self.stored is not None
                              or (f.fixed and kind == "indicator"))  # an indicator's fixed fields are the header's


_SPECS: dict[str, tuple] = {}


@functools.lru_cache(maxsize=None)
def _numbers(kind: str) -> tuple:
    """The object's own figures (`enc="number"`, such as a finding's `stated`)."""
    return tuple(f for f in _specs(kind) if f.enc == "number" and not f.fixed)


def _specs(kind: str) -> tuple:
    specs = _SPECS.get(kind)
    if specs is None:
        specs = _SPECS[kind] = tuple(_S(kind, f) for f in json_shape.SHAPE[kind])
    return specs


def _check_shape() -> None:
    """The shape properties the compact form relies on (checked at import)."""
    for kind in json_shape.FULL:
        for f in json_shape.SHAPE[kind]:
            if f.enc == "object" and f.when and all(g.fixed for g in f.fields):
                raise ValueError(f"{kind}.{f.key}: an optional object of fixed fields only")
            key = _stored(f)
            if key is not None and any(g.key in (key, _AS) for g in json_shape.SHAPE[kind]):
                raise ValueError(f"{kind}.{f.key}: its inputs' key {key} (or {_AS}) is a field too")
            if f.enc == "location" and f.when:
                raise ValueError(f"{kind}.{f.key}: a location left out means the one before it, so it is always there")


_check_shape()
_ID = {kind: json_shape.SHAPE[kind][0].key for kind in json_shape.FULL}  # the first field: an indicator's id


# --- message arguments as text -------------------------------------------------



def _args_out(args: Mapping[str, Any], words: Mapping[str, Any]) -> dict:
    """A finding's arguments as a compact line keeps them: each as the
    sentence shows it (`messages.arg_text`), one of the ruleset's words as
    its number in the header, a sentence inside as [code, args]."""
    out = {}
    for k, v in args.items():
        if v.__class__ is Said:
            out[k] = [v[0], _args_out(v[1], words)]
        else:
            text = messages.arg_text(v)
            out[k] = words.get(text, text)
    return out


def _shown_as(args: Mapping[str, Any], figures: Mapping[str, Any], last: list) -> str | None:
    """The value type every figure of the object (`stated`, `computed`…) is
    shown in by the argument of the same name (`show_value`: 3,921.33 as
    money), or None: then those arguments stay as they are. `last` keeps the
    type found last (most findings of a code show their figures alike)."""
    if not figures:
        return None
    for value_type in ((last[0],) if last else ()) + NUMERIC_TYPES:
        if all(k in args and args[k].__class__ is not Said and show_value(_as_read(v), value_type) == messages.arg_text(args[k]) for k, v in figures.items()):
            last[:] = [value_type]
            return value_type
    return None


def _args_in(args: Any, words: list[str]) -> dict:
    if not isinstance(args, dict):
        raise CompactError("compact.damaged_line", what="args")
    out = {}
    for k, v in args.items():
        if isinstance(v, list) and len(v) == 2 and isinstance(v[0], str):
            out[k] = Said(v[0], _args_in(v[1], words))
        elif isinstance(v, str):
            out[k] = v
        else:
            out[k] = words[_number(v, len(words), f"args.{k}")]
    return out


def _number(value: Any, size: int, what: str) -> int:
    """A number a line gives for an entry of the header (a word, an indicator)."""
    if not isinstance(value, Decimal) or value != value.to_integral_value() or not 0 <= value < size:
        raise CompactError("compact.damaged_line", what=what)
    return int(value)


def _can_store(code: str, args: Mapping[str, Any]) -> bool:
    """Whether the sentence of (code, args) is remade from the arguments' text:
    a code outside the catalogue is written with its arguments' repr."""
    if code not in CATALOG:
        return False
    for v in args.values():
        if v.__class__ is Said and not _can_store(v[0], v[1]):
            return False
    return True


# --- the header ----------------------------------------------------------------

class _Stand:
    """An object standing for a result's part while a compact line is read
    (or a plan's node while the header is made): the attributes the shape's
    expressions read, taken from the line and the plan."""

    def __init__(self, **attrs: Any) -> None:
        self.__dict__.update(attrs)


def _fixed_of(fields, x, ctx, out: dict, path: tuple = (), strict: bool = False) -> None:
    """The fixed fields of `x` present in its full object, as (path → value).
    `strict`: a condition that cannot be decided from `x` leaves its field out."""
    for f in fields:
        when = _when_of(f)
        if when is not None:
            try:
                if not when(x, ctx):
                    continue
            except AttributeError:
                if strict:
                    continue
                raise
        if f.enc == "object":
            _fixed_of(f.fields, x, ctx, out, path + (f.key,), strict)
        elif f.fixed:
            out[path + (f.key,)] = _value_of(f)(x, ctx)


def _nested(flat: Mapping[tuple, Any]) -> dict:
    out: dict = {}
    for path, value in flat.items():
        d = out
        for k in path[:-1]:
            d = d.setdefault(k, {})
        d[path[-1]] = value
    return out


def _flat(tree: Mapping, path: tuple = ()) -> dict:
    out: dict = {}
    for k, v in tree.items():
        if isinstance(v, dict):
            out.update(_flat(v, path + (k,)))
        else:
            out[path + (k,)] = v
    return out


def _plan_nodes(plan) -> dict:
    """Each node of the plan by id; an id that two nodes share is left out."""
    nodes: dict = {}
    twice: set = set()
    stack = list(reversed(plan.roots))
    while stack:  # in the tree's order, as the lines list them
        n = stack.pop()
        if n.key in nodes:
            twice.add(n.key)
        nodes[n.key] = n
        stack.extend(reversed(n.children))
    for k in twice:
        del nodes[k]
    return nodes


def header(plan, lang: str = "zh") -> dict:
    """The header record of a compact file for `plan`: what every line shares."""
    ctx = _Context(plan.ruleset.rounding.places, lang)
    top: dict = {}
    _fixed_of(json_shape.SHAPE["result"], _Stand(plan=plan), ctx, top, strict=True)
    indicators = {}
    nodes = _plan_nodes(plan)
    for key, n in nodes.items():
        # a node with children (or a frame its rows fill) is scored as a group
        x = _Stand(node=n, children=n.children or ((n,) if n.frame is not None else ()), not_applicable=False)
        own: dict = {}
        _fixed_of(json_shape.SHAPE["indicator"], x, ctx, own, strict=True)
        own.pop((_ID["indicator"],), None)
        indicators[key] = _nested(own)
    head = {MARK: VERSION, "lang": lang}
    head.update(_nested(top))
    head["indicators"] = indicators
    head["words"] = _words(plan)
    return head


_HEAD_KEYS = (MARK, "lang", "indicators", "words")  # the header's own keys; the rest are the result's fixed fields


def _words(plan) -> list[str]:
    """The ruleset's words (every text it holds: check names, labels,
    indicator names…), in order, once each: a finding's argument that is one
    of them is kept in a line as its number here."""
    out: dict[str, None] = {}
    stack = [plan.ruleset.model_dump(mode="python")]
    while stack:
        v = stack.pop()
        if v.__class__ is str:
            if len(v) > 1 and "\n" not in v:
                out[v] = None
        elif isinstance(v, dict):
            stack.extend(reversed(list(v.values())))
        elif isinstance(v, (list, tuple)):
            stack.extend(reversed(v))
    return list(out)


class Shared:
    """A compact file's header, read for writing or expanding its lines."""

    def __init__(self, head: dict, plan) -> None:
        if not isinstance(head, dict) or head.get(MARK) != VERSION:
            raise CompactError("compact.not_compact")
        self.head, self.plan = head, plan
        self.lang = head.get("lang") if head.get("lang") in ("zh", "en") else "zh"
        rest = {k: v for k, v in head.items() if k not in _HEAD_KEYS}
        self.result = _flat(rest)
        indicators = head.get("indicators")
        if not isinstance(indicators, dict) or not all(isinstance(v, dict) for v in indicators.values()):
            raise CompactError("compact.not_compact")
        self.indicators = {k: _flat(v) for k, v in indicators.items()}
        self.keys = list(indicators)  # a line names a header's indicator by its number here
        self.index = {k: Decimal(i) for i, k in enumerate(self.keys)}  # Decimals: the writer's fast path for numbers
        words = head.get("words", [])
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise CompactError("compact.not_compact")
        self.words = words
        self.word_index = {w: Decimal(i) for i, w in enumerate(words)}
        self.nodes = _plan_nodes(plan) if plan is not None else {}
        self.present: dict = {}  # (id(node), key) → whether that field is in the node's full object
        self.remake: dict = {}  # (kind, id(node)) → `_remakable`
        self.kinds: dict = {}  # code → [the value type its findings' figures were shown in last]
        self.places = plan.ruleset.rounding.places if plan is not None else 2


def shared_for(plan, lang: str = "zh") -> Shared:
    """The header for `plan` (sentences in `lang`), ready to write lines with."""
    return Shared(header(plan, lang), plan)


def header_line(plan, lang: str = "zh") -> str:
    """The header record as one JSON line (no newline)."""
    return dumps(header(plan, lang), indent=None)


# --- writing a compact line ----------------------------------------------------

def _same(a: Any, b: Any) -> bool:
    """Equal as JSON text (a Decimal's text depends on its value only)."""
    return a.__class__ is b.__class__ and a == b


def _as_read(value: Any) -> Any:
    """`value` as a reader gets it back from its JSON text."""
    cls = value.__class__
    if cls is str or value is None or cls is bool:
        return value
    if cls is Decimal:
        return Decimal(_num(value))
    return json.loads(dumps(value, indent=None), parse_float=Decimal, parse_int=Decimal)


def line(result: Result, shared: Shared) -> str:
    """The result as one compact line (no newline)."""
    return dumps(compact_dict(result, shared), indent=None)


class _Line:
    """What writing or reading one line needs: the ruleset's places, the
    language, the last location written (a location the same as the one
    before it in the line is left out: a JSONL record's or a table row's
    findings and deviations all stand at the record) and the fixed fields of
    the finding before (its kind and severity, left out when the next is the same)."""

    __slots__ = ("places", "lang", "scores", "last", "prev")

    def __init__(self, places: int, lang: str) -> None:
        self.places, self.lang, self.scores, self.last = places, lang, None, _NOTHING
        self.prev: dict = {}  # kind → the fixed fields of the line's object of that kind before this one


def compact_dict(result: Result, shared: Shared) -> dict:
    """The result as a compact line's data."""
    ctx = _Line(result.plan.ruleset.rounding.places, shared.lang)
    return _compact("result", result, ctx, shared)


def _compact(kind: str, x, ctx, shared: Shared) -> dict:
    fixed: dict = {}
    rest: dict = {}
    specs = _specs(kind)
    _split(kind, specs, x, ctx, shared, fixed, rest, ())
    if kind == "result":
        base = shared.result
        if all(_same(fixed.get(p, _NOTHING), v) for p, v in base.items()) and len(fixed) == len(base):
            return rest
        return _merge(specs, fixed, rest)
    node = None
    own = fixed
    if kind == "indicator":
        key = fixed.get((_ID[kind],))
        base = shared.indicators.get(key) if key.__class__ is str else None
        if base is not None and all(_same(fixed.get(p, _NOTHING), v) for p, v in base.items()):
            own = {p: v for p, v in fixed.items() if p not in base}  # per-unit fixed fields (not_applicable) stay
            node = shared.nodes.get(key)
            if node is None:
                return _merge(specs, own, rest)
    elif kind in _BACKED:
        key = fixed.get((_ID[kind],))
        node = shared.nodes.get(key) if key.__class__ is str else None
    elif kind in _REPEATED:
        own = _unrepeated(kind, fixed, ctx)
    if node is not None:
        drop = _remade(kind, node, own, rest, ctx, shared)
        if drop is None:  # a reader would add a field this object lacks: all its fields stay
            return _merge(specs, fixed, rest)
        for k in drop:
            rest.pop(k, None)
            own.pop((k,), None)
        if key in shared.index:  # the header's indicator, by its number there
            own[(_ID[kind],)] = shared.index[key]
    return _merge(specs, own, rest)


# Objects that name a plan node by their id (their first field) besides the
# indicators: a deviation's name, type and unit are its indicator's.
_BACKED = ("deviation",)
# Objects whose owner is neither the header nor a plan node: a fixed field
# the same as in the object of that kind before it in the line is left out,
# except the ones a kept sentence is made from (a finding's code).
_REPEATED = tuple(k for k in json_shape.FULL if k not in ("result", "indicator", *_BACKED))


for _kind in _REPEATED:  # a field left out stands for the one before: it must always be there
    if any(f.fixed and f.when for f in json_shape.SHAPE[_kind]):
        raise ValueError(f"{_kind}: a fixed field that is not always there")


@functools.lru_cache(maxsize=None)
def _kept_always(kind: str) -> frozenset:
    """The fixed fields a message of `kind` is made from (its code): never left out."""
    read = {e for f in json_shape.SHAPE[kind] if f.enc == "message" for e in f.value}
    return frozenset(f.key for f in json_shape.SHAPE[kind] if f.fixed and f.value in read)


def _unrepeated(kind: str, fixed: dict, ctx) -> dict:
    """`fixed` without the top-level fields the object before it had alike."""
    before = ctx.prev.get(kind)
    ctx.prev[kind] = fixed
    if before is None:
        return fixed
    keep = _kept_always(kind)
    return {p: v for p, v in fixed.items() if len(p) > 1 or p[0] in keep or not _same(before.get(p, _NOTHING), v)}


class _Backed:
    """An object of a line standing on its plan node: the line's plain fields
    seen so far (`x.target`), anything else the node's (`x.name`, `x.value_type`)."""

    def __init__(self, node, attrs: Mapping[str, Any]) -> None:
        self.__dict__.update(attrs)
        self.node = node

    def __getattr__(self, name: str) -> Any:  # only for what the line does not hold
        return getattr(self.__dict__["node"], name)


def _remade(kind: str, node, own: Mapping[tuple, Any], rest: Mapping[str, Any], ctx, shared: "Shared") -> list[str] | None:
    """The keys of the fields a reader remakes exactly from `node` (and the
    fields before them), so the line leaves them out; None when a reader
    would add a field the object does not have."""
    todo = shared.remake.get((kind, id(node)))
    if todo is None:
        todo = shared.remake[(kind, id(node))] = _remakable(kind, node, shared)
    drop = []
    for entry in todo:
        f, expected, before, tried, made = entry
        value = own.get((f.key,), _NOTHING) if f.fixed else rest.get(f.key, _NOTHING)
        if value is _NOTHING:
            if expected:
                return None
            continue
        if not tried:
            continue
        attrs = {}
        for k, a in before:
            v = own[(k,)] if (k,) in own else rest.get(k, _NOTHING)
            if v is not _NOTHING:
                attrs[a] = _as_read(v)
        seen = tuple([(a, v.__class__, v) for a, v in attrs.items()])  # what the remade value depends on
        again = made.get(seen, _NOTHING)
        if again is _NOTHING:
            try:
                again = _as_read(f.value_fn(_Backed(node, attrs), ctx))
            except AttributeError:  # the node does not say it: the line keeps it, from now on without trying
                entry[3] = False
                continue
            if len(made) >= 256:
                made.clear()
            made[seen] = again
        if _same(again, _as_read(value)):
            drop.append(f.key)
    return drop


def _remakable(kind: str, node, shared: "Shared") -> list:
    """[field, whether it is in the node's full object, the (key, attribute)
    of the plain fields before it that it reads, whether to try, the values
    it was remade to (by what they depend on)] for each field a reader may remake."""
    attr_of = _attr_keys(kind)
    out = []
    specs = _specs(kind)
    fields = {f.key: f for f in json_shape.SHAPE[kind]}
    for i, f in enumerate(specs):
        if f.droppable:
            uses = _uses(fields[f.key])
            before = tuple((g.key, attr_of[g.key]) for g in specs[:i] if g.key in attr_of and (uses is None or attr_of[g.key] in uses))
            present = _present(f, node, shared)
            out.append([f, present, before, present, {}])
    return out


_WHOLE_X = re.compile(r"\bx\b(?!\.)")
_X_ATTR = re.compile(r"\bx\.(\w+)")


def _uses(f: json_shape.Field) -> set[str] | None:
    """The attributes of `x` a field's value reads; None when it hands `x` itself on."""
    expr = reference_value(f)
    if _WHOLE_X.search(expr.replace("x, ctx", "")):
        return None
    return set(_X_ATTR.findall(expr))


@functools.lru_cache(maxsize=None)
def _attr_keys(kind: str) -> dict:
    """key → attribute of `x`, for the fields that are one plain attribute (`x.target`)."""
    return {f.key: f.value[2:] for f in json_shape.SHAPE[kind]
            if isinstance(f.value, str) and f.value.startswith("x.") and f.value.count(".") == 1 and f.enc in ("plain", "value", "number")}


def _split(kind, fields, x, ctx, shared, fixed: dict, rest: dict, path: tuple) -> None:
    """`x`'s fields: fixed ones into `fixed` (by path), the others into `rest`
    as a compact line keeps them (a message as its arguments)."""
    for f in fields:
        if f.when_fn is not None and not f.when_fn(x, ctx):
            continue
        if f.enc == "object":
            sub: dict = {}
            _split(kind, f.fields, x, ctx, shared, fixed, sub, path + (f.key,))
            if sub or f.when:
                rest[f.key] = sub
        elif f.fixed:
            fixed[path + (f.key,)] = f.value_fn(x, ctx)
        elif f.enc == "list":
            items = f.items_fn(x, ctx)
            if items or f.when:  # an always-present list that is empty ([]) is left out
                rest[f.key] = [_compact(f.item, i, ctx, shared) for i in items]
        elif f.enc == "message":
            code, args = (fn(x, ctx) for fn in f.args_fns)
            if args.__class__ is messages.LazyArgs:
                args = args.made()
            if _can_store(code, args):
                figures = {g.key: g.value_fn(x, ctx) for g in _numbers(kind) if g.when_fn is None or g.when_fn(x, ctx)}
                shown = _shown_as(args, figures, shared.kinds.setdefault(code, []))
                if shown is not None:  # the arguments that are the object's figures, as they are shown
                    args = {k: v for k, v in args.items() if k not in figures}
                    rest[_AS] = shown
                rest[f.stored] = _args_out(args, shared.word_index)
            else:
                rest[f.key] = f.value_fn(x, ctx)
        elif f.enc == "location":
            value = f.value_fn(x, ctx)
            if not _same(value, ctx.last):
                rest[f.key] = ctx.last = value
        else:
            rest[f.key] = f.value_fn(x, ctx)


def _merge(fields, fixed: Mapping[tuple, Any], rest: Mapping, path: tuple = ()) -> dict:
    """An object's fields in the shape's order, from its fixed part (by path)
    and the rest (as a compact line holds it)."""
    out: dict = {}
    for f in fields:
        if f.enc == "object":
            sub = _merge(f.fields, fixed, rest.get(f.key, {}), path + (f.key,))
            if sub or f.key in rest:
                out[f.key] = sub
        elif f.fixed:
            p = path + (f.key,)
            if p in fixed:
                out[f.key] = fixed[p]
        else:
            if f.key in rest:
                out[f.key] = rest[f.key]
            key = f.stored
            if key is not None and key in rest:
                out[key] = rest[key]
                if _AS in rest:
                    out[_AS] = rest[_AS]
    return out


# --- reading a compact line back ------------------------------------------------

def loads(text: str, file: str = "<line>", number: int = 1) -> Any:
    """A line's JSON with every number as an exact Decimal. Raises
    `ValueError` for a line that is not JSON, `DiagnosticError` for one
    nested too deep or holding `NaN`/`Infinity` (`load_written_line`: as the
    JSONL reader refuses them, at their line and column)."""
    return load_written_line(text, file, number)


def expand(text: str, shared: Shared, lang: str | None = None) -> str:
    """A compact line back as the full line (`jsonl.line` of the same result,
    byte for byte when `lang` is the header's). Raises `CompactError`."""
    return dumps(expand_dict(text, shared, lang), indent=None)


def expand_dict(text: str | dict, shared: Shared, lang: str | None = None) -> dict:
    """A compact line back as the full result's data (`json_out.as_dict`)."""
    try:
        data = loads(text) if isinstance(text, str) else text
    except ValueError as e:
        raise CompactError("compact.damaged_line", what=str(e)) from None
    if not isinstance(data, dict):
        raise CompactError("compact.damaged_line", what="{…}")
    if MARK in data:
        raise CompactError("compact.header_again")
    ctx = _Line(shared.places, lang or shared.lang)
    try:
        return _expand("result", data, ctx, shared)
    except CompactError:
        raise
    except (AttributeError, TypeError, KeyError, ValueError, ArithmeticError) as e:
        raise CompactError("compact.damaged_line", what=f"{type(e).__name__}: {e}"[:200]) from None


def _expand(kind: str, data: Any, ctx, shared: Shared) -> dict:
    if not isinstance(data, dict):
        raise CompactError("compact.damaged_line", what=kind)
    fields = _specs(kind)
    if kind == "indicator" or kind in _BACKED:
        key = data.get(_ID[kind])
        if isinstance(key, Decimal):  # the header's indicator, by its number there
            data = {**data, _ID[kind]: shared.keys[_number(key, len(shared.keys), _ID[kind])]}
    own = _flat_fixed(fields, data)
    node = None
    if kind == "result":
        fixed = own if own else shared.result
    elif kind == "indicator":
        key = data.get(_ID[kind])
        base = shared.indicators.get(key) if isinstance(key, str) else None
        if base is not None and not any(p in own for p in base):
            fixed = {**base, **own}
            node = shared.nodes.get(key)
        else:
            fixed = own
    elif kind in _REPEATED:
        before = ctx.prev.get(kind, {})
        fixed = {**{p: v for p, v in before.items() if len(p) == 1}, **own}
        ctx.prev[kind] = fixed
    else:
        fixed = own
        if kind in _BACKED and isinstance(data.get(_ID[kind]), str):
            node = shared.nodes.get(data[_ID[kind]])
    return _build(kind, fields, data, fixed, ctx, shared, node, ())


def _flat_fixed(fields, data: Mapping, path: tuple = ()) -> dict:
    out: dict = {}
    for f in fields:
        if f.enc == "object":
            sub = data.get(f.key)
            if isinstance(sub, dict):
                out.update(_flat_fixed(f.fields, sub, path + (f.key,)))
        elif f.fixed and f.key in data:
            out[path + (f.key,)] = data[f.key]
    return out


def _build(kind, fields, data: Mapping, fixed: Mapping, ctx, shared, node, path: tuple, full: dict | None = None) -> dict:
    out: dict = {}
    top = full if full is not None else out
    for f in fields:
        if f.enc == "object":
            sub_data = data.get(f.key, {})
            if f.when and f.key not in data:
                continue
            out[f.key] = _build(kind, f.fields, sub_data if isinstance(sub_data, dict) else {}, fixed, ctx, shared, node, path + (f.key,), top)
        elif f.fixed and path + (f.key,) in fixed:
            out[f.key] = fixed[path + (f.key,)]
        elif f.enc == "list":
            if f.key in data or not f.when:
                items = data.get(f.key, [])
                if not isinstance(items, list):
                    raise CompactError("compact.damaged_line", what=f.key)
                out[f.key] = [_expand(f.item, i, ctx, shared) for i in items]
        elif f.enc == "location":
            if f.key in data:
                ctx.last = data[f.key]
            elif ctx.last is _NOTHING:
                raise CompactError("compact.damaged_line", what=f.key)
            out[f.key] = ctx.last
        elif not f.fixed and f.key in data:
            if f.enc == "subject" and not isinstance(data[f.key], dict):  # a unit's subject is always an object (its name…)
                raise CompactError("compact.damaged_line", what=f.key)
            out[f.key] = data[f.key]
        elif f.stored is not None:
            if f.stored in data:
                args = _args_in(data[f.stored], shared.words)
                shown = data.get(_AS)
                if shown is not None:
                    if shown not in NUMERIC_TYPES:
                        raise CompactError("compact.damaged_line", what=_AS)
                    for g in _numbers(kind):
                        if g.key in data:
                            if not isinstance(data[g.key], Decimal):
                                raise CompactError("compact.damaged_line", what=g.key)
                            args[g.key] = show_value(data[g.key], shown)
                out[f.key] = messages.format_message(top.get("code"), args, ctx.lang)
        elif node is not None and f.droppable and _present(f, node, shared):
            attrs = {a: top[k] for k, a in _attr_keys(kind).items() if k in top}
            try:
                out[f.key] = f.value_fn(_Backed(node, attrs), ctx)
            except AttributeError:
                raise CompactError("compact.damaged_line", what=f.key) from None
    return out


def _present(f, node, shared: "Shared") -> bool:
    """Whether a field a reader may remake is in the full object: its
    condition, decided from the node (`not x.children`: a leaf)."""
    if not f.when:
        return True
    key = (id(node), f.key)
    known = shared.present.get(key)
    if known is None:
        x = _Stand(node=node, children=node.children or ((node,) if node.frame is not None else ()), not_applicable=False)
        try:
            known = bool(f.when_fn(x, None))
        except AttributeError:
            known = False
        shared.present[key] = known
    return known


def read_header(text: str, plan, head: Any = _NOTHING) -> Shared:
    """A compact file's first line, checked against `plan` (its ruleset digest);
    `head`, its data when already read. Raises `CompactError`, or
    `DiagnosticError` for JSON beyond the bounds (`loads`)."""
    if head is _NOTHING:
        try:
            head = loads(text)
        except ValueError:
            raise CompactError("compact.not_compact") from None
    shared = Shared(head, plan)
    if plan is not None:
        digest = shared.result.get(("stamp", "ruleset_digest"))
        if digest != plan.digest:
            raise CompactError("compact.wrong_ruleset", expected=str(digest), given=plan.digest, ruleset=plan.file)
    return shared


# --- a compact file read back (show-result) -------------------------------------

def _figure(value: Any) -> str:
    if isinstance(value, Decimal):
        return _num(value)
    return "" if value is None else str(value)


def text_of(full: Mapping, lang: str = "zh", where: str | None = None) -> str:
    """A unit's result (the full line's data) as a few readable lines: name,
    total and grade, each finding with its place, each deviation."""
    say = messages.format_message
    subject = full.get("subject") or {}
    name = subject.get("name") or next((v for v in subject.values() if isinstance(v, str)), "")
    out = [say("compact.text_unit", {"where": where or "", "name": name, "total": _figure(full.get("total")), "grade": _figure(full.get("grade"))}, lang)]
    findings = full.get("findings") or []
    if findings:
        out.append(say("compact.text_findings", {"count": str(len(findings))}, lang))
        out += [say("compact.text_finding", {"location": f.get("location") or "", "message": f.get("message", "")}, lang) for f in findings]
    deviations = full.get("deviations") or []
    if deviations:
        out.append(say("compact.text_deviations", {"count": str(len(deviations))}, lang))
        out += [say("compact.text_deviation", {"name": d.get("name", ""), "kind": d.get("kind", ""), "target": d.get("target_text", ""),
                                              "actual": d.get("actual_text", ""), "explanation": d.get("explanation") or ""}, lang) for d in deviations]
    return "\n".join(out)


def _texts(lines: Iterable[bytes], file: str) -> Iterator[tuple[int, str | Diagnostic]]:
    """(number, text without its line end) of each line of a UTF-8 file read
    in binary, or a located `Diagnostic` for a line that is not UTF-8 (that
    line alone: the JSONL reader's `not_utf8`); a BOM before the first line
    is passed over, as every reader of the engine does."""
    for number, data in enumerate(lines, start=1):
        data = data.rstrip(b"\r\n")
        if number == 1 and data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8):]
        try:
            yield number, data.decode("utf-8")
        except UnicodeDecodeError as e:
            yield number, not_utf8(data, e, file, number)


def read_lines(lines: Iterable[bytes], file: str, plan_of: Callable[[dict], Any], fmt: str = "full", lang: str = "zh") -> Iterator[Any]:
    """A compact file's lines (as read in binary) read back: yields each unit
    as its full line (`fmt="full"`, in the header's language, byte for byte as
    `batch --result full` wrote it) or as readable text (`fmt="text"`, in
    `lang`), and a located `Diagnostic` for each line that cannot be read
    (then goes on with the next). `plan_of(header)` gives the ruleset's plan
    for the header (it may raise `DiagnosticError`); a header that does not
    match it stops the reading with one diagnostic."""
    it = _texts(lines, file)
    _, first = next(it, (1, None))
    at = SourceSpan(file, 1, 1)
    if first is None:
        yield Diagnostic("compact.not_compact", at)
        return
    if first.__class__ is Diagnostic:  # no header to read the lines by
        yield first
        return
    try:
        head = loads(first, file)
        if not isinstance(head, dict) or head.get(MARK) != VERSION:
            raise CompactError("compact.not_compact")
        plan = plan_of(head)
        shared = read_header(first, plan, head)
    except ValueError as e:  # not JSON at all, or a CompactError
        yield Diagnostic(getattr(e, "code", "compact.not_compact"), at, getattr(e, "details", {}))
        return
    except DiagnosticError as e:  # JSON beyond the bounds (too deep, NaN): no header to read lines by
        yield from e.diagnostics
        return
    count = 0
    for number, text in it:
        if text.__class__ is Diagnostic:
            yield text
            continue
        if not text.strip():
            continue
        try:
            data = loads(text, file, number)
        except ValueError as e:
            col = getattr(e, "colno", 1)
            yield Diagnostic("compact.damaged_line", SourceSpan(file, number, col), {"what": getattr(e, "msg", str(e))})
            continue
        except DiagnosticError as e:
            yield from e.diagnostics
            continue
        try:
            if fmt == "text":
                yield text_of(expand_dict(data, shared, lang), lang, f"{file}:{number}")
            else:
                yield expand(data, shared)
        except CompactError as e:
            yield Diagnostic(e.code, SourceSpan(file, number, 1), e.details)
            continue
        count += 1
    if fmt == "text":
        yield messages.format_message("compact.text_count", {"count": str(count)}, lang)
