"""The review sheet's format: its sheet names and layout, the hidden checksummed record of what
every cell showed and held at export (``_write_meta_sheet`` / ``_read_meta``), and what an
import reports (``ImportResult``, ``Conflict``, ``CellProblem``). Shared by ``review_export``
and ``review_import``; ``lablib.reports.review`` is the public face of all three."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lablib.core import formatting
from lablib.core.errors import LablibError
from lablib.core.i18n import Text
from lablib.core.stages import STAGES, get_stage
from lablib.course.gradebook import level_for_score
from lablib.curriculum.grade_ids import describe_grade
from lablib.reports import audit
from lablib.reports.safe import append_row, clean_text, spreadsheet_value

FORMAT = "lablib-review"
FORMAT_VERSION = 2
MAIN_SHEET = "Penilaian"
RUBRIC_SHEET = "Rubrik"
META_SHEET = "_lablib"
HEADER_ROW = 4  # column headers; group headers above, data below
FIRST_DATA_ROW = 5
PRIMARY, SECOND = audit.PRIMARY, audit.SECOND
META_CHUNK = 30_000  # characters of the hidden record per cell (Excel holds 32,767)
MAX_META_ROWS = 5_000
SHOWN_PROBLEMS = 20  # a refusal lists this many bad cells and counts the rest


class ReviewError(LablibError, ValueError):
    """A review sheet cannot be used at all (not a lablib sheet, another course, …); the message
    (in Bahasa Indonesia) names the file and says what to do next."""


def _stage(slug: str):
    """The stage named ``slug``, or ``ReviewError`` naming the valid slugs."""
    try:
        return get_stage(slug)
    except KeyError:
        raise ReviewError(f"tahap {slug!r} tidak dikenal; pilih salah satu: "
                          f"{', '.join(s.slug for s in STAGES)}.") from None


def _few(items: Sequence[str], n: int = 5) -> str:
    """The first ``n`` of ``items`` and how many more: a refusal stays one short line."""
    shown = ", ".join(repr(_clip(i, 30)) for i in items[:n])
    return shown + (f" dan {len(items) - n} lainnya" if len(items) > n else "")


@dataclass(frozen=True)
class CellProblem:
    """A bad cell of a review sheet: where it is and what is wrong (``Text``: Indonesian, with English)."""

    sheet: str
    row: int
    column: str
    message: Text

    def __str__(self) -> str:
        return f"{self.sheet}!{self.column}{self.row} (baris {self.row}, kolom {self.column}): {self.message}"


def _show(score: float | None, comment: str | None, points: float | None = None) -> str:
    s = "kosong" if score is None else formatting.points(score) + " poin"
    if score is not None and points:
        level = level_for_score(points, score)
        s += f" (level {level})" if level is not None else f" (dari {formatting.points(points)}, bukan level 0–4)"
    return s + (f", komentar '{_clip(comment)}'" if comment else "")


@dataclass(frozen=True)
class Conflict:
    """A cell changed both in the sheet and in the gradebook since the export (or re-submitted)."""

    student: str
    grade_name: str
    sheet: str
    row: int
    column: str
    exported: tuple[float | None, str | None]
    current: tuple[float | None, str | None]
    sheet_value: tuple[float | None, str | None]
    reason: str
    fields: tuple[str, ...] = ("nilai",)  # which of "nilai" (level/score) and "komentar" conflict

    def __str__(self) -> str:
        meaning = describe_grade(self.grade_name)
        what = f"{meaning.exercise.code} '{meaning.item.title}'" if meaning else self.grade_name
        points = meaning.points if meaning else None
        return (f"{self.sheet}!{self.column}{self.row}: peserta {self.student}, kriteria {what} "
                f"({' dan '.join(self.fields)}): {self.reason}. Di lembar: {_show(*self.sheet_value, points)}; "
                f"di gradebook sekarang: {_show(*self.current, points)} "
                f"(saat ekspor: {_show(*self.exported, points)})")


@dataclass(frozen=True)
class ImportResult:
    path: Path
    stage: str
    written: tuple[tuple[str, str], ...] = ()  # (student, grade name)
    unchanged: int = 0
    conflicts: tuple[Conflict, ...] = ()
    overwritten: tuple[Conflict, ...] = ()  # conflicts written anyway with force=True
    problems: tuple[CellProblem, ...] = ()
    dry_run: bool = False
    problem_count: int = 0  # all bad cells found (``problems`` keeps the first KEPT_PROBLEMS)
    second_marks: tuple[tuple[str, str], ...] = ()  # second markings recorded (audit only)
    reviewer: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems and not self.conflicts

    def summary(self) -> str:
        lines = []
        if self.problems:
            total = max(self.problem_count, len(self.problems))
            lines.append(f"Lembar {self.path.name} DITOLAK: {total} sel tidak sah; "
                         "tidak ada nilai yang ditulis. Perbaiki sel berikut lalu impor lagi:")
            lines += [f"  - {p}" for p in self.problems[:SHOWN_PROBLEMS]]
            if total > SHOWN_PROBLEMS:
                lines.append(f"  … dan {total - SHOWN_PROBLEMS} sel tidak sah lainnya.")
            return "\n".join(lines)
        verb = "akan ditulis" if self.dry_run else "ditulis"
        by = f" oleh {self.reviewer}" if self.reviewer else ""
        lines.append(f"{self.path.name} ({self.stage}): {len(self.written)} nilai rubrik {verb} ke gradebook{by}, "
                     f"{self.unchanged} sel yang diubah sudah sama di gradebook; sel lain tidak disentuh.")
        if self.second_marks:
            lines.append(f"{len(self.second_marks)} penilaian kedua dicatat untuk kesepakatan antarpenilai "
                         "(tidak mengubah nilai).")
        if self.overwritten:
            lines.append(f"{len(self.overwritten)} konflik ditimpa (--force):")
            lines += [f"  - {c}" for c in self.overwritten[:SHOWN_PROBLEMS]]
        if self.conflicts:
            lines.append(f"{len(self.conflicts)} KONFLIK tidak ditulis: sel ini diubah di lembar DAN di gradebook "
                         "sejak lembar diekspor. Periksa keduanya; impor dengan --force hanya bila nilai di lembar "
                         "yang benar (hanya sel konflik ini yang ditimpa):")
            lines += [f"  - {c}" for c in self.conflicts[:SHOWN_PROBLEMS]]
            if len(self.conflicts) > SHOWN_PROBLEMS:
                lines.append(f"  … dan {len(self.conflicts) - SHOWN_PROBLEMS} konflik lainnya.")
        return "\n".join(lines)


def _clip(text: str | None, n: int = 40) -> str:
    s = " ".join(str(text or "").split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _shown_comment(value: Any) -> str | None:
    """A comment as a sheet cell holds it and as ``_comment`` reads it back: what a later import
    compares the cell with to tell whether the reviewer changed it."""
    return _comment(spreadsheet_value(value))


def _slug(text: str) -> str:
    """A reviewer's name as part of a file name."""
    out = "".join(ch.lower() if ch.isalnum() else "-" for ch in text.strip())
    return "-".join(part for part in out.split("-") if part)[:40] or "narasumber"


def _digest(payload: str) -> str:
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _write_meta_sheet(ws, record: dict) -> None:
    """The export's record as JSON in chunks, with its SHA-256: an edited, cut or damaged record is
    refused on import instead of being half-read."""
    # ASCII only (a workbook cell would clean a lone surrogate and so break the checksum), cut
    # where neither side of the cut is a space (a spreadsheet may trim a cell's outer spaces)
    payload = json.dumps(record, ensure_ascii=True, separators=(",", ":"))
    append_row(ws, ["format", FORMAT, FORMAT_VERSION])
    append_row(ws, ["course_id", record["course_id"]])
    append_row(ws, ["stage", record["stage"]])
    append_row(ws, ["reviewer", record["reviewer"]])
    append_row(ws, ["exported_at", record["exported_at"]])
    append_row(ws, ["sha256", _digest(payload), len(payload)])
    start = 0
    while start < len(payload):
        end = min(start + META_CHUNK, len(payload))
        while end < len(payload) and (payload[end - 1].isspace() or payload[end].isspace()) and end > start + 1:
            end -= 1
        append_row(ws, ["data", payload[start:end]])  # text, even a chunk starting with "="
        start = end
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


@dataclass(frozen=True)
class _Cell:
    """What one exported level/comment pair was: shown in the sheet, and held by the gradebook."""

    role: str
    score: float | None
    comment: str | None
    stamp: str | None
    shown_level: int | None
    shown_comment: str | None


@dataclass
class _Meta:
    course_id: str
    stage: str
    exported_at: str
    reviewer: str
    header_row: int
    first_row: int
    columns: list[tuple[str, str, str, float]] = field(default_factory=list)  # name, level col, comment col, pts
    rows: dict[str, str] = field(default_factory=dict)  # student: role
    cells: dict[tuple[str, str], _Cell] = field(default_factory=dict)
    open_rows: bool = False  # format 1 did not list its rows: any id, with only recorded cells gradable
    sheet_id: str = ""  # this export's id (in the audit of every grade it wrote)


def _broken(path: Path, why: str) -> ReviewError:
    return ReviewError(f"{path.name}: lembar tersembunyi '{META_SHEET}' rusak ({why}); lembar ini tidak dapat "
                       "diimpor. Ekspor ulang lembar penilaian, lalu salin level dan komentar ke lembar yang baru.")


def _read_meta(wb, path: Path) -> _Meta:
    if META_SHEET not in wb.sheetnames or MAIN_SHEET not in wb.sheetnames:
        raise ReviewError(f"{path.name} bukan lembar penilaian lablib (tidak ada lembar '{META_SHEET}' atau "
                          f"'{MAIN_SHEET}'). Buat lembar dengan 'lablib review export TAHAP', isi, lalu impor "
                          "file itu.")
    rows = []
    for n, row in enumerate(wb[META_SHEET].iter_rows(values_only=True)):
        if n >= MAX_META_ROWS:
            raise _broken(path, f"lebih dari {MAX_META_ROWS} baris")
        rows.append(list(row))
    head = {r[0]: r[1:] for r in rows if r and isinstance(r[0], str) and r[0] != "data"}
    fmt = head.get("format") or ()
    if len(fmt) < 2 or fmt[0] != FORMAT:
        raise _broken(path, "penanda format tidak ada")
    try:
        version = int(fmt[1])
    except (TypeError, ValueError):
        raise _broken(path, f"versi format {fmt[1]!r}") from None
    if version > FORMAT_VERSION:
        raise ReviewError(f"{path.name} dibuat oleh lablib yang lebih baru (format lembar {version}; "
                          f"lablib ini hanya membaca sampai {FORMAT_VERSION}). Perbarui lablib, lalu impor lagi.")
    if version < 2:
        return _read_meta_v1(rows, head, path)
    digest = (head.get("sha256") or (None,))[0]
    payload = "".join(str(r[1]) for r in rows if r and r[0] == "data" and len(r) > 1 and r[1] is not None)
    if not isinstance(digest, str) or _digest(payload) != digest:
        raise _broken(path, "isinya diubah atau terpotong; tanda tangan SHA-256 tidak cocok")
    try:
        rec = json.loads(payload)
        meta = _Meta(str(rec["course_id"]), str(rec["stage"]), str(rec["exported_at"]), str(rec["reviewer"]),
                     int(rec["header_row"]), int(rec["first_row"]))
        meta.sheet_id = str(rec["sheet_id"])
        meta.columns = [(str(n), str(lc), str(cc), float(p)) for n, lc, cc, p in rec["columns"]]
        meta.rows = {str(s): str(role) for s, role in rec["rows"]}
        for student, name, role, score, comment, stamp, shown_level, shown_comment in rec["cells"]:
            meta.cells[(str(student), str(name))] = _Cell(
                str(role), None if score is None else float(score), comment, stamp,
                None if shown_level is None else int(shown_level), shown_comment)
    except (KeyError, IndexError, TypeError, ValueError) as exc:  # JSONDecodeError is a ValueError
        raise _broken(path, f"isi tidak terbaca: {type(exc).__name__}") from None
    for key, value in (("course_id", meta.course_id), ("stage", meta.stage), ("reviewer", meta.reviewer)):
        shown = (head.get(key) or (None,))[0]
        if (shown or "") != value:  # the readable copy was edited: the sheet is not what it says
            raise _broken(path, f"baris '{key}' diubah menjadi {_clip(shown)!r}")
    _check_meta_stage(meta, path)
    return meta


def _read_meta_v1(rows: list[list], head: dict, path: Path) -> _Meta:
    """A sheet from lablib's first format (one row per grade, no checksum): what it showed is
    derived from what it recorded, as that exporter wrote it."""
    try:
        meta = _Meta(str(head["course_id"][0]), str(head["stage"][0]), str(head["exported_at"][0]), "",
                     int(head["sheet"][1]), int(head["sheet"][2]), open_rows=True)
        points = {}
        for r in rows:
            if r and r[0] == "column":
                meta.columns.append((str(r[1]), str(r[2]), str(r[3]), float(r[4])))
                points[str(r[1])] = float(r[4])
        for r in rows:
            if r and r[0] == "grade":
                student, name = str(r[1]), str(r[2])
                score = None if r[3] is None else float(r[3])
                comment = r[4] if r[4] not in ("",) else None
                meta.rows[student] = PRIMARY
                meta.cells[(student, name)] = _Cell(PRIMARY, score, comment, None if r[5] is None else str(r[5]),
                                                    level_for_score(points.get(name, 0.0), score),
                                                    _shown_comment(comment))
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise _broken(path, f"isi tidak terbaca: {type(exc).__name__}") from None
    _check_meta_stage(meta, path)
    return meta


def _check_meta_stage(meta: _Meta, path: Path) -> None:
    try:
        get_stage(meta.stage)
    except KeyError:
        raise _broken(path, f"tahap {_clip(meta.stage)!r} tidak dikenal") from None


def _comment(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else str(value)
    # Excel and LibreOffice may save a line break as CR LF; what the reviewer sees is the same
    text = clean_text(text.replace("\r\n", "\n")).strip()
    return text or None
