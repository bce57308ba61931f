"""The participant list of a bimtek: read from CSV or Excel, checked row by row.

A roster has the columns ``id, nama, opd, jabatan, email`` (header names are matched without
regard to case or surrounding spaces; extra columns are ignored). ``id`` becomes a folder name
in nbgrader's course layout and in the exchange, so it must be folder-safe: lower-case
letters, digits, ``-``, ``_`` and ``.``, not starting with ``.``, unique. A bad roster is
refused as a whole, with every bad row's number (as the trainer sees it in the spreadsheet:
the header is row 1) and reason, so it can be fixed in one go.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

COLUMNS = ("id", "nama", "opd", "jabatan", "email")
REQUIRED_VALUES = ("id", "nama", "opd")
ID_PATTERN = re.compile(r"[a-z0-9_-][a-z0-9._-]{0,63}")
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

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class RosterProblem:
    row: int | None  # spreadsheet row number (header = 1); None for the whole file
    reason: str

    def __str__(self) -> str:
        return f"baris {self.row}: {self.reason}" if self.row is not None else self.reason


class RosterError(ValueError):
    """A roster cannot be used. ``problems`` lists every bad row with its reason."""

    def __init__(self, path: str | os.PathLike, problems: list[RosterProblem]):
        self.path, self.problems = Path(path), list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"daftar peserta {self.path} ditolak ({len(self.problems)} masalah):\n{lines}")


def id_problem(value: str) -> str | None:
    """Why ``value`` cannot be a participant id, or ``None`` when it can.

    >>> id_problem("budi.santoso") is None
    True
    >>> id_problem("Budi")
    "id 'Budi' harus huruf kecil (a-z), angka, '-', '_' atau '.'; tidak diawali '.'"
    """
    if not value:
        return "id kosong"
    if not ID_PATTERN.fullmatch(value):
        if len(value) > 64:
            return f"id '{value[:20]}…' terlalu panjang (maksimal 64 karakter)"
        return f"id '{value}' harus huruf kecil (a-z), angka, '-', '_' atau '.'; tidak diawali '.'"
    return None


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        import zipfile

        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, InvalidFileException) as exc:
            raise RosterError(path, [RosterProblem(None, f"file Excel tidak dapat dibaca ({exc})")]) from None
        try:
            ws = wb.worksheets[0]
            return [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
        finally:
            wb.close()
    if suffix in (".csv", ".txt", ""):
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise RosterError(path, [RosterProblem(None, f"file tidak dapat dibaca ({exc.strerror})")]) from None
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        first = text.splitlines()[0] if text.strip() else ""
        delimiter = ";" if first.count(";") > first.count(",") else ","  # Excel in Indonesian locale uses ';'
        return [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    raise RosterError(path, [RosterProblem(None, f"jenis file '{path.suffix}' tidak dikenal; gunakan .csv atau .xlsx")])


def read_roster(path: str | os.PathLike) -> list[Participant]:
    """Read and check a roster; raise ``RosterError`` listing every problem found."""
    return [p for _, p in read_numbered_roster(path)]


def read_numbered_roster(path: str | os.PathLike) -> list[tuple[int, Participant]]:
    """``read_roster`` with each participant's spreadsheet row number (header = row 1)."""
    path = Path(path)
    if not path.is_file():
        raise RosterError(path, [RosterProblem(None, "file tidak ditemukan")])
    rows = _read_rows(path)
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise RosterError(path, [RosterProblem(None, "file kosong: baris 1 harus berisi judul kolom "
                                                     + ", ".join(COLUMNS))])
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RosterError(path, [RosterProblem(1, f"kolom {', '.join(repr(c) for c in missing)} tidak ada "
                                                  f"(judul kolom yang dibutuhkan: {', '.join(COLUMNS)})")])
    index = {c: header.index(c) for c in COLUMNS}
    problems: list[RosterProblem] = []
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
        problems.append(RosterProblem(None, "tidak ada peserta di bawah baris judul"))
    if problems:
        raise RosterError(path, problems)
    return participants


def write_roster(path: str | os.PathLike, participants: list[Participant]) -> Path:
    """Write a roster CSV (UTF-8, comma) that ``read_roster`` reads back."""
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for p in participants:
            writer.writerow([p.id, p.nama, p.opd, p.jabatan, p.email])
    return path
