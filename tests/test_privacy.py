"""Private by default: on a shared server a participant can read none of the cohort's data,
cannot submit in another's name, and cannot break the exchange for everyone.

The first tests check modes (any user); the last one runs a real course with two real,
non-root OS users (created with useradd, removed afterwards; skipped when not root, because
permission bits do not stop root): participant A submits model answers; participant B, as
B, tries to read A's answers, A's submission, the gradebook, the roster and the course
folder, submits in A's name (nbgrader issue #1097), plants a symbolic link in the inbound
folder, and tries to rename the course's exchange folder.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from conftest import BIN

from lablib import cli
from lablib.core.answers import HISTORY_DIR, AnswerStore
from lablib.course.course import Course
from lablib.course.modes import config_mode
from lablib.course.privacy import privacy_problems, protect_course
from lablib.course.roster import Participant, write_roster
from lablib.curriculum.samples import model_answers
from lablib.curriculum.scoring import score_answers

STAGE = "drum-up"
ANSWERS = "jawaban-drum-up.json"


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def make_course(root: Path, ids=("ani", "budi"), *extra: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    roster = root / "peserta.csv"
    roster.write_text("id,nama,opd,jabatan,email\n" + "".join(f"{i},Peserta {i},Dinas Uji,Staf,\n" for i in ids),
                      encoding="utf-8")
    course = root / "kursus"
    assert cli.main(["init", str(course), "--roster", str(roster), "--course-id", "uji-privat", *extra]) == 0
    return course


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """One course made by ``lablib init`` (with the course's own exchange), copied by each test."""
    return make_course(tmp_path_factory.mktemp("vorlage"))


def copy_of(made: Path, root: Path) -> Path:
    """A copy of the made course, modes and all (a course folder moves by itself)."""
    course = root / "kursus"
    shutil.copytree(made, course, symlinks=True)
    return course


# ----------------------------------------------------------------------------- modes, any user


def test_a_new_course_is_private_and_its_exchange_root_is_sticky(tmp_path, capsys, made):
    course = make_course(tmp_path, ("ani",), "--exchange", str(tmp_path / "bersama" / "exchange"))
    out = capsys.readouterr().out
    assert "0700" in out
    assert mode(course) == 0o700
    assert mode(course / "gradebook.db") == 0o600
    assert mode(course / "lablib-course.json") == 0o600
    assert mode(course / "nbgrader_config.py") == 0o644  # no password in it
    assert mode(tmp_path / "bersama" / "exchange") == 0o1777
    assert privacy_problems(Course.open(course)) == []
    assert "hanya untuk satu komputer" not in out
    assert mode(made) == 0o700
    assert mode(made / "exchange") == 0o1777  # the course's own exchange (one computer only)


def test_release_puts_the_sticky_bit_on_the_inbound_folder(tmp_path, made):
    course = copy_of(made, tmp_path)
    assert cli.main(["release", STAGE, "--course", str(course)]) == 0
    inbound = course / "exchange" / "uji-privat" / "inbound"
    # nbgrader's "write, no read" (with setgid) stays; the sticky bit keeps anyone from renaming
    # or deleting a submission that is not theirs
    assert mode(inbound) == 0o3733
    assert mode(course / "exchange" / "uji-privat") == 0o755


def test_protect_tightens_an_existing_course_and_status_warns_until_then(tmp_path, capsys, made):
    course = copy_of(made, tmp_path)
    config = course / "nbgrader_config.py"
    # an older course: made with the umask, and a config that names a password
    config.write_text(config.read_text(encoding="utf-8")
                      + "\n# cadangan: postgresql://lab:rahasia@db.local/kursus\n", encoding="utf-8")
    for path, m in ((course, 0o755), (course / "gradebook.db", 0o644), (course / "lablib-course.json", 0o644),
                    (config, 0o644)):
        path.chmod(m)
    (course / "submitted").mkdir(mode=0o755)
    (course / "submitted").chmod(0o755)
    capsys.readouterr()
    assert cli.main(["status", "--course", str(course)]) == 0
    out = capsys.readouterr().out
    assert "dapat dibaca pengguna lain" in out and "lablib protect" in out
    assert cli.main(["protect", "--course", str(course)]) == 0
    out = capsys.readouterr().out
    assert "diperketat" in out and f"{course}: 755 → 700" in out
    assert (mode(course), mode(course / "gradebook.db"), mode(course / "lablib-course.json"), mode(config),
            mode(course / "submitted")) == (0o700, 0o600, 0o600, 0o600, 0o700)
    assert cli.main(["protect", "--course", str(course)]) == 0
    assert "sudah privat" in capsys.readouterr().out
    assert cli.main(["status", "--course", str(course)]) == 0
    assert "dapat dibaca pengguna lain" not in capsys.readouterr().out


def test_a_config_holding_a_password_is_for_its_owner_only():
    assert config_mode("c.CourseDirectory.db_url = 'postgresql+psycopg2://lab:s3cr3t@db:5432/kursus'") == 0o600
    assert config_mode("c.CourseDirectory.db_url = 'postgresql://db.local/kursus'") == 0o644
    assert config_mode('c.CourseDirectory.db_url = f"sqlite:///{os.path.join(here, \'gradebook.db\')}"') == 0o644


def test_protect_never_widens_and_never_follows_a_link(tmp_path, made):
    course = copy_of(made, tmp_path)
    (course / "gradebook.db").chmod(0o400)  # stricter than the default: kept
    outside = tmp_path / "di-luar"
    outside.mkdir(mode=0o755)
    outside.chmod(0o755)
    (course / "feedback").symlink_to(outside)
    assert protect_course(Course.open(course)) == []
    assert mode(course / "gradebook.db") == 0o400 and mode(outside) == 0o755


def test_add_participants_and_relocate_keep_the_record_private(tmp_path, made):
    course = copy_of(made, tmp_path)
    (course / "lablib-course.json").chmod(0o644)  # widened by hand
    more = tmp_path / "susulan.csv"
    more.write_text("id,nama,opd,jabatan,email\ncitra,Citra,Dinas C,Staf,\n", encoding="utf-8")
    assert cli.main(["add-participants", "--roster", str(more), "--course", str(course)]) == 0
    assert mode(course / "lablib-course.json") == 0o600
    moved = tmp_path / "pindah"
    shutil.move(course, moved)
    assert cli.main(["relocate", "--course", str(moved)]) == 0
    assert mode(moved / "lablib-course.json") == 0o600 and mode(moved / "nbgrader_config.py") == 0o644


def test_a_written_roster_is_for_its_owner_only(tmp_path):
    path = write_roster(tmp_path / "peserta.csv", [Participant("ani", "Ani", "Dinas A", "Staf", "ani@contoh.go.id")])
    assert mode(path) == 0o600 and "ani@contoh.go.id" in path.read_text(encoding="utf-8")


def test_the_answers_history_is_as_private_as_the_answers_file(tmp_path):
    folder = tmp_path / STAGE
    folder.mkdir()
    (folder / HISTORY_DIR).mkdir(mode=0o755)  # made by an older lablib with the umask
    (folder / HISTORY_DIR).chmod(0o755)
    store = AnswerStore(folder, STAGE)
    store.save(model_answers(STAGE), snapshot=True)
    store.save({}, snapshot=True)  # the first version goes into the history
    versions = list((folder / HISTORY_DIR).glob("*.json"))
    assert versions
    assert mode(store.path) == 0o600
    assert {mode(v) for v in versions} == {mode(store.path)}
    assert mode(folder / HISTORY_DIR) == 0o700


# ----------------------------------------------------------------------------- real OS users


def _root_reason() -> str:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root: permission bits do not stop root, so other participants must be real OS users"
    if not shutil.which("useradd") or not shutil.which("userdel"):
        return "useradd/userdel not available"
    from os_users import closed_to_other_users

    return closed_to_other_users() or ""


# Where this venv's interpreter lives in a folder other users cannot enter (a pyenv build in
# /root), they run the system's Python of the same version with the venv's packages first on
# sys.path, the way a server would run them from a venv in /opt.
_SITECUSTOMIZE = """
import site, sys
before = list(sys.path)
site.addsitedir({site!r})
sys.path[:] = [p for p in sys.path if p not in before] + before
"""


class Users:
    """Real OS users with homes under ``base`` (0750, like Ubuntu's default), removed afterwards."""

    def __init__(self, base: Path):
        self.base, self.names = base, []
        self.python_cmd, self.pythonpath = [sys.executable], ""

    def find_python(self, name: str) -> None:
        """This venv's Python as ``name`` can run it (see ``_SITECUSTOMIZE``), or skip saying why."""
        try:
            if self.run(name, [sys.executable, "-c", "import lablib"], check=False).returncode == 0:
                return
        except PermissionError:  # the interpreter itself is out of reach
            pass
        system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
        if not system.is_file():
            pytest.skip(f"{sys.executable} cannot be run by other users and there is no {system}")
        boot = self.base / "boot"
        boot.mkdir(mode=0o755)
        boot.chmod(0o755)
        site_dir = next(p for p in sys.path if p.endswith("site-packages") and p.startswith(sys.prefix))
        (boot / "sitecustomize.py").write_text(_SITECUSTOMIZE.format(site=site_dir), encoding="utf-8")
        (boot / "sitecustomize.py").chmod(0o644)
        self.python_cmd, self.pythonpath = [str(system)], str(boot)
        self.run(name, [*self.python_cmd, "-c", "import lablib, nbgrader"])

    def add(self, prefix: str) -> str:
        name = f"{prefix}{secrets.token_hex(3)}"
        home = self.base / "rumah" / name
        subprocess.run(["useradd", "-M", "-U", "-d", str(home), "-s", "/bin/sh", name], check=True,
                       capture_output=True)
        self.names.append(name)
        home.mkdir(parents=True)
        shutil.chown(home, name, name)
        home.chmod(0o750)
        return name

    def home(self, name: str) -> Path:
        return self.base / "rumah" / name

    def run(self, name: str, args: list[str], cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
        """``args`` as ``name``: that user's uid, gid and no other group (not root's), a clean environment."""
        env = {"HOME": str(self.home(name)), "USER": name, "LOGNAME": name, "LANG": "C.UTF-8",
               "PATH": f"{BIN}:/usr/bin:/bin", **({"PYTHONPATH": self.pythonpath} if self.pythonpath else {})}
        proc = subprocess.run(args, cwd=cwd or self.home(name), env=env, user=name, group=name, extra_groups=[],
                              capture_output=True, text=True, timeout=300)
        if check and proc.returncode != 0:
            raise AssertionError(f"{name}: {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
        return proc

    def python(self, name: str, code: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run(name, [*self.python_cmd, "-c", textwrap.dedent(code)], check=check)

    def nbgrader(self, name: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return self.run(name, [*self.python_cmd, "-m", "nbgrader", *args], cwd=cwd)

    def remove(self) -> None:
        for name in self.names:
            subprocess.run(["userdel", name], capture_output=True)
            subprocess.run(["groupdel", name], capture_output=True)  # where userdel left the group


def _owner(path: Path) -> str:
    import pwd

    return pwd.getpwuid(os.lstat(path).st_uid).pw_name  # the entry itself: a link is not followed


TRY_READS = """
import json, os, sys
results = {}
for what, action, path in json.loads(sys.argv[1]):
    try:
        if action == "list":
            os.listdir(path)
        else:
            with open(path, "rb") as fh:
                fh.read(1)
        results[what] = "read"
    except OSError as exc:
        results[what] = type(exc).__name__
print(json.dumps(results))
"""

TRY_RENAMES = """
import json, os, sys
results = {}
for what, src, dst in json.loads(sys.argv[1]):
    try:
        os.rename(src, dst)
        results[what] = "renamed"
    except OSError as exc:
        results[what] = type(exc).__name__
print(json.dumps(results))
"""


@pytest.mark.slow
@pytest.mark.skipif(bool(_root_reason()), reason=_root_reason() or "root")
def test_as_another_participant_nothing_of_the_cohort_can_be_read_or_replaced():
    base = Path(tempfile.mkdtemp(prefix="lbp-", dir="/tmp"))
    base.chmod(0o755)  # the server's shared part: homes, the exchange
    users = Users(base)
    try:
        _scenario(base, users)
    finally:
        users.remove()
        shutil.rmtree(base, ignore_errors=True)


def _scenario(base: Path, users: Users) -> None:
    a, b = users.add("lbpa"), users.add("lbpb")
    exchange = base / "exchange"
    roster = base / "peserta.csv"
    roster.write_text(f"id,nama,opd,jabatan,email\n{a},Peserta A,Dinas A,Staf,a@contoh.go.id\n"
                      f"{b},Peserta B,Dinas B,Staf,\n", encoding="utf-8")
    course = base / "kursus"
    assert cli.main(["init", str(course), "--roster", str(roster), "--course-id", "uji-privat",
                     "--exchange", str(exchange), "--homes", str(base / "rumah" / "{id}")]) == 0
    assert cli.main(["release", STAGE, "--course", str(course)]) == 0
    nb = ["--course=uji-privat", f"--Exchange.root={exchange}"]
    users.find_python(a)

    # A and B fetch; A saves model answers and submits; B submits empty answers
    for who, answers in ((a, model_answers(STAGE)), (b, {})):
        users.nbgrader(who, "fetch_assignment", STAGE, *nb)
        users.python(who, f"""
            from lablib.core.answers import AnswerStore
            store = AnswerStore({str(users.home(who) / STAGE)!r}, {STAGE!r})
            store.save({answers!r}, snapshot=True)
            store.save({answers!r}, snapshot=True)  # a history version too
        """)
        users.nbgrader(who, "submit", STAGE, *nb, cwd=users.home(who))
    a_work = users.home(a) / STAGE / ANSWERS
    history = users.home(a) / STAGE / HISTORY_DIR
    assert mode(a_work) == 0o600 and mode(history) == 0o700
    assert {mode(p) for p in history.iterdir()} == {mode(a_work)}

    # B, as B: a submission in A's name (nbgrader #1097), newer than A's own
    users.nbgrader(b, "submit", STAGE, *nb, f"--student={a}", cwd=users.home(b))
    # ... and a link in the inbound folder, in B's own name and newest, to A's working folder
    later = (_dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    inbound = exchange / "uji-privat" / "inbound"
    planted = inbound / f"{b}+{STAGE}+{later}+tautan"
    users.python(b, f"import os; os.symlink({str(users.home(a) / STAGE)!r}, {str(planted)!r})")
    owners = {p.name: _owner(p) for p in inbound.iterdir()}
    assert sorted(owners.values()) == sorted([a, b, b, b]), owners

    collected = subprocess.run([str(BIN / "lablib"), "collect", STAGE, "--course", str(course)], capture_output=True,
                               text=True, env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}, timeout=300)
    out = collected.stdout
    assert collected.returncode == 0 and "Traceback" not in out + collected.stderr, out + collected.stderr
    forged = [ln for ln in out.splitlines() if ln.startswith("DITOLAK") and f"atas nama {a} " in ln]
    assert len(forged) == 1 and f"dibuat oleh pengguna {b}, bukan oleh {a}" in forged[0], out
    assert f"pengumpulan {a} sendiri yang dipakai" in forged[0], out
    link = [ln for ln in out.splitlines() if ln.startswith("DITOLAK") and "tautan simbolik" in ln]
    assert len(link) == 1 and planted.name in link[0] and f"atas nama {b}" in link[0], out

    # A's own submission was collected, B's own (empty) one for B: nobody got the other's answers
    a_collected = json.loads((course / "submitted" / a / STAGE / ANSWERS).read_text(encoding="utf-8"))
    b_collected = json.loads((course / "submitted" / b / STAGE / ANSWERS).read_text(encoding="utf-8"))
    assert a_collected["answers"] == json.loads(a_work.read_text(encoding="utf-8"))["answers"] != {}
    assert b_collected["answers"] == {}

    # graded: A's grade is that of A's own answers, B's that of empty answers
    # (nbgrader's own autograde with the course's config: what formgrader runs too)
    graded = subprocess.run([str(BIN / "nbgrader"), "autograde", STAGE], cwd=course, capture_output=True, text=True,
                            env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}, timeout=600)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    with Course.open(course).gradebook() as gb:
        scores = {who: round(sum(g.auto_score or 0 for n in gb.find_submission(STAGE, who).notebooks
                                 for g in n.grades), 4) for who in (a, b)}
    full, empty = score_answers(STAGE, model_answers(STAGE)).earned, score_answers(STAGE, {}).earned
    assert full > empty
    assert scores == {a: round(full, 4), b: round(empty, 4)}, scores

    # B, as B, can read none of it
    targets = [
        ("jawaban A", "read", str(a_work)),
        ("riwayat A", "list", str(history)),
        ("exchange inbound", "list", str(inbound)),
        ("pengumpulan A di kursus", "read", str(course / "submitted" / a / STAGE / ANSWERS)),
        ("gradebook", "read", str(course / "gradebook.db")),
        ("daftar peserta", "read", str(course / "lablib-course.json")),
        ("folder kursus", "list", str(course)),
    ]
    got = json.loads(users.python(b, TRY_READS.replace("sys.argv[1]", repr(json.dumps(targets)))).stdout)
    assert got == {what: "PermissionError" for what, _, _ in targets}, got
    # the control: what B may read, B reads (the probe itself works)
    own = json.loads(users.python(b, TRY_READS.replace(
        "sys.argv[1]", repr(json.dumps([("jawaban B", "read", str(users.home(b) / STAGE / ANSWERS)),
                                        ("rilis", "list", str(exchange / "uji-privat" / "outbound" / STAGE))])))).stdout)
    assert own == {"jawaban B": "read", "rilis": "read"}, own

    # B cannot rename the course's exchange folder, the inbound folder or A's submission
    a_entry = next(p for p in inbound.iterdir() if p.name.startswith(f"{a}+") and _owner(p) == a)
    loose = base / "longgar"  # a folder like the exchange without the sticky bit: B could (proves the probe)
    loose.mkdir()
    loose.chmod(0o777)
    (loose / "milik-root").mkdir()
    renames = [("folder kursus di exchange", str(exchange / "uji-privat"), str(exchange / "dicuri")),
               ("inbound", str(inbound), str(exchange / "uji-privat" / "x")),
               ("pengumpulan A", str(a_entry), str(inbound / f"{b}+{STAGE}+curian"))]
    got = json.loads(users.python(b, TRY_RENAMES.replace("sys.argv[1]", repr(json.dumps(renames)))).stdout)
    assert got == {what: "PermissionError" for what, _, _ in renames}, got
    assert (exchange / "uji-privat" / "outbound" / STAGE).is_dir() and a_entry.is_dir()
    got = json.loads(users.python(b, TRY_RENAMES.replace("sys.argv[1]", repr(json.dumps(
        [("tanpa sticky bit", str(loose / "milik-root"), str(loose / "dicuri"))])))).stdout)
    assert got == {"tanpa sticky bit": "renamed"}, got
