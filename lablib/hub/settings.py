"""What a course's hub is made of: one frozen record, kept in ``<course>/hub/hub.json``.

``lablib hub setup`` writes it from the course and the command's options; ``lablib hub``,
``lablib hub add-participants`` and ``lablib hub helm-values`` read it back, so the port, the
trainer and the folders are given once. Every generated file (``jupyterhub_config.py``, the
participants' nbgrader config, the Helm values) is made from this record alone.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from lablib.core.errors import LablibError
from lablib.core.files import write_text_atomic
from lablib.course.course import Course

HUB_FOLDER = "hub"  # inside the course folder: private, like the course
SETTINGS_FILE = "hub.json"
DEFAULT_SITE_ROOT = Path("/srv/lablib")  # the participants' (readable) config lives outside the course
# The page a participant lands on after logging in: Beranda, the participant's app rendered by
# Voilà (lablib.app; the server extension writes Beranda.ipynb into the participant's folder).
# JupyterLab stays at /lab for whoever wants it; the trainer lands there.
PARTICIPANT_DEFAULT_URL = "/voila/render/Beranda.ipynb"
TRAINER_DEFAULT_URL = "/lab"


class HubError(LablibError):
    """The hub cannot be set up or run; the message says what and what to do next."""


@dataclass(frozen=True)
class HubSettings:
    course_root: Path
    course_id: str
    trainer: str  # the trainer's login: hub admin, its server opens the course folder
    exchange: Path  # nbgrader's exchange root (mode 1777), outside the private course folder
    site_root: Path  # world-readable Jupyter config: peserta/ (participants), fasilitator/ (trainer)
    ip: str = "0.0.0.0"  # where participants connect: every interface of the server
    port: int = 8000
    hub_port: int = 8081  # the hub's own API, loopback only
    proxy_api_port: int = 8001  # the proxy's REST API, loopback only
    idle_timeout: int = 3600  # seconds without activity before a server is stopped
    python: Path = Path(sys.executable)  # the environment lablib, JupyterHub and nbgrader are in

    @property
    def hub_dir(self) -> Path:
        return self.course_root / HUB_FOLDER

    @property
    def participant_config_dir(self) -> Path:
        """On participants' JUPYTER_CONFIG_PATH: nbgrader's course id and exchange."""
        return self.site_root / "peserta"

    @property
    def trainer_config_dir(self) -> Path:
        """On the trainer's JUPYTER_CONFIG_PATH: formgrader on the course's own gradebook."""
        return self.site_root / "fasilitator"

    @property
    def bind_url(self) -> str:
        return f"http://{self.ip}:{self.port}"

    @property
    def bin_dir(self) -> Path:
        return self.python.parent

    def to_json(self) -> str:
        data = {k: str(v) if isinstance(v, Path) else v for k, v in dataclasses.asdict(self).items()}
        return json.dumps(data, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, data: dict) -> HubSettings:
        paths = {f.name for f in dataclasses.fields(cls) if f.type in ("Path", Path)}
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: Path(v) if k in paths else v for k, v in data.items() if k in known})


def hub_dir(course: Course) -> Path:
    return course.root / HUB_FOLDER


def load_settings(course: Course) -> HubSettings | None:
    """The course's saved hub settings, or ``None`` before ``lablib hub setup``."""
    path = hub_dir(course) / SETTINGS_FILE
    if not path.is_file():
        return None
    try:
        return HubSettings.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:
        raise HubError(f"{path} rusak ({exc}); hapus file itu lalu jalankan 'lablib hub setup' lagi.") from None


def save_settings(settings: HubSettings) -> Path:
    settings.hub_dir.mkdir(mode=0o700, exist_ok=True)
    path = settings.hub_dir / SETTINGS_FILE
    write_text_atomic(path, settings.to_json(), mode=0o600)
    return path


def make_settings(course: Course, *, trainer: str | None = None, port: int | None = None,
                  ip: str | None = None, site_root: str | Path | None = None,
                  hub_port: int | None = None, proxy_api_port: int | None = None,
                  idle_timeout: int | None = None) -> HubSettings:
    """The saved settings with the given options on top (the first time: defaults)."""
    saved = load_settings(course)
    given = {k: v for k, v in {"trainer": trainer, "port": port, "ip": ip, "hub_port": hub_port,
                               "proxy_api_port": proxy_api_port, "idle_timeout": idle_timeout,
                               "site_root": Path(site_root).resolve() if site_root else None}.items()
             if v is not None}
    for name in ("port", "hub_port", "proxy_api_port"):
        if name in given and not 0 < given[name] < 65536:
            raise HubError(f"port {given[name]} tidak sah (harus 1–65535).")
    if saved is not None:
        return dataclasses.replace(saved, course_root=course.root, course_id=course.course_id,
                                   exchange=course.exchange, python=Path(sys.executable), **given)
    if "trainer" not in given:
        raise HubError("nama login fasilitator belum diberikan: jalankan 'lablib hub setup --trainer LOGIN' "
                       "(akun fasilitator adalah admin hub dan membuka folder kursus).")
    given.setdefault("site_root", DEFAULT_SITE_ROOT / course.course_id)
    return HubSettings(course_root=course.root, course_id=course.course_id, exchange=course.exchange, **given)


__all__ = ["DEFAULT_SITE_ROOT", "HUB_FOLDER", "PARTICIPANT_DEFAULT_URL", "TRAINER_DEFAULT_URL", "HubError",
           "HubSettings", "hub_dir", "load_settings", "make_settings", "save_settings"]
