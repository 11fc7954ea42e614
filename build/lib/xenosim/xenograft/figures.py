"""Run figures: growth curves, spaghetti, pathway activity. They read only the tidy tables."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from xenosim.core.style import apply_style, arm_colour

LINE_TITLES = {"mcf7_vector": "MCF-7 vector", "mcf7_myr_akt": "MCF-7 myr-Akt"}


def _title(line: str) -> str:
    return LINE_TITLES.get(line, line)


def _arms_in_order(df: pd.DataFrame, labels: dict[str, str] | None = None) -> list[str]:
    """Arms in config order (the order of ``labels``), then any others as they appear."""
    present = list(dict.fromkeys(df["arm"]))
    ordered = [a for a in (labels or {}) if a in present]
    return ordered + [a for a in present if a not in ordered]


def _lines_in_order(df: pd.DataFrame) -> list[str]:
    present = list(dict.fromkeys(df["cell_line"]))
    known = [line for line in LINE_TITLES if line in present]
    return known + [line for line in present if line not in known]


def growth_curves(measurements: pd.DataFrame, path: Path, endpoint_mm3: float | None = None,
                  labels: dict[str, str] | None = None) -> Path:
    """Mean +/- SEM caliper volume per arm over treatment days, one panel per cell line.

    Means at a day use the mice still on study that day (mice removed at endpoint drop out), and
    a curve stops when fewer than half of its arm's mice remain.
    """
    apply_style()
    labels = labels or {}
    treat = measurements[measurements["day"] >= 0]
    lines = _lines_in_order(treat)
    fig, axes = plt.subplots(1, len(lines), figsize=(6.2 * len(lines), 4.6), sharey=True,
                             squeeze=False)
    top_mm3 = endpoint_mm3 or 0.0
    for ax, line in zip(axes[0], lines, strict=True):
        sub = treat[treat["cell_line"] == line]
        for arm in _arms_in_order(sub, labels):
            g = sub[sub["arm"] == arm]
            n0 = g["mouse"].nunique()
            stats = g.groupby("day")["volume_mm3"].agg(["mean", "sem", "count"])
            stats = stats[stats["count"] >= max(2, n0 / 2)]
            colour = arm_colour(arm)
            ax.errorbar(stats.index, stats["mean"], yerr=stats["sem"].fillna(0), color=colour,
                        marker="o", ms=3.5, lw=1.8, capsize=2, label=f"{labels.get(arm, arm)} (n={n0})")
            top_mm3 = max(top_mm3, float((stats["mean"] + stats["sem"].fillna(0)).max()))
        if endpoint_mm3:
            ax.axhline(endpoint_mm3, color="0.5", ls=":", lw=1)
            ax.text(0.5, endpoint_mm3, " humane endpoint", va="bottom", fontsize=8, color="0.4")
        ax.set_title(_title(line))
        ax.set_xlabel("Days since randomisation")
    # shared y axis: the limit is set once, from every panel (a per-panel limit clips the others)
    axes[0][0].set_ylim(0, 1.05 * top_mm3 if top_mm3 > 0 else None)
    axes[0][0].set_ylabel("Tumour volume, mean ± SEM (mm³)")
    handles, names = axes[0][0].get_legend_handles_labels()
    # hung below the figure (the saved bbox is tight), so a second legend row never covers labels
    fig.legend(handles, [n.rsplit(" (n=", 1)[0] for n in names], loc="upper center",
               ncol=min(len(names), 5), fontsize=9, frameon=False, bbox_to_anchor=(0.5, 0.0))
    fig.suptitle("Xenograft growth by arm (caliper volume)")
    fig.savefig(path)
    plt.close(fig)
    return path


def spaghetti(measurements: pd.DataFrame, path: Path, labels: dict[str, str] | None = None) -> Path:
    """Every mouse's caliper volume on a log scale, take phase included, arms side by side."""
    apply_style()
    labels = labels or {}
    lines = _lines_in_order(measurements)
    arms = _arms_in_order(measurements, labels)
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


LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)))
PATHWAY_READOUTS = (("mean_akt", "Akt activity"), ("mean_mtorc1", "mTORC1 activity"),
                    ("mean_er_activity", "ER transcriptional activity"))


def pathway(cells: pd.DataFrame, path: Path, labels: dict[str, str] | None = None) -> Path:
    """Mean Akt / mTORC1 / ER activity of viable cells per arm over time (rows: cell lines)."""
    apply_style()
    labels = labels or {}
    lines = _lines_in_order(cells)
    fig, axes = plt.subplots(len(lines), 3, figsize=(14, 3.4 * len(lines)), sharex=True,
                             squeeze=False)
    for i, line in enumerate(lines):
        sub = cells[cells["cell_line"] == line]
        for j, (col, name) in enumerate(PATHWAY_READOUTS):
            ax = axes[i][j]
            for k, arm in enumerate(_arms_in_order(sub, labels)):
                g = sub[sub["arm"] == arm].groupby("day")[col].agg(["mean", "sem", "count"])
                g = g[g["count"] >= 2]
                # drug arms often share a curve with another arm: vary the dash so both show
                ax.plot(g.index, g["mean"], color=arm_colour(arm), lw=2.0, alpha=0.9,
                        ls=LINESTYLES[k % len(LINESTYLES)], label=labels.get(arm, arm))
                ax.fill_between(g.index, g["mean"] - g["sem"].fillna(0),
                                g["mean"] + g["sem"].fillna(0), color=arm_colour(arm), alpha=0.2)
            ax.set_ylim(0, 1)
            ax.set_title(f"{_title(line)}: {name}", fontsize=10)
            if j == 0:
                ax.set_ylabel("Mean activity (0-1)")
            if i == len(lines) - 1:
                ax.set_xlabel("Days since randomisation")
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, names, loc="upper center", ncol=min(len(names), 5), fontsize=9,
               frameon=False, bbox_to_anchor=(0.5, 0.0))
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
