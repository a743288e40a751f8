"""Year-to-year inheritance (`extends:`): merging by stable id, provenance,
located errors, and the cache key over the whole chain."""
from __future__ import annotations

import re
import shutil
import textwrap
from decimal import Decimal

import pytest

from engine.ruleset.compile import compile_ruleset

from engine.ruleset.loading import load_plan
from engine.base.diagnostics import DiagnosticError
from engine.evaluation.evaluate import evaluate
from engine.ruleset.inherit import resolve_chain
from engine.unit.inputs import load_unit
from engine.load.yaml_loader import load_text
from tests.conftest import EXAMPLE_2019, ROOT, RULESET_2019, run_cli

RULESET_2020 = ROOT / "rulesets" / "2020" / "department.yaml"


def line_of(path, text: str, after: str | None = None) -> int:
    """The 1-based line of the first line containing `text` (after the line containing `after`)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = 0 if after is None else next(i for i, ln in enumerate(lines) if after in ln)
    return next(i for i, ln in enumerate(lines) if i >= start and text in ln) + 1


def child(tmp_path, body: str, name: str = "child.yaml", parent=RULESET_2019) -> str:
    """A ruleset extending `parent` with `body` (YAML) as its changes."""
    path = tmp_path / name
    head = f"extends: {parent}\nid: test-2021\nyear: 2021\n"
    path.write_text(head + textwrap.dedent(body), encoding="utf-8")
    return str(path)


def problems(path: str) -> list[str]:
    with pytest.raises(DiagnosticError) as e:
        load_plan(path)
    return [d.render("zh").replace(str(ROOT) + "/", "") for d in e.value.diagnostics]


def scores(plan) -> dict[str, Decimal]:
    result = evaluate(plan, load_unit(plan, str(EXAMPLE_2019)))
    out, stack = {}, list(result.indicators)
    while stack:
        r = stack.pop()
        out[r.node.key] = r.score
        stack.extend(r.children)
    return {"total": result.total, **out}


def tree(plan) -> list:
    return [(n.key, [c.key for c in n.children]) for n in plan.roots]


# --- the shipped 2020 ruleset ------------------------------------------------

def test_2020_resolves_from_2019_and_changes_only_the_adjustment_rate():
    old, new = load_plan(str(RULESET_2019)), load_plan(str(RULESET_2020))
    assert new.ruleset.year == 2020 and new.ruleset.id == "wuhan-edz-department-2020"
    assert new.node("预算调整率").method.NAME == "bands"
    assert old.node("预算调整率").method.NAME == "threshold"
    assert [n.key for n in new.leaves] == [n.key for n in old.leaves]
    s = scores(new)
    assert s["total"] == Decimal("89.36") and s["预算调整率"] == 2
    assert new.ruleset.cases[0].expect.total == Decimal("89.36")  # its own cases, not 2019's


def test_show_resolved_gives_file_line_and_year_for_every_value():
    code, out, err = run_cli("show", "rulesets/2020/department.yaml", "--resolved")
    assert code == 0, err
    f2019, f2020 = "rulesets/2019/department.yaml", "rulesets/2020/department.yaml"
    lines = out.splitlines()
    assert lines[1] == f"# 继承链：{f2020} (2020) → {f2019} (2019)"
    by_text = {ln.split("#")[0].strip(): ln for ln in lines if "  # " in ln}
    assert by_text["method: bands"].endswith(f"# {f2020}:{line_of(RULESET_2020, 'method: bands')} (2020)")
    assert by_text["kind: 部门整体支出"].endswith(f"# {f2019}:{line_of(RULESET_2019, 'kind:')} (2019)")
    assert by_text["year: 2020"].endswith(f"# {f2020}:{line_of(RULESET_2020, 'year: 2020')} (2020)")
    weight = next(ln for ln in lines[lines.index(next(x for x in lines if "id: 预算调整率" in x)):] if "weight:" in ln)
    assert weight.endswith(f"# {f2019}:{line_of(RULESET_2019, 'weight: 10', after='id: 预算调整率')} (2019)")
    # every scalar says where it came from
    scalar = re.compile(r"^\s*(- )?[^#]*\S: \S|^\s*- [^#\s]")
    bare = [ln for ln in lines if not ln.startswith("#") and scalar.match(ln) and not re.search(r"  # rulesets/20(19|20)/department\.yaml:\d+ \(20(19|20)\)$", ln)]
    assert bare == []


def test_resolved_output_is_itself_the_whole_ruleset():
    _, out, _ = run_cli("show", "rulesets/2020/department.yaml", "--resolved")
    raw, smap = load_text(out, "resolved.yaml")
    expected = dict(resolve_chain(str(RULESET_2020)).raw)
    expected.pop("extends")
    assert raw == expected
    plan = compile_ruleset(raw, smap, "resolved.yaml", "x")
    assert scores(plan) == scores(load_plan(str(RULESET_2020)))


def test_plain_show_is_an_overview_with_the_chain():
    code, out, _ = run_cli("show", "2020")
    assert code == 0
    assert "继承链：rulesets/2020/department.yaml (2020) → rulesets/2019/department.yaml (2019)" in out
    assert re.search(r"预算调整率\s+10\s+≤5%\s+bands（5 档）", out)
    code, out, _ = run_cli("show", "2020", "--lang", "en")
    assert "inheritance chain:" in out and "bands (5 bands)" in out


# --- what a change can do ----------------------------------------------------

def test_change_a_weight_and_rebalance_a_sibling(tmp_path):
    plan = load_plan(child(tmp_path, """
        indicators:
          - {id: 预算执行率, weight: 12}
          - {id: 预算调整率, weight: 8}
    """))
    assert (plan.node("预算执行率").weight, plan.node("预算调整率").weight) == (12, 8)
    assert scores(plan)["预算执行率"] == Decimal("11.23")  # 12 × 93.59%


def test_change_a_target(tmp_path):
    plan = load_plan(child(tmp_path, """
        indicators:
          - {id: 城镇新增就业人数, target: 16000}
    """))
    assert plan.node("城镇新增就业人数").target == 16000
    assert scores(plan)["城镇新增就业人数"] == Decimal("2.91")  # 3 × 15500 / 16000


def test_change_the_method_replaces_the_rule_and_a_parameter_change_merges(tmp_path):
    plan = load_plan(child(tmp_path, """
        indicators:
          - id: 预算调整率
            scoring: {otherwise: 1}
    """, parent=RULESET_2020))
    params = plan.node("预算调整率").params
    assert len(params.bands) == 5 and params.otherwise == 1
    plan = load_plan(child(tmp_path, """
        indicators:
          - {id: 预算调整率, scoring: {method: reverse}}
    """, name="other.yaml", parent=RULESET_2020))
    assert plan.node("预算调整率").method.NAME == "reverse"  # no band parameters carried over
    assert scores(plan)["预算调整率"] == Decimal("1.60")  # 10 × 5% / 31.21%


def test_change_a_band_of_the_grades_add_one_and_remove_one(tmp_path):
    plan = load_plan(child(tmp_path, """
        grades:
          - {label: 优, min: 95}
          - {label: 较好, min: 88}
          - {label: 差, remove: true}
          - {label: 中, min: 0}
    """))
    assert [(g.label, g.min) for g in plan.ruleset.grades] == [("优", 95), ("较好", 88), ("良", 80), ("中", 0)]


def test_add_remove_and_move_indicators_by_id(tmp_path):
    plan = load_plan(child(tmp_path, """
        indicators:
          - id: 新闻发布次数
            name: 新闻发布次数
            parent: 数量指标
            after: 参与干部培训人数
            weight: 2
            target: 4
            operator: ≥
            unit: 次
            scoring: proportional
          - {id: 干部档案整理覆盖率, remove: true}
          - {id: 成本指标, parent: 预算管理, before: 预算执行率}
          - {id: 预算管理, weight: 23}
          - {id: 产出指标, weight: 37}
          - {id: 满意度, after: 预算管理}
    """))
    assert tree(plan)[:2] == [("预算管理", ["成本指标", "预算执行率", "预算调整率"]), ("满意度", ["服务对象满意度"])]
    quantity = plan.node("数量指标")
    assert [c.key for c in quantity.children][:3] == ["参与干部培训人数", "新闻发布次数", "专项招聘工作完成率"]
    assert plan.node("干部档案整理覆盖率") is None


def test_metric_shorthand_changes_the_formula_and_keeps_the_rest(tmp_path):
    plan = load_plan(child(tmp_path, """
        metrics:
          预算执行率: 全年执行数 / 全年预算数
    """))
    assert plan.ruleset.metrics["预算执行率"].type == "percent"
    assert plan.ruleset.metrics["预算执行率"].formula == "全年执行数 / 全年预算数"


def test_three_years_chain(tmp_path):
    path = child(tmp_path, "indicators:\n  - {id: 预算调整率, target: 10%}\n", parent=RULESET_2020)
    r = resolve_chain(path)
    assert [link.year for link in r.chain] == [2021, 2020, 2019]
    plan = load_plan(path)
    assert plan.node("预算调整率").method.NAME == "bands" and plan.node("预算调整率").target == Decimal("0.1")


# --- the merged ruleset is validated, errors located in the right file --------

def test_a_sum_broken_by_a_change_is_reported_at_the_change(tmp_path):
    path = child(tmp_path, """
        indicators:
          - {id: 预算执行率, weight: 12}
    """)
    stated = line_of(RULESET_2019, "weight: 20", after="id: 预算管理")
    assert problems(path) == [
        f"{path}:6:25: 这一修改后，「预算管理」的 2 项下级指标分值合计为 22，应为 20"
        f"（「预算管理」的分值写在 rulesets/2019/department.yaml:{stated}）"
    ]


def test_dangling_reference_after_removing_an_input(tmp_path):
    path = child(tmp_path, """
        inputs:
          文中年初预算数: ~
    """)
    at = line_of(RULESET_2019, "stated: 文中年初预算数")
    [msg] = problems(path)
    assert msg.startswith(f"rulesets/2019/department.yaml:{at}:") and "「文中年初预算数」未定义" in msg


def test_an_added_indicators_formula_error_points_into_the_child(tmp_path):
    path = child(tmp_path, """
        indicators:
          - {id: 预算执行率, weight: 5}
          - id: 结转结余率
            name: 结转结余率
            parent: 预算管理
            weight: 5
            target: 10%
            operator: ≤
            actual: 结转结余 / 全年预算数
    """)
    assert problems(path) == [f"{path}:13:13: 公式中的名称「结转结余」未定义"]


@pytest.mark.parametrize("body, expected", [
    ("indicators:\n  - {id: 预算执行律, weight: 3}\n",
     "5:10: 上一年度规则集中没有指标「预算执行律」（是否应为「预算执行率」？）；如要新增指标，请写明 name 和 weight"),
    ("indicators:\n  - {id: 预算执行率, parent: 预算关里}\n",
     "5:25: parent 指向的指标「预算关里」不存在（是否应为「预算管理」？）"),
    ("indicators:\n  - {id: 预算执行率, after: 数量指标}\n",
     "5:24: 「数量指标」不是「预算管理」的下级指标，无法据此确定位置"),
    ("indicators:\n  - {id: 预算管理, parent: 预算执行率}\n",
     "5:24: 不能把指标「预算管理」移到它自己或它的下级「预算执行率」之下"),
    ("indicators:\n  - {id: 预算执行率, weight: 9}\n  - {id: 预算执行率, weight: 8}\n",
     "6:10: 指标「预算执行率」在本文件中修改了两次，请合并为一项"),
    ("indicators:\n  - {id: ABC, remove: true}\n",
     "5:10: 上一年度规则集中没有 id 为「ABC」的项，无法删除"),
    ("indicators:\n  - {id: 预算执行率, remove: yes}\n",
     "5:25: remove 只能写 true（删除这一项）"),
    ("indicators:\n  - {id: 预算执行率, remove: true, weight: 3}\n",
     "5:31: 「预算执行率」已标记删除（remove: true），不能同时修改其他设置"),
    ("indicators:\n  - id: 预算管理\n    children: []\n",
     "6:5: 修改已有指标「预算管理」时不能写 children：对下级指标的修改请按各自的 id 单独列出"),
    ("indicators:\n  - {weight: 3}\n",
     "5:5: 每一项修改都要用「id」指明修改的是哪一项"),
    ("grades:\n  - {label: 极好, remove: true}\n",
     "5:13: 上一年度规则集中没有 label 为「极好」的项，无法删除"),
    ("rounding:\n  mode: ~\n",
     "5:3: 「mode」设为空（~）表示删除，但上一年度规则集中没有这一项"),
])
def test_change_mistakes_are_located_in_the_changing_file(tmp_path, body, expected):
    path = child(tmp_path, body)
    assert problems(path) == [f"{path}:{expected}"]


def test_missing_parent_and_cycles_are_located_at_extends(tmp_path):
    missing = tmp_path / "a.yaml"
    missing.write_text("extends: ../nowhere/2019.yaml\nid: a\nyear: 2021\n", encoding="utf-8")
    assert problems(str(missing)) == [f"{missing}:1:10: extends 指向的规则集不存在：{tmp_path.parent}/nowhere/2019.yaml"]
    (tmp_path / "b.yaml").write_text("id: b\nyear: 2020\nextends: c.yaml\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text("id: c\nyear: 2019\nextends: b.yaml\n", encoding="utf-8")
    b = str(tmp_path / "b.yaml")
    assert problems(b) == [f"{tmp_path}/c.yaml:3:10: 规则集的继承（extends）形成循环：{b} → {tmp_path}/c.yaml → {b}"]
    (tmp_path / "d.yaml").write_text("id: d\nyear: 2019\nextends: d.yaml\n", encoding="utf-8")
    assert "形成循环" in problems(str(tmp_path / "d.yaml"))[0]


def test_cache_key_covers_every_file_in_the_chain(tmp_path):
    (tmp_path / "2019").mkdir()
    (tmp_path / "2020").mkdir()
    parent = tmp_path / "2019" / "department.yaml"
    shutil.copy(RULESET_2019, parent)
    shutil.copy(RULESET_2020, tmp_path / "2020" / "department.yaml")
    path = str(tmp_path / "2020" / "department.yaml")
    first = load_plan(path)
    assert load_plan(path) is first  # unchanged chain: cached
    parent.write_text(parent.read_text(encoding="utf-8").replace("target: 100%                # 部门", "target: 99%                # 部门"), encoding="utf-8")
    second = load_plan(path)
    assert second is not first and second.digest != first.digest
    assert second.node("成本指标").target == Decimal("0.99")


@pytest.mark.parametrize("parent", ["", "# only a comment\n", "- a list\n"])
def test_a_parent_that_is_no_mapping_is_named_at_its_first_line(tmp_path, parent):
    """An empty or comment-only parent has no position of its own: the
    message still names its file (it used to have no file, line or column)."""
    (tmp_path / "parent.yaml").write_text(parent, encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("extends: parent.yaml\nid: c\ntitle: t\nyear: 2020\n", encoding="utf-8")
    for lang, said in (("zh", "规则集应是一个键值映射（id、title、indicators 等）"), ("en", "a ruleset must be a mapping (id, title, indicators, …)")):
        code, _, err = run_cli("validate", str(child), "--lang", lang)
        assert (code, err.splitlines()[0]) == (1, f"{tmp_path / 'parent.yaml'}:1:1: {said}")


def test_a_parent_that_cannot_be_read_is_placed_at_the_extends_naming_it(tmp_path):
    (tmp_path / "folder.yaml").mkdir()
    for name, said in (("folder.yaml", "这是一个文件夹，不是文件"), ("a" * 300 + ".yaml", "文件名太长")):
        child = tmp_path / "child.yaml"
        child.write_text(f"extends: {name}\nid: c\ntitle: t\nyear: 2020\n", encoding="utf-8")
        code, _, err = run_cli("validate", str(child))
        assert code == 1 and err.startswith(f"{child}:1:10: ") and said in err.splitlines()[0], err


def test_a_value_of_the_wrong_kind_is_quoted_as_the_yaml_writes_it(tmp_path):
    """Not Python's repr (`{'a': Decimal('1')}`)."""
    path = tmp_path / "rs.yaml"
    path.write_text("extends: " + str(RULESET_2019) + "\nid: t\ntitle: t\nyear: 2019\nindicators: {a: 1}\n", encoding="utf-8")
    code, _, err = run_cli("validate", str(path))
    assert code == 1 and "实际是「{\"a\": 1}」" in err and "Decimal" not in err, err
