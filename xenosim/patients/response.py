"""RECIST 1.1 best overall response of a virtual patient, and response rates per arm.

Best overall response (Eisenhauer 2009 Eur J Cancer 45:228), from the sum of lesion diameters
at each scan up to and including progression (the trial's scans stop there):

* CR: every lesion gone (the sum is 0) at a scan before progression;
* PR: the sum at least 30 % below baseline at a scan before progression;
* PD: progression at the first scan after baseline;
* SD: otherwise (NE, not evaluable, when follow-up ended before the first scan after baseline).

No confirmation scan is required (RECIST 1.1 needs none in randomised trials). Clinical benefit
(CR, PR, or stable disease for at least 24 weeks: no progression before week 24) is the
secondary end point BOLERO-2 and TAMRAD report; with a shorter follow-up it is not assessable.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

PR_DECREASE = 0.30  # RECIST 1.1: partial response, >= 30 % below the baseline sum
CLINICAL_BENEFIT_WEEKS = 24.0
RESPONSES = ("CR", "PR", "SD", "PD", "NE")


def best_overall_response(sums_mm: list[float], progressed: bool) -> str:
    """RECIST best overall response from the diameter sums of the baseline scan and every later
    scan up to the last one taken (the progression scan if ``progressed``)."""
    baseline, later = sums_mm[0], sums_mm[1:]
    if progressed and len(later) == 1:
        return "PD"
    before = later[:-1] if progressed else later  # scans before the progression scan
    if any(s == 0.0 for s in before):
        return "CR"
    if baseline > 0 and any(s <= (1.0 - PR_DECREASE) * baseline for s in before):
        return "PR"
    return "SD" if later else "NE"


def clinical_benefit(response: str, progressed: bool, ttp_day: float,
                     follow_up_days: float) -> bool | None:
    """CR or PR, or no progression before week 24; None when follow-up ends before week 24."""
    if response in ("CR", "PR"):
        return True
    week24 = 7.0 * CLINICAL_BENEFIT_WEEKS
    if progressed:
        return ttp_day >= week24
    return True if follow_up_days >= week24 else None


def response_rates(patients: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Per arm: objective response rate (CR + PR) and clinical benefit rate with Wilson
    intervals (patients whose benefit is not assessable are left out of its denominator)."""
    rows = []
    alpha = 1.0 - level
    for arm, g in patients.groupby("arm", sort=False):
        n = len(g)
        k = int(g["best_response"].isin(["CR", "PR"]).sum())
        lo, hi = proportion_confint(k, n, alpha, method="wilson")
        cb = g["clinical_benefit"].dropna().astype(bool)
        row = {"arm": arm, "objective_response_rate": k / n, "orr_ci_low": lo, "orr_ci_high": hi}
        if len(cb):
            lo_c, hi_c = proportion_confint(int(cb.sum()), len(cb), alpha, method="wilson")
            row.update(clinical_benefit_rate=float(cb.mean()), cbr_ci_low=lo_c, cbr_ci_high=hi_c)
        else:
            row.update(clinical_benefit_rate=np.nan, cbr_ci_low=np.nan, cbr_ci_high=np.nan)
        rows.append(row)
    return pd.DataFrame(rows)
