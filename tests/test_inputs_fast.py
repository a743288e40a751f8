"""The per-column coercers (`inputs.coercer`) give what `inputs.coerce` gives,
for every kind of declaration and any value a unit may hold."""
from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.unit import entries
from engine.unit.entries import _EMPTY, coerce, coercer

DECLS = [(k, neg, unit) for k in ("money", "number", "percent", "count", "text") for neg in (None, True, False) for unit in (None, "万元", "人", "%")]
texts = st.one_of(
    st.sampled_from(["3,921.33", "-41.17", "0", "-0", "1,027.95", "999999999999999.99", "1000000000000000", "12,34", "1e3", "93.59%", " 5 ", "５", "−3", "", "—", "无", "3万元", "12人", "-12.5%", "1,234.5%", "0%", "-0%", "0.00%", "100%", "１００%", "150%", "1,000,000,000,000,000%", "999999999999999.9%"]),
    st.text(alphabet=st.sampled_from("0123456789,.-%e "), max_size=14),
    # any short ASCII text, and figure-like ones holding letters (a letter `d` once passed for a digit)
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=10),
    st.from_regex(r"-?[0-9dDeE,.]{1,10}%?", fullmatch=True),
    st.builds(lambda n, e: f"{Decimal(n).scaleb(e):,}", st.integers(-10**17, 10**17), st.integers(-4, 0)),
)
values = st.one_of(texts, st.none(), st.booleans(), st.builds(lambda n, e: Decimal(n).scaleb(e), st.integers(-10**17, 10**17), st.integers(-6, 3)),
                   st.sampled_from([Decimal("NaN"), Decimal("Infinity"), Decimal("-0"), Decimal("1E+15"), Decimal("-1E+15")]))  # the loaders give Decimals, never int or float


def _same(a, b) -> bool:
    if a[0] is _EMPTY or b[0] is _EMPTY:
        return a[0] is b[0] and a[1] == b[1]
    return a[1] == b[1] and type(a[0]) is type(b[0]) and (a[0] == b[0] if a[0] is not None else b[0] is None) and str(a[0]) == str(b[0])


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(DECLS), values)
def test_coercer_is_coerce(decl, value):
    kind, neg, unit = decl
    assert _same(coercer(kind, neg, unit)(value), coerce(value, kind, neg, unit))


# --- an indicator's generated entry reader (`entries.entry_reader`) -------------------------

from engine.base.sourcemap import SourceMap  # noqa: E402
from engine.base.diagnostics import SourceSpan  # noqa: E402
from engine.ruleset.loading import load_plan  # noqa: E402
from engine.unit.entries import ENTRY_KEYS, Reader, _entry_data, entry_reader  # noqa: E402

import os  # noqa: E402

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_LEAVES = [n for f in ("rulesets/2019/department.yaml", "rulesets/2019/project.yaml", "tests/fixtures/inputs/ruleset.yaml")
           for n in load_plan(os.path.join(_ROOT, f)).leaves]
entry_values = st.one_of(values, st.sampled_from(["达成", "部分达成", "按期完成", "是", "否", "85%", "说明文字", "  ", {"a": 1}, [1]]))


plain_entries = st.fixed_dictionaries({}, optional={
    "actual": st.sampled_from(["148", "98%", "16679", "1,234.5", Decimal(5), Decimal("0.95"), "达成", "—", "", "148人", "16场", "98 %"]),
    "explanation": st.sampled_from([" 主要由于项目推进节奏调整。 ", "原因", "  "]),
    "note": st.sampled_from(["备注", " "]),
    "not_applicable": st.booleans(),
    "score": st.sampled_from(["3", "8", Decimal(2), "2.5"]),
    "level": st.sampled_from(["达成", " 部分达成 "]),
    "coefficient": st.sampled_from(["85%", "0.9", "1"]),
    "adjusted_target": st.sampled_from(["120", "95%", Decimal(10)]),
})


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(_LEAVES), st.dictionaries(st.sampled_from([*ENTRY_KEYS, "分数"]), entry_values, max_size=4) | plain_entries)
def test_entry_reader_is_entry_data(node, entry):
    """A plain entry gives `_entry_data`'s dict (keys in order) with no problem;
    any other is left to `_entry_data`."""
    fast = entry_reader(node)(entry)
    if fast is None:
        return
    rd = Reader(SourceMap({(): SourceSpan("u.yaml", 1, 1)}), "u.yaml")
    general = _entry_data(node, entry, ("indicators", node.key), rd)
    assert not rd.problems
    assert list(fast) == list(general) and repr(fast) == repr(general)


def test_indicators_of_one_shape_share_a_reader_that_reads_each_as_its_own():
    """Readers are kept by shape (`entries.entry_shape`): every leaf, read after
    the others of its shape, still reads a figure with a unit as `_entry_data`
    reads it for that leaf (`148人` is a count of 人, not of 场)."""
    for entry in ({"actual": f"148{unit}"} for unit in ("人", "场", "万元", "%", "")):
        for node in _LEAVES:
            fast = entry_reader(node)(entry)
            rd = Reader(SourceMap({(): SourceSpan("u.yaml", 1, 1)}), "u.yaml")
            general = _entry_data(node, entry, ("indicators", node.key), rd)
            if fast is None:
                continue
            assert not rd.problems, (node.key, entry)
            assert repr(fast) == repr(general), (node.key, entry)


def test_entry_reader_takes_the_seed_reports_entries():
    from engine.load.yaml_loader import load_text, read_file

    plan = load_plan(os.path.join(_ROOT, "rulesets/2019/department.yaml"))
    path = os.path.join(_ROOT, "examples/2019/hr-bureau.yaml")
    raw, _ = load_text(read_file(path, path), path)
    by_key = {n.key: n for n in plan.leaves}
    taken = 0
    for key, entry in raw["indicators"].items():
        node = by_key[key]
        fast = entry_reader(node)(entry)
        rd = Reader(SourceMap({(): SourceSpan("u.yaml", 1, 1)}), "u.yaml")
        general = _entry_data(node, entry, ("indicators", key), rd)
        if fast is not None:
            taken += 1
            assert repr(fast) == repr(general) and list(fast) == list(general)
    assert taken == len(raw["indicators"])  # every entry of the seed is plain


_FIGURE_REFERENCE = re.compile(r"-?(?:[0-9]{1,15}|[0-9]{1,3}(?:,[0-9]{3}){1,4})(?:\.[0-9]+)?%?\Z")
_figure_texts = st.one_of(
    st.text(alphabet="0123456789,.-%", max_size=28),
    st.builds(lambda head, groups, frac, pct: f"{head}{''.join(',' + g for g in groups)}{frac}{pct}",
              st.from_regex(r"-?[0-9]{1,4}", fullmatch=True), st.lists(st.from_regex(r"[0-9]{2,4}", fullmatch=True), max_size=6),
              st.sampled_from(["", ".", ".5", ".25", ".123456"]), st.sampled_from(["", "%"])),
)


@settings(max_examples=2000, deadline=None)
@given(_figure_texts)
def test_the_plain_figure_pattern_reads_the_same_figures_on_every_python(text):
    """`_FIGURE` is written with atomic groups where Python has them (3.11):
    the same figures as the plain pattern 3.10 uses, found without backtracking."""
    assert bool(re.compile(r"-?" + entries._FIGURE + r"%?\Z").match(text)) == bool(_FIGURE_REFERENCE.match(text))


@settings(max_examples=3000, deadline=None)
@given(_figure_texts | st.text(alphabet=st.sampled_from("0123456789,.-%ed 五\u0660"), max_size=20))
def test_a_common_shape_is_a_plain_figure(text):
    """A figure whose shape (`d,ddd.dd`) is one of the common ones kept is one
    the pattern matches within 31 characters: the shape look-up only saves the
    match, it never takes a figure the match would not."""
    shape = text.encode("utf-8", "surrogatepass").translate(entries._DIGITS)
    for shapes, match in ((entries.figure_names()['_NUMBER_SHAPES'], entries._PLAIN_NUMBER.match), (entries.figure_names()['_PERCENT_SHAPES'], entries._PLAIN_PERCENT.match)):
        if text.isascii() and shape in shapes:
            assert match(text) is not None and len(text) < 32


def test_the_common_shapes_are_the_usual_figures():
    for shapes, match in ((entries.figure_names()['_NUMBER_SHAPES'], entries._PLAIN_NUMBER.match), (entries.figure_names()['_PERCENT_SHAPES'], entries._PLAIN_PERCENT.match)):
        for shape in shapes:  # any digits in a kept shape: the pattern takes them all alike
            assert match(shape.decode().replace("d", "7")) is not None and match(shape.decode().replace("d", "0")) is not None
    assert {b"d,ddd.dd", b"ddd.dd", b"-dd.dd", b"ddddd", b"d.dddd"} <= entries.figure_names()['_NUMBER_SHAPES']
    assert {b"dd.dd%", b"ddd%", b"-d.d%"} <= entries.figure_names()['_PERCENT_SHAPES']
    assert not entries.figure_names()['_NUMBER_SHAPES'] & {b"dddd,ddd", b"d,dd", b".dd", b"dd.", b"d,ddd%"}


# --- a table's generated row reader (`inputs._plain_row_source`) ------------------------------

from engine.unit.inputs import _NameCount, _row_readers  # noqa: E402

_TABLES = [d for f in ("rulesets/2019/department.yaml", "rulesets/2019/project.yaml", "tests/fixtures/inputs/ruleset.yaml")
           for d in load_plan(os.path.join(_ROOT, f)).ruleset.tables.values()]
# mostly plain cells, names and categories (the generated reader's own path), with odd ones among them
_plain_cells = st.sampled_from(["1,234.56", "3921.33", "-80.28", "0", "0.00", "", "—", " 12 ", "93.59%", Decimal("5.5"), Decimal(0)])
_odd_cells = st.sampled_from(["12万元", "三千", "1e3", Decimal("-1"), None, True, [1], {"a": 1}, "1\x1f2"]) | texts
_cells = _plain_cells | _plain_cells | _odd_cells
_names = st.sampled_from(["合计", "基本支出", "项目支出", " 人员经费 ", "经开"]) | st.sampled_from(["", "  ", None, Decimal(3), "\u202e反", ["x"], {"k": 1}])


def _row_data(decl):
    columns = st.fixed_dictionaries({"name": _names}, optional={k: _cells for k in decl.columns})
    categories = st.sampled_from([*decl.categories, None]) | st.sampled_from(["其他", 5, ""])
    own = st.one_of(columns, st.builds(lambda row, c: {**row, "category": c}, columns, categories),
                    st.builds(lambda row, k: {**row, k: "1"}, columns, st.sampled_from(["说明", "categ0ry"])))
    kids = st.lists(st.deferred(lambda: rows), max_size=3) | st.lists(st.sampled_from(["行", 3, None]), max_size=2) | st.sampled_from(["x", {"a": 1}])
    rows = own | st.builds(lambda row, sub: {**row, "rows": sub}, own, kids)
    return rows


@settings(max_examples=1000, deadline=None)
@given(st.data())
def test_generated_row_reader_is_the_general_one(data):
    """A table's generated row reader gives the general reader's rows and
    problems (codes, places, words), for plain rows and odd ones alike."""
    decl = data.draw(st.sampled_from(_TABLES))
    rows = data.draw(_row_data(decl))
    general, fast = _row_readers(decl)
    assert fast.__code__.co_filename.startswith("<row reader")  # the generated one, not the general one again
    got = []
    for read in (fast, general):
        rd = Reader(SourceMap({(): SourceSpan("u.json", 1, 1)}), "u.json")
        row = read(rows, ("tables", "t"), rd, "t", None, _NameCount(rows))
        got.append((repr(row), [(d.code, d.span, d.message("zh")) for d in rd.problems]))
    assert got[0] == got[1]


def test_a_printable_name_holds_no_bidi_control():
    """The generated row reader looks for bidi controls only in a name that
    is not printable: every one of them is a format character (Cf)."""
    from engine.base.printable import BIDI_CONTROLS

    assert BIDI_CONTROLS and not any(c.isprintable() for c in BIDI_CONTROLS)


def test_one_file_is_read_without_compiling_the_plans_readers():
    """`evaluate` reads one file: no generated entry or row reader is made for
    it (cold start); a batch's units are read by them."""
    from engine.evaluation.run import read_file_unit
    from engine.unit import inputs as inputs_module

    seed = os.path.join(_ROOT, "examples", "2019", "hr-bureau.yaml")
    ruleset = os.path.join(_ROOT, "rulesets", "2019", "department.yaml")
    entries._ENTRY_READERS.clear()  # readers are kept by shape, which other tests' plans share
    plan, unit = read_file_unit(seed, ruleset)

    def made():  # readers kept for this plan's own leaves and tables (by identity: an id may be reused)
        leaves = [n for n in plan.leaves if entries.entry_shape(n) in entries._ENTRY_READERS]
        tables = [d for d in plan.ruleset.tables.values() if (kept := inputs_module._ROW_READERS.get(id(d))) and kept[0] is d and kept[1][1] is not None]
        return leaves + tables

    assert made() == []
    again = inputs_module.read_unit(plan, *_as_batch_reads(seed))
    assert made() != [] and repr(again.entries) == repr(unit.entries) and repr(again.tables) == repr(unit.tables)
    # a project's rows too: one file compiles no entry reader
    entries._ENTRY_READERS.clear()
    read_file_unit(os.path.join(_ROOT, "examples", "2019", "projects", "cadre-training.yaml"), os.path.join(_ROOT, "rulesets", "2019", "project.yaml"))
    assert entries._ENTRY_READERS == {}


def _as_batch_reads(path):
    from engine.load.yaml_loader import load_text, read_file

    text = read_file(path, path)
    raw, smap = load_text(text, path)
    return raw, smap, path


def _category_rows(decl):
    """A table's total row over rows of its categories (and others), nested,
    with figures in every column: what category sums are made of."""
    figures = st.sampled_from(["1,234.56", "3921.33", "-80.28", "0.00", "12", "", Decimal("5.5")])
    names = st.sampled_from([*decl.categories, "其他", "人员经费"])

    def row(name, kids):
        return st.builds(lambda n, cells, sub, cat: {"name": n, **cells, **({"rows": sub} if sub else {}), **({"category": cat} if cat else {})},
                         name, st.fixed_dictionaries({k: figures for k in decl.columns}), kids,
                         st.sampled_from([None, None, *decl.categories]))

    leaf = row(names, st.just([]))
    middle = row(names, st.lists(leaf, max_size=3))
    return row(st.just("合计"), st.lists(middle | leaf, min_size=1, max_size=4))


_PLANS = [load_plan(os.path.join(_ROOT, f)) for f in ("rulesets/2019/department.yaml", "tests/fixtures/inputs/ruleset.yaml")]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_generated_table_figures_are_the_general_ones(data):
    """The plan's generated table figures (`_table_figures_source`) give
    `_table_figures`' values, in its order, for any rows the tables hold."""
    from engine.base.memo import generated
    from engine.unit.inputs import _table_figures, _table_figures_source

    plan = data.draw(st.sampled_from(_PLANS))
    tables = {}
    for tname, decl in plan.ruleset.tables.items():
        if data.draw(st.booleans()):  # a table may be absent
            rows = data.draw(_row_data(decl) | _category_rows(decl))
            rd = Reader(SourceMap({(): SourceSpan("u.json", 1, 1)}), "u.json")
            row = _row_readers(decl)[0](rows, ("tables", tname), rd, tname, None, _NameCount(rows))
            if row is not None:
                tables[tname] = row
    fast = generated(_table_figures_source(plan), "<table figures>", "table_figures")
    got = []
    for figures in (fast, _table_figures):
        values = {"其他": Decimal(1)}
        figures(plan, tables, values)
        got.append((list(values), repr(values)))
    assert plan.table_names and got[0] == got[1]


_INPUT_PLANS = [load_plan(os.path.join(_ROOT, f)) for f in ("rulesets/2019/department.yaml", "rulesets/2019/project.yaml", "tests/fixtures/inputs/ruleset.yaml")]


@settings(max_examples=1000, deadline=None)
@given(st.data())
def test_generated_inputs_reader_is_the_general_one(data):
    """A plan's generated inputs reader (`_plain_inputs_source`) reads a
    section only when the general reader finds no problem in it, and then
    puts the same values in the same order; otherwise it puts nothing."""
    from engine.base.memo import generated
    from engine.unit.inputs import _plain_inputs_source, _read_inputs

    plan = data.draw(st.sampled_from([p for p in _INPUT_PLANS if p.ruleset.inputs]))
    names = list(plan.ruleset.inputs)
    kept = data.draw(st.lists(st.sampled_from(names), unique=True) | st.just(names) | st.just(names))
    section = {n: data.draw(_cells | values) for n in kept}
    if data.draw(st.booleans()):
        section[data.draw(st.sampled_from(["说明", "年初预算", 3]))] = "1"
    fast = generated(_plain_inputs_source(plan), "<inputs reader>", "read_inputs")
    assert fast.__code__.co_filename == "<inputs reader>"
    read, general = {}, {}
    took = fast(section, read)
    rd = Reader(SourceMap({(): SourceSpan("u.json", 1, 1)}), "u.json")
    _read_inputs(plan, section, rd, general)
    if took:
        assert rd.problems == [] and list(read) == list(general) and repr(read) == repr(general)
    else:
        assert read == {}


def test_generated_inputs_reader_takes_the_seed_reports_inputs():
    import json

    from engine.base.memo import generated
    from engine.unit.inputs import _plain_inputs_source, _read_inputs

    with open(os.path.join(_ROOT, "examples", "2019", "hr-bureau.json"), encoding="utf-8") as fh:
        section = json.load(fh, parse_float=Decimal, parse_int=Decimal)["inputs"]  # as the loaders give numbers
    plan = _INPUT_PLANS[0]
    section = {n: section[n] for n in plan.ruleset.inputs}  # the declared order
    read, general = {}, {}
    assert generated(_plain_inputs_source(plan), "<inputs reader>", "read_inputs")(section, read) is True
    _read_inputs(plan, section, Reader(SourceMap({(): SourceSpan("u.json", 1, 1)}), "u.json"), general)
    assert len(read) == 22 and repr(read) == repr(general)
