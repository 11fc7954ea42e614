"""The command line: a thin layer over the library (run, validate, list, params, ...)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from xenosim.core.config import ConfigErrors
from xenosim.core.terminal import console, err_console, fail_config

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="xenosim: an agent-based in-silico xenograft laboratory.")


def _reject_options(kind: str, options: dict) -> None:
    """Options that mean nothing for this kind of config are refused, not silently ignored."""
    given = [name for name, value in options.items() if value not in (None, [], ())]
    if given:
        err_console.print(f"[bold red]error:[/] {', '.join(given)} does not apply to a {kind} "
                          f"config")
        raise typer.Exit(2)


SETTINGS_HELP = ("Change a config value for this run: KEY.PATH=VALUE (repeatable), e.g. "
                 "--set mechanisms.ser167_er_link=false --set experiment=no_ser167")


@app.command()
def run(
    config: Annotated[Path, typer.Argument(help="Experiment config (YAML)")],
    seed: Annotated[int | None, typer.Option(help="Override the config's seed")] = None,
    mice_per_arm: Annotated[int | None, typer.Option(help="Override mice per arm")] = None,
    out: Annotated[Path, typer.Option(help="Results root directory")] = Path("results"),
    jobs: Annotated[int, typer.Option(help="Parallel worker processes")] = min(2, os.cpu_count() or 1),
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
    settings: Annotated[list[str] | None, typer.Option("--set", help=SETTINGS_HELP)] = None,
    analyze: Annotated[bool, typer.Option(
        help="Also compare the arms (statistics, synergy, figures, report.html) into "
             "<run>/analysis, as 'xenosim analyze' does")] = True,
    scheduler: Annotated[str | None, typer.Option(
        help="Run the mice on a Dask cluster (tcp://host:8786) instead of local processes")] = None,
    patients_per_arm: Annotated[int | None, typer.Option(
        help="Override patients per arm (virtual-patient configs)")] = None,
    twins: Annotated[bool, typer.Option(
        help="Also run every enrolled mouse under every arm (common random numbers): "
             "counterfactual.csv and true_effects.csv in the run")] = False,
) -> None:
    """Run an experiment: writes results/<experiment>/<run-id>/ (tables, figures, report).

    A config with ``mode: invitro`` runs plates of wells instead of mice (xenosim.invitro)."""
    from xenosim.invitro.cli import is_invitro_config

    if is_invitro_config(config):
        from xenosim.invitro.cli import run_invitro_command

        _reject_options("in vitro", {"--mice-per-arm": mice_per_arm, "--set": settings,
                                     "--scheduler": scheduler,
                                     "--patients-per-arm": patients_per_arm})
        run_invitro_command(config, seed=seed, out=out, jobs=jobs, quiet=quiet,
                            fail=fail_config)
        return
    from xenosim.patients.config import is_patient_config

    if is_patient_config(config):  # mode: patients -> the virtual-patient trial runner
        from xenosim.patients.cli import run_patients

        _reject_options("virtual-patient", {"--mice-per-arm": mice_per_arm, "--set": settings,
                                            "--scheduler": scheduler})
        run_patients(config, seed, patients_per_arm, out, jobs, quiet)
        return
    _reject_options("xenograft", {"--patients-per-arm": patients_per_arm})
    from xenosim.xenograft.cli import run_xenograft_command

    path = run_xenograft_command(config, seed=seed, mice_per_arm=mice_per_arm, out=out, jobs=jobs,
                                 quiet=quiet, settings=settings, analyze=analyze,
                                 scheduler=scheduler)
    if twins:
        from xenosim.design.twins import write_counterfactual
        from xenosim.xenograft.config import load_experiment

        cf, eff = write_counterfactual(load_experiment(path / "config.yaml"), path, jobs)
        console.print(f"twins: {cf.name}, {eff.name} in [bold]{path}[/]")


@app.command()
def validate(
    config: Annotated[Path, typer.Argument(help="Experiment config (YAML)")],
    settings: Annotated[list[str] | None, typer.Option("--set", help=SETTINGS_HELP)] = None,
) -> None:
    """Check a config without running it (exit code 2 and located errors if invalid)."""
    from xenosim.invitro.cli import is_invitro_config
    from xenosim.patients.config import is_patient_config

    if is_invitro_config(config):
        from xenosim.invitro.cli import validate_invitro_command

        _reject_options("in vitro", {"--set": settings})
        validate_invitro_command(config, fail=fail_config)
        return
    if is_patient_config(config):
        from xenosim.patients.cli import validate_patients

        _reject_options("virtual-patient", {"--set": settings})
        validate_patients(config)
        return
    from xenosim.xenograft.cli import validate_xenograft_command

    validate_xenograft_command(config, settings)


@app.command("list")
def list_library() -> None:
    """Built-in experiments, cell lines, genotype modifiers and drugs."""
    from xenosim.core.drugs import DRUGS
    from xenosim.core.genotypes import CELL_LINES, MODIFIERS
    from xenosim.invitro.cli import is_invitro_config
    from xenosim.invitro.config import load_invitro

    configs = Path("configs")
    table = Table(title="Experiments (configs/)")
    table.add_column("config")
    table.add_column("experiment")
    from xenosim.patients.config import is_patient_config, load_patient_study
    from xenosim.xenograft.config import load_experiment

    for f in sorted(configs.glob("*.yaml")) if configs.is_dir() else []:
        try:
            if is_invitro_config(f):
                table.add_row(str(f), f"{load_invitro(f).experiment} (in vitro)")
            elif is_patient_config(f):
                table.add_row(str(f), load_patient_study(f).experiment + " (virtual patients)")
            else:
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
    for c in ("drug", "target", "routes", "PK", "description"):
        t.add_column(c)
    for d in DRUGS.values():
        t.add_row(d.name, d.target, ", ".join(d.routes), ", ".join(d.species), d.description)
    console.print(t)


@app.command()
def params(
    grade: Annotated[str | None, typer.Option(help="Only this grade")] = None,
) -> None:
    """The parameter table: value, unit, evidence grade and source of every parameter."""
    from xenosim.core.drugs import DRUGS
    from xenosim.core.parameters import PARAMETERS
    from xenosim.invitro import params as _invitro_params  # noqa: F401  (registers in vitro parameters)

    t = Table(title="Model parameters", show_lines=False)
    for c in ("name", "value", "unit", "grade", "source", "note"):
        t.add_column(c, overflow="fold")
    everything = list(PARAMETERS.values()) + [p for d in DRUGS.values() if not d.alias_of
                                               for p in d.params()]
    for p in everything:
        if grade and p.grade != grade:
            continue
        colour = {"measured": "green", "derived": "cyan", "assumed": "yellow"}[p.grade]
        t.add_row(p.name, f"{p.value:g}", p.unit, f"[{colour}]{p.grade}[/]", p.source, p.note)
    console.print(t)


def _register_analysis() -> None:
    """``xenosim analyze`` / ``xenosim compare`` live in :mod:`xenosim.analysis.cli`."""
    from xenosim.analysis.cli import analyze_command, compare_command

    app.command("analyze")(analyze_command)
    app.command("compare")(compare_command)


_register_analysis()


def _register_sweep() -> None:
    """``xenosim sweep`` / ``xenosim calibrate`` live in :mod:`xenosim.sweep.cli`."""
    from xenosim.sweep.cli import calibrate_command, sweep_command

    app.command("sweep")(sweep_command)
    app.command("calibrate")(calibrate_command)


_register_sweep()


def _register_teaching() -> None:
    """``xenosim app`` (the teaching page) lives in :mod:`xenosim.teaching.cli`."""
    from xenosim.teaching.cli import app_command

    app.command("app")(app_command)


_register_teaching()


def _register_design() -> None:
    """``xenosim design`` (power and sample size) lives in :mod:`xenosim.design.cli`."""
    from xenosim.design.cli import design_command

    app.command("design")(design_command)


_register_design()


def main() -> None:  # pragma: no cover
    app()
