"""Writing a file so that readers see the old one or the new one, never half of one.

Everything lablib writes (answers files and their history, the course record and config,
reports, sheets, documents, feedback pages) goes through here: the content is written to a
hidden temporary file beside the target (``.<name>.<random>.tmp``, which the course's nbgrader
``ignore`` list skips), given its permissions, then renamed over the target. A failure removes
the temporary file and leaves the old one untouched.

Permissions are explicit: ``mode`` gives them (``0o600`` for a participant's answers); without
it a replaced file keeps its own and a new file gets what ``open()`` would give it.
"""

from __future__ import annotations

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

__all__ = ["replacing", "write_bytes_atomic", "write_text_atomic"]


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
