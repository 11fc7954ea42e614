"""The three tumour engines: fused (numba kernels), numpy (array code), reference (Mesa agents).

The fused and numpy engines draw the same random numbers in the same order, so for a seed their
trajectories must agree step for step up to float rounding (a cell within one rounding of a
threshold may go the other way). That is a much sharper check than agreement in distribution:
a kernel whose biology diverged (another parameter, another formula) is caught, and the check
is shown to catch one. The reference engine draws per cell, so it is compared in distribution.
"""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

from xenosim.biology.signalling import Exposure
from xenosim.core import fused
from xenosim.core.engines import ENGINES, make_tumour
from xenosim.core.genotypes import cell_line
from xenosim.core.parameters import resolve
from xenosim.core.tumour import STATE_ARRAYS, Tumour, default_engine

pytestmark = pytest.mark.skipif(not fused.AVAILABLE, reason="numba not installed")

DT_H = 12.0
# library lines x drug classes: tamoxifen, CCI-779 (rapalog), estrogen deprivation, an aromatase
# inhibitor on an aromatase line, fulvestrant, a TORC1/2 inhibitor
SCENARIOS = {
    "vector_e2": ("mcf7_vector", Exposure(e2_nM=3.6)),
    "vector_tamoxifen": ("mcf7_vector", Exposure(e2_nM=3.6, tamoxifen_nM=20.0, oht_nM=1.0)),
    "akt_tamoxifen_cci779": ("mcf7_myr_akt", Exposure(e2_nM=3.6, tamoxifen_nM=20.0, oht_nM=1.0,
                                                      mtorc1_inhibition=0.8)),
    "pten_null_deprived": ("mcf7_pten_null", Exposure(e2_nM=0.003)),
    "aro_ai": ("mcf7_aro", Exposure(e2_nM=0.003, androstenedione_nM=5.0,
                                    aromatase_inhibition=0.9)),
    "tsc1_fulvestrant_torc12": ("mcf7_tsc1_loss", Exposure(e2_nM=0.5, fulvestrant_nM=50.0,
                                                           mtorc1_inhibition=0.6,
                                                           torc2_inhibition=0.5)),
}
#: resistance that evolves (biology/adaptation.py), raised so that a 12-step run has adapted cells
#: and ESR1 mutants (pre-existing and arising at division): the kernel's per-cell inputs
RESISTANCE = {"lted_adaptation_rate_per_day": 0.05, "esr1_mutant_initial_fraction": 0.05,
              "esr1_mutation_rate_per_division": 0.01}
RESISTANCE_SCENARIOS = {
    "vector_tamoxifen_resistance": SCENARIOS["vector_tamoxifen"],
    "aro_ai_resistance": SCENARIOS["aro_ai"],
    "tsc1_fulvestrant_torc12_resistance": SCENARIOS["tsc1_fulvestrant_torc12"],
}
# same draws: counts agree to a couple of agents (a cell within one float rounding of a threshold),
# means to float32 rounding. Measured: 0 agents and <= 1.2e-7 on every scenario here.
COUNT_TOL, MEAN_TOL = 5e-4, 1e-5
METRICS = ("n_agents", "n_cycling", "n_arrested", "n_quiescent", "n_apoptotic", "n_necrotic",
           "n_adapted", "n_esr1_mutant", "mean_akt", "mean_mtorc1", "mean_s6k1",
           "mean_er_activity")
N_COUNTS = 8  # the first METRICS are counts
COL = {m: i for i, m in enumerate(METRICS)}


def run(engine: str, line: str, exposure: Exposure, seed: int, n: int = 2000, steps: int = 12,
        cells_per_agent: float = 1e5, params: dict | None = None, invivo: bool = True):
    p = params or resolve()
    t = make_tumour(engine, cell_line(line), n, cells_per_agent, p, np.random.default_rng(seed),
                    invivo=invivo)
    rows = []
    for _ in range(steps):
        t.step(exposure, DT_H)
        s = t.summary()
        extra = {"n_adapted": int(np.count_nonzero(t.adapted)),
                 "n_esr1_mutant": int(np.count_nonzero(t.esr1_mutant))}
        rows.append([extra[m] if m in extra else getattr(s, m) for m in METRICS])
    return t, np.array(rows)


def step_for_step_gap(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(largest relative gap in counts, largest gap in mean activities) over all steps."""
    counts = np.abs(a[:, :N_COUNTS] - b[:, :N_COUNTS]).max(axis=0) / np.maximum(a[:, 0].max(), 1)
    means = np.abs(a[:, N_COUNTS:] - b[:, N_COUNTS:]).max()
    return float(counts.max()), float(means)


# ---- the numerics of the kernel ----------------------------------------------------------------
def test_expm1_neg_within_its_documented_error_bound():
    x = np.concatenate([-np.logspace(-8, np.log10(40.0), 4000), [0.0, -17.25, -100.0, -1e6]])
    x = x.astype(np.float32)
    got = fused.expm1_neg_array(x).astype(np.float64)
    want = np.expm1(x.astype(np.float64))
    rel = np.abs(got - want) / np.maximum(np.abs(want), 1e-30)
    assert rel[want != 0].max() < fused.EXPM1_REL_ERROR
    assert got[x == 0].tolist() == [0.0]


def test_biology_compiled_from_its_own_source_in_float32():
    """f32_njit compiles the biology function itself: float32 in, float32 out, same numbers."""
    from xenosim.biology import akt

    compiled = fused.f32_njit(akt.akt_activity)
    rng = np.random.default_rng(0)
    s6k1, expr = rng.random(50, dtype=np.float32), rng.random(50, dtype=np.float32)
    args = (np.float32(0.4), np.float32(0.3), np.float32(2.0), np.float32(0.1))
    want = akt.akt_activity(args[0], args[1], s6k1, args[2], expr, args[3])
    got = np.array([compiled(args[0], args[1], s6k1[i], args[2], expr[i], args[3])
                    for i in range(50)])
    np.testing.assert_allclose(got, want, rtol=2e-6)
    import numba

    assert want.dtype == np.float32
    assert compiled.nopython_signatures[0].return_type == numba.float32
    plain = numba.njit(akt.akt_activity)  # without the float32 literals: promoted to float64
    plain(args[0], args[1], s6k1[0], args[2], expr[0], args[3])
    assert plain.nopython_signatures[0].return_type == numba.float64


def test_four_hazard_fates_are_draw_competing_compiled():
    """The kernel's fates_from_uniform (compiled) gives draw_competing's masks cell for cell,
    including cells with no hazard and a uniform right at a cut."""
    from xenosim.biology import fate

    rng = np.random.default_rng(4)
    rates = [rng.random(4000, dtype=np.float32) * np.float32(0.1) for _ in range(4)]
    rates[1][:100] = 0.0
    for r in rates:
        r[100:200] = 0.0  # no hazard at all
    u = rng.random(4000, dtype=np.float32)
    scale = fate.event_scale(rates[0] + rates[1] + rates[2] + rates[3], 12.0)
    u[200] = rates[0][200] * scale[200]  # at the division cut: not a division
    want = fate.draw_competing(rates, 12.0, u)
    compiled = fused.f32_njit(fate.fates_from_uniform)
    got = np.array([compiled(u[i], *(r[i] for r in rates), scale[i]) for i in range(4000)])
    for j in range(4):
        np.testing.assert_array_equal(got[:, j], want[j])
    assert all(w[:2000].any() for w in want) and not any(w[100:200].any() for w in want)


# ---- fused against numpy: the same draws, so step for step ------------------------------------
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_fused_follows_numpy_step_for_step(scenario):
    line, ex = SCENARIOS[scenario]
    _, a = run("numpy", line, ex, seed=3)
    _, b = run("fused", line, ex, seed=3)
    counts_gap, means_gap = step_for_step_gap(a, b)
    assert counts_gap <= COUNT_TOL and means_gap <= MEAN_TOL, (scenario, counts_gap, means_gap)
    assert a[-1, 0] != 2000 and a[:, COL["n_quiescent"]].max() > 0  # growth, hypoxia
    assert a[:, COL["n_necrotic"]].max() > 0 and a[:, COL["n_arrested"]].max() > 0


@pytest.mark.parametrize("scenario", sorted(RESISTANCE_SCENARIOS))
def test_fused_follows_numpy_with_adapted_and_esr1_mutant_cells(scenario):
    """Adapted cells (LTED PI3K and ER factors) and ESR1 mutants (the mutant's ER states) read
    per cell in the kernel; adaptation and ESR1 draws in the numpy engine's stream order."""
    line, ex = RESISTANCE_SCENARIOS[scenario]
    p = resolve(RESISTANCE)
    _, a = run("numpy", line, ex, seed=3, params=p)
    _, b = run("fused", line, ex, seed=3, params=p)
    counts_gap, means_gap = step_for_step_gap(a, b)
    assert counts_gap <= COUNT_TOL and means_gap <= MEAN_TOL, (scenario, counts_gap, means_gap)
    n0 = a[0, COL["n_agents"]]
    # cells adapted during the run, and mutants beyond the initial clones (arisen at division)
    assert a[-1, COL["n_adapted"]] > 0.05 * n0
    assert a[-1, COL["n_esr1_mutant"]] > 0.06 * a[-1, COL["n_agents"]]


def test_fused_follows_numpy_in_vitro_and_without_hypoxia():
    line, ex = SCENARIOS["akt_tamoxifen_cci779"]
    _, a = run("numpy", line, ex, seed=5, n=500, steps=8, invivo=False)
    _, b = run("fused", line, ex, seed=5, n=500, steps=8, invivo=False)
    counts_gap, means_gap = step_for_step_gap(a, b)
    assert counts_gap <= COUNT_TOL and means_gap <= MEAN_TOL
    assert a[-1, COL["n_necrotic"]] == 0 and a[-1, COL["n_apoptotic"]] == 0  # in vitro


@pytest.mark.parametrize("name, factor, scenario", [
    ("ser167_half_input", 1.01, "akt_tamoxifen_cci779"),
    ("apoptosis_deprivation_gain", 1.05, "aro_ai"),
    ("oxygen_penetration_mm", 1.1, "akt_tamoxifen_cci779"),
    ("g1_drive_half", 1.01, "akt_tamoxifen_cci779"),
    ("arrested_apoptosis_factor", 1.05, "akt_tamoxifen_cci779"),
    ("ires_translation_max", 1.02, "akt_tamoxifen_cci779"),
    ("esr1_constitutive_activity", 1.05, "aro_ai"),
])
def test_step_for_step_check_catches_a_diverged_kernel(name, factor, scenario):
    """The same check, with the fused engine given a slightly different parameter (as a kernel
    with a diverged copy of the biology would compute): it must fail."""
    line, ex = SCENARIOS[scenario]
    p0 = resolve(RESISTANCE)
    p = dict(p0)
    p[name] *= factor
    _, a = run("numpy", line, ex, seed=3, params=p0)
    _, b = run("fused", line, ex, seed=3, params=p)
    counts_gap, means_gap = step_for_step_gap(a, b)
    assert counts_gap > COUNT_TOL or means_gap > MEAN_TOL


def test_fused_deterministic_for_a_seed_and_copies_continue_identically():
    line, ex = SCENARIOS["akt_tamoxifen_cci779"]
    t1, _ = run("fused", line, ex, seed=11, n=1500, steps=6)
    t2, _ = run("fused", line, ex, seed=11, n=1500, steps=6)
    for name in STATE_ARRAYS:
        np.testing.assert_array_equal(getattr(t1, name), getattr(t2, name))
    # a deep copy and a pickle round trip (e.g. a snapshot of the enrolled state) step on exactly
    # like the original
    t3, t4 = copy.deepcopy(t1), pickle.loads(pickle.dumps(t1))
    for t in (t1, t3, t4):
        for _ in range(3):
            t.step(ex, DT_H)
    for name in STATE_ARRAYS:
        np.testing.assert_array_equal(getattr(t1, name), getattr(t3, name))
        np.testing.assert_array_equal(getattr(t1, name), getattr(t4, name))


def test_arrays_held_by_a_reader_are_never_reused_as_outputs():
    """The fused engine writes the step's signalling and statuses over the current arrays (no
    scratch copy: the memory target) and updates its own state buffers in place, but only when
    nobody else holds them: a held array is never overwritten by an update, so the states the
    update alone writes (ids, expression, adapted, ESR1) keep their values."""
    line, ex = SCENARIOS["vector_e2"]
    t, _ = run("fused", line, ex, seed=2, n=1000, steps=2)
    held = {name: getattr(t, name) for name in STATE_ARRAYS}
    kept = {name: arr.copy() for name, arr in held.items()}
    stepper = t._fused
    copied = stepper.steps_copied
    t.step(ex, DT_H)
    assert stepper.steps_copied == copied + 1  # held: the update wrote new buffers
    in_place = {"status", "akt", "mtorc1", "s6k1", "er_activity"}
    assert not np.array_equal(held["akt"], kept["akt"])  # documented: written in place
    for _ in range(4):
        t.step(ex, DT_H)
        for name in STATE_ARRAYS:
            assert not np.shares_memory(held[name], getattr(t, name)), name
            if name not in in_place:
                np.testing.assert_array_equal(held[name], kept[name])
    # the guard itself: buffers nobody else holds are updated in place, in the same memory
    del held
    before = {name: getattr(t, name).ctypes.data for name in STATE_ARRAYS}
    in_place_steps = stepper.steps_in_place
    t.step(ex, DT_H)
    assert stepper.steps_in_place == in_place_steps + 1
    if all(b.shape[0] >= t.n_agents for b in stepper.buffers.values()):
        assert all(getattr(t, name).ctypes.data == before[name] for name in STATE_ARRAYS)
    # ... and a reader holding part of one (a slice of a view) makes the next step copy
    view = t.cell_id[:5]
    ids = view.copy()
    t.step(ex, DT_H)
    assert stepper.steps_copied == copied + 2
    np.testing.assert_array_equal(view, ids)
    # a state array set from elsewhere (a view nobody else holds, as an unpickled array) is
    # copied into the free buffer: the step after stays in place
    t.step(ex, DT_H)
    in_place_steps = stepper.steps_in_place
    t.akt = np.concatenate([t.akt, t.akt[:1]])[:-1]
    t.step(ex, DT_H)
    assert stepper.steps_in_place == in_place_steps + 1


def test_in_place_update_equals_the_update_into_new_buffers():
    """The in-place update (forward compaction where cells move left, then backwards) writes
    the cells, ids, redrawn expression and daughter slots the update into new buffers writes:
    random copy counts of growing, shrinking and mixed steps, long runs of cleared cells first
    (phase 1), no cell cleared, no daughter. Compiled, and as plain Python (numpy checks every
    index: nothing is written past max(n, n_out))."""
    rng = np.random.default_rng(0)
    dtypes = (np.uint32, np.uint8, *(np.float32,) * 6, np.uint8, np.uint8)
    mixes = [(0.1, 0.8, 0.1), (0.5, 0.4, 0.1), (0.0, 0.5, 0.5), (0.05, 0.9, 0.05),
             (0.8, 0.1, 0.1), (0.0, 1.0, 0.0), (0.0, 0.9, 0.1), (0.2, 0.8, 0.0)]
    # by hand: cells move left in the first block only; a later block's cleared run (more
    # cells than the daughters ahead of it) might hold cells moving left, but daughters in
    # front keep them right (the scan must look further back for the last one moving left)
    crafted = np.ones(4096, dtype=np.uint8)
    crafted[:50] = 0
    crafted[100:200] = 2
    crafted[2100:2160] = 2
    crafted[2200:2300] = 0
    compacted = 0
    for trial in range(862):
        big = trial >= 800  # several of the scan's 1024-cell blocks, cleared runs inside
        n = int(rng.integers(2000, 9000)) if big else int(rng.integers(0, 80))
        counts = rng.choice(3, n, p=mixes[trial % len(mixes)]).astype(np.uint8)
        if trial % 3 == 0:
            counts[:min(n, 6)] = 0  # cleared cells first: cells move left, then right
        if big:
            start = int(rng.integers(1024, n - 400))
            counts[start:start + int(rng.integers(1, 400))] = 0
        if trial >= 860:
            counts = crafted.copy() if trial == 860 else crafted[::-1].copy()
            n = counts.shape[0]
        n_out, n_daughters, first_cleared, first_safe = (int(x) for x in
                                                         fused.scan_kernel(counts))
        # by hand: slot j(i) = copies before cell i; kept cells with j(i) < i move left
        slot = np.cumsum(counts, dtype=np.int64) - counts
        moving_left = np.flatnonzero((counts > 0) & (slot < np.arange(n)))
        zeros = np.flatnonzero(counts == 0)
        assert (n_out, n_daughters) == (int(counts.sum()), int((counts == 2).sum()))
        assert first_cleared == (zeros[0] if zeros.size else n)
        assert first_safe == (moving_left[-1] + 1 if moving_left.size else 0)
        compacted += first_safe > 0
        cap = max(n, n_out)
        state = [np.zeros(cap, dtype=d) for d in dtypes]
        state[0][:n] = np.arange(n)
        state[1][:n] = rng.integers(0, 5, n)
        for a in state[2:8]:
            a[:n] = rng.random(n)
        state[8][:n], state[9][:n] = rng.integers(0, 2, n), rng.integers(0, 2, n)
        z_akt, z_er = (rng.standard_normal(n_daughters + 1).astype(np.float32) for _ in "ab")
        args = (z_akt, z_er, True, np.float32(0.3), np.float32(0.7), 1000)
        new = [np.zeros(n_out, dtype=d) for d in dtypes]
        at_new, at_in_place = (np.zeros(n_daughters + 1, np.int32) for _ in "ab")
        assert fused.update_kernel(counts.copy(), *(a[:n] for a in state), *args, at_new,
                                   *new) == n_out
        kernel = fused.update_in_place_kernel
        left = (kernel if trial % 2 or big else kernel.py_func)(
            counts.copy(), n, n_out, n_daughters, first_cleared, first_safe, *state, *args,
            at_in_place)
        assert left == 0
        for a, b in zip(new, state, strict=True):
            np.testing.assert_array_equal(a, b[:n_out])
        np.testing.assert_array_equal(at_new[:n_daughters], at_in_place[:n_daughters])
    assert compacted > 100  # phase 1 was exercised


def _assert_same_summary(got: dict, want: dict) -> None:
    """Two summaries (as dicts) field by field: counts equal, NaN where the other is NaN, means
    and indices within float32 rounding."""
    for key, value in want.items():
        if isinstance(value, int):
            assert got[key] == value, key
        elif np.isnan(value):
            assert np.isnan(got[key]), key
        else:
            assert got[key] == pytest.approx(value, rel=2e-5, abs=1e-7), key


def test_fused_summary_equals_the_numpy_summary_of_the_same_cells():
    """The fused engine's one-pass summary (compiled) against the numpy summary of the very
    same state arrays: every count equal, every mean and index within float32 rounding; with
    adapted and ESR1-mutant cells, with and without the ER shares, under fulvestrant."""
    import collections
    import dataclasses

    from xenosim.biology import fate

    p = resolve() | RESISTANCE
    dead_high = collections.Counter()
    for line, ex in (SCENARIOS["akt_tamoxifen_cci779"], SCENARIOS["tsc1_fulvestrant_torc12"],
                     SCENARIOS["pten_null_deprived"]):  # the last: high pS6 and mTORC1
        t, _ = run("fused", line, ex, seed=4, n=3000, steps=6, params=p)
        assert t.adapted.any() and t.esr1_mutant.any()
        # necrotic cells with high pS6 / pAkt, as dead cells keep their last states: the IHC
        # counts skip them, the viable sums too
        thr = p["high_activity_threshold"]
        high = (t.s6k1 > thr) | (t.akt > thr) | (t.mtorc1 > thr)
        dead = np.union1d(np.flatnonzero(high)[::5], np.arange(0, t.n_agents, 11))
        dead_high += {name: int((state[dead] > thr).sum())
                      for name, state in (("s6k1", t.s6k1), ("akt", t.akt), ("mtorc1", t.mtorc1))}
        t.status[dead] = fate.NECROTIC
        for exposure in (ex, None):
            got = dataclasses.asdict(t.summary(exposure))
            stepper, t._fused = t._fused, None  # the numpy summary of the same arrays
            want = dataclasses.asdict(t.summary(exposure))
            t._fused = stepper
            _assert_same_summary(got, want)
    # some dead cells would count as pS6 / pAkt / mTORC1-high (were they not dead)
    assert min(dead_high[k] for k in ("s6k1", "akt", "mtorc1")) > 10, dead_high


@pytest.mark.parametrize("engine", ["numpy", "fused"])
def test_summary_er_shares_are_of_the_er_output_the_step_computed(engine):
    """The summaries' ER shares are shares of the ER output the last step stored: from the stored
    Akt and S6K1 (signalling.er_output_of_state) the ER total of every cell that was there before
    the step equals its stored ER activity, and the shares add up to it; recomputing signalling
    from S6K1 (the next step's Akt, what the summaries did before) does not give it. Under a
    rapalog after a drug switch, where the Akt feedback is not at rest."""
    from xenosim.biology.signalling import compute_signalling, er_output_of_state

    p = resolve() | {"lted_adaptation_rate_per_day": 0.0}  # no flag changes after signalling
    line, ex = SCENARIOS["akt_tamoxifen_cci779"]
    t, _ = run(engine, line, Exposure(e2_nM=ex.e2_nM), seed=2, n=1500, steps=3, params=p)
    first_daughter = t.next_id
    t.step(ex, DT_H)  # the drugs start: Akt and S6K1 move
    kept = t.cell_id < first_daughter  # daughters carry a copy of their mother's outputs
    assert kept.sum() > 1000
    er = er_output_of_state(ex, t.genotype, p, t.akt, t.s6k1, t.er_expression, t.adapted,
                            t.esr1_mutant)
    gap = np.max(np.abs(er.total[kept] - t.er_activity[kept]))
    assert gap < 1e-6  # float32 rounding (the fused kernel's own arithmetic)
    np.testing.assert_allclose(er.share_e2 + er.share_tamoxifen + er.share_ser167, er.total,
                               rtol=1e-5)
    ahead = compute_signalling(ex, t.genotype, p, t.akt_expression, t.er_expression, t.s6k1,
                               t.adapted, t.esr1_mutant).er.total
    assert np.max(np.abs(ahead[kept] - t.er_activity[kept])) > max(20 * gap, 5e-6)
    # and the tumour's summary reports those shares (means over viable cells)
    from xenosim.biology import fate

    viable = fate.is_viable(t.status)
    summary = t.summary(ex)
    for name in ("share_e2", "share_tamoxifen", "share_ser167"):
        want = float(np.mean(getattr(er, name)[viable], dtype=np.float64))
        assert getattr(summary, "er_" + name) == pytest.approx(want, rel=1e-5), name


def test_reference_summary_equals_the_numpy_summary_of_the_same_cells():
    """The per-object engine's summary, cell by cell, against the numpy summary of the same
    cells: every field, the IHC indices, H-scores and resistance fractions included (they were
    NaN / 0 in the per-object summary), and ER shares of adapted and ESR1-mutant cells from
    their own ER; under fulvestrant (ER protein left < 1) and without shares."""
    import dataclasses

    from xenosim.biology import fate
    from xenosim.core.reference import ReferenceTumour

    # an ER-positive threshold that splits the fulvestrant-treated cells (about 0.2 of their ER
    # protein is left), so the ER-positive fraction depends on the protein left
    p = resolve() | RESISTANCE | {"er_positive_threshold": 0.2}
    for line, ex in (SCENARIOS["akt_tamoxifen_cci779"], SCENARIOS["tsc1_fulvestrant_torc12"]):
        t, _ = run("numpy", line, ex, seed=4, n=800, steps=6, params=p)
        assert t.adapted.any() and t.esr1_mutant.any() and (t.status == fate.NECROTIC).any()
        ref = ReferenceTumour.from_arrays(t.genotype, {k: getattr(t, k) for k in STATE_ARRAYS},
                                          1e5, p, rng=1)
        ref.er_protein = t.er_protein  # of the last step, which the reference did not take
        for exposure in (ex, None):
            got = dataclasses.asdict(ref.summary(exposure))
            want = dataclasses.asdict(t.summary(exposure))
            _assert_same_summary(got, want)
    assert 0.2 < ref.summary().er_positive_fraction < 0.8
    # a reference step records the ER protein left, as the array engines do
    ref.er_protein = 1.0
    ref.advance(ex, DT_H)
    assert ex.fulvestrant_nM and 0.0 < ref.er_protein < 1.0
    assert ref.er_protein == pytest.approx(float(t.er_protein))


# ---- all three engines in distribution ----------------------------------------------------------
@pytest.mark.parametrize("scenario", ["vector_tamoxifen", "akt_tamoxifen_cci779",
                                      "pten_null_deprived"])
def test_three_engines_agree_in_distribution(scenario):
    """Counts, fate fractions and mean activities after 8 steps over 6 seeds: fused and numpy
    against the per-object engine (independent seeds), within 4 standard errors."""
    line, ex = SCENARIOS[scenario]
    kw = dict(n=150, steps=8, cells_per_agent=1e6)  # a small ball with rim, hypoxia and core
    finals = {e: np.array([run(e, line, ex, seed=s + 100 * i, **kw)[1][-1] for s in range(6)])
              for i, e in enumerate(ENGINES)}
    ref = finals["reference"]
    for engine in ("fused", "numpy"):
        x = finals[engine]
        se = np.sqrt(x.var(axis=0, ddof=1) / 6 + ref.var(axis=0, ddof=1) / 6) + 1e-9
        z = np.abs(x.mean(axis=0) - ref.mean(axis=0)) / se
        assert (z < 4).all(), (engine, dict(zip(METRICS, z.round(1), strict=True)))


# ---- selection ---------------------------------------------------------------------------------
def test_engine_selection_and_errors():
    assert default_engine() == "fused"
    g, p = cell_line("mcf7_vector"), resolve()
    assert Tumour(g, 10, 1.0, p, np.random.default_rng(0)).engine == "fused"
    with pytest.raises(ValueError, match="allowed: fused, numpy"):
        Tumour(g, 10, 1.0, p, np.random.default_rng(0), engine="gpu")
    with pytest.raises(ValueError, match="allowed: fused, numpy, reference"):
        make_tumour("gpu", g, 10, 1.0, p, np.random.default_rng(0))
    with pytest.raises(RuntimeError, match="add the new state"):
        fused.check_states((*STATE_ARRAYS, "lted_level"), ("akt_expression", "er_expression"))


def test_study_config_engine_and_cli_option(tmp_path):
    from typer.testing import CliRunner

    from xenosim.cli import app
    from xenosim.core.config import ConfigErrors
    from xenosim.xenograft.config import validate_dict
    from xenosim.xenograft.model import MouseModel

    raw = {"experiment": "e", "cell_lines": {"mcf7_vector": {}}, "arms": {"control": {}},
           "cells_per_agent": 60000}
    assert validate_dict(raw).engine == "fused"
    with pytest.raises(ConfigErrors, match="engine.*'fused', 'numpy' or 'reference'.*gpu"):
        validate_dict(raw | {"engine": "gpu"})
    for engine in ENGINES:  # every engine runs a mouse
        m = MouseModel(validate_dict(raw | {"engine": engine}), rng=1)
        m.advance_to_day(6)
        assert m.tumour.engine == engine and m.tumour.n_agents > 0
        assert m.cell(0).status in ("cycling", "arrested", "quiescent", "apoptotic", "necrotic")
    from xenosim.core.budget import xenograft_budget

    slow, fast = (xenograft_budget(validate_dict(raw | {"engine": e})) for e in ("reference", "fused"))
    assert slow.seconds > 50 * fast.seconds  # the size check knows the per-object engine's cost
    cfg = tmp_path / "e.yaml"
    cfg.write_text("experiment: e\ncell_lines: {mcf7_vector: {}}\narms: {control: {}}\n")
    res = CliRunner().invoke(app, ["run", str(cfg), "--engine", "gpu", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "engine" in res.output and "gpu" in res.output


# ---- the numpy engine's speed-ups changed no number ----------------------------------------------
#: Regression baseline (our own output, not a known answer): the numpy engine's summary after 12
#: steps (seed 3, 2000 agents of 1e5 cells), recorded with the code before its speed-ups (intp
#: gather, no ER shares in the step, no cumsum, status look-ups), i.e. the cell-cycle biology as
#: it was before the fused engine was merged onto it. Before and after, a SHA-256 over every
#: state array of 12 runs (6 scenarios, with and without adapted and ESR1-mutant cells) was
#: identical on the machine that recorded it. Counts (agents, cycling, arrested, quiescent,
#: apoptotic, necrotic) and the sum of cell ids are exact; the means to float32 rounding.
NUMPY_BASELINE = {
    "vector_tamoxifen": (4126, 1337, 1736, 733, 125, 195, 10974863, 0.221301, 0.929164),
    "akt_tamoxifen_cci779": (4653, 1540, 1804, 952, 115, 242, 13279002, 0.741795, 0.929124),
    "tsc1_fulvestrant_torc12": (2374, 125, 1759, 325, 86, 79, 4102304, 0.163288, 0.045299),
}


@pytest.mark.parametrize("scenario", sorted(NUMPY_BASELINE))
def test_numpy_engine_numbers_unchanged_by_its_speed_ups(scenario):
    line, ex = SCENARIOS[scenario]
    # the biology the baseline was recorded with: without hypoxia's REDD1 brake on mTORC1
    # (added after it; switched off, the step computes exactly what it did before)
    t, _ = run("numpy", line, ex, seed=3, params=resolve(None, {"hypoxia_mtorc1": False}))
    s = t.summary()
    got = (s.n_agents, s.n_cycling, s.n_arrested, s.n_quiescent, s.n_apoptotic, s.n_necrotic,
           int(t.cell_id.astype(np.int64).sum()))
    assert got == NUMPY_BASELINE[scenario][:7]
    np.testing.assert_allclose((s.mean_akt, s.mean_er_activity), NUMPY_BASELINE[scenario][7:],
                               atol=2e-6)


def test_update_kernel_writes_only_the_kept_cells_and_inserts_daughters():
    """The update writes the n_out slots it returns and nothing past them. Run as plain Python
    (numpy checks every index): buffers of exactly n_out suffice, one slot fewer does not;
    daughters sit behind their mothers with new ids and redrawn expression, cleared cells are
    gone."""
    counts = np.array([1, 2, 0, 1, 2, 0, 0], dtype=np.uint8)
    n, n_out = len(counts), int(counts.sum())
    cell_id = np.arange(n, dtype=np.uint32)
    status = np.zeros(n, dtype=np.uint8)
    f = [np.arange(n, dtype=np.float32) + 0.5 for _ in range(6)]  # akt .. er_expression
    flags = [np.array([0, 1, 0, 1, 0, 1, 1], dtype=np.uint8),  # adapted, esr1_mutant
             np.array([1, 0, 0, 0, 1, 0, 1], dtype=np.uint8)]
    z = np.array([1.0, -1.0], dtype=np.float32)

    def update(size):
        out = [np.full(size, 99, dtype=np.uint32), np.zeros(size, dtype=np.uint8),
               *(np.zeros(size, dtype=np.float32) for _ in range(6)),
               np.zeros(size, dtype=np.uint8), np.zeros(size, dtype=np.uint8)]
        j = fused.update_kernel.py_func(counts, cell_id, status, *f, *flags, z, z, True,
                                        np.float32(0.25), np.float32(0.8), 100,
                                        np.zeros(n + 1, np.int32), *out)
        return j, [o[:n_out] for o in out]

    j, out = update(n_out)
    assert j == n_out
    assert out[0].tolist() == [0, 1, 100, 3, 4, 101]  # daughters behind mothers, new ids
    assert out[2].tolist() == [0.5, 1.5, 1.5, 3.5, 4.5, 4.5]  # copied state
    assert out[6][2] != out[6][1] and out[6][1] == 1.5  # daughter's expression redrawn
    assert out[8].tolist() == [0, 1, 1, 1, 0, 0]  # adapted and ESR1 status inherited
    assert out[9].tolist() == [1, 0, 0, 0, 1, 1]
    with pytest.raises(IndexError):
        update(n_out - 1)


@pytest.mark.parametrize("invivo", [True, False], ids=["in_vivo", "in_vitro"])
def test_numpy_engine_blocks_change_no_number(invivo):
    """The numpy step runs its environment, signalling and fate phases in blocks of
    BLOCK_CELLS cells: a tumour stepped in blocks of 701 (odd, so blocks end anywhere) has the
    same cells, bit for bit, as one stepped in one block; with hypoxia, adapted and ESR1-mutant
    cells and the uniforms, normals and adaptation draws that follow."""
    line, ex = RESISTANCE_SCENARIOS["aro_ai_resistance"]
    p = resolve(RESISTANCE)
    tumours = []
    for block in (701, 10**9):
        t = make_tumour("numpy", cell_line(line), 3000, 1e5, p, np.random.default_rng(5),
                        invivo=invivo)
        t.BLOCK_CELLS = block
        for _ in range(8):
            t.step(ex, DT_H)
        tumours.append(t)
    blocked, whole = tumours
    assert blocked.n_agents > 3 * 701 and np.count_nonzero(blocked.adapted) > 0
    for name in STATE_ARRAYS:
        np.testing.assert_array_equal(getattr(blocked, name), getattr(whole, name), err_msg=name)
    assert blocked.rng.random() == whole.rng.random()
