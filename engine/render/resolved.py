"""A ruleset as `show` prints it: an overview, or (`--resolved`) the complete
resolved ruleset as YAML with, after every value, the file, line and year it
came from. The resolved YAML is itself a valid ruleset (its `extends:` is
kept only as a comment, since the chain is already merged in)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.ruleset.plan import Plan
from engine.ruleset.inherit import Resolved
from engine.base.messages import format_message
from engine.base.numeric import fmt_score
from engine.render.common import pad, width
from engine.evaluation.display import show_value
from engine.load.yaml_scalar import scalar
from engine.base.printable import one_line

_COMMENT_COLUMN = 60


def yaml_lines(value: Any, where=lambda path: None) -> list[tuple[str, str | None]]:
    """Block-style YAML lines for plain data, each with `where(path)` of its
    scalar (a comment, or None)."""
    lines: list[tuple[str, str | None]] = []

    def mapping(d: dict, path: tuple, indent: str, first: str | None) -> None:
        for i, (k, v) in enumerate(d.items()):
            lead = first if (i == 0 and first is not None) else indent
            item(f"{lead}{scalar(k)}:", v, path + (k,), indent)

    def item(head: str, v: Any, path: tuple, indent: str) -> None:
        if isinstance(v, dict) and v:
            lines.append((head, None))
            mapping(v, path, indent + "  ", None)
        elif isinstance(v, list) and v:
            lines.append((head, None))
            sequence(v, path, indent + "  ")
        else:
            empty = "{}" if isinstance(v, dict) else "[]" if isinstance(v, list) else scalar(v)
            lines.append((f"{head} {empty}", where(path)))

    def sequence(items: list, path: tuple, indent: str) -> None:
        for i, v in enumerate(items):
            if isinstance(v, dict) and v:
                mapping(v, path + (i,), indent + "  ", indent + "- ")
            elif isinstance(v, list) and v:
                lines.append((f"{indent}-", None))
                sequence(v, path + (i,), indent + "  ")
            else:
                empty = "{}" if isinstance(v, dict) else "[]" if isinstance(v, list) else scalar(v)
                lines.append((f"{indent}- {empty}", where(path + (i,))))

    if isinstance(value, dict):
        mapping(value, (), "", None)
    else:
        item("", value, (), "")
    return lines


def render_resolved(res: Resolved, lang: str = "zh") -> str:
    """The complete resolved ruleset, every value followed by `# file:line (year)`."""
    say = lambda code, **args: format_message(code, args, lang)  # noqa: E731

    def where(path: tuple) -> str | None:
        span = res.smap.values.get(path)
        if span is None:
            return None
        year = res.year_of(span.file)
        return one_line(f"{span.file}:{span.line}") + (f" ({format(year, 'f') if isinstance(year, Decimal) else year})" if year is not None else "")

    chain = " → ".join(_link(link) for link in res.chain)
    # comments hold file names and the `extends:` text: kept on their line
    head = [f"# {one_line(say('show.resolved_of', file=res.chain[0].file))}", f"# {one_line(say('show.chain', chain=chain))}", f"# {say('show.provenance')}"]
    data = dict(res.raw) if isinstance(res.raw, dict) else res.raw
    if isinstance(data, dict) and "extends" in data:
        head.append(f"# extends: {one_line(str(data.pop('extends')))}  # {say('show.merged')}")
    body = yaml_lines(data, where)
    column = min(max((width(t) for t, c in body if c), default=0) + 2, _COMMENT_COLUMN)
    out = head + [(pad(t, column - 2) + "  # " + c) if c else t for t, c in body]
    return "\n".join(out) + "\n"


def _link(link) -> str:
    year = link.year
    return f"{link.file} ({format(year, 'f') if isinstance(year, Decimal) else year})" if year is not None else link.file


def render_overview(res: Resolved, plan: Plan, lang: str = "zh") -> str:
    """The ruleset at a glance: metadata, chain, indicator tree, grades, cases."""
    say = lambda code, **args: format_message(code, args, lang)  # noqa: E731
    rs = plan.ruleset
    places = rs.rounding.places
    lines = [f"{rs.title}  [{rs.id}]", say("show.meta", year=rs.year, kind=rs.kind, total=rs.total)]
    if len(res.chain) > 1:
        lines.append(say("show.chain", chain=" → ".join(_link(link) for link in res.chain)))
    lines.append("")
    head = (say("show.col_name"), say("show.col_weight"), say("show.col_target"), say("show.col_method"))
    rows: list[tuple[str, str, str, str]] = []

    def walk(nodes, depth: int) -> None:
        for n in nodes:
            target = ""
            if not n.children and n.target is not None:
                text = show_value(n.target, n.value_type, n.unit)
                target = f"{n.operator}{text}" if isinstance(n.target, Decimal) and n.operator in ("≥", "≤") else text
            method = ""
            if n.method is not None:
                method = n.method.NAME
                bands = getattr(n.params, "bands", None)
                if bands:
                    method = say("show.method_bands", method=method, count=len(bands))
            rows.append(("  " * depth + n.name, fmt_score(n.weight, places), target, method))
            walk(n.children, depth + 1)

    walk(plan.roots, 0)
    cols = [max(width(r[i]) for r in [head, *rows]) for i in range(4)]
    fmt = lambda r: "  ".join(pad(c, cols[i], right=i == 1) for i, c in enumerate(r)).rstrip()  # noqa: E731
    lines += [fmt(head), "  ".join("-" * c for c in cols), *map(fmt, rows), ""]
    sep = "；" if lang != "en" else "; "
    lines.append(say("show.grades", grades=sep.join(f"{g.label} ≥ {fmt_score(g.min, places)}" for g in rs.grades)))
    lines.append(say("show.cases", count=len(rs.cases)))
    return "\n".join(lines) + "\n"
