"""Trial statistics: median time to progression (Kaplan-Meier) and Cox hazard ratios with CIs.

The Cox model is statsmodels' ``PHReg`` (Efron ties) with one treatment indicator; the hazard
ratio's CI is exp(beta +- z se). Medians and their CIs come from statsmodels' ``SurvfuncRight``;
the log-rank test is :func:`xenosim.analysis.survival.logrank`.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight

from xenosim.analysis.survival import logrank


def cox_hazard_ratio(time, event, treated, level: float = 0.95) -> dict:
    """Hazard ratio of ``treated`` (1) vs reference (0) with Wald CI and p-value."""
    time = np.asarray(time, float)
    event = np.asarray(event, bool)
    treated = np.asarray(treated, float)
    out = {"n": int(len(time)), "events": int(event.sum()), "hr": np.nan, "ci_low": np.nan,
           "ci_high": np.nan, "p_value": np.nan}
    if event.sum() == 0 or treated.min() == treated.max():
        return out
    if not event[treated == 1].any() or not event[treated == 0].any():
        return out  # no events in one arm: the Cox estimate diverges, HR not estimable
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = PHReg(time, treated[:, None], status=event.astype(float), ties="efron").fit()
    beta, se = float(fit.params[0]), float(fit.bse[0])
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(over="ignore"):  # a separated tiny trial: infinite upper CI, not an error
        out.update(hr=float(np.exp(beta)), ci_low=float(np.exp(beta - z * se)),
                   ci_high=float(np.exp(beta + z * se)), p_value=float(fit.pvalues[0]))
    return out


def median_survival(time, event, level: float = 0.95) -> tuple[float, float, float]:
    """Kaplan-Meier median and its CI (NaN where not reached)."""
    time = np.asarray(time, float)
    event = np.asarray(event, bool)
    if not event.any():
        return np.nan, np.nan, np.nan
    sf = SurvfuncRight(time, event.astype(float))
    med = float(sf.quantile(0.5))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            lo, hi = (float(x) for x in sf.quantile_ci(0.5, alpha=1 - level))
        except (ValueError, IndexError):
            lo = hi = np.nan
    return med, lo, hi


def km_curve(time, event) -> pd.DataFrame:
    """Kaplan-Meier steps (time, survival, at risk), starting at S(0) = 1."""
    time = np.asarray(time, float)
    event = np.asarray(event, bool)
    rows = [{"time": 0.0, "survival": 1.0, "n_at_risk": len(time)}]
    if event.any():
        sf = SurvfuncRight(time, event.astype(float))
        for t, s in zip(sf.surv_times, sf.surv_prob, strict=True):
            rows.append({"time": float(t), "survival": float(s),
                         "n_at_risk": int((time >= t).sum())})
    return pd.DataFrame(rows)


def compare_arms(df: pd.DataFrame, reference: str, level: float = 0.95,
                 time_col: str = "ttp_months", event_col: str = "progressed") -> pd.DataFrame:
    """Each arm against the reference: median TTP (CI) per arm, HR (CI), Cox and log-rank p."""
    rows = []
    ref = df[df["arm"] == reference]
    for arm, g in df.groupby("arm", sort=False):
        if arm == reference:
            continue
        both = pd.concat([ref, g])
        hr = cox_hazard_ratio(both[time_col], both[event_col], (both["arm"] == arm).astype(float),
                              level)
        lr = logrank(both[time_col], both[event_col], both["arm"]) if hr["events"] else {}
        rows.append({"arm": arm, "reference": reference, "n": hr["n"], "events": hr["events"],
                     "hazard_ratio": hr["hr"], "hr_ci_low": hr["ci_low"],
                     "hr_ci_high": hr["ci_high"], "cox_p": hr["p_value"],
                     "logrank_p": lr.get("p_value", np.nan)})
    return pd.DataFrame(rows)


def arm_medians(df: pd.DataFrame, level: float = 0.95, time_col: str = "ttp_months",
                event_col: str = "progressed") -> pd.DataFrame:
    """Per arm: patients, progressions, median TTP with CI."""
    rows = []
    for arm, g in df.groupby("arm", sort=False):
        med, lo, hi = median_survival(g[time_col], g[event_col], level)
        rows.append({"arm": arm, "n": int(len(g)), "progressed": int(g[event_col].sum()),
                     "median_ttp_months": med, "median_ci_low": lo, "median_ci_high": hi})
    return pd.DataFrame(rows)


def synthetic_trial(rng: np.random.Generator, n_per_arm: int, hazard_ratio: float,
                    median_reference: float, follow_up: float) -> pd.DataFrame:
    """Exponential event times with a known hazard ratio, uniform accrual censoring and
    administrative censoring at ``follow_up``: the test bed of the HR machinery."""
    lam = np.log(2) / median_reference
    rows = []
    for arm, rate in (("reference", lam), ("treated", lam * hazard_ratio)):
        t = rng.exponential(1 / rate, n_per_arm)
        censor = rng.uniform(0.5 * follow_up, follow_up, n_per_arm)
        rows.append(pd.DataFrame({"arm": arm, "ttp_months": np.minimum(t, censor),
                                  "progressed": t <= censor}))
    return pd.concat(rows, ignore_index=True)
