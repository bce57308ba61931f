"""The Display showcase: a self-contained gallery with search and filters from file://."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import quote

import pytest
from _cohort import CHROMIUM, EVIL, chromium, cohort_course

from lablib.reports.showcase import embed_json, write_showcase

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return cohort_course(tmp_path_factory)


@pytest.fixture(scope="module")
def page(course, tmp_path_factory):
    path = write_showcase(course, tmp_path_factory.mktemp("pameran") / "pameran.html")
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


def test_self_contained_and_uses_text_content(page):
    _, text = page
    assert not re.search(r'(src|href)\s*=\s*"(?!data:|#)', text)
    assert "<link" not in text and "innerHTML" not in text and "textContent" in text


def test_cli_showcase(course, tmp_path, capsys):
    from lablib.cli import main

    out = tmp_path / "p.html"
    assert main(["showcase", "--course", str(course), "--out", str(out), "--no-charts", "--title", "Expo <2026>"]) == 0
    assert "<title>Expo &lt;2026&gt;</title>" in out.read_text(encoding="utf-8")
    assert "Pameran inovasi" in capsys.readouterr().out


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
