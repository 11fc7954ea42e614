"""The three tumour engines behind one interface, chosen by ``engine:`` in a study config.

* ``fused``: numba kernels (:mod:`xenosim.core.fused`), the default where numba is installed;
* ``numpy``: the readable array code of :class:`xenosim.core.tumour.Tumour`, the fallback;
* ``reference``: every cell a ``mesa.Agent`` (:mod:`xenosim.core.reference`), the specification
  (microseconds per cell-step: small tumours only).

All three call the same biology functions; the fused and numpy engines also draw the same random
numbers in the same order, the reference engine draws per cell (it agrees in distribution).
"""

from __future__ import annotations

import numpy as np

from xenosim.core.genotypes import Genotype
from xenosim.core.tumour import ENGINES as ARRAY_ENGINES
from xenosim.core.tumour import Tumour, default_engine

ENGINES: tuple[str, ...] = (*ARRAY_ENGINES, "reference")

__all__ = ["ENGINES", "default_engine", "make_tumour"]


def make_tumour(engine: str | None, genotype: Genotype, n_agents: int, cells_per_agent: float,
                params: dict[str, float], rng: np.random.Generator, invivo: bool = True,
                hypoxia: bool = True):
    """A tumour of ``n_agents`` agents stepped by ``engine`` (``None``: :func:`default_engine`);
    every engine offers ``step(exposure, dt_h)``, ``summary``, ``volume_mm3``, ``n_agents``,
    ``cell_state`` and the state arrays of ``CELL_STATES``."""
    engine = engine or default_engine()
    if engine == "reference":
        from xenosim.core.reference import ReferenceEngineTumour

        return ReferenceEngineTumour(genotype, n_agents, cells_per_agent, params, rng, invivo,
                                     hypoxia)
    if engine not in ENGINES:
        raise ValueError(f"engine {engine!r} unknown; allowed: {', '.join(ENGINES)}")
    return Tumour(genotype, n_agents, cells_per_agent, params, rng, invivo, hypoxia,
                  engine=engine)
