"""The cohort report: one self-contained HTML file with charts, and the same tables in Excel."""

from __future__ import annotations

import base64
import html
import re

import pytest
from _cohort import CHROMIUM, EVIL, ROSTER, chromium, cohort_course, copy_course
from openpyxl import load_workbook
from page_checks import A4_CONTENT_PX, print_layout

from lablib.core import formatting
from lablib.course.course import Course
from lablib.curriculum import get_exercise
from lablib.reports.report import iid_estimate, load_cohort, predikat, write_report

pytestmark = pytest.mark.slow
SECTIONS = ("kemajuan", "nilai-tahap", "latihan", "kriteria", "matriks", "komentar", "pemeriksaan", "opd", "portofolio",
            "iid", "peserta")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return cohort_course(tmp_path_factory)


@pytest.fixture(scope="module")
def report(course, tmp_path_factory):
    out = tmp_path_factory.mktemp("laporan")
    html_path, xlsx = write_report(course, out)
    return html_path, html_path.read_text(encoding="utf-8"), xlsx


def _table(page: str, key: str) -> str:
    m = re.search(rf'<table id="tabel-{re.escape(key)}">(.*?)</table>', page, re.DOTALL)
    assert m, key
    return m.group(1)


def test_self_contained_no_network_and_every_section(report):
    _, page, _ = report
    for key in SECTIONS:
        assert f'<section id="{key}">' in page
    assert not re.search(r'(src|href)\s*=\s*"(?!data:|#)', page)  # only inline images and anchors
    assert "<link" not in page and "<script" not in page and "@import" not in page and "url(" not in page
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) >= 8
    for data in images:
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"


def test_participant_text_is_escaped(report):
    _, page, _ = report
    assert html.escape(EVIL) in page
    assert "alert(" not in page.replace(html.escape(EVIL), "")


def test_progress_scores_and_participants_including_those_without_submissions(report, course):
    _, page, _ = report
    people = _table(page, "peserta")
    for pid, name, opd, _ in ROSTER:
        assert f"<td>{pid}</td>" in people and html.escape(name) in people and html.escape(opd) in people
    progress = _table(page, "kemajuan")
    cohort = load_cohort(course)
    for stage in cohort.stages:
        assert f"<td>{stage}</td>" in progress
    opd = _table(page, "opd")
    assert all(html.escape(o) in opd for _, _, o, _ in ROSTER)


def test_most_failed_checks_lead_the_table(report):
    _, page, _ = report
    failed = _table(page, "pemeriksaan")
    first = re.search(r"<tbody><tr>(.*?)</tr>", failed, re.DOTALL).group(1)
    assert re.findall(r'<td class="n">(\d+)</td>', first)[-1] != "0"
    assert html.escape(get_exercise("diagnose.dg1").check("usg").title) in failed  # budi's USG scores out of range


def test_portfolio_and_iid_estimate_are_labelled(report, course):
    _, page, _ = report
    portfolio = _table(page, "portofolio")
    for dim in ("Bentuk", "Jenis", "Urusan", "Tahapan", "Facet OECD"):
        assert f"<td>{dim}</td>" in portfolio
    assert "PERKIRAAN" in page and "bukan nilai resmi" in page
    cohort = load_cohort(course)
    with_trial = [i for i in cohort.innovations() if i.value("deliver.dv3.klaim")]
    iid = _table(page, "iid-(perkiraan)")
    for inn in with_trial:
        value, label, _ = iid_estimate(inn)
        assert 0 < value <= 100 and label == predikat(value) and html.escape(label) in iid


def test_participant_by_criterion_matrix_and_the_narasumber_comments(course, tmp_path):
    """Every reviewed criterion as a level per participant, stage by stage, and every comment."""
    from lablib.course.gradebook import read_gradebook
    from lablib.curriculum.grade_ids import RUBRIC, grade_names

    private = copy_course(course, tmp_path / "kursus")
    stage = "diagnose"
    names = [n for n, m in grade_names(stage).items() if m.kind == RUBRIC]
    with Course.open(private).gradebook() as gb:
        nb = gb.find_submission_notebook(stage, stage, "ani")
        grades = {g.name: g for g in nb.grades}
        comments = {c.name: c for c in nb.comments}
        first, second = names[0], names[1]
        points = grades[first].max_score
        grades[first].manual_score = points * 3 / 4  # level 3
        comments[first].manual_comment = "Data baseline <b>kuat</b>; sebutkan sumbernya."
        grades[second].manual_score = grades[second].max_score / 3  # not on the 0–4 grid
        gb.db.commit()
    html_path, _ = write_report(private, tmp_path / "laporan")
    page = html_path.read_text(encoding="utf-8")
    matrix = _table(page, f"matriks-{stage}")
    ani = re.search(r"<tr><td>ani</td>(.*?)</tr>", matrix, re.DOTALL).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", ani)
    assert cells[1] == "3"  # the level, after the name
    assert cells[2].endswith(" poin") and "," in cells[2]  # off-grid points kept as points, decimal comma
    assert "<tr><td>dedi</td>" not in matrix  # nothing submitted, no row
    view = read_gradebook(Course.open(private), [stage])
    assert cells[-1] == html.escape(formatting.number(view.record("ani", stage).total))  # as status shows it
    comments_html = _table(page, "komentar")
    assert html.escape("Data baseline <b>kuat</b>; sebutkan sumbernya.") in comments_html
    assert "<b>kuat</b>" not in page


def test_excel_has_the_same_tables(report):
    _, _, xlsx = report
    wb = load_workbook(xlsx)
    assert {"Kemajuan", "Peserta", "Latihan", "Kriteria", "Pemeriksaan", "OPD", "Portofolio",
            "IID (perkiraan)"} <= set(wb.sheetnames)
    ids = [r[0] for r in wb["Peserta"].iter_rows(values_only=True)]
    assert {"ani", "budi", "citra", "dedi"} <= set(ids)
    names = [str(v) for row in wb["Peserta"].iter_rows(values_only=True) for v in row if v]
    assert any(EVIL in v for v in names)  # plain text in Excel, not HTML


def test_cli_report(course, tmp_path, capsys):
    from lablib.cli import main

    assert main(["report", "--course", str(course), "--out", str(tmp_path / "r.html")]) == 0
    assert (tmp_path / "r.html").is_file() and (tmp_path / "r.xlsx").is_file()
    assert "Laporan kohort" in capsys.readouterr().out


@pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium (/usr/bin/chromium) is not installed")
def test_report_loads_in_headless_chromium_without_network(report, tmp_path):
    html_path, _, _ = report
    dom = chromium(html_path.as_uri(), tmp_path / "profile", "--dump-dom")
    assert "Laporan kohort Laboratorium Inovasi" in dom
    assert dom.count("<img") >= 8
    shot = tmp_path / "report.png"
    chromium(html_path.as_uri(), tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,2000")
    assert shot.stat().st_size > 20_000


@pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium (/usr/bin/chromium) is not installed")
def test_report_prints_on_a4_with_every_table_inside_the_page(report, tmp_path):
    html_path, page, _ = report
    assert "size: A4" in page and "@media print" in page
    layout = print_layout(html_path.as_uri(), tmp_path / "laporan.pdf")
    assert layout["page"] <= A4_CONTENT_PX and layout["nav"] == "none"
    assert {"tabel-kriteria", "tabel-komentar"} <= {t["id"] for t in layout["tables"]}
    for t in layout["tables"]:
        assert t["right"] <= A4_CONTENT_PX and t["scroll"] <= t["width"], t
    pdf = (tmp_path / "laporan.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"/MediaBox [0 0 595" in pdf  # A4 is 595 × 842 pt


def test_a_course_nobody_has_submitted_to_still_reports(tmp_path, capsys):
    from lablib.cli import main
    from lablib.course.folder import create_course
    from lablib.course.roster import Participant

    course = tmp_path / "kosong"
    create_course(course, [Participant("x1", "Satu Orang", "Dinas A")], course_id="kosong")
    for argv in (["report"], ["showcase"], ["documents"], ["review", "export", "diagnose"]):
        assert main([*argv, "--course", str(course)]) == 0, argv
    page = (course / "laporan" / "laporan-kohort.html").read_text(encoding="utf-8")
    assert "Satu Orang" in page and "Belum ada data" in page
    assert main(["review", "export", "bukan-tahap", "--course", str(course)]) == 1
    assert "bukan-tahap" in capsys.readouterr().err
