"""Numbers, points, percentages, rupiah and dates, written one way: the Indonesian way.

Every page and message that shows a number to a person (the *Periksa* result, feedback,
documents, the cohort report, the showcase) formats it here, so a participant never reads
``0/0.5`` in one place and ``0,5/0,5 poin`` in another:

- a decimal comma and dots between thousands: ``1.234.567,5``; at most two decimals by
  default, trailing zeros dropped;
- rounding half up (``83,625`` → ``83,63``), computed with ``decimal`` on the number as it is
  written (``repr``), not Python's round-half-even on binary floats;
- rupiah without a space and without decimals unless they are not zero: ``Rp43.900.000``;
- dates with the month written out: ``14 Agustus 2019``; times with a dot: ``09.30``.

A value that is missing (``None``) or is not a finite number shows as ``EMPTY`` (an em dash).
This module is in lablib's core layer: it imports no other part of lablib, and Babel (for the
month names) only when a date is formatted.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import numbers
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

EMPTY = "—"

# Used only when Babel (installed with JupyterLab) is missing; Babel's "id" locale agrees.
_MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
           "Oktober", "November", "Desember")


def _decimal(value: Any) -> Decimal | None:
    """The exact decimal a number is written as, ``None`` for anything else (bools included)."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, Decimal)):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, numbers.Integral):  # int, numpy integers
        return Decimal(int(value))
    value = float(value)  # float, numpy floats, fractions
    # repr is the shortest text that reads back as the same float: 1.005 → "1.005", not the
    # binary 1.00499999…, so half-up rounding acts on the number the person typed.
    return Decimal(repr(value)) if math.isfinite(value) else None


def _round(d: Decimal, places: int) -> Decimal:
    """``d`` rounded half up to ``places`` decimals; never ``-0``."""
    context = Context(prec=max(28, d.adjusted() + places + 3))
    q = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=context)
    return abs(q) if q == 0 else q


def _write(d: Decimal, keep_zeros: bool = False) -> str:
    sign = "-" if d < 0 else ""
    whole, _, frac = f"{abs(d):f}".partition(".")
    if not keep_zeros:
        frac = frac.rstrip("0")
    return sign + f"{int(whole):,}".replace(",", ".") + ("," + frac if frac else "")


def number(value: Any, digits: int = 2, *, empty: str = EMPTY) -> str:
    """A number with a decimal comma and dots between thousands, at most ``digits`` decimals.

    >>> number(83.625)
    '83,63'
    >>> number(1234567.5), number(1000), number(0.1 + 0.2)
    ('1.234.567,5', '1.000', '0,3')
    >>> number(2.5, digits=0), number(-0.004), number(-12.345)
    ('3', '0', '-12,35')
    >>> number(None), number("12"), number(float("nan"))
    ('—', '—', '—')
    """
    d = _decimal(value)
    return empty if d is None else _write(_round(d, digits))


def points(value: Any, *, empty: str = EMPTY) -> str:
    """Points (scores): up to two decimals.

    >>> points(0.5), points(3), points(1 / 3), points(None)
    ('0,5', '3', '0,33', '—')
    """
    return number(value, 2, empty=empty)


def score(earned: Any, available: Any, unit: str = "poin") -> str:
    """``earned/available unit``, as the *Periksa* result and the feedback page show it.

    >>> score(0, 0.5)
    '0/0,5 poin'
    >>> score(0.5, 0.5), score(7.25, 10, unit="")
    ('0,5/0,5 poin', '7,25/10')
    """
    text = f"{points(earned)}/{points(available)}"
    return f"{text} {unit}" if unit else text


def percent(value: Any, digits: int = 1, *, empty: str = EMPTY) -> str:
    """A percentage given in percent (``12.5`` → ``12,5%``), no space before the sign.

    >>> percent(12.5), percent(100), percent(2 / 3 * 100), percent(None)
    ('12,5%', '100%', '66,7%', '—')
    """
    text = number(value, digits, empty="")
    return text + "%" if text else empty


def rupiah(amount: Any, *, empty: str = EMPTY) -> str:
    """Rupiah: ``Rp`` then the amount, no space; sen only when they are not zero.

    >>> rupiah(43900000), rupiah(0), rupiah(1e9)
    ('Rp43.900.000', 'Rp0', 'Rp1.000.000.000')
    >>> rupiah(1250.5), rupiah(-75000), rupiah(None)
    ('Rp1.250,50', '-Rp75.000', '—')
    """
    d = _decimal(amount)
    if d is None:
        return empty
    d = _round(d, 2)
    sen = d != d.to_integral_value()
    return ("-" if d < 0 else "") + "Rp" + _write(abs(d), keep_zeros=sen)


def as_date(value: Any) -> _dt.date | None:
    """A date from a date, a datetime or an ISO text (``None`` when it is none of them)."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def date(value: Any, *, empty: str = EMPTY) -> str:
    """A date with the month written out (Babel's long Indonesian format).

    Takes a ``date``, a ``datetime`` (its day) or ISO text (``"2019-08-14"``); other text is
    shown as it is, ``None`` or ``""`` as ``empty``.

    >>> date(_dt.date(2019, 8, 14)), date("2026-01-05T10:00:00")
    ('14 Agustus 2019', '5 Januari 2026')
    >>> date(None), date("minggu depan")
    ('—', 'minggu depan')
    """
    day = as_date(value)
    if day is None:
        return str(value) if isinstance(value, str) and value.strip() else empty
    return _long_date(day)


@functools.lru_cache(maxsize=4096)
def _long_date(day: _dt.date) -> str:
    """Babel's long Indonesian date, once per day: grading a cohort shows the same few hundred
    days thousands of times, and Babel looks its patterns up on every call."""
    try:
        from babel.dates import format_date
    except ImportError:  # Babel comes with JupyterLab; the table below says the same
        return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    return format_date(day, format="long", locale="id")


def _as_datetime(value: Any) -> _dt.datetime | None:
    if isinstance(value, _dt.datetime):
        return value
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        for candidate in (text, text[:19], text[:16]):
            try:
                return _dt.datetime.fromisoformat(candidate)
            except ValueError:
                continue
    return None


def timestamp(value: Any, *, empty: str = EMPTY) -> str:
    """A moment as ``14 Agustus 2019 pukul 09.30`` (the clock time as written, no zone change).

    Takes a ``datetime`` or ISO text (nbgrader's ``"2019-08-14 09:30:12.5"`` too); other text is
    shown as it is.

    >>> timestamp(_dt.datetime(2019, 8, 14, 9, 30)), timestamp("2019-08-14T16:05:59.123456+08:00")
    ('14 Agustus 2019 pukul 09.30', '14 Agustus 2019 pukul 16.05')
    >>> timestamp(None)
    '—'
    """
    moment = _as_datetime(value)
    if moment is None:
        return str(value) if isinstance(value, str) and value.strip() else empty
    return f"{date(moment)} pukul {moment:%H.%M}"


__all__ = ["EMPTY", "as_date", "date", "number", "percent", "points", "rupiah", "score", "timestamp"]
