"""Run a sweep on Dask: tasks stream into Parquet datasets partitioned by task.

Layout of ``<out>/<sweep>/``:

- ``sweep.json``: the resolved sweep, its fingerprint, versions, the last run's counts;
- ``tasks.csv``: the design, one row per task (id, point, replicate, seed, parameter values,
  status ``done`` / ``failed`` / ``pending``);
- ``results.parquet/task=<id>/part-0.parquet``: per cell line x arm metrics of a finished task,
  with the task's parameters, replicate and seed as columns;
- ``measurements.parquet/task=<id>/part-0.parquet``: its per-mouse caliper table, same columns;
- ``errors/<id>.json``: a failed task's error and traceback (removed once it succeeds);
- ``summary.csv``, figures and ``report.md`` once the run ends.

Consistency: only the client process writes; each task's files are written to hidden temporary
names and renamed into place (the results file last, and it alone marks a task finished), so a
kill or Ctrl-C at any moment leaves finished tasks complete and nothing else visible. Re-running
skips finished tasks and retries failed ones. A worker that dies mid-task (killed, out of memory)
is replaced by the ``LocalCluster`` nanny and its task is rescheduled by the Dask scheduler (up
to ``distributed.scheduler.allowed-failures`` times; then it is recorded as failed).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from xenosim.core.output import package_versions
from xenosim.sweep.config import LoadedSweep
from xenosim.sweep.design import Task, make_tasks
from xenosim.sweep.task import TaskResult, run_task

RESULTS = "results.parquet"
MEASUREMENTS = "measurements.parquet"
PART = "part-0.parquet"


class SweepOutputError(Exception):
    """The sweep cannot run: its output directory holds a different sweep, or the scheduler
    cannot be reached."""


@dataclass
class SweepOutcome:
    """Counts of one ``run_sweep`` call."""

    out_dir: Path
    n_tasks: int
    n_skipped: int
    n_done: int
    n_failed: int
    interrupted: bool
    elapsed_s: float
    figures: list[str]


def fingerprint(loaded: LoadedSweep) -> str:
    """What makes two runs the same sweep: the base (with overrides), seed and parameter paths.

    The design (values, ranges, n, replicates) may change between runs: tasks with the same
    values and replicate are the same task and are reused.
    """
    cfg = loaded.config
    payload = {"base": loaded.base_raw, "seed": cfg.seed,
               "parameters": [[p.name, p.paths] for p in cfg.parameters]}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.tmp"
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.tmp"
    table = pa.Table.from_pandas(df, preserve_index=False)
    # an empty text column has no type in pandas: make it a string, as in non-empty files
    table = table.cast(pa.schema([pa.field(f.name, pa.string()) if pa.types.is_null(f.type)
                                  else f for f in table.schema]))
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    except BaseException:  # Ctrl-C mid-write: no half file left behind
        tmp.unlink(missing_ok=True)
        raise


def _with_task_columns(df: pd.DataFrame, task: Task) -> pd.DataFrame:
    df = df.copy()
    for name, value in task.values:
        df[name] = value
    df["replicate"] = task.replicate
    df["seed"] = task.seed
    return df


def result_path(out: Path, task_id: str, dataset: str = RESULTS) -> Path:
    return out / dataset / f"task={task_id}" / PART


def _clean_partials(out: Path) -> None:
    """Remove temporary files and orphaned partitions left by a killed run."""
    for dataset in (RESULTS, MEASUREMENTS, "errors"):
        d = out / dataset
        if not d.is_dir():
            continue
        for tmp in d.rglob(".*.tmp"):
            tmp.unlink(missing_ok=True)
    meas = out / MEASUREMENTS
    if meas.is_dir():
        for part in meas.iterdir():
            if part.is_dir() and part.name.startswith("task="):
                if not result_path(out, part.name.removeprefix("task=")).exists():
                    for f in part.iterdir():
                        f.unlink()
                    part.rmdir()


def _prepare_output(loaded: LoadedSweep, out_root: Path) -> Path:
    """The sweep's output directory, checked to hold this sweep (or nothing); not created."""
    out = Path(out_root) / loaded.config.sweep
    manifest = out / "sweep.json"
    fp = fingerprint(loaded)
    if manifest.exists():
        try:
            old = json.loads(manifest.read_text()).get("fingerprint")
        except (OSError, json.JSONDecodeError):
            old = None
        if old is not None and old != fp:
            raise SweepOutputError(
                f"{out} holds results of a different sweep (its base experiment, seed or "
                f"parameter paths differ); choose another --out or remove that directory")
    return out


#: Packages a sweep's results also depend on (beyond a run's).
SWEEP_PACKAGES = ("dask", "distributed", "pyarrow", "SALib")


def _write_manifest(out: Path, loaded: LoadedSweep, extra: dict) -> None:
    data = {"sweep": loaded.config.sweep, "config_file": loaded.file,
            "fingerprint": fingerprint(loaded),
            "config": loaded.config.model_dump(mode="json"), "base_experiment": loaded.base_raw,
            "versions": package_versions(SWEEP_PACKAGES), **extra}
    _atomic_write_bytes(out / "sweep.json", json.dumps(data, indent=2, default=str).encode())


def task_table(tasks: list[Task], out: Path) -> pd.DataFrame:
    """The design with each task's status on disk."""
    rows = []
    for t in tasks:
        status = "done" if result_path(out, t.task_id).exists() else (
            "failed" if (out / "errors" / f"{t.task_id}.json").exists() else "pending")
        rows.append({"task": t.task_id, "point": t.point, "replicate": t.replicate,
                     "seed": t.seed, **t.params, "status": status})
    return pd.DataFrame(rows)


def _write_task_table(tasks: list[Task], out: Path) -> pd.DataFrame:
    table = task_table(tasks, out)
    _atomic_write_bytes(out / "tasks.csv", table.to_csv(index=False).encode())
    return table


def _record(out: Path, task: Task, res: TaskResult) -> None:
    err = out / "errors" / f"{task.task_id}.json"
    if res.ok:
        if len(res.measurements):  # no file when no mouse was measured
            _write_parquet(_with_task_columns(res.measurements, task),
                           result_path(out, task.task_id, MEASUREMENTS))
        metrics = _with_task_columns(res.metrics, task)
        metrics["elapsed_s"] = res.elapsed_s
        _write_parquet(metrics, result_path(out, task.task_id))  # last: marks the task done
        err.unlink(missing_ok=True)
    else:
        _atomic_write_bytes(err, json.dumps({"task": task.task_id, "params": task.params,
                                             "replicate": task.replicate, "seed": task.seed,
                                             "worker": res.worker, "error": res.error},
                                            indent=2).encode())


def _describe(exc: BaseException) -> str:
    """Error text of a task that raised on its worker (or whose workers kept dying)."""
    import traceback

    from dask.distributed import KilledWorker

    if isinstance(exc, KilledWorker):
        return (f"KilledWorker: {exc} (every worker that ran this task died; see "
                f"distributed.scheduler.allowed-failures)")
    tb = "".join(traceback.format_exception(exc, limit=8))
    return f"{type(exc).__name__}: {exc}\n{tb}"


def _ignore_sigint_plugin():
    """A worker plugin: workers of our own LocalCluster ignore Ctrl-C (the terminal sends it to
    the whole process group); the client catches it and shuts the cluster down in order."""
    from dask.distributed import WorkerPlugin

    class IgnoreSigint(WorkerPlugin):
        def setup(self, worker) -> None:
            import signal
            import threading

            if threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGINT, signal.SIG_IGN)

    return IgnoreSigint()


class _Cluster:
    """A Dask client: on a scheduler address, or on a LocalCluster this object owns."""

    def __init__(self, scheduler: str | None, workers: int):
        from dask.distributed import Client, LocalCluster

        self.cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout="20s")
            except OSError as exc:
                raise SweepOutputError(f"could not reach the Dask scheduler {scheduler!r}: "
                                       f"{exc}") from None
        else:
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        dashboard_address=":0", silence_logs=logging.ERROR)  # random free port
            self.client = Client(self.cluster)
            self.client.register_plugin(_ignore_sigint_plugin(), name="xenosim-ignore-sigint")

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


def run_sweep(loaded: LoadedSweep, out_root: Path, *, scheduler: str | None = None,
              workers: int = 2, client=None,
              progress: Callable[[int, int], Callable[[TaskResult], None]] | None = None,
              task_fn: Callable[[str, dict], TaskResult] = run_task,
              figures: bool = True) -> SweepOutcome:
    """Run (or resume) a sweep; returns counts. ``client``: an existing Dask client to use.

    ``progress(n_pending, n_total)`` may return a callback called with every task result.
    A KeyboardInterrupt cancels the pending tasks and returns with ``interrupted=True``.
    """
    from dask.distributed import as_completed

    start = time.perf_counter()
    out = _prepare_output(loaded, out_root)
    all_tasks = make_tasks(loaded.config)
    unique = list({t.task_id: t for t in all_tasks}.values())
    done = {t.task_id for t in unique if result_path(out, t.task_id).exists()}
    pending = [t for t in unique if t.task_id not in done]
    own = None
    if pending and client is None:  # before writing anything: an unreachable scheduler
        own = _Cluster(scheduler, workers)  # leaves no output behind
        client = own.client
    try:
        out.mkdir(parents=True, exist_ok=True)
        _clean_partials(out)
        _write_task_table(all_tasks, out)
        _write_manifest(out, loaded, {"state": "running", "n_tasks": len(unique)})
    except BaseException:
        if own is not None:
            own.close()
        raise
    tick = progress(len(pending), len(unique)) if progress else None
    n_done = n_failed = 0
    interrupted = False
    futures: dict = {}
    try:
        if pending:
            for t in pending:
                raw = loaded.experiment_raw(t.params, t.seed)
                futures[client.submit(task_fn, t.task_id, raw, pure=False)] = t
            for fut in as_completed(list(futures)):
                task = futures[fut]
                try:
                    res = fut.result()
                except Exception as exc:  # noqa: BLE001 - recorded, the sweep goes on
                    res = TaskResult(task.task_id, False, error=_describe(exc))
                _record(out, task, res)
                del futures[fut]
                fut.release()  # the result is on disk: free client and worker memory
                n_done += res.ok
                n_failed += not res.ok
                if tick:
                    tick(res)
    except KeyboardInterrupt:
        interrupted = True
        for fut in futures:
            fut.cancel()
    finally:
        # the status table first (fast), then the cluster (slow): a second Ctrl-C while the
        # cluster shuts down must not leave a stale table
        table = _write_task_table(all_tasks, out)
        if own is not None:
            try:
                own.close()
            except KeyboardInterrupt:
                interrupted = True
    written: list[str] = []
    if not interrupted:
        from xenosim.sweep.analysis import write_summary

        written = write_summary(loaded, out, table, figures=figures)
    elapsed = time.perf_counter() - start
    _write_manifest(out, loaded, {
        "state": "interrupted" if interrupted else "finished",
        "n_tasks": len(unique), "n_skipped": len(done), "n_done_this_run": n_done,
        "n_failed": int((table["status"] == "failed").sum()),
        "elapsed_s": round(elapsed, 2), "files": written})
    return SweepOutcome(out, len(unique), len(done), n_done, n_failed, interrupted, elapsed,
                        written)
