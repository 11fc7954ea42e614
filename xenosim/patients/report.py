"""The report of a virtual-patient trial (Markdown, from a Jinja2 template)."""

from __future__ import annotations

import pandas as pd

from xenosim.core.templates import md_table, render
from xenosim.patients.config import PatientStudy


def _md(df: pd.DataFrame) -> str:
    """Three significant digits; a median not reached (inf / NaN) shows as "n.r."."""
    return md_table(df, "{:.3g}", "n.r.")


def render_report(study: PatientStudy, arms: pd.DataFrame, hrs: pd.DataFrame,
            subgroups: pd.DataFrame, warnings: list[str], figs: list[str]) -> str:
    """The trial's report.md, rendered from ``xenosim/templates/patients/report.md.j2``."""
    design = [{"name": a, "label": spec.label or a,
               "what": "; ".join(r.describe() for r in spec.regimens) or "no drug"}
              for a, spec in study.arms.items()]
    return render("patients/report.md.j2", study=study, pop=study.population, design=design,
                  arms=_md(arms), hrs=_md(hrs), subgroups=_md(subgroups) if len(subgroups)
                  else "-", figures=figs, warnings=warnings,
                  akt_fraction=study.population.akt_activated_fraction.model_dump(
                      exclude_none=True))
