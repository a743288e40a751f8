"""A ruleset as `show` prints it: an overview, or (`--resolved`) the complete
resolved ruleset as YAML with, after every value, the file, line and year it
came from. The resolved YAML is itself a valid ruleset (its `extends:` is
kept only as a comment, since the chain is already merged in)."""
from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from engine.ruleset.plan import Plan
from engine.ruleset.inherit import Resolved
from engine.base.messages import format_message
from engine.base.numeric import fmt_score
from engine.render.common import pad, width
from engine.evaluation.display import show_value
from engine.base.printable import one_line

_COMMENT_COLUMN = 60


def yaml_text(value: Any, where=lambda path: None) -> str:
    """Block-style YAML of plain data, written by the YAML library (ruamel's
    emitter: it decides every quote and escape), each scalar followed by the
    comment `where(path)` when it gives one; comments aligned by display width.
    A text with a line break or another control is double-quoted with escapes,
    so every value stays on its own line."""
    # show --resolved only: the round-trip emitter stays out of evaluate's start-up
    from ruamel.yaml import YAML

    comments: list[str] = []
    doc = _commented(value, (), where, comments)
    yaml = YAML(typ="rt")
    yaml.width = 1 << 20  # never fold a formula or a description
    yaml.indent(mapping=2, sequence=4, offset=2)  # the shipped rulesets' layout
    yaml.representer.add_representer(Decimal, _decimal)
    yaml.representer.add_representer(str, _text)
    yaml.representer.add_representer(type(None), lambda r, _v: r.represent_scalar("tag:yaml.org,2002:null", "~"))
    out = io.StringIO()
    yaml.dump(doc, out)
    return _aligned(out.getvalue().splitlines(), comments)


def _commented(value: Any, path: tuple, where, comments: list[str]) -> Any:
    """`value` as ruamel's commented containers, the comments in document order."""
    # show --resolved only (see yaml_text)
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        node: Any = CommentedMap()
        items = value.items()
    elif isinstance(value, list):
        node = CommentedSeq()
        items = enumerate(value)
    else:
        return value
    for k, v in items:
        child = _commented(v, path + (k,), where, comments)
        if isinstance(node, CommentedSeq):
            node.append(child)
        else:
            node[k] = child
        leaf = not isinstance(v, (dict, list)) or not v
        text = where(path + (k,)) if leaf else None
        if text:
            comments.append("# " + one_line(text))
            node.yaml_add_eol_comment(comments[-1], k, column=1)
    return node


def _decimal(r, d: Decimal):  # exact digits, plain: 3200, 0.05
    text = format(d, "f")
    return r.represent_scalar("tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int", text)


def _text(r, s: str):
    style = None if s.isprintable() else '"'  # a line break or tab: escaped on one line
    return r.represent_scalar("tag:yaml.org,2002:str", s, style=style)


def _aligned(lines: list[str], comments: list[str]) -> str:
    """Each comment the emitter wrote (in order) moved to one column, counted
    in display width (a Chinese character is two columns wide)."""
    marks: list[tuple[int, str, str]] = []
    k = 0
    for n, line in enumerate(lines):
        if k < len(comments) and line.endswith(comments[k]):
            marks.append((n, line[: len(line) - len(comments[k])].rstrip(), comments[k]))
            k += 1
    column = min(max((width(t) for _, t, _ in marks), default=0) + 2, _COMMENT_COLUMN)
    for n, text, comment in marks:
        lines[n] = pad(text, column - 2) + "  " + comment
    return "\n".join(lines) + "\n"


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
    return "\n".join(head) + "\n" + yaml_text(data, where)


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
