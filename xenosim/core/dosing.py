"""Turn config regimens into dose events on the simulation clock (hours since inoculation)."""

from __future__ import annotations

from xenosim.core.config import Regimen, parse_schedule
from xenosim.core.pharmacology import DoseEvent


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
            on_holiday = any(a - 1e-9 <= day <= b + 1e-9 for a, b in reg.holidays)
            if in_cycle and not on_holiday:
                days.append(day)
            day += interval
    release_h = (reg.release_days or 0.0) * 24.0
    return [DoseEvent(treatment_start_h + d * 24.0, amount_mg, reg.route, release_h) for d in days]
