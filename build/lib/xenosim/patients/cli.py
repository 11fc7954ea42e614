"""``xenosim run`` / ``xenosim validate`` for virtual-patient configs (``mode: patients``)."""

from __future__ import annotations

import time
from pathlib import Path

from xenosim.core.config import ConfigErrors
from xenosim.core.terminal import console, fail_config, phase_progress


def _load(config: Path, overrides: dict):
    from xenosim.patients.config import load_patient_study

    try:
        return load_patient_study(config, overrides)
    except ConfigErrors as exc:
        fail_config(exc)


def run_patients(config: Path, seed: int | None, patients_per_arm: int | None, out: Path,
                 jobs: int, quiet: bool) -> Path:
    """Run a virtual-patient trial and write its results directory."""
    from xenosim.patients.output import write_trial_results
    from xenosim.patients.runner import run_trial

    study = _load(config, {"seed": seed, "patients_per_arm": patients_per_arm})
    console.print(f"[bold]{study.experiment}[/]: virtual-patient trial, {len(study.arms)} arms x "
                  f"{study.patients_per_arm} patients, seed {study.seed}, {jobs} job(s)")
    start = time.perf_counter()
    with phase_progress(quiet) as progress:
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
