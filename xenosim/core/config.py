"""Config reading shared by every mode: YAML validated with pydantic, one-screen errors for people.

Every invalid input (unknown key, unknown drug, negative dose, schedule past the study end, wrong
type, missing file, YAML syntax error) becomes a :class:`ConfigError` naming the file, the key path,
the bad value and what is allowed.
"""

from __future__ import annotations

import difflib
import math
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from xenosim.core.config_errors import ConfigError, ConfigErrors
from xenosim.core.drugs import DRUGS, ROUTES
from xenosim.core.genotypes import CELL_LINES, MODIFIERS
from xenosim.core.parameters import PARAMETERS


def _known_parameters(v: dict[str, float]) -> dict[str, float]:
    for name in v:
        if name not in PARAMETERS:
            hint = difflib.get_close_matches(name, PARAMETERS, n=1)
            extra = f"; did you mean {hint[0]!r}?" if hint else ""
            raise ValueError(f"unknown parameter {name!r} (see `xenosim params`){extra}")
    return v


#: A config's ``parameters:`` block: registry parameter -> value (unknown names rejected).
ParameterOverrides = Annotated[dict[str, float], AfterValidator(_known_parameters)]


#: The pydantic settings of every config model: unknown keys refused, values frozen, and no NaN
#: or infinity in a float field (an ``inf`` dose or body weight would run and mean nothing).
STRICT_CONFIG = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class _Strict(BaseModel):
    model_config = STRICT_CONFIG


def _safe_name(v: str) -> str:
    if set(v) <= {"."}:
        raise ValueError("a name made only of dots is a path component ('.' or '..'), not a "
                         "name; use letters, digits, '_', '-' or '.'")
    return v


#: An experiment / sweep / calibration name: it becomes a directory name under ``--out``, so
#: it must be one safe path component of bounded length.
SafeName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$", max_length=100),
                     AfterValidator(_safe_name)]
#: A random seed: a whole number >= 0 (``true`` is not 1).
Seed = Annotated[int, Field(ge=0, strict=True)]


PositiveFloat = Annotated[float, Field(gt=0)]
NonNegFloat = Annotated[float, Field(ge=0)]

_SCHEDULE = re.compile(
    r"^\s*(?P<base>once|daily|every\s+(?P<every>\d+(?:\.\d+)?)\s+days?)"
    r"(?:\s+x\s*(?P<n>\d+)\s+every\s+(?P<cycle>\d+(?:\.\d+)?)\s+days?)?\s*$",
    re.IGNORECASE,
)
SCHEDULE_HELP = ("'once', 'daily', 'every N days', or any of those followed by "
                 "'xK every C days' (e.g. 'daily x5 every 7 days')")


def parse_schedule(text: str) -> tuple[float | None, int | None, float | None]:
    """'daily x5 every 7 days' -> (interval_days, doses_per_cycle, cycle_days); once -> Nones."""
    m = _SCHEDULE.match(text)
    if not m:
        raise ValueError(f"unreadable schedule; allowed: {SCHEDULE_HELP}")
    base = m["base"].lower()
    interval = None if base == "once" else 1.0 if base == "daily" else float(m["every"])
    n = int(m["n"]) if m["n"] else None
    cycle = float(m["cycle"]) if m["cycle"] else None
    if n is not None and interval is None:
        raise ValueError("'once' cannot repeat in cycles")
    if interval is not None and interval <= 0:
        raise ValueError("the dosing interval must be > 0 days ('every 0 days' would dose "
                         "without end)")
    if n is not None and n < 1:
        raise ValueError("doses per cycle must be >= 1")
    if cycle is not None and cycle <= 0:
        raise ValueError("the cycle length must be > 0 days")
    if n is not None and interval is not None and cycle is not None and \
            (n - 1) * interval >= cycle:
        raise ValueError(f"{n} doses every {interval:g} days do not fit in a {cycle:g}-day "
                         f"cycle")
    return interval, n, cycle


class Regimen(_Strict):
    """One drug line of an arm, e.g. CCI-779 20 mg/kg i.p. daily x5 every 7 days from day 0."""

    drug: str
    dose: Annotated[float, Field(gt=0, le=1.0e4)]  # mg/kg or mg; above 10 g is a typo
    dose_unit: Literal["mg/kg", "mg"] = "mg/kg"
    route: Literal[ROUTES] = "ip"  # type: ignore[valid-type]
    schedule: str = "daily"
    start_day: NonNegFloat = 0.0
    end_day: NonNegFloat | None = None
    release_days: PositiveFloat | None = None  # pellets only
    # drug holidays: [first_day, last_day] pairs (study days, inclusive) with no doses
    holidays: list[tuple[NonNegFloat, NonNegFloat]] = []

    @field_validator("drug")
    @classmethod
    def _known_drug(cls, v: str) -> str:
        if v not in DRUGS:
            hint = difflib.get_close_matches(v, DRUGS, n=1)
            extra = f"; did you mean {hint[0]!r}?" if hint else ""
            raise ValueError(f"unknown drug; allowed: {', '.join(DRUGS)}{extra}")
        return v

    @field_validator("schedule")
    @classmethod
    def _readable_schedule(cls, v: str) -> str:
        parse_schedule(v)
        return v

    @model_validator(mode="after")
    def _route_fits(self) -> Regimen:
        allowed = DRUGS[self.drug].routes
        if self.route not in allowed:
            raise ValueError(f"route {self.route!r} not available for {self.drug}; allowed: "
                             f"{', '.join(allowed)}")
        if self.route == "pellet" and self.release_days is None:
            raise ValueError("a pellet needs release_days")
        if self.end_day is not None and self.end_day < self.start_day:
            raise ValueError("end_day is before start_day")
        for first, last in self.holidays:
            if last < first:
                raise ValueError(f"holiday [{first:g}, {last:g}] ends before it starts")
        return self

    def describe(self) -> str:
        """Methods-section text, e.g. 'cci779 20 mg/kg ip daily x5 every 7 days from day 0'."""
        return f"{self.drug} {self.dose:g} {self.dose_unit} {self.route} {self.schedule} from day {self.start_day:g}"


class Arm(_Strict):
    """A treatment arm: its regimens, and whether the estradiol pellet is removed at day 0."""

    label: str = ""
    regimens: list[Regimen] = []
    remove_estradiol_pellet: bool = False
    # study days (0 = randomisation): take the pellet out (withdrawal) / put a fresh one in
    # (re-challenge) on a given day; remove_estradiol_pellet is the same as removal on day 0
    estradiol_pellet_removal_day: NonNegFloat | None = None
    estradiol_pellet_reimplant_day: NonNegFloat | None = None

    @model_validator(mode="after")
    def _pellet_events(self) -> Arm:
        out, back = self.estradiol_pellet_removal_day, self.estradiol_pellet_reimplant_day
        if out is not None and self.remove_estradiol_pellet:
            raise ValueError("give remove_estradiol_pellet or estradiol_pellet_removal_day, "
                             "not both")
        if back is not None:
            first_out = 0.0 if self.remove_estradiol_pellet else out
            if first_out is None:
                raise ValueError("estradiol_pellet_reimplant_day needs the pellet removed first "
                                 "(estradiol_pellet_removal_day or remove_estradiol_pellet)")
            if back <= first_out:
                raise ValueError(f"estradiol_pellet_reimplant_day ({back:g}) must be after the "
                                 f"removal day ({first_out:g})")
        return self

    def pellet_removal_day(self) -> float | None:
        """Study day the estradiol pellet is taken out, or None."""
        return 0.0 if self.remove_estradiol_pellet else self.estradiol_pellet_removal_day


def check_cell_lines(v: dict) -> dict:
    """A config's ``cell_lines:``: at least one, and custom names need their modifiers."""
    if not v:
        raise ValueError("at least one cell line is needed")
    for name, spec in v.items():
        if spec.modifiers is None and name not in CELL_LINES:
            raise ValueError(f"cell line {name!r} is not built in ({', '.join(CELL_LINES)}); "
                             f"give its modifiers")
    return v


class CellLineSpec(_Strict):
    """A cell line as genotype modifiers (built-in lines need none)."""

    modifiers: list[str] | None = None
    description: str = ""

    @field_validator("modifiers")
    @classmethod
    def _known_modifiers(cls, v):
        for m in v or []:
            if m not in MODIFIERS:
                raise ValueError(f"unknown genotype modifier {m!r}; allowed: {', '.join(MODIFIERS)}")
        return v


class Mechanisms(_Strict):
    """Mechanism switches: set one false to ablate it."""

    s6k1_irs1_feedback: bool = True
    ser167_er_link: bool = True
    tamoxifen_partial_agonism: bool = True
    akt_survival: bool = True
    heterogeneity: bool = True
    hypoxia: bool = True
    torc2_akt_link: bool = True  # TORC1/2 kinase inhibitors cut mTORC2 -> Akt S473
    er_degradation: bool = True  # fulvestrant degrades ER protein
    tumour_aromatase: bool = True  # aromatase-expressing tumours make E2 from androstenedione
    ires_translation: bool = True  # Akt-suppressed cap-independent translation (Gera 2004)
    lted_adaptation: bool = True  # estrogen-deprived cells adapt (LTED-like), inherited
    esr1_mutation: bool = True  # ESR1-mutant clones (pre-existing / acquired; 0 by default)
    hypoxia_mtorc1: bool = True  # hypoxia turns mTORC1 off via REDD1 / TSC2 (Brugarolas 2004)


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """Allowed field names at a location, for 'did you mean' on unknown keys."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        fields = getattr(current, "model_fields", None)
        if fields is None or part not in fields:
            # dict values (arms.<name>) and lists: descend into their item type
            continue
        ann = fields[part].annotation
        current = _model_in(ann)
    return list(getattr(current, "model_fields", {}) or [])


def _model_in(ann: Any):
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in getattr(ann, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class LocatedValueError(ValueError):
    """A cross-field check's failure that knows the key path and value it is about (a model
    validator's own location is the whole model, which would tell the user nothing)."""

    def __init__(self, loc: tuple, value: Any, message: str):
        super().__init__(message)
        self.loc, self.value = loc, value


def located_errors(file: str, err: ValidationError, root: type[BaseModel],
                   refine: Callable[[dict, tuple, str, Any], tuple[tuple, str, Any]] | None = None,
                   ) -> ConfigErrors:
    """pydantic errors -> located ConfigErrors: key path, value, and what is allowed (for an
    unknown key: the keys allowed there under ``root``, with a 'did you mean'). ``refine``
    lets a config kind reword its own cases: ``(error, loc, msg, value) -> (loc, msg, value)``."""
    errors = []
    for e in err.errors():
        loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        msg = e["msg"].removeprefix("Value error, ")
        located = (e.get("ctx") or {}).get("error")
        if isinstance(located, LocatedValueError):
            errors.append(ConfigError(file, _path(loc + located.loc), located.value, str(located)))
            continue
        if e["type"] == "extra_forbidden":
            allowed = _fields_at(root, loc)
            hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            msg = "unknown key; allowed here: " + ", ".join(allowed)
            if hint:
                msg += f"; did you mean {hint[0]!r}?"
        elif e["type"] == "missing":
            msg = "required key is missing"
        value = e.get("input") if e["type"] != "missing" else None
        if refine is not None:
            loc, msg, value = refine(e, loc, msg, value)
        if isinstance(value, dict) and e["type"] != "extra_forbidden":
            value = "{...}"
        errors.append(ConfigError(file, _path(loc), value, msg))
    return ConfigErrors(errors)


#: Config files larger than this are refused (a config is a page of YAML; megabytes mean a
#: wrong file or a hostile one).
MAX_CONFIG_BYTES = 1_000_000
#: YAML aliases (``*name``) allowed in one file, and how deep mappings / lists may nest: beyond
#: these a file is an alias bomb or machine-made, and expanding it could exhaust memory or stack.
MAX_YAML_ALIASES = 100
MAX_YAML_DEPTH = 40


class _ConfigLoadError(Exception):
    """A located problem found while reading the YAML text (becomes a ConfigError)."""

    def __init__(self, where: str, message: str):
        super().__init__(message)
        self.where, self.message = where, message


def _mark(node_or_mark) -> str:
    mark = getattr(node_or_mark, "start_mark", node_or_mark)
    return f"<YAML line {mark.line + 1}, column {mark.column + 1}>" if mark else "<YAML>"


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, too many aliases and too deep nesting."""

    def __init__(self, stream):
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                raise _ConfigLoadError(_mark(self.peek_event()),
                                       f"more than {MAX_YAML_ALIASES} YAML aliases (*name); "
                                       f"write the values out")
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise _ConfigLoadError(_mark(self.peek_event()),
                                       f"YAML nested deeper than {MAX_YAML_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise _ConfigLoadError(_mark(key_node), "a mapping key must be a plain value") from None
            if key in seen:
                first = seen[key].start_mark.line + 1
                raise _ConfigLoadError(_mark(key_node), f"duplicate key {key!r} (first given on "
                                                        f"line {first}); give each key once")
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def _non_finite(node: Any, loc: tuple = ()) -> tuple[tuple, Any] | None:
    """The first NaN / infinite number (or boolean seed) in a parsed config, with its key path."""
    if isinstance(node, float) and not math.isfinite(node):
        return loc, node
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "seed" and isinstance(v, bool):
                return loc + (k,), v
            found = _non_finite(v, loc + (str(k),))
            if found:
                return found
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found = _non_finite(v, loc + (i,))
            if found:
                return found
    return None


def read_config_yaml(path: str | Path) -> Any:
    """The parsed YAML of a config file, refusing what could hang, exhaust memory or silently
    change meaning: a missing or non-regular file (FIFO, device), one over
    :data:`MAX_CONFIG_BYTES`, text that is not UTF-8, a YAML syntax error, duplicate keys,
    alias bombs, deep nesting, and NaN / infinite numbers. Raises located ConfigErrors."""
    path = Path(path)
    name = str(path)
    try:
        st = path.stat()
    except OSError:
        raise ConfigErrors([ConfigError(name, "", name, "config file not found")]) from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file (a FIFO, " \
            "device or socket)"
        raise ConfigErrors([ConfigError(name, "", name, f"the config is {kind}; give a YAML "
                                                        f"file")])
    if st.st_size > MAX_CONFIG_BYTES:
        raise ConfigErrors([ConfigError(name, "", f"{st.st_size} bytes",
                                        f"config file too large; allowed: up to "
                                        f"{MAX_CONFIG_BYTES} bytes")])
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigErrors([ConfigError(name, "", name, f"cannot read the config: "
                                                        f"{exc.strerror or exc}")]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ConfigErrors([ConfigError(name, f"<line {line}, byte {exc.start}>",
                                        data[exc.start:exc.start + 4],
                                        "the file is not UTF-8 text; save it as UTF-8")]) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        raw = yaml.load(text, Loader=_StrictLoader)  # noqa: S506  (a SafeLoader subclass)
    except _ConfigLoadError as exc:
        raise ConfigErrors([ConfigError(name, exc.where, None, exc.message)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigErrors([ConfigError(name, f"<YAML {where}>", None,
                                        f"YAML syntax error: {problem}")]) from None
    except RecursionError:
        raise ConfigErrors([ConfigError(name, "", None, "YAML nested too deeply")]) from None
    found = _non_finite(raw)
    if found:
        loc, value = found
        what = ("a seed must be a whole number >= 0, not true/false" if isinstance(value, bool)
                else "numbers must be finite; NaN and infinity are not allowed")
        raise ConfigErrors([ConfigError(name, _path(loc), value, what)])
    return raw


def config_mode(path: str | Path) -> str | None:
    """The ``mode:`` a config file declares (``invitro``, ``patients``; None for a xenograft
    study and for any file that cannot be read: its own loader reports those problems)."""
    try:
        raw = read_config_yaml(path)
    except ConfigErrors:
        return None
    mode = raw.get("mode") if isinstance(raw, dict) else None
    return mode if isinstance(mode, str) else None


def config_kind(path: str | Path) -> str:
    """What a config file is: ``sweep`` (top-level ``sweep:``), ``calibration``
    (``calibrate:``), ``invitro``, ``patients``, or ``xenograft`` (anything else, unreadable
    files included: the loader of that kind reports their problems)."""
    try:
        raw = read_config_yaml(path)
    except ConfigErrors:
        return "xenograft"
    if isinstance(raw, dict):
        if "sweep" in raw and "base" in raw:
            return "sweep"
        if "calibrate" in raw and "base" in raw:
            return "calibration"
        if raw.get("mode") in ("invitro", "patients"):
            return raw["mode"]
    return "xenograft"


def read_config_mapping(path: str | Path, overrides: dict[str, Any] | None = None) -> dict:
    """Read a YAML config file into a mapping with ``overrides`` applied; every reading problem
    (see :func:`read_config_yaml`) or a non-mapping raises located ConfigErrors."""
    name = str(path)
    raw = read_config_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigErrors([ConfigError(name, "", raw, "the file must hold a YAML mapping")])
    apply_overrides(raw, overrides or {}, name)
    return raw


class ConfigKind[M: BaseModel]:
    """Load, validate and dump one kind of config (xenograft, in vitro, patients) the same way:
    read the YAML strictly, apply key-path overrides, validate with the pydantic ``model``,
    turn its errors into located ConfigErrors (``refine`` may reword a kind's own cases), run the
    kind's cross-field checks (``cross_check(obj, name) -> list[ConfigError]``), and dump the
    resolved config (defaults filled in) as YAML that reproduces the run."""

    def __init__(self, model: type[M],
                 refine: Callable[[dict, tuple, str, Any], tuple[tuple, str, Any]] | None = None,
                 cross_check: Callable[[M, str], list[ConfigError]] | None = None):
        self.model, self.refine, self.cross_check = model, refine, cross_check

    def validate(self, raw: dict, name: str = "<config>") -> M:
        """Validate an already-parsed config mapping (raises ConfigErrors)."""
        try:
            obj = self.model.model_validate(raw)
        except ValidationError as err:
            raise located_errors(name, err, self.model, self.refine) from None
        errors = self.cross_check(obj, name) if self.cross_check else []
        if errors:
            raise ConfigErrors(errors)
        return obj

    def load(self, path: str | Path, overrides: dict[str, Any] | None = None) -> M:
        """Read and validate a config file; ``overrides`` keys may be dotted key paths."""
        return self.validate(read_config_mapping(path, overrides), str(path))

    @staticmethod
    def dump(obj: BaseModel) -> str:
        """The resolved config as YAML (defaults filled in): it reproduces the run."""
        return yaml.safe_dump(obj.model_dump(mode="json"), sort_keys=False)


_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def split_path(path: str) -> list[str | int]:
    """'arms.a.regimens[1].dose' -> ['arms', 'a', 'regimens', 1, 'dose']."""
    parts: list[str | int] = []
    pos = 0
    for m in _TOKEN.finditer(path):
        between = path[pos:m.start()]
        if between not in ("", "."):
            raise ValueError(f"unreadable path {path!r}")
        parts.append(int(m[2]) if m[2] is not None else m[1])
        pos = m.end()
    if not parts or path[pos:]:
        raise ValueError(f"unreadable path {path!r}")
    return parts


def set_path(raw: dict, path: str, value: Any) -> None:
    """Set ``value`` at a config path, creating mappings where keys are missing."""
    parts = split_path(path)
    node: Any = raw
    for i, part in enumerate(parts[:-1]):
        where = _path(tuple(parts[: i + 1]))
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                size = len(node) if isinstance(node, list) else 0
                raise KeyError(f"{where}: no list item {part} (the config has {size})")
            node = node[part]
        else:
            if not isinstance(node, dict):
                raise KeyError(f"{where}: not a mapping in the config")
            if part not in node:
                if parts[0] != "parameters" and i > 0:
                    keys = [str(k) for k in node]
                    hint = difflib.get_close_matches(str(part), keys, n=1)
                    raise KeyError(f"{where}: not in the config (keys there: "
                                   f"{', '.join(keys)})" + (f"; did you mean {hint[0]!r}?"
                                                            if hint else ""))
                node[part] = {}
            node = node[part]
    last = parts[-1]
    if isinstance(last, int):
        if not isinstance(node, list) or last >= len(node):
            raise KeyError(f"{path}: no list item {last}")
    elif not isinstance(node, dict):
        raise KeyError(f"{path}: not a mapping in the config")
    node[last] = value


def apply_overrides(raw: dict, overrides: dict[str, Any], name: str) -> None:
    """Set ``overrides`` into the parsed config in place; keys may be key paths
    (``mechanisms.ser167_er_link``, ``arms.cci779.regimens[0].dose``), so an ablation or a dose
    change needs no copied config. ``None`` values are skipped (an option the user did not give)."""
    for key, value in overrides.items():
        if value is None:
            continue
        try:
            set_path(raw, key, value)
        except (KeyError, ValueError) as exc:
            raise ConfigErrors([ConfigError(name, key, value,
                                            f"cannot set: {exc.args[0]}")]) from None


def parse_settings(settings: list[str], name: str) -> dict[str, Any]:
    """``KEY.PATH=VALUE`` strings (the CLI's ``--set``) to overrides; values are read as YAML,
    so ``false``, ``20`` and ``[0, 3]`` have their types."""
    out: dict[str, Any] = {}
    for text in settings:
        key, sep, value = text.partition("=")
        if not sep or not key.strip():
            raise ConfigErrors([ConfigError(name, "--set", text,
                                            "expected KEY.PATH=VALUE, e.g. "
                                            "mechanisms.ser167_er_link=false")])
        try:
            out[key.strip()] = yaml.safe_load(value)
        except yaml.YAMLError:
            raise ConfigErrors([ConfigError(name, key.strip(), value,
                                            "value is not readable as YAML")]) from None
    return out


