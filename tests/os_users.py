"""Whether tests that run code as other OS users (participants, the trainer) can run here.

They need this project's code and this venv's packages readable by other accounts: a clone
made inside a private folder (``mktemp -d`` is 0700) is out of their reach, as it would be on a
real server (install into ``/opt`` or ``/srv`` there). Such tests skip with this reason rather
than fail for a reason that is not theirs.
"""
from __future__ import annotations

import stat
import sys
from pathlib import Path

import lablib


def _site_packages() -> Path:
    return next(Path(p) for p in sys.path if p.endswith("site-packages") and p.startswith(sys.prefix))


def closed_to_other_users() -> str | None:
    """The first folder or file other accounts cannot reach, as a skip reason; ``None`` if all can."""
    package = Path(lablib.__file__).resolve().parent
    for target in (_site_packages().resolve(), package):
        if not target.stat().st_mode & stat.S_IROTH:
            return f"{target} is not readable by other accounts: install where they can (e.g. /opt)"
        for folder in (target, *target.parents):
            if not folder.stat().st_mode & stat.S_IXOTH:
                return (f"{folder} is closed to other accounts (mode {stat.S_IMODE(folder.stat().st_mode):o}), "
                        f"so they cannot run {target}: clone and install where they can (e.g. /opt)")
    return None
