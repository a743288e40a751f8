"""Reading one typed value and one indicator's data entry (指标数据): shared by
a unit's `indicators:` section (`engine.unit.inputs`) and its `indicator_rows`
(`engine.unit.indicator_rows`), which carry the same fields."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.base.diagnostics import Diagnostic, SourceSpan
from engine.base.numeric import is_empty_mark, parse_number
from engine.base.sourcemap import SourceMap
from engine.ruleset.formula import suggest
from engine.ruleset.plan import NUMERIC_TYPES, Node

ENTRY_KEYS = ("actual", "score", "level", "coefficient", "explanation", "adjusted_target", "not_applicable", "note")
# Entry fields a scoring method reads from the data; any other method computes
# the score itself, so a `score:` given for it would be silently ignored.
_ENTRY_FIELDS = {"manual": ("score",), "qualitative": ("score", "level"), "coefficient": ("coefficient",)}
_JUDGED = ("manual", "qualitative", "coefficient")
# Figures beyond this are typing mistakes (万元 forms never reach 10^15), and
# refusing them keeps every later formatting and arithmetic step bounded.
MAX_MAGNITUDE = Decimal("1e15")
# How a copied target starts (`≥266米`, `不低于95%`): the sign of a target, not a value.
_TARGET_MARKS = ("≥", "≤", ">", "<", "＞", "＜", "=", "＝", "≠", "不低于", "不高于", "不少于", "不多于", "不超过", "大于", "小于", "达到", "高于", "低于")
_MINUS = str.maketrans({"−": "-", "﹣": "-"})
_EMPTY = object()  # an explicitly empty value (`—`, `/`, blank)


_PLAIN = re.compile(r"-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?(%?)\Z")


def coerce(value: Any, kind: str, allow_negative: bool | None = None, unit: str | None = None) -> tuple[Any, str | None]:
    """(value, None) or (None, problem code). `_EMPTY` means explicitly empty.

    `kind` is an input type (money, number, percent, count, text); a trailing
    `unit` (万元, 人, 场) is accepted after a number."""
    if value.__class__ is str and kind != "text":
        plain = _PLAIN.match(value)
        if plain is not None:
            if not plain.group(1):
                return _checked(Decimal(value.replace(",", "") if "," in value else value), False, kind, allow_negative)
            if kind == "percent":
                return _checked(Decimal(value[:-1].replace(",", "")).scaleb(-2), True, kind, allow_negative)
    if value is None or (isinstance(value, str) and is_empty_mark(value)):
        return _EMPTY, None
    if kind == "text":
        if isinstance(value, (dict, list)):
            return None, "input.not_text"
        return (format(value, "f") if isinstance(value, Decimal) else str(value)), None
    if isinstance(value, bool) or isinstance(value, (dict, list)):
        return None, "input.not_number"
    is_pct = False
    if isinstance(value, str):
        text = value.strip().translate(_MINUS)
        if unit and unit != "%" and text.endswith(unit) and len(text) > len(unit):
            text = text[: -len(unit)].strip()
        is_pct = text.endswith(("%", "％"))
        number = parse_number(text)
        if number is None:
            return None, "input.not_number"
        if is_pct and kind != "percent":
            return None, "input.unexpected_percent"
    else:
        number = value
    return _checked(number, is_pct, kind, allow_negative)


def _checked(number: Decimal, is_pct: bool, kind: str, allow_negative: bool | None) -> tuple[Any, str | None]:
    if not number.is_finite() or abs(number) >= MAX_MAGNITUDE:
        return None, "input.too_large"
    if kind == "percent" and not is_pct and abs(number) > 2:
        return None, "input.percent_ambiguous"
    if kind == "count" and number != number.to_integral_value():
        return None, "input.not_integer"
    negative_ok = allow_negative if allow_negative is not None else kind in ("number", "percent")
    if number < 0 and not negative_ok:
        return None, "input.negative"
    return number, None


@dataclass
class Reader:
    """What every section reader shares: the positions and the problems found."""

    smap: SourceMap
    file: str
    problems: list[Diagnostic] = field(default_factory=list)

    def at(self, path: tuple) -> SourceSpan:
        return self.smap.value(path) or SourceSpan(self.file, 1, 1)

    def key_at(self, path: tuple) -> SourceSpan:
        return self.smap.key(path) or self.at(path)

    def section_at(self, section: str) -> SourceSpan:
        """Where a missing item of `section` is reported: the section's key,
        else the start of the file."""
        return self.smap.keys.get((section,)) or self.at(())

    def add(self, code: str, span: SourceSpan, **args: Any) -> None:
        self.problems.append(Diagnostic(code, span, args))

    def value(self, value: Any, kind: str, path: tuple, allow_negative: bool | None, unit: str | None, **label: Any) -> Any:
        """The coerced value, `_EMPTY`, or None after reporting the problem."""
        v, code = coerce(value, kind, allow_negative, unit)
        if code:
            self.add(code, self.at(path), value=_show(value), **label)
            return None
        return v


def _needed_field(node: Node) -> str | None:
    if node.method is None:
        return None
    if node.method.NAME in ("manual", "qualitative"):
        return "score"
    if node.method.NAME == "coefficient":
        return "coefficient"
    if node.actual is None:
        return "actual"
    return None


def read_entry(node: Node, entry: dict, path: tuple, smap: SourceMap, entries: dict, where) -> list[Diagnostic]:
    """One indicator's data into `entries`; the problems found (for `engine.unit.indicator_rows`,
    whose indicator rows carry the same fields)."""
    rd = Reader(smap, where(()).file)
    entries[node.key] = _entry_data(node, entry, path, rd)
    return rd.problems


def _entry_data(node: Node, entry: dict, path: tuple, rd: Reader) -> dict:
    before = len(rd.problems)
    out: dict[str, Any] = {}
    method = node.method.NAME if node.method is not None else None
    uses = getattr(node.method, "ENTRY_FIELDS", _ENTRY_FIELDS.get(method or "", ()))
    label = {"label": node.name}
    for key, value in entry.items():
        p = path + (key,)
        if key not in ENTRY_KEYS:
            rd.add("input.unknown_entry_key", rd.key_at(p), key=key, name=node.name, suggestion=suggest(str(key), ENTRY_KEYS), known=", ".join(ENTRY_KEYS))
        elif key in ("score", "level", "coefficient") and key not in uses:
            rd.add("input.field_not_used", rd.key_at(p), key=key, name=node.name, method=method or "")
        elif key == "actual":
            if node.actual is not None:
                rd.add("input.actual_is_computed", rd.key_at(p), name=node.name)
                continue
            quantitative = node.value_type in NUMERIC_TYPES and not (method in _JUDGED and not isinstance(value, Decimal))
            v, code = coerce(value, node.value_type if quantitative else "text", True, node.unit)
            if code == "input.not_number":
                code = "input.actual_is_target" if _looks_like_target(value) else "input.actual_not_number"
            if code:
                rd.add(code, rd.at(p), value=_show(value), target=node.target_text or "", **label, field=key)
                continue
            out["actual"] = None if v is _EMPTY else v
        elif key == "adjusted_target":
            kind = node.value_type if node.value_type in NUMERIC_TYPES else "text"
            v = rd.value(value, kind, p, True, node.unit, **label, field=key)
            if v is not None:
                out[key] = None if v is _EMPTY else v
        elif key in ("score", "coefficient"):
            v = rd.value(value, "number", p, False, None, **label, field=key)
            if v is not None:
                out[key] = None if v is _EMPTY else v
        elif key == "not_applicable":
            if not isinstance(value, bool):
                rd.add("input.not_boolean", rd.at(p), value=_show(value), **label, field=key)
                continue
            out[key] = value
        else:  # level, explanation, note: text
            if isinstance(value, (dict, list)):
                rd.add("input.not_text", rd.at(p), value=_show(value), **label, field=key)
                continue
            if value is not None and not isinstance(value, str):
                value = format(value, "f") if isinstance(value, Decimal) else str(value)
            out[key] = value.strip() if isinstance(value, str) and value.strip() else None
    if not out.get("not_applicable"):
        need = _needed_field(node)
        # A field already reported as malformed is not reported again as missing.
        if need and out.get(need) is None and len(rd.problems) == before:
            rd.add(f"input.missing_{need}", rd.at(path + ((need,) if need in entry else ())), name=node.name)
    return out


def _looks_like_target(value: Any) -> bool:
    return isinstance(value, str) and value.strip().startswith(_TARGET_MARKS)


def _show(value: Any) -> str:
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    return text if len(text) <= 40 else text[:37] + "…"
