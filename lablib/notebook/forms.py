"""Participant forms: any exercise definition rendered as ipywidgets 8, saved as you type.

``form("diagnose.dg1")`` shows a header line (code, title, and the exercise's state: "belum
diisi", "sebagian", "✓ lengkap", or the last Periksa score) with a button that opens and closes
the form; under it the instructions, one labelled input per field (a table as a compact grid, see
``lablib.notebook.inputs``), a "Periksa" (check) and a "Simpan" (save) button, the save state and
the history. ``import_button("design")`` copies earlier stages' answers into this stage.

One exercise of a stage is open at a time: opening one closes the other forms of its session,
and a new form starts open only when it is not complete and no other exercise's form is open, so
the first exercise still to do is the open one. A stage is 10–20 laptop screens long otherwise.

What the form shows beside the answers is read from ``lablib.core.checks.Answers``, built from
the shared answers after every change, so it is exactly what Periksa and the autograder read:
computed fields and computed table cells (grey, read-only, never written to the file), the
options of dynamic choices (``Choice.options_from``, which may name tables of other exercises of
the stage: their forms' changes reach this one through the session), and each table row's note.

``Form.on_change`` is a list of callables, each called with no arguments after every change of a
value in the form (and after ``refresh`` and after a change in another exercise of the stage);
a live picture hooks in there. They are called at once (not debounced); one that fails is logged
and kept in ``last_error``, and neither stops the others nor the saving.

How answers are kept safe:

- All forms of one stage in one kernel share ONE in-memory answers dict per (folder, stage)
  (``lablib.notebook.sessions.Session``), because the answers file is per stage: form DG1 and form DG2
  write their own entries into the same dict, and entries nobody has open (imported earlier
  stages, unknown keys) are written back untouched.
- Only the field (or table cell) the participant changed is written into that dict; every
  other value stays exactly as it was read, so a value that does not fit its field is shown
  with its message and kept until the participant changes it (``lablib.notebook.inputs``).
- Every change schedules a save ``lablib.notebook.sessions.DEBOUNCE_SECONDS`` later through
  ``AnswerStore.save`` (atomic); "Periksa" and "Simpan" save at once and keep a history version.

Headless (nbgrader autograde/validate, ``LABLIB_HEADLESS=1``, or no kernel) no widget is
created: a static summary of the saved answers is shown instead (see ``lablib.notebook.summary``).

ipywidgets is imported only inside the functions that build widgets, so ``import lablib``
stays light.
"""

from __future__ import annotations

import copy
import datetime as _dt
import html
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lablib.core.answers import AnswersFileError, Version
from lablib.core.calendar import load_calendar
from lablib.core.checks import Answers, ExerciseResult, results_html, run_checks
from lablib.core.exercises import Exercise
from lablib.core.fields import Computed, Table
from lablib.core.i18n import T, Text
from lablib.curriculum import get_exercise
from lablib.notebook.headless import IMPORT_HEADLESS
from lablib.notebook.inputs import (
    ChoiceControl,
    ComputedControl,
    Control,
    TableControl,
    accessible_name,
    control_class,
    guard,
    messages_html,
    widgets,
)
from lablib.notebook.live_pictures import panel_for
from lablib.notebook.sessions import (
    flush_all,
    ipython,
    kernel,
    reset_sessions,
    save_failed,
    session_for,
)
from lablib.notebook.style import FORM_MAX_WIDTH, stylesheet
from lablib.notebook.summary import AnswersSummary, folder_summary, notices_html

if TYPE_CHECKING:
    from typing_extensions import Self

_e = html.escape
log = logging.getLogger(__name__)

# Participant-facing words of the form itself, Indonesian first (its inputs: ``lablib.notebook.inputs``).
UI = {
    "check": T("Periksa", "Check"),
    "points": T("Nilai latihan ini: {a} poin otomatis (diperiksa mesin) dan {r} poin rubrik (dinilai narasumber).",
                "This exercise is worth {a} automatic points (checked by the machine) and {r} rubric points "
                "(judged by the narasumber)."),
    "save": T("Simpan", "Save"),
    "saved": T("✓ Tersimpan {t}", "✓ Saved {t}"),
    "unsaved": T("● Belum tersimpan", "● Not saved yet"),
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
    "import_headless": IMPORT_HEADLESS,  # also rendered by kernel-free grading
    "open": T("Buka {code}", "Open {code}"),
    "close": T("Tutup {code}", "Close {code}"),
    "open_tip": T("Buka latihan {title} ({state})", "Open the exercise {title} ({state})"),
    "close_tip": T("Tutup latihan {title} ({state})", "Close the exercise {title} ({state})"),
    "empty": T("belum diisi", "not started"),
    "partial": T("sebagian", "partly done"),
    "complete": T("✓ lengkap", "✓ complete"),
    "score": T("Periksa: {e} dari {a} poin", "Check: {e} of {a} points"),
}


# ------------------------------------------------------------------------------ environment

def is_headless() -> bool:
    """True when widgets must not be created: nbgrader execution, LABLIB_HEADLESS=1, or no kernel."""
    if os.environ.get("NBGRADER_EXECUTION"):
        return True  # displaying widgets while nbgrader executes can hang (nbclient#312)
    if os.environ.get("LABLIB_HEADLESS", "") == "1":
        return True
    return kernel() is None


def _execution_count() -> int | None:
    return getattr(ipython(), "execution_count", None)


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

    def _shown(self) -> Self:
        """Displayed at once in a kernel (the cell need not end with it); returns itself."""
        if kernel() is not None:
            self._ipython_display_()
        return self


# ------------------------------------------------------------------------------ the form

class Form(_ShowsOnce):
    """A live form for one exercise; ``form()`` is the way participants get one.

    Test and notebook API: ``answers`` (this exercise's stored entry), ``widget_for(field,
    row=, column=)``, ``add_row`` / ``remove_row``, ``save()``, ``check()``, ``wait_saved()``,
    ``status_text``, ``results_html``, ``versions()`` / ``restore()``, ``refresh()``,
    ``expand()`` / ``collapse()`` / ``expanded`` / ``state_text`` / ``complete`` (the header line),
    ``controls[table_id].paste(text)``, and ``on_change`` (hooks called after every change).
    """

    def __init__(self, exercise: str | Exercise, folder: str | os.PathLike | None = None):
        W = widgets()
        self.exercise: Exercise = _exercise(exercise)
        self.folder = Path(folder or os.getcwd())
        self.calendar = load_calendar(self.folder)
        self.last_result: ExerciseResult | None = None
        self.last_error: Exception | None = None
        self._session = session_for(self.folder, self.exercise.stage)
        # Called with no arguments after every change of a value (see the module docstring).
        self.on_change: list[Callable[[], None]] = []
        self.complete = False
        self.state_text = str(UI["empty"])
        self.controls: dict[str, Control | TableControl] = {}
        for f in self.exercise.fields:
            if isinstance(f, Table):
                self.controls[f.id] = TableControl(f, self)
            else:
                self.controls[f.id] = control_class(f)(f, self._changed)
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
        self.toggle = W.Button(layout=W.Layout(width="auto", flex="0 0 auto"))
        self.toggle.on_click(lambda _b: self._toggle_clicked())
        self.state = W.HTML()
        self.header = W.HBox([
            self.toggle,
            W.HTML(f'<h3>{_e(str(self.exercise.title_text()))}</h3>', layout=W.Layout(flex="1 1 auto")),
            self.state,
        ], layout=W.Layout(width="100%"))
        self.header.add_class("lablib-header")
        # The exercise's pictures, drawn from the answers as they are typed (debounced; none for
        # an exercise without a picture). The form opens at once; the first drawing follows.
        self.pictures = panel_for(self.exercise.id, self._session, draw_now=False)
        if self.pictures is not None:
            self.on_change.append(self.pictures.poke)
        self.body = W.VBox([
            W.HTML(f'<div style="white-space:pre-wrap;margin:4px 0 6px 0">{_e(self._instructions())}</div>'),
            self.notices_box,
            *(c.box for c in self.controls.values()),
            *([self.pictures.widget] if self.pictures is not None else []),
            W.HBox([self.buttons["periksa"], self.buttons["simpan"], self.status],
                   layout=W.Layout(align_items="center", margin="10px 0 4px 0", flex_flow="row wrap")),
            self.results,
            self.history,
        ], layout=W.Layout(width="100%"))
        self.widget = W.VBox([stylesheet(), self.header, self.body],
                             layout=W.Layout(max_width=FORM_MAX_WIDTH, width="100%"))
        self.widget.add_class("lablib-form")
        self.expanded = True
        others = [f for f in self._session.forms if f is not self]
        self._session.forms.add(self)
        self.refresh()
        self._start_open(others)

    # -- reading the shared answers into widgets ---------------------------------------------
    def _instructions(self) -> str:
        ex = self.exercise
        points = UI["points"].format(a=_points(ex.auto_points), r=_points(ex.rubric_points))
        return f"{Text(ex.instructions, ex.instructions_en)}\n{points}"

    def refresh(self) -> None:
        """Show the shared answers again (after an import, a restore, or another form's change)."""
        entry = self._session.entry(self.exercise.id)
        for fid, control in self.controls.items():
            control.show(entry.get(fid))
        answers = self._answers()
        self._update_choices(answers)
        self._show_derived(answers)
        self.notices_box.value = notices_html(self._session.notices)
        self.show_status()
        self._refresh_versions()
        self._call_hooks()

    # -- writing widget changes into the shared answers ---------------------------------------
    @guard
    def _changed(self, control: Control | TableControl) -> None:
        self._session.set_value(self.exercise.id, control.field.id, control.value())
        answers = self._answers()
        if isinstance(control, TableControl):
            # A cell edit refreshes the choices fed by this table; a new or removed row may
            # also hold choices fed by another table, so refresh them all then.
            self._update_choices(answers, control if control.last_edit else None)
        self._show_derived(answers)
        self._call_hooks()

    def answers_changed(self, exercise_id: str) -> None:
        """Another form of the stage changed ``exercise_id``'s answers (the session says so):
        refill the choices that read its tables, and recompute the computed fields, which may
        read any exercise of the stage."""
        if exercise_id == self.exercise.id:
            return  # this form's own change: ``_changed`` did it already
        try:
            answers = self._answers()
            self._update_choices(answers, other_exercise=exercise_id)
            self._show_derived(answers, tables=False)
            self._call_hooks()
        except Exception as exc:  # another form's typing must never break on this one
            log.debug("updating %s after %s changed failed", self.exercise.id, exercise_id, exc_info=True)
            self.last_error = exc

    def _answers(self) -> Answers:
        """The typed view the checks read, of the shared answers as they are now."""
        return Answers(self.exercise, self._session.answers, self.calendar)

    def _show_derived(self, answers: Answers, tables: bool = True) -> None:
        """Computed fields and cells, row notes, and the state in the header line."""
        for fid, control in self.controls.items():
            if isinstance(control, ComputedControl):
                control.show_computed(answers.get(fid))
            elif tables and isinstance(control, TableControl):
                control.show_derived(answers.rows(fid))
        self._show_state(answers)

    def _update_choices(self, answers: Answers, table: TableControl | None = None,
                        other_exercise: str | None = None) -> None:
        """Refill every dynamic Choice (``Answers.options``: its source columns, of this exercise
        or another one of the stage); follow a renamed row. ``table`` or ``other_exercise``
        limits it to the choices that read that table or exercise."""
        for control in self._all_controls():
            if not isinstance(control, ChoiceControl) or not getattr(control.field, "options_from", ""):
                continue
            sources = control.field.sources()
            own = [(t, c) for ex, t, c in sources if ex in (None, self.exercise.id)]
            if table is not None and not any(t == table.field.id for t, _c in own):
                continue
            if other_exercise is not None and not any(ex == other_exercise for ex, _t, _c in sources):
                continue
            try:
                options = answers.options(control.field)
            except Exception:  # e.g. a source exercise unknown to this kernel: keep the options shown
                log.debug("options of %s failed", control.field.id, exc_info=True)
                continue
            control.set_options(options)
            edit = table.last_edit if table is not None else None
            if edit and (table.field.id, edit[0]) in own and self._renamed(control, edit, options):
                control.widget.value = edit[2].strip()  # reported as a change, so it is saved

    @staticmethod
    def _renamed(control: ChoiceControl, edit: tuple[str, Any, Any], options: list[str]) -> bool:
        _col, old, new = edit
        if not (isinstance(old, str) and isinstance(new, str) and old.strip() and new.strip()):
            return False
        current = control.widget.value
        return current is not None and current.strip() == old.strip() and old.strip() not in options

    def _call_hooks(self) -> None:
        for hook in list(self.on_change):
            try:
                hook()
            except Exception as exc:  # a picture that fails must not stop the form or the saving
                log.debug("on_change hook %r failed", hook, exc_info=True)
                self.last_error = exc

    # -- the header line: state, open and close -----------------------------------------------
    def _show_state(self, answers: Answers) -> None:
        typed = [f for f in self.exercise.fields if not isinstance(f, Computed)]
        filled = [f for f in typed if answers.filled(f.id)]
        self.complete = bool(filled) and not answers.type_errors and all(
            answers.filled(f.id) for f in typed if f.required) and all(
            len(answers.rows(f.id)) >= f.min_rows and _rows_complete(f, answers.rows(f.id))
            for f in typed if isinstance(f, Table))
        state = UI["complete"] if self.complete else UI["partial"] if filled else UI["empty"]
        self.state_text = str(state)
        if self.last_result is not None:
            self.state_text += " · " + str(UI["score"].format(e=_points(self.last_result.earned),
                                                              a=_points(self.last_result.available)))
        css = "lablib-state lablib-state-done" if self.complete else "lablib-state"
        self.state.value = f'<span class="{css}">{_e(self.state_text)}</span>'
        self._show_toggle()

    def _show_toggle(self) -> None:
        code, title = self.exercise.code, str(self.exercise.title_text())
        key = "close" if self.expanded else "open"
        # ipywidgets gives a button no aria-expanded (and its Accordion header is not reachable by
        # keyboard), so the button's own words say what it does and the tooltip the state.
        self.toggle.description = str(UI[key].format(code=code))
        self.toggle.icon = "chevron-down" if self.expanded else "chevron-right"
        self.toggle.tooltip = str(UI[f"{key}_tip"].format(title=title, state=self.state_text))

    def _start_open(self, others: list) -> None:
        """Open when this exercise's earlier form was open (the cell ran again), or when it is not
        complete and no other exercise's form is open; else start closed."""
        same = any(getattr(f, "expanded", False) and getattr(f, "exercise", None) is not None
                   and f.exercise.id == self.exercise.id for f in others)
        other = any(getattr(f, "expanded", False) and getattr(f, "exercise", None) is not None
                    and f.exercise.id != self.exercise.id for f in others)
        if same or (not other and not self.complete):
            self.expand()
        else:
            self.collapse()

    @guard
    def _toggle_clicked(self) -> None:
        if self.expanded:
            self.collapse()
        else:
            self.expand()

    def expand(self) -> None:
        """Open this form and close the other forms of the stage."""
        self.expanded = True
        self.body.layout.display = ""
        self._show_toggle()
        self._session.open_only(self)

    def collapse(self) -> None:
        self.expanded = False
        self.body.layout.display = "none"
        self._show_toggle()

    def _all_controls(self) -> Iterator[Control]:
        for control in self.controls.values():
            if isinstance(control, TableControl):
                for row in control.cells:
                    yield from row.values()
            else:
                yield control

    # -- buttons ------------------------------------------------------------------------------
    @guard
    def _check_clicked(self) -> None:
        self.check()

    @guard
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
        self._show_state(self._answers())
        return result

    def wait_saved(self, timeout: float | None = 5.0) -> bool:
        """Block until a pending autosave has run (tests; scripts). True when nothing is pending.

        In a kernel the autosave waits for the kernel's event loop, which cannot run while this
        call blocks it, so there the pending changes are saved at once instead.
        """
        if kernel() is not None:
            if self._session.dirty:
                self._session.flush()
            return not self._session.dirty
        return self._session.wait(timeout)

    # -- status -------------------------------------------------------------------------------
    def show_status(self) -> None:
        """Show whether the stage's answers are saved (the session calls this on every change);
        a failed save is shown as an alert beside the buttons, never as a traceback."""
        if self._session.error is not None:
            self.status.value = (f'<span role="alert" style="margin-left:10px;color:#b71c1c;font-weight:bold">'
                                 f"{_e(self.status_text)}</span>")
        else:
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
        self.results.value = messages_html([message])

    # -- history ------------------------------------------------------------------------------
    def _history_widget(self, W: Any) -> Any:
        self.version_list = W.Dropdown(options=[], layout=W.Layout(width="22em"))
        accessible_name(self.version_list, str(UI["history"]))
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
        self.version_list.options = [(v.label, v.path.name) for v in versions]
        self.buttons["pulihkan"].disabled = not versions
        if not versions:
            self.history_message.value = f'<small>{_e(str(UI["no_versions"]))}</small>'

    @guard
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
            self.history_message.value = messages_html([exc.message])
            return
        except OSError as exc:  # disk full, read-only: nothing changed, and the form says why
            self.history_message.value = messages_html([save_failed(exc)])
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
        if isinstance(control, TableControl):
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

    def _table(self, table_id: str) -> TableControl:
        control = self.controls[table_id]
        if not isinstance(control, TableControl):
            raise TypeError(f"field {table_id!r} is not a table")
        return control

    def __repr__(self) -> str:
        return f"<lablib Form {self.exercise.id} in {self.folder}>"


def _rows_complete(table: Table, rows: list[dict]) -> bool:
    """Every required typed cell of every (non-blank) row is filled: "✓ lengkap" must not be
    shown over a row whose 'Jabatan' is still empty."""
    needed = [c for c in table.columns if c.required and not isinstance(c, Computed)]
    return all(not c.is_empty(row.get(c.id)) for row in rows for c in needed)


def _exercise(exercise: str | Exercise) -> Exercise:
    """An id is looked up; a definition object is used as is (previews, tests)."""
    return exercise if isinstance(exercise, Exercise) else get_exercise(exercise)


def _points(n: float) -> str:
    return f"{n:g}".replace(".", ",")


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
        if ipython() is None:
            return summary
        from IPython.display import HTML, display

        display(HTML(summary.html))
        return None
    return Form(exercise_id, folder)._shown()


class ImportButton(_ShowsOnce):
    """The "Ambil jawaban tahap sebelumnya" button and the report of its last import."""

    def __init__(self, stage: str, folder: str | os.PathLike | None = None):
        W = widgets()
        self.stage, self.folder = stage, Path(folder or os.getcwd())
        self.report = None
        self.last_error: Exception | None = None
        self.button = W.Button(description=str(UI["import"]), icon="download", layout=W.Layout(width="auto"))
        self.output = W.HTML()
        self.button.on_click(lambda _b: self._clicked())
        self.widget = W.VBox([self.button, self.output])

    @guard
    def import_if_nothing_carried(self) -> Any:
        """Import at once when this stage's file holds none of the earlier answers yet: a later
        stage opens already starting from the participant's own earlier work (the chosen problem,
        the DS2 indicators), without a button to find first. Never again once something was
        carried: pressing the button refreshes the copies when the participant wants that."""
        from lablib.core.answers import AnswersFileError, AnswerStore
        from lablib.notebook.carry import CARRY

        try:
            answers = AnswerStore(self.folder, self.stage).load().answers
        except (AnswersFileError, OSError):
            return None
        if any(k in answers for k in CARRY.get(self.stage, ())):
            return None
        return self.click()

    @guard
    def _clicked(self) -> None:
        self.click()

    def click(self) -> Any:
        from lablib.notebook.carry import import_previous

        self.report = import_previous(self.folder, self.stage)
        self.output.value = self.report._repr_html_()
        return self.report

    def _say(self, message: Text) -> None:
        self.output.value = messages_html([message])


def import_button(stage: str, folder: str | os.PathLike | None = None, *,
                  headless: bool | None = None) -> ImportButton | None:
    """A button that copies earlier stages' answers into this stage (``lablib.notebook.carry``).

    Headless it only prints a note: importing changes files, which grading must never do.
    """
    from lablib.core.stages import get_stage

    get_stage(stage)
    if headless is None:
        headless = is_headless()
    if headless:
        print(UI["import_headless"])
        return None
    button = ImportButton(stage, folder)
    button.import_if_nothing_carried()
    return button._shown()


# flush_all and reset_sessions live in lablib.notebook.sessions; kept here for notebooks and tests.
__all__ = [
    "Form",
    "ImportButton",
    "flush_all",
    "form",
    "import_button",
    "is_headless",
    "reset_sessions",
]
