"""Kernel-free grading on several cores: submissions prepared in forked worker processes.

``lablib.course.direct.prepare`` is CPU-bound Python (reading answers, running checks,
rendering the notebook), a few milliseconds per submission. ``prepared_chunks`` runs it over
chunks of submissions, in this process or, for a large batch, in ``workers`` processes forked
from this one (they start with lablib imported and the stage's plan in memory), and yields each
chunk's outcomes in order, so the caller writes the gradebook and records progress chunk by
chunk from this process alone. ``stopping()`` true (Ctrl-C) means: start no further chunk; the
chunks already being prepared are still yielded, so nothing is left half-graded. A worker pool
that breaks (a worker killed, e.g. out of memory) is not a failure of the submissions: what is
left is prepared in this process.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterator

from lablib.course import direct
from lablib.course.course import Course

__all__ = ["DELEGATE", "FAILED", "GRADED", "PARALLEL_FROM", "prepare_one", "prepared_chunks"]

PARALLEL_FROM = 64  # submissions; below this, forking workers costs more than it saves
GRADED, DELEGATE, FAILED = "graded", "delegate", "failed"
# (student, GRADED/DELEGATE/FAILED, Prepared or the reason, seconds)
Outcome = tuple[str, str, object, float]

_WORKER: tuple[Course, direct.StagePlan] | None = None  # set in each forked worker


def prepare_one(course: Course, plan: direct.StagePlan, student: str) -> Outcome:
    t0 = time.perf_counter()
    try:
        return student, GRADED, direct.prepare(course, plan, student), time.perf_counter() - t0
    except direct.Delegate as why:
        return student, DELEGATE, str(why), time.perf_counter() - t0
    # one submission's failure (a file that cannot be written, ...) is that submission's; its
    # grading copy was removed, as nbgrader removes it
    except Exception as exc:  # noqa: BLE001
        return student, FAILED, f"tidak dapat dinilai: {type(exc).__name__}: {exc}", time.perf_counter() - t0


def _init_worker(course: Course, plan: direct.StagePlan) -> None:
    import signal

    global _WORKER
    _WORKER = (course, plan)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it drains the chunks


def _prepare_chunk(students: list[str]) -> list[Outcome]:
    assert _WORKER is not None
    course, plan = _WORKER
    return [prepare_one(course, plan, s) for s in students]


def prepared_chunks(course: Course, plan: direct.StagePlan, chunks: list[list[str]], workers: int,
                    stopping: Callable[[], bool]) -> Iterator[list[Outcome]]:
    """Each chunk's outcomes, in order; see the module docstring."""
    total = sum(len(c) for c in chunks)
    if workers > 1 and total >= PARALLEL_FROM and "fork" in multiprocessing.get_all_start_methods():
        yield from _parallel(course, plan, chunks, workers, stopping)
        return
    for chunk in chunks:
        if stopping():
            return
        yield [prepare_one(course, plan, s) for s in chunk]


def _parallel(course: Course, plan: direct.StagePlan, chunks: list[list[str]], workers: int,
              stopping: Callable[[], bool]) -> Iterator[list[Outcome]]:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    queue = deque(chunks)
    pending: deque = deque()
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_init_worker, initargs=(course, plan))
    except (OSError, ValueError):  # no processes to be had here: prepare in this one
        pool = None
    if pool is not None:
        try:
            while queue or pending:
                # two chunks in flight per worker: one being prepared, one waiting
                while queue and len(pending) < 2 * workers and not stopping():
                    chunk = queue.popleft()
                    pending.append((chunk, pool.submit(_prepare_chunk, chunk)))
                if not pending:
                    return  # stopping: what was never sent stays ungraded
                chunk, future = pending.popleft()
                try:
                    result = future.result()
                except BrokenProcessPool:
                    queue.extendleft(reversed([chunk] + [c for c, _ in pending]))
                    pending.clear()
                    break
                yield result
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    for chunk in queue:  # the pool broke: the rest in this process
        if stopping():
            return
        yield [prepare_one(course, plan, s) for s in chunk]
