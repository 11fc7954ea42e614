"""End to end: a synthetic xenosim results directory → analyze → report with the key comparison;
a lab caliper CSV through the CLI function; two runs through compare."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from xenosim.analysis import analyze, compare_runs, load_results_dir
from xenosim.analysis.cli import analyze_command, compare_command
from xenosim.analysis.report import fmt_ci
from xenosim.analysis.synthetic import simulate_study, write_results_dir
from xenosim.core.output import OutputError

FIXTURE = Path(__file__).parent / "fixtures" / "analysis" / "lab_calipers.csv"

# true growth rates (per day); the myr-Akt line resists tamoxifen unless CCI-779 is added
RATES = {
    ("mcf7_vector", "control"): 0.08,
    ("mcf7_vector", "estrogen_withdrawal"): 0.0,
    ("mcf7_vector", "tamoxifen"): 0.01,
    ("mcf7_vector", "cci779"): 0.05,
    ("mcf7_vector", "tamoxifen+cci779"): 0.0,
    ("mcf7_myr_akt", "control"): 0.08,
    ("mcf7_myr_akt", "estrogen_withdrawal"): 0.05,
    ("mcf7_myr_akt", "tamoxifen"): 0.06,
    ("mcf7_myr_akt", "cci779"): 0.05,
    ("mcf7_myr_akt", "tamoxifen+cci779"): 0.005,
}


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    run = tmp_path_factory.mktemp("results") / "run-001"
    meas, mice, cells = simulate_study(RATES, n_per_arm=5, days=np.arange(0, 29, 3.5),
                                       rate_sd=0.005, noise_sd=0.1, seed=42)
    write_results_dir(run, meas, mice, cells, experiment="degraffenried_synthetic")
    result = analyze(load_results_dir(run), run / "analysis", n_boot=500, seed=1)
    return run, result


def test_outputs_written(study):
    run, res = study
    out = run / "analysis"
    assert res.out_dir == out and res.report_html.is_file() and res.report_md.is_file()
    for name in ("arm_summary", "tc_tgi_study_end", "growth_rate_arm", "mixed_model_contrasts",
                 "logrank_pairs", "mrecist_mouse", "synergy_by_day", "mechanism_by_day"):
        assert (out / "tables" / f"{name}.csv").is_file(), name
    for name, path in res.figures.items():
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    assert {"growth_curves", "spaghetti", "waterfall", "kaplan_meier", "forest_growth_rate",
            "synergy", "mechanism_activities", "mechanism_er_shares",
            "key_comparison"} <= set(res.figures)
    html = res.report_html.read_text()
    assert html.count("data:image/png;base64,") == len(res.figures)
    md = res.report_md.read_text()
    for rel in re.findall(r"\]\((figures/[^)]+)\)", md):
        assert (out / rel).is_file()
    # nothing but the finished analysis beside the inputs
    assert sorted(p.name for p in run.iterdir()) == [
        "analysis", "cells.csv", "manifest.json", "measurements.csv", "mice.csv"]


def test_report_has_key_comparison_first(study):
    _, res = study
    html = res.report_html.read_text()
    head = "Key comparison: tamoxifen+cci779 vs tamoxifen in mcf7_myr_akt"
    assert head in html and 'id="key"' in html
    assert html.index(head) < html.index("Study design") < html.index("Per-arm results")
    # the prominent number is the mixed-model contrast from the table
    c = res.tables["mixed_model_contrasts"]
    row = c[(c["cell_line"] == "mcf7_myr_akt") & (c["arm_a"] == "tamoxifen")
            & (c["arm_b"] == "tamoxifen+cci779")].iloc[0]
    key_html = html[html.index(head):html.index("Study design")]
    assert fmt_ci(row["difference_per_day"], row["ci_low"], row["ci_high"], 4) in key_html
    assert "Bliss excess" in key_html and "HSA excess" in key_html
    assert "Key comparison" in res.report_md.read_text()


def test_key_numbers_recover_the_simulated_truth(study):
    _, res = study
    k = res.key_comparison
    true_diff = RATES[("mcf7_myr_akt", "tamoxifen+cci779")] - RATES[("mcf7_myr_akt", "tamoxifen")]
    c = k["contrast"]
    assert c["ci_low"] <= true_diff <= c["ci_high"] and c["ci_high"] < 0
    # Bliss on log relative volume: excess = r_tam + r_cci − r_C − r_comb = 0.025 /day
    bliss = k["synergy"]["bliss"]
    assert bliss["ci_low"] > 0
    assert bliss["ci_low"] <= 0.06 + 0.05 - 0.08 - 0.005 <= bliss["ci_high"]
    assert bliss["test"].startswith("Welch")
    # tamoxifen resistance: a much smaller tamoxifen effect in the Akt line than in vector
    effect = {x["cell_line"]: x["difference_per_day"] for x in k["arm_a_vs_control"]}
    assert effect["mcf7_vector"] < effect["mcf7_myr_akt"] - 0.03
    # ... tested as a cell line × tamoxifen interaction: (0.06 − 0.08) − (0.01 − 0.08) = 0.05
    ia = k["interaction"]
    assert ia["other_line"] == "mcf7_vector"
    assert ia["ci_low"] <= 0.05 <= ia["ci_high"] and ia["ci_low"] > 0
    assert "interaction" in " ".join(k["sentences"])


def test_per_arm_table_and_statistics(study):
    _, res = study
    arm = res.tables["growth_rate_arm"].set_index(["cell_line", "arm"])
    for key, truth in RATES.items():
        r = arm.loc[key]
        # 10 groups: Bonferroni-widened check of each 95 % CI
        half = (r["rate_ci_high"] - r["rate_ci_low"]) / 2
        assert abs(r["rate_per_day"] - truth) <= half * 1.6, key
    summary = res.tables["arm_summary"]
    assert len(summary) == 10 and (summary["n_mice"] == 5).all()
    tc = res.tables["tc_tgi_study_end"].set_index(["cell_line", "arm"])
    assert tc.loc[("mcf7_vector", "tamoxifen"), "tc"] < tc.loc[("mcf7_myr_akt", "tamoxifen"), "tc"]
    assert (tc["tgi_pct"] > 0).all()
    surv = res.tables["survival_summary"].set_index(["cell_line", "arm"])
    mice = pd.read_csv(study[0] / "mice.csv")
    events = mice[mice["event"] == "endpoint"].groupby(["cell_line", "arm"]).size()
    for key in RATES:
        assert surv.loc[key, "n_endpoint"] == events.get(key, 0), key
    assert surv.loc[("mcf7_vector", "tamoxifen+cci779"), "n_endpoint"] == 0
    lr = res.tables["logrank_pairs"]
    tested = lr.dropna(subset=["p_value"])  # no event in either arm: no test
    assert len(tested) > 0 and tested["p_adjusted"].notna().all()
    assert (tested["p_adjusted"] >= tested["p_value"]).all()
    mech = res.tables["mechanism_by_day"]
    assert {"frac_mtorc1_high", "frac_er_high", "er_share_ser167"} <= set(mech.columns)


def test_rerun_replaces_output(study, tmp_path, monkeypatch):
    from xenosim.analysis import pipeline

    # figures are checked above; here only the file replacement matters (one stand-in figure,
    # none drawn; few bootstrap resamples: no statistic is checked)
    monkeypatch.setattr(pipeline, "draw_figures", lambda *a, **k: {"growth_curves": b"png"})
    run, _ = study
    copy = tmp_path / "run"
    shutil.copytree(run, copy, ignore=shutil.ignore_patterns("analysis"))
    out = copy / "analysis"
    first = analyze(load_results_dir(copy), out, n_boot=50, combination=None)
    assert first.key_comparison is not None and (out / "figures" / "growth_curves.png").is_file()
    res = analyze(load_results_dir(copy), out, n_boot=50, key_comparison=None,
                  combination=None)
    assert res.report_html.is_file()  # a previous analysis of ours is replaced
    assert res.key_comparison is None
    assert "Key comparison" not in res.report_html.read_text()
    (out / "stale.txt").write_text("a user's file")  # never deleted: the rerun is refused
    with pytest.raises(OutputError, match="stale.txt"):
        analyze(load_results_dir(copy), out, n_boot=50, combination=None)
    assert (out / "stale.txt").read_text() == "a user's file"


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("analyze")(analyze_command)
    app.command("compare")(compare_command)
    return app


def test_cli_lab_csv(tmp_path, no_analysis_figures):
    csv = tmp_path / "study.csv"
    shutil.copy(FIXTURE, csv)
    res = CliRunner().invoke(_app(), [
        "analyze", str(csv), "--id", "Animal", "--arm", "Group", "--day", "Day",
        "--length", "L", "--width", "W", "--control", "vehicle",
        "--combination", "drug_x,drug_y,drug_x+drug_y", "--n-boot", "100"])
    assert res.exit_code == 0, res.output
    out = tmp_path / "study_analysis"
    html = (out / "report.html").read_text()
    assert "Key comparison" not in html and "Combination synergy" in html
    syn = pd.read_csv(out / "tables" / "synergy_study_end.csv")
    assert set(syn["metric"]) == {"bliss", "hsa", "response_additivity"}
    tc = pd.read_csv(out / "tables" / "tc_tgi_study_end.csv").set_index("arm")
    assert tc.loc["drug_x+drug_y", "tc"] < tc.loc["drug_x", "tc"] < 1


def test_cli_reports_bad_input_and_exits_2(tmp_path):
    csv = tmp_path / "bad.csv"
    shutil.copy(FIXTURE, csv)
    res = CliRunner().invoke(_app(), ["analyze", str(csv), "--id", "Mouse", "--arm", "Group",
                                      "--day", "Day", "--volume", "V"])
    assert res.exit_code == 2
    text = " ".join(res.output.split())
    assert "bad.csv" in text and "'Mouse'" in text and "'V'" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


def test_compare_runs_finds_the_ablated_group(tmp_path):
    base = {("akt", "control"): 0.07, ("akt", "tamoxifen+cci779"): 0.01}
    ablated = {("akt", "control"): 0.07, ("akt", "tamoxifen+cci779"): 0.04}
    for name, rates, seed in (("full", base, 1), ("no_s6k1_er", ablated, 2)):
        m, mi, _ = simulate_study(rates, n_per_arm=6, rate_sd=0.005, noise_sd=0.1,
                                  endpoint_volume_mm3=1e9, seed=seed)
        write_results_dir(tmp_path / name, m, mi, experiment=name)
    table = compare_runs(tmp_path / "full", tmp_path / "no_s6k1_er", tmp_path / "cmp")
    t = table.set_index("arm")
    for arm in ("control", "tamoxifen+cci779"):
        truth = ablated[("akt", arm)] - base[("akt", arm)]
        assert t.loc[arm, "ci_low"] <= truth <= t.loc[arm, "ci_high"], arm
    assert t.loc["tamoxifen+cci779", "ci_low"] > 0
    assert t.loc["tamoxifen+cci779", "p_adjusted"] < 0.01
    html = (tmp_path / "cmp" / "report.html").read_text()
    assert "no_s6k1_er" in html and html.count("data:image/png;base64,") == 2
    res = CliRunner().invoke(_app(), ["compare", str(tmp_path / "full"),
                                      str(tmp_path / "no_s6k1_er")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "compare_full_vs_no_s6k1_er" / "report.html").is_file()
