"""What the operating system and the parsers say, in our words.

An `OSError`, a YAML parser's problem, a JSON decoder's or a damaged workbook
come with English text (`No such file or directory`, `did not find expected
',' or '}'`, `Expecting value`, `File is not a zip file`). A message in Chinese
must be Chinese throughout: each such problem becomes one of these codes
(`engine.base.messages.os_error`, `yaml_problem`, `json_problem`,
`workbook_problem`; a zip member's in `engine.serve.pages`), passed to the
message that holds it as a `Said` argument and filled in the message's
language. An unknown one is said generally, never in the foreign words.
"""
from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # the operating system (errno names)
    "os.ENOENT": ("文件或文件夹不存在", "no such file or folder"),
    "os.EISDIR": ("这是一个文件夹，不是文件", "it is a folder, not a file"),
    "os.ENOTDIR": ("路径中有一部分不是文件夹", "a part of the path is not a folder"),
    "os.EACCES": ("没有权限（请检查文件或文件夹的权限）", "permission denied"),
    "os.EPERM": ("操作不被允许（没有权限）", "operation not permitted"),
    "os.ENOSPC": ("磁盘已满", "the disk is full"),
    "os.EDQUOT": ("超出磁盘配额", "the disk quota is exceeded"),
    "os.ENAMETOOLONG": ("文件名太长", "the file name is too long"),
    "os.EROFS": ("磁盘是只读的", "the disk is read-only"),
    "os.EEXIST": ("文件已存在", "the file exists already"),
    "os.ENOTEMPTY": ("文件夹已存在且不是空的", "the folder exists and is not empty"),
    "os.EBUSY": ("文件正被占用", "the file is busy"),
    "os.ETXTBSY": ("文件正被占用", "the file is busy"),
    "os.EMFILE": ("同时打开的文件太多", "too many open files"),
    "os.ENFILE": ("同时打开的文件太多", "too many open files"),
    "os.EIO": ("读写磁盘出错", "an input/output error on the disk"),
    "os.ELOOP": ("符号链接循环", "a loop of symbolic links"),
    "os.EXDEV": ("不能跨磁盘移动文件", "cannot move a file across disks"),
    "os.EFBIG": ("文件太大", "the file is too large"),
    "os.EINVAL": ("文件名或参数无效", "an invalid file name or argument"),
    "os.EPIPE": ("输出管道已关闭", "the output pipe was closed"),
    "os.other": ("操作系统报告错误（错误号 {errno}）", "the operating system reported an error ({errno})"),
    # the YAML parser (libyaml's and ruamel's problem sentences)
    "yaml.expected_comma_brace": ("缺少逗号「,」或右花括号「}」（花括号 { } 中的各项用逗号分隔，并须闭合）", "a ',' or '}' is missing (items inside { } are separated by commas and the braces closed)"),
    "yaml.expected_comma_bracket": ("缺少逗号「,」或右方括号「]」（方括号 [ ] 中的各项用逗号分隔，并须闭合）", "a ',' or ']' is missing (items inside [ ] are separated by commas and the brackets closed)"),
    "yaml.expected_key": ("这里应是「名称: 值」（可能缩进不对）", "a 'name: value' line was expected here (perhaps the indentation is off)"),
    "yaml.expected_dash": ("这里应是以「- 」开头的列表项（可能缩进不对）", "a list item starting with '- ' was expected here (perhaps the indentation is off)"),
    "yaml.expected_colon": ("缺少冒号「:」（应写「名称: 值」）", "a ':' is missing (write 'name: value')"),
    "yaml.mapping_not_allowed": ("这里不能写「名称: 值」：冒号后的文字含有「: 」时请加引号，或检查缩进", "'name: value' is not allowed here: quote a value containing ': ', or check the indentation"),
    "yaml.sequence_not_allowed": ("这里不能开始列表项「- 」（可能缩进不对）", "a list item '- ' cannot start here (perhaps the indentation is off)"),
    "yaml.bad_start": ("这个字符不能出现在开头（如 Tab、@、`）：请加引号，缩进请用空格", "this character cannot start a value (a tab, @ or `): quote the value, and indent with spaces"),
    "yaml.tab_indent": ("缩进不能用 Tab 键，请改用空格", "indent with spaces, not tabs"),
    "yaml.unexpected_end": ("文件意外结束：引号或括号没有闭合", "the file ends unexpectedly: a quote or bracket is not closed"),
    "yaml.bad_escape": ("双引号中的转义字符（\\ 开头）无效：请改用单引号或去掉反斜杠", "an invalid escape (starting with \\) inside double quotes: use single quotes or remove the backslash"),
    "yaml.expected_line_break": ("这里应该换行（或以 # 开头的注释）", "a line break (or a # comment) was expected here"),
    "yaml.indentation": ("缩进不一致：同一层的各项应对齐", "inconsistent indentation: items of one level must line up"),
    "yaml.unexpected": ("这里的写法无法识别（请检查引号、括号、冒号和缩进）", "this cannot be read here (check quotes, brackets, colons and indentation)"),
    # the JSON decoder (a JSONL line)
    "json.expecting_value": ("这里应是一个值（数字、文字、true/false、null、对象或数组）", "a value was expected here (a number, text, true/false, null, an object or an array)"),
    "json.expecting_name": ("这里应是用双引号括起来的名称", "a name in double quotes was expected here"),
    "json.expecting_comma": ("缺少逗号「,」", "a ',' is missing"),
    "json.expecting_colon": ("缺少冒号「:」", "a ':' is missing"),
    "json.unterminated_string": ("文字缺少结尾的双引号", "a text is missing its closing double quote"),
    "json.control_character": ("文字中有控制字符（如换行、Tab）：请写成 \\n、\\t", "a control character (a line break, a tab) inside a text: write it as \\n, \\t"),
    "json.extra_data": ("一行只能有一个 JSON 对象，这里多出了内容", "one JSON object per line: there is more after it"),
    "json.bad_escape": ("文字中的转义（\\ 开头）无效", "an invalid escape (starting with \\) inside a text"),
    "json.unexpected": ("这里的写法不是有效的 JSON", "this is not valid JSON here"),
    # a workbook that cannot be opened
    "xlsx.not_zip": ("这不是 Excel 工作簿（.xlsx 文件实为 zip 压缩包，这个文件不是；可能是改了扩展名的其他文件，请在 Excel 中另存为 .xlsx）", "this is not an Excel workbook (an .xlsx is a zip archive and this file is not one; perhaps another file renamed; save it as .xlsx in Excel)"),
    "xlsx.damaged": ("工作簿已损坏或不是 Excel 工作簿，请在 Excel 中打开后另存为 .xlsx", "the workbook is damaged or not an Excel workbook; open it in Excel and save it as .xlsx"),
    # a part of a workbook or Word file that Excel and Word never write (`engine.base.archive.zip_problem`)
    "ooxml.encrypted": ("其中的「{entry}」按 zip 的方式设了密码，Excel 和 Word 从不这样加密：文件可能被改动过", "its part '{entry}' is password-protected the zip way, which Excel and Word never do: the file may have been tampered with"),
    "ooxml.method": (
        "其中的「{entry}」用 {method} 方式压缩，Excel 和 Word 从不这样压缩：文件可能被改动过，解压它可能耗尽内存",
        "its part '{entry}' is packed by {method}, which Excel and Word never use: the file may have been tampered with, and unpacking it could exhaust memory",
    ),
    "xlsx.damaged_data": ("工作簿中的数据已损坏，请在 Excel 中打开后另存为 .xlsx 再试", "the workbook's data is damaged; open it in Excel, save it as .xlsx and try again"),
    # a CSV file the csv module cannot read on
    "csv.cell_too_long": ("其中一格超过 {limit} 个字符", "a cell in it holds more than {limit} characters"),
    "csv.damaged": ("CSV 格式有误，请在 Excel 中打开后重新另存为 CSV", "the CSV is malformed; open it in Excel and save it as CSV again"),
    # a member of an uploaded zip that cannot be unpacked
    "zip.encrypted": ("文件设了密码（已加密），请不设密码重新压缩", "it is password-protected (encrypted); zip it again without a password"),
    "zip.method": ("用了无法读取的压缩方式，请用常见的 zip 格式重新压缩", "it uses a compression method that cannot be read; zip it again in the common zip format"),
    "zip.damaged": ("已损坏（数据与压缩包的记录不符，或不完整），请重新压缩", "it is damaged (its data does not match the archive's records, or is incomplete); zip it again"),
}

# problem text (start) → code; the first that matches is taken
YAML_PROBLEMS: tuple[tuple[str, str], ...] = (
    ("did not find expected ',' or '}'", "yaml.expected_comma_brace"),
    ("expected ',' or '}'", "yaml.expected_comma_brace"),
    ("did not find expected ',' or ']'", "yaml.expected_comma_bracket"),
    ("expected ',' or ']'", "yaml.expected_comma_bracket"),
    ("did not find expected key", "yaml.expected_key"),
    ("expected <block end>", "yaml.indentation"),
    ("did not find expected '-' indicator", "yaml.expected_dash"),
    ("could not find expected ':'", "yaml.expected_colon"),
    ("mapping values are not allowed", "yaml.mapping_not_allowed"),
    ("block sequence entries are not allowed", "yaml.sequence_not_allowed"),
    ("found character that cannot start any token", "yaml.bad_start"),
    ("found a tab character", "yaml.tab_indent"),
    ("found unexpected end of stream", "yaml.unexpected_end"),
    ("unexpected end of stream", "yaml.unexpected_end"),
    ("found unknown escape character", "yaml.bad_escape"),
    ("found unexpected ':'", "yaml.mapping_not_allowed"),
    ("expected a comment or a line break", "yaml.expected_line_break"),
    ("did not find expected comment or line break", "yaml.expected_line_break"),
    ("did not find expected node content", "yaml.unexpected"),
)

JSON_PROBLEMS: tuple[tuple[str, str], ...] = (
    ("Expecting value", "json.expecting_value"),
    ("Expecting property name", "json.expecting_name"),
    ("Expecting ',' delimiter", "json.expecting_comma"),
    ("Expecting ':' delimiter", "json.expecting_colon"),
    ("Unterminated string", "json.unterminated_string"),
    ("Invalid control character", "json.control_character"),
    ("Extra data", "json.extra_data"),
    ("Invalid \\escape", "json.bad_escape"),
    ("Invalid \\uXXXX escape", "json.bad_escape"),
)
