"""Who graded what: one audit row per manual grade lablib writes, in the gradebook's own database.

The table ``lablib_grade_audit`` sits beside nbgrader's tables in the course's gradebook
(SQLite or PostgreSQL) and is written in the same transaction as the grade it describes, so a
grade and its audit row are committed together or not at all. nbgrader creates and migrates
only its own tables, so an extra table is left alone by ``nbgrader db upgrade`` and by
formgrader. The table is created the first time a grade is written through lablib (a sheet
that changes nothing leaves the database as it was).

A row records the reviewer, the time (UTC, ISO 8601), the cell (stage, participant, rubric
grade name), the old and the new score and comment, the role (``utama``: the grade that counts;
``kedua``: a second, blind marking for agreement, never written to the grade itself), the sheet
it came from and whether ``--force`` overrode a conflict. Grades set in formgrader leave no row:
``grade_sources`` names them ``formgrader (tanpa catatan)`` instead of guessing a reviewer.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lablib.core.files import replacing
from lablib.course.course import Course

TABLE = "lablib_grade_audit"
PRIMARY = "utama"  # the grade that counts (written to the gradebook)
SECOND = "kedua"  # a blind second marking, kept here only, for inter-rater agreement
ROLES = (PRIMARY, SECOND)
UNRECORDED = "formgrader (tanpa catatan)"


@dataclass(frozen=True)
class AuditEntry:
    """One manual grade (or second marking) written by lablib."""

    at: str  # UTC, ISO 8601
    reviewer: str
    role: str
    stage: str
    student: str
    grade_name: str
    old_score: float | None
    new_score: float | None
    old_comment: str | None
    new_comment: str | None
    source: str  # the sheet's file name
    forced: bool = False
    id: int = 0
    sheet_id: str = ""  # the export the grade came from (a re-import of the same sheet builds on it)


HEADERS = ("Waktu (UTC)", "Penilai", "Peran", "Tahap", "ID peserta", "Butir nilai", "Nilai lama", "Nilai baru",
           "Komentar lama", "Komentar baru", "Sumber", "Menimpa konflik (--force)")


def _table():
    from sqlalchemy import Boolean, Column, Float, Integer, MetaData, String, Table, Text

    # a MetaData of its own: nbgrader's create_all and migrations never see this table
    return Table(
        TABLE, MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("course_id", String(128), nullable=False),
        Column("at", String(40), nullable=False),
        Column("reviewer", String(200), nullable=False),
        Column("role", String(16), nullable=False),
        Column("stage", String(32), nullable=False),
        Column("student", String(128), nullable=False),
        Column("grade_name", String(128), nullable=False),
        Column("old_score", Float), Column("new_score", Float),
        Column("old_comment", Text), Column("new_comment", Text),
        Column("source", String(255), nullable=False, default=""),
        Column("forced", Boolean, nullable=False, default=False),
        Column("sheet_id", String(64), nullable=False, default=""),
    )


_TABLE = None


def table():
    global _TABLE
    if _TABLE is None:
        _TABLE = _table()
    return _TABLE


def _ensure(connection) -> None:
    """Create the table, or add the columns a gradebook written by an earlier lablib lacks.

    Only ever adds nullable-or-defaulted columns, so rows already recorded keep their meaning.
    """
    from sqlalchemy import inspect, text

    t = table()
    inspector = inspect(connection)
    if not inspector.has_table(TABLE):
        t.create(bind=connection, checkfirst=True)
        return
    have = {c["name"] for c in inspector.get_columns(TABLE)}
    for column in t.columns:
        if column.name not in have:
            kind = column.type.compile(dialect=connection.dialect)
            connection.execute(text(f"ALTER TABLE {TABLE} ADD COLUMN {column.name} {kind} NOT NULL DEFAULT ''"
                                    if column.name == "sheet_id" else
                                    f"ALTER TABLE {TABLE} ADD COLUMN {column.name} {kind}"))


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def record(gb: Any, course_id: str, entries: Iterable[AuditEntry]) -> int:
    """Add ``entries`` inside ``gb``'s open session (committed with the grades); returns how many."""
    rows = [{"course_id": course_id, "at": e.at, "reviewer": e.reviewer, "role": e.role, "stage": e.stage,
             "student": e.student, "grade_name": e.grade_name, "old_score": e.old_score,
             "new_score": e.new_score, "old_comment": e.old_comment, "new_comment": e.new_comment,
             "source": e.source, "forced": bool(e.forced), "sheet_id": e.sheet_id} for e in entries]
    if not rows:
        return 0
    t = table()
    connection = gb.db.connection()  # the session's own connection: one transaction with the grades
    _ensure(connection)
    connection.execute(t.insert(), rows)
    return len(rows)


def read_audit(course: Course | str | os.PathLike, stage: str | None = None) -> list[AuditEntry]:
    """Every audit row of the course (of ``stage`` only, if given), oldest first."""
    from sqlalchemy import inspect, select

    course = Course.of(course)
    t = table()
    with course.gradebook() as gb:
        connection = gb.db.connection()
        if not inspect(connection).has_table(TABLE):
            return []
        _ensure(connection)
        query = select(t).where(t.c.course_id == course.course_id)
        if stage is not None:
            query = query.where(t.c.stage == stage)
        rows = connection.execute(query.order_by(t.c.id)).mappings().all()
    return [AuditEntry(r["at"], r["reviewer"], r["role"], r["stage"], r["student"], r["grade_name"],
                       r["old_score"], r["new_score"], r["old_comment"], r["new_comment"], r["source"],
                       bool(r["forced"]), int(r["id"]), r["sheet_id"] or "") for r in rows]


def grade_sources(entries: Sequence[AuditEntry], current: dict[tuple[str, str, str], float | None]
                  ) -> dict[tuple[str, str, str], tuple[str, str]]:
    """``{(stage, student, grade name): (reviewer, time)}`` of each current manual score: the last
    primary audit row that wrote exactly that score, else ``UNRECORDED`` (set in formgrader)."""
    last: dict[tuple[str, str, str], AuditEntry] = {}
    for e in entries:
        if e.role == PRIMARY:
            last[(e.stage, e.student, e.grade_name)] = e
    out = {}
    for key, score in current.items():
        if score is None:
            continue
        e = last.get(key)
        same = e is not None and e.new_score is not None and abs(e.new_score - score) < 1e-6
        out[key] = (e.reviewer, e.at) if same else (UNRECORDED, "")
    return out


def audit_rows(entries: Sequence[AuditEntry]) -> list[tuple]:
    return [(e.at, e.reviewer, e.role, e.stage, e.student, e.grade_name, e.old_score, e.new_score,
             e.old_comment, e.new_comment, e.source, "ya" if e.forced else "") for e in entries]


def write_audit(course: Course | str | os.PathLike, out: str | os.PathLike | None = None,
                stage: str | None = None, extra: Sequence[tuple[str, Sequence[str], Sequence[tuple]]] = ()
                ) -> Path:
    """Write the audit to ``out``: ``.xlsx`` (the audit, then one sheet per ``extra`` table, e.g.
    ``lablib.reports.agreement.agreement_tables``) or ``.csv`` (the audit rows); default
    ``<course>/penilaian/audit-penilaian.xlsx``. Reviewer text is text, never a formula."""
    import csv

    from lablib.reports.safe import csv_value

    course = Course.of(course)
    path = Path(out) if out else course.root / "penilaian" / "audit-penilaian.xlsx"
    if path.is_dir():
        path = path / "audit-penilaian.xlsx"
    entries = read_audit(course, stage)
    if path.suffix.lower() == ".csv":
        with replacing(path) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([csv_value(h) for h in HEADERS])
            writer.writerows([[csv_value(v) for v in row] for row in audit_rows(entries)])
        return path
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from lablib.reports.safe import append_row

    wb = Workbook()
    wb.remove(wb.active)
    sheets = [("Audit", HEADERS, audit_rows(entries)), *extra]
    for title, head, rows in sheets:
        ws = wb.create_sheet(title[:31])
        append_row(ws, head)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            append_row(ws, row)
        ws.freeze_panes = "A2"
    with replacing(path) as tmp:
        wb.save(tmp)
    return path


__all__ = ["AuditEntry", "PRIMARY", "ROLES", "SECOND", "TABLE", "UNRECORDED", "grade_sources", "read_audit",
           "record", "write_audit"]
