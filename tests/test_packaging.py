"""The Indonesian language pack is pinned to JupyterLab's minor version (issue 13, item 8).

A language pack is built for one JupyterLab minor series (``4.5.postN`` translates 4.5): with
another JupyterLab the strings that changed are shown in English or wrongly. So pyproject.toml
must confine both to one series, and the installed pair must be that series.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

tomllib = pytest.importorskip("tomllib")  # Python 3.11+; the venv has it

ROOT = Path(__file__).resolve().parent.parent
LAB, PACK = "jupyterlab", "jupyterlab-language-pack-id-ID"


def minor_series(specifier: str | SpecifierSet) -> tuple[int, int] | None:
    """The one minor series ``X.Y`` a specifier confines a package to, or None.

    >>> minor_series(">=4.5,<4.6"), minor_series(">=4.5.post0,<4.6"), minor_series(">=4.2,<5")
    ((4, 5), (4, 5), None)
    >>> minor_series(">=4.2"), minor_series("<4.6,>=4.5.3")
    (None, (4, 5))
    """
    specs = SpecifierSet(str(specifier))
    lower = [Version(s.version) for s in specs if s.operator == ">="]
    upper = [Version(s.version) for s in specs if s.operator == "<"]
    if len(lower) != 1 or len(upper) != 1:
        return None
    major, minor = lower[0].release[:2] if len(lower[0].release) > 1 else (lower[0].major, 0)
    return (major, minor) if upper[0].release[:2] == (major, minor + 1) else None


def declared() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = {Requirement(r).name: Requirement(r) for r in project["dependencies"]}
    return {name: found[name] for name in (LAB, PACK)}


def installed(name: str) -> Version:
    try:
        return Version(version(name))
    except PackageNotFoundError:
        pytest.fail(f"{name} is not installed in this environment")


def test_minor_series_reads_real_pins():
    assert minor_series(">=4.5,<4.6") == (4, 5)
    assert minor_series(">=4.5.post0,<4.6") == (4, 5)
    assert minor_series(">=4.5,<4.7") is None  # two series
    assert minor_series(">=4.5,<5") is None
    assert minor_series("==4.5.11") is None


def test_pyproject_pins_jupyterlab_and_its_language_pack_to_one_minor_series():
    deps = declared()
    assert minor_series(deps[LAB].specifier) is not None, str(deps[LAB])
    assert minor_series(deps[LAB].specifier) == minor_series(deps[PACK].specifier)


def test_installed_jupyterlab_and_language_pack_are_one_minor_series_as_pinned():
    deps = declared()
    lab, pack = installed(LAB), installed(PACK)
    assert lab.release[:2] == pack.release[:2], f"jupyterlab {lab}, language pack {pack}"
    assert lab in deps[LAB].specifier and pack in deps[PACK].specifier
    assert minor_series(deps[LAB].specifier) == lab.release[:2]


def test_environment_yml_names_the_same_pins_as_pyproject():
    lines = [line.strip()[2:].strip() for line in (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines()
             if line.strip().startswith("- ")]
    conda = {}
    for line in lines:
        try:
            req = Requirement(line)
        except ValueError:  # "-e ." and the like
            continue
        conda[req.name.lower()] = req.specifier
    for requirement in declared().values():
        assert conda.get(requirement.name.lower()) == requirement.specifier, f"environment.yml: {requirement}"
