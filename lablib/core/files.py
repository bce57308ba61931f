"""Writing a file so that readers see the old one or the new one, never half of one.

Everything lablib writes (answers files and their history, the course record and config,
reports, sheets, documents, feedback pages) goes through here: the content is written to a
hidden temporary file beside the target (``.<name>.<random>.tmp``, which the course's nbgrader
``ignore`` list skips), given its permissions, then renamed over the target. A failure removes
the temporary file and leaves the old one untouched.

Permissions are explicit: ``mode`` gives them (``0o600`` for a participant's answers); without
it a replaced file keeps its own and a new file gets what ``open()`` would give it.

Reading a participant's file goes through ``read_regular_bytes``: a file is read only if it is
what it claims to be, a regular file with one name. A symbolic link (it would read another
participant's answers, or a device), a FIFO (it would hang the reader), a device, a socket, a
folder, or a file with more than one name (a hard link: another path shares its content) is
refused with ``NotRegularFileError``; ``regular_file_problem`` says the same without reading
and ``irregular_entries`` lists such entries in a whole folder, never following a link.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _read_umask() -> int:
    umask = os.umask(0o022)  # reading the umask means setting it; put it back at once
    os.umask(umask)
    return umask


_UMASK = _read_umask()  # at import, before any thread of ours could create a file

__all__ = ["FileTooLargeError", "NotRegularFileError", "irregular_entries", "kind_name", "read_regular_bytes",
           "regular_file_problem", "replacing", "stat_problem", "write_bytes_atomic", "write_text_atomic"]


@contextmanager
def replacing(path: str | os.PathLike, *, mode: int | None = None) -> Iterator[Path]:
    """A temporary path to write ``path``'s new content to; it replaces ``path`` on success.

    For writers that take a file name (``Workbook.save``, ``Document.save``)::

        with replacing(out) as tmp:
            wb.save(tmp)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, _mode_for(path, mode))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # only still there after a failure


def _mode_for(path: Path, mode: int | None) -> int:
    if mode is not None:
        return mode
    try:
        return stat.S_IMODE(path.stat().st_mode)  # a replaced file keeps its permissions
    except FileNotFoundError:
        return 0o666 & ~_UMASK


def write_bytes_atomic(path: str | os.PathLike, data: bytes, *, mode: int | None = None,
                       durable: bool = False) -> Path:
    """Replace ``path`` with ``data``; ``durable`` also flushes it to disk before the rename
    (for what a crash must not lose: answers, the course record)."""
    path = Path(path)
    with replacing(path, mode=mode) as tmp, tmp.open("wb") as fh:
        fh.write(data)
        if durable:
            fh.flush()
            os.fsync(fh.fileno())
    return path


def write_text_atomic(path: str | os.PathLike, text: str, *, encoding: str = "utf-8",
                      newline: str | None = None, mode: int | None = None, durable: bool = False) -> Path:
    """``write_bytes_atomic`` for text (``newline`` as in ``open``)."""
    path = Path(path)
    with replacing(path, mode=mode) as tmp, tmp.open("w", encoding=encoding, newline=newline) as fh:
        fh.write(text)
        if durable:
            fh.flush()
            os.fsync(fh.fileno())
    return path


# -- reading files that are what they claim to be ------------------------------------------
# kind -> (Bahasa Indonesia, English): what a refused file is, for messages
KINDS = {
    "symlink": ("tautan simbolik", "symbolic link"),
    "hardlink": ("tautan keras: nama file lain memakai isi yang sama",
                 "hard link: another file name shares its content"),
    "fifo": ("FIFO/pipa bernama", "FIFO/named pipe"),
    "device": ("file perangkat", "device file"),
    "socket": ("soket", "socket"),
    "directory": ("folder", "folder"),
    "other": ("jenis file yang tidak dikenal", "unknown kind of file"),
}

_READ_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


def kind_name(kind: str, lang: str = "id") -> str:
    """What a refused file is, in Bahasa Indonesia (``"id"``) or English (``"en"``).

    >>> kind_name("symlink"), kind_name("symlink", "en")
    ('tautan simbolik', 'symbolic link')
    """
    indonesian, english = KINDS.get(kind, KINDS["other"])
    return english if lang == "en" else indonesian


def stat_problem(st: os.stat_result) -> str | None:
    """``None`` for a regular file with one name, else its kind (a key of ``KINDS``).

    ``st`` comes from ``os.lstat`` (a link is itself, not what it points to) or ``os.fstat``.

    >>> def st(mode, nlink=1):
    ...     return os.stat_result((mode, 0, 0, nlink, 0, 0, 10, 0, 0, 0))
    >>> stat_problem(st(stat.S_IFREG | 0o600)) is None
    True
    >>> [stat_problem(st(m)) for m in (stat.S_IFLNK, stat.S_IFIFO, stat.S_IFCHR, stat.S_IFBLK,
    ...                                 stat.S_IFSOCK, stat.S_IFDIR)]
    ['symlink', 'fifo', 'device', 'device', 'socket', 'directory']
    >>> stat_problem(st(stat.S_IFREG | 0o644, nlink=2))
    'hardlink'
    """
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISDIR(mode):
        return "directory"
    if not stat.S_ISREG(mode):
        return "other"
    if st.st_nlink > 1:
        return "hardlink"
    return None


class NotRegularFileError(OSError):
    """A file that is not a regular file with one name; ``kind`` says what it is (``KINDS``)."""

    def __init__(self, path: str | os.PathLike, kind: str):
        super().__init__(errno.EINVAL, f"not a regular file ({kind_name(kind, 'en')})", os.fspath(path))
        self.kind = kind

    def describe(self, lang: str = "id") -> str:
        return kind_name(self.kind, lang)


class FileTooLargeError(OSError):
    """A file larger than the reader accepts (``read_regular_bytes(..., max_bytes=)``)."""

    def __init__(self, path: str | os.PathLike, size: int, limit: int):
        super().__init__(errno.EFBIG, f"file too large ({size} bytes; at most {limit})", os.fspath(path))
        self.size, self.limit = size, limit


def regular_file_problem(path: str | os.PathLike) -> str | None:
    """``None`` if ``path`` is a regular file with one name, else its kind; nothing is opened
    and a link is never followed. A missing file raises ``FileNotFoundError``."""
    return stat_problem(os.lstat(path))


def read_regular_bytes(path: str | os.PathLike, max_bytes: int | None = None) -> bytes:
    """The content of ``path`` if it is a regular file with one name, else ``NotRegularFileError``.

    The file is opened without following a link (``O_NOFOLLOW``) and without waiting for a
    writer (``O_NONBLOCK``: a FIFO cannot hang the reader), and the open descriptor itself is
    checked (``fstat``), so a file swapped between a check and the open is refused too. With
    ``max_bytes``, a larger file raises ``FileTooLargeError`` (at most ``max_bytes + 1`` bytes
    are read). A missing file raises ``FileNotFoundError``.
    """
    kind = regular_file_problem(path)  # refused before opening: opening a device can do things
    if kind is not None:
        raise NotRegularFileError(path, kind)
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK):  # replaced by a link since the check
            raise NotRegularFileError(path, "symlink") from None
        if exc.errno == errno.ENXIO:  # replaced by a socket (or a FIFO without O_NONBLOCK)
            raise NotRegularFileError(path, "other") from None
        raise
    try:
        kind = stat_problem(os.fstat(fd))
        if kind is not None:
            raise NotRegularFileError(path, kind)
        size = os.fstat(fd).st_size
        if max_bytes is not None and size > max_bytes:
            raise FileTooLargeError(path, size, max_bytes)
        chunks, total = [], 0
        while True:
            want = 1 << 20 if max_bytes is None else min(1 << 20, max_bytes + 1 - total)
            chunk = os.read(fd, want) if want > 0 else b""
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if max_bytes is not None and total > max_bytes:  # it grew while being read
            raise FileTooLargeError(path, total, max_bytes)
        return b"".join(chunks)
    finally:
        os.close(fd)


def irregular_entries(folder: str | os.PathLike) -> dict[str, str]:
    """``{relative path: kind}`` of every entry under ``folder`` that is not a regular file with
    one name or a folder, found without following links (a linked folder is one entry, never
    entered). An unreadable subfolder is listed as ``"other"``; a missing ``folder`` gives ``{}``;
    a ``folder`` that is itself a link gives ``{".": "symlink"}``.
    """
    root = os.fspath(folder)
    if os.path.islink(root):
        return {".": "symlink"}
    found: dict[str, str] = {}

    def walk(directory: str, prefix: str) -> None:
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except FileNotFoundError:
            return
        except OSError:
            if prefix:
                found[prefix.rstrip("/")] = "other"
            return
        for entry in entries:
            rel = prefix + entry.name
            try:
                kind = stat_problem(entry.stat(follow_symlinks=False))
            except OSError:
                kind = "other"
            if kind == "directory":
                walk(entry.path, rel + "/")
            elif kind is not None:
                found[rel] = kind

    walk(root, "")
    return found
