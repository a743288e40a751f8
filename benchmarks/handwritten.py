"""The 2019 department scheme written by hand: the baseline for `batch.py`.

Plain Python and the standard library only, Decimal arithmetic, no engine
import. It reads the same input (JSONL records shaped like a unit file, or the
flat CSV the benchmark writes) and produces the same per-unit dict as
`evaluate --format json` (the benchmark checks they are equal), written the
way a careful engineer would write one scheme directly: constants for the
indicator tree, a function per step, `json.dumps` for the output.
"""
from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import multiprocessing
import re
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Iterator

CTX = Context(prec=34, rounding=ROUND_HALF_UP)
ZERO, ONE, HUNDRED = Decimal(0), Decimal(1), Decimal(100)
Q = {n: Decimal(1).scaleb(-n) for n in range(0, 7)}
PCT = Decimal("0.01")
EMPTY = {"", "—", "——", "-", "/", "－", "／", "无"}

RULESET = {"id": "wuhan-edz-department-2019", "title": "部门整体支出绩效自评（2019年度）", "year": 2019, "kind": "部门整体支出", "file": "rulesets/2019/department.yaml"}
GRADES = ((Decimal(90), "优"), (Decimal(80), "良"), (Decimal(60), "中"), (ZERO, "差"))

# (id, weight, target, operator, unit, method, value type); actual from data unless computed.
LEAVES = {
    "参与干部培训人数": (2, Decimal(140), "≥", "人", "proportional", "number"),
    "干部档案整理覆盖率": (2, ONE, "≥", "%", "proportional", "percent"),
    "专项招聘工作完成率": (3, ONE, "≥", "%", "proportional", "percent"),
    "城镇新增就业人数": (3, Decimal(15000), "≥", "人", "proportional", "number"),
    "组织公益性招聘会场数": (3, Decimal(90), "≥", "场", "proportional", "number"),
    "开展校招活动场数": (3, Decimal(20), "≥", "场", "proportional", "number"),
    "帮扶就业困难群体就业创业人数": (3, Decimal(800), "≥", "人", "proportional", "number"),
    "各项经费支出合规率": (3, ONE, "≥", "%", "threshold", "percent"),
    "档案装具采购合规率": (3, ONE, "≥", "%", "threshold", "percent"),
    "各项补贴支付合规率": (3, ONE, "≥", "%", "threshold", "percent"),
    "服务对象满意度": (8, Decimal("0.95"), "≥", "%", "threshold", "percent"),
}
QUALITATIVE = {"时效指标": (9, "按期完成", "qualitative"), "社会效益": (24, "无重大群体性事件", "manual"), "可持续影响": (8, "机构、人员、制度满足工作需要", "manual")}
TREE = (
    ("预算管理", 20, (("预算执行率", None), ("预算调整率", None))),
    ("产出指标", 40, (
        ("数量指标", 19, ("参与干部培训人数", "干部档案整理覆盖率", "专项招聘工作完成率", "城镇新增就业人数", "组织公益性招聘会场数", "开展校招活动场数", "帮扶就业困难群体就业创业人数")),
        ("质量指标", 9, ("各项经费支出合规率", "档案装具采购合规率", "各项补贴支付合规率")),
        ("时效指标", None), ("成本指标", None))),
    ("效益指标", 32, (("社会效益", None), ("可持续影响", None))),
    ("满意度", 8, (("服务对象满意度", None),)),
)
EQUAL_CHECKS = (  # (check label, stated input, its label, table, category, column)
    ("正文与预算表一致", "文中年初预算数", "正文·年初预算安排批复数", "预算调整表", None, "年初预算数"),
    ("正文与预算表一致", "文中年初基本支出", "正文·年初基本支出", "预算调整表", "基本支出", "年初预算数"),
    ("正文与预算表一致", "文中年初项目支出", "正文·年初项目支出", "预算调整表", "项目支出", "年初预算数"),
    ("正文与预算表一致", "文中预算调整数", "正文·年中预算调增数", "预算调整表", None, "预算调整数"),
    ("正文与预算表一致", "文中基本支出调整数", "正文·基本支出预算调整数", "预算调整表", "基本支出", "预算调整数"),
    ("正文与预算表一致", "文中项目支出调整数", "正文·项目支出预算调整数", "预算调整表", "项目支出", "预算调整数"),
    ("正文与预算表一致", "文中全年预算数", "正文·调整后预算总支出", "预算调整表", None, "全年预算数"),
    ("正文与预算表一致", "文中全年基本支出", "正文·调整后基本支出", "预算调整表", "基本支出", "全年预算数"),
    ("正文与预算表一致", "文中全年项目支出", "正文·调整后项目支出", "预算调整表", "项目支出", "全年预算数"),
    ("正文与支出表一致", "文中实际支出", "正文·实际共支出", "支出表", None, "合计"),
    ("正文与支出表一致", "文中实际基本支出", "正文·实际基本支出", "支出表", "基本支出", "合计"),
    ("正文与支出表一致", "文中实际项目支出", "正文·实际项目支出", "支出表", "项目支出", "合计"),
    ("原因分析与预算表一致", "分析中全年预算数", "原因分析·全年预算数", "预算调整表", None, "全年预算数"),
    ("原因分析与支出表一致", "分析中执行数", "原因分析·实际执行数", "支出表", None, "合计"),
    ("原因分析与预算表一致", "分析中调整金额", "原因分析·预算调整金额", "预算调整表", None, "预算调整数"),
    ("原因分析与预算表一致", "分析中年初预算数", "原因分析·部门年初预算数", "预算调整表", None, "年初预算数"),
    ("原因分析与预算表一致", "分析中调整后预算数", "原因分析·调整预算数", "预算调整表", None, "全年预算数"),
)
BUDGET_CATS, SPEND_CATS = ("基本支出", "项目支出"), ("基本支出", "项目支出", "就业创业资金补助项目")
ORDER = ("预算执行率", "预算调整率", *list(LEAVES)[:-1], "时效指标", "成本指标", "社会效益", "可持续影响", "服务对象满意度")  # tree order
BUDGET_COLS, SPEND_COLS = ("年初预算数", "预算调整数", "全年预算数"), ("经开", "汉南", "合计")


class Bad(Exception):
    """A unit that cannot be scored."""


def rhu(v: Decimal, places: int = 2) -> Decimal:
    return v.quantize(Q[places], rounding=ROUND_HALF_UP)


def num(v, percent: bool = False) -> Decimal | None:
    """A figure as typed: Decimal, '3,921.33', '93.59%', blank → None."""
    if v is None:
        return None
    if isinstance(v, Decimal):
        return v
    s = str(v).strip()
    if s in EMPTY:
        return None
    pct = s.endswith("%")
    try:
        d = Decimal(s[:-1].replace(",", "") if pct else s.replace(",", ""))
    except Exception:
        raise Bad(s) from None
    return d * PCT if pct else d


def money(v: Decimal) -> str:
    return f"{rhu(v):,.2f}"


def percent(v: Decimal) -> str:
    t = f"{rhu(v * HUNDRED):.2f}"
    return t.split(".")[0] + "%" if t.endswith(".00") else t + "%"


def plain(v: Decimal, places: int = 4) -> str:
    t = format(rhu(v, places), "f")
    return (t.rstrip("0").rstrip(".") if "." in t else t) or "0"


def shown(v, vtype: str, unit: str | None) -> str:
    if v is None:
        return ""
    if not isinstance(v, Decimal):
        return str(v)
    if vtype == "percent":
        return percent(v)
    t = plain(v)
    return t + unit if unit and unit != "%" else t


class Rows:
    """A table row: name, category, figures, sub-rows, and the names above it."""

    __slots__ = ("name", "cat", "vals", "rows", "trail")

    def __init__(self, d: dict, cols: tuple[str, ...], cats: tuple[str, ...], trail: tuple[str, ...] = ()):
        self.name = d.get("name", "")
        self.cat = d.get("category") or (self.name if self.name in cats else None)
        self.vals = {c: num(d[c]) for c in cols if c in d}
        self.trail = trail
        self.rows = [Rows(r, cols, cats, trail + (r.get("name", ""),)) for r in d.get("rows", ())]


def walk(r: Rows):
    yield r
    for c in r.rows:
        yield from walk(c)


def labeller(table: str, root: Rows):
    """`表 › 行`, with the rows above when the name is not unique in the table."""
    counts: dict[str, int] = {}
    for r in walk(root):
        if r is not root:
            counts[r.name] = counts.get(r.name, 0) + 1

    def label(r: Rows) -> str:
        if not r.trail:
            return f"{table} › {r.name}" if r.name else table
        shown = r.trail[-1:] if counts[r.trail[-1]] <= 1 else r.trail
        return " › ".join((table, *shown))

    return label


def cat_sum(root: Rows, cat: str | None, col: str) -> Decimal:
    if cat is None:
        return root.vals.get(col) or ZERO
    total, stack = ZERO, list(root.rows)
    while stack:
        r = stack.pop()
        if r.cat == cat:
            total += r.vals.get(col) or ZERO
        else:
            stack.extend(r.rows)
    return total


def finding(check: str, where: str, stated: Decimal, computed: Decimal, loc: str, show=None, tolerance: Decimal = PCT):
    diff = stated - computed
    if diff == 0:
        return None
    show = show or money
    sev = "info" if abs(diff) <= tolerance else "warning"
    if sev == "info":
        msg = f"【{check}】{where}：填报 {show(stated)}，计算为 {show(computed)}，相差 {show(diff)}（在四舍五入误差范围内）"
    else:
        msg = f"【{check}】{where}：填报 {show(stated)}，计算应为 {show(computed)}，相差 {show(diff)}"
    return {"kind": "consistency", "severity": sev, "code": "check.rounding" if sev == "info" else "check.mismatch", "message": msg, "location": loc, "stated": stated, "computed": computed, "difference": diff}


def score_unit(u: dict, loc: str, digest: str, ruleset_digest: str) -> dict:
    """One unit's result dict, as `evaluate --format json` gives it."""
    with localcontext(CTX):
        return _score(u, loc, digest, ruleset_digest)


def _score(u: dict, loc: str, digest: str, ruleset_digest: str) -> dict:
    subject = u.get("subject")
    subject = {"name": subject} if isinstance(subject, str) else dict(subject)
    inputs = {k: num(v) for k, v in u["inputs"].items()}
    budget = Rows(u["tables"]["预算调整表"], BUDGET_COLS, BUDGET_CATS)
    spend = Rows(u["tables"]["支出表"], SPEND_COLS, SPEND_CATS)
    entries = u.get("indicators", {})

    plan_budget, adjust, full_budget = budget.vals["年初预算数"], budget.vals["预算调整数"], budget.vals["全年预算数"]
    executed = spend.vals["合计"]
    exec_rate = rhu(executed / full_budget, 4)
    adjust_rate = rhu(abs(adjust) / plan_budget, 4)

    leaves: dict[str, dict] = {}
    devs: dict[str, tuple] = {}  # leaf → (deviation, finding or None)

    def leaf(key, weight, target, op, unit, method, vtype, actual, entry):
        weight = Decimal(weight)
        if method == "proportional":
            if actual >= target:
                s, branch = weight, "met"
            elif actual <= 0 or target <= 0:
                s, branch = ZERO, "zero"
            else:
                s, branch = weight * actual / target, "partial"
        else:
            ok = actual <= target if op == "≤" else actual >= target
            s, branch = (weight, "met") if ok else (ZERO, "missed")
        s = rhu(s)
        tt = shown(target, vtype, unit)
        leaves[key] = {"id": key, "name": key, "weight": weight, "score": s, "target": target, "target_text": op + tt, "operator": op, "unit": unit, "actual": actual, "actual_text": shown(actual, vtype, unit), "method": method, "branch": branch, "children": []}
        kind = None
        if op == "≥":
            kind = "未完成" if actual < target else "超额" if actual >= target * Decimal("1.3") else None
        elif op == "≤":
            kind = "未完成" if actual > target else "超额" if actual <= target * Decimal("0.7") else None
        if kind:
            expl = entry.get("explanation") or None
            devs[key] = ({"id": key, "name": key, "kind": kind, "target": target, "actual": actual, "target_text": tt, "actual_text": shown(actual, vtype, unit), "ratio": rhu(actual / target, 4), "explanation": expl, "location": loc}, None if expl else
                {"kind": "deviation", "severity": "warning", "code": "deviation.unexplained", "message": f"指标「{key}」{kind}，但没有说明原因：请在该指标下填写 explanation", "location": loc})

    leaf("预算执行率", 10, ONE, "≥", "%", "proportional", "percent", exec_rate, entries.get("预算执行率", {}))
    leaf("预算调整率", 10, Decimal("0.05"), "≤", "%", "threshold", "percent", adjust_rate, entries.get("预算调整率", {}))
    for key, (w, target, op, unit, method, vtype) in LEAVES.items():
        entry = entries.get(key) or {}
        actual = num(entry.get("actual"))
        if actual is None:
            raise Bad(key)
        leaf(key, w, target, op, unit, method, vtype, actual, entry)
    leaf("成本指标", 3, ONE, "≤", "%", "threshold", "percent", exec_rate, entries.get("成本指标", {}))
    for key, (w, target, method) in QUALITATIVE.items():
        entry = entries.get(key) or {}
        s = num(entry.get("score"))
        w = Decimal(w)
        if s is None or not ZERO <= s <= w:
            raise Bad(key)
        if method == "qualitative":
            level = entry.get("level")
            share = s / w
            if level is None:
                level = "达成" if share >= Decimal("0.8") else "部分达成" if share >= Decimal("0.6") else "未达成"
            elif (level == "达成" and share < Decimal("0.8")) or (level == "部分达成" and not Decimal("0.6") <= share < Decimal("0.8")) or (level == "未达成" and share >= Decimal("0.6")):
                raise Bad(key)
            branch = level
        else:
            branch = "full" if s == w else "partial"
        actual = entry.get("actual")
        leaves[key] = {"id": key, "name": key, "weight": w, "score": rhu(s), "target": target, "target_text": target, "operator": "定性", "unit": None, "actual": actual, "actual_text": "" if actual is None else str(actual), "method": method, "branch": branch, "children": []}
        if (branch != "达成") if method == "qualitative" else (s < w):
            expl = entry.get("explanation") or None
            devs[key] = ({"id": key, "name": key, "kind": "未完成", "target": target, "actual": actual, "target_text": target, "actual_text": "" if actual is None else str(actual), "ratio": None, "explanation": expl, "location": loc}, None if expl else
                {"kind": "deviation", "severity": "warning", "code": "deviation.unexplained", "message": f"指标「{key}」未完成，但没有说明原因：请在该指标下填写 explanation", "location": loc})

    indicators, total = [], ZERO
    for name, weight, children in TREE:
        kids = []
        for child in children:
            if isinstance(child, str) or child[1] is None:
                kids.append(leaves[child if isinstance(child, str) else child[0]])
            else:
                sub = [leaves[k] for k in child[2]]
                kids.append({"id": child[0], "name": child[0], "weight": Decimal(child[1]), "score": sum((k["score"] for k in sub), ZERO), "children": sub})
        s = sum((k["score"] for k in kids), ZERO)
        total += s
        indicators.append({"id": name, "name": name, "weight": Decimal(weight), "score": s, "children": kids})
    grade = next(label for low, label in GRADES if total >= low)

    # Sums first: the subtotals they report explain row identities that fail only because of them.
    corrections: dict = {}
    budget_label, spend_label = labeller("预算调整表", budget), labeller("支出表", spend)
    budget_sums = sum_check("预算表小计、合计 = 明细之和", budget, budget_label, BUDGET_COLS, loc, corrections)
    spend_sums = sum_check("支出表合计 = 明细之和", spend, spend_label, SPEND_COLS, loc, corrections)
    findings = row_check("年初预算数 + 预算调整数 = 全年预算数", budget, budget_label, "全年预算数", ("年初预算数", "预算调整数"), loc, corrections)
    findings += budget_sums
    findings += row_check("经开 + 汉南 = 合计", spend, spend_label, "合计", ("经开", "汉南"), loc, corrections)
    findings += spend_sums
    for label, name, shown_as, table, cat, col in EQUAL_CHECKS:
        stated = inputs.get(name)
        if stated is not None:
            f = finding(label, shown_as, stated, cat_sum(budget if table == "预算调整表" else spend, cat, col), loc)
            f and findings.append(f)
    for label, name, shown_as, computed in (("正文执行率与表格计算一致", "文中预算执行率", "正文·预算执行率实际完成值", exec_rate), ("正文调整率与表格计算一致", "文中预算调整率", "正文·预算调整率实际完成值", adjust_rate)):
        stated = inputs.get(name)
        if stated is not None:
            f = finding(label, shown_as, stated, computed, loc, percent, Decimal("0.0001"))
            f and findings.append(f)
    stated = inputs.get("注中项目实际支出")
    if stated is not None:
        f = finding("注释与支出表一致", "注2·“经开”就业创业资金补助项目实际支出", stated, cat_sum(spend, "就业创业资金补助项目", "经开"), loc)
        f and findings.append(f)
    stated, paid, final = inputs.get("注中决算差异"), inputs.get("注中项目实际支出"), inputs.get("注中项目决算数")
    if stated is not None and paid is not None and final is not None:
        f = finding("注释中的差异 = 实际支出 − 决算数", "注2·较实际支出少", stated, paid - final, loc)
        f and findings.append(f)
    deviations = [devs[k][0] for k in ORDER if k in devs]
    findings += [devs[k][1] for k in ORDER if k in devs and devs[k][1]]
    rank = {"warning": 1, "info": 2}
    findings.sort(key=lambda f: (rank[f["severity"]], f["code"]))
    return {"ruleset": RULESET, "subject": subject, "total": total, "grade": grade, "indicators": indicators, "findings": findings, "deviations": deviations, "stamp": {"engine": "jixiao 0.1.0", "ruleset_digest": ruleset_digest, "input_digest": digest}}


def sum_check(label: str, root: Rows, name, cols, loc: str, corrections: dict) -> list:
    """A subtotal that differs from its items and from the rows below it as printed."""
    out = []
    for col in cols:
        totals: dict[int, Decimal] = {}

        def items(r: Rows) -> Decimal:
            t = sum((items(c) for c in r.rows), ZERO) if r.rows else (r.vals.get(col) or ZERO)
            totals[id(r)] = t
            return t

        def printed(r: Rows) -> Decimal:
            v = r.vals.get(col)
            return v if v is not None else totals[id(r)]

        items(root)
        for r in walk(root):
            stated = r.vals.get(col)
            if not r.rows or stated is None:
                continue
            computed = totals[id(r)]
            if stated != computed and stated != sum((printed(c) for c in r.rows), ZERO):
                corrections[(id(r), col)] = computed
                f = finding(label, f"{name(r)} › {col}", stated, computed, loc)
                f and out.append(f)
    return out


def row_check(label: str, root: Rows, name, col: str, parts: tuple[str, str], loc: str, corrections: dict) -> list:
    """`col` = the sum of `parts` in every row with figures, unless the sum check explains it."""
    out = []
    for r in walk(root):
        if all(r.vals.get(c) is None for c in (col, *parts)):
            continue
        stated = r.vals.get(col) or ZERO
        computed = (r.vals.get(parts[0]) or ZERO) + (r.vals.get(parts[1]) or ZERO)
        if stated == computed:
            continue
        fixed = {c: corrections[(id(r), c)] for c in (col, *parts) if (id(r), c) in corrections}
        if fixed:
            values = {**r.vals, **fixed}
            if fixed.get(col, stated) == (values.get(parts[0]) or ZERO) + (values.get(parts[1]) or ZERO):
                continue
        f = finding(label, f"{name(r)} › {col}", stated, computed, loc)
        f and out.append(f)
    return out


def _number(v: Decimal) -> str:
    t = format(v, "f")
    if "." in t:
        t = t.rstrip("0").rstrip(".")
    return "0" if t in ("", "-0") else t


def _default(o):
    if isinstance(o, Decimal):
        return "\x00" + _number(o)
    raise TypeError(o)


def dumps(d: dict) -> str:
    """Compact JSON, Decimals as numbers (marked strings, unquoted after)."""
    return _MARKED.sub(r"\1", json.dumps(d, ensure_ascii=False, separators=(",", ":"), default=_default))


_MARKED = re.compile(r'"\\u0000(-?[0-9.]+)"')


def score_line(n: int, line: str, display: str, ruleset_digest: str) -> str | None:
    """One JSONL record's result line, or None when the unit cannot be scored."""
    try:
        u = json.loads(line, parse_float=Decimal, parse_int=Decimal)
        d = score_unit(u, f"{display}:{n}:1", "sha256:" + hashlib.sha256(line.encode()).hexdigest(), ruleset_digest)
    except (Bad, KeyError, TypeError, ArithmeticError, ValueError, AttributeError):
        return None
    return dumps(d)


def _chunk(args: tuple) -> list:
    lines, display, ruleset_digest = args
    return [score_line(n, line, display, ruleset_digest) for n, line in lines]


def _results(fh, display: str, ruleset_digest: str, pool) -> Iterator[str | None]:
    """Each line's result in input order: here, or in `pool` by chunks of 128 lines."""
    numbered = ((n, line.rstrip("\n")) for n, line in enumerate(fh, 1))
    if pool is None:
        yield from (score_line(n, line, display, ruleset_digest) for n, line in numbered)
        return
    chunks = iter(lambda: list(itertools.islice(numbered, 128)), [])
    for texts in pool.imap(_chunk, ((c, display, ruleset_digest) for c in chunks)):
        yield from texts


def run_jsonl(path: str, display: str, ruleset_digest: str, out, jobs: int = 1) -> tuple[int, int]:
    """Score every line of a JSONL file, writing the results; (scored, failed)."""
    good = bad = 0
    with open(path, encoding="utf-8") as fh, contextlib.ExitStack() as stack:
        pool = stack.enter_context(multiprocessing.get_context("fork").Pool(jobs)) if jobs > 1 else None
        for text in _results(fh, display, ruleset_digest, pool):
            if text is None:
                bad += 1
                continue
            out.write(text)
            out.write("\n")
            good += 1
    return good, bad


if __name__ == "__main__":  # python benchmarks/handwritten.py UNITS.jsonl OUT.jsonl RULESET_DIGEST DISPLAY (for instruction counts)
    import sys

    with open(sys.argv[2], "w", encoding="utf-8") as _out:
        run_jsonl(sys.argv[1], sys.argv[4], sys.argv[3], _out)
