"""Atomic output (原子写入): a file appears complete or not at all.

The content goes to a temporary file in the same folder, is flushed to disk,
then renamed over the target; an existing file is untouched until the rename.
"""
from __future__ import annotations

import os
import stat
import tempfile
from typing import Iterable


def _special(path: str) -> bool:
    """A device, pipe or socket (`/dev/null`, `/dev/stdout`, a FIFO): written
    straight through, never replaced by a renamed file."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def write_atomic(path: str, data: str | bytes, *, exclusive: bool = False) -> None:
    """Write `data` to `path` atomically; raise OSError on failure (nothing left behind).

    With `exclusive`, an existing file is never replaced: `FileExistsError`
    (the file is linked into place, which fails if the name is taken)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if not exclusive and _special(path):
        with open(path, "wb") as fh:
            fh.write(raw)
        return
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".jixiao-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        if os.path.exists(path):
            os.chmod(tmp, os.stat(path).st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        if exclusive:
            os.link(tmp, path)
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def aliased_input(output: str, inputs: Iterable[str]) -> str | None:
    """The input that `output` is the same file as, however either is spelled
    (a symlink, `..`, a hard link: the same device and inode), or None. An
    output that does not exist yet, or is a device or pipe (`/dev/null`,
    `/dev/stdout`), replaces nothing."""
    try:
        st = os.stat(output)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    for path in inputs:
        try:
            s = os.stat(path)
        except OSError:
            continue
        if (s.st_dev, s.st_ino) == (st.st_dev, st.st_ino):
            return path
    return None


class AtomicFile:
    """A file written as a stream that appears at `path` only on `commit()`
    (for outputs too large to hold, such as a batch's results). Until then it
    is a temporary file in the same folder; `discard()` removes it."""

    def __init__(self, path: str, binary: bool = False, encoding: str = "utf-8"):
        self.path = path
        self.tmp: str | None = None
        if _special(path):  # e.g. /dev/null: nothing to replace, write straight through
            self.file = open(path, "wb") if binary else open(path, "w", encoding=encoding, newline="")
            return
        folder = os.path.dirname(os.path.abspath(path))
        fd, self.tmp = tempfile.mkstemp(prefix=".jixiao-", suffix=".tmp", dir=folder)
        self.file = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding=encoding, newline="")

    def commit(self) -> None:
        if self.tmp is None:
            self.file.close()
            return
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        mode = os.stat(self.path).st_mode & 0o777 if os.path.exists(self.path) else 0o644
        os.chmod(self.tmp, mode)
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        try:
            self.file.close()
        finally:
            if self.tmp is not None:
                try:
                    os.unlink(self.tmp)
                except OSError:
                    pass
