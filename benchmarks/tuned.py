"""The 2019 department scheme written by hand and tuned: the floor for `batch.py`.

`handwritten.py` is the *careful* baseline (constants for the indicator tree, a
function per step, a result dict written by `json.dumps`). This is the *tuned*
one issue 18 asks for: what a performance-minded engineer writes when one
scheme must go as fast as plain CPython allows, standard library only, no
engine import, and still byte for byte the line `cli.py batch` writes:

- every constant part of a result line (the ruleset header, each indicator's
  id, name, weight, target, target text, operator, unit and method, each
  finding's fixed words) is a literal string made once at import;
- each table is walked once: figures read, subtotals summed, category sums,
  the subtotal check and the row identity all in the same post-order visit;
  row labels (which need every name in the table) only when a finding needs one;
- Decimal figures are formatted by one C call each (`format(v, ",.2f")` in a
  half-up context is `f"{rhu(v):,.2f}"`), JSON numbers by `str`/`format`;
- no dict is built to be dumped: the line is joined as UTF-8 bytes from
  constant pieces encoded once and the unit's own figures and words (encoding
  a whole 9,000-character line cost ~0.12 M instructions); the input line is
  read as bytes through a 1 MB buffer, hashed as read (its newline cut by a
  memoryview, not a copy), decoded once and parsed by one prebuilt scanner
  (no `JSONDecoder` made per line);
- nothing is remembered from one unit to the next: every figure of every unit
  is parsed, summed, compared and formatted afresh (a cache of repeated values
  would make the count depend on how often the generator repeats itself).

Units it cannot score (a figure that is not a number, a missing table, …) give
no line, exactly where `handwritten.py` gives none (its `score_line` returns
None for the same exceptions); the engine lists those units as errors and
writes no result line for them either. Figures are read by `handwritten.py`'s
rules (`num`), so the outputs agree on anything the generator makes (and on the
odd units of tests/test_tuned_baseline.py); they may part on what no report
holds: figures NaN, Infinity or of more than 30 integer digits (the half-up
quantize of `handwritten.py` raises where a `format` does not), a table row
whose name is a list or a mapping instead of text.
"""
from __future__ import annotations

import contextlib
import itertools
import json
import multiprocessing
import re
from binascii import hexlify
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from hashlib import sha256
from json.decoder import JSONDecoder
from json.encoder import encode_basestring as _q  # the C quoter json.dumps(ensure_ascii=False) uses

CTX = Context(prec=34, rounding=ROUND_HALF_UP)  # handwritten.py's context: quantize and format round half-up
ZERO, ONE, PCT, BP = Decimal(0), Decimal(1), Decimal("0.01"), Decimal("0.0001")
Q2, Q4 = Decimal("0.01"), Decimal("0.0001")
EMPTY = frozenset(("", "—", "——", "-", "/", "－", "／", "无"))
_scan = JSONDecoder(parse_float=Decimal, parse_int=Decimal).scan_once  # one scanner for every line

HEAD = '{"ruleset":{"id":"wuhan-edz-department-2019","title":"部门整体支出绩效自评（2019年度）","year":2019,"kind":"部门整体支出","file":"rulesets/2019/department.yaml"},"subject":'


class Bad(Exception):
    """A unit that cannot be scored."""


# --- figures ----------------------------------------------------------------------------------

def _num_slow(v) -> Decimal | None:
    """handwritten.num, for whatever the fast path below does not take."""
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


def num(v) -> Decimal | None:
    """A figure as typed ('3,921.33', '93.59%', blank → None), as handwritten.num reads it.
    Decimal() itself strips blanks and refuses every EMPTY marker, so a text it takes is the
    number handwritten.num makes of it."""
    if type(v) is str:
        if v:
            try:
                if v[-1] == "%":
                    return Decimal(v[:-1].replace(",", "")) * PCT
                return Decimal(v.replace(",", ""))
            except Exception:
                pass
            return _num_slow(v)
        return None
    if type(v) is Decimal:
        return v
    return _num_slow(v)


def jnum(v: Decimal) -> str:
    """A Decimal as handwritten.py writes a JSON number (`format(v, "f")`, no trailing zeros):
    `str` is that text unless it chose an exponent."""
    t = str(v)
    if "E" in t:
        t = format(v, "f")
    if "." in t:
        if t[-1] != "0":
            return t
        t = t.rstrip("0").rstrip(".")
    return "0" if t == "-0" else t


def jq(v: Decimal) -> str:
    """jnum for a value quantized to 2 or 4 places (or ZERO): `str` gives it without exponent."""
    t = str(v)
    if t[-1] != "0" or "." not in t:
        return t
    t = t.rstrip("0").rstrip(".")
    return "0" if t == "-0" else t


def percent(v: Decimal) -> str:
    """handwritten.percent: format in the half-up context is the quantize then format."""
    t = format(v, ".2%")  # × 100, rounded half-up in this context
    return t[:-4] + "%" if t.endswith(".00%") else t


def plain(v: Decimal) -> str:
    t = format(v.quantize(Q4), "f")  # the quantize kept: it refuses what handwritten's refuses
    return (t.rstrip("0").rstrip(".") if "." in t else t) or "0"


def _default(o):
    if isinstance(o, Decimal):
        return "\x00" + jnum(o)
    raise TypeError(o)


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_default).encode
_MARKED = re.compile(r'"\\u0000(-?[0-9.]+)"')


def jany(v) -> str:
    """Any value read from the unit (a text, a number, a list…), as handwritten.dumps writes it."""
    if type(v) is str:
        return _q(v)
    if v is None:
        return "null"
    t = _encode(v)
    return _MARKED.sub(r"\1", t) if "\\u0000" in t else t


# --- the indicator tree, its constant text made once --------------------------------------------

def _leaf_parts(key, weight, target, op, unit, method, pct, tt):
    """A scored leaf as `quantitative` unpacks it: its numbers, and its JSON around the score, the
    actual and the branch (and its deviation's around kind, actual and ratio) as UTF-8 bytes."""
    head = f'{{"id":{_q(key)},"name":{_q(key)},"weight":{weight},"score":'
    unit_json = "null" if unit is None else _q(unit)
    mid = f',"target":{jnum(target)},"target_text":{_q(op + tt)},"operator":{_q(op)},"unit":{unit_json},"actual":'
    tails = {b: f',"method":{_q(method)},"branch":{_q(b)},"children":[]}}' for b in ("met", "missed", "partial", "zero")}
    dev_head = f'{{"id":{_q(key)},"name":{_q(key)},"kind":'
    dev_mid = f',"target":{jnum(target)},"actual":'
    dev_tt = f',"target_text":{_q(tt)},"actual_text":'
    unexplained = {kind: f'{{"kind":"deviation","severity":"warning","code":"deviation.unexplained","message":{_q(f"指标「{key}」{kind}，但没有说明原因：请在该指标下填写 explanation")},"location":'.encode() for kind in ("未完成", "超额")}
    w = Decimal(weight)
    return (key, w, w.quantize(Q2), target, op == "≥", method == "proportional", pct, unit if unit and unit != "%" else "",
            head.encode(), mid.encode(), {b: t.encode() for b, t in tails.items()}, target * Decimal("1.3"), target * Decimal("0.7"),
            dev_head.encode(), dev_mid.encode(), dev_tt.encode(), unexplained, f"{weight}".encode())


def _tt(target, pct, unit):
    if pct:
        return percent(target)
    t = plain(target)
    return t + unit if unit and unit != "%" else t


def _leaf(key, weight, target, op, unit, method, vtype):
    with localcontext(CTX):
        pct = vtype == "percent"
        return _leaf_parts(key, weight, target, op, unit, method, pct, _tt(target, pct, unit))


# (key, weight, target, operator, unit, method, value type), in handwritten.LEAVES order
LEAVES = tuple(_leaf(*a) for a in (
    ("参与干部培训人数", 2, Decimal(140), "≥", "人", "proportional", "number"),
    ("干部档案整理覆盖率", 2, ONE, "≥", "%", "proportional", "percent"),
    ("专项招聘工作完成率", 3, ONE, "≥", "%", "proportional", "percent"),
    ("城镇新增就业人数", 3, Decimal(15000), "≥", "人", "proportional", "number"),
    ("组织公益性招聘会场数", 3, Decimal(90), "≥", "场", "proportional", "number"),
    ("开展校招活动场数", 3, Decimal(20), "≥", "场", "proportional", "number"),
    ("帮扶就业困难群体就业创业人数", 3, Decimal(800), "≥", "人", "proportional", "number"),
    ("各项经费支出合规率", 3, ONE, "≥", "%", "threshold", "percent"),
    ("档案装具采购合规率", 3, ONE, "≥", "%", "threshold", "percent"),
    ("各项补贴支付合规率", 3, ONE, "≥", "%", "threshold", "percent"),
    ("服务对象满意度", 8, Decimal("0.95"), "≥", "%", "threshold", "percent"),
))
EXEC = _leaf("预算执行率", 10, ONE, "≥", "%", "proportional", "percent")
ADJUST = _leaf("预算调整率", 10, Decimal("0.05"), "≤", "%", "threshold", "percent")
COST = _leaf("成本指标", 3, ONE, "≤", "%", "threshold", "percent")


def _qual(key, weight, target, method):
    head = f'{{"id":{_q(key)},"name":{_q(key)},"weight":{weight},"score":'
    mid = f',"target":{_q(target)},"target_text":{_q(target)},"operator":"定性","unit":null,"actual":'
    tail = f',"method":{_q(method)},"branch":'
    dev = f'{{"id":{_q(key)},"name":{_q(key)},"kind":"未完成","target":{_q(target)},"actual":'
    dev_tt = f',"target_text":{_q(target)},"actual_text":'
    unexplained = f'{{"kind":"deviation","severity":"warning","code":"deviation.unexplained","message":{_q(f"指标「{key}」未完成，但没有说明原因：请在该指标下填写 explanation")},"location":'
    return (key, Decimal(weight), head.encode(), mid.encode(), tail.encode(), dev.encode(), dev_tt.encode(), unexplained.encode())


TIMELY = _qual("时效指标", 9, "按期完成", "qualitative")
SOCIAL = _qual("社会效益", 24, "无重大群体性事件", "manual")
LASTING = _qual("可持续影响", 8, "机构、人员、制度满足工作需要", "manual")
LEVEL_HI, LEVEL_LO = Decimal("0.8"), Decimal("0.6")
BRANCH = {b: _q(b).encode() for b in ("达成", "部分达成", "未达成", "full", "partial")}
KIND = {k: _q(k).encode() for k in ("未完成", "超额")}

G_BUDGET = '{"id":"预算管理","name":"预算管理","weight":20,"score":'.encode()
G_OUTPUT = '{"id":"产出指标","name":"产出指标","weight":40,"score":'.encode()
G_COUNT = '{"id":"数量指标","name":"数量指标","weight":19,"score":'.encode()
G_QUALITY = '{"id":"质量指标","name":"质量指标","weight":9,"score":'.encode()
G_BENEFIT = '{"id":"效益指标","name":"效益指标","weight":32,"score":'.encode()
G_SATISFIED = '{"id":"满意度","name":"满意度","weight":8,"score":'.encode()
HEAD_B = HEAD.encode()
GRADES = ((Decimal(90), '"优"'.encode()), (Decimal(80), '"良"'.encode()), (Decimal(60), '"中"'.encode()), (ZERO, '"差"'.encode()))

# --- checks: each finding's fixed words ----------------------------------------------------------

F_MISMATCH = b'{"kind":"consistency","severity":"warning","code":"check.mismatch","message":'
F_ROUNDING = b'{"kind":"consistency","severity":"info","code":"check.rounding","message":'
EQUAL_CHECKS = (  # (stated input, "【check】where：填报 ", table (0 budget, 1 spend), category, column index)
    ("文中年初预算数", "【正文与预算表一致】正文·年初预算安排批复数：填报 ", 0, None, 0),
    ("文中年初基本支出", "【正文与预算表一致】正文·年初基本支出：填报 ", 0, "基本支出", 0),
    ("文中年初项目支出", "【正文与预算表一致】正文·年初项目支出：填报 ", 0, "项目支出", 0),
    ("文中预算调整数", "【正文与预算表一致】正文·年中预算调增数：填报 ", 0, None, 1),
    ("文中基本支出调整数", "【正文与预算表一致】正文·基本支出预算调整数：填报 ", 0, "基本支出", 1),
    ("文中项目支出调整数", "【正文与预算表一致】正文·项目支出预算调整数：填报 ", 0, "项目支出", 1),
    ("文中全年预算数", "【正文与预算表一致】正文·调整后预算总支出：填报 ", 0, None, 2),
    ("文中全年基本支出", "【正文与预算表一致】正文·调整后基本支出：填报 ", 0, "基本支出", 2),
    ("文中全年项目支出", "【正文与预算表一致】正文·调整后项目支出：填报 ", 0, "项目支出", 2),
    ("文中实际支出", "【正文与支出表一致】正文·实际共支出：填报 ", 1, None, 2),
    ("文中实际基本支出", "【正文与支出表一致】正文·实际基本支出：填报 ", 1, "基本支出", 2),
    ("文中实际项目支出", "【正文与支出表一致】正文·实际项目支出：填报 ", 1, "项目支出", 2),
    ("分析中全年预算数", "【原因分析与预算表一致】原因分析·全年预算数：填报 ", 0, None, 2),
    ("分析中执行数", "【原因分析与支出表一致】原因分析·实际执行数：填报 ", 1, None, 2),
    ("分析中调整金额", "【原因分析与预算表一致】原因分析·预算调整金额：填报 ", 0, None, 1),
    ("分析中年初预算数", "【原因分析与预算表一致】原因分析·部门年初预算数：填报 ", 0, None, 0),
    ("分析中调整后预算数", "【原因分析与预算表一致】原因分析·调整预算数：填报 ", 0, None, 2),
)
BUDGET_COLS, BUDGET_CATS = ("年初预算数", "预算调整数", "全年预算数"), frozenset(("基本支出", "项目支出"))
SPEND_COLS, SPEND_CATS = ("经开", "汉南", "合计"), frozenset(("基本支出", "项目支出", "就业创业资金补助项目"))


LOCATION = b',"location":'


def finding(mismatch: list, rounding: list, head: str, stated: Decimal, computed: Decimal, loc: bytes) -> None:
    """A money finding: `head` is "【check】where：填报 "; nothing when the figures agree."""
    diff = stated - computed
    if not diff:
        return
    if -PCT <= diff <= PCT:
        rounding.append(b"".join((F_ROUNDING, _q(f"{head}{stated:,.2f}，计算为 {computed:,.2f}，相差 {diff:,.2f}（在四舍五入误差范围内）").encode(), LOCATION, loc,
                                  f',"stated":{jnum(stated)},"computed":{jnum(computed)},"difference":{jnum(diff)}}}'.encode())))
    else:
        mismatch.append(b"".join((F_MISMATCH, _q(f"{head}{stated:,.2f}，计算应为 {computed:,.2f}，相差 {diff:,.2f}").encode(), LOCATION, loc,
                                  f',"stated":{jnum(stated)},"computed":{jnum(computed)},"difference":{jnum(diff)}}}'.encode())))


def rate_finding(mismatch: list, rounding: list, head: str, stated: Decimal, computed: Decimal, loc: bytes) -> None:
    diff = stated - computed
    if not diff:
        return
    if -BP <= diff <= BP:
        rounding.append(b"".join((F_ROUNDING, _q(f"{head}{percent(stated)}，计算为 {percent(computed)}，相差 {percent(diff)}（在四舍五入误差范围内）").encode(), LOCATION, loc,
                                  f',"stated":{jnum(stated)},"computed":{jnum(computed)},"difference":{jnum(diff)}}}'.encode())))
    else:
        mismatch.append(b"".join((F_MISMATCH, _q(f"{head}{percent(stated)}，计算应为 {percent(computed)}，相差 {percent(diff)}").encode(), LOCATION, loc,
                                  f',"stated":{jnum(stated)},"computed":{jnum(computed)},"difference":{jnum(diff)}}}'.encode())))


# --- a table, walked once ------------------------------------------------------------------------

class Table:
    """One walk of a table: its root figures, category sums, every name (for labels) and the
    problems of its subtotals and row identities, in handwritten.py's order."""

    __slots__ = ("cols", "cats", "names", "cat_sums", "problems", "root")

    def __init__(self, root: dict, cols: tuple[str, str, str], cats: frozenset):
        self.cols, self.cats = cols, cats
        self.names: list[str] = []  # every row's name but the root's, in order: len() is the next row's place
        self.cat_sums: dict[str, list] = {}
        self.problems: list | None = None  # (order, trail, column index, stated, computed)
        self.visit(root, (), (), *cols)

    def visit(self, d: dict, trail: tuple, inside: tuple, A: str, B: str, C: str):
        """(items a, b, c, figure a, b, c) of row `d`: the sums of its leaf figures (its own
        where it has no rows), and its figures as typed (None: blank or absent)."""
        pre = len(self.names)
        # handwritten.num, inlined: a plain figure in one Decimal() call; "" is blank
        a = d.get(A)
        if a:
            try:
                a = Decimal(a.replace(",", ""))
            except Exception:
                a = num(a)
        else:
            a = None if a is None or a == "" else num(a)
        b = d.get(B)
        if b:
            try:
                b = Decimal(b.replace(",", ""))
            except Exception:
                b = num(b)
        else:
            b = None if b is None or b == "" else num(b)
        c = d.get(C)
        if c:
            try:
                c = Decimal(c.replace(",", ""))
            except Exception:
                c = num(c)
        else:
            c = None if c is None or c == "" else num(c)
        if trail:
            name = trail[-1]
            cat = d.get("category") or (name if name in self.cats else None)
            if cat is not None and cat not in inside:
                s = self.cat_sums.get(cat)
                if s is None:
                    self.cat_sums[cat] = [a or ZERO, b or ZERO, c or ZERO]
                else:
                    s[0] += a or ZERO
                    s[1] += b or ZERO
                    s[2] += c or ZERO
                inside = inside + (cat,)
        else:
            self.root = (a, b, c)
            d.get("category")  # as handwritten reads it (a root that is no dict fails here too)
        rows = d.get("rows", ())
        fixed = None
        if rows:
            ia = ib = ic = ZERO
            names = self.names
            visit = self.visit
            kids = []
            for r in rows:
                n = r.get("name", "")
                names.append(n)
                k = visit(r, trail + (n,), inside, A, B, C)
                kids.append(k)
                ia += k[0]
                ib += k[1]
                ic += k[2]
            # the subtotal check: a subtotal that differs from its items and from the rows
            # below it as printed (their figures, or their items where blank)
            if a is not None and a != ia and a != sum([ZERO, *(k[0] if k[3] is None else k[3] for k in kids)]):
                fixed = {0: ia}
                self._problem((1, pre), trail, 0, a, ia)
            if b is not None and b != ib and b != sum([ZERO, *(k[1] if k[4] is None else k[4] for k in kids)]):
                fixed = {**fixed, 1: ib} if fixed else {1: ib}
                self._problem((2, pre), trail, 1, b, ib)
            if c is not None and c != ic and c != sum([ZERO, *(k[2] if k[5] is None else k[5] for k in kids)]):
                fixed = {**fixed, 2: ic} if fixed else {2: ic}
                self._problem((3, pre), trail, 2, c, ic)
        else:
            ia, ib, ic = a or ZERO, b or ZERO, c or ZERO
        # the row identity: c = a + b, unless the corrected subtotals explain it
        if a is not None or b is not None or c is not None:
            stated = c or ZERO
            computed = (a or ZERO) + (b or ZERO)
            if stated != computed:
                if fixed is None or fixed.get(2, stated) != (fixed.get(0, a) or ZERO) + (fixed.get(1, b) or ZERO):
                    self._problem((0, pre), trail, 2, stated, computed)
        return ia, ib, ic, a, b, c

    def _problem(self, order, trail, col, stated, computed):
        if self.problems is None:
            self.problems = []
        self.problems.append((order, trail, col, stated, computed))

    def findings(self, table: str, root_name: str, row_label: str, sum_label: str, mismatch: list, rounding: list, loc: bytes) -> None:
        problems = self.problems
        if len(problems) > 1:
            problems.sort(key=_order)
        counts: dict[str, int] = {}
        for n in self.names:
            counts[n] = counts.get(n, 0) + 1
        for order, trail, col, stated, computed in problems:
            if not trail:
                label = f"{table} › {root_name}" if root_name else table
            elif counts[trail[-1]] <= 1:
                label = " › ".join((table, trail[-1]))
            else:
                label = " › ".join((table, *trail))
            finding(mismatch, rounding, f"{row_label if order[0] == 0 else sum_label}{label} › {self.cols[col]}：填报 ", stated, computed, loc)


def _order(p):
    return p[0]


def cat_sum(t: Table, cat: str | None, col: int) -> Decimal:
    if cat is None:
        return t.root[col] or ZERO
    s = t.cat_sums.get(cat)
    return ZERO if s is None else s[col]


# --- a unit --------------------------------------------------------------------------------------

def quantitative(devs: list, unexplained: list, leaf: tuple, actual: Decimal, entry, loc: bytes) -> tuple[Decimal, bytes]:
    """One scored leaf: its score and JSON; its deviation (and unexplained finding) appended."""
    key, w, wq, target, ge, proportional, pct, unit, head, mid, tails, over, under, dev_head, dev_mid, dev_tt, unexplained_head, wtext = leaf
    if proportional:
        if actual >= target:
            s, sj, branch = wq, wtext, "met"
        elif actual <= 0:  # every target is positive
            s, sj, branch = ZERO, b"0", "zero"
        else:
            s = (w * actual / target).quantize(Q2)
            sj, branch = jq(s).encode(), "partial"
    elif (actual >= target) if ge else (actual <= target):
        s, sj, branch = wq, wtext, "met"
    else:
        s, sj, branch = ZERO, b"0", "missed"
    at = _q(percent(actual) if pct else plain(actual) + unit).encode()
    aj = jnum(actual).encode()
    if ge:
        kind = "未完成" if actual < target else "超额" if actual >= over else None
    else:
        kind = "未完成" if actual > target else "超额" if actual <= under else None
    if kind:
        expl = entry.get("explanation") or None
        devs.append(b"".join((dev_head, KIND[kind], dev_mid, aj, dev_tt, at, f',"ratio":{jq((actual / target).quantize(Q4))},"explanation":{jany(expl)}'.encode(), LOCATION, loc, b"}")))
        if expl is None:
            unexplained.append(unexplained_head[kind] + loc + b"}")
    return s, b"".join((head, sj, mid, aj, b',"actual_text":', at, tails[branch]))


def qualitative(devs: list, unexplained: list, leaf: tuple, entries, loc: bytes) -> tuple[Decimal, bytes]:
    key, w, head, mid, tail, dev, dev_tt, unexplained_head = leaf
    entry = entries.get(key) or {}
    s = num(entry.get("score"))
    if s is None or not ZERO <= s <= w:
        raise Bad(key)
    if leaf is TIMELY:
        level = entry.get("level")
        share = s / w
        if level is None:
            level = "达成" if share >= LEVEL_HI else "部分达成" if share >= LEVEL_LO else "未达成"
        elif (level == "达成" and share < LEVEL_HI) or (level == "部分达成" and not LEVEL_LO <= share < LEVEL_HI) or (level == "未达成" and share >= LEVEL_LO):
            raise Bad(key)
        branch = level
        missed = branch != "达成"
    else:
        branch = "full" if s == w else "partial"
        missed = s < w
    actual = entry.get("actual")
    if type(actual) is str:
        aj = atj = _q(actual).encode()
    elif actual is None:
        aj, atj = b"null", b'""'
    else:
        aj, atj = jany(actual).encode(), _q(str(actual)).encode()
    if missed:
        expl = entry.get("explanation") or None
        devs.append(b"".join((dev, aj, dev_tt, atj, b',"ratio":null,"explanation":', jany(expl).encode(), LOCATION, loc, b"}")))
        if expl is None:
            unexplained.append(unexplained_head + loc + b"}")
    s = s.quantize(Q2)
    return s, b"".join((head, jq(s).encode(), mid, aj, b',"actual_text":', atj, tail, (BRANCH.get(branch) if type(branch) is str else None) or jany(branch).encode(), b',"children":[]}'))


def subject_json(subject) -> str:
    if type(subject) is str:
        return '{"name":' + _q(subject) + "}"
    if type(subject) is not dict:
        subject = dict(subject)
    parts = []
    for k, v in subject.items():
        if type(v) is not str:
            return jany(subject)
        parts.append(f"{_q(k)}:{_q(v)}")
    return "{" + ",".join(parts) + "}"


def score(u: dict, loc: bytes, tail: bytes) -> bytes:
    """One unit's result line (UTF-8); `loc` the quoted location, `tail` the stamp and the newline."""
    subject = subject_json(u.get("subject"))
    inputs = {k: num(v) for k, v in u["inputs"].items()}
    tables = u["tables"]
    budget_root, spend_root = tables["预算调整表"], tables["支出表"]
    entries = u.get("indicators", {})
    bt = Table(budget_root, BUDGET_COLS, BUDGET_CATS)
    st = Table(spend_root, SPEND_COLS, SPEND_CATS)
    plan_budget, adjust, full_budget = bt.root
    executed = st.root[2]
    if plan_budget is None or adjust is None or full_budget is None or executed is None:
        raise Bad("root")  # handwritten: KeyError (absent) or TypeError (blank)
    exec_rate = (executed / full_budget).quantize(Q4)
    adjust_rate = (abs(adjust) / plan_budget).quantize(Q4)

    devs: list[bytes] = []  # in handwritten.ORDER (the tree's order)
    unexplained: list[bytes] = []
    s_exec, j_exec = quantitative(devs, unexplained, EXEC, exec_rate, entries.get("预算执行率", {}), loc)
    s_adj, j_adj = quantitative(devs, unexplained, ADJUST, adjust_rate, entries.get("预算调整率", {}), loc)
    js = []
    s_count = s_quality = ZERO
    for i, leaf in enumerate(LEAVES):
        if i == 10:
            break
        entry = entries.get(leaf[0]) or {}
        actual = num(entry.get("actual"))
        if actual is None:
            raise Bad(leaf[0])
        s, j = quantitative(devs, unexplained, leaf, actual, entry, loc)
        js.append(j)
        if i < 7:
            s_count += s
        else:
            s_quality += s
    s_timely, j_timely = qualitative(devs, unexplained, TIMELY, entries, loc)
    s_cost, j_cost = quantitative(devs, unexplained, COST, exec_rate, entries.get("成本指标", {}), loc)
    s_social, j_social = qualitative(devs, unexplained, SOCIAL, entries, loc)
    s_lasting, j_lasting = qualitative(devs, unexplained, LASTING, entries, loc)
    leaf = LEAVES[10]
    entry = entries.get(leaf[0]) or {}
    actual = num(entry.get("actual"))
    if actual is None:
        raise Bad(leaf[0])
    s_sat, j_sat = quantitative(devs, unexplained, leaf, actual, entry, loc)
    s_budget = s_exec + s_adj
    s_output = s_count + s_quality + s_timely + s_cost
    s_benefit = s_social + s_lasting
    total = s_budget + s_output + s_benefit + s_sat
    grade = next(label for low, label in GRADES if total >= low)

    # the checks, in handwritten's order; then (its stable sort by severity and code) the
    # mismatches, the unexplained deviations, the rounding slips
    mismatch: list[bytes] = []
    rounding: list[bytes] = []
    if bt.problems:
        bt.findings("预算调整表", budget_root.get("name", ""), "【年初预算数 + 预算调整数 = 全年预算数】", "【预算表小计、合计 = 明细之和】", mismatch, rounding, loc)
    if st.problems:
        st.findings("支出表", spend_root.get("name", ""), "【经开 + 汉南 = 合计】", "【支出表合计 = 明细之和】", mismatch, rounding, loc)
    for name, head, table, cat, col in EQUAL_CHECKS:
        stated = inputs.get(name)
        if stated is not None:
            finding(mismatch, rounding, head, stated, cat_sum(st if table else bt, cat, col), loc)
    stated = inputs.get("文中预算执行率")
    if stated is not None:
        rate_finding(mismatch, rounding, "【正文执行率与表格计算一致】正文·预算执行率实际完成值：填报 ", stated, exec_rate, loc)
    stated = inputs.get("文中预算调整率")
    if stated is not None:
        rate_finding(mismatch, rounding, "【正文调整率与表格计算一致】正文·预算调整率实际完成值：填报 ", stated, adjust_rate, loc)
    paid = inputs.get("注中项目实际支出")
    if paid is not None:
        finding(mismatch, rounding, "【注释与支出表一致】注2·“经开”就业创业资金补助项目实际支出：填报 ", paid, cat_sum(st, "就业创业资金补助项目", 0), loc)
        stated, final = inputs.get("注中决算差异"), inputs.get("注中项目决算数")
        if stated is not None and final is not None:
            finding(mismatch, rounding, "【注释中的差异 = 实际支出 − 决算数】注2·较实际支出少：填报 ", stated, paid - final, loc)
    mismatch += unexplained
    mismatch += rounding

    return b"".join((
        HEAD_B, subject.encode(), f',"total":{jq(total)}'.encode(), b',"grade":', grade, b',"indicators":[',
        G_BUDGET, jq(s_budget).encode(), b',"children":[', j_exec, b",", j_adj, b"]},",
        G_OUTPUT, jq(s_output).encode(), b',"children":[', G_COUNT, jq(s_count).encode(), b',"children":[', b",".join(js[:7]), b"]},",
        G_QUALITY, jq(s_quality).encode(), b',"children":[', b",".join(js[7:]), b"]},", j_timely, b",", j_cost, b"]},",
        G_BENEFIT, jq(s_benefit).encode(), b',"children":[', j_social, b",", j_lasting, b"]},",
        G_SATISFIED, jq(s_sat).encode(), b',"children":[', j_sat, b"]}],",
        b'"findings":[', b",".join(mismatch), b'],"deviations":[', b",".join(devs), b"],", tail))


def records(fh):
    """(line number, bytes to hash, text or None) of each line of a UTF-8 file read as bytes,
    as handwritten.py's text-mode reading numbers and strips them (a line holding a carriage
    return is split and translated the way universal newlines would)."""
    n = 0
    for raw in fh:  # with its newline: cut by the parser and a memoryview, not by copying 16 KB
        if b"\r" in raw:
            text = (raw if raw[-1:] == b"\n" else raw + b"\n").decode().replace("\r\n", "\n").replace("\r", "\n")
            for part in text.split("\n")[:-1]:
                n += 1
                yield n, part.encode(), part
            continue
        n += 1
        yield n, raw, None


def score_line(n: int, raw: bytes, text: str | None, loc_head: str, stamp_head: str) -> bytes | None:
    """One record's result line as UTF-8 bytes with its newline, or None when the unit cannot
    be scored (`raw`: the line's bytes, its newline kept or not; `text`: its text when already
    decoded, without newline). `loc_head`: the quoted display path up to its ':'; `stamp_head`: the stamp up to
    the input digest."""
    try:
        if text is None:
            text = raw.decode()
            if raw[-1:] == b"\n":  # the record is the line without its newline
                raw = memoryview(raw)[:-1]
                text_end = len(text) - 1
            else:
                text_end = len(text)
        else:
            text_end = len(text)
        try:
            u, end = _scan(text, 0)
            if end != text_end:
                raise StopIteration
        except StopIteration:  # blanks around the record, or no JSON: as json.loads decides
            u = json.loads(text[:text_end], parse_float=Decimal, parse_int=Decimal)
        return score(u, f'{loc_head}{n}:1"'.encode(), b"".join((stamp_head, hexlify(sha256(raw).digest()), b'"}}\n')))
    except (Bad, KeyError, TypeError, ArithmeticError, ValueError, AttributeError):
        return None


def heads(display: str, ruleset_digest: str) -> tuple[str, bytes]:
    return _q(display)[:-1] + ":", f'"stamp":{{"engine":"jixiao 0.1.0","ruleset_digest":{_q(ruleset_digest)},"input_digest":"sha256:'.encode()


def _chunk(args: tuple) -> list:
    recs, display, ruleset_digest = args
    loc_head, stamp_head = heads(display, ruleset_digest)
    with localcontext(CTX):
        return [score_line(n, raw, text, loc_head, stamp_head) for n, raw, text in recs]


def run_jsonl(path: str, display: str, ruleset_digest: str, out, jobs: int = 1) -> tuple[int, int]:
    """Score every line of a JSONL file, writing the results to `out` (a binary file); (scored, failed)."""
    good = bad = 0
    write = out.write
    # a 1 MB buffer: a 16 KB line is found by one search, not assembled from 8 KB reads (0.07 M instructions a line)
    with open(path, "rb", buffering=1 << 20) as fh, contextlib.ExitStack() as stack:
        if jobs > 1:
            pool = stack.enter_context(multiprocessing.get_context("fork").Pool(jobs))
            recs = records(fh)
            chunks = iter(lambda: list(itertools.islice(recs, 128)), [])
            results = itertools.chain.from_iterable(pool.imap(_chunk, ((c, display, ruleset_digest) for c in chunks)))
        else:
            stack.enter_context(localcontext(CTX))
            loc_head, stamp_head = heads(display, ruleset_digest)
            results = (score_line(n, raw, text, loc_head, stamp_head) for n, raw, text in records(fh))
        for line in results:
            if line is None:
                bad += 1
            else:
                write(line)
                good += 1
    return good, bad


if __name__ == "__main__":  # python benchmarks/tuned.py UNITS.jsonl OUT.jsonl RULESET_DIGEST DISPLAY (for instruction counts)
    import sys

    with open(sys.argv[2], "wb", buffering=1 << 20) as _out:
        run_jsonl(sys.argv[1], sys.argv[4], sys.argv[3], _out)
