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
        # options left unset (None) must not undo a --set of the same key
        given = {k: v for k, v in overrides.items() if v is not None}
        return load_experiment(config, {**parse_settings(settings or [], str(config)), **given})
    except ConfigErrors as exc:
        fail_config(exc)


def run_xenograft_command(config: Path, *, seed: int | None, mice_per_arm: int | None, out: Path,
                          jobs: int, quiet: bool, settings: list[str] | None, analyze: bool,
                          scheduler: str | None, force: bool = False,
                          snapshot_days: str | None = None, engine: str | None = None) -> Path:
    """``xenosim run`` for a xenograft config: simulate the cohort, write the run, analyse it."""
    from xenosim.core.budget import xenograft_budget
    from xenosim.core.terminal import before_run
    from xenosim.xenograft.output import write_results
    from xenosim.xenograft.runner import run_cohort
    from xenosim.xenograft.snapshots import parse_days

    try:
        days = parse_days(snapshot_days)
    except ValueError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from None
    exp = _load(config, {"seed": seed, "mice_per_arm": mice_per_arm,
                         "snapshot_days": days or None, "engine": engine}, settings)
    late = [d for d in exp.snapshot_days if d > exp.study_days]
    if late:
        err_console.print(f"[bold red]error:[/] --snapshot-days {late[0]:g}: past the study end; "
                          f"allowed: 0 to study_days ({exp.study_days:g})")
        raise typer.Exit(2)
    client = connect_scheduler(scheduler) if scheduler else None
    before_run(out, xenograft_budget(exp, jobs, str(config)), force)
    console.print(f"[bold]{exp.experiment}[/]: {len(exp.cell_lines)} cell line(s) x "
                  f"{len(exp.arms)} arms x {exp.mice_per_arm} mice, seed {exp.seed}, {jobs} job(s), "
                  f"engine {exp.engine}")
    start = time.perf_counter()
    with phase_progress(quiet) as progress:
        if client is not None:  # same pure per-mouse runs, same seeds: identical results
            with client:
                result = run_cohort(exp, jobs=jobs, executor=client.get_executor(),
                                    progress=progress)
        else:
            result = run_cohort(exp, jobs=jobs, progress=progress)
    elapsed = time.perf_counter() - start
    for w in result.warnings:
        console.print(f"[yellow]warning:[/] {w}")
    overrides = parse_settings(settings or [], str(config))
    path = write_results(result, exp, out, config_path=str(config), jobs=jobs, elapsed_s=elapsed,
                         overrides=overrides)
    console.print(f"simulated in {elapsed:.1f} s; results in [bold]{path}[/] "
                  f"(report.html, report.md, growth_curves.png, ...)")
    if analyze:
        analyze_run(path, exp.seed)
    return path

def connect_scheduler(address: str):
    """A Dask client on a checked scheduler address, or exit code 2 with one line."""
    from xenosim.core.scheduler import SchedulerError, connect

    try:
        return connect(address)
    except SchedulerError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from None


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
