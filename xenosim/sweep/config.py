"""Sweep configs: a base experiment, the parameters to vary and the design that samples them.

```yaml
sweep: cci779_dose
base: ../degraffenried2004.yaml       # relative to this file
seed: 779                             # sweep seed: task seeds derive from it and the parameters
replicates: 2                         # replicate seeds per parameter point
overrides: {mice_per_arm: 4}          # merged into the base for every task
design: {method: grid}                # grid | random | lhs | sobol | morris (n, levels)
parameters:
  - name: cci779_dose_mg_kg           # column name in the results
    path: ["arms.cci779.regimens[0].dose", "arms.tamoxifen+cci779.regimens[1].dose"]
    values: [1, 2.5, 5, 10, 20, 40]   # grid values; or low/high (+ scale: log, num: for grids)
response: {cell_line: mcf7_myr_akt, arm: tamoxifen+cci779, metric: growth_rate_per_day}
```

A parameter's ``path`` addresses any key of the experiment config (``parameters.<name>`` for the
model parameters of ``xenosim params``); several paths get the same value. Every value a design
can produce is checked against the experiment schema when the sweep is loaded, so a bad path or
value is a located config error before any task runs.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from xenosim.core.config import (
    STRICT_CONFIG,
    ConfigError,
    ConfigErrors,
    SafeName,
    Seed,
    located_errors,
    read_config_mapping,
    set_path,
    split_path,
)
from xenosim.xenograft.config import validate_dict

METRICS = ("growth_rate_per_day", "fold_change_final", "final_volume_mm3", "n_endpoint",
           "mean_akt", "mean_mtorc1", "mean_er_activity", "er_share_ser167")
METHODS = ("grid", "random", "lhs", "sobol", "morris")


class _Strict(BaseModel):
    model_config = STRICT_CONFIG


class SweepParameter(_Strict):
    """One varied quantity: its column name, the config path(s) it sets, and its range."""

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    path: str | list[str]
    values: list[float] | None = None
    low: float | None = None
    high: float | None = None
    scale: Literal["linear", "log"] = "linear"
    num: Annotated[int, Field(ge=2, le=1000)] | None = None  # grid points between low and high
    integer: bool = False  # round values to whole numbers (e.g. mice_per_arm)

    @model_validator(mode="after")
    def _range(self) -> SweepParameter:
        if self.values is None and (self.low is None or self.high is None):
            raise ValueError("give either values: [...] or low and high")
        if self.values is not None and len(self.values) == 0:
            raise ValueError("values is empty")
        if self.low is not None and self.high is not None:
            if not self.high > self.low:
                raise ValueError(f"high ({self.high:g}) must be above low ({self.low:g})")
            if self.scale == "log" and self.low <= 0:
                raise ValueError("a log scale needs low > 0")
        return self

    @property
    def paths(self) -> list[str]:
        return [self.path] if isinstance(self.path, str) else list(self.path)

    def grid_values(self) -> list[float | int]:
        """Values of this parameter in a grid design."""
        import numpy as np

        if self.values is not None:
            values = [float(v) for v in self.values]
        elif self.scale == "log":
            values = [float(v) for v in np.geomspace(self.low, self.high, self.num or 5)]
        else:
            values = [float(v) for v in np.linspace(self.low, self.high, self.num or 5)]
        return list(dict.fromkeys(self._cast(v) for v in values))

    def _cast(self, value: float) -> float | int:
        return int(round(value)) if self.integer else float(value)

    def from_unit(self, u: float) -> float | int:
        """Map u in [0, 1] onto [low, high] (log-uniform on a log scale)."""
        import math

        if self.low is None or self.high is None:
            raise ValueError(f"{self.name}: sampled designs need low and high")
        if self.scale == "log":
            value = math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        else:
            value = self.low + u * (self.high - self.low)
        return self._cast(value)


class Design(_Strict):
    """How the parameter points are chosen."""

    method: Literal["grid", "random", "lhs", "sobol", "morris"] = "grid"
    n: Annotated[int, Field(ge=1, le=100000)] = 16  # samples (random, lhs); base N (sobol);
    # trajectories (morris)
    levels: Annotated[int, Field(ge=2, le=20)] = 4  # morris grid levels


class Response(_Strict):
    """The scalar response the summary, figures and sensitivity indices are about."""

    cell_line: str
    arm: str
    metric: Literal[METRICS] = "growth_rate_per_day"  # type: ignore[valid-type]
    #: a contrast: the metric of ``arm`` minus that of this arm, per task (e.g. the headline
    #: effect tamoxifen+cci779 vs tamoxifen); the sensitivity indices are then about the contrast
    relative_to: str | None = None


class SweepConfig(_Strict):
    """A whole sweep."""

    sweep: SafeName
    description: str = ""
    base: str
    seed: Seed = 0
    replicates: Annotated[int, Field(ge=1, le=1000)] = 1
    overrides: dict[str, Any] = {}
    cell_lines: list[str] | None = None  # cell lines of the base to keep (default: all)
    arms: list[str] | None = None  # arms of the base to keep (default: all)
    design: Design = Design()
    parameters: list[SweepParameter]
    response: Response | None = None

    @model_validator(mode="after")
    def _unique(self) -> SweepConfig:
        names = [p.name for p in self.parameters]
        if not names:
            raise ValueError("at least one parameter is needed")
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"parameter names must be unique; repeated: {', '.join(sorted(dup))}")
        if self.design.method != "grid":
            for p in self.parameters:
                if p.low is None or p.high is None:
                    raise ValueError(f"parameter {p.name!r}: design {self.design.method!r} "
                                     f"samples a range; give low and high")
        return self


def deep_merge(base: dict, extra: dict) -> dict:
    """A copy of ``base`` with ``extra`` merged in (mappings recursively, anything else replaced)."""
    out = copy.deepcopy(base)
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


class LoadedSweep:
    """A validated sweep: its config, the base experiment mapping (overrides merged) and file."""

    def __init__(self, config: SweepConfig, base_raw: dict, file: str):
        self.config = config
        self.base_raw = base_raw
        self.file = file

    def experiment_raw(self, values: dict[str, float], seed: int) -> dict:
        """The experiment mapping of one task: base, overrides, the task's values and seed."""
        raw = copy.deepcopy(self.base_raw)
        for p in self.config.parameters:
            for path in p.paths:
                set_path(raw, path, values[p.name])
        raw["seed"] = int(seed)
        return raw


def load_sweep(path: str | Path, overrides: dict[str, Any] | None = None) -> LoadedSweep:
    """Read and validate a sweep config and its base experiment; raise located ConfigErrors."""
    path = Path(path)
    name = str(path)
    return load_sweep_dict(read_config_mapping(path, overrides), name, path.parent)


def load_sweep_dict(raw: dict, name: str, base_dir: Path) -> LoadedSweep:
    """Validate a sweep mapping (``base`` is relative to ``base_dir``)."""
    try:
        cfg = SweepConfig.model_validate(raw)
    except ValidationError as err:
        raise located_errors(name, err, SweepConfig) from None
    base_path = (Path(base_dir) / cfg.base).resolve()
    try:
        base_raw = read_config_mapping(base_path)
    except ConfigErrors as exc:
        raise ConfigErrors([ConfigError(name, "base", cfg.base, f"the base experiment: "
                                        f"{e.format()}") for e in exc.errors]) from None
    if "sweep" in base_raw or "calibrate" in base_raw:
        raise ConfigErrors([ConfigError(name, "base", cfg.base, "the base must be an experiment "
                                        "config, not a sweep or calibration config")])
    base_raw = deep_merge(base_raw, cfg.overrides)
    errors = []
    for key in ("cell_lines", "arms"):
        keep = getattr(cfg, key)
        if keep is None:
            continue
        have = base_raw.get(key) or {}
        unknown = [k for k in keep if k not in have]
        if unknown or not keep:
            errors.append(ConfigError(name, key, unknown or keep,
                                      f"not in the base; allowed: {', '.join(have)}"))
        else:
            base_raw[key] = {k: have[k] for k in keep}
    if errors:
        raise ConfigErrors(errors)
    try:
        validate_dict(base_raw, f"{cfg.base} with the sweep's overrides")
    except ConfigErrors as exc:
        raise ConfigErrors([ConfigError(name, f"overrides / base: {e.path}", e.value, e.message)
                            for e in exc.errors]) from None
    loaded = LoadedSweep(cfg, base_raw, name)
    _check_values(loaded)
    _check_response(loaded)
    return loaded


def _check_values(loaded: LoadedSweep) -> None:
    """Every value a design can produce must make a valid experiment (check the extremes)."""
    cfg = loaded.config
    errors: list[ConfigError] = []
    for i, p in enumerate(cfg.parameters):
        candidates = p.grid_values() if cfg.design.method == "grid" else [p.low, p.high]
        for path in p.paths:
            try:
                split_path(path)
            except ValueError as exc:
                errors.append(ConfigError(loaded.file, f"parameters[{i}].path", path, str(exc)))
                break
            for value in candidates:
                raw = copy.deepcopy(loaded.base_raw)
                try:
                    set_path(raw, path, value)
                    validate_dict(raw)
                except KeyError as exc:
                    errors.append(ConfigError(loaded.file, f"parameters[{i}].path", path,
                                              str(exc.args[0])))
                    break
                except ConfigErrors as exc:
                    errors.append(ConfigError(
                        loaded.file, f"parameters[{i}] ({p.name})", value,
                        f"makes an invalid experiment at {path}: " + "; ".join(
                            f"{e.path}: {e.message}" for e in exc.errors)))
                    break
    if errors:
        raise ConfigErrors(errors)


def _check_response(loaded: LoadedSweep) -> None:
    resp = loaded.config.response
    if resp is None:
        return
    errors = []
    lines, arms = loaded.base_raw.get("cell_lines", {}), loaded.base_raw.get("arms", {})
    if resp.cell_line not in lines:
        errors.append(ConfigError(loaded.file, "response.cell_line", resp.cell_line,
                                  f"not a cell line of the base; allowed: {', '.join(lines)}"))
    for key, arm in (("response.arm", resp.arm), ("response.relative_to", resp.relative_to)):
        if arm is not None and arm not in arms:
            errors.append(ConfigError(loaded.file, key, arm,
                                      f"not an arm of the base; allowed: {', '.join(arms)}"))
    if resp.relative_to is not None and resp.relative_to == resp.arm:
        errors.append(ConfigError(loaded.file, "response.relative_to", resp.relative_to,
                                  "must differ from response.arm (a contrast of two arms)"))
    if errors:
        raise ConfigErrors(errors)
