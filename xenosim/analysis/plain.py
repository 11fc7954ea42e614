"""A plain-language first look at a run's key comparison, for the run-level report.

The run report is written before the full analysis (``analysis/report.html``: mixed model,
survival, synergy), so this uses only per-mouse growth rates (slope of ln V on day) and a Welch
t-test between the two arms — quick, and stated as such in the words.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xenosim.analysis import stats as S
from xenosim.analysis.combinations import combinations_from_regimens
from xenosim.analysis.keycomp import DEFAULT_KEY
from xenosim.analysis.report import fmt_num, fmt_p


def choose_key(order: dict[str, list[str]],
               regimens: dict[str, frozenset[str]] | None) -> tuple[str, str, str] | None:
    """The comparison a run is about: the deGraffenried key when the run has it; else a
    combination A+B against its first single agent A (from the regimens); else control against
    the first treated arm of the first cell line."""
    cl, a, b = DEFAULT_KEY
    if cl in order and a in order[cl] and b in order[cl]:
        return DEFAULT_KEY
    for ca, _, cab in combinations_from_regimens(regimens or {}):
        for line, arms in order.items():
            if ca in arms and cab in arms:
                return line, ca, cab
    for line, arms in order.items():
        if len(arms) > 1:
            return line, arms[0], arms[1]
    return None


def _pct_per_day(rate: float) -> str:
    return f"{100 * (np.exp(rate) - 1):.1f} % a day"


def _doubling(rate: float) -> str:
    return f"doubling every {np.log(2) / rate:.0f} days" if rate > 0 else "not growing"


def key_summary(measurements: pd.DataFrame, key: tuple[str, str, str] | None,
                labels: dict[str, str], line_titles: dict[str, str]) -> list[str]:
    """Sentences a biologist reads: how fast each arm grew, the difference with a 95 % CI and
    p (Welch on per-mouse rates) and the volume ratio at the last well-populated day."""
    if key is None:
        return []
    cl, a, b = key
    tp = S.treatment_phase(measurements)
    rates = S.mouse_growth_rates(tp[tp["cell_line"] == cl])
    ra = rates.loc[rates["arm"] == a, "rate_per_day"].dropna().to_numpy()
    rb = rates.loc[rates["arm"] == b, "rate_per_day"].dropna().to_numpy()
    if len(ra) < 2 or len(rb) < 2:
        return []
    la, lb, lt = labels.get(a, a), labels.get(b, b), line_titles.get(cl, cl)
    w = S.welch(ra, rb)
    slower = "slower" if w["difference"] < 0 else "faster"
    out = [
        f"In {lt}, tumours on {lb} grew by {_pct_per_day(rb.mean())} "
        f"({_doubling(rb.mean())}; {len(rb)} mice), against {_pct_per_day(ra.mean())} "
        f"({_doubling(ra.mean())}; {len(ra)} mice) on {la}.",
        f"{lb} grew {fmt_num(abs(w['difference']), 4)} ln-units a day {slower} than {la} (95 % "
        f"CI {fmt_num(w['ci_low'], 4)} to {fmt_num(w['ci_high'], 4)}; Welch t-test on per-mouse growth rates, "
        f"p {fmt_p(w['p_value'])}): "
        + ("a clear difference." if w["ci_high"] < 0 or w["ci_low"] > 0 else
           "the data do not show a clear difference."),
    ]
    ratio = _volume_ratio(tp, cl, a, b)
    if ratio is not None:
        out.append(f"On day {ratio[0]:g}, the last day both arms still had at least half of "
                   f"their mice, mean volume on {lb} was {ratio[1]:.0%} of that on {la}.")
    return out


def _volume_ratio(tp: pd.DataFrame, cl: str, a: str, b: str) -> tuple[float, float] | None:
    curves = S.group_curves(tp[tp["cell_line"] == cl])
    ca, cb = curves[curves["arm"] == a], curves[curves["arm"] == b]
    m = ca.merge(cb, on="day", suffixes=("_a", "_b"))
    m = m[(m["fraction_present_a"] >= S.MIN_FRACTION_PRESENT)
          & (m["fraction_present_b"] >= S.MIN_FRACTION_PRESENT) & (m["day"] > 0)]
    if not len(m):
        return None
    last = m.iloc[-1]
    return float(last["day"]), float(last["mean_volume_mm3_b"] / last["mean_volume_mm3_a"])
