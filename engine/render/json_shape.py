"""The result's JSON shape, defined once (结果的 JSON 结构：只定义一次).

`SHAPE` lists, for each kind of object in a result (the result itself, an
indicator, a finding, a deviation), its fields in order: the key, the Python
expression that gives the value (over `x`, the object), how the value is
written (`enc`), whether it is fixed by what the ruleset says (`fixed`: the
same for every unit with the same owner, e.g. an indicator's name and weight)
and when the field is present (`when`).

Two writers are generated from it, like formulas are compiled:

- `dict_of(result, lang)`: the result as plain data (`json_out.as_dict`), the
  reference every other form is checked against;
- `line_of(result, lang)`: the same data written straight to one line of JSON
  (`render.jsonl.line`), the batch's fast path. Fields marked `fixed` are
  turned into text once per owner (a plan node, a finding code, a ruleset)
  and kept; the rest is written per unit by small encoders whose output is,
  by construction and by test, `json_out.dumps(value, indent=None)` of the
  reference value.

So adding a field is one edit here: both writers, the compact form
(`render.compact`) and the tests that enumerate `SHAPE` follow.
"""
from __future__ import annotations

from typing import NamedTuple


class Field(NamedTuple):
    """One key of a JSON object.

    `value`: an expression over `x` (the object) and the names in
    `_NAMESPACE`; for `enc="shown"` / `"message"` a tuple of expressions (the
    encoder's arguments). `enc`: how the value is written —
    `value` (as it is: text, Decimal, None…), `plain` (a Decimal, text or
    None as it is, anything else as text), `score` (rounded half-up to the
    ruleset's places), `ratio` (rounded to 4 places, or null), `shown` (a
    figure as the forms print it), `target_text`, `message`, `location`,
    `subject`, `list` (of `item` objects; `leaves(...)` lists the leaf indicators), `object` (nested `fields`).
    `fixed`: the value depends only on the owner of the object (see `OWNERS`),
    so its text is made once. `when`: an expression; the key is present only
    when it is true. `when_fixed`: that expression depends only on the owner.
    `same`: an expression that is usually the very same object for one owner
    (a node's target): the field's text is kept per owner while it is; fields
    next to each other with one `same` are kept as one text, with the fixed
    texts between and after them. `by`: an expression (usually a Decimal) the
    field's text depends on alone, with the owner (an actual and its shown
    text): texts are kept per owner by the text of that Decimal, fields next
    to each other with one `by` as one text.
    `number` is `value` for what is usually a Decimal (a figure or null)."""

    key: str
    value: str | tuple[str, ...] = ""
    enc: str = "value"
    fixed: bool = False
    when: str | None = None
    when_fixed: bool = False
    item: str | None = None
    fields: tuple["Field", ...] = ()
    same: str | None = None
    by: str | None = None


F = Field

INDICATOR = (
    F("id", "x.node.key", fixed=True),
    F("name", "x.node.name", fixed=True),
    F("weight", "x.node.weight", fixed=True),
    F("score", "x.score", "score"),
    # a leaf (末级指标) shows its target, actual and how it was scored
    F("target", "x.target", "plain", when="not x.children", same="x.target"),
    F("target_text", "x", "target_text", when="not x.children", same="x.target"),
    F("operator", "x.node.operator", fixed=True, when="not x.children"),
    F("unit", "x.node.unit", fixed=True, when="not x.children"),
    F("actual", "x.actual", "plain", when="not x.children", by="x.actual"),
    F("actual_text", ("x.actual", "x.node.value_type", "x.node.unit"), "shown", when="not x.children", by="x.actual"),
    F("method", "x.node.method.NAME if x.node.method else None", fixed=True, when="not x.children"),
    F("branch", "x.outcome.branch if x.outcome else None", when="not x.children"),
    F("not_applicable", "True", fixed=True, when="not x.children and x.not_applicable"),
    F("in_total", "False", fixed=True, when="not x.node.in_total", when_fixed=True),
    F("children", "x.children", "list", item="indicator"),
)

FINDING = (
    F("kind", "x.kind", fixed=True),
    F("severity", "x.severity", fixed=True),
    F("code", "x.code", fixed=True),
    F("message", ("x.code", "x.args"), "message"),
    F("location", "x.span", "location"),
    F("stated", "x.stated", "number", when="x.stated is not None"),
    F("computed", "x.computed", "number", when="x.stated is not None"),
    F("difference", "x.difference", "number", when="x.stated is not None"),
)

DEVIATION = (
    F("id", "x.key", fixed=True),
    F("name", "x.name", fixed=True),
    F("kind", "x.kind", fixed=True),
    F("target", "x.target", "plain", same="x.target"),
    F("actual", "x.actual", "plain"),
    F("target_text", ("x.target", "x.value_type", "x.unit"), "shown", same="x.target"),
    F("actual_text", ("x.actual", "x.value_type", "x.unit"), "shown"),
    F("ratio", "x.ratio", "ratio"),
    F("explanation", "x.explanation"),
    F("location", "x.span", "location"),
)

RESULT = (
    F("ruleset", enc="object", fields=(
        F("id", "x.plan.ruleset.id", fixed=True),
        F("title", "x.plan.ruleset.title", fixed=True),
        F("year", "x.plan.ruleset.year", fixed=True),
        F("kind", "x.plan.ruleset.kind", fixed=True),
        F("file", "x.plan.file", fixed=True),
    )),
    F("subject", "x.unit.subject", "subject"),
    F("total", "x.total", "number"),
    F("grade", "x.grade"),
    F("indicators", "x.indicators", "list", item="indicator"),
    F("findings", "x.findings", "list", item="finding"),
    F("deviations", "x.deviations", "list", item="deviation"),
    F("stamp", enc="object", fields=(
        F("engine", "engine_name()", fixed=True),
        F("ruleset_digest", "x.plan.digest", fixed=True),
        F("input_digest", "x.unit.digest"),
    )),
    # not-applicable indicators dropped and the total rescaled (policy.not_applicable: rescale)
    F("rescaled", enc="object", when="x.rescaled is not None", fields=(
        F("points", "x.rescaled[0]", "score"),
        F("applicable_weight", "x.rescaled[1]"),
    )),
)

# `batch --result scores`: what a ranking or a dashboard needs, a tenth of the line
SCORES = (
    F("subject", "x.unit.subject", "subject"),
    F("total", "x.total", "number"),
    F("grade", "x.grade"),
    F("scores", "leaves(x.indicators)", "list", item="leaf_score"),
)

LEAF_SCORE = (
    F("id", "x.node.key", fixed=True),
    F("score", "x.score", "score"),
)

SHAPE: dict[str, tuple[Field, ...]] = {
    "result": RESULT, "indicator": INDICATOR, "finding": FINDING, "deviation": DEVIATION,
    "scores": SCORES, "leaf_score": LEAF_SCORE,
}
FULL = ("result", "indicator", "finding", "deviation")  # the kinds of `--result full` (evaluate --format json)

# Whose constants an object's `fixed` fields are: (key expression, the object
# the key stands for or None). A key made with id() holds its object in the
# kept entry, so the id is never reused while the entry lives.
OWNERS: dict[str, tuple[str, str | None]] = {
    "result": ("(id(x.plan.ruleset), x.plan.file, x.plan.digest)", "x.plan.ruleset"),
    "indicator": ("id(x.node)", "x.node"),
    "finding": ("(x.code, x.kind, x.severity)", None),
    "deviation": ("(x.key, x.name, x.kind, x.value_type, x.unit)", None),
    "scores": ("(id(x.plan.ruleset), x.plan.file, x.plan.digest)", "x.plan.ruleset"),
    "leaf_score": ("id(x.node)", "x.node"),
}
