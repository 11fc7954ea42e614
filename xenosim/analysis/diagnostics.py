"""Diagnostics of the growth-rate mixed model: residuals, per-mouse random effects and which mice
move the answer (Cook's distance per mouse).

The model's fixed effects are the generalised-least-squares estimate given the fitted variance
components, β̂ = (Σ X_iᵀ V_i⁻¹ X_i)⁻¹ Σ X_iᵀ V_i⁻¹ y_i with V_i = Z_i G Z_iᵀ + σ² I. Deleting
mouse i with G and σ² held fixed gives β̂₍ᵢ₎ exactly, and Cook's distance for a cluster,
D_i = (β̂ − β̂₍ᵢ₎)ᵀ M (β̂ − β̂₍ᵢ₎) / p with M = Σ X_jᵀ V_j⁻¹ X_j (Christensen, Pearson & Johnson,
Ann Stat 1992;20:1191; Demidenko & Stukel, Stat Med 2005;24:893). The same deletion gives the
change in the mouse's own arm growth rate. D_i > 4 / n_mice is the usual flag.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _blocks(groups: np.ndarray):
    """Row indices of each mouse, in order of first appearance."""
    codes, uniq = pd.factorize(groups)
    return [(uniq[k], np.flatnonzero(codes == k)) for k in range(len(uniq))]


def mouse_influence(x: np.ndarray, y: np.ndarray, z: np.ndarray, groups: np.ndarray,
                    cov_re: np.ndarray, scale: float, arm_of: dict, slope_of: dict) -> pd.DataFrame:
    """Per mouse: Cook's distance (variance components fixed) and the change in its own arm's
    growth rate (per day) when the mouse is left out. ``slope_of[arm]`` maps β to that arm's
    growth rate per day; ``z`` is the random-effects design (columns of G)."""
    p = x.shape[1]
    parts = []
    for mouse, idx in _blocks(groups):
        zi = z[idx]
        vinv = np.linalg.inv(zi @ cov_re @ zi.T + scale * np.eye(len(idx)))
        parts.append((mouse, x[idx].T @ vinv @ x[idx], x[idx].T @ vinv @ y[idx]))
    m_all = sum(m for _, m, _ in parts)
    u_all = sum(u for _, _, u in parts)
    beta = np.linalg.solve(m_all, u_all)
    rows = []
    for mouse, mi, ui in parts:
        m_del = m_all - mi
        if np.linalg.matrix_rank(m_del) < p:  # the mouse is its arm's only one
            d, change = np.nan, np.nan
        else:
            delta = beta - np.linalg.solve(m_del, u_all - ui)
            d = float(delta @ m_all @ delta / p)
            change = float(-slope_of[arm_of[mouse]] @ delta)
        rows.append({"mouse": mouse, "arm": arm_of[mouse], "cooks_distance": d,
                     "arm_rate_change_per_day": change})
    return pd.DataFrame(rows)


def random_effects_table(random_effects: dict, arm_of: dict, time_scale_days: float) -> pd.DataFrame:
    """Per mouse: predicted random intercept (ln mm³) and slope (per day) from the fitted model."""
    rows = []
    for mouse, re in random_effects.items():
        v = np.asarray(re, float)
        rows.append({"mouse": mouse, "arm": arm_of[mouse], "re_intercept": float(v[0]),
                     "re_slope_per_day": float(v[1]) / time_scale_days if len(v) > 1 else 0.0})
    return pd.DataFrame(rows)


def influence_table(models: dict) -> pd.DataFrame:
    """Every cell line's per-mouse random effects and influence in one table (sorted by line
    order, then Cook's distance, largest first), with the 4 / n_mice flag."""
    parts = []
    for cl, m in models.items():
        t = getattr(m, "mouse_effects", None)
        if t is None or t.empty:
            continue
        t = t.assign(cell_line=cl, influential=t["cooks_distance"] > 4.0 / max(len(t), 1))
        parts.append(t.sort_values("cooks_distance", ascending=False, na_position="last"))
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    return out[["cell_line", "mouse", "arm", "re_intercept", "re_slope_per_day",
                "cooks_distance", "arm_rate_change_per_day", "influential"]]
