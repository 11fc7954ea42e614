"""The report step of ``analyze``: the numbers of every report table formatted as text, handed to
the template ``templates/analysis/report.j2`` (which holds the words and the layout) and rendered
twice — self-contained HTML and Markdown."""

from __future__ import annotations

import re

import numpy as np

from xenosim import __version__
from xenosim.analysis.compute import Computed
from xenosim.analysis.keycomp import fmt_syn_p, synergy_word
from xenosim.analysis.mechanism import IHC_LABELS
from xenosim.analysis.mixed import MODEL_TEXT
from xenosim.analysis.order import arm_labels
from xenosim.analysis.report import fmt_ci, fmt_num, fmt_p
from xenosim.analysis.synergy import METRIC_FORMULA, METRIC_LABEL
from xenosim.core.style import CELL_LINE_TITLES
from xenosim.core.templates import render

MRECIST = ("mCR", "mPR", "mSD", "mPD", "NE")


def tab(records: list[dict]) -> dict:
    """Records (column → formatted text) as the template's table: columns and rows."""
    if not records:
        return {"columns": [], "rows": []}
    cols = list(records[0])
    return {"columns": cols, "rows": [[r[c] for c in cols] for r in records]}


def rate_ci(r) -> str:
    return fmt_ci(r["rate_per_day"], r["rate_ci_low"], r["rate_ci_high"], 4)


def dt_ci(r) -> str:
    if not r["rate_per_day"] > 0:
        return "no net growth"
    return fmt_ci(r["doubling_time_days"], r["doubling_time_ci_low"], r["doubling_time_ci_high"], 1)


class Labels:
    """Group labels of the report tables, the figures' label set: the config's arm labels and
    the cell-line titles, with the cell line only when there are several."""

    def __init__(self, c: Computed):
        self.arm = arm_labels(c.data)
        self.single = c.data.single_line

    def __call__(self, cl: str, arm: str) -> str:
        a = self.arm.get(arm, arm)
        return a if self.single else f"{CELL_LINE_TITLES.get(cl, cl)} · {a}"


def key_tables(k: dict) -> dict:
    """The key box's two tables: growth per arm and the key statistics."""
    rows = []
    for arm_key, arm in (("rate_control", k["control_arm"]), ("rate_a", k["arm_a"]),
                         ("rate_b", k["arm_b"])):
        r = k[arm_key]
        if not r:
            continue
        t = k["tc_a"] if arm == k["arm_a"] else k["tc_b"] if arm == k["arm_b"] else None
        rows.append({"arm": arm, "mice": r["n_mice"], "growth rate /day [95% CI]": rate_ci(r),
                     "doubling time, days [95% CI]": dt_ci(r),
                     "T/C at study end": f"{fmt_num(t['tc'], 2)} (day {t['day']:g})" if t
                     else "–",
                     "%TGI": fmt_num(t["tgi_pct"], 0) if t else "–"})
    return {"arms": tab(rows), "stats": tab(_key_stat_rows(k))}


def _adj(r: dict) -> str:
    return f"{fmt_p(r['p_value'])} ({r['p_adjust_method']}-adjusted {fmt_p(r['p_adjusted'])})"


def _key_stat_rows(k: dict) -> list[dict]:
    c, w, lrr, ia = k["contrast"], k["welch"], k["logrank"], k.get("interaction")
    a, b = k["arm_a"], k["arm_b"]
    rows = []

    def add(stat, est, p):
        rows.append({"statistic": stat, "estimate [95% CI]": est, "p": p})

    if c:
        add(f"growth-rate difference {b} − {a} (mixed model)",
            fmt_ci(c["difference_per_day"], c["ci_low"], c["ci_high"], 4), _adj(c))
    if ia:
        add(f"cell line × {a} interaction: effect in {k['cell_line']} − effect in "
            f"{ia['other_line']}, /day",
            fmt_ci(ia["interaction_per_day"], ia["ci_low"], ia["ci_high"], 4), _adj(ia))
    if w:
        add("same, Welch t-test on per-mouse rates",
            fmt_ci(w["difference"], w["ci_low"], w["ci_high"], 4), fmt_p(w["p_value"]))
    if k["b_over_a"]:
        add(f"mean volume {b} / {a} (day {k['b_over_a']['day']:g})",
            fmt_num(k["b_over_a"]["ratio"], 2), "–")
    if lrr:
        add("time to endpoint, log-rank", f"events {lrr['events_a']} vs {lrr['events_b']}",
            _adj(lrr))
    for metric, name in (("bliss", "Bliss excess"), ("hsa", "HSA excess")):
        r = k["synergy"].get(metric)
        if r:
            add(f"{name}, /day (day {r['day']:g})" + (" — flagged" if r["flag"] else ""),
                fmt_ci(r["excess"], r["ci_low"], r["ci_high"], 4), f"{fmt_syn_p(r)} (Welch t)")
    return rows


def design_table(c: Computed, label: Labels) -> dict:
    rows = []
    for cl, arms in c.arm_order.items():
        for arm in arms:
            g = c.tp[(c.tp["cell_line"] == cl) & (c.tp["arm"] == arm)]
            s = c.surv[(c.surv["cell_line"] == cl) & (c.surv["arm"] == arm)].iloc[0]
            b = g.drop_duplicates("mouse")["baseline_volume_mm3"]
            rows.append({
                "group": label(cl, arm), "mice": int(s["n_mice"]),
                "baseline volume, mm³ (mean ± SD)": f"{b.mean():.0f} ± {b.std():.0f}",
                "measurements": len(g), "days": f"{g['day'].min():g}–{g['day'].max():g}",
                "reached endpoint": int(s["n_endpoint"]), "censored": int(s["n_censored"]),
            })
    return tab(rows)


def per_arm_table(c: Computed, label: Labels) -> dict:
    rows = []
    for r in c.summary.to_dict("records"):
        rows.append({
            "group": label(r["cell_line"], r["arm"]), "mice": r["n_mice"],
            "growth rate /day [95% CI]": rate_ci(r), "doubling time, d [95% CI]": dt_ci(r),
            "T/C (day)": f"{fmt_num(r['tc'], 2)} ({r['tc_day']:g})" if np.isfinite(r["tc"])
            else "–",
            "%TGI": fmt_num(r["tgi_pct"], 0),
            "AUC RTV [95% CI]": fmt_ci(r["auc_mean"], r["auc_ci_low"], r["auc_ci_high"], 1),
            "median days to endpoint": fmt_num(r["median_days_to_endpoint"], 1)
            if r["median_reached"] else "not reached",
            "mCR/mPR/mSD/mPD/NE": "/".join(str(r[m]) for m in MRECIST),
        })
    return tab(rows)


def tc_tables(c: Computed, label: Labels) -> dict:
    end = [{"group": label(r["cell_line"], r["arm"]), "day": f"{r['day']:g}",
            "n treated / control": f"{r['n_t']} / {r['n_c']}", "T/C": fmt_num(r["tc"], 3),
            "T/C (RTV)": fmt_num(r["tc_rtv"], 3), "%TGI": fmt_num(r["tgi_pct"], 1)}
           for r in c.tc_end.to_dict("records")]
    by_day = [{"group": label(r["cell_line"], r["arm"]), "day": f"{r['day']:g}",
               "n T / C": f"{r['n_t']} / {r['n_c']}", "T/C": fmt_num(r["tc"], 3),
               "T/C (RTV)": fmt_num(r["tc_rtv"], 3), "%TGI": fmt_num(r["tgi_pct"], 1),
               "≥ 50 % of mice": "yes" if r["reliable"] else "no"}
              for r in c.tc_day.to_dict("records")]
    return {"end": tab(end), "by_day": tab(by_day)}


def model_texts(c: Computed) -> list[str]:
    out = []
    for cl, m in c.models.items():
        sd = (f", between-mouse SD of growth rate {fmt_num(m.variance['slope_sd_per_day'], 4)}"
              " /day" if "slope_sd_per_day" in m.variance else "")
        out.append(f"{cl}: {m.n_obs} measurements of {m.n_mice} mice; random effects: "
                   f"{m.random_effects}; residual SD {fmt_num(m.variance.get('residual_sd'), 3)} "
                   f"(ln units){sd}.")
    return out


def mixed_tables(c: Computed, label: Labels) -> dict:
    slopes = [{"group": label(r["cell_line"], r["arm"]), "mice": r["n_mice"],
               "growth rate /day [95% CI]": fmt_ci(r["rate_per_day"], r["ci_low"], r["ci_high"],
                                                   4)}
              for r in c.mm_slopes.to_dict("records")]
    contrasts = [{"cell line": r["cell_line"], "contrast": f"{r['arm_b']} − {r['arm_a']}",
                  "difference /day [95% CI]": fmt_ci(r["difference_per_day"], r["ci_low"],
                                                     r["ci_high"], 4),
                  "t (df)": f"{fmt_num(r['t'], 2)} ({r['df']})", "p": fmt_p(r["p_value"]),
                  f"p ({c.p_adjust})": fmt_p(r["p_adjusted"])}
                 for r in c.mm_contrasts.to_dict("records")]
    welch = [{"cell line": r["cell_line"], "contrast": f"{r['arm_b']} − {r['arm_a']}",
              "difference /day [95% CI]": fmt_ci(r["difference"], r["ci_low"], r["ci_high"], 4),
              "p (unadjusted)": fmt_p(r["p_value"])}
             for r in (c.rate_tests.to_dict("records") if len(c.rate_tests) else [])]
    return {"slopes": tab(slopes), "contrasts": tab(contrasts), "welch": tab(welch)}


def influence_tables(c: Computed, label: Labels, top: int = 5) -> dict:
    """The most influential mice per cell line (Cook's distance) and how many pass 4 / n."""
    t = c.influence
    if t is None or t.empty:
        return {"top": tab([]), "n_flagged": 0, "threshold_text": ""}
    rows = [{"group": label(r["cell_line"], r["arm"]), "mouse": r["mouse"],
             "Cook's distance": fmt_num(r["cooks_distance"], 3),
             "arm growth rate change without it, /day": fmt_num(r["arm_rate_change_per_day"], 4),
             "random slope, /day": fmt_num(r["re_slope_per_day"], 4),
             "flag (D > 4/n)": "yes" if r["influential"] else ""}
            for r in t.groupby("cell_line", sort=False).head(top).to_dict("records")]
    return {"top": tab(rows), "n_flagged": int(t["influential"].sum()),
            "max_change": float(np.nanmax(np.abs(t["arm_rate_change_per_day"])))
            if t["arm_rate_change_per_day"].notna().any() else float("nan")}


def response_tables(c: Computed, label: Labels) -> dict:
    auc = [{"group": label(r["cell_line"], r["arm"]), "mice": r["n_mice"],
            "up to day": f"{r['common_day']:g}",
            "AUC [95% CI]": fmt_ci(r["auc_mean"], r["auc_ci_low"], r["auc_ci_high"], 1),
            "p vs control (Mann–Whitney)": fmt_p(r["p_vs_control_mannwhitney"])}
           for r in c.auc_arm.to_dict("records")]
    mre = [{"group": label(r["cell_line"], r["arm"]), **{m: r[m] for m in MRECIST},
            "median BestResponse, %": fmt_num(r["median_best_response_pct"], 0)}
           for r in c.mre_arm.to_dict("records")]
    return {"auc": tab(auc), "mrecist": tab(mre)}


def survival_tables(c: Computed, label: Labels) -> dict:
    km = [{"group": label(r["cell_line"], r["arm"]), "mice": r["n_mice"],
           "reached endpoint": r["n_endpoint"], "censored": r["n_censored"],
           "median days [95% CI]": fmt_ci(r["median_days"], r["median_ci_low"],
                                          r["median_ci_high"], 1)
           if r["median_reached"] else f"not reached (> {r['max_followup_days']:g})"}
          for r in c.surv.to_dict("records")]
    lr = [{"cell line": r["cell_line"], "arms": f"{r['arm_a']} vs {r['arm_b']}",
           "events": f"{r['events_a']} vs {r['events_b']}", "χ²": fmt_num(r["chi2"], 2),
           "p": fmt_p(r["p_value"]), f"p ({c.p_adjust})": fmt_p(r["p_adjusted"])}
          for r in (c.lr.to_dict("records") if len(c.lr) else [])]
    return {"km": tab(km), "logrank": tab(lr)}


def synergy_tables(c: Computed) -> dict:
    if not len(c.syn):
        return {}
    end = [{"cell line": r["cell_line"], "model": METRIC_LABEL[r["metric"]],
            "day": f"{r['day']:g}", "r_C": fmt_num(r["rate_control"], 4),
            "r_A": fmt_num(r["rate_a"], 4), "r_B": fmt_num(r["rate_b"], 4),
            "r_A+B": fmt_num(r["rate_ab"], 4),
            "expected": fmt_num(r["expected"], 4), "observed": fmt_num(r["observed"], 4),
            "excess [95% CI]": fmt_ci(r["excess"], r["ci_low"], r["ci_high"], 4),
            "p": fmt_syn_p(r), "reading": synergy_word(r["ci_low"], r["ci_high"], r["flag"])}
           for r in c.syn_end.to_dict("records")]
    by_day = [{"cell line": r["cell_line"], "model": METRIC_LABEL[r["metric"]],
               "day": f"{r['day']:g}",
               "excess [95% CI]": fmt_ci(r["excess"], r["ci_low"], r["ci_high"], 4),
               "p": fmt_syn_p(r), "flag": r["flag"] or ""} for r in c.syn.to_dict("records")]
    metrics = list(dict.fromkeys(c.syn["metric"]))
    return {"end": tab(end), "by_day": tab(by_day), "metrics": metrics,
            "formulas": [f"{METRIC_LABEL[m]}: {METRIC_FORMULA[m]}." for m in metrics]}


def mechanism_table(c: Computed, label: Labels) -> dict:
    if c.mech is None:
        return tab([])
    m = c.mech
    last = m[m["day"] >= 0].sort_values("day").groupby(["cell_line", "arm"]).tail(1)
    return tab([{"group": label(r["cell_line"], r["arm"]), "day": f"{r['day']:g}",
                 "high mTORC1": fmt_num(r["frac_mtorc1_high"], 2),
                 "high ER": fmt_num(r["frac_er_high"], 2),
                 "ER activity": fmt_num(r["mean_er_activity"], 3),
                 "E2 share": fmt_num(r["er_share_e2"], 3),
                 "tamoxifen share": fmt_num(r["er_share_tamoxifen"], 3),
                 "Ser167 share": fmt_num(r["er_share_ser167"], 3)}
                for r in last.to_dict("records")])


def ihc_table(c: Computed, label: Labels) -> dict:
    """Median [IQR] of each virtual IHC index per group at study end."""
    if c.ihc_arm is None:
        return tab([])
    cols = [k for k in IHC_LABELS if f"median_{k}" in c.ihc_arm.columns]
    return tab([{"group": label(r["cell_line"], r["arm"]), "mice": f"{r['n_mice']:d}",
                 **{IHC_LABELS[k]: f"{r[f'median_{k}']:.2f} [{r[f'q1_{k}']:.2f}, "
                                   f"{r[f'q3_{k}']:.2f}]" for k in cols}}
                for r in c.ihc_arm.to_dict("records")])


def report_context(c: Computed, figs: dict[str, bytes]) -> dict:
    """Everything ``analysis/report.j2`` shows (formatted numbers; the template has the words)."""
    label = Labels(c)
    days = sorted(c.tp["day"].unique())
    arms = list(dict.fromkeys(a for v in c.arm_order.values() for a in v))
    return {
        "c": c, "data": c.data, "version": __version__, "figs": figs, "key": c.key,
        "key_tables": key_tables(c.key) if c.key else None,
        "source_kind": "xenosim results directory" if c.data.kind == "xenosim"
        else "caliper table",
        "arms": [label.arm.get(a, a) for a in arms], "lines": c.lines,
        "n_mice": int(c.data.mice.shape[0]),
        "days_text": ", ".join(f"{d:g}" for d in days[:30]) + (" …" if len(days) > 30 else ""),
        "model_text": MODEL_TEXT, "model_texts": model_texts(c),
        "design": design_table(c, label), "per_arm": per_arm_table(c, label),
        "tc": tc_tables(c, label), "mixed": mixed_tables(c, label),
        "influence": influence_tables(c, label), "response": response_tables(c, label),
        "survival": survival_tables(c, label), "synergy": synergy_tables(c),
        "mechanism": mechanism_table(c, label), "ihc": ihc_table(c, label), "notes": c.notes,
        "boot_floor": 2 / (c.n_boot + 1),
    }


def render_report(c: Computed, figs: dict[str, bytes]) -> tuple[str, str]:
    """(HTML, Markdown) of the analysis report."""
    ctx = report_context(c, figs)
    return (render("analysis/report.j2", html=True, **ctx),
            tidy_markdown(render("analysis/report.j2", html=False, **ctx)))


def tidy_markdown(text: str) -> str:
    """At most one blank line between blocks (the template's conditionals leave more)."""
    return re.sub(r"\n{3,}", "\n\n", text).lstrip("\n")



