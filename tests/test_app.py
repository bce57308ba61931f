"""The participant's app (lablib.app): Beranda's stage states through nbgrader's real exchange,
Beranda.ipynb written once, and a real Jupyter server rendering a stage with Voilà and lablib's
template, showing no code and no English.

A participant here is this OS user with an ``nbgrader_config.py`` in its own folder naming the
course, the exchange, its id (``CourseDirectory.student_id``) and its own submission cache, as
the hub's participant config does for a real account.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import sys
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO, run_cli

from lablib import cli
from lablib.app.beranda import BERANDA, beranda_notebook, write_beranda
from lablib.app.exchange import ExchangeProblem, participant, stage_states
from lablib.core.answers import AnswerStore, save_answers
from lablib.core.stages import STAGES, get_stage
from lablib.curriculum.samples import model_answers

COURSE_ID = "uji-app"
STAGE = "drum-up"
CONFIG = REPO / "jupyter-config"


def make_course(root: Path) -> Path:
    roster = root / "peserta.csv"
    roster.write_text("id,nama,opd,jabatan,email\nani,Peserta Ani,Dinas Uji,Staf,\n", encoding="utf-8")
    course = root / "kursus"
    assert cli.main(["init", str(course), "--roster", str(roster), "--course-id", COURSE_ID,
                     "--due", f"{STAGE}=2031-03-04"]) == 0
    return course


def participant_home(root: Path, exchange: Path, student: str = "ani") -> Path:
    home = root / "rumah" / student
    home.mkdir(parents=True)
    (home / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.CourseDirectory.student_id = {student!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        f"c.Exchange.cache = {str(root / 'cache' / student)!r}\n"
        "c.Exchange.path_includes_course = True\n", encoding="utf-8")
    return home


def states(home: Path) -> dict[str, str]:
    return {s.slug: s.label for s in stage_states(home)}


# ----------------------------------------------------------------------------- the exchange


@pytest.mark.slow
def test_a_stage_goes_from_not_released_to_graded_through_nbgrader(tmp_path, capsys):
    course = make_course(tmp_path)
    home = participant_home(tmp_path, course / "exchange")
    first = stage_states(home)
    assert [s.slug for s in first] == [s.slug for s in STAGES]  # 5D order, not alphabetical
    assert {"belum tersedia"} == {s.label for s in first}

    assert cli.main(["release", STAGE, "--course", str(course)]) == 0
    released = {s.slug: s for s in stage_states(home)}
    assert "belum dibuka" == released[STAGE].label and "belum tersedia" == released["diagnose"].label
    assert _dt.date(2031, 3, 4) == released[STAGE].due  # from the calendar file in the released folder
    assert "" == released[STAGE].path

    from lablib.app.exchange import fetch, fetch_feedback, submit

    fetched = fetch(STAGE, home)
    assert "sedang dikerjakan" == fetched.label
    assert f"{COURSE_ID}/{STAGE}/{STAGE}.ipynb" == fetched.path and (home / fetched.path).is_file()
    assert _dt.date(2031, 3, 4) == fetched.due

    folder = home / COURSE_ID / STAGE
    save_answers(folder, STAGE, model_answers(STAGE))
    before = _dt.datetime.now() - _dt.timedelta(seconds=5)
    sent = submit(STAGE, home)
    assert "dikumpulkan" == sent.label
    assert before <= sent.submitted_at <= _dt.datetime.now() + _dt.timedelta(seconds=5)  # local time
    assert [v.pin for v in AnswerStore(folder, STAGE).versions()] == ["kumpul"]  # the version handed in

    assert cli.main(["collect", STAGE, "--course", str(course)]) == 0
    assert cli.main(["grade", STAGE, "--course", str(course), "--workers", "1"]) == 0
    assert "dikumpulkan" == states(home)[STAGE]  # graded, feedback not released yet
    assert cli.main(["feedback", STAGE, "--course", str(course)]) == 0
    capsys.readouterr()

    graded = {s.slug: s for s in stage_states(home)}[STAGE]
    assert "dinilai" == graded.label and graded.feedback_waiting and "" == graded.feedback_path
    read = fetch_feedback(STAGE, home)
    assert "dinilai" == read.label and not read.feedback_waiting
    page = home / read.feedback_path
    assert page.is_file() and page.name == f"{STAGE}.html" and "feedback" in page.parts
    assert get_stage(STAGE).title in page.read_text(encoding="utf-8")


def test_a_missing_exchange_is_one_indonesian_message(tmp_path):
    home = participant_home(tmp_path, tmp_path / "tidak-ada")
    with pytest.raises(ExchangeProblem) as caught:
        stage_states(home)
    text = caught.value.message
    assert "exchange" in text and "fasilitator" in text
    assert "Traceback" not in text and "Unwritable" not in text


def test_no_course_configured_says_so(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n", encoding="utf-8")
    with pytest.raises(ExchangeProblem, match="Kursus bimtek belum diatur") as caught:
        participant(tmp_path)
    assert "fasilitator" in caught.value.message


def test_a_broken_config_file_is_a_message_not_a_traceback(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config(\n", encoding="utf-8")
    with pytest.raises(ExchangeProblem, match="nbgrader_config.py rusak"):
        participant(tmp_path)


# ----------------------------------------------------------------------------- Beranda.ipynb


def test_beranda_is_written_once_and_an_edited_copy_is_kept(tmp_path):
    first = write_beranda(tmp_path)
    assert first.changed and first.kept is None
    text = (tmp_path / BERANDA).read_text(encoding="utf-8")
    assert "lablib.app.home()" in text
    assert not write_beranda(tmp_path).changed  # unchanged: left alone

    # run in JupyterLab: outputs and execution counts added, cells untouched -> simply replaced
    doc = json.loads(text)
    doc["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x"}]
    (tmp_path / BERANDA).write_text(json.dumps(doc), encoding="utf-8")
    again = write_beranda(tmp_path)
    assert again.changed and again.kept is None and (tmp_path / BERANDA).read_text(encoding="utf-8") == text

    # someone changed the cells: kept aside, never lost
    doc["cells"][0]["source"] = "# Catatan saya"
    (tmp_path / BERANDA).write_text(json.dumps(doc), encoding="utf-8")
    kept = write_beranda(tmp_path)
    assert kept.kept == tmp_path / "Beranda-lama-1.ipynb"
    assert "Catatan saya" in kept.kept.read_text(encoding="utf-8")
    assert (tmp_path / BERANDA).read_text(encoding="utf-8") == text
    assert "Beranda-lama-1.ipynb" in kept.describe()

    (tmp_path / BERANDA).write_text("bukan notebook", encoding="utf-8")  # anyone's own file
    assert write_beranda(tmp_path).kept == tmp_path / "Beranda-lama-2.ipynb"


def test_beranda_has_one_hidden_code_cell_and_no_outputs():
    nb = beranda_notebook()
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert 1 == len(code) and [] == code[0]["outputs"] and code[0]["metadata"]["jupyter"]["source_hidden"]


# ----------------------------------------------------------------------------- Voilà over HTTP


def _get(url: str, token: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=180) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", errors="replace")


ENGLISH = ("Running", "Executing", "Reading ", "There was an error", "Voilà requires", "Traceback",
           "Please run", "You are requesting")
CODE = ("import lablib", "lablib.form", "grade_check", "lablib.app.home", "Pemeriksaan otomatis:")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A released and fetched stage in a participant's folder, served by ``jupyter server`` with
    the repository's jupyter-config (lablib's server extension, Voilà settings and template)."""
    from browser_helpers import JupyterServer

    root = tmp_path_factory.mktemp("voila")
    course = make_course(root)
    home = participant_home(root, course / "exchange")
    assert cli.main(["release", STAGE, "--course", str(course)]) == 0
    from lablib.app.exchange import fetch

    fetch(STAGE, home)
    save_answers(home / COURSE_ID / STAGE, STAGE, {})
    server = JupyterServer(home, root / "jupyter", root / "jupyter.log", extra_env={
        # the repository's files first: the test checks them, not an older installed copy
        "JUPYTER_CONFIG_PATH": str(CONFIG / "etc" / "jupyter"),
        "JUPYTER_PATH": str(CONFIG / "share" / "jupyter"),
    })
    server.start()
    try:
        yield server, home
    finally:
        server.stop()


@pytest.mark.slow
def test_the_server_extension_writes_beranda_in_the_participant_folder(served):
    server, home = served
    assert json.loads((home / BERANDA).read_text(encoding="utf-8")) == beranda_notebook()
    assert "lablib: " in server.log_tail(200)


@pytest.mark.slow
def test_a_stage_page_shows_forms_and_no_code_and_no_english(served):
    server, _home = served
    status, page = _get(f"{server.base}/voila/render/{COURSE_ID}/{STAGE}/{STAGE}.ipynb", server.token)
    (REPO / "test-artifacts").mkdir(exist_ok=True)
    (REPO / "test-artifacts" / "voila-stage.html").write_text(page, encoding="utf-8")
    assert 200 == status, page[-2000:]
    for text in CODE + ENGLISH:
        assert text not in page, text
    assert "cdn.jsdelivr.net" not in page and "https://" not in re.sub(r'xmlns(:\w+)?="[^"]*"|rdf:resource="[^"]*"', "", page)
    assert "Menyiapkan formulir" in page and "← Beranda" in page
    assert "Drum-up: Membangun Komitmen" in page  # the stage title in the header
    assert "application/vnd.jupyter.widget-view+json" in page  # the forms: widget outputs
    assert "<details><summary><strong>Rubrik" in page  # rubric folded
    assert "✗" not in page and "0.0" not in re.sub(r"\d+\.\d+\.\d+", "", page)  # no autograder output
    # an exercise's heading cell is not rendered: its form shows the title and instructions once
    assert "<h2" not in page or "DU1 Profil OPD" not in page.split("<h2", 1)[1].split("</h2>", 1)[0]
    assert "poin otomatis, " not in page  # the heading cell's points line, shown by the form instead


@pytest.mark.slow
def test_beranda_page_renders_without_code_or_english(served):
    """The rows themselves are widget state the page fetches from the kernel (the browser
    journey reads them); here: the page, its one widget output, no code and no English."""
    server, _home = served
    status, page = _get(f"{server.base}/voila/render/{BERANDA}", server.token)
    assert 200 == status, page[-2000:]
    for text in CODE + ENGLISH:
        assert text not in page, text
    assert 1 == page.count("application/vnd.jupyter.widget-view+json")
    assert "lablib-cell-error" not in page  # home() ran without an error


def _click(home, row_slug: str, name: str) -> None:
    """Press the button called ``name`` in the row of ``row_slug`` (as a person would)."""
    import ipywidgets as W

    def walk(widget):
        if isinstance(widget, W.Button):
            yield widget
        for child in getattr(widget, "children", ()):
            yield from walk(child)

    row = next(r for r in home.rows.children if f"lablib-stage-{row_slug}" in r._dom_classes)
    matches = [b for b in walk(row) if b.description == name]
    assert 1 == len(matches), f"{name!r} in {row_slug}: {[b.description for b in walk(row)]}"
    matches[0].click()


def _row_html(home, row_slug: str) -> str:
    import ipywidgets as W

    row = next(r for r in home.rows.children if f"lablib-stage-{row_slug}" in r._dom_classes)
    found = []

    def walk(widget):
        if isinstance(widget, W.HTML):
            found.append(widget.value)
        for child in getattr(widget, "children", ()):
            walk(child)

    walk(row)
    return "\n".join(found)


@pytest.mark.slow
def test_beranda_buttons_take_submit_and_show_feedback(tmp_path, capsys):
    from lablib.app.home import Home

    course = make_course(tmp_path)
    home_dir = participant_home(tmp_path, course / "exchange")
    page = Home(home_dir)
    assert [f"lablib-stage-{s.slug}" for s in STAGES] == [r._dom_classes[-1] for r in page.rows.children]
    assert 'data-state="unreleased"' in _row_html(page, STAGE) and "belum tersedia" in _row_html(page, STAGE)

    assert cli.main(["release", STAGE, "--course", str(course)]) == 0
    page.refresh_button.click()
    assert "belum dibuka" in _row_html(page, STAGE) and "4 Maret 2031" in _row_html(page, STAGE)
    _click(page, STAGE, "Ambil")
    html = _row_html(page, STAGE)
    assert "sedang dikerjakan" in html and f'href="/voila/render/{COURSE_ID}/{STAGE}/{STAGE}.ipynb"' in html
    assert ">Buka</a>" in html and "sudah diambil" in page.message.value

    _click(page, STAGE, "Kumpulkan")  # asks first
    assert "sedang dikerjakan" in _row_html(page, STAGE) and "Kumpulkan tahap" in _row_html(page, STAGE)
    _click(page, STAGE, "Batal")
    assert "Kumpulkan tahap" not in _row_html(page, STAGE)
    save_answers(home_dir / COURSE_ID / STAGE, STAGE, model_answers(STAGE))
    _click(page, STAGE, "Kumpulkan")
    _click(page, STAGE, "Ya, kumpulkan")
    assert "dikumpulkan" in _row_html(page, STAGE) and "sudah dikumpulkan" in page.message.value
    assert "lablib-message-error" not in page.message.value

    assert cli.main(["collect", STAGE, "--course", str(course)]) == 0
    assert cli.main(["grade", STAGE, "--course", str(course), "--workers", "1"]) == 0
    assert cli.main(["feedback", STAGE, "--course", str(course)]) == 0
    capsys.readouterr()
    page.refresh_button.click()
    assert "dinilai" in _row_html(page, STAGE)
    _click(page, STAGE, "Lihat umpan balik")
    html = _row_html(page, STAGE)
    link = re.search(r'href="(/files/[^"]+)"[^>]*>Halaman umpan balik', html)
    assert link, html
    from urllib.parse import unquote

    assert (home_dir / unquote(link.group(1))[len("/files/"):]).is_file()


def test_beranda_shows_the_exchange_problem_in_indonesian(tmp_path):
    from lablib.app.home import Home

    page = Home(participant_home(tmp_path, tmp_path / "tidak-ada"))
    assert () == page.rows.children
    assert "lablib-message-error" in page.message.value and "fasilitator" in page.message.value


@pytest.mark.slow
def test_a_missing_stage_is_an_indonesian_error_page(served):
    server, _home = served
    status, page = _get(f"{server.base}/voila/render/tidak-ada.ipynb", server.token)
    assert 404 == status
    assert "Halaman tidak dapat dibuka" in page and "Beranda" in page
    for text in ENGLISH:
        assert text not in page, text


@pytest.mark.slow
def test_grade_check_prints_nothing_in_a_voila_kernel_and_grades_under_nbgrader(tmp_path):
    code = ("import lablib\n"
            "r = lablib.grade_check('drum-up.du1', next(iter(lablib.get_exercise('drum-up.du1').checks)).id)\n"
            "print(repr(r))\n")
    env = {k: v for k, v in os.environ.items() if k not in ("NBGRADER_EXECUTION", "SERVER_SOFTWARE")}
    plain = run_cli([sys.executable, "-c", code], tmp_path, env=env)
    app = run_cli([sys.executable, "-c", code], tmp_path, env={**env, "SERVER_SOFTWARE": "voila/0.5.13"})
    graded = run_cli([sys.executable, "-c", code], tmp_path,
                     env={**env, "SERVER_SOFTWARE": "voila/0.5.13", "NBGRADER_EXECUTION": "autograde"})
    assert "None\n" == app.stdout
    assert plain.stdout.endswith("0.0\n") and "✗" in plain.stdout
    assert graded.stdout.endswith("0.0\n") and "✗" in graded.stdout


def test_kernels_of_closed_app_pages_are_stopped_but_never_one_with_its_page_open():
    """Each Voilà page load starts a kernel; 100 participants reloading would fill the server's
    memory. Only kernels with no page connected are culled, so an open form keeps saving."""
    import json

    shipped = json.loads((REPO / "jupyter-config/etc/jupyter/jupyter_server_config.d/lablib_app.json")
                         .read_text(encoding="utf-8"))
    culling = shipped["MappingKernelManager"]
    assert culling["cull_connected"] is False
    assert 0 < culling["cull_interval"] <= culling["cull_idle_timeout"] <= 3600
    from jupyter_server.services.kernels.kernelmanager import MappingKernelManager
    from traitlets.config import Config

    manager = MappingKernelManager(config=Config(shipped))  # the names are real traits of the server's manager
    assert (1800, 300, False) == (manager.cull_idle_timeout, manager.cull_interval, manager.cull_connected)
