"""Trial figures: Kaplan-Meier of time to progression, spider plot of the summed lesion volume,
and who benefits (TTP against the share of Akt-activated cells). They read only the tidy tables."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from xenosim.core.style import apply_style, arm_colour
from xenosim.patients.survival import km_curve


def km_figure(patients: pd.DataFrame, arms_table: pd.DataFrame, hr_table: pd.DataFrame,
              labels: dict[str, str], path: Path, title: str = "") -> Path:
    """Kaplan-Meier curves of progression-free proportion per arm, with medians and HRs."""
    apply_style()
    fig, ax = plt.subplots(figsize=(6.8, 4.6))
    for arm in labels:
        g = patients[patients["arm"] == arm]
        if g.empty:
            continue
        km = km_curve(g["ttp_months"], g["progressed"])
        row = arms_table.set_index("arm").loc[arm]
        med = row["median_ttp_months"]
        med_txt = f"median {med:.1f} mo" if np.isfinite(med) else "median not reached"
        ax.step(km["time"], km["survival"], where="post", color=arm_colour(arm), lw=2,
                label=f"{labels[arm]} (n={len(g)}; {med_txt})")
        cens = g[~g["progressed"]]
        if len(cens):
            s_at = np.interp(cens["ttp_months"], km["time"], km["survival"])
            ax.plot(cens["ttp_months"], s_at, "|", color=arm_colour(arm), ms=8)
    ax.set_xlabel("Months since start of treatment")
    ax.set_ylabel("Progression-free (proportion)")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    text = [f"HR {labels.get(r.arm, r.arm)} vs {labels.get(r.reference, r.reference)}: "
            f"{r.hazard_ratio:.2f} (95% CI {r.hr_ci_low:.2f}-{r.hr_ci_high:.2f})"
            for r in hr_table.itertuples()]
    if text:
        ax.text(0.98, 0.6, "\n".join(text), transform=ax.transAxes, ha="right", va="top",
                fontsize=8.5, bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "0.8"})
    ax.legend(loc="upper right", fontsize=8.5, frameon=True)
    ax.set_title(title or "Time to progression (+20 % of summed lesion volume over nadir)",
                 fontsize=11)
    fig.savefig(path)
    plt.close(fig)
    return path


def spider_figure(scans: pd.DataFrame, labels: dict[str, str], threshold_pct: float,
                  path: Path, measure: str = "diameters") -> Path:
    """Per patient: % change from baseline of the sum the progression rule reads (lesion
    diameters, RECIST, or volumes), one panel per arm."""
    apply_style()
    arms = [a for a in labels if a in set(scans["arm"])]
    fig, axes = plt.subplots(1, len(arms), figsize=(5.2 * len(arms), 4.2), sharey=True,
                             sharex=True, squeeze=False)
    lo = max(-100.0, float(scans["change_from_baseline_pct"].min()) - 5)
    hi = min(400.0, float(scans["change_from_baseline_pct"].max()) + 10)
    for ax, arm in zip(axes[0], arms, strict=True):
        g = scans[scans["arm"] == arm]
        for _, p in g.groupby("patient"):
            ax.plot(p["month"], p["change_from_baseline_pct"], color=arm_colour(arm), lw=0.8,
                    alpha=0.45)
        ax.axhline(0, color="0.3", lw=0.8)
        ax.axhline(threshold_pct, color="0.4", ls=":", lw=1)
        ax.text(0.02, threshold_pct, f" +{threshold_pct:g} % (the rule: over the nadir)",
                fontsize=7.5,
                color="0.3", va="bottom", transform=ax.get_yaxis_transform())
        ax.set_title(f"{labels[arm]} (n={g['patient'].nunique()})", fontsize=10)
        ax.set_xlabel("Months since start of treatment")
        ax.set_ylim(lo, hi)
    what = "Sum of lesion diameters" if measure == "diameters" else "Summed lesion volume"
    axes[0][0].set_ylabel(f"{what},\n% change from baseline")
    fig.suptitle("Each line one patient, followed to progression or end of follow-up", fontsize=10)
    fig.savefig(path)
    plt.close(fig)
    return path


def benefit_figure(patients: pd.DataFrame, labels: dict[str, str], follow_up_months: float,
                   path: Path) -> Path:
    """TTP against the patient's share of Akt-activated tumour cells, per arm (censored open)."""
    apply_style()
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    rng = np.random.default_rng(0)  # jitter for display only
    for arm in labels:
        g = patients[patients["arm"] == arm]
        if g.empty:
            continue
        y = g["ttp_months"] + rng.uniform(-0.25, 0.25, len(g))
        ev = g["progressed"].to_numpy(bool)
        ax.scatter(g["akt_activated_fraction"][ev], y[ev], s=16, color=arm_colour(arm),
                   label=f"{labels[arm]}: progressed", alpha=0.8)
        ax.scatter(g["akt_activated_fraction"][~ev], y[~ev], s=20, facecolors="none",
                   edgecolors=arm_colour(arm), label=f"{labels[arm]}: censored", alpha=0.8)
    ax.set_xlabel("Share of Akt-activated tumour cells at baseline (fraction)")
    ax.set_ylabel("Time to progression (months)")
    ax.set_ylim(0, follow_up_months * 1.05)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title("Who benefits: pathway activation vs time to progression", fontsize=11)
    fig.savefig(path)
    plt.close(fig)
    return path


def pathway_figure(scans: pd.DataFrame, labels: dict[str, str], path: Path) -> Path:
    """Median Akt, mTORC1 and ER activity of viable tumour cells per arm over time."""
    apply_style()
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for ax, (col, name) in zip(axes, (("mean_akt", "Akt"), ("mean_mtorc1", "mTORC1"),
                                      ("mean_er_activity", "ER activity")), strict=True):
        for arm in labels:
            g = scans[scans["arm"] == arm]
            if g.empty:
                continue
            m = g.groupby("month")[col].agg(["median", "count"])
            m = m[m["count"] >= 5]
            ax.plot(m.index, m["median"], marker="o", ms=3, color=arm_colour(arm),
                    label=labels[arm])
        ax.set_xlabel("Months since start of treatment")
        ax.set_ylabel(f"{name} (relative activity, 0-1)")
        ax.set_ylim(0, 1)
    axes[0].legend(fontsize=8)
    fig.suptitle("Pathway state of patients still on study (median over patients; >=5 patients)",
                 fontsize=10)
    fig.savefig(path)
    plt.close(fig)
    return path
