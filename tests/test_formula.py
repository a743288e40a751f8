"""Safe formulas (公式): what they compute, where their problems are reported,
what they refuse, and that the fast evaluator agrees with simpleeval."""
from __future__ import annotations

import decimal
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine.base.diagnostics import SourceSpan
from engine.ruleset.formula import MAX_DEPTH, MAX_LENGTH, MAX_NODES, compile_formula
from engine.base.numeric import CONTEXT

D = Decimal
NAMES = {"全年执行数": "number", "全年预算数": "number", "预算调整表.全年预算数": "number", "a": "number", "b": "number", "单位名称": "text"}


def at(offset: int) -> SourceSpan:
    """Formula character `offset` placed on line 1 of file f, 1-based."""
    return SourceSpan("f", 1, offset + 1)


def compiled(text: str, names=NAMES):
    formula, problems = compile_formula(text, names, at)
    assert problems == [], [p.code for p in problems]
    return formula


def refused(text: str, names=NAMES) -> list[tuple[int, str]]:
    """(column, code) of every problem; the formula must not compile."""
    formula, problems = compile_formula(text, names, at)
    assert formula is None
    return [(p.span.col, p.code) for p in problems]


def value(text: str, **env):
    env = {"a": D(2), "b": D(4), **{k: D(v) for k, v in env.items()}}
    with decimal.localcontext(CONTEXT):
        return compiled(text).evaluate(env)


# --- what formulas compute ---------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a + b * 3", D(14)),
        ("(a + b) / 4", D("1.5")),
        ("b ** 2", D(16)),
        ("b ** -2", D("0.0625")),
        ("-a + +b", D(2)),
        ("0.95 * 100", D("95.00")),  # literal read from its text: exactly 0.95
        ("0.1 + 0.2 == 0.3", True),  # would be False with floats
        ("1_000 + 0.5", D("1000.5")),
        ("a < b <= 4", True),
        ("a > b or b", D(4)),  # `or` gives the operand, as in Python
        ("not a", False),
        ("b if a > 1 else 0", D(4)),
        ("min(a, b, 3)", D(2)),
        ("max(a, b, 3)", D(4)),
        ("abs(a - b)", D(2)),
        ("clamp(b * 10, 0, 20)", D(20)),
        ("round_half_up(2 / 3)", D("0.67")),
        ("round_half_up(2 / 3, 4)", D("0.6667")),
        ("round_half_up(a > 1)", D("1.00")),  # a comparison rounds as 1 (regression: was AttributeError)
        ("a / 3", D("0.6666666666666666666666666666666667")),  # 34 significant digits
    ],
)
def test_formula_values(text, expected):
    result = value(text)
    assert result == expected and type(result) is type(expected)


def test_chinese_and_dotted_names_read_one_flat_mapping():
    f = compiled("全年执行数 / 预算调整表.全年预算数")
    assert f.names == ("全年执行数", "预算调整表.全年预算数")
    with decimal.localcontext(CONTEXT):
        # the seed's execution rate, to 34 significant digits
        assert f.evaluate({"全年执行数": D("3921.33"), "预算调整表.全年预算数": D("4189.79")}) == D("0.9359251895679735738545368622293719")


def test_names_are_matched_as_python_reads_them():
    # Python reads identifiers NFKC-normalised: a declared 预算１ (full-width
    # digit) is the formula's 预算1 (regression: was "unknown name").
    f = compiled("预算1 * 2", {"预算１": "number"})
    assert f.names == ("预算１",)
    assert f.evaluate({"预算１": D(3)}) == D(6)


def test_a_formula_may_run_over_several_lines():
    f = compiled("全年执行数\n  / 全年预算数\n")
    assert f.evaluate({"全年执行数": D(1), "全年预算数": D(4)}) == D("0.25")
    assert f.text == "全年执行数 / 全年预算数"  # shown on one line in messages and traces


def test_a_problem_in_a_multi_line_formula_is_reported_on_one_line():
    _, problems = compile_formula("全年执行数\n  / / 全年预算数", NAMES, at)
    # the second / is character 4 of line 2, after 全年执行数 and its line break: offset 6 + 4 = 10
    assert [(p.code, p.span.col) for p in problems] == [("formula.syntax", 11)]
    assert "\n" not in problems[0].message()


# --- where problems are reported (columns count characters) -------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        # unknown name: the column of the name itself; 全年预算 is character 9
        # (byte 19 in UTF-8: columns count characters, not bytes)
        ("全年执行数 / 全年预算", [(9, "formula.unknown_name")]),
        ("全年执行 / 全年预算", [(1, "formula.unknown_name"), (8, "formula.unknown_name")]),  # every one
        ("全年执行数 / 预算调整表.全年预算", [(9, "formula.unknown_name")]),  # a dotted name: where it starts
        ("全年执行数\n / 全年预算", [(10, "formula.unknown_name")]),  # second line: offset 9 → column 10 here
        ("a + maxx(a, b)", [(5, "formula.unknown_function")]),
        ("min()", [(1, "formula.arity")]),
        ("abs(a, b)", [(1, "formula.arity")]),
        ("round_half_up(a, 11)", [(18, "formula.round_places")]),
        ("round_half_up(a, b)", [(18, "formula.round_places")]),
        ("min(a, key=b)", [(1, "formula.call_keywords")]),
        ("min * 2", [(1, "formula.function_as_name")]),
        ("单位名称 * 2", [(1, "formula.text_name")]),
        ("a % 2", [(1, "formula.operator")]),
        ("a // 2", [(1, "formula.operator")]),
        ("a in b", [(1, "formula.operator")]),
        ("'十' * 2", [(1, "formula.not_number")]),
        ("", [(1, "formula.empty")]),
        # full-width punctuation typed on a Chinese keyboard: each one, where it is
        ("全年执行数 ／ 全年预算数", [(7, "formula.fullwidth")]),
        ("min（a，b）", [(4, "formula.fullwidth"), (6, "formula.fullwidth"), (8, "formula.fullwidth")]),
        ("a　+ b", [(2, "formula.fullwidth")]),  # ideographic space
        ("a × b ÷ 2", [(3, "formula.fullwidth"), (7, "formula.fullwidth")]),
        # syntax: where Python stops reading
        ("全年执行数 +* 1", [(8, "formula.syntax")]),
        ("全年执行数 /", [(8, "formula.syntax")]),  # stops short: just after the end
        ("min(a,,b)", [(7, "formula.syntax")]),
        ("(a + b", [(1, "formula.syntax")]),
        ("a + b)", [(6, "formula.syntax")]),
    ],
)
def test_problem_locations(text, expected):
    assert refused(text) == expected


def test_unknown_name_suggests_the_closest_declared_one():
    _, problems = compile_formula("全年执行数 / 全年预算", NAMES, at)
    assert problems[0].args == {"name": "全年预算", "suggestion": "全年预算数"}
    assert problems[0].message("zh") == "公式中的名称「全年预算」未定义，是否应为「全年预算数」？"
    assert problems[0].message("en") == "unknown name '全年预算' in the formula; did you mean '全年预算数'?"


def test_unknown_function_suggests_and_lists_the_functions():
    _, problems = compile_formula("maxx(a, b)", NAMES, at)
    assert problems[0].args["suggestion"] == "max"
    assert problems[0].args["known"] == "min, max, abs, clamp, round_half_up"


# --- hostile formulas: each class refused at compile time, located -------------

HOSTILE = [
    # code execution
    ("__import__('os').system('ls')", [(1, "formula.call")]),
    ("__import__('os')", [(1, "formula.unknown_function")]),
    ("eval('1')", [(1, "formula.unknown_function")]),
    ("open('/etc/passwd')", [(1, "formula.unknown_function")]),
    ("rand()", [(1, "formula.unknown_function")]),  # simpleeval's default functions are not ours
    ("__builtins__", [(1, "formula.unknown_name")]),
    # attribute tricks
    ("().__class__.__bases__", [(1, "formula.attribute")]),
    ("(1).__class__", [(1, "formula.attribute")]),
    ("min(a, b).real", [(1, "formula.attribute")]),
    ("a.__class__", [(1, "formula.unknown_name")]),  # only ever a flat name, never an attribute
    ("[].append", [(1, "formula.attribute")]),
    # huge powers
    ("9 ** 999999", [(1, "formula.power")]),
    ("4000000 ** 4000000", [(1, "formula.power")]),
    ("a ** b", [(1, "formula.power")]),
    ("10 ** 8 ** 8", [(1, "formula.power")]),
    ("2 ** 0.5", [(1, "formula.power")]),
    # string and list blow-ups
    ("'a' * 1000000000", [(1, "formula.not_number")]),
    ("'%0999999999d' % 1", [(1, "formula.operator")]),
    ("'a'.ljust(1000000000)", [(1, "formula.call")]),
    ("f'{a}'", [(1, "formula.no_text")]),
    ("[1] * 1000000000", [(1, "formula.no_container")]),
    ("(1,) * 1000000000", [(1, "formula.no_container")]),
    ("{1: 2}", [(1, "formula.no_container")]),
    ("a[0]", [(1, "formula.no_subscript")]),
    # comprehensions
    ("[x for x in [1]]", [(1, "formula.no_comprehension")]),
    ("[[0] * 9 for x in [1] for y in [1]]", [(1, "formula.no_comprehension")]),
    ("sum(x for x in [1])", [(1, "formula.unknown_function")]),
    ("{x for x in [1]}", [(1, "formula.no_comprehension")]),
    # lambdas
    ("lambda: 1", [(1, "formula.no_lambda")]),
    ("(lambda: 1)()", [(1, "formula.call")]),
    # statements
    ("x = 1", [(3, "formula.syntax")]),
    ("1; 2", [(2, "formula.syntax")]),
    ("import os", [(1, "formula.syntax")]),
    ("(x := 1)", [(2, "formula.no_assignment")]),
    ("await a", [(1, "formula.syntax_not_allowed")]),
    # size: length before parsing, nodes, depth
    ("a+" * 600 + "a", [(1, "formula.too_long")]),
    ("-" * (MAX_DEPTH + 5) + "a", [(MAX_DEPTH + 2, "formula.too_deep")]),
]


@pytest.mark.parametrize("text, expected", HOSTILE)
def test_hostile_formulas_are_refused_with_a_location(text, expected):
    assert refused(text) == expected


def test_too_many_elements_is_refused():
    # 20 × 20 names at depth 2: shallow, short, but too many elements
    text = "min(" + ",".join(["min(" + ",".join(["a"] * 20) + ")"] * 20) + ")"
    assert len(text) <= MAX_LENGTH and MAX_NODES == 200
    # Element 201 is the 10th name of the 10th inner min(…): each inner call is
    # 21 elements and 45 characters with its comma, so 1 + 9 × 21 + 1 + 10 = 201
    # at offset 4 + 9 × 45 + 4 + 9 × 2 = 431, column 432.
    assert refused(text) == [(432, "formula.too_complex")]


def test_nested_powers_overflow_at_once_instead_of_running():
    # Every exponent is within the cap, but the result has ~2,000,000 digits:
    # the Decimal context traps Overflow instead of computing it.
    f = compiled("(((((((9 ** 8) ** 8) ** 8) ** 8) ** 8) ** 8) ** 8)")
    with decimal.localcontext(CONTEXT), pytest.raises(decimal.Overflow):
        f.evaluate({})


def test_huge_literals_are_refused_instead_of_growing():
    # Numbers in formulas are bounded like numbers in data (numeric.in_range).
    formula, problems = compile_formula("a * 1e999999999", NAMES, at)
    assert formula is None and [p.code for p in problems] == ["formula.number_range"]


# --- the fast evaluator and simpleeval agree ------------------------------------

_NAMES = ("a", "b", "全年执行数", "预算调整表.全年预算数")
_VARS = {n: "number" for n in _NAMES}


def _literal(d: Decimal) -> str:
    text = format(d, "f")
    return f"({text})" if text.startswith("-") else text


_leaf = st.one_of(
    st.sampled_from(_NAMES),
    st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False).map(_literal),
    st.sampled_from(["0", "1", "True", "False"]),
)


def _extend(x):
    return st.one_of(
        st.tuples(x, st.sampled_from(["+", "-", "*", "/"]), x).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(x, st.integers(-3, 3)).map(lambda t: f"({t[0]} ** {t[1]})"),
        st.tuples(x, st.sampled_from(["<", "<=", "==", "!=", ">", ">="]), x, st.sampled_from(["<", ">="]), x).map(
            lambda t: f"({t[0]} {t[1]} {t[2]} {t[3]} {t[4]})"
        ),
        st.tuples(x, st.sampled_from(["and", "or"]), x).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        x.map(lambda a: f"(not {a})"),
        x.map(lambda a: f"(-{a})"),
        st.tuples(x, x, x).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
        st.tuples(st.sampled_from(["min", "max"]), st.lists(x, min_size=1, max_size=3)).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        x.map(lambda a: f"abs({a})"),
        st.tuples(x, x, x).map(lambda t: f"clamp({t[0]}, {t[1]}, {t[2]})"),
        st.tuples(x, st.integers(0, 4)).map(lambda t: f"round_half_up({t[0]}, {t[1]})"),
    )


_formulas = st.recursive(_leaf, _extend, max_leaves=10)
_values = st.decimals(min_value=-10**12, max_value=10**12, allow_nan=False, allow_infinity=False)


def _outcome(fn, env):
    try:
        with decimal.localcontext(CONTEXT):
            result = fn(env)
    except Exception as e:  # noqa: BLE001 - the class of error is what we compare
        return ("error", type(e))
    return ("value", type(result), result)


@settings(max_examples=300, deadline=None)
@given(text=_formulas, env=st.fixed_dictionaries({n: _values | st.just(D(0)) for n in _NAMES}))
def test_fast_evaluator_agrees_with_simpleeval(text, env):
    formula, problems = compile_formula(text, _VARS, at)
    assume(not any(p.code in ("formula.too_deep", "formula.too_complex", "formula.too_long") for p in problems))
    assert problems == [], (text, [p.code for p in problems])
    assert _outcome(formula.evaluate, env) == _outcome(formula.evaluate_reference, env), text


@pytest.mark.parametrize(
    "text, env, error",
    [
        ("a / b", {"a": D(1), "b": D(0)}, decimal.DivisionByZero),
        ("a / b", {"a": D(0), "b": D(0)}, decimal.InvalidOperation),  # 0/0 is undefined
        ("a ** 8", {"a": D("1e200000"), "b": D(0)}, decimal.Overflow),
        ("a ** 2", {"a": D(5000000), "b": D(0)}, None),  # regression: simpleeval refused bases above 4,000,000
    ],
)
def test_both_evaluators_raise_the_same_error(text, env, error):
    f = compiled(text)
    fast, reference = _outcome(f.evaluate, env), _outcome(f.evaluate_reference, env)
    assert fast == reference
    if error is not None:
        assert fast[0] == "error" and issubclass(fast[1], error)


def _inlined(formula):
    """`Formula.inline` compiled as generated evaluators compile it."""
    ns: dict = {"__builtins__": {}}
    return eval(f"lambda env: {formula.inline('env', '_t_', ns)}", ns)  # noqa: S307 - our own checked tree printed back


@settings(max_examples=300, deadline=None)
@given(text=_formulas, env=st.fixed_dictionaries({n: _values | st.just(D(0)) for n in _NAMES}))
def test_an_inlined_formula_computes_what_its_function_computes(text, env):
    """Generated evaluators paste a formula's checked tree back as an
    expression (issue 18): the same raw value, or the same error."""
    formula, problems = compile_formula(text, _VARS, at)
    assume(formula is not None)
    assert _outcome(_inlined(formula), env) == _outcome(formula.function, env), text


def test_an_inlined_formula_reads_names_only_as_keys():
    """A name — whatever it says — is a key of the mapping, never code."""
    names = {"a": "number", "预算表.合计": "number", "x__import__": "number"}
    f = compiled("a + 预算表.合计 * x__import__ ** 2 + round_half_up(a / 3, 2)", names)
    text = f.inline("env", "_t_", {})
    assert "env['预算表.合计']" in text and "env['x__import__']" in text and "_t_f_round_half_up(" in text
    assert _outcome(_inlined(f), {"a": D(1), "预算表.合计": D(2), "x__import__": D(3)}) == ("value", Decimal, D("19.33"))
