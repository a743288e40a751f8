"""The API's OpenAPI 3.1 description (served at /api/v1/openapi.json and
written to docs/openapi.json; a test checks the file is current and valid)."""
from __future__ import annotations

import json

from engine import __version__


def _q(name: str, description: str, required: bool = False, many: bool = False) -> dict:
    schema: dict = {"type": "array", "items": {"type": "string"}} if many else {"type": "string"}
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


_LANG = _q("lang", "消息语言 message language: zh (default) | en")
_RULESET = _q("ruleset", "规则集 id ruleset id, e.g. 2019/department", True)
_NAME = _q("name", "数据的显示名称（仅用于消息中的位置）display name of the unit in locations, e.g. unit.json")
_SET = _q("set", "假设分析 what-if: 名称=值, repeatable", many=True)
_UNIT_BODY = {
    "required": True,
    "description": "一个单位的数据（JSON 或 YAML，与数据文件同形）a unit's data, shaped as a data file",
    "content": {"application/json": {"schema": {"type": "object"}}, "application/yaml": {"schema": {"type": "string"}}},
}


def _problems(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problems"}}}}


_ERRORS = {
    "401": _problems("缺少或错误的访问令牌 missing or wrong token (only when the server has one)"),
    "413": _problems("请求超过大小上限 request larger than the limit"),
    "422": _problems("数据或规则集有问题，逐条定位 problems in the data or ruleset, each located"),
    "500": _problems("内部错误，带可在日志中检索的编号 internal error, with a reference found in the log"),
    "503": _problems("超过时间上限，已停止 past the time limit, stopped"),
}


def _ok(description: str, schema: dict, media: str = "application/json") -> dict:
    return {"200": {"description": description, "content": {media: {"schema": schema}}}, **_ERRORS}


def document() -> dict:
    """The OpenAPI document as a dict."""
    text = {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "jixiao API",
            "version": __version__,
            "description": "预算绩效自评规则引擎的 HTTP 接口 (jixiao serve)。The HTTP API of jixiao serve: rulesets by id, units as JSON.",
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer", "description": "仅当服务以 --token 启动 only when started with --token"}},
            "schemas": {
                "Diagnostic": {
                    "type": "object",
                    "properties": {
                        "file": {"type": ["string", "null"]},
                        "line": {"type": ["integer", "null"]},
                        "col": {"type": ["integer", "null"]},
                        "location": {"type": ["string", "null"], "description": "如命令行所示 as the CLI prints it: x.yaml:3:5, 表.xlsx:工作表!C12"},
                        "code": {"type": "string"},
                        "severity": {"type": "string", "enum": ["error", "warning", "info"]},
                        "message": {"type": "string"},
                    },
                    "required": ["file", "line", "col", "code", "severity", "message"],
                },
                "Problems": {
                    "type": "object",
                    "properties": {"diagnostics": {"type": "array", "items": {"$ref": "#/components/schemas/Diagnostic"}}, "reference": {"type": "string"}},
                    "required": ["diagnostics"],
                },
                "Result": {"type": "object", "description": "与 evaluate --format json 的输出相同 exactly evaluate --format json's output",
                           "properties": {"total": {"type": "number"}, "grade": {"type": "string"}, "indicators": {"type": "array"}, "findings": {"type": "array"}}},
            },
        },
        "security": [{}, {"token": []}],
        "paths": {
            "/evaluate": {"post": {
                "summary": "评价一个单位 evaluate a unit", "operationId": "evaluate",
                "parameters": [_RULESET, _NAME, _SET, _LANG], "requestBody": _UNIT_BODY,
                "responses": _ok("评价结果 the result", {"$ref": "#/components/schemas/Result"}),
            }},
            "/validate": {"post": {
                "summary": "检查规则集文本 check a ruleset's text", "operationId": "validate",
                "parameters": [_q("id", "按此规则集的位置解析 extends: resolve extends: as this ruleset's file"), _NAME, _LANG],
                "requestBody": {"required": True, "content": {"application/yaml": {"schema": {"type": "string"}}}},
                "responses": _ok("没有问题 no problems", {"type": "object", "properties": {"ok": {"type": "boolean"}, "indicators": {"type": "integer"}, "total": {"type": "string"}, "diagnostics": {"type": "array"}}}),
            }},
            "/explain": {"post": {
                "summary": "说明一项得分的由来 explain a score", "operationId": "explain",
                "parameters": [_RULESET, _q("indicator", "指标名称或 id；不填则按失分排序 indicator name or id; without: points lost, ranked"), _NAME, _SET, _LANG],
                "requestBody": _UNIT_BODY, "responses": _ok("说明 the explanation", text),
            }},
            "/rulesets": {"get": {
                "summary": "可用的规则集 the rulesets on the search path", "operationId": "rulesets", "parameters": [_LANG],
                "responses": _ok("规则集列表 the list", {"type": "object", "properties": {"rulesets": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "year": {"type": "integer"}, "kind": {"type": "string"}, "ok": {"type": "boolean"}}}}}}),
            }},
            "/rulesets/{id}": {"get": {
                "summary": "合并继承后的规则集（show --resolved）the resolved ruleset", "operationId": "ruleset",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}, "description": "如 e.g. 2020/department"}, _q("format", "yaml: 只返回文本 only the text"), _LANG],
                "responses": {**_ok("每个值注明来源 each value with its origin", {"type": "object", "properties": {"id": {"type": "string"}, "file": {"type": "string"}, "resolved": {"type": "string"}}}), "404": _problems("没有这个规则集 no such ruleset")},
            }},
            "/diff": {"post": {
                "summary": "比较两个规则集及对得分的影响 compare two rulesets and the impact", "operationId": "diff",
                "parameters": [_q("old", "旧规则集 id old ruleset id", True), _q("new", "新规则集 id new ruleset id", True), _NAME, _LANG],
                "requestBody": {"required": False, "description": "可选：一个单位的数据 optional: a unit", "content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": _ok("比较结果 the comparison", text),
            }},
            "/batch": {"post": {
                "summary": "批量评价（JSONL 进，JSONL 出，流式）batch: JSONL in, JSONL out, streamed", "operationId": "batch",
                "parameters": [_RULESET, _LANG],
                "requestBody": {"required": True, "content": {"application/x-ndjson": {"schema": {"type": "string"}}}},
                "responses": _ok("每个单位一行，最后一行 {\"done\": true, \"exit\": N, \"problems\": [...]} one line per unit, then a closing line", {"type": "string"}, "application/x-ndjson"),
            }},
        },
    }


def text() -> str:
    """The document as written to docs/openapi.json."""
    return json.dumps(document(), ensure_ascii=False, indent=2) + "\n"
