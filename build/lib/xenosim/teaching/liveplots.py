"""The page's live plots, blitted: what does not change is drawn once, the data every step.

Axes, ticks, labels, legends and grids are drawn into a cached background (again only when the
volume axis has to grow, a handful of times per run); each step restores that background and
draws only the curves. That makes a redraw ~10x cheaper than building and saving a new figure,
which keeps the page at several steps per second. The x axis spans the whole run from the start
(pre-treatment to the last treatment day), so curves grow into a fixed frame.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from PIL import Image

from xenosim.core.style import arm_colour
from xenosim.teaching.figures import ER_SHARES, PATHWAYS, REFERENCE_COLOUR, arm_label
from xenosim.teaching.model import ENDPOINT_MM3, PRETREATMENT_DAYS, TeachingModel

#: Volume-axis ceilings (mm3): the axis jumps to the next one when a tumour gets near the top.
VOLUME_CEILINGS = (250.0, 500.0, 750.0, 1000.0, 1500.0, 2000.0)
#: Earlier runs kept on screen at most (a lesson compares runs A-D).
MAX_KEPT_RUNS = 4
#: Kept runs are drawn black, thin, told apart by pattern and their letter at the curve end (the
#: untreated twin is the grey dashed line).
KEPT_STYLES = (("solid", "-"), ("dotted", (0, (1, 1.5))), ("dash-dot", (0, (6, 2, 1, 2))),
               ("dash-dot-dot", (0, (6, 2, 1, 2, 1, 2))))
KEPT_COLOUR = "#222222"
FONT_PT = 12  # tick labels; axis labels and titles a little larger (readable on a projector)


@dataclass(frozen=True)
class KeptRun:
    """An earlier run kept on screen: its letter, its treatment in words and its curves."""

    label: str
    index: int
    description: str
    day: np.ndarray
    volume_mm3: np.ndarray
    mean_akt: np.ndarray
    mean_mtorc1: np.ndarray
    mean_er_activity: np.ndarray
    er_share_ser167: np.ndarray

    @classmethod
    def of(cls, model: TeachingModel, label: str) -> KeptRun:
        """A copy of ``model``'s history so far (the model may go on stepping)."""
        return cls(label=label, index=0, description=model.describe(),
                   **{k: np.array(model.series(k), dtype=float) for k in (
                       "day", "volume_mm3", "mean_akt", "mean_mtorc1", "mean_er_activity",
                       "er_share_ser167")})

    def relabelled(self, label: str) -> KeptRun:
        return replace(self, label=label, index=ord(label) - ord("A"))

    @property
    def linestyle(self):
        return KEPT_STYLES[self.index % len(KEPT_STYLES)][1]

    @property
    def linestyle_name(self) -> str:
        return KEPT_STYLES[self.index % len(KEPT_STYLES)][0]

    @property
    def final_day(self) -> float:
        return float(self.day[-1]) if len(self.day) else 0.0

    @property
    def final_volume_mm3(self) -> float:
        return float(self.volume_mm3[-1]) if len(self.volume_mm3) else 0.0

    def __hash__(self) -> int:  # identity: a kept run never changes
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


class LivePlotRenderer:
    """Volume (treated vs untreated twin), mean pathway activities and the ER-activity split,
    stacked, with up to four kept earlier runs drawn (once, into the background) behind."""

    def __init__(self, model: TeachingModel, kept: list[KeptRun] | tuple = ()):
        self.model = model
        self.kept = list(kept)[-MAX_KEPT_RUNS:]
        self.fig = fig = Figure(figsize=(5.6, 6.6), dpi=80)
        self.canvas = FigureCanvasAgg(fig)
        fig.subplots_adjust(left=0.13, right=0.97, bottom=0.08, top=0.95, hspace=0.45)
        self.ax_vol, self.ax_path, self.ax_er = axes = fig.subplots(3, 1, sharex=True)
        x_max = max(float(model.days), 1.0)
        for ax in axes:
            ax.set_xlim(-PRETREATMENT_DAYS, x_max)
            ax.set_autoscale_on(False)
            ax.axvline(0.0, color="#999999", linewidth=0.8, linestyle=":")
            ax.tick_params(labelsize=FONT_PT)
            ax.grid(alpha=0.3)
        self.ax_er.set_xlabel("treatment day", fontsize=FONT_PT + 1)
        twin = model.reference is not None

        # volume: treated (arm colour) against the untreated twin (grey dashed)
        ax = self.ax_vol
        colour = arm_colour(model.arm)
        self.vol = ax.plot([], [], color=colour, linewidth=2, animated=True)[0]
        self.vol_twin = ax.plot([], [], color=REFERENCE_COLOUR, linewidth=1.5, linestyle="--",
                                animated=True)[0]
        ax.axhline(ENDPOINT_MM3, color="#b22222", linewidth=0.8, linestyle="-.")
        ax.set_ylabel("tumour volume (mm³)", fontsize=FONT_PT)
        handles = [Line2D([], [], color=colour, linewidth=2,
                          label=f"treated: {arm_label(model.arm)}")]
        if twin:
            handles.append(Line2D([], [], color=REFERENCE_COLOUR, linewidth=1.5, linestyle="--",
                                  label="untreated twin"))
        handles.append(Line2D([], [], color="#b22222", linewidth=0.8, linestyle="-.",
                              label="humane endpoint"))
        self.legends = [ax.legend(handles=handles, fontsize=FONT_PT - 1, loc="upper left")]
        self.vol_title = ax.set_title("", fontsize=FONT_PT + 1)
        self.vol_title.set_animated(True)

        # mean pathway activities (treated solid, twin dashed)
        ax = self.ax_path
        self.paths = [(key, ax.plot([], [], color=c, linewidth=2, animated=True)[0],
                       ax.plot([], [], color=c, linewidth=1, linestyle="--", animated=True)[0])
                      for key, _, c in PATHWAYS]
        ax.set_ylim(0, 1.3)  # headroom for the legend
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.set_ylabel("mean activity", fontsize=FONT_PT)
        ax.set_title("Pathways (dashed: untreated twin; black: kept Akt)", fontsize=FONT_PT + 1)
        self.legends.append(ax.legend(handles=[Line2D([], [], color=c, linewidth=2, label=lab)
                                               for _, lab, c in PATHWAYS],
                                      fontsize=FONT_PT - 1, loc="upper left", ncols=3))

        # ER activity stacked by source, and the twin's total
        ax = self.ax_er
        self.er_twin = ax.plot([], [], color="black", linewidth=1, linestyle="--",
                               animated=True)[0]
        self.er_fills: list = []
        ax.set_ylim(0, 1.3)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.set_ylabel("ER activity", fontsize=FONT_PT)
        ax.set_title("ER activity by source (black: kept runs' total)", fontsize=FONT_PT + 1)
        short = {"er_share_e2": "E2-bound", "er_share_tamoxifen": "tamoxifen-bound",
                 "er_share_ser167": "Ser167-phospho"}
        er_handles = [Patch(color=c, alpha=0.85, label=short.get(k, lab))
                      for k, lab, c in ER_SHARES]
        if twin:
            er_handles.append(Line2D([], [], color="black", linewidth=1, linestyle="--",
                                     label="twin: total"))
        self.legends.append(ax.legend(handles=er_handles, fontsize=FONT_PT - 1, loc="upper left",
                                      ncols=2, columnspacing=0.8, handlelength=1.4))
        self._draw_kept()
        for legend in self.legends:  # pasted over the curves every frame (see render)
            legend.set_animated(True)

        self._ceiling: float | None = None
        self._background = None
        self._legend_pixels: list = []

    def _draw_kept(self) -> None:
        """The kept runs: static lines (volume, Akt, total ER activity) with their letters."""
        for run in self.kept:
            style = {"color": KEPT_COLOUR, "linewidth": 1.1, "linestyle": run.linestyle,
                     "zorder": 1.5}
            for ax, y in ((self.ax_vol, run.volume_mm3), (self.ax_path, run.mean_akt),
                          (self.ax_er, run.mean_er_activity)):
                ax.plot(run.day, y, **style)
                if len(run.day):
                    ax.annotate(run.label, (run.day[-1], y[-1]), xytext=(2, 0),
                                textcoords="offset points", fontsize=FONT_PT, weight="bold",
                                color=KEPT_COLOUR, va="center", clip_on=True)

    def _volume_ceiling(self, volumes: np.ndarray) -> float:
        top = float(np.nanmax(volumes, initial=0.0)) * 1.1
        for c in VOLUME_CEILINGS:
            if top <= c:
                return c
        return float(np.ceil(top / 500.0) * 500.0)

    def render(self) -> bytes:
        """The current state as PNG bytes."""
        m = self.model
        day = m.series("day")
        vol, vol_twin = m.series("volume_mm3"), m.series("reference_volume_mm3")
        ceiling = self._volume_ceiling(np.concatenate(
            [vol, vol_twin, *(r.volume_mm3 for r in self.kept)]))
        if ceiling != self._ceiling:  # (re)draw the static background
            self.ax_vol.set_ylim(0, ceiling)
            self.canvas.draw()  # animated artists are left out
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            # legends go over the curves: render them once, keep their pixels, paste per frame
            renderer = self.canvas.get_renderer()
            for legend in self.legends:
                legend.axes.draw_artist(legend)
            self._legend_pixels = [
                self.canvas.copy_from_bbox(legend.get_window_extent(renderer).padded(1))
                for legend in self.legends]
            self.canvas.restore_region(self._background)
            self._ceiling = ceiling
        else:
            self.canvas.restore_region(self._background)

        self.vol.set_data(day, vol)
        self.vol_twin.set_data(day, vol_twin)
        self.vol_title.set_text(f"Growth: {m.tumour.volume_mm3:,.0f} mm³ on day {m.day:.1f}")
        for key, line, twin in self.paths:
            line.set_data(day, m.series(key))
            twin.set_data(day, m.series("reference_" + key))
        self.er_twin.set_data(day, m.series("reference_mean_er_activity"))
        for fill in self.er_fills:
            fill.remove()
        bottom = np.zeros_like(day)
        self.er_fills = []
        for key, _, colour in ER_SHARES:
            top = bottom + np.nan_to_num(m.series(key))
            self.er_fills.append(self.ax_er.fill_between(day, bottom, top, color=colour,
                                                         alpha=0.85, linewidth=0,
                                                         animated=True))
            bottom = top

        artists = [(self.ax_vol, a) for a in (self.vol, self.vol_twin, self.vol_title)]
        artists += [(self.ax_path, a) for _, line, twin in self.paths for a in (line, twin)]
        artists += [(self.ax_er, a) for a in (*self.er_fills, self.er_twin)]
        for ax, artist in artists:
            ax.draw_artist(artist)
        for pixels in self._legend_pixels:
            self.canvas.restore_region(pixels)
        rgba = np.asarray(self.canvas.buffer_rgba())
        buf = io.BytesIO()
        Image.fromarray(rgba[..., :3]).save(buf, format="PNG", compress_level=1)
        return buf.getvalue()
