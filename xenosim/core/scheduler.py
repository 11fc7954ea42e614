"""Dask scheduler addresses: parsed and checked before connecting, and a handshake timeout.

``--scheduler`` takes ``tcp://host:port`` (or ``host:port``). A malformed address, an unknown
scheme, a missing or out-of-range port, or ``tls://`` without a Dask TLS security configuration
is refused before any connection; a service on the port that is not a Dask scheduler (it does
not answer the Dask handshake within :data:`HANDSHAKE_TIMEOUT_S`) is refused instead of hanging.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
from urllib.parse import urlsplit

#: seconds to reach the port and to get the Dask handshake back
CONNECT_TIMEOUT_S = 20.0
HANDSHAKE_TIMEOUT_S = 10.0
SCHEMES = ("tcp", "tls")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                       r"(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")


class SchedulerError(Exception):
    """A scheduler address that is malformed, unreachable or not a Dask scheduler."""


def _tls_configured() -> bool:
    import dask

    get = dask.config.get
    return bool(get("distributed.comm.tls.ca-file", None)
                and get("distributed.comm.tls.client.cert", None))


def parse_scheduler_address(address: str) -> str:
    """Check ``address`` and return it normalised as ``scheme://host:port``; raise
    SchedulerError saying what is wrong and what is allowed."""
    text = (address or "").strip()
    allowed = "allowed: tcp://HOST:PORT (e.g. tcp://127.0.0.1:8786)"
    if not text:
        raise SchedulerError(f"--scheduler is empty; {allowed}")
    if "://" not in text:
        text = "tcp://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise SchedulerError(f"--scheduler {address!r}: {exc}; {allowed}") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise SchedulerError(f"--scheduler {address!r}: unknown scheme {parts.scheme!r}; "
                             f"{allowed} (or tls:// with a Dask security config)")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise SchedulerError(f"--scheduler {address!r}: only scheme, host and port are "
                             f"allowed; {allowed}")
    host = parts.hostname or ""
    if not host:
        raise SchedulerError(f"--scheduler {address!r}: no host; {allowed}")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not _HOSTNAME.match(host):
            raise SchedulerError(f"--scheduler {address!r}: {host!r} is not a host name or IP "
                                 f"address; {allowed}") from None
    if port is None or not 1 <= port <= 65535:
        raise SchedulerError(f"--scheduler {address!r}: a port 1-65535 is required "
                             f"(a Dask scheduler listens on 8786 by default); {allowed}")
    if scheme == "tls" and not _tls_configured():
        raise SchedulerError(f"--scheduler {address!r}: tls:// needs a Dask TLS security "
                             f"configuration (distributed.comm.tls.ca-file and "
                             f"distributed.comm.tls.client.cert); none is set")
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}"


async def _handshake(address: str, connect_s: float, handshake_s: float) -> None:
    from distributed.comm import connect

    comm = await asyncio.wait_for(connect(address, timeout=connect_s),
                                  connect_s + handshake_s)
    await comm.close()


def check_scheduler(address: str, *, connect_s: float = CONNECT_TIMEOUT_S,
                    handshake_s: float = HANDSHAKE_TIMEOUT_S) -> str:
    """Parse ``address`` and check that a Dask scheduler answers its handshake in time."""
    normal = parse_scheduler_address(address)
    try:
        asyncio.run(_handshake(normal, connect_s, handshake_s))
    except TimeoutError:
        raise SchedulerError(f"the service at {normal} did not answer the Dask handshake within "
                             f"{connect_s + handshake_s:g} s; is it a Dask scheduler?") from None
    except OSError as exc:
        raise SchedulerError(f"cannot reach the Dask scheduler at {normal}: {exc}") from None
    except Exception as exc:  # garbage instead of a handshake: not a Dask scheduler
        raise SchedulerError(f"the service at {normal} is not a Dask scheduler "
                             f"({type(exc).__name__}: {exc})") from None
    return normal


def connect(address: str, *, connect_s: float = CONNECT_TIMEOUT_S):
    """A ``dask.distributed.Client`` on a checked scheduler address (SchedulerError if not)."""
    from dask.distributed import Client

    normal = check_scheduler(address, connect_s=connect_s)
    try:
        return Client(normal, timeout=f"{connect_s:g}s")
    except OSError as exc:
        raise SchedulerError(f"cannot reach the Dask scheduler at {normal}: {exc}") from None
