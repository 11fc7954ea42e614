"""Shared fixtures: small experiments built from the default config."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = ROOT / "configs" / "degraffenried2004.yaml"


def small_config_dict(**overrides) -> dict:
    """The default study at teaching resolution: coarse agents, short, few mice."""
    raw = yaml.safe_load(DEFAULT_CONFIG.read_text())
    raw.update({"cells_per_agent": 200000, "study_days": 14, "mice_per_arm": 2,
                "spare_mice_fraction": 0.0})
    raw["arms"] = {k: raw["arms"][k] for k in ("control", "tamoxifen+cci779")}
    raw.update(overrides)
    return raw


@pytest.fixture
def small_config(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small_config_dict()))
    return path


@pytest.fixture
def small_raw():
    """Factory for small config dicts (see small_config_dict)."""
    return small_config_dict


@pytest.fixture
def no_analysis_figures(monkeypatch):
    """Analyses draw no figures (the report's text and tables are unchanged; figures are
    checked by tests/test_analysis_end_to_end.py::test_outputs_written and the figure tests):
    for tests that check only an analysis's numbers or text, whose cost is mostly drawing."""
    from xenosim.analysis import pipeline

    monkeypatch.setattr(pipeline, "draw_figures", lambda *args, **kwargs: {})


@pytest.fixture
def no_run_figures(monkeypatch):
    """`xenosim run` (in this process) draws none of its four run figures: for tests that check
    only a run's tables, files or exit, whose cost is mostly drawing (the figures are checked by
    tests/test_tumour_and_cohort.py::test_run_writes_a_complete_result_directory)."""
    from xenosim.xenograft import figures

    monkeypatch.setattr(figures, "all_run_figures", lambda *args, **kwargs: [])


@pytest.fixture(scope="session")
def dask_cluster2():
    """One 2-worker (2 processes, 1 thread each) Dask LocalCluster for the whole session: the
    sweep, calibration and design tests share it instead of starting (and warming: each worker
    imports the model on its first task) a cluster of their own. Tests must not restart or kill
    its workers; a test that needs its own cluster (another worker count, worker death) starts
    one."""
    import logging

    from dask.distributed import LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
    yield cluster
    cluster.close()


# Modules whose tests run whole studies, servers, clusters or subprocesses: `make test-fast`
# (-m "not slow and not browser") leaves them out; `make test` runs everything.
SLOW_MODULES = {
    "test_validation", "test_design", "test_analysis_end_to_end", "test_sweep",
    "test_output_safety", "test_lessons", "test_invitro_biology", "test_invitro_config",
    "test_reference", "test_bench", "test_calibrate", "test_snapshots", "test_packaging",
    "test_regimen_events", "test_doseresponse", "test_analysis_combinations", "test_patients",
    "test_teaching", "test_scheduler_address", "test_analysis_inputs", "test_qualify",
    "test_teaching_server", "test_qualify_slow",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.stem in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (servers in tests bind the loopback only)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_app_ready(proc: subprocess.Popen, timeout_s: float = 600.0) -> list[str]:
    """Read ``xenosim app``'s output until it prints "teaching page ready" (readiness, not a
    fixed wait: a loaded 2-core machine can take minutes; the cap catches a hang); fail the test
    if it exits first or the cap passes. Returns the lines read."""
    started = time.monotonic()
    lines: list[str] = []
    while True:
        line = proc.stdout.readline()
        if not line:
            pytest.fail("xenosim app exited early:\n" + "".join(lines))
        lines.append(line)
        if "teaching page ready" in line:
            return lines
        if time.monotonic() - started > timeout_s:
            proc.terminate()
            pytest.fail(f"the page was not ready within {timeout_s:g} s:\n" + "".join(lines))
