"""Atomic output (原子写入): a file appears complete or not at all.

The content goes to a temporary file in the same folder, is flushed to disk,
then renamed over the target; an existing file is untouched until the rename.
"""
from __future__ import annotations

import errno
import os
import stat
import tempfile
from typing import Iterable


class NotRegularFile(OSError):
    """A path that names a FIFO, a device or a socket, where a file was expected."""


def open_regular(path: str):
    """Open `path` for reading in binary mode, only if it is a regular file.

    A FIFO is opened without waiting for a writer (O_NONBLOCK) and then
    refused, so reading never blocks; a device (`/dev/zero`) or socket is
    refused too. Checked on the open file itself, not on its name first, so
    nothing can be swapped in between. Raises `NotRegularFile`,
    `IsADirectoryError` or what `os.open` raises."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        if not stat.S_ISREG(mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file", path)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def is_special(path: str) -> bool:
    """Whether `path` exists and is not a regular file or folder (a FIFO, a
    device, a socket): never to be opened as input."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


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


def _naming(error: OSError, path: str) -> OSError:
    """`error`, naming the user's `path` where it named no file (a device
    such as /dev/full) or our temporary file beside it."""
    name = error.filename
    if not isinstance(name, str) or os.path.basename(name).startswith(".jixiao-"):
        error.filename, error.filename2 = path, None
    return error


class AtomicFile:
    """A file written as a stream that appears at `path` only on `commit()`
    (for outputs too large to hold, such as a batch's results). Until then it
    is a temporary file in the same folder; `discard()` removes it. Its own
    errors (`OSError`) name `path`; `commit_together` puts several in place
    at once."""

    def __init__(self, path: str, binary: bool = False, encoding: str = "utf-8"):
        self.path = path
        self.tmp: str | None = None
        try:
            if _special(path):  # e.g. /dev/null: nothing to replace, write straight through
                self.file = open(path, "wb") if binary else open(path, "w", encoding=encoding, newline="")
                return
            folder = os.path.dirname(os.path.abspath(path))
            fd, self.tmp = tempfile.mkstemp(prefix=".jixiao-", suffix=".tmp", dir=folder)
        except OSError as e:
            raise _naming(e, path)
        self.file = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding=encoding, newline="")

    def write(self, data: str | bytes) -> None:
        """Write to it (as `self.file.write`, but a failure names `path`)."""
        try:
            self.file.write(data)
        except OSError as e:
            raise _naming(e, self.path)

    def finish(self) -> None:
        """Flush the content to disk and close the file, not yet in place."""
        try:
            self.file.flush()
            if self.tmp is not None:
                os.fsync(self.file.fileno())
            self.file.close()
        except OSError as e:
            raise _naming(e, self.path)

    def _put_in_place(self) -> None:
        try:
            mode = os.stat(self.path).st_mode & 0o777 if os.path.exists(self.path) else 0o644
            os.chmod(self.tmp, mode)  # type: ignore[arg-type]
            os.replace(self.tmp, self.path)  # type: ignore[arg-type]
        except OSError as e:
            raise _naming(e, self.path)

    def commit(self) -> None:
        commit_together([self])

    def discard(self) -> None:
        try:
            self.file.close()
        except (OSError, ValueError):  # what it could not flush (a full disk) is discarded anyway
            pass
        finally:
            if self.tmp is not None:
                try:
                    os.unlink(self.tmp)
                except OSError:
                    pass


def commit_together(files: list[AtomicFile]) -> None:
    """Put several files in place together, or none of them (a batch's
    results, errors and summary). Every one is flushed to disk first: a
    failure there (a full disk) changes no file. Then each is renamed over
    its target; should a rename fail, the targets already replaced get their
    old files back (kept meanwhile under a second name, where the file
    system has hard links) and the new ones are removed. Raises `OSError`
    naming the file that failed; the caller discards them all."""
    for f in files:
        f.finish()
    placed: list[tuple[AtomicFile, bool, str | None]] = []  # each file renamed, whether its target existed, the old one's second name
    try:
        for f in files:
            if f.tmp is None:
                continue
            existed = os.path.lexists(f.path)
            kept = _second_name(f.path) if existed else None
            placed.append((f, existed, kept))
            f._put_in_place()
            f.tmp = None
    except BaseException:
        for f, existed, kept in reversed(placed):
            if f.tmp is not None:  # not renamed: its target is as it was
                continue
            try:
                if kept is not None:
                    os.replace(kept, f.path)
                elif not existed:
                    os.unlink(f.path)
            except OSError:
                pass
        raise
    finally:
        for _, _, kept in placed:
            if kept is not None and os.path.lexists(kept):
                try:
                    os.unlink(kept)
                except OSError:
                    pass


def _second_name(path: str) -> str | None:
    """A hard link to the existing file `path` beside it (`.jixiao-*.tmp`),
    to put it back with; None where the file system has no hard links (FAT,
    some network shares: it cannot be put back then)."""
    folder = os.path.dirname(os.path.abspath(path))
    for _ in range(10):
        name = os.path.join(folder, f".jixiao-{os.urandom(6).hex()}.tmp")
        try:
            os.link(path, name, follow_symlinks=False)
        except FileExistsError:
            continue
        except (OSError, NotImplementedError):
            return None
        return name
    return None


def write_folder_atomic(path: str, files: list[tuple[str, bytes]]) -> None:
    """Write `files` (name, content) into a new folder `path`, all or nothing:
    they are written into a temporary folder beside it, which is renamed into
    place at the end. An existing non-empty folder is never touched
    (`FileExistsError`); an empty one is replaced."""
    # cold start: only the submission command writes folders
    import shutil

    parent = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path) and os.listdir(path):
        raise FileExistsError(errno.ENOTEMPTY, os.strerror(errno.ENOTEMPTY), path)
    tmp = tempfile.mkdtemp(prefix=".jixiao-", suffix=".tmp", dir=parent)
    try:
        for name, data in files:
            with open(os.path.join(tmp, name), "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o755)
        os.rename(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
