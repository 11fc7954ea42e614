"""Sweep summaries: per-point means over replicates, Sobol / Morris indices, figures, report.

Reads only the files of the sweep directory (the Parquet datasets and ``tasks.csv``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from xenosim.sweep.config import METRICS, LoadedSweep, Response
from xenosim.sweep.design import salib_problem, unit_samples
from xenosim.sweep.doseresponse import dose_response

METRIC_LABELS = {
    "growth_rate_per_day": "specific growth rate (1/day)",
    "fold_change_final": "fold change, last / day-0 caliper volume",
    "final_volume_mm3": "last caliper volume (mm³)",
    "n_endpoint": "mice at humane endpoint",
    "mean_akt": "mean Akt activity (0-1)",
    "mean_mtorc1": "mean mTORC1 activity (0-1)",
    "mean_er_activity": "mean ER activity (0-1)",
    "er_share_ser167": "Ser167 share of ER activity (0-1)",
}


def read_results(out: Path, dataset: str = "results.parquet") -> pd.DataFrame:
    """A sweep's Parquet dataset as one frame (``task`` from the partition directory)."""
    path = Path(out) / dataset
    if not path.is_dir() or not any(path.glob("task=*/part-0.parquet")):
        return pd.DataFrame()
    df = pd.read_parquet(path)
    df["task"] = df["task"].astype(str)
    return df


def default_response(loaded: LoadedSweep) -> Response:
    """The configured response, else the first cell line's last arm, growth rate."""
    if loaded.config.response is not None:
        return loaded.config.response
    lines = list(loaded.base_raw["cell_lines"])
    arms = list(loaded.base_raw["arms"])
    return Response(cell_line=lines[-1], arm=arms[-1], metric="growth_rate_per_day")


def point_summary(results: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Mean and SEM over replicates of every metric, per parameter point x cell line x arm."""
    keys = names + ["cell_line", "arm"]
    g = results.groupby(keys, sort=True)
    mean = g[list(METRICS)].mean()
    sem = g[list(METRICS)].sem().add_suffix("_sem")
    n = g["replicate"].nunique().rename("n_replicates")
    return pd.concat([n, mean, sem], axis=1).reset_index()


def point_responses(loaded: LoadedSweep, results: pd.DataFrame, table: pd.DataFrame,
                    resp: Response) -> np.ndarray:
    """Response per design point (mean over its replicates), in design order; NaN if missing."""
    def per_task(arm: str) -> pd.Series:
        sel = results[(results["cell_line"] == resp.cell_line) & (results["arm"] == arm)]
        return sel.set_index("task")[resp.metric]

    by_task = per_task(resp.arm)
    if resp.relative_to is not None:  # a contrast, task by task (two arms of one cohort)
        by_task = by_task - per_task(resp.relative_to)
    t = table.assign(y=table["task"].map(by_task))
    y = t.groupby("point")["y"].mean()
    n_points = int(table["point"].max()) + 1 if len(table) else 0
    return y.reindex(range(n_points)).to_numpy(dtype=float)


def sensitivity(loaded: LoadedSweep, results: pd.DataFrame, table: pd.DataFrame,
                resp: Response) -> tuple[pd.DataFrame | None, str]:
    """Sobol (S1, ST) or Morris (mu*, sigma) indices of the response; (table, note)."""
    cfg = loaded.config
    method = cfg.design.method
    if method not in ("sobol", "morris"):
        return None, ""
    y = point_responses(loaded, results, table, resp)
    if not np.all(np.isfinite(y)):
        return None, (f"{int((~np.isfinite(y)).sum())} of {len(y)} design points have no "
                      f"response (failed or pending tasks, or no mice measured): "
                      f"indices not computed")
    problem = salib_problem(cfg)
    if method == "sobol":
        from SALib.analyze import sobol

        si = sobol.analyze(problem, y, calc_second_order=False, seed=cfg.seed)
        df = pd.DataFrame({"parameter": problem["names"], "S1": si["S1"],
                           "S1_conf": si["S1_conf"], "ST": si["ST"], "ST_conf": si["ST_conf"]})
    else:
        from SALib.analyze import morris

        x = unit_samples(cfg)
        si = morris.analyze(problem, x, y, num_levels=cfg.design.levels, seed=cfg.seed)
        df = pd.DataFrame({"parameter": problem["names"], "mu_star": si["mu_star"],
                           "mu_star_conf": si["mu_star_conf"], "mu": si["mu"],
                           "sigma": si["sigma"]})
    return df, ""


def _is_log(loaded: LoadedSweep, name: str, values: np.ndarray) -> bool:
    p = next(q for q in loaded.config.parameters if q.name == name)
    v = values[np.isfinite(values)]
    return p.scale == "log" or (len(v) > 0 and v.min() > 0 and v.max() / v.min() > 20)


def response_figure(loaded: LoadedSweep, summary: pd.DataFrame, results: pd.DataFrame,
                    resp: Response, path: Path) -> Path:
    """Response vs each parameter: one panel per parameter, one series per cell line x arm."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    from xenosim.core.style import CELL_LINE_STYLES, apply_style, arm_colour
    from xenosim.xenograft.figures import LINE_TITLES

    apply_style()
    names = [p.name for p in loaded.config.parameters]
    grid = loaded.config.design.method == "grid"
    ncols = min(3, len(names))
    nrows = -(-len(names) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.2 * ncols + 3.0, 4.2 * nrows),
                             squeeze=False)
    for ax in axes.flat[len(names):]:
        ax.set_visible(False)
    for ax, name in zip(axes.flat, names, strict=False):
        for (line, arm), g in summary.groupby(["cell_line", "arm"], sort=False):
            label = f"{LINE_TITLES.get(line, line)} · {arm}"
            style = CELL_LINE_STYLES.get(line, "-")
            if grid and len(names) == 1:
                g = g.sort_values(name)
                ax.errorbar(g[name], g[resp.metric], yerr=g[f"{resp.metric}_sem"].fillna(0),
                            color=arm_colour(arm), linestyle=style, marker="o", ms=4,
                            capsize=2, label=label)
            else:
                r = results[(results["cell_line"] == line) & (results["arm"] == arm)]
                ax.scatter(r[name], r[resp.metric], s=14, alpha=0.7, color=arm_colour(arm),
                           marker="o" if style == "-" else "^", label=label)
        if _is_log(loaded, name, summary[name].to_numpy(dtype=float)):
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.set_xlabel(name)
        ax.set_ylabel(METRIC_LABELS[resp.metric])
        if resp.metric == "growth_rate_per_day":
            ax.axhline(0, color="0.5", lw=0.8)
    axes[0][ncols - 1].legend(fontsize=8, frameon=False, loc="upper left",
                              bbox_to_anchor=(1.02, 1.0))
    fig.suptitle(f"{loaded.config.sweep}\n" + ("mean ± SEM over replicates"
                                                if grid and len(names) == 1 else "every task"),
                 fontsize=11)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def surface_figure(loaded: LoadedSweep, summary: pd.DataFrame, resp: Response,
                   path: Path) -> Path | None:
    """Response surface over the first two parameters of a grid (mean over the others)."""
    import matplotlib.pyplot as plt

    from xenosim.core.style import apply_style

    names = [p.name for p in loaded.config.parameters]
    if len(names) < 2 or loaded.config.design.method != "grid":
        return None
    apply_style()
    sel = summary[(summary["cell_line"] == resp.cell_line) & (summary["arm"] == resp.arm)]
    pivot = sel.groupby(names[:2])[resp.metric].mean().unstack(names[1])
    fig, ax = plt.subplots(figsize=(6, 4.8))
    im = ax.imshow(pivot.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(pivot.shape[1]), [f"{v:.3g}" for v in pivot.columns])
    ax.set_yticks(range(pivot.shape[0]), [f"{v:.3g}" for v in pivot.index])
    ax.set_xlabel(names[1])
    ax.set_ylabel(names[0])
    ax.grid(False)
    fig.colorbar(im, ax=ax, label=METRIC_LABELS[resp.metric])
    others = ", ".join(names[2:] + ["replicates"])
    ax.set_title(f"{resp.cell_line} · {resp.arm}\n(mean over {others})", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def sensitivity_figure(df: pd.DataFrame, method: str, resp: Response, path: Path) -> Path:
    """Sobol S1 / ST or Morris mu* bars with confidence intervals (a tornado, largest on top)."""
    import matplotlib.pyplot as plt

    from xenosim.core.style import apply_style

    apply_style()
    key = "ST" if method == "sobol" else "mu_star"
    d = df.sort_values(key)
    y = np.arange(len(d))
    fig, ax = plt.subplots(figsize=(6.5, 1.0 + 0.5 * len(d)))
    if method == "sobol":
        ax.barh(y + 0.2, d["ST"], 0.4, xerr=d["ST_conf"], color="#0072b2", label="total (ST)")
        ax.barh(y - 0.2, d["S1"], 0.4, xerr=d["S1_conf"], color="#e69f00",
                label="first order (S1)")
        ax.set_xlabel(f"Sobol index of {METRIC_LABELS[resp.metric]} (share of variance)")
        ax.legend(fontsize=8)
    else:
        ax.barh(y, d["mu_star"], 0.6, xerr=d["mu_star_conf"], color="#0072b2")
        ax.set_xlabel(f"Morris μ* of {METRIC_LABELS[resp.metric]} (per unit of the range)")
    ax.set_yticks(y, d["parameter"])
    ax.set_title(f"{resp.cell_line} · {resp.arm}"
                 + (f" minus {resp.relative_to}" if resp.relative_to else ""))
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def write_summary(loaded: LoadedSweep, out: Path, table: pd.DataFrame,
                  figures: bool = True) -> list[str]:
    """summary.csv, sensitivity.csv, errors.csv, figures and report.md; returns file names."""
    names = [p.name for p in loaded.config.parameters]
    results = read_results(out)
    written: list[str] = []
    resp = default_response(loaded)
    failed = table[table["status"] == "failed"].drop_duplicates("task")
    if len(failed):
        import json

        errs = [json.loads((out / "errors" / f"{t}.json").read_text()) for t in failed["task"]]
        pd.DataFrame([{"task": e["task"], "replicate": e["replicate"], **e["params"],
                       "error": e["error"].splitlines()[0]} for e in errs]).to_csv(
            out / "errors.csv", index=False)
        written.append("errors.csv")
    else:
        (out / "errors.csv").unlink(missing_ok=True)
    summary = point_summary(results, names) if len(results) else pd.DataFrame()
    if len(summary):
        summary.to_csv(out / "summary.csv", index=False, float_format="%.6g")
        written.append("summary.csv")
    sens, note = (sensitivity(loaded, results, table, resp) if len(results) else (None, ""))
    if sens is not None:
        sens.to_csv(out / "sensitivity.csv", index=False, float_format="%.4g")
        written.append("sensitivity.csv")
    figs: list[str] = []
    if figures and len(summary):
        figs.append(response_figure(loaded, summary, results, resp, out / "response.png").name)
        surf = surface_figure(loaded, summary, resp, out / "surface.png")
        if surf:
            figs.append(surf.name)
        if sens is not None:
            method = loaded.config.design.method
            figs.append(sensitivity_figure(sens, method, resp, out / f"{method}.png").name)
    written += figs
    dr_lines, dr_files, expo = (dose_response(loaded, results, resp, out) if len(results)
                                else ([], [], None))
    if expo is not None:
        dr_lines += [_md_table(expo), ""]
    written += dr_files
    _report(loaded, out, table, summary, sens, note, resp, figs, dr_lines)
    written.append("report.md")
    return written


def _report(loaded, out, table, summary, sens, note, resp, figs, dose_lines=()) -> None:
    cfg = loaded.config
    unique = table.drop_duplicates("task")
    counts = unique["status"].value_counts()
    lines = [f"# Sweep {cfg.sweep}", "", cfg.description or "", "",
             f"Base experiment `{cfg.base}`, design **{cfg.design.method}**, "
             f"{table['point'].nunique()} design points x {cfg.replicates} replicate(s) = "
             f"{len(unique)} distinct tasks: {int(counts.get('done', 0))} done, "
             f"{int(counts.get('failed', 0))} failed, {int(counts.get('pending', 0))} pending.",
             "", f"Response: **{resp.metric}** of {resp.cell_line} · {resp.arm}"
             + (f", minus that of {resp.relative_to} (sensitivity indices are about this "
                "contrast)" if resp.relative_to else "") + ".", ""]
    if len(summary) and cfg.design.method == "grid":
        names = [p.name for p in cfg.parameters]
        sel = summary[(summary["cell_line"] == resp.cell_line) & (summary["arm"] == resp.arm)]
        cols = names + ["n_replicates", resp.metric, f"{resp.metric}_sem"]
        lines += [_md_table(sel[cols].head(60)), ""]
        if len(sel) > 60:
            lines += [f"(first 60 of {len(sel)} points; all in `summary.csv`)", ""]
    elif len(summary):
        lines += ["Every point and arm: `summary.csv`; every task: `results.parquet`.", ""]
    lines += list(dose_lines)
    if sens is not None:
        lines += ["## Sensitivity indices", "", _md_table(sens), ""]
    if note:
        lines += [f"Note: {note}", ""]
    lines += [f"![{f}]({f})" for f in figs]
    if int(counts.get("failed", 0)):
        lines += ["", "Failed tasks are listed in `errors.csv` (tracebacks in `errors/`); "
                  "re-running the sweep retries them and skips finished tasks."]
    (out / ".report.md.tmp").write_text("\n".join(lines) + "\n")
    (out / ".report.md.tmp").replace(out / "report.md")


def _md_table(df: pd.DataFrame) -> str:
    """A Markdown table (numbers to 4 significant digits)."""
    def fmt(v) -> str:
        return f"{v:.4g}" if isinstance(v, float | np.floating) else str(v)

    rows = ["| " + " | ".join(map(str, df.columns)) + " |", "|" + "---|" * len(df.columns)]
    rows += ["| " + " | ".join(fmt(v) for v in r) + " |" for r in df.itertuples(index=False)]
    return "\n".join(rows)
