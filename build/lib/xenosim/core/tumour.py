"""The vectorised tumour: a struct-of-arrays cell population on the ball lattice.

One step (environment -> signalling -> fate -> update), written once:
1. environment: oxygen from depth below the perfused rim;
2. signalling: Akt (feedback from last step's S6K1) -> mTORC1 / S6K1 -> Ser167 -> ER output;
3. fate: division, apoptosis, necrosis (competing risks), quiescence under hypoxia, clearance;
4. update: one ``numpy.repeat`` inserts daughters behind mothers and drops cleared cells.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xenosim.biology import fate, heterogeneity, oxygen
from xenosim.biology.signalling import Exposure, compute_signalling, derived_rates
from xenosim.core import lattice
from xenosim.core.genotypes import Genotype

STATE_ARRAYS = ("status", "akt_expression", "er_expression", "akt", "mtorc1", "er_activity",
                "cell_id")


@dataclass
class TumourSummary:
    """Counts and mean activities of one tumour at one time (viable cells for activities)."""

    n_agents: int
    n_cycling: int
    n_quiescent: int
    n_apoptotic: int
    n_necrotic: int
    mean_akt: float
    mean_mtorc1: float
    mean_s6k1: float
    mean_er_activity: float
    er_share_e2: float
    er_share_tamoxifen: float
    er_share_ser167: float
    frac_mtorc1_high: float
    frac_er_high: float


class Tumour:
    """A tumour's cells as parallel numpy arrays, in lattice filling order.

    ``cells_per_agent`` real cells share one agent (one lattice site); volume = agents x
    cells_per_agent x cell volume, necrotic and apoptotic agents included until cleared.
    """

    def __init__(self, genotype: Genotype, n_agents: int, cells_per_agent: float,
                 params: dict[str, float], rng: np.random.Generator, invivo: bool = True,
                 hypoxia: bool = True):
        self.genotype = genotype
        self.cells_per_agent = float(cells_per_agent)
        self.p = params
        self.rng = rng
        self.invivo = invivo
        self.hypoxia = hypoxia
        self.rates = derived_rates(params)
        self.spacing_mm = float((cells_per_agent * params["cell_volume_mm3"]) ** (1.0 / 3.0))
        sigma = params["expression_sigma_log"]
        self.status = np.zeros(n_agents, dtype=np.uint8)
        self.akt_expression = heterogeneity.draw_expression(rng, n_agents, sigma)
        self.er_expression = heterogeneity.draw_expression(rng, n_agents, sigma)
        self.akt = np.zeros(n_agents, dtype=np.float32)
        self.mtorc1 = np.full(n_agents, 0.5, dtype=np.float32)  # previous S6K1 for feedback
        self.er_activity = np.zeros(n_agents, dtype=np.float32)
        self.cell_id = np.arange(n_agents, dtype=np.uint32)
        self.next_id = n_agents
        self.time_h = 0.0

    # ---- geometry and readouts -------------------------------------------------------------
    @property
    def n_agents(self) -> int:
        return int(self.status.shape[0])

    @property
    def volume_mm3(self) -> float:
        """True tumour volume: every agent, dead ones included until cleared."""
        return self.n_agents * self.cells_per_agent * self.p["cell_volume_mm3"]

    def oxygen(self) -> np.ndarray:
        """Relative oxygen of each agent from its depth below the perfused rim."""
        if not self.invivo or not self.hypoxia:
            return np.ones(self.n_agents, dtype=np.float32)
        depth = lattice.depth_below_surface(self.n_agents, self.spacing_mm)
        return oxygen.oxygen_from_depth(depth, np.float32(self.p["oxygen_penetration_mm"]))

    # ---- one step ----------------------------------------------------------------------------
    def step(self, exposure: Exposure, dt_h: float) -> None:
        """Advance the population by ``dt_h`` hours under the step's exposure.

        Performance notes (the math is the reference engine's, see :mod:`xenosim.core.reference`):
        masks multiply rates instead of ``np.where`` (no branch per cell); scalar factors are
        combined before touching arrays; one uniform per cell serves the competing fates of
        viable cells and the clearance of dead ones (a cell is never both); the update gathers
        every array with one index array.
        """
        p, rng = self.p, self.rng
        viable = self.status <= fate.QUIESCENT
        o2 = self.oxygen()

        sig = compute_signalling(exposure, self.genotype, p, self.akt_expression,
                                 self.er_expression, self.mtorc1)
        self.akt = sig.akt.astype(np.float32, copy=False)
        self.mtorc1 = sig.mtorc1.astype(np.float32, copy=False)
        self.er_activity = sig.er.total.astype(np.float32, copy=False)
        del sig  # ER shares are recomputed on demand by summary(); free them now

        oxygenated = o2 >= np.float32(p["hypoxia_threshold"])
        anoxic = o2 < np.float32(p["anoxia_threshold"])
        del o2
        cycling = viable & oxygenated
        division = fate.proliferation_drive(self.er_activity, self.mtorc1,
                                            self.rates.er_independent_fraction,
                                            p["translation_half_mtorc1"])
        k_div = self.rates.division_rate_max_per_h
        if self.invivo:
            k_div *= p["invivo_cycling_factor"]
            # deprivation-driven apoptosis hits cells trying to cycle; hypoxic quiescent cells
            # keep only the basal (Akt-opposed) loss
            gain = oxygenated * np.float32(p["apoptosis_deprivation_gain"])
            apoptosis = fate.apoptosis_rate_per_h(self.er_activity, self.akt,
                                                  p["apoptosis_rate_invivo_per_day"], gain,
                                                  p["akt_survival_max"])
            del gain
            apoptosis *= viable
        else:
            apoptosis = np.zeros_like(division)
        division *= np.float32(k_div)
        division *= cycling
        necrosis = (viable & anoxic) * np.float32(p["necrosis_rate_per_day"] / 24.0)
        del anoxic
        u = rng.random(self.n_agents, dtype=np.float32)
        divide, apoptose, necrose = fate.draw_fates(rng, division, apoptosis, necrosis, dt_h, u=u)
        del division, apoptosis, necrosis

        # clearance of cells that were already dead at the start of the step: their uniform was
        # not used by draw_fates (all their rates are 0)
        cleared = ((self.status == fate.APOPTOTIC)
                   & (u < fate.clearance_probability(p["apoptotic_clearance_half_life_h"], dt_h)))
        cleared |= ((self.status == fate.NECROTIC)
                    & (u < fate.clearance_probability(
                        p["necrotic_clearance_half_life_day"] * 24.0, dt_h)))
        del u
        # viable cells become cycling or quiescent by oxygen; the dead keep their status
        status = self.status.copy()  # readers holding the old array keep a consistent view
        np.copyto(status, np.where(oxygenated, np.uint8(fate.CYCLING), np.uint8(fate.QUIESCENT)),
                  where=viable)
        status[apoptose] = fate.APOPTOTIC
        status[necrose] = fate.NECROTIC
        del viable, cycling, oxygenated, apoptose, necrose
        self.status = status
        self._update(cleared, divide)
        self.time_h += dt_h

    def _update(self, cleared: np.ndarray, divide: np.ndarray) -> None:
        """Insert daughters behind mothers, drop cleared cells (one gather per array)."""
        counts = divide.view(np.uint8) + np.uint8(1)
        counts[cleared] = 0
        n_daughters = int(np.count_nonzero(divide))
        if n_daughters == 0 and not cleared.any():
            return
        index = np.repeat(np.arange(self.n_agents, dtype=np.int32), counts)
        for name in STATE_ARRAYS:
            setattr(self, name, getattr(self, name).take(index))
        if n_daughters:
            ends = np.cumsum(counts, dtype=np.int32)
            daughter_idx = ends[divide] - 1
            del ends
            p = self.p
            for name in ("akt_expression", "er_expression"):
                arr = getattr(self, name)
                arr[daughter_idx] = heterogeneity.inherit_expression(
                    self.rng, arr[daughter_idx], p["expression_sigma_log"],
                    p["expression_inheritance"])
            self.cell_id[daughter_idx] = np.arange(self.next_id, self.next_id + n_daughters,
                                                   dtype=np.uint32)
            self.next_id += n_daughters

    # ---- summaries ---------------------------------------------------------------------------
    def summary(self, exposure: Exposure | None = None) -> TumourSummary:
        """Counts by fate and mean pathway activities over viable cells."""
        counts = np.bincount(self.status, minlength=4)
        viable = self.status <= fate.QUIESCENT
        n_viable = int(viable.sum())
        if exposure is not None:
            sig = compute_signalling(exposure, self.genotype, self.p, self.akt_expression,
                                     self.er_expression, self.mtorc1)
        else:
            sig = None

        def mean(x) -> float:
            return float(np.mean(x[viable])) if n_viable else float("nan")

        thr = self.p["high_activity_threshold"]
        return TumourSummary(
            n_agents=self.n_agents,
            n_cycling=int(counts[fate.CYCLING]),
            n_quiescent=int(counts[fate.QUIESCENT]),
            n_apoptotic=int(counts[fate.APOPTOTIC]),
            n_necrotic=int(counts[fate.NECROTIC]),
            mean_akt=mean(self.akt),
            mean_mtorc1=mean(self.mtorc1),
            mean_s6k1=mean(self.mtorc1),
            mean_er_activity=mean(self.er_activity),
            er_share_e2=mean(sig.er.share_e2) if sig else float("nan"),
            er_share_tamoxifen=mean(sig.er.share_tamoxifen) if sig else float("nan"),
            er_share_ser167=mean(sig.er.share_ser167) if sig else float("nan"),
            frac_mtorc1_high=mean(self.mtorc1 > thr),
            frac_er_high=mean(self.er_activity > thr),
        )

    def cell_state(self, index: int) -> dict[str, float | int | str]:
        """The state of one cell (by position in filling order) as a plain dict."""
        x, y, z = (int(v) for v in lattice.site_xyz(self.n_agents)[index])
        return {
            "cell_id": int(self.cell_id[index]),
            "status": fate.STATUS_NAMES[int(self.status[index])],
            "akt": float(self.akt[index]),
            "mtorc1": float(self.mtorc1[index]),
            "s6k1": float(self.mtorc1[index]),
            "er_activity": float(self.er_activity[index]),
            "akt_expression": float(self.akt_expression[index]),
            "er_expression": float(self.er_expression[index]),
            "x": x, "y": y, "z": z,
        }
