"""``lablib export``, the cohort report and nbgrader agree on every score, extra credit included.

Both read the gradebook through ``lablib.course.gradebook.read_gradebook``, whose cell score is
nbgrader's ``Grade.score``: the manual score if set, else the automatic one, plus extra credit
(none when the cell has neither score).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from _cohort import ROSTER, active_stages, cohort_course, copy_course

from lablib.course.course import Course
from lablib.curriculum import get_exercise
from lablib.curriculum.grade_ids import auto_grade_id, rubric_grade_id
from lablib.reports.export import export
from lablib.reports.report import load_cohort, participants_table

pytestmark = pytest.mark.slow
STAGE = "diagnose"
DG1, DG2 = get_exercise("diagnose.dg1"), get_exercise("diagnose.dg2")
FIRST, SECOND = DG1.criteria[0], DG2.criteria[0]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The shared cohort, with extra credit given in the gradebook the way formgrader gives it."""
    cohort = cohort_course(tmp_path_factory)
    course = copy_course(cohort, tmp_path_factory.mktemp("ekspor") / "course")
    with Course.open(course).gradebook() as gb:
        usg = gb.find_grade(auto_grade_id(DG1, "usg"), STAGE, STAGE, "budi")  # budi's USG check failed
        usg.extra_credit = 0.5
        reviewed = gb.find_grade(rubric_grade_id(DG1, FIRST.id), STAGE, STAGE, "ani")
        reviewed.manual_score, reviewed.needs_manual_grade, reviewed.extra_credit = FIRST.score(3), False, 1.25
        unscored = gb.find_grade(rubric_grade_id(DG2, SECOND.id), STAGE, STAGE, "citra")
        unscored.extra_credit = 2.0  # on a criterion not reviewed yet: nbgrader counts nothing
        gb.db.commit()
    return course


def _csv(path: Path) -> dict[str, dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}


def _nbgrader_scores(course: Path) -> tuple[dict, dict]:
    """nbgrader's own submission scores ``{(student, stage): score}`` and three grades' scores."""
    with Course.open(course).gradebook() as gb:
        subs = {(sub.student.id, stage): sub.score for stage in active_stages()
                for sub in gb.assignment_submissions(stage)}
        grades = {who: gb.find_grade(name, STAGE, STAGE, who).score for who, name in (
            ("budi", auto_grade_id(DG1, "usg")), ("ani", rubric_grade_id(DG1, FIRST.id)),
            ("citra", rubric_grade_id(DG2, SECOND.id)))}
    return subs, grades


def test_export_and_report_totals_equal_nbgrader_scores_with_extra_credit(course, tmp_path):
    subs, grades = _nbgrader_scores(course)
    usg = DG1.check("usg")
    assert grades["budi"] == pytest.approx(0.5)  # the failed check's 0 plus the extra credit
    assert grades["ani"] == pytest.approx(FIRST.score(3) + 1.25)
    assert grades["citra"] == 0.0

    export(course, tmp_path)
    per_ex, per_item = _csv(tmp_path / "nilai-per-latihan.csv"), _csv(tmp_path / "nilai-per-butir.csv")
    cohort = load_cohort(course)
    people = {row[0]: row for row in participants_table(cohort).rows}
    total_column = 3 + len(cohort.stages)
    assert set(per_ex) == set(people) == {pid for pid, *_ in ROSTER}

    for pid in per_ex:
        for stage in active_stages():
            expected = subs.get((pid, stage), 0.0)
            assert float(per_ex[pid][f"{stage}: total"]) == pytest.approx(expected), (pid, stage)
            record = cohort.view.record(pid, stage)
            assert (record.score if record else 0.0) == pytest.approx(expected), (pid, stage)
        course_total = sum(v for (who, _), v in subs.items() if who == pid)
        assert float(per_ex[pid]["total kursus"]) == pytest.approx(course_total), pid
        assert people[pid][total_column] == pytest.approx(course_total, abs=0.01), pid
        assert cohort.view.course_score(pid)[0] == pytest.approx(course_total), pid

    column = f"DG1 otomatis usg (maks {usg.points:g})"
    assert float(per_item["budi"][column]) == pytest.approx(0.5)
    assert float(per_item["ani"][f"DG1 rubrik {FIRST.id} (maks {FIRST.points:g})"]) == pytest.approx(
        FIRST.score(3) + 1.25)
    assert per_item["citra"][f"DG2 rubrik {SECOND.id} (maks {SECOND.points:g})"] == ""  # not reviewed: blank
    assert float(per_ex["ani"]["DG1 rubrik"]) == pytest.approx(FIRST.score(3) + 1.25)
