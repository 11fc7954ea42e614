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
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from xenosim.core.drugs import DRUGS
from xenosim.core.style import apply_style, arm_colour
from xenosim.invitro.analysis import DRUG_COLUMNS, InVitroTables, combination_pairs, readout_column
from xenosim.invitro.config import CONCENTRATION_KEYS, InVitroExperiment, short_label
from xenosim.xenograft.figures import LINE_TITLES

MEDIUM_TITLES = {"full": "full medium (FBS + phenol red)",
                 "stripped": "charcoal-stripped, phenol-red-free"}


def _line(line: str) -> str:
    return LINE_TITLES.get(line, line)


def _medium(m: str) -> str:
    return MEDIUM_TITLES.get(m, m)


#: Treatment classes without a xenograft arm of their own (estradiol added to the medium).
EXTRA_CLASS_COLOURS = {"estradiol": "#d55e00"}


def _class_colour(cls: str) -> str:
    return EXTRA_CLASS_COLOURS.get(cls) or arm_colour(cls)


def treatment_class(conc: dict[str, float]) -> str:
    """The xenograft arm a condition corresponds to, so wells and mice share colours
    (xenosim.core.style): vehicle -> control, 4-OHT / tamoxifen -> tamoxifen, an mTORC1 inhibitor ->
    cci779, both -> tamoxifen+cci779; estradiol alone -> estradiol."""
    anti = any(conc.get(k, 0) > 0 for k in ("oht_nM", "tamoxifen_nM"))
    mtor = any(v > 0 for k, v in conc.items()
               if CONCENTRATION_KEYS.get(k, ("",))[0] in DRUGS
               and DRUGS[CONCENTRATION_KEYS[k][0]].target == "mtorc1")
    if anti and mtor:
        return "tamoxifen+cci779"
    if anti:
        return "tamoxifen"
    if mtor:
        return "cci779"
    return "estradiol" if conc.get("estradiol_pM", 0) > 0 else "control"


def condition_colours(conditions: pd.DataFrame, labels: list[str]) -> dict[str, tuple]:
    """Colour per condition label: the arm colour of its treatment class, darker for higher
    doses within the class (rank of the summed log doses)."""
    keys = [k for k in DRUG_COLUMNS if k in conditions.columns]
    rows = conditions.drop_duplicates("label").set_index("label").reindex(labels)
    classes = {lab: treatment_class({k: float(rows.at[lab, k]) for k in keys}) for lab in labels}
    out: dict[str, tuple] = {}
    for cls in dict.fromkeys(classes.values()):
        members = [lab for lab in labels if classes[lab] == cls]
        base = _class_colour(cls)
        if len(members) == 1:
            out[members[0]] = sns.color_palette([base])[0]
            continue
        strength = [sum(np.log10(1.0 + 100.0 * float(rows.at[lab, k])) for k in keys)
                    for lab in members]
        shades = sns.light_palette(base, len(members) + 2)[2:]
        for shade, lab in zip(shades, [members[i] for i in np.argsort(strength, kind="stable")],
                              strict=True):
            out[lab] = shade
    return out


def _condition_frame(d: pd.DataFrame) -> pd.DataFrame:
    keys = [k for k in DRUG_COLUMNS if k in d.columns]
    return d[["condition", *keys]].rename(columns={"condition": "label"})


def _corner_conditions(exp: InVitroExperiment, plate: str, d: pd.DataFrame) -> list[str]:
    """For a large grid: vehicle, each drug alone at its top level, all drugs at their top
    levels, plus any explicitly listed conditions."""
    grid = exp.plates[plate].concentrations
    keep = []
    for cond, g in d.groupby("condition", sort=False):
        row = g.iloc[0]
        if all(row[k] in (0.0, max(levels)) for k, levels in grid.items()):
            keep.append(cond)
    listed = {tuple(sorted(c.items())) for c in exp.plates[plate].conditions}
    for cond, g in d.groupby("condition", sort=False):
        row = g.iloc[0]
        sig = tuple(sorted((k, row[k]) for k in exp.plates[plate].drug_keys() if row[k] > 0))
        if sig in listed and cond not in keep:
            keep.append(cond)
    return keep


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
    subset = len(conds) > 8
    if subset:
        conds = _corner_conditions(exp, plate, d)
    colours = condition_colours(_condition_frame(d), conds)
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
    note = " (grid corners shown; all conditions in growth.csv)" if subset else ""
    fig.suptitle(f"Proliferation: {exp.plates[plate].description or plate}{note}", fontsize=12)
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
    from xenosim.invitro.analysis import relative_response

    d = relative_response(exp, tables.wells, plate, axis)
    lines = _order(dr["cell_line"], exp.cell_lines)
    media = _order(dr["medium"], exp.plates[plate].media)
    backgrounds = list(dict.fromkeys(dr["background"]))
    others = [k for k in exp.plates[plate].drug_keys() if k != axis]
    bg = dr.drop_duplicates("background").copy()
    bg["label"] = bg["background"]
    bg[axis] = 1.0
    for k in DRUG_COLUMNS:
        if k not in bg.columns:
            bg[k] = 0.0
    colours = condition_colours(bg[["label", *DRUG_COLUMNS]], backgrounds)
    unit = CONCENTRATION_KEYS[axis][1]
    pos = d.loc[d[axis] > 0, axis]
    x_zero = pos.min() / 10.0  # vehicle plotted one decade left of the lowest dose
    xs = np.logspace(np.log10(pos.min()), np.log10(pos.max()), 200)
    readout = readout_column(exp, plate)
    poorly = False
    ylab = ("Cell number relative to vehicle" if readout == "cell_count"
            else "ERE reporter relative to vehicle")
    inhibitor = bool((dr["bottom"] < dr["top"]).any())
    fig, axes = plt.subplots(len(media), len(lines), figsize=(5.4 * len(lines), 4.2 * len(media)),
                             sharex=True, sharey=True, squeeze=False)
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
                    if "poorly identified" in fit.status:
                        label += " †"
                        poorly = True
                ax.errorbar(xplot, stats_["mean"], yerr=stats_["std"].fillna(0), fmt="o", ms=4,
                            color=c, capsize=2, label=label)
            ax.set_xscale("log")
            ax.axhline(1.0, color="0.6", lw=0.8, ls=":")
            if readout == "cell_count" and inhibitor:
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
    note = "\n†: EC50 poorly identified by the doses tested (wide CI)" if poorly else ""
    fig.suptitle(f"{short_label(axis)} dose-response, day {day:g} "
                 f"(points: mean ± SD of wells; lines: 4PL fits"
                 f"{'; ▼: IC50' if inhibitor else ''}){note}", fontsize=11)
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
    present = set(zip(s["cell_line"], s["medium"], strict=True))
    groups = [(line, m) for line in exp.cell_lines for m in exp.plates[plate].media
              if (line, m) in present]
    n_rows = max(1, s["dose_b"].nunique())
    fig, axes = plt.subplots(len(groups), 2, squeeze=False,
                             figsize=(12, (1.5 + 0.5 * n_rows) * len(groups) + 0.4))
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
def _bar_panels(exp: InVitroExperiment, plate: str, table: pd.DataFrame, value: str,
                lo: str | None, hi: str | None, ylabel: str, title: str, path: Path,
                log: bool = False, ref: float | None = None) -> Path:
    """One panel per cell line x medium, one bar per condition in its treatment colour."""
    apply_style()
    media = _order(table["medium"], exp.plates[plate].media)
    lines = _order(table["cell_line"], exp.cell_lines)
    conds = list(dict.fromkeys(table["condition"]))
    colours = condition_colours(_condition_frame(table), conds)
    fig, axes = plt.subplots(len(media), len(lines), sharey=True, squeeze=False,
                             figsize=(max(3.6, 0.55 * len(conds) + 1.4) * len(lines),
                                      4.4 * len(media)))
    x = np.arange(len(conds))
    for i, medium in enumerate(media):
        for j, line in enumerate(lines):
            ax = axes[i][j]
            g = table[(table["medium"] == medium) & (table["cell_line"] == line)]
            g = g.drop_duplicates("condition").set_index("condition").reindex(conds)
            ax.bar(x, g[value], width=0.75, color=[colours[c] for c in conds],
                   edgecolor="0.25", linewidth=0.5)
            if lo and hi:
                err = np.vstack([g[value] - g[lo], g[hi] - g[value]])
                ax.errorbar(x, g[value], yerr=np.nan_to_num(np.clip(err, 0, None)), fmt="none",
                            ecolor="k", capsize=2, lw=0.8)
            if ref is not None:
                ax.axhline(ref, color="0.3", lw=0.8, ls=":")
            if log:
                ax.set_yscale("log")
                ax.yaxis.set_major_locator(FixedLocator([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2,
                                                         5, 10, 20, 50, 100]))
                ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
                ax.yaxis.set_minor_locator(NullLocator())
            ax.set_xticks(x)
            ax.set_xticklabels(conds, rotation=40, ha="right", fontsize=8)
            ax.set_title(f"{_line(line)}\n{_medium(medium)}", fontsize=10)
            if j == 0:
                ax.set_ylabel(ylabel)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def reporter_bars(exp: InVitroExperiment, tables: InVitroTables, plate: str, path: Path) -> Path:
    """ERE-reporter fold over vehicle (geometric mean, 95 % CI) per condition."""
    r = tables.reporter[tables.reporter["plate"] == plate]
    day = r["day"].max()
    r = r[r["day"] == day]
    return _bar_panels(exp, plate, r, "fold_vs_vehicle", "fold_lo", "fold_hi",
                       "ERE-luciferase, fold over vehicle (log scale)",
                       f"ERα transcriptional activity (ERE reporter), day {day:g} "
                       f"(geometric mean of wells, 95% CI)", path, log=True, ref=1.0)


def apoptosis_bars(exp: InVitroExperiment, tables: InVitroTables, plate: str, path: Path) -> Path:
    """Apoptotic fraction at the last count day per condition (mean of wells)."""
    g = tables.growth[tables.growth["plate"] == plate].copy()
    g["apoptotic_percent"] = 100.0 * g["fraction_apoptotic_last_mean"]
    last = exp.plates[plate].days[-1]
    return _bar_panels(exp, plate, g, "apoptotic_percent", None, None,
                       "Apoptotic cells (% of cells in well)",
                       f"Apoptosis (annexin V-like readout), day {last:g}", path)


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
