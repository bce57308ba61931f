"""The participant's JupyterLab, checked the way participants live it: in Debian's Chromium.

One real Jupyter server on 127.0.0.1 over a temporary nbgrader course, one browser, one journey:
the participant sees JupyterLab in Bahasa Indonesia, fetches and opens the released assignments,
fills fields of every kind (partly with the keyboard alone), adds and removes table rows,
presses "Periksa", reloads the page, restarts the kernel, finds the answers each time, and
submits from nbgrader's assignment list; then the trainer collects and autogrades, and the
score equals what the participant saw. Accessibility basics (accessible names, keyboard,
contrast) and "nothing leaves the machine" are checked along the way.

The journey is one test on purpose: pytest-xdist would otherwise spread its steps over workers,
each starting its own server and browser. Every step saves a screenshot in
test-artifacts/browser/ (and one more on failure), with step timings in steps.txt.
"""

from __future__ import annotations

import http.client
import json
import re
import sys
import urllib.request
from pathlib import Path

import pytest
from browser_helpers import (
    ARTIFACTS,
    CHROMIUM,
    REPO,
    Journey,
    JupyterServer,
    browser_session,
    contrast_ratio,
    lab_command,
    open_in_lab,
    parse_rgb,
    participant_config,
    restart_kernel,
    run_all_cells,
    wait_kernel_idle,
    wait_lab_ready,
)
from conftest import autograde, nbgrader

from lablib.core.fields import Computed, MultiChoice, Scale, Table
from lablib.course.course import Course
from lablib.course.folder import install_source, sqlite_url, write_config
from lablib.curriculum import get_exercise
from lablib.curriculum.scoring import score_folder

COURSE_ID = "uji-browser"
TIMEOUT = 30_000  # ms: generous, a loaded 2-core machine runs other test workers too
CONFIG = REPO / "jupyter-config"
SHIPPED = {  # file in the repository -> where `pip install -e .` puts it under sys.prefix
    CONFIG / "share/jupyter/lab/settings/overrides.d/lablib.json": "share/jupyter/lab/settings/overrides.d/lablib.json",
    CONFIG / "etc/jupyter/jupyter_lab_config.json": "etc/jupyter/jupyter_lab_config.json",
    CONFIG / "etc/jupyter/labconfig/page_config.json": "etc/jupyter/labconfig/page_config.json",
    CONFIG / "etc/jupyter/jupyter_server_config.d/nbgrader_lablib.json":
        "etc/jupyter/jupyter_server_config.d/nbgrader_lablib.json",
    CONFIG / "etc/jupyter/jupyter_server_config.d/lablib_app.json":
        "etc/jupyter/jupyter_server_config.d/lablib_app.json",
    CONFIG / "etc/jupyter/voila.json": "etc/jupyter/voila.json",
    **{path: f"share/jupyter/voila/templates/lablib/{path.name}"
       for path in sorted((CONFIG / "share/jupyter/voila/templates/lablib").iterdir())},
}
TRAINER_ONLY = {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                "@jupyter/nbgrader:course-list"}


# ------------------------------------------------------------------------------ shipped config (fast)

def test_jupyter_config_files_are_installed_in_the_environment():
    for source, installed in SHIPPED.items():
        target = Path(sys.prefix) / installed
        assert target.is_file(), f"{target} is missing: run `.venv/bin/pip install -e .` (make install)"
        assert source.read_bytes() == target.read_bytes(), (
            f"{target} differs from {source.relative_to(REPO)}: run `.venv/bin/pip install -e .`")


def test_overrides_make_jupyterlab_indonesian_and_offline():
    from jupyterlab_server.settings_utils import _get_overrides

    overrides, error = _get_overrides(str(Path(sys.prefix) / "share/jupyter/lab/settings"))
    assert "" == error
    assert "id_ID" == overrides["@jupyterlab/translation-extension:plugin"]["locale"]
    assert {"fetchNews": "false", "checkForUpdates": False} == overrides["@jupyterlab/apputils-extension:notification"]
    from jupyterlab_server.translation_utils import _get_installed_language_pack_locales

    assert "id_ID" in _get_installed_language_pack_locales()[0], "jupyterlab-language-pack-id-ID is missing"
    lab = json.loads((CONFIG / "etc/jupyter/jupyter_lab_config.json").read_text())["LabApp"]
    assert {"news_url": None, "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
            "extension_manager": "readonly"} == lab


def test_shortcut_overrides_match_the_installed_jupyterlab():
    sys.path.insert(0, str(CONFIG))
    try:
        import make_overrides
    finally:
        sys.path.remove(str(CONFIG))
    shipped = (CONFIG / "share/jupyter/lab/settings/overrides.d/lablib.json").read_text(encoding="utf-8")
    assert make_overrides.render() == shipped, (
        "JupyterLab's shortcuts changed: run `.venv/bin/python jupyter-config/make_overrides.py` "
        "and `.venv/bin/pip install -e .`")
    shortcuts = json.loads(shipped)["@jupyterlab/shortcuts-extension:shortcuts"]["shortcuts"]
    commands = {s["command"] for s in shortcuts}
    assert {"notebook:move-cursor-down", "notebook:insert-cell-above", "notebook:delete-cell",
            "kernelmenu:restart"} <= commands


def _lab_page_config(srv: JupyterServer) -> dict:
    """The page config JupyterLab's /lab page hands the front end."""
    html_page = urllib.request.urlopen(srv.url("lab"), timeout=30).read().decode("utf-8")
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html_page, re.S)
    assert found, html_page[:500]
    return json.loads(found.group(1))


def _status(srv: JupyterServer, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    try:
        conn.request("GET", f"/{path}", headers={"Authorization": f"token {srv.token}"})
        return conn.getresponse().status  # a redirect is not followed: 302 means it exists
    finally:
        conn.close()


@pytest.mark.slow
def test_participants_have_no_formgrader_and_the_trainers_lab_has_it(tmp_path):
    from lablib.cli import lab_environment

    trainer = {"JUPYTER_CONFIG_PATH": lab_environment({})["JUPYTER_CONFIG_PATH"]}
    seen = {}
    for role, extra in (("peserta", {}), ("fasilitator", trainer)):
        srv = JupyterServer(tmp_path, tmp_path / role, ARTIFACTS.parent / f"{role}-server.log", extra_env=extra)
        srv.start()
        try:
            disabled = set(_lab_page_config(srv).get("disabledExtensions", []))
            seen[role] = (disabled & TRAINER_ONLY, _status(srv, "formgrader"),
                          _status(srv, "assignments?course_id=x"))
        finally:
            srv.stop()
    participant, facilitator = seen["peserta"], seen["fasilitator"]
    assert participant[0] == TRAINER_ONLY and participant[1] == 404, participant
    assert facilitator[0] == set() and facilitator[1] != 404, facilitator
    assert participant[2] != 404 and facilitator[2] != 404  # both keep the assignment list


# ------------------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def playwright_api():
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not at {CHROMIUM} (tests/setup-services.sh installs it as root "
                    "with apt-get): the browser tests are skipped")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install -e '.[test]'")
    return sync_api


@pytest.fixture(scope="module")
def course(tmp_path_factory, playwright_api):
    """A trainer's course with drum-up and diagnose released; the participant fetched drum-up."""
    root = tmp_path_factory.mktemp("browser")
    course = root / "course"
    write_config(course, course_id=COURSE_ID)
    api = Course.open(course).api
    for stage in ("drum-up", "diagnose"):
        install_source(course, stage)
        for step in (api.generate_assignment, api.release_assignment):
            result = step(stage)
            assert result["success"], result["error"] + result["log"]
    home = root / "peserta"
    home.mkdir()
    participant_config(home, COURSE_ID, course / "exchange")
    nbgrader("fetch_assignment", "drum-up", cwd=home)  # the other one is fetched in the browser
    return {"root": root, "course": course, "home": home, "api": api}


@pytest.fixture(scope="module")
def server(course):
    srv = JupyterServer(course["home"], course["root"] / "jupyter", ARTIFACTS.parent / "browser-server.log")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser_page(playwright_api, server):
    # an English browser: the Indonesian interface must come from the shipped settings
    with browser_session(playwright_api, TIMEOUT, viewport={"width": 1280, "height": 1100}, locale="en-US") as session:
        yield session


# ------------------------------------------------------------------------------ the participant's journey

def _notebook(page):
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")


def _form(page, title: str):
    """The live form whose heading is ``title`` (e.g. "DU1 Profil OPD & tupoksi")."""
    return _notebook(page).locator(".jp-OutputArea-output > .widget-vbox").filter(
        has=page.get_by_role("heading", name=title, exact=True))


def _title(exercise_id: str) -> str:
    ex = get_exercise(exercise_id)
    return f"{ex.code} {ex.title}"


def _label(exercise_id: str, field_id: str, column: str | None = None) -> str:
    f = get_exercise(exercise_id).field(field_id)
    if column is not None:
        f = next(c for c in f.columns if c.id == column)
    return str(f.label_text())


def _selected_text(select) -> str | None:
    text = select.evaluate("s => s.selectedIndex < 0 ? null : s.options[s.selectedIndex].textContent")
    return None if text is None else text.replace("\xa0", " ")  # ipywidgets draws spaces as NBSP


def _arrow_to(page, select, text: str) -> None:
    """Press ArrowDown on a focused dropdown until ``text`` is chosen (keyboard only)."""
    for _ in range(1 + select.locator("option").count()):
        if _selected_text(select) == text:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"ArrowDown never reached {text!r}; the dropdown shows {_selected_text(select)!r}")


def _scale_button(form, label: str, value: int):
    return form.locator(f'button[title^="{label}: {value}"]')


def _result_points(form) -> tuple[float, float]:
    """The "Hasil pemeriksaan: X dari Y poin otomatis" the participant reads."""
    text = form.locator(".lablib-result strong").inner_text()
    m = re.search(r"([\d,]+) dari ([\d,]+) poin", text)  # decimal comma: "0,5 dari 1 poin"
    assert m, f"no score in the result text {text!r}"
    return float(m.group(1).replace(",", ".")), float(m.group(2).replace(",", "."))


def _run_all(page, server, expect) -> None:
    """Run all cells; no widget may fail to render (ipywidgets shows "Click to show javascript error.")."""
    run_all_cells(page, server)
    expect(_notebook(page).locator(".jupyter-widgets-error-widget")).to_have_count(0)


def _wait_saved(expect, form) -> None:
    expect(form.get_by_text(re.compile(r"✓ Tersimpan"))).to_be_visible()


def _toggle(form, words: str):
    """The button in a form's header line that opens or closes it ("Buka DU2" / "Tutup DU2")."""
    return form.locator(".lablib-header").get_by_role("button", name=words)


def _expect_open(expect, form, code: str) -> None:
    expect(_toggle(form, f"Tutup {code}")).to_be_visible()
    expect(form.get_by_role("button", name="Periksa")).to_be_visible()


def _expect_closed(expect, form, code: str) -> None:
    """Only the header line shows: the fields and the Periksa button are hidden."""
    expect(_toggle(form, f"Buka {code}")).to_be_visible()
    expect(form.get_by_role("button", name="Periksa")).to_be_hidden()


def _open(expect, form, code: str) -> None:
    _toggle(form, f"Buka {code}").click()
    _expect_open(expect, form, code)


def _state(form):
    """The exercise's state in its header line: "belum diisi", "sebagian", "✓ lengkap", "· Periksa: …"."""
    return form.locator(".lablib-header .lablib-state")


def _computed_texts(form, label: str) -> list[str]:
    """The values a computed field (or column, one per row) shows, as read-only text titled by its label."""
    return [t.strip() for t in form.locator(f'.lablib-computed span[title="{label}"]').all_inner_texts()]


UNNAMED = re.compile(r"^\s*- (textbox|combobox|checkbox|radio|spinbutton|listbox|slider)( \[[^\]]*\])?:?\s*$")


def _unnamed_controls(form) -> list[str]:
    """Form controls without an accessible name, from Playwright's accessibility snapshot."""
    return [line for line in form.aria_snapshot().splitlines() if UNNAMED.match(line)]


def _check_field_labels(form, exercise_id: str, rows: dict[str, int],
                        computed: dict[str, list[str]] | None = None) -> None:
    """Every field of the exercise has a visible label and an input that carries it as its
    accessible name (a table column: one per row; a scale: five buttons whose tooltip, read as
    their description, names the question). A computed field has no input at all: it shows its
    label and, read-only, its value, ``computed[field id]`` (one text per row for a column)."""
    computed = computed or {}
    ex = get_exercise(exercise_id)
    computed_ids = {f.id for f in ex.fields if isinstance(f, Computed)} | {
        c.id for f in ex.fields if isinstance(f, Table) for c in f.columns if isinstance(c, Computed)}
    assert computed_ids == set(computed), f"expected values of the computed fields {sorted(computed_ids)}"

    def one(field_, n: int) -> None:
        label = str(field_.label_text())
        assert form.get_by_text(label).filter(visible=True).count(), f"no visible label {label!r}"
        if isinstance(field_, Computed):
            assert 0 == form.get_by_label(label, exact=True).count(), f"computed {label!r} has an input"
            shown = form.locator(f'.lablib-computed span[title="{label}"]')
            assert n == shown.filter(visible=True).count(), f"{n} read-only values of {label!r} expected"
            assert computed[field_.id] == _computed_texts(form, label), label
        elif isinstance(field_, Scale):
            assert 5 * n == form.locator(f'button[title^="{label}: "]').count(), label
        elif isinstance(field_, MultiChoice):
            for option in field_.options:
                assert n == form.get_by_role("checkbox", name=option, exact=True).count(), option
        else:
            inputs = form.get_by_label(label, exact=True)
            assert n == inputs.count(), f"{n} inputs named {label!r} expected, found {inputs.count()}"
            assert inputs.first.is_visible(), label

    for f in get_exercise(exercise_id).fields:
        if isinstance(f, Table):
            assert form.get_by_text(str(f.label_text()), exact=True).filter(visible=True).count(), f.label
            for col in f.columns:
                one(col, rows[f.id])
        else:
            one(f, 1)
    assert [] == _unnamed_controls(form)
    # read-only means no control of any kind inside a computed value
    assert 0 == form.locator(".lablib-computed").locator("input, textarea, select, button, [contenteditable]").count()


CONTRAST_JS = """root => {
  const out = [];
  const bgOf = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      const a = c.match(/rgba\\(.*,\\s*([\\d.]+)\\)/);
      if (c !== 'transparent' && !(a && parseFloat(a[1]) === 0)) return c;
    }
    return 'rgb(255, 255, 255)';
  };
  for (const el of root.querySelectorAll('*')) {
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    const field = el.matches('input[type=text], input[type=date], textarea, select');
    if (!own && !field) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2 || el.closest('button:disabled')) continue;  // hidden, or inactive
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden') continue;
    out.push({text: (field ? el.value || el.tagName : el.textContent).trim().slice(0, 50),
              color: s.color, bg: bgOf(el)});
  }
  return out;
}"""


def _low_contrast(form) -> list[str]:
    bad = []
    for item in form.evaluate(CONTRAST_JS):
        ratio = contrast_ratio(parse_rgb(item["color"]), parse_rgb(item["bg"]))
        if ratio < 4.5:
            bad.append(f"{item['text']!r}: {item['color']} on {item['bg']} = {ratio:.2f}")
    return bad


def _observe_drum_up(page) -> dict:
    """What the participant sees in the drum-up forms, field by field."""
    du1, du2 = _form(page, _title("drum-up.du1")), _form(page, _title("drum-up.du2"))

    def val(form, label):
        return form.get_by_label(label, exact=True).input_value()

    def vals(form, label):
        return [loc.input_value() for loc in form.get_by_label(label, exact=True).all()]

    seen = {
        "nama_opd": val(du1, "Nama OPD"),
        "dasar_hukum": val(du1, "Dasar hukum tupoksi"),
        "fungsi": vals(du1, "Fungsi"),
        "layanan": vals(du1, "Layanan"),
        "pengguna": vals(du1, "Pengguna per tahun"),
        "kanal": [_selected_text(s) for s in du1.get_by_label("Kanal layanan", exact=True).all()],
        "fungsi_terkait": [_selected_text(s) for s in du1.get_by_label("Fungsi terkait", exact=True).all()],
        "champion": val(du1, "Champion inovasi (nama dan jabatan)"),
        "tim_nama": vals(du1, "Nama"),
        "pernyataan": val(du2, "Pernyataan komitmen"),
        "penandatangan": val(du2, "Nama penandatangan"),
        "tanggal": val(du2, "Tanggal penandatanganan"),
        "refleksi": val(du2, "Refleksi kesiapan"),
    }
    for f in get_exercise("drum-up.du2").fields:
        if isinstance(f, Scale):
            active = du2.locator(f'button.mod-active[title^="{f.label_text()}: "]')
            seen[f.id] = active.inner_text().strip() if active.count() else None
    return seen


SCALES = {f.id: 1 + i % 5 for i, f in enumerate(get_exercise("drum-up.du2").fields) if isinstance(f, Scale)}
FUNGSI = ["Perumusan kebijakan teknis", "Pelaksanaan pelayanan dokumen", "Pengelolaan data kependudukan"]
EXPECTED = {
    "nama_opd": "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Uji",
    "dasar_hukum": "Peraturan Bupati Uji Nomor 12 Tahun 2024 tentang tugas dan fungsi Disdukcapil.",
    "fungsi": FUNGSI,
    "layanan": ["Penerbitan akta kelahiran"],
    "pengguna": ["1250"],  # typed as "1.250", the Indonesian way
    "kanal": ["Daring (online)"],
    "fungsi_terkait": ["Pelaksanaan pelayanan dokumen"],
    "champion": "Siti Rahma, Kepala Bidang Pelayanan",
    "tim_nama": ["Andi Saputra"],
    "pernyataan": "Kami berkomitmen memperbaiki layanan akta kelahiran; penanggung jawab Siti Rahma; "
                  "mulai 1 September 2026.",
    "penandatangan": "Budi Santoso",
    "tanggal": "2026-08-13",
    "refleksi": "Kekuatan: pimpinan mendukung. Kelemahan: data layanan belum rapi; kami akan "
                "merapikannya bulan depan.",
    **{k: str(v) for k, v in SCALES.items()},
}


# Two DG1 problems as Excel copies them: a header row (the table's column labels), tabs, CRLF,
# an Indonesian thousands dot, APKL boxes as a list; the computed total and rank are not pasted.
PASTED_TSV = (
    "Masalah\tLayanan terdampak\tAngka dasar (baseline)\tSatuan\tSumber data\tAPKL terpenuhi\t"
    "Urgency (U)\tSeriousness (S)\tGrowth (G)\r\n"
    "Berkas akta kelahiran tertunda\tAkta kelahiran\t1.250\tberkas per tahun\tRekap loket 2025\t"
    "Aktual; Problematik; Kekhalayakan; Layak\t5\t4\t3\r\n"
    "Data NIK ganda\tKTP-el\t37\tkasus per bulan\tLaporan SIAK\tAktual\t2\t2\t1\r\n")
PASTED_ROWS = (
    {"nama": "Berkas akta kelahiran tertunda", "layanan": "Akta kelahiran", "baseline": 1250,
     "satuan": "berkas per tahun", "sumber_data": "Rekap loket 2025",
     "apkl": ["Aktual", "Problematik", "Kekhalayakan", "Layak"], "u": 5, "s": 4, "g": 3},
    {"nama": "Data NIK ganda", "layanan": "KTP-el", "baseline": 37, "satuan": "kasus per bulan",
     "sumber_data": "Laporan SIAK", "apkl": ["Aktual"], "u": 2, "s": 2, "g": 1},
)


@pytest.mark.browser
@pytest.mark.slow
def test_participant_journey_in_jupyterlab(course, server, browser_page, playwright_api):
    page, outside = browser_page
    expect = playwright_api.expect
    journey = Journey(page)
    step = journey.step
    nb_path = f"{COURSE_ID}/drum-up/drum-up.ipynb"
    folder = course["home"] / COURSE_ID / "drum-up"

    # 1. JupyterLab speaks Indonesian (the shipped overrides, not user settings: a fresh config dir)
    with step("jupyterlab-bahasa-indonesia"):
        page.goto(server.url("lab"), wait_until="domcontentloaded")
        wait_lab_ready(page)
        assert "id-ID" == page.evaluate("() => document.documentElement.lang")
        expect(page.locator(".jp-FileBrowser").get_by_text("Nama", exact=True)).to_be_visible()  # "Name"
        settings = server.api("lab/api/settings/@jupyterlab/translation-extension:plugin")
        assert "id_ID" == settings["schema"]["properties"]["locale"]["default"]

    # 2. nbgrader's assignment list shows the course; the participant fetches "diagnose" there
    with step("daftar-tugas-ambil-diagnose"):
        lab_command(page, "nbgrader:open-assignment-list")
        released = page.locator("#released_assignments_list .list_item").filter(has_text="diagnose")
        released.get_by_role("button", name="Fetch").click()
        fetched = page.locator("#fetched_assignments_list > .list_item")
        expect(fetched.filter(has_text="diagnose")).to_have_count(1)
        expect(fetched.filter(has_text="drum-up")).to_have_count(1)
        assert (course["home"] / COURSE_ID / "diagnose" / "diagnose.ipynb").is_file()

    # 3. open the drum-up assignment and run all cells: two forms appear, only the first one open
    with step("drum-up-jalankan-semua"):
        open_in_lab(page, server, nb_path)
        _run_all(page, server, expect)
        du1, du2 = _form(page, _title("drum-up.du1")), _form(page, _title("drum-up.du2"))
        expect(du1).to_have_count(1)
        expect(du2).to_have_count(1)
        expect(du1.get_by_text("● Belum tersimpan")).to_be_visible()
        _expect_open(expect, du1, "DU1")  # the first exercise still to do
        _expect_closed(expect, du2, "DU2")
        expect(_state(du1)).to_have_text("belum diisi")
        expect(_state(du2)).to_have_text("belum diisi")
        n_cells = _notebook(page).locator(".jp-Cell").count()

    # 4. accessibility: every field labelled, the label is the input's accessible name; contrast
    #    (DU2's fields are checked in step 7, once it is open)
    with step("aksesibilitas-label-dan-kontras", shot=False):
        _check_field_labels(du1, "drum-up.du1", {"fungsi": 3, "layanan": 1, "tim": 1})
        assert [] == _low_contrast(du1) + _low_contrast(du2)

    # 5. keyboard only: text, long text, table cells, a number and two choices, moving with Tab
    with step("du1-isi-dengan-keyboard"):
        kb = page.keyboard
        du1.get_by_label("Nama OPD", exact=True).focus()  # as if reached with Tab
        kb.type(EXPECTED["nama_opd"])
        kb.press("Tab")
        expect(du1.get_by_label("Dasar hukum tupoksi", exact=True)).to_be_focused()
        kb.type(EXPECTED["dasar_hukum"])
        for i, text in enumerate(FUNGSI):
            kb.press("Tab")
            expect(du1.get_by_label("Fungsi", exact=True).nth(i)).to_be_focused()
            kb.type(text)
        kb.press("Tab")  # "+ Tambah baris" of the functions
        expect(du1.get_by_role("button", name="+ Tambah baris").first).to_be_focused()
        kb.press("Tab")  # "Tempel dari Excel" of the functions (its paste box stays closed)
        expect(du1.get_by_role("button", name="Tempel dari Excel").first).to_be_focused()
        kb.press("Tab")  # the first cell of the only service ("Hapus" at the line's end is disabled)
        expect(du1.get_by_label("Layanan", exact=True)).to_be_focused()
        kb.type(EXPECTED["layanan"][0])
        kb.press("Tab")
        kb.type("1.250")
        kb.press("Tab")
        kanal = du1.get_by_label("Kanal layanan", exact=True)
        expect(kanal).to_be_focused()
        _arrow_to(page, kanal, "Daring (online)")
        expect(kanal).to_have_value("Daring (online)")
        kb.press("Tab")
        linked = du1.get_by_label("Fungsi terkait", exact=True)
        expect(linked).to_be_focused()
        expect(linked.locator("option")).to_have_count(1 + len(FUNGSI))  # filled from the table
        _arrow_to(page, linked, FUNGSI[1])
        expect(linked).to_have_value(FUNGSI[1])
        assert n_cells == _notebook(page).locator(".jp-Cell").count(), "a key reached JupyterLab's cell shortcuts"

    # 6. table rows: add and remove (a filled row asks once more), the rest of DU1 with the mouse
    with step("du1-tambah-hapus-baris"):
        layanan_add = du1.get_by_role("button", name="+ Tambah baris").nth(1)
        layanan_add.click()
        expect(du1.get_by_label("Layanan", exact=True)).to_have_count(2)
        du1.get_by_label("Layanan", exact=True).nth(1).fill("Layanan sementara")
        remove = du1.locator('button[title="Hapus Layanan 2"]')
        remove.click()
        expect(remove).to_have_text(re.compile("Yakin hapus?"))
        remove.click()
        expect(du1.get_by_label("Layanan", exact=True)).to_have_count(1)
        expect(du1.get_by_text("1 baris (minimal 1)").first).to_be_visible()
        du1.get_by_role("button", name="+ Tambah baris").first.click()
        expect(du1.get_by_label("Fungsi", exact=True)).to_have_count(4)
        du1.locator('button[title="Hapus Fungsi 4"]').click()  # blank: goes at once
        expect(du1.get_by_label("Fungsi", exact=True)).to_have_count(3)
        du1.get_by_label("Champion inovasi (nama dan jabatan)", exact=True).fill(EXPECTED["champion"])
        du1.get_by_label("Nama", exact=True).fill(EXPECTED["tim_nama"][0])  # "Jabatan" left empty
        _wait_saved(expect, du1)

    # 7. open DU2 (DU1 closes: one exercise at a time); "Periksa" on an empty DU2 shows what to do;
    #    then fill date, scales, texts and check again
    with step("du2-buka-dan-periksa-kosong"):
        _open(expect, du2, "DU2")
        _expect_closed(expect, du1, "DU1")
        # the journey leaves the team's 'Jabatan' empty: not complete until every required cell is
        expect(_state(du1)).to_have_text("sebagian")
        _check_field_labels(du2, "drum-up.du2", {})
        assert [] == _low_contrast(du2)
        du2.get_by_role("button", name="Periksa").click()
        expect(du2.locator(".lablib-result")).to_contain_text("0 dari 1 poin otomatis")
        expect(du2.locator(".lablib-result")).to_contain_text("Beri nilai 1–5 untuk")
        du2.locator(".lablib-result").scroll_into_view_if_needed()
    with step("du2-isi-dan-periksa"):
        du2.get_by_label("Pernyataan komitmen", exact=True).fill(EXPECTED["pernyataan"])
        du2.get_by_label("Nama penandatangan", exact=True).fill(EXPECTED["penandatangan"])
        du2.get_by_label("Jabatan penandatangan", exact=True).fill("Kepala Dinas")
        du2.get_by_label("Tanggal penandatanganan", exact=True).fill(EXPECTED["tanggal"])
        for f in get_exercise("drum-up.du2").fields:
            if isinstance(f, Scale):
                button = _scale_button(du2, str(f.label_text()), SCALES[f.id])
                button.click()
                expect(button).to_have_class(re.compile("mod-active"))
                expect(button).to_have_attribute("title", re.compile(r"\(dipilih\)$"))  # read out
        du2.get_by_label("Refleksi kesiapan", exact=True).fill(EXPECTED["refleksi"])
        du2.get_by_role("button", name="Periksa").click()
        expect(du2.locator(".lablib-result")).to_contain_text("1 dari 1 poin otomatis")
        du2.locator(".lablib-result").scroll_into_view_if_needed()
        du2_points = _result_points(du2)
        _wait_saved(expect, du2)
        assert [] == _low_contrast(du2)  # results and messages too
    with step("du1-buka-dan-periksa"):
        _open(expect, du1, "DU1")
        _expect_closed(expect, du2, "DU2")
        expect(_state(du2)).to_have_text("✓ lengkap · Periksa: 1 dari 1 poin")  # the score stays in sight
        du1.get_by_role("button", name="Periksa").click()
        expect(du1.locator(".lablib-result")).to_contain_text("1 dari 2 poin otomatis")
        expect(du1.locator(".lablib-result")).to_contain_text("Tim inovasi baris 1: 'Jabatan' belum diisi.")
        expect(_state(du1)).to_have_text("sebagian · Periksa: 1 dari 2 poin")
        du1.locator(".lablib-result").scroll_into_view_if_needed()
        seen_score = tuple(map(sum, zip(_result_points(du1), du2_points)))
        assert (2.0, 3.0) == seen_score
        _wait_saved(expect, du1)
        assert [] == _low_contrast(du1)  # results and messages too
        assert {**EXPECTED, "pengguna": ["1.250"]} == _observe_drum_up(page)  # shown as typed
        saved = json.loads((folder / "jawaban-drum-up.json").read_text(encoding="utf-8"))["answers"]
        assert 1250 == saved["drum-up.du1"]["layanan"][0]["pengguna_per_tahun"]
        assert "Daring (online)" == saved["drum-up.du1"]["layanan"][0]["kanal"]
        assert EXPECTED["tanggal"] == saved["drum-up.du2"]["tanggal"]
        assert seen_score[0] == score_folder(folder, "drum-up").earned

    # 8. reload the page: JupyterLab comes back; running the cells again shows the answers
    with step("muat-ulang-halaman"):
        page.keyboard.press("Control+s")
        page.reload(wait_until="domcontentloaded")
        wait_lab_ready(page)
        _notebook(page).locator(".jp-Cell").first.wait_for()
        wait_kernel_idle(page, server)
        _run_all(page, server, expect)
        _expect_open(expect, du1, "DU1")  # the cell ran again in the same kernel: its form stays open
        _expect_closed(expect, du2, "DU2")
        assert EXPECTED == _observe_drum_up(page)

    # 9. restart the kernel: the forms read the answers file again
    with step("restart-kernel"):
        restart_kernel(page, server)
        _run_all(page, server, expect)
        first_prompt = _notebook(page).locator(".jp-CodeCell .jp-InputPrompt").first
        expect(first_prompt).to_have_text("[1]:")  # a fresh kernel ran the cells
        # read from the file: DU2 complete, closed; DU1 (a cell still empty) is the one to do, open
        _expect_closed(expect, du2, "DU2")
        expect(_state(du2)).to_have_text("✓ lengkap")
        _expect_open(expect, du1, "DU1")
        expect(_state(du1)).to_have_text("sebagian")
        assert EXPECTED == _observe_drum_up(page)
        _wait_saved(expect, du1)
        page.keyboard.press("Control+s")

    # 10. submit from nbgrader's assignment list
    with step("kumpulkan-dari-daftar-tugas"):
        lab_command(page, "nbgrader:open-assignment-list")
        row = page.locator("#fetched_assignments_list > .list_item").filter(has_text="drum-up")
        row.get_by_role("button", name="Submit").click()
        expect(page.locator("#submitted_assignments_list .list_item").filter(has_text="drum-up")).not_to_have_count(0)

    # 11. the trainer collects and autogrades: the score is the one the participant saw
    with step("pelatih-menilai", shot=False):
        from nbgrader.api import Gradebook
        from nbgrader.utils import get_username

        api, student = course["api"], get_username()
        result = api.collect("drum-up")
        assert result["success"], result["error"]
        result = autograde(api, "drum-up", student)
        assert result["success"], result["error"] + result["log"]
        with Gradebook(sqlite_url(course["course"])) as gb:
            nb = gb.find_submission_notebook("drum-up", "drum-up", student)
            auto = {g.name: g.auto_score for g in nb.grades if g.auto_score is not None}
        assert seen_score[0] == sum(auto.values()), auto
        assert {"auto-du1-profil": 0, "auto-du1-layanan": 1, "auto-du2-komitmen": 1} == auto

    # 12. multi-choice (the kind drum-up lacks): DG1's APKL boxes, by mouse and by keyboard; two
    #     problems pasted from a spreadsheet; the USG total and rank computed, read-only
    with step("diagnose-pilihan-ganda"):
        open_in_lab(page, server, f"{COURSE_ID}/diagnose/diagnose.ipynb")
        _run_all(page, server, expect)
        dg1 = _form(page, _title("diagnose.dg1"))
        _expect_open(expect, dg1, "DG1")  # the first exercise still to do
        _expect_closed(expect, _form(page, _title("diagnose.dg2")), "DG2")
        problem = dg1.get_by_label(_label("diagnose.dg1", "masalah", "nama"), exact=True)
        problem.first.fill("Antrean KTP-el panjang")
        dg1.get_by_role("checkbox", name="Aktual", exact=True).first.check()
        layak = dg1.get_by_role("checkbox", name="Layak", exact=True).first
        layak.focus()
        page.keyboard.press("Space")
        expect(layak).to_be_checked()
        journey.shots(page, "dg1-apkl-dicentang")
    with step("dg1-tempel-dari-excel"):
        paste_box = dg1.get_by_role("textbox", name="Tempel dari Excel", exact=True)
        expect(paste_box).to_be_hidden()
        dg1.get_by_role("button", name="Tempel dari Excel").click()
        paste_box.fill(PASTED_TSV)  # what Ctrl+V puts there from Excel: tabs, CRLF, a header row
        dg1.get_by_role("button", name="Tempel baris").click()
        expect(dg1.locator(".lablib-paste")).to_contain_text("2 baris ditempel")
        expect(paste_box).to_have_value("")  # every row was taken
        expect(problem).to_have_count(3)  # the two blank rows were filled, none added
        expect(problem.nth(1)).to_have_value(PASTED_ROWS[0]["nama"])
        expect(problem.nth(2)).to_have_value(PASTED_ROWS[1]["nama"])
        totals = {"total": ["—", "12", "5"], "peringkat": ["—", "1", "2"]}  # 5+4+3, 2+2+1; row 1 unscored
        for column, texts in totals.items():
            expect(dg1.locator(f'.lablib-computed span[title="{_label("diagnose.dg1", "masalah", column)}"]')
                   ).to_have_text(texts)
        chosen = dg1.get_by_label(_label("diagnose.dg1", "masalah_terpilih"), exact=True)
        expect(chosen.locator("option")).to_have_count(1 + 3)  # an earlier entry: the problems' names
        _check_field_labels(dg1, "diagnose.dg1", {"masalah": 3}, computed=totals)
        dg1.locator(".lablib-computed").last.scroll_into_view_if_needed()  # the screenshot shows the totals
        dg1.get_by_role("button", name="Periksa").click()
        expect(dg1.locator(".lablib-result")).to_contain_text("poin otomatis")
        _wait_saved(expect, dg1)
        saved = json.loads((course["home"] / COURSE_ID / "diagnose" / "jawaban-diagnose.json").read_text())
        rows = saved["answers"]["diagnose.dg1"]["masalah"]
        assert ["Aktual", "Layak"] == rows[0]["apkl"]
        assert list(PASTED_ROWS) == rows[1:]  # as typed in the cells; nothing computed is stored
        assert [] == _low_contrast(dg1)

    # 13. our shortcut overrides leave JupyterLab's own keyboard navigation working
    with step("pintasan-keyboard-sel", shot=False):
        cells = _notebook(page).locator(".jp-Cell")
        cells.first.click()
        page.keyboard.press("Escape")
        page.keyboard.press("ArrowDown")
        expect(cells.nth(1)).to_have_class(re.compile("jp-mod-active"))

    journey.write_log()
    assert [] == outside.seen, "the participant's JupyterLab reached outside the machine"

