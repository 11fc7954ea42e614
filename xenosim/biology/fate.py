"""Cell fate per time step: division, apoptosis, necrosis, quiescence, clearance of the dead.

Rates (per hour) are turned into competing-risk probabilities with a single uniform draw per
cell, so the step size does not bias which fate wins.
"""

from __future__ import annotations

import numpy as np

# QUIESCENT is hypoxic quiescence (oxygen); ARRESTED is the reversible G0/G1 arrest of an
# oxygenated cell whose G1 drive fell (endocrine therapy, mTOR inhibition): see cellcycle.py
CYCLING, QUIESCENT, APOPTOTIC, NECROTIC, ARRESTED = 0, 1, 2, 3, 4
STATUS_NAMES = ("cycling", "quiescent", "apoptotic", "necrotic", "arrested")
N_STATUS = len(STATUS_NAMES)
_TINY = np.finfo(np.float32).tiny


def is_viable(status):
    """True for cycling, hypoxic-quiescent and arrested cells (works on arrays and scalars)."""
    return (status <= QUIESCENT) | (status == ARRESTED)


def draw_competing(rates_per_h: list, dt_h: float, u):
    """Competing risks over one step with one uniform per cell: a boolean mask per hazard.

    Hazard j wins where ``cut_{j-1} <= u < cut_j`` with ``cut_j = p_event * sum_{i<=j} r_i / R``.
    """
    if isinstance(u, np.ndarray) and u.dtype == np.float32 and all(
            isinstance(r, np.ndarray) and r.dtype == np.float32 for r in rates_per_h):
        return _draw_competing_float32(rates_per_h, dt_h, u)
    total = rates_per_h[0]
    for r in rates_per_h[1:]:
        total = total + r
    scale = -np.expm1(-total * dt_h) / np.maximum(total, _TINY)
    masks, below_prev, cut = [], None, 0.0
    for r in rates_per_h:
        cut = cut + r * scale
        below = u < cut
        masks.append(below if below_prev is None else below ^ below_prev)
        below_prev = below
    return masks


def _draw_competing_float32(rates_per_h: list, dt_h: float, u: np.ndarray) -> list:
    """:func:`draw_competing` for float32 arrays, the same operations in the same order into
    reused buffers (no temporary array per operation): the same masks."""
    total = rates_per_h[0].copy()
    for r in rates_per_h[1:]:
        total += r
    scale = np.multiply(total, -dt_h)  # (-total) * dt_h, exactly
    np.expm1(scale, out=scale)
    np.negative(scale, out=scale)
    np.divide(scale, np.maximum(total, _TINY, out=total), out=scale)
    cut = np.multiply(rates_per_h[0], scale)  # 0.0 + r * scale: the same number
    term = total  # free now
    below_prev = u < cut
    masks = [below_prev]
    for r in rates_per_h[1:]:
        cut += np.multiply(r, scale, out=term)
        below = u < cut
        masks.append(below ^ below_prev)
        below_prev = below
    return masks


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


def fates_from_uniform(u, division_per_h, switch_per_h, apoptosis_per_h, necrosis_per_h,
                       scale):
    """:func:`draw_competing` for one cell's four hazards of a step (division, cycle switch,
    apoptosis, necrosis) given its uniform ``u`` and :func:`event_scale`: the same cuts, in the
    same order. Scalars or arrays (the fused engine compiles it)."""
    cut = division_per_h * scale
    divide = u < cut
    cut = cut + switch_per_h * scale
    below_switch = u < cut
    switch = below_switch ^ divide
    cut = cut + apoptosis_per_h * scale
    below_apo = u < cut
    apoptose = below_apo ^ below_switch
    cut = cut + necrosis_per_h * scale
    necrose = (u < cut) ^ below_apo
    return divide, switch, apoptose, necrose


def clearance_probability(half_life_h: float, dt_h: float) -> float:
    """Probability that a dead cell is cleared within one step."""
    return float(-np.expm1(-np.log(2.0) / half_life_h * dt_h))
