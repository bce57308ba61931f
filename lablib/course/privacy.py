"""Private by default: who may read a course's folder and files (``lablib protect``).

A course holds civil servants' personal data (names, e-mails, OPDs), every participant's
answers, submissions, scores and feedback. On a shared training server every participant is
an OS user, so what the course folder lets "others" read, every participant can read:

* the course folder is 0700 (only the trainer); everything in it (gradebook, record,
  ``submitted/``, ``autograded/``, ``feedback/``, reports) is then out of others' reach even
  when a tool writes a file with the umask's 0644;
* the gradebook and the course record (``lablib-course.json``: the roster) are 0600 as well,
  and so is ``nbgrader_config.py`` when it holds a database password, so a copied or widened
  folder does not give them away;
* the filesystem exchange is the one shared place: its root is 1777 (anyone may create,
  nobody may rename or delete another's folder, such as the course's), the course's inbound
  folder keeps nbgrader's "write, no read" and gains the sticky bit
  (``lablib.course.exchange.set_exchange_modes``).

An exchange root inside a 0700 course folder is reachable by its owner only: fine for one
laptop; a shared server puts the exchange outside (``lablib init --exchange /srv/...``).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from lablib.course.folder import CONFIG_FILENAME, COURSE_FILENAME
from lablib.course.modes import COURSE_DIR_MODE, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, config_mode

__all__ = ["PRIVATE_STEPS", "privacy_problems", "protect_course"]

PRIVATE_STEPS = ("submitted", "autograded", "feedback", ".lablib")


def _wanted(course) -> list[tuple[Path, int]]:
    """``(path, mode)`` for everything of the course that has a fixed mode."""
    root = Path(course.root)
    config = root / CONFIG_FILENAME
    try:
        config_text = config.read_text(encoding="utf-8")
    except OSError:
        config_text = ""
    wanted = [(root, COURSE_DIR_MODE), (root / COURSE_FILENAME, PRIVATE_FILE_MODE),
              (config, config_mode(config_text))]
    if course.sqlite_path is not None:
        wanted.append((course.sqlite_path, PRIVATE_FILE_MODE))
    for step in PRIVATE_STEPS:
        folder = course.step_dir(step) if step != ".lablib" else course.state_dir()
        wanted.append((folder, PRIVATE_DIR_MODE))
    return wanted


def _step_names(course) -> set[str]:
    return {(course.step_dir(step) if step != ".lablib" else course.state_dir()).name for step in PRIVATE_STEPS}


def privacy_problems(course) -> list[str]:
    """What of the course others may read (one line each), without changing anything.

    The step folders (``submitted/`` ...; nbgrader makes them with the umask) count only while the
    course folder lets others in: inside a 0700 folder nobody else reaches them."""
    problems = []
    root = Path(course.root)
    root_open = bool(stat.S_IMODE(os.stat(root).st_mode) & 0o011)
    for path, mode in _wanted(course):
        if not root_open and path.parent == root and path.name in _step_names(course):
            continue
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        have = stat.S_IMODE(st.st_mode)
        if not stat.S_ISLNK(st.st_mode) and have & ~mode & 0o077:
            problems.append(f"{path} ({have:o}, seharusnya {mode:o})")
    return problems


def protect_course(course) -> list[str]:
    """Tighten the course's modes to the private defaults; returns what changed, one line each.

    Only ever takes permissions away from group and others (a folder the trainer made 0750 for
    a trainers' group becomes 0700: say so and re-open it deliberately if wanted), and never
    follows a link. The exchange's sticky bits are set too, where this user owns it.
    """
    from lablib.course.exchange import set_exchange_modes

    changes = []
    for path, mode in _wanted(course):
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        have = stat.S_IMODE(st.st_mode)
        if stat.S_ISLNK(st.st_mode) or not have & ~mode & 0o077:
            continue
        target = (have & ~0o077) | (mode & 0o077)
        os.chmod(path, target)
        changes.append(f"{path}: {have:o} → {target:o}")
    return changes + set_exchange_modes(course)
