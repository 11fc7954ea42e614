"""Run figures: growth curves, spaghetti, pathway activity. They read only the tidy tables."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from .style import apply_style, arm_colour

LINE_TITLES = {"mcf7_vector": "MCF-7 vector", "mcf7_myr_akt": "MCF-7 myr-Akt"}


def _title(line: str) -> str:
    return LINE_TITLES.get(line, line)


def _arms_in_order(df: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(df["arm"]))


def growth_curves(measurements: pd.DataFrame, path: Path, endpoint_mm3: float | None = None,
                  labels: dict[str, str] | None = None) -> Path:
    """Mean +/- SEM caliper volume per arm over treatment days, one panel per cell line.

    Means at a day use the mice still on study that day (mice removed at endpoint drop out), and
    a curve stops when fewer than half of its arm's mice remain.
    """
    apply_style()
    labels = labels or {}
    treat = measurements[measurements["day"] >= 0]
    lines = list(dict.fromkeys(treat["cell_line"]))
    fig, axes = plt.subplots(1, len(lines), figsize=(6.2 * len(lines), 4.6), sharey=True,
                             squeeze=False)
    for ax, line in zip(axes[0], lines, strict=True):
        sub = treat[treat["cell_line"] == line]
        for arm in _arms_in_order(sub):
            g = sub[sub["arm"] == arm]
            n0 = g["mouse"].nunique()
            stats = g.groupby("day")["volume_mm3"].agg(["mean", "sem", "count"])
            stats = stats[stats["count"] >= max(2, n0 / 2)]
            colour = arm_colour(arm)
            ax.errorbar(stats.index, stats["mean"], yerr=stats["sem"].fillna(0), color=colour,
                        marker="o", ms=3.5, lw=1.8, capsize=2, label=f"{labels.get(arm, arm)} (n={n0})")
        if endpoint_mm3:
            ax.axhline(endpoint_mm3, color="0.5", ls=":", lw=1)
            ax.text(0.5, endpoint_mm3, " humane endpoint", va="bottom", fontsize=8, color="0.4")
        ax.set_title(_title(line))
        ax.set_xlabel("Days since randomisation")
        ax.set_ylim(bottom=0)
    axes[0][0].set_ylabel("Tumour volume, mean ± SEM (mm³)")
    axes[0][-1].legend(loc="upper left", fontsize=8, frameon=True)
    fig.suptitle("Xenograft growth by arm (caliper volume)")
    fig.savefig(path)
    plt.close(fig)
    return path


def spaghetti(measurements: pd.DataFrame, path: Path, labels: dict[str, str] | None = None) -> Path:
    """Every mouse's caliper volume on a log scale, take phase included, arms side by side."""
    apply_style()
    labels = labels or {}
    lines = list(dict.fromkeys(measurements["cell_line"]))
    arms = _arms_in_order(measurements)
    fig, axes = plt.subplots(len(lines), len(arms), figsize=(3.1 * len(arms), 2.8 * len(lines)),
                             sharex=True, sharey=True, squeeze=False)
    for i, line in enumerate(lines):
        for j, arm in enumerate(arms):
            ax = axes[i][j]
            g = measurements[(measurements["cell_line"] == line) & (measurements["arm"] == arm)]
            for _, mouse in g.groupby("mouse"):
                ax.plot(mouse["day"], mouse["volume_mm3"], color=arm_colour(arm), lw=0.9, alpha=0.8)
            ax.axvline(0, color="0.4", lw=0.8, ls="--")
            ax.set_yscale("log")
            if i == 0:
                ax.set_title(labels.get(arm, arm), fontsize=10)
            if j == 0:
                ax.set_ylabel(f"{_title(line)}\nvolume (mm³)")
            if i == len(lines) - 1:
                ax.set_xlabel("Days since randomisation")
    fig.suptitle("Individual tumours (dashed line: randomisation, start of treatment)")
    fig.savefig(path)
    plt.close(fig)
    return path


PATHWAY_READOUTS = (("mean_akt", "Akt activity"), ("mean_mtorc1", "mTORC1 activity"),
                    ("mean_er_activity", "ER transcriptional activity"))


def pathway(cells: pd.DataFrame, path: Path, labels: dict[str, str] | None = None) -> Path:
    """Mean Akt / mTORC1 / ER activity of viable cells per arm over time (rows: cell lines)."""
    apply_style()
    labels = labels or {}
    lines = list(dict.fromkeys(cells["cell_line"]))
    fig, axes = plt.subplots(len(lines), 3, figsize=(14, 3.4 * len(lines)), sharex=True,
                             squeeze=False)
    for i, line in enumerate(lines):
        sub = cells[cells["cell_line"] == line]
        for j, (col, name) in enumerate(PATHWAY_READOUTS):
            ax = axes[i][j]
            for arm in _arms_in_order(sub):
                g = sub[sub["arm"] == arm].groupby("day")[col].agg(["mean", "sem", "count"])
                g = g[g["count"] >= 2]
                ax.plot(g.index, g["mean"], color=arm_colour(arm), lw=1.8,
                        label=labels.get(arm, arm))
                ax.fill_between(g.index, g["mean"] - g["sem"].fillna(0),
                                g["mean"] + g["sem"].fillna(0), color=arm_colour(arm), alpha=0.2)
            ax.set_ylim(0, 1)
            ax.set_title(f"{_title(line)}: {name}", fontsize=10)
            if j == 0:
                ax.set_ylabel("Mean activity (0-1)")
            if i == len(lines) - 1:
                ax.set_xlabel("Days since randomisation")
    axes[0][-1].legend(fontsize=8, loc="lower right")
    fig.suptitle("Signalling in viable tumour cells (simulation readout)")
    fig.savefig(path)
    plt.close(fig)
    return path


def all_run_figures(tables: dict[str, pd.DataFrame], out: Path, endpoint_mm3: float,
                    labels: dict[str, str]) -> list[str]:
    """Write the three standard run figures; return their file names."""
    growth_curves(tables["measurements"], out / "growth_curves.png", endpoint_mm3, labels)
    spaghetti(tables["measurements"], out / "spaghetti.png", labels)
    pathway(tables["cells"], out / "pathway.png", labels)
    return ["growth_curves.png", "spaghetti.png", "pathway.png"]
