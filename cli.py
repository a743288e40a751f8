"""jixiao command line (命令行): a thin layer over `engine`.

Exit codes: 0 success; 1 problems found in a ruleset or data file (or a failed
case, or some units failed in a batch); 2 wrong usage; 70 internal error
(rerun with --debug for the traceback).
"""
from __future__ import annotations

import argparse
import sys
from typing import Callable, TextIO

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70

_HELP = {
    "zh": {
        "prog": "jixiao：预算绩效自评规则引擎",
        "evaluate": "按规则集评价一个部门或项目的数据，输出得分、等级与发现的问题",
        "validate": "检查规则集，一次列出全部问题",
        "data": "数据文件（YAML/JSON）；不填则使用自带的 2019 年示例",
        "ruleset": "规则集文件；不填则使用数据文件中 ruleset: 指定的规则集",
        "format": "输出格式",
        "output": "写入文件（原子写入，成功后才出现）",
        "lang": "消息语言：zh（中文，默认）或 en",
        "debug": "出错时显示程序内部的调用栈（供维护者排查）",
        "rulesets": "规则集文件",
    },
    "en": {
        "prog": "jixiao: a rules engine for budget performance self-evaluation",
        "evaluate": "evaluate one department's or project's data against a ruleset: score, grade, findings",
        "validate": "check rulesets, listing every problem at once",
        "data": "data file (YAML/JSON); defaults to the bundled 2019 example",
        "ruleset": "ruleset file; defaults to the one the data file names in ruleset:",
        "format": "output format",
        "output": "write to this file (atomically, only after success)",
        "lang": "message language: zh (Chinese, default) or en",
        "debug": "show the internal traceback on an unexpected error (for maintainers)",
        "rulesets": "ruleset files",
    },
}


def _lang_from(argv: list[str]) -> str:
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv):
            return "en" if argv[i + 1] == "en" else "zh"
        if a.startswith("--lang="):
            return "en" if a.split("=", 1)[1] == "en" else "zh"
    return "zh"


def build_parser(lang: str = "zh") -> argparse.ArgumentParser:
    """The argument parser; every command and option has help text in `lang`."""
    h = _HELP[lang]
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=["zh", "en"], default="zh", help=h["lang"])
    common.add_argument("--debug", action="store_true", help=h["debug"])
    parser = argparse.ArgumentParser(prog="jixiao", description=h["prog"], parents=[common])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("evaluate", parents=[common], help=h["evaluate"], description=h["evaluate"])
    p.add_argument("data", nargs="*", help=h["data"])
    p.add_argument("--ruleset", help=h["ruleset"])
    p.add_argument("--format", choices=["text", "json"], default="text", help=h["format"])
    p.add_argument("--output", help=h["output"])
    p.set_defaults(run=cmd_evaluate)

    p = sub.add_parser("validate", parents=[common], help=h["validate"], description=h["validate"])
    p.add_argument("rulesets", nargs="+", help=h["rulesets"])
    p.set_defaults(run=cmd_validate)
    return parser


class Io:
    """Where a command's output goes, and in which language."""

    def __init__(self, stdout: TextIO, stderr: TextIO, lang: str):
        self.stdout, self.stderr, self.lang = stdout, stderr, lang

    def out(self, text: str) -> None:
        self.stdout.write(text if text.endswith("\n") else text + "\n")

    def err(self, text: str) -> None:
        self.stderr.write(text if text.endswith("\n") else text + "\n")

    def say(self, code: str, **args) -> str:
        from engine.messages import format_message

        return format_message(code, args, self.lang)

    def problems(self, diagnostics) -> None:
        """Every diagnostic as `file:line:col: message`, then the count."""
        for d in diagnostics:
            self.err(d.render(self.lang))
        self.err(self.say("cli.problems", count=len(diagnostics)))


def emit(io: Io, text: str | bytes, output: str | None) -> int:
    """Print, or write `output` atomically (only now, after everything succeeded)."""
    if output is None:
        if isinstance(text, bytes):
            io.stdout.buffer.write(text) if hasattr(io.stdout, "buffer") else io.stdout.write(text.decode("utf-8", "replace"))
        else:
            io.stdout.write(text)
        return EXIT_OK
    from engine.fileio import write_atomic

    try:
        write_atomic(output, text)
    except OSError as e:
        io.err(io.say("cli.output_failed", path=output, reason=e.strerror or str(e)))
        return EXIT_PROBLEMS
    io.err(io.say("cli.written", path=output))
    return EXIT_OK


def cmd_evaluate(args, io: Io) -> int:
    from engine import api
    from engine.diagnostics import DiagnosticError

    paths = args.data or [api.DEFAULT_DATA]
    try:
        result = api.evaluate_file(paths[0], args.ruleset)
    except DiagnosticError as e:
        io.problems(e.diagnostics)
        return EXIT_PROBLEMS
    if args.format == "json":
        from engine.render import json_out

        text = json_out.render(result, io.lang)
    else:
        from engine.render import text as text_out

        text = text_out.render(result, io.lang)
    return emit(io, text, args.output)


def cmd_validate(args, io: Io) -> int:
    from engine import api
    from engine.diagnostics import DiagnosticError

    code = EXIT_OK
    for path in args.rulesets:
        try:
            plan = api.validate_ruleset(path)
        except DiagnosticError as e:
            io.problems(e.diagnostics)
            code = EXIT_PROBLEMS
            continue
        io.out(io.say("cli.valid", file=plan.file, indicators=len(plan.leaves), total=plan.ruleset.total))
    return code


def main(argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run one command; return its exit code. Never raises, never shows a traceback
    unless --debug is given."""
    argv = list(sys.argv[1:] if argv is None else argv)
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    lang = _lang_from(argv)
    parser = build_parser(lang)
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return EXIT_OK if e.code == 0 else EXIT_USAGE
    io = Io(stdout, stderr, args.lang)
    run: Callable = args.run
    try:
        return run(args, io)
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # noqa: BLE001 - the one place that turns any bug into exit 70
        if args.debug:
            import traceback

            traceback.print_exc(file=stderr)
        io.err(io.say("cli.internal", error=f"{type(e).__name__}: {e}"))
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
