"""Paste: rows copied from Excel or Google Sheets, read into a table's cells (no widgets here).

Both spreadsheets put copied cells on the clipboard as tab-separated text: one line per row
(Excel ends lines with ``\\r\\n``), and a cell holding a newline, a tab or a quote is quoted
the CSV way (``"two\\nlines"``, ``""`` for a quote). ``parse_rows`` reads that with the ``csv``
module, recognises an optional header row by the table's column labels, and turns each cell
into what the form would store for it: Indonesian numbers (``1.250,5``), dates as ISO text,
choices matched to their options. A cell that does not fit its column is kept as typed, so the
form shows it with its message instead of losing it.

``place_rows`` puts the pasted rows into a table: first into its blank rows, then as new rows
up to the table's limit; the rows that do not fit are reported by number, never dropped
silently, and existing rows are never overwritten.

The table widget that uses this is ``lablib.notebook.inputs.TableControl``.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from lablib.core.fields import (
    AnswerError,
    Choice,
    Computed,
    DateField,
    Field,
    MultiChoice,
    Number,
    Scale,
    ShortText,
    Table,
)
from lablib.core.i18n import T, Text

MAX_PASTE_CHARS = 2_000_000  # a clipboard beyond this is not a table of answers

UI = {
    "too_long": T("Teks yang ditempel terlalu panjang ({n} karakter). Tempel paling banyak beberapa ratus baris.",
                  "The pasted text is too long ({n} characters). Paste at most a few hundred rows."),
    "unknown_column": T("Kolom '{c}' tidak ada di tabel ini; isinya tidak diambil.",
                        "Column '{c}' is not in this table; its cells were not taken."),
    "extra_cells": T("Baris tempelan {rows} berisi lebih banyak kolom daripada tabel ({n} kolom); kolom "
                     "kelebihannya tidak diambil.",
                     "Pasted row(s) {rows} have more columns than the table ({n}); the extra cells were "
                     "not taken."),
    "nothing": T("Tidak ada baris untuk ditempel. Salin sel dari Excel atau Google Sheets, lalu tempel di kotak ini.",
                 "No rows to paste. Copy cells in Excel or Google Sheets, then paste them into this box."),
    "taken": T("{n} baris ditempel ({where}).", "{n} row(s) pasted ({where})."),
    "into_blank": T("{n} mengisi baris kosong", "{n} into blank rows"),
    "appended": T("{n} ditambahkan di bawah", "{n} added below"),
    "not_taken": T("Baris tempelan {rows} TIDAK diambil: tabel ini paling banyak {m} baris. Baris itu masih "
                   "ada di kotak tempel; hapus baris yang tidak perlu lalu tempel lagi.",
                   "Pasted row(s) {rows} were NOT taken: this table has at most {m} rows. They are still in "
                   "the paste box; remove rows you do not need and paste again."),
}

_MONTHS = {  # Indonesian and English month names and their usual abbreviations
    "jan": 1, "januari": 1, "january": 1, "feb": 2, "februari": 2, "february": 2, "peb": 2, "pebruari": 2,
    "mar": 3, "maret": 3, "march": 3, "apr": 4, "april": 4, "mei": 5, "may": 5, "jun": 6, "juni": 6,
    "june": 6, "jul": 7, "juli": 7, "july": 7, "agu": 8, "agt": 8, "agus": 8, "agustus": 8, "aug": 8,
    "august": 8, "sep": 9, "sept": 9, "september": 9, "okt": 10, "oktober": 10, "oct": 10, "october": 10,
    "nov": 11, "nop": 11, "november": 11, "nopember": 11, "des": 12, "desember": 12, "dec": 12, "december": 12,
}


@dataclass(frozen=True)
class Pasted:
    """Rows read from pasted text: ``rows`` as the form stores them (column id -> value),
    ``records`` the same rows' cells as pasted (to give back the rows that did not fit),
    ``header`` the first line's cells when it named the columns, ``problems`` what was not taken."""

    rows: tuple[dict, ...]
    records: tuple[tuple[str, ...], ...]
    header: tuple[str, ...]
    problems: tuple[Text, ...]


@dataclass(frozen=True)
class Placement:
    """Where pasted rows went: the table's rows afterwards, the indices of blank rows filled,
    how many rows were appended, and the numbers (from 1) of the pasted rows that did not fit."""

    rows: tuple[dict, ...]
    filled: tuple[int, ...]
    appended: int
    left: tuple[int, ...]

    @property
    def taken(self) -> int:
        return len(self.filled) + self.appended


def pasted_columns(table: Table) -> tuple[Field, ...]:
    """The columns a paste fills, in the table's order: every column but the computed ones."""
    return tuple(c for c in table.columns if not isinstance(c, Computed))


def records(text: str) -> list[list[str]]:
    """Tab-separated text as rows of cells; lines with no text in any cell are skipped.

    >>> records('Nama\\tJumlah\\r\\nA\\t1.250,5\\r\\n"dua\\nbaris"\\t3\\r\\n\\r\\n')
    [['Nama', 'Jumlah'], ['A', '1.250,5'], ['dua\\nbaris', '3']]
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t", quotechar='"')
    return [row for row in reader if any(cell.strip() for cell in row)]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip(" *:").casefold()


def _names(col: Field) -> set[str]:
    names = {_norm(col.label), _norm(col.id), _norm(col.id.replace("_", " "))}
    if col.label_en:
        names.add(_norm(col.label_en))
    names |= {_norm(re.sub(r"\s*\(.*?\)", "", n)) for n in list(names)}  # "Level (1–3)" -> "level"
    return names - {""}


def _header_map(first: list[str], columns: Sequence[Field]) -> list[Field | None] | None:
    """The column of each cell of ``first`` when it is a header row (at least half of its
    non-empty cells name a column), else None."""
    found: list[Field | None] = []
    for cell in first:
        key = _norm(cell)
        found.append(next((c for c in columns if key and key in _names(c)), None))
    named = [c for c in first if c.strip()]
    hits = sum(f is not None for f in found)
    return found if hits and hits * 2 >= len(named) else None


def parse_rows(text: str, table: Table, options: dict[str, Sequence[str]] | None = None) -> Pasted:
    """Pasted tab-separated text as rows of ``table``; ``options`` gives the current options of
    dynamic choices by column id. Cells go to the columns in the table's order (computed
    columns skipped) unless the first line is a header row, which then says which is which.

    >>> from lablib.core.fields import Number, ShortText, Table
    >>> t = Table("t", "T", columns=(ShortText("nama", "Nama"), Number("n", "Jumlah")))
    >>> parse_rows("Jumlah\\tNama\\r\\n1.250,5\\tA\\r\\n7\\tB\\r\\n", t).rows
    ({'nama': 'A', 'n': 1250.5}, {'nama': 'B', 'n': 7})
    """
    if len(text) > MAX_PASTE_CHARS:
        return Pasted((), (), (), (UI["too_long"].format(n=len(text)),))
    columns = pasted_columns(table)
    lines = records(text)
    problems: list[Text] = []
    header = _header_map(lines[0], columns) if lines else None
    head: tuple[str, ...] = ()
    if header is not None:
        head = tuple(lines[0])
        for cell, col in zip(lines[0], header):
            if col is None and cell.strip():
                problems.append(UI["unknown_column"].format(c=cell.strip()[:80]))
        lines = lines[1:]
        mapping: list[Field | None] = header
    else:
        mapping = list(columns)
    extra: list[int] = []
    rows: list[dict] = []
    for n, cells in enumerate(lines, start=1):
        if len(cells) > len(mapping) and any(c.strip() for c in cells[len(mapping):]):
            extra.append(n)
        row = {c.id: c.empty_value() for c in columns}
        for cell, col in zip(cells, mapping):
            if col is not None:
                row[col.id] = cell_value(col, cell, (options or {}).get(col.id))
        rows.append(row)
    if extra:
        problems.append(UI["extra_cells"].format(rows=number_ranges(extra), n=len(mapping)))
    return Pasted(tuple(rows), tuple(tuple(r) for r in lines), head, tuple(problems))


def cell_value(col: Field, text: str, options: Sequence[str] | None = None) -> Any:
    """What the form stores for ``text`` pasted into column ``col`` (JSON-ready); a cell that
    does not fit is kept as typed, and the form shows its message.

    >>> cell_value(Number("n", "N"), "Rp 1.250.000"), cell_value(Number("n", "N"), "2,5%")
    (1250000, 2.5)
    >>> cell_value(DateField("d", "D"), "14/08/2026"), cell_value(DateField("d", "D"), "14 Agu 2026")
    ('2026-08-14', '2026-08-14')
    >>> cell_value(Choice("c", "C", options=("Daring (online)", "Loket")), " loket ")
    'Loket'
    >>> cell_value(MultiChoice("m", "M", options=("Senin", "Selasa")), "selasa; Senin")
    ['Senin', 'Selasa']
    """
    value = text.strip()
    if not value:
        return col.empty_value()
    if isinstance(col, Number):
        return _number(col, value)
    if isinstance(col, DateField):
        day = parse_date(value)
        return day.isoformat() if day is not None else value
    if isinstance(col, Choice):
        return _match(value, options if options is not None else col.options) or value
    if isinstance(col, MultiChoice):
        parts = [p.strip() for p in re.split(r"[;,\n]", value) if p.strip()]
        matched = [_match(p, col.options) or p for p in parts]
        known = [o for o in col.options if o in matched]  # canonical order, as the form stores
        return known + [p for p in matched if p not in col.options]  # unknown kept, with a message
    if isinstance(col, Scale):
        try:
            return col.coerce(value)
        except AnswerError:
            return value
    if isinstance(col, ShortText):
        return text.strip("\r\n")  # spaces inside a pasted paragraph are the participant's
    return value


def _number(col: Number, value: str) -> Any:
    cleaned = re.sub(r"^rp\.?\s*", "", value.replace("\u00a0", " "), flags=re.IGNORECASE).rstrip("% ").strip()
    try:
        number = col.coerce(cleaned)
    except AnswerError:
        return value
    if isinstance(number, float) and number.is_integer():
        return int(number)  # stored as the form stores "1.200": 1200, not 1200.0
    return number


def _match(value: str, options: Sequence[str]) -> str | None:
    key = _norm(value)
    return next((o for o in options if _norm(o) == key), None)


def parse_date(text: str) -> _dt.date | None:
    """A date as spreadsheets show it: ISO (with or without a time), day first with '/', '-' or
    '.' (a month above 12 means the sheet wrote the month first), or with a month name.

    >>> [parse_date(t) for t in ("2026-08-14 00:00:00", "14-8-26", "8/14/2026", "14 Agustus 2026", "besok")]
    [datetime.date(2026, 8, 14), datetime.date(2026, 8, 14), datetime.date(2026, 8, 14), datetime.date(2026, 8, 14), None]
    """
    text = text.strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?", text)
    if m:
        return _date(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?: .*)?", text)
    if m:
        day, month, year = int(m[1]), int(m[2]), _year(m[3])
        if month > 12 >= day:
            day, month = month, day
        return _date(year, month, day)
    m = re.fullmatch(r"(\d{1,2})[\s\-/]+([A-Za-z]+)\.?[\s\-/]+(\d{2}|\d{4})", text)
    if m and m[2].casefold() in _MONTHS:
        return _date(_year(m[3]), _MONTHS[m[2].casefold()], int(m[1]))
    return None


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _date(year: int, month: int, day: int) -> _dt.date | None:
    try:
        return _dt.date(year, month, day)
    except ValueError:
        return None


def place_rows(existing: Sequence[dict], pasted: Sequence[dict], is_blank: Callable[[dict], bool],
               limit: int) -> Placement:
    """Put ``pasted`` rows into the table: blank rows first (each keeps its own keys, the pasted
    cells on top), then appended up to ``limit`` rows in all. Rows with answers are never touched.

    >>> p = place_rows([{"a": "x"}, {"a": ""}], [{"a": "1"}, {"a": "2"}, {"a": "3"}], lambda r: not r["a"], 3)
    >>> p.rows, p.filled, p.appended, p.left
    (({'a': 'x'}, {'a': '1'}, {'a': '2'}), (1,), 1, (3,))
    """
    rows = [dict(r) for r in existing]
    queue = list(enumerate(pasted, start=1))
    filled: list[int] = []
    for i, row in enumerate(rows):
        if not queue:
            break
        if is_blank(row):
            _n, new = queue.pop(0)
            row.update(new)
            filled.append(i)
    appended = 0
    while queue and len(rows) < limit:
        _n, new = queue.pop(0)
        rows.append(dict(new))
        appended += 1
    return Placement(tuple(rows), tuple(filled), appended, tuple(n for n, _ in queue))


def placement_messages(placement: Placement, limit: int) -> list[Text]:
    """What the participant reads after a paste: how many rows went where, and which did not fit."""
    parts = []
    if placement.filled:
        parts.append(UI["into_blank"].format(n=len(placement.filled)))
    if placement.appended:
        parts.append(UI["appended"].format(n=placement.appended))
    out = []
    if placement.taken:
        where = Text(", ".join(p.id for p in parts), ", ".join(p.en or p.id for p in parts))
        out.append(UI["taken"].format(n=placement.taken, where=where))
    if placement.left:
        out.append(UI["not_taken"].format(rows=number_ranges(placement.left), m=limit))
    return out


def leftover_text(pasted: Pasted, placement: Placement) -> str:
    """The pasted rows that did not fit, as tab-separated text (with the header row if there was
    one), to stay in the paste box."""
    if not placement.left:
        return ""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    if pasted.header:
        writer.writerow(pasted.header)  # so the columns are read the same way when pasted again
    for n in placement.left:
        writer.writerow(pasted.records[n - 1])
    return out.getvalue()


def number_ranges(numbers: Sequence[int]) -> str:
    """Row numbers as a short list: ``1–3, 7``.

    >>> number_ranges([1, 2, 3, 7, 9, 10])
    '1–3, 7, 9–10'
    """
    out: list[str] = []
    start = prev = None
    for n in list(numbers) + [None]:
        if start is not None and (n is None or n != prev + 1):
            out.append(str(start) if start == prev else f"{start}–{prev}")
            start = None
        if n is not None and start is None:
            start = n
        prev = n
    return ", ".join(out)


__all__ = [
    "Pasted",
    "Placement",
    "cell_value",
    "leftover_text",
    "number_ranges",
    "parse_date",
    "parse_rows",
    "pasted_columns",
    "place_rows",
    "placement_messages",
    "records",
]
