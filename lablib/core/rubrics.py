"""Rubric criteria judged by the narasumber: levels 0–4, each with a one-line descriptor."""

from __future__ import annotations

from dataclasses import dataclass

from lablib.core.i18n import T, Text

LEVELS: tuple[Text, ...] = (
    T("tidak ada", "absent"),
    T("lemah", "weak"),
    T("cukup", "adequate"),
    T("baik", "good"),
    T("sangat baik", "very good"),
)
MAX_LEVEL = len(LEVELS) - 1


@dataclass(frozen=True)
class Criterion:
    """One rubric criterion. A criterion worth P points scores level / 4 × P."""

    id: str
    title: str
    points: float
    descriptors: tuple[str, str, str, str, str]
    title_en: str = ""
    shows: tuple[str, ...] = ()  # answer fields the reviewer should read for this criterion

    def score(self, level: int) -> float:
        if not isinstance(level, int) or isinstance(level, bool) or not 0 <= level <= MAX_LEVEL:
            raise ValueError(f"criterion {self.id!r}: level must be an integer 0–{MAX_LEVEL} (not {level!r})")
        return round(self.points * level / MAX_LEVEL, 4)

    def validate_definition(self) -> list[str]:
        problems = []
        if self.points <= 0:
            problems.append(f"points must be positive (not {self.points!r})")
        if len(self.descriptors) != MAX_LEVEL + 1:
            problems.append(f"needs {MAX_LEVEL + 1} level descriptors, 0–{MAX_LEVEL} (got {len(self.descriptors)})")
        elif any(not d.strip() for d in self.descriptors):
            problems.append("has an empty level descriptor")
        return problems
