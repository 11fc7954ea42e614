"""Compare growth curves across arms the way a xenograft paper is reviewed.

One call turns a xenosim results directory, or a lab's caliper table, into the statistics
(T/C, %TGI, growth rates and doubling times, AUC, mRECIST, Kaplan–Meier / log-rank, a linear
mixed model with pairwise contrasts, Bliss / HSA synergy), figures and a self-contained report::

    from xenosim.analysis import load_results_dir, analyze
    result = analyze(load_results_dir("results/exp/run"), "results/exp/run/analysis")
"""

from importlib import import_module

from xenosim.analysis.errors import AnalysisInputError

# Loaded on first use (statsmodels / scipy / matplotlib are slow to import).
_LAZY = {
    "CaliperData": "data", "load_caliper_csv": "data", "load_results_dir": "data",
    "AnalysisResult": "pipeline", "analyze": "pipeline", "compare_runs": "pipeline",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(f"xenosim.analysis.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'xenosim.analysis' has no attribute {name!r}")


__all__ = [
    "AnalysisInputError",
    "AnalysisResult",
    "CaliperData",
    "analyze",
    "compare_runs",
    "load_caliper_csv",
    "load_results_dir",
]
