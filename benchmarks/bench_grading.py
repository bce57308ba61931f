"""Grading at scale: stock ``nbgrader autograde`` against ``lablib.course.grading.grade``, and live scoring.

    python benchmarks/bench_grading.py              # 100 submissions over the five stages
    python benchmarks/bench_grading.py --quick      # 10 submissions, 1,000 live participants
    python benchmarks/bench_grading.py --n 200 --workers 3 --live 10000

What it does, in one run:
1. builds a course with all five stages generated and N synthetic submissions spread over the
   stages (``lablib.curriculum.synthetic`` answers when present, else model/empty answers);
2. copies it twice; grades one copy with stock ``nbgrader autograde STAGE`` (the CLI) and the
   other with ``lablib.course.grading.grade`` (one process per stage, as ``lablib grade STAGE``
   runs), stage by stage and alternating, so both see the same load from other processes,
   and checks that both gradebooks hold the same rows; every process imports the same frozen
   snapshot of lablib;
3. grades the lablib copy again with nothing changed (every submission should be skipped);
4. scores the current answers of many participants in-process (``lablib.course.live.live_scores``):
   a cold run, a refresh with nothing changed, and a refresh after 1% of the files changed;
5. prints seconds per submission, the ratio, the re-grade time, the live-scoring times and the
   peak memory (largest process, from getrusage including children, and the largest sum of
   the resident memory of all processes of the lablib grading run, sampled).

Targets on a 2-core machine: lablib >= 1.8x faster than stock on a first grading, an unchanged
re-grade <= 5% of a first grading, live scoring of 10,000 participants < 5 s, peak < 1 GB.
Exit status 1 when the two gradebooks differ (timings are reported, never asserted).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from lablib.core.answers import save_answers  # noqa: E402 (after the sys.path line above)
from lablib.core.stages import STAGES  # noqa: E402
from lablib.course.course import Course  # noqa: E402
from lablib.course.folder import install_source, write_config  # noqa: E402
from lablib.curriculum.samples import model_answers  # noqa: E402

COURSE_ID = "bench-grading"
TIMESTAMP = "2026-08-14 10:00:00.000000 UTC"
BIN = Path(sys.executable).parent


CODE = REPO  # replaced by a snapshot of lablib for the run (see snapshot_code)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("NBGRADER_EXECUTION", None)
    env["PYTHONPATH"] = f"{CODE}{os.pathsep}{env['PYTHONPATH']}" if env.get("PYTHONPATH") else str(CODE)
    return env


def snapshot_code(root: Path) -> Path:
    """A frozen copy of lablib that every process of the run imports (kernels included), so that
    stock and lablib grade with the same code even while the working tree changes."""
    global CODE
    CODE = root / "code"
    shutil.copytree(REPO / "lablib", CODE / "lablib", ignore=shutil.ignore_patterns("__pycache__"))
    return CODE


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# -- synthetic answers ---------------------------------------------------------------------------
def answer_sets(n: int, seed: int = 0):
    """``n`` (participant id, stage, answers) spread round-robin over the five stages."""
    try:
        from lablib.curriculum.synthetic import synthetic_cohort
    except ImportError:
        synthetic_cohort = None
    if synthetic_cohort is not None:
        people = synthetic_cohort(n, seed=seed)
        for i, person in enumerate(people):
            stage = STAGES[i % len(STAGES)].slug
            yield person.id, stage, person.answers(stage)
    else:
        for i in range(n):
            stage = STAGES[i % len(STAGES)].slug
            yield f"p{i:05d}", stage, (model_answers(stage) if i % 2 == 0 else {})


def make_course(root: Path, n: int) -> dict[str, list[str]]:
    """A course with every stage generated and ``n`` collected submissions; returns stage -> ids."""
    write_config(root, course_id=COURSE_ID)
    for stage in STAGES:
        install_source(root, stage.slug)
    api = Course.open(root).api
    for stage in STAGES:
        result = api.generate_assignment(stage.slug)
        if not result["success"]:
            raise SystemExit(f"generate_assignment {stage.slug} failed:\n{result.get('error')}{result.get('log')}")
    by_stage: dict[str, list[str]] = {}
    for student, stage, answers in answer_sets(n):
        folder = root / "submitted" / student / stage
        folder.mkdir(parents=True)
        for f in (root / "release" / stage).iterdir():
            shutil.copy(f, folder / f.name)
        if answers:
            save_answers(folder, stage, answers)
        (folder / "timestamp.txt").write_text(TIMESTAMP, encoding="utf-8")
        by_stage.setdefault(stage, []).append(student)
    return by_stage


def copy_course(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, symlinks=True)
    write_config(dest, course_id=COURSE_ID)
    return dest


# -- measuring -----------------------------------------------------------------------------------
class TreeMemory:
    """Samples the summed resident memory of a process and all its descendants."""

    def __init__(self, pid: int, every: float = 0.1):
        self.pid, self.every, self.peak = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._stop.is_set():
            total = 0
            try:
                for p in [root, *root.children(recursive=True)]:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                break
            self.peak = max(self.peak, total)
            self._stop.wait(self.every)

    def __enter__(self) -> TreeMemory:  # noqa: PYI034
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run(cmd: list[str], cwd: Path, sample: bool = False) -> tuple[float, str, int]:
    """Run a command; return (seconds, stdout, peak summed RSS of its process tree)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    if sample:
        try:
            with TreeMemory(proc.pid) as mem:
                out, err = proc.communicate()
            peak = mem.peak
        except ImportError:
            out, err = proc.communicate()
    else:
        out, err = proc.communicate()
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}\n--- stdout\n{out[-3000:]}\n--- stderr\n{err[-3000:]}")
    return seconds, out, peak


GRADE_SNIPPET = """
import json, sys, warnings
warnings.simplefilter("ignore")
from lablib.course.grading import grade
r = grade(sys.argv[1], sys.argv[2], workers=int(sys.argv[3]) or None)
print(json.dumps({"graded": len(r.graded), "skipped": len(r.skipped), "failed": [str(p) for p in r.failed],
                  "seconds": r.seconds, "workers": r.workers}))
"""


def grade_lablib(course: Path, stages: list[str], workers: int) -> tuple[float, list[dict], int, list[float]]:
    total, reports, peak, per_stage = 0.0, [], 0, []
    for stage in stages:
        seconds, out, mem = run([sys.executable, "-c", GRADE_SNIPPET, str(course), stage, str(workers)],
                                cwd=course, sample=True)
        total += seconds
        per_stage.append(seconds)
        peak = max(peak, mem)
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return total, reports, peak, per_stage


def grade_stock(course: Path, stages: list[str]) -> tuple[float, int, list[float]]:
    total, peak, per_stage = 0.0, 0, []
    for stage in stages:
        seconds, _, mem = run([str(BIN / "nbgrader"), "autograde", stage], cwd=course, sample=True)
        total += seconds
        per_stage.append(seconds)
        peak = max(peak, mem)
    return total, peak, per_stage


def compare(stock: Path, ours: Path, stages: list[str]) -> list[str]:
    from lablib.course.grading import gradebook_rows

    problems = []
    for stage in stages:
        a, b = gradebook_rows(stock, stage), gradebook_rows(ours, stage)
        if a != b:
            for student in sorted(set(a) | set(b)):
                if a.get(student) != b.get(student):
                    problems.append(f"{stage}/{student}: stock {a.get(student)} != lablib {b.get(student)}")
    return problems


def live_benchmark(root: Path, template: Path, participants: int, stages_each: int, workers: int | None) -> dict:
    """Live scoring of ``participants`` answer files per stage (``stages_each`` stages each), each
    phase in its own process importing the run's snapshot of lablib."""
    course = root / "live"
    write_config(course, course_id=COURSE_ID)  # a course: its record and config, no participants
    for stage in STAGES:  # the course's calendars
        shutil.copytree(template / "source" / stage.slug, course / "source" / stage.slug)
    # A pool of distinct answer sets per stage (making 10,000 x 5 synthetic sets would take
    # minutes); the scorer does not know that files repeat: every file is read and scored.
    pool: dict[str, list[bytes]] = {}
    try:
        from lablib.curriculum.synthetic import PROFILES, synthetic_answers
    except ImportError:
        PROFILES, synthetic_answers = None, None
    for stage in STAGES:
        sets = ([synthetic_answers(stage.slug, p, seed=s) for s in range(40) for p in PROFILES]
                if synthetic_answers else [model_answers(stage.slug), {}])
        pool[stage.slug] = [json.dumps({"schema_version": 1, "stage": stage.slug, "saved_at": "2026-08-14T10:00:00",
                                        "answers": a}, ensure_ascii=False).encode() for a in sets]
    files = []
    width = len(str(participants))
    for i in range(participants):
        student = f"p{i:0{width}d}"
        for k in range(stages_each):
            stage = STAGES[(i + k) % len(STAGES)].slug
            folder = course / "submitted" / student / stage
            folder.mkdir(parents=True)
            path = folder / f"jawaban-{stage}.json"
            sets = pool[stage]
            path.write_bytes(sets[(i * 7 + k) % len(sets)])
            files.append(path)

    first = _live_run(course, ["cold", "cold_disk", "refresh_mem"], workers)
    again = _live_run(course, ["refresh_disk"], workers)  # a new process, e.g. `lablib status --live`
    for path in files[:: 100]:  # 1% of the files change
        os.utime(path, ns=(time.time_ns(), time.time_ns()))
    changed = _live_run(course, ["refresh_changed"], workers)
    return {**first, **again, **changed}


LIVE_SNIPPET = """
import json, resource, sys, time
t0 = time.perf_counter()
from lablib.course import live
import lablib.course.folder, lablib.curriculum.scoring  # imports are not part of the figures
imports = time.perf_counter() - t0
course, phases, workers = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3]) or None
out = {"imports": imports}
def cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime
for phase in phases:
    if phase.startswith("cold"):
        live._CACHE.clear()
    t, c = time.perf_counter(), cpu()
    scores = live.live_scores(course, workers=workers, disk_cache=phase != "cold")
    out[phase], out[phase + "_cpu"], out["files"] = time.perf_counter() - t, cpu() - c, len(scores)
print(json.dumps(out))
"""


def _live_run(course: Path, phases: list[str], workers: int | None) -> dict:
    _, out, _ = run([sys.executable, "-c", LIVE_SNIPPET, str(course), ",".join(phases), str(workers or 0)],
                    cwd=course)
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100, help="submissions over the five stages (default 100)")
    parser.add_argument("--workers", type=int, default=0, help="lablib grading workers (default: CPU count)")
    parser.add_argument("--live", type=int, default=10_000, help="participants for live scoring (default 10000)")
    parser.add_argument("--live-stages", type=int, default=1, choices=range(1, 6),
                        help="answer files per live participant (default 1: each at their current stage)")
    parser.add_argument("--quick", action="store_true", help="10 submissions and 1,000 live participants")
    parser.add_argument("--keep", action="store_true", help="keep the temporary courses")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.live = min(args.n, 10), min(args.live, 1000)
    workers = args.workers or os.cpu_count() or 1
    os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"

    root = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        print(f"bench_grading: {args.n} submissions over {len(STAGES)} stages, {workers} workers, "
              f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}; in {root}", flush=True)
        snapshot_code(root)
        t = time.perf_counter()
        by_stage = make_course(root / "template", args.n)
        stages = [s.slug for s in STAGES if s.slug in by_stage]
        stock = copy_course(root / "template", root / "stock")
        ours = copy_course(root / "template", root / "lablib")
        print(f"  course built in {time.perf_counter() - t:.1f} s: "
              + ", ".join(f"{s} {len(v)}" for s, v in by_stage.items()), flush=True)

        # Stage by stage, stock then lablib, so that both see the same load from other
        # processes on the machine.
        stock_s = ours_s = stock_cpu = ours_cpu = 0.0
        stock_peak = ours_peak = 0
        stock_stages, ours_stages, reports = [], [], []
        for stage in stages:
            cpu = children_cpu()
            seconds, peak, _ = grade_stock(stock, [stage])
            stock_s, stock_peak, cpu2 = stock_s + seconds, max(stock_peak, peak), children_cpu()
            stock_cpu += cpu2 - cpu
            stock_stages.append(seconds)
            seconds, stage_reports, peak, _ = grade_lablib(ours, [stage], workers)
            ours_s, ours_peak = ours_s + seconds, max(ours_peak, peak)
            ours_cpu += children_cpu() - cpu2
            ours_stages.append(seconds)
            reports += stage_reports
            print(f"  {stage}: stock {stock_stages[-1]:.1f} s, lablib {seconds:.1f} s", flush=True)
        print(f"  stock nbgrader autograde: {stock_s:.1f} s (per stage: "
              + ", ".join(f"{x:.1f}" for x in stock_stages) + ")", flush=True)
        graded = sum(r["graded"] for r in reports)
        failed = [f for r in reports for f in r["failed"]]
        print(f"  lablib grade: {ours_s:.1f} s ({graded} graded, {len(failed)} failed; per stage: "
              + ", ".join(f"{x:.1f}" for x in ours_stages) + ")", flush=True)
        problems = compare(stock, ours, stages)
        again_s, again, _, _ = grade_lablib(ours, stages, workers)
        skipped = sum(r["skipped"] for r in again)
        print(f"  lablib re-grade, nothing changed: {again_s:.2f} s ({skipped} skipped)", flush=True)
        lv = live_benchmark(root, root / "template", args.live, args.live_stages, None)

        self_usage = resource.getrusage(resource.RUSAGE_SELF)
        child_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        n = args.n
        per_stock, per_ours = stock_s / n, ours_s / n
        ratio = stock_s / ours_s if ours_s else float("inf")
        regrade_pct = 100 * again_s / ours_s if ours_s else 0.0
        peak_mb = max(self_usage.ru_maxrss, child_usage.ru_maxrss) / 1024
        tree_mb = ours_peak / 2**20
        def ok(good: bool) -> str:
            return "ok" if good else "MISSED"
        print()
        print(f"Load average during the run: {os.getloadavg()[0]:.1f} (other processes on this machine)")
        print(f"Grading {n} submissions ({', '.join(f'{s} {len(v)}' for s, v in by_stage.items())}), "
              f"{workers} workers, {os.cpu_count()} CPUs")
        print(f"  stock nbgrader autograde  {stock_s:8.1f} s  {per_stock:6.3f} s/submission"
              f"  (CPU {stock_cpu:6.1f} s, {stock_cpu / n:5.2f} s/submission)")
        print(f"  lablib grade              {ours_s:8.1f} s  {per_ours:6.3f} s/submission"
              f"  (CPU {ours_cpu:6.1f} s, {ours_cpu / n:5.2f} s/submission)")
        print(f"  ratio                     {ratio:8.2f}x   (target >= 1.8x: {ok(ratio >= 1.8)})")
        print(f"  scores identical          {'yes' if not problems and not failed else 'NO'}"
              f"  ({len(problems)} differing gradebook rows, {len(failed)} failed)")
        print(f"  unchanged re-grade        {again_s:8.2f} s  = {regrade_pct:4.1f}% of the first grading"
              f"  (target <= 5%: {ok(regrade_pct <= 5)}; {skipped}/{n} skipped)")
        print(f"Live scoring, {lv['files']} answer files ({args.live} participants x {args.live_stages} stage(s))")
        print(f"  cold, no cache            {lv['cold']:8.2f} s  ({1000 * lv['cold'] / max(1, lv['files']):.2f} ms/file;"
              f" CPU {lv['cold_cpu']:.1f} s)"
              f"  (target < 5 s for 10,000 participants: {ok(lv['cold'] < 5) if args.live >= 10_000 else 'n/a'})")
        print(f"  cold, writing disk cache  {lv['cold_disk']:8.2f} s  (imports before it: {lv['imports']:.1f} s)")
        print(f"  new process, unchanged    {lv['refresh_disk']:8.2f} s  (from the disk cache)")
        print(f"  same process, unchanged   {lv['refresh_mem']:8.2f} s")
        print(f"  1% of the files changed   {lv['refresh_changed']:8.2f} s")
        print("Peak memory")
        print(f"  largest process (getrusage, self and children)  {peak_mb:7.0f} MB")
        print(f"  lablib grading, all its processes together      {tree_mb:7.0f} MB  (target < 1024 MB: "
              f"{ok(tree_mb < 1024)}); stock nbgrader: {stock_peak / 2**20:.0f} MB")
        for p in problems[:10]:
            print("  DIFFERENCE", p)
        for f in failed[:10]:
            print("  FAILED", f)
        return 1 if problems or failed else 0
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
