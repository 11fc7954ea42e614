"""Drug library: PK parameters per drug (with sources and grades) and the PD target it acts on.

Concentrations are computed by :mod:`xenosim.pharmacology`; the PD link here turns tumour
concentrations into an :class:`~xenosim.biology.signalling.Exposure`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .parameters import Param

ROUTES = ("sc", "ip", "po", "iv", "pellet")


@dataclass(frozen=True)
class Drug:
    """One drug: PK (one compartment, first-order absorption) plus a PD target."""

    name: str
    description: str
    target: str  # "estrogen" | "er_antagonist" | "mtorc1"
    molecular_weight_g_per_mol: Param
    half_life_h: Param
    volume_of_distribution_L_per_kg: Param
    absorption_rate_per_h: Param
    tumour_partition: Param
    effect_half_life_h: Param  # tumour (effect-compartment) equilibration
    routes: tuple[str, ...]
    ic50_nM: Param | None = None
    emax: Param | None = None
    metabolite_fraction: Param | None = None  # tamoxifen: tumour 4-OHT / tumour tamoxifen

    def params(self) -> list[Param]:
        """All provenance-carrying parameters of this drug."""
        return [v for v in vars(self).values() if isinstance(v, Param)]


def _p(drug: str, name: str, value: float, unit: str, source: str, grade: str, note: str = ""):
    return Param(f"{drug}.{name}", value, unit, source, grade, note)


DRUGS: dict[str, Drug] = {
    "estradiol": Drug(
        "estradiol", "17beta-estradiol, slow-release pellet or injection", "estrogen",
        _p("estradiol", "mw", 272.4, "g/mol", "PubChem", "measured"),
        _p("estradiol", "half_life_h", 1.0, "h", "assumed (rapid clearance)", "assumed"),
        _p("estradiol", "vd", 29.0, "L/kg", "Ingberg 2012; Wall 2023 (0.72 mg/60-day pellet gives "
           "~1000 pg/mL, 18-40x physiological)", "derived",
           "apparent volume chosen so a 0.72 mg 60-day pellet gives ~1000 pg/mL in a 25 g mouse"),
        _p("estradiol", "ka", 1.0, "1/h", "assumed", "assumed"),
        _p("estradiol", "partition", 1.0, "1", "assumed (tumour = serum)", "assumed"),
        _p("estradiol", "effect_half_life_h", 2.0, "h", "assumed", "assumed"),
        ("pellet", "sc", "ip"),
    ),
    "tamoxifen": Drug(
        "tamoxifen", "tamoxifen (SERM); 4-hydroxytamoxifen (4-OHT) is the main tumour metabolite",
        "er_antagonist",
        _p("tamoxifen", "mw", 371.5, "g/mol", "PubChem", "measured"),
        _p("tamoxifen", "half_life_h", 4.6, "h", "Mol Pharmacol (mouse s.c.)", "measured"),
        _p("tamoxifen", "vd", 20.0, "L/kg", "assumed (lipophilic, large Vd)", "assumed"),
        _p("tamoxifen", "ka", 0.5, "1/h", "assumed (s.c. depot in oil)", "assumed"),
        _p("tamoxifen", "partition", 20.0, "1", "Jordan 1988 (tumour levels >> serum)", "assumed",
           "tumour/serum ratio"),
        _p("tamoxifen", "effect_half_life_h", 24.0, "h", "Jordan 1988 (tumour retention)", "assumed"),
        ("sc", "po", "ip", "pellet"),
        metabolite_fraction=_p("tamoxifen", "oht_fraction", 0.05, "1",
                               "Jordan 1988 (4-OHT main tumour metabolite)", "assumed",
                               "tumour 4-OHT / tumour tamoxifen"),
    ),
    "cci779": Drug(
        "cci779", "CCI-779 / temsirolimus, a rapalog: allosteric, incomplete mTORC1 inhibitor",
        "mtorc1",
        _p("cci779", "mw", 1030.3, "g/mol", "PubChem", "measured"),
        _p("cci779", "half_life_h", 13.0, "h", "Hidalgo 2006 (human 13-25 h; lower end for mouse)",
           "assumed"),
        _p("cci779", "vd", 10.0, "L/kg", "assumed", "assumed"),
        _p("cci779", "ka", 1.0, "1/h", "assumed (i.p.)", "assumed"),
        _p("cci779", "partition", 1.0, "1", "assumed", "assumed"),
        _p("cci779", "effect_half_life_h", 6.0, "h", "assumed", "assumed"),
        ("ip", "iv", "po"),
        ic50_nM=_p("cci779", "ic50_nM", 1.0, "nM", "rapalog mTORC1 IC50 sub-nM to ~1 nM", "measured"),
        emax=_p("cci779", "emax", 0.85, "1", "rapalogs are incomplete mTORC1 inhibitors (0.8-0.9)",
                "derived"),
    ),
    "rapamycin": Drug(
        "rapamycin", "rapamycin / sirolimus (in vitro use; in vivo PK assumed like CCI-779)", "mtorc1",
        _p("rapamycin", "mw", 914.2, "g/mol", "PubChem", "measured"),
        _p("rapamycin", "half_life_h", 13.0, "h", "assumed like CCI-779", "assumed"),
        _p("rapamycin", "vd", 10.0, "L/kg", "assumed", "assumed"),
        _p("rapamycin", "ka", 1.0, "1/h", "assumed", "assumed"),
        _p("rapamycin", "partition", 1.0, "1", "assumed", "assumed"),
        _p("rapamycin", "effect_half_life_h", 6.0, "h", "assumed", "assumed"),
        ("ip", "iv", "po"),
        ic50_nM=_p("rapamycin", "ic50_nM", 0.5, "nM", "rapalog mTORC1 IC50 sub-nM", "measured"),
        emax=_p("rapamycin", "emax", 0.85, "1", "incomplete mTORC1 inhibition", "derived"),
    ),
}


def drug(name: str) -> Drug:
    """Look a drug up by name (KeyError lists the library)."""
    try:
        return DRUGS[name]
    except KeyError:
        raise KeyError(f"unknown drug {name!r}; known: {', '.join(DRUGS)}") from None
