"""Setting a course's hub up, and adding late arrivals to it: accounts, cards and config together.

``setup_hub`` checks every roster id as a login name first (nothing is created when one is
bad), creates the accounts (root), writes the hub's files and the cards page, and saves the
settings. ``add_hub_participants`` enrols a late-arrivals roster in the course
(``lablib.course.enrol``), gives the newcomers accounts and cards the same way, rewrites the
config and, when the hub is running, registers them through its API so they can log in at once.
"""

from __future__ import annotations

import json
import os
import pwd
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from lablib.course.course import Course
from lablib.course.enrol import add_participants
from lablib.course.roster import read_roster
from lablib.hub.accounts import (
    Account,
    check_logins,
    ensure_accounts,
    is_root,
    load_accounts,
    participant_accounts,
    trainer_account,
)
from lablib.hub.cards import CARDS_FILE, write_cards
from lablib.hub.config import api_token, check_environment_readable, write_hub_files
from lablib.hub.network import participant_address
from lablib.hub.settings import HubError, HubSettings, save_settings

NEW_CARDS_FILE = "kartu-akun-baru.html"


@dataclass(frozen=True)
class SetupResult:
    settings: HubSettings
    files: tuple[Path, ...]
    created: tuple[Account, ...] = ()
    present: tuple[Account, ...] = ()
    cards: Path | None = None
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        lines = [f"Hub kursus '{self.settings.course_id}' disiapkan di {self.settings.hub_dir}:"]
        lines += [f"  {p}" for p in self.files]
        if self.created or self.present:
            lines.append(f"Akun: {len(self.created)} dibuat, {len(self.present)} sudah ada (sandi tidak diubah).")
        if self.cards:
            lines.append(f"Kartu akun (rahasia, hanya untuk fasilitator): {self.cards}")
        lines += list(self.notes)
        return "\n".join(lines)


def _check_trainer_owns_course(settings: HubSettings) -> None:
    """The trainer's server runs as the trainer and opens the (private) course folder."""
    owner = os.stat(settings.course_root).st_uid
    uid = pwd.getpwnam(settings.trainer).pw_uid
    if owner != uid:
        name = pwd.getpwuid(owner).pw_name if owner in {e.pw_uid for e in pwd.getpwall()} else str(owner)
        raise HubError(f"folder kursus {settings.course_root} milik '{name}', bukan fasilitator '{settings.trainer}': "
                       f"server fasilitator tidak dapat membukanya. Jalankan: chown -R {settings.trainer}: "
                       f"{settings.course_root} (lalu ulangi).")


def setup_hub(course: Course, settings: HubSettings, *, accounts: bool = True) -> SetupResult:
    """Accounts (when ``accounts`` and root), cards, config and settings for ``course``'s hub."""
    people = course.participants
    check_logins(people, settings.trainer)
    created: list[Account] = []
    present: list[Account] = []
    notes: list[str] = []
    cards = None
    if accounts and is_root():
        check_environment_readable(settings)
        wanted = [trainer_account(settings.trainer), *participant_accounts(people, course.info.homes)]
        created, present = ensure_accounts(settings.hub_dir, wanted)
        _check_trainer_owns_course(settings)
    elif accounts:
        notes.append("Bukan root: akun OS tidak dibuat. Jalankan 'sudo lablib hub setup' di server, atau minta "
                     "admin membuat akun dengan id peserta sebagai nama login.")
    files = write_hub_files(settings, [p.id for p in people])
    save_settings(settings)
    if accounts and is_root():
        cards = write_cards(course.root / CARDS_FILE, settings.course_id, participant_address(settings),
                            list(load_accounts(settings.hub_dir).values()), owner=settings.trainer)
    return SetupResult(settings, tuple(files.values()), tuple(created), tuple(present), cards, tuple(notes))


def register_with_hub(settings: HubSettings, logins: list[str]) -> str:
    """Tell a running hub about new users (so they may log in now); a note for the trainer."""
    body = json.dumps({"usernames": logins}).encode()
    url = f"http://127.0.0.1:{settings.hub_port}/hub/api/users"
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Authorization": f"token {api_token(settings)}",
                                              "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=15):
            pass
    except urllib.error.HTTPError as exc:
        if exc.code == 409:  # all of them were already known to the hub
            return "Hub yang berjalan sudah mengenal akun-akun ini."
        raise HubError(f"hub yang berjalan menolak akun baru (HTTP {exc.code}); jalankan ulang 'lablib hub'.") from None
    except OSError:
        return "Hub belum berjalan: akun baru dapat masuk setelah 'lablib hub' dijalankan."
    return f"Hub yang berjalan sudah menerima {len(logins)} akun baru: mereka dapat masuk sekarang."


def add_hub_participants(course: Course, settings: HubSettings, roster: str | os.PathLike, *,
                         update: bool = False) -> tuple[str, SetupResult]:
    """Enrol a late-arrivals roster and give the newcomers hub accounts and cards.

    Returns the enrolment summary and the hub's result (its ``cards`` is the page with the
    newcomers only; the full page is rewritten beside it).
    """
    check_logins(read_roster(roster), settings.trainer)  # refuse before anything is enrolled
    enrolled = add_participants(course, roster, update=update)
    course = Course.open(course.root)  # the record now holds the newcomers
    result = setup_hub(course, settings)
    notes = list(result.notes)
    new_cards = None
    if result.created:
        new_cards = write_cards(course.root / NEW_CARDS_FILE, settings.course_id, participant_address(settings),
                                list(result.created), owner=settings.trainer)
        notes.append(f"Kartu akun peserta baru saja: {new_cards}")
        notes.append(register_with_hub(settings, [a.login for a in result.created]))
    return enrolled.summary(), SetupResult(settings, result.files, result.created, result.present,
                                           result.cards, tuple(notes))


__all__ = ["NEW_CARDS_FILE", "SetupResult", "add_hub_participants", "register_with_hub", "setup_hub"]
