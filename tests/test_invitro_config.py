"""In vitro configs through the CLI: located errors for bad plate designs (exit 2, nothing
written), the shipped config validates, and a tiny study runs end to end into an atomic results
directory with every table, figure and the report."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from xenosim.cli import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()

TINY = {
    "mode": "invitro",
    "experiment": "tiny_invitro",
    "seed": 3,
    "agents_per_well": 40,
    "cell_lines": {"mcf7_vector": {}},
    "plates": {
        "dose": {
            "media": ["full"],
            "concentrations": {"oht_nM": [0, 0.1, 1, 10, 100], "rapamycin_nM": [0, 1]},
            "replicates": 2,
            "seeding_cells_per_well": 2000,
            "days": [0, 2, 4],
        },
        "ere": {
            "assay": "reporter",
            "media": ["stripped"],
            "conditions": [{}, {"estradiol_pM": 1000}],
            "replicates": 2,
            "days": [1],
        },
    },
}


def tiny(**changes) -> dict:
    raw = copy.deepcopy(TINY)
    raw.update(changes)
    return raw


def _run(tmp_path: Path, raw: dict, *extra: str):
    cfg = tmp_path / "plate.yaml"
    cfg.write_text(yaml.safe_dump(raw))
    out = tmp_path / "results"
    res = runner.invoke(app, ["run", str(cfg), "--out", str(out), "--quiet", "--jobs", "1",
                              *extra])
    return res, out


def _dose_plate(raw: dict) -> dict:
    return raw["plates"]["dose"]


BAD = {
    "negative concentration": (
        lambda r: _dose_plate(r)["concentrations"].update({"oht_nM": [0, -1, 10]}),
        ["plates.dose.concentrations.oht_nM[1]", "-1", "cannot be negative", ">= 0"]),
    "unknown drug": (
        lambda r: _dose_plate(r)["concentrations"].update({"fulvestrnt_nM": [0, 1]}),
        ["plates.dose.concentrations.fulvestrnt_nM", "unknown drug", "oht_nM", "rapamycin_nM"]),
    "unknown drug in a condition": (
        lambda r: r["plates"]["ere"]["conditions"].append({"tamoxifn_nM": 10}),
        ["plates.ere.conditions[2].tamoxifn_nM", "did you mean 'tamoxifen_nM'"]),
    "zero replicates": (
        lambda r: _dose_plate(r).update({"replicates": 0}),
        ["plates.dose.replicates", "0", "greater than or equal to 1"]),
    "negative in a condition": (
        lambda r: r["plates"]["ere"]["conditions"].append({"estradiol_pM": -10}),
        ["plates.ere.conditions[2].estradiol_pM", "-10", "cannot be negative"]),
    "unknown medium": (
        lambda r: _dose_plate(r).update({"media": ["serum_free"]}),
        ["plates.dose.media[0]", "serum_free", "full, stripped"]),
    "cell line not defined": (
        lambda r: _dose_plate(r).update({"cell_lines": ["mcf7_myr_akt"]}),
        ["plates.dose.cell_lines[0]", "mcf7_myr_akt", "allowed: mcf7_vector"]),
    "response day not counted": (
        lambda r: _dose_plate(r).update({"response_day": 3}),
        ["plates.dose", "response_day=3", "allowed: 0, 2, 4"]),
    "no vehicle": (
        lambda r: _dose_plate(r)["concentrations"].update({"oht_nM": [0.1, 1, 10, 100]}),
        ["plates.dose", "no vehicle condition", "add 0"]),
    "unknown key": (
        lambda r: _dose_plate(r).update({"replicate": 3}),
        ["plates.dose.replicate", "did you mean 'replicates'"]),
}


@pytest.mark.parametrize("case", BAD)
def test_invalid_plate_design_is_located_exit_2_nothing_written(tmp_path, case):
    mutate, expected = BAD[case]
    raw = tiny()
    mutate(raw)
    res, out = _run(tmp_path, raw)
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.split())
    assert "plate.yaml" in text
    for piece in expected:
        assert piece in text, (piece, text)
    assert "Traceback" not in res.output
    assert not out.exists()


def test_validate_reports_the_same_errors(tmp_path):
    raw = tiny()
    _dose_plate(raw)["replicates"] = 0
    cfg = tmp_path / "plate.yaml"
    cfg.write_text(yaml.safe_dump(raw))
    res = runner.invoke(app, ["validate", str(cfg)])
    assert res.exit_code == 2 and "plates.dose.replicates" in " ".join(res.output.split())


def test_mice_per_arm_is_refused_for_wells(tmp_path):
    res, out = _run(tmp_path, tiny(), "--mice-per-arm", "5")
    assert res.exit_code == 2 and "does not apply" in res.output
    assert not out.exists()


def test_shipped_invitro_config_validates():
    res = runner.invoke(app, ["validate", str(ROOT / "configs" / "degraffenried2004_invitro.yaml")])
    assert res.exit_code == 0, res.output
    assert "in vitro" in res.output


def test_tiny_study_end_to_end(tmp_path):
    res, out = _run(tmp_path, tiny())
    assert res.exit_code == 0, res.output
    (run_dir,) = (out / "tiny_invitro").iterdir()
    files = {p.name for p in run_dir.iterdir()}
    for name in ("config.yaml", "manifest.json", "report.md", "wells.csv", "growth.csv",
                 "dose_response.csv", "synergy.csv", "reporter.csv", "growth_dose.png",
                 "dose_response_dose_oht_nM.png", "synergy_dose_oht_nM_x_rapamycin_nM.png",
                 "reporter_ere.png"):
        assert name in files, (name, sorted(files))
    assert not any(n.startswith(".") for n in files)
    wells = pd.read_csv(run_dir / "wells.csv")
    # tidy: one row per well x count day
    assert len(wells) == 10 * 2 * 3 + 2 * 2 * 1
    assert not wells.duplicated(["well", "day"]).any()
    for col in ("plate", "well", "cell_line", "medium", "condition", "replicate", "day",
                "oht_nM", "rapamycin_nM", "estradiol_pM", "cell_count", "ere_reporter",
                "fraction_apoptotic"):
        assert col in wells.columns, col
    dr = pd.read_csv(run_dir / "dose_response.csv")
    assert {"ec50", "ec50_lo", "ec50_hi", "hill", "top", "bottom", "ic50_abs"} <= set(dr.columns)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["mode"] == "invitro" and manifest["seed"] == 3
    # the resolved config re-validates (it reproduces the run)
    again = runner.invoke(app, ["validate", str(run_dir / "config.yaml")])
    assert again.exit_code == 0, again.output
    report = (run_dir / "report.md").read_text()
    assert "Dose-response" in report and "ERE-reporter" in report


def test_failed_write_leaves_nothing(tmp_path, monkeypatch):
    from xenosim.invitro import figures

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(figures, "all_figures", boom)
    with pytest.raises(RuntimeError):
        from xenosim.invitro import load_invitro, run_invitro

        cfg = tmp_path / "plate.yaml"
        raw = tiny()
        raw["plates"] = {"ere": raw["plates"]["ere"]}
        cfg.write_text(yaml.safe_dump(raw))
        run_invitro(load_invitro(cfg), tmp_path / "results")
    parent = tmp_path / "results" / "tiny_invitro"
    assert not parent.exists() or not any(parent.iterdir())
