"""The validation dossier (xenosim qualify) and the findings it checks."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from xenosim.cli import app
from xenosim.invitro.findings import FINDINGS as INVITRO_FINDINGS
from xenosim.xenograft.findings import FINDINGS


def _fake_study(vector_tamoxifen_rate: float) -> SimpleNamespace:
    """Caliper rows of 6 mice per arm growing exponentially at known rates (1/day)."""
    rng = np.random.default_rng(0)
    rates = {"control": 0.06, "tamoxifen": vector_tamoxifen_rate}
    rows = []
    for arm, r in rates.items():
        for i in range(6):
            for day in range(0, 57, 7):
                v = 200 * np.exp((r + 0.002 * rng.standard_normal()) * day)
                rows.append({"mouse": f"{arm}{i}", "cell_line": "mcf7_vector", "arm": arm,
                             "day": float(day), "volume_mm3": v, "true_volume_mm3": v})
    return SimpleNamespace(measurements=pd.DataFrame(rows))


def test_the_stasis_finding_holds_for_stasis_and_fails_for_growth():
    stasis = next(f for f in FINDINGS if f.key == "vector_stasis_tamoxifen")
    held = stasis.check(_fake_study(0.005))  # fold exp(0.28) = 1.3 at day 56
    grew = stasis.check(_fake_study(0.03))  # fold exp(1.68) = 5.4: not stasis
    assert held.passed and 1.2 < held.value < 1.45
    assert not grew.passed and grew.value > 4


def test_qualify_writes_the_dossier(tmp_path):
    res = CliRunner().invoke(app, ["qualify", "--seeds", "1", "--cells-per-agent", "200000",
                                   "--agents-per-well", "40", "--out", str(tmp_path),
                                   "--jobs", "1", "--only", "xenograft,invitro"])
    assert res.exit_code == 0, res.output
    (run,) = (tmp_path / "qualify").iterdir()
    per_seed = pd.read_csv(run / "findings_per_seed.csv")
    summary = pd.read_csv(run / "findings.csv")
    n_findings = len(FINDINGS) + len(INVITRO_FINDINGS)
    assert len(per_seed) == n_findings and sorted(per_seed["seed"].unique()) == [2004]
    assert list(summary["finding"]) == [f.key for f in (*FINDINGS, *INVITRO_FINDINGS)]
    calibrated = dict(zip(summary["finding"], summary["calibrated"], strict=True))
    assert calibrated["e2_xenograft_doubling"] and not calibrated["cci779_restores_tamoxifen"]
    for key, g in per_seed.groupby("finding"):  # the pass rate is the mean over the seeds
        assert summary.set_index("finding").loc[key, "pass_rate"] == g["passed"].mean()
    assert "Validation dossier" in (run / "report.md").read_text()
    assert json.loads((run / "manifest.json").read_text())["seeds"] == [2004]


def test_qualify_refuses_an_unwritable_output(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = CliRunner().invoke(app, ["qualify", "--seeds", "1", "--out", str(blocker)])
    assert res.exit_code == 2 and "not a directory" in res.output


def test_qualify_refuses_an_unknown_suite(tmp_path):
    res = CliRunner().invoke(app, ["qualify", "--only", "xenograft,mice", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "mice" in res.output and "trials" in res.output
    assert not (tmp_path / "qualify").exists()
