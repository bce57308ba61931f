import datetime as dt

import pytest

from lablib.core.fields import (
    AnswerError,
    Choice,
    DateField,
    LongText,
    MultiChoice,
    Number,
    Scale,
    ShortText,
    Table,
)


def test_number_accepts_indonesian_thousands_and_decimal_comma():
    n = Number("x", "Angka")
    assert n.coerce("1.250,5") == 1250.5
    assert n.coerce("12,5") == 12.5
    assert n.coerce(7) == 7
    assert n.coerce("") is None


@pytest.mark.parametrize("bad", ["tujuh", True, [1], float("nan"), {"a": 1}])
def test_number_rejects_non_numbers_with_an_indonesian_message(bad):
    with pytest.raises(AnswerError) as err:
        Number("x", "Jumlah warga").coerce(bad)
    assert "Jumlah warga" in str(err.value.message) and "angka" in str(err.value.message)


def test_integer_number_rejects_fractions():
    with pytest.raises(AnswerError):
        Number("x", "Peringkat", integer=True).coerce(1.5)


ROUND_TRIP = [0, 7, 999, 1000, 1200, 100000, 43900000, 1234567, -1250, 0.5, 12.25, 1250.5, 1250000.5,
              1234567.89, -3.5, -1250.75]


@pytest.mark.parametrize("value", ROUND_TRIP)
def test_a_number_shown_in_the_one_indonesian_style_reads_back_as_the_same_number(value):
    # What a participant sees (Number.display, lablib.core.formatting.number) is what the form
    # accepts: typing the shown text again gives the stored value back.
    n = Number("x", "Angka")
    shown = n.display(value)
    assert n.coerce(shown) == value, shown
    if isinstance(value, int):
        assert Number("x", "Angka", integer=True).coerce(shown) == value


def test_number_display_uses_decimal_comma_dots_rupiah_and_percent():
    assert "1.250.000,5" == Number("x", "Angka").display(1250000.5)
    assert "1.200 orang" == Number("x", "Pengguna", unit="orang").display(1200)
    assert "Rp43.900.000" == Number("x", "Anggaran", unit="rupiah").display(43900000)
    assert "12,5%" == Number("x", "Bobot", unit="%").display(12.5)
    assert "—" == Number("x", "Angka").display(None)


def test_date_display_writes_the_month_out():
    assert "14 Agustus 2019" == DateField("d", "Tanggal").display(dt.date(2019, 8, 14))
    assert "—" == DateField("d", "Tanggal").display(None)


def test_date_parses_iso_and_rejects_other_formats():
    d = DateField("d", "Tanggal")
    assert d.coerce("2026-08-13") == dt.date(2026, 8, 13)
    with pytest.raises(AnswerError):
        d.coerce("13/08/2026")


def test_choice_rejects_unknown_option_and_lists_the_valid_ones():
    c = Choice("c", "Jenis", options=("Digital", "Non-digital"))
    assert c.coerce("Digital") == "Digital"
    with pytest.raises(AnswerError) as err:
        c.coerce("Analog")
    assert "Digital, Non-digital" in str(err.value.message)


def test_multichoice_keeps_definition_order_and_drops_repeats():
    m = MultiChoice("m", "APKL", options=("Aktual", "Problematik", "Layak"))
    assert m.coerce(["Layak", "Aktual", "Layak"]) == ["Aktual", "Layak"]
    with pytest.raises(AnswerError):
        m.coerce("Aktual")


def test_scale_treats_zero_as_unanswered_and_keeps_out_of_range_for_the_check():
    s = Scale("u", "Urgency")
    assert s.coerce(0) is None
    assert s.coerce(7) == 7 and s.out_of_range(7)
    with pytest.raises(AnswerError):
        s.coerce("tinggi")


def test_table_coerces_rows_and_reports_bad_cells_without_losing_the_others():
    t = Table("t", "Daftar", columns=(ShortText("nama", "Nama"), Number("n", "Jumlah")))
    rows, errors = t.coerce_rows([{"nama": "A", "n": "x"}, {"nama": "B", "n": 3}, {}])
    assert rows[0] == {"nama": "A", "n": None} and rows[1] == {"nama": "B", "n": 3}
    assert len(errors) == 1 and "Baris 1" in str(errors[0])
    assert t.non_blank_rows(rows) == rows[:2]
    assert t.coerce_rows("garbage")[0] == [] and t.coerce_rows("garbage")[1]


def test_very_long_text_is_refused_with_its_length():
    with pytest.raises(AnswerError) as err:
        LongText("t", "Rancang bangun").coerce("a" * 30_000)
    assert "30000" in str(err.value.message)


def test_emoji_and_indonesian_names_round_trip():
    assert ShortText("n", "Nama").coerce("Ni Luh Putu Ayu 😊") == "Ni Luh Putu Ayu 😊"


@pytest.mark.parametrize("field,problem", [
    (ShortText("Bad Id", "x"), "lower-case"),
    (ShortText("ok", " "), "label is empty"),
    (Number("n", "N", minimum=5, maximum=1), "above maximum"),
    (Choice("c", "C", options=("a",)), "two options"),
    (Table("t", "T"), "no columns"),
    (LongText("l", "L", min_words=10, max_words=5), "below min_words"),
])
def test_bad_field_definitions_name_the_problem(field, problem):
    assert any(problem in p for p in field.validate_definition())
