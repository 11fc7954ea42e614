"""Virtual-patient trial configs (``mode: patients``), validated with located, one-screen errors.

A config is a methods section: the population (how each patient's lesions are drawn), the host
(postmenopausal estrogen supply), the arms (human regimens, e.g. ``everolimus 10 mg po daily``),
the scan schedule and the progression rule.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, Field, field_validator, model_validator

from xenosim.core.config import (
    STRICT_CONFIG,
    Arm,
    ConfigKind,
    LocatedValueError,
    Mechanisms,
    ParameterOverrides,
    SafeName,
    Seed,
    config_mode,
)
from xenosim.core.drugs import DRUGS, HUMAN_ROUTES
from xenosim.core.genotypes import MODIFIERS
from xenosim.core.parameters import PARAMETERS

DAYS_PER_MONTH = 30.4375


class _Strict(BaseModel):
    model_config = STRICT_CONFIG


Prob = Annotated[float, Field(ge=0, le=1)]


class Distribution(_Strict):
    """A patient-level random quantity: fixed, beta (mean, sd), lognormal (median, sigma_log) or
    uniform (low, high)."""

    distribution: Literal["fixed", "beta", "lognormal", "uniform"] = "fixed"
    value: float | None = None
    mean: float | None = None
    sd: Annotated[float, Field(gt=0)] | None = None
    median: Annotated[float, Field(gt=0)] | None = None
    sigma_log: Annotated[float, Field(ge=0)] | None = None
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _complete(self) -> Distribution:
        need = {"fixed": ("value",), "beta": ("mean", "sd"), "lognormal": ("median", "sigma_log"),
                "uniform": ("low", "high")}[self.distribution]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {self.distribution} distribution needs {', '.join(need)} "
                             f"(missing: {', '.join(missing)})")
        if self.distribution == "beta":
            if not 0 < self.mean < 1 or self.sd**2 >= self.mean * (1 - self.mean):
                raise ValueError("beta needs 0 < mean < 1 and sd^2 < mean (1 - mean)")
        if self.distribution == "uniform" and self.high < self.low:
            raise ValueError("uniform needs low <= high")
        return self

    def draw(self, rng: np.random.Generator) -> float:
        """One draw (the generator is advanced the same way whatever the distribution)."""
        u = rng.random()
        if self.distribution == "fixed":
            return float(self.value)
        if self.distribution == "uniform":
            return float(self.low + (self.high - self.low) * u)
        if self.distribution == "lognormal":
            from scipy.stats import norm
            return float(self.median * np.exp(self.sigma_log * norm.ppf(u)))
        from scipy.stats import beta
        common = self.mean * (1 - self.mean) / self.sd**2 - 1
        return float(beta.ppf(u, self.mean * common, (1 - self.mean) * common))


def _known_modifiers(v: list[str]) -> list[str]:
    for m in v:
        if m not in MODIFIERS:
            hint = difflib.get_close_matches(m, MODIFIERS, n=1)
            extra = f"; did you mean {hint[0]!r}?" if hint else ""
            raise ValueError(f"unknown genotype modifier {m!r}; allowed: "
                             f"{', '.join(MODIFIERS)}{extra}")
    return v


class Population(_Strict):
    """How a virtual patient's tumour is drawn."""

    description: str = ""
    lesions_min: Annotated[int, Field(ge=1, le=10)] = 1
    lesions_max: Annotated[int, Field(ge=1, le=10)] = 3
    baseline_sum_volume_cm3: Distribution = Distribution(distribution="lognormal", median=15.0,
                                                         sigma_log=0.7)
    base_modifiers: list[str] = ["aromatase"]
    akt_activated_fraction: Distribution = Distribution(distribution="beta", mean=0.1, sd=0.1)
    akt_activated_modifiers: list[str] = ["myr_akt"]
    pi3k_activated_probability: Prob = 0.35
    pi3k_activated_modifiers: list[str] = ["pik3ca_mutant"]
    adapted_probability: Prob = 0.0
    adapted_modifiers: list[str] = ["lted"]
    kinetics_sigma_log: Annotated[float, Field(ge=0, le=2)] = 0.3
    #: share of patients whose tumour carries an ESR1 ligand-binding-domain mutation (Y537S /
    #: D538G-like); in each such patient every lesion starts with ``esr1_mutant_fraction`` of
    #: its cells mutant (the ``esr1_mutant_initial_fraction`` of those lesions)
    esr1_mutant_probability: Prob = 0.0
    esr1_mutant_fraction: Distribution = Distribution(distribution="beta", mean=0.3, sd=0.2)

    _mods = field_validator("base_modifiers", "akt_activated_modifiers",
                            "pi3k_activated_modifiers", "adapted_modifiers")(
        classmethod(lambda cls, v: _known_modifiers(v)))

    @model_validator(mode="after")
    def _ranges(self) -> Population:
        if self.lesions_max < self.lesions_min:
            raise ValueError("lesions_max is below lesions_min")
        return self

    @field_validator("esr1_mutant_fraction")
    @classmethod
    def _share_of_cells(cls, f: Distribution) -> Distribution:
        bounds = {"fixed": (f.value, f.value), "uniform": (f.low, f.high),
                  "beta": (0.0, 1.0)}.get(f.distribution)
        if bounds is None or not 0.0 <= bounds[0] <= bounds[1] <= 1.0:
            raise ValueError(
                f"a share of cells: allowed a beta, or a fixed / uniform distribution within "
                f"[0, 1]; got {f.model_dump(exclude_none=True)}")
        return f


class PatientHost(_Strict):
    """A postmenopausal woman: estrogen comes from aromatisation of adrenal androstenedione."""

    body_weight_kg: Annotated[float, Field(gt=20, le=250)] = 70.0
    serum_e2_pM: Annotated[float, Field(ge=0)] | None = None  # aromatase-made; default registry
    androstenedione_nM: Annotated[float, Field(ge=0)] | None = None  # default registry
    non_aromatase_e2_pM: Annotated[float, Field(ge=0)] = 0.0  # not suppressed by AIs

    def aromatase_e2_nM(self) -> float:
        v = self.serum_e2_pM
        return (PARAMETERS["postmenopausal_serum_e2_pM"].value if v is None else v) / 1000.0

    def androstenedione(self) -> float:
        v = self.androstenedione_nM
        return PARAMETERS["postmenopausal_androstenedione_nM"].value if v is None else v


class Scans(_Strict):
    """Imaging schedule: every N weeks from baseline, lognormal error on each lesion volume."""

    every_weeks: Annotated[float, Field(gt=0, le=52)] = 8.0
    cv: Annotated[float, Field(ge=0, le=0.5)] = 0.1


class Progression(_Strict):
    """Progression at a scan: the measured sum >= (1 + increase) x its nadir (the smallest earlier
    sum, baseline included) and at least a minimum absolute rise above it.

    ``measure: diameters`` (default) is RECIST 1.1 (Eisenhauer 2009 Eur J Cancer 45:228): the sum
    of the lesions' diameters (each lesion's measured volume as a sphere), +20 % and at least
    ``min_increase_mm`` (5 mm) over the nadir; the trials the configs recreate were read by
    RECIST. ``measure: volume``: the summed lesion volume, +``increase_from_nadir`` and at least
    ``min_increase_cm3`` (a +20 % volume rule is about 6 % on diameters: far earlier)."""

    measure: Literal["diameters", "volume"] = "diameters"
    increase_from_nadir: Annotated[float, Field(gt=0, le=5)] = 0.2
    min_increase_mm: Annotated[float, Field(ge=0)] | None = None
    min_increase_cm3: Annotated[float, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _minimum_of_its_measure(self):
        if self.measure == "diameters" and self.min_increase_cm3 is not None:
            raise LocatedValueError(
                ("min_increase_cm3",), self.min_increase_cm3,
                "applies to measure: volume (add measure: volume to keep a summed-volume rule); "
                "with measure: diameters (RECIST 1.1, the default) the minimum rise is "
                "min_increase_mm (default 5)")
        if self.measure == "volume" and self.min_increase_mm is not None:
            raise LocatedValueError(
                ("min_increase_mm",), self.min_increase_mm,
                "applies to measure: diameters (RECIST); with measure: volume the minimum rise "
                "is min_increase_cm3")
        return self

    def minimum_rise(self) -> float:
        """The minimum absolute rise over the nadir, in the measure's unit (mm or mm3)."""
        if self.measure == "diameters":
            return 5.0 if self.min_increase_mm is None else self.min_increase_mm
        return 1000.0 * (self.min_increase_cm3 or 0.0)


class PatientStudy(_Strict):
    """A virtual-patient trial."""

    mode: Literal["patients"]
    experiment: SafeName
    description: str = ""
    seed: Seed = 0
    patients_per_arm: Annotated[int, Field(ge=2, le=5000)] = 60
    population: Population = Population()
    host: PatientHost = PatientHost()
    arms: dict[str, Arm]
    reference_arm: str | None = None
    scans: Scans = Scans()
    progression: Progression = Progression()
    follow_up_months: Annotated[float, Field(gt=0, le=120)] = 24.0
    time_step_h: Annotated[float, Field(gt=0, le=24)] = 24.0
    run_in_days: Annotated[float, Field(ge=0, le=365)] = 14.0  # untreated, before baseline scan
    agents_per_patient: Annotated[int, Field(ge=50, le=100000)] = 600
    mechanisms: Mechanisms = Mechanisms(hypoxia=False)
    parameters: ParameterOverrides = {}

    @field_validator("arms")
    @classmethod
    def _arms(cls, v: dict[str, Arm]):
        if len(v) < 2:
            raise ValueError("a trial needs at least two arms")
        for name, arm in v.items():
            if arm.pellet_removal_day() is not None or arm.estradiol_pellet_reimplant_day is not None:
                raise ValueError(f"arms.{name}: remove_estradiol_pellet does not apply to patients")
            for i, reg in enumerate(arm.regimens):
                d = DRUGS[reg.drug]
                if reg.route not in HUMAN_ROUTES:
                    how = "" if "route" in reg.model_fields_set else " (the default when no " \
                                                                     "route is given)"
                    raise ValueError(f"arms.{name}.regimens[{i}].route: {reg.route!r}{how} is a "
                                     f"laboratory-animal route; a patient regimen needs one of "
                                     f"{', '.join(r for r in HUMAN_ROUTES if r in d.routes)} "
                                     f"for {reg.drug}")
                if d.human is None:
                    raise ValueError(f"arms.{name}.regimens[{i}]: {reg.drug} has no human PK in "
                                     f"the library; drugs with human PK: "
                                     f"{', '.join(k for k, x in DRUGS.items() if x.human)}")
        return v

    @model_validator(mode="after")
    def _reference(self) -> PatientStudy:
        if self.reference_arm is not None and self.reference_arm not in self.arms:
            raise ValueError(f"reference_arm {self.reference_arm!r} is not one of the arms "
                             f"({', '.join(self.arms)})")
        days = self.follow_up_months * DAYS_PER_MONTH
        for name, arm in self.arms.items():
            for i, reg in enumerate(arm.regimens):
                if reg.start_day > days:
                    raise ValueError(f"arms.{name}.regimens[{i}].start_day={reg.start_day:g} is "
                                     f"after the end of follow-up ({days:g} days)")
        return self

    @property
    def reference(self) -> str:
        return self.reference_arm or next(iter(self.arms))

    @property
    def follow_up_days(self) -> float:
        return self.follow_up_months * DAYS_PER_MONTH

    def mechanism_flags(self) -> dict[str, bool]:
        return self.mechanisms.model_dump()


def is_patient_config(path: str | Path) -> bool:
    """True if the YAML file declares ``mode: patients`` (unreadable files: False)."""
    return config_mode(path) == "patients"


PATIENT_CONFIG = ConfigKind(PatientStudy)


def load_patient_study(path: str | Path, overrides: dict[str, Any] | None = None) -> PatientStudy:
    """Read and validate a virtual-patient config; ConfigErrors with located messages."""
    return PATIENT_CONFIG.load(path, overrides)


def validate_patient_dict(raw: dict, name: str = "<config>") -> PatientStudy:
    """Validate an already-parsed virtual-patient config mapping."""
    return PATIENT_CONFIG.validate(raw, name)


def dump_patient_study(study: PatientStudy) -> str:
    """The resolved config as YAML (defaults filled in): it reproduces the run."""
    return PATIENT_CONFIG.dump(study)
