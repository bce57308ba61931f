"""A throwaway PostgreSQL server on loopback for the gradebook tests.

Uses Debian's server binaries (``/usr/lib/postgresql/<version>/bin/initdb`` and ``pg_ctl``,
installed by ``tests/setup-services.sh``). PostgreSQL refuses to run as root, so when the
tests run as root the cluster belongs to the ``postgres`` system user (created by the Debian
package) and the commands run through ``runuser``. The cluster lives in a fresh folder under
the system temp folder, listens on 127.0.0.1 on a free port with ``trust`` authentication,
and is removed when stopped. ``unavailable()`` says why a server cannot be started here, so
tests skip with that message.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

SERVICE_USER = "postgres"


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    return Path(found[-1]).parent if found else None


def unavailable() -> str | None:
    """Why no server can be started here, or ``None`` when one can."""
    bindir = _bindir()
    if bindir is None or not (bindir / "initdb").exists():
        return ("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb); "
                "run 'bash tests/setup-services.sh' as root to install Debian's postgresql")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVICE_USER)
        except KeyError:
            return f"running as root and there is no '{SERVICE_USER}' user to run PostgreSQL as"
        if shutil.which("runuser") is None:
            return "running as root and 'runuser' is missing"
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        return "psycopg2 is not installed (pip install 'lablib[postgres]')"
    return None


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """``start()``, then ``create_database()`` for a URL per course, then ``stop()``."""

    def __init__(self) -> None:
        reason = unavailable()
        if reason:
            raise RuntimeError(reason)
        self.bindir = _bindir()
        self.base = Path(tempfile.mkdtemp(prefix="lablib-pg-"))
        self.data = self.base / "data"
        self.sockets = self.base / "run"
        self.log = self.base / "server.log"
        self.port = _free_port()
        self.user = SERVICE_USER if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        self.running = False

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        cmd = [str(a) for a in args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", SERVICE_USER, "--", *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=self.base, check=False)
        if proc.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}\n{log}")
        return proc

    def start(self) -> PostgresServer:
        self.sockets.mkdir()
        if os.geteuid() == 0:
            entry = pwd.getpwnam(SERVICE_USER)
            for path in (self.base, self.sockets):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self.base.chmod(0o755)
        self._run(self.bindir / "initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--no-sync", "--locale=C")
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.sockets} "
                   f"-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
        self._run(self.bindir / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "-t", "60", "start")
        self.running = True
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        import psycopg2

        name = name or f"uji_{uuid.uuid4().hex[:10]}"
        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{name}"')
        finally:
            conn.close()
        return self.url(name)

    def stop(self) -> None:
        if self.running:
            try:
                self._run(self.bindir / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
            finally:
                self.running = False
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> PostgresServer:  # noqa: PYI034 - the class is not meant to be subclassed
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
