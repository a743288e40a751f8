"""Next year's ruleset, scaffolded (`init`): a file that extends this year's
and shows, commented out, the usual edit points with this ruleset's own ids.

The text is a ruleset (Chinese first, English beside it, as every shipped
ruleset); nothing here writes it: the CLI does, atomically, never over an
existing file.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from engine.ruleset.plan import Node

from engine.ruleset.loading import load_plan
from engine.load.yaml_scalar import scalar
from engine.base.paths import bundled, is_within
from engine.base.printable import one_line
from engine.ruleset.locate import SearchPath

_TEMPLATE = """\
# yaml-language-server: $schema={schema}
# {year} 年度{kind}绩效自评规则集 —— 在 {old_year} 年度规则集基础上只写变化，其余全部沿用。
# The {year} scheme: states only what changes from {old_year}; everything else is inherited.
#   jixiao show {out} --resolved   完整规则集及每一项的来源 / the whole ruleset, each value's origin
#   jixiao diff {parent} {out} 数据文件   变化及对得分的影响 / the changes and what they do to scores
#   jixiao test {out}   运行本文件的测试用例 / run this file's test cases
#
# 本年度变化（逐条写明理由）What changed in {year}, and why:
# 1.
{live}
# 常用修改：去掉行首的 "# " 再改。指标按 id 修改；同一上级的下级指标分值之和须等于上级分值。
# Usual edit points: uncomment, then edit. Indicators are changed by id; the children's
# weights must still sum to their parent's.
# 可用的指标 id / indicator ids: {ids}
#
# indicators:
#   # 1. 调整分值（同时调整一个同级指标，使合计不变）change a weight (and rebalance a sibling)
#   - id: {weight_id}
#     weight: {weight}
#   # 2. 调整年度指标值 change a target
#   - id: {target_id}
#     target: {target}
#   # 3. 更换计分方法（方法名，或 method 加参数）change the scoring (a method, or method with parameters)
#   - id: {scoring_id}
#     scoring:
#       method: bands
#       bands:
#         - {{min: 95%, score: {full}}}
#         - {{min: 90%, score: {part}}}
#       otherwise: 0
#   # 4. 新增指标（parent 上级，after/before 位置）add an indicator (parent; after/before for its place)
#   - id: 新增指标
#     name: 新增指标
#     parent: {parent_id}
#     after: {after_id}
#     weight: 1
#     target: 100%
#     operator: ≥
#     unit: "%"
#     scoring: proportional
#   # 5. 删除指标 remove an indicator
#   - id: {remove_id}
#     remove: true
#   # 6. 移到另一个上级之下 move an indicator under another parent
#   - id: {move_id}
#     parent: {move_to}
#
# grades:
#   # 调整等级分数线（按 label）change a grade band (by its label)
#   - {{label: {grade}, min: {grade_min}}}
#
# metrics:
#   # 修改派生指标的公式 change a derived metric's formula
#   {metric}: {formula}
#
# cases:
#   # 本年度的测试用例（数据文件路径相对于本文件）this year's test cases (paths relative to this file)
#   - name: 示例单位 {year}
#     data: 数据文件.yaml
#     expect: {{total: 90, grade: {grade}}}
"""


@dataclass(frozen=True)
class Scaffold:
    """Next year's ruleset: where it goes and its text."""

    path: str
    parent: str
    text: str
    parent_files: tuple[str, ...] = ()  # the parent ruleset and the files it extends (inputs, never replaced)


def default_path(parent: str, year: int) -> str:
    """`rulesets/2020/department.yaml` → `rulesets/2021/department.yaml`."""
    folder = os.path.dirname(os.path.dirname(os.path.normpath(parent)))
    return os.path.join(folder, str(year), os.path.basename(parent))


def next_year(parent: str, year: int, out: str | None = None, display: str | None = None, search: SearchPath | None = None) -> Scaffold:
    """Scaffold the ruleset for `year` extending the ruleset at `parent`
    (checked first: raises `DiagnosticError` if it has problems). A parent
    among jixiao's bundled rulesets is extended by name (`2020/department`),
    any other by its path relative to the new file."""
    search = search or SearchPath.default()
    plan = load_plan(parent, display or parent, search)
    rs = plan.ruleset
    name = _bundled_name(parent)
    if name is not None:  # an installed jixiao's own ruleset: speak of it by name, write beside the user
        display = name
        out = out or os.path.join("rulesets", str(year), os.path.basename(parent))
    out = out or default_path(display or parent, year)
    here = os.path.dirname(os.path.abspath(out))
    old_year = str(rs.year)
    # Examples use this ruleset's own ids, each indicator in one example only,
    # so uncommenting them all still gives one change per id.
    branches = [n for n in _walk(plan.roots) if n.children]
    host = max(branches, key=lambda b: sum(not c.children for c in b.children), default=None)
    after = host.children[-1] if host is not None else None
    used = {after.key} if after is not None else set()

    def fresh(prefer=lambda n: True) -> Node | None:
        for wanted in (prefer, lambda n: True):
            for n in plan.leaves:
                if n.key not in used and wanted(n):
                    used.add(n.key)
                    return n
        return None

    numeric = fresh(lambda n: isinstance(n.target, Decimal) and n.value_type != "percent")
    scored = fresh(lambda n: n.value_type == "percent" and n.operator == "≥")
    weighted, removed = fresh(), fresh()
    mover = fresh(lambda n: host is None or n not in host.children)
    move_to = next((b for b in branches if b is not host and mover is not None and mover not in b.children), host)
    metric = next(iter(rs.metrics.items()), None)
    grade = rs.grades[0] if rs.grades else None
    # The live keys are YAML scalars from the YAML library (`scalar`); text
    # shown inside comments (kind, paths, ids) is kept on its comment line
    # (`one_line`): a newline in a parent's `kind` cannot add a key.
    text = _TEMPLATE.format(
        schema=one_line(_rel(_schema_file(search), here)),
        year=year, old_year=old_year, kind=one_line(rs.kind),
        out=one_line(_posix(out)), parent=one_line(_posix(display or parent)),
        live=_live({
            "extends": name or _rel(os.path.abspath(parent), here),
            "id": rs.id.replace(old_year, str(year)) if old_year in rs.id else f"{rs.id}-{year}",
            "title": rs.title.replace(old_year, str(year)) if old_year in rs.title else f"{rs.title}（{year}）",
            "year": year,
        }),
        ids=one_line("、".join(n.key for n in _walk(plan.roots))),
        weight_id=_key(weighted), weight=_num(weighted.weight if weighted else None),
        target_id=_key(numeric), target=_num(numeric.target if numeric else None),
        scoring_id=_key(scored), full=_num(scored.weight if scored else None),
        part=_num(scored.weight / 2 if scored else None),
        parent_id=_key(host), after_id=_key(after),
        remove_id=_key(removed), move_id=_key(mover), move_to=_key(move_to),
        grade=scalar(grade.label if grade else "优"), grade_min=_num(grade.min if grade else None),
        metric=scalar(metric[0] if metric else "派生指标"), formula=scalar(metric[1].formula if metric else "公式"),
    )
    return Scaffold(out, display or parent, text, plan.files)


def _live(keys: dict) -> str:
    """The file's keys, written by the YAML library (never by a template):
    each value reads back as given, whatever it holds."""
    import yaml  # only `init` writes YAML

    return yaml.safe_dump(keys, allow_unicode=True, sort_keys=False, width=float("inf"), default_flow_style=False)


def _schema_file(search: SearchPath) -> str:
    """The ruleset JSON Schema nearest the user: in a search folder, else the bundled one."""
    for folder in search.folders:
        path = os.path.join(folder, "ruleset.schema.json")
        if os.path.isfile(path):
            return path
    return bundled("rulesets", "ruleset.schema.json")


def _bundled_name(parent: str) -> str | None:
    """`2020/department` for a bundled ruleset (an installed package's path is no place to point at)."""
    root = bundled("rulesets")
    if is_within(parent, root) and not is_within(os.getcwd(), os.path.dirname(root)):
        return os.path.splitext(os.path.relpath(os.path.realpath(parent), os.path.realpath(root)))[0].replace(os.sep, "/")
    return None


def _walk(nodes):
    for n in nodes:
        yield n
        yield from _walk(n.children)


def _key(node: Node | None) -> str:
    return scalar(node.key) if node is not None else "指标id"


def _num(value) -> str:
    if value is None:
        return "0"
    text = format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)
    return text


def _rel(target: str, start: str) -> str:
    try:
        return _posix(os.path.relpath(target, start))
    except ValueError:  # Windows: another drive has no relative path; an absolute URI still resolves
        return Path(target).resolve().as_uri()


def _posix(path: str) -> str:
    return path.replace(os.sep, "/")
