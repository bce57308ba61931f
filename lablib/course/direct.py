"""Kernel-free grading: what ``nbgrader autograde`` leaves, computed in this process.

The course's protections (``lablib.course.protections``) rebuild every submitted notebook from
the released one and keep only the answers file, so no participant code ever runs in a grading
kernel: the kernel only recomputes what lablib can compute directly. This engine does that
directly, for one submission in a few milliseconds instead of a kernel's seconds, and leaves
what nbgrader's ``Autograde`` converter with the course's preprocessors leaves:

- the grading copy ``autograded/<student>/<stage>/``: the submission's other files (nbgrader's
  copy, with ``CourseDirectory.ignore``), the course's files from ``source/<stage>/`` over them,
  then only the allow-list (``lablib.course.grading_copy``, shared with ``KeepOnlyCourseFiles``),
  unknown answer keys removed; files read-only (444) as nbgrader sets them;
- each notebook: the released cells, the submitted notebook's metadata with the gradebook's
  kernelspec and the kernel's ``language_info``, and every code cell's outputs and execution
  count rendered by the functions the cells call (``lablib.notebook.headless``). Only the
  kernel's timing metadata (``metadata.execution``) is absent: nothing was executed;
- the gradebook: the student and the submission (created as ``Gradebook.add_submission`` does,
  with every notebook, grade and comment row), the timestamp from ``timestamp.txt``, a zero
  for each notebook not submitted, each test cell's ``auto_score`` read from its output as
  ``nbgrader.utils.determine_grade`` reads it, ``needs_manual_grade`` as ``SaveAutoGrades``
  sets it (manual grades are never touched), task comments reset, and the late penalty as
  ``AssignLatePenalties`` with nbgrader's ``LateSubmissionPlugin`` assigns it. The rows of a
  chunk of submissions are written in one transaction (``lablib.course.direct_rows``).

What it cannot reproduce exactly it does not attempt. ``stage_plan`` returns a reason instead
of a plan when the course is set up differently from what the engine reproduces (other
preprocessors, a late-penalty plugin, a notebook cell lablib does not generate, ...): the whole
stage is then graded in kernels. ``prepare`` raises ``Delegate`` for one submission that is
unusual (a link or special file in it, a notebook of another format, a bad timestamp, a check
that raised or wrote to stderr, ...): that submission is graded in a kernel, through nbgrader's
own converter, which is the reference. ``lablib grade --verify N`` re-grades a sample through
stock ``nbgrader autograde`` and compares every gradebook row (``lablib.course.verify``).

This module never imports nbgrader, nbformat or (for a SQLite gradebook) SQLAlchemy: their
imports cost more CPU per process than grading a hundred submissions here.
"""

from __future__ import annotations

import datetime as _dt
import glob
import json
import os
import shutil
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from lablib.core.files import irregular_entries
from lablib.core.stages import get_stage
from lablib.core.timestamps import parse_utc
from lablib.course.course import Course
from lablib.course.grading_copy import allowed_in, strip_unknown_keys
from lablib.notebook.headless import Call, CellError, parse_cell, run_cell

__all__ = ["AUTOGRADE_STEPS", "SANITIZE_STEPS", "Delegate", "Prepared", "StagePlan", "kernel_free_problem",
           "prepare", "stage_plan"]

# The grading steps this engine reproduces: nbgrader 0.9's defaults with lablib's protections,
# exactly as ``lablib.course.folder.write_config`` writes them (a test compares the two).
SANITIZE_STEPS = (
    "nbgrader.preprocessors.clearoutput.ClearOutput",
    "nbgrader.preprocessors.deduplicateids.DeduplicateIds",
    "nbgrader.preprocessors.overwritekernelspec.OverwriteKernelspec",
    "lablib.protections.RestoreCourseCells",
    "nbgrader.preprocessors.overwritecells.OverwriteCells",
    "nbgrader.preprocessors.checkcellmetadata.CheckCellMetadata",
)
AUTOGRADE_STEPS = (
    "lablib.protections.KeepOnlyCourseFiles",
    "nbgrader.preprocessors.execute.Execute",
    "nbgrader.preprocessors.ignorepattern.IgnorePattern",
    "nbconvert.preprocessors.clearmetadata.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.limitoutput.LimitOutput",
    "nbgrader.preprocessors.saveautogrades.SaveAutoGrades",
    "nbgrader.preprocessors.latesubmissions.AssignLatePenalties",
    "nbgrader.preprocessors.checkcellmetadata.CheckCellMetadata",
)
PERMISSIONS = 0o444  # nbgrader's Autograde.permissions default (no groupshared course)
MAX_OUTPUT_LINES = 1000  # nbgrader's LimitOutput.max_lines: a longer output goes to a kernel
# What the kernel reports as the notebook's language_info (ipykernel's IPythonKernel); the
# grading kernel is this interpreter (the course's python3 kernelspec)
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": sys.version_info[0]},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": f"ipython{sys.version_info[0]}",
    "version": sys.version.split()[0],
}
# What nbformat's writer drops (``strip_transient``)
_TRANSIENT_NB = ("orig_nbformat", "orig_nbformat_minor", "signature")


class Delegate(Exception):
    """This submission is graded in a kernel (the reference path); the message says why."""


# -- the plan of a stage -------------------------------------------------------------------
@dataclass(frozen=True)
class _Notebook:
    name: str  # without .ipynb
    db_id: str
    kernelspec: dict | None
    nbformat_minor: int
    cells: tuple[dict, ...]  # the released cells, sources joined into strings
    calls: tuple[tuple[Call, ...] | None, ...]  # per cell: the calls of a code cell, else None
    grade_cells: dict[str, float]  # grade_id -> max score (from the gradebook), code grade cells
    markdown_grades: frozenset[str]  # grade cells that are markdown: no automatic score
    task_cells: frozenset[str]


@dataclass(frozen=True)
class StagePlan:
    """What grading one stage needs, read once per batch."""

    stage: str
    answers_filename: str
    assignment_id: str
    duedate: _dt.datetime | None  # naive UTC, as nbgrader stores it
    notebooks: dict[str, _Notebook]  # released notebooks, by name
    db_notebooks: dict[str, str]  # every notebook of the assignment in the gradebook: name -> id
    db_cells: dict[str, tuple[tuple[str, str, str], ...]]  # notebook id -> (cell id, name, kind)
    allowed: frozenset[str]
    source_files: tuple[tuple[str, str], ...]  # (relative path, absolute path) copied over the copy
    ignore: tuple[str, ...]
    penalty_method: str  # "none" or "zero" (nbgrader's LateSubmissionPlugin)


def _setting(config, section: str, name: str, default=None):
    values = config[section] if section in config else {}
    return values.get(name, default) if hasattr(values, "get") else default


def kernel_free_problem(course: Course) -> str | None:
    """Why this course's grading cannot be reproduced without kernels (``None``: it can)."""
    config = course.config
    if tuple(_setting(config, "Autograde", "sanitize_preprocessors", ()) or ()) != SANITIZE_STEPS or \
            tuple(_setting(config, "Autograde", "autograde_preprocessors", ()) or ()) != AUTOGRADE_STEPS:
        return "langkah penilaian (preprocessor) di nbgrader_config.py bukan susunan lablib"
    if _setting(config, "Autograde", "create_student", True) is not True:
        return "Autograde.create_student dimatikan"
    for section, name in (("AssignLatePenalties", "plugin_class"), ("CourseDirectory", "student_id_exclude"),
                          ("ClearMetadataPreprocessor", "enabled"), ("LimitOutput", "max_lines"),
                          ("LimitOutput", "max_traceback"), ("Autograde", "permissions"),
                          ("BaseConverter", "permissions"), ("NbGraderPreprocessor", "enabled")):
        if _setting(config, section, name) not in (None, False, ""):
            return f"{section}.{name} diatur di nbgrader_config.py"
    for section in ("Execute", "ExecutePreprocessor", "NotebookClient"):
        if _setting(config, section, "kernel_name"):  # another kernel may run other code than this process
            return f"{section}.kernel_name diatur di nbgrader_config.py"
    if _setting(config, "CourseDirectory", "groupshared"):
        return "CourseDirectory.groupshared diatur"
    if _setting(config, "CourseDirectory", "notebook_id") not in (None, "*"):
        return "CourseDirectory.notebook_id diatur"
    if _setting(config, "LateSubmissionPlugin", "penalty_method", "none") not in ("none", "zero"):
        return "LateSubmissionPlugin.penalty_method tidak dikenal"
    return None


def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else (value or "")


def _release_notebooks(course: Course, stage: str) -> dict[str, dict]:
    """The released notebooks of ``stage`` (``release/``, else ``source/``), as JSON."""
    for step in ("release", "source"):
        folder = course.path(step, ".", stage)
        found = sorted(folder.glob("*.ipynb")) if folder.is_dir() else []
        if found:
            return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in found}
    return {}


def stage_plan(course: Course, stage: str, gradebook) -> StagePlan | str:
    """The plan for grading ``stage`` without kernels, or why it cannot be done (a sentence in
    Indonesian: the stage is then graded in kernels). ``gradebook``: a
    ``lablib.course.direct_rows.Gradebook``."""
    from lablib.course.direct_rows import as_datetime, in_list

    problem = kernel_free_problem(course)
    if problem:
        return problem
    st = get_stage(stage)
    released = _release_notebooks(course, stage)
    if not released:
        return "notebook rilis tidak ditemukan"
    with gradebook.transaction() as tx:
        row = tx.rows("SELECT id, duedate FROM assignment WHERE name = :n", {"n": stage})
        if not row:
            return "tahap belum ada di gradebook"
        assignment_id, duedate = row[0][0], as_datetime(row[0][1])
        db_notebooks = {name: (nb_id, spec) for nb_id, name, spec in tx.rows(
            "SELECT id, name, kernelspec FROM notebook WHERE assignment_id = :a", {"a": assignment_id})}
        ids = [v[0] for v in db_notebooks.values()]
        marks, params = in_list(ids, "n")
        cells: dict[str, list[tuple[str, str, str]]] = {i: [] for i in ids}
        grade_info: dict[tuple[str, str], tuple[float, str]] = {}
        for cid, name, nb_id, max_score, cell_type in tx.rows(
                f"SELECT b.id, b.name, b.notebook_id, g.max_score, g.cell_type FROM base_cell b "
                f"JOIN grade_cells g ON g.id = b.id WHERE b.notebook_id IN ({marks})", params):
            cells[nb_id].append((cid, name, "grade"))
            grade_info[(nb_id, name)] = (float(max_score), cell_type)
        for kind, table in (("task", "task_cells"), ("solution", "solution_cells")):
            for cid, name, nb_id in tx.rows(f"SELECT b.id, b.name, b.notebook_id FROM base_cell b JOIN {table} t "
                                            f"ON t.id = b.id WHERE b.notebook_id IN ({marks})", params):
                cells[nb_id].append((cid, name, kind))
    if any(kind == "solution" for rows in cells.values() for _, _, kind in rows):
        return "notebook berisi sel jawaban (solution) nbgrader"
    notebooks: dict[str, _Notebook] = {}
    for name, doc in released.items():
        if name not in db_notebooks:
            continue  # nbgrader skips a notebook the gradebook does not know
        nb_id, spec = db_notebooks[name]
        kernel = (json.loads(spec) if spec else doc.get("metadata", {}).get("kernelspec") or {}).get("name")
        if kernel not in (None, "python3"):  # nbgrader would run it in that kernel, not in this Python
            return f"{name}.ipynb memakai kernel {kernel!r}"
        plan = _notebook_plan(name, nb_id, spec, doc, grade_info, {n for _, n, k in cells[nb_id] if k == "task"})
        if isinstance(plan, str):
            return f"{name}.ipynb: {plan}"
        notebooks[name] = plan
    if not notebooks:
        return "notebook rilis tidak ada di gradebook"
    ignore = tuple(str(p) for p in (_setting(course.config, "CourseDirectory", "ignore", None)
                                    or [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]))
    exclude = set(_setting(course.config, "Autograde", "exclude_overwriting", {}).get(stage, []))
    source = course.path("source", ".", stage)
    source_files = tuple(sorted((os.path.relpath(f, source), f)
                                for f in find_all_files(str(source), [*ignore, "*.ipynb"])
                                if os.path.relpath(f, source) not in exclude))
    return StagePlan(
        stage=stage, answers_filename=st.answers_filename, assignment_id=assignment_id, duedate=duedate,
        notebooks=notebooks, db_notebooks={n: v[0] for n, v in db_notebooks.items()},
        db_cells={k: tuple(v) for k, v in cells.items()},
        allowed=frozenset(allowed_in([course.path("source", ".", stage), course.path("release", ".", stage)], stage)),
        source_files=source_files, ignore=ignore,
        penalty_method=str(_setting(course.config, "LateSubmissionPlugin", "penalty_method", "none")))


def _notebook_plan(name: str, nb_id: str, spec: str | None, doc: dict,
                   grade_info: dict[tuple[str, str], tuple[float, str]], task_names: set[str]) -> _Notebook | str:
    if not isinstance(doc, dict) or doc.get("nbformat") != 4 or not isinstance(doc.get("cells"), list):
        return "format notebook rilis tidak dikenal"
    cells, calls = [], []
    grades: dict[str, float] = {}
    markdown_grades: set[str] = set()
    imported = False
    for cell in doc["cells"]:
        cell = dict(cell)
        cell["source"] = _joined(cell.get("source"))
        if isinstance(cell.get("metadata"), dict):  # nbformat's writer drops it (strip_transient)
            cell["metadata"] = {k: v for k, v in cell["metadata"].items() if k != "trusted"}
        meta = (cell.get("metadata") or {}).get("nbgrader") or {}
        if meta.get("solution"):
            return "sel jawaban (solution)"
        if cell.get("cell_type") == "code":
            parsed = parse_cell(cell["source"])
            if parsed is None:
                return f"sel kode yang bukan buatan lablib: {cell['source'][:60]!r}"
            if any(c.name != "import" for c in parsed) and not imported and \
                    not any(c.name == "import" for c in parsed):
                return "sel memanggil lablib sebelum 'import lablib'"
            imported = imported or any(c.name == "import" for c in parsed)
            calls.append(parsed)
        else:
            calls.append(None)
        if meta.get("grade"):
            gid = meta.get("grade_id")
            if (nb_id, gid) not in grade_info:
                return f"sel nilai {gid!r} tidak ada di gradebook"
            max_score, cell_type = grade_info[(nb_id, gid)]
            if cell.get("cell_type") == "code":
                grades[gid] = max_score
            else:
                markdown_grades.add(gid)
        if meta.get("task") and meta.get("grade_id") not in task_names:
            return f"sel tugas {meta.get('grade_id')!r} tidak ada di gradebook"
        cells.append(cell)
    return _Notebook(name=name, db_id=nb_id, kernelspec=json.loads(spec) if spec else None,
                     nbformat_minor=int(doc.get("nbformat_minor", 0)), cells=tuple(cells), calls=tuple(calls),
                     grade_cells=grades, markdown_grades=frozenset(markdown_grades),
                     task_cells=frozenset(task_names))


# -- nbgrader's file rules, without nbgrader -----------------------------------------------
def find_all_files(path: str, exclude: list[str]) -> list[str]:
    """``nbgrader.utils.find_all_files``: every file under ``path`` except those matching a glob
    of ``exclude`` and those in a folder that matches one. Matched as nbgrader matches
    (``is_ignored``: ``glob`` in the entry's own folder, so a hidden name only matches a
    pattern that starts with a dot)."""
    globbed: dict[str, set[str]] = {}

    def ignored(name: str) -> bool:
        folder = os.path.dirname(name)
        if folder not in globbed:
            globbed[folder] = _glob_all(folder, exclude)
        return name in globbed[folder]

    files: list[str] = []
    to_skip: list[str] = []
    for dirname, dirnames, filenames in os.walk(path):
        if ignored(dirname) or dirname in to_skip:
            to_skip.extend(os.path.join(dirname, x) for x in dirnames)
            continue
        files.extend(full for full in (os.path.join(dirname, f) for f in filenames) if not ignored(full))
    return files


def _glob_all(folder: str, patterns: list[str]) -> set[str]:
    """``{p for expr in patterns for p in glob.glob(os.path.join(folder, expr))}`` with one
    listing of ``folder`` instead of one per pattern: ``glob`` matches a name with ``fnmatch``,
    a hidden name only when the pattern starts with a dot, and a pattern without wildcards by
    existence (``lexists``)."""
    import fnmatch

    if any(os.sep in p or (os.altsep and os.altsep in p) for p in patterns):
        return {p for expr in patterns for p in glob.glob(os.path.join(folder, expr))}
    try:
        names = os.listdir(folder or ".")
    except OSError:
        return set()
    found: set[str] = set()
    for expr in patterns:
        if glob.has_magic(expr):
            found.update(os.path.join(folder, n) for n in fnmatch.filter(names, expr)
                         if not n.startswith(".") or expr.startswith("."))
        elif expr in names:
            found.add(os.path.join(folder, expr))
    return found


def _split_lines(nb: dict) -> dict:
    """nbformat's ``split_lines``: multi-line strings stored as lists of lines."""
    for cell in nb["cells"]:
        if cell.get("source") and isinstance(cell["source"], str):
            cell["source"] = cell["source"].splitlines(True)
        for output in cell.get("outputs", ()):
            if output["output_type"] in ("execute_result", "display_data"):
                for key, value in output.get("data", {}).items():
                    if key != "application/json" and not key.endswith("+json") and isinstance(value, str):
                        output["data"][key] = value.splitlines(True)
            elif output["output_type"] == "stream" and isinstance(output.get("text"), str):
                output["text"] = output["text"].splitlines(True)
    return nb


def _rmtree(path: Path) -> None:
    """Remove a grading copy nbgrader left read-only (its folders may be read-only too)."""
    def retry(func, p, _exc):
        os.chmod(os.path.dirname(p), stat.S_IRWXU)
        func(p)

    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path, onerror=retry)


# -- one submission ------------------------------------------------------------------------
@dataclass(frozen=True)
class Prepared:
    """One submission graded in files, waiting for its gradebook rows (``write_chunk``)."""

    student: str
    timestamp: _dt.datetime | None  # from timestamp.txt (naive UTC); None: no (or an empty) file
    scores: dict[str, dict[str, float | None]]  # graded notebook -> grade_id -> auto score
    missing: tuple[str, ...] = ()  # notebooks of the assignment not submitted: scored 0


def _auto_score(outputs: list[dict], max_points: float) -> float:
    """``nbgrader.utils.determine_grade`` of a code grade cell without errors or stderr."""
    for output in outputs:
        if output["output_type"] == "execute_result":
            text = output["data"].get("text/plain")
            if not text:
                raise Delegate("hasil sel tanpa text/plain")
            try:
                value = float(text)
            except ValueError:
                return max_points  # nbgrader: not a number counts as full credit
            if value > max_points:
                raise Delegate("nilai parsial melebihi poin sel")  # nbgrader fails the submission
            return value if value >= 0 else max_points
    return max_points


def prepare(course: Course, plan: StagePlan, student: str) -> Prepared:
    """Grade one submission's files: the grading copy and its notebooks. Raises ``Delegate``
    (nothing written) when the submission must be graded in a kernel; any other exception is a
    failure of this submission (its grading copy is removed, as nbgrader removes it)."""
    submitted = course.path("submitted", student, plan.stage)
    dest = course.path("autograded", student, plan.stage)
    irregular = irregular_entries(submitted)
    if irregular:
        raise Delegate(f"berkas bukan file biasa di pengumpulan: {', '.join(sorted(irregular)[:3])}")
    timestamp = None
    stamp = submitted / "timestamp.txt"
    if stamp.exists():
        try:
            text = stamp.read_text().strip()
            timestamp = parse_utc(text) if text else None  # nbgrader: an empty file is no timestamp
        # nbgrader fails such a submission after creating its student: its own path says how
        except (OSError, ValueError, OverflowError) as exc:
            raise Delegate(f"timestamp.txt tidak terbaca ({type(exc).__name__})") from None
    found = sorted(glob.glob(os.path.join(glob.escape(str(submitted)), "*.ipynb")))
    docs: dict[str, dict] = {}
    for path in found:
        name = os.path.splitext(os.path.basename(path))[0]
        if name not in plan.db_notebooks:
            continue  # nbgrader: "Skipping unknown notebook"
        if name not in plan.notebooks:
            raise Delegate(f"{name}.ipynb tidak ada di rilis")
        docs[name] = _submitted_notebook(path, plan.notebooks[name])
    if not docs:
        raise Delegate("tidak ada notebook tahap ini di pengumpulan")
    missing = tuple(sorted(n for n in plan.db_notebooks if not (submitted / f"{n}.ipynb").exists()))
    try:
        _rmtree(dest)
        dest.mkdir(parents=True)
        for src in find_all_files(str(submitted), [*plan.ignore, "*.ipynb"]):
            rel = os.path.relpath(src, submitted)
            if Path(rel).as_posix() in plan.allowed:
                _copy(src, dest / rel)
        for rel, src in plan.source_files:
            _copy(src, dest / rel)
        strip_unknown_keys(dest / plan.answers_filename, plan.stage)
        scores = {name: _grade_notebook(plan.notebooks[name], doc, dest) for name, doc in docs.items()}
        for dirname, _, filenames in os.walk(dest):
            for filename in filenames:
                os.chmod(os.path.join(dirname, filename), PERMISSIONS)
    except BaseException:
        _rmtree(dest)
        raise
    return Prepared(student=student, timestamp=timestamp, scores=scores, missing=missing)


def _copy(src: str, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists() or dest.is_symlink():
        dest.unlink()
    shutil.copy(src, dest)


def _submitted_notebook(path: str, released: _Notebook) -> dict:
    """The parts of a submitted notebook that survive grading (its metadata), or ``Delegate``
    when nbformat would read it differently from plain JSON (another format, not JSON)."""
    try:
        with open(path, "rb") as fh:
            doc = json.loads(fh.read())
    except (OSError, ValueError) as exc:
        raise Delegate(f"notebook tidak terbaca sebagai JSON ({type(exc).__name__})") from None
    if not isinstance(doc, dict) or doc.get("nbformat") != 4 or doc.get("nbformat_minor") != released.nbformat_minor \
            or not isinstance(doc.get("metadata"), dict) or not isinstance(doc.get("cells"), list):
        raise Delegate("format notebook berbeda dari rilis")
    return doc


def _encode(value, depth: int) -> str:
    """``value`` as nbformat writes it (``json.dumps`` with ``indent=1``, sorted keys, UTF-8)
    at nesting ``depth`` of the notebook document, without json's generator-based encoder
    (which ``indent`` selects, and which costs a fifth of grading a submission)."""
    out: list[str] = []
    _dump(value, depth, out)
    return "".join(out)


def _dump(value, depth: int, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(_STR(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = "\n" + " " * (depth + 1)
        out.append("{")
        first = True
        for key in sorted(value):
            out.append(inner if first else "," + inner)
            first = False
            out.append(_STR(key) + ": ")
            _dump(value[key], depth + 1, out)
        out.append("\n" + " " * depth + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = "\n" + " " * (depth + 1)
        out.append("[")
        for n, item in enumerate(value):
            out.append(inner if n == 0 else "," + inner)
            _dump(item, depth + 1, out)
        out.append("\n" + " " * depth + "]")
    elif value is None or value is True or value is False:
        out.append("null" if value is None else "true" if value else "false")
    elif type(value) is int or (type(value) is float and value == value and value not in (_INF, -_INF)):
        out.append(repr(value))  # what json writes for an int or a finite float
    else:
        out.append(json.dumps(value))


_STR = json.encoder.encode_basestring  # json's own string encoder (C), ensure_ascii=False
_INF = float("inf")


def _cell_text(cell: dict) -> str:
    cell = dict(cell)
    if cell.get("source") and isinstance(cell["source"], str):
        cell["source"] = cell["source"].splitlines(True)
    return "  " + _encode(cell, 2)


def _grade_notebook(plan: _Notebook, doc: dict, folder: Path) -> dict[str, float | None]:
    """Write the autograded notebook into ``folder``; return its automatic scores.

    The document is what nbformat writes (``_split_lines``, then ``json.dumps`` with
    ``indent=1`` and sorted keys), assembled cell by cell: a cell without outputs is encoded once
    per batch (``_static_cells``), which is most of the cost of writing the notebook."""
    metadata = {k: v for k, v in doc["metadata"].items() if k not in _TRANSIENT_NB}
    if plan.kernelspec:
        metadata["kernelspec"] = plan.kernelspec
    metadata["language_info"] = dict(LANGUAGE_INFO)
    static = _static_cells(plan)
    parts: list[str] = []
    scores: dict[str, float | None] = dict.fromkeys(plan.markdown_grades)
    count = 0
    for n, (cell, calls) in enumerate(zip(plan.cells, plan.calls)):
        if calls is None:
            parts.append(static[n])
            continue
        count += 1
        try:
            outputs = run_cell(calls, folder, count)
        except CellError as exc:
            raise Delegate(f"sel {cell.get('id', '?')}: {exc}") from None
        if sum(len(o.get("text", "").split("\n")) for o in outputs if o["output_type"] == "stream") \
                > MAX_OUTPUT_LINES:
            raise Delegate("keluaran sel melebihi batas nbgrader")
        gid = ((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id")
        if gid in plan.grade_cells:
            scores[gid] = _auto_score(outputs, plan.grade_cells[gid])
        parts.append(_cell_text(_split_lines({"cells": [{**cell, "outputs": outputs, "execution_count": count}]})
                                ["cells"][0]))
    head = {"metadata": metadata, "nbformat": 4, "nbformat_minor": plan.nbformat_minor}
    rest = _encode(head, 0)  # '{\n "metadata": ..., "nbformat_minor": 5\n}'
    text = "{\n \"cells\": [\n" + ",\n".join(parts) + "\n ],\n" + rest[2:] if parts else \
        _encode({"cells": [], **head}, 0)
    (folder / f"{plan.name}.ipynb").write_text(text + "\n", encoding="utf-8")
    return scores


_STATIC: dict[int, tuple[_Notebook, list[str | None]]] = {}


def _static_cells(plan: _Notebook) -> list[str | None]:
    """The encoded text of every cell without outputs (``None`` for code cells), once per plan."""
    entry = _STATIC.get(id(plan))
    if entry is None or entry[0] is not plan:
        entry = (plan, [None if calls is not None else _cell_text(c) for c, calls in zip(plan.cells, plan.calls)])
        if len(_STATIC) > 16:
            _STATIC.clear()
        _STATIC[id(plan)] = entry  # the entry holds the plan: its id is not reused meanwhile
    return entry[1]
