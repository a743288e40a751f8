"""Reading one typed value and one indicator's data entry (指标数据): shared by
a unit's `indicators:` section (`engine.unit.inputs`) and its `indicator_rows`
(`engine.unit.indicator_rows`), which carry the same fields."""
from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from engine.base.diagnostics import Diagnostic, SourceSpan
from engine.base.memo import made_for, stored
from engine.base.numeric import in_range, is_empty_mark, looks_like_number, parse_number, show_value
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
# A `percent` figure written without `%` is a ratio (0.9359) up to this; above
# it (`95`, `1.6`) it is refused as ambiguous: 1.6 could be 1.6% or 160%.
MAX_BARE_RATIO = Decimal("1.5")
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
                return _checked(Decimal(value.replace(",", "") if "," in value else value), False, kind, allow_negative, unit)
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
            return None, "input.number_range" if looks_like_number(text) else "input.not_number"
        if is_pct and kind != "percent":
            return None, "input.unexpected_percent"
    else:
        number = value
    return _checked(number, is_pct, kind, allow_negative, unit)


# A figure written plainly with at most 15 digits before the point (commas
# grouping thousands): its magnitude is below MAX_MAGNITUDE (10^15) by its text,
# and at most 31 characters hold at most 31 digits (within `in_range`). The
# same figures are written two ways: plainly (digits without commas tried
# first, as most figures have none), and, where Python has atomic groups
# (3.11), without backtracking, ~40% less time per match
# (tests/test_inputs_fast.py holds the two to the same figures).
_FIGURE = r"(?:[0-9]{1,15}|[0-9]{1,3}(?:,[0-9]{3}){1,4})(?:\.[0-9]+)?"
if sys.version_info >= (3, 11):  # atomic groups and possessive repeats
    _FIGURE = r"(?>[0-9]{1,3}(?:,[0-9]{3}){1,4}+|[0-9]{1,15})(?:\.[0-9]+)?"
_PLAIN_NUMBER = re.compile(r"-?" + _FIGURE + r"\Z")
_PLAIN_PERCENT = re.compile(r"-?" + _FIGURE + r"%\Z")
_NEG_MAX = -MAX_MAGNITUDE

# A figure's shape: its digits as `d` (`7,478.51` → `d,ddd.dd`), as bytes.
# The shapes most figures have (up to 9 digits before the point, plain or
# grouped, up to 4 after, signed or not) are kept, each taken by the pattern
# when kept (the pattern takes any digit where it takes one): a figure of one
# of them is plain without a match (a byte translation and a set look-up, ~⅓
# of a match's instructions); any other shape is left to the match. A letter
# `d` itself becomes 0xFF, which no ASCII text has, so `d` or `dd.dd` typed
# in a cell is no figure's shape.
_DIGITS = bytes.maketrans(b"0123456789d", b"dddddddddd\xff")


def _common_shapes(match: Callable) -> frozenset[bytes]:
    out = set()
    for n in range(1, 10):
        for whole in {"1" * n, f"{int('1' * n):,}"}:
            for frac in ("", ".1", ".11", ".111", ".1111"):
                for sign in ("", "-"):
                    for text in (f"{sign}{whole}{frac}", f"{sign}{whole}{frac}%"):
                        if match(text) is not None and len(text) < 32:
                            out.add(text.replace("1", "d").encode())
    return frozenset(out)


def plain_figure(kind: str, allow_negative: bool | None, v: str, shaped: bool = True) -> str | None:
    """An expression over the str named `v`: the Decimal it stands for when it
    is a money, number or percent figure written plainly (`3,921.33`,
    `93.59%`: ≤ 15 digits before the point, so within ±10^15 by the text), or
    None; a zero is given as a zero, which the caller leaves to `coerce` (-0
    is 0). None for other kinds. The coercers below are made from it, and the
    generated readers (`engine.unit.sheet_units`) inline it before calling
    them. Names used: `figure_names()`'s. `shaped`: a figure of a common shape
    is plain at once, any other if the pattern matches it (the generated
    readers of a batch); else every figure is matched (the coercers, made for
    one file too: no shapes are made for it)."""
    if kind not in ("money", "number", "percent"):
        return None
    negative_ok = allow_negative if allow_negative is not None else kind in ("number", "percent")
    sign = "" if negative_ok else f" and {v}[0] != '-'"
    match, shapes = ("_match_percent", "_PERCENT_SHAPES") if kind == "percent" else ("_match_number", "_NUMBER_SHAPES")
    plain = f"{match}({v}) is not None and len({v}) < 32"
    if shaped:
        plain = f"({v}.isascii() and {v}.encode().translate(_DIGITS) in {shapes} or {plain})"
    if kind == "percent":  # 93.59% → 0.9359
        return f"(Decimal({v}[:-1].replace(',', '') if ',' in {v} else {v}[:-1]).scaleb(-2) if {plain}{sign} else None)"
    return f"(Decimal({v}.replace(',', '') if ',' in {v} else {v}) if {plain}{sign} else None)"


def row_figures(kinds: list[tuple[str, bool | None]]) -> Callable:
    """The `match` of a row's figures joined by U+001F, one (kind,
    allow_negative) each: it matches when every figure is written plainly as
    `plain_figure` reads it, but for the length (< 32 characters, the caller's
    to check). A cell holding U+001F itself adds a figure, and cannot match."""
    parts = []
    for kind, allow_negative in kinds:
        negative_ok = allow_negative if allow_negative is not None else kind in ("number", "percent")
        parts.append(("-?" if negative_ok else "") + _FIGURE + ("%" if kind == "percent" else ""))
    return re.compile("\x1f".join(parts) + r"\Z").match


FIGURE_NAMES = {"Decimal": Decimal, "_match_number": _PLAIN_NUMBER.match, "_match_percent": _PLAIN_PERCENT.match}  # `shaped=False`'s
_SHAPED_NAMES: dict[str, Any] = {}


def figure_names() -> dict[str, Any]:
    """The names `plain_figure` uses, with the common shapes (made on first
    use: ~360 matches, which one file's reading need not pay)."""
    if not _SHAPED_NAMES:
        _SHAPED_NAMES.update(FIGURE_NAMES, _DIGITS=_DIGITS, _NUMBER_SHAPES=_common_shapes(_PLAIN_NUMBER.match),
                             _PERCENT_SHAPES=_common_shapes(_PLAIN_PERCENT.match))
    return _SHAPED_NAMES


@functools.lru_cache(maxsize=1024)  # one per (kind, sign rule, unit): table columns, inputs and a project's rows share them
def coercer(kind: str, allow_negative: bool | None = None, unit: str | None = None) -> Callable[[Any], tuple[Any, str | None]]:
    """`coerce` with its declaration bound (one per table column, made once per
    plan): money, numbers and percentages written plainly (`plain_figure`), or
    a Decimal within range, are taken at once; anything else goes through
    `coerce`, which gives the same result for those (tests/test_inputs_fast.py)."""
    if kind not in ("money", "number", "percent"):
        return lambda value: coerce(value, kind, allow_negative, unit)
    negative_ok = allow_negative if allow_negative is not None else kind in ("number", "percent")
    return _coercer_maker(kind, negative_ok)(allow_negative, unit)


_MAKERS: dict[tuple[str, bool], Callable] = {}


def _coercer_maker(kind: str, negative_ok: bool) -> Callable:
    """A function making `kind`'s coercers, compiled once per (kind, sign rule)."""
    maker = _MAKERS.get((kind, negative_ok))
    if maker is None:
        plain = plain_figure(kind, negative_ok, "value", shaped=False)
        out = ["def make(_allow_negative, _unit):", "    def fast(value):", "        cls = value.__class__", "        if cls is str:",
               f"            number = {plain}", "            if number:", "                return number, None"]
        if kind != "percent":  # a percentage's Decimal (a ratio) is `coerce`'s to judge
            out += [f"        elif cls is Decimal and value.is_finite() and _small < value < _big{'' if negative_ok else ' and value >= 0'} and not value.is_zero() and in_range(value):",
                    "            return value, None"]
        out += [f"        return coerce(value, {kind!r}, _allow_negative, _unit)", "    return fast"]
        ns = {**FIGURE_NAMES, "coerce": coerce, "in_range": in_range, "_small": _NEG_MAX, "_big": MAX_MAGNITUDE}
        exec(compile("\n".join(out) + "\n", f"<coercer: {kind}>", "exec"), ns)  # noqa: S102 - our own template
        maker = _MAKERS[(kind, negative_ok)] = ns["make"]
    return maker


_COERCERS: dict[int, tuple[Any, dict]] = {}  # id(table declaration) → (it, column → coercer)


def _column_coercers(decl) -> dict:
    return made_for(_COERCERS, decl, lambda d: {k: coercer(c.type, c.allow_negative, d.unit) for k, c in d.columns.items()}, 256)


_INPUT_COERCERS: dict[int, tuple[Any, dict]] = {}  # id(the ruleset's inputs) → (them, name → coercer)


def _input_coercers(decls) -> dict:
    return made_for(_INPUT_COERCERS, decls, lambda ds: {k: coercer(d.type, d.allow_negative, d.unit) for k, d in ds.items()}, 256)


def _checked(number: Decimal, is_pct: bool, kind: str, allow_negative: bool | None, unit: str | None = None) -> tuple[Any, str | None]:
    if not in_range(number):  # e.g. a quoted "0.000…1" with 40 places
        return None, "input.number_range"
    if abs(number) >= MAX_MAGNITUDE:
        return None, "input.too_large"
    if kind == "percent" and not is_pct and abs(number) > MAX_BARE_RATIO:
        if unit != "%" or abs(number) <= 2:
            return None, "input.percent_ambiguous"
        number = number.scaleb(-2)  # in a column whose unit is %, a bare 100 is 100%
    if number.is_zero():
        number = number.copy_abs()  # -0 is 0 (and never prints as -0)
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
            self.add(code, self.at(path), value=show_value(value), **label)
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


def read_entry(node: Node, entry: dict, path: tuple, smap: SourceMap, entries: dict, where, unmeasured: str = "error",
               generated: bool = False) -> list[Diagnostic]:
    """One indicator's data into `entries`; the problems found (for `engine.unit.indicator_rows`,
    whose indicator rows carry the same fields). `generated`: a plain entry is
    read by the generated reader of the indicator's shape (a batch; one file
    compiles none); any other by `_entry_data`."""
    if generated:
        made = entry_reader(node)(entry)
        if made is not None:
            entries[node.key] = made
            return []
    rd = Reader(smap, where(()).file)
    entries[node.key] = _entry_data(node, entry, path, rd, unmeasured)
    return rd.problems


_ENTRY_KEY_SET = frozenset(ENTRY_KEYS)
_JUDGED_KEYS = frozenset(("score", "level", "coefficient"))


def _entry_data(node: Node, entry: dict, path: tuple, rd: Reader, unmeasured: str = "error") -> dict:
    before = len(rd.problems)
    out: dict[str, Any] = {}
    method = node.method.NAME if node.method is not None else None
    uses = getattr(node.method, "ENTRY_FIELDS", _ENTRY_FIELDS.get(method or "", ()))
    # A field's place (path + (key,)) and words are made only for a problem.
    for key, value in entry.items():
        if key not in _ENTRY_KEY_SET:
            rd.add("input.unknown_entry_key", rd.key_at(path + (key,)), key=key, name=node.name, suggestion=suggest(str(key), ENTRY_KEYS), known=", ".join(ENTRY_KEYS))
        elif key in _JUDGED_KEYS and key not in uses:
            rd.add("input.field_not_used", rd.key_at(path + (key,)), key=key, name=node.name, method=method or "")
        elif key == "actual":
            if node.actual is not None:
                rd.add("input.actual_is_computed", rd.key_at(path + (key,)), name=node.name)
                continue
            judged = method in _JUDGED  # the evaluator's score: a numeric actual is kept as a number when it reads as one
            quantitative = node.value_type in NUMERIC_TYPES
            v, code = coerce(value, node.value_type if quantitative else "text", True, node.unit)
            if judged and code:
                v, code = coerce(value, "text", True, node.unit)
            if code == "input.not_number":
                code = "input.actual_is_target" if _looks_like_target(value) else "input.actual_not_number"
                if unmeasured != "error":  # scored as the scheme says, with a finding (engine.evaluation.review)
                    out["actual"], out["unmeasured"] = None, show_value(value)
                    continue
            if code:
                rd.add(code, rd.at(path + (key,)), value=show_value(value), target=node.target_text or "", label=node.name, field=key)
                continue
            out["actual"] = None if v is _EMPTY else v
        elif key == "explanation" or key == "note" or key == "level":  # text
            if value.__class__ is str:
                out[key] = value.strip() or None
                continue
            if isinstance(value, (dict, list)):
                rd.add("input.not_text", rd.at(path + (key,)), value=show_value(value), label=node.name, field=key)
                continue
            if value is not None and not isinstance(value, str):
                value = format(value, "f") if isinstance(value, Decimal) else str(value)
            out[key] = value.strip() if isinstance(value, str) and value.strip() else None
        elif key == "adjusted_target":
            kind = node.value_type if node.value_type in NUMERIC_TYPES else "text"
            v = rd.value(value, kind, path + (key,), True, node.unit, label=node.name, field=key)
            if v is not None:
                out[key] = None if v is _EMPTY else v
        elif key == "score" or key == "coefficient":
            # A coefficient is often written as a percentage (100%, 85%): 1, 0.85.
            pct = key == "coefficient" and isinstance(value, str) and value.strip().endswith(("%", "％"))
            v, code = coerce(value, "percent" if pct else "number", False, None)
            if code:
                rd.add(code, rd.at(path + (key,)), value=show_value(value), label=node.name, field=key)
            else:
                out[key] = None if v is _EMPTY else v
        else:  # not_applicable
            if not isinstance(value, bool):
                rd.add("input.not_boolean", rd.at(path + (key,)), value=show_value(value), label=node.name, field=key)
                continue
            out[key] = value
    if not out.get("not_applicable") and "unmeasured" not in out:
        need = _needed_field(node)
        # A field already reported as malformed is not reported again as missing.
        if need and out.get(need) is None and len(rd.problems) == before:
            rd.add(f"input.missing_{need}", rd.at(path + ((need,) if need in entry else ())), name=node.name, key=node.key)
    return out


def entry_field_code(node: Node, fname: str, tag: str, ns: dict, cell: bool) -> list[str]:
    """Statements reading value `v` of field `fname` into entry `e` as
    `_entry_data` reads it when it is plain; anything `_entry_data` would
    report or treat specially: `return None` (the caller falls back to it).
    `cell`: `v` is a non-blank sheet cell (text: `是`/`否` for not_applicable);
    else a value as a data file holds it. Converters are bound in `ns`, named
    with `tag`. Generated readers: `entry_reader` (data files) and
    `engine.unit.sheet_units` (sheet rows)."""
    method = node.method.NAME if node.method is not None else None
    uses = getattr(node.method, "ENTRY_FIELDS", _ENTRY_FIELDS.get(method or "", ()))
    if fname in _JUDGED_KEYS and fname not in uses:
        return ["return None"]  # a field the scoring does not read (input.field_not_used)
    if fname in ("explanation", "note", "level"):
        text = [] if cell else ["if v.__class__ is not str:", "    return None"]
        return [*text, f"e[{fname!r}] = v.strip() or None"]
    if fname == "not_applicable":
        if not cell:
            return ["if v is not True and v is not False:", "    return None", "e['not_applicable'] = v"]
        return ["s = v.strip()", "if s in _TRUE:", "    e['not_applicable'] = True", "elif s in _FALSE:",
                "    e['not_applicable'] = False", "else:", "    return None"]
    if fname == "actual":
        if node.actual is not None:
            return ["return None"]  # computed by the ruleset (input.actual_is_computed)
        quantitative = node.value_type in NUMERIC_TYPES
        ns[f"_ca{tag}"] = coercer(node.value_type if quantitative else "text", True, node.unit)
        lines = [f"x, code = _ca{tag}(v)"]
        if method in _JUDGED:  # the evaluator's score: an actual that is no number is kept as text
            ns[f"_cat{tag}"] = coercer("text", True, node.unit)
            lines += ["if code is not None:", f"    x, code = _cat{tag}(v)"]
        lines += ["if code is not None:", "    return None", "if x is _EMPTY:", "    x = None"]
        plain = plain_figure(node.value_type, True, "v") if quantitative else None
        if plain is not None:  # a plain figure taken at once (names: figure_names()); a data file's value may be no text
            lines = [f"x = {plain}" if cell else f"x = {plain} if v.__class__ is str else None", "if not x:", *("    " + line for line in lines)]
        return lines + ["e['actual'] = x"]
    if fname == "adjusted_target":
        kind = node.value_type if node.value_type in NUMERIC_TYPES else "text"
        ns[f"_cj{tag}"] = coercer(kind, True, node.unit)
        return [f"x, code = _cj{tag}(v)", "if code is not None:", "    return None", "e['adjusted_target'] = None if x is _EMPTY else x"]
    if fname not in ("score", "coefficient"):
        return ["return None"]  # not an entry field (input.unknown_entry_key)
    # score, coefficient (a coefficient is often written as a percentage: 85%)
    ns[f"_cn{tag}"] = coercer("number", False, None)
    ns["_cp"] = coercer("percent", False, None)
    pct = "v.strip().endswith(('%', '％'))" if cell else "v.__class__ is str and v.strip().endswith(('%', '％'))"
    pick = f"_cn{tag}" if fname == "score" else f"(_cp if {pct} else _cn{tag})"
    return [f"x, code = {pick}(v)", "if code is not None:", "    return None", f"e[{fname!r}] = None if x is _EMPTY else x"]


_ENTRY_READERS: dict[tuple, Callable] = {}  # an indicator's shape (`entry_shape`) → its generated entry reader


def entry_shape(node: Node) -> tuple:
    """What an indicator's entry reader depends on (`entry_field_code` reads
    nothing else of the node): its scoring method, whether its actual is
    computed, its value type and unit. Indicators of one shape share a reader:
    a batch of projects brings new rows, not new shapes."""
    return (node.method, node.actual is None, node.value_type, node.unit)


def entry_reader(node: Node) -> Callable[[dict], "dict | None"]:
    """The indicator's entry reader, generated on first use of its shape: an
    entry (`{actual: …, explanation: …}`) read field by field as `_entry_data`
    reads it, or None when any field is not plain (then `_entry_data` reads
    it and reports what is wrong). tests/test_inputs_fast.py holds the two
    to the same result."""
    shape = entry_shape(node)
    read = _ENTRY_READERS.get(shape)
    if read is None:
        read = stored(_ENTRY_READERS, shape, _make_entry_reader(node), 4096)
    return read


def _make_entry_reader(node: Node) -> Callable[[dict], "dict | None"]:
    ns: dict[str, Any] = {**figure_names(), "_EMPTY": _EMPTY}
    out = ["def read(entry):", "    e = {}", "    for key, v in entry.items():"]
    first = True
    for fname in ENTRY_KEYS:
        out.append(f"        {'if' if first else 'elif'} key == {fname!r}:")
        out += ["            " + line for line in entry_field_code(node, fname, fname, ns, cell=False)]
        first = False
    out += ["        else:", "            return None"]
    need = _needed_field(node)
    if need:
        out += [f"    if not e.get('not_applicable') and e.get({need!r}) is None:", "        return None"]
    out.append("    return e")
    method = node.method.NAME if node.method is not None else "none"
    exec(compile("\n".join(out) + "\n", f"<entry reader: {method} {node.value_type} {node.unit}>", "exec"), ns)  # noqa: S102 - generated from the indicator's shape; names only as repr literals
    return ns["read"]


def _looks_like_target(value: Any) -> bool:
    return isinstance(value, str) and value.strip().startswith(_TARGET_MARKS)


