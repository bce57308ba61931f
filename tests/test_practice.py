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
