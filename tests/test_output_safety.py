"""Never delete what the project did not write; preflight before simulating; one-line output
errors; unique run ids; stale partial directories cleaned; no half result after a kill."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from xenosim.cli import app
from xenosim.core.output import (
    OWN_MARKER,
    OutputError,
    atomic_directory,
    clean_stale_partials,
    new_run_id,
    preflight_output,
    write_files_atomically,
)

ROOT = Path(__file__).resolve().parents[1]
CALIPERS = ROOT / "configs" / "calibration" / "example_calipers.csv"
runner = CliRunner()


def _analyze(out: Path):
    return runner.invoke(app, ["analyze", str(CALIPERS), "--out", str(out), "--id", "Animal",
                               "--arm", "Group", "--day", "Day", "--length", "L", "--width", "W",
                               "--control", "vehicle", "--combination", "none",
                               "--n-boot", "50"])


def _wait_for_pool(proc: subprocess.Popen, timeout_s: float) -> list[int]:
    """Pids of ``proc``'s children once its pool runs (resource tracker + 2 workers)."""
    kids: list[int] = []
    deadline = time.time() + timeout_s
    while time.time() < deadline and len(kids) < 3:
        time.sleep(0.5)
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True)
        kids = [int(p) for p in children.stdout.split()]
    assert len(kids) >= 3, "the pool never started"
    return kids


def test_analyze_keeps_a_users_files_and_replaces_only_its_own_output(tmp_path):
    users = tmp_path / "mine"
    users.mkdir()
    (users / "thesis.docx").write_text("years of work")
    res = _analyze(users)
    assert res.exit_code == 2, res.output
    assert "refusing" in res.output and "Traceback" not in res.output
    assert (users / "thesis.docx").read_text() == "years of work"
    assert sorted(p.name for p in users.iterdir()) == ["thesis.docx"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]

    ours = tmp_path / "analysis"
    assert _analyze(ours).exit_code == 0
    assert json.loads((ours / OWN_MARKER).read_text())["kind"] == "analysis"
    first = (ours / "report.md").stat().st_mtime_ns
    assert _analyze(ours).exit_code == 0  # a previous analysis of ours is replaced
    assert (ours / "report.md").stat().st_mtime_ns >= first
    (ours / "notes.txt").write_text("my notes")  # ... but not once the user added a file
    res = _analyze(ours)
    assert res.exit_code == 2 and "notes.txt" in res.output
    assert (ours / "notes.txt").read_text() == "my notes"


def test_an_analysis_never_replaces_a_run_directory_or_the_working_directory(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    for name in ("manifest.json", "measurements.csv", "mice.csv"):
        (run / name).write_text("{}" if name.endswith("json") else "a,b\n")
    with pytest.raises(OutputError, match="xenosim run"):
        write_files_atomically(run, {"report.md": b"x"}, kind="analysis")
    assert sorted(p.name for p in run.iterdir()) == ["manifest.json", "measurements.csv",
                                                     "mice.csv"]
    cwd = Path.cwd()
    with pytest.raises(OutputError):
        write_files_atomically(cwd, {"report.md": b"x"}, kind="analysis")
    assert not (cwd / "report.md").exists()


def test_empty_directory_is_used_and_nothing_is_left_beside_it(tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    write_files_atomically(out, {"tables/a.csv": b"1\n", "report.md": b"r"}, kind="compare")
    assert (out / "tables" / "a.csv").read_bytes() == b"1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


def test_stale_partials_are_removed_and_live_ones_kept(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".old-run.{dead.pid}.partial"
    live = tmp_path / f".other-run.{os.getpid()}.partial"
    users = tmp_path / ".hidden.partial"  # not ours: no pid in the name
    for d in (stale, live, users):
        d.mkdir()
    with atomic_directory(tmp_path / "new-run") as tmp:
        (tmp / "x").write_text("x")
    assert not stale.exists() and live.exists() and users.exists()
    assert (tmp_path / "new-run" / "x").exists()
    assert clean_stale_partials(tmp_path) == []


def test_run_ids_are_unique_and_two_runs_into_one_place_both_succeed(tmp_path):
    ids = {new_run_id(7) for _ in range(2000)}
    assert len(ids) == 2000
    a, b = (tmp_path / "exp" / new_run_id(7) for _ in range(2))
    with atomic_directory(a) as ta, atomic_directory(b) as tb:  # overlapping, same parent
        (ta / "m").write_text("a")
        (tb / "m").write_text("b")
    assert (a / "m").read_text() == "a" and (b / "m").read_text() == "b"


def test_preflight_refuses_unwritable_locations_before_any_simulation(tmp_path, small_config):
    afile = tmp_path / "afile"
    afile.write_text("x")
    for out in (afile, afile / "sub"):
        t0 = time.perf_counter()
        res = runner.invoke(app, ["run", str(small_config), "--out", str(out), "--quiet",
                                  "--jobs", "1", "--no-analyze"])
        assert res.exit_code == 2, res.output
        assert "cannot write" in res.output and "Traceback" not in res.output
        assert str(afile.name) in res.output
        assert time.perf_counter() - t0 < 5  # refused before simulating
    with pytest.raises(OutputError, match="needs"):
        preflight_output(tmp_path / "new", need_bytes=10**18)


def test_runaway_size_needs_force(tmp_path, small_raw):
    cfg = tmp_path / "big.yaml"
    cfg.write_text(yaml.safe_dump(small_raw(cells_per_agent=1)))
    res = runner.invoke(app, ["run", str(cfg), "--out", str(tmp_path / "o"), "--quiet",
                              "--jobs", "1"])
    assert res.exit_code == 2 and "--force" in res.output and "GB" in res.output
    assert "cells_per_agent" in res.output


def _tmpfs(path: Path, size: str) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    path.mkdir()
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True).returncode == 0


def test_disk_full_is_a_clean_error_and_leaves_nothing(tmp_path, small_config):
    disk = tmp_path / "disk"
    if not _tmpfs(disk, "256k"):
        pytest.skip("needs root and a tmpfs mount to simulate a full disk")
    try:
        with pytest.raises(OutputError, match="no space left"):
            write_files_atomically(disk / "analysis", {"big.bin": b"0" * 400_000},
                                   kind="analysis")
        assert list(disk.iterdir()) == []
        res = runner.invoke(app, ["run", str(small_config), "--out", str(disk), "--quiet",
                                  "--jobs", "1", "--no-analyze"])
        assert res.exit_code == 2 and "free" in res.output, res.output  # preflight: no room
        assert "Traceback" not in res.output and list(disk.iterdir()) == []
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


def test_sigkill_during_a_run_leaves_nothing_that_looks_complete(tmp_path, small_raw):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump(small_raw(mice_per_arm=4)))
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", "from xenosim.cli import app; app()", "run",
                             str(cfg), "--out", str(out), "--quiet", "--jobs", "2",
                             "--no-analyze"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    kids = _wait_for_pool(proc, 30)
    time.sleep(1.0)  # the workers are simulating
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 10
    while time.time() < deadline and any(_alive(k) for k in kids):
        time.sleep(0.2)
    assert not [k for k in kids if _alive(k)], "pool workers outlived the killed command"
    runs = list(out.rglob("manifest.json")) if out.exists() else []
    assert runs == [], "a killed run left a directory that looks complete"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its (dead) parent's reaper counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


#: Wrapper for `xenosim run` that presses Ctrl-C (SIGINT to the process group) while the run
#: directory is being written: after the tables, where the figures would be drawn (drawing them
#: first would only make the test slower), before the report and manifest. It first notes what
#: the partial directory holds, so the test knows writing was under way.
_CTRL_C_WHILE_WRITING = """
import os, signal, sys, time
from xenosim.xenograft import figures
def all_run_figures(tables, tmp, *args, **kwargs):
    with open(os.environ["SEEN"], "w") as fh:
        fh.write(str(tmp) + "\\n" + "\\n".join(sorted(os.listdir(tmp))))
    os.killpg(0, signal.SIGINT)
    time.sleep(30)  # interrupted by the KeyboardInterrupt
figures.all_run_figures = all_run_figures
from xenosim.cli import app
sys.argv[0] = "xenosim"
app()
"""


def _start(code: str, args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)  # its own process group, as a terminal's


def _tables(run_root: Path) -> dict[str, str]:
    (manifest,) = run_root.rglob("manifest.json")
    return {n: (manifest.parent / n).read_text() for n in ("measurements.csv", "mice.csv",
                                                           "cells.csv")}


@pytest.fixture
def ctrl_c_handled():
    """Python's Ctrl-C handler, installed afresh in this process (and so the default SIGINT
    disposition in the subprocesses it starts). In full-suite runs, once the session's shared
    Dask cluster (conftest ``dask_cluster2``) lives in this process, SIGINT neither raised here
    nor reached children, though ``signal.getsignal`` and the signal mask were unchanged.
    Installing the handler again rewrites the C-level one."""
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _nothing_complete(out: Path) -> None:
    assert not list(out.rglob("manifest.json")), "an interrupted run looks complete"
    assert not list(out.rglob("*.partial")), "an interrupted run left its partial directory"


def test_ctrl_c_during_simulation_and_writing_leaves_nothing_and_a_rerun_is_identical(
        tmp_path, small_raw, ctrl_c_handled, no_run_figures):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump(small_raw(mice_per_arm=4)))
    out, ref = tmp_path / "out", tmp_path / "ref"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SEEN": str(tmp_path / "seen.txt")}
    args = ["run", str(cfg), "--out", str(out), "--quiet", "--no-analyze"]
    # 1. Ctrl-C while the pool workers simulate (a longer study, so that they still are)
    long_cfg = tmp_path / "long.yaml"
    long_cfg.write_text(yaml.safe_dump(small_raw(mice_per_arm=6, study_days=56)))
    proc = _start("from xenosim.cli import app; app()",
                  ["run", str(long_cfg), *args[2:], "--jobs", "2"], env)
    kids = _wait_for_pool(proc, 60)
    time.sleep(1.0)  # the workers are simulating
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)  # no waiting for the mice being simulated
    assert proc.returncode != 0 and "Traceback" not in err, err[-2000:]
    deadline = time.time() + 10
    while time.time() < deadline and any(_alive(k) for k in kids):
        time.sleep(0.2)
    assert not [k for k in kids if _alive(k)], "pool workers outlived Ctrl-C"
    _nothing_complete(out)
    assert not (out / "degraffenried2004").exists(), "writing had begun: not a Ctrl-C in the " \
                                                     "simulation"
    # 2. Ctrl-C while the run directory is being written
    proc = _start(_CTRL_C_WHILE_WRITING, [*args, "--jobs", "1"], env)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode != 0 and "Traceback" not in err, err[-2000:]
    partial, *seen = (tmp_path / "seen.txt").read_text().splitlines()
    assert partial.endswith(".partial") and "measurements.csv" in seen  # writing was under way
    _nothing_complete(out)
    # 3. the re-run into the same place gives what an uninterrupted run gives (the tables; the
    # figures, drawn from them, are left out by no_run_figures: they cost most of a small run)
    for root, jobs in ((out, "1"), (ref, "2")):
        res = runner.invoke(app, ["run", str(cfg), "--out", str(root), "--quiet", "--jobs", jobs,
                                  "--no-analyze"])
        assert res.exit_code == 0, res.output
    assert _tables(out) == _tables(ref)


def test_ctrl_c_stops_the_pool_workers_at_once(ctrl_c_handled):
    """Ctrl-C in `run_tasks` ends the workers now, not when their 60 s tasks are done."""
    import multiprocessing
    import threading

    from xenosim.xenograft.runner import run_tasks

    # children of this test process from earlier tests (a Dask nanny's worker may still be
    # exiting) are not the pool's
    before = set(multiprocessing.active_children())
    # Ctrl-C once the workers sleep (a real signal: it wakes the wait for the first result)
    # (to the main thread, as a terminal's Ctrl-C is handled there: another thread of this
    # process, left by an earlier test, must not take it)
    timer = threading.Timer(8.0, signal.pthread_kill, (threading.main_thread().ident,
                                                       signal.SIGINT))
    timer.start()
    t0 = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            run_tasks(time.sleep, [(60,), (60,), (60,)], jobs=2)
    finally:
        timer.cancel()
    assert time.monotonic() - t0 < 40, "the interrupted pool waited for its tasks"
    # (the session's shared Dask cluster lives in this process: its nanny may restart a worker
    # meanwhile; that process is not the pool's)
    assert [c for c in multiprocessing.active_children()
            if c not in before and not c.name.startswith("Dask")] == []
