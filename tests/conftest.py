"""Shared fixtures: a real nbgrader course in a temporary folder and a CLI runner."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from lablib.course.grading import kernel_did_not_start

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@pytest.fixture(autouse=True)
def _tools_on_path(monkeypatch):
    # nbgrader shells out to `alembic`, and kernels start `python`: both must be this venv's.
    monkeypatch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


@pytest.fixture
def warnings_are_errors():
    """Any warning raised by the code under test fails the test (nbgrader scores a cell that
    writes a warning to stderr as 0). Sockets leaked by earlier tests in this worker are
    collected first and ResourceWarnings ignored: they are not the code under test."""
    gc.collect()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ResourceWarning)
        yield


@pytest.fixture(scope="module")
def postgres():
    """A throwaway PostgreSQL server on loopback (Debian's package); skips where there is none."""
    from postgres_server import PostgresServer, unavailable

    reason = unavailable()
    if reason:
        pytest.skip(reason)
    with PostgresServer() as server:
        yield server


def run_cli(args: list[str], cwd: Path, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a command-line tool of this venv; on failure show its output in the test report."""
    full_env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **(env or {})}
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=full_env, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} exited {proc.returncode}\n"
                             f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}")
    return proc


# A kernel that never answers its first message (lablib.course.grading.kernel_did_not_start): stock
# nbgrader and nbclient then give up on the whole notebook, so these helpers run it again.


def execute(nb, attempts: int = 3, **kwargs):
    """Run a notebook in a fresh kernel with nbclient; start the kernel again when it did not
    start (no cell has run then)."""
    from nbclient import NotebookClient

    for attempt in range(1, attempts + 1):
        try:
            return NotebookClient(nb, **kwargs).execute()
        except RuntimeError as exc:
            if attempt == attempts or not kernel_did_not_start(str(exc)):
                raise
            print(f"nbclient: kernel did not start ({exc}); starting it again", file=sys.stderr)
    raise AssertionError("unreachable")


def autograde(api, stage: str, student: str, attempts: int = 3) -> dict:
    """nbgrader's own autograde through its API; run again when its kernel did not start."""
    for _ in range(attempts):
        result = api.autograde(stage, student)
        text = f"{result.get('error') or ''}{result.get('log') or ''}"
        if result["success"] or not kernel_did_not_start(text):
            break
        print(f"nbgrader autograde {stage} {student}: kernel did not start; running it again", file=sys.stderr)
    return result


def nbgrader(*args: str, cwd: Path, check: bool = True, attempts: int = 3) -> subprocess.CompletedProcess:
    """Run stock nbgrader; a run whose kernel failed to start (nothing graded) is run again."""
    for attempt in range(1, attempts + 1):
        proc = run_cli([str(BIN / "nbgrader"), *args], cwd=cwd, check=False)
        if attempt == attempts or not kernel_did_not_start(proc.stderr):
            break
        print(f"nbgrader {args[0]}: kernel did not start (attempt {attempt}); running it again",
              file=sys.stderr)
    if check and proc.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} exited {proc.returncode}\n"
                             f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}")
    return proc
