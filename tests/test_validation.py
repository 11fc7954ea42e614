"""Validation: the published findings of deGraffenried et al. 2004 on the default config.

One full default study (2 lines x 5 arms x 8 mice, fixed seed) is run once; every check is a
statistic over mice, and the thresholds encode the qualitative claims of the paper's abstract
(DESIGN §1) and of the classic MCF-7 xenograft literature, not numbers copied from our runs.
"""

import pytest

from xenosim.xenograft.config import load_experiment
from xenosim.xenograft.findings import FINDINGS
from xenosim.xenograft.runner import run_cohort


@pytest.fixture(scope="module")
def study():
    # the default study at a third of its resolution (18,000 cells per agent: ~10,000 agents
    # per tumour at randomisation instead of ~30,000) keeps the suite fast (18 s instead of 65 s
    # for the study); every check is a statistic over mice, not over cells
    exp = load_experiment("configs/degraffenried2004.yaml", {"cells_per_agent": 18000})
    return exp, run_cohort(exp, jobs=2)


@pytest.mark.parametrize("finding", FINDINGS, ids=lambda f: f.key)
def test_published_finding(study, finding):
    """Each published finding of xenosim/xenograft/findings.py (the checks written once, also
    run by ``xenosim qualify`` over seeds); calibrated ones check that the calibration holds
    across mice, they are not independent evidence."""
    outcome = finding.check(study[1])
    assert outcome.passed, f"{finding.statement} ({finding.source}): {outcome.detail}"


def test_every_arm_has_its_mice(study):
    exp, res = study
    n = res.mice[res.mice.enrolled].groupby(["cell_line", "arm"]).size()
    assert len(n) == 10 and (n == exp.mice_per_arm).all()


def test_endpoint_censoring(study):
    exp, res = study
    mice = res.mice[res.mice.enrolled]
    ended = mice[mice.event == "endpoint"]
    assert len(ended) > 0  # fast control tumours reach the endpoint
    last = res.measurements.sort_values("day").groupby("mouse").tail(1).set_index("mouse")
    assert (last.loc[ended.mouse, "volume_mm3"] >= exp.endpoint_volume_mm3).all()
    assert (last.loc[ended.mouse, "day"] <= exp.study_days).all()


def test_default_run_report_shows_the_key_comparison(study, tmp_path, no_analysis_figures):
    """The default run's analysis report puts Akt + tamoxifen + CCI-779 against Akt +
    tamoxifen with its contrast and synergy numbers; the paper's claim is that the combination
    inhibits Akt tumours more than tamoxifen alone (a negative growth-rate contrast)."""
    from xenosim.analysis import analyze, load_results_dir
    from xenosim.xenograft.output import write_results

    exp, res = study
    run = write_results(res, exp, tmp_path, config_path=None, jobs=2, elapsed_s=0.0)
    result = analyze(load_results_dir(run), run / "analysis", n_boot=200, seed=1)
    contrasts = result.tables["mixed_model_contrasts"].query(
        "cell_line == 'mcf7_myr_akt' and arm_a == 'tamoxifen' and arm_b == 'tamoxifen+cci779'")
    assert len(contrasts) == 1
    assert contrasts["ci_high"].iloc[0] < 0 and contrasts["p_adjusted"].iloc[0] < 0.05
    synergy = result.tables["synergy_study_end"].query("cell_line == 'mcf7_myr_akt'")
    assert {"bliss", "hsa"} <= set(synergy["metric"]) and synergy["excess"].notna().all()
    html = result.report_html.read_text()
    assert "Key comparison" in html and "Bliss" in html and "tamoxifen+cci779" in html
