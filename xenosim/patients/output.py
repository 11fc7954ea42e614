"""Results of a virtual-patient trial on disk, written atomically like every xenosim run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from xenosim.core.output import atomic_directory, new_run_id, write_manifest
from xenosim.patients import figures
from xenosim.patients.config import PatientStudy, dump_patient_study
from xenosim.patients.report import render_report
from xenosim.patients.response import response_rates
from xenosim.patients.runner import TrialResult
from xenosim.patients.survival import arm_medians, compare_arms


def subgroup_table(patients: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Hazard ratios in subgroups: PI3K status, adaptation, ESR1 status, Akt-activated share
    above/below the trial median (what a biomarker analysis of the trial would report)."""
    cut = float(patients["akt_activated_fraction"].median())
    groups = {
        "all patients": patients,
        "PI3K pathway activated": patients[patients["pi3k_activated"]],
        "PI3K pathway not activated": patients[~patients["pi3k_activated"]],
        f"Akt-activated share > {cut:.2f}": patients[patients["akt_activated_fraction"] > cut],
        f"Akt-activated share <= {cut:.2f}": patients[patients["akt_activated_fraction"] <= cut],
    }
    if patients["adapted"].any() and not patients["adapted"].all():
        groups["adapted (LTED-like)"] = patients[patients["adapted"]]
        groups["not adapted"] = patients[~patients["adapted"]]
    esr1 = patients["esr1_mutant"] if "esr1_mutant" in patients else None
    if esr1 is not None and esr1.any() and not esr1.all():  # as BOLERO-2's ctDNA analysis
        groups["ESR1-mutant"] = patients[esr1]
        groups["ESR1 wild-type"] = patients[~esr1]
    rows = []
    for name, g in groups.items():
        if g["arm"].nunique() < 2:
            continue
        t = compare_arms(g, reference)
        t.insert(0, "subgroup", name)
        rows.append(t)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def write_trial_results(result: TrialResult, study: PatientStudy, out_root: Path, *,
                        config_path: str | None, jobs: int, elapsed_s: float,
                        run_id: str | None = None) -> Path:
    """Write config, manifest, tables, figures and report; return the run directory."""
    run_id = run_id or new_run_id(study.seed)
    final = Path(out_root) / study.experiment / run_id
    labels = {a: (spec.label or a) for a, spec in study.arms.items()}
    patients = result.patients.sort_values(["arm", "patient"], kind="mergesort")
    scans = result.scans.sort_values(["arm", "patient", "day"], kind="mergesort")
    arms = arm_medians(result.patients).merge(response_rates(result.patients), on="arm",
                                              how="left")
    hrs = compare_arms(result.patients, study.reference)
    subgroups = subgroup_table(result.patients, study.reference)
    with atomic_directory(final) as tmp:
        (tmp / "config.yaml").write_text(dump_patient_study(study))
        for name, df in (("patients", patients), ("scans", scans), ("arms", arms),
                         ("hazard_ratios", hrs), ("subgroups", subgroups)):
            df.to_csv(tmp / f"{name}.csv", index=False, float_format="%.6g")
        written = [
            figures.km_figure(result.patients, arms, hrs, labels, tmp / "km.png",
                              f"{study.experiment}: time to progression").name,
            figures.spider_figure(result.scans, labels,
                                  100 * study.progression.increase_from_nadir,
                                  tmp / "spider.png", study.progression.measure).name,
            figures.benefit_figure(result.patients, labels, study.follow_up_months,
                                   tmp / "benefit_by_akt.png").name,
            figures.pathway_figure(result.scans, labels, tmp / "pathway.png").name,
        ]
        (tmp / "report.md").write_text(render_report(study, arms, hrs, subgroups,
                                                     result.warnings, written))
        write_manifest(tmp, experiment=study.experiment, run_id=run_id, seed=study.seed,
                       config_path=config_path, elapsed_s=elapsed_s, jobs=jobs,
                       warnings=result.warnings, extra_files=written, mode="patients")
    return final
