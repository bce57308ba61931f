"""lablib.course.grading against stock nbgrader: same gradebook, in parallel, incrementally, and a
broken or hanging submission never stops the batch. Real nbgrader, real kernels."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import nbgrader

from lablib.core.answers import save_answers
from lablib.course.course import Course, CourseError
from lablib.course.folder import install_source, write_config
from lablib.course.grading import (
    GradeEvent,
    GradeProblem,
    GradeReport,
    GradingError,
    grade,
    gradebook_rows,
    source_version,
)
from lablib.curriculum.synthetic import synthetic_answers

COURSE_ID = "uji-grading"
STAGE = "diagnose"
TIMESTAMP = "2026-08-14 10:00:00.000000 UTC"
PROFILES = {"p1-model": "model", "p2-complete": "complete", "p3-partial": "partial",
            "p4-inconsistent": "inconsistent", "p5-none": None}


# -- helpers (test_live imports them) ------------------------------------------------------
def make_template(root: Path, db_url: str | None = None) -> Path:
    """A course with the Diagnose assignment generated (gradebook included)."""
    write_config(root, course_id=COURSE_ID, db_url=db_url)
    install_source(root, STAGE)
    result = Course.open(root).api.generate_assignment(STAGE)
    assert result["success"], result.get("error", "") + result.get("log", "")
    return root


def copy_course(src: Path, dest: Path, db_url: str | None = None) -> Path:
    """A copy of a course folder that works on its own (config rewritten for its new place)."""
    shutil.copytree(src, dest, symlinks=True)
    write_config(dest, course_id=COURSE_ID, db_url=db_url)
    return dest


def submit(course: Path, student: str, answers: dict | None, *, notebook: str | None = None) -> Path:
    """What ``nbgrader collect`` leaves: the released files, the answers file, a timestamp."""
    folder = course / "submitted" / student / STAGE
    folder.mkdir(parents=True)
    for f in (course / "release" / STAGE).iterdir():
        shutil.copy(f, folder / f.name)
    if answers is not None:
        save_answers(folder, STAGE, answers)
    if notebook is not None:
        (folder / f"{STAGE}.ipynb").write_text(notebook, encoding="utf-8")
    (folder / "timestamp.txt").write_text(TIMESTAMP, encoding="utf-8")
    return folder


def submit_cohort(course: Path) -> None:
    for n, (student, profile) in enumerate(PROFILES.items()):
        submit(course, student, synthetic_answers(STAGE, profile, seed=n) if profile else None)


def auto_scores(rows: dict) -> dict[str, dict[str, float]]:
    return {s: {g: v[0] for g, v in r["grades"].items() if v[0] is not None} for s, r in rows.items()}


def _normalised(path: Path) -> dict:
    """An autograded notebook minus what differs between two runs of the same kernel code."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("execution", None)
        merged = []
        for out in cell.get("outputs", []):  # ipykernel may flush one print in two messages
            if out.get("output_type") == "stream":
                out = {**out, "text": "".join(out["text"])}
                if merged and merged[-1].get("output_type") == "stream" and out["name"] == merged[-1]["name"]:
                    out = {**out, "text": merged.pop()["text"] + out["text"]}
            merged.append(out)
        if "outputs" in cell:
            cell["outputs"] = merged
    return nb


# The module-scoped courses are expensive: keep this module on one xdist worker.
pytestmark = pytest.mark.xdist_group("grading")


# -- fixtures ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return make_template(tmp_path_factory.mktemp("grading") / "template")


@pytest.fixture(scope="module")
def stock_and_parallel(template, tmp_path_factory):
    """The same five submissions graded by ``nbgrader autograde`` and by ``lablib.course.grading``:
    kernel-free (the default) and through kernels (``kernels=True``, the reference path)."""
    root = tmp_path_factory.mktemp("compare")
    stock = copy_course(template, root / "stock")
    submit_cohort(stock)
    ours = copy_course(template, root / "ours")
    shutil.copytree(stock / "submitted", ours / "submitted")
    in_kernels = copy_course(template, root / "kernels")
    shutil.copytree(stock / "submitted", in_kernels / "submitted")
    nbgrader("autograde", STAGE, cwd=stock)
    events: list[GradeEvent] = []
    report = grade(ours, STAGE, workers=2, progress=events.append)
    kernel_report = grade(in_kernels, STAGE, workers=2, kernels=True)
    return stock, ours, report, events, in_kernels, kernel_report


# -- kernel-free and kernels == stock ------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("path", ["kernel-free", "kernels"])
def test_grading_leaves_every_gradebook_row_stock_autograde_leaves(stock_and_parallel, path):
    from lablib.course.verify import compare, gradebook_snapshot

    stock, ours, report, _, in_kernels, kernel_report = stock_and_parallel
    course, report = (ours, report) if path == "kernel-free" else (in_kernels, kernel_report)
    assert report.failed == ()
    assert sorted(PROFILES) == list(report.graded)
    assert report.in_kernels == (() if path == "kernel-free" else tuple(sorted(PROFILES)))
    expected = gradebook_rows(stock, STAGE)
    assert sorted(PROFILES) == sorted(expected)
    assert expected == gradebook_rows(course, STAGE)
    # every column of every row autograde writes (submission, notebooks, grades, comments), ids aside
    assert compare(gradebook_snapshot(Course.open(course).db_url, STAGE),
                   gradebook_snapshot(Course.open(stock).db_url, STAGE)) == []
    scores = auto_scores(expected)
    assert sum(scores["p1-model"].values()) > 0  # the comparison is not between two empty books
    assert sum(scores["p5-none"].values()) == 0


@pytest.mark.slow
@pytest.mark.parametrize("path", ["kernel-free", "kernels"])
def test_grading_writes_the_autograded_notebooks_stock_writes(stock_and_parallel, path):
    stock, ours, _, _, in_kernels, _ = stock_and_parallel
    course = ours if path == "kernel-free" else in_kernels
    for student in PROFILES:
        rel = Path("autograded") / student / STAGE
        assert sorted(p.name for p in (stock / rel).iterdir()) == sorted(p.name for p in (course / rel).iterdir())
        nb = f"{STAGE}.ipynb"
        assert _normalised(stock / rel / nb) == _normalised(course / rel / nb), student


@pytest.mark.slow
def test_progress_is_reported_once_per_finished_submission(stock_and_parallel):
    _, _, report, events, _, _ = stock_and_parallel
    assert [e.done for e in events] == list(range(1, len(PROFILES) + 1))
    assert {e.total for e in events} == {len(PROFILES)}
    assert sorted(e.student for e in events) == sorted(PROFILES)
    assert {e.status for e in events} == {"graded"}
    assert report.workers == 2 and report.seconds > 0


# -- incremental ---------------------------------------------------------------------------
@pytest.mark.slow
def test_regrading_skips_unchanged_regrades_changed_and_force_regrades_all(stock_and_parallel, tmp_path):
    _, ours, _, _, _, _ = stock_and_parallel
    course = copy_course(ours, tmp_path / "course")  # a moved course keeps its grading state
    before = gradebook_rows(course, STAGE)

    again = grade(course, STAGE, workers=2)
    assert (again.graded, again.failed) == ((), ())
    assert sorted(PROFILES) == sorted(again.skipped)

    folder = course / "submitted" / "p5-none" / STAGE
    folder.chmod(0o755)
    save_answers(folder, STAGE, synthetic_answers(STAGE, "model"))
    changed = grade(course, STAGE, workers=2)
    assert ("p5-none",) == changed.graded
    assert sorted(set(PROFILES) - {"p5-none"}) == sorted(changed.skipped)
    after = auto_scores(gradebook_rows(course, STAGE))
    assert sum(after["p5-none"].values()) == sum(auto_scores(before)["p1-model"].values())

    forced = grade(course, STAGE, workers=2, force=True)
    assert sorted(PROFILES) == list(forced.graded)
    assert forced.skipped == ()
    assert auto_scores(gradebook_rows(course, STAGE)) == after


@pytest.mark.slow
def test_a_submission_whose_autograded_copy_was_removed_is_graded_again(stock_and_parallel, tmp_path):
    _, ours, _, _, _, _ = stock_and_parallel
    course = copy_course(ours, tmp_path / "course")
    shutil.rmtree(course / "autograded" / "p2-complete")
    report = grade(course, STAGE, students=["p2-complete", "p3-partial"])
    assert (("p2-complete",), ("p3-partial",)) == (report.graded, report.skipped)


@pytest.mark.slow
def test_manual_grades_survive_a_forced_regrade(stock_and_parallel, tmp_path):
    from nbgrader.api import Gradebook

    _, ours, _, _, _, _ = stock_and_parallel
    course = copy_course(ours, tmp_path / "course")
    db = f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(db, COURSE_ID) as gb:
        rubric = gb.find_grade("rubrik-dg1-masalah_nyata", STAGE, STAGE, "p1-model")
        rubric.manual_score = 1.5
        override = gb.find_grade("auto-dg1-usg", STAGE, STAGE, "p1-model")
        override.manual_score = 0.5
        comment = gb.find_comment("rubrik-dg1-masalah_nyata", STAGE, STAGE, "p1-model")
        comment.manual_comment = "Masalah nyata, data lengkap."
        gb.db.commit()

    report = grade(course, STAGE, students=["p1-model"], force=True)
    assert ("p1-model",) == report.graded
    row = gradebook_rows(course, STAGE)["p1-model"]
    assert 1.5 == row["grades"][f"{STAGE}/rubrik-dg1-masalah_nyata"][1]
    auto, manual, _, _ = row["grades"][f"{STAGE}/auto-dg1-usg"]
    assert (1.0, 0.5) == (auto, manual)
    assert "Masalah nyata, data lengkap." == row["comments"][f"{STAGE}/rubrik-dg1-masalah_nyata"][1]


# -- failures never stop the batch ---------------------------------------------------------
def _extra_cell(notebook: Path, source: str) -> str:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    nb["cells"].insert(2, {"cell_type": "code", "execution_count": None, "id": "tambahan", "metadata": {},
                           "outputs": [], "source": source})
    return json.dumps(nb)


@pytest.mark.slow
def test_broken_dead_and_hanging_submissions_are_reported_and_the_others_graded(template, tmp_path):
    course = copy_course(template, tmp_path / "course")
    # A course without lablib's cell protection (nbgrader's default sanitizing), so that a
    # participant's own cell reaches the kernel, and a short per-cell time limit.
    from nbgrader.converters.autograde import Autograde

    defaults = [f"{c.__module__}.{c.__name__}" for c in Autograde.class_traits()["sanitize_preprocessors"].default()]
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
        fh.write(f"\nc.Autograde.sanitize_preprocessors = {defaults!r}\nc.Execute.timeout = 2\n")
    released = course / "release" / STAGE / f"{STAGE}.ipynb"
    model = synthetic_answers(STAGE, "model")
    submit(course, "a-ok", model)
    submit(course, "b-hangs", model, notebook=_extra_cell(released, "import time\ntime.sleep(60)"))
    submit(course, "c-kernel-dies", model, notebook=_extra_cell(released, "import os\nos._exit(3)"))
    submit(course, "d-corrupt", model, notebook='{"cells": [ this is not json')

    events: list[GradeEvent] = []
    report = grade(course, STAGE, workers=2, progress=events.append)

    assert ("a-ok", "b-hangs") == report.graded
    assert ["c-kernel-dies", "d-corrupt"] == [p.student for p in report.failed]
    assert all(p.reason.strip() for p in report.failed)
    assert "b-hangs" in {w.student for w in report.warnings}
    assert "batas waktu" in " ".join(w.reason for w in report.warnings if w.student == "b-hangs")
    assert {e.student: e.status for e in events} == {"a-ok": "graded", "b-hangs": "graded",
                                                     "c-kernel-dies": "failed", "d-corrupt": "failed"}
    scores = auto_scores(gradebook_rows(course, STAGE))
    assert scores["a-ok"] == scores["b-hangs"]  # the interrupted cell costs nothing else
    assert sum(scores["a-ok"].values()) > 0
    assert not (course / "autograded" / "d-corrupt" / STAGE / f"{STAGE}.ipynb").exists()

    retry = grade(course, STAGE, workers=2)  # failures are not remembered as graded
    assert ("a-ok", "b-hangs") == retry.skipped
    assert ["c-kernel-dies", "d-corrupt"] == [p.student for p in retry.failed]


_FLAKY_KERNEL = """\
import os, sys
connection_file, marker = sys.argv[1], sys.argv[2]
if not os.path.exists(marker):  # the first start dies before answering, as a lost port race does
    open(marker, "w").close()
    sys.exit(1)
os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file])
"""


def test_a_kernel_that_fails_to_start_is_started_again(template, tmp_path, monkeypatch):
    course = copy_course(template, tmp_path / "course")
    spec = tmp_path / "jupyter" / "kernels" / "flaky"
    spec.mkdir(parents=True)
    (spec.parent.parent / "flaky.py").write_text(_FLAKY_KERNEL, encoding="utf-8")
    marker = tmp_path / "first-start-failed"
    argv = [shutil.which("python"), str(spec.parent.parent / "flaky.py"), "{connection_file}", str(marker)]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "flaky",
                                                  "language": "python"}), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
        fh.write("\nc.Execute.kernel_name = 'flaky'\n")
    submit(course, "a-ok", synthetic_answers(STAGE, "model"))

    report = grade(course, STAGE, workers=1)

    assert marker.exists()  # the first start did fail
    assert report.graded == ("a-ok",) and not report.failed
    assert ["kernel gagal dijalankan (percobaan 1); dinilai ulang"] == [w.reason for w in report.warnings]
    assert sum(auto_scores(gradebook_rows(course, STAGE))["a-ok"].values()) > 0


# -- quick checks (no kernel) --------------------------------------------------------------
def test_a_stage_missing_from_the_gradebook_is_refused_with_what_to_do(template, tmp_path):
    course = copy_course(template, tmp_path / "course")
    (course / "submitted" / "x" / "design").mkdir(parents=True)
    with pytest.raises(GradingError, match="belum ada di gradebook.*buat dahulu"):
        grade(course, "design")


def test_a_course_without_a_gradebook_is_refused_and_none_is_created(tmp_path):
    course = tmp_path / "course"
    write_config(course, course_id=COURSE_ID)
    (course / "gradebook.db").unlink()
    (course / "submitted" / "x" / STAGE).mkdir(parents=True)
    with pytest.raises(CourseError, match="gradebook .*gradebook.db tidak ada; lablib tidak membuat gradebook kosong"):
        grade(course, STAGE)
    assert not (course / "gradebook.db").exists()


def test_a_folder_that_is_not_a_course_is_refused(tmp_path):
    with pytest.raises(CourseError, match="bukan folder kursus lablib"):
        grade(tmp_path, STAGE)


def test_asking_for_a_participant_without_a_submission_reports_it(template, tmp_path):
    course = copy_course(template, tmp_path / "course")
    events: list[GradeEvent] = []
    report = grade(course, STAGE, students=["nobody"], progress=events.append)
    assert (report.graded, report.skipped) == ((), ())
    assert ["nobody"] == [p.student for p in report.failed]
    assert "belum mengumpulkan" in report.failed[0].reason
    assert [("nobody", "failed", 1, 1)] == [(e.student, e.status, e.done, e.total) for e in events]


def test_source_version_follows_the_source_and_grading_config_not_the_course_location(template, tmp_path):
    a = copy_course(template, tmp_path / "a")
    b = copy_course(template, tmp_path / "b")
    assert source_version(a, STAGE) == source_version(b, STAGE)
    with (b / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
        fh.write("\nc.Execute.timeout = 5\n")
    assert source_version(a, STAGE) != source_version(b, STAGE)
    (a / "source" / STAGE / "kalender-bimtek.json").write_text("{}", encoding="utf-8")
    assert source_version(a, STAGE) != source_version(copy_course(template, tmp_path / "c"), STAGE)


def test_the_files_signature_is_os_walks_listing_read_with_scandir(tmp_path):
    """The signature stored by earlier runs stays valid: the same paths in the same order."""
    import hashlib
    import os

    from lablib.course.grading import files_signature

    def walked(folder, source):
        h = hashlib.sha256(source.encode())
        for dirname, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                st = os.lstat(os.path.join(dirname, name))
                h.update(f"{os.path.relpath(os.path.join(dirname, name), folder)}\0{st.st_size}\0"
                         f"{st.st_mtime_ns}\0{st.st_mode}\0{st.st_ino}\0".encode())
        return h.hexdigest()

    d = tmp_path / "sub"
    for rel in ("b.ipynb", "a.json", "z/q", "m/n/o", "m/p", "c.txt"):
        (d / rel).parent.mkdir(parents=True, exist_ok=True)
        (d / rel).write_text(rel, encoding="utf-8")
    (d / "link-to-folder").symlink_to(d / "z")  # listed, never followed
    (d / "broken").symlink_to(d / "nothing")
    assert files_signature(d, "src") == walked(d, "src")
    assert files_signature(tmp_path / "none", "src") == walked(tmp_path / "none", "src")
    before = files_signature(d, "src")
    (d / "m" / "n" / "o").write_text("diubah di tempat", encoding="utf-8")
    assert files_signature(d, "src") != before


def test_the_nbgrader_version_in_the_source_version_is_the_installed_one():
    from importlib.metadata import version

    from lablib.course.grading import _nbgrader_version

    assert _nbgrader_version() == version("nbgrader")


def test_report_summary_names_failures_and_warnings():
    report = GradeReport("diagnose", ("a",), ("b",), (GradeProblem("c", "kernel mati"),), 1.25, 2,
                         (GradeProblem("a", "satu sel melewati batas waktu"),))
    assert not report.ok and report.total == 3
    text = report.summary()
    assert "1 dinilai, 1 tidak berubah, 1 gagal" in text
    assert "GAGAL c: kernel mati" in text and "peringatan a: satu sel melewati batas waktu" in text


# -- PostgreSQL ----------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.postgres
def test_parallel_grading_on_postgresql_gives_the_stock_gradebook(postgres, stock_and_parallel, tmp_path):
    from lablib.course.verify import compare, gradebook_snapshot

    stock, _, _, _, _, _ = stock_and_parallel
    url = postgres.create_database()
    course = make_template(tmp_path / "course", db_url=url)
    shutil.copytree(stock / "submitted", course / "submitted")
    report = grade(course, STAGE, workers=3)
    assert report.failed == () and report.in_kernels == ()
    assert gradebook_rows(stock, STAGE) == gradebook_rows(course, STAGE)
    assert compare(gradebook_snapshot(url, STAGE), gradebook_snapshot(Course.open(stock).db_url, STAGE)) == []
    assert sorted(PROFILES) == list(grade(course, STAGE, workers=3).skipped)
    assert os.path.exists(course / ".lablib" / "grading" / f"{STAGE}.json")


def test_a_second_grading_run_on_the_same_course_is_refused(template, tmp_path):
    from lablib.course.grading import _hold_run_lock

    course = copy_course(template, tmp_path / "course")
    submit(course, "ani", None)
    held = _hold_run_lock(Course.open(course), STAGE)
    try:
        with pytest.raises(GradingError, match="penilaian lain sedang berjalan"):
            grade(course, STAGE)
    finally:
        held.close()


# -- a regrade that fails: failed everywhere, never stale scores -----------------------------
@pytest.mark.slow
def test_a_failed_regrade_shows_as_failed_in_status_export_and_report_until_graded_again(template, tmp_path):
    """ani's Diagnose is graded, then her resubmission cannot be graded (a corrupt notebook):
    nbgrader leaves her earlier scores in the gradebook, but status, export and the cohort report
    all show the stage as failed, with the reason, and count none of it; a later successful grade
    clears the failure."""
    import csv

    from lablib.course.grading import FAILED, grading_failures
    from lablib.course.status import status
    from lablib.reports.export import export
    from lablib.reports.report import load_cohort, participants_table, progress_table

    course = copy_course(template, tmp_path / "course")
    ani = submit(course, "ani", synthetic_answers(STAGE, "model"))
    submit(course, "budi", synthetic_answers(STAGE, "complete", seed=1))
    first = grade(course, STAGE, workers=2)
    assert first.graded == ("ani", "budi") and grading_failures(course) == {}
    earlier_page = course / "feedback" / "ani" / STAGE / "umpan-balik.html"  # as `lablib feedback` left it
    earlier_page.parent.mkdir(parents=True)
    earlier_page.write_text("nilai lama", encoding="utf-8")
    earlier = sum(auto_scores(gradebook_rows(course, STAGE))["ani"].values())
    assert earlier > 0

    ani.chmod(0o755)
    notebook = ani / f"{STAGE}.ipynb"
    good = notebook.read_bytes()
    notebook.write_text('{"cells": [ bukan json', encoding="utf-8")
    second = grade(course, STAGE, workers=2)
    assert (second.skipped, [p.student for p in second.failed]) == (("budi",), ["ani"])
    # what nbgrader leaves: the earlier scores in the gradebook, the autograded notebook removed
    assert sum(auto_scores(gradebook_rows(course, STAGE))["ani"].values()) == earlier
    assert not (course / "autograded" / "ani" / STAGE).exists()

    failure = grading_failures(course)[("ani", STAGE)]
    assert failure.reason == second.failed[0].reason and failure.failed_at

    # feedback: ani's earlier page (her stale scores) is withdrawn, so nbgrader's release does not
    # send it again (the feedback step itself needs submissions made through the exchange)
    from lablib.pipeline import _withhold_failed_feedback

    held = _withhold_failed_feedback(Course.open(course), STAGE)
    assert ["ani"] == list(held) and not earlier_page.parent.exists()
    assert held["ani"].startswith("Umpan balik ani tidak dibuat: tahap diagnose gagal dinilai")
    assert failure.summary.startswith("tidak dapat dinilai: ") and "\n" not in failure.summary

    # status: the cell says failed, the reason is in a note under the table, nothing is counted
    st = status(course)
    rows = {p.id: p for p in st.participants}
    cell = rows["ani"].stages[[s.stage for s in rows["ani"].stages].index(STAGE)]
    assert (cell.state, cell.score, cell.cell(), rows["ani"].total) == (FAILED, None, FAILED, 0)
    assert st.notes == (f"ani {STAGE}: {FAILED} ({failure.failed_at}): {failure.summary}",)
    table = st.table()
    assert "gagal dinilai" in table and f"  - ani {STAGE}: {FAILED}" in table and "nilai lama" in table
    budi_total = rows["budi"].total
    assert budi_total > 0

    # export: blank scores, a "gagal dinilai: reason" status, no stage total, a course total of 0
    export(course, tmp_path / "ekspor")

    def read(name: str) -> dict[str, dict]:
        with (tmp_path / "ekspor" / name).open(encoding="utf-8-sig", newline="") as fh:
            return {row["id"]: row for row in csv.DictReader(fh)}

    def read_long(name: str) -> list[dict]:
        with (tmp_path / "ekspor" / name).open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))

    per_ex, per_item = read("nilai-per-latihan.csv"), read("nilai-per-butir.csv")
    assert per_ex["ani"][f"{STAGE}: status"] == failure.label == f"{FAILED}: {failure.summary}"
    assert (per_ex["ani"][f"{STAGE}: total"], float(per_ex["ani"]["total kursus"])) == ("", 0.0)
    assert all(v == "" for k, v in per_item["ani"].items() if k not in ("id", "nama", "opd"))
    long_ani = [r for r in read_long("nilai-rinci.csv") if r["id"] == "ani"]
    assert long_ani and all(r["skor"] == "" and r["status"] == failure.label for r in long_ani)
    assert float(per_ex["budi"]["total kursus"]) == pytest.approx(budi_total, abs=0.01)

    # the cohort report: failed in the progress counts and the participants' table, no score
    cohort = load_cohort(course)
    assert cohort.status("ani", STAGE) == FAILED and cohort.view.record("ani", STAGE) is None
    progress = progress_table(cohort)
    row = next(r for r in progress.rows if r[0] == STAGE)
    assert row[1 + progress.headers[1:].index(FAILED.capitalize())] == 1
    people = participants_table(cohort)
    stage_column, total_column = people.headers.index(STAGE), 3 + len(cohort.stages)
    by_id = {r[0]: r for r in people.rows}
    assert (by_id["ani"][stage_column], by_id["ani"][total_column]) == (FAILED, 0)
    assert by_id["budi"][total_column] == pytest.approx(budi_total, abs=0.01)
    assert f"ani {STAGE}: {failure.label}" in people.note

    # a later successful grade clears the failure everywhere
    notebook.write_bytes(good)
    third = grade(course, STAGE, workers=2)
    assert (third.graded, third.skipped, third.failed) == (("ani",), ("budi",), ())
    assert grading_failures(course) == {}
    again = {p.id: p for p in status(course).participants}
    assert again["ani"].total == pytest.approx(earlier, abs=0.01) and status(course).notes == ()
    assert load_cohort(course).status("ani", STAGE) != FAILED


def test_the_fork_server_preloads_what_a_kernel_imports_and_stays_one_thread():
    """Fork is only safe in a one-thread process; and a kernel forked from the server no longer
    imports the debugger (debugpy with pydevd) itself."""
    import subprocess
    import sys

    code = ("import importlib, json, os, sys, threading\n"
            "os.environ['PYDEVD_DISABLE_FILE_VALIDATION'] = '1'\n"
            "from lablib.course.kernels import PRELOAD\n"
            "for name in PRELOAD: importlib.import_module(name)\n"
            "print(json.dumps([threading.active_count(), sorted(sys.modules)]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    threads, modules = json.loads(out.strip().splitlines()[-1])
    assert threads == 1
    assert {"debugpy.server.api", "ipykernel.debugger", "IPython.core.history", "tornado.queues"} <= set(modules)


@pytest.mark.parametrize("name", ["course/direct.py", "course/protections.py", "course/grading_copy.py"])
def test_a_change_to_how_grading_is_computed_changes_the_fingerprint(tmp_path, monkeypatch, name):
    """Kernel-free grading and the protections decide what a grading leaves, as kernel code does."""
    import lablib
    import lablib.course.grading as grading

    copy = tmp_path / "lablib"
    shutil.copytree(Path(lablib.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(grading, "__file__", str(copy / "course" / "grading.py"))
    before = grading.lablib_code_version()
    (copy / name).write_text((copy / name).read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert before != grading.lablib_code_version()
