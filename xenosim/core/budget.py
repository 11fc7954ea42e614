"""Run-size estimates: memory and time a config would need, checked before any simulation.

A config can be valid key by key and still run away (``cells_per_agent: 1`` with a 1e7
inoculum, 1000 arms, a study of 1e6 days, a time step of seconds). Every run command estimates
its peak memory (agents x bytes per agent x parallel jobs) and its time (agent-steps x cost per
agent-step / jobs) and refuses above the limits unless ``--force`` is given, with the message
"this would need ~N GB / ~M minutes; pass --force to run anyway".

The two costs are ASSUMED orders of magnitude, not measurements of a particular machine: a
numpy struct-of-arrays tumour keeps ~10 arrays per agent plus step temporaries (~150 bytes per
agent), and an agent-step is ~10 vectorised operations of 10-50 ns (STACK.md) -> ~0.3 us. The
limits are set far above every shipped config so that only runaway sizes trip them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: assumed: bytes of state and step temporaries per agent (see the module docstring)
BYTES_PER_AGENT = 150.0
#: assumed: seconds per agent-step of the vectorised tumour step
SECONDS_PER_AGENT_STEP = 0.3e-6
#: the per-object engine (``engine: reference``): ~23 us per agent-step and ~400 B per agent
#: measured (one core, 2e3-2e4 agents); assumed 30 us and 600 B for the estimate
REFERENCE_SECONDS_PER_AGENT_STEP = 30e-6
REFERENCE_BYTES_PER_AGENT = 600.0
#: refuse (without --force) above these
MAX_MEMORY_BYTES = 8.0e9
MAX_SECONDS = 2 * 3600.0
#: cells per mm3 of tumour (DESIGN §4: cell_volume_mm3 = 1e-6)
CELLS_PER_MM3 = 1.0e6


@dataclass(frozen=True)
class Budget:
    """Estimated peak memory (bytes), wall time (s) and output size (bytes) of a run."""

    memory_bytes: float
    seconds: float
    output_bytes: float
    what: str

    def too_big(self) -> bool:
        return self.memory_bytes > MAX_MEMORY_BYTES or self.seconds > MAX_SECONDS

    def message(self) -> str:
        gb, minutes = self.memory_bytes / 1e9, self.seconds / 60.0
        return (f"{self.what}: this would need ~{gb:.3g} GB / ~{minutes:.3g} minutes (limits "
                f"{MAX_MEMORY_BYTES / 1e9:g} GB / {MAX_SECONDS / 60:g} minutes); make it "
                f"smaller or pass --force to run anyway")


def _mean_agents(a0: float, a_max: float) -> float:
    """Mean size over exponential growth from ``a0`` to ``a_max`` agents."""
    if a_max <= a0 * 1.0001:
        return max(a0, a_max)
    return (a_max - a0) / math.log(a_max / a0)


def xenograft_budget(exp, jobs: int = 1, file: str = "<config>") -> Budget:
    """Estimate for a xenograft study (an ``Experiment``)."""
    jobs = max(1, jobs)
    a0 = exp.inoculum.cells * exp.inoculum.take_fraction / exp.cells_per_agent
    a_max = max(a0, exp.endpoint_volume_mm3 * CELLS_PER_MM3 / exp.cells_per_agent)
    steps = (exp.inoculum.take_max_days + exp.study_days) * 24.0 / exp.time_step_h
    n_mice = (len(exp.cell_lines) * len(exp.arms) * exp.mice_per_arm
              * (1.0 + exp.spare_mice_fraction))
    agent_steps = 2.0 * n_mice * steps * _mean_agents(a0, a_max)  # take phase replayed once
    visits = n_mice * (exp.inoculum.take_max_days + exp.study_days) / 3.5 * 2
    reference = getattr(exp, "engine", None) == "reference"
    per_step = REFERENCE_SECONDS_PER_AGENT_STEP if reference else SECONDS_PER_AGENT_STEP
    per_agent = REFERENCE_BYTES_PER_AGENT if reference else BYTES_PER_AGENT
    return Budget(a_max * per_agent * min(jobs, n_mice),
                  agent_steps * per_step / jobs,
                  2.0e6 + visits * 200.0,
                  f"{file}: {n_mice:.0f} mice (cell_lines x arms x mice_per_arm) x up to "
                  f"{a_max:.3g} agents (endpoint_volume_mm3, inoculum.cells / cells_per_agent) x "
                  f"{steps:.3g} steps (take_max_days + study_days, time_step_h)")


def invitro_budget(exp, jobs: int = 1, file: str = "<config>") -> Budget:
    """Estimate for an in vitro study: wells x agents per well x steps."""
    jobs = max(1, jobs)
    n_wells = sum(len(p.lines(exp)) * len(p.media) * len(p.condition_list()) * p.replicates
                  for p in exp.plates.values())
    days = max((max(p.days) if p.days else 0.0) for p in exp.plates.values())
    steps = max(days, 1.0) * 24.0 / exp.time_step_h
    agent_steps = n_wells * exp.agents_per_well * 4 * steps  # wells grow a few-fold
    return Budget(exp.agents_per_well * 8 * BYTES_PER_AGENT * min(jobs, n_wells) * 24,
                  agent_steps * SECONDS_PER_AGENT_STEP / jobs,
                  2.0e6 + n_wells * 20 * 200.0, f"{file}: {n_wells} wells (plates: lines x media x conditions x "
                  f"replicates) x {steps:.3g} steps (plates.*.days, time_step_h)")


def patients_budget(study, jobs: int = 1, file: str = "<config>") -> Budget:
    """Estimate for a virtual-patient trial: patients x agents per patient x steps."""
    jobs = max(1, jobs)
    n = len(study.arms) * study.patients_per_arm
    steps = (study.follow_up_months * 30.44 + study.run_in_days) * 24.0 / study.time_step_h
    agent_steps = n * study.agents_per_patient * 4 * steps
    return Budget(study.agents_per_patient * 8 * BYTES_PER_AGENT * min(jobs, n) * 24,
                  agent_steps * SECONDS_PER_AGENT_STEP / jobs, 2.0e6 + n * 2000.0,
                  f"{file}: {n} patients (arms x patients_per_arm) x {steps:.3g} steps "
                  f"(follow_up_months, run_in_days, time_step_h)")


def sweep_budget(per_task: Budget, n_tasks: int, workers: int = 1) -> Budget:
    """A sweep: ``n_tasks`` runs of about ``per_task`` (estimated with one job) on ``workers``."""
    workers = max(1, workers)
    return Budget(per_task.memory_bytes * workers, per_task.seconds * n_tasks / workers,
                  n_tasks * 5.0e4 + 2.0e6, f"{n_tasks} task(s) (design, replicates) of {per_task.what}")
