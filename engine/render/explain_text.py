"""`explain` in plain words (Chinese or English), for the terminal."""
from __future__ import annotations

from engine.tools.explain import Explanation, Figure, Ranking, Step
from engine.base.messages import format_message
from engine.base.numeric import fmt_score


def _where(span) -> str:
    return f"  [{span}]" if span else ""


def _step_text(step: Step, lang: str) -> str:
    text = format_message(step.code, step.args, lang)
    if step.raw is not None:
        text += format_message("explain.rounded_score", {"raw": step.raw}, lang)
    return text


def _figure_lines(f: Figure, lang: str, depth: int) -> list[str]:
    pad = "  " * depth
    say = lambda code, **a: format_message(code, a, lang)  # noqa: E731
    if f.origin in ("metric", "formula"):
        head = say("explain.metric", name=f.name, formula=f.formula)
        lines = [pad + head + _where(f.span)]
        alias = len(f.uses) == 1 and (f.formula or "").strip() == f.uses[0].name
        if not alias:  # an alias (全年执行数 = 支出表.合计) needs no second line
            value = say("explain.calc", calc=f.calc, value=f.text)
            if f.raw is not None and f.rounded_to is not None and f.raw != f.text:
                value += say("explain.rounded_value", raw=f.raw, to=f.rounded_to)
            lines.append(pad + "  " + value)
        for u in f.uses:
            lines += _figure_lines(u, lang, depth + 1)
        return lines
    if f.origin == "cell" and f.uses:  # a category sum over several rows
        lines = [pad + say("explain.category_sum", name=f.name, value=f.text)]
        for u in f.uses:
            lines.append(pad + "  " + say("explain.cell", label=u.label, value=u.text) + _where(u.span))
        return lines
    code = {"input": "explain.input", "cell": "explain.cell", "entry": "explain.entry"}.get(f.origin, "explain.unknown")
    return [pad + say(code, name=f.name, label=f.label or f.name, value=f.text) + _where(f.span)]


def branch_words(branch: str, lang: str) -> str:
    """A scoring branch in words where the catalogue has them (met → 达到目标，得满分)."""
    # cold start: the message catalogue loads only when a message is shown
    from engine.base.messages import CATALOG

    code = f"explain.branch.{branch}"
    return format_message(code, {}, lang) if code in CATALOG else branch


def chain(e: Explanation, lang: str) -> str | None:
    """The calculation in one line: 3,921.33 / 4,189.79 = 93.59% → 10 × 93.59% = 9.36."""
    parts = []
    f = e.actual
    if f is not None and f.calc is not None:
        parts.append(f"{f.calc} = {f.text}")
    parts += [format_message(s.code, s.args, lang) for s in e.steps]
    return " → ".join(parts) if parts else None


def render(e: Explanation, lang: str = "zh") -> str:
    say = lambda code, **a: format_message(code, a, lang)  # noqa: E731
    places = e.places
    score, weight = fmt_score(e.score, places), fmt_score(e.weight, places)
    lines = [say("explain.title", name=e.name, path=" › ".join(e.path), score=score, weight=weight)]
    if e.parts:
        lines.append(say("explain.branch_sum", weight=weight, score=score, lost=fmt_score(e.lost, places)) + _where(e.rule_span))
        for p in e.parts:
            lines.append("  " + say("explain.part", name=p.name, score=fmt_score(p.score, places), weight=fmt_score(p.weight, places), lost=fmt_score(p.lost, places)))
        lines.append(say("explain.see_part"))
        return "\n".join(lines) + "\n"
    rule = say("explain.rule", weight=weight, target=e.target_text or "—", method=e.method or "—", title=e.method_title or "")
    lines.append(rule + _where(e.rule_span))
    if e.not_applicable:
        lines.append(say("explain.not_applicable"))
        return "\n".join(lines) + "\n"
    line = chain(e, lang)
    if line:
        lines.append(say("explain.chain", chain=line))
    if e.actual is not None:
        lines += ["", say("explain.h_actual", value=e.actual_text)]
        lines += _figure_lines(e.actual, lang, 1)
    lines += ["", say("explain.h_scoring") + _where(e.scoring_span)]
    lines += ["  " + _step_text(s, lang) for s in e.steps]
    if e.branch:
        lines.append("  " + say("explain.branch", branch=branch_words(e.branch, lang)))
    lines.append("")
    if e.lost > 0:
        lines.append(say("explain.lost", lost=fmt_score(e.lost, places), score=score, weight=weight))
    else:
        lines.append(say("explain.full", weight=weight))
    if e.full_at_text is not None:
        code = {"≤": "explain.full_at_most", "=": "explain.full_at_equal"}.get(e.operator or "≥", "explain.full_at")
        lines.append(say(code, value=e.full_at_text, weight=weight))
    elif e.lost > 0:
        lines.append(say("explain.no_full_at"))
    if e.deviation is not None:
        reason = e.deviation.explanation or say("explain.no_reason")
        lines.append(say("explain.deviation", kind=e.deviation.kind, reason=reason) + _where(e.deviation.span))
    return "\n".join(lines) + "\n"


def render_ranking(r: Ranking, lang: str = "zh") -> str:
    say = lambda code, **a: format_message(code, a, lang)  # noqa: E731
    p = r.places
    lines = [say("explain.ranking_title", total=fmt_score(r.total, p), available=fmt_score(r.available, p), grade=r.grade, lost=fmt_score(r.lost, p))]
    if not r.items:
        lines.append(say("explain.ranking_none"))
    for i, e in enumerate(r.items, start=1):
        lines.append(say("explain.ranking_item", n=i, name=e.name, lost=fmt_score(e.lost, p), score=fmt_score(e.score, p), weight=fmt_score(e.weight, p), path=" › ".join(e.path)) + _where(e.rule_span))
        why = [_step_text(s, lang) for s in e.steps[-1:]]
        if e.deviation is not None and e.deviation.explanation:
            why.append(say("explain.reason", reason=e.deviation.explanation))
        lines += ["     " + w for w in why]
    lines.append(say("explain.ranking_hint"))
    return "\n".join(lines) + "\n"
