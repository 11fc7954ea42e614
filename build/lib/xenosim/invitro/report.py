"""The in vitro run report: Markdown with the design, the key numbers, the figures, the caveats."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from xenosim.core.parameters import PARAMETERS
from xenosim.invitro.config import CONCENTRATION_KEYS, InVitroExperiment, short_label
from xenosim.invitro.params import INVITRO_PARAMETERS
from xenosim.xenograft.report import _table

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


def write_report(out: Path, exp: InVitroExperiment, tables, figure_files: list[str],
                 warnings: list[str]) -> str:
    """Write report.md into ``out``; return its file name."""
    text = [f"# {exp.experiment}: in vitro study (simulated wells)", "", exp.description, "",
            "## Design", ""]
    text += _design_lines(exp)
    text += ["", f"Resolution: {exp.agents_per_well} agents seeded per well (each agent stands for "
             f"seeded cells / {exp.agents_per_well} cells); time step {exp.time_step_h:g} h; "
             f"seed {exp.seed}. Counting: {exp.counting.aliquot_fraction:.0%} aliquot (Poisson) "
             f"with {exp.counting.cv:.0%} handling CV; reporter: basal {exp.reporter.basal:g} "
             f"+ mean ER activity, {exp.reporter.cv:.0%} CV; apoptosis: "
             f"{exp.apoptosis_assay.events} flow events per well.", ""]

    g = tables.growth
    if len(g):
        text += ["## Proliferation", "",
                 "Specific growth rate per well from a log-linear fit of counts over the count "
                 "days; mean over wells with 95% t-interval; doubling time = ln 2 / rate. "
                 f"Reference (Wiese 1992, MCF-7): {WIESE['doubling_e2_h']:g} ± 3 h with 10 pM E2, "
                 f"{WIESE['doubling_deprived_h']:g} ± 11 h estrogen-deprived.", ""]
        big = [p for p, pl in exp.plates.items() if len(pl.condition_list()) > 12]
        if big:
            text += [f"Plates with more than 12 conditions ({', '.join(big)}) are in "
                     "`growth.csv` only; their responses are in the dose-response section.", ""]
        show = g[g["plate"].map(lambda p: len(exp.plates[p].days) >= 3 and p not in big)].copy()
        if len(show):
            show["doubling time, h (95% CI)"] = [
                _ci(r.doubling_time_h, r.doubling_time_lo_h, r.doubling_time_hi_h, "{:.1f}")
                for r in show.itertuples()]
            show["rate, 1/day"] = [f"{v:.3f}" for v in show["growth_rate_per_day"]]
            show["fold change"] = [f"{v:.2f}" for v in show["fold_change_mean"]]
            show["apoptotic, % (last day)"] = [f"{100 * v:.2f}"
                                               for v in show["fraction_apoptotic_last_mean"]]
            text += [_table(show[["plate", "cell_line", "medium", "condition", "n_wells",
                                  "rate, 1/day", "doubling time, h (95% CI)", "fold change",
                                  "apoptotic, % (last day)"]]), ""]
        for f in figure_files:
            if f.startswith("growth_") or f.startswith("apoptosis_"):
                text += [f"![{f}]({f})", ""]

    dr = tables.dose_response
    if len(dr):
        text += ["## Dose-response (four-parameter logistic fits)", "",
                 "Response = readout at the response day / mean of the matching vehicle wells. "
                 "`EC50` is the curve's midpoint (relative potency); `IC50` is the dose giving "
                 "50% of vehicle (absolute, GI50-like; 'not reached' when the fitted bottom stays "
                 "above 50%). 95% CIs: Wald (t) for the fitted parameters, parameter draws for "
                 "the absolute IC50.", ""]
        show = dr.copy()
        show["EC50 (95% CI)"] = [_ci(r.ec50, r.ec50_lo, r.ec50_hi) for r in show.itertuples()]
        show["IC50 abs (95% CI)"] = [_ci(r.ic50_abs, r.ic50_abs_lo, r.ic50_abs_hi)
                                     for r in show.itertuples()]
        show["Hill (95% CI)"] = [_ci(r.hill, r.hill_lo, r.hill_hi, "{:.2f}")
                                 for r in show.itertuples()]
        show["top"] = [f"{v:.2f}" for v in show["top"]]
        show["bottom (95% CI)"] = [_ci(r.bottom, r.bottom_lo, r.bottom_hi, "{:.2f}")
                                   for r in show.itertuples()]
        text += [_table(show[["plate", "cell_line", "medium", "drug_label", "unit", "background",
                              "top", "bottom (95% CI)", "EC50 (95% CI)", "IC50 abs (95% CI)",
                              "Hill (95% CI)", "status"]].rename(
            columns={"drug_label": "drug", "background": "with"})), ""]
        for f in figure_files:
            if f.startswith("dose_response_"):
                text += [f"![{f}]({f})", ""]

    syn = tables.synergy
    if len(syn):
        text += ["## Combinations", "",
                 "Inhibition I = 1 − fraction of vehicle. Bliss excess = I(A+B) − [I(A) + I(B) − "
                 "I(A)·I(B)], HSA excess = I(A+B) − max(I(A), I(B)) (> 0: synergy), with 95% "
                 "bootstrap CIs over wells. Loewe combination index from the single-agent fits "
                 "(< 1: synergy; blank where a single agent cannot reach the combination's "
                 "effect).", ""]
        summ = []
        for (plate, line, medium, a, b), s in syn.groupby(
                ["plate", "cell_line", "medium", "drug_a", "drug_b"], sort=False):
            best = s.loc[s["bliss_excess"].idxmax()]
            sig = int((s["bliss_excess_lo"] > 0).sum())
            ant = int((s["bliss_excess_hi"] < 0).sum())
            summ.append({"plate": plate, "cell_line": line, "medium": medium,
                         "pair": f"{short_label(a)} × {short_label(b)}",
                         "mean Bliss excess": f"{s['bliss_excess'].mean():.3f}",
                         "max Bliss excess": f"{best['bliss_excess']:.3f}",
                         "at": f"{best['dose_a']:g} × {best['dose_b']:g}",
                         "cells > 0 (CI)": f"{sig}/{len(s)}",
                         "cells < 0 (CI)": f"{ant}/{len(s)}",
                         "median Loewe CI": f"{np.nanmedian(s['loewe_ci']):.2f}"
                         if s["loewe_ci"].notna().any() else "–"})
        text += [_table(pd.DataFrame(summ)), ""]
        for f in figure_files:
            if f.startswith("synergy_"):
                text += [f"![{f}]({f})", ""]

    rep = tables.reporter
    if len(rep):
        text += ["## ERE-reporter (ERα transcriptional activity)", "",
                 "Fold over the vehicle wells of the same line and medium (geometric mean, 95% "
                 "Welch CI on logs). The model's ER activity is split into E2, tamoxifen-bound "
                 "and Ser167 (ligand-independent) shares.", ""]
        show = rep.copy()
        show["fold (95% CI)"] = [_ci(r.fold_vs_vehicle, r.fold_lo, r.fold_hi, "{:.2f}")
                                 for r in show.itertuples()]
        for c in ("mean_er_activity", "er_share_e2", "er_share_tamoxifen", "er_share_ser167"):
            show[c] = [f"{v:.3f}" for v in show[c]]
        text += [_table(show[["cell_line", "medium", "day", "condition", "n_wells",
                              "fold (95% CI)", "mean_er_activity", "er_share_e2",
                              "er_share_tamoxifen", "er_share_ser167"]]), ""]
        for f in figure_files:
            if f.startswith("reporter_"):
                text += [f"![{f}]({f})", ""]

    from xenosim.invitro.wells import invitro_params

    p = invitro_params(exp)
    grades = pd.Series([p.grade for p in PARAMETERS.values()]).value_counts()
    text += ["## Caveats", "",
             "- The plate designs (media, concentrations, days, seeding) are a reconstruction from "
             "standard MCF-7 practice: the full text of deGraffenried et al. 2004 was not "
             "available.",
             "- Wells run the xenograft's cell model (`Tumour(invivo=False)`): no oxygen limit, "
             "every cell cycling; in vitro apoptosis uses the shared fate function with the in "
             "vitro basal rate. There is no contact inhibition: counts beyond confluence keep "
             "growing exponentially (a warning is issued).",
             "- Division rates are derived from Wiese 1992 (33 h with 10 pM E2, 55 h "
             "estrogen-deprived) neglecting in vitro apoptosis and cell-to-cell heterogeneity; "
             "simulated wells therefore double ~1-4 h more slowly than those references. With a "
             "55 h deprived doubling, vector cells in stripped medium still grow in a 6-day "
             "assay: 'vector cells do not proliferate under reduced estrogen' (deGraffenried "
             "2004) holds here only relative to Akt cells.",
             "- Rapamycin lowers ER output through the S6K1 -> Ser167 (ligand-independent) "
             "share; with saturating E2 that share is small, so the modelled reporter barely "
             "moves under E2 + rapamycin.",
             "- Drug and E2 concentrations are constant (medium refreshed); no drug binding to "
             "serum or plastic, no metabolism of tamoxifen to 4-OHT by the cells.",
             "- An agent stands for several cells, so stochastic well-to-well spread of the "
             "simulation is larger than that of real wells of the same size.",
             "- The medium's estrogenic background is an E2-equivalent (full agonist) "
             "concentration: " + "; ".join(f"`{q.name}` = {p[q.name]:g} {q.unit} ({q.grade})"
                                           for q in INVITRO_PARAMETERS)
             + ".",
             f"- Parameters: {grades.get('measured', 0)} measured, {grades.get('derived', 0)} "
             f"derived, {grades.get('assumed', 0)} assumed (`xenosim params`).",
             "- Simulated pathway readouts are model quantities (0-1 activities), not assay "
             "units.", ""]
    if warnings:
        text += ["## Warnings", ""] + [f"- {w}" for w in warnings] + [""]
    (out / "report.md").write_text("\n".join(text))
    return "report.md"
