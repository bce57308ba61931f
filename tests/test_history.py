"""The answers history keeps versions by age, not by count, and never removes a pinned one.

``retained`` is a pure function (versions with times -> the ones to keep), tested here on its
own and by property; the store's real files are then driven through a simulated clock, so a
hundred saves over days take no sleeping.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lablib.notebook.forms as F
import lablib.notebook.sessions as S
from lablib.core.answers import (
    HISTORY_DAILY,
    HISTORY_DIR,
    HISTORY_HOURLY,
    HISTORY_KEEP,
    PINS,
    AnswerStore,
    Version,
    _bucket,
    retained,
    save_answers,
)
from lablib.notebook.carry import import_previous

NOW = dt.datetime(2026, 11, 30, 12, 0, 0)
STAGE = "diagnose"


class Clock:
    """A clock the test moves by hand: what ``AnswerStore`` reads as "now"."""

    def __init__(self, start: dt.datetime):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def version(at: dt.datetime, pin: str = "", n: int = 0) -> Version:
    return Version(Path(f"v-{at:%Y%m%d-%H%M%S-%f}-{n}.json"), f"{at:%Y-%m-%d %H:%M:%S}", at, pin)


def names(versions) -> list[str]:
    return [v.path.name for v in versions]


# ------------------------------------------------------------------------------ the pure function

def test_twenty_presses_in_a_minute_keep_the_morning_and_last_week():
    morning = [version(NOW - dt.timedelta(hours=3, minutes=m)) for m in range(5, 55, 10)]  # 08:05-08:55
    last_week = [version(NOW - dt.timedelta(days=7, minutes=m)) for m in range(3)]
    presses = [version(NOW - dt.timedelta(seconds=s)) for s in range(0, 60, 3)]  # 20 presses
    kept = retained(morning + last_week + presses, NOW)
    assert names(presses) == names(kept[:20])  # the newest twenty, all of them
    # beyond them, the newest of the morning's hour and of last week's day: nothing wiped
    assert names(kept[20:]) == [names(morning)[0], names(last_week)[0]]


def test_buckets_thin_with_age():
    hourly = [version(NOW - dt.timedelta(hours=h, minutes=m)) for h in (5, 6) for m in (1, 20)]
    daily = [version(NOW - dt.timedelta(days=d, hours=h)) for d in (10, 11) for h in (1, 3)]
    weekly = [version(NOW - dt.timedelta(days=d)) for d in (60, 61, 62)]  # one ISO week, Sun..Fri
    kept = retained(hourly + daily + weekly, NOW, newest=0)
    assert names(kept) == [names(hourly)[0], names(hourly)[2], names(daily)[0], names(daily)[2],
                           names(weekly)[0]]
    assert HISTORY_HOURLY < HISTORY_DAILY


def test_pinned_versions_are_kept_whatever_their_age():
    pinned = version(NOW - dt.timedelta(days=90, minutes=5), "salin")
    newer_same_week = version(NOW - dt.timedelta(days=90))
    kept = retained([pinned, newer_same_week, *(version(NOW - dt.timedelta(minutes=m)) for m in range(30))], NOW)
    # the thirty recent ones share two hours whose newest are among the twenty: nothing else
    assert pinned in kept and newer_same_week in kept and len(kept) == HISTORY_KEEP + 2


def test_version_label_names_the_pin_in_indonesian():
    assert version(NOW, "salin").label == "2026-11-30 12:00:00 (sebelum jawaban tahap sebelumnya disalin)"
    assert version(NOW).label == "2026-11-30 12:00:00"
    assert set(PINS) == {"salin", "pulihkan", "kumpul"}


# ------------------------------------------------------------------------------ properties

MINUTES = 80 * 24 * 60  # versions up to eighty days old, a few from a clock set ahead
histories = st.lists(
    st.tuples(st.integers(-120, MINUTES), st.integers(0, 59), st.sampled_from(["", "", "", "", *PINS])),
    max_size=150,
).map(lambda rows: [version(NOW - dt.timedelta(minutes=m, seconds=s), pin, n)
                    for n, (m, s, pin) in enumerate(rows)])


@settings(max_examples=300, deadline=None)
@given(histories, st.integers(0, 25))
def test_retention_properties(versions, newest):
    kept = retained(versions, NOW, newest=newest)
    ordered = sorted(versions, key=lambda v: (v.at, v.path.name), reverse=True)
    kept_names = set(names(kept))
    assert kept_names <= set(names(versions)) and len(kept_names) == len(kept)
    assert {v.path.name for v in versions if v.pin} <= kept_names  # never a pinned one
    assert set(names(ordered[:newest])) <= kept_names  # always the newest ones
    beyond = [_bucket(v.at, NOW, HISTORY_HOURLY, HISTORY_DAILY)
              for v in kept if not v.pin and v.path.name not in names(ordered[:newest])]
    assert len(beyond) == len(set(beyond))  # at most one an hour / day / week beyond those
    newest_of = {}
    for v in ordered:
        newest_of.setdefault(_bucket(v.at, NOW, HISTORY_HOURLY, HISTORY_DAILY), v)
    assert set(names(newest_of.values())) <= kept_names  # and every bucket keeps its newest
    assert names(retained(kept, NOW, newest=newest)) == names(kept)  # idempotent
    assert names(retained(list(reversed(kept)), NOW, newest=newest)) == names(kept)  # order-free


# ------------------------------------------------------------------------------ real files

@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def periksa(store: AnswerStore, clock: Clock, n: int, **gap: float) -> None:
    """What pressing "Periksa" does: save with a history version of the file it replaces."""
    clock.advance(**gap)
    store.save({"diagnose.dg1": {"masalah_terpilih": f"versi {n}"}}, snapshot=True)


def contents(store: AnswerStore) -> list[str]:
    return [json.loads(v.path.read_text(encoding="utf-8"))["answers"]["diagnose.dg1"]["masalah_terpilih"]
            for v in store.versions()]


def test_a_hundred_presses_over_three_days_keep_the_first_hour(tmp_path, clock):
    store = AnswerStore(tmp_path, STAGE, clock=clock)
    for n in range(100):  # 100 presses: a burst every ~40 minutes over three working days
        periksa(store, clock, n, minutes=2 if n % 5 else 200)
    kept = contents(store)
    # the first hour (presses 0-4 at 15:20-15:28; the copies of versi 0-3) keeps its newest
    # version: counting alone would have kept only presses 79-98
    assert "versi 3" in kept and store.versions()[-1].at.date() == NOW.date()
    assert kept[:HISTORY_KEEP] == [f"versi {n}" for n in range(98, 78, -1)]
    assert len(kept) == 38 and len(set(kept)) == len(kept)  # 20 + one for each earlier hour
    days = {v.at.date() for v in store.versions()}
    assert len(days) >= 3  # every day of the course, not only the last twenty presses
    history = tmp_path / HISTORY_DIR
    assert stat.S_IMODE(history.stat().st_mode) == 0o700
    assert {stat.S_IMODE(v.path.stat().st_mode) for v in store.versions()} == {0o600}


def test_a_carry_over_pins_the_answers_it_changes(tmp_path, clock):
    for slug in ("diagnose", "design"):
        (tmp_path / slug).mkdir()
    design = AnswerStore(tmp_path / "design", "design", clock=clock)
    design.save({"design.ds1": {"catatan": "sebelum salin"}, "diagnose.dg1": {"masalah_terpilih": "lama"}})
    save_answers(tmp_path / "diagnose", "diagnose", {"diagnose.dg1": {"masalah_terpilih": "baru"}})
    before = design.path.read_bytes()
    clock.advance(minutes=1)
    import_previous(tmp_path / "design", "design")
    pinned = [v for v in design.versions() if v.pin]
    assert [v.pin for v in pinned] == ["salin"] and pinned[0].path.read_bytes() == before
    assert pinned[0].path.name.endswith(".tetap-salin.json")
    assert stat.S_IMODE(pinned[0].path.stat().st_mode) == 0o600
    assert len(design.versions()) == 1  # the import's own history copy is that same version
    clock.advance(minutes=1)
    import_previous(tmp_path / "design", "design")  # nothing to change: nothing pinned
    assert [v for v in design.versions() if v.pin] == pinned
    for n in range(200):  # two months of presses later, the pin is still there
        clock.advance(hours=7)
        design.save({"design.ds1": {"catatan": f"versi {n}"}}, snapshot=True)
    assert pinned[0] in design.versions() and pinned[0].path.read_bytes() == before


def test_a_carry_over_into_an_open_form_pins_too(tmp_path, clock):
    for slug in ("diagnose", "design"):
        (tmp_path / slug).mkdir()
    save_answers(tmp_path / "design", "design", {"design.ds1": {"catatan": "punya saya"}})
    save_answers(tmp_path / "diagnose", "diagnose", {"diagnose.dg1": {"masalah_terpilih": "antrean"}})
    F.reset_sessions()
    try:
        F.form("design.ds1", tmp_path / "design", headless=False)  # open in this kernel
        assert S.apply_import(tmp_path / "design", "design", {})  # so the import goes through it
        before = (tmp_path / "design" / "jawaban-design.json").read_bytes()
        import_previous(tmp_path / "design", "design")
        pinned = [v for v in AnswerStore(tmp_path / "design", "design").versions() if v.pin]
        assert [v.pin for v in pinned] == ["salin"] and pinned[0].path.read_bytes() == before
        assert json.loads(before)["answers"] == {"design.ds1": {"catatan": "punya saya"}}
    finally:
        F.reset_sessions()


def test_restore_pins_the_answers_it_replaces_and_pin_is_idempotent(tmp_path, clock):
    store = AnswerStore(tmp_path, STAGE, clock=clock)
    for n in range(3):
        periksa(store, clock, n, minutes=5)
    current = store.path.read_bytes()
    clock.advance(minutes=1)
    store.restore(store.versions()[-1])
    replaced = [v for v in store.versions() if v.pin == "pulihkan"]
    assert len(replaced) == 1 and replaced[0].path.read_bytes() == current
    clock.advance(minutes=1)
    first = store.pin("kumpul")
    assert first is not None and first.pin == "kumpul" and first.path.read_bytes() == store.path.read_bytes()
    clock.advance(minutes=1)
    assert store.pin("kumpul") == first  # the same file again: no second copy
    assert sum(1 for v in store.versions() if v.pin == "kumpul") == 1
    with pytest.raises(ValueError):
        store.pin("sembarang")


def test_a_pin_after_a_plain_copy_of_the_same_file_renames_that_copy(tmp_path, clock, monkeypatch):
    import lablib.core.answers as A

    store = AnswerStore(tmp_path, STAGE, clock=clock)
    periksa(store, clock, 0, minutes=1)
    real = A.write_bytes_atomic

    def answers_file_does_not_fit(path, data, **kwargs):
        if Path(path) == store.path:
            raise OSError(28, "No space left on device")
        return real(path, data, **kwargs)

    monkeypatch.setattr(A, "write_bytes_atomic", answers_file_does_not_fit)
    with pytest.raises(OSError):
        periksa(store, clock, 1, minutes=1)  # its history copy of "versi 0" was kept
    monkeypatch.undo()
    [copy] = store.versions()
    assert copy.pin == "" and copy.path.read_bytes() == store.path.read_bytes()
    clock.advance(minutes=1)
    pinned = store.pin("kumpul")
    assert [pinned] == store.versions() and pinned.at == copy.at and not copy.path.exists()
    clock.advance(minutes=1)
    store.save({"v": 1}, snapshot=True)  # the file it replaces is that pinned version: no copy
    assert [pinned] == store.versions()


def test_an_older_lablib_history_is_read_and_thinned(tmp_path, clock):
    history = tmp_path / HISTORY_DIR
    history.mkdir(mode=0o700)
    old = NOW - dt.timedelta(days=10)
    for m in range(30):  # thirty versions written by an older lablib, all on one day
        at = old + dt.timedelta(minutes=m)
        (history / f"jawaban-diagnose-{at:%Y%m%d-%H%M%S-%f}.json").write_text(
            json.dumps({"schema_version": 1, "stage": STAGE, "answers": {"m": m}}), encoding="utf-8")
    (history / "jawaban-diagnose-catatan.json").write_text("{}", encoding="utf-8")  # not a version
    store = AnswerStore(tmp_path, STAGE, clock=clock)
    for n in range(25):
        periksa(store, clock, n, minutes=1)
    old_kept = [v for v in store.versions() if v.at.date() == old.date()]
    assert [json.loads(v.path.read_text())["answers"] for v in old_kept] == [{"m": 29}]
    assert (history / "jawaban-diagnose-catatan.json").exists()


def _files(folder: Path) -> Iterator[str]:
    return (p.name for p in folder.iterdir())


def test_no_temporary_files_are_left(tmp_path, clock):
    store = AnswerStore(tmp_path, STAGE, clock=clock)
    for n in range(30):
        periksa(store, clock, n, minutes=30)
    store.pin("kumpul")
    assert not [n for n in _files(tmp_path / HISTORY_DIR) if n.endswith(".tmp")]
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 3 * 24 * 3600), st.sampled_from(["periksa", "periksa", "auto", *PINS])),
                min_size=1, max_size=60))
def test_real_history_is_a_fixed_point_of_retained_and_loses_no_pin(steps):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        clock = Clock(NOW)
        store = AnswerStore(folder, STAGE, clock=clock)
        pinned: dict[Path, bytes] = {}
        copies = 0
        for n, (gap, what) in enumerate(steps):
            clock.advance(seconds=gap)
            before = len(store.versions())
            if what in PINS:
                made = store.pin(what)
                if made is not None:
                    pinned[made.path] = made.path.read_bytes()
            else:
                store.save({"diagnose.dg1": {"masalah_terpilih": f"versi {n}"}}, snapshot=what == "periksa")
            copies += len(store.versions()) > before
        on_disk = store.versions()
        assert all(p.read_bytes() == data for p, data in pinned.items())  # every pin, unchanged
        assert names(retained(on_disk, clock.now)) == names(on_disk)  # nothing left to thin
        assert len(on_disk) >= min(HISTORY_KEEP, copies)
