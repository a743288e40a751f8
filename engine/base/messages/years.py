"""Messages of rulesets across years: inheritance (`extends:`), `show`, `diff`,
test cases that live with a ruleset (`test`), `schema` and `init`."""

# code → (Chinese, English)
MESSAGES: dict[str, tuple[str, str]] = {
    # inheritance
    "inherit.cycle": ("规则集的继承（extends）形成循环：{cycle}", "the rulesets extend each other in a cycle: {cycle}"),
    "inherit.parent_not_found": ("extends 指向的规则集不存在：{path}", "the ruleset named by extends does not exist: {path}"),
    "inherit.bad_extends": ("extends 应写上一年度规则集的文件路径（相对于本文件），如 ../2019/department.yaml", "extends should be the path of last year's ruleset, relative to this file (e.g. ../2019/department.yaml)"),
    "inherit.chain_too_long": ("规则集逐级继承超过 {limit} 层", "more than {limit} rulesets extend one another"),
    "inherit.nothing_to_remove": ("「{key}」设为空（~）表示删除，但上一年度规则集中没有这一项", "'{key}' is set to null (~), which removes it, but last year's ruleset has no such key"),
    "inherit.entry_not_mapping": ("这一项应是键值映射（如 id: 预算执行率 与要修改的设置）", "this entry should be a mapping (e.g. id: 预算执行率 and the settings to change)"),
    "inherit.needs_key": ("每一项修改都要用「{key}」指明修改的是哪一项", "each change must say what it changes by its '{key}'"),
    "inherit.duplicate_change": ("指标「{id}」在本文件中修改了两次，请合并为一项", "indicator '{id}' is changed twice in this file; merge the two entries"),
    "inherit.bad_remove": ("remove 只能写 true（删除这一项）", "remove can only be true (remove this entry)"),
    "inherit.unknown_entry": ("上一年度规则集中没有 {key} 为「{value}」的项，无法删除{suggestion?（是否应为「{suggestion}」？）}", "last year's ruleset has no entry with {key} '{value}' to remove{suggestion? (did you mean '{suggestion}'?)}"),
    "inherit.remove_with_changes": ("「{id}」已标记删除（remove: true），不能同时修改其他设置", "'{id}' is removed (remove: true), so it cannot be changed as well"),
    "inherit.children_in_change": ("修改已有指标「{id}」时不能写 children：对下级指标的修改请按各自的 id 单独列出", "a change to the existing indicator '{id}' cannot list children: change each child by its own id"),
    "inherit.unknown_indicator": ("上一年度规则集中没有指标「{id}」{suggestion?（是否应为「{suggestion}」？）}；如要新增指标，请写明 name 和 weight", "last year's ruleset has no indicator '{id}'{suggestion? (did you mean '{suggestion}'?)}; to add one, give its name and weight"),
    "inherit.unknown_parent": ("parent 指向的指标「{id}」不存在{suggestion?（是否应为「{suggestion}」？）}", "parent names '{id}', which does not exist{suggestion? (did you mean '{suggestion}'?)}"),
    "inherit.move_into_itself": ("不能把指标「{id}」移到它自己或它的下级「{parent}」之下", "'{id}' cannot move under itself or under its own child '{parent}'"),
    "inherit.not_sibling": ("「{id}」不是「{parent}」的下级指标，无法据此确定位置", "'{id}' is not under '{parent}', so it cannot fix the position"),
    "inherit.not_top_level": ("「{id}」不是一级指标，无法据此确定位置", "'{id}' is not a top-level indicator, so it cannot fix the position"),
    "inherit.bad_reference": ("「{key}」应写指标的 id", "'{key}' should be an indicator id"),
    "inherit.after_and_before": ("after 和 before 只能写其中一个", "give after or before, not both"),
}

MESSAGES.update({
    # test cases (jixiao test)
    "cases.summary": ("{file}：{count} 个用例，{passed} 个通过，{failed} 个失败", "{file}: {count} case(s), {passed} passed, {failed} failed"),
    "cases.none": ("{file}：没有测试用例（可在规则集中加入 cases:，见 docs/years.md）", "{file}: no test cases (add cases: to the ruleset; see docs/years.md)"),
    "cases.passed": ("通过  {name}：{total} 分，{grade}", "pass  {name}: {total} points, {grade}"),
    "cases.failed": ("失败  {name}（{where}）", "FAIL  {name} ({where})"),
    "cases.diff_total": ("总分：期望 {expected}，实际 {actual}", "total: expected {expected}, actual {actual}"),
    "cases.diff_grade": ("等级：期望 {expected}，实际 {actual}", "grade: expected {expected}, actual {actual}"),
    "cases.diff_score": ("「{name}」得分：期望 {expected}，实际 {actual}", "score of '{name}': expected {expected}, actual {actual}"),
    "cases.unknown_indicator": ("用例检验的指标「{name}」在规则集中不存在{suggestion?（是否应为「{suggestion}」？）}", "the case checks '{name}', which the ruleset does not have{suggestion? (did you mean '{suggestion}'?)}"),
    "cases.data_not_found": ("用例的数据文件不存在：{path}（路径相对于规则集文件）", "the case's data file does not exist: {path} (paths are relative to the ruleset file)"),
    "cases.reference_mismatch": ("「{name}」的公式 {formula} 在本用例上的计算结果与参考求值器（simpleeval）不一致：{compiled} ≠ {reference}。这是 jixiao 的缺陷，请报告维护者", "the formula {formula} of '{name}' gives {compiled} on this case, but the reference evaluator (simpleeval) gives {reference}: a defect in jixiao, please report it"),
    "cases.coverage": ("覆盖情况：", "Coverage:"),
    "cases.cov_indicators": ("指标得分：{total} 项末级指标中 {covered} 项的得分有用例检验{missing?；未检验：{missing}}", "indicator scores: {covered} of {total} leaf indicators have their score checked by a case{missing?; not checked: {missing}}"),
    "cases.cov_grades": ("等级：{total} 档中 {covered} 档有用例达到{missing?；未达到：{missing}}", "grades: {covered} of {total} grade bands are reached by a case{missing?; not reached: {missing}}"),
    "cases.cov_branches": ("计分分支：{total} 个中 {covered} 个有用例走到{missing?；以下分支没有用例走到：}", "scoring branches: {covered} of {total} are taken by a case{missing?; no case takes these:}"),
    "cases.cov_branch_line": ("{name}（{method}）：{branches}", "{name} ({method}): {branches}"),
    # scoring branches, as coverage names them
    "branch.met": ("达标得满分", "met (full marks)"),
    "branch.partial": ("部分得分", "partial score"),
    "branch.zero": ("得 0 分", "zero"),
    "branch.missed": ("未达标", "missed"),
    "branch.full": ("满分", "full marks"),
    "branch.deducted": ("扣分", "points deducted"),
    "branch.floor": ("扣至下限", "deducted to the floor"),
    "branch.computed": ("按公式计算", "computed by the formula"),
    "branch.otherwise": ("不在任何一档", "in no band"),
    "branch.band": ("第 {n} 档", "band {n}"),
})

MESSAGES.update({
    # show
    "show.resolved_of": ("完整规则集（已合并继承链）：{file}", "the complete resolved ruleset: {file}"),
    "show.chain": ("继承链：{chain}", "inheritance chain: {chain}"),
    "show.provenance": ("每个值后的注释是它的来源：文件:行（年度）", "the comment after each value says where it came from: file:line (year)"),
    "show.merged": ("已合并在下面", "already merged in below"),
    "show.meta": ("年度 {year} · {kind} · 满分 {total}", "year {year} · {kind} · {total} points"),
    "show.col_name": ("指标", "Indicator"),
    "show.col_weight": ("分值", "Weight"),
    "show.col_target": ("年度指标值", "Target"),
    "show.col_method": ("计分方法", "Scoring"),
    "show.method_bands": ("{method}（{count} 档）", "{method} ({count} bands)"),
    "show.grades": ("等级：{grades}", "grades: {grades}"),
    "show.cases": ("测试用例：{count} 个（用 jixiao test 运行）", "test cases: {count} (run them with jixiao test)"),
})

MESSAGES.update({
    # diff: the changes
    "diff.header": ("规则集变化：{old} → {new}", "Changes: {old} → {new}"),
    "diff.none": ("两个规则集的评分办法相同，没有变化", "the two rulesets score alike: no changes"),
    "diff.count": ("共 {count} 项变化", "{count} change(s)"),
    "diff.indicator_added": ("新增指标「{name}」{parent?（属于「{parent}」）}，分值 {weight}", "indicator '{name}' added{parent? under '{parent}'}, weight {weight}"),
    "diff.indicator_removed": ("删除指标「{name}」{parent?（原属于「{parent}」）}，原分值 {weight}", "indicator '{name}' removed{parent? from under '{parent}'}, weight was {weight}"),
    "diff.indicator_moved": ("「{name}」的上级指标：{old} → {new}", "'{name}' moved: {old} → {new}"),
    "diff.indicator_renamed": ("指标「{old}」更名为「{new}」", "indicator '{old}' renamed '{new}'"),
    "diff.indicator_reweighted": ("「{name}」分值：{old} → {new}", "'{name}' reweighted: {old} → {new}"),
    "diff.target_changed": ("「{name}」年度指标值：{old} → {new}", "'{name}' target: {old} → {new}"),
    "diff.scoring_changed": ("「{name}」计分方法：{old} → {new}", "'{name}' scoring: {old} → {new}"),
    "diff.default_scoring_changed": ("指标性质为 {operator} 的指标默认计分方法：{old} → {new}", "default scoring of {operator} indicators: {old} → {new}"),
    "diff.actual_changed": ("「{name}」实际值的计算公式：{old} → {new}", "'{name}' actual value formula: {old} → {new}"),
    "diff.indicator_field": ("「{name}」的 {field}：{old} → {new}", "'{name}' {field}: {old} → {new}"),
    "diff.total_changed": ("满分：{old} → {new}", "full marks: {old} → {new}"),
    "diff.grade_added": ("新增等级「{label}」（≥ {min}）", "grade '{label}' added (≥ {min})"),
    "diff.grade_removed": ("删除等级「{label}」（原为 ≥ {min}）", "grade '{label}' removed (was ≥ {min})"),
    "diff.grade_changed": ("等级「{label}」的下限：{old} → {new}", "grade '{label}' starts at {new} instead of {old}"),
    "diff.metric_added": ("新增派生指标「{name}」= {formula}", "derived metric '{name}' added: {formula}"),
    "diff.metric_removed": ("删除派生指标「{name}」", "derived metric '{name}' removed"),
    "diff.metric_changed": ("派生指标「{name}」：{old} → {new}", "derived metric '{name}': {old} → {new}"),
    "diff.input_added": ("新增输入项「{name}」", "input '{name}' added"),
    "diff.input_removed": ("删除输入项「{name}」", "input '{name}' removed"),
    "diff.input_changed": ("输入项「{name}」的声明有变化", "the declaration of input '{name}' changed"),
    "diff.table_added": ("新增数据表「{name}」", "table '{name}' added"),
    "diff.table_removed": ("删除数据表「{name}」", "table '{name}' removed"),
    "diff.table_changed": ("数据表「{name}」的声明有变化", "the declaration of table '{name}' changed"),
    "diff.rounding_changed": ("四舍五入：保留 {old_places} 位小数（{old_scope}）→ 保留 {new_places} 位小数（{new_scope}）", "rounding: {old_places} places ({old_scope}) → {new_places} places ({new_scope})"),
    "diff.deviations_changed": ("偏差分析规则有变化（超指标值比例 {old} → {new}）", "the deviation policy changed (exceed ratio {old} → {new})"),
    "diff.check_added": ("新增校验规则「{id}」", "check '{id}' added"),
    "diff.check_removed": ("删除校验规则「{id}」", "check '{id}' removed"),
    "diff.check_changed": ("校验规则「{id}」有变化", "check '{id}' changed"),
    "diff.top_level": ("（一级指标）", "(top level)"),
    "diff.nothing": ("（无）", "(none)"),
    "diff.otherwise": ("其余", "otherwise"),
    "diff.ratio": ("分值×{ratio}", "weight×{ratio}"),
    "diff.on_completion": ("完成率", "completion"),
    "diff.on_deviation": ("偏离率", "deviation"),
    "diff.method_params": ("{method}（{params}）", "{method} ({params})"),
    # diff: the impact on units
    "diff.impact": ("对得分的影响：", "Impact on scores:"),
    "diff.unit": ("{name}（{file}）", "{name} ({file})"),
    "diff.score_under": ("{ruleset}：{total} 分，{grade}", "{ruleset}: {total} points, {grade}"),
    "diff.cannot_evaluate": ("{ruleset}：无法评价，数据有以下问题：", "{ruleset}: cannot be evaluated; the data has these problems:"),
    "diff.skipped": ("按 {ruleset} 评价时略过只属于另一规则集的数据：{names}", "under {ruleset}, data only the other ruleset declares is left out: {names}"),
    "diff.delta_same_grade": ("总分 {delta}，等级不变", "total {delta}, grade unchanged"),
    "diff.delta_new_grade": ("总分 {delta}，等级 {old} → {new}", "total {delta}, grade {old} → {new}"),
    "diff.movement": ("「{name}」{old} → {new}（{delta}）：由变化 {changes} 引起", "'{name}' {old} → {new} ({delta}): moved by change {changes}"),
    "diff.movement_other": ("「{name}」{old} → {new}（{delta}）：不是由上列变化直接引起", "'{name}' {old} → {new} ({delta}): not directly caused by the changes listed"),
    "diff.residual": ("其他（合计的四舍五入、按适用指标折算等）：{delta}", "other (rounding of the total, rescaling to the applicable indicators, …): {delta}"),
    "diff.grade_by": ("等级变化与变化 {changes}（等级档次调整）有关", "the grade moved with change {changes} (grade bands)"),
    "diff.no_movement": ("各项得分均不变", "no indicator score moved"),
    # scoring methods by name (diff, show)
    "method.proportional": ("正向比例计分", "proportional"),
    "method.reverse": ("反向比例计分", "reverse proportional"),
    "method.reverse_linear": ("反向线性递减计分", "reverse, linear decay"),
    "method.threshold": ("达标计分（全有或全无）", "threshold (all or nothing)"),
    "method.bands": ("分档计分", "bands"),
    "method.deduct": ("扣分计分", "deduction"),
    "method.manual": ("评价人打分", "evaluator's score"),
    "method.qualitative": ("定性分档打分", "qualitative levels"),
    "method.formula": ("自定义公式", "custom formula"),
    "method.coefficient": ("得分系数", "score coefficient"),
})

MESSAGES.update({
    # rulesets named by year (jixiao diff 2019 2020 …)
    "inherit.no_year": ("没有 {year} 年度的规则集（在 {folders} 中都找不到文件夹 {year}/）", "no ruleset for {year} (no folder {year}/ in {folders})"),
    "inherit.which_ruleset": ("{year}/ 中有多个规则集（{files}），请写出名称，如 {year}/department", "{year}/ holds several rulesets ({files}); name one, e.g. {year}/department"),
    # schema and init
    "init.exists": ("{path} 已存在，不会覆盖；请换一个 --output 路径或先移走原文件", "{path} already exists and will not be overwritten; choose another --output or move the file first"),
    "init.done": ("已生成 {path}（继承 {parent}）；修改后运行 jixiao validate {path}", "created {path} (extends {parent}); after editing, run jixiao validate {path}"),
    "init.bad_year": ("年度应为四位数字，如 2021", "the year should be four digits, e.g. 2021"),
})

MESSAGES.update({
    # weights broken by a change to an inherited tree, reported at the change
    "inherit.weights_mismatch": ("这一修改后，「{name}」的 {count} 项下级指标分值合计为 {sum}，应为 {weight}（「{name}」的分值写在 {stated}）", "after this change the {count} children of '{name}' weigh {sum} in all; they should weigh {weight} (the weight of '{name}' is stated at {stated})"),
    "inherit.total_mismatch": ("这一修改后，一级指标分值合计为 {sum}，应为 {total}（满分写在 {stated}）", "after this change the top-level weights sum to {sum}; they should sum to {total} (the total is stated at {stated})"),
})
