"""``lablib hub``: accounts, cards and config from a course, and a real JupyterHub running them.

The quick tests check what is generated (login names, cards escaping, the config as traitlets
loads it). The slow ones run the real thing as root: OS users made by ``lablib hub setup``,
JupyterHub 6 with the Python configurable-http-proxy and PAM, participants logging in and their
servers spawned; and the whole bimtek path in Chromium (``test_bimtek_through_the_hub``).
They skip, saying why, where the machine is not root.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import time
from pathlib import Path

import pamela
import pytest
from hub_helpers import (
    BIN,
    RunningHub,
    Sandbox,
    as_user,
    login_with_form,
    readable_environment,
    require_root,
    write_roster,
)

from lablib.course.course import Course
from lablib.course.roster import Participant
from lablib.hub.accounts import Account, check_logins, new_password
from lablib.hub.cards import render_cards
from lablib.hub.config import closed_folder, hub_config_text
from lablib.hub.logins import login_problem
from lablib.hub.settings import PARTICIPANT_DEFAULT_URL, HubError, HubSettings

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "hub"


def _settings(tmp_path: Path, **kw) -> HubSettings:
    base = {"course_root": tmp_path / "kursus", "course_id": "bimtek-x", "trainer": "fasil",
            "exchange": tmp_path / "exchange", "site_root": tmp_path / "site"}
    return HubSettings(**{**base, **kw})


# ------------------------------------------------------------------------------ quick

@pytest.mark.parametrize("login, problem", [
    ("budi_santoso", None),
    ("p01-dinkes", None),
    ("budi.santoso", "tanpa titik"),
    ("1971", "diawali huruf kecil"),
    ("root", "akun sistem"),
    ("a" * 33, "lebih dari 32"),
])
def test_login_names_follow_useradd_rules_and_never_take_a_system_account(login, problem):
    found = login_problem(login)
    assert (found is None) if problem is None else (problem in found), found


def test_a_roster_with_bad_logins_is_refused_naming_every_one():
    people = [Participant("ani", "Ani", "Dinkes"), Participant("budi.s", "Budi", "Dukcapil"),
              Participant("9x", "X", "Y")]
    with pytest.raises(HubError) as err:
        check_logins(people, "ani")
    text = str(err.value)
    assert "'budi.s'" in text and "'9x'" in text and "login fasilitator 'ani'" in text
    assert "\n" in text and "Traceback" not in text


def test_passwords_are_random_and_readable():
    passwords = {new_password() for _ in range(200)}
    assert 200 == len(passwords)
    assert all(re.fullmatch(r"[a-hjkmnp-z2-9]{4}(-[a-hjkmnp-z2-9]{4}){2}", p) for p in passwords)


def test_cards_escape_names_and_show_every_login_and_password():
    accounts = [Account("ani", "Ani <script>alert(1)</script>", "Dinas \"Kesehatan\" & KB", password="abcd-efgh-jkmn"),
                Account("budi", "Budi", "Disdukcapil"),  # existed before: no password
                Account("fasil", "Fasilitator", "", role="fasilitator", password="pqrs-tuvw-xyz2")]
    page = render_cards("bimtek-x", "http://10.0.0.5:8000/", accounts)
    assert "<script>alert" not in page
    assert "Ani &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Dinas &#34;Kesehatan&#34; &amp; KB" in page or "Dinas &quot;Kesehatan&quot; &amp; KB" in page
    cards = re.findall(r'<section class="card( trainer)?">(.*?)</section>', page, re.S)
    assert 3 == len(cards)
    assert cards[0][0] == " trainer"  # the trainer's card first
    assert "abcd-efgh-jkmn" in page and "pqrs-tuvw-xyz2" in page
    assert "akun sudah ada: sandi tidak diubah" in cards[2][1]
    assert "size: A4" in page and page.count("http://10.0.0.5:8000/") == 4


def test_generated_config_loads_with_the_settings_it_was_made_from(tmp_path):
    from traitlets.config.loader import PyFileConfigLoader

    settings = _settings(tmp_path, port=8123, hub_port=8124, proxy_api_port=8125, idle_timeout=900)
    hub = settings.hub_dir
    hub.mkdir(parents=True)
    (hub / "jupyterhub_config.py").write_text(hub_config_text(settings, ["ani", "budi"]), encoding="utf-8")
    (hub / "lablib-api-token").write_text("t0ken\n")
    c = PyFileConfigLoader("jupyterhub_config.py", path=str(hub)).load_config()
    assert "http://0.0.0.0:8123" == c.JupyterHub.bind_url
    assert "http://127.0.0.1:8124" == c.JupyterHub.hub_bind_url
    assert "http://127.0.0.1:8125" == c.ConfigurableHTTPProxy.api_url
    assert [str(settings.python), "-m", "lablib.hub.proxy"] == c.ConfigurableHTTPProxy.command
    assert {"fasil"} == c.Authenticator.admin_users
    assert {"ani", "budi", "fasil"} == c.Authenticator.allowed_users
    assert "pam" == c.JupyterHub.authenticator_class and c.PAMAuthenticator.open_sessions is False
    assert PARTICIPANT_DEFAULT_URL == c.Spawner.default_url
    assert str(settings.participant_config_dir) == c.Spawner.environment["JUPYTER_CONFIG_PATH"]
    culler, lablib_service = c.JupyterHub.services
    assert ["-m", "jupyterhub_idle_culler", "--timeout=900"] == culler["command"][1:]
    assert "t0ken" == lablib_service["api_token"]

    class FakeSpawner:  # what the hook reads and sets on JupyterHub's spawner
        def __init__(self, name):
            self.user = type("U", (), {"name": name})()
            self.notebook_dir, self.default_url = "~", "/lab"
            self.environment = dict(c.Spawner.environment)

    trainer, participant = FakeSpawner("fasil"), FakeSpawner("ani")
    for spawner in (trainer, participant):
        c.Spawner.pre_spawn_hook(spawner)
    assert str(settings.course_root) == trainer.notebook_dir
    paths = trainer.environment["JUPYTER_CONFIG_PATH"].split(os.pathsep)
    assert paths[0].endswith("lablib/trainer-config") and paths[1] == str(settings.trainer_config_dir)
    assert "~" == participant.notebook_dir
    assert str(settings.participant_config_dir) == participant.environment["JUPYTER_CONFIG_PATH"]


def test_an_exchange_inside_the_private_course_is_refused(tmp_path):
    from lablib.hub.config import write_hub_files

    settings = _settings(tmp_path, exchange=tmp_path / "kursus" / "exchange")
    with pytest.raises(HubError, match="lablib relocate"):
        write_hub_files(settings, [])
    assert not settings.hub_dir.exists()


def test_trainer_is_asked_for_once_and_remembered(tmp_path):
    from lablib.course.folder import write_config
    from lablib.hub.settings import make_settings, save_settings

    write_config(tmp_path / "k", course_id="kx", exchange=tmp_path / "ex")
    course = Course.open(tmp_path / "k")
    with pytest.raises(HubError, match="--trainer"):
        make_settings(course)
    save_settings(make_settings(course, trainer="fasil", port=8200, site_root=tmp_path / "site"))
    again = make_settings(course, port=8300)
    assert ("fasil", 8300, tmp_path / "site") == (again.trainer, again.port, again.site_root)
    assert 0o600 == stat.S_IMODE((course.root / "hub" / "hub.json").stat().st_mode)


def test_dry_run_writes_the_config_only_and_says_how_the_hub_would_start(tmp_path, capsys):
    from lablib.cli import main
    from lablib.course.folder import write_config

    write_config(tmp_path / "k", course_id="kx", exchange=tmp_path / "ex")
    code = main(["hub", "--dry-run", "--course", str(tmp_path / "k"), "--trainer", "fasil", "--port", "8765",
                 "--site-root", str(tmp_path / "site")])
    out = capsys.readouterr().out
    assert 0 == code
    assert f"jupyterhub -f {tmp_path / 'k' / 'hub' / 'jupyterhub_config.py'}" in out
    assert (tmp_path / "k" / "hub" / "jupyterhub_config.py").is_file()
    assert not (tmp_path / "k" / "hub" / "akun.json").exists() and not (tmp_path / "k" / "kartu-akun.html").exists()
    text = (tmp_path / "site" / "peserta" / "nbgrader_config.py").read_text()
    assert "c.CourseDirectory.course_id = 'kx'" in text and repr(str(tmp_path / "ex")) in text
    trainer = (tmp_path / "site" / "fasilitator" / "nbgrader_config.py").read_text()
    assert f"load_subconfig({str(tmp_path / 'k' / 'nbgrader_config.py')!r})" in trainer
    assert "frame-ancestors 'self'" in (tmp_path / "site" / "fasilitator" / "jupyter_server_config.py").read_text()
    assert 0o1777 == stat.S_IMODE((tmp_path / "ex").stat().st_mode)
    for secret in ("lablib-api-token", "jupyterhub_config.py", "hub.json"):
        assert 0o600 == stat.S_IMODE((tmp_path / "k" / "hub" / secret).stat().st_mode)


def test_without_root_the_hub_is_refused_in_one_line_and_nothing_is_written(tmp_path, capsys, monkeypatch):
    from lablib.cli import main
    from lablib.course.folder import write_config

    write_config(tmp_path / "k", course_id="kx", exchange=tmp_path / "ex")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    code = main(["hub", "--course", str(tmp_path / "k"), "--trainer", "fasil", "--site-root", str(tmp_path / "site")])
    err = capsys.readouterr().err
    assert 1 == code
    assert "lablib hub: lablib hub harus dijalankan sebagai root (sudo lablib hub)" in err and 1 == len(err.splitlines())
    assert not (tmp_path / "k" / "hub").exists()


def test_the_trainer_config_loads_the_course_config_so_formgrader_opens_its_gradebook(tmp_path):
    """nbgrader reads the trainer's config the way Jupyter does: the course's gradebook, exchange and
    protections come through the load_subconfig line (never a new, empty gradebook)."""
    from traitlets.config.loader import PyFileConfigLoader

    from lablib.course.folder import write_config
    from lablib.hub.config import trainer_nbgrader_config

    write_config(tmp_path / "k", course_id="kx", exchange=tmp_path / "ex")
    settings = _settings(tmp_path, course_root=tmp_path / "k", course_id="kx")
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "nbgrader_config.py").write_text(trainer_nbgrader_config(settings))
    c = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path / "t")).load_config()
    assert f"sqlite:///{tmp_path / 'k' / 'gradebook.db'}" == c.CourseDirectory.db_url
    assert ("kx", str(tmp_path / "k")) == (c.CourseDirectory.course_id, c.CourseDirectory.root)
    assert "lablib.protections.RestoreCourseCells" in c.Autograde.sanitize_preprocessors


def test_helm_values_carry_the_same_settings_and_no_password(tmp_path):
    import yaml

    from lablib.hub.helm import helm_values_text

    settings = _settings(tmp_path, idle_timeout=1800)
    values = yaml.safe_load(helm_values_text(settings, ["ani", "budi"], "postgresql://u:rahasia@db/bimtek"))
    assert "rahasia" not in json.dumps(values)
    assert ["fasil"] == values["hub"]["config"]["Authenticator"]["admin_users"]
    assert ["ani", "budi", "fasil"] == values["hub"]["config"]["Authenticator"]["allowed_users"]
    assert {"enabled": True, "timeout": 1800, "every": 300} == values["cull"]
    assert PARTICIPANT_DEFAULT_URL == values["singleuser"]["defaultUrl"]
    files = values["singleuser"]["extraFiles"]
    assert "c.CourseDirectory.course_id = 'bimtek-x'" in files["lablib-peserta"]["stringData"]
    assert "frame-ancestors 'self'" in files["lablib-fasilitator-server"]["stringData"]
    assert "load_subconfig('/srv/kursus/nbgrader_config.py')" in files["lablib-fasilitator"]["stringData"]
    mounts = values["singleuser"]["storage"]["extraVolumeMounts"]
    assert [{"name": "exchange", "mountPath": "/srv/nbgrader/exchange"}] == mounts
    assert "c.KubeSpawner.pre_spawn_hook = lablib_trainer" in values["hub"]["extraConfig"]["lablib-trainer"]


def test_the_shipped_helm_values_are_what_lablib_writes():
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "deploy" / "z2jh"
    spec = importlib.util.spec_from_file_location("make_values", path / "make_values.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.render() == (path / "values.yaml").read_text(encoding="utf-8"), (
        "deploy/z2jh/values.yaml is stale: run .venv/bin/python deploy/z2jh/make_values.py")


# ------------------------------------------------------------------------------ as root, for real

@pytest.fixture(scope="module")
def env_bin():
    """This environment, runnable by other accounts (see ``readable_environment``)."""
    reason = require_root()
    if reason:
        pytest.skip(reason)
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="lbtenv-"))
    folder.chmod(0o755)
    try:
        yield readable_environment(folder / "venv")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def sandbox(env_bin):
    box = Sandbox()
    box.bin = env_bin
    yield box
    box.close()


def make_course(box: Sandbox, trainer: str, rows: list[tuple[str, str, str]]) -> Path:
    """A course created by the trainer's own account (``lablib init`` as the trainer)."""
    box.add_os_user(trainer)
    for login, _, _ in rows:
        box.track(login)
    work = box.root / "kerja"
    work.mkdir(mode=0o777)
    work.chmod(0o777)
    roster = write_roster(box.root / "peserta.csv", rows)
    (box.root / "exchange").mkdir()
    (box.root / "exchange").chmod(0o1777)
    as_user(trainer, box.bin, str(box.bin / "lablib"), "init", str(work / "kursus"), "--roster", str(roster), "--course-id", "bimtek-uji",
            "--exchange", str(box.root / "exchange"), "--homes", str(box.root / "home" / "{id}"))
    return work / "kursus"


@pytest.mark.slow
def test_setup_creates_private_accounts_and_cards_and_refuses_bad_logins(sandbox):
    trainer = sandbox.user("t")
    people = [(sandbox.user("a"), "Ani <i>Lestari</i>", "Dinas Kesehatan"), (sandbox.user("b"), "Budi", "Disdukcapil")]
    course = make_course(sandbox, trainer, people)
    hub = RunningHub(sandbox.bin, course, trainer, sandbox.root / "site", ARTIFACTS / "setup.log")
    # an environment other accounts cannot run (this venv's Python is under /root, mode 0700) is
    # refused, saying where; with a readable one, setup goes ahead
    if closed_folder(BIN / "python") is not None:
        refused = subprocess.run([str(BIN / "lablib"), "hub", "setup", *hub.options()], capture_output=True, text=True)
        assert 1 == refused.returncode and "tidak dapat dijalankan akun peserta" in refused.stderr, refused.stderr
        assert not (course / "hub" / "akun.json").exists()
    out = hub.setup().stdout
    assert "Akun: 2 dibuat, 1 sudah ada" in out, out
    accounts = json.loads((course / "hub" / "akun.json").read_text())
    assert {a["login"] for a in accounts} == {trainer, people[0][0], people[1][0]}
    for a in accounts:
        home = Path(a["home"])
        if a["role"] == "peserta":
            assert 0o700 == stat.S_IMODE(home.stat().st_mode)
            assert home.stat().st_uid == int(subprocess.check_output(["id", "-u", a["login"]]))
            # the initial password works through PAM (the hub's authenticator engine)
            pamela.authenticate(a["login"], a["password"], service="login")
        else:  # the trainer's account existed: used as it is, password unchanged
            assert ("fasilitator", "") == (a["role"], a["password"])
    with pytest.raises(pamela.PAMError):
        pamela.authenticate(people[0][0], "salah-sandi", service="login")
    cards = course / "kartu-akun.html"
    st = cards.stat()
    assert 0o600 == stat.S_IMODE(st.st_mode)
    assert st.st_uid == int(subprocess.check_output(["id", "-u", trainer]))
    page = cards.read_text()
    assert "Ani &lt;i&gt;Lestari&lt;/i&gt;" in page and all(a["password"] in page for a in accounts if a["password"])
    assert 0o1777 == stat.S_IMODE((sandbox.root / "exchange").stat().st_mode)
    assert 0o700 == stat.S_IMODE((course / "hub").stat().st_mode)
    # run again: nothing re-created, no password changed
    before = (course / "hub" / "akun.json").read_text()
    hub.setup()
    assert before == (course / "hub" / "akun.json").read_text()
    # a late arrival with an id that cannot be a login name is refused before anything changes
    late = write_roster(sandbox.root / "susulan.csv", [("citra.dewi", "Citra", "Dinsos")])
    result = subprocess.run([hub.lablib, "hub", "add-participants", "--roster", str(late), *hub.options()],
                            capture_output=True, text=True)
    assert 1 == result.returncode
    assert "citra.dewi" in result.stderr and "tanpa titik" in result.stderr and "Traceback" not in result.stderr
    assert "citra" not in (course / "lablib-course.json").read_text()
    # a good one gets an account, its own card page, and a place on the full page
    newcomer = sandbox.user("c")
    sandbox.track(newcomer)
    late = write_roster(sandbox.root / "susulan.csv", [(newcomer, "Citra", "Dinsos")])
    result = subprocess.run([hub.lablib, "hub", "add-participants", "--roster", str(late), *hub.options()],
                            capture_output=True, text=True)
    assert 0 == result.returncode, result.stderr
    assert "Hub belum berjalan" in result.stdout
    new_page = (course / "kartu-akun-baru.html").read_text()
    assert new_page.count('<section class="card') == 1 and "Citra" in new_page
    assert "Citra" in cards.read_text() and "Ani &lt;i&gt;" in cards.read_text()
    assert newcomer in (course / "hub" / "jupyterhub_config.py").read_text()


@pytest.mark.slow
def test_the_generated_config_runs_a_real_hub_with_pam_logins_and_spawns(sandbox):
    trainer, ani = sandbox.user("t"), sandbox.user("a")
    course = make_course(sandbox, trainer, [(ani, "Ani Lestari", "Dinas Kesehatan")])
    hub = RunningHub(sandbox.bin, course, trainer, sandbox.root / "site", ARTIFACTS / "hub-real.log")
    hub.setup()
    passwords = {a["login"]: a["password"] for a in json.loads((course / "hub" / "akun.json").read_text())}
    hub.start()
    try:
        assert re.fullmatch(r"6\.\d+\.\d+", hub.api("")["version"])
        # the idle culler runs as a hub service, with the configured timeout
        culler = subprocess.run(["ps", "-ww", "-o", "args=", "-u", "root"], capture_output=True, text=True).stdout
        assert any("jupyterhub_idle_culler --timeout=3600" in line and str(sandbox.bin) in line
                   for line in culler.splitlines()), culler
        assert any("-m lablib.hub.proxy" in line and f"--port {hub.port}" in line
                   for line in culler.splitlines()), culler  # the Python proxy, through lablib's launcher
        assert {"idle-culler", "lablib"} <= set(hub.api("services"))
        # through the login page, with the password on the card: PAM accepts it, the hub spawns
        status, url = login_with_form(hub.base, ani, "salah")
        assert 403 == status or "/hub/login" in url
        status, url = login_with_form(hub.base, ani, passwords[ani])
        assert 200 == status and "/hub/login" not in url, (status, url)
        server = hub.start_server(ani)
        assert f"/user/{ani}/" == server["url"]
        # the participant's server runs as the participant, in their home, on the course's exchange
        status, _, body = hub.user_request(ani, "api/contents/")
        assert 200 == status
        status, _, body = hub.user_request(ani, "api/kernels", "POST", {"name": "python3"})
        assert 201 == status
        kernel = json.loads(body)["id"]
        procs = subprocess.run(["ps", "-ww", "-o", "user:32=,args=", "-u", ani], capture_output=True, text=True).stdout
        assert "jupyterhub-singleuser" in procs and "ipykernel" in procs, procs
        hub.user_request(ani, f"api/kernels/{kernel}", "DELETE")
        # participants get no formgrader; the trainer's server has it, framed by the hub's pages
        assert 404 == hub.user_request(ani, "formgrader")[0]
        hub.start_server(trainer)
        status, headers, body = hub.user_request(trainer, "formgrader")
        assert 200 == status, body[:500]
        assert "frame-ancestors 'self'" in headers.get("Content-Security-Policy", "")
        status, _, body = hub.user_request(trainer, "formgrader/api/assignments")
        assert 200 == status
        status, _, body = hub.user_request(trainer, "api/contents/")
        names = {i["name"] for i in json.loads(body)["content"]}
        assert {"nbgrader_config.py", "gradebook.db", "lablib-course.json"} <= names  # the course folder
        # a late arrival while the hub runs can log in at once
        newcomer = sandbox.user("c")
        sandbox.track(newcomer)
        late = write_roster(sandbox.root / "susulan.csv", [(newcomer, "Citra", "Dinsos")])
        result = subprocess.run([hub.lablib, "hub", "add-participants", "--roster", str(late), *hub.options()],
                                capture_output=True, text=True)
        assert 0 == result.returncode and "dapat masuk sekarang" in result.stdout, result.stdout + result.stderr
        password = {a["login"]: a["password"] for a in json.loads((course / "hub" / "akun.json").read_text())}[newcomer]
        status, url = login_with_form(hub.base, newcomer, password)
        assert 200 == status and "/hub/login" not in url, (status, url)
    finally:
        code = hub.interrupt()
    # Ctrl-C: the command says so, exits 0, and nothing of the hub is left running
    assert 0 == code, hub.log_tail()
    said = hub.log_path.read_text()
    assert f"Peserta membuka: http://127.0.0.1:{hub.port}/" in said  # in Indonesian, what to open
    assert "Tekan Ctrl-C untuk menghentikan hub" in said and "Hub dihentikan." in said
    time.sleep(1)
    left = subprocess.run(["ps", "-ww", "-o", "pid=,args=", "-u", f"{ani},{trainer}"], capture_output=True, text=True).stdout
    assert "jupyterhub-singleuser" not in left, left
    with pytest.raises(OSError):
        hub.api("")


@pytest.mark.slow
def test_idle_servers_are_stopped_by_the_culler_service(sandbox):
    trainer, ani = sandbox.user("t"), sandbox.user("a")
    course = make_course(sandbox, trainer, [(ani, "Ani Lestari", "Dinas Kesehatan")])
    hub = RunningHub(sandbox.bin, course, trainer, sandbox.root / "site", ARTIFACTS / "hub-culler.log")
    hub.extra = ["--idle-timeout", "10"]
    hub.setup()
    hub.start()
    try:
        hub.start_server(ani)
        deadline = time.monotonic() + 120
        while hub.api(f"users/{ani}").get("servers") and time.monotonic() < deadline:
            time.sleep(2)
        assert {} == hub.api(f"users/{ani}").get("servers"), hub.log_tail()
        assert "idle-culler" in (ARTIFACTS / "hub-culler.log").read_text()
    finally:
        assert 0 == hub.interrupt(), hub.log_tail()


# ------------------------------------------------------------------------------ the bimtek, end to end

def _browser_login(page, base: str, login: str, password: str) -> None:
    """The participant's way in: the hub's login page, the name and password from the card."""
    page.goto(f"{base}/hub/login", wait_until="domcontentloaded")
    page.locator("#username_input").fill(login)
    page.locator("#password_input").fill(password)
    page.locator("#login_submit").click()
    # participants land on Beranda (PARTICIPANT_DEFAULT_URL); this journey then uses JupyterLab
    page.wait_for_url(re.compile(rf"/user/{login}/voila/render/Beranda\.ipynb"), timeout=180_000)
    page.locator('[data-stage="drum-up"][data-state="released"]').wait_for(timeout=180_000)
    page.goto(f"{base}/user/{login}/lab", wait_until="domcontentloaded")


def _participant_in_browser(p, hub: RunningHub, login: str, password: str, statement: str, shots) -> None:
    """Log in, fetch drum-up from the assignment list, fill DU2, press Periksa, submit."""
    from browser_helpers import lab_command, launch_chromium, wait_kernel_idle, wait_lab_ready
    from hub_helpers import UserServerView
    from playwright.sync_api import expect

    browser = launch_chromium(p)
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.on("dialog", lambda d: d.accept())
    expect.set_options(timeout=60_000)
    server = UserServerView(hub, login)
    try:
        _browser_login(page, hub.base, login, password)
        wait_lab_ready(page, timeout=180_000)
        shots(page, f"{login}-masuk")
        lab_command(page, "nbgrader:open-assignment-list")
        released = page.locator("#released_assignments_list .list_item").filter(has_text="drum-up")
        released.get_by_role("button", name="Fetch").click()
        fetched = page.locator("#fetched_assignments_list > .list_item").filter(has_text="drum-up")
        expect(fetched).to_have_count(1)
        page.goto(f"{hub.base}/user/{login}/lab/tree/bimtek-uji/drum-up/drum-up.ipynb", wait_until="domcontentloaded")
        wait_lab_ready(page)
        page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first.wait_for()
        wait_kernel_idle(page, server)
        lab_command(page, "runmenu:run-all", "notebook:run-all-cells")
        wait_kernel_idle(page, server)
        du2 = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output > .widget-vbox").filter(
            has=page.get_by_role("heading", name=re.compile(r"^DU2 ")))
        du2.get_by_role("button", name="Buka DU2").click()  # one exercise open at a time: DU1 starts open
        du2.get_by_label("Pernyataan komitmen", exact=True).fill(statement)
        du2.get_by_label("Nama penandatangan", exact=True).fill("Kepala " + login)
        du2.get_by_role("button", name="Periksa").click()
        expect(du2.locator(".lablib-result")).to_contain_text("dari 1 poin otomatis")
        expect(du2.get_by_text(re.compile(r"✓ Tersimpan"))).to_be_visible()
        shots(page, f"{login}-periksa")
        page.keyboard.press("Control+s")
        lab_command(page, "nbgrader:open-assignment-list")
        row = page.locator("#fetched_assignments_list > .list_item").filter(has_text="drum-up")
        row.get_by_role("button", name="Submit").click()
        expect(page.locator("#submitted_assignments_list .list_item").filter(has_text="drum-up")).not_to_have_count(0)
        shots(page, f"{login}-dikumpulkan")
    except BaseException:
        shots(page, f"GAGAL-{login}")
        raise
    finally:
        context.close()
        browser.close()


@pytest.mark.slow
@pytest.mark.browser
def test_bimtek_through_the_hub(sandbox):
    """Two participants log in through the hub in Chromium, fill a form, check and submit; the
    trainer collects, grades and releases feedback as the trainer's account; each participant
    fetches their own feedback page, and it shows their answers and nobody else's."""
    from browser_helpers import CHROMIUM, Shots

    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not at {CHROMIUM}: the browser test is skipped")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    trainer, ani, budi = sandbox.user("t"), sandbox.user("a"), sandbox.user("b")
    course = make_course(sandbox, trainer, [(ani, "Ani Lestari", "Dinas Kesehatan"), (budi, "Budi Santoso", "Disdukcapil")])
    lablib = str(sandbox.bin / "lablib")
    as_user(trainer, sandbox.bin, lablib, "release", "drum-up", "--course", str(course))
    hub = RunningHub(sandbox.bin, course, trainer, sandbox.root / "site", ARTIFACTS / "hub-e2e.log")
    hub.setup()
    passwords = {a["login"]: a["password"] for a in json.loads((course / "hub" / "akun.json").read_text())}
    statements = {ani: "Komitmen Ani: layanan imunisasi keliling setiap Senin di Puskesmas Salakan.",
                  budi: "Komitmen Budi: jemput bola KTP-el ke pulau-pulau kecil setiap bulan."}
    shots = Shots(ARTIFACTS / "browser")
    hub.start()
    try:
        with sync_api.sync_playwright() as p:
            for login in (ani, budi):
                _participant_in_browser(p, hub, login, passwords[login], statements[login], shots)
        for step in ("collect", "grade", "feedback"):
            result = as_user(trainer, sandbox.bin, lablib, step, "drum-up", "--course", str(course))
            assert "Traceback" not in result.stderr, result.stderr
        collected = sorted(p.name for p in (course / "submitted").iterdir())
        assert sorted([ani, budi]) == collected
        # formgrader, through the hub, on the course's own gradebook: both submissions are there
        hub.start_server(trainer)
        status, _, body = hub.user_request(trainer, "formgrader/api/assignments")
        assert 200 == status, body[:300]
        drum_up = next(a for a in json.loads(body) if a["name"] == "drum-up")
        assert 2 == drum_up["num_submissions"], drum_up
        site = {"JUPYTER_CONFIG_PATH": str(sandbox.root / "site" / "peserta")}
        pages = {}
        for login in (ani, budi):
            as_user(login, sandbox.bin, "nbgrader", "fetch_feedback", "drum-up", env=site)
            home = Path(json.loads((course / "hub" / "akun.json").read_text())[0]["home"]).parent / login
            found = list((home / "bimtek-uji" / "drum-up" / "feedback").rglob("*.html"))
            assert 1 == len(found), found
            pages[login] = found[0].read_text(encoding="utf-8")
            assert found[0].stat().st_uid == int(subprocess.check_output(["id", "-u", login]))
        for login, other in ((ani, budi), (budi, ani)):
            assert statements[login] in pages[login]
            assert statements[other] not in pages[login]
            assert other not in pages[login]
    finally:
        assert 0 == hub.interrupt(), hub.log_tail()
