"""``lablib grade --verify N``: a sample re-graded by stock ``nbgrader autograde``, every row compared.

Kernel-free grading (``lablib.course.direct``) promises what nbgrader leaves. ``verify`` checks
the promise on the course itself: it picks ``n`` graded participants at random, builds a scratch
copy of the course (its ``nbgrader_config.py``, the stage's ``source/`` and ``release/``, their
submissions, and a SQLite copy of the gradebook rows of the stage and of those participants,
whatever the course's database), runs stock ``nbgrader autograde STAGE --force`` there (a
real nbgrader process, real kernels, the course's own protections) and compares, for each
participant, every gradebook row nbgrader writes: the submission (``timestamp``,
``extension``), each submitted notebook (``late_submission_penalty``, ``flagged``), each grade
(``auto_score``, ``manual_score``, ``extra_credit``, ``needs_manual_grade``) and each comment
(``auto_comment``, ``manual_comment``), matched by name (row ids differ by design), and the
autograded notebooks (outputs and cells; the kernel's timing metadata aside). Any difference
is one ``Difference`` naming the participant, the table, the column and both values.

Because the copy starts from the gradebook as lablib left it, nbgrader re-grades on top of it,
exactly as a trainer's ``nbgrader autograde --force`` would: every value lablib wrote is
recomputed by nbgrader, and a row lablib failed to create makes nbgrader fail (reported).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from lablib.core.stages import get_stage
from lablib.course.course import Course

__all__ = ["Difference", "VerifyReport", "gradebook_snapshot", "verify"]

# The columns of each row nbgrader's autograde writes, compared one by one.
COLUMNS = {
    "submitted_assignment": ("timestamp", "extension"),
    "submitted_notebook": ("late_submission_penalty", "flagged"),
    "grade": ("auto_score", "manual_score", "extra_credit", "needs_manual_grade"),
    "comment": ("auto_comment", "manual_comment"),
}


@dataclass(frozen=True)
class Difference:
    student: str
    table: str
    column: str
    key: str  # which row: the notebook and cell name
    lablib: object
    nbgrader: object

    def __str__(self) -> str:
        return (f"{self.student}: tabel {self.table}, kolom {self.column} ({self.key}): lablib {self.lablib!r}, "
                f"nbgrader {self.nbgrader!r}")


@dataclass(frozen=True)
class VerifyReport:
    stage: str
    students: tuple[str, ...]
    differences: tuple[Difference, ...]
    seconds: float
    problem: str = ""  # stock nbgrader could not re-grade the sample (its own message)

    @property
    def ok(self) -> bool:
        return not self.differences and not self.problem

    def summary(self) -> str:
        who = ", ".join(self.students) or "-"
        if self.ok:
            return (f"Verifikasi {self.stage}: {len(self.students)} pengumpulan ({who}) dinilai ulang dengan "
                    f"'nbgrader autograde': semua baris gradebook dan notebook sama ({self.seconds:.1f} detik).")
        lines = [f"VERIFIKASI GAGAL {self.stage}: hasil lablib berbeda dari 'nbgrader autograde' untuk "
                 f"{len({d.student for d in self.differences}) or len(self.students)} pengumpulan ({who}). Nilai di "
                 f"gradebook perlu diperiksa: jalankan 'lablib grade {self.stage} --kernels --force' untuk menilai "
                 f"ulang lewat kernel, dan laporkan perbedaan ini."]
        if self.problem:
            lines.append(f"  {self.problem}")
        lines += [f"  BEDA {d}" for d in self.differences[:50]]
        if len(self.differences) > 50:
            lines.append(f"  … dan {len(self.differences) - 50} perbedaan lain")
        return "\n".join(lines)


def gradebook_snapshot(url: str, stage: str, students: list[str] | None = None) -> dict[tuple, dict]:
    """``{(student, table, key): {column: value}}`` of every row autograde writes for ``stage``
    (``students``: only theirs), read with SQLAlchemy alone (any database)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, future=True)
    out: dict[tuple, dict] = {}
    try:
        with engine.connect() as conn:
            where = "a.name = :stage"
            params: dict = {"stage": stage}
            rows = conn.execute(text(
                f"SELECT sa.id, sa.student_id, sa.timestamp, sa.extension FROM submitted_assignment sa "
                f"JOIN assignment a ON a.id = sa.assignment_id WHERE {where}"), params).fetchall()
            wanted = set(students) if students is not None else None
            subs = {r[0]: r[1] for r in rows if wanted is None or r[1] in wanted}
            for r in rows:
                if r[0] in subs:
                    out[(r[1], "submitted_assignment", "")] = {"timestamp": _value(r[2], "timestamp"),
                                                                "extension": _value(r[3], "interval")}
            if not subs:
                return out
            nbs = {}
            for snid, said, name, penalty, flagged in conn.execute(text(
                    "SELECT sn.id, sn.assignment_id, n.name, sn.late_submission_penalty, sn.flagged "
                    "FROM submitted_notebook sn JOIN notebook n ON n.id = sn.notebook_id "
                    "JOIN submitted_assignment sa ON sa.id = sn.assignment_id JOIN assignment a ON a.id = sa.assignment_id "
                    f"WHERE {where}"), params):
                if said in subs:
                    nbs[snid] = (subs[said], name)
                    out[(subs[said], "submitted_notebook", name)] = {"late_submission_penalty": _value(penalty),
                                                                     "flagged": bool(flagged)}
            for table, cols in (("grade", COLUMNS["grade"]), ("comment", COLUMNS["comment"])):
                for row in conn.execute(text(
                        f"SELECT t.notebook_id, c.name, {', '.join('t.' + c for c in cols)} FROM {table} t "
                        f"JOIN base_cell c ON c.id = t.cell_id JOIN submitted_notebook sn ON sn.id = t.notebook_id "
                        f"JOIN submitted_assignment sa ON sa.id = sn.assignment_id "
                        f"JOIN assignment a ON a.id = sa.assignment_id WHERE {where}"), params):
                    if row[0] in nbs:
                        student, nb = nbs[row[0]]
                        values = {c: _value(v) for c, v in zip(cols, row[2:])}
                        if "needs_manual_grade" in values:
                            values["needs_manual_grade"] = bool(values["needs_manual_grade"])
                        out[(student, table, f"{nb}/{row[1]}")] = values
    finally:
        engine.dispose()
    return out


def _value(v, kind: str = ""):
    """A column value comparable across SQLite and PostgreSQL: a date or an interval as text
    (SQLite returns SQLAlchemy's stored text, an interval as a moment after the epoch)."""
    import datetime as dt

    if v is None or isinstance(v, (int, float, bool)):
        return v
    if kind == "timestamp":
        return str(v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(str(v)))
    if kind == "interval":
        return str(v if isinstance(v, dt.timedelta) else dt.datetime.fromisoformat(str(v)) - dt.datetime(1970, 1, 1))
    return v if isinstance(v, str) else str(v)


def compare(ours: dict[tuple, dict], stock: dict[tuple, dict]) -> list[Difference]:
    diffs = []
    for key in sorted(set(ours) | set(stock), key=str):
        student, table, which = key
        a, b = ours.get(key), stock.get(key)
        if a is None or b is None:
            diffs.append(Difference(student, table, "(baris)", which or "-", "ada" if a else "tidak ada",
                                    "ada" if b else "tidak ada"))
            continue
        for column in a:
            if a[column] != b.get(column):
                diffs.append(Difference(student, table, column, which or "-", a[column], b.get(column)))
    return diffs


def _notebook_differences(course_dir: Path, scratch: Path, course: Course, stage: str,
                          students: list[str]) -> list[Difference]:
    diffs = []
    for student in students:
        ours_dir = course.path("autograded", student, stage)
        stock_dir = scratch / ours_dir.relative_to(course_dir)
        a = sorted(p.name for p in ours_dir.iterdir()) if ours_dir.is_dir() else []
        b = sorted(p.name for p in stock_dir.iterdir()) if stock_dir.is_dir() else []
        if a != b:
            diffs.append(Difference(student, "autograded", "berkas", stage, a, b))
            continue
        for name in a:
            if name.endswith(".ipynb") and _normalised(ours_dir / name) != _normalised(stock_dir / name):
                diffs.append(Difference(student, "autograded", "notebook", f"{stage}/{name}", "berbeda", "berbeda"))
    return diffs


def _normalised(path: Path) -> object:
    """A notebook minus the kernel's timing metadata, one print burst per stream."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for cell in nb.get("cells", []):
        cell.get("metadata", {}).pop("execution", None)
        merged: list = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                out = {**out, "text": "".join(out["text"]) if isinstance(out["text"], list) else out["text"]}
                if merged and merged[-1].get("output_type") == "stream" and merged[-1]["name"] == out["name"]:
                    out = {**out, "text": merged.pop()["text"] + out["text"]}
            merged.append(out)
        if "outputs" in cell:
            cell["outputs"] = merged
    return nb


def _copy_rows(source_url: str, target_url: str, stage: str, students: list[str]) -> None:
    """The stage's rows and the sample's submissions, copied into a new SQLite gradebook."""
    from nbgrader.api import Base, Gradebook
    from sqlalchemy import create_engine, select

    from lablib.course.folder import ensure_tools_on_path

    ensure_tools_on_path()  # nbgrader runs `alembic` to create a gradebook
    with Gradebook(target_url):
        pass  # nbgrader creates its tables
    t = Base.metadata.tables
    src, dst = create_engine(source_url, future=True), create_engine(target_url, future=True)
    try:
        with src.connect() as s, dst.begin() as d:
            def copy(table: str, where) -> list:
                rows = [dict(r._mapping) for r in s.execute(select(t[table]).where(where))]
                if rows:
                    d.execute(t[table].delete().where(t[table].c.id.in_([r["id"] for r in rows])))
                    d.execute(t[table].insert(), rows)
                return rows

            assignment = copy("assignment", t["assignment"].c.name == stage)
            if not assignment:
                return
            copy("course", t["course"].c.id.in_([a["course_id"] for a in assignment]))
            notebooks = [r["id"] for r in copy("notebook", t["notebook"].c.assignment_id == assignment[0]["id"])]
            cells = [r["id"] for r in copy("base_cell", t["base_cell"].c.notebook_id.in_(notebooks))]
            for table in ("grade_cells", "solution_cells", "task_cells"):
                copy(table, t[table].c.id.in_(cells))
            copy("source_cell", t["source_cell"].c.notebook_id.in_(notebooks))
            copy("student", t["student"].c.id.in_(students))
            subs = [r["id"] for r in copy("submitted_assignment",
                                          (t["submitted_assignment"].c.assignment_id == assignment[0]["id"])
                                          & t["submitted_assignment"].c.student_id.in_(students))]
            snids = [r["id"] for r in copy("submitted_notebook", t["submitted_notebook"].c.assignment_id.in_(subs))]
            copy("grade", t["grade"].c.notebook_id.in_(snids))
            copy("comment", t["comment"].c.notebook_id.in_(snids))
    finally:
        src.dispose()
        dst.dispose()


def sample(course: Course, stage: str, n: int, seed: int | None = None) -> list[str]:
    """``n`` participants picked at random among those graded (autograded notebook present)."""
    graded = course.students_in("autograded", stage)
    return sorted(random.Random(seed).sample(graded, min(n, len(graded))))


def verify(course: Course | str | os.PathLike, stage: str, n: int, *, seed: int | None = None,
           students: list[str] | None = None) -> VerifyReport:
    """Re-grade ``n`` random graded submissions (or ``students``) with stock ``nbgrader
    autograde`` in a scratch copy and compare every row; see the module docstring."""
    started = time.perf_counter()
    course = Course.of(course)
    stage = get_stage(stage).slug
    chosen = sorted(students) if students is not None else sample(course, stage, n, seed)
    if not chosen:
        return VerifyReport(stage, (), (), 0.0)
    scratch = Path(tempfile.mkdtemp(prefix="lablib-verify-"))
    try:
        root = course.root
        shutil.copy2(root / "nbgrader_config.py", scratch / "nbgrader_config.py")
        if (root / "lablib-course.json").is_file():
            shutil.copy2(root / "lablib-course.json", scratch / "lablib-course.json")
        folders = [course.path("source", ".", stage), course.path("release", ".", stage)]
        folders += [course.path("submitted", s, stage) for s in chosen]
        for folder in folders:
            if folder.is_dir():
                shutil.copytree(folder, scratch / folder.relative_to(root), symlinks=True)
        url = f"sqlite:///{scratch / 'gradebook.db'}"
        _copy_rows(course.db_url, url, stage, chosen)
        bindir = str(Path(sys.executable).parent)
        env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
        env.pop("NBGRADER_EXECUTION", None)
        done = subprocess.run([os.path.join(bindir, "nbgrader"), "autograde", stage, "--force",
                               f"--CourseDirectory.db_url={url}", f"--CourseDirectory.root={scratch}"],
                              cwd=scratch, env=env, capture_output=True, text=True, check=False)
        problem = ""
        if done.returncode != 0:
            last = [line for line in done.stderr.splitlines() if "error" in line.lower()][-3:]
            problem = f"nbgrader autograde keluar dengan kode {done.returncode}: {' | '.join(last)[:600]}"
        differences = compare(gradebook_snapshot(course.db_url, stage, chosen), gradebook_snapshot(url, stage, chosen))
        differences += _notebook_differences(root, scratch, course, stage, chosen)
        return VerifyReport(stage, tuple(chosen), tuple(differences), round(time.perf_counter() - started, 2), problem)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
