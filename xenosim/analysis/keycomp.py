"""The key comparison: the one contrast a study is about (by default Tamoxifen + CCI-779 vs
Tamoxifen in the myr-Akt line), its supporting numbers and plain-language sentences.

Everything here reads the tables ``analysis.compute`` computed; nothing is fitted again.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xenosim.analysis.report import fmt_num, fmt_p

DEFAULT_KEY = ("mcf7_myr_akt", "tamoxifen", "tamoxifen+cci779")


def _flip(row: pd.Series, a: str, b: str) -> dict:
    """Contrast row oriented as b − a."""
    r = row.to_dict()
    if r["arm_a"] == a and r["arm_b"] == b:
        return r
    out = dict(r, arm_a=a, arm_b=b)
    for k in ("difference_per_day", "difference", "t"):
        if k in out:
            out[k] = -out[k]
    out["ci_low"], out["ci_high"] = -r["ci_high"], -r["ci_low"]
    return out


def _key_interaction(inter: pd.DataFrame | None, cl: str, arm: str) -> dict | None:
    """The interaction row for ``arm`` between the key line and another, as key − other."""
    if inter is None or inter.empty:
        return None
    m = inter[(inter["arm"] == arm) & ((inter["cell_line_a"] == cl) | (inter["cell_line_b"] == cl))]
    if not len(m):
        return None
    r = m.iloc[0].to_dict()
    if r["cell_line_b"] == cl:
        return dict(r, other_line=r["cell_line_a"])
    return dict(r, other_line=r["cell_line_b"], interaction_per_day=-r["interaction_per_day"],
                ci_low=-r["ci_high"], ci_high=-r["ci_low"], t=-r["t"])


def _find_pair(df: pd.DataFrame, cl: str, a: str, b: str) -> dict | None:
    if df is None or df.empty:
        return None
    m = (df["cell_line"] == cl) & (
        ((df["arm_a"] == a) & (df["arm_b"] == b)) | ((df["arm_a"] == b) & (df["arm_b"] == a))
    )
    if not m.any():
        return None
    return _flip(df[m].iloc[0], a, b)


def synergy_word(lo: float, hi: float, flag: str = "") -> str:
    if flag:
        return f"not interpretable as synergy: {flag}"
    if lo > 0:
        return "more inhibition than expected (synergy)"
    if hi < 0:
        return "less inhibition than expected (antagonism)"
    return "consistent with the expectation (no evidence of synergy or antagonism)"


def fmt_syn_p(r: dict) -> str:
    """Synergy p-value; a bootstrap p at its floor (no resample crossed 0) as a bound."""
    p, floor = r.get("p_value"), r.get("p_floor")
    if floor is not None and np.isfinite(floor) and np.isfinite(p) and p <= floor * (1 + 1e-9):
        return f"≤ {floor:.2g} (bootstrap floor)"
    return fmt_p(p)




def key_comparison(c, key: tuple[str, str, str] | None) -> dict | None:
    """The key comparison (cell line, arm a, arm b) from the computed tables ``c``
    (:class:`xenosim.analysis.compute.Computed`); None when the study does not have those arms."""
    if key is None:
        return None
    cl, a, b = key
    arm_order, control_arm = c.arm_order, c.control_arm
    if cl not in arm_order or a not in arm_order[cl] or b not in arm_order[cl]:
        return None

    def rate(arm, line=cl):
        r = c.arm_rates[(c.arm_rates["cell_line"] == line) & (c.arm_rates["arm"] == arm)]
        return r.iloc[0].to_dict() if len(r) else None

    def tc(arm, line=cl):
        r = c.tc_end[(c.tc_end["cell_line"] == line) & (c.tc_end["arm"] == arm)]
        return r.iloc[0].to_dict() if len(r) else None

    out = {
        "cell_line": cl, "arm_a": a, "arm_b": b, "control_arm": control_arm,
        "rate_a": rate(a), "rate_b": rate(b), "rate_control": rate(control_arm),
        "contrast": _find_pair(c.mm_contrasts, cl, a, b),
        "welch": _find_pair(c.rate_tests, cl, a, b),
        "tc_a": tc(a), "tc_b": tc(b),
        "logrank": _find_pair(c.lr, cl, a, b) if len(c.lr) else None,
        "b_over_a": _b_over_a(c.curves, cl, a, b),
        "synergy": _key_synergy(c.syn_end, cl) if c.combination is not None else {},
    }
    _context(out, c, cl, a, b)
    out["sentences"] = key_sentences(out)
    return out


def _b_over_a(curves: pd.DataFrame, cl: str, a: str, b: str) -> dict | None:
    """Mean volume of arm b over arm a at the last day both keep ≥ half of their mice."""
    ca = curves[(curves["cell_line"] == cl) & (curves["arm"] == a)]
    cb = curves[(curves["cell_line"] == cl) & (curves["arm"] == b)]
    mm = ca.merge(cb, on="day", suffixes=("_a", "_b"))
    mm = mm[(mm["fraction_present_a"] >= 0.5) & (mm["fraction_present_b"] >= 0.5)
            & (mm["day"] > 0)]
    if not len(mm):
        return None
    return {"day": float(mm["day"].iloc[-1]),
            "ratio": float(mm["mean_volume_mm3_b"].iloc[-1] / mm["mean_volume_mm3_a"].iloc[-1])}


def _key_synergy(syn_end: pd.DataFrame, cl: str) -> dict:
    out = {}
    if len(syn_end):
        for metric in ("bliss", "hsa"):
            r = syn_end[(syn_end["cell_line"] == cl) & (syn_end["metric"] == metric)]
            if len(r):
                out[metric] = r.iloc[0].to_dict()
    return out


def _context(out: dict, c, cl: str, a: str, b: str) -> None:
    """The single-agent (arm a) effect against control in every cell line (resistance in
    context), the cell line × treatment interaction, and the key figure's lines and arms."""
    ctx = []
    for line, arms in c.arm_order.items():
        if a in arms and a != c.control_arm:
            x = _find_pair(c.mm_contrasts, line, c.control_arm, a)
            if x is not None:
                ctx.append(x)
    ctx.sort(key=lambda x: x["cell_line"] != cl)
    out["arm_a_vs_control"] = ctx
    out["interaction"] = _key_interaction(c.mm_inter, cl, a)
    out["figure_lines"] = [cl] + [x["cell_line"] for x in ctx if x["cell_line"] != cl]
    arms = [x for x in (c.control_arm, a, *(c.combination or ()), b) if x in c.arm_order[cl]]
    out["figure_arms"] = list(dict.fromkeys(arms))
def _dt_words(r: dict) -> str:
    if r["rate_per_day"] > 0:
        return f"doubling time {fmt_num(r['doubling_time_days'], 1)} d"
    return "no net growth"


def key_sentences(k: dict) -> list[str]:
    """The key comparison in sentences a biologist reads (numbers from the tables)."""
    cl, a, b = k["cell_line"], k["arm_a"], k["arm_b"]
    s = []
    ra, rb, c = k["rate_a"], k["rate_b"], k["contrast"]
    if ra and rb and c:
        direction = "slower" if c["difference_per_day"] < 0 else "faster"
        s.append(
            f"In {cl}, tumours on {b} grew at {fmt_num(rb['rate_per_day'], 4)} ln-units/day "
            f"({_dt_words(rb)}) against {fmt_num(ra['rate_per_day'], 4)} /day "
            f"({_dt_words(ra)}) on {a}: {b} grew "
            f"{fmt_num(abs(c['difference_per_day']), 4)} /day {direction} (mixed model, 95 % CI "
            f"{fmt_num(c['ci_low'], 4)} to {fmt_num(c['ci_high'], 4)}; "
            f"{c['p_adjust_method']}-adjusted p {fmt_p(c['p_adjusted'])})."
        )
    if k["b_over_a"]:
        s.append(
            f"On day {k['b_over_a']['day']:g}, mean volume on {b} was "
            f"{k['b_over_a']['ratio']:.0%} of that on {a}."
        )
    for metric, name in (("bliss", "Bliss independence"), ("hsa", "the highest single agent")):
        r = k["synergy"].get(metric)
        if r:
            s.append(
                f"Against {name}, {r['arm_ab']} slowed growth by "
                f"{fmt_num(r['excess'], 4)} ln V /day beyond expectation by day {r['day']:g} "
                f"(95 % CI {fmt_num(r['ci_low'], 4)} to {fmt_num(r['ci_high'], 4)}, "
                f"p {fmt_syn_p(r)}): {synergy_word(r['ci_low'], r['ci_high'], r['flag'])}."
            )
    for c in k["arm_a_vs_control"]:
        s.append(
            f"{a} vs {k['control_arm']} in {c['cell_line']}: growth rate changed by "
            f"{fmt_num(c['difference_per_day'], 4)} /day (95 % CI {fmt_num(c['ci_low'], 4)} to "
            f"{fmt_num(c['ci_high'], 4)}, adjusted p {fmt_p(c['p_adjusted'])})."
        )
    ia = k.get("interaction")
    if ia:
        s.append(
            f"Does {a}'s effect differ between lines? In {k['cell_line']} it changed the growth "
            f"rate by {fmt_num(ia['interaction_per_day'], 4)} /day more than in "
            f"{ia['other_line']} (cell line × treatment interaction, 95 % CI "
            f"{fmt_num(ia['ci_low'], 4)} to {fmt_num(ia['ci_high'], 4)}, "
            f"{ia['p_adjust_method']}-adjusted p {fmt_p(ia['p_adjusted'])}; > 0: a weaker "
            "effect, i.e. resistance)."
        )
    return s
