"""One sweep task, run on a Dask worker: a whole cohort study with the task's parameters.

``run_task`` is pure (its result depends on its arguments only) and never raises for a failing
simulation: the error is returned with the traceback, so the sweep records it and goes on.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

METRIC_COLUMNS = {"cell_line": object, "arm": object, "n_mice": "int64",
                  "growth_rate_per_day": "float64", "fold_change_final": "float64",
                  "final_volume_mm3": "float64", "n_endpoint": "int64", "mean_akt": "float64",
                  "mean_mtorc1": "float64", "mean_er_activity": "float64",
                  "er_share_ser167": "float64"}


@dataclass
class TaskResult:
    """What a task sends back: arm metrics and per-mouse measurements, or an error."""

    task_id: str
    ok: bool
    metrics: pd.DataFrame | None = None
    measurements: pd.DataFrame | None = None
    error: str = ""
    elapsed_s: float = 0.0
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")


def _slope(days: np.ndarray, volumes: np.ndarray) -> float:
    ok = np.isfinite(volumes) & (volumes > 0)
    if ok.sum() < 3:
        return float("nan")
    return float(np.polyfit(days[ok], np.log(volumes[ok]), 1)[0])


def arm_metrics(measurements: pd.DataFrame, cells: pd.DataFrame, mice: pd.DataFrame
                ) -> pd.DataFrame:
    """Per cell line x arm: the sweep's responses (medians / means over the arm's mice).

    growth_rate_per_day: median specific growth rate (log-linear fit of caliper volume over the
    treatment days); fold_change_final: median last / day-0 caliper volume; final_volume_mm3:
    mean last caliper volume; n_endpoint: mice that reached the humane endpoint; pathway means:
    mean over mice of the viable-cell means at each mouse's last measurement.
    """
    rows = []
    if measurements.empty:  # no mouse enrolled: typed, empty (one schema for the dataset)
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in METRIC_COLUMNS.items()})
    treat = measurements[measurements["day"] >= 0]
    for (line, arm), g in treat.groupby(["cell_line", "arm"], sort=True):
        rates, folds, finals = [], [], []
        for _, m in g.groupby("mouse", sort=True):
            m = m.sort_values("day")
            rates.append(_slope(m["day"].to_numpy(), m["volume_mm3"].to_numpy()))
            folds.append(m["volume_mm3"].iloc[-1] / m["volume_mm3"].iloc[0])
            finals.append(m["volume_mm3"].iloc[-1])
        c = cells[(cells["cell_line"] == line) & (cells["arm"] == arm)]
        last = c.sort_values("day").groupby("mouse").tail(1)
        arm_mice = mice[(mice["cell_line"] == line) & (mice["arm"] == arm)]
        rates_arr = np.array(rates, dtype=float)
        rows.append({
            "cell_line": line, "arm": arm, "n_mice": int(g["mouse"].nunique()),
            "growth_rate_per_day": float(np.nanmedian(rates_arr))
            if np.isfinite(rates_arr).any() else float("nan"),
            "fold_change_final": float(np.median(folds)),
            "final_volume_mm3": float(np.mean(finals)),
            "n_endpoint": int((arm_mice["event"] == "endpoint").sum()),
            "mean_akt": float(last["mean_akt"].mean()),
            "mean_mtorc1": float(last["mean_mtorc1"].mean()),
            "mean_er_activity": float(last["mean_er_activity"].mean()),
            "er_share_ser167": float(last["er_share_ser167"].mean()),
        })
    return pd.DataFrame(rows)


def run_task(task_id: str, experiment_raw: dict) -> TaskResult:
    """Run one cohort study (1 process, no nested parallelism) and summarise it per arm."""
    start = time.perf_counter()
    try:
        from xenosim.xenograft.config import validate_dict
        from xenosim.xenograft.runner import run_cohort, tidy_sort

        exp = validate_dict(experiment_raw, f"task {task_id}")
        res = run_cohort(exp, jobs=1)
        meas = tidy_sort(res.measurements)
        metrics = arm_metrics(meas, res.cells, res.mice)
        return TaskResult(task_id, True, metrics, meas, elapsed_s=time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 - recorded, the sweep goes on
        tb = traceback.format_exc(limit=8)
        return TaskResult(task_id, False, error=f"{type(exc).__name__}: {exc}\n{tb}",
                          elapsed_s=time.perf_counter() - start)
