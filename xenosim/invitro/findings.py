"""The published in vitro findings the model is checked against, written once: Wiese 1992
(doubling times), deGraffenried 2004 (Akt cells grow without estrogen and resist 4-OHT; rapamycin
restores 4-OHT sensitivity and blocks ERE-reporter activity). ``tests/test_invitro_biology.py``
asserts them on one study; ``xenosim qualify`` runs them over seeds.

The checks read the tables of one simulated plate set (:func:`study_config`): growth in stripped
medium with and without 10 pM E2, a 4-OHT dose-response with and without 1 nM rapamycin in full
medium, and an ERE-reporter plate.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import stats

from xenosim.core.findings import Finding, Outcome

LINES = {"mcf7_vector": {}, "mcf7_myr_akt": {}, "mcf7_pten_null": {}}
PAIR = ["mcf7_vector", "mcf7_myr_akt"]
PLATES = {
    "growth": {"cell_lines": PAIR, "media": ["stripped"], "conditions": [{}, {"estradiol_pM": 10}],
               "seeding_cells_per_well": 5000, "replicates": 4, "days": [0, 2, 4, 6]},
    "oht": {"cell_lines": PAIR, "media": ["full"],
            "concentrations": {"oht_nM": [0, 0.03, 0.1, 0.3, 1, 3, 10, 1000],
                               "rapamycin_nM": [0, 1]},
            "seeding_cells_per_well": 5000, "replicates": 3, "days": [0, 6]},
    "rapa": {"media": ["full"], "concentrations": {"rapamycin_nM": [0, 0.1, 0.3, 1, 3, 10, 100]},
             "seeding_cells_per_well": 5000, "replicates": 3, "days": [0, 6]},
    "ere": {"cell_lines": PAIR, "assay": "reporter", "media": ["stripped"],
            "conditions": [{}, {"estradiol_pM": 1000}, {"estradiol_pM": 1000, "oht_nM": 1000},
                           {"rapamycin_nM": 10}],
            "seeding_cells_per_well": 1.0e5, "replicates": 4, "days": [1]},
}


def study_config(seed: int = 11, agents: int = 400) -> dict:
    """The in vitro study the findings are checked on (a config mapping)."""
    return {"mode": "invitro", "experiment": "biology_checks", "seed": seed,
            "agents_per_well": agents, "cell_lines": LINES, "plates": PLATES}


def _growth(tables, line: str, condition: str):
    g = tables.growth
    row = g[(g["plate"] == "growth") & (g["cell_line"] == line) & (g["condition"] == condition)]
    return row.iloc[0]


def _well_rates(tables, line: str, condition: str) -> np.ndarray:
    w = tables.wells
    w = w[(w["plate"] == "growth") & (w["cell_line"] == line) & (w["condition"] == condition)]
    return np.array([np.polyfit(g["day"], np.log(g["cell_count"]), 1)[0]
                     for _, g in w.groupby("well")])


def _oht_fit(tables, line: str, rapamycin_nM: float):
    dr = tables.dose_response
    row = dr[(dr["plate"] == "oht") & (dr["drug"] == "oht_nM") & (dr["cell_line"] == line)
             & np.isclose(dr["rapamycin_nM"], rapamycin_nM)]
    return row.iloc[0]


def _wiese(tables) -> Outcome:
    e2, dep = _growth(tables, "mcf7_vector", "E2 10 pM"), _growth(tables, "mcf7_vector",
                                                                  "vehicle")
    ok = (30.0 <= e2["doubling_time_h"] <= 36.0 and 44.0 <= dep["doubling_time_h"] <= 66.0
          and e2["doubling_time_hi_h"] < dep["doubling_time_lo_h"])
    return Outcome(float(e2["doubling_time_h"]), ok,
                   f"doubling {e2['doubling_time_h']:.1f} h with 10 pM E2 (30-36), "
                   f"{dep['doubling_time_h']:.1f} h deprived (44-66), intervals apart")


def _akt_stripped(tables) -> Outcome:
    akt, vec = _well_rates(tables, "mcf7_myr_akt", "vehicle"), _well_rates(tables, "mcf7_vector",
                                                                           "vehicle")
    p = float(stats.ttest_ind(akt, vec, equal_var=False).pvalue)
    share = {line: _growth(tables, line, "vehicle")["growth_rate_per_day"]
             / _growth(tables, line, "E2 10 pM")["growth_rate_per_day"] for line in PAIR}
    ok = akt.mean() > vec.mean() and p < 0.01 and share["mcf7_myr_akt"] > share["mcf7_vector"]
    return Outcome(float(share["mcf7_myr_akt"]), ok,
                   f"share of E2-stimulated growth kept in stripped medium: myr-Akt "
                   f"{share['mcf7_myr_akt']:.2f}, vector {share['mcf7_vector']:.2f}; "
                   f"rates apart p {p:.2g}")


def _oht_ic50(tables) -> Outcome:
    vec, akt = _oht_fit(tables, "mcf7_vector", 0.0), _oht_fit(tables, "mcf7_myr_akt", 0.0)
    ok = (bool(np.isfinite(vec["ic50_abs"])) and vec["ic50_abs"] <= 1000
          and vec["ic50_abs_hi"] < akt["ic50_abs_lo"] and akt["bottom_lo"] > vec["bottom_hi"])
    return Outcome(float(vec["ic50_abs"]), ok,
                   f"4-OHT IC50 vector {vec['ic50_abs']:.3g} nM, myr-Akt {akt['ic50_abs']:.3g} "
                   f"nM; bottom vector {vec['bottom']:.2f}, myr-Akt {akt['bottom']:.2f}")


def _rapa_restores(tables) -> Outcome:
    alone, with_rapa = _oht_fit(tables, "mcf7_myr_akt", 0.0), _oht_fit(tables, "mcf7_myr_akt",
                                                                        1.0)
    ok = bool(np.isfinite(with_rapa["ic50_abs"])) and with_rapa["bottom_hi"] < alone["bottom_lo"]
    if np.isfinite(alone["ic50_abs_lo"]):
        ok = ok and with_rapa["ic50_abs_hi"] < alone["ic50_abs_lo"]
    else:  # 4-OHT alone never halves Akt cells: IC50 'not reached'
        ok = ok and alone["bottom_lo"] > 0.5 and alone["ic50_abs"] == np.inf
    return Outcome(float(with_rapa["bottom"]), ok,
                   f"myr-Akt 4-OHT bottom {alone['bottom']:.2f} alone, {with_rapa['bottom']:.2f} "
                   f"with 1 nM rapamycin; IC50 with rapamycin {with_rapa['ic50_abs']:.3g} nM")


def _rapa_sensitivity(tables) -> Outcome:
    """Akt-activated lines are inhibited more than vector: a lower IC50 (potency) or fewer cells
    left at saturating rapamycin (efficacy), with the 95 % intervals apart for each line (an IC50
    not reached counts as infinite)."""
    dr = tables.dose_response
    fit = {line: dr[(dr["plate"] == "rapa") & (dr["drug"] == "rapamycin_nM")
                    & (dr["cell_line"] == line)].iloc[0] for line in LINES}
    vec = fit["mcf7_vector"]

    def more_inhibited(f) -> bool:
        vec_ic50_lo = vec["ic50_abs_lo"] if np.isfinite(vec["ic50_abs"]) else np.inf
        potency = bool(np.isfinite(f["ic50_abs_hi"]) and f["ic50_abs_hi"] < vec_ic50_lo)
        return potency or bool(f["bottom_hi"] < vec["bottom_lo"])

    ok = all(more_inhibited(fit[line]) for line in ("mcf7_myr_akt", "mcf7_pten_null"))
    return Outcome(float(fit["mcf7_myr_akt"]["bottom"]), ok,
                   "rapamycin IC50 / cells left at saturating rapamycin (share of vehicle): " +
                   ", ".join(f"{line[5:]} {fit[line]['ic50_abs']:.3g} nM / {fit[line]['bottom']:.2f}"
                             for line in LINES)
                   + "; myr-Akt and PTEN-null below vector in IC50 or in cells left, CIs apart")


def _ere(line: str) -> Callable[[object], Outcome]:
    def check(tables) -> Outcome:
        r = tables.reporter
        fold = {c: r[(r["cell_line"] == line) & (r["condition"] == c)].iloc[0]
                for c in ("E2 1000 pM", "Rapa 10 nM")}
        w = tables.wells[(tables.wells["plate"] == "ere") & (tables.wells["cell_line"] == line)]
        with_e2 = np.log(w.loc[w["condition"] == "E2 1000 pM", "ere_reporter"])
        both = np.log(w.loc[w["condition"] == "E2 1000 pM + 4-OHT 1000 nM", "ere_reporter"])
        p = float(stats.ttest_ind(both, with_e2, equal_var=False).pvalue)
        ok = (fold["E2 1000 pM"]["fold_lo"] > 1.0 and fold["Rapa 10 nM"]["fold_hi"] < 1.0
              and both.mean() < with_e2.mean() and p < 0.05)
        e2, rapa = (fold[c]["fold_vs_vehicle"] for c in ("E2 1000 pM", "Rapa 10 nM"))
        return Outcome(float(rapa), ok, f"ERE fold over vehicle: E2 {e2:.2f} (> 1), rapamycin "
                                        f"{rapa:.2f} (< 1); 4-OHT lowers E2's, p {p:.2g}")
    return check


FINDINGS: tuple[Finding, ...] = (
    Finding("wiese_doubling", "MCF-7 double in 33 h with 10 pM E2 and 55 h deprived",
            "Wiese 1992", True, _wiese),
    Finding("akt_grows_stripped", "MCF-7 Akt cells proliferate with reduced estrogen",
            "deGraffenried 2004", False, _akt_stripped),
    Finding("oht_ic50_vector_below_akt", "4-OHT inhibits vector cells at a lower dose than "
            "Akt cells", "deGraffenried 2004", False, _oht_ic50),
    Finding("rapamycin_restores_oht", "rapamycin restores 4-OHT sensitivity of Akt cells",
            "deGraffenried 2004", False, _rapa_restores),
    Finding("rapamycin_sensitivity_akt", "rapamycin inhibits Akt-activated (myr-Akt, PTEN-null) "
            "cells more than vector cells", "Neshat 2001; Noh 2004; Gera 2004; Sokolosky 2011",
            False, _rapa_sensitivity),
    Finding("ere_directions_vector", "E2 raises, rapamycin and 4-OHT lower ERE activity "
            "(vector cells)", "deGraffenried 2004", False, _ere("mcf7_vector")),
    Finding("ere_directions_akt", "E2 raises, rapamycin and 4-OHT lower ERE activity (myr-Akt "
            "cells)", "deGraffenried 2004", False, _ere("mcf7_myr_akt")),
)
