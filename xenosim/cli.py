"""The command line: a thin layer over the library (run, validate, list, params, ...)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from xenosim.core.config_errors import ConfigErrors
from xenosim.core.terminal import console, err_console, fail_config, fail_output, output_errors

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="xenosim: an agent-based in-silico xenograft laboratory.")


def _reject_options(kind: str, options: dict) -> None:
    """Options that mean nothing for this kind of config are refused, not silently ignored."""
    given = [name for name, value in options.items() if value not in (None, [], ())]
    if given:
        err_console.print(f"[bold red]error:[/] {', '.join(given)} does not apply to a {kind} "
                          f"config")
        raise typer.Exit(2)


def packaged_configs_dir() -> Path:
    """The built-in experiment configs shipped inside the package (``xenosim/configs``)."""
    return Path(__file__).resolve().parent / "configs"


def resolve_config(config: Path) -> Path:
    """``config`` if it exists; else the built-in config of that name (``configs/x.yaml`` or
    ``x.yaml`` or ``x``), so README commands work from any directory; else ``config`` unchanged
    (its loader then reports the missing file)."""
    if config.exists():
        return config
    parts = config.parts[1:] if config.parts[:1] == ("configs",) else config.parts
    if not parts:
        return config
    candidate = packaged_configs_dir().joinpath(*parts)
    for c in (candidate, candidate.with_suffix(".yaml")):
        if c.is_file():
            return c
    return config


FORMATS = ("table", "csv", "json")


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        err_console.print(f"[bold red]error:[/] --format {fmt!r}: one of {', '.join(FORMATS)}")
        raise typer.Exit(2)


def _emit(sections: list[tuple[str, list[str], list[list[str]]]], fmt: str) -> None:
    """Print titled tables as rich tables, one CSV (a ``table`` column names the section when
    there are several) or JSON (title -> list of records)."""
    if fmt == "json":
        import json

        print(json.dumps({title: [dict(zip(cols, row, strict=True)) for row in rows]
                          for title, cols, rows in sections}, indent=2))
        return
    if fmt == "csv":
        import csv
        import sys

        w = csv.writer(sys.stdout, lineterminator="\n")
        several = len(sections) > 1
        if several:
            cols = ["table"] + sorted({c for _, cs, _ in sections for c in cs},
                                      key=[c for _, cs, _ in sections for c in cs].index)
            w.writerow(cols)
            for title, cs, rows in sections:
                for row in rows:
                    rec = dict(zip(cs, row, strict=True))
                    w.writerow([title] + [rec.get(c, "") for c in cols[1:]])
        else:
            title, cs, rows = sections[0]
            w.writerow(cs)
            w.writerows([repr(v) if isinstance(v, float) else v for v in row] for row in rows)
        return
    for title, cols, rows in sections:
        t = Table(title=title)
        for c in cols:
            t.add_column(c, overflow="fold")
        for row in rows:
            t.add_row(*row)
        console.print(t, highlight=False)


FORMAT_HELP = "Output format: table (for reading), csv or json (for other tools)"

SETTINGS_HELP = ("Change a config value for this run: KEY.PATH=VALUE (repeatable), e.g. "
                 "--set mechanisms.ser167_er_link=false --set experiment=no_ser167")


@app.command()
def run(
    config: Annotated[Path, typer.Argument(help="Experiment config (YAML)")],
    seed: Annotated[int | None, typer.Option(help="Override the config's seed")] = None,
    mice_per_arm: Annotated[int | None, typer.Option(help="Override mice per arm")] = None,
    out: Annotated[Path, typer.Option(help="Results root directory")] = Path("results"),
    jobs: Annotated[int, typer.Option(help="Parallel worker processes", min=1, max=256)] = min(
        2, os.cpu_count() or 1),
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
    settings: Annotated[list[str] | None, typer.Option("--set", help=SETTINGS_HELP)] = None,
    analyze: Annotated[bool, typer.Option(
        help="Also compare the arms (statistics, synergy, figures, report.html) into "
             "<run>/analysis, as 'xenosim analyze' does")] = True,
    scheduler: Annotated[str | None, typer.Option(
        help="Run the mice on a Dask cluster (tcp://host:8786) instead of local processes")] = None,
    patients_per_arm: Annotated[int | None, typer.Option(
        help="Override patients per arm (virtual-patient configs)")] = None,
    force: Annotated[bool, typer.Option(
        help="Run even if the size estimate (memory / time) is above the limits")] = False,
    snapshot_days: Annotated[str | None, typer.Option(
        help="Write every cell's state on these treatment days, e.g. 0,28,56 "
             "(snapshots.parquet; read with xenosim.xenograft.snapshots.load_snapshots)")] = None,
    twins: Annotated[bool, typer.Option(
        help="Also run every enrolled mouse under every arm (common random numbers): "
             "counterfactual.csv and true_effects.csv in the run")] = False,
    engine: Annotated[str | None, typer.Option(
        help="How tumours are stepped: fused (numba; the default where installed), numpy, "
             "or reference (one Mesa agent per cell; small studies only). Xenograft configs; "
             "overrides the config's engine")] = None,
) -> None:
    """Run an experiment: writes results/<experiment>/<run-id>/ (tables, figures, report).

    A config with ``mode: invitro`` runs plates of wells instead of mice (xenosim.invitro)."""
    from xenosim.core.config import config_kind

    kind = config_kind(config)
    if kind in ("sweep", "calibration"):
        command = "sweep" if kind == "sweep" else "calibrate"
        err_console.print(f"[bold red]error:[/] {config} is a {kind} config; run it with "
                          f"'xenosim {command} {config}'", highlight=False)
        raise typer.Exit(2)
    from xenosim.invitro.cli import is_invitro_config

    config = resolve_config(config)
    if is_invitro_config(config):
        from xenosim.invitro.cli import run_invitro_command

        _reject_options("in vitro", {"--mice-per-arm": mice_per_arm, "--set": settings,
                                     "--scheduler": scheduler,
                                     "--patients-per-arm": patients_per_arm,
                                     "--snapshot-days": snapshot_days,
                                     "--twins": twins or None, "--engine": engine})
        with output_errors():
            run_invitro_command(config, seed=seed, out=out, jobs=jobs, quiet=quiet,
                                fail=fail_config, force=force)
        return
    from xenosim.patients.config import is_patient_config

    if is_patient_config(config):  # mode: patients -> the virtual-patient trial runner
        from xenosim.patients.cli import run_patients

        _reject_options("virtual-patient", {"--mice-per-arm": mice_per_arm, "--set": settings,
                                            "--scheduler": scheduler,
                                            "--snapshot-days": snapshot_days,
                                            "--twins": twins or None, "--engine": engine})
        with output_errors():
            run_patients(config, seed, patients_per_arm, out, jobs, quiet, force)
        return
    _reject_options("xenograft", {"--patients-per-arm": patients_per_arm})
    from xenosim.xenograft.cli import run_xenograft_command

    with output_errors():
        path = run_xenograft_command(config, seed=seed, mice_per_arm=mice_per_arm, out=out,
                                     jobs=jobs, quiet=quiet, settings=settings, analyze=analyze,
                                     scheduler=scheduler, force=force,
                                     snapshot_days=snapshot_days, engine=engine)
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
    """Check a config without running it (exit code 2 and located errors if invalid):
    xenograft, in vitro, virtual-patient, sweep and calibration configs."""
    from xenosim.core.config import config_kind

    kind = config_kind(config)
    if kind in ("sweep", "calibration"):
        _reject_options(kind, {"--set": settings})
        _validate_sweep_or_calibration(config, kind)
        return
    from xenosim.invitro.cli import is_invitro_config
    from xenosim.patients.config import is_patient_config

    config = resolve_config(config)
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


def _validate_sweep_or_calibration(config: Path, kind: str) -> None:
    try:
        if kind == "sweep":
            from xenosim.sweep.config import load_sweep
            from xenosim.sweep.design import make_tasks

            loaded = load_sweep(config)
            n = len({t.task_id for t in make_tasks(loaded.config)})
            console.print(f"[green]OK[/] {config}: sweep {loaded.config.sweep!r}, {n} task(s) "
                          f"over {', '.join(p.name for p in loaded.config.parameters)}")
        else:
            from xenosim.sweep.calibrate import load_calibration

            cal = load_calibration(config)
            console.print(f"[green]OK[/] {config}: calibration {cal.config.calibrate!r}, "
                          f"{cal.config.samples} prior draws over "
                          f"{', '.join(p.name for p in cal.config.parameters)}")
    except ConfigErrors as exc:
        fail_config(exc)


@app.command()
def qualify(
    config: Annotated[Path, typer.Argument(help="Experiment config (YAML)")] = Path(
        "configs/degraffenried2004.yaml"),
    seeds: Annotated[int, typer.Option(min=1, max=20, help="Number of seeds (studies)")] = 3,
    first_seed: Annotated[int, typer.Option(help="First seed; then first+1, ...")] = 2004,
    cells_per_agent: Annotated[float | None, typer.Option(
        min=1000.0, help="Resolution override (the validation tests use 18000)")] = None,
    agents_per_well: Annotated[int, typer.Option(
        min=20, max=5000, help="In vitro resolution (agents per well)")] = 400,
    sweep_cells_per_agent: Annotated[float, typer.Option(
        min=1000.0, help="Resolution of the dose sweeps and the schedule cohort")] = 50000.0,
    sweep_mice: Annotated[int, typer.Option(
        min=2, max=20, help="Mice per replicate cohort of each sweep dose")] = 4,
    schedule_mice: Annotated[int, typer.Option(
        min=3, max=40, help="Mice per schedule (CCI-779 daily x5 vs weekly)")] = 8,
    patients_per_arm: Annotated[int, typer.Option(
        min=10, max=2000, help="Virtual patients per trial arm")] = 40,
    agents_per_patient: Annotated[int, typer.Option(
        min=50, max=5000, help="Virtual-patient resolution (agents per patient)")] = 200,
    only: Annotated[str | None, typer.Option(
        help="Comma-separated subset of: xenograft, invitro, dose, pd, trials")] = None,
    out: Annotated[Path, typer.Option(help="Output root")] = Path("results"),
    jobs: Annotated[int, typer.Option(min=1, help="Worker processes")] = 2,
) -> None:
    """The validation dossier: every published finding the project checks (xenograft, in vitro,
    dose-response and schedule, virtual-patient trials), over several seeds (value, spread, how
    often it holds, pass / fail, and whether the model was calibrated to it)."""
    from xenosim.core.output import OutputError, preflight_output
    from xenosim.xenograft.qualify import SUITES, Sizes, run_qualify

    names = {"xenograft": "xenograft", "invitro": "in vitro", "dose": "dose-response",
             "pd": "human PD", "trials": "trials"}
    modes = SUITES
    if only is not None:
        asked = [m.strip() for m in only.split(",") if m.strip()]
        bad = [m for m in asked if m not in names]
        if bad or not asked:
            err_console.print(f"[bold red]error:[/] --only {only!r}: unknown "
                              f"{', '.join(bad) or 'empty'}; allowed: {', '.join(names)}")
            raise typer.Exit(2)
        modes = tuple(names[m] for m in names if m in asked)
    sizes = Sizes(agents_per_well=agents_per_well, sweep_cells_per_agent=sweep_cells_per_agent,
                  sweep_mice_per_arm=sweep_mice, schedule_mice_per_arm=schedule_mice,
                  patients_per_arm=patients_per_arm, agents_per_patient=agents_per_patient)

    config = resolve_config(config)
    try:
        preflight_output(out)
    except OutputError as exc:
        fail_output(exc)
    with output_errors():
        path = run_qualify(config, seeds, first_seed, cells_per_agent, out, jobs,
                           agents_per_well, sizes, modes)
    console.print(f"validation dossier: [bold]{path / 'report.md'}[/]")


@app.command("list")
def list_library(
    fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "table",
) -> None:
    """Built-in experiments, cell lines, genotype modifiers and drugs.

    Experiments are the configs in ./configs when run from a source checkout, else the ones
    shipped with the package (both can be passed to ``xenosim run`` by name)."""
    _check_format(fmt)
    from xenosim.core.drugs import DRUGS
    from xenosim.core.genotypes import CELL_LINES, MODIFIERS
    from xenosim.invitro.cli import is_invitro_config
    from xenosim.invitro.config import load_invitro
    from xenosim.patients.config import is_patient_config, load_patient_study
    from xenosim.xenograft.config import load_experiment

    local = Path("configs")
    configs = local if local.is_dir() else packaged_configs_dir()
    experiments = []
    for f in sorted(configs.glob("*.yaml")) if configs.is_dir() else []:
        shown = str(local / f.name)  # the name `xenosim run` accepts from any directory
        try:
            if is_invitro_config(f):
                experiments.append([shown, f"{load_invitro(f).experiment} (in vitro)"])
            elif is_patient_config(f):
                experiments.append([shown, load_patient_study(f).experiment
                                    + " (virtual patients)"])
            else:
                experiments.append([shown, load_experiment(f).experiment])
        except ConfigErrors:
            experiments.append([shown, "invalid"])
    _emit([
        ("Experiments", ["config", "experiment"], experiments),
        ("Cell lines", ["name", "modifiers", "description"],
         [[name, ", ".join(mods) or "-", desc] for name, (mods, desc) in CELL_LINES.items()]),
        ("Genotype modifiers", ["modifier", "signalling consequence"],
         [[name, desc] for name, (_, desc) in MODIFIERS.items()]),
        ("Drugs", ["drug", "target", "routes", "PK", "description"],
         [[d.name, d.target, ", ".join(d.routes), ", ".join(d.species), d.description]
          for d in DRUGS.values()]),
    ], fmt)


GRADES = ("measured", "derived", "assumed")


@app.command()
def params(
    grade: Annotated[str | None, typer.Option(help="Only this evidence grade: "
                                                   + ", ".join(GRADES))] = None,
    fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "table",
) -> None:
    """The parameter table: value, unit, evidence grade and source of every parameter."""
    _check_format(fmt)
    if grade is not None and grade not in GRADES:
        err_console.print(f"[bold red]error:[/] --grade {grade!r}: no such evidence grade; "
                          f"one of {', '.join(GRADES)}")
        raise typer.Exit(2)
    from xenosim.core.calibration_targets import calibration_target
    from xenosim.core.drugs import DRUGS
    from xenosim.core.parameters import PARAMETERS
    from xenosim.invitro import params as _invitro_params  # noqa: F401  (registers in vitro parameters)

    everything = list(PARAMETERS.values()) + [p for d in DRUGS.values() if not d.alias_of
                                               for p in d.params()]
    rows = []
    for p in everything:
        if grade and p.grade != grade:
            continue
        shown_grade = p.grade
        if fmt == "table":
            colour = {"measured": "green", "derived": "cyan", "assumed": "yellow"}[p.grade]
            shown_grade = f"[{colour}]{p.grade}[/]"
        rows.append([p.name, f"{p.value:g}" if fmt == "table" else float(p.value),
                     p.unit, shown_grade, p.source, p.note, calibration_target(p.name)])
    _emit([("Model parameters", ["name", "value", "unit", "grade", "source", "note",
                                    "calibrated_to"], rows)], fmt)


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


if __name__ == "__main__":  # pragma: no cover  (python -m xenosim.cli)
    main()
