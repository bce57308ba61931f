"""lablib.course.live: participants' current answers scored in-process, equal to autograde's scores."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from test_grading import COURSE_ID, STAGE, auto_scores, copy_course, make_template, submit

from lablib.core.answers import save_answers
from lablib.core.calendar import CALENDAR_FILENAME, DEFAULT_CALENDAR
from lablib.course import live
from lablib.course.folder import write_config
from lablib.course.grading import grade, gradebook_rows
from lablib.course.live import LiveScore, live_frame, live_scores
from lablib.curriculum.scoring import score_answers
from lablib.curriculum.synthetic import PROFILES, synthetic_answers

# The module-scoped courses are expensive: keep this module on one xdist worker.
pytestmark = pytest.mark.xdist_group("live")

@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return make_template(tmp_path_factory.mktemp("live") / "template")


def _edit_json(path, change) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.chmod(0o644)
    path.write_text(json.dumps(doc), encoding="utf-8")


@pytest.fixture(scope="module")
def graded(template, tmp_path_factory):
    """Every synthetic profile plus the awkward files, autograded."""
    course = copy_course(template, tmp_path_factory.mktemp("graded") / "course")
    for n, profile in enumerate(PROFILES):
        submit(course, f"p{n}-{profile}", synthetic_answers(STAGE, profile, seed=n))
    model = synthetic_answers(STAGE, "model")
    submit(course, "q-no-file", None)
    corrupt = submit(course, "q-corrupt", model)
    (corrupt / "jawaban-diagnose.json").write_text('{"schema_version": 1, "answers": {', encoding="utf-8")
    too_new = submit(course, "q-too-new", model)
    _edit_json(too_new / "jawaban-diagnose.json", lambda d: d.update(schema_version=99))
    extra = submit(course, "q-extra-keys", synthetic_answers(STAGE, "partial", seed=7))
    _edit_json(extra / "jawaban-diagnose.json",
               lambda d: d["answers"].update({"diagnose.dg9": {"x": 1}, "bonus": True}))
    # the participant's own calendar: autograde replaces it with the course's
    moved = submit(course, "q-own-calendar", model)
    _edit_json(moved / CALENDAR_FILENAME, lambda d: d.update(workshop_start="2020-01-01", workshop_end="2020-01-02"))
    report = grade(course, STAGE, workers=2)
    assert report.failed == ()
    return course


@pytest.mark.slow
def test_live_scores_equal_autograde_scores_for_every_submission(graded):
    expected = {student: {grade_id.split("/", 1)[1]: score for grade_id, score in grades.items()}
                for student, grades in auto_scores(gradebook_rows(graded, STAGE)).items()}
    scores = live_scores(graded, STAGE, working=False)
    assert sorted(expected) == [s.student for s in scores]
    for s in scores:
        assert expected[s.student] == s.by_grade_id(), s.student
        assert sum(expected[s.student].values()) == s.earned
    assert any(s.earned > 0 for s in scores) and any(s.earned == 0 for s in scores)


@pytest.mark.slow
def test_unusable_answers_files_score_as_empty_and_say_why(graded):
    scores = {s.student: s for s in live_scores(graded, STAGE, working=False)}
    empty = score_answers(STAGE, {}).earned
    for student in ("q-no-file", "q-corrupt", "q-too-new"):
        assert (empty, "submitted") == (scores[student].earned, scores[student].source)
        assert scores[student].problem
    assert scores["p0-model"].problem == ""
    assert scores["p0-model"].saved_at


@pytest.mark.slow
def test_parallel_live_scoring_gives_the_serial_result(graded, monkeypatch):
    live._CACHE.clear()
    serial = live_scores(graded, STAGE)
    live._CACHE.clear()
    monkeypatch.setattr(live, "PARALLEL_FROM", 1)
    assert serial == live_scores(graded, STAGE, workers=2)


# -- no kernels below ------------------------------------------------------------------------
def _write_course_record(course, homes: str, participants: list[str]) -> None:
    doc = {"schema_version": 1, "course_id": COURSE_ID, "created_at": "", "timezone": "Asia/Makassar",
           "homes": homes, "calendar": json.loads(DEFAULT_CALENDAR.to_json()),
           "participants": [{"id": p, "nama": p.title(), "opd": "Dinas Uji"} for p in participants]}
    (course / "lablib-course.json").write_text(json.dumps(doc), encoding="utf-8")


def test_working_folders_named_by_the_course_record_are_scored_and_the_newest_file_wins(template, tmp_path):
    course = copy_course(template, tmp_path / "course")
    home = tmp_path / "home"
    _write_course_record(course, str(home / "{id}"), ["ani", "budi", "citra", "dodi"])
    model, partial = synthetic_answers(STAGE, "model"), synthetic_answers(STAGE, "partial", seed=2)
    save_answers(home / "ani" / COURSE_ID / STAGE, STAGE, partial)  # working, never submitted
    submit(course, "budi", partial)
    save_answers(home / "budi" / COURSE_ID / STAGE, STAGE, model)  # kept working after submitting
    older = home / "budi" / COURSE_ID / STAGE / "jawaban-diagnose.json"
    submit(course, "citra", model)
    save_answers(home / "citra" / STAGE, STAGE, partial)  # an older copy left in the home folder
    os.utime(home / "citra" / STAGE / "jawaban-diagnose.json", (1_000_000_000, 1_000_000_000))
    # dodi has nothing anywhere

    scores = {s.student: s for s in live_scores(course, STAGE)}
    assert ["ani", "budi", "citra"] == sorted(scores)
    assert ("working", score_answers(STAGE, partial).earned) == (scores["ani"].source, scores["ani"].earned)
    assert ("working", str(older)) == (scores["budi"].source, scores["budi"].path)
    assert score_answers(STAGE, model).earned == scores["budi"].earned
    assert ("submitted", score_answers(STAGE, model).earned) == (scores["citra"].source, scores["citra"].earned)

    only_submitted = {s.student: s.source for s in live_scores(course, STAGE, working=False)}
    assert {"budi": "submitted", "citra": "submitted"} == only_submitted
    assert ["budi"] == [s.student for s in live_scores(course, STAGE, students=["budi"])]


def test_a_changed_answers_file_is_scored_again_and_an_unchanged_one_comes_from_the_cache(template, tmp_path):
    course = copy_course(template, tmp_path / "course")
    folder = submit(course, "ani", synthetic_answers(STAGE, "partial", seed=1))
    first = live_scores(course, STAGE)
    assert first == live_scores(course, STAGE)
    assert first[0] is live_scores(course, STAGE)[0]  # cached: nothing re-read
    save_answers(folder, STAGE, synthetic_answers(STAGE, "model"))
    again = live_scores(course, STAGE)
    assert score_answers(STAGE, synthetic_answers(STAGE, "model")).earned == again[0].earned
    assert again[0] != first[0]


def test_live_frame_has_a_row_per_participant_and_a_column_per_stage(template, tmp_path):
    course = copy_course(template, tmp_path / "course")
    submit(course, "ani", synthetic_answers(STAGE, "model"))
    submit(course, "budi", None)
    frame = live_frame(course)
    assert ["drum-up", "diagnose", "design", "deliver", "display", "total"] == list(frame.columns)
    assert ["ani", "budi"] == list(frame.index)
    model = score_answers(STAGE, synthetic_answers(STAGE, "model")).earned
    assert (model, 0.0) == (frame.loc["ani", "diagnose"], frame.loc["budi", "total"])
    assert frame["design"].isna().all()
    assert ["diagnose", "total"] == list(live_frame(course, STAGE).columns)


def test_a_course_without_submissions_has_no_live_scores(tmp_path):
    write_config(tmp_path, course_id="kosong")
    assert [] == live_scores(tmp_path)
    assert 0 == len(live_frame(tmp_path))


def test_live_score_records_are_frozen():
    score = LiveScore("ani", STAGE, 1.0, 2.0, "submitted", "/x")
    with pytest.raises(AttributeError):
        score.earned = 2.0  # type: ignore[misc]


def test_scoring_a_missing_file_gives_the_empty_score():
    result, saved_at, problem = live.score_answers_file(None, STAGE)
    assert (result.earned, saved_at, problem) == (score_answers(STAGE, {}).earned, None, "no answers file")


def test_copying_a_graded_course_keeps_live_scores_identical(template, tmp_path):
    course = copy_course(template, tmp_path / "a")
    submit(course, "ani", synthetic_answers(STAGE, "complete", seed=4))
    moved = tmp_path / "b"
    shutil.copytree(course, moved)
    strip = [(s.student, s.earned, s.checks) for s in live_scores(course)]
    assert strip == [(s.student, s.earned, s.checks) for s in live_scores(moved)]


def test_a_new_process_reuses_scores_from_the_disk_cache_until_a_file_changes(template, tmp_path, monkeypatch):
    course = copy_course(template, tmp_path / "course")
    folder = submit(course, "ani", synthetic_answers(STAGE, "partial", seed=3))
    submit(course, "budi", synthetic_answers(STAGE, "model"))
    first = live_scores(course, STAGE)
    assert (course / ".lablib" / "live-cache.json").is_file()

    live._CACHE.clear()  # as in a new process
    scored = []
    real = live._score_item
    monkeypatch.setattr(live, "_score_item", lambda item, cal: scored.append(item.student) or real(item, cal))
    assert first == live_scores(course, STAGE)
    assert [] == scored
    save_answers(folder, STAGE, synthetic_answers(STAGE, "model"))
    live._CACHE.clear()
    again = live_scores(course, STAGE)
    assert ["ani"] == scored
    assert again[0].earned == again[1].earned
    live._CACHE.clear()
    assert again == live_scores(course, STAGE, disk_cache=False)
    assert ["ani", "ani", "budi"] == scored


def test_live_scoring_and_the_course_module_do_not_import_nbgrader(tmp_path):
    """nbgrader's imports take seconds and live scoring runs no kernel: it never pays for them."""
    import subprocess
    import sys

    from lablib.core.stages import get_stage

    write_config(tmp_path, course_id="ringan")
    folder = tmp_path / "submitted" / "ani" / STAGE
    save_answers(folder, STAGE, synthetic_answers(STAGE, "model"))
    _edit_json(folder / get_stage(STAGE).answers_filename, lambda d: d["answers"].update({"bonus": True}))
    code = ("import json, sys, lablib.course.folder, lablib.course.live\n"
            "scores = lablib.course.live.live_scores(sys.argv[1], sys.argv[2], working=False)\n"
            "print(json.dumps([[s.earned, s.problem] for s in scores]))\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'nbgrader', 'nbconvert'}))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path), STAGE], capture_output=True,
                         text=True, check=True)
    model = score_answers(STAGE, synthetic_answers(STAGE, "model")).earned
    assert [f"[[{model}, \"\"]]", "[]"] == out.stdout.split("\n")[:2]


def test_a_working_copy_the_trainer_cannot_read_falls_back_to_the_collected_one_and_says_so(
        template, tmp_path, monkeypatch):
    """The real thing (a non-root trainer, 0600 files, 0700 homes) is tests/test_unreadable.py;
    here the read layer refuses as the OS would, so it also runs where no other account exists."""
    course = copy_course(template, tmp_path / "course")
    home = tmp_path / "home"
    _write_course_record(course, str(home / "{id}"), ["ani", "budi"])
    model, partial = synthetic_answers(STAGE, "model"), synthetic_answers(STAGE, "partial", seed=2)
    submit(course, "budi", model)
    save_answers(home / "budi" / COURSE_ID / STAGE, STAGE, partial)  # newer, and closed
    save_answers(home / "ani" / COURSE_ID / STAGE, STAGE, partial)  # closed, nothing collected
    real = live.read_regular_bytes

    def refuse(path, *args, **kwargs):
        if str(path).startswith(str(home)):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(live, "read_regular_bytes", refuse)
    live._CACHE.clear()
    scores = {s.student: s for s in live_scores(course, STAGE, disk_cache=False)}
    assert "submitted" == scores["budi"].source
    assert score_answers(STAGE, model).earned == scores["budi"].earned
    assert "salinan yang dikumpulkan" in scores["budi"].note and not scores["budi"].unreadable
    assert scores["ani"].unreadable and "working" == scores["ani"].source
    monkeypatch.setattr(live, "read_regular_bytes", real)  # the trainer is given access: read again
    scores = {s.student: s for s in live_scores(course, STAGE, disk_cache=False)}
    assert ("working", "") == (scores["budi"].source, scores["budi"].note)
    assert score_answers(STAGE, partial).earned == scores["ani"].earned and not scores["ani"].unreadable


def test_status_live_shows_the_recorded_problem_of_a_damaged_file_not_a_bare_zero(template, tmp_path):
    from lablib.course.status import SAVED, format_status, status

    course = copy_course(template, tmp_path / "course")
    home = tmp_path / "home"
    _write_course_record(course, str(home / "{id}"), ["ani", "budi"])
    save_answers(home / "ani" / COURSE_ID / STAGE, STAGE, synthetic_answers(STAGE, "model"))
    broken = home / "budi" / COURSE_ID / STAGE
    broken.mkdir(parents=True)
    (broken / "jawaban-diagnose.json").write_text("{ rusak", encoding="utf-8")
    live._CACHE.clear()
    st = status(course, live=True)
    cells = {p.id: next(s for s in p.stages if s.stage == STAGE) for p in st.participants}
    assert (SAVED, False) == (cells["ani"].state, cells["ani"].noted)
    assert cells["ani"].live[0] == score_answers(STAGE, synthetic_answers(STAGE, "model")).earned
    assert cells["budi"].noted and cells["budi"].cell().endswith(" !")
    assert any(n.startswith(f"budi {STAGE}: berkas jawaban bermasalah (") and n.endswith("dinilai kosong.")
               for n in st.notes)
    assert "! = lihat Catatan" in format_status(st)
