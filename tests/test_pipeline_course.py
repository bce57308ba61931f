"""A small bimtek through the trainer's `lablib` commands and real nbgrader, on SQLite.

The trainer's commands run in this process (``lablib.cli.main``). Ani uses nbgrader's own
command line (``fetch_assignment``, ``submit --student``, ``fetch_feedback``) in her home
folder; the others use the same exchange classes in this process (``lablib.demo``'s
``ExchangeParticipant``), which saves a slow process start per step. Cohort:

- ani: model answers for Diagnose; also submits Drum-up, whose due date has passed (late);
- budi: submits a blank Diagnose, then fills part of it and submits again;
- citra: fetches Diagnose and saves answers, never submits;
- dedi: on the roster, never does anything.

Every trainer command runs twice; a manual (rubric) grade is set and survives a forced
re-grade. ``PipelineContract`` holds the checks; test_postgres runs them on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import nbgrader

from lablib import cli
from lablib.core.answers import save_answers
from lablib.curriculum import stage_exercises
from lablib.curriculum.grade_ids import rubric_grade_id
from lablib.curriculum.samples import model_answers
from lablib.curriculum.scoring import score_answers
from lablib.demo import ExchangeParticipant

pytestmark = pytest.mark.slow

COURSE_ID = "uji-bimtek"
ROSTER = """id,nama,opd,jabatan,email
ani,Ani Lestari,Dinas Kependudukan dan Pencatatan Sipil,Kepala Bidang,ani@bangkep.example
budi,Budi Santoso,Dinas Kesehatan,Sekretaris,budi@bangkep.example
citra,Citra Dewi,Dinas Perikanan,Kepala Seksi,
dedi,Dedi Kurniawan,DPMPTSP,Analis,dedi@bangkep.example
"""
_DG1 = next(ex for ex in stage_exercises("diagnose") if ex.code == "DG1")
MANUAL = (rubric_grade_id(_DG1, _DG1.criteria[0].id), _DG1.criteria[0].score(3))  # a narasumber's level 3


def budi_answers() -> dict:
    """Part of the model answers: DG1 with one problem only (some checks fail)."""
    answers = model_answers("diagnose")
    answers["diagnose.dg1"]["masalah"] = answers["diagnose.dg1"]["masalah"][:1]
    return answers


@dataclass
class Scenario:
    root: Path
    course: Path
    db_url: str
    out: dict[str, str] = field(default_factory=dict)  # "<step>#<n>" -> stdout + stderr
    codes: dict[str, int] = field(default_factory=dict)
    outbound_before: dict[str, float] = field(default_factory=dict)
    fetched_feedback: list[Path] = field(default_factory=list)

    def lablib(self, step: str, *args: str) -> str:
        n = sum(1 for k in self.out if k.split("#")[0] == step) + 1
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
            code = cli.main([step, *(str(a) for a in args)])
        self.out[f"{step}#{n}"], self.codes[f"{step}#{n}"] = buf.getvalue(), code
        assert code == 0, f"lablib {step} {' '.join(map(str, args))} exited {code}:\n{buf.getvalue()}"
        return buf.getvalue()

    def gradebook(self):
        from nbgrader.api import Gradebook

        return Gradebook(self.db_url, COURSE_ID)


def run_scenario(root: Path, db_url: str | None = None) -> Scenario:
    course = root / "kursus"
    roster = root / "peserta.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    homes = root / "rumah"
    sc = Scenario(root, course, db_url or f"sqlite:///{course / 'gradebook.db'}")
    init = [course, "--roster", roster, "--course-id", COURSE_ID, "--homes", f"{homes}/{{id}}",
            "--due", "drum-up=2020-01-01", "--due", "diagnose=2099-12-31"]
    sc.lablib("init", *init, *(["--db-url", db_url] if db_url else []))
    if db_url:  # the normalised URL the course uses
        from lablib.course.folder import load_config

        sc.db_url = str(load_config(course).CourseDirectory.db_url)
    c = ["--course", course]
    sc.lablib("release", "diagnose", *c)
    outbound = course / "exchange" / COURSE_ID / "outbound" / "diagnose"
    sc.outbound_before = {p.name: p.stat().st_mtime for p in outbound.iterdir()}
    sc.lablib("release", "diagnose", *c)
    sc.lablib("release", "drum-up", *c)

    exchange = [f"--course={COURSE_ID}", f"--Exchange.root={course / 'exchange'}",
                f"--Exchange.cache={root / 'cache'}"]

    def home(pid: str) -> Path:
        (homes / pid).mkdir(parents=True, exist_ok=True)
        return homes / pid

    def in_process(pid: str) -> ExchangeParticipant:  # the same exchange code, without a process start
        return ExchangeParticipant(pid, home(pid), course / "exchange", root / "cache", COURSE_ID)

    # ani uses nbgrader's command line; the others nbgrader's exchange classes in this process
    nbgrader("fetch_assignment", "diagnose", *exchange, cwd=home("ani"))
    save_answers(homes / "ani" / "diagnose", "diagnose", model_answers("diagnose"))
    nbgrader("submit", "diagnose", *exchange, "--student=ani", cwd=home("ani"))
    budi, citra = in_process("budi"), in_process("citra")
    save_answers(citra.fetch("diagnose"), "diagnose", budi_answers())
    budi.fetch("diagnose")
    budi.submit("diagnose")  # blank first
    time.sleep(0.01)  # nbgrader's timestamps have microseconds; keep the two submissions apart
    save_answers(homes / "budi" / "diagnose", "diagnose", budi_answers())
    budi.submit("diagnose")  # then filled
    late = in_process("ani")
    save_answers(late.fetch("drum-up"), "drum-up", model_answers("drum-up"))
    late.submit("drum-up")

    sc.lablib("collect", "diagnose", *c)
    sc.lablib("collect", "diagnose", *c)
    sc.lablib("collect", "drum-up", *c)
    sc.lablib("grade", "diagnose", *c)
    sc.lablib("grade", "diagnose", *c)
    sc.lablib("grade", "drum-up", *c)
    with sc.gradebook() as gb:  # the narasumber scores one criterion (as formgrader would)
        grade = gb.find_grade(MANUAL[0], "diagnose", "diagnose", "ani")
        grade.manual_score, grade.needs_manual_grade = MANUAL[1], False
        gb.db.commit()
    sc.lablib("grade", "diagnose", *c, "--force")
    sc.lablib("feedback", "diagnose", *c)
    sc.lablib("feedback", "diagnose", *c)
    nbgrader("fetch_feedback", "diagnose", *exchange, "--student=ani", cwd=home("ani"))
    sc.fetched_feedback = sorted((homes / "ani").rglob("feedback/*/*.html"))
    sc.lablib("status", *c)
    sc.lablib("export", *c, "--out", root / "ekspor")
    return sc


def auto_scores(sc: Scenario, student: str, stage: str = "diagnose") -> dict[str, float]:
    with sc.gradebook() as gb:
        nb = gb.find_submission_notebook(stage, stage, student)
        return {g.name: g.auto_score for g in nb.grades if g.auto_score is not None}


def read_csv(path: Path) -> list[dict]:
    return list(csv.DictReader(path.open(encoding="utf-8-sig")))


def run_checks(checks: dict) -> None:
    """Run every check (name -> no-argument callable) and report all failures together.

    The expensive scenarios are one test each: under ``pytest -n`` (xdist) a module's tests may
    go to different workers, and each worker would build the scenario again.
    """
    failures = []
    for name, check in checks.items():
        try:
            check()
        except AssertionError as exc:
            failures.append(f"{name}: {exc}")
    assert not failures, f"{len(failures)} of {len(checks)} checks failed:\n" + "\n\n".join(failures)


class PipelineContract:
    """Checks every gradebook backend must pass (``check_*`` methods, run by ``run``)."""

    def run(self, scenario: Scenario) -> None:
        methods = {name: getattr(self, name) for name in dir(self) if name.startswith("check_")}
        run_checks({name: (lambda m=method: m(scenario)) for name, method in methods.items()})

    def check_model_answers_earn_every_automatic_point(self, scenario):
        expected = score_answers("diagnose", model_answers("diagnose"))
        assert expected.earned == sum(ex.auto_points for ex in stage_exercises("diagnose"))
        assert sum(auto_scores(scenario, "ani").values()) == expected.earned

    def check_resubmission_is_graded_from_the_newer_submission(self, scenario):
        expected = score_answers("diagnose", budi_answers())
        assert 0 < expected.earned < score_answers("diagnose", model_answers("diagnose")).earned
        assert sum(auto_scores(scenario, "budi").values()) == expected.earned
        inbound = scenario.course / "exchange" / COURSE_ID / "inbound"
        assert len(list(inbound.glob("budi+diagnose+*"))) == 2  # both submissions kept

    def check_release_twice_changes_nothing(self, scenario):
        assert "sudah dirilis" in scenario.out["release#2"]
        outbound = scenario.course / "exchange" / COURSE_ID / "outbound" / "diagnose"
        assert {p.name: p.stat().st_mtime for p in outbound.iterdir()} == scenario.outbound_before

    def check_collect_twice_takes_nothing_new(self, scenario):
        assert "2 pengumpulan baru" in scenario.out["collect#1"]
        assert "0 pengumpulan baru, 0 diperbarui, 2 tidak berubah" in scenario.out["collect#2"]
        assert "Belum mengumpulkan (2): citra, dedi" in scenario.out["collect#2"]

    def check_a_late_submission_is_graded(self, scenario):
        assert "1 dinilai" in scenario.out["grade#3"]
        assert sum(auto_scores(scenario, "ani", "drum-up").values()) == \
            score_answers("drum-up", model_answers("drum-up")).earned

    def check_grade_twice_skips_unchanged_submissions(self, scenario):
        assert "2 dinilai" in scenario.out["grade#1"]
        assert "0 dinilai, 2 dilewati" in scenario.out["grade#2"]
        assert "2 dinilai" in scenario.out["grade#4"]  # --force

    def check_manual_grade_survives_a_forced_regrade(self, scenario):
        with scenario.gradebook() as gb:
            grade = gb.find_grade(MANUAL[0], "diagnose", "diagnose", "ani")
            assert (grade.manual_score, grade.needs_manual_grade) == (MANUAL[1], False)

    def check_late_submission_is_flagged(self, scenario):
        with scenario.gradebook() as gb:
            assert gb.find_submission("drum-up", "ani").total_seconds_late > 0
            assert gb.find_submission("diagnose", "ani").total_seconds_late == 0
        assert "Terlambat: ani" in scenario.out["grade#3"]
        ani = next(ln for ln in scenario.out["status#1"].splitlines() if ln.startswith("ani "))
        assert re.split(r"\s{2,}", ani)[2].endswith("*")  # the drum-up cell

    def check_status_shows_every_state(self, scenario):
        rows = {ln.split()[0]: ln for ln in scenario.out["status#1"].splitlines()
                if ln.split() and ln.split()[0] in ("ani", "budi", "citra", "dedi")}
        assert "tersimpan" in rows["citra"] and rows["citra"].count("belum mulai") == 4
        assert rows["dedi"].count("belum mulai") == 5
        max_diagnose = sum(ex.points for ex in stage_exercises("diagnose"))
        expected = sum(auto_scores(scenario, "budi").values())
        assert f"{expected:.4g}/{max_diagnose:.4g} r" in rows["budi"]

    def check_export_has_every_participant_with_items_and_blanks(self, scenario):
        folder = scenario.root / "ekspor"
        per_ex = {r["id"]: r for r in read_csv(folder / "nilai-per-latihan.csv")}
        assert list(per_ex) == ["ani", "budi", "citra", "dedi"]
        assert per_ex["dedi"]["diagnose: status"] == "belum mengumpulkan"
        assert per_ex["dedi"]["DG1 otomatis"] == "" and float(per_ex["dedi"]["total kursus"]) == 0
        assert per_ex["citra"]["diagnose: status"] == "belum mengumpulkan"
        assert per_ex["ani"]["drum-up: status"] == "dinilai (terlambat)"
        dg1_auto = sum(v for k, v in auto_scores(scenario, "ani").items() if k.startswith("auto-dg1-"))
        assert float(per_ex["ani"]["DG1 otomatis"]) == dg1_auto
        assert float(per_ex["ani"]["DG1 rubrik"]) == MANUAL[1]
        per_item = {r["id"]: r for r in read_csv(folder / "nilai-per-butir.csv")}
        dg1 = next(ex for ex in stage_exercises("diagnose") if ex.code == "DG1")
        for check in dg1.checks:
            column = f"DG1 otomatis {check.id} (maks {check.points:g})"
            assert column in per_item["ani"]
            assert float(per_item["ani"][column]) == check.points
            assert per_item["dedi"][column] == ""
        crit = next(c for c in dg1.criteria if rubric_grade_id(dg1, c.id) == MANUAL[0])
        assert float(per_item["ani"][f"DG1 rubrik {crit.id} (maks {crit.points:g})"]) == MANUAL[1]
        other = [c for c in dg1.criteria if c is not crit]
        for c in other:  # not scored by a narasumber yet: blank, not 0
            assert per_item["ani"][f"DG1 rubrik {c.id} (maks {c.points:g})"] == ""
        long_rows = read_csv(folder / "nilai-rinci.csv")
        assert {r["id"] for r in long_rows} == {"ani", "budi", "citra", "dedi"}
        from openpyxl import load_workbook

        wb = load_workbook(folder / "nilai.xlsx", read_only=True)
        assert wb.sheetnames == ["Per latihan", "Per butir", "Rinci"]
        assert wb["Per latihan"].max_row == 5

    def check_feedback_twice_reaches_the_participant(self, scenario):
        for n in (1, 2):
            assert "dikirim untuk 2 peserta" in scenario.out[f"feedback#{n}"]
        assert scenario.fetched_feedback, "ani fetched no feedback"
        page = scenario.fetched_feedback[-1].read_text(encoding="utf-8")
        assert "lablib.grade_check" not in page  # lablib's page: no test code

    def check_answers_file_reaches_the_grader_unchanged(self, scenario):
        original = (scenario.root / "rumah" / "ani" / "diagnose" / "jawaban-diagnose.json").read_bytes()
        graded = scenario.course / "autograded" / "ani" / "diagnose" / "jawaban-diagnose.json"
        assert graded.read_bytes() == original
        assert json.loads(original)["answers"] == model_answers("diagnose")


def test_bimtek_on_sqlite(tmp_path):
    PipelineContract().run(run_scenario(tmp_path))
