"""The virtual-patient trial runner: draw each patient, dose her with human PK, scan, progress.

Each patient is an independent, pure run seeded from the trial seed, her arm and her index only
(``numpy.random.SeedSequence``), so results do not depend on the number of workers. Patients in
different arms are different people (a randomised trial, not twins). A lesion holds two
subclones that share the lesion's drug exposure: parental cells (the patient's PI3K status and
adaptation) and Akt-activated cells (the same plus the Akt modifiers), in the drawn proportion.
Lesions are taken as well perfused (``hypoxia`` off by default): the xenograft oxygen field is
scaled for mouse tumours, not for human metastases.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from xenosim.biology import fate
from xenosim.biology.signalling import Exposure
from xenosim.core.dosing import regimen_doses
from xenosim.core.genotypes import Genotype
from xenosim.core.parameters import resolve
from xenosim.core.pharmacology import ExposureProfile, exposure_profile
from xenosim.core.stepping import step_until
from xenosim.core.tumour import Tumour
from xenosim.patients.config import DAYS_PER_MONTH, PatientStudy
from xenosim.patients.response import best_overall_response, clinical_benefit
from xenosim.xenograft.runner import run_tasks

EPS = 1e-6


@dataclass
class PatientOutcome:
    """One patient: her drawn characteristics and outcome, and her scans."""

    patient: dict
    scans: list[dict] = field(default_factory=list)


def patient_seed(study: PatientStudy, arm: str, index: int) -> np.random.SeedSequence:
    """Seed of a patient from the trial seed, her arm and her index only."""
    return np.random.SeedSequence(study.seed, spawn_key=(list(study.arms).index(arm), index))


def draw_patient(study: PatientStudy, rng: np.random.Generator) -> dict:
    """A patient's tumour characteristics, drawn from the population of the config."""
    pop = study.population
    n_lesions = int(rng.integers(pop.lesions_min, pop.lesions_max + 1))
    return {
        "n_lesions": n_lesions,
        "lesion_shares": rng.dirichlet(np.ones(n_lesions)),
        "baseline_sum_cm3": pop.baseline_sum_volume_cm3.draw(rng),
        "akt_activated_fraction": float(np.clip(pop.akt_activated_fraction.draw(rng), 0, 1)),
        "pi3k_activated": bool(rng.random() < pop.pi3k_activated_probability),
        "adapted": bool(rng.random() < pop.adapted_probability),
        "kinetics_scale_rel": float(np.exp(pop.kinetics_sigma_log * rng.standard_normal())),
        # drawn last, and always, so the draws above do not depend on the ESR1 keys
        "esr1_mutant": bool(rng.random() < pop.esr1_mutant_probability),
        "esr1_fraction_if_mutant": float(np.clip(pop.esr1_mutant_fraction.draw(rng), 0, 1)),
    }


def patient_genotypes(study: PatientStudy, traits: dict) -> tuple[Genotype, Genotype]:
    """(parental, Akt-activated) genotypes of a patient's tumour cells."""
    pop = study.population
    mods = list(pop.base_modifiers)
    if traits["pi3k_activated"]:
        mods += pop.pi3k_activated_modifiers
    if traits["adapted"]:
        mods += pop.adapted_modifiers
    parental = Genotype.from_modifiers("parental", mods)
    activated = Genotype.from_modifiers("akt_activated", mods + list(pop.akt_activated_modifiers))
    return parental, activated


def patient_profile(study: PatientStudy, arm: str) -> ExposureProfile:
    """Human PK of the arm's regimens plus the postmenopausal estrogen supply."""
    host = study.host
    end_h = (study.follow_up_days + 2) * 24.0
    doses: dict = {}
    for reg in study.arms[arm].regimens:
        doses.setdefault(reg.drug, []).extend(
            regimen_doses(reg, 0.0, study.follow_up_days, host.body_weight_kg))
    return exposure_profile(doses, end_h, host.body_weight_kg, host.non_aromatase_e2_pM / 1000.0,
                            grid_step_h=1.0, species="human",
                            aromatase_e2_nM=host.aromatase_e2_nM(),
                            androstenedione_nM=host.androstenedione())


def sphere_diameter_mm(volume_mm3: float) -> float:
    """Diameter (mm) of a sphere of ``volume_mm3``: a lesion's RECIST diameter from its volume
    (a 1 cm3 lesion: 12.4 mm)."""
    return float((6.0 * max(volume_mm3, 0.0) / np.pi) ** (1.0 / 3.0))


def scan_sum(lesion_volumes_mm3: list[float], measure: str) -> float:
    """What a scan's progression rule reads from the measured lesion volumes: the sum of their
    diameters in mm (``diameters``, RECIST) or of their volumes in mm3 (``volume``)."""
    if measure == "diameters":
        return float(sum(sphere_diameter_mm(v) for v in lesion_volumes_mm3))
    return float(sum(lesion_volumes_mm3))


def progresses(total: float, nadir: float, increase: float, min_increase: float = 0.0) -> bool:
    """Progression: the measured sum (of diameters, RECIST, or of volumes) is >= (1 + increase)
    x nadir and at least ``min_increase`` above it (nadir = smallest earlier sum, baseline
    included)."""
    return total >= max(nadir * (1.0 + increase), nadir + min_increase)


def progressed_at_scan(total: float, earlier_totals: list[float], increase: float,
                       min_increase: float = 0.0) -> bool:
    """Progression of a scan measured from the nadir of all earlier scans (baseline included),
    not from baseline, as RECIST: a lesion that shrank and regrew progresses below baseline."""
    return progresses(total, min(earlier_totals), increase, min_increase)


def patient_parameters(study: PatientStudy, traits: dict) -> tuple[dict, float]:
    """(parameters of a patient's tumour cells, her kinetics scale): the study's parameters with
    division and basal loss slowed to human kinetics (``patient_kinetics_scale`` times her own
    drawn factor)."""
    p = resolve(study.parameters, study.mechanism_flags())
    scale = p["patient_kinetics_scale"] * traits["kinetics_scale_rel"]
    p = dict(p, invivo_cycling_factor=p["invivo_cycling_factor"] * scale,
             apoptosis_rate_invivo_per_day=p["apoptosis_rate_invivo_per_day"] * scale)
    return p, scale


def untreated_exposure(study: PatientStudy) -> Exposure:
    """What a patient's lesions see without drugs: the host's estrogen supply (peripheral and
    tumour aromatase from her androstenedione)."""
    host = study.host
    return exposure_profile({}, 1.0, host.body_weight_kg, host.non_aromatase_e2_pM / 1000.0,
                            species="human", aromatase_e2_nM=host.aromatase_e2_nM(),
                            androstenedione_nM=host.androstenedione()).exposure(0, 1)


def simulate_patient(study: PatientStudy, arm: str, index: int) -> PatientOutcome:
    """Run one patient from treatment start to progression or the end of follow-up."""
    seeds = patient_seed(study, arm, index).spawn(3)
    traits = draw_patient(study, np.random.default_rng(seeds[0]))
    tumour_rng = np.random.default_rng(seeds[1])
    scan_rng = np.random.default_rng(seeds[2])
    p, scale = patient_parameters(study, traits)
    esr1 = traits["esr1_mutant"] and study.mechanisms.esr1_mutation  # (the switch ablates it)
    f_esr1 = traits["esr1_fraction_if_mutant"] if esr1 else 0.0
    if esr1:  # her lesions start with ESR1-mutant clones
        p = dict(p, esr1_mutant_initial_fraction=f_esr1)
    parental, activated = patient_genotypes(study, traits)
    n_agents = study.agents_per_patient
    baseline_mm3 = traits["baseline_sum_cm3"] * 1000.0
    cells_per_agent = max(1.0, baseline_mm3 / p["cell_volume_mm3"] / n_agents)
    f_akt = traits["akt_activated_fraction"]
    lesions: list[list[Tumour]] = []
    for share in traits["lesion_shares"]:
        n_lesion = max(1, int(round(n_agents * share)))
        n_act = int(round(n_lesion * f_akt))
        lesions.append([Tumour(g, n, cells_per_agent, p, tumour_rng, hypoxia=study.mechanisms.hypoxia)
                        for g, n in ((parental, n_lesion - n_act), (activated, n_act))])
    profile = patient_profile(study, arm)
    dt = study.time_step_h
    # untreated run-in before the baseline scan: the lesions' signalling reaches its pre-treatment
    # state (host estrogen, no drugs) and the growth seen at baseline is the patient's own
    untreated = untreated_exposure(study)
    def step_lesions(exposure: Exposure, dt_h: float) -> None:
        for lesion in lesions:
            for t in lesion:
                if t.n_agents:
                    t.step(exposure, dt_h)

    step_until(lambda _t, _dt: step_lesions(untreated, dt), 0.0,
               round(study.run_in_days * 24.0 / dt) * dt, dt)
    every = study.scans.every_weeks * 7.0
    scan_days = list(np.arange(0.0, study.follow_up_days + EPS, every))
    pid = f"{arm}-{index + 1:04d}"
    out = PatientOutcome({})
    earlier: list[float] = []  # the sums the rule read at earlier scans (nadir: their minimum)
    progressed, ttp_day = False, scan_days[-1]
    baseline_measured = baseline_volume = None
    diameter_sums: list[float] = []  # RECIST's sum at every scan (best overall response)
    rule = study.progression
    best_change = 0.0
    time_h = 0.0
    exposure = untreated  # the baseline scan sees the run-in state
    for day in scan_days:
        def step_treated(start_h: float, dt_h: float) -> None:
            nonlocal exposure
            exposure = profile.exposure(start_h, start_h + dt_h)
            step_lesions(exposure, dt_h)

        time_h = step_until(step_treated, time_h, day * 24.0, dt)
        true = [sum(t.volume_mm3 for t in lesion) for lesion in lesions]
        measured = [v * float(np.exp(study.scans.cv * scan_rng.standard_normal())) for v in true]
        volume, diameters = scan_sum(measured, "volume"), scan_sum(measured, "diameters")
        diameter_sums.append(diameters)
        total = diameters if rule.measure == "diameters" else volume  # what the rule reads
        if baseline_measured is None:
            baseline_measured, baseline_volume = total, volume
        change = 100.0 * (total / baseline_measured - 1.0)
        row = {"patient": pid, "arm": arm, "day": round(day, 4),
               "month": round(day / DAYS_PER_MONTH, 4), "sum_volume_cm3": volume / 1000.0,
               "true_sum_volume_cm3": sum(true) / 1000.0, "sum_diameters_mm": diameters,
               "change_from_baseline_pct": change, **_pathway(lesions, exposure)}
        out.scans.append(row)
        if day > 0:
            best_change = min(best_change, change)
            if progressed_at_scan(total, earlier, rule.increase_from_nadir,
                                  rule.minimum_rise()):
                progressed, ttp_day = True, day
                break
        earlier.append(total)
    out.patient = {
        "patient": pid, "arm": arm, "n_lesions": traits["n_lesions"],
        "baseline_sum_cm3": baseline_volume / 1000.0,
        "akt_activated_fraction": f_akt, "pi3k_activated": traits["pi3k_activated"],
        "adapted": traits["adapted"], "kinetics_scale": scale,
        "esr1_mutant": esr1, "esr1_mutant_fraction": f_esr1,
        "progressed": progressed, "ttp_day": ttp_day, "ttp_months": ttp_day / DAYS_PER_MONTH,
        "best_change_pct": best_change, "n_scans": len(out.scans),
        "best_diameter_change_pct": 100.0 * (min(diameter_sums[1:], default=diameter_sums[0])
                                             / diameter_sums[0] - 1.0)
        if diameter_sums[0] > 0 else float("nan"),
        "best_response": (bor := best_overall_response(diameter_sums, progressed)),
        "clinical_benefit": clinical_benefit(bor, progressed, ttp_day, study.follow_up_days),
        "baseline_mean_akt": out.scans[0]["mean_akt"],
        "baseline_mean_er_activity": out.scans[0]["mean_er_activity"],
    }
    return out


def _pathway(lesions: list[list[Tumour]], exposure) -> dict:
    """Mean Akt / mTORC1 / ER activity over viable cells of all lesions (what no scan shows)."""
    tumours = [t for lesion in lesions for t in lesion if t.n_agents]
    viable = [fate.is_viable(t.status) for t in tumours]
    n = sum(int(v.sum()) for v in viable)
    out = {"viable_fraction": n / max(1, sum(t.n_agents for t in tumours))}
    for name, attr in (("mean_akt", "akt"), ("mean_mtorc1", "mtorc1"),
                       ("mean_er_activity", "er_activity")):
        total = sum(float(getattr(t, attr)[v].sum()) for t, v in zip(tumours, viable, strict=True))
        out[name] = total / n if n else float("nan")
    out["akt_activated_share"] = (sum(int(v.sum()) for t, v in zip(tumours, viable, strict=True)
                                      if t.genotype.name == "akt_activated") / n if n else np.nan)
    out["aromatase_inhibition"] = float(exposure.aromatase_inhibition)
    out["mtorc1_inhibition"] = float(exposure.mtorc1_inhibition)
    return out


@dataclass
class TrialResult:
    """Tidy tables of a virtual-patient trial."""

    patients: pd.DataFrame
    scans: pd.DataFrame
    warnings: list[str]


def run_trial(study: PatientStudy, jobs: int = 1, executor: Executor | None = None,
              progress: Callable[[str, int], Callable[[], None]] | None = None) -> TrialResult:
    """Run every patient of every arm (in parallel if ``jobs`` > 1 or an executor is given)."""
    tasks = [(study, arm, i) for arm in study.arms for i in range(study.patients_per_arm)]
    tick = progress("patients", len(tasks)) if progress else None
    outcomes: list[PatientOutcome] = run_tasks(simulate_patient, tasks, jobs, executor, tick)
    patients = pd.DataFrame([o.patient for o in outcomes])
    scans = pd.DataFrame([r for o in outcomes for r in o.scans])
    warnings = []
    for arm, g in patients.groupby("arm", sort=False):
        if g["progressed"].sum() < max(5, 0.2 * len(g)):
            warnings.append(f"{arm}: only {int(g['progressed'].sum())} of {len(g)} patients "
                            f"progressed within {study.follow_up_months:g} months; the median may "
                            f"not be reached and the HR CI is wide")
    return TrialResult(patients, scans, warnings)
