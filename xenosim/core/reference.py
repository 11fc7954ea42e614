"""The per-object reference engine: every tumour cell a plain ``mesa.Agent``.

This is the readable specification of one tumour step, and the baseline a Mesa user would write
first. It calls the *same* biology functions as the vectorised engine
(:class:`xenosim.core.tumour.Tumour`), one cell at a time with scalars, and follows the same rules:

1. environment: each cell reads its oxygen from its depth below the perfused rim; the depth
   follows from its position in the lattice filling order (:mod:`xenosim.core.lattice`);
2. signalling: Akt (feedback from the cell's own S6K1 of the last step) -> mTORC1 / S6K1 ->
   Ser167 -> ER output;
3. fate (biology/cellcycle.py): hypoxic cells are quiescent, re-oxygenated ones cycle; then as
   competing risks over the step, cycling cells divide, arrest in G0/G1 (G1 drive from ER output
   and translation), die by apoptosis or by necrosis (if anoxic); arrested cells are released or
   die at their own lower rate; cells that were already dead at the start of the step are
   cleared with the clearance half-life of their kind of death;
4. update: in filling order, cleared cells leave and each daughter is inserted right behind its
   mother, pushing later cells one site outward; daughters inherit expression with noise.

Random numbers are drawn per cell, so the two engines agree in distribution, not draw for draw:
``tests/test_reference.py`` checks that, and that the check can fail. The vectorised engine is
~100x faster (``python -m xenosim.bench``); use this one to read, teach and cross-check.
"""

from __future__ import annotations

import mesa
import numpy as np

from xenosim.biology import adaptation, cellcycle, fate, heterogeneity, oxygen
from xenosim.biology.signalling import (
    Exposure,
    compute_signalling,
    derived_rates,
    er_output_of_state,
    growth_factor_input,
    step_inputs,
    translation_and_drive,
)
from xenosim.core import lattice
from xenosim.core.genotypes import Genotype, cell_line
from xenosim.core.parameters import resolve
from xenosim.core.tumour import (
    CELL_STATES,
    MEAN_SUMMARY_STATES,
    STATE_ARRAYS,
    TumourSummary,
    ihc_indices,
)


class ReferenceCell(mesa.Agent):
    """One tumour cell (or one agent of ``cells_per_agent`` cells) with its own state."""

    def __init__(self, model: ReferenceTumour, akt_expression: float, er_expression: float,
                 status: int = fate.CYCLING, akt: float = 0.0, mtorc1: float = 0.5,
                 er_activity: float = 0.0, cell_id: int | None = None, s6k1: float = 0.5,
                 adapted: int = 0, esr1_mutant: int = 0):
        super().__init__(model)
        self.status = int(status)
        self.akt_expression = float(akt_expression)
        self.er_expression = float(er_expression)
        self.akt = float(akt)
        self.mtorc1 = float(mtorc1)
        self.s6k1 = float(s6k1)  # read by the next step's IRS-1 feedback
        self.er_activity = float(er_activity)
        self.adapted = int(adapted)  # LTED-like adaptation (biology/adaptation.py), inherited
        self.esr1_mutant = int(esr1_mutant)  # ligand-independent ESR1 mutant, inherited
        self.cell_id = model.new_cell_id() if cell_id is None else int(cell_id)
        self.position = -1  # index in the lattice filling order, set by the model
        self.divides = False
        self.cleared = False

    # ---- the step of one cell ---------------------------------------------------------------
    def oxygen(self) -> float:
        """Relative oxygen at this cell's depth below the tumour surface."""
        m = self.model
        if not m.invivo or not m.hypoxia:
            return 1.0
        depth = (m.ball_radius - lattice.site_radius(self.position + 1)[self.position]) * m.spacing_mm
        return float(oxygen.oxygen_from_depth(depth, m.p["oxygen_penetration_mm"]))

    def step(self) -> None:
        """Environment -> signalling -> fate for this cell; the model then applies the update."""
        m, p = self.model, self.model.p
        viable = bool(fate.is_viable(self.status))
        o2 = self.oxygen()

        # (None for a wild-type, unadapted cell: the same numbers, without per-cell array calls)
        sig = compute_signalling(m.exposure, m.genotype, p, self.akt_expression,
                                 self.er_expression, self.s6k1, self.adapted or None,
                                 self.esr1_mutant or None,
                                 hypoxic=(o2 < p["hypoxia_threshold"]) or None)
        self.akt, self.mtorc1, self.er_activity = float(sig.akt), float(sig.mtorc1), float(
            sig.er.total)
        self.s6k1 = float(sig.s6k1)
        _, drive = translation_and_drive(sig, p, m.rates.er_weight,
                                         growth_factor_input(p, m.invivo))

        oxygenated = o2 >= p["hypoxia_threshold"]
        status = self.status
        if viable and not oxygenated:
            status = fate.QUIESCENT  # hypoxic quiescence overrides the cycle state
        elif status == fate.QUIESCENT:
            status = fate.CYCLING  # re-oxygenated
        cycling, arrested = status == fate.CYCLING, status == fate.ARRESTED
        quiescent = status == fate.QUIESCENT
        arrest, release = cellcycle.switching_rates_per_h(
            float(drive), p["g1_drive_half"], p["g1_restriction_hill"], p["g1_switch_rate_per_h"])
        switch = arrest if cycling else release if arrested else 0.0
        division = m.rates.division_rate_max_per_h if cycling else 0.0
        if m.invivo:
            division *= p["invivo_cycling_factor"]
            apoptosis = cellcycle.apoptosis_rate_per_h(self.er_activity, self.akt, cycling,
                                                       arrested, quiescent, p)
        else:
            apoptosis = 0.0
        necrosis = p["necrosis_rate_per_day"] / 24.0 if viable and o2 < p["anoxia_threshold"] else 0.0
        u = m.rng.random(dtype=np.float32)
        divide, switched, apoptose, necrose = fate.draw_competing(
            [division, switch, apoptosis, necrosis], m.dt_h, u)

        status_at_start = self.status
        self.status = status
        if switched:
            self.status = fate.ARRESTED if cycling else fate.CYCLING
        if apoptose:
            self.status = fate.APOPTOTIC
        if necrose:
            self.status = fate.NECROTIC
        self.divides = bool(divide)
        if fate.is_viable(self.status) and not self.adapted:
            prob = adaptation.adaptation_probability(sig.occ_e2,
                                                     p["lted_adaptation_rate_per_day"], m.dt_h)
            if prob > 0.0 and m.rng.random() < prob:
                self.adapted = 1

        # clearance of a cell that was already dead at the start of the step
        self.cleared = False
        if status_at_start == fate.APOPTOTIC:
            half_life_h = p["apoptotic_clearance_half_life_h"]
        elif status_at_start == fate.NECROTIC:
            half_life_h = p["necrotic_clearance_half_life_day"] * 24.0
        else:
            return
        self.cleared = bool(u < fate.clearance_probability(half_life_h, m.dt_h))

    def daughter(self) -> ReferenceCell:
        """A new cell with this cell's state and inherited (noisy) expression levels."""
        m, p = self.model, self.model.p
        inherited = [
            float(heterogeneity.inherit_expression(
                m.rng, np.array([level], dtype=np.float32), p["expression_sigma_log"],
                p["expression_inheritance"])[0])
            for level in (self.akt_expression, self.er_expression)]
        mutant = self.esr1_mutant
        rate = p.get("esr1_mutation_rate_per_division", 0.0)
        if rate > 0.0 and m.rng.random() < rate:
            mutant = 1
        return ReferenceCell(m, inherited[0], inherited[1], self.status, self.akt, self.mtorc1,
                             self.er_activity, s6k1=self.s6k1, adapted=self.adapted,
                             esr1_mutant=mutant)

    def state(self) -> dict[str, float | int | str]:
        state = {name: getattr(self, name) for name in STATE_ARRAYS}
        state["status"] = fate.STATUS_NAMES[self.status]
        return state

    def __repr__(self) -> str:
        return (f"ReferenceCell(id={self.cell_id}, {fate.STATUS_NAMES[self.status]}, "
                f"akt={self.akt:.2f}, mtorc1={self.mtorc1:.2f}, er={self.er_activity:.2f})")


class ReferenceTumour(mesa.Model):
    """A tumour as a Mesa model whose cells are :class:`ReferenceCell` agents.

    Same constructor arguments and readouts as :class:`xenosim.core.tumour.Tumour`; one step is
    ``advance(exposure, dt_h)`` (Mesa's own ``step()`` advances by the stored ``exposure`` and
    ``dt_h``). ``cells`` lists the agents in lattice filling order.
    """

    def __init__(self, genotype: Genotype | None = None, n_agents: int = 200,
                 cells_per_agent: float = 6000.0, params: dict[str, float] | None = None,
                 rng: int | np.random.Generator | None = None, invivo: bool = True,
                 hypoxia: bool = True, exposure: Exposure | None = None, dt_h: float = 12.0):
        super().__init__(rng=rng)
        self.genotype = genotype or cell_line("mcf7_vector")
        self.cells_per_agent = float(cells_per_agent)
        self.p = params = params if params is not None else resolve()
        self.invivo = invivo
        self.hypoxia = hypoxia
        self.rates = derived_rates(params)
        self.spacing_mm = float((cells_per_agent * params["cell_volume_mm3"]) ** (1.0 / 3.0))
        self.exposure = exposure or Exposure()
        self.dt_h = dt_h
        self.time_h = 0.0
        self.ball_radius = 0.0
        self.next_id = 0
        self.er_protein = 1.0  # ER protein left in the last step (fulvestrant), for IHC
        sigma = params["expression_sigma_log"]
        self.cells: list[ReferenceCell] = []
        for _ in range(n_agents):
            akt_expr, er_expr = heterogeneity.draw_expression(self.rng, 2, sigma)
            self.cells.append(ReferenceCell(self, akt_expr, er_expr))
        if params.get("esr1_mutant_initial_fraction", 0.0) > 0.0:  # pre-existing ESR1 clones
            for cell in self.cells:
                cell.esr1_mutant = int(self.rng.random() < params["esr1_mutant_initial_fraction"])
        self._number_positions()

    @classmethod
    def from_arrays(cls, genotype: Genotype, state: dict[str, np.ndarray], cells_per_agent: float,
                    params: dict[str, float], rng=None, invivo: bool = True,
                    hypoxia: bool = True) -> ReferenceTumour:
        """A reference tumour holding exactly the given cell states (e.g. a vectorised tumour's)."""
        model = cls(genotype, 0, cells_per_agent, params, rng, invivo, hypoxia)
        for i in range(len(state["status"])):
            cell = ReferenceCell(model, state["akt_expression"][i], state["er_expression"][i],
                                 cell_id=int(state["cell_id"][i]))
            for spec in CELL_STATES:
                if spec.name in state:
                    setattr(cell, spec.name, state[spec.name][i].item())
            model.cells.append(cell)
        model.next_id = int(max(state["cell_id"], default=-1)) + 1
        model._number_positions()
        return model

    def new_cell_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def _number_positions(self) -> None:
        for i, cell in enumerate(self.cells):
            cell.position = i

    # ---- readouts ---------------------------------------------------------------------------
    @property
    def n_agents(self) -> int:
        return len(self.cells)

    @property
    def volume_mm3(self) -> float:
        return self.n_agents * self.cells_per_agent * self.p["cell_volume_mm3"]

    # ---- one step ---------------------------------------------------------------------------
    def advance(self, exposure: Exposure, dt_h: float) -> None:
        """Advance the tumour by ``dt_h`` hours under ``exposure`` (as ``Tumour.step``)."""
        self.exposure, self.dt_h = exposure, dt_h
        self.ball_radius = lattice.ball_radius(self.n_agents)
        self.er_protein = step_inputs(exposure, self.genotype, self.p).er_protein
        # every cell decides on the state at the start of the step, so the order is irrelevant
        self.agents.shuffle_do("step")
        # update in filling order: cleared cells leave, daughters go right behind their mothers
        new_order: list[ReferenceCell] = []
        for cell in self.cells:
            if cell.cleared:
                cell.remove()
                continue
            new_order.append(cell)
            if cell.divides:
                new_order.append(cell.daughter())
        self.cells = new_order
        self._number_positions()
        self.time_h += dt_h

    def step(self) -> None:
        self.advance(self.exposure, self.dt_h)

    # ---- summaries --------------------------------------------------------------------------
    def state_arrays(self) -> dict[str, np.ndarray]:
        """Cell states in filling order as arrays (the vectorised engine's layout)."""
        return {spec.name: np.array([getattr(c, spec.name) for c in self.cells], dtype=spec.dtype)
                for spec in CELL_STATES}

    def summary(self, exposure: Exposure | None = None) -> TumourSummary:
        """Counts by fate, mean activities and resistance fractions over viable cells, cell by
        cell (as ``Tumour.summary``); the ER shares of each viable cell's last ER output (from
        its stored Akt and S6K1; adapted and ESR1-mutant cells with their own ER); the IHC
        indices from the cells' states (:func:`~xenosim.core.tumour.ihc_indices`, as every
        engine)."""
        counts = [0] * fate.N_STATUS
        for c in self.cells:
            counts[c.status] += 1
        viable = [c for c in self.cells if fate.is_viable(c.status)]

        def mean(values) -> float:
            values = list(values)
            return float(np.mean(values)) if values else float("nan")

        shares = {"e2": [], "tamoxifen": [], "ser167": []}
        if exposure is not None:
            for c in viable:  # of the ER output its last step computed
                er = er_output_of_state(exposure, self.genotype, self.p, c.akt, c.s6k1,
                                        c.er_expression, c.adapted or None,
                                        c.esr1_mutant or None)
                shares["e2"].append(er.share_e2)
                shares["tamoxifen"].append(er.share_tamoxifen)
                shares["ser167"].append(er.share_ser167)
        thr = self.p["high_activity_threshold"]
        states = self.state_arrays()
        return TumourSummary(
            n_agents=self.n_agents,
            n_cycling=counts[fate.CYCLING], n_quiescent=counts[fate.QUIESCENT],
            n_apoptotic=counts[fate.APOPTOTIC], n_necrotic=counts[fate.NECROTIC],
            **{f"mean_{name}": mean(getattr(c, name) for c in viable)
               for name in MEAN_SUMMARY_STATES},
            er_share_e2=mean(shares["e2"]),
            er_share_tamoxifen=mean(shares["tamoxifen"]),
            er_share_ser167=mean(shares["ser167"]),
            frac_mtorc1_high=mean(c.mtorc1 > thr for c in viable),
            frac_er_high=mean(c.er_activity > thr for c in viable),
            n_arrested=counts[fate.ARRESTED],
            frac_adapted=mean(c.adapted for c in viable),
            frac_esr1_mutant=mean(c.esr1_mutant for c in viable),
            **ihc_indices(states["status"], states["s6k1"], states["akt"],
                          states["er_expression"], self.er_protein,
                          self.genotype.er_expression_multiplier, self.p),
        )


class ReferenceEngineTumour:
    """The per-object engine behind the array tumours' interface (``engine: reference``):
    ``step(exposure, dt_h)``, ``summary``, ``cell_state`` and the state arrays (built from the
    cells when read)."""

    def __init__(self, genotype: Genotype, n_agents: int, cells_per_agent: float,
                 params: dict[str, float], rng: np.random.Generator, invivo: bool = True,
                 hypoxia: bool = True):
        self.engine = "reference"
        self.model = ReferenceTumour(genotype, n_agents, cells_per_agent, params, rng, invivo,
                                     hypoxia)
        self.rng = self.model.rng

    def step(self, exposure: Exposure, dt_h: float) -> None:
        self.model.advance(exposure, dt_h)

    def __getattr__(self, name: str):
        if name in STATE_ARRAYS:
            return self.model.state_arrays()[name]
        if name == "model":
            raise AttributeError(name)
        return getattr(self.model, name)

    def oxygen(self) -> np.ndarray:
        """Relative oxygen of each cell, in filling order."""
        self.model.ball_radius = lattice.ball_radius(self.model.n_agents)
        return np.array([c.oxygen() for c in self.model.cells], dtype=np.float32)

    def cell_state(self, index: int) -> dict[str, float | int | str]:
        """The state of one cell (by position in filling order) as a plain dict."""
        x, y, z = (int(v) for v in lattice.site_xyz(self.model.n_agents)[index])
        return self.model.cells[index].state() | {"x": x, "y": y, "z": z}
