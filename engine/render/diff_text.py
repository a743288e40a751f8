"""Plain-text rendering of a ruleset comparison (`diff`): the changes in
policy terms, then each unit's score under both rulesets with the indicator
movements attributed to the numbered changes."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.tools.diff import Change, Comparison
from engine.base.messages import CATALOG, format_message
from engine.base.numeric import fmt_percent, fmt_score


def method_label(name: str | None, lang: str = "zh") -> str:
    """A scoring method's name in words (its key when the catalogue has none)."""
    if name is None:
        return format_message("diff.nothing", {}, lang)
    code = f"method.{name}"
    return format_message(code, {}, lang) if code in CATALOG else name


def scoring_text(desc: dict[str, Any], lang: str = "zh") -> str:
    """A scoring rule from `diff.describe_scoring` in words, with its parameters."""
    say = lambda code, **args: format_message(code, args, lang)  # noqa: E731
    label = method_label(desc.get("method"), lang)
    sep = "；" if lang != "en" else "; "
    if desc.get("method") == "bands":
        num = (lambda v: fmt_percent(v)) if desc["percent"] else (lambda v: fmt_score(v, 4))  # noqa: E731
        what = "" if desc["on"] == "actual" else say(f"diff.on_{desc['on']}")
        what = f"|{what or 'x'}|" if desc["abs"] else what
        parts = []
        for lo, hi, score, ratio in desc["bands"]:
            bound = f"{num(lo)}–{num(hi)}" if lo is not None and hi is not None else (f"≤{num(hi)}" if hi is not None else f"≥{num(lo)}")
            points = fmt_score(score, 4) if score is not None else say("diff.ratio", ratio=ratio)
            parts.append(f"{what}{bound}→{points}")
        parts.append(f"{say('diff.otherwise')}→{fmt_score(desc['otherwise'], 4)}")
        return say("diff.method_params", method=label, params=sep.join(parts))
    params = desc.get("params") or ()
    if not params:
        return label
    shown = ", ".join(f"{k}={_value(v, desc.get('percent') and k in _PERCENT_PARAMS)}" for k, v in params)
    return say("diff.method_params", method=label, params=shown)


# Parameters measured like the indicator's value (not in points): shown as % for a percent indicator.
_PERCENT_PARAMS = ("step", "tolerance")


def _value(v: Any, percent: bool = False) -> str:
    if isinstance(v, Decimal):
        return fmt_percent(v) if percent else fmt_score(v, 6)
    return str(v)


def _signed(v: Decimal, places: int) -> str:
    text = fmt_score(abs(v), places)
    return ("+" if v > 0 else "−" if v < 0 else "±") + text


def change_text(change: Change, lang: str = "zh") -> str:
    """One change as a sentence."""
    args = dict(change.args)
    if change.code in ("diff.scoring_changed", "diff.default_scoring_changed"):
        args["old"], args["new"] = scoring_text(args["old"], lang), scoring_text(args["new"], lang)
    if change.code == "diff.indicator_moved":
        top = format_message("diff.top_level", {}, lang)
        args["old"], args["new"] = args["old"] or top, args["new"] or top
    for k in ("old", "new"):
        if k in args and args[k] in ("", None):
            args[k] = format_message("diff.nothing", {}, lang)
    return format_message(change.code, args, lang)


def render(cmp: Comparison, lang: str = "zh") -> str:
    say = lambda code, **args: format_message(code, args, lang)  # noqa: E731
    places = cmp.new.ruleset.rounding.places
    lines = [say("diff.header", old=_ruleset(cmp.old), new=_ruleset(cmp.new))]
    if not cmp.changes:
        lines.append("  " + say("diff.none"))
    for i, ch in enumerate(cmp.changes, 1):
        where = f"  ({ch.span.file}:{ch.span.line})" if ch.span else ""
        lines.append(f"  [{i}] {change_text(ch, lang)}{where}")
    if cmp.changes:
        lines.append("  " + say("diff.count", count=len(cmp.changes)))
    if cmp.units:
        lines += ["", say("diff.impact")]
    sep = "、" if lang != "en" else ", "
    for u in cmp.units:
        lines.append("  " + say("diff.unit", name=u.name or "?", file=u.file))
        for plan, result, problems, skipped in ((cmp.old, u.old, u.old_problems, u.skipped[0]), (cmp.new, u.new, u.new_problems, u.skipped[1])):
            if skipped:
                lines.append("    " + say("diff.skipped", ruleset=plan.file, names=sep.join(skipped)))
            if result is not None:
                total = fmt_score(result.total, plan.ruleset.rounding.places)
                lines.append("    " + say("diff.score_under", ruleset=plan.file, total=total, grade=result.grade))
            else:
                lines.append("    " + say("diff.cannot_evaluate", ruleset=plan.file))
                lines += ["      " + d.render(lang) for d in problems]
        if u.old is None or u.new is None:
            continue
        if u.old.grade == u.new.grade:
            lines.append("    " + say("diff.delta_same_grade", delta=_signed(u.delta, places)))
        else:
            lines.append("    " + say("diff.delta_new_grade", delta=_signed(u.delta, places), old=u.old.grade, new=u.new.grade))
        if not u.movements:
            lines.append("      " + say("diff.no_movement"))
        for m in u.movements:
            old = fmt_score(m.old, places) if m.old is not None else say("diff.nothing")
            new = fmt_score(m.new, places) if m.new is not None else say("diff.nothing")
            code = "diff.movement" if m.changes else "diff.movement_other"
            changes = sep.join(f"[{n}]" for n in m.changes)
            lines.append("      " + say(code, name=m.name, old=old, new=new, delta=_signed(m.delta, places), changes=changes))
        if u.residual:
            lines.append("      " + say("diff.residual", delta=_signed(u.residual, places)))
        if u.grade_changes:
            lines.append("      " + say("diff.grade_by", changes=sep.join(f"[{n}]" for n in u.grade_changes)))
    return "\n".join(lines) + "\n"


def _ruleset(plan) -> str:
    return f"{plan.file} ({plan.ruleset.year})"
