"""Indicators that are data (指标由数据填报): a project's own 三级 indicators.

Every project sets its own indicators on its form (项目支出绩效自评表); the
ruleset fixes only the frame. A frame node says `rows: data` and which 二级
categories it accepts (a list: the node is itself a 一级 with a fixed weight), or
which 一级 with which 二级 (a mapping: the node is a group of 一级 sharing one
weight, which each project splits)::

    indicators:
      - {name: 产出指标, weight: 50, rows: data, categories: [数量指标, 质量指标, 时效指标, 成本指标]}

A unit's `indicator_rows` fill the frames, one row per 三级 indicator::

    indicator_rows:
      - {group: 产出指标, category: 数量指标, name: 新增就业人数, operator: ≥, unit: 人,
         target: 15000, actual: 15500, weight: 20}
      - {group: 效益指标, category: 社会效益指标, name: 群体性事件, operator: 定性,
         target: 无重大群体性事件, actual: 未发生, weight: 10, level: 达成, score: 9}

`group` is the 一级, `category` the 二级, `name` the 三级; `operator` the 指标性质
(≥ ≤ = 定性, scored as the ruleset's `scoring_defaults` say); `target` the
年度指标值 (`≥95%` is read as operator ≥ and target 95%); the other fields are
those of any indicator's data (`actual`, `adjusted_target`, `score`, `level`,
`coefficient`, `explanation`, `not_applicable`, `note`).

`read_rows` checks every row (each problem located at its row, all at once):
the 一级 and 二级 allowed by the frame, numbers where numbers are due, the
weights of each frame summing to its weight, an evaluator's score inside its
band. It returns the plan with each frame's children built from the rows (the
same `Node`s the ruleset's own indicators compile to), so evaluation, results
and renderers work on projects unchanged.
"""
from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any, NamedTuple

from engine.base.memo import made_for, stored
from engine.base.printable import BIDI_PATTERN, bidi_controls
from engine.ruleset.plan import Node, Plan, leaves_of

from engine.ruleset.compile import make_node, target_problem
from engine.base.diagnostics import Diagnostic
from engine.ruleset.formula import suggest
from engine.unit.entries import _ENTRY_FIELDS, ENTRY_KEYS, coerce, coercer, read_entry
from engine.unit.stated import StatedFigure
from engine.ruleset.model import operator_of
from engine.base.numeric import ZERO, is_empty_mark, parse_number, split_bound
from engine.ruleset.scoring.base import ScoreInput, ScoringProblem
from engine.base.sourcemap import SourceMap

ROW_FIELDS = ("id", "goal", "group", "category", "name", "operator", "unit", "target", "weight")
REQUIRED = ("group", "category", "name", "target", "weight")
FIELD_LABELS = {
    "goal": "年度绩效目标", "group": "一级指标", "category": "二级指标", "name": "三级指标", "operator": "指标性质",
    "target": "年度指标值", "weight": "分值",
}
# The paper form's column headings, so a row typed with them is told the key to use.
FORM_COLUMNS = {
    "年度绩效目标": "goal", "绩效目标": "goal", "一级指标": "group", "一级": "group", "二级指标": "category", "二级": "category", "三级指标": "name", "三级": "name",
    "指标性质": "operator", "计算符号": "operator", "度量单位": "unit", "计量单位": "unit", "年度指标值": "target",
    "指标值": "target", "调整指标值": "adjusted_target", "实际完成值": "actual", "全年完成值": "actual", "全年实际值": "actual",
    "分值": "weight", "权重": "weight", "得分": "score", "评价档次": "level", "得分系数": "coefficient",
    "偏差原因分析及改进措施": "explanation", "偏差原因": "explanation", "不适用": "not_applicable", "备注": "note",
}
# Methods whose score comes from the evaluator's own figures: their checks
# (score within the weight, inside its band) need no other data, so they run
# with the rows and are reported with every other row problem.
_JUDGED = ("qualitative", "manual", "coefficient")
_KNOWN_KEYS = frozenset((*ROW_FIELDS, *ENTRY_KEYS))
_TEXT_FIELDS = ("id", "goal", "group", "category", "name", "unit")  # read as text (`_text`; a text itself stripped at once)


@dataclasses.dataclass(frozen=True, slots=True)
class _Row:
    index: int
    frame: Node
    group: str
    category: str
    node: Node
    goal: str = ""  # 年度绩效目标, in frames that declare `goals: true`


def read_rows(plan: Plan, given: Any, smap: SourceMap, entries: dict, where, stated: list | None = None,
              generated: bool = False) -> tuple[Plan | None, SourceMap, list[Diagnostic]]:
    """Check a unit's `indicator_rows` against the plan's frames.

    Returns the plan with the frames filled, the unit's source map with each
    row also reachable as `indicators.<key>` (so every later message about an
    indicator points at its row), and every problem found. Each row's data
    goes into `entries` under its indicator key. Problems of severity
    `warning` (rows weighing other than their frame, under
    `policy.weights_mismatch: warn`) do not stop the unit. A row's `score:` (得分) where
    its method computes the score itself is what the form printed: it goes
    into `stated` (compared, never used). `generated`: plain entries read by
    the generated reader of their indicator's shape (`entries.entry_reader`;
    a batch's units, not one file's)."""
    if not plan.frames:
        return None, smap, [Diagnostic("rows.not_expected", smap.key(("indicator_rows",)))]
    if given is None:
        return None, smap, [Diagnostic("rows.missing", where(()), {"frames": "、".join(f.name for f in plan.frames)})]
    if not isinstance(given, list):
        return None, smap, [Diagnostic("rows.not_list", where(("indicator_rows",)))]

    memo = made_for(_MEMOS, plan, _RowsMemo, 16)
    taken = set(memo.keys)  # the ruleset's own indicators' keys, and each row's as it is read
    problems: list[Diagnostic] = []
    rows: list[_Row] = []
    # (row index, weight) of every row whose 一级 and 分值 could be read, other
    # problems or not, so the weight sums are those of the rows as written.
    weights: dict[str, list[tuple[int, Decimal]]] = {f.key: [] for f in plan.frames}
    for i, data in enumerate(given):
        path = ("indicator_rows", i)
        if not isinstance(data, dict):
            problems.append(Diagnostic("rows.row_not_mapping", where(path), {"index": i + 1}))
            continue
        row = _read_row(plan, memo, data, path, i, taken, smap, where, problems, entries, ENTRY_KEYS, weights, stated if stated is not None else [], generated)
        if row is not None:
            rows.append(row)
            taken.add(row.node.key)

    sums = _weight_sums(plan, weights, where)
    notices: list[Diagnostic] = []
    if plan.ruleset.policy.weights_mismatch == "warn":  # scored as written, with a warning
        notices = [dataclasses.replace(d, severity="warning") for d in sums if d.code == "rows.frame_weights"]
        sums = [d for d in sums if d.code != "rows.frame_weights"]
    problems += sums
    if problems:
        return None, smap, problems
    # The same rows in the same places: the same plan (which holds the rows'
    # nodes, so their ids stay theirs while it is kept).
    if memo.repeating():
        placed = tuple((id(r.node), r.group, r.category, r.goal) for r in rows)
        unit_plan = memo.plans.get(placed)
        if unit_plan is None:
            unit_plan = stored(memo.plans, placed, _filled(plan, rows), _PLANS_MAX)
    else:
        unit_plan = _filled(plan, rows)
    return unit_plan, _alias_rows(smap, {r.index: r.node.key for r in rows}), notices


def _filled(plan: Plan, rows: list[_Row]) -> Plan:
    """The plan with each frame's subtree built from its rows."""
    by_frame: dict[str, list[_Row]] = {f.key: [] for f in plan.frames}
    for r in rows:
        by_frame[r.frame.key].append(r)
    filled = {f.key: _children(f, by_frame[f.key]) for f in plan.frames}
    roots = tuple(_fill(n, filled) for n in plan.roots)
    return dataclasses.replace(plan, roots=roots, leaves=tuple(leaves_of(roots)))


class _RowsMemo:
    """What a plan's rows are read against, made once per plan, and what its
    units' rows gave: units of one scheme repeat their rows (资金到位率 ≥ 100%,
    10 分) unit after unit, so a row's fields read once without a problem are
    not read again, nor are the same rows' subtrees made again."""

    __slots__ = ("owner", "keys", "heads", "looks", "hits", "plans")

    def __init__(self, plan: Plan):
        self.owner = {g: f for f in plan.frames for g in f.frame.groups}  # 一级 → its frame
        self.keys = frozenset(n.key for n in _all_nodes(plan.roots))
        self.heads: dict[tuple, _Head] = {}  # (row index, its fields) → _Head
        self.looks = self.hits = 0  # rows looked for in `heads`, and found
        self.plans: dict[tuple, Plan] = {}  # the rows' (node id, 一级, 二级, 目标) → the unit's plan

    def repeating(self) -> bool:
        """Whether rows are still looked for: in a batch whose rows do not
        repeat (each project its own indicators), a key per row costs more than
        it saves, so after `_MEMO_TRIAL` rows a quarter must have been found."""
        return self.hits * 4 >= self.looks - _MEMO_TRIAL


_MEMOS: dict[int, tuple[Any, Any]] = {}  # id(plan) → (plan, _RowsMemo); at most 16 plans (~10 KB a unit kept, ≤ ~5 MB a plan)
_MEMO_MAX = 2048  # rows kept per plan (a few hundred bytes each, with their nodes)
_PLANS_MAX = 256  # unit plans kept per plan (each with its branches: tens of KB)
_MEMO_TRIAL = 512  # rows looked for before the hits are weighed


def _read_row(plan, memo: _RowsMemo, data: dict, path: tuple, index: int, taken, smap, where, problems, entries, entry_keys, weights, stated: list,
              generated: bool = False) -> _Row | None:
    before = len(problems)
    for key in () if _KNOWN_KEYS.issuperset(data) else data:  # (most rows: one test in C)
        if key not in _KNOWN_KEYS:
            known = ROW_FIELDS + entry_keys
            hint = FORM_COLUMNS.get(str(key).strip()) or suggest(str(key), known)
            problems.append(Diagnostic("rows.unknown_key", smap.key(path + (key,)), {"key": key, "suggestion": hint, "known": ", ".join(known)}))
    # A row's place and figures (all but its entry): those of the same fields
    # read before without a problem, or read now (and kept when clean).
    if not memo.repeating():
        head = _read_head(plan, data, path, index, memo.owner, where, problems)
    else:
        values = tuple(map(data.get, _HEAD_FIELDS))
        # (figures by their text and type: 5 and 5.0 print differently; the index is in the node's path)
        memo_key = (index, values if _TEXT_TYPES.issuperset(map(type, values)) else tuple(v if v.__class__ is str else (v.__class__, repr(v)) for v in values))
        memo.looks += 1
        head = memo.heads.get(memo_key)
        if head is not None:
            memo.hits += 1
        else:
            head = _read_head(plan, data, path, index, memo.owner, where, problems)
            if len(problems) == before:
                stored(memo.heads, memo_key, head, _MEMO_MAX)
    if head.frame is not None and head.weight is not None:
        weights[head.frame.key].append((index, head.weight))
    if head.key and head.key in taken:
        problems.append(Diagnostic("rows.duplicate", where(path + (head.key_field,)), {"key": head.key}))
    if head.node is None:
        return None
    node, label = head.node, head.label
    if head.target_problem is not None:
        code, target = head.target_problem
        problems.append(Diagnostic(code, where(path + ("target",)), {"name": label, "method": node.method.NAME, "target": target}))
    entry = {k: v for k, v in data.items() if k in entry_keys}
    if "score" in entry and "score" not in _uses(node):  # the printed 得分 of a computed score
        printed, code = coerce(entry.pop("score"), "number", False)
        if code:
            problems.append(Diagnostic(code, where(path + ("score",)), {"name": label, "value": _text(data["score"]), "label": f"{label}（得分）"}))
        elif isinstance(printed, Decimal):
            stated.append(StatedFigure("indicator", node.key, "score", printed, where(path + ("score",))))
    entry_problems = read_entry(node, entry, path, smap, entries, where, plan.ruleset.policy.unmeasured_actual, generated)
    problems += entry_problems
    if not entry_problems and head.judged:
        problems += _judge(node, entries.get(node.key, {}), path, where)
    if len(problems) > before or head.frame is None:
        return None
    return _Row(index, head.frame, head.group, head.category, node, head.goal)


class _Head(NamedTuple):
    """What a row's own fields say, apart from its entry: its frame (None: its
    一级 has none), its key, and its indicator (None: it could not be made)."""
    frame: Node | None
    weight: Decimal | None  # counted in its frame's 分值合计 when it could be read
    key: str | None  # id, else 三级 name (checked against the unit's other indicators)
    key_field: str  # where a repeated key is reported: `id` when the row gives one
    node: Node | None = None
    label: str = ""
    group: str = ""
    category: str = ""
    goal: str = ""
    target_problem: tuple[str, Any] | None = None  # (code, the target as read) when its method cannot use the target
    judged: bool = False


_HEAD_FIELDS = (*_TEXT_FIELDS, "operator", "target", "weight", "not_applicable")
_TEXT_TYPES = frozenset((str, type(None)))


def _read_head(plan, data: dict, path: tuple, index: int, owner, where, problems) -> _Head:
    """A row's fields apart from its entry, checked (each problem added to `problems`)."""
    text = {k: v.strip() if (v := data.get(k)).__class__ is str else _text(v) for k in _TEXT_FIELDS}
    label = text["name"] or f"#{index + 1}"
    if text["name"] and BIDI_PATTERN.search(text["name"]) is not None:  # shown in forms and reports (as a unit's row names, engine.unit.inputs)
        problems.append(Diagnostic("input.bidi_in_name", where(path + ("name",)), {"value": "、".join(dict.fromkeys(bidi_controls(text["name"])))}))
    not_applicable = data.get("not_applicable") is True
    # A missing field is placed where it would be: its cell in a sheet (a blank
    # cell is no value), else the row (`SourceMap.value` walks up to it).
    for key in REQUIRED:
        if key == "target" and not_applicable:  # a row marked 不适用 may leave its target blank
            continue
        if data.get(key) is None or (isinstance(data.get(key), str) and not data[key].strip()):
            problems.append(Diagnostic("rows.missing_field", where(path + (key,)), {"row": label, "field": key, "label": FIELD_LABELS[key]}))

    frame = owner.get(text["group"]) if text["group"] else None
    if frame is not None and frame.frame.goals and not text["goal"]:
        problems.append(Diagnostic("rows.missing_field", where(path + ("goal",)), {"row": label, "field": "goal", "label": FIELD_LABELS["goal"]}))
    elif frame is not None and not frame.frame.goals and text["goal"]:
        problems.append(Diagnostic("rows.goal_not_expected", where(path + ("goal",)), {"row": label, "name": frame.name}))
    if text["group"] and frame is None:
        problems.append(Diagnostic("rows.unknown_group", where(path + ("group",)), {"row": label, "group": text["group"], "suggestion": suggest(text["group"], owner), "known": "、".join(owner)}))
    elif frame is not None and text["category"]:
        allowed = frame.frame.groups[text["group"]]
        if text["category"] not in allowed:
            problems.append(Diagnostic("rows.unknown_category", where(path + ("category",)), {"row": label, "group": text["group"], "category": text["category"], "suggestion": suggest(text["category"], allowed), "known": "、".join(allowed)}))

    operator, target = _operator_and_target(data, path, label, text["unit"], where, problems, not_applicable)
    weight = None
    if data.get("weight") is not None:
        weight, code = coercer("number", False)(data["weight"])
        if code:
            problems.append(Diagnostic(code, where(path + ("weight",)), {"name": label, "value": _text(data["weight"]), "label": f"{label}（分值）"}))
            weight = None
        elif not isinstance(weight, Decimal):  # `—` or blank: no weight given
            problems.append(Diagnostic("rows.missing_field", where(path + ("weight",)), {"row": label, "field": "weight", "label": FIELD_LABELS["weight"]}))
            weight = None
    key = text["id"] or text["name"]
    key_field = "id" if text["id"] else "name"
    if operator is None or weight is None or (operator != "定性" and target is None and not not_applicable):
        return _Head(frame, weight, key, key_field)
    # The row's data is checked even when its place in the frame is wrong, so
    # every mistake in it is reported in the same run.
    anchor = frame if frame is not None else plan.frames[0]
    node = make_node(
        key=key or label, name=text["name"] or label, path=anchor.path + ("rows", index),
        depth=anchor.depth + (3 if anchor.frame.nested else 2) + (1 if anchor.frame.goals else 0), weight=weight, target_raw=target,
        operator=operator, unit=text["unit"], bound=plan.row_methods[operator],
    )
    code = None if not_applicable else target_problem(node.method, node.target)
    return _Head(frame, weight, key, key_field, node, label, text["group"], text["category"], text["goal"] or "",
                 (code, target) if code else None, node.method is not None and node.method.NAME in _JUDGED)


def _uses(node: Node) -> tuple[str, ...]:
    """The entry fields the row's scoring method reads from the data."""
    method = node.method.NAME if node.method is not None else ""
    return getattr(node.method, "ENTRY_FIELDS", _ENTRY_FIELDS.get(method, ()))


def _operator_and_target(data: dict, path: tuple, label: str, unit: str | None, where, problems: list, not_applicable: bool = False):
    """指标性质 and 年度指标值: `≥95%` in the target gives both; a unit typed
    after the number (`15000人` with 度量单位 人) is dropped; a quantitative
    target must read as a number."""
    raw_op = data.get("operator")
    operator = operator_of(raw_op) if isinstance(raw_op, str) else None
    if raw_op is not None and operator is None:
        problems.append(Diagnostic("rows.bad_operator", where(path + ("operator",)), {"row": label, "value": _text(raw_op)}))
        return None, None
    target = data.get("target")
    if isinstance(target, str):
        target = target.strip()
        op, bare = split_bound(target) if operator != "定性" else (None, target)  # ≥95%, 98%以上, 不低于95%
        if op is not None:
            if operator is not None and operator != op:
                problems.append(Diagnostic("rows.operator_conflict", where(path + ("target",)), {"row": label, "operator": operator, "target": target}))
                return None, None
            operator, target = op, bare
        if unit and unit != "%" and target.endswith(unit):
            target = target[: -len(unit)].strip()
    if operator is None:
        if raw_op is None:
            problems.append(Diagnostic("rows.missing_field", where(path + ("operator",)), {"row": label, "field": "operator", "label": FIELD_LABELS["operator"]}))
        return None, None
    if target == "" or (not_applicable and (target is None or (isinstance(target, str) and is_empty_mark(target)))):
        return operator, None  # blank: reported once, as missing (unless the row is not applicable)
    if operator != "定性" and target is not None:
        kind = "percent" if unit == "%" or (isinstance(target, str) and target.endswith(("%", "％"))) else "number"
        value, code = coercer(kind, True, unit)(target)
        if code:
            problems.append(Diagnostic("rows.target_not_number" if code == "input.not_number" else code, where(path + ("target",)), {"name": label, "row": label, "value": _text(target), "label": f"{label}（年度指标值）"}))
            return operator, None
        if not isinstance(value, Decimal):  # `—` or blank: no target given
            problems.append(Diagnostic("rows.missing_field", where(path + ("target",)), {"row": label, "field": "target", "label": FIELD_LABELS["target"]}))
            return operator, None
        bare = format(target, "f") if isinstance(target, Decimal) else str(target).strip()
        if kind == "percent" and not bare.endswith(("%", "％")) and value != parse_number(bare):
            target = f"{bare}%"  # a bare 100 in a % column is 100%: shown and read as such
    return operator, target


def _judge(node: Node, entry: dict, path: tuple, where) -> list[Diagnostic]:
    """The evaluator's score checked by the indicator's own method (within the
    weight, inside the band of its level), before anything is evaluated."""
    if entry.get("not_applicable"):
        return []
    try:
        node.method.score(ScoreInput(node.weight, node.target, entry.get("actual"), node.operator, entry), node.params)
    except ScoringProblem as p:
        return [Diagnostic(p.code, where(path + ((p.field,) if p.field else ())), {"name": node.name, **p.details})]
    return []


def _weight_sums(plan: Plan, weights: dict[str, list[tuple[int, Decimal]]], where) -> list[Diagnostic]:
    """Each frame's rows weigh exactly the frame's weight (分值合计)."""
    out = []
    for f in plan.frames:
        rows = weights[f.key]
        if not rows:
            out.append(Diagnostic("rows.frame_empty", where(("indicator_rows",)), {"name": f.name, "groups": "、".join(f.frame.groups)}))
            continue
        total = sum((w for _, w in rows), ZERO)
        if total != f.weight:
            out.append(Diagnostic("rows.frame_weights", where(("indicator_rows", rows[0][0], "weight")), {"name": f.name, "count": len(rows), "sum": total, "weight": f.weight}))
    return out


def _children(frame: Node, rows: list[_Row]) -> tuple[Node, ...]:
    """The frame's subtree: 二级 nodes over the rows (for a nested frame, 一级
    nodes over those), in the order the ruleset lists them."""

    def branch(key: str, name: str, depth: int, kids: tuple[Node, ...]) -> Node:
        weight = sum((k.weight for k in kids), ZERO)
        return make_node(key=key, name=name, path=frame.path + ("categories",), depth=depth, weight=weight, target_raw=None, operator=None, unit=None, children=kids)

    def categories(placed: dict, group: str, depth: int, prefix: str) -> tuple[Node, ...]:
        out = []
        for cat in frame.frame.groups[group]:
            leaves = placed.get((group, cat))
            if leaves:
                out.append(branch(f"{prefix}{group}/{cat}", cat, depth, tuple(leaves)))
        return tuple(out)

    def groups(placed: dict, depth: int, prefix: str) -> tuple[Node, ...]:
        out = []
        for group in frame.frame.groups:
            kids = categories(placed, group, depth + 1, prefix)
            if kids:
                out.append(branch(f"{prefix}{group}", group, depth, kids))
        return tuple(out)

    def placed(rows: list[_Row]) -> dict:
        """Each (一级, 二级)'s row nodes, in the rows' order (one pass, not one per category)."""
        out: dict[tuple[str, str], list[Node]] = {}
        for r in rows:
            out.setdefault((r.group, r.category), []).append(r.node)
        return out

    if not frame.frame.nested:
        return categories(placed(rows), frame.name, frame.depth + 1, "")
    if not frame.frame.goals:
        return groups(placed(rows), frame.depth + 1, "")
    goals = []  # 年度绩效目标 in the order the rows first name them; each weighs what its rows weigh
    for goal in dict.fromkeys(r.goal for r in rows):
        goals.append(branch(goal, goal, frame.depth + 1, groups(placed([r for r in rows if r.goal == goal]), frame.depth + 2, f"{goal}/")))
    return tuple(goals)


def _fill(node: Node, filled: dict) -> Node:
    if node.frame is not None and node.key in filled:
        return dataclasses.replace(node, children=filled[node.key])
    if node.children:
        return dataclasses.replace(node, children=tuple(_fill(c, filled) for c in node.children))
    return node


def _all_nodes(nodes):
    for n in nodes:
        yield n
        yield from _all_nodes(n.children)


def _alias_rows(smap: SourceMap, keys: dict[int, str]) -> SourceMap:
    """The same map, where `indicators.<key>…` also finds row `i`'s positions."""
    alias = SourceMap()
    for source, target in ((smap.values, alias.values), (smap.keys, alias.keys), (smap.styles, alias.styles)):
        for path, value in source.items():
            if len(path) >= 2 and path[0] == "indicator_rows" and path[1] in keys:
                target[("indicators", keys[path[1]]) + path[2:]] = value
    if smap.rows:  # rows joined from a second table: their cells, placed on demand
        alias.rows = {("indicators", keys[path[1]]) + path[2:]: r for path, r in smap.rows.items() if len(path) >= 2 and path[0] == "indicator_rows" and path[1] in keys}
    return smap.merged(alias)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip() if not isinstance(value, (dict, list)) else str(value)
