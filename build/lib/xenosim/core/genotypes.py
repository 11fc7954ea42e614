"""Cell lines as sets of genotype modifiers: new lines are config, not code."""

from __future__ import annotations

from dataclasses import dataclass

#: Modifier -> (effect on signalling inputs, what it means biologically).
MODIFIERS: dict[str, tuple[dict[str, float], str]] = {
    "myr_akt": (
        {"constitutive_akt_drive": 1.0},
        "myristoylated Akt1 transgene: membrane-targeted, constitutively active, PI3K- and "
        "feedback-independent (deGraffenried 2004)",
    ),
    "pik3ca_mutant": (
        {"pi3k_multiplier": 2.0},
        "activating PIK3CA mutation: more PI3K input to Akt, still subject to IRS-1 feedback",
    ),
    "pten_null": (
        {"pi3k_multiplier": 3.0},
        "PTEN loss: PIP3 accumulates, strong PI3K-driven Akt, still subject to feedback",
    ),
    "tsc1_loss": (
        {"mtorc1_constitutive": 1.0},
        "TSC1 loss: Rheb stays GTP-bound, mTORC1/S6K1 run without Akt input (share "
        "tsc1_loss_mtorc1_drive); high S6K1 feeds back on IRS-1, so Akt is LOW, and a rapalog "
        "relieves that feedback (Huang & Manning 2008)",
    ),
    "igf1_stimulated": (
        {"pi3k_multiplier": 2.5},
        "IGF-1 (IGF-1R -> IRS-1 -> PI3K): more PI3K input through IRS-1, the very node S6K1 "
        "feedback inhibits, so the rapalog-induced Akt rise is largest (O'Reilly 2006)",
    ),
    "aromatase": (
        {"aromatase_activity": 1.0},
        "CYP19 aromatase transfected (MCF-7Ca / MCF-7 Aro): the tumour makes its own estradiol "
        "from androstenedione (aromatase_e2_per_androstenedione); aromatase inhibitors block it "
        "(Zhou 1990; Yue 1994)",
    ),
    "lted": (
        {"er_expression_multiplier": 3.0, "pi3k_multiplier": 1.5},
        "long-term estrogen deprivation (adapted): ER protein up ~3x, so ER is hypersensitive to "
        "trace E2 and has more ligand-independent (Ser167) activity; PI3K/mTOR signalling raised "
        "(Martin 2003; Miller 2010)",
    ),
}


@dataclass(frozen=True)
class Genotype:
    """Signalling inputs of a cell line, resolved from its modifiers."""

    name: str
    modifiers: tuple[str, ...] = ()
    pi3k_multiplier: float = 1.0
    constitutive_akt_drive: float = 0.0  # in units of the parameter myr_akt_drive
    mtorc1_constitutive: float = 0.0  # in units of the parameter tsc1_loss_mtorc1_drive
    aromatase_activity: float = 0.0  # in units of aromatase_e2_per_androstenedione
    er_expression_multiplier: float = 1.0

    @classmethod
    def from_modifiers(cls, name: str, modifiers: list[str] | tuple[str, ...]) -> Genotype:
        pi3k, myr, tsc, aro, er = 1.0, 0.0, 0.0, 0.0, 1.0
        for m in modifiers:
            effect, _ = MODIFIERS[m]
            pi3k *= effect.get("pi3k_multiplier", 1.0)
            myr += effect.get("constitutive_akt_drive", 0.0)
            tsc = max(tsc, effect.get("mtorc1_constitutive", 0.0))
            aro += effect.get("aromatase_activity", 0.0)
            er *= effect.get("er_expression_multiplier", 1.0)
        return cls(name, tuple(modifiers), pi3k, myr, tsc, aro, er)


#: Built-in cell lines (MCF-7 is PIK3CA E545K; its basal PI3K input is the reference, so the
#: vector line carries no extra modifier).
CELL_LINES: dict[str, tuple[list[str], str]] = {
    "mcf7_vector": ([], "MCF-7 with empty vector: ER+, estrogen-dependent, tamoxifen-sensitive"),
    "mcf7_myr_akt": (["myr_akt"], "MCF-7 with constitutively active myr-Akt1 (deGraffenried 2004)"),
    "mcf7_aro": (["aromatase"], "MCF-7Ca / MCF-7 Aro: aromatase-transfected MCF-7; grows in "
                 "ovariectomised mice given androstenedione; the aromatase-inhibitor model"),
    "mcf7_pik3ca_mutant": (["pik3ca_mutant"], "MCF-7 with an extra activating PIK3CA allele "
                           "(H1047R-like) on top of its own E545K"),
    "mcf7_pten_null": (["pten_null"], "MCF-7 with PTEN knocked out"),
    "mcf7_tsc1_loss": (["tsc1_loss"], "MCF-7 with TSC1 knocked out"),
    "mcf7_igf1": (["igf1_stimulated"], "MCF-7 stimulated with IGF-1 (host or medium)"),
    "mcf7_lted": (["lted"], "MCF-7 LTED: adapted to long-term estrogen deprivation "
                  "(a model of aromatase-inhibitor resistance)"),
}


def cell_line(name: str, modifiers: list[str] | None = None) -> Genotype:
    """A built-in cell line, or a custom one from explicit modifiers."""
    if modifiers is None:
        modifiers = CELL_LINES[name][0]
    return Genotype.from_modifiers(name, modifiers)
