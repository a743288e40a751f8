"""The JSON Schema of the ruleset format (规则集格式), for editors.

Generated from the pydantic models (so it follows the format as it grows) and
written as JSON Schema draft-07 with `definitions`, the dialect
yaml-language-server (VS Code's YAML extension) reads for completion, hover
text and inline errors. What the models accept beyond their types is spelt
out here: a metric may be a bare formula, a scoring rule a bare method name or
a mapping with that method's own parameters, an operator may be typed `>=`.
A file with `extends:` states only changes, so it is checked against relaxed
definitions (`*.change`): nothing required but `id`, `year` and `extends`,
null removes a key, indicators take `remove` / `parent` / `after` / `before`.

The schema helps while typing; `validate` remains the full check (weights,
formulas, references) with located messages.
"""
from __future__ import annotations

import copy
import json
from typing import Any

from engine.ruleset.model import Ruleset
from engine.ruleset.scoring import METHODS

DRAFT = "http://json-schema.org/draft-07/schema#"
_REF = "#/definitions/"
_OPERATOR_ALIASES = [">=", "<=", "==", "＝", "qualitative"]
_NOT_RELAXED = ("Case", "Expect")  # cases are never inherited: always complete

# Hover text for the keys policy staff edit most (Chinese — English).
_DESCRIPTIONS = {
    ("Ruleset", "id"): "规则集标识，每个文件各自填写（不继承） — ruleset id, stated by every file (never inherited)",
    ("Ruleset", "title"): "规则集名称 — title",
    ("Ruleset", "year"): "年度，每个文件各自填写（不继承） — year, stated by every file (never inherited)",
    ("Ruleset", "kind"): "评价类型：部门整体支出 / 项目支出 — kind of evaluation",
    ("Ruleset", "issuer"): "发文单位（财政局） — issuing bureau",
    ("Ruleset", "extends"): "上一年度规则集的路径（相对于本文件）；本文件只写变化 — last year's ruleset (path relative to this file); this file states only changes",
    ("Ruleset", "total"): "满分 — full marks",
    ("Ruleset", "inputs"): "输入项：数据文件须填写的数字或文字 — declared inputs",
    ("Ruleset", "tables"): "数据表（预算表、支出表等） — declared tables",
    ("Ruleset", "metrics"): "派生指标：名称: 公式 — derived metrics (name: formula)",
    ("Ruleset", "scoring_defaults"): "按指标性质（≥ ≤ = 定性）的默认计分方法 — default scoring by operator",
    ("Ruleset", "indicators"): "指标体系（一级、二级、三级指标）；继承时为按 id 列出的修改 — the indicator tree; with extends, the changes by id",
    ("Ruleset", "grades"): "评价等级，从高到低 — grade bands, highest first",
    ("Ruleset", "rounding"): "四舍五入规则 — rounding policy",
    ("Ruleset", "deviations"): "偏差分析（未完成及超指标值 30%） — deviation analysis policy",
    ("Ruleset", "checks"): "勾稽关系校验 — consistency checks",
    ("Ruleset", "cases"): "本规则集的测试用例（jixiao test） — test cases that live with the ruleset",
    ("Indicator", "id"): "稳定的指标标识，跨年度不变 — stable id, kept across years",
    ("Indicator", "name"): "指标名称（与文件中写法一致） — name as the source document writes it",
    ("Indicator", "weight"): "分值；下级分值之和等于上级 — weight; children's weights sum to the parent's",
    ("Indicator", "target"): "年度指标值，如 100%、15000、按期完成 — target",
    ("Indicator", "operator"): "指标性质：≥ ≤ = 定性 — operator",
    ("Indicator", "unit"): "度量单位，如 %、人、场 — unit",
    ("Indicator", "actual"): "实际完成值的计算公式（不写则由数据文件填写） — formula for the actual value (else given in the data)",
    ("Indicator", "scoring"): "计分方法：方法名，或 method 加参数 — scoring: a method name, or method with parameters",
    ("Indicator", "children"): "下级指标 — child indicators",
    ("Case", "data"): "数据文件路径（相对于规则集文件） — data file, relative to the ruleset file",
    ("Expect", "scores"): "各指标的期望得分（按 id 或名称） — expected scores by indicator id or name",
}
_CHANGE_OPS = {
    "remove": {"const": True, "description": "删除这一项（含下级） — remove this entry (with its children)"},
    "parent": {"type": ["string", "null"], "description": "移到此 id 的指标之下（null 为一级指标） — move under this indicator (null: top level)"},
    "after": {"type": "string", "description": "放在此 id 的同级指标之后 — place after this sibling"},
    "before": {"type": "string", "description": "放在此 id 的同级指标之前 — place before this sibling"},
}


def ruleset_schema() -> dict[str, Any]:
    """The JSON Schema (draft-07) of a ruleset file, complete or `extends`."""

    top = Ruleset.model_json_schema(ref_template=_REF + "{model}")
    defs: dict[str, Any] = top.pop("$defs")
    defs["Ruleset"] = top
    for (model, prop), text in _DESCRIPTIONS.items():
        if prop in defs.get(model, {}).get("properties", {}):
            defs[model]["properties"][prop]["description"] = text

    props = top["properties"]
    props["metrics"]["additionalProperties"] = {"anyOf": [{"type": "string"}, {"type": "number"}, {"$ref": _REF + "MetricDecl"}]}
    props["scoring_defaults"]["propertyNames"]["enum"] += _OPERATOR_ALIASES
    operator = defs["Indicator"]["properties"]["operator"]["anyOf"][0]
    operator["enum"] = operator["enum"] + _OPERATOR_ALIASES

    methods = list(METHODS)
    branches = []
    for name, method in METHODS.items():
        params = method.Parameters.model_json_schema(ref_template=_REF + "{model}")
        inner = params.pop("$defs", {})
        for sub, schema in inner.items():
            defs[f"{name}.{sub}"] = _renamed(schema, name, inner)
        params = _renamed(params, name, inner)
        doc = (method.__doc__ or "").strip()
        params["properties"] = {"method": {"const": name, "description": doc}, **params.get("properties", {})}
        params["title"] = f"{name} parameters"
        params["description"] = doc
        defs[f"{name}.Parameters"] = params
        branches.append({"if": {"properties": {"method": {"const": name}}, "required": ["method"]}, "then": {"$ref": f"{_REF}{name}.Parameters"}})
    defs["Scoring"] = {
        "description": defs["Scoring"].get("description", ""),
        "anyOf": [
            {"type": "string", "enum": methods},
            {"type": "object", "required": ["method"], "properties": {"method": {"enum": methods}}, "allOf": branches},
        ],
    }

    for name in [n for n in defs if n not in _NOT_RELAXED]:
        defs[f"{name}.change"] = _relaxed(defs[name], defs)
    change = defs["Ruleset.change"]
    change["required"] = ["id", "year", "extends"]
    change["properties"]["cases"] = copy.deepcopy(props["cases"])
    change["description"] = "继承上一年度规则集、只写变化的规则集 — a ruleset that extends last year's and states only its changes"
    indicator = defs["Indicator.change"]
    indicator["properties"].update(copy.deepcopy(_CHANGE_OPS))
    indicator["required"] = ["id"]
    for name, key in (("GradeBand.change", "label"), ("Check.change", "id")):
        defs[name]["properties"]["remove"] = copy.deepcopy(_CHANGE_OPS["remove"])
        defs[name]["required"] = [key]

    return {
        "$schema": DRAFT,
        "$id": "https://jixiao.invalid/ruleset.schema.json",
        "title": "jixiao 规则集 ruleset",
        "description": "预算绩效自评规则集（由 jixiao schema 生成，勿手工修改） — a jixiao ruleset (generated by `jixiao schema`; do not edit)",
        "if": {"required": ["extends"]},
        "then": {"$ref": _REF + "Ruleset.change"},
        "else": {"$ref": _REF + "Ruleset"},
        "definitions": dict(sorted(defs.items())),
    }


def schema_text() -> str:
    """The schema as the committed file `rulesets/ruleset.schema.json` holds it."""
    return json.dumps(ruleset_schema(), ensure_ascii=False, indent=2) + "\n"


def _renamed(schema: Any, method: str, inner: dict) -> Any:
    """A method's nested definitions moved under the method's name."""
    if isinstance(schema, dict):
        out = {}
        for k, v in schema.items():
            if k == "$ref" and isinstance(v, str) and v.startswith(_REF) and v[len(_REF):] in inner:
                out[k] = f"{_REF}{method}.{v[len(_REF):]}"
            else:
                out[k] = _renamed(v, method, inner)
        return out
    if isinstance(schema, list):
        return [_renamed(v, method, inner) for v in schema]
    return schema


def _relaxed(schema: Any, defs: dict) -> Any:
    """A definition as an `extends` file may state it: no required keys, null
    allowed (it removes the key), references to relaxed definitions."""
    if isinstance(schema, list):
        return [_relaxed(v, defs) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for k, v in schema.items():
        if k == "required":
            continue
        if k == "if":  # a condition, not a constraint: keep it exact
            out[k] = v
            continue
        if k == "$ref" and v.startswith(_REF) and v[len(_REF):] in defs and v[len(_REF):] not in _NOT_RELAXED:
            out[k] = v + ".change"
        elif k == "properties":
            out[k] = {p: {"anyOf": [_relaxed(s, defs), {"type": "null"}]} for p, s in v.items()}
        elif k == "additionalProperties" and isinstance(v, dict):
            out[k] = {"anyOf": [_relaxed(v, defs), {"type": "null"}]}
        elif k == "default":
            continue
        else:
            out[k] = _relaxed(v, defs)
    return out
