"""Automatic checks: pure functions from a participant's answers to a result.

A check function takes an ``Answers`` view and returns a list of problems (``Text``); an
empty list means it passed and earns all its points. The same ``run_checks`` is called by
the form's "Periksa" button, by the nbgrader test cells and by trainer tools, so the three
always agree.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from lablib.core import formatting
from lablib.core.calendar import DEFAULT_CALENDAR, Calendar
from lablib.core.fields import AnswerError, Choice, Computed, Field, Table, clean_text
from lablib.core.i18n import T, Text


class Exercise(Protocol):
    """What the checks need of an exercise (``lablib.core.exercises.Exercise`` has it). Named as
    a protocol so that this module, which the exercise model builds on, never imports it."""

    id: str
    fields: tuple[Field, ...]
    checks: tuple[Check, ...]

    def field(self, field_id: str) -> Field: ...

    def title_text(self) -> Text: ...


class Answers:
    """Typed, read-only view of one exercise's answers, with access to the rest of the stage.

    A value that does not fit its field reads as ``None`` and its message is kept in
    ``type_errors``, so one mistyped number never stops the other checks.
    """

    def __init__(self, exercise: Exercise, stage_answers: Mapping[str, Any], calendar: Calendar | None = None):
        self.exercise = exercise
        self._stage_answers = stage_answers
        self.calendar = calendar or DEFAULT_CALENDAR  # workshop and Deliver windows, due dates
        raw = stage_answers.get(exercise.id)
        raw = raw if isinstance(raw, dict) else {}
        self.type_errors: list[Text] = []
        self._values: dict[str, Any] = {}
        for f in exercise.fields:  # unknown keys in the file are ignored on purpose
            if isinstance(f, Computed):
                continue  # filled in below, once every typed value is known
            if isinstance(f, Table):
                rows, errors = f.coerce_rows(raw.get(f.id))
                rows = f.non_blank_rows(rows)
                for col in f.columns:
                    if isinstance(col, Computed):
                        view = TableRows(rows, self)
                        for row, value in zip(rows, _computed(col, view, [None] * len(rows))):
                            row[col.id] = value
                self._values[f.id] = rows
                self.type_errors.extend(errors)
            else:
                try:
                    self._values[f.id] = f.coerce(raw.get(f.id))
                except AnswerError as exc:
                    self._values[f.id] = None
                    self.type_errors.append(exc.message)

        for f in exercise.fields:
            if isinstance(f, Computed):  # in definition order: one may use an earlier one
                self._values[f.id] = _computed(f, self, None)

    def options(self, choice: Choice) -> list[str]:
        """The current options of a dynamic choice (``Choice.options_from``): the distinct
        non-empty values of its source cells, in the order they were typed."""
        seen: dict[str, None] = {}
        for exercise_id, table_id, column_id in choice.sources():
            view = self if exercise_id in (None, self.exercise.id) else self.other(exercise_id)
            for row in view.rows(table_id) if table_id in view._values else ():
                value = row.get(column_id)
                if isinstance(value, str) and value.strip():
                    seen.setdefault(value.strip(), None)
        return list(seen)

    def __getitem__(self, field_id: str) -> Any:
        return self._values[field_id]

    def get(self, field_id: str, default: Any = None) -> Any:
        value = self._values.get(field_id)
        return default if value is None else value

    def rows(self, table_id: str) -> list[dict]:
        """Non-blank typed rows of a table field."""
        return list(self._values[table_id])

    def filled(self, field_id: str) -> bool:
        return not self.exercise.field(field_id).is_empty(self._values.get(field_id))

    def other(self, exercise_id: str) -> Answers:
        """Answers of another exercise in the same file (or imported from an earlier stage)."""
        if _lookup is None:
            raise LookupError("no exercise registry: import lablib.curriculum first")
        return Answers(_lookup(exercise_id), self._stage_answers, self.calendar)

    def has(self, exercise_id: str) -> bool:
        """Whether the file holds answers for ``exercise_id`` (e.g. imported from an earlier stage)."""
        return isinstance(self._stage_answers.get(exercise_id), dict)


class TableRows(list):
    """A table's typed rows as a computed column receives them, with ``answers``: the view of
    the exercise (its earlier fields, other exercises through ``answers.other``), for a column
    whose value needs more than its own row, e.g. a DS2 baseline or a DG4 criterion weight."""

    def __init__(self, rows: list[dict], answers: Answers):
        super().__init__(rows)
        self.answers = answers


def _computed(f: Computed, source: Any, fallback: Any) -> Any:
    """``f.compute(source)``, or ``fallback`` if it fails: a computed value is a convenience
    shown beside the answers, and one that cannot be computed must not stop the checks (each
    check says what is missing in its own words)."""
    try:
        value = f.compute(source)
    except Exception:  # noqa: BLE001 (any bug in a formula: the value is simply not shown)
        return fallback
    if isinstance(fallback, list) and (not isinstance(value, list) or len(value) != len(fallback)):
        return fallback
    return value


CheckFn = Callable[[Answers], list[Text]]

# Set by ``lablib.curriculum`` when it loads: the core defines exercises but does not know them.
_lookup: Callable[[str], Exercise] | None = None


def use_registry(lookup: Callable[[str], Exercise]) -> None:
    """Let ``Answers.other`` find exercises by id (the curriculum registers itself)."""
    global _lookup
    _lookup = lookup


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    points: float
    fn: CheckFn = field(compare=False, repr=False)
    title_en: str = ""

    def title_text(self) -> Text:
        return Text(self.title, self.title_en)


@dataclass(frozen=True)
class CheckResult:
    exercise_id: str
    check_id: str
    title: Text
    passed: bool
    earned: float
    available: float
    messages: tuple[Text, ...] = ()

    def summary(self, lang: str | None = None) -> str:
        mark = "✓" if self.passed else "✗"
        lines = [f"{mark} {self.title.get(lang)} ({_score(self.earned, self.available, lang)})"]
        lines += [f"   - {shown_message(m, lang)}" for m in self.messages]
        return "\n".join(lines)


@dataclass(frozen=True)
class ExerciseResult:
    """All check results of one exercise; shows itself as a friendly table in a notebook."""

    exercise_id: str
    title: Text
    checks: tuple[CheckResult, ...]

    @property
    def earned(self) -> float:
        return round(sum(c.earned for c in self.checks), 4)

    @property
    def available(self) -> float:
        return round(sum(c.available for c in self.checks), 4)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def __str__(self) -> str:
        head = T("Hasil pemeriksaan {t}: {e} dari {a} poin", "Check results {t}: {e} of {a} points").format(
            t=self.title.get(), e=_pts(self.earned), a=_pts(self.available))
        return "\n".join([str(head)] + [c.summary() for c in self.checks])

    def _repr_html_(self) -> str:
        return results_html(self)


def _pts(x: float) -> str:
    """Points as every lablib page writes them: ``0,5`` (``lablib.core.formatting``)."""
    return formatting.points(x)


_POINTS = T("poin", "points")

SHOWN_MESSAGE_CHARS = 600  # a message may quote a whole answer (20,000 characters): it is cut on screen


def shown_message(message: Text, lang: str | None = None) -> str:
    """A message as shown and printed: cut to ``SHOWN_MESSAGE_CHARS``, control characters and
    lone surrogates replaced (``clean_text``), so printing or encoding it never fails."""
    text = message.get(lang)
    if len(text) > SHOWN_MESSAGE_CHARS:
        text = text[:SHOWN_MESSAGE_CHARS] + "…"
    return clean_text(text)


def _score(earned: float, available: float, lang: str | None = None) -> str:
    """``0/0,5 poin``: the same text as on the feedback page."""
    return formatting.score(earned, available, _POINTS.get(lang))


_CHECK_CRASHED = T(
    "Pemeriksaan ini tidak dapat dijalankan pada jawaban Anda. Periksa isian yang kosong atau "
    "tidak wajar, lalu tekan Periksa lagi. Bila tetap gagal, hubungi fasilitator.",
    "This check could not run on your answers. Look for empty or unusual entries and press Check "
    "again. If it still fails, tell your facilitator.")


def run_check(exercise: Exercise, check: Check, answers: Answers) -> CheckResult:
    try:
        problems = list(check.fn(answers))
    except Exception:  # a definition bug must never show a participant a traceback
        problems = [_CHECK_CRASHED]
    passed = not problems
    return CheckResult(exercise.id, check.id, check.title_text(), passed,
                       float(check.points) if passed else 0.0, float(check.points), tuple(problems))


def run_checks(exercise: Exercise, stage_answers: Mapping[str, Any],
               calendar: Calendar | None = None) -> ExerciseResult:
    """Run every check of ``exercise`` on a stage's answers mapping (``{exercise_id: {...}}``)."""
    view = Answers(exercise, stage_answers, calendar)
    return ExerciseResult(exercise.id, exercise.title_text(),
                          tuple(run_check(exercise, c, view) for c in exercise.checks))


def results_html(result: ExerciseResult, lang: str | None = None) -> str:
    """Escaped HTML of a result: every message may quote participant text."""
    e = html.escape
    head = T("Hasil pemeriksaan: {e} dari {a} poin otomatis", "Check results: {e} of {a} automatic points").format(
        e=_pts(result.earned), a=_pts(result.available))
    rows = []
    for c in result.checks:
        colour = "#1b5e20" if c.passed else "#b71c1c"
        mark = "✓" if c.passed else "✗"
        msgs = "".join(f"<li>{e(shown_message(m, lang))}</li>" for m in c.messages)
        rows.append(
            f'<li style="margin:4px 0"><span style="color:{colour};font-weight:bold">{mark}</span> '
            f"{e(c.title.get(lang))} <small>({e(_score(c.earned, c.available, lang))})</small>"
            + (f"<ul>{msgs}</ul>" if msgs else "") + "</li>")
    return (f'<div class="lablib-result" style="color:#1a1a1a"><strong>{e(head.get(lang))}</strong>'
            f'<ul style="list-style:none;padding-left:0">{"".join(rows)}</ul></div>')
