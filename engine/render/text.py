"""Plain-text rendering for the terminal: the scored tree, total, grade, findings."""
from __future__ import annotations

from engine.base.messages import format_message
from engine.base.numeric import fmt_score
from engine.base.printable import one_line, printable
from engine.render.common import pad, width
from engine.evaluation.display import show_target, show_value
from engine.evaluation.result import Result

_HEAD = {
    "zh": ("名称", "分值", "目标值", "实际值", "得分", "总分", "等级", "发现的问题", "偏差分析", "说明", "无"),
    "en": ("Indicator", "Weight", "Target", "Actual", "Score", "Total", "Grade", "Findings", "Deviations", "Reason", "none"),
}
_SEVERITY = {"zh": {"error": "错误", "warning": "警告", "info": "提示"}, "en": {"error": "error", "warning": "warning", "info": "info"}}
_KIND_EN = {"未完成": "missed", "超额": "exceeded", "需说明": "to explain"}


def render(result: Result, lang: str = "zh") -> str:
    h = _HEAD["en" if lang == "en" else "zh"]
    places = result.plan.ruleset.rounding.places
    rows: list[tuple[str, str, str, str, str]] = []

    def walk(items, depth: int) -> None:
        for r in items:
            name = "  " * depth + one_line(r.node.name) + (" (N/A)" if r.not_applicable else "")
            if not r.node.in_total:
                name += format_message("result.not_in_total", {}, lang)
            actual = "" if r.children else show_value(r.actual, r.node.value_type, r.node.unit)
            rows.append((name, fmt_score(r.weight, places), "" if r.children else show_target(r), actual, fmt_score(r.score, places)))
            walk(r.children, depth + 1)

    walk(result.indicators, 0)
    head = h[:5]
    cols = [max(width(row[i]) for row in [head, *rows]) for i in range(5)]
    lines = [f"{one_line(result.plan.ruleset.title)} — {one_line(result.unit.name)}", ""]
    fmt = lambda row: "  ".join(pad(c, cols[i], right=i in (1, 4)) for i, c in enumerate(row)).rstrip()  # noqa: E731
    lines.append(fmt(head))
    lines.append("  ".join("-" * c for c in cols))
    lines.extend(fmt(r) for r in rows)
    lines.append("")
    lines.append(f"{h[5]}: {fmt_score(result.total, places)}    {h[6]}: {result.grade}")
    if result.rescaled is not None:
        points, applicable = result.rescaled
        args = {"points": fmt_score(points, places), "applicable": fmt_score(applicable, places), "total": fmt_score(result.total, places)}
        lines.append(f"  {format_message('result.rescaled', args, lang)}")
    if result.deviations:
        lines += ["", f"{h[8]}:"]
        for d in result.deviations:
            kind = _KIND_EN.get(d.kind, d.kind) if lang == "en" else d.kind
            target = show_value(d.target, d.value_type, d.unit)
            actual = show_value(d.actual, d.value_type, d.unit)
            reason = " ".join((d.explanation or "—").splitlines())
            lines.append(f"  - {one_line(d.name)}（{kind}）: {target} → {actual}; {h[9]}: {reason}")
    lines += ["", f"{h[7]}:" + ("" if result.findings else f" {h[10]}")]
    sev = _SEVERITY["en" if lang == "en" else "zh"]
    for f in result.findings:
        lines.append(f"  {f.span or '?'}: [{sev[f.severity]}] {f.message(lang)}")
    # Names stay on their line (a newline in a name cannot forge a 总分 line);
    # no control character from data reaches the terminal or the file.
    return printable("\n".join(lines)) + "\n"
