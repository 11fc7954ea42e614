"""How fast an untreated patient lesion grows in the model: the check behind the human kinetics.

``patient_kinetics_scale`` (assumed, 0.1) slows division and basal loss of patient lesions
relative to the xenograft, for breast cancer volume doubling times of 2-6 months (Friberg &
Mattson 1997; Kuroishi 1990) against 1-2 weeks for MCF-7 xenografts. This module measures what
that gives: the untreated lesion of the median AI-naive patient (parental ER+ cells with tumour
aromatase, her host's estrogen supply, her own kinetics factor 1, well perfused) stepped as a
trial steps it. A test holds it inside the sourced range (``DOUBLING_RANGE_DAYS``); the scale was
chosen for that range, so the doubling time is not independent evidence, what the trials then
show is.
"""

from __future__ import annotations

import numpy as np

from xenosim.core.stepping import step_until
from xenosim.core.tumour import Tumour
from xenosim.patients.config import PatientStudy

#: Untreated breast cancer volume doubling, 2-6 months (Friberg & Mattson 1997), in days.
DOUBLING_RANGE_DAYS = (60.0, 180.0)
MEDIAN_TRAITS = {"pi3k_activated": False, "adapted": False, "kinetics_scale_rel": 1.0,
                 "esr1_mutant": False}


def untreated_doubling_days(study: PatientStudy, scale: float | None = None,
                            n_agents: int = 2000, days: float = 150.0, settle_days: float = 30.0,
                            seed: int = 0) -> float:
    """Volume doubling time (days) of the median patient's untreated parental lesion: one lesion
    of ``n_agents`` agents stepped like a trial's lesions under the host's estrogen supply, the
    log-linear slope of its volume from ``settle_days`` (signalling and cycle states settled)
    to ``days``. ``scale``: a ``patient_kinetics_scale`` to try (default: the study's)."""
    from xenosim.patients.runner import patient_genotypes, patient_parameters, untreated_exposure

    if scale is not None:
        study = study.model_copy(update={"parameters": {**study.parameters,
                                                        "patient_kinetics_scale": scale}})
    p, _ = patient_parameters(study, MEDIAN_TRAITS)
    parental, _ = patient_genotypes(study, MEDIAN_TRAITS)
    tumour = Tumour(parental, n_agents, 1.0, p, np.random.default_rng(seed),
                    hypoxia=study.mechanisms.hypoxia)
    exposure = untreated_exposure(study)
    dt = study.time_step_h
    days_seen, volumes = [], []

    def step(start_h: float, dt_h: float) -> None:
        tumour.step(exposure, dt_h)
        day = (start_h + dt_h) / 24.0
        if day >= settle_days:
            days_seen.append(day)
            volumes.append(tumour.volume_mm3)

    step_until(step, 0.0, days * 24.0, dt)
    slope = float(np.polyfit(days_seen, np.log(volumes), 1)[0])
    return float(np.log(2.0) / slope) if slope > 0 else float("inf")
