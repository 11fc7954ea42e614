"""The xenograft study config (``Experiment``): host, inoculum, arms, caliper and protocol.

The shared schema pieces (regimens, arms, cell lines, mechanism switches, parameter overrides) and
the located-error reader live in :mod:`xenosim.core.config`; this module adds what only a mouse
study has.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from xenosim.core.config import (
    Arm,
    CellLineSpec,
    ConfigKind,
    LocatedValueError,
    Mechanisms,
    NonNegFloat,
    ParameterOverrides,
    PositiveFloat,
    Regimen,
    SafeName,
    Seed,
    _Strict,
    check_cell_lines,
)
from xenosim.core.genotypes import CELL_LINES
from xenosim.core.parameters import MECHANISM_SWITCHES, SPECIAL_SWITCHES
from xenosim.core.tumour import default_engine


class EstradiolPellet(_Strict):
    """Slow-release estradiol pellet implanted at inoculation (day 0 of the take phase)."""

    dose_mg: Annotated[float, Field(gt=0, le=100)] = 0.72  # pellets hold 0.01-1.7 mg
    release_days: PositiveFloat = 90.0  # 0.72 mg pellets are 90-day pellets (Ingberg 2012)
    replace_every_days: PositiveFloat | None = None  # fresh pellet every N days (long studies)


class Host(_Strict):
    """The mouse: ovariectomised nude mice supplemented with estradiol are the reference."""

    ovariectomised: bool = True
    body_weight_g: Annotated[float, Field(gt=0, le=200)] = 25.0  # a nude mouse is 20-35 g
    baseline_e2_pM: NonNegFloat | None = None  # default: 3 pM ovariectomised, 100 pM intact
    estradiol_pellet: EstradiolPellet | None = EstradiolPellet()
    # given to every mouse from inoculation to study end, e.g. androstenedione for MCF-7 Aro
    supplements: list[Regimen] = []

    def baseline_e2_nM(self) -> float:
        if self.baseline_e2_pM is not None:
            return self.baseline_e2_pM / 1000.0
        return 0.003 if self.ovariectomised else 0.1


class Inoculum(_Strict):
    """Cells injected per mouse and the fraction that establish a tumour (the take)."""

    cells: PositiveFloat = 1.0e7
    take_fraction: Annotated[float, Field(gt=0, le=1)] = 0.3
    take_max_days: PositiveFloat = 70.0


class Caliper(_Strict):
    """Caliper measurements: days of the week measured and lognormal error on L and W."""

    weekday_offsets: Annotated[list[Annotated[float, Field(ge=0, lt=7)]],
                               Field(min_length=1)] = [0.0, 3.0]
    first_take_day: NonNegFloat = 7.0
    cv: Annotated[float, Field(ge=0, le=0.5)] = 0.06
    aspect_ratio: Annotated[float, Field(ge=1)] = 1.3


class Experiment(_Strict):
    """A whole xenograft study."""

    experiment: SafeName
    description: str = ""
    seed: Seed = 0
    cell_lines: dict[str, CellLineSpec]
    host: Host = Host()
    inoculum: Inoculum = Inoculum()
    randomisation_volume_mm3: PositiveFloat = 150.0
    arms: dict[str, Arm]
    mice_per_arm: Annotated[int, Field(ge=1, le=200)] = 8
    spare_mice_fraction: Annotated[float, Field(ge=0, le=2)] = 0.25
    caliper: Caliper = Caliper()
    endpoint_volume_mm3: PositiveFloat = 1500.0
    study_days: PositiveFloat = 56.0
    #: treatment days on which every cell's state is written (snapshots.parquet); [] = none
    snapshot_days: list[Annotated[float, Field(ge=0)]] = []
    time_step_h: Annotated[float, Field(gt=0, le=24)] = 12.0
    cells_per_agent: Annotated[float, Field(ge=1)] = 6000.0
    mechanisms: Mechanisms = Mechanisms()
    parameters: ParameterOverrides = {}
    #: how tumours are stepped (xenosim.core.engines): fused (numba kernels; the default where
    #: numba is installed), numpy (the readable array code), reference (one Mesa agent per cell)
    engine: Literal["fused", "numpy", "reference"] = Field(default_factory=default_engine)

    @field_validator("cell_lines")
    @classmethod
    def _lines(cls, v: dict[str, CellLineSpec]):
        return check_cell_lines(v)

    @field_validator("arms")
    @classmethod
    def _arms(cls, v: dict[str, Arm]):
        if not v:
            raise ValueError("at least one arm is needed")
        return v

    @field_validator("engine")
    @classmethod
    def _engine_installed(cls, v: str) -> str:
        if v == "fused" and default_engine() != "fused":
            raise ValueError("engine 'fused' needs numba, which is not installed here "
                             "(pip install numba); allowed here: numpy, reference")
        return v

    @model_validator(mode="after")
    def _schedules_in_study(self) -> Experiment:
        if self.endpoint_volume_mm3 <= self.randomisation_volume_mm3:
            raise LocatedValueError(("endpoint_volume_mm3",), self.endpoint_volume_mm3,
                                    f"the endpoint must be above the randomisation volume "
                                    f"({self.randomisation_volume_mm3:g} mm3)")
        for arm_name, arm in self.arms.items():
            for i, reg in enumerate(arm.regimens):
                for key in ("start_day", "end_day"):
                    day = getattr(reg, key)
                    if day is not None and day > self.study_days:
                        raise LocatedValueError(
                            ("arms", arm_name, "regimens", i, key), day,
                            f"past the study end; allowed: 0 to study_days "
                            f"({self.study_days:g})")
            for key in ("estradiol_pellet_removal_day", "estradiol_pellet_reimplant_day"):
                day = getattr(arm, key)
                if day is not None and day > self.study_days:
                    raise LocatedValueError(
                        ("arms", arm_name, key), day,
                        f"past the study end; allowed: 0 to study_days ({self.study_days:g})")
        return self

    def mechanism_flags(self) -> dict[str, bool]:
        return self.mechanisms.model_dump()

    def modifiers(self, line: str) -> list[str]:
        spec = self.cell_lines[line]
        return list(spec.modifiers) if spec.modifiers is not None else list(CELL_LINES[line][0])


assert set(Mechanisms.model_fields) == set(MECHANISM_SWITCHES) | set(SPECIAL_SWITCHES)


EXPERIMENT_CONFIG = ConfigKind(Experiment)


def load_experiment(path: str | Path, overrides: dict[str, Any] | None = None) -> Experiment:
    """Read and validate an experiment config; raise ConfigErrors with located messages.
    ``overrides`` keys may be dotted key paths (see :func:`apply_overrides`)."""
    return EXPERIMENT_CONFIG.load(path, overrides)


def validate_dict(raw: dict, name: str = "<config>") -> Experiment:
    """Validate an already-parsed config mapping."""
    return EXPERIMENT_CONFIG.validate(raw, name)


def dump_experiment(exp: Experiment) -> str:
    """The resolved config as YAML (defaults filled in): it reproduces the run."""
    return EXPERIMENT_CONFIG.dump(exp)
