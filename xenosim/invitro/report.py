"""The in vitro run report: Markdown with the design, the key numbers, the figures, the caveats.

This module computes the tables; ``xenosim/templates/invitro/report.md.j2`` holds the words.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from xenosim.core.parameters import PARAMETERS
from xenosim.core.templates import md_table, render
from xenosim.invitro.config import CONCENTRATION_KEYS, InVitroExperiment, short_label
from xenosim.invitro.params import INVITRO_PARAMETERS

WIESE = {"doubling_e2_h": 33.0, "doubling_deprived_h": 55.0}


def _ci(v, lo, hi, fmt="{:.3g}") -> str:
    if not np.isfinite(v):
        return "not reached" if v == np.inf else "n/a"
    s = fmt.format(v)
    if np.isfinite(lo) or np.isfinite(hi):
        lo_s = fmt.format(lo) if np.isfinite(lo) else ("0" if lo == 0 else "?")
        hi_s = fmt.format(hi) if np.isfinite(hi) else ("∞" if hi == np.inf else "?")
        s += f" ({lo_s}–{hi_s})"
    return s


def _design_lines(exp: InVitroExperiment) -> list[str]:
    out = []
    media = exp.all_media()
    from xenosim.invitro.wells import invitro_params

    p = invitro_params(exp)
    for pname, plate in exp.plates.items():
        conds = plate.condition_list()
        grid = "; ".join(f"{short_label(k)} {', '.join(f'{v:g}' for v in vals)} "
                         f"{CONCENTRATION_KEYS[k][1]}" for k, vals in plate.concentrations.items())
        extra = f"; plus {len(plate.conditions)} listed condition(s)" if plate.conditions else ""
        out.append(
            f"- **{pname}** ({plate.assay}): {plate.description} — lines "
            f"{', '.join(plate.lines(exp))}; media {', '.join(plate.media)}; "
            f"{grid or 'vehicle only'}{extra} → {len(conds)} condition(s) × "
            f"{plate.replicates} replicate wells; {plate.seeding_cells_per_well:g} cells/well "
            f"seeded; counted on day(s) {', '.join(f'{d:g}' for d in plate.days)}.")
    out.append("")
    out.append("Media (E2-equivalent background in the model):")
    for name, m in media.items():
        if any(name in pl.media for pl in exp.plates.values()):
            out.append(f"- `{name}`: {m.description or m.serum} — {m.e2_equivalent_pM(p):.3g} pM")
    return out


def _figures(figure_files: list[str], *prefixes: str) -> list[str]:
    return [f for f in figure_files if f.startswith(prefixes)]


def _growth_section(exp: InVitroExperiment, g: pd.DataFrame, figure_files: list[str]) -> dict:
    big = [p for p, pl in exp.plates.items() if len(pl.condition_list()) > 12]
    show = g[g["plate"].map(lambda p: len(exp.plates[p].days) >= 3 and p not in big)].copy()
    table = None
    if len(show):
        show["doubling time, h (95% CI)"] = [
            _ci(r.doubling_time_h, r.doubling_time_lo_h, r.doubling_time_hi_h, "{:.1f}")
            for r in show.itertuples()]
        show["rate, 1/day"] = [f"{v:.3f}" for v in show["growth_rate_per_day"]]
        show["fold change"] = [f"{v:.2f}" for v in show["fold_change_mean"]]
        show["apoptotic, % (last day)"] = [f"{100 * v:.2f}"
                                           for v in show["fraction_apoptotic_last_mean"]]
        table = md_table(show[["plate", "cell_line", "medium", "condition", "n_wells",
                               "rate, 1/day", "doubling time, h (95% CI)", "fold change",
                               "apoptotic, % (last day)"]])
    return {"big": big, "table": table, "figures": _figures(figure_files, "growth_", "apoptosis_")}


def _dose_response_section(dr: pd.DataFrame, figure_files: list[str]) -> dict:
    show = dr.copy()
    show["EC50 (95% CI)"] = [_ci(r.ec50, r.ec50_lo, r.ec50_hi) for r in show.itertuples()]
    show["IC50 abs (95% CI)"] = [_ci(r.ic50_abs, r.ic50_abs_lo, r.ic50_abs_hi)
                                 for r in show.itertuples()]
    show["Hill (95% CI)"] = [_ci(r.hill, r.hill_lo, r.hill_hi, "{:.2f}")
                             for r in show.itertuples()]
    show["top"] = [f"{v:.2f}" for v in show["top"]]
    show["bottom (95% CI)"] = [_ci(r.bottom, r.bottom_lo, r.bottom_hi, "{:.2f}")
                               for r in show.itertuples()]
    table = md_table(show[["plate", "cell_line", "medium", "drug_label", "unit", "background",
                           "top", "bottom (95% CI)", "EC50 (95% CI)", "IC50 abs (95% CI)",
                           "Hill (95% CI)", "status"]].rename(
        columns={"drug_label": "drug", "background": "with"}))
    return {"table": table, "figures": _figures(figure_files, "dose_response_")}


def _synergy_section(syn: pd.DataFrame, figure_files: list[str]) -> dict:
    summ = []
    for (plate, line, medium, a, b), s in syn.groupby(
            ["plate", "cell_line", "medium", "drug_a", "drug_b"], sort=False):
        best = s.loc[s["bliss_excess"].idxmax()]
        summ.append({"plate": plate, "cell_line": line, "medium": medium,
                     "pair": f"{short_label(a)} × {short_label(b)}",
                     "mean Bliss excess": f"{s['bliss_excess'].mean():.3f}",
                     "max Bliss excess": f"{best['bliss_excess']:.3f}",
                     "at": f"{best['dose_a']:g} × {best['dose_b']:g}",
                     "cells > 0 (CI)": f"{int((s['bliss_excess_lo'] > 0).sum())}/{len(s)}",
                     "cells < 0 (CI)": f"{int((s['bliss_excess_hi'] < 0).sum())}/{len(s)}",
                     "median Loewe CI": f"{np.nanmedian(s['loewe_ci']):.2f}"
                     if s["loewe_ci"].notna().any() else "–"})
    return {"table": md_table(pd.DataFrame(summ)), "figures": _figures(figure_files, "synergy_")}


def _reporter_section(rep: pd.DataFrame, figure_files: list[str]) -> dict:
    show = rep.copy()
    show["fold (95% CI)"] = [_ci(r.fold_vs_vehicle, r.fold_lo, r.fold_hi, "{:.2f}")
                             for r in show.itertuples()]
    for c in ("mean_er_activity", "er_share_e2", "er_share_tamoxifen", "er_share_ser167"):
        show[c] = [f"{v:.3f}" for v in show[c]]
    table = md_table(show[["cell_line", "medium", "day", "condition", "n_wells",
                           "fold (95% CI)", "mean_er_activity", "er_share_e2",
                           "er_share_tamoxifen", "er_share_ser167"]])
    return {"table": table, "figures": _figures(figure_files, "reporter_")}


def report_context(exp: InVitroExperiment, tables, figure_files: list[str],
                   warnings: list[str]) -> dict:
    """Everything the in vitro report shows, computed here (the template lays it out)."""
    from xenosim.invitro.wells import invitro_params

    p = invitro_params(exp)
    grades = pd.Series([q.grade for q in PARAMETERS.values()]).value_counts()
    return {
        "exp": exp, "design_lines": _design_lines(exp), "wiese": WIESE, "warnings": warnings,
        "growth": _growth_section(exp, tables.growth, figure_files)
        if len(tables.growth) else None,
        "dose_response": _dose_response_section(tables.dose_response, figure_files)
        if len(tables.dose_response) else None,
        "synergy": _synergy_section(tables.synergy, figure_files)
        if len(tables.synergy) else None,
        "reporter": _reporter_section(tables.reporter, figure_files)
        if len(tables.reporter) else None,
        "medium_background": "; ".join(f"`{q.name}` = {p[q.name]:g} {q.unit} ({q.grade})"
                                       for q in INVITRO_PARAMETERS),
        "grades": {g: int(grades.get(g, 0)) for g in ("measured", "derived", "assumed")},
    }


def write_report(out: Path, exp: InVitroExperiment, tables, figure_files: list[str],
                 warnings: list[str]) -> str:
    """Write report.md into ``out``; return its file name."""
    text = render("invitro/report.md.j2", **report_context(exp, tables, figure_files, warnings))
    (out / "report.md").write_text(text)
    return "report.md"
