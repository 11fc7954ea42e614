"""Why the two populations differ: steady-state signalling and net growth rate of each kind of
tumour cell under each trial arm (human PK at steady state, no simulation noise).

    python experiments/clinical_mtor/mechanism_table.py   # prints a Markdown table, writes CSV
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from xenosim.biology import cellcycle
from xenosim.biology import er as er_mod
from xenosim.biology.signalling import (
    Signals,
    compute_signalling,
    derived_rates,
    growth_factor_input,
    steady_state,
    translation_and_drive,
)
from xenosim.core.genotypes import Genotype
from xenosim.core.parameters import resolve
from xenosim.patients.config import load_patient_study
from xenosim.patients.runner import patient_profile

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CELLS = {  # population -> cell kinds (modifiers)
    "AI-naive": {"parental": ["aromatase"], "parental, PI3K-activated": ["aromatase", "pik3ca_mutant"],
                 "Akt-activated": ["aromatase", "myr_akt"]},
    "AI-resistant": {"parental, adapted": ["aromatase", "lted"],
                     "parental, adapted, PI3K-activated": ["aromatase", "lted", "pik3ca_mutant"],
                     "Akt-activated, adapted": ["aromatase", "lted", "myr_akt"],
                     "parental, adapted, ESR1-mutant": ["aromatase", "lted", "+esr1"]},
}
ESR1 = "+esr1"  # not a genotype modifier: the per-cell ESR1-mutant flag (biology/adaptation.py)
TRIALS = {"AI-naive": "patients_ai_naive.yaml", "AI-resistant": "patients_ai_resistant.yaml"}


def net_growth_per_month(sig, p: dict) -> float:
    """Growth of a well-oxygenated cycling/arrested population at the median patient kinetics:
    two-state (cycling <-> G0/G1 arrest) growth rate minus apoptosis (biology/cellcycle.py),
    apoptosis weighted by the steady-state cycling fraction."""
    rates = derived_rates(p)
    scale = p["patient_kinetics_scale"]
    # the host's growth-factor input, as in every in vivo step (patient lesions included)
    _, drive = translation_and_drive(sig, p, rates.er_weight, growth_factor_input(p, True))
    arrest, release = cellcycle.switching_rates_per_h(
        float(drive), p["g1_drive_half"], p["g1_restriction_hill"], p["g1_switch_rate_per_h"])
    lam = cellcycle.growth_rate_per_h(
        rates.division_rate_max_per_h * p["invivo_cycling_factor"] * scale, arrest, release)
    h = float(cellcycle.committed_fraction(float(drive), p["g1_drive_half"],
                                           p["g1_restriction_hill"]))
    apo = cellcycle.apoptosis_rate_per_h(sig.er.total, sig.akt, h, 1.0 - h, False, p,
                                         basal_per_day=p["apoptosis_rate_invivo_per_day"] * scale)
    return float((lam - apo) * 24 * 30.44)


def mutant_steady_state(ex, genotype: Genotype, p: dict, iterations: int = 30) -> Signals:
    """``steady_state`` for one ESR1-mutant cell, its arrays turned back into scalars."""
    s6k1, one = np.full(1, 0.5), np.ones(1)
    for _ in range(iterations):
        sig = compute_signalling(ex, genotype, p, one, one, s6k1,
                                 esr1_mutant=np.ones(1, dtype=np.uint8))
        s6k1 = sig.s6k1
    first = lambda a: float(np.ravel(a)[0])  # noqa: E731
    er = er_mod.ERActivity(*(first(v) for v in (sig.er.total, sig.er.share_e2,
                                                 sig.er.share_tamoxifen, sig.er.share_ser167)))
    return Signals(first(sig.akt), first(sig.mtorc1), first(sig.s6k1), first(sig.ser167), er,
                   sig.er_protein, sig.e2_tumour_nM, sig.occ_e2, sig.mtorc1_inhibition)


def table() -> pd.DataFrame:
    p = resolve()
    rows = []
    for pop, cfg in TRIALS.items():
        study = load_patient_study(ROOT / "configs" / cfg)
        for arm, spec in study.arms.items():
            ex = patient_profile(study, arm).exposure(24 * 60, 24 * 88)  # weeks 9-12, steady state
            for kind, mods in CELLS[pop].items():
                g = Genotype.from_modifiers(kind, [m for m in mods if m != ESR1])
                sig = (mutant_steady_state(ex, g, p) if ESR1 in mods else
                       steady_state(ex, g, p))
                rows.append({"population": pop, "arm": spec.label or arm, "cell": kind,
                             "tumour_E2_pM": round(1000 * sig.e2_tumour_nM, 2),
                             "Akt": float(np.round(sig.akt, 2)),
                             "mTORC1": float(np.round(sig.mtorc1, 2)),
                             "ER_activity": float(np.round(sig.er.total, 2)),
                             "ER_Ser167_share": float(np.round(sig.er.share_ser167, 2)),
                             "net_growth_per_month": round(net_growth_per_month(sig, p), 3)})
    return pd.DataFrame(rows)


if __name__ == "__main__":
    df = table()
    df.to_csv(HERE / "figures" / "mechanism_table.csv", index=False)
    cols = list(df.columns)
    print("| " + " | ".join(cols) + " |\n|" + "---|" * len(cols))
    for _, r in df.iterrows():
        print("| " + " | ".join(str(r[c]) for c in cols) + " |")
