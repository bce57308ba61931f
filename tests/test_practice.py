"""Practice and display in the notebooks: ``show`` displays a PNG with an escaped caption, and
every practice widget redraws its picture from whatever the participant types (a static
picture with a note when headless)."""

from __future__ import annotations

import copy
import subprocess
import sys

import pytest
from matplotlib.figure import Figure

from lablib.curriculum.samples import model_answers
from lablib.notebook import practice as PR
from lablib.notebook.pictures import KINDS, exercise_for, picture


def stage_of(kind: str) -> str:
    return exercise_for(kind).split(".", 1)[0]


pytestmark = pytest.mark.usefixtures("warnings_are_errors")


def render(fig: Figure) -> None:
    """Draw the figure for real: missing glyphs and layout problems only warn at draw time."""
    assert isinstance(fig, Figure)
    fig.canvas.draw()


def test_show_displays_a_png_and_an_escaped_caption(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    PR.show("usg", model_answers("diagnose"), caption="Data fiktif <untuk> latihan")
    image, caption = shown
    assert image.data.startswith(b"\x89PNG")
    assert "Data fiktif &lt;untuk&gt; latihan" in caption.data


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_practice_headless_shows_a_static_picture(kind, monkeypatch):
    monkeypatch.setenv("LABLIB_HEADLESS", "1")
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    PR.practice(kind)
    assert shown[0].data.startswith(b"\x89PNG")
    assert "Mode tanpa widget" in shown[1].data


def test_practice_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="unknown picture kind 'pie'"):
        PR.practice("pie")


@pytest.mark.parametrize("kind", sorted(PR._PRACTICE))
def test_practice_widgets_redraw_from_what_the_participant_types(kind):
    import ipywidgets as w

    for start in (model_answers(stage_of(kind)), {}):
        box, watched, read = PR._PRACTICE[kind](copy.deepcopy(start), w)
        assert watched
        if start:
            render(picture(kind, read()))
        for control in watched:  # type something odd everywhere
            if isinstance(control, (w.Text, w.Textarea)):
                control.value = "7,5 x 👍 $"
        render(picture(kind, read()))
        box.close()


def test_importing_practice_imports_neither_matplotlib_nor_widgets():
    code = ("import sys, lablib.notebook.practice; "
            "print(sorted({'matplotlib', 'ipywidgets', 'IPython'} & {m.split('.')[0] for m in sys.modules}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "[]" == out.stdout.strip()


def test_practice_widget_redraws_through_the_live_picture_panel_once_per_burst(monkeypatch):
    """The practice widget is the assignments' PicturePanel fed by the practice entries: a burst
    of changes redraws once, on the kernel's loop, from what was typed last."""
    import ipywidgets as w

    from lablib.notebook import live_pictures as L
    from lablib.notebook import sessions as S

    later = []
    loop = type("Loop", (), {"add_callback": staticmethod(lambda fn, *a: fn(*a)),
                             "call_later": staticmethod(lambda delay, fn, *a: later.append((fn, a)))})()
    monkeypatch.setattr(S, "kernel", lambda: type("Kernel", (), {"io_loop": loop})())
    monkeypatch.setattr("lablib.notebook.forms.is_headless", lambda: False)
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    drawn = []
    monkeypatch.setattr(L, "picture", lambda kind, answers=None: drawn.append(answers) or picture(kind, answers))

    PR.practice("usg")
    (box,) = shown
    panel_box = box.children[-1]
    assert "lablib-pictures" in panel_box._dom_classes and "<img" in panel_box.children[1].value
    assert 1 == len(drawn)  # the worked example, drawn once when the widget opens
    name = next(c for c in box.children[1].children[0].children if isinstance(c, w.Text))
    for n in range(5):
        name.value = f"Antrean {n}"
    assert 1 == len(drawn) and 5 == len(later)
    for fn, args in later:
        fn(*args)
    assert 2 == len(drawn)
    assert "Antrean 4" == drawn[-1]["diagnose.dg1"]["masalah"][0]["nama"]
    box.close()
