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


# -- files are what they claim to be ----------------------------------------------------------
def _tree(tmp_path):
    """A folder with one of each: regular file, subfolder, links, a FIFO and a hard link."""
    import os

    root = tmp_path / "kiriman"
    (root / "sub").mkdir(parents=True)
    (root / "jawaban.json").write_text("{}", encoding="utf-8")
    (root / "sub" / "catatan.txt").write_text("isi", encoding="utf-8")
    other = tmp_path / "milik-orang-lain.json"
    other.write_text('{"rahasia": 1}', encoding="utf-8")
    (root / "tautan.json").symlink_to(other)
    (root / "sub" / "folder-tautan").symlink_to(tmp_path, target_is_directory=True)
    (root / "putus.json").symlink_to(tmp_path / "tidak-ada")
    os.mkfifo(root / "pipa")
    os.link(other, root / "sub" / "keras.json")
    return root, other


def test_read_regular_bytes_reads_a_regular_file_and_refuses_everything_else(tmp_path):
    import os

    from lablib.core.files import NotRegularFileError, read_regular_bytes, regular_file_problem

    root, other = _tree(tmp_path)
    assert b"{}" == read_regular_bytes(root / "jawaban.json")
    assert regular_file_problem(root / "jawaban.json") is None
    for name, kind in (("tautan.json", "symlink"), ("putus.json", "symlink"), ("pipa", "fifo"),
                       ("sub/keras.json", "hardlink"), ("sub", "directory")):
        assert kind == regular_file_problem(root / name), name
        with pytest.raises(NotRegularFileError) as info:
            read_regular_bytes(root / name)  # a FIFO without a writer does not hang the reader
        assert kind == info.value.kind and str(root / name) == info.value.filename
    with pytest.raises(NotRegularFileError, match="device file"):
        read_regular_bytes(os.devnull)
    with pytest.raises(FileNotFoundError):
        read_regular_bytes(root / "tidak-ada.json")
    assert other.read_text(encoding="utf-8") == '{"rahasia": 1}'  # nothing was changed


def test_the_open_file_itself_is_checked_so_a_file_swapped_after_the_check_is_refused(tmp_path, monkeypatch):
    """O_NOFOLLOW refuses a link and fstat refuses a FIFO or hard link that replaced the file
    between the check and the open."""
    from lablib.core import files

    root, _ = _tree(tmp_path)
    monkeypatch.setattr(files, "regular_file_problem", lambda path: None)  # the check saw a regular file
    for name, kind in (("tautan.json", "symlink"), ("pipa", "fifo"), ("sub/keras.json", "hardlink")):
        with pytest.raises(files.NotRegularFileError) as info:
            files.read_regular_bytes(root / name)
        assert kind == info.value.kind, name


def test_read_regular_bytes_refuses_a_file_over_the_limit(tmp_path):
    from lablib.core.files import FileTooLargeError, read_regular_bytes

    path = tmp_path / "besar.json"
    path.write_bytes(b"x" * 100)
    assert 100 == len(read_regular_bytes(path, max_bytes=100))
    with pytest.raises(FileTooLargeError):
        read_regular_bytes(path, max_bytes=99)


def test_irregular_entries_lists_links_fifos_and_hard_links_without_following_them(tmp_path):
    from lablib.core.files import irregular_entries

    root, _ = _tree(tmp_path)
    assert {"pipa": "fifo", "putus.json": "symlink", "sub/folder-tautan": "symlink", "sub/keras.json": "hardlink",
            "tautan.json": "symlink"} == irregular_entries(root)
    assert {} == irregular_entries(root / "tidak-ada")
    (tmp_path / "folder-tautan").symlink_to(root, target_is_directory=True)
    assert {".": "symlink"} == irregular_entries(tmp_path / "folder-tautan")


def test_an_answers_file_that_is_a_link_is_refused_and_moved_aside_never_followed(tmp_path):
    import os

    from lablib.core.answers import AnswersFileError, AnswerStore, parse_answers_file, save_answers

    victim, attacker = tmp_path / "korban" / "diagnose", tmp_path / "penyerang" / "diagnose"
    attacker.mkdir(parents=True)
    save_answers(victim, "diagnose", {"diagnose.dg1": {"masalah_terpilih": "A"}})
    target = victim / "jawaban-diagnose.json"
    before = target.read_bytes()
    link = attacker / "jawaban-diagnose.json"
    link.symlink_to(target)
    with pytest.raises(AnswersFileError) as info:
        parse_answers_file(link, "diagnose")
    assert "bukan file biasa (tautan simbolik)" in info.value.message.get("id")
    assert "not a regular file (symbolic link)" in info.value.message.get("en")
    loaded = AnswerStore(attacker, "diagnose").load()
    assert {} == loaded.answers and "tautan simbolik" in str(loaded.notices[0])
    aside = [p for p in attacker.iterdir() if ".rusak-" in p.name]
    assert len(aside) == 1 and aside[0].is_symlink() and not os.path.lexists(link)  # the link itself moved
    assert before == target.read_bytes()  # the other participant's file is untouched
    link.symlink_to(tmp_path / "tidak-ada.json")  # a dangling link is moved aside too
    assert {} == AnswerStore(attacker, "diagnose").load().answers
    assert not os.path.lexists(link)


def test_carry_over_does_not_read_another_participants_answers_through_a_link(tmp_path):
    from lablib.core.answers import save_answers
    from lablib.notebook.carry import collect_previous

    victim = tmp_path / "korban"
    save_answers(victim / "diagnose", "diagnose", {"diagnose.dg1": {"masalah_terpilih": "A"}})
    mine = tmp_path / "penyerang"
    (mine / "design").mkdir(parents=True)
    (mine / "diagnose").symlink_to(victim / "diagnose", target_is_directory=True)  # the whole folder
    entries, report = collect_previous(mine / "design", "design")
    assert {} == entries and "tautan simbolik" in str(report.messages[0])
    (mine / "diagnose").unlink()
    (mine / "diagnose").mkdir()
    (mine / "diagnose" / "jawaban-diagnose.json").symlink_to(victim / "diagnose" / "jawaban-diagnose.json")
    entries, report = collect_previous(mine / "design", "design")
    assert {} == entries and "bukan file biasa (tautan simbolik)" in str(report.messages[0])


def test_collect_names_the_participant_and_each_file_that_is_not_a_regular_file(tmp_path):
    from lablib.pipeline import _irregular_notes

    class Course:  # what the notes need of a course: where a submission is
        def path(self, step, student, stage):
            return tmp_path / step / student / stage

    folder = Course().path("submitted", "penyerang", "diagnose")
    folder.mkdir(parents=True)
    (folder / "jawaban-diagnose.json").symlink_to(tmp_path / "lain.json")
    (Course().path("submitted", "jujur", "diagnose")).mkdir(parents=True)
    notes = _irregular_notes(Course(), "diagnose", ("penyerang", "jujur"), {"lain": {"pipa": "fifo"}})
    assert 2 == len(notes)
    assert notes[0].startswith("Peringatan lain:") and "pipa (FIFO/pipa bernama)" in notes[0]
    assert notes[1].startswith("Peringatan penyerang:") and "jawaban-diagnose.json (tautan simbolik)" in notes[1]
    assert "dinilai seperti tanpa jawaban" in notes[1]
