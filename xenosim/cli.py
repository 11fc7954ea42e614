"""The command line: a thin layer over the library (run, validate, list, params, ...)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .config import ConfigErrors, load_experiment

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="xenosim: an agent-based in-silico xenograft laboratory.")
console = Console()
err_console = Console(stderr=True)


def _fail_config(exc: ConfigErrors) -> None:
    err_console.print(f"[bold red]Invalid config[/] ({len(exc.errors)} problem"
                      f"{'s' if len(exc.errors) != 1 else ''}):")
    for e in exc.errors:
        err_console.print(f"  • {e.format()}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _load(config: Path, overrides: dict):
    try:
        return load_experiment(config, overrides)
    except ConfigErrors as exc:
        _fail_config(exc)


@app.command()
def run(
    config: Annotated[Path, typer.Argument(help="Experiment config (YAML)")],
    seed: Annotated[int | None, typer.Option(help="Override the config's seed")] = None,
    mice_per_arm: Annotated[int | None, typer.Option(help="Override mice per arm")] = None,
    out: Annotated[Path, typer.Option(help="Results root directory")] = Path("results"),
    jobs: Annotated[int, typer.Option(help="Parallel worker processes")] = min(2, os.cpu_count() or 1),
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
) -> None:
    """Run an experiment: writes results/<experiment>/<run-id>/ (tables, figures, report)."""
    from .cohort import run_cohort
    from .output import write_results

    exp = _load(config, {"seed": seed, "mice_per_arm": mice_per_arm})
    console.print(f"[bold]{exp.experiment}[/]: {len(exp.cell_lines)} cell line(s) x "
                  f"{len(exp.arms)} arms x {exp.mice_per_arm} mice, seed {exp.seed}, {jobs} job(s)")
    start = time.perf_counter()
    with Progress(TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, disable=quiet) as bar:

        def progress(phase: str, total: int):
            task = bar.add_task(phase, total=total)
            return lambda: bar.advance(task)

        result = run_cohort(exp, jobs=jobs, progress=progress)
    elapsed = time.perf_counter() - start
    for w in result.warnings:
        console.print(f"[yellow]warning:[/] {w}")
    path = write_results(result, exp, out, config_path=str(config), jobs=jobs, elapsed_s=elapsed)
    console.print(f"simulated in {elapsed:.1f} s; results in [bold]{path}[/] "
                  f"(report.md, growth_curves.png, ...)")


@app.command()
def validate(config: Annotated[Path, typer.Argument(help="Experiment config (YAML)")]) -> None:
    """Check a config without running it (exit code 2 and located errors if invalid)."""
    exp = _load(config, {})
    console.print(f"[green]OK[/] {config}: experiment {exp.experiment!r}, "
                  f"{len(exp.cell_lines)} cell line(s), {len(exp.arms)} arms")


@app.command("list")
def list_library() -> None:
    """Built-in experiments, cell lines, genotype modifiers and drugs."""
    from .drugs import DRUGS
    from .genotypes import CELL_LINES, MODIFIERS

    configs = Path("configs")
    table = Table(title="Experiments (configs/)")
    table.add_column("config")
    table.add_column("experiment")
    for f in sorted(configs.glob("*.yaml")) if configs.is_dir() else []:
        try:
            table.add_row(str(f), load_experiment(f).experiment)
        except ConfigErrors:
            table.add_row(str(f), "[red]invalid[/]")
    console.print(table)
    t = Table(title="Cell lines")
    for c in ("name", "modifiers", "description"):
        t.add_column(c)
    for name, (mods, desc) in CELL_LINES.items():
        t.add_row(name, ", ".join(mods) or "-", desc)
    console.print(t)
    t = Table(title="Genotype modifiers")
    t.add_column("modifier")
    t.add_column("signalling consequence")
    for name, (_, desc) in MODIFIERS.items():
        t.add_row(name, desc)
    console.print(t)
    t = Table(title="Drugs")
    for c in ("drug", "target", "routes", "description"):
        t.add_column(c)
    for d in DRUGS.values():
        t.add_row(d.name, d.target, ", ".join(d.routes), d.description)
    console.print(t)


@app.command()
def params(
    grade: Annotated[str | None, typer.Option(help="Only this grade")] = None,
) -> None:
    """The parameter table: value, unit, evidence grade and source of every parameter."""
    from .drugs import DRUGS
    from .parameters import PARAMETERS

    t = Table(title="Model parameters", show_lines=False)
    for c in ("name", "value", "unit", "grade", "source", "note"):
        t.add_column(c, overflow="fold")
    everything = list(PARAMETERS.values()) + [p for d in DRUGS.values() for p in d.params()]
    for p in everything:
        if grade and p.grade != grade:
            continue
        colour = {"measured": "green", "derived": "cyan", "assumed": "yellow"}[p.grade]
        t.add_row(p.name, f"{p.value:g}", p.unit, f"[{colour}]{p.grade}[/]", p.source, p.note)
    console.print(t)


def _register_analysis() -> None:
    """``xenosim analyze`` / ``xenosim compare`` live in :mod:`xenosim.analysis.cli`."""
    from .analysis.cli import analyze_command, compare_command

    app.command("analyze")(analyze_command)
    app.command("compare")(compare_command)


_register_analysis()


def _register_teaching() -> None:
    """``xenosim app`` (the teaching page) lives in :mod:`xenosim.teaching.cli`."""
    from .teaching.cli import app_command

    app.command("app")(app_command)


_register_teaching()


def main() -> None:  # pragma: no cover
    app()
