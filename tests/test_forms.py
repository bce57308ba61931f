"""Forms: every field kind renders and round-trips through the answers file; stages share one
answers dict; tables, checks, history, recovery and headless mode behave for a participant."""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

import lablib.notebook.forms as F
import lablib.notebook.sessions as S
from lablib.core.answers import AnswerStore, load_answers, save_answers
from lablib.core.calendar import load_calendar
from lablib.core.checks import Answers, Check, results_html, run_checks
from lablib.core.exercises import Exercise
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
from lablib.core.i18n import T
from lablib.curriculum import get_exercise
from lablib.curriculum.samples import model_answers
from lablib.notebook.summary import AnswersSummary


def _needs_name(a):
    return [] if a.filled("nama_opd") else [T("Nama OPD belum diisi.")]


# Every field kind in one exercise. It is not in the curriculum: forms accept a definition object.
ALL_KINDS = Exercise(
    id="drum-up.du9", code="DU9", title="Semua jenis isian", instructions="Isi semua <b>isian</b>.",
    fields=(
        ShortText("nama_opd", "Nama OPD", help="Contoh: Disdukcapil"),
        LongText("uraian", "Uraian singkat", min_words=5, max_words=50),
        Number("anggaran", "Anggaran", unit="rupiah", minimum=0),
        DateField("tanggal", "Tanggal komitmen"),
        Choice("bentuk", "Bentuk inovasi", options=("Pelayanan publik", "Tata kelola")),
        MultiChoice("saluran", "Saluran", options=("Loket", "WhatsApp", "Situs web")),
        Scale("kesiapan", "Kesiapan tim"),
        Table("layanan", "Layanan", min_rows=1, max_rows=3, row_label="Layanan", columns=(
            ShortText("nama", "Nama layanan"),
            Number("pengguna", "Pengguna per tahun", integer=True),
            DateField("mulai", "Mulai"),
            Choice("kanal", "Kanal", options=("Loket", "Daring")),
            Scale("mutu", "Mutu"),
            MultiChoice("hari", "Hari buka", options=("Senin", "Selasa")),
        )),
        Choice("layanan_utama", "Layanan utama", options_from="layanan.nama"),
    ),
    checks=(Check("nama", "Nama OPD diisi", 1, _needs_name),),
)
ALL_KINDS.validate()

# A second exercise of the diagnose stage, to share DG1's answers file.
OTHER_DIAGNOSE = Exercise(
    id="diagnose.dg9", code="DG9", title="Catatan", instructions="Tulis catatan.",
    fields=(ShortText("catatan", "Catatan"),),
)
OTHER_DIAGNOSE.validate()


@pytest.fixture(autouse=True)
def fresh_sessions(monkeypatch):
    monkeypatch.setattr(S, "DEBOUNCE_SECONDS", 0.01)
    monkeypatch.delenv("LABLIB_HEADLESS", raising=False)
    F.reset_sessions()
    yield
    F.reset_sessions()


def open_form(exercise, folder: Path) -> F.Form:
    form = F.form(exercise, folder, headless=False)
    assert isinstance(form, F.Form)
    return form


def reopen(exercise, folder: Path) -> F.Form:
    """What a participant sees after restarting the kernel: sessions forgotten, file read again."""
    F.reset_sessions()
    return open_form(exercise, folder)


def on_disk(folder: Path, stage: str) -> dict:
    return json.loads((folder / f"jawaban-{stage}.json").read_text(encoding="utf-8"))["answers"]


def fill_all_kinds(f: F.Form) -> None:
    f.widget_for("nama_opd").value = "Disdukcapil Banggai Kepulauan"
    f.widget_for("uraian").value = "Jemput bola ke pulau pulau kecil 🌊"
    f.widget_for("anggaran").value = "1.250.000"
    f.widget_for("tanggal").value = dt.date(2026, 8, 14)
    f.widget_for("bentuk").value = "Tata kelola"
    f.widget_for("saluran").value = ["WhatsApp", "Loket"]
    f.widget_for("kesiapan").value = 4
    f.widget_for("layanan", row=0, column="nama").value = "Akta kelahiran"
    f.widget_for("layanan", row=0, column="pengguna").value = "1200"
    f.widget_for("layanan", row=0, column="mulai").value = dt.date(2026, 10, 1)
    f.widget_for("layanan", row=0, column="kanal").value = "Daring"
    f.widget_for("layanan", row=0, column="mutu").value = 5
    f.widget_for("layanan", row=0, column="hari").value = ["Selasa"]
    f.widget_for("layanan_utama").value = "Akta kelahiran"


EXPECTED_ALL_KINDS = {
    "nama_opd": "Disdukcapil Banggai Kepulauan",
    "uraian": "Jemput bola ke pulau pulau kecil 🌊",
    "anggaran": 1250000,
    "tanggal": "2026-08-14",
    "bentuk": "Tata kelola",
    "saluran": ["Loket", "WhatsApp"],
    "kesiapan": 4,
    "layanan": [{"nama": "Akta kelahiran", "pengguna": 1200, "mulai": "2026-10-01", "kanal": "Daring",
                 "mutu": 5, "hari": ["Selasa"]}],
    "layanan_utama": "Akta kelahiran",
}


# ------------------------------------------------------------------------------ round trips

def test_every_field_kind_autosaves_json_ready_values(tmp_path):
    f = open_form(ALL_KINDS, tmp_path)
    fill_all_kinds(f)
    assert f.wait_saved()
    stored = on_disk(tmp_path, "drum-up")["drum-up.du9"]
    assert EXPECTED_ALL_KINDS == stored
    assert isinstance(stored["anggaran"], int) and isinstance(stored["layanan"][0]["pengguna"], int)
    assert f.status_text.startswith("✓ Tersimpan ")


def test_a_new_kernel_shows_every_saved_value(tmp_path):
    fill_all_kinds(open_form(ALL_KINDS, tmp_path))
    f = reopen(ALL_KINDS, tmp_path)
    assert "Disdukcapil Banggai Kepulauan" == f.widget_for("nama_opd").value
    assert "Jemput bola ke pulau pulau kecil 🌊" == f.widget_for("uraian").value
    assert "1250000" == f.widget_for("anggaran").value
    assert dt.date(2026, 8, 14) == f.widget_for("tanggal").value
    assert "Tata kelola" == f.widget_for("bentuk").value
    assert ["Loket", "WhatsApp"] == f.widget_for("saluran").value
    assert 4 == f.widget_for("kesiapan").value
    assert "Akta kelahiran" == f.widget_for("layanan", row=0, column="nama").value
    assert "1200" == f.widget_for("layanan", row=0, column="pengguna").value
    assert dt.date(2026, 10, 1) == f.widget_for("layanan", row=0, column="mulai").value
    assert "Daring" == f.widget_for("layanan", row=0, column="kanal").value
    assert 5 == f.widget_for("layanan", row=0, column="mutu").value
    assert ["Selasa"] == f.widget_for("layanan", row=0, column="hari").value
    assert "Akta kelahiran" == f.widget_for("layanan_utama").value
    assert EXPECTED_ALL_KINDS == f.answers
    assert f.status_text.startswith("✓ Tersimpan ")


def test_dg1_model_answers_show_in_the_form(tmp_path):
    save_answers(tmp_path, "diagnose", model_answers("diagnose"))
    f = open_form("diagnose.dg1", tmp_path)
    first = model_answers("diagnose")["diagnose.dg1"]["masalah"][0]
    assert first["nama"] == f.widget_for("masalah", row=0, column="nama").value
    assert first["u"] == f.widget_for("masalah", row=0, column="u").value
    assert model_answers("diagnose")["diagnose.dg1"]["masalah_terpilih"] == f.widget_for("masalah_terpilih").value


def test_every_curriculum_exercise_shows_its_model_answers_unchanged_and_passes_periksa(tmp_path):
    from lablib.curriculum import all_exercises

    for ex in all_exercises():
        folder = tmp_path / ex.stage
        if not folder.exists():
            save_answers(folder, ex.stage, model_answers(ex.stage))
        f = open_form(ex.id, folder)
        assert [] == [c.message.value for c in f._all_controls() if c.message.value], ex.id
        f.buttons["simpan"].click()
        assert model_answers(ex.stage) == load_answers(folder, ex.stage), ex.id  # opening changes nothing
        assert f.check().passed, (ex.id, str(f.last_result))
        assert f.last_error is None


def test_labels_help_title_and_instructions_are_visible_and_escaped(tmp_path):
    f = open_form(ALL_KINDS, tmp_path)
    html_parts = [w.value for w in _walk(f.widget) if type(w).__name__ == "HTML"]
    text = "\n".join(html_parts)
    assert "DU9 Semua jenis isian" in text
    assert "Isi semua &lt;b&gt;isian&lt;/b&gt;." in text
    for label in ("Nama OPD", "Uraian singkat", "Anggaran", "Tanggal komitmen", "Kesiapan tim", "Layanan utama"):
        assert label in text
    assert "Contoh: Disdukcapil" in text
    assert "rupiah" in text
    assert "+ Tambah baris" == f.controls["layanan"].add_button.description


def test_english_is_used_when_the_language_is_en(tmp_path):
    from lablib.core.i18n import set_language

    set_language("en")
    try:
        f = open_form("diagnose.dg1", tmp_path)
        assert "Check" == f.buttons["periksa"].description
        assert "+ Add row" == f.controls["masalah"].add_button.description
        assert "● Not saved yet" == f.status_text
        text = "\n".join(w.value for w in _walk(f.widget) if type(w).__name__ == "HTML")
        assert "DG1 Problem list and priorities" in text and "Problems" in text
    finally:
        set_language("id")


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def test_long_text_counts_words_against_its_limits(tmp_path):
    f = open_form(ALL_KINDS, tmp_path)
    f.widget_for("uraian").value = "tiga kata saja"
    counter = f.controls["uraian"].counter.value
    assert "3 kata" in counter and "minimal 5" in counter and "maksimal 50" in counter
    assert "#b71c1c" in counter  # below the minimum: shown in red


@pytest.mark.parametrize("stored", [1250000.5, 1234567.89, 0.125, 1.125, -999.999, 0.1 + 0.2, 43900000, -7.5])
def test_the_number_box_shows_a_saved_number_so_it_reads_back_unchanged(tmp_path, stored):
    # The text box shows the number for editing (every digit, a decimal comma: "0,125", never
    # "0.125", which the form reads as 125): its text reads back as the saved number, and
    # opening the form rewrites nothing.
    save_answers(tmp_path, "drum-up", {"drum-up.du9": {"anggaran": stored}})
    f = open_form(ALL_KINDS, tmp_path)
    shown = f.widget_for("anggaran").value
    assert stored == ALL_KINDS.field("anggaran").coerce(shown), shown
    f.wait_saved()
    assert stored == on_disk(tmp_path, "drum-up")["drum-up.du9"]["anggaran"]


def test_the_range_message_writes_numbers_in_the_one_indonesian_style(tmp_path):
    f = open_form(ALL_KINDS, tmp_path)
    f.widget_for("anggaran").value = "-1.250.000,5"
    f.wait_saved()
    assert -1250000.5 == on_disk(tmp_path, "drum-up")["drum-up.du9"]["anggaran"]
    assert "Nilai -1.250.000,5 di luar rentang yang diharapkan (0–…)" in f.controls["anggaran"].message.value


# ------------------------------------------------------------------------------ bad values

def test_a_number_that_is_not_a_number_is_kept_as_typed_with_a_message(tmp_path):
    f = open_form(ALL_KINDS, tmp_path)
    f.widget_for("anggaran").value = "dua juta"
    f.wait_saved()
    assert "dua juta" == on_disk(tmp_path, "drum-up")["drum-up.du9"]["anggaran"]
    assert "harus angka" in f.controls["anggaran"].message.value
    g = reopen(ALL_KINDS, tmp_path)
    assert "dua juta" == g.widget_for("anggaran").value
    assert "harus angka" in g.controls["anggaran"].message.value


def test_stored_values_that_do_not_fit_are_shown_with_messages_and_never_lost(tmp_path):
    bad = {"nama_opd": "Dinas <script>alert(1)</script>", "tanggal": "besok", "bentuk": "Lainnya",
           "kesiapan": 9, "saluran": ["Loket", "Fax"], "anggaran": -5,
           "layanan": [{"nama": "A", "pengguna": "banyak", "mulai": "2026-13-45", "extra": "kunci lain"}]}
    save_answers(tmp_path, "drum-up", {"drum-up.du9": bad})
    f = open_form(ALL_KINDS, tmp_path)
    messages = {fid: c.message.value for fid, c in f.controls.items()}
    assert "TTTT-BB-HH" in messages["tanggal"]
    assert "Lainnya" in messages["bentuk"] and "Lainnya" in str(f.widget_for("bentuk").options)
    assert "Skala harus 1–5" in messages["kesiapan"]
    assert "Fax" in messages["saluran"]
    assert "di luar rentang" in messages["anggaran"]
    assert "harus angka" in f.controls["layanan"].cells[0]["pengguna"].message.value
    # Editing one field writes only that field: every other raw value stays in the file.
    f.widget_for("nama_opd").value = "Dinas Kependudukan"
    f.widget_for("layanan", row=0, column="nama").value = "Akta"
    f.wait_saved()
    stored = on_disk(tmp_path, "drum-up")["drum-up.du9"]
    assert {**bad, "nama_opd": "Dinas Kependudukan",
            "layanan": [{**bad["layanan"][0], "nama": "Akta"}]} == stored


def test_a_failed_save_shows_an_error_and_keeps_the_answers_in_the_form(tmp_path, monkeypatch):
    f = open_form(ALL_KINDS, tmp_path)

    def disk_full(self, answers, *, snapshot=False):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(AnswerStore, "save", disk_full)
    f.widget_for("nama_opd").value = "Dinas"
    assert f.save() is False
    assert "Jawaban BELUM tersimpan: disk penuh" in f.status_text and 'role="alert"' in f.status.value
    assert "Dinas" == f.answers["nama_opd"]
    monkeypatch.undo()
    monkeypatch.setattr(S, "DEBOUNCE_SECONDS", 0.01)
    assert f.save() is True
    assert "Dinas" == on_disk(tmp_path, "drum-up")["drum-up.du9"]["nama_opd"]


# ------------------------------------------------------------------------------ one file per stage

def test_two_forms_of_one_stage_do_not_overwrite_each_other(tmp_path):
    keep = {"diagnose.dg2": {"akar": "dari tahap lain"}, "catatan_fasilitator": [1, 2]}
    save_answers(tmp_path, "diagnose", keep)
    dg1 = open_form("diagnose.dg1", tmp_path)
    dg9 = open_form(OTHER_DIAGNOSE, tmp_path)
    dg1.widget_for("masalah", row=0, column="nama").value = "Antrean panjang"
    dg9.widget_for("catatan").value = "Catatan DG9"
    dg1.widget_for("justifikasi").value = "Alasan"
    dg1.wait_saved()
    stored = on_disk(tmp_path, "diagnose")
    assert "Antrean panjang" == stored["diagnose.dg1"]["masalah"][0]["nama"]
    assert "Alasan" == stored["diagnose.dg1"]["justifikasi"]
    assert {"catatan": "Catatan DG9"} == stored["diagnose.dg9"]
    assert keep["diagnose.dg2"] == stored["diagnose.dg2"]
    assert keep["catatan_fasilitator"] == stored["catatan_fasilitator"]


# ------------------------------------------------------------------------------ tables

def test_table_rows_are_added_and_removed_within_min_and_max(tmp_path):
    f = open_form("diagnose.dg1", tmp_path)
    table = f.controls["masalah"]
    assert 3 == len(table.cells)  # min_rows blank rows ready to fill
    assert all(button.disabled for button in table.remove_buttons)
    assert all(line.children[-1] is button for line, button in zip(table.row_box.children, table.remove_buttons))
    f.remove_row("masalah", 0)
    assert 3 == len(table.cells)
    for _ in range(6):
        table.add_button.click()
    assert 7 == len(table.cells) and table.add_button.disabled
    f.add_row("masalah")
    assert 7 == len(table.cells)
    for i in range(7):
        f.widget_for("masalah", row=i, column="nama").value = f"Masalah {i}"
    f.remove_row("masalah", 2)
    f.wait_saved()
    names = [r["nama"] for r in on_disk(tmp_path, "diagnose")["diagnose.dg1"]["masalah"]]
    assert ["Masalah 0", "Masalah 1", "Masalah 3", "Masalah 4", "Masalah 5", "Masalah 6"] == names
    assert "Masalah 3" == f.widget_for("masalah", row=2, column="nama").value
    assert not table.add_button.disabled


def test_removing_a_filled_row_asks_for_a_second_click(tmp_path):
    f = open_form(ALL_KINDS, tmp_path)
    f.add_row("layanan")
    f.widget_for("layanan", row=1, column="nama").value = "Surat pindah"
    button = f.controls["layanan"].remove_buttons[1]
    assert "Hapus Layanan 2" == button.tooltip
    button.click()
    assert 2 == len(f.controls["layanan"].cells) and "Yakin hapus?" == button.description
    button.click()
    assert 1 == len(f.controls["layanan"].cells)
    f.wait_saved()
    assert 1 == len(on_disk(tmp_path, "drum-up")["drum-up.du9"]["layanan"])


def test_choice_options_follow_the_table_column_and_a_renamed_row(tmp_path):
    f = open_form("diagnose.dg1", tmp_path)
    f.widget_for("masalah", row=0, column="nama").value = "Antrean"
    f.widget_for("masalah", row=1, column="nama").value = "Blanko habis"
    choice = f.widget_for("masalah_terpilih")
    assert [None, "Antrean", "Blanko habis"] == [v for _, v in choice.options]
    choice.value = "Antrean"
    f.widget_for("masalah", row=0, column="nama").value = "Antrean KTP-el"
    assert "Antrean KTP-el" == choice.value
    f.remove_row("masalah", 0)  # the chosen row is gone: kept, marked, with a message
    assert "Antrean KTP-el" == choice.value
    assert "tidak ada di daftar" in str(choice.options)
    f.wait_saved()
    assert "Antrean KTP-el" == on_disk(tmp_path, "diagnose")["diagnose.dg1"]["masalah_terpilih"]


# ------------------------------------------------------------------------------ buttons

def test_periksa_shows_run_checks_of_the_saved_answers(tmp_path):
    save_answers(tmp_path, "diagnose", model_answers("diagnose"))
    f = open_form("diagnose.dg1", tmp_path)
    f.widget_for("masalah", row=0, column="u").value = 1  # breaks the USG totals
    f.buttons["periksa"].click()
    expected = run_checks(get_exercise("diagnose.dg1"), load_answers(tmp_path, "diagnose"), load_calendar(tmp_path))
    assert results_html(expected) == f.results_html
    assert expected == f.last_result
    assert not f.last_result.passed


def test_simpan_saves_at_once_and_shows_the_time(tmp_path):
    f = open_form(ALL_KINDS, tmp_path)
    assert "● Belum tersimpan" == f.status_text
    f.widget_for("nama_opd").value = "Dinas"
    assert "● Belum tersimpan" == f.status_text
    f.buttons["simpan"].click()
    assert "Dinas" == on_disk(tmp_path, "drum-up")["drum-up.du9"]["nama_opd"]
    assert f.status_text.startswith("✓ Tersimpan ")


def test_history_lists_versions_and_restores_one(tmp_path):
    f = open_form(ALL_KINDS, tmp_path)
    f.widget_for("nama_opd").value = "Versi A"
    f.save()
    f.widget_for("nama_opd").value = "Versi B"
    f.save()
    assert f.versions() and f.version_list.options
    version_a = next(v for v in f.versions()
                     if json.loads(v.path.read_text())["answers"]["drum-up.du9"]["nama_opd"] == "Versi A")
    f.version_list.value = version_a.path.name
    f.buttons["pulihkan"].click()
    assert "Versi A" == f.widget_for("nama_opd").value
    assert "Versi A" == on_disk(tmp_path, "drum-up")["drum-up.du9"]["nama_opd"]
    assert any(json.loads(v.path.read_text())["answers"]["drum-up.du9"]["nama_opd"] == "Versi B"
               for v in f.versions())


def test_corrupt_answers_file_shows_a_notice_moves_it_aside_and_restores_history(tmp_path):
    good = {"drum-up.du9": {"nama_opd": "Tersimpan dulu"}}
    save_answers(tmp_path, "drum-up", good)
    save_answers(tmp_path, "drum-up", good)  # the first save goes into the history
    broken = b'{"schema_version": 1, "answers": {"drum-up.du9": '
    (tmp_path / "jawaban-drum-up.json").write_bytes(broken)
    f = open_form(ALL_KINDS, tmp_path)
    assert "rusak" in f.notices_box.value and "dipulihkan" in f.notices_box.value
    assert 'role="alert"' in f.notices_box.value
    aside = list(tmp_path.glob("jawaban-drum-up.rusak-*.json"))
    assert 1 == len(aside) and broken == aside[0].read_bytes()
    assert "Tersimpan dulu" == f.widget_for("nama_opd").value


def test_a_callback_bug_shows_a_friendly_message_not_a_traceback(tmp_path, monkeypatch):
    f = open_form(ALL_KINDS, tmp_path)
    monkeypatch.setattr(S.Session, "set_value", lambda *a, **k: 1 / 0)
    f.widget_for("nama_opd").value = "Dinas"
    assert isinstance(f.last_error, ZeroDivisionError)
    assert "Terjadi kesalahan pada formulir" in f.results_html


# ------------------------------------------------------------------------------ headless

def test_headless_under_nbgrader_returns_static_html_and_creates_no_widgets(tmp_path, monkeypatch):
    save_answers(tmp_path, "diagnose", model_answers("diagnose"))
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # building any widget would fail
    summary = F.form("diagnose.dg1", tmp_path)
    assert isinstance(summary, AnswersSummary)
    assert "Cakupan akta kelahiran anak di pulau kecil rendah" in summary._repr_html_()
    assert "Cakupan akta kelahiran anak" in str(summary)


def test_plain_python_is_headless_and_never_imports_ipywidgets(tmp_path):
    save_answers(tmp_path, "diagnose", model_answers("diagnose"))
    code = ("import sys, lablib; s = lablib.form('diagnose.dg1', sys.argv[1]); "
            "print(type(s).__name__, 'ipywidgets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    assert "AnswersSummary False" == out.stdout.strip()
    assert "" == out.stderr


def test_import_button_headless_only_prints_a_note(tmp_path, capsys):
    assert F.import_button("design", tmp_path, headless=True) is None
    assert "hanya aktif" in capsys.readouterr().out


# ------------------------------------------------------------------------------ real kernels

def _run_notebook(folder: Path, cells: list[str]):
    nbformat = pytest.importorskip("nbformat")
    from conftest import execute

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    execute(nb, kernel_name="python3", timeout=60, resources={"metadata": {"path": str(folder)}})
    return nb


@pytest.mark.slow
def test_nbgrader_execution_in_a_real_kernel_shows_html_and_no_widget(tmp_path, monkeypatch):
    save_answers(tmp_path, "diagnose", model_answers("diagnose"))
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")  # the kernel inherits it
    nb = _run_notebook(tmp_path, ['import lablib; lablib.form("diagnose.dg1")'])
    outputs = nb.cells[0].outputs
    assert [] == [o for o in outputs if o.get("name") == "stderr" or o.output_type == "error"]
    html_out = [o for o in outputs if "text/html" in o.get("data", {})]
    assert 1 == len(html_out)
    assert "Cakupan akta kelahiran anak di pulau kecil rendah" in html_out[0].data["text/html"]
    assert not any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)


@pytest.mark.slow
def test_a_real_kernel_autosaves_through_its_event_loop(tmp_path):
    nb = _run_notebook(tmp_path, [
        "import lablib\nf = lablib.form('diagnose.dg1')",
        "f.widget_for('masalah', row=0, column='nama').value = 'Dari kernel'",
        "import asyncio\nawait asyncio.sleep(1.5)\nprint(f.status_text)",
    ])
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in nb.cells[0].outputs)
    assert [] == [o for c in nb.cells for o in c.outputs if o.get("name") == "stderr" or o.output_type == "error"]
    assert "Dari kernel" == on_disk(tmp_path, "diagnose")["diagnose.dg1"]["masalah"][0]["nama"]
    assert nb.cells[2].outputs[0].text.startswith("✓ Tersimpan")


# ------------------------------------------------------------------------------ computed, linked, one open at a time

BUDGET = Exercise(
    id="drum-up.du8", code="DU8", title="Anggaran", instructions="Isi baris anggaran.",
    fields=(
        Table("pos", "Pos anggaran", min_rows=1, max_rows=5, row_label="Pos", columns=(
            ShortText("nama", "Nama pos"),
            Number("volume", "Volume", integer=True),
            Number("harga", "Harga satuan", unit="rupiah"),
            Computed("jumlah", "Jumlah", unit="rupiah",
                     compute=lambda rows: [r["volume"] * r["harga"] if r["volume"] is not None
                                           and r["harga"] is not None else None for r in rows]),
        )),
        Computed("total", "Total anggaran", unit="rupiah",
                 compute=lambda a: sum(r["jumlah"] or 0 for r in a.rows("pos")) or None),
    ),
)
BUDGET.validate()

# A diagnose exercise whose choice reads DG1's problem names (another exercise of the stage).
LINKED = Exercise(
    id="diagnose.dg8", code="DG8", title="Tautan", instructions="Pilih masalah dari DG1.",
    fields=(Choice("masalah", "Masalah dari DG1", options_from="diagnose.dg1:masalah.nama"),),
)
LINKED.validate()


def test_computed_fields_follow_every_change_as_the_checks_read_them_and_are_never_saved(tmp_path):
    f = open_form(BUDGET, tmp_path)
    f.widget_for("pos", row=0, column="nama").value = "Honor"
    f.widget_for("pos", row=0, column="volume").value = "3"
    f.widget_for("pos", row=0, column="harga").value = "1.250.000"
    assert "Rp3.750.000" in f.widget_for("pos", row=0, column="jumlah").value
    assert "Rp3.750.000" in f.widget_for("total").value
    f.add_row("pos")
    f.controls["pos"].paste("Transport\t2\t500.000\n")
    assert "Rp1.000.000" in f.widget_for("pos", row=1, column="jumlah").value
    assert "Rp4.750.000" in f.widget_for("total").value
    assert type(f.widget_for("total")).__name__ == "HTML"  # shown, not an input
    answers = Answers(BUDGET, {BUDGET.id: f.answers})
    assert 4750000 == answers["total"] and [3750000, 1000000] == [r["jumlah"] for r in answers.rows("pos")]
    f.wait_saved()
    stored = on_disk(tmp_path, "drum-up")["drum-up.du8"]
    assert {"pos": [{"nama": "Honor", "volume": 3, "harga": 1250000},
                    {"nama": "Transport", "volume": 2, "harga": 500000}]} == stored
    f.widget_for("pos", row=1, column="harga").value = "mahal"  # a bad cell: no value, no crash
    assert "—" in f.widget_for("pos", row=1, column="jumlah").value and f.last_error is None


def test_a_choice_from_another_exercise_follows_that_exercise_s_form(tmp_path):
    dg1 = open_form("diagnose.dg1", tmp_path)
    linked = open_form(LINKED, tmp_path)
    choice = linked.widget_for("masalah")
    assert [None] == [v for _, v in choice.options]
    dg1.widget_for("masalah", row=0, column="nama").value = "Antrean"
    dg1.widget_for("masalah", row=1, column="nama").value = "Blanko habis"
    assert [None, "Antrean", "Blanko habis"] == [v for _, v in choice.options]
    choice.value = "Blanko habis"
    dg1.widget_for("masalah", row=1, column="nama").value = ""  # gone from DG1: kept, marked, with a message
    assert "Blanko habis" == choice.value and "tidak ada di daftar" in str(choice.options)
    assert "Blanko habis" in linked.controls["masalah"].message.value
    dg1.widget_for("masalah", row=2, column="nama").value = "Sinyal lemah"
    f = reopen(LINKED, tmp_path)  # a new kernel reads the options from the file
    assert [None, "Antrean", "Sinyal lemah", "Blanko habis"] == [v for _, v in f.widget_for("masalah").options]
    assert "Blanko habis" == f.answers["masalah"]


def test_only_one_exercise_of_a_stage_is_open_and_the_first_to_do_starts_open(tmp_path):
    done = {"diagnose.dg9": {"catatan": "sudah"}}
    save_answers(tmp_path, "diagnose", done)
    dg9 = open_form(OTHER_DIAGNOSE, tmp_path)
    assert not dg9.expanded and "✓ lengkap" in dg9.state.value and "Buka DG9" == dg9.toggle.description
    dg1 = open_form("diagnose.dg1", tmp_path)
    linked = open_form(LINKED, tmp_path)
    assert dg1.expanded and "belum diisi" in dg1.state.value and "Tutup DG1" == dg1.toggle.description
    assert not linked.expanded and "none" == linked.body.layout.display
    linked.toggle.click()
    assert [False, False, True] == [f.expanded for f in (dg9, dg1, linked)]
    assert "" == linked.body.layout.display and "none" == dg1.body.layout.display
    dg1.widget_for("masalah", row=0, column="nama").value = "Antrean"
    assert "sebagian" in dg1.state.value and "sebagian" in dg1.toggle.tooltip
    linked.toggle.click()
    assert not any(f.expanded for f in (dg9, dg1, linked))
    dg1.check()
    assert "Periksa: 0 dari" in dg1.state.value


def test_on_change_hooks_run_after_every_change_and_a_failing_one_stops_nothing(tmp_path):
    f = open_form(ALL_KINDS, tmp_path)
    calls = []
    f.on_change.append(lambda: calls.append(f.answers.get("nama_opd")))
    f.on_change.append(lambda: 1 / 0)
    f.widget_for("nama_opd").value = "Dinas"
    f.controls["layanan"].paste("Akta\t1.200\n")
    assert ["Dinas", "Dinas"] == calls and isinstance(f.last_error, ZeroDivisionError)
    f.wait_saved()
    assert "Akta" == on_disk(tmp_path, "drum-up")["drum-up.du9"]["layanan"][0]["nama"]


def test_a_twelve_week_dv1_log_is_twelve_grid_lines(tmp_path):
    dv1 = get_exercise("deliver.dv1")
    rows = [{"tanggal": f"2026-09-{d:02d}", "dilayani": 100 + d, "hari_layanan": 3, "aduan_masuk": 2,
             "aduan_selesai": 1, "catatan": "Jemput bola"} for d in range(1, 13)]
    save_answers(tmp_path, "deliver", {"deliver.dv1": {"log": rows}})
    f = open_form(dv1, tmp_path)
    table = f.controls["log"]
    assert 12 == len(table.row_box.children)
    shown = lambda w: getattr(w.layout, "display", None) != "none"  # noqa: E731
    for line in table.row_box.children:  # each line: number, inputs, button; nothing under them
        cells = [c for c in line.children if shown(c)]
        assert len(dv1.field("log").columns) + 2 == len(cells)
        assert all(len([w for w in c.children if shown(w)]) == 1 for c in cells if hasattr(c, "children"))


def test_a_row_with_a_required_cell_empty_is_not_complete(tmp_path):
    from lablib.curriculum.samples import model_answers

    entry = copy.deepcopy(model_answers("drum-up")["drum-up.du1"])
    save_answers(tmp_path, "drum-up", {"drum-up.du1": entry})
    assert "✓ lengkap" in open_form("drum-up.du1", tmp_path).state.value
    team = next(f for f in get_exercise("drum-up.du1").fields if isinstance(f, Table) and f.id.startswith("tim"))
    needed = next(c for c in team.columns if c.required)
    entry[team.id][0][needed.id] = ""
    save_answers(tmp_path, "drum-up", {"drum-up.du1": entry})
    f = reopen("drum-up.du1", tmp_path)
    assert not f.complete and "sebagian" in f.state.value


def test_the_form_draws_its_pictures_from_the_answers_as_they_are_typed(tmp_path):
    from lablib.curriculum.samples import model_answers

    save_answers(tmp_path, "diagnose", {"diagnose.dg1": model_answers("diagnose")["diagnose.dg1"]})
    f = open_form("diagnose.dg1", tmp_path)
    assert f.pictures is not None and f.pictures.widget in f.body.children
    assert f.pictures.wait(20)
    shown = next(iter(f.pictures.figures.values()))
    first = shown.value
    assert "<img" in first and 'alt="' in first
    f.widget_for("masalah", row=0, column="nama").value = "Nama <b>baru</b>"  # a redraw, escaped alt text
    assert f.pictures.wait(20)
    assert shown.value != first and "<b>baru" not in shown.value
    assert open_form("drum-up.du1", tmp_path).pictures is None  # DU1 has no picture
