"""Answer references, checked against the exercise definitions when a module declares them.

Documents, pictures, the carry-over between stages, the cohort report and the showcase read a
participant's answers by name: an exercise (``"diagnose.dg1"``), a field of it
(``"diagnose.dg1.masalah_terpilih"``) or a column of a table field
(``"diagnose.dg1.masalah.nama"``). The readers are lenient with *answers* (a missing or odd
value reads as empty), so a *name* that no definition has would silently read as empty too:
a renamed field would show "—" in every document. Each of those modules therefore declares
the names it reads once, at module level, through this module; a name the curriculum does
not define raises ``DefinitionError`` (naming the reference and what is wrong) when the module
is imported, and the test suite imports them all.

>>> ref = field_ref("diagnose.dg1.masalah.nama")
>>> ref.exercise_id, ref.field_id, ref.column_id, ref.field_path
('diagnose.dg1', 'masalah', 'nama', 'diagnose.dg1.masalah')
>>> field_ref("diagnose.dg1.akar")
Traceback (most recent call last):
...
lablib.core.exercises.DefinitionError: exercise 'diagnose.dg1', field 'akar': answer reference 'diagnose.dg1.akar' names no field 'akar' of the exercise (its fields: masalah, masalah_terpilih, justifikasi)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from lablib.core.exercises import DefinitionError, Exercise
from lablib.core.fields import Field, Table


@dataclass(frozen=True)
class FieldRef:
    """A checked reference to a field (``column_id`` ``None``) or to a column of a table field."""

    exercise_id: str  # "diagnose.dg1"
    field_id: str  # "masalah"
    column_id: str | None = None  # "nama" for a column of the table "masalah"

    @property
    def field_path(self) -> str:
        """``"<stage>.<exercise>.<field>"``: what the answer readers (``text_of``, ``value_of``) take."""
        return f"{self.exercise_id}.{self.field_id}"

    @property
    def path(self) -> str:
        """The reference as written, column included."""
        return self.field_path + (f".{self.column_id}" if self.column_id else "")

    def __str__(self) -> str:
        return self.path

    @property
    def exercise(self) -> Exercise:
        from lablib.curriculum import get_exercise

        return get_exercise(self.exercise_id)

    @property
    def field(self) -> Field:
        return self.exercise.field(self.field_id)

    @property
    def column(self) -> Field | None:
        """The column's definition (``None`` for a reference to a whole field)."""
        if self.column_id is None:
            return None
        table = self.field
        assert isinstance(table, Table)
        return next(c for c in table.columns if c.id == self.column_id)


def _exercise(path: str, exercise_id: str) -> Exercise:
    from lablib.curriculum import all_exercises, get_exercise

    try:
        return get_exercise(exercise_id)
    except KeyError:
        known = ", ".join(ex.id for ex in all_exercises())
        raise DefinitionError(exercise_id, None, f"answer reference {path!r} names no defined exercise "
                                                 f"(known: {known})") from None


@cache
def exercise_ref(exercise_id: str) -> str:
    """``exercise_id`` itself once the curriculum is known to define that exercise.

    >>> exercise_ref("design.ds2")
    'design.ds2'
    >>> exercise_ref("design.ds9")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lablib.core.exercises.DefinitionError: exercise 'design.ds9': answer reference 'design.ds9' names no defined exercise (known: ...)
    """
    if exercise_id.count(".") != 1:
        raise DefinitionError(exercise_id, None, f"answer reference {exercise_id!r} is not an exercise id "
                                                 f"('<stage>.<exercise>', e.g. 'diagnose.dg1')")
    _exercise(exercise_id, exercise_id)
    return exercise_id


@cache
def field_ref(path: str) -> FieldRef:
    """The checked reference ``"<stage>.<exercise>.<field>"`` or ``"<stage>.<exercise>.<table>.<column>"``.

    Raises ``DefinitionError`` when the exercise, the field or the column is not defined, or
    when a column is asked of a field that is not a table.

    >>> field_ref("design.ds1.nama").field.label == field_ref("design.ds1.nama").exercise.field("nama").label
    True
    >>> field_ref("design.ds1.nama.x")
    Traceback (most recent call last):
    ...
    lablib.core.exercises.DefinitionError: exercise 'design.ds1', field 'nama': answer reference 'design.ds1.nama.x' names a column of 'nama', which is not a table
    """
    parts = path.split(".")
    if len(parts) not in (3, 4) or not all(parts):
        raise DefinitionError(path, None, f"answer reference {path!r} is not '<stage>.<exercise>.<field>' or "
                                          f"'<stage>.<exercise>.<table>.<column>'")
    exercise_id, field_id = f"{parts[0]}.{parts[1]}", parts[2]
    column_id = parts[3] if len(parts) == 4 else None
    ex = _exercise(path, exercise_id)
    field = next((f for f in ex.fields if f.id == field_id), None)
    if field is None:
        raise DefinitionError(exercise_id, field_id, f"answer reference {path!r} names no field {field_id!r} of "
                                                     f"the exercise (its fields: {', '.join(f.id for f in ex.fields)})")
    if column_id is not None:
        if not isinstance(field, Table):
            raise DefinitionError(exercise_id, field_id, f"answer reference {path!r} names a column of "
                                                         f"{field_id!r}, which is not a table")
        if column_id not in {c.id for c in field.columns}:
            raise DefinitionError(exercise_id, field_id, f"answer reference {path!r} names no column "
                                                         f"{column_id!r} of the table (its columns: "
                                                         f"{', '.join(c.id for c in field.columns)})")
    return FieldRef(exercise_id, field_id, column_id)


def check_references(paths: Iterable[str]) -> tuple[str, ...]:
    """Check every reference (exercises, fields, table columns); return them as given.

    Meant for a module's own list of the answers it reads, at module level. All wrong
    references are reported together, in one ``DefinitionError`` whose message names each.

    >>> check_references(["diagnose.dg1", "diagnose.dg1.masalah_terpilih", "diagnose.dg1.masalah.u"])
    ('diagnose.dg1', 'diagnose.dg1.masalah_terpilih', 'diagnose.dg1.masalah.u')
    >>> check_references(["diagnose.dg1.akar", "diagnose.dg1.masalah.skor"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lablib.core.exercises.DefinitionError: 2 answer references are not defined:
      - exercise 'diagnose.dg1', field 'akar': answer reference 'diagnose.dg1.akar' names no field 'akar' ...
      - exercise 'diagnose.dg1', field 'masalah': answer reference 'diagnose.dg1.masalah.skor' names no column 'skor' ...
    """
    paths = tuple(paths)
    problems: list[DefinitionError] = []
    for path in paths:
        try:
            if path.count(".") == 1:
                exercise_ref(path)
            else:
                field_ref(path)
        except DefinitionError as exc:
            problems.append(exc)
    if len(problems) == 1:
        raise problems[0]
    if problems:  # one error naming them all; its exercise and field are the first wrong one's
        lines = "\n".join(f"  - {p}" for p in problems)
        error = DefinitionError(problems[0].exercise, problems[0].field,
                                f"{len(problems)} answer references are not defined:\n{lines}")
        error.args = (error.problem,)
        raise error
    return paths


__all__ = ["FieldRef", "check_references", "exercise_ref", "field_ref"]
