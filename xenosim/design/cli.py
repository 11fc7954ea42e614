"""``xenosim design``: registered in xenosim/cli.py; heavy imports inside the body."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated

import typer


def _fail(message: str) -> None:
    from xenosim.core.terminal import err_console

    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def design_command(
    config: Annotated[Path, typer.Argument(help="Xenograft experiment config (YAML)")],
    contrast: Annotated[str, typer.Option(help="'CELL_LINE: ARM_B vs ARM_A'")],
    mice_per_arm: Annotated[str, typer.Option(help="Candidate sizes, e.g. 3,4,6,8,10,12")] = "3,4,6,8,10,12",
    replicates: Annotated[int, typer.Option(help="Virtual studies per size")] = 200,
    out: Annotated[Path, typer.Option(help="Output directory")] = Path("results/design"),
    alpha: Annotated[float, typer.Option(help="Significance level")] = 0.05,
    target_power: Annotated[float, typer.Option(help="Target power")] = 0.8,
    pool_mice: Annotated[int | None, typer.Option(
        help="Inoculated virtual mice in the twin pool (default 3 x the largest study)")] = None,
    cells_per_agent: Annotated[float | None, typer.Option(
        help="Resolution for this question (default 60000: growth-rate questions)")] = 60000.0,
    seed: Annotated[int | None, typer.Option(help="Override the config's seed")] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="Dask scheduler address (tcp://host:8786); default: a LocalCluster")] = None,
    workers: Annotated[int, typer.Option(help="LocalCluster workers")] = min(2, os.cpu_count() or 1),
) -> None:
    """Power and sample size for a contrast, from paired counterfactual virtual mice."""
    from xenosim.core.config import ConfigErrors
    from xenosim.core.terminal import console, fail_config
    from xenosim.design.analysis import operating_characteristics, smallest_n
    from xenosim.design.config import ContrastError, parse_contrast
    from xenosim.design.figures import power_curve
    from xenosim.design.report import write_report
    from xenosim.design.runner import DesignSpec, run_design
    from xenosim.xenograft.config import load_experiment

    try:
        sizes = sorted({int(s) for s in mice_per_arm.split(",") if s.strip()})
    except ValueError:
        _fail(f"--mice-per-arm: {mice_per_arm!r} is not a comma-separated list of integers")
    if not sizes or min(sizes) < 2:
        _fail(f"--mice-per-arm: sizes must be integers >= 2 (got {mice_per_arm!r})")
    if replicates < 1 or not 0 < alpha < 1 or not 0 < target_power < 1:
        _fail("--replicates must be >= 1 and --alpha, --target-power in (0, 1)")
    over = {k: v for k, v in {"seed": seed, "cells_per_agent": cells_per_agent}.items()
            if v is not None}
    try:
        exp = load_experiment(config, over)
    except ConfigErrors as exc:
        fail_config(exc)
    try:
        c = parse_contrast(contrast, exp, f"{config}: --contrast")
    except ContrastError as exc:
        _fail(str(exc))
    pool = pool_mice or int(3 * max(sizes) * len(c.study_arms) * (1 + exp.spare_mice_fraction))
    spec = DesignSpec(exp, c, sizes, replicates, pool, alpha)
    console.print(f"[bold]design[/] {c.cell_line}: {c.b} vs {c.a}; arms {', '.join(c.study_arms)};"
                  f" pool {pool} mice; sizes {sizes}; {replicates} replicates")
    from xenosim.core.output import OutputError, preflight_output
    from xenosim.core.terminal import fail_output

    try:  # the output location must be writable before any simulation
        preflight_output(out)
    except OutputError as exc:
        fail_output(exc)
    start = time.perf_counter()
    try:
        res = run_design(spec, out, scheduler=scheduler, workers=workers)
    except ValueError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"could not reach the Dask scheduler {scheduler!r}: {exc}")
    elapsed = time.perf_counter() - start
    timing = {"wall_s": elapsed, **{f"cpu_{k}_s": v for k, v in res["cpu_s"].items()}}
    timing["cpu_total_s"] = sum(res["cpu_s"].values())
    timing["invocations"] = 1
    tpath = out / "timing.json"
    if tpath.exists():  # a resumed run: the times add up over its invocations
        before = json.loads(tpath.read_text())
        timing = {k: v + before.get(k, 0) for k, v in timing.items()}
    tmp = tpath.with_suffix(".tmp")
    tmp.write_text(json.dumps(timing, indent=1) + "\n")
    os.replace(tmp, tpath)
    oc = operating_characteristics(res["studies"], alpha)
    best = smallest_n(oc, target_power)
    oc.to_csv(out / "operating_characteristics.csv", index=False)
    best.to_csv(out / "smallest_n.csv", index=False)
    power_curve(oc, out / "power_curve.png", f"{exp.experiment} - {c.cell_line}: {c.b} vs {c.a}",
                target_power, alpha)
    n_took = int(res["pool"].drop_duplicates("mouse")["took"].sum())
    rep = write_report(spec, oc, best, res["truth"], out, n_took, timing)
    for _, r in best.iterrows():
        n = r["smallest_n_per_arm"]
        console.print(f"  {r['statistic']:<11} smallest n/arm for {target_power:.0%} power: "
                      f"{int(n) if n is not None and n == n else 'not reached'}")
    console.print(f"done in {elapsed:.0f} s ({timing['cpu_total_s']:.0f} s CPU): [bold]{rep}[/]"
                  f" and {rep.with_suffix('.html').name}")
