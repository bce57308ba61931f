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
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from lablib.core.errors import LablibError
from lablib.core.names import MAX_NAME_LENGTH, participant_id_problem

COLUMNS = ("id", "nama", "opd", "jabatan", "email")
REQUIRED_VALUES = ("id", "nama", "opd")
ID_PATTERN = re.compile(rf"[a-z0-9_][a-z0-9._-]{{0,{MAX_NAME_LENGTH - 1}}}")  # participant_id_problem's rule
EMAIL_PATTERN = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+")


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
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@dataclass(frozen=True, eq=False)
class Roster(Sequence[Participant]):
    """The participants of a checked roster, in file order, and what the trainer should know.

    A sequence of ``Participant`` (``len``, iteration, indexing; equal to another roster or a
    list with the same participants), so it goes wherever a list of participants went.
    ``rows`` are their spreadsheet row numbers (header = row 1); ``notes`` (Bahasa Indonesia,
    for the trainer) say what was not read, e.g. ``"lembar tersembunyi 'Arsip' tidak dibaca"``;
    ``sheet`` is the Excel sheet read (``""`` for a CSV file).
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
        rows = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
        # Excel saves the rows a filter hides with the same flag as rows hidden by hand
        hidden = tuple(r for r, dim in sorted(ws.row_dimensions.items())
                       if dim.hidden and r <= len(rows) and any(rows[r - 1]))
        auto = ws.auto_filter
        filter_ref = str(auto.ref) if auto is not None and auto.ref and auto.filterColumn else ""
        return _Table(rows, ws.title, hidden, filter_ref, tuple(notes))
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
    not read). A non-empty row hidden in the sheet (by a filter or by hand) is a problem: it is
    refused, with its number, rather than enrolled unseen.
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
    seen_ids: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue  # blank lines between participants are harmless
        values = {c: (row[i] if i < len(row) else "") for c, i in index.items()}
        reasons = []
        for column in REQUIRED_VALUES:
            if not values[column] and column != "id":
                reasons.append(f"{column} kosong")
        pid = values["id"]
        bad_id = id_problem(pid)
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
        else:
            participants.append((number, Participant(pid, values["nama"], values["opd"], values["jabatan"],
                                                     values["email"])))
    if not participants and not problems:
        problems.append(RosterProblem(None, f"tidak ada peserta di bawah baris judul{on_sheet}"))
    if problems:
        raise RosterError(path, problems)
    return Roster(tuple(p for _, p in participants), tuple(n for n, _ in participants), table.notes, path,
                  table.sheet)


def read_numbered_roster(path: str | os.PathLike) -> list[tuple[int, Participant]]:
    """``read_roster`` as ``(row number, participant)`` pairs (header = row 1), without its notes:
    prefer ``read_roster(path).numbered()`` and show ``notes`` to the trainer."""
    return read_roster(path).numbered()


def write_roster(path: str | os.PathLike, participants: list[Participant]) -> Path:
    """Write a roster CSV (UTF-8, comma) that ``read_roster`` reads back."""
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for p in participants:
            writer.writerow([p.id, p.nama, p.opd, p.jabatan, p.email])
    return path
