"""Every stage's assignment through the real nbgrader pipeline: generate, release, fetch, fill
through the lablib API, submit, collect, autograde. Per stage the model answer earns every
automatic point (equal to the in-process score), the blank release earns none, the answers
file survives unchanged, and the points add up to the curriculum table."""

from __future__ import annotations

import json

import nbformat
import pytest
from conftest import autograde, nbgrader

from lablib.core.answers import save_answers
from lablib.core.stages import STAGES
from lablib.course.course import Course
from lablib.course.folder import install_source, write_config
from lablib.curriculum import get_exercise, stage_exercises
from lablib.curriculum.grade_ids import auto_grade_id
from lablib.curriculum.samples import model_answers
from lablib.curriculum.scoring import score_answers

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("assignments-pipeline")]  # one course per run
COURSE_ID = "uji-tahap"
STAGE_POINTS = {"drum-up": 10, "diagnose": 25, "design": 30, "deliver": 15, "display": 20}  # curriculum table
SLUGS = [s.slug for s in STAGES]


def _auto_scores(db_url: str, stage: str, student: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gb:
        nb = gb.find_submission_notebook(stage, stage, student)
        return {g.name: g.score for g in nb.grades if g.auto_score is not None}


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    root = tmp_path_factory.mktemp("tahap")
    course = root / "course"
    write_config(course, course_id=COURSE_ID)
    api = Course.open(course).api
    exchange = f"--Exchange.root={course / 'exchange'}"
    homes = {student: root / student for student in ("budi", "sari")}
    for home in homes.values():
        home.mkdir()
    for stage in SLUGS:
        install_source(course, stage)
        for step in (api.generate_assignment, api.release_assignment):
            result = step(stage)
            assert result["success"], result["error"] + result["log"]
        for student, home in homes.items():
            nbgrader("fetch_assignment", stage, f"--course={COURSE_ID}", exchange, cwd=home)
            if student == "budi":  # fills every stage with the worked example, as the form would
                save_answers(home / stage, stage, model_answers(stage))
            nbgrader("submit", stage, f"--course={COURSE_ID}", exchange, f"--student={student}", cwd=home)
        result = api.collect(stage)
        assert result["success"], result["error"]
        for student in homes:
            result = autograde(api, stage, student)
            assert result["success"], result["error"] + result["log"]
    return course, homes


@pytest.mark.parametrize("stage", SLUGS)
def test_model_answer_autogrades_to_every_automatic_point(graded_course, stage):
    course, _ = graded_course
    scores = _auto_scores(f"sqlite:///{course / 'gradebook.db'}", stage, "budi")
    expected = score_answers(stage, model_answers(stage))
    assert expected.earned == sum(ex.auto_points for ex in stage_exercises(stage))
    assert sum(scores.values()) == expected.earned
    assert len(scores) == sum(len(ex.checks) for ex in stage_exercises(stage))


@pytest.mark.parametrize("stage", SLUGS)
def test_blank_release_gets_no_automatic_points(graded_course, stage):
    course, _ = graded_course
    scores = _auto_scores(f"sqlite:///{course / 'gradebook.db'}", stage, "sari")
    assert scores and sum(scores.values()) == 0


@pytest.mark.parametrize("stage", SLUGS)
def test_assignment_points_add_up_to_the_curriculum_table(graded_course, stage):
    from nbgrader.api import Gradebook

    course, _ = graded_course
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert gb.find_assignment(stage).max_score == STAGE_POINTS[stage]


@pytest.mark.parametrize("stage", SLUGS)
def test_answers_file_survives_submit_collect_autograde_unchanged(graded_course, stage):
    course, homes = graded_course
    name = f"jawaban-{stage}.json"
    original = (homes["budi"] / stage / name).read_bytes()
    for step in ("submitted", "autograded"):
        assert (course / step / "budi" / stage / name).read_bytes() == original, step
    assert json.loads(original)["answers"] == model_answers(stage)


@pytest.mark.parametrize("stage", SLUGS)
def test_autograded_notebooks_have_no_errors_and_nothing_on_stderr(graded_course, stage):
    course, _ = graded_course
    for student in ("budi", "sari"):
        nb = nbformat.read(course / "autograded" / student / stage / f"{stage}.ipynb", as_version=4)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                assert not (out.get("output_type") == "stream" and out.get("name") == "stderr"), cell.source
                assert out.get("output_type") != "error", cell.source
                assert "application/vnd.jupyter.widget-view+json" not in out.get("data", {})


def test_dg1_checks_are_graded_cells(graded_course):
    course, _ = graded_course
    scores = _auto_scores(f"sqlite:///{course / 'gradebook.db'}", "diagnose", "budi")
    dg1 = get_exercise("diagnose.dg1")
    assert {auto_grade_id(dg1, c.id) for c in dg1.checks} <= set(scores)


@pytest.mark.parametrize("stage", ["diagnose", "display"])
def test_validate_passes_on_model_answer_and_fails_on_blank_release(graded_course, tmp_path, stage):
    course, _ = graded_course
    release = course / "release" / stage
    blank, filled = tmp_path / "blank" / stage, tmp_path / "filled" / stage
    for target in (blank, filled):
        target.mkdir(parents=True)
        for f in release.iterdir():
            (target / f.name).write_bytes(f.read_bytes())
    save_answers(filled, stage, model_answers(stage))
    notebook = f"{stage}.ipynb"

    ok = nbgrader("validate", str(filled / notebook), cwd=tmp_path)
    assert "Success! Your notebook passes all the tests." in ok.stdout, ok.stderr
    inverted = nbgrader("validate", "--invert", str(filled / notebook), cwd=tmp_path, check=False)
    assert "NOTEBOOK PASSED ON" in inverted.stdout, inverted.stderr  # --invert: every test passes

    failing = nbgrader("validate", str(blank / notebook), cwd=tmp_path, check=False)
    assert "VALIDATION FAILED ON" in failing.stdout, failing.stderr
    inverted_blank = nbgrader("validate", "--invert", str(blank / notebook), cwd=tmp_path, check=False)
    # no test passes on the blank release
    assert "Success! The notebook does not pass any tests." in inverted_blank.stdout, inverted_blank.stderr
