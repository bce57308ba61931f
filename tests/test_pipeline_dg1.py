"""The DG1 chain through the real nbgrader pipeline: generate, release, fetch, fill through the
lablib API, submit, collect, autograde; scores must equal the in-process score."""

from __future__ import annotations

import json

import pytest
from conftest import nbgrader

from lablib.answers import save_answers
from lablib.course import install_source, open_api, write_config
from lablib.curriculum.samples import model_answers
from lablib.exercises import get_exercise, stage_exercises
from lablib.scoring import score_answers

pytestmark = pytest.mark.slow
COURSE_ID = "uji-dg1"


def _auto_scores(db_url: str, student: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gb:
        nb = gb.find_submission_notebook("diagnose", "diagnose", student)
        return {g.name: g.score for g in nb.grades if g.auto_score is not None}


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    root = tmp_path_factory.mktemp("dg1")
    course = root / "course"
    write_config(course, course_id=COURSE_ID)
    install_source(course, "diagnose")
    api = open_api(course)
    for step in (api.generate_assignment, api.release_assignment):
        result = step("diagnose")
        assert result["success"], result["error"] + result["log"]
    exchange = f"--Exchange.root={course / 'exchange'}"
    model = model_answers("diagnose")
    folders = {}
    for student, answers in (("budi", model), ("sari", None)):
        home = root / student
        home.mkdir()
        nbgrader("fetch_assignment", "diagnose", f"--course={COURSE_ID}", exchange, cwd=home)
        folder = home / "diagnose"
        if answers is not None:
            save_answers(folder, "diagnose", answers)  # as the form would, through the lablib API
        nbgrader("submit", "diagnose", f"--course={COURSE_ID}", exchange, f"--student={student}", cwd=home)
        folders[student] = folder
    result = api.collect("diagnose")
    assert result["success"], result["error"]
    for student in folders:
        result = api.autograde("diagnose", student)
        assert result["success"], result["error"] + result["log"]
    return course, folders, model


def test_model_answer_autogrades_to_the_in_process_score(graded_course):
    course, _, model = graded_course
    scores = _auto_scores(f"sqlite:///{course / 'gradebook.db'}", "budi")
    expected = score_answers("diagnose", model)
    total_auto = sum(ex.auto_points for ex in stage_exercises("diagnose"))
    assert expected.earned == total_auto
    assert sum(scores.values()) == expected.earned
    dg1 = get_exercise("diagnose.dg1")
    assert {f"auto-dg1-{c.id}" for c in dg1.checks} <= set(scores)


def test_blank_release_gets_no_automatic_points(graded_course):
    course, _, _ = graded_course
    scores = _auto_scores(f"sqlite:///{course / 'gradebook.db'}", "sari")
    assert scores and sum(scores.values()) == 0


def test_answers_file_survives_submit_collect_autograde_unchanged(graded_course):
    course, folders, _ = graded_course
    original = (folders["budi"] / "jawaban-diagnose.json").read_bytes()
    for step in ("submitted", "autograded"):
        copy = course / step / "budi" / "diagnose" / "jawaban-diagnose.json"
        assert copy.read_bytes() == original, step
    assert json.loads(original)["answers"] == graded_course[2]


def test_autograded_test_cells_print_nothing_to_stderr(graded_course):
    import nbformat

    course, _, _ = graded_course
    nb = nbformat.read(course / "autograded" / "budi" / "diagnose" / "diagnose.ipynb", as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert not (out.get("output_type") == "stream" and out.get("name") == "stderr"), cell.source
            assert out.get("output_type") != "error", cell.source


def test_validate_passes_on_model_answer_and_fails_on_blank_release(graded_course, tmp_path):
    course, _, model = graded_course
    release = course / "release" / "diagnose"
    blank, filled = tmp_path / "blank" / "diagnose", tmp_path / "filled" / "diagnose"
    for target in (blank, filled):
        target.mkdir(parents=True)
        for f in release.iterdir():
            (target / f.name).write_bytes(f.read_bytes())
    save_answers(filled, "diagnose", model)

    ok = nbgrader("validate", str(filled / "diagnose.ipynb"), cwd=tmp_path)
    assert "Success! Your notebook passes all the tests." in ok.stdout
    inverted = nbgrader("validate", "--invert", str(filled / "diagnose.ipynb"), cwd=tmp_path, check=False)
    assert "NOTEBOOK PASSED ON" in inverted.stdout  # --invert complains: every test passes

    failing = nbgrader("validate", str(blank / "diagnose.ipynb"), cwd=tmp_path, check=False)
    assert "VALIDATION FAILED ON" in failing.stdout
    inverted_blank = nbgrader("validate", "--invert", str(blank / "diagnose.ipynb"), cwd=tmp_path, check=False)
    assert "NOTEBOOK PASSED ON" not in inverted_blank.stdout  # no test passes on the blank release
