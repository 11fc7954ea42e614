"""``xenosim app``: serve the teaching page (Mesa SolaraViz) on localhost."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import webbrowser
from typing import Annotated

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True)

SERVER_MODULE = "xenosim.teaching.server"  # Solara's server with an Origin guard


def _fail(message: str) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(2)


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def app_command(
    lesson: Annotated[int | None, typer.Option(help="Open with the settings and text of lesson "
                                                    "N (1-4)")] = None,
    port: Annotated[int, typer.Option(help="Port to serve on")] = 8765,
    host: Annotated[str, typer.Option(help="Interface to listen on. The default, 127.0.0.1, "
                                           "serves this machine only; e.g. --host 0.0.0.0 serves "
                                           "the network (websockets are accepted only from "
                                           "pages of this server)")] = "127.0.0.1",
    browser: Annotated[bool, typer.Option(help="Open the page in a web browser")] = True,
) -> None:
    """Serve the interactive teaching page (a tumour you can treat and watch) on localhost.

    Binds 127.0.0.1 by default (this machine only); --host changes it. Websockets from pages of
    other sites are refused, and the model of a closed page is freed after 5 minutes
    (SOLARA_KERNEL_CULL_TIMEOUT in the environment changes that).
    """
    from xenosim.teaching.lessons import LESSONS

    if lesson is not None and lesson not in LESSONS:
        _fail(f"--lesson {lesson}: no such lesson; lessons are "
              f"{', '.join(map(str, LESSONS))} (see experiments/lessons/)")
    if not 1 <= port <= 65535:
        _fail(f"--port {port}: a port is a number from 1 to 65535")
    import importlib.util

    # find, not import: the server process imports them; importing here too would double the wait
    missing = [m for m in ("mesa", "solara", "markdown") if importlib.util.find_spec(m) is None]
    if missing:
        _fail(f"the teaching page needs the app extra ({missing[0]} is missing): "
              "pip install 'xenosim[app]'")
    if not _port_free(host, port):
        _fail(f"--port {port}: {host}:{port} is already in use; pick another with --port")
    url = f"http://{host}:{port}/"
    # XENOSIM_WARM: the server builds the first model while it starts (see teaching/app.py)
    env = dict(os.environ, XENOSIM_LESSON="" if lesson is None else str(lesson), XENOSIM_WARM="1",
               # Solara's corner badge sat over the plots' legend: the sidebar credits Solara
               SOLARA_THEME_SHOW_BANNER="False")
    # solara warns about cookies on plain http (harmless on localhost): keep the console readable
    cmd = [sys.executable, "-W", "ignore:Cookies with samesite=none:UserWarning", "-m",
           SERVER_MODULE, "--host", host, "--port", str(port)]
    what = f"lesson {lesson}" if lesson is not None else "default settings"
    console.print(f"starting the teaching page ({what}) at [bold]{url}[/] ...", highlight=False)
    import urllib.request  # here, not at start-up: `xenosim --help` need not load http

    proc = subprocess.Popen(cmd, env=env)
    # a plain `kill` (SIGTERM) must stop the server too, not orphan it
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        if proc.poll() is not None:
            err_console.print("[bold red]error:[/] the page server stopped (see above)")
            raise typer.Exit(1)
        console.print(f"teaching page ready: [bold]{url}[/]   (Ctrl-C to stop)", highlight=False)
        if browser:
            webbrowser.open(url)
        proc.wait()
    except KeyboardInterrupt:
        console.print("stopping")
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
