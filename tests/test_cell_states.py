"""Cell states declared once (core.tumour.CELL_STATES), S6K1 as its own state, the step plan's
phases and the one stepping loop (core.stepping)."""

from dataclasses import fields

import numpy as np
import pytest

from xenosim.biology import fate
from xenosim.biology.signalling import Exposure
from xenosim.core.genotypes import cell_line
from xenosim.core.parameters import resolve
from xenosim.core.reference import ReferenceTumour
from xenosim.core.stepping import step_until
from xenosim.core.tumour import (
    CELL_STATES,
    MEAN_SUMMARY_STATES,
    STATE_ARRAYS,
    Tumour,
    TumourSummary,
)

EX = Exposure(e2_nM=0.3, tamoxifen_nM=5.0, mtorc1_inhibition=0.3)


def _tumour(n=400, seed=1, line="mcf7_vector", **kw):
    return Tumour(cell_line(line), n, 50_000.0, resolve(), np.random.default_rng(seed), **kw)


def test_every_declared_state_is_allocated_and_kept_aligned_through_steps():
    t = _tumour()
    for spec in CELL_STATES:
        arr = getattr(t, spec.name)
        assert arr.dtype == spec.dtype and arr.shape == (t.n_agents,)
    for _ in range(6):
        t.step(EX, 12.0)
    assert t.n_agents != 400  # cells were added or removed
    for spec in CELL_STATES:
        assert getattr(t, spec.name).shape == (t.n_agents,), spec.name
        assert getattr(t, spec.name).dtype == spec.dtype, spec.name


def test_readouts_follow_the_declaration():
    t = _tumour()
    t.step(EX, 12.0)
    assert list(t.cell_state(0)) == [*STATE_ARRAYS, "x", "y", "z"]
    summary_fields = {f.name for f in fields(TumourSummary)}
    assert {f"mean_{name}" for name in MEAN_SUMMARY_STATES} <= summary_fields
    ref = ReferenceTumour.from_arrays(t.genotype, {k: getattr(t, k) for k in STATE_ARRAYS},
                                      t.cells_per_agent, t.p, rng=2)
    arrays = ref.state_arrays()
    assert list(arrays) == list(STATE_ARRAYS)
    for name in STATE_ARRAYS:  # a round trip through the per-object engine keeps every state
        np.testing.assert_array_equal(arrays[name], getattr(t, name), err_msg=name)
    assert list(ref.cells[0].state()) == list(STATE_ARRAYS)


def test_s6k1_is_its_own_state_and_the_feedback_reads_it():
    """Akt depends on the previous step's S6K1 (IRS-1 feedback): changing s6k1 alone, with
    mtorc1 untouched, must change the next Akt."""
    lo, hi = _tumour(seed=3), _tumour(seed=3)
    lo.s6k1[:] = 0.0
    hi.s6k1[:] = 1.0
    lo.mtorc1[:] = hi.mtorc1[:] = 0.5
    lo.step(EX, 12.0)
    hi.step(EX, 12.0)
    assert lo.akt[:50].mean() > hi.akt[:50].mean() + 0.01
    s = lo.summary()
    viable = fate.is_viable(lo.status)
    assert s.mean_s6k1 == pytest.approx(float(lo.s6k1[viable].mean()))


def test_daughters_copy_states_and_redraw_only_the_declared_ones():
    p = resolve({"doubling_time_e2_invitro_h": 1e-3, "doubling_time_deprived_invitro_h": 1.7e-3})
    t = Tumour(cell_line("mcf7_vector"), 20, 1.0, p, np.random.default_rng(4), invivo=False)
    t.step(Exposure(e2_nM=1.0), 12.0)  # every cell divides: mothers at even, daughters at odd
    assert t.n_agents == 40
    for spec in CELL_STATES:
        if spec.name == "cell_id":
            continue
        mothers, daughters = getattr(t, spec.name)[::2], getattr(t, spec.name)[1::2]
        if spec.redrawn:
            assert not np.array_equal(mothers, daughters), spec.name
        else:
            np.testing.assert_array_equal(mothers, daughters, err_msg=spec.name)


def test_phase_times_are_recorded_only_when_asked():
    t = _tumour(engine="numpy")
    t.step(EX, 12.0)
    assert t.phase_seconds is None
    t.phase_seconds = {}
    t.step(EX, 12.0)
    assert list(t.phase_seconds) == list(Tumour.PHASES)
    assert all(v >= 0 for v in t.phase_seconds.values())
    fused = _tumour(engine="fused")  # one fused kernel pair: one time
    fused.phase_seconds = {}
    fused.step(EX, 12.0)
    assert list(fused.phase_seconds) == ["fused"]


def test_step_until_counts_steps_and_can_end_exactly_on_the_target():
    calls = []
    end = step_until(lambda t, dt: calls.append((t, dt)), 0.0, 30.0, 12.0)
    assert [c[0] for c in calls] == [0.0, 12.0, 24.0] and end == 36.0  # one step past
    calls.clear()
    end = step_until(lambda t, dt: calls.append((t, dt)), 0.0, 30.0, 12.0, shorten_last=True)
    assert [c[1] for c in calls] == [12.0, 12.0, 6.0] and end == 30.0
    assert step_until(lambda t, dt: calls.append(t), 30.0, 30.0, 12.0) == 30.0  # already there
    with pytest.raises(ValueError, match="positive"):
        step_until(lambda t, dt: None, 0.0, 1.0, 0.0)
