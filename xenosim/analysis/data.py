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

#: Cell-line name given to a lab table that has no cell-line column.
SINGLE_LINE = "all"
#: Most data rows a lab caliper table may have (assumed bound: a large study, 50 arms x 20 mice x
#: 60 measurement days, has 60,000); a bigger file is refused at once instead of minutes of work.
MAX_TABLE_ROWS = 200_000
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


def _refs(df: pd.DataFrame, mask, id_col: str | None, value_col: str | None = None) -> list[str]:
    """``line N (mouse X: 'value')`` references for the rows selected by mask."""
    out = []
    for i in df.index[np.asarray(mask, dtype=bool)]:
        ref = f"line {_line(i)}"
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
    _check_header_and_size(raw, label)
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


def _check_header_and_size(raw: bytes, label: str) -> None:
    """Refuse a table with more than :data:`MAX_TABLE_ROWS` rows, or a header naming a column
    twice (pandas would silently rename the second one ``name.1``)."""
    lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
    if lines - 1 > MAX_TABLE_ROWS:
        raise AnalysisInputError(
            f"{lines - 1:,} data rows; at most {MAX_TABLE_ROWS:,} are analysed (line "
            f"{MAX_TABLE_ROWS + 2:,} is past the limit): split the table, e.g. per cell line",
            file=label)
    import csv
    import io

    first = raw.split(b"\n", 1)[0].decode("utf-8").lstrip("\ufeff")
    header = [c.strip() for c in next(csv.reader(io.StringIO(first)), [])]
    seen: dict[str, int] = {}
    for i, name in enumerate(header, start=1):
        if name and name in seen:
            raise AnalysisInputError(
                f"column named twice in the header (line 1, columns {seen[name]} and {i}); "
                "give each column its own name", file=label, column=name)
        seen.setdefault(name, i)


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
        raise AnalysisInputError(
            "non-numeric values", file=label, column=col, rows=_refs(df, bad, id_col, col)
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
                f"line {_line(i)} (mouse {df.at[i, 'mouse']}, day {df.at[i, 'day']:g})"
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
            f"{len(dropped)} mouse/mice without a measurement at day ≥ 0 were left out: "
            + ", ".join(dropped[:10])
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


# --------------------------------------------------------------------------- lab caliper CSV


def load_caliper_csv(
    path: str | Path,
    id_col: str,
    arm_col: str,
    day_col: str,
    length_col: str | None = None,
    width_col: str | None = None,
    volume_col: str | None = None,
    endpoint_volume_mm3: float = 1500.0,
    *,
    cell_line: str = SINGLE_LINE,
) -> CaliperData:
    """Read a lab's caliper table (one row per mouse × day) with arbitrary column names.

    Sizes come from ``volume_col`` or from ``length_col`` and ``width_col`` (V = L·W²/2); with none
    given, xenosim's own ``volume_mm3`` or ``length_mm``/``width_mm`` are used if present. Empty
    size cells are missing measurements (dropped, noted); non-numeric or negative sizes, duplicate
    mouse × day rows and arms with one mouse raise :class:`AnalysisInputError`.
    """
    path = Path(path)
    label = path.name
    if not np.isfinite(endpoint_volume_mm3) or endpoint_volume_mm3 <= 0:
        raise AnalysisInputError(f"endpoint volume must be > 0 mm³, got {endpoint_volume_mm3}")
    raw = _read_csv(path, label)
    if volume_col is None and length_col is None and width_col is None:
        if "volume_mm3" in raw.columns:
            volume_col = "volume_mm3"
        elif {"length_mm", "width_mm"} <= set(raw.columns):
            length_col, width_col = "length_mm", "width_mm"
        else:
            raise AnalysisInputError(
                "no tumour size columns given: pass a volume column, or length and width "
                f"columns; columns present: {', '.join(repr(c) for c in raw.columns)}",
                file=label,
            )
    if volume_col is None and (length_col is None) != (width_col is None):
        raise AnalysisInputError(
            "volume from calipers needs both a length and a width column "
            f"(got length={length_col!r}, width={width_col!r})",
            file=label,
        )
    size_cols = [c for c in (length_col, width_col, volume_col) if c is not None]
    _require(raw, [id_col, arm_col, day_col, *size_cols], label)

    notes: list[str] = []
    df = pd.DataFrame(index=raw.index)
    df["mouse"] = _ids(raw, id_col, label, None)
    df["cell_line"] = cell_line
    df["arm"] = _ids(raw, arm_col, label, id_col)
    df["day"] = _numeric(raw, day_col, label, id_col, allow_missing=False, non_negative=False)
    length = width = None
    if length_col is not None:
        length = _numeric(raw, length_col, label, id_col, allow_missing=True, non_negative=True)
        width = _numeric(raw, width_col, label, id_col, allow_missing=True, non_negative=True)
        df["length_mm"] = length
        df["width_mm"] = width
        one_zero = ((length == 0) & (width > 0)) | ((width == 0) & (length > 0))
        if one_zero.any():
            raise AnalysisInputError(
                "a zero length or width beside a non-zero one (a measured tumour has both, a "
                "regressed one neither: record 0 for both)", file=label,
                column=f"{length_col}, {width_col}", rows=_refs(raw, one_zero, id_col))
    if volume_col is not None:
        df["volume_mm3"] = _numeric(
            raw, volume_col, label, id_col, allow_missing=True, non_negative=True
        )
    else:
        with np.errstate(over="ignore"):
            df["volume_mm3"] = length * width**2 / 2.0
    huge = df["volume_mm3"] > MAX_VOLUME_MM3
    if huge.any():
        raise AnalysisInputError(
            f"tumour volume above {MAX_VOLUME_MM3:,.0f} mm³, more than a mouse (sizes must be "
            "in mm / mm³; a unit or typing error?)", file=label,
            column=volume_col or f"{length_col}, {width_col}",
            rows=_refs(raw, huge, id_col, volume_col))
    cols = {"mouse": id_col, "day": day_col, "arm": arm_col}
    dup = df.duplicated(["mouse", "day"], keep=False)
    if dup.any():
        _check_structure(df, raw, label, cols)
    missing = df["volume_mm3"].isna()
    if missing.any():
        notes.append(
            f"{int(missing.sum())} row(s) without a size measurement were skipped "
            f"(lines {', '.join(str(_line(i)) for i in df.index[missing][:10])}"
            f"{' …' if missing.sum() > 10 else ''})"
        )
    df = df[~missing]
    df = _drop_unenrolled(df, notes)
    _check_structure(df, raw, label, cols)
    df = _sorted(df)
    mice = derive_mice(df, endpoint_volume_mm3)
    n_removed = int((mice["event"] == "removed").sum())
    if n_removed:
        notes.append(
            f"{n_removed} mouse/mice left the study below the endpoint before the last "
            "measurement day; they are censored at their last measurement"
        )
    return CaliperData(
        measurements=df,
        mice=mice,
        cells=None,
        endpoint_volume_mm3=float(endpoint_volume_mm3),
        name=path.stem,
        source=label,
        kind="caliper_csv",
        manifest={},
        notes=notes,
    )


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
