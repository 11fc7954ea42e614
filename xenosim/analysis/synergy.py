"""Combination synergy in tumour growth studies: Bliss independence, highest single agent (HSA)
and response additivity (RA), time-resolved, with small-sample t-based inference.

Per arm X, r_X(t) is the mean over mice of the specific growth rate (slope of ln V against day)
fitted from day 0 to day t, so the arm's relative tumour volume is RTV_X(t) = exp(r_X t) under
log-linear growth, and the growth-rate effect of X is e_X = r_control − r_X (per day).

- ``bliss`` (default): Bliss independence on relative tumour volume. Independent drugs multiply
  the fractions of control RTV, RTV_AB/RTV_C = (RTV_A/RTV_C)(RTV_B/RTV_C), which in log-volume
  growth rates is additive: r_AB − r_C = (r_A − r_C) + (r_B − r_C). Excess = e_AB − (e_A + e_B)
  = r_A + r_B − r_C − r_AB (per day; > 0 synergy). Demidenko & Miller, PLoS One 2019;14:e0224137
  (doi:10.1371/journal.pone.0224137); the definition used by SynergyLMM (Romero-Becerra et al.,
  Nat Commun 2025) and invivoSyn (Mao et al.).
- ``hsa``: the combination against its better single agent, excess = min(r_A, r_B) − r_AB.
- ``response_additivity``: RTV effects add, RTV_AB = RTV_A + RTV_B − RTV_C; excess =
  (RTV_A + RTV_B − RTV_C − RTV_AB)/RTV_C with RTV_X = exp(r_X t) (a fraction of control RTV).
- ``bliss_rate`` (named option, xenosim's earlier definition): Bliss on fractional inhibition of
  growth rate, I_X = 1 − r_X/r_C, expected I_AB = I_A + I_B − I_A·I_B; undefined (withheld) when
  a single agent inhibits growth by ≥ 100 %.

Inference: every Bliss / HSA / RA excess is a linear contrast of arm mean rates (RA: linearised
by the delta method), tested with a Welch–Satterthwaite t statistic; its false-positive rate at
4–8 mice per arm is measured in ``tests/test_analysis_calibration.py``. ``bliss_rate`` keeps the
percentile bootstrap over mice (a ratio statistic); its p-value has a floor of 2/(n_boot + 1) and
is reported as a bound there.
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


#: Synergy definitions this module computes; the first is the default.
METRICS = ("bliss", "hsa", "response_additivity", "bliss_rate")
METRIC_LABEL = {
    "bliss": "Bliss (log RTV)",
    "hsa": "HSA",
    "response_additivity": "Response additivity",
    "bliss_rate": "Bliss (growth-rate inhibition)",
}
METRIC_FORMULA = {
    "bliss": "excess = (r_C − r_AB) − [(r_C − r_A) + (r_C − r_B)] = r_A + r_B − r_C − r_AB (/day); "
             "Bliss independence on relative tumour volume, additive in log-volume growth rates",
    "hsa": "excess = min(r_A, r_B) − r_AB (/day); combination against its better single agent",
    "response_additivity": "excess = (RTV_A + RTV_B − RTV_C − RTV_AB) / RTV_C with "
                           "RTV_X = exp(r_X·t); relative-volume effects add",
    "bliss_rate": "I_X = 1 − r_X/r_C; excess = I_AB − (I_A + I_B − I_A·I_B); Bliss on fractional "
                  "growth-rate inhibition (withheld when a single agent inhibits ≥ 100 %)",
}
FLAG_FULL_INHIBITION = "a single agent inhibits growth by ≥ 100 % (no growth left to share)"


def welch_contrast(means, variances, ns, weights, level: float = 0.95):
    """Linear contrast Σ w·mean of independent arm means with a Welch–Satterthwaite t test.

    Arguments are sequences over arms of arrays broadcasting together (e.g. replicate × day), so
    thousands of simulated studies are tested at once. Returns ``(estimate, se, df, ci_low,
    ci_high, p_two_sided)``; NaN where an arm has fewer than two mice.
    """
    from scipy import stats

    est = sum(w * m for w, m in zip(weights, means, strict=True))
    parts = [np.asarray(w) ** 2 * v / n for w, v, n in zip(weights, variances, ns, strict=True)]
    var = sum(parts)
    with np.errstate(divide="ignore", invalid="ignore"):
        den = sum(p**2 / (np.asarray(n) - 1) for p, n in zip(parts, ns, strict=True))
        df = np.where(den > 0, var**2 / den, np.nan)
        se = np.sqrt(var)
        t = est / se
    q = stats.t.ppf(0.5 + level / 2, df)
    p = 2 * stats.t.sf(np.abs(t), df)
    return est, se, df, est - q * se, est + q * se, p


def synergy_tests(
    stats_by_arm: dict[str, tuple], control: str, a: str, b: str, ab: str, t_days,
    level: float = 0.95,
) -> dict[str, tuple]:
    """Bliss, HSA and RA excess with Welch t inference from per-arm (mean rate, variance, n).

    Vectorised over whatever shape the arrays share; ``t_days`` is the day each rate runs to
    (for RA). Returns metric → ``(estimate, se, df, ci_low, ci_high, p)``.
    """
    (mc, vc, nc), (ma, va, na), (mb, vb, nb), (mab, vab, nab) = (
        stats_by_arm[x] for x in (control, a, b, ab)
    )
    out = {"bliss": welch_contrast([mc, ma, mb, mab], [vc, va, vb, vab], [nc, na, nb, nab],
                                   [-1.0, 1.0, 1.0, -1.0], level)}
    a_better = ma <= mb
    m_best = np.where(a_better, ma, mb)
    v_best, n_best = np.where(a_better, va, vb), np.where(a_better, na, nb)
    out["hsa"] = welch_contrast([m_best, mab], [v_best, vab], [n_best, nab], [1.0, -1.0], level)
    t = np.asarray(t_days, float)
    # RA on RTV_X = exp(r_X t), scaled by RTV_C: g = e^{(rA-rC)t} + e^{(rB-rC)t} − 1 − e^{(rAB-rC)t};
    # delta-method weights ∂g/∂r_X
    ea, eb, eab = (np.exp((m - mc) * t) for m in (ma, mb, mab))
    g = ea + eb - 1 - eab
    w = [-t * (ea + eb - eab), t * ea, t * eb, -t * eab]
    _, se, df, _, _, _ = welch_contrast([mc, ma, mb, mab], [vc, va, vb, vab], [nc, na, nb, nab],
                                        w, level)
    from scipy import stats

    q = stats.t.ppf(0.5 + level / 2, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2 * stats.t.sf(np.abs(g / se), df)
    out["response_additivity"] = (g, se, df, g - q * se, g + q * se, p)
    return out


def _arm_stats(m: np.ndarray) -> tuple:
    """(mean, variance, n) over mice (axis 0) of a mouse × day matrix, ignoring NaN."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(m, axis=0), np.nanvar(m, axis=0, ddof=1), np.isfinite(m).sum(axis=0)


def synergy_over_time(
    tp: pd.DataFrame,
    cell_line: str,
    control: str,
    a: str,
    b: str,
    ab: str,
    *,
    metrics: tuple[str, ...] = ("bliss", "hsa", "response_additivity"),
    n_boot: int = 1000,
    rng: np.random.Generator | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Synergy excess of ``ab`` over ``a`` and ``b`` per measurement day, one row per (day, metric).

    ``metrics`` is any subset of :data:`METRICS`. Columns: mean rates, inhibitions, expected
    and observed effect, excess with CI and p, the test used, ``p_floor`` (bootstrap only: the
    smallest p its resamples can give) and ``flag`` (non-empty where a single agent inhibits
    growth by ≥ 100 %, so Bliss / HSA are not interpretable as synergy).
    """
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise ValueError(f"unknown synergy metric(s) {unknown}; choose from {list(METRICS)}")
    rng = rng if rng is not None else np.random.default_rng(0)
    arms = [control, a, b, ab]
    d = tp[(tp["cell_line"] == cell_line) & tp["arm"].isin(arms)]
    # a growth rate needs at least three caliper readings (day 0 and two more): a two-point rate
    # is mostly measurement noise
    days = np.sort(d.loc[d["day"] > 0, "day"].unique())[1:]
    if not len(days):
        return pd.DataFrame()
    rates = cumulative_rates(d, days)
    arm_of = d.groupby("mouse")["arm"].first()
    mats = {x: rates.loc[arm_of.index[arm_of == x]].to_numpy() for x in arms}
    enough = np.all([(np.isfinite(m).sum(axis=0) >= 2) for m in mats.values()], axis=0)
    days = days[enough]
    mats = {x: m[:, enough] for x, m in mats.items()}
    if not len(days):
        return pd.DataFrame()
    st = {x: _arm_stats(m) for x, m in mats.items()}
    obs = {x: st[x][0] for x in arms}
    rc = obs[control]
    with np.errstate(divide="ignore", invalid="ignore"):
        inh = {x: np.where(rc > 0, 1 - obs[x] / rc, np.nan) for x in (a, b, ab)}
    full = ~(rc > 0) | (np.fmax(inh[a], inh[b]) >= 1)
    res = synergy_tests(st, control, a, b, ab, days, level)
    eff = {x: rc - obs[x] for x in (a, b, ab)}
    expected = {
        "bliss": eff[a] + eff[b],
        "hsa": np.fmax(eff[a], eff[b]),
        "response_additivity": np.exp((obs[a] - rc) * days) + np.exp((obs[b] - rc) * days) - 1,
    }
    observed = {"bliss": eff[ab], "hsa": eff[ab],
                "response_additivity": np.exp((obs[ab] - rc) * days)}
    if "bliss_rate" in metrics:
        res["bliss_rate"], expected["bliss_rate"], floor = _bliss_rate_bootstrap(
            mats, obs, control, a, b, ab, n_boot, rng, level)
        observed["bliss_rate"] = inh[ab]
    rows = []
    for metric in metrics:
        est, se, df, lo, hi, p = res[metric]
        boot = metric == "bliss_rate"
        for j, day in enumerate(days):
            withheld = boot and full[j]
            rows.append({
                "cell_line": cell_line, "day": float(day), "metric": metric,
                "arm_a": a, "arm_b": b, "arm_ab": ab,
                "rate_control": rc[j], "rate_a": obs[a][j], "rate_b": obs[b][j],
                "rate_ab": obs[ab][j], "n_control": int(st[control][2][j]),
                "n_a": int(st[a][2][j]), "n_b": int(st[b][2][j]), "n_ab": int(st[ab][2][j]),
                "inhibition_a": inh[a][j], "inhibition_b": inh[b][j],
                "inhibition_ab": inh[ab][j],
                "expected": np.nan if withheld else expected[metric][j],
                "observed": np.nan if withheld else observed[metric][j],
                "excess": np.nan if withheld else est[j],
                "se": np.nan if boot else se[j], "df": np.nan if boot else df[j],
                "ci_low": np.nan if withheld else lo[j], "ci_high": np.nan if withheld else hi[j],
                "p_value": np.nan if withheld or not np.isfinite(est[j]) else p[j],
                "test": f"percentile bootstrap ({n_boot} resamples of mice)" if boot
                else "Welch–Satterthwaite t on arm mean rates",
                "p_floor": floor if boot else np.nan,
                "flag": FLAG_FULL_INHIBITION if full[j] else "",
            })
    return pd.DataFrame(rows)


def _bliss_rate_bootstrap(mats, obs, control, a, b, ab, n_boot, rng, level):
    """Rate-inhibition Bliss excess with a percentile bootstrap over mice within each arm."""
    def excess(r):
        rc = r[control]
        with np.errstate(divide="ignore", invalid="ignore"):
            ia, ib, iab = (np.where(rc > 0, 1 - r[x] / rc, np.nan) for x in (a, b, ab))
        exp_ = ia + ib - ia * ib
        return iab - exp_, exp_

    boot = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for x, m in mats.items():
            idx = rng.integers(0, m.shape[0], size=(n_boot, m.shape[0]))
            boot[x] = np.nanmean(m[idx], axis=1)
        bs, _ = excess(boot)
        est, expected = excess(obs)
        alpha = 1 - level
        lo = np.nanpercentile(bs, 100 * alpha / 2, axis=0)
        hi = np.nanpercentile(bs, 100 * (1 - alpha / 2), axis=0)
    valid = np.isfinite(bs).sum(axis=0)
    le = (1 + np.sum(bs <= 0, axis=0)) / (valid + 1)
    ge = (1 + np.sum(bs >= 0, axis=0)) / (valid + 1)
    p = np.minimum(1.0, 2 * np.minimum(le, ge))
    nan = np.full_like(est, np.nan)
    return (est, nan, nan, lo, hi, p), expected, 2.0 / (n_boot + 1)
