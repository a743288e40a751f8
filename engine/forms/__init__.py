"""Filled forms as unit data (填报表格读入): a workbook made by `jixiao template`
(or a Word copy of its tables) read back into the same data a YAML unit file
holds, every value located at its cell (`文件.xlsx:工作表!C12`). A bureau's
own form without jixiao's hidden sheet is read by the layout its ruleset
declares (`form:`, `engine.forms.layout`).

Placed just above `engine.unit`: it produces the raw data and the source map
that `engine.unit.inputs.read_unit` checks, exactly as the YAML loader does.
"""
from __future__ import annotations

import re
import zipfile

from engine.base.archive import zip_problem

# The layout version the template writes into its stamp and the reader accepts.
LAYOUT_VERSION = "jixiao-form/1"
KNOWN_LAYOUTS = (LAYOUT_VERSION,)
STAMP_SHEET = "jixiao"
FORM_SUFFIXES = (".xlsx", ".xlsm")


def is_form(path: str) -> bool:
    """Whether a data path names a form (a workbook) rather than YAML/JSON."""
    return path.lower().endswith(FORM_SUFFIXES)


def is_any_form(path: str) -> bool:
    """A workbook, a Word document or a legacy .xls: read as a filled form."""
    return path.lower().endswith(FORM_SUFFIXES + (".docx", ".xls"))


def is_jixiao_workbook(path: str) -> bool:
    """Whether an .xlsx file holds a jixiao form (its workbook lists the stamp
    sheet), read from the package's small workbook part only: `batch` tells a
    filled form from a flat one-row-per-unit table this way."""
    if not is_form(path):
        return False
    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("xl/workbook.xml")
            # bzip2 and LZMA unpack without a bound, whatever size they declare
            if info.file_size > 1 << 20 or zip_problem([info]) is not None:
                return False
            text = z.read(info).decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - whatever a damaged zip makes zipfile raise (zlib.error, EOFError, NotImplementedError …): read as a table, whose reader reports it
        return False
    return re.search(r'<(?:\w+:)?sheet\b[^>]*\bname="' + STAMP_SHEET + '"', text) is not None
