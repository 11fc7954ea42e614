"""The ONE place where the design mode calls the analysis statistics (re-point here after the
analysis package is reorganised). Only low-level functions are used."""

from __future__ import annotations

from xenosim.analysis.mixed import fit_growth_mixed_model
from xenosim.analysis.stats import mouse_growth_rates, tc_tgi, treatment_phase, welch
from xenosim.analysis.survival import logrank
from xenosim.analysis.synergy import cumulative_rates, synergy_over_time, synergy_tests

__all__ = ["cumulative_rates", "fit_growth_mixed_model", "logrank", "mouse_growth_rates",
           "synergy_over_time", "synergy_tests", "tc_tgi", "treatment_phase", "welch"]
