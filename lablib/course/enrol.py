"""Participants who join a course after ``lablib init``: late arrivals and corrected details.

``add_participants(course, roster)`` reads a roster with the same columns and checks as
``lablib init`` and adds every new id to the gradebook and to ``lablib-course.json``, so the
newcomer can fetch every stage already released, is collected and graded like the others and
appears in status, exports and reports. Nobody is ever removed.

An id already in the course with the same details is left alone, so the whole (grown) roster
can be given again. An id already in the course with *different* details is refused, naming its
row, unless ``update=True``: a second "budi" from another OPD must not silently take over the
first one's submissions and grades.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

from lablib.core.files import write_text_atomic
from lablib.course.course import Course
from lablib.course.folder import COURSE_FILENAME, CourseRecord, put_students
from lablib.course.modes import PRIVATE_FILE_MODE
from lablib.course.roster import (
    Participant,
    RosterError,
    RosterProblem,
    read_roster,
)

__all__ = ["EnrolResult", "add_participants"]


@dataclass(frozen=True)
class EnrolResult:
    course_id: str
    added: tuple[Participant, ...]
    updated: tuple[Participant, ...]
    unchanged: tuple[str, ...]
    total: int  # participants in the course afterwards
    notes: tuple[str, ...] = ()  # the roster's notes for the trainer (e.g. Excel sheets not read)

    def summary(self) -> str:
        lines = [f"Kursus '{self.course_id}': {len(self.added)} peserta ditambahkan, "
                 f"{len(self.updated)} diperbarui, {len(self.unchanged)} sudah terdaftar "
                 f"(sekarang {self.total} peserta)."]
        lines += [f"  + {p.id}: {p.nama} ({p.opd})" for p in self.added]
        lines += [f"  ~ {p.id}: {p.nama} ({p.opd})" for p in self.updated]
        if self.added:
            lines.append("Peserta baru dapat mengambil (fetch) setiap tahap yang sudah dirilis.")
        lines += [f"Catatan: {n}" for n in self.notes]
        return "\n".join(lines)


def add_participants(course: Course | str | os.PathLike, roster: str | os.PathLike, *,
                     update: bool = False) -> EnrolResult:
    """Add the roster's new participants to the course (gradebook first, then the course file).

    Raises ``RosterError`` (every bad row, nothing written) for a bad roster or, without
    ``update``, for ids already in the course with other details.
    """
    course = Course.of(course)
    info = course.info
    people = read_roster(roster)
    current = {p.id: p for p in info.participants}
    added, updated, unchanged, problems = [], [], [], []
    for row, person in people.numbered():
        known = current.get(person.id)
        if known is None:
            added.append(person)
        elif known == person:
            unchanged.append(person.id)
        elif update:
            updated.append(person)
        else:
            changes = ", ".join(f"{f.name} '{getattr(known, f.name)}' → '{getattr(person, f.name)}'"
                                for f in dataclasses.fields(Participant)
                                if getattr(known, f.name) != getattr(person, f.name))
            problems.append(RosterProblem(row, f"id '{person.id}' sudah terdaftar dengan data lain ({changes}); "
                                               "pakai id lain untuk orang lain, atau --update untuk "
                                               "memperbaiki data peserta ini"))
    if problems:
        raise RosterError(roster, problems)
    if added or updated:
        _write_gradebook(course, added + updated)
        replaced = {p.id: p for p in updated}
        participants = tuple(replaced.get(p.id, p) for p in info.participants) + tuple(added)
        _write_course_file(dataclasses.replace(info, participants=participants))
        total = len(participants)
    else:
        total = len(info.participants)
    return EnrolResult(info.course_id, tuple(added), tuple(updated), tuple(unchanged), total, people.notes)


def _write_gradebook(course: Course, people: list[Participant]) -> None:
    with course.gradebook() as gb:
        put_students(gb, people)


def _write_course_file(info: CourseRecord) -> None:
    """Replace ``lablib-course.json``: a crash leaves the old or the new file. It is the roster
    (names, e-mails, OPDs): only the trainer may read it."""
    write_text_atomic(Path(info.root) / COURSE_FILENAME, info.to_json(), durable=True, mode=PRIVATE_FILE_MODE)
