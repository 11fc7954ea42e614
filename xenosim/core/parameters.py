"""The parameter registry: every number of the biology with its unit, source and evidence grade.

Grades: ``measured`` (a published measurement used as is), ``derived`` (computed from measured
values by a stated relation), ``assumed`` (a modelling choice; the note says why this value).
``xenosim params`` prints this table; configs may override values by name (``parameters:``).
"""

from __future__ import annotations

from dataclasses import dataclass

GRADES = ("measured", "derived", "assumed")


@dataclass(frozen=True)
class Param:
    """One model parameter with its provenance."""

    name: str
    value: float
    unit: str
    source: str
    grade: str
    note: str = ""

    def __post_init__(self) -> None:
        if self.grade not in GRADES:
            raise ValueError(f"{self.name}: grade {self.grade!r} not in {GRADES}")


_P = Param

PARAMETERS: dict[str, Param] = {
    p.name: p
    for p in [
        # ---- proliferation, calibrated on the in vitro record -----------------------------------
        _P("doubling_time_e2_invitro_h", 33.0, "h", "Wiese 1992 (MCF-7, 10 pM E2)", "measured",
           "reference condition that fixes the maximal division rate"),
        _P("doubling_time_deprived_invitro_h", 55.0, "h", "Wiese 1992 (MCF-7, estrogen-deprived)",
           "measured", "fixes the ER-independent share of proliferation"),
        _P("reference_e2_invitro_pM", 10.0, "pM", "Wiese 1992", "measured",
           "estradiol of the reference in vitro condition"),
        # ---- ER occupancy and efficacy (operational model of agonism) ---------------------------
        _P("kd_e2_nM", 0.2, "nM", "DESIGN table: ERα Kd E2 ~0.2-0.9 nM (Rich 2002)", "measured",
           "lower end of range"),
        _P("kd_4oht_nM", 0.2, "nM", "Katzenellenbogen (4-OHT affinity ~ E2)", "derived",
           "set equal to kd_e2; the biosensor value in DESIGN's table (18 nM) is not used"),
        _P("kd_tamoxifen_nM", 7.0, "nM", "Biopharm Drug Dispos 1981 (25-50x weaker than 4-OHT)",
           "derived", "0.2 nM x 35"),
        _P("efficacy_e2", 20.0, "1", "Cancer Res 1989;49:6670 (mitogenic onset 3 pM, max 0.2-10 nM)",
           "derived", "spare-receptor efficacy tau: half-maximal ER output at ~5% occupancy "
           "(~10 pM E2) given Kd 0.2 nM"),
        _P("efficacy_tamoxifen_bound", 0.0, "1", "Shang & Brown 2002 Science 295:2465 (in MCF-7 "
           "tamoxifen-bound ER recruits corepressors, not coactivators, to c-Myc / pS2 / cathepsin "
           "D: no agonism; the 5-15 % ERE-reporter agonism is endometrial-like, high SRC-1); "
           "Katzenellenbogen 1987 Cancer Res 47:4355 (antiestrogens inhibit MCF-7 growth below the "
           "estrogen-free level)", "derived",
           "tau of tamoxifen-bound ER without Ser167: 0 in MCF-7; set > 0 for tissues where "
           "tamoxifen is a partial agonist. Agonism of tamoxifen-bound ER in Akt-high cells comes "
           "from Ser167 (efficacy_tamoxifen_ser167)"),
        _P("efficacy_tamoxifen_ser167", 1.5, "1", "Campbell 2001; Yamnik 2009 (pSer167 and tamoxifen "
           "agonism)", "assumed", "extra tau of tamoxifen-bound ER when Ser167 is fully phosphorylated"),
        _P("efficacy_unliganded_ser167", 0.6, "1", "Campbell 2001 (Akt gives E2-independent ER "
           "activity)", "assumed", "tau of unliganded ER when Ser167 is fully phosphorylated"),
        _P("ser167_weight_s6k1", 0.7, "1", "Yamnik 2009 (S6K1 is the main Ser167 kinase)", "assumed",
           "share of S6K1 (vs Akt) in the Ser167 kinase input"),
        _P("ser167_half_input", 0.55, "1", "assumed", "assumed",
           "kinase input for half-maximal Ser167 phosphorylation: basal vector cells low"),
        _P("ser167_hill", 4.0, "1", "assumed", "assumed", "switch-like phosphorylation"),
        # ---- Akt and feedback ------------------------------------------------------------------
        _P("pi3k_basal_drive", 0.5, "1", "assumed", "assumed",
           "growth-factor/PI3K input to Akt in MCF-7 (PIK3CA E545K) before feedback"),
        _P("myr_akt_drive", 2.5, "1", "deGraffenried 2004 (myr-Akt is constitutively active)",
           "assumed", "constitutive Akt input of the myristoylated transgene, feedback-insensitive"),
        _P("s6k1_irs1_feedback_gain", 2.0, "1", "O'Reilly 2006 (rapamycin raises pAkt via IRS-1)",
           "assumed", "PI3K input divided by (1 + gain x S6K1)"),
        # ---- mTORC1 ---------------------------------------------------------------------------
        _P("mtorc1_basal", 0.2, "1", "assumed", "assumed", "Akt-independent mTORC1 (amino acids)"),
        _P("mtorc1_akt_half", 0.6, "1", "assumed", "assumed", "Akt for half-maximal TSC2/PRAS40 relief"),
        _P("translation_half_mtorc1", 0.5, "1", "assumed: cyclin D1 / c-Myc are eIF4E-sensitive "
           "mRNAs (structured 5' UTRs) whose cap-dependent translation follows eIF4E availability "
           "rather than saturating (Koromilas 1992 EMBO J 11:4153; Rousseau 1996 PNAS 93:1065); "
           "half-maximal at mid-scale mTORC1. The headline combination effect depends on it "
           "(experiments/sensitivity)", "assumed",
           "mTORC1 activity for half-maximal cap-dependent translation (biology/cellcycle.py)"),
        # ---- fate ------------------------------------------------------------------------------
        _P("invivo_cycling_factor", 0.715, "1", "calibration (tools/calibrate_invivo_cycling.py): "
           "E2-driven MCF-7 xenograft volume doubling ~10 days (1-2 weeks)", "assumed",
           "in vivo division rate of cycling cells relative to in vitro"),
        _P("apoptosis_rate_invivo_per_day", 0.085, "1/day", "assumed (Steel 1967's cell loss "
           "factor 0.6-0.9 is a loss/production ratio, not this rate: it does not support the value)",
           "assumed", "basal in vivo cell loss of viable cells with full ER output"),
        _P("apoptosis_deprivation_gain", 0.7, "1", "Kyprianou 1991 (E2 withdrawal apoptosis); "
           "Teixeira 1995 (ER -> BCL-2 survival signal)", "assumed",
           "relative rise of apoptosis when ER survival signalling falls to 0"),
        _P("akt_survival_max", 0.6, "1", "Datta 1999; Brunet 1999 (Akt -> FOXO3a / BAD; loss "
           "frees BIM)", "assumed", "fractional cut of apoptosis at full Akt activity"),
        _P("apoptotic_clearance_half_life_h", 6.0, "h", "Kerr 1972 (apoptotic bodies cleared in hours)",
           "assumed"),
        _P("necrotic_clearance_half_life_day", 14.0, "day", "assumed", "assumed",
           "resorption of necrotic core; necrotic mass counts in caliper volume until cleared"),
        # ---- oxygen ----------------------------------------------------------------------------
        _P("oxygen_penetration_mm", 1.0, "mm", "assumed (effective, vascularised xenograft)",
           "assumed", "e-folding depth of the oxygen field from the perfused rim"),
        _P("hypoxia_threshold", 0.2, "1", "assumed", "assumed",
           "relative oxygen below which cells stop cycling (quiescence)"),
        _P("anoxia_threshold", 0.06, "1", "assumed", "assumed",
           "relative oxygen below which cells die by necrosis"),
        _P("necrosis_rate_per_day", 1.0, "1/day", "assumed", "assumed", "death rate of anoxic cells"),
        _P("hypoxia_mtorc1_inhibition", 0.7, "1", "Brugarolas 2004 Genes Dev 18:2893; DeYoung "
           "2008 Genes Dev 22:239 (hypoxia induces REDD1, which frees TSC2 from 14-3-3 and turns "
           "mTORC1 off: S6K Thr389 largely lost at 1 % O2 within hours; TSC1/2 loss abolishes "
           "it)", "assumed",
           "share of the Akt (TSC2)-driven mTORC1 activity a hypoxic cell (oxygen below "
           "hypoxia_threshold) loses; none in TSC1-null cells (the value: order of magnitude)"),
        # ---- heterogeneity ---------------------------------------------------------------------
        _P("expression_sigma_log", 0.25, "1", "Raj 2008 (cell-to-cell protein CV ~20-30%)", "assumed",
           "lognormal sigma of Akt and ER expression multipliers"),
        _P("expression_inheritance", 0.9, "1", "Sigal 2006 (protein memory ~1-2 generations)",
           "assumed", "correlation of daughter and mother log-expression"),
        # ---- volumes and space -----------------------------------------------------------------
        _P("cell_volume_mm3", 1.0e-6, "mm3", "rule of thumb: 1 mm3 of tumour ~ 1e6 cells (500 mm3 ~ 5e8 cells)", "derived",
           "effective tumour volume per cell, stroma included"),
        # ---- host-to-host variability ----------------------------------------------------------
        _P("host_take_sigma_log", 0.5, "1", "assumed (take and lag vary widely between mice)",
           "assumed", "lognormal sigma of the per-mouse take fraction"),
        _P("host_growth_sigma_log", 0.1, "1", "assumed (xenograft growth-rate CV ~10-20%)",
           "assumed", "lognormal sigma of the per-mouse in vivo cycling factor (vascular supply)"),
        _P("high_activity_threshold", 0.5, "1", "assumed", "assumed",
           "activity above which a cell counts as 'high' (mTORC1, ER) in summaries"),
        # ---- drug and genotype library ------------------------------------------------
        _P("akt_s473_dependence", 0.8, "1", "Sarbassov 2005; Alessi 1996 (S473 by mTORC2 needed "
           "for full Akt activity; T308-only Akt is partly active)", "assumed",
           "share of PI3K-driven Akt activity lost when mTORC2 is fully inhibited"),
        _P("kd_fulvestrant_nM", 0.22, "nM", "Wakeling 1991 (ICI 182,780 relative binding affinity "
           "0.89 of E2)", "derived", "kd_e2_nM / 0.89"),
        _P("serd_er_degradation_max", 0.8, "1", "Wakeling 1991; Nicholson 2001 (fulvestrant lowers "
           "ER protein by ~80% in MCF-7 and in tumours)", "assumed",
           "fraction of ER protein degraded when all ER is fulvestrant-bound"),
        _P("aromatase_e2_per_androstenedione", 0.04, "1", "Geisler 2008 (tumour E2 ~10x plasma in "
           "postmenopausal breast cancer with ~2.5 nM plasma androstenedione)", "assumed",
           "tumour E2 (nM) formed per nM androstenedione (well below Km) at full (MCF-7Ca-like) aromatase"),
        _P("aromatase_km_androstenedione_nM", 30.0, "nM", "Km of aromatase for androstenedione "
           "~20-50 nM (placental and breast aromatase; Kellis & Vickery 1987)", "measured",
           "substrate saturation: supraphysiological androstenedione (mouse supplements) "
           "cannot raise tumour E2 without bound"),
        _P("postmenopausal_serum_e2_pM", 15.0, "pM", "Geisler 2002 (postmenopausal plasma E2 "
           "~5-20 pM)", "measured", "made by peripheral aromatase; AIs suppress it"),
        _P("postmenopausal_androstenedione_nM", 2.5, "nM", "Geisler 2002 (plasma androstenedione "
           "~0.5-1 ng/mL)", "measured"),
        _P("tsc1_loss_mtorc1_drive", 0.6, "1", "Huang & Manning 2008 (TSC loss: Rheb-GTP keeps "
           "mTORC1 on without Akt)", "assumed",
           "Akt-independent share of mTORC1 activity in TSC1-null cells"),
        _P("patient_kinetics_scale", 0.1, "1", "Friberg 1997; Kuroishi 1990 (breast cancer volume "
           "doubling ~2-6 months vs ~1-2 weeks for MCF-7 xenografts)", "assumed",
           "division and basal loss rates of patient lesions relative to xenografts (median): "
           "~11-day perfused xenograft doubling (this model, 15 pM E2) / ~100-day human doubling; "
           "the median AI-naive patient's untreated lesion doubles in ~80 days in the model "
           "(patients/kinetics.py; a test holds it within 2-6 months)"),
        # ---- cell-cycle fate, translation, IHC (biology/cellcycle.py) ---------------
        _P("ires_translation_max", 0.8, "1", "Gera 2004 J Biol Chem 279:2737 (Akt-low cells keep "
           "cyclin D1 / c-Myc synthesis under rapamycin by IRES-mediated translation; Akt "
           "represses it)", "assumed",
           "share of the cap-dependent translation lost to an mTOR inhibitor that IRES translation makes up at zero Akt; x (1 - Akt) (Shi 2005 Mol Cell Biol 25:9477: the IRES route is induced by mTOR inhibition)"),
        _P("g1_drive_half", 0.5, "1", "assumed", "assumed",
           "G1 drive (ER output and translation, weighted) at which half the cells pass the "
           "restriction point; the ER weight is derived from Wiese 1992 given this"),
        _P("g1_restriction_hill", 4.0, "1", "Yao 2008 Nat Cell Biol 10:476 (Rb-E2F bistable "
           "switch)", "assumed", "steepness of the committed fraction in the G1 drive"),
        _P("g1_switch_rate_per_h", 0.056, "1/h", "Prall 1997 J Biol Chem 272:10882 (antiestrogen-"
           "arrested MCF-7 re-enter S phase 12-24 h after E2 rescue); Musgrove 1993 (S phase falls "
           "within 24 h of antiestrogen)", "derived", "1 / 18 h: arrest <-> cycling time scale"),
        _P("arrested_apoptosis_factor", 0.3, "1", "Osborne 1985; Shafie 1981 (endocrine therapy "
           "of MCF-7 xenografts gives stasis, i.e. low death of arrested cells)", "assumed",
           "apoptosis hazard of G0/G1-arrested cells relative to cycling cells with the same "
           "survival signals"),
        _P("hypoxic_apoptosis_per_day", 0.05, "1/day", "Graeber 1996 Nature 379:88 (hypoxia "
           "induces p53-dependent apoptosis)", "assumed",
           "extra apoptosis of hypoxic-quiescent cells (anoxic cells die by necrosis instead)"),
        _P("growth_factor_input_invivo", 0.29, "1", "calibration (tools/calibrate_growth_factor.py): "
           "Dowsett 2005 J Clin Oncol 23:2477 (IMPACT: 2 weeks of anastrozole lower Ki-67 by 76 %); "
           "Soule & McGrath 1980, Osborne 1985 (MCF-7 xenografts need estrogen; in vitro they grow "
           "without it)", "assumed",
           "growth-factor (insulin / IGF-1) input to the G1 drive in a host, relative to the "
           "assay medium of the in vitro record (1)"),
        # ---- resistance that evolves (biology/adaptation.py) -----------------------------------
        _P("lted_adaptation_rate_per_day", 1.0e-5, "1/day", "assumed order of magnitude: LTED "
           "MCF-7 sublines grow out after 1-6 months of estrogen deprivation (Masamura 1995 J Clin "
           "Endocrinol Metab 80:2918; Martin 2003 J Biol Chem 278:30458); with adapted cells "
           "growing ~0.1/day without estradiol, outgrowth by ~100 days needs ~1e-5 per cell-day",
           "assumed", "hazard that a viable cell with all its ER unbound by estradiol adapts "
           "(x (1 - E2 occupancy)); adapted cells take the lted modifier's effects"),
        _P("esr1_mutant_initial_fraction", 0.0, "1", "MCF-7 are ESR1 wild-type; ESR1 LBD mutations "
           "are rare in primary tumours (~1 %) and selected by aromatase inhibitors (Schiavon 2015 "
           "Sci Transl Med 7:313ra182)", "assumed",
           "share of cells carrying an ESR1 Y537S/D538G-like mutation at inoculation / diagnosis"),
        _P("esr1_mutation_rate_per_division", 0.0, "1/division", "assumed (off by default)",
           "assumed", "probability that a daughter acquires an ESR1 LBD mutation"),
        _P("esr1_constitutive_activity", 0.5, "1", "Toy 2013 Nat Genet 45:1439; Robinson 2013 Nat "
           "Genet 45:1446 (Y537S / D538G ER is transcriptionally active without ligand, below "
           "E2-stimulated wild type)", "assumed",
           "share of unliganded mutant ER that acts as estradiol-bound"),
        _P("esr1_antagonist_kd_fold", 5.0, "1", "Toy 2013; Fanning 2016 eLife 5:e12792; Toy "
           "2017 Cancer Discov 7:277 (Y537S / D538G shift the 4-OHT and fulvestrant IC50 "
           "several-fold; cells stay sensitive at higher doses); one fold for all three is "
           "assumed", "assumed",
           "antagonist Kd of mutant ER relative to wild type (4-OHT, tamoxifen, fulvestrant; "
           "the mutant's fulvestrant degradation follows its lower fulvestrant occupancy)"),
        _P("er_positive_threshold", 0.1, "1", "Allred 1998 (ER IHC: weak staining scored "
           "positive)", "assumed",
           "relative ER protein above which a cell stains ER-positive in virtual IHC"),
        _P("ihc_intensity_step", 0.25, "1", "H-score: sum of staining intensity 0-3 x % of "
           "cells (McCarty 1985, Arch Pathol Lab Med 109:716); the map from activity to "
           "intensity is assumed", "assumed",
           "activity per staining-intensity grade in virtual pS6 / pAkt H-scores (intensity "
           "= activity / step, floored, at most 3: 0-0.25 negative ... >= 0.75 strong)"),
    ]
}

#: Parameters that a mechanism switch sets to zero (ablation).
MECHANISM_SWITCHES: dict[str, tuple[str, ...]] = {
    "s6k1_irs1_feedback": ("s6k1_irs1_feedback_gain",),
    "ser167_er_link": ("efficacy_tamoxifen_ser167", "efficacy_unliganded_ser167"),
    "tamoxifen_partial_agonism": ("efficacy_tamoxifen_bound",),
    "akt_survival": ("akt_survival_max",),
    "heterogeneity": ("expression_sigma_log",),
    "torc2_akt_link": ("akt_s473_dependence",),
    "er_degradation": ("serd_er_degradation_max",),
    "tumour_aromatase": ("aromatase_e2_per_androstenedione",),
    "ires_translation": ("ires_translation_max",),
    "lted_adaptation": ("lted_adaptation_rate_per_day",),
    "esr1_mutation": ("esr1_mutant_initial_fraction", "esr1_mutation_rate_per_division"),
    "hypoxia_mtorc1": ("hypoxia_mtorc1_inhibition",),
}
#: Switches handled in code rather than by zeroing a parameter.
SPECIAL_SWITCHES = ("hypoxia",)


def default_values() -> dict[str, float]:
    """A flat ``name -> value`` dict of all defaults."""
    return {name: p.value for name, p in PARAMETERS.items()}


def resolve(overrides: dict[str, float] | None = None,
            mechanisms: dict[str, bool] | None = None) -> dict[str, float]:
    """Defaults with config overrides applied, then ablated mechanisms zeroed."""
    values = default_values()
    values.update(overrides or {})
    for switch, enabled in (mechanisms or {}).items():
        if not enabled:
            for name in MECHANISM_SWITCHES.get(switch, ()):
                values[name] = 0.0
    return values


def as_rows() -> list[dict[str, str]]:
    """The registry as table rows, for printing and the report."""
    return [
        {"name": p.name, "value": f"{p.value:g}", "unit": p.unit, "grade": p.grade,
         "source": p.source, "note": p.note}
        for p in PARAMETERS.values()
    ]


def register(params: list[Param]) -> None:
    """Add a mechanism module's own parameters to the registry (names must be new)."""
    for p in params:
        if p.name in PARAMETERS and PARAMETERS[p.name] != p:
            raise ValueError(f"parameter {p.name!r} is already registered")
        PARAMETERS[p.name] = p
