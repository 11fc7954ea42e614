"""Compute every table of an arm comparison (no figures, no files): the statistics step of
``analyze``. One :class:`Computed` holds the tables, the arm order and the notes; the figure
step (``analysis.draw``) and the report step (``analysis.render``) only read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from xenosim.analysis import stats as S
from xenosim.analysis.combinations import combinations_from_names, combinations_from_regimens
from xenosim.analysis.data import CaliperData
from xenosim.analysis.diagnostics import influence_table
from xenosim.analysis.errors import DEFAULT_COMBINATION, AnalysisInputError
from xenosim.analysis.mechanism import (
    ihc_arm_summary,
    ihc_at_study_end,
    mechanism_summary,
    share_consistency,
)
from xenosim.analysis.mixed import MixedModelResult, fit_growth_mixed_model, interaction_contrasts
from xenosim.analysis.order import study_order
from xenosim.analysis.survival import (
    kaplan_meier,
    pairwise_logrank,
    survival_summary,
    time_to_endpoint,
)
from xenosim.analysis.synergy import METRICS, synergy_over_time


@dataclass
class Computed:
    """The tables of one analysis, the options they were computed with and the notes."""

    data: CaliperData
    arm_order: dict[str, list[str]]
    control_arm: str
    combination: tuple[str, str, str] | None
    p_adjust: str
    n_boot: int
    seed: int
    notes: list[str]
    tp: pd.DataFrame = field(default_factory=pd.DataFrame)
    curves: pd.DataFrame = field(default_factory=pd.DataFrame)
    mouse_rates: pd.DataFrame = field(default_factory=pd.DataFrame)
    arm_rates: pd.DataFrame = field(default_factory=pd.DataFrame)
    rate_tests: pd.DataFrame = field(default_factory=pd.DataFrame)
    tc_day: pd.DataFrame = field(default_factory=pd.DataFrame)
    tc_end: pd.DataFrame = field(default_factory=pd.DataFrame)
    auc_mouse: pd.DataFrame = field(default_factory=pd.DataFrame)
    auc_arm: pd.DataFrame = field(default_factory=pd.DataFrame)
    mre_mouse: pd.DataFrame = field(default_factory=pd.DataFrame)
    mre_arm: pd.DataFrame = field(default_factory=pd.DataFrame)
    tte: pd.DataFrame = field(default_factory=pd.DataFrame)
    km: pd.DataFrame = field(default_factory=pd.DataFrame)
    surv: pd.DataFrame = field(default_factory=pd.DataFrame)
    lr: pd.DataFrame = field(default_factory=pd.DataFrame)
    models: dict[str, MixedModelResult] = field(default_factory=dict)
    mm_slopes: pd.DataFrame = field(default_factory=pd.DataFrame)
    mm_contrasts: pd.DataFrame = field(default_factory=pd.DataFrame)
    mm_inter: pd.DataFrame = field(default_factory=pd.DataFrame)
    influence: pd.DataFrame = field(default_factory=pd.DataFrame)
    syn: pd.DataFrame = field(default_factory=pd.DataFrame)
    syn_end: pd.DataFrame = field(default_factory=pd.DataFrame)
    mech: pd.DataFrame | None = None
    ihc: pd.DataFrame | None = None  # virtual IHC per mouse at its last caliper day
    ihc_arm: pd.DataFrame | None = None
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    key: dict | None = None

    @property
    def lines(self) -> list[str]:
        """Cell lines in display order."""
        return list(self.arm_order)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables written to ``tables/*.csv`` (name → table)."""
        out = {
            "arm_summary": self.summary, "group_curves": self.curves,
            "tc_tgi_by_day": self.tc_day, "tc_tgi_study_end": self.tc_end,
            "growth_rate_mouse": self.mouse_rates, "growth_rate_arm": self.arm_rates,
            "growth_rate_welch_pairs": self.rate_tests, "mixed_model_rates": self.mm_slopes,
            "mixed_model_contrasts": self.mm_contrasts,
            "mixed_model_interactions": self.mm_inter,
            "mixed_model_influence": self.influence,
            "auc_mouse": self.auc_mouse, "auc_arm": self.auc_arm,
            "mrecist_mouse": self.mre_mouse, "mrecist_arm": self.mre_arm,
            "time_to_endpoint": self.tte, "kaplan_meier": self.km,
            "survival_summary": self.surv, "logrank_pairs": self.lr,
        }
        if len(self.syn):
            out["synergy_by_day"] = self.syn
            out["synergy_study_end"] = self.syn_end
        if self.mech is not None:
            out["mechanism_by_day"] = self.mech
        if self.ihc is not None:
            out["ihc_mouse_study_end"] = self.ihc
            out["ihc_arm_study_end"] = self.ihc_arm
        return out


def check_options(n_boot: int, combination, p_adjust: str, synergy_metrics) -> None:
    """Reject bad analysis options before anything is computed (AnalysisInputError)."""
    if n_boot < 50:
        raise AnalysisInputError(f"n_boot must be at least 50, got {n_boot}")
    if combination is not None and len(combination) != 3:
        raise AnalysisInputError(
            f"combination must name three arms (A, B, A+B), got {combination!r}"
        )
    try:
        multipletests([0.5], method=p_adjust)
    except ValueError as exc:
        raise AnalysisInputError(f"unknown multiplicity correction {p_adjust!r}") from exc
    bad = [m for m in synergy_metrics if m not in METRICS]
    if bad:
        raise AnalysisInputError(
            f"unknown synergy metric(s) {bad}; allowed: {', '.join(METRICS)}")


def checked_arm_order(data: CaliperData, control_arm: str) -> dict[str, list[str]]:
    """Cell line → arms in display order (control first); an error when a line has no control."""
    order = study_order(data, control_arm)
    for cl, arms in order.items():
        if control_arm not in arms:
            where = "" if data.single_line else f" in cell line {cl!r}"
            raise AnalysisInputError(
                f"control arm {control_arm!r} not found{where}; arms present: "
                + ", ".join(repr(a) for a in arms)
                + " (choose the control with the control-arm option)",
                file=data.source or None,
                column="arm",
            )
        if len(arms) < 2:
            where = "" if data.single_line else f" of cell line {cl!r}"
            raise AnalysisInputError(
                f"only the control arm {control_arm!r}{where} is present: there is no treated "
                "arm to compare it with", file=data.source or None, column="arm")
    return order


def check_combination(data: CaliperData, combination, arm_order: dict[str, list[str]]) -> None:
    """An explicitly named synergy arm that no cell line has is an error, not a silent skip."""
    if combination is None or tuple(combination) == DEFAULT_COMBINATION:
        return
    present = {x for arms in arm_order.values() for x in arms}
    missing = [x for x in combination if x not in present]
    if missing:
        raise AnalysisInputError(
            f"combination names arm(s) {', '.join(map(repr, missing))} that are not in the data; "
            f"arms present: {', '.join(map(repr, sorted(present)))}",
            file=data.source or None, column="arm",
        )


def resolve_combination(data: CaliperData, combination, arm_order, notes: list[str]):
    """The default combination applies when its arms exist; otherwise infer (A, B, A+B) from the
    run's regimens (config.yaml) or, for a lab table, from names like ``A+B`` / ``A_B``."""
    if combination is None or tuple(combination) != DEFAULT_COMBINATION:
        return combination
    if any(all(x in arms for x in combination) for arms in arm_order.values()):
        return combination
    arms = list(dict.fromkeys(a for v in arm_order.values() for a in v))
    drugs = data.regimens
    found = combinations_from_regimens(drugs) if drugs else combinations_from_names(arms)
    found = [c for c in found if all(x in arms for x in c)]
    how = "the run's regimens" if drugs else "arm names"
    if not found:
        notes.append(f"no combination arm (A, B, A+B) found from {how}: synergy not computed")
        return None
    notes.append(f"combination {found[0][2]!r} = {found[0][0]!r} + {found[0][1]!r} taken from "
                 f"{how}" + (f"; also found (not analysed): {', '.join(c[2] for c in found[1:])}"
                             if len(found) > 1 else ""))
    return found[0]


def _growth(c: Computed) -> None:
    """Treatment phase, curves, per-mouse and per-arm growth rates, T/C, AUC, mRECIST."""
    tp = c.tp = S.treatment_phase(c.data.measurements)
    not_day0 = tp.drop_duplicates("mouse")
    not_day0 = not_day0[not_day0["baseline_day"] != 0]
    if len(not_day0):
        c.notes.append(
            f"{len(not_day0)} mouse/mice have no day-0 measurement; their first treatment-phase "
            "measurement is used as baseline"
        )
    c.curves = S.group_curves(tp)
    c.mouse_rates = S.mouse_growth_rates(tp)
    c.arm_rates = S.arm_growth_rates(c.mouse_rates)
    c.rate_tests = S.pairwise_rate_tests(c.mouse_rates, c.arm_order)
    c.tc_day, c.tc_end = S.tc_tgi(tp, c.control_arm)
    c.auc_mouse = S.auc_rtv(tp)
    c.auc_arm = S.arm_auc(c.auc_mouse, c.control_arm)
    c.mre_mouse = S.mrecist(tp, c.data.mice)
    c.mre_arm = S.arm_mrecist(c.mre_mouse)


def _survival(c: Computed) -> None:
    c.tte = time_to_endpoint(c.data.mice)
    c.km = kaplan_meier(c.tte)
    c.surv = survival_summary(c.tte)
    c.lr = pairwise_logrank(c.tte, c.arm_order, c.p_adjust)


def _mixed(c: Computed) -> None:
    """One mixed model per cell line, the pairwise and interaction contrasts, influence."""
    for cl, arms in c.arm_order.items():
        c.models[cl] = fit_growth_mixed_model(c.tp, cl, arms, c.p_adjust)
        c.notes.extend(c.models[cl].notes)
    c.mm_slopes = pd.concat([m.slopes for m in c.models.values()], ignore_index=True)
    c.mm_contrasts = pd.concat([m.contrasts for m in c.models.values()], ignore_index=True)
    c.mm_inter = interaction_contrasts(c.mm_contrasts, c.control_arm, c.p_adjust)
    c.influence = influence_table(c.models)


def _synergy(c: Computed, synergy_metrics, rng: np.random.Generator) -> None:
    if c.combination is None:
        return
    a, b, ab = c.combination
    parts = []
    for cl, arms in c.arm_order.items():
        if not all(x in arms for x in (a, b, ab)):
            continue
        s = synergy_over_time(c.tp, cl, c.control_arm, a, b, ab, n_boot=c.n_boot, rng=rng,
                              metrics=synergy_metrics)
        if len(s) and (s["flag"] != "").any():
            c.notes.append(f"{cl}: a single agent inhibits growth by ≥ 100 % on some days; "
                           "Bliss / HSA there are flagged as not interpretable as synergy "
                           "(rate-inhibition Bliss is withheld)")
        if s.empty or s["excess"].isna().all():
            c.notes.append(f"{cl}: synergy not estimable (control growth rate ≤ 0?)")
        parts.append(s)
    if not parts:
        c.notes.append(f"no cell line has all of {a!r}, {b!r} and {ab!r}: synergy not computed")
        return
    c.syn = pd.concat(parts, ignore_index=True)
    c.syn_end = c.syn.sort_values("day").groupby(["cell_line", "metric"], sort=False).tail(1)


def _mechanism(c: Computed) -> None:
    cells = c.data.cells
    if cells is None or not len(cells):
        return
    c.mech = mechanism_summary(cells)
    c.ihc = ihc_at_study_end(cells)
    if c.ihc is not None:
        c.ihc_arm = ihc_arm_summary(c.ihc)
    dev = share_consistency(cells)
    if dev > 0.02:
        c.notes.append(f"cells.csv: ER shares differ from mean ER activity by up to {dev:.1%} of "
                       "its range")


def arm_summary(c: Computed) -> pd.DataFrame:
    """One row per (cell line, arm) with the headline numbers of every table."""
    base = c.tp.drop_duplicates("mouse").groupby(["cell_line", "arm"])["baseline_volume_mm3"]
    bmean, bsd = base.mean(), base.std()

    def pick(df, col, k):
        if df is None or df.empty:
            return np.nan
        m = df[(df["cell_line"] == k[0]) & (df["arm"] == k[1])]
        return m[col].iloc[0] if len(m) else np.nan

    rows = []
    for cl, arms in c.arm_order.items():
        for arm in arms:
            k = (cl, arm)
            row = {"cell_line": cl, "arm": arm, "group": c.data.label(cl, arm),
                   "n_mice": int(pick(c.surv, "n_mice", k)),
                   "n_endpoint": int(pick(c.surv, "n_endpoint", k)),
                   "baseline_volume_mean_mm3": bmean.get(k, np.nan),
                   "baseline_volume_sd_mm3": bsd.get(k, np.nan)}
            for col in ("rate_per_day", "rate_ci_low", "rate_ci_high", "doubling_time_days",
                        "doubling_time_ci_low", "doubling_time_ci_high"):
                row[col] = pick(c.arm_rates, col, k)
            row.update(tc_day=pick(c.tc_end, "day", k), tc=pick(c.tc_end, "tc", k),
                       tgi_pct=pick(c.tc_end, "tgi_pct", k))
            for col in ("auc_mean", "auc_ci_low", "auc_ci_high"):
                row[col] = pick(c.auc_arm, col, k)
            row["median_days_to_endpoint"] = pick(c.surv, "median_days", k)
            row["median_reached"] = bool(pick(c.surv, "median_reached", k))
            row.update({m: int(pick(c.mre_arm, m, k)) for m in ("mCR", "mPR", "mSD", "mPD", "NE")})
            rows.append(row)
    return pd.DataFrame(rows)


def compute(data: CaliperData, *, control_arm: str, combination, n_boot: int, seed: int,
            p_adjust: str, synergy_metrics) -> Computed:
    """Every table of the arm comparison (options checked first; numpy Generator from seed)."""
    check_options(n_boot, combination, p_adjust, synergy_metrics)
    arm_order = checked_arm_order(data, control_arm)
    check_combination(data, combination, arm_order)
    notes = list(data.notes)
    combination = resolve_combination(data, combination, arm_order, notes)
    c = Computed(data=data, arm_order=arm_order, control_arm=control_arm,
                 combination=combination, p_adjust=p_adjust, n_boot=n_boot, seed=seed,
                 notes=notes)
    rng = np.random.default_rng(seed)
    _growth(c)
    _survival(c)
    _mixed(c)
    _synergy(c, synergy_metrics, rng)
    _mechanism(c)
    c.summary = arm_summary(c)
    return c
