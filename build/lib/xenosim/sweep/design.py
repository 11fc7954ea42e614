"""Designs (which parameter points to run) and task identity (id and seed from the parameters).

A task is one parameter point x one replicate. Its id and its seed derive from the sweep seed,
the parameter values and the replicate number only (``numpy.random.SeedSequence``), never from
its position in a list or the worker that runs it: results are identical whatever the number of
workers or the order, and a re-run recognises the tasks it has already finished.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass

import numpy as np

from xenosim.sweep.config import SweepConfig

DESIGN_STREAM = 0x5EED  # spawn key of the design's own random stream (sampled designs)


@dataclass(frozen=True)
class Task:
    """One simulation to run: a parameter point, a replicate, its seed and id."""

    task_id: str
    point: int  # index of the parameter point in the design (for Sobol / Morris analysis)
    replicate: int
    seed: int
    values: tuple[tuple[str, float], ...]

    @property
    def params(self) -> dict[str, float]:
        return dict(self.values)


def _canonical(values: dict[str, float], replicate: int) -> bytes:
    return json.dumps({"values": {k: float(v).hex() for k, v in sorted(values.items())},
                       "replicate": int(replicate)}, sort_keys=True).encode()


def task_identity(sweep_seed: int, values: dict[str, float], replicate: int) -> tuple[str, int]:
    """(task id, seed) from the sweep seed, the parameter values and the replicate only."""
    digest = hashlib.sha256(_canonical(values, replicate)).digest()
    words = tuple(int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4))
    seq = np.random.SeedSequence(sweep_seed, spawn_key=words)
    seed = int(seq.generate_state(2, dtype=np.uint32).astype(np.uint64) @ np.array(
        [1, 2**32], dtype=np.uint64)) & (2**63 - 1)
    # a letter first: ids never parse as numbers (CSV readers, Hive partition inference)
    task_id = "t" + hashlib.sha256(str(sweep_seed).encode() + b":" + digest).hexdigest()[:12]
    return task_id, seed


def salib_problem(cfg: SweepConfig) -> dict:
    """The SALib problem on the unit cube (log scales are mapped by ``from_unit``)."""
    return {"num_vars": len(cfg.parameters), "names": [p.name for p in cfg.parameters],
            "bounds": [[0.0, 1.0]] * len(cfg.parameters)}


def unit_samples(cfg: SweepConfig) -> np.ndarray:
    """Design points on the unit cube (rows = points) for the sampled designs."""
    d = cfg.design
    k = len(cfg.parameters)
    seed_seq = np.random.SeedSequence(cfg.seed, spawn_key=(DESIGN_STREAM,))
    if d.method == "random":
        return np.random.default_rng(seed_seq).random((d.n, k))
    if d.method == "lhs":
        from scipy.stats import qmc

        return qmc.LatinHypercube(d=k, rng=np.random.default_rng(seed_seq)).random(d.n)
    int_seed = int(seed_seq.generate_state(1)[0])
    if d.method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(salib_problem(cfg), d.n, calc_second_order=False, seed=int_seed)
    if d.method == "morris":
        from SALib.sample import morris

        return morris.sample(salib_problem(cfg), d.n, num_levels=d.levels, seed=int_seed)
    raise ValueError(f"not a sampled design: {d.method}")


def design_points(cfg: SweepConfig) -> list[dict[str, float]]:
    """The parameter points of the design, in design order."""
    params = cfg.parameters
    if cfg.design.method == "grid":
        grids = [p.grid_values() for p in params]
        return [dict(zip([p.name for p in params], combo, strict=True))
                for combo in itertools.product(*grids)]
    unit = unit_samples(cfg)
    return [{p.name: p.from_unit(float(u)) for p, u in zip(params, row, strict=True)}
            for row in unit]


def make_tasks(cfg: SweepConfig) -> list[Task]:
    """Every task of the sweep: design points x replicates."""
    tasks = []
    for i, values in enumerate(design_points(cfg)):
        for r in range(cfg.replicates):
            task_id, seed = task_identity(cfg.seed, values, r)
            tasks.append(Task(task_id, i, r, seed, tuple(values.items())))
    return tasks
