"""Ctrl-C stops ``lablib grade`` within seconds, keeps what was graded and leaves the rest for the
next run: real SIGINT to a real ``lablib grade`` process, real nbgrader, real kernels."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import BIN
from test_grading import STAGE, _extra_cell, copy_course, make_template, submit

from lablib.course.course import Course
from lablib.course.grading import (
    GradeEvent,
    GradeProblem,
    GradeReport,
    GradingInterrupted,
    _hold_run_lock,
    grade,
    grading_failures,
)
from lablib.curriculum.synthetic import synthetic_answers

pytestmark = pytest.mark.xdist_group("grading")
STUDENTS = [f"p{n}" for n in range(1, 9)]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return make_template(tmp_path_factory.mktemp("interrupts") / "template")


def _state(course: Path) -> dict:
    try:
        return json.loads((course / ".lablib" / "grading" / f"{STAGE}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):  # not written yet, or caught half-way through its atomic replace
        return {}


def _grading_processes(course: Path) -> list[int]:
    """The fork server of a grading run on ``course`` and the kernels it forked (they carry the
    run's kernel log in their environment)."""
    marker = f"LABLIB_KERNEL_LOG={course / '.lablib' / 'grading' / 'kernels.log'}".encode()
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def _grade_and_interrupt(course: Path, *, after: int = 1, workers: int = 1,
                         at_the_latest: float | None = None) -> tuple[subprocess.CompletedProcess, float, dict]:
    """Start ``lablib grade`` on ``course``; send SIGINT once ``after`` submissions are recorded
    (or ``at_the_latest`` seconds after the start, if given); return the finished process, the
    seconds it took to exit after the signal, and the state the signal found."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    # --kernels: kernel-free grading of eight submissions ends before a signal could arrive
    proc = subprocess.Popen([str(BIN / "lablib"), "grade", STAGE, "--course", str(course), "--kernels", "--workers",
                             str(workers)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 180
        latest = time.monotonic() + at_the_latest if at_the_latest is not None else float("inf")
        while len(_state(course).get("students", {})) < after and time.monotonic() < latest:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "nothing was graded in time"
            time.sleep(0.05)
        seen = _state(course)
        proc.send_signal(signal.SIGINT)
        sent = time.monotonic()
        out, err = proc.communicate(timeout=30)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), time.monotonic() - sent, seen
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_ctrl_c_stops_grading_keeps_what_was_graded_and_the_rerun_grades_only_the_rest(template, tmp_path):
    course = copy_course(template, tmp_path / "course")
    for n, student in enumerate(STUDENTS):
        submit(course, student, synthetic_answers(STAGE, "model", seed=n))

    done, seconds, seen = _grade_and_interrupt(course)

    assert done.returncode == 130, done.stderr
    assert seconds < 10, f"{seconds:.1f} s from SIGINT to exit"
    state = _state(course)
    graded = sorted(state["students"])
    assert set(seen["students"]) <= set(graded) and 1 <= len(graded) < len(STUDENTS)  # stopped early
    left = len(STUDENTS) - len(graded)
    assert (f"lablib grade: dihentikan: {len(graded)} dinilai, {left} belum; jalankan lagi "
            f"'lablib grade {STAGE}' untuk sisanya") in done.stderr
    assert "Traceback" not in done.stderr
    assert _grading_processes(course) == []  # the fork server and its kernels are gone
    _hold_run_lock(Course.open(course), STAGE).close()  # the run lock was released
    for student in graded:  # what the state records is really graded
        assert (course / "autograded" / student / STAGE / f"{STAGE}.ipynb").is_file()

    rerun = grade(course, STAGE, workers=2)
    assert list(rerun.skipped) == graded
    assert sorted(rerun.graded) == sorted(set(STUDENTS) - set(graded))
    assert rerun.failed == () and grading_failures(course) == {}
    assert sorted(_state(course)["students"]) == STUDENTS


@pytest.mark.slow
def test_a_cell_still_running_after_the_grace_time_is_stopped_and_left_for_the_rerun(template, tmp_path):
    """A hanging participant cell does not hold Ctrl-C up: after ``STOP_GRACE`` its kernel is
    killed; the submission is recorded as stopped (nbgrader has removed its old autograded
    notebook), so status shows it and the rerun grades it."""
    from nbgrader.converters.autograde import Autograde

    course = copy_course(template, tmp_path / "course")
    # nbgrader's default sanitizing, so that a participant's own cell reaches the kernel
    defaults = [f"{c.__module__}.{c.__name__}" for c in Autograde.class_traits()["sanitize_preprocessors"].default()]
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
        fh.write(f"\nc.Autograde.sanitize_preprocessors = {defaults!r}\nc.Execute.timeout = 90\n")
    released = course / "release" / STAGE / f"{STAGE}.ipynb"
    model = synthetic_answers(STAGE, "model")
    submit(course, "a-ok", model)
    hanging = submit(course, "b-hangs", model, notebook=_extra_cell(released, "import time\ntime.sleep(90)"))
    submit(course, "c-ok", model)

    # One cell executes at a time (workers 1) and which of the first two kernels is ready first
    # depends on the machine's load: a-ok may finish first (the signal then follows its record)
    # or b-hangs may take the slot first (the signal then comes while it hangs, a-ok waiting).
    done, seconds, _ = _grade_and_interrupt(course, at_the_latest=20)

    assert done.returncode == 130, done.stderr
    assert seconds < 12, f"{seconds:.1f} s from SIGINT to exit"
    graded = list(_state(course).get("students", {}))
    assert graded in ([], ["a-ok"]), graded
    assert f"dihentikan: {len(graded)} dinilai, {3 - len(graded)} belum" in done.stderr
    assert _grading_processes(course) == []
    stopped = grading_failures(course)
    assert ("b-hangs", STAGE) in stopped and "dihentikan (Ctrl-C)" in stopped[("b-hangs", STAGE)].reason

    (hanging / f"{STAGE}.ipynb").write_bytes(released.read_bytes())  # the participant's notebook, fixed
    rerun = grade(course, STAGE, workers=2)
    rest = tuple(s for s in ("a-ok", "b-hangs", "c-ok") if s not in graded)
    assert (rerun.skipped, rerun.graded, rerun.failed) == (tuple(graded), rest, ())
    assert grading_failures(course) == {}


@pytest.mark.slow
def test_keyboard_interrupt_in_the_calling_thread_stops_the_batch_with_its_report(template, tmp_path):
    """``grade`` called from Python: a KeyboardInterrupt (here raised by the progress callback
    after the first submission) stops the batch; GradingInterrupted carries the report."""
    course = copy_course(template, tmp_path / "course")
    for n, student in enumerate(STUDENTS[:4]):
        submit(course, student, synthetic_answers(STAGE, "complete", seed=n))
    events: list[GradeEvent] = []

    def progress(event: GradeEvent) -> None:
        events.append(event)
        raise KeyboardInterrupt

    with pytest.raises(GradingInterrupted) as stopped:
        grade(course, STAGE, workers=1, progress=progress)
    report = stopped.value.report
    assert isinstance(stopped.value, KeyboardInterrupt) and report.interrupted and not report.ok
    assert events[0].status == "graded" and events[0].student in report.graded
    assert sorted(report.graded + report.remaining) == STUDENTS[:4] and report.remaining
    assert str(stopped.value) == report.summary()
    assert sorted(_state(course)["students"]) == list(report.graded)
    assert not _grading_processes(course)

    rerun = grade(course, STAGE, workers=2)
    assert rerun.skipped == report.graded and sorted(rerun.graded) == sorted(report.remaining)


def test_the_interrupted_summary_says_what_was_done_and_what_to_run():
    report = GradeReport(STAGE, ("a", "b", "c", "d", "e"), ("f",), (GradeProblem("g", "kernel mati"),), 3.5, 2,
                         interrupted=True, remaining=tuple(f"r{n}" for n in range(15)))
    assert report.total == 22 and not report.ok
    lines = report.summary().splitlines()
    assert lines[0] == f"dihentikan: 5 dinilai, 15 belum; jalankan lagi 'lablib grade {STAGE}' untuk sisanya"
    assert "1 tidak berubah, 1 gagal" in lines[1] and "GAGAL g: kernel mati" in lines[2]
    assert str(GradingInterrupted(report)) == report.summary()


def test_the_cli_exits_130_with_the_grading_report(monkeypatch, capsys, tmp_path):
    from lablib import cli

    report = GradeReport(STAGE, ("a",), (), (), 1.0, 1, interrupted=True, remaining=("b", "c"))

    def interrupted(*args, **kwargs):
        raise GradingInterrupted(report)

    monkeypatch.setattr("lablib.pipeline.grade", interrupted)
    monkeypatch.setattr(cli, "_course", lambda args: None)
    assert cli.main(["grade", STAGE, "--course", str(tmp_path)]) == 130
    assert capsys.readouterr().err == (f"lablib grade: dihentikan: 1 dinilai, 2 belum; jalankan lagi 'lablib grade "
                                       f"{STAGE}' untuk sisanya\n")

