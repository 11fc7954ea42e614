"""Akt activity: PI3K input with S6K1 -> IRS-1 negative feedback, plus constitutive myr-Akt.

A rapalog lowers S6K1, relieves the feedback on IRS-1/PI3K and so *raises* Akt in cells whose Akt
is PI3K-driven (O'Reilly 2006). The myristoylated transgene is membrane-bound and PI3K-independent,
so its share does not rise. TORC1/2 kinase inhibitors also cut mTORC2 -> Akt S473 input.
"""

from __future__ import annotations

import numpy as np


def akt_activity(
    pi3k_drive: np.ndarray | float,
    constitutive_drive: np.ndarray | float,
    s6k1_previous: np.ndarray | float,
    feedback_gain: float,
    expression: np.ndarray | float = 1.0,
    torc2_inhibition: float = 0.0,
) -> np.ndarray:
    """Akt activity in [0, 1): saturating in total drive (PI3K after feedback + constitutive)."""
    pi3k_after_feedback = pi3k_drive / (1.0 + feedback_gain * s6k1_previous)
    drive = expression * (pi3k_after_feedback * (1.0 - torc2_inhibition) + constitutive_drive)
    return drive / (1.0 + drive)
