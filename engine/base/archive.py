"""Zip archives checked before anything in them is unpacked (压缩包检查).

A workbook (.xlsx), a Word document (.docx) and a batch uploaded as a zip are
zip archives that openpyxl, python-docx or the server unpack through
`zipfile`. What each member's record in the archive declares is checked first,
against the caller's limits: how many members, how much they unpack to in
all, whether one is encrypted, packed by a method other than stored or
deflate, or compressed suspiciously. zipfile caps what a deflate member
unpacks per read, but not what a bzip2 or LZMA member does: a 512-byte bzip2
member took 1 GB at its first read, whatever size it declared.

`zip_problem` names the first problem as a kind and its details; each caller
says it in its own words (a form, a batch table, an upload).
"""
from __future__ import annotations

import zipfile
from typing import Any, Iterable

ENCRYPTED = 0x01 | 0x40  # general-purpose flag bits: encrypted, strongly encrypted
READABLE = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
RATIO_FLOOR = 1 << 20  # a member unpacking to less than this is never "compressed suspiciously"


def too_compressed(unpacked: int, packed: int, ratio: int) -> bool:
    """Whether a member unpacking to `unpacked` bytes from `packed` is a likely
    bomb: above `RATIO_FLOOR` and more than `ratio` times its packed size."""
    return unpacked > RATIO_FLOOR and unpacked > ratio * max(packed, 1)


def method_name(method: int) -> str:
    """A zip compression method as zip tools name it (`bzip2`, `lzma`), or its number."""
    return zipfile.compressor_names.get(method, str(method))


def zip_problem(infos: Iterable[zipfile.ZipInfo], *, members: int | None = None, unpacked: int | None = None,
                ratio: int | None = None) -> tuple[str, dict[str, Any]] | None:
    """The first problem with an archive's members (`ZipFile.infolist()`, or
    the part of it the caller reads), from their records alone, or None.

    In this order: `("members", {count, limit})` more members than `members`;
    `("unpacked", {total, limit})` more bytes in all than `unpacked`; then
    member by member `("encrypted", {entry})`, `("method", {entry, method})`
    (not stored or deflate; `method` its name) and `("ratio", {entry, size,
    packed})` (`too_compressed`). A limit given as None is not checked."""
    infos = list(infos)
    if members is not None and len(infos) > members:
        return "members", {"count": len(infos), "limit": members}
    if unpacked is not None:
        total = sum(max(i.file_size, 0) for i in infos)
        if total > unpacked:
            return "unpacked", {"total": total, "limit": unpacked}
    for i in infos:
        if i.flag_bits & ENCRYPTED:
            return "encrypted", {"entry": i.filename}
        if i.compress_type not in READABLE:
            return "method", {"entry": i.filename, "method": method_name(i.compress_type)}
        if ratio is not None and too_compressed(i.file_size, i.compress_size, ratio):
            return "ratio", {"entry": i.filename, "size": i.file_size, "packed": i.compress_size}
    return None
