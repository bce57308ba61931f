"""Inputs: each field kind's control stores JSON-ready values, shows stored ones quietly, and
has an accessible name; tables keep their rows within their limits. Forms (test_forms.py) and
JupyterLab itself (test_browser.py) test them again as a participant meets them."""

from __future__ import annotations

import datetime as dt

import pytest

from lablib.core.fields import (
    Choice,
    DateField,
    Field,
    LongText,
    MultiChoice,
    Number,
    Scale,
    ShortText,
    Table,
)
from lablib.notebook.inputs import Control, TableControl, control_class


def make(field_: Field) -> tuple[Control, list]:
    changes: list = []
    return control_class(field_)(field_, changes.append), changes


class Owner:
    """Stands in for the form a table belongs to."""

    def __init__(self) -> None:
        self.changes: list = []
        self.last_error: Exception | None = None
        self.said: list = []

    def _changed(self, control: TableControl) -> None:
        self.changes.append(control.value())

    def _say(self, message) -> None:
        self.said.append(message)


@pytest.mark.parametrize("field_", [
    ShortText("nama", "Nama OPD"), LongText("uraian", "Uraian"), Number("anggaran", "Anggaran", unit="rupiah"),
    DateField("tanggal", "Tanggal"), Choice("bentuk", "Bentuk", options=("A", "B")),
], ids=lambda f: type(f).__name__)
def test_text_date_and_dropdown_inputs_are_named_by_their_label(field_):
    control, _ = make(field_)
    assert field_.label == control.widget.description
    assert "0px" == control.widget.style.description_width  # the visible label stays the HTML above
    assert field_.label == control.widget.tooltip


def test_checkbox_groups_have_no_tooltip_and_scale_buttons_say_their_question():
    group, _ = make(MultiChoice("saluran", "Saluran", options=("Loket", "WhatsApp")))
    assert group.widget.tooltip is None  # a Box view crashes on a tooltip (ipywidgets 8.1)
    assert ["Loket", "WhatsApp"] == [box.description for box in group.widget.children]
    scale, _ = make(Scale("mutu", "Mutu", low_label="buruk", high_label="baik"))
    assert ["Mutu: 1 = buruk", "Mutu: 2", "Mutu: 3", "Mutu: 4", "Mutu: 5 = baik"] == list(scale.widget.tooltips)
    scale.widget.value = 5  # the chosen button says so (ipywidgets has no aria-pressed)
    assert ["Mutu: 1 = buruk", "Mutu: 2", "Mutu: 3", "Mutu: 4", "Mutu: 5 = baik (dipilih)"] == list(scale.widget.tooltips)
    scale.show(2)
    assert ["Mutu: 1 = buruk", "Mutu: 2 (dipilih)", "Mutu: 3", "Mutu: 4", "Mutu: 5 = baik"] == list(scale.widget.tooltips)
    scale.show(None)
    assert not any("dipilih" in t for t in scale.widget.tooltips)


def test_showing_a_stored_value_reports_no_change_and_typing_does():
    control, changes = make(Number("anggaran", "Anggaran"))
    control.show(1200.0)
    assert "1200" == control.widget.value and [] == changes
    control.widget.value = "1.250.000"
    assert [control] == changes and 1250000 == control.value()


@pytest.mark.parametrize(("field_", "typed", "stored"), [
    (ShortText("nama", "Nama"), "Dinas", "Dinas"),
    (Number("n", "Jumlah"), "1.250,5", 1250.5),
    (Number("n", "Jumlah"), "dua", "dua"),  # kept as typed, with a message
    (DateField("d", "Tanggal"), dt.date(2026, 8, 14), "2026-08-14"),
    (Choice("c", "Pilihan", options=("A", "B")), "B", "B"),
    (MultiChoice("m", "Banyak", options=("A", "B")), ["B", "A"], ["A", "B"]),
    (Scale("s", "Skala"), 4, 4),
], ids=lambda v: type(v).__name__ if isinstance(v, Field) else None)
def test_each_kind_stores_a_json_ready_value(field_, typed, stored):
    control, _ = make(field_)
    control.widget.value = typed
    assert stored == control.value()


def test_a_stored_choice_no_longer_listed_stays_chosen_and_marked():
    control, _ = make(Choice("c", "Pilihan", options=("A", "B")))
    control.show("Lainnya")
    assert "Lainnya" == control.widget.value
    assert "tidak ada di daftar" in str(control.widget.options)
    assert "Lainnya" in control.message.value


def test_long_text_counts_words_and_says_its_limits():
    control, _ = make(LongText("u", "Uraian", min_words=5, max_words=50))
    control.show("tiga kata saja")
    assert "3 kata (minimal 5, maksimal 50)" in control.counter.value


def test_a_field_kind_without_a_control_is_named_in_the_error():
    with pytest.raises(TypeError, match="'x' of kind Field has no form control"):
        control_class(Field("x", "X"))


def test_table_rows_stay_within_their_limits_and_each_change_is_reported():
    owner = Owner()
    table = TableControl(Table("t", "Tabel", min_rows=1, max_rows=2, row_label="Baris",
                               columns=(ShortText("nama", "Nama"),)), owner)
    table.show(None)
    assert 1 == len(table.cells) and "1 baris (minimal 1, maksimal 2)" in table.count.value
    table.cells[0]["nama"].widget.value = "A"
    table.add_row()
    table.add_row()
    assert 2 == len(table.cells) and table.add_button.disabled
    table.remove_row(1)
    table.remove_row(0)  # not below min_rows
    assert [[{"nama": "A"}], [{"nama": "A"}, {"nama": ""}], [{"nama": "A"}]] == owner.changes
    assert [] == owner.said and owner.last_error is None
