"""A filled review sheet, read and merged cell by cell into the gradebook: size and row count
checked before parsing, streamed in openpyxl's read-only mode, every bad cell named, only the
cells the reviewer changed written, true conflicts reported, each grade audited
(``lablib.reports.review`` describes the workflow)."""

from __future__ import annotations

import getpass
import os
import re
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lablib.core import formatting
from lablib.core.i18n import T, Text
from lablib.core.rubrics import LEVELS, MAX_LEVEL
from lablib.course.course import Course
from lablib.course.gradebook import read_gradebook
from lablib.curriculum.grade_ids import RUBRIC, describe_grade
from lablib.reports import audit
from lablib.reports.review_format import (
    MAIN_SHEET,
    PRIMARY,
    SECOND,
    CellProblem,
    Conflict,
    ImportResult,
    ReviewError,
    _broken,
    _Cell,
    _clip,
    _comment,
    _Meta,
    _read_meta,
)
from lablib.reports.safe import MAX_CELL_CHARS

SCORE_TOLERANCE = 1e-6


# What an import reads before refusing a file: far above any cohort's sheet (500 participants
# with long answers is a few MB), far below what would take minutes or gigabytes to parse.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # the XML inside the zip (a "zip bomb" is small packed)
EXTRA_ROWS = 200  # rows with content beyond those exported before the sheet is refused at once
BLANK_ROWS = 10_000  # empty rows read past the last exported one before reading stops
MAX_SHEET_ROWS = 20_000  # rows of any one sheet: a cohort's sheet has hundreds
KEPT_PROBLEMS = 200


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
    shown = _clip(raw, 30) if isinstance(raw, str) else (
        formatting.number(raw, 6) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else repr(raw))
    hint_id, hint_en = "", ""
    words = {str(lvl).lower(): n for n, lvl in enumerate(LEVELS)}
    if isinstance(raw, str) and raw.strip().lower() in words:
        n = words[raw.strip().lower()]
        hint_id, hint_en = f" Untuk '{raw.strip()}' tulis angka {n}.", f" For '{raw.strip()}' write the number {n}."
    return T(f"Level harus bilangan bulat 0–4 (tertulis '{shown}').{hint_id}",
             f"Level must be a whole number 0–4 (got '{shown}').{hint_en}")


def _same_score(a: float | None, b: float | None) -> bool:
    return (a is None) == (b is None) and (a is None or abs(a - b) <= SCORE_TOLERANCE)


def _same_comment(a: str | None, b: str | None) -> bool:
    return _comment(a) == _comment(b)


def _check_file(path: Path) -> None:
    """Refuse at once a file too big to be a review sheet, or whose packed XML would unpack to
    more than any review sheet holds, before a parser sees it."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ReviewError(f"{path} tidak dapat dibaca ({exc.strerror or exc}). Periksa nama dan letak file.") from None
    if size > MAX_FILE_BYTES:
        raise ReviewError(f"{path.name} terlalu besar untuk lembar penilaian ({size / 1e6:.1f} MB; paling besar "
                          f"{MAX_FILE_BYTES / 1e6:.0f} MB). Impor lembar yang diekspor lablib, bukan salinan "
                          "yang ditambah data lain.")
    try:
        with zipfile.ZipFile(path) as z:
            unpacked = sum(i.file_size for i in z.infolist())
            if unpacked > MAX_UNPACKED_BYTES:
                raise ReviewError(f"{path.name} berisi {unpacked / 1e6:.0f} MB data bila dibuka (paling banyak "
                                  f"{MAX_UNPACKED_BYTES / 1e6:.0f} MB); ini bukan lembar penilaian lablib. Impor "
                                  "lembar yang diekspor lablib.")
            for info in z.infolist():
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    if _more_rows_than(z, info, MAX_SHEET_ROWS):
                        raise ReviewError(f"{path.name} berisi lembar dengan lebih dari {MAX_SHEET_ROWS} baris; "
                                          "ini bukan lembar penilaian lablib (satu baris per peserta). Impor "
                                          "lembar yang diekspor lablib tanpa baris tambahan.")
    except ReviewError:
        raise
    except (OSError, zipfile.BadZipFile, ValueError, EOFError, zlib.error) as exc:
        raise ReviewError(f"{path} tidak dapat dibuka sebagai buku kerja Excel ({_clip(str(exc), 80)}). Simpan "
                          "lembar penilaian sebagai .xlsx di Excel atau LibreOffice, lalu impor lagi.") from None


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")


def _more_rows_than(z: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bool:
    """Whether a worksheet part holds more than ``limit`` rows, counted in its bytes as they
    unpack (about a second for 100 MB), stopping at the limit. openpyxl would otherwise parse a
    whole sheet without a ``<dimension>`` just to learn its size, before any row is read."""
    count, tail = 0, b""
    with z.open(info) as fh:
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            count += len(_ROW_TAG.findall(data))
            if count > limit:
                return True
            # a tag cut between two chunks is counted in the next one (kept) and not in this one
            cut = data.rfind(b"<", max(0, len(data) - 64))
            tail = data[cut:] if cut != -1 else b""
            if tail and _ROW_TAG.match(tail):
                count -= 1
    return False


def _open(path: Path):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _check_file(path)
    try:
        # read-only streams the rows instead of building every cell in memory
        return load_workbook(path, read_only=True, data_only=False)
    # what openpyxl raises for a missing or unreadable file, not a zip, not .xlsx, a zip without a
    # workbook part, or damaged XML inside (ElementTree's and lxml's parse errors are SyntaxErrors)
    except (OSError, ValueError, KeyError, TypeError, SyntaxError, zipfile.BadZipFile, InvalidFileException) as exc:
        raise ReviewError(f"{path} tidak dapat dibuka sebagai buku kerja Excel ({_clip(str(exc), 80)}). Simpan "
                          "lembar penilaian sebagai .xlsx di Excel atau LibreOffice, lalu impor lagi.") from None


_FORMULA = T("Sel berisi rumus; lablib hanya menerima nilai yang diketik (rumus dan tautan ke file lain tidak "
             "dibawa ke gradebook). Ketik levelnya atau teksnya langsung.",
             "The cell holds a formula; lablib takes typed values only (formulas and links to other files are "
             "never carried into the gradebook). Type the level or the text itself.")


_ERROR_VALUE = T("Sel berisi galat Excel (mis. #REF!); ketik nilainya langsung.",
                 "The cell holds an Excel error (e.g. #REF!); type the value itself.")


def import_review(course: Course | str | os.PathLike, path: str | os.PathLike, *, force: bool = False,
                  dry_run: bool = False, reviewer: str | None = None) -> ImportResult:
    """Validate a review sheet and merge the cells its reviewer changed into the gradebook.

    Nothing is written when any cell is bad (``result.problems``). A changed cell that was also
    changed in the gradebook since the export (or whose participant re-submitted) is left alone
    and reported in ``result.conflicts``; ``force=True`` writes those and reports them in
    ``result.overwritten``. Each grade written gets an audit row naming ``reviewer`` (default:
    the reviewer the sheet was exported for, else the user running the import).
    """
    path = Path(path)
    course = Course.of(course)
    wb = _open(path)
    try:
        return _import(course, path, wb, force=force, dry_run=dry_run, reviewer=reviewer)
    # read-only mode parses each sheet while it is read: damaged XML inside shows up here
    except (SyntaxError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise ReviewError(f"{path.name} rusak di dalam ({type(exc).__name__}: {_clip(str(exc), 60)}); simpan "
                          "ulang lembar di Excel atau LibreOffice, atau ekspor ulang lalu salin level dan "
                          "komentarnya.") from None
    finally:
        wb.close()


def _import(course: Course, path: Path, wb, *, force: bool, dry_run: bool, reviewer: str | None) -> ImportResult:
    from openpyxl.utils import column_index_from_string

    meta = _read_meta(wb, path)
    if meta.course_id != course.course_id:
        raise ReviewError(f"{path.name} milik kursus {_clip(meta.course_id)!r}, bukan kursus ini "
                          f"({course.course_id!r}); impor lembar itu di kursusnya, atau ekspor lembar "
                          f"baru dengan 'lablib review export {meta.stage}'.")
    problems: list[CellProblem] = []
    count = [0]

    def bad(row: int, column: str, message: Text) -> None:
        count[0] += 1
        if len(problems) < KEPT_PROBLEMS:
            problems.append(CellProblem(MAIN_SHEET, row, column, message))

    ws = wb[MAIN_SHEET]
    limit = meta.first_row + len(meta.rows) + EXTRA_ROWS
    if ws.max_row is not None and ws.max_row > limit + BLANK_ROWS:
        raise ReviewError(f"{path.name}: lembar '{MAIN_SHEET}' punya {ws.max_row} baris, padahal diekspor "
                          f"dengan {len(meta.rows)} peserta. Impor lembar yang diekspor lablib tanpa baris "
                          "tambahan.")
    known: dict[str, tuple[Any, str, int, str, int]] = {}
    headers: dict[str, Any] = {}
    index = {}
    for name, level_col, comment_col, _points in meta.columns:
        try:
            index[name] = (column_index_from_string(level_col), column_index_from_string(comment_col))
        except ValueError:
            raise _broken(path, f"kolom {_clip(level_col, 8)!r}") from None
    rows_iter = ws.iter_rows(min_row=meta.header_row)
    first = next(rows_iter, ())
    for cell in first:
        if getattr(cell, "column", None) is not None:
            headers[cell.column] = cell.value
    for name, level_col, comment_col, _points in meta.columns:
        meaning = describe_grade(name)
        header = headers.get(index[name][0]) or ""
        if meaning is None or meaning.kind != RUBRIC or meaning.stage != meta.stage:
            bad(meta.header_row, level_col, T(f"Kriteria '{_clip(name)}' tidak dikenal di lablib ini.",
                                              f"Criterion '{_clip(name)}' is unknown to this lablib."))
        elif meaning.item_id not in str(header):
            bad(meta.header_row, level_col, T(
                f"Judul kolom berubah (tertulis '{_clip(header)}'); kolom tidak boleh dipindah. Ekspor ulang.",
                f"The column heading changed (got '{_clip(header)}'); columns must not move. Export again."))
        else:
            known[name] = (meaning, level_col, index[name][0], comment_col, index[name][1])

    # (student, name) -> (new level, level changed, new comment, comment changed, row, level col)
    changes: dict[tuple[str, str], tuple[int | None, bool, str | None, bool, int, str]] = {}
    seen: dict[str, int] = {}
    content_rows = 0
    r = meta.header_row
    for row in rows_iter:
        r += 1
        if r < meta.first_row:
            continue
        by_col = {c.column: c for c in row if getattr(c, "column", None) is not None}
        if not any(c.value not in (None, "") for c in by_col.values()):
            if r > limit + BLANK_ROWS:
                break  # a sheet "used" down to row 1,048,576 is read only this far
            continue
        content_rows += 1
        if content_rows > len(meta.rows) + EXTRA_ROWS:
            raise ReviewError(f"{path.name}: lembar '{MAIN_SHEET}' berisi lebih dari "
                              f"{len(meta.rows) + EXTRA_ROWS} baris data, padahal diekspor dengan "
                              f"{len(meta.rows)} peserta; tidak ada nilai yang ditulis. Impor lembar yang "
                              "diekspor lablib tanpa baris tambahan.")

        def value(column: int, letter: str, by_col=by_col, r=r) -> tuple[bool, Any]:
            """(usable, value) of a cell: a formula or an Excel error is a bad cell."""
            cell = by_col.get(column)
            if cell is None:
                return True, None
            if cell.data_type == "f":
                bad(r, letter, _FORMULA)
                return False, None
            if cell.data_type == "e":
                bad(r, letter, _ERROR_VALUE)
                return False, None
            return True, cell.value

        ok_id, raw_id = value(1, "A")
        if not ok_id:
            continue
        graded = {name: (value(lc, ll), value(cc, cl)) for name, (_m, ll, lc, cl, cc) in known.items()}
        if raw_id is None or not str(raw_id).strip():
            if any(ok and v not in (None, "") for pair in graded.values() for ok, v in pair):
                bad(r, "A", T("ID peserta kosong, tetapi baris ini berisi nilai.",
                              "The participant id is empty but the row holds grades."))
            continue
        student = str(raw_id).strip()
        if student in seen:
            bad(r, "A", T(f"Peserta '{_clip(student)}' muncul dua kali (juga di baris {seen[student]}).",
                          f"Participant '{_clip(student)}' appears twice (also row {seen[student]})."))
            continue
        seen[student] = r
        if student not in meta.rows and not meta.open_rows:
            bad(r, "A", T(f"ID peserta '{_clip(student)}' tidak ada di lembar ini saat diekspor (tidak "
                          "dikenal, atau baris ditambahkan); baris tidak boleh ditambah. Ekspor lembar "
                          "untuk peserta itu.",
                          f"Participant id '{_clip(student)}' was not in this sheet when it was exported; "
                          "rows must not be added. Export a sheet for that participant."))
            continue
        for name, ((ok_l, raw_level), (ok_c, raw_comment)) in graded.items():
            _m, ll, _lc, cl, _cc = known[name]
            if not (ok_l and ok_c):
                continue
            try:
                level = parse_level(raw_level)
            except (ValueError, TypeError):
                bad(r, ll, _level_message(raw_level))
                continue
            comment = _comment(raw_comment)
            if comment is not None and len(comment) > MAX_CELL_CHARS:
                bad(r, cl, T(f"Komentar terlalu panjang ({len(comment)} karakter; paling banyak "
                             f"{MAX_CELL_CHARS}).", f"The comment is too long ({len(comment)} characters)."))
                continue
            snap = meta.cells.get((student, name))
            if snap is None:  # not gradable when exported: only an empty cell is fine
                if level is not None or comment is not None:
                    bad(r, ll if level is not None else cl, T(
                        f"'{_clip(student)}' belum mengumpulkan tahap ini atau belum dinilai otomatis saat "
                        "lembar diekspor; nilai tidak dapat disimpan. Ekspor ulang lembar setelah dinilai.",
                        f"'{_clip(student)}' had not submitted this stage or it was not autograded when the "
                        "sheet was exported; the grade cannot be stored. Export the sheet again."))
                continue
            level_changed = level != snap.shown_level
            comment_changed = comment != _comment(snap.shown_comment)
            if level_changed or comment_changed:
                changes[(student, name)] = (level, level_changed, comment, comment_changed, r, ll)

    who = (reviewer or meta.reviewer or _user()).strip()
    if problems:
        return ImportResult(path, meta.stage, problems=tuple(problems), dry_run=dry_run,
                            problem_count=count[0], reviewer=who)
    return _merge(course, path, meta, known, changes, force=force, dry_run=dry_run, reviewer=who)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (e.g. a container)
        return "tidak diketahui"


def _merge(course: Course, path: Path, meta: _Meta, known: dict, changes: dict, *, force: bool, dry_run: bool,
           reviewer: str) -> ImportResult:
    """Write the changed cells: one transaction with their audit rows."""
    if not changes:
        return ImportResult(path, meta.stage, dry_run=dry_run, reviewer=reviewer)
    with _import_lock(course):
        return _merge_locked(course, path, meta, known, changes, force=force, dry_run=dry_run, reviewer=reviewer)


@contextmanager
def _import_lock(course: Course):
    """One review import per course at a time: each compares the gradebook with the sheet and then
    writes, so two at once could each miss the other's change to the same cell."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - no flock (Windows): imports are not serialised
        yield
        return
    lock = course.state_dir("review", "impor.lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # the next import waits for this one
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _merge_locked(course: Course, path: Path, meta: _Meta, known: dict, changes: dict, *, force: bool,
                  dry_run: bool, reviewer: str) -> ImportResult:
    written: list[tuple[str, str]] = []
    seconds: list[tuple[str, str]] = []
    conflicts: list[Conflict] = []
    overwritten: list[Conflict] = []
    entries: list[audit.AuditEntry] = []
    unchanged = 0
    at = audit.now()
    view = read_gradebook(course, [meta.stage])
    log = audit.read_audit(course, meta.stage)
    earlier = {(e.student, e.grade_name, e.reviewer): e for e in log if e.role == SECOND}
    # the last grade written to each cell: when it came from this very sheet (imported before,
    # then revised), what that import wrote is the baseline, not a change by someone else
    last_primary = {(e.student, e.grade_name): e for e in log if e.role == PRIMARY}
    with course.gradebook() as gb:
        for (student, name), (level, level_changed, comment, comment_changed, row, col) in changes.items():
            snap: _Cell = meta.cells[(student, name)]
            meaning = known[name][0]
            sheet_score = None if level is None else meaning.item.score(level)
            if snap.role == SECOND:
                # a blind second marking: recorded for agreement, the grade itself is not touched;
                # the same sheet imported again adds nothing
                last = earlier.get((student, name, reviewer))
                if last is not None and _same_score(last.new_score, sheet_score) and _same_comment(
                        last.new_comment, comment):
                    unchanged += 1
                    continue
                entries.append(audit.AuditEntry(at, reviewer, SECOND, meta.stage, student, name, None,
                                                sheet_score, None, comment, path.name, sheet_id=meta.sheet_id))
                seconds.append((student, name))
                continue
            rec = view.record(student, meta.stage)
            if rec is None or name not in rec.grades:  # the submission left the gradebook since the export
                conflicts.append(Conflict(student, name, MAIN_SHEET, row, col, (snap.score, snap.comment),
                                          (None, None), (sheet_score, comment),
                                          "pengumpulan ini tidak ada lagi di gradebook; nilai tidak dapat disimpan "
                                          "(juga tidak dengan --force)", ("nilai", "komentar")))
                continue
            grade = gb.find_grade(name, meta.stage, meta.stage, student)
            comment_obj = gb.find_comment(name, meta.stage, meta.stage, student)
            current = (grade.manual_score, comment_obj.manual_comment)
            new_score = sheet_score if level_changed else current[0]
            new_comment = comment if comment_changed else current[1]
            # per field: what the sheet asks differs from what is there, and did the gradebook move?
            fields_to_write, conflict_fields = [], []
            resubmitted = snap.stamp is not None and rec.timestamp != snap.stamp
            base = (snap.score, snap.comment)
            mine = last_primary.get((student, name))
            if meta.sheet_id and mine is not None and mine.sheet_id == meta.sheet_id:
                base = (mine.new_score, mine.new_comment)
            for field_name, changed, cur, want, exported, same in (
                    ("nilai", level_changed, current[0], new_score, base[0], _same_score),
                    ("komentar", comment_changed, current[1], new_comment, base[1], _same_comment)):
                if not changed or same(cur, want):
                    continue
                if resubmitted or not same(cur, exported):
                    conflict_fields.append(field_name)
                else:
                    fields_to_write.append(field_name)
            if not fields_to_write and not conflict_fields:
                unchanged += 1
                continue
            if conflict_fields:
                reason = ("peserta mengumpulkan ulang sejak lembar diekspor (nilai di lembar untuk jawaban lama)"
                          if resubmitted else "sel ini juga diubah di gradebook sejak lembar diekspor")
                conflict = Conflict(student, name, MAIN_SHEET, row, col, (snap.score, snap.comment), current,
                                    (new_score, new_comment), reason, tuple(conflict_fields))
                if force:
                    overwritten.append(conflict)
                    fields_to_write += conflict_fields
                else:
                    conflicts.append(conflict)
            if not fields_to_write:
                continue
            old = current
            if "nilai" in fields_to_write:
                grade.manual_score = new_score
                grade.needs_manual_grade = new_score is None and grade.auto_score is None
            if "komentar" in fields_to_write:
                comment_obj.manual_comment = new_comment
            entries.append(audit.AuditEntry(
                at, reviewer, PRIMARY, meta.stage, student, name, old[0], grade.manual_score, old[1],
                comment_obj.manual_comment, path.name, forced=bool(conflict_fields) and force,
                sheet_id=meta.sheet_id))
            written.append((student, name))
        if dry_run:
            gb.db.rollback()
        else:
            audit.record(gb, course.course_id, entries)
            gb.db.commit()
    return ImportResult(path, meta.stage, tuple(written), unchanged, tuple(conflicts), tuple(overwritten),
                        dry_run=dry_run, second_marks=tuple(seconds), reviewer=reviewer)
