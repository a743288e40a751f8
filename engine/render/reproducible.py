"""Byte-identical office files: the same inputs give the same bytes.

openpyxl and python-docx stamp the save time into docProps/core.xml and into
every zip entry; both are replaced here by a fixed instant, so a report can be
regenerated years later and compared byte for byte (the content stamp, not a
clock, says what produced it).
"""
from __future__ import annotations

import io
import re
import zipfile

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
FIXED_ISO = "2000-01-01T00:00:00Z"
_CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def normalise_zip(data: bytes) -> bytes:
    """The same archive with fixed entry times and fixed document times."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_TIMES.sub(rb"\g<1>" + FIXED_ISO.encode() + rb"\g<3>", content)
            entry = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, content)
    return out.getvalue()
