"""Live pictures in the assignments: every exercise with a picture gets a panel, a burst of
changes redraws once (on the kernel's IOLoop, after DELAY_SECONDS), unchanged inputs are not
drawn again, a drawing error keeps the last picture and says why in Indonesian, too few answers
say what to fill in, and no figure is left behind."""

from __future__ import annotations

import copy
import re

import pytest

from lablib.curriculum import all_exercises
from lablib.curriculum.samples import model_answers
from lablib.notebook import live_pictures as L
from lablib.notebook import pictures as P
from lablib.notebook import sessions as S

pytestmark = pytest.mark.usefixtures("warnings_are_errors")


class FakeLoop:
    """The kernel's IOLoop as the debouncer uses it: ``add_callback`` runs at once, and
    ``call_later`` is kept so the test decides when time has passed."""

    def __init__(self):
        self.later: list = []

    def add_callback(self, fn, *args):
        fn(*args)

    def call_later(self, delay, fn, *args):
        self.later.append((delay, fn, args))

    def run_all(self):
        pending, self.later = self.later, []
        for _delay, fn, args in pending:
            fn(*args)


@pytest.fixture
def loop(monkeypatch):
    fake = FakeLoop()
    monkeypatch.setattr(S, "kernel", lambda: type("Kernel", (), {"io_loop": fake})())
    return fake


@pytest.fixture
def drawn(monkeypatch):
    """Every (kind, answers) the panels draw, in order; the figures are the real ones."""
    calls: list = []

    def counting(kind, answers=None):
        calls.append((kind, copy.deepcopy(answers)))
        return P.picture(kind, answers)

    monkeypatch.setattr(L, "picture", counting)
    return calls


def images(panel) -> dict[str, str]:
    return {kind: html.value for kind, html in panel.figures.items()}


# ------------------------------------------------------------------ which exercise shows which picture


def test_every_exercise_with_a_picture_gets_a_panel_and_every_kind_belongs_to_one(tmp_path):
    session = S.Session(tmp_path, "diagnose")
    seen: list[str] = []
    for exercise in all_exercises():
        kinds = L.kinds_for(exercise.id)
        seen.extend(kinds)
        panel = L.panel_for(exercise.id, session) if kinds else None
        assert (panel is None) == (not kinds), exercise.id
        if panel is not None:
            assert kinds == panel.kinds
            panel.widget.close()
    assert sorted(P.KINDS) == sorted(seen)  # every kind once: none orphaned, none shown twice
    assert L.panel_for("diagnose.dg3", session) is not None
    assert L.panel_for("drum-up.du1", session) is None
    assert ("gantt", "budget") == L.kinds_for("design.ds3")
    assert set(P.KINDS) == set(P.ABOUT)  # every picture has a caption and an alt text


def test_a_picture_is_shown_as_a_png_with_its_caption_and_escaped_alt_text():
    panel = L.PicturePanel(("usg",), lambda: model_answers("diagnose"))
    shown = panel.figures["usg"].value
    caption, alt = P.ABOUT["usg"]
    assert re.search(r'<img src="data:image/png;base64,iVBORw0KGgo[^"]+" alt="[^"]+"', shown)
    assert f'alt="{alt}"' in shown and str(caption) in shown and str(L.LIVE) in shown
    assert "" == panel.note.value


def test_too_few_answers_show_what_to_fill_in():
    panel = L.PicturePanel(("usg", "fishbone"), lambda: {"diagnose.dg1": {"masalah": []}})
    shown = images(panel)
    assert "Isi Daftar masalah untuk melihat gambar." in shown["usg"]
    assert "Isi Diagram tulang ikan: penyebab untuk melihat gambar." in shown["fishbone"]
    assert not any("<img" in v for v in shown.values())


# ------------------------------------------------------------------ debounced, on the kernel's loop


def test_many_pokes_redraw_once_after_the_delay_from_the_latest_answers(loop, drawn):
    answers = model_answers("diagnose")
    panel = L.PicturePanel(("usg",), lambda: answers, draw_now=False)
    for n in range(25):  # typing: every keystroke changes the answers and pokes
        answers = copy.deepcopy(answers)
        answers["diagnose.dg1"]["masalah"][0]["nama"] = "Antrean" + "x" * n
        panel.poke()
    assert [] == drawn and panel.pending
    assert "Gambar sedang dibuat" in panel.figures["usg"].value  # the form opened without waiting
    assert {L.DELAY_SECONDS} == {delay for delay, _, _ in loop.later}
    loop.run_all()  # the delay passed: only the last poke's call is still current
    assert 1 == len(drawn)
    assert "Antrean" + "x" * 24 == drawn[0][1]["diagnose.dg1"]["masalah"][0]["nama"]
    assert not panel.pending and "<img" in panel.figures["usg"].value


def test_without_a_kernel_a_burst_of_pokes_also_redraws_once(drawn):
    panel = L.PicturePanel(("kesiapan",), lambda: model_answers("drum-up"), delay=0.3, draw_now=False)
    for _ in range(20):
        panel.poke()
    assert panel.wait(10)
    assert ["kesiapan"] == [kind for kind, _ in drawn]


def test_unchanged_inputs_are_not_drawn_again(drawn):
    answers = model_answers("diagnose")
    panel = L.PicturePanel(("fishbone",), lambda: answers)
    assert 1 == len(drawn)
    panel.redraw()
    answers["diagnose.dg3"]["pemangku"][0]["nama"] = "Camat"  # DG3 is not an input of the fishbone
    panel.redraw()
    assert 1 == len(drawn)
    answers["diagnose.dg1"]["masalah_terpilih"] = "Masalah lain"  # the fishbone's head comes from DG1
    panel.redraw()
    assert 2 == len(drawn)
    answers["diagnose.dg2"]["akar_masalah"] = "Akar lain"
    panel.redraw()
    assert 3 == len(drawn)


# ------------------------------------------------------------------ errors never reach the kernel


def test_a_drawing_error_keeps_the_last_picture_and_says_why_in_indonesian(monkeypatch):
    answers = model_answers("diagnose")
    panel = L.PicturePanel(("usg",), lambda: answers)
    good = panel.figures["usg"].value
    assert "<img" in good

    def broken(kind, answers=None):
        raise ValueError("could not convert string to float: 'tujuh'")

    monkeypatch.setattr(L, "picture", broken)
    answers["diagnose.dg1"]["masalah"][0]["u"] = 2
    panel.redraw()  # must not raise
    assert good == panel.figures["usg"].value
    note = panel.note.value
    assert "Gambar belum dapat dibuat: ada angka, tanggal, atau isian yang belum dapat dibaca" in note
    assert "ValueError" not in note and "convert" not in note and "Traceback" not in note

    monkeypatch.setattr(L, "picture", P.picture)
    answers["diagnose.dg1"]["masalah"][0]["u"] = 3
    panel.redraw()
    assert "" == panel.note.value and good != panel.figures["usg"].value


def test_a_failing_answers_reader_is_shown_not_raised():
    def reader():
        raise RuntimeError("session gone")

    panel = L.PicturePanel(("gantt",), reader)
    assert "Gambar belum dapat dibuat: terjadi kesalahan tak terduga" in panel.note.value
    assert "RuntimeError" not in panel.note.value


# ------------------------------------------------------------------ the session's answers, in memory


def test_a_panel_reads_the_sessions_answers_in_memory_not_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(S, "DEBOUNCE_SECONDS", 60)  # nothing reaches the file during the test
    session = S.Session(tmp_path, "diagnose")
    panel = L.panel_for("diagnose.dg1", session)
    assert "Isi Daftar masalah" in panel.figures["usg"].value
    session.set_value("diagnose.dg1", "masalah", model_answers("diagnose")["diagnose.dg1"]["masalah"])
    assert not session.store.path.exists()
    panel.redraw()
    assert "<img" in panel.figures["usg"].value
    session.flush()


# ------------------------------------------------------------------ memory


def test_redraws_leave_no_figure_behind(monkeypatch):
    import matplotlib.pyplot as plt

    figures = []

    def keeping(kind, answers=None):
        figures.append(P.picture(kind, answers))
        return figures[-1]

    monkeypatch.setattr(L, "picture", keeping)
    before = plt.get_fignums()
    answers = model_answers("design")
    panel = L.PicturePanel(("gantt", "budget"), lambda: answers)
    for n in range(5):
        answers["design.ds3"]["kegiatan"][0]["nama"] = f"Kegiatan {n}"
        answers["design.ds3"]["rab"][0]["uraian"] = f"Belanja {n}"
        panel.redraw()
    assert 12 == len(figures)
    assert before == plt.get_fignums()
    assert all(not fig.axes for fig in figures)  # each figure was cleared once it was a PNG


def test_docstring_examples_hold():
    import doctest

    assert 0 == doctest.testmod(L).failed
