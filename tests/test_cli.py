"""The `lablib` command line without a grading run: init, refusals, messages, status of a
fresh course, `lab --dry-run`, help for every command."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from conftest import BIN, run_cli

from lablib import cli
from lablib.core.stages import STAGES
from lablib.course.folder import COURSE_FILENAME, load_course, protected_preprocessors

DATA = Path(__file__).parent / "data"
COMMANDS = ["init", "add-participants", "release", "collect", "grade", "feedback", "status", "export", "lab", "demo",
            "build-assignments"]


def lablib(*args: str, capsys) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    code = cli.main(["init", str(root / "kursus"), "--roster", str(DATA / "roster-baik.csv"),
                     "--course-id", "uji-cli", "--due", "diagnose=2026-09-01", "--homes", str(root / "rumah/{id}")])
    assert code == 0
    return root / "kursus"


def test_init_creates_config_sources_gradebook_and_course_record(course):
    from nbgrader.api import Gradebook

    assert (course / "nbgrader_config.py").is_file()
    for s in STAGES:
        assert (course / "source" / s.slug / f"{s.slug}.ipynb").is_file()
        assert (course / "source" / s.slug / "kalender-bimtek.json").is_file()
    info = load_course(course)
    assert info.course_id == "uji-cli"
    assert info.participant("budi").jabatan == "Kepala Bidang"
    assert info.calendar.due["diagnose"] == dt.date(2026, 9, 1)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "uji-cli") as gb:
        budi = gb.find_student("budi")
        assert (budi.first_name, budi.last_name, budi.email) == ("Budi", "Santoso", "budi@bangkep.example")
        assert gb.find_student("sari.dewi").email is None
        # end of the due day in WITA (UTC+8), stored by nbgrader in UTC
        assert gb.find_assignment("diagnose").duedate == dt.datetime(2026, 9, 1, 15, 59, 59)
        assert {a.name for a in gb.assignments} == {s.slug for s in STAGES}
    shipped = json.loads((course / "source" / "diagnose" / "kalender-bimtek.json").read_text())
    assert shipped["due"]["diagnose"] == "2026-09-01"


def test_course_config_holds_the_protections_around_nbgrader_defaults(course):
    from nbgrader.converters.autograde import Autograde

    from lablib.course.folder import load_config

    config = load_config(course)
    sanitize, autograde = protected_preprocessors()
    assert list(config.Autograde.sanitize_preprocessors) == sanitize
    assert list(config.Autograde.autograde_preprocessors) == autograde
    assert autograde[0] == "lablib.protections.KeepOnlyCourseFiles"
    assert sanitize.index("lablib.protections.RestoreCourseCells") == \
        sanitize.index("nbgrader.preprocessors.overwritecells.OverwriteCells") - 1
    defaults = Autograde.class_traits()
    for name, ours in (("sanitize_preprocessors", sanitize), ("autograde_preprocessors", autograde)):
        stock = [f"{c.__module__}.{c.__name__}" for c in defaults[name].default()]
        assert [p for p in ours if not p.startswith("lablib.")] == stock


def test_bad_roster_is_refused_listing_every_row_and_nothing_is_left(tmp_path, capsys):
    code, _, err = lablib("init", tmp_path / "kursus", "--roster", DATA / "roster-rusak.csv", capsys=capsys)
    assert code == 1
    for row in (3, 4, 5, 6, 7, 8, 9):
        assert f"baris {row}:" in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_failure_while_building_leaves_nothing_behind(tmp_path, monkeypatch, capsys):
    import lablib.course.folder as course_mod

    calls = []

    def failing(course_dir, stage, calendar=None):
        calls.append(stage)
        if len(calls) == 3:
            raise OSError("disk penuh")
        return original(course_dir, stage, calendar)

    original = course_mod.install_source
    monkeypatch.setattr(course_mod, "install_source", failing)
    code = cli.main(["init", str(tmp_path / "kursus"), "--roster", str(DATA / "roster-baik.csv")])
    assert 1 == code
    assert "lablib init: disk penuh" in capsys.readouterr().err  # a message, not a traceback
    assert list(tmp_path.iterdir()) == []


def test_init_refuses_an_existing_course_and_changes_nothing(course, capsys):
    before = (course / COURSE_FILENAME).read_bytes()
    code, _, err = lablib("init", course, "--roster", DATA / "roster-baik.csv", capsys=capsys)
    assert code == 1 and "sudah ada" in err and "tidak ada yang diubah" in err
    assert (course / COURSE_FILENAME).read_bytes() == before


def test_unreachable_database_is_refused_before_anything_is_made(tmp_path, capsys):
    code, _, err = lablib("init", tmp_path / "kursus", "--roster", DATA / "roster-baik.csv",
                          "--db-url", "postgresql://lablib:rahasia@127.0.0.1:9/tidakada", capsys=capsys)
    assert code == 1
    assert "tidak dapat dihubungi" in err and "rahasia" not in err  # the password is never printed
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, expected", [
    (["--due", "diagnosa=2026-09-01"], "TAHAP=YYYY-MM-DD"),
    (["--workshop-start", "13-08-2026"], "YYYY-MM-DD"),
])
def test_bad_dates_are_refused_by_the_parser(tmp_path, capsys, args, expected):
    with pytest.raises(SystemExit) as exc:
        cli.main(["init", str(tmp_path / "k"), "--roster", str(DATA / "roster-baik.csv"), *args])
    assert exc.value.code == 2
    assert expected in capsys.readouterr().err


def test_inverted_calendar_is_refused(tmp_path, capsys):
    code, _, err = lablib("init", tmp_path / "k", "--roster", DATA / "roster-baik.csv",
                          "--workshop-start", "2026-08-14", "--workshop-end", "2026-08-13", capsys=capsys)
    assert code == 1 and "kalender tidak sah" in err
    assert not (tmp_path / "k").exists()


@pytest.mark.parametrize("command", ["release diagnose", "collect diagnose", "grade diagnose", "status", "export"])
def test_commands_outside_a_course_say_so(tmp_path, monkeypatch, capsys, command):
    monkeypatch.chdir(tmp_path)
    code, _, err = lablib(*command.split(), capsys=capsys)
    assert code == 1
    assert "bukan di dalam kursus lablib" in err and "--course" in err


def test_unknown_stage_lists_the_stages(course, capsys):
    code, _, err = lablib("release", "diagnosa", "--course", course, capsys=capsys)
    assert code == 1
    assert "tahap 'diagnosa' tidak dikenal" in err and "drum-up, diagnose, design, deliver, display" in err


def test_collect_before_release_says_what_to_do(course, capsys):
    code, _, err = lablib("collect", "design", "--course", course, capsys=capsys)
    assert code == 1 and "lablib release design" in err


def test_grade_and_feedback_with_nothing_submitted_say_so(course, capsys):
    code, out, _ = lablib("grade", "drum-up", "--course", course, capsys=capsys)
    assert code == 0 and "Belum ada pengumpulan tahap drum-up" in out
    code, out, _ = lablib("feedback", "drum-up", "--course", course, capsys=capsys)
    assert code == 0 and "lablib grade drum-up" in out


def test_status_of_a_fresh_course_shows_everyone_not_started(course, monkeypatch, capsys):
    monkeypatch.chdir(course / "source")  # found from a folder inside the course
    code, out, _ = lablib("status", capsys=capsys)
    assert code == 0
    lines = [ln for ln in out.splitlines() if ln.startswith(("budi ", "sari.dewi ", "tono_2 "))]
    assert len(lines) == 3 and all(ln.count("belum mulai") == 5 for ln in lines)


def test_saved_answers_in_a_home_folder_show_as_saved(course, capsys):
    from lablib.core.answers import save_answers

    save_answers(course.parent / "rumah" / "tono_2" / "diagnose", "diagnose", {})
    _, out, _ = lablib("status", "--course", course, capsys=capsys)
    line = next(ln for ln in out.splitlines() if ln.startswith("tono_2 "))
    assert line.count("tersimpan") == 1 and line.count("belum mulai") == 4
    _, out, _ = lablib("status", "--live", "--course", course, capsys=capsys)
    line = next(ln for ln in out.splitlines() if ln.startswith("tono_2 "))
    assert "tersimpan ~0/" in line and "skor otomatis jawaban saat ini" in out
    shutil.rmtree(course.parent / "rumah")


def test_export_of_an_ungraded_course_lists_everyone(course, tmp_path, capsys):
    import csv

    code, out, _ = lablib("export", "--course", course, "--out", tmp_path, capsys=capsys)
    assert code == 0 and "nilai.xlsx" in out
    rows = list(csv.DictReader((tmp_path / "nilai-per-latihan.csv").open(encoding="utf-8-sig")))
    assert [r["id"] for r in rows] == ["budi", "sari.dewi", "tono_2"]
    assert all(r["total kursus"] == "0.0" and r["diagnose: status"] == "belum mengumpulkan" for r in rows)


def test_lab_dry_run_prints_the_jupyterlab_command(course, capsys):
    code, out, _ = lablib("lab", "--course", course, "--dry-run", "--port", "8899", capsys=capsys)
    assert code == 0
    assert "-m jupyterlab" in out and f"--ServerApp.root_dir={course}" in out and "--ServerApp.port=8899" in out
    assert "JUPYTER_CONFIG_PATH=" in out and "trainer-config" in out  # formgrader on for the trainer


def test_build_assignments_writes_every_stage(tmp_path, capsys):
    code, _, _ = lablib("build-assignments", tmp_path, capsys=capsys)
    assert code == 0
    assert sorted(p.name for p in tmp_path.glob("*/*.ipynb")) == sorted(f"{s.slug}.ipynb" for s in STAGES)


def test_every_command_has_help():
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(COMMANDS) <= set(sub.choices)
    for name in COMMANDS:
        assert sub.choices[name].format_help()


def test_the_parser_of_one_command_is_the_same_as_in_the_whole_parser():
    whole = next(a for a in cli.build_parser()._actions if a.dest == "command").choices
    for name in whole:
        one = next(a for a in cli.build_parser(name)._actions if a.dest == "command").choices
        assert list(one) == [name]
        assert one[name].format_help() == whole[name].format_help()
    for word in ("grad", "--course"):  # no command: every one is built, so an error can list them
        assert list(next(a for a in cli.build_parser(word)._actions if a.dest == "command").choices) == list(whole)


def test_console_script_runs(tmp_path):
    proc = run_cli([str(BIN / "lablib"), "--help"], cwd=tmp_path)
    assert all(c in proc.stdout for c in ("init", "release", "grade", "status", "export", "demo"))
    proc = run_cli([str(BIN / "lablib"), "status"], cwd=tmp_path, check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_demo_runs_a_small_cohort_end_to_end(tmp_path, capsys):
    import csv

    out = tmp_path / "demo"
    code, text, _ = lablib("demo", "--out", out, "--participants", "3", "--workers", "2", capsys=capsys)
    assert code == 0
    assert "Demo selesai" in text and str(out / "nilai") in text
    rows = {r["id"]: r for r in csv.DictReader((out / "nilai" / "nilai-per-latihan.csv").open(encoding="utf-8-sig"))}
    assert len(rows) == 3
    first, second, third = sorted(rows)
    assert all(rows[first][f"{s.slug}: status"] == "dinilai" for s in STAGES)
    assert rows[second]["display: status"] == "belum mengumpulkan"
    assert rows[third]["deliver: status"] == "belum mengumpulkan"
    assert float(rows[first]["total kursus"]) > 50  # model answers and a generous sample narasumber
    status = text[text.index("ID "):]
    assert "tersimpan" in status and "belum mulai" in status
    assert (out / "nilai" / "nilai.xlsx").is_file()
    # a second run replaces the previous demo output; another folder is never overwritten
    other = tmp_path / "lain"
    other.mkdir()
    (other / "penting.txt").write_text("jangan dihapus")
    code, _, err = lablib("demo", "--out", other, "--participants", "1", capsys=capsys)
    assert code == 1 and "bukan keluaran demo" in err and (other / "penting.txt").exists()
