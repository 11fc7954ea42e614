"""In vitro experiment configs: plates of wells, validated with pydantic, located errors.

A config holds ``mode: invitro`` and one or more **plates**. A plate is a design: cell lines x
media x conditions x replicate wells, counted on the listed days. Conditions are the full
factorial product of ``concentrations`` (one list per drug; a single list is a single-agent
dose-response, two lists make a combination matrix) plus any explicit ``conditions``.

Concentration keys carry their unit: ``estradiol_pM``, ``oht_nM`` (4-hydroxytamoxifen),
``tamoxifen_nM``, and ``<drug>_nM`` for every mTORC1 inhibitor of :data:`xenosim.core.drugs.DRUGS`
(rapamycin, cci779). Every problem becomes a :class:`xenosim.core.config.ConfigError` naming the file,
the key path, the value and what is allowed.
"""

from __future__ import annotations

import difflib
import itertools
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    field_validator,
    model_validator,
)

from xenosim.core.config import (
    STRICT_CONFIG,
    CellLineSpec,
    ConfigError,
    ConfigKind,
    Mechanisms,
    ParameterOverrides,
    SafeName,
    Seed,
    check_cell_lines,
)
from xenosim.core.drugs import DRUGS
from xenosim.core.genotypes import CELL_LINES
from xenosim.invitro import params as _params  # noqa: F401  (registers the in vitro parameters)

#: Concentration keys -> (drug, unit, description).
CONCENTRATION_KEYS: dict[str, tuple[str, str, str]] = {
    "estradiol_pM": ("estradiol", "pM", "17beta-estradiol"),
    "oht_nM": ("4-OHT", "nM", "4-hydroxytamoxifen"),
    "tamoxifen_nM": ("tamoxifen", "nM", "tamoxifen (parent drug)"),
    # every library drug that acts on the cells: mTOR inhibitors, the SERD, and aromatase
    # inhibitors with their substrate androstenedione (cells with aromatase, e.g. MCF-7 Aro,
    # make estradiol from it in the dish as in a tumour)
    **{f"{name}_nM": (name, "nM", d.description) for name, d in DRUGS.items()
       if d.target in ("mtorc1", "mtor_kinase", "serd", "aromatase_inhibitor",
                       "aromatase_substrate") and d.alias_of is None},
}
#: Short labels for figures and condition names.
SHORT = {"estradiol_pM": "E2", "oht_nM": "4-OHT", "tamoxifen_nM": "Tam",
         "rapamycin_nM": "Rapa", "cci779_nM": "CCI-779", "everolimus_nM": "Eve",
         "mln0128_nM": "MLN0128", "fulvestrant_nM": "Fulv", "letrozole_nM": "Let",
         "anastrozole_nM": "Ana", "exemestane_nM": "Exe", "androstenedione_nM": "A4"}

ASSAYS = ("proliferation", "reporter")


def short_label(key: str) -> str:
    return SHORT.get(key, CONCENTRATION_KEYS[key][0])


def _check_key(key: str) -> str:
    if key not in CONCENTRATION_KEYS:
        hint = difflib.get_close_matches(key, CONCENTRATION_KEYS, n=1)
        extra = f"; did you mean {hint[0]!r}?" if hint else ""
        raise ValueError(f"unknown drug/concentration key {key!r}; allowed: "
                         f"{', '.join(CONCENTRATION_KEYS)}{extra}")
    return key


class _Strict(BaseModel):
    model_config = STRICT_CONFIG


NonNeg = Annotated[float, Field(ge=0)]


class Medium(_Strict):
    """Culture medium: serum type and share, phenol red, and any added background E2."""

    serum: Literal["fbs", "charcoal_stripped", "none"] = "fbs"
    serum_percent: Annotated[float, Field(ge=0, le=50)] = 10.0
    phenol_red: bool = True
    extra_e2_pM: NonNeg = 0.0
    description: str = ""

    def e2_equivalent_pM(self, p: dict[str, float]) -> float:
        """Estrogenic background of the medium as an E2 concentration (pM).

        FBS contributes its E2 diluted to ``serum_percent``; charcoal-stripped serum counts as
        E2-free (the estrogen-deprived reference of Wiese 1992 that calibrates the model);
        phenol red adds its E2-equivalent (Berthois 1986).
        """
        from xenosim.invitro.params import ESTRADIOL_MW

        e2 = self.extra_e2_pM
        if self.serum == "fbs":
            e2 += p["fbs_e2_pg_per_mL"] * self.serum_percent / 100.0 / ESTRADIOL_MW * 1000.0
        if self.phenol_red:
            e2 += p["phenol_red_e2_equivalent_pM"]
        return e2


BUILTIN_MEDIA: dict[str, Medium] = {
    "full": Medium(serum="fbs", serum_percent=10, phenol_red=True,
                   description="10% FBS with phenol red (estrogenic background)"),
    "stripped": Medium(serum="charcoal_stripped", serum_percent=10, phenol_red=False,
                       description="10% charcoal-stripped FBS, phenol-red-free (estrogen-deprived)"),
}


Concentrations = dict[str, float]


def _known_keys(cond: dict[str, float]) -> dict[str, float]:
    for key in cond:
        _check_key(key)
    return cond


#: One explicitly listed condition, e.g. ``{estradiol_pM: 1000, oht_nM: 100}`` (``{}``: vehicle).
Condition = Annotated[dict[str, NonNeg], AfterValidator(_known_keys)]


class Plate(_Strict):
    """One plate design: lines x media x conditions x replicate wells, counted on ``days``."""

    description: str = ""
    assay: Literal[ASSAYS] = "proliferation"  # type: ignore[valid-type]
    cell_lines: list[str] | None = None  # default: every line of the experiment
    media: list[str] = ["full"]
    seeding_cells_per_well: Annotated[float, Field(gt=0, le=1.0e7)] = 2.0e4  # > a flask
    well_area_cm2: Annotated[float, Field(gt=0)] = 1.9  # 24-well plate
    concentrations: dict[str, list[NonNeg]] = {}
    conditions: list[Condition] = []
    replicates: Annotated[int, Field(ge=1, le=96)] = 3
    days: list[NonNeg] = [0, 2, 4, 6]
    response_day: NonNeg | None = None  # dose-response / synergy day (default: the last day)

    @field_validator("media", mode="before")
    @classmethod
    def _media_list(cls, v):
        return [v] if isinstance(v, str) else v

    @field_validator("concentrations")
    @classmethod
    def _grid(cls, v: dict[str, list[float]]):
        for key, levels in v.items():
            _check_key(key)
            if not levels:
                raise ValueError(f"{key}: the concentration list is empty; give at least one "
                                 f"concentration (0 for vehicle)")
            if len(set(levels)) != len(levels):
                raise ValueError(f"{key}: concentrations repeat ({levels}); list each once")
        return v

    @field_validator("days")
    @classmethod
    def _days(cls, v: list[float]):
        if not v:
            raise ValueError("at least one count day is needed")
        if len(set(v)) != len(v):
            raise ValueError("count days repeat; list each once")
        if max(v) > 60:
            raise ValueError("count days beyond day 60 are not supported (cultures would be "
                             "passaged); allowed: 0-60")
        return sorted(v)

    @model_validator(mode="after")
    def _has_vehicle(self) -> Plate:
        if not any(all(v == 0 for v in c.values()) for c in self.condition_list()):
            raise ValueError("the plate has no vehicle condition (every drug at 0); responses "
                             "and reporter folds are relative to vehicle: add 0 to each "
                             "concentration list or {} to conditions")
        return self

    @model_validator(mode="after")
    def _response_day(self) -> Plate:
        if self.response_day is not None and self.response_day not in self.days:
            raise ValueError(f"response_day={self.response_day:g} is not a count day; allowed: "
                             f"{', '.join(f'{d:g}' for d in self.days)}")
        return self

    # ---- the design ----------------------------------------------------------------------------
    def drug_keys(self) -> list[str]:
        """Concentration keys used on this plate, in a fixed order."""
        used = set(self.concentrations) | {k for c in self.conditions for k in c}
        return [k for k in CONCENTRATION_KEYS if k in used]

    def condition_list(self) -> list[Concentrations]:
        """Factorial grid of ``concentrations`` then explicit ``conditions``, duplicates dropped,
        every condition carrying every key of the plate (0 where not given)."""
        keys = self.drug_keys()
        out: list[Concentrations] = []
        seen: set[tuple] = set()
        grid_keys = list(self.concentrations)
        grid = (itertools.product(*(self.concentrations[k] for k in grid_keys))
                if grid_keys else [()] if not self.conditions else [])
        candidates = [dict(zip(grid_keys, levels, strict=True)) for levels in grid]
        candidates += [dict(c) for c in self.conditions]
        for c in candidates:
            full = {k: float(c.get(k, 0.0)) for k in keys}
            sig = tuple(full[k] for k in keys)
            if sig not in seen:
                seen.add(sig)
                out.append(full)
        return out

    def lines(self, exp: InVitroExperiment) -> list[str]:
        return list(self.cell_lines) if self.cell_lines is not None else list(exp.cell_lines)

    def final_day(self) -> float:
        return self.response_day if self.response_day is not None else self.days[-1]


class Counting(_Strict):
    """Cell counting (Coulter-type): an aliquot is counted (Poisson), plus handling error.

    Defaults are assumed (measurement model, not biology): 10 % of the trypsinised suspension
    counted, ~5 % pipetting / detachment CV, typical of replicate hemocytometer or Coulter counts.
    """

    aliquot_fraction: Annotated[float, Field(gt=0, le=1)] = 0.1
    cv: Annotated[float, Field(ge=0, le=0.5)] = 0.05


class Reporter(_Strict):
    """ERE-luciferase reporter: basal (ER-independent) promoter output plus ER activity,
    normalised per cell (co-transfected control), with lognormal well-to-well error.

    Defaults are assumed: basal output 5 % of maximal ER activity (ERE-tk reporters are
    induced ~10-20 fold by E2 in hormone-starved MCF-7), 12 % well-to-well CV of normalised
    luciferase ratios."""

    basal: Annotated[float, Field(ge=0, le=1)] = 0.05
    cv: Annotated[float, Field(ge=0, le=1)] = 0.12


class ApoptosisAssay(_Strict):
    """Annexin V flow cytometry: ``events`` cells scored per well (binomial sampling)."""

    events: Annotated[int, Field(ge=10)] = 10000


class InVitroExperiment(_Strict):
    """A whole in vitro study: cell lines, media, plates, assay noise, biology overrides."""

    mode: Literal["invitro"]
    experiment: SafeName
    description: str = ""
    seed: Seed = 0
    cell_lines: dict[str, CellLineSpec]
    media: dict[str, Medium] = {}
    plates: dict[str, Plate]
    time_step_h: Annotated[float, Field(gt=0, le=6)] = 1.0
    agents_per_well: Annotated[int, Field(ge=20, le=20000)] = 400
    # assumed: MCF-7 monolayers are confluent at ~1-2e5 cells/cm2 (used for a warning only)
    confluence_cells_per_cm2: Annotated[float, Field(gt=0)] = 1.5e5
    counting: Counting = Counting()
    reporter: Reporter = Reporter()
    apoptosis_assay: ApoptosisAssay = ApoptosisAssay()
    mechanisms: Mechanisms = Mechanisms()
    parameters: ParameterOverrides = {}

    @field_validator("cell_lines")
    @classmethod
    def _lines(cls, v: dict[str, CellLineSpec]):
        return check_cell_lines(v)

    @field_validator("plates")
    @classmethod
    def _plates(cls, v: dict[str, Plate]):
        if not v:
            raise ValueError("at least one plate is needed")
        for name in v:
            if not name or not all(ch.isalnum() or ch in "_-." for ch in name):
                raise ValueError(f"plate name {name!r}: use letters, digits, '_', '-', '.'")
        return v

    def all_media(self) -> dict[str, Medium]:
        return {**BUILTIN_MEDIA, **self.media}

    def mechanism_flags(self) -> dict[str, bool]:
        return self.mechanisms.model_dump()

    def modifiers(self, line: str) -> list[str]:
        spec = self.cell_lines[line]
        return list(spec.modifiers) if spec.modifiers is not None else list(CELL_LINES[line][0])


# ---- loading and errors ---------------------------------------------------------------------
def _cross_errors(exp: InVitroExperiment, file: str) -> list[ConfigError]:
    """Checks across sections (plates name cell lines and media defined elsewhere)."""
    errors = []
    media = exp.all_media()
    for pname, plate in exp.plates.items():
        for i, line in enumerate(plate.cell_lines or []):
            if line not in exp.cell_lines:
                errors.append(ConfigError(file, f"plates.{pname}.cell_lines[{i}]", line,
                                          f"cell line not defined under cell_lines; allowed: "
                                          f"{', '.join(exp.cell_lines)}"))
        if plate.cell_lines is not None and not plate.cell_lines:
            errors.append(ConfigError(file, f"plates.{pname}.cell_lines", [],
                                      "empty list; name at least one cell line or omit the key"))
        if not plate.media:
            errors.append(ConfigError(file, f"plates.{pname}.media", [],
                                      f"empty list; allowed media: {', '.join(media)}"))
        for i, m in enumerate(plate.media):
            if m not in media:
                hint = difflib.get_close_matches(m, media, n=1)
                extra = f"; did you mean {hint[0]!r}?" if hint else ""
                errors.append(ConfigError(file, f"plates.{pname}.media[{i}]", m,
                                          f"unknown medium; allowed: {', '.join(media)} (or define "
                                          f"it under media:){extra}"))
    return errors


def _refine(e: dict, loc: tuple, msg: str, value: Any) -> tuple[tuple, str, Any]:
    """The in vitro wording of pydantic's errors (see :func:`xenosim.core.config.located_errors`)."""
    if e["type"] == "missing" and loc == ("mode",):
        msg += " (in vitro configs need `mode: invitro`)"
    elif e["type"] == "literal_error" and loc == ("mode",):
        msg = "this is not an in vitro config; allowed: invitro"
    elif e["type"] == "greater_than_equal" and ("concentrations" in loc or "conditions" in loc):
        msg = "concentrations cannot be negative; allowed: >= 0"
    unknown = _UNKNOWN_KEY.match(msg)
    if unknown:  # point at the bad key itself, not at the whole mapping
        loc, value = (*loc, unknown["key"]), unknown["key"]
    return loc, msg, value


_UNKNOWN_KEY = re.compile(r"^unknown drug/concentration key '(?P<key>[^']*)'")


INVITRO_CONFIG = ConfigKind(InVitroExperiment, _refine, lambda exp, name: _cross_errors(exp, name))


def validate_invitro(raw: dict, name: str = "<config>") -> InVitroExperiment:
    """Validate an already-parsed in vitro config mapping (raises ConfigErrors)."""
    return INVITRO_CONFIG.validate(raw, name)


def load_invitro(path: str | Path, overrides: dict[str, Any] | None = None) -> InVitroExperiment:
    """Read and validate an in vitro config; raise ConfigErrors with located messages."""
    return INVITRO_CONFIG.load(path, overrides)


def dump_invitro(exp: InVitroExperiment) -> str:
    """The resolved config as YAML (defaults filled in): it reproduces the run."""
    return INVITRO_CONFIG.dump(exp)
