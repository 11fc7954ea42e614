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
