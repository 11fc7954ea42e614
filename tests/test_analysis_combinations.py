"""Combination arms found from a run's regimens or from arm names; a named missing arm is an error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from xenosim.analysis import AnalysisInputError, analyze
from xenosim.analysis.cli import analyze_command
from xenosim.analysis.combinations import combinations_from_names, combinations_from_regimens
from xenosim.analysis.data import load_results_dir
from xenosim.analysis.synthetic import simulate_study, write_results_dir

FIXTURE = Path(__file__).parent / "fixtures" / "analysis" / "lab_calipers.csv"

ARO_CONFIG = """
arms:
  control: {label: Androstenedione}
  letrozole:
    regimens: [{drug: letrozole, dose: 0.01, dose_unit: mg, route: sc, schedule: daily}]
  everolimus:
    regimens: [{drug: everolimus, dose: 5, dose_unit: mg/kg, route: po, schedule: daily}]
  ai_plus_mtor:
    regimens:
      - {drug: letrozole, dose: 0.01, dose_unit: mg, route: sc, schedule: daily}
      - {drug: everolimus, dose: 5, dose_unit: mg/kg, route: po, schedule: daily}
"""


def test_combinations_from_regimens_ignore_names():
    drugs = {"control": frozenset(), "let": frozenset({"letrozole"}),
             "eve": frozenset({"everolimus"}), "combo": frozenset({"letrozole", "everolimus"})}
    assert combinations_from_regimens(drugs) == [("eve", "let", "combo")]
    drugs["let2"] = frozenset({"letrozole"})  # two letrozole arms: ambiguous
    assert combinations_from_regimens(drugs) == []


@pytest.mark.parametrize("name", ["x+y", "x + y", "x_y"])
def test_combinations_from_names(name):
    assert combinations_from_names(["vehicle", "x", "y", name]) == [("x", "y", name)]


def test_ambiguous_or_partial_names_are_not_combinations():
    # a_b_c splits as a + b_c and as a_b + c: ambiguous, so not taken (a_b = a + b? no b arm)
    assert combinations_from_names(["a", "b_c", "a_b", "c", "a_b_c"]) == []
    assert combinations_from_names(["control", "x", "x+z"]) == []


def test_run_synergy_comes_from_the_config_regimens(tmp_path):
    rates = {("aro", "control"): 0.07, ("aro", "letrozole"): 0.04, ("aro", "everolimus"): 0.05,
             ("aro", "ai_plus_mtor"): 0.0}
    m, mi, _ = simulate_study(rates, n_per_arm=4, endpoint_volume_mm3=1e9, seed=4)
    run = write_results_dir(tmp_path / "run", m, mi)
    (run / "config.yaml").write_text(ARO_CONFIG)
    res = analyze(load_results_dir(run), tmp_path / "out", n_boot=50, key_comparison=None)
    syn = res.tables["synergy_study_end"]
    assert set(syn["arm_ab"]) == {"ai_plus_mtor"}
    assert {syn["arm_a"].iloc[0], syn["arm_b"].iloc[0]} == {"letrozole", "everolimus"}
    assert any("taken from the run's regimens" in n for n in res.notes)
    with pytest.raises(AnalysisInputError, match="'nope'"):
        analyze(load_results_dir(run), tmp_path / "out2", n_boot=50,
                combination=("letrozole", "nope", "ai_plus_mtor"))
    assert not (tmp_path / "out2").exists()


def test_cli_combination_naming_a_missing_arm_exits_2(tmp_path):
    csv = tmp_path / "study.csv"
    shutil.copy(FIXTURE, csv)
    app = typer.Typer()
    app.command("analyze")(analyze_command)
    app.command("other")(lambda: None)
    res = CliRunner().invoke(app, [
        "analyze", str(csv), "--id", "Animal", "--arm", "Group", "--day", "Day",
        "--length", "L", "--width", "W", "--control", "vehicle",
        "--combination", "drug_x,drug_q,drug_x+drug_y", "--n-boot", "100"])
    assert res.exit_code == 2, res.output
    assert "drug_q" in res.output and "study.csv" in " ".join(res.output.split())
