"""``xenosim qualify``: the validation dossier. For each of several seeds it runs the default
xenograft study, the in vitro plate set, the two dose sweeps with the schedule cohort, and the
three virtual-patient trials, and checks every published finding of those modes
(:mod:`xenosim.xenograft.findings`, :mod:`xenosim.invitro.findings`,
:mod:`xenosim.sweep.findings`, :mod:`xenosim.patients.findings`), so a reader sees the model's
value with its spread over seeds, how often the finding holds, and which findings the model was
calibrated to (those are not independent evidence). A failing finding is listed with its number:
the dossier reports it, nothing is tuned to make it pass."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from xenosim.core.output import atomic_directory, new_run_id, write_manifest
from xenosim.core.templates import md_table
from xenosim.xenograft.config import Experiment
from xenosim.xenograft.findings import FINDINGS
from xenosim.xenograft.runner import run_cohort


@dataclass(frozen=True)
class Sizes:
    """How big each seed's studies are (the defaults keep a 3-seed dossier to a few minutes)."""

    agents_per_well: int = 400
    sweep_cells_per_agent: float | None = 50000.0  # coarse: 30 sweep tasks + 16 mice per seed
    sweep_mice_per_arm: int = 4
    schedule_mice_per_arm: int = 8
    patients_per_arm: int = 40
    agents_per_patient: int = 200


SUITES = ("xenograft", "in vitro", "dose-response", "human PD", "trials")


def _suites(exp: Experiment, jobs: int, sizes: Sizes
            ) -> dict[str, tuple[tuple, Callable[[int], object]]]:
    """mode -> (findings, seed -> the simulated study they read)."""
    from xenosim.invitro import findings as invitro_findings
    from xenosim.invitro import simulate, validate_invitro
    from xenosim.patients import findings as trial_findings
    from xenosim.sweep import findings as dose_findings

    return {
        "xenograft": (FINDINGS, lambda seed: run_cohort(exp.model_copy(update={"seed": seed}),
                                                        jobs=jobs)),
        "in vitro": (invitro_findings.FINDINGS, lambda seed: simulate(validate_invitro(
            invitro_findings.study_config(seed, sizes.agents_per_well)), jobs=jobs).tables),
        "dose-response": (dose_findings.FINDINGS, lambda seed: dose_findings.dose_study(
            seed, jobs, mice_per_arm=sizes.sweep_mice_per_arm,
            cells_per_agent=sizes.sweep_cells_per_agent,
            schedule_mice=sizes.schedule_mice_per_arm)),
        "human PD": (trial_findings.PD_FINDINGS, trial_findings.human_pd_study),
        "trials": (trial_findings.FINDINGS, lambda seed: trial_findings.trial_study(
            seed, jobs, patients_per_arm=sizes.patients_per_arm,
            agents_per_patient=sizes.agents_per_patient)),
    }


def qualify(exp: Experiment, seeds: list[int], jobs: int, progress=None,
            agents_per_well: int = 400, sizes: Sizes | None = None,
            modes: tuple[str, ...] = SUITES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one row per finding x seed, one row per finding: value over seeds and pass rate)."""
    sizes = sizes or Sizes(agents_per_well=agents_per_well)
    suites = {m: s for m, s in _suites(exp, jobs, sizes).items() if m in modes}
    rows = []
    for seed in seeds:
        for mode, (findings, build) in suites.items():
            study = build(seed)
            for finding in findings:
                out = finding.check(study)
                rows.append({"mode": mode, "finding": finding.key, "seed": seed,
                             "value": out.value, "ci_low": out.ci_low, "ci_high": out.ci_high,
                             "passed": out.passed, "detail": out.detail})
        if progress:
            progress(seed)
    per_seed = pd.DataFrame(rows)
    summary = []
    for mode, f in ((mode, f) for mode, (findings, _) in suites.items() for f in findings):
        g = per_seed[per_seed["finding"] == f.key]
        summary.append({"mode": mode, "finding": f.key, "statement": f.statement,
                        "source": f.source,
                        "calibrated": f.calibrated, "value_median": float(g["value"].median()),
                        "value_min": float(g["value"].min()), "value_max": float(g["value"].max()),
                        "ci_low_median": float(g["ci_low"].median()),
                        "ci_high_median": float(g["ci_high"].median()),
                        "pass_rate": float(g["passed"].mean()), "seeds": len(g),
                        # the rule and numbers of the first seed where it fails (else seed 1)
                        "detail": str(g.loc[~g["passed"], "detail"].iloc[0]
                                      if (~g["passed"]).any() else g["detail"].iloc[0])})
    return per_seed, pd.DataFrame(summary)


def write_dossier(per_seed: pd.DataFrame, summary: pd.DataFrame, exp: Experiment, out: Path,
                  config_path: str, jobs: int, elapsed_s: float, sizes: Sizes | None = None
                  ) -> Path:
    """findings_per_seed.csv, findings.csv, the exposure tables (when the dose-response checks
    ran) and report.md in a new run directory."""
    sizes = sizes or Sizes()
    run_id = new_run_id(exp.seed, "qualify")
    final = Path(out) / "qualify" / run_id
    exposure = {}
    if (summary["mode"] == "dose-response").any():
        from xenosim.sweep.findings import exposure_tables

        exposure = exposure_tables()
    with atomic_directory(final) as tmp:
        per_seed.to_csv(tmp / "findings_per_seed.csv", index=False, float_format="%.6g")
        summary.to_csv(tmp / "findings.csv", index=False, float_format="%.6g")
        for name, table in exposure.items():
            table.to_csv(tmp / f"exposure_{name}.csv", index=False, float_format="%.6g")
        (tmp / "report.md").write_text(_report(summary, exp, config_path, sizes, exposure,
                                               elapsed_s))
        write_manifest(tmp, experiment=exp.experiment, run_id=run_id, seed=exp.seed,
                       config_path=config_path, elapsed_s=elapsed_s, jobs=jobs, warnings=[],
                       mode="qualify", seeds=[int(s) for s in per_seed["seed"].unique()],
                       sizes=sizes.__dict__)
    return final


def _fmt(x: float) -> str:
    return "-" if not np.isfinite(x) else f"{x:.3g}"


def _report(summary: pd.DataFrame, exp: Experiment, config_path: str, sizes: Sizes,
            exposure: dict[str, pd.DataFrame], elapsed_s: float) -> str:
    table = summary.assign(
        holds=[f"{r:.0%}" for r in summary["pass_rate"]],
        value=[f"{_fmt(m)} [{_fmt(lo)}, {_fmt(hi)}]" for m, lo, hi in
               zip(summary["value_median"], summary["value_min"], summary["value_max"],
                   strict=True)],
        ci=[f"{_fmt(lo)}-{_fmt(hi)}" if np.isfinite(lo) else "-" for lo, hi in
            zip(summary["ci_low_median"], summary["ci_high_median"], strict=True)],
        verdict=["PASS" if r == 1.0 else ("FAIL" if r == 0.0 else "MIXED")
                 for r in summary["pass_rate"]],
        calibrated=np.where(summary["calibrated"], "yes (not independent)", "no"),
    )[["mode", "finding", "statement", "source", "value", "ci", "holds", "verdict",
       "calibrated"]]
    n_ok = int((summary["pass_rate"] == 1.0).sum())
    failed = summary[summary["pass_rate"] < 1.0]
    seeds = int(summary["seeds"].iloc[0])
    modes = set(summary["mode"])
    text = [f"# Validation dossier: {exp.experiment}", "",
            f"{seeds} seeds, {elapsed_s / 60:.1f} min. **{n_ok} of {len(summary)} findings hold "
            "in every seed.** Value: median [min, max] over seeds of the statistic each check "
            "reads; CI: the within-study 95% interval of that statistic (ED50 bootstrap, Cox "
            "Wald), median over seeds; holds: share of seeds in which the finding holds. "
            "`findings_per_seed.csv` gives the rule and the numbers of every seed.", "",
            md_table(table), ""]
    if len(failed):
        text += ["## Findings the model does not reproduce", ""]
        text += [f"- **{r.finding}** ({r.statement}): holds in {r.pass_rate:.0%} of seeds; "
                 f"a failing seed: {r.detail}" for r in failed.itertuples()]
        text.append("")
    text += ["## Studies behind the checks", ""]
    if "xenograft" in modes:
        text.append(f"- xenograft: `{config_path}` at {exp.cells_per_agent:g} cells per agent, "
                    f"{exp.mice_per_arm} mice per arm.")
    if "in vitro" in modes:
        text.append(f"- in vitro: the plate set of `xenosim/invitro/findings.py`, "
                    f"{sizes.agents_per_well} agents per well.")
    if "dose-response" in modes:
        text.append(f"- dose-response: `configs/sweeps/cci779_dose.yaml` and "
                    f"`tamoxifen_dose.yaml`, every dose, their replicate cohorts of "
                    f"{sizes.sweep_mice_per_arm} mice, response arm only, "
                    f"{_fmt(sizes.sweep_cells_per_agent or float('nan'))} cells per agent "
                    "(coarser than the default study); schedule cohort "
                    f"{sizes.schedule_mice_per_arm} mice per schedule, 28 days.")
    if "human PD" in modes:
        text.append("- human PD: everolimus 5 and 10 mg daily, 70 kg, library human PK and "
                    "rapalog binding, read at the day-28 trough (deterministic: every seed "
                    "gives the same number).")
    if "trials" in modes:
        text.append(f"- trials: `configs/patients_ai_naive.yaml` (HORIZON), "
                    "`patients_ai_resistant.yaml` (BOLERO-2), "
                    f"`patients_ai_resistant_tamoxifen.yaml` (TAMRAD), {sizes.patients_per_arm} "
                    f"patients per arm, {sizes.agents_per_patient} agents per patient; pass = "
                    "model HR inside the trial's published 95% CI.")
    text.append("")
    labels = {"cci779": "CCI-779 i.p. daily x5 every 7 days (mg/kg)",
              "tamoxifen": "tamoxifen s.c. daily (mg)",
              "cci779_schedules": "CCI-779: the two schedules of the schedule check"}
    if exposure:
        text += ["## Exposure per dose", "",
                 "Tumour level over the second week of each schedule, from the library PK and "
                 "PD (deterministic; `exposure_*.csv`): AUC (nM.h), Cmax and Cmin (nM), hours "
                 "the unbound level is above the IC50, mean target readouts.", ""]
        for name, t in exposure.items():
            text += [f"### {labels.get(name, name)}", "",
                     md_table(t.drop(columns=["dose_unit"]), float_format="{:.3g}"), ""]
    text += ["The checks are written once, in `xenosim/xenograft/findings.py`, "
             "`xenosim/invitro/findings.py`, `xenosim/sweep/findings.py` and "
             "`xenosim/patients/findings.py`; `tests/test_validation.py`, "
             "`tests/test_invitro_biology.py` and `tests/test_qualify_dose_trials.py` assert the "
             "same checks (those that fail today: that the dossier lists them with their "
             "number).", ""]
    return "\n".join(text)


def run_qualify(config: Path, seeds: int, first_seed: int, cells_per_agent: float | None,
                out: Path, jobs: int, agents_per_well: int = 400, sizes: Sizes | None = None,
                modes: tuple[str, ...] = SUITES) -> Path:
    """The command: load the config, run the seeds, write the dossier; returns its directory."""
    from xenosim.xenograft.cli import _load

    sizes = sizes or Sizes(agents_per_well=agents_per_well)
    overrides = {"cells_per_agent": cells_per_agent} if cells_per_agent else {}
    exp = _load(config, overrides)
    t0 = time.perf_counter()
    per_seed, summary = qualify(exp, list(range(first_seed, first_seed + seeds)), jobs,
                                sizes=sizes, modes=modes)
    return write_dossier(per_seed, summary, exp, out, str(config), jobs,
                         time.perf_counter() - t0, sizes)
