"""Totals: computed once, rounded once, the same number in every output.

A stage's total is the sum of its grades as nbgrader counts them (``Grade.score``), added as
the decimals the scores are written as (``Decimal(repr(score))``: ``0.1 + 0.2`` is ``0.3``,
not ``0.30000000000000004``), then rounded **half up** to two decimals (``83.625`` → ``83.63``;
Python's ``round`` would give ``83.62`` on the binary float). That rounded stage total is the
official figure: ``lablib status``, the cohort report, the export and every feedback page
show it.

A participant's course total is the sum of their rounded stage totals, so a row of stage
totals always adds up to the total beside it (what a trainer adding up the columns in a
spreadsheet gets), and the course total on a Design page and on a Display page is the same
number. It can differ from rounding the exact sum by at most half a cent per stage.

Parts shown under a total (exercises under a stage total, checks and criteria under an
exercise, the automatic and rubric parts) are apportioned with the largest-remainder method
(``apportion``): each part is cut down to two decimals, and the cents still missing go to the
parts that lost most in the cut. The parts shown then add up to the total shown, and no part
is more than one cent from its exact value.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

PLACES = 2
UNIT = Decimal(1).scaleb(-PLACES)  # 0.01: the smallest step a total is shown in
ZERO = Decimal(0)


def exact(value: Any) -> Decimal:
    """A score as the decimal it is written as; 0 for ``None`` or something that is not a number.

    >>> exact(0.1), exact(3), exact(None)
    (Decimal('0.1'), Decimal('3'), Decimal('0'))
    """
    if isinstance(value, Decimal):
        return value if value.is_finite() else ZERO
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return ZERO
    if isinstance(value, numbers.Integral):
        return Decimal(int(value))
    value = float(value)
    return Decimal(repr(value)) if math.isfinite(value) else ZERO


def add(values: Iterable[Any]) -> Decimal:
    """The exact sum of scores (each read with ``exact``).

    >>> add([0.1, 0.2]), add([])
    (Decimal('0.3'), Decimal('0'))
    """
    return sum((exact(v) for v in values), ZERO)


def rounded(value: Any) -> Decimal:
    """``value`` rounded half up to two decimals, never ``-0``.

    >>> rounded(83.625), rounded(Decimal("0.005")), rounded(-0.001)
    (Decimal('83.63'), Decimal('0.01'), Decimal('0.00'))
    """
    q = exact(value).quantize(UNIT, rounding=ROUND_HALF_UP)
    return abs(q) if q == 0 else q


def total(values: Iterable[Any]) -> Decimal:
    """The rounded total of some scores: added exactly, rounded once.

    >>> total([40.5, 43.125])
    Decimal('83.63')
    """
    return rounded(add(values))


def course_total(stage_totals: Iterable[Any]) -> Decimal:
    """A participant's course total: the sum of their (rounded) stage totals.

    >>> course_total([Decimal("41.01"), Decimal("42.62")])
    Decimal('83.63')
    """
    return sum((rounded(t) for t in stage_totals), ZERO).quantize(UNIT)


def apportion(parts: Sequence[Any], target: Any = None) -> list[Decimal]:
    """The parts rounded to two decimals so that they add up to ``target`` exactly.

    ``target`` defaults to the rounded exact sum of the parts. Largest remainder: every part is
    first cut down to a whole cent, then the cents the cut parts are short of the target go,
    one each, to the parts with the largest remainders (the earlier part on a tie). When the
    target cannot be reached that way (it is not within one cent per part of the parts' sum),
    each part is rounded on its own and the difference goes to the largest part, so the parts
    still add up to the target.

    >>> apportion([1.875, 1.875, 0.25])
    [Decimal('1.88'), Decimal('1.87'), Decimal('0.25')]
    >>> apportion([0.005, 0.005])  # the rounded sum is 0.01, not 0.02
    [Decimal('0.01'), Decimal('0.00')]
    >>> apportion([], 0)
    []
    """
    values = [exact(p) for p in parts]
    goal = rounded(add(values) if target is None else target)
    if not values:
        return []
    floors = [v.quantize(UNIT, rounding=ROUND_FLOOR) for v in values]
    missing = (goal - sum(floors, ZERO)) / UNIT
    if missing == missing.to_integral_value() and 0 <= missing <= len(values):
        order = sorted(range(len(values)), key=lambda n: (-(values[n] - floors[n]), n))
        lucky = set(order[:int(missing)])
        return [f + UNIT if n in lucky else f for n, f in enumerate(floors)]
    shown = [rounded(v) for v in values]
    biggest = max(range(len(values)), key=lambda n: (abs(values[n]), -n))
    shown[biggest] += goal - sum(shown, ZERO)
    return shown


__all__ = ["PLACES", "UNIT", "add", "apportion", "course_total", "exact", "rounded", "total"]
