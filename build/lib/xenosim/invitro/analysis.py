"""Analysis of in vitro plates: growth rates, four-parameter logistic fits, synergy, reporter.

Everything reads the tidy per-well x day table (``wells.csv``) only.

- **Growth**: per well, the OLS slope of ln(count) over the count days is the specific growth rate
  (1/day); doubling time = ln 2 / rate. Per condition: mean rate with a t-interval over wells.
- **Dose-response**: the response of a well at the plate's response day relative to the mean of
  its vehicle wells (same line, medium and levels of the other drugs, this drug at 0) is fitted
  with a four-parameter logistic (4PL):
  ``y = bottom + (top - bottom) / (1 + (x / EC50) ** hill)``, ``hill > 0``; ``bottom`` is the
  response at saturating dose (so it is > top for a stimulus such as E2). Wald 95 % CIs use the
  fit covariance and a t quantile (n - 4 df); EC50 is fitted on log10. The **absolute IC50** (the
  dose giving 50 % of vehicle, GI50-like) is derived from the fit; its CI comes from parameter
  draws from the fit's normal approximation. It is infinite ("not reached") when the fitted
  bottom stays above 50 %.
- **Combination matrices**: fractional inhibition I = 1 - relative response. Bliss independence
  expects I_A + I_B - I_A*I_B, HSA expects max(I_A, I_B); excess = observed - expected (> 0:
  synergy), with bootstrap CIs (wells resampled within each matrix cell). Loewe additivity: the
  combination index CI = a / A(E) + b / B(E), where A(E), B(E) are the single-agent doses giving
  the combination's effect E from the single-agent 4PL fits (CI < 1: synergy); undefined (NaN)
  when a single agent cannot reach E (partial agents) - a known limitation of Loewe.
- **Reporter**: per condition, the geometric-mean ratio to the vehicle wells (same line, medium,
  day) with a Welch t-interval on log values.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from xenosim.invitro.config import CONCENTRATION_KEYS, InVitroExperiment, short_label

DRUG_COLUMNS = list(CONCENTRATION_KEYS)
LN2 = float(np.log(2.0))


# ---- four-parameter logistic ------------------------------------------------------------------
def logistic4(x, top, bottom, ec50, hill):
    """4PL response at concentration(s) ``x`` (x = 0 gives ``top``)."""
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", over="ignore"):
        z = np.where(x > 0, np.exp(hill * (np.log(np.where(x > 0, x, 1.0)) - np.log(ec50))), 0.0)
    return bottom + (top - bottom) / (1.0 + z)


def _model_log(x, top, bottom, log10_ec50, hill):
    return logistic4(x, top, bottom, 10.0**log10_ec50, hill)


@dataclass
class FourPLFit:
    """A 4PL fit with 95 % confidence intervals; ``status`` is 'ok' or why it failed."""

    n: int
    status: str
    top: float = np.nan
    top_lo: float = np.nan
    top_hi: float = np.nan
    bottom: float = np.nan
    bottom_lo: float = np.nan
    bottom_hi: float = np.nan
    ec50: float = np.nan
    ec50_lo: float = np.nan
    ec50_hi: float = np.nan
    hill: float = np.nan
    hill_lo: float = np.nan
    hill_hi: float = np.nan
    ic50_abs: float = np.nan
    ic50_abs_lo: float = np.nan
    ic50_abs_hi: float = np.nan
    residual_sd: float = np.nan

    def curve(self, x) -> np.ndarray:
        return logistic4(x, self.top, self.bottom, self.ec50, self.hill)

    def dose_for(self, response: float) -> float:
        """Dose giving ``response`` on the fitted curve (NaN if outside its range)."""
        return _inverse(response, self.top, self.bottom, self.ec50, self.hill)


def _inverse(y, top, bottom, ec50, hill):
    """x with logistic4(x) = y; NaN where y is not strictly between top and bottom."""
    y, top, bottom = np.asarray(y, float), np.asarray(top, float), np.asarray(bottom, float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = (top - y) / (y - bottom)
        x = ec50 * ratio ** (1.0 / hill)
    inside = (ratio > 0) & np.isfinite(ratio)
    return np.where(inside, x, np.nan) if np.ndim(x) else (float(x) if inside else np.nan)


def _abs_ic50(top, bottom, ec50, hill, level=0.5):
    """Dose at which the response is ``level`` (of vehicle): inf if never reached at high dose,
    0 if already below at zero dose."""
    top, bottom = np.asarray(top, float), np.asarray(bottom, float)
    x = _inverse(level, top, bottom, ec50, hill)
    x = np.where(np.isnan(x) & (bottom >= level) & (top >= level), np.inf, x)
    x = np.where(np.isnan(x) & (top < level), 0.0, x)
    return x


def fit_4pl(x, y, *, level: float = 0.95, n_draws: int = 4000, seed: int = 0) -> FourPLFit:
    """Fit a 4PL to doses ``x`` (>= 0; zeros are vehicle wells) and responses ``y``."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    n = int(len(x))
    pos = np.unique(x[x > 0])
    if len(pos) < 4 or n < 6:
        return FourPLFit(n, "too few concentrations for a 4PL (need >= 4 nonzero doses)")
    lo_x, hi_x = np.log10(pos[0]), np.log10(pos[-1])
    levels = np.unique(x)
    means = np.array([y[x == v].mean() for v in levels])
    top0, bottom0 = means[0], means[-1]
    mid = (top0 + bottom0) / 2.0
    crossing = np.flatnonzero(np.diff(np.sign(means - mid)) != 0)
    if len(crossing) and levels[crossing[0] + 1] > 0:
        ec0 = np.log10(levels[crossing[0] + 1])
    else:
        ec0 = (lo_x + hi_x) / 2.0
    span = max(np.ptp(y), 1e-3)
    lower = [y.min() - span, y.min() - span, lo_x - 3.0, 0.1]
    upper = [y.max() + span, y.max() + span, hi_x + 3.0, 10.0]
    p0 = np.clip([top0, bottom0, ec0, 1.0], np.add(lower, 1e-9), np.subtract(upper, 1e-9))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optimize.OptimizeWarning)
            theta, cov = optimize.curve_fit(_model_log, x, y, p0=p0, bounds=(lower, upper),
                                            maxfev=20000)
    except (RuntimeError, ValueError) as exc:
        return FourPLFit(n, f"fit failed: {exc}")
    top, bottom, log_ec50, hill = (float(v) for v in theta)
    resid = y - _model_log(x, *theta)
    dof = n - 4
    out = FourPLFit(n, "ok", top=top, bottom=bottom, ec50=10**log_ec50, hill=hill,
                    residual_sd=float(np.sqrt(np.sum(resid**2) / dof)))
    decreasing = bottom < top  # an inhibitor; a stimulus (E2) has no IC50, only an EC50
    out.ic50_abs = float(_abs_ic50(top, bottom, 10**log_ec50, hill)) if decreasing else np.nan
    if not np.all(np.isfinite(cov)):
        out.status = "ok (no confidence intervals: covariance not estimable)"
        return out
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    tq = stats.t.ppf(0.5 + level / 2.0, dof)
    se = [float(v) for v in se]
    tq = float(tq)
    out.top_lo, out.top_hi = top - tq * se[0], top + tq * se[0]
    out.bottom_lo, out.bottom_hi = bottom - tq * se[1], bottom + tq * se[1]
    with np.errstate(over="ignore"):  # an unidentifiable EC50 has an unbounded interval
        out.ec50_lo = float(np.power(10.0, log_ec50 - tq * se[2]))
        out.ec50_hi = float(np.power(10.0, log_ec50 + tq * se[2]))
    out.hill_lo, out.hill_hi = max(hill - tq * se[3], 0.0), hill + tq * se[3]
    if not (lo_x - 1.0 <= log_ec50 - tq * se[2] and log_ec50 + tq * se[2] <= hi_x + 1.0):
        out.status = "ok (EC50 poorly identified: its CI reaches a decade beyond the doses tested)"
    if not decreasing:
        return out
    # absolute IC50: draws from the normal approximation (t-scaled), percentiles without
    # interpolation so 'not reached' (inf) draws stay inf
    rng = np.random.default_rng(seed)
    with warnings.catch_warnings(), np.errstate(over="ignore", invalid="ignore"):
        # a poorly identified fit has a near-singular covariance: its draws are still valid
        # (svd), and overflowing EC50 draws mean 'not reached'
        warnings.simplefilter("ignore", RuntimeWarning)
        draws = rng.multivariate_normal(theta, cov * (tq / stats.norm.ppf(0.5 + level / 2.0))
                                        ** 2, size=n_draws, method="svd")
        hill_d = np.clip(draws[:, 3], 1e-3, None)
        ic = _abs_ic50(draws[:, 0], draws[:, 1], np.power(10.0, draws[:, 2]), hill_d)
    alpha = (1.0 - level) / 2.0
    out.ic50_abs_lo = float(np.quantile(ic, alpha, method="inverted_cdf"))
    out.ic50_abs_hi = float(np.quantile(ic, 1.0 - alpha, method="inverted_cdf"))
    return out


# ---- helpers over the tidy table --------------------------------------------------------------
def plate_drug_keys(exp: InVitroExperiment, plate: str) -> list[str]:
    return exp.plates[plate].drug_keys()


def condition_label(row, keys: list[str]) -> str:
    """'vehicle' or e.g. 'E2 10 pM + 4-OHT 1 nM'."""
    parts = [f"{short_label(k)} {row[k]:g} {CONCENTRATION_KEYS[k][1]}" for k in keys if row[k] > 0]
    return " + ".join(parts) if parts else "vehicle"


def add_condition_labels(wells: pd.DataFrame, exp: InVitroExperiment) -> pd.DataFrame:
    out = wells.copy()
    out["condition"] = [condition_label(r, plate_drug_keys(exp, r["plate"]))
                        for _, r in out[["plate", *DRUG_COLUMNS]].iterrows()]
    return out


def _t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return np.nan, np.nan, np.nan
    m = float(v.mean())
    if len(v) < 2:
        return m, np.nan, np.nan
    h = stats.t.ppf(0.5 + level / 2, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))
    return m, m - h, m + h


def _doubling(rate_per_day: float) -> float:
    return LN2 * 24.0 / rate_per_day if rate_per_day > 0 else np.inf


# ---- growth -----------------------------------------------------------------------------------
def well_growth_rates(wells: pd.DataFrame) -> pd.DataFrame:
    """Per well: specific growth rate (1/day) from OLS of ln(count) on day, and fold change."""
    rows = []
    for well, g in wells.groupby("well", sort=False):
        g = g.sort_values("day")
        d, c = g["day"].to_numpy(float), g["cell_count"].to_numpy(float)
        ok = c > 0
        rate = np.polyfit(d[ok], np.log(c[ok]), 1)[0] if ok.sum() >= 2 and np.ptp(d[ok]) > 0 \
            else np.nan
        first = g.iloc[0]
        rows.append({"well": well, "growth_rate_per_day": rate,
                     "fold_change": c[-1] / c[0] if c[0] > 0 else np.nan,
                     "first_day": d[0], "last_day": d[-1],
                     **{k: first[k] for k in ("plate", "cell_line", "medium", "condition",
                                              *DRUG_COLUMNS)}})
    return pd.DataFrame(rows)


def growth_table(wells: pd.DataFrame) -> pd.DataFrame:
    """Per plate x line x medium x condition: growth rate, doubling time (95 % CI), fold change,
    apoptotic fraction at the last day."""
    per_well = well_growth_rates(wells)
    if per_well.empty:
        return per_well
    last = wells.loc[wells.groupby("well")["day"].idxmax()]
    apo = last.set_index("well")["fraction_apoptotic"]
    per_well["fraction_apoptotic_last"] = per_well["well"].map(apo)
    rows = []
    keys = ["plate", "cell_line", "medium", "condition"]
    for key, g in per_well.groupby(keys, sort=False):
        m, lo, hi = _t_interval(g["growth_rate_per_day"].to_numpy())
        rows.append({
            **dict(zip(keys, key, strict=True)),
            **{k: g[k].iloc[0] for k in DRUG_COLUMNS},
            "n_wells": len(g),
            "days": f"{g['first_day'].iloc[0]:g}-{g['last_day'].iloc[0]:g}",
            "growth_rate_per_day": m, "growth_rate_lo": lo, "growth_rate_hi": hi,
            "doubling_time_h": _doubling(m),
            "doubling_time_lo_h": _doubling(hi) if np.isfinite(hi) else np.nan,
            "doubling_time_hi_h": _doubling(lo) if np.isfinite(lo) else np.nan,
            "fold_change_mean": float(g["fold_change"].mean()),
            "fraction_apoptotic_last_mean": float(g["fraction_apoptotic_last"].mean()),
        })
    return pd.DataFrame(rows)


# ---- normalisation and dose-response ----------------------------------------------------------
def readout_column(exp: InVitroExperiment, plate: str) -> str:
    return "ere_reporter" if exp.plates[plate].assay == "reporter" else "cell_count"


def relative_response(exp: InVitroExperiment, wells: pd.DataFrame, plate: str,
                      axis: str) -> pd.DataFrame:
    """Wells of ``plate`` at its response day with ``relative`` = readout / mean of the vehicle
    wells for ``axis`` (same line, medium, other drug levels; ``axis`` at 0)."""
    p = exp.plates[plate]
    col = readout_column(exp, plate)
    day = p.final_day()
    d = wells[(wells["plate"] == plate) & np.isclose(wells["day"], day)].copy()
    others = [k for k in p.drug_keys() if k != axis]
    group = ["cell_line", "medium", *others]
    veh = d[d[axis] == 0].groupby(group)[col].mean().rename("vehicle_mean")
    d = d.join(veh, on=group)
    d["relative"] = d[col] / d["vehicle_mean"]
    return d


def dose_response_table(exp: InVitroExperiment, wells: pd.DataFrame,
                        seed: int = 0) -> tuple[pd.DataFrame, dict]:
    """4PL fits for every plate axis with >= 4 nonzero doses, per line x medium x levels of the
    other drugs. Returns the table and the fit objects keyed like the table rows."""
    rows, fits = [], {}
    for pname, plate in exp.plates.items():
        keys = plate.drug_keys()
        for axis in keys:
            if len({c[axis] for c in plate.condition_list() if c[axis] > 0}) < 4:
                continue
            d = relative_response(exp, wells, pname, axis)
            others = [k for k in keys if k != axis]
            for gkey, g in d.groupby(["cell_line", "medium", *others], sort=False):
                line, medium, *levels = gkey
                if g["vehicle_mean"].isna().all():
                    continue
                if g.loc[g[axis] > 0, axis].nunique() < 4:
                    continue
                fit = fit_4pl(g[axis], g["relative"], seed=seed)
                other_desc = ", ".join(f"{short_label(k)} {v:g} {CONCENTRATION_KEYS[k][1]}"
                                       for k, v in zip(others, levels, strict=True) if v > 0)
                row = {"plate": pname, "readout": readout_column(exp, pname),
                       "day": plate.final_day(), "cell_line": line, "medium": medium,
                       "drug": axis, "drug_label": short_label(axis),
                       "unit": CONCENTRATION_KEYS[axis][1],
                       "background": other_desc or "none",
                       **dict(zip(others, levels, strict=True)),
                       "max_dose": float(g[axis].max()), **asdict(fit)}
                rows.append(row)
                fits[(pname, line, medium, axis, tuple(levels))] = fit
    return pd.DataFrame(rows), fits


# ---- combinations -----------------------------------------------------------------------------
def combination_pairs(exp: InVitroExperiment, plate: str) -> list[tuple[str, str]]:
    """Pairs of drug axes on a factorial grid with vehicle and >= 1 dose each."""
    grid = exp.plates[plate].concentrations
    keys = [k for k in CONCENTRATION_KEYS if k in grid]
    ok = [k for k in keys if 0 in grid[k] and len(grid[k]) >= 2]
    return list(itertools.combinations(ok, 2))


def synergy_table(exp: InVitroExperiment, wells: pd.DataFrame, fits: dict,
                  n_boot: int = 500, seed: int = 0) -> pd.DataFrame:
    """Bliss / HSA excess (with bootstrap CIs) and Loewe combination index per matrix cell."""
    rng = np.random.default_rng(seed)
    rows = []
    for pname in exp.plates:
        plate = exp.plates[pname]
        col = readout_column(exp, pname)
        for a, b in combination_pairs(exp, pname):
            others = [k for k in plate.drug_keys() if k not in (a, b)]
            d = wells[(wells["plate"] == pname) & np.isclose(wells["day"], plate.final_day())]
            for k in others:
                d = d[d[k] == 0]
            for (line, medium), g in d.groupby(["cell_line", "medium"], sort=False):
                cells = {key: grp[col].to_numpy(float) for key, grp in g.groupby([a, b])}
                if (0.0, 0.0) not in cells:
                    continue
                a_levels = sorted({k[0] for k in cells})
                b_levels = sorted({k[1] for k in cells})
                # bootstrap: resample wells within every matrix cell, all cells at once
                boot = {key: rng.choice(v, size=(n_boot, len(v)), replace=True).mean(axis=1)
                        for key, v in cells.items()}
                obs = {key: v.mean() for key, v in cells.items()}
                fa = _single_fit(fits, pname, line, medium, a, plate)
                fb = _single_fit(fits, pname, line, medium, b, plate)
                for ca in a_levels:
                    for cb in b_levels:
                        if ca == 0 or cb == 0 or (ca, cb) not in cells or (ca, 0.0) not in cells \
                                or (0.0, cb) not in cells:
                            continue
                        rows.append(_synergy_row(pname, line, medium, a, b, ca, cb, obs, boot,
                                                 fa, fb))
    return pd.DataFrame(rows)


def _single_fit(fits: dict, pname, line, medium, axis, plate):
    """The single-agent fit of ``axis`` with the partner drug (and any others) at 0."""
    others = [k for k in plate.drug_keys() if k != axis]
    return fits.get((pname, line, medium, axis, tuple(0.0 for _ in others)))


def _synergy_row(pname, line, medium, a, b, ca, cb, obs, boot, fa, fb) -> dict:
    v0 = obs[(0.0, 0.0)]
    b0 = boot[(0.0, 0.0)]

    def inhib(mean, base):
        return 1.0 - mean / base

    ia, ib, iab = (inhib(obs[(ca, 0.0)], v0), inhib(obs[(0.0, cb)], v0), inhib(obs[(ca, cb)], v0))
    bia, bib, biab = (inhib(boot[(ca, 0.0)], b0), inhib(boot[(0.0, cb)], b0),
                      inhib(boot[(ca, cb)], b0))
    bliss = iab - (ia + ib - ia * ib)
    hsa = iab - max(ia, ib)
    bliss_b = biab - (bia + bib - bia * bib)
    hsa_b = biab - np.maximum(bia, bib)
    loewe = np.nan
    if fa is not None and fb is not None and fa.status.startswith("ok") \
            and fb.status.startswith("ok"):
        response = 1.0 - iab  # relative response of the combination
        da, db = fa.dose_for(response), fb.dose_for(response)
        if np.isfinite(da) and np.isfinite(db) and da > 0 and db > 0:
            loewe = ca / da + cb / db
    return {
        "plate": pname, "cell_line": line, "medium": medium, "drug_a": a, "drug_b": b,
        "dose_a": ca, "dose_b": cb,
        "inhibition_a": ia, "inhibition_b": ib, "inhibition_ab": iab,
        "bliss_expected": ia + ib - ia * ib, "bliss_excess": bliss,
        "bliss_excess_lo": float(np.quantile(bliss_b, 0.025)),
        "bliss_excess_hi": float(np.quantile(bliss_b, 0.975)),
        "hsa_excess": hsa,
        "hsa_excess_lo": float(np.quantile(hsa_b, 0.025)),
        "hsa_excess_hi": float(np.quantile(hsa_b, 0.975)),
        "loewe_ci": loewe,
    }


# ---- reporter ---------------------------------------------------------------------------------
def reporter_table(exp: InVitroExperiment, wells: pd.DataFrame) -> pd.DataFrame:
    """Reporter plates: per line x medium x condition x day, ratio to vehicle (95 % CI)."""
    rows = []
    for pname, plate in exp.plates.items():
        if plate.assay != "reporter":
            continue
        keys = plate.drug_keys()
        d = wells[wells["plate"] == pname]
        for (line, medium, day), g in d.groupby(["cell_line", "medium", "day"], sort=False):
            veh = g[(g[keys] == 0).all(axis=1)]["ere_reporter"].to_numpy(float) if keys \
                else g["ere_reporter"].to_numpy(float)
            for cond, c in g.groupby("condition", sort=False):
                vals = c["ere_reporter"].to_numpy(float)
                ratio, lo, hi = _log_ratio(vals, veh)
                rows.append({"plate": pname, "cell_line": line, "medium": medium, "day": day,
                             "condition": cond, **{k: c[k].iloc[0] for k in DRUG_COLUMNS},
                             "n_wells": len(vals), "reporter_mean": float(vals.mean()),
                             "mean_er_activity": float(c["mean_er_activity"].mean()),
                             "er_share_e2": float(c["er_share_e2"].mean()),
                             "er_share_tamoxifen": float(c["er_share_tamoxifen"].mean()),
                             "er_share_ser167": float(c["er_share_ser167"].mean()),
                             "fold_vs_vehicle": ratio, "fold_lo": lo, "fold_hi": hi})
    return pd.DataFrame(rows)


def _log_ratio(x: np.ndarray, ref: np.ndarray, level: float = 0.95):
    """Geometric-mean ratio x / ref with a Welch t-interval on logs."""
    lx, lr = np.log(x[x > 0]), np.log(ref[ref > 0])
    if len(lx) == 0 or len(lr) == 0:
        return np.nan, np.nan, np.nan
    diff = lx.mean() - lr.mean()
    if len(lx) < 2 or len(lr) < 2:
        return float(np.exp(diff)), np.nan, np.nan
    vx, vr = lx.var(ddof=1) / len(lx), lr.var(ddof=1) / len(lr)
    se = np.sqrt(vx + vr)
    if se == 0:
        return float(np.exp(diff)), float(np.exp(diff)), float(np.exp(diff))
    df = (vx + vr) ** 2 / (vx**2 / (len(lx) - 1) + vr**2 / (len(lr) - 1))
    h = stats.t.ppf(0.5 + level / 2, df) * se
    return float(np.exp(diff)), float(np.exp(diff - h)), float(np.exp(diff + h))


@dataclass
class InVitroTables:
    """All result tables of a run."""

    wells: pd.DataFrame
    growth: pd.DataFrame
    dose_response: pd.DataFrame
    synergy: pd.DataFrame
    reporter: pd.DataFrame
    fits: dict

    def as_dict(self) -> dict[str, pd.DataFrame]:
        return {"wells": self.wells, "growth": self.growth, "dose_response": self.dose_response,
                "synergy": self.synergy, "reporter": self.reporter}


def analyse(exp: InVitroExperiment, wells: pd.DataFrame) -> InVitroTables:
    """Every table of a run from the tidy per-well x day table."""
    if "condition" not in wells.columns:
        wells = add_condition_labels(wells, exp)
    dr, fits = dose_response_table(exp, wells, seed=exp.seed)
    return InVitroTables(
        wells=wells,
        growth=growth_table(wells),
        dose_response=dr,
        synergy=synergy_table(exp, wells, fits, seed=exp.seed),
        reporter=reporter_table(exp, wells),
        fits=fits,
    )
