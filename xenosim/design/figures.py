"""The power curve: power vs mice per arm, one line per statistic, Monte-Carlo error bars."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

LABELS = {"mixed_rate": "mixed model, growth-rate contrast", "welch_rate": "Welch, per-mouse rates",
          "tc_end": "T/C at study end (log RTV)", "logrank": "log-rank, time to endpoint",
          "bliss": "Bliss excess (synergy)", "hsa": "HSA excess"}


def power_curve(oc: pd.DataFrame, path: Path, title: str, target: float = 0.8,
                alpha: float = 0.05) -> Path:
    """Write the power-curve PNG (error bars = ±1.96 Monte-Carlo SE)."""
    fig, ax = plt.subplots(figsize=(7.5, 4.6), dpi=110)
    for i, (stat, g) in enumerate(oc.groupby("statistic", sort=False)):
        g = g.sort_values("n_per_arm")
        x = g["n_per_arm"] + (i - 2.5) * 0.08  # dodge so error bars do not overlap
        ax.errorbar(x, g["power"], yerr=1.96 * g["power_mc_se"], marker="o", ms=4, capsize=3,
                    label=LABELS.get(stat, stat))
    ax.axhline(target, color="grey", ls="--", lw=1)
    ax.text(ax.get_xlim()[0], target + 0.01, f" target {target:.0%}", color="grey", fontsize=8)
    ax.axhline(alpha, color="grey", ls=":", lw=1)
    ax.set_xlabel("mice per arm (randomised)")
    ax.set_ylabel(f"power (p < {alpha:g})")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xticks(sorted(oc["n_per_arm"].unique()))
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="center right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
