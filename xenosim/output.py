"""Results on disk: ``results/<experiment>/<run-id>/``, written atomically.

Everything is written into a hidden ``.<run-id>.partial`` directory beside the final one, which is
renamed into place only when complete; an interrupted or failed run removes its partial directory,
so nothing half-written ever looks like a result.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd

from . import figures, report
from .cohort import CohortResult, tidy_sort
from .config import Experiment, dump_experiment

PACKAGES = ("xenosim", "mesa", "numpy", "pandas", "scipy", "pydantic", "matplotlib", "seaborn",
            "statsmodels")


@contextmanager
def atomic_directory(final: Path) -> Iterator[Path]:
    """Yield a temporary directory that becomes ``final`` only if the block completes."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f".{final.name}.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
        if final.exists():
            raise FileExistsError(f"{final} already exists")
        os.replace(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def new_run_id(exp: Experiment) -> str:
    """A sortable, readable run id: UTC time and seed."""
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-seed{exp.seed}"


def write_manifest(tmp: Path, *, experiment: str, run_id: str, seed: int,
                   config_path: str | None, elapsed_s: float, jobs: int, warnings: list[str],
                   extra_files: list[str] | None = None, **fields) -> None:
    """``manifest.json`` of a run directory (every run kind): identity, seed, timing, versions,
    git SHA, command line and the files written; ``fields`` adds what is specific to the kind.
    Written last into the temporary directory, so it lists every file of the run."""
    manifest = {
        "experiment": experiment, **{k: v for k, v in fields.items() if k == "mode"},
        "run_id": run_id, "seed": seed, "config_file": config_path,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "elapsed_s": round(elapsed_s, 2), "jobs": jobs,
        **{k: v for k, v in fields.items() if k != "mode"},
        "warnings": warnings, "versions": package_versions(), "git_sha": _git_sha(),
        "platform": platform.platform(), "argv": sys.argv[1:],
        "files": sorted(p.name for p in tmp.iterdir()) + ["manifest.json"],
        "extra_files": extra_files or [], "timestamp": time.time(),
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=_plain))


def _plain(v):
    """numpy scalars in a manifest are written as plain numbers."""
    if hasattr(v, "item"):
        return v.item()
    raise TypeError(f"not JSON serialisable: {type(v).__name__}")


def package_versions(extra: tuple[str, ...] = ()) -> dict[str, str]:
    """Versions of Python and of the packages a result depends on (plus ``extra``)."""
    out = {"python": platform.python_version()}
    for pkg in PACKAGES + tuple(p for p in extra if p not in PACKAGES):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _git_sha() -> str | None:
    try:
        here = Path(__file__).resolve().parent
        res = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                             text=True, timeout=5)
        return res.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


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
                  run_id: str | None = None) -> Path:
    """Write config, manifest, tables, figures and report; return the final run directory."""
    run_id = run_id or new_run_id(exp)
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
        written = figures.all_run_figures(tables, tmp, exp.endpoint_volume_mm3, labels)
        written.append(report.write_report(tmp, exp, tables, written, result.warnings))
        write_manifest(tmp, experiment=exp.experiment, run_id=run_id, seed=exp.seed,
                       config_path=config_path, elapsed_s=elapsed_s, jobs=jobs,
                       warnings=result.warnings, extra_files=written,
                       endpoint_volume_mm3=exp.endpoint_volume_mm3, study_days=exp.study_days)
    return final
