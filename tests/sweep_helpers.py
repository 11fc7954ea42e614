"""Task functions for the sweep tests, shipped to Dask workers by value (cloudpickle)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pandas as pd

from xenosim.sweep.task import TaskResult, run_task


def failing_for_dose(bad_dose: float, task_id: str, raw: dict) -> TaskResult:
    """The real task, except that it raises for one CCI-779 dose."""
    if raw["arms"]["tamoxifen+cci779"]["regimens"][1]["dose"] == bad_dose:
        raise RuntimeError(f"simulated failure at dose {bad_dose}")
    return run_task(task_id, raw)


def kills_its_worker_once(marker_dir: str, victim: str, task_id: str, raw: dict) -> TaskResult:
    """The real task, but the first attempt at ``victim`` SIGKILLs the worker process running it
    (as the OOM killer or a lost node would)."""
    marker = Path(marker_dir) / f"{task_id}.attempt"
    attempts = int(marker.read_text()) if marker.exists() else 0
    marker.write_text(str(attempts + 1))
    if task_id == victim and attempts == 0:
        os.kill(os.getpid(), signal.SIGKILL)
    return run_task(task_id, raw)


def analytic(task_id: str, raw: dict) -> TaskResult:
    """No simulation: growth rate = 2 a + 0.05 b + a c (known sensitivities), for the designs."""
    p = raw["parameters"]
    a, b, c = p["pi3k_basal_drive"], p["myr_akt_drive"], p["mtorc1_basal"]
    metrics = pd.DataFrame([{
        "cell_line": "mcf7_myr_akt", "arm": "tamoxifen", "n_mice": 1,
        "growth_rate_per_day": 2 * a + 0.05 * b + a * c, "fold_change_final": 1.0,
        "final_volume_mm3": 1.0, "n_endpoint": 0, "mean_akt": 0.5, "mean_mtorc1": 0.5,
        "mean_er_activity": 0.5, "er_share_ser167": 0.1}])
    meas = pd.DataFrame([{"mouse": "m1", "cell_line": "mcf7_myr_akt", "arm": "tamoxifen",
                          "day": 0.0, "volume_mm3": 150.0}])
    return TaskResult(task_id, True, metrics, meas)
