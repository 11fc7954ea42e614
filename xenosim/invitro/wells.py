"""Wells: each well is a small :class:`xenosim.core.tumour.Tumour` run with ``invivo=False``.

The xenograft's own cell population steps every well (signalling -> division -> clearance,
heterogeneity and inheritance included); the well adds the two things a dish has and a tumour
step with ``invivo=False`` leaves out:

- **exposure from the medium**: the medium's E2-equivalent background plus the drugs of the
  condition, at constant concentration (medium and drug refreshed as in practice); an mTORC1
  inhibitor acts through :func:`xenosim.biology.mtor.fractional_inhibition` with its entry of
  :data:`xenosim.core.drugs.DRUGS`, several combine as independent inhibitors;
- **in vitro apoptosis**: after each step, viable cells die with the hazard of the shared
  :func:`xenosim.biology.cellcycle.apoptosis_rate_per_h` (survival signals by status: rises as
  ER output falls, opposed by Akt, lower in arrested cells) with the in vitro basal rate
  ``apoptosis_rate_invitro_per_day``, drawn with the shared
  :func:`xenosim.biology.fate.draw_competing`. Apoptotic cells stay in the well (and in the flow
  readout) until cleared by the tumour step's own clearance.

Before treatment (day 0) each well's signalling is set to its steady state in the plain medium
(cells plated in the assay medium the day before treatment).

Readouts per well and count day: a cell count (viable cells; Poisson on the counted aliquot plus
lognormal handling error), the ERE-reporter (basal promoter output + mean ER activity of viable
cells, lognormal error), and the apoptotic fraction (binomial over flow events).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xenosim.biology import cellcycle, fate
from xenosim.biology.signalling import Exposure, steady_state
from xenosim.core.drugs import DRUGS
from xenosim.core.genotypes import Genotype
from xenosim.core.parameters import resolve
from xenosim.core.pharmacology import exposure_from_concentrations
from xenosim.core.stepping import step_until
from xenosim.core.tumour import Tumour
from xenosim.invitro.config import CONCENTRATION_KEYS, InVitroExperiment, Medium


@dataclass(frozen=True)
class WellSpec:
    """Who a well is: plate, line, medium, condition and replicate (with their indices, which
    seed the well, so results do not depend on the order or number of workers)."""

    plate: str
    cell_line: str
    medium: str
    condition: tuple[tuple[str, float], ...]
    replicate: int
    index: tuple[int, int, int, int, int]  # plate, line, medium, condition, replicate

    @property
    def well_id(self) -> str:
        p, li, m, c, r = self.index
        return f"{self.plate}-{self.cell_line}-{self.medium}-c{c + 1:02d}-r{r + 1}"

    def concentrations(self) -> dict[str, float]:
        return dict(self.condition)


def invitro_params(exp: InVitroExperiment) -> dict[str, float]:
    """The resolved parameter set (config overrides, then ablations)."""
    return resolve(exp.parameters, exp.mechanism_flags())


def well_exposure(conc: dict[str, float], medium: Medium, p: dict[str, float]) -> Exposure:
    """The constant Exposure of a well: medium background + the condition's drugs, through the
    same PD link as a tumour (4-OHT is added as such: cells in a dish do not metabolise
    tamoxifen)."""
    e2_pM = medium.e2_equivalent_pM(p) + conc.get("estradiol_pM", 0.0)
    drugs = {CONCENTRATION_KEYS[k][0]: c for k, c in conc.items()
             if k not in ("estradiol_pM", "oht_nM") and c > 0}
    return exposure_from_concentrations(drugs, DRUGS, e2_pM / 1000.0,
                                        oht_nM=conc.get("oht_nM", 0.0),
                                        tamoxifen_metabolism=False)


def well_seed(exp: InVitroExperiment, spec: WellSpec) -> int:
    seq = np.random.SeedSequence(exp.seed, spawn_key=spec.index)
    return int(seq.generate_state(1, dtype=np.uint64)[0])


class Well:
    """One culture well: a Tumour(invivo=False) plus the in vitro apoptosis pass."""

    def __init__(self, genotype: Genotype, cells_seeded: float, agents: int,
                 params: dict[str, float], rng: np.random.Generator):
        cells_per_agent = max(1.0, cells_seeded / agents)
        n0 = max(1, int(round(cells_seeded / cells_per_agent)))
        self.p = params
        self.tumour = Tumour(genotype, n0, cells_per_agent, params, rng, invivo=False)

    def equilibrate(self, exposure: Exposure) -> None:
        """Set every cell's signalling to its steady state under ``exposure`` (cells are plated
        in the assay medium the day before treatment); no fates are drawn."""
        t = self.tumour
        sig = steady_state(exposure, t.genotype, self.p, t.akt_expression, t.er_expression)
        t.akt = np.asarray(sig.akt, dtype=np.float32)
        t.mtorc1 = np.asarray(sig.mtorc1, dtype=np.float32)
        t.s6k1 = np.asarray(sig.s6k1, dtype=np.float32)
        t.er_activity = np.asarray(sig.er.total, dtype=np.float32)

    @property
    def cells_per_agent(self) -> float:
        return self.tumour.cells_per_agent

    def step(self, exposure: Exposure, dt_h: float) -> None:
        t, p = self.tumour, self.p
        t.step(exposure, dt_h)
        apoptosis = cellcycle.apoptosis_rate_per_h(
            t.er_activity, t.akt, t.status == fate.CYCLING, t.status == fate.ARRESTED,
            t.status == fate.QUIESCENT, p, basal_per_day=p["apoptosis_rate_invitro_per_day"])
        u = t.rng.random(t.n_agents, dtype=np.float32)
        (apoptose,) = fate.draw_competing([apoptosis], dt_h, u)
        t.status[apoptose] = fate.APOPTOTIC

    def n_viable(self) -> int:
        return int(np.count_nonzero(fate.is_viable(self.tumour.status)))


def simulate_well(exp: InVitroExperiment, spec: WellSpec) -> list[dict]:
    """Run one well from seeding (day 0 = start of treatment) to its last count day."""
    p = invitro_params(exp)
    plate = exp.plates[spec.plate]
    medium = exp.all_media()[spec.medium]
    conc = spec.concentrations()
    exposure = well_exposure(conc, medium, p)
    seed = well_seed(exp, spec)
    genotype = Genotype.from_modifiers(spec.cell_line, exp.modifiers(spec.cell_line))
    well = Well(genotype, plate.seeding_cells_per_well, exp.agents_per_well, p,
                np.random.default_rng(seed))
    well.equilibrate(well_exposure({}, medium, p))
    meas = np.random.default_rng([seed, 1])
    dt = exp.time_step_h
    rows = []
    time_h = 0.0
    for day in plate.days:
        time_h = step_until(lambda _t, step: well.step(exposure, step), time_h, day * 24.0, dt,
                            shorten_last=True)
        rows.append(_readout(exp, spec, medium, conc, p, well, exposure, day, meas))
    return rows


def _readout(exp: InVitroExperiment, spec: WellSpec, medium: Medium, conc: dict[str, float],
             p: dict[str, float], well: Well, exposure: Exposure, day: float,
             rng: np.random.Generator) -> dict:
    t = well.tumour
    s = t.summary(exposure)
    viable = s.n_cycling + s.n_quiescent + s.n_arrested
    true_cells = viable * well.cells_per_agent
    f = exp.counting.aliquot_fraction
    counted = rng.poisson(true_cells * f) / f
    count = counted * float(np.exp(exp.counting.cv * rng.standard_normal()))
    frac_apo = s.n_apoptotic / s.n_agents if s.n_agents else float("nan")
    events = exp.apoptosis_assay.events
    frac_apo_meas = rng.binomial(events, frac_apo) / events if s.n_agents else float("nan")
    er = s.mean_er_activity if viable else 0.0
    reporter = (exp.reporter.basal + er) * float(np.exp(exp.reporter.cv * rng.standard_normal()))
    row = {
        "plate": spec.plate, "well": spec.well_id, "cell_line": spec.cell_line,
        "medium": spec.medium, "medium_e2_pM": round(medium.e2_equivalent_pM(p), 6),
    }
    row.update({k: conc.get(k, 0.0) for k in CONCENTRATION_KEYS})
    row.update({
        "replicate": spec.replicate + 1, "day": float(day),
        "cells_seeded": exp.plates[spec.plate].seeding_cells_per_well,
        "cells_per_agent": well.cells_per_agent,
        "n_agents": s.n_agents,
        "viable_cells_true": true_cells,
        "cell_count": count,
        "fraction_apoptotic_true": frac_apo,
        "fraction_apoptotic": frac_apo_meas,
        "ere_reporter": reporter,
        "mtorc1_inhibition": exposure.mtorc1_inhibition,
        "mean_akt": s.mean_akt, "mean_mtorc1": s.mean_mtorc1,
        "mean_er_activity": s.mean_er_activity,
        "er_share_e2": s.er_share_e2, "er_share_tamoxifen": s.er_share_tamoxifen,
        "er_share_ser167": s.er_share_ser167,
    })
    return row


def simulate_wells(exp: InVitroExperiment, specs: list[WellSpec]) -> list[dict]:
    """A chunk of wells (one task for a worker)."""
    return [row for spec in specs for row in simulate_well(exp, spec)]


def well_specs(exp: InVitroExperiment) -> list[WellSpec]:
    """Every well of every plate, in a fixed order."""
    line_index = {name: i for i, name in enumerate(exp.cell_lines)}
    media_index = {name: i for i, name in enumerate(exp.all_media())}
    specs = []
    for pi, (pname, plate) in enumerate(exp.plates.items()):
        for line in plate.lines(exp):
            for medium in plate.media:
                for ci, cond in enumerate(plate.condition_list()):
                    for r in range(plate.replicates):
                        specs.append(WellSpec(pname, line, medium, tuple(cond.items()), r,
                                              (pi, line_index[line], media_index[medium], ci, r)))
    return specs
