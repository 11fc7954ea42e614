"""Published in vitro findings reproduced by simulated wells (small plates, shared fixture).

Wiese 1992 (doubling times), deGraffenried 2004 (Akt cells grow without estrogen and resist
4-OHT; rapamycin restores 4-OHT sensitivity and blocks ERE-reporter activity), and
reproducibility whatever the number of workers.
"""

from __future__ import annotations

import pandas as pd
import pytest

from xenosim.invitro import simulate, validate_invitro
from xenosim.invitro.findings import FINDINGS, PAIR, study_config


def _study(plates: dict, agents: int = 150, seed: int = 11):
    return validate_invitro({"mode": "invitro", "experiment": "biology_checks", "seed": seed,
                             "agents_per_well": agents, "cell_lines": dict.fromkeys(PAIR, {}),
                             "plates": plates})


@pytest.fixture(scope="module")
def study():
    return simulate(validate_invitro(study_config()), jobs=1).tables


@pytest.mark.parametrize("finding", FINDINGS, ids=lambda f: f.key)
def test_published_in_vitro_finding(study, finding):
    """Each in vitro finding of xenosim/invitro/findings.py (written once, also run by
    ``xenosim qualify``). Wiese's doubling times are what the division rate and ER weight are
    derived from, so that one checks the whole well pipeline keeps the calibration (within the
    lab's own spread), not independent evidence."""
    outcome = finding.check(study)
    assert outcome.passed, f"{finding.statement} ({finding.source}): {outcome.detail}"


def test_identical_results_with_one_or_two_workers():
    exp = _study({
        "p": {"media": ["full", "stripped"], "concentrations": {"oht_nM": [0, 1, 100]},
              "replicates": 2, "days": [0, 1, 2], "seeding_cells_per_well": 2000},
        "r": {"assay": "reporter", "media": ["stripped"],
              "conditions": [{}, {"rapamycin_nM": 10}], "replicates": 2, "days": [1]},
    }, agents=40)
    one = simulate(exp, jobs=1).tables.as_dict()
    two = simulate(exp, jobs=2, chunk_size=3).tables.as_dict()
    for name in one:
        pd.testing.assert_frame_equal(one[name], two[name], check_exact=True, obj=name)
    assert len(one["wells"]) == 2 * (2 * 3 * 2 * 3 + 2 * 2 * 1)


def test_wells_use_the_tumour_pd_link_for_library_drugs():
    """Wells and tumours share one PD link: a TORC1/2 inhibitor cuts mTORC1 and mTORC2 -> Akt,
    fulvestrant reaches the SERD input, and tamoxifen in a dish is not turned into 4-OHT (the
    tumour's metabolism is an in vivo term)."""
    from xenosim.core.drugs import DRUGS
    from xenosim.core.parameters import resolve
    from xenosim.core.pharmacology import exposure_from_concentrations
    from xenosim.invitro.config import BUILTIN_MEDIA
    from xenosim.invitro.wells import well_exposure

    p, full = resolve(), BUILTIN_MEDIA["full"]
    mln = well_exposure({"mln0128_nM": 100.0}, full, p)
    assert mln.mtorc1_inhibition > 0.5 and mln.torc2_inhibition > 0.5
    rapa = well_exposure({"rapamycin_nM": 100.0}, full, p)
    assert rapa.mtorc1_inhibition > 0.5 and rapa.torc2_inhibition == 0.0
    assert rapa.mtorc1_inhibition == exposure_from_concentrations(
        {"rapamycin": 100.0}, DRUGS, 0.0).mtorc1_inhibition
    assert well_exposure({"fulvestrant_nM": 10.0}, full, p).fulvestrant_nM == 10.0
    assert well_exposure({"tamoxifen_nM": 1000.0}, full, p).oht_nM == 0.0
    assert exposure_from_concentrations({"tamoxifen": 1000.0}, DRUGS, 0.0).oht_nM > 0.0


def test_fulvestrant_and_mln0128_act_in_wells():
    """Fulvestrant lowers E2-driven ERE-reporter activity and slows estrogen-driven vector cells;
    MLN0128 slows myr-Akt cells (mTORC1 and mTORC2 blocked)."""
    tables = simulate(_study({
        "library": {"media": ["full"], "seeding_cells_per_well": 5000, "replicates": 3,
                    "days": [0, 6],
                    "conditions": [{}, {"fulvestrant_nM": 100.0}, {"mln0128_nM": 100.0}]},
        "ere": {"assay": "reporter", "media": ["stripped"], "seeding_cells_per_well": 1.0e5,
                "replicates": 3, "days": [1],
                "conditions": [{}, {"estradiol_pM": 1000},
                               {"estradiol_pM": 1000, "fulvestrant_nM": 100.0}]},
    }), jobs=1).tables
    w = tables.wells
    growth = w[(w.plate == "library") & (w.day == 6)].groupby(
        ["cell_line", "fulvestrant_nM", "mln0128_nM"])["cell_count"].mean()
    assert growth[("mcf7_myr_akt", 0.0, 100.0)] < 0.7 * growth[("mcf7_myr_akt", 0.0, 0.0)]
    assert growth[("mcf7_vector", 100.0, 0.0)] < 0.7 * growth[("mcf7_vector", 0.0, 0.0)]
    ere = w[w.plate == "ere"].groupby(["cell_line", "estradiol_pM", "fulvestrant_nM"])[
        "ere_reporter"].mean()
    for line in ("mcf7_vector", "mcf7_myr_akt"):
        assert ere[(line, 1000.0, 100.0)] < 0.5 * ere[(line, 1000.0, 0.0)], line
