"""Command-line entry points of the in vitro mode, called by ``xenosim run`` / ``xenosim validate``
when a config says ``mode: invitro`` (dispatch in :mod:`xenosim.cli`).

Kept light at import time: the simulation, analysis and plotting modules load inside the
functions, so ``xenosim --help`` stays fast.
"""

from __future__ import annotations

import time
from pathlib import Path

from xenosim.core.config import config_mode
from xenosim.core.terminal import console, phase_progress


def is_invitro_config(path: Path) -> bool:
    """True if ``path`` is a readable YAML mapping with ``mode: invitro`` (any other file, broken
    ones included, goes to the xenograft loader, which reports its problems)."""
    return config_mode(path) == "invitro"


def _load(config: Path, overrides: dict, fail):
    from xenosim.core.config import ConfigErrors
    from xenosim.invitro.config import load_invitro

    try:
        return load_invitro(config, overrides)
    except ConfigErrors as exc:
        fail(exc)


def run_invitro_command(config: Path, *, seed: int | None, out: Path, jobs: int, quiet: bool,
                        fail) -> None:
    """``xenosim run`` for an in vitro config: simulate every well, analyse, write atomically.

    ``fail(ConfigErrors)`` prints the located errors and exits with code 2 (xenosim.cli's)."""
    from xenosim.invitro.runner import simulate, write_invitro_results

    exp = _load(config, {"seed": seed}, fail)
    n_wells = sum(len(p.lines(exp)) * len(p.media) * len(p.condition_list()) * p.replicates
                  for p in exp.plates.values())
    console.print(f"[bold]{exp.experiment}[/] (in vitro): {len(exp.plates)} plate(s), "
                  f"{n_wells} wells, seed {exp.seed}, {jobs} job(s)")
    start = time.perf_counter()
    with phase_progress(quiet) as progress:
        result = simulate(exp, jobs=jobs, progress=progress)
    for w in result.warnings:
        console.print(f"[yellow]warning:[/] {w}")
    path = write_invitro_results(result, exp, out, jobs=jobs, config_path=str(config))
    console.print(f"simulated and analysed in {time.perf_counter() - start:.1f} s; results in "
                  f"[bold]{path}[/] (report.md, wells.csv, dose_response.csv, ...)")


def validate_invitro_command(config: Path, fail) -> None:
    """``xenosim validate`` for an in vitro config."""
    exp = _load(config, {}, fail)
    n_wells = sum(len(p.lines(exp)) * len(p.media) * len(p.condition_list()) * p.replicates
                  for p in exp.plates.values())
    console.print(f"[green]OK[/] {config}: in vitro experiment {exp.experiment!r}, "
                  f"{len(exp.cell_lines)} cell line(s), {len(exp.plates)} plate(s), "
                  f"{n_wells} wells")


