"""Sessions: one shared answers dict per (folder, stage), saved once after a burst of changes,
telling its open forms; no widgets needed (the forms themselves are tested in test_forms.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import lablib.notebook.sessions as S
from lablib.core.answers import AnswerStore, save_answers


@pytest.fixture(autouse=True)
def fresh_sessions(monkeypatch):
    monkeypatch.setattr(S, "DEBOUNCE_SECONDS", 0.01)
    S.reset_sessions()
    yield
    S.reset_sessions()


class View:
    """Stands in for an open form: counts what the session asks of it."""

    def __init__(self) -> None:
        self.refreshed = 0
        self.statuses = 0

    def refresh(self) -> None:
        self.refreshed += 1

    def show_status(self) -> None:
        self.statuses += 1


def on_disk(folder: Path, stage: str) -> dict:
    return json.loads((folder / f"jawaban-{stage}.json").read_text(encoding="utf-8"))["answers"]


def test_one_folder_and_stage_share_one_session(tmp_path):
    (tmp_path / "sub").mkdir()
    session = S.session_for(tmp_path, "diagnose")
    assert session is S.session_for(tmp_path / "sub" / "..", "diagnose")
    assert session is not S.session_for(tmp_path, "design")


def test_a_burst_of_changes_is_saved_once(tmp_path, monkeypatch):
    saves = []
    real_save = AnswerStore.save

    def counting_save(self, answers, *, snapshot=False):
        saves.append(snapshot)
        return real_save(self, answers, snapshot=snapshot)

    monkeypatch.setattr(AnswerStore, "save", counting_save)
    session = S.session_for(tmp_path, "diagnose")
    for word in ("A", "An", "Ant", "Antrean"):
        session.set_value("diagnose.dg1", "justifikasi", word)
    assert session.wait()
    assert [False] == saves
    assert {"diagnose.dg1": {"justifikasi": "Antrean"}} == on_disk(tmp_path, "diagnose")
    assert not session.dirty and session.saved_at


def test_only_the_changed_field_is_written_and_other_entries_are_kept(tmp_path):
    keep = {"diagnose.dg1": {"justifikasi": "lama", "catatan": [1, 2]}, "kunci_lain": "tetap"}
    save_answers(tmp_path, "diagnose", keep)
    session = S.session_for(tmp_path, "diagnose")
    session.set_value("diagnose.dg1", "justifikasi", "baru")
    session.flush()
    assert {**keep, "diagnose.dg1": {"justifikasi": "baru", "catatan": [1, 2]}} == on_disk(tmp_path, "diagnose")


def test_open_forms_are_told_of_changes_and_refreshed_after_an_import(tmp_path):
    session = S.session_for(tmp_path, "design")
    view = View()
    session.forms.add(view)
    session.set_value("design.ds1", "ide", "Jemput bola")
    assert view.statuses >= 1
    assert S.apply_import(tmp_path, "design", {"diagnose.dg1": {"masalah_terpilih": "Antrean"}})
    assert 1 == view.refreshed
    assert {"design.ds1": {"ide": "Jemput bola"}, "diagnose.dg1": {"masalah_terpilih": "Antrean"}} == \
        on_disk(tmp_path, "design")


def test_apply_import_is_false_when_no_session_is_open(tmp_path):
    assert not S.apply_import(tmp_path, "design", {"diagnose.dg1": {}})
    assert not (tmp_path / "jawaban-design.json").exists()


def test_a_failed_save_is_kept_as_an_error_and_never_raises(tmp_path, monkeypatch):
    def disk_full(self, answers, *, snapshot=False):
        raise OSError(28, "No space left on device")

    session = S.session_for(tmp_path, "diagnose")
    session.set_value("diagnose.dg1", "justifikasi", "Alasan")
    monkeypatch.setattr(AnswerStore, "save", disk_full)
    assert session.flush() is False
    assert session.dirty and "Jawaban BELUM tersimpan: disk penuh" in str(session.error)
    assert {"justifikasi": "Alasan"} == session.entry("diagnose.dg1")  # still in memory
    monkeypatch.undo()
    monkeypatch.setattr(S, "DEBOUNCE_SECONDS", 0.01)
    assert session.flush() is True
    assert session.error is None and "Alasan" == on_disk(tmp_path, "diagnose")["diagnose.dg1"]["justifikasi"]


def test_a_file_rewritten_by_another_program_is_read_again(tmp_path):
    save_answers(tmp_path, "diagnose", {"diagnose.dg1": {"justifikasi": "lama"}})
    session = S.session_for(tmp_path, "diagnose")
    save_answers(tmp_path, "diagnose", {"diagnose.dg1": {"justifikasi": "dari kernel lain"}})
    path = tmp_path / "jawaban-diagnose.json"
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))  # coarse file clocks
    assert session is S.session_for(tmp_path, "diagnose")
    assert {"justifikasi": "dari kernel lain"} == session.entry("diagnose.dg1")


def test_reset_sessions_saves_pending_changes(tmp_path, monkeypatch):
    monkeypatch.setattr(S, "DEBOUNCE_SECONDS", 60)
    S.session_for(tmp_path, "diagnose").set_value("diagnose.dg1", "justifikasi", "belum tersimpan")
    S.reset_sessions()
    assert {"justifikasi": "belum tersimpan"} == on_disk(tmp_path, "diagnose")["diagnose.dg1"]


def test_sessions_save_in_plain_python_without_ipywidgets(tmp_path):
    code = ("import sys, lablib.notebook.sessions as S; s = S.session_for(sys.argv[1], 'diagnose'); "
            "s.set_value('diagnose.dg1', 'justifikasi', 'x'); print(s.wait(), 'ipywidgets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    assert "True False" == out.stdout.strip()
    assert {"justifikasi": "x"} == on_disk(tmp_path, "diagnose")["diagnose.dg1"]


def test_two_kernels_on_one_stage_keep_both_answers(tmp_path):
    # two kernels = two Session objects on one folder (a second tab, or the notebook opened twice)
    first, second = S.Session(tmp_path, "diagnose"), S.Session(tmp_path, "diagnose")
    view = View()
    second.forms.add(view)
    first.set_value("diagnose.dg1", "justifikasi", "dari tab pertama")
    first.set_value("diagnose.dg2", "akar", "SDM kurang")
    assert first.flush()
    second.set_value("diagnose.dg1", "catatan", "dari tab kedua")
    second.set_value("diagnose.dg2", "akar", "Jarak jauh")  # the same field: the later change wins
    assert second.flush()

    assert {"diagnose.dg1": {"justifikasi": "dari tab pertama", "catatan": "dari tab kedua"},
            "diagnose.dg2": {"akar": "Jarak jauh"}} == on_disk(tmp_path, "diagnose")
    assert second.answers == on_disk(tmp_path, "diagnose")  # and the second tab shows it
    assert view.refreshed == 1 and "tab atau kernel lain" in str(second.notices[-1])
    # the first kernel merges the same way on its next save, losing nothing of the second's
    first.set_value("diagnose.dg1", "justifikasi", "diperbaiki")
    assert first.flush()
    assert {"diagnose.dg1": {"justifikasi": "diperbaiki", "catatan": "dari tab kedua"},
            "diagnose.dg2": {"akar": "Jarak jauh"}} == on_disk(tmp_path, "diagnose")


def test_a_session_that_alone_writes_its_file_never_merges(tmp_path):
    session = S.Session(tmp_path, "diagnose")
    view = View()
    session.forms.add(view)
    for word in ("satu", "dua"):
        session.set_value("diagnose.dg1", "justifikasi", word)
        assert session.flush()
    assert view.refreshed == 0 and not session.notices


def test_a_rewrite_is_noticed_even_when_inode_mtime_and_size_repeat(tmp_path):
    # within one clock tick a freed inode is reused and two saves of one size look the same
    first, second = S.Session(tmp_path, "diagnose"), S.Session(tmp_path, "diagnose")
    first.set_value("diagnose.dg1", "justifikasi", "AAAA")
    assert first.flush()
    second.set_value("diagnose.dg1", "catatan", "dari kedua")  # second has not seen first's save
    path = tmp_path / "jawaban-diagnose.json"
    before = path.stat()
    with path.open("r+b") as fh:  # another program rewrites it in place: same inode and size
        fh.write(path.read_bytes().replace(b"AAAA", b"BBBB"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the same mtime
    assert (before.st_ino, before.st_size, before.st_mtime_ns) == \
        (path.stat().st_ino, path.stat().st_size, path.stat().st_mtime_ns)
    first.set_value("diagnose.dg2", "akar", "SDM")
    assert first.flush()  # merges the rewrite instead of wiping it
    assert second.flush()
    assert {"diagnose.dg1": {"justifikasi": "BBBB", "catatan": "dari kedua"},
            "diagnose.dg2": {"akar": "SDM"}} == on_disk(tmp_path, "diagnose")


def test_the_merge_is_one_critical_section_with_the_save(tmp_path, monkeypatch):
    # another kernel saving between this one's read and its write would be wiped by it: the
    # lock makes that kernel wait until this save is on disk, then merge
    first, second = S.Session(tmp_path, "diagnose"), S.Session(tmp_path, "diagnose")
    first.set_value("diagnose.dg1", "justifikasi", "pertama")
    assert first.flush()
    rival = subprocess.Popen([sys.executable, "-c", RIVAL, str(tmp_path)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    assert "ready" == rival.stdout.readline().strip()
    real_save = AnswerStore.save

    def save_while_the_rival_saves(self, answers, *, snapshot=False):
        rival.stdin.write("go\n")  # after this session's read, before its write
        rival.stdin.flush()
        time.sleep(0.3)
        return real_save(self, answers, snapshot=snapshot)

    monkeypatch.setattr(AnswerStore, "save", save_while_the_rival_saves)
    second.set_value("diagnose.dg1", "catatan", "kedua")
    assert second.flush()
    monkeypatch.undo()
    assert "saved" == rival.stdout.readline().strip() and 0 == rival.wait(timeout=30)
    assert {"diagnose.dg1": {"justifikasi": "pertama", "catatan": "kedua"},
            "diagnose.dg2": {"akar": "dari proses lain"}} == on_disk(tmp_path, "diagnose")


RIVAL = """
import sys
import lablib.notebook.sessions as S
s = S.Session(sys.argv[1], "diagnose")
s.set_value("diagnose.dg2", "akar", "dari proses lain")
print("ready", flush=True)
sys.stdin.readline()
print("saved" if s.flush() else "failed", flush=True)
"""
