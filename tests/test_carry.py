"""Carrying earlier stages' answers into a later stage's file, read-only and losing nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import lablib
import lablib.notebook.forms as F
import lablib.notebook.sessions as S
from lablib.core.answers import save_answers
from lablib.core.exercises import Exercise
from lablib.core.fields import ShortText
from lablib.core.stages import get_stage
from lablib.curriculum.samples import model_answers
from lablib.notebook.carry import CARRY, carried_differences, collect_previous, import_previous

DG1 = model_answers("diagnose")["diagnose.dg1"]
DG2 = {"akar_terpilih": "SOP belum ada"}

DESIGN_OWN = Exercise(id="design.ds9", code="DS9", title="Catatan desain", instructions="-",
                      fields=(ShortText("catatan", "Catatan"),))
DESIGN_OWN.validate()


@pytest.fixture(autouse=True)
def fresh_sessions(monkeypatch):
    monkeypatch.setattr(S, "DEBOUNCE_SECONDS", 0.01)
    F.reset_sessions()
    yield
    F.reset_sessions()


@pytest.fixture
def course(tmp_path) -> Path:
    for stage in ("diagnose", "design", "deliver", "display"):
        (tmp_path / stage).mkdir()
    return tmp_path


def answers_in(folder: Path, stage: str) -> dict:
    return json.loads((folder / f"jawaban-{stage}.json").read_text(encoding="utf-8"))["answers"]


def test_design_takes_the_listed_diagnose_answers_under_their_own_ids(course):
    save_answers(course / "diagnose", "diagnose", {"diagnose.dg1": DG1, "diagnose.dg2": DG2,
                                                   "diagnose.dg3": {"x": 1}})
    report = import_previous(course / "design", "design")
    assert ("diagnose.dg1", "diagnose.dg2") == report.imported
    assert ("diagnose.dg4",) == report.missing and not report.ok
    stored = answers_in(course / "design", "design")
    assert {"diagnose.dg1": DG1, "diagnose.dg2": DG2} == stored
    text = str(report)
    assert "Diambil dari tahap Diagnose: DG1, DG2" in text
    assert "DG4 belum ada di jawaban tahap Diagnose" in text and "tetap dapat melanjutkan" in text


def test_import_keeps_this_stage_own_answers_and_unknown_keys(course):
    save_answers(course / "diagnose", "diagnose", {"diagnose.dg1": DG1})
    own = {"design.ds1": {"nama": "Jemput bola"}, "catatan_lain": [1, 2], "diagnose.dg1": {"lama": True}}
    save_answers(course / "design", "design", own)
    import_previous(course / "design", "design")
    stored = answers_in(course / "design", "design")
    assert {**own, "diagnose.dg1": DG1} == stored


def test_a_second_import_refreshes_the_copies(course):
    save_answers(course / "diagnose", "diagnose", {"diagnose.dg1": DG1})
    import_previous(course / "design", "design")
    changed = {**DG1, "masalah_terpilih": "Biaya perjalanan warga ke Salakan mahal"}
    save_answers(course / "diagnose", "diagnose", {"diagnose.dg1": changed})
    import_previous(course / "design", "design")
    assert changed == answers_in(course / "design", "design")["diagnose.dg1"]


def test_a_missing_earlier_stage_is_explained_and_the_current_file_is_untouched(course):
    own = {"design.ds1": {"nama": "Jemput bola"}, "diagnose.dg1": DG1}
    save_answers(course / "design", "design", own)
    before = (course / "design" / "jawaban-design.json").read_bytes()
    report = import_previous(course / "design", "design")
    assert () == report.imported and not report.ok
    assert ("diagnose.dg1", "diagnose.dg2", "diagnose.dg4") == report.missing
    assert "Jawaban tahap Diagnose tidak ditemukan" in str(report)
    assert "Anda tetap dapat melanjutkan" in str(report)
    assert before == (course / "design" / "jawaban-design.json").read_bytes()


def test_a_corrupt_earlier_stage_is_explained_and_left_exactly_as_it_was(course):
    broken = course / "diagnose" / "jawaban-diagnose.json"
    broken.write_bytes(b'{"schema_version": 1, "answers": ')
    report = import_previous(course / "design", "design")
    assert "rusak" in str(report) and "tetap dapat melanjutkan" in str(report)
    assert b'{"schema_version": 1, "answers": ' == broken.read_bytes()
    assert [broken] == list((course / "diagnose").iterdir())
    assert not (course / "design" / "jawaban-design.json").exists()


def test_display_gathers_from_three_earlier_stages(course):
    save_answers(course / "diagnose", "diagnose", {"diagnose.dg1": DG1})
    save_answers(course / "design", "design", {"design.ds2": {"indikator": []}})
    save_answers(course / "deliver", "deliver", {"deliver.dv1": {"log": []}})
    report = import_previous(course / "display", "display")
    assert ("diagnose.dg1", "design.ds2", "deliver.dv1") == report.imported
    assert {"diagnose.dg1", "design.ds2", "deliver.dv1"} == set(answers_in(course / "display", "display"))


def test_a_stage_without_earlier_answers_to_take_writes_nothing(course):
    report = import_previous(course / "diagnose", "diagnose")
    assert () == report.imported and "tidak mengambil" in str(report)
    assert not (course / "diagnose" / "jawaban-diagnose.json").exists()


def test_collect_previous_only_reads(course):
    save_answers(course / "diagnose", "diagnose", {"diagnose.dg1": DG1})
    entries, report = collect_previous(course / "design", "design")
    assert {"diagnose.dg1": DG1} == entries and report.path is None
    assert [] == list((course / "design").iterdir())


def test_carry_only_takes_from_earlier_stages():
    for stage, ids in CARRY.items():
        for exercise_id in ids:
            assert get_stage(exercise_id.split(".")[0]).order < get_stage(stage).order, exercise_id


def test_import_through_an_open_form_survives_its_next_autosave(course):
    save_answers(course / "diagnose", "diagnose", {"diagnose.dg1": DG1})
    f = F.form(DESIGN_OWN, course / "design", headless=False)
    f.widget_for("catatan").value = "ditulis sebelum impor"
    report = lablib.import_previous(course / "design", "design")
    assert report.path == course / "design" / "jawaban-design.json"
    f.widget_for("catatan").value = "ditulis sesudah impor"
    f.wait_saved()
    stored = answers_in(course / "design", "design")
    assert DG1 == stored["diagnose.dg1"]
    assert {"catatan": "ditulis sesudah impor"} == stored["design.ds9"]


def test_the_import_button_imports_and_shows_its_report(course):
    save_answers(course / "diagnose", "diagnose", {"diagnose.dg1": DG1})
    button = F.import_button("design", course / "design", headless=False)
    assert "Ambil jawaban tahap sebelumnya" == button.button.description
    button.button.click()
    assert ("diagnose.dg1",) == button.report.imported
    assert "Diambil dari tahap Diagnose" in button.output.value
    assert DG1 == answers_in(course / "design", "design")["diagnose.dg1"]


def test_a_carried_copy_that_differs_from_the_earlier_submission_is_reported(tmp_path):
    submitted = tmp_path / "submitted"
    own = submitted / "budi"
    for stage in ("diagnose", "design"):
        (own / stage).mkdir(parents=True)
    save_answers(own / "diagnose", "diagnose", {"diagnose.dg1": DG1, "diagnose.dg2": DG2})
    assert import_previous(own / "design", "design").ok is False  # dg4 is not in the earlier file
    assert () == carried_differences(lambda st: submitted / "budi" / st, "design")  # copies as submitted

    design = answers_in(own / "design", "design")
    design["diagnose.dg2"] = {"akar_terpilih": "Diubah di salinan"}  # the copy edited by hand
    save_answers(own / "design", "design", design)
    assert ("diagnose.dg2",) == carried_differences(lambda st: submitted / "budi" / st, "design")
    # nothing to compare with is no difference: no earlier submission, no later one
    assert () == carried_differences(lambda st: submitted / "sari" / st, "design")
    (own / "diagnose" / "jawaban-diagnose.json").unlink()
    assert () == carried_differences(lambda st: submitted / "budi" / st, "design")
    assert () == carried_differences(lambda st: submitted / "budi" / st, "diagnose")  # a stage that carries nothing


@pytest.mark.slow
def test_lablib_grade_tells_the_trainer_about_an_edited_copy(tmp_path, capsys):
    import shutil

    from lablib import cli

    roster = tmp_path / "peserta.csv"
    roster.write_text("id,nama,opd,jabatan,email\nbudi,Budi,Bappeda,,\nsari,Sari,Dinkes,,\n", encoding="utf-8")
    course = tmp_path / "kursus"
    assert 0 == cli.main(["init", str(course), "--roster", str(roster), "--homes", f"{tmp_path}/{{id}}"])
    assert 0 == cli.main(["release", "design", "--course", str(course)])
    for student in ("budi", "sari"):  # what `lablib collect` leaves
        own = course / "submitted" / student
        (own / "diagnose").mkdir(parents=True)
        save_answers(own / "diagnose", "diagnose", {"diagnose.dg1": DG1, "diagnose.dg2": DG2})
        shutil.copytree(course / "release" / "design", own / "design")
        (own / "design" / "timestamp.txt").write_text("2026-08-14 10:00:00.000000 UTC", encoding="utf-8")
        import_previous(own / "design", "design")
    design = answers_in(course / "submitted" / "budi" / "design", "design")
    design["diagnose.dg1"]["masalah_terpilih"] = "Masalah lain"
    save_answers(course / "submitted" / "budi" / "design", "design", design)
    capsys.readouterr()

    assert 0 == cli.main(["grade", "design", "--course", str(course)])
    out = capsys.readouterr().out
    assert "Periksa budi: salinan DG1 di tahap design berbeda" in out
    assert "Periksa sari" not in out


def test_a_later_stage_opens_with_the_earlier_answers_carried_once_and_never_overwrites(course):
    save_answers(course / "diagnose", "diagnose", {"diagnose.dg1": DG1})
    own = {"design.ds9": {"catatan": "milik tahap ini"}}
    save_answers(course / "design", "design", own)
    button = F.import_button("design", course / "design", headless=False)
    assert ("diagnose.dg1",) == button.report.imported  # no button to find first
    stored = answers_in(course / "design", "design")
    assert DG1 == stored["diagnose.dg1"] and own["design.ds9"] == stored["design.ds9"]
    changed = {**DG1, "catatan_baru": "diubah di tahap Diagnose"}
    save_answers(course / "diagnose", "diagnose", {"diagnose.dg1": changed})
    again = F.import_button("design", course / "design", headless=False)  # the page opened again
    assert again.report is None and DG1 == answers_in(course / "design", "design")["diagnose.dg1"]
    again.button.click()  # refreshing the copies is the participant's choice
    assert changed == answers_in(course / "design", "design")["diagnose.dg1"]
