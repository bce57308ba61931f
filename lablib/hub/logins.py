"""Which roster ids can be login names on this server (roster id = login, for PAM and the hub).

A roster id is already a safe folder name (``lablib.core.names``); a login name is narrower.
Debian's ``useradd`` and most tools accept ``[a-z_][a-z0-9_-]*`` up to 32 characters (the
length ``utmp`` keeps): no dot, no leading digit. A system account (uid below 1000, e.g.
``root`` or ``www-data``) is never given to a participant.
"""

from __future__ import annotations

import pwd
import re

from lablib.core.names import shown

LOGIN_PATTERN = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
FIRST_REGULAR_UID = 1000


def login_problem(login: str) -> str | None:
    """Why ``login`` cannot be a participant's login name on this server, or ``None``.

    >>> login_problem("budi_santoso") is None
    True
    >>> login_problem("budi.santoso")
    "id 'budi.santoso' tidak dapat menjadi nama login: hanya huruf kecil, angka, '_' dan '-' (tanpa titik)"
    >>> login_problem("1971")
    "id '1971' tidak dapat menjadi nama login: harus diawali huruf kecil atau '_'"
    """
    if not login or not (login[0].islower() and login[0].isascii() or login[0] == "_"):
        return f"id '{shown(login)}' tidak dapat menjadi nama login: harus diawali huruf kecil atau '_'"
    if len(login) > 32:
        return f"id '{shown(login)}' tidak dapat menjadi nama login: lebih dari 32 karakter"
    if not LOGIN_PATTERN.fullmatch(login):
        return (f"id '{shown(login)}' tidak dapat menjadi nama login: hanya huruf kecil, angka, '_' dan '-' "
                "(tanpa titik)")
    try:
        entry = pwd.getpwnam(login)
    except KeyError:
        return None
    if entry.pw_uid < FIRST_REGULAR_UID:
        return f"id '{login}' adalah akun sistem server ini (uid {entry.pw_uid}); pakai id lain"
    return None


__all__ = ["LOGIN_PATTERN", "login_problem"]
