"""Loading caliper data: column mapping, derived events, and malformed input that must raise
AnalysisInputError naming file, column and rows, with nothing written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xenosim.analysis import (
    AnalysisInputError,
    analyze,
    load_caliper_csv,
    load_results_dir,
)
from xenosim.analysis import pipeline as pipeline_mod
from xenosim.analysis.synthetic import simulate_study, write_results_dir

FIXTURE = Path(__file__).parent / "fixtures" / "analysis" / "lab_calipers.csv"
MAP = dict(id_col="Animal", arm_col="Group", day_col="Day", length_col="L", width_col="W")


def _lab(tmp_path: Path, edit=None, name: str = "calipers.csv") -> Path:
    df = pd.read_csv(FIXTURE)
    if edit is not None:
        df = edit(df)
    p = tmp_path / name
    df.to_csv(p, index=False)
    return p


def _listing(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _expect_error(path: Path, match: list[str], **kwargs) -> AnalysisInputError:
    """Loading + analysing must raise with every string in ``match`` and write nothing."""
    before = _listing(path.parent)
    with pytest.raises(AnalysisInputError) as info:
        data = load_caliper_csv(path, **{**MAP, **kwargs})
        analyze(data, path.parent / "out", n_boot=50)
    msg = str(info.value)
    for m in match:
        assert m in msg, (m, msg)
    assert _listing(path.parent) == before
    return info.value


def test_fixture_loads_with_mapped_columns(tmp_path):
    data = load_caliper_csv(FIXTURE, **MAP)
    m = data.measurements
    raw = pd.read_csv(FIXTURE)
    # V = L·W²/2 from the caliper columns
    row = raw.iloc[0]
    first = m[(m["mouse"] == row["Animal"]) & (m["day"] == row["Day"])].iloc[0]
    assert first["volume_mm3"] == pytest.approx(row["L"] * row["W"] ** 2 / 2)
    assert data.single_line and data.arms(control_arm="vehicle")[0] == "vehicle"
    # the row with an empty width is a missing measurement, skipped with a note
    assert len(m) == len(raw) - 1
    assert any("without a size measurement" in n for n in data.notes)
    ev = data.mice.set_index("mouse")["event"]
    assert ev["M-V1"] == "endpoint" and ev["M-V2"] == "endpoint"  # ≥ 1500 mm³ at day 25
    assert ev["M-Y3"] == "removed"  # left on day 14, below the endpoint
    assert ev["M-X1"] == "study_end"
    assert data.mice.set_index("mouse").loc["M-V1", "last_day"] == 25


def test_endpoint_threshold_option_changes_events():
    data = load_caliper_csv(FIXTURE, **MAP, endpoint_volume_mm3=500.0)
    ev = data.mice.set_index("mouse")["event"]
    assert ev["M-X1"] == "endpoint"  # crosses 500 mm³ though it stayed on study


def test_volume_column_instead_of_calipers(tmp_path):
    p = _lab(tmp_path, lambda d: d.assign(Vol=d["L"] * d["W"] ** 2 / 2).drop(columns=["L", "W"]))
    data = load_caliper_csv(p, "Animal", "Group", "Day", volume_col="Vol")
    assert data.measurements["volume_mm3"].notna().all()


def test_missing_column(tmp_path):
    p = _lab(tmp_path, lambda d: d.drop(columns=["W"]))
    _expect_error(p, ["calipers.csv", "'W'", "columns present"])


def test_length_without_width(tmp_path):
    p = _lab(tmp_path)
    _expect_error(p, ["calipers.csv", "width"], width_col=None)


def test_negative_size(tmp_path):
    def edit(d):
        d.loc[5, "L"] = -3.2
        return d

    err = _expect_error(_lab(tmp_path, edit), ["calipers.csv", "column 'L'", "negative",
                                               "line 7", "M-V1"])
    assert err.column == "L" and err.file == "calipers.csv"


def test_non_numeric_size(tmp_path):
    def edit(d):
        d["W"] = d["W"].astype(object)
        d.loc[10, "W"] = "7,1"
        return d

    _expect_error(_lab(tmp_path, edit), ["column 'W'", "non-numeric", "line 12", "'7,1'"])


def test_non_numeric_day(tmp_path):
    def edit(d):
        d["Day"] = d["Day"].astype(object)
        d.loc[3, "Day"] = "day 11"
        return d

    _expect_error(_lab(tmp_path, edit), ["column 'Day'", "non-numeric", "line 5"])


def test_duplicate_mouse_day(tmp_path):
    def edit(d):
        return pd.concat([d, d.iloc[[20]]], ignore_index=True)

    raw = pd.read_csv(FIXTURE)
    mouse = raw.iloc[20]["Animal"]
    _expect_error(_lab(tmp_path, edit), ["duplicate", "Animal × Day", f"mouse {mouse}",
                                         "line 22", f"line {len(raw) + 2}"])


def test_arm_with_one_mouse(tmp_path):
    def edit(d):
        d.loc[d["Animal"] == "M-Y1", "Group"] = "drug_z"
        return d

    _expect_error(_lab(tmp_path, edit), ["single mouse", "column 'Group'", "drug_z", "M-Y1"])


def test_mouse_in_two_arms(tmp_path):
    def edit(d):
        d.loc[(d["Animal"] == "M-Y1") & (d["Day"] == 28), "Group"] = "drug_x"
        return d

    _expect_error(_lab(tmp_path, edit), ["more than one arm", "M-Y1"])


def test_unknown_control_arm_lists_arms(tmp_path):
    p = _lab(tmp_path)
    before = _listing(tmp_path)
    data = load_caliper_csv(p, **MAP)
    with pytest.raises(AnalysisInputError, match="control arm 'control' not found") as info:
        analyze(data, tmp_path / "out", n_boot=50)
    for arm in ("vehicle", "drug_x", "drug_y", "drug_x+drug_y"):
        assert f"'{arm}'" in str(info.value)
    assert _listing(tmp_path) == before


def test_missing_file_and_empty_file(tmp_path):
    with pytest.raises(AnalysisInputError, match="nope.csv: file not found"):
        load_caliper_csv(tmp_path / "nope.csv", **MAP)
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(AnalysisInputError, match="empty.csv: file is empty"):
        load_caliper_csv(tmp_path / "empty.csv", **MAP)


# --------------------------------------------------------------------------- results directory


@pytest.fixture()
def run_dir(tmp_path):
    rates = {("a", "control"): 0.08, ("a", "drug"): 0.03}
    meas, mice, cells = simulate_study(rates, n_per_arm=4, seed=1)
    return write_results_dir(tmp_path / "run", meas, mice, cells)


def _rewrite(path: Path, edit) -> None:
    df = pd.read_csv(path)
    edit(df).to_csv(path, index=False)


def _expect_dir_error(run: Path, match: list[str]) -> None:
    before = _listing(run.parent)
    with pytest.raises(AnalysisInputError) as info:
        analyze(load_results_dir(run), run / "analysis", n_boot=50)
    for m in match:
        assert m in str(info.value), (m, str(info.value))
    assert _listing(run.parent) == before


def test_results_dir_loads(run_dir):
    data = load_results_dir(run_dir)
    assert data.kind == "xenosim" and data.name == "synthetic"
    assert data.cells is not None and len(data.cells) > 0
    assert (data.measurements["day"] < 0).any()  # take phase kept for display
    assert set(data.mice["event"]) <= {"endpoint", "study_end"}


def test_results_dir_missing_measurement_column(run_dir):
    _rewrite(run_dir / "measurements.csv", lambda d: d.drop(columns=["cell_line"]))
    _expect_dir_error(run_dir, ["measurements.csv", "'cell_line'"])


def test_results_dir_negative_volume(run_dir):
    def edit(d):
        d.loc[3, "volume_mm3"] = -1.0
        return d

    _rewrite(run_dir / "measurements.csv", edit)
    _expect_dir_error(run_dir, ["measurements.csv", "column 'volume_mm3'", "negative", "line 5"])


def test_results_dir_mouse_missing_from_mice_csv(run_dir):
    _rewrite(run_dir / "mice.csv", lambda d: d.iloc[1:])
    mouse = pd.read_csv(run_dir / "measurements.csv")["mouse"].iloc[0]
    _expect_dir_error(run_dir, ["mice.csv", "missing from mice.csv", mouse])


def test_results_dir_cells_missing_column(run_dir):
    _rewrite(run_dir / "cells.csv", lambda d: d.drop(columns=["er_share_ser167"]))
    _expect_dir_error(run_dir, ["cells.csv", "'er_share_ser167'", "mechanism"])


def test_results_dir_bad_manifest(run_dir):
    (run_dir / "manifest.json").write_text("{not json")
    _expect_dir_error(run_dir, ["manifest.json", "invalid JSON"])


def test_not_a_results_dir(tmp_path):
    with pytest.raises(AnalysisInputError, match="no measurements.csv"):
        load_results_dir(tmp_path)


# --------------------------------------------------------------------------- atomic output


@pytest.fixture()
def no_png(monkeypatch):
    """Skip PNG encoding (these tests are about the file writing, not the figures)."""
    import matplotlib.pyplot as plt

    def fake_png(fig):
        plt.close(fig)
        return b"not a png"

    monkeypatch.setattr(pipeline_mod, "_png", fake_png)


def test_failure_while_writing_leaves_nothing(run_dir, monkeypatch, no_png):
    """A crash halfway through writing leaves neither the output nor a temp directory."""
    data = load_results_dir(run_dir)
    before = _listing(run_dir)
    calls = {"n": 0}
    real = Path.write_bytes

    def flaky(self, payload):
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError("disk full")
        return real(self, payload)

    monkeypatch.setattr(Path, "write_bytes", flaky)
    from xenosim.core.output import OutputError

    with pytest.raises(OutputError, match="disk full"):  # the path and the reason, one line
        analyze(data, run_dir / "analysis", n_boot=50)
    assert calls["n"] == 5
    assert _listing(run_dir) == before


def test_failed_rerun_keeps_previous_output(run_dir, monkeypatch, no_png):
    data = load_results_dir(run_dir)
    out = run_dir / "analysis"
    analyze(data, out, n_boot=50)
    first = (out / "report.html").read_bytes()

    def boom(*a, **k):
        raise RuntimeError("figure failed")

    monkeypatch.setattr(pipeline_mod.F, "waterfall", boom)
    with pytest.raises(RuntimeError):
        analyze(data, out, n_boot=50)
    assert (out / "report.html").read_bytes() == first
    assert not [p for p in run_dir.iterdir() if p.name.startswith(".analysis")]
    assert np.isfinite(pd.read_csv(out / "tables" / "growth_rate_arm.csv")["rate_per_day"]).all()
