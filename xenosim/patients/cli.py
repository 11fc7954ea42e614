"""``xenosim run`` / ``xenosim validate`` for virtual-patient configs (``mode: patients``)."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..config import ConfigErrors

console = Console()
err_console = Console(stderr=True)


def _load(config: Path, overrides: dict):
    from .config import load_patient_study

    try:
        return load_patient_study(config, overrides)
    except ConfigErrors as exc:
        err_console.print(f"[bold red]Invalid config[/] ({len(exc.errors)} problem"
                          f"{'s' if len(exc.errors) != 1 else ''}):")
        for e in exc.errors:
            err_console.print(f"  • {e.format()}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def run_patients(config: Path, seed: int | None, patients_per_arm: int | None, out: Path,
                 jobs: int, quiet: bool) -> Path:
    """Run a virtual-patient trial and write its results directory."""
    from .output import write_trial_results
    from .runner import run_trial

    study = _load(config, {"seed": seed, "patients_per_arm": patients_per_arm})
    console.print(f"[bold]{study.experiment}[/]: virtual-patient trial, {len(study.arms)} arms x "
                  f"{study.patients_per_arm} patients, seed {study.seed}, {jobs} job(s)")
    start = time.perf_counter()
    with Progress(TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, disable=quiet) as bar:

        def progress(phase: str, total: int):
            task = bar.add_task(phase, total=total)
            return lambda: bar.advance(task)

        result = run_trial(study, jobs=jobs, progress=progress)
    elapsed = time.perf_counter() - start
    for w in result.warnings:
        console.print(f"[yellow]warning:[/] {w}")
    path = write_trial_results(result, study, out, config_path=str(config), jobs=jobs,
                               elapsed_s=elapsed)
    console.print(f"simulated in {elapsed:.1f} s; results in [bold]{path}[/] "
                  f"(report.md, km.png, hazard_ratios.csv, ...)")
    return path


def validate_patients(config: Path) -> None:
    """Check a virtual-patient config (exit code 2 and located errors if invalid)."""
    study = _load(config, {})
    console.print(f"[green]OK[/] {config}: virtual-patient trial {study.experiment!r}, "
                  f"{len(study.arms)} arms x {study.patients_per_arm} patients")
