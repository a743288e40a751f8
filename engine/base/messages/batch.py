"""Messages of batch evaluation: table columns, line rows, JSONL records, the summary."""

# code → (Chinese, English)
MESSAGES: dict[str, tuple[str, str]] = {
    "batch.unknown_column": (
        "表头「{header}」不对应规则集中的任何输入项、表格数字或指标{suggestion?，是否应为「{suggestion}」？}（可在 batch: columns: 中映射，或映射为 null 以忽略此列）",
        "the header '{header}' matches no input, table figure or indicator of the ruleset{suggestion?; did you mean '{suggestion}'?} (map it in batch: columns:, or map it to null to ignore the column)",
    ),
    "batch.unknown_target": (
        "列映射把「{header}」映射到「{name}」，但规则集中没有这个名称{suggestion?，是否应为「{suggestion}」？}",
        "the column mapping maps '{header}' to '{name}', which the ruleset does not have{suggestion?; did you mean '{suggestion}'?}",
    ),
    "batch.unheaded_column": (
        "第 {column} 列没有表头，但其中有内容（如第 {row} 行）：无法知道这是什么数据；请填写表头，或删去这一列",
        "column {column} has no header, yet it holds data (row {row}, for one): what it is cannot be known; write its header, or delete the column",
    ),
    "batch.duplicate_column": ("表头「{header}」与第 {other} 列填写的是同一项数据", "the header '{header}' fills the same figure as column {other}"),
    "batch.no_key_column": ("找不到关键列「{header}」（用来把明细行对应到单位）", "the key column '{header}' (which joins line rows to their unit) is missing"),
    "batch.bad_into": ("明细行的去处「{into}」无效：应为 tables.<表名>（可用：{tables}）或数据文件的顶层键", "line rows cannot go into '{into}': use tables.<table> ({tables}) or a top-level key of the data"),
    "batch.cell_too_long": ("这个单元格有 {length} 个字符，超过上限 {limit}：表格中的一格不会有这么长，请检查", "this cell holds {length} characters, more than the limit of {limit}: no cell of a form is this long; check it"),
    "batch.control_in_name": ("文件名中有不可见的控制字符 {char}：请给文件改名", "the file name holds an invisible control character {char}: rename the file"),
    "batch.workbook_too_large": ("这个 Excel 工作簿解压后有 {mb} MB，超过上限 {limit} MB，不读取", "this Excel workbook unpacks to {mb} MB, over the limit of {limit} MB; not read"),
    "batch.too_many_columns": ("工作表用到第 {columns} 列，超过上限 {limit} 列：表格不会这么宽，请检查", "the sheet reaches column {columns}, beyond the limit of {limit}: no form is this wide; check it"),
    "batch.orphan_row": ("此明细行的关键值「{key}」不对应任何单位", "this line row's key '{key}' belongs to no unit"),
    "batch.line_not_utf8": ("这一行从这里起不是有效的 UTF-8：文件其余部分是 UTF-8 编码，这里可能粘贴了 GBK 编码的内容；请把整个文件另存为 UTF-8", "this line is not valid UTF-8 from here: the rest of the file is UTF-8, so this is perhaps text pasted from a GBK file; save the whole file as UTF-8"),
    "batch.bad_json": ("这一行不是有效的 JSON：{problem}", "this line is not valid JSON: {problem}"),
    "batch.needs_extra": ("读取此文件需要可选组件 {extra}：pip install \"jixiao[{extra}]\"（{package}）", "this file needs the optional extra {extra}: pip install \"jixiao[{extra}]\" ({package})"),
    "batch.bad_workbook": ("无法打开 Excel 工作簿：{reason}", "cannot open the Excel workbook: {reason}"),
    "batch.unreadable_from_row": ("从这一行起无法读取：{reason}；这一行及其后各行都没有读入", "cannot be read from this row on: {reason}; this row and the rows after it were not read"),
    "batch.csv_open_quote": (
        "这一格以英文双引号 \" 开头，却没有配对的结尾引号，其后超过 {limit} 个字符都被读成了这一格：请补上结尾的引号，或删去多余的开头引号；这一行及其后各行都没有读入",
        "this cell starts with a double quote (\") that is never closed, so more than {limit} characters after it read as this one cell: add the closing quote, or remove the stray opening one; this row and the rows after it were not read",
    ),
    "batch.rows_unread": (
        "明细行表「{rows}」没有读完，这张表的单位都没有评价（明细行不全的单位得不到正确的结果）",
        "the line-rows table '{rows}' could not be read to its end, so none of this table's units were evaluated (a unit missing line rows would get a wrong result)",
    ),
    "batch.no_sheet": ("工作簿中没有工作表「{sheet}」（现有：{known}）", "the workbook has no sheet '{sheet}' (it has: {known})"),
    "batch.unit_internal": ("内部错误：{error}。此单位未评价，其余单位不受影响；请加 --debug 重新运行（会列出出错的调用栈）并报告", "internal error: {error}. This unit was not evaluated, the others are unaffected; rerun with --debug (which lists where it happened) and report it"),
    "batch.worker_died": (
        "评价这个单位的工作进程意外停止（{signal?信号 {signal}}{code?退出码 {code}}），可能是内存不足或被系统结束：此单位和同一批交给该进程的单位未评价，其余单位不受影响；可用较小的 --jobs 重新评价这些单位",
        "the worker process evaluating this unit stopped unexpectedly ({signal?signal {signal}}{code?exit code {code}}), perhaps out of memory or ended by the system: this unit and the others handed to that process with it were not evaluated, the rest are unaffected; evaluate these units again with a smaller --jobs",
    ),
    "batch.no_inputs": ("没有找到可评价的单位", "no units found to evaluate"),
    # a table row that lacks a column (the table's words for input.missing…)
    "batch.no_column": ("这一行缺少必填数据「{label}」：表格中没有这一列，请加一列，表头写「{header}」", "this row lacks the required figure '{label}': the table has no column for it; add one headed '{header}'"),
    "batch.no_table_columns": ("这一行缺少数据表「{label}」：表格中没有它的列，请加表头如「{header}」的列", "this row lacks table '{label}': the table has no columns for it; add columns headed like '{header}'"),
    "batch.no_actual_column": ("这一行缺少指标「{name}」的实际完成值：请加一列，表头写「{header}」", "this row lacks the actual of '{name}': add a column headed '{header}'"),
    "batch.no_score_column": ("这一行缺少指标「{name}」的得分：请加一列，表头写「{header}」", "this row lacks the score of '{name}': add a column headed '{header}'"),
    "batch.no_coefficient_column": ("这一行缺少指标「{name}」的得分系数：请加一列，表头写「{header}」", "this row lacks the coefficient of '{name}': add a column headed '{header}'"),
    "batch.absent_category": ("表格中没有数据表「{table}」类别「{category}」的列（如「{header}」）：这些数据按缺失处理（不当作 0），用到它们的核对不进行", "the sheet has no columns for category '{category}' of table '{table}' (such as '{header}'): those figures are missing (not 0), and the checks that use them are not made"),
    # … or has the column with the cell left blank (placed at the cell)
    "batch.blank_actual_cell": ("这一格是空的：请填写指标「{name}」的实际完成值", "this cell is empty: fill in the actual of '{name}'"),
    "batch.blank_score_cell": ("这一格是空的：请填写指标「{name}」的得分", "this cell is empty: fill in the score of '{name}'"),
    "batch.blank_coefficient_cell": ("这一格是空的：请填写指标「{name}」的得分系数", "this cell is empty: fill in the coefficient of '{name}'"),
    "batch.no_name_cell": ("这一行没有单位名称：请在「名称」列填写", "this row has no unit name: fill in the 名称 column"),
    "cli.batch_xlsx_output": ("用法错误：--format xlsx 需要用 --output 指定文件", "usage: --format xlsx needs --output FILE"),
    "cli.batch_jobs": ("用法错误：--jobs 不能为负数（0 表示每个 CPU 一个进程）", "usage: --jobs must not be negative (0: one per CPU)"),
    "cli.batch_jobs_capped": ("--jobs {asked} 超过本机的上限 {limit}（每个可用 CPU {per} 个进程）：最多用 {limit} 个进程评价", "--jobs {asked} is more than this machine's limit of {limit} ({per} per usable CPU): using at most {limit} worker processes"),
    "cli.batch_rows_unused": ("用法错误：规则集（及 --columns）中没有需要明细行的指标，--rows {path} 不会被使用；请去掉 --rows，或在 batch: 段中声明 rows", "usage: nothing in the ruleset (or --columns) takes line rows, so --rows {path} would be ignored; drop --rows or declare rows in the batch: section"),
    "cli.batch_progress": ("评价中", "evaluating"),
    # the printed summary
    "batch.summary_head": ("批量评价：共 {units} 个单位，评价 {evaluated} 个，失败 {failed} 个", "batch: {units} units, {evaluated} evaluated, {failed} failed"),
    "batch.summary_orphans": ("另有 {count} 行明细不对应任何单位", "and {count} line rows belong to no unit"),
    "batch.summary_grades": ("等级分布：{grades}", "grades: {grades}"),
    "batch.summary_scores": ("平均分 {mean}，中位数 {median}", "mean {mean}, median {median}"),
    "batch.summary_best": ("得分最高：", "highest totals:"),
    "batch.summary_worst": ("得分最低：", "lowest totals:"),
    "batch.summary_warned": ("警告最多：", "most warnings:"),
    "batch.summary_unit": ("  {rank}. {name}  {total} 分 {grade}（{location}）", "  {rank}. {name}  {total} {grade} ({location})"),
    "batch.summary_warned_unit": ("  {rank}. {name}  {warnings} 条警告（{location}）", "  {rank}. {name}  {warnings} warnings ({location})"),
    "batch.summary_failed": ("失败的单位（前 {shown} 个）：{where}；问题见错误输出", "failed units (first {shown}): {where}; see the errors output"),
    "batch.errors_written": ("{count} 条问题已写入 {path}", "{count} problems written to {path}"),
}

MESSAGES["batch.extra_cells"] = (
    "这一行比表头（{width} 列）多出 {count} 个单元格{first?（第一个是「{first}」）}：不会猜测它们属于哪一列"
    "{csv?；CSV 中含英文逗号（,）的文字须把整个单元格用英文双引号括起来，如 \"原因一,原因二\"，或改用中文逗号（，）}",
    "this row has {count} cell(s) beyond its header's {width} columns{first? (the first is '{first}')}: they are not guessed into a column"
    "{csv?; in CSV, text with a comma (,) must be quoted as a whole cell, e.g. \"reason one, reason two\", or use the Chinese comma (，)}",
)
MESSAGES["batch.summary_review"] = (
    "审核：{forms} 份表印有得分，其中 {misprinted} 份有印错的数，共 {wrong} 处；差额最大的：",
    "review: {forms} form(s) carry printed figures, {misprinted} of them with wrong ones, {wrong} in all; the largest differences:",
)
MESSAGES["batch.summary_review_unit"] = (
    "  {rank}. {name}（{location}）：表上总分 {printed}，计算总分 {total}，错 {wrong} 处，最大差额 {largest}",
    "  {rank}. {name} ({location}): printed total {printed}, computed {total}, {wrong} wrong, largest difference {largest}",
)

MESSAGES["batch.no_explanation_column"] = (
    "指标「{name}」{kind}，但没有说明原因：请在「{header}」列填写偏差原因",
    "'{name}' is {kind} but no reason is given: fill in the column '{header}'",
)

# show-result: reading a compact result file (batch --result compact) back
MESSAGES.update({
    "compact.not_compact": (
        "这不是 jixiao 紧凑结果文件：第一行应是 batch --result compact 写出的头记录（完整结果文件不需要还原）",
        "this is not a jixiao compact result file: its first line should be the header record batch --result compact writes (full result files need no expanding)",
    ),
    "compact.wrong_ruleset": (
        "规则集不符：这个文件是按摘要为 {expected} 的规则集写出的，而「{ruleset}」的摘要是 {given}；请用 --ruleset 指定写出它时所用的规则集",
        "wrong ruleset: this file was written with the ruleset whose digest is {expected}, but '{ruleset}' has digest {given}; name the ruleset it was written with (--ruleset)",
    ),
    "compact.no_ruleset": (
        "找不到写出这个文件时所用的规则集「{ruleset}」（{file}）：请用 --ruleset 指定",
        "cannot find the ruleset this file was written with, '{ruleset}' ({file}): name it with --ruleset",
    ),
    "compact.damaged_line": (
        "这一行无法还原为完整结果（{what}）：文件可能被截断或改动过",
        "this line cannot be expanded into a full result ({what}): the file may have been cut short or edited",
    ),
    "compact.header_again": (
        "这一行又是一个头记录：是把两个紧凑结果文件拼在一起了吗？请分别读取",
        "this line is a second header record: were two compact files joined? Read them one at a time",
    ),
    "compact.text_unit": ("{where?{where}  }{name}：总分 {total}，等级 {grade}", "{where?{where}  }{name}: total {total}, grade {grade}"),
    "compact.text_findings": ("  发现的问题 {count} 条：", "  {count} finding(s):"),
    "compact.text_finding": ("    {location?{location}: }{message}", "    {location?{location}: }{message}"),
    "compact.text_deviations": ("  偏差 {count} 项：", "  {count} deviation(s):"),
    "compact.text_deviation": (
        "    {name}：{kind}（目标 {target}，实际 {actual}）{explanation?原因：{explanation}}",
        "    {name}: {kind} (target {target}, actual {actual}){explanation? reason: {explanation}}",
    ),
    "compact.text_count": ("共 {count} 个单位", "{count} unit(s)"),
})
