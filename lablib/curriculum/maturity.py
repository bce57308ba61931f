"""Where an innovation is on PP 38/2017's path: Inisiatif, Uji coba or Penerapan.

DS1 asks for the *tahapan*, and at Design it must be "Inisiatif" (nothing has been tried yet).
Every later output (the profile document, the report's portfolio, the showcase card) shows
where the innovation *is*, derived from the participant's own answers, not the Design-time
choice: a trial log in Deliver means PP 38's *uji coba* has happened, and a Display proposal
means the OPD has taken it into *penerapan* (the proposal describes the innovation in use and
asks for its replication). The labels come from ``facts.PP38_TAHAPAN``.

>>> pp38_stage({"design.ds1": {"tahapan": "Inisiatif"}}).label
'Inisiatif'
>>> pp38_stage({"deliver.dv1": {"log": [{"tanggal": "2026-10-02", "dilayani": 3}]}}).label
'Uji coba'
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lablib.core.formatting import as_date as _date
from lablib.curriculum.facts import PP38_TAHAPAN

INISIATIF, UJI_COBA, PENERAPAN = PP38_TAHAPAN


@dataclass(frozen=True)
class Maturity:
    """The derived stage and the evidence it rests on (Indonesian, for a profile's "Tahapan")."""

    label: str  # one of facts.PP38_TAHAPAN
    basis: str  # why: which answers show it
    since: _dt.date | None = None  # first trial week, or the planned start of penerapan

    def describe(self, today: _dt.date | None = None) -> str:
        """``"Penerapan (…, mulai 4 Januari 2027)"``: "sejak" once the date has passed."""
        from lablib.core import formatting

        when = ""
        if self.since:
            word = "sejak" if self.since <= (today or _dt.date.today()) else "mulai"
            when = f", {word} {formatting.date(self.since)}"
        return f"{self.label} ({self.basis}{when})"


def _filled(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, dict)):
        return any(_filled(v) for v in (value.values() if isinstance(value, dict) else value))
    return value is not None and value is not False


def _entry(answers: Mapping[str, Any], exercise_id: str) -> dict:
    entry = answers.get(exercise_id)
    return entry if isinstance(entry, dict) else {}


def pp38_stage(answers: Mapping[str, Any] | None) -> Maturity:
    """The PP 38 stage of one participant's innovation (their latest answers across the stages)."""
    answers = answers or {}
    dp1 = _entry(answers, "display.dp1")
    if any(_filled(v) for v in dp1.values()):
        planned = _date(_entry(answers, "design.ds1").get("waktu_penerapan"))
        return Maturity(PENERAPAN, "proposal Display disusun setelah uji coba", planned)
    log = [r for r in _entry(answers, "deliver.dv1").get("log") or [] if isinstance(r, dict) and _filled(r)]
    if log:
        days = [d for d in (_date(r.get("tanggal")) for r in log) if d is not None]
        return Maturity(UJI_COBA, f"{len(log)} minggu log uji coba di tahap Deliver", min(days) if days else None)
    return Maturity(INISIATIF, "rancangan, belum diuji coba")


__all__ = ["INISIATIF", "PENERAPAN", "UJI_COBA", "Maturity", "pp38_stage"]
