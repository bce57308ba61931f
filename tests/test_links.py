"""Files are what they claim to be: a symbolic link, a hard link or a FIFO in a submission
earns nothing, with `lablib grade` and with plain `nbgrader autograde`.

Before, an answers file that was a link to another participant's answers earned that
participant's score (nbgrader's copy follows links), and `lablib collect` followed a link
put in the exchange, as the trainer. Two kinds of attack run here on one course:

* in the exchange (a participant writes into nbgrader's inbound folder): collect leaves the
  link, FIFO or hard link out of ``submitted/`` and names it in a note;
* in ``submitted/`` itself (a folder copied in by hand, a shared disk): the grading
  protection takes the file out of the grading copy, so the participant is graded as empty
  answers; a FIFO there cannot be copied by nbgrader, so that participant fails, with the
  reason, and nothing hangs.

Every attacker's automatic score equals the score of an empty answers file (each attacker
submitted empty answers), the victim's is that of their own answers, under both grading paths.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import BIN, run_cli
from test_pipeline_course import run_checks

from lablib import cli
from lablib.core.answers import save_answers
from lablib.core.files import irregular_entries
from lablib.course.folder import CONFIG_FILENAME, copy_tree_writable, load_config, sqlite_url
from lablib.course.live import live_scores, score_answers_file
from lablib.curriculum.samples import model_answers
from lablib.curriculum.scoring import score_answers
from lablib.demo import ExchangeParticipant

pytestmark = pytest.mark.slow

COURSE_ID = "uji-tautan"
STAGE = "diagnose"
ANSWERS = "jawaban-diagnose.json"
VICTIM = "korban"
IN_EXCHANGE = ("ex-tautan", "ex-fifo", "ex-keras")
IN_SUBMITTED = ("tautan", "tautan-relatif", "keras", "fifo")
PEOPLE = (VICTIM, *IN_EXCHANGE, *IN_SUBMITTED)
GRADED_EMPTY = tuple(p for p in IN_EXCHANGE + IN_SUBMITTED if p != "fifo")


def _inbound(course: Path, pid: str) -> Path:
    inbound = course / "exchange" / COURSE_ID / "inbound"
    return next(p for p in inbound.iterdir() if p.name.startswith(f"{pid}+{STAGE}+"))


def _replace(path: Path, make) -> None:
    path.unlink()
    make(path)


def plant_in_exchange(course: Path, victim_work: Path) -> None:
    """What a participant who can write into the exchange's inbound folder could leave there."""
    folder = _inbound(course, "ex-tautan")
    _replace(folder / ANSWERS, lambda p: p.symlink_to(victim_work))
    (folder / "nol").symlink_to("/dev/zero")  # followed, collect would read it without end
    _replace(_inbound(course, "ex-fifo") / ANSWERS, os.mkfifo)
    _replace(_inbound(course, "ex-keras") / ANSWERS, lambda p: os.link(victim_work, p))


def plant_in_submitted(course: Path, victim_work: Path) -> None:
    def answers(pid: str) -> Path:
        return course / "submitted" / pid / STAGE / ANSWERS

    _replace(answers("tautan"), lambda p: p.symlink_to(answers(VICTIM)))
    _replace(answers("tautan-relatif"), lambda p: p.symlink_to(Path("..", "..", VICTIM, STAGE, ANSWERS)))
    _replace(answers("keras"), lambda p: os.link(victim_work, p))
    _replace(answers("fifo"), os.mkfifo)


def _copy_exchange(src: Path, dst: Path) -> None:
    """The exchange as it is: links stay links, FIFOs are not copied."""
    def special(directory, names):
        return [n for n in names if not (stat.S_ISDIR(m := os.lstat(os.path.join(directory, n)).st_mode)
                                         or stat.S_ISREG(m) or stat.S_ISLNK(m))]

    shutil.copytree(src, dst, symlinks=True, ignore=special)


def build(root: Path) -> dict:
    roster = root / "peserta.csv"
    roster.write_text("id,nama,opd,jabatan,email\n" + "".join(f"{p},Peserta {p},Dinas Uji,Staf,\n" for p in PEOPLE),
                      encoding="utf-8")
    course = root / "kursus"
    assert cli.main(["init", str(course), "--roster", str(roster), "--course-id", COURSE_ID]) == 0
    record = json.loads((course / "lablib-course.json").read_text(encoding="utf-8"))
    record["homes"] = str(root / "rumah" / "{id}")  # the live view also looks at working folders
    (course / "lablib-course.json").write_text(json.dumps(record), encoding="utf-8")
    assert cli.main(["release", STAGE, "--course", str(course)]) == 0
    for pid in PEOPLE:
        who = ExchangeParticipant(pid, root / "rumah" / pid, course / "exchange", root / "cache", COURSE_ID)
        save_answers(who.fetch(STAGE), STAGE, model_answers(STAGE) if pid == VICTIM else {})
        who.submit(STAGE)
    victim_work = root / "rumah" / VICTIM / STAGE / ANSWERS
    plant_in_exchange(course, victim_work)
    collected = run_cli([str(BIN / "lablib"), "collect", STAGE, "--course", str(course)], cwd=root)

    # the same collected course twice: one graded by plain nbgrader, one by lablib grade
    copy = root / "lablib-grade" / "kursus"
    copy.mkdir(parents=True)
    for name in ("source", "release", "submitted"):
        copy_tree_writable(course / name, copy / name)
    _copy_exchange(course / "exchange", copy / "exchange")
    for name in ("gradebook.db", "lablib-course.json"):
        shutil.copy(course / name, copy / name)
    (copy / CONFIG_FILENAME).write_text((course / CONFIG_FILENAME).read_text(encoding="utf-8")
                                        .replace(str(course), str(copy)), encoding="utf-8")
    plant_in_submitted(course, victim_work)
    plant_in_submitted(copy, victim_work)

    by_nbgrader = autograde_all(course)  # the FIFO fails, the rest is graded
    by_lablib = run_cli([str(BIN / "lablib"), "grade", STAGE, "--course", str(copy)], cwd=root, check=False)
    return {"course": course, "copy": copy, "victim_work": victim_work, "collect": collected,
            "nbgrader": by_nbgrader, "lablib": by_lablib}


def autograde_all(course: Path, attempts: int = 3) -> subprocess.CompletedProcess:
    """Stock ``nbgrader autograde`` of the stage; run again when a kernel did not start (a loaded
    machine), with the log of every run: a second run skips what the first graded, so its log
    alone would not hold the first run's warnings."""
    from lablib.course.grading import kernel_did_not_start

    logs = []
    for _ in range(attempts):
        proc = run_cli([str(BIN / "nbgrader"), "autograde", STAGE], cwd=course, check=False)
        logs.append(proc.stderr)
        if not kernel_did_not_start(proc.stderr):
            break
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout, "\n".join(logs))


def auto_total(db_url: str, student: str) -> float | None:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, COURSE_ID) as gb:
        try:
            nb = gb.find_submission_notebook(STAGE, STAGE, student)
        except MissingEntry:
            return None
        return round(sum(g.auto_score or 0 for g in nb.grades if g.auto_score is not None), 4)


EMPTY_SCORE = score_answers(STAGE, {}).earned


def check_scores(db_url: str) -> None:
    assert auto_total(db_url, VICTIM) == score_answers(STAGE, model_answers(STAGE)).earned > EMPTY_SCORE
    scores = {pid: auto_total(db_url, pid) for pid in GRADED_EMPTY}
    assert scores == dict.fromkeys(GRADED_EMPTY, EMPTY_SCORE)
    assert (auto_total(db_url, "fifo") or 0) <= EMPTY_SCORE  # not graded at all: never raised


def check_collect_leaves_links_out_and_says_so(s) -> None:
    out = s["collect"].stdout
    for pid, kind in (("ex-tautan", "tautan simbolik"), ("ex-fifo", "FIFO"), ("ex-keras", "tautan keras")):
        line = next((ln for ln in out.splitlines() if ln.startswith(f"Peringatan {pid}:")), "")
        assert f"{ANSWERS} ({kind}" in line, out
    assert "nol (tautan simbolik)" in out
    for pid in IN_EXCHANGE:
        folder = s["course"] / "submitted" / pid / STAGE
        assert (folder / f"{STAGE}.ipynb").is_file() and not os.path.lexists(folder / ANSWERS)
        assert not os.path.lexists(folder / "nol")
    assert (_inbound(s["course"], "ex-tautan") / ANSWERS).is_symlink()  # the exchange keeps the original


def check_plain_nbgrader(s) -> None:
    check_scores(str(load_config(s["course"]).CourseDirectory.db_url))
    log = s["nbgrader"].stderr
    assert re.search(r"lablib: tautan/diagnose: berkas jawaban .* \(tautan simbolik\)", log), log
    assert re.search(r"lablib: keras/diagnose: berkas jawaban .* \(tautan keras", log), log
    assert "fifo" in log and "named pipe" in log


def check_lablib_grade(s) -> None:
    check_scores(sqlite_url(s["copy"]))
    out = s["lablib"].stdout
    assert f"{len(PEOPLE) - 1} dinilai" in out and "1 gagal" in out, out
    assert "GAGAL fifo" in out and "named pipe" in out, out
    for pid, kind in (("tautan", "tautan simbolik"), ("tautan-relatif", "tautan simbolik"), ("keras", "tautan keras")):
        assert re.search(rf"^Peringatan {pid}: .*{ANSWERS} \({kind}.*seperti tanpa jawaban", out, re.M), (pid, out)
    assert "Traceback" not in s["lablib"].stdout + s["lablib"].stderr


def check_the_submission_is_kept_and_the_grading_copy_holds_no_answers(s) -> None:
    for course in (s["course"], s["copy"]):
        assert (course / "submitted" / "tautan" / STAGE / ANSWERS).is_symlink()
        assert {ANSWERS: "symlink"} == irregular_entries(course / "submitted" / "tautan" / STAGE)
        for pid in ("tautan", "tautan-relatif", "keras"):
            assert not os.path.lexists(course / "autograded" / pid / STAGE / ANSWERS), pid
        assert (course / "autograded" / VICTIM / STAGE / ANSWERS).is_file()


def check_feedback(s) -> None:
    proc = run_cli([str(BIN / "lablib"), "feedback", STAGE, "--course", str(s["copy"])], cwd=s["copy"])
    assert "Traceback" not in proc.stdout + proc.stderr
    for pid in (VICTIM, "tautan", "keras"):
        assert list((s["copy"] / "feedback" / pid / STAGE).glob("*.html")), pid


def check_live_scores_refuse_links(s) -> None:
    course = s["course"]
    collected = {x.student: x for x in live_scores(course, STAGE, working=False, disk_cache=False)}
    for pid, kind in (("tautan", "symbolic link"), ("tautan-relatif", "symbolic link"), ("keras", "hard link"),
                      ("fifo", "FIFO")):
        assert collected[pid].earned == EMPTY_SCORE, pid
        assert kind in collected[pid].problem, (pid, collected[pid].problem)
    link = course / "submitted" / "tautan" / STAGE / ANSWERS
    result, _, problem = score_answers_file(link, STAGE)
    assert result.earned == EMPTY_SCORE and "symbolic link" in problem
    # working folders: a link there is not the participant's working copy (the victim's own file,
    # hard-linked by others, is not theirs either: the collected copy is scored)
    work = course.parent / "rumah" / "tautan" / STAGE / ANSWERS
    _replace(work, lambda p: p.symlink_to(s["victim_work"]))
    scores = {x.student: x for x in live_scores(course, STAGE, disk_cache=False)}
    assert (scores["tautan"].earned, scores["tautan"].source) == (EMPTY_SCORE, "submitted")
    assert scores[VICTIM].earned == score_answers(STAGE, model_answers(STAGE)).earned


def test_links_hard_links_and_fifos_earn_nothing(tmp_path):
    """One test (see run_checks): the course and both gradings are built once."""
    s = build(tmp_path)
    run_checks({
        "collect": lambda: check_collect_leaves_links_out_and_says_so(s),
        "nbgrader autograde": lambda: check_plain_nbgrader(s),
        "lablib grade": lambda: check_lablib_grade(s),
        "submission kept": lambda: check_the_submission_is_kept_and_the_grading_copy_holds_no_answers(s),
        "lablib feedback": lambda: check_feedback(s),
        "live": lambda: check_live_scores_refuse_links(s),
    })
