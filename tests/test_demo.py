"""``lablib demo`` as a Bupati and an expo would see it: a varied cohort, documents, a review
sheet per narasumber, the report and the curated showcase, checked in headless Chromium.

One small demo (six participants: the model, one of each other profile) is run once for the
module. Screenshots and the printed report are kept in ``test-artifacts/demo/``.
"""

from __future__ import annotations

import json
import re
import zipfile

import pytest
from _cohort import CHROMIUM
from browser_helpers import REPO
from openpyxl import load_workbook
from page_checks import A4_CONTENT_PX, expo_cards, print_layout

from lablib.core.stages import STAGES
from lablib.course.course import Course

pytestmark = pytest.mark.slow
ARTIFACTS = REPO / "test-artifacts" / "demo"
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium (/usr/bin/chromium) is not installed")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from lablib.demo import run_demo

    out = tmp_path_factory.mktemp("demo") / "demo-out"
    said: list[str] = []
    result = run_demo(out, participants=6, seed=2026, workers=2, say=said.append)
    return out, result, "\n".join(said)


def _showcase_data(path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    return json.loads(re.search(r'id="showcase-data">(.*?)</script>', text, re.DOTALL).group(1))


def test_demo_writes_documents_review_sheets_report_and_showcase(demo):
    out, result, said = demo
    for key in ("dokumen", "penilaian", "laporan", "pameran"):
        assert key in result["paths"] and str(result["paths"][key]) in said
    with_answers = sorted(p.name for p in (out / "dokumen").iterdir())
    assert len(with_answers) == 5  # the sixth participant handed in nothing
    for pid in with_answers:
        assert {"profil-inovasi.html", "profil-inovasi.docx", "proposal-kipp.html", "proposal-kipp.docx"} == {
            p.name for p in (out / "dokumen" / pid).iterdir()}
    with zipfile.ZipFile(out / "dokumen" / with_answers[0] / "profil-inovasi.docx") as z:
        assert 'w:lang w:val="id-ID"' in z.read("word/styles.xml").decode("utf-8")
    assert (out / "laporan" / "laporan-kohort.html").is_file() and (out / "laporan" / "laporan-kohort.xlsx").is_file()


def test_a_review_sheet_per_narasumber_covering_every_submitter(demo):
    from lablib.demo import NARASUMBER

    out, result, _ = demo
    people = [p.id for p in result["status"].participants]
    for stage in (s.slug for s in STAGES):
        sheets = sorted((out / "penilaian").glob(f"penilaian-{stage}-*.xlsx"))
        assert len(NARASUMBER) == len(sheets), stage
        assert any("ratna-sari" in p.name for p in sheets), stage  # named for its narasumber
        seen: list[set[str]] = []
        for path in sheets:
            wb = load_workbook(path, read_only=True)
            values = {str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v}
            seen.append({pid for pid in people if pid in values})
        assert set().union(*seen), stage  # somebody to review in every stage
        submitted = {p.id for p in result["status"].participants
                     if next(s for s in p.stages if s.stage == stage).state == "dinilai"}
        assert submitted <= set().union(*seen), stage


def test_the_cohort_is_varied_and_labelled_data_fiktif(demo):
    from lablib.course.gradebook import latest_answers
    from lablib.demo import _cohort
    from lablib.reports.report import iid_estimate, load_cohort, portfolio_dimensions

    out, _, _ = demo
    cohort = load_cohort(out / "kursus")
    inns = [i for i in cohort.innovations() if i.value("design.ds1.nama")]
    assert len({i.name for i in inns}) == len(inns) >= 4
    assert len({i.opd for i in inns}) == len(inns)
    off_topic = {p.id for p in _cohort(6, 2026) if p.profile == "off_topic"}  # unrelated text by design
    for inn in inns:
        if inn.person.id not in off_topic:
            assert "data fiktif" in json.dumps(latest_answers(out / "kursus", inn.person.id), ensure_ascii=False)
    estimates = {iid_estimate(i)[0] for i in inns if i.value("deliver.dv3.klaim")}
    assert len(estimates) >= 3  # no longer every innovation at 31
    dims = [portfolio_dimensions(i) for i in inns]
    assert len({d["Tahapan"] for d in dims}) >= 2 and len({d["Urusan"] for d in dims}) >= 3
    assert len({d["Bentuk"] for d in dims}) >= 2 and len({d["Jenis"] for d in dims}) == 2


@needs_chromium
def test_demo_report_prints_on_a4_and_is_kept_as_screenshot_and_pdf(demo):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from browser_helpers import launch_chromium

    out, _, _ = demo
    page = out / "laporan" / "laporan-kohort.html"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    layout = print_layout(page.as_uri(), ARTIFACTS / "laporan-kohort-a4.pdf")
    for t in layout["tables"]:
        assert t["right"] <= A4_CONTENT_PX and t["scroll"] <= t["width"], t
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            tab = browser.new_page(viewport={"width": 1280, "height": 900})
            tab.goto(page.as_uri())
            assert "Matriks peserta × kriteria" in tab.inner_text("#matriks h2")
            assert tab.locator("#komentar tbody tr").count() >= 10
            tab.screenshot(path=str(ARTIFACTS / "laporan-kohort.png"), full_page=True)
            tab.locator("#matriks").screenshot(path=str(ARTIFACTS / "laporan-matriks.png"))
        finally:
            browser.close()
    assert (ARTIFACTS / "laporan-kohort.png").stat().st_size > 100_000


@needs_chromium
def test_demo_showcase_is_curated_and_every_card_fits_the_expo_screen(demo):
    from lablib.demo import curated_showcase

    out, result, _ = demo
    page = result["paths"]["pameran"]
    cards = _showcase_data(page)
    chosen = set(curated_showcase(Course.open(out / "kursus")))
    assert {c["id"] for c in cards} == chosen and cards
    listed = (out / "pameran" / "kurasi-pameran.txt").read_text(encoding="utf-8")
    assert all(f"\n{c['id']}  #" in listed for c in cards)
    assert all(c["tahapan"] == "Penerapan" for c in cards)  # all of them reached Display
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shown = expo_cards(page.as_uri(), shot=lambda i: ARTIFACTS / f"pameran-kartu-{i + 1}.png" if i < 3 else None)
    for card in shown:
        assert card["height"] <= 1080 and card["scroll"] <= card["client"] + 1 and card["font"] >= 14, card
    from PIL import Image

    assert (1920, 1080) == Image.open(ARTIFACTS / "pameran-kartu-1.png").size


@needs_chromium
def test_demo_document_opens_in_chromium_and_is_kept_as_screenshot(demo):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from browser_helpers import launch_chromium

    out, _, _ = demo
    doc = out / "dokumen" / sorted(p.name for p in (out / "dokumen").iterdir())[0] / "profil-inovasi.html"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            tab = browser.new_page(viewport={"width": 1000, "height": 1400})
            tab.goto(doc.as_uri())
            text = tab.inner_text("body")
            tab.screenshot(path=str(ARTIFACTS / "dokumen-profil-inovasi.png"), full_page=True)
        finally:
            browser.close()
    assert "Profil Inovasi Daerah" in text and "Penerapan (" in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # Indonesian dates only
    assert (ARTIFACTS / "dokumen-profil-inovasi.png").stat().st_size > 50_000
