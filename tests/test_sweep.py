"""Sweeps on Dask: determinism across worker counts, resume, failures, killed workers, Ctrl-C,
config errors, and the sensitivity designs (on an analytic task with known answers).

Tasks are tiny cohorts (1 cell line, 2 arms, 1 mouse per arm, coarse agents, 7 study days).
"""

from __future__ import annotations

import functools
import json
import logging
from pathlib import Path

import cloudpickle
import numpy as np
import pandas as pd
import pytest
import sweep_helpers
import yaml
from dask.distributed import Client, LocalCluster
from typer.testing import CliRunner

from xenosim.cli import app
from xenosim.core.config import ConfigErrors
from xenosim.sweep.analysis import read_results
from xenosim.sweep.config import load_sweep
from xenosim.sweep.design import make_tasks, task_identity
from xenosim.sweep.runner import run_sweep
from xenosim.sweep.task import run_task

cloudpickle.register_pickle_by_value(sweep_helpers)
ROOT = Path(__file__).resolve().parents[1]
DOSES = [2.0, 20.0]


def tiny_sweep(tmp_path: Path, **extra) -> Path:
    raw = {
        "sweep": "tiny", "base": str(ROOT / "configs" / "degraffenried2004.yaml"), "seed": 3,
        "replicates": 2, "cell_lines": ["mcf7_myr_akt"], "arms": ["tamoxifen", "tamoxifen+cci779"],
        "overrides": {"mice_per_arm": 1, "spare_mice_fraction": 0.5, "cells_per_agent": 1.0e6,
                      "study_days": 7},
        "parameters": [{"name": "cci779_dose_mg_kg",
                        "path": "arms.tamoxifen+cci779.regimens[1].dose", "values": DOSES}],
        "response": {"cell_line": "mcf7_myr_akt", "arm": "tamoxifen+cci779"},
    }
    raw.update(extra)
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def _cluster(n: int):
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
    return cluster, Client(cluster)


@pytest.fixture(scope="module")
def client2(dask_cluster2):
    client = Client(dask_cluster2)
    yield client
    client.close()


def _frame(out: Path, dataset: str = "results.parquet") -> pd.DataFrame:
    df = read_results(out, dataset).drop(columns=["elapsed_s"], errors="ignore")
    keys = [c for c in ("task", "cell_line", "arm", "mouse", "day") if c in df.columns]
    return df.sort_values(keys).reset_index(drop=True)


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory, client2):
    """A clean run of the tiny sweep on 2 workers: the reference every other run must match."""
    tmp = tmp_path_factory.mktemp("reference")
    loaded = load_sweep(tiny_sweep(tmp))
    outcome = run_sweep(loaded, tmp / "out", client=client2)
    assert outcome.n_done == 4 and outcome.n_failed == 0
    return outcome.out_dir, _frame(outcome.out_dir), _frame(outcome.out_dir,
                                                             "measurements.parquet")


def test_task_identity_depends_on_seed_values_and_replicate_only(tmp_path):
    tasks = make_tasks(load_sweep(tiny_sweep(tmp_path)).config)
    assert len({t.task_id for t in tasks}) == len({t.seed for t in tasks}) == 4
    shuffled = make_tasks(load_sweep(tiny_sweep(tmp_path, parameters=[{
        "name": "cci779_dose_mg_kg", "path": "arms.tamoxifen+cci779.regimens[1].dose",
        "values": DOSES[::-1] + [5.0]}])).config)
    same = {t.task_id: t.seed for t in shuffled}
    assert all(same[t.task_id] == t.seed for t in tasks)  # order and extra points don't matter
    assert task_identity(3, {"d": 2.0}, 0) != task_identity(4, {"d": 2.0}, 0)
    assert task_identity(3, {"d": 2.0}, 0) != task_identity(3, {"d": 2.0}, 1)


def test_identical_results_with_one_and_two_workers(tmp_path, reference_run):
    _, results, measurements = reference_run
    cluster, client = _cluster(1)
    try:
        outcome = run_sweep(load_sweep(tiny_sweep(tmp_path)), tmp_path / "one", client=client,
                            figures=False)
    finally:
        client.close()
        cluster.close()
    assert outcome.n_done == 4
    pd.testing.assert_frame_equal(_frame(outcome.out_dir), results)
    pd.testing.assert_frame_equal(_frame(outcome.out_dir, "measurements.parquet"), measurements)
    # parameters are columns, and the dose changes the combination arm only
    assert set(results["cci779_dose_mg_kg"]) == set(DOSES)
    assert {"replicate", "seed", "growth_rate_per_day", "task"} <= set(results.columns)


def test_outputs_summary_figure_and_report(reference_run):
    out, results, _ = reference_run
    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == len(DOSES) * 2 and (summary["n_replicates"] == 2).all()
    assert (out / "response.png").stat().st_size > 0
    assert "= 4 distinct tasks: 4 done, 0 failed" in (out / "report.md").read_text()
    tasks = pd.read_csv(out / "tasks.csv")
    assert (tasks["status"] == "done").all()
    assert json.loads((out / "sweep.json").read_text())["state"] == "finished"


def test_resume_skips_finished_tasks(tmp_path, client2, reference_run):
    loaded = load_sweep(tiny_sweep(tmp_path))
    # by scheduler address, as `xenosim sweep --scheduler tcp://...` does
    first = run_sweep(loaded, tmp_path / "out", scheduler=client2.scheduler.address,
                      figures=False)
    assert (first.n_done, first.n_skipped) == (4, 0)
    assert client2.status == "running"  # the sweep closed its own client, not the cluster
    again = run_sweep(loaded, tmp_path / "out", client=client2, figures=False)
    assert (again.n_done, again.n_skipped) == (0, 4)
    victim = sorted((first.out_dir / "results.parquet").iterdir())[0]
    for f in victim.iterdir():
        f.unlink()
    victim.rmdir()
    third = run_sweep(loaded, tmp_path / "out", client=client2, figures=False)
    assert (third.n_done, third.n_skipped) == (1, 3)
    pd.testing.assert_frame_equal(_frame(third.out_dir), reference_run[1])


def test_failing_task_is_recorded_and_the_rest_finish(tmp_path, client2, reference_run):
    loaded = load_sweep(tiny_sweep(tmp_path))
    fn = functools.partial(sweep_helpers.failing_for_dose, DOSES[0])
    outcome = run_sweep(loaded, tmp_path / "out", client=client2, task_fn=fn)
    assert (outcome.n_done, outcome.n_failed) == (2, 2)
    errors = pd.read_csv(outcome.out_dir / "errors.csv")
    assert set(errors["cci779_dose_mg_kg"]) == {DOSES[0]}
    assert errors["error"].str.contains("simulated failure at dose").all()
    assert "2 failed" in (outcome.out_dir / "report.md").read_text()
    tasks = pd.read_csv(outcome.out_dir / "tasks.csv")
    assert sorted(tasks["status"]) == ["done", "done", "failed", "failed"]
    # re-running retries the failed tasks only; then everything matches the clean run
    retry = run_sweep(loaded, tmp_path / "out", client=client2, figures=False)
    assert (retry.n_done, retry.n_skipped, retry.n_failed) == (2, 2, 0)
    assert not (outcome.out_dir / "errors.csv").exists()
    pd.testing.assert_frame_equal(_frame(retry.out_dir), reference_run[1])


def test_run_task_captures_errors():
    res = run_task("x", {"experiment": "no spaces allowed"})
    assert not res.ok and "ConfigErrors" in res.error and res.metrics is None


def test_worker_killed_mid_sweep_loses_nothing(tmp_path, client2, reference_run):
    loaded = load_sweep(tiny_sweep(tmp_path))
    victim = make_tasks(loaded.config)[1].task_id
    markers = tmp_path / "markers"
    markers.mkdir()
    fn = functools.partial(sweep_helpers.kills_its_worker_once, str(markers), victim)
    outcome = run_sweep(loaded, tmp_path / "out", client=client2, task_fn=fn, figures=False)
    assert (outcome.n_done, outcome.n_failed) == (4, 0)
    assert (markers / f"{victim}.attempt").read_text() == "2"  # killed once, then rescheduled
    pd.testing.assert_frame_equal(_frame(outcome.out_dir), reference_run[1])
    pd.testing.assert_frame_equal(_frame(outcome.out_dir, "measurements.parquet"),
                                  reference_run[2])


def test_ctrl_c_leaves_a_consistent_dataset_and_resumes(tmp_path, client2, reference_run):
    loaded = load_sweep(tiny_sweep(tmp_path))
    seen = []

    def progress(n_pending, n_total):
        def tick(res):
            seen.append(res.task_id)
            if len(seen) == 2:
                raise KeyboardInterrupt
        return tick

    outcome = run_sweep(loaded, tmp_path / "out", client=client2, progress=progress)
    assert outcome.interrupted and outcome.n_done == 2
    out = outcome.out_dir
    parts = sorted(p.name for p in (out / "results.parquet").iterdir())
    assert parts == sorted(f"task={t}" for t in seen)
    assert not list(out.rglob("*.tmp"))
    assert sorted(pd.read_csv(out / "tasks.csv")["status"]) == ["done", "done", "pending",
                                                                "pending"]
    assert json.loads((out / "sweep.json").read_text())["state"] == "interrupted"
    resumed = run_sweep(loaded, tmp_path / "out", client=client2, figures=False)
    assert (resumed.n_done, resumed.n_skipped) == (2, 2)
    pd.testing.assert_frame_equal(_frame(out), reference_run[1])


def test_other_sweep_in_same_output_is_refused(tmp_path, client2, reference_run):
    out_root = reference_run[0].parent
    res = CliRunner().invoke(app, ["sweep", str(tiny_sweep(tmp_path, seed=99)), "--out",
                                   str(out_root), "--quiet"])
    assert res.exit_code == 2 and "different sweep" in res.output


@pytest.mark.parametrize(("change", "where", "text"), [
    ({"parameters": [{"name": "d", "path": "arms.tamoxifen+cci779.regimens[5].dose",
                      "values": [1.0]}]}, "parameters[0].path", "no list item 5"),
    ({"parameters": [{"name": "d", "path": "parameters.no_such_parameter", "values": [1.0]}]},
     "parameters[0] (d)", "unknown parameter"),
    ({"parameters": [{"name": "d", "path": "arms.tamoxifen+cci779.regimens[1].dose",
                      "values": [-1.0]}]}, "parameters[0] (d)", "greater than 0"),
    ({"design": {"method": "lhs"}}, "", "give low and high"),
    ({"arms": ["tamoxifen", "no_such_arm"]}, "arms", "not in the base"),
    ({"response": {"cell_line": "mcf7_myr_akt", "arm": "control"}}, "response.arm",
     "not an arm"),
    ({"replicates": 0}, "replicates", "greater than or equal to 1"),
])
def test_bad_sweep_configs_are_located_errors(tmp_path, change, where, text):
    path = tiny_sweep(tmp_path, **change)
    with pytest.raises(ConfigErrors) as exc:
        load_sweep(path)
    assert any(e.path == where and text in e.message for e in exc.value.errors), exc.value
    res = CliRunner().invoke(app, ["sweep", str(path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "tiny.yaml" in res.output and not (tmp_path / "o").exists()


def _analytic_sweep(tmp_path: Path, method: str, n: int) -> Path:
    return tiny_sweep(tmp_path, replicates=1, design={"method": method, "n": n}, parameters=[
        {"name": "a", "path": "parameters.pi3k_basal_drive", "low": 0.1, "high": 1.0},
        {"name": "b", "path": "parameters.myr_akt_drive", "low": 0.1, "high": 1.0},
        {"name": "c", "path": "parameters.mtorc1_basal", "low": 0.1, "high": 0.5},
    ], response={"cell_line": "mcf7_myr_akt", "arm": "tamoxifen"})


@pytest.mark.parametrize("method", ["sobol", "morris"])
def test_sensitivity_designs_rank_parameters(tmp_path, client2, method):
    """Response 2a + 0.05b + ac: a dominates, b is nearly inert (the analysis can tell)."""
    loaded = load_sweep(_analytic_sweep(tmp_path, method, 32 if method == "sobol" else 10))
    outcome = run_sweep(loaded, tmp_path / "out", client=client2, task_fn=sweep_helpers.analytic)
    sens = pd.read_csv(outcome.out_dir / "sensitivity.csv").set_index("parameter")
    key = "ST" if method == "sobol" else "mu_star"
    assert sens.loc["a", key] > 5 * sens.loc["b", key]
    assert sens.loc["a", key] > sens.loc["c", key] > sens.loc["b", key]
    assert (outcome.out_dir / f"{method}.png").stat().st_size > 0


@pytest.mark.parametrize("method", ["random", "lhs"])
def test_sampled_designs_stay_in_range_and_are_reproducible(tmp_path, method):
    cfg = load_sweep(_analytic_sweep(tmp_path, method, 20)).config
    a, b = make_tasks(cfg), make_tasks(cfg)
    assert [t.params for t in a] == [t.params for t in b] and len(a) == 20
    x = np.array([[t.params["a"], t.params["c"]] for t in a])
    assert (x[:, 0] >= 0.1).all() and (x[:, 0] <= 1.0).all() and (x[:, 1] <= 0.5).all()
    if method == "lhs":  # one sample per stratum
        strata = np.floor((x[:, 0] - 0.1) / 0.9 * 20).astype(int)
        assert sorted(strata) == list(range(20))


def test_run_on_a_dask_scheduler_gives_the_same_study(tmp_path, client2, small_raw, no_run_figures):
    """`xenosim run --scheduler ADDR`: the cohort's mice on a Dask cluster, identical tables."""
    raw = small_raw(study_days=7, mice_per_arm=1)
    raw["cell_lines"] = {"mcf7_myr_akt": raw["cell_lines"]["mcf7_myr_akt"]}
    config = tmp_path / "small.yaml"
    config.write_text(yaml.safe_dump(raw))
    tables = []
    for name, extra in (("local", ["--jobs", "1"]),
                        ("dask", ["--scheduler", client2.scheduler.address])):
        res = CliRunner().invoke(app, ["run", str(config), "--out", str(tmp_path / name),
                                       "--quiet", "--no-analyze", *extra])
        assert res.exit_code == 0, res.output
        (run_dir,) = (tmp_path / name / "degraffenried2004").iterdir()
        tables.append(pd.read_csv(run_dir / "measurements.csv"))
    assert len(tables[0]) > 0
    pd.testing.assert_frame_equal(tables[0], tables[1])


def test_integer_parameters_are_whole_numbers_and_valid(tmp_path):
    path = tiny_sweep(tmp_path, design={"method": "lhs", "n": 8}, parameters=[
        {"name": "mice", "path": "mice_per_arm", "low": 1, "high": 4, "integer": True}])
    loaded = load_sweep(path)
    values = [t.params["mice"] for t in make_tasks(loaded.config)]
    assert all(isinstance(v, int) and 1 <= v <= 4 for v in values)
    assert loaded.experiment_raw({"mice": values[0]}, 1)["mice_per_arm"] == values[0]


def test_sweep_command_end_to_end(tmp_path):
    """`xenosim sweep` on its own 1-worker LocalCluster: exit 0, then a re-run skips everything."""
    path = tiny_sweep(tmp_path, replicates=1, parameters=[
        {"name": "cci779_dose_mg_kg", "path": "arms.tamoxifen+cci779.regimens[1].dose",
         "values": [20.0]}])
    args = ["sweep", str(path), "--out", str(tmp_path / "o"), "--workers", "1", "--quiet"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "1 task(s) run, 0 already done, 0 failed" in " ".join(res.output.split())
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and "0 task(s) run, 1 already done" in " ".join(
        again.output.split())
    assert (tmp_path / "o" / "tiny" / "response.png").exists()
