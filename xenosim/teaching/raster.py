"""The page's cross-section as a raster: one square block of pixels per lattice site.

Drawn with numpy and encoded as PNG by Pillow (a few ms, against ~150 ms for a matplotlib figure),
so the page can redraw at every step. Because every cell is an exact block of pixels, a click on
the picture maps back to a lattice site by integer division: that is how the page picks a cell.
Legend, colour bar and scale-bar label are drawn by the page beside the picture.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_rgb
from PIL import Image

from xenosim.biology import fate
from xenosim.teaching.figures import DEAD_COLOUR, FATE_COLOURS, READOUT_CMAP, _scale_bar_mm
from xenosim.teaching.model import TeachingModel

#: Target picture width (pixels); each site gets ``TARGET_PX // sites`` pixels, at least 1.
TARGET_PX = 440
BACKGROUND = (255, 255, 255)
PICK_COLOUR = (214, 39, 40)
BAR_COLOUR = (30, 30, 30)


def _rgb255(colour: str) -> tuple[int, int, int]:
    return tuple(int(round(255 * c)) for c in to_rgb(colour))  # type: ignore[return-value]


_FATE_RGB = np.array([_rgb255(c) for c in FATE_COLOURS], dtype=np.uint8)
_DEAD_RGB = np.array(_rgb255(DEAD_COLOUR), dtype=np.uint8)


@dataclass
class Raster:
    """A drawn cross-section and what is needed to map a click back to a cell."""

    png: bytes
    half_width: int  # sites from the centre to the picture edge
    pixels_per_site: int
    spacing_mm: float
    n_cells: int
    counts: dict[str, int]  # cells on the section by fate
    scale_bar_mm: float
    scale_bar_px: int

    @property
    def size_px(self) -> int:
        return (2 * self.half_width + 1) * self.pixels_per_site

    def site_at(self, px: float, py: float) -> tuple[int, int] | None:
        """Lattice site (x, y) under picture pixel (px right, py down), or None outside."""
        col, row = int(px // self.pixels_per_site), int(py // self.pixels_per_site)
        size = 2 * self.half_width + 1
        if not (0 <= col < size and 0 <= row < size):
            return None
        return col - self.half_width, self.half_width - row


def cross_section_raster(model: TeachingModel, readout: str = "akt",
                         picked_index: int | None = None) -> Raster:
    """The treated tumour's central plane, each cell one block coloured by ``readout``.

    Continuous readouts use a fixed 0-1 viridis scale (pictures compare across days and
    settings); dead cells are grey. Fate uses the fate colours. A picked cell gets a red frame.
    """
    cs = model.cross_section()
    h = cs.half_width + 1
    size = 2 * h + 1
    pps = max(1, TARGET_PX // size)
    values = model.readout_values(readout, cs.index)
    status = model.tumour.status[cs.index]
    rgb = np.empty((size, size, 3), dtype=np.uint8)
    rgb[:] = BACKGROUND
    rows, cols = h - cs.y, cs.x + h  # image rows run downwards
    if readout == "fate":
        rgb[rows, cols] = _FATE_RGB[values]
    else:
        colours = colormaps[READOUT_CMAP](np.clip(values, 0.0, 1.0), bytes=True)[:, :3]
        dead = ~fate.is_viable(status)
        colours[dead] = _DEAD_RGB
        rgb[rows, cols] = colours
    image = np.repeat(np.repeat(rgb, pps, axis=0), pps, axis=1)
    if picked_index is not None and picked_index in set(cs.index.tolist()):
        k = int(np.flatnonzero(cs.index == picked_index)[0])
        r0, c0 = int(rows[k]) * pps, int(cols[k]) * pps
        pad = max(2, pps)
        top, left = max(r0 - pad, 0), max(c0 - pad, 0)
        bottom, right = min(r0 + pps + pad, image.shape[0]) - 1, min(c0 + pps + pad,
                                                                      image.shape[1]) - 1
        for t in range(max(1, pps // 3 + 1)):
            image[top + t, left:right + 1] = PICK_COLOUR
            image[bottom - t, left:right + 1] = PICK_COLOUR
            image[top:bottom + 1, left + t] = PICK_COLOUR
            image[top:bottom + 1, right - t] = PICK_COLOUR
    # scale bar in the lower-right corner
    bar_mm = _scale_bar_mm(size * cs.spacing_mm)
    bar_px = max(1, int(round(bar_mm / cs.spacing_mm * pps)))
    side = image.shape[1]
    thick = max(3, side // 120)
    y1 = image.shape[0] - max(6, side // 40)
    x1 = side - max(6, side // 40)
    image[y1 - thick:y1, max(x1 - bar_px, 0):x1] = BAR_COLOUR
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="PNG", compress_level=1)
    counts = np.bincount(status, minlength=fate.N_STATUS)
    return Raster(png=buf.getvalue(), half_width=h, pixels_per_site=pps, spacing_mm=cs.spacing_mm,
                  n_cells=cs.n,
                  counts={name: int(counts[k]) for k, name in enumerate(fate.STATUS_NAMES)},
                  scale_bar_mm=bar_mm, scale_bar_px=bar_px)


def viridis_css_gradient(steps: int = 11) -> str:
    """A CSS linear-gradient of the readout colour map (bottom 0 -> top 1), for the colour bar."""
    cmap = colormaps[READOUT_CMAP]
    stops = []
    for i in range(steps):
        r, g, b, _ = cmap(i / (steps - 1), bytes=True)
        stops.append(f"rgb({r},{g},{b}) {100 * i / (steps - 1):.0f}%")
    return "linear-gradient(to top, " + ", ".join(stops) + ")"
