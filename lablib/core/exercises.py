"""Exercise definitions: the single source of truth for form, checks, tests, rubric and reports.

Definitions live in ``lablib.curriculum`` (one module per stage) and are validated when that
package is loaded: a bad definition raises ``DefinitionError`` naming the exercise, the field
and what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lablib.core.checks import Check
from lablib.core.fields import Choice, Field, Table
from lablib.core.i18n import Text
from lablib.core.rubrics import Criterion
from lablib.core.stages import STAGES


class DefinitionError(ValueError):
    """An exercise definition is malformed. Carries ``exercise``, ``field`` and ``problem``."""

    def __init__(self, exercise: str, field: str | None, problem: str):
        self.exercise, self.field, self.problem = exercise, field, problem
        where = f"exercise {exercise!r}" + (f", field {field!r}" if field else "")
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Exercise:
    id: str  # "<stage>.<code lower-case>", e.g. "diagnose.dg1"
    code: str  # "DG1"
    title: str
    instructions: str
    fields: tuple[Field, ...]
    checks: tuple[Check, ...] = ()
    criteria: tuple[Criterion, ...] = ()
    title_en: str = ""
    instructions_en: str = ""

    @property
    def stage(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def auto_points(self) -> float:
        return round(sum(c.points for c in self.checks), 4)

    @property
    def rubric_points(self) -> float:
        return round(sum(c.points for c in self.criteria), 4)

    @property
    def points(self) -> float:
        return round(self.auto_points + self.rubric_points, 4)

    def title_text(self) -> Text:
        return Text(f"{self.code} {self.title}", f"{self.code} {self.title_en or self.title}")

    def field(self, field_id: str) -> Field:
        for f in self.fields:
            if f.id == field_id:
                return f
        raise KeyError(f"exercise {self.id!r} has no field {field_id!r}; fields: {[f.id for f in self.fields]}")

    def check(self, check_id: str) -> Check:
        for c in self.checks:
            if c.id == check_id:
                return c
        raise KeyError(f"exercise {self.id!r} has no check {check_id!r}; checks: {[c.id for c in self.checks]}")

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(f"exercise {self.id!r} has no criterion {criterion_id!r}")

    def validate(self) -> None:
        """Raise ``DefinitionError`` at the first problem found."""
        stages = {s.slug for s in STAGES}
        if not re.fullmatch(r"[a-z-]+\.[a-z]{2}\d+", self.id or ""):
            raise DefinitionError(self.id, None, "id must look like 'diagnose.dg1'")
        if self.stage not in stages:
            raise DefinitionError(self.id, None, f"stage {self.stage!r} is not one of {sorted(stages)}")
        if self.code.lower() != self.id.split(".", 1)[1]:
            raise DefinitionError(self.id, None, f"code {self.code!r} does not match the id")
        if not self.title.strip():
            raise DefinitionError(self.id, None, "title is empty")
        if not self.fields:
            raise DefinitionError(self.id, None, "has no fields")
        ids = [f.id for f in self.fields]
        for f in self.fields:
            if not isinstance(f, Field):
                raise DefinitionError(self.id, None, f"{f!r} is not a field")
            if ids.count(f.id) > 1:
                raise DefinitionError(self.id, f.id, "is defined twice")
            problems = f.validate_definition()
            if problems:
                raise DefinitionError(self.id, f.id, "; ".join(problems))
            if isinstance(f, Choice) and f.options_from:
                for exercise_id, table_id, column in f.sources():
                    if exercise_id not in (None, self.id):
                        continue  # another exercise: the curriculum checks it once all are loaded
                    table = next((t for t in self.fields if t.id == table_id), None)
                    if not isinstance(table, Table) or column not in {c.id for c in table.columns}:
                        raise DefinitionError(self.id, f.id, f"options_from {f.options_from!r} names no table column")
        for kind, items in (("check", self.checks), ("criterion", self.criteria)):
            item_ids = [i.id for i in items]
            for item in items:
                if item_ids.count(item.id) > 1:
                    raise DefinitionError(self.id, None, f"{kind} {item.id!r} is defined twice")
        for c in self.checks:
            if not callable(c.fn):
                raise DefinitionError(self.id, None, f"check {c.id!r} has no function")
            if not c.points > 0:
                raise DefinitionError(self.id, None, f"check {c.id!r} points must be positive (not {c.points!r})")
        for c in self.criteria:
            problems = c.validate_definition()
            if problems:
                raise DefinitionError(self.id, None, f"criterion {c.id!r}: " + "; ".join(problems))
