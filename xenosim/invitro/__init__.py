"""In vitro mode: wells instead of mice, on the same cell model as the xenograft.

Plates of wells (cell lines x media x drug concentrations x replicates) are simulated with the
shared biology (each well is a small :class:`xenosim.tumour.Tumour` with ``invivo=False``) and read
out as a lab would: cell counts over days, ERE-luciferase reporter activity, fraction apoptotic;
then analysed (growth rates, four-parameter logistic dose-response fits, Bliss / HSA / Loewe
combination maps) and reported.

Entry points: :func:`load_invitro` (config -> :class:`InVitroExperiment`, raising
:class:`xenosim.config.ConfigErrors`) and :func:`run_invitro` (-> results directory).
"""

from .analysis import FourPLFit, analyse, fit_4pl, logistic4
from .config import CONCENTRATION_KEYS, InVitroExperiment, load_invitro, validate_invitro
from .runner import InVitroResult, run_invitro, simulate, write_invitro_results

__all__ = [
    "CONCENTRATION_KEYS",
    "FourPLFit",
    "InVitroExperiment",
    "InVitroResult",
    "analyse",
    "fit_4pl",
    "load_invitro",
    "logistic4",
    "run_invitro",
    "simulate",
    "validate_invitro",
    "write_invitro_results",
]
