"""The analysis IHC outputs against a hand-made cells table with a hand-computed answer.

``xenosim analyze`` writes ``tables/ihc_mouse_study_end.csv`` (each mouse's virtual IHC at its
last caliper day), ``tables/ihc_arm_study_end.csv`` (per arm: mice, median, first and third
quartile of each index) and ``figures/ihc.png``. Six mice in two arms, caliper days 0, 7 and 14;
one mouse leaves at day 7 (endpoint). Every IHC value encodes its mouse and day, so the expected
tables can be written down by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xenosim.analysis.data import load_results_dir
from xenosim.analysis.pipeline import analyze
from xenosim.analysis.synthetic import simulate_study, write_results_dir

IHC = ["ki67_index", "cc3_index", "ps6_index", "pakt_index", "er_positive_fraction",
       "frac_adapted", "frac_esr1_mutant"]
DAYS = [0.0, 7.0, 14.0]
MOUSE_BASE = {  # Ki-67 of each mouse = base + 0.01 * day (so day 14 differs from day 0 and 7)
    "mcf7-control-00": 0.40, "mcf7-control-01": 0.20, "mcf7-control-02": 0.60,
    "mcf7-tamoxifen-00": 0.10, "mcf7-tamoxifen-01": 0.30, "mcf7-tamoxifen-02": 0.50,
}
LEAVES_DAY7 = "mcf7-tamoxifen-02"  # endpoint at day 7: its last caliper day is 7, not 14


def _ki67(mouse: str, day: float) -> float:
    return MOUSE_BASE[mouse] + 0.01 * day


@pytest.fixture(scope="module")
def ihc_run(tmp_path_factory):
    meas, mice, cells = simulate_study({("mcf7", "control"): 0.01, ("mcf7", "tamoxifen"): 0.0},
                                       n_per_arm=3, days=DAYS, take_days=(-7.0,),
                                       endpoint_volume_mm3=1e9, seed=3)
    gone = lambda df: (df["mouse"] == LEAVES_DAY7) & (df["day"] > 7)  # noqa: E731
    meas, cells = meas[~gone(meas)], cells[~gone(cells)].copy()
    mice.loc[mice["mouse"] == LEAVES_DAY7, ["last_day", "event"]] = [7.0, "endpoint"]
    ki = np.array([_ki67(m, d) for m, d in zip(cells["mouse"], cells["day"], strict=True)])
    cells["ki67_index"] = ki
    cells["cc3_index"] = 1 - ki  # the other indices are simple functions of Ki-67
    cells["ps6_index"] = ki / 2
    cells["pakt_index"] = 0.3
    cells["er_positive_fraction"] = 0.9
    cells["frac_adapted"] = ki / 4
    cells["frac_esr1_mutant"] = 0.0
    run = write_results_dir(tmp_path_factory.mktemp("ihc") / "run", meas, mice, cells)
    res = analyze(load_results_dir(run), run / "analysis", n_boot=50, combination=None,
                  key_comparison=None)
    return res


def test_ihc_per_mouse_is_the_last_caliper_day(ihc_run):
    got = pd.read_csv(ihc_run.out_dir / "tables" / "ihc_mouse_study_end.csv")
    assert sorted(got["mouse"]) == sorted(MOUSE_BASE)  # one row per mouse
    got = got.set_index("mouse")
    for mouse, base in MOUSE_BASE.items():
        last = 7.0 if mouse == LEAVES_DAY7 else 14.0
        assert got.loc[mouse, "day"] == last
        assert got.loc[mouse, "ki67_index"] == pytest.approx(base + 0.01 * last)
        assert got.loc[mouse, "cc3_index"] == pytest.approx(1 - base - 0.01 * last)
    assert got.loc["mcf7-control-01", "arm"] == "control"
    assert got.loc["mcf7-control-01", "cell_line"] == "mcf7"
    assert set(IHC) <= set(got.columns)


def test_ihc_arm_summary_is_median_and_quartiles(ihc_run):
    got = pd.read_csv(ihc_run.out_dir / "tables" / "ihc_arm_study_end.csv").set_index("arm")
    # control Ki-67 at day 14: 0.34, 0.54, 0.74 -> median 0.54; linear quartiles 0.44, 0.64
    c = got.loc["control"]
    assert c["n_mice"] == 3
    assert c["median_ki67_index"] == pytest.approx(0.54)
    assert c["q1_ki67_index"] == pytest.approx(0.44)
    assert c["q3_ki67_index"] == pytest.approx(0.64)
    # tamoxifen: 0.24 (day 14), 0.44 (day 14), 0.57 (day 7, the endpoint mouse)
    # -> median 0.44; quartiles (0.24 + 0.44) / 2 = 0.34 and (0.44 + 0.57) / 2 = 0.505
    t = got.loc["tamoxifen"]
    assert t["n_mice"] == 3
    assert t["median_ki67_index"] == pytest.approx(0.44)
    assert t["q1_ki67_index"] == pytest.approx(0.34)
    assert t["q3_ki67_index"] == pytest.approx(0.505)
    assert t["median_cc3_index"] == pytest.approx(0.56)
    assert t["median_ps6_index"] == pytest.approx(0.22)
    assert t["median_pakt_index"] == pytest.approx(0.3)


def test_ihc_figure_is_produced(ihc_run):
    png = ihc_run.figures["ihc"]
    assert png.exists() and png.stat().st_size > 5000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
