"""Lab tables as they come (issue 14 item 3): layouts, separators, Excel, baseline day, detection
limit, control names and the located errors; every skipped or changed row must be in a note."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from xenosim.analysis import AnalysisInputError, load_caliper_csv
from xenosim.analysis.cli import analyze_command
from xenosim.analysis.tables import control_candidates, day_of_header, resolve_control

REAL = Path(__file__).parent / "data" / "real"
SW837 = REAL / "invivosyn_SW837.csv"  # wide, days -1 … 24, arms Vehicle / A / B / A + B


def _wide(rows: dict[str, list], days=("0", "7", "14"), arms=None) -> pd.DataFrame:
    """A small wide table: mouse → volumes per day; arm from the mouse name's prefix."""
    recs = []
    for m, vols in rows.items():
        recs.append({"Mouse": m, "Group": (arms or {}).get(m, m.split("-")[0]),
                     **dict(zip(days, vols, strict=True))})
    return pd.DataFrame(recs)


def _base_rows() -> dict[str, list]:
    return {"ctrl-1": [100, 200, 400], "ctrl-2": [110, 210, 420],
            "drug-1": [100, 120, 150], "drug-2": [90, 100, 130]}


def _write(df: pd.DataFrame, path: Path, **kw) -> Path:
    df.to_csv(path, index=False, **kw)
    return path


def _err(path: Path, match: list[str], **kw) -> str:
    with pytest.raises(AnalysisInputError) as info:
        load_caliper_csv(path, **kw)
    msg = str(info.value)
    for m in match:
        assert m in msg, (m, msg)
    return msg


def _notes(data, word: str) -> list[str]:
    return [n for n in data.notes if word in n]


# --------------------------------------------------------------------------- headers and layout


@pytest.mark.parametrize("header, day", [("7", 7.0), ("-1", -1.0), ("Day 7", 7.0), ("D14", 14.0),
                                         ("day_3", 3.0), ("d 0", 0.0), ("Day.21", 21.0),
                                         ("10.5", 10.5), ("Mouse", None), ("Group 2", None),
                                         ("Dose", None)])
def test_day_headers(header, day):
    assert day_of_header(header) == day


def test_wide_detected_and_equal_to_long(tmp_path):
    """The same numbers as a wide and as a long table give the same measurements."""
    wide = _wide(_base_rows(), days=("Day 0", "D7", "14"))
    pw = _write(wide, tmp_path / "wide.csv")
    long = wide.melt(id_vars=["Mouse", "Group"], var_name="Day", value_name="Volume")
    long["Day"] = long["Day"].map(day_of_header)
    pl = _write(long.sample(frac=1.0, random_state=1), tmp_path / "long.csv")
    dw = load_caliper_csv(pw)
    dl = load_caliper_csv(pl, day_col="Day", volume_col="Volume")
    assert _notes(dw, "wide layout detected (3 day columns)")
    assert _notes(dl, "not in day order")  # shuffled rows: sorted, and said so
    cols = ["mouse", "arm", "day", "volume_mm3"]
    pd.testing.assert_frame_equal(dw.measurements[cols], dl.measurements[cols])
    assert dw.measurements["volume_mm3"].sum() == pytest.approx(long["Volume"].sum())
    assert dw.columns == {"mouse": "Mouse", "day": "day", "arm": "Group"}


def test_layout_option(tmp_path):
    p = _write(_wide(_base_rows()), tmp_path / "w.csv")
    assert len(load_caliper_csv(p, layout="wide").measurements) == 12
    _err(p, ["no day column", "a wide table?"], layout="long")
    _err(p, ["unknown layout 'tall'", "auto, long, wide"], layout="tall")
    one = _write(_wide(_base_rows(), days=("0", "x", "y")), tmp_path / "one.csv")
    _err(one, ["cannot tell the layout", "'x'"])
    _err(one, ["wide layout needs at least two day columns"], layout="wide")


def test_wide_refuses_size_columns(tmp_path):
    p = _write(_wide(_base_rows()), tmp_path / "w.csv")
    _err(p, ["--length, --width name a size column of a long table"], length_col="L",
         width_col="W")


def test_wide_day_columns_out_of_order_and_unused_columns(tmp_path):
    df = _wide(_base_rows())[["Mouse", "Group", "14", "0", "7"]].assign(Cage=1)
    d = load_caliper_csv(_write(df, tmp_path / "w.csv"))
    assert _notes(d, "not in increasing order") and _notes(d, "not used") and _notes(d, "'Cage'")
    g = d.measurements[d.measurements["mouse"] == "ctrl-1"]
    assert list(g["day"]) == [0, 7, 14] and list(g["volume_mm3"]) == [100, 200, 400]


def test_wide_empty_cells_counted(tmp_path):
    rows = _base_rows()
    rows["ctrl-2"] = [110, 210, None]
    d = load_caliper_csv(_write(_wide(rows), tmp_path / "w.csv"))
    assert len(d.measurements) == 11
    assert _notes(d, "1 empty day cell(s)")


def test_wide_bad_cell_located_by_line_and_column(tmp_path):
    df = _wide(_base_rows()).astype(object)
    df.loc[2, "7"] = "12o"
    msg = _err(_write(df, tmp_path / "w.csv"), ["non-numeric", "line 4, column '7'",
                                                "mouse drug-1", "'12o'"])
    assert "w.csv" in msg


def test_duplicated_columns(tmp_path):
    (tmp_path / "dupday.csv").write_text("Mouse,Group,0,7,7\na,ctrl,1,2,3\nb,ctrl,1,2,3\n")
    _err(tmp_path / "dupday.csv", ["two columns for the same day", "day 7"])
    (tmp_path / "sameday.csv").write_text("Mouse,Group,0,D7,Day 7\na,ctrl,1,2,3\nb,ctrl,1,2,3\n")
    _err(tmp_path / "sameday.csv", ["two columns for the same day", "'D7'", "'Day 7'"])
    (tmp_path / "dupid.csv").write_text("Mouse,Mouse,Group,0,7\na,x,ctrl,1,2\nb,y,ctrl,1,2\n")
    _err(tmp_path / "dupid.csv", ["column 'Mouse' appears 2 times"])
    (tmp_path / "dupother.csv").write_text(
        "Mouse,Group,Note,Note,0,7\na,ctrl,,,1,2\nb,ctrl,,,1,2\nc,d,,,1,2\ne,d,,,1,2\n")
    d = load_caliper_csv(tmp_path / "dupother.csv")
    assert _notes(d, "occurring more than once, not used: 'Note'")


# --------------------------------------------------------------------------- separators, Excel


def test_semicolon_and_decimal_commas_read_as_numbers(tmp_path):
    ref = load_caliper_csv(SW837)
    text = SW837.read_text().replace(",", ";")
    lines = text.splitlines()
    body = [";".join(c.replace(".", ",") if i >= 2 else c for i, c in enumerate(line.split(";")))
            for line in lines[1:]]
    p = tmp_path / "semi.csv"
    p.write_text("\n".join([lines[0], *body]) + "\n")
    d = load_caliper_csv(p)
    assert _notes(d, "semicolon-separated") and _notes(d, "decimal comma")
    pd.testing.assert_frame_equal(d.measurements, ref.measurements)
    t = tmp_path / "tab.tsv"
    t.write_text(SW837.read_text().replace(",", "\t"))
    pd.testing.assert_frame_equal(load_caliper_csv(t).measurements, ref.measurements)


def test_decimal_comma_in_comma_file_is_refused(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("Mouse,Group,0,7\na,ctrl,1,2\nb,ctrl,1,5,2\n")
    _err(p, ["line 3 has 5 fields", "decimal comma"])
    q = tmp_path / "q.csv"
    q.write_text('Mouse,Group,0,7\na,ctrl,1,2\nb,ctrl,"1,5",2\n')
    _err(q, ["non-numeric", "decimal commas?", "line 3, column '0'"])


def test_excel_wide_and_long_and_sheets(tmp_path):
    ref = load_caliper_csv(SW837)
    wide = pd.read_csv(SW837)
    long = wide.melt(id_vars=["Treatment", "Mouse"], var_name="Day", value_name="TV")
    p = tmp_path / "study.xlsx"
    with pd.ExcelWriter(p) as xw:
        pd.DataFrame({"about": ["read me"]}).to_excel(xw, sheet_name="info", index=False)
        wide.to_excel(xw, sheet_name="wide", index=False)
        long.to_excel(xw, sheet_name="long", index=False)
    dw = load_caliper_csv(p, sheet="wide")
    dl = load_caliper_csv(p, sheet="long", day_col="Day", volume_col="TV")
    cols = ["mouse", "arm", "day", "volume_mm3"]
    for d in (dw, dl):
        pd.testing.assert_frame_equal(d.measurements[cols], ref.measurements[cols])
    assert dw.source == "study.xlsx, sheet 'wide'"
    _err(p, ["no sheet 'nope'", "'info', 'wide', 'long'"], sheet="nope")
    _err(p, ["sheet 'info'", "no mouse id column"])  # the first sheet is read by default
    wide.loc[3, "6"] = -5
    bad = tmp_path / "bad.xlsx"
    wide.to_excel(bad, index=False)
    _err(bad, ["negative", "row 5, column '6'"])
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    _err(old, [".xls workbooks are not read"])
    _err(SW837, ["not an Excel workbook"], sheet="wide")
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a zip")
    _err(junk, ["cannot be read as an .xlsx workbook"])


# --------------------------------------------------------------------------- columns


def test_column_names_found_and_errors_name_the_option(tmp_path):
    df = pd.DataFrame({"Animal ID": ["a", "a", "b", "b", "c", "c", "d", "d"],
                       "Treatment": ["v"] * 4 + ["x"] * 4, "Time": [0, 7] * 4,
                       "Volume": [100, 200, 100, 190, 100, 120, 100, 130]})
    p = _write(df, tmp_path / "t.csv")
    d = load_caliper_csv(p)
    assert _notes(d, "'Animal ID' taken as the id column") and _notes(d, "'Time' taken as")
    assert len(d.measurements) == 8
    d2 = load_caliper_csv(p, id_col="animal id", arm_col="treatment", day_col="time",
                          volume_col="volume")
    assert _notes(d2, "'animal id' (--id) matched 'Animal ID'")
    _err(p, ["no column(s) 'Cage' (named with --id)", "'Animal ID'"], id_col="Cage")
    _err(p, ["'Cage' (named with --id), 'Size' (named with --volume)"], id_col="Cage",
         volume_col="Size")
    _err(p, ["no column(s) 'Size' (named with --volume)"], volume_col="Size")
    nameless = _write(df.rename(columns={"Animal ID": "Who"}), tmp_path / "n.csv")
    _err(nameless, ["no mouse id column", "--id", "'Who'"])


# --------------------------------------------------------------------------- baseline day


def test_baseline_day_default_last_reading_at_or_before_zero(tmp_path):
    wide = _wide(_base_rows(), days=("-7", "-1", "6"))
    d = load_caliper_csv(_write(wide, tmp_path / "w.csv"))
    m = d.measurements
    assert sorted(m["day"].unique()) == [-6, 0, 7]
    assert _notes(d, "table day -1 (the last measurement at or before day 0)")
    assert _notes(d, "all 12 rows' days shifted by +1")
    assert _notes(d, "4 reading(s) before the baseline day (days -6 to -6)")


def test_baseline_day_default_first_day_when_study_starts_later(tmp_path):
    d = load_caliper_csv(_write(_wide(_base_rows(), days=("33", "36", "40")), tmp_path / "w.csv"))
    assert sorted(d.measurements["day"].unique()) == [0, 3, 7]
    assert _notes(d, "table day 33 (the first measurement day; none at or before day 0)")


def test_baseline_day_zero_present_changes_nothing(tmp_path):
    d = load_caliper_csv(_write(_wide(_base_rows()), tmp_path / "w.csv"))
    assert sorted(d.measurements["day"].unique()) == [0, 7, 14]
    assert not _notes(d, "shifted") and not _notes(d, "take phase")


def test_baseline_day_most_mice_decide(tmp_path):
    """One mouse measured on day 0, three on day -1: day -1 is the baseline of the study."""
    wide = _wide(_base_rows(), days=("-1", "0", "7"))
    wide.loc[[0, 1, 2], "0"] = np.nan
    wide.loc[3, "-1"] = np.nan
    d = load_caliper_csv(_write(wide, tmp_path / "w.csv"))
    assert _notes(d, "table day -1")
    assert sorted(d.measurements["day"].unique()) == [0, 1, 8]


def test_baseline_day_option(tmp_path):
    p = _write(_wide(_base_rows(), days=("0", "7", "14")), tmp_path / "w.csv")
    d = load_caliper_csv(p, baseline_day=7)
    assert sorted(d.measurements["day"].unique()) == [-7, 0, 7]
    assert _notes(d, "(the baseline day given)") and _notes(d, "4 reading(s) before the baseline")
    _err(p, ["baseline day 3 (--baseline-day) has no measurement", "0, 7, 14"], baseline_day=3)


def test_mouse_without_baseline_reading_but_earlier_ones_noted(tmp_path):
    wide = _wide(_base_rows(), days=("-3", "0", "7"))
    wide.loc[0, "0"] = np.nan
    d = load_caliper_csv(_write(wide, tmp_path / "w.csv"))
    assert _notes(d, "1 mouse/mice have no measurement on the baseline day but earlier ones")


# --------------------------------------------------------------------------- detection limit


def _with_small(tmp_path) -> Path:
    rows = _base_rows()
    rows["drug-1"] = [100, 0, 0.5]
    return _write(_wide(rows), tmp_path / "w.csv")


def test_zero_volumes_floor_is_default_and_noted(tmp_path):
    d = load_caliper_csv(_with_small(tmp_path))
    g = d.measurements[d.measurements["mouse"] == "drug-1"]
    assert list(g["volume_mm3"]) == [100, 1, 1]
    n = _notes(d, "2 reading(s) below the detection limit 1 mm³ (1 of them zero) were set to 1")
    assert n and "line 4, column '7'" in n[0]
    d5 = load_caliper_csv(_with_small(tmp_path), detection_limit_mm3=5.0)
    assert list(d5.measurements.query("mouse == 'drug-1'")["volume_mm3"]) == [100, 5, 5]
    low = load_caliper_csv(_with_small(tmp_path), detection_limit_mm3=0.25)
    assert _notes(low, "1 reading(s) below the detection limit 0.25")
    assert _notes(low, "taken as 1 mm³ in log volumes")


def test_zero_volumes_drop_and_error(tmp_path):
    d = load_caliper_csv(_with_small(tmp_path), zero_volumes="drop")
    assert list(d.measurements.query("mouse == 'drug-1'")["volume_mm3"]) == [100]
    assert _notes(d, "were dropped (--zero-volumes drop)")
    _err(_with_small(tmp_path), ["2 reading(s) below the detection limit", "--zero-volumes",
                                 "line 4, column '7'", "line 4, column '14'"],
         zero_volumes="error")
    _err(_with_small(tmp_path), ["unknown zero-volume policy 'ignore'"], zero_volumes="ignore")
    _err(_with_small(tmp_path), ["detection limit must be > 0"], detection_limit_mm3=0.0)


def test_zero_caliper_width_follows_the_policy(tmp_path):
    df = pd.DataFrame({"mouse": list("aabbccdd"), "arm": ["c"] * 4 + ["t"] * 4,
                       "day": [0, 7] * 4, "L": [5, 6, 5, 6, 5, 0, 5, 6],
                       "W": [4, 5, 4, 5, 4, 0, 4, 5]})
    p = _write(df, tmp_path / "l.csv")
    d = load_caliper_csv(p, length_col="L", width_col="W")
    assert _notes(d, "(1 of them zero) were set to 1")
    _err(p, ["column 'L × W'", "line 7"], length_col="L", width_col="W", zero_volumes="error")


# --------------------------------------------------------------------------- control and arms


@pytest.mark.parametrize("name", ["Vehicle", "CTRL", "untreated", "Placebo", "Saline",
                                  "Vehicle control", "PBS (vehicle)", "control"])
def test_control_names_recognised(name):
    notes: list[str] = []
    assert resolve_control(["Drug A", name, "Drug B"], None, "f.csv", notes) == name
    assert bool(notes) == (name != "control")


def test_control_ambiguous_missing_and_named():
    assert control_candidates(["Vehicle", "Vehicle + A", "A"]) == ["Vehicle"]
    with pytest.raises(AnalysisInputError, match="several arms look like a control: 'Vehicle', "
                                                  "'Saline'"):
        resolve_control(["Vehicle", "Saline", "A"], None, "f.csv", [])
    with pytest.raises(AnalysisInputError, match="no arm is named like a control"):
        resolve_control(["A", "B"], None, "f.csv", [])
    with pytest.raises(AnalysisInputError, match=r"did you mean 'Vehicle'\?"):
        resolve_control(["Vehicle", "A"], "vehicle", "f.csv", [])
    assert resolve_control(["Vehicle", "Saline", "A"], "Saline", "f.csv", []) == "Saline"


# --------------------------------------------------------------------------- the command


@pytest.fixture
def cli():
    app = typer.Typer()
    app.command("analyze")(analyze_command)
    app.command("other")(lambda: None)
    return lambda *args: CliRunner().invoke(app, ["analyze", *map(str, args)])


@pytest.mark.parametrize("args, words", [
    (["--control", "Placebo"], ["column 'Treatment'", "'Placebo' (--control) is not in the data",
                                "'Vehicle'"]),
    (["--combination", "Irinotecan,Rabusertib,Both"], ["--combination names arm(s) 'Both'",
                                                        "arms present", "'Rabusertib'"]),
    (["--baseline-day", "3"], ["baseline day 3", "-1, 6, 13, 20, 24"]),
    (["--layout", "long"], ["no day column", "a wide table?"]),
    (["--zero-volumes", "keep"], ["unknown zero-volume policy"]),
    (["--sheet", "x"], ["not an Excel workbook"]),
])
def test_cli_errors_exit_2_and_write_nothing(cli, tmp_path, args, words):
    out = tmp_path / "out"
    r = cli(SW837, "-o", out, "--n-boot", 50, *args)
    assert r.exit_code == 2, r.output
    text = " ".join(r.output.split())
    for w in words:
        assert w in text, (w, text)
    assert "Traceback" not in r.output and not out.exists()


def test_cli_table_options_refused_for_a_results_dir(cli, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "measurements.csv").write_text("mouse,cell_line,arm,day,volume_mm3\n")
    r = cli(run, "--baseline-day", 0, "--layout", "wide")
    assert r.exit_code == 2
    assert "--layout, --baseline-day describe a lab table" in " ".join(r.output.split())


def test_wide_mouse_in_two_rows_is_located(tmp_path):
    df = _wide(_base_rows())
    df = pd.concat([df, df.iloc[[1]]], ignore_index=True)
    _err(_write(df, tmp_path / "w.csv"), ["duplicate Mouse × day rows", "line 3, column '0'",
                                          "line 6, column '0'", "mouse ctrl-2"])
    df.loc[4, "Group"] = "drug"
    _err(_write(df, tmp_path / "w2.csv"), ["duplicate Mouse × day rows"])


def test_cli_combination_named_and_inferred(cli, tmp_path, no_analysis_figures):
    """A named combination is used as given; 'none' skips synergy; auto takes 'A + B'."""
    r = cli(SW837, "-o", tmp_path / "a", "--n-boot", 50, "--combination",
            "Rabusertib,Irinotecan,Irinotecan + Rabusertib")
    assert r.exit_code == 0, r.output
    assert "taken from arm names" not in r.output
    r = cli(SW837, "-o", tmp_path / "b", "--n-boot", 50, "--combination", "none")
    assert r.exit_code == 0 and "taken from arm names" not in r.output
    assert "Synergy (" not in (tmp_path / "b" / "report.md").read_text()
    assert "Synergy (" in (tmp_path / "a" / "report.md").read_text()


def test_lab_table_order_is_first_appearance_with_the_control_first(tmp_path):
    """Arms keep the order a lab wrote them in (not alphabetical), the control moved first."""
    from xenosim.analysis.order import study_order

    rows = ["mouse,arm,day,volume"]
    for arm in ["Zeta", "Vehicle", "Alpha"]:
        for d in (0, 7, 14):
            rows += [f"{arm[0]}{k},{arm},{d},{100 + 10 * d + k}" for k in range(3)]
    path = tmp_path / "order.csv"
    path.write_text("\n".join(rows) + "\n")
    data = load_caliper_csv(path, volume_col="volume")
    order = study_order(data, "Vehicle")
    assert list(order.values())[0] == ["Vehicle", "Zeta", "Alpha"]
