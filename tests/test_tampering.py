"""A participant cannot raise their own score, with nbgrader's plain `nbgrader autograde`.

Every attacker submits through nbgrader's exchange; the course is then graded with the
`nbgrader autograde` command line in the course folder, so the protections must come from the
course's own nbgrader_config.py (lablib.protections). Each attacker's automatic score must equal the
in-process score of their answers under the course's calendar (0 for the blank ones).

A control copy of the course, with nbgrader's stock preprocessors, grades three of the
attacks to show they are real: there they earn points.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import BIN, nbgrader, run_cli
from test_pipeline_course import run_checks

from lablib import cli
from lablib.core.answers import save_answers
from lablib.core.calendar import DEFAULT_CALENDAR
from lablib.course.folder import CONFIG_FILENAME, copy_tree_writable, load_config, sqlite_url
from lablib.curriculum import stage_exercises
from lablib.curriculum.grade_ids import auto_grade_id
from lablib.curriculum.samples import model_answers
from lablib.curriculum.scoring import score_answers
from lablib.demo import ExchangeParticipant

pytestmark = pytest.mark.slow

COURSE_ID = "uji-curang"
# A test cell that shows no value earns all its points (nbgrader's rule), so a faked
# grade_check returns None.

FAKE_MODULE = """
def grade_check(*args, **kwargs):
    return None


def __getattr__(name):
    return lambda *args, **kwargs: None
"""

FAKE_LAUNCHER = """
# Runs instead of ipykernel's launcher: `python -m ipykernel_launcher` looks in the working folder first.
import os, runpy, sys
here = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if p not in ("", here)]
sys.modules.pop("ipykernel_launcher", None)
import lablib, lablib.notebook.autograde
def _full(*args, **kwargs):
    return None
lablib.notebook.autograde.grade_check = lablib.grade_check = _full
runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
"""


def partial_answers() -> dict:
    answers = model_answers("diagnose")
    answers["diagnose.dg1"]["masalah"] = answers["diagnose.dg1"]["masalah"][:1]
    return answers


def _grade_id(cell) -> str:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")


def _is_test(cell) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("grade")) and cell.cell_type == "code"


def _edit(folder: Path, stage: str, change) -> None:
    path = folder / f"{stage}.ipynb"
    nb = nbformat.read(path, as_version=4)
    change(nb)
    nbformat.write(nb, path)


def edit_tests(nb) -> None:
    for cell in nb.cells:
        if _is_test(cell):
            cell.source = "pass"
            cell.metadata["nbgrader"]["points"] = 100


def delete_tests(nb) -> None:
    nb.cells = [c for c in nb.cells if not _is_test(c)]


def add_cell(nb) -> None:
    at = next(i for i, c in enumerate(nb.cells) if _grade_id(c).endswith("-import"))
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(
        "import lablib, lablib.notebook.autograde\n"
        "lablib.grade_check = lablib.notebook.autograde.grade_check = lambda *a, **k: None"))


def replace_import(nb) -> None:
    at = next(i for i, c in enumerate(nb.cells) if _grade_id(c).endswith("-import"))
    nb.cells[at] = nbformat.v4.new_code_cell(
        "class lablib:\n"
        "    grade_check = staticmethod(lambda *a, **k: None)\n"
        "    form = staticmethod(lambda *a, **k: None)\n"
        "    import_button = staticmethod(lambda *a, **k: None)")


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def with_extra_fields(folder: Path) -> None:
    doc = json.loads((folder / "jawaban-diagnose.json").read_text(encoding="utf-8"))
    doc["skor"] = 100
    doc["answers"]["diagnose.dg1"]["nilai"] = 3
    doc["answers"]["diagnose.dg1"]["masalah"][0]["lulus"] = True
    doc["answers"]["diagnose.dg9"] = {"semua": "lulus"}
    doc["answers"]["__points__"] = {"diagnose.dg1": 7}
    _write(folder, "jawaban-diagnose.json", json.dumps(doc))
    _write(folder, "nilai.json", json.dumps({"auto-dg1-daftar": 1}))


# attacker id -> (stage, answers, tamper(folder))
ATTACKS = {
    "ubah-tes": ("diagnose", {}, lambda f: _edit(f, "diagnose", edit_tests)),
    "hapus-tes": ("diagnose", {}, lambda f: _edit(f, "diagnose", delete_tests)),
    "sel-tambahan": ("diagnose", {}, lambda f: _edit(f, "diagnose", add_cell)),
    "ganti-import": ("diagnose", {}, lambda f: _edit(f, "diagnose", replace_import)),
    "modul-palsu": ("diagnose", {}, lambda f: _write(f, "lablib.py", FAKE_MODULE)),
    "paket-palsu": ("diagnose", {}, lambda f: _write(f, "lablib/__init__.py", FAKE_MODULE)),
    "launcher-palsu": ("diagnose", {}, lambda f: _write(f, "ipykernel_launcher.py", FAKE_LAUNCHER)),
    "kolom-tambahan": ("diagnose", partial_answers(), with_extra_fields),
    "jujur": ("diagnose", partial_answers(), lambda f: None),
}
LATE_WINDOW = "2026-09-20"  # outside the workshop: the DU2 signature date check fails


def calendar_attack(folder: Path) -> None:
    doc = json.loads((folder / "kalender-bimtek.json").read_text(encoding="utf-8"))
    doc["workshop_end"] = "2026-09-30"
    _write(folder, "kalender-bimtek.json", json.dumps(doc))


def dated_outside_workshop() -> dict:
    answers = model_answers("drum-up")
    answers["drum-up.du2"]["tanggal"] = LATE_WINDOW
    return answers


ATTACKS["kalender-diubah"] = ("drum-up", dated_outside_workshop(), calendar_attack)
CONTROL = ("sel-tambahan", "modul-palsu", "launcher-palsu")


def auto_total(db_url: str, stage: str, student: str) -> float:
    from nbgrader.api import Gradebook

    with Gradebook(db_url, COURSE_ID) as gb:
        nb = gb.find_submission_notebook(stage, stage, student)
        return round(sum(g.auto_score or 0 for g in nb.grades if g.auto_score is not None), 4)


def build_course(root: Path) -> Path:
    roster = root / "peserta.csv"
    roster.write_text("id,nama,opd,jabatan,email\n" + "".join(
        f"{pid},Peserta {pid},Dinas Uji,Staf,\n" for pid in ATTACKS), encoding="utf-8")
    course = root / "kursus"
    assert cli.main(["init", str(course), "--roster", str(roster), "--course-id", COURSE_ID]) == 0
    for stage in ("diagnose", "drum-up"):
        assert cli.main(["release", stage, "--course", str(course)]) == 0
    for pid, (stage, answers, tamper) in ATTACKS.items():
        who = ExchangeParticipant(pid, root / "rumah" / pid, course / "exchange", root / "cache", COURSE_ID)
        folder = who.fetch(stage)
        save_answers(folder, stage, answers)
        tamper(folder)
        who.submit(stage)
    for stage in ("diagnose", "drum-up"):
        assert cli.main(["collect", stage, "--course", str(course)]) == 0
        nbgrader("autograde", stage, cwd=course)  # plain nbgrader, the course's own config
    return course


def build_control(course: Path, root: Path) -> Path:
    """A copy of the course graded with nbgrader's stock preprocessors (no lablib protections)."""
    copy = root / "kontrol" / "kursus"
    copy.mkdir(parents=True)
    for name in ("source", "release", "exchange"):
        copy_tree_writable(course / name, copy / name)
    for pid in CONTROL:
        copy_tree_writable(course / "submitted" / pid, copy / "submitted" / pid)
    shutil.copy(course / "gradebook.db", copy / "gradebook.db")
    text = (course / CONFIG_FILENAME).read_text(encoding="utf-8").replace(str(course), str(copy))
    text = re.sub(r"^c\.Autograde\.(sanitize|autograde)_preprocessors = .*$", "", text, flags=re.MULTILINE)
    (copy / CONFIG_FILENAME).write_text(text, encoding="utf-8")
    assert "lablib.protections" not in text
    nbgrader("autograde", "diagnose", cwd=copy)
    return copy


def expected(stage: str, answers: dict) -> float:
    return score_answers(stage, answers, DEFAULT_CALENDAR).earned


def check_attack_does_not_raise_the_score(course, attacker):
    stage, answers, _ = ATTACKS[attacker]
    db_url = str(load_config(course).CourseDirectory.db_url)
    assert auto_total(db_url, stage, attacker) == expected(stage, answers)


def check_every_automatic_grade_is_present_after_deleting_test_cells(course):
    from nbgrader.api import Gradebook

    names = {auto_grade_id(ex, c.id) for ex in stage_exercises("diagnose") for c in ex.checks}
    with Gradebook(str(load_config(course).CourseDirectory.db_url), COURSE_ID) as gb:
        nb = gb.find_submission_notebook("diagnose", "diagnose", "hapus-tes")
        graded = {g.name: g.auto_score for g in nb.grades}
    assert names <= set(graded) and all(graded[n] == 0 for n in names)


def check_an_honest_partial_answer_still_earns_its_points(course):
    db_url = str(load_config(course).CourseDirectory.db_url)
    assert 0 < auto_total(db_url, "diagnose", "jujur") == expected("diagnose", partial_answers())
    assert auto_total(db_url, "diagnose", "kolom-tambahan") == auto_total(db_url, "diagnose", "jujur")


def check_grading_copy_holds_only_the_course_files(course):
    for attacker in ("modul-palsu", "paket-palsu", "launcher-palsu", "kolom-tambahan"):
        graded = course / "autograded" / attacker / "diagnose"
        assert sorted(p.name for p in graded.iterdir()) == [
            "diagnose.ipynb", "jawaban-diagnose.json", "kalender-bimtek.json", "submission_secret.txt",
            "timestamp.txt"]
    submitted = course / "submitted" / "modul-palsu" / "diagnose" / "lablib.py"
    assert submitted.is_file()  # the participant's submission itself is kept as evidence


def check_unknown_keys_are_removed_from_the_graded_answers_file(course):
    doc = json.loads((course / "autograded" / "kolom-tambahan" / "diagnose" / "jawaban-diagnose.json")
                     .read_text(encoding="utf-8"))
    assert "skor" not in doc and "__points__" not in doc["answers"] and "diagnose.dg9" not in doc["answers"]
    assert "nilai" not in doc["answers"]["diagnose.dg1"]
    assert "lulus" not in doc["answers"]["diagnose.dg1"]["masalah"][0]
    assert doc["answers"] == partial_answers()


def check_the_calendar_is_the_course_calendar(course):
    shipped = json.loads((course / "source" / "drum-up" / "kalender-bimtek.json").read_text(encoding="utf-8"))
    graded = json.loads((course / "autograded" / "kalender-diubah" / "drum-up" / "kalender-bimtek.json")
                        .read_text(encoding="utf-8"))
    assert graded == shipped
    assert expected("drum-up", dated_outside_workshop()) < expected("drum-up", model_answers("drum-up"))


def check_graded_notebook_is_the_released_notebook(course):
    release = nbformat.read(course / "release" / "diagnose" / "diagnose.ipynb", as_version=4)
    for attacker in ("ubah-tes", "hapus-tes", "sel-tambahan", "ganti-import"):
        graded = nbformat.read(course / "autograded" / attacker / "diagnose" / "diagnose.ipynb", as_version=4)
        assert [(c.cell_type, c.source) for c in graded.cells] == [(c.cell_type, c.source) for c in release.cells]


def check_the_attacks_work_without_lablibs_protections(control):
    """The control: nbgrader's stock preprocessors give these attacks points."""
    db_url = sqlite_url(control)
    for attacker in CONTROL:
        assert auto_total(db_url, "diagnose", attacker) > 0, attacker


def check_lablib_grade_gives_the_same_scores(course, tmp_path):
    """The same protections hold in `lablib grade` (kernel-free): every gradebook row and every
    autograded notebook equal what plain `nbgrader autograde` left."""
    copy = tmp_path / "kursus"
    copy.mkdir(parents=True)
    for name in ("source", "release", "exchange", "submitted"):
        copy_tree_writable(course / name, copy / name)
    shutil.copy(course / "gradebook.db", copy / "gradebook.db")
    shutil.copy(course / "lablib-course.json", copy / "lablib-course.json")
    (copy / CONFIG_FILENAME).write_text((course / CONFIG_FILENAME).read_text(encoding="utf-8")
                                        .replace(str(course), str(copy)), encoding="utf-8")
    from lablib.course.verify import _normalised, compare, gradebook_snapshot

    before, after = str(load_config(course).CourseDirectory.db_url), sqlite_url(copy)
    for stage in ("diagnose", "drum-up"):  # kernel-free, the default of `lablib grade`
        proc = run_cli([str(BIN / "lablib"), "grade", stage, "--force", "--course", str(copy)], cwd=tmp_path)
        assert "0 gagal" in proc.stdout and "tanpa kernel" in proc.stdout, proc.stdout
        # every row plain `nbgrader autograde` wrote, column by column (ids aside)
        assert compare(gradebook_snapshot(after, stage), gradebook_snapshot(before, stage)) == [], stage
    for attacker, (stage, _, _) in ATTACKS.items():
        assert auto_total(after, stage, attacker) == auto_total(before, stage, attacker), attacker
        ours, stock = copy / "autograded" / attacker / stage, course / "autograded" / attacker / stage
        assert sorted(p.name for p in ours.iterdir()) == sorted(p.name for p in stock.iterdir()), attacker
        for nb in ours.glob("*.ipynb"):
            assert _normalised(nb) == _normalised(stock / nb.name), attacker


def test_no_attack_raises_the_score(tmp_path):
    """One test (see run_checks): the course, its grading and the control are built once."""
    course = build_course(tmp_path)
    control = build_control(course, tmp_path)
    checks = {f"attack {a}": (lambda a=a: check_attack_does_not_raise_the_score(course, a))
              for a in ATTACKS if a != "jujur"}
    checks.update({
        "deleted test cells": lambda: check_every_automatic_grade_is_present_after_deleting_test_cells(course),
        "honest answers": lambda: check_an_honest_partial_answer_still_earns_its_points(course),
        "grading copy": lambda: check_grading_copy_holds_only_the_course_files(course),
        "answers keys": lambda: check_unknown_keys_are_removed_from_the_graded_answers_file(course),
        "calendar": lambda: check_the_calendar_is_the_course_calendar(course),
        "notebook": lambda: check_graded_notebook_is_the_released_notebook(course),
        "control": lambda: check_the_attacks_work_without_lablibs_protections(control),
        "lablib grade": lambda: check_lablib_grade_gives_the_same_scores(course, tmp_path / "lablib-grade"),
    })
    run_checks(checks)
