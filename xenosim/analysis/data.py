"""Load and validate caliper data: a xenosim results directory or a lab's caliper CSV.

Both loaders return the same :class:`CaliperData`, so every statistic and figure downstream works on
one tidy shape whatever the source. Validation is strict and happens before anything is written:
a bad file raises :class:`AnalysisInputError` naming the file, the column and the offending rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from xenosim.analysis.combinations import regimen_drugs
from xenosim.analysis.errors import AnalysisInputError
from xenosim.analysis.order import config_order
from xenosim.analysis.stats import LOG_FLOOR_MM3
from xenosim.analysis.tables import (
    DEFAULT_NAMES,
    WHERE,
    check_named,
    choose_layout,
    day_columns,
    find_column,
    note_unused_duplicates,
    ordinal_runs,
    read_table,
    wide_to_long,
)

#: Cell-line name given to a lab table that has no cell-line column.
SINGLE_LINE = "all"
#: Largest plausible tumour size in a mouse (assumed bounds: a 25 g mouse is ~25,000 mm^3, the
#: length of its body ~100 mm). Bigger values are a unit or typing error, refused.
MAX_VOLUME_MM3 = 100_000.0

#: Columns a xenosim ``measurements.csv`` must have.
MEASUREMENT_COLUMNS = ["mouse", "cell_line", "arm", "day", "volume_mm3"]
#: Columns a xenosim ``mice.csv`` must have.
MICE_COLUMNS = ["mouse", "last_day", "event"]
#: Columns of ``cells.csv`` the mechanism views need.
CELLS_COLUMNS = [
    "mouse",
    "cell_line",
    "arm",
    "day",
    "mean_er_activity",
    "er_share_e2",
    "er_share_tamoxifen",
    "er_share_ser167",
    "frac_mtorc1_high",
    "frac_er_high",
]
_CELLS_OPTIONAL_NUMERIC = [
    "n_agents",
    "n_cycling",
    "n_quiescent",
    "n_apoptotic",
    "n_necrotic",
    "mean_akt",
    "mean_mtorc1",
    "mean_s6k1",
    "n_arrested",
    # virtual IHC and evolving resistance (analysis.mechanism.IHC_LABELS)
    "ki67_index",
    "cc3_index",
    "ps6_index",
    "pakt_index",
    "er_positive_fraction",
    "ps6_hscore",
    "pakt_hscore",
    "frac_adapted",
    "frac_esr1_mutant",
]

#: Preferred display order of the built-in arm names (others follow alphabetically).
_ARM_ORDER = ["control", "estrogen_withdrawal", "tamoxifen", "cci779", "tamoxifen+cci779"]


def order_arms(arms, control_arm: str = "control") -> list[str]:
    """Arms in display order: control first, known names in protocol order, then the rest."""
    arms = list(dict.fromkeys(arms))
    known = [a for a in _ARM_ORDER if a in arms and a != control_arm]
    rest = sorted(a for a in arms if a not in _ARM_ORDER and a != control_arm)
    head = [control_arm] if control_arm in arms else []
    return head + known + rest


@dataclass
class CaliperData:
    """Tidy caliper study: measurements per mouse × day, one row per mouse, optional cell states.

    ``measurements`` has ``mouse, cell_line, arm, day, volume_mm3`` (plus ``length_mm``,
    ``width_mm``, ``true_volume_mm3`` when known); ``mice`` has ``mouse, cell_line, arm,
    enrolment_volume_mm3, last_day, event`` where ``event`` is ``endpoint`` or a censoring reason.
    """

    measurements: pd.DataFrame
    mice: pd.DataFrame
    cells: pd.DataFrame | None = None
    endpoint_volume_mm3: float = 1500.0
    name: str = "study"
    source: str = ""
    kind: str = "caliper_csv"
    manifest: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: arm → drugs given, from a run's config.yaml (None for lab tables): finds combinations
    regimens: dict[str, frozenset[str]] | None = None
    #: role (mouse, arm, day) → the column of the source table it was read from
    columns: dict[str, str] = field(default_factory=dict)
    #: a run's config order of cell lines and arms, and its arm labels (None for lab tables:
    #: first appearance, control first; see analysis/order.py)
    cell_line_order: list[str] | None = None
    arm_order: list[str] | None = None
    arm_labels: dict[str, str] | None = None

    @property
    def cell_lines(self) -> list[str]:
        """Cell lines in order of first appearance."""
        return list(dict.fromkeys(self.measurements["cell_line"]))

    @property
    def single_line(self) -> bool:
        """True when the study has one cell line (labels then show the arm only)."""
        return len(self.cell_lines) == 1

    def arms(self, cell_line: str | None = None, control_arm: str = "control") -> list[str]:
        """Arms (of one cell line, or all) in display order."""
        m = self.measurements
        if cell_line is not None:
            m = m[m["cell_line"] == cell_line]
        return order_arms(m["arm"].unique(), control_arm)

    def label(self, cell_line: str, arm: str) -> str:
        """Human label of a group, e.g. ``mcf7_myr_akt · tamoxifen``."""
        return arm if self.single_line else f"{cell_line} · {arm}"


# --------------------------------------------------------------------------- validation helpers


def _line(i: int) -> int:
    """File line number of a data row (header is line 1)."""
    return int(i) + 2


def _at(df: pd.DataFrame, i) -> str:
    """Where row ``i`` is in its file: the lab reader's location column, else ``line N``."""
    if WHERE in df.columns:
        return str(df.at[i, WHERE])
    return f"line {_line(i)}"


def _refs(df: pd.DataFrame, mask, id_col: str | None, value_col: str | None = None) -> list[str]:
    """``line N (mouse X: 'value')`` references for the rows selected by mask."""
    out = []
    for i in df.index[np.asarray(mask, dtype=bool)]:
        ref = _at(df, i)
        bits = []
        if id_col is not None and id_col in df.columns and pd.notna(df.at[i, id_col]):
            bits.append(f"mouse {df.at[i, id_col]}")
        if value_col is not None:
            bits.append(repr(df.at[i, value_col]))
        if bits:
            ref += " (" + ": ".join(bits) + ")"
        out.append(ref)
    return out


def _read_csv(path: Path, label: str) -> pd.DataFrame:
    """Read a CSV as strings (so non-numeric cells can be reported), whitespace stripped."""
    if not path.is_file():
        raise AnalysisInputError("file not found", file=label)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        raw.decode("utf-8")
        if b"\x00" in raw:
            raise UnicodeDecodeError("utf-8", raw, raw.index(b"\x00"), raw.index(b"\x00") + 1,
                                     "NUL byte (UTF-16 text?)")
    except UnicodeDecodeError as exc:
        raise AnalysisInputError(f"not UTF-8 text (byte {exc.start}); save the table as UTF-8 "
                                 f"CSV", file=label) from None
    try:
        df = pd.read_csv(path, dtype=str, skipinitialspace=True)
    except pd.errors.EmptyDataError as exc:
        raise AnalysisInputError("file is empty", file=label) from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise AnalysisInputError(f"cannot be parsed as CSV ({exc})", file=label) from exc
    df.columns = [str(c).strip() for c in df.columns]
    for c in df.columns:
        s = df[c].astype("object")
        s = s.where(s.isna(), s.astype(str).str.strip())
        df[c] = s.replace("", np.nan)
    if df.empty:
        raise AnalysisInputError("no data rows", file=label)
    return df.reset_index(drop=True)


def _require(df: pd.DataFrame, cols: list[str], label: str, what: str = "") -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise AnalysisInputError(
            f"missing column(s) {', '.join(repr(c) for c in missing)}{what}; "
            f"columns present: {', '.join(repr(c) for c in df.columns)}",
            file=label,
            column=", ".join(missing),
        )


def _ids(df: pd.DataFrame, col: str, label: str, id_col: str | None) -> pd.Series:
    s = df[col]
    bad = s.isna()
    if bad.any():
        raise AnalysisInputError(
            "missing values", file=label, column=col, rows=_refs(df, bad, id_col)
        )
    return s.astype(str)


def _numeric(
    df: pd.DataFrame,
    col: str,
    label: str,
    id_col: str | None,
    *,
    allow_missing: bool,
    non_negative: bool,
) -> pd.Series:
    """Column as float; non-numeric, infinite, (missing) or (negative) cells raise."""
    raw = df[col]
    num = pd.to_numeric(raw, errors="coerce").astype(float)
    bad = raw.notna() & (num.isna() | np.isinf(num))
    if bad.any():
        comma = raw[bad].astype(str).str.fullmatch(r"[+-]?\d+,\d+").any()
        hint = (" (decimal commas? write decimal points, or save with ';' as the separator)"
                if comma else "")
        raise AnalysisInputError(
            f"non-numeric values{hint}", file=label, column=col, rows=_refs(df, bad, id_col, col)
        )
    if not allow_missing and num.isna().any():
        raise AnalysisInputError(
            "missing values", file=label, column=col, rows=_refs(df, num.isna(), id_col)
        )
    if non_negative and (num < 0).any():
        raise AnalysisInputError(
            "negative values (sizes must be ≥ 0)",
            file=label,
            column=col,
            rows=_refs(df, num < 0, id_col, col),
        )
    return num


def _check_structure(
    df: pd.DataFrame, raw: pd.DataFrame, label: str, cols: dict[str, str]
) -> None:
    """Duplicate mouse × day rows, mice in two groups, arms with fewer than two mice."""
    dup = df.duplicated(["mouse", "day"], keep=False)
    if dup.any():
        raise AnalysisInputError(
            f"duplicate {cols['mouse']} × {cols['day']} rows (one measurement per mouse per day)",
            file=label,
            column=f"{cols['mouse']}, {cols['day']}",
            rows=[
                f"{_at(df, i)} (mouse {df.at[i, 'mouse']}, day {df.at[i, 'day']:g})"
                for i in df.index[dup]
            ],
        )
    groups = df.groupby("mouse")[["cell_line", "arm"]].nunique()
    multi = groups[(groups["arm"] > 1) | (groups["cell_line"] > 1)].index
    if len(multi):
        raise AnalysisInputError(
            "mouse assigned to more than one arm / cell line",
            file=label,
            column=cols["arm"],
            rows=[f"mouse {m}" for m in multi],
        )
    per_arm = df.groupby(["cell_line", "arm"])["mouse"].unique()
    lonely = [(k, v) for k, v in per_arm.items() if len(v) < 2]
    if lonely:
        raise AnalysisInputError(
            "arm with a single mouse (between-mouse variation cannot be estimated; "
            "at least 2 mice per arm are needed)",
            file=label,
            column=cols["arm"],
            rows=[
                (f"arm {arm!r}" if cl == SINGLE_LINE else f"{cl} · {arm}") + f": mouse {v[0]}"
                for (cl, arm), v in lonely
            ],
        )


def _drop_unenrolled(df: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Drop mice without any treatment-phase (day ≥ 0) measurement."""
    tp = df[df["day"] >= 0]
    if tp.empty:
        raise AnalysisInputError(
            "no treatment-phase measurements (day ≥ 0): day must count days since "
            "randomisation / first treatment"
        )
    enrolled = set(tp["mouse"])
    out = df[df["mouse"].isin(enrolled)]
    dropped = sorted(set(df["mouse"]) - enrolled)
    if dropped:
        notes.append(
            f"{len(dropped)} mouse/mice without a measurement at day ≥ 0 were left out "
            f"({len(df) - len(out)} rows): " + ", ".join(dropped[:10])
        )
    return out


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    """Rows by cell line (in order of first appearance in the file), arm, mouse, day."""
    rank = {c: i for i, c in enumerate(dict.fromkeys(df["cell_line"]))}
    out = df.assign(_line=df["cell_line"].map(rank))
    out = out.sort_values(["_line", "arm", "mouse", "day"], kind="stable")
    return out.drop(columns="_line").reset_index(drop=True)


def derive_mice(meas: pd.DataFrame, endpoint_volume_mm3: float) -> pd.DataFrame:
    """One row per mouse from its measurements: first day at/above the endpoint is the event.

    A mouse below the endpoint is censored at its last measurement: ``study_end`` when that is the
    last measurement day of its cell line, else ``removed`` (taken off study for another reason).
    """
    tp = meas[meas["day"] >= 0].sort_values(["mouse", "day"])
    rows = []
    last_of_line = tp.groupby("cell_line")["day"].max()
    for mouse, g in tp.groupby("mouse", sort=False):
        hit = g[g["volume_mm3"] >= endpoint_volume_mm3]
        if len(hit):
            last, event = float(hit["day"].iloc[0]), "endpoint"
        else:
            last = float(g["day"].iloc[-1])
            event = "study_end" if last >= last_of_line[g["cell_line"].iloc[0]] else "removed"
        rows.append(
            {
                "mouse": mouse,
                "cell_line": g["cell_line"].iloc[0],
                "arm": g["arm"].iloc[0],
                "enrolment_volume_mm3": float(g["volume_mm3"].iloc[0]),
                "last_day": last,
                "event": event,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- lab caliper table

#: How readings below the detection limit (zeros included) are treated.
ZERO_POLICIES = ("floor", "drop", "error")


def _columns_and_layout(raw, layout: str, id_col, arm_col, day_col, length_col, width_col,
                        volume_col):
    """Find the mouse / arm / day / size columns and the layout (a wide table is turned long
    here); returns ``(raw, layout, (id, arm, day), (length, width, volume))``."""
    label = raw.label
    named = {"--id": id_col, "--arm": arm_col, "--day": day_col}
    if not _looks_wide(raw, layout, day_col):  # a wide table refuses size options below
        named.update({"--length": length_col, "--width": width_col, "--volume": volume_col})
    check_named(raw, named)
    idc = _need_column(raw, id_col, "id", "--id", "mouse id")
    armc = _need_column(raw, arm_col, "arm", "--arm", "treatment arm")
    dayc = find_column(raw, day_col, "day", "--day") if layout != "wide" or day_col else None
    layout = choose_layout(raw, layout, dayc, day_col is not None, {idc, armc})
    if layout == "wide":
        given = [o for o, v in (("--length", length_col), ("--width", width_col),
                                ("--volume", volume_col)) if v is not None]
        if given:
            raise AnalysisInputError(
                f"{', '.join(given)} name a size column of a long table; in a wide table every "
                "day column holds a volume (mm³)", file=label)
        note_unused_duplicates(raw, {idc, armc})
        raw = wide_to_long(raw, idc, armc, volume_col="volume (day columns)")
        dayc, volume_col = "day", "volume (day columns)"
    elif dayc is None:
        n_days = len(day_columns(raw, {idc, armc}))
        hint = f" (the header has {n_days} day columns: a wide table?)" if n_days >= 2 else ""
        raise AnalysisInputError(
            "no day column (named with --day); columns present: "
            + ", ".join(repr(c) for c in raw.columns) + hint, file=label,
            column=day_col or "day")
    else:
        length_col, width_col, volume_col = _size_columns(raw, length_col, width_col, volume_col)
        note_unused_duplicates(raw, {idc, armc, dayc, length_col, width_col, volume_col})
    return raw, layout, (idc, armc, dayc), (length_col, width_col, volume_col)


def load_caliper_csv(
    path: str | Path,
    id_col: str | None = None,
    arm_col: str | None = None,
    day_col: str | None = None,
    length_col: str | None = None,
    width_col: str | None = None,
    volume_col: str | None = None,
    endpoint_volume_mm3: float = 1500.0,
    *,
    cell_line: str = SINGLE_LINE,
    layout: str = "auto",
    sheet: str | None = None,
    baseline_day: float | None = None,
    zero_volumes: str = "floor",
    detection_limit_mm3: float = LOG_FLOOR_MM3,
) -> CaliperData:
    """Read a lab's caliper table (CSV or .xlsx; long or wide) with arbitrary column names.

    Long: one row per mouse × day; sizes from ``volume_col`` or ``length_col`` and ``width_col``
    (V = L·W²/2), else xenosim's own ``volume_mm3`` / ``length_mm``, ``width_mm``. Wide: one row
    per mouse and one volume column per day (headers ``7``, ``Day 7``, ``D7``). ``layout`` auto
    tells them apart by the header. Column names not given are looked up among common ones
    (mouse / animal / id, arm / group / treatment, day / time). Days are counted from
    ``baseline_day`` (default: the last measurement at or before day 0, or the first day when
    the study starts later); readings below ``detection_limit_mm3`` follow ``zero_volumes``
    (floor at the limit, drop, or error). Every row skipped or changed is counted in
    ``notes``; malformed tables raise :class:`AnalysisInputError` naming file, column and rows.
    """
    path = Path(path)
    _check_lab_options(endpoint_volume_mm3, zero_volumes, detection_limit_mm3)
    raw = read_table(path, sheet)
    label = raw.label
    raw, layout, (idc, armc, dayc), (length_col, width_col, volume_col) = _columns_and_layout(
        raw, layout, id_col, arm_col, day_col, length_col, width_col, volume_col)
    notes = raw.notes
    df = _tidy(raw, idc, armc, dayc, length_col, width_col, volume_col, cell_line)
    cols = {"mouse": idc, "day": dayc, "arm": armc}
    if df.duplicated(["mouse", "day"], keep=False).any():
        _check_structure(df, raw.frame, label, cols)
    missing = df["volume_mm3"].isna()
    if missing.any():
        notes.append(f"{int(missing.sum())} row(s) without a size measurement were skipped "
                     f"({_where_list(df, missing)})")
    df = df[~missing]
    df = _detection_policy(df, zero_volumes, detection_limit_mm3, label,
                           volume_col or f"{length_col} × {width_col}", notes)
    if layout == "long":
        _note_day_order(df, notes)
    df = _rebase_days(df, baseline_day, label, notes)
    df = _drop_unenrolled(df, notes)
    _note_take_phase(df, notes)
    _check_structure(df, raw.frame, label, cols)
    # a lab table's display order is its own: lines and arms in order of first appearance in
    # the file (study_order puts the control first), kept before the rows are sorted
    line_order = list(dict.fromkeys(df["cell_line"]))
    arm_order = list(dict.fromkeys(df["arm"]))
    df = _sorted(df.drop(columns=WHERE))
    mice = derive_mice(df, endpoint_volume_mm3)
    n_removed = int((mice["event"] == "removed").sum())
    if n_removed:
        notes.append(
            f"{n_removed} mouse/mice left the study below the endpoint before the last "
            "measurement day; they are censored at their last measurement"
        )
    return CaliperData(measurements=df, mice=mice, cells=None,
                       endpoint_volume_mm3=float(endpoint_volume_mm3), name=path.stem,
                       source=label, kind="caliper_csv", manifest={}, notes=notes,
                       columns=cols, cell_line_order=line_order, arm_order=arm_order)


def _looks_wide(raw, layout: str, day_col: str | None) -> bool:
    """Wide as asked, or (auto) no day column but day headers."""
    if layout != "auto" or day_col is not None:
        return layout == "wide"
    has_day = any(c.lower() in DEFAULT_NAMES["day"] for c in raw.columns)
    return not has_day and len(day_columns(raw, set())) >= 2


def _check_lab_options(endpoint_volume_mm3: float, zero_volumes: str, limit: float) -> None:
    if not np.isfinite(endpoint_volume_mm3) or endpoint_volume_mm3 <= 0:
        raise AnalysisInputError(f"endpoint volume must be > 0 mm³, got {endpoint_volume_mm3}")
    if zero_volumes not in ZERO_POLICIES:
        raise AnalysisInputError(f"unknown zero-volume policy {zero_volumes!r} (--zero-volumes); "
                                 f"allowed: {', '.join(ZERO_POLICIES)}")
    if not np.isfinite(limit) or limit <= 0:
        raise AnalysisInputError(f"detection limit must be > 0 mm³ (--detection-limit), got "
                                 f"{limit}")


def _need_column(raw, given: str | None, role: str, option: str, what: str) -> str:
    col = find_column(raw, given, role, option)
    if col is None:
        raise AnalysisInputError(
            f"no {what} column (none of {', '.join(repr(n) for n in DEFAULT_NAMES[role][:6])}); "
            f"name it with {option}; columns present: "
            + ", ".join(repr(c) for c in raw.columns), file=raw.label, column=role)
    return col


def _size_columns(raw, length_col, width_col, volume_col):
    """Volume or caliper columns of a long table (given, else xenosim's own names)."""
    if volume_col is None and length_col is None and width_col is None:
        lower = {c.lower(): c for c in raw.columns}
        for name in ("volume_mm3", "volume", "tumor_volume", "tumour_volume", "tumorvolume",
                     "tv"):
            if name in lower:
                return None, None, find_column(raw, lower[name], "volume", "--volume")
        if {"length_mm", "width_mm"} <= set(lower):
            return (find_column(raw, lower["length_mm"], "length", "--length"),
                    find_column(raw, lower["width_mm"], "width", "--width"), None)
        raise AnalysisInputError(
            "no tumour size columns given: pass a volume column, or length and width "
            f"columns; columns present: {', '.join(repr(c) for c in raw.columns)}",
            file=raw.label)
    if volume_col is None and (length_col is None) != (width_col is None):
        raise AnalysisInputError(
            "volume from calipers needs both a length and a width column "
            f"(got length={length_col!r}, width={width_col!r})", file=raw.label)
    if volume_col is not None:
        return None, None, find_column(raw, volume_col, "volume", "--volume")
    return (find_column(raw, length_col, "length", "--length"),
            find_column(raw, width_col, "width", "--width"), None)


def _tidy(raw, idc, armc, dayc, length_col, width_col, volume_col, cell_line) -> pd.DataFrame:
    """mouse, cell_line, arm, day, sizes (floats, validated) and the file location per row."""
    f, label = raw.frame, raw.label
    df = pd.DataFrame(index=f.index)
    df["mouse"] = _ids(f, idc, label, None)
    df["cell_line"] = cell_line
    df["arm"] = _ids(f, armc, label, idc)
    df["day"] = _numeric(f, dayc, label, idc, allow_missing=False, non_negative=False)
    if length_col is not None:
        df["length_mm"] = _numeric(f, length_col, label, idc, allow_missing=True,
                                   non_negative=True)
        df["width_mm"] = _numeric(f, width_col, label, idc, allow_missing=True,
                                  non_negative=True)
        length, width = df["length_mm"], df["width_mm"]
        one_zero = ((length == 0) & (width > 0)) | ((width == 0) & (length > 0))
        if one_zero.any():
            raise AnalysisInputError(
                "a zero length or width beside a non-zero one (a measured tumour has both, a "
                "regressed one neither: record 0 for both)", file=label,
                column=f"{length_col}, {width_col}", rows=_refs(f, one_zero, idc))
        with np.errstate(over="ignore"):
            df["volume_mm3"] = length * width**2 / 2.0
    else:
        df["volume_mm3"] = _numeric(f, volume_col, label, idc, allow_missing=True,
                                    non_negative=True)
    huge = df["volume_mm3"] > MAX_VOLUME_MM3
    if huge.any():
        raise AnalysisInputError(
            f"tumour volume above {MAX_VOLUME_MM3:,.0f} mm³, more than a mouse (sizes must be "
            "in mm / mm³; a unit or typing error?)", file=label,
            column=volume_col or f"{length_col}, {width_col}",
            rows=_refs(f, huge, idc, volume_col))
    df[WHERE] = f[WHERE]
    return df


def _where_list(df: pd.DataFrame, mask, limit: int = 10) -> str:
    idx = df.index[np.asarray(mask, dtype=bool)]
    shown = "; ".join(_at(df, i) for i in idx[:limit])
    return shown + (f"; and {len(idx) - limit} more" if len(idx) > limit else "")


def _detection_policy(df: pd.DataFrame, policy: str, limit: float, label: str, column: str,
                      notes: list[str]) -> pd.DataFrame:
    """Readings below the detection limit (zeros too): floored at it, dropped, or an error."""
    low = df["volume_mm3"] < limit
    if not low.any():
        return df
    n_zero = int((df.loc[low, "volume_mm3"] == 0).sum())
    what = (f"{int(low.sum())} reading(s) below the detection limit {limit:g} mm³ "
            f"({n_zero} of them zero)")
    if policy == "error":
        raise AnalysisInputError(f"{what}; choose a policy with --zero-volumes floor|drop, or "
                                 "lower --detection-limit", file=label, column=column,
                                 rows=_refs(df, low, "mouse", "volume_mm3"))
    where = _where_list(df, low)
    if policy == "drop":
        notes.append(f"{what} were dropped (--zero-volumes drop): {where}")
        return df[~low]
    df = df.copy()
    df.loc[low, "volume_mm3"] = limit
    notes.append(f"{what} were set to {limit:g} mm³ (--zero-volumes floor): {where}")
    if limit < LOG_FLOOR_MM3:
        n_log = int((df["volume_mm3"] < LOG_FLOOR_MM3).sum())
        notes.append(f"{n_log} reading(s) below {LOG_FLOOR_MM3:g} mm³ are taken as "
                     f"{LOG_FLOOR_MM3:g} mm³ in log volumes and relative volumes")
    return df


def _note_day_order(df: pd.DataFrame, notes: list[str]) -> None:
    """A mouse whose rows go back in time in the file (sorted by day, with a note)."""
    back = [m for m, g in df.groupby("mouse", sort=False) if not ordinal_runs(g["day"].values)]
    if back:
        notes.append(f"rows of {len(back)} mouse/mice are not in day order in the file (mouse "
                     + ", ".join(map(str, back[:10])) + "); they are ordered by day")


def _baseline_day(df: pd.DataFrame, given: float | None, label: str) -> tuple[float, str]:
    """The table day that becomes day 0, and why."""
    if given is not None:
        if not np.isfinite(given) or not (df["day"] == given).any():
            days = ", ".join(f"{d:g}" for d in sorted(df["day"].unique())[:30])
            raise AnalysisInputError(f"baseline day {given:g} (--baseline-day) has no "
                                     f"measurement; measurement days: {days}", file=label,
                                     column="day")
        return float(given), "the baseline day given"
    pre = df[df["day"] <= 0]
    if pre.empty:
        return float(df["day"].min()), "the first measurement day; none at or before day 0"
    last = pre.groupby("mouse")["day"].max().value_counts()
    day = float(max(last[last == last.max()].index))
    return day, "the last measurement at or before day 0"


def _rebase_days(df: pd.DataFrame, given: float | None, label: str,
                 notes: list[str]) -> pd.DataFrame:
    """Count days from the baseline day (it becomes day 0); note the shift and mice without it."""
    day0, why = _baseline_day(df, given, label)
    if day0 != 0:
        df = df.assign(day=df["day"] - day0)
        notes.append(f"days counted from table day {day0:g} ({why}): all {len(df)} rows' days "
                     f"shifted by {-day0:+g}, so table day {day0:g} is day 0")
    if not (df["day"] > 0).any():
        raise AnalysisInputError(
            f"no measurement after the baseline day (table day {day0:g}, {why}): there is no "
            "treatment period to analyse; give --baseline-day or a table with later days",
            file=label, column="day")
    has0 = set(df.loc[df["day"] == 0, "mouse"])
    early = sorted(set(df.loc[df["day"] < 0, "mouse"]) - has0)
    if early:
        notes.append(f"{len(early)} mouse/mice have no measurement on the baseline day but "
                     "earlier ones, kept as take phase (" + ", ".join(early[:10]) + ")")
    return df


def _note_take_phase(df: pd.DataFrame, notes: list[str]) -> None:
    pre = df["day"] < 0
    if pre.any():
        notes.append(f"{int(pre.sum())} reading(s) before the baseline day (days "
                     f"{df.loc[pre, 'day'].min():g} to {df.loc[pre, 'day'].max():g}) are shown "
                     "as take phase and not used in the statistics")


# --------------------------------------------------------------------------- xenosim results dir


def _read_manifest(run: Path) -> dict:
    p = run / "manifest.json"
    if not p.is_file():
        return {}
    try:
        manifest = json.loads(p.read_text())
    except json.JSONDecodeError as exc:
        raise AnalysisInputError(f"invalid JSON ({exc})", file="manifest.json") from exc
    if not isinstance(manifest, dict):
        raise AnalysisInputError("expected a JSON object", file="manifest.json")
    return manifest


def load_results_dir(path: str | Path) -> CaliperData:
    """Read a xenosim results directory (``measurements.csv``, ``mice.csv``, ``cells.csv``,
    ``manifest.json``) into :class:`CaliperData`, validating every table."""
    run = Path(path)
    if not run.is_dir():
        raise AnalysisInputError("not a directory", file=run.name or str(path))
    if not (run / "measurements.csv").is_file():
        raise AnalysisInputError(
            "results directory has no measurements.csv", file=run.name or str(path)
        )
    manifest = _read_manifest(run)
    endpoint = manifest.get("endpoint_volume_mm3", 1500.0)
    try:
        endpoint = float(endpoint)
    except (TypeError, ValueError) as exc:
        raise AnalysisInputError(
            f"endpoint_volume_mm3 is not a number: {endpoint!r}", file="manifest.json"
        ) from exc
    notes: list[str] = []
    if "endpoint_volume_mm3" not in manifest:
        notes.append("manifest.json gives no endpoint_volume_mm3; 1500 mm³ assumed")

    label = "measurements.csv"
    raw = _read_csv(run / label, label)
    _require(raw, MEASUREMENT_COLUMNS, label)
    df = pd.DataFrame(index=raw.index)
    for c in ("mouse", "cell_line", "arm"):
        df[c] = _ids(raw, c, label, "mouse")
    df["day"] = _numeric(raw, "day", label, "mouse", allow_missing=False, non_negative=False)
    for c in ("length_mm", "width_mm", "volume_mm3", "true_volume_mm3"):
        if c in raw.columns:
            df[c] = _numeric(raw, c, label, "mouse", allow_missing=True, non_negative=True)
    cols = {"mouse": "mouse", "day": "day", "arm": "arm"}
    if df.duplicated(["mouse", "day"], keep=False).any():
        _check_structure(df, raw, label, cols)
    missing = df["volume_mm3"].isna()
    if missing.any():
        notes.append(f"{int(missing.sum())} measurement row(s) without a volume were skipped")
    df = df[~missing]
    df = _drop_unenrolled(df, notes)
    _check_structure(df, raw, label, cols)
    df = _sorted(df)

    mice = _load_mice(run, df, endpoint, notes)
    cells = _load_cells(run, set(df["mouse"]))
    return CaliperData(
        measurements=df,
        mice=mice,
        cells=cells,
        endpoint_volume_mm3=endpoint,
        name=str(manifest.get("experiment", run.name)),
        source=run.name,
        kind="xenosim",
        manifest=manifest,
        notes=notes,
        regimens=regimen_drugs(run),
        **config_order(run),
    )


def _load_mice(run: Path, meas: pd.DataFrame, endpoint: float, notes: list[str]) -> pd.DataFrame:
    label = "mice.csv"
    if not (run / label).is_file():
        notes.append("no mice.csv: endpoint events derived from the measurements")
        return derive_mice(meas, endpoint)
    raw = _read_csv(run / label, label)
    _require(raw, MICE_COLUMNS, label)
    if "enrolled" in raw.columns:  # xenosim lists spare mice that never entered an arm
        flag = raw["enrolled"].astype(str).str.strip().str.lower()
        spare = flag.isin(["false", "0", "no"])
        if spare.any():
            notes.append(f"{int(spare.sum())} inoculated mice were never enrolled in an arm "
                         "(spares or no take) and are left out")
            raw = raw[~spare]
    mice = pd.DataFrame(index=raw.index)
    mice["mouse"] = _ids(raw, "mouse", label, None)
    mice["last_day"] = _numeric(raw, "last_day", label, "mouse", allow_missing=False,
                                non_negative=False)
    mice["event"] = _ids(raw, "event", label, "mouse").str.lower()
    if "enrolment_volume_mm3" in raw.columns:
        mice["enrolment_volume_mm3"] = _numeric(
            raw, "enrolment_volume_mm3", label, "mouse", allow_missing=True, non_negative=True
        )
    dup = mice["mouse"].duplicated(keep=False)
    if dup.any():
        raise AnalysisInputError(
            "duplicate mouse rows (one row per mouse)",
            file=label,
            column="mouse",
            rows=_refs(mice, dup, "mouse"),
        )
    groups = meas.groupby("mouse")[["cell_line", "arm"]].first()
    for c in ("cell_line", "arm"):
        if c in raw.columns:
            given = _ids(raw, c, label, "mouse")
            expected = mice["mouse"].map(groups[c])
            bad = expected.notna() & (given != expected)
            if bad.any():
                raise AnalysisInputError(
                    f"{c} disagrees with measurements.csv",
                    file=label,
                    column=c,
                    rows=_refs(mice.assign(**{c: given}), bad, "mouse", c),
                )
    absent = sorted(set(groups.index) - set(mice["mouse"]))
    if absent:
        raise AnalysisInputError(
            "mice measured in measurements.csv are missing from mice.csv",
            file=label,
            column="mouse",
            rows=[f"mouse {m}" for m in absent],
        )
    extra = sorted(set(mice["mouse"]) - set(groups.index))
    if extra:
        notes.append(
            f"{len(extra)} mouse/mice in mice.csv have no treatment-phase measurement and are "
            "left out: " + ", ".join(extra[:10])
        )
    mice = mice[mice["mouse"].isin(groups.index)].copy()
    mice["cell_line"] = mice["mouse"].map(groups["cell_line"])
    mice["arm"] = mice["mouse"].map(groups["arm"])
    if "enrolment_volume_mm3" not in mice.columns:
        first = meas[meas["day"] >= 0].sort_values("day").groupby("mouse")["volume_mm3"].first()
        mice["enrolment_volume_mm3"] = mice["mouse"].map(first)
    cols = ["mouse", "cell_line", "arm", "enrolment_volume_mm3", "last_day", "event"]
    return mice[cols].reset_index(drop=True)


def _load_cells(run: Path, mice: set[str]) -> pd.DataFrame | None:
    label = "cells.csv"
    if not (run / label).is_file():
        return None
    raw = _read_csv(run / label, label)
    _require(raw, CELLS_COLUMNS, label, " (needed for the mechanism views)")
    cells = pd.DataFrame(index=raw.index)
    for c in ("mouse", "cell_line", "arm"):
        cells[c] = _ids(raw, c, label, "mouse")
    cells["day"] = _numeric(raw, "day", label, "mouse", allow_missing=False, non_negative=False)
    for c in CELLS_COLUMNS[4:] + [c for c in _CELLS_OPTIONAL_NUMERIC if c in raw.columns]:
        cells[c] = _numeric(raw, c, label, "mouse", allow_missing=True, non_negative=True)
    dup = cells.duplicated(["mouse", "day"], keep=False)
    if dup.any():
        raise AnalysisInputError(
            "duplicate mouse × day rows",
            file=label,
            column="mouse, day",
            rows=_refs(cells, dup, "mouse"),
        )
    return cells[cells["mouse"].isin(mice)].reset_index(drop=True)
