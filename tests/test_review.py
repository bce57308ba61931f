"""The narasumber's review sheet: export, fill, import into the gradebook, and what nbgrader reads."""

from __future__ import annotations

import shutil

import pytest
from _cohort import EVIL, cohort_course, copy_course
from _review import rewrite_meta
from openpyxl import load_workbook

from lablib.core import formatting
from lablib.course.course import Course
from lablib.course.gradebook import read_gradebook
from lablib.curriculum import get_exercise, stage_exercises
from lablib.curriculum.grade_ids import rubric_grade_id
from lablib.reports.review import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    MAIN_SHEET,
    META_SHEET,
    ReviewError,
    export_review,
    import_review,
    parse_level,
)

pytestmark = pytest.mark.slow
STAGE = "diagnose"


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    return cohort_course(tmp_path_factory)


@pytest.fixture
def course(cohort, tmp_path):
    return copy_course(cohort, tmp_path / "course")


def _columns(ws) -> dict[str, int]:
    """{header text: column index} of the header row."""
    return {str(c.value): c.column for c in ws[HEADER_ROW] if c.value}


def _rows(ws) -> dict[str, int]:
    return {ws.cell(r, 1).value: r for r in range(FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, 1).value}


def _level_col(ws, exercise_code: str, criterion_id: str) -> int:
    return _columns(ws)[f"{exercise_code} {criterion_id}: Level (0–4)"]


def _fill(path, values: dict[tuple[str, str, str], tuple[object, object]], out=None):
    """Set (level, comment) for (student, exercise code, criterion id); returns the saved path."""
    wb = load_workbook(path)
    ws = wb[MAIN_SHEET]
    rows = _rows(ws)
    for (student, code, crit), (level, comment) in values.items():
        col = _level_col(ws, code, crit)
        ws.cell(rows[student], col).value = level
        ws.cell(rows[student], col + 2).value = comment
    out = out or path
    wb.save(out)
    return out


def _criteria():
    return [(ex, c) for ex in stage_exercises(STAGE) for c in ex.criteria]


def test_export_has_one_row_per_participant_dropdowns_formulas_and_locked_answers(cohort, tmp_path):
    path = export_review(cohort, STAGE, tmp_path / "sheet.xlsx")
    wb = load_workbook(path)
    ws = wb[MAIN_SHEET]
    rows = _rows(ws)
    assert set(rows) == {"ani", "budi", "citra", "dedi"}  # dedi never submitted: shown, not gradable
    ex, crit = _criteria()[0]
    col = _level_col(ws, ex.code, crit.id)
    r = rows["budi"]
    # the participant's own answers beside the level, read-only
    answers = ws.cell(r, col - 1)
    assert EVIL in answers.value and answers.protection.locked
    assert ws.protection.sheet
    # level and comment cells are the only editable ones, with a 0-4 dropdown
    assert not ws.cell(r, col).protection.locked and not ws.cell(r, col + 2).protection.locked
    validations = [dv for dv in ws.data_validations.dataValidation if f"{ws.cell(r, col).coordinate}" in str(dv.sqref)]
    assert validations and validations[0].formula1 == '"0,1,2,3,4"'
    # points are a formula of the level
    points = ws.cell(r, col + 1).value
    assert points.startswith("=") and ws.cell(r, col).coordinate in points and f"*{crit.points:g}" in points
    assert ws.cell(rows["dedi"], col).protection.locked  # no submission: nothing to grade
    assert wb[META_SHEET].sheet_state == "hidden"
    assert "Rubrik" in wb.sheetnames


def test_round_trip_writes_what_formgrader_and_nbgrader_read(course, tmp_path):

    path = export_review(course, STAGE, tmp_path / "sheet.xlsx")
    ex, crit = _criteria()[0]
    ex2, crit2 = _criteria()[-1]
    _fill(path, {("ani", ex.code, crit.id): (3, "Masalah jelas & <b>terukur</b>"),
                 ("budi", ex.code, crit.id): ("4", None),
                 ("budi", ex2.code, crit2.id): (0, "Belum ada jawaban.")})
    result = import_review(course, path)
    assert result.ok, result.summary()
    assert len(result.written) == 3
    with Course.open(course).gradebook() as gb:
        grade = gb.find_grade(rubric_grade_id(ex, crit.id), STAGE, STAGE, "ani")
        comment = gb.find_comment(rubric_grade_id(ex, crit.id), STAGE, STAGE, "ani")
        as_formgrader_sees_it = grade.to_dict()  # what formgrader's GET /api/grade/<id> returns
        assert as_formgrader_sees_it["manual_score"] == crit.score(3)
        assert as_formgrader_sees_it["needs_manual_grade"] is False
        assert comment.to_dict()["manual_comment"] == "Masalah jelas & <b>terukur</b>"
        assert gb.find_grade(rubric_grade_id(ex2, crit2.id), STAGE, STAGE, "budi").score == 0.0
    # nbgrader's own totals include the manual scores
    api = Course.open(course).api
    sub = api.get_submission(STAGE, "ani")
    view = read_gradebook(course, [STAGE])
    assert sub["score"] == pytest.approx(view.record("ani", STAGE).score)
    assert view.record("ani", STAGE).rubric_score == crit.score(3)
    # nbgrader's feedback (generated from the gradebook) shows the score and comment we wrote
    result = api.generate_feedback(STAGE, "ani")
    assert result["success"], result["error"]
    page = (course / "feedback" / "ani" / STAGE / f"{STAGE}.html").read_text(encoding="utf-8")
    assert "Masalah jelas &amp;" in page  # nbgrader renders the comment (as markdown)
    assert f"(Score: {crit.score(3):.1f} / {crit.points:.1f})" in page
    # importing the same sheet again changes nothing and is not a conflict
    again = import_review(course, path)
    assert again.ok and not again.written and again.unchanged == 3


def test_a_sheet_exported_after_grading_shows_the_current_levels(course, tmp_path):
    path = export_review(course, STAGE, tmp_path / "a.xlsx")
    ex, crit = _criteria()[0]
    _fill(path, {("citra", ex.code, crit.id): (2, "cukup")})
    assert import_review(course, path).ok
    ws = load_workbook(export_review(course, STAGE, tmp_path / "b.xlsx"))[MAIN_SHEET]
    r, col = _rows(ws)["citra"], _level_col(ws, ex.code, crit.id)
    assert (ws.cell(r, col).value, ws.cell(r, col + 2).value) == (2, "cukup")


def test_deleting_a_level_in_a_sheet_exported_with_it_clears_the_grade(course, tmp_path):
    ex, crit = _criteria()[0]
    gid = rubric_grade_id(ex, crit.id)
    first = export_review(course, STAGE, tmp_path / "a.xlsx")
    _fill(first, {("citra", ex.code, crit.id): (2, "cukup"), ("ani", ex.code, crit.id): (3, "baik")})
    assert import_review(course, first).ok
    second = export_review(course, STAGE, tmp_path / "b.xlsx")  # shows citra's 2 and ani's 3
    _fill(second, {("citra", ex.code, crit.id): (None, None), ("ani", ex.code, crit.id): (None, "baik")})

    result = import_review(course, second)

    assert result.ok and sorted(s for s, _ in result.written) == ["ani", "citra"]
    with Course.open(course).gradebook() as gb:
        citra = gb.find_grade(gid, STAGE, STAGE, "citra")
        assert (citra.manual_score, citra.needs_manual_grade) == (None, True)
        assert gb.find_comment(gid, STAGE, STAGE, "citra").manual_comment is None
        assert gb.find_grade(gid, STAGE, STAGE, "ani").manual_score is None
        assert gb.find_comment(gid, STAGE, STAGE, "ani").manual_comment == "baik"
    # a blank cell in a sheet exported blank is "not graded yet": the first sheet again
    # (citra 2, ani 3) writes them back; an untouched blank row writes nothing
    assert import_review(course, first, force=True).ok
    with Course.open(course).gradebook() as gb:
        assert gb.find_grade(gid, STAGE, STAGE, "citra").manual_score == crit.score(2)
        assert gb.find_grade(gid, STAGE, STAGE, "budi").manual_score is None


def test_bad_cells_are_refused_with_sheet_row_and_column_and_nothing_is_written(course, tmp_path):
    path = export_review(course, STAGE, tmp_path / "sheet.xlsx")
    ex, crit = _criteria()[0]
    wb = load_workbook(path)
    ws = wb[MAIN_SHEET]
    rows = _rows(ws)
    col = _level_col(ws, ex.code, crit.id)
    ws.cell(rows["ani"], col).value = 7
    ws.cell(rows["budi"], col).value = "baik"
    ws.cell(rows["citra"], col).value = 2.5
    ws.cell(rows["dedi"], col).value = 3  # never submitted
    extra = ws.max_row + 1
    ws.cell(extra, 1).value = "zaki"  # not in the course
    ws.cell(extra, col).value = 1
    dup = extra + 1
    ws.cell(dup, 1).value = "ani"
    wb.save(path)

    result = import_review(course, path)
    assert not result.ok and not result.written
    letter = ws.cell(1, col).column_letter
    where = {(p.sheet, p.row, p.column) for p in result.problems}
    assert (MAIN_SHEET, rows["ani"], letter) in where
    assert (MAIN_SHEET, rows["budi"], letter) in where
    assert (MAIN_SHEET, rows["citra"], letter) in where
    assert (MAIN_SHEET, rows["dedi"], letter) in where
    assert (MAIN_SHEET, extra, "A") in where
    assert (MAIN_SHEET, dup, "A") in where
    text = result.summary()
    assert "'7'" in text and "'baik'" in text and "tulis angka 3" in text and "'zaki'" in text
    assert f"{MAIN_SHEET}!{letter}{rows['ani']}" in text
    view = read_gradebook(course, [STAGE])
    assert all(g.manual_score is None for r in view.stage_records(STAGE) for g in r.rubric_grades())


def test_a_grade_changed_since_export_is_a_conflict_and_force_overwrites_it(course, tmp_path):
    path = export_review(course, STAGE, tmp_path / "sheet.xlsx")
    ex, crit = _criteria()[0]
    gid = rubric_grade_id(ex, crit.id)
    # meanwhile someone grades budi in formgrader (same writes as its grade and comment handlers)
    with Course.open(course).gradebook() as gb:
        grade = gb.find_grade(gid, STAGE, STAGE, "budi")
        grade.manual_score, grade.needs_manual_grade = crit.score(1), False
        gb.find_comment(gid, STAGE, STAGE, "budi").manual_comment = "dari formgrader"
        gb.db.commit()
    _fill(path, {("budi", ex.code, crit.id): (4, "dari lembar"), ("ani", ex.code, crit.id): (2, None)})

    result = import_review(course, path)
    assert [(c.student, c.grade_name) for c in result.conflicts] == [("budi", gid)]
    assert result.written == (("ani", gid),)
    text = result.summary()
    assert "diubah di lembar DAN di gradebook" in text and "--force" in text
    # participant, criterion and both values
    assert "peserta budi" in text and f"'{crit.title}'" in text
    assert f"Di lembar: {formatting.points(crit.score(4))} poin (level 4), komentar 'dari lembar'" in text
    assert f"di gradebook sekarang: {formatting.points(crit.score(1))} poin (level 1), komentar 'dari formgrader'" in text
    with Course.open(course).gradebook() as gb:
        assert gb.find_grade(gid, STAGE, STAGE, "budi").manual_score == crit.score(1)  # not overwritten
        assert gb.find_comment(gid, STAGE, STAGE, "budi").manual_comment == "dari formgrader"

    forced = import_review(course, path, force=True)
    assert forced.ok and [c.student for c in forced.overwritten] == ["budi"]
    with Course.open(course).gradebook() as gb:
        assert gb.find_grade(gid, STAGE, STAGE, "budi").manual_score == crit.score(4)
        assert gb.find_comment(gid, STAGE, STAGE, "budi").manual_comment == "dari lembar"


def test_a_sheet_of_another_course_or_not_a_review_sheet_is_refused(course, tmp_path):
    from openpyxl import Workbook

    plain = tmp_path / "plain.xlsx"
    Workbook().save(plain)
    with pytest.raises(ReviewError, match="bukan lembar penilaian lablib"):
        import_review(course, plain)
    path = export_review(course, STAGE, tmp_path / "sheet.xlsx")
    rewrite_meta(path, course_id="kursus-lain")  # a sheet exported by another course
    with pytest.raises(ReviewError, match="kursus-lain"):
        import_review(course, path)
    # editing the readable copy of the record by hand is a damaged record, not another course
    path = export_review(course, STAGE, tmp_path / "sheet2.xlsx")
    wb = load_workbook(path)
    wb[META_SHEET]["B2"] = "kursus-lain"
    wb.save(path)
    with pytest.raises(ReviewError, match="rusak"):
        import_review(course, path)


def test_cli_review_export_and_import(course, tmp_path, capsys):
    from lablib.cli import main

    out = tmp_path / "cli.xlsx"
    assert main(["review", "export", STAGE, "--course", str(course), "--out", str(out)]) == 0
    assert out.is_file()
    ex, crit = _criteria()[0]
    bad = tmp_path / "bad.xlsx"
    shutil.copy(out, bad)
    _fill(bad, {("ani", ex.code, crit.id): (9, None)})
    assert main(["review", "import", str(bad), "--course", str(course)]) == 1
    assert "DITOLAK" in capsys.readouterr().out
    _fill(out, {("ani", ex.code, crit.id): (4, "bagus")})
    assert main(["review", "import", str(out), "--course", str(course), "--dry-run"]) == 0
    assert read_gradebook(course, [STAGE]).record("ani", STAGE).rubric_score == 0
    assert main(["review", "import", str(out), "--course", str(course)]) == 0
    assert "1 nilai rubrik ditulis" in capsys.readouterr().out
    assert read_gradebook(course, [STAGE]).record("ani", STAGE).rubric_score == crit.score(4)
    assert main(["review", "import", str(tmp_path / "missing.xlsx"), "--course", str(course)]) == 1
    # a reviewer's share: some participants, some criteria
    share = tmp_path / "share.xlsx"
    assert main(["review", "export", STAGE, "--course", str(course), "--out", str(share), "--participants",
                 "citra,ani", "--criteria", "DG1,DG4.jawab_akar", "--reviewer", "Siti"]) == 0
    ws = load_workbook(share)[MAIN_SHEET]
    assert sorted(_rows(ws)) == ["ani", "citra"]
    assert sorted(h for h in _columns(ws) if "Level" in h) == [
        "DG1 masalah_nyata: Level (0–4)", "DG4 jawab_akar: Level (0–4)"]
    assert "narasumber: Siti" in ws["A1"].value
    capsys.readouterr()
    assert main(["review", "export", STAGE, "--course", str(course), "--participants", "ani,zaki,yuli"]) == 1
    assert "2 ID peserta tidak dikenal" in capsys.readouterr().err
    assert main(["review", "export", STAGE, "--course", str(course), "--criteria", "DG9"]) == 1
    assert "DG1.masalah_nyata" in capsys.readouterr().err  # the valid names are listed


def test_parse_level_refuses_everything_but_whole_numbers_0_to_4():
    assert [parse_level(v) for v in (0, 4, "3", 2.0, None, "")] == [0, 4, 3, 2, None, None]
    for bad in (7, -1, 2.5, "baik", "3a", True):
        with pytest.raises((ValueError, TypeError)):
            parse_level(bad)


def test_every_rubric_criterion_of_the_stage_has_a_column(cohort, tmp_path):
    ws = load_workbook(export_review(cohort, STAGE, tmp_path / "s.xlsx"))[MAIN_SHEET]
    headers = _columns(ws)
    for ex, crit in _criteria():
        assert f"{ex.code} {crit.id}: Level (0–4)" in headers
    assert get_exercise("diagnose.dg1").criteria
