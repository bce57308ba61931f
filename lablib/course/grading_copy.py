"""What a grading copy of a submission may hold, shared by both ways of grading.

The course's ``KeepOnlyCourseFiles`` protection (``lablib.course.protections``, run by nbgrader)
and kernel-free grading (``lablib.course.direct``, which never imports nbgrader) empty the
grading copy down to the same allow-list and clean the answers file the same way; both take
the rules from here.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from lablib.core.answers import (
    AnswersFileError,
    answers_bytes,
    parse_answers_file,
    strip_unknown_answers,
)
from lablib.core.stages import get_stage

__all__ = ["NBGRADER_FILES", "allowed_in", "strip_unknown_keys"]

NBGRADER_FILES = ("timestamp.txt", "submission_secret.txt")  # nbgrader's own bookkeeping in a submission


def allowed_in(course_folders: Iterable[str | os.PathLike], assignment: str) -> set[str]:
    """Relative paths a grading copy may hold: nbgrader's bookkeeping, every file of the
    stage's ``course_folders`` (``source/<stage>``, ``release/<stage>``: notebooks and the
    course's own files) and the stage's answers file."""
    allowed: set[str] = set(NBGRADER_FILES)
    for folder in map(Path, course_folders):
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.is_file() and not path.is_symlink():
                    allowed.add(path.relative_to(folder).as_posix())
    try:
        allowed.add(get_stage(assignment).answers_filename)
    except KeyError:
        pass
    return allowed


def strip_unknown_keys(answers: Path, stage: str) -> list[str]:
    """Remove keys no exercise knows from the grading copy's answers file; return them.

    A file that cannot be read is left as it is (``grade_check`` tells the participant), and so
    is one whose cleaned form cannot be written back."""
    from lablib.curriculum import all_exercises

    if not answers.is_file():
        return []
    try:  # the participant's own reader: size, nesting and huge numbers are refused alike
        doc = parse_answers_file(answers, stage)
    except AnswersFileError:
        return []
    stripped = strip_unknown_answers(doc, all_exercises())
    if stripped:
        try:
            data = answers_bytes(doc, answers)  # ASCII escapes for a lone surrogate
        except (AnswersFileError, TypeError):
            return []
        answers.unlink()  # nbgrader may have left the grading copy read-only
        answers.write_bytes(data)
    return stripped
