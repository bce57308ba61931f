"""Grading benchmark: kernel-free ``lablib grade`` against stock ``nbgrader autograde``, and at scale.

    python benchmarks/bench_grading.py                      # 100 submissions; scale 1,000 and 10,000
    python benchmarks/bench_grading.py --n 20 --scale 200   # a quick run
    python benchmarks/bench_grading.py --scale 1000,10000 --postgres   # scale on PostgreSQL too

What it measures, every figure printed with the load average of the machine at that moment
(other processes share it; wall time on a loaded machine says little without CPU time):

1. Side by side on N submissions spread over the five stages (``lablib.curriculum.synthetic``
   answers: model, complete, partial, inconsistent, blank, several OPDs), each tool as the
   command a trainer runs, stage by stage, alternating which tool runs first: stock
   ``nbgrader autograde STAGE``, ``lablib grade STAGE`` (kernel-free, the default) and
   ``lablib grade STAGE --kernels`` (the reference path). Per submission: wall seconds and CPU
   seconds including child processes (kernels, fork server: ``getrusage(RUSAGE_CHILDREN)``),
   and the ratios. Every gradebook row (submission, submitted notebook, grade, comment; every
   column, ids aside) and every autograded notebook (timing metadata aside) is compared with
   stock's, row by row; failures are counted.
2. The unchanged re-grade, as the command (``lablib grade STAGE`` for each stage, nothing
   changed), as a percentage of the first grading; ``lablib grade STAGE --verify 5``'s extra
   cost; several samples of stock ``nbgrader validate`` (an nbgrader process's fixed cost).
3. Scale: ``lablib grade`` on synthetic courses of each ``--scale`` size (one command per
   stage, as a trainer runs them): total wall and CPU seconds, per-submission milliseconds,
   peak memory of the command's process tree, and the unchanged re-grade; on SQLite, and on
   PostgreSQL with ``--postgres`` (a throwaway server from ``tests/postgres_server.py``).

Exit status 1 when a gradebook row or notebook differs or a submission failed.
"""

from __future__ import annotations

import argparse
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

COURSE_ID = "bench-grading"
TIMESTAMP = "2026-08-14 10:00:00.000000 UTC"
BIN = Path(sys.executable).parent
CODE = REPO  # replaced by a frozen snapshot of lablib for the run (see snapshot_code)


def load() -> str:
    return "load {:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg())


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("NBGRADER_EXECUTION", None)
    env["PYTHONPATH"] = f"{CODE}{os.pathsep}{env['PYTHONPATH']}" if env.get("PYTHONPATH") else str(CODE)
    return env


def snapshot_code(root: Path) -> None:
    """Every process of the run (kernels included) imports one frozen copy of lablib, so the
    tools grade with the same code while the working tree changes."""
    global CODE
    CODE = root / "code"
    shutil.copytree(REPO / "lablib", CODE / "lablib", ignore=shutil.ignore_patterns("__pycache__"))


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# -- courses ---------------------------------------------------------------------------------------
def answer_pool(per_stage: int) -> dict[str, list[dict]]:
    """Distinct synthetic answer sets per stage (all profiles, several seeds and OPDs)."""
    from lablib.curriculum.synthetic import PROFILES, synthetic_answers

    return {st.slug: [synthetic_answers(st.slug, PROFILES[i % len(PROFILES)], seed=i) for i in range(per_stage)]
            for st in STAGES}


def make_course(root: Path, n: int, pool: dict[str, list[dict]], db_url: str | None = None) -> dict[str, list[str]]:
    """A course with every stage generated and ``n`` collected submissions round-robin over the
    stages (every seventh one without an answers file); returns stage -> participant ids."""
    write_config(root, course_id=COURSE_ID, db_url=db_url)
    for st in STAGES:
        install_source(root, st.slug)
    api = Course.open(root).api
    for st in STAGES:
        result = api.generate_assignment(st.slug)
        if not result["success"]:
            raise SystemExit(f"generate_assignment {st.slug} failed:\n{result.get('error')}{result.get('log')}")
    release = {st.slug: [(f.name, f.read_bytes()) for f in (root / "release" / st.slug).iterdir()] for st in STAGES}
    by_stage: dict[str, list[str]] = {}
    width = len(str(n))
    for i in range(n):
        stage = STAGES[i % len(STAGES)].slug
        student = f"p{i:0{width}d}"
        folder = root / "submitted" / student / stage
        folder.mkdir(parents=True)
        for name, data in release[stage]:
            (folder / name).write_bytes(data)  # real copies: a hard link is not the participant's own file
        if i % 7 != 6:
            sets = pool[stage]
            save_answers(folder, stage, sets[(i // len(STAGES)) % len(sets)])
        (folder / "timestamp.txt").write_text(TIMESTAMP, encoding="utf-8")
        by_stage.setdefault(stage, []).append(student)
    return by_stage


def copy_course(src: Path, dest: Path, db_url: str | None = None) -> Path:
    shutil.copytree(src, dest, symlinks=True)
    (dest / "lablib-course.json").unlink()
    write_config(dest, course_id=COURSE_ID, db_url=db_url)
    return dest


# -- running and measuring --------------------------------------------------------------------------
class TreeMemory:
    """Samples the summed resident memory of a process and all its descendants."""

    def __init__(self, pid: int, every: float = 0.05):
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


class Run:
    """One command: wall seconds, CPU seconds (its process tree), peak memory, output."""

    def __init__(self, cmd: list[str], cwd: Path, check: bool = True):
        cpu0 = children_cpu()
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            with TreeMemory(proc.pid) as mem:
                self.out, self.err = proc.communicate()
            self.peak = mem.peak
        except ImportError:
            self.out, self.err = proc.communicate()
            self.peak = 0
        self.wall = time.perf_counter() - start
        self.cpu = children_cpu() - cpu0
        self.code = proc.returncode
        if check and proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}\n--- stdout\n{self.out[-3000:]}\n"
                             f"--- stderr\n{self.err[-3000:]}")


def lablib_grade(course: Path, stage: str, *extra: str, check: bool = True) -> Run:
    return Run([str(BIN / "lablib"), "grade", stage, "--course", str(course), *extra], cwd=course, check=check)


def stock_autograde(course: Path, stage: str) -> Run:
    # not checked: stock nbgrader fails a submission whose kernel does not answer in time on a
    # loaded machine; that is counted (and the submission left out of the comparison)
    return Run([str(BIN / "nbgrader"), "autograde", stage], cwd=course, check=False)


def differences(stock: Path, other: Path, stages: list[str]) -> list[str]:
    """Every differing gradebook row (column by column) and autograded notebook."""
    from lablib.course.verify import _normalised, compare, gradebook_snapshot

    problems = []
    a_url, b_url = Course.open(stock).db_url, Course.open(other).db_url
    for stage in stages:
        # the participants stock graded (its failures are counted apart)
        done = sorted(p.parent.name for p in (stock / "autograded").glob(f"*/{stage}"))
        problems += [f"{stage}: {d}" for d in compare(gradebook_snapshot(b_url, stage, done),
                                                      gradebook_snapshot(a_url, stage, done))]
        for folder in sorted((stock / "autograded").glob(f"*/{stage}")):
            mine = other / "autograded" / folder.parent.name / stage
            names = sorted(p.name for p in folder.iterdir())
            if not mine.is_dir() or sorted(p.name for p in mine.iterdir()) != names:
                problems.append(f"{stage}/{folder.parent.name}: autograded files differ")
                continue
            for name in names:
                if name.endswith(".ipynb") and _normalised(folder / name) != _normalised(mine / name):
                    problems.append(f"{stage}/{folder.parent.name}: {name} differs")
    return problems


# -- the parts -------------------------------------------------------------------------------------
def side_by_side(root: Path, n: int, pool: dict, with_kernels: bool, verify_n: int, validate_samples: int) -> dict:
    t = time.perf_counter()
    by_stage = make_course(root / "template", n, pool)
    stages = [s.slug for s in STAGES if s.slug in by_stage]
    tools = {"stock": copy_course(root / "template", root / "stock"),
             "lablib": copy_course(root / "template", root / "lablib")}
    if with_kernels:
        tools["kernels"] = copy_course(root / "template", root / "kernels")
    print(f"[1] {n} submissions ({', '.join(f'{s} {len(v)}' for s, v in by_stage.items())}) built in "
          f"{time.perf_counter() - t:.1f} s; {load()}", flush=True)
    runs: dict[str, list[Run]] = {k: [] for k in tools}
    order = list(tools)
    for i, stage in enumerate(stages):
        turn = order[i % len(order):] + order[:i % len(order)]  # who runs first changes every stage
        for tool in turn:
            r = (stock_autograde(tools[tool], stage) if tool == "stock" else
                 lablib_grade(tools[tool], stage, *(["--kernels"] if tool == "kernels" else []), check=False))
            runs[tool].append(r)
            print(f"    {stage:9s} {tool:7s} {r.wall:7.2f} s wall {r.cpu:7.2f} s CPU  exit {r.code}  {load()}",
                  flush=True)
    fig = {tool: (sum(r.wall for r in rs), sum(r.cpu for r in rs), max(r.peak for r in rs)) for tool, rs in runs.items()}
    failed = {tool: sum(1 for r in rs if r.code != 0) for tool, rs in runs.items()}
    stock_failed = [line for r in runs["stock"] for line in r.err.splitlines() if "There was an error processing" in line]
    diffs = {tool: differences(tools["stock"], tools[tool], stages) for tool in tools if tool != "stock"}

    again = [lablib_grade(tools["lablib"], stage) for stage in stages]
    again_wall, again_cpu = sum(r.wall for r in again), sum(r.cpu for r in again)
    print(f"    unchanged re-grade (command, {len(stages)} stages): {again_wall:.2f} s wall, {again_cpu:.2f} s CPU; "
          f"{load()}", flush=True)
    verify = lablib_grade(tools["lablib"], stages[0], "--verify", str(verify_n), check=False) if verify_n else None
    if verify:
        print(f"    --verify {verify_n} on {stages[0]}: {verify.wall:.1f} s wall, {verify.cpu:.1f} s CPU, exit "
              f"{verify.code}; {load()}", flush=True)
    notebook = next((tools["stock"] / "autograded").glob(f"*/{stages[0]}/{stages[0]}.ipynb"))
    validate = [Run([str(BIN / "nbgrader"), "validate", str(notebook)], cwd=root, check=False)
                for _ in range(validate_samples)]
    return {"n": n, "by_stage": {s: len(v) for s, v in by_stage.items()}, "fig": fig, "failed": failed,
            "stock_failed": stock_failed,
            "diffs": diffs, "again": (again_wall, again_cpu), "verify": verify, "validate": validate, "load": load()}


def scale_run(root: Path, n: int, pool: dict, db_url: str | None, label: str) -> dict:
    t = time.perf_counter()
    course = root / f"scale-{label}-{n}"
    by_stage = make_course(course, n, pool, db_url=db_url)
    built = time.perf_counter() - t
    first = [lablib_grade(course, stage) for stage in by_stage]
    again = [lablib_grade(course, stage) for stage in by_stage]
    graded = sum(int(_count(r.out, "dinilai")) for r in first)
    out = {"n": n, "db": label, "wall": sum(r.wall for r in first), "cpu": sum(r.cpu for r in first),
           "peak": max(r.peak for r in first), "again": sum(r.wall for r in again),
           "again_cpu": sum(r.cpu for r in again), "graded": graded, "built": built, "load": load()}
    print(f"[3] {label:10s} N={n:6d}: {out['wall']:7.1f} s wall, {out['cpu']:7.1f} s CPU, peak "
          f"{out['peak'] / 2**20:6.0f} MB, re-grade {out['again']:.2f} s; {graded} graded; built in {built:.0f} s; "
          f"{out['load']}", flush=True)
    shutil.rmtree(course, ignore_errors=True)
    return out


def _count(text: str, word: str) -> int:
    import re

    m = re.search(rf"(\d+) {word}", text)
    return int(m.group(1)) if m else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100, help="submissions for the side-by-side run (default 100)")
    parser.add_argument("--scale", default="1000,10000", help="sizes for the scale runs, comma-separated ('' none)")
    parser.add_argument("--postgres", action="store_true", help="scale runs on PostgreSQL too")
    parser.add_argument("--postgres-only", action="store_true", help="scale runs on PostgreSQL only")
    parser.add_argument("--no-kernels", action="store_true", help="leave out the --kernels path")
    parser.add_argument("--verify", type=int, default=5, help="the --verify sample (default 5; 0: none)")
    parser.add_argument("--validate-samples", type=int, default=3, help="stock 'nbgrader validate' samples")
    parser.add_argument("--keep", action="store_true", help="keep the temporary courses")
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.scale.split(",") if x.strip()]
    os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"

    root = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    server = None
    try:
        print(f"bench_grading: {os.cpu_count()} CPUs; {load()}; in {root}", flush=True)
        snapshot_code(root)
        pool = answer_pool(24)
        side = side_by_side(root, args.n, pool, not args.no_kernels, args.verify, args.validate_samples) \
            if args.n else None
        scale = []
        for n in sizes if not args.postgres_only else ():
            scale.append(scale_run(root, n, pool, None, "SQLite"))
        if (args.postgres or args.postgres_only) and sizes:
            sys.path.insert(0, str(REPO / "tests"))
            from postgres_server import PostgresServer

            server = PostgresServer()
            server.start()
            for n in sizes:
                scale.append(scale_run(root, n, pool, server.create_database(), "PostgreSQL"))
        return report(side, scale)
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def report(side: dict | None, scale: list[dict]) -> int:
    bad = False
    print()
    if side:
        n = side["n"]
        stock_wall, stock_cpu, stock_peak = side["fig"]["stock"]
        print(f"Side by side, {n} submissions over the five stages ({side['load']} at the end)")
        print(f"  {'':28s} {'wall s':>8s} {'s/subm.':>8s} {'CPU s':>8s} {'CPU/subm.':>9s} {'peak MB':>8s}")
        for tool, label in (("stock", "stock nbgrader autograde"), ("kernels", "lablib grade --kernels"),
                            ("lablib", "lablib grade (kernel-free)")):
            if tool in side["fig"]:
                wall, cpu, peak = side["fig"][tool]
                print(f"  {label:28s} {wall:8.2f} {wall / n:8.4f} {cpu:8.2f} {cpu / n:9.4f} {peak / 2**20:8.0f}")
        wall, cpu, _ = side["fig"]["lablib"]
        rw, rc = stock_wall / wall, stock_cpu / cpu if cpu else float("inf")
        print(f"  kernel-free vs stock: {rw:.0f}x wall, {rc:.0f}x CPU per submission (target >= 50x: "
              f"{'ok' if min(rw, rc) >= 50 else 'MISSED'})")
        if "kernels" in side["fig"]:
            kw, kc, _ = side["fig"]["kernels"]
            print(f"  --kernels vs stock:   {stock_wall / kw:.2f}x wall, {stock_cpu / kc:.2f}x CPU")
        print(f"  stock nbgrader autograde: {len(side['stock_failed'])} submissions failed "
              f"({'; '.join(x.split('] ')[-1] for x in side['stock_failed'][:3])})")
        for tool, diffs in side["diffs"].items():
            print(f"  {tool}: {len(diffs)} differing gradebook rows or notebooks, {side['failed'][tool]} failed "
                  f"stage runs")
            for d in diffs[:10]:
                print("    DIFFERENCE", d)
            bad = bad or bool(diffs) or bool(side["failed"][tool])
        aw, ac = side["again"]
        print(f"  unchanged re-grade (the command): {aw:.2f} s wall, {ac:.2f} s CPU = {100 * aw / wall:.1f}% of the "
              f"first grading's wall, {100 * ac / cpu:.1f}% of its CPU (target <= 2%: "
              f"{'ok' if aw <= 0.02 * wall else 'above'}; at this N mostly process start; see the scale table)")
        if side["verify"]:
            v = side["verify"]
            print(f"  --verify on one stage: {v.wall:.1f} s wall, {v.cpu:.1f} s CPU (exit {v.code})")
            bad = bad or v.code != 0
        if side["validate"]:
            print("  stock 'nbgrader validate' samples: " + ", ".join(f"{r.wall:.2f} s wall/{r.cpu:.2f} s CPU"
                                                                    for r in side["validate"]))
    if scale:
        print("Scale: kernel-free 'lablib grade', one command per stage")
        print(f"  {'database':10s} {'N':>6s} {'wall s':>8s} {'CPU s':>8s} {'wall ms/s.':>10s} {'CPU ms/s.':>9s} "
              f"{'peak MB':>8s} {'re-grade wall s':>15s} {'CPU s':>6s} {'% wall':>6s} {'% CPU':>6s}  load")
        for s in scale:
            print(f"  {s['db']:10s} {s['n']:6d} {s['wall']:8.1f} {s['cpu']:8.1f} {1000 * s['wall'] / s['n']:10.1f} "
                  f"{1000 * s['cpu'] / s['n']:9.1f} {s['peak'] / 2**20:8.0f} {s['again']:15.2f} {s['again_cpu']:6.2f} "
                  f"{100 * s['again'] / s['wall']:6.1f} {100 * s['again_cpu'] / s['cpu']:6.1f}  {s['load']}")
            bad = bad or s["graded"] != s["n"]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
