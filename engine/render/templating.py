"""Report templates (报告模板): which template, and Jinja2 with located errors.

The report's structure and wording is a template a bureau can edit: a Word
document with Jinja fields for docx (docxtpl), Jinja2 text for Markdown and
HTML. `--template FILE` wins, then the ruleset's `report.template` (paths
relative to the ruleset file, and inside its folder or on the search path),
then the bundled defaults in engine/render/templates/. Templates run in
Jinja2's sandbox with a budget (`environment`): a ruleset's template can
neither reach Python nor files, nor run without end. A template that cannot be read or rendered is a
`Diagnostic` located in the template (`file:line:col`; in a Word template the
line is the paragraph's number), never a traceback.
"""
from __future__ import annotations

import functools
import os
import re
import sys
from typing import Any

from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan
from engine.base.fileio import open_regular
from engine.base.messages import Said, os_error
from engine.base.paths import is_within
from engine.ruleset.locate import SearchPath

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
DEFAULTS = {"markdown": "report.md.j2", "html": "report.html.j2", "docx": "department.docx"}
DEFAULT_PROJECT_DOCX = "project.docx"


def choose(fmt: str, plan, given: str | None, project: bool = False) -> tuple[str, bool]:
    """(path of the template for `fmt`, whether it is a bundled default).
    Raises `DiagnosticError` when a named template does not exist."""
    if given:
        if not os.path.isfile(given):
            raise DiagnosticError([Diagnostic("report.template_missing", SourceSpan(given, 1, 1), {"path": given})])
        return given, False
    named = plan.ruleset.report.template.get(fmt)
    if named:
        path = os.path.normpath(os.path.join(os.path.dirname(plan.file), named))
        span = plan.span(("report", "template", fmt)) or plan.span(("report", "template")) or SourceSpan(plan.file, 1, 1)
        # as for a ruleset a data file names: its own folder or the search path, never anywhere on the machine
        if os.path.isabs(named) or not (is_within(path, os.path.dirname(plan.file)) or SearchPath.default().trusts(path)):
            raise DiagnosticError([Diagnostic("report.template_outside", span, {"ref": named})])
        if not os.path.isfile(path):
            raise DiagnosticError([Diagnostic("report.template_missing", span, {"path": path})])
        return path, False
    name = DEFAULT_PROJECT_DOCX if fmt == "docx" and project else DEFAULTS[fmt]
    return os.path.join(TEMPLATES, name), True


# What a template may spend (a template is part of a ruleset, and a ruleset
# must never hang the machine): steps (each loop item, call, filter and
# operator), the characters it writes, and the size of any number or text
# one operation makes. The bundled report of a 300-row project takes ~30,000
# steps and writes ~200,000 characters.
MAX_STEPS = 5_000_000
MAX_OUTPUT = 50_000_000
MAX_ARGUMENT = 1_000_000  # a width, a count, a repeat: `center(10**9)`, `'x' * 10**9`
MAX_EXPONENT = 4096
_WIDE_FORMAT = re.compile(r"%[-#0 +]*(?:\*|\d{7,})|\{[^{}]*:[^{}]*?\d{7,}")  # `%999999999d`, `{:>999999999}`


class TemplateTooCostly(Exception):
    """A template went past `MAX_STEPS`, `MAX_OUTPUT` or `MAX_ARGUMENT`."""


def environment(finalize=None, **filters: Any):
    """A sandboxed Jinja2 environment (`jinja2.sandbox`): a template reads
    the report's fields and calls their plain methods, never Python's
    internals (`cycler.__init__.__globals__` is refused), includes no file,
    and spends at most `MAX_STEPS` steps and `MAX_OUTPUT` characters.
    Unknown names are errors (a misspelt field must not vanish from a
    report), blocks trimmed so templates can be laid out; `finalize` escapes
    every printed field for the format (Markdown)."""
    env = _sandbox_class()(undefined=_strict(), trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False, finalize=finalize)
    env.filters.update(filters)
    env.filters = {name: _guarded(env, f) for name, f in env.filters.items()}
    env.filters[_STEP_FILTER] = env.counted
    return env


_STEP_FILTER = "jixiao_counted"  # wraps every `{% for %}`'s items (`_sandbox_class`)


def _strict():
    import jinja2  # why: only the report formats need Jinja2

    return jinja2.StrictUndefined


@functools.cache
def _sandbox_class():
    """The sandbox class, made on first use (Jinja2 is imported only for reports)."""
    from jinja2 import nodes  # why: only the report formats need Jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError  # why: only the report formats need Jinja2

    class ReportSandbox(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "%", "//", "+"})

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.steps = 0

        def step(self) -> None:
            self.steps += 1
            if self.steps > MAX_STEPS:
                raise TemplateTooCostly(f"more than {MAX_STEPS:,} steps")

        def counted(self, items):
            for item in items:
                self.step()
                yield item

        def _parse(self, source, name, filename):
            # every loop's items go through `counted`: a loop is a step per item
            tree = super()._parse(source, name, filename)
            for loop in tree.find_all(nodes.For):
                loop.iter = nodes.Filter(loop.iter, _STEP_FILTER, [], [], None, None, lineno=loop.iter.lineno)
            return tree

        def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
            __self.step()
            _check_arguments(args, kwargs)
            return super().call(__context, __obj, *args, **kwargs)

        def getattr(self, obj, attribute):
            if attribute in ("format", "format_map") and isinstance(obj, str) and _WIDE_FORMAT.search(obj):
                raise TemplateTooCostly("a format width over a million")
            return super().getattr(obj, attribute)

        def call_binop(self, context, operator, left, right):
            self.step()
            if operator == "*" and (_sized(left) and _big(right) or _sized(right) and _big(left)):
                raise TemplateTooCostly("a repeat over a million")
            if operator == "**" and isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
                raise TemplateTooCostly(f"an exponent over {MAX_EXPONENT}")
            if operator == "%" and isinstance(left, str) and _WIDE_FORMAT.search(left):
                raise TemplateTooCostly("a format width over a million")
            try:
                return super().call_binop(context, operator, left, right)
            except SecurityError:
                raise
            except OverflowError as e:
                raise TemplateTooCostly(str(e)) from None

    return ReportSandbox


def _sized(value: Any) -> bool:
    return isinstance(value, (str, list, tuple, bytes))


def _big(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > MAX_ARGUMENT


def _check_arguments(args: tuple, kwargs: dict) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ARGUMENT:
            raise TemplateTooCostly("a number argument over a million")


def _guarded(env, f):
    """A filter that counts as a step and takes no number argument over
    `MAX_ARGUMENT` (`center(10**9)`); Jinja's marks (`pass_context` …) kept."""

    @functools.wraps(f)
    def guarded(*args, **kwargs):
        env.step()
        _check_arguments(args[1:], kwargs)
        return f(*args, **kwargs)

    return guarded


def render_text(path: str, shown: str, ctx: dict, autoescape: bool = False, finalize=None, **filters: Any) -> str:
    """Render the text template at `path` (`shown` is how messages name it)."""
    import jinja2  # why: only the report formats need Jinja2

    try:
        with open_regular(path) as f:
            source = f.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = os_error(e) if isinstance(e, OSError) else Said("report.template_not_utf8")
        raise DiagnosticError([Diagnostic("report.template_unreadable", SourceSpan(shown, 1, 1), {"reason": reason})]) from None
    env = environment(finalize, **filters)
    env.autoescape = autoescape
    try:
        parts, size = [], 0
        for part in env.from_string(source).generate(ctx):
            size += len(part)
            if size > MAX_OUTPUT:
                raise TemplateTooCostly(f"more than {MAX_OUTPUT:,} characters")
            parts.append(part)
        return "".join(parts)
    except jinja2.TemplateSyntaxError as e:
        raise DiagnosticError([Diagnostic("report.template_error", SourceSpan(shown, e.lineno or 1, 1), {"reason": e.message or str(e)})]) from None
    except jinja2.TemplateError as e:
        raise DiagnosticError([Diagnostic("report.template_error", SourceSpan(shown, template_line(e) or 1, 1), {"reason": e.message or str(e)})]) from None
    except TemplateTooCostly as e:
        raise DiagnosticError([Diagnostic("report.template_costly", SourceSpan(shown, template_line(e) or 1, 1), {"reason": str(e)})]) from None
    except (TypeError, ValueError, AttributeError, KeyError, ArithmeticError, RecursionError) as e:  # a filter or test given the wrong thing
        raise DiagnosticError([Diagnostic("report.template_error", SourceSpan(shown, template_line(e) or 1, 1), {"reason": str(e) or type(e).__name__})]) from None


def template_line(error: BaseException) -> int | None:
    """The template line an error was raised at: Jinja2 rewrites tracebacks so
    that frames of template code carry the template's own line numbers."""
    tb = error.__traceback__ or sys.exc_info()[2]
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in ("<template>",) or tb.tb_frame.f_globals.get("__jinja_template__") is not None:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
