"""Where every participant stands in every stage: ``lablib status``.

From the participants' folders (saved answers), the exchange (submitted), ``submitted/`` and
the gradebook (graded, with scores, lateness and rubric criteria still to review); ``live``
adds the automatic score of answers not graded yet, scored in-process (``lablib.course.live``).
A stage whose last grading failed (``lablib.course.grading.grading_failures``) is *gagal
dinilai*, with its reason in a note under the table; the scores an earlier grading left in the
gradebook are not shown and not counted (export and report leave them out the same way).

Scores are the gradebook's stage totals rounded once (``lablib.course.totals``): the same
numbers as the report, the export and the feedback pages; the course total is their sum. The
gradebook is read in a few set-based queries (``read_gradebook``), not nbgrader's objects one
submission at a time (nbgrader is imported for the exchange listing only).

On a real server the trainer cannot read everything: a participant's home at 0700 or 0750
(Ubuntu's default), an answers file at 0600. What cannot be read is *tidak terbaca* with the
reason in a note, and the table carries on; live scoring uses the readable collected copy
instead and says so (``lablib.course.live``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from lablib.core import formatting
from lablib.core.names import shown
from lablib.core.stages import STAGES, get_stage
from lablib.core.timestamps import parse_utc
from lablib.course import totals
from lablib.course.course import Course
from lablib.course.grading import FAILED, grading_failures

NOT_STARTED, SAVED, SUBMITTED, GRADED = "belum mulai", "tersimpan", "dikumpulkan", "dinilai"
UNREADABLE = "tidak terbaca"  # the trainer may not read the participant's folder or file
STATES = (NOT_STARTED, SAVED, SUBMITTED, GRADED, FAILED, UNREADABLE)


@dataclass(frozen=True)
class StageStatus:
    stage: str
    state: str
    score: float | None = None
    max_score: float | None = None
    late: bool = False
    rubric_pending: bool = False  # some rubric criterion has no narasumber score yet
    live: tuple[float, float] | None = None  # (earned, available) automatic, from current answers
    reason: str = ""  # why the last grading failed (FAILED), or what could not be read
    noted: bool = False  # a note under the table says more (a live problem, a fallback copy)

    def cell(self) -> str:
        if self.state != GRADED:
            text = self.state
            if self.live is not None:
                text += f" ~{_num(self.live[0])}/{_num(self.live[1])}"
        else:
            text = f"{_num(self.score)}/{_num(self.max_score)}"
            text += " r" if self.rubric_pending else ""
        return text + (" *" if self.late else "") + (" !" if self.noted else "")


@dataclass(frozen=True)
class ParticipantStatus:
    id: str
    nama: str
    opd: str
    stages: tuple[StageStatus, ...]
    in_roster: bool = True

    @property
    def total(self) -> float:
        """The course total: the sum of the rounded stage totals (``totals.course_total``)."""
        return float(totals.course_total(s.score or 0 for s in self.stages if s.state == GRADED))


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


def status(course: Course | str | os.PathLike, *, live: bool = False, view=None) -> CourseStatus:
    """Where every participant is in every stage, from their folders, the exchange and the gradebook.

    ``live`` adds, for stages not graded yet, the automatic score of the participant's current
    answers (``lablib.course.live``: the same checks, in-process, without kernels). ``view``
    is a ``GradebookView`` already read (default: read here).
    """
    from lablib.course.gradebook import read_gradebook

    course = Course.of(course)
    stages = [s.slug for s in STAGES]
    failures = grading_failures(course, stages)
    view = read_gradebook(course) if view is None else view
    max_scores = {slug: sum(c.max_score for c in view.stage_cells(slug)) for slug in stages}
    graded: dict[tuple[str, str], StageStatus] = {}
    autograded = {slug: set(course.students_in("autograded", slug)) for slug in stages}
    for (student, slug), record in view.records.items():
        if slug not in autograded or student not in autograded[slug]:
            continue
        if (student, slug) in failures:  # its scores are from before the failed grading
            continue
        graded[(student, slug)] = StageStatus(
            slug, GRADED, float(record.total), max_scores.get(slug, 0.0), late=record.late,
            rubric_pending=record.needs_manual_grade)
    from lablib.course.exchange import waiting  # nbgrader's list --inbound: any configured exchange

    in_exchange = waiting(course, honest_only=True)
    submitted = {slug: {**in_exchange.get(slug, {}), **_collected(course, slug)} for slug in stages}
    roster = list(course.participants)
    known = {p.id for p in roster}
    extra = sorted(({sid for (sid, _) in graded} | {sid for s in submitted.values() for sid in s}
                    | {sid for (sid, _) in failures}) - known)
    live_found = _live_scores(course) if live else {}
    rows = []
    notes: list[str] = []
    closed: dict[str, list[str]] = {}  # {reason: participants whose folder the trainer cannot look into}
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
                continue
            if (pid, slug) in graded:
                cells.append(graded[(pid, slug)])
                continue
            if pid in submitted[slug]:
                state, reason = SUBMITTED, ""
                late = _is_late(course, slug, submitted[slug][pid])
            else:
                state, reason = _saved_state(course, pid, slug)
                late = False
            cell = StageStatus(slug, state, late=late, reason=reason)
            if reason and pid not in closed.setdefault(reason, []):
                closed[reason].append(pid)
            found = live_found.get((pid, slug))
            if found is not None and state != NOT_STARTED:
                cell, note = _with_live(cell, found)
                if note and not (reason and found.unreadable):  # the closed folder is noted once below
                    notes.append(f"{pid} {slug}: {note}")
            cells.append(cell)
        rows.append(ParticipantStatus(pid, nama, opd, tuple(cells), in_roster))
    for reason, ids in closed.items():  # one line, whatever the number of participants (0750 homes)
        notes.append(f"folder {len(ids)} peserta {UNREADABLE} oleh akun pelatih ({reason}): {', '.join(ids)}. "
                     "Yang sudah dikumpulkan dan dinilai tetap tampil; buka izin baca folder itu (mis. grup "
                     "pelatih) untuk melihat jawaban yang tersimpan.")
    return CourseStatus(course.course_id, tuple(rows), round(sum(max_scores.values()), 2), tuple(notes))


def _with_live(cell: StageStatus, found) -> tuple[StageStatus, str]:
    """The cell with its live score, and the note to print under the table ("" for none).

    A file the trainer cannot read shows *tidak terbaca*, never ~0: the participant's answers
    are not known to be empty. A readable collected copy scored instead is said so.
    """
    from dataclasses import replace

    if found.unreadable:
        return (replace(cell, state=UNREADABLE if cell.state != SUBMITTED else cell.state, noted=True),
                f"berkas jawaban {UNREADABLE} oleh akun pelatih (izin ditolak); skor langsung tidak dihitung.")
    cell = replace(cell, live=(found.earned, found.available))
    if found.note:
        return replace(cell, noted=True), found.note
    if found.problem:  # a damaged file scores as empty answers, as the autograder would score it
        return replace(cell, noted=True), f"berkas jawaban bermasalah ({shown(found.problem, 160)}); dinilai kosong."
    return cell, ""


def _live_scores(course: Course) -> dict:
    from lablib.course.live import live_scores

    return {(s.student, s.stage): s for s in live_scores(course)}


def _collected(course: Course, slug: str) -> dict[str, str]:
    """``Course.collected`` that never stops on one folder the trainer cannot read."""
    found = {}
    for student in course.students_in("submitted", slug):
        try:
            found[student] = (course.path("submitted", student, slug) / "timestamp.txt").read_text().strip()
        except (OSError, UnicodeError):
            found[student] = ""
    return found


def _saved_state(course: Course, pid: str, slug: str) -> tuple[str, str]:
    """``(SAVED or NOT_STARTED, "")``, or ``(UNREADABLE, reason)`` when the participant's folder
    cannot be looked into (a home at 0700 or 0750 that is not the trainer's)."""
    home = course.home(pid)
    name = get_stage(slug).answers_filename
    blocked = ""
    for folder in (home / slug, home / course.course_id / slug):
        try:
            os.stat(folder / name)
        except PermissionError:
            blocked = "izin ditolak"  # EACCES: a home at 0700, or 0750 without the trainer in its group
        except (OSError, ValueError):
            continue
        else:
            return SAVED, ""
    return (UNREADABLE, blocked) if blocked else (NOT_STARTED, "")


def _is_late(course: Course, slug: str, timestamp: str) -> bool:
    from datetime import timezone

    due = course.due(slug)
    if not due or not timestamp:
        return False
    try:
        stamp = parse_utc(timestamp)
    except (ValueError, OverflowError, TypeError):  # dateutil's ParserError is a ValueError
        return False
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
        counts[s.slug] = {k: states.count(k) for k in STATES if k not in (FAILED, UNREADABLE) or k in states}
    out.append("")
    out.append("Keterangan: angka = nilai/maksimal (sudah dinilai); r = rubrik narasumber belum lengkap; "
               "* = terlambat.")
    if any(s.live is not None for p in st.participants for s in p.stages):
        out.append("            ~a/b = skor otomatis jawaban saat ini (belum dinilai; tanpa rubrik).")
    if any(s.noted for p in st.participants for s in p.stages):
        out.append("            ! = lihat Catatan (berkas tidak terbaca, bermasalah, atau salinan lain yang dinilai).")
    if any(s.state == UNREADABLE for p in st.participants for s in p.stages):
        out.append(f"            {UNREADABLE} = folder atau berkas peserta tidak dapat dibaca oleh akun pelatih.")
    if any(s.state == FAILED for p in st.participants for s in p.stages):
        out.append(f"            {FAILED} = penilaian terakhir gagal atau dihentikan (alasan di Catatan); nilai "
                   "lama di gradebook tidak dihitung sampai dinilai ulang ('lablib grade TAHAP').")
    for slug, c in counts.items():
        out.append(f"  {slug:<9} " + ", ".join(f"{k}: {v}" for k, v in c.items()))
    if st.notes:
        out.append("")
        out.append("Catatan:")
        out += [f"  - {shown(note, 300)}" for note in st.notes]  # a reason can quote participant text
    return "\n".join(line.rstrip() for line in out)
