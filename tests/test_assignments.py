"""The committed nbgrader source notebooks are exactly what the definitions generate."""

from pathlib import Path

import nbformat
import pytest

from lablib.core.stages import STAGES
from lablib.curriculum import stage_exercises
from lablib.curriculum.grade_ids import (
    AUTO,
    RUBRIC,
    auto_grade_id,
    describe_grade,
    grade_names,
    parse_grade_id,
    rubric_grade_id,
)
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


@pytest.mark.parametrize("stage", [s.slug for s in STAGES])
def test_every_graded_cell_name_maps_back_to_its_check_or_criterion(stage):
    graded = {c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader for c in build_notebook(stage).cells
              if c.metadata.nbgrader.get("grade") or c.metadata.nbgrader.get("task")}
    assert list(graded) == list(grade_names(stage))  # the same cells, in the same order
    for name, meta in graded.items():
        meaning, parsed = describe_grade(name), parse_grade_id(name)
        assert (parsed.kind, parsed.code, parsed.item_id) == (meaning.kind, meaning.exercise.code, meaning.item_id)
        assert meaning.kind == (AUTO if meta["grade"] else RUBRIC) and meaning.points == meta["points"]
        assert meaning.stage == stage
    for name in (f"{stage}-import", "auto-dg1", "rubrik-DG1-x"):  # readonly cells and foreign names
        assert describe_grade(name) is None


def test_notebooks_have_no_outputs_and_no_solution_cells():
    for stage in STAGES:
        nb = build_notebook(stage.slug)
        for cell in nb.cells:
            assert not cell.get("outputs")
            assert not cell.metadata.nbgrader["solution"]
