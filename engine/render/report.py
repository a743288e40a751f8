"""The self-evaluation report (绩效自评报告): what its templates read.

`context(result, mode)` gathers, in the seed's order, every sentence the
numbers give (一、绩效得分情况; 二's spending figures and tables; 三（一）per
indicator; 三（二）the deviations), the unit's own texts (`narrative:`: 部门职能,
工作重点, 支出情况说明, 表注, 数据来源及获取方式, 改进措施, 指标体系建议, 附件 …), the
attachments in the ruleset's numbering, and the form. The structure and
wording around them is the template's (engine/render/templates/). In review
mode the findings (with their locations) and the stamp are added.
"""
from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from engine.base.numeric import fmt_money, fmt_percent, fmt_score
from engine.evaluation.display import show_target, show_value
from engine.render.document import Bar, Chart, Document
from engine.render.forms import first_levels, form_for, funds_values, is_project, report_text, table_grid
from engine.render.json_out import stamp
from engine.evaluation.evaluate import narrative_findings
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


MODES = ("submission", "review")


class Section:
    """A narrative text as templates use it (`n.部门职能`): iterate it for its
    paragraphs. A required text the data lacks yields one placeholder,
    【待填写：标题】; an optional one yields nothing (`given` is false), so a
    template can leave its heading out (`{% if n.存在的问题.shown %}`). A text
    given per indicator or table keeps its parts in `by_name`."""

    def __init__(self, key: str, title: str, paragraphs: tuple[str, ...] = (), required: bool = False, declared: bool = True, by_name: dict | None = None):
        self.key, self.title, self.required, self.declared = key, title, required, declared
        self.by_name = dict(by_name or {})
        self.given = bool(paragraphs) or bool(self.by_name)
        self.missing = required and not self.given
        self.paragraphs = tuple(paragraphs) or ((report_text("report.placeholder", title=title),) if self.missing else ())

    @property
    def shown(self) -> bool:
        """Whether the report prints this section (given, or required and so a placeholder)."""
        return self.given or self.missing

    def __iter__(self):
        return iter(self.paragraphs)

    def __bool__(self) -> bool:
        return self.shown

    def __str__(self) -> str:
        return "\n".join(self.paragraphs)


class Narrative(dict):
    """key → `Section` for every declared text; an undeclared key gives an empty
    section, so one template serves rulesets that declare fewer texts."""

    def __missing__(self, key: str) -> Section:
        return Section(key, key, declared=False)

    def __getattr__(self, key: str) -> Section:  # `n.部门职能` in a template
        if key.startswith("__"):
            raise AttributeError(key)
        return self[key]


def narrative(result: Result) -> Narrative:
    """The declared texts of `result`'s unit as `Section`s (a text given per
    indicator or table as name → `NarrativeText` under `by_name`)."""
    out = Narrative()
    for decl in result.plan.ruleset.report.narrative:
        given = result.unit.narrative.get(decl.key)
        title = decl.title or decl.key
        if decl.kind == "text":
            out[decl.key] = Section(decl.key, title, given.paragraphs if given else (), decl.required)
        else:
            out[decl.key] = Section(decl.key, title, (), decl.required, by_name=given or {})
    return out


def context(result: Result, mode: str = "submission") -> dict:
    """Everything a report template reads (Word, Markdown and HTML alike), in
    the seed's order. Numbers and generated sentences come from the `Result`,
    texts from the unit's `narrative:`; tables are `Grid`s the format lays out.

    Fields: title, cover, unit, authority, year, date, mode, review, project,
    score_sentence, chart, n (the texts), spending_sentence, tables (name,
    caption, grid, intro), groups (heading, paragraphs), exceed_ratio,
    deviations (heading, paragraphs, warning), findings (text, warning),
    findings_intro, differences, attachments, signature, form,
    form_heading, stamp, stamp_line."""
    rs = result.plan.ruleset
    places = rs.rounding.places
    title = report_title(result)
    subject = result.unit.subject
    date = str(subject.get("报告日期", "") or "")
    project = is_project(result)
    n = narrative(result)
    cover = [result.unit.name, kind_word(rs.kind), report_text("report.cover_year", year=rs.year)]
    authority = str(subject.get("主管部门", "") or "")
    if authority:
        cover.append(report_text("report.cover_authority", authority=authority))
    cover_date = (chinese_year_month(date) or date) if date else ""
    if cover_date:
        cover.append(cover_date)
    levels = first_levels(result)
    parts = "，".join(report_text("report.part_score", name=r.node.name, score=fmt_score(r.score, places)) for r in levels)
    bars = tuple(Bar(r.node.name, r.score, r.weight, fmt_score(r.score, places), fmt_score(r.weight, places)) for r in levels)
    attachments, form_number = _attachments(result, n)
    s = stamp(result)
    review = mode == "review"
    findings = _findings(result) if review else []
    return {
        "title": title, "cover": cover, "unit": result.unit.name, "authority": authority, "year": rs.year,
        "date": date or report_text("report.placeholder", title=report_text("report.date_word")), "cover_date": cover_date,
        "mode": mode, "review": review, "project": project,
        "score_sentence": report_text("report.score_sentence", title=title, total=fmt_score(result.total, places), grade=result.grade, parts=parts),
        "total": fmt_score(result.total, places), "grade": result.grade,
        "chart": Chart(report_text("report.chart_title"), bars),
        "n": n,
        "spending_sentence": _spending_sentence(result),
        "tables": _tables(result, n),
        "groups": _groups(result, n, places),
        "exceed_ratio": fmt_percent(rs.deviations.exceed_ratio),
        "deviations": _deviations(result, n),
        "no_deviations": report_text("report.none"),
        "findings": findings,
        "findings_intro": _findings_intro(result) if review else "",
        "differences": _differences(result) if review else [],
        "attachments": attachments,
        "signature": _signature(result),
        "form": form_for(result),
        "form_heading": report_text("report.attachment", n=form_number),
        "stamp": s, "stamp_line": stamp_line(result),
    }


def properties(result: Result) -> dict[str, str]:
    """Document properties: the title and the stamp (its values, no paths:
    Word's core properties hold at most 255 characters)."""
    s = stamp(result)
    return {"title": report_title(result), "subject": result.plan.ruleset.title, "author": s["engine"], "comments": " ".join(s.values()), "keywords": result.plan.ruleset.kind}


def _signature(result: Result) -> str:
    """Who signs: the unit; for a project, the unit that carries it out (实施单位),
    else its 主管部门, else the project's name."""
    subject = result.unit.subject
    if is_project(result):
        for key in ("实施单位", "主管部门"):
            if subject.get(key):
                return str(subject[key])
    return result.unit.name


ATTACHMENT_TITLES = {"project_forms": "report.attachment_project_forms", "project_summary": "report.attachment_summary", "form": "report.attachment_form"}


def attachment_titles(result: Result) -> list[tuple[str, str]]:
    """(kind, 附件N：title) in the ruleset's order (`report.attachments`)."""
    rs = result.plan.ruleset
    out = []
    for i, kind in enumerate(rs.report.attachments, start=1):
        code = "report.attachment_project_form" if kind == "form" and is_project(result) else ATTACHMENT_TITLES[kind]
        out.append((kind, report_text("report.attachment_line", n=i, title=report_text(code, unit=result.unit.name, year=rs.year))))
    return out


def _attachments(result: Result, n: Narrative) -> tuple[list[str], int]:
    titles = attachment_titles(result)
    number = next((i for i, (kind, _) in enumerate(titles, start=1) if kind == "form"), len(titles) + 1)
    given = n["附件"]
    return (list(given) if given.given else [t for _, t in titles]), number


def _spending_sentence(result: Result) -> str:
    figures = []
    for name, value in funds_values(result).items():
        if isinstance(value, Decimal):
            shown = fmt_percent(value) if name.endswith("率") else report_text("report.money", amount=fmt_money(value))
            figures.append(report_text("report.figure", name=name, value=shown))
    rs = result.plan.ruleset
    tables = [t for t in rs.tables if t in result.unit.tables]
    if not figures:
        return report_text("report.see_tables") if tables else ""
    return report_text("report.spending_sentence", year=rs.year, figures="，".join(figures), more=report_text("report.see_tables") if tables else "")


def _tables(result: Result, n: Narrative) -> list[dict]:
    intro = n["支出情况说明"]
    given = intro.by_name
    out = []
    for i, tname in enumerate((t for t in result.plan.ruleset.tables if t in result.unit.tables), start=1):
        grid = table_grid(result, tname)
        text = given.get(tname)
        paragraphs = list(text.paragraphs) if text else ([report_text("report.placeholder", title=f"{intro.title}（{grid.title}）")] if intro.required else [])
        out.append({"name": tname, "caption": report_text("report.table_caption", n=i, title=grid.title), "grid": replace(grid, title=report_text("report.table_caption", n=i, title=grid.title)), "intro": paragraphs})
    return out


def _groups(result: Result, n: Narrative, places: int) -> list[dict]:
    """三（一）: per 一级 indicator, its heading and its sentences (or the
    unit's own text for it, `绩效目标完成情况`)."""
    given = n["绩效目标完成情况"].by_name
    groups = []
    for i, top in enumerate(first_levels(result), start=1):
        own = given.get(top.node.name)
        name = own.title if own and own.title else report_text("report.level1_title", name=top.node.name, weight=fmt_score(top.weight, places))
        heading = report_text("report.numbered", n=i, text=name)
        if own:
            groups.append({"heading": heading, "paragraphs": list(own.paragraphs)})
            continue
        paragraphs: list[str] = []
        for j, r in enumerate(top.children or (top,), start=1):
            mine = given.get(r.node.name)
            if r.children:
                paragraphs.append(report_text("report.level2", n=j, name=r.node.name, weight=fmt_score(r.weight, places), score=fmt_score(r.score, places)))
                if mine:
                    paragraphs += mine.paragraphs
                else:
                    paragraphs.append(report_text("report.sentence_end", text="；".join(_leaf_clause(leaf, places, short=True) for leaf in _leaves(r))))
            elif mine:
                paragraphs += mine.paragraphs
            else:
                paragraphs.append(report_text("report.item", n=j, text=_leaf_clause(r, places, short=False)))
                note = r.entry.get("explanation")
                if note and not _deviates(result, r):
                    paragraphs.append(note)
        groups.append({"heading": heading, "paragraphs": paragraphs})
    return groups


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


def _deviations(result: Result, n: Narrative) -> list[dict]:
    """三（二）: each deviation's heading and reason (or the unit's own text for
    it, `偏差原因分析`); `warning` marks one without a reason."""
    given = n["偏差原因分析"].by_name
    out = []
    for i, d in enumerate(result.deviations, start=1):
        own = given.get(d.name)
        heading = report_text("report.numbered", n=i, text=own.title if own and own.title else d.name)
        if own:
            out.append({"heading": heading, "paragraphs": list(own.paragraphs), "warning": False})
            continue
        target = show_value(d.target, d.value_type, d.unit) or "—"
        node = result.plan.node(d.key)
        if node is not None and node.operator in ("≥", "≤") and isinstance(d.target, Decimal):
            target = node.operator + target
        actual = show_value(d.actual, d.value_type, d.unit) or "—"
        facts = report_text("report.deviation_facts", target=target, actual=actual, kind=report_text(f"report.kind_{_KIND_CODES.get(d.kind, 'explain')}"))
        if d.explanation:
            out.append({"heading": heading, "paragraphs": [report_text("report.deviation_reason", facts=facts, reason=d.explanation)], "warning": False})
        else:
            out.append({"heading": heading, "paragraphs": [report_text("report.deviation_unexplained", facts=facts)], "warning": True})
    return out


_KIND_CODES = {"未完成": "missed", "超额": "exceeded", "需说明": "explain"}


def report_findings(result: Result) -> list:
    """The result's findings and the report's own: required texts missing."""
    return [*result.findings, *narrative_findings(result.plan, result.unit)]


def _findings_intro(result: Result) -> str:
    found = report_findings(result)
    if not found:
        return report_text("report.no_findings")
    counts = {s: sum(1 for f in found if f.severity == s) for s in ("error", "warning", "info")}
    return report_text("report.findings_intro", count=len(found), warnings=counts["warning"] + counts["error"], infos=counts["info"])


def _findings(result: Result) -> list[dict]:
    out = []
    for i, f in enumerate(report_findings(result), start=1):
        where = report_text("report.where", location=str(f.span)) if f.span else ""
        text = report_text("report.finding", n=i, severity=report_text(f"report.severity_{f.severity}"), message=f.message("zh"), where=where)
        out.append({"text": text, "warning": f.severity in ("error", "warning")})
    return out


def _differences(result: Result) -> list[dict]:
    """Stated-vs-computed differences (the unit's `stated:` figures, issue 14),
    for review: a hook filled when results carry them."""
    found = getattr(result, "differences", None) or ()
    return [{"text": getattr(d, "text", str(d)), "warning": True} for d in found]


def unresolved(result: Result) -> list:
    """The findings a submission should not go out with: errors and warnings
    (rounding notes are not), e.g. a required text still missing."""
    return [f for f in report_findings(result) if f.severity in ("error", "warning")]


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
