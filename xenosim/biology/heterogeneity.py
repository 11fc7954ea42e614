"""Cell-to-cell heterogeneity: lognormal expression multipliers, partly inherited at division."""

from __future__ import annotations

import numpy as np


def draw_expression(rng: np.random.Generator, n: int, sigma_log: float) -> np.ndarray:
    """Expression multipliers with median 1 and lognormal spread (float32)."""
    return np.exp(sigma_log * rng.standard_normal(n, dtype=np.float32)).astype(np.float32)


def inherit_expression(rng: np.random.Generator, parent: np.ndarray, sigma_log: float,
                       inheritance: float) -> np.ndarray:
    """Daughter multipliers: an AR(1) step in log space that keeps the lognormal spread stationary."""
    if sigma_log == 0.0:
        return parent.copy()
    noise = rng.standard_normal(parent.shape[0], dtype=np.float32)
    return inherited_level(parent, noise, sigma_log, inheritance).astype(np.float32)


def inherited_level(parent, noise, sigma_log: float, inheritance: float):
    """A daughter's expression from its mother's and a standard normal ``noise`` (AR(1) in log
    space). Arrays or scalars (the fused engine compiles it)."""
    log_child = inheritance * np.log(parent) + np.sqrt(1 - inheritance**2) * sigma_log * noise
    return np.exp(log_child)
