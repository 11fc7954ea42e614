"""ED50 fit on synthetic Hill data with a known answer; exposure per dose from the PK."""

import numpy as np

from xenosim.sweep.doseresponse import exposure_table, fit_ed50


def test_ed50_recovers_known_value_and_flags_unbracketed_range():
    rng = np.random.default_rng(3)
    doses = np.repeat([0.1, 0.3, 1, 3, 10, 30], 3).astype(float)
    true_ed50 = 2.0
    resp = 0.1 + 0.9 / (1 + (doses / true_ed50) ** 1.5) + rng.normal(0, 0.02, doses.size)
    fit = fit_ed50(doses, resp, n_boot=100, rng=rng)
    assert fit.inside and fit.low < true_ed50 < fit.high
    assert abs(np.log(fit.ed50 / true_ed50)) < np.log(1.3)


def test_cci779_exposure_grows_with_dose_and_weekly_differs_from_daily():
    daily = exposure_table("cci779", [0.1, 1.0, 20.0], "daily x5 every 7 days", "ip")
    assert (np.diff(daily["auc_nM_h_last_week"]) > 0).all()
    weekly = exposure_table("cci779", [100.0], "every 7 days", "ip")
    # same weekly amount (5 x 20 mg/kg) once a week: lower trough, fewer hours above IC50
    assert weekly["cmin_nM_last_week"].iloc[0] < daily["cmin_nM_last_week"].iloc[2]
