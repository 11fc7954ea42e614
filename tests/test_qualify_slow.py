"""The dose-response and trial findings of the dossier on real (small, coarse) runs of the
shipped sweeps and trial configs. What passes today is asserted; what fails today (trial HRs
outside the published CIs) is asserted to be reported with its number, see
``tests/test_qualify_dose_trials.py``. Whole cohorts: marked slow (conftest SLOW_MODULES)."""

from __future__ import annotations

import numpy as np
import pytest

from xenosim.patients import findings as trial_findings
from xenosim.sweep import findings as dose_findings


@pytest.fixture(scope="module")
def dose_study():
    return dose_findings.dose_study(2004, jobs=2, mice_per_arm=3, cells_per_agent=100000.0,
                                    schedule_mice=6)


@pytest.mark.parametrize("key", ["cci779_dose_graded", "tamoxifen_dose_graded",
                                 "cci779_schedule_matters"])
def test_dose_findings_hold(dose_study, key):
    finding = next(f for f in dose_findings.FINDINGS if f.key == key)
    out = finding.check(dose_study)
    assert out.passed, out.detail


def test_dose_sweeps_run_every_dose_and_replicate(dose_study):
    for drug, (lo, hi) in dose_study.dose_range.items():
        d = dose_study.sweeps[drug]
        assert d["dose"].min() == lo and d["dose"].max() == hi
        assert (d.groupby("dose").size() == 2).all() and np.isfinite(d["response"]).all()


def test_trials_report_a_hazard_ratio_each_and_everolimus_helps_after_an_ai():
    study = trial_findings.trial_study(2004, jobs=2, patients_per_arm=20, agents_per_patient=100)
    for f in trial_findings.FINDINGS:
        out = f.check(study)
        assert np.isfinite(out.value) and out.ci_low < out.value < out.ci_high, out.detail
        assert ("inside" if out.passed else "OUTSIDE") in out.detail
    # the direction both everolimus trials show (HR < 1), robust at 20 patients per arm
    assert study["bolero2"]["hazard_ratio"].iloc[0] < 1
    assert study["tamrad"]["hazard_ratio"].iloc[0] < 1
