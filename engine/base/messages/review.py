"""Messages about a form's printed figures (表上印的数): reading `stated:`
(`engine.unit.stated`) and reviewing them against the computed figures
(`engine.evaluation.review`).

Written for a reviewer (审核人员) checking a filled-in form: which printed
figure differs, what the form's own rule gives, by how much, and which rule.
Arguments: `name` the indicator; `stated`, `computed`, `difference` shown as
the form prints them; `method` the scoring method's name in the ruleset;
`rule` where the ruleset states the rule (file:line:col).
"""

_PRINTED_ZH = "【表上数字核对】"
_PRINTED_EN = "[printed figure] "

MESSAGES: dict[str, tuple[str, str]] = {
    # reading `stated:`
    "stated.not_mapping": ("stated（表上印的数）下面应写 total、grade、groups、indicators", "'stated' (the figures the form printed) should hold total, grade, groups, indicators"),
    "stated.unknown_key": ("stated 中有未知的项「{key}」（可以有：{known}）", "unknown key '{key}' under stated (known: {known})"),
    "stated.section_not_mapping": ("stated 的「{section}」下面应逐行写「指标名称: 数字」（或在名称下写 score: 数字）", "'{section}' under stated should list 'indicator: figure' lines (or 'score: figure' under the name)"),
    "stated.entry_not_mapping": ("stated 中指标「{name}」下面应写表上印的 {known}，如 score: 9.36", "under stated, indicator '{name}' should give what the form printed ({known}), e.g. score: 9.36"),
    "stated.unknown_field": ("stated 中指标「{name}」没有「{key}」这一项（可以有：{known}）", "under stated, indicator '{name}' has no '{key}' (known: {known})"),
    "stated.unknown_indicator": ("stated 中的「{name}」不是规则集或指标行中的指标{suggestion?，是否应为「{suggestion}」？}", "'{name}' under stated is not an indicator of the ruleset or the indicator rows{suggestion?; did you mean '{suggestion}'?}"),
    # review findings
    "review.score": (
        _PRINTED_ZH + "「{name}」的得分：表上为 {stated}，按规则 {method}{rule?（{rule}）}应为 {computed}，相差 {difference}",
        _PRINTED_EN + "score of '{name}': the form prints {stated}, but its rule {method}{rule? ({rule})} gives {computed}, a difference of {difference}",
    ),
    "review.score_sum": (
        _PRINTED_ZH + "「{name}」的得分：表上为 {stated}，下级指标得分之和应为 {computed}，相差 {difference}",
        _PRINTED_EN + "score of '{name}': the form prints {stated}, but its indicators' scores add up to {computed}, a difference of {difference}",
    ),
    "review.score_not_applicable": (
        _PRINTED_ZH + "「{name}」不适用，不得分：表上得分为 {stated}，应为 {computed}，相差 {difference}",
        _PRINTED_EN + "'{name}' is not applicable and scores nothing: the form prints {stated}, it should be {computed}, a difference of {difference}",
    ),
    "review.weight": (
        _PRINTED_ZH + "「{name}」的分值：表上为 {stated}，规则{rule?（{rule}）}规定为 {computed}，相差 {difference}",
        _PRINTED_EN + "weight of '{name}': the form prints {stated}, but the rule{rule? ({rule})} sets {computed}, a difference of {difference}",
    ),
    "review.weight_sum": (
        _PRINTED_ZH + "「{name}」的分值：表上为 {stated}，其下各指标分值之和为 {computed}，相差 {difference}",
        _PRINTED_EN + "weight of '{name}': the form prints {stated}, but its indicators' weights add up to {computed}, a difference of {difference}",
    ),
    "review.rate": (
        _PRINTED_ZH + "「{name}」的完成率：表上为 {stated}，{formula?按 {formula} }计算为 {computed}，相差 {difference}",
        _PRINTED_EN + "rate of '{name}': the form prints {stated}, but {formula?{formula} gives }{computed}, a difference of {difference}",
    ),
    "review.rate_unavailable": (
        _PRINTED_ZH + "「{name}」表上印有完成率 {stated}，但实际完成值不是数字（{actual}），无法核对",
        _PRINTED_EN + "the form prints a rate of {stated} for '{name}', but its actual is not a number ({actual}): it cannot be checked",
    ),
    "review.total": (
        _PRINTED_ZH + "总分：表上为 {stated}，各项得分之和应为 {computed}，相差 {difference}",
        _PRINTED_EN + "total: the form prints {stated}, but the scores add up to {computed}, a difference of {difference}",
    ),
    "review.total_rescaled": (
        _PRINTED_ZH + "总分：表上为 {stated}，扣除不适用指标后按比例折算应为 {computed}，相差 {difference}",
        _PRINTED_EN + "total: the form prints {stated}, but rescaled over the applicable indicators it is {computed}, a difference of {difference}",
    ),
    "review.grade": (
        _PRINTED_ZH + "等级：表上为「{stated}」，总分 {total} 按等级区间{rule?（{rule}）}应为「{computed}」{min?（{min} 分及以上）}",
        _PRINTED_EN + "grade: the form prints '{stated}', but a total of {total} falls in the band '{computed}'{min? ({min} and above)}{rule? ({rule})}",
    ),
}

MESSAGES.update({
    # a self-contradictory scheme scored anyway (policy.weights_mismatch: warn)
    "policy.weights_mismatch": (
        "分值不一致：「{name}」写明 {weight} 分，而其 {count} 项下级指标分值合计为 {sum}；按口径照常评分（各项按自身分值计分，「{name}」得分为下级得分之和）",
        "weights do not add up: '{name}' is given {weight} points, but its {count} children weigh {sum} in all; scored as the scheme says (each by its own weight, '{name}' as the sum of their scores)",
    ),
    "policy.total_mismatch": (
        "分值不一致：满分写明 {total} 分，而一级指标分值合计为 {sum}；按口径照常评分（总分为各项得分之和）",
        "weights do not add up: the full marks are {total}, but the top-level weights sum to {sum}; scored as the scheme says (the total is the sum of the scores)",
    ),
    "policy.frame_weights": (
        "分值不一致：「{name}」写明 {weight} 分，而其下 {count} 项三级指标分值合计为 {sum}；按口径照常评分（各项按自身分值计分）",
        "weights do not add up: '{name}' is given {weight} points, but its {count} indicators weigh {sum} in all; scored as the scheme says (each by its own weight)",
    ),
})

MESSAGES.update({
    # policy.unmeasured_actual: met_with_warning | zero_with_warning
    "input.unmeasured_met": (
        "实际完成值未填实测数：「{name}」的实际完成值是「{value}」{target?（年度指标值为 {target}）}，不是实际完成的数字；按口径视为完成，记 {score} 分",
        "actual not measured: the actual of '{name}' is '{value}'{target? (the target is {target})}, not a number achieved; scored as met under the scheme, {score} points",
    ),
    "input.unmeasured_zero": (
        "实际完成值未填实测数：「{name}」的实际完成值是「{value}」{target?（年度指标值为 {target}）}，不是实际完成的数字；按口径记 {score} 分",
        "actual not measured: the actual of '{name}' is '{value}'{target? (the target is {target})}, not a number achieved; scored {score} points under the scheme",
    ),
})

MESSAGES.update({
    # design lints (engine/ruleset/lints.py)
    "lint.unknown": ("lints 中没有「{id}」这项检查{suggestion?，是否应为「{suggestion}」？}（可用：{known}）", "there is no design lint '{id}' under lints{suggestion?; did you mean '{suggestion}'?} (known: {known})"),
    "lint.unknown_option": ("没有「{id}」这项指标设计检查{suggestion?，是否应为「{suggestion}」？}（可用：{known}）", "there is no design lint '{id}'{suggestion?; did you mean '{suggestion}'?} (known: {known})"),
    "lint.money_as_quantity": (
        "【指标设计 money_as_quantity】「{name}」以金额（{unit}）作为数量指标：资金是投入，不是产出；请改为反映产出数量的指标，或放入成本指标",
        "[design money_as_quantity] '{name}' is a quantity indicator measured in money ({unit}): spending is an input, not an output; measure what was produced, or move it under the cost indicators",
    ),
    "lint.execution_rate_as_output": (
        "【指标设计 execution_rate_as_output】产出指标「{name}」重复了预算执行率：执行率已在预算执行一项单独计分，不应再作为产出指标",
        "[design execution_rate_as_output] the output indicator '{name}' repeats the execution rate, which is already scored in its own row",
    ),
    "lint.target_without_unit": (
        "【指标设计 target_without_unit】定量指标「{name}」的指标值 {target} 没有计量单位：请写明单位（人、场、个、%…）",
        "[design target_without_unit] the quantitative target {target} of '{name}' has no unit: give one (人, 场, 个, % …)",
    ),
    "lint.qualitative_proportional": (
        "【指标设计 qualitative_proportional】「{name}」是定性的判断，却按比例计分（{method}）：请改为定性分档或达标计分",
        "[design qualitative_proportional] '{name}' is a judgement but is scored by a ratio ({method}): score it by qualitative levels or as met / not met",
    ),
})

MESSAGES.update({
    # the review lines of the summary across projects (evaluate <folder>)
    "summary.review_head": ("审核：{forms} 份表印有得分，其中 {misprinted} 份有印错的数（按错误数、最大差额排序）：", "review: {forms} form(s) carry printed figures, {misprinted} with wrong ones (most wrong first):"),
    "summary.review_row": ("  {name}（{file}）：表上总分 {printed}，计算总分 {total}，错 {wrong} 处，最大差额 {largest}", "  {name} ({file}): printed total {printed}, computed {total}, {wrong} wrong, largest difference {largest}"),
})
