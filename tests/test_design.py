"""xenosim design: paired twins, power against a closed form, false-positive rate, CLI errors."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from xenosim.cli import app
from xenosim.design.analysis import operating_characteristics, smallest_n
from xenosim.design.config import ContrastError, parse_contrast
from xenosim.design.fast import PoolArrays, StudyArrays, fast_statistics, true_rates
from xenosim.design.runner import DesignSpec, run_size, simulate_twins
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


DAYS = np.arange(0, 22, 3.5)


def _synthetic_study(rng, n, rate_a, rate_b, sd, days=DAYS):
    """Exponential growth with known per-mouse rates (normal around the arm's rate), noise-free
    volumes: the per-mouse OLS rate is the true rate, so Welch on rates is Welch's test of
    normal samples, whose power and size are known independently of xenosim."""
    r = np.concatenate([rng.normal(rate_a, sd, n), rng.normal(rate_b, sd, n)])
    vol = 150 * np.exp(r[:, None] * days[None, :])
    return StudyArrays([f"m{i:03d}" for i in range(2 * n)], np.array(["A"] * n + ["B"] * n),
                       vol, np.full(2 * n, len(days)), np.zeros(2 * n, bool), days)


def _welch_rows(delta, n, sd, reps, seed, which=frozenset({"welch_rate"})):
    rng = np.random.default_rng(seed)
    kind = "effect" if delta else "a_vs_a"
    rows = []
    for rep in range(reps):
        res = fast_statistics(_synthetic_study(rng, n, 0.05, 0.05 + delta, sd), "A", "B", "x",
                              which=set(which))
        for stat, r in res.items():
            rows.append({"n": n, "replicate": rep, "kind": kind, "statistic": stat, "n_a": n,
                         "n_b": n, "truth": delta, **r})
    return pd.DataFrame(rows)


def _welch_power_closed_form(n, delta, sd, alpha):
    """Exact power of Welch's two-sided test at equal n and sd. With equal n Welch's statistic
    is Student's, T ~ noncentral t(2n - 2, delta / (sd sqrt(2/n))); only its df differs,
    df_W = (n - 1) / (U^2 + (1 - U)^2) with U = s_a^2 / (s_a^2 + s_b^2) ~ Beta((n-1)/2, (n-1)/2)
    independent of T: power = integral over U of P(|T| > t_{df_W, 1 - alpha/2})."""
    from scipy.integrate import quad

    df, ncp, h = 2 * n - 2, delta / (sd * np.sqrt(2 / n)), (n - 1) / 2

    def integrand(u):
        q = stats.t.ppf(1 - alpha / 2, (n - 1) / (u * u + (1 - u) ** 2))
        return stats.beta.pdf(u, h, h) * (stats.nct.sf(q, df, ncp) + stats.nct.cdf(-q, df, ncp))

    return quad(integrand, 0, 1, limit=200)[0]


def _welch_power_direct(n, delta, sd, alpha, draws=200_000):
    """Direct simulation with scipy's Welch test (independent of xenosim): its MC error at
    200,000 draws (< 0.0012) is negligible against the design's."""
    rng = np.random.default_rng(99)
    a = rng.normal(0, sd, (draws, n))
    b = rng.normal(delta, sd, (draws, n))
    return float((stats.ttest_ind(a, b, axis=1, equal_var=False).pvalue < alpha).mean())


def test_welch_false_positive_rate_in_binomial_interval_of_alpha():
    """Null synthetic truth (no effect): the FPR must lie in the 99 % Clopper-Pearson interval
    around alpha, and operating_characteristics must say so. n = 4 per arm (6 df): a z-based
    CI/p (no small-sample t) gives an FPR of ~0.10 and fails here."""
    alpha, reps = 0.05, 2000
    oc = operating_characteristics(_welch_rows(0.0, 4, 0.015, reps, 11), alpha).iloc[0]
    lo, hi = stats.binom.ppf(0.005, reps, alpha) / reps, stats.binom.isf(0.005, reps, alpha) / reps
    assert lo <= oc["false_positive_rate"] <= hi, (oc["false_positive_rate"], lo, hi)
    assert oc["fpr_within_mc_of_alpha"]
    assert oc["fpr_ci99_low"] <= alpha <= oc["fpr_ci99_high"]


def test_welch_power_matches_closed_form_and_direct_simulation():
    """Known-effect synthetic truth: the design's power equals Welch's power from scipy (direct
    simulation, no xenosim code) and the closed form (noncentral t integrated over Welch's df)
    within 3 binomial MC SE. Coverage of the CI for the known effect is 0.95 within MC error."""
    n, delta, sd, alpha, reps = 5, 0.02, 0.015, 0.05, 1000
    oc = operating_characteristics(_welch_rows(delta, n, sd, reps, 12), alpha).iloc[0]
    direct = _welch_power_direct(n, delta, sd, alpha)
    closed = _welch_power_closed_form(n, delta, sd, alpha)
    assert abs(closed - direct) < 0.005, (closed, direct)  # 4 MC SE of 200,000 draws
    se = np.sqrt(closed * (1 - closed) / reps)
    assert abs(oc["power"] - closed) < 3 * se, (oc["power"], closed, se)
    assert oc["coverage_within_mc_of_95"], oc["coverage_95"]
    assert abs(oc["bias"]) < 4 * oc["bias_mc_se"]
    best = smallest_n(pd.DataFrame([oc]), 0.8)
    assert best["smallest_n_per_arm"].iloc[0] == (5 if oc["power"] >= 0.8 else None)


def test_miscalibration_is_flagged():
    """A test with FPR 0.10 (200 of 2000) and a CI covering 0.85 are flagged; nominal ones not."""
    def rows(k_fp, k_cov, m=2000):
        z = pd.DataFrame({"kind": "a_vs_a", "p_value": np.r_[np.zeros(k_fp), np.ones(m - k_fp)]})
        e = pd.DataFrame({"kind": "effect", "p_value": 0.0, "truth": 0.0,
                          "ci_low": np.r_[-np.ones(k_cov), np.ones(m - k_cov)], "ci_high": 2.0,
                          "estimate": 0.0})
        d = pd.concat([e, z], ignore_index=True)
        return d.assign(statistic="s", n=4, n_a=4, n_b=4)
    bad = operating_characteristics(rows(200, 1700)).iloc[0]
    assert not bad["fpr_within_mc_of_alpha"] and not bad["coverage_within_mc_of_95"]
    good = operating_characteristics(rows(100, 1900)).iloc[0]
    assert good["fpr_within_mc_of_alpha"] and good["coverage_within_mc_of_95"]


def _synthetic_pool(n_mice=40, seed=3):
    """A pool table like simulate_twins' without simulating: exponential true volumes per mouse
    and arm (some reach the endpoint), all took, a spread of enrolment days."""
    rng = np.random.default_rng(seed)
    days = np.array([0, 3, 7, 10, 14, 17, 21.0])
    mu = {"control": 0.09, "tamoxifen": 0.075, "cci779": 0.05, "tamoxifen+cci779": 0.01}
    rows = []
    for i in range(n_mice):
        host = rng.normal(0, 0.015)
        for arm, m in mu.items():
            v = 160 * np.exp((m + host) * days)
            last = np.nonzero(v >= 600 * 1.4)[0]
            keep = days[: last[0] + 1] if len(last) else days
            for d, vv in zip(keep, v[: len(keep)], strict=True):
                rows.append({"mouse": f"mcf7_myr_akt-{i + 1:03d}", "cell_line": "mcf7_myr_akt",
                             "arm": arm, "day": d, "volume_mm3": vv, "true_volume_mm3": vv,
                             "took": True, "enrol_day": 20 + i % 7,
                             "enrol_volume_mm3": 150 + i, "event": "study_end"})
    return pd.DataFrame(rows)


def test_array_path_gives_the_numbers_of_the_dataframe_path():
    """The design's array path (xenosim.design.fast) against study_statistics (the analysis
    code on DataFrames), same random numbers: every estimate, CI and p equal."""
    raw = _exp(endpoint_volume_mm3=600, study_days=21).model_dump()
    raw["arms"]["tamoxifen+cci779"] = {"regimens": [TAM, CCI]}
    exp = validate_dict(raw)
    c = parse_contrast("mcf7_myr_akt: tamoxifen+cci779 vs tamoxifen", exp)
    spec = DesignSpec(exp, c, [4], 2, 40)
    pool = _synthetic_pool()
    # two replicates: each compares every statistic exactly, on its own random draws
    fast = run_size(spec, pool, 4, range(2), "fast")
    ref = run_size(spec, pool, 4, range(2), "reference")
    assert set(fast["statistic"]) == {"mixed_rate", "welch_rate", "tc_end", "logrank", "bliss",
                                      "hsa"}
    key = ["replicate", "kind", "statistic"]
    m = fast.merge(ref, on=key, suffixes=("_f", "_r"), how="outer", validate="1:1")
    assert len(m) == len(fast) == len(ref)
    for col in ("estimate", "ci_low", "ci_high", "p_value", "truth_sample"):
        np.testing.assert_allclose(m[col + "_f"], m[col + "_r"], rtol=1e-9, atol=1e-12,
                                   err_msg=col)


def test_truth_uses_the_protocol_endpoint_not_the_pool_overshoot():
    """The per-mouse truth is the slope over the days a study sees: to the first true volume at
    or over the endpoint (inclusive), not to the pool's raised endpoint."""
    days = np.array([0, 3, 7, 10, 14.0])
    v = 150 * np.exp(0.1 * days)
    v[3:] = v[2] * np.exp(0.3 * (days[3:] - 7))  # faster after day 7: a longer window differs
    pa = PoolArrays(["m"], ["x"], days, v[None, None, :], np.array([[5]]), "line")
    r = true_rates(pa, endpoint_mm3=v[2] - 1, study_days=56)
    np.testing.assert_allclose(r[0, 0], 0.1)  # exp(0.1 t) up to day 7, the first >= endpoint


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


def test_cli_design_tiny_end_to_end(tiny_config, tmp_path, dask_cluster2):
    out = tmp_path / "d"
    args = ["design", str(tiny_config), "--contrast", "mcf7_myr_akt: cci779 vs control",
            "--mice-per-arm", "2,3", "--replicates", "3", "--pool-mice", "10",
            "--scheduler", dask_cluster2.scheduler_address, "--out", str(out)]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    oc = pd.read_csv(out / "operating_characteristics.csv")
    assert set(oc["statistic"]) >= {"mixed_rate", "welch_rate", "logrank"}
    assert (out / "power_curve.png").exists() and "Answer" in (out / "report.md").read_text()
    html = (out / "report.html").read_text()
    # self-contained: the figure is embedded, nothing is fetched; the ethics-application parts
    assert 'src="data:image/png;base64,' in html
    assert re.findall(r'(?:src|href)="(?!data:)', html) == []
    for part in ("Answer", "Operating characteristics", "Assumptions of the model", "cci779",
                 "mixed model, growth-rate contrast", "coverage [99 % MC]"):
        assert part in html, part
    timing = json.loads((out / "timing.json").read_text())
    assert timing["cpu_total_s"] > 0 and timing["invocations"] == 1
    before = (out / "studies" / "n002.csv").read_bytes()
    r = CliRunner().invoke(app, args)  # resume: nothing recomputed, same numbers
    assert r.exit_code == 0 and (out / "studies" / "n002.csv").read_bytes() == before


def test_run_twins_writes_counterfactual(tiny_config, tmp_path, no_run_figures):
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


def test_design_same_numbers_for_any_worker_count_and_chunking(tiny_config, tmp_path,
                                                               monkeypatch, dask_cluster2):
    """Replicates are seeded one by one, so 1 worker with one chunk and 2 workers (the shared
    2-worker cluster) with chunks of 2 replicates write the same studies to the byte."""
    from xenosim.design import runner

    def run(out, *where):
        args = ["design", str(tiny_config), "--contrast", "mcf7_myr_akt: cci779 vs control",
                "--mice-per-arm", "2,3", "--replicates", "5", "--pool-mice", "10",
                *where, "--out", str(out)]
        r = CliRunner().invoke(app, args)
        assert r.exit_code == 0, r.output
        return [(out / "studies" / f"n00{n}.csv").read_bytes() for n in (2, 3)]

    one = run(tmp_path / "one", "--workers", "1")
    monkeypatch.setattr(runner, "CHUNK", 2)
    assert run(tmp_path / "two", "--scheduler", dask_cluster2.scheduler_address) == one
