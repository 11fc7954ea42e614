"""Speed of the teaching page's work per step: ``python -m xenosim.teaching.bench``.

Times, at the page's teaching size, the model step (treated tumour + untreated twin), the
cross-section raster and the blitted live plots, i.e. what one Step / play tick costs the server
(the live plots' occasional full redraw when the volume axis grows is included in the mean).
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def measure(steps: int = 20, seed: int = 1, **settings) -> dict[str, float]:
    """Mean seconds per model step and per redraw over ``steps`` steps of a page-sized model."""
    from xenosim.teaching.app import PAGE_CELLS_PER_AGENT
    from xenosim.teaching.liveplots import LivePlotRenderer
    from xenosim.teaching.model import TeachingModel
    from xenosim.teaching.raster import cross_section_raster

    model = TeachingModel(cells_per_agent=PAGE_CELLS_PER_AGENT, seed=seed, **settings)
    plots = LivePlotRenderer(model)
    plots.render()  # the first frame draws the static background
    step_s, raster_s, plots_s, cells = [], [], [], []
    for _ in range(steps):
        t0 = time.perf_counter()
        model.step()
        t1 = time.perf_counter()
        raster = cross_section_raster(model, "akt")
        t2 = time.perf_counter()
        plots.render()
        t3 = time.perf_counter()
        step_s.append(t1 - t0)
        raster_s.append(t2 - t1)
        plots_s.append(t3 - t2)
        cells.append(raster.n_cells)
    return {
        "model_step_s": float(np.mean(step_s)),
        "raster_s": float(np.mean(raster_s)),
        "plots_s": float(np.mean(plots_s)),
        "cells_on_screen_first": float(cells[0]),
        "cells_on_screen_last": float(cells[-1]),
        "agents_per_tumour_last": float(model.tumour.n_agents),
        "day_last": float(model.day),
    }


def main() -> None:  # pragma: no cover - a benchmark printout
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    r = measure(args.steps)
    total = r["model_step_s"] + r["raster_s"] + r["plots_s"]
    print(f"cells on screen: {r['cells_on_screen_first']:,.0f} -> {r['cells_on_screen_last']:,.0f} "
          f"(tumour {r['agents_per_tumour_last']:,.0f} agents on day {r['day_last']:.1f})")
    print(f"model step (tumour + twin): {1000 * r['model_step_s']:.1f} ms "
          f"= {1 / r['model_step_s']:.0f} steps/s")
    print(f"cross-section raster:       {1000 * r['raster_s']:.1f} ms")
    print(f"live-plot figure:           {1000 * r['plots_s']:.1f} ms")
    print(f"page step + redraw:         {1000 * total:.1f} ms = {1 / total:.1f} steps/s shown")


if __name__ == "__main__":  # pragma: no cover
    main()
