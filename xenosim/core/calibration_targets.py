"""Which published finding each calibrated parameter was set to reproduce.

A parameter chosen so the model reproduces a finding is a calibration: that finding is then not
independent evidence for the model. ``xenosim params`` shows this as its "calibrated to" column.
Kept apart from the registry entries so the registry's fields stay unchanged.
"""

from __future__ import annotations

CALIBRATION_TARGETS: dict[str, str] = {
    "efficacy_e2": "E2 mitogenic onset 3 pM / maximum 0.2-10 nM (Cancer Res 1989;49:6670)",
    "efficacy_tamoxifen_bound": "tamoxifen partial agonism 5-15% on ERE reporters (DESIGN §2)",
    "estradiol.vd": "0.72 mg 90-day pellet serum E2 18-40x physiological (Ingberg 2012)",
    "estradiol.pellet_burst_fraction": "0.72 mg pellet E2 falls ~2x over 5 weeks (Ingberg 2012)",
    "tamoxifen.partition": "tumour tamoxifen ~6 nmol/g at 1 mg/day s.c. (DeGregorio 1989)",
    "tamoxifen.vd": "serum tamoxifen 0.21-0.51 uM at 1 mg/day s.c. (DeGregorio 1987)",
    "cci779.human.vd": "temsirolimus blood AUC 1627 ng.h/mL after 25 mg i.v. (Torisel label)",
    "exemestane.ic50_nM": "whole-body aromatisation -97.9% at 25 mg daily (Geisler 1998)",
    "anastrozole.ic50_nM": "whole-body aromatisation -97.3% at 1 mg daily (Geisler 2002)",
    "host_e2_non_aromatase_fraction": "plasma E2 -87.8% on letrozole (Geisler 2002)",
    "cci779.unbound_fraction": "pS6 > 50% suppressed 72 h after 20 mg/kg CCI-779 (Wan 2006)",
    "growth_factor_input_invivo": "Ki-67 -76% after 2 weeks of anastrozole (IMPACT, Dowsett "
                                  "2005; tools/calibrate_growth_factor.py)",
    "invivo_cycling_factor": "E2-driven MCF-7 xenograft volume doubling ~1-2 weeks",
    "lted_adaptation_rate_per_day": "LTED MCF-7 grow out after 1-6 months of estrogen deprivation "
                                    "(Masamura 1995; Martin 2003): order of magnitude",
    "patient_kinetics_scale": "breast cancer volume doubling ~2-6 months (Friberg 1997)",
}


def calibration_target(name: str) -> str:
    """The finding ``name`` was set to reproduce, or "" if it was not calibrated."""
    return CALIBRATION_TARGETS.get(name, "")
