"""The participant's app (Beranda and the stage pages rendered by Voilà), lived in Debian's Chromium.

One real Jupyter server on 127.0.0.1 (with the Voilà and lablib server extensions the environment
ships) over a temporary nbgrader course with all five stages released, one browser at 1366×768
with the network blocked, one journey: from Beranda, for every stage in 5D order, Ambil, Buka,
fill every field of the worked example (``model-<stage>.json``) through the fields' labels (one
table per stage through "Tempel dari Excel", as a tab-separated text like Excel puts on the
clipboard), Periksa, reload and find every value again, back to Beranda and Kumpulkan. Then the
trainer (this process) collects, grades and releases feedback; on Beranda "Lihat umpan balik"
opens each stage's feedback page, whose automatic score is the one the participant saw on
Periksa. Every page shows no code and no English interface word.

The fields are found from the exercise definitions (``lablib.curriculum``), so a new exercise
or field is filled without touching this test. Screenshots of every step go to
test-artifacts/app/, step timings to steps.txt there.
"""

from __future__ import annotations

import re
import time

import pytest
from browser_helpers import (
    CHROMIUM,
    REPO,
    Journey,
    browser_session,
    participant_config,
    start_app_server,
    wait_voila_rendered,
)
from conftest import autograde

from lablib.core import formatting
from lablib.core.fields import Field, Table
from lablib.core.stages import STAGES
from lablib.course.course import Course
from lablib.course.folder import install_source, write_config
from lablib.curriculum import stage_exercises
from lablib.curriculum.samples import model_answers
from lablib.notebook.live_pictures import kinds_for

COURSE_ID = "uji-aplikasi"
ARTIFACTS = REPO / "test-artifacts" / "app"
TIMEOUT = 30_000  # ms: a loaded 2-core machine runs other test workers too
BERANDA = "voila/render/Beranda.ipynb"
BUTTON = {"fetch": "Ambil", "open": "Buka", "submit": "Kumpulkan", "confirm": "Ya, kumpulkan",
          "feedback": "Lihat umpan balik", "feedback_page": "Halaman umpan balik",
          "add_row": "+ Tambah baris", "paste_open": "Tempel dari Excel", "paste_rows": "Tempel baris",
          "check": "Periksa"}
CODE = ("import lablib", "lablib.", "grade_check", "def ", "Traceback")
ENGLISH = re.compile(r"\b(Run|Executing|Running|Submit|Assignments|Kernel|File|Edit|View|Error)\b|Loading widget")
PASTABLE = {"short_text", "long_text", "number", "choice", "date", "computed"}
POINTS = re.compile(r"([\d.,]+) dari ([\d.,]+) poin otomatis")


# ------------------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def playwright_api():
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not at {CHROMIUM} (tests/setup-services.sh installs it as root "
                    "with apt-get): the browser tests are skipped")
    return pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install -e '.[test]'")


@pytest.fixture(scope="module")
def course(tmp_path_factory, playwright_api):
    """A trainer's course with all five stages released; the participant's empty home."""
    root = tmp_path_factory.mktemp("app")
    folder = root / "course"
    write_config(folder, course_id=COURSE_ID)
    api = Course.open(folder).api
    for st in STAGES:
        install_source(folder, st.slug)
        for step in (api.generate_assignment, api.release_assignment):
            result = step(st.slug)
            assert result["success"], result["error"] + result["log"]
    home = root / "peserta"
    home.mkdir()
    participant_config(home, COURSE_ID, folder / "exchange")
    return {"root": root, "course": folder, "home": home, "api": api}


@pytest.fixture(scope="module")
def server(course):
    srv = start_app_server(course["home"], course["root"] / "jupyter", ARTIFACTS.parent / "app-server.log")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser_page(playwright_api, server):
    with browser_session(playwright_api, TIMEOUT, clipboard_origin=server.base,  # Ctrl+V of Excel's text
                         viewport={"width": 1366, "height": 768}, locale="id-ID") as session:  # a participant's laptop
        yield session


# ------------------------------------------------------------------------------ steps and checks

def participant_words(page, where: str) -> None:
    """What the participant reads has no code and no English interface word."""
    text = page.inner_text("body")
    code = [c for c in CODE if c in text]
    assert not code, f"{where}: code on the page: {code}\n{text[:2000]}"
    english = sorted({m.group(0) for m in ENGLISH.finditer(text)})
    assert not english, f"{where}: English words on the page: {english}\n{text[:2000]}"


def open_beranda(page, server) -> None:
    page.goto(server.url(BERANDA), wait_until="domcontentloaded")
    wait_voila_rendered(page, selector="[data-stage]")


def stage_row(page, slug: str):
    return page.locator(".lablib-row").filter(has=page.locator(f'.lablib-stage[data-stage="{slug}"]'))


def button(scope, name: str):
    """A control named ``name``: an ipywidgets button or a link drawn as a button."""
    return scope.get_by_role("button", name=name, exact=True).or_(scope.get_by_role("link", name=name, exact=True))


def wait_state(expect, page, slug: str, state: str) -> None:
    expect(page.locator(f'.lablib-stage[data-stage="{slug}"]')).to_have_attribute("data-state", state)


# ------------------------------------------------------------------------------ the stage's forms

def title_of(ex) -> str:
    return f"{ex.code} {ex.title}"


def exercise_form(page, ex):
    """The form of one exercise: its accordion section (the app opens one exercise at a time),
    else the output box whose heading is the exercise's title."""
    section = page.locator(".jupyter-widget-Collapse").filter(
        has=page.locator(".jupyter-widget-Collapse-header").filter(has_text=title_of(ex)))
    if section.count():
        return section.first
    return page.locator(".jp-OutputArea-output > .widget-vbox").filter(
        has=page.get_by_role("heading", name=title_of(ex), exact=True)).first


def open_exercise(page, ex):
    """Open the exercise's section (closing the one open before) and return its form."""
    form = exercise_form(page, ex)
    opener = form.get_by_role("button", name=re.compile(rf"(^|\W)Buka {re.escape(ex.code)}$"))
    if opener.count() and opener.first.is_visible():  # the app's one-open-exercise header
        opener.first.click()
        expect_hidden = form.get_by_role("button", name=re.compile(rf"(^|\W){BUTTON['check']}$"))
        expect_hidden.first.wait_for(state="visible")
    classes = (form.get_attribute("class") or "").split()
    if "jupyter-widget-Collapse" in classes and "jupyter-widget-Collapse-open" not in classes:
        form.locator(":scope > .jupyter-widget-Collapse-header").click()
        form.locator(":scope > .jupyter-widget-Collapse-contents").wait_for(state="visible")
    form.scroll_into_view_if_needed()
    return form


def label(f: Field) -> str:
    return str(f.label_text())


def cells(form, f: Field):
    return form.get_by_label(label(f), exact=True)


def scale_buttons(form, f: Field):
    return form.locator(f'button[title^="{label(f)}: "]')


def choose(select, value: str) -> None:
    try:
        select.select_option(value=value, timeout=5_000)
    except Exception:  # noqa: BLE001 (ipywidgets may keep the option's value apart from its text)
        select.select_option(label=value)


def fill_value(form, f: Field, value, nth: int = 0) -> None:
    """Put one model value into the field's ``nth`` input, the way the participant would."""
    kind = f.kind
    if kind in ("short_text", "long_text"):
        cells(form, f).nth(nth).fill(str(value))
    elif kind == "number":
        cells(form, f).nth(nth).fill(formatting.number(value))  # the Indonesian way: 1.250 and 0,5
    elif kind == "date":
        cells(form, f).nth(nth).fill(str(value))
    elif kind == "choice":
        choose(cells(form, f).nth(nth), str(value))
    elif kind == "multi_choice":
        for option in value:
            form.get_by_role("checkbox", name=option, exact=True).nth(nth).check()
    elif kind == "scale":
        scale_buttons(form, f).nth(5 * nth + int(value) - f.minimum).click()
    else:
        raise AssertionError(f"{f.id}: no way to fill a {kind} field")


def read_value(form, f: Field, nth: int = 0):
    """What the field's ``nth`` input shows, as the stored value it stands for."""
    kind = f.kind
    if kind in ("short_text", "long_text", "date"):
        return cells(form, f).nth(nth).input_value()
    if kind == "number":
        return f.coerce(cells(form, f).nth(nth).input_value())
    if kind == "choice":
        shown = cells(form, f).nth(nth).evaluate(
            "s => s.selectedIndex < 0 ? null : s.options[s.selectedIndex].value")
        return None if shown is None else shown.replace("\xa0", " ")
    if kind == "multi_choice":
        return [o for o in f.options if form.get_by_role("checkbox", name=o, exact=True).nth(nth).is_checked()]
    if kind == "scale":
        group = scale_buttons(form, f)
        for i in range(5):
            if "mod-active" in (group.nth(5 * nth + i).get_attribute("class") or ""):
                return f.minimum + i
        return None
    raise AssertionError(f"{f.id}: no way to read a {kind} field")


def expected_value(f: Field, value):
    return f.coerce(value) if f.kind == "number" else value


def typed_columns(table: Table) -> list[Field]:
    return [c for c in table.columns if c.kind != "computed"]


def ensure_rows(form, table: Table, index: int, n: int) -> None:
    """Add rows with the table's "+ Tambah baris" until it has ``n``."""
    first = typed_columns(table)[0]
    add = form.get_by_role("button", name=BUTTON["add_row"], exact=True).nth(index)
    def have() -> int:
        return cells(form, first).count() if first.kind != "scale" else scale_buttons(form, first).count() // 5

    for _ in range(n):
        rows = have()
        if rows >= n:
            return
        add.click()
        deadline = time.monotonic() + 10
        while have() == rows and time.monotonic() < deadline:  # the kernel draws the new row
            time.sleep(0.1)
    if have() < n:
        raise AssertionError(f"{table.id}: {have()} rows after pressing '{BUTTON['add_row']}', {n} needed")


def excel_cell(f: Field, value) -> str:
    """A cell as Excel (Indonesian locale) copies it: 1.250 and 0,5, dates day first, quoted when needed."""
    if value is None:
        text = ""
    elif f.kind == "number":
        text = formatting.number(value)
    elif f.kind == "date":
        y, m, d = str(value).split("-")
        text = f"{d}/{m}/{y}"
    else:
        text = str(value)
    if any(ch in text for ch in '\t\n"'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def excel_tsv(table: Table, rows: list[dict]) -> str:
    columns = typed_columns(table)
    lines = ["\t".join(label(c) for c in columns)]  # copied with its header row
    lines += ["\t".join(excel_cell(c, row.get(c.id)) for c in columns) for row in rows]
    return "\r\n".join(lines) + "\r\n"


def paste_table(page, form, table: Table, index: int, rows: list[dict]) -> None:
    """"Tempel dari Excel": the TSV goes through the real clipboard and Ctrl+V into the box."""
    areas = form.locator("textarea")
    shown = "els => els.map(e => e.offsetParent !== null)"
    before = areas.evaluate_all(shown)
    # matched as a part: the button's icon may add a glyph to its accessible name
    form.get_by_role("button", name=re.compile(re.escape(BUTTON["paste_open"]))).nth(index).click()
    deadline = time.monotonic() + 15
    box = None
    while box is None and time.monotonic() < deadline:  # the box that just appeared, not any other
        now = areas.evaluate_all(shown)
        appeared = [i for i, visible in enumerate(now) if visible and not (i < len(before) and before[i])]
        if appeared:
            box = areas.nth(appeared[0])
        time.sleep(0.1)
    assert box is not None, f"{table.id}: no paste box after '{BUTTON['paste_open']}'"
    tsv = excel_tsv(table, rows)
    page.evaluate("t => navigator.clipboard.writeText(t)", tsv)
    box.focus()
    page.keyboard.press("Control+V")
    assert tsv.replace("\r\n", "\n") == box.input_value().replace("\r\n", "\n"), "Ctrl+V did not paste"
    form.get_by_role("button", name=re.compile(re.escape(BUTTON["paste_rows"]))).first.click()
    first = typed_columns(table)[0]
    expect_count = len(rows)
    deadline = time.monotonic() + 15
    while cells(form, first).count() < expect_count and time.monotonic() < deadline:
        time.sleep(0.2)
    assert cells(form, first).count() >= expect_count, f"{table.id}: the paste did not make {expect_count} rows"


def paste_choice(stage: str, answers: dict) -> tuple[str, str] | None:
    """The table of the stage pasted from Excel: the biggest one whose columns a sheet holds as text."""
    best, size = None, 0
    for ex in stage_exercises(stage):
        for f in ex.fields:
            if isinstance(f, Table) and all(c.kind in PASTABLE for c in f.columns):
                rows = answers.get(ex.id, {}).get(f.id) or []
                if len(rows) * len(typed_columns(f)) > size:
                    best, size = (ex.id, f.id), len(rows) * len(typed_columns(f))
    return best


def fill_exercise(page, form, ex, answers: dict, pasted: tuple[str, str] | None) -> None:
    tables = [f for f in ex.fields if isinstance(f, Table)]
    for f in ex.fields:
        value = answers.get(f.id)
        if f.kind == "computed" or value is None:
            continue
        if isinstance(f, Table):
            index = tables.index(f)
            if pasted == (ex.id, f.id):
                paste_table(page, form, f, index, value)
                continue
            ensure_rows(form, f, index, len(value))
            for r, row in enumerate(value):
                for col in typed_columns(f):
                    if row.get(col.id) not in (None, "", []):
                        fill_value(form, col, row[col.id], r)
        else:
            fill_value(form, f, value)


def observe_exercise(form, ex, answers: dict) -> dict:
    """For every model value of the exercise: (expected, shown)."""
    seen = {}
    for f in ex.fields:
        value = answers.get(f.id)
        if f.kind == "computed" or value is None:
            continue
        if isinstance(f, Table):
            for r, row in enumerate(value):
                for col in typed_columns(f):
                    if row.get(col.id) not in (None, "", []):
                        seen[f"{f.id}[{r}].{col.id}"] = (expected_value(col, row[col.id]), read_value(form, col, r))
        else:
            seen[f.id] = (expected_value(f, value), read_value(form, f))
    return seen


def periksa(expect, form) -> tuple[float, float]:
    """Press Periksa; the "X dari Y poin otomatis" the participant reads."""
    form.get_by_role("button", name=re.compile(rf"(^|\W){BUTTON['check']}$")).click()  # after its icon
    result = form.locator(".lablib-result")
    expect(result).to_contain_text("poin otomatis")
    m = POINTS.search(result.inner_text())
    assert m, f"no score in {result.inner_text()!r}"
    return tuple(float(x.replace(".", "").replace(",", ".")) for x in m.groups())


def follow(page, link):
    """Click a link or button that leads to another page: the new tab if it opens one, else this one."""
    context = page.context
    before = set(context.pages)
    url = page.url
    link.click()
    deadline = time.monotonic() + TIMEOUT / 1000
    while time.monotonic() < deadline:
        new = [p for p in context.pages if p not in before]
        if new:
            new[0].wait_for_load_state("domcontentloaded")
            return new[0]
        if page.url != url:
            page.wait_for_load_state("domcontentloaded")
            return page
        time.sleep(0.1)
    raise AssertionError(f"clicking {link} led nowhere from {url}")


# ------------------------------------------------------------------------------ the journey

@pytest.mark.browser
@pytest.mark.slow
def test_participant_journey_in_the_app(course, server, browser_page, playwright_api):
    page, outside = browser_page
    expect = playwright_api.expect
    journey = Journey(page, ARTIFACTS, full_page=True)
    step = journey.step
    seen_points: dict[str, float] = {}

    with step("beranda"):
        open_beranda(page, server)
        for st in STAGES:
            wait_state(expect, page, st.slug, "released")
            expect(button(stage_row(page, st.slug), BUTTON["fetch"])).to_be_visible()
        participant_words(page, "Beranda")

    for st in STAGES:
        slug, answers = st.slug, model_answers(st.slug)
        exercises = stage_exercises(slug)
        pasted = paste_choice(slug, answers)
        assert pasted, f"{slug}: no table to paste from Excel"

        with step(f"{slug}-ambil"):
            button(stage_row(page, slug), BUTTON["fetch"]).click()
            wait_state(expect, page, slug, "fetched")
            assert (course["home"] / COURSE_ID / slug / st.notebook_name).is_file()

        with step(f"{slug}-buka"):
            stage_page = follow(page, button(stage_row(page, slug), BUTTON["open"]))
            assert stage_page is page, "Buka opens the stage in the same tab"
            wait_voila_rendered(page, selector=".lablib-form, .widget-vbox")
            expect(page.locator(".jupyter-widgets-error-widget")).to_have_count(0)
            participant_words(page, f"{slug} dibuka")

        points = [0.0, 0.0]
        for ex in exercises:
            with step(f"{slug}-{ex.code}-isi-periksa"):
                form = open_exercise(page, ex)
                fill_exercise(page, form, ex, answers.get(ex.id, {}), pasted)
                earned, total = periksa(expect, form)
                points[0] += earned
                points[1] += total
                participant_words(page, f"{slug} {ex.code} diperiksa")
        seen_points[slug] = points[0]
        assert points[1] > 0, f"{slug}: no automatic points shown"
        assert points[0] == points[1], f"{slug}: the model answers, typed and pasted, earn {points} automatic points"

        with step(f"{slug}-muat-ulang"):
            page.reload(wait_until="domcontentloaded")
            wait_voila_rendered(page, selector=".lablib-form, .widget-vbox")
            for ex in exercises:
                form = open_exercise(page, ex)
                seen = observe_exercise(form, ex, answers.get(ex.id, {}))
                wrong = {k: v for k, v in seen.items() if v[0] != v[1]}
                assert {} == wrong, f"{slug} {ex.code} after reload (expected, shown): {wrong}"
                kinds = kinds_for(ex.id)
                if kinds:  # its pictures, drawn from these answers (a placeholder would mean none)
                    pictures = form.locator(".lablib-pictures img")
                    expect(pictures).to_have_count(len(kinds), timeout=TIMEOUT)
                    assert all(pictures.nth(i).get_attribute("alt") for i in range(len(kinds)))
            participant_words(page, f"{slug} dimuat ulang")

        with step(f"{slug}-kumpulkan"):
            open_beranda(page, server)
            button(stage_row(page, slug), BUTTON["submit"]).click()
            button(stage_row(page, slug), BUTTON["confirm"]).click()
            wait_state(expect, page, slug, "submitted")
            expect(page.locator(f'.lablib-stage[data-stage="{slug}"]')).to_contain_text("dikumpulkan")
            participant_words(page, f"Beranda, {slug} dikumpulkan")

    with step("pelatih-menilai"):
        from nbgrader.utils import get_username

        from lablib import pipeline

        api, student = course["api"], get_username()
        for st in STAGES:
            result = api.collect(st.slug)
            assert result["success"], result["error"]
            result = autograde(api, st.slug, student)
            assert result["success"], result["error"] + result["log"]
            fb = pipeline.feedback(Course.open(course["course"]), st.slug)
            assert student in fb.done, fb

    for st in STAGES:
        slug = st.slug
        with step(f"{slug}-umpan-balik"):
            open_beranda(page, server)
            wait_state(expect, page, slug, "graded")
            button(stage_row(page, slug), BUTTON["feedback"]).click()
            link = stage_row(page, slug).get_by_role("link", name=BUTTON["feedback_page"], exact=True)
            expect(link).to_be_visible()
            feedback = follow(page, link)
            try:
                feedback.wait_for_selector("body")
                text = feedback.inner_text("body")
                m = re.search(r"otomatis\s+([\d.,]+)", text)
                assert m, f"{slug}: no automatic score on the feedback page:\n{text[:1500]}"
                assert seen_points[slug] == float(m.group(1).replace(",", ".")), (slug, seen_points, m.group(0))
                participant_words(feedback, f"{slug} umpan balik")
                journey.shots(feedback, f"{slug}-halaman-umpan-balik", full_page=True)
            finally:
                if feedback is not page:
                    feedback.close()

    journey.write_log()
    assert [] == outside.seen, "the participant's app reached outside the machine"


def test_excel_text_is_what_excel_copies():
    """The clipboard text the journey pastes: header row, tabs, CRLF, Indonesian numbers, day-first dates."""
    from lablib.curriculum import get_exercise

    table = get_exercise("deliver.dv1").field("log")
    rows = model_answers("deliver")["deliver.dv1"]["log"][:2]
    text = excel_tsv(table, rows)
    lines = text.split("\r\n")
    assert "" == lines[-1] and 4 == len(lines)
    assert [label(c) for c in typed_columns(table)] == lines[0].split("\t")
    first = lines[1].split("\t")
    date_col = typed_columns(table).index(next(c for c in typed_columns(table) if c.kind == "date"))
    y, m, d = rows[0][typed_columns(table)[date_col].id].split("-")
    assert f"{d}/{m}/{y}" == first[date_col]
    assert '"a ""b""\tc"' == excel_cell(typed_columns(table)[-1], 'a "b"\tc')


@pytest.mark.parametrize("text, english", [
    ("Tekan Periksa lalu Kumpulkan", []),
    ("Run all cells", ["Run"]),
    ("Pengembalian berkas", []),  # "Run" inside a word does not count
    ("Loading widget...", ["Loading widget"]),
])
def test_english_words_are_found_as_whole_words(text, english):
    assert english == sorted({m.group(0) for m in ENGLISH.finditer(text)})


def test_every_stage_has_a_table_to_paste():
    assert {st.slug for st in STAGES} == {st.slug for st in STAGES if paste_choice(st.slug, model_answers(st.slug))}

