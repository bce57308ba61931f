"""One number everywhere: totals computed once, rounded half up once, the same in status, the
report, the export and every feedback page; parts shown under a total add up to it."""

from __future__ import annotations

import csv
import re
from decimal import Decimal

import pytest
from _cohort import cohort_course, copy_course

from lablib.course import totals
from lablib.course.course import Course
from lablib.course.gradebook import read_gradebook
from lablib.course.status import format_status, status
from lablib.curriculum.grade_ids import AUTO, grade_names
from lablib.reports.export import export
from lablib.reports.feedback import feedback_path, refresh_feedback, write_feedback
from lablib.reports.report import load_cohort, participants_table

STAGE, OTHER = "diagnose", "design"


# ----------------------------------------------------------------------------- the rules

def test_half_up_on_the_number_as_written_not_the_binary_float():
    assert 83.62 == round(83.625, 2)  # Python's round: half even on the binary float
    assert Decimal("83.63") == totals.rounded(83.625)
    assert Decimal("1.01") == totals.rounded(1.005)  # the float 1.005 is 1.00499999...
    assert Decimal("0.30") == totals.total([0.1, 0.2])
    assert Decimal("0.00") == totals.rounded(-0.004)


def test_course_total_is_the_sum_of_the_rounded_stage_totals():
    stages = [totals.total([40.5, 0.005]), totals.total([43.12, 0.005])]
    assert [Decimal("40.51"), Decimal("43.13")] == stages
    assert Decimal("83.64") == totals.course_total(stages)


@pytest.mark.parametrize("parts", [
    [1.875, 1.875, 0.25], [0.005, 0.005], [0.3125, 0.3125, 10], [1 / 3, 1 / 3, 1 / 3],
    [2.675, 3.335, 0.0, 7.125, 0.995], [0.0, 0.0],
])
def test_apportioned_parts_add_up_to_the_rounded_total_and_stay_within_a_cent(parts):
    shown = totals.apportion(parts)
    assert totals.total(parts) == sum(shown)
    for exact, part in zip(parts, shown):
        assert abs(Decimal(repr(float(exact))) - part) < Decimal("0.01")
        assert part == part.quantize(Decimal("0.01"))


def test_apportion_gives_the_cent_to_the_largest_remainder_first():
    assert [Decimal("0.32"), Decimal("0.31")] == totals.apportion([0.3125, 0.3125])  # tie: the first
    assert [Decimal("0.31"), Decimal("0.32")] == totals.apportion([0.311, 0.314])


def test_apportion_to_a_target_out_of_reach_still_adds_up():
    shown = totals.apportion([1.0, 2.0], Decimal("3.05"))
    assert Decimal("3.05") == sum(shown)
    assert [Decimal("1.00"), Decimal("2.05")] == shown


# ----------------------------------------------------------------------------- the course

def _auto_grades_in_two_exercises() -> list[str]:
    picked, exercises = [], set()
    for name, meaning in grade_names(STAGE).items():
        if meaning.kind == AUTO and meaning.exercise.id not in exercises:
            picked.append(name)
            exercises.add(meaning.exercise.id)
        if len(picked) == 2:
            return picked
    raise AssertionError("diagnose needs automatic checks in two exercises")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """ani's Diagnose total made to end in 5 at the third decimal, split over two exercises
    (0.3125 extra credit each): rounding each part on its own would not add up."""
    course = copy_course(cohort_course(tmp_path_factory), tmp_path_factory.mktemp("totals") / "course")
    with Course.open(course).gradebook() as gb:
        for name in _auto_grades_in_two_exercises():
            gb.find_grade(name, STAGE, STAGE, "ani").extra_credit = 0.3125
        gb.db.commit()
    return course


@pytest.fixture(scope="module")
def exact(course) -> Decimal:
    with Course.open(course).gradebook() as gb:
        score = gb.find_submission(STAGE, "ani").score
    value = Decimal(repr(score))
    assert value.as_tuple().exponent <= -3 and str(value).endswith("5")  # e.g. 38.625: a true tie
    return value


@pytest.mark.slow
def test_status_report_export_and_feedback_show_the_same_rounded_total(course, exact, tmp_path):
    shown = exact.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    text = f"{shown}".replace(".", ",")

    st = status(course)
    ani = next(p for p in st.participants if p.id == "ani")
    cell = next(s for s in ani.stages if s.stage == STAGE)
    assert float(shown) == cell.score
    assert f"{text}/" in format_status(st)

    row = next(r for r in participants_table(load_cohort(course)).rows if r[0] == "ani")
    cohort = load_cohort(course)
    assert float(shown) == row[3 + cohort.stages.index(STAGE)]

    export(course, tmp_path)
    with (tmp_path / "nilai-per-latihan.csv").open(encoding="utf-8-sig", newline="") as fh:
        exported = next(r for r in csv.DictReader(fh) if r["id"] == "ani")
    assert float(shown) == float(exported[f"{STAGE}: total"])
    assert float(ani.total) == float(exported["total kursus"])
    # the exercise columns of the export add up to the stage total beside them
    parts = [Decimal(v) for k, v in exported.items() if k.startswith("DG") and k.endswith(" total") and v]
    assert shown == sum(parts)

    write_feedback(course, STAGE, ["ani"])
    page = feedback_path(course, "ani", STAGE).read_text(encoding="utf-8")
    assert f"<b>{text} / " in page
    assert f"<b>{_comma(ani.total)} / " in page  # the course total, as status shows it


@pytest.mark.slow
def test_the_parts_on_a_feedback_page_add_up_to_the_totals_shown(course, exact):
    write_feedback(course, STAGE, ["ani"])
    page = feedback_path(course, "ani", STAGE).read_text(encoding="utf-8")
    stage_total = _number(re.search(r"Nilai tahap ini<b>([\d.,]+) /", page).group(1))
    exercises = [_number(x) for x in re.findall(r"<h2>[^<]*<small>\(([\d.,]+)/", page)]
    assert len(exercises) >= 2
    assert stage_total == sum(exercises)
    auto, rubric = (_number(x) for x in re.search(r"otomatis ([\d.,]+)/[\d.,]+ · rubrik ([\d.,]+)/", page).groups())
    assert stage_total == auto + rubric
    # within each exercise, the checks and criteria shown add up to the exercise's points
    for section in re.split(r"(?=<h2>)", page)[1:]:
        earned = _number(re.search(r"<small>\(([\d.,]+)/", section).group(1))
        items = [_number(x) for x in re.findall(r"<li>.*?<small>\(([\d.,]+)/", section)]
        items += [_number(x) for x in re.findall(r"<td>([\d.,]+)/[\d.,]+</td></tr>", section)]
        assert earned == sum(items), section[:200]


@pytest.mark.slow
def test_a_grade_changed_in_one_stage_refreshes_the_participants_other_pages(course):
    write_feedback(course, STAGE, ["ani"])
    write_feedback(course, OTHER, ["ani"])
    assert [] == refresh_feedback(course, ["ani"])  # nothing changed: nothing rewritten
    with Course.open(course).gradebook() as gb:  # a review import raises ani's Design score
        name = next(n for n, m in grade_names(OTHER).items() if m.kind == AUTO)
        gb.find_grade(name, OTHER, OTHER, "ani").extra_credit = 1.5
        gb.db.commit()
    write_feedback(course, OTHER, ["ani"])  # `lablib feedback design` ...
    assert [("ani", STAGE)] == refresh_feedback(course, ["ani"], skip=[("ani", OTHER)])  # ... and the rest
    design = feedback_path(course, "ani", OTHER).read_text(encoding="utf-8")
    diagnose = feedback_path(course, "ani", STAGE).read_text(encoding="utf-8")
    total = read_gradebook(course).course_total("ani")
    for page in (design, diagnose):
        assert f"kursus sejauh ini<b>{_comma(total)} / " in page


def _comma(value) -> str:
    from lablib.core import formatting

    return formatting.points(value)


def _number(text: str) -> Decimal:
    return Decimal(text.replace(".", "").replace(",", "."))


@pytest.mark.slow
def test_lablib_feedback_sends_the_refreshed_pages_again_and_all_covers_every_stage(course, capsys):
    from lablib.cli import main

    args = ["--course", str(course)]
    for folder in (course / "autograded").glob("*/*"):  # as `nbgrader submit` leaves them: release needs it
        secret = folder / "submission_secret.txt"
        if not secret.exists():
            secret.write_text(f"rahasia-{folder.parent.name}-{folder.name}", encoding="utf-8")
    assert 0 == main(["feedback", STAGE, *args])
    assert 0 == main(["feedback", OTHER, *args])
    capsys.readouterr()
    with Course.open(course).gradebook() as gb:  # a narasumber changes ani's Diagnose after both were sent
        name = next(n for n, m in grade_names(STAGE).items() if m.kind == AUTO)
        gb.find_grade(name, STAGE, STAGE, "ani").extra_credit = 2.25
        gb.db.commit()
    assert 0 == main(["feedback", STAGE, *args])
    out = capsys.readouterr().out
    assert "1 halaman umpan balik tahap lain diperbarui dan dikirim ulang" in out
    total = f"kursus sejauh ini<b>{_comma(read_gradebook(course).course_total('ani'))} / "
    design = Course.open(course).path("feedback", "ani", OTHER) / f"{OTHER}.html"
    assert total in design.read_text(encoding="utf-8")  # nbgrader's copy, the one release sends
    sent = [p.read_text(encoding="utf-8") for p in (course / "exchange").rglob("*.html")]
    assert sum(1 for page in sent if total in page) >= 2  # both of ani's pages, in the exchange

    assert 0 == main(["feedback", "--all", *args])
    out = capsys.readouterr().out
    assert f"Umpan balik tahap {STAGE} dibuat" in out and f"Umpan balik tahap {OTHER} dibuat" in out
    assert 1 == main(["feedback", *args])
    assert "sebutkan satu TAHAP atau --all" in capsys.readouterr().err
