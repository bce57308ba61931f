"""Participant and roster text made safe for every file the reports write: HTML, Word, Excel, CSV.

A participant's answers file can hold anything JSON can (hand-edited, or pasted from Word or a
PDF): control characters (``\\x0b`` is Word's manual line break, ``\\x0c`` its page break),
lone UTF-16 surrogates (``"\\ud800"``, which cannot be written as UTF-8), integers of thousands
of digits (Python refuses ``str()`` of an int over 4,300 digits), texts of megabytes. Roster
text (names, OPDs, posts) can start with ``=``, ``+``, ``-`` or ``@``, which a spreadsheet
reads as a formula (CSV/formula injection, OWASP). Every writer of the reports goes through
this module, so none of that can stop a cohort-wide command or run in the trainer's Excel:

- ``clean_text``: what XML (Word, Excel) and HTML can hold, as the participant's form shows it
  (``lablib.core.fields.clean_text``: Word's line and page breaks become line breaks, other
  control characters go, lone surrogates become U+FFFD);
- ``safe_str``: ``str()`` that never raises (a huge integer is described, not written out);
- ``cut``: a shown value cut to a length, marked with ``…``; nothing is removed from the
  participant's files, only from what a page or a cell shows;
- ``spreadsheet_value`` / ``set_cell`` / ``append_row``: a workbook cell's value: text is
  always stored as text (never a formula; text starting like a formula also carries Excel's
  ``quotePrefix``, so editing the cell keeps it text), numbers Excel cannot hold become text;
- ``csv_value``: a CSV cell: text that a spreadsheet would read as a formula is prefixed with
  ``'`` (OWASP's advice); numbers stay numbers.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from lablib.core.fields import clean_text as _clean_answer_text
from lablib.core.fields import digit_count

__all__ = [
    "FORMULA_START",
    "MAX_CELL_CHARS",
    "append_row",
    "clean_text",
    "csv_value",
    "cut",
    "safe_str",
    "set_cell",
    "spreadsheet_value",
]

MAX_CELL_CHARS = 32_000  # Excel holds at most 32,767 characters in a cell
MAX_EXCEL_DIGITS = 15  # Excel keeps 15 significant digits; a longer integer is kept as text
MAX_WRITTEN_DIGITS = 1000  # a longer integer is described ("bilangan 5001 digit"), not written out
# What a spreadsheet reads as the start of a formula (OWASP "CSV injection": = + - @, tab, CR).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Beyond what ``lablib.core.fields.clean_text`` replaces (control characters, lone surrogates):
# the two non-characters XML 1.0 refuses.
_NOT_XML = re.compile("[\ufffe\uffff]")


def clean_text(text: str) -> str:
    """``text`` as XML (Word, Excel) and HTML can hold it, and as UTF-8 can encode it: the
    participant side's ``lablib.core.fields.clean_text``, so a page shows an answer as the form
    does (Word's line and page breaks become line breaks, other control characters go, lone
    surrogates become U+FFFD), and XML's non-characters U+FFFE/U+FFFF become U+FFFD.

    >>> clean_text("Perda\\x0bNo. 1 \\ud800!\\uffff")
    'Perda\\nNo. 1 \\ufffd!\\ufffd'
    >>> clean_text("tab\\tdan baris\\nbaru")
    'tab\\tdan baris\\nbaru'
    """
    text = _clean_answer_text(text)
    return _NOT_XML.sub("\ufffd", text) if _NOT_XML.search(text) else text


def safe_str(value: Any) -> str:
    """``str(value)`` that never raises, cleaned (``clean_text``).

    >>> safe_str(10 ** 5000)
    '(bilangan 5001 digit)'
    >>> safe_str(None), safe_str(12), safe_str("a\\x0bb")
    ('', '12', 'a\\nb')
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return _int_text(value)
    try:
        return clean_text(str(value))
    except (ValueError, RecursionError, TypeError, OverflowError):
        return f"({type(value).__name__})"


def _int_text(value: int) -> str:
    """An int's digits; one too long to write (Python refuses over 4,300 digits) described."""
    digits = digit_count(value)
    if digits <= MAX_WRITTEN_DIGITS:
        return str(value)
    return f"({'-' if value < 0 else ''}bilangan {digits} digit)"


def cut(text: str, limit: int, mark: str = "…") -> str:
    """``text`` shown in at most ``limit`` characters (plus ``mark`` when it was cut).

    >>> cut("abcdef", 3), cut("abc", 3)
    ('abc…', 'abc')
    """
    return text if len(text) <= limit else text[:limit] + mark


def spreadsheet_value(value: Any, limit: int = MAX_CELL_CHARS) -> Any:
    """A value a workbook cell can hold exactly as meant.

    Text is cleaned and cut to ``limit`` (Excel's cell limit by default); ``None``, booleans,
    finite floats and integers of at most 15 digits stay as they are; other numbers (``NaN``,
    infinity, a 5,000-digit integer) become text or blank; anything else becomes its text.

    >>> spreadsheet_value(float("nan")) is None, spreadsheet_value(10 ** 20), spreadsheet_value(7)
    (True, '100000000000000000000', 7)
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return cut(clean_text(value), limit)
    if isinstance(value, numbers.Integral):
        value = int(value)
        return value if abs(value) < 10 ** MAX_EXCEL_DIGITS else cut(_int_text(value), limit)
    if isinstance(value, (float, Decimal)) or isinstance(value, numbers.Real):
        try:
            number = float(value)
        except (OverflowError, ValueError):
            return cut(safe_str(value), limit)
        return number if math.isfinite(number) else None
    return cut(safe_str(value), limit)


def _as_text(cell) -> None:
    """Make a text cell text for good: openpyxl reads any text starting with ``=`` as a formula,
    so the type is set back to text; and text a spreadsheet would read as a formula gets Excel's
    ``quotePrefix`` (the hidden apostrophe of a cell typed as ``'=…``), so it stays text even
    when a reviewer edits the cell and presses Enter. The value itself is not changed."""
    if isinstance(cell.value, str):
        if cell.data_type == "f":
            cell.data_type = "s"
        if cell.value.startswith(FORMULA_START):
            cell.quotePrefix = True


def set_cell(cell, value: Any, limit: int = MAX_CELL_CHARS):
    """Put ``value`` (``spreadsheet_value``) in an openpyxl cell; text is stored as text, never as
    a formula (``_as_text``). Returns the cell."""
    cell.value = spreadsheet_value(value, limit)
    _as_text(cell)
    return cell


def append_row(ws, values: Iterable[Any], limit: int = MAX_CELL_CHARS) -> None:
    """``ws.append(values)`` with every value through ``set_cell``."""
    from openpyxl.cell.cell import Cell

    # The cells are made first and appended (openpyxl places them): asking the sheet for the row
    # just written (``ws.max_row``) scans every cell, so a sheet of N rows cost N² (most of the
    # cohort report's time at a few thousand participants).
    ws.append([set_cell(Cell(ws), v, limit) for v in values])


def csv_value(value: Any, limit: int = MAX_CELL_CHARS) -> Any:
    """A CSV cell: text a spreadsheet would read as a formula starts with ``'``; numbers stay numbers.

    >>> csv_value("=HYPERLINK(1)"), csv_value("-1"), csv_value(-1), csv_value(None)
    ("'=HYPERLINK(1)", "'-1", -1, '')
    """
    value = spreadsheet_value(value, limit)
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
