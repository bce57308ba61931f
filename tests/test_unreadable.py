"""Trainer views survive real servers (issue 11): what the trainer's account cannot read is
*tidak terbaca*, and ``status``, ``status --live``, ``export`` and ``report`` carry on.

Run for real: the commands run as a non-root OS user (the trainer, owner of the course), with
participant homes and answers files that belong to root and are closed to others (0700 homes,
Ubuntu's 0750 without the trainer in the group, 0600 files). Root reads everything, so without
root there is no one to create such a trainer: the tests skip then.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from _cohort import cohort_course, copy_course

from lablib.core.answers import save_answers
from lablib.curriculum.samples import model_answers

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("unreadable")]
TRAINER = "lbpelatih"


@pytest.fixture(scope="module")
def trainer():
    if os.geteuid() != 0:
        pytest.skip("needs root to create a non-root trainer account (root reads every file)")
    if shutil.which("useradd") is None:
        pytest.skip("useradd is not available to create a trainer account")
    from os_users import closed_to_other_users

    if closed_to_other_users():  # a clone in a private folder: the trainer account cannot run lablib
        pytest.skip(closed_to_other_users())
    import pwd

    created = False
    try:
        pwd.getpwnam(TRAINER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", TRAINER],
                       check=True, capture_output=True)
        created = True
    yield pwd.getpwnam(TRAINER)
    if created:
        subprocess.run(["userdel", TRAINER], check=False, capture_output=True)


@pytest.fixture(scope="module")
def python(trainer, server) -> str:
    """A Python the trainer's account may run (this venv's comes from root's 0700 home)."""
    from hub_helpers import readable_environment

    try:
        return str(readable_environment(server / "venv") / "python")
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"no Python another account can run: {exc}")


@pytest.fixture(scope="module")
def server(trainer, tmp_path_factory):
    """The cohort course owned by the trainer, with homes the trainer cannot (fully) read:

    - dedi's home is 0700 (root's): nothing in it can be seen;
    - citra saved Design in an open home, but the file is 0600 (root's);
    - budi submitted Deliver (collected, readable) and kept working: the newer working copy is 0600.
    """
    base = Path(tempfile.mkdtemp(prefix="lablib-unreadable-", dir="/tmp"))
    base.chmod(0o755)  # pytest's own temporary folder is root's 0700
    course = copy_course(cohort_course(tmp_path_factory), base / "kursus")
    record = json.loads((course / "lablib-course.json").read_text(encoding="utf-8"))
    record["homes"] = str(base / "rumah" / "{id}")
    (course / "lablib-course.json").write_text(json.dumps(record), encoding="utf-8")
    for pid in ("ani", "budi", "citra", "dedi"):
        (base / "rumah" / pid).mkdir(parents=True)
        (base / "rumah" / pid).chmod(0o755)
    save_answers(base / "rumah" / "dedi" / "design", "design", model_answers("design"))
    (base / "rumah" / "dedi").chmod(0o700)
    save_answers(base / "rumah" / "citra" / "design", "design", model_answers("design"))
    collected = course / "submitted" / "budi" / "deliver"
    save_answers(collected, "deliver", model_answers("deliver"))
    (collected / "timestamp.txt").write_text("2026-08-20 10:00:00.000000 UTC", encoding="utf-8")
    working = base / "rumah" / "budi" / "deliver"
    save_answers(working, "deliver", {})  # newer than the collected copy, and closed
    future = collected.joinpath("jawaban-deliver.json").stat().st_mtime_ns + 10**9
    os.utime(working / "jawaban-deliver.json", ns=(future, future))
    for home in ("budi", "citra"):
        for path in (base / "rumah" / home).rglob("*"):
            path.chmod(0o600 if path.is_file() else 0o755)
    subprocess.run(["chown", "-R", f"{trainer.pw_uid}:{trainer.pw_gid}", str(course)], check=True)
    (base / "pelatih").mkdir()
    subprocess.run(["chown", f"{trainer.pw_uid}:{trainer.pw_gid}", str(base / "pelatih")], check=True)
    yield base
    shutil.rmtree(base, ignore_errors=True)


def as_trainer(trainer, python: str, base: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": f"{Path(python).parent}:/usr/bin:/bin", "HOME": str(base / "pelatih"),
           "MPLCONFIGDIR": str(base / "pelatih" / "mpl"), "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([python, "-m", "lablib.cli", *args, "--course", str(base / "kursus")],
                          cwd=base / "pelatih", env=env, user=trainer.pw_uid, group=trainer.pw_gid,
                          extra_groups=[], capture_output=True, text=True, timeout=600)


def _row(table: str, pid: str) -> str:
    return next(line for line in table.splitlines() if line.startswith(pid + " "))


def test_the_trainer_really_cannot_read_them(trainer, python, server):
    probe = ("import sys\nfor p in sys.argv[1:]:\n    try:\n        open(p).close(); print('read')\n"
             "    except PermissionError:\n        print('denied')")
    out = subprocess.run([python, "-c", probe, str(server / "rumah" / "dedi" / "design" / "jawaban-design.json"),
                          str(server / "rumah" / "citra" / "design" / "jawaban-design.json"),
                          str(server / "kursus" / "lablib-course.json")],
                         user=trainer.pw_uid, group=trainer.pw_gid, extra_groups=[], capture_output=True, text=True)
    assert ["denied", "denied", "read"] == out.stdout.split()


def test_status_shows_tidak_terbaca_and_carries_on(trainer, python, server):
    proc = as_trainer(trainer, python, server, "status")
    assert 0 == proc.returncode, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "tidak terbaca" in _row(proc.stdout, "dedi")
    assert "tersimpan" in _row(proc.stdout, "citra")  # the file is there, only closed
    assert "folder 1 peserta tidak terbaca oleh akun pelatih (izin ditolak): dedi." in proc.stdout
    assert "dinilai" not in _row(proc.stdout, "ani") or "/" in _row(proc.stdout, "ani")  # ani's grades shown


def test_status_live_shows_the_problem_not_zero_and_falls_back_to_the_collected_copy(trainer, python, server):
    proc = as_trainer(trainer, python, server, "status", "--live")
    assert 0 == proc.returncode, proc.stderr
    citra, budi, dedi = (_row(proc.stdout, pid) for pid in ("citra", "budi", "dedi"))
    assert "~0/" not in citra and "tidak terbaca !" in citra
    assert "citra design: berkas jawaban tidak terbaca oleh akun pelatih" in proc.stdout
    # budi's newer working copy is closed: the collected copy (the model answers) is scored, and said so
    deliver = [cell for cell in budi.split("  ") if cell.startswith("dikumpulkan")]
    assert deliver and "~" in deliver[0] and "!" in deliver[0] and "~0/" not in deliver[0]
    assert "budi deliver: salinan kerja peserta tidak terbaca (izin ditolak); skor dari salinan yang dikumpulkan" \
        in proc.stdout
    assert "~" not in dedi and "tidak terbaca" in dedi


def test_export_writes_tidak_terbaca_and_every_participant(trainer, python, server):
    proc = as_trainer(trainer, python, server, "export")
    assert 0 == proc.returncode, proc.stderr
    with (server / "kursus" / "ekspor" / "nilai-per-latihan.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    assert {"ani", "budi", "citra", "dedi"} <= set(rows)
    assert "tidak terbaca" == rows["dedi"]["design: status"]


def test_report_is_written(trainer, python, server):
    proc = as_trainer(trainer, python, server, "report")
    assert 0 == proc.returncode, proc.stderr
    page = (server / "kursus" / "laporan" / "laporan-kohort.html").read_text(encoding="utf-8")
    assert "dedi" in page
    assert "Tidak terbaca" in page  # a column of the progress table: dedi's stages
