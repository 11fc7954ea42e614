"""The in vitro analysis on synthetic data with known answers: 4PL fits (parameters and their
confidence intervals), absolute IC50, and Bliss / HSA / Loewe on constructed combination plates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xenosim.invitro.analysis import analyse, fit_4pl, logistic4
from xenosim.invitro.config import CONCENTRATION_KEYS, validate_invitro

DOSES = np.array([0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0])


def _synthetic(rng, top, bottom, ec50, hill, sd, reps=3):
    x = np.repeat(DOSES, reps)
    y = logistic4(x, top, bottom, ec50, hill) + sd * rng.standard_normal(x.size)
    return x, y


def test_4pl_recovers_known_parameters_with_cis():
    true = dict(top=1.0, bottom=0.2, ec50=0.5, hill=1.3)
    fit = fit_4pl(*_synthetic(np.random.default_rng(1), **true, sd=0.03))
    assert fit.status == "ok"
    for name in ("top", "bottom", "ec50", "hill"):
        lo, hi = getattr(fit, f"{name}_lo"), getattr(fit, f"{name}_hi")
        assert lo < true[name] < hi, (name, lo, true[name], hi)
    assert fit.ec50 == pytest.approx(0.5, rel=0.25)
    assert fit.bottom == pytest.approx(0.2, abs=0.05)
    # absolute IC50 (50 % of vehicle) of the true curve: ec50 * ((top-.5)/(.5-bottom))**(1/hill)
    ic50_true = 0.5 * ((1.0 - 0.5) / (0.5 - 0.2)) ** (1 / 1.3)
    assert fit.ic50_abs_lo < ic50_true < fit.ic50_abs_hi
    assert fit.ic50_abs == pytest.approx(ic50_true, rel=0.25)


def test_4pl_confidence_intervals_have_roughly_nominal_coverage():
    """Over 60 synthetic plates the 95 % CI of EC50 and Hill should cover the truth in most
    (binomial 95 % range for n=60, p=0.95 is ~52-60; allow down to 48 for the Wald approximation)."""
    rng = np.random.default_rng(7)
    cover_ec50 = cover_hill = 0
    n = 60
    for _ in range(n):
        fit = fit_4pl(*_synthetic(rng, 1.0, 0.3, 2.0, 1.0, sd=0.04), n_draws=200)
        cover_ec50 += fit.ec50_lo < 2.0 < fit.ec50_hi
        cover_hill += fit.hill_lo < 1.0 < fit.hill_hi
    assert cover_ec50 >= 48 and cover_hill >= 48, (cover_ec50, cover_hill)


def test_4pl_stimulus_curve_has_ec50_but_no_ic50():
    """E2 raises the readout: bottom (saturating dose) above top; EC50 recovered, no IC50."""
    fit = fit_4pl(*_synthetic(np.random.default_rng(3), 1.0, 4.0, 0.05, 1.0, sd=0.08))
    assert fit.status == "ok"
    assert fit.ec50_lo < 0.05 < fit.ec50_hi
    assert fit.bottom > fit.top
    assert np.isnan(fit.ic50_abs)


def test_4pl_partial_inhibitor_ic50_not_reached():
    fit = fit_4pl(*_synthetic(np.random.default_rng(4), 1.0, 0.7, 0.3, 1.0, sd=0.02))
    assert fit.ic50_abs == np.inf
    assert fit.bottom_hi < 0.8


def test_4pl_refuses_too_few_doses():
    fit = fit_4pl([0, 0, 1, 1, 10, 10], [1, 1, 0.8, 0.8, 0.4, 0.4])
    assert not fit.status.startswith("ok")


# ---- combination analysis on a constructed plate ---------------------------------------------
def _combination_experiment(grid_a, grid_b):
    return validate_invitro({
        "mode": "invitro", "experiment": "synthetic",
        "cell_lines": {"mcf7_vector": {}},
        "plates": {"m": {"concentrations": {"oht_nM": grid_a, "rapamycin_nM": grid_b},
                         "replicates": 2, "days": [0, 6]}},
    })


def _wells(exp, response):
    """A tidy wells table whose day-6 count is 1000 x response(a, b), day 0 is 1000."""
    rows = []
    for cond in exp.plates["m"].condition_list():
        a, b = cond["oht_nM"], cond["rapamycin_nM"]
        for r in range(2):
            for day, count in ((0.0, 1000.0), (6.0, 1000.0 * response(a, b))):
                row = {k: 0.0 for k in CONCENTRATION_KEYS}
                row.update(cond)
                rows.append({"plate": "m", "well": f"{a}-{b}-{r}", "cell_line": "mcf7_vector",
                             "medium": "full", **row, "replicate": r + 1, "day": day,
                             "cell_count": count, "fraction_apoptotic": 0.0,
                             "ere_reporter": 1.0, "mean_er_activity": 0.5, "er_share_e2": 0.5,
                             "er_share_tamoxifen": 0.0, "er_share_ser167": 0.0})
    return pd.DataFrame(rows)


def test_bliss_excess_is_zero_for_independent_drugs():
    grid = [0, 0.1, 0.3, 1, 3, 10]
    exp = _combination_experiment(grid, grid)

    def fa(a):
        return 1.0 / (1.0 + a / 0.5)

    def fb(b):
        return 0.4 + 0.6 / (1.0 + (b / 2.0) ** 1.5)

    tables = analyse(exp, _wells(exp, lambda a, b: fa(a) * fb(b)))
    syn = tables.synergy
    assert len(syn) == 25
    assert np.allclose(syn["bliss_excess"], 0.0, atol=1e-9)
    # HSA expects the stronger single agent only: independent drugs exceed it
    assert (syn["hsa_excess"] > 0).all()


def test_loewe_index_is_one_for_a_sham_combination():
    """Two 'drugs' that are the same compound (response depends on a + b only) are
    Loewe-additive by definition: combination index 1."""
    grid = [0, 0.1, 0.3, 1, 3, 10]
    exp = _combination_experiment(grid, grid)

    def response(a, b):
        return float(logistic4(a + b, 1.0, 0.0, 1.0, 1.0))

    tables = analyse(exp, _wells(exp, response))
    ci = tables.synergy["loewe_ci"].dropna()
    assert len(ci) >= 20
    assert np.allclose(ci, 1.0, atol=0.02)
