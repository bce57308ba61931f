"""Write share/jupyter/lab/settings/overrides.d/lablib.json: lablib's JupyterLab defaults.

Run it with the environment's Python after upgrading JupyterLab (tests/test_browser.py fails
when the file no longer matches the installed JupyterLab):

    .venv/bin/python jupyter-config/make_overrides.py

Besides the language and the offline settings, the file makes JupyterLab leave keys alone while
a form control in a notebook output has the focus. JupyterLab treats a focused <select>,
checkbox or button in an output as "command mode": ArrowDown moves to the next cell instead of
changing the dropdown, "A" inserts a cell, "X" cuts one, "0 0" restarts the kernel
(jupyter-widgets/ipywidgets#3912). Each such default shortcut is disabled and added again with
a selector that skips focused elements inside an output area.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = HERE / "share/jupyter/lab/settings/overrides.d/lablib.json"

SETTINGS = {
    "@jupyterlab/translation-extension:plugin": {"locale": "id_ID"},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/extensionmanager-extension:plugin": {"enabled": False},
}
# Default selectors that match a focused control inside a cell's output.
GREEDY_SELECTORS = (
    ".jp-Notebook.jp-mod-commandMode:not(.jp-mod-readWrite) :focus",
    "[data-jp-kernel-user]:not(.jp-mod-readWrite) :focus:not(:read-write)",
)
OUTSIDE_OUTPUTS = ":not(.jp-OutputArea-output *)"
KEY_FIELDS = ("command", "keys", "macKeys", "winKeys", "linuxKeys", "args")


def lab_schema_files(prefix: Path = Path(sys.prefix)) -> list[Path]:
    """Settings schemas of the plugins JupyterLab loads (core and prebuilt extensions)."""
    share = prefix / "share/jupyter"
    core = sorted((share / "lab/schemas/@jupyterlab").rglob("*.json"))
    extensions = sorted((share / "labextensions").glob("**/schemas/**/*.json"))
    return core + [p for p in extensions if p.name != "package.json.orig"]


def _actionable(shortcut: dict) -> bool:
    return any("".join(shortcut.get(k) or []) for k in ("keys", "macKeys", "winKeys", "linuxKeys"))


def output_safe_shortcuts(schema_files: list[Path]) -> list[dict]:
    out = []
    for path in schema_files:
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for shortcut in schema.get("jupyter.lab.shortcuts", []):
            selector = shortcut.get("selector")
            if selector not in GREEDY_SELECTORS or not _actionable(shortcut):
                continue
            base = {k: shortcut[k] for k in KEY_FIELDS if k in shortcut}
            out.append({**base, "selector": selector, "disabled": True})
            out.append({**base, "selector": selector + OUTSIDE_OUTPUTS})
    return out


def build(prefix: Path = Path(sys.prefix)) -> dict:
    shortcuts = output_safe_shortcuts(lab_schema_files(prefix))
    return {**SETTINGS, "@jupyterlab/shortcuts-extension:shortcuts": {"shortcuts": shortcuts}}


def render(prefix: Path = Path(sys.prefix)) -> str:
    """The file's text: settings indented as usual, one shortcut a line (readable diffs)."""
    doc = build(prefix)
    shortcuts = doc.pop("@jupyterlab/shortcuts-extension:shortcuts")["shortcuts"]
    head = json.dumps(doc, indent=2, ensure_ascii=False)[:-2]  # drop the closing "\n}"
    lines = ",\n".join("      " + json.dumps(s, ensure_ascii=False) for s in shortcuts)
    return (f'{head},\n  "@jupyterlab/shortcuts-extension:shortcuts": {{\n    "shortcuts": [\n'
            f"{lines}\n    ]\n  }}\n}}\n")


if __name__ == "__main__":
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET} ({len(build()['@jupyterlab/shortcuts-extension:shortcuts']['shortcuts'])} shortcut entries)")
