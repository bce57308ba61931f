"""Sessions: the one in-memory answers dict of a (folder, stage) in this kernel, saved as you type.

The answers file is per stage, so all forms of one stage in one kernel share ONE ``Session``:
form DG1 and form DG2 write their own entries into the same dict, and entries nobody has open
(imported earlier stages, unknown keys) are written back untouched.

Every change schedules a save ``DEBOUNCE_SECONDS`` later through ``AnswerStore.save`` (atomic);
``flush`` saves at once (with ``snapshot=True`` it also keeps a history version); it returns True
only once the answers are on disk. A failed save never raises: it is kept in ``Session.error``
(``save_failed``: what went wrong, in the participant's words) and shown by the forms, and the
answers stay in memory (``dirty``) for the next try.

The same stage may be open in two kernels (two tabs, or a notebook opened twice). Before a save,
a session whose file was rewritten by someone else since it last read or wrote it merges: the
file's answers, with the fields this session changed since then put on top. So each side keeps
what it typed, instead of the last save wiping the other's answers. Reading the file, merging
and writing it is one critical section across processes (``AnswerStore.locked``, an ``flock``),
and "rewritten" means its bytes differ from what this session last read or wrote (an inode,
mtime and size can all repeat within one clock tick).

Nothing here builds widgets; a session tells its views (the open forms) to ``refresh`` or
``show_status``, tells them when an exercise's answers changed (``answers_changed``: a form may
show choices or computed values read from another exercise of the stage), and keeps one of them
open at a time (``open_only``).
"""

from __future__ import annotations

import atexit
import copy
import datetime as _dt
import errno
import logging
import os
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from lablib.core.answers import AnswersBusy, AnswerStore, Version
from lablib.core.files import read_regular_bytes
from lablib.core.i18n import T, Text

DEBOUNCE_SECONDS = 0.4
log = logging.getLogger(__name__)

MERGED = T("Jawaban tahap ini juga diubah di tab atau kernel lain. Isian dari keduanya sudah digabungkan "
           "dan disimpan; periksa lagi bagian yang diubah di sana.",
           "This stage's answers were also changed in another tab or kernel. Both were merged and saved; "
           "look again at what was changed there.")

SAVE_FAILED = T("✗ Jawaban BELUM tersimpan: {why}. Isian Anda masih ada di formulir ini; jangan tutup atau "
                "muat ulang halaman ini. Tekan Simpan lagi; bila tetap gagal, hubungi fasilitator.",
                "✗ Answers NOT saved: {why}. What you typed is still in this form; do not close or reload "
                "this page. Press Save again; if it keeps failing, tell your facilitator.")

_NO_PERMISSION = T("folder ini tidak boleh ditulisi (izin akses)", "this folder cannot be written to (permissions)")
_WHY = {
    errno.ENOSPC: T("disk penuh. Hapus file yang tidak perlu atau minta fasilitator menambah ruang",
                    "the disk is full. Delete files you do not need or ask your facilitator for space"),
    errno.EROFS: T("disk hanya bisa dibaca (read-only)", "the disk is read-only"),
    errno.EACCES: _NO_PERMISSION,
    errno.EPERM: _NO_PERMISSION,
    errno.EWOULDBLOCK: T("file jawaban sedang disimpan oleh tab atau kernel lain",
                         "the answers file is being saved by another tab or kernel"),
}
if hasattr(errno, "EDQUOT"):
    _WHY[errno.EDQUOT] = T("kuota disk Anda habis", "your disk quota is used up")


def save_failed(exc: BaseException) -> Text:
    """What the participant reads when a save failed, without a traceback."""
    if isinstance(exc, AnswersBusy):
        why = _WHY[errno.EWOULDBLOCK]
    elif isinstance(exc, OSError) and exc.errno in _WHY:
        why = _WHY[exc.errno]
    elif isinstance(exc, OSError):
        detail = exc.strerror or type(exc).__name__
        why = T("file tidak dapat ditulis ({e})", "the file could not be written ({e})").format(e=detail)
    elif isinstance(exc, (TypeError, ValueError)):
        why = T("ada isian yang tidak dapat disimpan", "a value cannot be stored")
    else:
        why = T("kesalahan tak terduga ({e})", "an unexpected error ({e})").format(e=type(exc).__name__)
    return Text(SAVE_FAILED.id.format(why=why.id), (SAVE_FAILED.en or "").format(why=why.en or why.id))


# ------------------------------------------------------------------------------ the kernel

def ipython() -> Any:
    """The running IPython shell, or None (plain Python, or IPython not installed)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def kernel() -> Any:
    """The Jupyter kernel this code runs in, or None (plain Python, a terminal IPython)."""
    return getattr(ipython(), "kernel", None)


# ------------------------------------------------------------------------------ debounced saving

class _Debouncer:
    """Calls ``fn`` once, ``DEBOUNCE_SECONDS`` after the last ``poke``.

    In a kernel the call is scheduled on the kernel's IOLoop, so saving and the widget updates
    it causes run on the main thread (ipykernel 7 mishandles widget messages sent from other
    threads). Elsewhere (tests, plain Python) a ``threading.Timer`` is used.
    """

    def __init__(self, fn: Callable[[], None], delay: float | None = None):
        self._fn = fn
        self._delay = delay  # None: DEBOUNCE_SECONDS, read at each poke (tests shorten it)
        self._lock = threading.Lock()
        self._generation = 0
        self._timer: threading.Timer | None = None
        self._idle = threading.Event()
        self._idle.set()

    def poke(self) -> None:
        with self._lock:
            generation = self._next_generation()
            self._idle.clear()
            loop = getattr(kernel(), "io_loop", None)
            if loop is not None:
                # add_callback is the thread-safe door into the loop; stale calls are skipped.
                loop.add_callback(loop.call_later, self.delay, self._fire, generation)
            else:
                self._timer = threading.Timer(self.delay, self._fire, (generation,))
                self._timer.daemon = True
                self._timer.start()

    @property
    def delay(self) -> float:
        return DEBOUNCE_SECONDS if self._delay is None else self._delay

    def _next_generation(self) -> int:
        """Make every scheduled call stale (called with the lock held)."""
        self._generation += 1
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        return self._generation

    def _fire(self, generation: int) -> None:
        with self._lock:
            if generation != self._generation:
                return
        try:
            self._fn()
        finally:
            with self._lock:
                if generation == self._generation:
                    self._idle.set()

    def cancel(self) -> None:
        with self._lock:
            self._next_generation()
            self._idle.set()

    @property
    def pending(self) -> bool:
        return not self._idle.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._idle.wait(timeout)


# ------------------------------------------------------------------------------ shared answers

class SessionView(Protocol):
    """What a session needs of an open form."""

    def refresh(self) -> None:
        """Show the shared answers again."""

    def show_status(self) -> None:
        """Show whether the answers are saved."""

    # Optional (a view without them is left alone):
    # answers_changed(exercise_id): another view changed that exercise's answers.
    # collapse(), and ``expanded``: close the view when another one of the stage is opened.


class Session:
    """The one in-memory answers dict of a (folder, stage) in this kernel, shared by its forms."""

    def __init__(self, folder: Path, stage: str):
        self.store = AnswerStore(folder, stage)
        self.lock = threading.RLock()
        self.forms: weakref.WeakSet[SessionView] = weakref.WeakSet()
        self.answers: dict[str, Any] = {}
        self.notices: tuple[Text, ...] = ()
        self.saved_at: str | None = None
        self.dirty = False
        self.error: Text | None = None
        self._seen: bytes | None = None  # the file's bytes as this session last read or wrote them
        # what this session changed since it last read or wrote the file: exercise id -> field
        # ids, or None for a whole entry (an import)
        self._touched: dict[str, set[str] | None] = {}
        self._debounce = _Debouncer(self._autosave)
        self.reload()

    def reload(self) -> None:
        with self.lock:
            try:
                with self.store.locked():  # no other kernel's save between reading and _seen
                    self._reload()
            except AnswersBusy:  # another kernel is stuck saving: read what is there
                self._reload()

    def _reload(self) -> None:
        loaded = self.store.load()
        self.answers = dict(loaded.answers)
        self.notices = loaded.notices
        self.saved_at = loaded.saved_at
        self.dirty = False
        self._touched = {}
        self._seen = self._read_file()

    def _read_file(self) -> bytes | None:
        """The file's bytes, or None (missing, unreadable, or not a regular file: a FIFO there
        must not hang the kernel)."""
        try:
            return read_regular_bytes(self.store.path)
        except OSError:
            return None

    def _rewritten_elsewhere(self) -> bool:
        """The file is not what this session last read or wrote (exact: its bytes)."""
        current = self._read_file()
        return current is not None and current != self._seen

    def changed_on_disk(self) -> bool:
        """Another kernel or tool rewrote the file since this session last read or wrote it."""
        return not self.dirty and self._rewritten_elsewhere()

    def entry(self, exercise_id: str) -> dict:
        value = self.answers.get(exercise_id)
        return value if isinstance(value, dict) else {}

    def set_value(self, exercise_id: str, field_id: str, value: Any) -> None:
        with self.lock:
            entry = self.answers.get(exercise_id)
            if not isinstance(entry, dict):
                entry = self.answers[exercise_id] = {}
            entry[field_id] = copy.deepcopy(value)
            touched = self._touched.setdefault(exercise_id, set())
            if touched is not None:
                touched.add(field_id)
            self.dirty = True
        self._notify()
        self._announce(exercise_id)
        self._debounce.poke()

    def update_entries(self, entries: dict[str, Any]) -> None:
        with self.lock:
            self.answers.update(copy.deepcopy(entries))
            self._touched.update(dict.fromkeys(entries))
            self.dirty = True

    def _autosave(self) -> None:
        if self.dirty:
            self._save(snapshot=False)  # not flush(): cancelling here would end wait() too early

    def flush(self, snapshot: bool = False) -> bool:
        """Write the shared answers now; never raises (a failure shows in the forms)."""
        self._debounce.cancel()
        return self._save(snapshot)

    def _save(self, snapshot: bool) -> bool:
        merged = False
        with self.lock:
            try:
                # read, merge and write with no other kernel's save in between
                with self.store.locked():
                    if self._rewritten_elsewhere():
                        self._merge_from_disk()
                        merged = True
                    saved_at = self.store.save(copy.deepcopy(self.answers), snapshot=snapshot or merged)
                    self._seen = self._read_file()
            except Exception as exc:  # disk full, read-only, permissions, a value JSON cannot hold
                log.debug("saving %s failed", self.store.path, exc_info=True)  # stderr would show in a cell
                self.error = save_failed(exc)
                ok = False
            else:
                self.saved_at, self.dirty, self.error = saved_at, False, None
                self._touched = {}
                ok = True
        if merged:
            self.refresh_forms()
        self._notify()
        return ok

    def _merge_from_disk(self) -> None:
        """The file's answers with this session's own changes on top (called with the lock held)."""
        loaded = self.store.load()
        answers = dict(loaded.answers)
        for exercise_id, fields in self._touched.items():
            ours = self.answers.get(exercise_id)
            if fields is None or not isinstance(ours, dict):
                if exercise_id in self.answers:
                    answers[exercise_id] = copy.deepcopy(ours)
                continue
            entry = answers.get(exercise_id)
            entry = dict(entry) if isinstance(entry, dict) else {}
            for field_id in fields:
                if field_id in ours:
                    entry[field_id] = copy.deepcopy(ours[field_id])
            answers[exercise_id] = entry
        self.answers = answers
        self.notices = (*loaded.notices, MERGED)

    def wait(self, timeout: float | None = 5.0) -> bool:
        return self._debounce.wait(timeout)

    def restore(self, version: Version) -> None:
        if self.dirty:
            self.flush()
        with self.lock, self.store.locked():
            self.answers = dict(self.store.restore(version))
            self.saved_at, self.dirty = _saved_now(), False
            self._touched = {}
            self._seen = self._read_file()
        self.refresh_forms()

    def refresh_forms(self) -> None:
        for f in list(self.forms):
            f.refresh()

    def _announce(self, exercise_id: str) -> None:
        """Tell every view that ``exercise_id``'s answers changed (each ignores its own change)."""
        for f in list(self.forms):
            changed = getattr(f, "answers_changed", None)
            if changed is None:
                continue
            try:
                changed(exercise_id)
            except Exception:  # one view's failure must never stop the saving
                log.debug("answers_changed failed", exc_info=True)

    def open_only(self, view: SessionView) -> None:
        """``view`` was opened: close every other open view of the stage (one exercise at a time)."""
        for f in list(self.forms):
            if f is not view and getattr(f, "expanded", False):
                try:
                    f.collapse()
                except Exception:
                    log.debug("closing a form failed", exc_info=True)

    def _notify(self) -> None:
        for f in list(self.forms):
            try:
                f.show_status()
            except Exception:  # e.g. the kernel is shutting down: showing must never stop saving
                log.debug("status update failed", exc_info=True)


def _saved_now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="milliseconds")


# ------------------------------------------------------------------------------ the sessions of this kernel

_SESSIONS: dict[tuple[Path, str], Session] = {}
_SESSIONS_LOCK = threading.Lock()


def _key(folder: str | os.PathLike, stage: str) -> tuple[Path, str]:
    return Path(folder).resolve(), stage


def session_for(folder: Path, stage: str) -> Session:
    """The session of a (folder, stage), read again when another program changed its file."""
    with _SESSIONS_LOCK:
        session = _SESSIONS.get(_key(folder, stage))
        if session is None:
            session = _SESSIONS[_key(folder, stage)] = Session(folder, stage)
        elif session.changed_on_disk():
            session.reload()
        return session


def reset_sessions() -> None:
    """Save pending changes and forget every session (a fresh kernel, as far as forms know)."""
    flush_all()
    with _SESSIONS_LOCK:
        _SESSIONS.clear()


def flush_all() -> None:
    """Save every session with unsaved changes; runs at interpreter exit too."""
    for session in list(_SESSIONS.values()):
        if session.dirty:
            session.flush()


atexit.register(flush_all)


def apply_import(folder: str | os.PathLike, stage: str, entries: dict[str, Any]) -> bool:
    """Put imported entries into an open session and save; False when no form of it is open."""
    session = _SESSIONS.get(_key(folder, stage))
    if session is None:
        return False
    session.update_entries(entries)
    session.flush(snapshot=True)
    session.refresh_forms()
    return True


__all__ = [
    "DEBOUNCE_SECONDS",
    "SAVE_FAILED",
    "Session",
    "SessionView",
    "apply_import",
    "flush_all",
    "ipython",
    "kernel",
    "reset_sessions",
    "save_failed",
    "session_for",
]
