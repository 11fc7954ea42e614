"""Command-line entry points for ``xenosim analyze`` and ``xenosim compare``.

Plain functions with typer-annotated parameters, registered by ``xenosim.cli``. Bad input is
reported on stderr (exit code 2) and nothing is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from xenosim.analysis.errors import DEFAULT_COMBINATION, AnalysisInputError
from xenosim.core.output import OutputError, check_replaceable
from xenosim.core.terminal import fail_output

# The heavy imports (statsmodels, scipy, matplotlib) happen inside the commands so that
# ``xenosim --help`` and ``xenosim run`` start fast.


def _fail(exc: AnalysisInputError, source: Path | None = None) -> None:
    text = str(exc)
    if source is not None and source.name not in text:  # always name the input
        text = f"{source}: {text}"
    Console(stderr=True).print(f"[bold red]error:[/bold red] {escape(text)}", soft_wrap=True)
    raise typer.Exit(2)


def _split_combination(text: str) -> tuple[str, str, str] | None | str:
    """'none' → None, 'auto' → 'auto', else the three named arms."""
    if text.strip().lower() in ("", "none"):
        return None
    if text.strip().lower() == "auto":
        return "auto"
    parts = tuple(p.strip() for p in text.split(","))
    if len(parts) != 3 or not all(parts):
        raise AnalysisInputError(
            f"--combination needs three comma-separated arms 'A,B,A+B', got {text!r}"
        )
    return parts  # type: ignore[return-value]


def _table_options_unused(**given: bool) -> None:
    """Options that describe a lab table are an error for a results directory, not ignored."""
    named = [f"--{k.replace('_', '-')}" for k, v in given.items() if v]
    if named:
        raise AnalysisInputError(f"{', '.join(named)} describe a lab table; a xenosim results "
                                 "directory has its own layout")


def _resolve_arms(data, control_arm: str | None, combo):
    """The control arm (named, or recognised) and the synergy arms, which must all exist."""
    from xenosim.analysis.tables import check_arms, resolve_control

    arms = list(dict.fromkeys(data.measurements["arm"]))
    label = data.source or None
    column = data.columns.get("arm", "arm")
    control_arm = resolve_control(arms, control_arm, label, data.notes, column)
    if combo == "auto":
        return control_arm, DEFAULT_COMBINATION  # the analysis infers it when absent
    if combo is not None:
        check_arms(arms, list(combo), "--combination", label, column)
    return control_arm, combo


def analyze_command(
    path: Annotated[Path, typer.Argument(help="xenosim results directory, or a caliper CSV.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output directory (default: <run>/analysis)."),
    ] = None,
    id: Annotated[str | None, typer.Option(
        "--id", help="Table: mouse id column (default: mouse / animal / id / subject).")] = None,
    arm: Annotated[str | None, typer.Option(
        "--arm", help="Table: treatment arm column (default: arm / group / treatment).")] = None,
    day: Annotated[str | None, typer.Option(
        "--day", help="Long table: day column (default: day / time).")] = None,
    length: Annotated[
        str | None, typer.Option("--length", help="Long table: caliper length column (mm).")
    ] = None,
    width: Annotated[
        str | None, typer.Option("--width", help="Long table: caliper width column (mm).")
    ] = None,
    volume: Annotated[
        str | None, typer.Option("--volume", help="Long table: tumour volume column (mm³).")
    ] = None,
    layout: Annotated[str, typer.Option(
        "--layout", help="Table layout: long (one row per mouse × day), wide (one column per "
                         "day: '0', 'Day 7', 'D14'), or auto (from the header).")] = "auto",
    sheet: Annotated[str | None, typer.Option(
        "--sheet", help="Excel (.xlsx): sheet to read (default: the first).")] = None,
    baseline_day: Annotated[float | None, typer.Option(
        "--baseline-day", help="Table day that becomes day 0 (default: the last measurement at "
                               "or before day 0, else the first measurement day).")] = None,
    zero_volumes: Annotated[str, typer.Option(
        "--zero-volumes", help="Readings below the detection limit (zeros too): floor (set to "
                               "the limit), drop, or error.")] = "floor",
    detection_limit: Annotated[float, typer.Option(
        "--detection-limit", help="Detection limit of the volume, mm³.")] = 1.0,
    endpoint_volume_mm3: Annotated[
        float | None,
        typer.Option(
            "--endpoint",
            help="Endpoint volume, mm³ (default: the manifest value for a run, 1500 for a CSV).",
        ),
    ] = None,
    control_arm: Annotated[str | None, typer.Option(
        "--control", help="Name of the control arm (default: 'control', else the one arm named "
                          "vehicle / control / ctrl / untreated / placebo / saline).")] = None,
    combination: Annotated[str, typer.Option(
        "--combination", help="Synergy arms 'A,B,A+B', 'none', or auto (a run's regimens; a "
                              "table's names like 'A+B', 'A + B', 'A_B').")] = "auto",
    synergy: Annotated[
        str,
        typer.Option("--synergy", help="Synergy definitions, comma-separated: bliss (on log "
                     "relative volume), hsa, response_additivity, bliss_rate (growth-rate "
                     "inhibition, bootstrap)."),
    ] = "bliss,hsa,response_additivity",
    n_boot: Annotated[int, typer.Option("--n-boot", help="Bootstrap resamples.")] = 1000,
    seed: Annotated[int | None, typer.Option(
        "--seed", help="Bootstrap seed (default: a run directory's own seed from its "
                       "manifest, as its run used; else 0).")] = None,
    p_adjust: Annotated[
        str, typer.Option("--p-adjust", help="Multiplicity correction: holm, fdr_bh, ...")
    ] = "holm",
    log_scale: Annotated[
        bool, typer.Option("--log-scale", help="Log volume axis on the growth curves.")
    ] = False,
) -> None:
    """Compare arms: statistics, synergy, figures and an HTML / Markdown report."""
    from xenosim.analysis.data import load_caliper_csv, load_results_dir
    from xenosim.analysis.pipeline import analyze

    try:
        combo = _split_combination(combination)
        if seed is None:  # the run's own seed, so re-analysing a run reproduces its CIs
            manifest = path / "manifest.json" if path.is_dir() else None
            seed = (int(__import__("json").loads(manifest.read_text()).get("seed", 0))
                    if manifest is not None and manifest.is_file() else 0)
        if path.is_dir():
            _table_options_unused(layout=layout != "auto", sheet=sheet is not None,
                                  baseline_day=baseline_day is not None)
            data = load_results_dir(path)
            if endpoint_volume_mm3 is not None:
                data.endpoint_volume_mm3 = float(endpoint_volume_mm3)
            target = out or path / "analysis"
        else:
            data = load_caliper_csv(
                path, id, arm, day, length_col=length, width_col=width, volume_col=volume,
                endpoint_volume_mm3=1500.0 if endpoint_volume_mm3 is None else endpoint_volume_mm3,
                layout=layout, sheet=sheet, baseline_day=baseline_day, zero_volumes=zero_volumes,
                detection_limit_mm3=detection_limit,
            )
            target = out or path.with_name(f"{path.stem}_analysis")
        control_arm, combo = _resolve_arms(data, control_arm, combo)
        check_replaceable(target, "analysis")  # before the work: never replace a user's dir
        result = analyze(data, target, control_arm=control_arm, combination=combo,
                         n_boot=n_boot, seed=seed, p_adjust=p_adjust, log_scale=log_scale,
                         synergy_metrics=tuple(x.strip() for x in synergy.split(",") if x.strip()))
    except AnalysisInputError as exc:
        _fail(exc, path)
        return
    except (OutputError, OSError) as exc:
        fail_output(exc)
    console = Console()
    console.print(f"[green]analysis written[/green] to {escape(str(result.out_dir))}")
    console.print(f"  report: {escape(str(result.report_html))}")
    for note in result.notes:
        console.print(f"  [yellow]note:[/yellow] {escape(note)}")


def compare_command(
    run_a: Annotated[Path, typer.Argument(help="Results directory of run A.")],
    run_b: Annotated[Path, typer.Argument(help="Results directory of run B.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output directory (default: beside run B)."),
    ] = None,
) -> None:
    """Two runs side by side (e.g. an ablation): growth rates per group, differences, overlay."""
    from xenosim.analysis.pipeline import compare_runs

    target = out or run_b.parent / f"compare_{run_a.name}_vs_{run_b.name}"
    try:
        check_replaceable(target, "compare")  # before the work: never replace a user's dir
        compare_runs(run_a, run_b, target)
    except AnalysisInputError as exc:
        _fail(exc)
        return
    except (OutputError, OSError) as exc:
        fail_output(exc)
    Console().print(f"[green]comparison written[/green] to {escape(str(target))}")
