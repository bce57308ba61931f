"""The answers store: one JSON file per participant per stage, in the assignment folder.

Why a side file: nbgrader re-executes notebooks in a fresh kernel, so widget state is lost;
a file in the assignment folder travels through submit → collect → autograde untouched
(the course config lists it in ``Autograde.exclude_overwriting`` and ``source/`` never ships
one). Saves are atomic (write a temporary file, fsync, rename). Earlier versions are kept in
``riwayat-jawaban/`` so a participant can go back, thinned by age (``retained``: the newest
``HISTORY_KEEP``, then one an hour, one a day, one a week), never by count alone; a version
pinned before a carry-over, a restore or a submission (``PINS``) is never removed. A corrupt
or too-new file is moved aside, never overwritten, and the newest good version is restored.

Two kernels may save one stage at once: every save (and a session's read-merge-write around
it, ``AnswerStore.locked``) holds an advisory ``flock`` on a hidden lock file beside the answers
file (``.jawaban-<stage>.json.lock``; the course's nbgrader ``ignore`` list skips it). A save
returns only once its file and the rename are on disk.
"""

from __future__ import annotations

import datetime as _dt
import errno
import json
import logging
import os
import re
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from lablib.core.fields import MAX_FILE_BYTES, MAX_NESTING_DEPTH, brief
from lablib.core.files import NotRegularFileError, read_regular_bytes, write_bytes_atomic
from lablib.core.i18n import T, Text
from lablib.core.stages import get_stage

if TYPE_CHECKING:
    from lablib.core.exercises import Exercise

SCHEMA_VERSION = 1
HISTORY_DIR = "riwayat-jawaban"
HISTORY_KEEP = 20  # the newest versions are all kept, however close together
# Beyond those, the newest version of each hour is kept for HISTORY_HOURLY, of each day for
# HISTORY_DAILY, and of each ISO week after that: twenty presses of "Periksa" in a minute no
# longer push out yesterday's work, and a five-week course keeps about 20 + 72 + 32 + 1
# versions at most, plus its pins.
HISTORY_HOURLY = _dt.timedelta(days=3)
HISTORY_DAILY = _dt.timedelta(days=35)
# Why a version was pinned (never removed), for its file name and for the participant. A pin
# is taken where lablib sees the event: ``carry.import_previous`` pins the answers as they were
# before it changes them ("salin"), ``AnswerStore.restore`` pins the answers it replaces
# ("pulihkan"), and whatever submits a stage through lablib calls ``AnswerStore.pin("kumpul")``
# first (nbgrader's own Submit button runs outside lablib and pins nothing).
PINS = {
    "salin": T("sebelum jawaban tahap sebelumnya disalin", "before answers of earlier stages were copied in"),
    "pulihkan": T("sebelum versi lama dipulihkan", "before an earlier version was restored"),
    "kumpul": T("sebelum dikumpulkan", "before submission"),
}
ANSWERS_MODE = 0o600  # the participant's own answers, and every earlier version of them
HISTORY_DIR_MODE = 0o700  # the history folder: as private as the answers file
HISTORY_EVERY_SECONDS = 60  # autosaves within a minute share one history version
LOCK_TIMEOUT_SECONDS = 10.0  # a save waits this long for another kernel's save, then fails

try:
    import fcntl
except ImportError:  # not POSIX: saves stay atomic, but two kernels' merges are not serialised
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)


class AnswersFileError(ValueError):
    """An answers file cannot be used; ``message`` says what happened and what to do."""

    def __init__(self, path: Path, message: Text):
        super().__init__(f"{path}: {message.get('en')}")
        self.path, self.message = path, message


@dataclass(frozen=True)
class Version:
    """One file in the history: when it was kept (local time) and why it is pinned, if it is."""

    path: Path
    saved_at: str  # "YYYY-MM-DD HH:MM:SS", as the form's history list shows it
    at: _dt.datetime  # local time, to the microsecond: orders versions and buckets them
    pin: str = ""  # a key of PINS: this version is never removed

    @property
    def label(self) -> str:
        """What the participant's history list can show: the time, and why it is pinned."""
        reason = PINS.get(self.pin)
        return f"{self.saved_at} ({reason.get('id')})" if reason else self.saved_at


def _bucket(at: _dt.datetime, now: _dt.datetime, hourly: _dt.timedelta, daily: _dt.timedelta) -> tuple:
    age = now - at  # negative for a clock set back: such a version is treated as recent
    if age < hourly:
        return ("jam", at.replace(minute=0, second=0, microsecond=0))
    if age < daily:
        return ("hari", at.date())
    return ("minggu", *at.isocalendar()[:2])


def retained(versions: Iterable[Version], now: _dt.datetime, *, newest: int = HISTORY_KEEP,
             hourly: _dt.timedelta = HISTORY_HOURLY, daily: _dt.timedelta = HISTORY_DAILY) -> list[Version]:
    """The versions to keep, newest first: a pure function of the versions and ``now``.

    Kept: every pinned version, the ``newest`` newest, and the newest version of each hour
    (younger than ``hourly``), each day (younger than ``daily``) and each ISO week (older).
    Everything else may be removed. Applying it to what it kept keeps everything again.

    >>> now = _dt.datetime(2026, 11, 30, 12, 0)
    >>> def v(minutes_ago, pin=""):
    ...     at = now - _dt.timedelta(minutes=minutes_ago)
    ...     return Version(Path(f"{at:%H%M}.json"), f"{at:%Y-%m-%d %H:%M:%S}", at, pin)
    >>> saves = [v(m) for m in range(0, 180, 10)]  # a save every ten minutes for three hours
    >>> [x.path.stem for x in retained(saves, now, newest=3)]
    ['1200', '1150', '1140', '1050', '0950']
    >>> [x.path.stem for x in retained(saves + [v(175, "salin")], now, newest=3)]
    ['1200', '1150', '1140', '1050', '0950', '0905']
    """
    ordered = sorted(versions, key=lambda x: (x.at, x.path.name), reverse=True)
    kept, seen = [], set()
    for n, version in enumerate(ordered):
        bucket = _bucket(version.at, now, hourly, daily)
        if n < newest or version.pin or bucket not in seen:
            kept.append(version)
        seen.add(bucket)  # newest first: the first version met in a bucket is its newest
    return kept


@dataclass(frozen=True)
class Loaded:
    """Answers read from disk, plus notices for the participant (e.g. a file was recovered)."""

    answers: dict[str, Any]
    saved_at: str | None
    notices: tuple[Text, ...] = ()


def _local(moment: _dt.datetime) -> _dt.datetime:
    """A clock's reading as naive local time, as history file names hold it."""
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment


def _now(clock: Callable[[], _dt.datetime] = _dt.datetime.now) -> str:
    return clock().astimezone().isoformat(timespec="milliseconds")


def _stamp(clock: Callable[[], _dt.datetime] = _dt.datetime.now) -> str:
    return _local(clock()).strftime("%Y%m%d-%H%M%S-%f")


class AnswersBusy(OSError):
    """Another kernel held the answers file's lock for longer than ``LOCK_TIMEOUT_SECONDS``."""


class _FileLock:
    """An exclusive advisory lock on one lock file: ``flock`` against other processes, and a
    re-entrant thread lock inside this one (a session's merge holds it around ``save``).

    Where the lock file cannot be created (a read-only folder, or the folder does not exist
    yet) nobody can save there either, so reading goes on without it.
    """

    def __init__(self, path: Path):
        self.path = path
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._thread_lock:
            if self._depth == 0:
                self._fd = self._acquire()
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._fd is not None:
                    fd, self._fd = self._fd, None
                    os.close(fd)  # releases the flock

    def _acquire(self) -> int | None:
        if fcntl is None:
            return None
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), ANSWERS_MODE)
        except OSError as exc:
            log.debug("no lock file %s (%s); going on without it", self.path, exc)
            return None
        deadline, pause = time.monotonic() + LOCK_TIMEOUT_SECONDS, 0.0005
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return fd
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise AnswersBusy(errno.EWOULDBLOCK, "the answers file is busy", str(self.path)) from None
                    time.sleep(pause)
                    pause = min(pause * 2, 0.01)
                except OSError as exc:  # a file system without flock: as if there were no lock file
                    if exc.errno not in (errno.ENOLCK, errno.EINVAL, errno.EOPNOTSUPP):
                        raise
                    log.debug("cannot lock %s (%s); going on without it", self.path, exc)
                    os.close(fd)
                    return None
        except BaseException:
            os.close(fd)
            raise


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where directories can be opened and synced)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:  # some file systems cannot sync a directory; the file itself is synced
        if exc.errno not in (errno.EINVAL, errno.EBADF, errno.EACCES, errno.EPERM):
            raise
    finally:
        os.close(fd)


def _holds(path: Path, data: bytes) -> bool:
    """Whether the file at ``path`` holds exactly ``data`` (an unreadable one does not)."""
    try:
        return read_regular_bytes(path) == data
    except OSError:
        return False


def parse_answers_file(path: Path, stage: str) -> dict:
    """Read and validate an answers file; raise ``AnswersFileError`` naming the problem."""
    try:
        # a path is read only if it is a regular file with one name (never through a link, never
        # a FIFO or device); an object that already holds the bytes (lablib.course.live) is asked
        data = read_regular_bytes(path) if isinstance(path, (str, PurePath)) else path.read_bytes()
    except NotRegularFileError as exc:
        raise AnswersFileError(path, T("File jawaban bukan file biasa ({k}), jadi tidak dibaca.",
                                       "The answers file is not a regular file ({k_en}), so it was not read.")
                               .format(k=exc.describe("id"), k_en=exc.describe("en"))) from None
    except OSError as exc:
        raise AnswersFileError(path, T("File jawaban tidak dapat dibaca ({e}).", "Cannot read the answers file ({e}).")
                               .format(e=exc.strerror or exc)) from None
    return _parse_answers_bytes(path, data, stage)


def _parse_answers_bytes(path: Path, data: bytes, stage: str) -> dict:
    """The checks on an answers file's bytes: size, JSON, nesting, sections, version, stage.

    Anything a participant can leave in the file ends here as an ``AnswersFileError``, never
    another exception: a file over ``MAX_FILE_BYTES``, JSON nested deeper than
    ``MAX_NESTING_DEPTH`` (Python's json would raise RecursionError), a UTF-8 byte-order mark
    (Windows Notepad writes one; it is accepted). An int too long for Python to read (over 4,300
    digits) is kept as the text of its digits, so the field shows it and refuses it.
    """
    if len(data) > MAX_FILE_BYTES:
        raise AnswersFileError(path, T(
            "File jawaban terlalu besar ({n} bait; paling banyak {m}). Mungkin ada teks yang tertempel berkali-kali. "
            "Tunjukkan file ini kepada fasilitator.",
            "The answers file is too large ({n} bytes; at most {m}). Some text may have been pasted many times. "
            "Show this file to your facilitator.").format(n=len(data), m=MAX_FILE_BYTES))
    if not data.strip():
        raise AnswersFileError(path, T("File jawaban kosong.", "The answers file is empty."))
    try:
        doc = _loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AnswersFileError(path, T("File jawaban rusak (bukan JSON yang sah: {e}).",
                                       "The answers file is corrupt (not valid JSON: {e}).").format(e=exc)) from None
    except RecursionError:
        doc = None
    if doc is None or _nested_deeper(doc, MAX_NESTING_DEPTH):
        raise AnswersFileError(path, T(
            "File jawaban rusak (isinya bersarang lebih dari {m} tingkat; jawaban biasa paling banyak 6).",
            "The answers file is corrupt (nested more than {m} levels deep; answers nest at most 6).").format(
            m=MAX_NESTING_DEPTH))
    if not isinstance(doc, dict) or not isinstance(doc.get("answers"), dict):
        raise AnswersFileError(path, T("File jawaban rusak (bagian 'answers' tidak ditemukan).",
                                       "The answers file is corrupt (no 'answers' section)."))
    version = doc.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise AnswersFileError(path, T("File jawaban rusak (schema_version tidak sah: {v}).",
                                       "The answers file is corrupt (invalid schema_version {v}).").format(
            v=brief(version)))
    if version > SCHEMA_VERSION:
        raise AnswersFileError(path, T(
            "File jawaban dibuat oleh lablib yang lebih baru (versi skema {v}; versi ini membaca sampai {m}). "
            "Minta fasilitator memperbarui lablib.",
            "The answers file was written by a newer lablib (schema {v}; this one reads up to {m}). "
            "Ask your facilitator to update lablib.").format(v=brief(version), m=SCHEMA_VERSION))
    if doc.get("stage") not in (None, stage):
        raise AnswersFileError(path, T("File jawaban ini milik tahap {s}, bukan '{t}'.",
                                       "This answers file belongs to stage {s}, not '{t}'.").format(
            s=brief(doc.get("stage")), t=stage))
    return doc


_INT_TEXT_DIGITS = 4300  # Python refuses to read an int written with more digits (int_max_str_digits)


def _read_int(text: str) -> int | str:
    """An int of the file; one too long for Python stays the text of its digits."""
    return int(text) if len(text.lstrip("-")) <= _INT_TEXT_DIGITS else text


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except ValueError:  # "Exceeds the limit (4300 digits) for integer string conversion"
        return json.loads(text, parse_int=_read_int)  # slower: only for such a file


def _nested_deeper(doc: Any, limit: int) -> bool:
    """Whether lists and objects in ``doc`` nest more than ``limit`` deep (level by level, no
    recursion: ~30 ms for a 2 MB file)."""
    level, depth = [doc], 0
    while level:
        depth += 1
        if depth > limit:
            return True
        level = [c for v in level if type(v) in (dict, list)
                 for c in (v.values() if type(v) is dict else v) if type(c) in (dict, list)]
    return False


class AnswerStore:
    """Reads and writes one stage's answers file in ``folder``."""

    def __init__(self, folder: str | os.PathLike, stage: str, *,
                 clock: Callable[[], _dt.datetime] = _dt.datetime.now):
        self.folder = Path(folder)
        self.clock = clock  # what "now" is for saves and history (tests pass a simulated one)
        self.stage = get_stage(stage).slug
        self.path = self.folder / get_stage(stage).answers_filename
        self.history = self.folder / HISTORY_DIR
        self.lock_path = self.folder / f".{self.path.name}.lock"
        self._lock = _FileLock(self.lock_path)
        self._swept = False
        self._bad_in_place = False  # load() found a bad file it could not move aside

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the stage's lock: no other kernel saves this stage meanwhile (re-entrant)."""
        with self._lock.held():
            yield

    # -- reading ---------------------------------------------------------------------------
    def load(self) -> Loaded:
        """Load the answers; a bad file is moved aside and the newest good version restored."""
        if not os.path.lexists(self.path):  # a dangling link is a bad file too, moved aside below
            return Loaded({}, None)
        try:
            doc = parse_answers_file(self.path, self.stage)
            return Loaded(doc["answers"], doc.get("saved_at"))
        except AnswersFileError as exc:
            return self._recover(exc)

    def _recover(self, exc: AnswersFileError) -> Loaded:
        aside = self.path.with_name(f"{self.path.stem}.rusak-{_stamp(self.clock)}.json")
        try:
            os.replace(self.path, aside)  # renames the entry itself: a link is moved aside, never followed
        except OSError:  # a read-only folder or disk: the bad file stays where it is, untouched
            log.debug("cannot move %s aside", self.path, exc_info=True)
            aside, self._bad_in_place = self.path, True
            kept = T("File itu tidak dapat dipindahkan karena folder ini tidak dapat ditulisi; file itu "
                     "dibiarkan di tempatnya dan tidak diubah.",
                     "That file cannot be moved because this folder cannot be written to; it was left "
                     "where it is, unchanged.")
        else:
            kept = T("File itu disimpan sebagai '{n}' dan tidak dihapus.",
                     "That file was kept as '{n}' and not deleted.").format(n=aside.name)
        notices = [exc.message, kept]
        for version in self.versions():
            try:
                doc = parse_answers_file(version.path, self.stage)
            except AnswersFileError:
                continue
            notices.append(T("Jawaban dipulihkan dari versi tersimpan {t}. Periksa kembali isian terakhir Anda.",
                             "Answers were restored from the version saved at {t}. Check your latest entries.")
                           .format(t=version.saved_at))
            return Loaded(doc["answers"], doc.get("saved_at"), tuple(notices))
        notices.append(T("Tidak ada versi lama untuk dipulihkan; formulir dimulai kosong. "
                         "Bila perlu, tunjukkan file '{n}' kepada fasilitator.",
                         "No earlier version to restore; the form starts empty. If needed, show the "
                         "file '{n}' to your facilitator.").format(n=aside.name))
        return Loaded({}, None, tuple(notices))

    def versions(self) -> list[Version]:
        """Earlier saved versions, newest first.

        A version is ``<stem>-<local time>.json``, or ``<stem>-<local time>.tetap-<pin>.json``
        when pinned (an older lablib does not list a pinned file, so it never removes one).
        """
        if not self.history.is_dir():
            return []
        name = re.compile(re.escape(self.path.stem) + r"-(\d{8}-\d{6}-\d{6})(?:\.tetap-([a-z]+))?\.json")
        found = []
        for p in self.history.glob(f"{self.path.stem}-*.json"):
            m = name.fullmatch(p.name)
            if m:
                at = _dt.datetime.strptime(m.group(1), "%Y%m%d-%H%M%S-%f")
                found.append(Version(p, at.strftime("%Y-%m-%d %H:%M:%S"), at, m.group(2) or ""))
        return sorted(found, key=lambda v: (v.at, v.path.name), reverse=True)

    def restore(self, version: Version) -> dict:
        """Make an earlier version current and return it; the answers it replaces are pinned."""
        doc = parse_answers_file(version.path, self.stage)
        self.save(doc["answers"], pin="pulihkan")
        return doc["answers"]

    def pin(self, reason: str) -> Version | None:
        """Keep the current file as a version that is never removed (``reason``: a key of
        ``PINS``); None when there is no good file to keep or it cannot be written."""
        if reason not in PINS:
            raise ValueError(f"unknown pin {reason!r}; one of {sorted(PINS)}")
        with self.locked():
            if not self.path.exists():
                return None
            return self._keep_history(force=True, pin=reason)

    # -- writing ---------------------------------------------------------------------------
    def save(self, answers: Mapping[str, Any], *, snapshot: bool = False, pin: str = "") -> str:
        """Write atomically; returns the ``saved_at`` stamp. ``snapshot`` forces a history version
        of the file being replaced; ``pin`` (a key of ``PINS``) forces one that is never removed.

        Returns only when the new file and its rename are on disk; raises ``OSError`` (disk
        full, read-only folder, ``AnswersBusy``) or ``TypeError`` (a value JSON cannot hold),
        and then the file is as it was and its history has lost nothing (a history copy that
        does not fit is skipped, never left half written).
        """
        if pin and pin not in PINS:
            raise ValueError(f"unknown pin {pin!r}; one of {sorted(PINS)}")
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.locked():
            saved_at = _now(self.clock)
            doc = {"schema_version": SCHEMA_VERSION, "stage": self.stage, "saved_at": saved_at,
                   "answers": dict(answers)}
            payload = answers_bytes(doc, self.path)
            if not self._swept:
                self._sweep_temporaries()
            if self._bad_in_place and self.path.exists():  # never overwrite it: move it aside first
                try:
                    parse_answers_file(self.path, self.stage)
                except AnswersFileError:
                    os.replace(self.path, self.path.with_name(f"{self.path.stem}.rusak-{_stamp(self.clock)}.json"))
            self._bad_in_place = False
            if self.path.exists():
                self._keep_history(force=snapshot or bool(pin), pin=pin)
            write_bytes_atomic(self.path, payload, mode=ANSWERS_MODE, durable=True)
            _fsync_dir(self.folder)
        return saved_at

    def _keep_history(self, force: bool, pin: str = "") -> Version | None:
        """Copy the current file into the history (pinned when ``pin``), or skip it: a version is
        whole or absent. Then remove what ``retained`` does not keep. Returns the version that
        holds the current file, or None when none does (called with the lock held)."""
        versions = self.versions()
        now = _local(self.clock())
        if versions and not force and (now - versions[0].at).total_seconds() < HISTORY_EVERY_SECONDS:
            return None
        try:
            parse_answers_file(self.path, self.stage)
        except AnswersFileError:
            return None  # never copy a bad file over good history; load() moves it aside
        try:
            data = read_regular_bytes(self.path)
            if not data.strip():
                return None
            if versions and _holds(versions[0].path, data):  # that copy is this very save
                return self._pinned(versions[0], pin) if pin and not versions[0].pin else versions[0]
            self.history.mkdir(mode=HISTORY_DIR_MODE, exist_ok=True)
            if stat.S_IMODE(self.history.stat().st_mode) != HISTORY_DIR_MODE:  # made by an older lablib
                self.history.chmod(HISTORY_DIR_MODE)
            stamp = _stamp(self.clock)
            target = self.history / f"{self.path.stem}-{stamp}{f'.tetap-{pin}' if pin else ''}.json"
            write_bytes_atomic(target, data, mode=ANSWERS_MODE, durable=True)
            at = _dt.datetime.strptime(stamp, "%Y%m%d-%H%M%S-%f")
            kept = Version(target, at.strftime("%Y-%m-%d %H:%M:%S"), at, pin)
            everything = self.versions()
            keep = {v.path for v in retained(everything, now)} | {target}
            for old in everything:
                if old.path not in keep:
                    old.path.unlink(missing_ok=True)
            return kept
        except OSError as exc:  # disk full, read-only: the save itself says so if it fails too
            log.debug("no history version of %s kept: %s", self.path, exc)
            return None

    def _pinned(self, version: Version, pin: str) -> Version:
        """Pin an existing version by renaming it (one rename: it is pinned or as it was)."""
        target = version.path.with_name(f"{version.path.stem}.tetap-{pin}.json")
        os.replace(version.path, target)
        _fsync_dir(self.history)
        return Version(target, version.saved_at, version.at, pin)

    def _sweep_temporaries(self, older_than: float = 60.0) -> None:
        """Remove temporary files a killed save left behind (called with the lock held)."""
        self._swept = True
        cutoff = time.time() - older_than
        for folder, pattern in ((self.folder, f".{self.path.name}.*.tmp"),
                                (self.history, f".{self.path.stem}-*.json.*.tmp")):
            try:
                for tmp in folder.glob(pattern):
                    if tmp.lstat().st_mtime < cutoff:
                        tmp.unlink(missing_ok=True)
            except OSError:
                log.debug("could not sweep %s", folder, exc_info=True)


def answers_bytes(doc: Mapping[str, Any], path: Path | None = None) -> bytes:
    """An answers document as the file's bytes: UTF-8 JSON, one item a line; never a file that
    ``parse_answers_file`` would refuse.

    A text holding a lone UTF-16 surrogate (a hand-edited ``"\\ud800"``, a broken paste) has
    no UTF-8; then the whole file is written with ASCII escapes, which ``parse_answers_file``
    reads back as the very same text. When one item a line would pass ``MAX_FILE_BYTES`` (a
    table of thousands of rows read from a hand-made file), the JSON is written compact; when
    even that is too large, ``AnswersFileError`` says so (the answers stay in the form).
    Raises ``TypeError`` for a value JSON cannot hold.
    """
    payload = _dump(doc, indent=1)
    if len(payload) > MAX_FILE_BYTES:
        payload = _dump(doc, separators=(",", ":"))
    if len(payload) > MAX_FILE_BYTES:
        raise AnswersFileError(path or Path("jawaban.json"), T(
            "Jawaban terlalu besar untuk disimpan ({n} bait; paling banyak {m}). Hapus teks yang tertempel "
            "berkali-kali atau baris tabel yang tidak perlu, lalu simpan lagi.",
            "The answers are too large to save ({n} bytes; at most {m}). Remove text pasted many times or "
            "table rows you do not need, then save again.").format(n=len(payload), m=MAX_FILE_BYTES))
    return payload


def _dump(doc: Mapping[str, Any], **layout: Any) -> bytes:
    text = json.dumps(doc, ensure_ascii=False, default=_json_default, **layout)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: escape everything (reads back the same)
        return json.dumps(doc, ensure_ascii=True, default=_json_default, **layout).encode("ascii")


def _json_default(value: Any) -> Any:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} value {value!r} in an answers file")


def load_answers(folder: str | os.PathLike, stage: str) -> dict[str, Any]:
    """The answers saved in ``folder`` for ``stage`` (``{}`` when there are none)."""
    return AnswerStore(folder, stage).load().answers


def save_answers(folder: str | os.PathLike, stage: str, answers: Mapping[str, Any]) -> Path:
    """Save a stage's answers (``{exercise_id: {field_id: value}}``) atomically; returns the file."""
    store = AnswerStore(folder, stage)
    store.save(answers, snapshot=True)
    return store.path


def strip_unknown_answers(doc: dict, exercises: Iterable[Exercise]) -> list[str]:
    """Remove keys no exercise definition knows from an answers document, in place.

    Returns the removed keys (as paths like ``answers.diagnose.dg1.skor``).
    """
    from lablib.core.fields import Table

    removed = [k for k in doc if k not in ("schema_version", "stage", "saved_at", "answers")]
    for key in removed:
        del doc[key]
    answers = doc.get("answers")
    if not isinstance(answers, dict):
        return removed
    exercises = {ex.id: ex for ex in exercises}
    for ex_id in list(answers):
        ex = exercises.get(ex_id)
        if ex is None:
            removed.append(f"answers.{ex_id}")
            del answers[ex_id]
            continue
        values = answers[ex_id]
        if not isinstance(values, dict):
            continue
        fields = {f.id: f for f in ex.fields}
        for field_id in list(values):
            f = fields.get(field_id)
            if f is None:
                removed.append(f"answers.{ex_id}.{field_id}")
                del values[field_id]
            elif isinstance(f, Table) and isinstance(values[field_id], list):
                columns = {c.id for c in f.columns}
                for n, row in enumerate(values[field_id]):
                    if isinstance(row, dict):
                        for col in [c for c in row if c not in columns]:
                            removed.append(f"answers.{ex_id}.{field_id}[{n}].{col}")
                            del row[col]
    return removed
