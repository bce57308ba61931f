"""nbgrader grade-cell names of lablib's exercises: made, parsed and mapped back, in one place.

Every graded cell of a generated assignment (``lablib.notebook.assignments``) is named after the
exercise definition it grades:

- ``auto-<code>-<check>``: an autograder test cell, one per automatic check (``AUTO``);
- ``rubrik-<code>-<criterion>``: a manually graded task cell, one per rubric criterion (``RUBRIC``).

``<code>`` is the exercise code in lower case (``dg1``). nbgrader stores one ``Grade`` per such
cell, so the gradebook, the export, the review sheet, the feedback pages and the cohort report
all map a grade back to its exercise and its check or criterion through this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from lablib.core.exercises import Exercise
from lablib.core.stages import get_stage

AUTO, RUBRIC = "auto", "rubrik"
KINDS = (AUTO, RUBRIC)

_GRADE_ID = re.compile(r"(auto|rubrik)-([a-z]{2}\d+)-(.+)")


def make_grade_id(kind: str, exercise: Exercise | str, item_id: str) -> str:
    """The grade cell name of a check (``AUTO``) or a criterion (``RUBRIC``) of an exercise.

    ``exercise`` is an ``Exercise`` or its code.

    >>> make_grade_id(AUTO, "DG1", "usg"), make_grade_id(RUBRIC, "dg1", "masalah_nyata")
    ('auto-dg1-usg', 'rubrik-dg1-masalah_nyata')
    >>> make_grade_id("manual", "DG1", "x")
    Traceback (most recent call last):
    ...
    ValueError: grade kind 'manual' is not one of ('auto', 'rubrik')
    """
    if kind not in KINDS:
        raise ValueError(f"grade kind {kind!r} is not one of {KINDS}")
    code = exercise.code if isinstance(exercise, Exercise) else str(exercise)
    return f"{kind}-{code.lower()}-{item_id}"


def auto_grade_id(exercise: Exercise | str, check_id: str) -> str:
    """The autograder test cell of one automatic check.

    >>> auto_grade_id("DG1", "usg")
    'auto-dg1-usg'
    """
    return make_grade_id(AUTO, exercise, check_id)


def rubric_grade_id(exercise: Exercise | str, criterion_id: str) -> str:
    """The manually graded task cell of one rubric criterion.

    >>> rubric_grade_id("DS1", "kebaruan")
    'rubrik-ds1-kebaruan'
    """
    return make_grade_id(RUBRIC, exercise, criterion_id)


class ParsedGradeId(NamedTuple):
    """A grade cell name taken apart: ``(kind, exercise code, check or criterion id)``."""

    kind: str  # AUTO or RUBRIC
    code: str  # upper case, as in the definitions ("DG1")
    item_id: str


def parse_grade_id(name: str) -> ParsedGradeId | None:
    """The parts of a grade cell name, or ``None`` for a name lablib does not make.

    Works on the name alone, so it also reads grades of checks or criteria this version of the
    curriculum no longer defines (``describe_grade`` maps names to today's definitions).

    >>> parse_grade_id("rubrik-dg1-nyata")
    ParsedGradeId(kind='rubrik', code='DG1', item_id='nyata')
    >>> parse_grade_id("auto-ds3-rab_total").item_id
    'rab_total'
    >>> parse_grade_id("diagnose-import") is None
    True
    """
    m = _GRADE_ID.fullmatch(name)
    return ParsedGradeId(m.group(1), m.group(2).upper(), m.group(3)) if m else None


@dataclass(frozen=True)
class GradeName:
    """What a grade cell's name means: an automatic check or a rubric criterion of an exercise."""

    name: str
    kind: str  # AUTO or RUBRIC
    exercise: Exercise
    item_id: str  # the check id or the criterion id

    @property
    def stage(self) -> str:
        return self.exercise.stage

    @property
    def item(self):
        """The ``Check`` or ``Criterion`` this grade belongs to."""
        return self.exercise.check(self.item_id) if self.kind == AUTO else self.exercise.criterion(self.item_id)

    @property
    def points(self) -> float:
        return float(self.item.points)


@cache
def _grade_names() -> dict[str, GradeName]:
    from lablib.curriculum import all_exercises

    names: dict[str, GradeName] = {}
    for ex in all_exercises():
        for check in ex.checks:
            gid = auto_grade_id(ex, check.id)
            names[gid] = GradeName(gid, AUTO, ex, check.id)
        for crit in ex.criteria:
            gid = rubric_grade_id(ex, crit.id)
            names[gid] = GradeName(gid, RUBRIC, ex, crit.id)
    return names


def grade_names(stage: str | None = None) -> dict[str, GradeName]:
    """``{grade cell name: GradeName}`` for every check and criterion (of one stage), in
    curriculum order: each exercise's checks, then its criteria.

    >>> names = grade_names("diagnose")
    >>> names["auto-dg1-usg"].exercise.id, names["auto-dg1-usg"].kind
    ('diagnose.dg1', 'auto')
    >>> {n.stage for n in names.values()}
    {'diagnose'}
    """
    names = _grade_names()
    if stage is None:
        return dict(names)
    slug = get_stage(stage).slug
    return {k: v for k, v in names.items() if v.stage == slug}


def describe_grade(name: str) -> GradeName | None:
    """The check or criterion behind a grade cell name, or ``None`` for a name lablib did not make
    (or a check or criterion the curriculum no longer defines).

    >>> describe_grade("auto-dg1-usg").item.title == describe_grade("auto-dg1-usg").exercise.check("usg").title
    True
    >>> describe_grade("auto-dg1-tidak_ada") is None
    True
    """
    return _grade_names().get(name)


__all__ = [
    "AUTO",
    "KINDS",
    "RUBRIC",
    "GradeName",
    "ParsedGradeId",
    "auto_grade_id",
    "describe_grade",
    "grade_names",
    "make_grade_id",
    "parse_grade_id",
    "rubric_grade_id",
]
