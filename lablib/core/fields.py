"""Field kinds of an exercise form, and how a raw answer value becomes a typed one.

A field knows three things: how to check its own definition (``validate_definition``),
how to turn a stored JSON value into a typed value (``coerce``, raising ``AnswerError``
with an Indonesian message), and whether a value counts as empty. The form widgets, the
static HTML summary and the checks all go through these, so a value means the same thing
everywhere.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as _dc_field
from typing import Any, ClassVar

from lablib.core import formatting
from lablib.core.i18n import T, Text

# Limits of what one answer can hold. A participant can edit the answers file by hand or paste
# from Word or a PDF; every reader (the form, its static summary, Periksa, grading, scoring)
# stays total and fast because the typed view (``coerce``) refuses anything beyond these with a
# message naming the field. The answers file itself keeps the raw value: nothing is dropped.
MAX_TEXT_CHARS = 20_000  # about 3,000 words: the longest essay asked for is a few hundred; beyond is a paste accident
MAX_TABLE_ROWS = 200  # the longest table a definition allows is a 26-week trial log; a problem list has ~10.
#                      Each row is a card of widgets: 200 open in seconds, 20,000 took the kernel minutes
MAX_NUMBER_DIGITS = 15  # a float holds 15 significant digits exactly; the largest real number, a regional
#                         budget in rupiah (APBD DKI Jakarta ≈ Rp80 triliun), has 14
MAX_NUMBER = 10**MAX_NUMBER_DIGITS  # a number's absolute value must be below this (and finite)
MAX_NUMBER_CHARS = 40  # a number typed as text: "-1.234.567.890.123,45" has 21 characters
MAX_NESTING_DEPTH = 16  # lists and objects in a real answers file nest 6 deep (file, answers, exercise, table,
#                         row, multi-choice list); deeper was made by hand, and Python's json and repr recurse
MAX_FILE_BYTES = 2 * 1024 * 1024  # a full stage is 5–200 KB; 2 MB is ten times the biggest and parses in ~20 ms
SHOWN_VALUE_CHARS = 40  # how much of a refused value a message quotes


class AnswerError(ValueError):
    """A stored answer value does not fit its field; ``message`` is participant-facing."""

    def __init__(self, message: Text):
        super().__init__(message.get("en"))
        self.message = message


# Characters a paste from Word or a PDF leaves behind that no reader should see as they are:
# line and page breaks Word writes as \x0b/\x0c (and Unicode's line separators) become a line
# break; other control characters (invisible, and refused by Word documents and Excel) are
# dropped; a lone UTF-16 surrogate (half of a character: it cannot be written as UTF-8, so no page
# could show it) becomes U+FFFD, the replacement character.
_LINE_BREAKS = frozenset("\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_DIRTY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _clean_char(match: re.Match) -> str:
    char = match.group()
    return "\n" if char in _LINE_BREAKS else "\ufffd" if "\ud800" <= char <= "\udfff" else ""


def clean_text(text: str) -> str:
    """``text`` safe to show, print and encode as UTF-8 (and to put in Word and Excel): Word's
    line breaks as ``\\n``, other control characters dropped, lone surrogates as U+FFFD; tabs and
    line breaks are kept. Only what is read and shown is cleaned: the answers file keeps the text.

    >>> clean_text("Perda\\x0bNo. 1"), clean_text("a\\x00b\\x07\\ud800"), clean_text("biasa\\tsaja\\n")
    ('Perda\\nNo. 1', 'ab\\ufffd', 'biasa\\tsaja\\n')
    """
    return _DIRTY.sub(_clean_char, text) if _DIRTY.search(text) else text


def digit_count(value: int) -> int:
    """Number of decimal digits of an int, without converting it to text (Python refuses to
    write an int of more than 4,300 digits).

    >>> digit_count(0), digit_count(-999), digit_count(1000), digit_count(10**5000)
    (1, 3, 4, 5001)
    """
    value = abs(value)
    if value < 10:
        return 1
    guess = int(value.bit_length() * 0.30102999566398120)  # log10(2): the count is guess or guess + 1
    return guess + 1 if value >= 10**guess else guess


def brief(value: Any, limit: int = SHOWN_VALUE_CHARS) -> str:
    """A short rendering of any value for a message: never raises, never recurses deeply.

    Texts are quoted, cleaned (``clean_text``) and cut; an int too long to show keeps its first
    digits and says how many it has; lists and objects show their first items.

    >>> brief("Antrean KTP-el"), brief("x" * 50, 10), brief([1, [2, [3, [4]]]]), brief(float("nan"))
    ("'Antrean KTP-el'", "'xxxxxxxxxx…'", '[1, [2, […]]]', 'nan')
    >>> brief(-(10**5000))
    '-100000000000… (5.001 digit)'
    """
    text = _brief(value, limit, 0)
    return text if len(text) <= limit + 3 else text[:limit] + "…"  # a quoted text: its quotes and "…"


def _brief(value: Any, limit: int, depth: int) -> str:
    if isinstance(value, str):
        return "'" + clean_text(value[:limit]) + ("…" if len(value) > limit else "") + "'"
    if value is None or isinstance(value, (bool, float)):
        return repr(value)
    if isinstance(value, int):
        if value.bit_length() <= 3 * min(limit, 1000):  # at most ~limit digits: cheap and safe to write out
            return str(value)
        if value.bit_length() > 4_000_000:  # over a million digits: counting them is not worth it
            return ("-" if value < 0 else "") + str(T("(angka lebih dari sejuta digit)", "(a number of over a million digits)"))
        n = digit_count(value)
        lead = abs(value) // 10 ** (n - 12)
        return f"{'-' if value < 0 else ''}{lead}… ({formatting.number(n)} digit)"
    if isinstance(value, (list, tuple, dict)):
        if depth >= 2:
            return "[…]" if not isinstance(value, dict) else "{…}"
        items = value.items() if isinstance(value, dict) else value
        parts: list[str] = []
        used = 0
        for item in items:
            if used > limit:
                parts.append("…")
                break
            part = (f"{_brief(item[0], limit, depth + 1)}: {_brief(item[1], limit, depth + 1)}"
                    if isinstance(value, dict) else _brief(item, limit, depth + 1))
            parts.append(part)
            used += len(part) + 2
        inner = ", ".join(parts)
        return "{" + inner + "}" if isinstance(value, dict) else "[" + inner + "]"
    return f"<{type(value).__name__}>"


def word_count(text: str | None) -> int:
    """Number of words in ``text``.

    >>> word_count("Antrean KTP-el  panjang")
    3
    """
    return len(re.findall(r"\S+", text or ""))


@dataclass(frozen=True)
class Field:
    """Base of all field kinds. ``id`` is a Python-identifier-like key in the answers file."""

    id: str
    label: str
    help: str = ""
    required: bool = True
    label_en: str = ""
    kind: ClassVar[str] = "field"

    def label_text(self) -> Text:
        return Text(self.label, self.label_en)

    def validate_definition(self) -> list[str]:
        problems = []
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.id or ""):
            problems.append(f"id {self.id!r} must be lower-case letters, digits and '_'")
        if not self.label.strip():
            problems.append("label is empty")
        return problems

    def empty_value(self) -> Any:
        return None

    def is_empty(self, value: Any) -> bool:
        return value is None or (isinstance(value, str) and not value.strip())

    def coerce(self, value: Any) -> Any:
        return value

    def display(self, value: Any) -> str:
        """Plain-text rendering of a typed value (the caller escapes it for HTML)."""
        if self.is_empty(value):
            return "—"
        return str(value)


def _bad(field_: Field, expected: Text, value: Any) -> AnswerError:
    return AnswerError(
        T("Isian '{label}' harus {exp} (tertulis {val}).", "'{label}' must be {exp} (got {val}).").format(
            label=field_.label, exp=expected.id, val=brief(value)))


def _too_big(field_: Field, value: Any) -> AnswerError:
    return AnswerError(T(
        "Angka pada isian '{label}' terlalu besar atau terlalu panjang (tertulis {val}); paling banyak "
        "{d} digit. Periksa apakah ada angka yang tertempel dua kali.",
        "The number in '{label}' is too large or too long (got {val}); at most {d} digits. Check for a "
        "number pasted twice.").format(label=field_.label, val=brief(value), d=MAX_NUMBER_DIGITS))


@dataclass(frozen=True)
class ShortText(Field):
    max_chars: int = 300
    kind: ClassVar[str] = "short_text"

    def empty_value(self) -> str:
        return ""

    def coerce(self, value: Any) -> str | None:
        """The text, cleaned for reading (``clean_text``); a number typed into the file reads as
        its digits; a text over ``MAX_TEXT_CHARS`` is refused."""
        if value is None:
            return None
        if isinstance(value, float) and not isinstance(value, bool) and math.isfinite(value):
            return str(value)
        if isinstance(value, int) and not isinstance(value, bool):
            if value.bit_length() > 3 * MAX_NUMBER_CHARS:
                raise _too_big(self, value)
            return str(value)
        if not isinstance(value, str):
            raise _bad(self, T("teks"), value)
        if len(value) > MAX_TEXT_CHARS:
            raise AnswerError(T("Isian '{label}' terlalu panjang ({n} karakter; paling banyak {m}).",
                                "'{label}' is too long ({n} characters; at most {m}).").format(
                label=self.label, n=len(value), m=MAX_TEXT_CHARS))
        return clean_text(value)


@dataclass(frozen=True)
class LongText(ShortText):
    min_words: int = 0
    max_words: int | None = None
    kind: ClassVar[str] = "long_text"

    def validate_definition(self) -> list[str]:
        problems = super().validate_definition()
        if self.min_words < 0:
            problems.append(f"min_words is negative ({self.min_words})")
        if self.max_words is not None and self.max_words < self.min_words:
            problems.append(f"max_words ({self.max_words}) is below min_words ({self.min_words})")
        return problems


@dataclass(frozen=True)
class Number(Field):
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    kind: ClassVar[str] = "number"

    def validate_definition(self) -> list[str]:
        problems = super().validate_definition()
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            problems.append(f"minimum ({self.minimum}) is above maximum ({self.maximum})")
        return problems

    def coerce(self, value: Any) -> float | int | None:
        """A finite number below ``MAX_NUMBER`` (typed as a number or as Indonesian text)."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            raise _bad(self, T("angka"), value)
        if isinstance(value, str):
            # Indonesian writing uses '.' for thousands and ',' for decimals ("1.250,5").
            text = value.strip().replace(" ", "")
            if len(text) > MAX_NUMBER_CHARS:
                raise _too_big(self, value)
            if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", text):
                text = text.replace(".", "").replace(",", ".")
            else:
                text = text.replace(",", ".")
            try:
                value = float(text)
            except ValueError:
                raise _bad(self, T("angka"), value) from None
        if isinstance(value, float):
            if not math.isfinite(value):  # NaN, Infinity, 1e309
                raise _bad(self, T("angka"), value)
        elif not isinstance(value, int):
            raise _bad(self, T("angka"), value)
        if abs(value) >= MAX_NUMBER:  # compared as it is: float() of a 400-digit int overflows
            raise _too_big(self, value)
        if self.integer:
            if float(value) != int(value):
                raise _bad(self, T("bilangan bulat"), value)
            return int(value)
        return int(value) if float(value).is_integer() and isinstance(value, int) else float(value)

    def out_of_range(self, value: float | None) -> bool:
        if value is None:
            return False
        return (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum)

    def display(self, value: Any) -> str:
        """The number in lablib's one Indonesian style (``lablib.core.formatting``): a decimal
        comma, dots between thousands, at most two decimals; rupiah as ``Rp1.250.000``.

        Only the text shown changes: ``coerce`` reads this text back (``"1.250.000,5"``), and
        the answers file keeps the number itself.

        >>> Number("n", "N", unit="orang").display(1250000.5), Number("n", "N", unit="rupiah").display(43900000)
        ('1.250.000,5 orang', 'Rp43.900.000')
        """
        if value is None:
            return formatting.EMPTY
        if self.unit == "rupiah":
            return formatting.rupiah(value)
        if self.unit == "%":
            return formatting.percent(value, 2)
        return f"{formatting.number(value)} {self.unit}".strip()


@dataclass(frozen=True)
class DateField(Field):
    kind: ClassVar[str] = "date"

    def coerce(self, value: Any) -> _dt.date | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        day = formatting.as_date(value)
        if day is None:
            raise _bad(self, T("tanggal (TTTT-BB-HH)"), value)
        return day

    def display(self, value: Any) -> str:
        """The day with its month written out: ``14 Agustus 2019`` (the answers file keeps ISO).

        >>> DateField("d", "D").display(_dt.date(2019, 8, 14))
        '14 Agustus 2019'
        """
        return formatting.date(value) if isinstance(value, _dt.date) else formatting.EMPTY


@dataclass(frozen=True)
class Choice(Field):
    options: tuple[str, ...] = ()
    kind: ClassVar[str] = "choice"

    def validate_definition(self) -> list[str]:
        problems = super().validate_definition()
        if len(self.options) < 2 and not self.dynamic:
            problems.append("needs at least two options")
        if len(set(self.options)) != len(self.options):
            problems.append("has repeated options")
        return problems

    @property
    def dynamic(self) -> bool:
        """A choice with no fixed options picks from rows the participant typed elsewhere."""
        return bool(self.options_from)

    # Where a dynamic choice takes its options: "table.column" of this exercise, or
    # "<exercise id>:table.column" of another one in the stage file (an earlier exercise, or one
    # carried over from an earlier stage), several joined by "|". Options are the current,
    # non-empty values of those cells, so a value that must match an earlier one is picked, not retyped.
    options_from: str = ""

    def sources(self) -> tuple[tuple[str | None, str, str], ...]:
        """``options_from`` as (exercise id or None for this one, table id, column id) triples.

        >>> Choice("c", "C", options_from="penyebab.penyebab|design.ds2:indikator.nama").sources()
        ((None, 'penyebab', 'penyebab'), ('design.ds2', 'indikator', 'nama'))
        """
        out = []
        for part in filter(None, (p.strip() for p in self.options_from.split("|"))):
            exercise, _, rest = part.rpartition(":")
            table, _, column = rest.partition(".")
            out.append((exercise or None, table, column))
        return tuple(out)

    def coerce(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise _bad(self, T("salah satu pilihan"), value)
        if len(value) > MAX_TEXT_CHARS:
            raise _bad(self, T("salah satu pilihan"), value)
        if self.options and value not in self.options:
            raise AnswerError(T("Pilihan {val} tidak dikenal untuk '{label}'. Pilih salah satu: {opts}.",
                                "Unknown choice {val} for '{label}'. Choose one of: {opts}.").format(
                val=brief(value), label=self.label, opts=", ".join(self.options)))
        return clean_text(value)


@dataclass(frozen=True)
class MultiChoice(Field):
    options: tuple[str, ...] = ()
    min_selected: int = 0
    kind: ClassVar[str] = "multi_choice"

    def validate_definition(self) -> list[str]:
        problems = super().validate_definition()
        if len(self.options) < 2:
            problems.append("needs at least two options")
        if len(set(self.options)) != len(self.options):
            problems.append("has repeated options")
        return problems

    def empty_value(self) -> list:
        return []

    def is_empty(self, value: Any) -> bool:
        return not value

    def coerce(self, value: Any) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise _bad(self, T("daftar pilihan"), value)
        unknown = next((v for v in value if v not in self.options), None)
        if unknown is not None:
            raise AnswerError(T("Pilihan {val} tidak dikenal untuk '{label}'.",
                                "Unknown choice {val} for '{label}'.").format(val=brief(unknown), label=self.label))
        return [o for o in self.options if o in value]  # canonical order, no repeats

    def display(self, value: Any) -> str:
        return ", ".join(value) if value else "—"


@dataclass(frozen=True)
class Scale(Field):
    """A 1–5 rating."""

    low_label: str = "sangat rendah"
    high_label: str = "sangat tinggi"
    kind: ClassVar[str] = "scale"
    minimum: ClassVar[int] = 1
    maximum: ClassVar[int] = 5

    def coerce(self, value: Any) -> int | None:
        """A whole number (``out_of_range`` says whether it is 1–5); 0 and blank read as empty."""
        if value is None or value == "" or value == 0:
            return None
        if isinstance(value, str) and re.fullmatch(r"[0-9]{1,3}", value.strip()):
            value = int(value.strip())  # ASCII digits only: "²".isdigit() is True, int("²") fails
        if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < MAX_NUMBER:
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= MAX_NUMBER:
            raise _bad(self, T("skala 1–5"), value)
        return value

    def out_of_range(self, value: int | None) -> bool:
        return value is not None and not (self.minimum <= value <= self.maximum)


@dataclass(frozen=True)
class Table(Field):
    """Rows the participant adds and removes; each column is itself a field."""

    columns: tuple[Field, ...] = ()
    min_rows: int = 0
    max_rows: int | None = None
    row_label: str = "Baris"
    # A note shown under each row, from its typed cells (e.g. what each IID level means for the
    # row's indicator); None when there is nothing to say.
    row_note: Callable[[dict], Any] | None = _dc_field(default=None, compare=False, repr=False)
    kind: ClassVar[str] = "table"

    def validate_definition(self) -> list[str]:
        problems = super().validate_definition()
        if not self.columns:
            problems.append("has no columns")
        ids = [c.id for c in self.columns]
        if len(set(ids)) != len(ids):
            problems.append(f"has repeated column ids {sorted({i for i in ids if ids.count(i) > 1})}")
        for col in self.columns:
            if isinstance(col, Table):
                problems.append(f"column {col.id!r} is a table; tables cannot nest")
            problems.extend(f"column {col.id!r}: {p}" for p in col.validate_definition())
        if self.max_rows is not None and self.max_rows < self.min_rows:
            problems.append(f"max_rows ({self.max_rows}) is below min_rows ({self.min_rows})")
        return problems

    def empty_value(self) -> list:
        return []

    def empty_row(self) -> dict:
        return {c.id: c.empty_value() for c in self.columns}

    def is_empty(self, value: Any) -> bool:
        return not value

    def coerce(self, value: Any) -> list[dict]:
        """Typed rows. A bad cell becomes ``None`` in ``coerce_rows``; here it raises."""
        rows, errors = self.coerce_rows(value)
        if errors:
            raise AnswerError(errors[0])
        return rows

    def coerce_rows(self, value: Any) -> tuple[list[dict], list[Text]]:
        """Typed rows and the messages of bad cells. Over ``MAX_TABLE_ROWS`` rows, only the first
        ``MAX_TABLE_ROWS`` are read, and the first message says so."""
        if value is None:
            return [], []
        if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
            return [], [T("Tabel '{label}' rusak: harus berupa daftar baris.",
                          "Table '{label}' is malformed: it must be a list of rows.").format(label=self.label)]
        rows, errors = [], []
        if len(value) > MAX_TABLE_ROWS:
            errors.append(self.too_many_rows(len(value)))
            value = value[:MAX_TABLE_ROWS]
        for n, raw in enumerate(value, start=1):
            row = {}
            for col in self.columns:
                try:
                    row[col.id] = col.coerce(raw.get(col.id))
                except AnswerError as exc:
                    row[col.id] = None
                    errors.append(T("{row} {n}: ", "Row {n}: ").format(row=self.row_label, n=n) + exc.message)
            rows.append(row)
        return rows, errors

    def too_many_rows(self, n: int) -> Text:
        return T("Tabel '{label}' berisi {n} baris; paling banyak {m}. Hanya {m} baris pertama yang dibaca; "
                 "hapus baris yang tidak perlu.",
                 "Table '{label}' has {n} rows; at most {m}. Only the first {m} rows are read; remove the "
                 "rows you do not need.").format(label=self.label, n=n, m=MAX_TABLE_ROWS)

    def non_blank_rows(self, rows: list[dict]) -> list[dict]:
        """Rows with at least one cell filled: a row added and left blank is not an answer."""
        typed = [c for c in self.columns if c.kind != "computed"]  # a computed cell is not an answer
        return [r for r in rows if any(not c.is_empty(r.get(c.id)) for c in typed)]


@dataclass(frozen=True)
class Computed(Field):
    """A value lablib computes and shows read-only: a USG total or rank, a quadrant, a budget
    line or sum, a percentage, a band, a weighted score. The participant never types it, so no
    point is lost to arithmetic, and every reader gets the same number.

    As a table column, ``compute`` takes the table's typed non-blank rows (the other columns
    filled in) and returns one value per row: a rank needs the other rows. As a field of the
    exercise, ``compute`` takes the exercise's ``lablib.core.checks.Answers`` view (which can
    reach other exercises through ``other``). ``Answers`` fills the values in, so the form, the
    checks (and so Periksa and the autograder), the pictures and the documents all read them from
    one place. ``compute`` returns ``None`` where its inputs are missing; a value stored under
    this id in the answers file is ignored.
    """

    compute: Callable[[Any], Any] | None = _dc_field(default=None, compare=False, repr=False)
    unit: str = ""
    required: bool = False
    kind: ClassVar[str] = "computed"

    def validate_definition(self) -> list[str]:
        problems = super().validate_definition()
        if not callable(self.compute):
            problems.append("a computed field needs a compute function")
        return problems

    def coerce(self, value: Any) -> Any:
        """What a formula gives (a number, a short text, a list of names) passes; anything else (a
        stale or hand-edited value in the file: an int of 5,000 digits, a list nested thousands
        deep) reads as empty. ``Answers`` fills in the real value; this never raises."""
        if isinstance(value, bool) or value is None:
            return None
        if isinstance(value, (int, float)):
            return value if abs(value) < MAX_NUMBER and (isinstance(value, int) or math.isfinite(value)) else None
        if isinstance(value, str):
            return clean_text(value) if len(value) <= MAX_TEXT_CHARS else None
        if isinstance(value, (list, tuple)) and len(value) <= MAX_TABLE_ROWS and all(
                isinstance(v, str) and len(v) <= MAX_TEXT_CHARS for v in value):
            return [clean_text(v) for v in value]
        return None

    def display(self, value: Any) -> str:
        """Numbers as ``Number`` shows them (same unit rules); anything else as text."""
        value = self.coerce(value)
        if isinstance(value, (int, float)):
            return Number(self.id, self.label, unit=self.unit).display(value)
        if isinstance(value, list):
            return ", ".join(value) if value else formatting.EMPTY
        return super().display(value)


FIELD_KINDS: dict[str, type[Field]] = {
    cls.kind: cls
    for cls in (ShortText, LongText, Number, DateField, Choice, MultiChoice, Scale, Table, Computed)
}

__all__ = [
    "FIELD_KINDS",
    "MAX_FILE_BYTES",
    "MAX_NESTING_DEPTH",
    "MAX_NUMBER",
    "MAX_NUMBER_CHARS",
    "MAX_NUMBER_DIGITS",
    "MAX_TABLE_ROWS",
    "MAX_TEXT_CHARS",
    "SHOWN_VALUE_CHARS",
    "AnswerError",
    "Choice",
    "Computed",
    "DateField",
    "Field",
    "LongText",
    "MultiChoice",
    "Number",
    "Scale",
    "ShortText",
    "Table",
    "brief",
    "clean_text",
    "digit_count",
    "word_count",
]
