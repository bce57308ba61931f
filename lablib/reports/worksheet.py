"""Printable worksheets: each stage's questions on paper, for a room whose network fails.

``lablib worksheet STAGE`` writes ``lembar-kerja-<stage>.html``: one self-contained HTML page
with a print stylesheet for A4 (``static/worksheet.css``). Everything on it comes from the
exercise definitions (``lablib.curriculum``): each exercise's title, instructions and points,
and for every field its label, help text and limits, drawn as something to write on:

- a short text as one ruled line, a long text as ruled lines sized to the words it expects;
- a number as a box with its unit and range, a date as day / month / year boxes;
- a choice, a multiple choice and a 1–5 scale as tick boxes;
- a table as a ruled grid with the defined columns and a number of empty rows within the
  table's row limits (its choice and scale columns explained below the grid).

No answers are printed. The participant copies the sheet into the stage's form once the
network is back.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lablib.core import formatting
from lablib.core.fields import (
    Choice,
    Computed,
    DateField,
    Field,
    LongText,
    MultiChoice,
    Number,
    Scale,
    ShortText,
    Table,
)
from lablib.core.stages import STAGES, get_stage
from lablib.curriculum import get_exercise, stage_exercises

TEMPLATE = "worksheet.html.j2"
FILENAME = "lembar-kerja-{stage}.html"

# How much paper a field gets. A handwritten line on A4 between 2 cm margins holds about ten
# Indonesian words; a long text without a word limit gets room for a paragraph of about 60 words.
WORDS_PER_LINE = 10
DEFAULT_LONG_WORDS = 60
MIN_LONG_LINES, MAX_LONG_LINES = 3, 16
# Empty rows of a table: two more than its minimum and at least five, never above its maximum;
# a participant who needs more continues on the back of the sheet.
MIN_TABLE_ROWS, EXTRA_TABLE_ROWS, MAX_PRINTED_ROWS = 5, 2, 14
# Relative width of a table column by kind (text needs room to write; a 1–5 score does not).
COLUMN_WEIGHT = {"short_text": 3.0, "long_text": 4.0, "number": 1.8, "date": 1.6, "scale": 1.0,
                 "choice": 2.0, "multi_choice": 2.6}
WIDE_TABLE_COLUMNS = 7  # from this many columns the grid uses a smaller type


@dataclass
class Column:
    label: str
    hint: str  # under the header: unit, range or "lihat keterangan"
    width: float  # percent of the grid's width
    narrow: bool = False  # a number or score in a wide grid: its header is written upwards


@dataclass
class Question:
    """One field as printed: ``kind`` picks the template macro."""

    kind: str
    label: str
    help: str
    notes: list[str]  # the limits in words: "paling sedikit 50 kata", "antara 0 dan 100"
    required: bool
    lines: int = 1
    unit: str = ""
    options: Sequence[str] = ()
    low: str = ""
    high: str = ""
    columns: list[Column] = field(default_factory=list)
    rows: int = 0
    row_label: str = ""
    wide: bool = False  # a table of many columns: smaller type, upright headers for numbers
    legend: list[tuple[str, str]] = field(default_factory=list)  # (column label, what to write)


def _num(value: float) -> str:
    return formatting.number(value)


def _range(f: Number) -> str:
    """``f``'s range in words, or ``""``."""
    lo, hi = f.minimum, f.maximum
    fmt = formatting.rupiah if f.unit == "rupiah" else _num
    if lo is not None and hi is not None:
        return f"antara {fmt(lo)} dan {fmt(hi)}"
    if lo is not None:
        return "tidak negatif" if lo == 0 else f"paling kecil {fmt(lo)}"
    if hi is not None:
        return f"paling besar {fmt(hi)}"
    return ""


def _unit(f: Number) -> str:
    return "Rp" if f.unit == "rupiah" else f.unit


def _number_notes(f: Number) -> list[str]:
    notes = [n for n in (_range(f), "bilangan bulat" if f.integer else "") if n]
    return notes


def _long_lines(f: LongText) -> int:
    words = f.max_words or max(DEFAULT_LONG_WORDS, round(f.min_words * 1.5))
    return max(MIN_LONG_LINES, min(MAX_LONG_LINES, math.ceil(words / WORDS_PER_LINE)))


def _word_notes(f: LongText) -> list[str]:
    if f.min_words and f.max_words:
        return [f"{f.min_words}–{f.max_words} kata"]
    if f.min_words:
        return [f"paling sedikit {f.min_words} kata"]
    if f.max_words:
        return [f"paling banyak {f.max_words} kata"]
    return []


def _source(fields: Iterable[Field], options_from: str) -> str:
    """Where a dynamic choice's options come from, in words: "isian kolom 'Fungsi' pada tabel
    'Fungsi OPD'"; several sources are joined with "atau"; another exercise's table is named by
    its exercise code."""
    fields = list(fields)
    parts = []
    for exercise_id, table_id, column_id in Choice("x", "x", options_from=options_from).sources():
        where = fields
        code = ""
        if exercise_id is not None:
            try:
                other = get_exercise(exercise_id)
            except KeyError:
                continue
            where, code = list(other.fields), f" ({other.code})"
        table = next((f for f in where if f.id == table_id), None)
        column = next((c for c in table.columns if c.id == column_id), None) if isinstance(table, Table) else None
        if column is not None:
            parts.append(f"kolom '{column.label}' pada tabel '{table.label}'{code}")
    return "salah satu isian " + " atau ".join(parts) if parts else "salah satu isian sebelumnya"


def table_rows(f: Table) -> int:
    """How many empty rows the grid of ``f`` gets: within its row limits."""
    rows = max(f.min_rows + EXTRA_TABLE_ROWS, MIN_TABLE_ROWS)
    rows = min(rows, MAX_PRINTED_ROWS)
    rows = max(rows, f.min_rows)
    return min(rows, f.max_rows) if f.max_rows is not None else rows


def _column(col: Field, siblings: Sequence[Field]) -> tuple[str, str | None]:
    """A column's hint under its header, and what its legend line says (None: no legend)."""
    if isinstance(col, Computed):  # on paper nobody computes it for them: say what it is
        if not col.help:
            return "dihitung", "dihitung dari kolom lain (di aplikasi terisi otomatis)"
        return "dihitung", col.help if "dihitung" in col.help else f"dihitung: {col.help}"
    if isinstance(col, Number):
        hint = " · ".join(x for x in (_unit(col), _range(col)) if x)
        return hint, col.help or None
    if isinstance(col, Scale):
        return f"{col.minimum}–{col.maximum}", (f"tulis angka {col.minimum}–{col.maximum} "
                                              f"({col.minimum} = {col.low_label}, {col.maximum} = {col.high_label})")
    if isinstance(col, DateField):
        return "HH/BB/TTTT", col.help or None
    if isinstance(col, Choice):
        if col.dynamic:
            return "lihat keterangan", f"tulis {_source(siblings, col.options_from)}"
        return "lihat keterangan", "tulis salah satu: " + " · ".join(col.options)
    if isinstance(col, MultiChoice):
        least = f" (paling sedikit {col.min_selected})" if col.min_selected else ""
        return "lihat keterangan", f"tulis semua yang sesuai{least}: " + " · ".join(col.options)
    return "", col.help or None


def _table(f: Table, fields: Sequence[Field]) -> Question:
    wide = len(f.columns) >= WIDE_TABLE_COLUMNS
    narrow = [wide and isinstance(c, (Number, Scale)) for c in f.columns]
    weights = [1.2 if n else COLUMN_WEIGHT.get(c.kind, 2.0) for c, n in zip(f.columns, narrow)]
    total = sum(weights) + 0.8  # the row number column
    columns, legend = [], []
    for col, w, n in zip(f.columns, weights, narrow):
        hint, explain = _column(col, list(fields) + [f])
        columns.append(Column(col.label, hint, round(100 * w / total, 2), n))
        if explain:
            legend.append((col.label, explain))
    notes = []
    if f.min_rows:
        notes.append(f"paling sedikit {f.min_rows} baris")
    if f.max_rows is not None:
        notes.append(f"paling banyak {f.max_rows} baris")
    rows = table_rows(f)
    if f.max_rows is None or f.max_rows > rows:
        notes.append("lanjutkan di balik kertas bila barisnya kurang")
    return Question("table", f.label, f.help, notes, f.required, columns=columns, rows=rows,
                    row_label=f.row_label, legend=legend, wide=wide)


def question(f: Field, fields: Sequence[Field] = ()) -> Question:
    """How field ``f`` (of an exercise with ``fields``) is printed."""
    if isinstance(f, Table):
        return _table(f, fields)
    if isinstance(f, LongText):
        return Question("lines", f.label, f.help, _word_notes(f), f.required, lines=_long_lines(f))
    if isinstance(f, ShortText):
        return Question("lines", f.label, f.help, [], f.required, lines=1 if f.max_chars <= 300 else 2)
    if isinstance(f, Number):
        return Question("number", f.label, f.help, _number_notes(f), f.required, unit=_unit(f))
    if isinstance(f, DateField):
        return Question("date", f.label, f.help, [], f.required)
    if isinstance(f, Scale):
        return Question("scale", f.label, f.help, ["lingkari satu angka"], f.required,
                        options=[str(n) for n in range(f.minimum, f.maximum + 1)], low=f.low_label, high=f.high_label)
    if isinstance(f, Computed):
        return Question("lines", f.label, f.help, [f.help or "dihitung dari isian lain (di aplikasi terisi otomatis)"],
                        False, lines=1)
    if isinstance(f, Choice):
        if f.dynamic:
            return Question("lines", f.label, f.help, [f"tulis {_source(fields, f.options_from)}"], f.required)
        return Question("choice", f.label, f.help, ["centang satu"], f.required, options=f.options)
    if isinstance(f, MultiChoice):
        least = f"centang semua yang sesuai (paling sedikit {f.min_selected})" if f.min_selected else \
            "centang semua yang sesuai"
        return Question("choice", f.label, f.help, [least], f.required, options=f.options)
    return Question("lines", f.label, f.help, [], f.required)


def _exercise(ex: Any) -> dict:
    return {
        "anchor": ex.id.replace(".", "-"),
        "code": ex.code,
        "title": ex.title,
        "instructions": ex.instructions,
        "points": ex.points,
        "auto_points": ex.auto_points,
        "rubric_points": ex.rubric_points,
        "criteria": [c.title for c in ex.criteria],
        "questions": [question(f, ex.fields) for f in ex.fields],
    }


def worksheet_html(stage: str, exercises: Sequence[Any] | None = None) -> str:
    """The worksheet of ``stage`` as one HTML page (``exercises``: the stage's own by default)."""
    from lablib.reports.pages import render

    info = get_stage(stage)
    exs = stage_exercises(stage) if exercises is None else tuple(exercises)
    return render(TEMPLATE, stage=info, exercises=[_exercise(ex) for ex in exs],
                  total=round(sum(ex.points for ex in exs), 4))


def write_worksheet(stage: str, out: str | Path | None = None) -> Path:
    """Write the worksheet of ``stage``; ``out`` is a file (``*.html``) or a folder (default: the
    current folder), where it is named ``lembar-kerja-<stage>.html``."""
    page = worksheet_html(stage)
    path = Path(out) if out is not None else Path.cwd()
    if path.suffix.lower() not in (".html", ".htm"):
        path = path / FILENAME.format(stage=stage)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def write_worksheets(folder: str | Path | None = None) -> list[Path]:
    """The five stages' worksheets in ``folder`` (default: the current folder)."""
    base = Path(folder) if folder is not None else Path.cwd()
    return [write_worksheet(s.slug, base) for s in STAGES]


__all__ = ["FILENAME", "Question", "question", "table_rows", "worksheet_html", "write_worksheet",
           "write_worksheets"]
