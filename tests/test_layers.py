"""The package's folders are its layers, and the dependency direction never breaks.

    core < curriculum < notebook < app < course < reports < hub < (pipeline, cli, demo)

A module imports lablib modules of its own layer or of layers below it, never above (checked
from the source with ``ast``, imports inside functions included, since a lazy import is still
a dependency). The grading fingerprint hashes exactly what a grading kernel runs: the ``core``,
``curriculum`` and ``notebook`` folders, so fixing a report never re-grades the cohort.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

import lablib

PACKAGE = Path(lablib.__file__).resolve().parent
LAYERS = ("core", "curriculum", "notebook", "app", "course", "reports", "hub", "top")
TOP = {"lablib", "lablib.pipeline", "lablib.cli", "lablib.demo", "lablib.protections"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> str:
    if module in TOP:
        return "top"
    part = module.split(".")[1]
    assert part in LAYERS, f"{module} is in no layer: put it in one of {LAYERS}"
    return part


def imports(module: str) -> dict[str, int]:
    """``{imported module: line}`` for every import of ``module`` (lablib and third-party)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.setdefault(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:  # `from lablib.curriculum import facts` imports a module
                sub = f"{target}.{alias.name}"
                found.setdefault(sub if sub in MODULES else target, node.lineno)
    return found


def lablib_imports(module: str) -> dict[str, int]:
    return {m: line for m, line in imports(module).items() if m in MODULES}


def test_every_module_is_in_a_layer():
    assert {layer(m) for m in MODULES} == set(LAYERS)


def test_no_module_imports_a_layer_above_its_own():
    upward = []
    for module in MODULES:
        for target, line in lablib_imports(module).items():
            if LAYERS.index(layer(target)) > LAYERS.index(layer(module)):
                upward.append(f"{MODULES[module].relative_to(PACKAGE.parent)}:{line} ({layer(module)}) "
                              f"imports {target} ({layer(target)})")
    assert [] == upward


def test_core_imports_nothing_else_of_lablib():
    outside = [(m, t) for m in MODULES if layer(m) == "core"
               for t in lablib_imports(m) if layer(t) != "core"]
    assert [] == outside


def test_there_are_no_import_circles():
    """Not even through an import made for annotations only (a protocol names what is needed)."""
    graph = {m: set(lablib_imports(m)) - {m} for m in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    assert [] == circles


def test_what_runs_in_a_kernel_never_imports_nbgrader():
    offenders = [(m, t) for m in MODULES if layer(m) in ("core", "curriculum", "notebook")
                 for t in imports(m) if t.split(".")[0] == "nbgrader"]
    assert [] == offenders


def test_the_back_office_never_reaches_ipywidgets():
    """Not directly, and not through a notebook module it imports."""
    def reach(module: str, seen: set[str]) -> set[str]:
        for target in lablib_imports(module):
            if target not in seen:
                seen.add(target)
                reach(target, seen)
        return seen

    offenders = []
    for module in MODULES:
        if layer(module) in ("course", "reports", "hub"):
            for reached in {module} | reach(module, set()):
                if any(t.split(".")[0] == "ipywidgets" for t in imports(reached)):
                    offenders.append((module, reached))
    assert [] == offenders


def test_reports_define_no_commands():
    """Every command lives in cli.py; reports are functions of a ``Course``."""
    found = []
    for module in MODULES:
        if layer(module) != "reports":
            continue
        tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
        found += [(module, n.name) for n in ast.walk(tree)
                  if isinstance(n, ast.FunctionDef) and n.name.startswith(("cmd_", "add_commands"))]
        found += [(module, "argparse") for t in imports(module) if t == "argparse"]
    assert [] == found


def test_protections_stay_importable_where_existing_courses_name_them():
    from lablib.protections import KeepOnlyCourseFiles, RestoreCourseCells

    assert KeepOnlyCourseFiles.__name__ and RestoreCourseCells.__name__


# -- the grading fingerprint ------------------------------------------------------------------

@pytest.fixture
def package_copy(tmp_path, monkeypatch):
    """A copy of the lablib package whose files a test may edit."""
    copy = tmp_path / "lablib"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    import lablib.course.grading as grading

    monkeypatch.setattr(grading, "__file__", str(copy / "course" / "grading.py"))
    return copy


def test_a_report_or_command_fix_leaves_the_grading_fingerprint_unchanged(package_copy):
    from lablib.course.grading import lablib_code_version

    before = lablib_code_version()
    for name in ("reports/report.py", "reports/feedback.py", "cli.py", "course/status.py"):
        path = package_copy / name
        path.write_text(path.read_text(encoding="utf-8") + "\n# a typo fixed\n", encoding="utf-8")
    assert before == lablib_code_version()


@pytest.mark.parametrize("name", ["core/checks.py", "curriculum/diagnose.py", "notebook/autograde.py",
                                  "__init__.py"])
def test_a_change_to_what_a_kernel_runs_changes_the_fingerprint(package_copy, name):
    from lablib.course.grading import lablib_code_version

    before = lablib_code_version()
    path = package_copy / name
    path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert before != lablib_code_version()
