"""Where a batch's units come from: a folder of unit files, a JSONL file, a
CSV/XLSX table, and line rows joined from a second table by key."""
from __future__ import annotations

import codecs
import json
import os
import re
import sqlite3
import tempfile
from contextlib import ExitStack
from typing import Iterator

from engine.load.tables import cells_json, open_table
from engine.base.paths import display_path
from engine.load.tables import check_regular, csv_encoding
from engine.load.yaml_loader import _UTF8_EVIDENCE, _multibyte_chars

UNIT_SUFFIXES = (".yaml", ".yml", ".json")
FORM_FILE_SUFFIXES = (".xlsx", ".xlsm", ".docx", ".xls")  # in a folder, a workbook or Word file is a filled form (engine.forms)


def _display(path: str) -> str:

    return display_path(path)


def _folder_files(folder: str) -> list[str]:
    out = []
    for base, dirs, files in os.walk(folder):
        dirs.sort()
        for f in sorted(files):
            if f.lower().endswith(UNIT_SUFFIXES + FORM_FILE_SUFFIXES) and not f.startswith((".", "~$")):  # ~$: Excel's lock files
                out.append(os.path.join(base, f))
    return out


def _lines(path: str, display: str) -> Iterator[tuple]:
    """Each record of a JSONL file with its line number, blank lines left
    out. A UTF-8 file whose lines end with `\\n` or `\\r\\n` (Windows) is read
    as bytes, each line handed on as its UTF-8 bytes without its line end
    (decoded where it is evaluated, and hashed as it is: no newline
    translation, no second encoding); any other file (a GBK one, a lone
    `\\r`) as text, each line as a str."""
    check_regular(path, display)
    ends = _line_ends(path)
    if ends is not None and (_utf8_by_evidence(path) or csv_encoding(path, display) == "utf-8-sig"):
        with open(path, "rb") as fh:
            for number, data in _byte_lines(fh):
                if ends and data[-1:] == b"\r":  # a Windows line end: the text reader reads it as `\n`
                    data = data[:-1]
                if number == 1 and data.startswith(codecs.BOM_UTF8):
                    data = data[3:]
                if data and (data[0] == 0x7B or not _blank(data)):  # 0x7B: `{`, as a record starts
                    yield ("line", display, number, data)
        return
    with open(path, encoding=csv_encoding(path, display), newline=None) as fh:
        for number, text in enumerate(fh, 1):
            if not text.isspace():  # (`strip()` would copy every line of ~10 KB to ask)
                yield ("line", display, number, text.rstrip("\n"))


_READ = 1 << 20


def _byte_lines(fh) -> Iterator[tuple[int, bytes]]:
    """(number, line without its `\\n`) of a binary file, as `enumerate(fh, 1)`
    gives them (a final line without `\\n` included). Lines are found with
    `bytes.find` (memchr) in 1 MB reads: a binary file's own readline looks
    at every byte in a loop, ~70 k instructions for a 16 KB line."""
    number = 0
    head: list[bytes] = []  # a line's start, from earlier reads
    while chunk := fh.read(_READ):
        start = 0
        end = chunk.find(b"\n")
        while end >= 0:
            number += 1
            if head:
                head.append(chunk[start:end])
                yield number, b"".join(head)
                head = []
            else:
                yield number, chunk[start:end]
            start = end + 1
            end = chunk.find(b"\n", start)
        if start < len(chunk):
            head.append(chunk[start:])
    if head:
        yield number + 1, b"".join(head)


_NON_ASCII = re.compile(rb"[\x80-\xff]")


def _utf8_by_evidence(path: str) -> bool:
    """Whether a JSONL file's first non-ASCII characters are UTF-8, as many
    as `decode_text` takes for evidence (`_UTF8_EVIDENCE`): its lines are
    then decoded where each is evaluated, once, and a damaged one (a line
    pasted from a GBK file) is refused on its own (`batch.line_not_utf8`)
    rather than the whole file read as GBK. Any other file (no evidence, an
    ASCII one included) is left to `csv_encoding`, which decodes it whole."""
    with open(path, "rb") as fh:
        while chunk := fh.read(_READ):
            if chunk.isascii():
                continue
            start = _NON_ASCII.search(chunk).start()
            window = chunk[start:start + 64]
            if len(window) < 64:
                window += fh.read(64 - len(window))
            try:
                valid = codecs.utf_8_decode(window, "strict", False)[1]
            except UnicodeDecodeError as e:
                valid = e.start
            return _multibyte_chars(window[:valid]) >= _UTF8_EVIDENCE
    return False


def _line_ends(path: str) -> bool | None:
    """How a file's lines end: False when it holds no carriage return (`\\n`),
    True when every one is a Windows line end (`\\r\\n`), None when some `\\r`
    stands alone (read as text, it ends a line too: the text reader reads
    such a file). Each `\\r` is found by `bytes.find` (memchr), one Python step
    a line end: counting them would look at every byte."""
    crlf = carry = False  # carry: the last read ended with `\\r`
    with open(path, "rb") as fh:
        while chunk := fh.read(_READ):
            if carry:
                if chunk[:1] != b"\n":
                    return None
                carry = False
            at = chunk.find(b"\r")
            while at >= 0:
                crlf = True
                after = chunk[at + 1:at + 2]
                if not after:
                    carry = True
                elif after != b"\n":
                    return None
                at = chunk.find(b"\r", at + 2)
    return None if carry else crlf


def _blank(data: bytes) -> bool:
    """Whether a line's UTF-8 bytes are whitespace only, as `str.isspace` says
    (which also counts U+001C–U+001F and Unicode spaces such as U+3000)."""
    head = data.lstrip()[:1]
    if not head:
        return True
    if head[0] >= 0x80 or 0x1C <= head[0] <= 0x1F:
        return data.decode("utf-8", "replace").isspace()  # a damaged line is no blank: its unit reports it
    return False




class _Joined:
    """Line rows from the second sheet/file, spilled to a temporary SQLite
    database indexed by key, so joining needs no memory per unit."""

    def __init__(self, rmap, rows_path: str, sheet: str | int, stack: ExitStack):
        self.rmap = rmap
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="jixiao-rows-"))
        self.db = sqlite3.connect(os.path.join(folder, "rows"))
        stack.callback(self.db.close)
        self.db.execute("CREATE TABLE r (key TEXT, n INTEGER, cells TEXT)")
        self.db.execute("CREATE TABLE used (key TEXT PRIMARY KEY)")
        with open_table(rows_path, _display(rows_path), sheet) as s:
            self.file = s.file
            batch_rows = ((self.rmap.key_of(cells), n, cells_json(cells)) for n, cells in s.rows)
            self.db.executemany("INSERT INTO r VALUES (?, ?, ?)", batch_rows)
        self.db.execute("CREATE INDEX r_key ON r (key, n)")

    def rows_for(self, key: str | None) -> list[tuple[int, tuple]]:
        if key is None:
            return []
        self.db.execute("INSERT OR IGNORE INTO used VALUES (?)", (key,))
        cur = self.db.execute("SELECT n, cells FROM r WHERE key = ? ORDER BY n", (key,))
        return [(n, tuple(json.loads(cells))) for n, cells in cur]

    def unused(self) -> Iterator[tuple[int, str | None]]:
        """Rows whose key matches no unit: reported, never dropped."""
        yield from self.db.execute("SELECT n, key FROM r WHERE key IS NULL OR key NOT IN (SELECT key FROM used) ORDER BY n")
