"""Dose-response outputs: ED50 with a dose-stratified bootstrap CI, and the exposure behind each dose.

The ED50 is fitted with a four-parameter Hill curve on log dose (scipy least squares); its CI
comes from resampling the replicates within each dose. ``inside`` says whether the ED50 lies strictly
inside the swept dose range: an ED50 at or beyond an end means the sweep did not bracket it.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import OptimizeWarning, curve_fit

from xenosim.core.config import Regimen
from xenosim.core.dosing import regimen_doses
from xenosim.core.drugs import drug
from xenosim.core.pharmacology import exposure_profile


@dataclass(frozen=True)
class ED50:
    """Fitted ED50 (dose units of the sweep) with a 95% bootstrap interval."""

    ed50: float
    low: float
    high: float
    inside: bool


def _hill(log_dose, bottom, top, log_ed50, slope):
    return bottom + (top - bottom) / (1.0 + np.exp(slope * (log_dose - log_ed50)))


def _fit_log_ed50(log_dose: np.ndarray, response: np.ndarray) -> float:
    p0 = [response.min(), response.max(), float(np.median(log_dose)), 2.0]
    with warnings.catch_warnings():
        # a flat response leaves the ED50 unidentified and scipy warns that the covariance is
        # not estimable; the bootstrap CI (which then reaches beyond the swept doses) says so
        # to the user, and the checks and reports read that CI
        warnings.simplefilter("ignore", OptimizeWarning)
        popt, _ = curve_fit(_hill, log_dose, response, p0=p0, maxfev=20000)
    return float(popt[2])


def fit_ed50(doses: np.ndarray, responses: np.ndarray, *, n_boot: int = 200,
             rng: np.random.Generator | None = None) -> ED50:
    """ED50 of a decreasing (or increasing) response over dose, with a bootstrap 95% CI.

    ``doses`` and ``responses`` are per observation (replicates repeat a dose); doses > 0. The
    bootstrap resamples replicates within each dose (a designed experiment: resampling across
    doses would drop the plateaus and leave the curve unidentified).
    """
    doses = np.asarray(doses, dtype=float)
    responses = np.asarray(responses, dtype=float)
    if (doses <= 0).any():
        raise ValueError("ED50 needs positive doses (fit on log dose)")
    rng = rng or np.random.default_rng(0)
    log_d = np.log(doses)
    est = _fit_log_ed50(log_d, responses)
    groups = [np.flatnonzero(log_d == v) for v in np.unique(log_d)]
    boot = []
    for _ in range(n_boot):  # resample replicates within each dose: every dose stays in
        idx = np.concatenate([g[rng.integers(0, g.size, g.size)] for g in groups])
        try:
            boot.append(_fit_log_ed50(log_d[idx], responses[idx]))
        except RuntimeError:
            continue
    lo, hi = (np.percentile(boot, [2.5, 97.5]) if boot else (np.nan, np.nan))
    ed = float(np.exp(est))
    return ED50(ed, float(np.exp(lo)), float(np.exp(hi)),
                bool(doses.min() < ed < doses.max()))


def exposure_table(drug_name: str, doses: list[float], schedule: str, route: str,
                   days: float = 14.0, weight_kg: float = 0.025,
                   dose_unit: str = "mg/kg") -> pd.DataFrame:
    """Tumour exposure per dose over the last 7 days of ``days``: AUC (nM.h), Cmin (nM), hours
    the unbound level is above the drug's IC50, and mean target readouts, from the library PK
    and PD. Rapalogs add pS6 / p4E-BP1 suppression; ER antagonists the mean antagonist-bound
    share of ER against the 0.72 mg pellet's ~1000 pg/mL E2 (Ingberg 2012)."""
    d = drug(drug_name)
    fu = d.unbound_fraction.value if d.unbound_fraction else 1.0
    rows = []
    for dose in doses:
        reg = Regimen(drug=drug_name, dose=dose, dose_unit=dose_unit, route=route,
                      schedule=schedule)
        prof = exposure_profile({drug_name: regimen_doses(reg, 0.0, days, weight_kg)},
                                days * 24.0, weight_kg, 0.0)
        start = (days - 7.0) * 24.0
        sel = prof.grid_h >= start
        c = prof.tumour_nM[drug_name][sel]
        dt = prof.grid_h[1] - prof.grid_h[0]
        ic50 = d.ic50_nM.value if d.ic50_nM else np.nan
        steps = np.arange(start, days * 24.0, 6.0)
        row = {"dose": dose, "dose_unit": dose_unit, "auc_nM_h_last_week": float(c.sum() * dt),
               "cmax_nM_last_week": float(c.max()), "cmin_nM_last_week": float(c.min())}
        if d.ic50_nM:
            row["h_unbound_above_ic50_last_week"] = float((fu * c > ic50).sum() * dt)
        if d.target in ("mtorc1", "mtor_kinase"):
            row["mean_mtorc1_inhibition"] = float(np.mean(
                [prof.exposure(t, t + 1.0).mtorc1_inhibition for t in steps]))
        if d.target == "er_antagonist":
            row["er_antagonist_share_at_pellet_e2"] = _antagonist_share(prof, steps)
        if prof.occupancy:
            reads = [prof.readouts(t, t + 1.0) for t in steps]
            row["mean_ps6_suppression"] = float(np.mean([r["ps6_suppression"] for r in reads]))
            row["mean_p4ebp1_suppression"] = float(np.mean(
                [r["p4ebp1_suppression"] for r in reads]))
        rows.append(row)
    return pd.DataFrame(rows)


PELLET_E2_NM = 1000.0 / 272.4  # ~1000 pg/mL serum E2 under a 0.72 mg pellet (Ingberg 2012)


def _antagonist_share(prof, steps: np.ndarray) -> float:
    """Mean share of ER bound by tamoxifen + 4-OHT at the pellet's E2, registry Kds."""
    from xenosim.biology.er import er_occupancy
    from xenosim.core.parameters import PARAMETERS

    kd = [PARAMETERS[k].value for k in ("kd_e2_nM", "kd_4oht_nM", "kd_tamoxifen_nM")]
    shares = []
    for t in steps:
        ex = prof.exposure(t, t + 1.0)
        shares.append(float(er_occupancy(PELLET_E2_NM, ex.oht_nM, ex.tamoxifen_nM, *kd)[1]))
    return float(np.mean(shares))


@dataclass(frozen=True)
class DoseSweep:
    """What a one-parameter grid over a regimen's dose doses: drug, unit, route, schedule."""

    parameter: str
    drug: str
    dose_unit: str
    route: str
    schedule: str


def dose_sweep(loaded) -> DoseSweep | None:
    """The regimen a grid sweep doses, if it has one parameter that sets regimen doses only."""
    params = loaded.config.parameters
    if loaded.config.design.method != "grid" or len(params) != 1:
        return None
    regs = []
    for path in params[0].paths:
        m = re.fullmatch(r"arms\.(.+)\.regimens\[(\d+)\]\.dose", path)
        if m is None:
            return None
        regs.append(loaded.base_raw["arms"][m.group(1)]["regimens"][int(m.group(2))])
    first = regs[0]
    if any(r.get("drug") != first.get("drug") for r in regs):
        return None
    reg = Regimen(**first)
    return DoseSweep(params[0].name, reg.drug, reg.dose_unit, reg.route, reg.schedule)


def dose_response(loaded, results: pd.DataFrame, resp,
                  out) -> tuple[list[str], list[str], pd.DataFrame | None]:
    """ED50 (with its bootstrap CI) of the response over the swept dose, and the exposure per
    dose; writes dose_response.csv and exposure.csv, returns (report lines, files written,
    exposure table for the report)."""
    ds = dose_sweep(loaded)
    if ds is None or not len(results):
        return [], [], None
    sel = results[(results["cell_line"] == resp.cell_line) & (results["arm"] == resp.arm)]
    sel = sel[np.isfinite(sel[resp.metric])]
    doses = sel[ds.parameter].to_numpy(float)
    lines = [f"## Dose-response: {ds.drug} ({ds.dose_unit}, {ds.route}, {ds.schedule})", ""]
    if np.unique(doses).size < 4:
        return lines + ["Fewer than four doses with results: no ED50 fitted.", ""], [], None
    try:
        fit = fit_ed50(doses, sel[resp.metric].to_numpy(float),
                       rng=np.random.default_rng(loaded.config.seed))
    except (RuntimeError, ValueError) as exc:
        return lines + [f"The Hill fit did not converge ({exc}).", ""], [], None
    where = ("inside the swept range" if fit.inside else
             "NOT inside the swept range: the sweep does not bracket it (the response may "
             "saturate or not start within these doses)")
    lines += [f"ED50 of {resp.metric} ({resp.cell_line} · {resp.arm}): **{fit.ed50:.3g} "
              f"{ds.dose_unit}** (95% bootstrap CI {fit.low:.3g}-{fit.high:.3g}), {where}.", ""]
    if not (doses.min() <= fit.low and fit.high <= doses.max()):
        lines += ["The CI reaches beyond the swept doses: the data do not pin the ED50 down "
                  "(too few doses on the slope, or no plateau at one end).", ""]
    pd.DataFrame([{"parameter": ds.parameter, "drug": ds.drug, "dose_unit": ds.dose_unit,
                   "metric": resp.metric, "cell_line": resp.cell_line, "arm": resp.arm,
                   "ed50": fit.ed50, "ci_low": fit.low, "ci_high": fit.high,
                   "inside_range": fit.inside}]).to_csv(out / "dose_response.csv", index=False)
    weight = float(loaded.base_raw.get("host", {}).get("body_weight_g", 25.0)) / 1000.0
    expo = exposure_table(ds.drug, sorted(np.unique(doses)), ds.schedule, ds.route,
                          weight_kg=weight, dose_unit=ds.dose_unit)
    expo.to_csv(out / "exposure.csv", index=False, float_format="%.6g")
    lines += ["Tumour exposure per dose (second week of the schedule; unbound level against "
              "the IC50 for the hours above it):", ""]
    return lines, ["dose_response.csv", "exposure.csv"], expo
