"""The 5D curriculum as data: every exercise of every stage, in order, and the registry.

Each stage module exports ``EXERCISES``. They are collected and validated (``Exercise.validate``)
the first time an exercise is asked for, so importing ``lablib.curriculum.facts`` alone stays cheap.
A bad definition raises ``DefinitionError`` naming the exercise, the field and what is wrong.
"""

from __future__ import annotations

from lablib.core import checks
from lablib.core.exercises import DefinitionError, Exercise
from lablib.core.stages import get_stage

__all__ = ["all_exercises", "get_exercise", "stage_exercises"]

_REGISTRY: dict[str, Exercise] | None = None


def _registry() -> dict[str, Exercise]:
    global _REGISTRY
    if _REGISTRY is None:
        from lablib.curriculum import deliver, design, diagnose, display, drum_up

        registry: dict[str, Exercise] = {}
        for module in (drum_up, diagnose, design, deliver, display):
            for ex in module.EXERCISES:
                ex.validate()
                if ex.id in registry:
                    raise DefinitionError(ex.id, None, "is defined twice")
                registry[ex.id] = ex
        _check_choice_sources(registry)
        _REGISTRY = registry
    return _REGISTRY


def _check_choice_sources(registry: dict[str, Exercise]) -> None:
    """A dynamic choice fed by another exercise (``"design.ds2:indikator.nama"``) must name a table
    column of it: ``Exercise.validate`` checks only its own tables."""
    from lablib.core.fields import Choice, Table

    for ex in registry.values():
        choices = [f for f in ex.fields if isinstance(f, Choice)]
        choices += [c for t in ex.fields if isinstance(t, Table) for c in t.columns if isinstance(c, Choice)]
        for choice in choices:
            for exercise_id, table_id, column in choice.sources():
                if exercise_id in (None, ex.id):
                    continue
                source = registry.get(exercise_id)
                table = next((f for f in source.fields if f.id == table_id), None) if source else None
                if not isinstance(table, Table) or column not in {c.id for c in table.columns}:
                    raise DefinitionError(ex.id, choice.id,
                                          f"options_from {choice.options_from!r} names no table column")


def get_exercise(exercise_id: str) -> Exercise:
    """The exercise with this id (e.g. ``"diagnose.dg1"``)."""
    reg = _registry()
    try:
        return reg[exercise_id]
    except KeyError:
        raise KeyError(f"unknown exercise {exercise_id!r}; known: {', '.join(reg)}") from None


def all_exercises() -> tuple[Exercise, ...]:
    return tuple(_registry().values())


def stage_exercises(stage: str) -> tuple[Exercise, ...]:
    """The exercises of one stage, in curriculum order."""
    get_stage(stage)
    return tuple(ex for ex in _registry().values() if ex.stage == stage)


# A check may read another exercise's answers (``Answers.other``); the core finds that exercise
# through this registry without importing the curriculum (which sits above it).
checks.use_registry(get_exercise)
