"""The trainer's steps over nbgrader's API: release, collect, grade, feedback, and the status.

Each step says what it did (a ``StepResult``) and raises ``PipelineError`` with a message for
the trainer when it cannot be done. Every step is safe to run again: releasing a released
stage changes nothing, collecting again only takes newer submissions (nbgrader's exchange keeps
every submission), grading again skips unchanged submissions unless forced and never touches
manual (rubric) grades, and feedback is regenerated from the gradebook.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from lablib.core.errors import LablibError
from lablib.core.stages import STAGES, get_stage
from lablib.course.course import Course

ProgressFn = Callable[[int, int, str], None]  # (done, total, participant id)


CourseLike = Course | str | os.PathLike


class PipelineError(LablibError, RuntimeError):
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
        return "\n".join(_printable(note) for note in self.notes)


def _printable(text: str, limit: int = 2000) -> str:
    """A note as a terminal can print it: each line with control characters and lone surrogates
    escaped (``lablib.core.names.shown``) and cut to ``limit``; notes can quote participant text."""
    from lablib.core.names import shown

    return "\n".join(shown(line, limit) for line in text.split("\n"))


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


# ------------------------------------------------------------------------------------ release


def release(course: CourseLike, stage: str, *, force: bool = False) -> StepResult:
    """Generate the student version of a stage and put it in the exchange for participants.

    Through nbgrader's exchange classes as the course configures them (``lablib.course.exchange``),
    so another exchange than the filesystem one works; on the filesystem one the sticky bits
    that keep one participant from renaming another's folders are set (where this user owns them).
    """
    from lablib.course import exchange

    slug = stage_slug(stage)
    course = Course.of(course)
    start = time.monotonic()
    where = exchange.describe(course)
    is_released = exchange.released(course, slug)
    if is_released and not force:
        return StepResult("release", slug, skipped=(slug,), notes=(
            (f"Tahap {slug} sudah dirilis ({where}); tidak ada yang diubah. "
             f"Pakai --force untuk merilis ulang."),))
    source = course.path("source", ".", slug)
    if not source.is_dir():
        raise PipelineError(f"folder sumber {source} tidak ada; kursus ini rusak atau dibuat tanpa 'lablib init'.")
    _check(course.api.generate_assignment(slug, force=True, create=True), f"membuat versi peserta tahap {slug}")
    if is_released:
        _check(course.api.unrelease(slug), f"menarik rilis lama tahap {slug}")
    _check(course.api.release_assignment(slug), f"merilis tahap {slug}")
    due = course.due(slug)
    notes = [f"Tahap {slug} dirilis untuk {len(course.participants)} peserta: {where}"]
    if due:
        notes.append(f"Batas pengumpulan: {due:%Y-%m-%d %H:%M} ({course.timezone}).")
    notes += [f"Izin exchange: {change}" for change in exchange.set_exchange_modes(course)]
    return StepResult("release", slug, done=(slug,), notes=tuple(notes), seconds=time.monotonic() - start)


# ------------------------------------------------------------------------------------ collect


def collect(course: CourseLike, stage: str) -> StepResult:
    """Take the newest submission of every participant from the exchange into ``submitted/``.

    Through nbgrader's exchange classes (``lablib.course.exchange.collect``). On nbgrader's
    filesystem exchange, an inbound entry that is a link or not a folder, or that another user
    made in a participant's name (``nbgrader submit --student=OTHER``), is refused and named in
    a note, and that participant's own newest submission is taken instead. Files are what they
    claim to be: nbgrader's copy follows a symbolic link (as the trainer, so a link a
    participant put in the exchange would copy another participant's answers, or read a device
    without end) and stops at a FIFO. Here a submission's links, FIFOs, devices, sockets,
    hard-linked files and files of another user are left out of ``submitted/`` (the exchange
    keeps the original) and named in a note; whatever is not a regular file in a newly
    collected folder is named too (the grading protections keep it out of the grading).
    Another exchange keeps no owners lablib can check: the notes say so.
    """
    from lablib.course import exchange

    slug = stage_slug(stage)
    course = Course.of(course)
    start = time.monotonic()
    if not exchange.released(course, slug):
        raise PipelineError(f"tahap {slug} belum dirilis; jalankan dulu 'lablib release {slug}'.")
    before = course.collected(slug)
    if not exchange.waiting(course, slug).get(slug):
        missing = course.ids()
        return StepResult("collect", slug, notes=(
            f"Belum ada pengumpulan tahap {slug} di {exchange.describe(course)}.",
            f"Belum mengumpulkan ({len(missing)}): {', '.join(missing) or '-'}"))
    outcome = exchange.collect(course, slug)
    _check(outcome.result, f"mengambil pengumpulan tahap {slug}")
    _keep_private(course.step_dir("submitted"))
    after = course.collected(slug)
    new = tuple(s for s in after if s not in before)
    updated = tuple(s for s in after if s in before and after[s] != before[s])
    same = tuple(s for s in after if s in before and after[s] == before[s])
    unknown = [s for s in after if s not in set(course.ids())]
    missing = [s for s in course.ids() if s not in after]
    notes = [(f"Tahap {slug}: {len(new)} pengumpulan baru, {len(updated)} diperbarui, {len(same)} tidak berubah "
              f"(folder {course.step_dir('submitted')}).")]
    if missing:
        notes.append(f"Belum mengumpulkan ({len(missing)}): {', '.join(missing)}")
    if unknown:
        notes.append(f"Peringatan: pengumpulan dari id yang tidak ada di daftar peserta: {', '.join(unknown)}. "
                     f"Peserta susulan ditambahkan dengan 'lablib add-participants --roster FILE'.")
    notes += _refusal_notes(course, slug, outcome, after)
    notes += _irregular_notes(course, slug, new + updated, outcome.left_out)
    return StepResult("collect", slug, done=new + updated, skipped=same, notes=tuple(notes),
                      seconds=time.monotonic() - start)


def _keep_private(folder) -> None:
    """``submitted/`` as private as the course folder (nbgrader makes it with the umask): the
    course may be opened to a trainers' group later, submissions stay the trainer's."""
    from lablib.course.modes import PRIVATE_DIR_MODE

    if folder.is_dir() and not folder.is_symlink() and folder.stat().st_mode & 0o077:
        folder.chmod(PRIVATE_DIR_MODE)


def _refusal_notes(course: Course, slug: str, outcome, collected: dict[str, str]) -> list[str]:
    """A note per inbound entry collect refused, and one when owners could not be checked."""
    notes = []
    for refusal in outcome.refused:
        kept = (f"pengumpulan {refusal.student} sendiri yang dipakai" if refusal.student in collected
                else f"{refusal.student} belum punya pengumpulan sendiri")
        notes.append(f"DITOLAK {refusal.entry}: pengumpulan tahap {slug} atas nama {refusal.student} "
                     f"{refusal.reason}; tidak diambil ({kept}). Laporkan ke penyelenggara bila ini "
                     f"bukan uji coba fasilitator.")
    if not outcome.owners_checked:
        from lablib.course.exchange import describe

        notes.append(f"Catatan: exchange kursus ini ({describe(course)}) bukan "
                     f"exchange berkas nbgrader, jadi lablib tidak dapat memeriksa siapa yang membuat setiap "
                     f"pengumpulan; exchange itu sendiri harus memastikan peserta hanya mengumpulkan atas namanya.")
    return notes


def _kind(kind: str) -> str:
    from lablib.core.files import kind_name

    return "milik pengguna lain" if kind == "foreign" else kind_name(kind)


def _irregular_notes(course: Course, slug: str, collected: tuple[str, ...],
                     left_out: dict[str, dict[str, str]]) -> list[str]:
    """Notes naming each participant whose submission holds files that are not regular files
    (or, left out at collect, files another user put in it)."""
    from lablib.core.files import irregular_entries

    answers = get_stage(slug).answers_filename
    notes = []
    for student in sorted(left_out):
        found = left_out[student]
        if "." in found:
            notes.append(f"Peringatan {student}: pengumpulan tahap {slug} di exchange adalah tautan simbolik, "
                         f"bukan folder; tidak diambil (tetap di exchange).")
            continue
        files = ", ".join(f"{rel} ({_kind(kind)})" for rel, kind in found.items())
        also = (f" Tanpa {answers} ia dinilai seperti tanpa jawaban." if answers in found else "")
        notes.append(f"Peringatan {student}: berkas yang bukan file biasa (atau milik pengguna lain) tidak diambil dari pengumpulan tahap "
                     f"{slug} (aslinya tetap di exchange): {files}.{also}")
    for student in collected:
        found = irregular_entries(course.path("submitted", student, slug))
        if found:
            files = ", ".join(f"{rel} ({_kind(kind)})" for rel, kind in found.items())
            also = (f" Tanpa {answers} yang biasa ia dinilai seperti tanpa jawaban." if answers in found or "." in found
                    else "")
            notes.append(f"Peringatan {student}: pengumpulan tahap {slug} di submitted/ memuat berkas yang bukan "
                         f"file biasa: {files}. Penilaian tidak memakainya.{also}")
    return notes


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


def grade(course: CourseLike, stage: str, *, workers: int | None = None, force: bool = False,
          progress: ProgressFn | None = None, kernels: bool = False, verify: int = 0) -> StepResult:
    """Autograde every collected submission of a stage.

    Through ``lablib.course.grading.grade`` (incremental): unchanged submissions are skipped
    unless ``force``; manual (rubric) grades are never touched by autograde. Submissions are
    graded without kernels (what nbgrader's autograde would leave, computed in-process) unless
    ``kernels``; ``verify`` > 0 then re-grades that many random submissions with stock
    ``nbgrader autograde`` in a scratch copy and compares every gradebook row: each difference
    is a note naming the participant, table, column and both values, and the participant is
    listed as failed (the command exits non-zero).
    """
    slug = stage_slug(stage)
    course = Course.of(course)
    if not course.anyone_in("submitted", slug):  # who, not when: no timestamp file is read here
        from lablib.course.exchange import waiting as waiting_in_exchange

        waiting = waiting_in_exchange(course, slug, honest_only=True).get(slug, {})
        hint = f" ({len(waiting)} menunggu di exchange: jalankan 'lablib collect {slug}')" if waiting else ""
        return StepResult("grade", slug, notes=(f"Belum ada pengumpulan tahap {slug} untuk dinilai{hint}.",))
    from lablib.course.grading import GradingError
    from lablib.course.grading import grade as grade_submissions

    start = time.monotonic()
    try:
        outcome = grade_submissions(course, slug, workers=workers, force=force, kernels=kernels,
                                    progress=_event_progress(progress))
    except GradingError as exc:
        raise PipelineError(str(exc)) from None
    result = _result_from_grading(course, slug, outcome, start)
    if verify > 0:
        from dataclasses import replace

        from lablib.course.verify import verify as verify_sample

        check = verify_sample(course, slug, verify)
        wrong = tuple(sorted({d.student for d in check.differences} or (set(check.students) if check.problem
                                                                          else set())))
        result = replace(result, notes=(*result.notes, check.summary()),
                                     failed=tuple(sorted(set(result.failed) | set(wrong))),
                                     seconds=time.monotonic() - start)
    return result


def _event_progress(progress):
    """Adapt a ``(done, total, who)`` callback to ``lablib.course.grading``'s event callback."""
    if progress is None or isinstance(progress, ProgressBar):
        return progress
    return lambda event: progress(event.done, event.total, event.student)


def _result_from_grading(course: Course, slug: str, report, start: float) -> StepResult:
    """A ``StepResult`` from ``lablib.course.grading``'s ``GradeReport`` (plus lateness from the gradebook)."""
    done, skipped = tuple(report.graded), tuple(report.skipped)
    failed = tuple(p.student for p in report.failed)
    from lablib.course.grading import late_students

    late = late_students(course, slug)  # read without nbgrader: a grading command never imports it for this
    notes = [_grade_summary(slug, done, skipped, failed, late, time.monotonic() - start, report.workers,
                            getattr(report, "in_kernels", ()), getattr(report, "kernel_note", ""))]
    notes += [f"GAGAL {p.student}: {str(p.reason).splitlines()[0]}" for p in report.failed]
    for w in report.warnings:
        text = str(getattr(w, "reason", w))
        text = text.split("lablib: ", 1)[1] if "lablib: " in text else text
        notes.append(f"Peringatan {getattr(w, 'student', '')}: {text}")
    notes += _carried_notes(course, slug, done)
    notes += _irregular_notes(course, slug, done, {})  # links etc. the grading protection left out
    return StepResult("grade", slug, done=done, skipped=skipped, failed=failed, late=late, notes=tuple(notes),
                      seconds=time.monotonic() - start)


def _carried_notes(course: Course, slug: str, graded: tuple[str, ...]) -> list[str]:
    """A note per participant whose carried-over earlier answers differ from what they submitted."""
    if not graded:  # an unchanged re-grade: nothing to compare, and nothing to import for it
        return []
    from lablib.course.gradebook import ANSWER_ERRORS
    from lablib.notebook.carry import carried_differences

    notes = []
    for student in graded:
        try:
            different = carried_differences(lambda st, who=student: course.path("submitted", who, st), slug)
        except (OSError, *ANSWER_ERRORS) as exc:  # a file that cannot be compared never stops the run
            notes.append(f"Periksa {student}: salinan jawaban tahap sebelumnya di tahap {slug} tidak dapat "
                         f"dibandingkan (berkas jawaban tidak terbaca: {type(exc).__name__}).")
            continue
        if different:
            codes = ", ".join(i.split(".", 1)[1].upper() for i in different)
            notes.append(f"Periksa {student}: salinan {codes} di tahap {slug} berbeda dari yang ia kumpulkan di "
                         f"tahap sebelumnya (diperbarui sesudahnya, atau salinannya diubah). Nilai memakai "
                         f"salinan itu.")
    return notes


def _grade_summary(slug, done, skipped, failed, late, seconds, workers=None, in_kernels=(), kernel_note="") -> str:
    if in_kernels:
        how = f", {len(in_kernels)} lewat kernel ({workers} penilai paralel)"
    else:
        how = ", tanpa kernel" if workers else ", berurutan"
    text = (f"Tahap {slug}: {len(done)} dinilai, {len(skipped)} dilewati (tidak berubah sejak dinilai; "
            f"--force untuk menilai ulang), {len(failed)} gagal; {seconds:.1f} detik{how}.")
    if in_kernels and kernel_note:
        note = kernel_note if len(kernel_note) <= 300 else kernel_note[:299] + "…"
        text += f"\nLewat kernel: {note}"
    if late:
        text += f"\nTerlambat: {', '.join(late)}"
    return text


# ------------------------------------------------------------------------------------ feedback


def feedback(course: CourseLike, stage: str, *, refresh: bool = True) -> StepResult:
    """Make every graded participant's feedback page and release it through the exchange.

    With ``refresh`` (the default), the same participants' pages of other stages whose content
    changed (a grade changed since: their course total differs) are rewritten and released again.

    With ``lablib.reports.feedback`` present, its page (every check's message, every criterion's level
    and comment, no test code) is the feedback: it is written straight into nbgrader's
    ``feedback/<id>/<stage>/`` layout, which saves nbgrader converting every notebook to HTML
    only for the page to be replaced. Without it, nbgrader's ``generate_feedback`` is used.
    """
    slug = stage_slug(stage)
    course = Course.of(course)
    start = time.monotonic()
    held = _withhold_failed_feedback(course, slug)
    graded = [s for s in course.students_in("autograded", slug) if s not in held]
    if not graded:
        return StepResult("feedback", slug, notes=((f"Belum ada pengumpulan tahap {slug} yang dinilai; "
                                                    f"jalankan 'lablib grade {slug}' dulu."), *held.values()))
    from lablib.reports.feedback import graded_view, refresh_feedback, write_feedback

    for student in graded:
        _prepare_feedback_folder(course, student, slug)
    view = graded_view(course)  # read once for this stage's pages and the refreshed ones
    write_feedback(course, slug, graded, view=view)
    # their pages of other stages show the course total too: rewrite those that changed
    refreshed = refresh_feedback(course, graded, skip=[(s, slug) for s in graded], view=view) if refresh else []
    _check(course.api.release_feedback(slug), f"mengirim umpan balik tahap {slug}")
    for other in sorted({st for _, st in refreshed}):
        _check(course.api.release_feedback(other), f"mengirim ulang umpan balik tahap {other}")
    made = tuple(s for s in graded if any(course.path("feedback", s, slug).glob("*.html")))
    notes = ((f"Umpan balik tahap {slug} dibuat dan dikirim untuk {len(made)} peserta "
              f"(folder {course.step_dir('feedback')}"
              ", halaman lablib: tanpa kode tes, dengan level rubrik)."),
             *((f"{len(refreshed)} halaman umpan balik tahap lain diperbarui dan dikirim ulang karena "
                f"nilainya berubah (nilai kursus sama di setiap halaman).",) if refreshed else ()),
             ("Peserta membukanya di Beranda (tombol 'Lihat umpan balik' pada tahap ini); di JupyterLab "
              f"dengan 'nbgrader fetch_feedback {slug} --course {course.course_id}'."), *held.values())
    return StepResult("feedback", slug, done=made, notes=notes, seconds=time.monotonic() - start)


def feedback_all(course: CourseLike) -> list[StepResult]:
    """``feedback`` for every stage that has graded submissions (``lablib feedback --all``)."""
    course = Course.of(course)
    return [feedback(course, st.slug, refresh=False) for st in STAGES
            if course.students_in("autograded", st.slug)]


def _withhold_failed_feedback(course: Course, slug: str) -> dict[str, str]:
    """``{participant: note}`` for those whose last grading of ``slug`` failed: their earlier
    feedback page (with the stale scores) is removed from ``feedback/`` so that nbgrader's
    release does not send it again; the next successful grade makes a new one."""
    import shutil

    from lablib.core.names import shown
    from lablib.course.grading import grading_failures

    held = {}
    for (student, _), failure in grading_failures(course, [slug]).items():
        folder = course.path("feedback", student, slug)
        if folder.exists():
            for path in folder.rglob("*"):
                path.chmod(path.stat().st_mode | 0o600)
            shutil.rmtree(folder)
        held[student] = (f"Umpan balik {shown(student)} tidak dibuat: tahap {slug} gagal dinilai "
                         f"({shown(failure.summary, 120)}); nilai lamanya tidak dikirim.")
    return held


def _prepare_feedback_folder(course: Course, student: str, slug: str) -> None:
    """``feedback/<id>/<stage>/`` as nbgrader's generate_feedback leaves it, minus the notebook HTML:
    the autograded folder's other files (timestamp and submission secret included)."""
    import shutil

    src, dst = course.path("autograded", student, slug), course.path("feedback", student, slug)
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
