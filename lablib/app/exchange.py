"""The participant's side of nbgrader's exchange: list, fetch, submit and fetch feedback.

Beranda does what nbgrader's English *Assignments* panel does, through the same exchange
classes (``ExchangeFactory``, so a configured plugin exchange works too) and the same
configuration: the ``nbgrader_config.py`` files on the Jupyter config path (the hub puts the
course id and the exchange root there) and then the one in the participant's folder, exactly
the order nbgrader's own apps load them. The trainer's side (release, collect, feedback)
stays nbgrader's and lablib's course commands.

Every failure becomes an :class:`ExchangeProblem` whose message, in Bahasa Indonesia, says
what is wrong and what to do next; nbgrader's English message and traceback go to the log only.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from lablib.core.calendar import read_calendar
from lablib.core.errors import LablibError
from lablib.core.stages import STAGES, Stage, get_stage
from lablib.core.timestamps import parse_utc

__all__ = ["STATE_LABELS", "ExchangeProblem", "Participant", "StageState", "fetch", "fetch_feedback",
           "stage_states", "submit"]

log = logging.getLogger("lablib.app")
# Without a handler, Python prints warnings to stderr, which a notebook shows under Beranda: the
# details are for whoever configures logging (the server's log), never for the participant.
log.addHandler(logging.NullHandler())

UNRELEASED, RELEASED, FETCHED, SUBMITTED, GRADED = "unreleased", "released", "fetched", "submitted", "graded"
STATE_LABELS = {
    UNRELEASED: "belum tersedia",
    RELEASED: "belum dibuka",
    FETCHED: "sedang dikerjakan",
    SUBMITTED: "dikumpulkan",
    GRADED: "dinilai",
}

_ASK = "Hubungi fasilitator bimtek dan sebutkan pesan ini."


class ExchangeProblem(LablibError, RuntimeError):
    """The exchange cannot be used; ``message`` (Indonesian) says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class StageState:
    """Where one stage stands for this participant."""

    stage: Stage
    state: str  # a key of STATE_LABELS
    due: _dt.date | None = None  # the stage's due date from the released calendar file
    path: str = ""  # the fetched notebook, relative to the participant's folder ('' before fetch)
    feedback_path: str = ""  # the newest fetched feedback page, relative to the folder
    feedback_waiting: bool = False  # the trainer released feedback that is not fetched yet
    submitted_at: _dt.datetime | None = None  # the newest submission (local time)

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def slug(self) -> str:
        return self.stage.slug


@dataclass(frozen=True)
class Participant:
    """The participant's folder (the Jupyter root) and nbgrader's configuration for it."""

    folder: Path
    config: object  # traitlets Config

    @property
    def course_id(self) -> str:
        return str(self.config.CourseDirectory.get("course_id", "") or "")

    def stage_folder(self, slug: str) -> Path:
        exchange = self.config.Exchange
        assignment_dir = Path(str(exchange.get("assignment_dir", ".") or "."))
        base = assignment_dir if assignment_dir.is_absolute() else self.folder / assignment_dir
        if exchange.get("path_includes_course", False):
            base = base / self.course_id
        return base / slug


def participant(folder: str | os.PathLike | None = None) -> Participant:
    """Load nbgrader's configuration as ``nbgrader fetch_assignment`` run in ``folder`` would."""
    from nbgrader.apps.baseapp import NbGrader
    from traitlets.config.application import Application

    root = Path(folder or os.getcwd()).resolve()
    app = NbGrader(log=_quiet_log())
    app.load_cwd_config = False  # the folder's own file is loaded below, without a chdir
    app.raise_config_file_errors = True  # a broken file is a message, not a silently empty config
    try:
        app.load_config_file()
        Application.load_config_file(app, "nbgrader_config", path=str(root))
    except Exception as exc:  # noqa: BLE001 (a broken config file: any error its code raises)
        log.warning("nbgrader config of %s: %s", root, exc, exc_info=True)
        raise ExchangeProblem("Pengaturan nbgrader untuk akun Anda tidak dapat dibaca (file "
                              f"nbgrader_config.py rusak). {_ASK}") from None
    config = app.config
    if not (config.CourseDirectory.get("course_id") or ""):
        raise ExchangeProblem("Kursus bimtek belum diatur untuk akun Anda (course_id nbgrader kosong), "
                              f"jadi daftar tahap tidak dapat ditampilkan. {_ASK}")
    assignment_dir = Path(str(config.Exchange.get("assignment_dir", ".") or "."))
    config.Exchange.assignment_dir = str(assignment_dir if assignment_dir.is_absolute() else root / assignment_dir)
    return Participant(root, config)


def _quiet_log() -> logging.Logger:
    quiet = logging.getLogger("lablib.app.nbgrader")
    quiet.setLevel(logging.ERROR)  # nbgrader logs every listed submission and every copied file
    return quiet


def _explain(exc: BaseException, action: str) -> ExchangeProblem:
    """One Indonesian message for a failure of nbgrader's exchange during ``action``."""
    log.warning("exchange %s failed: %s", action, exc, exc_info=True)
    text = str(exc)
    if isinstance(exc, PermissionError) or "permission" in text.lower():
        return ExchangeProblem(f"{action.capitalize()} gagal: akun Anda tidak punya izin membuka folder "
                               f"pertukaran tugas (exchange) kursus. {_ASK}")
    if "Unwritable directory" in text or isinstance(exc, FileNotFoundError) and "exchange" in text:
        return ExchangeProblem(f"{action.capitalize()} gagal: folder pertukaran tugas (exchange) kursus tidak "
                               f"ditemukan atau tidak dapat ditulisi. {_ASK}")
    if "Assignment not found" in text:
        return ExchangeProblem(f"{action.capitalize()} gagal: tahap ini belum dibuka oleh fasilitator. "
                               "Tekan Segarkan; bila tetap begini, tanyakan kepada fasilitator.")
    if "already have a copy" in text:
        return ExchangeProblem(f"{action.capitalize()} tidak perlu: tahap ini sudah ada di folder Anda. "
                               "Tekan Buka.")
    if "Directory size is too big" in text or "too big" in text:
        return ExchangeProblem(f"{action.capitalize()} gagal: folder tahap ini terlalu besar (ada file besar "
                               "yang ikut). Hapus file besar yang bukan jawaban, lalu coba lagi.")
    return ExchangeProblem(f"{action.capitalize()} gagal karena kesalahan pada pertukaran tugas (exchange). {_ASK}")


def _run(who: Participant, kind: str, slug: str = "", **options: object) -> object:
    """Run one of nbgrader's participant-side exchange actions, as its app would."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeFactory

    quiet = _quiet_log()
    config = who.config.copy()
    factory = ExchangeFactory(config=config, log=quiet)
    coursedir = CourseDirectory(config=config, log=quiet)
    coursedir.assignment_id = slug
    cls = {"list": factory.List, "fetch": factory.FetchAssignment, "submit": factory.Submit,
           "feedback": factory.FetchFeedback}[kind]
    action = cls(coursedir=coursedir, authenticator=Authenticator(config=config, log=quiet), config=config,
                 log=quiet)
    for name, value in options.items():
        setattr(action, name, value)
    return action.start()


_ACTIONS = {"list": "membaca daftar tahap", "fetch": "mengambil tahap", "submit": "mengumpulkan",
            "feedback": "mengambil umpan balik"}


def _guarded(who: Participant, kind: str, slug: str = "", **options: object) -> object:
    try:
        return _run(who, kind, slug, **options)
    except Exception as exc:  # noqa: BLE001 (nbgrader raises ExchangeError, OSError, RuntimeError, ...)
        raise _explain(exc, _ACTIONS[kind]) from None


def _due(slug: str, *folders: str | os.PathLike) -> _dt.date | None:
    """The stage's due date from the first readable calendar file among ``folders``."""
    for folder in folders:
        calendar = read_calendar(folder) if folder else None
        if calendar is not None:
            return calendar.due.get(slug)
    return None


def _moment(stamp: str) -> _dt.datetime | None:
    """nbgrader's submission timestamp (``2026-08-14 02:30:00.123456 UTC``) in local time, read
    as nbgrader reads it (``parse_utc``)."""
    try:
        moment = parse_utc(stamp)
    except (ValueError, OverflowError, TypeError):
        return None
    return moment.replace(tzinfo=_dt.timezone.utc).astimezone().replace(tzinfo=None)


def _relative(path: str | os.PathLike, folder: Path) -> str:
    try:
        return Path(path).resolve().relative_to(folder).as_posix()
    except ValueError:
        return ""


def stage_states(folder: str | os.PathLike | None = None, *, who: Participant | None = None) -> tuple[StageState, ...]:
    """The five stages in 5D order with this participant's state of each."""
    who = who or participant(folder)
    released = {a["assignment_id"]: a for a in _guarded(who, "list") or []
                if a.get("course_id") == who.course_id}
    submitted = {a["assignment_id"]: a for a in _guarded(who, "list", cached=True) or []
                 if a.get("course_id") == who.course_id}
    states = []
    for stage in STAGES:
        slug = stage.slug
        local = who.stage_folder(slug)
        notebook = local / stage.notebook_name
        info = released.get(slug)
        state = UNRELEASED
        if info is not None:
            state = RELEASED
        if notebook.is_file():
            state = FETCHED
        feedback_path, waiting, submitted_at = "", False, None
        subs = sorted((submitted.get(slug) or {}).get("submissions", []), key=lambda s: s.get("timestamp", ""))
        if subs:
            state = SUBMITTED
            submitted_at = _moment(subs[-1].get("timestamp", ""))
            for sub in reversed(subs):  # the newest submission with feedback
                if sub.get("has_local_feedback") and sub.get("local_feedback_path"):
                    page = Path(sub["local_feedback_path"]) / f"{slug}.html"
                    if page.is_file():
                        feedback_path = _relative(page, who.folder)
                        waiting = bool(sub.get("feedback_updated"))
                        break
                if sub.get("has_exchange_feedback"):
                    waiting = True
                    break
            if feedback_path or waiting:
                state = GRADED
        outbound = (info or {}).get("path", "") if (info or {}).get("status") == "released" else ""
        states.append(StageState(stage, state, _due(slug, local, outbound),
                                 _relative(notebook, who.folder) if notebook.is_file() else "",
                                 feedback_path, waiting, submitted_at))
    return tuple(states)


def fetch(slug: str, folder: str | os.PathLike | None = None) -> StageState:
    """Take a released stage into the participant's folder (``nbgrader fetch_assignment``)."""
    who = participant(folder)
    _guarded(who, "fetch", get_stage(slug).slug)
    return _state_of(slug, who)


def submit(slug: str, folder: str | os.PathLike | None = None) -> StageState:
    """Submit the stage's folder (``nbgrader submit``), after pinning the answers as submitted."""
    from lablib.core.answers import AnswerStore

    who = participant(folder)
    local = who.stage_folder(get_stage(slug).slug)
    if not (local / get_stage(slug).notebook_name).is_file():
        raise ExchangeProblem("Tahap ini belum diambil, jadi belum ada yang dapat dikumpulkan. Tekan Ambil dulu.")
    try:
        AnswerStore(local, slug).pin("kumpul")  # the version handed in is kept for good
    except OSError as exc:
        raise _explain(exc, "mengumpulkan") from None
    _guarded(who, "submit", slug)
    return _state_of(slug, who)


def fetch_feedback(slug: str, folder: str | os.PathLike | None = None) -> StageState:
    """Fetch the feedback the trainer released for this stage (``nbgrader fetch_feedback``)."""
    who = participant(folder)
    _guarded(who, "feedback", get_stage(slug).slug)
    return _state_of(slug, who)


def _state_of(slug: str, who: Participant) -> StageState:
    return next(s for s in stage_states(who=who) if s.slug == slug)
