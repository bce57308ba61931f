"""Every spreadsheet lablib writes keeps participant, roster and reviewer text as text.

A cohort whose names, OPDs, posts, answers and narasumber comments start with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return (and ``=HYPERLINK("http://x","klik")``) goes through
every writer: review sheets (export, assignment), nilai.xlsx and the export CSVs, the report
workbook, the audit workbook and CSV, the roster CSV. Every file is read back: no workbook cell
is a formula (openpyxl ``data_type == 'f'``) except lablib's own points formulas in the review
sheet, text that starts like a formula carries Excel's quotePrefix, and every CSV cell starting
like a formula is neutralised with ``'`` (OWASP) unless it is a number.
"""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path

import pytest
from _cohort import cohort_course, copy_course
from _review import fill
from openpyxl import load_workbook

from lablib.core.answers import save_answers
from lablib.course.course import Course
from lablib.curriculum import get_exercise
from lablib.curriculum.grade_ids import rubric_grade_id
from lablib.reports.safe import FORMULA_START

pytestmark = pytest.mark.slow
STAGE = "diagnose"
LINK = '=HYPERLINK("http://x","klik")'
HOSTILE = (LINK, "+62 811 000", "-SUM(A1:A9)", "@SUM(1)", "\t=1+1", "\r=1+1", "=> perbaiki data")


_TURN = itertools.count()


def _hostile(value):
    """Every text in an answers document, started with one of ``HOSTILE`` in turn."""
    if isinstance(value, str):
        return HOSTILE[next(_TURN) % len(HOSTILE)] + " " + value
    if isinstance(value, dict):
        return {k: _hostile(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_hostile(v) for v in value]
    return value


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = copy_course(cohort_course(tmp_path_factory), tmp_path_factory.mktemp("hostile") / "course")
    record = course / "lablib-course.json"
    doc = json.loads(record.read_text(encoding="utf-8"))
    for i, p in enumerate(doc["participants"]):
        p["nama"] = HOSTILE[i % len(HOSTILE)] + p["nama"]
        p["opd"] = HOSTILE[(i + 1) % len(HOSTILE)] + p["opd"]
        p["jabatan"] = HOSTILE[(i + 2) % len(HOSTILE)]
    record.write_text(json.dumps(doc), encoding="utf-8")
    c = Course.open(course)
    for student in ("ani", "budi"):
        for step in ("submitted", "autograded"):
            for stage in ("diagnose", "design"):
                folder = c.path(step, student, stage)
                answers_file = folder / f"jawaban-{stage}.json"
                if answers_file.is_file():
                    answers = json.loads(answers_file.read_text(encoding="utf-8"))["answers"]
                    save_answers(folder, stage, _hostile(answers))
    dg1 = get_exercise("diagnose.dg1")
    with c.gradebook() as gb:
        for student, comment in (("ani", LINK), ("budi", "\r=cmd|' /C calc'!A0"), ("citra", "@SUM(1)")):
            name = rubric_grade_id(dg1, dg1.criteria[0].id)
            grade = gb.find_grade(name, STAGE, STAGE, student)
            grade.manual_score, grade.needs_manual_grade = 1.0, False
            gb.find_comment(name, STAGE, STAGE, student).manual_comment = comment
        gb.db.commit()
    return course


def _check_workbook(path: Path, allowed_formula=lambda ws, cell: False) -> int:
    """Assert no cell of any sheet is a formula from user text; returns the number of text cells
    starting like a formula (all with quotePrefix)."""
    wb = load_workbook(path)
    risky = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    assert allowed_formula(ws, cell), f"{path.name}!{ws.title}!{cell.coordinate}: {cell.value!r}"
                elif isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    assert cell.data_type == "s" and cell.quotePrefix, f"{path.name}!{cell.coordinate}"
                    risky += 1
    return risky


def _check_csv(path: Path) -> int:
    """Assert every CSV cell starting like a formula is neutralised or a number; returns how many
    neutralised cells the file has."""
    neutralised = 0
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            for value in row:
                if value.startswith(FORMULA_START):
                    float(value)  # only a number may start with - or +
                neutralised += value.startswith("'") and value[1:2] in FORMULA_START
    return neutralised


def _review_formula(ws, cell) -> bool:
    """lablib's own formulas of the review sheet: points of a level and the row's total."""
    return ws.title == "Penilaian" and (cell.value.startswith("=IF(ISNUMBER(") or cell.value.startswith("=SUM("))


def test_every_spreadsheet_lablib_writes_keeps_user_text_as_text(course, tmp_path):
    from lablib.course.roster import Participant, read_roster, write_roster
    from lablib.reports.agreement import write_audit_workbook as write_audit
    from lablib.reports.assignment import assign_reviewers
    from lablib.reports.export import export
    from lablib.reports.report import write_report
    from lablib.reports.review import export_review, import_review

    dg1 = get_exercise("diagnose.dg1")
    crit = dg1.criteria[0].id
    # review sheet: exported, filled with a comment typed as text ("'=…" in Excel), imported
    sheet = export_review(course, STAGE, tmp_path / "review.xlsx", reviewer="=Narasumber")
    assert _check_workbook(sheet, _review_formula) >= 10
    fill(sheet, {("dedi", "DG1", crit): (None, None), ("citra", "DG1", crit): (2, "-tidak lengkap")})
    result = import_review(course, sheet)
    assert result.ok, result.summary()
    again = export_review(course, STAGE, tmp_path / "review2.xlsx")
    wb = load_workbook(again)
    values = {c.value for row in wb["Penilaian"].iter_rows() for c in row}
    assert {LINK, "-tidak lengkap"} <= values
    _check_workbook(again, _review_formula)
    plan, sheets = assign_reviewers(course, STAGE, ["@Siti", "+Made"], double=0.5, out=tmp_path / "tim")
    for path in sheets.values():
        _check_workbook(path, _review_formula)

    files = export(course, tmp_path / "ekspor").files
    for path in files:
        if path.suffix == ".csv":
            assert _check_csv(path) > 0, path.name  # the names are there, neutralised
        else:
            assert _check_workbook(path) > 0

    html, xlsx = write_report(course, tmp_path / "laporan")
    assert _check_workbook(xlsx) > 0

    audit_xlsx = write_audit(course, tmp_path / "audit.xlsx")
    audit_csv = write_audit(course, tmp_path / "audit.csv")
    assert _check_workbook(audit_xlsx) > 0 and _check_csv(audit_csv) > 0

    people = [Participant(p.id, p.nama, p.opd, p.jabatan, p.email) for p in Course.open(course).participants]
    roster = write_roster(tmp_path / "peserta.csv", people)
    assert _check_csv(roster) > 0
    assert [p.nama for p in read_roster(roster).participants] == [p.nama for p in people]  # read back as typed


def test_formulas_in_an_imported_sheet_never_reach_the_gradebook(course, tmp_path):
    from lablib.reports.review import export_review, import_review

    dg1 = get_exercise("diagnose.dg1")
    crit = dg1.criteria[0].id
    sheet = export_review(course, STAGE, tmp_path / "r.xlsx")
    wb = load_workbook(sheet)
    ws = wb["Penilaian"]
    from _review import level_col, rows

    r, col = rows(ws), level_col(ws, "DG1", crit)
    ws.cell(r["ani"], col).value = "=2+1"  # a level computed by a formula
    ws.cell(r["budi"], col + 2).value = LINK  # a live link as a comment
    ws.cell(r["citra"], col + 2).value = "='[tim.xlsx]Nilai'!B2"  # a link to another workbook
    wb.save(sheet)
    result = import_review(course, sheet)
    assert not result.ok and not result.written
    where = {(p.row, p.column) for p in result.problems}
    letter = ws.cell(1, col).column_letter
    comment_letter = ws.cell(1, col + 2).column_letter
    assert where == {(r["ani"], letter), (r["budi"], comment_letter), (r["citra"], comment_letter)}
    assert "rumus" in result.summary()
