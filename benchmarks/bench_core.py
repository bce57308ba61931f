"""Core speed figures: import cost, a check on a full answers file, an autosave.

Targets (issue 2): `import lablib` imports neither pandas nor matplotlib; a check on a full
answers file < 10 ms; an autosave < 20 ms. For comparison, the same run times the stock way of
checking (nbgrader validate of the released notebook, which starts a kernel) and the stock
way of keeping answers (writing the whole notebook with nbformat).

Run: .venv/bin/python benchmarks/bench_core.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:7.2f} ms   max {max(samples) * 1000:7.2f} ms"


def bench_import() -> tuple[float, list[str]]:
    code = ("import sys, time; t=time.perf_counter(); import lablib; d=time.perf_counter()-t; "
            "import json; print(json.dumps([d, sorted(m for m in sys.modules if m.split('.')[0] in "
            "('pandas','matplotlib','ipywidgets','nbgrader','numpy'))]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    seconds, heavy = json.loads(out)
    return seconds, heavy


def full_answers(stage: str) -> dict:
    from lablib.curriculum.samples import model_answers

    return model_answers(stage)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--no-stock", action="store_true", help="skip the nbgrader validate comparison")
    args = ap.parse_args()

    seconds, heavy = bench_import()
    print(f"import lablib: {seconds * 1000:.1f} ms; heavy modules imported: {heavy or 'none'}")

    from lablib.core.answers import AnswerStore
    from lablib.core.stages import STAGES
    from lablib.curriculum.scoring import score_answers, score_folder

    ok = not heavy
    with tempfile.TemporaryDirectory() as tmp:
        for stage in (s.slug for s in STAGES):
            answers = full_answers(stage)
            if not answers:
                continue
            store = AnswerStore(Path(tmp) / stage, stage)
            store.save(answers)
            score_folder(store.folder, stage)  # warm caches (definitions load once per process)
            check = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                score_folder(store.folder, stage)
                check.append(time.perf_counter() - t)
            save = []
            for i in range(args.repeat):
                answers["_tick"] = i
                t = time.perf_counter()
                store.save(answers)
                save.append(time.perf_counter() - t)
            size = store.path.stat().st_size
            print(f"{stage:9s} answers file {size / 1024:6.1f} KiB | check (read+all checks): {_ms(check)} "
                  f"| autosave: {_ms(save)}")
            ok &= statistics.median(check) < 0.010 and statistics.median(save) < 0.020

        if not args.no_stock:
            import nbformat

            from lablib.notebook.assignments import build_notebook

            nb = build_notebook("diagnose")
            path = Path(tmp) / "diagnose" / "diagnose.ipynb"
            nbformat.write(nb, path)
            writes = []
            for _ in range(50):
                t = time.perf_counter()
                nbformat.write(nb, path)
                writes.append(time.perf_counter() - t)
            print(f"stock: nbformat.write of the whole notebook: {_ms(writes)}")
            env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
            t = time.perf_counter()
            subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "validate", str(path)],
                           capture_output=True, env=env, check=False)
            stock = time.perf_counter() - t
            t = time.perf_counter()
            score_answers("diagnose", full_answers("diagnose"))
            ours = time.perf_counter() - t
            print(f"stock: nbgrader validate (kernel) {stock:.2f} s vs lablib check {ours * 1000:.2f} ms "
                  f"({stock / ours:,.0f}x)")
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
