"""Live pictures in an assignment: the picture of an exercise, drawn from the participant's own
answers and redrawn as they type.

A ``PicturePanel`` shows the picture(s) of one exercise (``kinds_for``: the kinds of
``lablib.notebook.pictures`` whose ``exercise_for`` is that exercise, so the mapping is defined
once there) as PNG images with an Indonesian caption and alt text. ``poke()`` asks for a redraw
``DELAY_SECONDS`` after the last change (the sessions' ``_Debouncer``: on the kernel's IOLoop in
a notebook, a timer elsewhere); the redraw reads the answers the panel was given a reader for,
in memory, not the file. A picture whose inputs (the entries of the exercises it reads,
``pictures.reads_exercises``) did not change since the last drawing is not drawn again.

Nothing here raises into the kernel: a drawing error keeps the last good picture and shows
"Gambar belum dapat dibuat: …"; answers too few to draw show "Isi … untuk melihat gambar."
Every figure is closed once it is a PNG.

How a form wires it (``lablib.notebook.forms.Form.__init__``; ``self._session`` is the stage's
shared ``Session``)::

    self.pictures = panel_for(self.exercise.id, self._session, draw_now=False)  # None: no picture
    if self.pictures is not None:
        self.on_change.append(self.pictures.poke)   # redraw shortly after each change
    # in self.body, after the fields and before the buttons:
    #     *(c.box for c in self.controls.values()),
    #     *([self.pictures.widget] if self.pictures is not None else []),

and ``Form.refresh`` (an import, a restore, another form of the stage changed) pokes it too:
a picture whose inputs did not change is not drawn again, so poking is cheap.

The teaching notebooks' practice widgets (``lablib.notebook.practice``) use the same panel,
with the practice entries as the reader.
"""

from __future__ import annotations

import atexit
import base64
import copy
import hashlib
import html
import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from lablib.core.i18n import T, Text
from lablib.notebook.drawing import NO_DATA_GID
from lablib.notebook.pictures import ABOUT, KINDS, exercise_for, picture, png, reads_exercises
from lablib.notebook.sessions import _Debouncer

log = logging.getLogger(__name__)

#: Seconds after the last change before the pictures are drawn again: drawing takes a few
#: tenths of a second, so drawing on every keystroke would make typing lag.
DELAY_SECONDS = 0.8

FAILED = T("Gambar belum dapat dibuat: {why}. Gambar terakhir tetap ditampilkan.",
           "The picture cannot be drawn yet: {why}. The last picture is still shown.")
_WHY_VALUE = T("ada angka, tanggal, atau isian yang belum dapat dibaca; periksa yang baru Anda ketik",
               "a number, date or entry cannot be read yet; check what you just typed")
_WHY_OTHER = T("terjadi kesalahan tak terduga; lanjutkan mengisi, jawaban Anda tetap tersimpan",
               "an unexpected error happened; carry on, your answers are still saved")
FILL_IN = T("Isi {what} untuk melihat gambar.", "Fill in {what} to see the picture.")
LIVE = T("Digambar dari jawaban Anda; diperbarui sesaat setelah Anda berhenti mengetik.",
         "Drawn from your answers; updated a moment after you stop typing.")
_WAITING = T("Gambar sedang dibuat…", "Drawing the picture…")


def kinds_for(exercise_id: str) -> tuple[str, ...]:
    """The picture kinds of an exercise, in ``pictures.KINDS`` order (none for most exercises).

    >>> kinds_for("design.ds3")
    ('gantt', 'budget')
    """
    return tuple(k for k in KINDS if exercise_for(k) == exercise_id)


def inputs_key(kind: str, answers: Mapping[str, Any]) -> str:
    """A digest of what a picture of this kind reads from a stage's answers: equal keys draw
    equal pictures, so an unchanged key needs no redraw."""
    inputs = {exercise_id: answers.get(exercise_id) for exercise_id in reads_exercises(kind)}
    text = json.dumps(inputs, sort_keys=True, default=repr, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def what_to_fill(kind: str) -> str:
    """What to fill in before a picture can be drawn: the first field of its own exercise that
    it reads (e.g. "Daftar masalah" for USG), or the exercise's title."""
    from lablib.curriculum import get_exercise
    from lablib.curriculum.references import field_ref
    from lablib.notebook.pictures import READS

    exercise = get_exercise(exercise_for(kind))
    for ref in READS[kind]:
        if ref.count(".") >= 2 and ref.startswith(exercise.id + "."):
            return field_ref(ref).field.label
    return exercise.title


def failed(exc: BaseException) -> Text:
    """What the participant reads when a picture cannot be drawn: the reason in words, never
    the exception."""
    why = _WHY_VALUE if isinstance(exc, (ValueError, TypeError, KeyError, IndexError)) else _WHY_OTHER
    return Text(FAILED.id.format(why=why.id), (FAILED.en or "").format(why=why.en or why.id))


class PicturePanel:
    """The live picture(s) of one exercise: ``widget`` to show, ``poke`` after each change.

    ``answers`` returns the stage's current answers mapping (``{exercise_id: {field: value}}``);
    it is called on each redraw, never at construction. ``draw_now`` draws once at once, so the
    panel opens with its picture.
    """

    def __init__(self, kinds: Sequence[str], answers: Callable[[], Mapping[str, Any]], *,
                 delay: float = DELAY_SECONDS, caption: Text | str = LIVE, draw_now: bool = True):
        import ipywidgets as w

        for kind in kinds:
            exercise_for(kind)  # an unknown kind is a ValueError naming the known ones
        self.kinds = tuple(kinds)
        self._answers = answers
        self._caption = caption
        self._keys: dict[str, str] = {}  # kind -> inputs_key of what is shown now
        self._debounce = _Debouncer(self.redraw, delay)
        self.figures = {kind: w.HTML(self._placeholder(str(_WAITING))) for kind in self.kinds}
        self.note = w.HTML("")
        self.widget = w.VBox([self.note, *self.figures.values()],
                             layout=w.Layout(width="100%", max_width="920px", margin="8px 0"))
        self.widget.add_class("lablib-pictures")
        if draw_now:
            self.redraw()

    # -------------------------------------------------------------- scheduling

    def poke(self) -> None:
        """Redraw ``delay`` seconds after the last poke (one redraw for a burst of changes)."""
        try:
            self._debounce.poke()
        except Exception:  # noqa: BLE001 - a picture must never stop a form from taking input
            log.debug("scheduling a picture redraw failed", exc_info=True)

    @property
    def pending(self) -> bool:
        """A redraw is scheduled and has not run yet."""
        return self._debounce.pending

    def wait(self, timeout: float | None = 5.0) -> bool:
        """Wait for a scheduled redraw (tests and scripts); True once none is pending."""
        return self._debounce.wait(timeout)

    # -------------------------------------------------------------- drawing

    def redraw(self) -> None:
        """Draw every picture whose inputs changed; never raises."""
        try:
            answers = self._answers()
            answers = answers if isinstance(answers, Mapping) else {}
        except Exception as exc:  # noqa: BLE001 - reading the answers must not raise into the kernel
            log.debug("reading the answers for a picture failed", exc_info=True)
            self._fail(exc)
            return
        problems = []
        for kind in self.kinds:
            try:
                key = inputs_key(kind, answers)
            except Exception as exc:  # noqa: BLE001 - e.g. a value json cannot even repr
                problems.append(exc)
                continue
            if self._keys.get(kind) == key:
                continue  # the same inputs draw the same picture
            self._keys[kind] = key
            try:
                self._draw(kind, answers)
            except Exception as exc:  # noqa: BLE001 - keep the last good picture, say why in words
                log.debug("drawing the %s picture failed", kind, exc_info=True)
                problems.append(exc)
        if problems:
            self._fail(problems[0])
        else:
            self.note.value = ""

    def _draw(self, kind: str, answers: Mapping[str, Any]) -> None:
        with _DRAWING:  # one drawing at a time, and none while Python shuts down (see _stop_drawing)
            if _closing.is_set():
                return
            self._draw_locked(kind, answers)

    def _draw_locked(self, kind: str, answers: Mapping[str, Any]) -> None:
        figure = picture(kind, answers)
        try:
            if figure.get_gid() == NO_DATA_GID:  # too few answers: say what to fill in
                self.figures[kind].value = self._placeholder(str(FILL_IN.format(what=what_to_fill(kind))))
                return
            data = png(figure)
        finally:
            figure.clear()  # break the artist graph at once; the figure is never pyplot's
        self.figures[kind].value = self._figure_html(kind, data)

    def _fail(self, exc: BaseException) -> None:
        self.note.value = ('<p role="status" style="color:#b71c1c;margin:4px 0">'
                           f"{html.escape(str(failed(exc)))}</p>")

    def _figure_html(self, kind: str, data: bytes) -> str:
        caption, alt = ABOUT[kind]
        src = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
        return ('<figure style="margin:6px 0">'
                f'<img src="{src}" alt="{html.escape(str(alt))}" style="max-width:100%;height:auto">'
                '<figcaption style="font-size:90%;color:#555">'
                f"<b>{html.escape(str(caption))}</b> · {html.escape(str(self._caption))}</figcaption></figure>")

    @staticmethod
    def _placeholder(text: str) -> str:
        return ('<p style="color:#666;font-style:italic;border:1px dashed #bbb;padding:10px;margin:6px 0">'
                f"{html.escape(text)}</p>")


# Outside a kernel (scripts, tests) redraws run on timer threads. Matplotlib's font and Agg code
# is not thread-safe, so drawings take turns; and a daemon thread killed inside that C++ code as
# the interpreter exits aborts the whole process ("terminate called without an active
# exception"), so at exit no new drawing starts and the one under way is waited for.
_DRAWING = threading.Lock()
_closing = threading.Event()


def _stop_drawing() -> None:
    _closing.set()
    if _DRAWING.acquire(timeout=10):
        _DRAWING.release()


atexit.register(_stop_drawing)


def session_answers(session: Any) -> Callable[[], Mapping[str, Any]]:
    """A reader of a session's current in-memory answers, copied under its lock so a save or a
    merge running at the same time cannot change them mid-drawing."""
    def read() -> Mapping[str, Any]:
        with session.lock:
            return copy.deepcopy(session.answers)

    return read


def panel_for(exercise_id: str, session: Any, *, draw_now: bool = True) -> PicturePanel | None:
    """The live picture panel of an exercise, drawn from ``session``'s answers (a
    ``lablib.notebook.sessions.Session``: its ``answers`` and ``lock``); ``None`` when the
    exercise has no picture. With ``draw_now=False`` the panel says "Gambar sedang dibuat…"
    until its first ``poke`` has run, so a form opens without waiting for matplotlib."""
    kinds = kinds_for(exercise_id)
    if not kinds:
        return None
    return PicturePanel(kinds, session_answers(session), draw_now=draw_now)


__all__ = [
    "DELAY_SECONDS",
    "FAILED",
    "FILL_IN",
    "PicturePanel",
    "failed",
    "inputs_key",
    "kinds_for",
    "panel_for",
    "session_answers",
    "what_to_fill",
]
