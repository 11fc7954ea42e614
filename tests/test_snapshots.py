"""Per-cell snapshots: every cell's state on chosen days, written, read back and drawn."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from conftest import small_config_dict
from typer.testing import CliRunner

from xenosim.cli import app
from xenosim.xenograft.snapshots import cell_snapshot, load_snapshots, state_arrays, to_anndata


def _run(tmp_path, days="0,7,14", **over):
    cfg = tmp_path / "small.yaml"
    raw = small_config_dict(mice_per_arm=1, **over)
    cfg.write_text(yaml.safe_dump(raw))
    res = CliRunner().invoke(app, ["run", str(cfg), "--out", str(tmp_path / "out"), "--quiet",
                                   "--no-analyze", "--jobs", "1", "--snapshot-days", days])
    assert res.exit_code == 0, res.output
    return next((tmp_path / "out").glob("*/*/"))


def test_snapshots_hold_every_cell_on_every_day_and_match_the_means(tmp_path, no_run_figures):
    import pandas as pd

    run = _run(tmp_path)
    snap = load_snapshots(run)
    assert sorted(snap["day"].unique()) == [0.0, 7.0, 14.0]
    for col in ("x", "y", "z", "status", "akt", "mtorc1", "s6k1", "er_activity",
                "er_share_e2", "er_share_tamoxifen", "er_share_ser167", "akt_expression",
                "er_expression", "cell_id", "oxygen"):
        assert col in snap.columns, col
    # the per-mouse means in cells.csv are means of these very cells (viable ones)
    cells = pd.read_csv(run / "cells.csv")
    for (mouse, day), g in snap.groupby(["mouse", "day"], observed=True):
        row = cells[(cells["mouse"] == mouse) & np.isclose(cells["day"], day)].iloc[0]
        viable = g[g["status"].isin(["cycling", "quiescent", "arrested"])]
        assert len(g) == row["n_agents"]
        assert np.isclose(viable["akt"].mean(), row["mean_akt"], rtol=1e-4)
        assert np.isclose(viable["er_share_ser167"].mean(), row["er_share_ser167"], rtol=1e-4)
    one = load_snapshots(run, mouse=snap["mouse"].iloc[0], day=7)
    assert set(one["day"]) == {7.0} and one["mouse"].nunique() == 1
    assert (run / "snapshot_sections.png").is_file()


def test_new_state_arrays_flow_in_without_code_changes():
    from conftest import DEFAULT_CONFIG

    from xenosim.biology.signalling import Exposure
    from xenosim.core.tumour import Tumour
    from xenosim.xenograft.config import load_experiment
    from xenosim.xenograft.model import MouseModel

    exp = load_experiment(DEFAULT_CONFIG, {"cells_per_agent": 200000})
    model = MouseModel(exp, next(iter(exp.cell_lines)), rng=1)
    tumour: Tumour = model.tumour
    tumour.clone = np.arange(tumour.n_agents, dtype=np.int32) % 3  # a state added later
    assert "clone" in state_arrays(tumour)
    df = cell_snapshot(tumour, Exposure(), mouse="m", day=0.0)
    assert list(df["clone"][:4]) == [0, 1, 2, 0] and len(df) == tumour.n_agents


def test_bad_snapshot_days_are_refused(tmp_path):
    cfg = tmp_path / "small.yaml"
    cfg.write_text(yaml.safe_dump(small_config_dict()))
    for days, word in (("0,x", "not a number"), ("0,99", "past the study end")):
        res = CliRunner().invoke(app, ["run", str(cfg), "--out", str(tmp_path), "--quiet",
                                       "--snapshot-days", days])
        assert res.exit_code == 2 and word in res.output, res.output


def test_anndata_export(tmp_path, no_run_figures):
    pytest.importorskip("anndata")
    snap = load_snapshots(_run(tmp_path, days="0"))
    ad = to_anndata(snap)
    assert ad.n_obs == len(snap) and "akt" in ad.var_names and "s6k1" in ad.var_names
    assert ad.obsm["spatial"].shape == (len(snap), 3)
    # the matrix holds the snapshot's values, cell by cell (an independent read of the columns)
    for name in ("akt", "s6k1", "er_activity"):
        np.testing.assert_allclose(np.asarray(ad[:, name].X).ravel(), snap[name].to_numpy(),
                                   rtol=1e-6)
    np.testing.assert_allclose(ad.obsm["spatial"], snap[["x_mm", "y_mm", "z_mm"]].to_numpy())
    assert list(ad.obs["status"]) == list(snap["status"])
