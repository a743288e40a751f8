"""Messages of the fill-in forms (填报表格): writing templates, reading filled forms back."""

# code → (Chinese, English)
MESSAGES: dict[str, tuple[str, str]] = {
    # reading a filled form: the file as a whole
    "forms.too_large": ("文件过大（{size} 字节，上限 {limit} 字节），拒绝读取", "the file is too large ({size} bytes, the limit is {limit}); not read"),
    "forms.zip_bomb": ("工作簿解压后过大或压缩比异常（{detail}），拒绝读取", "the workbook unpacks to too much or is compressed suspiciously ({detail}); not read"),
    # `older`, `save`: for an .xlsx or .docx that is an OLE2 container, what else it may be and what to save it as
    "forms.encrypted": (
        "文件设了打开密码{older?，或是旧版的 {older} 文件}：请去掉密码{save?并另存为 {save} }后再提交",
        "the file is password-protected{older?, or an older {older} file}: remove the password{save?, save it as {save}} and send it again",
    ),
    "forms.corrupt": ("无法打开：文件已损坏，或不是有效的 {format} 文件（{reason}）", "cannot open: the file is damaged or not a valid {format} file ({reason})"),
    "forms.not_a_form": (
        "不是 jixiao 填报表：应为「{layout}」版式，找不到其标记「{anchor}」（请用 jixiao template 生成的表格填报）",
        "not a jixiao form: the layout '{layout}' was expected and its mark '{anchor}' was not found (fill in a form made by jixiao template)",
    ),
    "forms.bad_stamp": ("填报表的隐藏信息页已损坏（{detail}）：请用 jixiao template 重新生成表格", "the form's hidden information sheet is damaged ({detail}): make the form again with jixiao template"),
    "forms.layout_version": ("此表格的版式「{found}」本程序不认识（支持：{known}）：请用当前版本的 jixiao template 重新生成", "this form's layout '{found}' is unknown to this program (supported: {known}): make the form again with the current jixiao template"),
    "forms.other_ruleset": (
        "此表是按规则集「{made_title}」（{made_id}，版本 {made_digest}）生成的，不是「{title}」（{id}，版本 {digest}）：请用对应的规则集评价，或用 jixiao template 按此规则集重新生成表格",
        "this form was made for the ruleset '{made_title}' ({made_id}, version {made_digest}), not for '{title}' ({id}, version {digest}): evaluate it with that ruleset, or make the form again for this one with jixiao template",
    ),
    "forms.no_ruleset": ("此表是按规则集「{made_title}」（{ref}）生成的，但找不到该规则集：请用 --ruleset 指定", "this form was made for the ruleset '{made_title}' ({ref}), which cannot be found: name it with --ruleset"),
    "forms.missing_sheet": ("工作簿缺少工作表「{sheet}」：填报表的工作表不能删除或改名", "the workbook has no sheet '{sheet}': a form's sheets must not be deleted or renamed"),
    "forms.extra_sheet": ("工作簿多出工作表「{sheet}」：填报表不能增加工作表，请删除它后再提交", "the workbook has an extra sheet '{sheet}': a form must not gain sheets; delete it and send the form again"),
    "forms.anchor_moved": (
        "这里应为「{expected}」，现在是「{found}」：表格的行或列被删除、插入或改写过（{label}），请在原表格中重新填报",
        "'{expected}' should be here, but it reads '{found}': rows or columns of the form were deleted, inserted or overwritten ({label}); fill in the original form again",
    ),
    "forms.merged_input": ("「{label}」的单元格被合并（{range}）：填写数据的单元格不能合并", "the cell of '{label}' is merged ({range}): cells that hold data must not be merged"),
    "forms.formula": ("「{label}」填的是公式 {formula}：按其保存的计算结果 {value} 评价；请直接填写数值", "'{label}' holds the formula {formula}: its saved result {value} is used; type the figure itself"),
    "forms.formula_no_value": ("「{label}」填的是公式 {formula}，文件中没有保存其计算结果：请直接填写数值", "'{label}' holds the formula {formula} and the file keeps no result for it: type the figure itself"),
    "forms.bad_level": ("「{label}」的级次应为 1、2、3 这样的整数，现在是「{value}」", "the level of '{label}' should be a whole number such as 1, 2, 3; it is '{value}'"),
    "forms.level_jump": ("「{label}」的级次为 {level}，但上一行是 {above} 级：每行最多比上一行深一级（第 1 级直接列在合计之下）", "'{label}' is at level {level} while the row above is at level {above}: a row may be at most one level deeper than the row above (level 1 sits directly under the total)"),
    "forms.row_values_no_name": ("这一行填了数字但没有名称（{label}）", "this row has figures but no name ({label})"),
    "forms.not_text_cell": ("「{label}」应填文字，这里是「{value}」", "'{label}' should be text; it is '{value}'"),
    "forms.needs_extra": ("读取此文件需要可选组件 {extra}：pip install \"jixiao[{extra}]\"（{package}）", "this file needs the optional extra {extra}: pip install \"jixiao[{extra}]\" ({package})"),
    "forms.no_table": ("Word 文件中找不到填报表格：应为「{layout}」版式，找不到含「{anchor}」的表格", "no form table in the Word file: the layout '{layout}' was expected and no table holds '{anchor}'"),
    # a ruleset's own form layout (form:)
    "ruleset.form_path": ("版式中的「{path}」不是单位数据中的位置：应为 {expected}", "'{path}' in the form layout is no place in a unit's data: expected {expected}"),
    "ruleset.form_place": ("版式中「{path}」的位置应且只应用一种方式给出：label（标签），row 与 column（行与列的表头），或 cell（单元格地址）", "the place of '{path}' in the form layout must be given one way only: label, row with column, or cell"),
    "ruleset.form_cell": ("「{cell}」不是单元格地址（应如 C3）", "'{cell}' is not a cell address (such as C3)"),
    "ruleset.form_columns": ("版式的表头应有一栏是名称（name），且每项只对应一栏（重复：{repeated}）", "a layout's header must have a name column, each field once (repeated: {repeated})"),
    "ruleset.form_table": ("版式中的数据表「{table}」没有在 tables 中声明（已声明：{known}）", "the layout's table '{table}' is not declared under tables (declared: {known})"),
    "ruleset.form_table_column": ("版式中「{table}」的一栏是「{column}」，应为 {known} 之一", "a column of '{table}' in the layout is '{column}'; it should be one of {known}"),
    "ruleset.form_figures_twice": ("版式中只能有一处 figures（其他数据）", "a layout may have one figures list only"),
    # reading a form by a declared layout
    "forms.layout_ambiguous": ("此表与多个规则集的版式都相符（{rulesets}）：请用 --ruleset 指定", "this form matches the layouts of several rulesets ({rulesets}): name one with --ruleset"),
    "forms.layout_unknown_row": ("「{name}」不是规则集中的指标，也不能作为项目自设指标（{layout}）", "'{name}' is no indicator of the ruleset and the ruleset takes no indicator rows of its own ({layout})"),
    "forms.layout_missing_row": ("表中没有指标「{name}」的行（应为「{layout}」版式）", "the form has no row for the indicator '{name}' (layout '{layout}')"),
    # the template
    "forms.layout_name": ("jixiao 填报表 {version}", "jixiao form {version}"),
    "forms.stamp_sheet": ("jixiao", "jixiao"),
    "forms.instructions_sheet": ("填报说明", "Instructions"),
    "forms.inputs_sheet": ("其他数据", "Other figures"),
    "forms.col_level": ("级次", "Level"),
    "forms.col_name": ("名称", "Name"),
    "forms.col_category": ("类别", "Category"),
    "forms.col_item": ("项目", "Item"),
    "forms.col_unit": ("单位", "Unit"),
    "forms.col_value": ("填报值", "Value"),
    "forms.col_note": ("说明", "Note"),
    "forms.col_operator": ("指标性质", "Kind"),
    "forms.col_unit_of": ("计量单位", "Unit"),
    "forms.col_grade_level": ("评价档次", "Level"),
    "forms.col_input": ("填写位置", "Cell"),
    "forms.col_hint": ("填写要求", "What to type"),
    "forms.grade_label": ("评价等级", "Grade"),
    "forms.explanation_execution": ("预算执行率偏差原因", "Reasons for the execution rate"),
    "forms.table_total": ("合计", "Total"),
    "forms.hint_money": ("金额（{unit}），最多两位小数", "an amount ({unit}), at most two decimals"),
    "forms.hint_percent": ("百分比，如 95%", "a percentage, such as 95%"),
    "forms.hint_number": ("数字", "a number"),
    "forms.hint_count": ("整数", "a whole number"),
    "forms.hint_text": ("文字", "text"),
    "forms.hint_actual": ("实际完成值（{unit}）", "the actual value ({unit})"),
    "forms.hint_actual_text": ("实际完成情况（文字）", "what was achieved (text)"),
    "forms.hint_score": ("得分，0 至 {weight} 分", "the score, 0 to {weight}"),
    "forms.hint_stated": ("自评得分（审核时与计算结果比对，不改变计算结果）", "the self-assessed score (compared with the computed one in review; never changes it)"),
    "forms.hint_level": ("从下拉列表选择：{levels}", "choose from the list: {levels}"),
    "forms.hint_choice": ("从下拉列表选择", "choose from the list"),
    "forms.hint_reason": ("未完成或超过指标值 30% 时须说明原因", "required where the target was missed or exceeded by 30%"),
    "forms.hint_table_level": ("级次：1 为直接列在合计之下的行，2 为其上方最近的 1 级行的明细，依此类推", "level: 1 for a row directly under the total, 2 for a line item of the nearest level-1 row above, and so on"),
    "forms.hint_weight": ("分值，各行合计应为 {weight} 分", "the weight; the rows add up to {weight}"),
    "forms.hint_name": ("名称", "the name"),
    "forms.validation_error": ("请按「{hint}」填写", "please type {hint}"),
    "forms.instructions_title": ("{title} 填报说明", "{title}: how to fill in"),
    "forms.instructions_lines": (
        "1. 只填写浅黄色单元格；其余单元格已锁定（工作表保护无密码，仅防误改）。\n2. 不要增删行、列或工作表，不要合并单元格，不要改动表头文字；行数不够时请向财政局索取行数更多的表格。\n3. 数字直接填数值，不要填公式；金额单位见各表说明。\n4. 定性指标从下拉列表选择评价档次，并在档次范围内打分。\n5. 表上的得分、总分与等级为自评数，评价时与计算结果比对，不改变计算结果。",
        "1. Fill in only the light-yellow cells; the others are locked (the sheets are protected without a password, only against accidents).\n2. Do not insert or delete rows, columns or sheets, merge cells or change headings; ask the finance bureau for a form with more rows when rows run out.\n3. Type figures, not formulas; the money unit is given on each sheet.\n4. For qualitative indicators choose a level from the list and score within its band.\n5. The scores, total and grade typed on the form are self-assessed: they are compared with the computed ones and never change them.",
    ),
    "cli.template_usage": ("用法错误：{problem}", "usage: {problem}"),
    "cli.template_rows": ("--rows 应为 1 至 500 之间的整数", "--rows must be a whole number from 1 to 500"),
    "cli.template_output": ("Excel 填报表须用 --output 指定文件（.xlsx），或把标准输出重定向到文件", "the Excel form needs --output FILE (.xlsx), or standard output redirected to a file"),
    "cli.template_flat_suffix": ("--flat 的输出应为 .csv 或 .xlsx 文件", "--flat writes a .csv or .xlsx file"),
    "cli.template_suffix": ("填报表的输出应为 .xlsx（Excel）或 .docx（Word）文件", "the form is written to an .xlsx (Excel) or .docx (Word) file"),
}

# A text of a declared layout not found in a form (engine.forms.layout): one code per kind of text.
_LAYOUT_TEXTS = {"title": ("标题", "title"), "label": ("标签", "label"), "header": ("表头", "column header"), "row": ("行", "row"),
                 "end": ("结束行", "end row"), "total": ("合计行", "total row"), "figure": ("数据项", "figure")}
MESSAGES.update({
    f"forms.layout_{kind}": (
        f"应为「{{layout}}」版式，找不到{zh}「{{text}}」（此表没有 jixiao 的隐藏工作表，按规则集声明的版式查找）",
        f"the layout '{{layout}}' was expected, but its {en} '{{text}}' was not found (the form has no jixiao hidden sheet; it is read by the layout its ruleset declares)",
    )
    for kind, (zh, en) in _LAYOUT_TEXTS.items()
})
