"""Read helpers over nbgrader's gradebook and the course folders, for review, feedback and reports.

nbgrader stores one ``Grade`` (and one ``Comment``) per graded cell of each submitted notebook.
lablib names those cells after the exercise definitions (``auto-<code>-<check>`` test cells,
``rubrik-<code>-<criterion>`` task cells; see ``lablib.notebook.assignments``), so every grade maps back
to an exercise and a check or a rubric criterion. This module reads the gradebook once into
plain frozen dataclasses, so callers never hold a database session, and finds a participant's
answers files in the course folders (``autograded/``, ``submitted/``).
"""

from __future__ import annotations

import csv
import datetime as _dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from lablib.core.exercises import Exercise
from lablib.core.rubrics import MAX_LEVEL
from lablib.core.stages import STAGES, get_stage
from lablib.curriculum import all_exercises, stage_exercises

AUTO, RUBRIC = "auto", "rubrik"


# ----------------------------------------------------------------------------- grade names

@dataclass(frozen=True)
class GradeName:
    """What a grade cell's name means: an automatic check or a rubric criterion of an exercise."""

    name: str
    kind: str  # AUTO or RUBRIC
    exercise: Exercise
    item_id: str  # the check id or the criterion id

    @property
    def stage(self) -> str:
        return self.exercise.stage

    @property
    def item(self):
        """The ``Check`` or ``Criterion`` this grade belongs to."""
        return self.exercise.check(self.item_id) if self.kind == AUTO else self.exercise.criterion(self.item_id)

    @property
    def points(self) -> float:
        return float(self.item.points)


@cache
def _grade_names() -> dict[str, GradeName]:
    from lablib.notebook.assignments import task_grade_id, test_grade_id

    names: dict[str, GradeName] = {}
    for ex in all_exercises():
        for check in ex.checks:
            gid = test_grade_id(ex, check.id)
            names[gid] = GradeName(gid, AUTO, ex, check.id)
        for crit in ex.criteria:
            gid = task_grade_id(ex, crit.id)
            names[gid] = GradeName(gid, RUBRIC, ex, crit.id)
    return names


def grade_names(stage: str | None = None) -> dict[str, GradeName]:
    """``{grade cell name: GradeName}`` for every check and criterion (of one stage), in order."""
    names = _grade_names()
    if stage is None:
        return dict(names)
    get_stage(stage)
    return {k: v for k, v in names.items() if v.stage == stage}


def describe_grade(name: str) -> GradeName | None:
    """The check or criterion behind a grade cell name, or ``None`` for a name lablib did not make."""
    return _grade_names().get(name)


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
    score: float
    max_score: float
    needs_manual_grade: bool
    comment: str | None  # the narasumber's (manual) comment
    grade_id: str  # the gradebook's id of the Grade (what formgrader edits)
    comment_id: str | None = None

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
class Participant:
    id: str
    name: str = ""
    opd: str = ""
    email: str = ""
    jabatan: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.id})" if self.name and self.name != self.id else self.id


@dataclass(frozen=True)
class GradebookView:
    """Everything the gradebook knows about a course's participants and their graded stages."""

    participants: Mapping[str, Participant]
    records: Mapping[tuple[str, str], StageRecord] = field(default_factory=dict)

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

def course_db_url(course_dir: str | os.PathLike) -> str:
    """The gradebook URL of a lablib course (from its ``nbgrader_config.py``)."""
    from lablib.course.folder import load_config, sqlite_url

    config = load_config(course_dir)
    url = config.CourseDirectory.get("db_url") if "CourseDirectory" in config else None
    return str(url) if url else sqlite_url(Path(course_dir).resolve())


def course_id(course_dir: str | os.PathLike) -> str:
    from lablib.course.folder import DEFAULT_COURSE_ID, load_config

    config = load_config(course_dir)
    cid = config.CourseDirectory.get("course_id") if "CourseDirectory" in config else None
    return str(cid) if cid else DEFAULT_COURSE_ID


def open_gradebook(course_dir: str | os.PathLike):
    """An nbgrader ``Gradebook`` on the course's database (use it as a context manager)."""
    from nbgrader.api import Gradebook

    from lablib.course.folder import ensure_tools_on_path

    ensure_tools_on_path()
    return Gradebook(course_db_url(course_dir), course_id(course_dir))


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    return str(value)


def read_gradebook(course_dir: str | os.PathLike, stages: Iterable[str] | None = None) -> GradebookView:
    """Read participants and every graded submission of ``stages`` (default: all five)."""
    from nbgrader.api import MissingEntry

    wanted = [get_stage(s).slug for s in stages] if stages is not None else [s.slug for s in STAGES]
    roster = read_roster(course_dir)
    participants: dict[str, Participant] = {}
    records: dict[tuple[str, str], StageRecord] = {}
    with open_gradebook(course_dir) as gb:
        for st in gb.students:
            info = roster.get(st.id)
            name = " ".join(x for x in (st.first_name, st.last_name) if x) or (info.name if info else "")
            participants[st.id] = Participant(
                st.id, name=(info.name if info and info.name else name), opd=info.opd if info else "",
                email=st.email or (info.email if info else ""), jabatan=info.jabatan if info else "")
        for pid, info in roster.items():
            participants.setdefault(pid, info)
        for stage in wanted:
            try:
                gb.find_assignment(stage)
            except MissingEntry:
                continue
            for sub in gb.assignment_submissions(stage):
                for nb in sub.notebooks:
                    grades: dict[str, CellGrade] = {}
                    comments = {c.name: c for c in nb.comments}
                    for g in nb.grades:
                        c = comments.get(g.name)
                        grades[g.name] = CellGrade(
                            name=g.name, auto_score=g.auto_score, manual_score=g.manual_score,
                            score=float(g.score or 0.0), max_score=float(g.max_score or 0.0),
                            needs_manual_grade=bool(g.needs_manual_grade),
                            comment=c.manual_comment if c is not None else None,
                            grade_id=g.id, comment_id=c.id if c is not None else None)
                    key = (sub.student.id, stage)
                    if key in records:  # a stage has one notebook; merge defensively if not
                        grades = {**records[key].grades, **grades}
                    records[key] = StageRecord(sub.student.id, stage, _iso(sub.timestamp), grades)
    return GradebookView(dict(sorted(participants.items())), records)


# ----------------------------------------------------------------------------- roster

ROSTER_FILENAMES = ("peserta.csv", "roster.csv", "peserta.xlsx", "roster.xlsx")


def read_roster(course_dir: str | os.PathLike) -> dict[str, Participant]:
    """Participants' name, OPD and post as the course records them, if it does.

    The course's own record (``lablib-course.json``, written by ``lablib init``) comes first;
    otherwise a roster file in the course folder (``ROSTER_FILENAMES``; columns id, nama, opd,
    jabatan, email). Nothing found → ``{}``.
    """
    course_dir = Path(course_dir)
    rows: list[Mapping[str, Any]] = []
    try:
        from lablib.course.folder import load_course

        if (course_dir / "lablib-course.json").is_file():
            rows = [_row_dict(p) for p in load_course(course_dir).participants]
    except Exception:  # noqa: BLE001 - an older course module or a damaged record: fall back to a roster file
        rows = []
    path = next((course_dir / n for n in ROSTER_FILENAMES if (course_dir / n).is_file()), None)
    if not rows and path is not None:
        try:
            from lablib.course.roster import (
                read_roster as _read,  # the course commands' strict reader
            )

            rows = [_row_dict(r) for r in _read(path)]
        except Exception:  # noqa: BLE001 - missing module or a roster edited badly after init: read leniently
            try:
                rows = _read_table(path)
            except Exception:  # noqa: BLE001 - unreadable: no roster details
                rows = []
    out = {}
    for r in rows:
        pid = str(r.get("id") or "").strip()
        if pid:
            out[pid] = Participant(pid, name=str(r.get("nama") or r.get("name") or "").strip(),
                                   opd=str(r.get("opd") or "").strip(), email=str(r.get("email") or "").strip(),
                                   jabatan=str(r.get("jabatan") or "").strip())
    return out


def _row_dict(r: Any) -> dict:
    if isinstance(r, Mapping):
        return dict(r)
    if hasattr(r, "_asdict"):
        return r._asdict()
    if hasattr(r, "__dataclass_fields__"):
        return {k: getattr(r, k) for k in r.__dataclass_fields__}
    return dict(vars(r))


def _read_table(path: Path) -> list[dict]:
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return [{(k or "").strip().lower(): v for k, v in row.items()} for row in csv.DictReader(fh)]
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    if not rows:
        return []
    head = [str(h or "").strip().lower() for h in rows[0]]
    return [dict(zip(head, r)) for r in rows[1:]]


# ----------------------------------------------------------------------------- answers

GRADED_FIRST = ("autograded", "submitted")
LATEST_FIRST = ("submitted", "autograded")


def submission_folder(course_dir: str | os.PathLike, student: str, stage: str,
                      prefer: tuple[str, ...] = GRADED_FIRST) -> Path | None:
    """The participant's folder of ``stage`` in the first of ``prefer``'s steps that has one."""
    slug = get_stage(stage).slug
    for step in prefer:
        folder = Path(course_dir) / step / student / slug
        if folder.is_dir():
            return folder
    return None


def stage_answers(course_dir: str | os.PathLike, student: str, stage: str,
                  prefer: tuple[str, ...] = GRADED_FIRST) -> dict[str, Any] | None:
    """The answers mapping in the participant's ``stage`` folder, read without changing anything.

    ``None`` when there is no folder or no readable answers file.
    """
    from lablib.core.answers import AnswersFileError, AnswerStore, parse_answers_file

    folder = submission_folder(course_dir, student, stage, prefer)
    if folder is None:
        return None
    store = AnswerStore(folder, stage)
    if not store.path.is_file():
        return None
    try:
        return parse_answers_file(store.path, store.stage)["answers"]
    except AnswersFileError:
        return None


def latest_answers(course_dir: str | os.PathLike, student: str,
                   prefer: tuple[str, ...] = LATEST_FIRST) -> dict[str, Any]:
    """Every exercise's latest answers across the stages: ``{exercise_id: {...}}``.

    Later stages hold imported copies of earlier exercises (Display imports everything), so an
    exercise is read from the latest stage whose file has it, falling back to earlier stages.
    """
    merged: dict[str, Any] = {}
    for st in reversed(STAGES):
        answers = stage_answers(course_dir, student, st.slug, prefer)
        for key, value in (answers or {}).items():
            if isinstance(value, dict) and key not in merged:
                merged[key] = value
    return merged


def course_students(course_dir: str | os.PathLike, view: GradebookView | None = None) -> list[str]:
    """Participant ids known to the gradebook, the roster or the submission folders."""
    ids = set(view.participants) if view is not None else set(read_roster(course_dir))
    for step in LATEST_FIRST:
        base = Path(course_dir) / step
        if base.is_dir():
            ids.update(p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))
    return sorted(ids)


def stage_has_exercises(stage: str) -> bool:
    return bool(stage_exercises(stage))


__all__ = [
    "AUTO",
    "RUBRIC",
    "CellGrade",
    "GradeName",
    "GradebookView",
    "Participant",
    "StageRecord",
    "course_db_url",
    "course_id",
    "course_students",
    "describe_grade",
    "grade_names",
    "latest_answers",
    "level_for_score",
    "open_gradebook",
    "read_gradebook",
    "read_roster",
    "stage_answers",
    "stage_has_exercises",
    "submission_folder",
]
