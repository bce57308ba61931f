"""Live scores: every participant's current answers, scored in-process, without kernels.

During a workshop the trainer wants to see where everyone stands now, not after a grading
run. ``live_scores(course)`` finds each participant's answers file for each stage — the
collected submission (``submitted/<id>/<stage>/``) and, when the course record names
participant home folders (``lablib-course.json``: ``"homes": "/home/{id}"``), the working
copy there (``<home>/<course_id>/<stage>/`` or ``<home>/<stage>/``) — and scores the newest
one with the same checks the autograder runs.

The automatic score equals what ``lablib grade`` / ``nbgrader autograde`` would give that
file: the course's own calendar is used (autograde copies it over the participant's), keys no
exercise knows are dropped first (the course's grading protection does the same), and a file
that cannot be read scores as empty answers (as ``lablib.grade_check`` does).

What the trainer cannot read (a participant's home at 0700 or 0750, an answers file at 0600
on a real server) is never scored as empty answers: the collected copy is scored instead,
when there is a readable one, and the score says so (``note``); otherwise the score is marked
``unreadable`` with the reason, and ``lablib status --live`` shows *tidak terbaca*.

Scoring is cached per file (path, size, modification time, calendar, lablib code), in the
process and in ``<course>/.lablib/live-cache.json``, so refreshing the view re-scores only what
changed; a cold run over many files is spread over worker processes.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, replace

from lablib.core.files import (
    NotRegularFileError,
    read_regular_bytes,
    stat_problem,
    write_text_atomic,
)
from lablib.core.stages import STAGES, get_stage
from lablib.course.course import Course

__all__ = ["LiveScore", "live_frame", "live_scores", "score_answers_file"]

PARALLEL_FROM = 2000  # files; below this a single process is faster than starting workers


@dataclass(frozen=True)
class LiveScore:
    """One participant's automatic score for one stage, from their current answers file."""

    student: str
    stage: str
    earned: float
    available: float
    source: str  # "submitted" (collected) or "working" (the participant's own folder)
    path: str
    saved_at: str | None = None
    checks: tuple[tuple[str, str, float], ...] = ()  # (exercise_id, check_id, earned)
    problem: str = ""  # why the file scored as empty, if it could not be used
    unreadable: bool = False  # the trainer may not read the file (nor a collected copy): not a score
    note: str = ""  # e.g. the working copy could not be read, so the collected copy was scored

    def by_check(self) -> dict[tuple[str, str], float]:
        return {(ex, check): earned for ex, check, earned in self.checks}

    def by_grade_id(self) -> dict[str, float]:
        """Scores keyed like the gradebook's autograder cells (``auto-dg1-usg``)."""
        from lablib.curriculum import get_exercise
        from lablib.curriculum.grade_ids import auto_grade_id

        return {auto_grade_id(get_exercise(ex), check): earned for ex, check, earned in self.checks}


class _Bytes:
    """What ``parse_answers_file`` needs of a path, for a document already in memory."""

    def __init__(self, path: str, data: bytes):
        self._path, self._data = path, data

    def read_bytes(self) -> bytes:
        return self._data

    def __str__(self) -> str:
        return self._path

    __fspath__ = __str__


def _answers_from_bytes(path: str, data: bytes, stage: str) -> tuple[dict, str, str | None]:
    """``(answers, problem, saved_at)``: what the autograder's kernel would see in these bytes.

    Autograde first drops keys no exercise knows (the course's grading protection), then the
    kernel validates the file. Dropping keys never touches what validation looks at
    (``schema_version``, ``stage``, the ``answers`` mapping itself), so validating first and
    dropping afterwards gives the same answers with one JSON parse instead of two.
    """
    from lablib.core.answers import AnswersFileError, parse_answers_file, strip_unknown_answers
    from lablib.course.gradebook import ANSWER_ERRORS
    from lablib.curriculum import all_exercises

    try:
        doc = parse_answers_file(_Bytes(path, data), stage)  # type: ignore[arg-type]
        strip_unknown_answers(doc, all_exercises())
    except AnswersFileError as exc:
        return {}, str(exc.message.get("en")), None
    except ANSWER_ERRORS as exc:  # what json or a walk raises on a hostile file: scores as empty answers
        return {}, f"the answers file cannot be read ({type(exc).__name__})", None
    saved_at = doc.get("saved_at")
    return doc["answers"], "", saved_at if isinstance(saved_at, str) else None


def score_answers_file(path: str | os.PathLike | None, stage: str, calendar=None):
    """``(StageScore, saved_at, problem)`` for an answers file as the autograder would score it.

    ``path`` may be missing (``None`` or absent): that scores as empty answers.
    """
    from lablib.curriculum.scoring import score_answers

    stage = get_stage(stage).slug
    if path is None or not os.path.lexists(path):
        return score_answers(stage, {}, calendar), None, "no answers file"
    try:
        data = read_regular_bytes(path)
    except NotRegularFileError as exc:
        return score_answers(stage, {}, calendar), None, _not_regular(exc)
    answers, problem, saved_at = _answers_from_bytes(str(path), data, stage)
    return score_answers(stage, answers, calendar), saved_at, problem


def _not_regular(exc: NotRegularFileError) -> str:
    return f"the answers file is not a regular file ({exc.describe('en')}); scored as empty answers"


# -- finding answers files -----------------------------------------------------------------
BLOCKED = -2  # an _Item's size when the trainer may not look at the file (permission denied)


@dataclass(frozen=True)
class _Item:
    student: str
    stage: str
    path: str
    source: str
    mtime_ns: int
    size: int
    fallback: _Item | None = None  # the collected copy, scored when this one cannot be read


def _course_calendars(course: Course, stages: list[str]) -> dict:
    """The calendar autograde copies beside every notebook: the course's source (or release) one."""
    from lablib.core.calendar import CALENDAR_FILENAME, load_calendar

    out = {}
    for stage in stages:
        folder = None
        for step in ("source", "release"):
            if (course.path(step, ".", stage) / CALENDAR_FILENAME).is_file():
                folder = course.path(step, ".", stage)
                break
        out[stage] = load_calendar(folder)
    return out


def _stat_item(student: str, stage: str, path: str, source: str) -> _Item | None:
    """The answers file at ``path`` as found (``lstat``: a link is never followed); ``None`` if
    there is none. A link, FIFO, device or hard-linked file is an item of size -1: a collected
    one scores as empty answers, with the reason (as grading does); a working one is ignored."""
    try:
        st = os.lstat(path)
    except PermissionError:  # a folder on the way is closed to the trainer (a home at 0700)
        return _Item(student, stage, path, source, 0, BLOCKED)
    except OSError:
        return None
    if stat.S_ISDIR(st.st_mode):
        return None
    size = st.st_size if stat_problem(st) is None else -1
    return _Item(student, stage, path, source, st.st_mtime_ns, size)


def _linked_below(home: str, folder: str) -> bool:
    """Whether a folder between ``home`` (not included) and ``folder`` is a symbolic link."""
    rel = os.path.relpath(folder, home)
    path = home
    for part in rel.split(os.sep):
        path = os.path.join(path, part)
        if os.path.islink(path):
            return True
    return False


def _find_items(course: Course, stages: list[str], students: set[str] | None,
                include_working: bool) -> list[_Item]:
    found: dict[tuple[str, str], list[_Item]] = {}
    known: set[str] = set()
    names = {stage: get_stage(stage).answers_filename for stage in stages}
    try:
        # {submitted}/{id}/{stage}, nbgrader's layout, scanned directly: thousands of folders
        people = os.scandir(course.step_dir("submitted"))
    except OSError:
        people = None
    if people is not None:
        with people:
            for person in people:
                if not person.is_dir(follow_symlinks=False) or (students is not None
                                                                and person.name not in students):
                    continue
                known.add(person.name)
                try:
                    with os.scandir(person.path) as it:
                        folders = [e for e in it if e.name in names and e.is_dir(follow_symlinks=False)]
                except OSError:
                    continue
                for folder in folders:
                    path = os.path.join(folder.path, names[folder.name])
                    item = _stat_item(person.name, folder.name, path, "submitted")
                    if item is None:  # submitted without answers: autograde scores it as empty
                        item = _Item(person.name, folder.name, path, "submitted",
                                     folder.stat().st_mtime_ns, -1)
                    found.setdefault((person.name, folder.name), []).append(item)
    if include_working:
        ids = set(course.ids()) | known
        for student in sorted(ids):
            if students is not None and student not in students:
                continue
            try:
                home = str(course.home(student))
            except (KeyError, ValueError, IndexError):
                continue
            try:  # one look at the home first: most ids have none here (ten lookups saved per id)
                os.stat(home)
            except FileNotFoundError:
                continue
            except OSError:
                pass  # closed or odd: the lookups below say what they can (closed: unreadable)
            for stage in stages:
                blocked = None
                for folder in (os.path.join(home, course.course_id, stage), os.path.join(home, stage)):
                    item = _stat_item(student, stage, os.path.join(folder, names[stage]), "working")
                    if item is not None and item.size == BLOCKED:
                        blocked = blocked or item
                        continue
                    # a link, FIFO or hard link there is not their working copy, nor a file reached
                    # through a linked folder (checked only for a file found: thousands of homes)
                    if item and item.size >= 0 and not _linked_below(home, folder):
                        found.setdefault((student, stage), []).append(item)
                        blocked = None
                        break
                if blocked is not None:
                    found.setdefault((student, stage), []).append(blocked)
    order = {s.slug: n for n, s in enumerate(STAGES)}
    items = [_current(c) for c in found.values()]
    return sorted(items, key=lambda i: (i.student, order[i.stage]))


def _current(candidates: list[_Item]) -> _Item:
    """The participant's current answers among the copies found: the newest one (collect keeps
    modification times), with the collected copy as its fallback should it not be readable. A
    working copy the trainer cannot even look at gives way to the collected one at once."""
    blocked = [i for i in candidates if i.size == BLOCKED]
    seen = [i for i in candidates if i.size != BLOCKED]
    if not seen:
        return blocked[0]
    chosen = max(seen, key=lambda i: (i.mtime_ns, i.source == "working"))
    collected = next((i for i in seen if i.source == "submitted"), None)
    if blocked and chosen.source == "submitted":
        return replace(chosen, fallback=blocked[0])  # marks the working copy as not readable
    if chosen.source == "working" and collected is not None:
        return replace(chosen, fallback=collected)
    return chosen


# -- scoring -------------------------------------------------------------------------------
_CACHE: dict[tuple, LiveScore] = {}
_CACHE_MAX = 200_000


def _score_item(item: _Item, calendar) -> LiveScore:
    from lablib.course.gradebook import ANSWER_ERRORS
    from lablib.curriculum.scoring import score_answers

    saved_at, unreadable, note = None, False, ""
    fallback = item.fallback
    if item.size == BLOCKED:
        answers, problem, unreadable = {}, "the answers file cannot be reached: permission denied", True
    else:
        try:
            data = read_regular_bytes(item.path)
        except FileNotFoundError:
            answers, problem = {}, "no answers file"
        except NotRegularFileError as exc:
            answers, problem = {}, _not_regular(exc)
        except PermissionError as exc:
            answers, problem, unreadable = {}, f"cannot read the answers file ({exc.strerror or exc})", True
        except OSError as exc:
            answers, problem = {}, f"cannot read the answers file ({exc.strerror or exc})"
        else:
            answers, problem, saved_at = _answers_from_bytes(item.path, data, item.stage)
    if unreadable and item.source == "working" and fallback is not None and fallback.source == "submitted":
        # the working copy is closed to the trainer: the collected copy is the best known answers
        scored = _score_item(replace(fallback, fallback=None), calendar)
        if not scored.unreadable:
            return replace(scored, note=("salinan kerja peserta tidak terbaca (izin ditolak); skor dari "
                                         "salinan yang dikumpulkan"))
    elif item.source == "submitted" and fallback is not None and fallback.size == BLOCKED:
        note = "salinan kerja peserta tidak terbaca (izin ditolak); skor dari salinan yang dikumpulkan"
    try:
        result = score_answers(item.stage, answers, calendar)
    except ANSWER_ERRORS as exc:  # one participant's file never stops the cohort's live scores
        problem = f"the answers could not be scored ({type(exc).__name__}); scored as empty answers"
        result = score_answers(item.stage, {}, calendar)
    return LiveScore(student=item.student, stage=item.stage, earned=result.earned,
                     available=result.available, source=item.source, path=item.path,
                     saved_at=saved_at,
                     checks=tuple((c.exercise_id, c.check_id, c.earned)
                                  for e in result.exercises for c in e.checks),
                     problem=problem, unreadable=unreadable, note=note)


def _score_chunk(args: tuple[list[_Item], dict]) -> list[LiveScore]:
    items, calendars = args
    return [_score_item(item, calendars[item.stage]) for item in items]


def _cache_key(item: _Item, calendar_key: str) -> tuple:
    return (item.path, item.mtime_ns, item.size, item.student, item.source, calendar_key)


def _cacheable(item: _Item, score: LiveScore) -> bool:
    """Permissions change without touching a file's time: what could not be read (or was read
    in another copy's place) is looked at again next time."""
    return not (item.size == BLOCKED or score.unreadable or score.note)


class _DiskCache:
    """Scores of earlier runs in ``<course>/.lablib/live-cache.json``, so that ``lablib status
    --live`` (a new process each time) re-scores only the files that changed. Entries are
    valid for the same file (path, size, modification time), calendar and lablib code."""

    SCHEMA = 1

    def __init__(self, course: Course):
        self.path = course.state_dir("live-cache.json")
        self.entries: dict[str, list] = {}
        self.dirty = False
        self.code: str | None = None

    def load(self) -> _DiskCache:
        """Read the file on first use (a refresh answered from memory never reads it)."""
        if self.code is None:
            from lablib.course.grading import lablib_code_version

            self.code = lablib_code_version()
            try:
                doc = json.loads(self.path.read_text(encoding="utf-8"))
                if doc.get("schema_version") == self.SCHEMA and doc.get("code") == self.code:
                    self.entries = doc["entries"]
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                self.entries = {}
        return self

    def get(self, item: _Item, calendar_key: str) -> LiveScore | None:
        e = self.entries.get(item.path)
        if not e or e[:5] != [item.mtime_ns, item.size, calendar_key, item.student, item.source]:
            return None
        try:
            stage, earned, available, saved_at, problem, checks = e[5:]
            return LiveScore(item.student, stage, earned, available, item.source, item.path, saved_at,
                             tuple((ex, check, pts) for ex, check, pts in checks), problem)
        except (TypeError, ValueError):
            return None

    def put(self, item: _Item, calendar_key: str, s: LiveScore) -> None:
        self.load()
        self.entries[item.path] = [item.mtime_ns, item.size, calendar_key, item.student, item.source,
                                   s.stage, s.earned, s.available, s.saved_at, s.problem,
                                   [list(c) for c in s.checks]]
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            write_text_atomic(self.path, json.dumps({"schema_version": self.SCHEMA, "code": self.code,
                                                     "entries": self.entries}))
        except OSError:
            pass  # a read-only course: live scores still work, just without the disk cache


def _score_items(items: list[_Item], calendars: dict, workers: int | None,
                 disk: _DiskCache | None = None) -> list[LiveScore]:
    out: list[LiveScore | None] = [None] * len(items)
    todo: list[int] = []
    keys = {stage: hashlib.sha256(cal.to_json().encode()).hexdigest()[:16]
            for stage, cal in calendars.items()}
    for n, item in enumerate(items):
        key = _cache_key(item, keys[item.stage])
        hit = _CACHE.get(key)
        if hit is None and disk is not None:
            hit = disk.load().get(item, keys[item.stage])
            if hit is not None:
                _CACHE[key] = hit
        if hit is not None:
            out[n] = hit
        else:
            todo.append(n)
    workers = max(1, int(workers or os.cpu_count() or 1))
    fresh: list[LiveScore]
    if len(todo) >= PARALLEL_FROM and workers > 1:
        fresh = _score_parallel([items[n] for n in todo], calendars, workers)
    else:
        fresh = [_score_item(items[n], calendars[items[n].stage]) for n in todo]
    if len(_CACHE) + len(fresh) > _CACHE_MAX:
        _CACHE.clear()
    for n, score in zip(todo, fresh):
        out[n] = score
        if not _cacheable(items[n], score):
            continue
        _CACHE[_cache_key(items[n], keys[items[n].stage])] = score
        if disk is not None:
            disk.put(items[n], keys[items[n].stage], score)
    if disk is not None:
        disk.save()
    return out  # type: ignore[return-value]


def _score_parallel(items: list[_Item], calendars: dict, workers: int) -> list[LiveScore]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    # fork: the workers start with lablib already imported (spawn would import it again)
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    size = max(1, -(-len(items) // (workers * 4)))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            results = pool.map(_score_chunk, [(chunk, calendars) for chunk in chunks])
            return [score for part in results for score in part]
    except (OSError, RuntimeError):  # no processes available here: score in this one
        return _score_chunk((items, calendars))


def live_scores(course: Course | str | os.PathLike, stages: Iterable[str] | str | None = None, *,
                students: Iterable[str] | None = None, working: bool = True,
                workers: int | None = None, disk_cache: bool = True) -> list[LiveScore]:
    """Score every participant's current answers for ``stages`` (default: all five).

    Returns one ``LiveScore`` per participant and stage that has an answers file, sorted by
    participant and stage. ``working=False`` ignores the participants' own folders (only
    collected submissions); ``students`` limits the participants; ``workers`` caps the
    processes used for a cold run over many files (default: CPU count); ``disk_cache=False``
    neither reads nor writes ``<course>/.lablib/live-cache.json``.
    """
    course = Course.of(course)
    if isinstance(stages, str):
        stages = [stages]
    slugs = [get_stage(s).slug for s in stages] if stages is not None else [s.slug for s in STAGES]
    wanted = set(students) if students is not None else None
    items = _find_items(course, slugs, wanted, working)
    calendars = _course_calendars(course, slugs)
    disk = _DiskCache(course) if disk_cache and items else None
    return _score_items(items, calendars, workers, disk)


def live_frame(course: Course | str | os.PathLike, stages: Iterable[str] | str | None = None, **kwargs):
    """``live_scores`` as a pandas DataFrame: one row per participant, ``earned`` per stage.

    Columns are the stages (automatic points earned) plus ``total``; a stage without an
    answers file is empty (NaN). Extra keyword arguments go to ``live_scores``.
    """
    import pandas as pd

    scores = live_scores(course, stages, **kwargs)
    order = [s.slug for s in STAGES if stages is None or s.slug in
             {get_stage(x).slug for x in ([stages] if isinstance(stages, str) else stages)}]
    frame = pd.DataFrame([{"peserta": s.student, "stage": s.stage, "earned": s.earned} for s in scores],
                         columns=["peserta", "stage", "earned"])
    table = frame.pivot(index="peserta", columns="stage", values="earned") if len(frame) else \
        pd.DataFrame(index=pd.Index([], name="peserta"))
    table = table.reindex(columns=order)
    table["total"] = table.sum(axis=1, min_count=1)
    table.columns.name = None
    return table
