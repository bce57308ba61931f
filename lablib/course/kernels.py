"""Pre-warmed grading kernels: forked from a process that has already imported them.

Kernel start-up is most of a small notebook's grading time: a new Python process imports
ipykernel, IPython, zmq and then lablib. A "kernel fork server" (``KernelForkServer``) imports
all of that once and then forks one child per submission; the child sets up its session,
folder and environment exactly as a freshly launched ``python -m ipykernel_launcher -f
<connection file>`` would and runs a new IPython kernel. Every submission still gets its own
fresh kernel process (nothing of one submission's kernel survives into another's); only the
imports are shared. Anything else (another kernel, a non-Python kernel, a fork server that
cannot start) falls back to jupyter_client's ordinary launch.

``lablib.course.grading.grade`` uses ``start_fork_server`` and ``fork_kernel_manager_class``; this
module imports only the standard library (jupyter_client when a kernel manager is asked for).
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
import traceback
from pathlib import Path

__all__ = ["PRELOAD", "KernelForkServer", "fork_kernel_manager_class", "start_fork_server"]

# Modules a grading kernel imports anyway; imported once by the fork server. Nothing here may
# start a thread or open a zmq context at import time (fork is only safe in a one-thread process;
# tests/test_grading.py checks the server has one thread after importing them). The second line
# is what a kernel imports while it starts (found by listing sys.modules in a fresh kernel): the
# debugger (debugpy, with pydevd, ~0.1 CPU-s per kernel), IPython's history (sqlite3), its
# debugger and completer, the storemagic extension and tornado's queues.
PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "IPython",
           "jupyter_client.session", "lablib", "lablib.notebook.autograde", "lablib.curriculum.scoring",
           "lablib.notebook.forms", "lablib.curriculum",
           "ipykernel.debugger", "debugpy", "debugpy.server.api", "IPython.core.debugger",
           "IPython.core.completerlib", "IPython.core.oinspect", "IPython.core.logger",
           "IPython.extensions.storemagic", "sqlite3", "tornado.queues", "tornado.platform.asyncio")


def _fork_server_main() -> None:  # pragma: no cover - runs in the fork-server process
    """Entry point of the fork server (``python -c``): read requests, fork kernels."""
    import atexit
    import contextlib
    import importlib
    import signal
    import sys

    requests = sys.stdin.buffer
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, sys.stdout.fileno())  # nothing but replies may reach the reply pipe
    log = os.environ.pop("LABLIB_KERNEL_LOG", "")
    log_fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644) if log else None
    if log_fd is not None:  # what the imports print (e.g. pydevd's notes) goes with the kernels' messages
        os.dup2(log_fd, 2)
    # pydevd (imported with debugpy) checks this once at import and would print a note about
    # frozen modules; each kernel gets its own environment from the request after the fork
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    for name in PRELOAD:
        # only a warm-up: a module that fails here is imported again by each kernel, which
        # reports the real error in the graded notebook, so nothing is hidden
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    import ipykernel_launcher

    launcher = ipykernel_launcher.__file__
    def reap(signum, frame):  # wait for finished kernels (so their CPU and memory are accounted)
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass

    signal.signal(signal.SIGCHLD, reap)
    replies.write(b'{"ready": true}\n')
    for line in requests:
        try:
            req = json.loads(line)
            pid = os.fork()
        except (ValueError, OSError) as exc:  # a garbled request (JSON, UTF-8) or fork refused (EAGAIN, ENOMEM)
            replies.write(json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode() + b"\n")
            continue
        if pid == 0:
            code = 1
            try:
                os.setsid()  # own process group, as jupyter_client's launcher does
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.default_int_handler)
                os.dup2(devnull, 0)
                if log_fd is not None:  # the kernel's own messages, not the notebook's outputs
                    os.dup2(log_fd, 1)
                    os.dup2(log_fd, 2)
                replies.close()
                os.chdir(req["cwd"])
                os.environ.clear()
                os.environ.update(req["env"])
                sys.argv = [launcher, *req["argv"]]
                from ipykernel import kernelapp

                kernelapp.launch_new_instance()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except BaseException:  # noqa: BLE001 - a forked kernel never returns into the server's loop:
                traceback.print_exc()  # its traceback goes to the kernels' log, then os._exit below
            finally:
                try:
                    atexit._run_exitfuncs()
                    sys.stdout.flush()
                    sys.stderr.flush()
                finally:
                    os._exit(code)
        replies.write(json.dumps({"pid": pid}).encode() + b"\n")


class _ForkedProcess:
    """The bits of ``subprocess.Popen`` that jupyter_client's LocalProvisioner uses."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
                with open(f"/proc/{self.pid}/stat", "rb") as fh:  # a zombie is not alive
                    if fh.read().rsplit(b")", 1)[-1].split()[0] == b"Z":
                        self.returncode = 0
            except (ProcessLookupError, FileNotFoundError):
                self.returncode = 0
            except (PermissionError, OSError, IndexError):
                pass
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                import subprocess

                raise subprocess.TimeoutExpired([str(self.pid)], timeout)
            time.sleep(0.02)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        import signal

        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        import signal

        self.send_signal(signal.SIGTERM)


class KernelForkServer:
    """A process that has imported ipykernel and lablib and forks a fresh kernel on request."""

    def __init__(self, env: dict[str, str] | None = None, log: str | os.PathLike | None = None):
        import subprocess
        import sys

        env = dict(os.environ if env is None else env)
        if log:
            env["LABLIB_KERNEL_LOG"] = str(log)
        # what jupyter_client gives a kernel it launches; ipykernel reads it at import time
        env["JPY_PARENT_PID"] = str(os.getpid())
        code = ("import sys; sys.path[:1] = [] if sys.path[:1] == [''] else sys.path[:1]; "
                "from lablib.course.kernels import _fork_server_main; _fork_server_main()")
        self._lock = threading.Lock()
        self._ready = False
        self.proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env, cwd="/",
                                     start_new_session=True)

    def _wait_ready(self) -> None:
        """The server reports once it has imported everything (called under ``_lock``)."""
        if not self._ready:
            line = self.proc.stdout.readline()
            try:
                self._ready = bool(line) and json.loads(line).get("ready") is True
            except ValueError:
                self._ready = False
            if not self._ready:
                raise RuntimeError("the kernel fork server did not start")

    def fork(self, argv: list[str], cwd: str, env: dict[str, str]) -> int:
        req = json.dumps({"argv": argv, "cwd": cwd, "env": env}).encode() + b"\n"
        with self._lock:
            self._wait_ready()
            if self.proc.poll() is not None:
                raise RuntimeError("the kernel fork server has stopped")
            self.proc.stdin.write(req)
            self.proc.stdin.flush()
            reply = json.loads(self.proc.stdout.readline() or b'{"error": "no reply"}')
        if "pid" not in reply:
            raise RuntimeError(f"the kernel fork server could not start a kernel: {reply.get('error')}")
        return int(reply["pid"])

    def close(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        import subprocess

        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # the server did not stop when its requests ended
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()


def fork_kernel_manager_class(server: KernelForkServer | None):
    """An AsyncKernelManager that launches Python kernels through ``server``."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning import LocalProvisioner

    class ForkKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            forkable = (server is not None and type(self.provisioner) is LocalProvisioner
                        and len(kernel_cmd) >= 3 and kernel_cmd[1:3] == ["-m", "ipykernel_launcher"]
                        and os.path.basename(kernel_cmd[0]).startswith("python"))
            if not forkable:
                return await super()._async_launch_kernel(kernel_cmd, **kw)
            env = dict(kw.get("env") or os.environ)
            env["JPY_PARENT_PID"] = str(os.getpid())
            cwd = str(kw.get("cwd") or os.getcwd())
            pid = server.fork(list(kernel_cmd[3:]), cwd, env)
            prov = self.provisioner
            prov.process = _ForkedProcess(pid)
            prov.pid, prov.pgid, prov.cwd = pid, pid, cwd
            self._reconcile_connection_info(prov.connection_info)

    return ForkKernelManager


def start_fork_server(log: Path) -> KernelForkServer | None:
    """A fork server whose kernels write their own messages to ``log`` (emptied first), or
    ``None`` if it cannot start: grading then launches every kernel the ordinary way.

    Call it early: the server imports in its own process while the caller goes on.
    """
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text("")  # the kernels' own messages (not the notebooks') of the last run
        return KernelForkServer(log=log)
    # the log folder cannot be written, or the server process cannot be started (no memory, no
    # interpreter, bad environment): grade with ordinary kernel launches
    except (OSError, ValueError) as exc:
        logging.getLogger(__name__).warning("server kernel (fork server) tidak dapat dijalankan (%s); setiap "
                                            "kernel dijalankan dengan cara biasa, penilaian lebih lambat", exc)
        return None
