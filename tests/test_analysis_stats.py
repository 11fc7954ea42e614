"""Arm statistics against known answers: synthetic cohorts with set growth rates, hand-computed
T/C, %TGI, AUC, mRECIST and Kaplan–Meier values, and independent implementations (statsmodels
``survdiff``, Welch t-test on per-mouse slopes)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sst
from statsmodels.duration.survfunc import survdiff
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from xenosim.analysis import mixed as mixed_mod
from xenosim.analysis import stats as S
from xenosim.analysis.data import derive_mice
from xenosim.analysis.mixed import fit_growth_mixed_model
from xenosim.analysis.survival import kaplan_meier, logrank, survival_summary, time_to_endpoint
from xenosim.analysis.synthetic import simulate_study

TRUE_RATES = {
    ("line", "control"): 0.060,
    ("line", "tamoxifen"): 0.030,
    ("line", "cci779"): 0.045,
    ("line", "tamoxifen+cci779"): 0.005,
}
ARMS = ["control", "tamoxifen", "cci779", "tamoxifen+cci779"]


@pytest.fixture(scope="module")
def cohort():
    meas, mice, _ = simulate_study(TRUE_RATES, n_per_arm=10, rate_sd=0.006, noise_sd=0.12,
                                   endpoint_volume_mm3=1e9, seed=11)
    return S.treatment_phase(meas), mice


def test_per_arm_growth_rates_recover_truth(cohort):
    tp, _ = cohort
    arm = S.arm_growth_rates(S.mouse_growth_rates(tp)).set_index("arm")
    for (_, name), truth in TRUE_RATES.items():
        r = arm.loc[name]
        assert r["rate_ci_low"] <= truth <= r["rate_ci_high"], (name, r.to_dict())
        assert abs(r["rate_per_day"] - truth) < 0.006
    # doubling time is ln2 / rate with the CI bounds swapped
    c = arm.loc["control"]
    assert c["doubling_time_days"] == pytest.approx(np.log(2) / c["rate_per_day"])
    assert c["doubling_time_ci_low"] == pytest.approx(np.log(2) / c["rate_ci_high"])


def test_mixed_model_rates_and_contrasts_recover_truth(cohort):
    """4 arm rates + 6 contrasts: each truth inside its interval at family-wise 95 %
    (Bonferroni over the 10 intervals; the per-interval 95 % coverage is checked over replicate
    studies in test_rate_ci_coverage_over_replicates)."""
    tp, _ = cohort
    res = fit_growth_mixed_model(tp, "line", ARMS)
    assert res.random_effects.startswith("random intercept and slope")
    q = sst.t.ppf(1 - 0.05 / (2 * 10), res.df)
    slopes = res.slopes.set_index("arm")
    for (_, name), truth in TRUE_RATES.items():
        r = slopes.loc[name]
        assert abs(r["rate_per_day"] - truth) <= q * r["se"], name
        assert r["ci_low"] < r["rate_per_day"] < r["ci_high"]
    assert len(res.contrasts) == 6
    for c in res.contrasts.itertuples():
        true_diff = TRUE_RATES[("line", c.arm_b)] - TRUE_RATES[("line", c.arm_a)]
        assert abs(c.difference_per_day - true_diff) <= q * c.se, (c.arm_a, c.arm_b)
        assert c.p_adjusted >= c.p_value
    # every true difference here is ≥ 0.015/day: all detected after Holm correction
    assert (res.contrasts["p_adjusted"] < 0.05).all()
    # between-mouse SD of growth rate near the simulated 0.006/day
    assert 0.003 < res.variance["slope_sd_per_day"] < 0.010


def test_rate_ci_coverage_over_replicates():
    """The per-arm 95 % CI should cover the true rate in roughly 95 % of studies."""
    hits, total = 0, 0
    for seed in range(40):
        meas, _, _ = simulate_study({("l", "a"): 0.05, ("l", "b"): 0.02}, n_per_arm=6,
                                    rate_sd=0.008, noise_sd=0.15, endpoint_volume_mm3=1e9,
                                    seed=100 + seed)
        arm = S.arm_growth_rates(S.mouse_growth_rates(S.treatment_phase(meas))).set_index("arm")
        for name, truth in (("a", 0.05), ("b", 0.02)):
            hits += arm.loc[name, "rate_ci_low"] <= truth <= arm.loc[name, "rate_ci_high"]
            total += 1
    assert 0.85 <= hits / total <= 1.0


def test_mixed_contrast_agrees_with_welch_on_per_mouse_slopes():
    """Balanced design, no dropout: the mixed-model slope contrast equals the difference of mean
    per-mouse OLS slopes, and its SE is close to the Welch SE."""
    meas, _, _ = simulate_study({("l", "control"): 0.06, ("l", "drug"): 0.035}, n_per_arm=12,
                                rate_sd=0.01, noise_sd=0.1, endpoint_volume_mm3=1e9, seed=5)
    tp = S.treatment_phase(meas)
    res = fit_growth_mixed_model(tp, "l", ["control", "drug"])
    assert res.random_effects.startswith("random intercept and slope")
    c = res.contrasts.iloc[0]
    mr = S.mouse_growth_rates(tp)
    a = mr.loc[mr["arm"] == "control", "rate_per_day"].to_numpy()
    b = mr.loc[mr["arm"] == "drug", "rate_per_day"].to_numpy()
    welch = sst.ttest_ind(b, a, equal_var=False)
    se_welch = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    assert c["difference_per_day"] == pytest.approx(b.mean() - a.mean(), rel=1e-4)
    assert c["se"] == pytest.approx(se_welch, rel=0.10)
    assert np.log10(c["p_value"]) == pytest.approx(np.log10(welch.pvalue), rel=0.15)


def test_mixed_model_falls_back_to_random_intercept(cohort, monkeypatch):
    """A random-slope fit that warns about convergence is replaced and the note says so."""
    tp, _ = cohort
    real_fit = mixed_mod.MixedLM.fit

    def fit(self, *args, **kwargs):
        if self.k_re == 2:
            warnings.warn("synthetic convergence failure", ConvergenceWarning, stacklevel=2)
        return real_fit(self, *args, **kwargs)

    monkeypatch.setattr(mixed_mod.MixedLM, "fit", fit)
    res = fit_growth_mixed_model(tp, "line", ARMS)
    assert res.random_effects.startswith("random intercept per mouse")
    assert any("synthetic convergence failure" in n and "random intercept" in n
               for n in res.notes)
    slopes = res.slopes.set_index("arm")
    for (_, name), truth in TRUE_RATES.items():
        assert abs(slopes.loc[name, "rate_per_day"] - truth) < 0.006


def _logrank_data(seed, k):
    rng = np.random.default_rng(seed)
    n = 45
    t = np.round(rng.exponential(20, n))  # rounding creates ties
    e = rng.random(n) < 0.7
    g = rng.integers(0, k, n)
    t = t + g * 2.0
    return t, e, g


@pytest.mark.parametrize("k", [2, 3])
def test_logrank_matches_statsmodels_survdiff(k):
    for seed in range(4):
        t, e, g = _logrank_data(seed, k)
        ours = logrank(t, e, g)
        chi2, p = survdiff(t, e.astype(int), g)
        assert ours["chi2"] == pytest.approx(chi2, rel=1e-8)
        assert ours["p_value"] == pytest.approx(p, rel=1e-8)
        assert ours["observed"].sum() == e.sum()


def test_kaplan_meier_and_median_by_hand():
    mice = pd.DataFrame({
        "mouse": list("abcdef"), "cell_line": "l", "arm": "x",
        "last_day": [5, 8, 8, 12, 20, 20], "event": ["endpoint", "endpoint", "study_end",
                                                     "endpoint", "study_end", "study_end"],
    })
    km = kaplan_meier(time_to_endpoint(mice)).set_index("time_days")["survival"]
    # S(5) = 5/6; S(8) = 5/6 · 4/5 (mouse c censored at 8 after the event); S(12) = · 2/3
    assert km[5] == pytest.approx(5 / 6)
    assert km[8] == pytest.approx(4 / 6)
    assert km[12] == pytest.approx(4 / 6 * 2 / 3)
    assert km[20] == pytest.approx(4 / 6 * 2 / 3)
    s = survival_summary(time_to_endpoint(mice)).iloc[0]
    assert s["median_days"] == 12 and s["n_endpoint"] == 3 and s["n_censored"] == 3


def _hand_meas():
    rows = []
    # two control mice, two treated mice; day 0, 7, 14
    for mouse, arm, vols in (("c1", "control", [100, 200, 400]), ("c2", "control", [100, 300, 500]),
                             ("t1", "drug", [100, 150, 250]), ("t2", "drug", [100, 80, 50])):
        for d, v in zip((0.0, 7.0, 14.0), vols, strict=True):
            rows.append(dict(mouse=mouse, cell_line="l", arm=arm, day=d, volume_mm3=float(v)))
    rows.append(dict(mouse="c1", cell_line="l", arm="control", day=-7.0, volume_mm3=50.0))
    return pd.DataFrame(rows)


def test_tc_and_tgi_by_hand():
    tp = S.treatment_phase(_hand_meas())
    assert (tp["day"] >= 0).all()  # take phase excluded
    per_day, end = S.tc_tgi(tp, "control")
    d14 = per_day[per_day["day"] == 14].iloc[0]
    assert d14["tc"] == pytest.approx(150 / 450)
    assert d14["tgi_pct"] == pytest.approx((1 - (150 - 100) / (450 - 100)) * 100)
    d7 = per_day[per_day["day"] == 7].iloc[0]
    assert d7["tc"] == pytest.approx(115 / 250)
    assert d7["tgi_pct"] == pytest.approx((1 - (115 - 100) / (250 - 100)) * 100)
    # T/C on relative volumes: mean RTV drug (2.5 + 0.5)/2 over control (4 + 5)/2
    assert d14["tc_rtv"] == pytest.approx(1.5 / 4.5)
    assert end.iloc[0]["day"] == 14


def test_auc_and_mrecist_by_hand():
    tp = S.treatment_phase(_hand_meas())
    auc = S.auc_rtv(tp).set_index("mouse")
    # c1 RTV 1, 2, 4 over 0, 7, 14 → trapezoid 7·(1+2)/2 + 7·(2+4)/2 = 31.5
    assert auc.loc["c1", "auc_common"] == pytest.approx(31.5)
    assert auc.loc["t2", "auc_common"] == pytest.approx(7 * (1 + 0.8) / 2 + 7 * (0.8 + 0.5) / 2)
    mice = derive_mice(_hand_meas(), 1e9)
    m = S.mrecist(tp, mice).set_index("mouse")
    # t2: ΔVol 0, −20, −50 → BestResponse −50 (t ≥ 10: only day 14) and BAR mean(0,−20,−50)
    assert m.loc["t2", "best_response_pct"] == pytest.approx(-50)
    assert m.loc["t2", "best_avg_response_pct"] == pytest.approx(-70 / 3)
    assert m.loc["t2", "mrecist"] == "mSD"  # −50 is not < −50
    assert m.loc["c1", "mrecist"] == "mPD"


@pytest.mark.parametrize(
    ("br", "bar", "expected"),
    [(-96, -41, "mCR"), (-96, -30, "mPR"), (-60, -25, "mPR"), (-60, -10, "mSD"),
     (34, 29, "mSD"), (34, 31, "mPD"), (36, 0, "mPD"), (np.nan, np.nan, "NE")],
)
def test_mrecist_thresholds(br, bar, expected):
    assert S.classify_mrecist(br, bar) == expected


def test_mrecist_early_endpoint_and_censoring():
    meas = pd.DataFrame({
        "mouse": ["a", "a", "b", "b", "c", "c"], "cell_line": "l", "arm": "x",
        "day": [0, 7, 0, 7, 0, 14], "volume_mm3": [200, 1600, 200, 210, 200, 150.0]})
    mice = derive_mice(meas, 1500)
    events = mice.set_index("mouse")["event"]
    assert events["a"] == "endpoint" and events["b"] == "removed" and events["c"] == "study_end"
    m = S.mrecist(S.treatment_phase(meas), mice).set_index("mouse")["mrecist"]
    assert m["a"] == "mPD" and m["b"] == "NE" and m["c"] == "mSD"
