"""The official forms as grids (自评表): the layouts of the paper forms.

- `department_form`: 整体支出绩效自评表 — the department's budget on top
  (年初预算数 | 全年预算数 | 全年执行数 | 执行率), then one row per scored
  indicator with 一级/二级 merged down the rows, then 总分 and the grade.
- `table_grid`: a budget or spending table as the data gives it (unit.tables
  row trees), columns as the ruleset declares them.
- `findings_grid`: the consistency findings, one row each.

A form is stacked from blocks on the paper forms' eight columns: `header_row`,
`funds_block`, `indicator_block`, `total_row`. The project form
(项目支出绩效自评表: header 项目名称 / 主管部门 | 实施单位, a six-column funds block
with one line per fund source, 年度总体目标, indicators, 总分) is the same stack
with other arguments (see docs/design.md). Every function returns a `Grid` or
cells; no file format is known here.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterator

from engine.unit.inputs import TableRow
from engine.base.messages import format_message
from engine.base.numeric import fmt_money, fmt_percent, fmt_score, round_half_up
from engine.evaluation.display import show_target, show_value
from engine.render.document import Cell, Grid
from engine.evaluation.result import IndicatorResult, Result

# The standard budget figures (domain glossary), looked up by name among the
# unit's values and derived metrics: money in 万元, the rate as a percentage.
FUNDS = ("年初预算数", "全年预算数", "全年执行数", "预算执行率")


def report_text(code: str, **args: Any) -> str:
    """A report sentence; reports are Chinese government documents."""
    return format_message(code, args, "zh")


def money_cell(row: int, col: int, value: Any, **kw) -> Cell:
    if isinstance(value, Decimal):
        return Cell(row, col, fmt_money(value), round_half_up(value, 2), "money", align="right", **kw)
    return Cell(row, col, "" if value is None else str(value), align="right", **kw)


def score_cell(row: int, col: int, value: Decimal | None, places: int, **kw) -> Cell:
    if value is None:
        return Cell(row, col, "", align="right", **kw)
    return Cell(row, col, fmt_score(value, places), round_half_up(value, places), "score", align="right", **kw)


def percent_cell(row: int, col: int, value: Any, **kw) -> Cell:
    if isinstance(value, Decimal):
        return Cell(row, col, fmt_percent(value), round_half_up(value, 4), "percent", align="right", **kw)
    return Cell(row, col, "" if value is None else str(value), align="right", **kw)


def head(row: int, col: int, text: str, rowspan: int = 1, colspan: int = 1) -> Cell:
    return Cell(row, col, text, rowspan=rowspan, colspan=colspan, header=True, align="center")


# --- the indicator block -----------------------------------------------------

def leaf_paths(items: tuple[IndicatorResult, ...], above: tuple[IndicatorResult, ...] = ()) -> Iterator[tuple[tuple[IndicatorResult, ...], IndicatorResult]]:
    """Every scored leaf with the chain of its ancestors (一级 first)."""
    for r in items:
        if r.children:
            yield from leaf_paths(r.children, above + (r,))
        else:
            yield above, r


def indicator_rows(result: Result, first_row: int, deviation_keys: dict[str, str], items: tuple[IndicatorResult, ...] | None = None) -> tuple[list[Cell], int]:
    """Cells of the indicator block: 一级 | 二级 | 三级 | 年度指标值 | 实际完成值 |
    分值 | 得分 | 偏差原因分析及改进措施, 一级 and 二级 merged down their rows.
    `items` are the 一级 indicators to lay out (default: the tree's roots).
    Returns the cells and the next free row."""
    places = result.plan.ruleset.rounding.places
    cells: list[Cell] = []
    rows = list(leaf_paths(result.indicators if items is None else items))
    row = first_row
    i = 0
    while i < len(rows):
        top = (rows[i][0] + (rows[i][1],))[0]
        group = [p for p in rows[i:] if (p[0] + (p[1],))[0] is top]
        j = 0
        while j < len(group):
            above, leaf = group[j]
            second = above[1] if len(above) >= 2 else None
            if second is None:  # a leaf directly under 一级 (or a 一级 leaf): 二级 and 三级 merged
                run = 1
                start_col = 0 if not above else 1
                cells.append(Cell(row + j, start_col, leaf.node.name, colspan=3 - start_col))
            else:
                run = 1
                while j + run < len(group) and len(group[j + run][0]) >= 2 and group[j + run][0][1] is second:
                    run += 1
                cells.append(Cell(row + j, 1, second.node.name, rowspan=run, align="center"))
                for k in range(run):
                    a, lf = group[j + k]
                    deeper = [x.node.name for x in a[2:]] + [lf.node.name]
                    cells.append(Cell(row + j + k, 2, "／".join(deeper)))
            for k in range(run):
                _, lf = group[j + k]
                cells.extend(_leaf_cells(lf, row + j + k, places, deviation_keys))
            j += run
        if group[0][0]:  # 一级 is a branch: merged down all its leaves
            cells.append(Cell(row, 0, top.node.name, rowspan=len(group), align="center"))
        row += len(group)
        i += len(group)
    return cells, row


def _leaf_cells(r: IndicatorResult, row: int, places: int, deviation_keys: dict[str, str]) -> list[Cell]:
    node = r.node
    actual = report_text("report.not_applicable") if r.not_applicable else show_value(r.actual, node.value_type, node.unit)
    return [
        Cell(row, 3, show_target(r), align="center"),
        Cell(row, 4, actual, align="center"),
        score_cell(row, 5, node.weight, places),
        score_cell(row, 6, None if r.not_applicable else r.score, places),
        Cell(row, 7, deviation_keys.get(node.key, "")),
    ]


def deviation_notes(result: Result) -> dict[str, str]:
    """indicator key → the text of its 偏差原因分析 cell."""
    return {d.key: d.explanation or report_text("report.no_explanation") for d in result.deviations}


# --- the funds block ---------------------------------------------------------

def funds_values(result: Result) -> dict[str, Any]:
    """The standard budget figures present among the unit's values and metrics."""
    return {name: result.env.get(name) for name in FUNDS if name in result.env}


# The paper forms have eight columns: 一级 | 二级 | 三级 | 年度指标值 | 实际完成值 |
# 分值 | 得分 | 偏差原因分析及改进措施; the blocks above the indicators fit them.
FORM_WIDTHS = (12, 14, 26, 16, 20, 11, 11, 36)
_COLS = len(FORM_WIDTHS)
_PAIR_PLACES = {1: ((0, 2, 2, 6),), 2: ((0, 2, 2, 2), (4, 1, 5, 3))}  # label col, span, value col, span


def value_cell(row: int, col: int, value: Any, kind: str, places: int, **kw) -> Cell:
    """A figure as the forms print it, by kind: money, percent or score."""
    if kind == "percent":
        return percent_cell(row, col, value, **kw)
    if kind == "score":
        return score_cell(row, col, value if isinstance(value, Decimal) else None, places, **kw)
    return money_cell(row, col, value, **kw)


def header_row(row: int, pairs: list[tuple[str, str]]) -> list[Cell]:
    """One header line: (label, value) pairs such as 部门名称 | 某局, or
    主管部门 | … | 实施单位 | … (one or two pairs)."""
    cells: list[Cell] = []
    for (label, value), (lc, ls, vc, vs) in zip(pairs, _PAIR_PLACES[len(pairs)]):
        cells += [head(row, lc, label, colspan=ls), Cell(row, vc, value, colspan=vs)]
    return cells


def funds_block(row: int, columns: list[tuple[str, str]], lines: list[list[Any]], places: int, labels: tuple[str, ...] = ()) -> tuple[list[Cell], int]:
    """The funds block (年度资金情况, 万元): `columns` are (heading, kind) from
    the third column on, the last widened to the form's edge; `lines` their
    values, one list per line; `labels` name the lines (年度资金总额, 其中：当年
    财政拨款 …) when there is more than one. Returns the cells and the next row."""
    span = len(lines) + 1
    if labels:
        cells = [head(row, 0, report_text("report.form_funds"), rowspan=span), head(row, 1, "")]
        cells += [Cell(row + 1 + i, 1, label) for i, label in enumerate(labels)]
    else:
        cells = [head(row, 0, report_text("report.form_funds"), rowspan=span, colspan=2)]
    widths = [1] * len(columns)
    widths[-1] = _COLS - 2 - len(columns) + 1
    col = 2
    for i, ((heading, kind), w) in enumerate(zip(columns, widths)):
        cells.append(head(row, col, heading, colspan=w))
        cells += [value_cell(row + 1 + j, col, values[i], kind, places, colspan=w) for j, values in enumerate(lines)]
        col += w
    return cells, row + span


def indicator_block(result: Result, row: int, items: tuple[IndicatorResult, ...] | None = None) -> tuple[list[Cell], int]:
    """The column headings and one row per scored indicator."""
    cols = ("col_level1", "col_level2", "col_level3", "col_target", "col_actual", "col_weight", "col_score", "col_reason")
    cells = [head(row, i, report_text(f"report.{c}")) for i, c in enumerate(cols)]
    body, end = indicator_rows(result, row + 1, deviation_notes(result), items)
    return cells + body, end


def total_row(result: Result, row: int) -> list[Cell]:
    """总分 | total weight | total score | grade."""
    places = result.plan.ruleset.rounding.places
    return [
        head(row, 0, report_text("report.total_label"), colspan=5),
        score_cell(row, 5, result.plan.ruleset.total, places),
        score_cell(row, 6, result.total, places),
        Cell(row, 7, report_text("report.grade_cell", grade=result.grade), align="center"),
    ]


def department_form(result: Result) -> Grid:
    """整体支出绩效自评表: the department's budget on top, then the indicators."""
    rs = result.plan.ruleset
    funds = funds_values(result)
    cells = header_row(0, [(report_text("report.form_unit"), result.unit.name)])
    columns = [(report_text("report.col_opening"), "money"), (report_text("report.col_budget"), "money"), (report_text("report.col_spent"), "money"), (report_text("report.col_rate"), "percent")]
    block, row = funds_block(1, columns, [[funds.get(n) for n in FUNDS]], rs.rounding.places)
    header_rows = row + 1
    body, row = indicator_block(result, row)
    cells += block + body + total_row(result, row)
    title = report_text("report.department_form_title", year=rs.year)
    return Grid(title, tuple(cells), FORM_WIDTHS, header_rows=header_rows, landscape=True, sheet=report_text("report.department_form_sheet"))


EXECUTION = "预算执行率"  # the indicator the project form shows in its funds block
GOALS = ("预期目标", "实际完成情况")  # 年度总体目标, text inputs of a project


def funds_table(result: Result) -> TableRow | None:
    """The table the budget figures come from (the one 全年预算数 is read
    from), with its fund-source rows; None when the figures are plain inputs."""
    metric = result.plan.ruleset.metrics.get("全年预算数")
    ref = result.plan.table_names.get(metric.formula.strip()) if metric else None
    if ref is None or ref[1] is not None:
        return None
    return result.unit.tables.get(ref[0])


def _depth(r: IndicatorResult) -> int:
    return 1 + max((_depth(c) for c in r.children), default=0)


def first_levels(result: Result) -> tuple[IndicatorResult, ...]:
    """The 一级 indicators as the forms and the report name them: a root that
    only groups them (绩效指标 90 over 产出/效益/满意度, four levels deep) gives
    way to its children."""
    out: list[IndicatorResult] = []
    for r in result.indicators:
        out.extend(r.children if _depth(r) > 3 else (r,))
    return tuple(out)


def project_levels(result: Result) -> tuple[IndicatorResult, ...]:
    """The project form's 一级: all but the execution rate (in the funds block)."""
    return tuple(r for r in first_levels(result) if EXECUTION not in (r.node.key, r.node.name))


def project_form(result: Result) -> Grid:
    """项目支出绩效自评表: 项目名称, 主管部门 | 实施单位, the funds block with the
    execution score, 年度总体目标, the indicators, 总分."""
    rs = result.plan.ruleset
    places = rs.rounding.places
    subject = result.unit.subject
    cells = header_row(0, [(report_text("report.form_project"), result.unit.name)])
    cells += header_row(1, [(report_text("report.form_authority"), str(subject.get("主管部门", "") or "")), (report_text("report.form_implementer"), str(subject.get("实施单位", "") or ""))])
    execution = result.find(EXECUTION)
    weight, score = (execution.weight, execution.score) if execution is not None else (None, None)
    columns = [
        (report_text("report.col_opening"), "money"), (report_text("report.col_budget_a"), "money"), (report_text("report.col_spent_b"), "money"),
        (report_text("report.col_weight"), "score"), (report_text("report.col_rate_ba"), "percent"), (report_text("report.col_score"), "score"),
    ]
    funds = funds_values(result)
    table = funds_table(result)
    if table is not None:  # the table's total row states all three, whichever the metrics name
        funds = {**funds, **{k: v for k, v in table.values.items() if k in FUNDS and v is not None}}
    total_line = [funds.get("年初预算数"), funds.get("全年预算数"), funds.get("全年执行数"), weight, funds.get("预算执行率"), score]
    lines, labels = [total_line], [report_text("report.funds_total")]
    if table is not None:
        labels = [table.name]
        for i, row in enumerate(table.rows):
            lines.append([row.values.get("年初预算数"), row.values.get("全年预算数"), row.values.get("全年执行数"), None, None, None])
            labels.append((report_text("report.of_which") if i == 0 else "　　") + row.name)
    block, row = funds_block(2, columns, lines, places, tuple(labels))
    cells += block
    goals = [result.env.get(g) for g in GOALS]
    if any(goals):
        cells += [
            head(row, 0, report_text("report.form_goals"), rowspan=2, colspan=2),
            head(row, 2, report_text("report.col_goal_expected"), colspan=3), head(row, 5, report_text("report.col_goal_actual"), colspan=3),
            Cell(row + 1, 2, str(goals[0] or ""), colspan=3), Cell(row + 1, 5, str(goals[1] or ""), colspan=3),
        ]
        row += 2
    header_rows = row + 1
    body, row = indicator_block(result, row, project_levels(result))
    cells += body + total_row(result, row)
    title = report_text("report.project_form_title", year=rs.year)
    return Grid(title, tuple(cells), FORM_WIDTHS, header_rows=header_rows, landscape=True, sheet=report_text("report.project_form_sheet"))


def form_for(result: Result) -> Grid:
    """The form that goes with this evaluation: a project's or a department's."""
    return project_form(result) if is_project(result) else department_form(result)


def is_project(result: Result) -> bool:
    return "项目" in result.plan.ruleset.kind


def summary_grid(summary) -> Grid:
    """项目支出自评情况汇总表 from an `engine.tools.project_summary.ProjectSummary`: one row per
    project (a failed one says so across its figures), then 合计 with the
    sums, the overall 执行率 and the score weighted by 全年预算数."""
    cols = ("col_no", "form_project", "col_budget", "col_spent", "col_rate", "col_self_score", "col_grade", "col_findings")
    cells = [head(0, i, report_text(f"report.{c}")) for i, c in enumerate(cols)]
    for i, r in enumerate(summary.rows, start=1):
        cells += [Cell(i, 0, str(i), align="center"), Cell(i, 1, r.name)]
        if r.failed:
            cells.append(Cell(i, 2, report_text("summary.failed_row", count=len(r.problems)), colspan=6))
            continue
        cells += [
            money_cell(i, 2, r.budget), money_cell(i, 3, r.spent), percent_cell(i, 4, r.rate),
            score_cell(i, 5, r.score, 2), Cell(i, 6, r.grade or "", align="center"), Cell(i, 7, str(r.findings), align="center"),
        ]
    end = len(summary.rows) + 1
    cells += [
        head(end, 0, report_text("summary.total_row"), colspan=2), money_cell(end, 2, summary.budget), money_cell(end, 3, summary.spent),
        percent_cell(end, 4, summary.rate), score_cell(end, 5, summary.weighted_score, 2), Cell(end, 6, ""),
        Cell(end, 7, str(summary.findings), align="center"),
    ]
    return Grid(report_text("summary.title"), tuple(cells), (6, 44, 16, 16, 11, 11, 9, 9), note=report_text("report.summary_note"), landscape=True, sheet=report_text("summary.title"))


# --- data tables and findings ------------------------------------------------

def table_lines(root: TableRow) -> Iterator[tuple[str, TableRow | None, str]]:
    """(label, row with figures or None, role) in the order the forms print:
    items first, then 合计; a budget unit (a row with sub-rows and no
    category) as a heading, its items, then 小计; a category row (项目支出)
    with its own figures followed by its breakdown, the first marked 其中."""

    def walk(row: TableRow, depth: int) -> Iterator[tuple[str, TableRow | None, str]]:
        pad = "　" * depth
        if row.rows and row.category is None:
            yield pad + report_text("report.group_heading", name=row.name), None, "group"
            for child in row.rows:
                yield from walk(child, depth)
            yield pad + report_text("report.subtotal"), row, "subtotal"
            return
        yield pad + row.name, row, "item"
        for i, child in enumerate(row.rows):
            for label, r, role in walk(child, depth + 1):
                if i == 0 and r is child:
                    label = "　" * (depth + 1) + report_text("report.of_which") + child.name
                yield label, r, role

    for child in root.rows:
        yield from walk(child, 0)
    yield root.name, root, "total"


def table_grid(result: Result, tname: str) -> Grid:
    """A declared table as the data gives it."""
    decl = result.plan.ruleset.tables[tname]
    root = result.unit.tables[tname]
    columns = list(decl.columns)
    cells = [head(0, 0, report_text("report.col_item"))]
    cells += [head(0, i + 1, decl.columns[c].label or c) for i, c in enumerate(columns)]
    for r, (label, row, role) in enumerate(table_lines(root), start=1):
        cells.append(Cell(r, 0, label, header=role in ("total", "subtotal")))
        for i, c in enumerate(columns):
            value = row.values.get(c) if row is not None else None
            kind = decl.columns[c].type
            if kind == "percent":
                cells.append(percent_cell(r, i + 1, value))
            elif kind == "money":
                cells.append(money_cell(r, i + 1, value))
            else:
                cells.append(Cell(r, i + 1, show_value(value, kind), align="right"))
    return Grid(decl.label or tname, tuple(cells), (40,) + (16,) * len(columns), note=report_text("report.unit_note", unit=decl.unit), sheet=tname)


def findings_grid(result: Result) -> Grid:
    """The findings of the consistency checks and the deviation analysis."""
    cols = ("col_no", "col_severity", "col_finding", "col_location")
    cells = [head(0, i, report_text(f"report.{c}")) for i, c in enumerate(cols)]
    for i, f in enumerate(result.findings, start=1):
        cells += [
            Cell(i, 0, str(i), align="center"),
            Cell(i, 1, report_text(f"report.severity_{f.severity}"), align="center"),
            Cell(i, 2, f.message("zh")),
            Cell(i, 3, str(f.span) if f.span else ""),
        ]
    return Grid(report_text("report.findings_sheet"), tuple(cells), (6, 8, 90, 34), sheet=report_text("report.findings_sheet"))
