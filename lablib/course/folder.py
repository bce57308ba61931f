"""An nbgrader course folder for one bimtek: config, source assignments, calendar, gradebook.

The protections that keep grading honest (``lablib.course.protections``) are named in the course's
own ``nbgrader_config.py`` (written here), so they hold whether the course is graded with
``lablib grade``, with ``nbgrader autograde`` or from formgrader. nbgrader is imported only by
the functions that need it: ``lablib.course.live`` reads courses without paying for its imports.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from lablib.core.calendar import CALENDAR_FILENAME, DEFAULT_CALENDAR, Calendar
from lablib.core.errors import LablibError
from lablib.core.files import write_text_atomic
from lablib.core.names import check_course_id
from lablib.core.stages import STAGES, get_stage
from lablib.course.modes import (
    COURSE_DIR_MODE,
    EXCHANGE_ROOT_MODE,
    PRIVATE_FILE_MODE,
    config_mode,
)

CONFIG_FILENAME = "nbgrader_config.py"
COURSE_FILENAME = "lablib-course.json"
COURSE_SCHEMA_VERSION = 1
DEFAULT_COURSE_ID = "bimtek-inovasi"
DEFAULT_TIMEZONE = "Asia/Makassar"  # WITA: Banggai Kepulauan, Sulawesi Tengah
DEFAULT_HOMES = "/home/{id}"

_CONFIG_TEMPLATE = '''# nbgrader configuration written by lablib. Edit with care: the lines marked "protection"
# keep grading honest and must stay for `nbgrader autograde` and formgrader as well.
import os

c = get_config()  # noqa: F821

{where}
c.Exchange.path_includes_course = True

# The participant's answers travel in this side file; autograde must keep the participant's
# copy instead of the (absent) source one.
c.Autograde.exclude_overwriting = {exclude!r}

# protection: every submitted notebook is rebuilt from the released one before grading
# (edited, deleted and added cells cannot change a score; see lablib/protections.py).
c.Autograde.sanitize_preprocessors = {sanitize!r}

# protection: before the kernel starts, the grading copy keeps only the notebook, the
# course's own files and the answers file (a fake lablib.py beside the notebook would be
# imported instead of the real one), and unknown keys are removed from the answers file.
c.Autograde.autograde_preprocessors = {autograde!r}

# Every submission runs in a fresh kernel with a per-cell timeout, so one hanging notebook
# cannot stop a grading run (nbgrader's Execute always carries on after a cell's error).
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True

# Files a participant never needs to submit.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*.tmp", ".*.lock"]
'''

_RESTORE = "lablib.protections.RestoreCourseCells"
_KEEP_ONLY = "lablib.protections.KeepOnlyCourseFiles"


class CourseError(LablibError, RuntimeError):
    """A course cannot be created or used; the message says what and what to do next."""


def sqlite_url(course_dir: Path) -> str:
    return f"sqlite:///{(Path(course_dir) / 'gradebook.db').resolve()}"


# The lines of nbgrader_config.py that say where things are. The course root, a SQLite
# gradebook and the default exchange are relative to the config file itself, so a copied or
# moved course folder works on its own files (nbgrader and Jupyter run config files with
# ``__file__`` set). A PostgreSQL URL or an exchange outside the folder stays as given.
_WHERE_MARK = "# where: relative to this file"
_WHERE_RE = re.compile(r"^(here = |c\.CourseDirectory\.(root|db_url|course_id) = |c\.Exchange\.root = |"
                       + re.escape(_WHERE_MARK) + ").*\n", re.MULTILINE)


def _where_lines(course_id: str, db_url: str | None = None, exchange: str | os.PathLike | None = None) -> str:
    db = repr(db_url) if db_url else 'f"sqlite:///{os.path.join(here, \'gradebook.db\')}"'
    ex = repr(str(Path(exchange).resolve())) if exchange else 'os.path.join(here, "exchange")'
    return (f"{_WHERE_MARK} (a copied or moved course works on its own files)\n"
            f"here = os.path.dirname(os.path.abspath(__file__))\n"
            f"c.CourseDirectory.course_id = {course_id!r}\n"
            f"c.CourseDirectory.root = here\n"
            f"c.CourseDirectory.db_url = {db}\n"
            f"c.Exchange.root = {ex}\n")


def _dotted(cls: type) -> str:
    return f"{cls.__module__}.{cls.__name__}"


def protected_preprocessors() -> tuple[list[str], list[str]]:
    """nbgrader's own sanitize and autograde steps (as installed) with lablib's protections."""
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import OverwriteCells

    traits = Autograde.class_traits()
    sanitize = [_dotted(c) for c in traits["sanitize_preprocessors"].default()]
    autograde = [_dotted(c) for c in traits["autograde_preprocessors"].default()]
    sanitize.insert(sanitize.index(_dotted(OverwriteCells)), _RESTORE)
    autograde.insert(0, _KEEP_ONLY)
    return sanitize, autograde


def _config_text(course_id: str, db_url: str | None = None, exchange: str | os.PathLike | None = None) -> str:
    """``db_url``/``exchange`` ``None``: the course's own SQLite gradebook and exchange folder."""
    sanitize, autograde = protected_preprocessors()
    exclude = {s.slug: [s.answers_filename] for s in STAGES}
    return _CONFIG_TEMPLATE.format(where=_where_lines(course_id, db_url, exchange).rstrip("\n"),
                                   exclude=exclude, sanitize=sanitize, autograde=autograde)


def write_config(course_dir: str | os.PathLike, *, course_id: str = DEFAULT_COURSE_ID,
                 db_url: str | None = None, exchange: str | os.PathLike | None = None) -> Path:
    """A bare course in ``course_dir`` (for tests and benchmarks; trainers use ``create_course``):
    ``nbgrader_config.py``, and where missing a course record without participants and an empty
    gradebook. Returns the config's path."""
    from nbgrader.api import Gradebook

    course_dir = Path(course_dir).resolve()
    if not course_dir.is_dir():
        course_dir.parent.mkdir(parents=True, exist_ok=True)
        course_dir.mkdir(mode=COURSE_DIR_MODE)  # private by default (lablib.course.privacy)
    path = course_dir / CONFIG_FILENAME
    text = _config_text(course_id, db_url, exchange)
    write_text_atomic(path, text, mode=config_mode(text))
    make_exchange_root(Path(exchange).resolve() if exchange else course_dir / "exchange")
    if not (course_dir / COURSE_FILENAME).is_file():
        info = CourseRecord(root=course_dir, course_id=course_id, calendar=DEFAULT_CALENDAR,
                          extra={"location": str(course_dir)})
        write_text_atomic(course_dir / COURSE_FILENAME, info.to_json(), mode=PRIVATE_FILE_MODE)
    ensure_tools_on_path()
    with Gradebook(db_url or sqlite_url(course_dir), course_id):
        pass  # creates the tables when they are missing
    if not db_url or db_url.startswith("sqlite:///"):
        Path(db_url[len("sqlite:///"):] if db_url else course_dir / "gradebook.db").chmod(PRIVATE_FILE_MODE)
    return path


def make_exchange_root(path: Path) -> None:
    """Create nbgrader's exchange root where missing, at 1777: everyone may submit into it, and
    the sticky bit keeps anyone from renaming or deleting a folder that is not theirs (such as
    the course's). An existing root is left as it is (``lablib protect`` tightens it)."""
    if path.is_dir():
        return
    path.mkdir(parents=True)
    path.chmod(EXCHANGE_ROOT_MODE)  # mkdir's mode is masked by the umask and drops the sticky bit


def install_source(course_dir: str | os.PathLike, stage: str, calendar: Calendar = DEFAULT_CALENDAR) -> Path:
    """Write ``source/<stage>/`` with the generated notebook and the calendar file."""
    from lablib.notebook.assignments import write_source

    # a course being built has no Course yet: nbgrader's default layout, source/<stage>
    folder = Path(course_dir) / "source" / get_stage(stage).slug
    write_source(stage, folder)
    (folder / CALENDAR_FILENAME).write_text(calendar.to_json(), encoding="utf-8")
    return folder


def load_config(course_dir: str | os.PathLike):
    """The course's nbgrader config as a traitlets ``Config``."""
    from traitlets.config.loader import PyFileConfigLoader

    course_dir = Path(course_dir).resolve()
    if not (course_dir / CONFIG_FILENAME).is_file():
        raise CourseError(f"{course_dir} bukan folder kursus lablib ({CONFIG_FILENAME} tidak ada). Buat kursus "
                          f"dengan 'lablib init FOLDER --roster FILE', atau beri --course FOLDER.")
    return PyFileConfigLoader(CONFIG_FILENAME, path=str(course_dir)).load_config()


def ensure_tools_on_path() -> None:
    """nbgrader runs the ``alembic`` executable to create a gradebook: put our venv's bin/ first."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def copy_tree_writable(src: Path, dst: Path) -> None:
    """Copy a folder and make the copy writable (nbgrader leaves submissions read-only)."""
    shutil.copytree(src, dst, dirs_exist_ok=True)
    for root, dirs, files in os.walk(dst):
        for name in dirs + files:
            p = Path(root) / name
            p.chmod(p.stat().st_mode | 0o200)


# ---------------------------------------------------------------------------------------------
# The course's own record: participants (with OPD and jabatan, which nbgrader has no room for),
# calendar, time zone and where participants' home folders live (for `lablib status`).


@dataclass(frozen=True)
class CourseRecord:
    """``lablib-course.json``: what nbgrader has no room for. Read by ``Course.open``."""

    root: Path
    course_id: str
    calendar: Calendar
    timezone: str = DEFAULT_TIMEZONE
    homes: str = DEFAULT_HOMES
    participants: tuple = ()  # tuple[roster.Participant, ...]
    created_at: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_FILENAME

    def participant(self, participant_id: str):
        for p in self.participants:
            if p.id == participant_id:
                return p
        return None

    def home(self, participant_id: str) -> Path:
        """The participant's home folder (where fetched assignments and saved answers live)."""
        path = Path(os.path.expanduser(self.homes.format(id=participant_id)))
        return path if path.is_absolute() else self.root / path

    def due(self, stage: str) -> _dt.datetime | None:
        day = self.calendar.due.get(get_stage(stage).slug)
        return due_datetime(day, self.timezone) if day else None

    def to_json(self) -> str:
        doc = {
            "schema_version": COURSE_SCHEMA_VERSION,
            "course_id": self.course_id,
            "created_at": self.created_at,
            "timezone": self.timezone,
            "homes": self.homes,
            "calendar": json.loads(self.calendar.to_json()),
            "participants": [p.to_dict() for p in self.participants],
            **self.extra,
        }
        return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def due_datetime(day: _dt.date, timezone: str = DEFAULT_TIMEZONE) -> _dt.datetime:
    """End of the due day in the course's time zone (what nbgrader compares submissions with)."""
    from zoneinfo import ZoneInfo

    return _dt.datetime.combine(day, _dt.time(23, 59, 59), tzinfo=ZoneInfo(timezone))


def load_course(course_dir: str | os.PathLike) -> CourseRecord:
    """Read ``lablib-course.json``; raise ``CourseError`` saying what is wrong."""
    from lablib.course.roster import Participant

    root = Path(course_dir).resolve()
    path = root / COURSE_FILENAME
    if not path.is_file():
        raise CourseError(f"{root} bukan folder kursus lablib ({COURSE_FILENAME} tidak ada). "
                          f"Buat kursus dengan 'lablib init FOLDER --roster FILE', atau beri --course FOLDER.")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        version = doc.get("schema_version")
        if not isinstance(version, int) or version > COURSE_SCHEMA_VERSION:
            raise CourseError(f"{path}: schema_version {version!r} tidak dikenal (lablib ini membaca sampai "
                              f"{COURSE_SCHEMA_VERSION}); perbarui lablib.")
        known = {"schema_version", "course_id", "created_at", "timezone", "homes", "calendar", "participants"}
        return CourseRecord(
            root=root, course_id=doc["course_id"], calendar=Calendar.from_dict(doc["calendar"]),
            timezone=doc.get("timezone", DEFAULT_TIMEZONE), homes=doc.get("homes", DEFAULT_HOMES),
            participants=tuple(Participant(**p) for p in doc.get("participants", [])),
            created_at=doc.get("created_at", ""), extra={k: v for k, v in doc.items() if k not in known})
    except (ValueError, KeyError, TypeError, AttributeError) as exc:  # AttributeError: not a JSON object
        raise CourseError(f"{path} rusak ({exc}); kembalikan berkas ini dari cadangan.") from None


def find_course_dir(start: str | os.PathLike | None = None) -> Path:
    """The course folder given (or the one containing the current folder)."""
    here = Path(start if start is not None else os.getcwd()).resolve()
    if start is not None:
        if not (here / COURSE_FILENAME).is_file():
            load_course(here)  # raises the explanatory CourseError
        return here
    for folder in (here, *here.parents):
        if (folder / COURSE_FILENAME).is_file():
            return folder
    raise CourseError(f"folder ini ({here}) bukan di dalam kursus lablib. Jalankan perintah di folder kursus "
                      f"atau beri --course FOLDER.")


def _check_database(db_url: str, course_id: str) -> None:
    """Refuse an unreachable database, or one that already holds this course's assignments."""
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.exc import SQLAlchemyError

    safe = hide_password(db_url)
    try:
        engine = create_engine(db_url, future=True)
    except (SQLAlchemyError, ImportError, ValueError) as exc:  # bad URL, missing driver
        raise CourseError(f"--db-url {safe} tidak dapat dipakai: {exc}") from None
    try:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
            if "assignment" in tables and "course" in tables:
                n = conn.execute(text("SELECT count(*) FROM assignment WHERE course_id = :c"),
                                 {"c": course_id}).scalar()
                if n:
                    raise CourseError(f"basis data {safe} sudah berisi kursus '{course_id}' ({n} tugas). "
                                      f"Pakai --course-id lain atau basis data lain; tidak ada yang diubah.")
    except SQLAlchemyError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CourseError(f"basis data {safe} tidak dapat dihubungi: {first}") from None
    finally:
        engine.dispose()


def normalize_db_url(db_url: str) -> str:
    """``postgresql://`` with the PostgreSQL driver that is installed.

    SQLAlchemy 2.1 reads a bare ``postgresql://`` as psycopg 3; lablib's ``postgres`` extra
    installs psycopg2, so a bare URL is pointed at it when psycopg 3 is absent.
    """
    import importlib.util

    if db_url.startswith(("postgresql://", "postgres://")):
        rest = db_url.split("://", 1)[1]
        if importlib.util.find_spec("psycopg") is None and importlib.util.find_spec("psycopg2") is not None:
            return f"postgresql+psycopg2://{rest}"
        return f"postgresql://{rest}"
    return db_url


def hide_password(db_url: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return db_url


def create_course(course_dir: str | os.PathLike, participants, *, course_id: str = DEFAULT_COURSE_ID,
                  db_url: str | None = None, calendar: Calendar = DEFAULT_CALENDAR,
                  timezone: str = DEFAULT_TIMEZONE, homes: str = DEFAULT_HOMES,
                  exchange: str | os.PathLike | None = None) -> CourseRecord:
    """Create a whole course: config, five source assignments, gradebook with participants and
    due dates, and ``lablib-course.json``.

    Everything is built in a hidden sibling folder and renamed into place at the end, so a
    failure leaves nothing half-made behind (a PostgreSQL gradebook is cleaned up too).
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from nbgrader.api import Gradebook

    check_course_id(course_id)  # it becomes a folder of the exchange: never '../x'
    target = Path(course_dir).resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        what = "kursus lablib" if (target / COURSE_FILENAME).exists() else "file lain"
        raise CourseError(f"{target} sudah ada dan berisi {what}; tidak ada yang diubah. "
                          f"Pilih folder baru (atau kosong).")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CourseError(f"zona waktu '{timezone}' tidak dikenal (contoh: Asia/Makassar, Asia/Jakarta)") from None
    if not participants:
        raise CourseError("daftar peserta kosong")
    if "{id}" not in homes:
        raise CourseError(f"--homes '{homes}' harus memuat {{id}} (contoh: /home/{{id}})")
    external_db = bool(db_url) and not str(db_url).startswith("sqlite")
    if external_db:
        db_url = normalize_db_url(str(db_url))
        _check_database(db_url, course_id)
    ensure_tools_on_path()

    target.parent.mkdir(parents=True, exist_ok=True)
    # mkdtemp makes it 0700: the course folder stays private (gradebook, roster, submissions,
    # feedback are other participants' personal data on a shared server; lablib.course.privacy)
    build = Path(tempfile.mkdtemp(prefix=f".{target.name}.dibuat-", dir=target.parent))
    build.chmod(COURSE_DIR_MODE)
    exchange_dir = Path(exchange).resolve() if exchange else target / "exchange"
    created_in_db = False
    try:
        config_text = _config_text(course_id, db_url if external_db else None, exchange)
        write_text_atomic(build / CONFIG_FILENAME, config_text, mode=config_mode(config_text))
        make_exchange_root(exchange_dir if exchange else build / "exchange")
        for stage in STAGES:
            install_source(build, stage.slug, calendar)
        build_db = db_url if external_db else sqlite_url(build)
        with Gradebook(build_db, course_id) as gb:
            created_in_db = True
            for stage in STAGES:
                due = calendar.due.get(stage.slug)
                gb.update_or_create_assignment(stage.slug, duedate=due_datetime(due, timezone) if due else None)
            put_students(gb, participants)
        if not external_db:
            (build / "gradebook.db").chmod(PRIVATE_FILE_MODE)
        info = CourseRecord(root=target, course_id=course_id, calendar=calendar, timezone=timezone, homes=homes,
                          participants=tuple(participants),
                          created_at=_dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                          extra={"location": str(target)})
        write_text_atomic(build / COURSE_FILENAME, info.to_json(), mode=PRIVATE_FILE_MODE)
        if target.exists():
            target.rmdir()  # empty (checked above)
        os.rename(build, target)
        return info
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        if external_db and created_in_db:
            _remove_course_from_db(db_url, course_id, [p.id for p in participants])
        raise


def put_students(gb, participants) -> None:
    """Create or update each roster participant as an nbgrader student of gradebook ``gb``."""
    for p in participants:
        gb.update_or_create_student(p.id, first_name=p.first_name, last_name=p.last_name, email=p.email or None)


def _remove_course_from_db(db_url: str, course_id: str, student_ids: list[str]) -> None:
    """Best effort after a failed ``create_course``: the original error is what gets reported."""
    import contextlib

    from nbgrader.api import Gradebook, InvalidEntry, MissingEntry
    from sqlalchemy.exc import SQLAlchemyError

    quiet = (MissingEntry, InvalidEntry, SQLAlchemyError)
    with contextlib.suppress(*quiet), Gradebook(db_url, course_id) as gb:
        for stage in STAGES:
            with contextlib.suppress(*quiet):
                gb.remove_assignment(stage.slug)
        for sid in student_ids:
            with contextlib.suppress(*quiet):
                gb.remove_student(sid)


def relocate(course_dir: str | os.PathLike, *, db_url: str | None = None,
             exchange: str | os.PathLike | None = None) -> list[str]:
    """Re-root a copied or moved course on its own folder; returns what changed (for the trainer).

    The where-lines of ``nbgrader_config.py`` become relative to the file (older lablib wrote
    absolute paths), and the course record notes this folder as the course's location, so
    ``Course.open`` accepts it. A SQLite gradebook and an exchange that were inside the old
    folder become this folder's; a PostgreSQL gradebook or an outside exchange is kept (this
    is a move) unless ``db_url`` / ``exchange`` give new ones (a copy with its own gradebook
    must be given a database that already holds a copy of the course). Everything else in the
    config, including the trainer's own edits, stays as it is.
    """
    root = Path(course_dir).resolve()
    info = load_course(root)
    config = load_config(root)
    cd = config.CourseDirectory if "CourseDirectory" in config else {}
    old_root = Path(str(cd.get("root") or root))
    old_url = str(cd.get("db_url") or "")
    old_exchange = config.Exchange.get("root") if "Exchange" in config else None
    changes = []
    if db_url:
        url = normalize_db_url(db_url)
        if not url.startswith("sqlite"):
            _check_database_reachable(url)
        changes.append(f"gradebook: {hide_password(url)}")
    elif old_url and not old_url.startswith("sqlite"):
        url = old_url
    else:
        url = None  # the folder's own gradebook.db
        if not (root / "gradebook.db").is_file():
            raise CourseError(f"{root / 'gradebook.db'} tidak ada; salin gradebook.db kursus asli ke folder ini "
                              f"dulu (atau beri --db-url).")
    if exchange:
        ex = Path(exchange).resolve()
        changes.append(f"exchange: {ex}")
    elif old_exchange and not is_within(Path(str(old_exchange)), old_root) and \
            not is_within(Path(str(old_exchange)), root):
        ex = Path(str(old_exchange))
    else:
        ex = None  # the folder's own exchange/
    text = (root / CONFIG_FILENAME).read_text(encoding="utf-8")
    body = _WHERE_RE.sub("", text)
    head = "c = get_config()  # noqa: F821\n"
    if head not in body:
        raise CourseError(f"{root / CONFIG_FILENAME} tidak memuat baris '{head.strip()}'; tulis ulang berkas ini "
                          f"dengan 'lablib init' di folder lain lalu salin bagian yang diubah.")
    where = _where_lines(info.course_id, url, ex)
    body = body.replace(head, head + "\n" + where, 1)
    if not re.search(r"^import os$", body, re.MULTILINE):
        body = "import os\n" + body
    write_text_atomic(root / CONFIG_FILENAME, body, mode=config_mode(body))
    if old_root.resolve() != root:
        changes.insert(0, f"folder kursus: {old_root} → {root}")
    moved = dataclasses.replace(info, extra={**info.extra, "location": str(root)})
    write_text_atomic(root / COURSE_FILENAME, moved.to_json(), mode=PRIVATE_FILE_MODE)
    return changes or [f"folder kursus: {root} (tidak ada yang berubah)"]


def is_within(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def _check_database_reachable(db_url: str) -> None:
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.exc import SQLAlchemyError

    try:
        engine = create_engine(db_url, future=True)
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
        engine.dispose()
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CourseError(f"basis data {hide_password(db_url)} tidak dapat dihubungi: {first}") from None
    if "assignment" not in tables:
        raise CourseError(f"basis data {hide_password(db_url)} belum berisi gradebook nbgrader; pulihkan "
                          f"salinan gradebook kursus ke sana dulu.")
