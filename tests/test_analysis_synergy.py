"""Synergy against combinations with a known interaction: Bliss on log relative volume (default),
HSA, response additivity, and the rate-inhibition Bliss option (bliss_rate, bootstrap)."""

from __future__ import annotations

import numpy as np
import pytest

from xenosim.analysis import stats as S
from xenosim.analysis.pipeline import _fmt_syn_p
from xenosim.analysis.synergy import METRICS, cumulative_rates, synergy_over_time
from xenosim.analysis.synthetic import simulate_study

RC, RA, RB = 0.060, 0.040, 0.045  # control, A, B growth rates (per day)
IA, IB = 1 - RA / RC, 1 - RB / RC  # 1/3 and 1/4 inhibition of growth rate
BLISS_AB = RC * (1 - IA) * (1 - IB)  # 0.030: what independent action predicts


def _study(r_ab, seed, n=10):
    rates = {("l", "control"): RC, ("l", "A"): RA, ("l", "B"): RB, ("l", "AB"): r_ab}
    meas, _, _ = simulate_study(rates, n_per_arm=n, rate_sd=0.005, noise_sd=0.1,
                                endpoint_volume_mm3=1e9, seed=seed)
    return S.treatment_phase(meas)


def _end(tp, metric, n_boot=1000, seed=0):
    syn = synergy_over_time(tp, "l", "control", "A", "B", "AB", n_boot=n_boot,
                            rng=np.random.default_rng(seed), metrics=("bliss_rate", *METRICS[:3]))
    return syn, syn[syn["metric"] == metric].sort_values("day").iloc[-1]


def test_independent_combination_has_no_bliss_excess():
    syn, bliss = _end(_study(BLISS_AB, seed=21), "bliss_rate")
    assert bliss["ci_low"] < 0 < bliss["ci_high"]
    assert abs(bliss["excess"]) < 0.1
    assert bliss["p_value"] > 0.05
    # observed inhibitions near the truth
    assert bliss["inhibition_a"] == pytest.approx(IA, abs=0.08)
    assert bliss["inhibition_b"] == pytest.approx(IB, abs=0.08)
    # HSA excess (rate scale) of a rate-independent combination: r_A − r_AB = 0.01 /day > 0
    hsa = syn[syn["metric"] == "hsa"].sort_values("day").iloc[-1]
    assert hsa["ci_low"] <= RA - BLISS_AB <= hsa["ci_high"]
    assert hsa["ci_low"] > 0


def test_synergistic_combination_has_positive_bliss_excess():
    r_ab = 0.0  # growth stopped: I_AB = 1, Bliss expects 0.5
    syn, bliss = _end(_study(r_ab, seed=22), "bliss_rate")
    true_excess = 1.0 - (IA + IB - IA * IB)
    assert bliss["ci_low"] > 0.25
    # sampling SD of the excess is ≈ 0.055 here (checked over replicates below)
    assert abs(bliss["excess"] - true_excess) < 0.15
    assert bliss["p_value"] < 0.01
    # clearly positive on every day from the second measurement on
    later = syn[(syn["metric"] == "bliss_rate") & (syn["day"] >= 7)]
    assert (later["ci_low"] > 0).all()


def test_antagonistic_combination_has_negative_bliss_excess():
    _, bliss = _end(_study(RB, seed=23), "bliss_rate")  # combination no better than B alone
    assert bliss["ci_high"] < 0


@pytest.mark.parametrize(
    ("r_ab", "true_excess"), [(BLISS_AB, 0.0), (0.0, 1.0 - (IA + IB - IA * IB))],
    ids=["independent", "synergistic"],
)
def test_bliss_ci_coverage_over_replicates(r_ab, true_excess):
    covered, estimates = 0, []
    for seed in range(40):
        _, bliss = _end(_study(r_ab, seed=300 + seed, n=10), "bliss_rate", n_boot=300, seed=seed)
        covered += bliss["ci_low"] <= true_excess <= bliss["ci_high"]
        estimates.append(bliss["excess"])
    # nominal 95 %; the percentile bootstrap on 10 mice per arm runs a little narrow (~92 %)
    assert covered >= 32
    assert np.mean(estimates) == pytest.approx(true_excess, abs=0.03)


def test_bootstrap_is_seeded():
    tp = _study(BLISS_AB, seed=24)
    a, _ = _end(tp, "bliss_rate", n_boot=300, seed=7)
    b, _ = _end(tp, "bliss_rate", n_boot=300, seed=7)
    c, _ = _end(tp, "bliss_rate", n_boot=300, seed=8)
    assert a.equals(b)
    assert not np.allclose(a["ci_low"], c["ci_low"])
    assert np.allclose(a["excess"], c["excess"])  # the estimate itself is not random


def test_cumulative_rate_at_last_day_is_the_per_mouse_rate():
    tp = _study(0.02, seed=25)
    days = np.sort(tp["day"].unique())
    cum = cumulative_rates(tp, days)
    mr = S.mouse_growth_rates(tp).set_index("mouse")["rate_per_day"]
    assert np.allclose(cum[days[-1]].to_numpy(), mr.loc[cum.index].to_numpy())
    # two points: the slope is ln(V1/V0)/(t1 − t0)
    one = tp[tp["mouse"] == cum.index[0]].sort_values("day")
    expect = (one["log_volume"].iloc[1] - one["log_volume"].iloc[0]) / (days[1] - days[0])
    assert cum.iloc[0][days[1]] == pytest.approx(expect)
    assert np.isnan(cum.iloc[0][days[0]])


LOG_BLISS_AB = RA + RB - RC  # 0.025: Bliss independence on log relative volume


def test_log_bliss_matches_an_independent_computation():
    tp = _study(LOG_BLISS_AB - 0.02, seed=31)
    syn, bliss = _end(tp, "bliss")
    # independent: per-mouse OLS slopes over all days, arm means, Welch–Satterthwaite by hand
    mr = S.mouse_growth_rates(tp).groupby("arm")["rate_per_day"]
    m, v, n = mr.mean(), mr.var(ddof=1), mr.count()
    w = {"control": -1, "A": 1, "B": 1, "AB": -1}
    est = sum(w[x] * m[x] for x in w)
    var = sum(v[x] / n[x] for x in w)
    df = var**2 / sum((v[x] / n[x]) ** 2 / (n[x] - 1) for x in w)
    from scipy import stats
    p = 2 * stats.t.sf(abs(est) / np.sqrt(var), df)
    assert bliss["excess"] == pytest.approx(est, rel=1e-9)
    assert bliss["df"] == pytest.approx(df, rel=1e-9)
    assert bliss["p_value"] == pytest.approx(p, rel=1e-6)
    assert bliss["excess"] == pytest.approx(0.02, abs=0.006)
    assert bliss["p_value"] < 0.01
    assert bliss["flag"] == ""


def test_log_bliss_independent_combination_is_not_called_synergy():
    # rate-inhibition Bliss would call r_AB = 0.025 synergy (expected 0.030); log-RTV Bliss does not
    syn, bliss = _end(_study(LOG_BLISS_AB, seed=32), "bliss")
    assert bliss["ci_low"] < 0 < bliss["ci_high"]
    rate = syn[syn["metric"] == "bliss_rate"].sort_values("day").iloc[-1]
    assert rate["excess"] > 0


def test_full_single_agent_inhibition_is_flagged_and_rate_bliss_withheld():
    rates = {("l", "control"): RC, ("l", "A"): -0.01, ("l", "B"): RB, ("l", "AB"): -0.02}
    meas, _, _ = simulate_study(rates, n_per_arm=6, endpoint_volume_mm3=1e9, seed=33)
    syn = synergy_over_time(S.treatment_phase(meas), "l", "control", "A", "B", "AB",
                            n_boot=200, metrics=("bliss", "hsa", "bliss_rate"))
    last = syn.sort_values("day").groupby("metric").tail(1).set_index("metric")
    assert (last["flag"] != "").all()
    assert np.isnan(last.loc["bliss_rate", "excess"]) and np.isnan(last.loc["bliss_rate", "p_value"])
    assert np.isfinite(last.loc["bliss", "excess"])


def test_bootstrap_p_at_its_floor_is_printed_as_a_bound():
    _, rate = _end(_study(0.0, seed=22), "bliss_rate", n_boot=200)
    assert rate["p_value"] == pytest.approx(2 / 201)
    assert _fmt_syn_p(rate).startswith("≤ 0.01")
    _, bliss = _end(_study(0.0, seed=22), "bliss")
    assert not _fmt_syn_p(bliss).startswith("≤")
