"""Plain-text report of a ruleset's test cases and their coverage (`test`)."""
from __future__ import annotations

import re

from engine.tools.cases import TestReport
from engine.base.messages import CATALOG, format_message
from engine.base.numeric import fmt_score

_DIFFERENCE = {"total": "cases.diff_total", "grade": "cases.diff_grade", "score": "cases.diff_score"}


def branch_label(branch: str, lang: str = "zh") -> str:
    """A scoring branch in words: band3 → 第 3 档, met → 达标得满分; a
    qualitative level is its own name."""
    m = re.fullmatch(r"band(\d+)", branch)
    if m:
        return format_message("branch.band", {"n": m.group(1)}, lang)
    code = f"branch.{branch}"
    return format_message(code, {}, lang) if code in CATALOG else branch


def render(report: TestReport, lang: str = "zh") -> str:
    say = lambda code, **args: format_message(code, args, lang)  # noqa: E731
    sep = "、" if lang != "en" else ", "
    if not report.outcomes:
        lines = [say("cases.none", file=report.file)]
    else:
        n, failed = len(report.outcomes), report.failed
        lines = [say("cases.summary", file=report.file, count=n, passed=n - failed, failed=failed)]
    for o in report.outcomes:
        if o.passed:
            places = o.result.plan.ruleset.rounding.places
            lines.append("  " + say("cases.passed", name=o.case.name, total=fmt_score(o.result.total, places), grade=o.result.grade))
            continue
        lines.append("  " + say("cases.failed", name=o.case.name, where=o.span or "?"))
        for d in o.differences:
            lines.append("        " + say(_DIFFERENCE[d.what], name=d.name, expected=d.expected, actual=d.actual))
        for p in o.problems:
            lines.append("        " + p.render(lang))
    cov = report.coverage
    lines += ["", "  " + say("cases.coverage")]
    lines.append("    " + say("cases.cov_indicators", total=cov.leaves, covered=cov.leaves - len(cov.unchecked), missing=sep.join(cov.unchecked)))
    lines.append("    " + say("cases.cov_grades", total=len(cov.grades), covered=len(cov.grades) - len(cov.grades_missed), missing=sep.join(cov.grades_missed)))
    lines.append("    " + say("cases.cov_branches", total=cov.branches, covered=cov.branches_taken, missing="y" if cov.branches_missed else ""))
    for name, method, branches in cov.branches_missed:
        lines.append("      " + say("cases.cov_branch_line", name=name, method=method, branches=sep.join(branch_label(b, lang) for b in branches)))
    return "\n".join(lines) + "\n"
