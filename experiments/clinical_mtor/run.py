"""Virtual-patient trials of endocrine therapy +/- an mTOR inhibitor in two populations.

Runs the three trial configs (AI-naive: letrozole +/- temsirolimus; AI-resistant: exemestane +/-
everolimus and tamoxifen +/- everolimus) twice each: with RECIST 1.1, the configs' rule (+20 % and
+5 mm of the sum of lesion DIAMETERS over its nadir), and with a volume rule (+20 % of the summed
lesion VOLUME over its nadir and at least 0.5 cm3, i.e. ~+6 % of diameter: progression called
earlier). Writes every run and the combined figures
(``<out>/clinical_mtor_figures/``) under ``--out`` only; the figures committed in
``experiments/clinical_mtor/figures/`` are copies of such a run.

    python experiments/clinical_mtor/run.py --out results --jobs 2
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import NullFormatter

from xenosim.core.style import apply_style, arm_colour
from xenosim.patients.config import Progression, load_patient_study
from xenosim.patients.output import write_trial_results
from xenosim.patients.runner import run_trial
from xenosim.patients.survival import arm_medians, compare_arms

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CONFIGS = {
    "AI-naive: letrozole +/- temsirolimus (HORIZON)": "patients_ai_naive.yaml",
    "AI-resistant: exemestane +/- everolimus (BOLERO-2)": "patients_ai_resistant.yaml",
    "AI-resistant: tamoxifen +/- everolimus (TAMRAD)": "patients_ai_resistant_tamoxifen.yaml",
}
#: Progression rules: label -> (experiment-name suffix, the config's progression block).
RULES = {
    "RECIST 1.1 (+20 % diameters)": ("", {"measure": "diameters", "increase_from_nadir": 0.2,
                                          "min_increase_mm": 5.0}),
    "+20 % volume (volume rule)": ("_volume_rule", {"measure": "volume",
                                                    "increase_from_nadir": 0.2,
                                                    "min_increase_cm3": 0.5}),
}
CLINICAL = {  # published HR (95 % CI) and medians (months), for the figure only
    "AI-naive: letrozole +/- temsirolimus (HORIZON)": (0.90, 0.76, 1.07, "8.9 vs 9.0 (PFS)"),
    "AI-resistant: exemestane +/- everolimus (BOLERO-2)": (0.45, 0.38, 0.54, "3.2 vs 7.8 (PFS)"),
    "AI-resistant: tamoxifen +/- everolimus (TAMRAD)": (0.54, 0.36, 0.81, "4.5 vs 8.6 (TTP)"),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "results")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--patients-per-arm", type=int, default=None)
    ap.add_argument("--mechanism-off", default=None,
                    help="ablate one mechanism switch in every trial (e.g. ser167_er_link); "
                    "figures go to figures/ablation_<switch>/")
    ap.add_argument("--forest-only", action="store_true",
                    help="redraw forest.png from <out>/clinical_mtor_figures/hazard_ratios.csv "
                    "without running")
    args = ap.parse_args()
    rows, kms = [], {}
    figdir = args.out / "clinical_mtor_figures"  # nothing is written outside --out
    note = f" (ablation: {args.mechanism_off} off)" if args.mechanism_off else ""
    if args.mechanism_off:
        from xenosim.core.config import Mechanisms

        if args.mechanism_off not in Mechanisms.model_fields:
            ap.error(f"unknown mechanism {args.mechanism_off!r}; allowed: "
                     f"{', '.join(Mechanisms.model_fields)}")
        figdir = figdir / f"ablation_{args.mechanism_off}"
    figdir.mkdir(parents=True, exist_ok=True)
    if args.forest_only:
        forest(pd.read_csv(figdir / "hazard_ratios.csv"), figdir / "forest.png", note)
        return
    for title, cfg in CONFIGS.items():
        base = load_patient_study(ROOT / "configs" / cfg,
                                  {"patients_per_arm": args.patients_per_arm})
        if args.mechanism_off:
            base = base.model_copy(update={
                "experiment": f"{base.experiment}_no_{args.mechanism_off}",
                "mechanisms": base.mechanisms.model_copy(update={args.mechanism_off: False})})
        for rule, (suffix, progression) in RULES.items():
            study = base.model_copy(update={
                "experiment": base.experiment + suffix,
                "progression": Progression(**progression)})
            t0 = time.perf_counter()
            res = run_trial(study, jobs=args.jobs)
            path = write_trial_results(res, study, args.out, config_path=f"configs/{cfg}",
                                       jobs=args.jobs, elapsed_s=time.perf_counter() - t0)
            hr = compare_arms(res.patients, study.reference).iloc[0]
            med = arm_medians(res.patients).set_index("arm")["median_ttp_months"]
            arms = list(study.arms)
            rows.append({"population": title, "rule": rule, "hazard_ratio": hr["hazard_ratio"],
                         "ci_low": hr["hr_ci_low"], "ci_high": hr["hr_ci_high"],
                         "median_reference": med[arms[0]], "median_combination": med[arms[1]],
                         "events": hr["events"], "n": hr["n"], "results": path.name})
            kms[(title, rule)] = (res.patients, study)
            print(f"{title} | {rule}: HR {hr['hazard_ratio']:.2f} ({hr['hr_ci_low']:.2f}-"
                  f"{hr['hr_ci_high']:.2f}); medians {med[arms[0]]:.1f} vs {med[arms[1]]:.1f} "
                  f"months; {path}")
    table = pd.DataFrame(rows)
    table.to_csv(figdir / "hazard_ratios.csv", index=False, float_format="%.4g")
    forest(table, figdir / "forest.png", note)
    km_grid(kms, figdir / "km_grid.png")


def _months(v: float) -> str:
    return "not reached" if not np.isfinite(v) else f"{v:.1f}"


def forest(table: pd.DataFrame, path: Path, note: str = "") -> None:
    """Hazard ratios (combination vs endocrine alone) per population and rule, with the trials'."""
    apply_style()
    fig, ax = plt.subplots(figsize=(8.5, 5.2))
    y, pos, labels = 0.0, [], []
    green = arm_colour("exemestane+everolimus")
    for title in CONFIGS:
        hr, lo, hi, med = CLINICAL[title]
        ax.errorbar(hr, y, xerr=[[hr - lo], [hi - hr]], fmt="D", color="black", capsize=3)
        pos.append(y)
        labels.append(f"{title}\npublished trial, medians {med}")
        y -= 1
        for rule, marker in zip(RULES, ("o", "s"), strict=True):
            r = table[(table["population"] == title) & (table["rule"] == rule)].iloc[0]
            if np.isfinite(r["hazard_ratio"]):
                hi_err = min(r["ci_high"], 20) - r["hazard_ratio"]
                ax.errorbar(r["hazard_ratio"], y,
                            xerr=[[r["hazard_ratio"] - r["ci_low"]], [hi_err]],
                            fmt=marker, color=green, capsize=3)
            else:
                ax.text(0.02, y, "HR not estimable: no progression in one arm", fontsize=7.5,
                        va="center", color=green, transform=ax.get_yaxis_transform())
            pos.append(y)
            labels.append(f"xenosim, {rule}: medians {_months(r['median_reference'])} vs "
                          f"{_months(r['median_combination'])}; {int(r['events'])} events")
            y -= 1
        y -= 0.6
    ax.set_yticks(pos)
    ax.set_yticklabels(labels, fontsize=7.5)
    ax.axvline(1.0, color="0.4", ls=":")
    ax.set_xscale("log")
    low = float(np.nanmin(table["ci_low"])) if table["ci_low"].notna().any() else 0.1
    ax.set_xlim(max(1e-3, 0.7 * low), 3)
    ticks = [t for t in (0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2)
             if max(1e-3, 0.7 * low) <= t <= 3]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])  # plain numbers: log labels overlapped
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("Hazard ratio of progression, endocrine + mTOR inhibitor vs endocrine alone\n"
                  "(log scale, 95 % CI; black: published trial, green: virtual trial)")
    ax.set_title("Who benefits from adding an mTOR inhibitor" + note, fontsize=11)
    fig.savefig(path)
    plt.close(fig)


def km_grid(kms: dict, path: Path) -> None:
    """Kaplan-Meier curves: one row per population, one column per progression rule."""
    from xenosim.patients.survival import km_curve

    apply_style()
    fig, axes = plt.subplots(len(CONFIGS), len(RULES), figsize=(11, 3.3 * len(CONFIGS)),
                             sharex=True, sharey=True, squeeze=False)
    for i, title in enumerate(CONFIGS):
        for j, rule in enumerate(RULES):
            ax = axes[i][j]
            patients, study = kms[(title, rule)]
            for arm, spec in study.arms.items():
                g = patients[patients["arm"] == arm]
                km = km_curve(g["ttp_months"], g["progressed"])
                ax.step(km["time"], km["survival"], where="post", color=arm_colour(arm), lw=2,
                        label=spec.label or arm)
            ax.set_title(f"{title.split(' (')[0]}\n{rule}", fontsize=8.5)
            ax.legend(fontsize=7.5, loc="upper right")
            if j == 0:
                ax.set_ylabel("Progression-free (proportion)")
            if i == len(CONFIGS) - 1:
                ax.set_xlabel("Months since start of treatment")
            ax.set_ylim(0, 1.02)
    fig.savefig(path)
    plt.close(fig)


if __name__ == "__main__":
    main()
