"""Hypoxia switches mTORC1 off through REDD1 / TSC2 (Brugarolas 2004 Genes Dev 18:2893; DeYoung
2008 Genes Dev 22:239): in a tumour with a hypoxic core, viable hypoxic cells have less S6K1
(pS6) than well-oxygenated ones, as pS6 staining is lost in hypoxic tumour regions; TSC1-null
cells keep it; the switch ablates it; both array engines agree."""

import numpy as np
import pytest

from xenosim.biology import fate
from xenosim.biology.signalling import Exposure
from xenosim.core.engines import make_tumour
from xenosim.core.genotypes import cell_line
from xenosim.core.parameters import resolve

EX = Exposure(e2_nM=0.5)


def _grown(engine: str, line: str, p: dict, seed: int = 1):
    """A 3000-agent tumour of 1e5 cells per agent (a ~600 mm3 ball: rim and hypoxic core),
    four 12-h steps."""
    t = make_tumour(engine, cell_line(line), 3000, 1e5, p, np.random.default_rng(seed))
    for _ in range(4):
        t.step(EX, 12.0)
    return t


def _s6k1_hypoxic_over_oxygenated(t, p) -> float:
    viable = fate.is_viable(t.status)
    o2 = np.asarray(t.oxygen())
    hyp = viable & (o2 < p["hypoxia_threshold"])
    oxy = viable & (o2 >= p["hypoxia_threshold"])
    assert hyp.sum() > 200 and oxy.sum() > 200
    return float(t.s6k1[hyp].mean() / t.s6k1[oxy].mean())


@pytest.mark.parametrize("engine", ["numpy", "fused"])
def test_hypoxic_cells_lose_mtorc1_unless_tsc1_is_lost(engine):
    p = resolve()
    p_off = resolve(None, {"hypoxia_mtorc1": False})
    vector = _s6k1_hypoxic_over_oxygenated(_grown(engine, "mcf7_vector", p), p)
    vector_off = _s6k1_hypoxic_over_oxygenated(_grown(engine, "mcf7_vector", p_off), p_off)
    tsc1 = _s6k1_hypoxic_over_oxygenated(_grown(engine, "mcf7_tsc1_loss", p), p)
    assert vector < 0.8  # pS6 lost in the hypoxic core
    assert vector_off > 0.95  # without the REDD1 brake the core keeps it
    assert tsc1 > 0.95  # TSC1-null cells: hypoxia has no route to mTORC1


def test_engines_agree_on_the_hypoxic_brake():
    p = resolve()
    ratios = [_s6k1_hypoxic_over_oxygenated(_grown(e, "mcf7_vector", p), p)
              for e in ("numpy", "fused")]
    assert ratios[0] == pytest.approx(ratios[1], rel=0.02)


def test_the_brake_by_hand_and_its_tsc_dependence():
    """mTORC1 = (basal + (1 - basal) Akt / (Akt + half) x kept) x (1 - drug): a hypoxic cell
    keeps 1 - 0.7 of the Akt-driven share, a TSC1-null one all of it (its basal share, freed
    Rheb, is untouched either way)."""
    from xenosim.biology.signalling import compute_signalling, step_inputs
    from xenosim.core.genotypes import Genotype

    p = resolve()
    one, s6k1 = np.ones(2), np.full(2, 0.5)
    hypoxic = np.array([False, True])
    ex = Exposure(e2_nM=0.5, mtorc1_inhibition=0.2)
    for mods, kept in ((["myr_akt"], 1.0 - p["hypoxia_mtorc1_inhibition"]), (["tsc1_loss"], 1.0)):
        g = Genotype.from_modifiers("g", mods)
        q = step_inputs(ex, g, p)
        assert q.hypoxic_akt_drive_kept == pytest.approx(kept)
        sig = compute_signalling(ex, g, p, one, one, s6k1, hypoxic=hypoxic)
        a = float(sig.akt[0])
        driven = (1 - q.mtorc1_basal) * a / (a + q.mtorc1_akt_half)
        want = [(q.mtorc1_basal + driven * k) * 0.8 for k in (1.0, kept)]
        np.testing.assert_allclose(sig.mtorc1, want, rtol=1e-6)
