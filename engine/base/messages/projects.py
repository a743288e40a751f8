"""Messages of project self-evaluations: indicator rows given by the data
(指标由数据填报), scheme options, and the summary across projects (项目支出自评情况汇总表)."""

# code → (Chinese, English)
MESSAGES: dict[str, tuple[str, str]] = {
    # the ruleset's frames
    "rows.categories_without_rows": ("「{name}」设置了 categories，但没有写 rows: data（只有由数据填报下级指标的框架指标才设 categories）", "'{name}' has categories but no rows: data (only a frame whose children come from the data takes categories)"),
    "rows.frame_not_plain": ("「{name}」的下级指标由数据填报（rows: data），不能再设置 children、target、operator、actual 或 scoring", "the children of '{name}' come from the data (rows: data); it cannot also have children, target, operator, actual or scoring"),
    "rows.frame_no_categories": ("「{name}」由数据填报下级指标，须用 categories 列出允许的二级指标", "'{name}' takes its children from the data; list the allowed 二级 indicators in categories"),
    "rows.group_twice": ("一级指标「{group}」已属于框架「{other}」：每个一级指标只能出现在一个由数据填报的框架中", "the 一级 indicator '{group}' already belongs to the frame '{other}': each may appear in one frame only"),
    "ruleset.in_total_not_top": ("只有一级指标可以设置 in_total（是否计入总分）；「{name}」不是一级指标", "only top-level indicators can set in_total; '{name}' is not top-level"),
    "rows.valid": ("{file}：规则集有效（{indicators} 项固定指标；「{frames}」的三级指标由项目数据填报；满分 {total}）", "{file}: ruleset is valid ({indicators} fixed indicators; the indicators under '{frames}' come from each project's data; {total} points)"),
    # a unit's indicator rows
    "rows.not_expected": ("规则集的指标全部由规则集给定，数据中不应填写 indicator_rows", "this ruleset fixes all its indicators; the data should not give indicator_rows"),
    "rows.missing": ("缺少绩效指标行 indicator_rows：规则集要求项目自行填报「{frames}」下的三级指标", "indicator_rows are missing: the ruleset asks the project for its own indicators under '{frames}'"),
    "rows.not_list": ("indicator_rows 应是列表，每个三级指标一行（以 - 开头）", "indicator_rows should be a list, one item (starting with -) per indicator"),
    "rows.row_not_mapping": ("第 {index} 行指标应是键值映射（group、category、name、operator、target、weight、actual 等）", "indicator row {index} should be a mapping (group, category, name, operator, target, weight, actual, …)"),
    "rows.unknown_key": ("指标行中未知的项「{key}」{suggestion?，是否应为「{suggestion}」？}（可用：{known}）", "unknown field '{key}' in an indicator row{suggestion?; did you mean '{suggestion}'?} (known: {known})"),
    "rows.missing_field": ("指标「{row}」缺少{label}（{field}）", "indicator '{row}' lacks its {field} ({label})"),
    "rows.unknown_group": ("指标「{row}」的一级指标「{group}」不在规则集的指标框架内{suggestion?，是否应为「{suggestion}」？}（可用：{known}）", "the 一级 indicator '{group}' of '{row}' is not in the ruleset's frame{suggestion?; did you mean '{suggestion}'?} (allowed: {known})"),
    "rows.unknown_category": ("指标「{row}」的二级指标「{category}」不属于一级指标「{group}」{suggestion?，是否应为「{suggestion}」？}（可用：{known}）", "the 二级 indicator '{category}' of '{row}' is not allowed under '{group}'{suggestion?; did you mean '{suggestion}'?} (allowed: {known})"),
    "rows.duplicate": ("指标「{key}」重复：同一名称已用于另一项指标，请改名或用 id 区分", "indicator '{key}' appears twice: rename it or give each an id"),
    "rows.bad_operator": ("指标「{row}」的指标性质「{value}」无效（可用：≥ ≤ = 定性）", "the operator '{value}' of '{row}' is not valid (use ≥ ≤ = 定性)"),
    "rows.operator_conflict": ("指标「{row}」的指标性质为 {operator}，但年度指标值写作「{target}」，两者不一致", "'{row}' has operator {operator} but its target reads '{target}'; they disagree"),
    "rows.target_not_number": ("指标「{row}」是定量指标，年度指标值应为数字，这里是「{value}」", "'{row}' is quantitative: its target should be a number, not '{value}'"),
    "rows.frame_empty": ("「{name}」没有任何指标行：请至少填报一项（一级指标：{groups}）", "'{name}' has no indicator rows: give at least one (一级: {groups})"),
    "rows.frame_weights": ("「{name}」下 {count} 项三级指标分值合计为 {sum}，应为 {weight}", "the {count} indicators under '{name}' weigh {sum} in all; they should weigh {weight}"),
    # results under scheme options
    "result.rescaled": ("不适用指标不计分：适用指标满分 {applicable}，得分 {points}，折算为 {total}", "not-applicable indicators dropped: {points} of {applicable} applicable points, rescaled to {total}"),
    "result.not_in_total": ("（不计入总分）", " (not in total)"),
    # the summary across projects
    "summary.title_named": ("{unit}{year}年项目支出自评情况汇总表", "{unit}: summary of project self-evaluations {year}"),
    "summary.title": ("项目支出自评情况汇总表", "Summary of project self-evaluations"),
    "summary.head": ("序号|项目名称|全年预算数|全年执行数|执行率|得分|等级|问题数", "No.|Project|Full-year budget|Spent|Execution|Score|Grade|Findings"),
    "summary.total_row": ("合计", "Total"),
    "summary.failed_row": ("未评价：{count} 个错误", "not evaluated: {count} error(s)"),
    "summary.counts": ("项目 {units} 个：已评价 {evaluated} 个，未评价 {failed} 个", "{units} project(s): {evaluated} evaluated, {failed} failed"),
    "summary.weighted": ("按全年预算数加权平均得分：{weighted}；简单平均得分：{mean}；总体执行率：{rate}", "score weighted by full-year budget: {weighted}; simple mean: {mean}; overall execution rate: {rate}"),
    "summary.grades": ("等级分布：{grades}", "grades: {grades}"),
    "summary.unit_failed": ("{file}：未评价（{count} 个错误，见上）", "{file}: not evaluated ({count} error(s), listed above)"),
    "summary.output_withheld": ("有 {count} 个项目未能评价，未写入 {path}（汇总表已输出到屏幕）", "{count} project(s) failed, so {path} was not written (the summary is printed instead)"),
    "summary.no_files": ("文件夹 {path} 中没有数据文件（.yaml、.yml、.json）", "the folder {path} holds no data files (.yaml, .yml, .json)"),
}

MESSAGES.update({
    "rows.goals_need_groups": ("「{name}」写了 goals: true（按年度绩效目标分组），categories 须按一级指标列出各自的二级指标（映射）", "'{name}' has goals: true (rows grouped by goal), so its categories must map each 一级 to its 二级"),
    "rows.goal_not_expected": ("指标行「{row}」写了年度绩效目标（goal），而「{name}」不按目标分组：请删除 goal，或在规则集的「{name}」下写 goals: true", "row '{row}' names a goal, but '{name}' is not grouped by goal: remove goal, or write goals: true under '{name}' in the ruleset"),
})
MESSAGES["rows.goals_without_rows"] = ("「{name}」写了 goals，但不是由数据填报的框架（缺少 rows: data）", "'{name}' has goals but is not a frame filled from the data (no rows: data)")
