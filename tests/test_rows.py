"""Indicators that are data: a project's rows checked as located errors, all at once.

Data and ruleset come from tests/fixtures/knobs/ with one mistake edited in;
each problem is asserted as (code, line, column) in the data file.
"""
from __future__ import annotations

import os

import pytest

from engine.ruleset.compile import compile_ruleset

from engine.base.digest import digest_of
from engine.base.diagnostics import DiagnosticError
from engine.unit.inputs import read_unit
from engine.load.yaml_loader import load_text
from tests.conftest import ROOT, batch_projects_blanking, run_cli
from tests.test_knobs import DATA, RULESET, _edit, run, scores


def where(text: str, line_has: str, token: str) -> tuple[int, int]:
    """1-based (line, column) of `token` on the first line containing `line_has`."""
    for n, line in enumerate(text.splitlines(), 1):
        if line_has in line:
            return n, line.index(token) + 1
    raise AssertionError(line_has)


def problems(data_edits=(), ruleset_edits=()) -> list[tuple[str, int, int]]:
    with pytest.raises(DiagnosticError) as e:
        run(ruleset_edits, data_edits)
    return [(d.code, d.span.line, d.span.col) for d in e.value.diagnostics]


def test_weights_off_in_a_frame():
    edits = [("actual: 80, weight: 40", "actual: 80, weight: 45")]
    text = _edit(DATA, edits)
    assert problems(edits) == [("rows.frame_weights", *where(text, "name: A,", "45"))]


def test_weights_off_in_a_fixed_first_level_frame():
    """A frame that is itself the 一级 (categories as a list) checks its own rows' sum."""
    frame = "    categories:\n      产出指标: [数量指标, 时效指标]\n      效益指标: [社会效益指标]\n"
    rs = [
        ("  - id: 绩效指标\n    name: 绩效指标\n    weight: 90\n    rows: data\n" + frame,
         "  - {id: 产出指标, name: 产出指标, weight: 70, rows: data, categories: [数量指标, 时效指标]}\n"
         "  - {id: 效益指标, name: 效益指标, weight: 20, rows: data, categories: [社会效益指标]}\n"),
    ]
    assert run(rs).total == run().total
    edits = [("actual: 100, weight: 20,", "actual: 100, weight: 25,")]
    text = _edit(DATA, edits)
    assert problems(edits, rs) == [("rows.frame_weights", *where(text, "name: D,", "25"))]


def test_score_outside_its_qualitative_band():
    edits = [("level: 部分达成, score: 6.5", "level: 部分达成, score: 8")]
    text = _edit(DATA, edits)
    assert problems(edits) == [("score.outside_level", *where(text, "name: C,", "8,"))]


def test_score_above_the_weight():
    edits = [("level: 部分达成, score: 6.5", "level: 达成, score: 12")]
    text = _edit(DATA, edits)
    assert problems(edits) == [("score.manual_out_of_range", *where(text, "name: C,", "12"))]


def test_text_actual_in_a_quantitative_row():
    edits = [("target: 100, actual: 80,", "target: 100, actual: ≥100个,")]
    text = _edit(DATA, edits)
    assert problems(edits) == [("input.actual_is_target", *where(text, "name: A,", "≥100个"))]  # the target copied


def test_every_row_problem_reported_at_once():
    edits = [
        ("category: 数量指标, name: A,", "category: 数量指, name: A,"),
        ("target: 3, actual: 2,", "target: 3, actual: 两个,"),
        ("level: 部分达成, score: 6.5", "level: 部分达成, score: 9"),
        ("group: 效益指标, category: 社会效益指标, name: D, operator: ≥,", "group: 效果指标, category: 社会效益指标, name: D, operator: ≥,"),
    ]
    text = _edit(DATA, edits)
    found = problems(edits)
    assert ("rows.unknown_category", *where(text, "name: A,", "数量指,")) in found
    assert ("input.actual_not_number", *where(text, "name: B,", "两个")) in found
    assert ("score.outside_level", *where(text, "name: C,", "9,")) in found
    assert ("rows.unknown_group", *where(text, "name: D,", "效果指标")) in found
    assert ("rows.frame_weights", *where(text, "name: A,", "40")) in found  # A + B + C weigh 70 of 90
    assert len(found) == 5


def test_a_misplaced_row_still_has_its_data_checked():
    edits = [("category: 数量指标, name: A, operator: ≥, unit: 个, target: 100, actual: 80,", "category: 数量指, name: A, operator: ≥, unit: 个, target: 100, actual: 八十,")]
    text = _edit(DATA, edits)
    assert problems(edits) == [
        ("rows.unknown_category", *where(text, "name: A,", "数量指,")),
        ("input.actual_not_number", *where(text, "name: A,", "八十")),
    ]


@pytest.mark.parametrize("old, new, code, token", [
    ("name: A, operator: ≥,", "name: A, operator: 大于,", "rows.bad_operator", "大于"),
    ("name: A, operator: ≥, unit: 个, target: 100,", "name: A, operator: ≤, unit: 个, target: ≥100,", "rows.operator_conflict", "≥100"),
    ("name: A, operator: ≥, unit: 个, target: 100,", "name: A, operator: ≥, unit: 个, target: 一百,", "rows.target_not_number", "一百"),
    ("actual: 80, weight: 40", "actual: 80, weight: -40", "input.negative", "-40"),
    ("name: B,", "name: A,", "rows.duplicate", "A,"),
    ("actual: 80, weight: 40", "actual: 80, weight: —", "rows.missing_field", "—"),
    ("name: A, operator: ≥, unit: 个, target: 100,", "name: A, operator: ≥, unit: 个, target: /,", "rows.missing_field", "/"),
    ("actual: 80, weight: 40, explanation: 测试}", "actual: 80, weight: 40, explanation: 测试, 得分: 32}", "rows.unknown_key", "得分"),
])
def test_row_mistakes_are_located(old, new, code, token):
    text = _edit(DATA, [(old, new)])
    line_has = new if code != "rows.duplicate" else "category: 数量指标, name: A, operator: ≥, unit: 个, target: 3"
    found = problems([(old, new)])
    assert found[0] == (code, *where(text, line_has, token)), found


def test_a_form_heading_as_key_is_told_the_key_to_use():
    with pytest.raises(DiagnosticError) as e:
        run(data_edits=[("actual: 80, weight: 40, explanation: 测试}", "actual: 80, weight: 40, 偏差原因分析及改进措施: 测试}")])
    assert [d.message() for d in e.value.diagnostics][0].startswith("指标行中未知的项「偏差原因分析及改进措施」，是否应为「explanation」？")


def test_operator_may_come_with_the_target_and_units_after_numbers():
    """`≥100个` as the target reads as operator ≥ and target 100 when 度量单位 is 个."""
    r = run(data_edits=[("name: A, operator: ≥, unit: 个, target: 100,", "name: A, unit: 个, target: ≥100个,")])
    assert scores(r)["A"] == 32


def test_missing_fields_are_named():
    edits = [("{group: 产出指标, category: 数量指标, name: A, operator: ≥, unit: 个, target: 100,", "{group: 产出指标, name: A, operator: ≥, unit: 个,")]
    text = _edit(DATA, edits)
    line, col = where(text, "name: A,", "{")
    with pytest.raises(DiagnosticError) as e:
        run(data_edits=edits)
    found = [(d.code, d.span.line, d.span.col, d.args["field"]) for d in e.value.diagnostics]
    assert found == [("rows.missing_field", line, col, "category"), ("rows.missing_field", line, col, "target")]
    assert e.value.diagnostics[0].message() == "指标「A」缺少二级指标（category）"


def test_rows_missing_and_rows_not_expected():
    rows_start = DATA.index("indicator_rows:")
    with pytest.raises(DiagnosticError) as e:
        run(data_edits=[(DATA[rows_start:], "")])
    assert [d.code for d in e.value.diagnostics] == ["rows.missing"]
    # the department ruleset fixes all its indicators: rows there are a mistake
    text = (ROOT / "examples" / "2019" / "hr-bureau.yaml").read_text(encoding="utf-8") + "indicator_rows: []\n"
    path = ROOT / "rulesets" / "2019" / "department.yaml"
    rtext = path.read_text(encoding="utf-8")
    raw, smap = load_text(rtext, "department.yaml")
    plan = compile_ruleset(raw, smap, "department.yaml", digest_of(rtext))
    draw, dsmap = load_text(text, "hr.yaml")
    with pytest.raises(DiagnosticError) as e:
        read_unit(plan, draw, dsmap, "hr.yaml")
    assert [(d.code, d.span.line) for d in e.value.diagnostics] == [("rows.not_expected", len(text.splitlines()))]


@pytest.mark.parametrize("old, new, code", [
    ("    rows: data\n", "", "rows.categories_without_rows"),
    ("    categories:\n      产出指标: [数量指标, 时效指标]\n      效益指标: [社会效益指标]\n", "", "rows.frame_no_categories"),
    ("    rows: data\n", "    rows: data\n    target: 100%\n", "rows.frame_not_plain"),
    ("scoring: proportional}", "scoring: proportional, in_total: false}", "ruleset.total_mismatch"),
    ("      效益指标: [社会效益指标]\n", "      效益指标: [社会效益指标]\n  - {name: 其他, weight: 0, rows: data, categories: {效益指标: [社会效益指标]}}\n", "rows.group_twice"),
])
def test_frame_mistakes_in_the_ruleset(old, new, code):
    text = _edit(RULESET, [(old, new)])
    raw, smap = load_text(text, "ruleset.yaml")
    with pytest.raises(DiagnosticError) as e:
        compile_ruleset(raw, smap, "ruleset.yaml", digest_of(text))
    assert code in [d.code for d in e.value.diagnostics]


def test_row_errors_through_the_cli_in_both_languages(tmp_path):
    data = tmp_path / "p.yaml"
    data.write_text(_edit(DATA, [("actual: 80, weight: 40", "actual: 80, weight: 45")]), encoding="utf-8")
    ruleset = str(ROOT / "tests" / "fixtures" / "knobs" / "ruleset.yaml")
    code, out, err = run_cli("evaluate", str(data), "--ruleset", ruleset)
    assert code == 1 and out == ""
    assert "「绩效指标」下 4 项三级指标分值合计为 95，应为 90" in err
    code, _, err = run_cli("evaluate", str(data), "--ruleset", ruleset, "--lang", "en")
    assert "the 4 indicators under '绩效指标' weigh 95 in all; they should weigh 90" in err


def test_the_same_rows_are_the_same_nodes_and_plan():
    """Issue 18: units of one scheme repeat their indicator rows; each row, each
    branch over the same rows and the plan over them are made once and shared
    (nodes are immutable), so what is kept per node is found, not made again.
    A row that differs in anything — even a weight written 15.0 for 15, which
    prints differently — is a node of its own."""
    from engine.load.yaml_loader import read_file
    from engine.ruleset.loading import load_plan

    plan = load_plan(os.path.join(ROOT, "rulesets", "2019", "project.yaml"))
    path = os.path.join(ROOT, "examples", "2019", "projects", "cadre-training.yaml")
    text = read_file(path, "p.yaml")

    def unit(text):
        raw, smap = load_text(text, "p.yaml")
        return read_unit(plan, raw, smap, "p.yaml")

    first, second = unit(text), unit(text)
    assert first.plan is second.plan and first.plan is not plan
    assert [id(n) for n in first.plan.leaves] == [id(n) for n in second.plan.leaves]
    changed = unit(text.replace("target: 140, actual: 0, weight: 15,", "target: 140, actual: 0, weight: 15.0,", 1))
    assert changed.plan is not first.plan
    moved = [a for a, b in zip(first.plan.leaves, changed.plan.leaves) if a is not b]
    assert [n.name for n in moved] == ["参与干部培训人数"] and str(moved[0].weight) == "15"
    assert str(next(n for n in changed.plan.leaves if n.name == "参与干部培训人数").weight) == "15.0"


# Issue 18: a row's own fields (its place, weight, target, operator), read once
# without a problem, are not read again in the same process; nor are the same
# rows' subtrees made again (indicator_rows._RowsMemo). Every outcome must be
# the one a fresh read gives, whatever was read before.
_PROJECTS = os.path.join(ROOT, "examples", "2019", "projects")
_ROW = "{group: 产出指标, category: 数量指标, name: 参与干部培训人数, operator: ≥, unit: 人, target: 140, actual: 0, weight: 15,"
_VARIANTS = [
    (),  # as written
    ((_ROW, _ROW.replace("weight: 15,", "weight: 16,")),),  # the frame's weights off by one
    ((_ROW, _ROW.replace("weight: 15,", "weight: 15.0,")),),  # the same weight, printed otherwise
    ((_ROW, _ROW.replace("weight: 15,", "weight: 十五,")),),  # no figure
    ((_ROW, _ROW.replace("actual: 0,", "actual: 没有,")),),  # the row's entry wrong, its own fields right
    ((_ROW, _ROW.replace("参与干部培训人数", "干部档案整理覆盖率")),),  # its key repeated by the next row, itself unchanged
    ((_ROW, _ROW.replace("产出指标", "产出指标们")),),  # no such 一级
    (("name: 专项招聘工作完成率", "name: 专项招聘工作完成率, id: Z1"),),
]


def _outcome(plan, text: str):
    """What reading and evaluating `text` gives: the result line, or the problems."""
    from engine.api import result_json
    from engine.evaluation.evaluate import evaluate

    raw, smap = load_text(text, "p.yaml")
    try:
        unit = read_unit(plan, raw, smap, "p.yaml")
    except DiagnosticError as e:
        return [(d.code, d.span, dict(d.args), d.severity) for d in e.diagnostics]
    return result_json(evaluate(plan, unit))


def test_rows_read_before_change_no_outcome():
    """Each of the six projects, as written and in seven variants (read in
    turn, then all again), gives exactly what it gives read first in a fresh
    process: the memo must not carry a weight, a key, a place or a problem
    from one unit to another."""
    from engine.ruleset.loading import load_plan
    from engine.unit import indicator_rows

    plan = load_plan(os.path.join(ROOT, "rulesets", "2019", "project.yaml"))
    texts = [(open(os.path.join(_PROJECTS, f), encoding="utf-8").read()) for f in sorted(os.listdir(_PROJECTS)) if f.endswith(".yaml")]
    cases = [_edit(texts[0], edits) for edits in _VARIANTS] + texts[1:]
    fresh = []
    for text in cases:
        indicator_rows._MEMOS.clear()
        fresh.append(_outcome(plan, text))
    indicator_rows._MEMOS.clear()
    for _ in range(2):
        assert [_outcome(plan, text) for text in cases] == fresh
    memo = indicator_rows._MEMOS[id(plan)][1]
    assert memo.hits > 0 and memo.repeating()
    # the variants do fail, each in its own way (the memo sees rows with problems and without)
    assert [[p[0] for p in o] if isinstance(o, list) else "ok" for o in fresh[: len(_VARIANTS)]] == [
        "ok", ["rows.frame_weights"], "ok", ["input.not_number", "rows.frame_weights"], ["input.actual_not_number"],
        ["rows.duplicate"], ["rows.unknown_group", "rows.frame_weights"], "ok",
    ]


def test_the_memo_stops_when_rows_do_not_repeat():
    """A batch whose every project sets its own indicators: after the trial
    rows no key is made or kept, and each unit still reads as it does fresh."""
    from engine.ruleset.loading import load_plan
    from engine.unit import indicator_rows

    plan = load_plan(os.path.join(ROOT, "rulesets", "2019", "project.yaml"))
    text = open(os.path.join(_PROJECTS, "cadre-training.yaml"), encoding="utf-8").read()
    names = ("参与干部培训人数", "干部档案整理覆盖率", "专项招聘工作完成率", "档案装具采购合规率", "招录工作按期完成", "干部队伍素质提升", "用人单位满意度")
    own = [_edit(text, [(f"name: {n}", f"name: {n}{i}") for n in names]) for i in range(indicator_rows._MEMO_TRIAL // 4)]
    indicator_rows._MEMOS.clear()
    outcomes = [_outcome(plan, t) for t in own]
    memo = indicator_rows._MEMOS[id(plan)][1]
    assert not memo.repeating() and memo.hits == 0
    kept = len(memo.heads)
    assert kept <= indicator_rows._MEMO_TRIAL + 10
    assert _outcome(plan, own[-1]) == outcomes[-1] and len(memo.heads) == kept
    for i in (0, 57, len(own) - 1):
        indicator_rows._MEMOS.clear()
        assert _outcome(plan, own[i]) == outcomes[i]
    assert all(isinstance(o, str) for o in outcomes)


def test_a_row_read_before_at_another_place_is_placed_where_it_is_now():
    """The memo knows a row by its place too: a row's node names its row
    (`path` ends `rows, i`), and a lint or a message about it is placed by it."""
    from engine.ruleset.loading import load_plan

    plan = load_plan(os.path.join(ROOT, "rulesets", "2019", "project.yaml"))
    text = open(os.path.join(_PROJECTS, "cadre-training.yaml"), encoding="utf-8").read()
    lines = text.splitlines(keepends=True)
    i = next(n for n, line in enumerate(lines) if _ROW in line)
    swapped = "".join(lines[:i] + lines[i + 2 : i + 3] + lines[i : i + 2] + lines[i + 3 :])  # row 0 (two lines) after row 1

    def placed(text):
        raw, smap = load_text(text, "p.yaml")
        return {n.name: n.path[-2:] for n in read_unit(plan, raw, smap, "p.yaml").plan.leaves}

    first = placed(text)
    assert first["参与干部培训人数"] == ("rows", 0) and first["干部档案整理覆盖率"] == ("rows", 1)
    after = placed(swapped)
    assert after["参与干部培训人数"] == ("rows", 1) and after["干部档案整理覆盖率"] == ("rows", 0)


def test_a_method_that_cannot_use_a_rows_target_is_told_at_the_target():
    """A scheme scoring 定性 rows by proportion: a text target cannot be scored
    so, reported at the row's target, in every unit that has such a row (the
    second unit reads the row's fields from the memo)."""
    qualitative = "  定性:\n    method: qualitative\n    levels:\n      - {level: 达成, min: 80%}\n      - {level: 部分达成, min: 60%}\n      - {level: 未达成, min: 0}"
    from engine.unit import indicator_rows

    rtext = _edit(RULESET, [(qualitative, "  定性: proportional")])
    plan = compile_ruleset(*load_text(rtext, "ruleset.yaml"), "ruleset.yaml", digest_of(rtext))
    for _ in range(2):
        with pytest.raises(DiagnosticError) as e:
            read_unit(plan, *load_text(DATA, "data.yaml"), "data.yaml")
        d, unused = e.value.diagnostics  # (and its 评价档次, which proportion does not read)
        assert (d.code, d.span.line, d.span.col) == ("ruleset.target_not_number", *where(DATA, "name: C", "按期完成"))
        assert d.args == {"name": "C", "method": "proportional", "target": "按期完成"}
        assert (unused.code, unused.span.line, unused.span.col) == ("input.field_not_used", *where(DATA, "name: C", "level:"))
    assert indicator_rows._MEMOS[id(plan)][1].hits == 4  # all four rows found the second time, C with its problem kept


@pytest.mark.parametrize(("old", "new", "token"), [
    ("name: A, ", "", "{group"),  # no 三级指标 at all
    ("name: A, ", "name: , ", ", operator"),  # given as nothing (YAML null), placed where its value would be
])
def test_a_row_without_a_name_is_told_so_not_an_internal_error(old, new, token):
    """A row with no 三级指标 once crashed the unit (the bidi check of its name
    met None: exit 70 in `evaluate`, an internal error per unit in `batch`)."""
    with pytest.raises(DiagnosticError) as e:
        run((), [(old, new)])
    (d,) = e.value.diagnostics
    line, col = where(_edit(DATA, [(old, new)]), "category: 数量指标", token)
    assert d.render("zh") == f"data.yaml:{line}:{col}: 指标「#1」缺少三级指标（name）"
    assert d.render("en") == f"data.yaml:{line}:{col}: indicator '#1' lacks its name (三级指标)"


def test_a_blank_name_cell_in_a_batch_of_projects_is_located(tmp_path):
    """The same through `batch`: a project's indicator table with a blank
    三级指标 cell gives that row's problem at the cell, exit 1."""
    code, err, rows, _, col = batch_projects_blanking(tmp_path, "三级指标")
    assert code == 1, err
    assert f"{rows}:2:{col}: 指标「#1」缺少三级指标（name）" in err and "内部错误" not in err
    code, err, rows, name, col = batch_projects_blanking(tmp_path, "分值")
    assert f"{rows}:2:{col}: 指标「{name}」缺少分值（weight）" in err
