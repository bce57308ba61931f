"""OS accounts for the hub: one per participant (roster id = login name) and one for the trainer.

JupyterHub's standard ``PAMAuthenticator`` checks a login against these accounts, and each
participant's server runs as that account, so the operating system keeps participants apart.

- Created with ``useradd`` (root only), home from the course's ``homes`` pattern
  (``/home/{id}`` by default), mode 0700: no participant can read another's answers. lablib's
  trainer views read homes as far as they can and say "tidak terbaca" for the rest.
- An initial password from ``secrets`` (12 characters without look-alikes such as 0/O and
  1/l, in groups of four to read off a card), set with ``chpasswd`` on its standard input
  (never on a command line, where ``ps`` would show it).
- An account that already exists is used as it is, its password unchanged (a trainer who
  re-runs setup must not lock out people already working); its card says so.
- Every account lablib made is kept in ``hub/akun.json`` (mode 0600, in the root-only hub
  folder), so the cards page can always be printed again, late arrivals included.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import os
import pwd
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

from lablib.core.files import write_text_atomic
from lablib.course.roster import Participant
from lablib.hub.logins import login_problem
from lablib.hub.settings import HubError

ACCOUNTS_FILE = "akun.json"
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off a printed card
HOME_MODE = 0o700
ROLE_PARTICIPANT, ROLE_TRAINER = "peserta", "fasilitator"


@dataclass(frozen=True)
class Account:
    login: str
    nama: str
    opd: str
    role: str = ROLE_PARTICIPANT
    password: str = ""  # the initial password lablib set; "" for an account that already existed
    home: str = ""
    created_at: str = ""


def new_password(groups: int = 3, size: int = 4) -> str:
    """A random initial password such as ``k7mq-x3tp-9hwa`` (about 59 bits).

    >>> import re; bool(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", new_password()))
    True
    """
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(size)) for _ in range(groups))


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def load_accounts(hub_dir: Path) -> dict[str, Account]:
    path = hub_dir / ACCOUNTS_FILE
    if not path.is_file():
        return {}
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return {r["login"]: Account(**r) for r in rows}
    except (ValueError, TypeError, KeyError) as exc:
        raise HubError(f"{path} rusak ({exc}); pulihkan dari cadangan, sandi awal tercatat di sana.") from None


def save_accounts(hub_dir: Path, accounts: dict[str, Account]) -> Path:
    hub_dir.mkdir(mode=0o700, exist_ok=True)
    rows = [dataclasses.asdict(a) for a in accounts.values()]
    return write_text_atomic(hub_dir / ACCOUNTS_FILE, json.dumps(rows, indent=2, ensure_ascii=False) + "\n",
                             mode=0o600, durable=True)


def check_logins(people: list[Participant] | tuple, trainer: str) -> None:
    """Refuse, naming every one, roster ids that cannot be login names (nothing is created)."""
    problems = [p for p in (login_problem(x.id) for x in people) if p]
    problem = login_problem(trainer)
    if problem:
        problems.append(problem.replace("id ", "login fasilitator ", 1))
    if trainer in {p.id for p in people}:
        problems.append(f"login fasilitator '{trainer}' juga ada di daftar peserta; pakai login lain")
    if problems:
        raise HubError("akun hub tidak dapat dibuat (id peserta = nama login):\n"
                       + "\n".join(f"  - {p}" for p in problems)
                       + "\nUbah id di daftar peserta (mis. 'budi_santoso' untuk 'budi.santoso'), lalu ulangi.")


def _gecos(text: str) -> str:
    """The account's full-name field: ``:``, ``,`` and control characters would break passwd."""
    return "".join(" " if (c in ":,=" or not c.isprintable()) else c for c in text)[:100].strip()


def _run(cmd: list[str], stdin: str | None = None) -> None:
    result = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if result.returncode != 0:
        reason = (result.stderr or result.stdout).strip().splitlines()
        raise HubError(f"'{cmd[0]}' gagal untuk {cmd[-1]}: {reason[-1] if reason else result.returncode}")


def _create_os_user(login: str, nama: str, home: Path) -> None:
    home.parent.mkdir(parents=True, exist_ok=True)
    _run(["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash",
          "--comment", _gecos(nama) or login, "--user-group", login])
    home.chmod(HOME_MODE)


def ensure_accounts(hub_dir: Path, wanted: list[Account]) -> tuple[list[Account], list[Account]]:
    """Make sure every ``wanted`` account exists; returns ``(created, already there)``.

    ``wanted`` carries login, name, OPD, role and home; passwords are made here. Root only.
    """
    if not is_root():
        raise HubError("membuat akun peserta butuh hak root: jalankan perintah ini dengan sudo "
                       "(atau minta admin server membuat akun dengan id peserta sebagai nama login).")
    known = load_accounts(hub_dir)
    created, present = [], []
    for account in wanted:
        if account.login in known:
            present.append(known[account.login])
            continue
        try:
            entry = pwd.getpwnam(account.login)
        except KeyError:
            entry = None
        if entry is not None:  # made by hand or by an earlier server: keep its password
            kept = dataclasses.replace(account, password="", home=entry.pw_dir)
            known[account.login] = kept
            present.append(kept)
            continue
        password = new_password()
        _create_os_user(account.login, account.nama, Path(account.home))
        _run(["chpasswd"], stdin=f"{account.login}:{password}\n")
        made = dataclasses.replace(account, password=password,
                                   created_at=_dt.datetime.now().astimezone().isoformat(timespec="seconds"))
        known[account.login] = made
        created.append(made)
        save_accounts(hub_dir, known)  # after each one: an interrupted run loses no password
    save_accounts(hub_dir, known)
    return created, present


def participant_accounts(people, homes: str) -> list[Account]:
    return [Account(login=p.id, nama=p.nama, opd=p.opd, home=homes.format(id=p.id)) for p in people]


def trainer_account(login: str) -> Account:
    return Account(login=login, nama="Fasilitator", opd="", role=ROLE_TRAINER, home=f"/home/{login}")


__all__ = ["ACCOUNTS_FILE", "HOME_MODE", "Account", "check_logins", "ensure_accounts", "is_root",
           "load_accounts", "new_password", "participant_accounts", "save_accounts", "trainer_account"]
