"""Synthetic caliper studies with a known answer, for tests, demos and checking the statistics.

Tumours grow exponentially from randomisation with a per-mouse rate drawn around the arm's true
rate; calipers add lognormal noise; a mouse is removed at its first measurement at or above the
endpoint. Cell-state columns (``cells.csv``) are plausible placeholders, not biology: use a real
xenosim run for mechanism questions.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd


def simulate_study(
    rates: dict[tuple[str, str], float],
    *,
    n_per_arm: int | dict[tuple[str, str], int] = 8,
    days=None,
    take_days=(-14.0, -7.0),
    v0_mean_mm3: float = 150.0,
    v0_cv: float = 0.2,
    rate_sd: float = 0.005,
    noise_sd: float = 0.1,
    take_rate: float = 0.08,
    endpoint_volume_mm3: float = 1500.0,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Simulate ``(measurements, mice, cells)`` for arms keyed by ``(cell_line, arm)``.

    ``rates`` are true mean specific growth rates (per day); each mouse's rate is
    N(rate, ``rate_sd``); measured volume = true volume · exp(N(0, ``noise_sd``)).
    """
    rng = np.random.default_rng(seed)
    days = np.arange(0.0, 29.0, 3.5) if days is None else np.asarray(days, float)
    meas, mice, cells = [], [], []
    for (cl, arm), rate in rates.items():
        n = n_per_arm[(cl, arm)] if isinstance(n_per_arm, dict) else n_per_arm
        for i in range(n):
            mouse = f"{cl}-{arm}-{i:02d}"
            v0 = v0_mean_mm3 * np.exp(rng.normal(0, v0_cv) - v0_cv**2 / 2)
            r = rate + rng.normal(0, rate_sd)
            aspect = rng.uniform(1.2, 1.8)
            all_days = np.concatenate([np.asarray(take_days, float), days])
            growth = np.where(all_days < 0, take_rate, r)
            true_v = v0 * np.exp(growth * all_days)
            obs_v = true_v * np.exp(rng.normal(0, noise_sd, len(all_days)))
            last, event = float(days[-1]), "study_end"
            for d, tv, ov in zip(all_days, true_v, obs_v, strict=True):
                w = (2 * ov / aspect) ** (1 / 3)
                length = aspect * w
                meas.append(
                    dict(mouse=mouse, cell_line=cl, arm=arm, day=float(d),
                         length_mm=length, width_mm=w, volume_mm3=length * w * w / 2,
                         true_volume_mm3=tv)
                )
                cells.append(_cells_row(mouse, cl, arm, float(d), tv, rng))
                if d >= 0 and ov >= endpoint_volume_mm3:
                    last, event = float(d), "endpoint"
                    break
            mice.append(
                dict(mouse=mouse, cell_line=cl, arm=arm, enrolment_volume_mm3=obs_v[len(take_days)],
                     last_day=last, event=event)
            )
    return pd.DataFrame(meas), pd.DataFrame(mice), pd.DataFrame(cells)


def _cells_row(mouse, cl, arm, day, volume, rng) -> dict:
    """Placeholder cell-state summary whose shares sum to the mean ER activity."""
    treated = day >= 0
    tam = treated and "tamoxifen" in arm
    rapalog = treated and "cci779" in arm
    withdrawn = treated and arm == "estrogen_withdrawal"
    akt = 0.8 if "akt" in cl else 0.3
    mtor = akt * (0.2 if rapalog else 1.0)
    e2 = 0.05 if (tam or withdrawn) else 0.6
    tam_share = 0.08 if tam else 0.0
    ser167 = 0.25 * mtor + 0.05 * akt
    jitter = lambda s: max(s * np.exp(rng.normal(0, 0.05)), 0.0)  # noqa: E731
    e2, tam_share, ser167 = jitter(e2), jitter(tam_share), jitter(ser167)
    n_agents = int(max(volume, 1) * 20)
    return dict(
        mouse=mouse, cell_line=cl, arm=arm, day=day, n_agents=n_agents,
        n_cycling=int(n_agents * 0.4), n_quiescent=int(n_agents * 0.4),
        n_apoptotic=int(n_agents * 0.05), n_necrotic=int(n_agents * 0.15),
        mean_akt=akt, mean_mtorc1=mtor, mean_s6k1=mtor * 0.9,
        mean_er_activity=e2 + tam_share + ser167, er_share_e2=e2, er_share_tamoxifen=tam_share,
        er_share_ser167=ser167, frac_mtorc1_high=min(jitter(mtor * 0.7), 1.0),
        frac_er_high=min(jitter((e2 + tam_share + ser167) * 0.8), 1.0),
    )


def write_results_dir(
    path: str | Path,
    measurements: pd.DataFrame,
    mice: pd.DataFrame,
    cells: pd.DataFrame | None = None,
    *,
    experiment: str = "synthetic",
    endpoint_volume_mm3: float = 1500.0,
) -> Path:
    """Write tables in the xenosim results-directory layout (for tests and demos)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    measurements.to_csv(path / "measurements.csv", index=False)
    mice.to_csv(path / "mice.csv", index=False)
    if cells is not None:
        cells.to_csv(path / "cells.csv", index=False)
    (path / "manifest.json").write_text(
        json.dumps({"experiment": experiment, "endpoint_volume_mm3": endpoint_volume_mm3,
                    "synthetic": True}, indent=2)
    )
    return path


def simulate_arm_rates(
    true_rates: dict[str, float],
    *,
    n_per_arm: int,
    n_reps: int,
    days=None,
    rate_sd: float = 0.01,
    noise_sd: float = 0.1,
    v0_cv: float = 0.2,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Fitted growth rates of ``n_reps`` simulated studies at once: arm → array (rep, mouse).

    Each mouse grows exponentially from a lognormal start with rate N(true rate, ``rate_sd``);
    each caliper reading adds N(0, ``noise_sd``) to ln V; the rate is the OLS slope of ln V on
    day over ``days`` (as ``stats.mouse_growth_rates`` fits it), vectorised for calibration
    checks that need thousands of replicates.
    """
    days = np.arange(0.0, 29.0, 3.5) if days is None else np.asarray(days, float)
    tc = days - days.mean()
    out = {}
    for arm, rate in true_rates.items():
        shape = (n_reps, n_per_arm)
        r = rate + rng.normal(0.0, rate_sd, shape)
        y0 = np.log(150.0) + rng.normal(0.0, v0_cv, shape)
        y = y0[..., None] + r[..., None] * days + rng.normal(0.0, noise_sd, (*shape, len(days)))
        out[arm] = (y * tc).sum(axis=-1) / (tc * tc).sum()
    return out
