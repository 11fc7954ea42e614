"""Resistance that evolves during treatment: adaptation to estrogen deprivation and ESR1 mutants.

Biology:

- **Adaptation (LTED-like).** ER+ cells kept without estradiol adapt over months: MCF-7 cells
  in estrogen-free medium stop growing and, after 1-6 months, resume growth as long-term
  estrogen-deprived (LTED) sublines (Masamura 1995 J Clin Endocrinol Metab 80:2918; Jeng 1998;
  Martin 2003 J Biol Chem 278:30458). LTED cells carry more ER protein (hypersensitive to trace
  estradiol, more ligand-independent Ser167 activity) and raised PI3K/mTOR signalling (Miller
  2010 J Clin Invest 120:2406). Here each viable cell adapts with a hazard proportional to the
  share of its ER that is *not* bound by estradiol (``1 - occupancy_E2``: deprivation, or an
  antagonist displacing E2; tamoxifen-resistant MCF-7 show the same growth-factor route,
  Knowlden 2003), times ``lted_adaptation_rate_per_day``. An adapted cell takes the effects of
  the ``lted`` genotype modifier (:data:`xenosim.core.genotypes.MODIFIERS`, written once there);
  adaptation is inherited at division and not reversed by estradiol (LTED cells stay
  hypersensitive; Masamura 1995).
- **ESR1 ligand-binding-domain mutants** (Y537S / D538G): ER that is active without ligand
  (Toy 2013 Nat Genet 45:1439; Robinson 2013 Nat Genet 45:1446) and binds antagonists less well
  (Toy 2013; Fanning 2016 eLife 5:e12792). In a mutant cell a share
  ``esr1_constitutive_activity`` of the unliganded ER behaves as estradiol-bound, and the
  antagonists' dissociation constants are ``esr1_antagonist_kd_fold`` times larger. Mutant clones
  can pre-exist (``esr1_mutant_initial_fraction``) or arise at division
  (``esr1_mutation_rate_per_division``); selection by aromatase inhibitors (Schiavon 2015 Sci
  Transl Med 7:313ra182) then follows from their growth advantage, not from a rule.

The functions are array functions (one value per cell) or scalars, for every executor.
"""

from __future__ import annotations

import numpy as np

from xenosim.core.genotypes import MODIFIERS

#: The adapted state's effects: those of the ``lted`` genotype modifier (one source of numbers).
LTED_EFFECT: dict[str, float] = MODIFIERS["lted"][0]


def adaptation_probability(occ_e2: float, rate_per_day: float, dt_h: float) -> float:
    """Probability that a viable, not yet adapted cell adapts during one step of ``dt_h`` hours:
    hazard ``rate_per_day * (1 - occ_e2)`` (the share of ER not bound by estradiol)."""
    hazard_per_h = rate_per_day / 24.0 * max(0.0, 1.0 - float(occ_e2))
    return float(-np.expm1(-hazard_per_h * dt_h))


def draw_events(rng: np.random.Generator, n_cells: int, probability: float) -> np.ndarray:
    """Indices of cells (out of ``n_cells``) hit by an event of the given per-cell probability.

    Draws the number of hits (binomial), then which cells (without replacement): the law of one
    uniform per cell, at the cost of a few draws when events are rare (the caller keeps the hits
    on eligible cells: thinning). Draws nothing when the probability is 0, so a switched-off
    mechanism leaves the random stream untouched.
    """
    if probability <= 0.0 or n_cells == 0:
        return np.empty(0, dtype=np.intp)
    n = int(rng.binomial(n_cells, min(probability, 1.0)))
    return rng.choice(n_cells, size=n, replace=False) if n else np.empty(0, dtype=np.intp)


def pi3k_multiplier(adapted, base: float) -> np.ndarray | float:
    """Per-cell PI3K input multiplier: the genotype's, times the LTED effect where adapted."""
    return base * np.where(adapted, np.float32(LTED_EFFECT.get("pi3k_multiplier", 1.0)),
                           np.float32(1.0))


def er_expression_multiplier(adapted) -> np.ndarray | float:
    """Per-cell ER protein multiplier of the adapted state (1 elsewhere)."""
    return np.where(adapted, np.float32(LTED_EFFECT.get("er_expression_multiplier", 1.0)),
                    np.float32(1.0))


def mutant_occupancy(occ_e2: float, occ_anti: float, occ_free: float, constitutive: float):
    """ER states of an ESR1-mutant cell (antagonist occupancy computed with the mutant's Kd):
    a share ``constitutive`` of the unliganded ER acts as estradiol-bound."""
    return occ_e2 + constitutive * occ_free, occ_anti, (1.0 - constitutive) * occ_free
