"""Helpers for the browser tests: a real Jupyter server on loopback, Debian's Chromium through
Playwright, and the few JupyterLab moves a participant makes (open, run all, reload, restart).

JupyterLab's own chrome is driven through ``data-command`` attributes (the id_ID language pack
translates only part of the menus, and its wording may change); lablib's forms are driven the way
a participant sees them: by their labels and button texts.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
    # belt and braces: names other than loopback do not resolve, so nothing can leave the machine
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts" / "browser"
BIN = Path(sys.executable).parent
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def participant_config(home: Path, course_id: str, exchange: Path) -> Path:
    """The participant's ``nbgrader_config.py`` in the server's root folder: the exchange and course
    the assignment list shows (nbgrader's Lab extension reads the config of the server's root)."""
    path = home / "nbgrader_config.py"
    path.write_text(
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        "c.Exchange.path_includes_course = True\n",
        encoding="utf-8")
    return path


class JupyterServer:
    """``jupyter lab`` on 127.0.0.1 with a known token, a private config/runtime folder and
    ``root_dir`` = the participant's home. The log goes to ``log_path``."""

    def __init__(self, home: Path, private: Path, log_path: Path, extra_env: dict[str, str] | None = None):
        self.home, self.private, self.log_path = home, private, log_path
        self.extra_env = dict(extra_env or {})
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "lab") -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base}/{path}{sep}token={self.token}"

    def env(self) -> dict[str, str]:
        # JUPYTER_CONFIG_DIR also holds Lab's user settings and workspaces: a fresh one means the
        # participant sees exactly the defaults the environment ships (the overrides under test).
        for sub in ("config", "runtime", "data", "ipython"):
            (self.private / sub).mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "NBGRADER", "LABLIB"))}
        env.update({
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "JUPYTER_CONFIG_DIR": str(self.private / "config"),
            "JUPYTER_RUNTIME_DIR": str(self.private / "runtime"),
            "JUPYTER_DATA_DIR": str(self.private / "data"),
            "IPYTHONDIR": str(self.private / "ipython"),
            "JUPYTER_PLATFORM_DIRS": "1",
            "PYTHONUNBUFFERED": "1",
        })
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 90) -> None:
        args = [str(BIN / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.home}",
                "--ServerApp.open_browser=False"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--allow-root")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop)
        self._log = log
        self.proc = subprocess.Popen(args, cwd=self.home, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                self.api("api/status")
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer on {self.base} within {timeout:g} s:\n{self.log_tail()}")

    def api(self, path: str, method: str = "GET", body: Any = None) -> Any:
        return json_request(f"{self.base}/{path}", self.token, method, body, timeout=10)

    def kernels(self) -> list[dict]:
        # Jupyter Server answers 500 while a kernel is starting (its model has no last_activity
        # yet: "The 'last_activity' trait ... expected a datetime, not the NoneType None"); ask again.
        for attempt in range(20):
            try:
                return self.api("api/kernels")
            except urllib.error.HTTPError as exc:
                if exc.code < 500 or attempt == 19:
                    raise
                time.sleep(0.25)
        raise AssertionError("unreachable")

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            try:
                self.api("api/shutdown", method="POST")
                proc.wait(timeout=15)
            except Exception:  # noqa: BLE001 (any failure: fall back to a signal)
                proc.terminate()  # only the server this helper started (its own process group)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None


def launch_chromium(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@contextlib.contextmanager
def browser_session(playwright_api: Any, timeout_ms: int, *, clipboard_origin: str | None = None,
                    **context_options: Any):
    """``(page, outside)``: one Chromium page with requests leaving the machine blocked and
    recorded, dialogs ("leave the page?" on reload) accepted, and ``timeout_ms`` for every wait."""
    outside = OutsideRequests()
    with playwright_api.sync_playwright() as p:
        browser = launch_chromium(p)
        context = browser.new_context(**context_options)
        if clipboard_origin:
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=clipboard_origin)
        outside.attach(context)
        page = context.new_page()
        page.set_default_timeout(timeout_ms)
        page.on("dialog", lambda d: d.accept())
        playwright_api.expect.set_options(timeout=timeout_ms)
        try:
            yield page, outside
        finally:
            context.close()
            browser.close()


class OutsideRequests:
    """Records every request the page makes to a host other than loopback, and blocks it, so a
    test both proves the participant's JupyterLab reaches nothing outside and never hangs on it."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def attach(self, context: Any) -> None:
        context.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        url = route.request.url
        host = urlsplit(url).hostname or ""
        if url.startswith(("data:", "blob:", "about:")) or host in LOOPBACK:
            route.continue_()
        else:
            self.seen.append(url)
            route.abort()


class Shots:
    """Numbered screenshots of each step, kept in ``test-artifacts/browser/``."""

    def __init__(self, folder: Path = ARTIFACTS):
        self.folder = folder
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        self.n = 0

    def __call__(self, page: Any, name: str, full_page: bool = False) -> Path:
        self.n += 1
        path = self.folder / f"{self.n:02d}-{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
        try:
            page.screenshot(path=str(path), full_page=full_page, timeout=15_000)
        except Exception as exc:  # noqa: BLE001 (a screenshot must never hide the real failure)
            path.with_suffix(".txt").write_text(f"screenshot failed: {exc}")
        return path


class Journey:
    """A browser journey's steps, with timings and a screenshot each (``<folder>/steps.txt``); a
    failing step leaves a screenshot named after it."""

    def __init__(self, page: Any, folder: Path = ARTIFACTS, full_page: bool = False):
        self.page, self.folder, self.full_page = page, folder, full_page
        self.shots = Shots(folder)
        self.log: list[str] = []
        self.t0 = time.monotonic()

    @contextlib.contextmanager
    def step(self, name: str, page: Any = None, shot: bool = True):
        start = time.monotonic()
        try:
            yield
        except BaseException:
            self.shots(page or self.page, f"GAGAL-{name}", full_page=self.full_page)
            self.log.append(f"FAILED {name} after {time.monotonic() - start:.1f} s")
            self.write_log()
            raise
        if shot:
            self.shots(page or self.page, name, full_page=self.full_page)
        self.log.append(f"{time.monotonic() - start:6.1f} s  {name}")

    def write_log(self) -> None:
        self.log.append(f"{time.monotonic() - self.t0:6.1f} s  total in the browser")
        (self.folder / "steps.txt").write_text("\n".join(self.log) + "\n", encoding="utf-8")


# ------------------------------------------------------------------------------ JupyterLab moves

def wait_lab_ready(page: Any, timeout: float = 60_000) -> None:
    """JupyterLab's shell is up (menus drawn, splash gone)."""
    page.wait_for_selector("#jp-main-dock-panel", state="visible", timeout=timeout)
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=timeout)
    page.wait_for_selector(".lm-MenuBar-item", timeout=timeout)


def open_in_lab(page: Any, server: JupyterServer, path: str) -> None:
    """Open a notebook by URL (``/lab/tree/<path>``), as a link from the trainer would."""
    page.goto(server.url(f"lab/tree/{path}"), wait_until="domcontentloaded")
    wait_lab_ready(page)
    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    notebook.locator(".jp-Cell").first.wait_for(timeout=60_000)
    wait_kernel_idle(page, server)


def wait_kernel_idle(page: Any, server: JupyterServer, timeout: float = 90, quiet: float = 0.6) -> None:
    """Every kernel is idle and no cell of the open notebook is queued or running ("[*]"),
    and it stays so for ``quiet`` seconds (widget messages come in bursts)."""
    deadline = time.monotonic() + timeout
    calm_since: float | None = None
    while time.monotonic() < deadline:
        busy_prompt = page.evaluate(
            "() => Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) "
            ".jp-InputPrompt')).some(p => p.textContent.includes('*'))")
        kernels = server.kernels()
        idle = bool(kernels) and all(k.get("execution_state") == "idle" for k in kernels)
        if idle and not busy_prompt:
            calm_since = calm_since or time.monotonic()
            if time.monotonic() - calm_since >= quiet:
                return
        else:
            calm_since = None
        time.sleep(0.2)
    raise TimeoutError(f"kernel not idle after {timeout:g} s: {server.kernels()}")


def lab_command(page: Any, *commands: str) -> None:
    """Click the main-menu item that runs one of ``commands`` (JupyterLab command ids: stable
    across languages, unlike the partly translated menu labels), looking through each menu."""
    selector = ", ".join(f'.lm-Menu-item[data-command="{c}"]' for c in commands)
    # Right after a page load a menu can open before its items are filled in (they depend on
    # the current widget, e.g. the notebook), so look through the menus a few times.
    for attempt in range(4):
        page.keyboard.press("Escape")
        for item in page.locator(".lm-MenuBar-item").all():
            item.click()
            menu = page.locator(".lm-Menu:visible")
            with contextlib.suppress(Exception):  # a menu that does not open counts as not found
                menu.first.wait_for(state="visible", timeout=2_000)
            entry = menu.locator(selector)
            if entry.count():
                entry.first.click()
                return
            page.keyboard.press("Escape")
        time.sleep(0.5 * (attempt + 1))
    raise AssertionError(f"no main-menu item runs any of {commands}")


def accept_dialog(page: Any, timeout: float = 15_000) -> None:
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=timeout)
    dialog.locator("button.jp-mod-accept").click()
    dialog.wait_for(state="detached", timeout=timeout)


def run_all_cells(page: Any, server: JupyterServer) -> None:
    lab_command(page, "runmenu:run-all", "notebook:run-all-cells")
    wait_kernel_idle(page, server)


def restart_kernel(page: Any, server: JupyterServer) -> None:
    """Kernel → Restart, confirm in the dialog, wait until the kernel is idle again."""
    lab_command(page, "kernelmenu:restart", "notebook:restart-kernel")
    accept_dialog(page)
    wait_kernel_idle(page, server)


# ------------------------------------------------------------------------------ the participant's app (Voilà)

VOILA_SETTLED_JS = """() => {
  const loading = document.getElementById('loading');
  if (loading && getComputedStyle(loading).display !== 'none') return null;  // Voilà still runs cells
  const text = document.body ? document.body.innerText : '';
  if (/Loading widget|Memuat widget/.test(text)) return null;  // a widget view not drawn yet
  return [document.scrollingElement.scrollHeight, document.querySelectorAll('.jupyter-widgets').length,
          text.length].join(' ');
}"""


def wait_voila_rendered(page: Any, timeout: float = 90, quiet: float = 1.0, selector: str | None = None) -> None:
    """A Voilà page has finished: its spinner is gone (every cell ran), no widget is still
    "Loading widget...", ``selector`` (if given) is there, and the page has not changed for
    ``quiet`` seconds (widget views arrive in bursts after the last cell)."""
    page.wait_for_function(VOILA_SETTLED_JS, timeout=timeout * 1000)
    if selector:
        page.wait_for_selector(selector, timeout=timeout * 1000)
    deadline, last, since = time.monotonic() + timeout, None, time.monotonic()
    while time.monotonic() < deadline:
        now = page.evaluate(VOILA_SETTLED_JS)
        if now != last or now is None:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.2)
    raise TimeoutError(f"the Voilà page {page.url} kept changing for {timeout:g} s")


def start_app_server(home: Path, private: Path, log_path: Path, extra_env: dict[str, str] | None = None,
                     timeout: float = 90) -> JupyterServer:
    """The participant's Jupyter server as the app runs it, ``root_dir`` = the participant's home,
    started and answering. The repository's ``jupyter-config/`` comes first on Jupyter's config
    and data paths (lablib's server extension, Voilà's settings and lablib's Voilà template), so
    the files under test are the checkout's even before ``pip install -e .`` copies them."""
    shipped = REPO / "jupyter-config"
    env = {"JUPYTER_CONFIG_PATH": str(shipped / "etc" / "jupyter"), "JUPYTER_PATH": str(shipped / "share" / "jupyter"),
           **(extra_env or {})}
    server = JupyterServer(home, private, log_path, extra_env=env)
    server.start(timeout=timeout)
    return server


# ------------------------------------------------------------------------------ colours

def contrast_ratio(fg: tuple[float, ...], bg: tuple[float, ...]) -> float:
    """WCAG 2.x contrast ratio of two sRGB colours (0–255 channels; alpha ignored).

    >>> round(contrast_ratio((0, 0, 0), (255, 255, 255)), 1)
    21.0
    """
    def lum(c: tuple[float, ...]) -> float:
        def ch(v: float) -> float:
            v /= 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        r, g, b = (ch(x) for x in c[:3])
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    a, b = sorted((lum(fg), lum(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def parse_rgb(css: str) -> tuple[float, ...]:
    """'rgb(1, 2, 3)' / 'rgba(1, 2, 3, 0.5)' → (1, 2, 3[, 0.5])."""
    nums = re.findall(r"[\d.]+", css)
    if len(nums) < 3:
        raise ValueError(f"not an rgb() colour: {css!r}")
    return tuple(float(n) for n in nums[:4])


def json_request(url: str, token: str, method: str = "GET", body: Any = None, timeout: float = 10) -> Any:
    """A Jupyter (server or hub) REST call with a token: the JSON answer, or ``None`` if empty."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        raw = resp.read()
    return json.loads(raw) if raw else None
