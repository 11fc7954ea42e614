"""``compare_runs``: two runs side by side (e.g. an ablation), per (cell line, arm) growth rate in
A and B and the difference B − A; report from ``templates/analysis/compare.j2``."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats

from xenosim import __version__
from xenosim.analysis import figures as F
from xenosim.analysis import stats as S
from xenosim.analysis.data import CaliperData
from xenosim.analysis.errors import AnalysisInputError
from xenosim.analysis.multiplicity import adjust_pvalues
from xenosim.analysis.order import arm_labels, study_order
from xenosim.analysis.render import tab, tidy_markdown
from xenosim.analysis.report import fmt_ci, fmt_p
from xenosim.core.templates import render


def run_label(d: CaliperData) -> str:
    """How a run is named in the comparison (its experiment, and its directory if different)."""
    return d.name if d.name == d.source or not d.source else f"{d.name} ({d.source})"


def _groups(r: pd.DataFrame) -> set[str]:
    return set(r["cell_line"] + " · " + r["arm"])


def _paired(row: dict, xa: pd.DataFrame, xb: pd.DataFrame) -> None:
    """Paired t on the same mice (same seeds in both runs) instead of Welch, when possible."""
    shared = xa.index.intersection(xb.index)
    if not (len(shared) >= 2 and len(shared) == len(xa) == len(xb)):
        return
    dd = (xb.loc[shared, "rate_per_day"] - xa.loc[shared, "rate_per_day"]).dropna()
    n = len(dd)
    se = dd.std(ddof=1) / np.sqrt(n)
    lo, hi = S.t_ci(dd.mean(), se, n - 1)
    row.update(difference=dd.mean(), ci_low=lo, ci_high=hi, test="paired t (same mice)",
               p_value=float(2 * stats.t.sf(abs(dd.mean() / se), n - 1)) if se > 0 else np.nan)


def compare_table(da: CaliperData, db: CaliperData, p_adjust: str) -> tuple[pd.DataFrame, dict]:
    """Growth rate per shared group in A and B with B − A; also the curves of both runs."""
    tpa, tpb = S.treatment_phase(da.measurements), S.treatment_phase(db.measurements)
    ma, mb = S.mouse_growth_rates(tpa), S.mouse_growth_rates(tpb)
    ra, rb = S.arm_growth_rates(ma), S.arm_growth_rates(mb)
    common = ra.merge(rb, on=["cell_line", "arm"], suffixes=("_a", "_b"))
    if common.empty:
        raise AnalysisInputError(
            "the two runs share no (cell line, arm) group; A has "
            + ", ".join(sorted(_groups(ra))) + "; B has " + ", ".join(sorted(_groups(rb))))
    rows = []
    for r in common.itertuples():
        xa = ma[(ma["cell_line"] == r.cell_line) & (ma["arm"] == r.arm)].set_index("mouse")
        xb = mb[(mb["cell_line"] == r.cell_line) & (mb["arm"] == r.arm)].set_index("mouse")
        w = S.welch(xa["rate_per_day"].to_numpy(), xb["rate_per_day"].to_numpy())
        row = {"cell_line": r.cell_line, "arm": r.arm,
               "n_a": r.n_mice_a, "rate_a": r.rate_per_day_a, "rate_a_ci_low": r.rate_ci_low_a,
               "rate_a_ci_high": r.rate_ci_high_a,
               "n_b": r.n_mice_b, "rate_b": r.rate_per_day_b, "rate_b_ci_low": r.rate_ci_low_b,
               "rate_b_ci_high": r.rate_ci_high_b,
               "difference": w["difference"], "ci_low": w["ci_low"], "ci_high": w["ci_high"],
               "p_value": w["p_value"], "test": "Welch"}
        _paired(row, xa, xb)
        rows.append(row)
    rank = {(cl, a): i for i, (cl, a) in enumerate(
        (cl, a) for cl, arms in study_order(da, "control").items() for a in arms)}
    table = pd.DataFrame(rows)  # rows in run A's order (its config's, as every other table)
    table = table.iloc[np.argsort([rank.get(k, len(rank)) for k in
                                   zip(table["cell_line"], table["arm"], strict=True)],
                                  kind="stable")].reset_index(drop=True)
    table["p_adjusted"] = adjust_pvalues(table["p_value"], p_adjust)
    table["p_adjust_method"] = p_adjust
    extra = {"curves_a": S.group_curves(tpa), "curves_b": S.group_curves(tpb),
             "only": sorted(_groups(ra) ^ _groups(rb))}
    return table, extra


def compare_files(da: CaliperData, db: CaliperData, p_adjust: str,
                  png: Callable[[object], bytes]) -> tuple[pd.DataFrame, dict[str, bytes]]:
    """The comparison table and every file of the comparison directory (in memory)."""
    la, lb = run_label(da), run_label(db)
    if la == lb:
        la, lb = f"A: {la}", f"B: {lb}"
    table, extra = compare_table(da, db, p_adjust)
    order = {cl: [a for a in arms if a in set(table.loc[table["cell_line"] == cl, "arm"])]
             for cl, arms in study_order(da, "control").items()
             if cl in set(table["cell_line"])}
    F.assign_arm_colours([a for arms in order.values() for a in arms], arm_labels(da))
    figs = {"overlay": png(F.compare_overlay(extra["curves_a"], extra["curves_b"], la, lb, order)),
            "rates": png(F.compare_rates(table, la, lb))}
    rows = [{"group": f"{r['cell_line']} · {r['arm']}", "mice A/B": f"{r['n_a']}/{r['n_b']}",
             "rate A /day [95% CI]": fmt_ci(r["rate_a"], r["rate_a_ci_low"], r["rate_a_ci_high"],
                                            4),
             "rate B /day [95% CI]": fmt_ci(r["rate_b"], r["rate_b_ci_low"], r["rate_b_ci_high"],
                                            4),
             "B − A [95% CI]": fmt_ci(r["difference"], r["ci_low"], r["ci_high"], 4),
             "test": r["test"], "p": fmt_p(r["p_value"]), f"p ({p_adjust})": fmt_p(r["p_adjusted"])}
            for r in table.to_dict("records")]
    ctx = {"la": la, "lb": lb, "version": __version__, "p_adjust": p_adjust, "table": tab(rows),
           "figs": figs, "only": extra["only"]}
    files = {"tables/compare_growth_rates.csv": table.to_csv(index=False,
                                                             float_format="%.6g").encode(),
             "figures/overlay.png": figs["overlay"], "figures/rates.png": figs["rates"],
             "report.html": render("analysis/compare.j2", html=True, **ctx).encode(),
             "report.md": tidy_markdown(render("analysis/compare.j2", html=False,
                                                **ctx)).encode()}
    return table, files
