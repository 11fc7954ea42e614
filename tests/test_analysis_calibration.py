"""Calibration measured, not assumed: false-positive rates of the synergy test and of the
Holm-corrected growth-rate contrasts over thousands of simulated no-effect studies at 4, 6 and 8
mice per arm, power against a known synergy, and Holm applied where the pipeline promises it."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from xenosim.analysis import stats as S
from xenosim.analysis.multiplicity import adjust_pvalues
from xenosim.analysis.synergy import synergy_tests, welch_contrast
from xenosim.analysis.synthetic import simulate_arm_rates, simulate_study

RC, RA, RB = 0.08, 0.05, 0.06  # control and single-agent growth rates (per day)
BLISS_NULL = RA + RB - RC  # log-RTV Bliss independence: r_AB − r_C = (r_A − r_C) + (r_B − r_C)
N_REPS = 4000  # SE of a 5 % rate ≈ 0.34 %: the 3–7 % window is ± 6 SE


def _synergy_p(r_ab: float, n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    r = simulate_arm_rates({"C": RC, "A": RA, "B": RB, "AB": r_ab}, n_per_arm=n,
                           n_reps=N_REPS, rng=rng)
    st = {k: (v.mean(1), v.var(1, ddof=1), np.full(N_REPS, n)) for k, v in r.items()}
    return {m: v[5] for m, v in synergy_tests(st, "C", "A", "B", "AB", 28.0).items()}


@pytest.mark.parametrize("n", [4, 6, 8])
def test_bliss_false_positive_rate_is_nominal(n):
    fpr = float(np.mean(_synergy_p(BLISS_NULL, n, seed=100 + n)["bliss"] < 0.05))
    print(f"Bliss (log RTV) false-positive rate at n={n}/arm: {fpr:.4f}")
    assert 0.03 <= fpr <= 0.07


@pytest.mark.parametrize(("n", "min_power"), [(4, 0.5), (6, 0.8), (8, 0.9)])
def test_bliss_power_against_known_synergy(n, min_power):
    # combination grows 0.03 /day slower than Bliss independence predicts (≈ 1.9 × rate SD)
    power = float(np.mean(_synergy_p(BLISS_NULL - 0.03, n, seed=200 + n)["bliss"] < 0.05))
    print(f"Bliss power at n={n}/arm against a 0.03 /day excess: {power:.3f}")
    assert power >= min_power


@pytest.mark.parametrize("n", [4, 8])
def test_hsa_false_positive_rate_when_combination_equals_best_agent(n):
    # best single agent A, clearly separated from B: r_AB = r_A is the HSA null
    fpr = float(np.mean(_synergy_p(RA, n, seed=300 + n)["hsa"] < 0.05))
    assert 0.03 <= fpr <= 0.07


def test_response_additivity_false_positive_rate():
    t = 28.0
    r_ab = RC + np.log(np.exp((RA - RC) * t) + np.exp((RB - RC) * t) - 1) / t
    fpr = float(np.mean(_synergy_p(r_ab, 6, seed=400)["response_additivity"] < 0.05))
    assert 0.03 <= fpr <= 0.07


def _holm_by_hand(p: np.ndarray) -> np.ndarray:
    """Holm step-down, written independently of statsmodels."""
    order = np.argsort(p)
    m = len(p)
    adj = np.maximum.accumulate((m - np.arange(m)) * p[order]).clip(max=1.0)
    out = np.empty(m)
    out[order] = adj
    return out


@pytest.mark.parametrize("n", [4, 6, 8])
def test_holm_controls_familywise_error_of_rate_contrasts(n):
    """Four arms with one true rate: 6 pairwise Welch contrasts per study. Holm keeps the
    family-wise error ≤ 5 %; without it the error is ~ 3× nominal (so a skipped Holm fails)."""
    rng = np.random.default_rng(500 + n)
    arms = ["C", "A", "B", "D"]
    r = simulate_arm_rates(dict.fromkeys(arms, RC), n_per_arm=n, n_reps=N_REPS, rng=rng)
    p = np.column_stack([
        welch_contrast([r[x].mean(1), r[y].mean(1)], [r[x].var(1, ddof=1), r[y].var(1, ddof=1)],
                       [n, n], [1.0, -1.0])[5]
        for x, y in combinations(arms, 2)
    ])
    raw = float(np.mean((p < 0.05).any(axis=1)))
    adj = adjust_pvalues(p, "holm")
    fwer = float(np.mean((adj < 0.05).any(axis=1)))
    print(f"n={n}: family-wise error unadjusted {raw:.3f}, Holm {fwer:.3f}")
    assert raw > 0.12
    assert 0.02 <= fwer <= 0.06
    np.testing.assert_allclose(adj[:50], np.vstack([_holm_by_hand(x) for x in p[:50]]))
    np.testing.assert_allclose(adj[:5], np.vstack([multipletests(x, method="holm")[1]
                                                   for x in p[:5]]))


@pytest.fixture(scope="module")
def four_arm_tp():
    rates = {("l", "control"): 0.08, ("l", "A"): 0.06, ("l", "B"): 0.05, ("l", "AB"): 0.03}
    meas, mice, _ = simulate_study(rates, n_per_arm=5, endpoint_volume_mm3=1e9, seed=3)
    return S.treatment_phase(meas), mice


def test_mixed_model_contrasts_are_holm_adjusted(four_arm_tp):
    from xenosim.analysis.mixed import fit_growth_mixed_model

    tp, _ = four_arm_tp
    c = fit_growth_mixed_model(tp, "l", ["control", "A", "B", "AB"], "holm").contrasts
    assert len(c) == 6
    p = c["p_value"].to_numpy()
    np.testing.assert_allclose(c["p_adjusted"].to_numpy(), _holm_by_hand(p), rtol=1e-12)
    assert (c["p_adjusted"] > c["p_value"]).any()


def test_logrank_pairs_are_holm_adjusted():
    from xenosim.analysis.survival import pairwise_logrank, time_to_endpoint

    rates = {("l", "control"): 0.10, ("l", "A"): 0.08, ("l", "B"): 0.07}
    _, mice, _ = simulate_study(rates, n_per_arm=6, endpoint_volume_mm3=600, seed=5)
    lr = pairwise_logrank(time_to_endpoint(mice), {"l": ["control", "A", "B"]}, "holm")
    assert len(lr) == 3
    p = lr["p_value"].to_numpy()
    np.testing.assert_allclose(lr["p_adjusted"].to_numpy(), _holm_by_hand(p), rtol=1e-12)
    assert (lr["p_adjusted"] > lr["p_value"]).any()


def test_interaction_contrast_by_hand():
    import pandas as pd
    from scipy import stats

    from xenosim.analysis.mixed import interaction_contrasts

    c = pd.DataFrame([
        dict(cell_line="vec", arm_a="control", arm_b="tam", difference_per_day=-0.07, se=0.01,
             df=20.0),
        dict(cell_line="akt", arm_a="tam", arm_b="control", difference_per_day=0.02, se=0.02,
             df=10.0),
    ])
    r = interaction_contrasts(c, "control").iloc[0]
    se = np.sqrt(0.01**2 + 0.02**2)
    df = se**4 / (0.01**4 / 20 + 0.02**4 / 10)
    assert r["interaction_per_day"] == pytest.approx(-0.02 - (-0.07))
    assert r["se"] == pytest.approx(se) and r["df"] == pytest.approx(df)
    assert r["p_value"] == pytest.approx(2 * stats.t.sf(0.05 / se, df))
