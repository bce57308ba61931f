"""Where every participant stands in every stage: ``lablib status``.

From the participants' folders (saved answers), the exchange (submitted), ``submitted/`` and
the gradebook (graded, with scores, lateness and rubric criteria still to review); ``live``
adds the automatic score of answers not graded yet, scored in-process (``lablib.course.live``).
A stage whose last grading failed (``lablib.course.grading.grading_failures``) is *gagal
dinilai*, with its reason in a note under the table; the scores an earlier grading left in the
gradebook are not shown and not counted (export and report leave them out the same way).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from lablib.core import formatting
from lablib.core.names import shown
from lablib.core.stages import STAGES, get_stage
from lablib.course.course import Course
from lablib.course.grading import FAILED, grading_failures

NOT_STARTED, SAVED, SUBMITTED, GRADED = "belum mulai", "tersimpan", "dikumpulkan", "dinilai"
STATES = (NOT_STARTED, SAVED, SUBMITTED, GRADED, FAILED)


@dataclass(frozen=True)
class StageStatus:
    stage: str
    state: str
    score: float | None = None
    max_score: float | None = None
    late: bool = False
    rubric_pending: bool = False  # some rubric criterion has no narasumber score yet
    live: tuple[float, float] | None = None  # (earned, available) automatic, from current answers
    reason: str = ""  # why the last grading failed (state FAILED)

    def cell(self) -> str:
        if self.state != GRADED:
            text = self.state
            if self.live is not None:
                text += f" ~{_num(self.live[0])}/{_num(self.live[1])}"
        else:
            text = f"{_num(self.score)}/{_num(self.max_score)}"
            text += " r" if self.rubric_pending else ""
        return text + (" *" if self.late else "")


@dataclass(frozen=True)
class ParticipantStatus:
    id: str
    nama: str
    opd: str
    stages: tuple[StageStatus, ...]
    in_roster: bool = True

    @property
    def total(self) -> float:
        return round(sum(s.score or 0 for s in self.stages if s.state == GRADED), 2)


@dataclass(frozen=True)
class CourseStatus:
    course_id: str
    participants: tuple[ParticipantStatus, ...]
    max_total: float = 0.0
    notes: tuple[str, ...] = field(default=())

    def table(self) -> str:
        return format_status(self)


def _num(x: float | None) -> str:
    """A score in lablib's one style (``lablib.core.formatting``: ``7,25``); a missing one as an
    ASCII ``-``, one column wide in every terminal, so the table's columns stay aligned.

    >>> _num(7.25), _num(1250), _num(None)
    ('7,25', '1.250', '-')
    """
    return formatting.number(x, empty="-")


def status(course: Course | str | os.PathLike, *, live: bool = False) -> CourseStatus:
    """Where every participant is in every stage, from their folders, the exchange and the gradebook.

    ``live`` adds, for stages not graded yet, the automatic score of the participant's current
    answers (``lablib.course.live``: the same checks, in-process, without kernels).
    """
    from nbgrader.api import MissingEntry

    course = Course.of(course)
    stages = [s.slug for s in STAGES]
    failures = grading_failures(course, stages)
    graded: dict[tuple[str, str], StageStatus] = {}
    max_scores: dict[str, float] = {}
    with course.gradebook() as gb:
        for slug in stages:
            try:
                assignment = gb.find_assignment(slug)
            except MissingEntry:
                continue
            max_scores[slug] = float(assignment.max_score or 0)
            for sub in gb.assignment_submissions(slug):
                if not course.path("autograded", sub.student_id, slug).is_dir():
                    continue
                if (sub.student_id, slug) in failures:  # its scores are from before the failed grading
                    continue
                graded[(sub.student_id, slug)] = StageStatus(
                    slug, GRADED, round(float(sub.score or 0), 2), float(sub.max_score or 0),
                    late=bool(sub.total_seconds_late and sub.total_seconds_late > 0),
                    rubric_pending=bool(sub.needs_manual_grade))
    submitted = {slug: {**course.inbound_students(slug), **course.collected(slug)} for slug in stages}
    roster = list(course.participants)
    known = {p.id for p in roster}
    extra = sorted(({sid for (sid, _) in graded} | {sid for s in submitted.values() for sid in s}
                    | {sid for (sid, _) in failures}) - known)
    live_scores = _live_scores(course) if live else {}
    rows = []
    notes: list[str] = []
    for pid, nama, opd, in_roster in [(p.id, p.nama, p.opd, True) for p in roster] + \
                                     [(sid, "", "", False) for sid in extra]:
        cells = []
        for slug in stages:
            if (pid, slug) in failures:
                failure = failures[(pid, slug)]
                late = _is_late(course, slug, submitted[slug].get(pid, ""))
                cells.append(StageStatus(slug, FAILED, late=late, reason=failure.summary))
                notes.append(f"{pid} {slug}: {FAILED}"
                             + (f" ({failure.failed_at})" if failure.failed_at else "")
                             + f": {shown(failure.summary, 200) or 'tanpa alasan tercatat'}")
            elif (pid, slug) in graded:
                cells.append(graded[(pid, slug)])
            elif pid in submitted[slug]:
                late = _is_late(course, slug, submitted[slug][pid])
                cells.append(StageStatus(slug, SUBMITTED, late=late, live=live_scores.get((pid, slug))))
            elif _saved(course, pid, slug):
                cells.append(StageStatus(slug, SAVED, live=live_scores.get((pid, slug))))
            else:
                cells.append(StageStatus(slug, NOT_STARTED))
        rows.append(ParticipantStatus(pid, nama, opd, tuple(cells), in_roster))
    return CourseStatus(course.course_id, tuple(rows), round(sum(max_scores.values()), 2), tuple(notes))


def _live_scores(course: Course) -> dict[tuple[str, str], tuple[float, float]]:
    from lablib.course.live import live_scores

    return {(s.student, s.stage): (s.earned, s.available) for s in live_scores(course)}


def _saved(course: Course, pid: str, slug: str) -> bool:
    home = course.home(pid)
    name = get_stage(slug).answers_filename
    return any((folder / name).is_file() for folder in (home / slug, home / course.course_id / slug))


def _is_late(course: Course, slug: str, timestamp: str) -> bool:
    from nbgrader.utils import parse_utc

    due = course.due(slug)
    if not due or not timestamp:
        return False
    try:
        stamp = parse_utc(timestamp)
    except (ValueError, OverflowError):  # dateutil's ParserError is a ValueError
        return False
    from datetime import timezone

    return stamp.replace(tzinfo=timezone.utc) > due.astimezone(timezone.utc)


def format_status(st: CourseStatus, width_name: int = 22) -> str:
    """The status as a plain-text table for the terminal."""
    heads = ["ID", "Nama"] + [s.slug for s in STAGES] + ["Total"]
    rows = []
    for p in st.participants:
        # roster text as a terminal can print it: control characters escaped, cut to the column
        name = shown(p.nama or "(tidak ada di daftar peserta)", width_name)
        rows.append([shown(p.id, 64), name] + [s.cell() for s in p.stages] + [f"{_num(p.total)}/{_num(st.max_total)}"])
    widths = [max(len(str(r[i])) for r in [heads] + rows) for i in range(len(heads))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [line.format(*heads), line.format(*["-" * w for w in widths])]
    out += [line.format(*r) for r in rows]
    counts = {}
    for s in STAGES:
        states = [p.stages[s.order - 1].state for p in st.participants]
        counts[s.slug] = {k: states.count(k) for k in STATES if k != FAILED or k in states}
    out.append("")
    out.append("Keterangan: angka = nilai/maksimal (sudah dinilai); r = rubrik narasumber belum lengkap; "
               "* = terlambat.")
    if any(s.live is not None for p in st.participants for s in p.stages):
        out.append("            ~a/b = skor otomatis jawaban saat ini (belum dinilai; tanpa rubrik).")
    if st.notes:
        out.append(f"            {FAILED} = penilaian terakhir gagal atau dihentikan (alasan di Catatan); nilai "
                   "lama di gradebook tidak dihitung sampai dinilai ulang ('lablib grade TAHAP').")
    for slug, c in counts.items():
        out.append(f"  {slug:<9} " + ", ".join(f"{k}: {v}" for k, v in c.items()))
    if st.notes:
        out.append("")
        out.append("Catatan:")
        out += [f"  - {shown(note, 300)}" for note in st.notes]  # a reason can quote participant text
    return "\n".join(line.rstrip() for line in out)
