"""The Python configurable-http-proxy, with room for a whole room's requests at once.

The pip-installable port of configurable-http-proxy forwards HTTP with tornado's
``AsyncHTTPClient``, whose default allows 10 requests in flight; the rest wait in a queue and,
after 20 seconds, the browser gets "503 Timeout in request queue". ``benchmarks/bench_room.py``
hit it with 40 participants' servers starting at once (JupyterLab itself keeps several
requests open per participant). This entry point raises that limit, then runs the proxy's own
command line unchanged: ``python -m lablib.hub.proxy`` takes the same options as
``configurable-http-proxy``.
"""

from __future__ import annotations

MAX_IN_FLIGHT = 1000  # requests forwarded at once; websockets (kernels) do not count here


def main() -> None:
    from configurable_http_proxy.cli import main as proxy_main
    from tornado.httpclient import AsyncHTTPClient

    AsyncHTTPClient.configure(None, max_clients=MAX_IN_FLIGHT)
    proxy_main()


if __name__ == "__main__":
    main()
