"""Real public xenograft tables (issue 14 item 6), read wide as published and long after a melt,
with growth rates, T/C and arm counts checked against an independent pandas / scipy computation.

The tables are the example data of the invivoSyn R package (MIT licence; see
tests/data/real/README.md): SW837 (colorectal CDX, days -1 … 24), LS1034 (colorectal CDX, empty
cells after the vehicle mice left) and CR1197 (colorectal PDX, days 33 … 89, NA cells, zeros).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from scipy import stats as sps
from typer.testing import CliRunner

from xenosim.analysis import load_caliper_csv
from xenosim.analysis import stats as S
from xenosim.analysis.cli import analyze_command
from xenosim.analysis.combinations import combinations_from_names

REAL = Path(__file__).parent / "data" / "real"
#: file → (arms and their mice as published, baseline table day, combination name)
TABLES = {
    "invivosyn_SW837.csv": ({"Vehicle": 6, "Rabusertib": 6, "Irinotecan": 8,
                             "Irinotecan + Rabusertib": 4}, -1.0, "Irinotecan + Rabusertib"),
    "invivosyn_LS1034.csv": ({"Vehicle": 6, "Rabusertib": 12, "Irinotecan": 11,
                              "Irinotecan+Rabusertib": 12}, -1.0, "Irinotecan+Rabusertib"),
    "invivosyn_CR1197_exp6_1.csv": ({"Vehicle": 10, "Cetuximab": 10, "Palbociclib": 10,
                                     "Palbociclib+Cetuximab": 10}, 33.0,
                                    "Palbociclib+Cetuximab"),
}
FLOOR_MM3 = 1.0  # the default detection limit: readings below it count as 1 mm³


def _independent_long(path: Path) -> pd.DataFrame:
    """The published wide table melted by plain pandas: one row per mouse × measured day."""
    wide = pd.read_csv(path)
    long = wide.melt(id_vars=["Treatment", "Mouse"], var_name="table_day", value_name="V")
    long = long.dropna(subset=["V"])
    long["table_day"] = long["table_day"].astype(float)
    long["Mouse"] = long["Mouse"].astype(str)
    long["V"] = np.maximum(long["V"].astype(float), FLOOR_MM3)
    return long


def _as_long_csv(path: Path, tmp_path: Path) -> Path:
    """The same table in the long layout (rows shuffled, columns renamed as a lab might)."""
    long = _independent_long(path).rename(columns={"table_day": "Day", "V": "TV"})
    raw = pd.read_csv(path).melt(id_vars=["Treatment", "Mouse"], var_name="Day", value_name="TV")
    raw = raw.dropna(subset=["TV"]).sample(frac=1.0, random_state=3)
    out = tmp_path / f"{path.stem}_long.csv"
    raw.to_csv(out, index=False)
    assert len(raw) == len(long)
    return out


@pytest.fixture(params=list(TABLES), ids=lambda f: Path(f).stem.split("_")[1])
def table(request):
    return REAL / request.param, *TABLES[request.param]


def test_files_are_small_and_documented():
    readme = (REAL / "README.md").read_text()
    for f in TABLES:
        assert (REAL / f).stat().st_size < 200_000
        assert f in readme
    assert "MIT" in readme and "github.com/maobinchen/invivoSyn" in readme


def test_wide_and_long_layouts_read_the_same(table, tmp_path):
    path, arms, base, _ = table
    wide = load_caliper_csv(path)
    long = load_caliper_csv(_as_long_csv(path, tmp_path), day_col="Day", volume_col="TV")
    cols = ["mouse", "arm", "day", "volume_mm3"]
    pd.testing.assert_frame_equal(wide.measurements[cols], long.measurements[cols])
    assert any("wide layout detected" in n for n in wide.notes)
    assert any("long layout detected" in n for n in long.notes)
    indep = _independent_long(path)
    assert len(wide.measurements) == len(indep)  # nothing dropped …
    assert wide.measurements["volume_mm3"].sum() == pytest.approx(indep["V"].sum(), rel=1e-12)
    # … and the day shift is the table's baseline day, said in a note
    assert sorted(wide.measurements["day"].unique()) == sorted(indep["table_day"].unique() - base)
    assert any(f"table day {base:g}" in n for n in wide.notes)


def test_arm_counts(table):
    path, arms, _, _ = table
    data = load_caliper_csv(path)
    got = data.mice.groupby("arm").size().to_dict()
    indep = pd.read_csv(path).groupby("Treatment")["Mouse"].nunique().to_dict()
    assert got == indep == arms


def test_growth_rates_match_scipy(table, tmp_path):
    """Per-mouse OLS slope of ln V on day (shift-invariant, so table days are used here)."""
    path, _, _, _ = table
    indep = {m: sps.linregress(g["table_day"], np.log(g["V"])).slope
             for m, g in _independent_long(path).groupby("Mouse")}
    for p, kw in ((path, {}), (_as_long_csv(path, tmp_path), {"day_col": "Day",
                                                             "volume_col": "TV"})):
        data = load_caliper_csv(p, **kw)
        rates = S.mouse_growth_rates(S.treatment_phase(data.measurements))
        got = rates.set_index("mouse")["rate_per_day"].to_dict()
        assert set(got) == set(indep)
        for m, r in indep.items():
            assert got[m] == pytest.approx(r, rel=1e-9, abs=1e-12), m


def test_tc_at_last_common_day(table):
    """T/C and T/C of RTV on the last table day on which every mouse of every arm is measured."""
    path, arms, base, _ = table
    long = _independent_long(path)
    n_mice = long.groupby("Treatment")["Mouse"].nunique()
    per_day = long.groupby(["table_day", "Treatment"])["Mouse"].nunique().unstack()
    full = per_day[(per_day == n_mice).all(axis=1)]
    last = float(full.index.max())
    first = long.sort_values("table_day").groupby("Mouse")["V"].first()
    at = long[long["table_day"] == last].assign(rtv=lambda d: d["V"] / d["Mouse"].map(first))
    mean_v = at.groupby("Treatment")["V"].mean()
    mean_rtv = at.groupby("Treatment")["rtv"].mean()

    data = load_caliper_csv(path)
    tc, _ = S.tc_tgi(S.treatment_phase(data.measurements), "Vehicle")
    tc = tc[tc["day"] == last - base].set_index("arm")
    assert set(tc.index) == set(arms) - {"Vehicle"}
    for arm in tc.index:
        assert tc.at[arm, "tc"] == pytest.approx(mean_v[arm] / mean_v["Vehicle"], rel=1e-9)
        assert tc.at[arm, "tc_rtv"] == pytest.approx(mean_rtv[arm] / mean_rtv["Vehicle"],
                                                     rel=1e-9)


def test_combination_inferred_from_names(table):
    path, arms, _, combo = table
    found = combinations_from_names(list(arms))
    assert [c[2] for c in found] == [combo]
    a, b, _ = found[0]
    assert {a, b} <= set(arms) and a != b


def test_real_table_rows_accounted_for():
    """CR1197 has 268 NA cells and two zero volumes; LS1034 one reading below 1 mm³."""
    cr = load_caliper_csv(REAL / "invivosyn_CR1197_exp6_1.csv")
    assert any("268 empty day cell(s)" in n for n in cr.notes)
    assert any("2 reading(s) below the detection limit 1 mm³ (2 of them zero)" in n
               for n in cr.notes)
    ls = load_caliper_csv(REAL / "invivosyn_LS1034.csv")
    assert any("1 reading(s) below the detection limit 1 mm³ (0 of them zero)" in n
               for n in ls.notes)
    dropped = load_caliper_csv(REAL / "invivosyn_CR1197_exp6_1.csv", zero_volumes="drop")
    assert len(dropped.measurements) == len(cr.measurements) - 2


def test_cli_on_a_real_table_notes_in_terminal_and_report(tmp_path):
    app = typer.Typer()
    app.command("analyze")(analyze_command)
    app.command("other")(lambda: None)
    out = tmp_path / "sw837"
    r = CliRunner().invoke(app, ["analyze", str(REAL / "invivosyn_SW837.csv"), "-o", str(out),
                                 "--n-boot", "100"])
    assert r.exit_code == 0, r.output
    term = " ".join(r.output.split())
    report = (out / "report.md").read_text()
    for words in ("shifted by +1", "control arm: 'Vehicle'",
                  "'Irinotecan + Rabusertib' = 'Irinotecan' + 'Rabusertib'"):
        assert words in term and words in report, words
