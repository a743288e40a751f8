"""Every user-facing sentence, in Chinese and English (消息目录).

Diagnostics and findings carry a code and arguments; the words are here, written
for a policy officer. `format_message(code, args, lang)` fills them in. A test
checks every code used in the engine has both languages.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping

_TYPE_WORDS = {
    "zh": {"integer": "整数", "number": "数字", "text": "文字", "boolean": "true 或 false", "mapping": "键值映射（名称: 值）", "list": "列表（每项以 - 开头）"},
    "en": {"integer": "a whole number", "number": "a number", "text": "text", "boolean": "true or false", "mapping": "a mapping (name: value)", "list": "a list (items starting with -)"},
}

# code → (Chinese, English)
CATALOG: dict[str, tuple[str, str]] = {
    # loading
    "load.not_found": ("找不到文件：{path}", "file not found: {path}"),
    "load.is_directory": ("这是一个文件夹，不是文件：{path}", "this is a folder, not a file: {path}"),
    "load.unreadable": ("无法读取文件 {path}：{reason}", "cannot read {path}: {reason}"),
    "load.too_large": ("文件超过 {limit_mb} MB 上限，拒绝读取", "file is larger than the {limit_mb} MB limit; refused"),
    "load.binary": ("这不是文本文件（含有 NUL 字节）", "this is not a text file (it contains NUL bytes)"),
    "load.encoding": ("文件编码无法识别：第 {byte} 字节起既不是 UTF-8 也不是 GBK/GB18030，请另存为 UTF-8", "unknown text encoding: from byte {byte} the file is neither UTF-8 nor GBK/GB18030; save it as UTF-8"),
    "load.syntax": ("YAML 格式错误：{problem}", "YAML syntax error: {problem}"),
    "load.alias": ("不允许使用别名 *{name}：请把内容直接写出来", "aliases (*{name}) are not allowed: write the content out"),
    "load.anchor": ("不允许使用锚点 &{name}：请把内容直接写出来", "anchors (&{name}) are not allowed: write the content out"),
    "load.tag": ("不允许使用标签 {tag}", "tags such as {tag} are not allowed"),
    "load.too_deep": ("嵌套层级超过 {limit} 层，拒绝读取", "nesting deeper than {limit} levels; refused"),
    "load.duplicate_key": ("重复的键「{key}」（第 {first} 行已出现）", "duplicate key '{key}' (already on line {first})"),
    "load.complex_key": ("键必须是简单的名称，不能是列表或映射", "a key must be a plain name, not a list or mapping"),
    "load.bad_key": ("键「{key}」无效：键必须是名称", "invalid key '{key}': a key must be a name"),
    "load.multiple_documents": ("一个文件只能包含一个 YAML 文档（不要使用 ---）", "a file may hold only one YAML document (no second ---)"),
    # schema
    "schema.unknown_key": ("未知的设置项「{key}」{suggestion?，是否应为「{suggestion}」？}（可用：{known}）", "unknown key '{key}'{suggestion?; did you mean '{suggestion}'?} (known: {known})"),
    "schema.missing_key": ("缺少必填项「{key}」", "missing required key '{key}'"),
    "schema.bad_choice": ("「{key}」的值「{value}」不在可选范围内：{expected}", "'{key}' cannot be '{value}': expected {expected}"),
    "schema.bad_type": ("「{key}」应为{expected}，实际是「{value}」", "'{key}' should be {expected}, not '{value}'"),
    "schema.out_of_range": ("「{key}」的值「{value}」超出范围（{detail}）", "'{key}' value '{value}' is out of range ({detail})"),
    "schema.invalid": ("「{key}」无效：{detail}", "'{key}' is invalid: {detail}"),
    # ruleset semantics
    "ruleset.not_mapping": ("规则集应是一个键值映射（id、title、indicators 等）", "a ruleset must be a mapping (id, title, indicators, …)"),
    "ruleset.total_mismatch": ("一级指标分值合计为 {sum}，应为 {total}", "the top-level weights sum to {sum}; they should sum to {total}"),
    "ruleset.weights_mismatch": ("「{name}」的 {count} 项下级指标分值合计为 {sum}，应为 {weight}", "the {count} children of '{name}' weigh {sum} in all; they should weigh {weight}"),
    "ruleset.negative_weight": ("「{name}」的分值不能为负数", "the weight of '{name}' cannot be negative"),
    "ruleset.duplicate_id": ("指标「{id}」重复（第 {first} 行已有同名指标）；请用 id 区分", "indicator '{id}' appears twice (first on line {first}); give each an id"),
    "ruleset.no_grades": ("没有设置评价等级（grades）", "no grade bands (grades) are set"),
    "ruleset.grade_duplicate": ("等级「{label}」重复", "grade '{label}' appears twice"),
    "ruleset.grade_order": ("等级应从高到低排列：「{label}」的下限不低于「{previous}」", "grades go from highest to lowest: '{label}' starts no lower than '{previous}'"),
    "ruleset.grade_gap": ("等级「{label}」与上一档之间有空档：{low} 至 {high} 分不属于任何等级", "grade '{label}' leaves a gap: totals from {low} to {high} fall in no grade"),
    "ruleset.grade_overlap": ("等级「{label}」的上限 {value} 与上一档「{other}」重叠（上一档从 {high} 开始）", "grade '{label}' reaches {value}, overlapping '{other}' which starts at {high}"),
    "ruleset.grade_below_zero": ("最低等级「{label}」的下限应为 0", "the lowest grade '{label}' should start at 0"),
    "ruleset.bad_name": ("名称「{name}」不能在公式中使用：只能包含汉字、字母、数字和下划线，且不以数字开头（不要用括号、空格或标点）", "the name '{name}' cannot be used in formulas: use letters (Chinese included), digits and _, not starting with a digit (no brackets, spaces or punctuation)"),
    "ruleset.name_taken": ("名称「{name}」已被输入项或数据表使用", "the name '{name}' is already used by an input or table"),
    "ruleset.metric_cycle": ("派生指标相互引用，形成循环：{cycle}", "derived metrics refer to each other in a cycle: {cycle}"),
    "ruleset.branch_scored": ("「{name}」有下级指标，其得分是下级得分之和，不能再设置 actual 或 scoring", "'{name}' has children; its score is their sum, so it cannot have its own actual or scoring"),
    "ruleset.no_method": ("末级指标「{name}」没有计分方法：请设置 scoring，或设置指标性质 operator（≥ ≤ = 定性）", "leaf indicator '{name}' has no scoring: set scoring, or an operator (≥ ≤ = 定性)"),
    "ruleset.unknown_method": ("未知的计分方法「{method}」{suggestion?，是否应为「{suggestion}」？}（可用：{known}）", "unknown scoring method '{method}'{suggestion?; did you mean '{suggestion}'?} (known: {known})"),
    "ruleset.no_target": ("「{name}」按 {method} 计分，需要数值型的年度指标值（target）", "'{name}' is scored by {method} and needs a numeric target"),
    "ruleset.target_not_number": ("「{name}」按 {method} 计分，年度指标值「{target}」应为数字（如 100%、15000）", "'{name}' is scored by {method}; its target '{target}' should be a number (e.g. 100%, 15000)"),
    "ruleset.unknown_table": ("未声明的数据表「{table}」{suggestion?，是否应为「{suggestion}」？}", "undeclared table '{table}'{suggestion?; did you mean '{suggestion}'?}"),
    "ruleset.unknown_column": ("数据表「{table}」没有栏目「{column}」{suggestion?，是否应为「{suggestion}」？}", "table '{table}' has no column '{column}'{suggestion?; did you mean '{suggestion}'?}"),
    "ruleset.duplicate_check": ("校验规则 id「{id}」重复", "check id '{id}' appears twice"),
    # formulas
    "formula.too_long": ("公式过长（{length} 个字符，上限 {limit}）", "formula too long ({length} characters; limit {limit})"),
    "formula.fullwidth": ("公式中有全角符号「{char}」，请改为半角「{ascii}」", "full-width '{char}' in the formula; type '{ascii}' instead"),
    "formula.empty": ("公式为空", "the formula is empty"),
    "formula.syntax": ("公式「{formula}」写法有误：这里无法识别（公式只能是一个算式，例如 全年执行数 / 全年预算数）", "formula '{formula}' cannot be read here (a formula is one expression, e.g. 全年执行数 / 全年预算数)"),
    "formula.too_complex": ("公式过于复杂（超过 {limit} 个元素）", "formula too complex (more than {limit} elements)"),
    "formula.too_deep": ("公式嵌套过深（超过 {limit} 层）", "formula nested too deeply (more than {limit} levels)"),
    "formula.not_number": ("公式中只能使用数字，不能使用文字 {value}", "formulas may use numbers only, not text such as {value}"),
    "formula.attribute": ("公式中不允许访问属性（.）", "attribute access (.) is not allowed in formulas"),
    "formula.function_as_name": ("「{name}」是函数，应写成 {name}(…)", "'{name}' is a function; call it as {name}(…)"),
    "formula.unknown_name": ("公式中的名称「{name}」未定义{suggestion?，是否应为「{suggestion}」？}", "unknown name '{name}' in the formula{suggestion?; did you mean '{suggestion}'?}"),
    "formula.text_name": ("「{name}」是文字型数据，不能参与计算", "'{name}' is text and cannot be used in arithmetic"),
    "formula.operator": ("公式中不允许使用运算符 {op}（可用：+ - * / ** 比较 and or not）", "operator {op} is not allowed in formulas (allowed: + - * / ** comparisons and or not)"),
    "formula.power": ("乘方 ** 的指数只能是不超过 {limit} 的整数", "the exponent of ** must be a whole number no greater than {limit}"),
    "formula.call": ("只能调用内置函数（min、max、abs、clamp、round_half_up）", "only the built-in functions can be called (min, max, abs, clamp, round_half_up)"),
    "formula.unknown_function": ("未知函数「{name}」{suggestion?，是否应为「{suggestion}」？}（可用：{known}）", "unknown function '{name}'{suggestion?; did you mean '{suggestion}'?} (available: {known})"),
    "formula.call_keywords": ("函数 {name} 只接受按位置给出的参数", "function {name} takes positional arguments only"),
    "formula.arity": ("函数 {name} 需要 {min} 至 {max} 个参数，这里给了 {given} 个", "function {name} takes {min} to {max} arguments; {given} given"),
    "formula.syntax_not_allowed": ("公式中不允许使用此写法（{kind}）", "this construct ({kind}) is not allowed in formulas"),
    # input data
    "input.not_mapping": ("数据文件应是一个键值映射（subject、inputs、tables、indicators）", "a data file must be a mapping (subject, inputs, tables, indicators)"),
    "input.unknown_key": ("数据文件中未知的项「{key}」{suggestion?，是否应为「{suggestion}」？}（可用：{known}）", "unknown key '{key}' in the data file{suggestion?; did you mean '{suggestion}'?} (known: {known})"),
    "input.no_subject": ("缺少被评价单位名称（subject: 单位名称）", "the unit's name is missing (subject: name)"),
    "input.section_not_mapping": ("「{section}」应是键值映射（名称: 值）", "'{section}' should be a mapping (name: value)"),
    "input.unknown_input": ("规则集没有声明输入项「{name}」{suggestion?，是否应为「{suggestion}」？}", "the ruleset declares no input '{name}'{suggestion?; did you mean '{suggestion}'?}"),
    "input.missing": ("缺少必填数据「{label}」（{name}）", "required figure '{label}' ({name}) is missing"),
    "input.required_empty": ("「{label}」为必填项，不能留空", "'{label}' is required and cannot be empty"),
    "input.not_number": ("「{label}」应为数字，这里是「{value}」", "'{label}' should be a number, not '{value}'"),
    "input.not_text": ("「{label}」应为文字", "'{label}' should be text"),
    "input.not_integer": ("「{label}」应为整数，这里是「{value}」", "'{label}' should be a whole number, not '{value}'"),
    "input.negative": ("「{label}」不能为负数（{value}）", "'{label}' cannot be negative ({value})"),
    "input.unexpected_percent": ("「{label}」不是百分比，不应带 %（{value}）", "'{label}' is not a percentage; remove the % ({value})"),
    "input.percent_ambiguous": ("「{label}」是百分比，请写成 {value}% 或小数形式（如 0.95），这里的「{value}」含义不明", "'{label}' is a percentage: write {value}% or a fraction (e.g. 0.95); '{value}' is ambiguous"),
    "input.missing_table": ("缺少数据表「{label}」（{table}）", "table '{label}' ({table}) is missing"),
    "input.unknown_table": ("规则集没有声明数据表「{table}」{suggestion?，是否应为「{suggestion}」？}", "the ruleset declares no table '{table}'{suggestion?; did you mean '{suggestion}'?}"),
    "input.row_not_mapping": ("数据表「{table}」的每一行应是键值映射（name 与各栏目）", "each row of table '{table}' should be a mapping (name and columns)"),
    "input.row_no_name": ("数据表「{table}」中有一行缺少名称（name）", "a row of table '{table}' has no name"),
    "input.unknown_column": ("数据表「{table}」没有栏目「{column}」{suggestion?，是否应为「{suggestion}」？}", "table '{table}' has no column '{column}'{suggestion?; did you mean '{suggestion}'?}"),
    "input.unknown_category": ("数据表「{table}」没有类别「{category}」{suggestion?，是否应为「{suggestion}」？}（可用：{known}）", "table '{table}' has no category '{category}'{suggestion?; did you mean '{suggestion}'?} (known: {known})"),
    "input.rows_not_list": ("数据表「{table}」的 rows 应是列表", "rows of table '{table}' should be a list"),
    "input.unknown_indicator": ("规则集中没有指标「{name}」{suggestion?，是否应为「{suggestion}」？}", "the ruleset has no indicator '{name}'{suggestion?; did you mean '{suggestion}'?}"),
    "input.entry_not_mapping": ("指标「{name}」的数据应是键值映射（actual、score、explanation 等）", "the data for '{name}' should be a mapping (actual, score, explanation, …)"),
    "input.unknown_entry_key": ("未知的指标数据项「{key}」{suggestion?，是否应为「{suggestion}」？}（可用：{known}）", "unknown indicator field '{key}'{suggestion?; did you mean '{suggestion}'?} (known: {known})"),
    "input.actual_is_computed": ("指标「{name}」的实际值由规则集公式计算，数据中不应填写", "the actual of '{name}' is computed by the ruleset; do not give it in the data"),
    "input.actual_not_number": ("指标「{name}」是定量指标，实际完成值应为数字，这里是「{value}」（不要照抄指标值）", "'{name}' is quantitative: its actual should be a number, not '{value}' (do not copy the target)"),
    "input.missing_actual": ("缺少指标「{name}」的实际完成值（actual）", "the actual value (actual) of '{name}' is missing"),
    "input.missing_score": ("指标「{name}」需要评价人给出得分（score）", "'{name}' needs the evaluator's score (score)"),
    "input.missing_coefficient": ("指标「{name}」需要得分系数（coefficient）", "'{name}' needs a score coefficient (coefficient)"),
    # evaluation
    "eval.division_by_zero": ("无法计算「{name}」：公式 {formula} 中除数为零（{zero} 为 0）", "cannot compute '{name}': {formula} divides by zero ({zero} is 0)"),
    "eval.overflow": ("无法计算「{name}」：公式 {formula} 的结果过大", "cannot compute '{name}': {formula} overflows"),
    "eval.missing_value": ("无法计算「{name}」：公式 {formula} 缺少数据 {missing}", "cannot compute '{name}': {formula} lacks {missing}"),
    "eval.type_error": ("无法计算「{name}」：公式 {formula} 的数据类型不对", "cannot compute '{name}': {formula} has data of the wrong kind"),
    # scoring
    "score.no_actual": ("指标「{name}」没有可用的实际值", "'{name}' has no actual value to score"),
    "score.no_target": ("指标「{name}」没有数值型目标值", "'{name}' has no numeric target"),
    "score.threshold_qualitative": ("指标「{name}」是定性指标，不能按达标方式计分", "'{name}' is qualitative and cannot be scored as a threshold"),
    "score.target_zero_ratio": ("指标「{name}」目标值为 0，无法计算完成比例", "'{name}' has a target of 0, so no completion ratio exists"),
    "score.no_manual_score": ("指标「{name}」需要评价人给出得分（score）", "'{name}' needs the evaluator's score (score)"),
    "score.manual_not_number": ("指标「{name}」的得分应为数字，这里是「{value}」", "the score of '{name}' should be a number, not '{value}'"),
    "score.manual_out_of_range": ("指标「{name}」的得分 {score} 超出范围 [{min}, {max}]", "the score {score} of '{name}' is outside [{min}, {max}]"),
    "score.unknown_level": ("指标「{name}」的评价档次「{level}」不存在（可用：{levels}）", "'{name}' has no level '{level}' (levels: {levels})"),
    "score.outside_level": ("指标「{name}」评为「{level}」，得分应在 [{low}, {high}{bracket} 之间，这里是 {score}", "'{name}' is rated '{level}', so its score must lie in [{low}, {high}{bracket}; it is {score}"),
    "score.formula_out_of_range": ("指标「{name}」的计分公式得出 {score}，超出 0 至 {max} 分", "the scoring formula of '{name}' gives {score}, outside 0 to {max}"),
    "score.no_coefficient": ("指标「{name}」需要得分系数（coefficient）", "'{name}' needs a score coefficient (coefficient)"),
    "score.bad_coefficient": ("指标「{name}」的得分系数应在 0 至 1 之间，这里是「{value}」", "the coefficient of '{name}' must lie in [0, 1]; it is '{value}'"),
    # scoring steps (explain)
    "step.met": ("实际值 {actual} {op} 目标值 {target}，得满分 {score}", "actual {actual} {op} target {target}: full marks {score}"),
    "step.missed": ("实际值 {actual} 未达到 {op} {target}，得 {score} 分", "actual {actual} does not meet {op} {target}: {score}"),
    "step.zero": ("实际值 {actual}，得 0 分", "actual {actual}: 0"),
    "step.ratio": ("{weight} × {actual} ÷ {target} = {score}", "{weight} × {actual} ÷ {target} = {score}"),
    "step.reverse_ratio": ("{weight} × {target} ÷ {actual} = {score}", "{weight} × {target} ÷ {actual} = {score}"),
    "step.linear_decay": ("{weight} × (1 − ({actual} − {target}) ÷ {target}) = {score}", "{weight} × (1 − ({actual} − {target}) ÷ {target}) = {score}"),
    "step.band": ("取值 {value} 落在第 {band} 档，得 {score} 分", "value {value} falls in band {band}: {score}"),
    "step.no_band": ("取值 {value} 不在任何一档，得 {score} 分", "value {value} is in no band: {score}"),
    "step.deduct": ("差距 {gap}，每 {step} 扣 {points} 分，共 {steps} 档：{weight} − {points} × {steps} = {score}（不低于下限）", "gap {gap}, {points} off per {step}, {steps} steps: {weight} − {points} × {steps} = {score} (not below the floor)"),
    "step.manual": ("评价人打分 {score}（上限 {max}）", "evaluator's score {score} (at most {max})"),
    "step.level": ("评为「{level}」，得 {score} 分", "rated '{level}': {score}"),
    "step.formula": ("按公式 {expr} 计算，得 {score} 分", "by the formula {expr}: {score}"),
    "step.coefficient": ("{weight} × 得分系数 {coefficient} = {score}", "{weight} × coefficient {coefficient} = {score}"),
    # findings
    "check.mismatch": ("【{check}】{where}：填报 {stated}，计算应为 {computed}，相差 {difference}", "[{check}] {where}: stated {stated}, but it computes to {computed}, a difference of {difference}"),
    "check.rounding": ("【{check}】{where}：填报 {stated}，计算为 {computed}，相差 {difference}（在四舍五入误差范围内）", "[{check}] {where}: stated {stated}, computed {computed}, a difference of {difference} (within rounding)"),
    "deviation.unexplained": ("指标「{name}」{kind}，但没有说明原因（explanation）", "'{name}' is {kind} but no reason is given (explanation)"),
    # CLI
    "cli.internal": ("内部错误：{error}。请加 --debug 重新运行并把输出发给维护者", "internal error: {error}. Rerun with --debug and send the output to the maintainers"),
    "cli.problems": ("发现 {count} 个问题", "{count} problem(s) found"),
    "cli.valid": ("{file}：规则集有效（{indicators} 项指标，满分 {total}）", "{file}: ruleset is valid ({indicators} indicators, {total} points)"),
    "cli.no_ruleset": ("数据文件没有指定规则集：请用 --ruleset 指定", "the data file names no ruleset: give one with --ruleset"),
    "cli.written": ("已写入 {path}", "written to {path}"),
    "cli.output_failed": ("无法写入 {path}：{reason}", "cannot write {path}: {reason}"),
}

_KIND_EN = {"未完成": "below target", "超额": "well above target", "需说明": "to be explained"}


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text or "0"
    if value is None:
        return ""
    return str(value)


def format_message(code: str, args: Mapping[str, Any], lang: str = "zh") -> str:
    """The sentence for `code` in `lang`, with `args` filled in.

    `{name?text}` includes `text` only when `name` is non-empty (for "did you
    mean" and other optional parts)."""
    pair = CATALOG.get(code)
    if pair is None:
        return f"{code} {dict(args)}"
    template = pair[1] if lang == "en" else pair[0]
    words = _TYPE_WORDS["en" if lang == "en" else "zh"]
    values = {k: _text(v) for k, v in args.items()}
    if "expected" in values and values["expected"] in words:
        values["expected"] = words[values["expected"]]
    if lang == "en" and "kind" in values:
        values["kind"] = _KIND_EN.get(values["kind"], values["kind"])
    return _fill(template, values)


def _fill(template: str, values: Mapping[str, str]) -> str:
    out: list[str] = []
    i = 0
    while i < len(template):
        ch = template[i]
        if ch == "{":
            end = _matching(template, i)
            inner = template[i + 1 : end]
            if "?" in inner:
                name, _, rest = inner.partition("?")
                if values.get(name):
                    out.append(_fill(rest, values))
            else:
                out.append(values.get(inner, "{" + inner + "}"))
            i = end + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _matching(text: str, start: int) -> int:
    depth = 0
    for j in range(start, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(text) - 1
