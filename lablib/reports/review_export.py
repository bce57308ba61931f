"""The narasumber's review sheet, written: one row per participant, per criterion the answers, a
0–4 level with a dropdown, the points (a score off the grid shown as points) and a comment, and
the hidden record an import merges against (``lablib.reports.review`` describes the workflow)."""

from __future__ import annotations

import datetime as _dt
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lablib.core import formatting
from lablib.core.exercises import Exercise
from lablib.core.files import replacing
from lablib.core.rubrics import LEVELS, MAX_LEVEL, Criterion
from lablib.course.course import Course
from lablib.course.gradebook import (
    ANSWER_ERRORS,
    GradebookView,
    level_for_score,
    read_gradebook,
    stage_answers,
)
from lablib.curriculum import all_exercises, stage_exercises
from lablib.curriculum.grade_ids import rubric_grade_id
from lablib.curriculum.references import check_references
from lablib.reports.review_format import (
    FIRST_DATA_ROW,
    FORMAT,
    FORMAT_VERSION,
    HEADER_ROW,
    MAIN_SHEET,
    META_SHEET,
    PRIMARY,
    RUBRIC_SHEET,
    SECOND,
    ReviewError,
    _few,
    _shown_comment,
    _slug,
    _stage,
    _write_meta_sheet,
)
from lablib.reports.safe import MAX_CELL_CHARS, append_row, clean_text, set_cell

# The answers the sheet shows beside each criterion (``Criterion.shows``), checked against the
# definitions when this module loads: a renamed field fails here instead of an empty cell.
REFERENCES = check_references(dict.fromkeys(
    f"{ex.id}.{field_id}" for ex in all_exercises() for crit in ex.criteria for field_id in crit.shows))


FIXED_COLUMNS = ("ID peserta", "Nama", "OPD", "Status", "Poin otomatis")


@dataclass(frozen=True)
class _Column:
    grade_name: str
    exercise: Exercise
    criterion: Criterion
    answers_col: int
    level_col: int
    points_col: int
    comment_col: int


def _criteria_columns(stage: str, criteria: Iterable[str] | None = None) -> list[_Column]:
    """The sheet's criterion columns: all of the stage's, or those ``criteria`` names (an exercise
    code such as ``DG1``, ``DG1.k1`` for one criterion, or the grade name ``rubrik-dg1-k1``)."""
    every = [(ex, crit) for ex in stage_exercises(stage) for crit in ex.criteria]
    if criteria is not None:
        wanted = [str(c).strip() for c in criteria if str(c).strip()]
        keys = {}
        for ex, crit in every:
            for key in (ex.code, f"{ex.code}.{crit.id}", rubric_grade_id(ex, crit.id)):
                keys.setdefault(key.lower(), []).append((ex, crit))
        unknown = [w for w in wanted if w.lower() not in keys]
        if unknown or not wanted:
            valid = ", ".join(f"{ex.code}.{crit.id}" for ex, crit in every)
            raise ReviewError(f"kriteria {_few(unknown) if unknown else '(kosong)'} tidak ada di tahap {stage}; "
                              f"pilih kode latihan atau KODE.kriteria: {valid}.")
        chosen = {rubric_grade_id(ex, crit.id) for w in wanted for ex, crit in keys[w.lower()]}
        every = [(ex, crit) for ex, crit in every if rubric_grade_id(ex, crit.id) in chosen]
    cols, c = [], len(FIXED_COLUMNS) + 1
    for ex, crit in every:
        cols.append(_Column(rubric_grade_id(ex, crit.id), ex, crit, c, c + 1, c + 2, c + 3))
        c += 4
    return cols


def shown_answers(exercise: Exercise, criterion: Criterion, answers: dict | None) -> str:
    """The answers a reviewer reads for ``criterion``, as plain text."""
    from lablib.reports.documents import entry_of, field_text

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


def _status(view: GradebookView, student: str, stage: str, role: str) -> str:
    rec = view.record(student, stage)
    if rec is None:
        return "belum mengumpulkan"
    if role == SECOND:
        return "penilaian kedua (buta; tidak mengubah nilai)"
    if rec.reviewed:
        return "sudah dinilai narasumber"
    if any(g.manual_score is not None for g in rec.rubric_grades()):
        return "sebagian dinilai narasumber"
    return "dinilai otomatis"


def _known_students(view: GradebookView, stage: str) -> set[str]:
    return set(view.participants) | {s for (s, stg) in view.records if stg == stage}


def export_review(course: Course | str | os.PathLike, stage: str, out: str | os.PathLike | None = None,
                  participants: Iterable[str] | None = None, *, criteria: Iterable[str] | None = None,
                  reviewer: str = "", second: Iterable[str] = ()) -> Path:
    """Write the review workbook of ``stage``; returns its path (default ``<course>/penilaian/``).

    ``participants`` and ``criteria`` narrow the sheet to some rows and some criterion columns;
    ``second`` adds rows for a blind second marking (recorded for agreement only); ``reviewer``
    names who the sheet is for (its imports are recorded under that name).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    st = _stage(stage)
    course = Course.of(course)
    columns = _criteria_columns(st.slug, criteria)
    if not columns:
        raise ReviewError(f"tahap {st.slug!r} tidak punya kriteria rubrik untuk dinilai narasumber; "
                          "pilih tahap lain.")
    view = read_gradebook(course, [st.slug])
    known = _known_students(view, st.slug)
    second = list(dict.fromkeys(str(s).strip() for s in second))
    chosen = (list(dict.fromkeys(str(s).strip() for s in participants)) if participants is not None
              else ([] if second else sorted(known)))
    unknown = [s for s in chosen + second if s not in known]
    if unknown:
        raise ReviewError(f"{len(unknown)} ID peserta tidak dikenal di kursus ini: {_few(unknown)}. Periksa "
                          "--participants (ID dipisah koma, seperti di daftar peserta).")
    roles = dict.fromkeys(chosen, PRIMARY)
    roles.update(dict.fromkeys(second, SECOND))
    students = sorted(roles, key=lambda s: (view.record(s, st.slug) is None, roles[s] == SECOND, s))
    exported_at = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    reviewer = clean_text(reviewer or "").strip()[:200]  # as the sheet's cells will hold it

    wb = Workbook()
    ws = wb.active
    ws.title = MAIN_SHEET
    L = get_column_letter
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap_top = Alignment(wrap_text=True, vertical="top")
    grey = PatternFill("solid", fgColor="EDEDED")
    yellow = PatternFill("solid", fgColor="FFF4C2")
    blue = PatternFill("solid", fgColor="DDEBF7")
    head_fill = PatternFill("solid", fgColor="1F4E79")
    unlocked = Protection(locked=False)
    last_col = columns[-1].comment_col + 1

    for_whom = f" · narasumber: {reviewer}" if reviewer else ""
    set_cell(ws.cell(1, 1), f"Lembar penilaian rubrik · {st.title} · kursus {course.course_id}{for_whom}").font = Font(
        bold=True, size=14)
    ws.cell(2, 1, "Isi kolom kuning: Level 0–4 (pilih dari daftar: 0 tidak ada, 1 lemah, 2 cukup, 3 baik, "
                  "4 sangat baik) dan Komentar. Kolom abu-abu hanya untuk dibaca; poin dihitung otomatis "
                  "(level ÷ 4 × poin). Hanya sel yang Anda ubah yang ditulis ke gradebook; sel lain tidak "
                  "disentuh. Level kosong dengan poin tertulis (mis. '2/3 poin') = nilai poin dari formgrader: "
                  "biarkan kosong untuk mempertahankannya. Menghapus level yang terisi mengosongkan nilainya. "
                  "Baris biru = penilaian kedua (buta), hanya untuk kesepakatan antarpenilai. Deskripsi level di "
                  f"lembar '{RUBRIC_SHEET}'. Lalu jalankan: lablib review import <file>.")
    ws.cell(2, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=min(last_col, 12))
    ws.row_dimensions[2].height = 64

    for i, title in enumerate(FIXED_COLUMNS, start=1):
        ws.cell(HEADER_ROW, i, title)
    for col in columns:
        group = f"{col.exercise.code} · {col.criterion.title} ({formatting.points(col.criterion.points)} poin)"
        set_cell(ws.cell(HEADER_ROW - 1, col.answers_col), group)
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

    rows: list[list] = []
    cells: list[list] = []
    for r, student in enumerate(students, start=FIRST_DATA_ROW):
        role = roles[student]
        rows.append([student, role])
        info = view.participant(student)
        rec = view.record(student, st.slug)
        answers = stage_answers(course, student, st.slug) if rec is not None else None
        values = (student, info.nama, info.opd, _status(view, student, st.slug, role),
                  rec.auto_score if rec is not None else None)
        for c, v in enumerate(values, start=1):
            cell = set_cell(ws.cell(r, c), v)  # roster text is text, never a formula
            cell.fill, cell.alignment, cell.border = (blue if role == SECOND else grey), wrap_top, box
        for col in columns:
            grade = rec.grades.get(col.grade_name) if rec is not None else None
            a = set_cell(ws.cell(r, col.answers_col), shown_answers(col.exercise, col.criterion, answers))
            a.fill, a.alignment, a.border = grey, wrap_top, box
            a.font = Font(size=9)
            lvl = ws.cell(r, col.level_col)
            com = ws.cell(r, col.comment_col)
            shown_score = None
            if grade is not None:
                shown_level, shown_comment = None, None
                if role == PRIMARY:  # a second marking is blind: it starts empty
                    shown_level = level_for_score(col.criterion.points, grade.manual_score)
                    lvl.value = shown_level
                    shown_comment = _shown_comment(grade.comment)
                    set_cell(com, grade.comment)  # "=> perbaiki…" stays text
                    shown_score = grade.manual_score
                cells.append([student, col.grade_name, role, grade.manual_score, grade.comment, rec.timestamp,
                              shown_level, shown_comment])
                for cell in (lvl, com):
                    cell.protection, cell.fill = unlocked, (blue if role == SECOND else yellow)
                dv.add(lvl)
            else:
                for cell in (lvl, com):
                    cell.fill = grey
            lvl.alignment = Alignment(horizontal="center", vertical="top")
            com.alignment = wrap_top
            lvl.border = com.border = box
            ll = L(col.level_col)
            # a score that is no level (formgrader's 2 of 3 points) is shown as points, and kept
            # while the level stays empty; every part of the formula is lablib's, never user text
            off_grid = '""'
            if shown_score is not None and level_for_score(col.criterion.points, shown_score) is None:
                off_grid = f'"{formatting.points(shown_score)}/{formatting.points(col.criterion.points)} poin"'
            p = ws.cell(r, col.points_col,
                        f'=IF(ISNUMBER({ll}{r}),{ll}{r}/{MAX_LEVEL}*{col.criterion.points:g},{off_grid})')
            p.fill, p.border, p.alignment = grey, box, Alignment(horizontal="center", vertical="top")
            p.number_format = "0.00"
        total = ws.cell(r, last_col, "=SUM(" + ",".join(f"{L(c.points_col)}{r}" for c in columns) + ")")
        total.fill, total.border, total.number_format = grey, box, "0.00"
        total.alignment = Alignment(horizontal="center", vertical="top")
        ws.row_dimensions[r].height = 150

    widths = {1: 12, 2: 20, 3: 22, 4: 16, 5: 10, last_col: 10}
    for col in columns:
        widths.update({col.answers_col: 60, col.level_col: 11, col.points_col: 10, col.comment_col: 40})
    for c, w in widths.items():
        ws.column_dimensions[L(c)].width = w
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 3)
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # the reviewer may widen columns and rows
    ws.protection.formatRows = False

    _write_rubric_sheet(wb.create_sheet(RUBRIC_SHEET), columns)
    record = {
        "format": FORMAT, "version": FORMAT_VERSION, "sheet_id": uuid.uuid4().hex, "course_id": course.course_id,
        "stage": st.slug,
        "exported_at": exported_at, "reviewer": reviewer, "sheet": MAIN_SHEET, "header_row": HEADER_ROW,
        "first_row": FIRST_DATA_ROW,
        "columns": [[c.grade_name, L(c.level_col), L(c.comment_col), c.criterion.points] for c in columns],
        "rows": rows, "cells": cells,
    }
    _write_meta_sheet(wb.create_sheet(META_SHEET), record)

    name = f"penilaian-{st.slug}{'-' + _slug(reviewer) if reviewer else ''}.xlsx"
    out = Path(out) if out else course.root / "penilaian" / name
    if out.is_dir():
        out = out / name
    with replacing(out) as tmp:
        wb.save(tmp)
    return out


def _write_rubric_sheet(ws, columns: list[_Column]) -> None:
    from openpyxl.styles import Alignment, Font

    append_row(ws, ["Latihan", "Kriteria", "Poin", "Level", "Arti level", "Deskripsi", "Poin pada level ini"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col in columns:
        for level, desc in enumerate(col.criterion.descriptors):
            append_row(ws, [col.exercise.code, col.criterion.title, col.criterion.points, level,
                            LEVELS[level].get("id"), desc, col.criterion.score(level)])
    for letter, w in zip("ABCDEFG", (9, 40, 7, 7, 13, 80, 10)):
        ws.column_dimensions[letter].width = w
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.protection.sheet = True
