"""The design report (Markdown) a study director can put in an animal-ethics application."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from xenosim.core.parameters import PARAMETERS
from xenosim.design.figures import LABELS
from xenosim.design.runner import DesignSpec


def _fmt(x, spec: str = ".3f") -> str:
    return "n/a" if x is None or pd.isna(x) else format(x, spec)


def write_report(spec: DesignSpec, oc: pd.DataFrame, best: pd.DataFrame, truth: dict,
                 out: Path, elapsed_s: float, n_took: int) -> Path:
    """Markdown report: question, design, answer, operating characteristics, assumptions."""
    c, exp = spec.contrast, spec.exp
    L = [f"# Study design: {c.cell_line}: {c.b} vs {c.a}", "",
         f"Config `{exp.experiment}` (seed {exp.seed}), resolution {exp.cells_per_agent:g} cells "
         f"per agent, alpha {spec.alpha:g}, {spec.replicates} virtual studies per size, "
         f"pool of {spec.pool_mice} inoculated virtual mice ({n_took} took), computed in "
         f"{elapsed_s:.0f} s.", "", "## Answer", "",
         "| statistic | smallest n per arm for "
         f"{best['target_power'].iloc[0]:.0%} power | power there |", "|---|---|---|"]
    for _, r in best.iterrows():
        L.append(f"| {LABELS.get(r['statistic'], r['statistic'])} | "
                 f"{r['smallest_n_per_arm'] if pd.notna(r['smallest_n_per_arm']) else 'not reached'}"
                 f" | {_fmt(r['power_at_that_n'], '.2f')} |")
    need = 1 + exp.spare_mice_fraction
    L += ["", f"Mice to inoculate per arm: about n x {need:g} (spare fraction for non-takes and "
          "for dropping the fastest and slowest takers, as in the protocol).", "",
          "True effects (pool means of the paired twins, noise-free): " +
          ", ".join(f"{k} = {v:.4g}" for k, v in truth.items()) + " (growth rates per day; "
          "Bliss / HSA as excess fractional inhibition).", "",
          "![power curve](power_curve.png)", "", "## Operating characteristics", "",
          "| statistic | n/arm | power ± MC SE | false-positive rate ± MC SE | FPR within MC of "
          "alpha | 95% CI coverage | bias |", "|---|---|---|---|---|---|---|"]
    for _, r in oc.iterrows():
        flag = {True: "yes", False: "**no: miscalibrated**", None: "n/a"}[r["fpr_within_mc_of_alpha"]
                                                                       if r["null_replicates"]
                                                                       else None]
        L.append(f"| {r['statistic']} | {r['n_per_arm']} | {_fmt(r['power'], '.2f')} ± "
                 f"{_fmt(r['power_mc_se'], '.2f')} | {_fmt(r['false_positive_rate'], '.3f')} ± "
                 f"{_fmt(r['fpr_mc_se'], '.3f')} | {flag} | {_fmt(r['coverage_95'], '.2f')} | "
                 f"{_fmt(r['bias'], '.2g')} |")
    grades = pd.Series([p.grade for p in PARAMETERS.values()]).value_counts()
    assumed = [p for p in PARAMETERS.values() if p.grade == "assumed"]
    L += ["", "## Design of the virtual studies", "",
          "- Each virtual mouse is its host draws (take, host growth factor) plus its seed. It is "
          "simulated once under every arm the question needs, with common random numbers "
          "(paired counterfactual twins): arms without a drug difference give identical "
          "trajectories, so its true treatment effect is known exactly (`true_effects.csv`).",
          "- A virtual study draws inoculated mice from this pool without replacement, enrols "
          "and randomises them as the protocol does (mice nearest the median take day, "
          "volume-balanced blocks), reads each mouse's twin under its assigned arm, adds caliper "
          f"noise (lognormal, cv {exp.caliper.cv:g} on length and width), censors at the "
          f"{exp.endpoint_volume_mm3:g} mm3 endpoint and stops at day {exp.study_days:g}. "
          "Non-takes reduce arm sizes as in a real study.",
          "- The false-positive rate comes from null studies: the reference arm split against "
          "itself (A vs A) with the same randomisation and statistics.",
          "- Why resampling from a pool is sound: the mice of a study are independent draws "
          "from the same population in the simulator too, and a mouse's outcome under an arm "
          "depends only on its own seed and the arm. Drawing them from a finite pool "
          "approximates the population by the pool's empirical distribution; it assumes the "
          "pool is large against n (replicate studies share mice, so their Monte-Carlo errors "
          "are somewhat optimistic, and power is that for a population like the pool). Caliper "
          "noise and censoring are drawn fresh per study.",
          "- T/C at study end is tested as the difference of mean log relative tumour volume "
          "on the last day both arms keep half their mice (a ratio of geometric means); it and "
          "the log-rank test have no censoring-free estimand here, so coverage and bias are "
          "not given for them.", "",
          "## Assumptions of the model", "",
          f"The model's parameter registry holds {len(PARAMETERS)} parameters: "
          + ", ".join(f"{k} {v}" for k, v in grades.items()) + ". The power computed here is "
          "only as good as these; the assumed ones are:", ""]
    L += [f"- `{p.name}` = {p.value:g} {p.unit}: {p.note or p.source}" for p in assumed]
    L += ["", "The protocol (doses, schedules, randomisation size, endpoint) is the config's; "
          "for the deGraffenried 2004 config most of it is reconstructed, not published."]
    path = out / "report.md"
    path.write_text("\n".join(L) + "\n")
    return path
