"""Messages about a unit's data: input validation (`engine.unit.inputs`), consistency
checks (`engine.evaluation.checks`) and deviation analysis (`engine.evaluation.deviations`).

Written for the policy officer who typed the data: say what is wrong with which
figure and what to write instead. Arguments: `label` names the figure (an
input's label, `表 › 行` for a table row, or an indicator's name); `alias` the
input's own key when it differs from its label; `field` the column or entry key.
"""

_WHAT_ZH = "「{label}」{alias?（{alias}）}{field?的「{field}」}"
_WHAT_EN = "{field?'{field}' of }'{label}'{alias? ({alias})}"

# code → (Chinese, English)
MESSAGES: dict[str, tuple[str, str]] = {
    # the file and its sections
    "input.not_mapping": ("数据文件应是一个键值映射（subject、inputs、tables、indicators）", "a data file must be a mapping (subject, inputs, tables, indicators)"),
    "input.unknown_key": ("数据文件中有未知的项「{key}」{suggestion?，是否应为「{suggestion}」？}（可以有：{known}）", "unknown key '{key}' in the data file{suggestion?; did you mean '{suggestion}'?} (known: {known})"),
    "input.year_mismatch": ("数据的年度是 {year}，而规则集「{ruleset}」适用于 {expected} 年度：请换用对应年度的规则集", "the data is for {year}, but the ruleset '{ruleset}' is for {expected}: use that year's ruleset"),
    "input.bidi_in_name": ("名称中有文字方向控制符 {value}（会使名称反向显示或隐藏部分文字）：请删去", "the name holds the text-direction control {value} (it shows the name reversed or hides part of it): remove it"),
    "input.no_subject": ("缺少被评价单位的名称：请写 subject: 单位名称", "the unit's name is missing: write subject: <name>"),
    "input.section_not_mapping": ("「{section}」下面应逐行写「名称: 值」", "'{section}' should list 'name: value' lines"),
    # declared inputs
    "input.unknown_input": ("规则集中没有「{name}」这项数据{suggestion?，是否应为「{suggestion}」？}", "the ruleset declares no figure '{name}'{suggestion?; did you mean '{suggestion}'?}"),
    "input.missing": ("缺少必填数据「{label}」：请在 inputs 下填写 {name}", "required figure '{label}' is missing: give {name} under inputs"),
    "input.required_empty": (_WHAT_ZH + "是必填项，不能留空或写“—”", _WHAT_EN + " is required and cannot be left empty or '—'"),
    # values
    "input.not_number": (_WHAT_ZH + "应填数字，这里是「{value}」", _WHAT_EN + " should be a number, not '{value}'"),
    "input.not_text": (_WHAT_ZH + "应填文字，不能是列表或映射", _WHAT_EN + " should be text, not a list or mapping"),
    "input.not_integer": (_WHAT_ZH + "应为整数，不能有小数，这里是「{value}」", _WHAT_EN + " should be a whole number, not '{value}'"),
    "input.negative": (_WHAT_ZH + "不能为负数，这里是「{value}」", _WHAT_EN + " cannot be negative ('{value}')"),
    "input.unexpected_percent": (_WHAT_ZH + "不是百分比，不要带 %（这里是「{value}」）", _WHAT_EN + " is not a percentage; remove the % ('{value}')"),
    "input.percent_ambiguous": (_WHAT_ZH + "是百分比：请写成 {value}% 或小数（如 0.95），「{value}」含义不明", _WHAT_EN + " is a percentage: write {value}% or a fraction (e.g. 0.95); '{value}' is ambiguous"),
    "input.too_large": (_WHAT_ZH + "的数字「{value}」大得不合常理，请检查是否多打了数字", _WHAT_EN + " is implausibly large ('{value}'); check for extra digits"),
    "input.not_boolean": (_WHAT_ZH + "应为 true 或 false，这里是「{value}」", _WHAT_EN + " should be true or false, not '{value}'"),
    # tables
    "input.missing_table": ("缺少数据表「{label}」：请在 tables 下填写 {table}", "table '{label}' is missing: give {table} under tables"),
    "input.unknown_table": ("规则集中没有数据表「{table}」{suggestion?，是否应为「{suggestion}」？}", "the ruleset declares no table '{table}'{suggestion?; did you mean '{suggestion}'?}"),
    "input.row_not_mapping": ("数据表「{table}」的每一行应写成 name: 行名称，再逐栏写数字", "each row of table '{table}' should be 'name: <row name>' followed by its columns"),
    "input.row_no_name": ("数据表「{table}」中有一行没有名称（name）", "a row of table '{table}' has no name"),
    "input.unknown_column": ("数据表「{table}」没有「{column}」这一栏{suggestion?，是否应为「{suggestion}」？}", "table '{table}' has no column '{column}'{suggestion?; did you mean '{suggestion}'?}"),
    "input.unknown_category": ("数据表「{table}」没有类别「{category}」{suggestion?，是否应为「{suggestion}」？}（可用：{known}）", "table '{table}' has no category '{category}'{suggestion?; did you mean '{suggestion}'?} (known: {known})"),
    "input.rows_not_list": ("数据表「{table}」的下级行（rows）应是列表，每行以 - 开头", "the sub-rows (rows) of table '{table}' should be a list, each row starting with -"),
    # indicator entries
    "input.unknown_indicator": ("规则集中没有指标「{name}」{suggestion?，是否应为「{suggestion}」？}", "the ruleset has no indicator '{name}'{suggestion?; did you mean '{suggestion}'?}"),
    "input.branch_entry": ("「{name}」有下级指标，得分由下级指标汇总：请在下级指标下填写数据", "'{name}' has sub-indicators and its score is their sum: give the data under them"),
    "input.duplicate_indicator": ("指标「{name}」的数据写了两次", "the data for '{name}' is given twice"),
    "input.entry_not_mapping": ("指标「{name}」的数据应逐行写 actual、score、explanation 等", "the data for '{name}' should list actual, score, explanation, …"),
    "input.unknown_entry_key": ("指标「{name}」下有未知的项「{key}」{suggestion?，是否应为「{suggestion}」？}（可用：{known}）", "unknown field '{key}' for '{name}'{suggestion?; did you mean '{suggestion}'?} (known: {known})"),
    "input.field_not_used": ("指标「{name}」的得分由规则集计算，不使用数据中的 {key}：请删除这一项", "the score of '{name}' is computed by the ruleset, which does not use {key}: remove it"),
    "input.actual_is_computed": ("指标「{name}」的实际值由规则集公式计算，数据中不应填写", "the actual of '{name}' is computed by the ruleset; do not give it in the data"),
    "input.actual_not_number": ("指标「{label}」是定量指标，实际完成值应填数字，这里是「{value}」", "'{label}' is quantitative: its actual should be a number, not '{value}'"),
    "input.actual_is_target": ("指标「{label}」的实际完成值「{value}」照抄了指标值{target?（年度指标值为 {target}）}：请填写实际完成的数字", "the actual of '{label}' ('{value}') copies the target{target? ({target})}: give the number actually achieved"),
    "input.missing_actual": ("缺少指标「{name}」的实际完成值（actual）", "the actual value (actual) of '{name}' is missing"),
    "input.missing_score": ("指标「{name}」需要评价人给出得分（score）", "'{name}' needs the evaluator's score (score)"),
    "input.missing_coefficient": ("指标「{name}」需要得分系数（coefficient）", "'{name}' needs a score coefficient (coefficient)"),
    # consistency checks (findings)
    "check.mismatch": ("【{check}】{where}：填报 {stated}，计算应为 {computed}，相差 {difference}", "[{check}] {where}: stated {stated}, but it computes to {computed}, a difference of {difference}"),
    "check.rounding": ("【{check}】{where}：填报 {stated}，计算为 {computed}，相差 {difference}（在四舍五入误差范围内）", "[{check}] {where}: stated {stated}, computed {computed}, a difference of {difference} (within rounding)"),
    # deviation analysis (findings)
    "deviation.unexplained": ("指标「{name}」{kind}，但没有说明原因：请在该指标下填写 explanation", "'{name}' is {kind} but no reason is given: add an explanation to it"),
}
