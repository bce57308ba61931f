"""Where every participant stands in every stage: ``lablib status``.

From the participants' folders (saved answers), the exchange (submitted), ``submitted/`` and
the gradebook (graded, with scores, lateness and rubric criteria still to review); ``live``
adds the automatic score of answers not graded yet, scored in-process (``lablib.course.live``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from lablib.core import formatting
from lablib.core.stages import STAGES, get_stage
from lablib.course.course import Course

NOT_STARTED, SAVED, SUBMITTED, GRADED = "belum mulai", "tersimpan", "dikumpulkan", "dinilai"


@dataclass(frozen=True)
class StageStatus:
    stage: str
    state: str
    score: float | None = None
    max_score: float | None = None
    late: bool = False
    rubric_pending: bool = False  # some rubric criterion has no narasumber score yet
    live: tuple[float, float] | None = None  # (earned, available) automatic, from current answers

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
                graded[(sub.student_id, slug)] = StageStatus(
                    slug, GRADED, round(float(sub.score or 0), 2), float(sub.max_score or 0),
                    late=bool(sub.total_seconds_late and sub.total_seconds_late > 0),
                    rubric_pending=bool(sub.needs_manual_grade))
    submitted = {slug: {**course.inbound_students(slug), **course.collected(slug)} for slug in stages}
    roster = list(course.participants)
    known = {p.id for p in roster}
    extra = sorted(({sid for (sid, _) in graded} | {sid for s in submitted.values() for sid in s}) - known)
    live_scores = _live_scores(course) if live else {}
    rows = []
    for pid, nama, opd, in_roster in [(p.id, p.nama, p.opd, True) for p in roster] + \
                                     [(sid, "", "", False) for sid in extra]:
        cells = []
        for slug in stages:
            if (pid, slug) in graded:
                cells.append(graded[(pid, slug)])
            elif pid in submitted[slug]:
                late = _is_late(course, slug, submitted[slug][pid])
                cells.append(StageStatus(slug, SUBMITTED, late=late, live=live_scores.get((pid, slug))))
            elif _saved(course, pid, slug):
                cells.append(StageStatus(slug, SAVED, live=live_scores.get((pid, slug))))
            else:
                cells.append(StageStatus(slug, NOT_STARTED))
        rows.append(ParticipantStatus(pid, nama, opd, tuple(cells), in_roster))
    return CourseStatus(course.course_id, tuple(rows), round(sum(max_scores.values()), 2))


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
        name = (p.nama or "(tidak ada di daftar peserta)")[:width_name]
        rows.append([p.id, name] + [s.cell() for s in p.stages] + [f"{_num(p.total)}/{_num(st.max_total)}"])
    widths = [max(len(str(r[i])) for r in [heads] + rows) for i in range(len(heads))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [line.format(*heads), line.format(*["-" * w for w in widths])]
    out += [line.format(*r) for r in rows]
    counts = {}
    for s in STAGES:
        states = [p.stages[s.order - 1].state for p in st.participants]
        counts[s.slug] = {k: states.count(k) for k in (NOT_STARTED, SAVED, SUBMITTED, GRADED)}
    out.append("")
    out.append("Keterangan: angka = nilai/maksimal (sudah dinilai); r = rubrik narasumber belum lengkap; "
               "* = terlambat.")
    if any(s.live is not None for p in st.participants for s in p.stages):
        out.append("            ~a/b = skor otomatis jawaban saat ini (belum dinilai; tanpa rubrik).")
    for slug, c in counts.items():
        out.append(f"  {slug:<9} " + ", ".join(f"{k}: {v}" for k, v in c.items()))
    return "\n".join(line.rstrip() for line in out)
