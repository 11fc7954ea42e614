"""Cell fate per time step: division, apoptosis, necrosis, quiescence, clearance of the dead.

Rates (per hour) are turned into competing-risk probabilities with a single uniform draw per
cell, so the step size does not bias which fate wins.
"""

from __future__ import annotations

import numpy as np

CYCLING, QUIESCENT, APOPTOTIC, NECROTIC = 0, 1, 2, 3
STATUS_NAMES = ("cycling", "quiescent", "apoptotic", "necrotic")
_TINY = np.finfo(np.float32).tiny


def proliferation_drive(er_total, mtorc1, er_independent_fraction: float,
                        translation_half: float):
    """Relative division drive: ER output (with an ER-independent floor) times translation.

    Translation (mTORC1 -> S6K1 / 4E-BP1) is a saturating function of mTORC1 activity, so a
    rapalog slows division even when ER output is high.
    """
    er_term = er_independent_fraction + (1.0 - er_independent_fraction) * er_total
    translation = mtorc1 / (mtorc1 + translation_half)
    return er_term * translation


def apoptosis_rate_per_h(er_total, akt, basal_per_day: float, deprivation_gain,
                         akt_survival_max: float):
    """Apoptosis hazard: rises as ER output falls (estrogen deprivation / antiestrogen), opposed
    by Akt survival signalling."""
    return (basal_per_day / 24.0) * (1.0 + deprivation_gain * (1.0 - er_total)) * (
        1.0 - akt_survival_max * akt
    )


def event_scale(total_per_h, dt_h: float):
    """Probability of any event in the step per unit of total hazard, ``p_event / total``
    (0 where there is no hazard, as ``p_event`` is then 0 too): hazard ``j`` wins where the
    uniform lies in its slice ``r_j * scale`` of ``[0, p_event)``. Arrays or scalars."""
    return scale_from_probability(-np.expm1(-total_per_h * dt_h), total_per_h)


def scale_from_probability(p_event, total_per_h):
    """``p_event / total`` with 0 where there is no hazard (see :func:`event_scale`); the fused
    engine computes ``p_event`` with its own ``expm1`` and calls this."""
    return p_event / np.maximum(total_per_h, _TINY)


def fates_from_uniform(u, division_per_h, apoptosis_per_h, necrosis_per_h, scale):
    """Competing risks given the cell's uniform ``u`` and :func:`event_scale`: (divide, apoptose,
    necrose). Hazard j wins where ``u`` lies in its slice of ``[0, p_event)``. Arrays or
    scalars (the fused engine compiles it)."""
    cut = division_per_h * scale
    divide = u < cut
    cut += apoptosis_per_h * scale
    below_apo = u < cut
    apoptose = below_apo ^ divide  # cut_div <= u < cut_apo
    cut += necrosis_per_h * scale
    necrose = (u < cut) ^ below_apo  # cut_apo <= u < cut_nec
    return divide, apoptose, necrose


def draw_fates(rng: np.random.Generator, division_per_h, apoptosis_per_h, necrosis_per_h,
               dt_h: float, u=None):
    """Competing risks over one step: boolean masks (divide, apoptose, necrose).

    ``u`` (uniforms in [0, 1), one per cell) may be given; otherwise they are drawn from ``rng``.
    """
    total = division_per_h + apoptosis_per_h + necrosis_per_h
    if u is None:
        u = rng.random(np.shape(total), dtype=np.float32)
    scale = event_scale(total, dt_h)
    del total
    return fates_from_uniform(u, division_per_h, apoptosis_per_h, necrosis_per_h, scale)


def clearance_probability(half_life_h: float, dt_h: float) -> float:
    """Probability that a dead cell is cleared within one step."""
    return float(-np.expm1(-np.log(2.0) / half_life_h * dt_h))
