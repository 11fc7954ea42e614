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
                    inhibition: float = 0.0, akt_drive_kept=1.0) -> np.ndarray:
    """mTORC1 activity in [0, 1]: basal plus Akt-driven share (times ``akt_drive_kept``, the
    share of it left where hypoxia has turned TSC2 back on: :func:`hypoxic_akt_drive_kept`),
    times the uninhibited fraction."""
    uninhibited = basal + (1.0 - basal) * akt / (akt + akt_half) * akt_drive_kept
    return uninhibited * (1.0 - inhibition)


def hypoxic_akt_drive_kept(inhibition: float, tsc_loss: float) -> float:
    """Share of the Akt-driven mTORC1 activity a hypoxic cell keeps: hypoxia induces REDD1,
    which releases TSC2 from 14-3-3 and so switches off Akt's route to mTORC1 (Brugarolas 2004;
    DeYoung 2008); without TSC1/2 (``tsc_loss`` 1) that route is not there to switch off."""
    return 1.0 - inhibition * (1.0 - tsc_loss)


def s6k1_activity(mtorc1: np.ndarray) -> np.ndarray:
    """S6K1 (Thr389) activity follows mTORC1 one-to-one (normalised readout)."""
    return mtorc1


def mtorc1_basal_with_tsc_loss(basal: float, tsc_loss_drive: float, constitutive: float) -> float:
    """Akt-independent mTORC1 share: basal (amino acids) plus Rheb activity freed by TSC loss."""
    return basal + (1.0 - basal) * tsc_loss_drive * constitutive
