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
}


@dataclass(frozen=True)
class Genotype:
    """Signalling inputs of a cell line, resolved from its modifiers."""

    name: str
    modifiers: tuple[str, ...] = ()
    pi3k_multiplier: float = 1.0
    constitutive_akt_drive: float = 0.0  # in units of the parameter myr_akt_drive

    @classmethod
    def from_modifiers(cls, name: str, modifiers: list[str] | tuple[str, ...]) -> Genotype:
        pi3k, myr = 1.0, 0.0
        for m in modifiers:
            effect, _ = MODIFIERS[m]
            pi3k *= effect.get("pi3k_multiplier", 1.0)
            myr += effect.get("constitutive_akt_drive", 0.0)
        return cls(name, tuple(modifiers), pi3k, myr)


#: Built-in cell lines (MCF-7 is PIK3CA E545K; its basal PI3K input is the reference, so the
#: vector line carries no extra modifier).
CELL_LINES: dict[str, tuple[list[str], str]] = {
    "mcf7_vector": ([], "MCF-7 with empty vector: ER+, estrogen-dependent, tamoxifen-sensitive"),
    "mcf7_myr_akt": (["myr_akt"], "MCF-7 with constitutively active myr-Akt1 (deGraffenried 2004)"),
}


def cell_line(name: str, modifiers: list[str] | None = None) -> Genotype:
    """A built-in cell line, or a custom one from explicit modifiers."""
    if modifiers is None:
        modifiers = CELL_LINES[name][0]
    return Genotype.from_modifiers(name, modifiers)
