"""在预算管理系统中调用 jixiao —— 可运行的示例。
Embedding jixiao in a budget system: a runnable example (see docs/api.md).

    python examples/api_example.py            # 安装 jixiao 之后 / once jixiao is installed

It evaluates the bundled 2019 example (87.36 points, 良) the ways a budget system
would: from a file, from its own data as a dict, against a ruleset kept as text,
and shows how problems in the data come back.
"""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from engine import api


def main() -> None:
    # 1. 可用的规则集 The rulesets jixiao can find (./rulesets, JIXIAO_RULESETS, the bundled ones).
    for ruleset in api.list_rulesets():
        if ruleset["name"].startswith("2019/"):
            print(f"规则集 {ruleset['name']}  id={ruleset['id']}")

    # 2. 评价一个数据文件 A unit's data file; it names its ruleset itself (ruleset: 2019/department).
    result = api.evaluate(api.DEFAULT_DATA)
    print(f"文件: 总分 {result.total}  等级 {result.grade}")

    # 3. 评价系统中的数据 The budget system's own figures, as a dict in the shape of a data file.
    #    Read JSON with parse_float=Decimal (floats are also accepted: 3193.13 is taken as written).
    unit = json.loads(Path(api.DEFAULT_DATA).with_suffix(".json").read_text(encoding="utf-8"), parse_float=Decimal)
    result = api.evaluate(unit, "2019/department")
    print(f"字典: {result.unit.name}  总分 {result.total}  等级 {result.grade}")
    indicator = result.find("预算执行率")
    print(f"  {indicator.node.name}: 分值 {indicator.weight}，实际 {indicator.actual:.2%}，得分 {indicator.score}")
    for deviation in result.deviations[:2]:
        print(f"  偏差 {deviation.name}（{deviation.kind}）：{deviation.explanation or '未说明原因'}")

    # 4. 规则集以文本保存在系统中 A ruleset kept by the system as text: compile it once, reuse the Plan.
    text = Path(api.find_ruleset("2019/department")).read_text(encoding="utf-8")
    plan = api.load_ruleset("系统规则集/2019部门整体.yaml", text=text)
    result = api.evaluate(unit, plan)
    print(f"文本规则集: 总分 {result.total}  等级 {result.grade}")

    # 5. 交给其他系统的 JSON The same JSON as `jixiao evaluate --format json`.
    document = json.loads(api.result_json(result), parse_float=Decimal)
    print(f"JSON: total={document['total']} grade={document['grade']}")

    # 6. 有问题时 Problems: every one at once, each with a code, a place and a sentence (zh / en).
    wrong = {**unit, "inputs": {**unit["inputs"], "文中实际支出": "三千九百万"}}
    try:
        api.evaluate(wrong, plan)
    except api.DiagnosticError as e:
        for problem in e.diagnostics:
            print(f"数据问题 {problem.code}: {problem.message('zh')}")
    try:  # a ruleset's problems are located in its text: file:line:col
        api.load_ruleset("系统规则集/2019部门整体.yaml", text=text.replace("/ 全年预算数, 4)     #", "/ 全年预算, 4)     #"))
    except api.DiagnosticError as e:
        for problem in e.diagnostics:
            print(f"规则集问题 {problem.render('zh')}")


if __name__ == "__main__":
    main()
