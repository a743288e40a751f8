"""Report templates (报告模板): which template, and Jinja2 with located errors.

The report's structure and wording is a template a bureau can edit: a Word
document with Jinja fields for docx (docxtpl), Jinja2 text for Markdown and
HTML. `--template FILE` wins, then the ruleset's `report.template` (paths
relative to the ruleset file), then the bundled defaults in
engine/render/templates/. A template that cannot be read or rendered is a
`Diagnostic` located in the template (`file:line:col`; in a Word template the
line is the paragraph's number), never a traceback.
"""
from __future__ import annotations

import os
import sys
from typing import Any

from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan
from engine.base.messages import Said, os_error

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
        if not os.path.isfile(path):
            span = plan.span(("report", "template", fmt)) or plan.span(("report", "template")) or SourceSpan(plan.file, 1, 1)
            raise DiagnosticError([Diagnostic("report.template_missing", span, {"path": path})])
        return path, False
    name = DEFAULT_PROJECT_DOCX if fmt == "docx" and project else DEFAULTS[fmt]
    return os.path.join(TEMPLATES, name), True


def environment(finalize=None, **filters: Any):
    """A Jinja2 environment: unknown names are errors (a misspelt field must
    not vanish from a report), blocks trimmed so templates can be laid out;
    `finalize` escapes every printed field for the format (Markdown)."""
    import jinja2  # why: only the report formats need Jinja2

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False, finalize=finalize)
    env.filters.update(filters)
    return env


def render_text(path: str, shown: str, ctx: dict, autoescape: bool = False, finalize=None, **filters: Any) -> str:
    """Render the text template at `path` (`shown` is how messages name it)."""
    import jinja2  # why: only the report formats need Jinja2

    try:
        with open(path, encoding="utf-8") as f:
            source = f.read()
    except (OSError, UnicodeDecodeError) as e:
        reason = os_error(e) if isinstance(e, OSError) else Said("report.template_not_utf8")
        raise DiagnosticError([Diagnostic("report.template_unreadable", SourceSpan(shown, 1, 1), {"reason": reason})]) from None
    env = environment(finalize, **filters)
    env.autoescape = autoescape
    try:
        return env.from_string(source).render(ctx)
    except jinja2.TemplateSyntaxError as e:
        raise DiagnosticError([Diagnostic("report.template_error", SourceSpan(shown, e.lineno or 1, 1), {"reason": e.message or str(e)})]) from None
    except jinja2.TemplateError as e:
        raise DiagnosticError([Diagnostic("report.template_error", SourceSpan(shown, template_line(e) or 1, 1), {"reason": e.message or str(e)})]) from None
    except (TypeError, ValueError, AttributeError, KeyError) as e:  # a filter or test given the wrong thing
        raise DiagnosticError([Diagnostic("report.template_error", SourceSpan(shown, template_line(e) or 1, 1), {"reason": str(e)})]) from None


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
