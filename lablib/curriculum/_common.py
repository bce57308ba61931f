"""Small helpers shared by the stage definitions' check functions."""

from __future__ import annotations

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
