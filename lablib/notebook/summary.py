"""A static, read-only summary of one exercise's answers, as HTML and as plain text.

Shown where widgets cannot be: during nbgrader's headless execution (autograde, validate),
in plain Python, in feedback and reports. Every string that may come from a participant
(answers, and labels too, because a definition could quote participant text one day) goes
through ``html.escape``; a value that does not fit its field is shown as typed, with its
message, so the reviewer sees exactly what is in the file.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lablib.core import formatting
from lablib.core.fields import (
    MAX_TABLE_ROWS,
    AnswerError,
    Field,
    LongText,
    Table,
    brief,
    clean_text,
    word_count,
)
from lablib.core.i18n import T, Text

if TYPE_CHECKING:
    from lablib.core.calendar import Calendar
    from lablib.core.exercises import Exercise

SHOW_CHARS = 5000  # longer answers are cut on screen only; the file keeps every character
EMPTY = "—"

_e = html.escape


@dataclass(frozen=True)
class AnswersSummary:
    """What ``lablib.form`` shows without widgets: renders as HTML in a notebook, text in print.

    The text is written when asked for: grading shows only the HTML, hundreds of times a batch."""

    exercise_id: str
    html: str
    write_text: Callable[[], str] = field(repr=False, compare=False)

    @property
    def text(self) -> str:
        return self.write_text()

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class _Shown:
    """One value ready to show: its text, how long it really is, a note and a type error."""

    text: str
    cut_from: int = 0  # the full length when the text was cut for display, else 0
    note: str = ""  # e.g. the word count of a long text
    error: Text | None = None


def exercise_entry(exercise: Exercise, answers_mapping: Mapping[str, Any]) -> dict:
    """The exercise's own ``{field_id: value}`` from either a stage mapping or the entry itself.

    A stage mapping has keys like ``"diagnose.dg1"``; field ids never contain a dot, so the
    two shapes cannot be confused.
    """
    if exercise.id in answers_mapping:
        entry = answers_mapping[exercise.id]
        return with_computed(exercise, answers_mapping, entry) if isinstance(entry, dict) else {}
    if any("." in str(k) for k in answers_mapping):
        return {}
    return with_computed(exercise, {exercise.id: dict(answers_mapping)}, dict(answers_mapping))


def with_computed(exercise: Exercise, stage_answers: Mapping[str, Any], entry: dict) -> dict:
    """A copy of ``entry`` with the exercise's ``Computed`` values (fields and table columns) as
    ``Answers`` computes them: a file never holds them, and a stale stored one is replaced."""
    from lablib.core.checks import Answers
    from lablib.core.fields import Computed

    computed = [f for f in exercise.fields if isinstance(f, Computed)]
    tables = [f for f in exercise.fields if isinstance(f, Table) and any(isinstance(c, Computed) for c in f.columns)]
    if not computed and not tables:
        return entry
    view = Answers(exercise, stage_answers)
    out = dict(entry)
    for f in computed:
        out[f.id] = view[f.id]
    for table in tables:
        raw = entry.get(table.id)
        if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
            continue
        typed, _ = table.coerce_rows(raw)
        shown = iter(view.rows(table.id))  # the non-blank rows, in order, with their computed cells
        rows = []
        for raw_row, typed_row in zip(raw, typed):
            row = dict(raw_row)
            if table.non_blank_rows([typed_row]):
                done = next(shown)
                row.update({c.id: done[c.id] for c in table.columns if isinstance(c, Computed)})
            rows.append(row)
        out[table.id] = rows + [dict(r) for r in raw[len(typed):]]
    return out


def shown_value(field_: Field, raw: Any) -> _Shown:
    """How a raw stored value reads on screen (never raises)."""
    try:
        typed = field_.coerce(raw)
    except AnswerError as exc:
        return _cut(_raw_text(raw), error=exc.message)
    note = ""
    if isinstance(field_, LongText) and not field_.is_empty(typed):
        note = str(T("({n} kata)", "({n} words)").format(n=word_count(typed)))
    return _cut(field_.display(typed), note=note)


def _raw_text(raw: Any) -> str:
    """Any stored value as text: a text as it is, anything else briefly (``brief`` never fails
    on a 5,000-digit number or a list nested 50,000 deep)."""
    if raw is None:
        return EMPTY
    return raw if isinstance(raw, str) else brief(raw, SHOW_CHARS)


def _cut(text: str, note: str = "", error: Text | None = None) -> _Shown:
    """Cut to ``SHOW_CHARS`` and cleaned (``clean_text``: control characters, lone surrogates)."""
    if len(text) <= SHOW_CHARS:
        return _Shown(clean_text(text), 0, note, error)
    return _Shown(clean_text(text[:SHOW_CHARS]), len(text), note, error)


def _cut_note(shown: _Shown) -> Text:
    return T("… (ditampilkan {s} dari {n} karakter; jawaban lengkap tetap tersimpan)",
             "… (showing {s} of {n} characters; the full answer is kept)").format(
        s=formatting.number(SHOW_CHARS), n=formatting.number(shown.cut_from))


# ------------------------------------------------------------------------------ HTML

_BOX = "color:#1a1a1a;font-family:inherit;max-width:62em"
_ERR = "color:#b71c1c"
_CELL = "border:1px solid #bbb;padding:3px 6px;vertical-align:top;text-align:left"


def _value_html(shown: _Shown) -> str:
    body = f'<span style="white-space:pre-wrap">{_e(shown.text)}</span>'
    if shown.cut_from:
        body += f' <em style="color:#555">{_e(str(_cut_note(shown)))}</em>'
    if shown.note:
        body += f' <small style="color:#555">{_e(shown.note)}</small>'
    if shown.error is not None:
        body += f'<div style="{_ERR}">⚠ {_e(str(shown.error))}</div>'
    return body


def _table_html(table: Table, raw: Any) -> str:
    if raw is None or raw == []:
        return _e(EMPTY)
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        return _value_html(_cut(_raw_text(raw), error=T(
            "Tabel '{label}' rusak: harus berupa daftar baris.",
            "Table '{label}' is malformed: it must be a list of rows.").format(label=table.label)))
    rows = _shown_rows(table, raw)
    too_many = _value_html(_Shown("", error=table.too_many_rows(len(raw)))) if len(raw) > MAX_TABLE_ROWS else ""
    if not rows:
        return too_many or _e(EMPTY)
    head = "".join(f'<th style="{_CELL}">{_e(str(c.label_text()))}</th>' for c in table.columns)
    body = []
    for n, row in enumerate(rows, start=1):
        cells = "".join(f'<td style="{_CELL}">{_value_html(shown_value(c, row.get(c.id)))}</td>'
                        for c in table.columns)
        body.append(f'<tr><td style="{_CELL}">{n}</td>{cells}</tr>')
    return (f'<div style="overflow-x:auto"><table style="border-collapse:collapse;font-size:90%">'
            f'<thead><tr><th style="{_CELL}">No</th>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>{too_many}')


def _shown_rows(table: Table, raw: list[dict]) -> list[dict]:
    """The non-blank rows among the first ``MAX_TABLE_ROWS``: the rows the checks read."""
    return [r for r in raw[:MAX_TABLE_ROWS] if any(not _blank(r.get(c.id)) for c in table.columns)]


def _blank(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def notices_html(notices: tuple[Text, ...] | list[Text]) -> str:
    """A prominent box for messages about the answers file (recovered, corrupt, missing)."""
    if not notices:
        return ""
    items = "".join(f"<li>{_e(str(n))}</li>" for n in notices)
    return ('<div role="alert" style="background:#fff3cd;border:2px solid #c98a00;color:#3d2a00;'
            f'padding:6px 10px;margin:6px 0;border-radius:4px"><ul style="margin:0;padding-left:1.2em">'
            f"{items}</ul></div>")


def answers_html(exercise: Exercise, answers_mapping: Mapping[str, Any], calendar: Calendar | None = None,
                 *, with_checks: bool = False, notices: tuple[Text, ...] = ()) -> str:
    """Static HTML of one exercise's answers; ``with_checks`` adds the self-check result."""
    entry = exercise_entry(exercise, answers_mapping)
    parts = [f'<div class="lablib-summary" style="{_BOX}">',
             f'<h3 style="margin:0.3em 0">{_e(str(exercise.title_text()))}</h3>', notices_html(notices),
             '<dl style="margin:0">']
    for f in exercise.fields:
        value = _table_html(f, entry.get(f.id)) if isinstance(f, Table) else _value_html(
            shown_value(f, entry.get(f.id)))
        parts.append(f'<dt style="font-weight:bold;margin-top:0.6em">{_e(str(f.label_text()))}</dt>'
                     f'<dd style="margin-left:1em">{value}</dd>')
    parts.append("</dl>")
    if with_checks:
        from lablib.core.checks import results_html, run_checks

        mapping = answers_mapping if exercise.id in answers_mapping else {exercise.id: entry}
        parts.append(results_html(run_checks(exercise, mapping, calendar)))
    parts.append("</div>")
    return "".join(parts)


# ------------------------------------------------------------------------------ text

def answers_text(exercise: Exercise, answers_mapping: Mapping[str, Any],
                 notices: tuple[Text, ...] = ()) -> str:
    """The same summary as plain text, for ``print`` outside a notebook."""
    entry = exercise_entry(exercise, answers_mapping)
    lines = [str(exercise.title_text()), *(f"! {n}" for n in notices)]
    for f in exercise.fields:
        lines.append(f"{f.label_text()}:")
        if isinstance(f, Table):
            lines.extend(_table_text(f, entry.get(f.id)))
        else:
            lines.extend(_indent(shown_value(f, entry.get(f.id))))
    return "\n".join(lines)


def _indent(shown: _Shown, prefix: str = "  ") -> list[str]:
    out = [prefix + line for line in shown.text.splitlines() or [""]]
    if shown.cut_from:
        out.append(prefix + str(_cut_note(shown)))
    if shown.note:
        out.append(prefix + shown.note)
    if shown.error is not None:
        out.append(f"{prefix}! {shown.error}")
    return out


def _table_text(table: Table, raw: Any) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        return [f"  {EMPTY}"] if raw is None or raw == [] else _indent(_cut(_raw_text(raw)))
    rows = _shown_rows(table, raw)
    out = [f"  ! {table.too_many_rows(len(raw))}"] if len(raw) > MAX_TABLE_ROWS else []
    if not rows:
        return out or [f"  {EMPTY}"]
    for n, row in enumerate(rows, start=1):
        out.append(f"  {table.row_label} {n}")
        for c in table.columns:
            shown = shown_value(c, row.get(c.id))
            first, *rest = _indent(shown, "      ")
            out.append(f"    {c.label_text()}: {first.strip()}")
            out.extend(rest)
    return out


# ------------------------------------------------------------------------------ from a folder

def folder_summary(exercise: str | Exercise, folder: str | os.PathLike | None = None) -> AnswersSummary:
    """Summary of the answers saved beside the notebook, read without changing anything.

    Used during autograde, so it must never move or rewrite a submission (unlike
    ``AnswerStore.load``, which moves a corrupt file aside for the participant).
    """
    from lablib.core.answers import AnswersFileError, AnswerStore, parse_answers_file
    from lablib.core.exercises import Exercise
    from lablib.curriculum import get_exercise

    if not isinstance(exercise, Exercise):
        exercise = get_exercise(exercise)
    store = AnswerStore(Path(folder or os.getcwd()), exercise.stage)
    answers: dict = {}
    notices: tuple[Text, ...] = ()
    if not store.path.exists():
        notices = (T("Belum ada jawaban tersimpan (file '{n}' tidak ditemukan).",
                     "No saved answers yet (file '{n}' not found).").format(n=store.path.name),)
    else:
        try:
            answers = parse_answers_file(store.path, exercise.stage)["answers"]
        except AnswersFileError as exc:
            notices = (exc.message,)
    return AnswersSummary(exercise.id, answers_html(exercise, answers, notices=notices),
                          lambda: answers_text(exercise, answers, notices=notices))


__all__ = ["SHOW_CHARS", "AnswersSummary", "answers_html", "answers_text", "folder_summary", "notices_html"]
