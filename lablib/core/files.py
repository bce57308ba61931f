"""Writing a file so that readers see the old one or the new one, never half of one.

Everything lablib writes for people to open (course record, reports, sheets, documents,
feedback pages) goes through here: the content is written to a hidden temporary file beside
the target (``.<name>.<pid>.tmp``, which the course's nbgrader ``ignore`` list skips), then
renamed over it. A failure removes the temporary file and leaves the old one untouched.
(The answers store has its own, with history: ``lablib.core.answers``.)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["replacing", "write_text_atomic"]


@contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path to write ``path``'s new content to; it replaces ``path`` on success.

    For writers that take a file name (``Workbook.save``, ``Document.save``)::

        with replacing(out) as tmp:
            wb.save(tmp)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # only still there after a failure


def write_text_atomic(path: str | os.PathLike, text: str, *, encoding: str = "utf-8",
                      newline: str | None = None, durable: bool = False) -> Path:
    """Replace ``path`` with ``text``; ``durable`` also flushes it to disk before the rename
    (for records a crash must not lose, like the course file)."""
    path = Path(path)
    with replacing(path) as tmp, tmp.open("w", encoding=encoding, newline=newline) as fh:
        fh.write(text)
        if durable:
            fh.flush()
            os.fsync(fh.fileno())
    return path
