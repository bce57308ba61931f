"""The course's side of nbgrader's exchange: what is released, what waits in it, and collecting.

Everything goes through nbgrader's exchange classes, as the course configures them
(``ExchangeFactory``: ``c.ExchangeFactory.collect = ...`` in ``nbgrader_config.py``), so an
exchange other than nbgrader's filesystem one (ngshare, nbexchange on Kubernetes hubs) works
for ``release``, ``collect`` and ``status``. lablib goes to exchange paths itself only on
nbgrader's filesystem exchange, for what its classes do not do: the owners and kinds of
inbound entries (below) and the sticky bits (``set_exchange_modes``).

Collecting from the filesystem exchange adds what nbgrader only warns about (its issue #1097:
``nbgrader submit --student=OTHER`` is collected as OTHER's). Each inbound entry is judged
before nbgrader picks a participant's newest submission:

* an entry that is a symbolic link, or not a folder, is refused (a link planted in the
  inbound folder would give the collector, as the trainer, another participant's files);
* an entry whose owner (the inbound folder's uid → login name) is neither the participant it
  names nor the user collecting (the trainer's own trial submissions, a single-user course)
  is refused, with a note naming both; that participant's own newest submission is taken
  instead, so an entry planted in someone's name can neither replace nor lower their grade;
* inside an accepted entry, files that are not regular files (links, FIFOs, devices, hard
  links) or that belong to another user are left out of ``submitted/`` and named in a note;
* listing (``waiting``, for ``status``) skips entries nbgrader's lister would read through a
  link or hang on (a FIFO as a notebook or submission secret).

Another exchange (a plugin) keeps no owners lablib could read: collecting from it says so, and
the exchange itself must make sure participants submit only as themselves.
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from lablib.core.errors import LablibError

__all__ = ["CollectOutcome", "ExchangeAccessError", "Refusal", "collect", "describe", "is_filesystem",
           "owner_name", "released", "set_exchange_modes", "waiting"]

REFUSED = "\0lablib-refused\0"  # a record's user name for a refused entry: it never joins a participant's group


class ExchangeAccessError(LablibError, RuntimeError):
    """The course's exchange cannot be read; the message says which and why."""


@dataclass(frozen=True)
class Refusal:
    """An inbound entry collect did not take."""

    student: str  # the participant the entry names
    entry: str  # its name in the inbound folder
    reason: str  # one line, in Indonesian


@dataclass(frozen=True)
class CollectOutcome:
    """What ``collect`` did beyond nbgrader's own result."""

    result: dict  # nbgrader's API result (success, log, error)
    refused: tuple[Refusal, ...] = ()
    left_out: dict = field(default_factory=dict)  # participant -> {relative path: kind} not copied
    owners_checked: bool = True  # False: the exchange is not the filesystem one


def _quiet_log() -> logging.Logger:
    log = logging.getLogger("lablib.exchange")
    log.setLevel(logging.ERROR)  # nbgrader's lister warns about every submission without notebooks
    return log


def _parts(course, stage: str = ""):
    """nbgrader's exchange factory, course directory and authenticator for ``course``."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeFactory

    log = _quiet_log()
    coursedir = CourseDirectory(config=course.config, log=log)
    coursedir.assignment_id = stage
    return ExchangeFactory(config=course.config, log=log), coursedir, Authenticator(config=course.config, log=log)


def is_filesystem(course) -> bool:
    """Whether the course's collect is nbgrader's filesystem exchange (or a subclass of it)."""
    from nbgrader.exchange.default.collect import ExchangeCollect

    factory, _, _ = _parts(course)
    return issubclass(factory.collect, ExchangeCollect)


def describe(course) -> str:
    """Where the exchange is, for the trainer: its root folder, or the plugin's class name."""
    factory, _, _ = _parts(course)
    if is_filesystem(course):
        return str(course.exchange)
    return f"exchange {factory.collect.__module__}.{factory.collect.__name__}"


def _safe_to_list(path: str) -> bool:
    """Whether nbgrader's lister may look into the inbound entry ``path``: a real folder whose
    notebooks and submission secret are regular files. Its lister reads them (to find feedback),
    as the trainer: through a link it would read another's files, and a FIFO would hang it."""
    try:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            return False
        return all(stat.S_ISREG(os.lstat(os.path.join(path, name)).st_mode) for name in os.listdir(path)
                   if name.endswith(".ipynb") or name == "submission_secret.txt")
    except OSError:
        return False


def _guarded_list(base: type) -> type:
    class GuardedList(base):  # type: ignore[misc, valid-type]
        def init_dest(self):
            super().init_dest()
            if self.inbound:
                self.assignments = [p for p in self.assignments if _safe_to_list(p)]

    return GuardedList


def _list(course, stage: str, *, inbound: bool) -> list[dict]:
    from nbgrader.exchange import ExchangeError
    from nbgrader.exchange.default.list import ExchangeList

    factory, coursedir, auth = _parts(course, stage)
    if issubclass(factory.list, ExchangeList):
        factory.list = _guarded_list(factory.list)
    lister = factory.List(coursedir=coursedir, authenticator=auth, log=_quiet_log())
    lister.inbound = inbound
    try:
        return list(lister.start() or [])
    except ExchangeError as exc:
        raise ExchangeAccessError(f"exchange kursus ({describe(course)}) tidak dapat dibaca: {exc}. Periksa "
                                  f"Exchange.root di nbgrader_config.py kursus.") from None


def released(course, stage: str) -> bool:
    """Whether ``stage`` is released in the course's exchange (nbgrader's ``list``)."""
    return any(a.get("assignment_id") == stage and a.get("course_id") == course.course_id
               for a in _list(course, stage, inbound=False))


def waiting(course, stage: str = "", *, honest_only: bool = False) -> dict[str, dict[str, str]]:
    """``{stage: {participant: newest submission timestamp}}`` in the exchange (nbgrader's
    ``list --inbound``); ``stage`` empty: every stage. ``honest_only``: on the filesystem
    exchange, without the entries ``collect`` would refuse (a participant is not "submitted"
    because someone else submitted in their name)."""
    check = honest_only and is_filesystem(course)
    collector = os.geteuid() if hasattr(os, "geteuid") else -1
    found: dict[str, dict[str, str]] = {}
    for item in _list(course, stage, inbound=True):
        if item.get("course_id") != course.course_id:
            continue
        submissions = [s for s in item.get("submissions", [])
                       if not (check and _entry_problem(str(s.get("path", "")), item["student_id"], collector))]
        if not submissions and item.get("submissions"):
            continue
        stamps = [str(s.get("timestamp", "")) for s in submissions] or [""]
        per_stage = found.setdefault(item["assignment_id"], {})
        per_stage[item["student_id"]] = max(per_stage.get(item["student_id"], ""), max(stamps))
    return found


def owner_name(uid: int) -> str:
    """The login name of ``uid`` (``uid 1234`` when it has none)."""
    try:
        import pwd
    except ImportError:  # Windows: nbgrader's filesystem exchange does not run there either
        return f"uid {uid}"
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def _entry_problem(path: str, student: str, collector: int) -> str:
    """Why the inbound entry ``path`` (named for ``student``) must not be collected, or ``""``."""
    try:
        st = os.lstat(path)
    except OSError as exc:
        return f"tidak dapat diperiksa ({exc.strerror or type(exc).__name__})"
    if stat.S_ISLNK(st.st_mode):
        return f"adalah tautan simbolik ke {os.readlink(path)}, bukan folder pengumpulan"
    if not stat.S_ISDIR(st.st_mode):
        return "adalah berkas, bukan folder pengumpulan"
    owner = owner_name(st.st_uid)
    if owner != student and st.st_uid != collector:
        return f"dibuat oleh pengguna {owner}, bukan oleh {student}"
    return ""


def _foreign_files(src: str) -> dict[str, str]:
    """``{relative path: "foreign"}`` of entries under ``src`` owned by another user than ``src``
    (someone wrote into a submission folder nbgrader leaves writable); links are not followed."""
    top = os.lstat(src).st_uid
    found = {}
    for directory, dirs, files in os.walk(src):
        for name in dirs + files:
            path = os.path.join(directory, name)
            if os.lstat(path).st_uid != top:
                found[os.path.relpath(path, src).replace(os.sep, "/")] = "foreign"
    return found


def _guarded(base: type, refused: list[Refusal], left_out: dict[str, dict[str, str]]) -> type:
    """``base`` (nbgrader's filesystem collect) that refuses entries and leaves files out."""
    from lablib.core.files import irregular_entries

    collector = os.geteuid() if hasattr(os, "geteuid") else -1

    class GuardedCollect(base):  # type: ignore[misc, valid-type]
        _lablib_guarded = True

        def _path_to_record(self, path):
            record = super()._path_to_record(path)
            problem = _entry_problem(path, record["username"], collector)
            if problem:
                refused.append(Refusal(record["username"], record["filename"], problem))
                # a user name no participant has: nbgrader's choice of each participant's newest
                # submission then never sees this entry
                record["username"] = REFUSED + record["filename"]
            return record

        def init_src(self):
            super().init_src()
            self.src_records = [r for r in self.src_records if not r["username"].startswith(REFUSED)]

        def do_copy(self, src, dest, log=None):
            import shutil
            import tempfile

            found = {**_foreign_files(src), **irregular_entries(src)}
            if not found:
                return super().do_copy(src, dest, log)
            student = os.path.basename(os.path.normpath(src)).rsplit("+", 3)[0]
            left_out[student] = found
            if "." in found:  # the submission itself is a link (refused above; never followed)
                return None
            staging = Path(self.coursedir.root) / ".lablib" / "collect"
            staging.mkdir(parents=True, exist_ok=True, mode=0o700)
            with tempfile.TemporaryDirectory(prefix=f".{student}-", dir=staging) as tmp:
                clean = os.path.join(tmp, os.path.basename(os.path.normpath(src)))

                def skip(directory, names):
                    return [n for n in names if Path(directory, n).relative_to(src).as_posix() in found]

                shutil.copytree(src, clean, symlinks=True, ignore=skip)
                return super().do_copy(clean, dest, log)

    return GuardedCollect


def collect(course, stage: str, *, update: bool = True) -> CollectOutcome:
    """nbgrader's collect of ``stage`` through the course's API, guarded as the module says."""
    from nbgrader.exchange.default.collect import ExchangeCollect

    api = course.api
    base = api.exchange.collect
    refused: list[Refusal] = []
    left_out: dict[str, dict[str, str]] = {}
    filesystem = isinstance(base, type) and issubclass(base, ExchangeCollect)
    if filesystem:
        original = base
        while getattr(original, "_lablib_guarded", False):  # an API collected with before
            original = original.__mro__[1]
        api.exchange.collect = _guarded(original, refused, left_out)
    try:
        result = api.collect(stage, update=update)
    finally:
        if filesystem:
            api.exchange.collect = original
    return CollectOutcome(result, tuple(refused), left_out, owners_checked=filesystem)


def set_exchange_modes(course) -> list[str]:
    """Sticky bits on the filesystem exchange: the root at 1777 (nobody renames another's folder,
    e.g. the course's) and the course's inbound folder +t (nobody renames or deletes another's
    submission). Returns what changed; one that cannot be changed (not ours) is said, not raised."""
    if not is_filesystem(course):
        return []
    changes = []
    for path, want in ((course.exchange, 0o1777), (course.exchange / course.course_id / "inbound", None)):
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            continue
        target = want if want is not None else mode | stat.S_ISVTX
        if mode != target:
            try:
                os.chmod(path, target)
                changes.append(f"{path}: {mode:o} → {target:o}")
            except PermissionError:
                changes.append(f"{path}: mode {mode:o} tidak dapat diubah ke {target:o} (bukan milik pengguna "
                               f"ini); minta admin server menjalankan 'chmod {target:o} {path}'.")
    return changes
