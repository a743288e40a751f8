"""Word and Excel outputs are byte-identical for the same inputs: no save time
leaks into the archive or the document properties."""
from __future__ import annotations

import io
import zipfile

import pytest

from tests.conftest import EXAMPLE_2019


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_office_files_carry_no_clock_time(fmt, tmp_path):
    from engine import api
    from engine.render import docx_out, xlsx_out

    result = api.evaluate_file(str(EXAMPLE_2019))
    data = (docx_out if fmt == "docx" else xlsx_out).render(result)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    core = archive.read("docProps/core.xml").decode("utf-8")
    assert "2000-01-01T00:00:00Z" in core
    assert (docx_out if fmt == "docx" else xlsx_out).render(result) == data
