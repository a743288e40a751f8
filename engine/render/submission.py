"""The whole submission (提交材料): the report, the 整体 form, every project
form and the 汇总表, named and numbered as the report's 附件 section lists them.

`files(department, projects)` returns (file name, bytes) in order — the report
(Word, submission mode) first, then the attachments in the ruleset's order
(`report.attachments`; the seed's: 附件1 项目支出绩效自评表, 附件2 项目支出自评情况汇总表,
附件3 整体支出绩效自评表). Forms are Excel workbooks (the form on its first sheet).
`as_zip` packs them with fixed times, so the same inputs give the same bytes.
Nothing here writes files.
"""
from __future__ import annotations

import io
import re
import zipfile

from engine.evaluation.result import Result
from engine.render import docx_out, xlsx_out
from engine.render.report import attachment_titles, report_title
from engine.render.reproducible import FIXED_ZIP_TIME
from engine.tools.project_summary import row_of, summary_of

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def safe_name(text: str) -> str:
    """A file name from a title: no path separators or characters Windows refuses."""
    return _UNSAFE.sub("_", text).strip(" .") or "_"


def files(department: Result, projects: list[Result], template: str | None = None) -> list[tuple[str, bytes]]:
    """The submission's files in order: report, then 附件1, 附件2, …"""
    out = [(safe_name(report_title(department)) + ".docx", docx_out.render(department, mode="submission", template=template))]
    for n, (kind, title) in enumerate(attachment_titles(department), start=1):
        label = safe_name(title.replace("：", "_", 1))
        if kind == "form":
            out.append((label + ".xlsx", xlsx_out.render(department, mode="submission")))
        elif kind == "project_forms":
            for i, project in enumerate(projects, start=1):
                out.append((f"附件{n}-{i}_{safe_name(project.unit.name)}.xlsx", xlsx_out.render(project, mode="submission")))
        elif kind == "project_summary" and projects:
            summary = summary_of([row_of(p, p.unit.file) for p in projects])
            out.append((label + ".xlsx", xlsx_out.render_summary(summary)))
    return out


def as_zip(items: list[tuple[str, bytes]]) -> bytes:
    """The files as one zip archive (UTF-8 names, fixed times)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in items:
            entry = zipfile.ZipInfo(name, FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data)
    return buffer.getvalue()
