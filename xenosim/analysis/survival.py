"""Time to the volume endpoint: Kaplan–Meier curves, medians and log-rank tests.

A mouse's event is reaching the humane volume endpoint; mice that finish the study or leave it for
another reason are right-censored at their last day. The log-rank test is implemented here (and
checked against statsmodels' ``survdiff`` in the tests); the Kaplan–Meier estimate and its median
CI come from statsmodels' ``SurvfuncRight``.
"""

from __future__ import annotations

import warnings
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight

from xenosim.analysis.multiplicity import adjust_pvalues


def time_to_endpoint(mice: pd.DataFrame) -> pd.DataFrame:
    """Per mouse: time (days since randomisation), event (reached endpoint) and censoring reason."""
    out = mice[["mouse", "cell_line", "arm"]].copy()
    out["time_days"] = np.maximum(mice["last_day"].astype(float), 0.0)
    out["event"] = mice["event"].astype(str).str.lower().eq("endpoint")
    out["reason"] = mice["event"].astype(str)
    return out.reset_index(drop=True)


def logrank(time, event, group) -> dict:
    """k-sample log-rank test (Mantel–Cox): chi-square on k−1 df with observed/expected events."""
    time = np.asarray(time, float)
    event = np.asarray(event, bool)
    group = np.asarray(group)
    levels = list(dict.fromkeys(group))
    k = len(levels)
    gi = np.array([levels.index(g) for g in group])
    o = np.zeros(k)
    e = np.zeros(k)
    v = np.zeros((k, k))
    for t in np.unique(time[event]):
        at_risk = time >= t
        n_j = np.bincount(gi[at_risk], minlength=k).astype(float)
        d_j = np.bincount(gi[(time == t) & event], minlength=k).astype(float)
        n, d = n_j.sum(), d_j.sum()
        o += d_j
        e += d * n_j / n
        if n > 1:
            f = d * (n - d) / (n * n * (n - 1))
            v += f * (n * np.diag(n_j) - np.outer(n_j, n_j))
    u = (o - e)[: k - 1]
    vv = v[: k - 1, : k - 1]
    if k < 2 or not np.any(vv):
        chi2, p = np.nan, np.nan
    else:
        chi2 = float(u @ np.linalg.pinv(vv) @ u)
        p = float(stats.chi2.sf(chi2, k - 1))
    return {
        "chi2": chi2,
        "df": k - 1,
        "p_value": p,
        "groups": levels,
        "observed": o,
        "expected": e,
    }


def _fit(t: np.ndarray, ev: np.ndarray) -> SurvfuncRight:
    return SurvfuncRight(t, ev.astype(float))


def kaplan_meier(tte: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Kaplan–Meier curve per arm with pointwise log-log CI (Greenwood variance).

    One row per step, starting with S(0) = 1; ``n_censored`` counts censoring at each time so the
    figure can tick them.
    """
    z = stats.norm.ppf(0.5 + level / 2)
    rows = []
    for (cl, arm), g in tte.groupby(["cell_line", "arm"], sort=False):
        t = g["time_days"].to_numpy()
        ev = g["event"].to_numpy()
        rows.append(
            dict(cell_line=cl, arm=arm, time_days=0.0, survival=1.0, ci_low=1.0, ci_high=1.0,
                 n_at_risk=len(t), n_events=0, n_censored=0)
        )
        sf = _fit(t, ev)
        times = np.union1d(sf.surv_times, t[~ev])
        for tt in times:
            idx = np.searchsorted(sf.surv_times, tt, side="right") - 1
            s = float(sf.surv_prob[idx]) if idx >= 0 else 1.0
            se = float(sf.surv_prob_se[idx]) if idx >= 0 else 0.0
            if 0 < s < 1 and se > 0:
                w = z * se / (s * abs(np.log(s)))
                lo, hi = s ** np.exp(w), s ** np.exp(-w)
            else:
                lo = hi = s
            rows.append(
                dict(cell_line=cl, arm=arm, time_days=float(tt), survival=s, ci_low=lo,
                     ci_high=hi, n_at_risk=int((t >= tt).sum()),
                     n_events=int(((t == tt) & ev).sum()),
                     n_censored=int(((t == tt) & ~ev).sum()))
            )
    return pd.DataFrame(rows)


def survival_summary(tte: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Per arm: mice, endpoint events, censored, median time to endpoint with CI (or not reached)."""
    rows = []
    for (cl, arm), g in tte.groupby(["cell_line", "arm"], sort=False):
        t = g["time_days"].to_numpy()
        ev = g["event"].to_numpy()
        med = lo = hi = np.nan
        if ev.any():
            sf = _fit(t, ev)
            med = float(sf.quantile(0.5))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    lo, hi = (float(x) for x in sf.quantile_ci(0.5, alpha=1 - level))
                except (ValueError, ZeroDivisionError, FloatingPointError):
                    lo = hi = np.nan
        rows.append(
            {
                "cell_line": cl,
                "arm": arm,
                "n_mice": len(t),
                "n_endpoint": int(ev.sum()),
                "n_censored": int((~ev).sum()),
                "median_days": med,
                "median_ci_low": lo,
                "median_ci_high": hi,
                "median_reached": bool(np.isfinite(med)),
                "max_followup_days": float(t.max()),
            }
        )
    return pd.DataFrame(rows)


def pairwise_logrank(
    tte: pd.DataFrame, arm_order: dict[str, list[str]], p_adjust: str = "holm"
) -> pd.DataFrame:
    """Log-rank test for every pair of arms within a cell line, multiplicity-adjusted per line."""
    rows = []
    for cl, arms in arm_order.items():
        sub = tte[tte["cell_line"] == cl]
        block = []
        for a, b in combinations(arms, 2):
            pair = sub[sub["arm"].isin([a, b])]
            res = logrank(pair["time_days"], pair["event"], pair["arm"])
            ia, ib = res["groups"].index(a), res["groups"].index(b)
            block.append(
                {
                    "cell_line": cl,
                    "arm_a": a,
                    "arm_b": b,
                    "events_a": int(res["observed"][ia]),
                    "events_b": int(res["observed"][ib]),
                    "expected_a": float(res["expected"][ia]),
                    "expected_b": float(res["expected"][ib]),
                    "chi2": res["chi2"],
                    "p_value": res["p_value"],
                }
            )
        block = pd.DataFrame(block)
        if len(block):
            block["p_adjusted"] = adjust_pvalues(block["p_value"], p_adjust)
            block["p_adjust_method"] = p_adjust
            rows.append(block)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
