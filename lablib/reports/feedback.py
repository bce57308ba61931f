"""Feedback pages for participants: one self-contained HTML page per participant per stage.

The page shows, in Bahasa Indonesia: every automatic check's result and message (lablib's own
checks run on the graded copy of the participant's answers, so they say why each score is
what the gradebook holds), every rubric criterion's level, its descriptor and the
narasumber's comment, the participant's answers, and the stage and course totals. It never
shows notebook cells: nbgrader's own feedback prints the test cells' code by design
(jupyter/nbgrader#917); ours does not.

Pages go to ``<course>/umpan-balik/<id>/<stage>/umpan-balik-<stage>.html``. Where nbgrader
has generated its feedback for the submission (``feedback/<id>/<stage>/`` with its
``timestamp.txt``), our page also replaces nbgrader's ``<stage>.html`` there, so
``nbgrader release_feedback`` / ``fetch_feedback`` deliver this page instead of the cells.

Numbers are the ones every other output shows (``lablib.course.totals``): the stage total is
the gradebook's, rounded half up once; the course total is the sum of the rounded stage
totals; the parts under a total (exercises, automatic and rubric parts, checks and criteria)
are apportioned by largest remainder, so what the page shows adds up. A participant's pages
of other stages carry the course total too: ``refresh_feedback`` rewrites those whose content
changed, so a Design page and a Display page never disagree.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from markupsafe import Markup

from lablib.core.checks import ExerciseResult, run_checks
from lablib.core.files import write_text_atomic
from lablib.core.i18n import Text
from lablib.core.rubrics import LEVELS
from lablib.core.stages import STAGES, get_stage
from lablib.course import totals
from lablib.course.course import Course
from lablib.course.gradebook import (
    ANSWER_ERRORS,
    GradebookView,
    StageRecord,
    read_gradebook,
    stage_answers,
    submission_folder,
)
from lablib.curriculum import all_exercises, stage_exercises
from lablib.curriculum.grade_ids import auto_grade_id, rubric_grade_id
from lablib.reports.pages import render

FEEDBACK_DIR = "umpan-balik"
LANG = "id"
UNREADABLE = "Jawaban latihan ini tidak dapat ditampilkan dari berkas jawaban Anda; tanyakan kepada fasilitator."


def _t(text: Text | str) -> str:
    return text.get(LANG) if isinstance(text, Text) else str(text)


def _check_items(result: ExerciseResult, record: StageRecord | None) -> list[dict]:
    """Each automatic check with the score the gradebook holds for it (else lablib's own)."""
    from lablib.curriculum import get_exercise

    ex = get_exercise(result.exercise_id)
    items = []
    for c in result.checks:
        official = None
        if record is not None:
            g = record.grades.get(auto_grade_id(ex, c.check_id))
            official = g.score if g is not None else None
        earned = official if official is not None else c.earned
        items.append({"passed": earned >= c.available - 1e-9, "title": _t(c.title), "earned": earned,
                      "available": c.available, "messages": [_t(m) for m in c.messages]})
    return items


def _criteria_items(ex, record: StageRecord | None) -> list[dict]:
    """Each rubric criterion: its level, descriptor, score and the narasumber's comment."""
    rows = []
    for crit in ex.criteria:
        g = record.grades.get(rubric_grade_id(ex, crit.id)) if record is not None else None
        level = g.level if g is not None else None
        pending = g is None or g.manual_score is None
        if pending:
            desc = "Narasumber belum memberi nilai untuk kriteria ini."
        elif level is None:
            desc = "Nilai diberikan langsung oleh narasumber."
        else:
            desc = crit.descriptors[level]
        rows.append({
            "title": crit.title, "pending": pending, "level": None if pending else level,
            "level_name": _t(LEVELS[level]) if level is not None and not pending else "",
            "description": desc, "comment": g.comment if g is not None and g.comment else "",
            "score": None if pending else g.score, "points": crit.points,
            "levels": [(n, _t(LEVELS[n]), d) for n, d in enumerate(crit.descriptors)],
        })
    return rows


def feedback_html(view: GradebookView, course: Course, student: str, stage: str) -> str:
    """The feedback page of one participant and stage (full HTML document)."""
    from lablib.core.calendar import load_calendar
    from lablib.notebook.summary import answers_html

    st = get_stage(stage)
    record = view.record(student, st.slug)
    info = view.participant(student)
    answers = stage_answers(course, student, st.slug) or {}
    folder = submission_folder(course, student, st.slug)
    calendar = load_calendar(folder)
    exercises = stage_exercises(st.slug)

    stage_total = record.total if record is not None else totals.ZERO
    stage_max = sum(ex.points for ex in exercises)
    auto_max = sum(ex.auto_points for ex in exercises)
    rubric_max = sum(ex.rubric_points for ex in exercises)
    auto, rubric = totals.apportion([record.auto_score if record is not None else 0.0,
                                     record.rubric_score if record is not None else 0.0], stage_total)
    reviewed = record is not None and record.reviewed
    course_max = sum(ex.points for ex in all_exercises())
    graded_stages = view.student_records(student)

    scores = record.exercise_scores() if record is not None else {}
    exact = [scores.get(ex.id, (0.0, ex.points))[0] for ex in exercises]
    # the exercises shown add up to the stage total shown (largest remainder)
    shown_earned = totals.apportion(exact, stage_total) if record is not None else [totals.ZERO] * len(exercises)
    items = []
    for ex, earned in zip(exercises, shown_earned):
        available = scores.get(ex.id, (0.0, ex.points))[1]
        try:
            result = run_checks(ex, answers, calendar)
            checks = _check_items(result, record) if ex.checks else []
            # Safe: answers_html escapes every answer and label itself (participant text included).
            shown = Markup(answers_html(ex, answers, calendar))
        except ANSWER_ERRORS:  # one exercise's answers that cannot be shown never stop the page (or the cohort)
            checks = []
            shown = Markup("<p>") + UNREADABLE + Markup("</p>")
        criteria = _criteria_items(ex, record) if ex.criteria else []
        if record is not None:  # without a graded record there is no total to add up to
            _apportion_parts(checks, criteria, earned)
        items.append({
            "code": ex.code, "title": ex.title, "earned": earned, "available": available,
            "checks": checks, "criteria": criteria, "answers": shown,
        })
    return render(
        "feedback.html.j2", stage_title=st.title, label=info.label, name=info.nama or student,
        student=student, opd=info.opd, submitted=record.timestamp if record else None,
        stage={"earned": stage_total, "max": stage_max, "auto": auto, "auto_max": auto_max,
               "rubric": rubric, "rubric_max": rubric_max},
        course={"earned": view.course_total(student), "max": course_max, "stages": len(graded_stages)},
        reviewed=reviewed, exercises=items, generated=_dt.datetime.now().astimezone())


def _apportion_parts(checks: list[dict], criteria: list[dict], earned) -> None:
    """Replace the checks' and criteria's points by rounded ones that add up to the exercise's
    points shown (``earned``); a pending criterion stays without a score."""
    scored = [c for c in criteria if c["score"] is not None]
    parts = [c["earned"] for c in checks] + [c["score"] for c in scored]
    if not parts:
        return
    for part, value in zip([*checks, *scored], totals.apportion(parts, earned)):
        part["earned" if "earned" in part else "score"] = value


def _write(path: Path, text: str) -> None:
    if path.exists():
        path.chmod(path.stat().st_mode | 0o200)
    write_text_atomic(path, text)


def feedback_path(course: Course | str | os.PathLike, student: str, stage: str) -> Path:
    slug = get_stage(stage).slug
    root = course.root if isinstance(course, Course) else Path(course)
    return root / FEEDBACK_DIR / student / slug / f"umpan-balik-{slug}.html"


def graded_view(course: Course) -> GradebookView:
    """The gradebook as the pages show it: a stage whose last grading failed has no record (its
    scores are from before; status, export and the report leave them out the same way)."""
    from lablib.course.grading import grading_failures

    view = read_gradebook(course)  # every stage: a page shows the course total too
    failed = grading_failures(course)
    if not failed:
        return view
    return replace(view, records={key: r for key, r in view.records.items() if key not in failed})


def write_feedback(course: Course | str | os.PathLike, stage: str, participants: Iterable[str] | None = None,
                   *, replace_nbgrader: bool = True, view: GradebookView | None = None) -> list[Path]:
    """Write the feedback page of every graded participant of ``stage`` (or of ``participants``).

    Returns the pages written under ``<course>/umpan-balik/``. With ``replace_nbgrader`` (the
    default), a participant's nbgrader feedback page ``feedback/<id>/<stage>/<stage>.html``,
    where nbgrader generated one, is replaced by this page, so releasing feedback through
    nbgrader never shows the test cells.
    """
    st = get_stage(stage)
    course = Course.of(course)
    view = graded_view(course) if view is None else view
    graded = [r.student for r in view.stage_records(st.slug)]
    wanted = graded if participants is None else sorted(set(participants) & set(graded))
    written = []
    for student in wanted:
        page = feedback_html(view, course, student, st.slug)
        written.append(_store(course, student, st.slug, page, replace_nbgrader))
    return written


def _store(course: Course, student: str, slug: str, page: str, replace_nbgrader: bool) -> Path:
    path = feedback_path(course, student, slug)
    _write(path, page)
    nb_dir = course.path("feedback", student, slug)
    if replace_nbgrader and (nb_dir / "timestamp.txt").is_file():
        _write(nb_dir / f"{slug}.html", page)
    return path


_FOOTER = re.compile(r"<footer>.*?</footer>", re.S)


def _content(page: str) -> str:
    """A page without its footer (the time it was made), to tell whether anything shown changed."""
    return _FOOTER.sub("", page)


def refresh_feedback(course: Course | str | os.PathLike, participants: Iterable[str] | None = None, *,
                     skip: Iterable[tuple[str, str]] = (), replace_nbgrader: bool = True,
                     view: GradebookView | None = None) -> list[tuple[str, str]]:
    """Rewrite the participants' existing feedback pages (every stage) whose content changed.

    A page carries the course total, so a grade changed in one stage changes every page of the
    participant; pages made earlier and already released would then show another total. Pages
    that already exist are the ones refreshed (a stage never given feedback gets none here), and
    only those whose content differs are rewritten. ``participants`` defaults to everyone with a
    page; ``skip`` are ``(participant, stage)`` pages just written. Returns the pages rewritten,
    as ``(participant, stage)``.
    """
    course = Course.of(course)
    view = graded_view(course) if view is None else view
    root = course.root / FEEDBACK_DIR
    if participants is None:
        try:
            participants = sorted(p.name for p in root.iterdir() if p.is_dir())
        except OSError:
            participants = []
    skipped = set(skip)
    changed = []
    for student in participants:
        for st in STAGES:
            if (student, st.slug) in skipped or view.record(student, st.slug) is None:
                continue
            path = feedback_path(course, student, st.slug)
            try:
                old = path.read_text(encoding="utf-8")
            except (OSError, UnicodeError):
                continue  # no page made for this stage yet: nothing released to disagree with
            page = feedback_html(view, course, student, st.slug)
            if _content(page) != _content(old):
                _store(course, student, st.slug, page, replace_nbgrader)
                changed.append((student, st.slug))
    return changed


__all__ = ["FEEDBACK_DIR", "feedback_html", "feedback_path", "graded_view", "refresh_feedback",
           "write_feedback"]

