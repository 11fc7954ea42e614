"""Graded virtual IHC: pS6 / pAkt H-scores (0-300), as pathologists report them, beside the
positive-cell indices (one threshold, nearly binary between cell lines)."""

import numpy as np
import pytest

from xenosim.biology.signalling import Exposure
from xenosim.core.genotypes import cell_line
from xenosim.core.parameters import resolve
from xenosim.core.tumour import Tumour, h_score


def test_h_score_by_hand():
    # intensities floor(x / 0.25) capped at 3: 0, 1, 2, 3, 3 -> mean 1.8 -> H-score 180
    x = np.array([0.1, 0.3, 0.6, 0.9, 1.0], dtype=np.float32)
    assert h_score(x, 0.25) == pytest.approx(180.0)
    assert h_score(np.zeros(4, dtype=np.float32), 0.25) == 0.0
    assert h_score(np.ones(4, dtype=np.float32), 0.25) == 300.0  # strong in every cell


@pytest.mark.parametrize("engine", ["numpy", "fused"])
def test_ps6_h_score_grades_what_the_index_cannot(engine):
    """The pS6 index (S6K1 above 0.5) calls untreated vector tumours negative and myr-Akt ones
    positive; the H-score grades them (weak vs moderate-strong staining) and falls to ~0 under
    a strong rapalog, as on a stained section."""
    def summary(line, inhibition):
        t = Tumour(cell_line(line), 3000, 1e5, resolve(), np.random.default_rng(3),
                   engine=engine)
        ex = Exposure(e2_nM=3.6, mtorc1_inhibition=inhibition)
        for _ in range(3):
            t.step(ex, 12.0)
        return t.summary(ex)

    vector, akt, rapalog = (summary("mcf7_vector", 0.0), summary("mcf7_myr_akt", 0.0),
                            summary("mcf7_vector", 0.9))
    assert vector.ps6_index < 0.05 and rapalog.ps6_index < 0.05  # the index: both negative
    assert akt.ps6_hscore > vector.ps6_hscore + 50  # moderate-strong vs weak
    assert vector.ps6_hscore > 50 > rapalog.ps6_hscore  # weak staining vs (almost) none
    assert akt.pakt_hscore > vector.pakt_hscore
    assert 0 <= rapalog.ps6_hscore and akt.ps6_hscore <= 300
