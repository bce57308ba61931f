"""The trainer's steps over nbgrader's API: release, collect, grade, feedback, and the status.

Each step says what it did (a ``StepResult``) and raises ``PipelineError`` with a message for
the trainer when it cannot be done. Every step is safe to run again: releasing a released
stage changes nothing, collecting again only takes newer submissions (nbgrader's exchange keeps
every submission), grading again skips unchanged submissions unless forced and never touches
manual (rubric) grades, and feedback is regenerated from the gradebook.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lablib.core.stages import STAGES, get_stage
from lablib.course.folder import CourseInfo, load_course, open_api

ProgressFn = Callable[[int, int, str], None]  # (done, total, participant id)


class PipelineError(RuntimeError):
    """A step cannot be done; the message says why and what to do next."""


@dataclass(frozen=True)
class StepResult:
    """What a step did, for the trainer's terminal and for tests."""

    step: str
    stage: str
    done: tuple[str, ...] = ()  # participants (or items) the step acted on
    skipped: tuple[str, ...] = ()  # already done, nothing changed
    failed: tuple[str, ...] = ()
    late: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    seconds: float = 0.0

    def __str__(self) -> str:
        return "\n".join(self.notes)


def stage_slug(stage: str) -> str:
    try:
        return get_stage(stage).slug
    except KeyError:
        raise PipelineError(f"tahap '{stage}' tidak dikenal; pilih salah satu: "
                            f"{', '.join(s.slug for s in STAGES)}") from None


def _check(result: dict, what: str) -> str:
    """Raise ``PipelineError`` with the essential lines of a failed nbgrader call."""
    if result.get("success"):
        return result.get("log", "")
    text = (result.get("log", "") + "\n" + result.get("error", "")).strip()
    lines = [ln for ln in text.splitlines() if ln.startswith(("[ERROR]", "[CRITICAL]"))]
    if not lines:
        lines = [ln for ln in text.splitlines() if ln.strip()][-3:]
    raise PipelineError(f"{what} gagal:\n  " + "\n  ".join(lines[-6:]))


class _Course:
    """A course opened for one step: metadata, nbgrader's API and its folders."""

    def __init__(self, course_dir: str | os.PathLike):
        self.info: CourseInfo = load_course(course_dir)
        self.root = self.info.root
        self.api = open_api(self.root)
        self.coursedir = self.api.coursedir
        self.exchange = Path(str(self.api.config.Exchange.root))

    def folder(self, step: str, student: str, stage: str) -> Path:
        return Path(self.coursedir.format_path(getattr(self.coursedir, f"{step}_directory"), student, stage))

    def outbound(self, stage: str) -> Path:
        return self.exchange / self.info.course_id / "outbound" / stage

    def inbound_students(self, stage: str) -> dict[str, str]:
        """``{participant: newest submission timestamp}`` waiting in the exchange."""
        inbound = self.exchange / self.info.course_id / "inbound"
        found: dict[str, str] = {}
        if inbound.is_dir():
            for entry in inbound.iterdir():
                parts = entry.name.split("+")
                if len(parts) >= 3 and parts[1] == stage:
                    found[parts[0]] = max(found.get(parts[0], ""), parts[2])
        return found

    def collected(self, stage: str) -> dict[str, str]:
        """``{participant: timestamp}`` of submissions in ``submitted/``."""
        root = Path(self.coursedir.root) / self.coursedir.submitted_directory
        found = {}
        if root.is_dir():
            for student in sorted(root.iterdir()):
                folder = student / stage
                if folder.is_dir():
                    stamp = folder / "timestamp.txt"
                    found[student.name] = stamp.read_text().strip() if stamp.is_file() else ""
        return found

    def ids(self) -> list[str]:
        return [p.id for p in self.info.participants]


# ------------------------------------------------------------------------------------ release


def release(course_dir: str | os.PathLike, stage: str, *, force: bool = False) -> StepResult:
    """Generate the student version of a stage and put it in the exchange for participants."""
    slug = stage_slug(stage)
    course = _Course(course_dir)
    start = time.monotonic()
    if course.outbound(slug).is_dir() and not force:
        return StepResult("release", slug, skipped=(slug,), notes=(
            (f"Tahap {slug} sudah dirilis ({course.outbound(slug)}); tidak ada yang diubah. "
             f"Pakai --force untuk merilis ulang."),))
    source = Path(course.coursedir.format_path(course.coursedir.source_directory, ".", slug))
    if not source.is_dir():
        raise PipelineError(f"folder sumber {source} tidak ada; kursus ini rusak atau dibuat tanpa 'lablib init'.")
    _check(course.api.generate_assignment(slug, force=True, create=True), f"membuat versi peserta tahap {slug}")
    if course.outbound(slug).is_dir():
        _check(course.api.unrelease(slug), f"menarik rilis lama tahap {slug}")
    _check(course.api.release_assignment(slug), f"merilis tahap {slug}")
    due = course.info.due(slug)
    notes = [f"Tahap {slug} dirilis untuk {len(course.info.participants)} peserta: {course.outbound(slug)}"]
    if due:
        notes.append(f"Batas pengumpulan: {due:%Y-%m-%d %H:%M} ({course.info.timezone}).")
    return StepResult("release", slug, done=(slug,), notes=tuple(notes), seconds=time.monotonic() - start)


# ------------------------------------------------------------------------------------ collect


def collect(course_dir: str | os.PathLike, stage: str) -> StepResult:
    """Take the newest submission of every participant from the exchange into ``submitted/``."""
    slug = stage_slug(stage)
    course = _Course(course_dir)
    start = time.monotonic()
    if not course.outbound(slug).is_dir():
        raise PipelineError(f"tahap {slug} belum dirilis; jalankan dulu 'lablib release {slug}'.")
    before = course.collected(slug)
    if not course.inbound_students(slug):
        missing = course.ids()
        return StepResult("collect", slug, notes=(
            f"Belum ada pengumpulan tahap {slug} di {course.exchange}.",
            f"Belum mengumpulkan ({len(missing)}): {', '.join(missing) or '-'}"))
    _check(course.api.collect(slug, update=True), f"mengambil pengumpulan tahap {slug}")
    after = course.collected(slug)
    new = tuple(s for s in after if s not in before)
    updated = tuple(s for s in after if s in before and after[s] != before[s])
    same = tuple(s for s in after if s in before and after[s] == before[s])
    unknown = [s for s in after if s not in set(course.ids())]
    missing = [s for s in course.ids() if s not in after]
    notes = [(f"Tahap {slug}: {len(new)} pengumpulan baru, {len(updated)} diperbarui, {len(same)} tidak berubah "
              f"(folder {Path(course.coursedir.root) / course.coursedir.submitted_directory}).")]
    if missing:
        notes.append(f"Belum mengumpulkan ({len(missing)}): {', '.join(missing)}")
    if unknown:
        notes.append(f"Peringatan: pengumpulan dari id yang tidak ada di daftar peserta: {', '.join(unknown)}. "
                     f"Peserta susulan ditambahkan dengan 'lablib add-participants --roster FILE'.")
    return StepResult("collect", slug, done=new + updated, skipped=same, notes=tuple(notes),
                      seconds=time.monotonic() - start)


# ------------------------------------------------------------------------------------ grade


class ProgressBar:
    """A one-line progress bar on stderr (when stderr is not a terminal: a line per quarter).

    Call it as ``bar(done, total, who)`` or with an event object carrying ``done``, ``total``,
    ``student`` and ``status`` (what ``lablib.course.grading.grade`` passes).
    """

    def __init__(self, label: str, stream=None, width: int = 30):
        self.label, self.stream, self.width = label, stream or sys.stderr, width
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start = time.monotonic()

    def __call__(self, done, total: int | None = None, who: str = "") -> None:
        if total is None:  # an event object
            event = done
            done, total = event.done, event.total
            status = {"graded": "dinilai", "skipped": "tidak berubah", "failed": "GAGAL"}.get(
                getattr(event, "status", ""), getattr(event, "status", ""))
            who = f"{event.student} ({status})"
        filled = int(self.width * done / total) if total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        elapsed = time.monotonic() - self.start
        line = f"{self.label} [{bar}] {done}/{total} {elapsed:5.1f} d {who}"
        if self.tty:
            self.stream.write("\r" + line.ljust(100)[:100] + ("\n" if done >= total else ""))
        elif done >= total or "GAGAL" in who or (total >= 4 and done % (total // 4) == 0):
            self.stream.write(line + "\n")  # a log file gets quarters, failures and the end
        self.stream.flush()


def grade(course_dir: str | os.PathLike, stage: str, *, workers: int | None = None, force: bool = False,
          progress: ProgressFn | None = None) -> StepResult:
    """Autograde every collected submission of a stage.

    Through ``lablib.course.grading.grade`` (parallel, incremental): unchanged submissions are
    skipped unless ``force``; manual (rubric) grades are never touched by autograde.
    """
    slug = stage_slug(stage)
    course = _Course(course_dir)
    collected = course.collected(slug)
    if not collected:
        waiting = course.inbound_students(slug)
        hint = f" ({len(waiting)} menunggu di exchange: jalankan 'lablib collect {slug}')" if waiting else ""
        return StepResult("grade", slug, notes=(f"Belum ada pengumpulan tahap {slug} untuk dinilai{hint}.",))
    from lablib.course.grading import GradingError
    from lablib.course.grading import grade as grade_parallel

    start = time.monotonic()
    try:
        outcome = grade_parallel(course.root, slug, workers=workers, force=force,
                                 progress=_event_progress(progress))
    except GradingError as exc:
        raise PipelineError(str(exc)) from None
    return _result_from_grading(course, slug, outcome, start)


def _event_progress(progress):
    """Adapt a ``(done, total, who)`` callback to ``lablib.course.grading``'s event callback."""
    if progress is None or isinstance(progress, ProgressBar):
        return progress
    return lambda event: progress(event.done, event.total, event.student)


def _result_from_grading(course: _Course, slug: str, report, start: float) -> StepResult:
    """A ``StepResult`` from ``lablib.course.grading``'s ``GradeReport`` (plus lateness from the gradebook)."""
    done, skipped = tuple(report.graded), tuple(report.skipped)
    failed = tuple(p.student for p in report.failed)
    late = _late_students(course, slug)
    notes = [_grade_summary(slug, done, skipped, failed, late, time.monotonic() - start, report.workers)]
    notes += [f"GAGAL {p.student}: {str(p.reason).splitlines()[0]}" for p in report.failed]
    for w in report.warnings:
        text = str(getattr(w, "reason", w))
        text = text.split("lablib: ", 1)[1] if "lablib: " in text else text
        notes.append(f"Peringatan {getattr(w, 'student', '')}: {text}")
    notes += _carried_notes(course, slug, done)
    return StepResult("grade", slug, done=done, skipped=skipped, failed=failed, late=late, notes=tuple(notes),
                      seconds=time.monotonic() - start)


def _carried_notes(course: _Course, slug: str, graded: tuple[str, ...]) -> list[str]:
    """A note per participant whose carried-over earlier answers differ from what they submitted."""
    from lablib.notebook.carry import carried_differences

    submitted = Path(course.coursedir.root) / course.coursedir.submitted_directory
    notes = []
    for student in graded:
        different = carried_differences(submitted, student, slug)
        if different:
            codes = ", ".join(i.split(".", 1)[1].upper() for i in different)
            notes.append(f"Periksa {student}: salinan {codes} di tahap {slug} berbeda dari yang ia kumpulkan di "
                         f"tahap sebelumnya (diperbarui sesudahnya, atau salinannya diubah). Nilai memakai "
                         f"salinan itu.")
    return notes


def _grade_summary(slug, done, skipped, failed, late, seconds, workers=None) -> str:
    how = f", {workers} penilai paralel" if workers else ", berurutan"
    text = (f"Tahap {slug}: {len(done)} dinilai, {len(skipped)} dilewati (tidak berubah sejak dinilai; "
            f"--force untuk menilai ulang), {len(failed)} gagal; {seconds:.1f} detik{how}.")
    if late:
        text += f"\nTerlambat: {', '.join(late)}"
    return text


def _late_students(course: _Course, slug: str) -> tuple[str, ...]:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(str(course.coursedir.db_url), course.info.course_id) as gb:
        try:
            subs = gb.assignment_submissions(slug)
        except MissingEntry:
            return ()
        return tuple(sorted(s.student_id for s in subs if s.total_seconds_late and s.total_seconds_late > 0))


# ------------------------------------------------------------------------------------ feedback


def feedback(course_dir: str | os.PathLike, stage: str) -> StepResult:
    """Make every graded participant's feedback page and release it through the exchange.

    With ``lablib.reports.feedback`` present, its page (every check's message, every criterion's level
    and comment, no test code) is the feedback: it is written straight into nbgrader's
    ``feedback/<id>/<stage>/`` layout, which saves nbgrader converting every notebook to HTML
    only for the page to be replaced. Without it, nbgrader's ``generate_feedback`` is used.
    """
    slug = stage_slug(stage)
    course = _Course(course_dir)
    start = time.monotonic()
    autograded = Path(course.coursedir.root) / course.coursedir.autograded_directory
    graded = sorted(p.name for p in autograded.iterdir() if (p / slug).is_dir()) if autograded.is_dir() else []
    if not graded:
        return StepResult("feedback", slug, notes=((f"Belum ada pengumpulan tahap {slug} yang dinilai; "
                                                    f"jalankan 'lablib grade {slug}' dulu."),))
    from lablib.reports.feedback import write_feedback

    for student in graded:
        _prepare_feedback_folder(course, student, slug)
    write_feedback(course.root, slug, graded)
    _check(course.api.release_feedback(slug), f"mengirim umpan balik tahap {slug}")
    made = tuple(s for s in graded if any(course.folder("feedback", s, slug).glob("*.html")))
    notes = ((f"Umpan balik tahap {slug} dibuat dan dikirim untuk {len(made)} peserta "
              f"(folder {Path(course.coursedir.root) / course.coursedir.feedback_directory}"
              ", halaman lablib: tanpa kode tes, dengan level rubrik)."),
             ("Peserta mengambilnya di JupyterLab (Assignments → Fetch Feedback) atau dengan "
              f"'nbgrader fetch_feedback {slug} --course {course.info.course_id}'."))
    return StepResult("feedback", slug, done=made, notes=notes, seconds=time.monotonic() - start)


def _prepare_feedback_folder(course: _Course, student: str, slug: str) -> None:
    """``feedback/<id>/<stage>/`` as nbgrader's generate_feedback leaves it, minus the notebook HTML:
    the autograded folder's other files (timestamp and submission secret included)."""
    import shutil

    src, dst = course.folder("autograded", student, slug), course.folder("feedback", student, slug)
    if dst.exists():
        for path in dst.rglob("*"):
            path.chmod(path.stat().st_mode | 0o600)
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    for path in src.rglob("*"):
        if path.is_file() and path.suffix != ".ipynb":
            target = dst / path.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


# ------------------------------------------------------------------------------------ status

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
    return "-" if x is None else f"{x:.4g}"


def status(course_dir: str | os.PathLike, *, live: bool = False) -> CourseStatus:
    """Where every participant is in every stage, from their folders, the exchange and the gradebook.

    ``live`` adds, for stages not graded yet, the automatic score of the participant's current
    answers (``lablib.course.live``: the same checks, in-process, without kernels).
    """
    from nbgrader.api import Gradebook, MissingEntry

    course = _Course(course_dir)
    stages = [s.slug for s in STAGES]
    graded: dict[tuple[str, str], StageStatus] = {}
    max_scores: dict[str, float] = {}
    with Gradebook(str(course.coursedir.db_url), course.info.course_id) as gb:
        for slug in stages:
            try:
                assignment = gb.find_assignment(slug)
            except MissingEntry:
                continue
            max_scores[slug] = float(assignment.max_score or 0)
            for sub in gb.assignment_submissions(slug):
                if not course.folder("autograded", sub.student_id, slug).is_dir():
                    continue
                graded[(sub.student_id, slug)] = StageStatus(
                    slug, GRADED, round(float(sub.score or 0), 2), float(sub.max_score or 0),
                    late=bool(sub.total_seconds_late and sub.total_seconds_late > 0),
                    rubric_pending=bool(sub.needs_manual_grade))
    submitted = {slug: {**course.inbound_students(slug), **course.collected(slug)} for slug in stages}
    roster = list(course.info.participants)
    known = {p.id for p in roster}
    extra = sorted(({sid for (sid, _) in graded} | {sid for s in submitted.values() for sid in s}) - known)
    live_scores = _live_scores(course.root) if live else {}
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
            elif _saved(course.info, pid, slug):
                cells.append(StageStatus(slug, SAVED, live=live_scores.get((pid, slug))))
            else:
                cells.append(StageStatus(slug, NOT_STARTED))
        rows.append(ParticipantStatus(pid, nama, opd, tuple(cells), in_roster))
    return CourseStatus(course.info.course_id, tuple(rows), round(sum(max_scores.values()), 2))


def _live_scores(root: Path) -> dict[tuple[str, str], tuple[float, float]]:
    from lablib.course.live import live_scores

    return {(s.student, s.stage): (s.earned, s.available) for s in live_scores(root)}


def _saved(info: CourseInfo, pid: str, slug: str) -> bool:
    home = info.home(pid)
    name = get_stage(slug).answers_filename
    return any((folder / name).is_file() for folder in (home / slug, home / info.course_id / slug))


def _is_late(course: _Course, slug: str, timestamp: str) -> bool:
    from nbgrader.utils import parse_utc

    due = course.info.due(slug)
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
        rows.append([p.id, name] + [s.cell() for s in p.stages] + [f"{p.total:.4g}/{st.max_total:.4g}"])
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


_GRADE_ID = re.compile(r"(auto|rubrik)-([a-z]{2}\d+)-(.+)")


def parse_grade_id(name: str) -> tuple[str, str, str] | None:
    """``("auto"|"rubrik", exercise code, check or criterion id)`` of a grade cell name.

    >>> parse_grade_id("rubrik-dg1-nyata")
    ('rubrik', 'DG1', 'nyata')
    """
    m = _GRADE_ID.fullmatch(name)
    return (m.group(1), m.group(2).upper(), m.group(3)) if m else None
