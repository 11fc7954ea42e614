"""A mouse's exposure: estradiol pellet from inoculation, host supplements, then the arm's drugs."""

from __future__ import annotations

import numpy as np

from xenosim.core.dosing import regimen_doses
from xenosim.core.pharmacology import DoseEvent, ExposureProfile, exposure_profile
from xenosim.xenograft.config import Experiment


def mouse_profile(exp: Experiment, arm: str | None, treatment_start_h: float | None,
                  end_h: float) -> ExposureProfile:
    """Exposure profile of one mouse: estradiol pellet from inoculation, then the arm's drugs."""
    host = exp.host
    weight_kg = host.body_weight_g / 1000.0
    doses: dict[str, list[DoseEvent]] = {}
    if host.estradiol_pellet is not None:
        removal = np.inf
        out_day = exp.arms[arm].pellet_removal_day() if arm is not None else None
        if out_day is not None:
            removal = treatment_start_h + out_day * 24.0
        pellet = host.estradiol_pellet
        implants = [0.0]
        if pellet.replace_every_days:
            implants = list(np.arange(0.0, end_h / 24.0, pellet.replace_every_days))
        if np.isfinite(removal):
            implants = [d for d in implants if d * 24.0 < removal]
        # a replaced pellet is taken out when the next goes in; the last one stays until removal
        doses["estradiol"] = [
            DoseEvent(d * 24.0, pellet.dose_mg, "pellet", pellet.release_days * 24.0,
                      min(removal, implants[i + 1] * 24.0) if i + 1 < len(implants) else removal)
            for i, d in enumerate(implants)]
        back_day = exp.arms[arm].estradiol_pellet_reimplant_day if arm is not None else None
        if back_day is not None:  # re-challenge: a fresh pellet, kept to the end
            doses["estradiol"].append(DoseEvent(treatment_start_h + back_day * 24.0,
                                                pellet.dose_mg, "pellet",
                                                pellet.release_days * 24.0))
    for reg in host.supplements:  # from inoculation (the take phase) to the end
        doses.setdefault(reg.drug, []).extend(
            regimen_doses(reg, 0.0, end_h / 24.0, weight_kg))
    if arm is not None:
        for reg in exp.arms[arm].regimens:
            doses.setdefault(reg.drug, []).extend(
                regimen_doses(reg, treatment_start_h, exp.study_days, weight_kg))
    return exposure_profile(doses, end_h, weight_kg, host.baseline_e2_nM())
