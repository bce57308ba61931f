"""Innovation documents (PP 38 / IID profile and KIPP proposal) as HTML and Word."""

from __future__ import annotations

import copy
import html

import pytest
from docx import Document as ReadDocx

from lablib.core.stages import STAGES
from lablib.course.roster import Participant
from lablib.curriculum.samples import model_answers
from lablib.reports.documents import (
    NOT_FILLED,
    build_document,
    document_docx,
    document_html,
    kipp_specs,
    profile_specs,
    rupiah,
    text_of,
    value_of,
    write_participant_documents,
)

EVIL = '<script>alert("x")</script> & </b>'
PERSON = Participant("ani", nama="Ani Lestari", opd="Dinas Kependudukan dan Pencatatan Sipil", jabatan="Kepala Bidang")


def _all_answers() -> dict:
    """Latest answers across stages, as a participant who finished Display has them."""
    merged: dict = {}
    for st in reversed(STAGES):
        for k, v in model_answers(st.slug).items():
            merged.setdefault(k, v)
    return merged


def _docx_text(path) -> str:
    d = ReadDocx(str(path))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def _needs(name: str) -> None:
    if not model_answers(name):
        pytest.skip(f"no model answers for {name} yet")


@pytest.mark.parametrize("kind,specs", [("profil", profile_specs), ("kipp", kipp_specs)])
def test_every_section_has_the_participants_own_text_in_html_and_docx(kind, specs, tmp_path):
    _needs("design")
    _needs("display")
    answers = _all_answers()
    doc = build_document(kind, PERSON, answers)
    assert [s.key for s in doc.sections] == [s.key for s in specs()]
    page = document_html(doc)
    word = _docx_text(document_docx(doc, tmp_path / "d.docx"))
    for spec, section in zip(specs(), doc.sections):
        assert not section.missing and not section.draft_from, spec.key
        assert html.escape(spec.title) in page and spec.title in word
        for ref in spec.refs:
            own = text_of(answers, ref)
            if own and "\n" not in own:
                assert html.escape(own) in page, ref
                assert own in word, ref
    if kind == "profil":
        assert rupiah(value_of(answers, "design.ds1.anggaran")) in word
        assert text_of(answers, "deliver.dv1.interpretasi") in word
        for field_id in ("tujuan", "rb_permasalahan", "manfaat_masyarakat"):
            assert text_of(answers, f"design.ds1.{field_id}")[:80] in word
    else:
        for section in ("ringkasan", "signifikansi", "keberlanjutan"):
            assert text_of(answers, f"display.dp1.{section}")[:80] in word
    assert PERSON.opd in word and PERSON.nama in word


def test_participant_text_is_escaped_in_html_and_literal_in_word(tmp_path):
    _needs("design")
    answers = _all_answers()
    answers["design.ds1"] = {**answers["design.ds1"], "nama": EVIL, "tujuan": EVIL + "\x07 tujuan"}
    paths = write_participant_documents(PERSON, answers, tmp_path)
    assert sorted(p.name for p in paths) == ["profil-inovasi.docx", "profil-inovasi.html",
                                              "proposal-kipp.docx", "proposal-kipp.html"]
    page = (tmp_path / "profil-inovasi.html").read_text(encoding="utf-8")
    assert "<script" not in page and html.escape(EVIL) in page
    word = _docx_text(tmp_path / "profil-inovasi.docx")
    assert EVIL in word and EVIL + " tujuan" in word  # the control character is dropped


def test_missing_stages_give_drafts_and_plain_gaps():
    answers = copy.deepcopy(model_answers("diagnose"))
    doc = build_document("profil", PERSON, answers)
    by_key = {s.key: s for s in doc.sections}
    chosen = text_of(answers, "diagnose.dg4.ide_terpilih")
    assert doc.subtitle == chosen
    assert by_key["nama"].draft_from == "DG4" and by_key["nama"].blocks[0].text == chosen
    assert by_key["tujuan"].missing and by_key["tujuan"].blocks[0].text == NOT_FILLED
    assert by_key["hasil"].missing
    kipp = build_document("kipp", PERSON, answers)
    assert all(s.missing for s in kipp.sections)
    assert NOT_FILLED in document_html(kipp)


def test_nothing_at_all_still_makes_a_document(tmp_path):
    doc = build_document("kipp", Participant("x", "", ""), {})
    assert "(nama inovasi belum diisi)" in document_html(doc)
    assert document_docx(doc, tmp_path / "x.docx").is_file()


@pytest.mark.slow
def test_course_documents_for_everyone_with_answers(tmp_path_factory):
    from _cohort import cohort_course

    from lablib.course.gradebook import latest_answers
    from lablib.reports.documents import write_documents

    course = cohort_course(tmp_path_factory)
    out = tmp_path_factory.mktemp("dokumen")
    paths = write_documents(course, out=out)
    assert {p.parent.name for p in paths} == {"ani", "budi", "citra"}  # dedi has no answers
    ani = latest_answers(course, "ani")
    if "design.ds1" in ani:
        assert text_of(ani, "design.ds1.tujuan")[:60] in _docx_text(out / "ani" / "profil-inovasi.docx")
    citra = _docx_text(out / "citra" / "profil-inovasi.docx")
    assert "Dinas Perikanan" in citra and NOT_FILLED in citra
    assert "Citra Dewi" in citra


@pytest.mark.slow
def test_cli_documents_for_one_participant(tmp_path_factory, capsys):
    from _cohort import cohort_course

    from lablib.cli import main

    course = cohort_course(tmp_path_factory)
    out = tmp_path_factory.mktemp("cli-dokumen")
    assert main(["documents", "--course", str(course), "--participant", "citra", "--out", str(out)]) == 0
    assert sorted(p.name for p in (out / "citra").iterdir()) == [
        "profil-inovasi.docx", "profil-inovasi.html", "proposal-kipp.docx", "proposal-kipp.html"]
    assert not (out / "ani").exists()
    assert "1 peserta" in capsys.readouterr().out


# ------------------------------------------------------------------ Tahapan, language, dates

def test_tahapan_is_where_the_innovation_is_not_the_design_time_choice():
    """DS1 must say "Inisiatif" at Design; the profile says what happened since (PP 38/2017)."""
    answers = _all_answers()
    assert "Inisiatif" == answers["design.ds1"]["tahapan"]
    tahapan = {s.key: s for s in build_document("profil", PERSON, answers).sections}["tahapan"].blocks[0].text
    assert tahapan.startswith("Penerapan (") and "4 Januari 2027" in tahapan  # the planned penerapan, in Indonesian
    no_display = {k: v for k, v in answers.items() if not k.startswith("display.")}
    trial = {s.key: s for s in build_document("profil", PERSON, no_display).sections}["tahapan"].blocks[0].text
    assert trial.startswith("Uji coba (12 minggu log uji coba") and "2 Oktober 2026" in trial
    design_only = {k: v for k, v in no_display.items() if not k.startswith("deliver.")}
    first = {s.key: s for s in build_document("profil", PERSON, design_only).sections}["tahapan"].blocks[0].text
    assert first.startswith("Inisiatif")


def test_word_files_are_marked_indonesian_so_word_checks_spelling_in_id(tmp_path):
    import re
    import zipfile

    path = document_docx(build_document("profil", PERSON, _all_answers()), tmp_path / "p.docx")
    with zipfile.ZipFile(path) as z:
        styles = z.read("word/styles.xml").decode("utf-8")
        core = z.read("docProps/core.xml").decode("utf-8")
    defaults = re.search(r"<w:docDefaults>.*?</w:docDefaults>", styles, re.DOTALL).group(0)
    assert 'w:lang w:val="id-ID"' in defaults
    assert "en-US" not in re.sub(r'w:eastAsia="en-US"', "", defaults)
    assert "<dc:language>id-ID</dc:language>" in core


def test_documents_write_dates_and_decimals_the_indonesian_way(tmp_path):
    import re

    doc = build_document("profil", PERSON, _all_answers())
    page = document_html(doc)
    text = doc.text()
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text + page)  # no ISO date anywhere
    assert "1 Oktober 2026" in text and "4 Januari 2027" in text  # waktu uji coba, penerapan
    assert "68,5" in text and "68.5" not in text  # a trial result with a decimal comma
    assert "Rp43.900.000" in text


def test_filled_answers_read_like_the_answers_and_fill_each_exercise_once(monkeypatch):
    """A cohort report wraps each participant's answers: the same texts and values, each
    exercise's computed values worked out on the first read only."""
    from lablib.reports import documents
    from lablib.reports.documents import FilledAnswers, entry_of

    answers = _all_answers()
    filled = FilledAnswers(answers)
    assert dict(filled) == answers and len(filled) == len(answers)
    refs = [f"{key}.{field}" for key, entry in answers.items() for field in entry]
    assert [text_of(filled, r) for r in refs] == [text_of(answers, r) for r in refs]
    assert [value_of(filled, r) for r in refs] == [value_of(answers, r) for r in refs]
    assert entry_of(filled, "design.ds3") == entry_of(answers, "design.ds3")

    fills = []
    real = documents._fill
    monkeypatch.setattr(documents, "_fill", lambda a, ex: fills.append(ex) or real(a, ex))
    again = FilledAnswers(answers)
    for _ in range(3):
        text_of(again, "design.ds3.total_rab")
        text_of(again, "diagnose.dg1.masalah_terpilih")
    assert sorted(fills) == ["design.ds3", "diagnose.dg1"]
