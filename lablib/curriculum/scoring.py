"""In-process scoring: the same checks as the form and the autograder, without a kernel."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lablib.core.calendar import Calendar, load_calendar
from lablib.core.checks import ExerciseResult, run_checks
from lablib.curriculum import get_exercise, stage_exercises


@dataclass(frozen=True)
class StageScore:
    stage: str
    exercises: tuple[ExerciseResult, ...]

    @property
    def earned(self) -> float:
        return round(sum(e.earned for e in self.exercises), 4)

    @property
    def available(self) -> float:
        return round(sum(e.available for e in self.exercises), 4)

    def by_check(self) -> dict[tuple[str, str], float]:
        """``{(exercise_id, check_id): earned}`` for reports and comparisons with the gradebook."""
        return {(c.exercise_id, c.check_id): c.earned for e in self.exercises for c in e.checks}


def score_answers(stage: str, answers: Mapping[str, Any], calendar: Calendar | None = None) -> StageScore:
    """Automatic score of a stage's answers mapping (``{exercise_id: {...}}``)."""
    return StageScore(stage, tuple(run_checks(ex, answers, calendar) for ex in stage_exercises(stage)))


def score_folder(folder: str | os.PathLike, stage: str) -> StageScore:
    """Automatic score of the answers file in an assignment folder (read-only: nothing is moved)."""
    from lablib.core.answers import AnswersFileError, AnswerStore, parse_answers_file

    store = AnswerStore(folder, stage)
    try:
        answers = parse_answers_file(store.path, stage)["answers"] if store.path.exists() else {}
    except AnswersFileError:
        answers = {}
    return score_answers(stage, answers, load_calendar(folder))


def check_exercise(exercise_id: str, folder: str | os.PathLike | None = None) -> ExerciseResult:
    """Run one exercise's checks on the answers saved in ``folder`` (default: current folder)."""
    from lablib.core.answers import AnswerStore

    ex = get_exercise(exercise_id)
    folder = Path(folder or os.getcwd())
    loaded = AnswerStore(folder, ex.stage).load()
    return run_checks(ex, loaded.answers, load_calendar(folder))
