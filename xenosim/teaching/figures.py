"""Figures of the teaching page and the lessons (matplotlib ``Figure`` objects, no pyplot state).

The page renders each one to PNG after every update; the lessons save them to files.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Patch
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

from xenosim.biology import fate
from xenosim.core.style import ER_SHARE_COLOURS, arm_colour
from xenosim.teaching.model import READOUTS, TeachingModel

#: Fate colours (colour-blind safe): cycling, quiescent, apoptotic, necrotic.
FATE_COLOURS = ("#009e73", "#56b4e9", "#e69f00", "#3a3a3a", "#cc79a7")
FATE_LABELS = ("cycling", "quiescent (hypoxic)", "apoptotic", "necrotic", "arrested (G0/G1)")
DEAD_COLOUR = "#c8c8c8"
READOUT_CMAP = "viridis"
REFERENCE_COLOUR = "#7f7f7f"
ARM_LABELS = {"control": "no drug", "tamoxifen": "tamoxifen", "cci779": "CCI-779",
              "tamoxifen+cci779": "tamoxifen + CCI-779"}


def arm_label(arm: str) -> str:
    return ARM_LABELS.get(arm, arm.replace("cci779", "CCI-779").replace("torc12i", "TORC1/2i")
                          .replace("+", " + "))


def _scale_bar_mm(width_mm: float) -> float:
    """A round scale-bar length about a fifth of the picture."""
    for length in (0.25, 0.5, 1.0, 2.0, 5.0, 10.0):
        if length >= width_mm / 6.0:
            return length
    return 10.0


def draw_cross_section(ax, model: TeachingModel, readout: str = "akt",
                       picked: tuple[int, int] | None = None, legend: bool = True,
                       title: str | None = None):
    """The treated tumour's central plane (z = 0), each cell coloured by ``readout``.

    Continuous readouts (Akt, mTORC1, ER activity) share one 0-1 colour scale so pictures compare
    across days and settings; dead cells are grey. Returns the image (for a colour bar).
    """
    cs = model.cross_section()
    h = cs.half_width + 1
    size = 2 * h + 1
    values = model.readout_values(readout, cs.index)
    rows, cols = cs.y + h, cs.x + h
    extent = np.array([-h - 0.5, h + 0.5, -h - 0.5, h + 0.5]) * cs.spacing_mm
    status = model.tumour.status[cs.index]
    if readout == "fate":
        grid = np.full((size, size), np.nan)
        grid[rows, cols] = values
        image = ax.imshow(grid, origin="lower", extent=extent, interpolation="nearest",
                          cmap=ListedColormap(FATE_COLOURS), vmin=-0.5, vmax=fate.N_STATUS - 0.5)
        counts = np.bincount(status, minlength=fate.N_STATUS)
        handles = [Patch(color=c, label=f"{lab} ({counts[k]:,})")
                   for k, (c, lab) in enumerate(zip(FATE_COLOURS, FATE_LABELS, strict=True))]
    else:
        dead = ~fate.is_viable(status)
        grid = np.full((size, size), np.nan)
        grid[rows[~dead], cols[~dead]] = values[~dead]
        dead_grid = np.full((size, size), np.nan)
        dead_grid[rows[dead], cols[dead]] = 1.0
        image = ax.imshow(grid, origin="lower", extent=extent, interpolation="nearest",
                          cmap=READOUT_CMAP, vmin=0.0, vmax=1.0)
        ax.imshow(dead_grid, origin="lower", extent=extent, interpolation="nearest",
                  cmap=ListedColormap([DEAD_COLOUR]), vmin=0, vmax=1)
        handles = [Patch(color=DEAD_COLOUR, label=f"dead ({int(dead.sum()):,})")]
    if picked is not None:
        px, py = picked
        ax.add_patch(Circle((px * cs.spacing_mm, py * cs.spacing_mm), 1.6 * cs.spacing_mm,
                            fill=False, edgecolor="#d62728", linewidth=2.0))
    width_mm = (2 * h + 1) * cs.spacing_mm
    bar = _scale_bar_mm(width_mm)
    ax.add_artist(AnchoredSizeBar(ax.transData, bar, f"{bar:g} mm", "lower right", pad=0.3,
                                  borderpad=0.3, sep=3, frameon=False, size_vertical=bar / 25))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_aspect("equal")
    for spine in ax.spines.values():
        spine.set_visible(False)
    if legend:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7,
                  frameon=False, title="Fate" if readout == "fate" else None, title_fontsize=8)
    if title is None:
        title = (f"{READOUTS[readout][0]}, day {model.day:.1f}: central section, "
                 f"{cs.n:,} cells")
    ax.set_title(title, fontsize=9)
    return image


def cross_section_figure(model: TeachingModel, readout: str = "akt",
                         picked: tuple[int, int] | None = None) -> Figure:
    """The page's cross-section: picture, colour bar (left) and legend (right), fixed layout."""
    fig = Figure(figsize=(6.0, 4.2), dpi=90)
    ax = fig.add_axes((0.13, 0.03, 0.56, 0.88))
    image = draw_cross_section(ax, model, readout, picked)
    if readout != "fate":
        cax = fig.add_axes((0.05, 0.25, 0.025, 0.5))
        bar = fig.colorbar(image, cax=cax)
        cax.yaxis.set_ticks_position("left")
        cax.yaxis.set_label_position("left")
        bar.set_label(READOUTS[readout][0], fontsize=8)
        cax.tick_params(labelsize=7)
    return fig


def _series_axes():
    """A time-series panel with fixed margins (a fixed layout draws faster than a solver)."""
    fig = Figure(figsize=(5.2, 3.4), dpi=90)
    fig.subplots_adjust(left=0.13, right=0.97, bottom=0.14, top=0.91)
    return fig, fig.add_subplot()


def _day_axis(ax) -> None:
    ax.axvline(0.0, color="#999999", linewidth=0.8, linestyle=":")
    ax.set_xlabel("treatment day", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)


def volume_figure(model: TeachingModel) -> Figure:
    """Tumour volume of the treated mouse against its untreated twin."""
    fig, ax = _series_axes()
    draw_volume(ax, model)
    return fig


def draw_volume(ax, model: TeachingModel) -> None:
    """Tumour volume of the treated mouse (solid) against its untreated twin (dashed)."""
    day = model.series("day")
    ax.plot(day, model.series("volume_mm3"), color=arm_colour(model.arm), linewidth=2,
            label=f"treated: {arm_label(model.arm)}")
    if model.reference is not None:
        ax.plot(day, model.series("reference_volume_mm3"), color=REFERENCE_COLOUR, linewidth=1.5,
                linestyle="--", label="untreated twin")
    ax.set_ylabel("tumour volume (mm³)", fontsize=8)
    ax.set_ylim(bottom=0)
    ax.set_title(f"Growth: {model.tumour.volume_mm3:,.0f} mm³ on day {model.day:.1f}", fontsize=9)
    _day_axis(ax)
    ax.legend(fontsize=7, loc="upper left")


PATHWAYS = (("mean_akt", "Akt", "#d55e00"), ("mean_mtorc1", "mTORC1", "#0072b2"),
            ("mean_er_activity", "ER activity", "#cc79a7"))


def pathway_figure(model: TeachingModel) -> Figure:
    """Mean pathway activities of viable cells (treated solid, untreated twin dashed)."""
    fig, ax = _series_axes()
    draw_pathways(ax, model)
    return fig


def draw_pathways(ax, model: TeachingModel) -> None:
    """Mean Akt, mTORC1 and ER activity of viable cells (treated solid, twin dashed)."""
    day = model.series("day")
    for key, label, colour in PATHWAYS:
        ax.plot(day, model.series(key), color=colour, linewidth=2, label=label)
        if model.reference is not None:
            ax.plot(day, model.series("reference_" + key), color=colour, linewidth=1,
                    linestyle="--")
    ax.set_ylim(0, 1)
    ax.set_ylabel("mean activity (viable cells)", fontsize=8)
    ax.set_title("Pathway activity (dashed: untreated twin)", fontsize=9)
    _day_axis(ax)
    ax.legend(fontsize=7, loc="lower left", ncols=3)


ER_SHARES = (("er_share_e2", "E2-bound ER", ER_SHARE_COLOURS["er_share_e2"]),
             ("er_share_tamoxifen", "tamoxifen-bound ER (partial agonism)",
              ER_SHARE_COLOURS["er_share_tamoxifen"]),
             ("er_share_ser167", "Ser167-phosphorylated ER (Akt/S6K1)",
              ER_SHARE_COLOURS["er_share_ser167"]))


def er_split_figure(model: TeachingModel) -> Figure:
    """Where ER activity comes from: the E2, tamoxifen and Ser167 shares (they add up)."""
    fig, ax = _series_axes()
    draw_er_split(ax, model)
    return fig


def draw_er_split(ax, model: TeachingModel) -> None:
    """ER activity of viable cells stacked by source: E2, tamoxifen, Ser167 (they add up)."""
    day = model.series("day")
    shares = [np.nan_to_num(model.series(k)) for k, _, _ in ER_SHARES]
    ax.stackplot(day, *shares, colors=[c for _, _, c in ER_SHARES],
                 labels=[lab for _, lab, _ in ER_SHARES], alpha=0.85)
    if model.reference is not None:
        ax.plot(day, model.series("reference_mean_er_activity"), color="black", linewidth=1,
                linestyle="--", label="untreated twin: total")
    ax.set_ylim(0, 1)
    ax.set_ylabel("ER activity (viable cells)", fontsize=8)
    ax.set_title("ER activity split by source", fontsize=9)
    _day_axis(ax)
    ax.legend(fontsize=7, loc="upper right")


def timeseries_figure(model: TeachingModel) -> Figure:
    """The page's live plots in one figure (one render instead of three): volume, pathway
    activities and the ER-activity split, side by side."""
    fig = Figure(figsize=(13.5, 3.3), dpi=80)
    fig.subplots_adjust(left=0.05, right=0.99, bottom=0.15, top=0.9, wspace=0.22)
    axes = fig.subplots(1, 3)
    draw_volume(axes[0], model)
    draw_pathways(axes[1], model)
    draw_er_split(axes[2], model)
    return fig


def png_bytes(fig: Figure) -> bytes:
    """A figure as PNG bytes (what the page shows)."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", pil_kwargs={"compress_level": 1})  # fast encoding
    return buf.getvalue()
