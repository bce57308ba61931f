"""Read helpers over nbgrader's gradebook and the course folders, for review, feedback and reports.

nbgrader stores one ``Grade`` (and one ``Comment``) per graded cell of each submitted notebook.
lablib names those cells after the exercise definitions (``auto-<code>-<check>`` test cells,
``rubrik-<code>-<criterion>`` task cells; see ``lablib.curriculum.grade_ids``), so every grade maps back
to an exercise and a check or a rubric criterion. This module reads the gradebook once into
plain frozen dataclasses, so callers never hold a database session, and finds a participant's
answers files in the course folders (``autograded/``, ``submitted/``).

The read is a few set-based queries with SQLAlchemy Core over nbgrader's tables (no nbgrader
import, no query per submission), and adds the indexes nbgrader's schema lacks (``INDEXES``).
Totals come from ``lablib.course.totals``: ``StageRecord.total`` and
``GradebookView.course_total`` are the numbers every output shows.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from lablib.core.rubrics import MAX_LEVEL
from lablib.core.stages import STAGES, get_stage
from lablib.course import totals
from lablib.course.course import Course
from lablib.course.roster import Participant
from lablib.curriculum import all_exercises, stage_exercises
from lablib.curriculum.grade_ids import AUTO, RUBRIC, GradeName, describe_grade


def level_for_score(points: float, score: float | None) -> int | None:
    """The rubric level (0–4) a manual score stands for, or ``None`` when it is not one.

    >>> level_for_score(4, 3.0), level_for_score(2, 1.0), level_for_score(4, 2.2)
    (3, 2, None)
    """
    if score is None or points <= 0:
        return None
    raw = score / points * MAX_LEVEL
    level = round(raw)
    if abs(raw - level) > 1e-6 or not 0 <= level <= MAX_LEVEL:
        return None
    return int(level)


# ----------------------------------------------------------------------------- records

@dataclass(frozen=True)
class CellGrade:
    """One graded cell of one participant's submission, as nbgrader stores it."""

    name: str
    auto_score: float | None
    manual_score: float | None
    max_score: float
    needs_manual_grade: bool
    comment: str | None  # the narasumber's (manual) comment
    grade_id: str  # the gradebook's id of the Grade (what formgrader edits)
    comment_id: str | None = None
    extra_credit: float | None = None  # points a grader gave on top (formgrader's "extra credit")

    @property
    def scored(self) -> bool:
        """The cell has a score: a manual one (narasumber) or an automatic one (autograder)."""
        return self.manual_score is not None or self.auto_score is not None

    @property
    def score(self) -> float:
        """The cell's score as nbgrader counts it (``Grade.score``): the manual score if set, else
        the automatic one, plus any extra credit; 0 when the cell has neither score.

        >>> CellGrade("x", 1.0, None, 2.0, False, None, "g").score
        1.0
        >>> CellGrade("x", 1.0, 0.5, 2.0, False, None, "g", extra_credit=1.0).score
        1.5
        >>> CellGrade("x", None, None, 2.0, True, None, "g", extra_credit=1.0).score
        0.0
        """
        base = self.manual_score if self.manual_score is not None else self.auto_score
        return 0.0 if base is None else float(base) + float(self.extra_credit or 0.0)

    @property
    def meaning(self) -> GradeName | None:
        return describe_grade(self.name)

    @property
    def level(self) -> int | None:
        """The rubric level of a reviewed criterion (``None`` if not reviewed or not a level)."""
        meaning = self.meaning
        if meaning is None or meaning.kind != RUBRIC:
            return None
        return level_for_score(meaning.points, self.manual_score)


@dataclass(frozen=True)
class StageRecord:
    """A participant's graded submission of one stage."""

    student: str
    stage: str
    timestamp: str | None  # submission time as nbgrader recorded it (ISO), None if unknown
    grades: Mapping[str, CellGrade]
    seconds_late: float = 0.0  # nbgrader's total_seconds_late: after the due date (plus extension)

    def _sum(self, attr: str, kind: str | None) -> float:
        total = 0.0
        for g in self.grades.values():
            meaning = g.meaning
            if kind is None or (meaning is not None and meaning.kind == kind):
                total += getattr(g, attr)
        return round(total, 4)

    @property
    def score(self) -> float:
        return self._sum("score", None)

    @cached_property
    def total(self) -> Decimal:
        """The stage total every output shows: the grades added exactly, rounded half up once
        (``lablib.course.totals``)."""
        return totals.total(g.score for g in self.grades.values())

    @property
    def late(self) -> bool:
        return self.seconds_late > 0

    @property
    def needs_manual_grade(self) -> bool:
        """nbgrader's ``SubmittedAssignment.needs_manual_grade``: some grade still waits for a person."""
        return any(g.needs_manual_grade for g in self.grades.values())

    @property
    def max_score(self) -> float:
        return self._sum("max_score", None)

    @property
    def auto_score(self) -> float:
        return self._sum("score", AUTO)

    @property
    def rubric_score(self) -> float:
        return self._sum("score", RUBRIC)

    def rubric_grades(self) -> list[CellGrade]:
        return [g for g in self.grades.values() if g.meaning is not None and g.meaning.kind == RUBRIC]

    @property
    def reviewed(self) -> bool:
        """Every rubric criterion of the stage has a manual score."""
        rubric = self.rubric_grades()
        return bool(rubric) and all(g.manual_score is not None for g in rubric)

    def exercise_scores(self) -> dict[str, tuple[float, float]]:
        """``{exercise_id: (earned, available)}`` over the grades lablib knows."""
        out: dict[str, list[float]] = {}
        for g in self.grades.values():
            meaning = g.meaning
            if meaning is None:
                continue
            acc = out.setdefault(meaning.exercise.id, [0.0, 0.0])
            acc[0] += g.score
            acc[1] += g.max_score
        return {k: (round(v[0], 4), round(v[1], 4)) for k, v in out.items()}


@dataclass(frozen=True)
class GradedCell:
    """A graded cell of a stage's notebook as the gradebook defines it (nbgrader's ``GradeCell``
    or ``TaskCell``), whether or not lablib's definitions still know its name."""

    stage: str
    name: str
    max_score: float
    task: bool  # a task cell (graded by hand, no code): lablib makes them for rubric criteria


@dataclass(frozen=True)
class GradebookView:
    """Everything the gradebook knows about a course's participants and their graded stages."""

    participants: Mapping[str, Participant]
    records: Mapping[tuple[str, str], StageRecord] = field(default_factory=dict)
    cells: Mapping[str, tuple[GradedCell, ...]] = field(default_factory=dict)  # {stage: its graded cells}

    def participant(self, student: str) -> Participant:
        """The participant with this id; one with the id alone when neither the course's record
        nor the gradebook knows it (e.g. a folder left by someone removed from the course)."""
        return self.participants.get(student) or Participant(student, "", "")

    def stage_cells(self, stage: str) -> tuple[GradedCell, ...]:
        """The graded cells of a stage's notebook(s) as the gradebook has them: test cells, then task
        cells (none when the stage is not in the gradebook)."""
        return self.cells.get(get_stage(stage).slug, ())

    def record(self, student: str, stage: str) -> StageRecord | None:
        return self.records.get((student, stage))

    @cached_property
    def _by_stage(self) -> dict[str, list[StageRecord]]:
        # built once per view: a per-stage or per-participant scan of every record made the
        # report and the feedback pages quadratic in the cohort's size
        out: dict[str, list[StageRecord]] = {}
        for (_, stage), r in sorted(self.records.items()):
            out.setdefault(stage, []).append(r)
        return out

    @cached_property
    def _by_student(self) -> dict[str, dict[str, StageRecord]]:
        out: dict[str, dict[str, StageRecord]] = {}
        for (student, stage), r in self.records.items():
            out.setdefault(student, {})[stage] = r
        return out

    def stage_records(self, stage: str) -> list[StageRecord]:
        return list(self._by_stage.get(stage, ()))

    def student_records(self, student: str) -> dict[str, StageRecord]:
        """``{stage: record}`` of one participant's graded stages."""
        return dict(self._by_student.get(student, {}))

    def course_total(self, student: str) -> Decimal:
        """The participant's course total as every output shows it: the sum of their rounded
        stage totals (``lablib.course.totals.course_total``)."""
        return totals.course_total(r.total for r in self._by_student.get(student, {}).values())

    def course_score(self, student: str) -> tuple[float, float]:
        """(earned over the graded stages, points of the whole course)."""
        available = sum(ex.points for ex in all_exercises())
        return float(self.course_total(student)), round(available, 4)


# ----------------------------------------------------------------------------- reading

# Indexes nbgrader's schema lacks on the columns every per-submission query joins on: without
# them a gradebook 16x larger made `status` for the same submissions 7x slower (nbgrader's
# score columns are correlated subqueries over ``grade`` and ``comment``). Created on first
# read, on SQLite and PostgreSQL alike, for new and existing courses; nbgrader ignores them.
INDEXES = (
    ("ix_lablib_grade_notebook_id", "grade", "notebook_id"),
    ("ix_lablib_comment_notebook_id", "comment", "notebook_id"),
    ("ix_lablib_submitted_notebook_assignment_id", "submitted_notebook", "assignment_id"),
)


def _tables():
    """The part of nbgrader's schema the reader needs, as SQLAlchemy Core tables.

    Declared here (names and types as in ``nbgrader.api``) so that reading the gradebook needs
    SQLAlchemy only, not nbgrader and what it imports; ``tests/test_scale.py`` compares what
    this reads with nbgrader's own objects. The types matter: SQLite keeps datetimes and
    intervals as text and numbers, and these columns convert them as nbgrader's do.
    """
    from sqlalchemy import Boolean, Column, DateTime, Float, Interval, MetaData, String, Table, Text

    md = MetaData()
    return {
        "student": Table("student", md, Column("id", String), Column("first_name", String),
                         Column("last_name", String), Column("email", String)),
        "assignment": Table("assignment", md, Column("id", String), Column("name", String),
                            Column("duedate", DateTime)),
        "notebook": Table("notebook", md, Column("id", String), Column("name", String),
                          Column("assignment_id", String)),
        "base_cell": Table("base_cell", md, Column("id", String), Column("name", String),
                           Column("notebook_id", String)),
        "grade_cells": Table("grade_cells", md, Column("id", String), Column("max_score", Float)),
        "task_cells": Table("task_cells", md, Column("id", String), Column("max_score", Float)),
        "submitted_assignment": Table("submitted_assignment", md, Column("id", String),
                                      Column("assignment_id", String), Column("student_id", String),
                                      Column("timestamp", DateTime), Column("extension", Interval)),
        "submitted_notebook": Table("submitted_notebook", md, Column("id", String),
                                    Column("assignment_id", String), Column("notebook_id", String)),
        "grade": Table("grade", md, Column("id", String), Column("notebook_id", String),
                       Column("cell_id", String), Column("auto_score", Float), Column("manual_score", Float),
                       Column("extra_credit", Float), Column("needs_manual_grade", Boolean)),
        "comment": Table("comment", md, Column("id", String), Column("notebook_id", String),
                         Column("cell_id", String), Column("manual_comment", Text)),
    }


def ensure_indexes(engine) -> tuple[str, ...]:
    """Create the missing ``INDEXES`` in the gradebook behind ``engine``; the names created.

    Looks the existing ones up first, so a gradebook that has them is never written to (nor
    locked) by a read; a gradebook that cannot be written (read-only file, a PostgreSQL role
    without the right) is read without them.
    """
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    dialect = engine.dialect.name
    if dialect == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type IN ('index', 'table')"
    elif dialect == "postgresql":
        query = ("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                 "UNION SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    else:
        return ()
    try:
        with engine.connect() as conn:
            present = {name for (name,) in conn.execute(text(query))}
    except SQLAlchemyError:
        return ()
    made = []
    for name, table, column in INDEXES:
        if name in present or table not in present:
            continue
        try:
            with engine.begin() as conn:
                conn.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})"))
        except SQLAlchemyError:  # read-only gradebook: read it without the index
            break
        made.append(name)
    return tuple(made)


def gradebook_engine(course: Course):
    """A SQLAlchemy engine on the course's gradebook, for set-based reads (no nbgrader import).

    Refuses a SQLite gradebook that is missing (``Course.require_gradebook``), as every door to
    the gradebook does.
    """
    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError

    from lablib.course.folder import CourseError, hide_password

    course.require_gradebook()
    try:
        return create_engine(course.db_url, future=True)
    except (SQLAlchemyError, ImportError, ValueError) as exc:  # a bad URL, no driver for it
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CourseError(f"gradebook {hide_password(course.db_url)} tidak dapat dibuka: {first}") from None


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    return str(value)


def _seconds_late(timestamp, duedate, extension) -> float:
    """nbgrader's ``SubmittedAssignment.total_seconds_late``: after the due date plus extension."""
    if timestamp is None or duedate is None:
        return 0.0
    due = duedate + extension if extension is not None else duedate
    return max(0.0, (timestamp - due).total_seconds())


def read_gradebook(course: Course | str | os.PathLike, stages: Iterable[str] | None = None) -> GradebookView:
    """Read participants, the graded cells and every graded submission of ``stages`` (default:
    all five).

    Participants are the course's own record (``lablib-course.json``: name, OPD, post, e-mail)
    and any other student the gradebook has (named as nbgrader has them).

    Four set-based queries whatever the cohort's size (students, graded cells, submissions,
    grades with their comments), not nbgrader's objects one submission at a time: 30–100 ms per
    submission on a large gradebook before, and no import of nbgrader.
    """
    from sqlalchemy import and_, func, select
    from sqlalchemy.exc import SQLAlchemyError

    from lablib.course.folder import CourseError, hide_password

    course = Course.of(course)
    wanted = [get_stage(s).slug for s in stages] if stages is not None else [s.slug for s in STAGES]
    participants: dict[str, Participant] = {p.id: p for p in course.participants}
    records: dict[tuple[str, str], StageRecord] = {}
    cells: dict[str, list[tuple[str, bool, GradedCell]]] = {}
    t = _tables()
    st, a, nb, bc = t["student"], t["assignment"], t["notebook"], t["base_cell"]
    gc, tc, sa, sn = t["grade_cells"], t["task_cells"], t["submitted_assignment"], t["submitted_notebook"]
    g, cm = t["grade"], t["comment"]
    engine = gradebook_engine(course)
    try:
        ensure_indexes(engine)
        with engine.connect() as conn:
            for sid, first, last, email in conn.execute(select(st.c.id, st.c.first_name, st.c.last_name,
                                                               st.c.email)):
                known = participants.get(sid)
                if known is None:
                    name = " ".join(x for x in (first, last) if x)
                    participants[sid] = Participant(sid, name, "", email=email or "")
                elif not known.email and email:
                    participants[sid] = replace(known, email=email)
            cell_rows = conn.execute(
                select(a.c.name, nb.c.name, bc.c.name, gc.c.max_score, tc.c.max_score, tc.c.id)
                .select_from(bc.join(nb, bc.c.notebook_id == nb.c.id).join(a, nb.c.assignment_id == a.c.id)
                             .outerjoin(gc, gc.c.id == bc.c.id).outerjoin(tc, tc.c.id == bc.c.id))
                .where(a.c.name.in_(wanted), (gc.c.id.is_not(None)) | (tc.c.id.is_not(None))))
            for stage, nb_name, name, g_max, t_max, task_id in cell_rows:
                task = task_id is not None and g_max is None
                cells.setdefault(stage, []).append(
                    (nb_name, task, GradedCell(stage, name, float((t_max if task else g_max) or 0.0), task)))
            subs = {}
            for sub_id, stage, student, stamp, extension, due in conn.execute(
                    select(sa.c.id, a.c.name, sa.c.student_id, sa.c.timestamp, sa.c.extension, a.c.duedate)
                    .select_from(sa.join(a, sa.c.assignment_id == a.c.id))
                    .where(a.c.name.in_(wanted),
                           select(func.count()).select_from(sn).where(sn.c.assignment_id == sa.c.id)
                           .scalar_subquery() > 0)):
                subs[sub_id] = (student, stage, _iso(stamp), _seconds_late(stamp, due, extension))
            grades: dict[str, dict[str, CellGrade]] = {sub_id: {} for sub_id in subs}
            for row in conn.execute(
                    select(sn.c.assignment_id, bc.c.name, g.c.id, g.c.auto_score, g.c.manual_score,
                           g.c.extra_credit, g.c.needs_manual_grade, gc.c.max_score, tc.c.max_score,
                           cm.c.id, cm.c.manual_comment)
                    .select_from(g.join(sn, g.c.notebook_id == sn.c.id)
                                 .join(sa, sn.c.assignment_id == sa.c.id)
                                 .join(a, sa.c.assignment_id == a.c.id)
                                 .join(bc, g.c.cell_id == bc.c.id)
                                 .outerjoin(gc, gc.c.id == g.c.cell_id).outerjoin(tc, tc.c.id == g.c.cell_id)
                                 .outerjoin(cm, and_(cm.c.notebook_id == g.c.notebook_id,
                                                     cm.c.cell_id == g.c.cell_id)))
                    .where(a.c.name.in_(wanted))):
                (sub_id, name, grade_id, auto, manual, extra, needs, g_max, t_max, comment_id, comment) = row
                if sub_id not in grades:
                    continue
                # a stage has one notebook; were there several, their grades merge by name
                grades[sub_id][name] = CellGrade(
                    name=name, auto_score=auto, manual_score=manual, extra_credit=extra,
                    max_score=float(g_max if g_max is not None else (t_max or 0.0)),
                    needs_manual_grade=bool(needs), comment=comment, grade_id=grade_id, comment_id=comment_id)
    except SQLAlchemyError as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CourseError(f"gradebook {hide_password(course.db_url)} tidak dapat dibaca: {first}") from None
    finally:
        engine.dispose()
    for sub_id, (student, stage, stamp, late) in subs.items():
        key = (student, stage)
        merged = {**records[key].grades, **grades[sub_id]} if key in records else grades[sub_id]
        records[key] = StageRecord(student, stage, stamp, merged, seconds_late=late)
    # test cells, then task cells, as nbgrader lists a notebook's grade_cells then task_cells
    ordered = {stage: tuple(c for _, _, c in sorted(found, key=lambda x: (x[0], x[1])))
               for stage, found in cells.items()}
    return GradebookView(dict(sorted(participants.items())), dict(sorted(records.items())),
                         {s: ordered[s] for s in wanted if s in ordered})


# ----------------------------------------------------------------------------- answers

GRADED_FIRST = ("autograded", "submitted")
LATEST_FIRST = ("submitted", "autograded")

# What a participant's answers file can make reading or showing it raise, whatever it holds (a
# hand-edited file, a paste from Word or a PDF): a cohort-wide command catches these around one
# participant's file, so that file never stops the others. ValueError covers a damaged file
# (``AnswersFileError``), an integer of more digits than Python converts and text that cannot be
# encoded (``UnicodeError``); RecursionError lists nested thousands deep; OverflowError a number
# too big for a float; the others a value of the wrong shape.
ANSWER_ERRORS: tuple[type[BaseException], ...] = (
    ValueError, TypeError, OverflowError, RecursionError, KeyError, IndexError, AttributeError)


def submission_folder(course: Course, student: str, stage: str,
                      prefer: tuple[str, ...] = GRADED_FIRST) -> Path | None:
    """The participant's folder of ``stage`` in the first of ``prefer``'s steps that has one."""
    slug = get_stage(stage).slug
    for step in prefer:
        folder = course.path(step, student, slug)
        if folder.is_dir():
            return folder
    return None


def stage_answers(course: Course, student: str, stage: str,
                  prefer: tuple[str, ...] = GRADED_FIRST) -> dict[str, Any] | None:
    """The answers mapping in the participant's ``stage`` folder, read without changing anything.

    ``None`` when there is no folder or no readable answers file (whatever the file holds: a
    file that cannot be read as answers never raises here).
    """
    from lablib.core.answers import AnswerStore, parse_answers_file

    folder = submission_folder(course, student, stage, prefer)
    if folder is None:
        return None
    store = AnswerStore(folder, stage)
    if not store.path.is_file():
        return None
    try:
        answers = parse_answers_file(store.path, store.stage)["answers"]
    except (OSError, *ANSWER_ERRORS):  # AnswersFileError, or what a hostile file makes json raise
        return None
    return answers if isinstance(answers, dict) else None


def latest_answers(course: Course | str | os.PathLike, student: str,
                   prefer: tuple[str, ...] = LATEST_FIRST) -> dict[str, Any]:
    """Every exercise's latest answers across the stages: ``{exercise_id: {...}}``.

    Later stages hold imported copies of earlier exercises (Display imports everything), so an
    exercise is read from the latest stage whose file has it, falling back to earlier stages.
    """
    course = Course.of(course)
    merged: dict[str, Any] = {}
    for st in reversed(STAGES):
        answers = stage_answers(course, student, st.slug, prefer)
        for key, value in (answers or {}).items():
            if isinstance(value, dict) and key not in merged:
                merged[key] = value
    return merged


def course_students(course: Course, view: GradebookView | None = None) -> list[str]:
    """Participant ids known to the gradebook, the roster or the submission folders."""
    ids = set(view.participants) if view is not None else set(course.ids())
    for step in LATEST_FIRST:
        base = course.step_dir(step)
        if base.is_dir():
            ids.update(p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))
    return sorted(ids)


def stage_has_exercises(stage: str) -> bool:
    return bool(stage_exercises(stage))


__all__ = [
    "ANSWER_ERRORS",
    "CellGrade",
    "GradedCell",
    "GradebookView",
    "StageRecord",
    "course_students",
    "ensure_indexes",
    "gradebook_engine",
    "latest_answers",
    "level_for_score",
    "read_gradebook",
    "stage_answers",
    "stage_has_exercises",
    "submission_folder",
]
