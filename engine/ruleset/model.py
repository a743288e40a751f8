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
_OPERATOR_ALIASES = {">=": "≥", "<=": "≤", "==": "=", "＝": "=", "qualitative": "定性"}


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
      target; the adjusted one is kept for the record)."""

    not_applicable: Literal["zero", "rescale"] = "zero"
    adjusted_target: Literal["use", "ignore"] = "use"


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
    - `equal`: the figure `stated` (an input or table figure) equals `computed` (a formula).
    Within `tolerance` a difference is `info` (rounding); beyond it a `warning`."""

    id: str
    label: str | None = None
    kind: Literal["row", "sum", "equal"]
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
    batch: BatchSpec | None = None  # table column mapping for `batch` (optional)

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
