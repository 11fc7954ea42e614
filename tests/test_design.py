"""xenosim design: paired twins, power against a closed form, false-positive rate, CLI errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from xenosim.cli import app
from xenosim.design.analysis import operating_characteristics, smallest_n
from xenosim.design.config import ContrastError, parse_contrast
from xenosim.design.runner import simulate_twins, study_statistics
from xenosim.xenograft.config import validate_dict
from xenosim.xenograft.runner import MouseSpec

TAM = {"drug": "tamoxifen", "dose": 0.5, "dose_unit": "mg", "route": "sc", "schedule": "daily"}
CCI = {"drug": "cci779", "dose": 20, "dose_unit": "mg/kg", "route": "ip",
       "schedule": "daily x5 every 7 days"}


def _exp(**kw):
    raw = {"experiment": "tiny", "seed": 5, "cell_lines": {"mcf7_myr_akt": {}},
           "arms": {"control": {}, "tamoxifen": {"regimens": [TAM]},
                    "tamoxifen_again": {"regimens": [TAM]}, "cci779": {"regimens": [CCI]}},
           "study_days": 14, "cells_per_agent": 60000, **kw}
    return validate_dict(raw)


def test_twins_identical_without_drug_difference_and_differ_with_one():
    exp = _exp()
    twins = simulate_twins(exp, MouseSpec("m1", "mcf7_myr_akt", 0, 0),
                           ["tamoxifen", "tamoxifen_again", "cci779"])
    assert twins["took"].all()
    tam = twins[twins["arm"] == "tamoxifen"].reset_index(drop=True)
    again = twins[twins["arm"] == "tamoxifen_again"].reset_index(drop=True)
    pd.testing.assert_frame_equal(tam.drop(columns="arm"), again.drop(columns="arm"))
    cci = twins[twins["arm"] == "cci779"].reset_index(drop=True)
    pre = tam["day"] < 0  # the take phase is shared: same take, same host, same calipers
    np.testing.assert_array_equal(tam.loc[pre, "true_volume_mm3"], cci.loc[pre, "true_volume_mm3"])
    assert not np.allclose(tam.loc[~pre, "true_volume_mm3"].iloc[-1],
                           cci.loc[~pre, "true_volume_mm3"].iloc[-1])


def _synthetic_study(rng, n, rate_a, rate_b, sd):
    """Exponential growth with known per-mouse rates (normal around the arm's rate), noise-free
    volumes: the per-mouse OLS rate is the true rate, so Welch on rates is a two-sample t-test
    of normal samples with a closed-form power."""
    days = np.arange(0, 22, 3.5)
    rows, mice = [], []
    for arm, mu in (("A", rate_a), ("B", rate_b)):
        for i in range(n):
            r = rng.normal(mu, sd)
            m = f"{arm}{i}"
            rows += [{"mouse": m, "cell_line": "x", "arm": arm, "day": d,
                      "volume_mm3": 150 * np.exp(r * d)} for d in days]
            mice.append({"mouse": m, "arm": arm, "last_day": days[-1], "event": "study_end"})
    return pd.DataFrame(rows), pd.DataFrame(mice)


def _closed_form_power(n, delta, sd, alpha):
    df = 2 * n - 2
    ncp = delta / (sd * np.sqrt(2 / n))
    q = stats.t.ppf(1 - alpha / 2, df)
    return stats.nct.sf(q, df, ncp) + stats.nct.cdf(-q, df, ncp)


@pytest.mark.parametrize("delta", [0.0, 0.02])
def test_welch_power_and_fpr_match_closed_form_on_synthetic_truth(delta):
    n, sd, alpha, reps = 5, 0.015, 0.05, 200
    rng = np.random.default_rng(11)
    rows = []
    for rep in range(reps):
        meas, mice = _synthetic_study(rng, n, 0.05, 0.05 + delta, sd)
        res = study_statistics(meas, mice, "A", "B", None, rng, which={"welch_rate"})
        kind = "effect" if delta else "a_vs_a"
        rows.append({"n": n, "replicate": rep, "kind": kind, "statistic": "welch_rate",
                     "n_a": n, "n_b": n, "truth": delta, **res["welch_rate"]})
    oc = operating_characteristics(pd.DataFrame(rows), alpha).iloc[0]
    if delta:
        expected = _closed_form_power(n, delta, sd, alpha)  # Welch ~ Student t at equal sd
        se = np.sqrt(expected * (1 - expected) / reps)
        assert abs(oc["power"] - expected) < 3 * se + 0.02, (oc["power"], expected)
        assert abs(oc["coverage_95"] - 0.95) < 3 * np.sqrt(0.95 * 0.05 / reps)
        assert abs(oc["bias"]) < 4 * oc["bias_mc_se"]
        best = smallest_n(pd.DataFrame([oc]), 0.8)
        assert best["smallest_n_per_arm"].iloc[0] == (5 if oc["power"] >= 0.8 else None)
    else:
        assert oc["fpr_within_mc_of_alpha"], oc["false_positive_rate"]


def test_parse_contrast_located_errors_and_combination_parts():
    raw = _exp().model_dump()
    raw["arms"]["tamoxifen+cci779"] = {"regimens": [TAM, CCI]}
    exp = validate_dict(raw)
    c = parse_contrast("mcf7_myr_akt: tamoxifen+cci779 vs tamoxifen", exp)
    assert c.parts == ("tamoxifen", "cci779") and c.control == "control"
    assert set(c.study_arms) == {"tamoxifen+cci779", "tamoxifen", "cci779", "control"}
    with pytest.raises(ContrastError, match="arm 'nope' is not in the config; allowed: control"):
        parse_contrast("mcf7_myr_akt: nope vs tamoxifen", exp)
    with pytest.raises(ContrastError, match="cell line 'hela'"):
        parse_contrast("hela: cci779 vs control", exp)


@pytest.fixture
def tiny_config(tmp_path):
    cfg = tmp_path / "tiny.yaml"
    cfg.write_text(
        "experiment: tiny\nseed: 2\ncell_lines: {mcf7_myr_akt: {}}\n"
        "arms:\n  control: {}\n  cci779:\n    regimens: [{drug: cci779, dose: 20, "
        "dose_unit: mg/kg, route: ip, schedule: 'daily x5 every 7 days'}]\n"
        "study_days: 10\ncells_per_agent: 100000\n")
    return cfg


def test_cli_bad_contrast_exit_2(tiny_config, tmp_path):
    r = CliRunner().invoke(app, ["design", str(tiny_config), "--contrast",
                                 "mcf7_myr_akt: cci779 vs tamoxifen", "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert "tiny.yaml" in r.output and "'tamoxifen'" in r.output and "allowed" in r.output
    r = CliRunner().invoke(app, ["design", str(tiny_config), "--contrast", "cci779 vs control"])
    assert r.exit_code == 2 and "CELL_LINE: ARM_B vs ARM_A" in r.output


def test_cli_design_tiny_end_to_end(tiny_config, tmp_path):
    out = tmp_path / "d"
    args = ["design", str(tiny_config), "--contrast", "mcf7_myr_akt: cci779 vs control",
            "--mice-per-arm", "2,3", "--replicates", "3", "--pool-mice", "10",
            "--workers", "1", "--out", str(out)]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    oc = pd.read_csv(out / "operating_characteristics.csv")
    assert set(oc["statistic"]) >= {"mixed_rate", "welch_rate", "logrank"}
    assert (out / "power_curve.png").exists() and "Answer" in (out / "report.md").read_text()
    before = (out / "studies" / "n002.csv").read_bytes()
    r = CliRunner().invoke(app, args)  # resume: nothing recomputed, same numbers
    assert r.exit_code == 0 and (out / "studies" / "n002.csv").read_bytes() == before


def test_run_twins_writes_counterfactual(tiny_config, tmp_path):
    r = CliRunner().invoke(app, ["run", str(tiny_config), "--mice-per-arm", "2", "--jobs", "1",
                                 "--no-analyze", "--quiet", "--twins", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    run = next((tmp_path / "tiny").iterdir())
    cf = pd.read_csv(run / "counterfactual.csv")
    eff = pd.read_csv(run / "true_effects.csv")
    assert set(cf["arm"]) == {"control", "cci779"}
    assert cf.groupby("mouse")["arm"].nunique().eq(2).all()
    # the twin under the mouse's assigned arm is the mouse of the run
    meas = pd.read_csv(run / "measurements.csv")
    m = meas["mouse"].iloc[0]
    mine = cf[(cf["mouse"] == m) & (cf["arm"] == cf["assigned_arm"])]
    np.testing.assert_allclose(mine["volume_mm3"], meas.loc[meas["mouse"] == m, "volume_mm3"],
                               rtol=1e-5)
    assert (eff.loc[eff["arm"] == "control", "true_effect_vs_control_per_day"] == 0).all()
