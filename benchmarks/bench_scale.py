"""The trainer's reading commands at cohort scale: ``lablib status``, ``report`` and ``feedback``
on a synthetic graded course of N participants, and live scoring of 10,000 participants.

The course is made with ``lablib.course.folder.create_course`` (config, sources, gradebook),
then filled fast by inserting the gradebook rows directly (nbgrader's own tables: a submission,
its notebook, every grade and comment) and writing each participant's answers file into
``autograded/`` — what ``lablib grade`` leaves behind, without grading 16,000 submissions
first. Answers are synthetic (``lablib.curriculum.synthetic``, a pool of distinct sets per
stage); automatic grades are what the checks give those answers, rubric levels are random.

Each command runs as the trainer runs it (``python -m lablib.cli ...`` in a new process) and
is timed in wall seconds and CPU seconds (user + system of the process and its children).
Every run prints the load average, since the machine is shared.

    .venv/bin/python benchmarks/bench_scale.py                 # N = 500, 1,000, 4,000; live 10,000
    .venv/bin/python benchmarks/bench_scale.py --sizes 200 --live 2000  # quick
    .venv/bin/python benchmarks/bench_scale.py --keep /tmp/skala        # keep the courses

Targets (issue 14): every command on 4,000 participants grows linearly with N (no quadratic
step), and live scoring of 10,000 participants cold < 5 s on a quiet 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STAGES = ("diagnose", "design", "deliver", "display")  # the graded stages of a full bimtek
COURSE_ID = "skala"


def _cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


# ----------------------------------------------------------------------------- building

def _answer_pool(stage: str, size: int = 12) -> list[tuple[bytes, dict[str, float]]]:
    """``size`` distinct answer files of a stage with the automatic grade each check gives them."""
    from lablib.curriculum import get_exercise
    from lablib.curriculum.grade_ids import auto_grade_id
    from lablib.curriculum.scoring import score_answers
    from lablib.curriculum.synthetic import PROFILES, synthetic_answers

    out = []
    for k in range(size):
        answers = synthetic_answers(stage, PROFILES[k % len(PROFILES)], seed=k)
        result = score_answers(stage, answers)
        auto = {auto_grade_id(get_exercise(e.exercise_id), c.check_id): c.earned
                for e in result.exercises for c in e.checks}
        doc = {"schema_version": 1, "stage": stage, "saved_at": "2026-08-14T10:00:00", "answers": answers}
        out.append((json.dumps(doc, ensure_ascii=False).encode(), auto))
    return out


def build_course(root: Path, n: int, seed: int = 0) -> Path:
    """A graded course of ``n`` participants at ``root`` (see the module's docstring)."""
    from dataclasses import replace

    from nbgrader.api import Base
    from sqlalchemy import create_engine, insert

    from lablib.core.files import write_text_atomic
    from lablib.course.folder import COURSE_FILENAME, create_course, load_course
    from lablib.course.roster import Participant
    from lablib.curriculum.grade_ids import RUBRIC, grade_names

    rng = random.Random(seed)
    opds = [f"Dinas {k:02d}" for k in range(1, 41)]
    people = [Participant(f"p{i:05d}", f"Peserta {i}", opds[i % len(opds)], "Analis", f"p{i}@contoh.go.id")
              for i in range(n)]
    create_course(root, people[:1], course_id=COURSE_ID, homes=str(root / "rumah" / "{id}"))
    info = load_course(root)
    write_text_atomic(root / COURSE_FILENAME, replace(info, participants=tuple(people)).to_json())
    engine = create_engine(f"sqlite:///{root / 'gradebook.db'}")
    t = Base.metadata.tables
    rows: dict[str, list[dict]] = {name: [] for name in (
        "student", "notebook", "base_cell", "grade_cells", "task_cells", "submitted_assignment",
        "submitted_notebook", "grade", "comment")}
    rows["student"] = [{"id": p.id, "first_name": p.first_name, "last_name": p.last_name, "email": p.email}
                       for p in people[1:]]
    with engine.connect() as conn:
        assignments = {name: aid for aid, name in conn.execute(t["assignment"].select().with_only_columns(
            t["assignment"].c.id, t["assignment"].c.name))}
    counter = iter(range(10**9))

    def new_id() -> str:
        return f"{next(counter):032x}"

    for stage in STAGES:
        pool = _answer_pool(stage)
        nb_id = new_id()
        rows["notebook"].append({"id": nb_id, "name": stage, "assignment_id": assignments[stage]})
        cells = {}
        for name, meaning in grade_names(stage).items():
            cid = new_id()
            task = meaning.kind == RUBRIC
            cells[name] = (cid, meaning.points, task)
            rows["base_cell"].append({"id": cid, "name": name, "notebook_id": nb_id,
                                      "type": "TaskCell" if task else "GradeCell"})
            rows["task_cells" if task else "grade_cells"].append(
                {"id": cid, "max_score": meaning.points, "cell_type": "markdown" if task else "code"})
        for i, p in enumerate(people):
            data, auto = pool[(i * 7 + len(stage)) % len(pool)]
            sub, snb = new_id(), new_id()
            rows["submitted_assignment"].append({"id": sub, "assignment_id": assignments[stage], "student_id": p.id,
                                                 "timestamp": None})
            rows["submitted_notebook"].append({"id": snb, "assignment_id": sub, "notebook_id": nb_id,
                                               "flagged": False, "late_submission_penalty": None})
            for name, (cid, points, task) in cells.items():
                manual = points * rng.randint(0, 4) / 4 if task and rng.random() < 0.8 else None
                rows["grade"].append({"id": new_id(), "notebook_id": snb, "cell_id": cid,
                                      "auto_score": None if task else auto.get(name, 0.0), "manual_score": manual,
                                      "extra_credit": None, "needs_manual_grade": task and manual is None})
                rows["comment"].append({"id": new_id(), "notebook_id": snb, "cell_id": cid, "auto_comment": None,
                                        "manual_comment": "Perjelas indikatornya." if task and manual else None})
            folder = root / "autograded" / p.id / stage
            folder.mkdir(parents=True)
            (folder / f"jawaban-{stage}.json").write_bytes(data)
    with engine.begin() as conn:
        for name, batch in rows.items():
            if batch:
                conn.execute(insert(t[name]), batch)
    engine.dispose()
    return root


# ----------------------------------------------------------------------------- timing

def timed(argv: list[str], cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, output) of one command in a new process."""
    cpu, wall = _cpu_children(), time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - wall, _cpu_children() - cpu
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return wall, cpu, proc.stdout


def lablib(*args: str) -> list[str]:
    return [sys.executable, "-m", "lablib.cli", *args]


def command_figures(root: Path, sizes: list[int]) -> list[dict]:
    out = []
    for n in sizes:
        course = root / f"kursus-{n}"
        t = time.perf_counter()
        build_course(course, n)
        built = time.perf_counter() - t
        row = {"n": n, "build": built}
        for name, argv in (("status", lablib("status", "--course", str(course))),
                           ("report", lablib("report", "--course", str(course))),
                           ("feedback", lablib("feedback", "display", "--course", str(course)))):
            wall, cpu, _ = timed(argv, course)
            row[name], row[name + "_cpu"] = wall, cpu
        print(f"N={n:6d} (built in {built:5.1f} s) | " + " | ".join(
            f"{k} {row[k]:6.2f} s wall {row[k + '_cpu']:6.2f} s CPU" for k in ("status", "report", "feedback"))
            + f" | {load()}", flush=True)
        out.append(row)
    if len(out) > 1:
        a, b = out[0], out[-1]
        growth = b["n"] / a["n"]
        print(f"growth from N={a['n']} to N={b['n']} ({growth:.0f}x participants): " + ", ".join(
            f"{k} {b[k] / a[k]:.1f}x wall, {b[k + '_cpu'] / a[k + '_cpu']:.1f}x CPU"
            for k in ("status", "report", "feedback")))
    return out


LIVE_SNIPPET = """
import json, resource, sys, time
from lablib.course import live
import lablib.course.course, lablib.curriculum.scoring  # imports are not part of the figures
course, phases = sys.argv[1], sys.argv[2].split(",")
def cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime
out = {}
for phase in phases:
    if phase == "cold":  # nothing scored before: no memory cache, no cache file (it is written)
        live._CACHE.clear()
        live._DiskCache(lablib.course.course.Course.open(course)).path.unlink(missing_ok=True)
    t, c = time.perf_counter(), cpu()
    scores = live.live_scores(course)
    out[phase], out[phase + "_cpu"], out["files"] = time.perf_counter() - t, cpu() - c, len(scores)
print(json.dumps(out))
"""


def live_figures(root: Path, participants: int) -> dict:
    """Live scoring of ``participants`` working copies (one stage each, as in a workshop)."""
    from lablib.course.folder import write_config

    course = root / "langsung"
    write_config(course, course_id=COURSE_ID)
    pools = {stage: [data for data, _ in _answer_pool(stage)] for stage in STAGES}
    files = []
    for i in range(participants):
        stage = STAGES[i % len(STAGES)]
        folder = course / "submitted" / f"p{i:05d}" / stage
        folder.mkdir(parents=True)
        path = folder / f"jawaban-{stage}.json"
        path.write_bytes(pools[stage][(i * 7) % len(pools[stage])])
        files.append(path)

    def run(phases: str) -> dict:
        _, _, text = timed([sys.executable, "-c", LIVE_SNIPPET, str(course), phases], course)
        return json.loads(text.strip().splitlines()[-1])

    figures = run("cold,refresh_mem")  # cold: as the first `lablib status --live` (writes the cache file)
    figures.update(run("refresh_disk"))  # a new process: `lablib status --live` again, from the cache file
    for path in files[::100]:  # 1% of the participants saved since
        os.utime(path, ns=(time.time_ns(), time.time_ns()))
    figures.update(run("refresh_changed"))
    print(f"live scoring, {figures['files']} participants: " + " | ".join(
        f"{k} {figures[k]:.2f} s wall {figures[k + '_cpu']:.2f} s CPU"
        for k in ("cold", "refresh_mem", "refresh_disk", "refresh_changed")) + f" | {load()}", flush=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[500, 1000, 4000], help="participants per course")
    ap.add_argument("--live", type=int, default=10_000, help="participants for live scoring (0: skip)")
    ap.add_argument("--keep", metavar="DIR", help="build the courses here and keep them")
    args = ap.parse_args(argv)
    print(f"{os.cpu_count()} CPUs, {load()}")
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-skala-"))
    root.mkdir(parents=True, exist_ok=True)
    ok = True
    try:
        if args.sizes:
            command_figures(root, sorted(args.sizes))
        if args.live:
            figures = live_figures(root, args.live)
            ok &= args.live < 10_000 or figures["cold"] < 5.0
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    print("targets met" if ok else "TARGETS MISSED (live cold >= 5 s; see the load average)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
