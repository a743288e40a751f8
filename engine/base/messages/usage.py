"""The command line's own usage errors and help headings (argparse's sentences,
which argparse itself has only in English)."""
from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "cli.usage_prefix": ("用法：", "usage: "),
    "cli.usage_error": ("{prog}：用法错误：{message}", "{prog}: error: {message}"),
    "cli.usage_help": ("显示本帮助并退出", "show this help message and exit"),
    "cli.usage_positionals": ("位置参数", "positional arguments"),
    "cli.usage_options": ("选项", "options"),
    "cli.usage_required": ("缺少必填参数：{names}", "the following arguments are required: {names}"),
    "cli.usage_choice": ("{name} 不能取 {value}，可选：{choices}", "argument {name}: invalid choice: {value} (choose from {choices})"),
    "cli.usage_unknown": ("不认识的参数：{names}", "unrecognized arguments: {names}"),
    "cli.usage_one_value": ("{name} 后面要跟一个值", "argument {name}: expected one argument"),
    "cli.usage_values": ("{name} 后面至少要跟一个值", "argument {name}: expected at least one argument"),
    "cli.usage_bad_value": ("{name} 的值 {value} 不是{kind}", "argument {name}: invalid {kind} value: {value}"),
    "cli.usage_ambiguous": ("{name} 不明确，可能是：{matches}", "ambiguous option: {name} could match {matches}"),
    "cli.usage_integer": ("整数", "int"),
}
