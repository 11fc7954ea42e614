"""``xenosim qualify``: the validation dossier. Runs the default study for several seeds and
checks every published finding of :mod:`xenosim.xenograft.findings` on each, so a reader sees
the model's value with its spread over seeds, how often the finding holds, and which findings the
model was calibrated to (those are not independent evidence)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from xenosim.core.output import atomic_directory, new_run_id, write_manifest
from xenosim.core.templates import md_table
from xenosim.xenograft.config import Experiment
from xenosim.xenograft.findings import FINDINGS
from xenosim.xenograft.runner import run_cohort


def qualify(exp: Experiment, seeds: list[int], jobs: int, progress=None,
            agents_per_well: int = 400) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one row per finding x seed, one row per finding: value over seeds and pass rate)."""
    from xenosim.invitro import findings as invitro_findings
    from xenosim.invitro import simulate, validate_invitro

    suites = {"xenograft": FINDINGS, "in vitro": invitro_findings.FINDINGS}
    rows = []
    for seed in seeds:
        studies = {
            "xenograft": run_cohort(exp.model_copy(update={"seed": seed}), jobs=jobs),
            "in vitro": simulate(validate_invitro(
                invitro_findings.study_config(seed, agents_per_well)), jobs=jobs).tables}
        for mode, findings in suites.items():
            for finding in findings:
                out = finding.check(studies[mode])
                rows.append({"mode": mode, "finding": finding.key, "seed": seed,
                             "value": out.value, "passed": out.passed, "detail": out.detail})
        if progress:
            progress(seed)
    per_seed = pd.DataFrame(rows)
    summary = []
    for mode, f in ((mode, f) for mode, findings in suites.items() for f in findings):
        g = per_seed[per_seed["finding"] == f.key]
        summary.append({"mode": mode, "finding": f.key, "statement": f.statement,
                        "source": f.source,
                        "calibrated": f.calibrated, "value_median": float(g["value"].median()),
                        "value_min": float(g["value"].min()), "value_max": float(g["value"].max()),
                        "pass_rate": float(g["passed"].mean()), "seeds": len(g)})
    return per_seed, pd.DataFrame(summary)


def write_dossier(per_seed: pd.DataFrame, summary: pd.DataFrame, exp: Experiment, out: Path,
                  config_path: str, jobs: int, elapsed_s: float) -> Path:
    """findings_per_seed.csv, findings.csv and report.md in a new run directory."""
    run_id = new_run_id(exp.seed, "qualify")
    final = Path(out) / "qualify" / run_id
    with atomic_directory(final) as tmp:
        per_seed.to_csv(tmp / "findings_per_seed.csv", index=False, float_format="%.6g")
        summary.to_csv(tmp / "findings.csv", index=False, float_format="%.6g")
        (tmp / "report.md").write_text(_report(summary, exp, config_path))
        write_manifest(tmp, experiment=exp.experiment, run_id=run_id, seed=exp.seed,
                       config_path=config_path, elapsed_s=elapsed_s, jobs=jobs, warnings=[],
                       mode="qualify", seeds=[int(s) for s in per_seed["seed"].unique()])
    return final


def _report(summary: pd.DataFrame, exp: Experiment, config_path: str) -> str:
    table = summary.assign(
        holds=[f"{r:.0%}" for r in summary["pass_rate"]],
        value=[f"{m:.3g} [{lo:.3g}, {hi:.3g}]" for m, lo, hi in
               zip(summary["value_median"], summary["value_min"], summary["value_max"],
                   strict=True)],
        calibrated=np.where(summary["calibrated"], "yes (not independent)", "no"),
    )[["mode", "statement", "source", "value", "holds", "calibrated"]]
    n_ok = int((summary["pass_rate"] == 1.0).sum())
    return (f"# Validation dossier: {exp.experiment}\n\n"
            f"Xenograft findings on `{config_path}` at {exp.cells_per_agent:g} cells per agent; "
            "in vitro findings on the plate set of `xenosim/invitro/findings.py`; "
            f"{int(summary['seeds'].iloc[0])} seeds. {n_ok} of {len(summary)} findings hold in "
            "every seed. Value: median [min, max] over seeds of the statistic each check "
            "reads (see `findings_per_seed.csv` for the rule and the numbers of every seed).\n\n"
            + md_table(table) + "\n\nThe checks are written once, in "
            "`xenosim/xenograft/findings.py` and `xenosim/invitro/findings.py`; "
            "`tests/test_validation.py` and `tests/test_invitro_biology.py` assert the same "
            "checks on one seed. Not yet in this dossier: the dose-response and the "
            "virtual-patient trial checks.\n")


def run_qualify(config: Path, seeds: int, first_seed: int, cells_per_agent: float | None,
                out: Path, jobs: int, agents_per_well: int = 400) -> Path:
    """The command: load the config, run the seeds, write the dossier; returns its directory."""
    from xenosim.xenograft.cli import _load

    overrides = {"cells_per_agent": cells_per_agent} if cells_per_agent else {}
    exp = _load(config, overrides)
    t0 = time.perf_counter()
    per_seed, summary = qualify(exp, list(range(first_seed, first_seed + seeds)), jobs,
                                agents_per_well=agents_per_well)
    return write_dossier(per_seed, summary, exp, out, str(config), jobs,
                         time.perf_counter() - t0)
