"""Sweep throughput for ``python -m xenosim.bench``: tasks/min and per-task overhead on Dask.

Overhead per task = (wall time x workers - sum of the tasks' own compute times) / tasks, measured
on a LocalCluster that is already up (its start-up is reported separately); it includes
scheduling, shipping the experiment to the worker and the result back, writing the two Parquet
files and idle time at the end of the sweep. It is compared with the time of one default-size
task: one task of ``configs/sweeps/cci779_dose.yaml`` as shipped, run in this process.
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / "configs" / "sweeps" / "cci779_dose.yaml"
#: Small tasks for the throughput run (so the benchmark takes ~1 min): 1 mouse per arm, 14 days.
SMALL = {"mice_per_arm": 1, "spare_mice_fraction": 0.5, "study_days": 14,
         "cells_per_agent": 30000}


def sweep_throughput(n_tasks: int, workers: int = 2) -> dict[str, float]:
    """Run ``n_tasks`` small tasks on a ``workers``-worker LocalCluster; time one default task."""
    from dask.distributed import Client, LocalCluster

    from xenosim.sweep.analysis import read_results
    from xenosim.sweep.config import deep_merge, load_sweep
    from xenosim.sweep.design import make_tasks
    from xenosim.sweep.runner import run_sweep
    from xenosim.sweep.task import run_task

    loaded = load_sweep(CONFIG)
    default_task = make_tasks(loaded.config)[0]
    start = time.perf_counter()
    res = run_task(default_task.task_id,
                   loaded.experiment_raw(default_task.params, default_task.seed))
    default_task_s = time.perf_counter() - start
    assert res.ok, res.error

    small = load_sweep(CONFIG, {"replicates": max(1, -(-n_tasks // 6))})
    small.base_raw = deep_merge(small.base_raw, SMALL)
    t0 = time.perf_counter()
    # loopback only; CRITICAL: a worker's last heartbeat after the scheduler closed logs a
    # harmless ERROR traceback at shutdown
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address="127.0.0.1:0",
                           silence_logs=logging.CRITICAL)
    client = Client(cluster)
    client.wait_for_workers(workers)
    startup_s = time.perf_counter() - t0
    try:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            outcome = run_sweep(small, Path(tmp), client=client, figures=False)
            wall = time.perf_counter() - start
            results = read_results(outcome.out_dir)
            compute = results.groupby("task", observed=True)["elapsed_s"].first().sum()
            n = outcome.n_done
    finally:
        client.close()
        cluster.close()
    overhead = (wall * workers - compute) / n
    return {"tasks": n, "wall_s": wall, "tasks_per_min": 60.0 * n / wall,
            "task_s": compute / n, "overhead_s": overhead,
            "overhead_fraction": overhead / (compute / n), "default_task_s": default_task_s,
            "startup_s": startup_s, "workers": workers}
