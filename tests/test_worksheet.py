"""The paper worksheets (``lablib worksheet``): every stage's questions, read from the exercise
definitions, on a printable A4 page with room to write and no answers.

The Chromium test prints one stage to PDF and keeps it, with a screenshot, in
``test-artifacts/worksheet/``.
"""

from __future__ import annotations

import dataclasses
import html
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from lablib.cli import main
from lablib.core import formatting
from lablib.core.fields import (
    Choice,
    DateField,
    Field,
    LongText,
    MultiChoice,
    Number,
    Scale,
    ShortText,
    Table,
)
from lablib.core.stages import STAGES
from lablib.curriculum import all_exercises, stage_exercises
from lablib.curriculum.samples import model_answers
from lablib.reports import worksheet
from lablib.reports.worksheet import WORDS_PER_LINE, question, table_rows, worksheet_html

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts" / "worksheet"
SLUGS = [s.slug for s in STAGES]


def _norm(text: str) -> str:
    return " ".join(text.split())


class _Page(HTMLParser):
    """The page's visible text, and each ruled grid's header texts (without their hints) and
    number of body rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.grids: list[dict] = []
        self._skip = 0  # inside <style> or <title>
        self._th: list[str] | None = None
        self._hint = 0
        self._body = False

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class") or ""
        if tag in ("style", "title"):
            self._skip += 1
        elif tag == "table" and "grid" in cls.split():
            self.grids.append({"headers": [], "rows": 0})
        elif tag == "th" and self.grids and not self._body:
            self._th = []
        elif tag == "span" and "hint" in cls.split():
            self._hint += 1
        elif tag == "tbody":
            self._body = True
        elif tag == "tr" and self._body and self.grids:
            self.grids[-1]["rows"] += 1

    def handle_endtag(self, tag):
        if tag in ("style", "title"):
            self._skip -= 1
        elif tag == "th" and self._th is not None:
            self.grids[-1]["headers"].append(_norm("".join(self._th)))
            self._th = None
        elif tag == "span" and self._hint:
            self._hint -= 1
        elif tag == "tbody":
            self._body = False

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._th is not None and not self._hint:
            self._th.append(data)


def _parse(stage: str) -> _Page:
    page = _Page()
    page.feed(worksheet_html(stage))
    page.close()
    return page


@pytest.fixture(scope="module")
def pages() -> dict[str, _Page]:
    return {slug: _parse(slug) for slug in SLUGS}


def _text(page: _Page) -> str:
    return _norm(" ".join(page.text))


def _all_fields(ex) -> list[Field]:
    out = []
    for f in ex.fields:
        out.append(f)
        if isinstance(f, Table):
            out.extend(f.columns)
    return out


@pytest.mark.parametrize("stage", SLUGS)
def test_every_title_instruction_label_help_and_option_is_on_the_page(pages, stage):
    text = _text(pages[stage])
    exercises = stage_exercises(stage)
    assert exercises
    for ex in exercises:
        assert _norm(f"{ex.code} {ex.title}") in text
        assert _norm(ex.instructions) in text
        assert f"{formatting.points(ex.points)} poin" in text
        for f in _all_fields(ex):
            assert _norm(f.label) in text, (ex.id, f.id)
            if f.help:
                assert _norm(f.help) in text, (ex.id, f.id)
            for option in getattr(f, "options", ()):
                assert _norm(option) in text, (ex.id, f.id, option)
            if isinstance(f, Number) and f.unit:
                assert ("Rp" if f.unit == "rupiah" else f.unit) in text
    for line in ("Nama peserta", "OPD", "Tanggal"):
        assert line in text
    assert f"Nilai tahap ini {formatting.points(sum(ex.points for ex in exercises))} poin" in text


@pytest.mark.parametrize("stage", SLUGS)
def test_tables_are_ruled_grids_with_their_columns_and_rows_within_the_limits(pages, stage):
    tables = [f for ex in stage_exercises(stage) for f in ex.fields if isinstance(f, Table)]
    grids = pages[stage].grids
    assert len(grids) == len(tables)
    for table, grid in zip(tables, grids):
        assert grid["headers"] == ["No."] + [_norm(c.label) for c in table.columns], table.id
        assert grid["rows"] == table_rows(table)
        assert grid["rows"] >= max(table.min_rows, 1)
        if table.max_rows is not None:
            assert grid["rows"] <= table.max_rows


def test_row_counts_and_ruled_lines_follow_the_definitions():
    assert table_rows(Table("t", "T", columns=(ShortText("a", "A"),), min_rows=4, max_rows=26)) == 6
    assert table_rows(Table("t", "T", columns=(ShortText("a", "A"),), min_rows=0, max_rows=3)) == 3
    assert table_rows(Table("t", "T", columns=(ShortText("a", "A"),), min_rows=5, max_rows=20)) == 7
    assert question(ShortText("a", "A")).lines == 1
    fifty = question(LongText("a", "A", min_words=50))
    assert fifty.lines >= math.ceil(50 / WORDS_PER_LINE) and "paling sedikit 50 kata" in fifty.notes
    capped = question(LongText("a", "A", min_words=1, max_words=200))
    assert capped.lines > fifty.lines > question(LongText("a", "A")).lines - 3
    assert question(Number("n", "N", unit="rupiah", minimum=0)).unit == "Rp"
    assert question(Number("n", "N", unit="%", minimum=0, maximum=100)).notes == ["antara 0 dan 100"]
    assert question(Scale("s", "S")).options == ["1", "2", "3", "4", "5"]
    assert question(DateField("d", "D")).kind == "date"
    assert question(MultiChoice("m", "M", options=("a", "b"))).options == ("a", "b")
    table = Table("t", "Daftar", columns=(ShortText("nama", "Nama"),))
    dyn = question(Choice("c", "Pilih", options_from="t.nama"), (table,))
    assert dyn.kind == "lines" and "kolom 'Nama' pada tabel 'Daftar'" in dyn.notes[0]


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.parametrize("stage", SLUGS)
def test_no_model_answer_is_printed(pages, stage):
    text = _text(pages[stage])
    answers = _strings(model_answers(stage))
    assert len(answers) >= 5  # the worked example answers this stage
    # what the definitions themselves say (an option ticked, "Kepala Dinas" in a hint) is on the
    # page by design; every other answer of the worked example must not be
    defined = " | ".join(_norm(t) for ex in all_exercises() for t in (
        ex.title, ex.instructions, *(c.title for c in ex.criteria),
        *(x for f in _all_fields(ex) for x in (f.label, f.help, *getattr(f, "options", ())))))
    checked = [a for a in map(_norm, answers) if len(a) >= 4 and a not in defined]
    assert len(checked) >= 10  # the worked example's own words: names, data, prose
    printed = [a for a in checked if a in text]
    assert printed == []


def test_text_from_a_definition_is_escaped():
    ex = stage_exercises("drum-up")[0]
    hostile = '<script>alert("x")</script>'
    table = next(f for f in ex.fields if isinstance(f, Table))
    fields = tuple(
        dataclasses.replace(f, label=f"{f.label} {hostile}", help="<b>tebal</b> & 'kutip'") if f is not table else
        dataclasses.replace(f, columns=tuple(dataclasses.replace(c, label=f"<i>{c.label}</i>") for c in f.columns))
        for f in ex.fields)
    bad = dataclasses.replace(ex, title=f"Judul {hostile}", instructions="<img src=x onerror=alert(1)>",
                              fields=fields)
    page = worksheet_html("drum-up", [bad])
    body = page.split("</style>", 1)[1]
    for raw in (hostile, "<b>tebal</b>", "<img", "<i>"):
        assert raw not in body
    assert html.escape(hostile) in body
    assert "&lt;b&gt;tebal&lt;/b&gt; &amp; &#x27;kutip&#x27;" in body
    # and the real definitions' texts only ever come out escaped: no tag but the template's own
    for stage in SLUGS:
        tags = set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", worksheet_html(stage)))
        assert tags <= {"html", "head", "meta", "title", "style", "body", "nav", "a", "span", "header", "p",
                        "h1", "h2", "table", "tr", "th", "td", "section", "div", "ul", "li", "colgroup",
                        "col", "thead", "tbody", "dl", "dt", "dd"}, stage


def test_cli_writes_one_stage_or_all_five(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["worksheet", "diagnose"]) == 0
    written = tmp_path / "lembar-kerja-diagnose.html"
    assert written.read_text(encoding="utf-8") == worksheet_html("diagnose")
    assert main(["worksheet", "display", "--out", str(tmp_path / "kertas" / "dp.html")]) == 0
    assert (tmp_path / "kertas" / "dp.html").is_file()
    assert main(["worksheet", "--all", "--out", str(tmp_path / "semua")]) == 0
    assert sorted(p.name for p in (tmp_path / "semua").iterdir()) == sorted(
        worksheet.FILENAME.format(stage=s) for s in SLUGS)
    assert main(["worksheet"]) == 1
    assert main(["worksheet", "--all", "--out", str(tmp_path / "x.html")]) == 1
    assert "TAHAP" in capsys.readouterr().err


# ------------------------------------------------------------------------------ print, in Chromium

A4_WORKSHEET_PX = round((210 - 2 * 20) / 25.4 * 96)  # 170 mm between worksheet.css's 2 cm margins


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["diagnose", "design"])  # the widest grid (DG1) and the longest stage
def test_worksheet_prints_on_a4_within_the_page(tmp_path, stage):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from browser_helpers import launch_chromium
    from page_checks import A4_CONTENT_PX, print_layout

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = worksheet.write_worksheet(stage, tmp_path)
    pdf = ARTIFACTS / f"lembar-kerja-{stage}.pdf"
    layout = print_layout(page.as_uri(), pdf)  # the reports' A4 check: prints the PDF too
    assert layout["nav"] == "none"
    assert len(layout["tables"]) == 1 + sum(isinstance(f, Table) for ex in stage_exercises(stage) for f in ex.fields)
    for t in layout["tables"]:
        assert t["right"] <= A4_CONTENT_PX and t["scroll"] <= t["width"], t

    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))
    exercises = len(stage_exercises(stage))
    assert exercises <= pages <= 3 * exercises  # each exercise starts a page; none takes more than three

    # stricter than the shared check: at the worksheet's own 17 cm no element reaches past the page
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            tab = browser.new_page(viewport={"width": A4_WORKSHEET_PX, "height": 1000})
            tab.goto(page.as_uri())
            tab.emulate_media(media="print")
            wide = tab.evaluate("""(w) => Array.from(document.querySelectorAll('body *'))
                .filter(e => e.getBoundingClientRect().right > w + 0.5 || e.scrollWidth > e.clientWidth + 1
                             && getComputedStyle(e).overflowX !== 'visible')
                .map(e => e.tagName + '.' + e.className + ': ' + e.textContent.slice(0, 40))""", A4_WORKSHEET_PX)
            assert wide == []
            assert tab.evaluate("document.documentElement.scrollWidth") <= A4_WORKSHEET_PX
            tab.screenshot(path=str(ARTIFACTS / f"lembar-kerja-{stage}.png"), full_page=True)
        finally:
            browser.close()
    assert pdf.stat().st_size > 10_000


def test_computed_values_are_named_as_computed_and_choices_name_every_source():
    from lablib.curriculum import get_exercise

    dg1 = get_exercise("diagnose.dg1")
    usg = question(dg1.field("masalah"), dg1.fields)
    legend = dict(usg.legend)
    assert "dihitung" in legend["Total USG"] and "dihitung" in legend["Peringkat"]
    assert "dihitung" in [c.hint for c in usg.columns if c.label == "Total USG"][0]
    dg2 = get_exercise("diagnose.dg2")
    root = question(dg2.field("akar_masalah"), dg2.fields)
    assert "tabel 'Diagram tulang ikan: penyebab'" in root.notes[0] and "tabel 'Rantai 5-mengapa'" in root.notes[0]
    ds4 = get_exercise("design.ds4")  # a choice from another exercise names it by its code
    assert "(DS2)" in question(ds4.field("indikator_outcome"), ds4.fields).notes[0]
