"""The lessons: each script runs (small tumours), writes its figure, and its claims hold."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from xenosim.teaching.lessons import LESSONS

ROOT = Path(__file__).resolve().parents[1]
LESSON_DIR = ROOT / "experiments" / "lessons"
SECTIONS = ("## Goal", "## Settings", "## What to observe", "## Questions", "## Answers")


def _script(number: int) -> Path:
    return LESSON_DIR / f"lesson{number}_{LESSONS[number].slug}.py"


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    out = tmp_path_factory.mktemp("lessons")
    results = {}
    for number in LESSONS:
        main = runpy.run_path(str(_script(number)))["main"]
        results[number] = main(number, ["--small", "--out", str(out)])
    return results


@pytest.mark.parametrize("number", sorted(LESSONS))
def test_lesson_text_has_every_section(number):
    text = (LESSON_DIR / f"lesson{number}_{LESSONS[number].slug}.md").read_text()
    positions = [text.find(s) for s in SECTIONS]
    assert all(p >= 0 for p in positions), f"lesson {number} misses a section: {positions}"
    assert positions == sorted(positions), "answers must come last, after the questions"
    assert f"xenosim app --lesson {number}" in text
    # the page shows the student text without the answers
    student = LESSONS[number].student_text()
    assert "## Questions" in student and "## Answers" not in student


@pytest.mark.parametrize("number", sorted(LESSONS))
def test_lesson_script_writes_its_figure(outcomes, number):
    (path,) = outcomes[number].figures
    assert path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 20_000


def test_lesson1_estrogen_drives_growth_and_tamoxifen_competes(outcomes):
    c = outcomes[1].claims
    assert c["estrogen_drives_growth"]
    assert c["withdrawal_is_stasis"]  # stasis, not regression (Osborne 1985)
    assert c["tamoxifen_blocks_growth"]
    assert c["estradiol_competes"]


def test_lesson2_akt_gives_estrogen_independence_and_tamoxifen_resistance(outcomes):
    c = outcomes[2].claims
    assert c["akt_estrogen_independent"]
    assert c["akt_tamoxifen_resistant"]
    assert c["ser167_carries_er_under_tamoxifen"]


def test_lesson3_cci779_restores_tamoxifen_response_via_ser167(outcomes):
    c = outcomes[3].claims
    assert c["combination_restores_response"]
    assert c["cci779_blocks_er_activity"]
    assert c["link_carries_er_effect"]
    assert c["translation_carries_growth_rescue"]


def test_lesson4_rapalog_raises_akt_via_feedback_torc12_lowers_it(outcomes):
    c = outcomes[4].claims
    assert c["rapalog_raises_akt"]
    assert c["feedback_carries_the_rise"]
    assert c["rise_needs_pi3k_driven_akt"]
    assert c["torc12_lowers_akt"]
    assert c["torc12_deeper_mtorc1_block_and_growth"]


def test_claims_can_fail():
    """The claims are comparisons, not constants: a lesson run with the mechanism it teaches
    removed from every condition loses the claim (here: no S6K1 -> IRS-1 feedback, no Akt rise)."""
    from xenosim.teaching.lessons import SMALL_SIZE, run

    on = run("on", 7, SMALL_SIZE, cell_line="mcf7_vector", cci779=True)
    off = run("off", 7, SMALL_SIZE, cell_line="mcf7_vector", cci779=True,
              s6k1_irs1_feedback=False)
    rise_on = on.mean_over("mean_akt", 3, 7) - on.mean_over("reference_mean_akt", 3, 7)
    rise_off = off.mean_over("mean_akt", 3, 7) - off.mean_over("reference_mean_akt", 3, 7)
    assert rise_on > 0.03
    assert abs(rise_off) < 0.01


@pytest.mark.parametrize("seed", [7, 12])
def test_lesson1_claims_hold_on_other_seeds(seed):
    from xenosim.teaching.lessons import SMALL_SIZE, run_lesson

    outcome = run_lesson(1, size=SMALL_SIZE, seed=seed)
    assert all(outcome.claims.values()), outcome.claims
