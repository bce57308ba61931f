"""The files JupyterHub and nbgrader read, generated from the hub settings.

- ``<course>/hub/jupyterhub_config.py``: readable and commented (template
  ``templates/jupyterhub_config.py.j2``); the folder is root's alone (mode 0700), since it
  also holds the hub's database, cookie secret and lablib's API token.
- ``<site>/peserta/nbgrader_config.py``: on every participant's ``JUPYTER_CONFIG_PATH``:
  the course id and the exchange, so the assignment list shows the course. World-readable,
  it holds only those two names.
- ``<site>/fasilitator/``: on the trainer's path, after lablib's ``trainer-config`` (which
  switches formgrader on). Its ``nbgrader_config.py`` loads the course's own config with
  ``load_subconfig``, so formgrader opens the course's gradebook (without it, formgrader
  quietly creates an empty one); its ``jupyter_server_config.py`` lets the hub's pages frame
  the trainer's server (``frame-ancestors 'self'``: formgrader's panel is an iframe, blank
  under JupyterHub's default policy).
- The exchange root at mode 1777 (sticky: everyone may submit, nobody may rename or remove
  another's entries).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from lablib.core.files import write_text_atomic
from lablib.course.folder import CONFIG_FILENAME, is_within
from lablib.hub.pages import render
from lablib.hub.settings import PARTICIPANT_DEFAULT_URL, TRAINER_DEFAULT_URL, HubError, HubSettings

HUB_CONFIG = "jupyterhub_config.py"
TOKEN_FILE = "lablib-api-token"
EXCHANGE_MODE = 0o1777
PACKAGE = Path(__file__).resolve().parent.parent  # lablib itself, which participants' kernels import
# lablib's trainer settings (formgrader, course list, Create Assignment on), shipped in the package
TRAINER_CONFIG = PACKAGE / "trainer-config"
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def hub_config_text(settings: HubSettings, participants: list[str] | tuple) -> str:
    """``jupyterhub_config.py`` for these settings; ``participants`` are the roster's logins."""
    return render(
        "jupyterhub_config.py.j2",
        course_id=settings.course_id,
        config_path=str(settings.hub_dir / HUB_CONFIG),
        bind_url=settings.bind_url,
        hub_bind_url=f"http://127.0.0.1:{settings.hub_port}",
        proxy_api_url=f"http://127.0.0.1:{settings.proxy_api_port}",
        trainer=settings.trainer,
        allowed=[settings.trainer, *participants],
        singleuser=str(settings.bin_dir / "jupyterhub-singleuser"),
        participant_url=PARTICIPANT_DEFAULT_URL,
        trainer_url=TRAINER_DEFAULT_URL,
        participant_config=str(settings.participant_config_dir),
        trainer_config_path=os.pathsep.join([str(TRAINER_CONFIG), str(settings.trainer_config_dir)]),
        path=f"{settings.bin_dir}{os.pathsep}{SYSTEM_PATH}",
        course_root=str(settings.course_root),
        python=str(settings.python),
        idle_timeout=settings.idle_timeout,
    )


def participant_nbgrader_config(settings: HubSettings) -> str:
    return ("# nbgrader settings for participants of the bimtek course, written by `lablib hub setup`.\n"
            "# The assignment list shows this course; fetch and submit go through this exchange.\n"
            "c = get_config()  # noqa: F821\n"
            f"c.CourseDirectory.course_id = {settings.course_id!r}\n"
            f"c.Exchange.root = {str(settings.exchange)!r}\n"
            "c.Exchange.path_includes_course = True\n")


def trainer_nbgrader_config(settings: HubSettings) -> str:
    course_config = settings.course_root / CONFIG_FILENAME
    return ("# nbgrader settings for the trainer's server under the hub, written by `lablib hub setup`.\n"
            "# The course's own config (gradebook, exchange, grading protections): formgrader must open\n"
            "# the course's gradebook, never create an empty one of its own.\n"
            "c = get_config()  # noqa: F821\n"
            f"load_subconfig({str(course_config)!r})  # noqa: F821\n")


TRAINER_SERVER_CONFIG = (
    "# The trainer's Jupyter server under the hub, written by `lablib hub setup`.\n"
    "# formgrader draws its panel in an iframe of the server's own pages; JupyterHub's default\n"
    "# Content-Security-Policy forbids that, and the panel stays blank.\n"
    "c = get_config()  # noqa: F821\n"
    "c.ServerApp.tornado_settings = {\"headers\": {\"Content-Security-Policy\": \"frame-ancestors 'self'\"}}\n")


def check_exchange(settings: HubSettings) -> None:
    """Participants cannot reach an exchange inside the private course folder."""
    if is_within(settings.exchange, settings.course_root):
        raise HubError(
            f"exchange nbgrader ({settings.exchange}) ada di dalam folder kursus, yang tertutup bagi peserta. "
            f"Pindahkan dulu: lablib relocate --course {settings.course_root} --exchange /srv/nbgrader/exchange")


def closed_folder(path: Path) -> Path | None:
    """The first folder on the way to ``path`` that other accounts cannot enter, or ``None``."""
    path = Path(os.path.realpath(path))
    for folder in reversed([path, *path.parents] if path.is_dir() else list(path.parents)):
        if not folder.stat().st_mode & 0o001:
            return folder
    return None


def check_environment_readable(settings: HubSettings) -> None:
    """Every participant's server runs this environment's Python as the participant: refuse an
    environment installed where other accounts cannot reach it (e.g. under /root, mode 0700)."""
    for path in (settings.python, PACKAGE, settings.bin_dir / "jupyterhub-singleuser"):
        closed = closed_folder(path)
        if closed is not None:
            raise HubError(
                f"{path} tidak dapat dijalankan akun peserta: folder {closed} tertutup bagi akun lain. Pasang "
                "lablib di lingkungan yang dapat dibaca semua akun, mis.: python3 -m venv /opt/lablib && "
                "/opt/lablib/bin/pip install 'lablib[hub]', lalu jalankan /opt/lablib/bin/lablib hub.")


def _public_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o755)


def write_hub_files(settings: HubSettings, participants: list[str] | tuple) -> dict[str, Path]:
    """Write every file the hub reads; returns them by name (for the trainer's summary)."""
    check_exchange(settings)
    hub = settings.hub_dir
    hub.mkdir(mode=0o700, exist_ok=True)
    hub.chmod(0o700)
    token = hub / TOKEN_FILE
    if not token.is_file():
        write_text_atomic(token, secrets.token_hex(32) + "\n", mode=0o600)
    written = {"hub": write_text_atomic(hub / HUB_CONFIG, hub_config_text(settings, participants), mode=0o600)}
    for folder in (settings.participant_config_dir, settings.trainer_config_dir):
        _public_dir(folder)
    written["peserta"] = write_text_atomic(settings.participant_config_dir / CONFIG_FILENAME,
                                           participant_nbgrader_config(settings), mode=0o644)
    written["fasilitator"] = write_text_atomic(settings.trainer_config_dir / CONFIG_FILENAME,
                                               trainer_nbgrader_config(settings), mode=0o644)
    write_text_atomic(settings.trainer_config_dir / "jupyter_server_config.py", TRAINER_SERVER_CONFIG, mode=0o644)
    settings.exchange.mkdir(parents=True, exist_ok=True)
    settings.exchange.chmod(EXCHANGE_MODE)
    written["exchange"] = settings.exchange
    return written


def api_token(settings: HubSettings) -> str:
    """lablib's token for the hub's API (the ``lablib`` service)."""
    try:
        return (settings.hub_dir / TOKEN_FILE).read_text().strip()
    except OSError as exc:
        raise HubError(f"token API hub tidak terbaca ({exc.strerror}): jalankan 'lablib hub setup' sebagai root.") from None


__all__ = ["EXCHANGE_MODE", "HUB_CONFIG", "TOKEN_FILE", "TRAINER_CONFIG", "api_token", "check_environment_readable",
           "check_exchange", "closed_folder",
           "hub_config_text", "write_hub_files"]
