"""The teaching server on the network: Origin check, reaping of closed sessions' kernels and a
bounded load of 10 simultaneous sessions (``xenosim app`` on a free 127.0.0.1 port).

Each session speaks the browser's protocol over the websocket: it opens Solara's control comm and
asks it to run the page, so the server builds the page and its TeachingModel as for a student.
The kernel counts come from Solara's own ``/resourcez``; memory is the server process's RSS.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from conftest import free_port, wait_for_app_ready

pytest.importorskip("solara")
websockets = pytest.importorskip("websockets")
from websockets.asyncio.client import connect  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SESSIONS = 10
#: Cull timeout for the test (xenosim app keeps SOLARA_KERNEL_CULL_TIMEOUT when it is set).
CULL = "2s"


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _kernels(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/resourcez", timeout=10) as r:
        return json.load(r)["kernels"]


@pytest.fixture(scope="module")
def served():
    """(port, pid of the Solara server process) of a running ``xenosim app``."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOLARA_KERNEL_CULL_TIMEOUT": CULL}
    proc = subprocess.Popen([sys.executable, "-c", "from xenosim.cli import app; app()", "app",
                             "--port", str(port), "--no-browser"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wait_for_app_ready(proc)
    kids = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True)
    server_pid = int(kids.stdout.split()[0])
    yield port, server_pid, proc
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def _msg(msg_type: str, content: dict, session: str) -> str:
    header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "", "session": session,
              "date": "", "version": "5.3"}
    return json.dumps({"header": header, "parent_header": {}, "metadata": {}, "content": content,
                       "channel": "shell", "buffers": []})


async def _session(port: int, origin: str | None, built: list | None = None,
                   hold: asyncio.Event | None = None) -> None:
    """One page session: connect, run the page (as the browser does), wait until it is built,
    note it in ``built``, then hold the connection until ``hold`` is set."""
    kernel, page = uuid.uuid4().hex, uuid.uuid4().hex
    url = f"ws://127.0.0.1:{port}/jupyter/api/kernels/{kernel}/channels?session_id={page}"
    async with connect(url, origin=origin, max_size=None, open_timeout=30) as ws:
        comm = uuid.uuid4().hex
        await ws.send(_msg("comm_open", {"comm_id": comm, "target_name": "solara.control",
                                         "data": {}}, page))
        await ws.send(_msg("comm_msg", {"comm_id": comm, "data": {
            "method": "run", "args": {"path": "", "appName": None}}}, page))
        async with asyncio.timeout(300):
            while True:
                raw = await ws.recv()
                if isinstance(raw, str) and '"finished"' in raw:
                    break
        if built is not None:
            built.append(page)
        if hold is not None:
            await hold.wait()


async def _sessions_at_once(port: int, pid: int, n: int) -> tuple[dict, float]:
    """Open n sessions at once and build their pages; (kernel counts and server RSS in MB while
    all n are open)."""
    built: list[str] = []
    hold = asyncio.Event()
    origin = f"http://127.0.0.1:{port}"
    tasks = [asyncio.create_task(_session(port, origin, built, hold)) for _ in range(n)]
    while len(built) < n:
        failed = [t for t in tasks if t.done()]
        if failed:
            await failed[0]  # raises the session's error
            raise AssertionError("a session ended before its page was built")
        await asyncio.sleep(0.2)
    kernels, rss = await asyncio.to_thread(_kernels, port), _rss_mb(pid)
    hold.set()
    await asyncio.gather(*tasks)
    return kernels, rss


def _wait_reaped(port: int, timeout_s: float = 60.0) -> dict:
    """Kernel counts once no kernel is left (or at the timeout)."""
    deadline = time.monotonic() + timeout_s
    while True:
        k = _kernels(port)
        if k["total"] == 0 or time.monotonic() > deadline:
            return k
        time.sleep(0.5)


def test_foreign_origins_are_refused_and_make_no_kernel(served):
    port, _, proc = served
    for origin in ("http://evil.example", f"http://evil.example:{port}", "null", None,
                   f"https://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}"):
        with pytest.raises(websockets.exceptions.InvalidStatus) as err:
            asyncio.run(_session(port, origin))
        assert err.value.response.status_code == 403, origin
    assert _kernels(port)["total"] == 0 and proc.poll() is None
    # the page reached by a foreign host name (DNS rebinding) is refused too
    req = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": "evil.example"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)
    assert err.value.code == 400


def test_ten_sessions_at_once_stay_up_and_closed_ones_are_reaped(served):
    port, pid, proc = served
    asyncio.run(_session(port, f"http://localhost:{port}"))  # warm: first-use imports, caches
    assert _wait_reaped(port)["total"] == 0, "the kernel of a closed session was not reaped"
    before = _rss_mb(pid)
    kernels, during = asyncio.run(_sessions_at_once(port, pid, SESSIONS))
    assert kernels["total"] == SESSIONS and kernels["has_connected"] == SESSIONS, kernels
    per_session = (during - before) / SESSIONS
    print(f"\nteaching server: {before:.0f} MB idle, {during:.0f} MB with {SESSIONS} sessions: "
          f"{per_session:.1f} MB per session")
    after = _wait_reaped(port)
    assert after["total"] == 0, f"kernels of closed sessions left alive: {after}"
    assert proc.poll() is None
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as r:
        assert r.status == 200  # still serving
    assert per_session < 150, f"{per_session:.0f} MB per session"


def test_closed_sessions_are_reaped_within_minutes_by_default():
    """Solara keeps a disconnected kernel 24 h unless told otherwise: xenosim app tells it."""
    from solara.util import parse_timedelta

    from xenosim.teaching.server import server_environment

    env = server_environment("127.0.0.1", 8765, {})
    assert parse_timedelta(env["SOLARA_KERNEL_CULL_TIMEOUT"]) <= 600
    assert server_environment("127.0.0.1", 8765, {"SOLARA_KERNEL_CULL_TIMEOUT": "1h"})[
        "SOLARA_KERNEL_CULL_TIMEOUT"] == "1h"


def test_allowed_origins_are_this_servers_page_only():
    from xenosim.teaching.server import allowed_origins

    assert allowed_origins("127.0.0.1", 9000) == {
        "http://127.0.0.1:9000", "http://localhost:9000", "http://[::1]:9000"}
    assert "http://lab-pc:9000" in allowed_origins("lab-pc", 9000)


def test_help_says_where_it_listens():
    from typer.testing import CliRunner

    from xenosim.cli import app

    res = CliRunner().invoke(app, ["app", "--help"], terminal_width=200)
    text = " ".join(res.output.split())
    assert "Binds 127.0.0.1 by default" in text and "--host changes it" in text
