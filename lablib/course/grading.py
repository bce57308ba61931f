"""Grading at scale: what ``nbgrader autograde`` leaves, incrementally, mostly without kernels.

``grade(course, stage)`` leaves what stock ``nbgrader autograde`` leaves (the same gradebook
rows and the same autograded notebooks, up to the kernel's execution timestamps). By default
each submission is graded in this process by ``lablib.course.direct`` (no participant code ever
runs in a grading kernel, so the kernel only recomputes what lablib computes directly: the same
check functions, the same rendering), a chunk of submissions per gradebook transaction. The
kernel path below is the reference: ``kernels=True`` (``lablib grade --kernels``) takes it for
every submission; a stage whose grading is set up differently from what the direct engine
reproduces, and a single unusual submission, take it too, and the report says so
(``GradeReport.in_kernels``, ``kernel_note``). ``lablib.course.verify`` re-grades a sample with
stock nbgrader and compares every row (``lablib grade --verify N``).

On the kernel path each submission goes through nbgrader's own ``Autograde`` converter with the
course's configuration (including the course's own preprocessors). What differs from stock is
scheduling:

- The kernel-bound step (nbgrader's ``Execute`` preprocessor) of several submissions runs at
  the same time, in threads of this process. Everything that reads or writes the gradebook
  (creating the student and the submission, sanitising cells against the stored source,
  saving the automatic grades, late penalties) runs under one lock, so SQLite never sees two
  writers and PostgreSQL sees the same transactions as with stock nbgrader.
- ``workers`` notebooks execute cells at once; twice as many submissions are in flight, so the
  next kernels start (and their start-up handshake waits) while others execute.
- Kernels are forked from a *kernel fork server* (``lablib.course.kernels``) that has already
  imported ipykernel, IPython and lablib. Each submission still gets its own fresh kernel
  process, set up like a kernel launched with ``python -m ipykernel_launcher``; only the
  imports are shared. The kernels' own messages go to ``<course>/.lablib/grading/kernels.log``.
  ``prewarm=False`` launches kernels the ordinary way.
- Within the batch, gradebooks share one SQLAlchemy engine per URL and nbgrader's metadata
  schema is checked once instead of per cell (``_nbgrader_speedups``); the exporter validates
  each notebook once after its preprocessors instead of after each one.

A submission that cannot be graded (a corrupt notebook, a kernel that dies) is reported in
``GradeReport.failed`` and the others are graded; a cell that hits the course's per-cell
timeout (``c.Execute.timeout``) is interrupted and scores 0, as in stock nbgrader, and is
reported in ``GradeReport.warnings``. The failure is also recorded in the grading state with
its reason and time (``grading_failures``): nbgrader removes the failed submission's autograded
notebook but leaves its earlier scores in the gradebook, so ``lablib status``, ``lablib export``
and ``lablib report`` show the stage as *gagal dinilai* with the reason, never those stale
scores. The next successful grade of that participant clears it.

Without kernels, Ctrl-C stops the batch after the chunk in hand (its rows are written in one
transaction and recorded, nothing is half-done); the first chunks are small, so that is at once.
In kernels, Ctrl-C (SIGINT, or a ``KeyboardInterrupt`` in the calling thread) stops a batch within seconds:
no further submission starts (pending ones are cancelled); those already executing get
``STOP_GRACE`` seconds to finish, after which (or at a second Ctrl-C) their kernels are killed.
Every submission that finished is recorded, so the next run grades only the rest; one stopped
half-way is recorded as failed ("dihentikan"), since nbgrader has already removed its old
autograded notebook. The fork server is closed, the run lock released, and
``GradingInterrupted`` (a ``KeyboardInterrupt``) is raised with the ``GradeReport``, whose
summary says what was done: "dihentikan: 5 dinilai, 15 belum; jalankan lagi ...".

Incremental: after a submission is graded, a fingerprint of its submitted files (and, to find
them unchanged without reading them, their sizes and modification times: ``files_signature``)
and of what grading depends on (the stage's ``source/`` files, the course config minus its
paths, the lablib code grading runs and the nbgrader version) is stored in
``<course>/.lablib/grading/<stage>.json``. A later run skips submissions whose fingerprint is
unchanged and whose autograded notebook and gradebook submission still exist, unless
``force``; a run that only skips never imports nbgrader. Manual grades are never touched:
nbgrader's ``SaveAutoGrades`` (and the direct engine, like it) writes only the automatic score.

One run per course at a time (``_hold_run_lock``): an ``flock`` in the course folder and, on a
PostgreSQL gradebook, an advisory lock named after the course, so two copies of one course never
write one gradebook at once while several courses on one server are graded side by side.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import logging
import os
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from lablib.core.errors import LablibError
from lablib.core.files import write_text_atomic
from lablib.core.stages import STAGES, get_stage
from lablib.course.course import Course
from lablib.course.kernels import fork_kernel_manager_class, start_fork_server

PREFETCH = 2  # submissions in flight per execution slot (see ``grade``)
# A kernel that never answers its first message is not the submission's fault: jupyter_client
# picks TCP ports by binding and releasing them, so a kernel started elsewhere on the machine
# at the same moment can take one (jupyter/jupyter_client#487). Such a submission is graded
# again in a new kernel; nothing of it was recorded.
KERNEL_START_FAILURES = ("Kernel didn't respond", "Kernel died before replying")
KERNEL_START_ATTEMPTS = 2
STATE_SCHEMA = 1
# After Ctrl-C, the submissions already executing get this long to finish before their kernels
# are killed (a second Ctrl-C kills them at once); the main thread looks every POLL seconds.
STOP_GRACE = 5.0
POLL = 0.2
FAILED = "gagal dinilai"  # how status, export and report name a stage whose last grading failed
# what became of one submission in a batch: graded; failed (with its reason); interrupted (stopped
# half-way by Ctrl-C: not graded, and nbgrader already removed its old autograded notebook); not
# started (Ctrl-C came first: nothing of it was touched)
_GRADED, _FAILED, _INTERRUPTED, _NOT_STARTED = "graded", "failed", "interrupted", "not-started"

__all__ = ["FAILED", "GradeEvent", "GradeFailure", "GradeProblem", "GradeReport", "GradingError",
           "GradingInterrupted", "grade", "grading_failures"]


class GradingError(LablibError, RuntimeError):
    """The batch cannot start (not a course, stage not generated, ...); the message (in Bahasa
    Indonesia) says why and what to do next."""


@dataclass(frozen=True)
class GradeProblem:
    """Why one submission failed (or what to look at after it was graded)."""

    student: str
    reason: str

    def __str__(self) -> str:
        return f"{self.student}: {self.reason}"


@dataclass(frozen=True)
class GradeEvent:
    """Passed to the ``progress`` callback once per finished submission."""

    student: str
    status: str  # "graded", "skipped" or "failed" (codes; ``lablib.pipeline.ProgressBar`` shows them in Indonesian)
    done: int
    total: int
    seconds: float
    reason: str = ""


@dataclass(frozen=True)
class GradeReport:
    stage: str
    graded: tuple[str, ...]
    skipped: tuple[str, ...]  # unchanged since they were last graded
    failed: tuple[GradeProblem, ...]
    seconds: float
    workers: int = 1
    warnings: tuple[GradeProblem, ...] = ()  # graded, but e.g. a cell hit the time limit
    interrupted: bool = False  # stopped by Ctrl-C
    remaining: tuple[str, ...] = ()  # not graded because the batch was stopped
    in_kernels: tuple[str, ...] = ()  # graded (or failed) in kernels rather than in-process
    kernel_note: str = ""  # why they needed kernels ("--kernels", the course's setup, or each one's reason)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.interrupted

    @property
    def total(self) -> int:
        return len(self.graded) + len(self.skipped) + len(self.failed) + len(self.remaining)

    def summary(self) -> str:
        if self.interrupted:
            lines = [f"dihentikan: {len(self.graded)} dinilai, {len(self.remaining)} belum; jalankan lagi "
                     f"'lablib grade {self.stage}' untuk sisanya"]
            if self.skipped or self.failed:
                lines.append(f"  ({len(self.skipped)} tidak berubah, {len(self.failed)} gagal; "
                             f"{self.seconds:.1f} detik)")
        else:
            how = (f"{len(self.in_kernels)} lewat kernel, {self.workers} penilai paralel" if self.in_kernels
                   else "tanpa kernel")
            lines = [f"{self.stage}: {len(self.graded)} dinilai, {len(self.skipped)} tidak berubah, "
                     f"{len(self.failed)} gagal dalam {self.seconds:.1f} detik ({how})"]
            if self.in_kernels and self.kernel_note:
                note = self.kernel_note if len(self.kernel_note) <= 300 else self.kernel_note[:299] + "…"
                lines.append(f"  lewat kernel: {note}")
        lines += [f"  GAGAL {p}" for p in self.failed]
        lines += [f"  peringatan {p}" for p in self.warnings]
        return "\n".join(lines)


class GradingInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a grading batch. ``report`` (``interrupted=True``) says what was graded and
    recorded and what is left (``remaining``); the message is its summary, in Bahasa Indonesia.
    A ``KeyboardInterrupt``, so callers that stop on Ctrl-C still stop."""

    def __init__(self, report: GradeReport):
        super().__init__(report.summary())
        self.report = report


@dataclass(frozen=True)
class GradeFailure:
    """The last grading of a participant's stage failed (recorded in the grading state)."""

    student: str
    stage: str
    reason: str
    failed_at: str = ""  # ISO time

    @property
    def summary(self) -> str:
        """The reason's first line, short enough for a table cell or a note.

        >>> GradeFailure("ani", "diagnose", "tidak dapat dinilai: NotJSONError\\nTraceback ...").summary
        'tidak dapat dinilai: NotJSONError'
        >>> GradeFailure("ani", "diagnose", "tidak dapat dinilai: \\x1b[0;31mZeroDivisionError\\x1b[0m").summary
        'tidak dapat dinilai: ZeroDivisionError'
        """
        import re

        plain = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", self.reason)  # a kernel traceback's colours
        first = (plain.strip().splitlines() or [""])[0].strip()
        return first if len(first) <= 160 else first[:159] + "…"

    @property
    def label(self) -> str:
        """``"gagal dinilai: <reason>"``: the marker export and report write for the stage."""
        return f"{FAILED}: {self.summary}" if self.summary else FAILED


def kernel_did_not_start(message: str) -> bool:
    """Whether a failure message (nbgrader's log, an exception) says the kernel never answered."""
    return any(s in message for s in KERNEL_START_FAILURES)


# -- fingerprints --------------------------------------------------------------------------
def _hash_tree(folder: Path, h: hashlib._Hash) -> None:
    if not folder.is_dir():
        return
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        h.update(rel.encode("utf-8") + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())


# The layers a grading kernel runs: the definitions, the checks and what the notebook calls.
# Everything else (the back office, the reports, the commands) never runs in a kernel, so
# fixing a report or a command does not re-grade the cohort.
KERNEL_LAYERS = ("core", "curriculum", "notebook")
# ... and the back-office modules whose code decides what a grading leaves: kernel-free grading
# (the same results computed in-process) and the protections (the grading copy, the cells)
GRADING_MODULES = ("course/direct.py", "course/grading_copy.py", "course/protections.py")


def source_version(course: Course | str | os.PathLike, stage: str) -> str:
    """What grading depends on besides the submission: source files, config, lablib, nbgrader."""
    course = Course.of(course)
    h = hashlib.sha256()
    h.update(f"nbgrader {_nbgrader_version()}\0".encode())
    _hash_tree(course.path("source", ".", stage), h)
    h.update(_grading_config(course.config).encode())
    h.update(lablib_code_version().encode())
    return h.hexdigest()


def _nbgrader_version() -> str:
    """The installed nbgrader's version, from the name of its ``nbgrader-<version>.dist-info``
    folder beside the package: what ``importlib.metadata`` reports, without its import and its
    scan of every path entry (a fifth of an unchanged re-grade's time)."""
    from importlib.util import find_spec

    spec = find_spec("nbgrader")
    if spec is not None and spec.origin:
        found = list(Path(spec.origin).parent.parent.glob("nbgrader-*.dist-info"))
        if len(found) == 1:
            return found[0].name[len("nbgrader-"):-len(".dist-info")]
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nbgrader")
    except PackageNotFoundError:  # pragma: no cover
        return "?"


def lablib_code_version() -> str:
    """A hash of the lablib code grading runs: the ``KERNEL_LAYERS`` folders, the package's
    ``__init__`` (the public API the notebooks call) and the ``GRADING_MODULES``."""
    h = hashlib.sha256()
    lablib_dir = Path(__file__).resolve().parent.parent
    paths = [lablib_dir / "__init__.py", *(lablib_dir / m for m in GRADING_MODULES)]
    for layer in KERNEL_LAYERS:
        paths += sorted((lablib_dir / layer).rglob("*"))
    for path in paths:
        if path.is_file() and path.suffix in (".py", ".json"):
            h.update(path.relative_to(lablib_dir).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _grading_config(config) -> str:
    """The course config minus where things are (root, gradebook URL, exchange): moving a
    course does not re-grade it, changing e.g. the time limit or the preprocessors does."""
    where = {"CourseDirectory": ("root", "db_url", "course_id"), "Exchange": ("root",)}
    doc = {}
    for section, values in config.items():
        if not hasattr(values, "items"):
            doc[section] = repr(values)
            continue
        skip = where.get(section, ())
        doc[section] = {k: repr(v) for k, v in values.items() if k not in skip}
    return json.dumps(doc, sort_keys=True)


def submission_fingerprint(folder: str | os.PathLike, source: str) -> str:
    h = hashlib.sha256(source.encode())
    _hash_tree(Path(folder), h)
    return h.hexdigest()


def files_signature(folder: str | os.PathLike, source: str) -> str:
    """What the files of a submission look like without reading them: every path with its size,
    modification time (nanoseconds), mode and inode, plus ``source``. When it is the one stored
    with the last grading, the content fingerprint stored then still holds, so an unchanged
    re-grade of thousands of submissions reads no file (the trainer's ``submitted/`` only changes
    through ``collect``, which writes new files; ``--force`` re-grades whatever the signature says).

    The value is ``os.walk``'s (files of a folder in name order, then its subfolders; a link to
    a folder is not followed), read with one ``os.scandir`` per folder: at 10,000 submissions
    this loop is most of an unchanged re-grade."""
    h = hashlib.sha256(source.encode())
    _sign_folder(os.fspath(folder), "", h)
    return h.hexdigest()


def _sign_folder(path: str, rel: str, h: hashlib._Hash) -> None:
    try:
        with os.scandir(path) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return
    folders = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            folders.append(entry)
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        h.update(f"{rel}{entry.name}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_mode}\0{st.st_ino}\0".encode(
            "utf-8", "surrogateescape"))
    for entry in folders:
        if not entry.is_symlink():
            _sign_folder(entry.path, f"{rel}{entry.name}/", h)


def _state_path(course: Course, stage: str) -> Path:
    return course.state_dir("grading", f"{stage}.json")


def _state_part(course: Course, stage: str, key: str) -> dict[str, dict]:
    path = _state_path(course, stage)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(doc, dict) or doc.get("schema_version") != STATE_SCHEMA:
        return {}
    part = doc.get(key)
    return {k: v for k, v in part.items() if isinstance(v, dict)} if isinstance(part, dict) else {}


def _load_state(course: Course, stage: str) -> dict[str, dict]:
    """``{student: {"fingerprint", "graded_at"}}`` of the submissions graded and unchanged since."""
    return _state_part(course, stage, "students")


def _load_failures(course: Course, stage: str) -> dict[str, dict]:
    """``{student: {"reason", "failed_at"}}`` of the submissions whose last grading failed."""
    return _state_part(course, stage, "failed")


def _save_state(course: Course, stage: str, students: dict[str, dict],
                failures: dict[str, dict] | None = None) -> None:
    """Write the grading state; ``failures=None`` keeps the failures already recorded."""
    if failures is None:
        failures = _load_failures(course, stage)
    doc = {"schema_version": STATE_SCHEMA, "stage": stage, "students": students, "failed": failures}
    write_text_atomic(_state_path(course, stage), json.dumps(doc, indent=0, sort_keys=True))


def _refresh_signatures(course: Course, stage: str, resigned: dict[str, tuple[str, str]]) -> None:
    """Store the new files signature of submissions whose content was found unchanged (files
    copied, touched, or signed by an older lablib), so the next re-grade reads no file again.
    Only a cache: skipped while a grading run holds the lock, and merged into the state as it
    is on disk then, so a run that finished meanwhile keeps what it wrote."""
    if not resigned:
        return
    try:
        lock = _hold_run_lock(course, stage)
    except (GradingError, OSError):
        return
    try:
        state = _load_state(course, stage)
        for student, (fp, files) in resigned.items():
            if state.get(student, {}).get("fingerprint") == fp:
                state[student]["files"] = files
        _save_state(course, stage, state)
    except OSError:
        pass
    finally:
        lock.close()


def grading_failures(course: Course | str | os.PathLike,
                     stages: Iterable[str] | None = None) -> dict[tuple[str, str], GradeFailure]:
    """``{(student, stage): GradeFailure}``: every participant whose last grading of a stage
    failed (and has not succeeded since), from the grading state. ``lablib status``, ``export``
    and ``report`` show those stages as failed, without the gradebook's stale scores."""
    course = Course.of(course)
    slugs = [get_stage(s).slug for s in stages] if stages is not None else [s.slug for s in STAGES]
    out: dict[tuple[str, str], GradeFailure] = {}
    for slug in slugs:
        for student, entry in sorted(_load_failures(course, slug).items()):
            out[(student, slug)] = GradeFailure(student, slug, str(entry.get("reason") or ""),
                                                str(entry.get("failed_at") or ""))
    return out


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


# -- logging capture -----------------------------------------------------------------------
class _Capture(logging.Logger):
    """A private logger per submission: records kept in memory, nothing printed."""

    def __init__(self, name: str):
        super().__init__(name, logging.INFO)
        self.records: list[logging.LogRecord] = []
        self.propagate = False

    def handle(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def messages(self, level: int = logging.WARNING) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno >= level]


def _failure_reason(log: _Capture, exc: BaseException | None) -> str:
    errors = log.messages(logging.ERROR)
    for msg in reversed(errors):
        if msg.startswith("Traceback"):
            last = [line for line in msg.strip().splitlines() if line.strip()]
            return last[-1] if last else msg
    for msg in errors:
        if not msg.startswith("There was an error processing") and not msg.startswith("Please see"):
            return msg
    if exc is not None:
        return f"{type(exc).__name__}: {exc}"
    return "nbgrader melaporkan galat (tanpa rincian)"


def _warnings(log: _Capture) -> list[str]:
    out = []
    for msg in log.messages(logging.ERROR):
        if msg.startswith("Timeout waiting for execute reply"):
            out.append(f"satu sel melewati batas waktu dan dihentikan ({msg}); sel itu bernilai 0")
    return out


# -- stopping ------------------------------------------------------------------------------
class _Stopped(Exception):
    """Raised in a grading thread after Ctrl-C, before the next cell: nbgrader then treats the
    submission as failed (an ``Exception``, so its own clean-up runs)."""


class _Stop:
    """What the main thread tells the grading threads after Ctrl-C.

    ``stop``: start no further submission. ``abort``: stop the running ones (no further cell;
    their kernels are killed by ``kill_kernels``, so a long cell ends too).
    """

    def __init__(self):
        self.stop = threading.Event()
        self.abort = threading.Event()
        self._kernels: set = set()
        self._lock = threading.Lock()

    def check(self) -> None:
        if self.abort.is_set():
            raise _Stopped("penilaian dihentikan (Ctrl-C)")

    @contextmanager
    def running(self, km):
        """``km``'s kernel executes this submission's cells meanwhile."""
        with self._lock:
            self._kernels.add(km)
        try:
            yield
        finally:
            with self._lock:
                self._kernels.discard(km)

    def kill_kernels(self) -> None:
        with self._lock:
            kernels, self._kernels = list(self._kernels), set()
        for km in kernels:
            process = getattr(getattr(km, "provisioner", None), "process", None)
            # a kernel that has just ended, or a provisioner without a local process: nothing to kill
            with contextlib.suppress(OSError, AttributeError):
                process.kill()


@contextmanager
def _counting_interrupts():
    """While a batch runs, Ctrl-C (SIGINT) only counts (``counter[0]``) instead of raising
    ``KeyboardInterrupt`` wherever the main thread happens to be (e.g. half-way through recording
    a finished submission); the batch's loop looks at the count. Only in the main thread, and
    only when SIGINT has Python's default handler; otherwise nothing changes."""
    import signal

    counter = [0]
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield counter
        return

    def count(signum, frame) -> None:
        counter[0] += 1

    previous = signal.signal(signal.SIGINT, count)
    try:
        yield counter
    finally:
        signal.signal(signal.SIGINT, previous)


# -- the converter -------------------------------------------------------------------------
def _converter_class(lock: threading.Lock, kernel_manager_class=None,
                     slots: threading.Semaphore | None = None, stop: _Stop | None = None):
    """nbgrader's Autograde, whose Execute step runs without holding ``lock``.

    ``slots`` bounds how many notebooks execute cells at the same time; a kernel is started
    (and waited for) before taking a slot and shut down after giving it back, so kernels start
    ahead of need and their start-up and shutdown waits overlap other notebooks' execution.
    ``stop.abort`` ends a submission before its next cell (``_Stopped``).
    """
    from nbclient.client import NotebookClient
    from nbgrader.converters import Autograde
    from nbgrader.converters.base import BaseConverter
    from nbgrader.preprocessors import Execute

    class ConcurrentExecute(Execute):
        # The subclass reads the same config sections (Execute, ExecutePreprocessor,
        # NotebookClient): timeout, interrupt_on_timeout, allow_errors, ...
        def preprocess(self, nb, resources=None, km=None):
            lock.release()
            try:
                return self._execute(nb, resources, km)
            finally:
                lock.acquire()

        def _execute(self, nb, resources, km):
            # nbconvert's ExecutePreprocessor.preprocess, with the execution slot taken only
            # while cells run.
            NotebookClient.__init__(self, nb, km)
            self.reset_execution_trackers()
            self._check_assign_resources(resources)
            stopping = stop or _Stop()
            with self.setup_kernel():
                assert self.kc
                with slots if slots is not None else contextlib.nullcontext(), stopping.running(self.km):
                    stopping.check()
                    info_msg = self.wait_for_reply(self.kc.kernel_info())
                    assert info_msg
                    self.nb.metadata["language_info"] = info_msg["content"]["language_info"]
                    for index, cell in enumerate(self.nb.cells):
                        stopping.check()
                        self.preprocess_cell(cell, resources, index)
            self.set_widgets_metadata()
            return self.nb, self.resources

    extra = {"kernel_manager_class": kernel_manager_class} if kernel_manager_class else {}

    class ConcurrentAutograde(Autograde):
        def convert_single_notebook(self, notebook_filename: str) -> None:
            # Autograde.convert_single_notebook, minus its ``utils.setenv`` (which deletes
            # NBGRADER_EXECUTION afterwards, even while other kernels start): the variable is
            # set for the whole batch by ``_environment``.
            self.log.info("Sanitizing %s", notebook_filename)
            self._sanitizing = True
            self._init_preprocessors()
            BaseConverter.convert_single_notebook(self, notebook_filename)
            notebook_filename = os.path.join(self.writer.build_directory,
                                             os.path.basename(notebook_filename))
            self.log.info("Autograding %s", notebook_filename)
            self._sanitizing = False
            self._init_preprocessors()
            try:
                BaseConverter.convert_single_notebook(self, notebook_filename)
            finally:
                self._sanitizing = True

        def _init_preprocessors(self) -> None:
            super()._init_preprocessors()
            # Validate the notebook once after the preprocessors rather than after each of
            # them: same validator, same outcome for a valid notebook, a fraction of the cost.
            self.exporter.optimistic_validation = True
            self.exporter._preprocessors = [
                ConcurrentExecute(parent=self.exporter, **extra) if type(pp) is Execute else pp
                for pp in self.exporter._preprocessors]

    return ConcurrentAutograde


class _CachedJsonschema:
    """Stands in for the ``jsonschema`` module inside nbgrader's metadata validator.

    nbgrader calls ``jsonschema.validate(metadata, schema)`` for every cell, twice per
    submission, and that function re-checks the schema itself each time (most of the
    validator's cost). This does what ``jsonschema.validate`` does, checking each schema once.
    """

    def __init__(self):
        import jsonschema

        self._jsonschema = jsonschema
        self._validators: dict[str, object] = {}

    def __getattr__(self, name: str):
        return getattr(self._jsonschema, name)

    def validate(self, instance, schema, cls=None, *args, **kwargs):
        if cls is not None or args or kwargs:
            return self._jsonschema.validate(instance, schema, cls, *args, **kwargs)
        key = json.dumps(schema, sort_keys=True)
        validator = self._validators.get(key)
        if validator is None:
            vcls = self._jsonschema.validators.validator_for(schema)
            vcls.check_schema(schema)
            validator = self._validators[key] = vcls(schema)
        error = self._jsonschema.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error


@contextmanager
def _nbgrader_speedups():
    """Two caches for the batch, without changing what nbgrader computes or stores.

    - one SQLAlchemy engine per database URL instead of one per ``Gradebook(...)`` (nbgrader
      opens a gradebook about ten times per submission; a shared engine keeps its compiled
      statement cache; ``Gradebook.close()`` still disposes its connections);
    - metadata schemas are checked once (see ``_CachedJsonschema``).

    Only the batch's own threads open gradebooks meanwhile, all under the batch lock.
    """
    from nbgrader import api
    from nbgrader.nbgraderformat import common

    engines: dict[tuple, object] = {}
    real_create_engine, real_jsonschema = api.create_engine, common.jsonschema

    def create_engine(url, *args, **kwargs):
        key = (str(url), args, tuple(sorted(kwargs.items())))
        engine = engines.get(key)
        if engine is None:
            engine = engines[key] = real_create_engine(url, *args, **kwargs)
        return engine

    api.create_engine = create_engine
    common.jsonschema = _CachedJsonschema()
    try:
        yield
    finally:
        api.create_engine, common.jsonschema = real_create_engine, real_jsonschema
        for engine in engines.values():
            engine.dispose()


@contextmanager
def _environment(course_dir: Path):
    """For the whole batch: venv tools on PATH, NBGRADER_EXECUTION set, cwd = course root."""
    import sys

    bindir = str(Path(sys.executable).parent)  # nbgrader runs `alembic`, kernels run `python`
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    old_env = os.environ.get("NBGRADER_EXECUTION")
    old_cwd = os.getcwd()
    # nbgrader sets this around each execution and restores it afterwards; with several
    # submissions in flight it must already hold the same value, or one submission's restore
    # would unset it while another kernel starts.
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    os.chdir(course_dir)
    try:
        yield
    finally:
        os.chdir(old_cwd)
        if old_env is None:
            os.environ.pop("NBGRADER_EXECUTION", None)
        else:
            os.environ["NBGRADER_EXECUTION"] = old_env


class _RunLock:
    """Held while a course is graded: an ``flock`` on ``.lablib/grading/grading.lock`` and, on a
    PostgreSQL gradebook, a session advisory lock named after the course (so two copies of a
    course folder, or two machines, never grade one gradebook at once; other courses on the
    same server are not held up). ``close()`` releases both."""

    def __init__(self, fh, connection=None, engine=None):
        self._fh, self._connection, self._engine = fh, connection, engine

    def close(self) -> None:
        try:
            if self._connection is not None:
                with contextlib.suppress(Exception):  # the server went away: the session's lock went with it
                    self._connection.close()
                self._engine.dispose()
        finally:
            self._fh.close()


def _advisory_key(course: Course) -> int:
    """The course's PostgreSQL advisory lock key: 64 bits of a hash of its id."""
    digest = hashlib.sha256(f"lablib-grade:{course.course_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _hold_run_lock(course: Course, stage: str) -> _RunLock:
    """An exclusive lock on the course's grading (``_RunLock``; ``close()`` releases it).

    Two grading runs on one course would be two gradebook writers: the second is refused.
    """
    busy = (f"penilaian lain sedang berjalan di kursus {course.root} ({{where}}); tunggu sampai selesai, lalu "
            f"jalankan 'lablib grade {stage}' lagi.")
    path = course.state_dir("grading", "grading.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+")  # noqa: SIM115 - kept open as the lock
    try:
        import fcntl
    except ImportError:  # pragma: no cover - no flock (Windows): no protection
        fcntl = None
    if fcntl is not None:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise GradingError(busy.format(where=f"kunci {path}")) from None
    if not course.db_url.startswith("postgresql"):
        return _RunLock(fh)
    from sqlalchemy import create_engine, text

    engine = create_engine(course.db_url, future=True, poolclass=_null_pool())
    try:
        connection = engine.connect()
        held = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _advisory_key(course)}).scalar()
        connection.commit()
    except Exception as exc:  # noqa: BLE001 - the server refused: say which and stop before grading
        fh.close()
        engine.dispose()
        raise GradingError(f"gradebook ({_safe_url(course.db_url)}) tidak dapat dihubungi: {_first_line(exc)}; "
                           f"periksa server PostgreSQL, lalu jalankan 'lablib grade {stage}' lagi.") from None
    if not held:
        connection.close()
        engine.dispose()
        fh.close()
        raise GradingError(busy.format(where=f"gradebook {_safe_url(course.db_url)} sedang dinilai dari tempat lain"))
    return _RunLock(fh, connection, engine)


def _null_pool():
    from sqlalchemy.pool import NullPool

    return NullPool


def _existing_submissions(course: Course, stage: str) -> set[str]:
    """Students with a submission of ``stage`` in the gradebook; ``GradingError`` if the stage
    (or the gradebook) is missing. nbgrader's tables ``assignment`` and ``submitted_assignment``."""
    course.require_gradebook()  # a missing SQLite file is refused, never created empty
    url = course.db_url
    hint = f"('lablib release {stage}' atau 'nbgrader generate_assignment {stage}')"
    try:
        found = _query(course, "SELECT id FROM assignment WHERE name = :n", {"n": stage})
        if not found:
            raise GradingError(f"tahap {stage!r} belum ada di gradebook ({_safe_url(url)}): "
                               f"buat dahulu {hint}.")
        rows = _query(course, "SELECT student_id FROM submitted_assignment WHERE assignment_id = :a",
                      {"a": found[0][0]})
        return {r[0] for r in rows}
    except _DatabaseError as exc:
        raise GradingError(f"gradebook ({_safe_url(url)}) tidak dapat dibaca: {exc}. Bila tahap ini belum "
                           f"dibuat, buat dahulu {hint}.") from None


class _DatabaseError(Exception):
    """The gradebook could not be read (the message is the database's first line)."""


def _query(course: Course, sql: str, params: dict) -> list[tuple]:
    """Rows of one read on the gradebook (``lablib.course.direct_rows``: a SQLite gradebook
    through the standard library's ``sqlite3``, since importing SQLAlchemy costs more than a
    whole unchanged re-grade); ``_DatabaseError`` with the database's first line."""
    from lablib.course.direct_rows import open_gradebook

    gradebook = open_gradebook(course.db_url)
    try:
        return gradebook.rows(sql, params)
    except gradebook.errors as exc:
        raise _DatabaseError(_first_line(exc)) from None
    finally:
        gradebook.close()


def _safe_url(url: str) -> str:
    """A database URL without its password."""
    import re

    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def grade(course: Course | str | os.PathLike, stage: str, *, students: Iterable[str] | None = None,
          workers: int | None = None, force: bool = False,
          progress: Callable[[GradeEvent], None] | None = None,
          prewarm: bool = True, kernels: bool = False) -> GradeReport:
    """Grade the collected submissions of ``stage``; see the module docstring.

    ``students`` limits the batch (default: everyone with a folder in ``submitted/``);
    ``force`` re-grades unchanged submissions; ``progress`` is called once per finished
    submission with a ``GradeEvent``. Submissions are graded without kernels
    (``lablib.course.direct``) unless ``kernels`` is true, the course's grading differs from
    what that engine reproduces, or one submission needs a kernel (it says why). In kernels,
    ``workers`` submissions run at once (default: CPU count) and ``prewarm=False`` launches
    every kernel the ordinary way instead of forking it from a process that has already
    imported ipykernel and lablib. Returns a ``GradeReport``; raises ``GradingError`` only when
    the batch cannot start at all, and ``GradingInterrupted`` (with the report of what was
    done) when Ctrl-C stopped it.
    """
    started = time.perf_counter()
    course = Course.of(course)
    try:
        stage = get_stage(stage).slug
    except KeyError:
        raise GradingError(f"tahap {stage!r} tidak dikenal; pilih salah satu: "
                           f"{', '.join(s.slug for s in STAGES)}.") from None
    workers = max(1, int(workers or os.cpu_count() or 1))

    submitted = course.students_in("submitted", stage)
    failed: list[GradeProblem] = []
    if students is None:
        batch = submitted
    else:
        wanted = list(dict.fromkeys(students))
        batch = [s for s in wanted if s in set(submitted)]
        failed += [GradeProblem(s, f"belum mengumpulkan tahap {stage} (folder submitted/{s}/{stage} tidak ada; "
                                   f"jalankan 'lablib collect {stage}' dahulu)")
                   for s in wanted if s not in set(submitted)]

    with _environment(course.root):
        in_gradebook = _existing_submissions(course, stage)
        source = source_version(course, stage)
        state = _load_state(course, stage)
        notebooks = [p.name for p in course.path("release", ".", stage).glob("*.ipynb")] or \
            [p.name for p in course.path("source", ".", stage).glob("*.ipynb")]

        todo: list[tuple[str, str]] = []
        skipped: list[str] = []
        signatures: dict[str, str] = {}
        resigned: dict[str, tuple[str, str]] = {}  # content unchanged, files signature not: for the next run
        for student in batch:
            folder = course.where("submitted", student, stage)
            signatures[student] = files_signature(folder, source)
            known = state.get(student, {})
            if known.get("files") == signatures[student] and "fingerprint" in known:
                fp = known["fingerprint"]
            else:
                fp = submission_fingerprint(folder, source)
                if known.get("fingerprint") == fp:
                    resigned[student] = (fp, signatures[student])
            graded_dir = course.where("autograded", student, stage)
            unchanged = (known.get("fingerprint") == fp and student in in_gradebook
                         and all(os.path.isfile(os.path.join(graded_dir, nb)) for nb in notebooks))
            if unchanged and not force:
                skipped.append(student)
            else:
                todo.append((student, fp))

        total = len(batch) + len(failed)
        done = 0

        def report(event_student: str, status: str, seconds: float, reason: str = "") -> None:
            nonlocal done
            done += 1
            if progress is not None:
                progress(GradeEvent(event_student, status, done, total, seconds, reason))

        for p in failed:
            report(p.student, "failed", 0.0, p.reason)
        for student in skipped:
            report(student, "skipped", 0.0)

        if not todo:  # nothing to grade: nbgrader is not even imported
            _refresh_signatures(course, stage, resigned)
            return GradeReport(stage=stage, graded=(), skipped=tuple(skipped),
                               failed=tuple(sorted(failed, key=lambda p: p.student)),
                               seconds=round(time.perf_counter() - started, 3), workers=workers)

        run_lock = _hold_run_lock(course, stage)
        for student, (_, files) in resigned.items():  # saved with this run's state
            state[student]["files"] = files
        failures = _load_failures(course, stage)
        graded: list[str] = []
        remaining: list[str] = []
        warnings: list[GradeProblem] = []
        fingerprints = dict(todo)
        in_kernels: list[str] = []
        kernel_note = ""

        def settle(student: str, outcome: str, reason: str | None) -> None:
            """What one finished submission leaves in the grading state (saved by the caller)."""
            if outcome == _GRADED:
                state[student] = {"fingerprint": fingerprints[student], "files": signatures[student],
                                  "graded_at": _now()}
                failures.pop(student, None)
            else:  # failed or interrupted: nbgrader removed its autograded notebook; old scores are stale
                state.pop(student, None)
                failures[student] = {"reason": (reason or "")[:4000], "failed_at": _now()}

        def announce(student: str, outcome: str, seconds: float, reason: str | None, notes: list[str]) -> None:
            if outcome == _GRADED:
                graded.append(student)
                warnings.extend(GradeProblem(student, n) for n in notes)
                report(student, "graded", seconds)
            elif outcome == _INTERRUPTED:
                remaining.append(student)
            else:
                failed.append(GradeProblem(student, reason or ""))
                report(student, "failed", seconds, reason or "")

        def record(student: str, outcome: str, seconds: float, reason: str | None, notes: list[str]) -> None:
            """Write what one finished submission left to the grading state at once (so Ctrl-C, or
            a killed process, never loses it), then report it."""
            if outcome == _NOT_STARTED:
                remaining.append(student)
                return
            settle(student, outcome, reason)
            _save_state(course, stage, state, failures)
            announce(student, outcome, seconds, reason, notes)

        caught = 0
        # Ctrl-C only counts from here on (see _counting_interrupts): the loops below stop the
        # batch, and recording, closing the fork server and releasing the lock run to the end
        with _counting_interrupts() as sigint:
            try:
                if kernels:
                    in_kernels = [s for s, _ in todo]
                    kernel_note = "--kernels"
                else:
                    in_kernels, kernel_note, stopped = _grade_without_kernels(
                        course, stage, [s for s, _ in todo], workers, settle, announce,
                        lambda: sigint[0] + caught, state, failures)
                    if stopped:
                        caught += 1
                        remaining.extend(in_kernels)
                        in_kernels = []
                if in_kernels and not (caught + sigint[0]):
                    caught += _grade_in_kernels(course, stage, in_kernels, workers, prewarm, record, sigint)
            finally:
                try:
                    _save_state(course, stage, state, failures)
                finally:
                    run_lock.close()  # releases the lock
            interrupts = caught + sigint[0]
            if interrupts:  # what was never started is left for the next run
                settled = set(graded) | {p.student for p in failed} | set(remaining)
                remaining.extend(s for s, _ in todo if s not in settled)

    result = GradeReport(stage=stage, graded=tuple(sorted(graded)), skipped=tuple(skipped),
                         failed=tuple(sorted(failed, key=lambda p: p.student)),
                         seconds=round(time.perf_counter() - started, 3), workers=workers,
                         warnings=tuple(warnings), interrupted=bool(interrupts),
                         remaining=tuple(sorted(remaining)),
                         in_kernels=tuple(sorted(s for s in in_kernels if s in set(graded) | {
                             p.student for p in failed})),
                         kernel_note=kernel_note if in_kernels else "")
    if result.interrupted:
        raise GradingInterrupted(result)
    return result


FIRST_CHUNK, MAX_CHUNK = 1, 256  # kernel-free: submissions per gradebook transaction (doubling)


def _chunks(students: list[str]) -> list[list[str]]:
    """``students`` in chunks of 1, 2, 4, ... up to ``MAX_CHUNK``."""
    out, size, at = [], FIRST_CHUNK, 0
    while at < len(students):
        out.append(students[at:at + size])
        at += size
        size = min(MAX_CHUNK, size * 2)
    return out


def _grade_without_kernels(course: Course, stage: str, todo: list[str], workers: int, settle, announce,
                           interrupts: Callable[[], int], state: dict, failures: dict) -> tuple[list[str], str, bool]:
    """Grade ``todo`` without kernels (``lablib.course.direct``; on ``workers`` cores for a large
    batch, ``lablib.course.direct_workers``), one gradebook transaction and one save of the
    grading state per chunk (the first chunks are small, so the first results show at once and
    Ctrl-C stops after the chunks in hand). Returns the students that need a kernel (with why:
    for the whole stage, or each one's reason), and whether Ctrl-C stopped the batch."""
    from lablib.course import direct, direct_rows
    from lablib.course.direct_workers import DELEGATE, FAILED, prepared_chunks

    gradebook = direct_rows.open_gradebook(course.db_url)
    try:
        try:
            plan = direct.stage_plan(course, stage, gradebook)
        # a release notebook or gradebook the engine cannot read: nbgrader's own path says what is wrong
        except Exception as exc:  # noqa: BLE001
            plan = f"tahap tidak dapat disiapkan tanpa kernel ({type(exc).__name__}: {_first_line(exc)})"
        if isinstance(plan, str):
            return list(todo), plan, False
        delegated: list[str] = []
        reasons: list[str] = []
        seen: set[str] = set()
        stop = [False]  # set by the progress callback's KeyboardInterrupt; read by the preparer
        for chunk in prepared_chunks(course, plan, _chunks(list(todo)), workers,
                                     lambda: stop[0] or bool(interrupts())):
            prepared = [(p, seconds) for _, kind, p, seconds in chunk if kind not in (DELEGATE, FAILED)]
            failed_now = [(s, seconds, reason) for s, kind, reason, seconds in chunk if kind == FAILED]
            for student, kind, why, _ in chunk:
                seen.add(student)
                if kind == DELEGATE:
                    delegated.append(student)
                    reasons.append(f"{student}: {why}")
            t0 = time.perf_counter()
            try:
                direct_rows.write_chunk(gradebook, plan, [p for p, _ in prepared])
                written = True
            except Exception as exc:  # noqa: BLE001 - the database refused: the chunk failed, nothing half-written
                written = False
                why_db = f"gradebook tidak dapat ditulis: {_first_line(exc)}"
                for p, seconds in prepared:
                    direct._rmtree(course.path("autograded", p.student, stage))
                    failed_now.append((p.student, seconds, why_db))
            share = (time.perf_counter() - t0) / max(1, len(prepared))
            outcomes = [(p.student, _GRADED, seconds + share, None) for p, seconds in prepared] if written else []
            outcomes += [(s, _FAILED, seconds, reason) for s, seconds, reason in failed_now]
            for student, outcome, _, reason in outcomes:
                settle(student, outcome, reason)
            _save_state(course, stage, state, failures)
            for student, outcome, seconds, reason in outcomes:
                try:
                    announce(student, outcome, seconds, reason, [])
                except KeyboardInterrupt:  # raised by the progress callback: stop after the chunks in hand
                    stop[0] = True
        stopped = stop[0] or bool(interrupts())
        left = [s for s in todo if s not in seen]
        if stopped:
            return delegated + left, "", True
        if delegated:
            logging.getLogger(__name__).info("dinilai dengan kernel: %s", "; ".join(reasons))
        return delegated, "; ".join(reasons), False
    finally:
        gradebook.close()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]


def _grade_in_kernels(course: Course, stage: str, todo: list[str], workers: int, prewarm: bool,
                      record, sigint: list[int]) -> int:
    """Grade ``todo`` through nbgrader's converter and real kernels (the reference path);
    return how many Ctrl-C were caught from the progress callback."""
    config = course.config
    lock = threading.Lock()
    stop = _Stop()
    # the fork server starts importing in its own process while this one imports nbgrader
    server = start_fork_server(course.state_dir("grading", "kernels.log")) if prewarm else None
    try:
        from nbgrader.coursedir import CourseDirectory

        slots = threading.Semaphore(workers)
        converter = _converter_class(lock, fork_kernel_manager_class(server) if server else None,
                                     slots, stop)
    except BaseException:
        if server is not None:
            server.close()
        raise

    def grade_one(student: str) -> tuple[str, float, str, str | None, list[str]]:
        t0 = time.perf_counter()
        retried: list[str] = []
        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            outcome, reason, notes = attempt_one(student)
            if outcome != _FAILED or not kernel_did_not_start(reason or "") or stop.stop.is_set():
                break
            if attempt < KERNEL_START_ATTEMPTS:
                retried.append(f"kernel gagal dijalankan (percobaan {attempt}); dinilai ulang")
        return student, time.perf_counter() - t0, outcome, reason, retried + notes

    def attempt_one(student: str) -> tuple[str, str | None, list[str]]:
        log = _Capture(f"lablib.course.grading.{student}")
        exc: BaseException | None = None
        with lock:
            if stop.stop.is_set():  # Ctrl-C came while this one waited: nothing of it was touched
                return _NOT_STARTED, None, []
            try:
                coursedir = CourseDirectory(config=config, log=log)
                coursedir.assignment_id = stage
                coursedir.student_id = student
                app = converter(coursedir=coursedir, config=config, log=log)
                app.force = True  # we decided it needs grading: replace any old result
                app.start()
            # one submission's failure, whatever nbgrader, nbclient or the kernel raised, is
            # that submission's: reported with its type and traceback in GradeReport.failed
            # (the run exits non-zero), the others are graded; exits propagate
            except BaseException as e:
                exc = e
                if not isinstance(e, Exception):
                    raise
        if exc is None:
            return _GRADED, None, _warnings(log)
        if stop.abort.is_set():  # stopped before its next cell, or its kernel killed
            return _INTERRUPTED, f"penilaian dihentikan (Ctrl-C) sebelum selesai; jalankan lagi " \
                                f"'lablib grade {stage}'", []
        reason = f"tidak dapat dinilai: {_failure_reason(log, exc)}"
        if not log.messages(logging.ERROR):
            reason += "\n" + "".join(traceback.format_exception(exc)).strip()
        return _FAILED, reason, _warnings(log)

    caught = 0
    try:
        # twice as many submissions in flight as execution slots: the extra ones prepare
        # their grading copy and start their kernel while the others execute
        with _nbgrader_speedups(), ThreadPoolExecutor(max_workers=PREFETCH * workers,
                                                      thread_name_prefix="lablib-grade") as pool:
            student_of: dict[Future, str] = {pool.submit(grade_one, s): s for s in todo}
            pending = set(student_of)
            deadline = 0.0
            try:
                while pending:
                    try:
                        finished, _ = wait(pending, timeout=POLL, return_when=FIRST_COMPLETED)
                        for fut in finished:
                            pending.discard(fut)
                            if fut.cancelled():
                                record(student_of[fut], _NOT_STARTED, 0.0, None, [])
                            else:
                                student, seconds, outcome, reason, notes = fut.result()
                                record(student, outcome, seconds, reason, notes)
                    except KeyboardInterrupt:  # raised by the progress callback, or SIGINT not counted
                        caught += 1
                    interrupts = caught + sigint[0]
                    if interrupts and not stop.stop.is_set():
                        stop.stop.set()  # start nothing new: queued submissions are cancelled
                        deadline = time.monotonic() + STOP_GRACE
                        for fut in pending:
                            fut.cancel()
                    if stop.stop.is_set() and (interrupts > 1 or time.monotonic() > deadline):
                        stop.abort.set()  # the running ones stop before their next cell
                    if stop.abort.is_set():
                        stop.kill_kernels()  # and a cell running now ends with its kernel
            except BaseException:  # a bug, or an exit: stop everything before leaving the pool
                stop.stop.set()
                stop.abort.set()
                for fut in pending:
                    fut.cancel()
                stop.kill_kernels()
                raise
    finally:
        if server is not None:
            server.close()
    return caught


def late_students(course: Course | str | os.PathLike, stage: str) -> tuple[str, ...]:
    """Participants whose submission of ``stage`` came after its due date (with their extension),
    as nbgrader's ``total_seconds_late`` counts. Read without nbgrader (and, for SQLite, without
    SQLAlchemy), so a grading command does not pay for importing them."""
    course = Course.of(course)
    try:
        rows = _query(course, "SELECT sa.student_id, sa.timestamp, sa.extension, a.duedate FROM submitted_assignment sa "
                              "JOIN assignment a ON a.id = sa.assignment_id WHERE a.name = :n", {"n": stage})
    except _DatabaseError:
        return ()
    late = []
    for student, stamp, extension, due in rows:
        stamp, due = _as_datetime(stamp), _as_datetime(due)
        if stamp is None or due is None:
            continue
        if extension is not None:
            # SQLAlchemy stores an Interval in SQLite as a moment after the epoch
            due = due + (extension if not isinstance(extension, (str, _dt.datetime))
                         else _as_datetime(extension) - _dt.datetime(1970, 1, 1))
        if stamp > due:
            late.append(student)
    return tuple(sorted(late))


def _as_datetime(value) -> _dt.datetime | None:
    if value is None or isinstance(value, _dt.datetime):
        return value
    return _dt.datetime.fromisoformat(str(value))


def gradebook_rows(course: Course | str | os.PathLike, stage: str) -> dict[str, dict]:
    """Everything autograde writes for ``stage``, per student, for comparisons and reports.

    ``{student: {"timestamp", "late_penalty": {notebook: penalty}, "grades": {grade_id: (auto, manual, extra,
    needs_manual)}, "comments": {grade_id: (auto, manual)}}}``.
    """
    course = Course.of(course)
    out: dict[str, dict] = {}
    with course.gradebook() as gb:
        for sub in gb.find_assignment(stage).submissions:
            row = out.setdefault(sub.student.id, {
                "timestamp": sub.timestamp.isoformat() if sub.timestamp else None,
                "late_penalty": {}, "grades": {}, "comments": {}})
            for nb in sub.notebooks:
                row["late_penalty"][nb.name] = nb.late_submission_penalty
                for g in nb.grades:
                    row["grades"][f"{nb.name}/{g.name}"] = (g.auto_score, g.manual_score,
                                                            g.extra_credit, g.needs_manual_grade)
                for c in nb.comments:
                    row["comments"][f"{nb.name}/{c.name}"] = (c.auto_comment, c.manual_comment)
    return out
