"""ERα: competitive occupancy by estradiol, 4-OHT and tamoxifen, and transcriptional output.

Output follows the operational model of agonism (Black & Leff 1983): each receptor state
contributes efficacy x occupancy to a stimulus S, and ER activity is S / (1 + S).
- E2-bound ER: high efficacy (spare receptors: half-maximal output at a few % occupancy).
- Tamoxifen/4-OHT-bound ER: small partial agonism, raised when Ser167 is phosphorylated.
- Unliganded ER: no output unless Ser167 is phosphorylated (ligand-independent activity).
Ser167 is phosphorylated by S6K1 (main) and Akt (Yamnik 2009; Campbell 2001). A rapalog removes
the S6K1 share: that is how it restores tamoxifen response and lowers ERE-reporter activity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def er_occupancy(e2_nM, oht_nM, tamoxifen_nM, kd_e2_nM, kd_4oht_nM, kd_tamoxifen_nM):
    """Fractions of ER bound to E2, to antiestrogen (4-OHT + tamoxifen) and free."""
    x_e2 = e2_nM / kd_e2_nM
    x_anti = oht_nM / kd_4oht_nM + tamoxifen_nM / kd_tamoxifen_nM
    total = 1.0 + x_e2 + x_anti
    return x_e2 / total, x_anti / total, 1.0 / total


def ser167_phosphorylation(akt, s6k1, weight_s6k1: float, half_input: float, hill: float):
    """Fraction of ER phosphorylated on Ser167: a switch-like function of Akt + S6K1 input."""
    kinase = (1.0 - weight_s6k1) * akt + weight_s6k1 * s6k1
    if hill == 4.0:  # by squaring twice: far cheaper than the general power, and equal to
        # kinase**4 within rounding (two roundings against pow's one: not always to the bit)
        k2 = kinase * kinase
        k = k2 * k2
    else:
        k = kinase**hill
    return k / (k + half_input**hill)


@dataclass
class ERActivity:
    """ER transcriptional activity and its split into E2, tamoxifen and Ser167 shares."""

    total: np.ndarray
    share_e2: np.ndarray
    share_tamoxifen: np.ndarray
    share_ser167: np.ndarray


def er_stimuli(occ_e2, occ_anti, occ_free, ser167, expression, efficacy_e2: float,
               efficacy_tamoxifen_bound: float, efficacy_tamoxifen_ser167: float,
               efficacy_unliganded_ser167: float):
    """Stimulus of each ER state (operational model): (E2-bound, antagonist-bound, Ser167).

    Plain arithmetic on arrays or scalars, so the fused engine compiles this same function."""
    s_e2 = expression * efficacy_e2 * occ_e2
    s_tam = expression * efficacy_tamoxifen_bound * occ_anti
    s_167 = expression * ser167 * (
        efficacy_tamoxifen_ser167 * occ_anti + efficacy_unliganded_ser167 * occ_free
    )
    return s_e2, s_tam, s_167


def er_activity(occ_e2, occ_anti, occ_free, ser167, expression, p: dict[str, float]) -> ERActivity:
    """ER output in [0, 1) with additive shares (shares sum to the total)."""
    s_e2, s_tam, s_167 = er_stimuli(occ_e2, occ_anti, occ_free, ser167, expression,
                                    p["efficacy_e2"], p["efficacy_tamoxifen_bound"],
                                    p["efficacy_tamoxifen_ser167"],
                                    p["efficacy_unliganded_ser167"])
    stimulus = s_e2 + s_tam + s_167
    scale = activity_per_stimulus(stimulus)
    return ERActivity(stimulus * scale, s_e2 * scale, s_tam * scale, s_167 * scale)


def activity_per_stimulus(stimulus):
    """ER activity per unit stimulus, ``1 / (1 + S)``: activity = S x this (operational model).
    Arrays or scalars (the fused engine compiles it)."""
    return 1.0 / (1.0 + stimulus)
