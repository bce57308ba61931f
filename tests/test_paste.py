"""Paste: rows copied from Excel or Google Sheets (tab-separated) become table rows as the form
stores them; a header row, quoted newlines, Indonesian numbers and dates are read, and rows that
do not fit are named, never dropped silently."""

from __future__ import annotations

import pytest

from lablib.core.fields import (
    Choice,
    Computed,
    DateField,
    LongText,
    MultiChoice,
    Number,
    Scale,
    ShortText,
    Table,
)
from lablib.notebook.paste import (
    leftover_text,
    number_ranges,
    parse_rows,
    place_rows,
    placement_messages,
)

LOG = Table("log", "Log", max_rows=4, row_label="Minggu", columns=(
    DateField("tanggal", "Tanggal (akhir minggu)"),
    Number("dilayani", "Warga dilayani", unit="orang", integer=True),
    Computed("persen", "Persen", compute=lambda rows: [None] * len(rows)),
    Number("hari", "Rata-rata lama layanan", unit="hari"),
    LongText("catatan", "Catatan", required=False),
))


def test_excel_rows_with_crlf_are_read_in_the_table_order_skipping_computed_columns():
    text = "31/08/2026\t1.250\t2,5\tJemput bola\r\n7-9-2026\t980\t3\t\r\n"
    pasted = parse_rows(text, LOG)
    assert () == pasted.header == pasted.problems
    assert ({"tanggal": "2026-08-31", "dilayani": 1250, "hari": 2.5, "catatan": "Jemput bola"},
            {"tanggal": "2026-09-07", "dilayani": 980, "hari": 3, "catatan": ""}) == pasted.rows
    assert all("persen" not in row for row in pasted.rows)  # nothing computed is ever stored


def test_a_header_row_is_recognised_by_the_labels_and_says_which_column_is_which():
    text = "Catatan\tWarga dilayani\tTanggal\tKolom lain\nHujan\t1.250,5\t2026-08-31\tx\n"
    pasted = parse_rows(text, LOG)
    assert ("Catatan", "Warga dilayani", "Tanggal", "Kolom lain") == pasted.header
    assert ({"tanggal": "2026-08-31", "dilayani": "1.250,5", "hari": None, "catatan": "Hujan"},) == pasted.rows
    assert ["Kolom 'Kolom lain' tidak ada di tabel ini; isinya tidak diambil."] == [str(p) for p in pasted.problems]


def test_a_quoted_cell_keeps_its_newline_and_quotes():
    text = '2026-08-31\t10\t1\t"baris satu\nbaris ""dua"""\r\n'
    assert 'baris satu\nbaris "dua"' == parse_rows(text, LOG).rows[0]["catatan"]


def test_cells_that_do_not_fit_are_kept_as_typed_for_the_form_to_show():
    pasted = parse_rows("besok\tdua ratus\t1\t\n", LOG)
    assert {"tanggal": "besok", "dilayani": "dua ratus", "hari": 1, "catatan": ""} == pasted.rows[0]


def test_choices_are_matched_to_their_options_and_unknown_ones_kept():
    t = Table("t", "T", columns=(Choice("kanal", "Kanal", options=("Loket", "Daring (online)")),
                                 MultiChoice("hari", "Hari", options=("Senin", "Selasa")),
                                 Scale("mutu", "Mutu"),
                                 Choice("fungsi", "Fungsi", options_from="f.uraian")))
    pasted = parse_rows("daring (online)\tselasa, Senin, Minggu\t4\tpelayanan\n", t, {"fungsi": ["Pelayanan"]})
    assert {"kanal": "Daring (online)", "hari": ["Senin", "Selasa", "Minggu"], "mutu": 4,
            "fungsi": "Pelayanan"} == pasted.rows[0]


def test_extra_cells_beyond_the_columns_are_named():
    t = Table("t", "T", columns=(ShortText("a", "A"),))
    pasted = parse_rows("x\ty\nz\n", t)
    assert ({"a": "x"}, {"a": "z"}) == pasted.rows
    assert "Baris tempelan 1 berisi lebih banyak kolom" in str(pasted.problems[0])


def test_pasted_rows_fill_blank_rows_first_then_append_up_to_the_limit():
    rows = [{"a": "ada"}, {"a": "", "lama": "kunci lain"}, {"a": ""}]
    pasted = [{"a": str(n)} for n in range(1, 6)]
    p = place_rows(rows, pasted, lambda r: not r["a"], limit=4)
    assert ({"a": "ada"}, {"a": "1", "lama": "kunci lain"}, {"a": "2"}, {"a": "3"}) == p.rows
    assert ((1, 2), 1, (4, 5), 3) == (p.filled, p.appended, p.left, p.taken)
    said = [str(m) for m in placement_messages(p, 4)]
    assert "3 baris ditempel (2 mengisi baris kosong, 1 ditambahkan di bawah)." == said[0]
    assert said[1].startswith("Baris tempelan 4–5 TIDAK diambil: tabel ini paling banyak 4 baris.")


def test_the_rows_that_did_not_fit_are_given_back_as_tab_separated_text():
    text = "2026-08-01\t1\t1\ta\n2026-08-02\t2\t2\t\"dua\nbaris\"\n2026-08-03\t3\t3\tc\n"
    pasted = parse_rows(text, LOG)
    p = place_rows([], pasted.rows, lambda r: False, limit=1)
    back = leftover_text(pasted, p)
    assert pasted.rows[1:] == parse_rows(back, LOG).rows
    reordered = parse_rows("Catatan\tTanggal\nx\t2026-08-01\ny\t2026-08-02\n", LOG)
    again = parse_rows(leftover_text(reordered, place_rows([], reordered.rows, lambda r: False, 1)), LOG)
    assert ({"tanggal": "2026-08-02", "dilayani": None, "hari": None, "catatan": "y"},) == again.rows


@pytest.mark.parametrize(("numbers", "text"), [([1], "1"), ([2, 3, 4, 9], "2–4, 9"), ([], "")])
def test_row_numbers_are_written_as_ranges(numbers, text):
    assert text == number_ranges(numbers)
