"""Inputs: each field kind's control stores JSON-ready values, shows stored ones quietly, and
has an accessible name; tables keep their rows within their limits. Forms (test_forms.py) and
JupyterLab itself (test_browser.py) test them again as a participant meets them."""

from __future__ import annotations

import datetime as dt

import pytest

from lablib.core.fields import (
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


# ------------------------------------------------------------------------------ the compact grid

TRIAL = Table("log", "Log", min_rows=1, max_rows=12, row_label="Minggu", columns=(
    DateField("tanggal", "Tanggal"),
    Number("dilayani", "Warga dilayani", unit="orang", integer=True),
    Number("selesai", "Pengaduan selesai", integer=True),
    Computed("dua_kali", "Dua kali", compute=lambda rows: [2 * (r["dilayani"] or 0) for r in rows]),
    ShortText("catatan", "Catatan", required=False),
), row_note=lambda row: f"Catatan <b>{row['catatan']}</b>" if row.get("catatan") else None)


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def test_a_table_is_a_header_line_and_one_grid_line_per_row():
    owner = Owner()
    table = TableControl(TRIAL, owner)
    table.show([{"tanggal": f"2026-08-{d:02d}", "dilayani": d, "selesai": 1} for d in range(1, 13)])
    lines = table.row_box.children
    assert 12 == len(lines) and all(type(line).__name__ == "GridBox" for line in lines)
    assert table.tracks == table.header.layout.grid_template_columns == lines[0].layout.grid_template_columns
    heads = [h.value for h in table.header.children]
    assert "Warga dilayani" in heads[2] and "(orang)" in heads[2] and "boleh dikosongkan" in heads[5]
    # a line holds the row number, one cell per column and its "Hapus" button (the note is hidden)
    first = lines[0].children
    assert len(TRIAL.columns) + 3 == len(first) and first[-2] is table.remove_buttons[0]
    assert "none" == first[-1].layout.display
    cell = table.cells[0]["dilayani"]
    assert cell.widget in cell.box.children and "Warga dilayani" == cell.widget.description  # accessible name
    # no label, count or message takes a second line in a cell of a row without problems
    visible = [w for w in _walk(lines[0]) if getattr(w.layout, "display", None) != "none"]
    assert not [w for w in visible if type(w).__name__ == "HTML" and "⚠" in w.value]
    assert [] == owner.changes  # showing reports no change


def test_computed_cells_show_what_they_are_given_and_are_never_stored():
    owner = Owner()
    table = TableControl(TRIAL, owner)
    table.show(None)
    assert "dua_kali" not in table.rows[0]
    table.cells[0]["dilayani"].widget.value = "21"
    table.show_derived([{"dilayani": 21, "dua_kali": 42, "catatan": None}])
    assert "42" in table.cells[0]["dua_kali"].widget.value and 42 == table.cells[0]["dua_kali"].computed
    assert [[{"tanggal": None, "dilayani": 21, "selesai": None, "catatan": ""}]] == owner.changes


def test_a_row_note_is_escaped_and_shown_only_when_it_says_something():
    owner = Owner()
    table = TableControl(TRIAL, owner)
    table.show([{"catatan": "<script>x</script>"}, {}])
    table.show_derived([{"catatan": "<script>x</script>", "dua_kali": 0}])
    note, blank = table.notes
    assert "Catatan &lt;b&gt;&lt;script&gt;x&lt;/script&gt;&lt;/b&gt;" == note.value and "" == note.layout.display
    assert "none" == blank.layout.display


def test_pasting_fills_blank_rows_appends_and_names_the_rows_over_max_rows():
    owner = Owner()
    table = TableControl(TRIAL, owner)
    table.show([{"tanggal": "2026-08-01", "dilayani": 5, "selesai": 0, "catatan": "ada"}, {}])
    text = "Tanggal\tWarga dilayani\tPengaduan selesai\tCatatan\r\n" + "".join(
        f"{d:02d}/09/2026\t1.{d:03d}\t{d}\t\"minggu\n{d}\"\r\n" for d in range(1, 14))
    placement = table.paste(text)
    assert (11, (12, 13)) == (placement.taken, placement.left)
    assert 12 == len(table.rows) == len(table.row_box.children) and table.add_button.disabled
    assert {"tanggal": "2026-08-01", "dilayani": 5, "selesai": 0, "catatan": "ada"} == table.rows[0]  # kept
    assert {"tanggal": "2026-09-01", "dilayani": 1001, "selesai": 1, "catatan": "minggu\n1"} == table.rows[1]
    assert "1001" == table.cells[1]["dilayani"].widget.value
    assert "11 baris ditempel (1 mengisi baris kosong, 10 ditambahkan di bawah)." in table.paste_message.value
    assert "Baris tempelan 12–13 TIDAK diambil: tabel ini paling banyak 12 baris." in table.paste_message.value
    assert 'Tanggal\tWarga dilayani\tPengaduan selesai\tCatatan\n12/09/2026\t1.012\t12\t"minggu\n12"\n13/09/2026\t1.013\t13\t"minggu\n13"\n' == table.paste_text.value
    assert [table.value()] == owner.changes  # one change, so one save
    table.paste("")
    assert "Tidak ada baris untuk ditempel" in table.paste_message.value and 1 == len(owner.changes)


def test_a_pasted_cell_that_does_not_fit_shows_its_message_and_is_kept():
    owner = Owner()
    table = TableControl(TRIAL, owner)
    table.show(None)
    table.paste("2026-08-01\tbanyak\t1\t\n")
    assert "banyak" == table.rows[0]["dilayani"] and "harus angka" in table.cells[0]["dilayani"].message.value
    assert "" == table.cells[0]["dilayani"].message.layout.display


def test_the_paste_box_opens_from_its_button():
    table = TableControl(TRIAL, Owner())
    table.show(None)
    assert "none" == table.paste_box.layout.display
    table.paste_toggle.click()
    assert "" == table.paste_box.layout.display and "Tempel dari Excel" == table.paste_text.description
