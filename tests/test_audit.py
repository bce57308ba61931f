"""The audit table lives in the gradebook's database, in the grade's transaction, on SQLite and
on PostgreSQL; nbgrader opens and uses a gradebook that has it."""

from __future__ import annotations

import pytest

from lablib.course.course import Course
from lablib.course.folder import create_course
from lablib.course.roster import Participant
from lablib.reports import audit

pytestmark = pytest.mark.slow


def _entry(student: str, score: float, reviewer: str = "Siti") -> audit.AuditEntry:
    return audit.AuditEntry(audit.now(), reviewer, audit.PRIMARY, "diagnose", student, "rubrik-dg1-masalah_nyata",
                            None, score, None, "=HYPERLINK(\"http://x\",\"klik\")", "s.xlsx")


def _check(course_dir) -> None:
    course = Course.open(course_dir)
    assert audit.read_audit(course) == []  # no table yet: nothing, not an error
    with course.gradebook() as gb:  # written, then rolled back with the transaction
        audit.record(gb, course.course_id, [_entry("ani", 1.0)])
        gb.db.rollback()
    assert audit.read_audit(course) == []
    with course.gradebook() as gb:
        assert audit.record(gb, course.course_id, [_entry("ani", 2.0), _entry("budi", 3.0, "Made")]) == 2
        gb.db.commit()
    with course.gradebook() as gb:
        audit.record(gb, course.course_id, [_entry("ani", 4.0)])  # the table exists now: appended
        gb.db.commit()
    entries = audit.read_audit(course, "diagnose")
    assert [(e.student, e.new_score, e.reviewer) for e in entries] == [("ani", 2.0, "Siti"), ("budi", 3.0, "Made"),
                                                                        ("ani", 4.0, "Siti")]
    assert entries[0].new_comment == '=HYPERLINK("http://x","klik")'
    assert audit.read_audit(course, "design") == []
    with course.gradebook() as gb:  # nbgrader still reads its own tables
        assert sorted(s.id for s in gb.students) == ["ani", "budi"]


PEOPLE = [Participant("ani", "Ani", "Dinas A", "Kabid", "ani@contoh.go.id"),
          Participant("budi", "Budi", "Dinas B", "Kasi", "budi@contoh.go.id")]


def test_audit_rows_on_sqlite(tmp_path):
    create_course(tmp_path / "c", PEOPLE, course_id="uji-audit")
    _check(tmp_path / "c")


@pytest.mark.postgres
def test_audit_rows_on_postgres(postgres, tmp_path):
    create_course(tmp_path / "c", PEOPLE, course_id="uji-audit", db_url=postgres.create_database())
    _check(tmp_path / "c")


def test_an_audit_table_from_an_earlier_lablib_gains_its_missing_column(tmp_path):
    """A gradebook whose audit table predates ``sheet_id`` is read and appended to, not refused."""
    import sqlite3

    create_course(tmp_path / "c", PEOPLE, course_id="uji-audit")
    course = Course.open(tmp_path / "c")
    with course.gradebook():
        pass
    db = sqlite3.connect(course.root / "gradebook.db")
    db.execute(f"CREATE TABLE {audit.TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, course_id VARCHAR(128) NOT NULL,"
               " at VARCHAR(40) NOT NULL, reviewer VARCHAR(200) NOT NULL, role VARCHAR(16) NOT NULL,"
               " stage VARCHAR(32) NOT NULL, student VARCHAR(128) NOT NULL, grade_name VARCHAR(128) NOT NULL,"
               " old_score FLOAT, new_score FLOAT, old_comment TEXT, new_comment TEXT,"
               " source VARCHAR(255) NOT NULL, forced BOOLEAN NOT NULL)")
    db.execute(f"INSERT INTO {audit.TABLE} (course_id, at, reviewer, role, stage, student, grade_name, new_score,"
               " source, forced) VALUES ('uji-audit', '2026-11-01T00:00:00+00:00', 'Lama', 'utama', 'diagnose',"
               " 'ani', 'rubrik-dg1-masalah_nyata', 3.0, 'lama.xlsx', 0)")
    db.commit()
    db.close()
    assert [(e.reviewer, e.sheet_id) for e in audit.read_audit(course)] == [("Lama", "")]
    with course.gradebook() as gb:
        audit.record(gb, course.course_id, [_entry("budi", 2.0)])
        gb.db.commit()
    assert [(e.student, e.new_score) for e in audit.read_audit(course, "diagnose")] == [("ani", 3.0), ("budi", 2.0)]
