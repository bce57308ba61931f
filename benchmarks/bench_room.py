"""Sizing the bimtek room: N participants working at once on one server through ``lablib hub``.

For each N: a real course and ``lablib hub`` (JupyterHub, PAM accounts made by ``lablib hub
setup``, the Python proxy), N participant servers started through the hub's REST API, one
kernel each opened over the hub's websocket, the released drum-up fetched with nbgrader (the
participants' path), and lablib's forms loaded in that kernel. Then every participant works at
once: rounds of three autosaves (a field changed, then the session's flush, what the form's
autosave runs) and one *Periksa* (``Form.check()``, what the button runs: save with a history
version, the checks, the results drawn), with a short random pause between actions.

Printed per N: server start time for the whole room, p50/p95 of autosave and Periksa as the
participant waits for them (round trip through proxy, server and kernel) and as the kernel
spends on them, and memory: RSS per participant (their Jupyter server + kernel, summed over
the participant's processes) and of the hub + proxy.

Run as root (it creates OS users ``lbt…`` and removes them afterwards):

    .venv/bin/python benchmarks/bench_room.py --participants 10 40 100 [--rounds 5] [--arrival 120]

``--arrival S`` spreads the opening of the notebooks (the kernels starting) over S seconds, as a
room logging in does; by default every kernel starts at once. The hub's log of each run is kept
in test-artifacts/hub/bench-room-N.log.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the hub test helpers: users, a readable environment, the hub

from hub_helpers import (  # noqa: E402
    RunningHub,
    Sandbox,
    as_user,
    readable_environment,
    require_root,
    write_roster,
)

COURSE_ID = "bimtek-uji"
LOGS = REPO / "test-artifacts" / "hub"

SETUP = """
import os, subprocess, time
os.chdir(os.path.expanduser("~"))
_fetch = subprocess.run(["nbgrader", "fetch_assignment", "drum-up"], capture_output=True, text=True)
assert _fetch.returncode == 0, _fetch.stdout + _fetch.stderr
from lablib.notebook.forms import Form
from lablib.curriculum.samples import model_answers
_folder = os.path.expanduser("~/{course}/drum-up")
_f1, _f2 = Form("drum-up.du1", _folder), Form("drum-up.du2", _folder)
_f1._session.update_entries(model_answers("drum-up"))
assert _f1._session.flush()
_t = 0.0
""".replace("{course}", COURSE_ID)

AUTOSAVE = """
_t0 = time.perf_counter()
_f1._session.set_value("drum-up.du1", "nama_opd", "Dinas ke-{n}")
assert _f1._session.flush()
_t = time.perf_counter() - _t0
"""

PERIKSA = """
_t0 = time.perf_counter()
_r = _f1.check()
_t = time.perf_counter() - _t0
"""


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


class Kernel:
    """One participant's kernel, over the hub's websocket (Jupyter's JSON message protocol)."""

    def __init__(self, hub: RunningHub, login: str):
        self.hub, self.login = hub, login
        self.session = uuid.uuid4().hex
        self.retries = 0

    async def open(self) -> None:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        status, _, body = await asyncio.to_thread(self.hub.user_request, self.login, "api/kernels", "POST",
                                                  {"name": "python3"}, 300)
        assert status == 201, (status, body[:300])
        self.kernel_id = json.loads(body)["id"]
        url = (f"ws://127.0.0.1:{self.hub.port}/user/{self.login}/api/kernels/{self.kernel_id}/channels"
               f"?session_id={self.session}")
        # As patient as JupyterLab, which waits and reconnects: many kernels starting at once on a
        # small server take a while, and a connection may drop. Retries are counted and printed.
        for attempt in range(6):
            request = HTTPRequest(url, headers={"Authorization": f"token {self.hub.token}"},
                                  connect_timeout=300, request_timeout=300)
            try:
                self.ws = await websocket_connect(request, max_message_size=64 * 1024 * 1024)
                return
            except Exception:  # noqa: BLE001 (tornado's 599 and timeouts alike: try again, then give up)
                self.retries += 1
                if attempt == 5:
                    raise
                await asyncio.sleep(2 * (attempt + 1))

    async def run(self, code: str) -> tuple[float, float]:
        """Execute ``code``; returns (round trip, the kernel's own ``_t``) in seconds."""
        msg_id = uuid.uuid4().hex
        msg = {"header": {"msg_id": msg_id, "username": self.login, "session": self.session,
                          "msg_type": "execute_request", "version": "5.3"},
               "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
               "content": {"code": code, "silent": False, "store_history": False, "allow_stdin": False,
                           "user_expressions": {"t": "_t"}, "stop_on_error": True}}
        start = time.perf_counter()
        await self.ws.write_message(json.dumps(msg))
        while True:
            raw = await self.ws.read_message()
            if raw is None:
                raise RuntimeError(f"{self.login}: the kernel's websocket closed")
            reply = json.loads(raw)
            if reply.get("parent_header", {}).get("msg_id") != msg_id or reply["msg_type"] != "execute_reply":
                continue
            elapsed = time.perf_counter() - start
            content = reply["content"]
            if content["status"] != "ok":
                raise RuntimeError(f"{self.login}: {content.get('ename')}: {content.get('evalue')}")
            inner = float(content["user_expressions"]["t"]["data"]["text/plain"])
            return elapsed, inner


async def participant(hub: RunningHub, login: str, rounds: int, out: dict[str, list], seed: int,
                      arrival: float) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(rng.uniform(0, arrival))  # people open their notebook over a few minutes
    kernel = Kernel(hub, login)
    await kernel.open()
    await kernel.run(SETUP)
    await asyncio.sleep(rng.uniform(0, 2))  # people do not press keys in step
    for r in range(rounds):
        for n in range(3):
            trip, inner = await kernel.run(AUTOSAVE.replace("{n}", str(r * 3 + n)))
            out["autosave"].append(trip)
            out["autosave_kernel"].append(inner)
            await asyncio.sleep(rng.uniform(0.3, 1.0))
        trip, inner = await kernel.run(PERIKSA)
        out["periksa"].append(trip)
        out["periksa_kernel"].append(inner)
        await asyncio.sleep(rng.uniform(0.5, 1.5))
    kernel.ws.close()
    out["retries"].append(kernel.retries)


def rss_by_user(logins: list[str]) -> dict[str, int]:
    """Bytes of resident memory of every process of each login (its server and its kernel)."""
    import pwd

    uids = {pwd.getpwnam(login).pw_uid: login for login in logins}
    found = dict.fromkeys(logins, 0)
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        uid = int(fields.get("Uid", "-1 ").split()[0])
        if uid in uids and "VmRSS" in fields:
            found[uids[uid]] += int(fields["VmRSS"].split()[0]) * 1024
    return found


def rss_of_tree(pid: int) -> int:
    """The hub (JupyterHub, its proxy and services: the root-owned processes under ``pid``)."""
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid=,rss=,user="], capture_output=True, text=True).stdout
    rows = [line.split() for line in out.splitlines()]
    children: dict[int, list[int]] = {}
    rss = {}
    for p, pp, r, user in rows:
        children.setdefault(int(pp), []).append(int(p))
        rss[int(p)] = (int(r) * 1024, user)
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        if rss.get(p, (0, ""))[1] == "root":
            total += rss[p][0]
        todo += children.get(p, [])
    return total


def bench(n: int, rounds: int, env_bin: Path, arrival: float = 0.0) -> dict:
    box = Sandbox()
    try:
        trainer = box.user("t")
        box.add_os_user(trainer)
        people = [(box.user(f"p{i:03d}"), f"Peserta {i}", f"OPD {i}") for i in range(n)]
        for login, _, _ in people:
            box.track(login)
        work = box.root / "kerja"
        work.mkdir()
        work.chmod(0o777)
        roster = write_roster(box.root / "peserta.csv", people)
        (box.root / "exchange").mkdir()
        (box.root / "exchange").chmod(0o1777)
        lablib = str(env_bin / "lablib")
        as_user(trainer, env_bin, lablib, "init", str(work / "kursus"), "--roster", str(roster), "--course-id",
                COURSE_ID, "--exchange", str(box.root / "exchange"), "--homes", str(box.root / "home" / "{id}"))
        course = work / "kursus"
        as_user(trainer, env_bin, lablib, "release", "drum-up", "--course", str(course))
        hub = RunningHub(env_bin, course, trainer, box.root / "site", box.root / "hub.log")
        t = time.perf_counter()
        hub.setup()
        setup_s = time.perf_counter() - t
        hub.start()
        try:
            logins = [p[0] for p in people]
            t = time.perf_counter()
            with ThreadPoolExecutor(max_workers=min(32, n)) as pool:
                list(pool.map(lambda login: hub.start_server(login, timeout=900), logins))
            spawn_s = time.perf_counter() - t
            out: dict[str, list] = {"autosave": [], "autosave_kernel": [], "periksa": [], "periksa_kernel": []}
            retries: list[int] = []

            async def room():
                await asyncio.gather(*(participant(hub, login, rounds, {**out, "retries": retries}, i, arrival)
                                       for i, login in enumerate(logins)))

            t = time.perf_counter()
            asyncio.run(room())
            work_s = time.perf_counter() - t
            memory = rss_by_user(logins)
            hub_rss = rss_of_tree(hub.proc.pid)
        finally:
            hub.interrupt(timeout=600)
            LOGS.mkdir(parents=True, exist_ok=True)  # the hub's log outlives the sandbox
            shutil.copyfile(hub.log_path, LOGS / f"bench-room-{n}.log")
        per = sorted(memory.values())
        return {"n": n, "setup_s": setup_s, "spawn_s": spawn_s, "work_s": work_s,
                **{f"{k}_p50": pct(v, 0.5) for k, v in out.items()}, **{f"{k}_p95": pct(v, 0.95) for k, v in out.items()},
                "samples": len(out["periksa"]), "retries": sum(retries), "rss_median_mb": statistics.median(per) / 2**20,
                "rss_max_mb": max(per) / 2**20, "hub_rss_mb": hub_rss / 2**20,
                "total_gb": (sum(per) + hub_rss) / 2**30}
    finally:
        box.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, nargs="+", default=[10, 40, 100], metavar="N")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of 3 autosaves + 1 Periksa per participant")
    parser.add_argument("--arrival", type=float, default=0.0, metavar="SECONDS",
                        help="participants open their notebook at random within this time (default: all at once)")
    args = parser.parse_args()
    reason = require_root()
    if reason:
        print(f"bench_room: {reason}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="lbtenv-") as tmp:
        os.chmod(tmp, 0o755)
        env_bin = readable_environment(Path(tmp) / "venv")
        print(f"{os.cpu_count()} CPU cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.1f} GB RAM; "
              f"{args.rounds} rounds of 3 autosaves + 1 Periksa per participant; notebooks opened within "
              f"{args.arrival:g} s\n")
        head = (f"{'N':>4} {'spawn s':>8} {'autosave p50/p95 ms':>20} {'(kernel)':>14} {'Periksa p50/p95 ms':>19} "
                f"{'(kernel)':>14} {'MB/participant':>15} {'hub MB':>7} {'total GB':>8} {'ws retries':>10}")
        print(head, flush=True)
        for n in args.participants:
            r = bench(n, args.rounds, env_bin, args.arrival)

            def ms(k: str, r: dict = r) -> str:
                return f"{r[k + '_p50'] * 1000:.0f}/{r[k + '_p95'] * 1000:.0f}"

            print(f"{n:>4} {r['spawn_s']:>8.1f} {ms('autosave'):>20} {ms('autosave_kernel'):>14} "
                  f"{ms('periksa'):>19} {ms('periksa_kernel'):>14} "
                  f"{r['rss_median_mb']:>7.0f} (max {r['rss_max_mb']:.0f}) {r['hub_rss_mb']:>7.0f} "
                  f"{r['total_gb']:>8.2f} {r['retries']:>10}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
