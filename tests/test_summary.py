"""The static answers summary: readable, escaped everywhere, never loses or hides data silently."""

from __future__ import annotations

import dataclasses

import pytest

from lablib.core.answers import save_answers
from lablib.core.checks import results_html, run_checks
from lablib.core.exercises import Exercise
from lablib.core.fields import DateField, LongText, MultiChoice, Number, ShortText, Table
from lablib.curriculum import get_exercise
from lablib.curriculum.samples import model_answers
from lablib.notebook.summary import (
    SHOW_CHARS,
    AnswersSummary,
    answers_html,
    answers_text,
    folder_summary,
)

XSS = "<script>alert(1)</script>"

EXERCISE = Exercise(
    id="drum-up.du9", code="DU9", title="Profil <b>OPD</b>", instructions="-",
    fields=(
        ShortText("nama", "Nama <b>OPD</b>"),
        LongText("uraian", "Uraian", required=False),
        Number("pengguna", "Pengguna", unit="orang"),
        DateField("tanggal", "Tanggal"),
        MultiChoice("saluran", "Saluran", options=("Loket", "WhatsApp")),
        Table("tim", "Tim <i>inovasi</i>", columns=(ShortText("nama", "Nama <u>anggota</u>"),
                                                    ShortText("peran", "Peran"))),
    ),
)
EXERCISE.validate()


def test_every_participant_string_is_escaped():
    answers = {"drum-up.du9": {"nama": XSS, "uraian": "<b>tebal</b>",
                               "tim": [{"nama": XSS, "peran": "<b>Ketua</b>"}]}}
    html = answers_html(EXERCISE, answers)
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html and "<u>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2
    assert "&lt;b&gt;tebal&lt;/b&gt;" in html and "&lt;b&gt;Ketua&lt;/b&gt;" in html
    assert "Nama &lt;b&gt;OPD&lt;/b&gt;" in html and "Tim &lt;i&gt;inovasi&lt;/i&gt;" in html
    assert "Nama &lt;u&gt;anggota&lt;/u&gt;" in html and "Profil &lt;b&gt;OPD&lt;/b&gt;" in html


def test_values_that_do_not_fit_are_shown_with_their_message_escaped():
    html = answers_html(EXERCISE, {"drum-up.du9": {"pengguna": XSS, "tanggal": "besok"}})
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "harus angka" in html and "TTTT-BB-HH" in html and "besok" in html


def test_empty_answers_show_a_dash_everywhere():
    html = answers_html(EXERCISE, {})
    assert html.count("—") == len(EXERCISE.fields)
    text = answers_text(EXERCISE, {"drum-up.du9": {"tim": [{"nama": "", "peran": ""}]}})
    assert text.count("—") == len(EXERCISE.fields)


def test_tables_become_html_tables_without_blank_rows():
    answers = {"tim": [{"nama": "Ni Luh Putu Ayu 🌺", "peran": "Ketua"}, {"nama": "", "peran": ""},
                       {"nama": "La Ode Muhammad", "peran": "Anggota"}]}
    html = answers_html(EXERCISE, answers)  # the exercise's own entry works too
    assert html.count("<tr>") == 3  # header + two filled rows
    assert "Ni Luh Putu Ayu 🌺" in html and "La Ode Muhammad" in html
    assert "<th" in html and "Peran" in html


def test_very_long_text_is_cut_on_screen_with_a_note_and_kept_in_the_answers():
    long = "kata " * 3000  # 15 000 characters
    answers = {"drum-up.du9": {"uraian": long}}
    html = answers_html(EXERCISE, answers)
    assert long[:SHOW_CHARS] in html and long[: SHOW_CHARS + 5] not in html
    assert "ditampilkan 5.000 dari 15.000 karakter" in html and "jawaban lengkap tetap tersimpan" in html
    assert "(3000 kata)" in html
    assert long == answers["drum-up.du9"]["uraian"]
    assert "ditampilkan 5.000 dari 15.000 karakter" in answers_text(EXERCISE, answers)


def test_numbers_dates_and_choices_read_naturally():
    text = answers_text(EXERCISE, {"drum-up.du9": {"pengguna": 1200, "tanggal": "2026-08-14",
                                                   "saluran": ["WhatsApp", "Loket"]}})
    # lablib's one style (lablib.core.formatting): dots between thousands, the month written out
    assert "1.200 orang" in text and "14 Agustus 2026" in text and "Loket, WhatsApp" in text
    assert "\u2009" not in text and "2026-08-14" not in text


def test_the_participant_summary_shows_numbers_and_dates_in_the_one_indonesian_style():
    answers = {"drum-up.du9": {"pengguna": 1250000.5, "tanggal": "2019-08-14"}}
    for shown in (answers_text(EXERCISE, answers), answers_html(EXERCISE, answers)):
        assert "1.250.000,5 orang" in shown and "14 Agustus 2019" in shown
        assert "1250000.5" not in shown and "2019-08-14" not in shown
    assert {"pengguna": 1250000.5, "tanggal": "2019-08-14"} == answers["drum-up.du9"]  # the values are kept


def test_rupiah_and_percent_fields_read_as_lablib_writes_them_everywhere():
    ex = dataclasses.replace(EXERCISE, fields=(Number("anggaran", "Anggaran", unit="rupiah"),
                                               Number("bobot", "Bobot", unit="%")))
    text = answers_text(ex, {"drum-up.du9": {"anggaran": 43900000, "bobot": 12.5}})
    assert "Rp43.900.000" in text and "12,5%" in text


def test_with_checks_appends_the_self_check_result():
    ex = get_exercise("diagnose.dg1")
    answers = model_answers("diagnose")
    html = answers_html(ex, answers, with_checks=True)
    assert html.endswith(results_html(run_checks(ex, answers)) + "</div>")


def test_the_summary_object_is_frozen_and_shows_itself(tmp_path):
    save_answers(tmp_path, "diagnose", model_answers("diagnose"))
    summary = folder_summary("diagnose.dg1", tmp_path)
    assert isinstance(summary, AnswersSummary)
    assert summary._repr_html_() == summary.html and str(summary) == summary.text
    assert "Cakupan akta kelahiran anak di pulau kecil rendah" in summary.html
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.html = ""


def test_folder_summary_reads_a_corrupt_file_without_touching_it(tmp_path):
    path = tmp_path / "jawaban-diagnose.json"
    path.write_bytes(b"{not json")
    summary = folder_summary("diagnose.dg1", tmp_path)
    assert "rusak" in summary.html and 'role="alert"' in summary.html
    assert b"{not json" == path.read_bytes()
    assert [path] == list(tmp_path.iterdir())


def test_folder_summary_says_when_nothing_is_saved(tmp_path):
    assert "Belum ada jawaban tersimpan" in folder_summary("diagnose.dg1", tmp_path).text
