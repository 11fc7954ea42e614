"""The run report: the design, a table per arm, the figures and the caveats, as Markdown
(``report.md``) and as one self-contained HTML page (``report.html``: figures embedded, a
plain-language summary of the key comparison first).

This module gathers the numbers; ``xenosim/templates/xenograft/report.md.j2`` and
``report.html.j2`` hold the words.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from xenosim.analysis.plain import choose_key, key_summary
from xenosim.analysis.render import tab
from xenosim.core.parameters import PARAMETERS
from xenosim.core.style import CELL_LINE_TITLES
from xenosim.core.templates import render
from xenosim.xenograft.config import Experiment
from xenosim.xenograft.figures import run_order

FIGURE_TITLES = {"growth_curves.png": "Growth curves", "spaghetti.png": "Individual tumours",
                 "pathway.png": "Signalling", "ihc.png": "Virtual IHC at study end"}


def _results_table(summary: pd.DataFrame, exp: Experiment) -> pd.DataFrame:
    """The summary per arm with the figures' labels (cell-line titles, config arm labels)."""
    summary = summary.assign(cell_line=summary["cell_line"].map(
        lambda c: CELL_LINE_TITLES.get(c, c)))
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
    took = took.reindex([c for c in exp.cell_lines if c in took.index])  # the config's order
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


def plain_summary(exp: Experiment, measurements: pd.DataFrame) -> dict:
    """The key comparison of the run in words (per-mouse growth rates, Welch), and which it is."""
    labels = {arm: (a.label or arm) for arm, a in exp.arms.items()}
    order = run_order(measurements, list(exp.cell_lines), list(exp.arms))
    regimens = {arm: frozenset(r.drug for r in a.regimens) for arm, a in exp.arms.items()}
    key = choose_key(order, regimens)
    return {"key": key, "sentences": key_summary(measurements, key, labels, CELL_LINE_TITLES),
            "line": CELL_LINE_TITLES.get(key[0], key[0]) if key else "",
            "arm_a": labels.get(key[1], key[1]) if key else "",
            "arm_b": labels.get(key[2], key[2]) if key else ""}


def write_report_html(out: Path, exp: Experiment, tables: dict[str, pd.DataFrame],
                      figure_files: list[str], warnings: list[str],
                      overrides: dict | None = None) -> str:
    """Write the self-contained report.html into ``out`` (figures read back from ``out`` and
    embedded as base64); return its file name."""
    ctx = report_context(exp, tables, figure_files, warnings, overrides)
    figs = {f["file"].removesuffix(".png"): (out / f["file"]).read_bytes()
            for f in ctx["figures"]}
    res = ctx["results"]
    text = render("xenograft/report.html.j2", html=True, **ctx, figs=figs,
                  results_tab=tab(res.astype(object).where(res.notna(), "–")
                                  .map(_cell).to_dict("records")),
                  plain=plain_summary(exp, tables["measurements"]))
    (out / "report.html").write_text(text)
    return "report.html"


def _cell(v) -> str:
    return f"{v:.1f}" if isinstance(v, float) else str(v)
