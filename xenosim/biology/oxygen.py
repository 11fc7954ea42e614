"""Oxygen: a field that decays with depth below the perfused tumour rim.

The steady-state reaction-diffusion profile near a perfused surface decays roughly exponentially
with an effective penetration depth; cells deep in the tumour become hypoxic (stop cycling) and
then anoxic (necrosis). This gives a proliferating rim, a hypoxic layer and a necrotic core, and
Gompertz-like slowing of volume growth without a hand-set carrying capacity.
"""

from __future__ import annotations

import numpy as np


def oxygen_from_depth(depth_mm: np.ndarray, penetration_mm: float) -> np.ndarray:
    """Relative oxygen tension (1 at the rim) at the given depth below the tumour surface."""
    return np.exp(-np.maximum(depth_mm, 0.0) / penetration_mm)


def depth_at_oxygen(oxygen_relative: float, penetration_mm: float) -> float:
    """Depth (mm) at which oxygen falls to ``oxygen_relative`` (the inverse of
    :func:`oxygen_from_depth`): an oxygen threshold as a depth threshold, no ``exp`` per cell."""
    return float(-penetration_mm * np.log(oxygen_relative))
