"""Per-mouse and per-arm tumour growth statistics: growth rate, doubling time, T/C, %TGI, AUC,
mRECIST.

Everything here works on the treatment phase (day ≥ 0). Each mouse's baseline is its first
treatment-phase measurement (normally day 0). Logs of volumes use a floor of
:data:`LOG_FLOOR_MM3` so a tumour measured at 0 mm³ does not give −∞.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

#: Volumes below this are set to it before taking logs (caliper detection limit, mm³).
LOG_FLOOR_MM3 = 1.0
#: Arms whose fraction of mice still measured falls below this are not used for T/C, %TGI or
#: the mean curves on that day (survivor bias once fast tumours reach the endpoint).
MIN_FRACTION_PRESENT = 0.5
#: mRECIST (Gao et al. 2015): best responses are taken from this day on.
MRECIST_MIN_DAY = 10.0

GROUP = ["cell_line", "arm"]


def treatment_phase(meas: pd.DataFrame) -> pd.DataFrame:
    """Day ≥ 0 rows with baseline volume, relative tumour volume (RTV), % change and log volume."""
    tp = meas[meas["day"] >= 0].sort_values(["cell_line", "arm", "mouse", "day"]).copy()
    first = tp.groupby("mouse", sort=False).agg(
        baseline_day=("day", "first"), baseline_volume_mm3=("volume_mm3", "first")
    )
    tp = tp.join(first, on="mouse")
    base = np.maximum(tp["baseline_volume_mm3"], LOG_FLOOR_MM3)
    tp["rtv"] = np.maximum(tp["volume_mm3"], LOG_FLOOR_MM3) / base
    tp["pct_change"] = (tp["volume_mm3"] / base - 1.0) * 100.0
    tp["log_volume"] = np.log(np.maximum(tp["volume_mm3"], LOG_FLOOR_MM3))
    return tp.reset_index(drop=True)


def t_ci(mean, se, df, level=0.95):
    q = stats.t.ppf(0.5 + level / 2, np.maximum(df, 1))
    return mean - q * se, mean + q * se


def doubling_time(rate, lo=None, hi=None):
    """Doubling time ln2 / rate (days) and its CI from the rate CI (inf when a bound is ≤ 0)."""
    rate = np.asarray(rate, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        dt = np.where(rate > 0, np.log(2) / rate, np.nan)
        if lo is None:
            return dt
        lo = np.asarray(lo, float)
        hi = np.asarray(hi, float)
        dt_lo = np.where(hi > 0, np.log(2) / hi, np.nan)
        dt_hi = np.where(lo > 0, np.log(2) / lo, np.where(hi > 0, np.inf, np.nan))
    return dt, dt_lo, dt_hi


def mouse_growth_rates(tp: pd.DataFrame) -> pd.DataFrame:
    """Specific growth rate per mouse: OLS slope of ln V on day over its treatment phase.

    The slope (per day) is the exponential growth rate; its SE needs at least 3 points.
    """
    d = tp[["mouse", "cell_line", "arm", "day", "log_volume"]].copy()
    g = d.groupby("mouse", sort=False)
    d["xc"] = d["day"] - g["day"].transform("mean")
    d["yc"] = d["log_volume"] - g["log_volume"].transform("mean")
    d["xx"] = d["xc"] ** 2
    d["xy"] = d["xc"] * d["yc"]
    d["yy"] = d["yc"] ** 2
    s = d.groupby("mouse", sort=False).agg(
        cell_line=("cell_line", "first"),
        arm=("arm", "first"),
        n_points=("day", "size"),
        first_day=("day", "min"),
        last_day=("day", "max"),
        mean_day=("day", "mean"),
        mean_log=("log_volume", "mean"),
        sxx=("xx", "sum"),
        sxy=("xy", "sum"),
        syy=("yy", "sum"),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(s["sxx"] > 0, s["sxy"] / s["sxx"], np.nan)
        rss = np.maximum(s["syy"] - slope * s["sxy"], 0.0)
        se = np.where(s["n_points"] > 2, np.sqrt(rss / (s["n_points"] - 2) / s["sxx"]), np.nan)
    out = pd.DataFrame(
        {
            "mouse": s.index,
            "cell_line": s["cell_line"].to_numpy(),
            "arm": s["arm"].to_numpy(),
            "n_points": s["n_points"].to_numpy(),
            "first_day": s["first_day"].to_numpy(),
            "last_day": s["last_day"].to_numpy(),
            "rate_per_day": slope,
            "rate_se": se,
            "log_volume_day0": (s["mean_log"] - slope * s["mean_day"]).to_numpy(),
        }
    )
    out["doubling_time_days"] = doubling_time(out["rate_per_day"])
    return out


def arm_growth_rates(mouse_rates: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Per-arm mean specific growth rate with a t-based CI over mice, and doubling time."""
    rows = []
    for (cl, arm), g in mouse_rates.dropna(subset=["rate_per_day"]).groupby(GROUP, sort=False):
        r = g["rate_per_day"].to_numpy()
        n = len(r)
        mean = float(r.mean())
        sd = float(r.std(ddof=1)) if n > 1 else np.nan
        se = sd / np.sqrt(n) if n > 1 else np.nan
        lo, hi = t_ci(mean, se, n - 1, level)
        dt, dt_lo, dt_hi = doubling_time(mean, lo, hi)
        rows.append(
            {
                "cell_line": cl,
                "arm": arm,
                "n_mice": n,
                "rate_per_day": mean,
                "rate_sd": sd,
                "rate_se": se,
                "rate_ci_low": lo,
                "rate_ci_high": hi,
                "doubling_time_days": float(dt),
                "doubling_time_ci_low": float(dt_lo),
                "doubling_time_ci_high": float(dt_hi),
            }
        )
    return pd.DataFrame(rows)


def welch(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> dict:
    """Welch two-sample comparison of means, b − a: estimate, SE, df, CI and two-sided p."""
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = np.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)) if se > 0 else np.nan
    diff = b.mean() - a.mean()
    lo, hi = t_ci(diff, se, df, level)
    p = 2 * stats.t.sf(abs(diff / se), df) if se > 0 else np.nan
    return {"difference": diff, "se": se, "df": df, "ci_low": lo, "ci_high": hi, "p_value": p}


def pairwise_rate_tests(mouse_rates: pd.DataFrame, arm_order: dict[str, list[str]]) -> pd.DataFrame:
    """Welch tests of per-mouse growth rates for every pair of arms within a cell line."""
    rows = []
    for cl, arms in arm_order.items():
        sub = mouse_rates[mouse_rates["cell_line"] == cl]
        for a, b in combinations(arms, 2):
            ra = sub.loc[sub["arm"] == a, "rate_per_day"].dropna().to_numpy()
            rb = sub.loc[sub["arm"] == b, "rate_per_day"].dropna().to_numpy()
            if len(ra) < 2 or len(rb) < 2:
                continue
            rows.append({"cell_line": cl, "arm_a": a, "arm_b": b, **welch(ra, rb)})
    return pd.DataFrame(rows)


def group_curves(tp: pd.DataFrame) -> pd.DataFrame:
    """Per (cell line, arm, day): mice measured, mean ± SEM of volume and of RTV."""
    n_start = tp.groupby(GROUP)["mouse"].nunique().rename("n_start")
    g = tp.groupby([*GROUP, "day"])
    out = g.agg(
        n=("mouse", "size"),
        mean_volume_mm3=("volume_mm3", "mean"),
        sd_volume_mm3=("volume_mm3", "std"),
        mean_rtv=("rtv", "mean"),
        sd_rtv=("rtv", "std"),
        mean_log_volume=("log_volume", "mean"),
    ).reset_index()
    out = out.join(n_start, on=GROUP)
    out["sem_volume_mm3"] = out["sd_volume_mm3"] / np.sqrt(out["n"])
    out["sem_rtv"] = out["sd_rtv"] / np.sqrt(out["n"])
    out["fraction_present"] = out["n"] / out["n_start"]
    return out


def tc_tgi(
    tp: pd.DataFrame, control_arm: str, min_fraction: float = MIN_FRACTION_PRESENT
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """T/C and %TGI of every arm against its cell line's control, per day and at study end.

    T/C = mean V_T(t) / mean V_C(t); T/C(RTV) = mean RTV_T(t) / mean RTV_C(t);
    %TGI = (1 − ΔT/ΔC)·100 with ΔX = mean V_X(t) − mean baseline V_X. "Study end" is the last
    day on which both arms still have at least ``min_fraction`` of their mice measured.
    """
    curves = group_curves(tp)
    base = tp.drop_duplicates("mouse").groupby(GROUP)["baseline_volume_mm3"].mean()
    curves = curves.join(base.rename("baseline_mean_mm3"), on=GROUP)
    ctrl = curves[curves["arm"] == control_arm].drop(columns="arm")
    treated = curves[curves["arm"] != control_arm]
    m = treated.merge(ctrl, on=["cell_line", "day"], suffixes=("_t", "_c"))
    out = pd.DataFrame(
        {
            "cell_line": m["cell_line"],
            "arm": m["arm"],
            "day": m["day"],
            "n_t": m["n_t"],
            "n_c": m["n_c"],
            "mean_volume_t_mm3": m["mean_volume_mm3_t"],
            "mean_volume_c_mm3": m["mean_volume_mm3_c"],
            "tc": m["mean_volume_mm3_t"] / m["mean_volume_mm3_c"],
            "tc_rtv": m["mean_rtv_t"] / m["mean_rtv_c"],
        }
    )
    dt = m["mean_volume_mm3_t"] - m["baseline_mean_mm3_t"]
    dc = m["mean_volume_mm3_c"] - m["baseline_mean_mm3_c"]
    out["tgi_pct"] = np.where(dc > 0, (1 - dt / dc) * 100.0, np.nan)
    out["reliable"] = (m["fraction_present_t"] >= min_fraction) & (
        m["fraction_present_c"] >= min_fraction
    )
    out = out[out["day"] > 0].sort_values(["cell_line", "arm", "day"]).reset_index(drop=True)
    end = (
        out[out["reliable"]]
        .sort_values("day")
        .groupby(GROUP, sort=False)
        .tail(1)
        .reset_index(drop=True)
    )
    return out, end


def auc_rtv(tp: pd.DataFrame) -> pd.DataFrame:
    """Per-mouse area under the RTV curve (trapezoid, RTV·days).

    ``auc_common`` runs from the baseline to the cell line's common day (the last day all of its
    mice are still measured, RTV interpolated there), so mice are comparable;
    ``mean_rtv_followup`` is the time-averaged RTV over each mouse's own follow-up.
    """
    rows = []
    common = tp.groupby("mouse")["day"].max().groupby(tp.groupby("mouse")["cell_line"].first())
    common = common.min()
    for mouse, g in tp.groupby("mouse", sort=False):
        cl = g["cell_line"].iloc[0]
        t = g["day"].to_numpy()
        y = g["rtv"].to_numpy()
        tc = float(common[cl])
        keep = t <= tc
        tt, yy = t[keep], y[keep]
        if tt[-1] < tc:
            tt = np.append(tt, tc)
            yy = np.append(yy, np.interp(tc, t, y))
        auc_c = float(np.trapezoid(yy, tt)) if len(tt) > 1 else np.nan
        dur = t[-1] - t[0]
        auc_own = float(np.trapezoid(y, t)) if len(t) > 1 else np.nan
        rows.append(
            {
                "mouse": mouse,
                "cell_line": cl,
                "arm": g["arm"].iloc[0],
                "common_day": tc,
                "auc_common": auc_c,
                "followup_days": dur,
                "mean_rtv_followup": auc_own / dur if dur > 0 else np.nan,
            }
        )
    return pd.DataFrame(rows)


def arm_auc(auc: pd.DataFrame, control_arm: str, level: float = 0.95) -> pd.DataFrame:
    """Per-arm mean AUC (to the common day) with a t CI and a Mann–Whitney p against control."""
    rows = []
    for (cl, arm), g in auc.groupby(GROUP, sort=False):
        a = g["auc_common"].dropna().to_numpy()
        n = len(a)
        mean = float(a.mean()) if n else np.nan
        se = float(a.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
        lo, hi = t_ci(mean, se, n - 1, level)
        ctrl = auc.loc[(auc["cell_line"] == cl) & (auc["arm"] == control_arm), "auc_common"]
        ctrl = ctrl.dropna().to_numpy()
        p = (
            float(stats.mannwhitneyu(a, ctrl, alternative="two-sided").pvalue)
            if arm != control_arm and n > 1 and len(ctrl) > 1
            else np.nan
        )
        rows.append(
            {
                "cell_line": cl,
                "arm": arm,
                "n_mice": n,
                "common_day": float(g["common_day"].iloc[0]),
                "auc_mean": mean,
                "auc_ci_low": lo,
                "auc_ci_high": hi,
                "p_vs_control_mannwhitney": p,
            }
        )
    return pd.DataFrame(rows)


MRECIST_CLASSES = ["mCR", "mPR", "mSD", "mPD", "NE"]


def classify_mrecist(best_response: float, best_avg_response: float) -> str:
    """mRECIST class (Gao et al. 2015) from BestResponse and BestAvgResponse (both in %)."""
    if not (np.isfinite(best_response) and np.isfinite(best_avg_response)):
        return "NE"
    if best_response < -95 and best_avg_response < -40:
        return "mCR"
    if best_response < -50 and best_avg_response < -20:
        return "mPR"
    if best_response < 35 and best_avg_response < 30:
        return "mSD"
    return "mPD"


def mrecist(
    tp: pd.DataFrame, mice: pd.DataFrame, min_day: float = MRECIST_MIN_DAY
) -> pd.DataFrame:
    """Per-mouse BestResponse, BestAvgResponse and mRECIST class.

    ΔVol_t = 100·(V_t/V_0 − 1); BestResponse = min ΔVol_t over t ≥ ``min_day``; BestAvgResponse
    = min over t ≥ ``min_day`` of the mean of ΔVol from day 0 to t. A mouse that reached the
    endpoint before ``min_day`` is mPD; one censored before then is not evaluable (NE).
    ``best_pct_change`` (for the waterfall) is BestResponse, or the last ΔVol if none.
    """
    events = mice.set_index("mouse")["event"]
    rows = []
    for mouse, g in tp.groupby("mouse", sort=False):
        t = g["day"].to_numpy()
        dv = g["pct_change"].to_numpy()
        cum = np.cumsum(dv) / np.arange(1, len(dv) + 1)
        late = t >= min_day
        if late.any():
            br, bar = float(dv[late].min()), float(cum[late].min())
            cls = classify_mrecist(br, bar)
            best = br
        else:
            br = bar = np.nan
            cls = "mPD" if events.get(mouse, "") == "endpoint" else "NE"
            best = float(dv[-1])
        rows.append(
            {
                "mouse": mouse,
                "cell_line": g["cell_line"].iloc[0],
                "arm": g["arm"].iloc[0],
                "best_response_pct": br,
                "best_avg_response_pct": bar,
                "mrecist": cls,
                "best_pct_change": best,
                "evaluable_from_day": min_day,
            }
        )
    return pd.DataFrame(rows)


def arm_mrecist(per_mouse: pd.DataFrame) -> pd.DataFrame:
    """Counts of each mRECIST class per arm, plus the median BestResponse."""
    counts = (
        per_mouse.groupby(GROUP, sort=False)["mrecist"]
        .value_counts()
        .unstack(fill_value=0)
        .reindex(columns=MRECIST_CLASSES, fill_value=0)
    )
    med = per_mouse.groupby(GROUP, sort=False)["best_response_pct"].median()
    out = counts.join(med.rename("median_best_response_pct")).reset_index()
    out.columns.name = None
    return out
