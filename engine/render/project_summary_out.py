"""The summary across projects (项目支出自评情况汇总表) as text and as JSON."""
from __future__ import annotations

from typing import Any

from engine.base.messages import format_message
from engine.base.numeric import fmt_money, fmt_percent, fmt_score
from engine.base.printable import one_line
from engine.render.common import pad, width
from engine.render.json_out import dumps
from engine.tools.project_summary import ProjectSummary, SummaryRow

_RIGHT = {0, 2, 3, 4, 5, 7}  # numeric columns, right-aligned


def text(summary: ProjectSummary, lang: str = "zh") -> str:
    """A terminal table: one line per project, then the totals."""
    say = lambda code, **args: format_message(code, args, lang)  # noqa: E731
    head = tuple(say("summary.head").split("|"))
    body: list[tuple[str, ...]] = []
    notes: dict[int, str] = {}  # a failed project's note runs across the figure columns
    for i, r in enumerate(summary.rows, 1):
        if r.failed:
            notes[len(body)] = say("summary.failed_row", count=len(r.problems))
            body.append((str(i), one_line(r.name), "", "", "", "", "", ""))
        else:
            body.append((str(i), one_line(r.name), _money(r.budget), _money(r.spent), _pct(r.rate), fmt_score(r.score), r.grade or "", str(r.findings)))
    weighted = fmt_score(summary.weighted_score) if summary.weighted_score is not None else ""
    total_row = ("", say("summary.total_row"), fmt_money(summary.budget), fmt_money(summary.spent), _pct(summary.rate), weighted, "", str(summary.findings))
    cols = [max(width(row[c]) for row in (head, *body, total_row)) for c in range(len(head))]

    def fmt(row: tuple[str, ...], note: str | None = None) -> str:
        cells = [pad(c, cols[k], right=k in _RIGHT) for k, c in enumerate(row)]
        return "  ".join(cells[:2] + [note] if note else cells).rstrip()

    rule = "  ".join("-" * c for c in cols)
    out = [say("summary.title"), "", fmt(head), rule, *(fmt(r, notes.get(k)) for k, r in enumerate(body)), rule, fmt(total_row), ""]
    out.append(say("summary.counts", units=len(summary.rows), evaluated=summary.evaluated, failed=summary.failed))
    out.append(say(
        "summary.weighted",
        weighted=weighted or "—",
        mean=fmt_score(summary.mean_score) if summary.mean_score is not None else "—",
        rate=_pct(summary.rate) or "—",
    ))
    if summary.grades:
        out.append(say("summary.grades", grades="、".join(f"{g} {n}" for g, n in summary.grades.items())))
    failed = [r for r in summary.rows if r.failed]
    if failed:
        out.append("")
        out.extend(say("summary.unit_failed", file=r.file, count=len(r.problems)) for r in failed)
    return "\n".join(out) + "\n"


def _money(value) -> str:
    return "" if value is None else fmt_money(value)


def _pct(value) -> str:
    return "" if value is None else fmt_percent(value)


def row_dict(r: SummaryRow, lang: str = "zh") -> dict[str, Any]:
    """One project's line for the JSON contract."""
    if r.failed:
        return {
            "file": r.file, "name": r.name, "status": "failed",
            "problems": [{"location": str(d.span) if d.span else None, "code": d.code, "message": d.message(lang)} for d in r.problems],
        }
    return {
        "file": r.file, "name": r.name, "status": "evaluated",
        "budget": r.budget, "spent": r.spent, "rate": r.rate, "score": r.score, "grade": r.grade,
        "findings": r.findings, "findings_by_severity": dict(sorted(r.by_severity.items())),
    }


def as_dict(summary: ProjectSummary, lang: str = "zh") -> dict[str, Any]:
    return {
        "title": format_message("summary.title", {}, lang),
        "projects": [row_dict(r, lang) for r in summary.rows],
        "totals": {
            "projects": len(summary.rows),
            "evaluated": summary.evaluated,
            "failed": summary.failed,
            "budget": summary.budget,
            "spent": summary.spent,
            "rate": summary.rate,
            "weighted_score": summary.weighted_score,
            "mean_score": summary.mean_score,
            "grades": dict(summary.grades),
            "findings": summary.findings,
        },
    }


def json(summary: ProjectSummary, lang: str = "zh") -> str:
    return dumps(as_dict(summary, lang)) + "\n"
