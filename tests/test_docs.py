"""The README documents every command, and its set-up commands exist."""

import argparse
import json
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


# The trainer's guide (Indonesian) names commands too: each must exist as written.
GUIDE = ROOT / "notebooks" / "00-panduan-fasilitator.ipynb"
GUIDE_CELLS = [cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
               for cell in json.loads(GUIDE.read_text(encoding="utf-8"))["cells"]
               if cell["cell_type"] == "markdown"]


def _choices(parser: argparse.ArgumentParser) -> dict:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    return {}


def _guide_code_lines() -> list[str]:
    """The guide's code: each line of its code blocks (continuations joined) and each inline span."""
    lines = []
    for text in GUIDE_CELLS:
        for block in re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.DOTALL):
            lines += block.replace("\\\n", " ").splitlines()
        inline = re.findall(r"`([^`]+)`", re.sub(r"```.*?```", "", text, flags=re.DOTALL))
        lines += [span.replace("\n", " ") for span in inline]  # a code span may wrap
    return lines


def _guide_command_lines() -> list[list[str]]:
    """The words after ``lablib`` in every command the guide shows (code blocks and inline code)."""
    commands = []
    for line in _guide_code_lines():
        words = line.split("#", 1)[0].split()
        for n, word in enumerate(words):
            if word == "lablib":
                rest = words[n + 1:]
                ends = [i for i, w in enumerate(rest) if w in ("|", ";", "&&", "lablib")]
                commands.append(rest[:ends[0]] if ends else rest)
    return commands


def _command_problem(words: list[str]) -> str | None:
    """Why ``lablib WORDS`` is not a command line the parser knows (subcommand or option), or None."""
    parser, i, name = build_parser(), 0, "lablib"
    while i < len(words) and _choices(parser) and re.fullmatch(r"[a-z][a-z0-9-]*", words[i]):
        if words[i] not in _choices(parser):
            return f"{name} has no subcommand {words[i]!r}"
        parser, name, i = _choices(parser)[words[i]], f"{name} {words[i]}", i + 1
    options = {option for action in parser._actions for option in action.option_strings}
    unknown = [w.split("=", 1)[0] for w in words[i:]
               if w.startswith("-") and w.split("=", 1)[0] not in options]
    return f"{name} has no option {unknown[0]}" if unknown else None


def test_command_checker_catches_misspelt_commands_and_options():
    assert _command_problem(["hub", "setup", "--course", "kursus", "--trainer", "fasilitator"]) is None
    assert _command_problem(["review", "export", "diagnose"]) is None
    assert _command_problem(["hub", "add-participant", "--roster", "x.xlsx"]) == \
        "lablib hub has no subcommand 'add-participant'"
    assert _command_problem(["protekt"]) == "lablib has no subcommand 'protekt'"
    assert _command_problem(["hub", "setup", "--traineer", "x"]) == \
        "lablib hub setup has no option --traineer"


def test_every_command_in_the_trainers_guide_exists():
    commands = _guide_command_lines()
    # the guide puts participants on a server: these must be among what it names
    named = {" ".join(w for w in words[:2] if not w.startswith("-")) for words in commands}
    assert {"hub", "hub setup", "hub add-participants", "hub helm-values", "protect"} <= named
    problems = [f"lablib {' '.join(words)}: {problem}" for words in commands
                if (problem := _command_problem(words))]
    assert problems == []


def _all_options(parser: argparse.ArgumentParser) -> set[str]:
    options = {option for action in parser._actions for option in action.option_strings}
    for child in _choices(parser).values():
        options |= _all_options(child)
    return options


def test_every_option_the_trainers_guide_names_exists():
    """Options named on their own (`--idle-timeout DETIK`) belong to some lablib command."""
    named = {option for line in _guide_code_lines()
             for option in re.findall(r"(?<![\w-])--[a-z][a-z-]*", line.split("#", 1)[0])}
    assert named and named - _all_options(build_parser()) == set()


def _table_numbers(text: str, header: str) -> list[list[str]]:
    """The numbers in each body row of the markdown table whose header row starts with ``header``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([n.replace(",", ".") for n in re.findall(r"\d+(?:[.,]\d+)?", line)])
    return rows


def test_the_guides_sizing_table_has_the_readmes_figures():
    guide = "\n".join(GUIDE_CELLS)
    readme_rows = _table_numbers(README, "| Participants at once")
    assert len(readme_rows) >= 4
    assert _table_numbers(guide, "| Peserta sekaligus") == readme_rows
