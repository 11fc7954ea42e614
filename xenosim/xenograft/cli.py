"""Command-line entry points of the xenograft mode, called by ``xenosim run`` / ``xenosim validate``
for a mouse study (dispatch in :mod:`xenosim.cli`). Heavy modules load inside the functions."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from xenosim.core.config import ConfigErrors, parse_settings
from xenosim.core.terminal import console, err_console, fail_config, phase_progress
from xenosim.xenograft.config import load_experiment


def _load(config: Path, overrides: dict, settings: list[str] | None = None):
    try:
        return load_experiment(config, {**parse_settings(settings or [], str(config)),
                                        **overrides})
    except ConfigErrors as exc:
        fail_config(exc)


def run_xenograft_command(config: Path, *, seed: int | None, mice_per_arm: int | None, out: Path,
                          jobs: int, quiet: bool, settings: list[str] | None, analyze: bool,
                          scheduler: str | None) -> Path:
    """``xenosim run`` for a xenograft config: simulate the cohort, write the run, analyse it."""
    from xenosim.xenograft.output import write_results
    from xenosim.xenograft.runner import run_cohort

    exp = _load(config, {"seed": seed, "mice_per_arm": mice_per_arm}, settings)
    console.print(f"[bold]{exp.experiment}[/]: {len(exp.cell_lines)} cell line(s) x "
                  f"{len(exp.arms)} arms x {exp.mice_per_arm} mice, seed {exp.seed}, {jobs} job(s)")
    start = time.perf_counter()
    with phase_progress(quiet) as progress:
        if scheduler:  # same pure per-mouse runs, same seeds: identical results
            from dask.distributed import Client

            try:
                client = Client(scheduler, timeout="20s")
            except OSError as exc:
                err_console.print(f"[bold red]error:[/] cannot reach Dask scheduler "
                                  f"{scheduler!r}: {exc}")
                raise typer.Exit(2) from None
            with client:
                result = run_cohort(exp, jobs=jobs, executor=client.get_executor(),
                                    progress=progress)
        else:
            result = run_cohort(exp, jobs=jobs, progress=progress)
    elapsed = time.perf_counter() - start
    for w in result.warnings:
        console.print(f"[yellow]warning:[/] {w}")
    path = write_results(result, exp, out, config_path=str(config), jobs=jobs, elapsed_s=elapsed)
    console.print(f"simulated in {elapsed:.1f} s; results in [bold]{path}[/] "
                  f"(report.md, growth_curves.png, ...)")
    if analyze:
        analyze_run(path, exp.seed)
    return path

def analyze_run(path: Path, seed: int) -> None:
    """The arm comparison of a finished run (its own atomic directory, ``<run>/analysis``)."""
    from xenosim.analysis import AnalysisInputError, analyze, load_results_dir

    start = time.perf_counter()
    with console.status("comparing arms (mixed model, survival, synergy bootstrap) ..."):
        try:
            result = analyze(load_results_dir(path), path / "analysis", seed=seed)
        except AnalysisInputError as exc:  # e.g. an arm with a single mouse
            console.print(f"[yellow]analysis skipped:[/] {exc}")
            return
    console.print(f"analysed in {time.perf_counter() - start:.1f} s: "
                  f"[bold]{result.report_html}[/]")


def validate_xenograft_command(config: Path, settings: list[str] | None) -> None:
    """``xenosim validate`` for a xenograft config."""
    exp = _load(config, {}, settings)
    console.print(f"[green]OK[/] {config}: experiment {exp.experiment!r}, "
                  f"{len(exp.cell_lines)} cell line(s), {len(exp.arms)} arms")
