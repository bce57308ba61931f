"""Inputs: one control per field kind (``lablib.core.fields``), built as ipywidgets 8.

A control holds its input widget, turns what the participant typed into the JSON-ready value
to store (``value()``), and shows a stored raw value without reporting a change (``show()``).
A stored value that does not fit its field is shown as far as possible, with its message, and
kept until the participant changes it. A ``Computed`` field is shown read-only (grey text):
its value comes from ``lablib.core.checks.Answers``, and nothing is ever stored for it.

``TableControl`` shows a table as a compact grid: one header line of column labels, then one
line of small inputs per row (a long-text column gets a two-line box), a note under a row when
the table defines ``row_note``, and a "Tempel dari Excel" box that takes rows copied from a
spreadsheet (``lablib.notebook.paste``). A 12-week log is 12 lines, not 12 cards.

Every input has an accessible name: the visible label is an HTML widget above it (or the
column header of a grid), so the name comes from ipywidgets' own zero-wide description label
(``accessible_name``). Checkbox groups
(a Box) get no tooltip: a Box view crashes on one (ipywidgets 8.1).

ipywidgets is imported only inside the functions that build widgets, so ``import lablib``
stays light.
"""

from __future__ import annotations

import copy
import datetime as _dt
import html
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, wraps
from typing import Any, Protocol

from lablib.core import formatting
from lablib.core.fields import (
    MAX_TABLE_ROWS,
    SHOWN_VALUE_CHARS,
    AnswerError,
    Choice,
    Computed,
    DateField,
    Field,
    LongText,
    MultiChoice,
    Number,
    Scale,
    ShortText,
    Table,
    brief,
    clean_text,
    word_count,
)
from lablib.core.i18n import T, Text


class Form(Protocol):
    """What a table control needs of its form (``lablib.notebook.forms.Form``): to be told of a
    change. A protocol, so that the controls never import the form that is built from them."""

    def _changed(self, control: Any) -> None: ...

log = logging.getLogger(__name__)
_e = html.escape

# Participant-facing words of the inputs, Indonesian first.
UI = {
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
    "selected": T("dipilih", "selected"),
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
    "paste_open": T("Tempel dari Excel", "Paste from Excel"),
    "paste_tip": T("Tempel baris yang disalin dari Excel atau Google Sheets", "Paste rows copied from Excel or Google Sheets"),
    "paste_rows": T("Tempel baris", "Paste rows"),
    "paste_help": T("Salin sel dari Excel atau Google Sheets (boleh dengan baris judul kolom), tempel di kotak "
                    "ini, lalu tekan Tempel baris. Urutan kolom: {cols}. Baris kosong di tabel diisi dulu, "
                    "sisanya ditambahkan di bawah; baris yang sudah berisi tidak diubah.",
                    "Copy cells in Excel or Google Sheets (a header row is fine), paste them into this box, "
                    "then press Paste rows. Column order: {cols}. Blank rows of the table are filled first, "
                    "the rest are added below; rows with answers are not changed."),
    "paste_hidden": T("Tabel ini menyimpan baris tersembunyi, jadi tempelan hanya mengisi baris kosong.",
                      "This table keeps hidden rows, so a paste only fills blank rows."),
    "row_number": T("{row} {n}", "{row} {n}"),
    "rows_hidden": T("Tabel ini berisi {n} baris; hanya {m} baris pertama yang ditampilkan dan diperiksa. "
                     "Baris lainnya tetap tersimpan di file jawaban; minta fasilitator membantu merapikannya.",
                     "This table has {n} rows; only the first {m} are shown and checked. The other rows "
                     "stay in the answers file; ask your facilitator to help tidy them."),
}

CHOICE_LABEL_CHARS = 120  # a dropdown label beyond this is a pasted paragraph: cut on screen only


# ------------------------------------------------------------------------------ small widget helpers

def widgets() -> Any:
    import ipywidgets

    return ipywidgets


def messages_html(messages: list[Text], colour: str = "#b71c1c") -> str:
    if not messages:
        return ""
    return "".join(f'<div style="color:{colour}">⚠ {_e(str(m))}</div>' for m in messages)


def close_tree(widget: Any) -> None:
    """Close a widget and its children so a removed table row frees its comms in the kernel."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    widget.close()


def accessible_name(widget: Any, name: str) -> None:
    """Make ``name`` the input's accessible name through ipywidgets' own ``<label for=...>``.

    The visible label is an HTML widget above the input, which ipywidgets cannot tie to it, and
    a tooltip is not enough: Chromium names the input from the widget's empty hidden label, so a
    screen reader said only "edit text" (found by tests/test_browser.py). The description label
    is kept zero wide and the gap ipywidgets leaves after it is taken back with a negative left
    margin, so the input stays exactly under its visible label.
    """
    widget.description = name
    widget.style.description_width = "0px"
    # ipywidgets leaves 8px after the label. Shift left by 6px and widen by as much, with no right
    # margin, so the box keeps its width and its right border is not clipped inside table rows.
    widget.layout.margin = "2px 0 2px -6px"
    if widget.layout.width:
        widget.layout.width = f"calc({widget.layout.width} + 6px)"


def guard(method: Callable) -> Callable:
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


def _heading(W: Any, label: str, help_: str, style: str, after: str = "") -> list:
    """The visible label of an input or table (``after`` is HTML), and its help below it."""
    parts = [W.HTML(f'<div style="{style}">{_e(label)}{after}</div>')]
    if help_:
        parts.append(W.HTML(f'<div style="color:#555;font-size:85%">{_e(help_)}</div>'))
    return parts


def _count_text(count: Text, at_least: Text, at_most: Text, n: int, lo: int, hi: int | None) -> str:
    """A count and its limits, e.g. '3 kata (minimal 5, maksimal 50)'; no limit when 0 or None."""
    limits = [str(at_least.format(n=lo))] if lo else []
    if hi is not None:
        limits.append(str(at_most.format(n=hi)))
    return str(count.format(n=n)) + (f" ({', '.join(limits)})" if limits else "")


@cache
def _checkbox_group_class() -> type:
    """A VBox of checkboxes with a Python-side ``value`` list, built on first use."""
    W = widgets()
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

class Control:
    """One input: the widget, what it stores (JSON-ready), and how a stored value is shown."""

    def __init__(self, field_: Field, on_change: Callable[[Control], None], compact: bool = False,
                 grid: bool = False):
        W = widgets()
        self.field = field_
        self.compact = compact or grid  # inside a table row: smaller label, no long help
        self.grid = grid  # a cell of a grid line: no label of its own (the column header is it)
        self._on_change = on_change
        self._quiet = False
        self.message = W.HTML()
        self.widget = self._make(W)
        self.widget.observe(self._changed, "value")
        self.box = self._layout(W)

    # -- building ----------------------------------------------------------------------------
    def _make(self, W: Any) -> Any:
        """The input widget; its ``value`` changes are the participant's (see ``_quietly``)."""
        raise NotImplementedError

    def _extras(self) -> list:
        return []

    def _layout(self, W: Any) -> Any:
        label = str(self.field.label_text())
        if self.grid:
            return self._grid_layout(W, label)
        optional = "" if self.field.required or isinstance(self.field, Computed) else f' <span style="font-weight:normal;color:#555">{_e(str(UI["optional"]))}</span>'
        size = "90%" if self.compact else "100%"
        parts = _heading(W, label, self.field.help, f"font-weight:bold;font-size:{size};margin-top:4px", optional)
        if not isinstance(self.widget, W.Box):  # a Box view crashes on a tooltip (ipywidgets 8.1)
            self.widget.tooltip = label  # shown on hover; the visible label is above
        if isinstance(self.widget, (W.Text, W.Textarea, W.Dropdown, W.DatePicker)):
            accessible_name(self.widget, label)
        return W.VBox([*parts, self.widget, *self._extras(), self.message],
                      layout=W.Layout(width="100%", margin="2px 0"))

    def _grid_layout(self, W: Any, label: str) -> Any:
        """A grid cell: the input alone (its label is the column header), its message below."""
        if not isinstance(self.widget, W.Box):
            self.widget.tooltip = label
        if isinstance(self.widget, (W.Text, W.Textarea, W.Dropdown, W.DatePicker)):
            self.widget.layout.width = "100%"
            accessible_name(self.widget, label)
        box = W.VBox([self.widget, *self._extras(), self.message], layout=W.Layout(min_width="0", margin="0"))
        box.add_class("lablib-cell")
        return box

    def _changed(self, _change: dict | None = None) -> None:
        if not self._quiet:
            self._on_change(self)

    @contextmanager
    def _quietly(self) -> Iterator[None]:
        """Change the widget without reporting it as the participant's change."""
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    # -- values ------------------------------------------------------------------------------
    def show(self, raw: Any) -> None:
        """Show a stored raw value without reporting a change."""
        with self._quietly():
            try:
                typed = self.field.coerce(raw)
            except AnswerError as exc:
                self._show_unfit(raw)
                self._say([exc.message])
            else:
                self._say([])
                self._show_typed(typed)

    def _show_typed(self, typed: Any) -> None:
        raise NotImplementedError

    def _show_unfit(self, raw: Any) -> None:
        """A stored value that does not fit stays in the file; show what we can of it."""
        self._show_typed(self.field.empty_value())

    def value(self) -> Any:
        """The JSON-ready value to store; also refreshes this control's message."""
        raise NotImplementedError

    def _say(self, messages: list[Text]) -> None:
        self.message.value = messages_html(messages)
        # an empty HTML widget still takes a line's height: hide it, a grid line stays one line
        self.message.layout.display = "" if messages else "none"


class TextControl(Control):
    def _make(self, W: Any) -> Any:
        if isinstance(self.field, LongText):
            w = W.Textarea(value="", rows=2 if self.grid else 4 if self.compact else 7, layout=W.Layout(width="100%"))
            self.counter = W.HTML()
        else:
            w = W.Text(value="", layout=W.Layout(width="100%"))
            self.counter = None
        return w

    def _extras(self) -> list:
        return [self.counter] if self.counter is not None else []

    def _show_typed(self, typed: Any) -> None:
        self.widget.value = typed or ""
        self._count()

    def _show_unfit(self, raw: Any) -> None:
        # e.g. a paste beyond the limit; cleaned, because a lone surrogate cannot reach the browser
        self.widget.value = clean_text(raw) if isinstance(raw, str) else ""
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
        outside = n < f.min_words or (f.max_words is not None and n > f.max_words)
        colour = "#b71c1c" if outside and n else "#555"
        text = _count_text(UI["words"], UI["min_words"], UI["max_words"], n, f.min_words, f.max_words or None)
        self.counter.value = f'<small style="color:{colour}">{_e(text)}</small>'
        if self.grid:  # a grid line shows the count only when it has something to say
            limited = bool(f.min_words or f.max_words)
            self.counter.layout.display = "" if limited and n and outside else "none"


def editable_number(value: float | int) -> str:
    """A stored number as the text box shows it for editing: every digit, a decimal comma, no
    thousands dots. Not rounded like ``Number.display``, and never ``"0.125"``, which
    ``Number.coerce`` would read as Indonesian thousands (125): the text reads back unchanged.

    >>> editable_number(1250000), editable_number(1250000.5), editable_number(0.125)
    ('1250000', '1250000,5', '0,125')
    """
    return str(value).replace(".", ",")


class NumberControl(Control):
    def _make(self, W: Any) -> Any:
        # A text box, not FloatText: it can be empty, and it accepts "1.250,5" as Indonesians write.
        return W.Text(value="", layout=W.Layout(width="9em" if self.compact else "12em"))

    def _layout(self, W: Any) -> Any:
        box = super()._layout(W)
        if self.field.unit and not self.grid:  # in a grid the unit is in the column header
            children = list(box.children)
            i = children.index(self.widget)
            unit = W.HTML(f'<span style="margin-left:6px;white-space:nowrap">{_e(self.field.unit)}</span>',
                          layout=W.Layout(flex="0 0 auto"))
            children[i] = W.HBox([self.widget, unit])
            box.children = children
        return box

    def _show_typed(self, typed: Any) -> None:
        if isinstance(typed, float) and typed.is_integer():
            typed = int(typed)
        self.widget.value = "" if typed is None else editable_number(typed)
        self._say(self._range_messages(typed))

    def _show_unfit(self, raw: Any) -> None:
        # brief: str() of a 5,000-digit int raises, of a list nested 50,000 deep recurses
        self.widget.value = clean_text(raw) if isinstance(raw, str) else ("" if raw is None else brief(raw))

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
        bounds = "–".join(formatting.number(b) if b is not None else "…" for b in (f.minimum, f.maximum))
        return [UI["range"].format(v=formatting.number(number), r=bounds)]


class DateControl(Control):
    def _make(self, W: Any) -> Any:
        return W.DatePicker(value=None)

    def _show_typed(self, typed: Any) -> None:
        self.widget.value = typed

    def value(self) -> str | None:
        self._say([])
        day = self.widget.value
        return day.isoformat() if isinstance(day, _dt.date) else None


class ChoiceControl(Control):
    def _make(self, W: Any) -> Any:
        self._options: tuple[str, ...] = tuple(self.field.options)
        return W.Dropdown(options=self._option_pairs(None), value=None, layout=W.Layout(width="100%"))

    def _option_pairs(self, keep: str | None) -> list[tuple[str, Any]]:
        pairs: list[tuple[str, Any]] = [(str(UI["choose"]), None)] + [(_label(o), o) for o in self._options]
        if keep is not None and keep not in self._options:
            pairs.append((str(UI["not_listed"].format(v=_label(keep))), keep))
        return pairs

    def set_options(self, options: list[str]) -> None:
        """New options (from a table column), keeping the current choice visible."""
        with self._quietly():
            current = self.widget.value
            self._options = tuple(options)
            self._offer(current)
            self._say(self._messages(current))

    def _offer(self, value: str | None) -> None:
        """The options, ``value`` among them even when it is not listed, and ``value`` chosen."""
        self.widget.options = self._option_pairs(value)
        self.widget.value = value  # ipywidgets resets the value when options change

    def _messages(self, value: Any) -> list[Text]:
        if value is not None and value not in self._options:
            return [UI["not_listed_msg"].format(v=_label(value, SHOWN_VALUE_CHARS))]
        return []

    def _show_typed(self, typed: Any) -> None:
        self._offer(typed)
        self._say(self._messages(typed))

    def _show_unfit(self, raw: Any) -> None:
        self._offer(raw if isinstance(raw, str) else None)

    def value(self) -> str | None:
        value = self.widget.value
        self._say(self._messages(value))
        return value


def _label(option: str, limit: int = CHOICE_LABEL_CHARS) -> str:
    """An option as a dropdown shows it: cut, and cleaned (a lone surrogate cannot reach the browser)."""
    return clean_text(option if len(option) <= limit else option[:limit] + "…")


class MultiChoiceControl(Control):
    def _make(self, W: Any) -> Any:
        group = _checkbox_group_class()(self.field.options)
        if self.grid:  # side by side, wrapping inside the cell, so a row stays about one line
            group.layout.flex_flow = "row wrap"
        return group

    def _show_typed(self, typed: Any) -> None:
        self.widget.value = list(typed or [])

    def _show_unfit(self, raw: Any) -> None:
        known = [v for v in raw if v in self.field.options] if isinstance(raw, list) else []
        self.widget.value = known

    def value(self) -> list[str]:
        self._say([])
        return [o for o in self.field.options if o in self.widget.value]


class ScaleControl(Control):
    def _make(self, W: Any) -> Any:
        lo, hi = self.field.minimum, self.field.maximum
        widget = W.ToggleButtons(options=[(str(i), i) for i in range(lo, hi + 1)], value=None,
                                 tooltips=self._tooltips(None),
                                 style={"button_width": "1.9em" if self.grid else "2.6em"})
        widget.observe(lambda change: setattr(widget, "tooltips", self._tooltips(change["new"])), "value")
        return widget

    def _tooltips(self, selected: int | None) -> list[str]:
        """Each button is named by its number only: its tooltip (read as its description) says
        which question it answers, and "dipilih" on the chosen one, since ipywidgets gives the
        buttons no aria-pressed."""
        lo, hi = self.field.minimum, self.field.maximum
        return [f"{self.field.label_text()}: "
                + (f"{i} = {self.field.low_label}" if i == lo else f"{i} = {self.field.high_label}" if i == hi
                   else str(i))
                + (f" ({UI['selected']})" if i == selected else "")
                for i in range(lo, hi + 1)]

    def _extras(self) -> list:
        if self.grid:
            return []  # the column header says what 1 and 5 mean
        W = widgets()
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


class ComputedControl(Control):
    """A computed value, read-only: grey text, never an input, never stored.

    The form fills it in with ``show_computed`` from ``lablib.core.checks.Answers`` (the same
    values the checks and the autograder read); ``show`` of a stored value ignores it, because a
    value stored under a computed id is not the participant's and is never read.
    """

    def _make(self, W: Any) -> Any:
        widget = W.HTML(self._html(None), layout=W.Layout(width="100%" if self.grid else "auto"))
        widget.add_class("lablib-computed")
        return widget

    def _html(self, value: Any) -> str:
        label = _e(str(self.field.label_text()), quote=True)
        return f'<span title="{label}">{_e(self.field.display(value))}</span>'

    def show(self, raw: Any) -> None:
        """Nothing is shown from the answers file: the form computes the value."""

    def show_computed(self, value: Any) -> None:
        with self._quietly():
            self.widget.value = self._html(value)
        self.computed = value

    computed: Any = None

    def _show_typed(self, typed: Any) -> None:  # pragma: no cover (show is overridden)
        pass

    def value(self) -> None:
        return None


_CONTROLS: dict[type, type[Control]] = {
    ShortText: TextControl, LongText: TextControl, Number: NumberControl, DateField: DateControl,
    Choice: ChoiceControl, MultiChoice: MultiChoiceControl, Scale: ScaleControl, Computed: ComputedControl,
}


def control_class(field_: Field) -> type[Control]:
    """The control of a field's kind (a subclass of a kind gets its parent's control)."""
    for cls in type(field_).__mro__:
        if cls in _CONTROLS:
            return _CONTROLS[cls]
    raise TypeError(f"field {field_.id!r} of kind {type(field_).__name__} has no form control")


# ------------------------------------------------------------------------------ tables

# Width of each kind of column in a grid line, as a CSS grid track: (minimum em, share of the rest).
# A fixed minimum keeps the columns of every line aligned (each line is its own grid with the
# same tracks) and tells how wide the grid must be before it scrolls inside its box.
_TRACKS: dict[str, tuple[float, float]] = {
    "short_text": (9, 2), "long_text": (14, 3), "number": (6.5, 1), "date": (10.5, 0), "choice": (9, 2),
    "multi_choice": (10, 2), "scale": (11, 0), "computed": (5.5, 1),
}
_NUMBER_TRACK, _REMOVE_TRACK, _GAP_EM = 2.2, 7.5, 0.6


def on_own_line(col: Field) -> bool:
    """Columns shown on a line of their own under the row, across its width: a group of
    checkboxes in a narrow cell stacks one per line (DG1's APKL made every row four lines high
    and pushed the scores off the screen); across the row it takes one line."""
    return col.kind == "multi_choice"


def grid_tracks(table: Table) -> tuple[str, float]:
    """The grid's ``grid-template-columns`` (row number, the columns, the remove button) and
    its minimum width in em.

    >>> grid_tracks(Table("t", "T", columns=(ShortText("a", "A"), DateField("d", "D"))))
    ('2.2em minmax(9em, 2fr) 10.5em 7.5em', 31.0)
    """
    tracks, width = [f"{_NUMBER_TRACK}em"], _NUMBER_TRACK + _REMOVE_TRACK
    for col in (c for c in table.columns if not on_own_line(c)):
        least, share = _TRACKS.get(col.kind, (9, 1))
        tracks.append(f"minmax({least:g}em, {share:g}fr)" if share else f"{least:g}em")
        width += least
    tracks.append(f"{_REMOVE_TRACK}em")
    return " ".join(tracks), width + _GAP_EM * (len(tracks) - 1)


def _column_head(col: Field) -> str:
    """A column's header cell (HTML): its label, its unit, "optional", and its help in small print."""
    unit = getattr(col, "unit", "")
    bits = [_e(str(col.label_text()))]
    if unit:
        bits.append(f'<span class="lablib-colhelp">({_e(unit)})</span>')
    if not col.required and not isinstance(col, Computed):
        bits.append(f'<span class="lablib-colhelp">{_e(str(UI["optional"]))}</span>')
    helps = [col.help] if col.help else []
    if isinstance(col, Scale):
        helps.append(str(UI["scale_hint"].format(lo=col.low_label, hi=col.high_label)))
    help_html = "".join(f'<div class="lablib-colhelp">{_e(h)}</div>' for h in helps)
    return f'<div class="lablib-colhead">{" ".join(bits)}{help_html}</div>'


class TableControl:
    """A table as a compact grid: a header line of column labels, then one line per row (the
    row's number, one small input per column, its "Hapus" button) and, when the table has a
    ``row_note``, the row's note under it. Rows are added and removed (a filled row asks once
    more), kept within ``min_rows``/``max_rows``, and pasted from a spreadsheet (``paste``).

    ``form`` is told of every change of the table's value (``form._changed``) and shows a
    failing callback's friendly message (see ``guard``). The form also fills the computed cells
    and the row notes (``show_derived``), from the values the checks read.
    """

    def __init__(self, table: Table, form: Form):
        W = widgets()
        self.field = table
        self.form = form
        self.rows: list[dict] = []  # the stored rows, raw; unknown keys and bad cells kept
        self.hidden_rows: list[dict] = []  # rows beyond MAX_TABLE_ROWS: not shown, kept as they are
        self.cells: list[dict[str, Control]] = []
        self.notes: list[Any] = []  # each row's note (an HTML widget), hidden when empty
        self.last_edit: tuple[str, Any, Any] | None = None  # (column, old, new) of the latest cell edit
        self._confirm: dict | None = None  # the row (its cells) whose "Hapus" was clicked once
        self._cards: list = []  # one grid line per row
        self._titles: list = []
        self._removes: list = []
        self.tracks, min_em = grid_tracks(table)
        self.min_width = f"{min_em:g}em"
        self.message = W.HTML()
        self.count = W.HTML()
        self.add_button = W.Button(description=str(UI["add_row"]), icon="", button_style="",
                                   layout=W.Layout(width="auto"))
        self.add_button.on_click(self._add_clicked)
        self.header = self._grid_line(W, [W.HTML()] + [W.HTML(_column_head(c)) for c in table.columns
                                                       if not on_own_line(c)] + [W.HTML()], "lablib-grid-head")
        self.row_box = W.VBox(layout=W.Layout(min_width=self.min_width))
        self._build_paste(W)
        parts = _heading(W, str(table.label_text()), table.help, "font-weight:bold;margin-top:8px")
        self.widget = self.row_box
        self.header.layout.min_width = self.min_width
        scroll = W.VBox([self.header, self.row_box], layout=W.Layout(width="100%"))
        scroll.add_class("lablib-grid-scroll")  # a grid wider than the form scrolls in its own box
        self.box = W.VBox([*parts, self.message, scroll,
                           W.HBox([self.add_button, self.paste_toggle, self.count],
                                  layout=W.Layout(align_items="center", flex_flow="row wrap")),
                           self.paste_box], layout=W.Layout(width="100%"))
        self.box.add_class("lablib-table")

    def _grid_line(self, W: Any, children: list, css_class: str) -> Any:
        line = W.GridBox(children, layout=W.Layout(grid_template_columns=self.tracks, grid_gap=f"2px {_GAP_EM}em",
                                                   width="100%"))
        line.add_class(css_class)
        return line

    # -- values ------------------------------------------------------------------------------
    def show(self, raw: Any) -> None:
        """Show stored rows: at most ``MAX_TABLE_ROWS`` (every row is a line of widgets, and
        20,000 of them would take the kernel minutes); the rest are kept, unseen, and saved back."""
        self.hidden_rows = []
        if raw is None or (isinstance(raw, list) and all(isinstance(r, dict) for r in raw)):
            raw = raw or []
            self.rows = copy.deepcopy(raw[:MAX_TABLE_ROWS])
            self.hidden_rows = raw[MAX_TABLE_ROWS:]  # never changed here, so not copied
            self.message.value = messages_html(
                [UI["rows_hidden"].format(n=len(raw), m=MAX_TABLE_ROWS)] if self.hidden_rows else [])
        else:
            self.rows = []
            self.message.value = messages_html([UI["table_bad"]])
        self._pad(max(len(self.rows), self.field.min_rows, 1))
        self._build()

    def value(self) -> list[dict]:
        return copy.deepcopy(self.rows) + list(self.hidden_rows)

    @property
    def max_rows(self) -> int:
        """Rows the form lets the participant have: the table's own limit, at most ``MAX_TABLE_ROWS``."""
        return min(self.field.max_rows or MAX_TABLE_ROWS, MAX_TABLE_ROWS)

    @property
    def remove_buttons(self) -> list:
        """Each row's "Hapus" button, in row order."""
        return list(self._removes)

    def empty_row(self) -> dict:
        """A new row: every typed column empty. A computed column gets no key: nothing computed
        is ever written into the answers file."""
        return {c.id: c.empty_value() for c in self.field.columns if not isinstance(c, Computed)}

    def _pad(self, n: int) -> None:
        while len(self.rows) < n:
            self.rows.append(self.empty_row())

    def _is_blank(self, row: dict) -> bool:
        return not self.field.non_blank_rows([row])

    # -- rows --------------------------------------------------------------------------------
    def _build(self) -> None:
        for old in self.row_box.children:
            close_tree(old)
        self.cells, self._cards, self._titles, self._removes, self.notes = [], [], [], [], []
        for row in self.rows:
            self._append_line(row)
        self.row_box.children = tuple(self._cards)
        self._update_buttons()

    def _append_line(self, row: dict) -> None:
        """Add one row's grid line. Callbacks find their row by identity, so removing a row above
        never needs the other rows rebuilt (each rebuild costs hundreds of comms in a kernel)."""
        W = widgets()
        cells: dict[str, Control] = {}
        for col in self.field.columns:
            control = control_class(col)(col, lambda c, cells=cells: self._cell_changed(cells, c), grid=True)
            control.show(row.get(col.id))
            cells[col.id] = control
        # "Hapus" keeps the first line's last column wherever it sits in the page's order, so the
        # keyboard reaches it after every cell of the row, those on their own line included.
        remove = W.Button(description=str(UI["remove"]), layout=W.Layout(width="100%"))
        remove.add_class("lablib-remove")  # placed by the stylesheet (lablib.notebook.style)
        remove.on_click(lambda _b, cells=cells: self._remove_clicked(cells))
        title = W.HTML(layout=W.Layout(min_width="0"))
        title.add_class("lablib-rownum")
        columns = self.field.columns
        own_lines = [W.HBox([W.HTML(_column_head(c)), cells[c.id].box],
                            layout=W.Layout(align_items="center", flex_flow="row wrap", gap="0 1em"))
                     for c in columns if on_own_line(c)]
        for line in own_lines:
            line.add_class("lablib-own-line")  # across the row, under it (lablib.notebook.style)
        children = [title, *(cells[c.id].box for c in columns if not on_own_line(c)), *own_lines, remove]
        if self.field.row_note is not None:
            note = W.HTML(layout=W.Layout(display="none"))  # across the row, under it (the stylesheet)
            note.add_class("lablib-note")
            children.append(note)
            self.notes.append(note)
        else:
            self.notes.append(None)
        self.cells.append(cells)
        self._cards.append(self._grid_line(W, children, "lablib-grid-row"))
        self._titles.append(title)
        self._removes.append(remove)

    def _index(self, cells: dict) -> int:
        return next(i for i, c in enumerate(self.cells) if c is cells)

    def _update_buttons(self) -> None:
        n, lo, hi = len(self.rows), self.field.min_rows, self.field.max_rows
        self.add_button.disabled = n >= self.max_rows or bool(self.hidden_rows)
        for i, (title, remove) in enumerate(zip(self._titles, self._removes), start=1):
            name = str(UI["row_number"].format(row=self.field.row_label, n=i))
            title.value = f'<span title="{_e(name, quote=True)}">{i}</span>'
            remove.tooltip = f"{UI['remove']} {name}"
            remove.disabled = n <= lo
            if self._confirm is None or self.cells[i - 1] is not self._confirm:
                remove.description, remove.button_style = str(UI["remove"]), ""
        text = _count_text(UI["rows"], UI["rows_min"], UI["rows_max"], n, lo, hi)
        self.count.value = f'<span style="color:#555;margin-left:8px">{_e(text)}</span>'

    @guard
    def _cell_changed(self, cells: dict, control: Control) -> None:
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

    @guard
    def _add_clicked(self, _button: Any = None) -> None:
        self.add_row()

    def add_row(self) -> None:
        if len(self.rows) >= self.max_rows or self.hidden_rows:
            return
        self.rows.append(self.empty_row())
        self._append_line(self.rows[-1])
        self.row_box.children = tuple(self._cards)
        self._rows_changed()

    @guard
    def _remove_clicked(self, cells: dict) -> None:
        i = self._index(cells)
        if not self._is_blank(self.rows[i]) and self._confirm is not cells:  # one extra click guards answers
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
        self.notes.pop(i)
        card = self._cards.pop(i)
        self.row_box.children = tuple(self._cards)
        close_tree(card)
        self._confirm = None
        self._rows_changed()

    def _rows_changed(self) -> None:
        """Rows were added, removed or pasted: renumber the lines and report the table's new value."""
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

    # -- computed cells and row notes ----------------------------------------------------------
    def show_derived(self, typed_rows: list[dict]) -> None:
        """Show the computed cells and the row notes. ``typed_rows`` are the table's non-blank
        rows as the checks read them (``Answers.rows``: computed columns filled in), in order;
        a blank row gets no computed value, as in the checks."""
        has_computed = any(isinstance(c, Computed) for c in self.field.columns)
        if not has_computed and self.field.row_note is None:
            return
        own, _errors = self.field.coerce_rows(self.rows)
        checked = iter(typed_rows)
        for i, row in enumerate(own):
            if not self._is_blank(row):
                row = next(checked, row)
            for col_id, control in self.cells[i].items():
                if isinstance(control, ComputedControl):
                    control.show_computed(row.get(col_id))
            self._show_note(i, row)

    def _show_note(self, i: int, typed_row: dict) -> None:
        note = self.notes[i]
        if note is None:
            return
        try:
            text = self.field.row_note(typed_row)
        except Exception:  # a note is a help beside the answers: a bug in it must not stop the form
            log.debug("row_note of %s failed", self.field.id, exc_info=True)
            text = None
        text = "" if text is None else str(text).strip()
        note.value = _e(text)  # what the note says may quote the participant's own text
        note.layout.display = "" if text else "none"

    # -- paste from a spreadsheet ----------------------------------------------------------------
    def _build_paste(self, W: Any) -> None:
        from lablib.notebook.paste import pasted_columns

        cols = ", ".join(str(c.label_text()) for c in pasted_columns(self.field))
        self.paste_toggle = W.Button(description=str(UI["paste_open"]), icon="clipboard",
                                     tooltip=str(UI["paste_tip"]), layout=W.Layout(width="auto", margin="2px 8px"))
        self.paste_text = W.Textarea(value="", rows=4, layout=W.Layout(width="100%"))
        accessible_name(self.paste_text, str(UI["paste_open"]))
        self.paste_button = W.Button(description=str(UI["paste_rows"]), icon="paste", button_style="primary",
                                     layout=W.Layout(width="auto"))
        self.paste_message = W.HTML()
        self.paste_box = W.VBox([
            W.HTML(f'<small style="color:#444">{_e(str(UI["paste_help"].format(cols=cols)))}</small>'),
            self.paste_text, self.paste_button, self.paste_message,
        ], layout=W.Layout(display="none", width="100%", margin="2px 0 6px 0"))
        self.paste_box.add_class("lablib-paste")
        self.paste_toggle.on_click(self._paste_toggled)
        self.paste_button.on_click(self._paste_clicked)

    @guard
    def _paste_toggled(self, _button: Any = None) -> None:
        opened = self.paste_box.layout.display == "none"
        self.paste_box.layout.display = "" if opened else "none"
        self.paste_toggle.button_style = "primary" if opened else ""

    @guard
    def _paste_clicked(self, _button: Any = None) -> None:
        self.paste(self.paste_text.value)

    def paste(self, text: str) -> Any:
        """Put rows pasted from a spreadsheet into the table (``lablib.notebook.paste``): blank
        rows first, then new rows up to the limit. The rows that do not fit stay in the paste box
        and the message names them; the rows already answered are never changed."""
        from lablib.notebook.paste import UI as PASTE_UI
        from lablib.notebook.paste import leftover_text, parse_rows, place_rows, placement_messages

        pasted = parse_rows(text, self.field, self._dynamic_options())
        limit = len(self.rows) if self.hidden_rows else self.max_rows
        placement = place_rows(self.rows, pasted.rows, self._is_blank, limit)
        messages = list(pasted.problems)
        if not pasted.rows and not pasted.problems:
            messages.append(PASTE_UI["nothing"])
        if self.hidden_rows and placement.left:
            messages.append(UI["paste_hidden"])
        said = placement_messages(placement, limit)
        done, warnings = (said[:1], said[1:]) if placement.taken else ([], said)
        messages = warnings + messages
        for i in placement.filled:
            self.rows[i] = placement.rows[i]
            for col_id, control in self.cells[i].items():
                control.show(self.rows[i].get(col_id))
        for row in placement.rows[len(self.rows):]:
            self.rows.append(row)
            self._append_line(row)
        self.paste_text.value = leftover_text(pasted, placement)
        self.paste_message.value = "".join(
            f'<div style="color:#1b5e20">✓ {_e(str(m))}</div>' for m in done) + messages_html(messages)
        if placement.taken:
            self.row_box.children = tuple(self._cards)
            self._rows_changed()
        return placement

    def _dynamic_options(self) -> dict[str, list[str]]:
        """The current options of the table's dynamic choice columns (what their dropdowns offer)."""
        out: dict[str, list[str]] = {}
        for col in self.field.columns:
            if isinstance(col, Choice) and col.options_from and self.cells:
                control = self.cells[0].get(col.id)
                if isinstance(control, ChoiceControl):
                    out[col.id] = list(control._options)
        return out


__all__ = [
    "ChoiceControl",
    "ComputedControl",
    "Control",
    "TableControl",
    "accessible_name",
    "close_tree",
    "control_class",
    "editable_number",
    "grid_tracks",
    "guard",
    "messages_html",
    "widgets",
]
