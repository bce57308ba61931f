"""The printable page of account cards (name, OPD, login, initial password) for the trainer.

HTML from a jinja2 template with autoescaping, so a name such as ``<b>Ani</b>`` prints as
text. The page holds passwords: it is written with mode 0600 and given to the trainer's
account (root writes it during setup), never left readable by participants.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from lablib.core.files import write_text_atomic
from lablib.hub.accounts import Account
from lablib.hub.pages import render

CARDS_FILE = "kartu-akun.html"


def render_cards(course_id: str, address: str, accounts: list[Account]) -> str:
    """The cards page: trainer first, then participants in roster order."""
    ordered = sorted(accounts, key=lambda a: a.role != "fasilitator")
    return render("cards.html.j2", course_id=course_id, address=address, accounts=ordered)


def write_cards(path: Path, course_id: str, address: str, accounts: list[Account], owner: str | None = None) -> Path:
    """Write the page privately (0600), owned by ``owner`` (the trainer) when run as root."""
    write_text_atomic(path, render_cards(course_id, address, accounts), mode=0o600)
    if owner and hasattr(os, "geteuid") and os.geteuid() == 0:
        entry = pwd.getpwnam(owner)
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return path


__all__ = ["CARDS_FILE", "render_cards", "write_cards"]
