"""The published trials the virtual-patient mode is checked against, written once: HORIZON
(letrozole +/- oral temsirolimus, AI-naive), BOLERO-2 (exemestane +/- everolimus, after a
non-steroidal AI) and TAMRAD (tamoxifen +/- everolimus, after an AI).

A study here is one run of each shipped trial config (``configs/patients_*.yaml``) at the given
size and seed; the check reads the Cox hazard ratio of the mTOR-inhibitor arm against the
endocrine arm (time to progression by the config's rule) and passes when the model's HR lies
inside the trial's published 95% CI. None of the three was used to calibrate the model. The
populations of the configs are assumptions (see their comments), so a failing check says the
mechanism plus those populations do not reproduce the trial; it is reported, not tuned away.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from xenosim.core.findings import Finding, Outcome

CONFIGS = Path(__file__).resolve().parent.parent / "configs"
#: key -> (config, published HR, CI low, CI high, source)
TRIALS = {
    "horizon": ("patients_ai_naive.yaml", 0.90, 0.76, 1.07,
                "Wolff 2013, J Clin Oncol 31:195 (HORIZON; PFS HR 0.90, 95% CI 0.76-1.07)"),
    "bolero2": ("patients_ai_resistant.yaml", 0.45, 0.38, 0.54,
                "Baselga 2012, N Engl J Med 366:520; Yardley 2013 (BOLERO-2; PFS HR 0.45, "
                "95% CI 0.38-0.54)"),
    "tamrad": ("patients_ai_resistant_tamoxifen.yaml", 0.54, 0.36, 0.81,
               "Bachelot 2012, J Clin Oncol 30:2718 (TAMRAD; TTP HR 0.54, 95% CI 0.36-0.81)"),
}


def trial_study(seed: int, jobs: int = 1, *, patients_per_arm: int = 40,
                agents_per_patient: int = 200) -> dict[str, pd.DataFrame]:
    """Run the three trial configs at ``seed`` with the given size; trial key -> the
    treatment-vs-reference comparison row(s) (:func:`compare_arms`)."""
    from xenosim.patients.config import load_patient_study
    from xenosim.patients.runner import run_trial
    from xenosim.patients.survival import compare_arms

    out = {}
    for key, (config, *_rest) in TRIALS.items():
        study = load_patient_study(CONFIGS / config, {
            "seed": seed, "patients_per_arm": patients_per_arm,
            "agents_per_patient": agents_per_patient})
        res = run_trial(study, jobs=jobs)
        out[key] = compare_arms(res.patients, study.reference)
    return out


def _trial(key: str):
    _config, hr, lo, hi, _source = TRIALS[key]

    def check(study: dict[str, pd.DataFrame]) -> Outcome:
        row = study[key].iloc[0]
        model = float(row["hazard_ratio"])
        ok = bool(lo <= model <= hi)
        return Outcome(model, ok, f"model HR {model:.3g} (95% CI {row['hr_ci_low']:.3g}-"
                                  f"{row['hr_ci_high']:.3g}, {int(row['events'])} events / "
                                  f"{int(row['n'])} patients); trial {hr:g} ({lo:g}-{hi:g}): "
                                  f"{'inside' if ok else 'OUTSIDE'} the trial's CI",
                       float(row["hr_ci_low"]), float(row["hr_ci_high"]))
    return check


FINDINGS: tuple[Finding, ...] = (
    Finding("horizon_hr", "AI-naive: adding oral temsirolimus to letrozole does not delay "
            "progression (HR 0.90)", TRIALS["horizon"][4], False, _trial("horizon")),
    Finding("bolero2_hr", "after a non-steroidal AI: everolimus + exemestane delays progression "
            "(HR 0.45)", TRIALS["bolero2"][4], False, _trial("bolero2")),
    Finding("tamrad_hr", "after an AI: everolimus + tamoxifen delays progression (HR 0.54)",
            TRIALS["tamrad"][4], False, _trial("tamrad")),
)


# ---- human pharmacodynamics: everolimus pS6 inhibition at the clinical doses -------------------
#: Tabernero 2008 biopsied tumour and skin at steady state, 24 h after a daily dose.
PD_DOSES_MG = (5.0, 10.0)
PD_DAYS = 28


def human_pd_study(seed: int = 0) -> dict:
    """Everolimus daily at 5 and 10 mg (70 kg): blood Cmax, trough and AUC over the last day,
    and the predicted pS6 / p4E-BP1 suppression and mTORC1 inhibition at the day-28 trough (24 h
    after the last dose, the biopsy time of Tabernero 2008); and pS6 suppression 5 days after a
    50 mg weekly dose (their weekly biopsy time). Deterministic PK/PD: ``seed`` unused."""
    import numpy as np

    from xenosim.core.config import Regimen
    from xenosim.core.dosing import regimen_doses
    from xenosim.core.drugs import drug
    from xenosim.core.pharmacology import exposure_profile, serum_concentration_nM

    d = drug("everolimus").for_species("human")
    mw = d.molecular_weight_g_per_mol.value
    out = {}
    for dose in PD_DOSES_MG:
        reg = Regimen(drug="everolimus", dose=dose, dose_unit="mg", route="po", schedule="daily")
        end_h = PD_DAYS * 24.0
        prof = exposure_profile({"everolimus": regimen_doses(reg, 0.0, PD_DAYS - 1, 70.0)},
                                end_h + 24.0, 70.0, 0.015, grid_step_h=1.0, species="human")
        last_day = np.arange(end_h - 24.0, end_h + 1.0, 0.25)
        blood = serum_concentration_nM(d, regimen_doses(reg, 0.0, PD_DAYS - 1, 70.0),
                                       last_day, 70.0) * mw / 1000.0  # ng/mL
        trough_h = end_h - 1.0  # the hour before the next dose would be given
        reads = prof.readouts(trough_h, trough_h + 1.0)
        out[dose] = {"blood_cmax_ng_ml": float(blood.max()),
                     "blood_trough_ng_ml": float(blood[-1]),
                     "blood_auc24_ng_h_ml": float(np.trapezoid(blood, last_day)),
                     "ps6_suppression": float(reads["ps6_suppression"]),
                     "p4ebp1_suppression": float(reads["p4ebp1_suppression"]),
                     "mtorc1_inhibition": float(prof.exposure(trough_h, end_h)
                                                .mtorc1_inhibition)}
    weekly = Regimen(drug="everolimus", dose=50.0, dose_unit="mg", route="po",
                     schedule="every 7 days")
    prof = exposure_profile({"everolimus": regimen_doses(weekly, 0.0, PD_DAYS - 1, 70.0)},
                            PD_DAYS * 24.0, 70.0, 0.015, grid_step_h=1.0, species="human")
    day5_h = (PD_DAYS - 7 + 5) * 24.0  # 5 days after the week-4 dose (the weekly biopsy time)
    out["50 mg weekly, day 5"] = {"ps6_suppression": float(
        prof.readouts(day5_h, day5_h + 1.0)["ps6_suppression"])}
    return out


NEAR_COMPLETE = 0.8  # our reading of "near complete inhibition of pS6" (Tabernero 2008)


def _tabernero(study: dict) -> Outcome:
    low, high = study[5.0], study[10.0]
    ok = high["ps6_suppression"] >= NEAR_COMPLETE and low["ps6_suppression"] < high[
        "ps6_suppression"]
    return Outcome(high["ps6_suppression"], ok,
                   f"pS6 suppression at the steady-state trough: 10 mg/day "
                   f"{high['ps6_suppression']:.2f} (needs >= {NEAR_COMPLETE}), 5 mg/day "
                   f"{low['ps6_suppression']:.2f}; mTORC1 inhibition {high['mtorc1_inhibition']:.2f}"
                   f" / {low['mtorc1_inhibition']:.2f}; blood Cmax {high['blood_cmax_ng_ml']:.1f} / "
                   f"{low['blood_cmax_ng_ml']:.1f}, trough {high['blood_trough_ng_ml']:.1f} / "
                   f"{low['blood_trough_ng_ml']:.1f} ng/mL, AUC24 "
                   f"{high['blood_auc24_ng_h_ml']:.0f} / {low['blood_auc24_ng_h_ml']:.0f} "
                   "ng.h/mL; 50 mg weekly, 5 days after the dose: pS6 suppression "
                   f"{study['50 mg weekly, day 5']['ps6_suppression']:.2f} (also near complete "
                   "in the trial)")


PD_FINDINGS: tuple[Finding, ...] = (
    Finding("everolimus_10mg_ps6", "everolimus 10 mg/day nearly completely inhibits pS6 in "
            "tumour and skin; 5 mg/day less (dose-dependent)",
            "Tabernero 2008, J Clin Oncol 26:1603", False, _tabernero),
)
