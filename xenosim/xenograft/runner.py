"""The cohort runner: take phase -> randomisation balanced on volume -> treatment -> calipers.

Each mouse is an independent, pure run (``simulate_mouse``) seeded from the experiment seed and the
mouse's identity alone (``numpy.random.SeedSequence``), so results do not depend on the number of
workers or their order. The take phase is run once to find when each tumour reaches the
randomisation volume (rolling enrolment); the mouse's whole state at enrolment (the pickled
:class:`MouseModel`: tumour arrays, random generators, clock) is kept, and after randomisation the
treatment phase continues from it. The numbers are those of a re-run from inoculation (the take
phase replays identically: same seed, same draws), without simulating it twice.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from xenosim.xenograft.config import Experiment
from xenosim.xenograft.model import MouseModel

EPS_DAY = 1e-6


@dataclass(frozen=True)
class MouseSpec:
    """Who a mouse is: its id, cell line and index within the line's inoculated mice."""

    mouse: str
    cell_line: str
    line_index: int
    index: int


@dataclass
class MouseOutcome:
    """What one mouse produced."""

    spec: MouseSpec
    arm: str | None
    enrolled: bool
    enrol_day: float = np.nan  # days since inoculation
    enrol_volume_mm3: float = np.nan  # caliper volume at enrolment
    measurements: list[dict] = field(default_factory=list)
    cells: list[dict] = field(default_factory=list)
    snapshots: list[pd.DataFrame] = field(default_factory=list)  # per-cell, on snapshot_days
    last_day: float = np.nan
    event: str = ""
    #: the take phase's end state of an enrolled mouse (``simulate_mouse(..., keep_state=True)``):
    #: the pickled model at enrolment and its take-phase caliper rows; ``resume_mouse`` treats it
    enrolled_state: bytes | None = field(default=None, repr=False)


def mouse_seed(exp: Experiment, spec: MouseSpec) -> int:
    """Seed of a mouse from the experiment seed and the mouse's identity only."""
    seq = np.random.SeedSequence(exp.seed, spawn_key=(spec.line_index, spec.index))
    return int(seq.generate_state(1, dtype=np.uint64)[0])


def _weekly(start_day: float, end_day: float, offsets: list[float]) -> list[float]:
    days = sorted({start_day + 7 * w + o for w in range(int((end_day - start_day) // 7) + 2)
                   for o in offsets})
    return [d for d in days if start_day - EPS_DAY <= d <= end_day + EPS_DAY]


def simulate_mouse(exp: Experiment, spec: MouseSpec, arm: str | None,
                   keep_state: bool = False) -> MouseOutcome:
    """Run one mouse from inoculation; stop at enrolment if ``arm`` is None, else to study end.

    With ``arm`` None and ``keep_state``, an enrolled mouse's outcome carries its state at
    enrolment (``enrolled_state``) so that ``resume_mouse`` can treat it without a replay."""
    out, model, take_rows = _take_phase(exp, spec)
    out.arm = arm
    if not out.enrolled:
        return out
    if arm is None:
        if keep_state:
            try:
                out.enrolled_state = pickle.dumps((model, take_rows),
                                                  protocol=pickle.HIGHEST_PROTOCOL)
            except (pickle.PicklingError, TypeError, AttributeError):
                out.enrolled_state = None  # an engine whose state does not pickle: replayed
        return out
    return _treat(exp, out, model, take_rows, arm)


def resume_mouse(exp: Experiment, take: MouseOutcome, arm: str) -> MouseOutcome:
    """Treat an enrolled mouse with ``arm`` from its state at enrolment (``take`` from
    ``simulate_mouse(exp, spec, None, keep_state=True)``): the same numbers as
    ``simulate_mouse(exp, spec, arm)``, without simulating the take phase again. ``take`` is
    not changed, so one take can be resumed under several arms (twins)."""
    if take.enrolled_state is None:
        raise ValueError(f"{take.spec.mouse}: no state at enrolment (not enrolled, or the take "
                         f"phase was run without keep_state)")
    model, take_rows = pickle.loads(take.enrolled_state)
    out = MouseOutcome(take.spec, arm, enrolled=True, enrol_day=take.enrol_day,
                       enrol_volume_mm3=take.enrol_volume_mm3)
    return _treat(exp, out, model, take_rows, arm)


def treat_mouse(exp: Experiment, take: MouseOutcome, arm: str) -> MouseOutcome:
    """Treat an enrolled mouse with ``arm``: from its kept state at enrolment, or (a take run
    without one) by re-running it from inoculation; the same numbers either way."""
    if take.enrolled_state is None:
        return simulate_mouse(exp, take.spec, arm)
    return resume_mouse(exp, take, arm)


def _take_phase(exp: Experiment, spec: MouseSpec) -> tuple[MouseOutcome, MouseModel, list[dict]]:
    """Inoculation to enrolment (or the end of the take window): the outcome, the model in its
    state at the last take reading and the take-phase caliper rows (days since inoculation)."""
    seed = mouse_seed(exp, spec)
    model = MouseModel(exp, spec.cell_line, rng=seed,
                       measurement_rng=np.random.default_rng([seed, 1]))
    out = MouseOutcome(spec, None, enrolled=False)
    take_days = _weekly(exp.caliper.first_take_day, exp.inoculum.take_max_days,
                        exp.caliper.weekday_offsets)
    take_rows: list[dict] = []
    for day in take_days:
        model.advance_to_day(day)
        length, width, volume = model.caliper()
        take_rows.append(_row(spec, None, model.time_h / 24.0, length, width, volume,
                              model.tumour.volume_mm3))
        if volume >= exp.randomisation_volume_mm3:
            out.enrolled = True
            out.enrol_day = model.time_h / 24.0
            out.enrol_volume_mm3 = volume
            break
    return out, model, take_rows


def _treat(exp: Experiment, out: MouseOutcome, model: MouseModel, take_rows: list[dict],
           arm: str) -> MouseOutcome:
    """Randomised to ``arm`` at enrolment: the treatment phase of an enrolled mouse."""
    spec = out.spec
    out.arm = arm
    for row in take_rows:  # take-phase rows get negative days relative to randomisation
        row["arm"] = arm
        row["day"] = round(row["day"] - out.enrol_day, 6)
    out.measurements = take_rows
    out.cells.append(_cells_row(spec, arm, 0.0, model))
    snap_days = [d for d in exp.snapshot_days if d > EPS_DAY]
    if exp.snapshot_days and min(exp.snapshot_days) <= EPS_DAY:
        out.snapshots.append(_snapshot(spec, arm, 0.0, model))
    model.start_treatment(arm)
    out.event, out.last_day = "study_end", exp.study_days
    if take_rows[-1]["volume_mm3"] >= exp.endpoint_volume_mm3:
        out.event, out.last_day = "endpoint", 0.0
        return out
    for day in _weekly(0.0, exp.study_days, exp.caliper.weekday_offsets)[1:]:
        while snap_days and snap_days[0] <= day + EPS_DAY:  # snapshots up to this caliper day
            model.advance_to_day(snap_days[0], treatment=True)
            out.snapshots.append(_snapshot(spec, arm, snap_days.pop(0), model))
        model.advance_to_day(day, treatment=True)
        length, width, volume = model.caliper()
        out.measurements.append(_row(spec, arm, day, length, width, volume,
                                     model.tumour.volume_mm3))
        out.cells.append(_cells_row(spec, arm, day, model))
        if volume >= exp.endpoint_volume_mm3:
            out.event, out.last_day = "endpoint", day
            break
    return out


def _row(spec: MouseSpec, arm, day, length, width, volume, true_volume) -> dict:
    return {"mouse": spec.mouse, "cell_line": spec.cell_line, "arm": arm, "day": round(day, 6),
            "length_mm": length, "width_mm": width, "volume_mm3": volume,
            "true_volume_mm3": true_volume}


def _cells_row(spec: MouseSpec, arm: str, day: float, model: MouseModel) -> dict:
    summary = model.summary()  # the one the model's DataCollector recorded at this reading
    return {"mouse": spec.mouse, "cell_line": spec.cell_line, "arm": arm, "day": round(day, 6),
            **vars(summary)}


def _snapshot(spec: MouseSpec, arm: str, day: float, model: MouseModel) -> pd.DataFrame:
    from xenosim.xenograft.snapshots import cell_snapshot

    return cell_snapshot(model.tumour, model.exposure, mouse=spec.mouse,
                         cell_line=spec.cell_line, arm=arm, day=round(day, 6))


# ---- randomisation --------------------------------------------------------------------------
def select_and_randomise(exp: Experiment, takes: list[MouseOutcome],
                         rng: np.random.Generator) -> tuple[dict[str, str], list[str]]:
    """Pick the mice to enrol and assign arms in volume-balanced blocks.

    Per cell line: the enrolled mice closest to the median enrolment day are kept (dropping the
    fastest and slowest takers, as in practice); they are sorted by volume and each consecutive
    block of n_arms mice gets a random permutation of the arms. Returns (mouse -> arm, warnings).
    """
    arms = list(exp.arms)
    assignment: dict[str, str] = {}
    warnings: list[str] = []
    for line in exp.cell_lines:
        enrolled = [t for t in takes if t.spec.cell_line == line and t.enrolled]
        needed = exp.mice_per_arm * len(arms)
        if len(enrolled) < needed:
            warnings.append(f"{line}: only {len(enrolled)} of {needed} mice reached "
                            f"{exp.randomisation_volume_mm3:g} mm3 within "
                            f"{exp.inoculum.take_max_days:g} days; arms are smaller")
        if not enrolled:
            continue
        median_day = float(np.median([t.enrol_day for t in enrolled]))
        enrolled.sort(key=lambda t: (abs(t.enrol_day - median_day), t.spec.index))
        chosen = enrolled[:needed]
        chosen.sort(key=lambda t: (t.enrol_volume_mm3, t.spec.index))
        for start in range(0, len(chosen), len(arms)):
            block = chosen[start:start + len(arms)]
            perm = rng.permutation(len(arms))[: len(block)]
            for t, k in zip(block, perm, strict=True):
                assignment[t.spec.mouse] = arms[k]
    return assignment, warnings


# ---- execution --------------------------------------------------------------------------------
def _call(args):
    fn, a = args
    return fn(*a)


def process_pool(jobs: int) -> ProcessPoolExecutor:
    """A spawn process pool whose workers die with this process (no orphans after a kill)."""
    from xenosim.core.processes import die_with_parent

    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=die_with_parent, initargs=(os.getpid(),))


def run_tasks(fn: Callable, tasks: list[tuple], jobs: int, executor: Executor | None = None,
              on_done: Callable[[], None] | None = None) -> list:
    """Run ``fn(*task)`` for every task, in order of tasks, on 1 core, a process pool or any
    ``concurrent.futures`` executor (e.g. a Dask client's)."""
    results = []
    if executor is None and jobs <= 1:
        for t in tasks:
            results.append(fn(*t))
            if on_done:
                on_done()
        return results
    own = executor is None
    if own:
        executor = process_pool(jobs)
    try:
        futures = [executor.submit(fn, *t) for t in tasks]
        for f in futures:
            results.append(f.result())
            if on_done:
                on_done()
    except KeyboardInterrupt:
        if own:
            from xenosim.core.processes import stop_workers

            stop_workers(executor)
        raise
    finally:
        if own:
            executor.shutdown(wait=True, cancel_futures=True)
    return results


@dataclass
class CohortResult:
    """Tidy tables of a whole study."""

    measurements: pd.DataFrame
    cells: pd.DataFrame
    mice: pd.DataFrame
    warnings: list[str]
    snapshots: list[pd.DataFrame] = field(default_factory=list)


def mouse_specs(exp: Experiment) -> list[MouseSpec]:
    """All inoculated mice: per line, mice_per_arm x arms plus spares."""
    n = int(np.ceil(exp.mice_per_arm * len(exp.arms) * (1.0 + exp.spare_mice_fraction)))
    return [MouseSpec(f"{line}-{i + 1:03d}", line, li, i)
            for li, line in enumerate(exp.cell_lines) for i in range(n)]


def run_cohort(exp: Experiment, jobs: int = 1, executor: Executor | None = None,
               progress: Callable[[str, int], Callable[[], None]] | None = None) -> CohortResult:
    """Run the whole study. ``progress(phase, total)`` may return a callback ticked per mouse."""
    if executor is None and jobs > 1:
        with process_pool(jobs) as pool:
            try:
                return run_cohort(exp, jobs, pool, progress)
            except KeyboardInterrupt:
                from xenosim.core.processes import stop_workers

                stop_workers(pool)
                raise
    specs = mouse_specs(exp)
    tick = progress("take phase", len(specs)) if progress else None
    takes = run_tasks(simulate_mouse, [(exp, s, None, True) for s in specs], jobs, executor,
                      tick)
    rng = np.random.default_rng(np.random.SeedSequence(exp.seed, spawn_key=(2**31,)))
    assignment, warnings = select_and_randomise(exp, takes, rng)
    chosen = [t for t in takes if t.spec.mouse in assignment]
    for t in takes:  # enrolled but not randomised (spares): their state is not needed
        if t.spec.mouse not in assignment:
            t.enrolled_state = None
    tick = progress("treatment", len(chosen)) if progress else None
    outcomes: list[MouseOutcome] = run_tasks(
        treat_mouse, [(exp, t, assignment[t.spec.mouse]) for t in chosen], jobs, executor, tick)
    for t in chosen:
        t.enrolled_state = None
    measurements = pd.DataFrame([r for o in outcomes for r in o.measurements])
    cells = pd.DataFrame([r for o in outcomes for r in o.cells])
    mice = pd.DataFrame([{
        "mouse": t.spec.mouse, "cell_line": t.spec.cell_line,
        "arm": assignment.get(t.spec.mouse, ""),
        "enrolled": t.spec.mouse in assignment, "took": t.enrolled,
        "enrolment_day_post_inoculation": t.enrol_day,
        "enrolment_volume_mm3": t.enrol_volume_mm3,
    } for t in takes])
    fates = {o.spec.mouse: (o.last_day, o.event) for o in outcomes}
    mice["last_day"] = [fates.get(m, (np.nan, ""))[0] for m in mice["mouse"]]
    mice["event"] = [fates.get(m, (np.nan, "not enrolled"))[1] for m in mice["mouse"]]
    return CohortResult(measurements, cells, mice, warnings,
                        [f for o in outcomes for f in o.snapshots])


def tidy_sort(df: pd.DataFrame, keys: Iterable[str] = ("cell_line", "arm", "mouse", "day")):
    """Stable order of rows, so files are identical whatever the execution order."""
    keys = [k for k in keys if k in df.columns]
    return df.sort_values(keys, kind="mergesort").reset_index(drop=True) if keys else df
