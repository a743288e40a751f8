"""The fast JSON writers give exactly the bytes of the reference encoder.

`render.jsonl.line(result, lang)` writes a result straight from the Result
objects, with texts kept per plan node and per value; `json_out.dumps` and
`format_message` have fast paths. Each is compared byte for byte with the code
as it was (tests/json_reference.py) over varied department units, every shipped
ruleset and example, the project batch example, and results with hostile values
(NUL, quotes, backslashes, newlines, text that looks like a number, -0, 1E+3,
not-applicable indicators, rescaled totals).
"""
from __future__ import annotations

import dataclasses
import json
import random
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine.base.messages
from engine.api import evaluate_file
from engine.ruleset.compile import compile_ruleset
from engine.base.digest import digest_of
from engine.ruleset.loading import load_plan
from engine.base.diagnostics import DiagnosticError, SourceSpan
from engine.evaluation.evaluate import evaluate
from engine.evaluation.result import leaves as _leaves
from engine.unit.inputs import read_unit
from engine.base.messages import CATALOG, format_message, format_message_json
from engine.render import json_out, jsonl
from engine.base.sourcemap import SourceMap
from engine.load.json_line import loads_json_line
from engine.load.yaml_loader import load_file, load_text
from tests import json_reference as ref
from tests.conftest import ROOT, run_cli

LANGS = ("zh", "en")


def _replace(obj, **changes):
    """A copy with some fields changed: results are NamedTuples or dataclasses."""
    if isinstance(obj, tuple):
        return obj._replace(**changes)
    return dataclasses.replace(obj, **changes)
DEPARTMENT = "rulesets/2019/department.yaml"


@contextmanager
def _old_messages():
    """Findings worded by the message filler as it was (Finding.message reads
    engine.base.messages.format_message when called)."""
    with mock.patch.object(engine.base.messages, "format_message", ref.format_message):
        yield


def reference_line(result, lang: str) -> str:
    with _old_messages():
        return ref.dumps(json_out.as_dict(result, lang), indent=None)


def assert_same(result, langs=LANGS) -> None:
    for lang in langs:
        fast = jsonl._line(result, lang)  # the fast path itself, not its fallback
        assert jsonl.line(result, lang) == fast
        slow = reference_line(result, lang)
        if fast != slow:
            i = next((k for k, (a, b) in enumerate(zip(fast, slow)) if a != b), min(len(fast), len(slow)))
            pytest.fail(f"{lang}: differs at {i}:\n fast …{fast[max(i - 120, 0):i + 80]}\n slow …{slow[max(i - 120, 0):i + 80]}")
        assert json.loads(fast, parse_float=Decimal) == json.loads(slow, parse_float=Decimal)


# --- varied department units (as benchmarks/batch.py makes them) ------------------

COUNTS = {"参与干部培训人数": (0, 180), "城镇新增就业人数": (12000, 19000), "组织公益性招聘会场数": (60, 120), "开展校招活动场数": (10, 28), "帮扶就业困难群体就业创业人数": (600, 1100)}
RATES = ("干部档案整理覆盖率", "专项招聘工作完成率", "各项经费支出合规率", "档案装具采购合规率", "各项补贴支付合规率")
NAMES = ('第1号"单位"', "a\\b\tc", "两行\n名称", "12.50", "-0", "1E+3", "</script>", "\u2028", "")


def _scale(row: dict, f: Decimal, cols: tuple[str, ...]) -> dict:
    out = {}
    for k, v in row.items():
        if k == "rows":
            out[k] = [_scale(r, f, cols) for r in v]
        elif k in cols and v not in ("", None):
            out[k] = f"{(Decimal(str(v).replace(',', '')) * f).quantize(Decimal('0.01')):,}"
        else:
            out[k] = v
    return out


def _unit(base: dict, i: int, rnd: random.Random) -> dict:
    u = json.loads(json.dumps(base, default=str))
    f = Decimal(rnd.randint(0, 400)) / 100  # 0: an empty budget, figures that cannot be computed
    e = Decimal(rnd.randint(70, 110)) / 100
    u["subject"] = {"name": f"第{i}号" + rnd.choice(NAMES), "主管部门": rnd.choice(NAMES) or "x"}
    u["tables"]["预算调整表"] = _scale(base["tables"]["预算调整表"], f, ("年初预算数", "预算调整数", "全年预算数"))
    u["tables"]["支出表"] = _scale(base["tables"]["支出表"], f * e, ("经开", "汉南", "合计"))
    for k, v in list(u["inputs"].items()):
        if not str(v).endswith("%") and rnd.random() < 0.8:
            u["inputs"][k] = f"{(Decimal(str(v).replace(',', '')) * f).quantize(Decimal('0.01')):,}"
    ind = u["indicators"]
    for k, (lo, hi) in COUNTS.items():
        ind.setdefault(k, {})["actual"] = rnd.choice([rnd.randint(lo, hi), 0, hi * 3])
    for k in RATES:
        ind[k]["actual"] = f"{rnd.choice([100, 100, 99.5, 98, 0, 120, 33.333])}%"
    ind["时效指标"]["score"] = rnd.choice([9, 8.5, 0, 7.25])
    ind["社会效益"]["score"] = rnd.randint(0, 24)
    for k in ("预算执行率", "预算调整率", "参与干部培训人数", "社会效益"):
        if rnd.random() < 0.4:
            ind.get(k, {}).pop("explanation", None)
        elif k in ind and rnd.random() < 0.3:
            ind[k]["explanation"] = rnd.choice(NAMES)
    return u


def test_varied_department_units():
    plan = load_plan(DEPARTMENT, DEPARTMENT)
    raw, _ = load_file("examples/2019/hr-bureau.yaml")
    raw.pop("ruleset", None)
    rnd = random.Random(20191)
    done = 0
    for i in range(80):
        text = json.dumps(_unit(raw, i, rnd), ensure_ascii=False, default=str)
        try:
            unit = read_unit(plan, loads_json_line(text), SourceMap(values={(): SourceSpan("u.jsonl", i + 1, 1)}), "u.jsonl", digest_of(text))
            result = evaluate(plan, unit)
        except DiagnosticError:
            continue
        assert_same(result)
        done += 1
    assert done > 60


# --- every shipped ruleset and example ----------------------------------------------

KNOBS = ROOT / "tests" / "fixtures" / "knobs"
NA = ("actual: 100, weight: 20, explanation: 测试}", "weight: 20, not_applicable: true}")


def _knobs(ruleset_edits=(), data_edits=()):
    rtext, dtext = (KNOBS / "ruleset.yaml").read_text(encoding="utf-8"), (KNOBS / "data.yaml").read_text(encoding="utf-8")
    for old, new in ruleset_edits:
        assert old in rtext
        rtext = rtext.replace(old, new)
    for old, new in data_edits:
        assert old in dtext
        dtext = dtext.replace(old, new)
    raw, smap = load_text(rtext, "ruleset.yaml")
    plan = compile_ruleset(raw, smap, "ruleset.yaml", digest_of(rtext))
    draw, dsmap = load_text(dtext, "data.yaml")
    return evaluate(plan, read_unit(plan, draw, dsmap, "data.yaml"))


SHIPPED = [
    ("examples/2019/hr-bureau.yaml", None),
    ("examples/2019/hr-bureau.yaml", "rulesets/2020/department.yaml"),
    *((str(p.relative_to(ROOT)), None) for p in sorted((ROOT / "examples" / "2019" / "projects").glob("*.yaml"))),
    *((str(p.relative_to(ROOT)), None) for p in sorted((ROOT / "examples" / "schemes").glob("*.yaml"))),
    ("tests/fixtures/inputs/data.yaml", "tests/fixtures/inputs/ruleset.yaml"),
]


@pytest.mark.parametrize("data,ruleset", SHIPPED)
def test_shipped_examples(data, ruleset):
    assert_same(evaluate_file(data, ruleset))


def test_not_applicable_zero_and_rescaled():
    zero = _knobs(data_edits=[NA])
    rescaled = _knobs([("not_applicable: zero", "not_applicable: rescale")], [NA])
    assert rescaled.rescaled is not None and '"not_applicable":true' in jsonl.line(zero)
    assert '"rescaled":{"points":57.83,"applicable_weight":80}' in jsonl.line(rescaled)
    for result in (_knobs(), zero, rescaled):
        assert_same(result)


def test_project_batch_lines(tmp_path):
    """Every line the batch writes for the project table example (indicator rows
    from a second table: each unit its own plan and nodes) is the reference's."""
    seen = []
    fast = jsonl.line

    def checked(result, lang="zh"):
        text = fast(result, lang)
        assert text == reference_line(result, lang)
        seen.append(result.unit.name)
        return text

    folder = ROOT / "examples" / "2019" / "projects-batch"
    with mock.patch.object(jsonl, "line", checked):
        for lang in LANGS:
            code, _, err = run_cli(
                "batch", str(folder / "projects.csv"), "--ruleset", "rulesets/2019/project.yaml", "--columns", str(folder / "columns.yaml"),
                "--rows", str(folder / "indicators.csv"), "--output", str(tmp_path / f"{lang}.jsonl"), "--errors", str(tmp_path / "e.txt"),
                "--lang", lang, "--jobs", "1",
            )
            assert code in (0, 1), err
    assert len(seen) >= 10


# --- hostile values ---------------------------------------------------------------

SPECIAL = [Decimal(s) for s in ("0", "-0", "0.00", "-0.000", "0E+3", "1E+3", "-1E+3", "1.500", "-2.5", "0.9359", "1E-7", "-0.004", "3921.33", "99999999999999999999.99999")]
decimals = st.one_of(
    st.sampled_from(SPECIAL),
    st.builds(lambda m, e: Decimal(m).scaleb(e), st.integers(-10**14, 10**14), st.integers(-9, 6)),
)
texts = st.one_of(
    st.sampled_from(["", "0", "-0", "1E+3", "12.50", "93.59%", "null", "true", "≥100%", "a\nb", 'q"', "\\", "\x00", "\x1f\u2028"]),
    st.text(alphabet=st.sampled_from('0123456789.-E%" \\\n\t\x00\x7f中文\u2028'), max_size=12),
)
values = st.one_of(st.none(), decimals, texts)


def _bases():
    return [evaluate_file("examples/2019/hr-bureau.yaml"), evaluate_file("examples/2019/projects/veteran-enterprise-relief.yaml"), _knobs(data_edits=[NA])]


BASES = []


@st.composite
def hostile_results(draw):
    if not BASES:
        BASES.extend(_bases())
    base = draw(st.sampled_from(BASES))
    leaves = list(_leaves(base.indicators))
    changed = {}
    for leaf in draw(st.lists(st.sampled_from(leaves), max_size=4, unique_by=id)):
        node = leaf.node
        if draw(st.booleans()):
            node = _replace(node, name=draw(texts), key=draw(texts), unit=draw(st.one_of(st.none(), texts)), operator=draw(st.sampled_from([None, "≥", "≤", "=", "定性", '"'])))
        changed[id(leaf)] = _replace(
            leaf, node=node, target=draw(values), actual=draw(values), score=draw(decimals), not_applicable=draw(st.booleans()),
        )

    def rebuild(results):
        return tuple(changed.get(id(r)) or (_replace(r, children=rebuild(r.children)) if r.children else r) for r in results)

    findings = list(base.findings)
    for i in draw(st.lists(st.integers(0, max(len(findings) - 1, 0)), max_size=3)) if findings else ():
        f = findings[i]
        args = {k: draw(values) for k in f.args}
        stated = draw(st.one_of(st.none(), decimals))
        span = draw(st.one_of(st.none(), st.builds(SourceSpan, texts, st.integers(1, 99), st.integers(1, 99))))
        findings[i] = _replace(f, args=args, stated=stated, computed=draw(decimals) if stated is not None else None, difference=draw(decimals) if stated is not None else None, span=span)
    deviations = list(base.deviations)
    for i in draw(st.lists(st.integers(0, max(len(deviations) - 1, 0)), max_size=3)) if deviations else ():
        deviations[i] = _replace(
            deviations[i], key=draw(texts), name=draw(texts), target=draw(values), actual=draw(values), ratio=draw(st.one_of(st.none(), decimals)),
            explanation=draw(st.one_of(st.none(), texts)), value_type=draw(st.sampled_from(["money", "percent", "number", "count", "text"])),
            unit=draw(st.one_of(st.none(), st.sampled_from(["%", "人", "万元", '"'], ))), span=draw(st.one_of(st.none(), st.just(SourceSpan('a"b\\c', 3, 4)))),
        )
    subject = draw(st.one_of(st.just(dict(base.unit.subject)), st.dictionaries(texts, st.one_of(texts, decimals), max_size=3)))
    unit = _replace(base.unit, subject=subject, digest=draw(texts))
    return _replace(
        base, unit=unit, indicators=rebuild(base.indicators), findings=tuple(findings), deviations=tuple(deviations), total=draw(decimals),
        grade=draw(texts), rescaled=draw(st.one_of(st.none(), st.tuples(decimals, decimals))),
    )


@settings(max_examples=150, deadline=None)
@given(hostile_results())
def test_hostile_values(result):
    assert_same(result)


def test_same_node_alternating_values():
    """A node's kept texts follow its target and actual: equal values with other
    exponents, the two zeros, text, and back."""
    base = evaluate_file("examples/2019/hr-bureau.yaml")
    leaf = next(_leaves(base.indicators))
    for target, actual in [(Decimal("1"), Decimal("0.9359")), (Decimal("1.00"), Decimal("-0")), (Decimal("1E+0"), Decimal("0")), ("按期", "0.9359"), (Decimal("1"), Decimal("0.93590")), (None, None), (Decimal("0"), Decimal("0")), (Decimal("-0"), Decimal("-0.00"))]:
        r = _replace(leaf, target=target, actual=actual)
        assert_same(_replace(base, indicators=(_replace(base.indicators[0], children=(r,)),)))


def test_new_nodes_alike_or_not():
    """A new node object (a project unit brings new ones every time) takes the
    texts of an earlier node only when every attribute they read is the same:
    another weight, None and "None", another name, operator or unit make new texts."""
    base = evaluate_file("examples/2019/hr-bureau.yaml")
    leaf = next(_leaves(base.indicators))
    variants = [{}, {}, {"weight": leaf.node.weight + 1}, {"unit": None}, {"unit": "None"}, {"name": leaf.node.name + " "},
                {"operator": "≤"}, {"in_total": False}, {"value_type": "number"}, {"key": leaf.node.key + "2"}, {}]
    for changes in variants:
        r = _replace(leaf, node=dataclasses.replace(leaf.node, **changes))  # a new object each time
        assert_same(_replace(base, indicators=(_replace(base.indicators[0], children=(r,)),)))


def test_a_value_no_fast_path_expects_takes_the_reference_path():
    base = evaluate_file("examples/2019/hr-bureau.yaml")
    odd = _replace(base.deviations[0], unit=["人"])  # unhashable: the deviation key cannot be kept
    result = _replace(base, deviations=(odd,))
    with pytest.raises(TypeError):
        jsonl._line(result, "zh")
    assert jsonl.line(result, "zh") == reference_line(result, "zh")


# --- the pieces -------------------------------------------------------------------

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), decimals, texts, st.integers(-10**20, 10**20), st.floats(allow_nan=True)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.lists(inner, max_size=3).map(tuple), st.dictionaries(st.one_of(texts, st.integers(0, 9)), inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_dumps_as_the_reference(value):
    for indent in (None, 2, 4):
        assert json_out.dumps(value, indent) == ref.dumps(value, indent)
    assert jsonl.dumps_line(value) == ref.dumps(value, indent=None)


@settings(max_examples=500, deadline=None)
@given(st.one_of(decimals, st.decimals(allow_nan=True, allow_infinity=True)))
def test_numbers_as_the_reference(value):
    assert json_out._num(value) == ref.num(value)


def test_golden_json_unchanged():
    code, out, _ = run_cli("evaluate", "--format", "json")
    assert code == 0 and out == (ROOT / "tests" / "golden" / "hr-bureau-2019.json").read_text(encoding="utf-8")
    result = evaluate_file("examples/2019/hr-bureau.yaml")
    with _old_messages():
        assert json_out.render(result) == ref.dumps(json_out.as_dict(result)) + "\n"


MESSAGE_ARGS = st.dictionaries(
    st.sampled_from(["name", "kind", "expected", "value", "check", "where", "stated", "computed", "difference", "suggestion", "key", "row", "field", "label", "path", "known", "method"]),
    st.one_of(values, st.sampled_from(["number", "integer", "text", "未完成", "超额", "需说明"]), st.integers(-3, 3)),
    max_size=8,
)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(CATALOG)), MESSAGE_ARGS, st.sampled_from(LANGS))
def test_messages_as_the_reference(code, args, lang):
    assert format_message(code, args, lang) == ref.format_message(code, args, lang)
    assert format_message_json(code, args, lang) == json.dumps(ref.format_message(code, args, lang), ensure_ascii=False)


def test_every_message_with_all_its_names_as_the_reference():
    from engine.base.messages import _parse

    def names(parts):
        for p in parts:
            if p.__class__ is not str:
                yield p[0]
                if len(p) == 2:
                    yield from names(p[1])

    for code, pair in CATALOG.items():
        for lang, template in zip(LANGS, pair):
            for value in ("", "x", "a\n b", Decimal("-0"), Decimal("1E+3"), None, "100%", "%s", 'q"', "\\", "\x00", "\u2028", "\x7f"):
                args = {n: value for n in names(_parse(template))}
                assert format_message(code, args, lang) == ref.format_message(code, args, lang), (code, lang, args)
                assert format_message_json(code, args, lang) == json.dumps(ref.format_message(code, args, lang), ensure_ascii=False), (code, lang, args)


@settings(max_examples=400, deadline=None)
@given(st.one_of(decimals, st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**30, max_value=10**30)), st.integers(0, 4))
def test_percent_as_before_and_in_any_context(value, places):
    import decimal

    from engine.base.numeric import CONTEXT, fmt_percent

    with decimal.localcontext(CONTEXT):
        before = ref.fmt_percent(value, places)  # where evaluate computes: 34 digits
        if before.startswith("-") and not before.strip("-0.%"):
            before = before[1:]  # -0% (or -0.00%) now prints as 0%: a sign on nothing is never shown
        assert fmt_percent(value, places) == before
    assert fmt_percent(value, places) == before  # the caller's context (28 digits) no longer matters
    if len(value.as_tuple().digits) <= 26:
        assert ref.fmt_percent(value, places).removeprefix("-" if before[0] != "-" else "") == before


def test_percent_of_a_long_figure_is_not_rounded_twice():
    # 31 digits: times 100 in a 28-digit context rounded up to 0.445 first
    value = Decimal("0.004449999999999999999999999999999")
    assert ref.fmt_percent(value) == "0.45%"
    from engine.base.numeric import fmt_percent

    assert fmt_percent(value) == "0.44%"
