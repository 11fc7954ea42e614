"""Run an in vitro study: simulate every well (in parallel if asked), analyse, write results.

Results go to ``<out_root>/<experiment>/<run-id>/`` through
:func:`xenosim.core.output.atomic_directory`: config, manifest, tidy tables (``wells.csv`` per well x
day; ``growth.csv``, ``dose_response.csv``, ``synergy.csv``, ``reporter.csv``), figures and
``report.md``. Each well is seeded from the experiment seed and its own identity, so the numbers
do not depend on ``jobs``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from xenosim.core.output import atomic_directory, write_manifest
from xenosim.invitro import figures, report
from xenosim.invitro.analysis import InVitroTables, add_condition_labels, analyse
from xenosim.invitro.config import InVitroExperiment, dump_invitro
from xenosim.invitro.wells import WellSpec, simulate_wells, well_specs
from xenosim.xenograft.runner import run_tasks

Progress = Callable[[str, int], Callable[[], None]]


@dataclass
class InVitroResult:
    """A finished simulation: the tables and any warnings."""

    tables: InVitroTables
    warnings: list[str]
    n_wells: int
    elapsed_s: float


def new_run_id(exp: InVitroExperiment) -> str:
    """A sortable, readable run id: UTC time and seed (as for xenograft runs)."""
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-seed{exp.seed}"


def _chunks(specs: list[WellSpec], size: int) -> list[list[WellSpec]]:
    return [specs[i:i + size] for i in range(0, len(specs), size)]


def simulate(exp: InVitroExperiment, jobs: int = 1, progress: Progress | None = None,
             chunk_size: int = 24) -> InVitroResult:
    """Simulate and analyse every well of every plate."""
    start = time.perf_counter()
    specs = well_specs(exp)
    chunks = _chunks(specs, chunk_size)
    # the bar counts what it ticks: batches of up to chunk_size wells (not wells, not plates)
    tick = progress(f"well batches (<= {chunk_size} wells)", len(chunks)) if progress else None
    results = run_tasks(simulate_wells, [(exp, c) for c in chunks], jobs, None, tick)
    wells = pd.DataFrame([row for chunk in results for row in chunk])
    wells = add_condition_labels(wells, exp)
    wells = wells.sort_values(["plate", "cell_line", "medium", "well", "day"], kind="mergesort",
                              key=_plate_order(exp)).reset_index(drop=True)
    tables = analyse(exp, wells)
    return InVitroResult(tables, _warnings(exp, wells), len(specs),
                         time.perf_counter() - start)


def _plate_order(exp: InVitroExperiment):
    order = {name: i for i, name in enumerate(exp.plates)}

    def key(col: pd.Series) -> pd.Series:
        return col.map(order) if col.name == "plate" else col

    return key


def _warnings(exp: InVitroExperiment, wells: pd.DataFrame) -> list[str]:
    """Wells past confluence (the model has no contact inhibition)."""
    out = []
    for pname, plate in exp.plates.items():
        d = wells[wells["plate"] == pname]
        density = d["viable_cells_true"].max() / plate.well_area_cm2
        if density > exp.confluence_cells_per_cm2:
            out.append(f"plate {pname}: up to {density:.3g} cells/cm2, above confluence "
                       f"({exp.confluence_cells_per_cm2:.3g}); real wells would stop growing "
                       f"(the model has no contact inhibition) - seed fewer cells or count earlier")
    return out


def write_invitro_results(result: InVitroResult, exp: InVitroExperiment, out_root: Path, *,
                          jobs: int, config_path: str | None = None,
                          run_id: str | None = None) -> Path:
    """Write config, manifest, tables, figures and report atomically; return the run directory."""
    run_id = run_id or new_run_id(exp)
    final = Path(out_root) / exp.experiment / run_id
    with atomic_directory(final) as tmp:
        (tmp / "config.yaml").write_text(dump_invitro(exp))
        for name, df in result.tables.as_dict().items():
            df.to_csv(tmp / f"{name}.csv", index=False, float_format="%.6g")
        written = figures.all_figures(exp, result.tables, tmp)
        written.append(report.write_report(tmp, exp, result.tables, written, result.warnings))
        write_manifest(tmp, experiment=exp.experiment, run_id=run_id, seed=exp.seed,
                       config_path=config_path, elapsed_s=result.elapsed_s, jobs=jobs,
                       warnings=result.warnings, extra_files=written, mode="invitro",
                       n_wells=result.n_wells)
    return final




def run_invitro(exp: InVitroExperiment, out_root: Path, jobs: int = 1,
                progress: Progress | None = None, config_path: str | None = None) -> Path:
    """Simulate, analyse and write an in vitro study; return ``out_root/<experiment>/<run-id>/``.

    ``progress(phase, total)`` may return a callback ticked per chunk of wells (as for cohorts).
    """
    result = simulate(exp, jobs=jobs, progress=progress)
    return write_invitro_results(result, exp, Path(out_root), jobs=jobs, config_path=config_path)
