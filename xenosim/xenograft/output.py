"""A xenograft run's results on disk: ``results/<experiment>/<run-id>/`` with the tidy tables,
figures and report, written atomically through :func:`xenosim.core.output.atomic_directory`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from xenosim.core.output import atomic_directory, write_manifest
from xenosim.core.output import new_run_id as core_run_id
from xenosim.xenograft import figures, report
from xenosim.xenograft.config import Experiment, dump_experiment
from xenosim.xenograft.runner import CohortResult, tidy_sort


def overrides_hash(overrides: dict | None) -> str:
    """Short stable hash of the --set overrides ('' when there are none)."""
    if not overrides:
        return ""
    import hashlib
    import json

    text = json.dumps(overrides, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def new_run_id(exp: Experiment, overrides: dict | None = None) -> str:
    """A sortable, readable, unique run id: UTC time, seed, a random suffix and (if any) a short
    hash of the --set overrides, so an ablation's directory differs from the plain run's."""
    h = overrides_hash(overrides)
    return core_run_id(exp.seed, f"set{h}" if h else "")


def summary_table(result: CohortResult, exp: Experiment) -> pd.DataFrame:
    """Per (cell line, arm): n, volumes at day 0 and study end, fold change, endpoint count."""
    m = result.measurements
    treat = m[m["day"] >= 0]
    rows = []
    groups = dict(tuple(treat.groupby(["cell_line", "arm"], sort=False)))
    for line in exp.cell_lines:  # config order, so tables and reports read as the design does
        for arm in exp.arms:
            if (line, arm) not in groups:
                continue
            rows.append(_summary_row(groups[(line, arm)], result.mice, exp, line, arm))
    return pd.DataFrame(rows)


def _summary_row(g: pd.DataFrame, all_mice: pd.DataFrame, exp: Experiment, line: str,
                 arm: str) -> dict:
    """One summary row. "At study end" means still on study: a mouse whose last caliper reading
    (even on the final day) reached the endpoint counts as removed, not as at the end."""
    mice = all_mice[(all_mice["cell_line"] == line) & (all_mice["arm"] == arm)]
    on_study = set(mice.loc[mice["event"] == "study_end", "mouse"])
    day0 = g[g["day"] == 0].set_index("mouse")["volume_mm3"]
    last = g.sort_values("day").groupby("mouse").tail(1).set_index("mouse")
    final = g[(g["day"] >= exp.study_days - 1e-6) & g["mouse"].isin(on_study)]["volume_mm3"]
    fold = last["volume_mm3"] / day0.reindex(last.index)
    return {
        "cell_line": line, "arm": arm, "label": exp.arms[arm].label or arm,
        "n_mice": int(g["mouse"].nunique()),
        "day0_volume_mean_mm3": day0.mean(),
        "day0_volume_sem_mm3": day0.sem(),
        "final_volume_mean_mm3": final.mean() if len(final) else float("nan"),
        "final_volume_sem_mm3": final.sem() if len(final) > 1 else float("nan"),
        "n_at_study_end": int(len(final)),
        "n_endpoint": int((mice["event"] == "endpoint").sum()),
        "median_fold_change_last": float(fold.median()),
    }


def write_results(result: CohortResult, exp: Experiment, out_root: Path, *,
                  config_path: str | None, jobs: int, elapsed_s: float,
                  run_id: str | None = None, overrides: dict | None = None) -> Path:
    """Write config, manifest, tables, figures and report; return the final run directory."""
    run_id = run_id or new_run_id(exp, overrides)
    final = Path(out_root) / exp.experiment / run_id
    with atomic_directory(final) as tmp:
        (tmp / "config.yaml").write_text(dump_experiment(exp))
        tables = {
            "measurements": tidy_sort(result.measurements),
            "cells": tidy_sort(result.cells),
            "mice": tidy_sort(result.mice, ("cell_line", "mouse")),
            "summary": summary_table(result, exp),
        }
        for name, df in tables.items():
            df.to_csv(tmp / f"{name}.csv", index=False, float_format="%.6g")
        labels = {arm: (a.label or arm) for arm, a in exp.arms.items()}
        written = figures.all_run_figures(tables, tmp, exp.endpoint_volume_mm3, labels,
                                           list(exp.cell_lines))
        if result.snapshots:  # per-cell states (xenosim run --snapshot-days)
            from xenosim.xenograft import snapshots

            snap = snapshots.write_snapshots(result.snapshots, tmp)
            snapshots.section_figure(
                pd.read_parquet(snap, columns=["mouse", "arm", "day", "x", "y", "z", "x_mm",
                                               "y_mm", "status"]),
                tmp / "snapshot_sections.png", labels)
            written += [snap.name, "snapshot_sections.png"]
        figure_files = list(written)
        written.append(report.write_report(tmp, exp, tables, figure_files, result.warnings,
                                           overrides=overrides))
        written.append(report.write_report_html(tmp, exp, tables, figure_files,
                                                result.warnings, overrides=overrides))
        write_manifest(tmp, experiment=exp.experiment, run_id=run_id, seed=exp.seed,
                       config_path=config_path, elapsed_s=elapsed_s, jobs=jobs,
                       warnings=result.warnings, extra_files=written,
                       endpoint_volume_mm3=exp.endpoint_volume_mm3, study_days=exp.study_days,
                       overrides=overrides or {}, overrides_hash=overrides_hash(overrides))
    return final
