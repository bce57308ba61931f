"""Kernel-free grading (``lablib.course.direct``) against stock ``nbgrader autograde``: every
gradebook row and every autograded notebook, across the five stages, for model, complete,
partial, inconsistent, blank and late submissions, a manual grade kept, unknown answer keys
and a stray file; ``--verify`` catching a wrong value; nbgrader's own feedback and export on
a kernel-free course; PostgreSQL, two courses at once. Real nbgrader, real kernels for stock."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import BIN, nbgrader

from lablib.core.answers import save_answers
from lablib.core.stages import STAGES
from lablib.course import direct
from lablib.course.course import Course
from lablib.course.folder import install_source, protected_preprocessors, write_config
from lablib.course.grading import GradingError, _hold_run_lock, grade, gradebook_rows, late_students
from lablib.course.verify import compare, gradebook_snapshot, verify
from lablib.curriculum.synthetic import synthetic_answers

pytestmark = pytest.mark.xdist_group("grading")

COURSE_ID = "uji-tanpa-kernel"
ON_TIME = "2026-08-14 10:00:00.000000 UTC"
LATE = "2026-09-20 08:30:00.000000 UTC"
DUE = dt.datetime(2026, 9, 1, 15, 59, 59)
# (student, answers profile or None for no answers file, timestamp)
COHORT = [("a-model", "model", ON_TIME), ("b-complete", "complete", ON_TIME), ("c-partial", "partial", ON_TIME),
          ("d-inconsistent", "inconsistent", ON_TIME), ("e-blank", None, ON_TIME), ("f-late", "model", LATE),
          ("g-extras", "partial", ON_TIME)]


def _make_course(root: Path, db_url: str | None = None) -> Path:
    """All five stages generated, a due date, the "zero" late penalty (so lateness shows in the
    gradebook), and the cohort's submissions."""
    write_config(root, course_id=COURSE_ID, db_url=db_url)
    with (root / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
        fh.write("\nc.LateSubmissionPlugin.penalty_method = 'zero'\n")
    for st in STAGES:
        install_source(root, st.slug)
    course = Course.open(root)
    for st in STAGES:
        result = course.api.generate_assignment(st.slug)
        assert result["success"], result.get("log")
    with course.gradebook() as gb:
        for st in STAGES:
            gb.update_or_create_assignment(st.slug, duedate=DUE)
    for st in STAGES:
        for n, (student, profile, stamp) in enumerate(COHORT):
            folder = root / "submitted" / student / st.slug
            folder.mkdir(parents=True)
            for f in (root / "release" / st.slug).iterdir():
                shutil.copy(f, folder / f.name)
            if profile:
                save_answers(folder, st.slug, synthetic_answers(st.slug, profile, seed=n))
            (folder / "timestamp.txt").write_text(stamp, encoding="utf-8")
            if student == "g-extras":  # a stray module and an unknown answer key: both left out of the grading copy
                (folder / "lablib.py").write_text("raise SystemExit('not the real lablib')\n", encoding="utf-8")
                path = folder / st.answers_filename
                doc = json.loads(path.read_text(encoding="utf-8"))
                doc["answers"]["zz9.bukan_latihan"] = {"x": 1}
                path.write_text(json.dumps(doc), encoding="utf-8")
    return root


def _copy(src: Path, dest: Path, db_url: str | None = None) -> Path:
    shutil.copytree(src, dest, symlinks=True)
    (dest / "lablib-course.json").unlink()  # a course of its own (see _plain_copy)
    write_config(dest, course_id=COURSE_ID, db_url=db_url)
    with (dest / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
        fh.write("\nc.LateSubmissionPlugin.penalty_method = 'zero'\n")
    return dest


def _normalised(path: Path) -> dict:
    """An autograded notebook minus the kernel's timing metadata, one print burst per stream."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("execution", None)
        merged: list = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                out = {**out, "text": "".join(out["text"])}
                if merged and merged[-1].get("output_type") == "stream" and merged[-1]["name"] == out["name"]:
                    out = {**out, "text": merged.pop()["text"] + out["text"]}
            merged.append(out)
        if "outputs" in cell:
            cell["outputs"] = merged
    return nb


def _set_manual(course: Path, stage: str, student: str, score: float) -> None:
    with Course.open(course).gradebook() as gb:
        name = next(g.name for g in gb.find_submission_notebook(stage, stage, student).grades
                    if g.name.startswith("rubrik-"))
        g = gb.find_grade(name, stage, stage, student)
        g.manual_score = score
        gb.db.commit()


@pytest.fixture(scope="module")
def courses(tmp_path_factory):
    """The cohort graded twice: stock ``nbgrader autograde`` (each stage) and ``grade`` (kernel-free)."""
    root = tmp_path_factory.mktemp("direct")
    template = _make_course(root / "template")
    stock = _copy(template, root / "stock")
    ours = _copy(template, root / "ours")
    for st in STAGES:
        nbgrader("autograde", st.slug, cwd=stock)
    reports = {st.slug: grade(ours, st.slug) for st in STAGES}
    return template, stock, ours, reports


# -- kernel-free == stock ------------------------------------------------------------------
@pytest.mark.slow
def test_every_gradebook_row_is_what_stock_autograde_writes_in_all_five_stages(courses):
    _, stock, ours, reports = courses
    for st in STAGES:
        report = reports[st.slug]
        assert report.failed == () and report.in_kernels == (), report.summary()
        assert sorted(report.graded) == sorted(s for s, _, _ in COHORT)
        expected = gradebook_snapshot(Course.open(stock).db_url, st.slug)
        assert compare(gradebook_snapshot(Course.open(ours).db_url, st.slug), expected) == []
        assert gradebook_rows(ours, st.slug) == gradebook_rows(stock, st.slug)
        # the comparison is between meaningful books: scores vary, lateness and its penalty show
        auto = {s: sum(v[0] or 0 for k, v in r["grades"].items() if "/auto-" in k)
                for s, r in gradebook_rows(ours, st.slug).items()}
        assert auto["a-model"] > auto["c-partial"] >= auto["e-blank"] == 0, (st.slug, auto)
        rows = expected
        assert rows[("f-late", "submitted_notebook", st.slug)]["late_submission_penalty"] == auto["f-late"] > 0
        assert rows[("a-model", "submitted_notebook", st.slug)]["late_submission_penalty"] is None
        assert all(v["needs_manual_grade"] for (s, t, k), v in rows.items() if t == "grade" and "/rubrik-" in k)
        assert not any(v["needs_manual_grade"] for (s, t, k), v in rows.items() if t == "grade" and "/auto-" in k)
        assert late_students(ours, st.slug) == ("f-late",)


@pytest.mark.slow
def test_every_autograded_notebook_and_file_is_what_stock_autograde_writes(courses):
    _, stock, ours, _ = courses
    for st in STAGES:
        for student, _, _ in COHORT:
            rel = Path("autograded") / student / st.slug
            ours_files = sorted(p.name for p in (ours / rel).iterdir())
            assert ours_files == sorted(p.name for p in (stock / rel).iterdir()), (student, st.slug)
            assert "lablib.py" not in ours_files
            for name in ours_files:
                assert stat.S_IMODE((ours / rel / name).stat().st_mode) == 0o444
                if name.endswith(".ipynb"):
                    assert _normalised(ours / rel / name) == _normalised(stock / rel / name), (student, st.slug)
                else:
                    assert (ours / rel / name).read_bytes() == (stock / rel / name).read_bytes(), (student, name)
            answers = json.loads((ours / rel / st.answers_filename).read_text(encoding="utf-8")) \
                if (ours / rel / st.answers_filename).exists() else {"answers": {}}
            assert "zz9.bukan_latihan" not in answers["answers"]


@pytest.mark.slow
def test_a_regrade_keeps_manual_grades_and_matches_stock_row_for_row(courses, tmp_path):
    _, stock, ours, _ = courses
    stage = "design"
    stock2, ours2 = _copy(stock, tmp_path / "stock"), _copy(ours, tmp_path / "ours")
    for course in (stock2, ours2):
        _set_manual(course, stage, "b-complete", 2.0)
        _set_manual(course, stage, "c-partial", 0.0)
    nbgrader("autograde", stage, "--force", cwd=stock2)
    report = grade(ours2, stage, force=True)
    assert report.failed == () and len(report.graded) == len(COHORT)
    rows = gradebook_snapshot(Course.open(ours2).db_url, stage)
    assert compare(rows, gradebook_snapshot(Course.open(stock2).db_url, stage)) == []
    manual = [v for (s, t, k), v in rows.items() if s == "b-complete" and t == "grade" and v["manual_score"] == 2.0]
    assert len(manual) == 1 and manual[0]["needs_manual_grade"] is True


@pytest.mark.slow
def test_nbgrader_generate_feedback_and_export_work_on_a_kernel_free_course(courses, tmp_path):
    _, _, ours, _ = courses
    course = _copy(ours, tmp_path / "ours")
    nbgrader("generate_feedback", "diagnose", cwd=course)
    page = course / "feedback" / "a-model" / "diagnose" / "diagnose.html"
    assert page.is_file() and "Pemeriksaan otomatis" in page.read_text(encoding="utf-8")
    nbgrader("export", cwd=course)
    import csv

    with (course / "grades.csv").open(encoding="utf-8") as fh:
        exported = {(r["student_id"], r["assignment"]): float(r["raw_score"]) for r in csv.DictReader(fh)}
    ours_rows = gradebook_rows(course, "diagnose")
    expected = sum(v[0] or 0 for v in ours_rows["a-model"]["grades"].values())
    assert exported[("a-model", "diagnose")] == pytest.approx(expected) and expected > 0


def test_the_engine_reproduces_exactly_the_grading_steps_lablib_writes():
    sanitize, autograde = protected_preprocessors()
    assert (tuple(sanitize), tuple(autograde)) == (direct.SANITIZE_STEPS, direct.AUTOGRADE_STEPS)


# -- what goes to kernels ------------------------------------------------------------------
@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """Diagnose only, three submissions, default late penalty."""
    root = tmp_path_factory.mktemp("small") / "course"
    write_config(root, course_id=COURSE_ID)
    install_source(root, "diagnose")
    assert Course.open(root).api.generate_assignment("diagnose")["success"]
    for n, student in enumerate(("p1", "p2", "p3")):
        folder = root / "submitted" / student / "diagnose"
        folder.mkdir(parents=True)
        for f in (root / "release" / "diagnose").iterdir():
            shutil.copy(f, folder / f.name)
        save_answers(folder, "diagnose", synthetic_answers("diagnose", "complete", seed=n))
        (folder / "timestamp.txt").write_text(ON_TIME, encoding="utf-8")
    return root


def _plain_copy(src: Path, dest: Path, db_url: str | None = None) -> Path:
    """A copy that is a course of its own (its own record: a copy sharing the original's
    PostgreSQL gradebook would be refused as a copy of that course)."""
    shutil.copytree(src, dest, symlinks=True)
    (dest / "lablib-course.json").unlink()
    write_config(dest, course_id=COURSE_ID, db_url=db_url)
    return dest


def test_a_course_set_up_differently_names_why_it_is_not_graded_without_kernels(small, tmp_path):
    course = _plain_copy(small, tmp_path / "c")
    assert direct.kernel_free_problem(Course.open(course)) is None
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
        fh.write("\nc.Execute.kernel_name = 'lain'\n")
    assert "Execute.kernel_name" in direct.kernel_free_problem(Course.open(course))
    other = _plain_copy(small, tmp_path / "d")
    with (other / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
        fh.write("\nc.Autograde.autograde_preprocessors = ['nbgrader.preprocessors.execute.Execute']\n")
    assert "preprocessor" in direct.kernel_free_problem(Course.open(other))


@pytest.mark.slow
def test_an_unusual_submission_is_graded_in_a_kernel_and_the_others_without(small, tmp_path):
    course = _plain_copy(small, tmp_path / "c")
    nb = course / "submitted" / "p2" / "diagnose" / "diagnose.ipynb"
    doc = json.loads(nb.read_text(encoding="utf-8"))
    doc["nbformat_minor"] = 4  # an older notebook format: nbformat reads it differently from plain JSON
    for cell in doc["cells"]:
        cell.pop("id", None)
    nb.write_text(json.dumps(doc), encoding="utf-8")
    stock = _plain_copy(course, tmp_path / "stock")
    nbgrader("autograde", "diagnose", cwd=stock)

    report = grade(course, "diagnose")

    assert report.graded == ("p1", "p2", "p3") and report.failed == ()
    assert report.in_kernels == ("p2",) and "p2: format notebook" in report.kernel_note
    assert "1 lewat kernel" in report.summary()
    assert compare(gradebook_snapshot(Course.open(course).db_url, "diagnose"),
                   gradebook_snapshot(Course.open(stock).db_url, "diagnose")) == []


def test_a_gradebook_that_refuses_the_write_fails_the_chunk_and_leaves_no_grading_copy(small, tmp_path, monkeypatch):
    course = _plain_copy(small, tmp_path / "c")

    def refuse(*args, **kwargs):
        raise sqlite3.OperationalError("database is locked")

    from lablib.course import direct_rows

    monkeypatch.setattr(direct_rows, "write_chunk", refuse)
    report = grade(course, "diagnose")
    assert report.graded == () and [p.student for p in report.failed] == ["p1", "p2", "p3"]
    assert all("gradebook tidak dapat ditulis: database is locked" in p.reason for p in report.failed)
    assert not any((course / "autograded" / s / "diagnose").exists() for s in ("p1", "p2", "p3"))
    monkeypatch.undo()
    again = grade(course, "diagnose")  # failures are not remembered as graded
    assert again.graded == ("p1", "p2", "p3") and again.failed == ()


# -- --verify --------------------------------------------------------------------------------
@pytest.mark.slow
def test_verify_agrees_on_kernel_free_grading_and_names_a_wrong_value(small, tmp_path):
    course = _plain_copy(small, tmp_path / "c")
    grade(course, "diagnose")
    good = verify(course, "diagnose", 2, seed=3)
    assert good.ok and len(good.students) == 2, good.summary()
    assert "semua baris gradebook dan notebook sama" in good.summary()

    with sqlite3.connect(course / "gradebook.db") as db:  # a wrong automatic score, as a bug would leave it
        db.execute("UPDATE grade SET auto_score = 0.25 WHERE cell_id IN (SELECT id FROM base_cell WHERE name = "
                   "'auto-dg1-usg') AND notebook_id IN (SELECT sn.id FROM submitted_notebook sn JOIN "
                   "submitted_assignment sa ON sa.id = sn.assignment_id WHERE sa.student_id = 'p1')")
    bad = verify(course, "diagnose", 1, students=["p1"])
    assert not bad.ok
    [diff] = bad.differences
    assert (diff.student, diff.table, diff.column, diff.key, diff.lablib) == \
        ("p1", "grade", "auto_score", "diagnose/auto-dg1-usg", 0.25)
    assert diff.nbgrader in (0.0, 1.0)
    assert "p1: tabel grade, kolom auto_score (diagnose/auto-dg1-usg): lablib 0.25, nbgrader" in bad.summary()


@pytest.mark.slow
def test_the_grade_command_with_verify_exits_non_zero_on_a_difference(small, tmp_path):
    course = _plain_copy(small, tmp_path / "c")
    for student in ("p2", "p3"):
        shutil.rmtree(course / "submitted" / student)
    env_bin = {"PATH": f"{BIN}:/usr/bin:/bin"}
    ok = subprocess.run([str(BIN / "lablib"), "grade", "diagnose", "--course", str(course), "--verify", "1"],
                        capture_output=True, text=True, env=env_bin, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Verifikasi diagnose: 1 pengumpulan (p1)" in ok.stdout and "tanpa kernel" in ok.stdout
    (course / "autograded" / "p1" / "diagnose" / "diagnose.ipynb").chmod(0o644)
    nb = json.loads((course / "autograded" / "p1" / "diagnose" / "diagnose.ipynb").read_text(encoding="utf-8"))
    nb["cells"][4]["outputs"][0]["text"] = ["✓ dipalsukan\n"]
    (course / "autograded" / "p1" / "diagnose" / "diagnose.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    bad = subprocess.run([str(BIN / "lablib"), "grade", "diagnose", "--course", str(course), "--verify", "1"],
                         capture_output=True, text=True, env=env_bin, check=False)
    assert bad.returncode != 0
    assert "VERIFIKASI GAGAL diagnose" in bad.stdout + bad.stderr
    assert "p1: tabel autograded, kolom notebook" in bad.stdout + bad.stderr
    assert "Traceback" not in bad.stderr


# -- PostgreSQL ------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.postgres
def test_two_courses_on_one_postgresql_server_graded_at_once_give_the_sqlite_gradebook(postgres, courses, tmp_path):
    template, _, ours, _ = courses
    first = _copy(template, tmp_path / "first", db_url=postgres.create_database())
    second = _copy(template, tmp_path / "second", db_url=postgres.create_database())
    for course in (first, second):  # each course's gradebook: its stages, as generate_assignment made them
        api = Course.open(course).api
        for st in STAGES:
            assert api.generate_assignment(st.slug)["success"]
        with Course.open(course).gradebook() as gb:
            for st in STAGES:
                gb.update_or_create_assignment(st.slug, duedate=DUE)
    procs = [subprocess.Popen([sys.executable, "-c", _GRADE_ALL, str(c)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for c in (first, second)]
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, out + err
    for course in (first, second):
        for st in STAGES:
            assert compare(gradebook_snapshot(Course.open(course).db_url, st.slug),
                           gradebook_snapshot(Course.open(ours).db_url, st.slug)) == [], (course.name, st.slug)


_GRADE_ALL = """
import sys
from lablib.core.stages import STAGES
from lablib.course.grading import grade
for st in STAGES:
    r = grade(sys.argv[1], st.slug)
    assert r.failed == () and r.in_kernels == (), r.summary()
"""


@pytest.mark.postgres
def test_one_postgresql_gradebook_is_graded_by_one_run_at_a_time_wherever_the_course_folder_is(postgres, small,
                                                                                              tmp_path):
    url = postgres.create_database()
    course = _plain_copy(small, tmp_path / "c", db_url=url)
    assert Course.open(course).api.generate_assignment("diagnose")["success"]
    elsewhere = _plain_copy(course, tmp_path / "elsewhere", db_url=url)  # another folder, the same gradebook
    held = _hold_run_lock(Course.open(course), "diagnose")
    try:
        with pytest.raises(GradingError, match="sedang dinilai dari tempat lain"):
            grade(elsewhere, "diagnose")
        results: list = []
        other = _plain_copy(small, tmp_path / "other", db_url=postgres.create_database())
        assert Course.open(other).api.generate_assignment("diagnose")["success"]
        worker = threading.Thread(target=lambda: results.append(grade(other, "diagnose")))
        worker.start()  # another course on the same server is not held up
        worker.join(120)
        assert results and results[0].graded == ("p1", "p2", "p3")
    finally:
        held.close()
    assert grade(elsewhere, "diagnose").graded == ("p1", "p2", "p3")


# -- several cores ---------------------------------------------------------------------------
def test_a_large_batch_prepared_in_worker_processes_gives_the_same_rows_and_notebooks(small, tmp_path,
                                                                                       monkeypatch):
    from lablib.course import direct_workers

    one = _plain_copy(small, tmp_path / "one")
    answers = [synthetic_answers("diagnose", p, seed=n) for n, p in enumerate(("model", "partial", "inconsistent"))]
    for n in range(direct_workers.PARALLEL_FROM + 6):
        folder = one / "submitted" / f"q{n:03d}" / "diagnose"
        folder.mkdir(parents=True)
        for f in (one / "release" / "diagnose").iterdir():
            shutil.copy(f, folder / f.name)
        if n % 4:
            save_answers(folder, "diagnose", answers[n % 3])
        (folder / "timestamp.txt").write_text(ON_TIME, encoding="utf-8")
    two = _plain_copy(one, tmp_path / "two")
    parallel = []
    real = direct_workers._parallel
    monkeypatch.setattr(direct_workers, "_parallel", lambda *a: parallel.append(a[3]) or real(*a))

    first, second = grade(one, "diagnose", workers=1), grade(two, "diagnose", workers=2)

    assert parallel == [2]  # only the second batch went to worker processes
    assert first.graded == second.graded and len(second.graded) == direct_workers.PARALLEL_FROM + 9
    assert first.failed == second.failed == () and second.in_kernels == ()
    assert compare(gradebook_snapshot(Course.open(two).db_url, "diagnose"),
                   gradebook_snapshot(Course.open(one).db_url, "diagnose")) == []
    for student in second.graded:
        rel = Path("autograded") / student / "diagnose" / "diagnose.ipynb"
        assert (one / rel).read_bytes() == (two / rel).read_bytes(), student


def test_the_notebook_is_written_byte_for_byte_as_nbformat_writes_it(small, tmp_path):
    """The engine assembles the notebook's JSON itself (cell texts cached, its own encoder): the
    file must be exactly what nbformat's writer makes of the same notebook."""
    import nbformat

    course = _plain_copy(small, tmp_path / "c")
    assert grade(course, "diagnose").graded == ("p1", "p2", "p3")
    for student in ("p1", "p2", "p3"):
        path = course / "autograded" / student / "diagnose" / "diagnose.ipynb"
        text = path.read_text(encoding="utf-8")
        assert text == nbformat.writes(nbformat.reads(text, as_version=4)) + "\n"
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
        checks = [c for c in nb.cells if c.cell_type == "code" and "grade_check" in c.source]
        assert checks and all(c.outputs[-1].output_type == "execute_result" for c in checks)
        assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == \
            list(range(1, 1 + sum(c.cell_type == "code" for c in nb.cells)))


def test_an_unchanged_regrade_reads_no_file_and_a_touched_or_changed_one_is_seen(small, tmp_path, monkeypatch):
    from lablib.course.grading import _load_state

    course = _plain_copy(small, tmp_path / "c")
    assert grade(course, "diagnose").graded == ("p1", "p2", "p3")
    state = _load_state(Course.open(course), "diagnose")
    assert all(len(state[s]["files"]) == 64 for s in ("p1", "p2", "p3"))  # the files' signature is kept

    answers = course / "submitted" / "p1" / "diagnose" / "jawaban-diagnose.json"
    stamp = answers.stat().st_mtime_ns
    answers.touch()  # the same content, a new time: read again, found unchanged
    assert answers.stat().st_mtime_ns != stamp
    again = grade(course, "diagnose")
    assert again.graded == () and again.skipped == ("p1", "p2", "p3")
    # ... and its new signature is stored, so the next unchanged re-grade reads no file again
    from lablib.course import grading

    read = []
    real = grading.submission_fingerprint
    monkeypatch.setattr(grading, "submission_fingerprint", lambda folder, source: read.append(folder) or real(
        folder, source))
    assert grade(course, "diagnose").skipped == ("p1", "p2", "p3")
    assert read == []
    save_answers(answers.parent, "diagnose", synthetic_answers("diagnose", "model", seed=9))
    assert grade(course, "diagnose").graded == ("p1",)
    # a touched file beside a changed one: the run that grades the changed one stores both
    (course / "submitted" / "p2" / "diagnose" / "jawaban-diagnose.json").touch()
    save_answers(course / "submitted" / "p3" / "diagnose", "diagnose", synthetic_answers("diagnose", "model", seed=4))
    read.clear()
    assert grade(course, "diagnose").graded == ("p3",)
    assert read == [str(course / "submitted" / s / "diagnose") for s in ("p2", "p3")]
    read.clear()
    assert grade(course, "diagnose").skipped == ("p1", "p2", "p3") and read == []
