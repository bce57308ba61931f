"""What every picture draws with: colours, participant text made drawable, short Indonesian
dates for axes, an empty Agg figure, and answers read leniently. Numbers and rupiah shown in a
picture are written by ``lablib.core.formatting``, as everywhere else.

Shared by ``lablib.notebook.pictures`` (the figures) and ``lablib.notebook.practice`` (the notebook widgets).
Matplotlib is imported only inside the functions that need it, so importing this module
stays light. The readers never raise: a picture of partial or broken answers must still draw.
"""

from __future__ import annotations

import datetime as _dt
import re
import textwrap
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from lablib.core.i18n import T, Text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from lablib.core.checks import Answers

NAME_CHARS = 38  # a label longer than this is cut with "…"

# colours: calm blue-grey for the ordinary, one warm accent for "the chosen one"
BASE = "#7a9cc6"
ACCENT = "#e07b00"
INK = "#1a1a1a"
MUTED = "#8a8a8a"
GOOD = "#2e7d32"

MONTHS_ID = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")

#: Default "no data" message of each picture (also shown when an exercise is missing).
NO_DATA = T("Belum ada data. Isi formulir latihan ini, lalu gambar akan muncul di sini.",
            "No data yet. Fill in this exercise's form and the picture appears here.")

#: The gid of a figure that only says "no data yet": the live pictures show a placeholder instead.
NO_DATA_GID = "no-data"

# ------------------------------------------------------------------ participant text


@lru_cache(maxsize=4)
def _charmap(path: str) -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(path).get_charmap())


def _font_chars() -> frozenset[int]:
    from matplotlib import font_manager, rcParams

    path = font_manager.findfont(font_manager.FontProperties(family=rcParams["font.family"]))
    return _charmap(path)


def clean(text: Any, limit: int | None = NAME_CHARS) -> str:
    """Participant text made safe for a matplotlib label.

    Whitespace runs become one space, characters the font cannot draw (emoji, control
    characters) are dropped, ``$`` is escaped so it never starts mathtext, and text longer
    than ``limit`` characters is cut with "…".

    >>> clean("Antrean   KTP-el\\npanjang 👍")
    'Antrean KTP-el panjang'
    >>> clean("x" * 50, limit=10)
    'xxxxxxxxx…'
    """
    s = unicodedata.normalize("NFC", "" if text is None else str(text))
    chars = _font_chars()
    s = "".join(c if ord(c) in chars and unicodedata.category(c)[0] != "C" else
                (" " if c in "\n\r\t" else "") for c in s)
    s = re.sub(r"\s+", " ", s).strip()
    if limit is not None and len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    return s.replace("$", r"\$")


def wrapped(text: Any, width: int, lines: int = 2) -> str:
    r"""Participant text cleaned and wrapped on at most ``lines`` lines of ``width`` characters.

    >>> wrapped("Sosialisasi jadwal lewat radio, spanduk, dan kepala desa", 22)
    'Sosialisasi jadwal\nlewat radio, spanduk,…'
    """
    return "\n".join(textwrap.wrap(clean(text, None), width, max_lines=lines, placeholder="…"))


def same_text(a: Any, b: Any) -> bool:
    """Two names written the same way, ignoring case and spacing; an empty name matches nothing.

    >>> same_text("Antrean  KTP-el", "antrean ktp-el")
    True
    >>> same_text("", None)
    False
    """
    return _key(a) == _key(b) != ""


def _key(text: Any) -> str:
    return " ".join(str(text or "").lower().split())


# ------------------------------------------------------------------ dates on an axis


def date_label(day: _dt.date) -> str:
    """A short Indonesian date.

    >>> date_label(_dt.date(2025, 8, 17))
    '17 Agu 25'
    """
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year % 100:02d}"


# ------------------------------------------------------------------ figures


def new_figure(width: float, height: float) -> Figure:
    """A figure on its own Agg canvas: pyplot's global state is never touched."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def set_title(ax: Axes, title: Text | str) -> None:
    """The picture's title, bold on the left, as every picture has it."""
    ax.set_title(str(title), loc="left", fontsize=12, fontweight="bold")


def empty_figure(title: Text | str, message: Text | str = NO_DATA, width: float = 7,
                 height: float = 3) -> Figure:
    """A titled figure that says there is nothing to draw yet (its gid is ``NO_DATA_GID``)."""
    fig = new_figure(width, height)
    fig.set_gid(NO_DATA_GID)
    ax = fig.add_subplot()
    set_title(ax, title)
    ax.set_axis_off()
    ax.text(0.5, 0.5, str(message), ha="center", va="center", wrap=True,
            fontsize=11, color=MUTED, transform=ax.transAxes)
    return fig


def radar_axes(fig: Figure, labels: list[str], series: list[tuple[list[float], str, dict]],
               rmax: float, rticks: list[float], rlabels: list[str]) -> Axes:
    """Polar axes with one spoke per label, the first at the top and then clockwise.

    Each series is ``(values, legend label, plot style)``; its line is closed and filled unless
    the style says ``"fill": False``. The radius runs from 0 to ``rmax``.
    """
    import math

    n = len(labels)
    angles = [2 * math.pi * i / n for i in range(n)]
    ax = fig.add_subplot(projection="polar")
    ax.set_theta_offset(math.pi / 2)  # the first axis at the top, then clockwise
    ax.set_theta_direction(-1)
    for values, label, style in series:
        style = dict(style)
        fill = style.pop("fill", True)
        closed = [*values, values[0]]
        ax.plot([*angles, angles[0]], closed, label=label, **style)
        if fill:
            ax.fill([*angles, angles[0]], closed, alpha=0.15, color=style.get("color"))
    ax.set_xticks(angles, labels, fontsize=8.5)
    ax.set_ylim(0, rmax)
    ax.set_yticks(rticks, rlabels, fontsize=7, color=MUTED)
    ax.set_xlim(0, 2 * math.pi)
    ax.set_rlabel_position(180 / n)
    ax.grid(color="#cccccc", linewidth=0.6)
    return ax


# ------------------------------------------------------------------ answers, read leniently


def exercise_view(exercise_id: str, answers: Mapping[str, Any] | None) -> Answers | None:
    """The typed view of one exercise, or ``None`` when the curriculum does not define it."""
    from lablib.core.checks import Answers
    from lablib.curriculum import get_exercise

    try:
        exercise = get_exercise(exercise_id)
    except KeyError:
        return None
    return Answers(exercise, answers if isinstance(answers, Mapping) else {})


def table_rows(view: Answers | None, table_id: str) -> list[dict]:
    """The rows of a table field; none when the view or the table is missing."""
    if view is None:
        return []
    try:
        return view.rows(table_id)
    except KeyError:
        return []


def field_value(view: Answers | None, field_id: str, default: Any = None) -> Any:
    """A field's value, or ``default`` when the view or the field is missing."""
    if view is None:
        return default
    try:
        return view.get(field_id, default)
    except KeyError:
        return default


def number(value: Any) -> float | None:
    """A number as float; anything else (text, ``True``, ``None``) as ``None``.

    >>> number(7), number(True), number("7")
    (7.0, None, None)
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
