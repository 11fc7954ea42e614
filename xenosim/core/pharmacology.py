"""Pharmacokinetics: dose schedules -> serum and tumour concentrations over time.

One-compartment PK per drug with superposition of doses: s.c./i.p./oral bolus with first-order
absorption and elimination (Bateman function), i.v. bolus, and slow-release pellets as zero-order
infusions (from implantation until exhausted or removed). Tumour exposure follows serum through an
effect compartment (first-order equilibration) scaled by a tumour/serum partition ratio.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from scipy.linalg import solve_banded

from xenosim.biology.aromatase import host_estradiol_nM
from xenosim.biology.mtor import fractional_inhibition
from xenosim.biology.signalling import Exposure
from xenosim.core.drugs import RESIDUAL_E2, Drug, drug


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
            c = _pellet_mg_per_L(d, dose, t, k, volume_L)
        elif dose.route == "iv":
            c = dose.amount_mg / volume_L * np.exp(-k * t)
        else:
            c = _bateman(dose.amount_mg / volume_L, ka, k, t)
        conc_mg_per_L += np.where(after, c, 0.0)
    return conc_mg_per_L / d.molecular_weight_g_per_mol.value * 1e6


def _bateman(c0_mg_per_L: float, ka: float, k: float, t: np.ndarray) -> np.ndarray:
    """First-order absorption into one compartment: concentration at time t after the dose."""
    if abs(ka - k) < 1e-9:
        return c0_mg_per_L * k * t * np.exp(-k * t)
    return c0_mg_per_L * ka / (ka - k) * (np.exp(-k * t) - np.exp(-ka * t))


def _pellet_mg_per_L(d: Drug, dose: DoseEvent, t: np.ndarray, k: float,
                     volume_L: float) -> np.ndarray:
    """A pellet: zero-order release over its duration, plus (where the drug has one) a burst
    share released first-order (Ingberg 2012: commercial E2 pellets start high, then decline).
    Removal stops both; what is in the blood then decays with the elimination rate."""
    duration = min(dose.release_h, dose.removal_h - dose.time_h)
    burst = d.pellet_burst_fraction.value if d.pellet_burst_fraction else 0.0
    rate = (1.0 - burst) * dose.amount_mg / dose.release_h
    on = np.minimum(t, duration)
    c = rate / (k * volume_L) * -np.expm1(-k * on) * np.exp(-k * np.maximum(t - duration, 0))
    if burst:
        kr = np.log(2.0) / d.pellet_burst_half_life_h.value
        out_h = dose.removal_h - dose.time_h
        c0 = burst * dose.amount_mg / volume_L
        at_removal = _bateman(c0, kr, k, np.asarray(min(out_h, 1e12)))
        c = c + np.where(t <= out_h, _bateman(c0, kr, k, t),
                         at_removal * np.exp(-k * np.maximum(t - out_h, 0.0)))
    return c


def effect_compartment(serum: np.ndarray, dt_h: float, half_life_h: float) -> np.ndarray:
    """Tumour (effect-site) concentration: first-order lag behind serum, exact per grid step.
    (In Python floats: the same float64 operations as on numpy scalars, at a fraction of the
    cost per grid point.)"""
    decay = float(np.exp(-np.log(2.0) / half_life_h * dt_h))
    out = []
    level = 0.0
    for target in np.asarray(serum, dtype=float).tolist():
        level = target + (level - target) * decay
        out.append(level)
    return np.array(out, dtype=float)


@dataclass
class ExposureProfile:
    """Hourly tumour concentrations (nM) per drug, and step-averaged Exposures on demand."""

    grid_h: np.ndarray
    tumour_nM: dict[str, np.ndarray]
    baseline_e2_nM: float
    drug_params: dict[str, Drug]
    aromatase_e2_nM: float = 0.0  # host serum E2 made by peripheral aromatase (AIs suppress it)
    baseline_androstenedione_nM: float = 0.0  # host androstenedione (aromatase substrate)
    #: rapalogs: fraction of mTORC1 bound by each drug (FKBP12-drug-mTOR complex), per grid point
    occupancy: dict[str, np.ndarray] = field(default_factory=dict)

    def _means(self, series: dict[str, np.ndarray], start_h: float,
               end_h: float) -> dict[str, float]:
        """Mean of each series over the grid points in [start_h, end_h); none there: at the
        point(s) nearest to ``start_h``. The grid ascends, so the window is a slice found by
        bisection (not two comparisons over the whole grid each step), and its mean the sum
        over the count, as ``numpy.mean`` computes it."""
        lo, hi = np.searchsorted(self.grid_h, (start_h, end_h), side="left").tolist()
        if hi > lo:
            return {name: float(np.add.reduce(c[lo:hi])) / (hi - lo) for name, c in series.items()}
        distance = np.abs(self.grid_h - start_h)
        sel = distance == distance.min()
        return {name: float(c[sel].mean()) for name, c in series.items()}

    def mean_over(self, start_h: float, end_h: float) -> dict[str, float]:
        """Mean tumour concentration (nM) of each drug over [start_h, end_h)."""
        return self._means(self.tumour_nM, start_h, end_h)

    def occupancy_over(self, start_h: float, end_h: float) -> dict[str, float]:
        """Mean mTORC1 occupancy of each rapalog over [start_h, end_h)."""
        return self._means(self.occupancy, start_h, end_h)

    def exposure(self, start_h: float, end_h: float) -> Exposure:
        """The step's Exposure: concentrations turned into occupancy inputs and inhibitions;
        rapalogs act through their target-bound fraction (which outlasts the drug in blood)."""
        return exposure_from_concentrations(
            self.mean_over(start_h, end_h), self.drug_params, self.baseline_e2_nM,
            aromatase_e2_nM=self.aromatase_e2_nM,
            androstenedione_nM=self.baseline_androstenedione_nM,
            rapalog_occupancy=self.occupancy_over(start_h, end_h) or None)

    def readouts(self, start_h: float, end_h: float) -> dict[str, float]:
        """Predicted pS6 (S6K1) and p4E-BP1 suppression over a window: occupancy x each
        readout's Emax (rapalogs suppress 4E-BP1 phosphorylation less than S6K1's)."""
        occ = self.occupancy_over(start_h, end_h)
        out = {"ps6_suppression": 0.0, "p4ebp1_suppression": 0.0}
        for name, b in occ.items():
            d = self.drug_params[name]
            out["ps6_suppression"] += b * (d.emax_s6k1 or d.emax).value
            out["p4ebp1_suppression"] += b * (d.emax_4ebp1 or d.emax).value
        return out


def exposure_from_concentrations(conc_nM: dict[str, float], drugs: dict[str, Drug],
                                 e2_nM: float, *, oht_nM: float = 0.0,
                                 tamoxifen_metabolism: bool = True,
                                 aromatase_e2_nM: float = 0.0,
                                 androstenedione_nM: float = 0.0,
                                 rapalog_occupancy: dict[str, float] | None = None) -> Exposure:
    """The PD link, written once for tumours and wells: drug concentrations at the cells (nM,
    by drug name) -> the Exposure the signalling functions read. ``tamoxifen_metabolism``: the
    tumour makes 4-OHT from tamoxifen (in vivo); cells in a dish do not.
    ``rapalog_occupancy``: target-bound fraction of mTORC1 per rapalog (in vivo, from the binding
    kinetics); without it rapalogs bind at equilibrium with the given (free) concentration."""
    e2 = e2_nM
    tam, oht = 0.0, oht_nM
    remaining_mtorc1 = 1.0
    extra: dict[str, float] = {}
    rapalogs = [(c, d) for name, c in conc_nM.items() if (d := drugs[name]).target == "mtorc1"]
    for name, c in conc_nM.items():
        d = drugs[name]
        if d.target == "estrogen":
            e2 += c
        elif d.target == "er_antagonist":
            tam += c
            if tamoxifen_metabolism and d.metabolite_fraction:
                oht += c * d.metabolite_fraction.value
        elif d.target == "mtorc1" and len(rapalogs) == 1 and rapalog_occupancy is None:
            remaining_mtorc1 *= 1.0 - fractional_inhibition(c, d.ic50_nM.value, d.emax.value)
        elif d.target != "mtorc1":
            _library_pd(d, c, extra)
    if rapalog_occupancy is not None:  # in vivo: the bound fraction, not the concentration
        remaining_mtorc1 = 1.0 - sum(drugs[n].emax.value * b for n, b in rapalog_occupancy.items())
    elif len(rapalogs) > 1:  # rapalogs share one site (FKBP12-FRB): they compete, Emax stays
        remaining_mtorc1 *= 1.0 - rapalog_mixture_inhibition(rapalogs)
    remaining_mtorc1 *= 1.0 - extra.pop("mtor_kinase_inhibition", 0.0)
    if aromatase_e2_nM:  # the non-aromatase share stays under an aromatase inhibitor
        residual = RESIDUAL_E2.value * aromatase_e2_nM
        e2 += residual + host_estradiol_nM(aromatase_e2_nM - residual,
                                           extra.get("aromatase_inhibition", 0.0))
    andro = androstenedione_nM + extra.pop("androstenedione_nM", 0.0)
    if andro:
        extra["androstenedione_nM"] = andro
    return Exposure(e2_nM=e2, tamoxifen_nM=tam, oht_nM=oht,
                    mtorc1_inhibition=1.0 - remaining_mtorc1, **extra)


def rapalog_mixture_inhibition(rapalogs: list[tuple[float, Drug]]) -> float:
    """mTORC1 inhibition by several rapalogs at once (e.g. temsirolimus + its metabolite
    sirolimus): competitive occupancy of the FKBP12-FRB site, occupancy-weighted Emax."""
    x = np.array([max(c, 0.0) / d.ic50_nM.value for c, d in rapalogs])
    emax = np.array([d.emax.value for _, d in rapalogs])
    return float((emax * x).sum() / (1.0 + x.sum()))


def _library_pd(d: Drug, c: float, out: dict[str, float]) -> None:
    """PD of the targets added with the drug library (TORC1/2i, SERD, aromatase)."""
    hill = d.hill.value if d.hill else 1.0
    if d.target == "mtor_kinase":
        inh = fractional_inhibition(c, d.ic50_nM.value, d.emax.value, hill)
        out["mtor_kinase_inhibition"] = 1.0 - (1.0 - out.get("mtor_kinase_inhibition", 0.0)) * (
            1.0 - inh)
        torc2 = fractional_inhibition(c, d.torc2_ic50_nM.value, d.torc2_emax.value, hill)
        out["torc2_inhibition"] = 1.0 - (1.0 - out.get("torc2_inhibition", 0.0)) * (1.0 - torc2)
    elif d.target == "serd":
        out["fulvestrant_nM"] = out.get("fulvestrant_nM", 0.0) + c
    elif d.target == "aromatase_inhibitor":
        inh = fractional_inhibition(c, d.ic50_nM.value, d.emax.value, hill)
        out["aromatase_inhibition"] = 1.0 - (1.0 - out.get("aromatase_inhibition", 0.0)) * (
            1.0 - inh)
    elif d.target == "aromatase_substrate":
        out["androstenedione_nM"] = out.get("androstenedione_nM", 0.0) + c
    else:
        raise ValueError(f"{d.name}: unknown PD target {d.target!r}")


def metabolite_serum_nM(parent: Drug, parent_serum_nM: np.ndarray, metabolite: Drug,
                        fraction: float, dt_h: float) -> np.ndarray:
    """Serum concentration (nM) of a metabolite formed from the parent's elimination.

    d(C_m)/dt = f * k_p * C_p * V_p / V_m - k_m * C_m, integrated exactly per grid step with the
    parent concentration held over the step (both in molar units, so no weight conversion).
    """
    k_p = np.log(2.0) / parent.half_life_h.value
    k_m = np.log(2.0) / metabolite.half_life_h.value
    ratio_v = (parent.volume_of_distribution_L_per_kg.value
               / metabolite.volume_of_distribution_L_per_kg.value)
    formation = fraction * k_p * ratio_v * np.asarray(parent_serum_nM, dtype=float)
    decay = np.exp(-k_m * dt_h)
    return one_pole_filter((1.0 - decay) / k_m, decay, formation)


def one_pole_filter(gain: float, decay: float, x: np.ndarray) -> np.ndarray:
    """``y[n] = decay * y[n-1] + gain * x[n]`` from ``y[-1] = 0`` (scipy.signal.lfilter with
    ``b = [gain], a = [1, -decay]``, tested against it): forward substitution of the
    lower-bidiagonal system, by LAPACK. scipy.linalg is already loaded with Mesa; importing
    scipy.signal for lfilter cost every worker process 0.7 s."""
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        return x.copy()
    bands = np.empty((2, x.shape[0]))
    bands[0] = 1.0
    bands[1] = -decay  # the last entry of the sub-diagonal band is not read
    return solve_banded((1, 0), bands, gain * x, check_finite=False)


def target_occupancy(free_nM: dict[str, np.ndarray], drugs: dict[str, Drug],
                     dt_h: float) -> dict[str, np.ndarray]:
    """mTORC1 bound by each rapalog over time: dB/dt = kon C_free (1 - sum B) - koff B.

    kon = koff / Kd with Kd the (free-drug) IC50, koff = ln2 / the complex's dissociation
    half-life. Each step is solved exactly for each drug with the others' occupancy held (exact
    for one drug; the competitive equilibrium of several drugs is kept). Occupancy decays with
    koff once the free drug is gone, so target suppression outlasts the drug in blood.
    """
    names = list(free_nM)
    n_t = len(next(iter(free_nM.values()))) if names else 0
    # binding rate and decay per grid point do not depend on the occupancy: whole arrays first,
    # then the recurrence in Python floats (the same float64 operations, far cheaper per point)
    on, rate, decay = {}, {}, {}
    for n in names:
        koff = np.log(2.0) / drugs[n].target_off_half_life_h.value
        kon = koff / drugs[n].ic50_nM.value
        on_n = kon * np.maximum(np.asarray(free_nM[n], dtype=float), 0.0)
        rate_n = on_n + koff
        on[n], rate[n], decay[n] = (on_n.tolist(), rate_n.tolist(),
                                    np.exp(-rate_n * dt_h).tolist())
    out: dict[str, list[float]] = {n: [] for n in names}
    if len(names) == 1:  # one drug: every site is free to it (free_sites below is 1.0)
        (n,) = names
        b_n, out_n = 0.0, out[n]
        for on_i, rate_i, decay_i in zip(on[n], rate[n], decay[n], strict=True):
            eq = on_i / rate_i
            b_n = eq + (b_n - eq) * decay_i
            out_n.append(b_n)
        return {n: np.array(out_n, dtype=float)}
    b = dict.fromkeys(names, 0.0)
    for i in range(n_t):
        for n in names:
            free_sites = max(1.0 - sum(v for m, v in b.items() if m != n), 0.0)
            eq = free_sites * on[n][i] / rate[n][i]
            b[n] = eq + (b[n] - eq) * decay[n][i]
            out[n].append(b[n])
    return {n: np.array(v, dtype=float) for n, v in out.items()}


def _rapalog_occupancy(tumour: dict[str, np.ndarray], params: dict[str, Drug],
                       dt_h: float) -> dict[str, np.ndarray]:
    """Target occupancy of the rapalogs among the dosed drugs, from their unbound tumour level."""
    free = {}
    for key, c in tumour.items():
        d = params[key]
        if d.target == "mtorc1" and d.target_off_half_life_h is not None:
            fu = d.unbound_fraction.value if d.unbound_fraction else 1.0
            free[key] = fu * c
    return target_occupancy(free, params, dt_h) if free else {}


def exposure_profile(doses_by_drug: dict[str, list[DoseEvent]], end_h: float,
                     body_weight_kg: float, baseline_e2_nM: float,
                     grid_step_h: float = 0.5, species: str = "mouse",
                     aromatase_e2_nM: float = 0.0,
                     androstenedione_nM: float = 0.0) -> ExposureProfile:
    """Precompute tumour concentrations of every dosed drug on a fine grid up to ``end_h``.

    ``species`` picks the PK set of each drug (mouse, or human for clinical regimens); a human
    active metabolite (temsirolimus -> sirolimus) is added as its own exposure.
    """
    grid = np.arange(0.0, end_h + grid_step_h, grid_step_h)
    tumour, params = {}, {}
    for name, doses in doses_by_drug.items():
        if not doses:
            continue
        d = drug(name).for_species(species)
        doses = _bioavailable(d, doses, species)
        serum = serum_concentration_nM(d, doses, grid, body_weight_kg)
        tumour[name] = d.tumour_partition.value * effect_compartment(
            serum, grid_step_h, d.effect_half_life_h.value)
        params[name] = d
        pk = d.human if species == "human" else None
        if pk is not None and pk.metabolite:
            m = drug(pk.metabolite).for_species(species)
            m_serum = metabolite_serum_nM(d, serum, m, pk.metabolite_fraction.value, grid_step_h)
            key = f"{name}:{m.name}"
            tumour[key] = m.tumour_partition.value * effect_compartment(
                m_serum, grid_step_h, m.effect_half_life_h.value)
            params[key] = m
    return ExposureProfile(grid, tumour, baseline_e2_nM, params, aromatase_e2_nM,
                           androstenedione_nM, _rapalog_occupancy(tumour, params, grid_step_h))


def _bioavailable(d: Drug, doses: list[DoseEvent], species: str) -> list[DoseEvent]:
    """Oral doses scaled by the species' oral bioavailability where the library has one."""
    pk = d.human if species == "human" else None
    if pk is None or pk.oral_bioavailability is None:
        return doses
    f = pk.oral_bioavailability.value
    return [replace(e, amount_mg=e.amount_mg * f) if e.route == "po" else e for e in doses]
