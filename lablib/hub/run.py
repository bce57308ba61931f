"""Running the hub in the foreground: ``jupyterhub -f <course>/hub/jupyterhub_config.py``.

JupyterHub starts the proxy and the idle culler itself (as configured). The trainer reads, in
Indonesian, the address participants open and what to do next. Ctrl-C (or SIGTERM) stops the
hub cleanly: JupyterHub stops the participants' servers, the proxy and its services, and the
command waits for it (answers are saved as participants type, so nothing is lost).
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable

from lablib.hub.config import HUB_CONFIG
from lablib.hub.network import participant_address
from lablib.hub.settings import HubError, HubSettings

STOP_SECONDS = 60  # JupyterHub's own shutdown stops every server first


def hub_command(settings: HubSettings) -> list[str]:
    return [str(settings.bin_dir / "jupyterhub"), "-f", str(settings.hub_dir / HUB_CONFIG)]


def next_steps(settings: HubSettings) -> str:
    address = participant_address(settings)
    return "\n".join([
        f"Hub bimtek '{settings.course_id}' berjalan.",
        f"  Peserta membuka: {address}",
        "  Masuk dengan nama login dan sandi awal di kartu akun (kartu-akun.html di folder kursus).",
        f"  Fasilitator masuk sebagai '{settings.trainer}': folder kursus dan Formgrader terbuka di JupyterLab.",
        "Langkah berikutnya: rilis tahap pertama (lablib release drum-up), lalu bagikan kartu akun.",
        "  Peserta: buka alamat di atas dan masuk; Beranda terbuka: tekan Ambil pada tahap yang dirilis, lalu Buka.",
        "Tekan Ctrl-C untuk menghentikan hub (jawaban peserta sudah tersimpan).",
    ])


def require_root() -> None:
    """JupyterHub starts each participant's server as that participant: only root can."""
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        raise HubError("lablib hub harus dijalankan sebagai root (sudo lablib hub): server setiap peserta "
                       "berjalan sebagai akun peserta itu sendiri.")


def run_hub(settings: HubSettings, say: Callable[[str], None] = print) -> int:
    """Run JupyterHub until it exits or Ctrl-C; returns its exit status (0 after Ctrl-C)."""
    require_root()
    if not (settings.hub_dir / HUB_CONFIG).is_file():
        raise HubError(f"{settings.hub_dir / HUB_CONFIG} belum ada: jalankan 'lablib hub setup' dulu.")

    def stop(signum, frame):  # SIGTERM as Ctrl-C: one clean way out
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        # The hub's own files (pid, sqlite) live beside its config. Its own session: a terminal's
        # Ctrl-C reaches only this command, which then stops the hub with exactly one SIGTERM
        # (a second signal in the middle of JupyterHub's cleanup could cut it short).
        proc = subprocess.Popen(hub_command(settings), cwd=settings.hub_dir, start_new_session=True)
    except OSError as exc:
        signal.signal(signal.SIGTERM, previous)
        raise HubError(f"JupyterHub tidak dapat dijalankan ({exc.strerror}): pasang dengan "
                       "pip install 'lablib[hub]'.") from None
    say(next_steps(settings))
    try:
        return proc.wait()
    except KeyboardInterrupt:
        say("Menghentikan hub (server peserta, proxy dan layanan)…")
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        say("Hub dihentikan.")
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


__all__ = ["hub_command", "next_steps", "require_root", "run_hub"]
