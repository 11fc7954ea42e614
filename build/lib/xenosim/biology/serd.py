"""Fulvestrant, a selective ER degrader (SERD): pure antagonism plus ER protein degradation.

Fulvestrant competes with E2 for ER (Kd ~ E2's). Its complex has no agonist activity at all, not
even when Ser167 is phosphorylated (unlike tamoxifen-bound ER), and it is immobilised and
degraded, so ER protein falls (Wakeling 1991; Nicholson 2001). Both effects act on the ER of
:mod:`xenosim.biology.er`: the fulvestrant-bound share is taken out of every other ER state, and
ER expression is cut by the degraded fraction.
"""

from __future__ import annotations

import numpy as np


def fulvestrant_occupancy(fulvestrant_nM, e2_nM, oht_nM, tamoxifen_nM, kd_fulvestrant_nM,
                          kd_e2_nM, kd_4oht_nM, kd_tamoxifen_nM):
    """Fraction of ER bound to fulvestrant, in competition with E2, 4-OHT and tamoxifen."""
    x_f = np.maximum(fulvestrant_nM, 0.0) / kd_fulvestrant_nM
    others = 1.0 + e2_nM / kd_e2_nM + oht_nM / kd_4oht_nM + tamoxifen_nM / kd_tamoxifen_nM
    return x_f / (others + x_f)


def er_protein_remaining(occupancy_fulvestrant, degradation_max: float):
    """ER protein relative to untreated: degradation proportional to fulvestrant occupancy."""
    return 1.0 - degradation_max * occupancy_fulvestrant
