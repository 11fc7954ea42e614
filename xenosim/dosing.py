"""Turn config regimens into dose events on the simulation clock (hours since inoculation)."""

from __future__ import annotations

import numpy as np

from .config import Experiment, Regimen, parse_schedule
from .pharmacology import DoseEvent, ExposureProfile, exposure_profile


def regimen_doses(reg: Regimen, treatment_start_h: float, study_end_day: float,
                  body_weight_kg: float) -> list[DoseEvent]:
    """All doses of one regimen; days count from randomisation (treatment day 0)."""
    interval, per_cycle, cycle = parse_schedule(reg.schedule)
    amount_mg = reg.dose * body_weight_kg if reg.dose_unit == "mg/kg" else reg.dose
    last_day = reg.end_day if reg.end_day is not None else study_end_day
    if interval is None:
        days = [reg.start_day]
    else:
        days = []
        day = reg.start_day
        while day <= last_day + 1e-9:
            in_cycle = per_cycle is None or (day - reg.start_day) % cycle < per_cycle * interval - 1e-9
            if in_cycle:
                days.append(day)
            day += interval
    release_h = (reg.release_days or 0.0) * 24.0
    return [DoseEvent(treatment_start_h + d * 24.0, amount_mg, reg.route, release_h) for d in days]


def mouse_profile(exp: Experiment, arm: str | None, treatment_start_h: float | None,
                  end_h: float) -> ExposureProfile:
    """Exposure profile of one mouse: estradiol pellet from inoculation, then the arm's drugs."""
    host = exp.host
    weight_kg = host.body_weight_g / 1000.0
    doses: dict[str, list[DoseEvent]] = {}
    if host.estradiol_pellet is not None:
        removal = np.inf
        if arm is not None and exp.arms[arm].remove_estradiol_pellet:
            removal = treatment_start_h
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
    for reg in host.supplements:  # from inoculation (the take phase) to the end
        doses.setdefault(reg.drug, []).extend(
            regimen_doses(reg, 0.0, end_h / 24.0, weight_kg))
    if arm is not None:
        for reg in exp.arms[arm].regimens:
            doses.setdefault(reg.drug, []).extend(
                regimen_doses(reg, treatment_start_h, exp.study_days, weight_kg))
    return exposure_profile(doses, end_h, weight_kg, host.baseline_e2_nM())
