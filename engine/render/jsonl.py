"""One result per line (JSON Lines) for batch output.

`line(result, lang)` is, byte for byte, `json_out.dumps(json_out.as_dict(result,
lang), indent=None)`: the JSON contract of `evaluate --format json` on one line.
A batch writes tens of thousands of these, so the line is written straight from
the result by writers generated from the same shape as `as_dict`
(`render.json_shape.SHAPE`):

- the fields the shape marks `fixed` (what the ruleset says: an indicator's id,
  name, weight, operator, unit and method; a finding's kind, severity and code;
  the `ruleset` and `stamp` parts) are turned into text once per owner (the
  plan node, the finding code, the ruleset) and kept, adjacent ones joined;
- the rest is written per unit by the encoders below, each of which gives
  `dumps(value, indent=None)` of the value `as_dict` holds. A figure's JSON
  number and shown text (`0.9359`, `"93.59%"`) and a score's rounded number
  depend only on the value (with its type and unit): kept by `str(value)`,
  which names the value exactly (-0 apart from 0) and costs far less than
  hashing a new Decimal; messages come quoted from `messages.format_message_json`;
- fields next to each other that share a `same` object (a node's target and
  its text) are kept as one text with the fixed texts around them, while the
  object is the very same; fields that share a `by` value (a leaf's actual and
  its shown text) as one text per owner and text of that Decimal;
- each writer reads the fields of its NamedTuple (`IndicatorResult`, `Finding`,
  `Deviation`) by unpacking it (any other object by name), and writes an object
  with one f-string per combination of its conditional fields;
- a value no fast path expects (a TypeError) sends the whole line through the
  reference path.

Identity keys hold their object (so an id is never reused under them) and
every cache is cleared when it grows past `_LIMIT` entries. tests/test_jsonl_fast.py
compares the line with the previous encoder on varied, shipped, project-batch
and hostile results; tests/test_json_shape.py checks each encoder against
`dumps` and that every field of the shape reaches both writers.
"""
from __future__ import annotations

import functools
import re
from decimal import Decimal
from json.encoder import encode_basestring as _quote  # what json.dumps uses for text with ensure_ascii=False
from typing import Any, Callable, NamedTuple

from engine.base import messages
from engine.base.memo import stored
from engine.base.messages import format_message_json
from engine.base.numeric import ZERO, round_half_up
from engine.evaluation.result import Deviation, Finding, IndicatorResult, Result, leaves
from engine.render import json_shape
from engine.evaluation.display import show_target, show_value
from engine.render.json_out import _Context, _num, _plain, as_dict, dumps, engine_name, reference_value, scores_dict

_LIMIT = 4096  # entries per cache before it is cleared: a few MB in all
_KINDS = 64  # (value type, unit) pairs with shown figures kept
_SCORES: dict[int, dict[str, str]] = {}  # places → str(score) → JSON text of the rounded score
_RATIOS: dict[str, str] = {}  # str(deviation ratio) → JSON text rounded to 4 places
_SHOWN: dict[tuple, dict[str, str]] = {}  # (value_type, unit) → str(value) → JSON text of show_value
_TARGETS: dict[tuple, str] = {}  # (value_type, unit, operator, str(target)) → JSON text of show_target
_OWNED: dict[str, dict] = {kind: {} for kind in json_shape.SHAPE}  # kind → owner key → kept texts


def line(result: Result, lang: str = "zh") -> str:
    """The result as one line of JSON (no newline)."""
    try:
        return _line(result, lang)
    except TypeError:  # a value of a kind no fast path expects: the general writer
        return dumps(as_dict(result, lang), indent=None)


def _line(result: Result, lang: str) -> str:
    places = result.plan.ruleset.rounding.places
    scores = _SCORES.get(places)
    if scores is None:
        scores = _SCORES[places] = {}
    return _line_writers()["result"](result, _Context(places, lang, scores))


def scores_line(result: Result) -> str:
    """`batch --result scores` as one line: `dumps(json_out.scores_dict(result), indent=None)`."""
    try:
        places = result.plan.ruleset.rounding.places
        scores = _SCORES.get(places)
        if scores is None:
            scores = _SCORES[places] = {}
        return _line_writers()["scores"](result, _Context(places, "zh", scores))
    except TypeError:  # a value of a kind no fast path expects: the general writer
        return dumps(scores_dict(result), indent=None)


def dumps_line(value: Any) -> str:
    """Compact JSON with Decimals as numbers, non-ASCII text kept as is."""
    return dumps(value, indent=None)


# --- encoders: each gives dumps(<the value as_dict holds>, indent=None) ----------

def _json(value: Any) -> str:
    cls = value.__class__
    if cls is str:
        return _quote(value)
    if cls is Decimal:
        return _num(value)
    if value is None:
        return "null"
    return dumps(value, indent=None)


def _plain_json(value: Any) -> str:
    """`dumps(_plain(value))`: a Decimal, text or None as is, anything else as text."""
    cls = value.__class__
    if cls is Decimal:
        return _num(value)
    if cls is str:
        return _quote(value)
    if value is None:
        return "null"
    return dumps(_plain(value), indent=None)


def _rounded(value: Any, places: int, cache: dict) -> str:
    """The JSON text of `round_half_up(value, places)`, kept per value."""
    if value.__class__ is not Decimal:
        return dumps(round_half_up(value, places), indent=None)
    key = str(value)
    text = cache.get(key)
    if text is None:
        text = stored(cache, key, _num(round_half_up(value, places)), _LIMIT)
    return text


def _score(value: Any, ctx: _Context) -> str:
    if value.__class__ is Decimal:
        text = ctx.scores.get(str(value))
        if text is not None:
            return text
    return _rounded(value, ctx.places, ctx.scores)


def _ratio(value: Any) -> str:
    return _rounded(value, 4, _RATIOS) if isinstance(value, Decimal) else "null"


def _shown_cache(value_type: str, unit: str | None) -> dict:
    """The kept texts of figures with this type and unit (an owner holds its own)."""
    cache = _SHOWN.get((value_type, unit))
    if cache is None:
        cache = stored(_SHOWN, (value_type, unit), {}, _KINDS)
    return cache


def _shown_in(value: Any, value_type: str, unit: str | None, cache: dict) -> str:
    """The JSON text of `show_value(value, value_type, unit)`; `cache` holds
    those of figures with this type and unit."""
    cls = value.__class__
    if cls is Decimal:
        key = str(value)
        text = cache.get(key)
        if text is None:
            text = stored(cache, key, _quote(show_value(value, value_type, unit)), _LIMIT)
        return text
    if cls is str:
        return _quote(value)
    return _json(show_value(value, value_type, unit))


def _shown(value: Any, value_type: str, unit: str | None) -> str:
    """The JSON text of `show_value(value, value_type, unit)`, kept per figure."""
    return _shown_in(value, value_type, unit, _shown_cache(value_type, unit))


def _target_text(r) -> str:
    """The JSON text of `show_target(r)`, kept per target figure and node kind."""
    target = r.target
    if target.__class__ is not Decimal:
        return _json(show_target(r))
    node = r.node
    key = (node.value_type, node.unit, node.operator, str(target))
    text = _TARGETS.get(key)
    if text is None:
        text = stored(_TARGETS, key, _quote(show_target(r)), _LIMIT)
    return text


_LAST_SPAN: list = [None, "null"]  # a unit's findings often share one span object (a JSONL line, a table row)


def _location(span) -> str:
    last = _LAST_SPAN
    if span is last[0]:
        return last[1]
    text = _quote(str(span)) if span else "null"
    last[0], last[1] = span, text
    return text


def _subject(subject) -> str:
    parts = []
    for k, v in subject.items():
        if k.__class__ is not str or v.__class__ is not str:
            return dumps(dict(subject), indent=None)
        parts.append(f"{_quote(k)}:{_quote(v)}")
    return "{" + ",".join(parts) + "}"


_FAST = {  # enc → the JSON text of the value, from the field's expression(s) {0}, {1}, …
    # (the usual case inline, a function for the rest: a batch writes hundreds per unit)
    "value": "(_quote(v) if (v := {0}).__class__ is str else _json(v))",  # `v`: the value read once
    # a Decimal's text is its JSON number unless it ends in a zero or shows an exponent (`_num`)
    "number": "((t if (t := str(v))[-1] != '0' and 'E' not in t and 'e' not in t else _num(v)) if (v := {0}).__class__ is Decimal else _json(v))",
    "plain": "((t if (t := str(v))[-1] != '0' and 'E' not in t and 'e' not in t else _num(v)) if (v := {0}).__class__ is Decimal else _plain_json(v))",
    "score": "((ctx.scores.get(str({0})) if {0}.__class__ is Decimal else None) or _score({0}, ctx))",
    "ratio": "((_RATIOS.get(str({0})) if ({0}).__class__ is Decimal else None) or _ratio({0}))",
    # {1}, {2} (value type and unit) are fixed by the owner: it holds their cache
    "shown": "(({own:_shown_cache({1}, {2})}.get(str({0})) if ({0}).__class__ is Decimal else None) or _shown_in({0}, {1}, {2}, {own:_shown_cache({1}, {2})}))",
    "target_text": "_target_text({0})",
    "message": "format_message_json({0}, {1}, ctx.lang)",
    "location": "(_LAST_SPAN[1] if {0} is _LAST_SPAN[0] else _location({0}))",
    "subject": "_subject({0})",
    "list": "(','.join([_line_{item}(i, ctx) for i in items]) if (items := {0}) else '')",  # {0} read once (a generator of leaves is made once)
}


# --- the line writers, generated from json_shape.SHAPE ---------------------------
#
# A field becomes parts: its key (fixed text), then its value: fixed text for a
# `fixed` field, else the encoder's expression. A `when` wraps its parts in a
# condition (resolved once per owner when `when_fixed`; a `when` inside another
# is joined to it with `and`). Adjacent fixed texts are joined into one slot of
# the owner's kept tuple; each conditional group is one f-string made before
# the object's own.


def _fast_value(f, extras: list[str]) -> str:
    args = (f.value,) if isinstance(f.value, str) else f.value
    template = _FAST[f.enc].replace("_line_{item}", "_line_" + (f.item or ""))
    template = _OWN.sub(lambda m: _owned("{own:" + m.group(1).format(*args) + "}", extras), template)
    return template.format(*args)


def _owned(expr: str, extras: list[str]) -> str:
    """`expr` with each `{own:made}` (a value the owner keeps, made once per
    owner) turned into its slot `@n@`, numbered later."""
    def kept(m: re.Match) -> str:
        made = m.group(1)
        if made not in extras:
            extras.append(made)
        return f"@{extras.index(made)}@"

    return _OWN.sub(kept, expr)


_OWN = re.compile(r"\{own:((?:[^{}]|\{\d\})*)\}")
_NOTHING = object()


def _memo(key: str) -> list:
    """An owner's memo for one field: [the object seen last, its text]."""
    return [_NOTHING, ""]


def _remember(memo: list, same: Any, text: str) -> str:
    memo[0], memo[1] = same, text
    return text


def _texts(key: str) -> dict:
    """An owner's kept texts of one group of fields: str(value) → text."""
    return {}


def _keep(texts: dict, value: Any, text: str) -> str:
    """`text` kept under `str(value)` when the value is a Decimal (which its
    text names exactly)."""
    if value.__class__ is Decimal:
        stored(texts, str(value), text, _LIMIT)
    return text


def _parts(fields, extras: list[str], first: bool = True, outer: str | None = None) -> list:
    """('fixed', expr of the text) | ('var', expr of the text) | ('if', cond, parts)."""
    out: list = []
    for f in fields:
        if first and f.when:
            raise ValueError(f"the first field of an object is always present: {f.key}")
        mine: list = [("fixed", repr(("" if first else ",") + _quote(f.key) + ":"))]
        first = False
        cond = f.when if outer is None or f.when is None else f"({outer}) and ({f.when})"
        if f.enc == "object":
            mine += [("fixed", "'{'"), *_parts(f.fields, extras, True, cond if f.when else outer), ("fixed", "'}'")]
        elif f.enc == "list":
            mine += [("fixed", "'['"), ("var", _fast_value(f, extras)), ("fixed", "']'")]
        elif f.fixed:
            mine.append(("fixed", f"_dumps({reference_value(f)})"))
        elif f.same or f.by:  # kept per owner with the fields beside it that share its `same` / `by`
            mine.append(("var", _fast_value(f, extras), ("same", f.same) if f.same else ("by", f.by), f.key))
        else:
            mine.append(("var", _fast_value(f, extras)))
        if f.when and f.when_fixed and all(p[0] == "fixed" for p in mine):
            mine = [("fixed", f"({' + '.join(p[1] for p in mine)} if {f.when} else '')")]
        elif f.when:
            mine = [("if", cond, mine)]  # a group inside stays a group (its condition joined to this one)
            if out and out[-1][0] == "if" and out[-1][1] == cond:  # fields under one condition: one test
                out[-1] = ("if", cond, out[-1][2] + mine[0][2])
                continue
        out += mine
    return out


def _merged(parts: list, slots: list, extras: list[str]) -> list:
    """Adjacent fixed texts joined; each fixed text becomes `e[slot]`; a run of
    fields that share one `same` (`by`) expression, with the fixed texts
    around them, becomes one text kept per owner while the expression gives
    the very same object (per the text of its Decimal value)."""
    out: list = []
    for p in parts:
        if p[0] == "fixed" and out and out[-1][0] == "fixed":
            out[-1] = ("fixed", out[-1][1] + " + " + p[1])
        elif p[0] == "if":
            out.append(("if", p[1], _merged(p[2], slots, extras)))
        else:
            out.append(p)
    grouped: list = []
    i = 0
    while i < len(out):
        p = out[i]
        if p[0] != "var" or len(p) < 3:
            grouped.append(p)
            i += 1
            continue
        tag, name = p[2], p[3]
        run = [grouped.pop()] if grouped and grouped[-1][0] == "fixed" else []
        j = i
        while j < len(out) and (out[j][0] == "fixed" or (out[j][0] == "var" and out[j][2:3] == (tag,))):
            run.append(out[j])
            j += 1
        i = j
        grouped.append(("memo", tag, name, run))
    for i, p in enumerate(grouped):
        if p[0] == "fixed":
            slots.append(p[1])
            grouped[i] = ("var", f"e[{len(slots)}]")
        elif p[0] == "memo":
            (how, expr), name, run = p[1], p[2], p[3]
            texts = []
            for q in run:
                if q[0] == "fixed":
                    slots.append(q[1])
                    texts.append(f"e[{len(slots)}]")
                else:
                    texts.append(q[1])
            text = " + ".join(texts)  # not an f-string: this one sits in the object's f-string
            if how == "same":
                memo = _owned(f"{{own:_memo({name!r})}}", extras)
                grouped[i] = ("var", f"({memo}[1] if {expr} is {memo}[0] else _remember({memo}, {expr}, {text}))")
            else:
                kept = _owned(f"{{own:_texts({name!r})}}", extras)
                grouped[i] = ("var", f"((({kept}.get(str({expr})) if ({expr}).__class__ is Decimal else None)) or _keep({kept}, {expr}, {text}))")
    return grouped


def _fstring(parts: list, groups: list[str]) -> str:
    """One f-string of the parts; a conditional group becomes a variable made first."""
    texts = []
    for p in parts:
        if p[0] == "if":
            inner = _fstring(p[2], groups)
            groups.append(f"g{len(groups)} = {inner} if {p[1]} else ''")
            texts.append(f"{{g{len(groups) - 1}}}")
        else:
            texts.append("{" + p[1] + "}")
    return 'f"' + "".join(texts) + '"'


_BRANCHED = 3  # conditions up to which each combination gets its own f-string


def _conditions(parts: list, out: list[str]) -> list[str]:
    for p in parts:
        if p[0] == "if":
            if p[1] not in out:
                out.append(p[1])
            _conditions(p[2], out)
    return out


def _returns(parts: list, conds: list[str], truth: dict, pad: str = "") -> list[str]:
    """`return f"…"` for each combination of the conditions, in nested ifs:
    the text of an object in one f-string, its conditional fields in or out
    (a group made apart and put in costs one more string built per object)."""
    if len(truth) == len(conds):
        def inline(ps: list) -> str:
            return "".join(inline(p[2]) if p[1] in truth and truth[p[1]] else "" if p[0] == "if" else "{" + p[1] + "}" for p in ps)
        return [f'{pad}return f"{inline(parts)}"']
    c = conds[len(truth)]
    return [f"{pad}if {c}:", *_returns(parts, conds, {**truth, c: True}, pad + "    "), *_returns(parts, conds, {**truth, c: False}, pad)]


def _body(parts: list) -> list[str]:
    """The statements that write an object from its parts."""
    conds = _conditions(parts, [])
    if len(conds) <= _BRANCHED:
        return _returns(parts, conds, {})
    groups: list[str] = []
    body = _fstring(parts, groups)
    return [*groups, f"return {body}"]


def shape_source() -> str:
    """The line writers' source, generated from `json_shape.SHAPE`."""
    out = []
    for kind, fields in json_shape.SHAPE.items():
        key, keep = json_shape.OWNERS[kind]
        slots: list[str] = []
        extras: list[str] = []
        body = _body(_merged([("fixed", "'{'"), *_parts(fields, extras), ("fixed", "'}'")], slots, extras))
        kept = slots + extras
        # A node's texts are kept by its identity; a project unit brings new
        # nodes every time, so a new node whose texts would come out the same
        # (the same repr of every node attribute they read, found in their
        # source) takes those of an earlier one.
        # (what the writer reads of the node per unit too: its kept texts of
        # figures are shown with the node's type and unit)
        reads = sorted(set(re.findall(r"x\.node\.(\w+)", ", ".join([*kept, *body])))) if keep == "x.node" else []
        same = [f"    same = kept.get(({kind!r}, {''.join(f'repr(x.node.{a}), ' for a in reads)}))",
                "    if same is not None:",
                "        e = kept[key] = (x.node, *same[1:])",
                "        return e"] if reads else []
        per_unit = [
            f"key = {key}",
            f"e = _OWNED_{kind}.get(key)",
            f"if {'e is None' if keep is None else f'e is None or e[0] is not {keep}'}:",
            f"    e = _own_{kind}(x, key)",
            *body,
        ]
        per_unit = _unpacked(kind, per_unit)
        text = "\n".join([
            f"def _own_{kind}(x, key):",
            f"    kept = _OWNED[{kind!r}]",
            "    if len(kept) >= _LIMIT:",
            "        kept.clear()",
            *same,
            f"    e = kept[key] = ({keep or 'None'}, {', '.join(kept)},)",
            *([f"    kept[({kind!r}, {''.join(f'repr(x.node.{a}), ' for a in reads)})] = e"] if reads else []),
            "    return e",
            "",
            f"def _line_{kind}(x, ctx):",
            *(f"    {line}" for line in per_unit),
        ])
        for n in range(len(extras)):
            text = text.replace(f"@{n}@", f"e[{len(slots) + 1 + n}]")
        out.append(text)
    return "\n\n".join(out)


# The objects a kind's writer is usually given, when they are NamedTuples: in
# CPython 3.11 reading a NamedTuple's field by name takes the interpreter's
# general attribute path (~200 machine instructions), unpacking the tuple a
# fraction of that, and a line reads ~200 fields.
_TUPLES = {"indicator": IndicatorResult, "leaf_score": IndicatorResult, "finding": Finding, "deviation": Deviation}
_ATTR = re.compile(r"(?<![\w.])x\.([A-Za-z_]\w*)")


def _unpacked(kind: str, lines: list[str]) -> list[str]:
    """`lines` (a writer's per-object code) reading the fields of `x` from
    locals: unpacked when `x` is the kind's NamedTuple, else read by name."""
    cls = _TUPLES.get(kind)
    if cls is None:
        return lines
    fields = cls._fields
    used = sorted({a for line in lines for a in _ATTR.findall(line) if a in fields}, key=fields.index)
    if not used:
        return lines
    swap = lambda line: _ATTR.sub(lambda m: f"x_{m.group(1)}" if m.group(1) in fields else m.group(0), line)  # noqa: E731
    return [
        f"if x.__class__ is _TUPLE_{kind}:",
        f"    {', '.join(f'x_{f}' if f in used else '_' for f in fields)}, = x",
        "else:",
        f"    {', '.join(f'x_{f}' for f in used)}, = {', '.join(f'x.{f}' for f in used)},",
        *map(swap, lines),
    ]


_NAMESPACE: dict = {}  # the compiled writers' namespace, as `_line_writers` last made it


def _writers_namespace() -> dict:
    """The compiled line writers' namespace (`_line_<kind>`, `_own_<kind>`)."""
    _line_writers()  # made once (and again after `_line_writers.cache_clear()`)
    return _NAMESPACE


@functools.cache
def _line_writers() -> dict:
    """`kind → function(obj, ctx) → JSON text`, compiled once from the shape."""
    for kept in _OWNED.values():  # kept texts follow the slots of the writers that made them
        kept.clear()
    namespace = {
        "leaves": leaves, "Decimal": Decimal, "_plain": _plain, "round_half_up": round_half_up, "show_value": show_value, "show_target": show_target,
        "messages": messages, "engine_name": engine_name, "_LIMIT": _LIMIT, "_OWNED": _OWNED,
        "_dumps": _json,  # owner texts: `dumps` itself for text, Decimal and None, and it calls `dumps` for anything else
        "_json": _json, "_plain_json": _plain_json, "_score": _score, "_ratio": _ratio, "_shown": _shown, "_target_text": _target_text,
        "_location": _location, "_LAST_SPAN": _LAST_SPAN, "_shown_in": _shown_in, "_memo": _memo, "_remember": _remember, "_num": _num,
        "_texts": _texts, "_keep": _keep, "_quote": _quote, "_RATIOS": _RATIOS,
        "_shown_cache": _shown_cache, "_subject": _subject, "format_message_json": format_message_json,
        **{f"_OWNED_{kind}": _OWNED[kind] for kind in json_shape.SHAPE},
        **{f"_TUPLE_{kind}": cls for kind, cls in _TUPLES.items()},
    }
    exec(compile(shape_source(), "<json_shape: line writers>", "exec"), namespace)  # noqa: S102 - generated from our own shape, never from user text
    _NAMESPACE.clear()
    _NAMESPACE.update(namespace)
    return {kind: namespace[f"_line_{kind}"] for kind in json_shape.SHAPE}


class ScoresOf(NamedTuple):
    """What the scores writer reads of a `Result`: a scores line's values
    without the rest of a result (`scores_writer`, `engine.batch.row_scores`)."""

    plan: Any
    unit: Any
    total: Any
    grade: Any
    indicators: tuple


class SubjectOnly(NamedTuple):
    subject: Any


class _LeafScore(NamedTuple):
    node: Any
    score: Any
    children: tuple = ()


def scores_writer(plan, nodes: tuple) -> Callable[..., str] | None:
    """`scores_line` of a unit of `plan` whose scored leaves are `nodes` (in
    tree order), as one function of (subject, total, grade, *leaf scores),
    for generated scorers (`engine.batch.row_scores`): the scores writer's
    own texts for the plan and for each node (`_own_scores`,
    `_own_leaf_score`), made once, around the encoders it uses; no call and
    no owner lookup per leaf. None when the shape's scores line is not the
    one this expects (a probe line written both ways differs): the caller
    then writes with `scores_line`."""
    ns = _writers_namespace()
    places = plan.ruleset.rounding.places
    ctx = _Context(places, "zh", _SCORES.setdefault(places, {}))
    key = (id(plan.ruleset), plan.file, plan.digest)
    probe = ScoresOf(plan, SubjectOnly({}), ZERO, "", ())
    head = ns["_own_scores"](probe, key)  # (owner, before subject, before total, before grade, before the list, after it)
    bound: dict[str, Any] = {"_subject": _subject, "_score": _score, "_num": _num, "_json": _json, "_quote": _quote, "Decimal": Decimal, "ctx": ctx}
    texts = []

    def text(value: str) -> str:
        bound[f"_k{len(texts)}"] = value
        texts.append(value)
        return f"{{_k{len(texts) - 1}}}"

    items = []
    for k, node in enumerate(nodes):
        own = ns["_own_leaf_score"](_LeafScore(node, ZERO), id(node))  # (node, before the score, after it)
        items.append(text(own[1]) + "{" + _FAST["score"].format(f"s{k}") + "}" + text(own[2]))
    body = (text(head[1]) + "{_subject(subject)}" + text(head[2]) + "{" + _FAST["number"].format("total") + "}" + text(head[3])
            + "{" + _FAST["value"].format("grade") + "}" + text(head[4]) + ",".join(items) + text(head[5]))
    args = "".join(f", s{k}" for k in range(len(nodes)))
    try:
        exec(compile(f"def write(subject, total, grade{args}):\n    return f{body!r}\n", "<scores writer>", "exec"), bound)  # noqa: S102 - our texts bound by name
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return None
    write = bound["write"]
    # the probe: every field filled with a value of its usual kind, written both ways
    sample = [Decimal(k) / 4 for k in range(len(nodes))]
    expected = _line_writers()["scores"](ScoresOf(plan, SubjectOnly({"name": "样本"}), Decimal("12.50"), "良", tuple(_LeafScore(n, v) for n, v in zip(nodes, sample))), ctx)
    return write if write({"name": "样本"}, Decimal("12.50"), "良", *sample) == expected else None

