"""The cell-cycle fate model: cycling <-> reversible G0/G1 arrest, and apoptosis from signals.

Biology (each step of a viable, oxygenated cell):

- **Translation** (Gera et al. 2004 J Biol Chem 279:2737): cyclin D1 / c-Myc are made by
  cap-dependent translation (mTORC1 -> 4E-BP1 / S6K1; rapalog-sensitive) and by cap-independent,
  IRES-mediated translation, which Akt *suppresses*. Akt-low cells therefore compensate for a
  rapalog through the IRES route; Akt-high (myr-Akt, PTEN-null) cells cannot, and are the more
  rapalog-sensitive (Neshat 2001; Noh 2004).
- **G1 drive** has two *parallel* inputs (not one product): ER output (cyclin D1 and c-Myc are
  estrogen-induced genes; Prall 1997, Dubik 1988) and growth-factor-driven translation (insulin /
  IGF-1 -> PI3K -> mTORC1 raises cyclin D1 / c-Myc synthesis; Lavoie 1996, Dufourny 1997). The
  assay medium (serum, often with insulin) supplies growth factors at the level the in vitro
  record was measured in (1 by definition); the mouse or patient supplies less
  (``growth_factor_input_invivo``), which is why MCF-7 cells grow slowly without estrogen in
  vitro (Wiese 1992: 55 h vs 33 h doubling) but not at all as xenografts. Active Akt drives G1
  on its own (GSK3beta inhibition stabilises cyclin D1, Diehl 1998 Genes Dev 12:3499; p27Kip1
  phosphorylation and cytoplasmic retention, Viglietto 2002 Nat Med 8:1136, Liang 2002 Nat Med
  8:1153): a cell's own Akt activity makes up the part of the growth-factor input its context
  does not supply, so constitutive Akt makes cells independent of the host's growth factors.
- **Restriction point**: the fraction of cells committed to cycle is a switch-like (Hill) function
  of the G1 drive (Rb-E2F bistable switch; Yao 2008). Cells move between cycling and a reversible
  G0/G1-arrested state at rates whose ratio gives that fraction, with the time scale of release
  from antiestrogen arrest (S-phase re-entry 12-24 h after estradiol rescue; Prall 1997).
- **Apoptosis** from explicit signals: loss of Akt survival signalling (FOXO3a -> BIM, BAD; Brunet
  1999, Datta 1999), loss of ER survival signalling (ER -> BCL-2; Teixeira 1995), and hypoxia
  (Graeber 1996).
  Arrested cells have their own, lower, death rate (G0 cells are protected). Hypoxic quiescence is
  a separate status (oxygen, not drive) and keeps its own hypoxic apoptosis.

All functions take numpy arrays (one value per cell) or scalars, so every executor calls them.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from xenosim.biology import fate


def translation_output(mtorc1, akt, translation_half: float, ires_max: float,
                       mtorc1_inhibition: float = 0.0):
    """Relative cyclin D1 / c-Myc translation in [0, 1]: cap-dependent, plus IRES compensation
    of what an mTOR inhibitor takes away.

    ``cap = mTORC1 / (mTORC1 + K)`` is rapalog-sensitive. When a drug removes a share of mTORC1,
    Akt-low cells switch cyclin D1 / c-Myc to cap-independent, IRES-mediated translation, which
    Akt represses (Gera 2004; Shi 2005 Mol Cell Biol 25:9477: the IRES route is induced by mTOR
    inhibition): a share ``ires_max * (1 - Akt)`` of the cap-dependent translation lost to the
    drug is made up. Without a drug there is nothing to compensate and the output is ``cap``.
    """
    cap = cap_dependent_translation(mtorc1, translation_half)
    if not mtorc1_inhibition:
        return cap
    return cap + ires_compensation(mtorc1, akt, cap, translation_half, ires_max,
                                   uninhibited_share(mtorc1_inhibition))


def cap_dependent_translation(mtorc1, translation_half):
    """The cap-dependent (rapalog-sensitive) part of :func:`translation_output`:
    ``mTORC1 / (mTORC1 + K)``. Arrays or scalars (the fused engine compiles it)."""
    return mtorc1 / (mtorc1 + translation_half)


def uninhibited_share(mtorc1_inhibition: float) -> float:
    """Share of mTORC1 activity a drug leaves (``1 - inhibition``, kept above 0)."""
    return 1.0 - min(float(mtorc1_inhibition), 0.999999)


def ires_compensation(mtorc1, akt, cap, translation_half, ires_max, remaining):
    """The IRES-made part of :func:`translation_output`: ``ires_max * (1 - Akt)`` of the
    cap-dependent translation ``cap`` lost to the drug (``remaining``: :func:`uninhibited_share`).
    Arrays or scalars (the fused engine compiles it)."""
    uninhibited = mtorc1 / remaining
    lost = uninhibited / (uninhibited + translation_half) - cap
    return ires_max * (1.0 - akt) * lost


def g1_drive(er_total, translation, er_weight: float, growth_factor: float = 1.0, akt=0.0):
    """G1 drive in [0, 1]: ER output and growth-factor-driven translation as parallel
    (weighted additive) inputs.

    ``er_weight`` is ER's share of the drive in the assay medium. The translation input is
    scaled by the growth-factor input: ``growth_factor`` of the context (1 = the medium of the
    in vitro record, below 1 in a host), with the cell's Akt activity making up the missing part:
    ``1 - (1 - growth_factor) * (1 - akt)``.
    """
    gf = 1.0 - (1.0 - growth_factor) * (1.0 - akt)
    return er_weight * er_total + (1.0 - er_weight) * translation * gf


def committed_fraction(drive, drive_half: float, hill: float):
    """Steady-state fraction of cells past the restriction point: Hill function of the drive."""
    d = np.maximum(drive, 0.0) ** hill
    return d / (d + drive_half**hill)


def switching_rates_per_h(drive, drive_half: float, hill: float, switch_rate_per_h: float):
    """(arrest, release) hazards per hour: their ratio gives :func:`committed_fraction`."""
    h = committed_fraction(drive, drive_half, hill)
    return switch_rate_per_h * (1.0 - h), switch_rate_per_h * h


def apoptosis_rate_per_h(er_total, akt, cycling, arrested, quiescent, p: dict[str, float],
                         basal_per_day: float | None = None):
    """Apoptosis hazard per hour by status, from explicit survival signals.

    Cycling cells: ``basal * (1 + gain_ER * (1 - ER)) * (1 - s_Akt * Akt)`` (loss of ER -> BCL-2
    and of Akt -> FOXO3a/BAD survival signalling; :func:`xenosim.biology.fate.apoptosis_rate_per_h`).
    Arrested cells: the same times ``arrested_apoptosis_factor``. Hypoxic-quiescent cells: the
    Akt-opposed basal loss plus ``hypoxic_apoptosis_per_day``. ``cycling`` / ``arrested`` /
    ``quiescent`` are masks (or booleans); other cells get 0. ``basal_per_day`` defaults to the
    in vivo rate (wells pass their in vitro one).
    """
    basal = p["apoptosis_rate_invivo_per_day"] if basal_per_day is None else basal_per_day
    signalled = fate.apoptosis_rate_per_h(er_total, akt, basal, p["apoptosis_deprivation_gain"],
                                          p["akt_survival_max"])
    if quiescent is not False:
        # no ER term: an ER output of 1.0 (a scalar) gives the same numbers, as
        # 1 + 0 * (1 - er) is 1 for every cell, without a pass over the ER array
        hypoxic = fate.apoptosis_rate_per_h(1.0, akt, basal, 0.0, p["akt_survival_max"])
        hypoxic = hypoxic + p["hypoxic_apoptosis_per_day"] / 24.0
    else:
        hypoxic = 0.0
    if isinstance(cycling, np.ndarray) and cycling.dtype == np.bool_ and np.ndim(signalled):
        return apoptosis_by_status_masks(signalled, hypoxic, cycling, arrested, quiescent,
                                         p["arrested_apoptosis_factor"])
    rate = apoptosis_by_status(signalled, hypoxic, cycling, arrested, quiescent,
                               p["arrested_apoptosis_factor"])
    return np.asarray(rate, dtype=np.float32) if np.ndim(rate) else float(rate)


def apoptosis_by_status(signalled, hypoxic, cycling, arrested, quiescent, arrested_factor):
    """The status weighting of :func:`apoptosis_rate_per_h`: the signalled rate for cycling
    cells, ``arrested_factor`` times it for arrested ones, the hypoxic rate for quiescent ones
    (masks or 0/1 numbers). Arrays or scalars (the fused engine compiles it)."""
    return signalled * (cycling + arrested * arrested_factor) + hypoxic * quiescent


def apoptosis_by_status_masks(signalled, hypoxic, cycling, arrested, quiescent,
                              arrested_factor: float) -> np.ndarray:
    """:func:`apoptosis_by_status` for boolean masks (a cell in one status at most; quiescent
    may be ``False``), rounded to float32: the same numbers, faster. numpy would compute
    ``signalled * (cycling + arrested * factor)`` in float64 (a boolean mask times a Python
    float), through casting loops, for every cell; only the arrested cells' product needs it
    (``float32(float64(s) * factor)``), and a sum of one rate and zeros is exact in float32."""
    rate = np.multiply(signalled, arrested_factor, dtype=np.float64).astype(np.float32)
    rate *= arrested
    rate += signalled * cycling
    if quiescent is not False:
        rate += np.asarray(hypoxic, dtype=np.float32) * quiescent
    return rate


def growth_rate_per_h(division_per_h: float, arrest_per_h: float, release_per_h: float) -> float:
    """Exponential growth rate of the two-state (cycling <-> arrested) population.

    Largest eigenvalue of ``[[k - a, r], [a, -r]]`` (both daughters start cycling).
    """
    tr = division_per_h - arrest_per_h - release_per_h
    return 0.5 * (tr + float(np.sqrt(tr * tr + 4.0 * division_per_h * release_per_h)))


@lru_cache(maxsize=64)
def solve_division_and_er_weight(t_e2: float, er_e2: float, t_dep: float, er_dep: float,
                                 lam_e2_per_h: float, lam_dep_per_h: float, drive_half: float,
                                 hill: float, switch_per_h: float) -> tuple[float, float]:
    """(division rate of cycling cells per h, ER weight of the G1 drive) that reproduce two
    measured growth rates (estradiol and deprived). Bisection on the weight, inner bisection on
    the division rate; the weight is clipped to [0, 1] if the record cannot be matched."""

    def k_for(weight: float, t: float, er: float, lam: float) -> float:
        a, r = switching_rates_per_h(g1_drive(er, t, weight), drive_half, hill, switch_per_h)
        lo, hi = 0.0, 10.0
        for _ in range(80):
            mid = 0.5 * (lo + hi)
            if growth_rate_per_h(mid, float(a), float(r)) < lam:
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi)

    def mismatch(weight: float) -> float:
        k = k_for(weight, t_e2, er_e2, lam_e2_per_h)
        a, r = switching_rates_per_h(g1_drive(er_dep, t_dep, weight), drive_half, hill,
                                     switch_per_h)
        return growth_rate_per_h(k, float(a), float(r)) - lam_dep_per_h

    lo, hi = 0.0, 1.0
    if mismatch(hi) > 0:  # even a fully ER-driven drive leaves deprived growth too fast
        w = 1.0
    elif mismatch(lo) < 0:
        w = 0.0
    else:
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            if mismatch(mid) > 0:
                lo = mid
            else:
                hi = mid
        w = 0.5 * (lo + hi)
    return k_for(w, t_e2, er_e2, lam_e2_per_h), w
