"""Submission timestamps read exactly as ``nbgrader.utils.parse_utc`` reads them, without nbgrader.

nbgrader writes ``timestamp.txt`` as ``2026-08-14 10:00:00.123456 UTC``; its ``parse_utc``
hands the string to ``dateutil``. That one form is read here directly (a regular expression
and ``datetime``), because importing and running dateutil's parser costs a grading command
more than scoring its submissions. Anything else (another zone, an offset, ISO with ``T``,
a hand-edited file) goes through dateutil as nbgrader does, so both give the same instant.
"""

from __future__ import annotations

import datetime as _dt
import re

# what nbgrader's `submit` writes: date, time with optional fraction, and the zone name UTC
_NBGRADER_FORM = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?: UTC)?")


def parse_utc(text: str) -> _dt.datetime:
    """A submission timestamp as naive UTC (``nbgrader.utils.parse_utc`` of a string).

    Raises ``ValueError`` for text that is no timestamp, as dateutil does.
    """
    m = _NBGRADER_FORM.fullmatch(text)
    if m:
        year, month, day, hour, minute, second, fraction = m.groups()
        try:
            return _dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                                int((fraction or "0").ljust(6, "0")))
        except ValueError:
            pass  # e.g. a 13th month: dateutil's own reading (and its error) decides
    return _parse_with_dateutil(text)


def _parse_with_dateutil(text: str) -> _dt.datetime:
    """``nbgrader.utils.parse_utc``'s own steps."""
    import dateutil.parser
    import dateutil.tz

    parts = text.split(" ")
    if len(parts) == 3:
        tz: object = parts[2]
        try:
            tz = int(parts[2])
        except ValueError:
            tz = dateutil.tz.gettz(parts[2])
        ts = dateutil.parser.parse(" ".join(parts[:2] + ["TZ"]), tzinfos={"TZ": tz})
    else:
        ts = dateutil.parser.parse(text)
    if ts.tzinfo is not None:
        ts = (ts - ts.utcoffset()).replace(tzinfo=None)
    return ts
