"""The same hub on Kubernetes: Zero to JupyterHub (Z2JH) Helm values from the hub settings.

For a national programme (many regions, one cluster) the room maps onto Z2JH as follows:

- accounts: no OS users in a cluster; the roster id stays the login name, checked by an
  authenticator JupyterHub already has (NativeAuthenticator here: the trainer's roster is the
  allowed list; an organisation's single sign-on via OAuthenticator works the same way);
- each participant's server is a pod from an image with lablib installed (the participants'
  JupyterLab settings come with it), its home a persistent volume;
- the gradebook is a shared PostgreSQL database (``lablib init --db-url postgresql://…``), so
  the trainer's and the narasumber's servers and ``lablib grade`` all see one gradebook;
- the exchange is on shared storage (a ReadWriteMany volume, e.g. NFS) mounted at the same path
  in every pod; in a cluster every pod runs as the same uid, so the exchange cannot tell
  participants apart by owner: an exchange service (ngshare, nbexchange) is the safer choice;
- the trainer's pod also mounts the course volume and gets the formgrader settings (the same
  three as on one server), through ``hub.extraConfig``;
- idle servers are culled by the chart's own culler (``cull``), with the same timeout.
"""

from __future__ import annotations

import os
from pathlib import Path

from lablib.core.files import write_text_atomic
from lablib.course.course import Course
from lablib.course.folder import hide_password
from lablib.hub.config import TRAINER_CONFIG as TRAINER_TOOLS
from lablib.hub.settings import PARTICIPANT_DEFAULT_URL, TRAINER_DEFAULT_URL, HubSettings

EXCHANGE_MOUNT = "/srv/nbgrader/exchange"
COURSE_MOUNT = "/srv/kursus"
PARTICIPANT_CONFIG = "/etc/lablib/peserta"
TRAINER_CONFIG = "/etc/lablib/fasilitator"
MEMORY = ("256M", "512M")  # guarantee, limit: a participant's server + kernel measured ~215 MB (bench_room)

HEADER = """\
# Zero to JupyterHub values for the bimtek course {course_id}, written by `lablib hub helm-values`
# from the same settings as `lablib hub` on one server (see lablib/hub/helm.py for the mapping).
# Install: helm upgrade --install bimtek jupyterhub/jupyterhub --values values.yaml
# Before installing, replace what is marked GANTI (the image with lablib installed) and the
# gradebook's PostgreSQL password shown as *** (keep it in a Kubernetes secret, not here), and
# create the ReadWriteMany volume claims of the exchange (nbgrader-exchange) and the course
# (bimtek-kursus).
"""


def _trainer_hook(settings: HubSettings) -> str:
    return f"""\
# The trainer's pod: the course folder, formgrader on and on the course's gradebook.
TRAINER = {settings.trainer!r}

def lablib_trainer(spawner):
    if spawner.user.name != TRAINER:
        return
    spawner.volumes = spawner.volumes + [
        {{"name": "kursus", "persistentVolumeClaim": {{"claimName": "bimtek-kursus"}}}}]
    spawner.volume_mounts = spawner.volume_mounts + [{{"name": "kursus", "mountPath": {COURSE_MOUNT!r}}}]
    spawner.notebook_dir = {COURSE_MOUNT!r}
    spawner.default_url = {TRAINER_DEFAULT_URL!r}
    spawner.environment = dict(spawner.environment, JUPYTER_CONFIG_PATH={TRAINER_CONFIG!r})

c.KubeSpawner.pre_spawn_hook = lablib_trainer
"""


def _trainer_tool_files() -> dict:
    """lablib's trainer-config (formgrader, course list, Create Assignment on), as extra files."""
    found = {}
    for path in sorted(TRAINER_TOOLS.rglob("*.json")):
        rel = path.relative_to(TRAINER_TOOLS).as_posix()
        found["lablib-fasilitator-" + rel.replace("/", "-").replace(".", "-").replace("_", "-")] = {
            "mountPath": f"{TRAINER_CONFIG}/{rel}", "stringData": path.read_text(encoding="utf-8")}
    return found


def helm_values(settings: HubSettings, participants: list[str] | tuple, db_url: str) -> dict:
    """The values as data (``write_helm_values`` adds the header comment)."""
    if db_url.startswith("sqlite"):
        db_url = "postgresql://lablib:GANTI@postgres:5432/bimtek"
    db_url = hide_password(db_url)
    participant_nbgrader = (f"c = get_config()\nc.CourseDirectory.course_id = {settings.course_id!r}\n"
                            f"c.Exchange.root = {EXCHANGE_MOUNT!r}\nc.Exchange.path_includes_course = True\n")
    trainer_nbgrader = (f"c = get_config()\nload_subconfig({COURSE_MOUNT + '/nbgrader_config.py'!r})\n"
                        f"c.CourseDirectory.db_url = {db_url!r}\n")
    trainer_server = ("c = get_config()\nc.ServerApp.tornado_settings = "
                      "{\"headers\": {\"Content-Security-Policy\": \"frame-ancestors 'self'\"}}\n")
    return {
        "hub": {
            "config": {
                "JupyterHub": {"authenticator_class": "nativeauthenticator.NativeAuthenticator",
                               "admin_access": False},
                "Authenticator": {"admin_users": [settings.trainer],
                                  "allowed_users": sorted({settings.trainer, *participants})},
                "NativeAuthenticator": {"open_signup": False},
            },
            "extraConfig": {"lablib-trainer": _trainer_hook(settings)},
        },
        "singleuser": {
            "image": {"name": "GANTI/lablib-singleuser", "tag": "latest"},
            "defaultUrl": PARTICIPANT_DEFAULT_URL,
            "memory": {"guarantee": MEMORY[0], "limit": MEMORY[1]},
            "cpu": {"guarantee": 0.05, "limit": 1},
            "storage": {
                "capacity": "1Gi",
                "extraVolumes": [{"name": "exchange", "persistentVolumeClaim": {"claimName": "nbgrader-exchange"}}],
                "extraVolumeMounts": [{"name": "exchange", "mountPath": EXCHANGE_MOUNT}],
            },
            "extraEnv": {"JUPYTER_CONFIG_PATH": PARTICIPANT_CONFIG},
            "extraFiles": {
                "lablib-peserta": {"mountPath": f"{PARTICIPANT_CONFIG}/nbgrader_config.py",
                                   "stringData": participant_nbgrader},
                "lablib-fasilitator": {"mountPath": f"{TRAINER_CONFIG}/nbgrader_config.py",
                                       "stringData": trainer_nbgrader},
                "lablib-fasilitator-server": {"mountPath": f"{TRAINER_CONFIG}/jupyter_server_config.py",
                                              "stringData": trainer_server},
                **_trainer_tool_files(),
            },
        },
        "cull": {"enabled": True, "timeout": settings.idle_timeout, "every": 300},
    }


def helm_values_text(settings: HubSettings, participants: list[str] | tuple, db_url: str) -> str:
    import yaml

    class Literal(str):
        pass

    def literal(dumper, data):  # multi-line config snippets as readable YAML blocks
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|" if "\n" in data else None)

    yaml.SafeDumper.add_representer(Literal, literal)

    def blocks(value):
        if isinstance(value, dict):
            return {k: blocks(v) for k, v in value.items()}
        if isinstance(value, list):
            return [blocks(v) for v in value]
        return Literal(value) if isinstance(value, str) else value

    body = yaml.safe_dump(blocks(helm_values(settings, participants, db_url)), sort_keys=False,
                          allow_unicode=True, width=110)
    return HEADER.format(course_id=settings.course_id) + body


def write_helm_values(course: Course, settings: HubSettings, out: str | os.PathLike | None = None) -> Path:
    path = Path(out) if out else course.root / "z2jh-values.yaml"
    return write_text_atomic(path, helm_values_text(settings, course.ids(), course.db_url))


__all__ = ["helm_values", "helm_values_text", "write_helm_values"]
