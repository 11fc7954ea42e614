"""Pharmacokinetics: dose schedules -> serum and tumour concentrations over time.

One-compartment PK per drug with superposition of doses: s.c./i.p./oral bolus with first-order
absorption and elimination (Bateman function), i.v. bolus, and slow-release pellets as zero-order
infusions (from implantation until exhausted or removed). Tumour exposure follows serum through an
effect compartment (first-order equilibration) scaled by a tumour/serum partition ratio.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .biology.mtor import fractional_inhibition
from .biology.signalling import Exposure
from .drugs import Drug, drug


@dataclass(frozen=True)
class DoseEvent:
    """One administration: time (h on the simulation clock), amount (mg per mouse), route."""

    time_h: float
    amount_mg: float
    route: str
    release_h: float = 0.0  # pellets: release duration
    removal_h: float = np.inf  # pellets: time of removal


def serum_concentration_nM(d: Drug, doses: list[DoseEvent], times_h: np.ndarray,
                           body_weight_kg: float) -> np.ndarray:
    """Serum concentration (nM) at the given times by superposition of all doses."""
    k = np.log(2.0) / d.half_life_h.value
    ka = d.absorption_rate_per_h.value
    volume_L = d.volume_of_distribution_L_per_kg.value * body_weight_kg
    conc_mg_per_L = np.zeros_like(times_h, dtype=float)
    for dose in doses:
        tau = times_h - dose.time_h
        after = tau >= 0
        t = np.where(after, tau, 0.0)
        if dose.route == "pellet":
            duration = min(dose.release_h, dose.removal_h - dose.time_h)
            rate = dose.amount_mg / dose.release_h
            on = np.minimum(t, duration)
            c = rate / (k * volume_L) * -np.expm1(-k * on) * np.exp(-k * np.maximum(t - duration, 0))
        elif dose.route == "iv":
            c = dose.amount_mg / volume_L * np.exp(-k * t)
        else:
            if abs(ka - k) < 1e-9:
                c = dose.amount_mg / volume_L * k * t * np.exp(-k * t)
            else:
                c = dose.amount_mg / volume_L * ka / (ka - k) * (np.exp(-k * t) - np.exp(-ka * t))
        conc_mg_per_L += np.where(after, c, 0.0)
    return conc_mg_per_L / d.molecular_weight_g_per_mol.value * 1e6


def effect_compartment(serum: np.ndarray, dt_h: float, half_life_h: float) -> np.ndarray:
    """Tumour (effect-site) concentration: first-order lag behind serum, exact per grid step."""
    decay = np.exp(-np.log(2.0) / half_life_h * dt_h)
    out = np.empty_like(serum)
    level = 0.0
    for i, target in enumerate(serum):
        level = target + (level - target) * decay
        out[i] = level
    return out


@dataclass
class ExposureProfile:
    """Hourly tumour concentrations (nM) per drug, and step-averaged Exposures on demand."""

    grid_h: np.ndarray
    tumour_nM: dict[str, np.ndarray]
    baseline_e2_nM: float
    drug_params: dict[str, Drug]

    def mean_over(self, start_h: float, end_h: float) -> dict[str, float]:
        """Mean tumour concentration (nM) of each drug over [start_h, end_h)."""
        sel = (self.grid_h >= start_h) & (self.grid_h < end_h)
        if not sel.any():
            sel = np.abs(self.grid_h - start_h) == np.abs(self.grid_h - start_h).min()
        return {name: float(c[sel].mean()) for name, c in self.tumour_nM.items()}

    def exposure(self, start_h: float, end_h: float) -> Exposure:
        """The step's Exposure: concentrations turned into occupancy inputs and inhibitions."""
        conc = self.mean_over(start_h, end_h)
        e2 = self.baseline_e2_nM
        tam = oht = 0.0
        remaining_mtorc1 = 1.0
        for name, c in conc.items():
            d = self.drug_params[name]
            if d.target == "estrogen":
                e2 += c
            elif d.target == "er_antagonist":
                tam += c
                oht += c * (d.metabolite_fraction.value if d.metabolite_fraction else 0.0)
            elif d.target == "mtorc1":
                remaining_mtorc1 *= 1.0 - fractional_inhibition(c, d.ic50_nM.value, d.emax.value)
        return Exposure(e2_nM=e2, tamoxifen_nM=tam, oht_nM=oht,
                        mtorc1_inhibition=1.0 - remaining_mtorc1)


def exposure_profile(doses_by_drug: dict[str, list[DoseEvent]], end_h: float,
                     body_weight_kg: float, baseline_e2_nM: float,
                     grid_step_h: float = 0.5) -> ExposureProfile:
    """Precompute tumour concentrations of every dosed drug on a fine grid up to ``end_h``."""
    grid = np.arange(0.0, end_h + grid_step_h, grid_step_h)
    tumour, params = {}, {}
    for name, doses in doses_by_drug.items():
        if not doses:
            continue
        d = drug(name)
        serum = serum_concentration_nM(d, doses, grid, body_weight_kg)
        tumour[name] = d.tumour_partition.value * effect_compartment(
            serum, grid_step_h, d.effect_half_life_h.value)
        params[name] = d
    return ExposureProfile(grid, tumour, baseline_e2_nM, params)
