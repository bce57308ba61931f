"""A narasumber team's share of the review: the cohort split among N reviewers, with an optional
double-marked sample, and one review sheet per reviewer.

The split is deterministic (the same cohort and reviewers give the same split, so re-running the
command re-writes the same sheets): submitters are shuffled with a seed made from the course and
the stage, then dealt out in turn, so each reviewer gets the same number (±1) and no reviewer
gets, say, all of one OPD because ids happen to sort by OPD. A ``double`` share of submitters is
also given, blind, to a second reviewer (never their primary one), balanced over the team; the
second marking is recorded for inter-rater agreement only (``lablib.reports.agreement``).

The assignment is kept in ``.lablib/review/penugasan-<stage>.json`` (atomically), so the trainer
can see later who was given what.
"""

from __future__ import annotations

import json
import math
import os
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from lablib.core.files import write_text_atomic
from lablib.course.course import Course
from lablib.course.gradebook import read_gradebook
from lablib.reports.review import ReviewError, _slug, _stage, export_review


@dataclass(frozen=True)
class Assignment:
    stage: str
    reviewers: tuple[str, ...]
    primary: Mapping[str, tuple[str, ...]]  # reviewer: participants whose grade they give
    second: Mapping[str, tuple[str, ...]]  # reviewer: participants they mark a second time, blind

    def reviewer_of(self, student: str) -> str | None:
        return next((r for r, ids in self.primary.items() if student in ids), None)


def split(students: Iterable[str], reviewers: Iterable[str], double: float = 0.0, seed: str = "") -> Assignment:
    """Deal ``students`` out among ``reviewers``; a ``double`` share (0–1) gets a second reviewer.

    >>> a = split(["a", "b", "c", "d"], ["X", "Y"], double=0.5, seed="s")
    >>> sorted(len(v) for v in a.primary.values()), sum(len(v) for v in a.second.values())
    ([2, 2], 2)
    >>> all(a.reviewer_of(s) != r for r, ids in a.second.items() for s in ids)
    True
    """
    names = [str(r).strip() for r in reviewers]
    if not names or any(not n for n in names):
        raise ReviewError("sebutkan paling sedikit satu narasumber dengan --reviewers NAMA1,NAMA2,…")
    slugs = [_slug(n) for n in names]
    if len(set(slugs)) != len(slugs):
        raise ReviewError(f"nama narasumber harus berbeda (juga sebagai nama file): {', '.join(names)}.")
    if not 0.0 <= double <= 1.0:
        raise ReviewError(f"--double harus antara 0 dan 1 (bagian peserta yang dinilai dua kali), bukan {double}.")
    if double > 0 and len(names) < 2:
        raise ReviewError("penilaian ganda (--double) perlu paling sedikit dua narasumber.")
    order = sorted(dict.fromkeys(students))
    random.Random(f"penugasan:{seed}").shuffle(order)
    primary: dict[str, list[str]] = {n: [] for n in names}
    for i, student in enumerate(order):
        primary[names[i % len(names)]].append(student)
    owner = {s: r for r, ids in primary.items() for s in ids}
    second: dict[str, list[str]] = {n: [] for n in names}
    sample = list(order)
    random.Random(f"ganda:{seed}").shuffle(sample)
    for student in sample[:math.ceil(double * len(order))]:
        # the least-loaded other reviewer, ties in team order: the extra work is shared evenly
        other = min((n for n in names if n != owner[student]), key=lambda n: (len(second[n]), names.index(n)))
        second[other].append(student)
    return Assignment("", tuple(names), {r: tuple(sorted(v)) for r, v in primary.items()},
                      {r: tuple(sorted(v)) for r, v in second.items()})


def assign_reviewers(course: Course | str | os.PathLike, stage: str, reviewers: Iterable[str],
                     double: float = 0.0, out: str | os.PathLike | None = None
                     ) -> tuple[Assignment, dict[str, Path]]:
    """Split ``stage``'s submitters among ``reviewers`` and write one review sheet each (default in
    ``<course>/penilaian/``); returns the assignment and ``{reviewer: sheet}``."""
    st = _stage(stage)
    course = Course.of(course)
    view = read_gradebook(course, [st.slug])
    submitters = [r.student for r in view.stage_records(st.slug)]
    if not submitters:
        raise ReviewError(f"belum ada peserta yang dinilai otomatis di tahap {st.slug}; jalankan "
                          f"'lablib collect {st.slug}' dan 'lablib grade {st.slug}' dulu.")
    plan = split(submitters, reviewers, double, seed=f"{course.course_id}:{st.slug}")
    plan = Assignment(st.slug, plan.reviewers, plan.primary, plan.second)
    folder = Path(out) if out else course.root / "penilaian"
    sheets = {}
    for name in plan.reviewers:
        sheets[name] = export_review(course, st.slug, folder / f"penilaian-{st.slug}-{_slug(name)}.xlsx",
                                     participants=plan.primary[name], reviewer=name, second=plan.second[name])
    record = {"stage": st.slug, "reviewers": list(plan.reviewers), "double": double,
              "primary": {k: list(v) for k, v in plan.primary.items()},
              "second": {k: list(v) for k, v in plan.second.items()},
              "sheets": {k: str(v) for k, v in sheets.items()}}
    write_text_atomic(course.state_dir("review", f"penugasan-{st.slug}.json"),
                      json.dumps(record, ensure_ascii=False, indent=1) + "\n")
    return plan, sheets


__all__ = ["Assignment", "assign_reviewers", "split"]
