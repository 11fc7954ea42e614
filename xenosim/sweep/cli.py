"""``xenosim sweep`` and ``xenosim calibrate``: command functions registered in xenosim/cli.py.

Heavy imports (dask, pyarrow, SALib) stay inside the command bodies.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer


def _default_workers() -> int:
    return min(2, os.cpu_count() or 1)


def _fail(message: str) -> None:
    from xenosim.core.terminal import err_console

    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _preflight(loaded, out: Path, workers: int, force: bool) -> None:
    """Size estimate (tasks x one run of the base experiment) and output check, before any
    simulation (exit code 2 if too big without --force, or if OUT cannot be written)."""
    from xenosim.core.budget import sweep_budget, xenograft_budget
    from xenosim.core.terminal import before_run
    from xenosim.sweep.design import design_points
    from xenosim.xenograft.config import validate_dict

    # design points (cheap) x replicates: the tasks are not built before the size is known
    n_tasks = len(design_points(loaded.config)) * loaded.config.replicates
    per_task = xenograft_budget(validate_dict(loaded.base_raw, loaded.file), 1,
                                f"{loaded.file} (base)")
    before_run(out, sweep_budget(per_task, n_tasks, workers), force)


FORCE_HELP = "Run even if the size estimate (memory / time) is above the limits"


def sweep_command(
    config: Annotated[Path, typer.Argument(help="Sweep config (YAML), e.g. configs/sweeps/cci779_dose.yaml")],
    out: Annotated[Path, typer.Option(help="Root directory; results go to OUT/<sweep>/")] = Path(
        "results/sweeps"),
    scheduler: Annotated[str | None, typer.Option(
        help="Dask scheduler address (tcp://host:8786); default: a LocalCluster")] = None,
    workers: Annotated[int, typer.Option(help="LocalCluster worker processes")] = _default_workers(),
    seed: Annotated[int | None, typer.Option(help="Override the sweep seed")] = None,
    replicates: Annotated[int | None, typer.Option(help="Override replicates per point")] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
    force: Annotated[bool, typer.Option(help=FORCE_HELP)] = False,
) -> None:
    """Run (or resume) a parameter sweep on Dask: Parquet results, summary, figures."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from xenosim.core.config import ConfigErrors
    from xenosim.core.output import OutputError
    from xenosim.core.terminal import console, fail_config
    from xenosim.sweep.config import load_sweep
    from xenosim.sweep.runner import SweepOutputError, run_sweep

    if workers < 1:
        _fail(f"--workers must be >= 1 (got {workers})")
    try:
        loaded = load_sweep(config, {"seed": seed, "replicates": replicates})
        _preflight(loaded, out, 1 if scheduler else workers, force)
    except ConfigErrors as exc:
        fail_config(exc)
    cfg = loaded.config
    where = scheduler or f"LocalCluster with {workers} worker(s)"
    console.print(f"[bold]{cfg.sweep}[/]: {cfg.design.method} design over "
                  f"{', '.join(p.name for p in cfg.parameters)}, {cfg.replicates} replicate(s), "
                  f"seed {cfg.seed}, on {where}")
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("[red]{task.fields[failed]} failed"), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=console, disable=quiet) as bar:

        def progress(n_pending: int, n_total: int):
            if n_pending < n_total:
                console.print(f"resuming: {n_total - n_pending} of {n_total} tasks already done")
            task = bar.add_task("tasks", total=n_pending, failed=0)
            failed = [0]

            def tick(res) -> None:
                failed[0] += not res.ok
                bar.update(task, advance=1, failed=failed[0])
            return tick

        try:
            outcome = run_sweep(loaded, out, scheduler=scheduler, workers=workers,
                                progress=progress)
        except SweepOutputError as exc:
            _fail(str(exc))
        except OutputError as exc:
            _fail(str(exc))
        except OSError as exc:
            _fail(f"cannot write the sweep output under {out}: {exc}")
    if outcome.interrupted:
        console.print(f"[yellow]interrupted[/]: {outcome.n_skipped + outcome.n_done} of "
                      f"{outcome.n_tasks} tasks finished and saved in {outcome.out_dir}; "
                      f"re-run the same command to resume")
        raise typer.Exit(130)
    console.print(f"{outcome.n_done} task(s) run, {outcome.n_skipped} already done, "
                  f"{outcome.n_failed} failed, in {outcome.elapsed_s:.1f} s; results in "
                  f"[bold]{outcome.out_dir}[/] (summary.csv, report.md, "
                  f"{', '.join(f for f in outcome.figures if f.endswith('.png'))})")
    if outcome.n_failed:
        console.print("[yellow]some tasks failed[/]: see errors.csv; re-running retries them")
        raise typer.Exit(1)


def calibrate_command(
    config: Annotated[Path, typer.Argument(help="Calibration config (YAML): base, target table, "
                                                "parameters with prior ranges")],
    out: Annotated[Path, typer.Option(help="Root directory; results go to OUT/<name>/")] = Path(
        "results/calibration"),
    scheduler: Annotated[str | None, typer.Option(
        help="Dask scheduler address (tcp://host:8786); default: a LocalCluster")] = None,
    workers: Annotated[int, typer.Option(help="LocalCluster worker processes")] = _default_workers(),
    samples: Annotated[int | None, typer.Option(help="Override the number of prior draws")] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
    force: Annotated[bool, typer.Option(help=FORCE_HELP)] = False,
) -> None:
    """Fit parameters to a lab's caliper table (ABC rejection on the sweep backend)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from xenosim.core.config import ConfigErrors
    from xenosim.core.output import OutputError
    from xenosim.core.terminal import console, fail_config
    from xenosim.sweep.calibrate import load_calibration, run_calibration
    from xenosim.sweep.runner import SweepOutputError

    if workers < 1:
        _fail(f"--workers must be >= 1 (got {workers})")
    try:
        loaded = load_calibration(config, {"samples": samples})
        _preflight(loaded.sweep, out, 1 if scheduler else workers, force)
    except ConfigErrors as exc:
        fail_config(exc)
    cfg = loaded.config
    console.print(f"[bold]{cfg.calibrate}[/]: ABC over {', '.join(p.name for p in cfg.parameters)}"
                  f", {cfg.samples} prior draws x {cfg.replicates} replicate(s), keep "
                  f"{100 * cfg.accept:g} %; target {cfg.target.file} "
                  f"({loaded.target['mouse'].nunique()} mice)")
    with Progress(TextColumn("evaluations"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, disable=quiet) as bar:

        def progress(n_pending: int, n_total: int):
            task = bar.add_task("evaluations", total=n_pending)
            return lambda res: bar.advance(task)

        try:
            outcome, fitted = run_calibration(loaded, out, scheduler=scheduler, workers=workers,
                                              progress=progress)
        except SweepOutputError as exc:
            _fail(str(exc))
        except OutputError as exc:
            _fail(str(exc))
        except OSError as exc:
            _fail(f"cannot write the calibration output under {out}: {exc}")
    if outcome.interrupted:
        console.print(f"[yellow]interrupted[/]: evaluations so far are saved in "
                      f"{outcome.out_dir}; re-run the same command to resume")
        raise typer.Exit(130)
    t = Table(title="Fitted parameters (ABC posterior)")
    for c in ("parameter", "best", "median", "mean ± SD", "5-95 %", "prior"):
        t.add_column(c)
    for _, f in fitted.iterrows():
        t.add_row(f["parameter"], f"{f['best']:.4g}", f"{f['posterior_median']:.4g}",
                  f"{f['posterior_mean']:.4g} ± {f['posterior_sd']:.2g}",
                  f"{f['q05']:.4g} - {f['q95']:.4g}",
                  f"{f['prior_low']:g} - {f['prior_high']:g} ({f['prior_scale']})")
    console.print(t)
    from xenosim.sweep.calibrate import fit_warnings

    n_acc = int(fitted["n_accepted"].iloc[0]) if len(fitted) else 0
    console.print(f"{n_acc} of {int(fitted['n_evaluated'].iloc[0]) if len(fitted) else 0} "
                  f"draws accepted (effective sample size {n_acc})")
    for w in fit_warnings(fitted, cfg.accept):
        console.print(f"[bold yellow]warning:[/] {w}", highlight=False)
    console.print(f"{outcome.n_failed} evaluation(s) failed; results in [bold]{outcome.out_dir}[/]"
                  f" (fit.yaml, fit.csv, calibration.png, report.md)")
