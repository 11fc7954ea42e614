"""PK checks: half-lives, pellet steady state, dose superposition, PD duration."""

import numpy as np
import pytest

from xenosim.core.config import Regimen
from xenosim.core.dosing import regimen_doses
from xenosim.core.drugs import drug
from xenosim.core.pharmacology import DoseEvent, exposure_profile, serum_concentration_nM

WEIGHT_KG = 0.025


def test_iv_bolus_halves_every_half_life():
    d = drug("tamoxifen")
    t = np.array([0.0, d.half_life_h.value, 2 * d.half_life_h.value])
    c = serum_concentration_nM(d, [DoseEvent(0.0, 0.5, "iv")], t, WEIGHT_KG)
    assert c[1] / c[0] == pytest.approx(0.5) and c[2] / c[0] == pytest.approx(0.25)


def test_estradiol_pellet_gives_supraphysiological_levels_and_washes_out():
    """0.72 mg / 90-day pellet: ~18-40x a physiological peak of ~50 pg/mL (Ingberg 2012), falling
    from its burst; a day after removal it is gone."""
    d = drug("estradiol")
    t = np.array([24.0 * 10, 24.0 * 30, 24.0 * 31 + 24])
    dose = DoseEvent(0.0, 0.72, "pellet", release_h=90 * 24.0, removal_h=24.0 * 31)
    c_nM = serum_concentration_nM(d, [dose], t, WEIGHT_KG)
    pg_per_ml = c_nM * d.molecular_weight_g_per_mol.value  # nM * g/mol = pg/mL
    assert 18 * 50 <= pg_per_ml[0] <= 40 * 50 and 18 * 50 <= pg_per_ml[1] <= 40 * 50
    assert c_nM[1] < c_nM[0]  # burst, then decline
    assert c_nM[2] < 1e-3 * c_nM[0]  # a day after removal it is gone


def test_repeated_dosing_superposes_and_reaches_steady_state():
    d = drug("tamoxifen")
    doses = [DoseEvent(24.0 * k, 0.5, "sc") for k in range(20)]
    t = np.array([24.0 * 15 + 6, 24.0 * 18 + 6])
    multi = serum_concentration_nM(d, doses, t, WEIGHT_KG)
    single = serum_concentration_nM(d, doses[:1], np.array([6.0]), WEIGHT_KG)
    assert multi[1] == pytest.approx(multi[0], rel=1e-3)  # steady state
    k = np.log(2) / d.half_life_h.value
    accumulation = 1 / (1 - np.exp(-k * 24))  # classic accumulation factor
    assert multi[1] / single[0] == pytest.approx(accumulation, rel=0.02)


def test_cci779_single_dose_suppresses_mtorc1_beyond_72h():
    """Wan 2006: one 20 mg/kg dose of CCI-779 keeps pS6 suppressed for more than 72 h."""
    reg = Regimen(drug="cci779", dose=20, dose_unit="mg/kg", route="ip", schedule="once")
    doses = regimen_doses(reg, 0.0, 10, WEIGHT_KG)
    profile = exposure_profile({"cci779": doses}, 24 * 8, WEIGHT_KG, 0.003)
    assert profile.exposure(72, 73).mtorc1_inhibition > 0.5
    assert profile.exposure(24 * 7, 24 * 7 + 1).mtorc1_inhibition < profile.exposure(
        72, 73).mtorc1_inhibition


def test_schedule_daily_x5_every_7_days():
    reg = Regimen(drug="cci779", dose=20, schedule="daily x5 every 7 days")
    days = [e.time_h / 24 for e in regimen_doses(reg, 0.0, 20, WEIGHT_KG)]
    assert days == [0, 1, 2, 3, 4, 7, 8, 9, 10, 11, 14, 15, 16, 17, 18]
    mg = regimen_doses(reg, 0.0, 20, WEIGHT_KG)[0].amount_mg
    assert mg == pytest.approx(20 * WEIGHT_KG)


def test_pellet_removal_brings_estradiol_back_to_the_host_baseline():
    """The estrogen-withdrawal arm: pellet out at day 0 of treatment; a week later the tumour sees
    the ovariectomised host's own E2, while the control arm keeps the pellet's."""
    from xenosim.xenograft.config import validate_dict
    from xenosim.xenograft.dosing import mouse_profile

    exp = validate_dict({"experiment": "w", "cell_lines": {"mcf7_vector": {}},
                         "arms": {"control": {}, "withdrawal": {"remove_estradiol_pellet": True}}})
    start_h = 30 * 24.0
    end_h = start_h + 20 * 24.0
    week = (start_h + 7 * 24.0, start_h + 7 * 24.0 + 12.0)
    withdrawn = mouse_profile(exp, "withdrawal", start_h, end_h).exposure(*week).e2_nM
    kept = mouse_profile(exp, "control", start_h, end_h).exposure(*week).e2_nM
    baseline = exp.host.baseline_e2_nM()
    assert withdrawn == pytest.approx(baseline, rel=0.05)
    assert kept > 10 * baseline
