"""The participant list of a bimtek: read from CSV or Excel, checked row by row.

A roster has the columns ``id, nama, opd, jabatan, email`` (header names are matched without
regard to case or surrounding spaces; extra columns are ignored). ``id`` becomes a folder name
in nbgrader's course layout and in the exchange, and a login name, so it must be folder-safe:
lower-case letters, digits, ``-``, ``_`` and ``.``, not starting with ``-`` or ``.``, unique
(``lablib.core.names.participant_id_problem``). A bad roster is refused as a whole, with every
bad row's number (as the trainer sees it in the spreadsheet: the header is row 1) and reason,
so it can be fixed in one go.

An Excel roster is read from the sheet the trainer sees: the workbook's active sheet (the one
Excel opens on) when it is visible, else the first visible one. The other sheets are not read;
the hidden ones are named in ``Roster.notes`` so the trainer knows. Rows hidden in that sheet
(by a filter or by hand) are refused, with their numbers: nobody is enrolled from a row the
trainer cannot see.

Ids are read as the text the trainer typed. Excel keeps at most 15 significant digits of a
number, so an 18-digit NIP typed into a number cell (198703152010011002) is saved as
198703152010011000: a number in the id column is refused, with its row, when it has more than
15 digits or is not a whole number (format the column as Text and type it again); a whole number
of up to 15 digits becomes its digits (``1971``, never ``1971.0``). An id Excel wrote into a CSV
file in scientific notation (``1.98703E+17``) is refused the same way. Two rows with the same
e-mail (compared trimmed and without regard to case) are accepted and named in ``Roster.notes``:
staff of one OPD may share its office e-mail. Two rows with the same id are refused.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

from lablib.core.errors import LablibError
from lablib.core.names import MAX_NAME_LENGTH, participant_id_problem

COLUMNS = ("id", "nama", "opd", "jabatan", "email")
REQUIRED_VALUES = ("id", "nama", "opd")
ID_PATTERN = re.compile(rf"[a-z0-9_][a-z0-9._-]{{0,{MAX_NAME_LENGTH - 1}}}")  # participant_id_problem's rule
EMAIL_PATTERN = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+")
EXCEL_DIGITS = 15  # significant digits Excel keeps of a number
# what Excel (or Python) writes for a large number shown in scientific notation: 1.98703E+17
SCIENTIFIC_PATTERN = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]\d+")
# extra columns holding civil-servant or population numbers (NIP 18 digits, NIK 16): not used by
# lablib, but a number there has lost digits the same way, and the trainer should know
NIP_HEADER = re.compile(r"\b(nip|nik|nrp)\b", re.IGNORECASE)
FIX_AS_TEXT = "format kolom id sebagai Teks lalu ketik ulang"


@dataclass(frozen=True)
class Participant:
    id: str
    nama: str
    opd: str
    jabatan: str = ""
    email: str = ""

    @property
    def first_name(self) -> str:
        return self.nama.split(" ", 1)[0]

    @property
    def last_name(self) -> str:
        parts = self.nama.split(" ", 1)
        return parts[1] if len(parts) > 1 else ""

    @property
    def label(self) -> str:
        """The participant as reports name them: ``"nama (id)"``, or the id alone.

        >>> Participant("ani", "Ani Lestari", "Dinkes").label, Participant("x1", "", "").label
        ('Ani Lestari (ani)', 'x1')
        """
        return f"{self.nama} ({self.id})" if self.nama and self.nama != self.id else self.id

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class RosterProblem:
    row: int | None  # spreadsheet row number (header = 1); None for the whole file
    reason: str

    def __str__(self) -> str:
        return f"baris {self.row}: {self.reason}" if self.row is not None else self.reason


class RosterError(LablibError, ValueError):
    """A roster cannot be used. ``problems`` lists every bad row with its reason."""

    def __init__(self, path: str | os.PathLike, problems: list[RosterProblem]):
        self.path, self.problems = Path(path), list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"daftar peserta {self.path} ditolak ({len(self.problems)} masalah):\n{lines}")


def id_problem(value: str) -> str | None:
    """Why ``value`` cannot be a participant id, or ``None`` when it can (a folder name and a
    login name: see ``lablib.core.names.participant_id_problem``).

    >>> id_problem("budi.santoso") is None
    True
    >>> id_problem("Budi")
    "id 'Budi' harus huruf kecil (a-z), angka, '-', '_' atau '.' (bukan 'B')"
    >>> id_problem("../x")
    "id '../x' tidak boleh berisi '/' atau '\\\\' (harus satu nama folder)"
    >>> [id_problem(v) for v in ("-rf", "--help", ".rahasia")]
    ["id '-rf' tidak boleh diawali '-'", "id '--help' tidak boleh diawali '-'", "id '.rahasia' tidak boleh diawali '.'"]
    """
    return participant_id_problem(value)


def _cell(value: object) -> str:
    """A cell as text: a whole number as its digits, as Excel shows it (no ``.0``, no exponent).

    >>> _cell(1971.0), _cell(1.98703152010011e17), _cell(12.5), _cell(" budi "), _cell(None)
    ('1971', '198703152010011000', '12.5', 'budi', '')
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # the shortest repr is what Excel saved (at most 15 significant digits): written out
        # in full it is the number Excel shows, not the binary float's nearest integer
        return format(Decimal(repr(value)).to_integral_value(), "f")
    text = str(value).strip()
    # "'=..." is how a spreadsheet keeps text that looks like a formula (write_roster does it)
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_START else text


# A cell starting with one of these is a formula to a spreadsheet program.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _as_text_cell(value: str) -> str:
    """``value`` as a CSV cell a spreadsheet reads as text, never as a formula.

    >>> _as_text_cell("=1+1"), _as_text_cell("Budi"), _cell("'=1+1")
    ("'=1+1", 'Budi', '=1+1')
    """
    return "'" + value if value[:1] in FORMULA_START else value


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def numeric_id_problem(value: int | float) -> str | None:
    """Why a number read from an Excel id cell cannot be trusted as an id, or ``None`` when it
    is a whole number Excel keeps exactly (at most 15 digits).

    >>> numeric_id_problem(1971) is None, numeric_id_problem(123456789012345.0) is None
    (True, True)
    >>> numeric_id_problem(1.98703152010011e17)
    'id 198703152010011000 tersimpan sebagai angka di Excel dan mungkin kehilangan digit; format kolom id sebagai Teks lalu ketik ulang'
    >>> numeric_id_problem(12.5)
    'id 12.5 tersimpan sebagai angka pecahan di Excel; format kolom id sebagai Teks lalu ketik ulang'
    """
    if isinstance(value, float) and not value.is_integer():
        return f"id {_cell(value)} tersimpan sebagai angka pecahan di Excel; {FIX_AS_TEXT}"
    if abs(value) >= 10 ** EXCEL_DIGITS:
        return f"id {_cell(value)} tersimpan sebagai angka di Excel dan mungkin kehilangan digit; {FIX_AS_TEXT}"
    return None


def _scientific_id_problem(value: str) -> str | None:
    """An id written in scientific notation (Excel saving a number cell to CSV): its digits are gone.

    >>> _scientific_id_problem("1.98703E+17")
    'id 1.98703E+17 ditulis Excel sebagai notasi ilmiah dan digitnya sudah hilang; format kolom id sebagai Teks di Excel, ketik ulang, lalu simpan lagi'
    >>> _scientific_id_problem("budi") is None, _scientific_id_problem("1e5") is None
    (True, True)
    """
    if SCIENTIFIC_PATTERN.fullmatch(value):
        return (f"id {value} ditulis Excel sebagai notasi ilmiah dan digitnya sudah hilang; format kolom id "
                "sebagai Teks di Excel, ketik ulang, lalu simpan lagi")
    return None


@dataclass(frozen=True, eq=False)
class Roster(Sequence[Participant]):
    """The participants of a checked roster, in file order, and what the trainer should know.

    A sequence of ``Participant`` (``len``, iteration, indexing; equal to another roster or a
    list with the same participants), so it goes wherever a list of participants went.
    ``rows`` are their spreadsheet row numbers (header = row 1); ``notes`` (Bahasa Indonesia,
    for the trainer) say what was not read, e.g. ``"lembar tersembunyi 'Arsip' tidak dibaca"``,
    and what was read but deserves a look (an e-mail shared by two rows); ``sheet`` is the Excel sheet read (``""`` for a CSV file).
    """

    participants: tuple[Participant, ...]
    rows: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()
    path: Path | None = None
    sheet: str = ""

    def __len__(self) -> int:
        return len(self.participants)

    def __iter__(self) -> Iterator[Participant]:
        return iter(self.participants)

    def __getitem__(self, index):  # an int gives a Participant, a slice a tuple of them
        return self.participants[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Roster, list, tuple)):
            return tuple(self.participants) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.participants)

    def numbered(self) -> list[tuple[int, Participant]]:
        """``(row number, participant)`` pairs, for messages that name a row."""
        return list(zip(self.rows, self.participants))


@dataclass
class _Table:
    rows: list[list[str]]
    sheet: str = ""  # the Excel sheet read; "" for CSV
    hidden_rows: tuple[int, ...] = ()  # non-empty rows hidden in that sheet (by a filter or by hand)
    filter_ref: str = ""  # the range of an autofilter with criteria, when the sheet has one
    notes: tuple[str, ...] = ()
    # Excel cells that hold a number, not text: {(row number, column index): value}
    numbers: dict[tuple[int, int], int | float] = field(default_factory=dict)


def _row_ranges(numbers: Sequence[int]) -> str:
    """``"3-5, 9"`` for ``[3, 4, 5, 9]``.

    >>> _row_ranges([3, 4, 5, 9, 11, 12])
    '3-5, 9, 11-12'
    """
    parts: list[str] = []
    start = prev = None
    for n in [*numbers, None]:
        if n is not None and prev is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = n
    return ", ".join(parts)


def _read_excel(path: Path) -> _Table:
    """The sheet the trainer sees: the active sheet if visible, else the first visible one."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException
    from openpyxl.worksheet.worksheet import Worksheet

    try:
        # not read_only: a read-only workbook does not load row_dimensions, so hidden rows would
        # not show (rosters are small)
        wb = load_workbook(path, data_only=True)
    # a missing or unreadable file, not a zip, not .xlsx, a zip without a workbook part, damaged
    # XML inside (ElementTree's and lxml's parse errors are SyntaxErrors)
    except (OSError, ValueError, KeyError, SyntaxError, zipfile.BadZipFile, InvalidFileException) as exc:
        raise RosterError(path, [RosterProblem(None, f"file Excel tidak dapat dibaca ({exc}); buka di Excel "
                                                     "atau LibreOffice, simpan sebagai .xlsx, lalu jalankan lagi")]
                          ) from None
    try:
        active = wb.active
        if isinstance(active, Worksheet) and active.sheet_state == "visible":
            ws = active
        else:
            ws = next((w for w in wb.worksheets if w.sheet_state == "visible"), None)
            if ws is None:
                raise RosterError(path, [RosterProblem(None, "tidak ada lembar yang tampak di file Excel ini; "
                                                             "tampilkan (Unhide) lembar daftar peserta, simpan, "
                                                             "lalu jalankan lagi")])
        notes = []
        if active is not None and active is not ws:
            notes.append(f"lembar tersembunyi '{active.title}' (lembar aktif) tidak dibaca; yang dibaca lembar "
                         f"'{ws.title}', lembar pertama yang tampak")
        for other in wb.worksheets:
            if other is ws or other is active:
                continue
            if other.sheet_state != "visible":  # "hidden" or "veryHidden"
                notes.append(f"lembar tersembunyi '{other.title}' tidak dibaca")
            else:
                notes.append(f"lembar '{other.title}' tidak dibaca (yang dibaca hanya lembar aktif '{ws.title}')")
        raw = list(ws.iter_rows(values_only=True))
        rows = [[_cell(v) for v in row] for row in raw]
        numbers = {(r, c): v for r, row in enumerate(raw, start=1) for c, v in enumerate(row) if _is_number(v)}
        # Excel saves the rows a filter hides with the same flag as rows hidden by hand
        hidden = tuple(r for r, dim in sorted(ws.row_dimensions.items())
                       if dim.hidden and r <= len(rows) and any(rows[r - 1]))
        auto = ws.auto_filter
        filter_ref = str(auto.ref) if auto is not None and auto.ref and auto.filterColumn else ""
        return _Table(rows, ws.title, hidden, filter_ref, tuple(notes), numbers)
    finally:
        wb.close()


def _read_rows(path: Path) -> _Table:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_excel(path)
    if suffix in (".csv", ".txt", ""):
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise RosterError(path, [RosterProblem(None, f"file tidak dapat dibaca ({exc.strerror})")]) from None
        text = ""
        for encoding in ("utf-8-sig", "cp1252", "latin-1"):  # latin-1 decodes any bytes
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        first = text.splitlines()[0] if text.strip() else ""
        delimiter = ";" if first.count(";") > first.count(",") else ","  # Excel in Indonesian locale uses ';'
        try:
            return _Table([[_cell(v) for v in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)])
        except csv.Error as exc:  # e.g. a field longer than the csv module's limit: not a roster
            raise RosterError(path, [RosterProblem(None, f"file CSV tidak dapat dibaca ({exc}); simpan ulang "
                                                         "sebagai CSV dari Excel, lalu jalankan lagi")]) from None
    raise RosterError(path, [RosterProblem(None, f"jenis file '{path.suffix}' tidak dikenal; gunakan .csv atau .xlsx")])


def read_roster(path: str | os.PathLike) -> Roster:
    """Read and check a roster; raise ``RosterError`` listing every problem found.

    Returns a ``Roster``: a sequence of ``Participant`` with their row numbers and the notes
    the trainer should see (``Roster.notes``: hidden or other sheets of an Excel file that were
    not read, e-mails shared by several rows, ids that look like numbers that lost digits). A
    non-empty row hidden in the sheet (by a filter or by hand) is a problem: it is refused, with
    its number, rather than enrolled unseen; so is an id Excel stored as a number it cannot keep
    exactly (see the module docstring).
    """
    path = Path(path)
    if not path.is_file():
        raise RosterError(path, [RosterProblem(None, "file tidak ditemukan")])
    table = _read_rows(path)
    rows = table.rows
    while rows and not any(rows[-1]):
        rows.pop()
    on_sheet = f" di lembar '{table.sheet}'" if table.sheet else ""
    if not rows:
        raise RosterError(path, [RosterProblem(None, f"file kosong{on_sheet}: baris 1 harus berisi judul kolom "
                                                     + ", ".join(COLUMNS))])
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        hint = (" (file Excel dibaca dari lembar yang aktif saat disimpan: buka lembar daftar peserta, simpan, "
                "lalu jalankan lagi)" if table.sheet else "")
        raise RosterError(path, [RosterProblem(1, f"kolom {', '.join(repr(c) for c in missing)} tidak ada{on_sheet} "
                                                  f"(judul kolom yang dibutuhkan: {', '.join(COLUMNS)}){hint}")])
    index = {c: header.index(c) for c in COLUMNS}
    problems: list[RosterProblem] = []
    if table.hidden_rows:
        how = f" (filter aktif pada {table.filter_ref})" if table.filter_ref else ""
        problems.append(RosterProblem(None, f"baris {_row_ranges(table.hidden_rows)} tersembunyi{on_sheet}{how}; "
                                            "peserta di baris tersembunyi tidak didaftarkan. Tampilkan baris itu "
                                            "(hapus filter atau Unhide) atau hapus barisnya, simpan file, lalu "
                                            "jalankan lagi"))
    participants: list[tuple[int, Participant]] = []
    notes: list[str] = []
    seen_ids: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    # extra NIP/NIK columns are not read, but a long number there has lost digits too
    nip_columns = {i: h for i, h in enumerate(rows[0]) if header[i] not in COLUMNS and NIP_HEADER.search(h)}
    nip_lost: dict[int, list[int]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue  # blank lines between participants are harmless
        values = {c: (row[i] if i < len(row) else "") for c, i in index.items()}
        for i in nip_columns:
            if (number, i) in table.numbers and numeric_id_problem(table.numbers[number, i]):
                nip_lost.setdefault(i, []).append(number)
        reasons = []
        for column in REQUIRED_VALUES:
            if not values[column] and column != "id":
                reasons.append(f"{column} kosong")
        pid = values["id"]
        typed_number = table.numbers.get((number, index["id"]))
        bad_id = ((numeric_id_problem(typed_number) if typed_number is not None else None)
                  or _scientific_id_problem(pid) or id_problem(pid))
        if bad_id:
            reasons.append(bad_id)
        elif pid in seen_ids:
            reasons.append(f"id '{pid}' sudah dipakai di baris {seen_ids[pid]}")
        else:
            seen_ids[pid] = number
        if values["email"] and not EMAIL_PATTERN.fullmatch(values["email"]):
            reasons.append(f"email '{values['email']}' tidak sah (contoh: nama@bangkepkab.go.id)")
        if reasons:
            problems.append(RosterProblem(number, "; ".join(reasons)))
            continue
        participants.append((number, Participant(pid, values["nama"], values["opd"], values["jabatan"],
                                                 values["email"])))
        if pid.isdigit() and len(pid) > EXCEL_DIGITS and not pid[EXCEL_DIGITS:].strip("0"):
            notes.append(f"baris {number}: id {pid} berakhiran nol setelah digit ke-{EXCEL_DIGITS}, seperti angka "
                         "yang kehilangan digit di Excel (NIP tidak pernah berakhiran 000); periksa id ini")
        email = values["email"].strip().lower()
        if email and email in seen_emails:
            notes.append(f"baris {number}: email {values['email']} sama dengan baris {seen_emails[email]}; "
                         "keduanya didaftarkan (mis. email kantor OPD yang dipakai bersama)")
        elif email:
            seen_emails[email] = number
    if not participants and not problems:
        problems.append(RosterProblem(None, f"tidak ada peserta di bawah baris judul{on_sheet}"))
    if problems:
        raise RosterError(path, problems)
    for i, numbers in nip_lost.items():
        notes.append(f"kolom '{nip_columns[i]}' baris {_row_ranges(numbers)}: nomor tersimpan sebagai angka di "
                     "Excel dan mungkin kehilangan digit (kolom ini tidak dipakai lablib; bila dipakai di tempat "
                     "lain, format sebagai Teks lalu ketik ulang)")
    return Roster(tuple(p for _, p in participants), tuple(n for n, _ in participants),
                  (*table.notes, *notes), path, table.sheet)


def read_numbered_roster(path: str | os.PathLike) -> list[tuple[int, Participant]]:
    """``read_roster`` as ``(row number, participant)`` pairs (header = row 1), without its notes:
    prefer ``read_roster(path).numbered()`` and show ``notes`` to the trainer."""
    return read_roster(path).numbered()


def write_roster(path: str | os.PathLike, participants: list[Participant]) -> Path:
    """Write a roster CSV (UTF-8, comma) that ``read_roster`` reads back, readable by its owner
    only: it is personal data (names, e-mails, OPDs)."""
    from lablib.core.files import replacing

    path = Path(path)
    with replacing(path, mode=0o600) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for p in participants:
            writer.writerow([p.id, *(_as_text_cell(v) for v in (p.nama, p.opd, p.jabatan, p.email))])
    return path
