"""Teaching notebooks: committed clean, and each runs headless top to bottom in a real kernel
with no error and nothing on stderr (a red box would frighten a participant)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import execute

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
EXPECTED = ["00-panduan-fasilitator.ipynb", "01-drum-up.ipynb", "02-diagnose.ipynb", "03-design.ipynb",
            "04-deliver.ipynb", "05-display.ipynb"]


def test_the_notebooks_are_there_in_reading_order():
    assert EXPECTED == [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebooks_have_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert [] == cell.outputs, f"{path.name}: a code cell has outputs; clear them before committing"
            assert cell.execution_count is None, f"{path.name}: a code cell has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS[1:], ids=lambda p: p.name)
def test_every_worked_example_is_labelled_data_fiktif(path):
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert "data fiktif untuk latihan" in text
    for cell in nb.cells:  # every picture gets the caption
        if cell.cell_type == "code" and cell.source.startswith("show("):
            assert "caption=FIKTIF" in cell.source, cell.source


def test_teaching_notebooks_draw_every_picture_with_the_assignments_code():
    """The pictures of the teaching notebooks are the ones the assignments show: drawn by
    ``show``/``practice`` (lablib.notebook.pictures and live_pictures), never by a copy of the
    drawing code in a cell."""
    from lablib.notebook.pictures import KINDS

    used = set()
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            assert not re.search(r"matplotlib|pyplot|\bplt\.|savefig|\bFigure\(|\.subplots?\(", cell.source), (
                f"{path.name}: a cell draws by itself; use show(kind, ...) or practice(kind)")
            used |= set(re.findall(r"\b(?:show|practice)\(\"(\w+)\"", cell.source))
    assert sorted(KINDS) == sorted(used)  # every picture is taught, and no unknown kind is called


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_headless_without_errors_or_stderr(path, tmp_path, monkeypatch):
    monkeypatch.setenv("LABLIB_HEADLESS", "1")
    monkeypatch.setenv("LABLIB_LANG", "id")
    work = tmp_path / "notebooks"
    shutil.copytree(REPO / "notebooks", work)
    nb = nbformat.read(work / path.name, as_version=4)
    execute(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(work)}})

    problems = []
    pictures = 0
    for n, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                problems.append(f"cell {n}: {out.ename}: {out.evalue}")
            elif out.output_type == "stream" and out.name == "stderr":
                problems.append(f"cell {n}: stderr: {out.text[:300]}")
            elif "image/png" in out.get("data", {}):
                pictures += 1
            if "application/vnd.jupyter.widget-view+json" in out.get("data", {}):
                problems.append(f"cell {n}: shows a widget although headless")
    assert [] == problems
    if path.name != "00-panduan-fasilitator.ipynb":
        assert pictures >= 2, "a stage notebook draws its worked example and its practice picture"
