"""The Display showcase: a self-contained gallery with search and filters from file://."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import quote

import pytest
from _cohort import CHROMIUM, EVIL, chromium, cohort_course, copy_course
from page_checks import expo_cards

from lablib.reports.showcase import embed_json, write_showcase

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return cohort_course(tmp_path_factory)


@pytest.fixture(scope="module")
def page(course, tmp_path_factory):
    """Every participant with answers, in a chosen order (the default shows Display only)."""
    path = write_showcase(course, tmp_path_factory.mktemp("pameran") / "pameran.html",
                          participants=["ani", "budi", "citra"])
    return path, path.read_text(encoding="utf-8")


def _data(text: str) -> list[dict]:
    m = re.search(r'<script type="application/json" id="showcase-data">(.*?)</script>', text, re.DOTALL)
    assert m
    return json.loads(m.group(1))


def test_one_card_per_innovation_with_problem_idea_indicators_and_results(page):
    _, text = page
    cards = {c["id"]: c for c in _data(text)}
    assert set(cards) == {"ani", "budi", "citra"}  # dedi has nothing to show
    ani = cards["ani"]
    assert ani["problem"]["text"] and ani["opd"] == "Dinas Kependudukan dan Pencatatan Sipil"
    if ani["indicators"]:
        assert all(i["name"] and i["baseline"] for i in ani["indicators"])
    if ani["results"]["rows"]:
        assert ani["results"]["weeks"] == len(ani["series"]["served"]) > 1
    citra = cards["citra"]  # Diagnose only: still a card, with what exists
    assert citra["problem"]["text"] and not citra["indicators"] and not citra["results"]["rows"]


def test_embedded_json_cannot_break_out_of_its_script_block(page):
    _, text = page
    block = re.search(r'id="showcase-data">(.*?)</script>', text, re.DOTALL).group(1)
    assert "<" not in block and ">" not in block and "&" not in block.replace("\\u0026", "")
    assert any(EVIL in c["name"] or EVIL in c["problem"]["text"] for c in _data(text))
    assert "<script>alert" not in text
    assert html.escape(EVIL) in text or EVIL not in text  # the noscript list escapes it too
    assert json.loads(embed_json({"x": "</script><!--"})) == {"x": "</script><!--"}


def test_by_default_only_participants_who_submitted_display_are_shown(course, tmp_path):
    from lablib.reports.showcase import CURATION_FILE, publish_showcase

    private = copy_course(course, tmp_path / "kursus")
    shown = publish_showcase(private, tmp_path / "p.html")
    assert ("ani",) == shown.selection.ids  # budi stopped after Design, citra after Diagnose, dedi never began
    assert ["ani"] == [c["id"] for c in _data(shown.path.read_text(encoding="utf-8"))]
    listed = (private / "pameran" / CURATION_FILE).read_text(encoding="utf-8")
    assert "\nani  # Dinas Kependudukan" in listed
    assert "# budi  # Dinas Kesehatan" in listed and "(belum mengumpulkan Display)" in listed


def test_a_curation_file_the_trainer_edits_sets_who_is_shown_and_the_order(course, tmp_path):
    from lablib.reports.showcase import CURATION_FILE, publish_showcase

    private = copy_course(course, tmp_path / "kursus")
    publish_showcase(private)
    listed = private / "pameran" / CURATION_FILE
    # the trainer un-comments budi and adds a typo and someone with no answers; citra stays out
    listed.write_text(listed.read_text(encoding="utf-8").replace("# budi  #", "budi  #")
                      + "budi\nzz-tidak-ada\ndedi  # belum mulai\n", encoding="utf-8")
    shown = publish_showcase(private)
    assert ("ani", "budi") == shown.selection.ids and shown.curation_file == listed
    assert any("zz-tidak-ada" in n and "bukan peserta" in n for n in shown.selection.notes)
    assert any(n.startswith("dedi") and "belum ada jawaban" in n for n in shown.selection.notes)
    assert ["ani", "budi"] == [c["id"] for c in _data(shown.path.read_text(encoding="utf-8"))]
    edited = listed.read_text(encoding="utf-8")
    publish_showcase(private)  # an edited list is never rewritten
    assert edited == listed.read_text(encoding="utf-8")
    # an explicit list wins, in its own order
    assert ("citra", "ani") == publish_showcase(private, participants=["citra", "ani"]).selection.ids


def test_cli_showcase_with_participants_or_a_curation_file(course, tmp_path, capsys):
    from lablib.cli import main

    private = copy_course(course, tmp_path / "kursus")
    out = tmp_path / "p.html"
    assert main(["showcase", "--course", str(private), "--out", str(out), "--participants", "budi,ani,xx"]) == 0
    said = capsys.readouterr().out
    assert ["budi", "ani"] == [c["id"] for c in _data(out.read_text(encoding="utf-8"))]
    assert "2 inovasi (daftar --participants)" in said and "xx: bukan peserta" in said
    mine = tmp_path / "pilihan.txt"
    mine.write_text("citra  # hanya Diagnose\n", encoding="utf-8")
    assert main(["showcase", "--course", str(private), "--out", str(out), "--kurasi", str(mine)]) == 0
    assert ["citra"] == [c["id"] for c in _data(out.read_text(encoding="utf-8"))]
    assert main(["showcase", "--course", str(private), "--kurasi", str(tmp_path / "tidak-ada.txt")]) == 1
    assert "tidak ada" in capsys.readouterr().err
    (tmp_path / "biner.txt").write_bytes(b"\xff\xfe\x00\x81 bukan teks")
    assert main(["showcase", "--course", str(private), "--kurasi", str(tmp_path / "biner.txt")]) == 1
    err = capsys.readouterr().err
    assert "bukan teks UTF-8" in err and "Traceback" not in err


def test_self_contained_and_uses_text_content(page):
    _, text = page
    assert not re.search(r'(src|href)\s*=\s*"(?!data:|#)', text)
    assert "<link" not in text and "innerHTML" not in text and "textContent" in text


def test_cli_showcase(course, tmp_path, capsys):
    from lablib.cli import main

    private = copy_course(course, tmp_path / "kursus")  # the default list is written into the course
    out = tmp_path / "p.html"
    assert main(["showcase", "--course", str(private), "--out", str(out), "--no-charts", "--title", "Expo <2026>"]) == 0
    assert "<title>Expo &lt;2026&gt;</title>" in out.read_text(encoding="utf-8")
    said = capsys.readouterr().out
    assert "Pameran inovasi" in said and "1 inovasi (peserta yang mengumpulkan Display)" in said
    assert str(private / "pameran" / "kurasi-pameran.txt") in said


@pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium (/usr/bin/chromium) is not installed")
def test_cards_search_and_filters_work_from_file_url(page, tmp_path):
    path, _ = page
    url = path.as_uri()
    dom = chromium(url, tmp_path / "p", "--dump-dom")
    assert 'data-ready="1"' in dom
    assert dom.count('<article class="card"') == 3
    assert 'data-shown="3"' in dom and "3 dari 3 inovasi" in dom
    assert dom.count("<svg") >= sum(1 for c in _data(page[1]) if len(c["series"]["served"]) > 1)
    assert "&lt;script&gt;alert" in dom and "<script>alert" not in dom  # text, never markup
    none = chromium(url + "#q=" + quote("tidak-ada-inovasi-ini"), tmp_path / "p", "--dump-dom")
    assert 'data-shown="0"' in none
    one = chromium(url + "#opd=" + quote("Dinas Kesehatan"), tmp_path / "p", "--dump-dom")
    assert 'data-shown="1"' in one


@pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium (/usr/bin/chromium) is not installed")
def test_every_card_fits_a_1920x1080_screen_in_auto_play(page):
    path, _ = page
    for card in expo_cards(path.as_uri()):
        assert card["height"] <= 1080 and card["scroll"] <= card["client"] + 1, card  # nothing cut off
        assert card["font"] >= 14, card  # still readable from across the room
        assert card["top"] == 0 and card["width"] == 1920, card
