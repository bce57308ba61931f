"""Read helpers over nbgrader's gradebook and the course folders, for review, feedback and reports.

nbgrader stores one ``Grade`` (and one ``Comment``) per graded cell of each submitted notebook.
lablib names those cells after the exercise definitions (``auto-<code>-<check>`` test cells,
``rubrik-<code>-<criterion>`` task cells; see ``lablib.curriculum.grade_ids``), so every grade maps back
to an exercise and a check or a rubric criterion. This module reads the gradebook once into
plain frozen dataclasses, so callers never hold a database session, and finds a participant's
answers files in the course folders (``autograded/``, ``submitted/``).
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lablib.core.rubrics import MAX_LEVEL
from lablib.core.stages import STAGES, get_stage
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

    def stage_records(self, stage: str) -> list[StageRecord]:
        return [r for (s, st), r in sorted(self.records.items()) if st == stage]

    def course_score(self, student: str) -> tuple[float, float]:
        """(earned over the graded stages, points of the whole course)."""
        earned = sum(r.score for (s, _), r in self.records.items() if s == student)
        available = sum(ex.points for ex in all_exercises())
        return round(earned, 4), round(available, 4)


# ----------------------------------------------------------------------------- reading

def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    return str(value)


def read_gradebook(course: Course | str | os.PathLike, stages: Iterable[str] | None = None) -> GradebookView:
    """Read participants, the graded cells and every graded submission of ``stages`` (default:
    all five).

    Participants are the course's own record (``lablib-course.json``: name, OPD, post, e-mail)
    and any other student the gradebook has (named as nbgrader has them).
    """
    from nbgrader.api import MissingEntry

    course = Course.of(course)
    wanted = [get_stage(s).slug for s in stages] if stages is not None else [s.slug for s in STAGES]
    participants: dict[str, Participant] = {p.id: p for p in course.participants}
    records: dict[tuple[str, str], StageRecord] = {}
    cells: dict[str, tuple[GradedCell, ...]] = {}
    with course.gradebook() as gb:
        for st in gb.students:
            known = participants.get(st.id)
            if known is None:
                name = " ".join(x for x in (st.first_name, st.last_name) if x)
                participants[st.id] = Participant(st.id, name, "", email=st.email or "")
            elif not known.email and st.email:
                participants[st.id] = replace(known, email=st.email)
        for stage in wanted:
            try:
                assignment = gb.find_assignment(stage)
            except MissingEntry:
                continue
            cells[stage] = tuple(
                GradedCell(stage, c.name, float(c.max_score or 0.0), task)
                for nb in assignment.notebooks
                for task, group in ((False, nb.grade_cells), (True, nb.task_cells)) for c in group)
            for sub in gb.assignment_submissions(stage):
                for nb in sub.notebooks:
                    grades: dict[str, CellGrade] = {}
                    comments = {c.name: c for c in nb.comments}
                    for g in nb.grades:
                        c = comments.get(g.name)
                        grades[g.name] = CellGrade(
                            name=g.name, auto_score=g.auto_score, manual_score=g.manual_score,
                            extra_credit=g.extra_credit, max_score=float(g.max_score or 0.0),
                            needs_manual_grade=bool(g.needs_manual_grade),
                            comment=c.manual_comment if c is not None else None,
                            grade_id=g.id, comment_id=c.id if c is not None else None)
                    key = (sub.student.id, stage)
                    if key in records:  # a stage has one notebook; merge defensively if not
                        grades = {**records[key].grades, **grades}
                    records[key] = StageRecord(sub.student.id, stage, _iso(sub.timestamp), grades)
    return GradebookView(dict(sorted(participants.items())), records, cells)


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
    "latest_answers",
    "level_for_score",
    "read_gradebook",
    "stage_answers",
    "stage_has_exercises",
    "submission_folder",
]
