"""A narasumber team's review sheets merge cell by cell: untouched cells are never written,
off-grid points survive, only true conflicts are conflicts, and --force overrides only those.
Every grade written is audited; double-marked items give agreement and a moderation list."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from _cohort import cohort_course, copy_course
from _review import fill, level_col, rows
from openpyxl import load_workbook

from lablib.core import formatting
from lablib.course.course import Course
from lablib.curriculum import get_exercise
from lablib.curriculum.grade_ids import rubric_grade_id
from lablib.reports.agreement import agreement, weighted_kappa
from lablib.reports.agreement import write_audit_workbook as write_audit
from lablib.reports.assignment import assign_reviewers
from lablib.reports.audit import PRIMARY, SECOND, TABLE, UNRECORDED, read_audit
from lablib.reports.review import MAIN_SHEET, export_review, import_review

pytestmark = pytest.mark.slow
STAGE = "diagnose"
DG1 = get_exercise("diagnose.dg1")
DG4 = get_exercise("diagnose.dg4")
K1 = ("DG1", "masalah_nyata")  # 4 points
OFF = ("DG4", "kebaruan_relevansi")  # 3 points: 2 of 3 is no level
G1 = rubric_grade_id(DG1, "masalah_nyata")
GOFF = rubric_grade_id(DG4, "kebaruan_relevansi")
G2 = rubric_grade_id(DG4, "jawab_akar")


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    return cohort_course(tmp_path_factory)


@pytest.fixture
def course(cohort, tmp_path):
    return copy_course(cohort, tmp_path / "course")


def _set(course, student, name, score, comment=None):
    """What formgrader writes for a grade and its comment."""
    with Course.open(course).gradebook() as gb:
        grade = gb.find_grade(name, STAGE, STAGE, student)
        grade.manual_score, grade.needs_manual_grade = score, score is None
        gb.find_comment(name, STAGE, STAGE, student).manual_comment = comment
        gb.db.commit()


def _get(course, student, name):
    with Course.open(course).gradebook() as gb:
        return (gb.find_grade(name, STAGE, STAGE, student).manual_score,
                gb.find_comment(name, STAGE, STAGE, student).manual_comment)


def _dump(course) -> list:
    """Every row of nbgrader's grade and comment tables, as stored."""
    with sqlite3.connect(course / "gradebook.db") as db:
        return [sorted(db.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in ("grade", "comment")]


def _tables(course) -> set[str]:
    with sqlite3.connect(course / "gradebook.db") as db:
        return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_an_untouched_sheet_changes_nothing_and_off_grid_points_are_shown_and_kept(course, tmp_path):
    _set(course, "ani", GOFF, 2.0, "dari formgrader")  # 2 of 3 points: no 0-4 level
    _set(course, "budi", G1, 3.0, "=> perbaiki data")  # level 3, a comment starting with "="
    before = _dump(course)
    path = export_review(course, STAGE, tmp_path / "s.xlsx")
    ws = load_workbook(path)[MAIN_SHEET]
    r, col = rows(ws)["ani"], level_col(ws, *OFF)
    assert ws.cell(r, col).value is None  # no level to show …
    assert '"2/3 poin"' in ws.cell(r, col + 1).value  # … the points are shown instead
    assert ws.cell(r, col + 2).value == "dari formgrader"
    b = rows(ws)["budi"]
    assert ws.cell(b, level_col(ws, *K1) + 2).data_type == "s"  # the comment is text, not a formula

    result = import_review(course, path)

    assert result.ok and result.written == () and result.unchanged == 0
    assert _dump(course) == before  # byte-for-byte the same rows
    assert TABLE not in _tables(course)  # nothing written, not even the audit table
    # a change to the same participant's other cells and to the off-grid cell's comment only
    fill(path, {("ani", *K1): (4, "bagus"), ("ani", *OFF): (..., "komentar baru")})
    assert import_review(course, path).ok
    assert _get(course, "ani", GOFF) == (2.0, "komentar baru")  # the points survive
    assert _get(course, "ani", G1) == (DG1.criterion("masalah_nyata").score(4), "bagus")


def test_two_reviewers_disjoint_participants_merge_without_force(course, tmp_path):
    a = export_review(course, STAGE, tmp_path / "a.xlsx", participants=["ani", "budi"], reviewer="Siti")
    b = export_review(course, STAGE, tmp_path / "b.xlsx", participants=["citra"], criteria=["DG1", "DG4.jawab_akar"],
                      reviewer="Made")
    assert set(rows(load_workbook(a)[MAIN_SHEET])) == {"ani", "budi"}
    wsb = load_workbook(b)[MAIN_SHEET]
    assert set(rows(wsb)) == {"citra"}
    headers = {str(c.value) for c in wsb[4] if c.value}
    assert "DG1 masalah_nyata: Level (0–4)" in headers and "DG4 jawab_akar: Level (0–4)" in headers
    assert "DG2 logika_sebab: Level (0–4)" not in headers
    fill(a, {("ani", *K1): (3, "A1"), ("budi", *K1): (2, "A2")})
    fill(b, {("citra", *K1): (1, "B1"), ("citra", "DG4", "jawab_akar"): (4, None)})
    ra, rb = import_review(course, b), import_review(course, a)  # either order
    assert ra.ok and rb.ok and not ra.conflicts and not rb.conflicts
    crit = DG1.criterion("masalah_nyata")
    assert _get(course, "ani", G1) == (crit.score(3), "A1")
    assert _get(course, "budi", G1) == (crit.score(2), "A2")
    assert _get(course, "citra", G1) == (crit.score(1), "B1")
    assert _get(course, "citra", G2)[0] == DG4.criterion("jawab_akar").score(4)


def test_overlapping_sheets_merge_and_force_never_reverts_the_other_reviewers_grades(course, tmp_path):
    a = export_review(course, STAGE, tmp_path / "a.xlsx", reviewer="Siti")  # both: the whole cohort
    b = export_review(course, STAGE, tmp_path / "b.xlsx", reviewer="Made")
    crit = DG1.criterion("masalah_nyata")
    fill(a, {("ani", *K1): (3, "Siti ani"), ("budi", *K1): (2, None), ("citra", *OFF): (4, "Siti citra")})
    fill(b, {("budi", "DG4", "jawab_akar"): (1, "Made budi"), ("citra", *K1): (0, None)})
    first = import_review(course, a)
    assert first.ok and len(first.written) == 3
    second = import_review(course, b)  # B never touched A's cells: they are no conflict
    assert second.ok and not second.conflicts and len(second.written) == 2
    forced = import_review(course, b, force=True)  # --force has nothing to override
    assert forced.ok and not forced.overwritten and not forced.written
    assert _get(course, "ani", G1) == (crit.score(3), "Siti ani")
    assert _get(course, "budi", G1) == (crit.score(2), None)
    assert _get(course, "citra", GOFF) == (DG4.criterion("kebaruan_relevansi").score(4), "Siti citra")
    assert _get(course, "budi", G2) == (DG4.criterion("jawab_akar").score(1), "Made budi")
    assert _get(course, "citra", G1)[0] == 0.0


def test_a_true_conflict_names_participant_criterion_and_both_values_and_force_overrides_only_it(course, tmp_path):
    a = export_review(course, STAGE, tmp_path / "a.xlsx", reviewer="Siti")
    b = export_review(course, STAGE, tmp_path / "b.xlsx", reviewer="Made")
    crit = DG1.criterion("masalah_nyata")
    fill(a, {("budi", *K1): (3, None), ("ani", *K1): (4, None)})
    fill(b, {("budi", *K1): (1, None), ("citra", *K1): (2, None)})
    assert import_review(course, a).ok
    result = import_review(course, b)
    assert not result.ok
    assert [(c.student, c.grade_name, c.fields) for c in result.conflicts] == [("budi", G1, ("nilai",))]
    conflict = result.conflicts[0]
    assert conflict.sheet_value[0] == crit.score(1) and conflict.current[0] == crit.score(3)
    text = str(conflict)
    assert "peserta budi" in text and crit.title in text
    assert f"Di lembar: {formatting.points(crit.score(1))} poin (level 1)" in text
    assert f"di gradebook sekarang: {formatting.points(crit.score(3))} poin (level 3)" in text
    assert result.written == (("citra", G1),)  # the rest of the sheet is merged
    assert _get(course, "budi", G1)[0] == crit.score(3)
    forced = import_review(course, b, force=True)
    assert [c.student for c in forced.overwritten] == ["budi"]
    assert _get(course, "budi", G1)[0] == crit.score(1)
    assert _get(course, "ani", G1)[0] == crit.score(4)  # never reverted
    entries = read_audit(course, STAGE)
    assert [(e.student, e.forced) for e in entries if e.reviewer == "Made" and e.student == "budi"] == [("budi", True)]


def test_every_written_grade_is_audited_with_reviewer_and_time(course, tmp_path, capsys):
    from lablib.cli import main

    path = export_review(course, STAGE, tmp_path / "s.xlsx", reviewer="Dr. Siti Aminah")
    fill(path, {("ani", *K1): (3, "baik"), ("budi", *OFF): (..., "komentar saja")})
    start = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    assert import_review(course, path).ok
    end = dt.datetime.now(dt.timezone.utc)
    entries = read_audit(course, STAGE)
    assert [(e.reviewer, e.role, e.student, e.grade_name) for e in entries] == [
        ("Dr. Siti Aminah", PRIMARY, "ani", G1), ("Dr. Siti Aminah", PRIMARY, "budi", GOFF)]
    ani = entries[0]
    assert (ani.old_score, ani.new_score, ani.old_comment, ani.new_comment) == (
        None, DG1.criterion("masalah_nyata").score(3), None, "baik")
    assert start <= dt.datetime.fromisoformat(ani.at) <= end
    assert ani.source == "s.xlsx"
    assert (entries[1].old_score, entries[1].new_score, entries[1].new_comment) == (None, None, "komentar saja")
    # --reviewer on import names someone else; a dry run records nothing
    fill(path, {("citra", *K1): (1, None)})
    assert import_review(course, path, dry_run=True, reviewer="X").written == (("citra", G1),)
    assert len(read_audit(course, STAGE)) == 2
    assert import_review(course, path, reviewer="Made").ok
    assert read_audit(course, STAGE)[-1].reviewer == "Made"
    # exported: CSV and Excel, read back
    assert main(["review", "audit", "--course", str(course), "--out", str(tmp_path / "audit.csv")]) == 0
    text = (tmp_path / "audit.csv").read_text(encoding="utf-8-sig")
    assert "Dr. Siti Aminah" in text and "komentar saja" in text and "Made" in text
    assert main(["review", "audit", "--course", str(course), "--out", str(tmp_path / "audit.xlsx")]) == 0
    wb = load_workbook(tmp_path / "audit.xlsx")
    ws = wb["Audit"]
    assert [c.value for c in ws[2]][1:6] == ["Dr. Siti Aminah", PRIMARY, STAGE, "ani", G1]
    assert ws.max_row == 4 and {"Kesepakatan", "Moderasi"} <= set(wb.sheetnames)
    assert "3 catatan" in capsys.readouterr().out


def test_assignment_splits_the_cohort_and_second_markings_give_agreement_and_moderation(course, tmp_path, capsys):
    from lablib.cli import main

    plan, sheets = assign_reviewers(course, STAGE, ["Siti", "Made"], double=1.0, out=tmp_path)
    submitters = {"ani", "budi", "citra"}
    primary = [s for ids in plan.primary.values() for s in ids]
    assert sorted(primary) == sorted(submitters)  # each once
    assert sorted(s for ids in plan.second.values() for s in ids) == sorted(submitters)  # all double-marked
    assert all(plan.reviewer_of(s) != r for r, ids in plan.second.items() for s in ids)
    assert (Course.open(course).state_dir("review", f"penugasan-{STAGE}.json")).is_file()
    crit = DG1.criterion("masalah_nyata")
    # the primary grades: ani 4, budi 3, citra 0 on K1
    want = {"ani": 4, "budi": 3, "citra": 0}
    second = {"ani": 4, "budi": 2, "citra": 3}  # exact, within one, three apart
    for name, path in sheets.items():
        ws = load_workbook(path)[MAIN_SHEET]
        assert set(rows(ws)) == set(plan.primary[name]) | set(plan.second[name])
        for s in plan.second[name]:
            assert ws.cell(rows(ws)[s], 4).value.startswith("penilaian kedua")
        values = {(s, *K1): (want[s], None) for s in plan.primary[name]}
        values.update({(s, *K1): (second[s], "kedua") for s in plan.second[name]})
        fill(path, values)
    for name in plan.reviewers:
        result = import_review(course, sheets[name])
        assert result.ok, result.summary()
        assert len(result.second_marks) == len(plan.second[name])
    for s, level in want.items():  # second markings never change the grade
        assert _get(course, s, G1)[0] == crit.score(level)
    again = import_review(course, sheets[plan.reviewers[0]])
    assert not again.written and not again.second_marks  # the same sheet again adds nothing
    entries = read_audit(course, STAGE)
    assert sum(e.role == SECOND for e in entries) == 3

    stats, moderation = agreement(course, STAGE)
    (k1,) = [s for s in stats if s.grade_name == G1]
    assert k1.pairs == 3
    assert k1.exact == pytest.approx(1 / 3) and k1.within_one == pytest.approx(2 / 3)
    assert k1.kappa == pytest.approx(weighted_kappa([(4, 4), (3, 2), (0, 3)]))
    assert [(d.student, d.first_level, d.second_level) for d in moderation] == [("citra", 0, 3)]
    assert moderation[0].first_reviewer == plan.reviewer_of("citra")
    assert moderation[0].second_reviewer != moderation[0].first_reviewer
    out = tmp_path / "audit.xlsx"
    write_audit(course, out)
    wb = load_workbook(out)
    assert [c.value for c in wb["Moderasi"][2]][1:3] == ["citra", K1[0] + " " + crit.title]
    # the cohort report shows who graded what, the agreement and the moderation list
    from lablib.reports.report import build_report

    report = build_report(course)
    assert 'id="penilai"' in report.html and "Penilai dan kesepakatan" in report.html
    team = {t.key: t for t in report.tables if t.key in ("Penilai", "Kesepakatan", "Moderasi")}
    assert {r[0]: (r[1], r[2], r[4]) for r in team["Penilai"].rows} == {
        name: (len(plan.primary[name]), len(plan.primary[name]), len(plan.second[name])) for name in plan.reviewers}
    assert [r[1:3] for r in team["Kesepakatan"].rows if r[1].startswith("DG1")] == [
        (f"DG1 {crit.title}", 3)]
    assert [r[1] for r in team["Moderasi"].rows] == ["citra"]
    assert main(["review", "assign", STAGE, "--reviewers", "A,B,C", "--course", str(course), "--out",
                 str(tmp_path / "abc")]) == 0
    assert "3 peserta dibagi ke 3 narasumber" in capsys.readouterr().out
    assert len(list((tmp_path / "abc").glob("penilaian-diagnose-*.xlsx"))) == 3


def test_a_grade_set_in_formgrader_shows_as_unrecorded(course, tmp_path):
    from lablib.reports.audit import grade_sources

    path = export_review(course, STAGE, tmp_path / "s.xlsx", reviewer="Siti")
    fill(path, {("ani", *K1): (3, None)})
    assert import_review(course, path).ok
    _set(course, "budi", G1, 1.0)
    entries = read_audit(course, STAGE)
    crit = DG1.criterion("masalah_nyata")
    sources = grade_sources(entries, {(STAGE, "ani", G1): crit.score(3), (STAGE, "budi", G1): 1.0})
    assert sources[(STAGE, "ani", G1)][0] == "Siti"
    assert sources[(STAGE, "budi", G1)] == (UNRECORDED, "")
    # the audit workbook lists every manual grade the gradebook holds now, with who gave it
    wb = load_workbook(write_audit(course, tmp_path / "audit.xlsx"))
    now = {(r[1], r[2]): (r[3], r[6]) for r in wb["Nilai sekarang"].iter_rows(min_row=2, values_only=True)}
    title = f"DG1 {crit.title}"
    assert now == {("ani", title): (crit.score(3), "Siti"), ("budi", title): (1.0, UNRECORDED)}
    from lablib.reports.agreement import team_tables

    people = {r[0]: r for r in team_tables(course)[0][3]}
    assert people["Siti"][1:3] == (1, 1) and people[UNRECORDED][2] == 1


def test_a_revised_sheet_imported_again_builds_on_its_own_earlier_import(course, tmp_path):
    path = export_review(course, STAGE, tmp_path / "s.xlsx", reviewer="Siti")
    crit = DG1.criterion("masalah_nyata")
    fill(path, {("ani", *K1): (2, "pertama"), ("budi", *K1): (1, None)})
    assert import_review(course, path).ok
    fill(path, {("ani", *K1): (4, "direvisi")})  # the same sheet, revised, sent again
    result = import_review(course, path)
    assert result.ok and result.written == (("ani", G1),) and result.unchanged == 1
    assert _get(course, "ani", G1) == (crit.score(4), "direvisi")
    # someone else changes budi after that; the sheet changing budi again is then a conflict
    _set(course, "budi", G1, crit.score(3), None)
    fill(path, {("budi", *K1): (0, None)})
    result = import_review(course, path)
    assert [c.student for c in result.conflicts] == ["budi"]



def test_a_resubmitted_or_removed_submission_is_a_conflict_not_a_traceback(course, tmp_path):
    path = export_review(course, STAGE, tmp_path / "s.xlsx")
    fill(path, {("budi", *K1): (3, None), ("citra", *K1): (2, None), ("ani", *K1): (1, None)})
    with Course.open(course).gradebook() as gb:
        sub = gb.find_submission(STAGE, "budi")
        sub.timestamp = dt.datetime(2026, 8, 20, 9, 0)  # budi submitted again after the export
        gb.db.commit()
        gb.remove_submission(STAGE, "citra")
    result = import_review(course, path)
    reasons = {c.student: c.reason for c in result.conflicts}
    assert set(reasons) == {"budi", "citra"}
    assert "mengumpulkan ulang" in reasons["budi"] and "tidak ada lagi" in reasons["citra"]
    assert result.written == (("ani", G1),)
    forced = import_review(course, path, force=True)
    assert [c.student for c in forced.overwritten] == ["budi"]  # the reviewer confirms the grade
    assert [c.student for c in forced.conflicts] == ["citra"]  # nothing to write it to
    assert _get(course, "budi", G1)[0] == DG1.criterion("masalah_nyata").score(3)
