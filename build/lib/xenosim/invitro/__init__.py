"""In vitro mode: wells instead of mice, on the same cell model as the xenograft.

Plates of wells (cell lines x media x drug concentrations x replicates) are simulated with the
shared biology (each well is a small :class:`xenosim.core.tumour.Tumour` with ``invivo=False``) and read
out as a lab would: cell counts over days, ERE-luciferase reporter activity, fraction apoptotic;
then analysed (growth rates, four-parameter logistic dose-response fits, Bliss / HSA / Loewe
combination maps) and reported.

Entry points: :func:`load_invitro` (config -> :class:`InVitroExperiment`, raising
:class:`xenosim.core.config.ConfigErrors`) and :func:`run_invitro` (-> results directory). Names are
imported lazily so that ``import xenosim.invitro.params`` (the parameter registry) stays cheap.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "FourPLFit": "analysis", "analyse": "analysis", "fit_4pl": "analysis",
    "logistic4": "analysis",
    "CONCENTRATION_KEYS": "config", "InVitroExperiment": "config", "load_invitro": "config",
    "validate_invitro": "config",
    "InVitroResult": "runner", "run_invitro": "runner", "simulate": "runner",
    "write_invitro_results": "runner",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
