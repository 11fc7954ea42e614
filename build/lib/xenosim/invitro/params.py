"""Parameters of the in vitro mode, registered in the shared registry (``xenosim params``).

Only what a culture well adds to the shared biology: the estrogenic background of the medium and
the basal cell loss of cells in a dish. Everything else (signalling, division, the shape of the
apoptosis hazard) is the xenograft's own parameter set.
"""

from __future__ import annotations

from xenosim.core.parameters import Param, register

ESTRADIOL_MW = 272.4  # g/mol (PubChem; same value as xenosim.core.drugs)

INVITRO_PARAMETERS = [
    Param("fbs_e2_pg_per_mL", 50.0, "pg/mL",
          "In Vitro 1976;12:23 (FBS lots differ; some exceed 100 pg/mL E2)", "assumed",
          "17beta-estradiol in undiluted fetal bovine serum; 10% FBS gives ~18 pM. Charcoal "
          "stripping removes it (stripped serum counts as E2-free)"),
    Param("phenol_red_e2_equivalent_pM", 3.0, "pM",
          "Berthois 1986 PNAS 83:2496 (phenol red 15-45 uM, Kd 20 uM, doubles MCF-7 cell number "
          "vs phenol-red-free); Bindal 1988 (activity from lipophilic impurities)", "derived",
          "E2 concentration that gives MCF-7 vector cells 2x the cell number of E2-free medium "
          "over a ~7-day assay in this model (doubling 55 h -> ~42 h, i.e. ~3 pM)"),
    Param("apoptosis_rate_invitro_per_day", 0.01, "1/day",
          "McGill J Med 2020 (minimal apoptosis of MCF-7 even at 10 uM 4-OHT in vitro)", "assumed",
          "basal apoptosis of viable cultured cells with full ER output; the shared fate function "
          "raises it when ER output falls and Akt lowers it. Kept small because the maximal "
          "division rate is derived from net doubling times (Wiese 1992) assuming no loss"),
]

register(INVITRO_PARAMETERS)
