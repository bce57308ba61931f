"""A small graded course built through the real nbgrader pipeline, shared by the review,
feedback, documents, report and showcase tests.

Participants (answers from ``lablib.curriculum.samples.model_answers`` and mutated copies):
- ``ani``: the model answers on every stage that has definitions;
- ``budi``: Diagnose and Design, copies with a wrong USG total (one check fails) and HTML/script
  in their own text;
- ``citra``: Diagnose only, with two problems instead of three (later stages missing);
- ``dedi``: on the roster, never submits.

Submissions are placed in ``submitted/`` as ``nbgrader collect`` leaves them, then autograded
with nbgrader's API (fetch/submit through the exchange is covered by test_pipeline_dg1).
The course is built once per test process; tests that write to the gradebook take a copy.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

from conftest import autograde

from lablib.core.answers import save_answers
from lablib.core.stages import STAGES
from lablib.course.course import Course
from lablib.course.folder import install_source
from lablib.curriculum import stage_exercises
from lablib.curriculum.samples import model_answers

COURSE_ID = "uji-laporan"
EVIL = '<script>alert("x")</script> & </b>'
ROSTER = [
    ("ani", "Ani Lestari", "Dinas Kependudukan dan Pencatatan Sipil", "Kepala Bidang"),
    ("budi", "Budi Santoso", "Dinas Kesehatan", "Sekretaris"),
    ("citra", "Citra Dewi", "Dinas Perikanan", "Kepala Seksi"),
    ("dedi", "Dedi Kurniawan", "DPMPTSP", "Analis"),
]
_BUILT: dict[str, Path] = {}


def active_stages() -> list[str]:
    """Stages whose exercises are defined and whose model answers exist."""
    return [s.slug for s in STAGES if stage_exercises(s.slug) and model_answers(s.slug)]


def _evil_copy(stage: str) -> dict:
    answers = model_answers(stage)
    dg1 = answers.get("diagnose.dg1")
    if dg1:
        rows = dg1["masalah"]
        rows[0]["nama"] = EVIL + " " + rows[0]["nama"]
        dg1["masalah_terpilih"] = rows[0]["nama"]
        rows[1]["u"] = 9  # the USG check fails (a score outside 1–5)
    for entry in answers.values():  # any innovation name carries the marker too
        if isinstance(entry, dict):
            for key in ("nama_inovasi", "nama"):
                if isinstance(entry.get(key), str):
                    entry[key] = EVIL + " " + entry[key]
    return answers


def _partial(stage: str) -> dict:
    answers = model_answers(stage)
    dg1 = answers.get("diagnose.dg1")
    if dg1:
        dg1["masalah"] = dg1["masalah"][:2]
    return answers


def answer_sets() -> dict[str, dict[str, dict]]:
    """``{student: {stage: answers}}`` of the cohort (budi stops after Design)."""
    stages = active_stages()
    return {
        "ani": {s: model_answers(s) for s in stages},
        "budi": {s: _evil_copy(s) for s in stages if s in ("diagnose", "design")},
        "citra": {"diagnose": _partial("diagnose")},
    }


def _submit(course: Path, student: str, stage: str, answers: dict, stamp: str) -> None:
    folder = course / "submitted" / student / stage
    shutil.copytree(course / "release" / stage, folder)
    save_answers(folder, stage, copy.deepcopy(answers))
    (folder / "timestamp.txt").write_text(stamp, encoding="utf-8")


def _create(course: Path) -> None:
    """The course as ``lablib init`` makes it."""
    from lablib.course.folder import create_course
    from lablib.course.roster import Participant

    people = [Participant(pid, name, opd, post, f"{pid}@contoh.go.id") for pid, name, opd, post in ROSTER]
    create_course(course, people, course_id=COURSE_ID)


def cohort_course(tmp_path_factory) -> Path:
    """The shared course: built once per test run, also across pytest-xdist workers (file lock)."""
    import fcntl
    import os

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's root, shared by the workers
    base = base / "lablib-cohort"
    base.mkdir(parents=True, exist_ok=True)
    with open(base / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if (base / ".done").is_file():
                _BUILT[str(base)] = base / "course"
            course = build(base)
            (base / ".done").touch()
            return course
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build(base: Path) -> Path:
    """Build (once) and return the graded course folder."""
    key = str(base)
    if key in _BUILT:
        return _BUILT[key]
    course = base / "course"
    if course.exists():  # a build that failed half-way
        shutil.rmtree(course)
    _create(course)
    api = Course.open(course).api
    stages = active_stages()
    for stage in stages:
        if not (course / "source" / stage).is_dir():
            install_source(course, stage)
        result = api.generate_assignment(stage)
        assert result["success"], result["error"] + result["log"]
    for student, by_stage in answer_sets().items():
        for stage, answers in by_stage.items():
            if stage not in stages:
                continue
            _submit(course, student, stage, answers, "2026-08-14 10:00:00.000000 UTC")
            result = autograde(api, stage, student)
            assert result["success"], result["error"] + result["log"]
    _BUILT[key] = course
    return course


def copy_course(course: Path, target: Path) -> Path:
    """A private copy of the course: its config and record point at the copy and its gradebook."""
    shutil.copytree(course, target, symlinks=True)
    for p in target.rglob("*"):
        p.chmod(p.stat().st_mode | 0o200)
    old, new = str(course.resolve()), str(target.resolve())
    for name in ("nbgrader_config.py", "lablib-course.json"):
        path = target / name
        if path.is_file():
            path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return target


CHROMIUM = Path("/usr/bin/chromium")


def chromium(url: str, profile: Path, *extra: str, timeout: int = 120) -> str:
    """Run headless Chromium on ``url`` (network blocked) and return its stdout (e.g. --dump-dom)."""
    import subprocess

    profile.mkdir(parents=True, exist_ok=True)
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
           "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}", *extra, url]
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout
