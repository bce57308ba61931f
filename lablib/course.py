"""An nbgrader course folder for one bimtek: config, source assignments, calendar, gradebook.

The protections that keep grading honest live in the course's own ``nbgrader_config.py``
(written here), so they hold whether the course is graded with ``lablib grade``, with
``nbgrader autograde`` or from formgrader.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from .calendar import CALENDAR_FILENAME, DEFAULT_CALENDAR, Calendar
from .stages import STAGES, get_stage

CONFIG_FILENAME = "nbgrader_config.py"
DEFAULT_COURSE_ID = "bimtek-inovasi"

_CONFIG_TEMPLATE = '''# nbgrader configuration written by lablib. Edit with care: the lines marked "protection"
# stop a participant's files from replacing the course's own when grading.
c = get_config()  # noqa: F821

c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = {db_url!r}
c.Exchange.root = {exchange!r}
c.Exchange.path_includes_course = True

# The participant's answers travel in this side file; autograde must keep the participant's
# copy instead of the (absent) source one. protection: nothing else is kept from the submission.
c.Autograde.exclude_overwriting = {exclude!r}

# Every submission runs in a fresh kernel with a per-cell timeout, so one hanging notebook
# cannot stop a grading run.
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True
c.Execute.allow_errors = True

# Files a participant never needs to submit.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*.tmp"]
'''


def sqlite_url(course_dir: Path) -> str:
    return f"sqlite:///{(course_dir / 'gradebook.db').resolve()}"


def write_config(course_dir: str | os.PathLike, *, course_id: str = DEFAULT_COURSE_ID,
                 db_url: str | None = None, exchange: str | os.PathLike | None = None) -> Path:
    course_dir = Path(course_dir).resolve()
    course_dir.mkdir(parents=True, exist_ok=True)
    exclude = {s.slug: [s.answers_filename] for s in STAGES}
    text = _CONFIG_TEMPLATE.format(
        course_id=course_id, root=str(course_dir), db_url=db_url or sqlite_url(course_dir),
        exchange=str(Path(exchange).resolve() if exchange else course_dir / "exchange"), exclude=exclude)
    path = course_dir / CONFIG_FILENAME
    path.write_text(text, encoding="utf-8")
    (Path(exchange) if exchange else course_dir / "exchange").mkdir(parents=True, exist_ok=True)
    return path


def install_source(course_dir: str | os.PathLike, stage: str, calendar: Calendar = DEFAULT_CALENDAR) -> Path:
    """Write ``source/<stage>/`` with the generated notebook and the calendar file."""
    from .assignments import write_source

    folder = Path(course_dir) / "source" / get_stage(stage).slug
    write_source(stage, folder)
    (folder / CALENDAR_FILENAME).write_text(calendar.to_json(), encoding="utf-8")
    return folder


def load_config(course_dir: str | os.PathLike):
    """The course's nbgrader config as a traitlets ``Config``."""
    from traitlets.config.loader import PyFileConfigLoader

    course_dir = Path(course_dir).resolve()
    if not (course_dir / CONFIG_FILENAME).is_file():
        raise FileNotFoundError(f"{course_dir} is not a lablib course: {CONFIG_FILENAME} is missing. "
                                f"Create one with 'lablib init {course_dir} --roster FILE'.")
    return PyFileConfigLoader(CONFIG_FILENAME, path=str(course_dir)).load_config()


def ensure_tools_on_path() -> None:
    """nbgrader runs the ``alembic`` executable to create a gradebook: put our venv's bin/ first."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def open_api(course_dir: str | os.PathLike):
    """An ``NbGraderAPI`` for the course (instructor steps, headless)."""
    from nbgrader.apps import NbGraderAPI

    ensure_tools_on_path()
    config = load_config(course_dir)
    return NbGraderAPI(config=config)


def copy_tree_writable(src: Path, dst: Path) -> None:
    """Copy a folder and make the copy writable (nbgrader leaves submissions read-only)."""
    shutil.copytree(src, dst, dirs_exist_ok=True)
    for root, dirs, files in os.walk(dst):
        for name in dirs + files:
            p = Path(root) / name
            p.chmod(p.stat().st_mode | 0o200)
