"""Beranda: the participant's home page, the five stages and what to do with each.

``home()`` is the one cell of ``Beranda.ipynb``; Voilà renders it as a page of widgets. Each
stage is a row: its order, name, state and due date (HTML from ``templates/stage_row.html.j2``,
every value escaped), then the buttons its state allows: **Ambil** (fetch), **Buka** (a link to
the stage rendered by Voilà), **Kumpulkan** (submit, after a confirmation) and **Lihat umpan
balik** (fetch the feedback, then a link to its page). Everything goes through
``lablib.app.exchange``, so the trainer's side of nbgrader is unchanged.

The DOM is meant to be found by people and by tests alike: each row carries the classes
``lablib-row`` and ``lablib-stage-<slug>``, its text block ``data-stage`` and ``data-state``,
and the buttons keep these exact names.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lablib.app.exchange import (
    ExchangeProblem,
    StageState,
    fetch,
    fetch_feedback,
    stage_states,
    submit,
)
from lablib.core import formatting
from lablib.notebook.autograde import in_app

__all__ = ["BUTTONS", "Home", "home", "stage_url"]

log = logging.getLogger("lablib.app")

BUTTONS = {"fetch": "Ambil", "open": "Buka", "submit": "Kumpulkan", "feedback": "Lihat umpan balik",
           "refresh": "Segarkan", "confirm": "Ya, kumpulkan", "cancel": "Batal"}


def _env():
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("lablib.app", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined)


def _base() -> str:
    """How links from Beranda reach the server's root.

    In Voilà, Beranda is ``<base>/voila/render/Beranda.ipynb``: a relative ``../../`` reaches
    ``<base>`` under any prefix (JupyterHub's ``/user/<name>/`` too). Elsewhere (Beranda opened
    in JupyterLab) the server's base URL: the hub's prefix, or ``/``."""
    if in_app():
        return "../../"
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
    return prefix if prefix.endswith("/") else prefix + "/"


def stage_url(path: str, base: str | None = None) -> str:
    """The Voilà page of a fetched notebook (``path`` relative to the participant's folder).

    >>> stage_url("uji/drum-up/drum-up.ipynb", base="../../")
    '../../voila/render/uji/drum-up/drum-up.ipynb'
    """
    return f"{_base() if base is None else base}voila/render/{quote(path)}"


def feedback_url(path: str, base: str | None = None) -> str:
    """The feedback page, served as a file by Jupyter (``/files/``).

    >>> feedback_url("drum-up/feedback/2026-08-14 02:30:00.1 UTC/drum-up.html", base="/")
    '/files/drum-up/feedback/2026-08-14%2002%3A30%3A00.1%20UTC/drum-up.html'
    """
    return f"{_base() if base is None else base}files/{quote(path)}"


class Home:
    """The Beranda widgets for the participant's folder."""

    def __init__(self, folder: str | os.PathLike | None = None):
        import ipywidgets as W

        self.W = W
        self.folder = Path(folder or os.getcwd())
        self.template = _env().get_template("stage_row.html.j2")
        self.head = W.HTML(_env().get_template("home_head.html.j2").render())
        self.message = W.HTML()
        self.message.add_class("lablib-status")
        self.rows = W.VBox()
        self.refresh_button = W.Button(description=BUTTONS["refresh"], tooltip="Muat ulang daftar tahap")
        self.refresh_button.on_click(lambda _b: self._act(None, self.refresh))
        self.box = W.VBox([self.head, self.message, self.rows, self.refresh_button])
        self.box.add_class("lablib-home")
        self.states: tuple[StageState, ...] = ()
        self.confirming = ""  # the stage whose submission waits for "Ya, kumpulkan"
        self.refresh()

    # -- what is shown --------------------------------------------------------------------
    def say(self, text: str, kind: str = "ok") -> None:
        import html

        self.message.value = (f'<div class="lablib-message lablib-message-{kind}" role="status">'
                              f"{html.escape(text)}</div>" if text else "")

    def refresh(self) -> None:
        try:
            self.states = stage_states(self.folder)
        except ExchangeProblem as exc:
            self.states = ()
            self.rows.children = ()
            self.say(exc.message, "error")
            return
        self.rows.children = tuple(self._row(s) for s in self.states)

    def _row(self, s: StageState) -> Any:
        W = self.W
        html = self.template.render(
            s=s, due=formatting.date(s.due),
            submitted_at=formatting.timestamp(s.submitted_at) if s.submitted_at else "",
            open_url=stage_url(s.path) if s.path else "",
            feedback_url=feedback_url(s.feedback_path) if s.feedback_path else "")
        parts: list[Any] = [W.HTML(html, layout=W.Layout(flex="1 1 auto"))]
        buttons: list[Any] = []
        if s.state == "released":
            buttons.append(self._button("fetch", s, lambda: fetch(s.slug, self.folder),
                                        "Tahap {t} sudah diambil. Tekan Buka untuk mengisinya."))
        if s.path:
            submit_button = self._button("submit", s, None, "")
            submit_button.on_click(lambda _b: self._ask_submit(s))
            buttons.append(submit_button)
        if s.state == "graded" and (s.feedback_waiting or not s.feedback_path):
            buttons.append(self._button("feedback", s, lambda: fetch_feedback(s.slug, self.folder),
                                        "Umpan balik tahap {t} sudah diambil. Tekan 'Halaman umpan balik'."))
        parts.append(W.HBox(buttons))
        children: list[Any] = [W.HBox(parts, layout=W.Layout(width="100%", align_items="center"))]
        if self.confirming == s.slug:
            children.append(self._confirmation(s))
        row = W.VBox(children)
        row.add_class("lablib-row")
        row.add_class(f"lablib-stage-{s.slug}")
        return row

    def _button(self, kind: str, s: StageState, action, done: str) -> Any:
        button = self.W.Button(description=BUTTONS[kind], tooltip=f"{BUTTONS[kind]}: {s.stage.title}")
        button.add_class(f"lablib-{kind}")
        if action is not None:
            button.on_click(lambda _b: self._act(action, None, done.format(t=s.stage.title)))
        return button

    def _ask_submit(self, s: StageState) -> None:
        self.confirming = s.slug
        self.say("")
        self.rows.children = tuple(self._row(x) for x in self.states)

    def _confirmation(self, s: StageState) -> Any:
        import html

        W = self.W
        note = W.HTML(f"<div class='lablib-confirm' data-stage='{html.escape(s.slug)}'>Kumpulkan tahap "
                      f"<strong>{html.escape(s.stage.title)}</strong> sekarang? Jawaban yang tersimpan saat ini "
                      "dikirim ke fasilitator. Sebelum batas waktu Anda masih dapat memperbaiki dan "
                      "mengumpulkan lagi; yang dinilai adalah kiriman terakhir.</div>")
        yes = W.Button(description=BUTTONS["confirm"], button_style="primary")
        no = W.Button(description=BUTTONS["cancel"])
        yes.on_click(lambda _b: self._submit(s))
        no.on_click(lambda _b: self._cancel())
        return W.VBox([note, W.HBox([yes, no])])

    def _cancel(self) -> None:
        self.confirming = ""
        self.rows.children = tuple(self._row(x) for x in self.states)

    def _submit(self, s: StageState) -> None:
        self.confirming = ""

        def done() -> StageState:
            return submit(s.slug, self.folder)

        self._act(done, None, "")

    # -- doing ----------------------------------------------------------------------------
    def _act(self, action, then, done: str = "") -> None:
        """Run one action with every button disabled; show its outcome, never a traceback."""
        self._enable(False)
        self.say("Sedang diproses…")
        try:
            result = action() if action is not None else None
        except ExchangeProblem as exc:
            self.refresh()
            self.say(exc.message, "error")
            return
        except Exception:  # noqa: BLE001 (a participant never sees a traceback)
            log.exception("Beranda action failed")
            self.refresh()
            self.say("Terjadi kesalahan yang tidak terduga. Tekan Segarkan; bila tetap gagal, hubungi "
                     "fasilitator bimtek.", "error")
            return
        finally:
            self._enable(True)
        (then or self.refresh)()
        if isinstance(result, StageState) and result.state in ("submitted", "graded") and not done:
            done = (f"Tahap {result.stage.title} sudah dikumpulkan "
                    f"{formatting.timestamp(result.submitted_at)}.")
        self.say(done)

    def _enable(self, on: bool) -> None:
        def walk(widget: Any) -> None:
            if isinstance(widget, self.W.Button):
                widget.disabled = not on
            for child in getattr(widget, "children", ()):
                walk(child)

        walk(self.box)


def home(folder: str | os.PathLike | None = None) -> Any:
    """Show Beranda (in a notebook or Voilà) for the participant's folder, default: here."""
    page = Home(folder)
    from IPython.display import display

    display(page.box)
    return None
