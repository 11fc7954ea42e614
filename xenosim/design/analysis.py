"""Operating characteristics per statistic and study size: power, false-positive rate,
coverage of the 95 % CI for the true effect, bias; smallest n reaching the target power."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _binom(k: float, m: int) -> tuple[float, float]:
    p = k / m if m else np.nan
    return p, float(np.sqrt(p * (1 - p) / m)) if m else np.nan


def operating_characteristics(studies: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """One row per (statistic, n): power (effect studies), FPR (null studies), coverage, bias,
    each with its Monte-Carlo standard error (binomial for rates). A missing p counts as not
    significant (a fit that fails in a real study gives no claim either)."""
    rows = []
    for (stat, n), g in studies.groupby(["statistic", "n"], sort=True):
        e, z = g[g["kind"] == "effect"], g[g["kind"] == "a_vs_a"]
        pw, pw_se = _binom(float((e["p_value"] < alpha).sum()), len(e))
        fp, fp_se = _binom(float((z["p_value"] < alpha).sum()), len(z))
        ok = e.dropna(subset=["truth", "ci_low", "ci_high"])
        cov, cov_se = _binom(float(((ok["ci_low"] <= ok["truth"]) &
                                    (ok["truth"] <= ok["ci_high"])).sum()), len(ok))
        d = (e["estimate"] - e["truth"]).dropna()
        rows.append({"statistic": stat, "n_per_arm": int(n), "replicates": len(e),
                     "power": pw, "power_mc_se": pw_se, "false_positive_rate": fp,
                     "fpr_mc_se": fp_se, "null_replicates": len(z),
                     "fpr_within_mc_of_alpha": bool(abs(fp - alpha) <= 2 * np.sqrt(
                         alpha * (1 - alpha) / max(len(z), 1))) if len(z) else None,
                     "coverage_95": cov, "coverage_mc_se": cov_se,
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
