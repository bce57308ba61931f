"""Inter-rater agreement of double-marked rubric items, and the list of items to moderate.

A double-marked item is a participant's criterion marked twice: the grade that counts (in the
gradebook, from the primary reviewer) and a blind second marking (an audit row of role
``kedua``, never written to the grade). Per criterion: the number of pairs, exact agreement,
agreement within one level, and Cohen's kappa with quadratic weights over the five levels 0–4
(the usual statistic for ordinal rubric levels: a 1-level miss costs 1/16 of a 4-level miss).
Items whose two levels differ by ``MODERATION_GAP`` levels or more go to the moderation list.
Scores that are not on the 0–4 grid (formgrader's points) are left out: they have no level.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lablib.core import formatting
from lablib.core.rubrics import MAX_LEVEL
from lablib.course.course import Course
from lablib.course.gradebook import level_for_score, read_gradebook
from lablib.curriculum.grade_ids import RUBRIC, describe_grade
from lablib.reports.audit import (
    SECOND,
    UNRECORDED,
    AuditEntry,
    grade_sources,
    read_audit,
    write_audit,
)

MODERATION_GAP = 2


def weighted_kappa(pairs: Iterable[tuple[int, int]], categories: int = MAX_LEVEL + 1) -> float | None:
    """Cohen's kappa with quadratic weights for pairs of levels ``0..categories-1``; ``None``
    when undefined (no pairs, or both raters used one and the same level throughout).

    >>> weighted_kappa([(0, 0), (1, 1), (2, 2)])
    1.0
    >>> round(weighted_kappa([(0, 1), (1, 2), (2, 3), (3, 4), (4, 4)]), 4)
    0.8
    """
    pairs = list(pairs)
    n = len(pairs)
    if not n:
        return None
    k = categories
    rows = [0] * k
    cols = [0] * k
    observed = 0.0
    for a, b in pairs:
        rows[a] += 1
        cols[b] += 1
        observed += (a - b) ** 2
    expected = sum(rows[i] * cols[j] * (i - j) ** 2 for i in range(k) for j in range(k)) / n
    if expected == 0:
        return None
    return 1.0 - observed / expected


@dataclass(frozen=True)
class CriterionAgreement:
    stage: str
    grade_name: str
    criterion: str  # "<exercise code> <criterion title>"
    pairs: int
    exact: float | None  # share of pairs with the same level
    within_one: float | None  # share of pairs at most one level apart
    kappa: float | None  # quadratic-weighted Cohen's kappa


@dataclass(frozen=True)
class Disagreement:
    """A double-marked item whose levels differ by ``MODERATION_GAP`` or more."""

    stage: str
    student: str
    grade_name: str
    criterion: str
    first_reviewer: str
    first_level: int
    second_reviewer: str
    second_level: int


def _label(grade_name: str) -> str:
    meaning = describe_grade(grade_name)
    return f"{meaning.exercise.code} {meaning.item.title}" if meaning else grade_name


def agreement(course: Course | str | os.PathLike, stage: str | None = None,
              entries: Sequence[AuditEntry] | None = None
              ) -> tuple[list[CriterionAgreement], list[Disagreement]]:
    """Per-criterion agreement and the moderation list over the course's double-marked items."""
    course = Course.of(course)
    entries = read_audit(course, stage) if entries is None else [e for e in entries
                                                                 if stage is None or e.stage == stage]
    second: dict[tuple[str, str, str], AuditEntry] = {}
    for e in entries:  # the last second marking of each item counts
        if e.role == SECOND:
            second[(e.stage, e.student, e.grade_name)] = e
    if not second:
        return [], []
    stages = sorted({key[0] for key in second})
    view = read_gradebook(course, stages)
    current = {}
    for (st, student, name) in second:
        rec = view.record(student, st)
        grade = rec.grades.get(name) if rec is not None else None
        current[(st, student, name)] = grade.manual_score if grade is not None else None
    sources = grade_sources(entries, current)
    pairs: dict[tuple[str, str], list[tuple[int, int]]] = {}
    moderation: list[Disagreement] = []
    for key, e in sorted(second.items()):
        st, student, name = key
        meaning = describe_grade(name)
        if meaning is None or meaning.kind != RUBRIC:
            continue
        first = level_for_score(meaning.points, current.get(key))
        other = level_for_score(meaning.points, e.new_score)
        if first is None or other is None:
            continue
        pairs.setdefault((st, name), []).append((first, other))
        if abs(first - other) >= MODERATION_GAP:
            reviewer = sources.get(key, (UNRECORDED, ""))[0]
            moderation.append(Disagreement(st, student, name, _label(name), reviewer, first, e.reviewer, other))
    stats = []
    for (st, name), ps in sorted(pairs.items()):
        n = len(ps)
        stats.append(CriterionAgreement(
            st, name, _label(name), n, sum(a == b for a, b in ps) / n, sum(abs(a - b) <= 1 for a, b in ps) / n,
            weighted_kappa(ps)))
    return stats, moderation


AGREEMENT_HEADERS = ("Tahap", "Kriteria", "Pasangan", "Sama persis", "Selisih ≤ 1 level",
                     "Kappa berbobot (kuadrat)")
MODERATION_HEADERS = ("Tahap", "ID peserta", "Kriteria", "Penilai utama", "Level utama", "Penilai kedua",
                      "Level kedua", "Selisih")


def agreement_rows(stats: Sequence[CriterionAgreement]) -> list[tuple]:
    return [(s.stage, s.criterion, s.pairs, formatting.percent(s.exact * 100 if s.exact is not None else None),
             formatting.percent(s.within_one * 100 if s.within_one is not None else None),
             formatting.number(s.kappa, 2)) for s in stats]


def moderation_rows(items: Sequence[Disagreement]) -> list[tuple]:
    return [(d.stage, d.student, d.criterion, d.first_reviewer, d.first_level, d.second_reviewer, d.second_level,
             abs(d.first_level - d.second_level)) for d in items]


def agreement_tables(course: Course | str | os.PathLike, stage: str | None = None,
                     entries: Sequence[AuditEntry] | None = None) -> list[tuple[str, tuple, list[tuple]]]:
    """``[(sheet title, headers, rows)]``: agreement per criterion, then the moderation list."""
    stats, moderation = agreement(course, stage, entries)
    return [("Kesepakatan", AGREEMENT_HEADERS, agreement_rows(stats)),
            ("Moderasi", MODERATION_HEADERS, moderation_rows(moderation))]


REVIEWER_HEADERS = ("Penilai", "Nilai ditulis", "Nilai berlaku sekarang", "Peserta", "Penilaian kedua", "Pertama",
                    "Terakhir")


GRADED_HEADERS = ("Tahap", "ID peserta", "Kriteria", "Poin", "Level", "Komentar", "Penilai", "Waktu (UTC)")


def current_grades(course: Course | str | os.PathLike, entries: Sequence[AuditEntry], stage: str | None = None
                   ) -> list[tuple]:
    """Who gave each manual rubric grade the gradebook holds now: ``GRADED_HEADERS`` rows, the
    reviewer from the audit or ``UNRECORDED`` (a grade set in formgrader)."""
    course = Course.of(course)
    view = read_gradebook(course, [stage] if stage else None)
    current, shown = {}, {}
    for (student, st), rec in sorted(view.records.items()):
        for g in rec.rubric_grades():
            if g.manual_score is not None:
                current[(st, student, g.name)] = g.manual_score
                shown[(st, student, g.name)] = g
    sources = grade_sources(entries, current)
    rows = []
    for key, g in shown.items():
        st, student, name = key
        reviewer, at = sources.get(key, (UNRECORDED, ""))
        rows.append((st, student, _label(name), g.manual_score, g.level, g.comment, reviewer, at))
    return rows


def write_audit_workbook(course: Course | str | os.PathLike, out: str | os.PathLike | None = None,
                         stage: str | None = None):
    """``lablib review audit``: the audit rows, and in a workbook also who gave each current grade,
    the agreement and the moderation list (``lablib.reports.audit.write_audit``)."""
    course = Course.of(course)
    entries = read_audit(course, stage)
    extra = []
    if not str(out or "").lower().endswith(".csv"):
        extra = [("Nilai sekarang", GRADED_HEADERS, current_grades(course, entries, stage)),
                 *agreement_tables(course, stage, entries)]
    return write_audit(course, out, stage, extra)


def team_tables(course: Course | str | os.PathLike) -> list[tuple[str, str, tuple, list[tuple], str]]:
    """The report's *Penilai dan kesepakatan*: ``[(key, title, headers, rows, note)]`` for the
    reviewers' work (from the audit), agreement per criterion and the moderation list."""
    course = Course.of(course)
    entries = read_audit(course)
    by: dict[str, list[AuditEntry]] = {}
    for e in entries:
        by.setdefault(e.reviewer, []).append(e)
    try:
        zone = ZoneInfo(course.timezone)
    except (ValueError, KeyError, ZoneInfoNotFoundError):
        zone = _dt.timezone.utc

    def local(at: str) -> str:  # the audit keeps UTC; the report speaks the course's local time
        try:
            return formatting.timestamp(_dt.datetime.fromisoformat(at).astimezone(zone))
        except ValueError:
            return at

    holds = Counter(row[6] for row in current_grades(course, entries))
    people = []
    for name, es in sorted(by.items()):
        first = [e for e in es if e.role != SECOND]
        people.append((name, len(first), holds.get(name, 0), len({(e.stage, e.student) for e in first}),
                       sum(e.role == SECOND for e in es), local(min(e.at for e in es)), local(max(e.at for e in es))))
    if holds.get(UNRECORDED):
        people.append((UNRECORDED, None, holds[UNRECORDED], None, None, None, None))
    stats, moderation = agreement(course, None, entries)
    return [
        ("Penilai", "Siapa menilai apa", REVIEWER_HEADERS, people,
         "Dari catatan audit impor lembar penilaian (lablib review audit untuk rinciannya). Nilai yang "
         "diberikan langsung di formgrader tidak punya catatan penilai: baris 'formgrader (tanpa catatan)'."),
        ("Kesepakatan", "Kesepakatan antarpenilai per kriteria (butir yang dinilai dua kali)", AGREEMENT_HEADERS,
         agreement_rows(stats), "Kappa berbobot kuadrat: 1 = sepakat penuh, 0 = sepakat sebatas kebetulan."),
        ("Moderasi", f"Perlu moderasi: selisih {MODERATION_GAP} level atau lebih", MODERATION_HEADERS,
         moderation_rows(moderation), ""),
    ]


__all__ = ["CriterionAgreement", "Disagreement", "MODERATION_GAP", "agreement", "agreement_tables", "current_grades", "team_tables",
           "write_audit_workbook",
           "weighted_kappa"]
