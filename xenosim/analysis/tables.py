"""Lab tables as they come: CSV (comma, semicolon or tab) or Excel, long or wide, into one raw frame.

A raw frame holds every cell as a string (so a bad cell can be quoted back), unique column names,
and a ``_where`` column giving each row's place in the file (``line 7`` for CSV, ``row 7`` for
Excel, ``line 7, column 'D14'`` for a cell of a wide table), so every later error can point at
the user's own file. Whatever reading changes (separator, decimal commas, duplicated columns,
column order) is said in a note: nothing is changed silently.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from xenosim.analysis.errors import AnalysisInputError

#: Column holding each raw row's location in the file.
WHERE = "_where"
#: Layouts a lab table may come in.
LAYOUTS = ("auto", "long", "wide")
#: Column names tried, case-insensitively, when the user names none (first match wins).
DEFAULT_NAMES = {
    "id": ("mouse", "mouse_id", "mouse id", "animal", "animal_id", "animal id", "id", "subject",
           "subject_id", "sample", "sample_id"),
    "arm": ("arm", "group", "treatment", "treatment_group", "treatment group", "regimen"),
    "day": ("day", "days", "time", "study_day", "study day"),
}
#: Arm names recognised as the control (case-insensitive, also as one word of a longer name).
CONTROL_NAMES = ("control", "vehicle", "ctrl", "untreated", "placebo", "saline")

_DAY_HEADER = re.compile(r"(?:day|d)?[\s_.]*([+-]?\d+(?:\.\d+)?)", re.IGNORECASE)
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")


@dataclass
class RawTable:
    """A lab table read as strings: ``frame`` (with a ``_where`` column), its label and notes."""

    frame: pd.DataFrame
    label: str
    notes: list[str] = field(default_factory=list)
    #: column name → the other (renamed) copies of a header that occurs more than once
    duplicates: dict[str, list[str]] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        """Data columns (without the location column)."""
        return [c for c in self.frame.columns if c != WHERE]


def day_of_header(name: str) -> float | None:
    """Day number of a wide table's column header: ``7``, ``-1``, ``Day 7``, ``D7``, ``day_14``."""
    m = _DAY_HEADER.fullmatch(str(name).strip())
    return float(m.group(1)) if m else None


# --------------------------------------------------------------------------- reading files


def read_table(path: Path, sheet: str | None = None) -> RawTable:
    """Read a CSV / TSV / ``.xlsx`` file into a :class:`RawTable` (strings, located rows)."""
    if not path.is_file():
        raise AnalysisInputError("file not found", file=path.name)
    suffix = path.suffix.lower()
    if suffix in (".xls", ".ods"):
        raise AnalysisInputError(f"{suffix} workbooks are not read: save the sheet as .xlsx or "
                                 "as CSV", file=path.name)
    if suffix in (".xlsx", ".xlsm"):
        grid, label, unit = _read_excel(path, sheet), None, "row"
        label = f"{path.name}, sheet {grid.attrs['sheet']!r}"
        notes: list[str] = []
    else:
        if sheet is not None:
            raise AnalysisInputError("a sheet was named but the file is not an Excel workbook "
                                     "(.xlsx)", file=path.name)
        grid, notes = _read_text(path)
        label, unit = path.name, "line"
    return _from_grid(grid, label, unit, notes)


def _read_text(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """CSV with its separator sniffed from the header line; every cell a string."""
    label = path.name
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise AnalysisInputError("not UTF-8 text (NUL byte: UTF-16?); save the table as UTF-8 CSV",
                                 file=label)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnalysisInputError(f"not UTF-8 text (byte {exc.start}); save the table as UTF-8 "
                                 "CSV", file=label) from None
    if not text.strip():
        raise AnalysisInputError("file is empty", file=label)
    _check_size(text.count("\n") + (0 if text.endswith("\n") else 1) - 1, label, "line")
    header = text.splitlines()[0]
    counts = {sep: len(next(csv.reader([header], delimiter=sep))) for sep in (",", ";", "\t")}
    sep = max(counts, key=lambda s: (counts[s], s == ","))
    notes = []
    if sep != ",":
        notes.append(f"{'semicolon' if sep == ';' else 'tab'}-separated file")
    try:
        grid = pd.read_csv(path, sep=sep, header=None, dtype=str, skip_blank_lines=False,
                           encoding="utf-8-sig", skipinitialspace=True)
    except pd.errors.EmptyDataError as exc:
        raise AnalysisInputError("file is empty", file=label) from exc
    except pd.errors.ParserError as exc:
        hint = (" (a decimal comma in a comma-separated file? use decimal points, or ';' as the "
                "separator)" if sep == "," else "")
        raise AnalysisInputError(f"rows with more fields than the header: {_parser_where(exc)}"
                                 f"{hint}", file=label) from None
    return grid, notes


#: Most data rows a lab caliper table may have (assumed bound: a large study, 50 arms x 20 mice x
#: 60 measurement days, has 60,000); a bigger file is refused at once instead of minutes of work.
MAX_TABLE_ROWS = 200_000


def _check_size(n_rows: int, label: str, unit: str) -> None:
    if n_rows > MAX_TABLE_ROWS:
        raise AnalysisInputError(
            f"{n_rows:,} data rows; at most {MAX_TABLE_ROWS:,} are analysed ({unit} "
            f"{MAX_TABLE_ROWS + 2:,} is past the limit): split the table, e.g. per cell line",
            file=label)


def _parser_where(exc: Exception) -> str:
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
    if not m:
        return str(exc)
    return f"line {m.group(2)} has {m.group(3)} fields, the header {m.group(1)}"


def _read_excel(path: Path, sheet: str | None) -> pd.DataFrame:
    """One sheet of an .xlsx workbook (the first unless named) as strings."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise AnalysisInputError(f"cannot be read as an .xlsx workbook ({exc})",
                                 file=path.name) from None
    try:
        names = book.sheetnames
        name = names[0] if sheet is None else sheet
        if name not in names:
            raise AnalysisInputError(f"no sheet {sheet!r}; sheets: "
                                     + ", ".join(repr(s) for s in names), file=path.name)
        ws = book[name]
        if ws.max_row is not None:
            _check_size(ws.max_row - 1, f"{path.name}, sheet {name!r}", "row")
        rows = [["" if v is None else _cell_text(v) for v in r]
                for r in ws.iter_rows(values_only=True)]
    finally:
        book.close()
    if not rows or not any(any(str(v).strip() for v in r) for r in rows):
        raise AnalysisInputError(f"sheet {name!r} is empty", file=path.name)
    width = max(len(r) for r in rows)
    grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
    grid.attrs["sheet"] = name
    return grid


def _cell_text(v) -> str:
    """An Excel cell as the text a person sees (integral floats without '.0')."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _from_grid(grid: pd.DataFrame, label: str, unit: str, notes: list[str]) -> RawTable:
    """Header from the first row, blank rows dropped, cells stripped, duplicates renamed."""
    grid = grid.astype(object).where(grid.notna(), None)
    grid = grid.map(lambda v: None if v is None or str(v).strip() in ("", "NA", "N/A", "NaN",
                                                                        "nan", "#N/A") else
                    str(v).strip())
    header = ["" if v is None else str(v) for v in grid.iloc[0]]
    body = grid.iloc[1:]
    keep = [j for j, h in enumerate(header) if h or body.iloc[:, j].notna().any()]
    header, body = [header[j] for j in keep], body.iloc[:, keep]
    header = [h or f"(unnamed column {keep[j] + 1})" for j, h in enumerate(header)]
    names, duplicates = _unique(header)
    body = body.copy()
    body.columns = names
    body[WHERE] = [f"{unit} {i + 1}" for i in body.index]  # grid row 0 is file line 1
    body = body[body[names].notna().any(axis=1)]
    if body.empty:
        raise AnalysisInputError("no data rows", file=label)
    out = RawTable(frame=body.reset_index(drop=True), label=label, notes=list(notes),
                   duplicates=duplicates)
    _decimal_commas(out)
    return out


def _unique(header: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    seen: dict[str, int] = {}
    names, dups = [], {}
    for h in header:
        k = seen.get(h, 0)
        seen[h] = k + 1
        names.append(h if k == 0 else f"{h} (copy {k + 1})")
        if k:
            dups.setdefault(h, []).append(names[-1])
    return names, dups


def _decimal_commas(raw: RawTable) -> None:
    """In a ';' / tab file, a column of numbers written with decimal commas is read as numbers."""
    if not any("separated" in n for n in raw.notes):
        return
    n_cells = 0
    for c in raw.columns:
        s = raw.frame[c].dropna()
        comma = s.str.fullmatch(_DECIMAL_COMMA.pattern)
        if not comma.any():
            continue
        plain = pd.to_numeric(s[~comma], errors="coerce").notna()
        if plain.all():
            raw.frame.loc[s.index[comma], c] = s[comma].str.replace(",", ".", regex=False)
            n_cells += int(comma.sum())
    if n_cells:
        raw.notes.append(f"{n_cells} number(s) written with a decimal comma were read with a "
                         "decimal point (e.g. '12,5' as 12.5)")


# --------------------------------------------------------------------------- columns and layout


def check_named(raw: RawTable, named: dict[str, str | None]) -> None:
    """Every column the user named (option → name) must exist: all missing ones in one error."""
    lower = {c.lower() for c in raw.columns}
    missing = {o: n for o, n in named.items() if n is not None and n.lower() not in lower}
    if missing:
        raise AnalysisInputError(
            "no column(s) " + ", ".join(f"{n!r} (named with {o})" for o, n in missing.items())
            + "; columns present: " + ", ".join(repr(c) for c in raw.columns),
            file=raw.label, column=", ".join(missing.values()))


def find_column(raw: RawTable, given: str | None, role: str, option: str) -> str | None:
    """The column for ``role`` (id / arm / day): the user's name, else a common default name.

    A name the user gave must exist (case differences are accepted with a note); a duplicated
    column that is used is an error, since either copy could be meant.
    """
    cols = raw.columns
    lower = {c.lower(): c for c in reversed(cols)}
    if given is not None:
        col = given if given in cols else lower.get(given.lower())
        if col is None:
            raise AnalysisInputError(
                f"no column {given!r} (named with {option}); columns present: "
                + ", ".join(repr(c) for c in cols), file=raw.label, column=given)
        if col != given:
            raw.notes.append(f"column {given!r} ({option}) matched {col!r} (case differs)")
    else:
        col = next((lower[n] for n in DEFAULT_NAMES[role] if n in lower), None)
        if col is None:
            return None
        if col.lower() != DEFAULT_NAMES[role][0]:
            raw.notes.append(f"column {col!r} taken as the {role} column (name another with "
                             f"{option})")
    if col in raw.duplicates:
        raise AnalysisInputError(
            f"column {col!r} appears {len(raw.duplicates[col]) + 1} times in the header; "
            "rename or delete the copies so it is clear which one is meant",
            file=raw.label, column=col)
    return col


def note_unused_duplicates(raw: RawTable, used: set[str]) -> None:
    """Headers that occur more than once but name no column the analysis reads: a note."""
    extra = [c for c in raw.duplicates if c not in used and day_of_header(c) is None]
    if extra:
        raw.notes.append("header names occurring more than once, not used: "
                         + ", ".join(repr(c) for c in extra))


def day_columns(raw: RawTable, exclude: set[str]) -> dict[str, float]:
    """Columns whose header is a day (``7``, ``Day 7``, ``D7``) → day number."""
    return {c: d for c in raw.columns if c not in exclude
            and (d := day_of_header(c)) is not None}


def choose_layout(raw: RawTable, layout: str, day_col: str | None, day_given: bool,
                  exclude: set[str]) -> str:
    """``long`` or ``wide``: as asked, or from the header (a day column → long; day headers →
    wide)."""
    if layout not in LAYOUTS:
        raise AnalysisInputError(f"unknown layout {layout!r}; allowed: {', '.join(LAYOUTS)}")
    days = day_columns(raw, exclude)
    if layout == "auto":
        if day_col is not None:
            layout = "long"
        elif len(days) >= 2:
            layout = "wide"
        else:
            raise AnalysisInputError(
                "cannot tell the layout: no day column"
                + ("" if day_given else " ('day', 'time', …)")
                + " for a long table, and fewer than two day headers ('0', 'Day 7', 'D14') for a "
                "wide one; columns present: " + ", ".join(repr(c) for c in raw.columns)
                + " (name the day column, or choose the layout)", file=raw.label)
        raw.notes.append(f"{layout} layout detected"
                         + (f" ({len(days)} day columns)" if layout == "wide" else ""))
    if layout == "wide" and len(days) < 2:
        raise AnalysisInputError(
            "wide layout needs at least two day columns with headers like '0', 'Day 7' or 'D14'; "
            "columns present: " + ", ".join(repr(c) for c in raw.columns), file=raw.label)
    return layout


def wide_to_long(raw: RawTable, id_col: str, arm_col: str, volume_col: str = "volume_mm3",
                 day_col: str = "day") -> RawTable:
    """One row per mouse × day from a wide table; each row located by line and day column."""
    days = day_columns(raw, {id_col, arm_col})
    for c in raw.duplicates:
        if c in days:
            days.update({copy: days[c] for copy in raw.duplicates[c]})
    same: dict[float, list[str]] = {}
    for c, d in days.items():
        same.setdefault(d, []).append(c)
    clash = {d: cs for d, cs in same.items() if len(cs) > 1}
    if clash:
        raise AnalysisInputError(
            "two columns for the same day: " + "; ".join(
                f"day {d:g}: " + ", ".join(repr(c) for c in cs) for d, cs in clash.items()),
            file=raw.label, column=", ".join(c for cs in clash.values() for c in cs))
    order = list(days)
    if order != sorted(order, key=days.get):
        raw.notes.append("day columns are not in increasing order in the file; they are read by "
                         "their day numbers")
    other = [c for c in raw.columns if c not in days and c not in (id_col, arm_col)]
    if other:
        raw.notes.append("columns not used (neither id, arm nor a day): "
                         + ", ".join(repr(c) for c in other))
    f = raw.frame
    long = f.melt(id_vars=[id_col, arm_col, WHERE], value_vars=order, var_name="_col",
                  value_name=volume_col)
    long[day_col] = long["_col"].map(lambda c: f"{days[c]:g}")
    long[WHERE] = long[WHERE] + ", column '" + long["_col"] + "'"
    long["_order"] = long.index % len(f) * len(order) + long.index // len(f)
    long = long.sort_values("_order", kind="stable")
    empty = long[volume_col].isna()
    if empty.any():
        raw.notes.append(f"{int(empty.sum())} empty day cell(s) (no measurement that day, e.g. "
                         "after a mouse left the study) were skipped")
    long = long[~empty].drop(columns=["_col", "_order"]).reset_index(drop=True)
    return RawTable(frame=long, label=raw.label, notes=raw.notes, duplicates={})


# --------------------------------------------------------------------------- arms


def control_candidates(arms: list[str]) -> list[str]:
    """Arms whose name is, or has as a word, a common control name (not combination names)."""
    out = []
    for a in arms:
        if "+" in a:
            continue
        words = set(re.split(r"[^a-z0-9]+", a.lower()))
        if words & set(CONTROL_NAMES):
            out.append(a)
    return out


def resolve_control(arms: list[str], given: str | None, label: str | None,
                    notes: list[str], column: str = "arm") -> str:
    """The control arm: the one named (must exist), else 'control', else a common control name.

    Several candidate names, or none, is an error listing the arms, as is a named arm that the
    data do not have.
    """
    listing = ", ".join(repr(a) for a in arms)
    if given is not None:
        if given not in arms:
            near = [a for a in arms if a.lower() == given.lower()]
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise AnalysisInputError(f"control arm {given!r} (--control) is not in the data"
                                     f"{hint}; arms present: {listing}", file=label, column=column)
        return given
    if "control" in arms:
        return "control"
    found = control_candidates(arms)
    if len(found) == 1:
        notes.append(f"control arm: {found[0]!r} (recognised as a control name; choose another "
                     "with --control)")
        return found[0]
    what = ("several arms look like a control: " + ", ".join(repr(a) for a in found)
            if found else "no arm is named like a control (" + ", ".join(CONTROL_NAMES) + ")")
    raise AnalysisInputError(f"{what}; name the control arm with --control; arms present: "
                             f"{listing}", file=label, column=column)


def check_arms(arms: list[str], named: list[str], option: str, label: str | None,
               column: str = "arm") -> None:
    """Every arm an option names must be in the data (error listing the arms present)."""
    missing = [a for a in named if a not in arms]
    if missing:
        raise AnalysisInputError(
            f"{option} names arm(s) {', '.join(repr(a) for a in missing)} that are not in the "
            f"data; arms present: {', '.join(repr(a) for a in arms)}", file=label, column=column)


def ordinal_runs(values: np.ndarray) -> bool:
    """True when values never decrease (file order of one mouse's days)."""
    return bool(np.all(np.diff(values) >= 0))
