"""Fill-in forms (填报表格): the blank workbook a bureau sends out for a ruleset.

`template(plan, ...)` lays out the official form — 整体支出绩效自评表 for a
department, 项目支出绩效自评表 (the 10号 form) with `rows` blank indicator rows for
a project — with the same blocks as the filled forms (`engine.render.forms`:
header lines, funds block, indicator rows with 一级/二级 merged down), plus a
sheet per data table, a sheet of the other declared figures and an
instruction sheet. `workbook_bytes` writes it with openpyxl: A4, the cells a
unit fills unlocked and tinted, every sheet protected without a password,
data validation on every input (numbers, percentages, money, drop-downs of
levels, grades and the frame's categories), each input's label and hint as
the validation's input message and listed on the instruction sheet, and a
very hidden sheet `jixiao` holding the stamp (ruleset id, digest, layout
version) and where every input is — what `engine.forms.xlsx_form` reads back.
No macros. When the ruleset declares its own layout (`form:`), the blocks
print its texts and its indicator columns in its order (`Declared`), so a
copy without the hidden sheet is found again by that layout.
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from engine.base.messages import format_message
from engine.evaluation.display import show_value
from engine.render.document import Cell, Grid
from engine.render.forms import EXECUTION, GOALS, funds_block, head, header_row, score_cell, tree_cells
from engine.forms import LAYOUT_VERSION, STAMP_SHEET  # written into the stamp; engine.forms reads it back
from engine.forms.layout import letter, norm  # a declared text is compared as the reader compares it; cells named as it names them
from engine.ruleset.plan import NUMERIC_TYPES, Node, Plan

DEFAULT_ROWS = 10  # a project's blank indicator rows
DEFAULT_TABLE_ROWS = 30  # blank rows of a data table sheet
FILL = "FFF2CC"  # the light yellow of the cells a unit fills
_JUDGED = ("manual", "qualitative", "coefficient")

DEPARTMENT_COLUMNS = ("report.col_level1", "report.col_level2", "report.col_level3", "report.col_target", "report.col_actual",
                      "forms.col_grade_level", "report.col_weight", "report.col_score", "report.col_reason")
DEPARTMENT_WIDTHS = (10, 12, 24, 14, 16, 10, 8, 9, 32)
PROJECT_COLUMNS = ("report.col_level1", "report.col_level2", "report.col_level3", "forms.col_operator", "report.col_target",
                   "forms.col_unit_of", "report.col_actual", "forms.col_grade_level", "report.col_weight", "report.col_score", "report.col_reason")
PROJECT_WIDTHS = (10, 13, 22, 8, 12, 8, 12, 10, 7, 8, 26)
# A project's indicator row: form column → `indicator_rows` field.
ROW_FIELDS = ("group", "category", "name", "operator", "target", "unit", "actual", "level", "weight", "score", "explanation")
DEPARTMENT_FIELDS = ("group", "category", "name", "target", "actual", "level", "weight", "score", "explanation")
# A column's width by what it holds (a declared layout's columns).
FIELD_WIDTHS = {"group": 10, "category": 13, "name": 22, "operator": 8, "target": 12, "unit": 8, "actual": 12, "level": 10, "weight": 7, "score": 8, "explanation": 26}


def m(code: str, **args: Any) -> str:
    """A form's words: the forms are Chinese government documents."""
    return format_message(code, args, "zh")


@dataclass(frozen=True)
class Input:
    """A cell a unit fills: grid position, where its value goes in the unit's
    data (`path`; None inside a region), how it is checked, what it is."""

    row: int
    col: int
    path: tuple | None
    kind: str  # money | percent | number | count | score | text | choice
    label: str
    hint: str
    options: tuple[str, ...] = ()
    maximum: Decimal | None = None
    negative: bool = False
    colspan: int = 1


@dataclass
class Sheet:
    """One sheet of the template: the grid, its inputs, the regions whose
    rows are read as a whole (a data table's rows, a project's indicator
    rows) and the figures shown by formula (grid position → formula)."""

    grid: Grid
    inputs: list[Input] = field(default_factory=list)
    regions: list[dict] = field(default_factory=list)
    formulas: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)  # (row, col) → (formula, number format)
    name: str = ""

    def top(self) -> int:
        """The worksheet row of grid row 0 (`xlsx_out.write_grid` puts the
        title on row 1 and the note, when there is one, on row 2)."""
        return 3 if self.grid.note else 2

    def address(self, row: int, col: int, top: int | None = None) -> str:
        """A grid position as a cell address (`C12`); `top` is the row of grid
        row 0 (the worksheet's by default; 1 for a Word table)."""
        return f"{letter(col + 1)}{(self.top() if top is None else top) + row}"


@dataclass
class Template:
    """A whole fill-in form: its sheets, and the constants of the unit data
    that the layout itself fixes (a funds table's row names)."""

    plan: Plan
    ref: str
    sheets: list[Sheet]
    constants: list[tuple[tuple, str]]
    title: str
    rows: int = DEFAULT_ROWS
    table_rows: int = DEFAULT_TABLE_ROWS


# --- the declared layout ---------------------------------------------------------

class Declared:
    """The texts a ruleset's declared `form:` layout prints, each with jixiao's
    own as the default: `template` lays out the official blocks (header lines,
    funds block, goals, indicator table, total row, data tables, figures) with
    these texts and this column order, so the declared layout finds them again."""

    def __init__(self, plan: Plan):
        form = plan.ruleset.form
        self.declared = form is not None
        self.places: dict[str, Any] = {}
        self.indicators = None
        self.tables: dict[str, Any] = {}
        self.figures = None
        self.titles: list[str] = []
        self.sheet_titles: dict[str, str] = {}  # a data table's name, or "figures" → its sheet's declared title
        for sheet in (form.sheets if form is not None else ()):
            self.titles.append(sheet.title)
            if sheet.table is not None:
                self.sheet_titles[sheet.table.table] = sheet.title
            if sheet.figures is not None:
                self.sheet_titles["figures"] = sheet.title
            self.places.update(sheet.cells)
            self.indicators = self.indicators or sheet.indicators
            if sheet.table is not None:
                self.tables[sheet.table.table] = sheet.table
            self.figures = self.figures or sheet.figures

    def _get(self, path: tuple, attr: str, default: str) -> str:
        """The declared text, or jixiao's own when the two read the same (its indentation kept)."""
        place = self.places.get(".".join(map(str, path)))
        said = getattr(place, attr) if place is not None else None
        return default if not said or norm(said) == norm(default) else said

    def label(self, path: tuple, default: str) -> str:
        return self._get(path, "label", default)

    def row(self, path: tuple, default: str) -> str:
        return self._get(path, "row", default)

    def column(self, path: tuple, default: str) -> str:
        return self._get(path, "column", default)

    def placed(self, path: tuple) -> bool:
        """Whether the layout has a place for `path` (jixiao's own: everything)."""
        return not self.declared or ".".join(map(str, path)) in self.places

    def columns(self, codes: tuple[str, ...], fields: tuple[str, ...]) -> list[tuple[str, str]]:
        """The indicator table's (header, field) columns: the declared ones, 一级,
        二级 and 三级 first (the tree is laid out in those three), or jixiao's own."""
        if self.indicators is None:
            return [(m(c), f) for c, f in zip(codes, fields)]
        cols = [(text, f) for text, f in self.indicators.columns.items()]
        tree = [c for f in ("group", "category", "name") for c in cols if c[1] == f]
        return tree + [c for c in cols if c not in tree]

    def title(self, default: str, index: int | str = 0) -> str:
        """A sheet's title (the form's by its place among the declared sheets, a
        data table's by its name, "figures"): jixiao's own when it contains the
        declared one."""
        declared = self.sheet_titles.get(index) if isinstance(index, str) else (self.titles[index] if index < len(self.titles) else None)
        if declared is None or declared.replace(" ", "") in default.replace(" ", ""):
            return default
        return declared

    def end(self) -> str:
        return (self.indicators.end if self.indicators is not None else None) or m("report.total_label")


# --- what goes where -----------------------------------------------------------

def _hint(kind: str, unit: str | None = None) -> str:
    return m(f"forms.hint_{kind}", unit=unit or "万元") if kind in ("money", "percent", "number", "count", "text") else ""


def node_target(node: Node) -> str:
    """A fixed indicator's 年度指标值 as the filled forms print it (≥100%)."""
    text = show_value(node.target, node.value_type, node.unit)
    if isinstance(node.target, Decimal) and node.operator in ("≥", "≤"):
        return f"{node.operator}{text}"
    return text


def levels_of(params: Any) -> tuple[str, ...]:
    levels = getattr(params, "levels", None) or ()
    return tuple(lv.level for lv in levels)


def _leaf_inputs(node: Node, row: int, cols: dict[str, int], places: int) -> list[Cell | Input]:
    """The printed cells and the inputs of a fixed indicator's row."""
    method = node.method.NAME if node.method is not None else None
    out: list[Cell | Input] = [Cell(row, cols["target"], node_target(node), align="center")] if "target" in cols else []
    if "operator" in cols:
        out.append(Cell(row, cols["operator"], node.operator or "", align="center"))
    if "unit" in cols:
        out.append(Cell(row, cols["unit"], node.unit or "", align="center"))
    if node.actual is None and "actual" in cols:
        numeric = node.value_type in NUMERIC_TYPES and method not in _JUDGED
        kind = node.value_type if numeric else "text"
        hint = m("forms.hint_actual", unit=node.unit or "") if numeric and node.value_type != "percent" else _hint(kind)
        out.append(Input(row, cols["actual"], ("indicators", node.key, "actual"), kind, f"{node.name}·实际完成值", hint))
    levels = levels_of(node.params) if method == "qualitative" else ()
    if levels and "level" in cols:
        out.append(Input(row, cols["level"], ("indicators", node.key, "level"), "choice", f"{node.name}·评价档次", m("forms.hint_level", levels="、".join(levels)), levels))
    out.append(score_cell(row, cols["weight"], node.weight, places))
    if method in ("manual", "qualitative"):
        out.append(Input(row, cols["score"], ("indicators", node.key, "score"), "score", f"{node.name}·得分", m("forms.hint_score", weight=node.weight), maximum=node.weight))
    else:
        out.append(Input(row, cols["score"], ("stated", "indicators", node.name, "score"), "score", f"{node.name}·得分（自评）", m("forms.hint_stated"), maximum=node.weight))
    if "explanation" in cols:
        out.append(Input(row, cols["explanation"], ("indicators", node.key, "explanation"), "text", f"{node.name}·偏差原因分析及改进措施", m("forms.hint_reason")))
    return out


def _split(items: list[Cell | Input]) -> tuple[list[Cell], list[Input]]:
    cells = [c for c in items if isinstance(c, Cell)]
    inputs = [c for c in items if isinstance(c, Input)]
    return cells, inputs


def _indicator_block(plan: Plan, items, row: int, columns: list[tuple[str, str]]) -> tuple[list[Cell], list[Input], int]:
    """Column headings ((text, field) each), then one row per fixed indicator
    (the same tree layout as the filled forms)."""
    cols = {f: i for i, (_, f) in enumerate(columns)}
    cells = [head(row, i, text) for i, (text, _) in enumerate(columns)]
    inputs: list[Input] = []
    places = plan.ruleset.rounding.places

    def leaf(node: Node, r: int) -> list[Cell]:
        c, i = _split(_leaf_inputs(node, r, cols, places))
        inputs.extend(i)
        return c

    body, end = tree_cells(items, row + 1, leaf, name=lambda n: n.name)
    return cells + body, inputs, end


def _total_row(plan: Plan, row: int, columns: list[tuple[str, str]], texts: "Declared") -> tuple[list[Cell], list[Input]]:
    """总分 | full marks | the stated total | the stated grade (under the 分值,
    得分 and last columns)."""
    rs = plan.ruleset
    ncols = len(columns)
    fields = [f for _, f in columns]
    weight = fields.index("weight") if "weight" in fields else ncols - 3
    score = fields.index("score") if "score" in fields else ncols - 2
    grades = tuple(g.label for g in rs.grades)
    cells = [head(row, 0, texts.end(), colspan=weight), score_cell(row, weight, rs.total, rs.rounding.places)]
    inputs = [
        Input(row, score, ("stated", "total"), "score", "总分（自评）", m("forms.hint_stated"), maximum=rs.total),
        Input(row, ncols - 1, ("stated", "grade"), "choice", "评价等级（自评）", m("forms.hint_level", levels="、".join(grades)), grades),
    ]
    return cells, inputs


def _table_ref(plan: Plan, metric: str) -> tuple[str, str | None, str] | None:
    """(table, category, column) when a metric is a plain table figure."""
    formula = plan.ruleset.metrics.get(metric)
    if formula is None:
        return None
    return plan.table_names.get(formula.formula.strip())


def funds_table_name(plan: Plan) -> str | None:
    """The table a project's budget figures come from (its total row), when
    they do: the form's funds block holds it."""
    ref = _table_ref(plan, "全年预算数")
    if ref is None or ref[1] is not None:
        return None
    return ref[0]


def _first_levels(nodes: tuple[Node, ...]) -> list[Node]:
    """The 一级 as the forms name them (a root grouping 一级 gives way to them)."""
    def depth(n: Node) -> int:
        return 1 + max((depth(c) for c in n.children), default=0)

    out: list[Node] = []
    for n in nodes:
        out.extend(n.children if depth(n) > 3 else (n,))
    return out


def execution_node(plan: Plan) -> Node | None:
    """A project's execution-rate indicator (in the funds block): 预算执行率, else
    the first top-level indicator computed from the figures."""
    node = plan.node(EXECUTION)
    if node is not None and node.is_leaf:
        return node
    return next((n for n in plan.roots if n.is_leaf and n.actual is not None), None)


# --- the sheets ----------------------------------------------------------------

def _inputs_sheet(plan: Plan, names: list[str], texts: Declared) -> Sheet:
    """The declared figures that have no place on the form, one per line."""
    cells = [head(0, i, m(c)) for i, c in enumerate(("report.col_no", "forms.col_item", "forms.col_unit", "forms.col_value"))]
    if texts.figures is not None:
        cells[1], cells[3] = head(0, 1, texts.figures.label), head(0, 3, texts.figures.value)
    inputs: list[Input] = []
    for i, name in enumerate(names, start=1):
        decl = plan.ruleset.inputs[name]
        label = decl.label or name
        unit = decl.unit or ("%" if decl.type == "percent" else "")
        cells += [Cell(i, 0, str(i), align="center"), Cell(i, 1, label), Cell(i, 2, unit, align="center")]
        optional = "" if decl.required else "（可不填）"
        inputs.append(Input(i, 3, ("inputs", name), decl.type, label, _hint(decl.type, decl.unit) + optional, negative=bool(decl.allow_negative)))
    title = texts.title(m("forms.inputs_sheet"), "figures")
    grid = Grid(title, tuple(cells), (6, 48, 8, 20), sheet=title)
    return Sheet(grid, inputs)


def _table_sheet(plan: Plan, tname: str, rows: int, texts: Declared) -> Sheet:
    """A data table: the total row (合计), then blank rows with a 级次 column
    giving each row's place in the tree (1 directly under the total)."""
    decl = plan.ruleset.tables[tname]
    spec = texts.tables.get(tname)
    says = {v: k for k, v in spec.columns.items()} if spec is not None else {}  # column → the declared header
    columns = list(decl.columns)
    has_cat = bool(decl.categories)
    heads = [says.get("level", m("forms.col_level")), says.get("name", m("forms.col_name"))] + ([says.get("category", m("forms.col_category"))] if has_cat else [])
    first_value = len(heads)
    heads += [says.get(c, decl.columns[c].label or c) for c in columns]
    cells = [head(0, i, h) for i, h in enumerate(heads)]
    inputs: list[Input] = []
    total = spec.total if spec is not None else m("forms.table_total")
    cells += [Cell(1, 0, "", align="center"), Cell(1, 1, total, header=True)]
    if has_cat:
        cells.append(Cell(1, 2, ""))
    for i, c in enumerate(columns):
        col = decl.columns[c]
        inputs.append(Input(1, first_value + i, ("tables", tname, c), col.type if col.type in NUMERIC_TYPES else "text", f"{tname}·{total}·{c}", _hint(col.type, decl.unit), negative=bool(col.allow_negative)))
    for r in range(2, rows + 2):
        inputs.append(Input(r, 0, None, "count", f"{tname}·第{r - 1}行·级次", m("forms.hint_table_level"), maximum=Decimal(9)))
        inputs.append(Input(r, 1, None, "text", f"{tname}·第{r - 1}行·名称", m("forms.hint_name")))
        if has_cat:
            inputs.append(Input(r, 2, None, "choice", f"{tname}·第{r - 1}行·类别", m("forms.hint_choice"), tuple(decl.categories)))
        for i, c in enumerate(columns):
            col = decl.columns[c]
            inputs.append(Input(r, first_value + i, None, col.type if col.type in NUMERIC_TYPES else "text", f"{tname}·第{r - 1}行·{c}", _hint(col.type, decl.unit), negative=bool(col.allow_negative)))
    region = {"type": "table", "table": tname, "root": 1, "root_name": total, "first": 2, "last": rows + 1, "level": 0, "name": 1,
              "category": 2 if has_cat else None, "columns": {str(first_value + i): c for i, c in enumerate(columns)}}
    widths = (6, 40) + ((12,) if has_cat else ()) + (16,) * len(columns)
    grid = Grid(texts.title(decl.label or tname, tname), tuple(cells), widths, header_rows=2, note=m("report.unit_note", unit=decl.unit), sheet=tname)
    return Sheet(grid, inputs, [region])


def _widths(columns: list[tuple[str, str]], fields: tuple[str, ...], widths: tuple[int, ...]) -> tuple[int, ...]:
    """Column widths: jixiao's own for its own columns, else by what each holds."""
    got = tuple(f for _, f in columns)
    return widths if got == fields else tuple(FIELD_WIDTHS[f] for f in got)


def department_sheets(plan: Plan, table_rows: int, texts: Declared) -> list[Sheet]:
    """整体支出绩效自评表, then a sheet per data table and the other figures."""
    rs = plan.ruleset
    icols = texts.columns(DEPARTMENT_COLUMNS, DEPARTMENT_FIELDS)
    ncols = len(icols)
    unit_label = texts.label(("subject", "name"), m("report.form_unit"))
    cells = header_row(0, [(unit_label, "")], ncols=ncols)
    inputs = [Input(0, 2, ("subject", "name"), "text", unit_label, m("forms.hint_name"), colspan=ncols - 2)]
    columns = [(m("report.col_opening"), "money"), (m("report.col_budget"), "money"), (m("report.col_spent"), "money"), (m("report.col_rate"), "percent")]
    block, row = funds_block(1, columns, [[None] * 4], rs.rounding.places, ncols=ncols)
    header_rows = row + 1
    body, leaf_inputs, row = _indicator_block(plan, plan.roots, row, icols)
    total_cells, total_inputs = _total_row(plan, row, icols, texts)
    grid = Grid(texts.title(m("report.department_form_title", year=rs.year)), tuple(cells + block + body + total_cells), _widths(icols, DEPARTMENT_FIELDS, DEPARTMENT_WIDTHS),
                header_rows=header_rows, landscape=True, sheet=m("report.department_form_sheet"))
    form = Sheet(grid, inputs + leaf_inputs + total_inputs)
    tables = [_table_sheet(plan, t, table_rows, texts) for t in rs.tables]
    # The funds block shows the tables' figures by formula (the printed form adds up).
    by_name = {s.grid.sheet: s for s in tables}
    refs: list[str | None] = []
    for metric in ("年初预算数", "全年预算数", "全年执行数"):
        ref = _table_ref(plan, metric)
        sheet = by_name.get(ref[0]) if ref and ref[1] is None else None
        if sheet is None:
            refs.append(None)
            continue
        col = next(int(k) for k, v in sheet.regions[0]["columns"].items() if v == ref[2])
        refs.append(f"'{sheet.grid.sheet}'!{sheet.address(1, col)}")
    for i, ref in enumerate(refs):
        if ref:
            form.formulas[(2, 2 + i)] = (f"=IF(ISNUMBER({ref}),{ref},\"\")", "#,##0.00")
    if refs[1] and refs[2]:
        form.formulas[(2, 5)] = (f"=IF(AND(ISNUMBER({refs[1]}),ISNUMBER({refs[2]}),N({refs[1]})<>0),ROUND({refs[2]}/{refs[1]},4),\"\")", "0.00%")
    sheets = [form] + tables
    if rs.inputs:
        sheets.append(_inputs_sheet(plan, list(rs.inputs), texts))
    return sheets


def project_sheets(plan: Plan, rows: int, table_rows: int, texts: Declared) -> tuple[list[Sheet], list[tuple[tuple, str]]]:
    """项目支出绩效自评表 (the 10号 form): 项目名称, 主管部门 | 实施单位, the
    funds block (年度资金总额 and one line per fund source) with the execution
    rate's weight and score, its deviation reason, 年度总体目标, the fixed
    indicators and `rows` blank indicator rows; other tables and figures on
    their own sheets."""
    rs = plan.ruleset
    places = rs.rounding.places
    icols = texts.columns(PROJECT_COLUMNS, ROW_FIELDS)
    ncols = len(icols)
    constants: list[tuple[tuple, str]] = []
    project, authority, implementer = (texts.label(("subject", k), m(code)) for k, code in
                                       (("name", "report.form_project"), ("主管部门", "report.form_authority"), ("实施单位", "report.form_implementer")))
    cells = header_row(0, [(project, "")], ncols=ncols)
    cells += header_row(1, [(authority, ""), (implementer, "")], ncols=ncols)
    inputs = [
        Input(0, 2, ("subject", "name"), "text", project, m("forms.hint_name"), colspan=ncols - 2),
        Input(1, 2, ("subject", "主管部门"), "text", authority, m("forms.hint_text"), colspan=2),
        Input(1, 5, ("subject", "实施单位"), "text", implementer, m("forms.hint_text"), colspan=ncols - 5),
    ]
    formulas: dict[tuple[int, int], tuple[str, str]] = {}
    execution = execution_node(plan)
    tname = funds_table_name(plan)
    row = 2
    if tname is not None:
        decl = rs.tables[tname]
        # The block's money columns are the table's: 年初预算数, 全年预算数, 全年执行数 when declared.
        money = [c for c in ("年初预算数", "全年预算数", "全年执行数") if c in decl.columns] or list(decl.columns)[:3]
        heads = [texts.column(("tables", tname, c), m(code)) for c, code in zip(money, ("report.col_opening", "report.col_budget_a", "report.col_spent_b"))]
        score_head = texts.column(("stated", "indicators", execution.name, "score"), m("report.col_score")) if execution else m("report.col_score")
        columns = [(heads[0], "money"), (heads[1], "money"), (heads[2], "money"),
                   (m("report.col_weight"), "score"), (m("report.col_rate_ba"), "percent"), (score_head, "score")]
        total = m("report.funds_total")
        labels = [texts.row(("tables", tname, money[0]), total)]
        labels += [texts.row(("tables", tname, "rows", i, money[0]), (m("report.of_which") if i == 0 else "　　") + c) for i, c in enumerate(decl.categories)]
        lines = [[None, None, None, execution.weight if execution else None, None, None]] + [[None] * 6 for _ in decl.categories]
        block, end = funds_block(row, columns, lines, places, tuple(labels), ncols=ncols)
        constants.append((("tables", tname, "name"), total))
        for li in range(len(lines)):
            r = row + 1 + li
            base = ("tables", tname) if li == 0 else ("tables", tname, "rows", li - 1)
            if li:
                constants.append((base + ("name",), decl.categories[li - 1]))
            for ci, cname in enumerate(money):
                col = decl.columns[cname]
                inputs.append(Input(r, 2 + ci, base + (cname,), "money", f"{labels[li].strip('　')}·{cname}", _hint("money", decl.unit), negative=bool(col.allow_negative)))
        if execution is not None:
            r = row + 1
            a, b = (f"{'CDE'[money.index(x)]}" if x in money else None for x in ("全年预算数", "全年执行数"))
            if a and b:
                top = 2 + r  # the worksheet row (no note on the form)
                formulas[(r, 6)] = (f"=IF(AND(ISNUMBER({a}{top}),ISNUMBER({b}{top}),N({a}{top})<>0),ROUND({b}{top}/{a}{top},4),\"\")", "0.00%")
            if texts.placed(("stated", "indicators", execution.name, "score")):
                inputs.append(Input(r, 7, ("stated", "indicators", execution.name, "score"), "score", f"{execution.name}·得分（自评）", m("forms.hint_stated"), maximum=execution.weight, colspan=ncols - 7))
        cells += block
        row = end
    if execution is not None and texts.placed(("indicators", execution.key, "explanation")):
        cells.append(head(row, 0, texts.label(("indicators", execution.key, "explanation"), m("forms.explanation_execution")), colspan=2))
        inputs.append(Input(row, 2, ("indicators", execution.key, "explanation"), "text", f"{execution.name}·偏差原因分析及改进措施", m("forms.hint_reason"), colspan=ncols - 2))
        cells.append(Cell(row, 2, "", colspan=ncols - 2))
        row += 1
    goals = [g for g in GOALS if g in rs.inputs]
    if goals:
        half = (ncols - 2) // 2
        cells += [head(row, 0, m("report.form_goals"), rowspan=2, colspan=2),
                  head(row, 2, texts.label(("inputs", GOALS[0]), m("report.col_goal_expected")), colspan=half),
                  head(row, 2 + half, texts.label(("inputs", GOALS[1]), m("report.col_goal_actual")), colspan=ncols - 2 - half),
                  Cell(row + 1, 2, "", colspan=half), Cell(row + 1, 2 + half, "", colspan=ncols - 2 - half)]
        for g, (c, span) in zip(GOALS, ((2, half), (2 + half, ncols - 2 - half))):
            if g in rs.inputs:
                decl = rs.inputs[g]
                inputs.append(Input(row + 1, c, ("inputs", g), "text", decl.label or g, m("forms.hint_text"), colspan=span))
        row += 2
    header_rows = row + 1
    fixed = [n for n in _first_levels(plan.roots) if n is not execution and n.frame is None]
    body, leaf_inputs, row = _indicator_block(plan, fixed, row, icols)
    inputs += leaf_inputs
    # the blank indicator rows
    groups: list[str] = []
    categories: list[str] = []
    for f in plan.frames:
        for g, cats in f.frame.groups.items():
            groups.append(g)
            categories += [c for c in cats if c not in categories]
    operators = tuple(op for op in ("≥", "≤", "=", "定性") if op in plan.row_methods)
    levels = levels_of(plan.row_methods.get("定性", (None, None, None))[1])
    frame_total = sum((f.weight for f in plan.frames), Decimal(0))
    first = row
    for r in range(first, first + rows):
        n = r - first + 1
        spec = {
            "group": ("choice", m("forms.hint_choice"), tuple(groups)), "category": ("choice", m("forms.hint_choice"), tuple(categories)),
            "name": ("text", m("forms.hint_name"), ()), "operator": ("choice", m("forms.hint_choice"), operators),
            "target": ("text", m("forms.hint_text"), ()), "unit": ("text", m("forms.hint_text"), ()), "actual": ("text", m("forms.hint_text"), ()),
            "level": ("choice", m("forms.hint_level", levels="、".join(levels)), levels),
            "weight": ("score", m("forms.hint_weight", weight=frame_total), ()), "score": ("score", m("forms.hint_score", weight="分值"), ()),
            "explanation": ("text", m("forms.hint_reason"), ()),
        }
        for c, (text, fname) in enumerate(icols):
            kind, hint, options = spec[fname]
            inputs.append(Input(r, c, None, kind, f"第{n}行指标·{text}", hint, options, maximum=frame_total if kind == "score" else None))
    row = first + rows
    regions = [{"type": "rows", "first": first, "last": row - 1, "columns": {str(c): f for c, (_, f) in enumerate(icols)}}]
    total_cells, total_inputs = _total_row(plan, row, icols, texts)
    inputs += total_inputs
    grid = Grid(texts.title(m("report.project_form_title", year=rs.year)), tuple(cells + body + total_cells), _widths(icols, ROW_FIELDS, PROJECT_WIDTHS),
                header_rows=header_rows, landscape=True, sheet=m("report.project_form_sheet"))
    sheets = [Sheet(grid, inputs, regions, formulas)]
    sheets += [_table_sheet(plan, t, table_rows, texts) for t in rs.tables if t != tname]
    others = [n for n in rs.inputs if n not in goals]
    if others:
        sheets.append(_inputs_sheet(plan, others, texts))
    return sheets, constants


def _with_blanks(sheet: Sheet) -> Sheet:
    """The sheet's grid with a blank cell wherever an input has none, so blank
    rows are part of the form (bordered, printed, present in Word)."""
    covered = {(r, c) for cell in sheet.grid.cells for r in range(cell.row, cell.row + cell.rowspan) for c in range(cell.col, cell.col + cell.colspan)}
    blanks = tuple(Cell(i.row, i.col, "", colspan=i.colspan) for i in sheet.inputs if (i.row, i.col) not in covered)
    sheet.grid = replace(sheet.grid, cells=sheet.grid.cells + blanks)
    return sheet


def template(plan: Plan, ref: str, rows: int = DEFAULT_ROWS, table_rows: int = DEFAULT_TABLE_ROWS) -> Template:
    """The fill-in form of a ruleset (`ref`: how the ruleset was named, kept in
    the stamp so a returned form finds its ruleset again)."""
    texts = Declared(plan)
    if "项目" in plan.ruleset.kind or plan.frames:
        sheets, constants = project_sheets(plan, rows, table_rows, texts)
    else:
        sheets, constants = department_sheets(plan, table_rows, texts), []
    sheets = [_with_blanks(s) for s in sheets]
    return Template(plan, ref, sheets, constants, sheets[0].grid.title, rows, table_rows)


# --- the layout as data ----------------------------------------------------------

def stamp_rows(t: Template, names: list[str], word: bool = False) -> list[tuple]:
    """The layout as `engine.forms` reads it (the rows of the workbook's hidden
    sheet): the ruleset, the sheets (`names`, one per template sheet, then any
    others the file has), then every anchor (a printed text), input, region
    and constant. `word`: addresses in a Word table's own rows (grid row 0 is
    row 1), the sheets being the document's tables."""
    rs = t.plan.ruleset
    rows: list[tuple] = [
        ("layout", LAYOUT_VERSION), ("ruleset_id", rs.id or ""), ("ruleset_title", rs.title), ("ruleset_ref", t.ref),
        ("ruleset_digest", t.plan.digest), ("sheets", json.dumps(names, ensure_ascii=False)),
    ]
    rows += [("const", json.dumps(list(path), ensure_ascii=False), value) for path, value in t.constants]
    for s, name in zip(t.sheets, names):
        top = 1 if word else s.top()
        input_at = {(inp.row, inp.col) for inp in s.inputs}
        for cell in s.grid.cells:
            if cell.text and (cell.row, cell.col) not in input_at and cell.value is None:
                rows.append(("anchor", name, s.address(cell.row, cell.col, top), cell.text))
        for inp in s.inputs:
            if inp.path is not None:
                rows.append(("input", name, s.address(inp.row, inp.col, top), json.dumps(list(inp.path), ensure_ascii=False), inp.kind, inp.label))
        for region in s.regions:
            spec = dict(region)
            for k in ("root", "first", "last"):
                if k in spec:
                    spec[k] = top + spec[k]
            for k in ("level", "name", "category"):
                if spec.get(k) is not None:
                    spec[k] = letter(spec[k] + 1)
            spec["columns"] = {letter(int(c) + 1): v for c, v in spec["columns"].items()}
            rows.append(("region", name, json.dumps(spec, ensure_ascii=False)))
    return rows


# --- the workbook ----------------------------------------------------------------

def _validation(inp: Input, lists: "_Lists"):
    """The data validation of an input: its checks, and its label and hint as
    the message shown when the cell is selected."""
    # optional library (openpyxl, the xlsx/reports extra): imported only for workbooks
    from openpyxl.worksheet.datavalidation import DataValidation

    kw: dict[str, Any] = {}
    if inp.kind in ("money", "number", "percent", "score"):
        low = "-1000000000000000" if inp.negative or inp.kind in ("number", "percent") else "0"
        high = str(inp.maximum) if inp.maximum is not None else "1000000000000000"
        if inp.kind == "percent":
            low, high = "-100", "100"
        kw = {"type": "decimal", "operator": "between", "formula1": low, "formula2": high}
    elif inp.kind == "count":
        high = str(inp.maximum) if inp.maximum is not None else "1000000000000000"
        kw = {"type": "whole", "operator": "between", "formula1": "0" if inp.maximum is None else "1", "formula2": high}
    elif inp.kind == "choice" and inp.options:
        kw = {"type": "list", "formula1": lists.ref(inp.options)}
    dv = DataValidation(allow_blank=True, showInputMessage=True, showErrorMessage=bool(kw), **kw)
    dv.promptTitle = inp.label[:32]
    dv.prompt = inp.hint[:250]
    if kw:
        dv.errorTitle = inp.label[:32]
        dv.error = m("forms.validation_error", hint=inp.hint)[:250]
    return dv


class _Lists:
    """Drop-down lists: inline when short, else a column of the stamp sheet."""

    def __init__(self, ws):
        self.ws, self.cols, self.known = ws, 0, {}

    def ref(self, options: tuple[str, ...]) -> str:
        inline = ",".join(options)
        if len(inline) <= 240 and not any("," in o or '"' in o for o in options):
            return f'"{inline}"'
        if options not in self.known:
            # optional library (openpyxl, the xlsx/reports extra): imported only for workbooks
            from openpyxl.utils import get_column_letter

            self.cols += 1
            col = 10 + self.cols
            for i, o in enumerate(options, start=1):
                self.ws.cell(row=i, column=col, value=o)
            letter = get_column_letter(col)
            self.known[options] = f"{STAMP_SHEET}!${letter}$1:${letter}${len(options)}"
        return self.known[options]


_NUMBER_FORMATS = {"money": "#,##0.00", "percent": "0.00%", "score": "0.00", "count": "0"}


def workbook_bytes(t: Template) -> bytes:
    """The template as .xlsx bytes (openpyxl; no macros)."""
    # cold start: only templates and Word forms need the renderers
    from engine.render.xlsx_out import _openpyxl, sheet_name, write_grid

    openpyxl = _openpyxl()
    # optional library (openpyxl, the xlsx/reports extra): imported only for workbooks
    from openpyxl.styles import Alignment, PatternFill, Protection
    from openpyxl.workbook.protection import WorkbookProtection

    # cold start: only templates and Word forms need the renderers
    from engine.render.reproducible import normalise_zip

    wb = openpyxl.Workbook()
    taken: set[str] = {STAMP_SHEET}
    for s in t.sheets:
        s.name = sheet_name(s.grid.sheet or s.grid.title, taken)
    guide_name = sheet_name(m("forms.instructions_sheet"), taken)
    stamp = wb.create_sheet(STAMP_SHEET)
    lists = _Lists(stamp)
    rs = t.plan.ruleset
    for row in stamp_rows(t, [s.name for s in t.sheets] + [guide_name]):
        stamp.append(row)
    fill = PatternFill("solid", fgColor=FILL)
    guide_lines: list[tuple[str, str, str]] = []
    engine = f"jixiao {LAYOUT_VERSION}"
    for i, s in enumerate(t.sheets):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = s.name
        write_grid(ws, s.grid, engine)
        validations: dict[tuple, Any] = {}
        for inp in s.inputs:
            target = ws[s.address(inp.row, inp.col)]
            target.protection = Protection(locked=False)
            target.fill = fill
            target.alignment = Alignment(horizontal="left" if inp.kind in ("text", "choice") else "right", vertical="center", wrap_text=True)
            if inp.kind in _NUMBER_FORMATS:
                target.number_format = _NUMBER_FORMATS[inp.kind]
            elif inp.kind == "text":
                target.number_format = "@"
            key = (inp.kind, inp.label if inp.kind in ("text", "choice") or inp.path else inp.label.split("·")[-1], inp.hint, inp.options, inp.maximum, inp.negative)
            dv = validations.get(key)
            if dv is None:
                dv = validations[key] = _validation(inp, lists)
                ws.add_data_validation(dv)
            dv.add(target.coordinate)
            if inp.path is not None or inp.row == (s.regions[0]["first"] if s.regions else -1):
                guide_lines.append((f"{s.name}!{target.coordinate}", inp.label, inp.hint))
        for region in s.regions:
            guide_lines.append((f"{s.name}!{s.address(region['first'], 0)}:{s.address(region['last'], s.grid.ncols - 1)}", m("forms.col_level") if region["type"] == "table" else "", m("forms.hint_table_level") if region["type"] == "table" else ""))
        for (r, c), (formula, fmt) in s.formulas.items():
            target = ws[s.address(r, c)]
            target.value = formula
            target.number_format = fmt
        ws.protection.sheet = True  # no password: it guards against slips, not people
        ws.protection.formatColumns = False  # let a unit widen columns and rows to read long text
        ws.protection.formatRows = False
    guide = wb.create_sheet(guide_name)
    _write_guide(guide, t, guide_lines)
    stamp.sheet_state = "veryHidden"
    wb.move_sheet(stamp, offset=len(wb.sheetnames))
    wb.security = WorkbookProtection(lockStructure=True)  # sheets cannot be added, deleted or renamed by accident
    wb.properties.creator = "jixiao"
    wb.properties.title = t.title
    wb.properties.subject = rs.title
    wb.properties.keywords = f"{LAYOUT_VERSION} {t.plan.digest}"
    out = io.BytesIO()
    wb.save(out)
    return normalise_zip(out.getvalue())


def word_names(t: Template) -> list[str]:
    """The sheets of a Word form: its tables, 表1, 表2, … in order."""
    return [f"表{i}" for i in range(1, len(t.sheets) + 1)]


def docx_bytes(t: Template) -> bytes:
    """The template as a Word document: one table per sheet, in the same grid
    (a unit fills the blank cells; `engine.forms.docx_form` reads them back).
    The document's properties name the ruleset, its digest, the layout and the
    row counts, from which the reader lays the form out again."""
    # cold start: only templates and Word forms need the renderers
    from engine.render.docx_out import render_document
    from engine.render.document import Document, PageBreak, Paragraph

    blocks: list[Any] = [Paragraph(line) for line in m("forms.instructions_lines").split("\n")]
    for s in t.sheets:
        blocks += [PageBreak(), s.grid]
    rs = t.plan.ruleset
    info = json.dumps({"ref": t.ref, "rows": t.rows, "table_rows": t.table_rows, "id": rs.id or ""}, ensure_ascii=False)
    props = {"title": t.title, "subject": rs.title, "keywords": f"{LAYOUT_VERSION} {t.plan.digest}", "comments": info}
    doc = Document(t.title, (), tuple(blocks), "", "", {}, f"jixiao {LAYOUT_VERSION}", props)
    return render_document(doc)


def _write_guide(ws, t: Template, lines: list[tuple[str, str, str]]) -> None:
    """The instruction sheet: the rules, then every input cell with its label and hint."""
    # optional library (openpyxl, the xlsx/reports extra): imported only for workbooks
    from openpyxl.styles import Alignment, Font

    ws.append((m("forms.instructions_title", title=t.title),))
    ws["A1"].font = Font(name="宋体", size=14, bold=True)
    for line in m("forms.instructions_lines").split("\n"):
        ws.append((line,))
    ws.append(())
    ws.append((m("forms.col_input"), m("forms.col_item"), m("forms.col_hint")))
    for c in "ABC":
        ws[f"{c}{ws.max_row}"].font = Font(name="宋体", bold=True)
    for line in lines:
        ws.append(line)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 60
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True


def word_layout(book, plan: Plan, ruleset_path: str):
    """A Word form (`engine.forms.docx_form.DocxForm`) with its layout: the
    ruleset's template laid out again with the row counts the document states
    (or, for a document jixiao did not make, counted from its tables)."""
    # cold start: only filled forms need their readers
    from engine.forms.docx_form import laid_out

    if not book.stamp.layout and plan.ruleset.form is not None:  # not made by jixiao: read by the declared layout
        book.stamp = None
        return book
    info = getattr(book, "info", {}) or {}
    rows = info.get("rows") if isinstance(info.get("rows"), int) else None
    table_rows = info.get("table_rows") if isinstance(info.get("table_rows"), int) else None
    if rows is None or table_rows is None:  # the fixed part of each table is known: the rest are blank rows
        probe = template(plan, ruleset_path, 1, 1)
        if rows is None:
            first = book.table_rows(0) or 0
            rows = max(1, first - (probe.sheets[0].grid.nrows - 1)) if probe.sheets[0].regions else DEFAULT_ROWS
        if table_rows is None:
            tabled = next((i for i, s in enumerate(probe.sheets) if any(r["type"] == "table" for r in s.regions)), None)
            count = book.table_rows(tabled) if tabled is not None else None
            table_rows = max(1, count - (probe.sheets[tabled].grid.nrows - 1)) if count else DEFAULT_TABLE_ROWS
    t = template(plan, book.stamp.ruleset_ref or ruleset_path, min(rows, 500), min(table_rows, 500))
    return laid_out(book, stamp_rows(t, word_names(t), word=True))
