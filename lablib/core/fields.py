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
from dataclasses import dataclass
from typing import Any, ClassVar

from lablib.core import formatting
from lablib.core.i18n import T, Text

MAX_TEXT_CHARS = 20_000  # a long answer beyond this is almost surely a paste accident


class AnswerError(ValueError):
    """A stored answer value does not fit its field; ``message`` is participant-facing."""

    def __init__(self, message: Text):
        super().__init__(message.get("en"))
        self.message = message


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
    shown = repr(value) if not isinstance(value, str) else f"'{value[:40]}'"
    return AnswerError(
        T("Isian '{label}' harus {exp} (tertulis {val}).", "'{label}' must be {exp} (got {val}).").format(
            label=field_.label, exp=expected.id, val=shown))


@dataclass(frozen=True)
class ShortText(Field):
    max_chars: int = 300
    kind: ClassVar[str] = "short_text"

    def empty_value(self) -> str:
        return ""

    def coerce(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            raise _bad(self, T("teks"), value)
        if len(value) > MAX_TEXT_CHARS:
            raise AnswerError(T("Isian '{label}' terlalu panjang ({n} karakter; paling banyak {m}).",
                                "'{label}' is too long ({n} characters; at most {m}).").format(
                label=self.label, n=len(value), m=MAX_TEXT_CHARS))
        return value


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
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            raise _bad(self, T("angka"), value)
        if isinstance(value, str):
            # Indonesian writing uses '.' for thousands and ',' for decimals ("1.250,5").
            text = value.strip().replace(" ", "")
            if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", text):
                text = text.replace(".", "").replace(",", ".")
            else:
                text = text.replace(",", ".")
            try:
                value = float(text)
            except ValueError:
                raise _bad(self, T("angka"), value) from None
        if not isinstance(value, (int, float)) or math.isnan(value) or math.isinf(value):
            raise _bad(self, T("angka"), value)
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

    options_from: str = ""  # "table_field.column": options are that column's current values

    def coerce(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise _bad(self, T("salah satu pilihan"), value)
        if self.options and value not in self.options:
            raise AnswerError(T("Pilihan '{val}' tidak dikenal untuk '{label}'. Pilih salah satu: {opts}.",
                                "Unknown choice '{val}' for '{label}'. Choose one of: {opts}.").format(
                val=value[:40], label=self.label, opts=", ".join(self.options)))
        return value


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
        unknown = [v for v in value if v not in self.options]
        if unknown:
            raise AnswerError(T("Pilihan '{val}' tidak dikenal untuk '{label}'.",
                                "Unknown choice '{val}' for '{label}'.").format(val=unknown[0][:40], label=self.label))
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
        if value is None or value == "" or value == 0:
            return None
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if (isinstance(value, bool) or not isinstance(value, (int, float))
                or math.isnan(value) or math.isinf(value) or float(value) != int(value)):
            raise _bad(self, T("skala 1–5"), value)
        return int(value)

    def out_of_range(self, value: int | None) -> bool:
        return value is not None and not (self.minimum <= value <= self.maximum)


@dataclass(frozen=True)
class Table(Field):
    """Rows the participant adds and removes; each column is itself a field."""

    columns: tuple[Field, ...] = ()
    min_rows: int = 0
    max_rows: int | None = None
    row_label: str = "Baris"
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
        if value is None:
            return [], []
        if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
            return [], [T("Tabel '{label}' rusak: harus berupa daftar baris.",
                          "Table '{label}' is malformed: it must be a list of rows.").format(label=self.label)]
        rows, errors = [], []
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

    def non_blank_rows(self, rows: list[dict]) -> list[dict]:
        """Rows with at least one cell filled: a row added and left blank is not an answer."""
        return [r for r in rows if any(not c.is_empty(r.get(c.id)) for c in self.columns)]


FIELD_KINDS: dict[str, type[Field]] = {
    cls.kind: cls for cls in (ShortText, LongText, Number, DateField, Choice, MultiChoice, Scale, Table)
}

__all__ = [
    "FIELD_KINDS",
    "AnswerError",
    "Choice",
    "DateField",
    "Field",
    "LongText",
    "MultiChoice",
    "Number",
    "Scale",
    "ShortText",
    "Table",
    "word_count",
]
