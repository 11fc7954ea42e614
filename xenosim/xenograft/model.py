"""The Mesa model of one mouse: a host with its drug exposures and a vectorised tumour.

Mesa supplies the model API (seeded ``rng``, ``step``, ``DataCollector``); the cells live in numpy
arrays (see :mod:`xenosim.core.tumour`). Any single cell can still be read as a Mesa agent:
``model.cell(i)`` returns a :class:`TumourCell` view of the i-th cell.
"""

from __future__ import annotations

import mesa
import numpy as np

from xenosim.biology.signalling import Exposure
from xenosim.core.engines import make_tumour
from xenosim.core.genotypes import Genotype
from xenosim.core.parameters import resolve
from xenosim.core.stepping import step_until
from xenosim.core.tumour import TumourSummary
from xenosim.xenograft.config import Experiment, validate_dict
from xenosim.xenograft.dosing import mouse_profile


class TumourCell(mesa.Agent):
    """An agent's view of one tumour cell (a snapshot of its state when read).

    A view is not a member of the model's agent set: the cells live in the tumour's arrays, so
    reading a thousand cells must not leave a thousand agents in ``model.agents``."""

    def __init__(self, model: MouseModel, index: int):
        super().__init__(model)
        model.deregister_agent(self)  # Agent.__init__ registers; a snapshot view must not stay
        self.index = index
        self.state = model.tumour.cell_state(index)

    def __getattr__(self, name):
        state = self.__dict__.get("state", {})
        if name in state:
            return state[name]
        raise AttributeError(name)

    def __repr__(self) -> str:
        s = self.state
        return (f"TumourCell(id={s['cell_id']}, {s['status']}, akt={s['akt']:.2f}, "
                f"mtorc1={s['mtorc1']:.2f}, er={s['er_activity']:.2f})")


def _day(m: MouseModel) -> float:
    return m.time_h / 24.0


def _volume_mm3(m: MouseModel) -> float:
    return m.tumour.volume_mm3


def _n_agents(m: MouseModel) -> int:
    return m.tumour.n_agents


def _mean_akt(m: MouseModel) -> float:
    return m.summary().mean_akt


def _mean_mtorc1(m: MouseModel) -> float:
    return m.summary().mean_mtorc1


def _mean_er_activity(m: MouseModel) -> float:
    return m.summary().mean_er_activity


#: What the model's DataCollector records at every caliper reading (what a lab records): the
#: tumour's size and the mean pathway activities of its viable cells.
REPORTERS = {"day": _day, "volume_mm3": _volume_mm3, "n_agents": _n_agents,
             "mean_akt": _mean_akt, "mean_mtorc1": _mean_mtorc1,
             "mean_er_activity": _mean_er_activity}


def default_experiment() -> Experiment:
    """A small one-arm experiment, so the model is constructible with no arguments."""
    return validate_dict({"experiment": "default", "cell_lines": {"mcf7_vector": {}},
                          "arms": {"control": {}}, "cells_per_agent": 60000})


class MouseModel(mesa.Model):
    """One xenograft-bearing mouse, stepped every ``time_step_h`` hours from inoculation."""

    def __init__(self, experiment: Experiment | None = None, cell_line: str = "mcf7_vector",
                 rng: int | np.random.Generator | None = None,
                 measurement_rng: np.random.Generator | None = None):
        super().__init__(rng=rng)
        self.experiment = exp = experiment or default_experiment()
        if cell_line not in exp.cell_lines:
            cell_line = next(iter(exp.cell_lines))
        self.cell_line = cell_line
        self.params = params = resolve(exp.parameters, exp.mechanism_flags())
        self.genotype = Genotype.from_modifiers(cell_line, exp.modifiers(cell_line))
        self.dt_h = exp.time_step_h
        # host-to-host variability: how many cells take, and how well the tumour is supplied
        host_rng = np.random.default_rng(int(self.rng.integers(2**32)))
        take = exp.inoculum.take_fraction * np.exp(
            params["host_take_sigma_log"] * host_rng.standard_normal())
        self.params = params = dict(params, invivo_cycling_factor=params["invivo_cycling_factor"]
                                    * np.exp(params["host_growth_sigma_log"]
                                             * host_rng.standard_normal()))
        n0 = max(1, int(round(exp.inoculum.cells * min(take, 1.0) / exp.cells_per_agent)))
        self.tumour = make_tumour(exp.engine, self.genotype, n0, exp.cells_per_agent, params,
                                  self.rng, hypoxia=exp.mechanisms.hypoxia)
        self.measurement_rng = measurement_rng or np.random.default_rng(
            int(self.rng.integers(2**32)))
        # a tumour's long/short axis ratio is fixed per mouse (shape), caliper error per reading
        self.aspect_ratio = float(exp.caliper.aspect_ratio * np.exp(
            0.1 * self.measurement_rng.standard_normal()))
        self.time_h = 0.0
        self.arm: str | None = None
        self.treatment_start_h: float | None = None
        self._horizon_h = (exp.inoculum.take_max_days + exp.study_days + 2) * 24.0
        self.profile = mouse_profile(exp, None, None, self._horizon_h)
        self.exposure = Exposure()
        # the model's record, collected at every caliper reading (what a lab records), of the
        # tumour's size and the mean pathway activities of its viable cells
        # (module-level reporters, not lambdas: the model pickles, so the cohort runner can ship
        # a mouse's state at enrolment to the treatment phase instead of replaying the take)
        self.datacollector = mesa.DataCollector(model_reporters=dict(REPORTERS))
        self._summary: tuple[float, Exposure, TumourSummary] | None = None

    def summary(self) -> TumourSummary:
        """The tumour's counts and viable-cell means now, under this step's exposure: computed
        once per time and shared by the DataCollector and the run's ``cells`` table."""
        cached = self._summary
        if cached is None or cached[0] != self.time_h or cached[1] is not self.exposure:
            cached = self._summary = (self.time_h, self.exposure,
                                      self.tumour.summary(self.exposure))
        return cached[2]

    # ---- protocol -----------------------------------------------------------------------------
    def start_treatment(self, arm: str) -> None:
        """Randomised to ``arm`` now: day 0 of treatment; re-plan drug exposures."""
        self.arm = arm
        self.treatment_start_h = self.time_h
        self.profile = mouse_profile(self.experiment, arm, self.time_h,
                                     self.time_h + (self.experiment.study_days + 2) * 24.0)

    @property
    def treatment_day(self) -> float | None:
        if self.treatment_start_h is None:
            return None
        return (self.time_h - self.treatment_start_h) / 24.0

    def step(self) -> None:
        """Advance one time step: exposures for this step, then the tumour."""
        start = self.time_h
        self.exposure = self.profile.exposure(start, start + self.dt_h)
        self.tumour.step(self.exposure, self.dt_h)
        self.time_h += self.dt_h

    def advance_to_day(self, day: float, treatment: bool = False) -> None:
        """Step until ``day`` (days since inoculation, or of treatment with ``treatment``)."""
        origin_h = self.treatment_start_h if treatment else 0.0
        step_until(lambda _t, _dt: self.step(), self.time_h, origin_h + day * 24.0, self.dt_h)

    def caliper(self) -> tuple[float, float, float]:
        """A caliper reading: (length_mm, width_mm, volume_mm3 = L*W^2/2) with lognormal error."""
        true_v = self.tumour.volume_mm3
        width = (2.0 * true_v / self.aspect_ratio) ** (1.0 / 3.0)
        length = self.aspect_ratio * width
        cv = self.experiment.caliper.cv
        length *= float(np.exp(cv * self.measurement_rng.standard_normal()))
        width *= float(np.exp(cv * self.measurement_rng.standard_normal()))
        length, width = max(length, width), min(length, width)
        self.datacollector.collect(self)
        return length, width, length * width**2 / 2.0

    # ---- agents' view -------------------------------------------------------------------------
    def cell(self, index: int) -> TumourCell:
        """The cell at a position in the tumour, as a Mesa agent (a snapshot)."""
        if not 0 <= index < self.tumour.n_agents:
            raise IndexError(f"cell index {index} outside 0..{self.tumour.n_agents - 1}")
        return TumourCell(self, index)
