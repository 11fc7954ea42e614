"""The design report a study director can put in an animal-ethics application: Markdown and a
self-contained HTML page (figure embedded), both from templates in ``xenosim/templates/design/``.
This module computes the numbers and rows; the templates hold the words."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pandas as pd

from xenosim.core.parameters import PARAMETERS
from xenosim.core.templates import png_data_uri, render
from xenosim.design.figures import LABELS
from xenosim.design.runner import DesignSpec

#: why a resolution is right for a question (shown in the report)
RESOLUTION_NOTE = ("growth-rate and endpoint questions need the tumour volume and the drug "
                   "effect on growth, which are unchanged by coarser agents (each agent stands "
                   "for more cells with the same signalling); questions about per-cell states "
                   "or rare resistant clones need a finer resolution")


def _fmt(x, spec: str = ".3f") -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def _flag(v) -> str:
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else (
        "yes" if bool(v) else "NO")


def _oc_rows(oc: pd.DataFrame) -> list[dict]:
    rows = []
    for r in oc.to_dict("records"):
        has_cov = r["coverage_within_mc_of_95"] is not None and r["coverage_95"] == r["coverage_95"]
        rows.append({
            "statistic": LABELS.get(r["statistic"], r["statistic"]), "n": r["n_per_arm"],
            "power": f"{_fmt(r['power'], '.2f')} ± {_fmt(r['power_mc_se'], '.2f')}",
            "fpr": (f"{_fmt(r['false_positive_rate'], '.3f')} [{_fmt(r['fpr_ci99_low'], '.3f')}"
                    f", {_fmt(r['fpr_ci99_high'], '.3f')}]") if r["null_replicates"] else "n/a",
            "fpr_ok": _flag(r["fpr_within_mc_of_alpha"]),
            "coverage": (f"{_fmt(r['coverage_95'], '.3f')} [{_fmt(r['coverage_ci99_low'], '.3f')}"
                         f", {_fmt(r['coverage_ci99_high'], '.3f')}]") if has_cov else "n/a",
            "coverage_ok": _flag(r["coverage_within_mc_of_95"]) if has_cov else "n/a",
            "bias": (f"{_fmt(r['bias'], '.2g')} ± {_fmt(r['bias_mc_se'], '.1g')}"
                     if has_cov else "n/a"),
        })
    return rows


def _flags(oc: pd.DataFrame, alpha: float) -> list[str]:
    """One sentence per miscalibrated statistic (FPR or coverage outside its MC interval)."""
    out = []
    for stat, g in oc.groupby("statistic", sort=False):
        name = LABELS.get(stat, stat)
        bad = g[g["fpr_within_mc_of_alpha"].eq(False)]
        if len(bad):
            out.append(f"{name}: false-positive rate outside the 99 % Monte-Carlo interval of "
                       f"alpha = {alpha:g} at n = " + ", ".join(
                           f"{r.n_per_arm} ({r.false_positive_rate:.3f}, "
                           f"{'anticonservative' if r.false_positive_rate > alpha else 'conservative'})"
                           for r in bad.itertuples()))
        bad = g[g["coverage_within_mc_of_95"].eq(False)]
        if len(bad):
            out.append(f"{name}: 95 % CI coverage of the true effect outside its 99 % "
                       "Monte-Carlo interval at n = " + ", ".join(
                           f"{r.n_per_arm} ({r.coverage_95:.3f}, CI "
                           f"{'too narrow' if r.coverage_95 < 0.95 else 'conservative'})"
                           for r in bad.itertuples()))
    return out


def _arms(spec: DesignSpec) -> list[dict]:
    rows = []
    for name in spec.contrast.study_arms:
        arm = spec.exp.arms[name]
        regs = [f"{r.drug} {r.dose:g} {r.dose_unit} {r.route}, {r.schedule}" for r in arm.regimens]
        rows.append({"name": name, "label": arm.label or name,
                     "what": "; ".join(regs) if regs else "vehicle / no drug"})
    return rows


def report_context(spec: DesignSpec, oc: pd.DataFrame, best: pd.DataFrame, truth: dict,
                   n_took: int, timing: dict) -> dict:
    """Everything the design templates show, as plain numbers, strings and rows."""
    exp = spec.exp
    spare = 1 + exp.spare_mice_fraction
    answer = []
    for r in best.to_dict("records"):
        n = r["smallest_n_per_arm"]
        ok = n is not None and n == n
        answer.append({"statistic": LABELS.get(r["statistic"], r["statistic"]),
                       "n": int(n) if ok else "not reached",
                       "power": _fmt(r["power_at_that_n"], ".2f") if ok else "n/a",
                       "inoculate": math.ceil(int(n) * spare) if ok else "n/a"})
    grades = pd.Series([p.grade for p in PARAMETERS.values()]).value_counts()
    assumed = [{"name": p.name, "value": f"{p.value:g}", "unit": p.unit,
                "why": p.note or p.source} for p in PARAMETERS.values() if p.grade == "assumed"]
    return {
        "c": spec.contrast, "exp": exp, "spec": spec, "n_took": n_took,
        "target": float(best["target_power"].iloc[0]), "answer": answer, "arms": _arms(spec),
        "truth": [{"statistic": LABELS.get(k, k), "value": f"{v:.4g}"} for k, v in truth.items()],
        "oc": _oc_rows(oc), "flags": _flags(oc, spec.alpha), "grades": dict(grades),
        "n_parameters": len(PARAMETERS), "assumed": assumed, "spare": spare,
        "resolution_note": RESOLUTION_NOTE, "timing": timing,
    }


def write_report(spec: DesignSpec, oc: pd.DataFrame, best: pd.DataFrame, truth: dict,
                 out: Path, n_took: int, timing: dict) -> Path:
    """Write ``report.md`` and ``report.html`` (figure embedded) in ``out``; returns the
    Markdown path. ``power_curve.png`` must already be in ``out``."""
    ctx = report_context(spec, oc, best, truth, n_took, timing)
    md = render("design/report.md.j2", figure="power_curve.png", **ctx)
    html = render("design/report.html.j2", figure=png_data_uri(out / "power_curve.png"), **ctx)
    for name, text in (("report.md", md), ("report.html", html)):
        tmp = out / f".{name}.tmp"
        tmp.write_text(text)
        os.replace(tmp, out / name)
    return out / "report.md"
