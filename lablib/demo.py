"""``lablib demo``: one whole bimtek on embedded defaults, from a participant list to grades.

A synthetic cohort of Banggai Kepulauan OPDs (``lablib.curriculum.synthetic``: the first
participant answers with the worked example, every other OPD with its own innovation case from
``lablib.curriculum.cases``, all data fiktif; a mix of complete, partial, inconsistent,
off-topic and empty work) goes through all five stages on a local nbgrader course (SQLite
gradebook, exchange inside the output folder):

1. the roster is written as a CSV and the course created from it (as ``lablib init`` does);
2. for every stage: release; every participant fetches the stage through nbgrader's exchange,
   fills it (``save_answers``, exactly what the form writes) and submits through the exchange;
   collect; autograde (``lablib.course.grading``, in parallel); sample narasumber rubric
   levels written into the gradebook; feedback generated and released;
3. grades exported per exercise and per criterion; each innovation's documents (PP 38 / IID
   profile and KIPP proposal, HTML and Word); a review sheet per stage for each narasumber of
   the demo's team (the split they graded by); the cohort report; and the expo showcase of the
   innovations the trainer picked (``pameran/kurasi-pameran.txt``).

The narasumber levels and comments are samples (data fiktif) recorded under the team's names
in the audit table, with a blind second marking of a quarter of the cohort.

Fetch and submit run nbgrader's own exchange classes in this process (the code behind
``nbgrader fetch_assignment`` and ``nbgrader submit --student``) to save a process start per
participant and stage. A few participants stop early so the status table shows every state.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lablib.core.errors import LablibError
from lablib.core.files import write_text_atomic
from lablib.core.stages import STAGES
from lablib.course.course import Course

MARKER = ".lablib-demo"
COURSE_ID = "bimtek-bangkep"
# level a narasumber gives per synthetic profile (before a random step of -1, 0 or +1)
PROFILE_LEVEL = {"model": 4, "complete": 3, "partial": 2, "inconsistent": 2, "off_topic": 1, "empty": 0}
# The demo's narasumber team (names fiktif): the cohort is split among them stage by stage, a
# quarter of it marked a second time, blind, for the report's inter-rater agreement.
NARASUMBER = ("Ratna Sari (LAN, fiktif)", "Hendra Wibisono (LAN, fiktif)", "Agus Lamadjido (Bapperida, fiktif)")
DOUBLE_MARKED = 0.25
# What a narasumber adds to a criterion's descriptor, by level (the demo's comments, data fiktif)
ADVICE = {
    0: "Bagian ini belum dikerjakan; isi dulu sebelum tahap berikutnya dan minta bantuan fasilitator.",
    1: "Perbaiki bagian ini bersama tim: tulis dari data dan layanan OPD Anda sendiri, bukan uraian umum.",
    2: "Sudah ada arah yang benar; lengkapi dengan angka dan contoh dari layanan Anda.",
    3: "Tambahkan bukti pendukung (foto, SK, data) agar lebih meyakinkan di depan Bupati.",
    4: "Layak dijadikan contoh bagi OPD lain.",
}
# the share of criteria a narasumber comments on at each level (weak work always gets a comment)
COMMENT_SHARE = {0: 1.0, 1: 1.0, 2: 0.8, 3: 0.45, 4: 0.3}
# the trainer's rule for the expo screen: a Display the narasumber scored at least this share of
SHOWCASE_MIN_SHARE = 0.5


@dataclass(frozen=True)
class DemoPerson:
    id: str
    nama: str
    opd: str
    jabatan: str
    email: str
    profile: str
    answers: Callable[[str], dict]


def _cohort(n: int, seed: int) -> list[DemoPerson]:
    from lablib.curriculum.synthetic import synthetic_cohort

    return [DemoPerson(p.id, p.nama, p.opd, p.jabatan, p.email, p.profile, p.answers)
            for p in synthetic_cohort(n, seed)]


def _clear(folder: Path) -> None:
    """Remove a previous demo output (nbgrader leaves submissions read-only)."""
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            p = Path(root) / name
            if not p.is_symlink():
                p.chmod(p.stat().st_mode | 0o700)
    shutil.rmtree(folder)


def _quiet_log(name: str) -> logging.Logger:
    log = logging.getLogger(f"lablib.demo.{name}")
    log.propagate = False
    log.setLevel(logging.ERROR)
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    return log


class ExchangeParticipant:
    """A participant's side of nbgrader's exchange, run in this process: the exchange classes
    behind ``nbgrader fetch_assignment`` and ``nbgrader submit --student=ID``."""

    def __init__(self, participant_id: str, home: Path, exchange: Path, cache: Path, course_id: str):
        self.id, self.home, self.exchange, self.cache, self.course_id = participant_id, home, exchange, cache, course_id
        home.mkdir(parents=True, exist_ok=True)

    def _run(self, kind: str, stage: str) -> None:
        from nbgrader.auth import Authenticator
        from nbgrader.coursedir import CourseDirectory
        from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeSubmit
        from traitlets.config import Config

        cfg = Config()
        cfg.CourseDirectory.course_id = self.course_id
        cfg.CourseDirectory.root = str(self.home)
        cfg.Exchange.root = str(self.exchange)
        cfg.Exchange.assignment_dir = str(self.home)
        cfg.Exchange.cache = str(self.cache)
        log = _quiet_log("exchange")
        coursedir = CourseDirectory(config=cfg, log=log)
        coursedir.assignment_id = stage
        coursedir.student_id = self.id
        auth = Authenticator(config=cfg, log=log)
        cls = ExchangeFetchAssignment if kind == "fetch" else ExchangeSubmit
        cls(coursedir=coursedir, authenticator=auth, config=cfg, log=log).start()

    def fetch(self, stage: str) -> Path:
        self._run("fetch", stage)
        return self.home / stage

    def submit(self, stage: str) -> None:
        self._run("submit", stage)


def _demo_calendar():
    """The worked example's calendar (the synthetic answers are dated in it), with every due
    date at least a month ahead so the demo's submissions are on time whatever today is."""
    from lablib.core.calendar import DEFAULT_CALENDAR, Calendar

    soon = _dt.date.today() + _dt.timedelta(days=30)
    due = {stage: max(day, soon) for stage, day in DEFAULT_CALENDAR.due.items()}
    return Calendar(DEFAULT_CALENDAR.workshop_start, DEFAULT_CALENDAR.workshop_end,
                    DEFAULT_CALENDAR.deliver_start, DEFAULT_CALENDAR.deliver_end, due)


def record_rubric_levels(course: Course, stage: str, people: list[DemoPerson], seed: int) -> int:
    """Write sample narasumber levels and comments on the rubric grades of ``stage``, as the
    demo's narasumber team would: the submitters are split among ``NARASUMBER``
    (``lablib.reports.assignment.split``), every grade is recorded with its reviewer in the
    audit table, and a ``DOUBLE_MARKED`` share gets a blind second marking (audit only)."""
    from lablib.core.rubrics import LEVELS, MAX_LEVEL
    from lablib.curriculum import stage_exercises
    from lablib.curriculum.grade_ids import rubric_grade_id
    from lablib.reports import audit
    from lablib.reports.assignment import split

    def level_for(person: DemoPerson, rng: random.Random) -> int:
        level = PROFILE_LEVEL.get(person.profile, 2) + rng.choice((-1, 0, 0, 1))
        return 0 if person.profile == "empty" else min(MAX_LEVEL, max(0, level))

    def comment_for(crit, level: int, rng: random.Random) -> str | None:
        if rng.random() >= COMMENT_SHARE[level]:
            return None
        return (f"{str(LEVELS[level].get('id')).capitalize()}: {crit.descriptors[level]} {ADVICE[level]} "
                "(contoh komentar narasumber, data fiktif)")

    written = 0
    criteria = [(rubric_grade_id(ex, c.id), c) for ex in stage_exercises(stage) for c in ex.criteria]
    with course.gradebook() as gb:
        submissions = [s for s in gb.assignment_submissions(stage) if any(p.id == s.student_id for p in people)]
        team = split([s.student_id for s in submissions], NARASUMBER, DOUBLE_MARKED, seed=f"demo:{seed}:{stage}")
        second_of = {student: r for r, ids in team.second.items() for student in ids}
        entries = []
        for submission in submissions:
            person = next(p for p in people if p.id == submission.student_id)
            rng = random.Random(f"{seed}-{person.id}-{stage}")
            reviewer = team.reviewer_of(person.id) or NARASUMBER[0]
            for nb in submission.notebooks:
                grades = {g.name: g for g in nb.grades}
                comments = {c.name: c for c in nb.comments}
                for name, crit in criteria:
                    if name not in grades:
                        continue
                    level = level_for(person, rng)
                    old_score = grades[name].manual_score
                    old_comment = comments[name].manual_comment if name in comments else None
                    grades[name].manual_score = crit.score(level)
                    grades[name].needs_manual_grade = False
                    text = comment_for(crit, level, rng)
                    if name in comments:
                        comments[name].manual_comment = text
                    cell = {"stage": stage, "student": person.id, "grade_name": name, "source": "lablib demo"}
                    entries.append(audit.AuditEntry(
                        at=audit.now(), reviewer=reviewer, role=audit.PRIMARY, old_score=old_score,
                        new_score=crit.score(level), old_comment=old_comment, new_comment=text, **cell))
                    if person.id in second_of:  # a second narasumber's blind view: close, not always equal
                        other = min(MAX_LEVEL, max(0, level + rng.choice((-1, 0, 0, 0, 1))))
                        entries.append(audit.AuditEntry(
                            at=audit.now(), reviewer=second_of[person.id], role=audit.SECOND, old_score=None,
                            new_score=crit.score(other), old_comment=None, new_comment=None, **cell))
                    written += 1
        audit.record(gb, course.course_id, entries)
        gb.db.commit()
    return written


def curated_showcase(course: Course) -> list[str]:
    """The trainer's pick for the expo: who submitted Display and earned at least
    ``SHOWCASE_MIN_SHARE`` of its points (so a Display written off-topic stays off the screen),
    one card per innovation (two staff of one OPD with the same innovation: the better-scored
    one), in participant order."""
    from lablib.course.gradebook import latest_answers, read_gradebook
    from lablib.reports.documents import innovation_name

    view = read_gradebook(course, ["display"])
    good = sorted((r for r in view.stage_records("display")
                   if r.max_score and r.score / r.max_score >= SHOWCASE_MIN_SHARE), key=lambda r: -r.score)
    best: dict[str, str] = {}
    for r in good:
        best.setdefault(innovation_name(latest_answers(course, r.student)).casefold(), r.student)
    return sorted(best.values())


def run_demo(out: str | os.PathLike = "demo-out", *, participants: int = 20, seed: int = 2026,
             workers: int | None = None, say: Callable[[str], None] = print) -> dict:
    """Run the whole demo; returns a summary dict (timings, paths, counts)."""
    from lablib.core.answers import save_answers
    from lablib.course.folder import CourseError, create_course
    from lablib.course.roster import Participant, read_roster, write_roster
    from lablib.course.status import status
    from lablib.pipeline import ProgressBar, collect, feedback, grade, release
    from lablib.reports.export import export

    started = time.monotonic()
    out = Path(out).resolve()
    if out.exists():
        if (out / MARKER).is_file():
            _clear(out)
        elif any(out.iterdir()):
            raise CourseError(f"{out} sudah ada dan bukan keluaran demo sebelumnya; pilih --out lain.")
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("keluaran lablib demo; boleh dihapus\n", encoding="utf-8")

    people = _cohort(participants, seed)
    roster_path = write_roster(out / "peserta.csv", [Participant(p.id, p.nama, p.opd, p.jabatan, p.email)
                                                     for p in people])
    roster = read_roster(roster_path)
    course_dir = out / "kursus"
    info = create_course(course_dir, roster, course_id=COURSE_ID, calendar=_demo_calendar(),
                         homes=str(out / "peserta" / "{id}"))
    say(f"[{time.monotonic() - started:5.1f} d] Kursus '{COURSE_ID}' dibuat untuk {len(roster)} peserta: {course_dir}")
    course = Course.open(course_dir)
    exchange = course.exchange
    homes = {p.id: ExchangeParticipant(p.id, info.home(p.id), exchange, out / "cache" / p.id, COURSE_ID)
             for p in people}

    # Who stops early (so the status shows every state): the last participant never starts
    # Deliver and Display; the one before saves Display but never submits it.
    quitter = people[-1].id if len(people) >= 3 else None
    saver = people[-2].id if len(people) >= 3 else None
    timings: dict[str, float] = {}
    for stage in (s.slug for s in STAGES):
        t0 = time.monotonic()
        release(course, stage)
        submitted = 0
        for person in people:
            if person.id == quitter and stage in ("deliver", "display"):
                continue
            folder = homes[person.id].fetch(stage)
            save_answers(folder, stage, person.answers(stage))
            if person.id == saver and stage == "display":
                continue
            homes[person.id].submit(stage)
            submitted += 1
        collect(course, stage)
        t1 = time.monotonic()
        graded = grade(course, stage, workers=workers, progress=ProgressBar(f"Menilai {stage:<8}"))
        t2 = time.monotonic()
        levels = record_rubric_levels(course, stage, people, seed)
        feedback(course, stage)
        timings[stage] = time.monotonic() - t0
        say(f"[{time.monotonic() - started:5.1f} d] {stage}: {submitted} dikumpulkan, {len(graded.done)} dinilai "
            f"otomatis dalam {t2 - t1:.1f} d, {levels} nilai rubrik contoh, umpan balik dikirim"
            + (f"; GAGAL: {', '.join(graded.failed)}" if graded.failed else ""))
        for note in graded.notes:
            if note.startswith("GAGAL"):
                say(f"        {note}")

    exported = export(course, out / "nilai")
    paths = {"kursus": course_dir, "nilai": exported.folder, "peserta": out / "peserta"}
    from lablib.reports.assignment import assign_reviewers
    from lablib.reports.documents import write_documents
    from lablib.reports.report import load_cohort, write_report
    from lablib.reports.showcase import CURATION_FILE, curation_text, publish_showcase

    docs = write_documents(course, out=out / "dokumen")
    paths["dokumen"] = out / "dokumen"
    sheets = 0
    for stage in (s.slug for s in STAGES):
        try:
            sheets += len(assign_reviewers(course, stage, NARASUMBER, DOUBLE_MARKED, out=out / "penilaian")[1])
        except LablibError as exc:  # a stage nobody submitted (a one-person demo): say so, go on
            say(f"        lembar penilaian {stage}: {exc}")
    paths["penilaian"] = out / "penilaian"
    paths["laporan"] = write_report(course, out / "laporan")[0]
    # the trainer's curated list, in the file a trainer edits (the expo plays it in this order)
    curation = out / "pameran" / CURATION_FILE
    write_text_atomic(curation, curation_text(load_cohort(course), curated_showcase(course)))
    shown = publish_showcase(course, out / "pameran" / "pameran-inovasi.html", curation=curation)
    paths["pameran"] = shown.path
    say(f"[{time.monotonic() - started:5.1f} d] {len({p.parent.name for p in docs})} peserta mendapat dokumen "
        f"profil dan KIPP; {sheets} lembar penilaian untuk {len(NARASUMBER)} narasumber; "
        f"{len(shown.selection.ids)} inovasi di layar pameran")

    st = status(course)
    seconds = time.monotonic() - started
    say("")
    say(st.table())
    say("")
    say(f"Demo selesai dalam {seconds:.0f} detik ({len(people)} peserta × {len(STAGES)} tahap). Lihat:")
    notes = {"kursus": "kursus nbgrader (gradebook.db, submitted/, autograded/, feedback/)",
             "nilai": "nilai per latihan dan per kriteria (CSV dan nilai.xlsx)",
             "dokumen": "profil inovasi (PP 38/IID) dan proposal KIPP tiap peserta (HTML dan Word)",
             "penilaian": "lembar penilaian Excel per tahap untuk tiap narasumber",
             "laporan": "laporan kohort (HTML mandiri, siap cetak A4, dan Excel)",
             "pameran": "galeri inovasi untuk layar pameran (daftar tampil: kurasi-pameran.txt)",
             "peserta": "folder kerja tiap peserta"}
    for key, path in paths.items():
        say(f"  {path}  — {notes.get(key, key)}")
    say(f"Coba juga: lablib status --course {course_dir}   |   lablib lab --course {course_dir}")
    return {"seconds": seconds, "timings": timings, "paths": paths, "status": st, "participants": len(people)}
