"""Sweep throughput for ``python -m xenosim.bench``: tasks/min and per-task overhead on Dask.

Overhead per task = (wall time x workers - sum of the tasks' own compute times) / tasks, measured
on a LocalCluster that is already up and whose workers are warm (the cluster's start-up and each
worker's one-time warm-up, its imports and compiled-kernel loads, are reported separately, and
the overhead with the warm-up spread over the tasks too); it includes scheduling, shipping the
experiment to the worker and the result back, writing the two Parquet files and idle time at the
end of the sweep. It is compared with the time of one default-size task: one task of
``configs/sweeps/cci779_dose.yaml`` as shipped, run in this process.
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


def warm_worker() -> float:
    """What a worker does once before its first task, timed (s): the task's imports and one
    step of a small tumour on the default engine (the fused engine's compiled kernels loaded
    from the cache)."""
    start = time.perf_counter()
    import numpy as np

    import xenosim.sweep.task  # noqa: F401
    import xenosim.xenograft.runner  # noqa: F401
    from xenosim.biology.signalling import Exposure
    from xenosim.core.genotypes import cell_line
    from xenosim.core.parameters import resolve
    from xenosim.core.tumour import Tumour

    tumour = Tumour(cell_line("mcf7_vector"), 100, 1e6, resolve(), np.random.default_rng(0))
    tumour.step(Exposure(e2_nM=0.1), 12.0)
    return time.perf_counter() - start


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
        warm_s = list(client.run(warm_worker).values())  # once per worker, before the timing
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
            "startup_s": startup_s, "workers": workers, "worker_warmup_s": max(warm_s),
            "overhead_with_warmup_s": overhead + sum(warm_s) / n}
