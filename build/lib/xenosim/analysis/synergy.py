"""Combination synergy on tumour growth rates: Bliss independence and highest single agent (HSA).

For each arm X, r_X(t) is the mean over mice of the specific growth rate fitted to ln V from day 0
to day t, and I_X(t) = 1 − r_X(t)/r_control(t) is the fractional inhibition of growth rate
(1 = growth stopped, > 1 = regression). Bliss expects I_A+B = I_A + I_B − I_A·I_B for drugs acting
independently; HSA expects the better single agent, max(I_A, I_B). Excess = observed − expected
(> 0: more than expected = synergy; < 0: antagonism). Confidence intervals and two-sided p-values
come from a bootstrap that resamples mice within each arm (seeded numpy Generator); a mouse keeps
its whole trajectory in a resample, so all days share one bootstrap.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd


def cumulative_rates(tp: pd.DataFrame, days: np.ndarray) -> pd.DataFrame:
    """Per mouse (rows) and grid day (columns): OLS slope of ln V over its points with day ≤ t.

    NaN where the mouse has fewer than two points by then. Mice that left the study keep the
    rate of their own follow-up, so fast tumours removed at the endpoint are not lost.
    """
    days = np.asarray(days, float)
    out = {}
    for mouse, g in tp.groupby("mouse", sort=False):
        t = g["day"].to_numpy(float)
        y = g["log_volume"].to_numpy(float)
        t0 = t - t[0]  # centre on the first day for numerical stability
        n = np.arange(1, len(t) + 1, dtype=float)
        sx, sy = np.cumsum(t0), np.cumsum(y)
        sxx, sxy = np.cumsum(t0 * t0), np.cumsum(t0 * y)
        den = n * sxx - sx * sx
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where((n >= 2) & (den > 0), (n * sxy - sx * sy) / den, np.nan)
        k = np.searchsorted(t, days, side="right") - 1
        out[mouse] = np.where(k >= 0, slope[np.clip(k, 0, None)], np.nan)
    return pd.DataFrame.from_dict(out, orient="index", columns=days)


def _excess(rates: dict[str, np.ndarray], control: str, a: str, b: str, ab: str):
    """Inhibitions and Bliss / HSA excess from mean rates (arrays broadcast over boot × day)."""
    rc = rates[control]
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = rc > 0
        ia = np.where(ok, 1 - rates[a] / rc, np.nan)
        ib = np.where(ok, 1 - rates[b] / rc, np.nan)
        iab = np.where(ok, 1 - rates[ab] / rc, np.nan)
    bliss_exp = ia + ib - ia * ib
    hsa_exp = np.maximum(ia, ib)
    return ia, ib, iab, bliss_exp, iab - bliss_exp, hsa_exp, iab - hsa_exp


def synergy_over_time(
    tp: pd.DataFrame,
    cell_line: str,
    control: str,
    a: str,
    b: str,
    ab: str,
    *,
    n_boot: int = 1000,
    rng: np.random.Generator | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Bliss and HSA excess of ``ab`` over ``a`` and ``b`` per measurement day, with bootstrap CI.

    Returns one row per (day, metric) with the observed inhibitions, expected inhibition, excess,
    percentile CI and a two-sided bootstrap p-value (CI-inversion; resolution 1/(n_boot+1)).
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    arms = [control, a, b, ab]
    d = tp[(tp["cell_line"] == cell_line) & tp["arm"].isin(arms)]
    # a growth rate needs at least three caliper readings (day 0 and two more): a two-point rate
    # is mostly measurement noise and its bootstrap interval says nothing
    days = np.sort(d.loc[d["day"] > 0, "day"].unique())[1:]
    if not len(days):
        return pd.DataFrame()
    rates = cumulative_rates(d, days)
    arm_of = d.groupby("mouse")["arm"].first()
    mats = {x: rates.loc[arm_of.index[arm_of == x]].to_numpy() for x in arms}
    # a day counts only when every arm has at least two mice with a rate
    enough = np.all([(np.isfinite(m).sum(axis=0) >= 2) for m in mats.values()], axis=0)
    days = days[enough]
    mats = {x: m[:, enough] for x, m in mats.items()}
    if not len(days):
        return pd.DataFrame()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        obs = {x: np.nanmean(m, axis=0) for x, m in mats.items()}
        boot = {}
        for x in arms:
            m = mats[x]
            idx = rng.integers(0, m.shape[0], size=(n_boot, m.shape[0]))
            boot[x] = np.nanmean(m[idx], axis=1)  # (n_boot, n_days)
    ia, ib, iab, bliss_exp, bliss, hsa_exp, hsa = _excess(obs, control, a, b, ab)
    bt = _excess(boot, control, a, b, ab)
    alpha = 1 - level
    rows = []
    for metric, expected, est, bs in (
        ("bliss", bliss_exp, bliss, bt[4]),
        ("hsa", hsa_exp, hsa, bt[6]),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lo = np.nanpercentile(bs, 100 * alpha / 2, axis=0)
            hi = np.nanpercentile(bs, 100 * (1 - alpha / 2), axis=0)
        valid = np.isfinite(bs).sum(axis=0)
        le = (1 + np.sum(bs <= 0, axis=0)) / (valid + 1)
        ge = (1 + np.sum(bs >= 0, axis=0)) / (valid + 1)
        p = np.minimum(1.0, 2 * np.minimum(le, ge))
        for j, day in enumerate(days):
            rows.append(
                {
                    "cell_line": cell_line,
                    "day": float(day),
                    "metric": metric,
                    "arm_a": a,
                    "arm_b": b,
                    "arm_ab": ab,
                    "rate_control": obs[control][j],
                    "rate_a": obs[a][j],
                    "rate_b": obs[b][j],
                    "rate_ab": obs[ab][j],
                    "inhibition_a": ia[j],
                    "inhibition_b": ib[j],
                    "inhibition_ab": iab[j],
                    "expected_inhibition": expected[j],
                    "excess": est[j],
                    "ci_low": lo[j],
                    "ci_high": hi[j],
                    "p_value": p[j] if np.isfinite(est[j]) else np.nan,
                    "n_boot": n_boot,
                }
            )
    return pd.DataFrame(rows)
