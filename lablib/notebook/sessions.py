"""Sessions: the one in-memory answers dict of a (folder, stage) in this kernel, saved as you type.

The answers file is per stage, so all forms of one stage in one kernel share ONE ``Session``:
form DG1 and form DG2 write their own entries into the same dict, and entries nobody has open
(imported earlier stages, unknown keys) are written back untouched.

Every change schedules a save ``DEBOUNCE_SECONDS`` later through ``AnswerStore.save`` (atomic);
``flush`` saves at once (with ``snapshot=True`` it also keeps a history version). A failed save
never raises: it is kept in ``Session.error`` and shown by the forms.

The same stage may be open in two kernels (two tabs, or a notebook opened twice). Before a save,
a session whose file was rewritten by someone else since it last read or wrote it merges: the
file's answers, with the fields this session changed since then put on top. So each side keeps
what it typed, instead of the last save wiping the other's answers.

Nothing here builds widgets; a session tells its views (the open forms) to ``refresh`` or
``show_status``.
"""

from __future__ import annotations

import atexit
import copy
import datetime as _dt
import logging
import os
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from lablib.core.answers import AnswerStore, Version
from lablib.core.i18n import T, Text

DEBOUNCE_SECONDS = 0.4
log = logging.getLogger(__name__)

MERGED = T("Jawaban tahap ini juga diubah di tab atau kernel lain. Isian dari keduanya sudah digabungkan "
           "dan disimpan; periksa lagi bagian yang diubah di sana.",
           "This stage's answers were also changed in another tab or kernel. Both were merged and saved; "
           "look again at what was changed there.")

SAVE_FAILED = T("✗ Gagal menyimpan ({e}). Jawaban Anda masih ada di formulir ini; tekan Simpan lagi. "
                "Bila tetap gagal, hubungi fasilitator.",
                "✗ Could not save ({e}). Your answers are still in this form; press Save again. "
                "If it keeps failing, tell your facilitator.")


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

    def __init__(self, fn: Callable[[], None]):
        self._fn = fn
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
                loop.add_callback(loop.call_later, DEBOUNCE_SECONDS, self._fire, generation)
            else:
                self._timer = threading.Timer(DEBOUNCE_SECONDS, self._fire, (generation,))
                self._timer.daemon = True
                self._timer.start()

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
        self._stamp: tuple | None = None
        # what this session changed since it last read or wrote the file: exercise id -> field
        # ids, or None for a whole entry (an import)
        self._touched: dict[str, set[str] | None] = {}
        self._debounce = _Debouncer(self._autosave)
        self.reload()

    def reload(self) -> None:
        loaded = self.store.load()
        with self.lock:
            self.answers = dict(loaded.answers)
            self.notices = loaded.notices
            self.saved_at = loaded.saved_at
            self.dirty = False
            self._touched = {}
            self._stamp = self._file_stamp()

    def _file_stamp(self) -> tuple | None:
        """Changes with every save: each atomic save is a new file (inode), and mtime for tools
        that write in place."""
        try:
            st = self.store.path.stat()
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def _rewritten_elsewhere(self) -> bool:
        stamp = self._file_stamp()
        return stamp is not None and stamp != self._stamp

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
                if self._rewritten_elsewhere():
                    self._merge_from_disk()
                    merged = True
                saved_at = self.store.save(copy.deepcopy(self.answers), snapshot=snapshot or merged)
            except Exception as exc:  # disk full, permissions, a value JSON cannot hold
                log.debug("saving %s failed", self.store.path, exc_info=True)
                self.error = SAVE_FAILED.format(e=getattr(exc, "strerror", None) or type(exc).__name__)
                ok = False
            else:
                self.saved_at, self.dirty, self.error = saved_at, False, None
                self._touched = {}
                self._stamp = self._file_stamp()
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
        with self.lock:
            self.answers = dict(self.store.restore(version))
            self.saved_at, self.dirty = _saved_now(), False
            self._touched = {}
            self._stamp = self._file_stamp()
        self.refresh_forms()

    def refresh_forms(self) -> None:
        for f in list(self.forms):
            f.refresh()

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
    "Session",
    "SessionView",
    "apply_import",
    "flush_all",
    "ipython",
    "kernel",
    "reset_sessions",
    "session_for",
]
