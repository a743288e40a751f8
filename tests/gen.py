"""Hypothesis strategies: small rulesets and unit data as YAML text, formulas
(well-formed and hostile), and mutations of files.

A generated `Scheme` is a ruleset that is valid by construction (weights sum
to 100, every parameter within its method's rules) plus unit data that is
mostly valid; `Scheme.valid_data` says whether the data was built to be
accepted. `yaml_text` writes the YAML itself, so the test exercises the strict
loader rather than a shortcut.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal

from hypothesis import strategies as st

# --- YAML text ----------------------------------------------------------------

_PLAIN_SAFE = re.compile(r"^[A-Za-z\u4e00-\u9fff][A-Za-z0-9_\u4e00-\u9fff%.]*$")
_RESERVED = {"null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE"}


def _scalar(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _PLAIN_SAFE.match(text) and text not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)  # a valid YAML double-quoted scalar


def yaml_text(value, indent: int = 0) -> str:
    """Block-style YAML for dicts, lists and scalars (strings quoted when needed)."""
    pad = "  " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        if not value:
            return pad + "{}\n"
        for k, v in value.items():
            key = _scalar(str(k))
            if isinstance(v, (dict, list)) and v:
                lines.append(f"{pad}{key}:\n{yaml_text(v, indent + 1)}")
            else:
                lines.append(f"{pad}{key}: {_inline(v)}\n")
        return "".join(lines)
    if isinstance(value, list):
        if not value:
            return pad + "[]\n"
        for item in value:
            if isinstance(item, (dict, list)) and item:
                body = yaml_text(item, indent + 1)
                lines.append(f"{pad}- {body.lstrip()}")
            else:
                lines.append(f"{pad}- {_inline(item)}\n")
        return "".join(lines)
    return pad + _scalar(value) + "\n"


def _inline(v) -> str:
    if isinstance(v, dict):
        return "{}"
    if isinstance(v, list):
        return "[]"
    return _scalar(v)


# --- numbers ------------------------------------------------------------------


def decimals(lo: int | str, hi: int | str, places: int = 2) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal(lo), max_value=Decimal(hi), places=places, allow_nan=False, allow_infinity=False)


@st.composite
def partition(draw, total_units: int, parts: int) -> list[int]:
    """`parts` non-negative integers summing to `total_units`."""
    cuts = sorted(draw(st.lists(st.integers(0, total_units), min_size=parts - 1, max_size=parts - 1)))
    bounds = [0, *cuts, total_units]
    return [bounds[i + 1] - bounds[i] for i in range(parts)]


# --- rulesets and data ----------------------------------------------------------

METHODS = ("proportional", "reverse", "reverse_linear", "threshold", "bands", "deduct", "manual", "qualitative", "formula", "coefficient")
QUANTITATIVE = {"proportional", "reverse", "reverse_linear", "threshold", "bands", "deduct", "formula"}
FORMULA_EXPRS = (
    "min(weight, weight * actual / target)",
    "weight * clamp(actual / target, 0, 1)",
    "weight if actual >= target else 0",
    "round_half_up(weight * min(1, actual / target), 2)",
    "max(0, weight - abs(actual - target))",
    "weight * actual / target",  # may exceed the weight: a located error, never a clipped score
)
GRADE_LABELS = ("优", "良", "中", "差", "较差")


@dataclass(frozen=True)
class Scheme:
    ruleset: str
    data: str
    valid_data: bool
    places: int
    scope: str


@st.composite
def _leaf(draw, key: str, weight: Decimal, valid: bool, with_metric: bool, loose: bool) -> tuple[dict, dict | None]:
    """An indicator leaf (ruleset side) and its data entry (None: left out).
    With `loose`, point parameters may lie outside [0, weight]."""
    method = draw(st.sampled_from(METHODS))

    def points(lo=0):
        """A number of points for a parameter: within [lo, weight], or anywhere near it when loose."""
        if loose and draw(st.booleans()):
            return draw(decimals(-5, weight + 10))
        return draw(decimals(lo, weight))

    node: dict = {"id": key, "name": f"指标{key}", "weight": weight}
    entry: dict = {}
    scoring: dict = {"method": method}

    if method in QUANTITATIVE:
        from_metric = with_metric and draw(st.booleans())
        percent = not from_metric and draw(st.booleans())
        target = draw(decimals(0, 1, 4) if percent or from_metric else decimals(0, 10000, draw(st.integers(0, 2))))
        needs_ratio = method == "formula" or (method == "bands" and draw(st.booleans()))
        if needs_ratio and target == 0:
            target = Decimal(1)

        def show(x: Decimal):
            return f"{format(x * 100, 'f')}%" if percent else x

        node["operator"] = {"proportional": "≥", "reverse": "≤", "reverse_linear": "≤"}.get(method) or draw(st.sampled_from(["≥", "≤", "="]))
        node["target"] = show(target)
        if percent:
            node["unit"] = "%"
        if from_metric:
            node["actual"] = "执行率"
        else:
            # Formulas over a negative actual may leave [0, weight]: a located error, kept for invalid data.
            low = 0 if valid and method == "formula" else (-10 if percent else -100)
            actual = draw(decimals(low, 2, 4) if percent else decimals(low, 20000, draw(st.integers(0, 3))))
            entry["actual"] = show(actual)
            if not valid and draw(st.booleans()):
                entry["actual"] = draw(st.sampled_from(["≥266米", "—", "", "一百", "12,34.5", "1e99999", "50%%"]))
        if method == "threshold":
            if draw(st.booleans()):
                scoring["full"] = points()
            if draw(st.booleans()):
                scoring["otherwise"] = points()
            if node["operator"] == "=" and draw(st.booleans()):
                scoring["tolerance"] = draw(decimals(0, 10))
        elif method == "bands":
            scoring["on"] = draw(st.sampled_from(["completion", "deviation"])) if needs_ratio else "actual"
            scoring["abs"] = draw(st.booleans())
            scoring["bands"] = [draw(_band(points)) for _ in range(draw(st.integers(1, 4)))]
            scoring["otherwise"] = points()
        elif method == "deduct":
            scoring.update(
                step=draw(decimals("0.01", 100)), points=draw(decimals(-2 if loose else 0, 10)), floor=points(),
                partial=draw(st.sampled_from(["floor", "ceil", "exact"])),
            )
            if draw(st.booleans()):
                scoring["direction"] = draw(st.sampled_from(["over", "under"]))
        elif method == "formula":
            exprs = FORMULA_EXPRS if not valid else FORMULA_EXPRS[:-1]
            scoring["expr"] = draw(st.sampled_from(exprs))
    else:
        node["operator"] = "定性"
        node["target"] = "达到预期"
        if method == "manual":
            lo = points()
            hi = points(max(lo, 0)) if lo <= weight else points()
            scoring.update(min=lo, max=hi)
            entry["score"] = draw(decimals(min(lo, hi), max(lo, hi))) if valid else draw(decimals(-5, 50))
            entry["actual"] = "基本达到"
        elif method == "qualitative":
            score = draw(decimals(0, weight)) if valid else draw(decimals(-5, 50))
            entry["score"] = score
            if draw(st.booleans()):  # the level the score lies in (the national three bands)
                entry["level"] = "达成" if score >= weight * Decimal("0.8") else "部分达成" if score >= weight * Decimal("0.6") else "未达成"
                if not valid and draw(st.booleans()):
                    entry["level"] = draw(st.sampled_from(["达成", "未达成", "完成"]))
        elif method == "coefficient":
            entry["coefficient"] = draw(decimals(0, 1, 3)) if valid else draw(decimals(-1, 3))
    node["scoring"] = scoring

    if draw(st.integers(0, 9)) == 0:
        entry["explanation"] = "说明"
    if draw(st.integers(0, 19)) == 0:
        entry = {"not_applicable": True}
    if not valid and draw(st.integers(0, 9)) == 0:
        return node, None
    return node, entry


@st.composite
def _band(draw, points) -> dict:
    band: dict = {}
    lo, hi = draw(st.none() | decimals(-2, 2)), draw(st.none() | decimals(-2, 2))
    if lo is None and hi is None:
        hi = Decimal(1)
    if lo is not None:
        band["min"] = lo
    if hi is not None:
        band["max"] = hi
    if draw(st.booleans()):
        band["score"] = points()
    else:
        band["ratio"] = draw(decimals(0, 1))
    return band


def _decimal_places(x: Decimal) -> int:
    return max(0, -x.normalize().as_tuple().exponent)


@st.composite
def _tree(draw, key: str, weight: Decimal, depth: int, max_places: int, valid: bool, with_metric: bool, loose: bool, entries: dict) -> dict:
    if depth >= 3 or draw(st.integers(0, 2)) == 0:
        node, entry = draw(_leaf(key, weight, valid, with_metric, loose))
        if entry is not None:
            entries[key] = entry
        return node
    # Children's weights are split no finer than the scores keep (full marks
    # must round to the weight), and no coarser than the parent's own weight.
    unit = Decimal(1).scaleb(-draw(st.integers(min(_decimal_places(weight), max_places), max_places)))
    parts = draw(partition(int(weight / unit), draw(st.integers(1, 3))))
    children = [draw(_tree(f"{key}.{i + 1}", unit * p, depth + 1, max_places, valid, with_metric, loose, entries)) for i, p in enumerate(parts)]
    return {"id": key, "name": f"指标{key}", "weight": weight, "children": children}


@st.composite
def schemes(draw, valid: bool | None = None) -> Scheme:
    """A ruleset and unit data, both valid when `valid`; when None, either may
    break the rules: data with wrong values, or a ruleset whose parameters lie
    outside [0, weight] or whose weights have more decimals than scores keep."""
    data_valid = draw(st.booleans()) if valid is None else valid
    loose = valid is None and draw(st.booleans())
    places = draw(st.integers(0, 4))
    scope = draw(st.sampled_from(["indicator", "total"]))
    max_places = 2 if loose else min(places, 2)
    unit = Decimal(1).scaleb(-draw(st.integers(0, max_places)))
    parts = draw(partition(int(Decimal(100) / unit), draw(st.integers(1, 4))))
    with_metric = draw(st.booleans())
    entries: dict = {}
    indicators = [draw(_tree(str(i + 1), unit * p, 1, max_places, data_valid, with_metric, loose, entries)) for i, p in enumerate(parts)]

    n_grades = draw(st.integers(1, 4))
    mins = sorted(draw(st.lists(st.integers(1, 99), min_size=n_grades - 1, max_size=n_grades - 1, unique=True)), reverse=True)
    grades = [{"label": GRADE_LABELS[i], "min": Decimal(m)} for i, m in enumerate(mins)] + [{"label": GRADE_LABELS[len(mins)], "min": Decimal(0)}]

    ruleset: dict = {"id": "generated", "title": "生成的规则集", "year": 2024, "kind": "部门整体支出"}
    data: dict = {"subject": {"name": "某单位"}}
    if with_metric:
        ruleset["inputs"] = {"预算数": {"type": "money"}, "执行数": {"type": "money"}}
        ruleset["metrics"] = {"执行率": "执行数 / 预算数"}
        budget = draw(decimals("0.01" if data_valid else 0, 100000))
        data["inputs"] = {"预算数": budget, "执行数": draw(decimals(0, 120000))}
    ruleset.update(indicators=indicators, grades=grades, rounding={"places": places, "scope": scope})
    data["indicators"] = entries
    return Scheme(yaml_text(ruleset), yaml_text(data), data_valid, places, scope)


def _walk(node: dict):
    yield node
    for c in node.get("children", ()):
        yield from _walk(c)


# --- formulas -----------------------------------------------------------------

FORMULA_NAMES = ("甲", "乙", "全年执行数", "预算表.合计", "说明")  # 说明 is a text input
_ATOMS = (
    "0", "1", "2.5", "0.1", "-3", "1_000", "0x1F", "0o17", "0b101", "1e3", "1e999999999", "9" * 60, "1j",
    "True", "False", "None", "...", "'x'", '"%0999999999d"', "b'x'", "f'{1}'", "[]", "()", "{}",
)
_CALLEES = (
    "min", "max", "abs", "clamp", "round_half_up",
    "__import__", "eval", "exec", "open", "getattr", "rand", "print", "len", "range", "type",
)
_BINOPS = ("+", "-", "*", "/", "**", "%", "//", "@", "&", "|", "^", "<<", ">>", "<", "<=", "==", "!=", ">", ">=", " in ", " is ", " and ", " or ")


def _formula_extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pair = st.tuples(children, children)
    return st.one_of(
        st.builds(lambda ab, op: f"{ab[0]} {op} {ab[1]}", pair, st.sampled_from(_BINOPS)),
        st.builds(lambda a, op: f"{op}{a}", children, st.sampled_from(("-", "+", "not ", "~"))),
        st.builds(lambda a: f"({a})", children),
        st.builds(lambda abc: f"{abc[0]} if {abc[1]} else {abc[2]}", st.tuples(children, children, children)),
        st.builds(lambda f, args: f"{f}({', '.join(args)})", st.sampled_from(_CALLEES), st.lists(children, max_size=4)),
        st.builds(lambda a, n: f"{a} ** {n}", children, st.sampled_from(("2", "8", "9", "-8", "0.5", "4000000", "甲", "(1+1)"))),
        st.builds(lambda a, attr: f"({a}).{attr}", children, st.sampled_from(("__class__", "real", "__globals__", "x"))),
        st.builds(lambda a: f"{a}[0]", children),
        st.builds(lambda a: f"[{a} for x in range(10)]", children),
        st.builds(lambda a: f"lambda: {a}", children),
        st.builds(lambda a: f"(x := {a})", children),
        st.builds(lambda a: f"round_half_up({a}, places=2)", children),
        st.builds(lambda a: f"min(*[{a}])", children),
    )


def pick(items: tuple) -> st.SearchStrategy:
    """Like `sampled_from`, without putting every (possibly huge) item in the repr."""
    return st.integers(0, len(items) - 1).map(lambda i: items[i])


def _allowed_extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pair = st.tuples(children, children)
    ops = ("+", "-", "*", "/", "<", "<=", "==", "!=", ">", ">=", "and", "or")
    return st.one_of(
        st.builds(lambda ab, op: f"({ab[0]} {op} {ab[1]})", pair, st.sampled_from(ops)),
        st.builds(lambda a, op: f"{op}({a})", children, st.sampled_from(("-", "+", "not "))),
        st.builds(lambda abc: f"({abc[0]} if {abc[1]} else {abc[2]})", st.tuples(children, children, children)),
        st.builds(lambda f, args: f"{f}({', '.join(args)})", st.sampled_from(("min", "max")), st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda a: f"abs({a})", children),
        st.builds(lambda abc: f"clamp({abc[0]}, {abc[1]}, {abc[2]})", st.tuples(children, children, children)),
        st.builds(lambda a, n: f"round_half_up({a}, {n})", children, st.sampled_from(("0", "2", "4"))),
        st.builds(lambda a, n: f"({a}) ** {n}", children, st.sampled_from(("2", "3", "8", "-1", "-8"))),
    )


def allowed_formulas() -> st.SearchStrategy[str]:
    """Formulas within the whitelist (they compile; evaluating may still fail)."""
    atoms = st.sampled_from(("0", "1", "2.5", "0.001", "100", "1e3", "1_000", "True", "甲", "乙", "全年执行数", "预算表.合计"))
    return st.recursive(atoms, _allowed_extend, max_leaves=10)


def formulas() -> st.SearchStrategy[str]:
    """Formulas from the grammar we allow and well beyond it, plus raw noise."""
    atoms = st.sampled_from(_ATOMS + FORMULA_NAMES)
    grammar = st.recursive(atoms, _formula_extend, max_leaves=12)
    noise = st.text(alphabet=st.sampled_from(list("甲乙()[]{}.,:;=+-*/%<>!&|^~'\"\\ \t\n0123456789eE_jx（），＋×÷＝≥≤") + ["\x00", "\u202e"]), max_size=80)
    joined = st.lists(st.sampled_from(_ATOMS + FORMULA_NAMES + _BINOPS + ("(", ")", ",") + _CALLEES), max_size=30).map(" ".join)
    return st.one_of(allowed_formulas(), allowed_formulas(), grammar, grammar, noise, joined)


HOSTILE_FORMULAS = (
    "__import__('os').system('echo pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "4000000 ** 4000000",
    "9 ** 9 ** 9 ** 9",
    "'%0999999999d' % 1",
    "'a'.ljust(10 ** 9)",
    "[x for x in range(10 ** 9)]",
    "[[y for y in range(10 ** 6)] for x in range(10 ** 6)]",
    "1" + "+1" * 499,
    "1" + "+1" * 100000,
    "(" * 100 + "1" + ")" * 100,
    "(" * 5000 + "1" + ")" * 5000,
    "-" * 900 + "1",
    "not " * 200 + "1",
    "x = 1",
    "1; 2",
    "rand()",
    "lambda: 1",
    "甲 if 乙 else 全年执行数",
    "round_half_up(1 > 0)",
    "round_half_up(甲, 10 ** 30)",
    "round_half_up(甲, -5)",
    "abs(True) * 甲",
    "((((甲 ** 8) ** 8) ** 8) ** 8) ** 8",
    "(((((甲 ** 8) ** 8) ** 8) ** 8) ** 8) ** 8",  # beyond Emax: overflow
    "甲 ** -8",
    "0 ** 0",
    "min()",
    "clamp(甲, 乙)",
    "说明 + 1",
    "全年执行数 / 0",
    "1e999999999",
    "0e-999999999",
    "0x" + "f" * 900,
    "预算表.合计.__class__",
    "甲.__class__",
    "__builtins__",
    "f'{甲}'",
    "\"\\N{LATIN SMALL LETTER A}\"",
    "甲\u202e+乙",
    "",
    " ",
    "\n",
    "（甲＋乙）",
)


# --- mutated files ------------------------------------------------------------

HOSTILE_SCALARS = (
    "&a x", "*a", "&a [1, 2]", '!!python/object/apply:os.system ["echo pwned"]', "!!python/name:os.system",
    "!!binary aGk=", "!foo x", "! x", "!!str 5",
    "[" * 80 + "]" * 80, "{a: " * 80 + "1" + "}" * 80, "- " * 80 + "x",
    "1e999999999", "-1e999999999", "1e-999999999", "0e999999999", "9" * 400, "0x" + "f" * 100, ".inf", "-.inf", ".nan",
    "no", "yes", "on", "off", "y", "n", "010", "0o17", "0x1F", "12:30", "1:30:00", "1_000", "2001-12-14", "~", "null", "true",
    '"\\u0000"', '"\\e[2J"', '"\\x9b"', '"\\ud800"', '"\\t"', '"' + "长" * 100000 + '"', "x" * 200000,
    "'", '"', "|", ">", "|-\n  a\n  b", "- x", "? x", "%YAML 1.1", "---", "...", "@x", "`x", "#", "\t", "{", "}", "[", "]", ",",
    "：", "—", "/", "", "-0", "+1", "NaN", "Infinity", "3,921.33", "93.59%", "１２３", "≥266米", "100％", "1,2,3", "1.2.3",
    "{}", "[]", "[1, [2, [3]]]", "{a: 1, a: 2}", "{? [1]: 2}",
)

_VALUE = re.compile(r"(?m)(:[ \t]+)([^\n#]*)")


def _mutate_text(text: str, ops: list) -> str:
    for op in ops:
        kind, a, b, c = op
        n = len(text)
        if kind == "truncate":
            text = text[: a % (n + 1)]
        elif kind == "delete":
            i = a % (n + 1)
            text = text[:i] + text[i + b % 200 :]
        elif kind == "insert":
            i = a % (n + 1)
            text = text[:i] + c + text[i:]
        elif kind == "value":
            matches = list(_VALUE.finditer(text))
            if matches:
                m = matches[a % len(matches)]
                text = text[: m.start(2)] + c + text[m.end(2) :]
        elif kind == "lines":
            lines = text.split("\n")
            i, j = a % len(lines), b % len(lines)
            if c == "dup":
                lines.insert(i, lines[i])
            elif c == "swap":
                lines[i], lines[j] = lines[j], lines[i]
            elif c == "indent":
                lines[i] = "  " + lines[i]
            elif c == "dedent":
                lines[i] = lines[i].lstrip()
            elif c == "drop":
                del lines[i]
            text = "\n".join(lines)
        elif kind == "deep":
            i = a % (n + 1)
            depth = 50 + b % 20000
            nest = ("[" * depth + "]" * depth) if c == "flow" else ("- " * depth + "x") if c == "block" else ("{a: " * depth + "1" + "}" * depth)
            text = text[:i] + nest + text[i:]
    return text


def _encode(text: str, encoding: str, flips: list) -> bytes:
    if encoding in ("gbk", "gb18030", "latin-1", "ascii", "cp1252"):
        raw = text.encode(encoding, errors="replace")
    else:
        raw = text.encode(encoding, errors="surrogatepass")
    if flips:
        buf = bytearray(raw)
        for pos, byte in flips:
            if buf:
                buf[pos % len(buf)] = byte
        raw = bytes(buf)
    return raw


_TEXT_OPS = st.tuples(
    st.sampled_from(["truncate", "delete", "insert", "value", "value", "value", "lines", "deep"]),
    st.integers(0, 10**6), st.integers(0, 10**6),
    st.one_of(
        pick(HOSTILE_SCALARS),
        st.sampled_from(["dup", "swap", "indent", "dedent", "drop", "flow", "block", "map"]),
        st.text(max_size=20),
    ),
)


def mutated(original: str) -> st.SearchStrategy[bytes]:
    """`original` after a few random edits, then encoded (usually UTF-8) and
    perhaps with some bytes overwritten; or random bytes altogether."""
    edited = st.builds(
        _encode,
        st.builds(_mutate_text, st.just(original), st.lists(_TEXT_OPS, min_size=1, max_size=4)),
        st.sampled_from(["utf-8"] * 6 + ["utf-8-sig", "gbk", "gb18030", "utf-16", "utf-32", "latin-1", "cp1252"]),
        st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=3),
    )
    return st.one_of(edited, edited, edited, st.binary(max_size=2000))


# Values that replace parts of a loaded data file (structure-aware mutation).
hostile_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), pick(HOSTILE_SCALARS),
        st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**12), max_value=10**12, places=4),
        st.text(max_size=30),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=3)),
    max_leaves=8,
)


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, path + (i,))


def _set(value, path, new):
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _set(value[head], rest, new)}
    out = list(value)
    out[head] = _set(out[head], rest, new)
    return out


def _drop(value, path):
    if len(path) == 1:
        if isinstance(value, dict):
            return {k: v for k, v in value.items() if k != path[0]}
        return [v for i, v in enumerate(value) if i != path[0]]
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _drop(value[head], rest)}
    out = list(value)
    out[head] = _drop(out[head], rest)
    return out


@st.composite
def restructured(draw, data) -> str:
    """`data` (a loaded file) with a few values replaced, keys dropped or
    added, written back as YAML text."""
    for _ in range(draw(st.integers(1, 4))):
        paths = list(_paths(data))
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "replace", "drop", "add"]))
        if action == "replace":
            data = _set(data, path, draw(hostile_values))
        elif action == "drop" and path:
            data = _drop(data, path)
        elif action == "add":
            target = data
            for p in path:
                target = target[p]
            if isinstance(target, dict):
                data = _set(data, path, {**target, draw(st.text(min_size=1, max_size=8)): draw(hostile_values)})
    return yaml_text(data)
