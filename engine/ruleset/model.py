"""The ruleset format (规则集) as frozen pydantic models.

Keys are English and stable; names, labels and values are the users' own words
(Chinese). Unknown keys are errors everywhere (`extra="forbid"`): no setting is
ever silently ignored. Scoring parameters are checked afterwards against the
chosen method's own `Parameters` model, so its errors can name the method.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from engine.base.numeric import parse_number


def _number(value: Any) -> Any:
    """Numbers as policy staff write them in rulesets: 30%, 1,000, full-width."""
    if isinstance(value, str):
        n = parse_number(value)
        return value if n is None else n
    return value


Number = Annotated[Decimal, BeforeValidator(_number)]

InputType = Literal["money", "number", "percent", "count", "text"]
Operator = Literal["≥", "≤", "=", "定性"]
_OPERATOR_ALIASES = {">=": "≥", "<=": "≤", "==": "=", "＝": "=", "≧": "≥", "≦": "≤", "═": "=", "qualitative": "定性"}  # ≧ ≦ ═ as forms print them


def operator_of(text: str) -> str | None:
    """`≥ ≤ = 定性` (or an alias such as `>=`) as the canonical 指标性质; None if unknown."""
    op = _OPERATOR_ALIASES.get(text.strip(), text.strip())
    return op if op in ("≥", "≤", "=", "定性") else None


class Model(BaseModel):
    # defer_build: pydantic builds a model's validator on its first use, not at
    # import. A run validates one `Ruleset` (which builds its parts inline); a
    # command that validates nothing builds nothing.
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, defer_build=True)


class InputDecl(Model):
    """A declared input (输入项): one figure the data must (or may) give."""

    type: InputType = "money"
    unit: str | None = None
    label: str | None = None
    required: bool = True
    allow_negative: bool | None = None  # default: money/count no, number/percent yes
    default: Decimal | str | None = None


class ColumnDecl(Model):
    """A column of a declared table (表栏目)."""

    type: InputType = "money"
    label: str | None = None
    allow_negative: bool = True


class TableDecl(Model):
    """A declared table (数据表): rows of named line items with sub-rows.

    Formulas read `表名.栏目` (the table's total row) and `表名.类别.栏目` (the
    sum of the rows of a category, e.g. every 基本支出 row)."""

    label: str | None = None
    unit: str = "万元"
    columns: dict[str, ColumnDecl]
    categories: tuple[str, ...] = ()
    required: bool = True


class MetricDecl(Model):
    """A derived metric (派生指标): a named formula over inputs and other metrics."""

    formula: str
    label: str | None = None
    type: InputType = "number"
    unit: str | None = None


class Scoring(BaseModel):
    """`method` plus that method's own parameters (checked by the method)."""

    model_config = ConfigDict(frozen=True, extra="allow", defer_build=True)
    method: str


class Indicator(Model):
    """A node of the indicator tree (指标): 一级/二级/三级 or deeper.

    A leaf has a target (年度指标值), an operator (指标性质), an actual (实际完成值,
    a formula, or from the data) and a scoring rule; a branch has children whose
    weights (分值) sum to its own."""

    id: str | None = None
    name: str
    weight: Number
    target: Decimal | str | None = None
    operator: Operator | None = None
    unit: str | None = None
    actual: str | None = None
    actual_type: InputType | None = None
    scoring: Scoring | None = None
    explain_if: str | None = None
    note: str | None = None
    children: tuple["Indicator", ...] = ()
    # 指标由数据填报: `rows: data` makes this node a frame whose children come
    # from the unit's `indicator_rows`; `categories` lists the allowed 二级
    # (a list), or maps each allowed 一级 to its 二级 (a mapping).
    rows: Literal["data"] | None = None
    categories: tuple[str, ...] | dict[str, tuple[str, ...]] | None = None
    # `goals: true` on a frame with a mapping of 一级: rows name their 年度绩效目标
    # (`goal:`) above the 一级, as Hubei's multi-goal form does (goal → 一级 → 二级 → 三级).
    goals: bool = False
    in_total: bool = True  # 计入总分: false shows a top-level score beside the total

    @field_validator("operator", mode="before")
    @classmethod
    def _operator_alias(cls, v: Any) -> Any:
        return _OPERATOR_ALIASES.get(v, v) if isinstance(v, str) else v

    @field_validator("scoring", mode="before")
    @classmethod
    def _scoring_shorthand(cls, v: Any) -> Any:
        return {"method": v} if isinstance(v, str) else v

    @field_validator("actual", mode="before")
    @classmethod
    def _actual_text(cls, v: Any) -> Any:
        return format(v, "f") if isinstance(v, Decimal) else v


class GradeBand(Model):
    """A grade (等级) band: totals in [min, max) get `label` (the top band includes its max)."""

    label: str
    min: Number
    max: Number | None = None


class Rounding(Model):
    """Rounding policy (四舍五入): `places` decimals, half-up; `scope: indicator`
    rounds every leaf score and sums the rounded scores; `scope: total` keeps
    exact scores and rounds only the total."""

    places: int = Field(2, ge=0, le=6)
    scope: Literal["indicator", "total"] = "indicator"


class Policy(Model):
    """Scheme options that change how scores add up (计分口径).

    - `not_applicable`: `zero` (a not-applicable indicator scores 0 of its
      weight) or `rescale` (不适用指标不计分，其余按比例折算为满分: the total is
      the points earned ÷ the applicable weight × the full total);
    - `adjusted_target`: `use` (an in-year adjusted target 调整指标值 replaces
      the annual target in scoring) or `ignore` (scored against the annual
      target; the adjusted one is kept for the record);
    - `weights_mismatch`: `refuse` (weights that do not add up — children to
      their parent, the tree to the total — stop the ruleset) or `warn` (a form
      that contradicts itself, e.g. rows adding up to 110 under a total of 100,
      is still scored, each indicator by its own weight and each group as the
      sum of its scores, with a warning naming both sums);
    - `unmeasured_actual`: what a quantitative indicator's actual that is not
      a measured number (text, or the target copied with its operator:
      `≥300米`) does: `error` (the data is refused), `met_with_warning`
      (scored as if the target were met) or `zero_with_warning` (scored 0),
      each with the finding 实际完成值未填实测数."""

    not_applicable: Literal["zero", "rescale"] = "zero"
    adjusted_target: Literal["use", "ignore"] = "use"
    weights_mismatch: Literal["refuse", "warn"] = "refuse"
    unmeasured_actual: Literal["error", "met_with_warning", "zero_with_warning"] = "error"


class SummaryColumns(Model):
    """Which figures the summary across projects (项目支出自评情况汇总表) shows as
    全年预算数 and 全年执行数: names of inputs or metrics."""

    budget: str = "全年预算数"
    spent: str = "全年执行数"


class DeviationPolicy(Model):
    """When an indicator must be explained (未完成指标及超指标值30%完成的原因分析)."""

    exceed_ratio: Number = Decimal("0.3")
    zero_target_exceed: Number = Decimal(1)
    require_explanation: bool = True


class Check(Model):
    """A consistency check (勾稽关系) with a tolerance.

    - `row`: in every row of `table`, `column` equals `formula` over the row's columns;
    - `sum`: every row with sub-rows equals the sum of its sub-rows, in `columns`;
    - `equal`: the figure `stated` (an input or table figure) equals `computed` (a formula);
    - `compare`: `formula` is two formulas joined by one relation (`=`, `<`,
      `<=`, `>`, `>=`, `≤`, `≥`): `支出表.合计 ≤ 预算调整表.全年预算数`.
    `equal` and `compare` may also read results: `指标.actual`, `.target`,
    `.weight`, `.score` (a group's `.score` is the sum of its scores) and `总分`.
    Within `tolerance` a difference is `info` (rounding); beyond it a `warning`."""

    id: str
    label: str | None = None
    kind: Literal["row", "sum", "equal", "compare"]
    table: str | None = None
    column: str | None = None
    columns: tuple[str, ...] = ()
    formula: str | None = None
    stated: str | None = None
    computed: str | None = None
    tolerance: Number = Decimal("0.01")


class Expect(Model):
    """What a case expects: the total (总分), the grade (等级) and any
    indicator scores (得分) by indicator id or name. Only what is given is checked."""

    total: Number | None = None
    grade: str | None = None
    scores: dict[str, Number] = {}


class Case(Model):
    """A test case that lives with the ruleset (`jixiao test`): a unit's
    data file (path relative to the ruleset file) and what it must score."""

    name: str
    data: str
    expect: Expect


class BatchRows(Model):
    """Line rows of each unit on a second sheet or file (e.g. a project's
    indicator rows), joined to the unit by the key column."""

    into: str  # where the rows go in the unit's data: `tables.<表名>` or a top-level key
    sheet: str | None = None  # XLSX sheet name (default: the second sheet)
    key: str | None = None  # header of the key column on that sheet (default: batch.key)
    columns: dict[str, str | None] = {}  # header → row field (null: ignore the column)


class BatchSpec(Model):
    """How a table (CSV/XLSX, one row per unit) maps onto this ruleset's data
    for `batch`: header → name of an input, table figure or indicator field."""

    key: str | None = None  # header of the column identifying a unit (项目编号)
    columns: dict[str, str | None] = {}  # header → name (null: ignore the column)
    rows: BatchRows | None = None


# A column of a declared indicator table (版式的指标表): what each header holds.
FormField = Literal["group", "category", "name", "operator", "target", "unit", "actual", "level", "weight", "score", "explanation"]


class FormPlace(Model):
    """Where one figure sits on a bureau's own form (版式中的一个位置), found by
    printed text rather than by address where possible:
    `{label: 部门名称}` (the cell right of the label; `offset: below` the one
    under it), `{row: 年度资金总额, column: 全年预算数}` (where that row meets
    the nearest column header of that text above it), or `{cell: C3}` (a fixed
    address, the fallback)."""

    label: str | None = None
    offset: Literal["right", "below"] = "right"
    row: str | None = None
    column: str | None = None
    cell: str | None = None


class FormIndicators(Model):
    """The indicator table of a form (指标表): header text → what the column
    holds; rows are read from under the header down to the row holding `end`
    (e.g. 总分), blank rows skipped. A row naming a fixed indicator of the
    ruleset fills that indicator; any other row is one of the data's
    `indicator_rows` (a project's own indicators)."""

    columns: dict[str, FormField]
    end: str | None = None


class FormTable(Model):
    """A data table laid out row by row (数据表): header text → `level`
    (级次), `name`, `category` or one of the table's columns; the row whose
    name is `total` holds the table's own figures, the rows below it its rows."""

    table: str
    columns: dict[str, str]
    total: str = "合计"


class FormFigures(Model):
    """A list of the declared inputs (其他数据): each input's row is found by its
    label (the input's `label`, else its name) in the `label` column, its value
    in the `value` column."""

    label: str
    value: str


class FormSheet(Model):
    """One sheet (or Word table) of a declared form, found by its `title` text."""

    title: str
    cells: dict[str, FormPlace] = {}  # data path (subject.name, tables.资金表.全年预算数, stated.total …) → place
    indicators: FormIndicators | None = None
    table: FormTable | None = None
    figures: FormFigures | None = None


class FormLayout(Model):
    """A bureau's own form as data (版式): `jixiao template` writes it and a
    filled copy without jixiao's hidden sheet is read by it (docs/forms.md)."""

    name: str
    source: str | None = None  # where the published form can be seen (a URL, a document number)
    sheets: tuple[FormSheet, ...]
    constants: dict[str, str] = {}  # data the printed form itself fixes (tables.资金表.name: 年度资金总额)


NarrativeKind = Literal["text", "by_indicator", "by_table"]
Attachment = Literal["project_forms", "project_summary", "form"]


class NarrativeDecl(Model):
    """A narrative section of the report (报告文字), given by each unit under its
    data's top-level `narrative:` by `key`.

    `kind`: `text` — one text (paragraphs by line, or a list of paragraphs);
    `by_indicator` — a text per indicator name (绩效目标完成情况 per 一级, 偏差原因分析
    per indicator), each replacing the sentences generated for it; `by_table`
    — a text per declared table, printed before the table. A `required` text
    the data lacks is a finding, and the report shows 【待填写：title】 in its place."""

    key: str
    title: str | None = None
    required: bool = False
    kind: NarrativeKind = "text"


class ReportSpec(Model):
    """The report (报告): its narrative sections, its templates and its
    attachments in the order they are numbered (附件1, 附件2, …).

    `template` is the Word template (a .docx with Jinja fields, docxtpl), or a
    mapping `{docx: …, markdown: …, html: …}`; paths are relative to the
    ruleset file. Without one, the bundled default templates are used."""

    narrative: tuple[NarrativeDecl, ...] = ()
    template: dict[Literal["docx", "markdown", "html"], str] = {}
    attachments: tuple[Attachment, ...] = ("form",)

    @field_validator("template", mode="before")
    @classmethod
    def _template_shorthand(cls, v: Any) -> Any:
        return {"docx": v} if isinstance(v, str) else v


class Ruleset(Model):
    """A year's scheme for one kind of evaluation (部门整体支出 or 项目支出)."""

    id: str
    title: str
    year: int
    kind: str
    issuer: str | None = None
    extends: str | None = None
    description: str | None = None
    total: Number = Decimal(100)
    inputs: dict[str, InputDecl] = {}
    tables: dict[str, TableDecl] = {}
    metrics: dict[str, MetricDecl] = {}  # a bare formula string is shorthand for {formula: …}
    scoring_defaults: dict[Operator, Scoring] = {}
    indicators: tuple[Indicator, ...]
    grades: tuple[GradeBand, ...]
    # Defaults built without validation (they are the models' own defaults):
    # `Rounding()` at import would make pydantic build its validator right away.
    rounding: Rounding = Rounding.model_construct()
    policy: Policy = Policy.model_construct()
    summary: SummaryColumns = SummaryColumns.model_construct()
    deviations: DeviationPolicy = DeviationPolicy.model_construct()
    checks: tuple[Check, ...] = ()
    cases: tuple[Case, ...] = ()
    lints: dict[str, bool] = {}  # design lints switched on or off by id (engine/ruleset/lints.py)
    batch: BatchSpec | None = None  # table column mapping for `batch` (optional)
    report: ReportSpec = ReportSpec.model_construct()  # narrative, templates, attachments
    form: FormLayout | None = None  # a bureau's own form layout (docs/forms.md)

    @field_validator("metrics", mode="before")
    @classmethod
    def _metric_shorthand(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: ({"formula": format(x, "f") if isinstance(x, Decimal) else x} if isinstance(x, (str, Decimal)) else x) for k, x in v.items()}
        return v

    @field_validator("scoring_defaults", mode="before")
    @classmethod
    def _defaults_shorthand(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {_OPERATOR_ALIASES.get(k, k): ({"method": x} if isinstance(x, str) else x) for k, x in v.items()}
        return v
