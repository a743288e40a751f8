"""A unit's narrative (报告文字) made on first use (`LazyMapping`) is the
narrative `inputs._read_narrative` makes, and the quick look that lets a
section wait (`inputs._well_formed`) never passes one the reader would
report: same texts, same problems, for any section a unit may hold."""
from __future__ import annotations

import json
import os

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.base.diagnostics import DiagnosticError
from engine.base.sourcemap import SourceMap
from engine.load.json_line import load_json_line
from engine.ruleset.loading import load_plan
from engine.base.memo import LazyMapping
from engine.unit import inputs
from engine.unit.inputs import NarrativeText, Reader, read_unit

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLAN = load_plan(os.path.join(_ROOT, "rulesets", "2019", "department.yaml"))
SEED = os.path.join(_ROOT, "examples", "2019", "hr-bureau.json")

texts = st.sampled_from(["  第一段。\n\n 第二段 ", "一段", "", "  ", "a\u2028b", "\r\n行\r\n"])
odd = st.sampled_from([None, 3, 1.5, True, {"x": 1}, ("元组",), b"bytes"])
paragraphs = st.lists(st.one_of(texts, odd), max_size=4)
text_values = st.one_of(texts, paragraphs, odd)
items = st.one_of(text_values, st.dictionaries(st.sampled_from(["title", "text", "titel", "内容"]), st.one_of(texts, paragraphs, odd), max_size=3))
names = st.sampled_from(["预算执行率", "预算调整表", "支出表", "城镇新增就业人数", "不存在的名称", 7])
by_name = st.one_of(st.dictionaries(names, items, max_size=3), odd, texts)
keys = st.sampled_from(["部门职能", "年度工作重点", "表注", "附件", "支出情况说明", "绩效目标完成情况", "偏差原因分析", "未声明的键"])
sections = st.dictionaries(keys, st.one_of(text_values, by_name), max_size=6)


def _eager(section):
    rd = Reader(SourceMap(), "u.yaml")
    return inputs._read_narrative(PLAN, section, rd), [(d.code, d.args) for d in rd.problems]


@settings(max_examples=1500, deadline=None)
@given(sections)
def test_lazy_narrative_is_the_read_one(section):
    eager, problems = _eager(section)
    rd = Reader(SourceMap(), "u.yaml")
    made = inputs._narrative(PLAN, section, rd)
    assert [(d.code, d.args) for d in rd.problems] == problems
    if inputs._well_formed(PLAN, section):
        assert problems == []  # a section let wait holds no problem
        assert isinstance(made, LazyMapping) or section == {}
    assert dict(made) == eager
    for key in eager:
        assert made.get(key) == eager[key]
    assert made.get("未声明的键") is None


def test_plain_sections_wait():
    """The shapes a unit is written in wait for a report; they are made
    only when read (a batch never reads them)."""
    section = {"部门职能": ["  一、职能。", "", "二、职能。 "], "年度工作重点": "重点一\n\n重点二",
               "支出情况说明": {"支出表": "说明", "预算调整表": ["  甲 ", "乙"]},
               "绩效目标完成情况": {"预算执行率": {"title": "标题", "text": ["完成。"]}, "城镇新增就业人数": {"text": "完成"}}}
    made = inputs._narrative(PLAN, section, Reader(SourceMap(), "u.yaml"))
    assert isinstance(made, LazyMapping) and made._made is None
    assert made.get("部门职能") == NarrativeText(("一、职能。", "二、职能。"), None)
    assert made.get("年度工作重点") == NarrativeText(("重点一", "重点二"), None)
    assert made.get("支出情况说明") == {"支出表": NarrativeText(("说明",), None), "预算调整表": NarrativeText(("甲", "乙"), None)}
    assert made.get("绩效目标完成情况")["预算执行率"] == NarrativeText(("完成。",), "标题")
    assert len(made) == 4 and list(made) == list(section)


PLAIN = {"部门职能": ["一段"], "年度工作重点": "重点", "支出情况说明": {"支出表": "说明"},
         "绩效目标完成情况": {"预算执行率": {"title": "标题", "text": ["完成。"]}}}
ONE_WRONG = [  # a plain section with one thing wrong: each is the reader's to report
    {"部门职能": ["一段", 2]}, {"部门职能": ("一段",)}, {"年度工作重点": 5}, {"未声明的键": "文字"},
    {"支出情况说明": {"不存在的表": "说明"}}, {"支出情况说明": ["说明"]}, {"支出情况说明": {"支出表": None}},
    {"绩效目标完成情况": {"预算执行率": {"title": ["标题"], "text": "完成"}}},
    {"绩效目标完成情况": {"预算执行率": {"title": 3, "text": "完成"}}},
    {"绩效目标完成情况": {"预算执行率": {"titel": "标题", "text": "完成"}}},
    {"绩效目标完成情况": {"预算执行率": {"text": ["完成", None]}}},
    {"绩效目标完成情况": {"预算执行率": {"text": 1}}},
]


def test_one_wrong_thing_is_reported():
    assert inputs._well_formed(PLAN, PLAIN) and _eager(PLAIN)[1] == []
    for wrong in ONE_WRONG:
        section = {**PLAIN, **wrong}
        problems = _eager(section)[1]
        assert problems, wrong
        assert not inputs._well_formed(PLAN, section), wrong
        rd = Reader(SourceMap(), "u.yaml")
        inputs._narrative(PLAN, section, rd)
        assert [(d.code, d.args) for d in rd.problems] == problems


def test_a_wrong_text_is_still_reported_where_it_is():
    """A JSON line whose narrative holds a number among its paragraphs is
    refused with the paragraph's place, as before the texts were made lazily."""
    with open(SEED, encoding="utf-8") as fh:
        record = json.load(fh)
    record["narrative"] = {"部门职能": ["一段", 5], "附件": ["附件一"]}
    text = json.dumps(record, ensure_ascii=False)
    loaded, smap = load_json_line(text, "u.jsonl", 3)
    try:
        read_unit(PLAN, loaded, smap, "u.jsonl")
    except DiagnosticError as e:
        problems = [(d.code, d.span.line if d.span else None) for d in e.diagnostics]
    else:
        problems = []
    assert ("input.narrative_not_text", 3) in problems
    record["narrative"] = {"部门职能": ["一段", "二段"], "附件": ["附件一"]}
    loaded, smap = load_json_line(json.dumps(record, ensure_ascii=False), "u.jsonl", 3)
    unit = read_unit(PLAN, loaded, smap, "u.jsonl")
    assert unit.narrative.get("部门职能") == NarrativeText(("一段", "二段"), None)
