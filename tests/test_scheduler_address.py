"""Scheduler addresses are checked before connecting, and a service that is not a Dask
scheduler is refused within the handshake timeout instead of hanging (127.0.0.1 only)."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from xenosim.core.scheduler import SchedulerError, check_scheduler, parse_scheduler_address


def test_addresses_are_normalised_or_refused() -> None:
    assert parse_scheduler_address("127.0.0.1:8786") == "tcp://127.0.0.1:8786"
    assert parse_scheduler_address("tcp://localhost:8786") == "tcp://localhost:8786"
    for bad in ("", "not-an-address", "tcp://127.0.0.1", "http://127.0.0.1:1",
                "tls://127.0.0.1:8786", "tcp://127.0.0.1:70000", "tcp://a b:1"):
        with pytest.raises(SchedulerError):
            parse_scheduler_address(bad)


@pytest.mark.parametrize("reply", [b"", b"HTTP/1.0 200 OK\r\n\r\nhello"])
def test_a_non_dask_service_does_not_hang(reply: bytes) -> None:
    """A silent listener and an HTTP-like one on 127.0.0.1: refused in about the timeout."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    port = srv.getsockname()[1]
    conns = []

    def serve() -> None:
        try:
            c, _ = srv.accept()
        except OSError:
            return
        conns.append(c)
        if reply:
            c.sendall(reply)

    threading.Thread(target=serve, daemon=True).start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(SchedulerError, match="Dask"):
            check_scheduler(f"tcp://127.0.0.1:{port}", connect_s=1.0, handshake_s=1.0)
    finally:
        for c in conns:
            c.close()
        srv.close()
    assert time.perf_counter() - t0 < 10


def test_a_closed_port_is_refused() -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    with pytest.raises(SchedulerError, match="cannot reach"):
        check_scheduler(f"tcp://127.0.0.1:{port}", connect_s=1.0, handshake_s=1.0)
