"""The narasumber's rubric review as an Excel sheet that merges back into the gradebook cell by cell.

``export_review`` writes one workbook per stage (or per reviewer: some participants, some
criteria): one row per participant; per rubric criterion the participant's relevant answers
(read-only, grey), a level cell 0–4 with a dropdown, the points (a formula of the level; a
score that is no 0–4 level, such as formgrader's 2 of 3 points, is shown as "2/3 poin") and a
comment. A hidden, checksummed sheet records, for every cell, what the sheet showed and what the
gradebook held at export time.

``import_review`` merges cell by cell: it writes only the level and comment cells the reviewer
changed against what the sheet was exported with, never touches the rest (an untouched sheet
writes nothing; an off-grid score left alone stays), and reports a *conflict* only where the
same cell was also changed in the gradebook since the export (or the participant re-submitted).
``force=True`` overrides exactly those conflicts. So two reviewers' sheets, for disjoint or for
overlapping participants, merge in either order without losing a grade; a sheet revised and
imported again builds on what its own earlier import wrote (each export has an id, kept in the
audit of every grade it wrote).

Rows exported for a *second marking* (role ``kedua``, from ``lablib review assign --double``)
are blind (levels and comments left empty) and their import is recorded only in the audit
table, for inter-rater agreement (``lablib.reports.agreement``); it never changes the grade.
Every grade written is recorded with its reviewer and time (``lablib.reports.audit``).

Import writes exactly what formgrader writes: ``Grade.manual_score`` of the rubric task cell
``rubrik-<code>-<criterion>`` (with ``needs_manual_grade`` cleared) and
``Comment.manual_comment``. A sheet with any bad cell (a level of 7 or "baik", a formula, a row
the export did not have) is refused as a whole, naming sheet, row and column of the first bad
cells and counting the rest. The file is read streaming (openpyxl's read-only mode) after its
size is checked, so a huge or damaged file is refused at once, never loaded whole.

The work is in three modules: ``review_format`` (layout, the hidden record, what an import
reports), ``review_export`` and ``review_import``; this one is their public face.
"""

from __future__ import annotations

from lablib.reports.review_export import REFERENCES, export_review, shown_answers
from lablib.reports.review_format import (
    FIRST_DATA_ROW,
    FORMAT,
    FORMAT_VERSION,
    HEADER_ROW,
    MAIN_SHEET,
    META_SHEET,
    RUBRIC_SHEET,
    CellProblem,
    Conflict,
    ImportResult,
    ReviewError,
)
from lablib.reports.review_format import (
    _slug as _slug,  # a reviewer's name in a file name (assignment, demo)
)
from lablib.reports.review_format import _stage as _stage
from lablib.reports.review_import import import_review, parse_level

__all__ = [
    "FIRST_DATA_ROW",
    "FORMAT",
    "FORMAT_VERSION",
    "HEADER_ROW",
    "MAIN_SHEET",
    "META_SHEET",
    "REFERENCES",
    "RUBRIC_SHEET",
    "CellProblem",
    "Conflict",
    "ImportResult",
    "ReviewError",
    "export_review",
    "import_review",
    "parse_level",
    "shown_answers",
]
