"""``analyze`` and ``compare_runs``: from caliper data to tables, figures and a report, atomically.

All numbers are computed and all figures rendered in memory first; only then is a temporary
directory beside the output filled and renamed into place, so a failure never leaves something
that looks like a finished analysis.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from xenosim import __version__
from xenosim.analysis import figures as F
from xenosim.analysis import stats as S
from xenosim.analysis.combinations import (
    combinations_from_names,
    combinations_from_regimens,
)
from xenosim.analysis.data import CaliperData, load_results_dir
from xenosim.analysis.errors import DEFAULT_COMBINATION, AnalysisInputError
from xenosim.analysis.mechanism import mechanism_summary, share_consistency
from xenosim.analysis.mixed import (
    MODEL_TEXT,
    MixedModelResult,
    fit_growth_mixed_model,
    interaction_contrasts,
)
from xenosim.analysis.multiplicity import adjust_pvalues
from xenosim.analysis.report import Document, fmt_ci, fmt_num, fmt_p
from xenosim.analysis.survival import (
    kaplan_meier,
    pairwise_logrank,
    survival_summary,
    time_to_endpoint,
)
from xenosim.analysis.synergy import (
    METRIC_FORMULA,
    METRIC_LABEL,
    METRICS,
    synergy_over_time,
)
from xenosim.core.output import write_files_atomically

DEFAULT_KEY = ("mcf7_myr_akt", "tamoxifen", "tamoxifen+cci779")


@dataclass
class AnalysisResult:
    """What ``analyze`` produced: the tables (as written), figure files and report paths."""

    out_dir: Path
    tables: dict[str, pd.DataFrame]
    figures: dict[str, Path]
    report_html: Path
    report_md: Path
    key_comparison: dict | None = None
    mixed_models: dict[str, MixedModelResult] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- atomic output


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=130, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False, float_format="%.6g").encode()


def _as_data(data) -> CaliperData:
    if isinstance(data, CaliperData):
        return data
    return load_results_dir(data)


# --------------------------------------------------------------------------- analyze


def _arm_order(data: CaliperData, control_arm: str) -> dict[str, list[str]]:
    order = {}
    for cl in data.cell_lines:
        arms = data.arms(cl, control_arm)
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
        order[cl] = arms
    return order


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


def _synergy_word(lo: float, hi: float, flag: str = "") -> str:
    if flag:
        return f"not interpretable as synergy: {flag}"
    if lo > 0:
        return "more inhibition than expected (synergy)"
    if hi < 0:
        return "less inhibition than expected (antagonism)"
    return "consistent with the expectation (no evidence of synergy or antagonism)"


def _fmt_syn_p(r: dict) -> str:
    """Synergy p-value; a bootstrap p at its floor (no resample crossed 0) as a bound."""
    p, floor = r.get("p_value"), r.get("p_floor")
    if floor is not None and np.isfinite(floor) and np.isfinite(p) and p <= floor * (1 + 1e-9):
        return f"≤ {floor:.2g} (bootstrap floor)"
    return fmt_p(p)


def _check_combination(data: CaliperData, combination, arm_order: dict[str, list[str]]) -> None:
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


def _resolve_combination(data: CaliperData, combination, arm_order, notes: list[str]):
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


def analyze(
    data: CaliperData | str | Path,
    out_dir: str | Path,
    *,
    control_arm: str = "control",
    combination: tuple[str, str, str] | None = DEFAULT_COMBINATION,
    n_boot: int = 1000,
    seed: int = 0,
    p_adjust: str = "holm",
    log_scale: bool = False,
    key_comparison: tuple[str, str, str] | None = DEFAULT_KEY,
    synergy_metrics: tuple[str, ...] = ("bliss", "hsa", "response_additivity"),
) -> AnalysisResult:
    """Compare arms like a xenograft paper: statistics tables (CSV), figures (PNG) and a report
    (``report.html`` self-contained, ``report.md``) written atomically into ``out_dir``.

    Comparisons are made within a cell line against ``control_arm``. ``combination`` names the
    (A, B, A+B) arms for Bliss / HSA synergy; ``key_comparison`` = (cell line, arm 1, arm 2)
    gets its own section when present. ``n_boot`` bootstrap resamples use numpy's Generator
    seeded with ``seed``; ``p_adjust`` is a statsmodels multipletests method (holm, fdr_bh, ...).
    ``synergy_metrics``: any of ``synergy.METRICS`` (default Bliss on log relative volume, HSA,
    response additivity; ``bliss_rate`` = Bliss on growth-rate inhibition, bootstrap).
    """
    data = _as_data(data)
    out_dir = Path(out_dir)
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
    arm_order = _arm_order(data, control_arm)
    _check_combination(data, combination, arm_order)
    notes = list(data.notes)
    combination = _resolve_combination(data, combination, arm_order, notes)
    rng = np.random.default_rng(seed)

    # ---- statistics
    tp = S.treatment_phase(data.measurements)
    not_day0 = tp.drop_duplicates("mouse")
    not_day0 = not_day0[not_day0["baseline_day"] != 0]
    if len(not_day0):
        notes.append(
            f"{len(not_day0)} mouse/mice have no day-0 measurement; their first treatment-phase "
            "measurement is used as baseline"
        )
    curves = S.group_curves(tp)
    mouse_rates = S.mouse_growth_rates(tp)
    arm_rates = S.arm_growth_rates(mouse_rates)
    rate_tests = S.pairwise_rate_tests(mouse_rates, arm_order)
    tc_day, tc_end = S.tc_tgi(tp, control_arm)
    auc_mouse = S.auc_rtv(tp)
    auc_arm = S.arm_auc(auc_mouse, control_arm)
    mre_mouse = S.mrecist(tp, data.mice)
    mre_arm = S.arm_mrecist(mre_mouse)
    tte = time_to_endpoint(data.mice)
    km = kaplan_meier(tte)
    surv = survival_summary(tte)
    lr = pairwise_logrank(tte, arm_order, p_adjust)
    models: dict[str, MixedModelResult] = {}
    for cl, arms in arm_order.items():
        models[cl] = fit_growth_mixed_model(tp, cl, arms, p_adjust)
        notes.extend(models[cl].notes)
    mm_slopes = pd.concat([m.slopes for m in models.values()], ignore_index=True)
    mm_contrasts = pd.concat([m.contrasts for m in models.values()], ignore_index=True)
    mm_inter = interaction_contrasts(mm_contrasts, control_arm, p_adjust)
    syn = pd.DataFrame()
    if combination is not None:
        a, b, ab = combination
        parts = []
        for cl, arms in arm_order.items():
            if all(x in arms for x in (a, b, ab)):
                s = synergy_over_time(tp, cl, control_arm, a, b, ab, n_boot=n_boot, rng=rng,
                                      metrics=synergy_metrics)
                if len(s) and (s["flag"] != "").any():
                    notes.append(f"{cl}: a single agent inhibits growth by ≥ 100 % on some days; "
                                 "Bliss / HSA there are flagged as not interpretable as synergy "
                                 "(rate-inhibition Bliss is withheld)")
                if s.empty or s["excess"].isna().all():
                    notes.append(f"{cl}: synergy not estimable (control growth rate ≤ 0?)")
                parts.append(s)
        if parts:
            syn = pd.concat(parts, ignore_index=True)
        else:
            notes.append(
                f"no cell line has all of {a!r}, {b!r} and {ab!r}: synergy not computed"
            )
    syn_end = (
        syn.sort_values("day").groupby(["cell_line", "metric"], sort=False).tail(1)
        if len(syn)
        else syn
    )
    mech = None
    if data.cells is not None and len(data.cells):
        mech = mechanism_summary(data.cells)
        dev = share_consistency(data.cells)
        if dev > 0.02:
            notes.append(
                f"cells.csv: ER shares differ from mean ER activity by up to {dev:.1%} of its "
                "range"
            )

    summary = _arm_summary(data, arm_order, arm_rates, tc_end, auc_arm, surv, mre_arm, tp)
    key = _key_comparison(
        data, key_comparison, arm_order, control_arm, arm_rates, mm_contrasts, rate_tests,
        tc_end, curves, lr, syn_end, combination, mm_inter,
    )

    tables = {
        "arm_summary": summary,
        "group_curves": curves,
        "tc_tgi_by_day": tc_day,
        "tc_tgi_study_end": tc_end,
        "growth_rate_mouse": mouse_rates,
        "growth_rate_arm": arm_rates,
        "growth_rate_welch_pairs": rate_tests,
        "mixed_model_rates": mm_slopes,
        "mixed_model_contrasts": mm_contrasts,
        "mixed_model_interactions": mm_inter,
        "auc_mouse": auc_mouse,
        "auc_arm": auc_arm,
        "mrecist_mouse": mre_mouse,
        "mrecist_arm": mre_arm,
        "time_to_endpoint": tte,
        "kaplan_meier": km,
        "survival_summary": surv,
        "logrank_pairs": lr,
    }
    if len(syn):
        tables["synergy_by_day"] = syn
        tables["synergy_study_end"] = syn_end
    if mech is not None:
        tables["mechanism_by_day"] = mech

    # ---- figures
    F.assign_arm_colours([a for arms in arm_order.values() for a in arms])
    lines = list(arm_order)
    p_ctrl = {}
    if len(lr):
        for r in lr.itertuples():
            if r.arm_a == control_arm:
                p_ctrl[(r.cell_line, r.arm_b)] = r.p_adjusted
    figs: dict[str, tuple[bytes, str]] = {}
    figs["growth_curves"] = (
        _png(F.growth_curves(curves, arm_order, value="volume", log_scale=log_scale,
                             endpoint_volume_mm3=data.endpoint_volume_mm3)),
        "Mean tumour volume ± SEM per arm. Points are drawn while at least half of the arm's "
        "mice are still on study (dotted line: endpoint volume).",
    )
    figs["growth_curves_relative"] = (
        _png(F.growth_curves(curves, arm_order, value="rtv", log_scale=True)),
        "Mean relative tumour volume (V/V₀, log scale) ± SEM per arm; a straight line is "
        "exponential growth and its slope is the growth rate.",
    )
    figs["spaghetti"] = (
        _png(F.spaghetti(data.measurements, data.mice, arm_order, data.endpoint_volume_mm3)),
        "Measured volume of every mouse (log scale). Grey: take phase before randomisation; "
        "× : removed at the endpoint.",
    )
    figs["waterfall"] = (
        _png(F.waterfall(mre_mouse, arm_order)),
        "Best % change in volume per mouse from day 10 (mRECIST BestResponse); mice that reached "
        "the endpoint before day 10 show their last change.",
    )
    figs["kaplan_meier"] = (
        _png(F.kaplan_meier(km, surv, arm_order, data.endpoint_volume_mm3, p_ctrl)),
        f"Time to reaching {data.endpoint_volume_mm3:.0f} mm³ (Kaplan–Meier, 95 % CI); ticks are "
        f"censored mice; p-values are {p_adjust}-adjusted log-rank tests against control.",
    )
    figs["forest_growth_rate"] = (
        _png(F.forest(mm_contrasts, lines)),
        "Difference in growth rate (ln V per day) between every pair of arms, from the linear "
        f"mixed model; bars are 95 % CIs, p-values {p_adjust}-adjusted within each cell line.",
    )
    if len(syn):
        figs["synergy"] = (
            _png(F.synergy(syn, lines)),
            "Excess reduction of the log-volume growth rate by the combination over Bliss "
            "independence (additive effects on ln RTV) and over the highest single agent, with "
            "Welch t 95 % CIs; ★ p < 0.05 (unadjusted).",
        )
    if key is not None:
        figs["key_comparison"] = (
            _png(F.key_comparison(curves, key["figure_lines"], key["figure_arms"])),
            "Key comparison: mean relative tumour volume ± SEM.",
        )
    if mech is not None:
        figs["mechanism_fractions"] = (
            _png(F.mechanism_fractions(mech, arm_order)),
            "Fraction of tumour cells with high mTORC1 activity (top) and high ER activity "
            "(bottom) per arm (simulation only).",
        )
        figs["mechanism_er_shares"] = (
            _png(F.er_shares(mech, arm_order)),
            "Mean ER transcriptional activity split into its estradiol-driven, tamoxifen-driven "
            "(partial agonism) and Ser167-phosphorylation (Akt / S6K1) shares.",
        )

    # ---- report
    doc = _build_report(
        data, arm_order, control_arm, combination, p_adjust, n_boot, seed, notes, summary,
        tc_day, tc_end, arm_rates, mm_slopes, mm_contrasts, models, rate_tests, auc_arm,
        mre_arm, surv, lr, syn, syn_end, mech, key, figs, tp,
    )
    files = {f"tables/{k}.csv": _csv(v) for k, v in tables.items()}
    files.update({f"figures/{k}.png": png for k, (png, _) in figs.items()})
    files["report.html"] = doc.to_html().encode()
    files["report.md"] = doc.to_markdown().encode()
    write_files_atomically(out_dir, files, kind="analysis")
    return AnalysisResult(
        out_dir=out_dir,
        tables=tables,
        figures={k: out_dir / "figures" / f"{k}.png" for k in figs},
        report_html=out_dir / "report.html",
        report_md=out_dir / "report.md",
        key_comparison=key,
        mixed_models=models,
        notes=notes,
    )


def _arm_summary(data, arm_order, arm_rates, tc_end, auc_arm, surv, mre_arm, tp) -> pd.DataFrame:
    rows = []
    base = tp.drop_duplicates("mouse").groupby(["cell_line", "arm"])["baseline_volume_mm3"]
    bmean, bsd = base.mean(), base.std()
    for cl, arms in arm_order.items():
        for arm in arms:
            k = (cl, arm)

            def pick(df, col, k=k):
                if df is None or df.empty:
                    return np.nan
                m = df[(df["cell_line"] == k[0]) & (df["arm"] == k[1])]
                return m[col].iloc[0] if len(m) else np.nan

            rows.append(
                {
                    "cell_line": cl,
                    "arm": arm,
                    "group": data.label(cl, arm),
                    "n_mice": int(pick(surv, "n_mice")),
                    "n_endpoint": int(pick(surv, "n_endpoint")),
                    "baseline_volume_mean_mm3": bmean.get(k, np.nan),
                    "baseline_volume_sd_mm3": bsd.get(k, np.nan),
                    "rate_per_day": pick(arm_rates, "rate_per_day"),
                    "rate_ci_low": pick(arm_rates, "rate_ci_low"),
                    "rate_ci_high": pick(arm_rates, "rate_ci_high"),
                    "doubling_time_days": pick(arm_rates, "doubling_time_days"),
                    "doubling_time_ci_low": pick(arm_rates, "doubling_time_ci_low"),
                    "doubling_time_ci_high": pick(arm_rates, "doubling_time_ci_high"),
                    "tc_day": pick(tc_end, "day"),
                    "tc": pick(tc_end, "tc"),
                    "tgi_pct": pick(tc_end, "tgi_pct"),
                    "auc_mean": pick(auc_arm, "auc_mean"),
                    "auc_ci_low": pick(auc_arm, "auc_ci_low"),
                    "auc_ci_high": pick(auc_arm, "auc_ci_high"),
                    "median_days_to_endpoint": pick(surv, "median_days"),
                    "median_reached": bool(pick(surv, "median_reached")),
                    **{c: int(pick(mre_arm, c)) for c in ("mCR", "mPR", "mSD", "mPD", "NE")},
                }
            )
    return pd.DataFrame(rows)


def _key_comparison(data, key, arm_order, control_arm, arm_rates, contrasts, rate_tests, tc_end,
                    curves, lr, syn_end, combination, inter=None) -> dict | None:
    if key is None:
        return None
    cl, a, b = key
    if cl not in arm_order or a not in arm_order[cl] or b not in arm_order[cl]:
        return None

    def rate(arm, line=cl):
        r = arm_rates[(arm_rates["cell_line"] == line) & (arm_rates["arm"] == arm)]
        return r.iloc[0].to_dict() if len(r) else None

    def tc(arm, line=cl):
        r = tc_end[(tc_end["cell_line"] == line) & (tc_end["arm"] == arm)]
        return r.iloc[0].to_dict() if len(r) else None

    out = {
        "cell_line": cl,
        "arm_a": a,
        "arm_b": b,
        "control_arm": control_arm,
        "rate_a": rate(a),
        "rate_b": rate(b),
        "rate_control": rate(control_arm),
        "contrast": _find_pair(contrasts, cl, a, b),
        "welch": _find_pair(rate_tests, cl, a, b),
        "tc_a": tc(a),
        "tc_b": tc(b),
        "logrank": _find_pair(lr, cl, a, b) if len(lr) else None,
    }
    # T/C of arm b relative to arm a, at the last day both keep ≥ half of their mice
    ca = curves[(curves["cell_line"] == cl) & (curves["arm"] == a)]
    cb = curves[(curves["cell_line"] == cl) & (curves["arm"] == b)]
    mm = ca.merge(cb, on="day", suffixes=("_a", "_b"))
    mm = mm[(mm["fraction_present_a"] >= 0.5) & (mm["fraction_present_b"] >= 0.5)
            & (mm["day"] > 0)]
    out["b_over_a"] = (
        {"day": float(mm["day"].iloc[-1]),
         "ratio": float(mm["mean_volume_mm3_b"].iloc[-1] / mm["mean_volume_mm3_a"].iloc[-1])}
        if len(mm) else None
    )
    # synergy if b is the combination arm
    out["synergy"] = {}
    if combination is not None and len(syn_end):
        for metric in ("bliss", "hsa"):
            r = syn_end[(syn_end["cell_line"] == cl) & (syn_end["metric"] == metric)]
            if len(r):
                out["synergy"][metric] = r.iloc[0].to_dict()
    # the single-agent (arm a) effect against control in every cell line: resistance in context
    ctx = []
    for line, arms in arm_order.items():
        if a in arms and a != control_arm:
            c = _find_pair(contrasts, line, control_arm, a)
            if c is not None:
                ctx.append(c)
    ctx.sort(key=lambda x: x["cell_line"] != cl)
    out["arm_a_vs_control"] = ctx
    out["interaction"] = _key_interaction(inter, cl, a)
    out["figure_lines"] = [cl] + [x["cell_line"] for x in ctx if x["cell_line"] != cl]
    out["figure_arms"] = [x for x in (control_arm, a, *(combination or ()), b)
                          if x in arm_order[cl]]
    out["figure_arms"] = list(dict.fromkeys(out["figure_arms"]))
    out["sentences"] = _key_sentences(out)
    return out


def _dt_words(r: dict) -> str:
    if r["rate_per_day"] > 0:
        return f"doubling time {fmt_num(r['doubling_time_days'], 1)} d"
    return "no net growth"


def _key_sentences(k: dict) -> list[str]:
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
                f"p {_fmt_syn_p(r)}): {_synergy_word(r['ci_low'], r['ci_high'], r['flag'])}."
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


# --------------------------------------------------------------------------- report


def _rate_ci(r) -> str:
    return fmt_ci(r["rate_per_day"], r["rate_ci_low"], r["rate_ci_high"], 4)


def _dt_ci(r) -> str:
    if not r["rate_per_day"] > 0:
        return "no net growth"
    return fmt_ci(r["doubling_time_days"], r["doubling_time_ci_low"], r["doubling_time_ci_high"], 1)


def _build_report(data, arm_order, control_arm, combination, p_adjust, n_boot, seed, notes,
                  summary, tc_day, tc_end, arm_rates, mm_slopes, mm_contrasts, models,
                  rate_tests, auc_arm, mre_arm, surv, lr, syn, syn_end, mech, key, figs,
                  tp) -> Document:
    doc = Document(f"Xenograft arm comparison: {data.name}")
    src = "xenosim results directory" if data.kind == "xenosim" else "caliper table"
    doc.para(
        f"Source: {src} '{data.source}'. Analysed with xenosim {__version__}. "
        f"Control arm: '{control_arm}'. Comparisons are made within each cell line."
    )

    def label(cl, arm):
        return data.label(cl, arm)

    def fig(name):
        if name in figs:
            png, cap = figs[name]
            doc.figure(png, f"figures/{name}.png", cap)

    # key comparison
    if key is not None:
        doc.raw_html('<div class="key">')
        doc.heading(
            f"Key comparison: {key['arm_b']} vs {key['arm_a']} in {key['cell_line']}", 2, "key"
        )
        doc.bullets(key["sentences"])
        rows = []
        for arm_key, arm in (("rate_control", key["control_arm"]), ("rate_a", key["arm_a"]),
                             ("rate_b", key["arm_b"])):
            r = key[arm_key]
            if r:
                t = key["tc_a"] if arm == key["arm_a"] else key["tc_b"] if arm == key["arm_b"] \
                    else None
                rows.append({
                    "arm": arm, "mice": r["n_mice"], "growth rate /day [95% CI]": _rate_ci(r),
                    "doubling time, days [95% CI]": _dt_ci(r),
                    "T/C at study end": f"{fmt_num(t['tc'], 2)} (day {t['day']:g})" if t else "–",
                    "%TGI": fmt_num(t["tgi_pct"], 0) if t else "–",
                })
        doc.table(pd.DataFrame(rows), f"{key['cell_line']}: growth per arm")
        c, w, lrr = key["contrast"], key["welch"], key["logrank"]
        rows = []
        if c:
            rows.append({"statistic": f"growth-rate difference {key['arm_b']} − {key['arm_a']} "
                                      "(mixed model)",
                         "estimate [95% CI]": fmt_ci(c["difference_per_day"], c["ci_low"],
                                                     c["ci_high"], 4),
                         "p": f"{fmt_p(c['p_value'])} ({c['p_adjust_method']}-adjusted "
                              f"{fmt_p(c['p_adjusted'])})"})
        ia = key.get("interaction")
        if ia:
            rows.append({"statistic": f"cell line × {key['arm_a']} interaction: effect in "
                                      f"{key['cell_line']} − effect in {ia['other_line']}, /day",
                         "estimate [95% CI]": fmt_ci(ia["interaction_per_day"], ia["ci_low"],
                                                     ia["ci_high"], 4),
                         "p": f"{fmt_p(ia['p_value'])} ({ia['p_adjust_method']}-adjusted "
                              f"{fmt_p(ia['p_adjusted'])})"})
        if w:
            rows.append({"statistic": "same, Welch t-test on per-mouse rates",
                         "estimate [95% CI]": fmt_ci(w["difference"], w["ci_low"], w["ci_high"],
                                                     4),
                         "p": fmt_p(w["p_value"])})
        if key["b_over_a"]:
            rows.append({"statistic": f"mean volume {key['arm_b']} / {key['arm_a']} "
                                      f"(day {key['b_over_a']['day']:g})",
                         "estimate [95% CI]": fmt_num(key["b_over_a"]["ratio"], 2),
                         "p": "–"})
        if lrr:
            rows.append({"statistic": "time to endpoint, log-rank",
                         "estimate [95% CI]": f"events {lrr['events_a']} vs {lrr['events_b']}",
                         "p": f"{fmt_p(lrr['p_value'])} ({lrr['p_adjust_method']}-adjusted "
                              f"{fmt_p(lrr['p_adjusted'])})"})
        for metric, name in (("bliss", "Bliss excess"), ("hsa", "HSA excess")):
            r = key["synergy"].get(metric)
            if r:
                rows.append({"statistic": f"{name}, /day (day {r['day']:g})"
                                          + (" — flagged" if r["flag"] else ""),
                             "estimate [95% CI]": fmt_ci(r["excess"], r["ci_low"], r["ci_high"],
                                                         4),
                             "p": f"{_fmt_syn_p(r)} (Welch t)"})
        doc.table(pd.DataFrame(rows), "Key statistics")
        fig("key_comparison")
        doc.raw_html("</div>")

    # design
    doc.heading("Study design")
    days = sorted(tp["day"].unique())
    doc.bullets([
        f"Cell lines: {', '.join(arm_order)}." if not data.single_line else
        "One cell line / tumour model.",
        f"Arms: {', '.join(dict.fromkeys(a for arms in arm_order.values() for a in arms))}.",
        f"Mice: {data.mice.shape[0]}; treatment-phase measurement days: "
        f"{', '.join(f'{d:g}' for d in days[:30])}{' …' if len(days) > 30 else ''}.",
        f"Humane endpoint: {data.endpoint_volume_mm3:g} mm³ (mice are removed at their first "
        "measurement at or above it).",
        "Day 0 = randomisation / first treatment day; earlier (take-phase) measurements are shown "
        "in the spaghetti plot but not used in the statistics.",
    ])
    design = []
    for cl, arms in arm_order.items():
        for arm in arms:
            g = tp[(tp["cell_line"] == cl) & (tp["arm"] == arm)]
            s = surv[(surv["cell_line"] == cl) & (surv["arm"] == arm)].iloc[0]
            b = g.drop_duplicates("mouse")["baseline_volume_mm3"]
            design.append({
                "group": label(cl, arm), "mice": int(s["n_mice"]),
                "baseline volume, mm³ (mean ± SD)": f"{b.mean():.0f} ± {b.std():.0f}",
                "measurements": len(g),
                "days": f"{g['day'].min():g}–{g['day'].max():g}",
                "reached endpoint": int(s["n_endpoint"]), "censored": int(s["n_censored"]),
            })
    doc.table(pd.DataFrame(design), "Groups")

    # methods
    doc.heading("Methods (what each number means)")
    doc.bullets([
        "T/C = mean V_T(t) / mean V_C(t) (treated over control mean volume, same day); "
        "T/C(RTV) uses relative volumes V/V₀.",
        "%TGI = (1 − ΔT/ΔC) × 100 with ΔX = mean V_X(t) − mean baseline volume of arm X. "
        "'Study end' for T/C and %TGI is the last day both arms still have ≥ 50 % of their mice.",
        "Specific growth rate: slope of ln(volume) vs day fitted to each mouse's treatment-phase "
        "measurements (per day; volumes below 1 mm³ set to 1 mm³); arm value = mean over mice "
        "with a t-based 95 % CI. Doubling time = ln 2 / rate (CI from the rate's CI; ∞ when the "
        "CI includes no growth).",
        "AUC: area under each mouse's relative-volume curve (trapezoid) up to the last day all "
        "mice of the cell line are still measured; Mann–Whitney test against control.",
        "mRECIST (Gao et al., Nat Med 2015): ΔVol_t = 100·(V_t/V₀ − 1); BestResponse = min ΔVol "
        "for t ≥ 10 d; BestAvgResponse = min over t ≥ 10 d of the mean ΔVol from day 0 to t. "
        "mCR: BR < −95 % and BAR < −40 %; mPR: BR < −50 % and BAR < −20 %; mSD: BR < 35 % and "
        "BAR < 30 %; otherwise mPD. Endpoint before day 10 = mPD; censored before = NE.",
        f"Time to endpoint: Kaplan–Meier; mice that finished the study or left it below "
        f"{data.endpoint_volume_mm3:g} mm³ are censored. Log-rank tests for each pair of arms, "
        f"{p_adjust}-adjusted within a cell line.",
        f"Linear mixed model of log volume (statsmodels MixedLM, REML), per cell line: {MODEL_TEXT}. "
        "Growth-rate contrasts between arms are differences of arm slopes (arm × day "
        f"interaction), Wald t-tests on (mice − arms) df, {p_adjust}-adjusted over all pairs in "
        "a cell line. Dropout at the endpoint is handled by the likelihood (missing at random "
        "given earlier volumes).",
    ])
    if combination is not None:
        a, b, ab = combination
        metrics = list(dict.fromkeys(syn["metric"])) if len(syn) else []
        doc.bullets([
            f"Synergy ({ab} = A+B vs {a} = A and {b} = B): r_X is the mean over mice of the "
            "growth rate (slope of ln V) fitted from day 0 to day t, from the third caliper "
            "reading on; RTV_X(t) = exp(r_X·t). Bliss independence on relative tumour volume "
            "(Demidenko & Miller, PLoS One 2019;14:e0224137; the definition of SynergyLMM, "
            "Romero-Becerra et al. Nat Commun 2025, and invivoSyn, Mao et al.) multiplies the "
            "fractions of control RTV, so it is additive in log-volume growth rates: "
            "r_AB − r_C = (r_A − r_C) + (r_B − r_C).",
            *[f"{METRIC_LABEL[m]}: {METRIC_FORMULA[m]}." for m in metrics],
            "Bliss / HSA / response additivity: 95 % CI and two-sided p from a Welch–Satterthwaite "
            "t test of the contrast of arm mean rates (response additivity linearised by the "
            "delta method); its false-positive rate at 4–8 mice per arm is 3.8–5.1 % at nominal "
            "5 % in simulation (tests/test_analysis_calibration.py). Unadjusted for the days "
            "shown. Flagged where a single agent inhibits growth by ≥ 100 %.",
            *(["Bliss (growth-rate inhibition): percentile bootstrap, "
               f"{n_boot} resamples of mice within each arm (numpy Generator, seed {seed}); its "
               f"p cannot fall below 2/(n_boot + 1) = {2 / (n_boot + 1):.2g} and is printed as a "
               "bound there; withheld where a single agent inhibits ≥ 100 % (undefined). Not "
               "calibrated at small n: its false-positive rate at nominal 5 % was 12 % at 4 mice "
               "per arm and 8 % at 8 in simulation."]
              if "bliss_rate" in metrics else []),
        ])

    # per arm table
    doc.heading("Per-arm results")
    t = []
    for r in summary.to_dict("records"):
        t.append({
            "group": r["group"], "mice": r["n_mice"],
            "growth rate /day [95% CI]": _rate_ci(r), "doubling time, d [95% CI]": _dt_ci(r),
            "T/C (day)": f"{fmt_num(r['tc'], 2)} ({r['tc_day']:g})" if np.isfinite(r["tc"])
            else "–",
            "%TGI": fmt_num(r["tgi_pct"], 0),
            "AUC RTV [95% CI]": fmt_ci(r["auc_mean"], r["auc_ci_low"], r["auc_ci_high"], 1),
            "median days to endpoint": fmt_num(r["median_days_to_endpoint"], 1)
            if r["median_reached"] else "not reached",
            "mCR/mPR/mSD/mPD/NE": "/".join(str(r[c]) for c in ("mCR", "mPR", "mSD", "mPD", "NE")),
        })
    doc.table(pd.DataFrame(t), "Summary per arm (growth rate = mean of per-mouse fits)")
    fig("growth_curves")
    fig("growth_curves_relative")
    fig("spaghetti")

    # T/C
    doc.heading("T/C and tumour growth inhibition")
    t = [{"group": label(r["cell_line"], r["arm"]), "day": f"{r['day']:g}",
          "n treated / control": f"{r['n_t']} / {r['n_c']}", "T/C": fmt_num(r["tc"], 3),
          "T/C (RTV)": fmt_num(r["tc_rtv"], 3), "%TGI": fmt_num(r["tgi_pct"], 1)}
         for r in tc_end.to_dict("records")]
    doc.table(pd.DataFrame(t), f"At study end, against {control_arm}")
    t = [{"group": label(r["cell_line"], r["arm"]), "day": f"{r['day']:g}",
          "n T / C": f"{r['n_t']} / {r['n_c']}", "T/C": fmt_num(r["tc"], 3),
          "T/C (RTV)": fmt_num(r["tc_rtv"], 3), "%TGI": fmt_num(r["tgi_pct"], 1),
          "≥ 50 % of mice": "yes" if r["reliable"] else "no"}
         for r in tc_day.to_dict("records")]
    doc.table(pd.DataFrame(t), "T/C and %TGI on every measurement day",
              collapsed=True)

    # growth rates and mixed model
    doc.heading("Growth rates: linear mixed model and pairwise contrasts")
    for cl, m in models.items():
        doc.para(
            f"{cl}: {m.n_obs} measurements of {m.n_mice} mice; random effects: "
            f"{m.random_effects}; residual SD {fmt_num(m.variance.get('residual_sd'), 3)} "
            f"(ln units)"
            + (f", between-mouse SD of growth rate "
               f"{fmt_num(m.variance['slope_sd_per_day'], 4)} /day"
               if "slope_sd_per_day" in m.variance else "")
            + "."
        )
    t = [{"group": label(r["cell_line"], r["arm"]), "mice": r["n_mice"],
          "growth rate /day [95% CI]": fmt_ci(r["rate_per_day"], r["ci_low"], r["ci_high"], 4)}
         for r in mm_slopes.to_dict("records")]
    doc.table(pd.DataFrame(t), "Growth rate per arm (mixed model)")
    t = [{"cell line": r["cell_line"], "contrast": f"{r['arm_b']} − {r['arm_a']}",
          "difference /day [95% CI]": fmt_ci(r["difference_per_day"], r["ci_low"], r["ci_high"],
                                             4),
          "t (df)": f"{fmt_num(r['t'], 2)} ({r['df']})", "p": fmt_p(r["p_value"]),
          f"p ({p_adjust})": fmt_p(r["p_adjusted"])}
         for r in mm_contrasts.to_dict("records")]
    doc.table(pd.DataFrame(t), "Pairwise growth-rate contrasts (arm × day interaction)")
    fig("forest_growth_rate")
    if len(rate_tests):
        t = [{"cell line": r["cell_line"], "contrast": f"{r['arm_b']} − {r['arm_a']}",
              "difference /day [95% CI]": fmt_ci(r["difference"], r["ci_low"], r["ci_high"], 4),
              "p (unadjusted)": fmt_p(r["p_value"])} for r in rate_tests.to_dict("records")]
        doc.table(pd.DataFrame(t), "Cross-check: Welch t-tests on per-mouse growth rates",
                  collapsed=True)

    # AUC and mRECIST
    doc.heading("Area under the relative-volume curve")
    t = [{"group": label(r["cell_line"], r["arm"]), "mice": r["n_mice"],
          "up to day": f"{r['common_day']:g}",
          "AUC [95% CI]": fmt_ci(r["auc_mean"], r["auc_ci_low"], r["auc_ci_high"], 1),
          "p vs control (Mann–Whitney)": fmt_p(r["p_vs_control_mannwhitney"])}
         for r in auc_arm.to_dict("records")]
    doc.table(pd.DataFrame(t), "AUC of relative tumour volume (RTV·days)")
    doc.heading("Best response (mRECIST)")
    t = [{"group": label(r["cell_line"], r["arm"]),
          **{c: r[c] for c in ("mCR", "mPR", "mSD", "mPD", "NE")},
          "median BestResponse, %": fmt_num(r["median_best_response_pct"], 0)}
         for r in mre_arm.to_dict("records")]
    doc.table(pd.DataFrame(t), "Mice per mRECIST class")
    fig("waterfall")

    # survival
    doc.heading("Time to endpoint")
    t = [{"group": label(r["cell_line"], r["arm"]), "mice": r["n_mice"],
          "reached endpoint": r["n_endpoint"], "censored": r["n_censored"],
          "median days [95% CI]": fmt_ci(r["median_days"], r["median_ci_low"],
                                         r["median_ci_high"], 1)
          if r["median_reached"] else f"not reached (> {r['max_followup_days']:g})"}
         for r in surv.to_dict("records")]
    doc.table(pd.DataFrame(t), "Kaplan–Meier summary")
    if len(lr):
        t = [{"cell line": r["cell_line"], "arms": f"{r['arm_a']} vs {r['arm_b']}",
              "events": f"{r['events_a']} vs {r['events_b']}", "χ²": fmt_num(r["chi2"], 2),
              "p": fmt_p(r["p_value"]), f"p ({p_adjust})": fmt_p(r["p_adjusted"])}
             for r in lr.to_dict("records")]
        doc.table(pd.DataFrame(t), "Log-rank tests")
    fig("kaplan_meier")

    # synergy
    if len(syn):
        doc.heading("Combination synergy")
        t = [{"cell line": r["cell_line"], "model": METRIC_LABEL[r["metric"]],
              "day": f"{r['day']:g}", "r_C": fmt_num(r["rate_control"], 4),
              "r_A": fmt_num(r["rate_a"], 4), "r_B": fmt_num(r["rate_b"], 4),
              "r_A+B": fmt_num(r["rate_ab"], 4),
              "expected": fmt_num(r["expected"], 4), "observed": fmt_num(r["observed"], 4),
              "excess [95% CI]": fmt_ci(r["excess"], r["ci_low"], r["ci_high"], 4),
              "p": _fmt_syn_p(r),
              "reading": _synergy_word(r["ci_low"], r["ci_high"], r["flag"])}
             for r in syn_end.to_dict("records")]
        a, b, ab = combination
        doc.table(pd.DataFrame(t), f"At study end: {ab} against {a} (A) and {b} (B); rates in "
                  "ln V /day; Bliss / HSA expected and observed = growth-rate reduction vs control "
                  "(/day); response additivity = RTV as a fraction of control RTV")
        t = [{"cell line": r["cell_line"], "model": METRIC_LABEL[r["metric"]],
              "day": f"{r['day']:g}",
              "excess [95% CI]": fmt_ci(r["excess"], r["ci_low"], r["ci_high"], 4),
              "p": _fmt_syn_p(r), "flag": r["flag"] or ""} for r in syn.to_dict("records")]
        doc.table(pd.DataFrame(t), "Synergy on every measurement day",
                  collapsed=True)
        fig("synergy")

    # mechanism
    if mech is not None:
        doc.heading("Mechanism (simulation only)")
        last = mech[mech["day"] >= 0].sort_values("day").groupby(["cell_line", "arm"]).tail(1)
        t = [{"group": label(r["cell_line"], r["arm"]), "day": f"{r['day']:g}",
              "high mTORC1": fmt_num(r["frac_mtorc1_high"], 2),
              "high ER": fmt_num(r["frac_er_high"], 2),
              "ER activity": fmt_num(r["mean_er_activity"], 3),
              "E2 share": fmt_num(r["er_share_e2"], 3),
              "tamoxifen share": fmt_num(r["er_share_tamoxifen"], 3),
              "Ser167 share": fmt_num(r["er_share_ser167"], 3)} for r in last.to_dict("records")]
        doc.table(pd.DataFrame(t), "Cell state at the last measurement (means over mice)")
        fig("mechanism_fractions")
        fig("mechanism_er_shares")

    doc.heading("Notes")
    doc.bullets(notes or ["No data problems or model fallbacks."])
    doc.para("Tables behind every number are in tables/*.csv; figures in figures/*.png.")
    return doc


# --------------------------------------------------------------------------- compare runs


def _run_label(d: CaliperData) -> str:
    return d.name if d.name == d.source or not d.source else f"{d.name} ({d.source})"


def compare_runs(
    run_a: CaliperData | str | Path,
    run_b: CaliperData | str | Path,
    out_dir: str | Path,
    *,
    p_adjust: str = "holm",
) -> pd.DataFrame:
    """Two runs side by side (e.g. an ablation): per (cell line, arm) growth rate in A and B,
    difference B − A with 95 % CI (Welch on per-mouse rates; paired when the same mouse ids
    appear in both), overlay figure and a small HTML / Markdown report, written atomically.
    Returns the comparison table."""
    da, db = _as_data(run_a), _as_data(run_b)
    la, lb = _run_label(da), _run_label(db)
    if la == lb:
        la, lb = f"A: {la}", f"B: {lb}"
    tpa, tpb = S.treatment_phase(da.measurements), S.treatment_phase(db.measurements)
    ma, mb = S.mouse_growth_rates(tpa), S.mouse_growth_rates(tpb)
    ra, rb = S.arm_growth_rates(ma), S.arm_growth_rates(mb)
    common = ra.merge(rb, on=["cell_line", "arm"], suffixes=("_a", "_b"))
    if common.empty:
        raise AnalysisInputError(
            "the two runs share no (cell line, arm) group; A has "
            + ", ".join(sorted(set(ra["cell_line"] + " · " + ra["arm"])))
            + "; B has " + ", ".join(sorted(set(rb["cell_line"] + " · " + rb["arm"])))
        )
    rows = []
    for r in common.itertuples():
        xa = ma[(ma["cell_line"] == r.cell_line) & (ma["arm"] == r.arm)].set_index("mouse")
        xb = mb[(mb["cell_line"] == r.cell_line) & (mb["arm"] == r.arm)].set_index("mouse")
        w = S.welch(xa["rate_per_day"].to_numpy(), xb["rate_per_day"].to_numpy())
        row = {
            "cell_line": r.cell_line, "arm": r.arm,
            "n_a": r.n_mice_a, "rate_a": r.rate_per_day_a, "rate_a_ci_low": r.rate_ci_low_a,
            "rate_a_ci_high": r.rate_ci_high_a,
            "n_b": r.n_mice_b, "rate_b": r.rate_per_day_b, "rate_b_ci_low": r.rate_ci_low_b,
            "rate_b_ci_high": r.rate_ci_high_b,
            "difference": w["difference"], "ci_low": w["ci_low"], "ci_high": w["ci_high"],
            "p_value": w["p_value"], "test": "Welch",
        }
        shared = xa.index.intersection(xb.index)
        if len(shared) >= 2 and len(shared) == len(xa) == len(xb):
            dd = (xb.loc[shared, "rate_per_day"] - xa.loc[shared, "rate_per_day"]).dropna()
            n = len(dd)
            se = dd.std(ddof=1) / np.sqrt(n)
            lo, hi = S.t_ci(dd.mean(), se, n - 1)
            row.update(difference=dd.mean(), ci_low=lo, ci_high=hi, test="paired t (same mice)",
                       p_value=float(2 * stats.t.sf(abs(dd.mean() / se), n - 1)) if se > 0
                       else np.nan)
        rows.append(row)
    table = pd.DataFrame(rows)
    table["p_adjusted"] = adjust_pvalues(table["p_value"], p_adjust)
    table["p_adjust_method"] = p_adjust

    arm_order = {}
    for cl in dict.fromkeys(table["cell_line"]):
        arm_order[cl] = [a for a in da.arms(cl) if a in set(table.loc[table["cell_line"] == cl,
                                                                      "arm"])]
    F.assign_arm_colours([a for arms in arm_order.values() for a in arms])
    f1 = _png(F.compare_overlay(S.group_curves(tpa), S.group_curves(tpb), la, lb, arm_order))
    f2 = _png(F.compare_rates(table, la, lb))
    doc = Document(f"Run comparison: {la} vs {lb}")
    doc.para(f"A = {la}; B = {lb}. Analysed with xenosim {__version__}.")
    doc.para(
        "Growth rate = mean over mice of the slope of ln(volume) against day (treatment phase). "
        "Difference = B − A with 95 % CI: paired t-test when both runs contain the same mice "
        "(same seeds), otherwise Welch's t-test; p-values "
        f"{p_adjust}-adjusted over all groups."
    )
    t = [{"group": f"{r['cell_line']} · {r['arm']}", "mice A/B": f"{r['n_a']}/{r['n_b']}",
          "rate A /day [95% CI]": fmt_ci(r["rate_a"], r["rate_a_ci_low"], r["rate_a_ci_high"], 4),
          "rate B /day [95% CI]": fmt_ci(r["rate_b"], r["rate_b_ci_low"], r["rate_b_ci_high"], 4),
          "B − A [95% CI]": fmt_ci(r["difference"], r["ci_low"], r["ci_high"], 4),
          "test": r["test"], "p": fmt_p(r["p_value"]), f"p ({p_adjust})": fmt_p(r["p_adjusted"])}
         for r in table.to_dict("records")]
    doc.table(pd.DataFrame(t), "Growth rate per group, run A vs run B")
    doc.figure(f1, "figures/overlay.png", "Mean relative tumour volume ± SEM: A solid, B dashed.")
    doc.figure(f2, "figures/rates.png", "Growth rate per group in A (filled) and B (open), 95 % "
               "CI.")
    only = sorted(
        set(ra["cell_line"] + " · " + ra["arm"]) ^ set(rb["cell_line"] + " · " + rb["arm"])
    )
    if only:
        doc.para("Groups present in only one run (not compared): " + ", ".join(only), "note")
    files = {
        "tables/compare_growth_rates.csv": _csv(table),
        "figures/overlay.png": f1,
        "figures/rates.png": f2,
        "report.html": doc.to_html().encode(),
        "report.md": doc.to_markdown().encode(),
    }
    write_files_atomically(Path(out_dir), files, kind="compare")
    return table
