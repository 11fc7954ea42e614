"""mTORC1 and S6K1: driven by Akt (via TSC2 / PRAS40 relief), inhibited by rapalogs and TORC1/2
kinase inhibitors. S6K1 phosphorylation follows mTORC1 activity."""

from __future__ import annotations

import numpy as np


def fractional_inhibition(concentration_nM: float | np.ndarray, ic50_nM: float,
                          emax: float, hill: float = 1.0) -> np.ndarray | float:
    """Emax model of target inhibition: Emax * C^h / (C^h + IC50^h)."""
    c = np.maximum(concentration_nM, 0.0) ** hill
    return emax * c / (c + ic50_nM**hill)


def mtorc1_activity(akt: np.ndarray, basal: float, akt_half: float,
                    inhibition: float = 0.0) -> np.ndarray:
    """mTORC1 activity in [0, 1]: basal plus Akt-driven share, times the uninhibited fraction."""
    uninhibited = basal + (1.0 - basal) * akt / (akt + akt_half)
    return uninhibited * (1.0 - inhibition)


def s6k1_activity(mtorc1: np.ndarray) -> np.ndarray:
    """S6K1 (Thr389) activity follows mTORC1 one-to-one (normalised readout)."""
    return mtorc1


def mtorc1_basal_with_tsc_loss(basal: float, tsc_loss_drive: float, constitutive: float) -> float:
    """Akt-independent mTORC1 share: basal (amino acids) plus Rheb activity freed by TSC loss."""
    return basal + (1.0 - basal) * tsc_loss_drive * constitutive
