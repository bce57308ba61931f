"""Late participants: ``lablib add-participants`` on a running course, through nbgrader for real."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from lablib import cli
from lablib.core import formatting
from lablib.core.answers import save_answers
from lablib.course.enrol import add_participants
from lablib.course.folder import COURSE_FILENAME, load_config, load_course
from lablib.course.roster import RosterError
from lablib.curriculum import stage_exercises
from lablib.curriculum.samples import model_answers
from lablib.demo import ExchangeParticipant

DATA = Path(__file__).parent / "data"
COURSE_ID = "uji-susulan"
HEADER = "id,nama,opd,jabatan,email\n"


def lablib(*args) -> tuple[int, str]:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        code = cli.main([str(a) for a in args])
    return code, buf.getvalue()


@pytest.fixture
def course(tmp_path) -> Path:
    code, out = lablib("init", tmp_path / "kursus", "--roster", DATA / "roster-baik.csv",
                       "--course-id", COURSE_ID, "--homes", f"{tmp_path / 'rumah'}/{{id}}")
    assert code == 0, out
    return tmp_path / "kursus"


def _students(course: Path) -> dict[str, tuple[str, str, str | None]]:
    from nbgrader.api import Gradebook

    with Gradebook(str(load_config(course).CourseDirectory.db_url), COURSE_ID) as gb:
        return {s.id: (s.first_name, s.last_name, s.email) for s in gb.students}


@pytest.mark.slow
def test_a_late_participant_fetches_submits_and_is_graded(course, tmp_path):
    c = ["--course", course]
    assert lablib("release", "diagnose", *c)[0] == 0
    late = tmp_path / "susulan.csv"  # the grown roster: everyone before, plus wati
    late.write_text((DATA / "roster-baik.csv").read_text(encoding="utf-8")
                    + "wati,Wati Lamaluta,Dinas Perhubungan,Kepala Seksi,wati@bangkep.example\n", encoding="utf-8")

    code, out = lablib("add-participants", "--roster", late, *c)
    assert code == 0, out
    assert "1 peserta ditambahkan" in out and "wati: Wati Lamaluta (Dinas Perhubungan)" in out
    assert "wati" in _students(course)
    assert load_course(course).participant("wati").opd == "Dinas Perhubungan"

    wati = ExchangeParticipant("wati", tmp_path / "rumah" / "wati", course / "exchange", tmp_path / "cache", COURSE_ID)
    save_answers(wati.fetch("diagnose"), "diagnose", model_answers("diagnose"))
    wati.submit("diagnose")
    code, out = lablib("collect", "diagnose", *c)
    assert code == 0 and "tidak ada di daftar peserta" not in out, out
    code, out = lablib("grade", "diagnose", *c)
    assert code == 0, out
    code, out = lablib("status", *c)
    wati_row = next(line for line in out.splitlines() if line.startswith("wati"))
    full = sum(ch.points for ex in stage_exercises("diagnose") for ch in ex.checks)
    assert f"{formatting.points(full)}/" in wati_row, out  # lablib status writes scores with lablib.core.formatting

    again = lablib("add-participants", "--roster", late, *c)  # the same roster again: nothing changes
    assert again[0] == 0 and "0 peserta ditambahkan" in again[1] and "4 sudah terdaftar" in again[1]
    assert [p.id for p in load_course(course).participants] == ["budi", "sari.dewi", "tono_2", "wati"]


def test_an_enrolled_id_with_other_details_is_refused_unless_update(course, tmp_path):
    before = (course / COURSE_FILENAME).read_bytes()
    roster = tmp_path / "ralat.csv"
    roster.write_text(HEADER + "rina,Rina Ladjim,Bappeda,Perencana,\n"
                      "budi,Budi Santoso,Dinas Sosial,Kepala Bidang,budi@bangkep.example\n", encoding="utf-8")

    with pytest.raises(RosterError) as err:
        add_participants(course, roster)
    text = str(err.value)
    assert "baris 3" in text and "'budi' sudah terdaftar" in text and "Dinas Sosial" in text and "--update" in text
    assert (course / COURSE_FILENAME).read_bytes() == before  # nothing written, rina not added either
    assert "rina" not in _students(course)

    result = add_participants(course, roster, update=True)
    assert [p.id for p in result.added] == ["rina"] and [p.id for p in result.updated] == ["budi"]
    assert load_course(course).participant("budi").opd == "Dinas Sosial"
    assert _students(course)["budi"] == ("Budi", "Santoso", "budi@bangkep.example")
    doc = json.loads((course / COURSE_FILENAME).read_text(encoding="utf-8"))
    assert [p["id"] for p in doc["participants"]] == ["budi", "sari.dewi", "tono_2", "rina"]


def test_a_bad_late_roster_is_refused_with_its_rows_and_changes_nothing(course, tmp_path):
    before = (course / COURSE_FILENAME).read_bytes()
    roster = tmp_path / "rusak.csv"
    roster.write_text(HEADER + "Rina Besar,Rina,Bappeda,,\n" + "eka,,Bappeda,,eka@\n", encoding="utf-8")
    code, out = lablib("add-participants", "--roster", roster, "--course", course)
    assert code == 1
    assert "baris 2" in out and "baris 3" in out and "Traceback" not in out
    assert (course / COURSE_FILENAME).read_bytes() == before
    assert set(_students(course)) == {"budi", "sari.dewi", "tono_2"}


def test_add_participants_outside_a_course_says_so(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text(HEADER + "rina,Rina,Bappeda,,\n", encoding="utf-8")
    code, out = lablib("add-participants", "--roster", roster, "--course", tmp_path)
    assert code == 1 and "bukan folder kursus lablib" in out
