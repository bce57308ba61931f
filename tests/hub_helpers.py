"""Helpers for the hub tests: OS users with a unique prefix, a course owned by its trainer, and
``lablib hub`` running on free loopback ports with a test-only API token.

Everything a test makes is outside pytest's tmp folder (root's is 0700, and participants'
servers, running as their own accounts, must reach their homes and the exchange), under
``/tmp/lbt<random>/``, and removed afterwards: users with ``userdel -r``, folders with rmtree.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from browser_helpers import free_port, json_request

BIN = Path(sys.executable).parent


def readable_environment(folder: Path) -> Path:
    """This test environment as other accounts can run it; returns its ``bin/``.

    The participants' and the trainer's servers run as their own accounts. Here the venv's Python
    comes from ``/root/.pyenv`` (``/root`` is 0700), which no other account may enter, and
    ``lablib hub`` rightly refuses it. So the tests make a venv of Debian's own Python 3.11
    (``/usr/bin/python3.11``, same ABI) that reads this venv's packages (a ``.pth`` file), shares
    its ``etc/`` and ``share/`` (the participants' JupyterLab settings, the lab extensions) and
    has its console scripts. Nothing is installed.
    """
    system = Path("/usr/bin/python3.11")
    if not system.exists() or sys.version_info[:2] != (3, 11):
        raise RuntimeError("needs Debian's /usr/bin/python3.11 and a Python 3.11 venv")
    subprocess.run([str(system), "-m", "venv", "--without-pip", str(folder)], check=True, capture_output=True)
    site = next(Path(p) for p in sys.path if p.endswith("site-packages") and p.startswith(sys.prefix))
    (folder / "lib" / "python3.11" / "site-packages" / "lbt_shared.pth").write_text(
        f"import site; site.addsitedir({str(site)!r})\n")
    for name in ("etc", "share"):
        (folder / name).symlink_to(Path(sys.prefix) / name)
    shebang = f"#!{BIN / 'python'}"
    for script in BIN.iterdir():
        if script.is_file() and not (folder / "bin" / script.name).exists():
            with contextlib.suppress(UnicodeDecodeError):
                text = script.read_text()
                if text.startswith(shebang + "\n"):
                    target = folder / "bin" / script.name
                    target.write_text(f"#!{folder / 'bin' / 'python'}" + text[len(shebang):])
                    target.chmod(0o755)
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | (0o755 if path.is_dir() else 0o644))
    return folder / "bin"


def require_root() -> str | None:
    """Why these tests cannot run here, or ``None``."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "the hub tests create OS users (useradd) and run JupyterHub as root: run them as root"
    for tool in ("useradd", "userdel", "chpasswd", "runuser"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    from os_users import closed_to_other_users

    if closed_to_other_users():
        return closed_to_other_users()
    if not (BIN / "configurable-http-proxy").exists():
        return "the Python configurable-http-proxy is not installed: pip install -e '.[hub]'"
    return None


class Sandbox:
    """A unique prefix for OS users and a world-traversable folder; ``close`` removes both."""

    def __init__(self) -> None:
        self.prefix = "lbt" + secrets.token_hex(3)
        self.root = Path(tempfile.mkdtemp(prefix=self.prefix + "-"))
        self.root.chmod(0o755)
        self.users: list[str] = []

    def user(self, suffix: str) -> str:
        return f"{self.prefix}{suffix}"

    def add_os_user(self, login: str) -> None:
        """A plain OS user (the trainer): made here, removed in ``close``."""
        subprocess.run(["useradd", "--create-home", "--home-dir", str(self.root / "home" / login),
                        "--user-group", login], check=True, capture_output=True)
        self.users.append(login)

    def track(self, login: str) -> None:
        if login not in self.users:
            self.users.append(login)

    def stray_processes(self) -> list[int]:
        """Processes still running as this sandbox's users (e.g. a kernel that was starting while
        its server stopped): all started by the test, found by uid."""
        uids = set()
        for login in self.users:
            with contextlib.suppress(KeyError):
                uids.add(pwd.getpwnam(login).pw_uid)
        found = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            with contextlib.suppress(OSError):
                if os.stat(f"/proc/{pid}").st_uid in uids:
                    found.append(int(pid))
        return found

    def close(self) -> None:
        for pid in self.stray_processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for login in self.users:
            with contextlib.suppress(KeyError):
                pwd.getpwnam(login)
                subprocess.run(["userdel", "--remove", "--force", login], capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


def as_user(login: str, bin_dir: Path, *cmd: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run ``cmd`` as ``login`` (``runuser``), with ``bin_dir`` first on PATH."""
    entry = pwd.getpwnam(login)
    base = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": entry.pw_dir, "USER": login, "LANG": "C.UTF-8"}
    base.update(env or {})
    full = ["runuser", "-u", login, "--", "env", *[f"{k}={v}" for k, v in base.items()], *cmd]
    result = subprocess.run(full, cwd=cwd or entry.pw_dir, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} as {login} failed ({result.returncode}):\n"
                             f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def write_roster(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = ["id,nama,opd,jabatan,email"]
    lines += [f'{i},"{n}","{o}",Staf,{i}@contoh.go.id' for i, n, o in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o644)
    return path


TEST_SCOPES = ["admin:users", "admin:servers", "access:servers", "tokens", "list:users", "read:users",
               "list:services", "read:services"]


class RunningHub:
    """``lablib hub`` for a course on free loopback ports, with a test service token."""

    def __init__(self, bin_dir: Path, course: Path, trainer: str, site_root: Path, log: Path):
        self.lablib = str(bin_dir / "lablib")
        self.course, self.trainer, self.site_root, self.log_path = course, trainer, site_root, log
        self.port, self.hub_port, self.api_port = free_port(), free_port(), free_port()
        self.token = secrets.token_hex(24)
        self.proc: subprocess.Popen | None = None
        self.extra: list[str] = []  # more `lablib hub` options (e.g. --idle-timeout)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def options(self) -> list[str]:
        return ["--course", str(self.course), "--trainer", self.trainer, "--ip", "127.0.0.1",
                "--port", str(self.port), "--hub-port", str(self.hub_port),
                "--proxy-api-port", str(self.api_port), "--site-root", str(self.site_root), *self.extra]

    def setup(self) -> subprocess.CompletedProcess:
        result = subprocess.run([self.lablib, "hub", "setup", *self.options()], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        # a test-only service, through the config's documented place for local changes
        (self.course / "hub" / "jupyterhub_config_local.py").write_text(
            "c = get_config()  # noqa: F821\n"
            f"c.JupyterHub.services.append({{'name': 'lbt-test', 'api_token': {self.token!r}}})\n"
            f"c.JupyterHub.load_roles.append({{'name': 'lbt-test', 'services': ['lbt-test'], "
            f"'scopes': {TEST_SCOPES!r}}})\n"
            "c.JupyterHub.log_level = 'INFO'\n", encoding="utf-8")
        return result

    def start(self, timeout: float = 90) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "NBGRADER"))}
        self.proc = subprocess.Popen([self.lablib, "hub", *self.options()], stdout=self._log,
                                     stderr=subprocess.STDOUT, env=env, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"lablib hub exited with {self.proc.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                self.api("")
                return
            time.sleep(0.5)
        raise AssertionError(f"the hub did not answer within {timeout:g} s:\n{self.log_tail()}")

    def api(self, path: str, method: str = "GET", body: Any = None) -> Any:
        return json_request(f"{self.base}/hub/api/{path}", self.token, method, body, timeout=30)

    def user_request(self, login: str, path: str, method: str = "GET", body: Any = None,
                     timeout: float = 60) -> tuple[int, dict[str, str], bytes]:
        """A request to ``/user/<login>/<path>`` with the test token (scope access:servers)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.base}/user/{login}/{path}", data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def start_server(self, login: str, timeout: float = 180) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.api(f"users/{login}/server", method="POST")
                break
            except urllib.error.HTTPError as exc:
                if exc.code == 400:  # already running or starting
                    break
                # 429: the hub's limit of servers starting at once; 503: the proxy's request queue
                # timed out while the hub was busy starting others. Both mean: ask again.
                if exc.code not in (429, 503) or time.monotonic() > deadline:
                    raise
                time.sleep(2)
        while time.monotonic() < deadline:
            model = self.api(f"users/{login}")
            server = (model.get("servers") or {}).get("")
            if server and server.get("ready"):
                return server
            time.sleep(0.5)
        raise AssertionError(f"{login}'s server not ready after {timeout:g} s:\n{self.log_tail()}")

    def kernels_of(self, login: str) -> list[dict]:
        for _ in range(20):
            status, _, body = self.user_request(login, "api/kernels")
            if status == 200:
                return json.loads(body)
            time.sleep(0.25)
        raise AssertionError(f"kernels of {login}: HTTP {status}")

    def log_tail(self, n: int = 80) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        return "(no log)"

    def interrupt(self, timeout: float = 90) -> int:
        """Ctrl-C, as a trainer's terminal sends it to ``lablib hub``; returns its exit status."""
        proc, self.proc = self.proc, None
        if proc is None:
            return 0
        proc.send_signal(signal.SIGINT)
        try:
            return proc.wait(timeout=timeout)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)  # its own session: only this hub and its children
            self._log.close()


class UserServerView:
    """What ``browser_helpers.wait_kernel_idle`` asks of a server: its kernels."""

    def __init__(self, hub: RunningHub, login: str):
        self.hub, self.login = hub, login

    def kernels(self) -> list[dict]:
        return self.hub.kernels_of(self.login)


def login_with_form(base: str, login: str, password: str) -> tuple[int, str]:
    """Log in through the hub's login page, as a browser without JavaScript would: the status
    and the URL landed on."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/hub/login", timeout=30).read().decode()
    xsrf = re.search(r'name="_xsrf"[^>]*value="([^"]+)"', page)
    form = {"username": login, "password": password, **({"_xsrf": xsrf.group(1)} if xsrf else {})}
    try:
        resp = opener.open(f"{base}/hub/login?next=", data=urllib.parse.urlencode(form).encode(), timeout=60)
        return resp.status, resp.url
    except urllib.error.HTTPError as exc:
        return exc.code, exc.url
