"""Helpers for the review-sheet tests: fill a sheet as a narasumber would, rewrite its hidden record."""

from __future__ import annotations

import json

from openpyxl import load_workbook

from lablib.reports.review import FIRST_DATA_ROW, HEADER_ROW, MAIN_SHEET, META_SHEET
from lablib.reports.review_format import _write_meta_sheet


def columns(ws) -> dict[str, int]:
    """{header text: column index} of the header row."""
    return {str(c.value): c.column for c in ws[HEADER_ROW] if c.value}


def rows(ws) -> dict[str, int]:
    return {ws.cell(r, 1).value: r for r in range(FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, 1).value}


def level_col(ws, exercise_code: str, criterion_id: str) -> int:
    return columns(ws)[f"{exercise_code} {criterion_id}: Level (0–4)"]


def fill(path, values: dict, out=None):
    """Set (level, comment) for (student, exercise code, criterion id); returns the saved path.
    A value of ``...`` leaves that cell as exported."""
    wb = load_workbook(path)
    ws = wb[MAIN_SHEET]
    where = rows(ws)
    for (student, code, crit), (level, comment) in values.items():
        col = level_col(ws, code, crit)
        if level is not ...:
            ws.cell(where[student], col).value = level
        if comment is not ...:
            ws.cell(where[student], col + 2).value = comment
    out = out or path
    wb.save(out)
    return out


def read_meta(path) -> dict:
    wb = load_workbook(path)
    payload = "".join(r[1] for r in wb[META_SHEET].iter_rows(values_only=True) if r[0] == "data")
    return json.loads(payload)


def rewrite_meta(path, **changes) -> None:
    """Rewrite the hidden record with ``changes``, signed as lablib signs it (a sheet that another
    course or another export would have produced)."""
    record = read_meta(path)
    record.update(changes)
    wb = load_workbook(path)
    del wb[META_SHEET]
    _write_meta_sheet(wb.create_sheet(META_SHEET), record)
    wb.save(path)
