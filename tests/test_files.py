"""Atomic replacement of the files lablib writes for people to open."""

from __future__ import annotations

import pytest

from lablib.core.files import replacing, write_text_atomic


def test_write_text_atomic_replaces_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "laporan" / "kohort.html"  # the folder is made
    write_text_atomic(target, "lama")
    write_text_atomic(target, "baru <b>&</b>", durable=True)
    assert "baru <b>&</b>" == target.read_text(encoding="utf-8")
    assert ["kohort.html"] == [p.name for p in target.parent.iterdir()]


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary_one(tmp_path):
    target = tmp_path / "nilai.xlsx"
    target.write_text("lama", encoding="utf-8")
    with pytest.raises(RuntimeError, match="disk penuh"), replacing(target) as tmp:
        tmp.write_text("setengah", encoding="utf-8")
        raise RuntimeError("disk penuh")
    assert "lama" == target.read_text(encoding="utf-8")
    assert ["nilai.xlsx"] == [p.name for p in tmp_path.iterdir()]


def test_the_mode_is_explicit_and_a_replaced_file_keeps_its_own(tmp_path):
    import os
    import stat

    from lablib.core.files import write_bytes_atomic

    private = write_bytes_atomic(tmp_path / "jawaban.json", b"{}", mode=0o600)
    assert 0o600 == stat.S_IMODE(private.stat().st_mode)
    shared = tmp_path / "laporan.html"
    write_text_atomic(shared, "a")
    os.chmod(shared, 0o640)
    write_text_atomic(shared, "b")
    assert 0o640 == stat.S_IMODE(shared.stat().st_mode)


def test_answers_and_every_earlier_version_are_private(tmp_path):
    import stat

    from lablib.core.answers import AnswerStore

    store = AnswerStore(tmp_path, "diagnose")
    store.save({"diagnose.dg1": {"masalah_terpilih": "A"}})
    store.save({"diagnose.dg1": {"masalah_terpilih": "B"}}, snapshot=True)
    files = [store.path, *(v.path for v in store.versions())]
    assert len(files) == 2
    assert {0o600} == {stat.S_IMODE(p.stat().st_mode) for p in files}
