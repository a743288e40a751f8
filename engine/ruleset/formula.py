"""Safe formulas (公式): compile once, evaluate many times.

A formula is one arithmetic expression over declared names, e.g.
`全年执行数 / 全年预算数`. Compiling it

1. caps its length before parsing and refuses full-width operators with a hint;
2. parses it as a single expression (statements are syntax errors);
3. walks the tree against a whitelist (arithmetic, comparisons, `and`/`or`/
   `not`, `a if c else b`, calls of our own functions, names, numbers), with
   caps on node count and depth, and every name checked against the declared
   ones ("did you mean");
4. rewrites numeric literals to exact `Decimal`s from their source text.

The checked tree is the contract. `Formula.evaluate` runs it as a small
generated Python function (names become lookups in one flat mapping, literals
and functions are bound constants, builtins are empty) because walking the tree
in Python per node costs ten times more; `Formula.evaluate_reference` runs the
same tree through simpleeval, and a differential test keeps the two identical.
Safety comes from the whitelist, not from either evaluator: no attribute
access, subscripts, strings, containers, comprehensions or lambdas can reach
them, and only `Decimal`s and booleans flow through, so arithmetic is bounded
(`Decimal(9) ** 4000000` is refused by the exponent cap, and Decimal overflow
traps).
"""
from __future__ import annotations

import ast
import copy
import decimal
import unicodedata
import warnings
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Iterable, Mapping

from engine.base import numeric
from engine.base.diagnostics import Diagnostic, SourceSpan

MAX_LENGTH = 1000
MAX_NODES = 200
MAX_DEPTH = 32
MAX_POWER = 8
MAX_PLACES = 10  # round_half_up(x, places): places is a whole-number literal 0..10

Locator = Callable[[int], "SourceSpan | None"]


def _clamp(x, lo, hi):
    return lo if x < lo else hi if x > hi else x


def _round_half_up(x, places=Decimal(2)):
    # A comparison or `True + 1` yields a bool or int: round it as a number.
    if not isinstance(x, Decimal):
        x = Decimal(int(x))
    return numeric.round_half_up(x, int(places))


def _min(*args):
    return min(args)


def _max(*args):
    return max(args)


def _abs(x):
    return abs(x)


# name → (function, min args, max args). Our own table only: never simpleeval's
# defaults (which include rand()).
FUNCTIONS: dict[str, tuple[Callable, int, int]] = {
    "min": (_min, 1, 20),
    "max": (_max, 1, 20),
    "abs": (_abs, 1, 1),
    "clamp": (_clamp, 3, 3),
    "round_half_up": (_round_half_up, 1, 2),
}

_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
_UNARY = (ast.USub, ast.UAdd, ast.Not)
_CMPOPS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_BOOLOPS = (ast.And, ast.Or)
# Typed by staff on Chinese keyboards; Python would reject or misread them.
_FULLWIDTH_HINTS = {
    "（": "(", "）": ")", "，": ",", "＋": "+", "－": "-", "＊": "*", "／": "/",
    "×": "*", "÷": "/", "＝": "==", "＜": "<", "＞": ">", "≤": "<=", "≥": ">=",
    "≠": "!=", "％": "%", "：": ":", "。": ".", "\u3000": " ",
}
_OP_NAMES = {
    ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|",
    ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>", ast.Invert: "~",
    ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not",
}


@dataclass(frozen=True, slots=True)
class Formula:
    """A checked formula. `names` are the flat names it reads, in order of first use."""

    text: str
    names: tuple[str, ...]
    _fn: Callable[[Mapping[str, object]], object]
    _tree: ast.AST  # the checked tree (names as `_e[...]` lookups, literals as `_c<i>`)
    _ref_names: tuple[tuple[str, object], ...]

    def evaluate(self, env: Mapping[str, object]):
        """Value over `env` (flat name → Decimal). Decimal errors propagate to
        the caller, who knows which indicator or metric this is."""
        return _result(self._fn(env))

    def inline(self, env: str, prefix: str, ns: dict) -> str:
        """This formula as one Python expression over the mapping named `env`,
        for generated evaluators: the checked tree `function` is compiled
        from, printed back (`ast.unparse`), its literals and functions bound in
        `ns` under names starting with `prefix`. Its raw value, as `function`'s."""
        bound = {"_e": env, "_pow": f"{prefix}pow"}
        for name, value in self._ref_names:  # the literals, `_c<i>`
            bound[name] = f"{prefix}{name}"
            ns[f"{prefix}{name}"] = value
        ns[f"{prefix}pow"] = _pow
        for key, (fn, _, _) in FUNCTIONS.items():
            bound[f"_f_{key}"] = f"{prefix}f_{key}"
            ns[f"{prefix}f_{key}"] = fn

        class Rename(ast.NodeTransformer):
            def visit_Name(self, node: ast.Name) -> ast.Name:
                return ast.copy_location(ast.Name(bound[node.id], ast.Load()), node)

        return "(" + ast.unparse(Rename().visit(copy.deepcopy(self._tree))) + ")"

    @property
    def function(self) -> Callable[[Mapping[str, object]], object]:
        """The compiled function: `evaluate(env)` is `value_of(function(env))`
        (generated evaluators call it, and `value_of` only for a value that is
        not a finite non-zero Decimal, which `value_of` returns as it is)."""
        return self._fn

    def evaluate_reference(self, env: Mapping[str, object]):
        """The same value computed by simpleeval over the same checked tree."""
        # the reference evaluator: only tests and validate's cross-check run it
        from simpleeval import DEFAULT_OPERATORS, SimpleEval

        names = dict(self._ref_names)
        tree = _reference_tree(self._tree, self.names)
        for i, name in enumerate(self.names):
            names[f"_n{i}"] = env[name]
        funcs = {f"_f_{k}": v[0] for k, v in FUNCTIONS.items()}
        # simpleeval's own power guard also refuses bases above 4,000,000
        # (`5000000 ** 2`); our whitelist already caps the exponent, so plain
        # `**` keeps the reference identical to `evaluate`.
        operators = {**DEFAULT_OPERATORS, ast.Pow: _pow}
        evaluator = SimpleEval(operators=operators, functions=funcs, names=names)
        return _result(evaluator.eval(self.text, previously_parsed=tree))


def _result(value):
    """A formula's value is a finite Decimal or a truth value. Truth values
    count as 1 and 0 in arithmetic: `(a > 0) + (b > 0)` counts conditions,
    which Python makes an int. Dividing truth values alone gives a float:
    refused, as no float may reach a score. -0 is 0. An infinite or NaN value
    cannot arise (`_pow` and the Decimal traps stop it); if one did, it is an
    overflow, reported where the formula is."""
    cls = value.__class__
    if cls is Decimal:
        if not value.is_finite():
            raise decimal.Overflow("a formula's value is not finite")
        return value.copy_abs() if value.is_zero() else value
    if cls is int:
        return Decimal(value)
    if cls is float:
        raise TypeError("a formula divided truth values")
    return value


value_of = _result  # a compiled formula's raw value as `Formula.evaluate` gives it (for generated evaluators)


def _pow(base, exponent):
    """`base ** exponent`, where 0 to a negative power is a division by zero
    (Decimal itself answers Infinity, with no signal to trap)."""
    if exponent < 0 and not base:
        raise decimal.DivisionByZero("0 to a negative power")
    return base ** exponent


def _char_offset(text: str, lineno: int, byte_col: int) -> int:
    """AST positions count UTF-8 bytes on a 1-based line; we need characters
    from the start of the text (`预算` in `全年执行数 / 预算` is byte 18, char 8)."""
    lines = text.split("\n")
    before = sum(len(line) + 1 for line in lines[: lineno - 1])
    line = lines[lineno - 1] if lineno - 1 < len(lines) else ""
    return before + len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """The closest known name, for "did you mean"."""
    import difflib  # only when something is misspelt: not on a run's path

    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.5)
    return match[0] if match else None


def _dotted(node: ast.AST) -> str | None:
    """`预算表.合计.全年预算数` parsed as attributes becomes one flat name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


class Names(dict):
    """Declared names → kind ('number' or 'text'), as `compile_formula` takes
    them, keeping their NFKC forms between calls: a ruleset's thousands of
    formulas are checked against one set of names, built once (rebuilding
    it per formula made compiling quadratic in the number of names)."""

    __slots__ = ("_folded",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._folded: dict[str, str] | None = None

    def __setitem__(self, key, value) -> None:
        self._folded = None
        super().__setitem__(key, value)

    def folded(self) -> dict[str, str]:
        """NFKC form → the name as declared."""
        if self._folded is None or len(self._folded) > len(self):
            self._folded = {unicodedata.normalize("NFKC", k): k for k in self}
        return self._folded


def compile_formula(
    text: str,
    known: Mapping[str, str] | Iterable[str],
    locate: Locator,
    *,
    extra_names: Iterable[str] = (),
) -> tuple[Formula | None, list[Diagnostic]]:
    """Check and compile `text`. `known` maps each usable name to its kind
    ('number' or 'text'); `locate(offset)` places a character of `text`.

    Returns the formula, or None with every problem found.
    """
    extra_names = tuple(extra_names)
    if isinstance(known, Names) and not extra_names:
        kinds: Mapping[str, str] = known
        declared = known.folded()
    else:
        kinds = dict(known) if isinstance(known, Mapping) else {k: "number" for k in known}
        for extra in extra_names:
            kinds.setdefault(extra, "number")
        # Python reads identifiers NFKC-normalised (`预算１` is `预算1`): find a
        # declared name by its normalised form, and read it under its own spelling.
        declared = {unicodedata.normalize("NFKC", k): k for k in kinds}
    if not isinstance(text, str):
        text = format(text, "f") if isinstance(text, Decimal) else str(text)
    if len(text) > MAX_LENGTH:
        return None, [Diagnostic("formula.too_long", locate(0), {"length": len(text), "limit": MAX_LENGTH})]
    problems: list[Diagnostic] = []
    for i, ch in enumerate(text):
        if ch in _FULLWIDTH_HINTS:
            problems.append(Diagnostic("formula.fullwidth", locate(i), {"char": ch, "ascii": _FULLWIDTH_HINTS[ch]}))
    if problems:
        return None, problems
    if not text.strip():
        return None, [Diagnostic("formula.empty", locate(0))]
    lead = len(text) - len(text.lstrip())
    body_text = text.strip()
    body_lines = body_text.split("\n")
    # A formula may run over several lines (a `|` block): it is then parsed
    # in parentheses that sit on lines of their own, so columns are unchanged
    # and line n of the formula is line n + 1 of the parsed source.
    shift = 1 if len(body_lines) > 1 else 0
    source = "(\n" + body_text + "\n)" if shift else body_text
    shown = " ".join(body_text.split())  # on one line, as messages and traces show it
    try:
        with warnings.catch_warnings():  # e.g. "invalid escape sequence": we report our own problems
            warnings.simplefilter("ignore")
            tree = ast.parse(source, mode="eval")
    except SyntaxError as e:
        line = (e.lineno or 0) - shift
        if not e.offset or not 1 <= line <= len(body_lines):
            # An expression that stops short (`全年执行数 /`): point at its
            # end, where something is missing.
            offset = len(body_text)
        else:
            offset = sum(len(x) + 1 for x in body_lines[: line - 1]) + min(e.offset - 1, len(body_lines[line - 1]))
        return None, [Diagnostic("formula.syntax", locate(lead + offset), {"formula": shown, "problem": e.msg})]
    except (ValueError, RecursionError, MemoryError):
        return None, [Diagnostic("formula.syntax", locate(lead), {"formula": shown, "problem": "unparsable"})]

    def at(node: ast.AST) -> SourceSpan | None:
        return locate(lead + _char_offset(body_text, getattr(node, "lineno", 1 + shift) - shift, getattr(node, "col_offset", 0)))

    names: list[str] = []
    constants: list[Decimal] = []
    count = 0

    def visit(node: ast.AST, depth: int) -> ast.AST:
        """Check one node and return its rewritten form (names → _e lookups)."""
        nonlocal count
        count += 1
        if count > MAX_NODES:
            raise _Refused(Diagnostic("formula.too_complex", at(node), {"limit": MAX_NODES}))
        if depth > MAX_DEPTH:
            raise _Refused(Diagnostic("formula.too_deep", at(node), {"limit": MAX_DEPTH}))
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool):
                return ast.Constant(node.value)
            if isinstance(node.value, (int, float)):
                segment = ast.get_source_segment(source, node) or repr(node.value)
                if isinstance(node.value, int):
                    if node.value.bit_length() > 128:  # far beyond in_range; not worth converting
                        raise _Refused(Diagnostic("formula.number_range", at(node), {"value": segment[:40], "digits": numeric.MAX_MAGNITUDE}))
                    value = Decimal(node.value)  # exact, whatever the base (0x10, 0o7, 1_000)
                else:
                    # exact from the source, never via float; None when out of range
                    # (`1e99999999999999999999999`: an exponent not even Decimal holds)
                    value = numeric.to_decimal(segment.replace("_", ""))
                if value is None or not numeric.in_range(value):
                    raise _Refused(Diagnostic("formula.number_range", at(node), {"value": segment[:40], "digits": numeric.MAX_MAGNITUDE}))
                constants.append(value)
                return ast.Name(f"_c{len(constants) - 1}", ast.Load())
            raise _Refused(Diagnostic("formula.not_number", at(node), {"value": repr(node.value)[:40]}))
        if isinstance(node, (ast.Name, ast.Attribute)):
            name = _dotted(node)
            if name is None:
                raise _Refused(Diagnostic("formula.attribute", at(node)))
            name = unicodedata.normalize("NFKC", name)
            name = declared.get(name, name)
            if name in FUNCTIONS:
                raise _Refused(Diagnostic("formula.function_as_name", at(node), {"name": name}))
            if name not in kinds:
                hint = suggest(name, kinds)
                problems.append(Diagnostic("formula.unknown_name", at(node), {"name": name, "suggestion": hint}))
            elif kinds[name] == "text":
                problems.append(Diagnostic("formula.text_name", at(node), {"name": name}))
            if name not in names:
                names.append(name)
            return ast.Subscript(ast.Name("_e", ast.Load()), ast.Constant(name), ast.Load())
        if isinstance(node, ast.BinOp):
            if not isinstance(node.op, _BINOPS):
                raise _Refused(Diagnostic("formula.operator", at(node), {"op": _OP_NAMES.get(type(node.op), type(node.op).__name__)}))
            if isinstance(node.op, ast.Pow):
                exp = node.right
                if isinstance(exp, ast.UnaryOp) and isinstance(exp.op, ast.USub):
                    exp = exp.operand
                if not (isinstance(exp, ast.Constant) and isinstance(exp.value, int) and not isinstance(exp.value, bool) and exp.value <= MAX_POWER):
                    raise _Refused(Diagnostic("formula.power", at(node), {"limit": MAX_POWER}))
            if isinstance(node.op, ast.Pow):
                return ast.Call(ast.Name("_pow", ast.Load()), [visit(node.left, depth + 1), visit(node.right, depth + 1)], [])
            return ast.BinOp(visit(node.left, depth + 1), node.op, visit(node.right, depth + 1))
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, _UNARY):
                raise _Refused(Diagnostic("formula.operator", at(node), {"op": _OP_NAMES.get(type(node.op), type(node.op).__name__)}))
            return ast.UnaryOp(node.op, visit(node.operand, depth + 1))
        if isinstance(node, ast.BoolOp):
            if not isinstance(node.op, _BOOLOPS):
                raise _Refused(Diagnostic("formula.operator", at(node), {"op": type(node.op).__name__}))
            return ast.BoolOp(node.op, [visit(v, depth + 1) for v in node.values])
        if isinstance(node, ast.Compare):
            for op in node.ops:
                if not isinstance(op, _CMPOPS):
                    raise _Refused(Diagnostic("formula.operator", at(node), {"op": _OP_NAMES.get(type(op), type(op).__name__)}))
            return ast.Compare(visit(node.left, depth + 1), list(node.ops), [visit(c, depth + 1) for c in node.comparators])
        if isinstance(node, ast.IfExp):
            return ast.IfExp(visit(node.test, depth + 1), visit(node.body, depth + 1), visit(node.orelse, depth + 1))
        if isinstance(node, ast.Call):
            fname = node.func.id if isinstance(node.func, ast.Name) else None
            if fname is None:
                raise _Refused(Diagnostic("formula.call", at(node)))
            if fname not in FUNCTIONS:
                problems.append(Diagnostic("formula.unknown_function", at(node), {"name": fname, "suggestion": suggest(fname, FUNCTIONS), "known": ", ".join(FUNCTIONS)}))
                return ast.Constant(None)
            if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
                raise _Refused(Diagnostic("formula.call_keywords", at(node), {"name": fname}))
            _, lo, hi = FUNCTIONS[fname]
            if not lo <= len(node.args) <= hi:
                problems.append(Diagnostic("formula.arity", at(node), {"name": fname, "min": lo, "max": hi, "given": len(node.args)}))
            elif fname == "round_half_up" and len(node.args) == 2 and not _whole_literal(node.args[1], MAX_PLACES):
                problems.append(Diagnostic("formula.round_places", at(node.args[1]), {"limit": MAX_PLACES}))
            return ast.Call(ast.Name(f"_f_{fname}", ast.Load()), [visit(a, depth + 1) for a in node.args], [])
        raise _Refused(Diagnostic(_NOT_ALLOWED.get(type(node), "formula.syntax_not_allowed"), at(node)))

    try:
        rewritten = visit(tree.body, 0)
    except _Refused as r:
        return None, [*problems, r.diagnostic]
    except RecursionError:
        return None, [Diagnostic("formula.too_deep", locate(0), {"limit": MAX_DEPTH})]
    if problems:
        return None, problems

    consts = {f"_c{i}": c for i, c in enumerate(constants)}
    funcs = {f"_f_{k}": v[0] for k, v in FUNCTIONS.items()}
    fn_tree = ast.Expression(
        ast.Lambda(
            ast.arguments(posonlyargs=[], args=[ast.arg("_e")], kwonlyargs=[], kw_defaults=[], defaults=[]),
            rewritten,
        )
    )
    ast.fix_missing_locations(fn_tree)
    fn = eval(compile(fn_tree, "<formula>", "eval"), {"__builtins__": {}, **consts, **funcs, "_pow": _pow})  # noqa: S307 - checked tree only

    # The checked tree is kept as is: the reference tree for simpleeval is
    # made from a copy of it only when the reference evaluator runs (tests),
    # not for every formula of every ruleset.
    return Formula(shown, tuple(names), fn, rewritten, tuple(consts.items())), []


def _reference_tree(rewritten: ast.AST, names: tuple[str, ...]) -> ast.AST:
    """The checked tree for simpleeval: names as _n<i>, literals as _c<i>, `**` as itself."""
    index = {n: i for i, n in enumerate(names)}

    class _ToRef(ast.NodeTransformer):
        def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
            return ast.Name(f"_n{index[node.slice.value]}", ast.Load())

        def visit_Call(self, node: ast.Call) -> ast.AST:
            self.generic_visit(node)
            if isinstance(node.func, ast.Name) and node.func.id == "_pow":  # back to `**` (simpleeval's operator is `_pow`)
                return ast.BinOp(node.args[0], ast.Pow(), node.args[1])
            return node

    ref_tree = _ToRef().visit(ast.Expression(_clone(rewritten)))
    ast.fix_missing_locations(ref_tree)
    return ref_tree.body


def _whole_literal(node: ast.AST, limit: int) -> bool:
    """Whether `node` is a whole-number literal in [0, limit]."""
    return isinstance(node, ast.Constant) and type(node.value) is int and 0 <= node.value <= limit


def _clone(node: ast.AST) -> ast.AST:
    return copy.deepcopy(node)


# What a refused construct is, as the message code that explains it.
_NOT_ALLOWED = {
    ast.List: "formula.no_container", ast.Tuple: "formula.no_container", ast.Dict: "formula.no_container",
    ast.Set: "formula.no_container", ast.ListComp: "formula.no_comprehension", ast.SetComp: "formula.no_comprehension",
    ast.DictComp: "formula.no_comprehension", ast.GeneratorExp: "formula.no_comprehension", ast.Lambda: "formula.no_lambda",
    ast.Subscript: "formula.no_subscript", ast.Slice: "formula.no_subscript", ast.JoinedStr: "formula.no_text",
    ast.NamedExpr: "formula.no_assignment",
}


class _Refused(Exception):
    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic
