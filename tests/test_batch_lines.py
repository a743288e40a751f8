"""A JSONL file's records as `engine.batch.sources._lines` hands them on: a
UTF-8 file without carriage returns is read as bytes (issue 18: no newline
translation, no second encoding for the digest); it must give the records,
line numbers and digests that reading it as text gives."""
from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.base.digest import digest_of, digest_of_bytes
from engine.batch.sources import _lines
from engine.load.tables import csv_encoding


def _text_reference(path: str) -> list[tuple]:
    """The records as the text reader gives them (every file before issue 18's change)."""
    with open(path, encoding=csv_encoding(path, path), newline=None) as fh:
        return [("line", path, n, t.rstrip("\n")) for n, t in enumerate(fh, 1) if t.strip()]


CONTENTS = {
    "plain": b'{"a": 1}\n{"b": 2}\n',
    "no final newline": b'{"a": 1}\n{"b": "\xe4\xb8\xad"}',
    "bom": b'\xef\xbb\xbf{"a": 1}\n{"b": 2}\n',
    "bom then blank": b"\xef\xbb\xbf\n{\"a\": 1}\n",
    "blank lines": b'\n\n{"a": 1}\n   \n\t\n{"b": 2}\n\n',
    "unicode blanks": '{"a": 1}\n\u3000\n\u2003 \n\x1c\x1f\n\x85\n{"b": 2}\n'.encode("utf-8"),
    "not a record": b'[1, 2]\n  {"a": 1}\n"x"\n\x1cx\n\xe4\xb8\xad\n',
    "crlf": b'{"a": 1}\r\n{"b": 2}\r\n',
    "crlf, bom, blank lines, no final end": b'\xef\xbb\xbf\r\n{"a": "\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97"}\r\n\r\n  \r\n{"b": 2}',
    "crlf and a lone cr": b'{"a": 1}\r\n{"b": 2}\r{"c": 3}\r\n',
    "crlf then a final cr": b'{"a": 1}\r\n{"b": 2}\r',
    "cr cr lf": b'{"a": 1}\r\r\n{"b": 2}\r\n',
    "lone cr": b'{"a": 1}\r{"b": 2}\n',
    "gb18030": '{"a": "中文"}\n'.encode("gb18030"),
}


@pytest.mark.parametrize("name", CONTENTS)
def test_records_and_digests_as_the_text_reader_gives_them(tmp_path, name):
    path = tmp_path / "u.jsonl"
    path.write_bytes(CONTENTS[name])
    got = list(_lines(str(path), str(path)))
    ref = _text_reference(str(path))
    assert [(k, f, n) for k, f, n, _ in got] == [(k, f, n) for k, f, n, _ in ref]
    for (_, _, _, data), (_, _, _, text) in zip(got, ref):
        if isinstance(data, bytes):
            assert data.decode("utf-8") == text
            assert digest_of_bytes(data) == digest_of(text)
        else:
            assert data == text


def test_a_utf8_file_with_lf_or_crlf_line_ends_is_read_as_bytes(tmp_path):
    """`\\n` and Windows `\\r\\n` line ends: bytes, decoded once where each
    unit is evaluated; a lone `\\r` (which the text reader also takes for a
    line end) and GBK: text."""
    path = tmp_path / "u.jsonl"
    for name, kind in [("plain", bytes), ("crlf", bytes), ("crlf, bom, blank lines, no final end", bytes), ("lone cr", str),
                       ("crlf and a lone cr", str), ("crlf then a final cr", str), ("cr cr lf", str), ("gb18030", str)]:
        path.write_bytes(CONTENTS[name])
        got = list(_lines(str(path), str(path)))
        assert got and all(isinstance(p[3], kind) for p in got), name


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_line_ends_across_reads(tmp_path, monkeypatch, size):
    """A `\\r\\n` split between two reads is still a Windows line end; a
    final lone `\\r` is not."""
    from engine.batch import sources

    monkeypatch.setattr(sources, "_READ", size)
    path = tmp_path / "u.jsonl"
    for content, ends in [(b'{"a": 1}\r\n{"b": 2}\r\n', True), (b'{"a": 1}\n', False), (b'{"a": 1}\r\n{"b": 2}\r', None),
                          (b'{"a": 1}\r{"b": 2}\n', None), (b"\r\n\r\n", True), (b"", False)]:
        path.write_bytes(content)
        assert sources._line_ends(str(path)) is ends, (content, size)


@pytest.mark.parametrize("cells", [
    ("a", "b\x1bc", "d"), ("ok", "中文", "\ud800"), ("x" * 200_000, "y"), ("a\nb", "c\rd"), (), ("\x7f",), ("a", Decimal("1"), True, "b\x00"),
    ("x" * 131_072, "y" * 10), ("fine", "cells", "only"),
])
def test_cell_problems_as_cell_by_cell(cells):
    """`cell_problems` answers a row without problems in one search; any other
    row is looked at cell by cell, as before."""
    from engine.load import tables

    expected = []
    for i, c in enumerate(cells):
        if c.__class__ is not str:
            continue
        if len(c) > tables.MAX_CELL:
            expected.append(("batch.cell_too_long", i + 1))
        elif tables._CELL_CONTROL.search(c):
            expected.append(("load.control_char", i + 1))
    assert [(d.code, d.span.col) for d in tables.cell_problems("t.csv", 3, cells)] == expected


@settings(max_examples=300, deadline=None)
@given(data=st.lists(st.sampled_from([b"\n", b"{", b"a", b"\xe4\xb8\xad", b"\n\n", b" "]), max_size=40).map(b"".join), read=st.integers(1, 9))
def test_byte_lines_are_the_lines_of_a_binary_file_whatever_the_read_size(data, read):
    """`_byte_lines` (lines found by `bytes.find` in fixed reads) gives what
    `enumerate(binary file, 1)` gives, less each `\\n`, however the reads cut
    the lines (a line over several reads, a read ending at a newline)."""
    import io

    from engine.batch import sources

    expected = [(n, line.rstrip(b"\n")) for n, line in enumerate(io.BytesIO(data), 1)]
    saved, sources._READ = sources._READ, read
    try:
        got = list(sources._byte_lines(io.BytesIO(data)))
    finally:
        sources._READ = saved
    assert got == expected


@pytest.mark.parametrize("cells", [
    ("项目A", "1,234.50", "", " 98% ", '引号"与\\反斜杠', "\x1f"),
    ["名称", "12"],
    ("是", True), ("否", None), (Decimal("5"),),
    ("名称", Decimal("1E+3"), Decimal("0.50"), True, None, 7, datetime.date(2019, 12, 31)),
    (),
])
def test_a_rows_cells_as_json_are_its_cells_as_text(cells):
    """`cells_json`: a text-only row (a CSV's) dumped as it is, any other cell
    by `cell_text` first; the unit's digest and a second table's kept rows
    are made of it."""
    from engine.load.tables import cell_text, cells_json

    assert cells_json(cells) == json.dumps([cell_text(c) for c in cells], ensure_ascii=False)
