"""One result per line (JSON Lines) for batch output.

`line(result, lang)` is, byte for byte, `json_out.dumps(json_out.as_dict(result,
lang), indent=None)`: the JSON contract of `evaluate --format json` on one line.
A batch writes tens of thousands of these, so the line is written straight from
the result instead of through that dict:

- what a plan fixes is written once and kept: per indicator (`Node`) the text of
  its id, name, weight, operator, unit and method, and its target part while the
  unit's target is the very object seen last (an adjusted target is shown anew);
  per ruleset the `ruleset` and `stamp` parts; per finding code and deviation
  the opening keys;
- a figure's JSON number and shown text (`0.9359`, `"93.59%"`) and a score's
  rounded number depend only on the value (with its type and unit): kept by
  `str(value)`, which names the value exactly (-0 apart from 0, which show
  differently) and costs far less than hashing a new Decimal;
- messages come quoted from `messages.format_message_json`;
- anything unusual (a subject that is not plain text, a value that is neither
  text nor a Decimal) is written by `json_out.dumps`, and a value no fast path
  expects (a TypeError) sends the whole line through the reference path.

Identity keys hold their object (so an id is never reused under them) and
every cache is cleared when it grows past `_LIMIT` entries. tests/test_jsonl_fast.py
compares the line with the previous encoder on varied, shipped, project-batch
and hostile results.
"""
from __future__ import annotations

from decimal import Decimal
from json.encoder import encode_basestring as _quote  # what json.dumps uses for text with ensure_ascii=False
from typing import Any

from engine.base.messages import format_message_json
from engine.base.numeric import round_half_up
from engine.evaluation.display import show_target, show_value
from engine.render.json_out import _num, _plain, as_dict, dumps, engine_name
from engine.evaluation.result import Result

_LIMIT = 4096  # entries per cache before it is cleared: a few MB in all
_KINDS = 64  # (value type, unit) pairs with shown figures kept
# Figures are kept by their text, str(Decimal): it names the value exactly (-0
# and 0 apart) and costs a tenth of hashing a new Decimal, and every unit's
# figures are new Decimals.
_SCORES: dict[int, dict[str, str]] = {}  # places → str(score) → JSON text of the rounded score
_RATIOS: dict[str, str] = {}  # str(deviation ratio) → JSON text rounded to 4 places
_SHOWN: dict[tuple, dict[str, tuple[str, str]]] = {}  # (value_type, unit) → str(value) → `_pair`
_NODES: dict[int, "_NodeText"] = {}
_PLANS: dict[tuple, tuple] = {}
_FINDINGS: dict[str, tuple[str, str, str]] = {}  # code → (kind, severity, opening text)
_DEVIATIONS: dict[tuple, tuple[str, dict]] = {}  # (id, name, kind, value_type, unit) → (opening text, shown figures)


def line(result: Result, lang: str = "zh") -> str:
    """The result as one line of JSON (no newline)."""
    try:
        return _line(result, lang)
    except TypeError:  # a value of a kind no fast path expects: the general writer
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
    quote = _quote
    # A unit's findings often share one span object (a JSONL line, a table row).
    last_span: Any = None
    last_location = "null"
    items: list[str] = []
    add = items.append
    num = _num
    for f in result.findings:
        code = f.code
        known = _FINDINGS.get(code)
        if known is None or known[0] != f.kind or known[1] != f.severity:
            known = _finding_head(f)
        span = f.span
        if span is not last_span:
            last_span, last_location = span, quote(str(span)) if span else "null"
        location = last_location
        message = format_message_json(code, f.args, lang)  # what Finding.message says, quoted
        stated = f.stated
        if stated is None:
            add(f'{known[2]}{message},"location":{location}}}')
        else:
            computed, difference = f.computed, f.difference
            if stated.__class__ is Decimal and computed.__class__ is Decimal and difference.__class__ is Decimal:
                add(f'{known[2]}{message},"location":{location},"stated":{num(stated)},"computed":{num(computed)},"difference":{num(difference)}}}')
            else:
                add(f'{known[2]}{message},"location":{location},"stated":{_json(stated)},"computed":{_json(computed)},"difference":{_json(difference)}}}')
    findings = ",".join(items)
    items = []
    for d in result.deviations:
        key = (d.key, d.name, d.kind, d.value_type, d.unit)
        known = _DEVIATIONS.get(key)
        if known is None:
            known = _deviation_head(d, key)
        dhead, shown = known
        target, target_text = _pair(d.target, d.value_type, d.unit, shown)
        actual, actual_text = _pair(d.actual, d.value_type, d.unit, shown)
        ratio = d.ratio
        ratio = _rounded(ratio, 4, _RATIOS) if isinstance(ratio, Decimal) else "null"
        span = d.span
        if span is not last_span:
            last_span, last_location = span, quote(str(span)) if span else "null"
        location = last_location
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


def _indicator(r, places: int, scores: dict) -> str:
    node = r.node
    nt = _NODES.get(id(node))
    if nt is None or nt.node is not node:
        nt = _node_text(node)
    score = r.score
    text = scores.get(str(score)) if score.__class__ is Decimal else None
    if text is None:
        text = _rounded(score, places, scores)
    children = r.children
    if children:
        inner = ",".join([_indicator(c, places, scores) for c in children])
        return f"{nt.head}{text}{nt.close}{inner}]}}"
    target = r.target
    seen = nt.target
    if seen[0] is not target:
        seen = nt.target = (target, f',"target":{_plain_json(target)},"target_text":{_json(show_target(r))}{nt.mid}')
    actual = r.actual
    pair = nt.shown.get(str(actual)) if actual.__class__ is Decimal else None
    if pair is None:
        pair = _pair(actual, node.value_type, node.unit, nt.shown)
    actual, shown = pair
    outcome = r.outcome
    if outcome is None:
        branch = "null"
    else:
        taken = outcome.branch
        branch = nt.branches.get(taken)
        if branch is None:
            if len(nt.branches) >= 64:
                nt.branches.clear()
            branch = nt.branches[taken] = _json(taken)
    if r.not_applicable:
        return f'{nt.head}{text}{seen[1]}{actual},"actual_text":{shown}{nt.tail}{branch},"not_applicable":true{nt.close_leaf}'
    return f'{nt.head}{text}{seen[1]}{actual},"actual_text":{shown}{nt.tail}{branch}{nt.close_leaf}'


# --- values -------------------------------------------------------------------


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
    if cls is str or cls is Decimal or value is None:
        return _json(value)
    return dumps(_plain(value), indent=None)


def _rounded(value: Any, places: int, cache: dict) -> str:
    """The JSON text of `round_half_up(value, places)`, kept per value."""
    if value.__class__ is not Decimal:
        return dumps(round_half_up(value, places), indent=None)
    key = str(value)
    text = cache.get(key)
    if text is None:
        if len(cache) >= _LIMIT:
            cache.clear()
        text = cache[key] = _num(round_half_up(value, places))
    return text


def _pair(value: Any, value_type: str, unit: str | None, cache: dict) -> tuple[str, str]:
    """The JSON texts of a figure and of how it is shown (`0.9359`, `"93.59%"`);
    `cache` holds those of figures with this type and unit."""
    cls = value.__class__
    if cls is Decimal:
        key = str(value)
        pair = cache.get(key)
        if pair is None:
            if len(cache) >= _LIMIT:
                cache.clear()
            pair = cache[key] = (_num(value), _json(show_value(value, value_type, unit)))
        return pair
    if cls is str:
        quoted = _quote(value)
        return quoted, quoted
    return _plain_json(value), _json(show_value(value, value_type, unit))


def _shown(value_type: str, unit: str | None) -> dict:
    kind = (value_type, unit)
    cache = _SHOWN.get(kind)
    if cache is None:
        if len(_SHOWN) >= _KINDS:  # nodes and deviation heads hold these: forget them all together
            _SHOWN.clear()
            _NODES.clear()
            _DEVIATIONS.clear()
        cache = _SHOWN[kind] = {}
    return cache


def _subject(subject) -> str:
    parts = []
    for k, v in subject.items():
        if k.__class__ is not str or v.__class__ is not str:
            return dumps(dict(subject), indent=None)
        parts.append(f"{_quote(k)}:{_quote(v)}")
    return "{" + ",".join(parts) + "}"


# --- what a plan fixes ----------------------------------------------------------


def _plan_text(plan, key: tuple) -> tuple:
    rs = plan.ruleset
    ruleset = {"id": rs.id, "title": rs.title, "year": rs.year, "kind": rs.kind, "file": plan.file}
    head = '{"ruleset":' + dumps(ruleset, indent=None) + ',"subject":'
    stamp = '],"stamp":{"engine":' + _json(engine_name()) + ',"ruleset_digest":' + _json(plan.digest) + ',"input_digest":'
    places = rs.rounding.places
    if len(_PLANS) >= 64:
        _PLANS.clear()
    fixed = _PLANS[key] = (rs, head, stamp, places, _SCORES.setdefault(places, {}))
    return fixed


class _NodeText:
    """The fixed parts of one indicator's JSON object, the target seen last
    with its text (one tuple, replaced whole), and the branches' texts."""

    __slots__ = ("node", "head", "mid", "tail", "close", "close_leaf", "shown", "target", "branches")

    def __init__(self, node) -> None:
        self.node = node  # held, so its id is not reused while this entry lives
        self.head = '{"id":' + _json(node.key) + ',"name":' + _json(node.name) + ',"weight":' + _json(node.weight) + ',"score":'
        self.mid = ',"operator":' + _json(node.operator) + ',"unit":' + _json(node.unit) + ',"actual":'
        self.tail = ',"method":' + _json(node.method.NAME if node.method else None) + ',"branch":'
        rest = ',"in_total":false' if not node.in_total else ""
        self.close = rest + ',"children":['
        self.close_leaf = rest + ',"children":[]}'
        self.shown = _shown(node.value_type, node.unit)
        self.target: tuple = (object(), "")
        self.branches: dict[str, str] = {}  # a branch taken → its JSON text


def _node_text(node) -> _NodeText:
    nt = _NodeText(node)
    if len(_NODES) >= _LIMIT:
        _NODES.clear()
    _NODES[id(node)] = nt
    return nt


def _finding_head(f) -> tuple[str, str, str]:
    known = (f.kind, f.severity, f'{{"kind":{_json(f.kind)},"severity":{_json(f.severity)},"code":{_json(f.code)},"message":')
    if len(_FINDINGS) >= _LIMIT:
        _FINDINGS.clear()
    _FINDINGS[f.code] = known
    return known


def _deviation_head(d, key: tuple) -> tuple[str, dict]:
    known = (f'{{"id":{_json(d.key)},"name":{_json(d.name)},"kind":{_json(d.kind)},"target":', _shown(d.value_type, d.unit))
    if len(_DEVIATIONS) >= _LIMIT:
        _DEVIATIONS.clear()
    _DEVIATIONS[key] = known
    return known
