"""One multiplicity correction for every family of tests in the analysis (mixed-model contrasts,
log-rank pairs, run comparisons) and for the calibration checks that apply it thousands of times."""

from __future__ import annotations

import numpy as np
from statsmodels.stats.multitest import multipletests


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm step-down over the last axis (no NaN), vectorised over families."""
    m = p.shape[-1]
    order = np.argsort(p, axis=-1)
    ps = np.take_along_axis(p, order, axis=-1)
    adj = np.minimum(np.maximum.accumulate((m - np.arange(m)) * ps, axis=-1), 1.0)
    out = np.empty_like(adj)
    np.put_along_axis(out, order, adj, axis=-1)
    return out


def adjust_pvalues(p, method: str = "holm") -> np.ndarray:
    """Adjust the finite p-values of one family with ``method`` (statsmodels multipletests name);
    NaN p-values (tests that could not be run) stay NaN and do not count towards the family size.

    A 2-D array of complete families (rows, no NaN) is adjusted row by row, vectorised for Holm.
    """
    p = np.asarray(p, float)
    if p.ndim == 2:
        if method == "holm" and np.isfinite(p).all():
            return _holm(p)
        return np.vstack([adjust_pvalues(row, method) for row in p])
    adj = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        adj[ok] = _holm(p[ok]) if method == "holm" else multipletests(p[ok], method=method)[1]
    return adj
