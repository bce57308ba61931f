"""How long each stage's form page is on a participant's laptop: 1366×768, at 100 % and 125 %.

A real Jupyter server over a temporary nbgrader course with every stage released and fetched,
the worked example (``lablib/curriculum/data/model-<stage>.json``) saved as the participant's
answers file beside each notebook, then Debian's Chromium (network blocked) opens each stage and
measures the page:

- ``--mode lab``: the notebook in JupyterLab, Run All Cells, the notebook panel's scrollHeight
  (JupyterLab's notebook windowing is switched off in the private user settings, so every cell is
  laid out at its real height rather than an estimate).
- ``--mode app``: the stage rendered by Voilà (``/voila/render/<path of the notebook>``), the
  forms waited for, the scrollHeight of what scrolls (Voilà scrolls an inner element): as opened
  (every exercise closed when all are complete), the tallest page with one exercise opened in turn
  (the app opens one at a time), and with every exercise forced open.

Each stage is measured at two screens: 1366×768 CSS px (100 %), and 1093×614 CSS px at device
scale 1.25 (what a 1366×768 laptop at Windows' 125 % scaling gives the browser). "Screens" is
the height divided by the viewport's CSS height.

To measure an older lablib, put its checkout first on PYTHONPATH (the course, the server and
its kernels then all use it; the table's header names the lablib the kernels import):

    git worktree add /tmp/before <commit>
    PYTHONPATH=/tmp/before .venv/bin/python benchmarks/page_height.py --mode lab
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from browser_helpers import (  # noqa: E402  (tests/ is put on the path just above)
    BIN,
    JupyterServer,
    OutsideRequests,
    launch_chromium,
    open_in_lab,
    participant_config,
    run_all_cells,
    start_app_server,
    wait_kernel_idle,
    wait_voila_rendered,
)

from lablib.core.answers import save_answers  # noqa: E402
from lablib.core.stages import STAGES  # noqa: E402
from lablib.course.course import Course  # noqa: E402
from lablib.course.folder import install_source, write_config  # noqa: E402
from lablib.curriculum.samples import model_answers  # noqa: E402

COURSE_ID = "ukur-halaman"
SCREENS = (("100%", 1366, 768, 1.0), ("125%", 1093, 614, 1.25))
ARTIFACTS = REPO / "test-artifacts" / "page-height"

# Collapsed parts forced open: ipywidgets' Accordion hides a closed section's contents with
# Lumino's lm-mod-hidden; <details> and aria-expanded toggles are covered in case the forms use them.
EXPAND_ALL_JS = """() => {
  let opened = 0;
  for (const el of document.querySelectorAll('.jupyter-widget-Collapse-contents.lm-mod-hidden')) {
    el.classList.remove('lm-mod-hidden'); opened++;
  }
  for (const el of document.querySelectorAll('details:not([open])')) { el.open = true; opened++; }
  // lablib's forms: one exercise open at a time; the body after each header is hidden inline
  for (const header of document.querySelectorAll('.lablib-form > .lablib-header')) {
    const body = header.nextElementSibling;
    if (body && body.style.display === 'none') { body.style.display = ''; opened++; }
  }
  for (const b of document.querySelectorAll('[aria-expanded="false"][aria-controls]')) {
    const target = document.getElementById(b.getAttribute('aria-controls'));
    if (target) { target.hidden = false; target.style.display = ''; target.classList.remove('lm-mod-hidden'); opened++; }
  }
  return opened;
}"""

LAB_HEIGHT_JS = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const scroller = panel.querySelector('.jp-WindowedPanel-outer') || panel.querySelector('.jp-Notebook');
  return {height: scroller.scrollHeight, visible: scroller.clientHeight};
}"""

# Voilà's page scrolls inside an element (its body is one screen high), so the height is that of
# the element that scrolls the most: the document's own scroller when nothing else does.
DOC_HEIGHT_JS = """() => {
  let best = document.scrollingElement;
  for (const e of document.querySelectorAll('*')) {
    const y = getComputedStyle(e).overflowY;
    if ((y === 'auto' || y === 'scroll') && e.scrollHeight > e.clientHeight && e.scrollHeight > best.scrollHeight) best = e;
  }
  return {height: best.scrollHeight, visible: best === document.scrollingElement ? window.innerHeight : best.clientHeight};
}"""


@dataclass(frozen=True)
class Measure:
    stage: str
    screen: str
    view_height: int  # the viewport's CSS height
    height: int  # the page's (or notebook panel's) scroll height in CSS px
    visible: int  # how much of it one screen shows (the panel's own height in Lab)
    expanded: int | None = None  # app mode: with every exercise open
    opened: int = 0  # how many collapsed parts were forced open
    one_open: int | None = None  # app mode: the tallest page with one exercise open (what the app shows)


def build_course(root: Path, stages: list[str]) -> Path:
    """A course with ``stages`` released, fetched into the participant's home, model answers saved."""
    course = root / "course"
    write_config(course, course_id=COURSE_ID)
    api = Course.open(course).api
    for stage in stages:
        install_source(course, stage)
        for step in (api.generate_assignment, api.release_assignment):
            result = step(stage)
            if not result["success"]:
                raise SystemExit(f"nbgrader {step.__name__} {stage} failed:\n{result['error']}{result['log']}")
    home = root / "peserta"
    home.mkdir()
    participant_config(home, COURSE_ID, course / "exchange")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    for stage in stages:
        subprocess.run([str(BIN / "nbgrader"), "fetch_assignment", stage], cwd=home, env=env, check=True,
                       capture_output=True)
        save_answers(home / COURSE_ID / stage, stage, model_answers(stage))
    return home


def lab_without_windowing(server: JupyterServer) -> None:
    """Every cell laid out for real: JupyterLab 4 otherwise estimates the height of cells off screen."""
    folder = server.private / "config" / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}', encoding="utf-8")


def kernel_lablib(server: JupyterServer) -> str:
    """Where the server's kernels import lablib from (same interpreter and environment as a kernel)."""
    proc = subprocess.run([sys.executable, "-c", "import lablib; print(lablib.__file__)"], env=server.env(),
                          cwd=server.home, capture_output=True, text=True, check=True)
    return proc.stdout.strip()


def settle(page, read, quiet: float = 1.0, timeout: float = 30) -> dict:
    """The measurement once it stopped changing for ``quiet`` seconds (widgets draw in bursts)."""
    last, since, deadline = None, time.monotonic(), time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = read()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return now
        time.sleep(0.2)
    return last


def measure_lab(page, server: JupyterServer, stage: str, screen: str, view_h: int) -> Measure:
    open_in_lab(page, server, f"{COURSE_ID}/{stage}/{stage}.ipynb")
    run_all_cells(page, server)
    wait_kernel_idle(page, server)
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jupyter-widgets").first.wait_for(timeout=60_000)
    size = settle(page, lambda: page.evaluate(LAB_HEIGHT_JS))
    return Measure(stage, screen, view_h, size["height"], size["visible"])


def measure_app(page, server: JupyterServer, stage: str, screen: str, view_h: int) -> Measure:
    page.goto(server.url(f"voila/render/{COURSE_ID}/{stage}/{stage}.ipynb"), wait_until="domcontentloaded")
    wait_voila_rendered(page)
    size = settle(page, lambda: page.evaluate(DOC_HEIGHT_JS))
    # The app opens one exercise at a time: open each in turn with its header button, as a
    # participant does, and keep the tallest page.
    one_open = size["height"]
    toggles = page.locator(".lablib-form > .lablib-header button")
    for i in range(toggles.count()):
        toggle = toggles.nth(i)
        if toggle.inner_text().strip().startswith("Buka"):
            toggle.click()
        one_open = max(one_open, settle(page, lambda: page.evaluate(DOC_HEIGHT_JS), quiet=0.6)["height"])
    opened = page.evaluate(EXPAND_ALL_JS)
    expanded = settle(page, lambda: page.evaluate(DOC_HEIGHT_JS))
    return Measure(stage, screen, view_h, size["height"], size["visible"], expanded["height"], opened, one_open)


def table(rows: list[Measure], mode: str) -> str:
    head = f"{'stage':<10} {'screen':<7} {'viewport':>9} {'height px':>10} {'screens':>8} {'shown px':>9} {'scrolls':>8}"
    if mode == "app":
        head += f" {'one open px':>12} {'screens':>8} {'all open px':>12} {'screens':>8}"
    lines = [head, "-" * len(head)]
    for m in rows:
        line = (f"{m.stage:<10} {m.screen:<7} {m.view_height:>9} {m.height:>10} {m.height / m.view_height:>8.1f}"
                f" {m.visible:>9} {m.height / m.visible:>8.1f}")
        if mode == "app":
            line += (f" {m.one_open:>12} {m.one_open / m.view_height:>8.1f}"
                     f" {m.expanded:>12} {m.expanded / m.view_height:>8.1f}")
        lines.append(line)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("lab", "app"), default="app")
    parser.add_argument("--stages", nargs="*", default=[s.slug for s in STAGES])
    parser.add_argument("--out", type=Path, help="also write the table (with command and date) to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary course folder")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    import lablib

    root = Path(tempfile.mkdtemp(prefix="page-height-"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    rows: list[Measure] = []
    server = None
    try:
        home = build_course(root, args.stages)
        log = ARTIFACTS / f"server-{args.mode}.log"
        if args.mode == "lab":
            server = JupyterServer(home, root / "jupyter", log)
            lab_without_windowing(server)
            server.start()
        else:  # with lablib's app extension, Voilà settings and template from the checkout
            server = start_app_server(home, root / "jupyter", log)
        in_kernel = kernel_lablib(server)
        outside = OutsideRequests()
        with sync_playwright() as p:
            browser = launch_chromium(p)
            for screen, width, height, scale in SCREENS:
                context = browser.new_context(viewport={"width": width, "height": height},
                                              device_scale_factor=scale, locale="id-ID")
                outside.attach(context)
                page = context.new_page()
                page.set_default_timeout(60_000)
                page.on("dialog", lambda d: d.accept())
                for stage in args.stages:
                    measure = measure_lab if args.mode == "lab" else measure_app
                    m = measure(page, server, stage, screen, height)
                    rows.append(m)
                    page.screenshot(path=str(ARTIFACTS / f"{args.mode}-{stage}-{screen.rstrip('%')}.png"),
                                    full_page=args.mode == "app")
                    print(f"  {stage} {screen}: {m.height} px", file=sys.stderr, flush=True)
                context.close()
            browser.close()
        if outside.seen:
            print(f"blocked requests leaving the machine: {outside.seen}", file=sys.stderr)
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"course kept in {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)

    command = " ".join(["PYTHONPATH=" + os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])
    command = f"{command} {Path(sys.executable).relative_to(REPO) if sys.executable.startswith(str(REPO)) else sys.executable}"
    command += " benchmarks/page_height.py " + " ".join(argv if argv is not None else sys.argv[1:])
    text = (f"# {command.strip()}\n# {_dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, lablib {lablib.__file__}, "
            f"kernels import {in_kernel}\n"
            f"# mode {args.mode}; model answers of every stage filled in; screens = height / viewport CSS height;\n"
            f"# shown px = the part one screen shows (Lab: the notebook panel), scrolls = height / shown px\n"
            + table(rows, args.mode) + "\n")
    print(text, end="")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
