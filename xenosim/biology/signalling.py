"""One signalling pass for a population of cells: Akt -> mTORC1/S6K1 -> ER (the step's middle).

Also derives the two rates fixed by the in vitro record (Wiese 1992): the maximal division rate
(vector cells double in 33 h at 10 pM E2) and the ER-independent share of proliferation (55 h when
estrogen-deprived).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from xenosim.biology import adaptation, aromatase, cellcycle, mtor, serd
from xenosim.biology import akt as akt_mod
from xenosim.biology import er as er_mod
from xenosim.core.genotypes import Genotype


@dataclass(frozen=True)
class Exposure:
    """Tumour-level exposures during one step (drug effects already turned into fractions)."""

    e2_nM: float = 0.0
    oht_nM: float = 0.0
    tamoxifen_nM: float = 0.0
    mtorc1_inhibition: float = 0.0  # fraction of mTORC1 activity removed (rapalogs, TORC1/2i)
    torc2_inhibition: float = 0.0  # fraction of mTORC2 -> Akt input removed (TORC1/2 inhibitors)
    er_degradation: float = 0.0  # fraction of ER protein degraded (given directly)
    fulvestrant_nM: float = 0.0  # SERD: pure antagonist + degrader (biology/serd.py)
    androstenedione_nM: float = 0.0  # substrate of tumour aromatase (biology/aromatase.py)
    aromatase_inhibition: float = 0.0  # fraction of aromatase blocked (AIs)


@dataclass
class Signals:
    """Per-cell signalling state after one pass."""

    akt: np.ndarray
    mtorc1: np.ndarray
    s6k1: np.ndarray
    ser167: np.ndarray
    er: er_mod.ERActivity = field(repr=False)
    er_protein: np.ndarray | float = 1.0  # relative to untreated (fulvestrant degrades ER)
    e2_tumour_nM: np.ndarray | float = 0.0  # E2 the cells see: serum + tumour aromatase
    occ_e2: float = 0.0  # share of (wild-type) ER bound by estradiol: drives adaptation
    mtorc1_inhibition: float = 0.0  # share of mTORC1 removed by drugs (IRES compensation)


def er_inputs(exposure: Exposure, genotype: Genotype, p: dict[str, float]):
    """The step's ER inputs, the same for every cell: ``(e2_nM, (occ_e2, occ_anti, occ_free),
    expression scale, er_protein)``. E2 is serum plus tumour aromatase; fulvestrant-bound ER
    leaves every other state and is degraded; the expression scale folds in ER degradation, the
    genotype's ER level and the remaining ER protein."""
    e2_nM = exposure.e2_nM
    if exposure.androstenedione_nM and genotype.aromatase_activity:
        e2_nM = e2_nM + aromatase.intratumoral_estradiol_nM(
            exposure.androstenedione_nM, genotype.aromatase_activity,
            p["aromatase_e2_per_androstenedione"], exposure.aromatase_inhibition,
            p["aromatase_km_androstenedione_nM"])
    occ = er_mod.er_occupancy(e2_nM, exposure.oht_nM, exposure.tamoxifen_nM,
                              p["kd_e2_nM"], p["kd_4oht_nM"], p["kd_tamoxifen_nM"])
    scale = (1.0 - exposure.er_degradation) * genotype.er_expression_multiplier
    er_protein = 1.0
    if exposure.fulvestrant_nM:
        occ_f = serd.fulvestrant_occupancy(
            exposure.fulvestrant_nM, e2_nM, exposure.oht_nM, exposure.tamoxifen_nM,
            p["kd_fulvestrant_nM"], p["kd_e2_nM"], p["kd_4oht_nM"], p["kd_tamoxifen_nM"])
        occ = tuple(o * (1.0 - occ_f) for o in occ)
        er_protein = serd.er_protein_remaining(occ_f, p["serd_er_degradation_max"])
        scale *= er_protein
    return e2_nM, tuple(float(o) for o in occ), float(scale), er_protein


@dataclass(frozen=True)
class StepInputs:
    """The inputs of one signalling pass that are the same for every cell of a tumour (scalars):
    the numpy pass and the fused engine's kernel read the same values. ``occ_mutant``: the ER
    states (E2, antagonist, free) of an ESR1-mutant cell (:func:`mutant_occupancy`)."""

    pi3k_drive: float
    constitutive_akt_drive: float
    feedback_gain: float
    torc2_inhibition: float
    mtorc1_basal: float
    mtorc1_akt_half: float
    mtorc1_inhibition: float
    ser167_weight_s6k1: float
    ser167_half_input: float
    ser167_hill: float
    occ_e2: float
    occ_anti: float
    occ_free: float
    er_scale: float
    er_protein: np.ndarray | float
    e2_nM: np.ndarray | float
    hypoxic_akt_drive_kept: float = 1.0  # Akt-driven mTORC1 share left in hypoxic cells


def step_inputs(exposure: Exposure, genotype: Genotype, p: dict[str, float]) -> StepInputs:
    """Genotype, parameters and exposure folded into the scalars of :class:`StepInputs`."""
    mtorc1_basal = p["mtorc1_basal"]
    if genotype.mtorc1_constitutive:  # TSC1 loss
        mtorc1_basal = mtor.mtorc1_basal_with_tsc_loss(
            mtorc1_basal, p["tsc1_loss_mtorc1_drive"], genotype.mtorc1_constitutive)
    e2_nM, (occ_e2, occ_anti, occ_free), er_scale, er_protein = er_inputs(exposure, genotype, p)
    return StepInputs(
        pi3k_drive=p["pi3k_basal_drive"] * genotype.pi3k_multiplier,
        constitutive_akt_drive=p["myr_akt_drive"] * genotype.constitutive_akt_drive,
        feedback_gain=p["s6k1_irs1_feedback_gain"],
        torc2_inhibition=(exposure.torc2_inhibition * p["akt_s473_dependence"]
                          if exposure.torc2_inhibition else 0.0),
        mtorc1_basal=mtorc1_basal, mtorc1_akt_half=p["mtorc1_akt_half"],
        mtorc1_inhibition=exposure.mtorc1_inhibition,
        ser167_weight_s6k1=p["ser167_weight_s6k1"], ser167_half_input=p["ser167_half_input"],
        ser167_hill=p["ser167_hill"], occ_e2=occ_e2, occ_anti=occ_anti, occ_free=occ_free,
        er_scale=er_scale, er_protein=er_protein, e2_nM=e2_nM,
        hypoxic_akt_drive_kept=mtor.hypoxic_akt_drive_kept(
            p["hypoxia_mtorc1_inhibition"], min(genotype.mtorc1_constitutive, 1.0)))


def mutant_occupancy(exposure: Exposure, q: StepInputs, p: dict[str, float]
                     ) -> tuple[float, float, float]:
    """ER states (E2, antagonist, free) of an ESR1-mutant cell in this step: the antagonists'
    Kd ``esr1_antagonist_kd_fold`` times larger, a share of the free ER constitutively active
    (:func:`xenosim.biology.adaptation.mutant_occupancy`).

    Fulvestrant, a competitive binder too, gets the same fold (Y537S / D538G raise its IC50
    several-fold but stay sensitive at higher doses: Fanning 2016; Toy 2017): the mutant's
    fulvestrant-bound share leaves its other states, and its ER protein is degraded in
    proportion to that (smaller) share. The states are returned relative to the wild-type ER
    protein of the step (``q.er_scale`` already holds it), so ``states x er_scale`` is the
    mutant's own protein; the ER output is linear in both, so this is exact."""
    fold = p["esr1_antagonist_kd_fold"]
    kd_4oht, kd_tam = p["kd_4oht_nM"] * fold, p["kd_tamoxifen_nM"] * fold
    mut = er_mod.er_occupancy(q.e2_nM, exposure.oht_nM, exposure.tamoxifen_nM, p["kd_e2_nM"],
                              kd_4oht, kd_tam)
    if exposure.fulvestrant_nM:
        occ_f = serd.fulvestrant_occupancy(
            exposure.fulvestrant_nM, q.e2_nM, exposure.oht_nM, exposure.tamoxifen_nM,
            p["kd_fulvestrant_nM"] * fold, p["kd_e2_nM"], kd_4oht, kd_tam)
        protein = serd.er_protein_remaining(occ_f, p["serd_er_degradation_max"])
        wild_type_protein = float(q.er_protein)
        ratio = protein / wild_type_protein if wild_type_protein > 0.0 else 0.0
        mut = tuple(o * (1.0 - occ_f) * ratio for o in mut)
    m = adaptation.mutant_occupancy(*(float(o) for o in mut), p["esr1_constitutive_activity"])
    return float(m[0]), float(m[1]), float(m[2])


def compute_signalling(exposure: Exposure, genotype: Genotype, p: dict[str, float],
                       akt_expression, er_expression, s6k1_previous, adapted=None,
                       esr1_mutant=None, shares: bool = True, hypoxic=None) -> Signals:
    """Akt (with feedback from last step's S6K1), mTORC1, S6K1, Ser167 and ER output.

    ``adapted`` / ``esr1_mutant``: optional per-cell flags (biology/adaptation.py); ``None`` or
    all-false leaves the computation (and its numbers) as without them. ``shares=False`` skips
    the ER shares (``sig.er.share_*`` are then ``None``): a step needs only the total.
    ``hypoxic``: optional per-cell flags (oxygen below ``hypoxia_threshold``): those cells keep
    only ``hypoxic_akt_drive_kept`` of the Akt-driven mTORC1 activity (REDD1 / TSC2).
    """
    q = step_inputs(exposure, genotype, p)
    pi3k = q.pi3k_drive
    any_adapted = adapted is not None and bool(np.any(adapted))
    if any_adapted:
        pi3k = adaptation.pi3k_multiplier(adapted, pi3k)
    akt = akt_mod.akt_activity(pi3k, q.constitutive_akt_drive, s6k1_previous, q.feedback_gain,
                               akt_expression, q.torc2_inhibition)
    kept = 1.0
    if hypoxic is not None and q.hypoxic_akt_drive_kept != 1.0 and bool(np.any(hypoxic)):
        kept = np.where(hypoxic, np.float32(q.hypoxic_akt_drive_kept), np.float32(1.0))
    mtorc1 = mtor.mtorc1_activity(akt, q.mtorc1_basal, q.mtorc1_akt_half, q.mtorc1_inhibition,
                                  kept)
    s6k1 = mtor.s6k1_activity(mtorc1)
    ser167 = er_mod.ser167_phosphorylation(akt, s6k1, q.ser167_weight_s6k1,
                                           q.ser167_half_input, q.ser167_hill)
    er = _er_output(exposure, q, p, ser167, er_expression, adapted if any_adapted else None,
                    esr1_mutant, shares)
    return Signals(akt, mtorc1, s6k1, ser167, er, q.er_protein, q.e2_nM, float(q.occ_e2),
                   float(exposure.mtorc1_inhibition))


def _er_output(exposure: Exposure, q: StepInputs, p: dict[str, float], ser167, er_expression,
               adapted, esr1_mutant, shares: bool) -> er_mod.ERActivity:
    """ER output (and, with ``shares``, its E2 / tamoxifen / Ser167 shares) of cells with
    Ser167 phosphorylation ``ser167`` in the step ``q``: expression scaled by the ER protein
    left and, in adapted cells, the LTED multiplier; ESR1-mutant cells with their own ER
    states."""
    er_expr = er_expression * q.er_scale if q.er_scale != 1.0 else er_expression
    if adapted is not None and bool(np.any(adapted)):
        er_expr = er_expr * adaptation.er_expression_multiplier(adapted)
    occ = (q.occ_e2, q.occ_anti, q.occ_free)
    if esr1_mutant is not None and bool(np.any(esr1_mutant)):
        mut = mutant_occupancy(exposure, q, p)
        occ = tuple(np.where(esr1_mutant, np.float32(m), np.float32(w))
                    for m, w in zip(mut, occ, strict=True))
    if shares:
        return er_mod.er_activity(*occ, ser167, er_expr, p)
    s_e2, s_tam, s_167 = er_mod.er_stimuli(
        *occ, ser167, er_expr, p["efficacy_e2"], p["efficacy_tamoxifen_bound"],
        p["efficacy_tamoxifen_ser167"], p["efficacy_unliganded_ser167"])
    stimulus = s_e2 + s_tam + s_167  # the same sum as er_activity's, in the same order
    del s_e2, s_tam, s_167
    return er_mod.ERActivity(stimulus * er_mod.activity_per_stimulus(stimulus), None, None, None)


def er_output_of_state(exposure: Exposure, genotype: Genotype, p: dict[str, float], akt, s6k1,
                       er_expression, adapted=None, esr1_mutant=None) -> er_mod.ERActivity:
    """ER output and its shares of cells whose Akt and S6K1 are ``akt`` and ``s6k1`` (a step's
    stored states) under ``exposure``: the ER half of :func:`compute_signalling`, without
    stepping the Akt feedback again. Summaries read the shares of the ER output the last step
    computed this way (recomputing signalling from S6K1 would give the next step's Akt)."""
    q = step_inputs(exposure, genotype, p)
    ser167 = er_mod.ser167_phosphorylation(akt, s6k1, q.ser167_weight_s6k1,
                                           q.ser167_half_input, q.ser167_hill)
    return _er_output(exposure, q, p, ser167, er_expression, adapted, esr1_mutant, True)


def steady_state(exposure: Exposure, genotype: Genotype, p: dict[str, float],
                 akt_expression=1.0, er_expression=1.0, iterations: int = 30) -> Signals:
    """Signalling at steady state (the Akt <-> S6K1 feedback loop iterated to its fixed point)."""
    s6k1 = np.asarray(0.5, dtype=float) * np.ones_like(np.asarray(akt_expression, dtype=float))
    for _ in range(iterations):
        sig = compute_signalling(exposure, genotype, p, akt_expression, er_expression, s6k1)
        s6k1 = sig.s6k1
    return sig


@dataclass(frozen=True)
class DerivedRates:
    """Rates derived from the in vitro record; see module docstring."""

    division_rate_max_per_h: float  # division hazard of a cycling cell in vitro
    er_weight: float  # ER share of the G1 drive (the rest is translation), biology/cellcycle.py


def translation_and_drive(sig: Signals, p: dict[str, float], er_weight: float,
                          growth_factor: float = 1.0):
    """(translation, G1 drive) of cells from their signals (biology/cellcycle.py);
    ``growth_factor``: growth-factor input relative to the assay medium (see
    :func:`growth_factor_input`)."""
    t = cellcycle.translation_output(sig.mtorc1, sig.akt, p["translation_half_mtorc1"],
                                     p["ires_translation_max"], sig.mtorc1_inhibition)
    return t, cellcycle.g1_drive(sig.er.total, t, er_weight, growth_factor, sig.akt)


def growth_factor_input(p: dict[str, float], invivo: bool) -> float:
    """Growth-factor input of the cells' context: 1 in the assay medium of the in vitro record,
    ``growth_factor_input_invivo`` in a host (mouse or patient)."""
    return float(p["growth_factor_input_invivo"]) if invivo else 1.0


def derived_rates(p: dict[str, float]) -> DerivedRates:
    """Division rate of cycling cells and ER weight of the G1 drive from Wiese 1992.

    Vector cells double in 33 h at 10 pM E2 and in 55 h estrogen-deprived. In vitro apoptosis is
    neglected, so each doubling time is the growth rate of the two-state (cycling <-> arrested)
    population: two equations fix the two unknowns (:func:`cellcycle.solve_division_and_er_weight`).
    """
    return _derived_rates(tuple(sorted(p.items())))


@lru_cache(maxsize=64)
def _derived_rates(items: tuple) -> DerivedRates:
    from xenosim.core.genotypes import cell_line

    p = dict(items)
    vector = cell_line("mcf7_vector")
    ref = steady_state(Exposure(e2_nM=p["reference_e2_invitro_pM"] / 1000.0), vector, p)
    dep = steady_state(Exposure(), vector, p)
    t_ref, _ = translation_and_drive(ref, p, 0.0)
    t_dep, _ = translation_and_drive(dep, p, 0.0)
    k, w = cellcycle.solve_division_and_er_weight(
        float(t_ref), float(ref.er.total), float(t_dep), float(dep.er.total),
        float(np.log(2.0) / p["doubling_time_e2_invitro_h"]),
        float(np.log(2.0) / p["doubling_time_deprived_invitro_h"]),
        p["g1_drive_half"], p["g1_restriction_hill"], p["g1_switch_rate_per_h"])
    return DerivedRates(float(k), float(w))
