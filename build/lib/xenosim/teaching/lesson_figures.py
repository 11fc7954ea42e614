"""One figure per lesson: growth of each condition and the mechanism readout behind it."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from xenosim.core.style import CELL_LINE_STYLES, arm_colour
from xenosim.teaching.figures import ER_SHARES, draw_cross_section
from xenosim.teaching.lessons import LESSONS, LessonRun
from xenosim.teaching.model import arm_name


def _colour(r: LessonRun) -> str:
    s = r.settings
    if not any(s.get(k) for k in ("tamoxifen", "cci779")) and not s.get("torc12_inhibition"):
        return arm_colour("estrogen_withdrawal" if s.get("estradiol_pellet_mg", 0.72) == 0
                          else "control")
    return arm_colour(arm_name(bool(s.get("tamoxifen")), bool(s.get("cci779")),
                               float(s.get("torc12_inhibition", 0.0))))


def _growth_panel(ax, runs: dict[str, LessonRun]) -> None:
    """Volume relative to treatment day 0, one line per condition (cell line = line style)."""
    shades: dict[str, int] = {}
    for label, r in runs.items():
        h = r.history
        day = h["day"].to_numpy()
        v = h["volume_mm3"].to_numpy() / r.at_day("volume_mm3", 0.0)
        colour = _colour(r)
        k = shades.get(colour, 0)
        shades[colour] = k + 1
        style = CELL_LINE_STYLES.get(r.settings.get("cell_line", ""), "-.")
        if not r.settings.get("ser167_er_link", True) or not r.settings.get(
                "s6k1_irs1_feedback", True):
            style = ":"
        withdrawal = colour == arm_colour("estrogen_withdrawal")
        # the withdrawal curve sits on top (tamoxifen curves often run right along it)
        ax.plot(day[day >= 0], v[day >= 0], color=colour, linestyle=style,
                linewidth=3.0 if withdrawal else 2.2 - 0.5 * k,
                alpha=0.75 if withdrawal else 1.0 - 0.2 * k, zorder=4 if withdrawal else 2,
                label=label)
    ax.axhline(1.0, color="#999999", linewidth=0.8)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("treatment day")
    ax.set_ylabel("tumour volume / day-0 volume")
    ax.set_title("Growth (line style: vector solid, myr-Akt dashed, ablation dotted)",
                 fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(alpha=0.3)


def _er_split_panel(ax, runs: dict[str, LessonRun]) -> None:
    """Mean ER activity of viable cells over the window, stacked by source."""
    labels = list(runs)
    x = np.arange(len(labels))
    bottom = np.zeros(len(labels))
    first, last = runs[labels[0]].window_days
    for key, lab, colour in ER_SHARES:
        vals = np.array([runs[k].mean_over(key, first, last) for k in labels])
        ax.bar(x, vals, bottom=bottom, color=colour, label=lab, width=0.7)
        bottom += vals
    ax.set_xticks(x, [lab.replace(", ", ",\n") for lab in labels], fontsize=7)
    ax.set_ylim(0, 1)
    ax.set_ylabel(f"ER activity, days {first:g}-{last:g} (viable cells)")
    ax.set_title("Where ER activity comes from", fontsize=9)
    ax.legend(fontsize=7, loc="upper right")


def _akt_panel(ax, runs: dict[str, LessonRun]) -> None:
    """Mean Akt and mTORC1 activity, treated vs untreated twin, over the window."""
    labels = list(runs)
    x = np.arange(len(labels))
    w = 0.2
    first, last = runs[labels[0]].window_days
    for j, (key, name, colour) in enumerate((("mean_akt", "Akt", "#d55e00"),
                                             ("mean_mtorc1", "mTORC1", "#0072b2"))):
        twin = [runs[k].mean_over("reference_" + key, first, last) for k in labels]
        treated = [runs[k].mean_over(key, first, last) for k in labels]
        ax.bar(x + (2 * j - 1.5) * w, twin, w, color=colour, alpha=0.35,
               label=f"{name}, untreated twin")
        ax.bar(x + (2 * j - 0.5) * w, treated, w, color=colour, label=f"{name}, treated")
    ax.set_xticks(x, [lab.replace(", ", ",\n") for lab in labels], fontsize=7)
    ax.set_ylim(0, 1)
    ax.set_ylabel(f"mean activity, days {first:g}-{last:g} (viable cells)")
    ax.set_title("Akt and mTORC1: treated vs untreated twin", fontsize=9)
    ax.legend(fontsize=7, loc="upper left", ncols=2)


def lesson_figure(number: int, runs: dict[str, LessonRun]) -> Figure:
    """The lesson's figure: growth (left), mechanism (middle), a cross-section (right)."""
    fig = Figure(figsize=(16, 5.0), dpi=110, layout="constrained")
    axes = fig.subplots(1, 3, width_ratios=[1.1, 1.2, 0.9])
    _growth_panel(axes[0], runs)
    if number == 4:
        _akt_panel(axes[1], runs)
        pick, readout = "vector, CCI-779", "akt"
    else:
        _er_split_panel(axes[1], runs)
        pick = {1: "tamoxifen, pellet 0.72 mg", 2: "myr-Akt, tamoxifen",
                3: "tamoxifen + CCI-779"}[number]
        readout = "er"
    model = runs[pick].model
    image = draw_cross_section(axes[2], model, readout, legend=False,
                               title=f"{pick}: {readout.upper() if readout == 'er' else 'Akt'} "
                                     f"activity, day {model.day:.0f}")
    bar = fig.colorbar(image, ax=axes[2], shrink=0.7)
    bar.set_label(("ER" if readout == "er" else "Akt") + " activity (0-1); grey: dead cells")
    fig.suptitle(f"Lesson {number}: {LESSONS[number].title}", fontsize=12)
    return fig
