"""release, collect and status go through nbgrader's exchange classes (issue 11, item 4), and
collect from the filesystem exchange refuses what another user planted (item 2).

The first test configures, in the course's own ``nbgrader_config.py``, an exchange that is not
the filesystem one: ``Elsewhere*`` below keep released stages and submissions in a store of
their own layout, and ``Exchange.root`` points at a folder that does not exist. lablib's
release, status and collect work on it, so lablib reads no exchange path itself.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import BIN
from nbgrader.exchange import abc
from traitlets import Unicode

from lablib import cli
from lablib.core.answers import save_answers
from lablib.course.course import Course
from lablib.course.exchange import describe, is_filesystem, released, waiting
from lablib.course.status import status
from lablib.curriculum.samples import model_answers
from lablib.demo import ExchangeParticipant

STAGE = "drum-up"
ANSWERS = "jawaban-drum-up.json"
COURSE_ID = "uji-exchange"


# ----------------------------------------------------------------------------- another exchange


class Elsewhere(abc.Exchange):
    """A test exchange: ``<store>/<course>/rilis/<stage>/`` and ``<store>/<course>/masuk/<id>+<stage>+<time>/``."""

    store = Unicode("", help="where this exchange keeps everything").tag(config=True)

    def _course(self) -> Path:
        return Path(self.store) / self.coursedir.course_id

    def init_src(self):
        pass

    def init_dest(self):
        pass

    def copy_files(self):
        pass


class ElsewhereRelease(Elsewhere, abc.ExchangeReleaseAssignment):
    def copy_files(self):
        src = Path(self.coursedir.format_path(self.coursedir.release_directory, ".", self.coursedir.assignment_id))
        dest = self._course() / "rilis" / self.coursedir.assignment_id
        if dest.exists():
            if not self.force:
                self.fail(f"{dest} sudah ada")
            shutil.rmtree(dest)
        shutil.copytree(src, dest)


class ElsewhereList(Elsewhere, abc.ExchangeList):
    def _released(self) -> list[Path]:
        return sorted((self._course() / "rilis").glob(self.coursedir.assignment_id or "*"))

    def list_files(self):
        course_id = self.coursedir.course_id
        if not self.inbound:
            return [{"course_id": course_id, "assignment_id": p.name, "status": "released", "path": str(p),
                     "notebooks": []} for p in self._released()]
        groups: dict[tuple[str, str], list[dict]] = {}
        for entry in sorted((self._course() / "masuk").glob(f"*+{self.coursedir.assignment_id or '*'}+*")):
            student, stage, stamp = entry.name.split("+")
            groups.setdefault((student, stage), []).append(
                {"course_id": course_id, "student_id": student, "assignment_id": stage, "timestamp": stamp,
                 "status": "submitted", "path": str(entry)})
        return [{"course_id": course_id, "student_id": s, "assignment_id": a, "status": "submitted",
                 "submissions": subs} for (s, a), subs in groups.items()]

    def remove_files(self):
        found = self.list_files()
        for path in self._released():
            shutil.rmtree(path)
        return found


class ElsewhereCollect(Elsewhere, abc.ExchangeCollect):
    def copy_files(self):
        stage = self.coursedir.assignment_id
        newest: dict[str, Path] = {}
        for entry in sorted((self._course() / "masuk").glob(f"*+{stage}+*")):
            newest[entry.name.split("+")[0]] = entry  # sorted: the last is the newest
        for student, entry in newest.items():
            dest = Path(self.coursedir.format_path(self.coursedir.submitted_directory, student, stage))
            if dest.exists():
                if not self.update:
                    continue
                shutil.rmtree(dest)
            shutil.copytree(entry, dest)


def hand_in(store: Path, student: str, stage: str, answers: dict) -> Path:
    """What this exchange's participant side would do: the released folder with answers, stamped."""
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    entry = store / COURSE_ID / "masuk" / f"{student}+{stage}+{stamp}"
    shutil.copytree(store / COURSE_ID / "rilis" / stage, entry)
    save_answers(entry, stage, answers)
    (entry / "timestamp.txt").write_text(stamp, encoding="utf-8")
    return entry


def make_course(root: Path, ids=("ani", "budi")) -> Path:
    roster = root / "peserta.csv"
    roster.write_text("id,nama,opd,jabatan,email\n" + "".join(f"{i},Peserta {i},Dinas Uji,Staf,\n" for i in ids),
                      encoding="utf-8")
    course = root / "kursus"
    assert cli.main(["init", str(course), "--roster", str(roster), "--course-id", COURSE_ID]) == 0
    return course


def test_release_status_and_collect_work_on_a_configured_non_filesystem_exchange(tmp_path, capsys):
    course = make_course(tmp_path)
    store = tmp_path / "tempat-lain"
    nowhere = tmp_path / "tidak-ada"
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
        fh.write(f"\n# a plugin exchange (tests/test_exchange.py)\n"
                 f"c.ExchangeFactory.release_assignment = 'test_exchange.ElsewhereRelease'\n"
                 f"c.ExchangeFactory.list = 'test_exchange.ElsewhereList'\n"
                 f"c.ExchangeFactory.collect = 'test_exchange.ElsewhereCollect'\n"
                 f"c.Elsewhere.store = {str(store)!r}\n"
                 f"c.Exchange.root = {str(nowhere)!r}\n")
    opened = Course.open(course)
    assert not is_filesystem(opened) and describe(opened) == "exchange test_exchange.ElsewhereCollect"
    assert not released(opened, STAGE)
    capsys.readouterr()

    assert cli.main(["collect", STAGE, "--course", str(course)]) == 1  # not released: through the plugin's list
    assert "belum dirilis" in capsys.readouterr().err
    assert cli.main(["release", STAGE, "--course", str(course)]) == 0
    assert "test_exchange.ElsewhereCollect" in capsys.readouterr().out
    assert (store / COURSE_ID / "rilis" / STAGE / f"{STAGE}.ipynb").is_file()
    assert cli.main(["release", STAGE, "--course", str(course)]) == 0
    assert "sudah dirilis" in capsys.readouterr().out
    assert cli.main(["release", STAGE, "--course", str(course), "--force"]) == 0  # unrelease + release: the plugin's
    assert (store / COURSE_ID / "rilis" / STAGE / f"{STAGE}.ipynb").is_file()

    assert cli.main(["collect", STAGE, "--course", str(course)]) == 0
    assert "Belum ada pengumpulan tahap drum-up" in capsys.readouterr().out

    hand_in(store, "ani", STAGE, model_answers(STAGE))
    found = waiting(Course.open(course))
    assert list(found) == [STAGE] and list(found[STAGE]) == ["ani"]
    row = {p.id: p for p in status(course).participants}["ani"]
    assert row.stages[0].state == "dikumpulkan"

    capsys.readouterr()
    assert cli.main(["collect", STAGE, "--course", str(course)]) == 0
    out = capsys.readouterr().out
    assert "1 pengumpulan baru" in out and "Belum mengumpulkan (1): budi" in out
    assert "bukan exchange berkas nbgrader" in out and "tidak dapat memeriksa siapa" in out
    collected = json.loads((course / "submitted" / "ani" / STAGE / ANSWERS).read_text(encoding="utf-8"))
    assert collected["answers"] == json.loads(json.dumps(model_answers(STAGE)))

    # nothing went around the plugin: no exchange folder at the configured root, none in the course
    assert not nowhere.exists()
    assert list((course / "exchange").iterdir()) == []


# ----------------------------------------------------------------------------- the filesystem exchange


@pytest.fixture(scope="module")
def submitted(tmp_path_factory) -> Path:
    """A released course on nbgrader's filesystem exchange: ani submitted model answers, budi
    empty ones (nbgrader's own exchange classes, as ``nbgrader submit`` runs them)."""
    root = tmp_path_factory.mktemp("fs")
    course = make_course(root)
    assert cli.main(["release", STAGE, "--course", str(course)]) == 0
    for pid, answers in (("ani", model_answers(STAGE)), ("budi", {})):
        who = ExchangeParticipant(pid, root / "rumah" / pid, course / "exchange", root / "cache" / pid, COURSE_ID)
        save_answers(who.fetch(STAGE), STAGE, answers)
        who.submit(STAGE)
    return course


def _filesystem_course(made: Path, root: Path) -> tuple[Path, Path]:
    """A copy of ``made`` (modes, exchange and all; a course folder moves by itself)."""
    course = root / "kursus"
    shutil.copytree(made, course, symlinks=True)
    return course, course / "exchange" / COURSE_ID / "inbound"


def _later(minutes: int) -> str:
    return (_dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def _submitted_answers(course: Path, pid: str) -> dict:
    return json.loads((course / "submitted" / pid / STAGE / ANSWERS).read_text(encoding="utf-8"))["answers"]


def test_collect_refuses_links_and_files_planted_in_the_inbound_folder(tmp_path, capsys, submitted):
    course, inbound = _filesystem_course(submitted, tmp_path)
    ani_entry = next(p for p in inbound.iterdir() if p.name.startswith("ani+"))
    # budi's newest entries: a link to ani's submission, and a plain file
    (inbound / f"budi+{STAGE}+{_later(5)}+tautan").symlink_to(ani_entry)
    (inbound / f"budi+{STAGE}+{_later(6)}+berkas").write_text("bukan folder", encoding="utf-8")
    # an older entry of budi's whose notebook and secret are FIFOs: nbgrader's lister reads both
    # (looking for feedback), and would wait for a writer for ever
    fifos = inbound / f"budi+{STAGE}+2020-01-01 00:00:00.000000 UTC+pipa"
    fifos.mkdir()
    os.mkfifo(fifos / f"{STAGE}.ipynb")
    os.mkfifo(fifos / "submission_secret.txt")
    shown = subprocess.run([str(BIN / "lablib"), "status", "--course", str(course)], capture_output=True, text=True,
                           timeout=120, env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"})
    assert shown.returncode == 0, shown.stderr
    budi = next(ln for ln in shown.stdout.splitlines() if ln.startswith("budi "))
    assert "dikumpulkan" in budi, shown.stdout
    capsys.readouterr()
    assert cli.main(["collect", STAGE, "--course", str(course)]) == 0
    out = capsys.readouterr().out
    refused = [ln for ln in out.splitlines() if ln.startswith("DITOLAK")]
    assert len(refused) == 2, out
    assert any("+tautan" in ln and f"tautan simbolik ke {ani_entry}" in ln for ln in refused), out
    assert any("+berkas" in ln and "adalah berkas" in ln for ln in refused), out
    assert all("pengumpulan budi sendiri yang dipakai" in ln for ln in refused), out
    assert _submitted_answers(course, "budi") == {}  # budi's own, not ani's
    assert _submitted_answers(course, "ani") == json.loads(json.dumps(model_answers(STAGE)))
    assert (inbound / f"{ani_entry.name}").is_dir()  # the exchange keeps everything


def _root_reason() -> str:
    return "" if hasattr(os, "geteuid") and os.geteuid() == 0 else "needs root to give a file another owner"


@pytest.mark.skipif(bool(_root_reason()), reason=_root_reason() or "root")
def test_collect_refuses_an_entry_another_user_made_in_a_participants_name(tmp_path, capsys, submitted):
    course, inbound = _filesystem_course(submitted, tmp_path)
    stranger = 54321  # a uid with no login name: neither the participant nor the trainer
    ani_entry = next(p for p in inbound.iterdir() if p.name.startswith("ani+"))
    # newer than ani's own, in ani's name, with empty answers: it would lower ani's score
    forged = inbound / f"ani+{STAGE}+{_later(5)}+palsu"
    shutil.copytree(next(p for p in inbound.iterdir() if p.name.startswith("budi+")), forged)
    for path in [forged, *forged.rglob("*")]:
        os.lchown(path, stranger, stranger)
    # inside budi's own entry, a file someone else put there (nbgrader leaves the entry 0777)
    budi_entry = next(p for p in inbound.iterdir() if p.name.startswith("budi+") and p != forged)
    (budi_entry / "catatan.txt").write_text("bukan dari budi", encoding="utf-8")
    os.lchown(budi_entry / "catatan.txt", stranger, stranger)
    capsys.readouterr()
    assert cli.main(["collect", STAGE, "--course", str(course)]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if ln.startswith("DITOLAK"))
    assert forged.name in line and "atas nama ani dibuat oleh pengguna uid 54321, bukan oleh ani" in line, out
    assert "pengumpulan ani sendiri yang dipakai" in line
    assert _submitted_answers(course, "ani") == json.loads(json.dumps(model_answers(STAGE)))
    assert (course / "submitted" / "ani" / STAGE / "timestamp.txt").read_text() == \
        (ani_entry / "timestamp.txt").read_text()
    assert "catatan.txt (milik pengguna lain)" in out and not (course / "submitted" / "budi" / STAGE /
                                                                "catatan.txt").exists()
    assert _submitted_answers(course, "budi") == {}
