"""The self-evaluation report (绩效自评报告) as a `Document`, in the seed's structure.

一、绩效得分情况 — the total, the grade, and the 一级 scores in one sentence;
二、部门支出情况 — the budget figures and the tables as the data gives them;
三、绩效评价情况 — （一）per indicator: target, actual, weight, score;
（二）未完成指标及超指标值30%完成的原因分析; （三）the findings of the checks;
附件 — the form 整体支出绩效自评表. Every number comes from the `Result`.
"""
from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from engine.base.numeric import fmt_money, fmt_percent, fmt_score
from engine.evaluation.display import show_target, show_value
from engine.render.document import Bar, Block, Chart, Document, Heading, PageBreak, Paragraph
from engine.render.forms import first_levels, form_for, funds_values, is_project, report_text, table_grid
from engine.render.json_out import stamp
from engine.evaluation.result import IndicatorResult, Result
from engine import __version__
from engine.render.forms import summary_grid

_DIGITS = "〇一二三四五六七八九"


def chinese_year_month(text: str) -> str | None:
    """`2020年6月11日` → `二〇二〇年六月`, as a report's cover dates it."""
    found = re.search(r"(\d{4})\s*年\s*(\d{1,2})\s*月", text)
    if not found:
        return None
    year = "".join(_DIGITS[int(d)] for d in found.group(1))
    return f"{year}年{small_number(int(found.group(2)))}月"


def small_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (months and days)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")




def kind_word(kind: str) -> str:
    """`部门整体支出` → `整体支出` (the title says 某局整体支出2019年绩效自评报告)."""
    return kind[2:] if kind.startswith("部门") and len(kind) > 2 else kind


def report_title(result: Result) -> str:
    rs = result.plan.ruleset
    given = result.unit.subject.get("报告标题")
    if isinstance(given, str) and given:
        return given
    kind = kind_word(rs.kind)
    if kind.startswith("项目") and result.unit.name.endswith("项目"):
        kind = kind[2:]  # 某某项目 + 项目支出 → 某某项目支出
    return report_text("report.title", name=result.unit.name, kind=kind, year=rs.year)


def stamp_line(result: Result) -> str:
    s = stamp(result)
    return report_text("report.stamp", engine=s["engine"], ruleset=result.plan.file, ruleset_digest=s["ruleset_digest"], data=result.unit.file, input_digest=s["input_digest"])


def build(result: Result) -> Document:
    """The report for one department (or project) evaluation."""
    rs = result.plan.ruleset
    places = rs.rounding.places
    title = report_title(result)
    subject = result.unit.subject
    date = str(subject.get("报告日期", "") or "")
    cover = [result.unit.name, kind_word(rs.kind), report_text("report.cover_year", year=rs.year)]
    if subject.get("主管部门"):
        cover.append(report_text("report.cover_authority", authority=subject["主管部门"]))
    if date:
        cover.append(chinese_year_month(date) or date)

    blocks: list[Block] = []
    blocks += _scores(result, title, places)
    blocks += _spending(result)
    blocks += _performance(result, places)
    blocks += _deviations(result)
    blocks += _findings(result)
    blocks.append(PageBreak())
    blocks.append(Heading(report_text("report.attachment", n=1), 1))
    blocks.append(form_for(result))
    blocks.append(Paragraph(result.unit.name, "right", indent=False))
    if date:
        blocks.append(Paragraph(date, "right", indent=False))
    s = stamp(result)
    # Document properties hold at most 255 characters: the stamp's values, no paths.
    props = {"title": title, "subject": rs.title, "author": s["engine"], "comments": " ".join(s.values()), "keywords": rs.kind}
    return Document(title, tuple(cover), tuple(blocks), fmt_score(result.total, places), result.grade, s, stamp_line(result), props)


def _scores(result: Result, title: str, places: int) -> list[Block]:
    levels = first_levels(result)
    parts = "，".join(report_text("report.part_score", name=r.node.name, score=fmt_score(r.score, places)) for r in levels)
    bars = tuple(Bar(r.node.name, r.score, r.weight, fmt_score(r.score, places), fmt_score(r.weight, places)) for r in levels)
    return [
        Heading(report_text("report.h_scores"), 1),
        Paragraph(report_text("report.score_sentence", title=title, total=fmt_score(result.total, places), grade=result.grade, parts=parts)),
        Chart(report_text("report.chart_title"), bars),
    ]


def _spending(result: Result) -> list[Block]:
    rs = result.plan.ruleset
    blocks: list[Block] = [Heading(report_text("report.h_spending_project" if is_project(result) else "report.h_spending"), 1)]
    figures = []
    for name, value in funds_values(result).items():
        if isinstance(value, Decimal):
            shown = fmt_percent(value) if name.endswith("率") else report_text("report.money", amount=fmt_money(value))
            figures.append(report_text("report.figure", name=name, value=shown))
    tables = [t for t in rs.tables if t in result.unit.tables]
    if figures:
        blocks.append(Paragraph(report_text("report.spending_sentence", year=rs.year, figures="，".join(figures), more=report_text("report.see_tables") if tables else "")))
    for i, tname in enumerate(tables, start=1):
        grid = table_grid(result, tname)
        blocks.append(replace(grid, title=report_text("report.section", n=small_number(i), title=grid.title)))
    return blocks


def _performance(result: Result, places: int) -> list[Block]:
    blocks: list[Block] = [Heading(report_text("report.h_performance"), 1), Heading(report_text("report.h_targets"), 2)]
    for i, top in enumerate(first_levels(result), start=1):
        blocks.append(Heading(report_text("report.level1", n=i, name=top.node.name, weight=fmt_score(top.weight, places)), 3))
        children = top.children or (top,)
        for j, r in enumerate(children, start=1):
            if r.children:
                blocks.append(Paragraph(report_text("report.level2", n=j, name=r.node.name, weight=fmt_score(r.weight, places), score=fmt_score(r.score, places))))
                items = "；".join(_leaf_clause(leaf, places, short=True) for leaf in _leaves(r))
                blocks.append(Paragraph(report_text("report.sentence_end", text=items)))
            else:
                blocks.append(Paragraph(report_text("report.item", n=j, text=_leaf_clause(r, places, short=False))))
                note = r.entry.get("explanation")
                if note and not _deviates(result, r):
                    blocks.append(Paragraph(note))
    return blocks


def _leaves(r: IndicatorResult):
    for c in r.children:
        if c.children:
            yield from _leaves(c)
        else:
            yield c


def _deviates(result: Result, r: IndicatorResult) -> bool:
    return any(d.key == r.node.key for d in result.deviations)


def _leaf_clause(r: IndicatorResult, places: int, short: bool) -> str:
    node = r.node
    if r.not_applicable:
        return report_text("report.leaf_na", name=node.name)
    target = show_target(r)
    actual = show_value(r.actual, node.value_type, node.unit)
    score = fmt_score(r.score, places)
    weight = fmt_score(node.weight, places)
    if node.operator == "定性" or not isinstance(r.target, Decimal):
        code = "report.leaf_qualitative_short" if short else "report.leaf_qualitative"
    else:
        code = "report.leaf_short" if short else "report.leaf"
    return report_text(code, name=node.name, target=target or "—", actual=actual or "—", weight=weight, score=score)


def _deviations(result: Result) -> list[Block]:
    ratio = fmt_percent(result.plan.ruleset.deviations.exceed_ratio)
    blocks: list[Block] = [Heading(report_text("report.h_deviations", ratio=ratio), 2)]
    if not result.deviations:
        blocks.append(Paragraph(report_text("report.none")))
    for i, d in enumerate(result.deviations, start=1):
        blocks.append(Heading(report_text("report.numbered", n=i, text=d.name), 3))
        target = show_value(d.target, d.value_type, d.unit) or "—"
        node = result.plan.node(d.key)
        if node is not None and node.operator in ("≥", "≤") and isinstance(d.target, Decimal):
            target = node.operator + target
        actual = show_value(d.actual, d.value_type, d.unit) or "—"
        facts = report_text("report.deviation_facts", target=target, actual=actual, kind=report_text(f"report.kind_{_KIND_CODES.get(d.kind, 'explain')}"))
        if d.explanation:
            blocks.append(Paragraph(report_text("report.deviation_reason", facts=facts, reason=d.explanation)))
        else:
            blocks.append(Paragraph(report_text("report.deviation_unexplained", facts=facts), "warning"))
    return blocks


_KIND_CODES = {"未完成": "missed", "超额": "exceeded", "需说明": "explain"}


def _findings(result: Result) -> list[Block]:
    blocks: list[Block] = [Heading(report_text("report.h_findings"), 2)]
    if not result.findings:
        blocks.append(Paragraph(report_text("report.no_findings")))
        return blocks
    counts = {s: sum(1 for f in result.findings if f.severity == s) for s in ("error", "warning", "info")}
    blocks.append(Paragraph(report_text("report.findings_intro", count=len(result.findings), warnings=counts["warning"] + counts["error"], infos=counts["info"])))
    for i, f in enumerate(result.findings, start=1):
        where = report_text("report.where", location=str(f.span)) if f.span else ""
        text = report_text("report.finding", n=i, severity=report_text(f"report.severity_{f.severity}"), message=f.message("zh"), where=where)
        blocks.append(Paragraph(text, "warning" if f.severity in ("error", "warning") else "info"))
    return blocks


def summary_stamp(summary) -> dict[str, str]:
    """The stamp of a summary: the engine, every ruleset digest, every data file's digest."""

    rows = [r for r in summary.rows if not r.failed]
    rulesets = sorted({r.ruleset_digest for r in rows if r.ruleset_digest})
    return {"engine": f"jixiao {__version__}", "ruleset_digest": " ".join(rulesets), "input_digest": " ".join(r.digest for r in rows)}


def summary_document(summary) -> Document:
    """项目支出自评情况汇总表 (an `engine.tools.project_summary.ProjectSummary`) as a document of one
    table; its stamp names every data file with its digest."""

    grid = summary_grid(summary)
    s = summary_stamp(summary)
    data = "；".join(f"{r.file}（{r.digest}）" for r in summary.rows if not r.failed)
    line = report_text("report.summary_stamp", engine=s["engine"], rulesets="；".join(s["ruleset_digest"].split()), data=data)
    props = {"title": grid.title, "subject": grid.title, "author": s["engine"], "comments": f"{s['engine']} {s['ruleset_digest']}", "keywords": grid.title}
    return Document(grid.title, (), (grid,), "", "", s, line, props)
