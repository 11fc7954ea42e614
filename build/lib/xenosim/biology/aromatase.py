"""Aromatase (CYP19): estradiol made from androstenedione, and its block by aromatase inhibitors.

After the menopause (and in ovariectomised mice) estrogen comes from aromatisation of adrenal
androstenedione in peripheral tissues and in the tumour itself; breast tumours hold ~10x the
plasma E2 (Geisler 2008). MCF-7Ca / MCF-7 Aro cells carry transfected aromatase, so in
ovariectomised mice given androstenedione they make their own E2 (Yue 1994). Aromatase
inhibitors (letrozole, anastrozole, exemestane) cut both sources: whole-body aromatisation by
97-99 % (Geisler 2002).
"""

from __future__ import annotations


def intratumoral_estradiol_nM(androstenedione_nM, aromatase_activity, e2_per_androstenedione,
                              aromatase_inhibition=0.0, km_nM: float = float("inf")):
    """Tumour E2 (nM) made locally: Michaelis-Menten in substrate (linear yield at low
    androstenedione, saturating above Km) x aromatase level x uninhibited share."""
    saturation = 1.0 / (1.0 + androstenedione_nM / km_nM)
    return (androstenedione_nM * saturation * aromatase_activity * e2_per_androstenedione
            * (1.0 - aromatase_inhibition))


def host_estradiol_nM(aromatase_e2_nM: float, aromatase_inhibition: float) -> float:
    """Serum E2 that the host makes by peripheral aromatisation, under an aromatase inhibitor."""
    return aromatase_e2_nM * (1.0 - aromatase_inhibition)
