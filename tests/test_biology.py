"""Unit tests of each mechanism function (direction and bounds of every effect)."""

import numpy as np
import pytest

from xenosim.biology import akt, cellcycle, er, fate, heterogeneity, mtor, oxygen
from xenosim.biology.signalling import Exposure, derived_rates, steady_state, translation_and_drive
from xenosim.core.genotypes import cell_line
from xenosim.core.parameters import PARAMETERS, resolve

P = resolve()
VECTOR, MYR = cell_line("mcf7_vector"), cell_line("mcf7_myr_akt")
E2_PELLET = Exposure(e2_nM=3.6)
TAM = Exposure(e2_nM=3.6, tamoxifen_nM=1e4, oht_nM=500)


def test_every_parameter_has_source_unit_and_grade():
    for p in PARAMETERS.values():
        assert p.source and p.unit and p.grade in ("measured", "derived", "assumed"), p.name


def test_feedback_relief_raises_pi3k_driven_akt_only():
    s6k1_high, s6k1_low = 0.6, 0.05
    gain = P["s6k1_irs1_feedback_gain"]
    pi3k = P["pi3k_basal_drive"]
    vec = akt.akt_activity(pi3k, 0.0, np.array([s6k1_high, s6k1_low]), gain)
    myr = akt.akt_activity(pi3k, P["myr_akt_drive"], np.array([s6k1_high, s6k1_low]), gain)
    assert vec[1] / vec[0] > 1.2
    assert myr[1] / myr[0] < vec[1] / vec[0]
    assert np.all((vec >= 0) & (vec < 1)) and np.all((myr >= 0) & (myr < 1))
    # no feedback gain: no rise at all
    flat = akt.akt_activity(pi3k, 0.0, np.array([s6k1_high, s6k1_low]), 0.0)
    assert flat[0] == pytest.approx(flat[1])


def test_torc2_inhibition_lowers_akt():
    base = akt.akt_activity(0.5, 0.0, 0.3, 2.0)
    assert akt.akt_activity(0.5, 0.0, 0.3, 2.0, torc2_inhibition=0.9) < base


def test_rapalog_inhibition_is_incomplete_and_monotone():
    conc = np.array([0.0, 0.1, 1.0, 10.0, 1e4])
    inh = mtor.fractional_inhibition(conc, 1.0, 0.85)
    assert inh[0] == 0 and np.all(np.diff(inh) > 0) and inh[-1] < 0.85 + 1e-9
    m = mtor.mtorc1_activity(np.array([0.2, 0.8]), 0.2, 0.6)
    assert m[1] > m[0]
    assert mtor.mtorc1_activity(np.array([0.8]), 0.2, 0.6, inhibition=0.85)[0] < 0.2 * m[1]


def test_er_occupancy_is_competitive_and_sums_to_one():
    e, a, f = er.er_occupancy(np.array([0.0, 1.0, 1.0]), np.array([0.0, 0.0, 10.0]), 0.0,
                              0.2, 0.2, 7.0)
    assert np.allclose(e + a + f, 1)
    assert e[2] < e[1] and a[2] == pytest.approx(50 / 56)


def test_er_shares_add_up_and_tamoxifen_is_an_agonist_only_through_ser167_in_mcf7():
    occ = er.er_occupancy(0.0, 1000.0, 0.0, 0.2, 0.2, 7.0)
    no_p = er.er_activity(*occ, 0.0, 1.0, P)
    assert no_p.total == 0.0  # MCF-7: corepressors at cell-cycle genes (Shang & Brown 2002)
    endometrial = er.er_activity(*occ, 0.0, 1.0, dict(P, efficacy_tamoxifen_bound=0.11))
    assert 0.05 <= endometrial.total <= 0.15  # a configured partial agonist: 5-15 % of E2's
    with_p = er.er_activity(*occ, 1.0, 1.0, P)
    assert with_p.total > no_p.total  # Ser167 raises tamoxifen-bound agonism
    assert with_p.share_e2 + with_p.share_tamoxifen + with_p.share_ser167 == pytest.approx(
        with_p.total)


def test_ser167_needs_kinase_input_and_rises_with_it():
    s = er.ser167_phosphorylation(np.array([0.1, 0.5, 0.9]), np.array([0.1, 0.5, 0.9]), 0.7,
                                  0.55, 4.0)
    assert np.all(np.diff(s) > 0) and s[0] < 0.01


def test_oxygen_decays_with_depth():
    o = oxygen.oxygen_from_depth(np.array([-1.0, 0.0, 1.0, 3.0]), 1.0)
    assert o[0] == 1 and o[1] == 1 and o[2] == pytest.approx(np.exp(-1)) and o[3] < o[2]


def test_competing_fates_match_their_rates():
    rng = np.random.default_rng(3)
    n = 200_000
    div, sw, apo, nec = (np.full(n, r, np.float32) for r in (0.02, 0.005, 0.01, 0.0))
    u = rng.random(n, dtype=np.float32)
    d, s, a, x = fate.draw_competing([div, sw, apo, nec], 12.0, u)
    p_any = 1 - np.exp(-0.035 * 12)  # competing risks: P(event j) = p_any * r_j / R
    assert d.mean() == pytest.approx(p_any * 0.02 / 0.035, rel=0.03)
    assert s.mean() == pytest.approx(p_any * 0.005 / 0.035, rel=0.05)
    assert a.mean() == pytest.approx(p_any * 0.01 / 0.035, rel=0.04)
    assert not x.any() and not (d & a).any() and not (d & s).any()


def test_fast_array_paths_give_the_numbers_of_the_plain_formulas():
    """The numpy engine's float32 fast paths (competing fates into reused buffers; the apoptosis
    status weighting without float64 arrays) against the plain formulas written out here, bit
    for bit: random rates with zeros, one to four hazards, several step lengths; masks of
    every status mix, with and without quiescent cells."""
    rng = np.random.default_rng(11)
    for _trial in range(300):
        n = int(rng.integers(1, 3000))
        rates = [(rng.random(n) * rng.choice([1e-4, 0.01, 0.5, 3.0]) * (rng.random(n) < 0.7)
                  ).astype(np.float32) for _ in range(int(rng.integers(1, 5)))]
        u = rng.random(n, dtype=np.float32)
        dt_h = float(rng.choice([0.5, 12.0, 24.0]))
        total = rates[0]
        for r in rates[1:]:
            total = total + r
        scale = -np.expm1(-total * dt_h) / np.maximum(total, np.finfo(np.float32).tiny)
        want, below_prev, cut = [], None, 0.0
        for r in rates:
            cut = cut + r * scale
            below = u < cut
            want.append(below if below_prev is None else below ^ below_prev)
            below_prev = below
        got = fate.draw_competing(rates, dt_h, u)
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            np.testing.assert_array_equal(g, w)

        status = rng.integers(0, fate.N_STATUS, n)
        signalled, hypoxic = (rng.random(n).astype(np.float32) * 0.01 for _ in "ab")
        factor = float(rng.choice([0.3, 0.25, 0.7]))
        for quiescent in (status == fate.QUIESCENT, False):
            h = hypoxic if quiescent is not False else 0.0
            want = np.asarray(cellcycle.apoptosis_by_status(
                signalled, h, status == fate.CYCLING, status == fate.ARRESTED, quiescent,
                factor), dtype=np.float32)
            got = cellcycle.apoptosis_by_status_masks(
                signalled, h, status == fate.CYCLING, status == fate.ARRESTED, quiescent, factor)
            assert got.dtype == np.float32
            np.testing.assert_array_equal(got, want)


def test_apoptosis_rises_with_deprivation_and_falls_with_akt():
    r = fate.apoptosis_rate_per_h(np.array([1.0, 0.1]), np.array([0.2, 0.2]), 0.1, 0.7, 0.6)
    assert r[1] > r[0]
    assert fate.apoptosis_rate_per_h(0.1, 0.8, 0.1, 0.7, 0.6) < r[1]


def test_expression_inheritance_keeps_spread():
    rng = np.random.default_rng(0)
    parent = heterogeneity.draw_expression(rng, 100_000, 0.25)
    child = heterogeneity.inherit_expression(rng, parent, 0.25, 0.9)
    assert np.std(np.log(child)) == pytest.approx(0.25, rel=0.03)
    assert np.corrcoef(np.log(parent), np.log(child))[0, 1] == pytest.approx(0.9, abs=0.01)


def test_derived_rates_reproduce_wiese_doubling_times():
    """The division rate fixed by Wiese 1992 gives back 33 h (10 pM E2) and 55 h (deprived)."""
    r = derived_rates(P)
    for e2_nM, hours in ((0.01, 33.0), (0.0, 55.0)):
        s = steady_state(Exposure(e2_nM=e2_nM), VECTOR, P)
        _, drive = translation_and_drive(s, P, r.er_weight)
        arrest, release = cellcycle.switching_rates_per_h(
            float(drive), P["g1_drive_half"], P["g1_restriction_hill"], P["g1_switch_rate_per_h"])
        lam = cellcycle.growth_rate_per_h(r.division_rate_max_per_h, arrest, release)
        assert np.log(2) / lam == pytest.approx(hours, rel=1e-4)


def test_signalling_steady_states_match_the_mechanism():
    vec_e2, vec_rapa = steady_state(E2_PELLET, VECTOR, P), steady_state(
        Exposure(e2_nM=3.6, mtorc1_inhibition=0.85), VECTOR, P)
    myr_e2, myr_rapa = steady_state(E2_PELLET, MYR, P), steady_state(
        Exposure(e2_nM=3.6, mtorc1_inhibition=0.85), MYR, P)
    assert myr_e2.akt > 2 * vec_e2.akt
    assert vec_rapa.akt > 1.2 * vec_e2.akt  # feedback relief
    assert abs(myr_rapa.akt / myr_e2.akt - 1) < 0.05  # myr-Akt is feedback-insensitive
    # Ser167: high in myr-Akt cells, removed by the rapalog
    assert myr_e2.ser167 > 0.5 > vec_e2.ser167 and myr_rapa.ser167 < 0.2
    vec_tam, myr_tam = steady_state(TAM, VECTOR, P), steady_state(TAM, MYR, P)
    myr_tam_rapa = steady_state(Exposure(e2_nM=3.6, tamoxifen_nM=1e4, oht_nM=500,
                                         mtorc1_inhibition=0.85), MYR, P)
    assert myr_tam.er.total > vec_tam.er.total + 0.15  # tamoxifen resistance via Ser167
    assert myr_tam_rapa.er.total < 0.6 * myr_tam.er.total  # the rapalog restores the block


def test_ablating_the_ser167_link_removes_akt_driven_resistance():
    p = resolve(mechanisms={"ser167_er_link": False})
    vec_tam, myr_tam = steady_state(TAM, VECTOR, p), steady_state(TAM, MYR, p)
    assert myr_tam.er.total == pytest.approx(vec_tam.er.total, rel=1e-6)


def test_er_occupancy_by_hand():
    """Competitive binding by hand: x_i = C_i / Kd_i, occupancy_i = x_i / (1 + sum x)."""
    from xenosim.biology.er import er_occupancy

    # E2 at its Kd, 4-OHT at twice its Kd, parent tamoxifen at its Kd: x = 1, 2, 1
    e2, anti, free = er_occupancy(0.2, 2.0, 30.0, kd_e2_nM=0.2, kd_4oht_nM=1.0,
                                  kd_tamoxifen_nM=30.0)
    assert (e2, anti, free) == pytest.approx((1 / 5, 3 / 5, 1 / 5))
    # parent tamoxifen alone binds too (weaker, but not zero)
    _, anti_tam, _ = er_occupancy(0.0, 0.0, 30.0, 0.2, 1.0, 30.0)
    assert anti_tam == pytest.approx(0.5)


def test_er_activity_operational_model_by_hand():
    """Operational model: stimulus S = sum of efficacy x occupancy terms, output S / (1 + S)."""
    from xenosim.biology.er import er_activity

    p = {"efficacy_e2": 4.0, "efficacy_tamoxifen_bound": 0.5, "efficacy_tamoxifen_ser167": 1.0,
         "efficacy_unliganded_ser167": 2.0}
    # occupancies 0.5 / 0.25 / 0.25, Ser167 half-phosphorylated, expression 1
    out = er_activity(0.5, 0.25, 0.25, 0.5, 1.0, p)
    s_e2, s_tam, s_167 = 4.0 * 0.5, 0.5 * 0.25, 0.5 * (1.0 * 0.25 + 2.0 * 0.25)
    s = s_e2 + s_tam + s_167  # 2.5
    assert out.total == pytest.approx(s / (1 + s))
    assert out.share_e2 == pytest.approx(s_e2 / (1 + s))
    assert out.share_ser167 == pytest.approx(s_167 / (1 + s))
    assert out.share_e2 + out.share_tamoxifen + out.share_ser167 == pytest.approx(out.total)


def test_emax_model_by_hand():
    """Emax * C^h / (C^h + IC50^h): half of Emax at the IC50 for any Hill, 4/5 at 2 x IC50, h 2."""
    from xenosim.biology.mtor import fractional_inhibition

    assert fractional_inhibition(2.0, 2.0, emax=0.8, hill=2.0) == pytest.approx(0.4)
    assert fractional_inhibition(4.0, 2.0, emax=0.8, hill=2.0) == pytest.approx(0.8 * 16 / 20)
    assert fractional_inhibition(0.0, 2.0, emax=0.8, hill=2.0) == 0.0
