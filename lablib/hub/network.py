"""The address participants type: this server's address on the training room's network.

The hub listens on every interface (``0.0.0.0``); participants need one address they can
reach. The interface the server would use to reach a private-network address is the LAN
one: a UDP socket "connected" to it sends nothing, but the kernel picks the source address.
"""

from __future__ import annotations

import socket

from lablib.hub.settings import HubSettings

PROBE = ("10.255.255.255", 9)  # any non-loopback address; nothing is sent


def lan_ip() -> str:
    """This server's LAN address, or ``127.0.0.1`` on a machine without a network."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(PROBE)
            ip = s.getsockname()[0]
        except OSError:
            return "127.0.0.1"
    return ip if ip and ip != "0.0.0.0" else "127.0.0.1"


def participant_address(settings: HubSettings) -> str:
    """``http://<LAN IP>:<port>/`` for a hub on every interface, else its own address."""
    host = lan_ip() if settings.ip in ("0.0.0.0", "", "::") else settings.ip
    return f"http://{host}:{settings.port}/"


__all__ = ["lan_ip", "participant_address"]
