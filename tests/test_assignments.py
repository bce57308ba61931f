"""The committed nbgrader source notebooks are exactly what the definitions generate."""

from pathlib import Path

import nbformat
import pytest

from lablib.core.stages import STAGES
from lablib.curriculum import stage_exercises
from lablib.curriculum.grade_ids import auto_grade_id, rubric_grade_id
from lablib.notebook.assignments import build_notebook

ASSIGNMENTS = Path(__file__).resolve().parent.parent / "assignments"


@pytest.mark.parametrize("stage", [s.slug for s in STAGES])
def test_committed_source_notebook_matches_the_definitions(stage):
    committed = ASSIGNMENTS / stage / f"{stage}.ipynb"
    assert committed.is_file(), f"run 'make assignments' to write {committed}"
    assert committed.read_text(encoding="utf-8") == nbformat.writes(build_notebook(stage)) + "\n", (
        "assignments/ is out of date with the exercise definitions: run 'make assignments'")


@pytest.mark.parametrize("stage", [s.slug for s in STAGES])
def test_points_in_the_notebook_equal_the_definitions(stage):
    nb = build_notebook(stage)
    points = {c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader.get("points") for c in nb.cells}
    for ex in stage_exercises(stage):
        for check in ex.checks:
            assert points[auto_grade_id(ex, check.id)] == check.points
        for crit in ex.criteria:
            assert points[rubric_grade_id(ex, crit.id)] == crit.points
    assert sum(p or 0 for p in points.values()) == sum(ex.points for ex in stage_exercises(stage))


def test_notebooks_have_no_outputs_and_no_solution_cells():
    for stage in STAGES:
        nb = build_notebook(stage.slug)
        for cell in nb.cells:
            assert not cell.get("outputs")
            assert not cell.metadata.nbgrader["solution"]
