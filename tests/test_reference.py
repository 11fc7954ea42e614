"""The per-object reference engine against the vectorised engine.

Exact where the step is deterministic (signalling of each cell, the update order), and in
distribution where it is random (counts and mean pathway activities over 20 steps, across seeds).
The distributional test must be able to fail: a reference engine with a perturbed parameter is
detected.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from xenosim.biology import fate
from xenosim.biology.signalling import Exposure
from xenosim.core.genotypes import cell_line
from xenosim.core.parameters import resolve
from xenosim.core.reference import ReferenceCell, ReferenceTumour
from xenosim.core.tumour import STATE_ARRAYS, Tumour

METRICS = ("n_agents", "n_cycling", "n_quiescent", "n_apoptotic", "n_necrotic", "mean_akt",
           "mean_mtorc1", "mean_er_activity")
CHECK_STEPS = (5, 10, 15, 20)
N_SEEDS = 16
ALPHA = 0.01  # family-wise, Bonferroni over metrics x time points

# 300 agents of 1e6 cells: the ball is ~4 lattice spacings (1 mm each) in radius, so it has a
# cycling rim, a hypoxic layer and a small anoxic core from the first step.
N0, CELLS_PER_AGENT, STEPS, DT_H = 300, 1.0e6, 20, 12.0
SCENARIOS = {
    "vector_e2": ("mcf7_vector", Exposure(e2_nM=0.5)),
    "akt_tamoxifen_rapalog": ("mcf7_myr_akt", Exposure(e2_nM=0.01, tamoxifen_nM=20.0, oht_nM=1.0,
                                                       mtorc1_inhibition=0.5)),
}


def _state(t: Tumour) -> dict[str, np.ndarray]:
    return {name: getattr(t, name).copy() for name in STATE_ARRAYS}


def trajectory(engine: str, seed: int, line: str, exposure: Exposure,
               scale: dict[str, float] | None = None) -> np.ndarray:
    """Summary metrics after each of STEPS steps (steps x metrics)."""
    p = resolve()
    for name, factor in (scale or {}).items():
        p[name] *= factor
    g = cell_line(line)
    rng = np.random.default_rng(seed)
    if engine == "vectorised":
        tumour = Tumour(g, N0, CELLS_PER_AGENT, p, rng)
        advance = tumour.step
    else:
        tumour = ReferenceTumour(g, N0, CELLS_PER_AGENT, p, rng)
        advance = tumour.advance
    rows = []
    for _ in range(STEPS):
        advance(exposure, DT_H)
        s = tumour.summary()
        rows.append([getattr(s, m) for m in METRICS])
    return np.array(rows, dtype=float)


def samples(engine: str, scenario: str, scale=None) -> np.ndarray:
    line, exposure = SCENARIOS[scenario]
    base = 0 if engine == "vectorised" else 1000  # distinct seeds: independent samples
    return np.stack([trajectory(engine, base + s, line, exposure, scale) for s in range(N_SEEDS)])


def compare(a: np.ndarray, b: np.ndarray) -> dict[tuple[str, int], tuple[float, float]]:
    """Two-sided Mann-Whitney and KS p-values per (metric, step)."""
    out = {}
    for j, m in enumerate(METRICS):
        for step in CHECK_STEPS:
            x, y = a[:, step - 1, j], b[:, step - 1, j]
            out[(m, step)] = (float(stats.mannwhitneyu(x, y).pvalue),
                              float(stats.ks_2samp(x, y).pvalue))
    return out


def report(title: str, pvals) -> float:
    """Print the p-values (pytest -s) and return the Bonferroni-corrected smallest one."""
    n = len(pvals) * 2
    smallest = min(min(v) for v in pvals.values())
    print(f"\n{title}: Bonferroni-corrected min p = {min(1.0, smallest * n):.3g} ({n} tests)")
    for m in METRICS:
        print(f"  {m:<18}" + "  ".join(f"s{s}: MW {pvals[(m, s)][0]:.3f} KS {pvals[(m, s)][1]:.3f}"
                                       for s in CHECK_STEPS))
    return min(1.0, smallest * n)


@pytest.fixture(scope="module")
def vectorised_samples():
    return {name: samples("vectorised", name) for name in SCENARIOS}


# ---- exact checks ----------------------------------------------------------------------------
def test_reference_constructible_and_steps_with_no_arguments():
    model = ReferenceTumour(rng=1)
    model.step()
    model.step()
    assert model.n_agents > 0 and model.time_h == 24.0
    assert all(isinstance(c, ReferenceCell) for c in model.agents)
    assert len(model.agents) == model.n_agents
    assert [c.position for c in model.cells] == list(range(model.n_agents))


def test_signalling_of_every_cell_matches_vectorised_exactly():
    """Same cell states in, same Akt / mTORC1 / ER out for every cell that survives the step."""
    p = resolve()
    g = cell_line("mcf7_myr_akt")
    ex = Exposure(e2_nM=0.3, tamoxifen_nM=5.0, mtorc1_inhibition=0.3)
    vec = Tumour(g, N0, CELLS_PER_AGENT, p, np.random.default_rng(1))
    vec.step(ex, DT_H)
    vec.step(ex, DT_H)  # now with dead cells and heterogeneous feedback state
    before = _state(vec)
    ref = ReferenceTumour.from_arrays(g, before, CELLS_PER_AGENT, p, rng=5)
    vec.step(ex, DT_H)
    ref.advance(ex, DT_H)
    after = ref.state_arrays()
    _, iv, ir = np.intersect1d(vec.cell_id.astype(np.int64), after["cell_id"],
                               return_indices=True)
    keep = np.isin(vec.cell_id[iv], before["cell_id"])  # mothers only: daughters' ids differ
    iv, ir = iv[keep], ir[keep]
    assert len(iv) > 0.9 * N0
    for name in ("akt", "mtorc1", "er_activity"):
        np.testing.assert_allclose(getattr(vec, name)[iv], after[name][ir], atol=1e-6)
    # hypoxic quiescence depends on depth only (oxygen): identical for cells viable in both
    # (cycling vs G0/G1-arrested is a random draw, compared in distribution below)
    both = fate.is_viable(vec.status[iv]) & fate.is_viable(after["status"][ir])
    assert both.sum() > 0.8 * N0
    np.testing.assert_array_equal(vec.status[iv][both] == fate.QUIESCENT,
                                  after["status"][ir][both] == fate.QUIESCENT)
    assert {fate.CYCLING, fate.QUIESCENT} <= set(np.unique(after["status"]).tolist())


def test_update_order_daughters_behind_mothers_and_clearance():
    """With certain division and certain clearance the step is deterministic: both engines must
    produce the same cells, in the same filling order."""
    p = resolve({"doubling_time_e2_invitro_h": 1e-3, "doubling_time_deprived_invitro_h": 1.7e-3,
                 "apoptotic_clearance_half_life_h": 1e-6,
                 "necrotic_clearance_half_life_day": 1e-6})
    g = cell_line("mcf7_vector")
    n = 12
    vec = Tumour(g, n, 1.0, p, np.random.default_rng(3), invivo=False)
    vec.status[:] = [0, 2, 1, 3, 0, 0, 2, 1, 1, 3, 0, 2]
    ref = ReferenceTumour.from_arrays(g, _state(vec), 1.0, p, rng=4, invivo=False)
    ex = Exposure(e2_nM=1.0)
    vec.step(ex, DT_H)
    ref.advance(ex, DT_H)
    after = ref.state_arrays()
    # viable cells divide (daughter ids 12, 13, ...), dead ones are cleared
    assert after["cell_id"].tolist() == [0, 12, 2, 13, 4, 14, 5, 15, 7, 16, 8, 17, 10, 18]
    np.testing.assert_array_equal(vec.cell_id.astype(np.int64), after["cell_id"])
    np.testing.assert_array_equal(vec.status, after["status"])
    # mothers keep their expression; daughters inherit a noisy copy
    np.testing.assert_allclose(after["akt_expression"][::2], vec.akt_expression[::2])
    assert not np.allclose(after["akt_expression"][1::2], after["akt_expression"][::2])


# ---- in distribution -------------------------------------------------------------------------
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_engines_agree_in_distribution(scenario, vectorised_samples):
    ref = samples("reference", scenario)
    corrected = report(f"{scenario}: vectorised vs reference", compare(
        vectorised_samples[scenario], ref))
    assert corrected > ALPHA
    # and on the means, within 4 standard errors of the difference
    a, b = vectorised_samples[scenario][:, -1], ref[:, -1]
    se = np.sqrt(a.var(0, ddof=1) / len(a) + b.var(0, ddof=1) / len(b))
    assert np.all(np.abs(a.mean(0) - b.mean(0)) <= 4 * se + 1e-9)


@pytest.mark.parametrize(("scenario", "scale"), [
    ("vector_e2", {"invivo_cycling_factor": 1.5}),  # division rate x 1.5
    ("akt_tamoxifen_rapalog", {"apoptosis_rate_invivo_per_day": 1.5}),
])
def test_equivalence_test_detects_a_perturbed_parameter(scenario, scale, vectorised_samples):
    ref = samples("reference", scenario, scale)
    corrected = report(f"{scenario}: vectorised vs reference with {scale}", compare(
        vectorised_samples[scenario], ref))
    assert corrected < ALPHA
