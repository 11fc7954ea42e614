"""Virtual-patient cohorts: the hazard-ratio machinery on synthetic data, the progression rule,
config errors, reproducibility across workers, the CLI, and the mechanism in small trials."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from xenosim.cli import app
from xenosim.core.config import ConfigErrors
from xenosim.patients.config import load_patient_study, validate_patient_dict
from xenosim.patients.runner import (
    draw_patient,
    patient_genotypes,
    progressed_at_scan,
    progresses,
    run_trial,
    scan_sum,
    simulate_patient,
    sphere_diameter_mm,
)
from xenosim.patients.survival import (
    arm_medians,
    compare_arms,
    cox_hazard_ratio,
    median_survival,
    synthetic_trial,
)

ROOT = Path(__file__).resolve().parents[1]
EXE = {"drug": "exemestane", "dose": 25, "dose_unit": "mg", "route": "po"}
EVE = {"drug": "everolimus", "dose": 10, "dose_unit": "mg", "route": "po"}


def tiny(**over) -> dict:
    raw = {"mode": "patients", "experiment": "tiny", "seed": 3, "patients_per_arm": 3,
           "arms": {"exemestane": {"regimens": [EXE]},
                    "exemestane+everolimus": {"regimens": [EXE, EVE]}},
           "follow_up_months": 4, "agents_per_patient": 150, "run_in_days": 7}
    raw.update(over)
    return raw


# ---- hazard-ratio machinery -------------------------------------------------------------------
@pytest.mark.parametrize("true_hr", [0.45, 1.0, 2.0])
def test_cox_recovers_a_known_hazard_ratio_on_synthetic_data(true_hr):
    df = synthetic_trial(np.random.default_rng(7), 800, true_hr, median_reference=4.0,
                         follow_up=24.0)
    res = compare_arms(df, "reference").iloc[0]
    assert res["hr_ci_low"] < true_hr < res["hr_ci_high"]
    assert res["hazard_ratio"] == pytest.approx(true_hr, rel=0.1)
    med = arm_medians(df).set_index("arm")
    assert med.loc["reference", "median_ttp_months"] == pytest.approx(4.0, rel=0.1)
    assert med.loc["treated", "median_ttp_months"] == pytest.approx(4.0 / true_hr, rel=0.15)
    if true_hr != 1.0:
        assert res["cox_p"] < 1e-6 and res["logrank_p"] < 1e-6


def test_hazard_ratio_ci_has_its_nominal_coverage():
    """95 % Wald CIs of small trials (60 per arm) cover the true HR about 95 % of the time."""
    rng = np.random.default_rng(11)
    covered = []
    for _ in range(80):
        df = synthetic_trial(rng, 60, 0.6, 5.0, 24.0)
        r = cox_hazard_ratio(df["ttp_months"], df["progressed"], df["arm"] == "treated")
        covered.append(r["ci_low"] < 0.6 < r["ci_high"])
    assert 0.87 <= np.mean(covered) <= 1.0


def test_no_events_gives_no_hazard_ratio_and_median_not_reached():
    r = cox_hazard_ratio([5.0, 6.0, 7.0, 8.0], [False] * 4, [0, 0, 1, 1])
    assert np.isnan(r["hr"]) and r["events"] == 0
    one_sided = cox_hazard_ratio([1.0, 2.0, 7.0, 8.0], [True, True, False, False], [0, 0, 1, 1])
    assert np.isnan(one_sided["hr"]) and one_sided["events"] == 2  # diverges: not estimable
    assert np.isnan(median_survival([5.0, 6.0], [False, False])[0])


def test_progression_is_measured_from_the_nadir_not_from_baseline():
    """Shrinks from 100 to 50 then regrows to 61: +22 % over the nadir is progression, although
    still 39 % below baseline (a baseline-referenced rule would not call it)."""
    assert progressed_at_scan(61.0, [100.0, 50.0], 0.2)
    assert not progressed_at_scan(59.0, [100.0, 50.0], 0.2)
    assert not progressed_at_scan(119.0, [100.0], 0.2)


def test_recist_reads_the_sum_of_lesion_diameters():
    """By hand: a sphere of 523.6 mm3 is 10 mm across; two lesions of 1 and 8 cm3 sum to
    12.41 + 24.81 mm. A lesion growing 1.0 -> 1.3 cm3 (+30 % volume, +9.1 % diameter) progresses
    by a +20 % volume rule, not by RECIST; +20 % diameter is +72.8 % volume. A 0.1 -> 0.25 cm3
    lesion (+36 % diameter) rises only 2.1 mm: under RECIST 1.1's 5 mm, no progression."""
    assert sphere_diameter_mm(np.pi / 6 * 1000.0) == pytest.approx(10.0)
    assert scan_sum([1000.0, 8000.0], "diameters") == pytest.approx(12.407 + 24.814, abs=1e-3)
    assert scan_sum([1000.0, 8000.0], "volume") == 9000.0
    grown = scan_sum([1300.0], "diameters") / scan_sum([1000.0], "diameters")
    assert grown == pytest.approx(1.3 ** (1 / 3))
    assert progressed_at_scan(1300.0, [1000.0], 0.2)  # volume rule
    assert not progressed_at_scan(scan_sum([1300.0], "diameters"),
                                  [scan_sum([1000.0], "diameters")], 0.2, 5.0)
    assert progressed_at_scan(scan_sum([1730.0, 0.0], "diameters"),
                              [scan_sum([1000.0, 0.0], "diameters")], 0.2)
    assert not progressed_at_scan(scan_sum([1720.0], "diameters"),
                                  [scan_sum([1000.0], "diameters")], 0.2)
    small = [scan_sum([v], "diameters") for v in (100.0, 250.0)]
    assert small[1] / small[0] > 1.2 and small[1] - small[0] < 5.0
    assert not progressed_at_scan(small[1], small[:1], 0.2, 5.0)
    assert progressed_at_scan(small[1], small[:1], 0.2, 0.0)


def test_trials_progress_by_recist_by_default_and_by_volume_on_request():
    """The default rule reads diameters (the scans carry their sum, in mm, and the % change is of
    that sum); the same growing patient (5 % Akt-activated, adapted cells under exemestane, exact
    scans every 4 weeks) progresses at day 56 by RECIST and already at day 28 by a +20 % volume
    rule; the config's minimum rise is in the rule's unit."""
    pop = {"akt_activated_fraction": {"distribution": "fixed", "value": 0.05},
           "pi3k_activated_probability": 1.0, "adapted_probability": 1.0, "lesions_max": 2,
           "kinetics_sigma_log": 0.0}
    base = tiny(follow_up_months=8, population=pop, scans={"every_weeks": 4, "cv": 0.0})
    recist = validate_patient_dict(base)
    assert recist.progression.measure == "diameters" and recist.progression.minimum_rise() == 5.0
    volume = validate_patient_dict(base | {"progression": {"measure": "volume",
                                                           "min_increase_cm3": 0.5}})
    assert volume.progression.minimum_rise() == 500.0
    by = {name: simulate_patient(s, "exemestane", 0) for name, s in
          (("recist", recist), ("volume", volume))}
    scans = pd.DataFrame(by["recist"].scans)
    first = scans.iloc[0]
    change = scans["sum_diameters_mm"] / first["sum_diameters_mm"] - 1.0
    np.testing.assert_allclose(scans["change_from_baseline_pct"], 100.0 * change)
    assert change.iloc[-2] < 0.2 <= change.iloc[-1]  # progressed at the last scan, not before
    assert (by["volume"].patient["ttp_day"], by["recist"].patient["ttp_day"]) == (28.0, 56.0)
    assert by["volume"].patient["baseline_sum_cm3"] == by["recist"].patient["baseline_sum_cm3"]


def test_progression_is_twenty_percent_over_the_nadir():
    assert progresses(120.0, 100.0, 0.2) and not progresses(119.9, 100.0, 0.2)
    assert not progresses(130.0, 100.0, 0.2, min_increase=50.0)


# ---- config ------------------------------------------------------------------------------------
def test_example_configs_validate():
    for name in ("patients_ai_naive.yaml", "patients_ai_resistant.yaml"):
        study = load_patient_study(ROOT / "configs" / name)
        assert study.reference in study.arms and len(study.arms) == 2


@pytest.mark.parametrize("change,path,words", [
    ({"population": {"akt_activated_modifiers": ["myr_atk"]}},
     "population.akt_activated_modifiers", "did you mean 'myr_akt'"),
    ({"arms": {"a": {"regimens": [EXE]},
               "b": {"regimens": [{"drug": "estradiol", "dose": 1, "dose_unit": "mg",
                                   "route": "sc"}]}}}, "arms", "no human PK"),
    ({"arms": {"a": {"regimens": [EXE]}, "b": {"regimens": [{**EXE, "route": "ip"}]}}},
     "arms.b.regimens[0].route", "laboratory-animal route"),
    ({"arms": {"a": {"regimens": [EXE]},
               "b": {"regimens": [{k: v for k, v in EXE.items() if k != "route"}]}}},
     "arms.b.regimens[0].route", "the default when no route is given"),
    ({"reference_arm": "placebo"}, "", "not one of the arms"),
    ({"scans": {"every_week": 8}}, "scans.every_week", "did you mean 'every_weeks'"),
    ({"population": {"akt_activated_fraction": {"distribution": "beta", "mean": 0.5}}},
     "population.akt_activated_fraction", "needs mean, sd"),
    ({"population": {"esr1_mutant_probability": 1.5}},
     "population.esr1_mutant_probability", "less than or equal to 1"),
    ({"population": {"esr1_mutant_fraction": {"distribution": "fixed", "value": 1.4}}},
     "population.esr1_mutant_fraction", "within [0, 1]"),
    ({"population": {"esr1_mutant_fraction": {"distribution": "lognormal", "median": 0.2,
                                              "sigma_log": 0.5}}},
     "population.esr1_mutant_fraction", "a share of cells"),
    ({"progression": {"min_increase_cm3": 0.5}}, "progression.min_increase_cm3",
     "add measure: volume"),
    ({"progression": {"measure": "volume", "min_increase_mm": 5}},
     "progression.min_increase_mm", "min_increase_cm3"),
    ({"progression": {"measure": "diameter"}}, "progression.measure", "diameters"),
])
def test_bad_configs_are_located(change, path, words):
    with pytest.raises(ConfigErrors) as err:
        validate_patient_dict(tiny(**change), "trial.yaml")
    text = str(err.value)
    assert "trial.yaml" in text and path in text and words in text


def test_cli_bad_config_exits_2_and_writes_nothing(tmp_path):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(yaml.safe_dump(tiny(patients_per_arm=-1)))
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", str(cfg), "--out", str(out), "--quiet"])
    assert res.exit_code == 2 and "patients_per_arm" in res.output
    assert "Traceback" not in res.output and not out.exists()


# ---- runner --------------------------------------------------------------------------------------
def test_patient_draws_and_genotypes_follow_the_population():
    study = validate_patient_dict(tiny(population={
        "akt_activated_fraction": {"distribution": "fixed", "value": 0.3},
        "pi3k_activated_probability": 1.0, "adapted_probability": 0.0}))
    traits = draw_patient(study, np.random.default_rng(0))
    assert traits["akt_activated_fraction"] == 0.3 and traits["pi3k_activated"]
    assert not traits["adapted"] and traits["lesion_shares"].sum() == pytest.approx(1.0)
    parental, activated = patient_genotypes(study, traits)
    assert "pik3ca_mutant" in parental.modifiers and "myr_akt" not in parental.modifiers
    assert activated.constitutive_akt_drive > 0 and activated.aromatase_activity > 0


def test_esr1_mutant_patients_start_with_mutant_clones():
    """A mutant-positive patient's lesions start with the drawn ESR1-mutant share; the other
    draws do not depend on the ESR1 keys (the same patient, mutant or not); mutant clones are
    ligand-independent, so under exemestane her tumour keeps more ER activity."""
    fixed = {"distribution": "fixed", "value": 0.4}
    pos = validate_patient_dict(tiny(follow_up_months=2, population={
        "esr1_mutant_probability": 1.0, "esr1_mutant_fraction": fixed}))
    neg = validate_patient_dict(tiny(follow_up_months=2, population={
        "esr1_mutant_fraction": fixed}))
    t_pos = draw_patient(pos, np.random.default_rng(5))
    t_neg = draw_patient(neg, np.random.default_rng(5))
    assert t_pos["esr1_mutant"] and not t_neg["esr1_mutant"]
    same = ("baseline_sum_cm3", "akt_activated_fraction", "adapted", "kinetics_scale_rel")
    assert all(t_pos[k] == t_neg[k] for k in same)
    for i in range(2):
        a, b = simulate_patient(pos, "exemestane", i), simulate_patient(neg, "exemestane", i)
        assert a.patient["esr1_mutant"] and a.patient["esr1_mutant_fraction"] == 0.4
        assert not b.patient["esr1_mutant"] and b.patient["esr1_mutant_fraction"] == 0.0
        er_a, er_b = (o.scans[1]["mean_er_activity"] for o in (a, b))  # first scan on treatment
        assert er_a > 1.5 * er_b, (er_a, er_b)


def test_same_seed_same_trial_whatever_the_number_of_workers():
    study = validate_patient_dict(tiny(patients_per_arm=2, follow_up_months=2))
    one = run_trial(study, jobs=1)
    two = run_trial(study, jobs=2)
    pd.testing.assert_frame_equal(one.patients, two.patients)
    pd.testing.assert_frame_equal(one.scans, two.scans)
    assert set(one.patients["arm"]) == set(study.arms) and len(one.patients) == 4


def test_everolimus_controls_akt_activated_adapted_tumours_better_than_exemestane_alone():
    """The mechanism in one patient: same tumour draw, exemestane with vs without everolimus.
    Akt-activated, LTED-adapted cells keep ligand-independent (Ser167) ER activity and
    translation under exemestane; everolimus removes the S6K1 share (deGraffenried 2004)."""
    pop = {"akt_activated_fraction": {"distribution": "fixed", "value": 0.5},
           "pi3k_activated_probability": 1.0, "adapted_probability": 1.0, "lesions_max": 1,
           "kinetics_sigma_log": 0.0,
           "baseline_sum_volume_cm3": {"distribution": "fixed", "value": 10.0}}
    study = validate_patient_dict(tiny(population=pop, follow_up_months=4,
                                       progression={"increase_from_nadir": 5.0},
                                       scans={"every_weeks": 8, "cv": 0.0}))
    alone = simulate_patient(study, "exemestane", 0)
    combo = simulate_patient(study, "exemestane+everolimus", 0)
    last = {o.patient["arm"]: o.scans[-1] for o in (alone, combo)}
    assert last["exemestane+everolimus"]["true_sum_volume_cm3"] < \
        0.8 * last["exemestane"]["true_sum_volume_cm3"]
    # 0.6, was 0.5: with unbound-drug target binding (issue 13) everolimus 10 mg/day inhibits
    # mTORC1 by ~0.47, not ~0.8 (likely an under-prediction: Tabernero 2008 saw near-complete
    # pS6 inhibition in tumours at 10 mg/day; see the unbound_fraction note)
    assert last["exemestane+everolimus"]["mean_mtorc1"] < 0.6 * last["exemestane"]["mean_mtorc1"]
    assert last["exemestane+everolimus"]["mean_er_activity"] < last["exemestane"][
        "mean_er_activity"]
    assert last["exemestane"]["aromatase_inhibition"] > 0.95


def test_cli_runs_a_tiny_trial_and_writes_the_results(tmp_path):
    cfg = tmp_path / "tiny.yaml"
    cfg.write_text(yaml.safe_dump(tiny(patients_per_arm=3)))
    res = CliRunner().invoke(app, ["run", str(cfg), "--out", str(tmp_path), "--jobs", "1",
                                   "--quiet", "--seed", "5"])
    assert res.exit_code == 0, res.output
    (run,) = (tmp_path / "tiny").iterdir()
    for f in ("config.yaml", "manifest.json", "patients.csv", "scans.csv", "arms.csv",
              "hazard_ratios.csv", "subgroups.csv", "km.png", "spider.png",
              "benefit_by_akt.png", "pathway.png", "report.md"):
        assert (run / f).is_file(), f
    patients = pd.read_csv(run / "patients.csv")
    assert len(patients) == 6 and set(patients["arm"]) == {"exemestane", "exemestane+everolimus"}
    from xenosim.patients.response import RESPONSES

    assert set(patients["best_response"]) <= set(RESPONSES)
    arms = pd.read_csv(run / "arms.csv").set_index("arm")
    for arm, g in patients.groupby("arm"):  # the arm table's rate is the patients' count
        assert arms.loc[arm, "objective_response_rate"] == pytest.approx(
            g["best_response"].isin(["CR", "PR"]).mean())
    assert "Hazard ratios" in (run / "report.md").read_text()
    again = load_patient_study(run / "config.yaml")  # the resolved config reproduces the run
    assert again.seed == 5 and again.patients_per_arm == 3


def test_list_shows_patient_configs_modifiers_and_drug_species(monkeypatch):
    from xenosim.core import terminal

    monkeypatch.chdir(ROOT)
    # rich fixes a console's width when COLUMNS is set as it is made (pytest-xdist workers set
    # COLUMNS=80): unfix it, so the wide COLUMNS of this call applies
    monkeypatch.setattr(terminal.console, "_width", None)
    res = CliRunner().invoke(app, ["list"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    for word in ("ai_naive_letrozole_temsirolimus (virtual patients)", "tsc1_loss", "lted",
                 "mcf7_aro", "mln0128", "mouse, human"):
        assert word in res.output, word


def test_untreated_patient_lesion_doubles_in_two_to_six_months():
    """The human kinetics (patient_kinetics_scale, assumed for this range: a calibration check,
    not independent evidence): the median AI-naive patient's untreated lesion, stepped as a trial
    steps it, doubles its volume within the sourced 2-6 months (Friberg & Mattson 1997). A
    lesion at xenograft kinetics (scale 1) doubles in days, outside it."""
    from xenosim.patients.kinetics import DOUBLING_RANGE_DAYS, untreated_doubling_days

    study = load_patient_study(ROOT / "configs" / "patients_ai_naive.yaml")
    lo, hi = DOUBLING_RANGE_DAYS
    doubling = [untreated_doubling_days(study, n_agents=1500, days=120.0, seed=s) for s in range(2)]
    assert all(lo <= d <= hi for d in doubling), doubling
    assert untreated_doubling_days(study, scale=1.0, n_agents=500, days=40.0, settle_days=10.0) < lo


def test_recist_best_overall_response_and_clinical_benefit_by_hand():
    """Diameter sums (mm) by hand: PD at the first scan; PR (-30 %) before a later progression
    stays PR; -29 % is SD; all lesions gone is CR; no scan after baseline is not evaluable.
    Clinical benefit: CR / PR, or no progression before week 24 (168 days)."""
    from xenosim.patients.response import best_overall_response, clinical_benefit

    assert best_overall_response([50.0, 61.0], True) == "PD"
    assert best_overall_response([50.0, 35.0, 44.0], True) == "PR"  # -30 %, then +26 % of nadir
    assert best_overall_response([50.0, 35.5, 44.0], True) == "SD"  # -29 %
    assert best_overall_response([50.0, 35.0], False) == "PR"
    assert best_overall_response([50.0, 0.0, 10.0], True) == "CR"
    assert best_overall_response([50.0, 52.0, 55.0], False) == "SD"
    assert best_overall_response([50.0], False) == "NE"
    assert clinical_benefit("PR", True, 56.0, 730.0) is True
    assert clinical_benefit("SD", True, 168.0, 730.0) is True
    assert clinical_benefit("SD", True, 112.0, 730.0) is False
    assert clinical_benefit("SD", False, 120.0, 120.0) is None  # follow-up ends before week 24
    assert clinical_benefit("PD", True, 56.0, 730.0) is False


def test_response_rates_count_by_hand_with_wilson_intervals():
    """Arm a: 2 responders of 5 (ORR 0.4; Wilson 95 % CI 0.118-0.769 by hand: centre
    (k + z^2/2) / (n + z^2), half-width z sqrt(k(n-k)/n + z^2/4) / (n + z^2)); clinical benefit
    3 of the 4 assessable. Arm b: none."""
    from xenosim.patients.response import response_rates

    pts = pd.DataFrame({"arm": ["a"] * 5 + ["b"] * 2,
                        "best_response": ["PR", "CR", "SD", "PD", "SD", "SD", "PD"],
                        "clinical_benefit": [True, True, True, False, None, False, False]})
    r = response_rates(pts).set_index("arm")
    z, n, k = 1.959964, 5, 2
    centre = (k + z * z / 2) / (n + z * z)
    half = z * np.sqrt(k * (n - k) / n + z * z / 4) / (n + z * z)
    assert r.loc["a", "objective_response_rate"] == 0.4
    assert r.loc["a", "orr_ci_low"] == pytest.approx(centre - half, abs=1e-6)
    assert r.loc["a", "orr_ci_high"] == pytest.approx(centre + half, abs=1e-6)
    assert r.loc["a", "clinical_benefit_rate"] == 0.75
    assert r.loc["b", "objective_response_rate"] == 0.0
    assert r.loc["b", "clinical_benefit_rate"] == 0.0
