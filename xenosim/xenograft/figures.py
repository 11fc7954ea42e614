"""Run figures: growth curves, spaghetti, pathway activity, virtual IHC. They read only the tidy tables.

The growth curves and the spaghetti plot are the analysis's own (``xenosim.analysis.figures``),
so a run and its analysis draw them with one set of rules: the config's panel and arm order,
the config's arm labels, one colour per arm (``core.style.assign_arm_colours``), curves drawn
while at least half of an arm's mice remain, endpoint markers where a tumour crossed the endpoint.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from xenosim.analysis import figures as F
from xenosim.analysis import stats as S
from xenosim.analysis.mechanism import ihc_at_study_end
from xenosim.analysis.order import ordered
from xenosim.core.style import CELL_LINE_TITLES, apply_style

LINE_TITLES = CELL_LINE_TITLES  # one set of cell-line titles (kept for the modes that import it)
CONTROL_ARM = "control"


def run_order(df: pd.DataFrame, cell_lines: list[str] | None,
              arms: list[str] | None) -> dict[str, list[str]]:
    """Cell line → arms in the config's order (control first), as the run's analysis orders them
    (``xenosim.analysis.order.study_order``)."""
    return {cl: ordered(df.loc[df["cell_line"] == cl, "arm"], arms, CONTROL_ARM)
            for cl in ordered(df["cell_line"], cell_lines)}


def _save(fig, path: Path) -> Path:
    fig.savefig(path)
    plt.close(fig)
    return path


def growth_curves(measurements: pd.DataFrame, path: Path, order: dict[str, list[str]],
                  endpoint_mm3: float | None = None) -> Path:
    """Mean ± SEM caliper volume per arm over treatment days, one panel per cell line (the
    analysis's figure: means over the mice still on study, drawn while ≥ half remain)."""
    curves = S.group_curves(S.treatment_phase(measurements))
    return _save(F.growth_curves(curves, order, endpoint_volume_mm3=endpoint_mm3), path)


def spaghetti(measurements: pd.DataFrame, mice: pd.DataFrame, path: Path,
              order: dict[str, list[str]], endpoint_mm3: float) -> Path:
    """Every mouse's caliper volume (log scale), take phase in grey, endpoint crossings marked."""
    return _save(F.spaghetti(measurements, mice, order, endpoint_mm3), path)


LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)))
PATHWAY_READOUTS = (("mean_akt", "Akt activity"), ("mean_mtorc1", "mTORC1 activity"),
                    ("mean_er_activity", "ER transcriptional activity"))


def pathway(cells: pd.DataFrame, path: Path, order: dict[str, list[str]]) -> Path:
    """Mean Akt / mTORC1 / ER activity of viable cells per arm over time (rows: cell lines)."""
    apply_style()
    lines = [cl for cl in order if (cells["cell_line"] == cl).any()]
    fig, axes = plt.subplots(len(lines), 3, figsize=(14, 3.4 * len(lines)), sharex=True,
                             squeeze=False)
    for i, line in enumerate(lines):
        sub = cells[cells["cell_line"] == line]
        for j, (col, name) in enumerate(PATHWAY_READOUTS):
            ax = axes[i][j]
            for k, arm in enumerate(order[line]):
                g = sub[sub["arm"] == arm].groupby("day")[col].agg(["mean", "sem", "count"])
                g = g[g["count"] >= 2]
                colour = F.arm_colour(arm)
                # drug arms often share a curve with another arm: vary the dash so both show
                ax.plot(g.index, g["mean"], color=colour, lw=2.0, alpha=0.9,
                        ls=LINESTYLES[k % len(LINESTYLES)], label=F.arm_label(arm))
                ax.fill_between(g.index, g["mean"] - g["sem"].fillna(0),
                                g["mean"] + g["sem"].fillna(0), color=colour, alpha=0.2)
            ax.set_ylim(0, 1)
            ax.set_title(f"{F.line_title(line)}: {name}", fontsize=10)
            if j == 0:
                ax.set_ylabel("Mean activity (0-1)")
            if i == len(lines) - 1:
                ax.set_xlabel(F.DAY_LABEL)
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, names, loc="upper center", ncol=min(len(names), 5), fontsize=9,
               frameon=False, bbox_to_anchor=(0.5, 0.0))
    fig.suptitle("Signalling in viable tumour cells (simulation readout)")
    return _save(fig, path)


def all_run_figures(tables: dict[str, pd.DataFrame], out: Path, endpoint_mm3: float,
                    labels: dict[str, str], cell_lines: list[str] | None = None) -> list[str]:
    """Write the three standard run figures; return their file names. ``labels`` (arm → label)
    is in the config's arm order; ``cell_lines`` in the config's order."""
    meas = tables["measurements"]
    order = run_order(meas, cell_lines, list(labels))
    F.assign_arm_colours([a for arms in order.values() for a in arms], labels)
    growth_curves(meas, out / "growth_curves.png", order, endpoint_mm3)
    spaghetti(meas, tables["mice"], out / "spaghetti.png", order, endpoint_mm3)
    pathway(tables["cells"], out / "pathway.png", order)
    names = ["growth_curves.png", "spaghetti.png", "pathway.png"]
    ihc = ihc_at_study_end(tables["cells"])
    if ihc is not None:  # the analysis's own figure: one implementation
        _save(F.ihc_boxplots(ihc, order), out / "ihc.png")
        names.append("ihc.png")
    return names
