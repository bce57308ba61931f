"""Saving under faults, for real: two kernels saving one stage at once, a kernel killed in the
middle of a save, a full or read-only disk. An acknowledged save (``flush`` returned True) is
never lost, the file is never half written, and the participant is told in Indonesian."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

import lablib.core.answers as A
import lablib.notebook.forms as F
import lablib.notebook.sessions as S
from lablib.core.answers import AnswerStore, parse_answers_file, save_answers
from lablib.core.exercises import Exercise
from lablib.core.fields import ShortText

STAGE = "diagnose"
FILE = "jawaban-diagnose.json"


@pytest.fixture(autouse=True)
def fresh_sessions(monkeypatch):
    monkeypatch.setattr(S, "DEBOUNCE_SECONDS", 0.01)
    monkeypatch.delenv("LABLIB_HEADLESS", raising=False)
    S.reset_sessions()
    yield
    S.reset_sessions()


def child_env() -> dict:
    return {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}


def on_disk(folder: Path) -> dict:
    return json.loads((folder / FILE).read_text(encoding="utf-8"))["answers"]


def snapshot_of(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes), to show nothing saved was lost."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_no_empty_or_partial_files(folder: Path) -> None:
    store = AnswerStore(folder, STAGE)
    if store.path.exists():
        parse_answers_file(store.path, STAGE)
    for version in store.versions():
        assert version.path.stat().st_size > 0, f"0-byte history version {version.path.name}"
        parse_answers_file(version.path, STAGE)  # whole, never half a file


# ------------------------------------------------------------------------------ two writers

TWO_WRITERS = textwrap.dedent('''
    import sys, time
    from pathlib import Path
    import lablib.notebook.sessions as S
    root, field, trials, n, deadline = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), \\
        float(sys.argv[5])
    for t in range(trials):
        if time.time() > deadline:  # a loaded machine runs fewer trials, never a longer test
            break
        (root / f"ready-{t}-{field}").touch()
        waited = time.monotonic()
        while len(list(root.glob(f"ready-{t}-*"))) < 2:  # start each trial together
            if time.monotonic() - waited > 5:
                sys.exit(0)  # the other writer stopped
            time.sleep(0.0005)
        session = S.session_for(root / f"t{t}", "diagnose")  # what a kernel's form uses
        acked = None
        for i in range(n):
            session.set_value("diagnose.dg1", field, f"{field}-{i}")
            if session.flush():
                acked = i
        print(t, acked, flush=True)
''')


def test_two_kernels_saving_one_stage_in_a_tight_loop_lose_no_acknowledged_save(tmp_path):
    trials, n = 15, 40
    fields = ("justifikasi", "catatan")
    deadline = time.time() + 12
    writers = [subprocess.Popen([sys.executable, "-c", TWO_WRITERS, str(tmp_path), f, str(trials), str(n),
                                 str(deadline)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env())
               for f in fields]
    acked = {}
    for field, writer in zip(fields, writers):
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        acked[field] = dict(line.split() for line in out.splitlines())
    done = sorted(set(acked[fields[0]]) & set(acked[fields[1]]), key=int)
    assert len(done) >= 3, f"only {len(done)} trials ran"
    losses = []
    for t in done:
        entry = on_disk(tmp_path / f"t{t}")["diagnose.dg1"]
        for field in fields:
            assert acked[field][t] == str(n - 1), f"trial {t}: {field}'s last save was not acknowledged"
            if entry.get(field) != f"{field}-{n - 1}":
                losses.append((t, field, entry.get(field)))
        assert_no_empty_or_partial_files(tmp_path / f"t{t}")
    assert [] == losses, f"acknowledged saves lost in {len({t for t, *_ in losses})} of {len(done)} trials"


# ------------------------------------------------------------------------------ killed mid-save

SAVE_LOOP = textwrap.dedent('''
    import sys
    import lablib.notebook.sessions as S
    folder, start = sys.argv[1], int(sys.argv[2])
    session = S.session_for(folder, "diagnose")
    i = start
    while True:
        session.set_value("diagnose.dg1", "justifikasi", f"nilai {i} " + "x" * (i % 500))
        session.set_value("diagnose.dg1", "n", i)
        if session.flush(snapshot=i % 3 == 0):  # history copies too, to be killed in the middle of
            print(i, flush=True)
        i += 1
''')


def test_a_kernel_killed_at_random_moments_leaves_the_last_acknowledged_save(tmp_path):
    rng = random.Random(20240611)
    deadline = time.monotonic() + 20
    trials = 0
    for trial in range(30):
        if trials >= 10 and time.monotonic() > deadline:
            break
        start = trial * 1_000_000
        child = subprocess.Popen([sys.executable, "-c", SAVE_LOOP, str(tmp_path), str(start)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env())
        first = child.stdout.readline()  # saving has begun
        assert first, child.stderr.read().decode()
        time.sleep(rng.uniform(0, 0.06))
        child.send_signal(signal.SIGKILL)
        rest, _ = child.communicate(timeout=30)
        lines = (first + rest).decode().split("\n")[:-1]  # only whole lines were acknowledged
        last_acked = int(lines[-1])
        trials += 1

        store = AnswerStore(tmp_path, STAGE)
        doc = parse_answers_file(store.path, STAGE)  # never partial, never empty
        on_file = doc["answers"]["diagnose.dg1"]["n"]
        # the last acknowledged save, or the one after it when the kill came between its rename
        # and its acknowledgement
        assert on_file in (last_acked, last_acked + 1), (trial, on_file, last_acked)
        assert doc["answers"]["diagnose.dg1"]["justifikasi"].startswith(f"nilai {on_file} ")
        assert_no_empty_or_partial_files(tmp_path)
    assert trials >= 10


# ------------------------------------------------------------------------------ full or read-only disk

def _fault(monkeypatch, where: str, code: int) -> None:
    """Make every write fail the way a full or read-only disk does, at one point of the write."""
    def fail(*_a, **_k):
        raise OSError(code, os.strerror(code))

    if where == "create":  # no room for a new file (or no permission to make one)
        monkeypatch.setattr(tempfile, "mkstemp", fail)
        monkeypatch.setattr(os, "open", _failing_creat(os.open, code))
    elif where == "data":  # the data does not fit (delayed allocation reports it at fsync)
        monkeypatch.setattr(os, "fsync", fail)
    else:  # the rename is refused
        monkeypatch.setattr(os, "replace", fail)


def _failing_creat(real_open, code):
    def opener(path, flags, *args, **kwargs):
        if flags & os.O_CREAT:
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, flags, *args, **kwargs)

    return opener


SAID = {errno.ENOSPC: "Jawaban BELUM tersimpan: disk penuh",
        errno.EROFS: "Jawaban BELUM tersimpan: disk hanya bisa dibaca",
        errno.EACCES: "Jawaban BELUM tersimpan: folder ini tidak boleh ditulisi"}


@pytest.mark.parametrize("code", sorted(SAID))
@pytest.mark.parametrize("where", ["create", "data", "rename"])
def test_a_full_or_read_only_disk_loses_nothing_and_says_so(tmp_path, monkeypatch, where, code):
    store = AnswerStore(tmp_path, STAGE)
    store.save({"diagnose.dg1": {"justifikasi": "versi 1"}}, snapshot=True)
    store.save({"diagnose.dg1": {"justifikasi": "versi 2"}}, snapshot=True)  # versi 1 now in history
    session = S.session_for(tmp_path, STAGE)
    before = snapshot_of(tmp_path)

    with monkeypatch.context() as m:
        _fault(m, where, code)
        session.set_value("diagnose.dg1", "justifikasi", "versi 3 yang diketik")
        assert session.flush(snapshot=True) is False  # a save that forces a history copy
        session.set_value("diagnose.dg1", "catatan", "terus mengetik")
        assert session.flush() is False
        assert session.wait()

    assert SAID[code] in str(session.error)
    assert session.dirty
    assert {"justifikasi": "versi 3 yang diketik", "catatan": "terus mengetik"} == session.entry("diagnose.dg1")
    after = snapshot_of(tmp_path)
    assert {k: v for k, v in after.items() if not k.startswith(".")} == \
        {k: v for k, v in before.items() if not k.startswith(".")}  # file and history as they were
    assert not [k for k in after if k.endswith(".tmp")]
    assert_no_empty_or_partial_files(tmp_path)

    assert session.flush() is True  # room again: what was typed is saved
    assert session.error is None
    assert {"justifikasi": "versi 3 yang diketik", "catatan": "terus mengetik"} == on_disk(tmp_path)["diagnose.dg1"]


def test_a_history_copy_that_does_not_fit_is_skipped_not_half_written(tmp_path, monkeypatch):
    store = AnswerStore(tmp_path, STAGE)
    store.save({"v": 1})
    real = A.write_bytes_atomic

    def history_does_not_fit(path, data, **kwargs):
        if Path(path).parent.name == A.HISTORY_DIR:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data, **kwargs)

    monkeypatch.setattr(A, "write_bytes_atomic", history_does_not_fit)
    store.save({"v": 2}, snapshot=True)  # the save itself still fits
    assert {"v": 2} == store.load().answers and [] == store.versions()
    monkeypatch.undo()
    store.save({"v": 3}, snapshot=True)
    assert [{"v": 2}] == [json.loads(v.path.read_text())["answers"] for v in store.versions()]


def skip_unless_permissions_hold(tmp_path: Path) -> None:
    """Root (with CAP_DAC_OVERRIDE) writes into read-only folders: then only the monkeypatched
    faults stand in for them."""
    probe = tmp_path / "probe"
    probe.mkdir()
    probe.chmod(0o500)
    try:
        (probe / "x").touch()
    except PermissionError:
        return
    finally:
        probe.chmod(0o700)
    pytest.skip("this user writes into read-only folders (root); the monkeypatched faults stand in")


def test_a_real_read_only_folder(tmp_path):
    skip_unless_permissions_hold(tmp_path)
    save_answers(tmp_path, STAGE, {"diagnose.dg1": {"justifikasi": "lama"}})
    session = S.session_for(tmp_path, STAGE)
    before = snapshot_of(tmp_path)
    tmp_path.chmod(0o500)
    try:
        session.set_value("diagnose.dg1", "justifikasi", "baru")
        assert session.flush() is False
        assert "Jawaban BELUM tersimpan" in str(session.error)
        assert before == snapshot_of(tmp_path)
    finally:
        tmp_path.chmod(0o700)
    assert session.flush() is True and "baru" == on_disk(tmp_path)["diagnose.dg1"]["justifikasi"]


# ------------------------------------------------------------------------------ a corrupt file that cannot move

NOTE = Exercise(id="diagnose.dg9", code="DG9", title="Catatan", instructions="Tulis catatan.",
                fields=(ShortText("catatan", "Catatan"),))
NOTE.validate()


def _read_only(monkeypatch) -> None:
    def refused(*_a, **_k):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", refused)
    monkeypatch.setattr(tempfile, "mkstemp", refused)
    monkeypatch.setattr(os, "open", _failing_creat(os.open, errno.EACCES))


def test_a_corrupt_file_in_a_read_only_folder_opens_from_history_and_stays_put(tmp_path, monkeypatch):
    pytest.importorskip("ipywidgets")
    store = AnswerStore(tmp_path, STAGE)
    store.save({"diagnose.dg9": {"catatan": "versi baik"}}, snapshot=True)
    store.save({"diagnose.dg9": {"catatan": "versi terakhir"}}, snapshot=True)
    store.path.write_bytes(b'{"schema_version": 1, "answers": {"diagnose.dg9": ')  # cut off
    corrupt = store.path.read_bytes()

    with monkeypatch.context() as m:
        _read_only(m)
        form = F.form(NOTE, tmp_path, headless=False)  # must not raise
        assert isinstance(form, F.Form)
        text = " ".join(str(n) for n in form.notices)
        assert "rusak" in text and "tidak dapat dipindahkan" in text and "dipulihkan" in text
        assert "tidak dapat dipindahkan" in form.notices_box.value
        assert {"catatan": "versi baik"} == form.answers  # the newest good version
        assert corrupt == store.path.read_bytes()  # left where it is, unchanged

        form.widget_for("catatan").value = "diketik di folder hanya-baca"
        assert form.save() is False
        assert "Jawaban BELUM tersimpan: folder ini tidak boleh ditulisi" in form.status_text
        assert 'role="alert"' in form.status.value and "Traceback" not in form.status.value
        assert {"catatan": "diketik di folder hanya-baca"} == form.answers  # kept in memory
        assert corrupt == store.path.read_bytes()

    assert form.save() is True  # writable again: saved, and the corrupt file is moved aside, not overwritten
    assert {"catatan": "diketik di folder hanya-baca"} == on_disk(tmp_path)["diagnose.dg9"]
    assert [corrupt] == [p.read_bytes() for p in tmp_path.glob("jawaban-diagnose.rusak-*.json")]


def test_a_corrupt_file_in_a_read_only_folder_without_history_starts_empty(tmp_path, monkeypatch):
    store = AnswerStore(tmp_path, STAGE)
    store.path.write_bytes(b"")
    with monkeypatch.context() as m:
        _read_only(m)
        loaded = store.load()
    assert {} == loaded.answers and b"" == store.path.read_bytes()
    text = " ".join(str(n) for n in loaded.notices)
    assert "kosong" in text and "tidak dapat dipindahkan" in text and FILE in text


# ------------------------------------------------------------------------------ the lock file

def test_another_kernel_stuck_in_a_save_makes_the_save_fail_with_a_message(tmp_path, monkeypatch):
    monkeypatch.setattr(A, "LOCK_TIMEOUT_SECONDS", 0.05)
    session = S.session_for(tmp_path, STAGE)
    session.set_value("diagnose.dg1", "justifikasi", "x")
    assert session.flush()
    fd = os.open(tmp_path / f".{FILE}.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # "another kernel" holds the lock
        session.set_value("diagnose.dg1", "justifikasi", "y")
        assert session.flush() is False
        assert "sedang disimpan oleh tab atau kernel lain" in str(session.error)
    finally:
        os.close(fd)
    assert session.flush() is True and "y" == on_disk(tmp_path)["diagnose.dg1"]["justifikasi"]


def test_the_lock_file_is_hidden_never_submitted_and_never_graded(tmp_path):
    from nbgrader.utils import ignore_patterns

    from lablib.course.folder import _CONFIG_TEMPLATE
    from lablib.course.protections import keep_only

    save_answers(tmp_path, STAGE, {"diagnose.dg1": {}})
    lock = tmp_path / f".{FILE}.lock"
    assert lock.is_file() and oct(lock.stat().st_mode & 0o777) == oct(A.ANSWERS_MODE)
    ignore_line = next(line for line in _CONFIG_TEMPLATE.splitlines() if "CourseDirectory.ignore" in line)
    ignored = eval(ignore_line.split("=", 1)[1])  # the list literal of the course config
    assert [lock.name] == ignore_patterns(exclude=ignored)(str(tmp_path), [lock.name, FILE])
    assert [lock.name] == keep_only(tmp_path, {FILE})  # an older course's grading copy: taken out
    assert (tmp_path / FILE).is_file()


def test_temporary_files_of_a_killed_save_are_swept_by_the_next_save(tmp_path):
    save_answers(tmp_path, STAGE, {"v": 1})
    stale = tmp_path / f".{FILE}.abc123.tmp"
    fresh = tmp_path / f".{FILE}.def456.tmp"
    stale.write_bytes(b"{half")
    fresh.write_bytes(b"{half")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    save_answers(tmp_path, STAGE, {"v": 2})
    assert not stale.exists() and fresh.exists()  # a recent one may be another writer's


def test_a_corrupt_file_in_a_real_read_only_folder(tmp_path):
    skip_unless_permissions_hold(tmp_path)
    store = AnswerStore(tmp_path, STAGE)
    store.save({"diagnose.dg1": {"justifikasi": "baik"}}, snapshot=True)
    store.save({"diagnose.dg1": {"justifikasi": "terakhir"}}, snapshot=True)
    store.path.write_bytes(b"{rusak")
    tmp_path.chmod(0o500)
    try:
        session = S.session_for(tmp_path, STAGE)
        assert {"justifikasi": "baik"} == session.entry("diagnose.dg1")
        assert "tidak dapat dipindahkan" in " ".join(str(n) for n in session.notices)
        assert b"{rusak" == store.path.read_bytes()
        session.set_value("diagnose.dg1", "justifikasi", "baru")
        assert session.flush() is False and "Jawaban BELUM tersimpan" in str(session.error)
    finally:
        tmp_path.chmod(0o700)
    assert session.flush() is True
    assert [b"{rusak"] == [p.read_bytes() for p in tmp_path.glob("jawaban-diagnose.rusak-*.json")]


def test_the_form_on_a_full_disk_keeps_what_was_typed_and_says_so_in_indonesian(tmp_path, monkeypatch):
    pytest.importorskip("ipywidgets")
    form = F.form(NOTE, tmp_path, headless=False)
    assert isinstance(form, F.Form)
    form.widget_for("catatan").value = "tersimpan"
    assert form.save() is True
    form.widget_for("catatan").value = "versi kedua"
    assert form.save() is True
    before = snapshot_of(tmp_path)
    with monkeypatch.context() as m:
        _fault(m, "data", errno.ENOSPC)
        form.widget_for("catatan").value = "diketik saat disk penuh"
        assert form.wait_saved()  # the autosave ran, and failed
        assert form.status_text.startswith("✗ Jawaban BELUM tersimpan: disk penuh")
        assert 'role="alert"' in form.status.value
        assert {"catatan": "diketik saat disk penuh"} == form.answers
        assert form.save() is False  # the Simpan button: the same message, no traceback
        assert "disk penuh" in form.status.value and "Traceback" not in form.status.value
        form.restore(form.versions()[0])  # restoring needs a write too
        assert "Jawaban BELUM tersimpan: disk penuh" in form.history_message.value
        assert {"catatan": "diketik saat disk penuh"} == form.answers
    assert {k: v for k, v in before.items() if not k.startswith(".")} == \
        {k: v for k, v in snapshot_of(tmp_path).items() if not k.startswith(".")}
    assert form.save() is True and form.status_text.startswith("✓ Tersimpan")
    assert {"catatan": "diketik saat disk penuh"} == on_disk(tmp_path)["diagnose.dg9"]


FULL_DISK = textwrap.dedent('''
    import json, os, sys
    from pathlib import Path
    import lablib.notebook.sessions as S
    from lablib.core.answers import AnswerStore
    disk = Path(sys.argv[1])
    folder = disk / "diagnose"
    store = AnswerStore(folder, "diagnose")
    store.save({"diagnose.dg1": {"justifikasi": "versi 1 " + "a" * 3000}}, snapshot=True)
    store.save({"diagnose.dg1": {"justifikasi": "versi 2 " + "b" * 3000}}, snapshot=True)
    session = S.session_for(folder, "diagnose")
    def files():
        return {p.relative_to(folder).as_posix(): p.read_bytes().decode() for p in folder.rglob("*") if p.is_file()}
    before = files()
    fd = os.open(disk / "pengisi", os.O_WRONLY | os.O_CREAT)  # fill the disk to the last byte
    for size in (4096, 512, 1):
        try:
            while True:
                os.write(fd, b"z" * size)
        except OSError:
            pass
    os.close(fd)
    session.set_value("diagnose.dg1", "justifikasi", "versi 3 " + "c" * 3000)
    failed = session.flush(snapshot=True)
    during = files()
    error = str(session.error)
    kept = session.entry("diagnose.dg1")["justifikasi"][:9]
    os.unlink(disk / "pengisi")
    saved = session.flush()
    print(json.dumps({"failed": failed, "error": error, "kept": kept, "same": before == during,
                      "saved": saved, "after": json.loads(store.path.read_text())["answers"]["diagnose.dg1"]
                      ["justifikasi"][:9], "sizes": [p.stat().st_size for p in folder.rglob("*") if p.is_file()
                                                     and not p.name.startswith(".")]}))
''')


def test_a_really_full_disk(tmp_path):
    """A real full file system: a 64 KiB tmpfs in a private mount namespace (root, or a user
    namespace); skipped where neither is allowed."""
    mount = tmp_path / "disk"
    mount.mkdir()
    script = tmp_path / "full.py"
    script.write_text(FULL_DISK)
    inner = (f"mount -t tmpfs -o size=64k tmpfs {mount} && "
             f"exec {sys.executable} {script} {mount}")
    for unshare in (["unshare", "-m"], ["unshare", "-rm"]):
        try:
            out = subprocess.run([*unshare, "sh", "-c", inner], capture_output=True, text=True, timeout=60,
                                 env=child_env(), cwd=tmp_path)
        except FileNotFoundError:
            pytest.skip("no unshare(1)")
        if out.returncode == 0:
            break
    else:
        pytest.skip(f"cannot mount a small file system here: {out.stderr.strip()[-200:]}")
    result = json.loads(out.stdout)
    assert result["failed"] is False
    assert result["error"].startswith("✗ Jawaban BELUM tersimpan: disk penuh")
    assert result["kept"] == "versi 3 c"  # still in the form
    assert result["same"]  # the answers file and its history as they were
    assert result["saved"] is True and result["after"] == "versi 3 c"
    assert all(size > 0 for size in result["sizes"])  # no 0-byte version, ever
