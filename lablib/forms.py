"""Participant forms: any exercise definition rendered as ipywidgets 8, saved as you type.

``form("diagnose.dg1")`` shows the exercise's title and instructions, one labelled input per
field, a "Periksa" (check) and a "Simpan" (save) button, the save state and the history.

How answers are kept safe:

- All forms of one stage in one kernel share ONE in-memory answers dict per (folder, stage)
  (``_Session``), because the answers file is per stage: form DG1 and form DG2 write their own
  entries into the same dict, and entries nobody has open (imported earlier stages, unknown
  keys) are written back untouched.
- Only the field (or table cell) the participant changed is written into that dict; every
  other value stays exactly as it was read, so a value that does not fit its field is shown
  with its message and kept until the participant changes it.
- Every change schedules a save ``DEBOUNCE_SECONDS`` later through ``AnswerStore.save``
  (atomic); "Periksa" and "Simpan" save at once and keep a history version.

Headless (nbgrader autograde/validate, ``LABLIB_HEADLESS=1``, or no kernel) no widget is
created: a static summary of the saved answers is shown instead (see ``lablib.summary``).

ipywidgets is imported only inside the functions that build widgets, so ``import lablib``
stays light.
"""

from __future__ import annotations

import atexit
import copy
import datetime as _dt
import html
import logging
import os
import threading
import weakref
from collections.abc import Callable, Iterator
from functools import cache, wraps
from pathlib import Path
from typing import Any

from .answers import AnswersFileError, AnswerStore, Version
from .calendar import load_calendar
from .checks import ExerciseResult, results_html, run_checks
from .exercises import Exercise, get_exercise
from .fields import (
    AnswerError,
    Choice,
    DateField,
    Field,
    LongText,
    MultiChoice,
    Number,
    Scale,
    ShortText,
    Table,
    word_count,
)
from .i18n import T, Text
from .summary import AnswersSummary, folder_summary, notices_html

DEBOUNCE_SECONDS = 0.4
log = logging.getLogger(__name__)
_e = html.escape

# Participant-facing words of the form itself, Indonesian first.
UI = {
    "check": T("Periksa", "Check"),
    "save": T("Simpan", "Save"),
    "saved": T("✓ Tersimpan {t}", "✓ Saved {t}"),
    "unsaved": T("● Belum tersimpan", "● Not saved yet"),
    "save_failed": T("✗ Gagal menyimpan ({e}). Jawaban Anda masih ada di formulir ini; tekan Simpan lagi. "
                     "Bila tetap gagal, hubungi fasilitator.",
                     "✗ Could not save ({e}). Your answers are still in this form; press Save again. "
                     "If it keeps failing, tell your facilitator."),
    "crashed": T("Terjadi kesalahan pada formulir. Jawaban yang sudah tersimpan tetap aman. Tekan Simpan, "
                 "lalu beri tahu fasilitator.",
                 "Something went wrong in the form. Saved answers are safe. Press Save, then tell your "
                 "facilitator."),
    "optional": T("(boleh dikosongkan)", "(optional)"),
    "choose": T("— pilih —", "— choose —"),
    "not_listed": T("{v} (tidak ada di daftar)", "{v} (not in the list)"),
    "not_listed_msg": T("Pilihan tersimpan '{v}' tidak ada lagi di daftar. Pilih ulang.",
                        "The saved choice '{v}' is no longer in the list. Choose again."),
    "words": T("{n} kata", "{n} words"),
    "min_words": T("minimal {n}", "at least {n}"),
    "max_words": T("maksimal {n}", "at most {n}"),
    "range": T("Nilai {v} di luar rentang yang diharapkan ({r}).", "Value {v} is outside the expected range ({r})."),
    "scale_hint": T("1 = {lo}, 5 = {hi}", "1 = {lo}, 5 = {hi}"),
    "scale_bad": T("Skala harus 1–5 (tersimpan {v}). Pilih ulang.", "The scale must be 1–5 (saved {v}). Choose again."),
    "add_row": T("+ Tambah baris", "+ Add row"),
    "remove": T("Hapus", "Remove"),
    "confirm_remove": T("Yakin hapus?", "Really remove?"),
    "rows": T("{n} baris", "{n} rows"),
    "rows_min": T("minimal {n}", "at least {n}"),
    "rows_max": T("maksimal {n}", "at most {n}"),
    "table_bad": T("Isi tabel tersimpan tidak dapat dibaca; tabel dimulai kosong. Versi lama ada di Riwayat.",
                   "The saved table cannot be read; it starts empty. The old version is in the History."),
    "history": T("Riwayat (versi tersimpan)", "History (saved versions)"),
    "history_note": T("Memulihkan sebuah versi mengganti jawaban semua latihan tahap ini. Versi sekarang "
                      "tetap disimpan di Riwayat.",
                      "Restoring a version replaces the answers of every exercise of this stage. The "
                      "current version stays in the History."),
    "restore": T("Pulihkan versi ini", "Restore this version"),
    "refresh": T("Perbarui daftar", "Refresh list"),
    "no_versions": T("Belum ada versi lama.", "No earlier versions yet."),
    "restored": T("Jawaban dipulihkan ke versi {t}.", "Answers restored to the version of {t}."),
    "import": T("Ambil jawaban tahap sebelumnya", "Take answers from earlier stages"),
    "import_headless": T("(Tombol 'Ambil jawaban tahap sebelumnya' hanya aktif saat notebook dibuka di "
                         "JupyterLab.)",
                         "(The 'Take answers from earlier stages' button only works when the notebook is "
                         "open in JupyterLab.)"),
}


# ------------------------------------------------------------------------------ environment

def is_headless() -> bool:
    """True when widgets must not be created: nbgrader execution, LABLIB_HEADLESS=1, or no kernel."""
    if os.environ.get("NBGRADER_EXECUTION"):
        return True  # displaying widgets while nbgrader executes can hang (nbclient#312)
    if os.environ.get("LABLIB_HEADLESS", "") == "1":
        return True
    return _kernel() is None


def _ipython() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _kernel() -> Any:
    return getattr(_ipython(), "kernel", None)


def _execution_count() -> int | None:
    return getattr(_ipython(), "execution_count", None)


class _ShowsOnce:
    """Shows ``self.widget`` once per cell: ``form()`` displays it, and the same object being
    the cell's last expression must not show a second copy."""

    widget: Any
    _shown_at: int | None = None

    def _ipython_display_(self) -> None:
        from IPython.display import display

        count = _execution_count()
        if count is not None and count == self._shown_at:
            return
        self._shown_at = count
        display(self.widget)


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
            self._generation += 1
            generation = self._generation
            self._idle.clear()
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            loop = getattr(_kernel(), "io_loop", None)
            if loop is not None:
                # add_callback is the thread-safe door into the loop; stale calls are skipped.
                loop.add_callback(loop.call_later, DEBOUNCE_SECONDS, self._fire, generation)
            else:
                self._timer = threading.Timer(DEBOUNCE_SECONDS, self._fire, (generation,))
                self._timer.daemon = True
                self._timer.start()

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
            self._generation += 1
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._idle.set()

    @property
    def pending(self) -> bool:
        return not self._idle.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._idle.wait(timeout)


# ------------------------------------------------------------------------------ shared answers

class _Session:
    """The one in-memory answers dict of a (folder, stage) in this kernel, shared by its forms."""

    def __init__(self, folder: Path, stage: str):
        self.store = AnswerStore(folder, stage)
        self.lock = threading.RLock()
        self.forms: weakref.WeakSet[Form] = weakref.WeakSet()
        self.answers: dict[str, Any] = {}
        self.notices: tuple[Text, ...] = ()
        self.saved_at: str | None = None
        self.dirty = False
        self.error: Text | None = None
        self._mtime: float | None = None
        self._debounce = _Debouncer(self._autosave)
        self.reload()

    def reload(self) -> None:
        loaded = self.store.load()
        with self.lock:
            self.answers = dict(loaded.answers)
            self.notices = loaded.notices
            self.saved_at = loaded.saved_at
            self.dirty = False
            self._mtime = self._file_mtime()

    def _file_mtime(self) -> float | None:
        try:
            return self.store.path.stat().st_mtime
        except OSError:
            return None

    def changed_on_disk(self) -> bool:
        """Another kernel or tool rewrote the file since this session last read or wrote it."""
        return not self.dirty and self._file_mtime() not in (None, self._mtime)

    def entry(self, exercise_id: str) -> dict:
        value = self.answers.get(exercise_id)
        return value if isinstance(value, dict) else {}

    def set_value(self, exercise_id: str, field_id: str, value: Any) -> None:
        with self.lock:
            entry = self.answers.get(exercise_id)
            if not isinstance(entry, dict):
                entry = self.answers[exercise_id] = {}
            entry[field_id] = copy.deepcopy(value)
            self.dirty = True
        self._notify()
        self._debounce.poke()

    def update_entries(self, entries: dict[str, Any]) -> None:
        with self.lock:
            self.answers.update(copy.deepcopy(entries))
            self.dirty = True

    def _autosave(self) -> None:
        if self.dirty:
            self._save(snapshot=False)  # not flush(): cancelling here would end wait() too early

    def flush(self, snapshot: bool = False) -> bool:
        """Write the shared answers now; never raises (a failure shows in the forms)."""
        self._debounce.cancel()
        return self._save(snapshot)

    def _save(self, snapshot: bool) -> bool:
        with self.lock:
            try:
                saved_at = self.store.save(copy.deepcopy(self.answers), snapshot=snapshot)
            except Exception as exc:  # disk full, permissions, a value JSON cannot hold
                log.debug("saving %s failed", self.store.path, exc_info=True)
                self.error = UI["save_failed"].format(e=getattr(exc, "strerror", None) or type(exc).__name__)
                ok = False
            else:
                self.saved_at, self.dirty, self.error = saved_at, False, None
                self._mtime = self._file_mtime()
                ok = True
        self._notify()
        return ok

    def wait(self, timeout: float | None = 5.0) -> bool:
        return self._debounce.wait(timeout)

    def restore(self, version: Version) -> None:
        if self.dirty:
            self.flush()
        with self.lock:
            self.answers = dict(self.store.restore(version))
            self.saved_at, self.dirty = _saved_now(), False
            self._mtime = self._file_mtime()
        self.refresh_forms()

    def refresh_forms(self) -> None:
        for f in list(self.forms):
            f.refresh()

    def _notify(self) -> None:
        for f in list(self.forms):
            try:
                f._show_status()
            except Exception:  # e.g. the kernel is shutting down: showing must never stop saving
                log.debug("status update failed", exc_info=True)


def _saved_now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="milliseconds")


_SESSIONS: dict[tuple[Path, str], _Session] = {}
_SESSIONS_LOCK = threading.Lock()


def _key(folder: str | os.PathLike, stage: str) -> tuple[Path, str]:
    return Path(folder).resolve(), stage


def _session_for(folder: Path, stage: str) -> _Session:
    with _SESSIONS_LOCK:
        session = _SESSIONS.get(_key(folder, stage))
        if session is None:
            session = _SESSIONS[_key(folder, stage)] = _Session(folder, stage)
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


# ------------------------------------------------------------------------------ small widget helpers

def _widgets() -> Any:
    import ipywidgets

    return ipywidgets


def _messages_html(messages: list[Text], colour: str = "#b71c1c") -> str:
    if not messages:
        return ""
    return "".join(f'<div style="color:{colour}">⚠ {_e(str(m))}</div>' for m in messages)


def _close_tree(widget: Any) -> None:
    """Close a widget and its children so a removed table row frees its comms in the kernel."""
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    widget.close()


def _accessible_name(widget: Any, name: str) -> None:
    """Make ``name`` the input's accessible name through ipywidgets' own ``<label for=...>``.

    The visible label is an HTML widget above the input, which ipywidgets cannot tie to it, and
    a tooltip is not enough: Chromium names the input from the widget's empty hidden label, so a
    screen reader said only "edit text" (found by tests/test_browser.py). The description label
    is kept zero wide and the gap ipywidgets leaves after it is taken back with a negative left
    margin, so the input stays exactly under its visible label.
    """
    widget.description = name
    widget.style.description_width = "0px"
    widget.layout.margin = "2px 2px 2px -6px"  # ipywidgets: 2px margins, 8px after the label
    if widget.layout.width:
        widget.layout.width = f"calc({widget.layout.width} + 8px)"


def _guard(method: Callable) -> Callable:
    """Run a widget callback; on a bug, show a friendly message instead of a traceback."""

    @wraps(method)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            log.debug("form callback %s failed", method.__name__, exc_info=True)
            target = self if hasattr(self, "_say") else getattr(self, "form", None)
            if target is not None:
                target.last_error = exc
                target._say(UI["crashed"])
            return None

    return run


@cache
def _checkbox_group_class() -> type:
    """A VBox of checkboxes with a Python-side ``value`` list, built on first use."""
    W = _widgets()
    from traitlets import List, Unicode, observe

    class CheckboxGroup(W.VBox):
        value = List(Unicode())

        def __init__(self, options: tuple[str, ...], **kwargs: Any):
            boxes = [W.Checkbox(description=o, value=False, indent=False, layout=W.Layout(width="auto"))
                     for o in options]
            super().__init__(children=boxes, **kwargs)
            self._options = options
            self._syncing = False
            for box in boxes:
                box.observe(self._box_changed, "value")

        def _box_changed(self, _change: dict) -> None:
            if not self._syncing:
                self.value = [o for o, b in zip(self._options, self.children) if b.value]

        @observe("value")
        def _value_changed(self, change: dict) -> None:
            self._syncing = True
            try:
                for o, b in zip(self._options, self.children):
                    b.value = o in change["new"]
            finally:
                self._syncing = False

    return CheckboxGroup


# ------------------------------------------------------------------------------ one control per field

class _Control:
    """One input: the widget, what it stores (JSON-ready), and how a stored value is shown."""

    def __init__(self, field_: Field, on_change: Callable[[_Control], None], compact: bool = False):
        W = _widgets()
        self.field = field_
        self.compact = compact  # inside a table row: smaller label, no long help
        self._on_change = on_change
        self._quiet = False
        self.message = W.HTML()
        self.widget = self._make(W)
        self.box = self._layout(W)

    # -- building ----------------------------------------------------------------------------
    def _make(self, W: Any) -> Any:
        raise NotImplementedError

    def _extras(self) -> list:
        return []

    def _layout(self, W: Any) -> Any:
        label = str(self.field.label_text())
        optional = "" if self.field.required else f' <span style="font-weight:normal;color:#555">{_e(str(UI["optional"]))}</span>'
        size = "90%" if self.compact else "100%"
        head = W.HTML(f'<div style="font-weight:bold;font-size:{size};margin-top:4px">{_e(label)}{optional}</div>')
        parts = [head]
        if self.field.help:
            parts.append(W.HTML(f'<div style="color:#555;font-size:85%">{_e(self.field.help)}</div>'))
        if not isinstance(self.widget, W.Box):  # a Box view crashes on a tooltip (ipywidgets 8.1)
            self.widget.tooltip = label  # shown on hover; the visible label is above
        if isinstance(self.widget, (W.Text, W.Textarea, W.Dropdown, W.DatePicker)):
            _accessible_name(self.widget, label)
        return W.VBox([*parts, self.widget, *self._extras(), self.message],
                      layout=W.Layout(width="100%", margin="2px 0"))

    def _changed(self, _change: dict | None = None) -> None:
        if not self._quiet:
            self._on_change(self)

    # -- values ------------------------------------------------------------------------------
    def show(self, raw: Any) -> None:
        """Show a stored raw value without reporting a change."""
        self._quiet = True
        try:
            try:
                typed = self.field.coerce(raw)
            except AnswerError as exc:
                self._show_unfit(raw)
                self._say([exc.message])
            else:
                self._say([])
                self._show_typed(typed)
        finally:
            self._quiet = False

    def _show_typed(self, typed: Any) -> None:
        raise NotImplementedError

    def _show_unfit(self, raw: Any) -> None:
        """A stored value that does not fit stays in the file; show what we can of it."""
        self._show_typed(self.field.empty_value())

    def value(self) -> Any:
        """The JSON-ready value to store; also refreshes this control's message."""
        raise NotImplementedError

    def _say(self, messages: list[Text]) -> None:
        self.message.value = _messages_html(messages)


class _TextControl(_Control):
    def _make(self, W: Any) -> Any:
        if isinstance(self.field, LongText):
            w = W.Textarea(value="", rows=4 if self.compact else 7, layout=W.Layout(width="100%"))
            self.counter = W.HTML()
        else:
            w = W.Text(value="", layout=W.Layout(width="100%"))
            self.counter = None
        w.observe(self._changed, "value")
        return w

    def _extras(self) -> list:
        return [self.counter] if self.counter is not None else []

    def _show_typed(self, typed: Any) -> None:
        self.widget.value = typed or ""
        self._count()

    def _show_unfit(self, raw: Any) -> None:
        self.widget.value = raw if isinstance(raw, str) else ""  # e.g. a paste beyond the limit
        self._count()

    def value(self) -> str:
        text = self.widget.value
        self._count()
        try:
            self.field.coerce(text)
            self._say([])
        except AnswerError as exc:
            self._say([exc.message])
        return text

    def _count(self) -> None:
        if self.counter is None:
            return
        f = self.field
        n = word_count(self.widget.value)
        limits = []
        if getattr(f, "min_words", 0):
            limits.append(str(UI["min_words"].format(n=f.min_words)))
        if getattr(f, "max_words", None):
            limits.append(str(UI["max_words"].format(n=f.max_words)))
        outside = n < getattr(f, "min_words", 0) or (f.max_words is not None and n > f.max_words)
        colour = "#b71c1c" if outside and n else "#555"
        text = str(UI["words"].format(n=n)) + (f" ({', '.join(limits)})" if limits else "")
        self.counter.value = f'<small style="color:{colour}">{_e(text)}</small>'


class _NumberControl(_Control):
    def _make(self, W: Any) -> Any:
        # A text box, not FloatText: it can be empty, and it accepts "1.250,5" as Indonesians write.
        w = W.Text(value="", layout=W.Layout(width="12em"))
        w.observe(self._changed, "value")
        return w

    def _layout(self, W: Any) -> Any:
        box = super()._layout(W)
        if self.field.unit:
            children = list(box.children)
            i = children.index(self.widget)
            unit = W.HTML(f'<span style="margin-left:6px">{_e(self.field.unit)}</span>')
            children[i] = W.HBox([self.widget, unit])
            box.children = children
        return box

    def _show_typed(self, typed: Any) -> None:
        if isinstance(typed, float) and typed.is_integer():
            typed = int(typed)
        self.widget.value = "" if typed is None else str(typed)
        self._say(self._range_messages(typed))

    def _show_unfit(self, raw: Any) -> None:
        self.widget.value = raw if isinstance(raw, str) else ("" if raw is None else str(raw))

    def value(self) -> Any:
        text = self.widget.value.strip()
        if not text:
            self._say([])
            return None
        try:
            number = self.field.coerce(text)
        except AnswerError as exc:
            self._say([exc.message])
            return text  # kept as typed so nothing is lost; the checks report it too
        self._say(self._range_messages(number))
        if isinstance(number, float) and number.is_integer():
            number = int(number)  # "1.200" is stored as 1200, not 1200.0
        return number

    def _range_messages(self, number: Any) -> list[Text]:
        f = self.field
        if number is None or not f.out_of_range(number):
            return []
        bounds = "–".join(f"{b:g}" if b is not None else "…" for b in (f.minimum, f.maximum))
        return [UI["range"].format(v=number, r=bounds)]


class _DateControl(_Control):
    def _make(self, W: Any) -> Any:
        w = W.DatePicker(value=None)
        w.observe(self._changed, "value")
        return w

    def _show_typed(self, typed: Any) -> None:
        self.widget.value = typed

    def value(self) -> str | None:
        self._say([])
        day = self.widget.value
        return day.isoformat() if isinstance(day, _dt.date) else None


class _ChoiceControl(_Control):
    def _make(self, W: Any) -> Any:
        self._options: tuple[str, ...] = tuple(self.field.options)
        w = W.Dropdown(options=self._option_pairs(None), value=None, layout=W.Layout(width="100%"))
        w.observe(self._changed, "value")
        return w

    def _option_pairs(self, keep: str | None) -> list[tuple[str, Any]]:
        pairs: list[tuple[str, Any]] = [(str(UI["choose"]), None)] + [(o, o) for o in self._options]
        if keep is not None and keep not in self._options:
            pairs.append((str(UI["not_listed"].format(v=keep)), keep))
        return pairs

    def set_options(self, options: list[str]) -> None:
        """New options (from a table column), keeping the current choice visible."""
        self._quiet = True
        try:
            current = self.widget.value
            self._options = tuple(options)
            self.widget.options = self._option_pairs(current)
            self.widget.value = current  # ipywidgets resets the value when options change
            self._say(self._messages(current))
        finally:
            self._quiet = False

    def _messages(self, value: Any) -> list[Text]:
        if value is not None and value not in self._options:
            return [UI["not_listed_msg"].format(v=value)]
        return []

    def _show_typed(self, typed: Any) -> None:
        self.widget.options = self._option_pairs(typed)
        self.widget.value = typed
        self._say(self._messages(typed))

    def _show_unfit(self, raw: Any) -> None:
        keep = raw if isinstance(raw, str) else None
        self.widget.options = self._option_pairs(keep)
        self.widget.value = keep

    def value(self) -> str | None:
        value = self.widget.value
        self._say(self._messages(value))
        return value


class _MultiChoiceControl(_Control):
    def _make(self, W: Any) -> Any:
        w = _checkbox_group_class()(self.field.options)
        w.observe(self._changed, "value")
        return w

    def _show_typed(self, typed: Any) -> None:
        self.widget.value = list(typed or [])

    def _show_unfit(self, raw: Any) -> None:
        known = [v for v in raw if v in self.field.options] if isinstance(raw, list) else []
        self.widget.value = known

    def value(self) -> list[str]:
        self._say([])
        return [o for o in self.field.options if o in self.widget.value]


class _ScaleControl(_Control):
    def _make(self, W: Any) -> Any:
        lo, hi = self.field.minimum, self.field.maximum
        w = W.ToggleButtons(options=[(str(i), i) for i in range(lo, hi + 1)], value=None,
                            # each button is named by its number only: the tooltip (read as its
                            # description) says which question it answers
                            tooltips=[f"{self.field.label_text()}: " + (
                                f"{i} = {self.field.low_label}" if i == lo else
                                f"{i} = {self.field.high_label}" if i == hi else str(i))
                                for i in range(lo, hi + 1)],
                            style={"button_width": "2.6em"})
        w.observe(self._changed, "value")
        return w

    def _extras(self) -> list:
        W = _widgets()
        hint = UI["scale_hint"].format(lo=self.field.low_label, hi=self.field.high_label)
        return [W.HTML(f'<small style="color:#555">{_e(str(hint))}</small>')]

    def _show_typed(self, typed: Any) -> None:
        if self.field.out_of_range(typed):
            self.widget.value = None
            self._say([UI["scale_bad"].format(v=typed)])
        else:
            self.widget.value = typed

    def value(self) -> int | None:
        self._say([])
        return self.widget.value


_CONTROLS: dict[type, type[_Control]] = {
    ShortText: _TextControl, LongText: _TextControl, Number: _NumberControl, DateField: _DateControl,
    Choice: _ChoiceControl, MultiChoice: _MultiChoiceControl, Scale: _ScaleControl,
}


def _control_class(field_: Field) -> type[_Control]:
    for cls in type(field_).__mro__:
        if cls in _CONTROLS:
            return _CONTROLS[cls]
    raise TypeError(f"field {field_.id!r} of kind {type(field_).__name__} has no form control")


# ------------------------------------------------------------------------------ tables

class _TableControl:
    """Rows the participant adds and removes, each row a card of cell controls."""

    def __init__(self, table: Table, form: Form):
        W = _widgets()
        self.field = table
        self.form = form
        self.rows: list[dict] = []  # the stored rows, raw; unknown keys and bad cells kept
        self.cells: list[dict[str, _Control]] = []
        self.last_edit: tuple[str, Any, Any] | None = None  # (column, old, new) of the latest cell edit
        self._confirm: dict | None = None  # the row (its cells) whose "Hapus" was clicked once
        self._cards: list = []
        self._titles: list = []
        self._removes: list = []
        self.message = W.HTML()
        self.count = W.HTML()
        self.add_button = W.Button(description=str(UI["add_row"]), icon="", button_style="",
                                   layout=W.Layout(width="auto"))
        self.add_button.on_click(self._add_clicked)
        self.row_box = W.VBox()
        head = W.HTML(f'<div style="font-weight:bold;margin-top:8px">{_e(str(table.label_text()))}</div>')
        parts = [head]
        if table.help:
            parts.append(W.HTML(f'<div style="color:#555;font-size:85%">{_e(table.help)}</div>'))
        self.widget = self.row_box
        self.box = W.VBox([*parts, self.message, self.row_box, W.HBox([self.add_button, self.count])],
                          layout=W.Layout(width="100%"))

    # -- values ------------------------------------------------------------------------------
    def show(self, raw: Any) -> None:
        if raw is None or (isinstance(raw, list) and all(isinstance(r, dict) for r in raw)):
            self.rows = copy.deepcopy(raw or [])
            self.message.value = ""
        else:
            self.rows = []
            self.message.value = _messages_html([UI["table_bad"]])
        self._pad(max(len(self.rows), self.field.min_rows, 1))
        self._build()

    def value(self) -> list[dict]:
        return copy.deepcopy(self.rows)

    def _pad(self, n: int) -> None:
        while len(self.rows) < n:
            self.rows.append(self.field.empty_row())

    # -- rows --------------------------------------------------------------------------------
    def _build(self) -> None:
        for old in self.row_box.children:
            _close_tree(old)
        self.cells, self._cards, self._titles, self._removes = [], [], [], []
        for row in self.rows:
            self._append_card(row)
        self.row_box.children = tuple(self._cards)
        self._update_buttons()

    def _append_card(self, row: dict) -> None:
        """Add one row's card. Callbacks find their row by identity, so removing a row above
        never needs the other rows rebuilt (each rebuild costs hundreds of comms in a kernel)."""
        W = _widgets()
        cells: dict[str, _Control] = {}
        for col in self.field.columns:
            control = _control_class(col)(col, lambda c, cells=cells: self._cell_changed(cells, c), compact=True)
            control.show(row.get(col.id))
            if isinstance(col, LongText):
                control.box.layout.grid_column = "1 / -1"
            cells[col.id] = control
        remove = W.Button(description=str(UI["remove"]), layout=W.Layout(width="auto"))
        remove.on_click(lambda _b, cells=cells: self._remove_clicked(cells))
        title = W.HTML()
        grid = W.GridBox([c.box for c in cells.values()], layout=W.Layout(
            grid_template_columns="repeat(auto-fill, minmax(15em, 1fr))", grid_gap="2px 14px", width="100%"))
        card = W.VBox([W.HBox([title, remove], layout=W.Layout(justify_content="space-between")), grid],
                      layout=W.Layout(border="1px solid #bbb", padding="4px 8px", margin="4px 0", width="100%"))
        self.cells.append(cells)
        self._cards.append(card)
        self._titles.append(title)
        self._removes.append(remove)

    def _index(self, cells: dict) -> int:
        return next(i for i, c in enumerate(self.cells) if c is cells)

    def _update_buttons(self) -> None:
        n, lo, hi = len(self.rows), self.field.min_rows, self.field.max_rows
        self.add_button.disabled = hi is not None and n >= hi
        for i, (title, remove) in enumerate(zip(self._titles, self._removes), start=1):
            title.value = f"<b>{_e(self.field.row_label)} {i}</b>"
            remove.tooltip = f"{UI['remove']} {self.field.row_label} {i}"
            remove.disabled = n <= lo
            if self._confirm is None or self.cells[i - 1] is not self._confirm:
                remove.description, remove.button_style = str(UI["remove"]), ""
        limits = [str(UI["rows_min"].format(n=lo))] if lo else []
        if hi is not None:
            limits.append(str(UI["rows_max"].format(n=hi)))
        text = str(UI["rows"].format(n=n)) + (f" ({', '.join(limits)})" if limits else "")
        self.count.value = f'<span style="color:#555;margin-left:8px">{_e(text)}</span>'

    @_guard
    def _cell_changed(self, cells: dict, control: _Control) -> None:
        i = self._index(cells)
        self._pad(i + 1)
        old = self.rows[i].get(control.field.id)
        new = control.value()
        self.rows[i][control.field.id] = new
        self.last_edit = (control.field.id, old, new)
        if self._confirm is not None:
            self._confirm = None
            self._update_buttons()
        self.form._changed(self)

    @_guard
    def _add_clicked(self, _button: Any = None) -> None:
        self.add_row()

    def add_row(self) -> None:
        if self.field.max_rows is not None and len(self.rows) >= self.field.max_rows:
            return
        self.rows.append(self.field.empty_row())
        self._append_card(self.rows[-1])
        self.row_box.children = tuple(self._cards)
        self._update_buttons()
        self.last_edit = None
        self.form._changed(self)

    @_guard
    def _remove_clicked(self, cells: dict) -> None:
        i = self._index(cells)
        blank = not self.field.non_blank_rows([self.rows[i]])
        if not blank and self._confirm is not cells:  # one extra click guards a row full of answers
            self._confirm = cells
            self._update_buttons()
            self._removes[i].description, self._removes[i].button_style = str(UI["confirm_remove"]), "danger"
            return
        self.remove_row(i)

    def remove_row(self, i: int) -> None:
        if len(self.rows) <= self.field.min_rows or not 0 <= i < len(self.rows):
            return
        del self.rows[i]
        self.cells.pop(i)
        self._titles.pop(i)
        self._removes.pop(i)
        card = self._cards.pop(i)
        self.row_box.children = tuple(self._cards)
        _close_tree(card)
        self._confirm = None
        self._update_buttons()
        self.last_edit = None
        self.form._changed(self)

    def column_values(self, column: str) -> list[str]:
        """Distinct non-empty texts of a column, in row order: the options of a linked Choice."""
        seen: list[str] = []
        for row in self.rows:
            v = row.get(column)
            if isinstance(v, str) and v.strip() and v.strip() not in seen:
                seen.append(v.strip())
        return seen


# ------------------------------------------------------------------------------ the form

class Form(_ShowsOnce):
    """A live form for one exercise; ``form()`` is the way participants get one.

    Test and notebook API: ``answers`` (this exercise's stored entry), ``widget_for(field,
    row=, column=)``, ``add_row`` / ``remove_row``, ``save()``, ``check()``, ``wait_saved()``,
    ``status_text``, ``results_html``, ``versions()`` / ``restore()``, ``refresh()``.
    """

    def __init__(self, exercise: str | Exercise, folder: str | os.PathLike | None = None):
        W = _widgets()
        self.exercise: Exercise = _exercise(exercise)
        self.folder = Path(folder or os.getcwd())
        self.calendar = load_calendar(self.folder)
        self.last_result: ExerciseResult | None = None
        self.last_error: Exception | None = None
        self._session = _session_for(self.folder, self.exercise.stage)
        self.controls: dict[str, _Control | _TableControl] = {}
        for f in self.exercise.fields:
            if isinstance(f, Table):
                self.controls[f.id] = _TableControl(f, self)
            else:
                self.controls[f.id] = _control_class(f)(f, self._changed)
        self.notices_box = W.HTML()
        self.status = W.HTML()
        self.results = W.HTML()
        self.buttons = {
            "periksa": W.Button(description=str(UI["check"]), button_style="primary", icon="check"),
            "simpan": W.Button(description=str(UI["save"]), icon="save"),
        }
        self.buttons["periksa"].on_click(lambda _b: self._check_clicked())
        self.buttons["simpan"].on_click(lambda _b: self._save_clicked())
        self.history = self._history_widget(W)
        self.widget = W.VBox([
            W.HTML(f'<h3 style="margin:0.2em 0">{_e(str(self.exercise.title_text()))}</h3>'),
            W.HTML(f'<div style="white-space:pre-wrap;margin-bottom:6px">{_e(self._instructions())}</div>'),
            self.notices_box,
            *(c.box for c in self.controls.values()),
            W.HBox([self.buttons["periksa"], self.buttons["simpan"], self.status],
                   layout=W.Layout(align_items="center", margin="10px 0 4px 0")),
            self.results,
            self.history,
        ], layout=W.Layout(max_width="980px", width="100%"))
        self._session.forms.add(self)
        self.refresh()

    # -- reading the shared answers into widgets ---------------------------------------------
    def _instructions(self) -> str:
        ex = self.exercise
        return str(Text(ex.instructions, ex.instructions_en))

    def refresh(self) -> None:
        """Show the shared answers again (after an import, a restore, or another form's change)."""
        entry = self._session.entry(self.exercise.id)
        for fid, control in self.controls.items():
            control.show(entry.get(fid))
        self._update_choices()
        self.notices_box.value = notices_html(self._session.notices)
        self._show_status()
        self._refresh_versions()

    # -- writing widget changes into the shared answers ---------------------------------------
    @_guard
    def _changed(self, control: _Control | _TableControl) -> None:
        self._session.set_value(self.exercise.id, control.field.id, control.value())
        if isinstance(control, _TableControl):
            # A cell edit refreshes the choices fed by this table; a new or removed row may
            # also hold choices fed by another table, so refresh them all then.
            self._update_choices(control if control.last_edit else None)

    def _update_choices(self, table: _TableControl | None = None) -> None:
        """Refill every Choice whose options come from a table column; follow a renamed row."""
        for control in self._all_controls():
            source = getattr(control.field, "options_from", "")
            if not isinstance(control, _ChoiceControl) or not source:
                continue
            table_id, _, column = source.partition(".")
            if table is not None and table_id != table.field.id:
                continue
            source_table = self.controls.get(table_id)
            if not isinstance(source_table, _TableControl):
                continue
            options = source_table.column_values(column)
            control.set_options(options)
            edit = source_table.last_edit if table is not None else None
            if edit and edit[0] == column and self._renamed(control, edit, options):
                control.widget.value = edit[2].strip()  # reported as a change, so it is saved

    @staticmethod
    def _renamed(control: _ChoiceControl, edit: tuple[str, Any, Any], options: list[str]) -> bool:
        _col, old, new = edit
        if not (isinstance(old, str) and isinstance(new, str) and old.strip() and new.strip()):
            return False
        current = control.widget.value
        return current is not None and current.strip() == old.strip() and old.strip() not in options

    def _all_controls(self) -> Iterator[_Control]:
        for control in self.controls.values():
            if isinstance(control, _TableControl):
                for row in control.cells:
                    yield from row.values()
            else:
                yield control

    # -- buttons ------------------------------------------------------------------------------
    @_guard
    def _check_clicked(self) -> None:
        self.check()

    @_guard
    def _save_clicked(self) -> None:
        self.save()

    def save(self) -> bool:
        """Save now and keep a history version; False when the file could not be written."""
        ok = self._session.flush(snapshot=True)
        self._refresh_versions()
        return ok

    def check(self) -> ExerciseResult:
        """Save, run the exercise's checks on the stage's answers, and show the result."""
        self.save()
        with self._session.lock:
            answers = copy.deepcopy(self._session.answers)
        result = run_checks(self.exercise, answers, self.calendar)
        self.last_result = result
        self.results.value = results_html(result)
        return result

    def wait_saved(self, timeout: float | None = 5.0) -> bool:
        """Block until a pending autosave has run (tests; scripts). True when nothing is pending.

        In a kernel the autosave waits for the kernel's event loop, which cannot run while this
        call blocks it, so there the pending changes are saved at once instead.
        """
        if _kernel() is not None:
            if self._session.dirty:
                self._session.flush()
            return not self._session.dirty
        return self._session.wait(timeout)

    # -- status -------------------------------------------------------------------------------
    def _show_status(self) -> None:
        self.status.value = f'<span style="margin-left:10px">{_e(self.status_text)}</span>'

    @property
    def status_text(self) -> str:
        s = self._session
        if s.error is not None:
            return str(s.error)
        if s.dirty or not s.saved_at:
            return str(UI["unsaved"])
        return str(UI["saved"].format(t=_clock(s.saved_at)))

    def _say(self, message: Text) -> None:
        self.results.value = _messages_html([message])

    # -- history ------------------------------------------------------------------------------
    def _history_widget(self, W: Any) -> Any:
        self.version_list = W.Dropdown(options=[], layout=W.Layout(width="22em"))
        _accessible_name(self.version_list, str(UI["history"]))
        self.buttons["pulihkan"] = W.Button(description=str(UI["restore"]), icon="undo",
                                            layout=W.Layout(width="auto"))
        self.buttons["riwayat"] = W.Button(description=str(UI["refresh"]), layout=W.Layout(width="auto"))
        self.buttons["pulihkan"].on_click(lambda _b: self._restore_clicked())
        self.buttons["riwayat"].on_click(lambda _b: self._refresh_versions())
        self.history_message = W.HTML()
        inner = W.VBox([
            W.HTML(f'<small style="color:#555">{_e(str(UI["history_note"]))}</small>'),
            W.HBox([self.version_list, self.buttons["pulihkan"], self.buttons["riwayat"]]),
            self.history_message,
        ])
        box = W.Accordion(children=[inner], selected_index=None)
        box.set_title(0, str(UI["history"]))
        return box

    def versions(self) -> list[Version]:
        return self._session.store.versions()

    def _refresh_versions(self) -> None:
        versions = self.versions()
        self.version_list.options = [(v.saved_at, v.path.name) for v in versions]
        self.buttons["pulihkan"].disabled = not versions
        if not versions:
            self.history_message.value = f'<small>{_e(str(UI["no_versions"]))}</small>'

    @_guard
    def _restore_clicked(self) -> None:
        chosen = self.version_list.value
        version = next((v for v in self.versions() if v.path.name == chosen), None)
        if version is not None:
            self.restore(version)

    def restore(self, version: Version) -> None:
        """Make an earlier version of the stage's answers current; every open form shows it."""
        try:
            self._session.restore(version)
        except AnswersFileError as exc:  # that history file is damaged: say so, change nothing
            self.history_message.value = _messages_html([exc.message])
            return
        self.history_message.value = f'<small>{_e(str(UI["restored"].format(t=version.saved_at)))}</small>'

    # -- test API -----------------------------------------------------------------------------
    @property
    def answers(self) -> dict:
        """A copy of this exercise's entry in the shared answers (what the file will hold)."""
        with self._session.lock:
            return copy.deepcopy(self._session.entry(self.exercise.id))

    @property
    def notices(self) -> tuple[Text, ...]:
        return self._session.notices

    @property
    def results_html(self) -> str:
        return self.results.value

    def widget_for(self, field_id: str, row: int | None = None, column: str | None = None) -> Any:
        """The input widget of a field, or of a table cell (``row`` from 0, ``column`` id)."""
        control = self.controls[field_id]
        if isinstance(control, _TableControl):
            if row is None or column is None:
                return control.widget
            return control.cells[row][column].widget
        if row is not None or column is not None:
            raise ValueError(f"field {field_id!r} is not a table; leave out row and column")
        return control.widget

    def add_row(self, table_id: str) -> None:
        self._table(table_id).add_row()

    def remove_row(self, table_id: str, index: int) -> None:
        self._table(table_id).remove_row(index)

    def _table(self, table_id: str) -> _TableControl:
        control = self.controls[table_id]
        if not isinstance(control, _TableControl):
            raise TypeError(f"field {table_id!r} is not a table")
        return control

    def __repr__(self) -> str:
        return f"<lablib Form {self.exercise.id} in {self.folder}>"


def _exercise(exercise: str | Exercise) -> Exercise:
    """An id is looked up; a definition object is used as is (previews, tests)."""
    return exercise if isinstance(exercise, Exercise) else get_exercise(exercise)


def _clock(saved_at: str) -> str:
    """'10:32:05' for a save today, else the date too."""
    try:
        stamp = _dt.datetime.fromisoformat(saved_at)
    except ValueError:
        return saved_at
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone()
    if stamp.date() == _dt.date.today():
        return stamp.strftime("%H:%M:%S")
    return stamp.strftime("%Y-%m-%d %H:%M:%S")


# ------------------------------------------------------------------------------ public entry points

def form(exercise_id: str | Exercise, folder: str | os.PathLike | None = None, *,
         headless: bool | None = None) -> Form | AnswersSummary | None:
    """The form of one exercise, saving into the answers file in ``folder`` (default: here).

    Headless (see ``is_headless``; or ``headless=True``) no widget is created: in IPython the
    static summary of the saved answers is displayed and ``None`` returned; in plain Python the
    ``AnswersSummary`` is returned so ``print`` and ``_repr_html_`` work.
    """
    if headless is None:
        headless = is_headless()
    if headless:
        summary = folder_summary(exercise_id, folder)
        if _ipython() is None:
            return summary
        from IPython.display import HTML, display

        display(HTML(summary.html))
        return None
    f = Form(exercise_id, folder)
    if _kernel() is not None:
        f._ipython_display_()
    return f


class ImportButton(_ShowsOnce):
    """The "Ambil jawaban tahap sebelumnya" button and the report of its last import."""

    def __init__(self, stage: str, folder: str | os.PathLike | None = None):
        W = _widgets()
        self.stage, self.folder = stage, Path(folder or os.getcwd())
        self.report = None
        self.last_error: Exception | None = None
        self.button = W.Button(description=str(UI["import"]), icon="download", layout=W.Layout(width="auto"))
        self.output = W.HTML()
        self.button.on_click(lambda _b: self._clicked())
        self.widget = W.VBox([self.button, self.output])

    @_guard
    def _clicked(self) -> None:
        self.click()

    def click(self) -> Any:
        from .carry import import_previous

        self.report = import_previous(self.folder, self.stage)
        self.output.value = self.report._repr_html_()
        return self.report

    def _say(self, message: Text) -> None:
        self.output.value = _messages_html([message])


def import_button(stage: str, folder: str | os.PathLike | None = None, *,
                  headless: bool | None = None) -> ImportButton | None:
    """A button that copies earlier stages' answers into this stage (``lablib.carry``).

    Headless it only prints a note: importing changes files, which grading must never do.
    """
    from .stages import get_stage

    get_stage(stage)
    if headless is None:
        headless = is_headless()
    if headless:
        print(UI["import_headless"])
        return None
    b = ImportButton(stage, folder)
    if _kernel() is not None:
        b._ipython_display_()
    return b


__all__ = [
    "DEBOUNCE_SECONDS",
    "Form",
    "ImportButton",
    "flush_all",
    "form",
    "import_button",
    "is_headless",
    "reset_sessions",
]
