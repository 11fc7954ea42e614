"""Calibration recovers a known parameter from synthetic caliper data made by the model itself."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest
import yaml
from dask.distributed import Client, LocalCluster
from typer.testing import CliRunner

from xenosim.cli import app
from xenosim.core.config import ConfigErrors
from xenosim.sweep.calibrate import load_calibration, run_calibration
from xenosim.xenograft.config import validate_dict
from xenosim.xenograft.runner import run_cohort

ROOT = Path(__file__).resolve().parents[1]
TRUE_FACTOR = 0.5  # invivo_cycling_factor used to make the synthetic "lab" data
SMALL = {"mice_per_arm": 3, "spare_mice_fraction": 0.5, "cells_per_agent": 1.0e6,
         "study_days": 21}


def _synthetic_target(tmp_path: Path) -> Path:
    """A lab-style table (own column names, group 'vehicle') from one model cohort."""
    raw = yaml.safe_load((ROOT / "configs" / "degraffenried2004.yaml").read_text())
    raw.update(SMALL, seed=12345, parameters={"invivo_cycling_factor": TRUE_FACTOR})
    raw["cell_lines"] = {"mcf7_vector": raw["cell_lines"]["mcf7_vector"]}
    raw["arms"] = {"control": raw["arms"]["control"]}
    m = run_cohort(validate_dict(raw), jobs=1).measurements
    lab = pd.DataFrame({"Animal": m["mouse"], "Group": "vehicle", "Day": m["day"],
                        "Vol": m["volume_mm3"].round(1)})
    path = tmp_path / "lab.csv"
    lab.to_csv(path, index=False)
    return path


def _config(tmp_path: Path, target: Path, **extra) -> Path:
    raw = {"calibrate": "recover", "base": str(ROOT / "configs" / "degraffenried2004.yaml"),
           "target": {"file": target.name, "cell_line": "mcf7_vector",
                      "columns": {"mouse": "Animal", "arm": "Group", "day": "Day",
                                  "volume": "Vol"},
                      "arms": {"vehicle": "control"}},
           "seed": 5, "samples": 24, "accept": 0.25, "overrides": SMALL,
           "parameters": [{"name": "invivo_cycling_factor",
                           "path": "parameters.invivo_cycling_factor", "low": 0.2,
                           "high": 1.25, "scale": "log"}]}
    raw.update(extra)
    path = tmp_path / "calibrate.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


@pytest.mark.slow  # ~11 s: a whole (small) calibration on the sweep backend
def test_abc_recovers_the_cycling_factor_from_model_made_data(tmp_path, dask_cluster2):
    target = _synthetic_target(tmp_path)
    loaded = load_calibration(_config(tmp_path, target))
    client = Client(dask_cluster2)
    try:
        outcome, fitted = run_calibration(loaded, tmp_path / "out", client=client)
    finally:
        client.close()
    assert outcome.n_failed == 0
    f = fitted.set_index("parameter").loc["invivo_cycling_factor"]
    print(f)
    assert f["q05"] <= TRUE_FACTOR <= f["q95"]
    assert abs(f["posterior_median"] / TRUE_FACTOR - 1) < 0.25
    assert f["q95"] / f["q05"] < 0.5 * (1.25 / 0.2)  # the data narrow the prior
    out = outcome.out_dir
    fit = yaml.safe_load((out / "fit.yaml").read_text())
    assert fit["parameters"]["invivo_cycling_factor"] == pytest.approx(f["posterior_median"])
    assert fit["uncertainty"]["invivo_cycling_factor"]["posterior_sd"] > 0
    for name in ("fit.csv", "evaluations.csv", "calibration.png", "report.md"):
        assert (out / name).stat().st_size > 0


def test_bad_target_and_arms_are_located_errors(tmp_path):
    target = tmp_path / "lab.csv"
    target.write_text("Animal,Group,Day,Vol\nm1,vehicle,0,150\nm1,vehicle,3,abc\n"
                      "m2,vehicle,0,140\nm2,vehicle,3,160\n")
    with pytest.raises(ConfigErrors) as exc:
        load_calibration(_config(tmp_path, target))
    assert exc.value.errors[0].path == "target.file" and "Vol" in exc.value.errors[0].message
    target.write_text("Animal,Group,Day,Vol\nm1,weird,0,150\nm1,weird,3,170\n"
                      "m2,weird,0,140\nm2,weird,3,160\n")
    path = _config(tmp_path, target)
    with pytest.raises(ConfigErrors) as exc:
        load_calibration(path)
    assert "target arms" in exc.value.errors[0].path and "weird" in str(exc.value.errors[0].value)
    res = CliRunner().invoke(app, ["calibrate", str(path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert not (tmp_path / "o").exists()


def _no_tumour_task(task_id: str, raw: dict):
    """A finished evaluation in which no tumour reached randomisation (no measurements)."""
    from xenosim.sweep.config import METRICS
    from xenosim.sweep.task import TaskResult

    metrics = pd.DataFrame({"cell_line": ["mcf7_vector"], "arm": ["control"],
                            **{m: [float("nan")] for m in METRICS}})
    return TaskResult(task_id, True, metrics=metrics, measurements=pd.DataFrame())


def test_all_infinite_distances_leave_no_fit_and_no_traceback(tmp_path):
    target = tmp_path / "lab.csv"
    target.write_text("Animal,Group,Day,Vol\nm1,vehicle,0,150\nm1,vehicle,3,170\n"
                      "m2,vehicle,0,140\nm2,vehicle,3,160\n")
    loaded = load_calibration(_config(tmp_path, target, samples=4))
    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                           dashboard_address=None, silence_logs=logging.ERROR)
    client = Client(cluster)
    try:
        from xenosim.sweep.runner import SweepOutputError

        with pytest.raises(SweepOutputError, match="infinite") as exc:
            run_calibration(loaded, tmp_path / "out", client=client, task_fn=_no_tumour_task)
    finally:
        client.close()
        cluster.close()
    assert "calibrate.yaml" in str(exc.value)
    assert not list((tmp_path / "out").rglob("fit.yaml"))


def test_too_few_accepted_draws_are_flagged():
    import pandas as pd

    from xenosim.sweep.calibrate import MIN_ACCEPTED, fit_warnings

    def fitted(n):
        return pd.DataFrame([{"parameter": "k", "n_accepted": n, "n_evaluated": 5 * n}])

    (w,) = fit_warnings(fitted(2), accept=0.2)  # the 16-draw demo: 2 accepted
    assert "only 2 draw(s) accepted" in w and f"samples >= {MIN_ACCEPTED * 5}" in w
    assert fit_warnings(fitted(MIN_ACCEPTED), accept=0.2) == []
    assert fit_warnings(fitted(MIN_ACCEPTED - 1), accept=0.2)
