"""The vectorised tumour: a struct-of-arrays cell population on the ball lattice.

One step (environment -> signalling -> fate -> update), written once:
1. environment: oxygen from depth below the perfused rim;
2. signalling: Akt (feedback from last step's S6K1) -> mTORC1 / S6K1 -> Ser167 -> ER output;
3. fate (biology/cellcycle.py): cycling cells divide, arrest in G0/G1 when their G1 drive falls
   (arrested cells re-enter when it recovers), die by apoptosis from lost survival signals or by
   necrosis (competing risks); hypoxic cells are quiescent (a separate status); clearance;
4. update: one ``numpy.repeat`` inserts daughters behind mothers and drops cleared cells.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from time import perf_counter

import numpy as np

from xenosim.biology import adaptation, cellcycle, fate, heterogeneity, oxygen
from xenosim.biology.signalling import (
    Exposure,
    compute_signalling,
    derived_rates,
    er_output_of_state,
    growth_factor_input,
    translation_and_drive,
)
from xenosim.core import lattice, uniforms
from xenosim.core.genotypes import Genotype


@dataclass(frozen=True)
class CellState:
    """One per-cell state, declared once (in the spirit of Starsim's ``define_states``).

    Allocation, the daughter update, the summaries, the per-cell readouts (``cell_state``,
    snapshots) and the reference engine all read this table, so a new state is one line here.

    ``initial``: value at allocation (``None``: set by ``Tumour.__init__``: drawn or numbered);
    ``redrawn``: a daughter's value is redrawn around its mother's (expression levels,
    ``heterogeneity.inherit_expression``), otherwise it is copied; ``summary``: ``"mean"`` puts
    the mean over viable cells into :class:`TumourSummary` as ``mean_<name>``.
    """

    name: str
    dtype: type
    initial: float | None = 0.0
    redrawn: bool = False
    summary: str = ""
    description: str = ""


#: Every per-cell state of the tumour, in readout order.
CELL_STATES: tuple[CellState, ...] = (
    CellState("cell_id", np.uint32, None, description="unique within the tumour"),
    CellState("status", np.uint8, fate.CYCLING, description="index into fate.STATUS_NAMES"),
    CellState("akt", np.float32, 0.0, summary="mean", description="Akt activity (0-1)"),
    CellState("mtorc1", np.float32, 0.5, summary="mean", description="mTORC1 activity (0-1)"),
    CellState("s6k1", np.float32, 0.5, summary="mean",
              description="S6K1 Thr389 activity (0-1); the next step's IRS-1 feedback reads it"),
    CellState("er_activity", np.float32, 0.0, summary="mean",
              description="ER transcriptional output (0-1)"),
    CellState("akt_expression", np.float32, None, redrawn=True,
              description="relative Akt protein level (lognormal around 1)"),
    CellState("er_expression", np.float32, None, redrawn=True,
              description="relative ER protein level (lognormal around 1)"),
    CellState("adapted", np.uint8, 0,
              description="1: adapted to estrogen deprivation (LTED-like; biology/adaptation.py)"),
    CellState("esr1_mutant", np.uint8, 0,
              description="1: carries a ligand-independent ESR1 mutation (biology/adaptation.py)"),
)
STATE_ARRAYS: tuple[str, ...] = tuple(c.name for c in CELL_STATES)
REDRAWN_STATES: tuple[str, ...] = tuple(c.name for c in CELL_STATES if c.redrawn)
MEAN_SUMMARY_STATES: tuple[str, ...] = tuple(c.name for c in CELL_STATES if c.summary == "mean")


#: The array engines of :class:`Tumour` (the per-object engine is
#: :class:`xenosim.core.reference.ReferenceTumour`).
ENGINES: tuple[str, ...] = ("fused", "numpy")


def default_engine() -> str:
    """``fused`` where numba is installed, else ``numpy`` (numba is not imported here, so
    choosing costs no start-up time)."""
    return "fused" if importlib.util.find_spec("numba") is not None else "numpy"


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
    n_arrested: int = 0
    # virtual IHC, as a pathologist scores a section (fractions of non-necrotic cells): Ki-67
    # (cycling), cleaved caspase-3 (apoptotic), pS6 (S6K1 high), pAkt (Akt high), ER-positive
    ki67_index: float = float("nan")
    cc3_index: float = float("nan")
    ps6_index: float = float("nan")
    pakt_index: float = float("nan")
    er_positive_fraction: float = float("nan")
    # resistance that evolves (fractions of viable cells)
    frac_adapted: float = 0.0
    frac_esr1_mutant: float = 0.0
    # graded IHC: H-scores (0-300) of pS6 and pAkt over non-necrotic cells
    ps6_hscore: float = float("nan")
    pakt_hscore: float = float("nan")


def h_score(activity: np.ndarray, intensity_step: float) -> float:
    """Virtual H-score (0-300) of scored cells: 100 x mean staining intensity, the intensity
    of a cell being ``floor(activity / intensity_step)``, at most 3 (McCarty 1985)."""
    intensity = np.minimum(np.floor(activity / np.float32(intensity_step)), np.float32(3.0))
    return 100.0 * float(np.mean(intensity, dtype=np.float64))


IHC_KEYS = ("ki67_index", "cc3_index", "ps6_index", "pakt_index", "er_positive_fraction",
            "ps6_hscore", "pakt_hscore")


def ihc_indices(status: np.ndarray, s6k1: np.ndarray, akt: np.ndarray,
                er_expression: np.ndarray, er_protein: np.ndarray | float,
                er_expression_multiplier: float, p: dict[str, float]) -> dict[str, float]:
    """Virtual IHC indices over non-necrotic cells (a pathologist scores viable tissue), from
    the cells' state arrays: Ki-67 (cycling; G0/G1-arrested and hypoxic-quiescent cells are
    negative), cleaved caspase-3 (apoptotic), pS6 and pAkt (S6K1 / Akt above
    ``high_activity_threshold``), ER-positive (ER protein = expression x the step's ER protein
    left x the genotype's ER multiplier, above ``er_positive_threshold``) and the pS6 / pAkt
    H-scores (:func:`h_score`). Every engine's summary reports these."""
    scored = status != fate.NECROTIC
    n = int(np.count_nonzero(scored))
    if n == 0:
        return dict.fromkeys(IHC_KEYS, float("nan"))
    thr = p["high_activity_threshold"]
    st = status[scored]
    protein = er_expression[scored] * np.asarray(er_protein, dtype=np.float32)
    protein = protein * np.float32(er_expression_multiplier)
    return {
        "ki67_index": float(np.count_nonzero(st == fate.CYCLING)) / n,
        "cc3_index": float(np.count_nonzero(st == fate.APOPTOTIC)) / n,
        "ps6_index": float(np.count_nonzero(s6k1[scored] > thr)) / n,
        "pakt_index": float(np.count_nonzero(akt[scored] > thr)) / n,
        "er_positive_fraction": float(np.count_nonzero(
            protein > p["er_positive_threshold"])) / n,
        "ps6_hscore": h_score(s6k1[scored], p["ihc_intensity_step"]),
        "pakt_hscore": h_score(akt[scored], p["ihc_intensity_step"]),
    }


class Tumour:
    """A tumour's cells as parallel numpy arrays, in lattice filling order.

    ``cells_per_agent`` real cells share one agent (one lattice site); volume = agents x
    cells_per_agent x cell volume, necrotic and apoptotic agents included until cleared.

    ``engine``: ``"numpy"`` steps with the readable array code below; ``"fused"`` with the numba
    kernels of :mod:`xenosim.core.fused` (same biology functions, same random streams; the
    default where numba is installed, see :func:`default_engine`).
    """

    def __init__(self, genotype: Genotype, n_agents: int, cells_per_agent: float,
                 params: dict[str, float], rng: np.random.Generator, invivo: bool = True,
                 hypoxia: bool = True, engine: str | None = None):
        engine = engine or default_engine()
        if engine not in ENGINES:
            raise ValueError(f"engine {engine!r} unknown; allowed: {', '.join(ENGINES)} "
                             f"(the per-object engine is xenosim.core.reference.ReferenceTumour)")
        self.engine = engine
        self._fused = None
        if engine == "fused":
            from xenosim.core import fused

            fused.check_states(STATE_ARRAYS, REDRAWN_STATES)
            self._fused = fused.FusedStepper()
        self.genotype = genotype
        self.cells_per_agent = float(cells_per_agent)
        self.p = params
        self.rng = rng
        self.invivo = invivo
        self.hypoxia = hypoxia
        self.rates = derived_rates(params)
        self.growth_factor = growth_factor_input(params, invivo)
        self.spacing_mm = float((cells_per_agent * params["cell_volume_mm3"]) ** (1.0 / 3.0))
        sigma = params["expression_sigma_log"]
        for state in CELL_STATES:
            if state.initial is not None:
                setattr(self, state.name, np.full(n_agents, state.initial, dtype=state.dtype))
        self.akt_expression = heterogeneity.draw_expression(rng, n_agents, sigma)
        self.er_expression = heterogeneity.draw_expression(rng, n_agents, sigma)
        self.cell_id = np.arange(n_agents, dtype=np.uint32)
        if params.get("esr1_mutant_initial_fraction", 0.0) > 0.0:  # pre-existing ESR1 clones
            self.esr1_mutant = (rng.random(n_agents) < params["esr1_mutant_initial_fraction"]
                                ).astype(np.uint8)
        self.occ_e2 = 1.0  # E2 occupancy of the last step's ER (adaptation reads it)
        self.er_protein: np.ndarray | float = 1.0  # of the last step (fulvestrant), for IHC
        self.next_id = n_agents
        self.time_h = 0.0
        self.phase_seconds: dict[str, float] | None = None  # set to {} to time the phases

    # ---- geometry and readouts -------------------------------------------------------------
    @property
    def n_agents(self) -> int:
        return int(self.status.shape[0])

    @property
    def volume_mm3(self) -> float:
        """True tumour volume: every agent, dead ones included until cleared."""
        return self.n_agents * self.cells_per_agent * self.p["cell_volume_mm3"]

    def oxygen(self, cells: slice = slice(None)) -> np.ndarray:
        """Relative oxygen of each agent (of the agents ``cells``) from its depth below the
        perfused rim."""
        n = self.n_agents
        if not self.invivo or not self.hypoxia:
            return np.ones(len(range(n)[cells]), dtype=np.float32)
        depth = lattice.depth_below_surface(n, self.spacing_mm, cells)
        return oxygen.oxygen_from_depth(depth, np.float32(self.p["oxygen_penetration_mm"]))

    # ---- one step ----------------------------------------------------------------------------
    #: The phases of one step, in order (``phase_seconds`` keys).
    PHASES = ("environment", "signalling", "fate", "update")

    def step(self, exposure: Exposure, dt_h: float) -> None:
        """Advance the population by ``dt_h`` hours under the step's exposure.

        The step plan is the same for tumours, wells and patients' lesions: environment
        (oxygen) -> signalling -> fate -> update. Set ``phase_seconds`` to a dict to accumulate
        the wall time of each phase (the benchmark reads it).

        Performance notes (the math is the reference engine's, see :mod:`xenosim.core.reference`):
        masks multiply rates instead of ``np.where`` (no branch per cell); scalar factors are
        combined before touching arrays; one uniform per cell serves the competing fates of
        viable cells and the clearance of dead ones (a cell is never both); the update gathers
        every array with one index array. Environment, signalling and fate run in blocks of
        ``BLOCK_CELLS`` cells (same numbers; temporaries stay in cache).
        """
        t0 = perf_counter() if self.phase_seconds is not None else 0.0
        if self._fused is not None:  # the whole step plan in two kernels
            self._fused.step(self, exposure, dt_h)
            self._lap("fused", t0)
            self.time_h += dt_h
            return
        n = self.n_agents
        # one uniform per cell, drawn for all cells first (signalling draws nothing, so this is
        # the order of an unblocked step)
        u = uniforms.uniforms(self.rng, n)
        blocks = [slice(lo, min(lo + self.BLOCK_CELLS, n))
                  for lo in range(0, max(n, 1), self.BLOCK_CELLS)]
        one = len(blocks) == 1
        new = None if one else {name: np.empty(n, dtype=dtype)
                                for name, dtype in self._BLOCK_OUTPUTS.items()}
        for cells in blocks:
            viable = fate.is_viable(self.status[cells])
            o2 = self.oxygen(cells)
            t1 = self._lap("environment", t0)
            sig, drive = self._signalling(exposure, cells, o2)
            t2 = self._lap("signalling", t1)
            status, cleared, divide = self._fate(cells, viable, o2, drive, sig, u[cells], dt_h)
            er_inputs = (sig.occ_e2, sig.er_protein)  # the same for every block
            del viable, o2, drive
            part = {"akt": sig.akt, "mtorc1": sig.mtorc1, "s6k1": sig.s6k1,
                    "er_activity": sig.er.total, "status": status, "cleared": cleared,
                    "divide": divide}
            if one:
                new = part
            else:
                for name, values in part.items():
                    new[name][cells] = values
            del sig, status, cleared, divide, part
            t0 = self._lap("fate", t2)
        self.occ_e2, self.er_protein = er_inputs
        for name in ("akt", "mtorc1", "s6k1", "er_activity", "status"):
            setattr(self, name, np.asarray(new[name], dtype=getattr(self, name).dtype))
        self.adapt(dt_h)  # on the statuses after the fates
        self._update(new["cleared"], new["divide"])
        self._lap("update", t0)
        self.time_h += dt_h

    #: Cells per block of the numpy step's environment, signalling and fate phases: a block's
    #: temporaries (~20 float32 / bool arrays) stay in cache, and fresh memory is not faulted in
    #: each step (a tumour of 1e6-1e7 agents was 1.3-2.9x slower per agent than one of 1e5).
    #: 2^15 cells (128 KiB per float32 array, a block's temporaries about one core's L2):
    #: measured 1.2x faster per agent at 1e5 agents than blocks of 2^17 and 1.0-1.07x at 1e6;
    #: 2^14 was 8 % slower than 2^15 at 1e5 (more calls per cell), 2^16 the same at 1e5 and
    #: slower at 1e6. Blocking changes no number: every operation of these phases is per cell,
    #: and the uniforms are drawn for all cells first (tested: blocked steps equal unblocked ones).
    BLOCK_CELLS = 1 << 15
    _BLOCK_OUTPUTS = {"akt": np.float32, "mtorc1": np.float32, "s6k1": np.float32,
                      "er_activity": np.float32, "status": np.uint8, "cleared": np.bool_,
                      "divide": np.bool_}

    def _lap(self, phase: str, since: float) -> float:
        if self.phase_seconds is None:
            return 0.0
        now = perf_counter()
        self.phase_seconds[phase] = self.phase_seconds.get(phase, 0.0) + now - since
        return now

    def _signalling(self, exposure: Exposure, cells: slice, o2: np.ndarray):
        """Akt (feedback from last step's S6K1) -> mTORC1 / S6K1 -> Ser167 -> ER output of the
        cells ``cells`` (relative oxygen ``o2``: hypoxic cells lose Akt's drive of mTORC1);
        returns their signals and G1 drive (ER output and cyclin D1 / c-Myc translation,
        biology/cellcycle.py)."""
        hypoxic = (o2 < np.float32(self.p["hypoxia_threshold"])
                   if self.invivo and self.hypoxia else None)
        sig = compute_signalling(exposure, self.genotype, self.p, self.akt_expression[cells],
                                 self.er_expression[cells], self.s6k1[cells],
                                 self.adapted[cells], self.esr1_mutant[cells], shares=False,
                                 hypoxic=hypoxic)
        # ER shares are not computed here: summary() computes them from the stored states
        return sig, translation_and_drive(sig, self.p, self.rates.er_weight, self.growth_factor)[1]

    def _fate(self, cells: slice, viable: np.ndarray, o2: np.ndarray, drive: np.ndarray, sig,
              u: np.ndarray, dt_h: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Competing fates of the viable cells among ``cells``, clearance of dead ones, on the
        cells' uniforms ``u``; returns their new status and the (cleared, divide) masks for the
        update."""
        p = self.p
        oxygenated = o2 >= np.float32(p["hypoxia_threshold"])
        anoxic = o2 < np.float32(p["anoxia_threshold"])
        del o2
        # oxygen status first: hypoxia overrides the cycle state; re-oxygenated cells cycle
        old_status = self.status[cells]
        status = old_status.copy()  # readers holding the old array keep a consistent view
        status[viable & ~oxygenated] = fate.QUIESCENT
        status[(old_status == fate.QUIESCENT) & oxygenated] = fate.CYCLING
        cycling = status == fate.CYCLING
        arrested = status == fate.ARRESTED
        quiescent = status == fate.QUIESCENT

        arrest, release = cellcycle.switching_rates_per_h(
            drive, p["g1_drive_half"], p["g1_restriction_hill"], p["g1_switch_rate_per_h"])
        del drive
        switch = (arrest * cycling + release * arrested).astype(np.float32, copy=False)
        del arrest, release
        k_div = self.rates.division_rate_max_per_h
        if self.invivo:
            k_div *= p["invivo_cycling_factor"]
            apoptosis = cellcycle.apoptosis_rate_per_h(
                sig.er.total.astype(np.float32, copy=False),
                sig.akt.astype(np.float32, copy=False), cycling, arrested, quiescent, p)
        else:
            apoptosis = np.zeros(status.shape[0], dtype=np.float32)
        division = cycling * np.float32(k_div)
        necrosis = (viable & anoxic) * np.float32(p["necrosis_rate_per_day"] / 24.0)
        del anoxic
        divide, switched, apoptose, necrose = fate.draw_competing(
            [division, switch, apoptosis, necrosis], dt_h, u)
        del division, switch, apoptosis, necrosis

        # clearance of cells that were already dead at the start of the step: their uniform was
        # not used by the competing fates (all their rates are 0)
        # (one look-up of the clearance probability by status: 0 for viable cells, u < 0 never)
        # (two comparisons per status: a look-up table indexed by the uint8 status would
        # convert the index to intp first)
        p_apoptotic = np.float32(fate.clearance_probability(
            p["apoptotic_clearance_half_life_h"], dt_h))
        p_necrotic = np.float32(fate.clearance_probability(
            p["necrotic_clearance_half_life_day"] * 24.0, dt_h))
        cleared = (old_status == fate.APOPTOTIC) & (u < p_apoptotic)
        cleared |= (old_status == fate.NECROTIC) & (u < p_necrotic)
        # a cycle switch only happens to cycling and arrested cells (the other cells' switch
        # rate is 0): XOR with CYCLING ^ ARRESTED swaps the two
        status ^= switched.view(np.uint8) * np.uint8(fate.CYCLING ^ fate.ARRESTED)
        np.copyto(status, np.uint8(fate.APOPTOTIC), where=apoptose)
        np.copyto(status, np.uint8(fate.NECROTIC), where=necrose)
        return status, cleared, divide

    def adapt(self, dt_h: float) -> None:
        """Viable cells not yet adapted adapt to estrogen deprivation (biology/adaptation.py), on
        the statuses after this step's fates: both engines call it between fates and update."""
        status = self.status
        prob = adaptation.adaptation_probability(self.occ_e2, self.p["lted_adaptation_rate_per_day"],
                                                 dt_h)
        if prob <= 0.0:
            return
        idx = adaptation.draw_events(self.rng, self.n_agents, prob)
        idx = idx[fate.is_viable(status[idx]) & (self.adapted[idx] == 0)]  # thinning
        if idx.size:
            self.adapted = self.adapted.copy()  # readers holding the old array keep their view
            self.adapted[idx] = 1

    def _update(self, cleared: np.ndarray, divide: np.ndarray) -> None:
        """Insert daughters behind mothers, drop cleared cells (one gather per array)."""
        counts = divide.view(np.uint8) + np.uint8(1)
        np.copyto(counts, np.uint8(0), where=cleared)
        n_daughters = int(np.count_nonzero(divide))
        if n_daughters == 0 and not cleared.any():
            return
        # an intp index: take() would convert an int32 one to intp for every array
        index = np.repeat(np.arange(self.n_agents, dtype=np.intp), counts)
        for name in STATE_ARRAYS:
            setattr(self, name, getattr(self, name).take(index, mode="clip"))
        if n_daughters:
            # a daughter is the second copy of its mother (no cumsum: it is not vectorised)
            daughter_idx = np.flatnonzero(index[1:] == index[:-1]) + 1
            p = self.p
            for name in REDRAWN_STATES:
                arr = getattr(self, name)
                arr[daughter_idx] = heterogeneity.inherit_expression(
                    self.rng, arr[daughter_idx], p["expression_sigma_log"],
                    p["expression_inheritance"])
            rate = p.get("esr1_mutation_rate_per_division", 0.0)
            if rate > 0.0:  # acquired ESR1 mutations, in daughters
                hit = daughter_idx[adaptation.draw_events(self.rng, daughter_idx.size, rate)]
                self.esr1_mutant[hit] = 1
            self.cell_id[daughter_idx] = np.arange(self.next_id, self.next_id + n_daughters,
                                                   dtype=np.uint32)
            self.next_id += n_daughters

    # ---- summaries ---------------------------------------------------------------------------
    def summary(self, exposure: Exposure | None = None) -> TumourSummary:
        """Counts by fate and mean pathway activities over viable cells (the fused engine sums
        them in one compiled pass, :func:`xenosim.core.fused.summary_kernel`)."""
        if self._fused is not None:
            sums = self._fused.summary_sums(self, exposure)
            if sums is not None:
                return self._summary_from_sums(sums, exposure is not None)
        counts = np.bincount(self.status, minlength=fate.N_STATUS)
        viable = fate.is_viable(self.status)
        n_viable = int(viable.sum())
        # the shares of the ER output the last step computed (from its Akt and S6K1)
        er = (er_output_of_state(exposure, self.genotype, self.p, self.akt, self.s6k1,
                                 self.er_expression, self.adapted, self.esr1_mutant)
              if exposure is not None else None)

        def mean(x) -> float:
            return float(np.mean(x[viable])) if n_viable else float("nan")

        thr = self.p["high_activity_threshold"]
        return TumourSummary(
            n_agents=self.n_agents,
            n_cycling=int(counts[fate.CYCLING]),
            n_quiescent=int(counts[fate.QUIESCENT]),
            n_apoptotic=int(counts[fate.APOPTOTIC]),
            n_necrotic=int(counts[fate.NECROTIC]),
            **{f"mean_{name}": mean(getattr(self, name)) for name in MEAN_SUMMARY_STATES},
            er_share_e2=mean(er.share_e2) if er else float("nan"),
            er_share_tamoxifen=mean(er.share_tamoxifen) if er else float("nan"),
            er_share_ser167=mean(er.share_ser167) if er else float("nan"),
            frac_mtorc1_high=mean(self.mtorc1 > thr),
            frac_er_high=mean(self.er_activity > thr),
            n_arrested=int(counts[fate.ARRESTED]),
            frac_adapted=mean(self.adapted),
            frac_esr1_mutant=mean(self.esr1_mutant),
            **self.ihc(),
        )

    def _summary_from_sums(self, sums: np.ndarray, shares: bool) -> TumourSummary:
        from xenosim.core.fused import SUMMARY_SLOTS

        ns = fate.N_STATUS
        total = dict(zip(SUMMARY_SLOTS, sums[ns:].tolist(), strict=True))
        n_viable = sum(int(sums[s]) for s in range(ns) if fate.is_viable(np.uint8(s)))
        nan = float("nan")

        def mean(name: str) -> float:
            return total[name] / n_viable if n_viable else nan

        n_scored = total["n_scored"]
        total["ki67"], total["cc3"] = float(sums[fate.CYCLING]), float(sums[fate.APOPTOTIC])

        def scored(name: str) -> float:  # IHC: a fraction of the non-necrotic cells
            return total[name] / n_scored if n_scored else nan

        return TumourSummary(
            n_agents=self.n_agents,
            n_cycling=int(sums[fate.CYCLING]),
            n_quiescent=int(sums[fate.QUIESCENT]),
            n_apoptotic=int(sums[fate.APOPTOTIC]),
            n_necrotic=int(sums[fate.NECROTIC]),
            **{f"mean_{name}": mean(name) for name in MEAN_SUMMARY_STATES},
            er_share_e2=mean("share_e2") if shares else nan,
            er_share_tamoxifen=mean("share_tamoxifen") if shares else nan,
            er_share_ser167=mean("share_ser167") if shares else nan,
            frac_mtorc1_high=mean("mtorc1_high"),
            frac_er_high=mean("er_high"),
            n_arrested=int(sums[fate.ARRESTED]),
            frac_adapted=mean("adapted"),
            frac_esr1_mutant=mean("esr1_mutant"),
            ki67_index=scored("ki67"),
            cc3_index=scored("cc3"),
            ps6_index=scored("ps6"),
            pakt_index=scored("pakt"),
            er_positive_fraction=scored("er_positive"),
            ps6_hscore=100.0 * scored("ps6_intensity"),
            pakt_hscore=100.0 * scored("pakt_intensity"),
        )

    def ihc(self) -> dict[str, float]:
        """Virtual IHC indices of this tumour's cells (:func:`ihc_indices`)."""
        return ihc_indices(self.status, self.s6k1, self.akt, self.er_expression, self.er_protein,
                           self.genotype.er_expression_multiplier, self.p)

    def cell_state(self, index: int) -> dict[str, float | int | str]:
        """The state of one cell (by position in filling order) as a plain dict."""
        x, y, z = (int(v) for v in lattice.site_xyz(self.n_agents)[index])
        state: dict[str, float | int | str] = {
            name: getattr(self, name)[index].item() for name in STATE_ARRAYS}
        state["status"] = fate.STATUS_NAMES[int(state["status"])]
        return state | {"x": x, "y": y, "z": z}
