"""Compare growth curves across arms the way a xenograft paper is reviewed.

One call turns a xenosim results directory, or a lab's caliper table, into the statistics
(T/C, %TGI, growth rates and doubling times, AUC, mRECIST, Kaplan–Meier / log-rank, a linear
mixed model with pairwise contrasts, Bliss / HSA synergy), figures and a self-contained report::

    from xenosim.analysis import load_results_dir, analyze
    result = analyze(load_results_dir("results/exp/run"), "results/exp/run/analysis")
"""

from xenosim.analysis.data import CaliperData, load_caliper_csv, load_results_dir
from xenosim.analysis.errors import AnalysisInputError
from xenosim.analysis.pipeline import AnalysisResult, analyze, compare_runs

__all__ = [
    "AnalysisInputError",
    "AnalysisResult",
    "CaliperData",
    "analyze",
    "compare_runs",
    "load_caliper_csv",
    "load_results_dir",
]
