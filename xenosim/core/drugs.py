"""Drug library: PK parameters per drug (with sources and grades) and the PD target it acts on.

Concentrations are computed by :mod:`xenosim.core.pharmacology`; the PD link here turns tumour
concentrations into an :class:`~xenosim.biology.signalling.Exposure`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from xenosim.core.parameters import Param, register

ROUTES = ("sc", "ip", "po", "iv", "pellet", "im")
#: Routes of clinical regimens: intraperitoneal injection and hormone pellets are laboratory-animal
#: routes, not ways to treat a patient.
HUMAN_ROUTES = ("po", "iv", "sc", "im")
SPECIES = ("mouse", "human")

#: PD targets: how a drug's tumour concentration enters the Exposure of a step.
TARGETS: dict[str, str] = {
    "estrogen": "adds to tumour estradiol",
    "er_antagonist": "competes with E2 for ER (tamoxifen + active metabolites 4-OHT/endoxifen)",
    "mtorc1": "allosteric, incomplete mTORC1 inhibition (rapalog, FKBP12-FRB)",
    "mtor_kinase": "ATP-site mTOR kinase inhibition: mTORC1 incl. 4E-BP1, and mTORC2 -> Akt S473",
    "serd": "pure ER antagonist that also degrades ER protein (fulvestrant)",
    "aromatase_inhibitor": "blocks aromatase: androstenedione -> estrogen, in host and tumour",
    "aromatase_substrate": "androstenedione, the substrate that aromatase turns into estrogen",
}


@dataclass(frozen=True)
class SpeciesPK:
    """PK of a drug in one species (one compartment; apparent V/F for oral data).

    ``metabolite``: an active metabolite (a drug of the library) formed from the parent with
    ``metabolite_fraction`` of the parent's elimination (e.g. temsirolimus -> sirolimus).
    """

    half_life_h: Param
    volume_of_distribution_L_per_kg: Param
    absorption_rate_per_h: Param
    tumour_partition: Param
    oral_bioavailability: Param | None = None
    metabolite: str | None = None
    metabolite_fraction: Param | None = None
    active_metabolite_fraction: Param | None = None  # er_antagonist: tumour 4-OHT/endoxifen ratio

    def params(self) -> list[Param]:
        return [v for v in vars(self).values() if isinstance(v, Param)]


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
    # ---- added for the drug library; all optional, so existing drugs are unchanged --
    human: SpeciesPK | None = None  # human PK (clinical regimens); the fields above are mouse PK
    torc2_ic50_nM: Param | None = None  # mtor_kinase: mTORC2 (Akt S473) inhibition
    torc2_emax: Param | None = None
    hill: Param | None = None  # Emax-model Hill coefficient (default 1)
    alias_of: str | None = None
    # ---- pellets with a burst: a share released first-order, the rest zero-order --
    pellet_burst_fraction: Param | None = None
    pellet_burst_half_life_h: Param | None = None
    # ---- rapalog target binding: unbound drug binds FKBP12-mTORC1 and leaves slowly --
    unbound_fraction: Param | None = None  # free / total blood (or tumour) concentration
    target_off_half_life_h: Param | None = None  # dissociation half-life of the drug-target complex
    emax_s6k1: Param | None = None  # pS6K1 / pS6 readout at full target occupancy
    emax_4ebp1: Param | None = None  # p4E-BP1 readout at full occupancy (rapalogs: partial)

    def params(self) -> list[Param]:
        """All provenance-carrying parameters of this drug (human PK included)."""
        out = [v for v in vars(self).values() if isinstance(v, Param)]
        return out + (self.human.params() if self.human else [])

    @property
    def species(self) -> tuple[str, ...]:
        """Species with PK in the library."""
        return ("mouse", "human") if self.human else ("mouse",)

    def for_species(self, species: str) -> Drug:
        """This drug with the PK of ``species`` in the PK fields (mouse is the default set)."""
        if species == "mouse":
            return self
        if species != "human" or self.human is None:
            raise KeyError(f"{self.name}: no {species} PK in the library (has: "
                           f"{', '.join(self.species)})")
        h = self.human
        return replace(self, half_life_h=h.half_life_h,
                       volume_of_distribution_L_per_kg=h.volume_of_distribution_L_per_kg,
                       absorption_rate_per_h=h.absorption_rate_per_h,
                       tumour_partition=h.tumour_partition,
                       metabolite_fraction=h.active_metabolite_fraction or self.metabolite_fraction)


def _p(drug: str, name: str, value: float, unit: str, source: str, grade: str, note: str = ""):
    return Param(f"{drug}.{name}", value, unit, source, grade, note)


DRUGS: dict[str, Drug] = {
    "estradiol": Drug(
        "estradiol", "17beta-estradiol, slow-release pellet or injection", "estrogen",
        _p("estradiol", "mw", 272.4, "g/mol", "PubChem", "measured"),
        _p("estradiol", "half_life_h", 1.0, "h", "assumed (rapid clearance)", "assumed"),
        _p("estradiol", "vd", 18.0, "L/kg", "Ingberg 2012, Gen Comp Endocrinol 175:188 (0.72 mg "
           "90-day pellet: serum E2 18-40x the physiological range throughout 5 weeks)", "derived",
           "calibration: apparent volume chosen so a 0.72 mg 90-day pellet (with its burst) gives "
           "~1000 pg/mL in week 5 and ~2x that in week 1 in a 25 g mouse (was 29 L/kg for a "
           "60-day rate; the 0.72 mg pellet of Ingberg 2012 is a 90-day pellet)"),
        _p("estradiol", "ka", 1.0, "1/h", "assumed", "assumed"),
        _p("estradiol", "partition", 1.0, "1", "assumed (tumour = serum)", "assumed"),
        _p("estradiol", "effect_half_life_h", 2.0, "h", "assumed", "assumed"),
        ("pellet", "sc", "ip"),
        pellet_burst_fraction=_p(
            "estradiol", "pellet_burst_fraction", 0.18, "1",
            "Ingberg 2012 (pellets: initial burst, then decline; 0.72 mg pellet spans 18-40x "
            "physiological over 5 weeks)", "derived",
            "calibration: share of the pellet released first-order (burst) so week-1 serum E2 is "
            "~2.2x week 5 (Ingberg's 40/18 range); the rest is released zero-order"),
        pellet_burst_half_life_h=_p(
            "estradiol", "pellet_burst_half_life_h", 168.0, "h",
            "assumed (Ingberg 2012 sampled weekly: the burst fades within weeks)", "assumed"),
    ),
    "tamoxifen": Drug(
        "tamoxifen", "tamoxifen (SERM); 4-hydroxytamoxifen (4-OHT) is the main tumour metabolite",
        "er_antagonist",
        _p("tamoxifen", "mw", 371.5, "g/mol", "PubChem", "measured"),
        _p("tamoxifen", "half_life_h", 4.6, "h", "assumed (mouse; the earlier citation 'Mol "
           "Pharmacol (mouse s.c.)' names no paper)", "assumed",
           "at most the human label's 5-7 days (allometry); sets the daily peak/trough swing"),
        _p("tamoxifen", "vd", 85.0, "L/kg",
           "DeGregorio 1987, Cancer Chemother Pharmacol 20:316 (nude mice, 1 mg/day s.c.: serum "
           "tamoxifen 0.21-0.51 uM; 0.5 mg/day: below the 8 ng/mL HPLC limit)", "derived",
           "apparent V/F = CL/F x t1/2 / ln2 with CL/F = 1 mg/day / 0.35 uM (mid-range) in a 25 g "
           "mouse; linear PK then gives ~0.17 uM at 0.5 mg/day where the paper saw none "
           "(its serum levels are more than dose-proportional): a known gap"),
        _p("tamoxifen", "ka", 0.5, "1/h", "assumed (s.c. depot in oil)", "assumed"),
        _p("tamoxifen", "partition", 17.0, "1",
           "DeGregorio 1989, Cancer Chemother Pharmacol 23:68 (nude mice, 1 mg/day s.c.: tumour "
           "tamoxifen + metabolites up to ~6 nmol/g) / DeGregorio 1987 (serum 0.21-0.51 uM at the "
           "same dose)", "derived",
           "tumour/serum = 6 uM / 0.35 uM; with the serum-derived V/F, 1 mg/day gives ~6 uM "
           "tumour tamoxifen and 0.5 mg/day ~3 uM (the earlier ratio 20 with V/F 20 L/kg gave "
           "~15 uM at 0.5 mg/day)"),
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
        _p("cci779", "half_life_h", 13.0, "h", "assumed: no mouse temsirolimus PK found; Hidalgo "
           "2006 gives 13-25 h in humans (taken as the lower end)", "assumed"),
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


def _ai(name: str, mw: float, kind: str, ic50_nM: float, emax_src: tuple, emax: float,
        human_half_life: tuple, human_vd: tuple, effect_half_life_h: float = 12.0) -> Drug:
    """An aromatase inhibitor: mouse PK assumed, human PK from labels, PD on aromatase."""
    return Drug(
        name, f"{name}: aromatase inhibitor ({kind}); blocks estrogen synthesis from "
        "androstenedione in host tissues and in aromatase-expressing tumours", "aromatase_inhibitor",
        _p(name, "mw", mw, "g/mol", "PubChem", "measured"),
        _p(name, "half_life_h", 8.0, "h", "assumed (mouse)", "assumed"),
        _p(name, "vd", 2.0, "L/kg", "assumed", "assumed"),
        _p(name, "ka", 1.0, "1/h", "assumed (s.c.)", "assumed"),
        _p(name, "partition", 1.0, "1", "assumed", "assumed"),
        _p(name, "effect_half_life_h", effect_half_life_h, "h",
           "assumed (aromatase resynthesis after irreversible block)" if effect_half_life_h > 24
           else "assumed", "assumed"),
        ("sc", "po", "ip"),
        ic50_nM=_p(name, "ic50_nM", ic50_nM, "nM",
                   {"exemestane": "derived: 25 mg daily (Css ~7 nM) gives the measured 97.9% "
                    "whole-body suppression (Geisler 1998)",
                    "anastrozole": "derived: 1 mg daily (Css ~100 nM) gives the measured 97.3% "
                    "whole-body suppression (Geisler 2002)"}.get(
                       name, "cell-based aromatase IC50 sub-nM to ~10 nM (Bhatnagar 2007)"),
                   "derived" if name in ("exemestane", "anastrozole") else "assumed"),
        emax=_p(name, "emax", emax, "1", *emax_src),
        human=_human(name, human_half_life, human_vd,
                     (1.5, "assumed (oral, tmax ~1-2 h)", "assumed"),
                     (1.0, "assumed", "assumed")),
    )


def _human(drug: str, half_life_h: tuple, vd: tuple, ka: tuple, partition: tuple,
           f_oral: tuple | None = None, **extra) -> SpeciesPK:
    """Human PK from (value, source, grade[, note]) tuples."""
    def p(name, unit, t):
        return _p(drug, f"human.{name}", t[0], unit, *t[1:])
    return SpeciesPK(p("half_life_h", "h", half_life_h), p("vd", "L/kg", vd),
                     p("ka", "1/h", ka), p("partition", "1", partition),
                     p("oral_bioavailability", "1", f_oral) if f_oral else None, **extra)


_RAPALOG_EMAX = ("rapalogs are incomplete mTORC1 inhibitors (0.8-0.9; 4E-BP1 partly resistant)",
                 "derived")

#: Human PK of the drugs already in the library (their mouse PK above is unchanged).
DRUGS["tamoxifen"] = replace(DRUGS["tamoxifen"], human=_human(
    "tamoxifen",
    (120.0, "Nolvadex label (terminal half-life 5-7 days)", "measured", "lower end"),
    (17.0, "derived: CL/F = 20 mg/day / Css 120 ng/mL; V/F = CL/F x t1/2 / ln2 (70 kg)",
     "derived"),
    (1.0, "assumed (oral, tmax 3-7 h)", "assumed"),
    (10.0, "MacCallum 2000; Kisanga 2004 (breast tumour tamoxifen ~10x serum)", "assumed"),
    active_metabolite_fraction=_p(
        "tamoxifen", "human.active_metabolite_fraction", 0.12, "1",
        "Stearns 2003; Jin 2005 (steady state: endoxifen ~10%, 4-OHT ~2% of tamoxifen)",
        "derived", "(4-OHT + endoxifen) / tamoxifen; both bind ER with 4-OHT-like affinity")))
DRUGS["rapamycin"] = replace(DRUGS["rapamycin"], human=_human(
    "rapamycin",
    (62.0, "Rapamune label (sirolimus terminal half-life 62 h)", "measured"),
    (12.0, "Rapamune label (Vss 12 L/kg)", "measured"),
    (1.0, "assumed (oral, tmax 1-2 h)", "assumed"),
    (1.0, "assumed (tumour = blood)", "assumed"),
    (0.14, "Rapamune label (oral bioavailability ~14%)", "measured")))
DRUGS["cci779"] = replace(DRUGS["cci779"], human=_human(
    "cci779",
    (17.3, "Torisel label (temsirolimus half-life 17.3 h)", "measured"),
    (5.8, "derived: Torisel label CL 16.2 L/h and t1/2 17.3 h; V = CL t1/2 / ln2 = 404 L "
     "(70 kg)", "derived", "one compartment: keeps the label AUC (1627 ng.h/mL at 25 mg); the "
     "label Vss 172 L would overstate AUC 2.3x"),
    (1.0, "assumed (oral temsirolimus, HORIZON)", "assumed"),
    (1.0, "assumed (tumour = blood)", "assumed"),
    (0.15, "assumed like sirolimus (14%); oral temsirolimus bioavailability unpublished",
     "assumed"),
    metabolite="rapamycin",
    metabolite_fraction=_p("cci779", "human.sirolimus_fraction", 1.0, "1",
                           "Torisel label (sirolimus AUC 2.7x temsirolimus after i.v.)", "assumed",
                           "share of temsirolimus eliminated as sirolimus: the label's AUC ratio "
                           "with sirolimus's own clearance implies nearly all")))

DRUGS.update({
    "everolimus": Drug(
        "everolimus", "everolimus (RAD001), an oral rapalog: allosteric, incomplete mTORC1 "
        "inhibitor (BOLERO-2, TAMRAD)", "mtorc1",
        _p("everolimus", "mw", 958.2, "g/mol", "PubChem", "measured"),
        _p("everolimus", "half_life_h", 13.0, "h", "assumed like CCI-779 in the mouse", "assumed"),
        _p("everolimus", "vd", 10.0, "L/kg", "assumed", "assumed"),
        _p("everolimus", "ka", 1.0, "1/h", "assumed (oral gavage)", "assumed"),
        _p("everolimus", "partition", 1.0, "1", "assumed", "assumed"),
        _p("everolimus", "effect_half_life_h", 24.0, "h",
           "O'Reilly 2010, Cancer Chemother Pharmacol 65:625 (mice: daily dosing raises tumour "
           "everolimus 2-fold at steady state)", "derived",
           "accumulation 1 / (1 - 2^(-24 h / t1/2)) = 2 gives a tumour half-life of 24 h"),
        ("po",),
        ic50_nM=_p("everolimus", "ic50_nM", 1.0, "nM",
                   "rapalog mTORC1 IC50 sub-nM to ~2 nM (Schuler 1997)", "measured"),
        emax=_p("everolimus", "emax", 0.85, "1", *_RAPALOG_EMAX),
        human=_human(
            "everolimus",
            (30.0, "Afinitor label (half-life ~30 h)", "measured"),
            (11.0, "derived: CL/F ~18 L/h from AUC ~560 ng.h/mL at 10 mg (O'Donnell 2008); "
             "V/F = CL/F x t1/2 / ln2 (70 kg)", "derived"),
            (1.5, "Afinitor label (tmax 1-2 h)", "derived"),
            (1.0, "assumed (tumour = blood)", "assumed")),
    ),
    "mln0128": Drug(
        "mln0128", "MLN0128 / sapanisertib (INK128, TAK-228): ATP-site TORC1/2 kinase inhibitor; "
        "blocks mTORC1 fully (incl. 4E-BP1) and mTORC2 -> Akt S473, so no rapalog-style Akt "
        "rebound", "mtor_kinase",
        _p("mln0128", "mw", 309.3, "g/mol", "PubChem", "measured"),
        _p("mln0128", "half_life_h", 3.0, "h", "assumed (small molecule, mouse)", "assumed"),
        _p("mln0128", "vd", 3.0, "L/kg", "assumed", "assumed"),
        _p("mln0128", "ka", 1.0, "1/h", "assumed (oral gavage)", "assumed"),
        _p("mln0128", "partition", 1.0, "1", "assumed", "assumed"),
        _p("mln0128", "effect_half_life_h", 2.0, "h", "assumed (reversible, fast)", "assumed"),
        ("po",),
        ic50_nM=_p("mln0128", "ic50_nM", 10.0, "nM", "Hsieh 2012 (cellular p4E-BP1/pS6 IC50 "
                   "~1-10 nM; mTOR kinase Ki 1 nM)", "assumed", "upper end for plasma binding"),
        emax=_p("mln0128", "emax", 0.98, "1", "Hsieh 2012 (4E-BP1 and S6 fully dephosphorylated)",
                "assumed"),
        torc2_ic50_nM=_p("mln0128", "torc2_ic50_nM", 10.0, "nM",
                         "Hsieh 2012 (pAkt S473 IC50 similar to mTORC1 readouts)", "assumed"),
        torc2_emax=_p("mln0128", "torc2_emax", 0.95, "1", "Hsieh 2012 (pAkt S473 abolished)",
                      "assumed"),
        human=_human(
            "mln0128",
            (7.0, "Ghobrial 2016; Voss 2020 (sapanisertib half-life 6-8 h)", "measured"),
            (2.0, "assumed (Cmax ~ 50-100 nM at 4 mg)", "assumed"),
            (1.5, "assumed (tmax 1-2 h)", "assumed"),
            (1.0, "assumed", "assumed")),
    ),
    "fulvestrant": Drug(
        "fulvestrant", "fulvestrant: pure ER antagonist (no partial agonism, also blocks "
        "Ser167-driven activity) that degrades ER protein (SERD)", "serd",
        _p("fulvestrant", "mw", 606.8, "g/mol", "PubChem", "measured"),
        _p("fulvestrant", "half_life_h", 12.0, "h", "assumed (mouse elimination)", "assumed"),
        _p("fulvestrant", "vd", 40.0, "L/kg", "assumed (lipophilic, castor-oil depot)", "assumed"),
        _p("fulvestrant", "ka", 0.01, "1/h", "assumed (s.c. oil depot releases over days)",
           "assumed"),
        _p("fulvestrant", "partition", 1.0, "1", "assumed", "assumed"),
        _p("fulvestrant", "effect_half_life_h", 24.0, "h", "assumed (ER turnover ~1 day)",
           "assumed"),
        ("sc", "im"),
        human=_human(
            "fulvestrant",
            (4.7, "Faslodex label (CL ~690 mL/min = 41 L/h, Vss 3-5 L/kg: t1/2 = ln2 V/CL)",
             "derived", "NOT the label's ~40-day half-life: that one is the i.m. depot's "
             "absorption (flip-flop kinetics; i.v. fulvestrant is cleared within ~1 day, Robertson "
             "& Harrison 2004), carried by ka below. With this CL and ka the model gives the "
             "label's 500 mg steady state (Cmax 28, Cmin 12.2 ng/mL) within ~25%"),
            (4.0, "Faslodex label (Vss 3-5 L/kg)", "measured"),
            (7.2e-4, "Faslodex label (apparent i.m. half-life ~40 days)", "derived",
             "ka = ln2 / 40 days"),
            (1.0, "assumed", "assumed")),
    ),
    "letrozole": _ai("letrozole", 285.3, "non-steroidal, reversible", 1.0,
                     ("Geisler 2002 (whole-body aromatisation inhibited 99.1%)", "measured"), 0.991,
                     (48.0, "Femara label (half-life ~2 days)", "measured"),
                     (1.9, "Femara label; Sioufi 1997, Biopharm Drug Dispos 18:779 (Vss 1.87 L/kg, CL 2.21 L/h: t1/2 ~41 h)", "measured")),
    "anastrozole": _ai("anastrozole", 293.4, "non-steroidal, reversible", 1.8,
                       ("assumed maximal block; with IC50 it gives Geisler 2002's 97.3% "
                        "whole-body suppression at 1 mg daily", "assumed"),
                       0.99,
                       (50.0, "Arimidex label (half-life ~50 h)", "measured"),
                       (1.4, "assumed (Css ~30 ng/mL at 1 mg daily)", "assumed")),
    "exemestane": _ai("exemestane", 296.4, "steroidal, irreversible (suicide) inactivator", 0.08,
                      ("assumed maximal block; with IC50 it gives Geisler 1998's 97.9% "
                       "whole-body suppression at 25 mg daily", "assumed"),
                      0.99,
                      (24.0, "Aromasin label (terminal half-life 24 h)", "measured"),
                      (250.0, "derived: V/F = CL/F x t1/2 / ln2 with CL/F ~500 L/h "
                       "(Aromasin label), 70 kg", "derived"),
                      effect_half_life_h=48.0),
    "androstenedione": Drug(
        "androstenedione", "androstenedione, the aromatase substrate: given to ovariectomised "
        "mice carrying aromatase-expressing MCF-7 (MCF-7Ca / Aro) tumours", "aromatase_substrate",
        _p("androstenedione", "mw", 286.4, "g/mol", "PubChem", "measured"),
        _p("androstenedione", "half_life_h", 1.0, "h", "assumed (rapid steroid clearance)",
           "assumed"),
        _p("androstenedione", "vd", 5.0, "L/kg", "assumed", "assumed"),
        _p("androstenedione", "ka", 0.5, "1/h", "assumed (s.c. in oil)", "assumed"),
        _p("androstenedione", "partition", 1.0, "1", "assumed", "assumed"),
        _p("androstenedione", "effect_half_life_h", 12.0, "h", "assumed", "assumed"),
        ("sc",),
    ),
})

def _rapalog_binding(name: str, fu: tuple) -> Drug:
    """A rapalog with its target binding: unbound fraction, complex off-rate, readout Emax."""
    return replace(
        DRUGS[name],
        unbound_fraction=_p(name, "unbound_fraction", fu[0], "1", *fu[1:]),
        target_off_half_life_h=_p(
            name, "target_off_half_life_h", 24.0, "h",
            "assumed: the FKBP12-rapalog-mTORC1 complex is long-lived; pS6 stays suppressed for "
            "days after one dose in mouse xenografts (Wan 2006, Neoplasia 8:394: > 72 h after "
            "20 mg/kg CCI-779; p4E-BP1 > 96 h) and rat tumours (Boulay 2004, Cancer Res 64:252: "
            ">= 72 h after 5 mg/kg RAD001)", "assumed",
            "no measured dissociation rate found; a value in the range those durations imply, "
            "not fitted to them"),
        emax_s6k1=_p(name, "emax_s6k1", 0.95, "1",
                     "Boulay 2004 (S6K1 > 95% inactivated by 20 nM RAD001 in human PBMCs)",
                     "measured"),
        emax_4ebp1=_p(name, "emax_4ebp1", 0.4, "1",
                      "Choo 2008, PNAS 105:17414 (rapamycin inhibits 4E-BP1 phosphorylation "
                      "incompletely and transiently while S6K1 stays off)", "assumed",
                      "qualitative finding; 0.4 is a modelling choice below the S6K1 value"),
    )


_SIROLIMUS_FU = ("derived: Rapamune label (sirolimus ~95% in blood cells; ~92% of plasma drug "
                 "protein-bound): 0.05 x 0.08", "derived",
                 "human blood; taken for the mouse (no mouse binding data used)")
DRUGS["rapamycin"] = _rapalog_binding("rapamycin", (0.004, *_SIROLIMUS_FU))
DRUGS["cci779"] = _rapalog_binding("cci779", (
    0.0064, "calibration: the smallest value (2 significant digits) for which one 20 mg/kg i.p. dose keeps pS6 > 50 % "
    "suppressed at 72 h (Wan 2006, Neoplasia 8:394: > 72 h); sirolimus's 0.004 (Rapamune label) "
    "left it at 43 %", "assumed",
    "no temsirolimus binding data found; sets how much of the total blood level reaches the "
    "target, i.e. where the dose-response sits"))
DRUGS["everolimus"] = _rapalog_binding("everolimus", (
    0.05, "Afinitor label (value recalled, not re-checked: ~20% of blood everolimus in plasma at "
    "clinical levels, plasma protein binding ~74%): 0.2 x 0.26", "assumed",
    "human blood; mouse erythrocyte partitioning and binding differ (O'Reilly 2010)"))

#: Serum E2 that aromatase inhibitors do not remove (Geisler 2002, J Clin Oncol 20:751): letrozole
#: inhibits whole-body aromatisation >= 99.1% yet plasma E2 falls only 87.8% (anastrozole: 97.3%
#: and 84.9%). Solving 1 - 0.878 = r + (1 - r)(1 - 0.991) gives the non-aromatase share r.
RESIDUAL_E2 = Param(
    "host_e2_non_aromatase_fraction", 0.114, "1",
    "Geisler 2002 (letrozole: aromatisation -99.1%, plasma E2 -87.8%)", "derived",
    "share of host serum E2 not made by aromatase (AIs cannot remove it); part may be the RIA "
    "floor (Geisler 2008's better assay: E2 -95.2%)")
register([RESIDUAL_E2])

#: Other names of library drugs (config lines may use either).
ALIASES = {"temsirolimus": "cci779", "sirolimus": "rapamycin", "sapanisertib": "mln0128",
           "tak228": "mln0128", "rad001": "everolimus"}
for _alias, _target in ALIASES.items():
    DRUGS[_alias] = replace(DRUGS[_target], name=_alias, alias_of=_target,
                            description=f"= {_target}: {DRUGS[_target].description}")


def drug(name: str) -> Drug:
    """Look a drug up by name (KeyError lists the library)."""
    try:
        return DRUGS[name]
    except KeyError:
        raise KeyError(f"unknown drug {name!r}; known: {', '.join(DRUGS)}") from None
