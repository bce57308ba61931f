"""nbgrader source assignments, built from the exercise definitions.

One notebook per stage. For each exercise: its instructions, a locked cell showing the form,
one autograder test cell per automatic check (worth that check's points) and one manually
graded task cell per rubric criterion (worth its points, showing the level descriptors to the
narasumber); the graded cells are named by ``lablib.curriculum.grade_ids``. Because the notebook is generated, adding an exercise touches its definition
only; ``assignments/`` in the repository holds the generated copies for reading and review,
and a test keeps them identical to what this module builds.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from lablib.core import formatting
from lablib.core.exercises import Exercise
from lablib.core.files import write_text_atomic
from lablib.core.rubrics import LEVELS
from lablib.core.stages import get_stage
from lablib.curriculum import stage_exercises
from lablib.curriculum.grade_ids import auto_grade_id, rubric_grade_id

NBGRADER_SCHEMA = 3

_INTRO = """# {title}

**Tahap {order} dari 5 model Laboratorium Inovasi (5D).** {purpose}

Isi formulir di bawah setiap latihan. Jawaban **tersimpan otomatis** (status "Tersimpan" terlihat
di bawah formulir); menutup atau memuat ulang halaman tidak menghapusnya. Tekan **Periksa** untuk
melihat hasil pemeriksaan otomatis dan apa yang perlu diperbaiki. Bila sudah selesai, kembali ke
**Beranda** dan tekan **Kumpulkan** pada tahap ini.

Nilai tahap ini: **{auto} poin otomatis** (diperiksa mesin) dan **{rubric} poin rubrik** (dinilai narasumber LAN).
Angka dalam contoh adalah *data fiktif untuk latihan*.

<details><summary>Membuka tahap ini di JupyterLab?</summary>

Di JupyterLab, formulir baru muncul setelah semua sel dijalankan: menu **Menjalankan → Menjalakan
Semua Sel** (begitu tertulis di layar). Jawaban tersimpan di file `{answers}` dalam folder ini.
Sel bertanda "Pemeriksaan otomatis" dipakai saat penilaian; hasilnya di JupyterLab bisa sudah
lama, jadi pakailah tombol **Periksa** pada formulir. Untuk mengumpulkan, buka **Beranda**.
</details>
"""

_CARRY = """## Ambil jawaban tahap sebelumnya

Tahap ini melanjutkan jawaban Anda dari tahap sebelumnya. Tekan tombol di bawah untuk menyalin
jawaban itu ke folder ini (jawaban tahap ini tidak terhapus).
"""


def _meta(kind: str, grade_id: str, points: float | None = None) -> dict:
    flags = {
        "readonly": {"grade": False, "solution": False, "locked": True, "task": False},
        "test": {"grade": True, "solution": False, "locked": True, "task": False},
        "task": {"grade": False, "solution": False, "locked": True, "task": True},
    }[kind]
    meta = {"grade_id": grade_id, "schema_version": NBGRADER_SCHEMA, **flags}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _criterion_markdown(exercise: Exercise, crit) -> str:
    # Folded (<details>) so the level table does not lengthen the participant's page; Voilà,
    # nbconvert and formgrader (which renders the cell's markdown) all show the summary line and
    # open the table on a click. Blank lines around the table keep it markdown inside the HTML.
    rows = "\n".join(f"| {lvl} – {html.escape(str(LEVELS[lvl]))} | {html.escape(desc)} |"
                     for lvl, desc in enumerate(crit.descriptors))
    return (f"<details><summary><strong>Rubrik {exercise.code}: {html.escape(crit.title)} "
            f"({formatting.points(crit.points)} poin)</strong></summary>\n\n"
            f"*Dinilai oleh narasumber. Skor = level ÷ 4 × {formatting.points(crit.points)} poin.*\n\n"
            f"| Level | Deskripsi |\n|---|---|\n{rows}\n\n</details>\n")


def build_notebook(stage: str) -> nbformat.NotebookNode:
    """The nbgrader source notebook of ``stage``, generated from its exercise definitions."""
    st = get_stage(stage)
    exercises = stage_exercises(stage)
    auto = sum(e.auto_points for e in exercises)
    rubric = sum(e.rubric_points for e in exercises)
    cells = [
        new_markdown_cell(_INTRO.format(title=st.title, order=st.order, purpose=st.purpose,
                                        answers=st.answers_filename, auto=formatting.points(auto),
                                        rubric=formatting.points(rubric)),
                          metadata=_meta("readonly", f"{st.slug}-pengantar")),
        new_code_cell("import lablib", metadata=_meta("readonly", f"{st.slug}-import")),
    ]
    if st.order > 2:
        cells += [
            new_markdown_cell(_CARRY, metadata=_meta("readonly", f"{st.slug}-ambil-md")),
            new_code_cell(f'lablib.import_button("{st.slug}")', metadata=_meta("readonly", f"{st.slug}-ambil")),
        ]
    for ex in exercises:
        cells.append(new_markdown_cell(
            f"## {ex.code} {html.escape(ex.title)}\n\n{html.escape(ex.instructions)}\n\n"
            f"*{formatting.points(ex.auto_points)} poin otomatis, {formatting.points(ex.rubric_points)} poin rubrik.*",
            # The app hides this cell (lablib's Voilà template): the form below shows the same title,
            # instructions and points in its own header; JupyterLab and formgrader still show it.
            metadata={**_meta("readonly", f"{ex.code.lower()}-petunjuk"), "lablib": {"app": "hidden"}}))
        cells.append(new_code_cell(f'lablib.form("{ex.id}")', metadata=_meta("readonly", f"{ex.code.lower()}-form")))
        for check in ex.checks:
            cells.append(new_code_cell(
                f'# Pemeriksaan otomatis: {check.title} ({formatting.points(check.points)} poin)\n'
                f'lablib.grade_check("{ex.id}", "{check.id}")',
                metadata=_meta("test", auto_grade_id(ex, check.id), check.points)))
        for crit in ex.criteria:
            cells.append(new_markdown_cell(_criterion_markdown(ex, crit),
                                           metadata=_meta("task", rubric_grade_id(ex, crit.id), crit.points)))
    for cell in cells:  # stable ids keep regenerated notebooks byte-identical (clean git diffs)
        cell["id"] = cell["metadata"]["nbgrader"]["grade_id"]
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "lablib": {"stage": st.slug, "title": st.title},  # Voilà's header (lablib template)
    })
    return nb


def write_source(stage: str, folder: str | os.PathLike) -> Path:
    """Write ``<folder>/<stage>.ipynb`` (no outputs). Returns its path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / get_stage(stage).notebook_name
    nb = build_notebook(stage)
    return write_text_atomic(path, nbformat.writes(nb) + "\n")


def write_all(folder: str | os.PathLike) -> list[Path]:
    """Write every stage's source notebook to ``<folder>/<stage>/<stage>.ipynb``."""
    from lablib.core.stages import STAGES

    return [write_source(s.slug, Path(folder) / s.slug) for s in STAGES]


if __name__ == "__main__":  # python -m lablib.notebook.assignments assignments/
    import sys

    for written in write_all(sys.argv[1] if len(sys.argv) > 1 else "assignments"):
        print(written)
