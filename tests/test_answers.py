import json
import os

import pytest

from lablib.core.answers import (
    HISTORY_DIR,
    SCHEMA_VERSION,
    AnswersFileError,
    AnswerStore,
    load_answers,
    parse_answers_file,
    save_answers,
)

ANSWERS = {"diagnose.dg1": {"masalah": [{"nama": "Antrean <b>KTP-el</b> 😊"}], "masalah_terpilih": "Ñoño"}}


def test_save_then_load_round_trips_with_schema_version(tmp_path):
    path = save_answers(tmp_path, "diagnose", ANSWERS)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["schema_version"] == SCHEMA_VERSION and doc["stage"] == "diagnose"
    assert load_answers(tmp_path, "diagnose") == ANSWERS


def test_missing_file_loads_as_empty_without_notice(tmp_path):
    loaded = AnswerStore(tmp_path, "diagnose").load()
    assert loaded.answers == {} and loaded.notices == ()


@pytest.mark.parametrize("content", [b"", b"   ", b"{not json", b"\xff\xfe", b"[]", b'{"answers": []}',
                                     b'{"schema_version": "1", "answers": {}}'])
def test_corrupt_file_is_moved_aside_and_newest_good_version_restored(tmp_path, content):
    store = AnswerStore(tmp_path, "diagnose")
    store.save(ANSWERS, snapshot=True)
    store.save(ANSWERS, snapshot=True)  # the first version is now in history
    store.path.write_bytes(content)
    loaded = store.load()
    assert loaded.answers == ANSWERS
    aside = list(tmp_path.glob("jawaban-diagnose.rusak-*.json"))
    assert len(aside) == 1 and aside[0].read_bytes() == content  # kept, never overwritten
    text = " ".join(str(n) for n in loaded.notices)
    assert "dipulihkan" in text and aside[0].name in text


def test_corrupt_file_without_history_starts_empty_and_says_what_to_do(tmp_path):
    store = AnswerStore(tmp_path, "diagnose")
    store.path.write_text("{broken", encoding="utf-8")
    loaded = store.load()
    assert loaded.answers == {}
    assert "fasilitator" in " ".join(str(n) for n in loaded.notices)
    assert list(tmp_path.glob("jawaban-diagnose.rusak-*.json"))


def test_too_new_file_is_moved_aside_not_overwritten(tmp_path):
    store = AnswerStore(tmp_path, "diagnose")
    newer = {"schema_version": SCHEMA_VERSION + 1, "stage": "diagnose", "answers": {"x": 1}}
    store.path.write_text(json.dumps(newer), encoding="utf-8")
    loaded = store.load()
    assert "lebih baru" in str(loaded.notices[0])
    aside = next(tmp_path.glob("jawaban-diagnose.rusak-*.json"))
    assert json.loads(aside.read_text()) == newer
    store.save({"diagnose.dg1": {}})
    assert json.loads(aside.read_text()) == newer


def test_file_of_another_stage_is_refused(tmp_path):
    save_answers(tmp_path, "design", {})
    os.replace(tmp_path / "jawaban-design.json", tmp_path / "jawaban-diagnose.json")
    with pytest.raises(AnswersFileError) as err:
        parse_answers_file(tmp_path / "jawaban-diagnose.json", "diagnose")
    assert "design" in str(err.value.message)


def test_history_keeps_earlier_versions_and_restores_them(tmp_path):
    store = AnswerStore(tmp_path, "diagnose")
    store.save({"v": 1}, snapshot=True)
    store.save({"v": 2}, snapshot=True)
    store.save({"v": 3}, snapshot=True)
    versions = store.versions()
    assert len(versions) == 2 and (tmp_path / HISTORY_DIR).is_dir()
    restored = store.restore(versions[-1])
    assert restored == {"v": 1} and store.load().answers == {"v": 1}
    assert any(json.loads(v.path.read_text())["answers"] == {"v": 3} for v in store.versions())


def test_autosaves_within_a_minute_share_one_history_version(tmp_path):
    store = AnswerStore(tmp_path, "diagnose")
    for i in range(10):
        store.save({"v": i})
    assert len(store.versions()) == 1


def test_a_failed_write_leaves_the_previous_file_intact(tmp_path):
    store = AnswerStore(tmp_path, "diagnose")
    store.save({"v": 1})
    with pytest.raises(TypeError):
        store.save({"v": object()})
    assert store.load().answers == {"v": 1}
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_save_holds_the_stage_lock_and_gives_up_on_a_stuck_holder(tmp_path, monkeypatch):
    import fcntl
    import threading

    import lablib.core.answers as A

    monkeypatch.setattr(A, "LOCK_TIMEOUT_SECONDS", 0.05)
    store = AnswerStore(tmp_path, "diagnose")
    store.save({"v": 1})
    assert store.lock_path == tmp_path / ".jawaban-diagnose.json.lock"
    fd = os.open(store.lock_path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another kernel in the middle of a save
        with pytest.raises(A.AnswersBusy):
            store.save({"v": 2})
    finally:
        os.close(fd)
    assert store.load().answers == {"v": 1}

    # re-entrant for a session's merge around save; other threads of this process wait
    order = []
    with store.locked():
        other = threading.Thread(target=lambda: (store.save({"v": 3}), order.append("thread")))
        other.start()
        other.join(0.1)
        store.save({"v": 2})
        order.append("holder")
    other.join()
    assert ["holder", "thread"] == order and store.load().answers == {"v": 3}


def test_a_save_into_a_folder_without_a_lock_file_still_saves(tmp_path, monkeypatch):
    import lablib.core.answers as A

    monkeypatch.setattr(A, "fcntl", None)  # no flock on this system
    save_answers(tmp_path, "diagnose", {"v": 1})
    assert load_answers(tmp_path, "diagnose") == {"v": 1}
    assert not (tmp_path / ".jawaban-diagnose.json.lock").exists()
