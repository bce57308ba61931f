"""The ``Course``: one door to a course folder, relocatable, never an empty gradebook.

Trainers copy course folders (to a USB stick, to the training server, as a backup before the
narasumber import) and move them. A copy and a moved course must work on their own files and
their own gradebook, never on the original's.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from _cohort import COURSE_ID, cohort_course
from _cohort import copy_course as private_copy

from lablib import cli
from lablib.core.errors import LablibError
from lablib.course.course import Course, CourseError
from lablib.course.folder import (
    CONFIG_FILENAME,
    COURSE_FILENAME,
    load_course,
    relocate,
    write_config,
)

STAGE = "drum-up"


def lablib(*args, capsys) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def original(tmp_path_factory, tmp_path) -> Path:
    """A graded course of its own (the shared cohort course is never written to)."""
    return private_copy(cohort_course(tmp_path_factory), tmp_path / "asli" / "kursus")


def totals(course: Path, capsys) -> str:
    code, out, err = lablib("status", "--course", course, capsys=capsys)
    assert 0 == code, err
    return "\n".join(line for line in out.splitlines() if line.startswith(("ani", "budi", "citra", "dedi")))


# -- relocation -------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_copied_course_works_on_its_own_files_and_gradebook(original, tmp_path, capsys):
    before = totals(original, capsys)
    gradebook = digest(original / "gradebook.db")
    copy = tmp_path / "usb" / "kursus"
    shutil.copytree(original, copy)  # what a trainer does: no rewriting of anything

    assert before == totals(copy, capsys)
    code, out, err = lablib("grade", STAGE, "--force", "--course", copy, capsys=capsys)
    assert 0 == code, err
    assert "1 dinilai" in out  # ani is the one drum-up submission
    code, out, err = lablib("report", "--course", copy, "--out", tmp_path / "laporan", capsys=capsys)
    assert 0 == code, err
    assert (tmp_path / "laporan" / "laporan-kohort.html").is_file()

    assert gradebook == digest(original / "gradebook.db")  # the original is untouched
    assert not (original / "autograded" / "ani" / STAGE / ".lablib").exists()
    assert Course.open(copy).path("autograded", "ani", STAGE) == copy / "autograded" / "ani" / STAGE
    assert before == totals(copy, capsys) == totals(original, capsys)


@pytest.mark.slow
def test_a_moved_course_works_after_the_original_is_deleted(original, tmp_path, capsys):
    before = totals(original, capsys)
    moved = tmp_path / "server" / "kursus"
    moved.parent.mkdir()
    shutil.move(str(original), str(moved))
    assert not original.exists()

    assert before == totals(moved, capsys)
    code, out, err = lablib("grade", STAGE, "--force", "--course", moved, capsys=capsys)
    assert 0 == code, err
    code, out, err = lablib("report", "--course", moved, capsys=capsys)
    assert 0 == code, err
    assert (moved / "laporan" / "laporan-kohort.html").is_file()
    assert not original.exists()  # nothing was recreated at the old place


def _absolute_where(course: Path, root: Path) -> None:
    """The config as lablib wrote it before courses were relocatable: absolute paths."""
    path = course / CONFIG_FILENAME
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^# where:.*\n^here = .*\n", "", text, flags=re.MULTILINE)
    text = re.sub(r"^c\.CourseDirectory\.root = .*$", f"c.CourseDirectory.root = {str(root)!r}", text,
                  flags=re.MULTILINE)
    text = re.sub(r"^c\.CourseDirectory\.db_url = .*$",
                  f"c.CourseDirectory.db_url = {'sqlite:///' + str(root / 'gradebook.db')!r}", text,
                  flags=re.MULTILINE)
    text = re.sub(r"^c\.Exchange\.root = .*$", f"c.Exchange.root = {str(root / 'exchange')!r}", text,
                  flags=re.MULTILINE)
    path.write_text(text, encoding="utf-8")


@pytest.mark.slow
def test_a_copy_of_an_older_course_is_refused_until_relocated(original, tmp_path, capsys):
    _absolute_where(original, original)
    assert Course.open(original).root == original  # in place, an older course still works
    gradebook = digest(original / "gradebook.db")
    copy = tmp_path / "salinan"
    shutil.copytree(original, copy)

    for command in (["status"], ["grade", STAGE, "--force"], ["report"]):
        code, out, err = lablib(*command, "--course", copy, capsys=capsys)
        assert 1 == code
        assert 1 == len(err.strip().splitlines()), err  # one line, no traceback
        assert str(original) in err and "lablib relocate" in err
    assert gradebook == digest(original / "gradebook.db")

    code, out, err = lablib("relocate", "--course", copy, capsys=capsys)
    assert 0 == code, err
    assert f"{original} → {copy}" in out
    assert str(original) not in (copy / CONFIG_FILENAME).read_text(encoding="utf-8")
    assert load_course(copy).extra["location"] == str(copy)
    assert totals(original, capsys) == totals(copy, capsys)
    gradebook = digest(original / "gradebook.db")  # reading it there added lablib's indexes, once
    code, _, err = lablib("grade", STAGE, "--force", "--course", copy, capsys=capsys)
    assert 0 == code, err
    assert gradebook == digest(original / "gradebook.db")


def test_a_copy_sharing_a_postgresql_gradebook_is_refused_until_relocated(tmp_path, capsys):
    course = tmp_path / "kursus"
    write_config(course, course_id="pg")
    config = course / CONFIG_FILENAME
    url = "postgresql+psycopg2://fasilitator:rahasia@127.0.0.1:5/bimtek"
    config.write_text(re.sub(r"^c\.CourseDirectory\.db_url = .*$", f"c.CourseDirectory.db_url = {url!r}",
                             config.read_text(encoding="utf-8"), flags=re.MULTILINE), encoding="utf-8")
    assert Course.open(course).db_url == url  # in its own place it opens (no connection yet)

    copy = tmp_path / "cadangan"
    shutil.copytree(course, copy)
    with pytest.raises(CourseError, match="dipakai bersama") as caught:
        Course.open(copy)
    assert "rahasia" not in str(caught.value)  # the password is never printed
    assert "lablib relocate" in str(caught.value)

    relocate(copy)  # a move: the copy now is the course, on the same database
    assert Course.open(copy).db_url == url


# -- the gradebook door -----------------------------------------------------------------------

@pytest.mark.slow
def test_a_missing_gradebook_is_refused_and_never_created_empty(original, capsys, tmp_path):
    (original / "gradebook.db").unlink()
    for command in (["status"], ["report"], ["export", "--out", tmp_path / "ekspor"],
                    ["grade", STAGE, "--force"], ["review", "export", "diagnose"]):
        code, out, err = lablib(*command, "--course", original, capsys=capsys)
        assert 1 == code, (command, out, err)
        lines = err.strip().splitlines()
        assert 1 == len(lines), err
        assert "gradebook.db tidak ada" in lines[0] and "cadangan" in lines[0]
        assert not (original / "gradebook.db").exists()


def test_a_folder_without_a_course_is_refused_in_indonesian(tmp_path, capsys):
    code, out, err = lablib("status", "--course", tmp_path, capsys=capsys)
    assert 1 == code
    assert "bukan folder kursus lablib" in err and "lablib init" in err


def test_an_unwritable_output_folder_is_one_line_without_traceback(tmp_path, capsys):
    course = tmp_path / "kursus"
    write_config(course, course_id="ro")
    blocker = tmp_path / "berkas"
    blocker.write_text("bukan folder")
    code, out, err = lablib("export", "--course", course, "--out", blocker / "ekspor", capsys=capsys)
    assert 1 == code
    assert 1 == len(err.strip().splitlines()), err
    assert str(blocker) in err


# -- paths ------------------------------------------------------------------------------------

@pytest.mark.parametrize("structure", [None, "{nbgrader_step}/{assignment_id}/{student_id}"])
def test_paths_are_nbgraders_format_path(tmp_path, structure):
    from nbgrader.coursedir import CourseDirectory

    course = tmp_path / "kursus"
    write_config(course, course_id=COURSE_ID)
    if structure:
        with (course / CONFIG_FILENAME).open("a", encoding="utf-8") as fh:
            fh.write(f"c.CourseDirectory.directory_structure = {structure!r}\n"
                     f"c.CourseDirectory.submitted_directory = 'dikumpulkan'\n")
    opened = Course.open(course)
    coursedir = CourseDirectory(config=opened.config)
    for step in ("source", "release", "submitted", "autograded", "feedback"):
        name = getattr(coursedir, f"{step}_directory")
        for student in (".", "ani"):
            assert Path(coursedir.format_path(name, student, "diagnose")).resolve() == \
                opened.path(step, student, "diagnose").resolve()


def test_a_course_id_that_would_leave_the_course_is_refused(tmp_path, capsys):
    roster = Path(__file__).parent / "data" / "roster-baik.csv"
    for bad in ("../../x", "-rf", "a/b", ".."):
        code, out, err = lablib("init", tmp_path / "kursus", "--roster", roster,
                                f"--course-id={bad}", capsys=capsys)
        assert 1 == code, bad
        assert "id kursus" in err
        assert not (tmp_path / "kursus").exists()


def test_every_expected_failure_is_a_lablib_error():
    from lablib.course.grading import GradingError
    from lablib.course.roster import RosterError
    from lablib.pipeline import PipelineError
    from lablib.reports.review import ReviewError

    for cls in (CourseError, GradingError, RosterError, PipelineError, ReviewError, cli.CliError):
        assert issubclass(cls, LablibError), cls


def test_the_course_record_names_its_location(tmp_path):
    course = tmp_path / "kursus"
    write_config(course, course_id="lokasi")
    assert load_course(course).extra["location"] == str(course)
    assert (course / COURSE_FILENAME).is_file()


@pytest.mark.slow
@pytest.mark.parametrize("command", [["status"], ["report"], ["export"], ["documents"], ["showcase"],
                                     ["review", "export", "diagnose"]])
def test_a_command_reads_the_course_config_once(original, command, capsys, monkeypatch, tmp_path):
    from traitlets.config.loader import PyFileConfigLoader

    loads = []
    real = PyFileConfigLoader.load_config

    def counting(self):
        config = real(self)
        loads.append(self.full_filename)
        return config

    monkeypatch.setattr(PyFileConfigLoader, "load_config", counting)
    code, out, err = lablib(*command, "--course", original, capsys=capsys)
    assert 0 == code, err
    assert [str(original / CONFIG_FILENAME)] == loads


def test_a_participant_id_never_leads_out_of_the_course(tmp_path, capsys):
    course = tmp_path / "kursus"
    write_config(course, course_id="jalur")
    with pytest.raises(CourseError, match="bukan nama folder"):
        Course.open(course).path("submitted", "../../etc", "diagnose")
    code, out, err = lablib("documents", "--course", course, "--participant=../../x", capsys=capsys)
    assert 1 == code and "id '../../x'" in err
    assert not (tmp_path / "x").exists()
