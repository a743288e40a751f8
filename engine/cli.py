"""jixiao command line (命令行): a thin layer over `engine`.

Each command is one block: `add_<command>(sub, t)` declares its arguments (help
text in both languages through `t(zh, en)`) and `cmd_<command>(args, io)` makes
one library call and renders. `COMMANDS` lists them.

Exit codes: 0 success; 1 problems found in a ruleset or data file (or a failed
case, or some units failed in a batch); 2 wrong usage; 70 internal error
(rerun with --debug for the traceback); 130 interrupted (Ctrl-C); 143 terminated (SIGTERM); 141 the output
pipe was closed (`| head`).
"""
from __future__ import annotations

import argparse
import codecs
import csv
import contextlib
import errno
import os
import signal
import sys
from io import StringIO
from typing import Callable, TextIO

from engine.base.diagnostics import DiagnosticError, capped
from engine.base.fileio import aliased_input
from engine.base.messages import os_error
from engine.base.paths import display_path
from engine.base.printable import printable
from engine import __version__

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 70, 130
EXIT_TERMINATED = 143  # 128 + SIGTERM, as a shell reports a process ended by `kill`
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as other Unix tools: the reader of our output went away


class Io:
    """Where a command's output goes, and in which language."""

    def __init__(self, stdout: TextIO, stderr: TextIO, lang: str):
        self.stdout, self.stderr, self.lang = stdout, stderr, lang

    def out(self, text: str) -> None:
        """A message or a report for people: controls from data are shown
        escaped (`engine.base.printable`), never acted on."""
        text = printable(text)
        self.stdout.write(text if text.endswith("\n") else text + "\n")

    def err(self, text: str) -> None:
        text = printable(text)
        self.stderr.write(text if text.endswith("\n") else text + "\n")

    def say(self, code: str, **args) -> str:
        # cold start: the message catalogue loads only when a message is shown
        from engine.base.messages import format_message

        return format_message(code, args, self.lang)

    def problems(self, diagnostics) -> None:
        """Each diagnostic as `file:line:col: message` (at most
        `diagnostics.MAX_LISTED` per file, then how many more), then the count."""
        shown, more = capped(diagnostics)
        for d in shown:
            self.err(d.render(self.lang))
        for file, count in more.items():
            self.err(self.say("cli.more_problems", file=file or "?", count=count))
        self.err(self.say("cli.problems", count=len(diagnostics)))


def emit(io: Io, text: str | bytes, output: str | None, fmt: str = "", inputs: tuple = ()) -> int:
    """Print, or write `output` atomically (only now, after everything succeeded).

    Binary formats (docx, xlsx) go to stdout only when it is a pipe or a
    file, never to a terminal. An `output` that is one of the `inputs` is
    refused: writing it would destroy them (`outputs_over_inputs`)."""
    if outputs_over_inputs(io, [output], inputs):
        return EXIT_USAGE
    if output is None:
        if isinstance(text, bytes):
            buffer = getattr(io.stdout, "buffer", None)
            if buffer is None or io.stdout.isatty():
                io.err(io.say("report.binary_to_terminal", format=fmt))
                return EXIT_USAGE
            io.stdout.flush()
            buffer.write(text)
            buffer.flush()
        else:
            io.stdout.write(text)
        return EXIT_OK
    # cold start: a command imports only what it uses
    from engine.base.fileio import write_atomic

    try:
        write_atomic(output, text)
    except OSError as e:
        io.err(io.say("cli.output_failed", path=output, reason=os_error(e)))
        return EXIT_PROBLEMS
    io.err(io.say("cli.written", path=output))
    return EXIT_OK


# What an output file's suffix says it holds (evaluate's formats).
SUFFIX_FORMATS = {".txt": "text", ".json": "json", ".md": "markdown", ".markdown": "markdown", ".docx": "docx", ".xlsx": "xlsx", ".html": "html", ".htm": "html"}


def output_format(io: Io, given: str | None, output: str | None, default: str) -> str | None:
    """The format to write: `--format` when given, else the one `--output`'s
    suffix names (`SUFFIX_FORMATS`), else `default`. None, after saying so,
    when `--format` and the suffix name different formats: Word bytes in a
    file called .json help nobody."""
    suffix = os.path.splitext(output or "")[1].lower()
    implied = SUFFIX_FORMATS.get(suffix)
    if given is None:
        return implied or default
    if implied is not None and implied != given:
        io.err(io.say("cli.format_suffix", format=given, path=output, suffix=suffix, implied=implied))
        return None
    return given


# Files a folder given as input contributes (units, projects): an output
# onto one of them would replace an input.
_FOLDER_INPUTS = (".yaml", ".yml", ".json")


def outputs_over_inputs(io: Io, outputs, inputs) -> bool:
    """The one rule for every command: an output (results, errors, summary,
    --output of any command) that is the same file as an input (data, the
    ruleset and every file of its `extends:` chain, --rows, --columns, the
    unit files of an input folder), however spelled, is refused before
    anything is written. Reports it and returns True when refused."""
    expanded: list[str] = []
    for path in inputs:
        if path is None:
            continue
        expanded.append(path)
        if os.path.isdir(path):
            for base, _, files in os.walk(path):
                expanded += [os.path.join(base, f) for f in files if f.lower().endswith(_FOLDER_INPUTS)]
    for output in outputs:
        if output is not None and aliased_input(output, expanded) is not None:
            io.err(io.say("cli.output_is_input", path=output))
            return True
    return False


# --- evaluate ---------------------------------------------------------------

def add_evaluate(sub, t) -> None:
    p = sub.add_parser("evaluate", help=t("按规则集评价一个部门或项目的数据：得分、等级、发现的问题", "evaluate a department's or project's data: score, grade, findings"))
    p.add_argument("data", nargs="*", help=t("数据文件（YAML/JSON）或文件夹；不填则使用自带的 2019 年示例；多个文件或一个文件夹时输出项目支出自评情况汇总表", "data file (YAML/JSON) or folder; defaults to the bundled 2019 example; several files or a folder give the summary across projects"))
    p.add_argument("--ruleset", help=t("规则集：文件路径、名称（如 2019/department）或 id；不填则使用数据文件中 ruleset: 指定的规则集", "the ruleset: a file, a name (e.g. 2019/department) or an id; defaults to the one the data file names in ruleset:"))
    p.add_argument("--format", choices=list(FORMATS), help=t("输出格式：text、json，或报告 markdown、docx（Word 报告）、xlsx（Excel 自评表）、html（网页报告）；不填则按 --output 的扩展名（.txt、.json、.md、.docx、.xlsx、.html），否则 text；docx/xlsx 须用 --output 指定文件，或重定向到文件/管道", "output format: text, json, or a report: markdown, docx (Word report), xlsx (Excel forms), html (web page); defaults to the --output suffix (.txt, .json, .md, .docx, .xlsx, .html), else text; docx/xlsx need --output, or stdout redirected to a file or pipe"))
    p.add_argument("--output", help=t("写入文件（原子写入，成功后才出现）", "write to this file (atomically, only after success)"))
    _add_lint_options(p, t)
    p.add_argument("--strict", action="store_true", help=t("有任何警告时退出码为 1（供审核和脚本使用）；报送模式的报告有未处理的问题（警告、缺少的报告文字）时不写出", "exit 1 when there is any warning (for reviewers and scripts); a report in submission mode is not written while problems (warnings, missing report texts) remain"))
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="名称=值", help=t("假设分析：把某项数据、计算项或指标的值改为给定值后评价（可重复），如 --set 全年执行数=4000", "what-if: evaluate with a figure, metric or indicator changed to the given value (repeatable), e.g. --set 全年执行数=4000"))
    add_report_options(p, t)
    p.set_defaults(run=cmd_evaluate)


def add_report_options(p, t) -> None:
    """--mode, --template: how a report is made (markdown, docx, xlsx, html)."""
    p.add_argument("--mode", choices=["submission", "review"], help=t("报告用途：submission（报送：不含核对问题和生成信息页脚，docx/xlsx 默认）或 review（审核：含核对问题及位置、生成信息，markdown/html 默认）", "what the report is for: submission (no findings, no provenance footer; default for docx/xlsx) or review (findings with locations and the provenance footer; default for markdown/html)"))
    p.add_argument("--template", help=t("报告模板文件（docx 用 Word 模板，markdown/html 用 Jinja2 模板）；不填则用规则集 report.template 或自带模板", "report template (a Word template for docx, Jinja2 for markdown/html); defaults to the ruleset's report.template or the bundled one"))


def cmd_evaluate(args, io: Io) -> int:
    # cold start: a command or format imports only what it uses
    from engine import api

    paths = args.data or [api.DEFAULT_DATA]
    choice = _lint_choice(args, io)
    if choice is None:
        return EXIT_USAGE
    args.format = output_format(io, args.format, args.output, "text")
    if args.format is None:
        return EXIT_USAGE
    if outputs_over_inputs(io, [args.output], [*paths, args.ruleset]):
        return EXIT_USAGE
    if len(paths) > 1 or os.path.isdir(paths[0]):
        if args.sets:  # what-if is about one unit
            io.err(io.say("cli.set_one_unit"))
            return EXIT_USAGE
        return _evaluate_summary(args, io, paths)
    try:
        result = api.evaluate_file(paths[0], args.ruleset, _search(args), choice, args.sets)
    except DiagnosticError as e:
        io.problems(e.diagnostics)
        return EXIT_PROBLEMS
    for note in result.unit.notes:  # a form's formulas whose saved results were used
        io.err(note.render(io.lang))
    # cold start: a command imports only what it uses
    from importlib import import_module

    from engine.render import MissingLibrary

    renderer = import_module(f"engine.render.{FORMATS[args.format]}")
    options = {}
    if args.format in REPORT_FORMATS:
        options["mode"] = args.mode or REPORT_FORMATS[args.format]
        if args.format != "xlsx":
            options["template"] = args.template
        if options["mode"] == "submission" and not _submission_checks(io, result, args.strict):
            return EXIT_PROBLEMS
    try:
        text = renderer.render(result, io.lang, **options)
    except MissingLibrary as e:
        io.err(io.say("report.missing_library", format=e.format, package=e.package))
        return EXIT_PROBLEMS
    except DiagnosticError as e:  # a template that cannot be read or rendered
        io.problems(e.diagnostics)
        return EXIT_PROBLEMS
    code = emit(io, text, args.output, args.format, inputs=(paths[0], *result.plan.files))
    return _strict(io, args, code, sum(1 for f in result.findings if f.severity == "warning"))


def _strict(io: Io, args, code: int, warnings: int) -> int:
    """With --strict, a run that found warnings exits 1 (its output is complete)."""
    if code == EXIT_OK and args.strict and warnings:
        io.err(io.say("cli.strict_warnings", count=warnings))
        return EXIT_PROBLEMS
    return code


# report format → its default mode: documents to hand in are for submission, pages to read for review
REPORT_FORMATS = {"docx": "submission", "xlsx": "submission", "markdown": "review", "html": "review"}


def _submission_checks(io: Io, result, strict: bool) -> bool:
    """A submission leaves the findings out of the document: the unresolved
    ones (errors, warnings) are listed on the terminal instead. With
    `strict`, any of them stops the report (False)."""
    # cold start: a command imports only what it uses
    from engine.render.report import unresolved

    left = unresolved(result)
    for f in left:
        where = io.say("report.where", location=str(f.span)) if f.span else ""
        io.err(io.say("report.unresolved", message=f.message(io.lang), where=where))
    if strict and left:
        io.err(io.say("report.strict_refused", count=len(left)))
        return False
    return True


# format → renderer module under engine/render (imported only when chosen)
FORMATS = {"text": "text", "json": "json_out", "markdown": "markdown_out", "docx": "docx_out", "xlsx": "xlsx_out", "html": "html_out"}


def _evaluate_summary(args, io: Io, paths: list[str]) -> int:
    """Several files or a folder: the summary across projects (项目支出自评情况汇总表).
    A project with problems is listed as failed, its problems located on stderr."""
    # cold start: a command or format imports only what it uses
    from engine.tools import project_summary as summary
    from engine.render import project_summary_out as summary_out

    try:
        result = summary.summarize(paths, args.ruleset, _search(args))
    except DiagnosticError as e:
        io.problems(e.diagnostics)
        return EXIT_PROBLEMS
    for row in result.rows:
        for d in row.problems:
            io.err(d.render(io.lang))
    if args.format in ("text", "json"):
        text = summary_out.json(result, io.lang) if args.format == "json" else summary_out.text(result, io.lang)
    else:  # the 汇总表 as a document: markdown, docx, xlsx, html
        # cold start: a command imports only what it uses
        from importlib import import_module

        from engine.render import MissingLibrary

        try:
            text = import_module(f"engine.render.{FORMATS[args.format]}").render_summary(result, io.lang)
        except MissingLibrary as e:
            io.err(io.say("report.missing_library", format=e.format, package=e.package))
            return EXIT_PROBLEMS
    if not result.failed:
        rulesets = [f for row in result.rows for f in row.ruleset_files]
        code = emit(io, text, args.output, args.format, inputs=(*paths, args.ruleset, *dict.fromkeys(rulesets)))
        return _strict(io, args, code, sum(row.by_severity.get("warning", 0) for row in result.rows))
    if args.output:  # an output file appears only after complete success
        io.err(io.say("summary.output_withheld", count=result.failed, path=args.output))
    io.stdout.write(text if isinstance(text, str) else summary_out.text(result, io.lang))
    return EXIT_PROBLEMS


# --- template ---------------------------------------------------------------

def add_template(sub, t) -> None:
    p = sub.add_parser("template", help=t("生成规则集的填报表（Excel）：单位填写后交回，可直接 evaluate / batch", "write a ruleset's fill-in form (Excel): units fill it in and send it back for evaluate / batch"))
    p.add_argument("ruleset", help=t("规则集文件，或自带规则集的 id（如 2019/department）", "ruleset file, or a bundled ruleset's id (e.g. 2019/department)"))
    p.add_argument("--output", help=t("写入文件（.xlsx，或 .docx 得到 Word 表格；--flat 时为 .csv 或 .xlsx）", "the file to write (.xlsx, or .docx for Word tables; with --flat .csv or .xlsx)"))
    p.add_argument("--rows", type=int, help=t("项目表的空白指标行数（默认 10）", "blank indicator rows of a project form (default 10)"))
    p.add_argument("--table-rows", type=int, help=t("每张数据表的空白行数（默认 30）", "blank rows of each data table (default 30)"))
    p.add_argument("--flat", action="store_true", help=t("只写批量评价用的平面表表头（每行一个单位）", "write only the header row of a flat batch table (one row per unit)"))
    p.set_defaults(run=cmd_template)


def cmd_template(args, io: Io) -> int:
    # cold start: a command imports only what it uses
    from engine import api
    from engine.base.diagnostics import DiagnosticError
    from engine.render import MissingLibrary

    for n in (args.rows, args.table_rows):
        if n is not None and not 1 <= n <= 500:
            io.err(io.say("cli.template_rows"))
            return EXIT_USAGE
    if args.output and not args.flat and not args.output.lower().endswith((".xlsx", ".docx")):  # nothing else holds a form
        io.err(io.say("cli.template_suffix"))
        return EXIT_USAGE
    path = args.ruleset
    search = _search(args)
    try:
        if args.flat:
            if args.output and not args.output.lower().endswith((".csv", ".xlsx")):
                io.err(io.say("cli.template_flat_suffix"))
                return EXIT_USAGE
            header = api.flat_header(path, search)
            if args.output and args.output.lower().endswith(".xlsx"):
                data: str | bytes = api.flat_header_xlsx(header)
            else:
                buf = StringIO()
                csv.writer(buf, lineterminator="\r\n").writerow(header)
                data = ("\ufeff" if args.output else "") + buf.getvalue()  # a BOM so Excel opens UTF-8 as such
            return emit(io, data, args.output, "xlsx", inputs=(api.find_ruleset(path, search),))
        word = bool(args.output and args.output.lower().endswith(".docx"))
        data = api.form_template(path, args.rows, args.table_rows, word=word, search=search)
    except DiagnosticError as e:
        io.problems(e.diagnostics)
        return EXIT_PROBLEMS
    except MissingLibrary as e:
        io.err(io.say("report.missing_library", format=e.format, package=e.package))
        return EXIT_PROBLEMS

    return emit(io, data, args.output, "docx" if word else "xlsx", inputs=(api.find_ruleset(path, search),))


# --- validate ---------------------------------------------------------------

def add_validate(sub, t) -> None:
    p = sub.add_parser("validate", help=t("检查规则集，一次列出全部问题", "check rulesets, listing every problem at once"))
    p.add_argument("rulesets", nargs="+", help=t("规则集文件，或规则集名称（如 2019/department）或 id", "ruleset files, or ruleset names (e.g. 2019/department) or ids"))
    _add_lint_options(p, t)
    p.set_defaults(run=cmd_validate)


def _add_lint_options(p, t) -> None:
    p.add_argument("--disable-lint", action="append", default=[], metavar="ID", help=t("关闭一项指标设计检查（可重复），如 money_as_quantity", "switch a design lint off (repeatable), e.g. money_as_quantity"))
    p.add_argument("--enable-lint", action="append", default=[], metavar="ID", help=t("打开一项指标设计检查（可重复），即使规则集关闭了它", "switch a design lint on (repeatable), even if the ruleset switches it off"))


def _lint_choice(args, io: Io):
    """(enable, disable) from the command line, or None after saying which id is unknown."""
    from engine.ruleset import lints  # cold start: a command imports only what it uses

    bad = lints.unknown([*args.enable_lint, *args.disable_lint])
    for lint, suggestion in bad:
        io.err(io.say("lint.unknown_option", id=lint, suggestion=suggestion, known=", ".join(lints.LINTS)))
    return None if bad else (tuple(args.enable_lint), tuple(args.disable_lint))


def cmd_validate(args, io: Io) -> int:
    # cold start: a command or format imports only what it uses
    from engine import api

    choice = _lint_choice(args, io)
    if choice is None:
        return EXIT_USAGE
    code = EXIT_OK
    for path in args.rulesets:
        try:
            plan = api.validate_ruleset(path, _search(args))
        except DiagnosticError as e:
            io.problems(e.diagnostics)
            code = EXIT_PROBLEMS
            continue
        for d in api.ruleset_warnings(plan, choice):  # scored anyway (policy.weights_mismatch: warn); design lints
            io.out(f"{d.span}: [{io.say('report.severity_warning')}] {d.message(io.lang)}")
        if plan.frames:  # some indicators come from each unit's rows
            io.out(io.say("rows.valid", file=plan.file, indicators=len(plan.leaves), frames="、".join(f.name for f in plan.frames), total=plan.ruleset.total))
        else:
            io.out(io.say("cli.valid", file=plan.file, indicators=len(plan.leaves), total=plan.ruleset.total))
    return code


# --- explain ----------------------------------------------------------------

def add_explain(sub, t) -> None:
    p = sub.add_parser("explain", help=t("说明一项得分的由来：规则、所用数据及其位置、计算过程、失分与满分条件；不指定指标时按失分排序列出", "explain how a score came about: the rule, the figures used and where they are, the arithmetic, the points lost and what would have earned full marks; without an indicator, where points were lost, ranked"))
    p.add_argument("args", nargs="*", metavar="[DATA] [INDICATOR]", help=t("数据文件（不填则使用自带的 2019 年示例）和指标名称或 id", "data file (defaults to the bundled 2019 example) and an indicator name or id"))
    p.add_argument("--ruleset", help=t("规则集：文件路径、名称（如 2019/department）或 id；不填则使用数据文件中 ruleset: 指定的规则集", "the ruleset: a file, a name (e.g. 2019/department) or an id; defaults to the one the data file names in ruleset:"))
    p.set_defaults(run=cmd_explain)


def cmd_explain(args, io: Io) -> int:

    # cold start: a command or format imports only what it uses
    from engine import api
    from engine.tools.explain import UnknownIndicator
    from engine.render import explain_text

    if len(args.args) > 2:
        io.err(io.say("cli.explain_usage"))
        return EXIT_USAGE
    data, indicator = api.DEFAULT_DATA, None
    if len(args.args) == 2:
        data, indicator = args.args
    elif args.args:  # one argument: a data file if it is one, else an indicator
        one = args.args[0]
        if os.path.exists(one) or one.lower().endswith((".yaml", ".yml", ".json")):
            data = one
        else:
            indicator = one
    try:
        explained = api.explain_file(data, indicator, args.ruleset, _search(args))
    except DiagnosticError as e:
        io.problems(e.diagnostics)
        return EXIT_PROBLEMS
    except UnknownIndicator as e:
        io.err(io.say("explain.unknown_indicator", name=e.name, suggestion=e.suggestion))
        return EXIT_USAGE
    if indicator is None:
        return emit(io, explain_text.render_ranking(explained, io.lang), None)
    return emit(io, explain_text.render(explained, io.lang), None)


# --- show -------------------------------------------------------------------

def add_show(sub, t) -> None:
    p = sub.add_parser("show", help=t("显示规则集：指标体系一览；加 --resolved 显示合并继承后的完整规则集及每一项的来源", "show a ruleset: its indicator tree; with --resolved the complete ruleset after inheritance, each value with its origin"))
    p.add_argument("ruleset", help=t("规则集文件，或年度（如 2020）", "ruleset file, or a year (e.g. 2020)"))
    p.add_argument("--resolved", action="store_true", help=t("显示合并继承链后的完整规则集（YAML），每个值注明来源：文件、行、年度", "print the complete resolved ruleset (YAML), each value with its file, line and year"))
    p.add_argument("--output", help=t("写入文件（原子写入，成功后才出现）", "write to this file (atomically, only after success)"))
    p.set_defaults(run=cmd_show)


def _search(args):
    """The ruleset search path: --rulesets folders, JIXIAO_RULESETS, ./rulesets, the bundled ones."""
    # cold start: a command imports only what it uses
    from engine.ruleset.locate import SearchPath

    return SearchPath.default(getattr(args, "rulesets_dirs", None) or ())


def _ruleset_paths(io: Io, given: list[str], args) -> list[str] | None:
    """Ruleset arguments as paths (a path, `YEAR/kind`, an id, or a bare year
    naming that year's folder on the search path); None after reporting a
    usage problem."""
    # cold start: a command imports only what it uses
    from engine.ruleset.locate import find_by_year

    try:
        return find_by_year(given, _search(args))
    except DiagnosticError as e:
        for d in e.diagnostics:
            io.err(d.render(io.lang) if d.span else d.message(io.lang))
        return None


def cmd_show(args, io: Io) -> int:
    # cold start: a command imports only what it uses
    from engine.ruleset.loading import load_with_chain
    from engine.render import resolved as out

    paths = _ruleset_paths(io, [args.ruleset], args)
    if paths is None:
        return EXIT_USAGE
    try:
        res, plan = load_with_chain(paths[0], display_path(paths[0]), _search(args))
    except DiagnosticError as e:
        io.problems(e.diagnostics)
        return EXIT_PROBLEMS
    text = out.render_resolved(res, io.lang) if args.resolved else out.render_overview(res, plan, io.lang)
    return emit(io, text, args.output, inputs=(paths[0], *plan.files))


# --- diff -------------------------------------------------------------------

def add_diff(sub, t) -> None:
    p = sub.add_parser("diff", help=t("比较两个规则集：列出评分办法的变化；给出数据文件时，显示各单位在两套规则下的得分及每项变化的影响", "compare two rulesets: the policy changes; with data files, each unit's score under both and which change moved it"))
    p.add_argument("old", help=t("原规则集文件，或年度（如 2019）", "the old ruleset file, or a year (e.g. 2019)"))
    p.add_argument("new", help=t("新规则集文件，或年度（如 2020）", "the new ruleset file, or a year (e.g. 2020)"))
    p.add_argument("data", nargs="*", help=t("单位数据文件（可多个），用于计算对得分的影响", "unit data files (any number), to show the impact on scores"))
    p.set_defaults(run=cmd_diff)


def cmd_diff(args, io: Io) -> int:
    # cold start: a command or format imports only what it uses
    from engine.tools.diff import compare
    from engine.render import diff_text

    paths = _ruleset_paths(io, [args.old, args.new], args)
    if paths is None:
        return EXIT_USAGE
    shown = {p: display_path(p) for p in [*paths, *args.data]}
    try:
        cmp = compare(paths[0], paths[1], tuple(args.data), shown, _search(args))
    except DiagnosticError as e:
        io.problems(e.diagnostics)
        return EXIT_PROBLEMS
    io.out(diff_text.render(cmp, io.lang))
    failed = any(u.old is None or u.new is None for u in cmp.units)
    return EXIT_PROBLEMS if failed else EXIT_OK


# --- test -------------------------------------------------------------------

def add_test(sub, t) -> None:
    p = sub.add_parser("test", help=t("运行规则集自带的测试用例（cases），报告失败项及覆盖情况", "run the test cases that live with rulesets; report failures and coverage"))
    p.add_argument("rulesets", nargs="+", help=t("规则集文件，或年度（如 2019）", "ruleset files, or years (e.g. 2019)"))
    p.set_defaults(run=cmd_test)


def cmd_test(args, io: Io) -> int:
    # cold start: a command or format imports only what it uses
    from engine.tools import cases
    from engine.render import cases_text

    code = EXIT_OK
    for given in args.rulesets:
        paths = _ruleset_paths(io, [given], args)
        if paths is None:
            return EXIT_USAGE
        try:
            report = cases.run(paths[0], display_path(paths[0]), _search(args))
        except DiagnosticError as e:
            io.problems(e.diagnostics)
            code = EXIT_PROBLEMS
            continue
        io.out(cases_text.render(report, io.lang))
        if report.failed:
            code = EXIT_PROBLEMS
    return code


# --- schema -----------------------------------------------------------------

def add_schema(sub, t) -> None:
    p = sub.add_parser("schema", help=t("输出规则集格式的 JSON Schema（draft-07），供 VS Code 等编辑器补全和检查", "print the JSON Schema (draft-07) of the ruleset format, for completion and checking in editors such as VS Code"))
    p.add_argument("--output", help=t("写入文件（原子写入），如 rulesets/ruleset.schema.json", "write to this file (atomically), e.g. rulesets/ruleset.schema.json"))
    p.set_defaults(run=cmd_schema)


def cmd_schema(args, io: Io) -> int:
    # cold start: a command imports only what it uses
    from engine.ruleset.schema import schema_text

    return emit(io, schema_text(), args.output)


# --- init -------------------------------------------------------------------

def add_init(sub, t) -> None:
    p = sub.add_parser("init", help=t("生成下一年度的规则集：继承（extends）上一年度，只写变化，常用修改处已注释列出", "scaffold next year's ruleset: it extends this year's and lists the usual edit points, commented"))
    p.add_argument("year", help=t("新规则集的年度，如 2021", "the new ruleset's year, e.g. 2021"))
    p.add_argument("--from", dest="parent", required=True, help=t("继承的规则集文件（上一年度），或其年度", "the ruleset to extend (last year's), or its year"))
    p.add_argument("--output", help=t("新文件路径；默认与上一年度文件同名，放在 rulesets/<年度>/ 下；已存在时不覆盖", "the new file; by default the same name under rulesets/<year>/; an existing file is never overwritten"))
    p.set_defaults(run=cmd_init)


def cmd_init(args, io: Io) -> int:

    # cold start: a command imports only what it uses
    from engine.base.fileio import write_atomic
    from engine.ruleset.locate import SUFFIXES
    from engine.tools.scaffold import next_year

    if not (len(args.year) == 4 and args.year.isascii() and args.year.isdigit()):  # not ²⁰²¹
        io.err(io.say("init.bad_year"))
        return EXIT_USAGE
    if args.output is not None and not args.output.lower().endswith(SUFFIXES):  # a ruleset is found as a .yaml
        io.err(io.say("init.suffix", path=args.output))
        return EXIT_USAGE
    paths = _ruleset_paths(io, [args.parent], args)
    if paths is None:
        return EXIT_USAGE
    try:
        new = next_year(paths[0], int(args.year), args.output, display_path(paths[0]), _search(args))
    except DiagnosticError as e:
        io.problems(e.diagnostics)
        return EXIT_PROBLEMS
    if outputs_over_inputs(io, [new.path], [paths[0], *new.parent_files]):
        return EXIT_USAGE
    try:
        if args.output is None:  # the default rulesets/<year>/ may be new; a given --output's folder must exist
            os.makedirs(os.path.dirname(os.path.abspath(new.path)), exist_ok=True)
        write_atomic(new.path, new.text, exclusive=True)
    except FileExistsError:
        io.err(io.say("init.exists", path=new.path))
        return EXIT_PROBLEMS
    except OSError as e:
        io.err(io.say("cli.output_failed", path=new.path, reason=os_error(e)))
        return EXIT_PROBLEMS
    io.out(io.say("init.done", path=new.path, parent=new.parent))
    return EXIT_OK
# --- batch ------------------------------------------------------------------

def add_batch(sub, t) -> None:
    p = sub.add_parser("batch", help=t("批量评价：整个地区或部门的全部单位，逐个报告出错的单位，并给出汇总", "evaluate many units at once: per-unit errors, results and a summary"))
    p.add_argument("inputs", nargs="+", metavar="INPUT", help=t("单位数据文件夹（YAML/JSON）、JSONL 文件（每行一个单位）或表格（CSV/XLSX，每行一个单位）", "a folder of unit files (YAML/JSON), a JSONL file (one unit per line) or a table (CSV/XLSX, one unit per row)"))
    p.add_argument("--ruleset", required=True, help=t("规则集：文件路径、名称（如 2019/department）或 id", "the ruleset: a file, a name (e.g. 2019/department) or an id"))
    p.add_argument("--format", choices=["jsonl", "csv", "xlsx"], help=t("逐单位结果的格式；默认按 --output 的扩展名，否则 jsonl", "per-unit result format; defaults to the --output suffix, else jsonl"))
    p.add_argument("--output", help=t("逐单位结果写入此文件（原子写入），汇总写入其旁的 <文件>.summary.json；不填则结果输出到标准输出", "write per-unit results here (atomically) and the summary beside it as <FILE>.summary.json; default: results to stdout"))
    p.add_argument("--errors", help=t("出错单位的问题清单写入此文件；不填则输出到标准错误", "write the failed units' problems here; default: stderr"))
    p.add_argument("--jobs", type=int, default=0, help=t("并行进程数；默认每个可用 CPU 一个（小批量不分进程），最多每个可用 CPU 4 个；结果与单进程逐字节相同", "worker processes; default one per usable CPU (none for a small input), at most 4 per usable CPU; output byte-identical to --jobs 1"))
    p.add_argument("--columns", help=t("表格列映射文件（YAML，与规则集的 batch: 段同形）", "column mapping file for tables (YAML, shaped like the ruleset's batch: section)"))
    p.add_argument("--rows", help=t("明细行表格（CSV/XLSX），按关键列对应到各单位", "a table of line rows (CSV/XLSX), joined to units by the key column"))
    p.add_argument("--result", choices=["full", "compact", "scores"], default="full", help=t("JSONL 每行的内容：full 完整结果（默认，与 evaluate --format json 相同）；compact 紧凑结果（第一行是规则集的常量，各行只有单位自己的数字，问题只存代码和数字；show-result 可还原为完整结果）；scores 只含单位、总分、等级和各末级指标得分", "what each JSONL line holds: full (default, as evaluate --format json); compact (a header record with the ruleset's constants first, then each unit's own figures, findings as code and figures; show-result turns it back into full lines); scores (subject, total, grade, leaf scores)"))
    p.add_argument("--strict", action="store_true", help=t("有任何警告时退出码为 1（供审核和脚本使用）", "exit 1 when there is any warning (for reviewers and scripts)"))
    p.set_defaults(run=cmd_batch)


def cmd_batch(args, io: Io) -> int:

    # cold start: a command or format imports only what it uses
    from engine.batch import pool, statistics, writers
    from engine.base.fileio import AtomicFile, commit_together

    fmt = args.format or writers.format_for(args.output)
    usage = []
    if fmt == "xlsx" and not args.output:
        usage.append(io.say("cli.batch_xlsx_output"))
    if args.jobs < 0:
        usage.append(io.say("cli.batch_jobs"))
    if usage:  # each mistake on its own line
        for line in usage:
            io.err(line)
        return EXIT_USAGE
    jobs = args.jobs
    if jobs > pool.max_jobs():  # brought down to what this machine can use, and said (a script may ask for a bigger machine's)
        io.err(io.say("cli.batch_jobs_capped", asked=jobs, limit=pool.max_jobs(), per=pool.JOBS_PER_CPU))
        jobs = pool.max_jobs()
    paths = _ruleset_paths(io, [args.ruleset], args)
    if paths is None:
        return EXIT_USAGE
    options = pool.Options(paths[0], tuple(args.inputs), fmt, jobs, io.lang, args.columns, args.rows, args.result, args.debug)
    written = [args.output, args.errors, args.output and args.output + ".summary.json"]
    if outputs_over_inputs(io, written, [*args.inputs, paths[0], args.columns, args.rows]):
        return EXIT_USAGE
    outputs: list = []
    try:
        job = pool.prepare(options)
        if outputs_over_inputs(io, written, job.plan.files):
            return EXIT_USAGE
        if args.rows and job.rmap is None:  # nothing in the ruleset or --columns takes line rows
            io.err(io.say("cli.batch_rows_unused", path=args.rows))
            return EXIT_USAGE
        for cmap in job.cmaps.values():  # a category the sheet leaves out: said once, not per row
            for note in cmap.notes:
                io.err(note.render(io.lang))
        for path in (args.output, args.errors):
            if path is not None and not os.path.isdir(os.path.dirname(os.path.abspath(path))):
                # named as the user wrote it (not our temporary file beside it)
                io.err(io.say("cli.output_failed", path=path, reason=os_error(FileNotFoundError(errno.ENOENT, "", path))))
                return EXIT_PROBLEMS
        out = AtomicFile(args.output, binary=fmt == "xlsx", encoding="utf-8-sig" if fmt == "csv" else "utf-8") if args.output else None
        outputs.append(out)
        errs = AtomicFile(args.errors) if args.errors else None
        outputs.append(errs)
        writer = writers.ResultWriter(fmt, out.file if out else io.stdout, job.header())
        first = job.first_line()
        if first is not None:  # --result compact: the header record the lines leave their constants to
            writer.write(first)
        failures = []

        def error(text: str) -> None:
            failures.append(1)
            (errs.write if errs else io.stderr.write)(printable(text) + "\n")

        with _progress(io, job) as tick:
            summary = job.run(writer.write, error, tick, writer.write_review)
        writer.close()
        if out is not None and out.tmp is not None:  # a file, not /dev/null or a pipe: its summary beside it
            outputs.append(AtomicFile(args.output + ".summary.json"))
            outputs[-1].write(pool.dumps_summary(summary, job))
        # every output complete before any is put in place: all of them, or none (a full disk, a name too long)
        commit_together([f for f in outputs if f is not None])
        outputs.clear()
    except DiagnosticError as e:
        io.problems(e.diagnostics)
        return EXIT_PROBLEMS
    except BrokenPipeError:  # the reader of our results went away (`| head`): exit 141
        raise
    except OSError as e:
        io.err(io.say("cli.output_failed", path=_user_path(e, args.output, args.errors), reason=os_error(e)))
        return EXIT_PROBLEMS
    finally:
        for f in outputs:
            if f is not None:
                f.discard()
    text = statistics.summary_text(summary, io.lang)
    (io.out if args.output else io.err)(text)
    if args.output:
        io.err(io.say("cli.written", path=args.output))
    if args.errors and failures:
        io.err(io.say("batch.errors_written", count=len(failures), path=args.errors))
    if summary.units == 0:
        io.err(io.say("batch.no_inputs"))
        return EXIT_PROBLEMS
    if summary.internal:
        return EXIT_INTERNAL
    return _strict(io, args, EXIT_PROBLEMS if summary.failed or summary.orphans else EXIT_OK, summary.warnings)


def _user_path(error: OSError, *paths: str | None) -> str:
    """The user's path an OS error is about (ours are temporary files beside
    them, `.jixiao-*.tmp`: named by the file they stand for)."""
    name = getattr(error, "filename", None)
    if isinstance(name, str) and not os.path.basename(name).startswith(".jixiao-"):
        return name
    folder = os.path.dirname(os.path.abspath(name)) if isinstance(name, str) else None
    for path in paths:
        if path is not None and (folder is None or os.path.dirname(os.path.abspath(path)) == folder):
            return path
    return next((p for p in paths if p is not None), "")


def _progress(io: Io, job):
    """A progress bar on stderr when it is a terminal (rich, if installed); else nothing."""

    stream = getattr(io.stderr, "raw", io.stderr)  # the bar's own escape sequences go through
    if not (hasattr(stream, "isatty") and stream.isatty()):
        return contextlib.nullcontext(None)
    try:
        # optional library (the progress extra), only on a terminal
        from rich.console import Console
        from rich.progress import Progress
    except ImportError:
        return contextlib.nullcontext(None)

    @contextlib.contextmanager
    def bar():
        with Progress(console=Console(file=stream), transient=True) as progress:
            task = progress.add_task(io.say("cli.batch_progress"), total=job.count())

            def tick(done: int) -> None:
                if done % 200 == 0:
                    progress.update(task, completed=done)

            yield tick

    return bar()


# --- show-result ------------------------------------------------------------

class _Refused(Exception):
    """An output found to be an input once the command knows its inputs (said already)."""


def add_show_result(sub, t) -> None:
    p = sub.add_parser("show-result", help=t("读回 batch --result compact 写出的紧凑结果文件：还原为完整结果（与 --result full 逐字节相同），或显示每个单位的摘要", "read a compact result file (batch --result compact) back: as the full lines (byte for byte what --result full writes), or a readable summary per unit"))
    p.add_argument("file", metavar="FILE", help=t("紧凑结果文件（.jsonl，第一行是头记录）", "a compact result file (.jsonl, its first line the header record)"))
    p.add_argument("--ruleset", help=t("写出该文件时所用的规则集（路径、名称或 id）；不填则用头记录中记下的规则集；摘要不符时拒绝", "the ruleset the file was written with (a path, name or id); default: the one its header names; refused when its digest differs"))
    p.add_argument("--format", choices=["full", "text"], default="full", help=t("full：完整结果，每行一个单位（默认）；text：每个单位的总分、等级、问题和偏差，按 --lang 的语言", "full: the full result lines (default); text: each unit's total, grade, findings and deviations, in the --lang language"))
    p.add_argument("--output", help=t("写入文件（原子写入，成功后才出现）", "write to this file (atomically, only after success)"))
    p.set_defaults(run=cmd_show_result)


def cmd_show_result(args, io: Io) -> int:
    # cold start: a command imports only what it uses
    from engine import api
    from engine.base.diagnostics import Diagnostic
    from engine.base.fileio import AtomicFile

    if outputs_over_inputs(io, [args.output], [args.file, args.ruleset if args.ruleset and os.path.isfile(args.ruleset) else None]):
        return EXIT_USAGE
    if not os.path.isfile(args.file):
        io.err(io.say("load.not_found", path=display_path(args.file)))
        return EXIT_PROBLEMS
    out = None
    problems = 0

    def on_plan(plan) -> None:  # the ruleset the header names is an input too
        if outputs_over_inputs(io, [args.output], plan.files):
            raise _Refused

    try:
        stream = io.stdout
        unread = False  # the header could not be read: nothing is written
        for item in api.show_result(args.file, args.ruleset, _search(args), args.format, io.lang, on_plan):
            if isinstance(item, Diagnostic):
                problems += 1
                unread = unread or item.span is None or item.span.line == 1
                io.err(item.render(io.lang))
                continue
            if out is None and args.output:  # opened once the ruleset is known (not an output over it)
                out = AtomicFile(args.output)
                stream = out.file
            stream.write((printable(item) if args.format == "text" and not out else item) + "\n")
        if args.output and out is None and not unread:  # a header and no unit: an empty result
            out = AtomicFile(args.output)
        if out is not None:
            out.commit()
            out = None
            io.err(io.say("cli.written", path=args.output))
    except _Refused:
        return EXIT_USAGE
    except DiagnosticError as e:
        io.problems(e.diagnostics)
        return EXIT_PROBLEMS
    except BrokenPipeError:
        raise
    except OSError as e:
        io.err(io.say("cli.output_failed", path=args.output or args.file, reason=os_error(e)))
        return EXIT_PROBLEMS
    finally:
        if out is not None:
            out.discard()
    return EXIT_PROBLEMS if problems else EXIT_OK


# --- submission -------------------------------------------------------------

def add_submission(sub, t) -> None:
    p = sub.add_parser("submission", help=t("生成全部提交材料：自评报告、整体支出绩效自评表、各项目支出绩效自评表和汇总表，按报告附件编号，写入一个文件夹或 zip", "write the whole submission: the report, the department form, every project form and the summary, numbered as the report's attachments, into a folder or a zip"))
    p.add_argument("data", nargs="+", help=t("部门的数据文件，以及项目的数据文件或文件夹", "the department's data file, and the projects' data files or folders"))
    p.add_argument("--output", required=True, help=t("写入的文件夹（须不存在或为空）或 .zip 文件", "the folder to write (must not exist or be empty), or a .zip file"))
    p.add_argument("--template", help=t("报告的 Word 模板；不填则用规则集 report.template 或自带模板", "the report's Word template; defaults to the ruleset's report.template or the bundled one"))
    p.add_argument("--strict", action="store_true", help=t("仍有未处理的问题（警告、缺少的报告文字）时不写出", "write nothing while problems (warnings, missing report texts) remain"))
    p.set_defaults(run=cmd_submission)


def cmd_submission(args, io: Io) -> int:
    # cold start: a command imports only what it uses
    from engine import api
    from engine.base.diagnostics import DiagnosticError
    from engine.render import MissingLibrary, submission
    from engine.base import fileio
    from engine.render.forms import is_project
    from engine.render.report import unresolved
    from engine.tools.project_summary import data_files

    paths, problems = data_files(args.data)
    if outputs_over_inputs(io, [args.output], [*args.data, *paths]):
        return EXIT_USAGE
    results = []
    for path in paths:
        try:
            results.append(api.evaluate_file(path, None, _search(args)))
        except DiagnosticError as e:
            problems += e.diagnostics
    if problems:
        io.problems(problems)
        return EXIT_PROBLEMS
    departments = [r for r in results if not is_project(r)]
    if len(departments) != 1:
        io.err(io.say("submission.one_department", count=len(departments)))
        return EXIT_USAGE
    projects = [r for r in results if is_project(r)]
    for r in results:  # what remains unresolved is listed here, never in the documents
        _submission_checks(io, r, False)
    remaining = sum(len(unresolved(r)) for r in results)
    if args.strict and remaining:
        io.err(io.say("report.strict_refused", count=remaining))
        return EXIT_PROBLEMS
    try:
        items = submission.files(departments[0], projects, args.template)
    except MissingLibrary as e:
        io.err(io.say("report.missing_library", format=e.format, package=e.package))
        return EXIT_PROBLEMS
    except DiagnosticError as e:
        io.problems(e.diagnostics)
        return EXIT_PROBLEMS
    try:
        if args.output.lower().endswith(".zip"):
            fileio.write_atomic(args.output, submission.as_zip(items))
        else:
            fileio.write_folder_atomic(args.output, items)
    except OSError as e:
        io.err(io.say("cli.output_failed", path=args.output, reason=os_error(e)))
        return EXIT_PROBLEMS
    for name, _ in items:
        io.err(io.say("submission.item", name=name))
    io.err(io.say("cli.written", path=args.output))
    return EXIT_OK


# --- serve ------------------------------------------------------------------

def add_serve(sub, t) -> None:
    p = sub.add_parser("serve", help=t("启动工作台与 HTTP 接口（本机 127.0.0.1）：浏览规则集、在线编辑并即时检查、评价、假设分析、年度比较、批量评价", "start the workbench and HTTP API (on 127.0.0.1): browse, edit with live checks, evaluate, what-if, compare years, batches"))
    p.add_argument("--host", default="127.0.0.1", help=t("监听地址；默认 127.0.0.1（仅本机）；其他地址必须设置访问令牌", "address to listen on; default 127.0.0.1 (this machine only); any other needs a token"))
    p.add_argument("--port", type=int, default=8000, help=t("端口，默认 8000", "port, default 8000"))
    p.add_argument("--token", default=None, help=t("访问令牌（也可用环境变量 JIXIAO_TOKEN）：每个请求都须带上", "access token (or the JIXIAO_TOKEN environment variable), checked on every request"))
    p.add_argument("--workers", type=int, default=2, help=t("评价用的工作进程数，默认 2", "worker processes for evaluations, default 2"))
    p.add_argument("--time-limit", type=float, default=30.0, help=t("每个请求的时间上限（秒），超过即停止并答复，默认 30", "time limit per request in seconds; past it the work is stopped and answered; default 30"))
    p.set_defaults(run=cmd_serve)


def cmd_serve(args, io: Io) -> int:
    from importlib import import_module  # cold start: only this command loads the server

    # The server is the layer above the CLI (it uses engine.api, as the CLI does): the
    # command hands over to it by name, as `evaluate --format` does to its renderers.
    main = import_module("engine.serve").main

    token = args.token or os.environ.get("JIXIAO_TOKEN") or None
    if args.workers < 0 or args.time_limit <= 0:
        io.err(io.say("cli.usage_error", prog="jixiao serve", message="--workers / --time-limit"))
        return EXIT_USAGE
    return main(args.host, args.port, token, tuple(getattr(args, "rulesets_dirs", None) or ()), io.lang, io.stdout, io.stderr, args.workers, args.time_limit)


# --- the command table and entry point --------------------------------------

COMMANDS: list[Callable] = [
    add_evaluate,
    add_template,
    add_validate,
    add_explain,
    add_show,
    add_diff,
    add_test,
    add_schema,
    add_init,
    add_batch,
    add_show_result,
    add_submission,
    add_serve,
]


def _lang_from(argv: list[str]) -> str:
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv):
            return "en" if argv[i + 1] == "en" else "zh"
        if a.startswith("--lang="):
            return "en" if a.split("=", 1)[1] == "en" else "zh"
    return "zh"


# argparse's own error sentences (Python 3.10–3.13) → our message code and its arguments.
_USAGE_ERRORS = (
    (r"the following arguments are required: (?P<names>.*)", "cli.usage_required"),
    (r"argument (?P<name>.*?): invalid choice: (?P<value>.*?) \(choose from (?P<choices>.*)\)", "cli.usage_choice"),
    (r"unrecognized arguments: (?P<names>.*)", "cli.usage_unknown"),
    (r"argument (?P<name>.*?): expected one argument", "cli.usage_one_value"),
    (r"argument (?P<name>.*?): expected at least one argument", "cli.usage_values"),
    (r"argument (?P<name>.*?): invalid (?P<kind>int) value: (?P<value>.*)", "cli.usage_bad_value"),
    (r"ambiguous option: (?P<name>.*?) could match (?P<matches>.*)", "cli.usage_ambiguous"),
)


class _Parser(argparse.ArgumentParser):
    """argparse speaking the user's language: its usage errors, the usage
    prefix and the help headings come from our catalogue (argparse has them
    in English only). Subclassed per language by `build_parser`."""

    lang = "zh"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._positionals.title = self._say("cli.usage_positionals")
        self._optionals.title = self._say("cli.usage_options")
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = self._say("cli.usage_help")

    def _say(self, code: str, **args) -> str:
        # cold start: the message catalogue loads only when a message is shown
        from engine.base.messages import format_message

        return format_message(code, args, self.lang)

    def format_usage(self) -> str:
        return self._local_usage(super().format_usage())

    def format_help(self) -> str:
        return self._local_usage(super().format_help())

    def _local_usage(self, text: str) -> str:
        prefix = "usage: "
        return self._say("cli.usage_prefix") + text[len(prefix):] if text.startswith(prefix) else text

    def error(self, message: str):
        # cold start: a command imports only what it uses
        import re

        for pattern, code in _USAGE_ERRORS:
            m = re.fullmatch(pattern, message)
            if m is not None and self.lang != "en":
                args = m.groupdict()
                if "kind" in args:
                    args["kind"] = self._say("cli.usage_integer")
                message = self._say(code, **args)
                break
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, self._say("cli.usage_error", prog=self.prog, message=message) + "\n")


def build_parser(lang: str = "zh") -> argparse.ArgumentParser:
    """The argument parser; every command and option has help text in `lang`,
    and argparse's own words (usage errors, headings) are in `lang` too."""

    def t(zh: str, en: str) -> str:
        return en if lang == "en" else zh

    Parser = type("Parser", (_Parser,), {"lang": lang})

    def common_options(default) -> argparse.ArgumentParser:
        # Accepted before or after the command; the command's copy must not
        # overwrite a value given before it, hence SUPPRESS there.
        p = argparse.ArgumentParser(add_help=False)
        p.add_argument("--lang", choices=["zh", "en"], default=default("zh"), help=t("消息语言：zh（中文，默认）或 en", "message language: zh (Chinese, default) or en"))
        p.add_argument("--debug", action="store_true", default=default(False), help=t("出错时显示程序内部的调用栈（供维护者排查）", "show the internal traceback on an unexpected error (for maintainers)"))
        p.add_argument("--rulesets", dest="rulesets_dirs", action="append", metavar="DIR", default=default(None), help=t("规则集文件夹，按名称（如 2019/department）或 id 查找规则集时最先查找（可多次给出；另见环境变量 JIXIAO_RULESETS）", "a folder of rulesets searched first when a ruleset is named (e.g. 2019/department) or given by id (repeatable; see also JIXIAO_RULESETS)"))
        return p

    common = common_options(lambda _: argparse.SUPPRESS)
    parser = Parser(prog="jixiao", description=t("jixiao：预算绩效自评规则引擎", "jixiao: a rules engine for budget performance self-evaluation"), parents=[common_options(lambda v: v)])

    parser.add_argument("--version", action="version", version=f"jixiao {__version__}", help=t("显示版本号", "show the version"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    original = sub.add_parser

    def add_parser(name, **kw):  # every command takes --lang and --debug too
        kw.setdefault("description", kw.get("help"))
        return original(name, parents=[common], **kw)

    sub.add_parser = add_parser
    for add in COMMANDS:
        add(sub, t)
    return parser


def main(argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run one command; return its exit code. Never raises; shows a traceback
    only with --debug."""
    argv = list(sys.argv[1:] if argv is None else argv)
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = build_parser(_lang_from(argv))
    try:
        # argparse prints usage and help itself: into our streams, not sys's
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            args = parser.parse_args(argv)
    except SystemExit as e:
        return EXIT_OK if e.code == 0 else EXIT_USAGE
    io = Io(_terminal(stdout), _terminal(stderr), args.lang)
    try:
        return args.run(args, io)
    except KeyboardInterrupt as e:  # Ctrl-C, or SIGTERM (see `run`): outputs discarded on the way here
        try:
            io.err(io.say("cli.interrupted"))
        except (OSError, ValueError):  # the terminal went away too
            pass
        return EXIT_TERMINATED if isinstance(e, Terminated) else EXIT_INTERRUPTED
    except BrokenPipeError:
        _discard_stdout(stdout)
        return EXIT_BROKEN_PIPE
    except Exception as e:  # noqa: BLE001 - the one place that turns any bug into exit 70
        if args.debug:
            # only with --debug
            import traceback

            traceback.print_exc(file=stderr)
        io.err(io.say("cli.internal", error=_one_line(e)))
        return EXIT_INTERNAL


class _Terminal:
    """A terminal stream that shows every control character from data
    escaped (CSI/OSC sequences in a name, a cell or a file name never act):
    results printed to a terminal (a batch's CSV or JSON lines) pass through
    here; files and pipes get the bytes as they are. Binary output is refused
    on a terminal anyway, so there is no `buffer`."""

    buffer = None

    def __init__(self, stream: TextIO):
        self.raw = stream

    def write(self, text: str) -> int:
        return self.raw.write(printable(text))

    def isatty(self) -> bool:
        return True

    def __getattr__(self, name: str):
        return getattr(self.raw, name)


def _terminal(stream: TextIO) -> TextIO:
    try:
        return _Terminal(stream) if stream.isatty() else stream  # type: ignore[return-value]
    except (AttributeError, ValueError):  # a closed or unusual stream
        return stream


# What a console's encoding (GBK, a Western code page) may lack, and a
# character it surely has; anything else becomes "?".
_NEAR = {"›": ">", "‹": "<", "→": "->", "≥": ">=", "≤": "<=", "—": "-", "…": "...", "·": "."}


def _near_character(error: UnicodeEncodeError) -> tuple[str, int]:
    """An encoding error handler: the nearest character the stream can show."""
    text = "".join(_NEAR.get(ch, "?") for ch in error.object[error.start : error.end])
    try:
        text.encode(error.encoding)
    except (UnicodeEncodeError, LookupError):
        text = "?" * (error.end - error.start)
    return text, error.end


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is so that it unwinds as on Ctrl-C."""


def _terminated(signum, frame) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends at once
    raise Terminated()


def _discard_stdout(stdout: TextIO) -> None:
    """Point a closed standard output at /dev/null, so Python's final flush
    does not complain about the broken pipe either."""

    try:
        fd = stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (a StringIO in tests)
        pass


def _one_line(e: BaseException) -> str:
    """`Type: first line of the message`, short: the internal-error report is one line."""
    lines = str(e).strip().splitlines()
    text = f"{type(e).__name__}: {lines[0]}" if lines else type(e).__name__
    return text if len(text) <= 200 else text[:199] + "…"


def run() -> None:
    """The program (`python cli.py …`, the `jixiao` script): `main()` plus two
    start-up and shut-down savings that belong to a process, not to a library
    call (tests call `main()` and get neither).

    - We use no pydantic plugins, so pydantic need not scan every installed
      package's entry points on the first model build (a user's own
      PYDANTIC_DISABLE_PLUGINS setting wins).
    - Once the command is done and its output flushed, the heap is frozen
      (`gc.freeze`): Python's shut-down then skips collecting and freeing every
      module, class and pydantic schema one by one, ~20 ms of a cold `evaluate`
      (benchmarks/README.md). The operating system reclaims the memory at exit;
      every file we write is closed before `main()` returns, and `atexit`
      handlers still run.
    """
    import gc  # only at the end of the program (run), never in a library call

    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # A character the console's encoding cannot show (GBK: ` › `) is replaced,
    # never an error: output must not fail on the way to the user.
    codecs.register_error("jixiao", _near_character)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError, LookupError):
            stream.reconfigure(errors="jixiao")
    # SIGTERM (`kill`, a service manager) ends the command like Ctrl-C: the
    # unwinding removes temporary files (`.jixiao-*.tmp`) and worker processes.
    with contextlib.suppress(ValueError, OSError):  # not in the main thread
        signal.signal(signal.SIGTERM, _terminated)
    code = main()
    gc.freeze()
    raise SystemExit(code)


if __name__ == "__main__":
    run()
