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


def _split_combination(text: str) -> tuple[str, str, str] | None:
    if text.strip().lower() in ("", "none"):
        return None
    parts = tuple(p.strip() for p in text.split(","))
    if len(parts) != 3 or not all(parts):
        raise AnalysisInputError(
            f"--combination needs three comma-separated arms 'A,B,A+B', got {text!r}"
        )
    return parts  # type: ignore[return-value]


def analyze_command(
    path: Annotated[Path, typer.Argument(help="xenosim results directory, or a caliper CSV.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output directory (default: <run>/analysis)."),
    ] = None,
    id: Annotated[str, typer.Option("--id", help="CSV: mouse id column.")] = "mouse",
    arm: Annotated[str, typer.Option("--arm", help="CSV: treatment arm column.")] = "arm",
    day: Annotated[
        str, typer.Option("--day", help="CSV: day column (days since randomisation).")
    ] = "day",
    length: Annotated[
        str | None, typer.Option("--length", help="CSV: caliper length column (mm).")
    ] = None,
    width: Annotated[
        str | None, typer.Option("--width", help="CSV: caliper width column (mm).")
    ] = None,
    volume: Annotated[
        str | None, typer.Option("--volume", help="CSV: tumour volume column (mm³).")
    ] = None,
    endpoint_volume_mm3: Annotated[
        float | None,
        typer.Option(
            "--endpoint",
            help="Endpoint volume, mm³ (default: the manifest value for a run, 1500 for a CSV).",
        ),
    ] = None,
    control_arm: Annotated[
        str, typer.Option("--control", help="Name of the control arm.")
    ] = "control",
    combination: Annotated[
        str,
        typer.Option("--combination", help="Synergy arms 'A,B,A+B' (or 'none')."),
    ] = ",".join(DEFAULT_COMBINATION),
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
            data = load_results_dir(path)
            if endpoint_volume_mm3 is not None:
                data.endpoint_volume_mm3 = float(endpoint_volume_mm3)
            target = out or path / "analysis"
        else:
            data = load_caliper_csv(
                path, id, arm, day, length_col=length, width_col=width, volume_col=volume,
                endpoint_volume_mm3=1500.0 if endpoint_volume_mm3 is None else endpoint_volume_mm3,
            )
            target = out or path.with_name(f"{path.stem}_analysis")
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
