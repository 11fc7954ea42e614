"""The teaching page's server process: Solara's own server (``solara run``) with two guards.

``xenosim app`` starts ``python -m xenosim.teaching.server --host H --port P``. Before Solara's
server starts, this adds to Solara's Starlette app:

* :class:`WebsocketOriginGuard`: a websocket handshake is refused (HTTP 403) unless its
  ``Origin`` is this server's own page (``http://127.0.0.1:P``, ``http://localhost:P`` or the
  ``--host`` given). Browsers send the Origin of the page that opens a websocket, so a page on
  another site cannot drive (or keep alive) kernels here. Solara itself checks no Origin.
* Starlette's ``TrustedHostMiddleware`` with the same host names: a page reached through another
  name (DNS rebinding) gets HTTP 400.

Kernels of closed sessions are reaped by Solara's own culling: a virtual kernel whose pages have
all disconnected is closed after ``SOLARA_KERNEL_CULL_TIMEOUT``. Solara's default (24 h) would keep
every closed tab's model in memory for a day; ``xenosim app`` sets :data:`KERNEL_CULL_TIMEOUT`
unless the variable is already set in the environment.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

APP_MODULE = "xenosim.teaching.app"
#: How long Solara keeps the kernel (the model, the page state) of a page with no open websocket:
#: long enough to survive a dropped Wi-Fi connection or a laptop lid closed for a minute, short
#: enough that closed tabs do not pile up (assumed; Solara's own default is 24 h).
KERNEL_CULL_TIMEOUT = "5m"
#: Host names that always reach this machine.
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
WILDCARD_HOSTS = ("0.0.0.0", "::", "")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def allowed_hostnames(host: str) -> list[str]:
    """Host names the page may be reached by: loopback, ``host``, and for a wildcard ``host``
    (all interfaces) this machine's name and addresses."""
    names = [*LOOPBACK_NAMES, host]
    if host in WILDCARD_HOSTS:
        name = socket.gethostname()
        names += [name, socket.getfqdn()]
        try:
            names += socket.gethostbyname_ex(name)[2]
        except OSError:
            pass
    return list(dict.fromkeys(n for n in names if n))


def allowed_origins(host: str, port: int) -> set[str]:
    """The ``Origin`` values of this server's own page."""
    return {f"http://{name}:{port}" for name in allowed_hostnames(host)}


class WebsocketOriginGuard:
    """ASGI middleware: close websocket handshakes from foreign (or missing) Origins unaccepted
    (the server answers 403); everything else passes through."""

    def __init__(self, app: Callable, origins: set[str]) -> None:
        self.app = app
        self.origins = origins
        self._reported: set[str] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            headers = dict(scope.get("headers") or [])
            origin = headers.get(b"origin", b"").decode("latin-1")
            if origin not in self.origins:
                if origin not in self._reported:  # once per origin: a hostile page may loop
                    self._reported.add(origin)
                    print(f"xenosim app: refused a websocket from Origin {origin or '(none)'!r} "
                          f"(allowed: {', '.join(sorted(self.origins))})", file=sys.stderr)
                await receive()  # websocket.connect
                await send({"type": "websocket.close", "code": 1008})
                return
        await self.app(scope, receive, send)


def guard(app: Any, host: str, port: int) -> None:
    """Add the Origin guard and the trusted-host check to a Starlette app (before it starts)."""
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    hosts = [n.strip("[]") for n in allowed_hostnames(host)]
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts)
    app.add_middleware(WebsocketOriginGuard, origins=allowed_origins(host, port))  # outermost


def server_environment(host: str, port: int, env: dict[str, str]) -> dict[str, str]:
    """The variables Solara's server reads at import: the page, the address, production mode and
    the kernel cull timeout (:data:`KERNEL_CULL_TIMEOUT` unless ``env`` sets one)."""
    return {"SOLARA_APP": APP_MODULE, "SERVER_NAME": host, "SERVER_PORT": str(port),
            "SOLARA_MODE": "production",
            "SOLARA_KERNEL_CULL_TIMEOUT": env.get("SOLARA_KERNEL_CULL_TIMEOUT",
                                                  KERNEL_CULL_TIMEOUT)}


def main(argv: list[str] | None = None) -> None:
    """Serve the teaching page with Solara's server, guarded (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m xenosim.teaching.server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    # solara.server.app registers the page when it is imported, from SOLARA_APP
    os.environ.update(server_environment(args.host, args.port, dict(os.environ)))
    import solara.server.starlette as solara_starlette
    from solara.__main__ import run

    guard(solara_starlette.app, args.host, args.port)
    # uvicorn imports "solara.server.starlette:app": the module above, so the guarded app
    run.main(args=[APP_MODULE, "--host", args.host, "--port", str(args.port), "--production",
                   "--no-open", "--no-check-version", "--log-level", "warning"],
             prog_name="solara")


if __name__ == "__main__":
    main()
