"""Participant feedback pages: check messages, rubric levels and comments, totals, never code."""

from __future__ import annotations

import html

import pytest
from _cohort import EVIL, active_stages, answer_sets, cohort_course, copy_course

from lablib.core.checks import run_checks
from lablib.core.rubrics import LEVELS
from lablib.course.course import Course
from lablib.course.gradebook import read_gradebook
from lablib.curriculum import stage_exercises
from lablib.curriculum.grade_ids import rubric_grade_id
from lablib.reports.feedback import feedback_path, write_feedback

pytestmark = pytest.mark.slow
STAGE = "diagnose"
CODE_MARKERS = ("grade_check", "lablib.form", "import lablib", "def ", "assert ")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    cohort = cohort_course(tmp_path_factory)
    course = copy_course(cohort, tmp_path_factory.mktemp("feedback") / "course")
    ex = stage_exercises(STAGE)[0]
    crit = ex.criteria[0]
    with Course.open(course).gradebook() as gb:  # the narasumber graded ani's first criterion
        grade = gb.find_grade(rubric_grade_id(ex, crit.id), STAGE, STAGE, "ani")
        grade.manual_score, grade.needs_manual_grade = crit.score(3), False
        gb.find_comment(rubric_grade_id(ex, crit.id), STAGE, STAGE, "ani").manual_comment = \
            "Data <b>jelas</b> & terukur"
        gb.db.commit()
    return course


def _page(course, student, stage=STAGE) -> str:
    return feedback_path(course, student, stage).read_text(encoding="utf-8")


def test_one_page_per_graded_participant(course):
    paths = write_feedback(course, STAGE)
    assert sorted(p.parent.parent.name for p in paths) == ["ani", "budi", "citra"]  # dedi never submitted
    assert write_feedback(course, STAGE, participants=["budi", "dedi"]) == [feedback_path(course, "budi", STAGE)]


def test_every_check_message_is_shown_with_the_autograded_score(course):
    write_feedback(course, STAGE)
    page = _page(course, "budi")
    answers = answer_sets()["budi"][STAGE]
    record = read_gradebook(course, [STAGE]).record("budi", STAGE)
    failed = 0
    for ex in stage_exercises(STAGE):
        result = run_checks(ex, answers)
        for c in result.checks:
            assert html.escape(c.title.get("id")) in page
            for m in c.messages:
                assert html.escape(m.get("id")) in page
            if not c.passed:
                failed += 1
                assert f"{html.escape(c.title.get('id'))} <small>(0/" in page
    assert failed >= 1  # budi's wrong USG total
    assert f"{record.score:g}".replace(".", ",") in page


def test_criterion_level_descriptor_and_comment_are_shown(course):
    write_feedback(course, STAGE)
    page = _page(course, "ani")
    crit = stage_exercises(STAGE)[0].criteria[0]
    assert f"3 – {LEVELS[3].get('id')}" in page
    assert html.escape(crit.descriptors[3]) in page
    assert "Data &lt;b&gt;jelas&lt;/b&gt; &amp; terukur" in page
    assert "belum dinilai" in page  # the other criteria are not graded yet
    assert "Nilai kursus sejauh ini" in page and "Nilai tahap ini" in page


def test_no_code_and_participant_text_escaped(course):
    write_feedback(course, STAGE)
    for student in ("ani", "budi", "citra"):
        page = _page(course, student)
        for marker in CODE_MARKERS:
            assert marker not in page, (student, marker)
        assert "<script" not in page.lower()
    assert html.escape(EVIL) in _page(course, "budi")


def test_replaces_nbgrader_feedback_which_shows_the_test_cells(course):

    result = Course.open(course).api.generate_feedback(STAGE, "citra")
    assert result["success"], result["error"]
    nb_page = course / "feedback" / "citra" / STAGE / f"{STAGE}.html"
    assert "grade_check" in nb_page.read_text(encoding="utf-8")  # nbgrader shows the code
    write_feedback(course, STAGE, ["citra"])
    ours = nb_page.read_text(encoding="utf-8")
    assert ours == _page(course, "citra") and "grade_check" not in ours


@pytest.mark.parametrize("stage", active_stages())
def test_every_stage_page_names_every_check_and_criterion(course, stage):
    paths = write_feedback(course, stage)
    assert paths
    page = paths[0].read_text(encoding="utf-8")
    for ex in stage_exercises(stage):
        for c in ex.checks:
            assert html.escape(c.title) in page
        for crit in ex.criteria:
            assert html.escape(crit.title) in page
