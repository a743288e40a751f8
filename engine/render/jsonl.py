"""One result per line (JSON Lines) for batch output.

`line(result, lang)` is, byte for byte, `json_out.dumps(json_out.as_dict(result,
lang), indent=None)`: the JSON contract of `evaluate --format json` on one line.
A batch writes tens of thousands of these, so the line is written straight from
the result instead of through that dict:

- what a plan fixes is written once and kept: per indicator (`Node`) the text of
  its id, name, weight, operator, unit and method, and the target part while the
  unit's target is the very object seen last (adjusted targets are re-shown);
  per ruleset the `ruleset` and `stamp` parts;
- a number's JSON text and a figure's shown text (`93.59%`, `3,921.33`) depend
  only on the value, its type and unit: kept per value, zero excepted (`-0`
  shows as `-0%`, `0` as `0%`, and the two are equal as Decimals);
- anything unusual (a subject that is not plain text, a value that is neither
  text nor a Decimal) is written by `json_out.dumps`.

The kept texts are keyed by object identity only while the object is held by
the key's entry (so an id is never reused under it) and each cache is cleared
when it grows past `_LIMIT`. A differential test (tests/test_jsonl_fast.py)
compares the line with the reference on many varied units.
"""
from __future__ import annotations

from decimal import Decimal
from json.encoder import encode_basestring as _quote  # what json.dumps uses for text with ensure_ascii=False
from typing import Any

from engine.messages import format_message
from engine.numeric import round_half_up
from engine.render.common import show_target, show_value
from engine.render.json_out import _num, _plain, as_dict, dumps, engine_name
from engine.result import Result

_LIMIT = 20_000
_NUMS: dict[Decimal, str] = {}  # Decimal → its JSON text
_SCORES: dict[int, dict[Decimal, str]] = {}  # places → score → JSON text of the rounded score
_RATIOS: dict[Decimal, str] = {}  # deviation ratio → JSON text rounded to 4 places
_SHOWN: dict[tuple, dict[Decimal, tuple[str, str]]] = {}  # (value_type, unit) → value → `_pair`
_NODES: dict[int, "_NodeText"] = {}
_PLANS: dict[tuple, tuple] = {}
_FINDINGS: dict[tuple, str] = {}  # (kind, severity, code) → a finding's opening text
_DEVIATIONS: dict[tuple, str] = {}  # (id, name, kind) → a deviation's opening text


def line(result: Result, lang: str = "zh") -> str:
    """The result as one line of JSON (no newline)."""
    try:
        return _line(result, lang)
    except TypeError:  # a value no cache can hold (a signalling NaN): the general writer
        return dumps(as_dict(result, lang), indent=None)


def _line(result: Result, lang: str) -> str:
    plan = result.plan
    rs = plan.ruleset
    key = (id(rs), plan.file, plan.digest)
    fixed = _PLANS.get(key)
    if fixed is None or fixed[0] is not rs:
        fixed = _plan_text(plan, key)
    _, head, stamp, places, scores = fixed
    indicators = ",".join([_indicator(r, places, scores) for r in result.indicators])
    items = []
    for f in result.findings:
        key = (f.kind, f.severity, f.code)
        fhead = _FINDINGS.get(key)
        if fhead is None:
            fhead = _head(_FINDINGS, key, f'{{"kind":{_json(f.kind)},"severity":{_json(f.severity)},"code":{_json(f.code)},"message":')
        message = _quote(format_message(f.code, f.args, lang))  # what Finding.message does
        span = f.span
        location = _quote(str(span)) if span else "null"
        if f.stated is None:
            items.append(f'{fhead}{message},"location":{location}}}')
        else:
            items.append(f'{fhead}{message},"location":{location},"stated":{_json(f.stated)},"computed":{_json(f.computed)},"difference":{_json(f.difference)}}}')
    findings = ",".join(items)
    items = []
    for d in result.deviations:
        key = (d.key, d.name, d.kind)
        dhead = _DEVIATIONS.get(key)
        if dhead is None:
            dhead = _head(_DEVIATIONS, key, f'{{"id":{_json(d.key)},"name":{_json(d.name)},"kind":{_json(d.kind)},"target":')
        target, target_text = _pair(d.target, d.value_type, d.unit)
        actual, actual_text = _pair(d.actual, d.value_type, d.unit)
        ratio = d.ratio
        ratio = _rounded(ratio, 4, _RATIOS) if isinstance(ratio, Decimal) else "null"
        span = d.span
        location = _quote(str(span)) if span else "null"
        items.append(
            f'{dhead}{target},"actual":{actual},"target_text":{target_text},"actual_text":{actual_text},'
            f'"ratio":{ratio},"explanation":{_json(d.explanation)},"location":{location}}}'
        )
    deviations = ",".join(items)
    text = (
        f'{head}{_subject(result.unit.subject)},"total":{_json(result.total)},"grade":{_json(result.grade)},'
        f'"indicators":[{indicators}],"findings":[{findings}],"deviations":[{deviations}{stamp}{_json(result.unit.digest)}}}'
    )
    if result.rescaled is None:
        return text + "}"
    points, applicable = result.rescaled
    return f'{text},"rescaled":{{"points":{_json(round_half_up(points, places))},"applicable_weight":{_json(applicable)}}}}}'


def dumps_line(value: Any) -> str:
    """Compact JSON with Decimals as numbers, non-ASCII text kept as is."""
    return dumps(value, indent=None)


# --- values -------------------------------------------------------------------


def _number(value: Decimal) -> str:
    try:
        text = _NUMS.get(value)
    except TypeError:  # a signalling NaN cannot be hashed
        return _num(value)
    if text is None:
        if len(_NUMS) >= _LIMIT:
            _NUMS.clear()
        text = _NUMS[value] = _num(value)
    return text


def _json(value: Any) -> str:
    cls = value.__class__
    if cls is str:
        return _quote(value)
    if cls is Decimal:
        return _number(value)
    if value is None:
        return "null"
    return dumps(value, indent=None)


def _plain_json(value: Any) -> str:
    """`dumps(_plain(value))`: a Decimal, text or None as is, anything else as text."""
    cls = value.__class__
    if cls is str:
        return _quote(value)
    if cls is Decimal:
        return _number(value)
    if value is None:
        return "null"
    return dumps(_plain(value), indent=None)


def _rounded(value: Any, places: int, cache: dict) -> str:
    """The JSON text of `round_half_up(value, places)`; -0 and 0 both give 0."""
    if value.__class__ is Decimal:
        try:
            text = cache.get(value)
        except TypeError:
            return _num(round_half_up(value, places))
        if text is None:
            if len(cache) >= _LIMIT:
                cache.clear()
            text = cache[value] = _json(round_half_up(value, places))
        return text
    return dumps(round_half_up(value, places), indent=None)


def _pair(value: Any, value_type: str, unit: str | None) -> tuple[str, str]:
    """The JSON texts of a figure and of how it is shown (`0.9359`, `"93.59%"`)."""
    cls = value.__class__
    if cls is Decimal and value:  # signed zeros are equal but show differently (-0%, 0%)
        kind = (value_type, unit)
        cache = _SHOWN.get(kind)
        if cache is None:
            if len(_SHOWN) >= 1000:
                _SHOWN.clear()
            cache = _SHOWN[kind] = {}
        try:
            pair = cache.get(value)
        except TypeError:  # a signalling NaN cannot be hashed
            return _number(value), _json(show_value(value, value_type, unit))
        if pair is None:
            if len(cache) >= _LIMIT:
                cache.clear()
            pair = cache[value] = (_number(value), _json(show_value(value, value_type, unit)))
        return pair
    if cls is str:
        quoted = _quote(value)
        return quoted, quoted
    return _plain_json(value), _json(show_value(value, value_type, unit))


def _subject(subject) -> str:
    parts = []
    for k, v in subject.items():
        if k.__class__ is not str or v.__class__ is not str:
            return dumps(dict(subject), indent=None)
        parts.append(_quote(k) + ":" + _quote(v))
    return "{" + ",".join(parts) + "}"


# --- what a plan fixes ----------------------------------------------------------


def _plan_text(plan, key: tuple) -> tuple:
    rs = plan.ruleset
    ruleset = {"id": rs.id, "title": rs.title, "year": rs.year, "kind": rs.kind, "file": plan.file}
    head = '{"ruleset":' + dumps(ruleset, indent=None) + ',"subject":'
    stamp = '],"stamp":{"engine":' + _json(engine_name()) + ',"ruleset_digest":' + _json(plan.digest) + ',"input_digest":'
    places = rs.rounding.places
    if len(_PLANS) >= 1000:
        _PLANS.clear()
    fixed = _PLANS[key] = (rs, head, stamp, places, _SCORES.setdefault(places, {}))
    return fixed


class _NodeText:
    """The fixed parts of one indicator's JSON object."""

    __slots__ = ("node", "head", "mid", "tail", "close", "close_leaf", "target")

    def __init__(self, node) -> None:
        self.node = node  # held, so its id is not reused while this entry lives
        self.head = '{"id":' + _json(node.key) + ',"name":' + _json(node.name) + ',"weight":' + _json(node.weight) + ',"score":'
        self.mid = ',"operator":' + _json(node.operator) + ',"unit":' + _json(node.unit) + ',"actual":'
        self.tail = ',"method":' + _json(node.method.NAME if node.method else None) + ',"branch":'
        rest = ',"in_total":false' if not node.in_total else ""
        self.close = rest + ',"children":['
        self.close_leaf = rest + ',"children":[]}'
        self.target: tuple = (object(), "")  # (target seen last, its text): one tuple, replaced whole


def _node_text(node) -> _NodeText:
    nt = _NODES.get(id(node))
    if nt is None or nt.node is not node:
        if len(_NODES) >= _LIMIT:
            _NODES.clear()
        nt = _NODES[id(node)] = _NodeText(node)
    return nt


def _indicator(r, places: int, scores: dict) -> str:
    node = r.node
    nt = _NODES.get(id(node))
    if nt is None or nt.node is not node:
        nt = _node_text(node)
    score = _rounded(r.score, places, scores)
    children = r.children
    if children:
        inner = ",".join([_indicator(c, places, scores) for c in children])
        return f"{nt.head}{score}{nt.close}{inner}]}}"
    target = r.target
    seen = nt.target
    if seen[0] is not target:
        seen = nt.target = (target, f',"target":{_plain_json(target)},"target_text":{_json(show_target(r))}{nt.mid}')
    actual, shown = _pair(r.actual, node.value_type, node.unit)
    branch = _json(r.outcome.branch) if r.outcome else "null"
    na = ',"not_applicable":true' if r.not_applicable else ""
    return f'{nt.head}{score}{seen[1]}{actual},"actual_text":{shown}{nt.tail}{branch}{na}{nt.close_leaf}'


def _head(cache: dict, key: tuple, text: str) -> str:
    if len(cache) >= _LIMIT:
        cache.clear()
    cache[key] = text
    return text
