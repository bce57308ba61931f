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
"""

from __future__ import annotations

import datetime as _dt
import html
import os
from collections.abc import Iterable
from pathlib import Path

from lablib.core.checks import ExerciseResult, run_checks
from lablib.core.files import write_text_atomic
from lablib.core.i18n import Text
from lablib.core.rubrics import LEVELS
from lablib.core.stages import get_stage
from lablib.course.gradebook import (
    GradebookView,
    Participant,
    StageRecord,
    read_gradebook,
    stage_answers,
    submission_folder,
)
from lablib.curriculum import all_exercises, stage_exercises

FEEDBACK_DIR = "umpan-balik"
_e = html.escape
LANG = "id"


def _t(text: Text | str) -> str:
    return text.get(LANG) if isinstance(text, Text) else str(text)


def _pts(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:.2f}".rstrip("0").rstrip(".").replace(".", ",")


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;color:#1a1a1a;
 max-width:60em;margin:1.5em auto;padding:0 1em;line-height:1.45;background:#fff}
h1{font-size:1.5em;margin-bottom:.2em} h2{border-bottom:2px solid #1f4e79;padding-bottom:.2em;margin-top:1.6em}
h3{margin:.9em 0 .3em}
.meta{color:#444} .totals{display:flex;gap:1em;flex-wrap:wrap;margin:1em 0}
.box{border:1px solid #c5d3e3;background:#f3f7fb;border-radius:6px;padding:.6em 1em;min-width:12em}
.box b{font-size:1.4em;display:block}
.ok{color:#1b5e20;font-weight:bold} .no{color:#b71c1c;font-weight:bold}
ul.checks{list-style:none;padding-left:0} ul.checks li{margin:.35em 0}
ul.msgs{margin:.2em 0 .2em 1.6em;padding-left:.6em;color:#333}
table{border-collapse:collapse;width:100%;margin:.4em 0} th,td{border:1px solid #bbb;padding:4px 7px;
 vertical-align:top;text-align:left} th{background:#eef2f7}
.level{font-weight:bold;white-space:nowrap} .pending{color:#8a5a00}
.comment{white-space:pre-wrap;background:#fffbea;border-left:3px solid #e0b400;padding:.3em .6em}
details{margin:.6em 0} summary{cursor:pointer;color:#1f4e79}
footer{margin-top:2em;color:#666;font-size:.85em;border-top:1px solid #ddd;padding-top:.5em}
@media print{details{display:block} summary{display:none}}
"""


def _check_rows(result: ExerciseResult, record: StageRecord | None) -> str:
    from lablib.curriculum import get_exercise
    from lablib.notebook.assignments import test_grade_id

    ex = get_exercise(result.exercise_id)
    items = []
    for c in result.checks:
        official = None
        if record is not None:
            g = record.grades.get(test_grade_id(ex, c.check_id))
            official = g.score if g is not None else None
        earned = official if official is not None else c.earned
        passed = earned >= c.available - 1e-9
        mark = '<span class="ok">✓</span>' if passed else '<span class="no">✗</span>'
        msgs = "".join(f"<li>{_e(_t(m))}</li>" for m in c.messages)
        items.append(f"<li>{mark} {_e(_t(c.title))} <small>({_pts(earned)}/{_pts(c.available)} poin)</small>"
                     + (f'<ul class="msgs">{msgs}</ul>' if msgs else "") + "</li>")
    return f'<ul class="checks">{"".join(items)}</ul>'


def _criteria_rows(ex, record: StageRecord | None) -> str:
    from lablib.notebook.assignments import task_grade_id

    rows = []
    for crit in ex.criteria:
        g = record.grades.get(task_grade_id(ex, crit.id)) if record is not None else None
        level = g.level if g is not None else None
        if g is None or g.manual_score is None:
            lvl = '<span class="pending">belum dinilai</span>'
            desc, score = "Narasumber belum memberi nilai untuk kriteria ini.", "–"
        elif level is None:
            lvl, desc, score = "–", "Nilai diberikan langsung oleh narasumber.", _pts(g.manual_score)
        else:
            lvl = f'<span class="level">{level} – {_e(_t(LEVELS[level]))}</span>'
            desc, score = crit.descriptors[level], _pts(g.manual_score)
        comment = (f'<div class="comment">{_e(g.comment)}</div>' if g is not None and g.comment else "")
        all_levels = "".join(f"<li><b>{n} – {_e(_t(LEVELS[n]))}</b>: {_e(d)}</li>"
                             for n, d in enumerate(crit.descriptors))
        rows.append(
            f"<tr><td><b>{_e(crit.title)}</b><details><summary>Lihat semua level</summary>"
            f"<ul>{all_levels}</ul></details></td><td>{lvl}</td><td>{_e(desc)}{comment}</td>"
            f"<td>{score}/{_pts(crit.points)}</td></tr>")
    if not rows:
        return ""
    return ("<table><thead><tr><th>Kriteria rubrik</th><th>Level</th><th>Deskripsi dan komentar narasumber</th>"
            f"<th>Poin</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


def feedback_html(view: GradebookView, course_dir: str | os.PathLike, student: str, stage: str) -> str:
    """The feedback page of one participant and stage (full HTML document)."""
    from lablib.core.calendar import load_calendar
    from lablib.notebook.summary import answers_html

    st = get_stage(stage)
    record = view.record(student, st.slug)
    info = view.participants.get(student) or Participant(student)
    answers = stage_answers(course_dir, student, st.slug) or {}
    folder = submission_folder(course_dir, student, st.slug)
    calendar = load_calendar(folder)
    exercises = stage_exercises(st.slug)

    stage_earned = record.score if record is not None else 0.0
    stage_max = sum(ex.points for ex in exercises)
    auto_max = sum(ex.auto_points for ex in exercises)
    rubric_max = sum(ex.rubric_points for ex in exercises)
    auto = record.auto_score if record is not None else 0.0
    rubric = record.rubric_score if record is not None else 0.0
    reviewed = record is not None and record.reviewed
    course_earned = sum(r.score for (s, _), r in view.records.items() if s == student)
    course_max = sum(ex.points for ex in all_exercises())
    graded_stages = [s for (p, s) in view.records if p == student]

    parts = [
        "<!DOCTYPE html>", '<html lang="id"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Umpan balik {_e(st.title)} · {_e(info.label)}</title><style>{CSS}</style></head><body>",
        f"<h1>Umpan balik: {_e(st.title)}</h1>",
        f'<p class="meta">{_e(info.name or student)} · ID {_e(student)}'
        + (f" · {_e(info.opd)}" if info.opd else "")
        + (f" · dikumpulkan {_e(record.timestamp[:16].replace('T', ' '))}" if record and record.timestamp else "")
        + "</p>",
        '<div class="totals">',
        (f'<div class="box">Nilai tahap ini<b>{_pts(stage_earned)} / {_pts(stage_max)}</b>'
         f"otomatis {_pts(auto)}/{_pts(auto_max)} · rubrik {_pts(rubric)}/{_pts(rubric_max)}</div>"),
        (f'<div class="box">Nilai kursus sejauh ini<b>{_pts(course_earned)} / {_pts(course_max)}</b>'
         f"dari {len(graded_stages)} tahap yang sudah dinilai</div></div>"),
    ]
    if not reviewed:
        parts.append('<p class="pending">Penilaian narasumber untuk tahap ini belum lengkap; nilai rubrik '
                     "dapat bertambah setelah narasumber selesai menilai.</p>")
    for ex in exercises:
        result = run_checks(ex, answers, calendar)
        earned, available = (record.exercise_scores().get(ex.id, (0.0, ex.points)) if record is not None
                             else (0.0, ex.points))
        parts.append(f"<h2>{_e(ex.code)} {_e(ex.title)} <small>({_pts(earned)}/{_pts(available)} poin)</small></h2>")
        if ex.checks:
            parts.append("<h3>Pemeriksaan otomatis</h3>" + _check_rows(result, record))
        if ex.criteria:
            parts.append("<h3>Penilaian narasumber</h3>" + _criteria_rows(ex, record))
        parts.append("<details><summary>Jawaban Anda</summary>"
                     + answers_html(ex, answers, calendar) + "</details>")
    stamp = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    parts.append(f"<footer>Dibuat oleh lablib pada {_e(stamp)}. Nilai otomatis berasal dari pemeriksaan yang "
                 "sama dengan tombol Periksa di formulir; nilai rubrik dari narasumber LAN.</footer>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _write(path: Path, text: str) -> None:
    if path.exists():
        path.chmod(path.stat().st_mode | 0o200)
    write_text_atomic(path, text)


def feedback_path(course_dir: str | os.PathLike, student: str, stage: str) -> Path:
    slug = get_stage(stage).slug
    return Path(course_dir) / FEEDBACK_DIR / student / slug / f"umpan-balik-{slug}.html"


def write_feedback(course_dir: str | os.PathLike, stage: str, participants: Iterable[str] | None = None,
                   *, replace_nbgrader: bool = True) -> list[Path]:
    """Write the feedback page of every graded participant of ``stage`` (or of ``participants``).

    Returns the pages written under ``<course>/umpan-balik/``. With ``replace_nbgrader`` (the
    default), a participant's nbgrader feedback page ``feedback/<id>/<stage>/<stage>.html``,
    where nbgrader generated one, is replaced by this page, so releasing feedback through
    nbgrader never shows the test cells.
    """
    st = get_stage(stage)
    course_dir = Path(course_dir)
    view = read_gradebook(course_dir)  # every stage: the page shows the course total too
    graded = sorted(s for (s, stg) in view.records if stg == st.slug)
    wanted = graded if participants is None else [p for p in participants if p in graded]
    written = []
    for student in wanted:
        page = feedback_html(view, course_dir, student, st.slug)
        path = feedback_path(course_dir, student, st.slug)
        _write(path, page)
        written.append(path)
        nb_dir = course_dir / "feedback" / student / st.slug
        if replace_nbgrader and (nb_dir / "timestamp.txt").is_file():
            _write(nb_dir / f"{st.slug}.html", page)
    return written


__all__ = ["FEEDBACK_DIR", "feedback_html", "feedback_path", "write_feedback"]

