"""The README documents every command, and its set-up commands exist."""

import argparse
import re
from pathlib import Path

from lablib.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _subcommands() -> list[str]:
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    raise AssertionError("lablib has no subcommands")


def test_every_cli_command_is_documented_in_the_readme():
    missing = [name for name in _subcommands() if f"`lablib {name}" not in README]
    assert missing == []


def test_readme_make_targets_exist():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z-]+):", makefile, flags=re.MULTILINE))
    assert set(re.findall(r"\bmake ([a-z-]+)", README)) <= targets


def test_ci_runs_the_readme_test_command():
    assert "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_has_an_indonesian_quick_start():
    assert "## Mulai cepat (Bahasa Indonesia)" in README
