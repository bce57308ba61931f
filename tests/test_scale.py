"""Costs that grow with the cohort: the gradebook read in a few set-based queries (the same
values as nbgrader's own objects), the missing indexes added to existing courses, no nbgrader
import to read the gradebook, and no validator parser built by the trainer's commands."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from _cohort import active_stages, cohort_course, copy_course

from lablib.course.course import Course
from lablib.course.gradebook import INDEXES, ensure_indexes, gradebook_engine, read_gradebook

ROOT = Path(__file__).resolve().parents[1]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_scale", ROOT / "benchmarks" / "bench_scale.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _index_names(course: Path) -> set[str]:
    import sqlite3

    with sqlite3.connect(course / "gradebook.db") as db:
        return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


@pytest.fixture(scope="module")
def cohort(tmp_path_factory) -> Path:
    return copy_course(cohort_course(tmp_path_factory), tmp_path_factory.mktemp("skala") / "course")


@pytest.mark.slow
def test_the_set_based_read_equals_nbgrader_objects_grade_by_grade(cohort):
    with Course.open(cohort).gradebook() as gb:  # set a late submission, an extension and a comment
        sub = gb.find_submission("diagnose", "budi")
        sub.timestamp = gb.find_assignment("diagnose").duedate.replace(year=2031)
        grade = sub.notebooks[0].grades[0]
        grade.manual_score, grade.extra_credit = 0.25, 0.5
        comment = sub.notebooks[0].comments[0]
        comment.manual_comment = "Perjelas."
        gb.db.commit()
    view = read_gradebook(cohort)
    expected = {}
    with Course.open(cohort).gradebook() as gb:
        for stage in active_stages():
            assignment = gb.find_assignment(stage)
            cells = [(c.name, float(c.max_score), False) for nb in assignment.notebooks for c in nb.grade_cells]
            cells += [(c.name, float(c.max_score), True) for nb in assignment.notebooks for c in nb.task_cells]
            assert sorted(cells) == sorted((c.name, c.max_score, c.task) for c in view.stage_cells(stage))
            for sub in gb.assignment_submissions(stage):
                record = view.record(sub.student.id, stage)
                assert record is not None
                assert sub.score == pytest.approx(record.score)
                assert bool(sub.needs_manual_grade) == record.needs_manual_grade
                assert sub.total_seconds_late == pytest.approx(record.seconds_late)
                assert sub.timestamp.isoformat() == record.timestamp
                nb = sub.notebooks[0]
                comments = {c.name: c for c in nb.comments}
                expected.update({(sub.student.id, stage, g.name): (
                    g.id, g.auto_score, g.manual_score, g.extra_credit, float(g.max_score), bool(g.needs_manual_grade),
                    g.score, *((comments[g.name].id, comments[g.name].manual_comment) if g.name in comments
                               else (None, None))) for g in nb.grades})
    found = {(r.student, r.stage, g.name): (
        g.grade_id, g.auto_score, g.manual_score, g.extra_credit, g.max_score, g.needs_manual_grade, g.score,
        g.comment_id, g.comment) for r in view.records.values() for g in r.grades.values()}
    assert expected == found
    assert len(found) > 40
    assert "Perjelas." in {g.comment for r in view.records.values() for g in r.grades.values()}
    assert view.record("budi", "diagnose").late
    assert not view.record("ani", "diagnose").late


@pytest.mark.slow
def test_indexes_are_added_to_an_existing_course_once(cohort):
    names = {name for name, _, _ in INDEXES}
    import sqlite3

    with sqlite3.connect(cohort / "gradebook.db") as db:  # as an older lablib left the course
        for name in names:
            db.execute(f"DROP INDEX IF EXISTS {name}")
    assert not names & _index_names(cohort)
    read_gradebook(cohort)
    assert names <= _index_names(cohort)
    engine = gradebook_engine(Course.open(cohort))
    try:
        assert () == ensure_indexes(engine)  # already there: nothing written
    finally:
        engine.dispose()
    with sqlite3.connect(cohort / "gradebook.db") as db:
        plan = " ".join(str(r) for r in db.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM grade WHERE notebook_id = 'x'"))
    assert "ix_lablib_grade_notebook_id" in plan


@pytest.mark.slow
def test_a_read_only_gradebook_is_read_without_indexes(cohort, tmp_path):
    course = copy_course(cohort, tmp_path / "course")
    import sqlite3

    with sqlite3.connect(course / "gradebook.db") as db:
        for name, _, _ in INDEXES:
            db.execute(f"DROP INDEX IF EXISTS {name}")
    before = read_gradebook(cohort)
    engine = gradebook_engine(Course.open(course))
    try:
        from sqlalchemy import event

        @event.listens_for(engine, "before_cursor_execute")
        def refuse(conn, cursor, statement, *args):
            if statement.startswith("CREATE"):
                raise sqlite3.OperationalError("attempt to write a readonly database")

        assert () == ensure_indexes(engine)
    finally:
        engine.dispose()
    (course / "gradebook.db").chmod(0o444)
    assert before.records.keys() == read_gradebook(course).records.keys()


@pytest.mark.slow
def test_indexes_on_postgresql(postgres, tmp_path):
    from sqlalchemy import create_engine, text

    from lablib.course.folder import create_course
    from lablib.course.roster import Participant

    url = postgres.create_database()
    create_course(tmp_path / "kursus", [Participant("ani", "Ani", "Dinas")], course_id="pg-indeks", db_url=url)
    course = Course.open(tmp_path / "kursus")
    view = read_gradebook(course)
    assert ["ani"] == list(view.participants)
    engine = create_engine(course.db_url)
    try:
        with engine.connect() as conn:
            found = {name for (name,) in conn.execute(text("SELECT indexname FROM pg_indexes"))}
        assert {name for name, _, _ in INDEXES} <= found
        assert () == ensure_indexes(engine)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    """The benchmark's synthetic course (gradebook rows inserted directly), 12 participants."""
    return _bench().build_course(tmp_path_factory.mktemp("sintetis") / "k", 12)


@pytest.mark.slow
def test_the_read_is_a_few_queries_not_one_per_submission(synthetic):
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    read_gradebook(synthetic)  # the first read adds the indexes
    event.listen(Engine, "before_cursor_execute", count)
    try:
        view = read_gradebook(synthetic)
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert 12 * len(_bench().STAGES) == len(view.records)
    assert len(statements) == 5, statements  # the index check, students, cells, submissions, grades


@pytest.mark.slow
def test_status_report_and_feedback_on_a_synthetic_course_agree(synthetic):
    """The benchmark's course works end to end with the trainer's commands, and its totals are
    the same number in status, the report and a feedback page."""
    from lablib.cli import main
    from lablib.course.status import status
    from lablib.reports.feedback import feedback_path, write_feedback
    from lablib.reports.report import load_cohort, participants_table

    course = synthetic
    st = status(course)
    totals = {p.id: p.total for p in st.participants}
    assert len(totals) == 12 and all(v > 0 for v in totals.values())
    rows = {r[0]: r for r in participants_table(load_cohort(course)).rows}
    assert totals == {pid: rows[pid][-2] for pid in totals}
    write_feedback(course, "display")
    from lablib.core import formatting

    for pid, total in totals.items():
        page = feedback_path(course, pid, "display").read_text(encoding="utf-8")
        assert f"<b>{formatting.points(total)} / " in page
    assert 0 == main(["status", "--course", str(course)])


def test_reading_the_gradebook_imports_no_nbgrader(cohort):
    code = ("import sys, json; from lablib.course.gradebook import read_gradebook; "
            f"v = read_gradebook({str(cohort)!r}); "
            "print(json.dumps([len(v.records), sorted(m for m in sys.modules if m.split('.')[0] in "
            "('nbgrader', 'nbformat', 'jsonschema', 'rfc3987_syntax'))]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    records, heavy = json.loads(out.stdout.strip().splitlines()[-1])
    assert records >= 4
    assert [] == heavy


def test_trainer_commands_never_build_the_iri_parser(cohort):
    code = ("import sys; from lablib.cli import main; rc = main(['status', '--course', sys.argv[1]]); "
            "print('IRI', sys.modules.get('rfc3987_syntax', 'absent'), 'nbformat' in sys.modules); sys.exit(rc)")
    out = subprocess.run([sys.executable, "-c", code, str(cohort)], capture_output=True, text=True, cwd=ROOT)
    assert 0 == out.returncode, out.stderr
    assert "IRI None" in out.stdout  # never imported: jsonschema sees it as not installed


@pytest.mark.slow
def test_a_command_that_needs_no_nbgrader_never_imports_it(synthetic, tmp_path):
    code = ("import sys, json; from lablib.cli import main; "
            "rc = main(['documents', '--participant', 'p00001', '--course', sys.argv[1], '--out', sys.argv[2]]); "
            "print(json.dumps([rc, sorted(m for m in sys.modules if m.split('.')[0] in "
            "('nbgrader', 'nbformat', 'jsonschema', 'rfc3987_syntax') and sys.modules[m] is not None)]))")
    out = subprocess.run([sys.executable, "-c", code, str(synthetic), str(tmp_path / "dokumen")],
                         capture_output=True, text=True, cwd=ROOT)
    assert 0 == out.returncode, out.stderr
    rc, heavy = json.loads(out.stdout.strip().splitlines()[-1])
    assert (0, []) == (rc, heavy)
    assert any((tmp_path / "dokumen").rglob("*.html"))
