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
