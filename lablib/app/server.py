"""The Jupyter server extension that puts ``Beranda.ipynb`` in the participant's folder.

Enabled for every server of the environment by
``etc/jupyter/jupyter_server_config.d/lablib_app.json`` (shipped from ``jupyter-config/``),
which also configures Voilà for participants (lablib's template, no code, no tracebacks).
Beranda is written only where a participant works: a folder for which nbgrader knows a course
(the hub's participant config, or an ``nbgrader_config.py`` there) and that is not a course
folder itself (the trainer's server). Anything that goes wrong is logged; the server starts.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["_jupyter_server_extension_points", "_load_jupyter_server_extension", "is_participant_folder"]

COURSE_MARKER = "lablib-course.json"  # lablib.course's record in a course folder


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "lablib.app.server"}]


def is_participant_folder(folder: str | Path) -> bool:
    """Whether ``folder`` is a participant's Jupyter root: a course is configured, and it is no course."""
    from lablib.app.exchange import ExchangeProblem, participant

    folder = Path(folder)
    if (folder / COURSE_MARKER).exists():
        return False
    try:
        participant(folder)
    except ExchangeProblem:
        return False
    return True


def _load_jupyter_server_extension(server_app) -> None:
    from lablib.app.beranda import write_beranda

    root = Path(server_app.root_dir).expanduser()
    try:
        if not is_participant_folder(root):
            server_app.log.info("lablib: %s is no participant's folder; Beranda not written", root)
            return
        written = write_beranda(root)
    except OSError as exc:  # a read-only home: JupyterLab still works, Beranda is missing
        server_app.log.warning("lablib: Beranda not written in %s: %s", root, exc)
        return
    server_app.log.info("lablib: %s", written.describe())
