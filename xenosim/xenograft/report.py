"""The run report: Markdown with the design, a table per arm, the figures and the caveats.

This module gathers the numbers; ``xenosim/templates/xenograft/report.md.j2`` holds the words.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from xenosim.core.parameters import PARAMETERS
from xenosim.core.templates import render
from xenosim.xenograft.config import Experiment

FIGURE_TITLES = {"growth_curves.png": "Growth curves", "spaghetti.png": "Individual tumours",
                 "pathway.png": "Signalling"}


def _results_table(summary: pd.DataFrame, exp: Experiment) -> pd.DataFrame:
    return summary[["cell_line", "label", "n_mice", "day0_volume_mean_mm3",
                    "final_volume_mean_mm3", "n_at_study_end", "n_endpoint",
                    "median_fold_change_last"]].rename(columns={
        "cell_line": "cell line", "label": "arm", "n_mice": "n",
        "day0_volume_mean_mm3": "day 0 mean (mm³)",
        "final_volume_mean_mm3": f"day {exp.study_days:g} mean (mm³)",
        "n_at_study_end": "n at end", "n_endpoint": "n endpoint",
        "median_fold_change_last": "median fold change (last/day 0)"})


def _overrides_line(overrides: dict | None) -> str:
    if not overrides:
        return ""
    return "\n- Changed from the config file (--set): " + ", ".join(
        f"`{k}={v}`" for k, v in overrides.items()) + "."


def report_context(exp: Experiment, tables: dict[str, pd.DataFrame], figure_files: list[str],
                   warnings: list[str], overrides: dict | None = None) -> dict:
    """Everything the report template shows, computed here (the template only lays it out)."""
    grades = pd.Series([p.grade for p in PARAMETERS.values()]).value_counts()
    arms = []
    for name, spec in exp.arms.items():
        what = "; ".join(r.describe() for r in spec.regimens) or "no drug"
        if spec.remove_estradiol_pellet:
            what += "; estradiol pellet removed at day 0"
        arms.append({"name": name, "label": spec.label or name, "what": what})
    took = tables["mice"].groupby("cell_line")["took"].agg(["sum", "count"])
    takes = [{"cell_line": line, "took": int(r["sum"]), "inoculated": int(r["count"])}
             for line, r in took.iterrows()]
    pellet = exp.host.estradiol_pellet
    shown = [f for f in FIGURE_TITLES if f in figure_files] + \
        [f for f in figure_files if f not in FIGURE_TITLES and f.endswith(".png")]
    return {
        "exp": exp, "arms": arms, "takes": takes, "warnings": warnings,
        "overrides_line": _overrides_line(overrides),
        "pellet": f"{pellet.dose_mg:g} mg / {pellet.release_days:g} days" if pellet else "none",
        "results": _results_table(tables["summary"], exp),
        "figures": [{"file": f, "title": FIGURE_TITLES.get(f, f.removesuffix(".png")
                                                           .replace("_", " "))} for f in shown],
        "grades": {g: int(grades.get(g, 0)) for g in ("measured", "derived", "assumed")},
    }


def write_report(out: Path, exp: Experiment, tables: dict[str, pd.DataFrame],
                 figure_files: list[str], warnings: list[str],
                 overrides: dict | None = None) -> str:
    """Write report.md into ``out``; return its file name."""
    text = render("xenograft/report.md.j2",
                  **report_context(exp, tables, figure_files, warnings, overrides))
    (out / "report.md").write_text(text)
    return "report.md"
