"""The run report: Markdown with the design, a table per arm, the figures and the caveats."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from xenosim.core.parameters import PARAMETERS
from xenosim.xenograft.config import Experiment


def _table(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in df.iterrows():
        cells = []
        for c in cols:
            v = row[c]
            if isinstance(v, float):
                cells.append("–" if v != v else f"{v:.1f}")  # NaN: no mouse left to measure
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _overrides_line(overrides: dict | None) -> str:
    if not overrides:
        return ""
    return "\n- Changed from the config file (--set): " + ", ".join(
        f"`{k}={v}`" for k, v in overrides.items()) + "."


def write_report(out: Path, exp: Experiment, tables: dict[str, pd.DataFrame],
                 figure_files: list[str], warnings: list[str],
                 overrides: dict | None = None) -> str:
    """Write report.md into ``out``; return its file name."""
    summary = tables["summary"]
    mice = tables["mice"]
    grades = pd.Series([p.grade for p in PARAMETERS.values()]).value_counts()
    design = []
    for arm, spec in exp.arms.items():
        what = "; ".join(r.describe() for r in spec.regimens) or "no drug"
        if spec.remove_estradiol_pellet:
            what += "; estradiol pellet removed at day 0"
        design.append(f"- **{spec.label or arm}** (`{arm}`): {what}")
    took = mice.groupby("cell_line")["took"].agg(["sum", "count"])
    take_lines = [f"- {line}: {int(r['sum'])} of {int(r['count'])} inoculated mice reached "
                  f"{exp.randomisation_volume_mm3:g} mm³" for line, r in took.iterrows()]
    shown = summary[["cell_line", "label", "n_mice", "day0_volume_mean_mm3",
                     "final_volume_mean_mm3", "n_at_study_end", "n_endpoint",
                     "median_fold_change_last"]].rename(columns={
        "cell_line": "cell line", "label": "arm", "n_mice": "n",
        "day0_volume_mean_mm3": "day 0 mean (mm³)",
        "final_volume_mean_mm3": f"day {exp.study_days:g} mean (mm³)",
        "n_at_study_end": "n at end", "n_endpoint": "n endpoint",
        "median_fold_change_last": "median fold change (last/day 0)"})
    text = f"""# {exp.experiment}: in-silico xenograft study

{exp.description}

## Design

- Cell lines: {', '.join(exp.cell_lines)}; host: {'ovariectomised' if exp.host.ovariectomised else 'intact'}
  nude mice, {exp.host.body_weight_g:g} g, estradiol pellet
  {f'{exp.host.estradiol_pellet.dose_mg:g} mg / {exp.host.estradiol_pellet.release_days:g} days' if exp.host.estradiol_pellet else 'none'}.
- Inoculum {exp.inoculum.cells:.2g} cells; mice enter treatment (day 0) when their caliper volume first
  reaches {exp.randomisation_volume_mm3:g} mm³ (rolling enrolment) and are randomised in
  volume-balanced blocks; {exp.mice_per_arm} mice per arm.
- Calipers twice a week (L, W with {exp.caliper.cv:.0%} lognormal error; V = L·W²/2);
  humane endpoint {exp.endpoint_volume_mm3:g} mm³; study end day {exp.study_days:g}.
- Resolution: {exp.cells_per_agent:g} cells per agent; time step {exp.time_step_h:g} h; seed {exp.seed}.{_overrides_line(overrides)}

Arms:

{chr(10).join(design)}

Take:

{chr(10).join(take_lines)}

## Results per arm

{_table(shown)}

Means at study end use the mice still on study (mice removed at the endpoint are not in them;
"–" when none is left).
The arm comparison (growth rates, mixed model, T/C, %TGI, Kaplan–Meier, synergy) is in
`analysis/report.html` (written by `xenosim run`, or by `xenosim analyze <this directory>`).

![Growth curves](growth_curves.png)

![Individual tumours](spaghetti.png)

![Signalling](pathway.png)

## Caveats

- The doses, schedules, inoculum, randomisation size, caliper schedule and study length are a
  reconstruction from standard MCF-7 xenograft practice: the paper's full text was not available.
- Parameters: {grades.get('measured', 0)} measured, {grades.get('derived', 0)} derived,
  {grades.get('assumed', 0)} assumed (`xenosim params` lists value, unit, source and grade).
- Simulated pathway readouts are model quantities (0-1 activities), not assay units.
"""
    if warnings:
        text += "\n## Warnings\n\n" + "\n".join(f"- {w}" for w in warnings) + "\n"
    (out / "report.md").write_text(text)
    return "report.md"
