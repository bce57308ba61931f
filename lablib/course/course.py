"""``Course``: one bimtek's nbgrader course folder, opened once and passed to every step.

A course is a folder holding ``lablib-course.json`` (participants, calendar, time zone, where
participants' homes are) and nbgrader's ``nbgrader_config.py`` (gradebook, exchange, grading
protections). ``Course.open`` reads both once; every command, report and grading run then
asks the ``Course`` for paths, the gradebook and nbgrader's API instead of reading them again.

Relocatable: the configuration lablib writes places the course root, the SQLite gradebook and
the default exchange relative to the config file itself, so a copied or moved course folder
works on its own files and its own gradebook. What cannot move with the folder (a PostgreSQL
gradebook, an exchange outside the folder), or a configuration written with absolute paths by
an older lablib, makes ``open`` refuse with one line saying how to re-root the course
(``lablib relocate``), so a copy never writes into the original's gradebook.

nbgrader itself is imported only by the methods that need it (``gradebook``, ``api``): reading
the course, its paths and its record stays cheap, and a re-grade in which nothing changed never
pays for nbgrader's imports.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

from lablib.course.folder import (
    CONFIG_FILENAME,
    COURSE_FILENAME,
    CourseError,
    CourseRecord,
    ensure_tools_on_path,
    find_course_dir,
    hide_password,
    is_within,
    load_config,
    load_course,
)

# nbgrader's default layout (CourseDirectory.directory_structure): {step}/{student}/{assignment}
DEFAULT_STRUCTURE = os.path.join("{nbgrader_step}", "{student_id}", "{assignment_id}")
STEPS = ("source", "release", "submitted", "autograded", "feedback")


class Course:
    """An opened course folder. Create it with ``Course.open(folder)``."""

    def __init__(self, info: CourseRecord, config: Any):
        self.info = info
        self.config = config
        self.root: Path = info.root
        self.course_id: str = info.course_id
        self._check_location()

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, folder: str | os.PathLike | None = None) -> Course:
        """The course in ``folder`` (default: the course containing the current folder).

        Raises ``CourseError`` (one line, in Indonesian) for a folder that is not a course, a
        damaged record, or a course copied or moved away from what its config points at.
        """
        root = find_course_dir(folder)
        return cls(load_course(root), load_config(root))

    @classmethod
    def of(cls, course: Course | str | os.PathLike | None) -> Course:
        """``course`` itself when it is already open; otherwise the course in that folder."""
        return course if isinstance(course, Course) else cls.open(course)

    def __repr__(self) -> str:
        return f"Course({str(self.root)!r}, course_id={self.course_id!r})"

    # ------------------------------------------------------------------ the record

    @property
    def participants(self) -> tuple:
        return self.info.participants

    def ids(self) -> list[str]:
        return [p.id for p in self.info.participants]

    def participant(self, participant_id: str):
        return self.info.participant(participant_id)

    @property
    def calendar(self):
        return self.info.calendar

    @property
    def timezone(self) -> str:
        return self.info.timezone

    def home(self, participant_id: str) -> Path:
        return self.info.home(participant_id)

    def due(self, stage: str) -> _dt.datetime | None:
        return self.info.due(stage)

    # ------------------------------------------------------------------ where things are

    def _setting(self, section: str, name: str) -> Any:
        values = self.config[section] if section in self.config else {}
        return values.get(name) if hasattr(values, "get") else None

    @cached_property
    def db_url(self) -> str:
        url = self._setting("CourseDirectory", "db_url")
        return str(url) if url else f"sqlite:///{self.root / 'gradebook.db'}"

    @property
    def sqlite_path(self) -> Path | None:
        """The gradebook file of a SQLite course (``None`` for PostgreSQL)."""
        if self.db_url.startswith("sqlite:///"):
            return Path(self.db_url[len("sqlite:///"):])
        return None

    @cached_property
    def exchange(self) -> Path:
        """nbgrader's filesystem exchange root (the course's folder is ``exchange/<course_id>``)."""
        root = self._setting("Exchange", "root")
        return Path(str(root)) if root else Path("/srv/nbgrader/exchange")

    @cached_property
    def _structure(self) -> str:
        return str(self._setting("CourseDirectory", "directory_structure") or DEFAULT_STRUCTURE)

    def step_dir(self, step: str) -> Path:
        """The folder of one nbgrader step (``submitted``, ``autograded``, ...)."""
        name = self._setting("CourseDirectory", f"{step}_directory")
        return self.root / str(name or step)

    @cached_property
    def _step_names(self) -> dict[str, str]:
        """``step_dir(step).name`` of every step, for ``where``'s loops."""
        return {step: self.step_dir(step).name for step in STEPS}

    def path(self, step: str, student: str, stage: str) -> Path:
        """``{step}/{student}/{stage}``: nbgrader's ``CourseDirectory.format_path``.

        The same formula on the same settings, without importing nbgrader (tests compare the
        two); ``student`` is ``"."`` for ``source`` and ``release``.
        """
        return Path(self.where(step, student, stage))

    def where(self, step: str, student: str, stage: str) -> str:
        """``path`` as a string: for loops over every submission, where a ``Path`` per call
        costs more than what the loop does with it."""
        if step not in STEPS:
            raise ValueError(f"unknown nbgrader step {step!r}; known: {', '.join(STEPS)}")
        for name in (student, stage):  # one folder each: an id like '../x' never leaves the course
            if name in ("", "..") or "/" in name or os.sep in name or "\0" in name:
                raise CourseError(f"'{name}' bukan nama folder peserta atau tahap yang sah.")
        return self._where(self._step_names[step], student, stage)

    def _where(self, step_name: str, student: str, stage: str) -> str:
        if student != "." and self._structure == DEFAULT_STRUCTURE:  # already normal: no normpath
            return f"{self._root_text}{os.sep}{step_name}{os.sep}{student}{os.sep}{stage}"
        rel = self._structure.format(nbgrader_step=step_name, student_id=student, assignment_id=stage)
        return os.path.normpath(os.path.join(self._root_text, rel))

    @cached_property
    def _root_text(self) -> str:
        return str(self.root)

    def students_in(self, step: str, stage: str) -> list[str]:
        """Participants with a ``stage`` folder in ``step`` (e.g. who was collected).

        Plain strings and ``os.scandir``: an unchanged re-grade of 10,000 submissions asks this
        for every stage, and ``Path`` objects per entry cost more than the check itself.
        """
        return sorted(self._students_in(step, stage))

    def anyone_in(self, step: str, stage: str) -> bool:
        """Whether any participant has a ``stage`` folder in ``step`` (stops at the first)."""
        return next(self._students_in(step, stage), None) is not None

    def _students_in(self, step: str, stage: str) -> Iterator[str]:
        base = self.step_dir(step)
        try:
            with os.scandir(base) as entries:
                names = [e.name for e in entries if not e.name.startswith(".")]
        except (FileNotFoundError, NotADirectoryError):
            return
        yield from (n for n in names if os.path.isdir(self._where(base.name, n, stage)))

    def collected(self, stage: str) -> dict[str, str]:
        """``{participant: timestamp}`` of the submissions in ``submitted/``."""
        found = {}
        for student in self.students_in("submitted", stage):
            stamp = self.path("submitted", student, stage) / "timestamp.txt"
            found[student] = stamp.read_text().strip() if stamp.is_file() else ""
        return found

    def state_dir(self, *parts: str) -> Path:
        """lablib's own working files in the course (``.lablib/...``)."""
        return self.root.joinpath(".lablib", *parts)

    # ------------------------------------------------------------------ nbgrader

    def require_gradebook(self) -> None:
        """Refuse a SQLite gradebook that is missing: nbgrader would silently create an empty one,
        and every report would then show every participant with 0 points."""
        path = self.sqlite_path
        if path is not None and not path.is_file():
            raise CourseError(
                f"gradebook {path} tidak ada; lablib tidak membuat gradebook kosong (semua nilai akan "
                f"tampak 0). Kembalikan gradebook.db kursus ini dari cadangan.")

    @contextmanager
    def gradebook(self) -> Iterator[Any]:
        """nbgrader's ``Gradebook`` on this course's database, the one door to it."""
        from nbgrader.api import Gradebook
        from sqlalchemy.exc import SQLAlchemyError

        self.require_gradebook()
        ensure_tools_on_path()
        try:
            gb = Gradebook(self.db_url, self.course_id)
        except SQLAlchemyError as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise CourseError(f"gradebook {hide_password(self.db_url)} tidak dapat dibuka: {first}") from None
        with gb:
            yield gb

    @cached_property
    def api(self):
        """nbgrader's ``NbGraderAPI`` for the instructor steps, created on first use."""
        from nbgrader.apps import NbGraderAPI

        self.require_gradebook()
        ensure_tools_on_path()
        return NbGraderAPI(config=self.config)

    # ------------------------------------------------------------------ relocation

    def _check_location(self) -> None:
        problem = location_problem(self.root, self.config, self.info)
        if problem:
            raise CourseError(f"{problem} Jalankan 'lablib relocate --course {self.root}' (lihat --help).")


def location_problem(root: Path, config: Any, info: CourseRecord) -> str:
    """Why this course folder would work on another folder's files, or ``""``.

    - the config names another course root, gradebook file or exchange inside another course
      (written with absolute paths by an older lablib, then copied or moved);
    - the course was moved or copied (the record's ``location`` differs) and it uses a
      PostgreSQL gradebook or an exchange outside the folder, which the copy would share with
      the original.
    """
    cd = config["CourseDirectory"] if "CourseDirectory" in config else {}
    configured = Path(str(cd.get("root") or root))
    if configured.resolve() != root.resolve():
        return (f"nbgrader_config.py kursus ini menunjuk ke folder lain ({configured}): kursus ini disalin "
                f"atau dipindah, dan perintah akan bekerja pada kursus asli.")
    url = str(cd.get("db_url") or "")
    if url.startswith("sqlite:///") and not is_within(Path(url[len("sqlite:///"):]), root):
        return (f"gradebook di nbgrader_config.py ({url[len('sqlite:///'):]}) ada di luar folder kursus "
                f"ini: kursus ini disalin atau dipindah.")
    moved_from = info.extra.get("location")
    if moved_from and Path(moved_from) != root:
        shared = []
        if url and not url.startswith("sqlite"):
            shared.append(f"gradebook {hide_password(url)}")
        ex = config["Exchange"].get("root") if "Exchange" in config else None
        if ex and not is_within(Path(str(ex)), root):
            shared.append(f"exchange {ex}")
        if shared:
            return (f"kursus ini disalin atau dipindah dari {moved_from}, dan {' dan '.join(shared)} "
                    f"dipakai bersama dengan kursus asli.")
    return ""


__all__ = ["CONFIG_FILENAME", "COURSE_FILENAME", "Course", "CourseError", "location_problem"]
