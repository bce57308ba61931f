"""Small helpers shared by the stage definitions' check functions."""

from __future__ import annotations

import re

from lablib.core.checks import Answers
from lablib.core.fields import Table
from lablib.core.i18n import T, Text


def missing(a: Answers, *field_ids: str) -> list[Text]:
    """A message for each named field left empty."""
    out = []
    for fid in field_ids:
        if not a.filled(fid):
            out.append(T("'{label}' belum diisi.", "'{label}' is empty.").format(label=a.exercise.field(fid).label))
    return out


def missing_cells(a: Answers, table_id: str, *column_ids: str) -> list[Text]:
    """A message for each empty required cell of the table's non-blank rows (at most five)."""
    table = a.exercise.field(table_id)
    assert isinstance(table, Table)
    cols = [c for c in table.columns if c.id in column_ids] if column_ids else [c for c in table.columns if c.required]
    out = []
    for n, row in enumerate(a.rows(table_id), start=1):
        for col in cols:
            if col.is_empty(row.get(col.id)):
                out.append(T("{tab} baris {n}: '{col}' belum diisi.", "{tab} row {n}: '{col}' is empty.").format(
                    tab=table.label, n=n, col=col.label))
    return out[:5] + ([T("… dan {k} isian kosong lainnya.", "… and {k} more empty cells.").format(k=len(out) - 5)]
                      if len(out) > 5 else [])


def count_between(a: Answers, table_id: str, low: int, high: int | None) -> list[Text]:
    n = len(a.rows(table_id))
    label = a.exercise.field(table_id).label
    if n < low:
        return [T("'{label}' baru berisi {n} baris; perlu paling sedikit {low}.",
                  "'{label}' has {n} rows; at least {low} are needed.").format(label=label, n=n, low=low)]
    if high is not None and n > high:
        return [T("'{label}' berisi {n} baris; paling banyak {high}. Hapus yang kurang penting.",
                  "'{label}' has {n} rows; at most {high}. Remove the less important ones.").format(
            label=label, n=n, high=high)]
    return []


def short(text: object, limit: int = 40) -> str:
    """Quote participant text in a message without letting a long paste flood it."""
    s = str(text or "").strip()
    return s if len(s) <= limit else s[: limit - 1] + "…"


def competition_ranks(totals: list[float]) -> list[int]:
    """Rank 1 for the highest total; equal totals share a rank (1, 1, 3).

    >>> competition_ranks([12, 9, 12, 7])
    [1, 3, 1, 4]
    """
    return [1 + sum(1 for other in totals if other > t) for t in totals]


# ---------------------------------------------------------------- numbers quoted in text

# a minus sign counts only at the start of a word ("turun -78,6%", not "2026-2027" or "T-0")
_NUMBER = re.compile(r"(?:(?<![^\s(])-)?(?<![\d.,])\d[\d.,]*")


def numbers_in(text: str | None) -> list[tuple[float, int]]:
    """Numbers written in a text, Indonesian style, each with how many decimals were written.

    '.' groups thousands and ',' marks decimals ("1.250,5"); a lone '.' before one or two
    digits is read as a decimal point ("3.5").

    >>> numbers_in("dari 14 hari menjadi 3,5 hari; 1.250 warga; 61%.")
    [(14.0, 0), (3.5, 1), (1250.0, 0), (61.0, 0)]
    """
    found = []
    for m in _NUMBER.finditer(text or ""):
        token = m.group().rstrip(".,")
        if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", token):
            token = token.replace(".", "").replace(",", ".")
        else:
            token = token.replace(",", ".")
        if token.count(".") > 1:
            continue
        try:
            value = float(token)
        except ValueError:
            continue
        decimals = len(token.split(".", 1)[1]) if "." in token else 0
        found.append((value, decimals))
    return found


def quotes_number(text: str | None, value: float) -> bool:
    """Whether ``text`` writes ``value``, rounded as precisely as the text writes it.

    >>> quotes_number("turun menjadi 83%", 83.33), quotes_number("menjadi 3,4 hari", 3.25)
    (True, False)
    """
    return any(abs(round(value, d) - x) < 1e-9 for x, d in numbers_in(text))
