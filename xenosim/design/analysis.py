"""Operating characteristics per statistic and study size: power, false-positive rate,
coverage of the 95 % CI for the true effect, bias; smallest n reaching the target power."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

#: level of the Monte-Carlo interval a rate must contain its nominal value in (Clopper-Pearson)
MC_LEVEL = 0.99


def _binom(k: float, m: int) -> tuple[float, float]:
    p = k / m if m else np.nan
    return p, float(np.sqrt(p * (1 - p) / m)) if m else np.nan


def clopper_pearson(k: int, m: int, level: float = MC_LEVEL) -> tuple[float, float]:
    """Exact binomial interval for a rate of k successes in m trials (NaN for m = 0)."""
    if m == 0:
        return np.nan, np.nan
    a = (1 - level) / 2
    lo = stats.beta.ppf(a, k, m - k + 1) if k > 0 else 0.0
    hi = stats.beta.ppf(1 - a, k + 1, m - k) if k < m else 1.0
    return float(lo), float(hi)


def operating_characteristics(studies: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """One row per (statistic, n): power (effect studies), FPR (null studies), coverage, bias,
    each with its Monte-Carlo standard error (binomial for rates). FPR and coverage also get a
    99 % Clopper-Pearson interval; a statistic is calibrated at n when that interval contains
    alpha (FPR) or 0.95 (coverage). A missing p counts as not significant (a fit that fails in a
    real study gives no claim either)."""
    rows = []
    for (stat, n), g in studies.groupby(["statistic", "n"], sort=True):
        e, z = g[g["kind"] == "effect"], g[g["kind"] == "a_vs_a"]
        pw, pw_se = _binom(float((e["p_value"] < alpha).sum()), len(e))
        k_fp = int((z["p_value"] < alpha).sum())
        fp, fp_se = _binom(float(k_fp), len(z))
        fp_lo, fp_hi = clopper_pearson(k_fp, len(z))
        ok = e.dropna(subset=["truth", "ci_low", "ci_high"])
        k_cov = int(((ok["ci_low"] <= ok["truth"]) & (ok["truth"] <= ok["ci_high"])).sum())
        cov, cov_se = _binom(float(k_cov), len(ok))
        cov_lo, cov_hi = clopper_pearson(k_cov, len(ok))
        d = (e["estimate"] - e["truth"]).dropna()
        rows.append({"statistic": stat, "n_per_arm": int(n), "replicates": len(e),
                     "power": pw, "power_mc_se": pw_se, "false_positive_rate": fp,
                     "fpr_mc_se": fp_se, "fpr_ci99_low": fp_lo, "fpr_ci99_high": fp_hi,
                     "null_replicates": len(z),
                     "fpr_within_mc_of_alpha": bool(fp_lo <= alpha <= fp_hi) if len(z)
                     else None,
                     "coverage_95": cov, "coverage_mc_se": cov_se,
                     "coverage_ci99_low": cov_lo, "coverage_ci99_high": cov_hi,
                     "coverage_within_mc_of_95": bool(cov_lo <= 0.95 <= cov_hi) if len(ok)
                     else None,
                     "truth": float(e["truth"].mean()) if e["truth"].notna().any() else np.nan,
                     "bias": float(d.mean()) if len(d) else np.nan,
                     "bias_mc_se": float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1
                     else np.nan,
                     "mean_n_a": float(e["n_a"].mean()), "mean_n_b": float(e["n_b"].mean())})
    return pd.DataFrame(rows)


def smallest_n(oc: pd.DataFrame, target: float = 0.8) -> pd.DataFrame:
    """Per statistic: the smallest n per arm whose estimated power reaches ``target`` (NaN if
    none of the candidate sizes does)."""
    rows = []
    for stat, g in oc.groupby("statistic", sort=False):
        hit = g[g["power"] >= target].sort_values("n_per_arm")
        rows.append({"statistic": stat, "target_power": target,
                     "smallest_n_per_arm": int(hit["n_per_arm"].iloc[0]) if len(hit) else None,
                     "power_at_that_n": float(hit["power"].iloc[0]) if len(hit) else None})
    return pd.DataFrame(rows)
