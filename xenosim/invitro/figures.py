"""In vitro figures: growth curves, dose-response fits, synergy maps, reporter and apoptosis bars.

They read only the result tables (and the fit objects for the fitted curves).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.colors import TwoSlopeNorm

from ..figures import LINE_TITLES
from ..style import apply_style
from .analysis import InVitroTables, combination_pairs, readout_column
from .config import CONCENTRATION_KEYS, InVitroExperiment, short_label

MEDIUM_TITLES = {"full": "full medium (FBS + phenol red)",
                 "stripped": "charcoal-stripped, phenol-red-free"}


def _line(line: str) -> str:
    return LINE_TITLES.get(line, line)


def _medium(m: str) -> str:
    return MEDIUM_TITLES.get(m, m)


def _palette(n: int) -> list:
    return sns.color_palette("colorblind", max(n, 1)) if n <= 10 else \
        sns.color_palette("viridis", n)


def _order(values, wanted) -> list:
    present = list(dict.fromkeys(values))
    return [v for v in wanted if v in present] + [v for v in present if v not in wanted]


# ---- growth curves ------------------------------------------------------------------------------
def growth_curves(exp: InVitroExperiment, wells: pd.DataFrame, plate: str, path: Path) -> Path:
    """Mean +/- SD cell count per condition over days (log scale); rows: media, cols: lines."""
    apply_style()
    d = wells[wells["plate"] == plate]
    lines = _order(d["cell_line"], exp.cell_lines)
    media = _order(d["medium"], exp.plates[plate].media)
    conds = list(dict.fromkeys(d["condition"]))
    colours = dict(zip(conds, _palette(len(conds)), strict=True))
    fig, axes = plt.subplots(len(media), len(lines), figsize=(5.2 * len(lines), 3.9 * len(media)),
                             sharex=True, sharey=True, squeeze=False)
    for i, medium in enumerate(media):
        for j, line in enumerate(lines):
            ax = axes[i][j]
            sub = d[(d["medium"] == medium) & (d["cell_line"] == line)]
            for cond in conds:
                g = sub[sub["condition"] == cond].groupby("day")["cell_count"].agg(["mean", "std"])
                if g.empty:
                    continue
                ax.errorbar(g.index, g["mean"], yerr=g["std"].fillna(0), marker="o", ms=4,
                            lw=1.8, capsize=2, color=colours[cond], label=cond)
            ax.set_yscale("log")
            ax.set_title(f"{_line(line)}\n{_medium(medium)}", fontsize=10)
            if i == len(media) - 1:
                ax.set_xlabel("Days of treatment")
            if j == 0:
                ax.set_ylabel("Cells per well (mean ± SD)")
    handles, names = [], []
    for ax in axes.flat:
        for h, n in zip(*ax.get_legend_handles_labels(), strict=True):
            if n not in names:
                handles.append(h)
                names.append(n)
    fig.legend(handles, names, loc="lower center", ncol=min(len(names), 4), fontsize=9,
               frameon=False, bbox_to_anchor=(0.5, -0.02 - 0.025 * ((len(names) - 1) // 4)))
    fig.suptitle(f"Proliferation: {exp.plates[plate].description or plate}", fontsize=12)
    fig.tight_layout(rect=(0, 0.04 + 0.025 * ((len(names) - 1) // 4), 1, 1))
    fig.savefig(path)
    plt.close(fig)
    return path


# ---- dose-response -------------------------------------------------------------------------------
def dose_response(exp: InVitroExperiment, tables: InVitroTables, plate: str, axis: str,
                  path: Path) -> Path:
    """Relative response vs dose with the 4PL fits; one panel per line x medium, one curve per
    level of the other drug(s)."""
    apply_style()
    dr = tables.dose_response
    dr = dr[(dr["plate"] == plate) & (dr["drug"] == axis)]
    from .analysis import relative_response

    d = relative_response(exp, tables.wells, plate, axis)
    lines = _order(dr["cell_line"], exp.cell_lines)
    media = _order(dr["medium"], exp.plates[plate].media)
    backgrounds = list(dict.fromkeys(dr["background"]))
    colours = dict(zip(backgrounds, _palette(len(backgrounds)), strict=True))
    unit = CONCENTRATION_KEYS[axis][1]
    pos = d.loc[d[axis] > 0, axis]
    x_zero = pos.min() / 10.0  # vehicle plotted one decade left of the lowest dose
    xs = np.logspace(np.log10(pos.min()), np.log10(pos.max()), 200)
    readout = readout_column(exp, plate)
    ylab = ("Cell number, fraction of vehicle" if readout == "cell_count"
            else "ERE reporter, fraction of vehicle")
    fig, axes = plt.subplots(len(media), len(lines), figsize=(5.4 * len(lines), 4.2 * len(media)),
                             sharex=True, sharey=True, squeeze=False)
    others = [k for k in exp.plates[plate].drug_keys() if k != axis]
    for i, medium in enumerate(media):
        for j, line in enumerate(lines):
            ax = axes[i][j]
            rows = dr[(dr["cell_line"] == line) & (dr["medium"] == medium)]
            for _, r in rows.iterrows():
                levels = tuple(float(r[k]) for k in others)
                g = d[(d["cell_line"] == line) & (d["medium"] == medium)]
                for k, v in zip(others, levels, strict=True):
                    g = g[g[k] == v]
                stats_ = g.groupby(axis)["relative"].agg(["mean", "std"])
                xplot = np.where(stats_.index > 0, stats_.index, x_zero)
                c = colours[r["background"]]
                fit = tables.fits.get((plate, line, medium, axis, levels))
                label = f"+ {r['background']}" if r["background"] != "none" else "alone"
                if fit is not None and fit.status.startswith("ok"):
                    ax.plot(xs, fit.curve(xs), color=c, lw=1.8)
                    if np.isfinite(fit.ic50_abs) and pos.min() <= fit.ic50_abs <= pos.max() * 10:
                        ax.plot([fit.ic50_abs], [0.5], marker="v", color=c, ms=7, mec="k", mew=0.5)
                    if readout == "cell_count" and fit.bottom < fit.top:
                        label += (f": IC50 {_fmt_ic50(fit.ic50_abs, pos.max())} {unit}"
                                  if np.isfinite(fit.ic50_abs) else f": IC50 > {pos.max():g} {unit}")
                    else:
                        label += f": EC50 {fit.ec50:.2g} {unit}"
                ax.errorbar(xplot, stats_["mean"], yerr=stats_["std"].fillna(0), fmt="o", ms=4,
                            color=c, capsize=2, label=label)
            ax.set_xscale("log")
            ax.axhline(1.0, color="0.6", lw=0.8, ls=":")
            if readout == "cell_count":
                ax.axhline(0.5, color="0.6", lw=0.8, ls="--")
            ax.axvline(np.sqrt(x_zero * pos.min()), color="0.75", lw=0.8)
            ax.set_title(f"{_line(line)} · {_medium(medium)}", fontsize=10)
            ax.legend(fontsize=8, loc="best", frameon=True)
            ticks = [x_zero] + [t for t in 10.0 ** np.arange(-6, 7) if pos.min() <= t <= pos.max()]
            ax.set_xticks(ticks)
            ax.set_xticklabels(["0"] + [f"{t:g}" for t in ticks[1:]])
            ax.minorticks_off()
            if i == len(media) - 1:
                ax.set_xlabel(f"{short_label(axis)} ({unit}; 0 = vehicle)")
            if j == 0:
                ax.set_ylabel(ylab)
    ax0 = axes[0][0]
    ax0.set_ylim(bottom=min(0.0, ax0.get_ylim()[0]))
    day = exp.plates[plate].final_day()
    fig.suptitle(f"{short_label(axis)} dose-response, day {day:g} "
                 f"(points: mean ± SD of wells; lines: 4PL fits; ▼: IC50)", fontsize=11)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _fmt_ic50(v: float, max_dose: float) -> str:
    return f"{v:.2g}" if v <= max_dose else f"{v:.2g} (extrapolated)"


# ---- synergy ------------------------------------------------------------------------------------
def synergy_maps(exp: InVitroExperiment, tables: InVitroTables, plate: str, a: str, b: str,
                 path: Path) -> Path:
    """Per line x medium: observed inhibition and Bliss excess over the dose matrix."""
    apply_style()
    s = tables.synergy
    s = s[(s["plate"] == plate) & (s["drug_a"] == a) & (s["drug_b"] == b)]
    groups = list(dict.fromkeys(zip(s["cell_line"], s["medium"], strict=True)))
    fig, axes = plt.subplots(len(groups), 2, figsize=(12, 3.6 * len(groups)), squeeze=False)
    vmax = max(0.05, float(np.nanmax(np.abs(s["bliss_excess"])))) if len(s) else 0.1
    for i, (line, medium) in enumerate(groups):
        g = s[(s["cell_line"] == line) & (s["medium"] == medium)]
        inh = g.pivot(index="dose_b", columns="dose_a", values="inhibition_ab").sort_index(
            ascending=False)
        ex = g.pivot(index="dose_b", columns="dose_a", values="bliss_excess").sort_index(
            ascending=False)
        for ax, mat, title, kw in (
            (axes[i][0], inh, "observed inhibition (1 − fraction of vehicle)",
             dict(cmap="Blues", vmin=0, vmax=1)),
            (axes[i][1], ex, "Bliss excess (> 0 synergy, < 0 antagonism)",
             dict(cmap="RdBu_r", norm=TwoSlopeNorm(0, -vmax, vmax))),
        ):
            sns.heatmap(mat, ax=ax, annot=True, fmt=".2f", annot_kws={"fontsize": 7},
                        cbar=True, linewidths=0.3, **kw)
            ax.set_title(f"{_line(line)} · {_medium(medium)}\n{title}", fontsize=10)
            ax.set_xlabel(f"{short_label(a)} ({CONCENTRATION_KEYS[a][1]})")
            ax.set_ylabel(f"{short_label(b)} ({CONCENTRATION_KEYS[b][1]})")
            ax.set_xticklabels([f"{float(t.get_text()):g}" for t in ax.get_xticklabels()],
                               rotation=0, fontsize=8)
            ax.set_yticklabels([f"{float(t.get_text()):g}" for t in ax.get_yticklabels()],
                               rotation=0, fontsize=8)
    day = exp.plates[plate].final_day()
    fig.suptitle(f"{short_label(a)} × {short_label(b)} combination, day {day:g}", fontsize=12)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


# ---- reporter and apoptosis bars ------------------------------------------------------------------
def reporter_bars(exp: InVitroExperiment, tables: InVitroTables, plate: str, path: Path) -> Path:
    """ERE-reporter fold over vehicle (95 % CI) per condition; panels: media, bars: lines."""
    apply_style()
    r = tables.reporter[tables.reporter["plate"] == plate]
    day = r["day"].max()
    r = r[r["day"] == day]
    media = _order(r["medium"], exp.plates[plate].media)
    lines = _order(r["cell_line"], exp.cell_lines)
    conds = list(dict.fromkeys(r["condition"]))
    colours = dict(zip(lines, _palette(len(lines)), strict=True))
    fig, axes = plt.subplots(1, len(media), figsize=(max(6.0, 0.9 * len(conds) * len(lines)) *
                                                     len(media) / max(1, len(media)) + 1, 4.6),
                             sharey=True, squeeze=False)
    width = 0.8 / len(lines)
    for ax, medium in zip(axes[0], media, strict=True):
        for k, line in enumerate(lines):
            g = r[(r["medium"] == medium) & (r["cell_line"] == line)].set_index("condition")
            g = g.reindex(conds)
            x = np.arange(len(conds)) + (k - (len(lines) - 1) / 2) * width
            err = np.vstack([g["fold_vs_vehicle"] - g["fold_lo"], g["fold_hi"] - g["fold_vs_vehicle"]])
            ax.bar(x, g["fold_vs_vehicle"], width=width * 0.95, color=colours[line],
                   label=_line(line))
            ax.errorbar(x, g["fold_vs_vehicle"], yerr=np.nan_to_num(err), fmt="none", ecolor="k",
                        capsize=2, lw=0.8)
        ax.axhline(1.0, color="0.3", lw=0.8, ls=":")
        ax.set_yscale("log")
        ax.set_xticks(np.arange(len(conds)))
        ax.set_xticklabels(conds, rotation=35, ha="right", fontsize=8)
        ax.set_title(_medium(medium), fontsize=10)
    axes[0][0].set_ylabel("ERE-luciferase, fold over vehicle (log)")
    axes[0][0].legend(fontsize=8)
    fig.suptitle(f"ERα transcriptional activity (ERE reporter), day {day:g} "
                 f"(geometric mean, 95% CI)", fontsize=11)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def apoptosis_bars(exp: InVitroExperiment, tables: InVitroTables, plate: str, path: Path) -> Path:
    """Apoptotic fraction at the last count day per condition (mean of wells)."""
    apply_style()
    g = tables.growth[tables.growth["plate"] == plate]
    media = _order(g["medium"], exp.plates[plate].media)
    lines = _order(g["cell_line"], exp.cell_lines)
    conds = list(dict.fromkeys(g["condition"]))
    colours = dict(zip(lines, _palette(len(lines)), strict=True))
    fig, axes = plt.subplots(1, len(media), figsize=(max(5.0, 0.8 * len(conds) * len(lines)) + 1,
                                                     4.2), sharey=True, squeeze=False)
    width = 0.8 / len(lines)
    for ax, medium in zip(axes[0], media, strict=True):
        for k, line in enumerate(lines):
            s = g[(g["medium"] == medium) & (g["cell_line"] == line)].set_index("condition")
            s = s.reindex(conds)
            x = np.arange(len(conds)) + (k - (len(lines) - 1) / 2) * width
            ax.bar(x, 100 * s["fraction_apoptotic_last_mean"], width=width * 0.95,
                   color=colours[line], label=_line(line))
        ax.set_xticks(np.arange(len(conds)))
        ax.set_xticklabels(conds, rotation=35, ha="right", fontsize=8)
        ax.set_title(_medium(medium), fontsize=10)
    axes[0][0].set_ylabel("Apoptotic cells (% of cells in well)")
    axes[0][0].legend(fontsize=8)
    last = exp.plates[plate].days[-1]
    fig.suptitle(f"Apoptosis (annexin V-like readout), day {last:g}", fontsize=11)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def all_figures(exp: InVitroExperiment, tables: InVitroTables, out: Path) -> list[str]:
    """Write every figure the design supports; return file names."""
    written = []
    for pname, plate in exp.plates.items():
        if len(plate.days) >= 3:
            written.append(growth_curves(exp, tables.wells, pname, out / f"growth_{pname}.png").name)
            if len(plate.condition_list()) <= 12:
                written.append(apoptosis_bars(exp, tables, pname,
                                              out / f"apoptosis_{pname}.png").name)
        dr = tables.dose_response
        for axis in (dict.fromkeys(dr.loc[dr["plate"] == pname, "drug"]) if len(dr) else []):
            name = f"dose_response_{pname}_{axis}.png"
            written.append(dose_response(exp, tables, pname, axis, out / name).name)
        syn = tables.synergy
        for a, b in combination_pairs(exp, pname):
            if len(syn) and ((syn["plate"] == pname) & (syn["drug_a"] == a)
                             & (syn["drug_b"] == b)).any():
                name = f"synergy_{pname}_{a}_x_{b}.png"
                written.append(synergy_maps(exp, tables, pname, a, b, out / name).name)
        if plate.assay == "reporter" and len(tables.reporter):
            written.append(reporter_bars(exp, tables, pname, out / f"reporter_{pname}.png").name)
    return written
