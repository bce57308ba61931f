"""The bimtek calendar: workshop dates, each stage's due date and the Deliver (trial) window.

Checks such as "the commitment is dated inside the workshop" need it, and they must give the
same answer in the participant's kernel and in the autograder. So the course writes the
calendar as ``kalender-bimtek.json`` into every source assignment: it is released with the
notebook, and autograde copies the source version back over any edited copy.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

CALENDAR_FILENAME = "kalender-bimtek.json"


@dataclass(frozen=True)
class Calendar:
    workshop_start: _dt.date = _dt.date(2026, 8, 13)
    workshop_end: _dt.date = _dt.date(2026, 8, 14)
    deliver_start: _dt.date = _dt.date(2026, 10, 1)
    deliver_end: _dt.date = _dt.date(2026, 12, 31)
    due: dict[str, _dt.date] = field(default_factory=lambda: {
        "drum-up": _dt.date(2026, 8, 14),
        "diagnose": _dt.date(2026, 8, 14),
        "design": _dt.date(2026, 9, 25),
        "deliver": _dt.date(2027, 1, 8),
        "display": _dt.date(2027, 1, 29),
    })

    def __post_init__(self) -> None:
        if self.workshop_start > self.workshop_end:
            raise ValueError(f"workshop_start {self.workshop_start} is after workshop_end {self.workshop_end}")
        if self.deliver_start > self.deliver_end:
            raise ValueError(f"deliver_start {self.deliver_start} is after deliver_end {self.deliver_end}")

    def in_workshop(self, day: _dt.date) -> bool:
        return self.workshop_start <= day <= self.workshop_end

    def in_deliver(self, day: _dt.date) -> bool:
        return self.deliver_start <= day <= self.deliver_end

    def to_json(self) -> str:
        doc = asdict(self)
        doc = {k: (v.isoformat() if isinstance(v, _dt.date) else v) for k, v in doc.items()}
        doc["due"] = {k: v.isoformat() for k, v in self.due.items()}
        return json.dumps(doc, indent=1)

    @classmethod
    def from_dict(cls, doc: dict) -> Calendar:
        def d(key: str) -> _dt.date:
            try:
                return _dt.date.fromisoformat(str(doc[key]))
            except (KeyError, ValueError):
                raise ValueError(f"calendar: {key!r} must be a date YYYY-MM-DD (got {doc.get(key)!r})") from None

        default = cls()
        due = dict(default.due)
        for stage, value in (doc.get("due") or {}).items():
            try:
                due[stage] = _dt.date.fromisoformat(str(value))
            except ValueError:
                raise ValueError(f"calendar: due date of {stage!r} must be YYYY-MM-DD (got {value!r})") from None
        return cls(d("workshop_start"), d("workshop_end"), d("deliver_start"), d("deliver_end"), due)


DEFAULT_CALENDAR = Calendar()


def load_calendar(folder: str | os.PathLike | None) -> Calendar:
    """The calendar shipped beside the notebook, or the default when there is none or it is bad."""
    return (read_calendar(folder) if folder is not None else None) or DEFAULT_CALENDAR


def read_calendar(folder: str | os.PathLike) -> Calendar | None:
    """The calendar file in ``folder``; ``None`` when there is none or it cannot be read."""
    path = Path(folder) / CALENDAR_FILENAME
    try:
        return Calendar.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, AttributeError, RecursionError):  # RecursionError: JSON nested too deep
        return None
