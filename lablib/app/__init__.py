"""The participant's app: Beranda (home) and each stage rendered by Voilà without code.

``home()`` is what ``Beranda.ipynb`` runs; ``lablib.app.exchange`` is the participant's side of
nbgrader's exchange; ``lablib.app.beranda`` writes the notebook; ``lablib.app.server`` is the
Jupyter server extension that writes it at start. Built on ``core``, ``curriculum`` and
``notebook``; imports nbgrader and ipywidgets only when called.
"""

from __future__ import annotations

from typing import Any

__all__ = ["home"]


def home(folder: Any = None) -> Any:
    """Show Beranda for the participant's folder (default: the working directory)."""
    from lablib.app.home import home as _home

    return _home(folder)
