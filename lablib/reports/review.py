"""The narasumber's rubric review as an Excel sheet that imports back into the gradebook.

``export_review`` writes one workbook per stage: one row per participant; per rubric criterion
the participant's relevant answers (read-only, grey), a level cell 0–4 with a dropdown, the
points computed by a formula (level ÷ 4 × points) and a comment. A hidden sheet keeps what the
gradebook held at export time (manual score, comment, submission time of every criterion), so
``import_review`` can tell a grade changed by someone else since the export (a *conflict*, never
silently overwritten; ``force=True`` overwrites) from one only this sheet changed.

Import writes exactly what formgrader writes: ``Grade.manual_score`` of the rubric task cell
``rubrik-<code>-<criterion>`` (with ``needs_manual_grade`` cleared) and
``Comment.manual_comment``. So the same criteria can be graded in formgrader or in the sheet.
A sheet with any bad cell (a level of 7 or "baik", an unknown participant id, a duplicated
row) is refused as a whole, naming sheet, row and column of every bad cell.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lablib.core import formatting
from lablib.core.errors import LablibError
from lablib.core.exercises import Exercise
from lablib.core.files import replacing
from lablib.core.i18n import T, Text
from lablib.core.rubrics import LEVELS, MAX_LEVEL, Criterion
from lablib.core.stages import STAGES, get_stage
from lablib.course.course import Course
from lablib.course.gradebook import (
    ANSWER_ERRORS,
    GradebookView,
    level_for_score,
    read_gradebook,
    stage_answers,
)
from lablib.curriculum import all_exercises, stage_exercises
from lablib.curriculum.grade_ids import RUBRIC, describe_grade, rubric_grade_id
from lablib.curriculum.references import check_references
from lablib.reports.safe import append_row, clean_text, set_cell

# The answers the sheet shows beside each criterion (``Criterion.shows``), checked against the
# definitions when this module loads: a renamed field fails here instead of an empty cell.
REFERENCES = check_references(dict.fromkeys(
    f"{ex.id}.{field_id}" for ex in all_exercises() for crit in ex.criteria for field_id in crit.shows))

FORMAT = "lablib-review"
FORMAT_VERSION = 1
MAIN_SHEET = "Penilaian"
RUBRIC_SHEET = "Rubrik"
META_SHEET = "_lablib"
HEADER_ROW = 4  # column headers; group headers above, data below
FIRST_DATA_ROW = 5
FIXED_COLUMNS = ("ID peserta", "Nama", "OPD", "Status", "Poin otomatis")
SCORE_TOLERANCE = 1e-6


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


@dataclass(frozen=True)
class CellProblem:
    """A bad cell of a review sheet: where it is and what is wrong (``Text``: Indonesian, with English)."""

    sheet: str
    row: int
    column: str
    message: Text

    def __str__(self) -> str:
        return f"{self.sheet}!{self.column}{self.row} (baris {self.row}, kolom {self.column}): {self.message}"


@dataclass(frozen=True)
class Conflict:
    """A grade that changed in the gradebook after the export and differs from the sheet."""

    student: str
    grade_name: str
    sheet: str
    row: int
    column: str
    exported: tuple[float | None, str | None]
    current: tuple[float | None, str | None]
    sheet_value: tuple[float | None, str | None]
    reason: str

    def __str__(self) -> str:
        def show(v: tuple[float | None, str | None]) -> str:
            score, comment = v
            s = "kosong" if score is None else formatting.points(score)
            return s + (f", komentar '{_clip(comment)}'" if comment else "")
        return (f"{self.sheet}!{self.column}{self.row}: {self.student} / {self.grade_name}: {self.reason} "
                f"(saat ekspor: {show(self.exported)}; di gradebook sekarang: {show(self.current)}; "
                f"di lembar: {show(self.sheet_value)})")


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

    @property
    def ok(self) -> bool:
        return not self.problems and not self.conflicts

    def summary(self) -> str:
        lines = []
        if self.problems:
            lines.append(f"Lembar {self.path.name} DITOLAK: {len(self.problems)} sel tidak sah; "
                         "tidak ada nilai yang ditulis. Perbaiki sel berikut lalu impor lagi:")
            lines += [f"  - {p}" for p in self.problems]
            return "\n".join(lines)
        verb = "akan ditulis" if self.dry_run else "ditulis"
        lines.append(f"{self.path.name} ({self.stage}): {len(self.written)} nilai rubrik {verb} ke gradebook, "
                     f"{self.unchanged} tidak berubah.")
        if self.overwritten:
            lines.append(f"{len(self.overwritten)} konflik ditimpa (--force):")
            lines += [f"  - {c}" for c in self.overwritten]
        if self.conflicts:
            lines.append(f"{len(self.conflicts)} KONFLIK tidak ditulis: nilai ini berubah di gradebook sejak "
                         "lembar diekspor. Periksa, lalu ekspor ulang lembar atau impor dengan --force untuk "
                         "menimpa:")
            lines += [f"  - {c}" for c in self.conflicts]
        return "\n".join(lines)


def _clip(text: str | None, n: int = 40) -> str:
    s = " ".join(str(text or "").split())
    return s if len(s) <= n else s[: n - 1] + "…"


# ============================================================================ export

@dataclass(frozen=True)
class _Column:
    grade_name: str
    exercise: Exercise
    criterion: Criterion
    answers_col: int
    level_col: int
    points_col: int
    comment_col: int


def _criteria_columns(stage: str) -> list[_Column]:
    cols, c = [], len(FIXED_COLUMNS) + 1
    for ex in stage_exercises(stage):
        for crit in ex.criteria:
            cols.append(_Column(rubric_grade_id(ex, crit.id), ex, crit, c, c + 1, c + 2, c + 3))
            c += 4
    return cols


def shown_answers(exercise: Exercise, criterion: Criterion, answers: dict | None) -> str:
    """The answers a reviewer reads for ``criterion``, as plain text."""
    from lablib.reports.documents import MAX_CELL_CHARS, entry_of, field_text

    if answers is None:
        return "— (belum mengumpulkan)"
    entry = entry_of(answers, exercise.id)
    ids = criterion.shows or tuple(f.id for f in exercise.fields)
    parts = []
    for fid in ids:
        try:
            f = exercise.field(fid)
        except KeyError:
            continue
        try:
            shown = field_text(f, entry.get(fid))
        except ANSWER_ERRORS:  # a value that cannot be shown never stops the sheet (or the cohort)
            shown = "— (jawaban tidak dapat ditampilkan; lihat berkas jawaban peserta)"
        parts.append(f"{f.label}:\n{shown}")
    text = "\n\n".join(parts) or "—"
    if len(text) > MAX_CELL_CHARS:
        note = "\n… (terpotong; lihat jawaban lengkap di formgrader)"
        text = text[:MAX_CELL_CHARS - len(note)] + note
    return text


def _status(view: GradebookView, student: str, stage: str) -> str:
    rec = view.record(student, stage)
    if rec is None:
        return "belum mengumpulkan"
    if rec.reviewed:
        return "sudah dinilai narasumber"
    if any(g.manual_score is not None for g in rec.rubric_grades()):
        return "sebagian dinilai narasumber"
    return "dinilai otomatis"


def export_review(course: Course | str | os.PathLike, stage: str, out: str | os.PathLike | None = None,
                  participants: Iterable[str] | None = None) -> Path:
    """Write the review workbook of ``stage``; returns its path (default ``<course>/penilaian/``)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    st = _stage(stage)
    course = Course.of(course)
    columns = _criteria_columns(st.slug)
    if not columns:
        raise ReviewError(f"tahap {st.slug!r} tidak punya kriteria rubrik untuk dinilai narasumber; "
                          "pilih tahap lain.")
    view = read_gradebook(course, [st.slug])
    students = list(participants) if participants is not None else sorted(
        set(view.participants) | {s for (s, stg) in view.records if stg == st.slug})
    students.sort(key=lambda s: (view.record(s, st.slug) is None, s))  # submitters first
    exported_at = _dt.datetime.now().astimezone().isoformat(timespec="seconds")

    wb = Workbook()
    ws = wb.active
    ws.title = MAIN_SHEET
    L = get_column_letter
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap_top = Alignment(wrap_text=True, vertical="top")
    grey = PatternFill("solid", fgColor="EDEDED")
    yellow = PatternFill("solid", fgColor="FFF4C2")
    head_fill = PatternFill("solid", fgColor="1F4E79")
    unlocked = Protection(locked=False)
    last_col = columns[-1].comment_col + 1

    ws.cell(1, 1, f"Lembar penilaian rubrik · {st.title} · kursus {course.course_id}").font = Font(
        bold=True, size=14)
    ws.cell(2, 1, "Isi kolom kuning: Level 0–4 (pilih dari daftar: 0 tidak ada, 1 lemah, 2 cukup, 3 baik, "
                  "4 sangat baik) dan Komentar. Kolom abu-abu hanya untuk dibaca; poin dihitung otomatis "
                  "(level ÷ 4 × poin). Level kosong = belum dinilai; menghapus level yang sudah terisi "
                  "mengosongkan nilainya. Deskripsi setiap level ada di lembar "
                  f"'{RUBRIC_SHEET}'. Lalu jalankan: lablib review import <file>.")
    ws.cell(2, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=min(last_col, 12))
    ws.row_dimensions[2].height = 48

    for i, title in enumerate(FIXED_COLUMNS, start=1):
        ws.cell(HEADER_ROW, i, title)
    for col in columns:
        group = f"{col.exercise.code} · {col.criterion.title} ({formatting.points(col.criterion.points)} poin)"
        ws.cell(HEADER_ROW - 1, col.answers_col, group)
        ws.merge_cells(start_row=HEADER_ROW - 1, start_column=col.answers_col,
                       end_row=HEADER_ROW - 1, end_column=col.comment_col)
        ws.cell(HEADER_ROW - 1, col.answers_col).alignment = Alignment(wrap_text=True, vertical="center")
        ws.cell(HEADER_ROW - 1, col.answers_col).font = Font(bold=True)
        ws.cell(HEADER_ROW, col.answers_col, f"{col.exercise.code} jawaban terkait")
        ws.cell(HEADER_ROW, col.level_col, f"{col.exercise.code} {col.criterion.id}: Level (0–4)")
        ws.cell(HEADER_ROW, col.points_col, f"Poin (maks {formatting.points(col.criterion.points)})")
        ws.cell(HEADER_ROW, col.comment_col, "Komentar")
    ws.cell(HEADER_ROW, last_col, "Total poin rubrik")
    ws.row_dimensions[HEADER_ROW - 1].height = 36
    for c in range(1, last_col + 1):
        cell = ws.cell(HEADER_ROW, c)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = head_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.border = box

    dv = DataValidation(type="list", formula1='"0,1,2,3,4"', allow_blank=True, showDropDown=False,
                        showErrorMessage=True, showInputMessage=True, errorStyle="stop",
                        errorTitle="Level tidak sah", error="Level harus bilangan bulat 0–4.",
                        promptTitle="Level 0–4",
                        prompt="0 tidak ada · 1 lemah · 2 cukup · 3 baik · 4 sangat baik")
    ws.add_data_validation(dv)

    snapshot: list[tuple] = []
    for r, student in enumerate(students, start=FIRST_DATA_ROW):
        info = view.participant(student)
        rec = view.record(student, st.slug)
        answers = stage_answers(course, student, st.slug) if rec is not None else None
        values = (student, info.nama, info.opd, _status(view, student, st.slug),
                  rec.auto_score if rec is not None else None)
        for c, v in enumerate(values, start=1):
            cell = set_cell(ws.cell(r, c), v)  # roster text is text, never a formula
            cell.fill, cell.alignment, cell.border = grey, wrap_top, box
        for col in columns:
            grade = rec.grades.get(col.grade_name) if rec is not None else None
            a = set_cell(ws.cell(r, col.answers_col), shown_answers(col.exercise, col.criterion, answers))
            a.fill, a.alignment, a.border = grey, wrap_top, box
            a.font = Font(size=9)
            lvl = ws.cell(r, col.level_col)
            com = ws.cell(r, col.comment_col)
            if grade is not None:
                level = level_for_score(col.criterion.points, grade.manual_score)
                lvl.value = level
                set_cell(com, grade.comment)
                snapshot.append((student, col.grade_name, grade.manual_score, grade.comment, rec.timestamp))
                for cell in (lvl, com):
                    cell.protection, cell.fill = unlocked, yellow
                dv.add(lvl)
            else:
                for cell in (lvl, com):
                    cell.fill = grey
            lvl.alignment = Alignment(horizontal="center", vertical="top")
            com.alignment = wrap_top
            lvl.border = com.border = box
            ll = L(col.level_col)
            p = ws.cell(r, col.points_col, f'=IF(ISNUMBER({ll}{r}),{ll}{r}/{MAX_LEVEL}*{col.criterion.points:g},"")')
            p.fill, p.border, p.alignment = grey, box, Alignment(horizontal="center", vertical="top")
            p.number_format = "0.00"
        total = ws.cell(r, last_col, "=SUM(" + ",".join(f"{L(c.points_col)}{r}" for c in columns) + ")")
        total.fill, total.border, total.number_format = grey, box, "0.00"
        total.alignment = Alignment(horizontal="center", vertical="top")
        ws.row_dimensions[r].height = 150

    widths = {1: 12, 2: 20, 3: 22, 4: 16, 5: 10, last_col: 10}
    for col in columns:
        widths.update({col.answers_col: 60, col.level_col: 11, col.points_col: 9, col.comment_col: 40})
    for c, w in widths.items():
        ws.column_dimensions[L(c)].width = w
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 3)
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # the reviewer may widen columns and rows
    ws.protection.formatRows = False

    _write_rubric_sheet(wb.create_sheet(RUBRIC_SHEET), columns)
    _write_meta_sheet(wb.create_sheet(META_SHEET), course, st.slug, exported_at, columns, snapshot)

    out = Path(out) if out else course.root / "penilaian" / f"penilaian-{st.slug}.xlsx"
    if out.is_dir():
        out = out / f"penilaian-{st.slug}.xlsx"
    with replacing(out) as tmp:
        wb.save(tmp)
    return out


def _write_rubric_sheet(ws, columns: list[_Column]) -> None:
    from openpyxl.styles import Alignment, Font

    ws.append(["Latihan", "Kriteria", "Poin", "Level", "Arti level", "Deskripsi", "Poin pada level ini"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col in columns:
        for level, desc in enumerate(col.criterion.descriptors):
            ws.append([col.exercise.code, col.criterion.title, col.criterion.points, level,
                       LEVELS[level].get("id"), desc, col.criterion.score(level)])
    for letter, w in zip("ABCDEFG", (9, 40, 7, 7, 13, 80, 10)):
        ws.column_dimensions[letter].width = w
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.protection.sheet = True


def _write_meta_sheet(ws, course: Course, stage: str, exported_at: str, columns: list[_Column],
                      snapshot: list[tuple]) -> None:
    from openpyxl.utils import get_column_letter as L

    ws.append(["format", FORMAT, FORMAT_VERSION])
    ws.append(["course_id", course.course_id])
    ws.append(["stage", stage])
    ws.append(["exported_at", exported_at])
    ws.append(["sheet", MAIN_SHEET, HEADER_ROW, FIRST_DATA_ROW])
    ws.append(["columns", len(columns)])
    for col in columns:
        ws.append(["column", col.grade_name, L(col.level_col), L(col.comment_col), col.criterion.points])
    ws.append(["snapshot", len(snapshot)])
    for student, name, score, comment, stamp in snapshot:
        append_row(ws, ["grade", student, name, score, comment, stamp])
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


# ============================================================================ import

@dataclass
class _Meta:
    course_id: str
    stage: str
    exported_at: str
    header_row: int
    first_row: int
    columns: list[tuple[str, str, str, float]] = field(default_factory=list)  # name, level col, comment col, pts
    snapshot: dict[tuple[str, str], tuple[float | None, str | None, str | None]] = field(default_factory=dict)


def _read_meta(wb, path: Path) -> _Meta:
    if META_SHEET not in wb.sheetnames or MAIN_SHEET not in wb.sheetnames:
        raise ReviewError(f"{path.name} bukan lembar penilaian lablib (tidak ada lembar '{META_SHEET}' atau "
                          f"'{MAIN_SHEET}'). Buat lembar dengan 'lablib review export TAHAP', isi, lalu impor "
                          "file itu.")
    rows = [list(r) for r in wb[META_SHEET].iter_rows(values_only=True)]
    try:
        head = {r[0]: r[1:] for r in rows if r and r[0] in ("format", "course_id", "stage", "exported_at", "sheet")}
        if head["format"][0] != FORMAT:
            raise ValueError
        if int(head["format"][1]) > FORMAT_VERSION:
            raise ReviewError(f"{path.name} dibuat oleh lablib yang lebih baru (format lembar {head['format'][1]}; "
                              f"lablib ini hanya membaca sampai {FORMAT_VERSION}). Perbarui lablib, lalu impor "
                              "lagi.")
        meta = _Meta(str(head["course_id"][0]), str(head["stage"][0]), str(head["exported_at"][0]),
                     int(head["sheet"][1]), int(head["sheet"][2]))
        for r in rows:
            if r and r[0] == "column":
                meta.columns.append((str(r[1]), str(r[2]), str(r[3]), float(r[4])))
            elif r and r[0] == "grade":
                meta.snapshot[(str(r[1]), str(r[2]))] = (
                    None if r[3] is None else float(r[3]), r[4] if r[4] not in ("",) else None,
                    None if r[5] is None else str(r[5]))
    except ReviewError:
        raise
    except (KeyError, IndexError, TypeError, ValueError):
        raise ReviewError(f"{path.name}: lembar tersembunyi '{META_SHEET}' rusak; ekspor ulang lembar penilaian "
                          "lalu salin level dan komentar ke lembar yang baru.") from None
    try:
        get_stage(meta.stage)
    except KeyError:
        raise ReviewError(f"{path.name}: lembar tersembunyi '{META_SHEET}' menyebut tahap {meta.stage!r} yang "
                          "tidak dikenal; ekspor ulang lembar penilaian lalu salin level dan komentar ke lembar "
                          "yang baru.") from None
    return meta


def parse_level(value: Any) -> int | None:
    """A level cell's value as 0–4, ``None`` when blank; ``ValueError`` (``TypeError`` for a boolean) otherwise.

    >>> parse_level(3), parse_level("4"), parse_level(2.0), parse_level(None), parse_level(" ")
    (3, 4, 2, None, None)
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise TypeError(repr(value))
    if isinstance(value, (int, float)):
        if float(value).is_integer() and 0 <= value <= MAX_LEVEL:
            return int(value)
        raise ValueError(f"{value:g}")
    text = str(value).strip()
    if text.isdigit() and 0 <= int(text) <= MAX_LEVEL:
        return int(text)
    raise ValueError(text)


def _level_message(raw: Any) -> Text:
    shown = raw if isinstance(raw, str) else (
        formatting.number(raw, 6) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else repr(raw))
    hint_id, hint_en = "", ""
    words = {str(lvl).lower(): n for n, lvl in enumerate(LEVELS)}
    if isinstance(raw, str) and raw.strip().lower() in words:
        n = words[raw.strip().lower()]
        hint_id, hint_en = f" Untuk '{raw.strip()}' tulis angka {n}.", f" For '{raw.strip()}' write the number {n}."
    return T(f"Level harus bilangan bulat 0–4 (tertulis '{shown}').{hint_id}",
             f"Level must be a whole number 0–4 (got '{shown}').{hint_en}")


def _comment(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else str(value)
    text = text.strip()
    return text or None


def _same(a: tuple[float | None, str | None], b: tuple[float | None, str | None]) -> bool:
    (sa, ca), (sb, cb) = a, b
    if (sa is None) != (sb is None) or (sa is not None and abs(sa - sb) > SCORE_TOLERANCE):
        return False
    # the sheet holds a comment as a workbook can (clean_text): compare what both can hold
    return clean_text(ca or "") == clean_text(cb or "")


def import_review(course: Course | str | os.PathLike, path: str | os.PathLike, *, force: bool = False,
                  dry_run: bool = False) -> ImportResult:
    """Validate a review sheet and write its levels and comments into the gradebook.

    Nothing is written when any cell is bad (``result.problems``). A grade changed in the
    gradebook since the export, and different from the sheet, is left alone and reported in
    ``result.conflicts`` (``force=True`` writes it and reports it in ``result.overwritten``).
    """
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    course = Course.of(course)
    try:
        wb = load_workbook(path, data_only=False)
    # what openpyxl raises for a missing or unreadable file, not a zip, not .xlsx, a zip without a
    # workbook part, or damaged XML inside (ElementTree's and lxml's parse errors are SyntaxErrors)
    except (OSError, ValueError, KeyError, SyntaxError, zipfile.BadZipFile, InvalidFileException) as exc:
        raise ReviewError(f"{path} tidak dapat dibuka sebagai buku kerja Excel ({exc}). Simpan lembar penilaian "
                          "sebagai .xlsx di Excel atau LibreOffice, lalu impor lagi.") from None
    meta = _read_meta(wb, path)
    if meta.course_id != course.course_id:
        raise ReviewError(f"{path.name} milik kursus {meta.course_id!r}, bukan kursus ini "
                          f"({course.course_id!r}); impor lembar itu di kursusnya, atau ekspor lembar "
                          f"baru dengan 'lablib review export {meta.stage}'.")
    ws = wb[MAIN_SHEET]
    problems: list[CellProblem] = []

    def bad(row: int, column: str, message: Text) -> None:
        problems.append(CellProblem(MAIN_SHEET, row, column, message))

    known = {}
    for name, level_col, comment_col, _points in meta.columns:
        meaning = describe_grade(name)
        header = ws[f"{level_col}{meta.header_row}"].value or ""
        if meaning is None or meaning.kind != RUBRIC or meaning.stage != meta.stage:
            bad(meta.header_row, level_col, T(f"Kriteria '{name}' tidak dikenal di lablib ini.",
                                              f"Criterion '{name}' is unknown to this lablib."))
        elif meaning.item_id not in str(header):
            bad(meta.header_row, level_col, T(
                f"Judul kolom berubah (tertulis '{_clip(header)}'); kolom tidak boleh dipindah. Ekspor ulang.",
                f"The column heading changed (got '{_clip(header)}'); columns must not move. Export again."))
        else:
            known[name] = (meaning, level_col, comment_col)

    view = read_gradebook(course, [meta.stage])
    wanted: dict[tuple[str, str], tuple[int | None, str | None, int, str, bool]] = {}
    seen: dict[str, int] = {}
    for r in range(meta.first_row, ws.max_row + 1):
        raw_id = ws.cell(r, 1).value
        cells = {name: (ws[f"{lc}{r}"].value, ws[f"{cc}{r}"].value) for name, (_, lc, cc) in known.items()}
        if raw_id is None or not str(raw_id).strip():
            if any(v not in (None, "") for pair in cells.values() for v in pair):
                bad(r, "A", T("ID peserta kosong, tetapi baris ini berisi nilai.",
                              "The participant id is empty but the row holds grades."))
            continue
        student = str(raw_id).strip()
        if student in seen:
            bad(r, "A", T(f"Peserta '{_clip(student)}' muncul dua kali (juga di baris {seen[student]}).",
                          f"Participant '{_clip(student)}' appears twice (also row {seen[student]})."))
            continue
        seen[student] = r
        if student not in view.participants and not any(s == student for s, _ in view.records):
            bad(r, "A", T(f"ID peserta '{_clip(student)}' tidak dikenal di kursus ini.",
                          f"Unknown participant id '{_clip(student)}' in this course."))
            continue
        rec = view.record(student, meta.stage)
        for name, (_meaning, lc, cc) in known.items():
            raw_level, raw_comment = cells[name]
            try:
                level = parse_level(raw_level)
            except (ValueError, TypeError):
                bad(r, lc, _level_message(raw_level))
                continue
            comment = _comment(raw_comment)
            # A blank cell is "no opinion", unless the sheet was exported with something in it:
            # then the reviewer deleted it, and the import clears it.
            snap = meta.snapshot.get((student, name))
            cleared = level is None and snap is not None and snap[0] is not None
            if level is None and comment is None and not cleared and not (snap and snap[1]):
                continue
            if rec is None or name not in rec.grades:
                bad(r, lc if level is not None else cc, T(
                    f"'{_clip(student)}' belum mengumpulkan tahap ini atau belum dinilai otomatis; nilai tidak "
                    "dapat disimpan.",
                    f"'{_clip(student)}' has not submitted this stage or it is not autograded yet; the grade "
                    "cannot be stored."))
                continue
            wanted[(student, name)] = (level, comment, r, lc, cleared)

    if problems:
        return ImportResult(path, meta.stage, problems=tuple(problems), dry_run=dry_run)

    written: list[tuple[str, str]] = []
    conflicts: list[Conflict] = []
    overwritten: list[Conflict] = []
    unchanged = 0
    with course.gradebook() as gb:
        for (student, name), (level, comment, row, col_letter, cleared) in wanted.items():
            meaning = known[name][0]
            grade = gb.find_grade(name, meta.stage, meta.stage, student)
            comment_obj = gb.find_comment(name, meta.stage, meta.stage, student)
            current = (grade.manual_score, comment_obj.manual_comment)
            if level is not None:
                new_score = meaning.item.score(level)
            else:
                new_score = None if cleared else grade.manual_score
            desired = (new_score, comment)
            if _same(current, desired):
                unchanged += 1
                continue
            snap = meta.snapshot.get((student, name))
            rec = view.record(student, meta.stage)
            reason = ""
            if snap is None:
                reason = "tidak ada catatan saat ekspor"
            elif not _same(current, (snap[0], snap[1])):
                reason = "nilai di gradebook berubah sejak ekspor"
            elif snap[2] != (rec.timestamp if rec else None):
                reason = "peserta mengumpulkan ulang sejak ekspor"
            if reason:
                conflict = Conflict(student, name, MAIN_SHEET, row, col_letter,
                                    (snap[0], snap[1]) if snap else (None, None), current, desired, reason)
                if not force:
                    conflicts.append(conflict)
                    continue
                overwritten.append(conflict)
            if not dry_run:
                grade.manual_score = new_score
                grade.needs_manual_grade = new_score is None and grade.auto_score is None
                comment_obj.manual_comment = comment
            written.append((student, name))
        if dry_run:
            gb.db.rollback()
        else:
            gb.db.commit()
    return ImportResult(path, meta.stage, tuple(written), unchanged, tuple(conflicts), tuple(overwritten),
                        dry_run=dry_run)


# ============================================================================ CLI


__all__ = [
    "CellProblem",
    "Conflict",
    "ImportResult",
    "ReviewError",
    "export_review",
    "import_review",
    "parse_level",
    "shown_answers",
]
